"""Small attrs validators and converters that the models compose.

Each validator raises :class:`~payportal.exceptions.ValidationError` naming the attribute,
so a model built from user input always says which field was wrong.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import attrs

from payportal.exceptions import ValidationError

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
T = TypeVar("T", bound="attrs.AttrsInstance")


def fail(attribute: attrs.Attribute[Any], value: object, reason: str) -> ValidationError:
    return ValidationError(reason, field=attribute.name, value=value)


def non_empty_str(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A string with something other than white space in it."""
    if not isinstance(value, str):
        raise fail(attribute, value, "must be a string")
    if not value.strip():
        raise fail(attribute, value, "must not be empty")


def optional_str(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise fail(attribute, value, "must be a string")


def max_length(limit: int) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, str) and len(value) > limit:
            raise fail(attribute, value, f"must be at most {limit} characters long")

    return check


def check_aware(value: object, field: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise naming ``field``.

    Naive datetimes are ambiguous for deadlines and link expiry, so they are refused.
    """
    if not isinstance(value, datetime):
        raise ValidationError("must be a datetime", field=field, value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("must be timezone-aware", field=field, value=value)
    return value


def aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_aware(value, attribute.name)


def optional_aware_datetime(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        aware_datetime(instance, attribute, value)


def a_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # datetime is a subclass of date; a datetime where a calendar day is meant is a bug.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise fail(attribute, value, "must be a date")


def optional_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        a_date(instance, attribute, value)


def instance_of(kind: type[Any] | tuple[type[Any], ...], what: str) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise fail(attribute, value, f"must be {what}")

    return check


def optional(validator: Validator) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def items_of(kind: type[Any], what: str) -> Validator:
    """Every element of a tuple is an instance of ``kind``; errors name the index."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise fail(attribute, value, "must be a tuple")
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise ValidationError(
                    f"must be {what}", field=f"{attribute.name}[{index}]", value=item
                )

    return check


# By class and the fields left out: the fields copy_except copies.
_KEPT: dict[tuple[type[Any], tuple[str, ...]], tuple[str, ...]] = {}


def copy_except(instance: T, changed: tuple[str, ...]) -> T:
    """A copy of the frozen attrs ``instance`` with every field but ``changed``, which are
    left unset for the caller to set (``object.__setattr__``) and check.

    For a copy that changes a few fields of a model whose other fields were checked when it
    was built and are not checked against the changed ones: building it anew would run every
    validator again.
    """
    cls = type(instance)
    kept = _KEPT.get((cls, changed))
    if kept is None:
        fields = attrs.fields(cls)
        kept = _KEPT[(cls, changed)] = tuple(f.name for f in fields if f.name not in changed)
    copy: T = object.__new__(cls)
    for name in kept:
        object.__setattr__(copy, name, getattr(instance, name))
    return copy


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: accept any iterable (lists from JSON, generators) and store a tuple."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes):
        # A string is iterable but never what a caller means by a sequence of items.
        return value  # type: ignore[return-value]  # the validator rejects it, naming the field
    return tuple(value)


def to_decimal(value: object) -> object:
    """Converter: accept ``Decimal``, ``int`` and numeric strings; never floats.

    Anything else is passed through unchanged for the validator to reject with the field name.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return value
    return value


def finite_decimal(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal):
        if isinstance(value, float):
            raise fail(attribute, value, "must be a Decimal, int or numeric string, not a float")
        raise fail(attribute, value, "must be a Decimal, int or numeric string")
    if not value.is_finite():
        raise fail(attribute, value, "must be a finite number")


def decimal_between(low: Decimal | None, high: Decimal | None) -> Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        finite_decimal(instance, attribute, value)
        assert isinstance(value, Decimal)
        if low is not None and value < low:
            raise fail(attribute, value, f"must be at least {low}")
        if high is not None and value > high:
            raise fail(attribute, value, f"must be at most {high}")

    return check


# The HTML living standard's "valid e-mail address" (what <input type=email> accepts):
# https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address
_EMAIL_LOCAL: Final = r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+"
_EMAIL_LABEL: Final = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_EMAIL_LOCAL_PART: Final = re.compile(_EMAIL_LOCAL)
_EMAIL_DOMAIN: Final = re.compile(rf"{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})*")
MAX_EMAIL_LENGTH: Final = 254  # RFC 5321's 256-octet path, less its angle brackets
_MAX_LOCAL_PART: Final = 64  # RFC 5321, section 4.5.3.1.1


def email_problem(value: object) -> str | None:
    """Why ``value`` is not an e-mail address a browser form and a mail server accept, or None.

    The address must match the HTML living standard's rule for ``<input type=email>``, and
    also what SMTP (RFC 5321) adds: a local part of at most 64 characters without leading,
    trailing or doubled dots, at most 254 characters in all, and a dot in the domain (an
    invoice never goes to a host on the local network). Internationalised domains are
    accepted in their ASCII (``xn--``) form.

    >>> email_problem("erika@example.org") is None
    True
    >>> print(email_problem("<x>@y.z"))
    is not a valid e-mail address: only letters, digits and .!#$%&'*+/=?^_`{|}~- may come ...
    """
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_EMAIL_LENGTH:
        return f"must be at most {MAX_EMAIL_LENGTH} characters long"
    reason = "is not a valid e-mail address"
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        return f"{reason}: it needs a name, an @ and a domain, as in 'erika@example.org'"
    if not _EMAIL_LOCAL_PART.fullmatch(local):
        return f"{reason}: only letters, digits and .!#$%&'*+/=?^_`{{|}}~- may come before the @"
    if not _EMAIL_DOMAIN.fullmatch(domain):
        idn = not domain.isascii()
        hint = " (write an internationalised domain in its xn-- form)" if idn else ""
        return (
            f"{reason}: the domain must be dot-separated labels of letters, digits and "
            f"hyphens{hint}"
        )
    if len(local) > _MAX_LOCAL_PART:
        return f"{reason}: the part before the @ must be at most {_MAX_LOCAL_PART} characters"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return f"{reason}: the part before the @ must not start or end with a dot or double it"
    if "." not in domain:
        return f"{reason}: the domain needs a dot, as in 'example.org'"
    return None


def email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An e-mail address as :func:`email_problem` accepts it."""
    problem = email_problem(value)
    if problem is not None:
        raise fail(attribute, value, problem)


# Characters no single-line field may hold: controls (tab, line breaks, NUL...), the Unicode
# line and paragraph separators, the bidirectional overrides and isolates that make text
# display as something else than it is, and lone surrogates, which cannot be encoded to UTF-8
# (a mail header or database column would fail on them later, far from the input).
_NOT_SINGLE_LINE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def single_line(limit: int, *, required: bool = False) -> Validator:
    """A string of at most ``limit`` characters on one line, without control characters.

    With ``required``, it must also hold something other than white space.
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise fail(attribute, value, "must be a string")
        if required and not value.strip():
            raise fail(attribute, value, "must not be empty")
        if len(value) > limit:
            raise fail(attribute, value, f"must be at most {limit} characters long")
        bad = _NOT_SINGLE_LINE.search(value)
        if bad is not None:
            raise fail(
                attribute,
                value,
                f"must be a single line without control characters (found U+{ord(bad[0]):04X} "
                f"at position {bad.start() + 1})",
            )

    return check


def strip(value: object) -> object:
    """Converter: trim surrounding white space from strings, as people type them."""
    return value.strip() if isinstance(value, str) else value


# --- URLs a browser will not run -----------------------------------------------------------

SAFE_URL_SCHEMES: Final = ("https", "http", "mailto", "tel")
"""The only schemes a url-kind value may have: none of them runs code in a browser."""

MAX_URL_LENGTH: Final = 2000

# What the WHATWG URL parser strips around a URL (C0 controls and space) and removes inside
# it (ASCII tab and newline) before it reads the scheme.
_C0_AND_SPACE: Final = "".join(map(chr, range(0x21)))
_TAB_NEWLINE: Final = str.maketrans("", "", "\t\n\r")
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Nothing a URL needs unencoded: C0 and C1 controls, DEL, and any white space.
_NOT_IN_URL: Final = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def _browser_views(value: str) -> list[str]:
    """``value`` as browsers may read it: as is, and HTML-entity-decoded (once or more).

    An attribute value is entity-decoded before the URL parser sees it, and a value that was
    escaped twice on its way into a page is decoded twice; each reading is normalised as the
    URL parser does it (surrounding C0 controls and spaces stripped, tabs and newlines
    removed), so ``"&#x20;JaVa&Tab;Script:..."`` shows up as ``"JaVaScript:..."``.
    """
    views = []
    current = value
    for _ in range(4):
        views.append(current.strip(_C0_AND_SPACE).translate(_TAB_NEWLINE))
        decoded = html.unescape(current)
        if decoded == current:
            break
        current = decoded
    return views


def url_problem(value: object, *, schemes: tuple[str, ...] = SAFE_URL_SCHEMES) -> str | None:
    """Why ``value`` is not a URL that is safe to put into a link, or None if it is.

    Safe means: a string of at most :data:`MAX_URL_LENGTH` characters without white space or
    control characters, whose scheme, however a browser reads it (HTML entities decoded,
    surrounding controls stripped, case ignored), is one of ``schemes``; ``http`` and
    ``https`` URLs also name a host.

    >>> url_problem("https://example.com/a?b=c") is None
    True
    >>> url_problem("&#106;avascript:alert(1)")
    "must start with https://, http://, mailto: or tel: (a browser reads the scheme 'javascript')"
    """
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters long"
    allowed = ", ".join(f"{s}://" if s.startswith("http") else f"{s}:" for s in schemes)
    allowed = " or ".join(allowed.rsplit(", ", 1))
    matches = [_SCHEME.match(view) for view in _browser_views(value)]
    for match in matches:
        if match is not None and match[1].lower() not in schemes:
            return f"must start with {allowed} (a browser reads the scheme {match[1].lower()!r})"
    if None in matches:
        return f"must start with {allowed}"
    if _NOT_IN_URL.search(value):
        return "must not contain white space or control characters (percent-encode them)"
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        try:
            host = urlsplit(value).hostname
        except ValueError:  # such as an unclosed "[" of an IPv6 address
            host = None
        if not host:
            return f"must name a host, as in '{scheme}://example.com'"
    return None


def strip_url(value: object) -> object:
    """Converter: trim white space and control characters around a URL, as browsers do."""
    return value.strip(_C0_AND_SPACE).strip() if isinstance(value, str) else value


def url(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An absolute URL with one of :data:`SAFE_URL_SCHEMES` (see :func:`url_problem`)."""
    problem = url_problem(value)
    if problem is not None:
        raise fail(attribute, value, problem)


def optional_url(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Like :func:`url`, but the empty string (no URL) is fine too."""
    if value != "":
        url(instance, attribute, value)
