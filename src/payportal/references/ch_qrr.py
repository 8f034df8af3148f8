"""Swiss QR reference (QRR), the structured reference of the Swiss QR-bill.

Specification: SIX, "Swiss Implementation Guidelines for the QR-bill", section 3.6 (creditor
reference types): a QR reference is exactly 27 digits, 26 chosen by the creditor and a check
digit by the recursive modulo 10 algorithm of the former orange payment slip (ESR/ISR). It is
printed as a block of two digits and five blocks of five. A QR reference is only used with a
QR-IBAN; with an ordinary IBAN, Swiss creditors use the ISO 11649 reference instead.

Check digits are computed by python-stdnum's ``ch.esr``; :func:`validate` runs the same
recursive table directly, because stdnum's character-by-character clean-up dominates when bank
statements are searched (the tests check both agree).

>>> validate("21 00000 00003 13947 14300 09017")
'210000000003139471430009017'
>>> generate("21000000000313947143000901")
'210000000003139471430009017'
>>> generate(1878)
'000000000000000000000018781'
>>> format("210000000003139471430009017")
'21 00000 00003 13947 14300 09017'
>>> is_valid("210000000003139471430009016")
False
"""

from __future__ import annotations

from stdnum.ch import esr

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

__all__ = [
    "DIGIT_RUN",
    "calc_check_digit",
    "checksum_holds",
    "compact",
    "format",
    "generate",
    "is_valid",
    "validate",
]

NAME = "ch_qrr"
LABEL = "Swiss QR reference"
CHECK = CheckStrength.STRONG
LENGTH = 27

_SEPARATORS = compactor(" ")
_ZEROS = "0" * LENGTH
# The carry table of the recursive modulo 10 algorithm (SIX, ISR/QRR technical specification).
_RECURSIVE_MOD10 = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
# The same table as one step per (carry, ASCII code of the digit): the loop over 26 digits then
# does two lookups and no arithmetic (bank statements are searched by the hundred thousand).
_STEP = tuple(
    tuple(_RECURSIVE_MOD10[(carry + code - 48) % 10] if code >= 48 else 0 for code in range(58))
    for carry in range(10)
)


def compact(number: str) -> str:
    """Return ``number`` without spaces. Leading zeros are kept: a QRR has 27 digits."""
    return number.translate(_SEPARATORS).strip()


def calc_check_digit(base: str | int) -> str:
    """Return the recursive modulo 10 check digit for ``base`` (1 to 26 digits).

    Raises:
        ValidationError: ``base`` is not 1 to 26 digits (field ``base``).
    """
    return str(esr.calc_check_digit(check_digits_of(base, "base", max_length=26, digits_only=True)))


def generate(base: str | int) -> str:
    """Return the 27-digit QR reference for ``base``, padded with leading zeros.

    Raises:
        ValidationError: ``base`` is not 1 to 26 digits or is zero (field ``base``).
    """
    digits = check_digits_of(base, "base", max_length=26, digits_only=True).zfill(26)
    if not digits.strip("0"):
        raise ValidationError(
            "must not be zero: a reference of zeros identifies nothing", field="base", value=base
        )
    return digits + str(esr.calc_check_digit(digits))


def validate(number: str) -> str:
    """Check ``number`` and return it compacted (27 digits).

    Raises:
        InvalidFormatError: not a string of digits, or all zeros.
        InvalidLengthError: not exactly 27 digits.
        InvalidChecksumError: the check digit does not match.
    """
    if not isinstance(number, str):
        fail_format(LABEL, number, "it must be a string")
    value = compact(number)
    if not digits_only(value) or not value.strip("0"):
        fail_format(LABEL, number, "it must contain only digits, not all zeros")
    if len(value) != LENGTH:
        fail_length(LABEL, number, "it must be exactly 27 digits long")
    if not checksum_holds(value):
        fail_checksum(LABEL, number)
    return value


def checksum_holds(value: str) -> bool:
    """Whether ``value``, already 27 ASCII digits, is a QR reference: not all zeros (which
    would pass the arithmetic), and its check digit holds.

    Not part of the public vocabulary: :func:`payportal.references.find` calls it for every
    27-digit window of a bank text, where :func:`validate`'s clean-up is wasted.
    """
    if value == _ZEROS:
        return False
    carry = 0
    for code in value[:-1].encode("ascii"):
        carry = _STEP[carry][code]
    return (10 - carry) % 10 == ord(value[-1]) - 48


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid QR reference (see :func:`validate`)."""
    return passes(validate, number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` in the printed layout: 2 digits, then five blocks of 5."""
    return str(esr.format(compact(number)))


#: How :func:`payportal.references.find` recognises a QR reference: 27 digits, however the
#: payer grouped them.
DIGIT_RUN = DigitRun(LENGTH, LENGTH, checksum_holds)
