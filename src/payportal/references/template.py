"""The merchant's own reference pattern, such as ``"{customer_number}-{invoice_number}"``.

Merchants often want references that carry their own numbers, so that a prepaid top-up can be
booked to the right customer from the reference alone. A :class:`Template` describes such a
reference. Its pattern is text with placeholders in braces, and the placeholders are limited to
:data:`FIELDS` (plus ``{check}``): the pattern is parsed here, never handed to ``str.format``.

* Literal text may hold the letters A-Z, digits and the separators ``-``, ``/``, ``.`` and
  ``_`` (lower-case letters are upper-cased, as references are compared in upper case).
* Field values are 1 to 20 letters or digits. Two fields must be separated by a literal that
  contains a separator, or a reference could not be split back into its fields.
* ``check="luhn"`` adds one Luhn check digit over the reference's digits; ``check="mod97"``
  adds two ISO 7064 MOD 97-10 check digits over all its letters and digits (the IBAN and RF
  algorithm: it catches every single-character error and every transposition). The check
  digits go where ``{check}`` stands, or at the end.
* A reference is at most 35 characters long, the limit of a SEPA end-to-end id and of a
  structured creditor reference.

The check-digit arithmetic is python-stdnum's ``luhn`` and ``iso7064.mod_97_10``.

>>> topup = Template("KD{customer_number}-{invoice_number}", check="mod97")
>>> topup.generate(customer_number="10023", invoice_number="202617")
'KD10023-20261748'
>>> topup.validate("kd10023-202617 48")
'KD10023-20261748'
>>> topup.parse("KD10023-20261748")
{'customer_number': '10023', 'invoice_number': '202617'}
>>> topup.is_valid("KD10023-20261784")
False
>>> generate("{customer_number}/{year}", customer_number=42, year=2026)
'42/2026'
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import attrs
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from payportal.exceptions import ValidationError
from payportal.references._common import (
    CheckStrength,
    as_text,
    check_digits_of,
    compactor,
    fail_checksum,
    fail_format,
    fail_length,
    passes,
)

__all__ = [
    "FIELDS",
    "Template",
    "calc_check_digits",
    "compact",
    "format",
    "generate",
    "is_valid",
    "parse",
    "validate",
]

#: The placeholders a pattern may use, besides ``{check}``.
FIELDS = frozenset(
    {
        "contract_number",
        "customer_number",
        "document_number",
        "invoice_number",
        "month",
        "order_number",
        "year",
    }
)
MAX_LENGTH = 35
MAX_FIELD_LENGTH = 20
LABEL = "reference"

Check = Literal["luhn", "mod97"]
_CHECK_WIDTH = {"luhn": 1, "mod97": 2}
_SEPARATOR_CHARS = "-/._"
_LITERAL = re.compile(r"[0-9A-Z\-/._]+", re.ASCII)
_PLACEHOLDER = re.compile(r"\{([a-z_]*)\}|[{}]")
_SPACES = compactor(" ")

# A parsed pattern is a tuple of parts: ("literal", text), ("field", name) or ("check", "").
Part = tuple[Literal["literal", "field", "check"], str]


def _pattern_error(reason: str, pattern: object) -> ValidationError:
    return ValidationError(reason, field="pattern", value=pattern)


def _parse_pattern(pattern: str, check: Check | None) -> tuple[Part, ...]:
    parts: list[Part] = []
    position = 0
    for placeholder in _PLACEHOLDER.finditer(pattern):
        literal = pattern[position : placeholder.start()]
        if literal:
            parts.append(("literal", literal))
        position = placeholder.end()
        name = placeholder[1]
        if name is None:
            raise _pattern_error(
                f"has a brace at character {placeholder.start() + 1} that is not part of a "
                "{field} placeholder (fields are plain names, without formats or attributes)",
                pattern,
            )
        if name == "check":
            if check is None:
                raise _pattern_error("uses {check} but no check algorithm was chosen", pattern)
            parts.append(("check", ""))
        elif name in FIELDS:
            parts.append(("field", name))
        else:
            allowed = ", ".join(sorted(FIELDS))
            raise _pattern_error(f"uses the unknown field {{{name}}} (allowed: {allowed})", pattern)
    if pattern[position:]:
        parts.append(("literal", pattern[position:]))
    if check is not None and ("check", "") not in parts:
        parts.append(("check", ""))
    _check_parts(parts, pattern)
    return tuple(parts)


def _check_parts(parts: list[Part], pattern: str) -> None:
    names = [text for kind, text in parts if kind == "field"]
    if not names:
        raise _pattern_error("must contain at least one field placeholder", pattern)
    if len(set(names)) != len(names):
        raise _pattern_error("uses a field more than once", pattern)
    if sum(kind == "check" for kind, _ in parts) > 1:
        raise _pattern_error("uses {check} more than once", pattern)
    last_field: str | None = None
    separated = True
    for kind, text in parts:
        if kind == "literal":
            if not _LITERAL.fullmatch(text):
                raise _pattern_error(
                    "may contain only letters, digits, placeholders and the separators - / . _",
                    pattern,
                )
            separated = separated or any(c in _SEPARATOR_CHARS for c in text)
        elif kind == "field":
            if not separated:
                # Field values are letters and digits: without a separator between two fields
                # a reference could not be split back into them.
                raise _pattern_error(
                    f"needs a separator (- / . _) between {{{last_field}}} and {{{text}}}",
                    pattern,
                )
            last_field, separated = text, False


def _regex(parts: tuple[Part, ...], check: Check | None, *, loose: bool) -> str:
    # ``loose`` is the form used to search bank text, where payers insert single spaces.
    gap = " ?" if loose else ""
    pieces: list[str] = []
    for kind, text in parts:
        if kind == "literal":
            pieces.append(gap.join(re.escape(c) for c in text))
        elif kind == "field" and loose:
            # Spaces only between digits ("2026 17"): a space next to a letter ends the field,
            # or a field would swallow the word before it ("AUCH 10023").
            value = r"[0-9A-Z](?:[0-9A-Z]|(?<=[0-9]) (?=[0-9]))"
            pieces.append(f"(?P<{text}>{value}{{0,{2 * MAX_FIELD_LENGTH}}})")
        elif kind == "field":
            pieces.append(f"(?P<{text}>[0-9A-Z]{{1,{MAX_FIELD_LENGTH}}})")
        else:
            width = _CHECK_WIDTH[check or "luhn"]
            pieces.append(f"(?P<check>[0-9]{gap}[0-9])" if width == 2 else "(?P<check>[0-9])")
    return gap.join(pieces)


def _to_check(check: object) -> Check | None:
    if check is None or check in _CHECK_WIDTH:
        return check  # type: ignore[return-value]  # narrowed by the membership test
    raise ValidationError("must be None, 'luhn' or 'mod97'", field="check", value=check)


def _check_pattern(instance: Template, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise _pattern_error("must be a string", value)


def _check_name(instance: Template, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ValidationError(
            "must be lower-case letters, digits and '_', starting with a letter",
            field="name",
            value=value,
        )


@attrs.frozen
class Template:
    """A merchant-defined reference scheme, with the same vocabulary as the scheme modules.

    Args:
        pattern: text with ``{field}`` placeholders from :data:`FIELDS` and optionally
            ``{check}``, such as ``"{customer_number}-{invoice_number}"``.
        check: ``None``, ``"luhn"`` or ``"mod97"`` (see the module documentation).
        name: the scheme name matches and parsed references report; give each template of a
            merchant its own name when several are in use.

    Raises:
        ValidationError: the pattern uses an unknown field, has two fields without a separator
            between them, a stray brace or a character outside the allowed set (field
            ``pattern``), or ``check``/``name`` is not allowed.
    """

    pattern: str = attrs.field(validator=_check_pattern)
    check: Check | None = attrs.field(default=None, converter=_to_check)
    name: str = attrs.field(default="template", validator=_check_name)
    _parts: tuple[Part, ...] = attrs.field(init=False, repr=False, eq=False)
    _compiled: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        upper = self.pattern.strip().upper()
        # Placeholder names are lower case; upper-case only what lies outside the braces.
        pattern = re.sub(r"\{[A-Z_]*\}", lambda m: m[0].lower(), upper)
        try:
            parts = _parse_pattern(pattern, self.check)
        except ValidationError as error:
            # Report the pattern as the caller wrote it, not the upper-cased working copy.
            raise ValidationError(error.reason, field="pattern", value=self.pattern) from None
        object.__setattr__(self, "_parts", parts)
        regex = re.compile(_regex(parts, self.check, loose=False), re.ASCII)
        object.__setattr__(self, "_compiled", regex)

    @property
    def CHECK(self) -> CheckStrength:  # noqa: N802  the scheme modules' constant, as a property
        """How much this template's check digits prove (see the module documentation)."""
        if self.check == "mod97":
            return CheckStrength.STRONG
        return CheckStrength.WEAK if self.check == "luhn" else CheckStrength.NONE

    @property
    def NAME(self) -> str:  # noqa: N802  the scheme modules' constant, as a property
        return self.name

    @property
    def fields(self) -> tuple[str, ...]:
        """The field names the pattern uses, in order."""
        return tuple(text for kind, text in self._parts if kind == "field")

    def search_regex(self) -> str:
        """The pattern as a regular expression over upper-cased bank text, spaces allowed
        around literal characters; used by :func:`payportal.references.find`."""
        return _regex(self._parts, self.check, loose=True)

    def compact(self, number: str) -> str:
        """Return ``number`` without spaces, in upper case."""
        return number.translate(_SPACES).upper().strip()

    def calc_check_digits(self, payload: str) -> str:
        """Return the check digits for ``payload``, the reference without them ("" when the
        template has no check)."""
        if self.check is None:
            return ""
        if self.check == "luhn":
            digits = "".join(c for c in payload if c.isdigit())
            return luhn.calc_check_digit(digits or "0")
        letters_and_digits = "".join(c for c in payload.upper() if c.isalnum())
        return str(mod_97_10.calc_check_digits(letters_and_digits))

    def generate(self, **fields: str | int) -> str:
        """Return the reference for the given field values (letters are upper-cased).

        Raises:
            ValidationError: a field the pattern uses is missing, one it does not use is given,
                a value is empty, longer than 20 characters or not letters and digits (the
                error names the field), or the reference would exceed 35 characters.
        """
        for name, value in fields.items():
            if name not in self.fields:
                raise ValidationError(
                    f"is not a field of the pattern {self.pattern!r}", field=name, value=value
                )
        values: dict[str, str] = {}
        for name in self.fields:
            if name not in fields:
                raise ValidationError(
                    f"is required by the pattern {self.pattern!r}", field=name, value=None
                )
            values[name] = check_digits_of(
                fields[name], name, max_length=MAX_FIELD_LENGTH, digits_only=False
            )
        payload = "".join(values[text] if kind == "field" else text for kind, text in self._parts)
        digits = self.calc_check_digits(payload)
        reference = "".join(
            values[text] if kind == "field" else digits if kind == "check" else text
            for kind, text in self._parts
        )
        if len(reference) > MAX_LENGTH:
            raise ValidationError(
                f"would make a reference longer than {MAX_LENGTH} characters",
                field=self.fields[-1],
                value=fields[self.fields[-1]],
            )
        return reference

    def _match(self, number: object) -> tuple[str, re.Match[str]]:
        text = as_text(number)
        value = self.compact(text)
        if len(value) > MAX_LENGTH:
            fail_length(LABEL, number, f"it is longer than {MAX_LENGTH} characters")
        match = self._compiled.fullmatch(value)
        if match is None:
            fail_format(LABEL, number, f"it does not follow the pattern {self.pattern!r}")
        if self.check is not None:
            start, end = match.span("check")
            if self.calc_check_digits(value[:start] + value[end:]) != match["check"]:
                fail_checksum(LABEL, number)
        return value, match

    def validate(self, number: str) -> str:
        """Check ``number`` against the pattern and its check digits; return it compacted.

        Raises:
            InvalidFormatError: not a string, or it does not follow the pattern.
            InvalidLengthError: longer than 35 characters.
            InvalidChecksumError: the check digits do not match.
        """
        return self._match(number)[0]

    def is_valid(self, number: str) -> bool:
        """Whether ``number`` follows the pattern and its check digits match."""
        return passes(self.validate, number)

    def format(self, number: str) -> str:
        """Return ``number`` as it is printed: the compact form, separators included."""
        return self.compact(number)

    def parse(self, number: str) -> dict[str, str]:
        """Return the field values of a valid reference, such as its customer number.

        Raises:
            InvalidReferenceError: as :meth:`validate`.
        """
        match = self._match(number)[1]
        return {name: match[name] for name in self.fields}


@functools.lru_cache(maxsize=64)
def _template(pattern: str, check: Check | None) -> Template:
    return Template(pattern, check=check)


def compact(number: str, pattern: str, check: Check | None = None) -> str:
    """Module-level :meth:`Template.compact` for a one-off ``pattern``."""
    return _template(pattern, check).compact(number)


def calc_check_digits(payload: str, pattern: str, check: Check | None = None) -> str:
    """Module-level :meth:`Template.calc_check_digits`."""
    return _template(pattern, check).calc_check_digits(payload)


def generate(pattern: str, check: Check | None = None, **fields: str | int) -> str:
    """Module-level :meth:`Template.generate`: ``generate("{year}-{invoice_number}", ...)``."""
    return _template(pattern, check).generate(**fields)


def validate(number: str, pattern: str, check: Check | None = None) -> str:
    """Module-level :meth:`Template.validate`."""
    return _template(pattern, check).validate(number)


def is_valid(number: str, pattern: str, check: Check | None = None) -> bool:
    """Module-level :meth:`Template.is_valid`."""
    return _template(pattern, check).is_valid(number)


def format(number: str, pattern: str, check: Check | None = None) -> str:  # noqa: A001
    """Module-level :meth:`Template.format`."""
    return _template(pattern, check).format(number)


def parse(number: str, pattern: str, check: Check | None = None) -> dict[str, str]:
    """Module-level :meth:`Template.parse`."""
    return _template(pattern, check).parse(number)
