"""Finnish national reference number (viitenumero) and its RF form.

Specification: Finance Finland (Finanssiala), "Kotimaisen viitteen rakenneohje" (domestic
creditor reference): 4 to 20 digits, the last one a check digit. The digits before it are
weighted 7, 3, 1, 7, 3, 1, … from the right; the check digit takes the sum up to the next
multiple of ten (a sum ending in 0 gives 0). Leading zeros are not part of a reference.
Printed in groups of five digits counted from the right. The international form is the ISO
11649 creditor reference with the national reference as its body (:func:`to_rf`).

python-stdnum has no module for this scheme, so the 7-3-1 check is computed here.

>>> generate("12345")
'123453'
>>> format("123453")
'1 23453'
>>> validate("1 23453")
'123453'
>>> is_valid("123454")
False
>>> to_rf("1 23453")
'RF81123453'
"""

from __future__ import annotations

from payportal.exceptions import ValidationError
from payportal.references import rf
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

__all__ = [
    "DIGIT_RUN",
    "calc_check_digit",
    "compact",
    "format",
    "generate",
    "is_valid",
    "to_rf",
    "validate",
]

NAME = "fi"
LABEL = "Finnish reference number"
CHECK = CheckStrength.WEAK

_SEPARATORS = compactor(" -")
_WEIGHTS = (7, 3, 1)


def compact(number: str) -> str:
    """Return ``number`` without spaces, dashes and leading zeros."""
    return number.translate(_SEPARATORS).strip().lstrip("0")


def calc_check_digit(base: str | int) -> str:
    """Return the 7-3-1 check digit for the 3 to 19 digit ``base``.

    Raises:
        ValidationError: ``base`` is not 1 to 19 digits (field ``base``).
    """
    return _check_digit(check_digits_of(base, "base", max_length=19, digits_only=True))


def _check_digit(digits: str) -> str:
    total = sum(int(digit) * _WEIGHTS[i % 3] for i, digit in enumerate(reversed(digits)))
    return str(-total % 10)


def generate(base: str | int) -> str:
    """Return the reference for ``base`` (a customer or invoice number): ``base`` plus its
    check digit, without leading zeros.

    Raises:
        ValidationError: ``base`` is not digits, or would give fewer than 4 or more than 20
            digits (field ``base``).
    """
    digits = check_digits_of(base, "base", max_length=19, digits_only=True).lstrip("0")
    if len(digits) < 3:
        raise ValidationError("must have at least 3 significant digits", field="base", value=base)
    return digits + _check_digit(digits)


def validate(number: str) -> str:
    """Check ``number`` and return it compacted.

    Raises:
        InvalidFormatError: not a string of digits.
        InvalidLengthError: fewer than 4 or more than 20 digits.
        InvalidChecksumError: the check digit does not match.
    """
    if not isinstance(number, str):
        fail_format(LABEL, number, "it must be a string")
    value = compact(number)
    if not digits_only(value):
        fail_format(LABEL, number, "it must contain only digits")
    if not 4 <= len(value) <= 20:
        fail_length(LABEL, number, "it must be 4 to 20 digits long")
    if _check_digit(value[:-1]) != value[-1]:
        fail_checksum(LABEL, number)
    return value


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid Finnish reference (see :func:`validate`)."""
    return passes(validate, number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` in groups of five digits counted from the right (``1 23453``)."""
    value = compact(number)
    head = len(value) % 5
    groups = [value[:head]] if head else []
    groups += [value[i : i + 5] for i in range(head, len(value), 5)]
    return " ".join(groups)


def to_rf(number: str) -> str:
    """Return the international (RF) form of a Finnish reference, as Finnish banks print it.

    Raises:
        InvalidReferenceError: ``number`` is not a valid Finnish reference.
    """
    return rf.generate(validate(number))


#: How :func:`payportal.references.find` recognises a Finnish reference: 4 to 20 digits that
#: pass :func:`is_valid`.
DIGIT_RUN = DigitRun(4, 20, is_valid)
