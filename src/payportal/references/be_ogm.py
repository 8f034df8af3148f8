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
    DIGIT,
    CheckStrength,
    DigitRun,
    Pattern,
    check_digits_of,
    compactor,
    digits_only,
    fail_checksum,
    fail_format,
    fail_length,
    passes,
    spaced_digits,
)

__all__ = [
    "DIGIT_RUN",
    "PATTERNS",
    "calc_check_digits",
    "checksum_holds",
    "compact",
    "format",
    "generate",
    "is_valid",
    "validate",
]

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
    if not checksum_holds(value):
        fail_checksum(LABEL, number)
    return value


def checksum_holds(value: str) -> bool:
    """Whether the check digits of ``value``, already 12 ASCII digits, hold: the first ten
    modulo 97, where 0 counts as 97 (so twelve zeros fail).

    Not part of the public vocabulary: :func:`payportal.references.find` calls it for every
    candidate it has already shaped, where :func:`validate`'s clean-up is wasted.
    """
    number = int(value)
    return (number // 100 % 97 or 97) == number % 100


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid structured communication (see :func:`validate`)."""
    return passes(validate, number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` in the printed layout ``+++ddd/dddd/ddddd+++``."""
    return f"+++{ogm_vcs.format(compact(number))}+++"


# Where payportal.references.find looks for structured communications. The bare form
# "010/8068/17183" starts with any digit, where the regex engine would try a match at each
# digit of a line; its anchor starts at the first slash, which is 3 to 6 characters after the
# start (three digits, single spaces). Where find searches it together with other patterns
# (one alternation, no anchor), the lookahead for that slash lets any other digit fail at once.
_BARE_FROM_SLASH = rf"/ ?{spaced_digits(4, 4)} ?/ ?{spaced_digits(5, 5)}(?![0-9])"
_BARE = rf"[0-9](?<![0-9][0-9])(?=[0-9O ]{{2,5}}/)(?: ?{DIGIT}){{2}} ?{_BARE_FROM_SLASH}"

#: The printed form between ``+++`` or ``***`` (slashes optional), and the bare form with its
#: slashes (``010/8068/17183``); the needles are what each must contain.
PATTERNS = (
    Pattern(
        rf"[+*][+*]{{2}} ?{spaced_digits(3, 3)} ?/? ?{spaced_digits(4, 4)} ?/? "
        rf"?{spaced_digits(5, 5)} ?[+*]{{3}}",
        needles=("/", "+++", "***"),
    ),
    Pattern(_BARE, needles=("/",), anchor=(_BARE_FROM_SLASH, 6)),
)
#: Twelve digits without frame or slashes: reported only if the merchant issued them, as one
#: twelve-digit number in 97 passes by chance.
DIGIT_RUN = DigitRun(12, 12, checksum_holds, only_known=True)
