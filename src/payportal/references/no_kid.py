"""Norwegian KID (kundeidentifikasjonsnummer), MOD10 and MOD11 variants.

Specification: Nets (Mastercard Payment Services), "OCR giro — systemspesifikasjon": a KID is 2
to 25 digits, the last one a check digit. The creditor's agreement with its bank fixes one of
two algorithms: MOD10 (the Luhn algorithm) or MOD11 (weights 2, 3, 4, 5, 6, 7, 2, 3, … from
the right; the check digit is 11 minus the sum modulo 11, where 11 becomes ``0`` and 10
becomes ``-``). A KID is printed as it is, without grouping.

The MOD10 check is python-stdnum's ``luhn``; stdnum has no KID module, so MOD11 is computed
here.

>>> generate("1234567890")
'12345678903'
>>> generate("12345678", variant="mod11")
'123456785'
>>> validate("1234 5678 903")
'12345678903'
>>> validate("123456785", variant="mod11")
'123456785'
>>> is_valid("12345678904")
False
"""

from __future__ import annotations

from typing import Literal

from stdnum import luhn

from payportal.exceptions import ValidationError
from payportal.references._common import (
    CheckStrength,
    DigitRun,
    check_digits_of,
    compactor,
    digits_only,
    fail_checksum,
    fail_format,
    fail_length,
    passes,
)

__all__ = ["DIGIT_RUN", "calc_check_digit", "compact", "format", "generate", "is_valid", "validate"]

NAME = "no_kid"
LABEL = "Norwegian KID"
CHECK = CheckStrength.WEAK

Variant = Literal["mod10", "mod11"]
_VARIANTS = ("mod10", "mod11")
_SEPARATORS = compactor(" -.")


def compact(number: str) -> str:
    """Return ``number`` without spaces, dots and inner dashes.

    A trailing ``-`` is kept: it is the MOD11 check digit for a remainder of ten.
    """
    value = number.strip()
    if value.endswith("-"):
        return value[:-1].translate(_SEPARATORS) + "-"
    return value.translate(_SEPARATORS)


def _check_variant(variant: object) -> None:
    if variant not in _VARIANTS:
        raise ValidationError("must be 'mod10' or 'mod11'", field="variant", value=variant)


def _mod11(digits: str) -> str:
    total = sum(int(digit) * (2 + i % 6) for i, digit in enumerate(reversed(digits)))
    remainder = -total % 11
    return "-" if remainder == 10 else str(remainder)


def _check_digit(digits: str, variant: Variant) -> str:
    return luhn.calc_check_digit(digits) if variant == "mod10" else _mod11(digits)


def calc_check_digit(base: str | int, variant: Variant = "mod10") -> str:
    """Return the check digit for ``base`` (1 to 24 digits); ``-`` is a valid MOD11 result.

    Raises:
        ValidationError: ``base`` is not 1 to 24 digits (field ``base``) or ``variant`` is
            neither ``"mod10"`` nor ``"mod11"``.
    """
    _check_variant(variant)
    return _check_digit(check_digits_of(base, "base", max_length=24, digits_only=True), variant)


def generate(base: str | int, variant: Variant = "mod10") -> str:
    """Return the KID for ``base`` (such as an invoice number): ``base`` and its check digit.

    Raises:
        ValidationError: as :func:`calc_check_digit`.
    """
    return compact(str(base)) + calc_check_digit(base, variant)


def validate(number: str, variant: Variant | None = None) -> str:
    """Check ``number`` and return it compacted.

    ``variant`` selects the check algorithm; ``None`` accepts a KID valid under either (use the
    creditor's agreed variant where you know it: it catches more typing errors).

    Raises:
        InvalidFormatError: not digits (with a ``-`` allowed as the last character).
        InvalidLengthError: fewer than 2 or more than 25 characters.
        InvalidChecksumError: the check digit does not match.
        ValidationError: ``variant`` is not ``None``, ``"mod10"`` or ``"mod11"``.
    """
    if variant is not None:
        _check_variant(variant)
    if not isinstance(number, str):
        fail_format(LABEL, number, "it must be a string")
    value = compact(number)
    if not 2 <= len(value) <= 25:
        fail_length(LABEL, number, "it must be 2 to 25 characters long")
    base, check = value[:-1], value[-1]
    if not digits_only(base) or not (check == "-" or digits_only(check)):
        fail_format(LABEL, number, "it must be digits, ending in a digit or '-'")
    variants: tuple[Variant, ...] = ("mod10", "mod11") if variant is None else (variant,)
    if not any(_check_digit(base, v) == check for v in variants):
        fail_checksum(LABEL, number)
    return value


def is_valid(number: str, variant: Variant | None = None) -> bool:
    """Whether ``number`` is a valid KID (see :func:`validate`)."""
    return passes(lambda n: validate(n, variant), number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` as it is printed: compact, without grouping."""
    return compact(number)


#: How :func:`payportal.references.find` recognises a KID: 2 to 25 digits that pass
#: :func:`is_valid`.
DIGIT_RUN = DigitRun(2, 25, is_valid)
