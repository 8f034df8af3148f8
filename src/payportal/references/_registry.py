"""The scheme registry: which schemes exist, ``parse`` and ``generate`` across them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from payportal.exceptions import InvalidFormatError, InvalidReferenceError, ValidationError
from payportal.references import be_ogm, billpay, ch_qrr, fi, no_kid, rf
from payportal.references._common import CheckStrength
from payportal.references.template import Template

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

__all__ = [
    "BUILT_IN",
    "PARSE_DEFAULT",
    "Reference",
    "SchemeLike",
    "SchemeSpec",
    "generate",
    "parse",
    "resolve",
]

#: The built-in scheme modules, by name.
BUILT_IN: dict[str, ModuleType] = {
    module.NAME: module for module in (rf, billpay, be_ogm, ch_qrr, fi, no_kid)
}
#: The order in which :func:`parse` tries schemes: prefixed and long ones first, because a
#: short digit string can pass a one-digit check by chance.
PARSE_DEFAULT: tuple[str, ...] = ("rf", "billpay", "be_ogm", "ch_qrr", "fi", "no_kid")

#: A scheme as callers name it: a built-in name such as ``"rf"``, or a :class:`Template`.
SchemeLike = str | Template


@attrs.frozen
class SchemeSpec:
    """The parts of a scheme that the registry and ``find`` use, whatever its origin."""

    name: str
    check: CheckStrength
    validate: Callable[[str], str]
    is_valid: Callable[[str], bool]
    format: Callable[[str], str]
    generate: Callable[..., str]
    template: Template | None = None


def _spec(scheme: object) -> SchemeSpec:
    if isinstance(scheme, Template):
        return SchemeSpec(
            scheme.name,
            scheme.CHECK,
            scheme.validate,
            scheme.is_valid,
            scheme.format,
            scheme.generate,
            scheme,
        )
    if isinstance(scheme, str) and scheme in BUILT_IN:
        module: Any = BUILT_IN[scheme]
        return SchemeSpec(
            module.NAME,
            module.CHECK,
            module.validate,
            module.is_valid,
            module.format,
            module.generate,
        )
    known = ", ".join(sorted(BUILT_IN))
    raise ValidationError(
        f"is not a reference scheme (built-in: {known}; or pass a template.Template)",
        field="scheme",
        value=scheme,
    )


def resolve(schemes: SchemeLike | Iterable[SchemeLike]) -> tuple[SchemeSpec, ...]:
    """Turn scheme names and templates into specs, in the given order.

    Raises:
        ValidationError: a name is not a built-in scheme, a scheme is given twice, or none is
            given (field ``scheme`` or ``schemes``).
    """
    items = (schemes,) if isinstance(schemes, str | Template) else tuple(schemes)
    specs = tuple(_spec(item) for item in items)
    if not specs:
        raise ValidationError("must name at least one scheme", field="schemes", value=schemes)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValidationError(
            "names a scheme twice (give each template its own name)",
            field="schemes",
            value=names,
        )
    return specs


@attrs.frozen
class Reference:
    """A valid payment reference.

    Attributes:
        scheme: the scheme's name (``"rf"``, ``"billpay"``, a template's name, …).
        value: the compact form, for storing and comparing.
        formatted: the printed form, for invoices and payment slips.
    """

    scheme: str
    value: str
    formatted: str

    def __str__(self) -> str:
        return self.formatted


def parse(text: str, *, schemes: SchemeLike | Iterable[SchemeLike] = PARSE_DEFAULT) -> Reference:
    """Return the reference ``text`` is, trying ``schemes`` in order; the first that accepts
    it wins.

    >>> parse("rf18 5390 0754 7034")
    Reference(scheme='rf', value='RF18539007547034', formatted='RF18 5390 0754 7034')

    Raises:
        InvalidReferenceError: no scheme accepts ``text``. With one scheme, this is that
            scheme's own error (:class:`~payportal.exceptions.InvalidChecksumError`, …);
            with several, an :class:`~payportal.exceptions.InvalidFormatError`.
        ValidationError: ``schemes`` names an unknown scheme.
    """
    specs = resolve(schemes)
    last: InvalidReferenceError | None = None
    for spec in specs:
        try:
            value = spec.validate(text)
        except InvalidReferenceError as error:
            last = error
            continue
        return Reference(spec.name, value, spec.format(value))
    if len(specs) == 1 and last is not None:
        raise last
    names = ", ".join(spec.name for spec in specs)
    raise InvalidFormatError(
        f"is not a valid reference in any of the schemes {names}", field="reference", value=text
    )


def generate(scheme: SchemeLike, /, **data: Any) -> Reference:
    """Generate a reference of ``scheme`` from the scheme's arguments.

    >>> generate("rf", body="539007547034").formatted
    'RF18 5390 0754 7034'
    >>> generate("billpay", order_number=1234567, merchant_id=3333).value
    'BP1234567/3333'

    Raises:
        ValidationError: an unknown scheme, or arguments the scheme's ``generate`` refuses
            (the error names the argument). Wrong argument names raise ``TypeError``.
    """
    spec = resolve(scheme)[0]
    value = spec.generate(**data)
    return Reference(spec.name, value, spec.format(value))
