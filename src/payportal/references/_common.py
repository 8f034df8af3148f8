"""What the scheme modules share: compaction, argument checks and error construction."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import NoReturn

import attrs

from payportal.exceptions import (
    InvalidChecksumError,
    InvalidFormatError,
    InvalidLengthError,
    InvalidReferenceError,
    ValidationError,
)

__all__ = [
    "DIGIT",
    "CheckStrength",
    "DigitRun",
    "Pattern",
    "as_text",
    "check_digits_of",
    "compactor",
    "digits_only",
    "fail_checksum",
    "fail_format",
    "fail_length",
    "passes",
    "spaced_digits",
]

# The field name every validation error carries: a reference is one value, not a structure.
FIELD = "reference"


class CheckStrength(enum.Enum):
    """How much a scheme's check digits prove about a string that passes them."""

    #: No check digit: only the structure can be checked.
    NONE = 0
    #: One decimal check digit: one random digit string in ten passes.
    WEAK = 1
    #: Two check digits or a long fixed-length number: accidental passes are rare.
    STRONG = 2


def as_text(value: object, field: str = FIELD) -> str:
    """Return ``value`` as a string; ints are accepted for purely numeric references."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    raise InvalidFormatError("must be a string", field=field, value=value)


def compactor(separators: str, replace: Mapping[str, str] | None = None) -> tuple[str | None, ...]:
    """A ``str.translate`` table deleting ``separators`` and replacing the characters that
    ``replace`` maps (faster than a character loop).

    It has an entry for every ASCII character: ``translate`` looks up each character of the
    text, and one the table lacks costs an exception raised and caught inside ``translate``,
    several times the cost of the lookup. Other characters are kept as they are.
    """
    replace = replace or {}
    return tuple(
        None if char in separators else replace.get(char, char) for char in map(chr, range(128))
    )


def fail_format(label: str, value: object, why: str, field: str = FIELD) -> NoReturn:
    raise InvalidFormatError(f"is not a valid {label}: {why}", field=field, value=value)


def fail_length(label: str, value: object, why: str, field: str = FIELD) -> NoReturn:
    raise InvalidLengthError(f"is not a valid {label}: {why}", field=field, value=value)


def fail_checksum(label: str, value: object, field: str = FIELD) -> NoReturn:
    raise InvalidChecksumError(
        f"is not a valid {label}: the check digits do not match (a typing error?)",
        field=field,
        value=value,
    )


def check_digits_of(value: object, field: str, *, max_length: int, digits_only: bool) -> str:
    """Validate the base a caller wants check digits computed for; return it compacted.

    Raises:
        ValidationError: ``value`` is not a string/int, is empty, too long, or has characters
            the scheme does not allow; ``field`` names the argument.
    """
    text = as_text(value, field).replace(" ", "").upper()
    if not text:
        raise ValidationError("must not be empty", field=field, value=value)
    if len(text) > max_length:
        raise ValidationError(
            f"must be at most {max_length} characters long", field=field, value=value
        )
    if digits_only and not (text.isascii() and text.isdigit()):
        raise ValidationError("must contain only the digits 0-9", field=field, value=value)
    if not (text.isascii() and text.isalnum()):
        raise ValidationError(
            "must contain only the letters A-Z and the digits 0-9", field=field, value=value
        )
    return text


def passes(validate: Callable[[str], str], number: str) -> bool:
    """``is_valid`` for every scheme: whether ``validate(number)`` accepts ``number``."""
    try:
        validate(number)
    except InvalidReferenceError:
        return False
    return True


def digits_only(value: str) -> bool:
    """Whether ``value`` is non-empty and made of ASCII digits only (``"²"`` is not a digit)."""
    return value.isascii() and value.isdigit()


# ---------------------------------------------------------------------------------------------
# What a scheme module tells ``find``: where its references may stand in bank text.
#
# ``find`` searches text that is upper case (ASCII letters only), with MT940 subfield markers
# and line wraps removed and runs of blanks made single spaces. The patterns below are written
# for that text.

#: A digit as typed or read by OCR: ``O`` for ``0``.
DIGIT = "[0-9O]"


def spaced_digits(low: int, high: int) -> str:
    """A regex for ``low`` to ``high`` digits that payers may split with single spaces.

    An ``O`` after a space starts a word (``"3333 OK"``), so only an ``O`` glued to a digit
    is read as ``0``.
    """
    return f"{DIGIT}(?:[0-9O]| [0-9]){{{low - 1},{high - 1}}}"


@attrs.frozen
class Pattern:
    """Where a reference of a scheme with a distinctive shape may stand in bank text.

    Attributes:
        regex: a candidate; the scheme's reader in ``find`` decides whether it is a reference.
            It should start with a literal or a character class, so that the regex engine
            skips to where a candidate can start. ``find`` may search it as one alternative of
            a larger regex, so it must not use numbered backreferences (where it uses global inline
            flags or a group name another pattern uses too, it is searched alone).
        needles: substrings of which a text must hold one for ``regex`` to be tried at all
            (empty: always tried). A cheap gate: most remittance lines hold no reference.
        anchor: optional, for a ``regex`` that starts with something common (any digit): the
            part of it from its first distinctive literal on, and the most characters a match
            can start before where ``anchor`` matches. ``find`` then looks for the anchor
            first and gives exactly the matches of ``regex``.
    """

    regex: str
    needles: tuple[str, ...]
    anchor: tuple[str, int] | None = None


@attrs.frozen
class DigitRun:
    """How ``find`` recognises a scheme whose references are runs of digits.

    ``find`` takes each window of whole digit groups of ``shortest`` to ``longest`` digits
    (``O`` read as ``0``) and asks ``holds`` about it.

    Attributes:
        shortest: the fewest digits of a reference.
        longest: the most digits of a reference.
        holds: whether a window (ASCII digits only) is a reference of the scheme.
        only_known: a window that passes is reported only if the merchant issued it (the
            bare form is too common by chance).
    """

    shortest: int
    longest: int
    holds: Callable[[str], bool]
    only_known: bool = False
