"""Belgian structured communication (OGM-VCS, "gestructureerde mededeling").

Specification: Febelfin, "Gestructureerde mededeling / Communication structurée": 12 digits,
10 chosen by the creditor and two check digits equal to the first ten modulo 97 (97 when the
remainder is 0). Printed between plus signs (or asterisks) as ``+++ddd/dddd/ddddd+++``.

Check digits are computed by python-stdnum's ``be.ogm_vcs``; :func:`validate` applies the same
modulo 97 rule directly, because stdnum's character-by-character clean-up dominates when bank
statements are searched (the tests check both agree).

>>> generate("0108068171")
'010806817183'
>>> format("010806817183")
'+++010/8068/17183+++'
>>> validate("+++010/8068/17183+++")
'010806817183'
>>> validate("***010/8068/17183***")
'010806817183'
>>> is_valid("010/8068/17180")
False
"""

from __future__ import annotations

from stdnum.be import ogm_vcs

from payportal.references._common import (
    CheckStrength,
    check_digits_of,
    compactor,
    digits_only,
    fail_checksum,
    fail_format,
    fail_length,
    passes,
)

__all__ = ["calc_check_digits", "compact", "format", "generate", "is_valid", "validate"]

NAME = "be_ogm"
LABEL = "Belgian structured communication"
CHECK = CheckStrength.STRONG

_SEPARATORS = compactor(" +*/")


def compact(number: str) -> str:
    """Return the 12 digits of ``number``, without the ``+++``/``***`` frame and slashes."""
    return number.translate(_SEPARATORS).strip()


def calc_check_digits(base: str | int) -> str:
    """Return the two check digits for the 10-digit ``base`` (shorter bases are zero-padded).

    Raises:
        ValidationError: ``base`` is not 1 to 10 digits (field ``base``).
    """
    digits = check_digits_of(base, "base", max_length=10, digits_only=True).zfill(10)
    return str(ogm_vcs.calc_check_digits(digits))


def generate(base: str | int) -> str:
    """Return the 12-digit structured communication for ``base`` (up to 10 digits).

    Raises:
        ValidationError: ``base`` is not 1 to 10 digits (field ``base``).
    """
    digits = check_digits_of(base, "base", max_length=10, digits_only=True).zfill(10)
    return digits + str(ogm_vcs.calc_check_digits(digits))


def validate(number: str) -> str:
    """Check ``number`` and return its 12 digits.

    Raises:
        InvalidFormatError: not digits, or all zeros.
        InvalidLengthError: not 12 digits.
        InvalidChecksumError: the check digits do not match.
    """
    if not isinstance(number, str):
        fail_format(LABEL, number, "it must be a string")
    value = compact(number)
    if not digits_only(value) or not value.strip("0"):
        fail_format(LABEL, number, "it must be 12 digits, not all zeros")
    if len(value) != 12:
        fail_length(LABEL, number, "it must be exactly 12 digits long")
    if (int(value[:10]) % 97 or 97) != int(value[10:]):
        fail_checksum(LABEL, number)
    return value


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid structured communication (see :func:`validate`)."""
    return passes(validate, number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` in the printed layout ``+++ddd/dddd/ddddd+++``."""
    return f"+++{ogm_vcs.format(compact(number))}+++"
