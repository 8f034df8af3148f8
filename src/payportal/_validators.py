"""Small attrs validators and converters that the models compose.

Each validator raises :class:`~payportal.exceptions.ValidationError` naming the attribute,
so a model built from user input always says which field was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    import attrs

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


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


# Deliberately permissive: a full RFC 5322 check rejects real addresses more often than it
# catches typos. One "@", no white space, and a dot in the domain catches the common slips.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise fail(attribute, value, "is not a valid e-mail address")


def strip(value: object) -> object:
    """Converter: trim surrounding white space from strings, as people type them."""
    return value.strip() if isinstance(value, str) else value
