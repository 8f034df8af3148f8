"""Locale-aware formatting of placeholder values, with babel's CLDR data.

babel's ``format_*`` functions parse the locale and look its patterns up on every call;
a template renders the same few kinds of values over and over, so :class:`LocaleFormats`
resolves the patterns once per locale and applies them directly. The output is exactly what
:func:`payportal.format_money`, :func:`babel.dates.format_date` and
:func:`babel.numbers.format_percent` produce.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Literal, get_args

import babel.dates
import babel.numbers

from payportal._money import Money, iso_pattern, parse_locale
from payportal.i18n import translator_for

__all__ = [
    "HINTS",
    "KINDS",
    "Formatter",
    "Kind",
    "LocaleFormats",
    "expected_types",
    "formats_for",
    "formatter",
]

Kind = Literal[
    "auto",
    "text",
    "multiline",
    "money",
    "date",
    "percent",
    "number",
    "url",
    "list",
    "qr",
    "label",
]
"""How a field's value is turned into text (see :meth:`PlaceholderRegistry.register`)."""

KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

_DATE_STYLES: Final = ("short", "medium", "long", "full")

HINTS: Final[Mapping[Kind, tuple[str, ...]]] = {
    "auto": (),
    "text": (),
    "multiline": (),
    "money": ("amount", "raw"),
    "date": (*_DATE_STYLES, "iso"),
    "percent": (),
    "number": (),
    "url": (),
    "list": (*_DATE_STYLES, "iso"),
    "qr": ("svg", "data_uri", "png", "file", "payload"),
    "label": (),
}
"""The format hints each kind accepts after a colon, as in ``[Invoice.due_on:long]``."""

_HUNDRED: Final = Decimal(100)


def _with_currency(
    pattern: babel.numbers.NumberPattern, currency: str, locale: babel.Locale
) -> babel.numbers.NumberPattern:
    """``pattern`` with the currency's sign already in place of ``¤`` and ``¤¤``.

    ``NumberPattern.apply`` looks up the currency's symbol and its (plural) display name on
    every call, even when the pattern shows neither; put in once, the signs cost nothing per
    value. The replacements are the ones ``apply`` makes, in the same order. A ``¤¤¤``
    pattern shows the currency name in the amount's plural form, so it is left to ``apply``.
    """
    affixes = (*pattern.prefix, *pattern.suffix)
    if any("¤¤¤" in affix for affix in affixes):
        return pattern
    symbol = babel.numbers.get_currency_symbol(currency, locale)

    def sign(affix: str) -> str:
        return affix.replace("¤¤", currency.upper()).replace("¤", symbol)

    prefix = (sign(pattern.prefix[0]), sign(pattern.prefix[1]))
    suffix = (sign(pattern.suffix[0]), sign(pattern.suffix[1]))
    return babel.numbers.NumberPattern(
        pattern.pattern,
        prefix,
        suffix,
        pattern.grouping,
        pattern.int_prec,
        pattern.frac_prec,
        pattern.exp_prec,
        pattern.exp_plus,
        pattern.number_pattern,
    )


class LocaleFormats:
    """One locale's number, currency, percent and date patterns, resolved once."""

    __slots__ = ("_by_currency", "_currency", "_dates", "_decimal", "_percent", "locale")

    def __init__(self, locale: babel.Locale) -> None:
        self.locale = locale
        self._currency = locale.currency_formats["standard"]
        self._by_currency: dict[str, babel.numbers.NumberPattern] = {}
        self._decimal = locale.decimal_formats[None]
        self._percent = locale.percent_formats[None]
        self._dates = {style: locale.date_formats[style] for style in _DATE_STYLES}

    def money(self, value: Money) -> str:
        """``1.234,56 €`` in de_DE: what :func:`payportal.format_money` returns."""
        currency = value.currency
        pattern = self._by_currency.get(currency)
        if pattern is None:
            # Racing threads compute the same pattern; either write wins.
            pattern = iso_pattern(_with_currency(self._currency, currency, self.locale), currency)
            self._by_currency[currency] = pattern
        return str(
            pattern.apply(value.amount, self.locale, currency=currency, currency_digits=False)
        )

    def money_amount(self, value: Money) -> str:
        """The amount at the currency's minor unit without a symbol: ``1.234,50``."""
        pattern = iso_pattern(self._decimal, value.currency)
        return str(pattern.apply(value.amount, self.locale, currency_digits=False))

    def number(self, value: Decimal | int) -> str:
        """A number as :func:`babel.numbers.format_decimal` writes it: ``1.234,5``."""
        return str(self._decimal.apply(value, self.locale))

    def percent(self, value: Decimal | int) -> str:
        """A percentage given in percent (``Decimal("2.5")``) as ``2,5 %``, all decimals kept."""
        return str(self._percent.apply(value / _HUNDRED, self.locale, decimal_quantization=False))

    def date(self, value: date, style: str = "medium") -> str:
        """A calendar date in one of CLDR's styles: ``short``, ``medium``, ``long``, ``full``."""
        return str(self._dates[style].apply(value, self.locale))

    def datetime(self, value: datetime) -> str:
        """A timestamp in its own time zone, medium style."""
        return str(babel.dates.format_datetime(value, "medium", locale=self.locale))

    def auto(self, value: object) -> str:
        """Format by type: money, dates, timestamps, numbers, enums; anything else via str."""
        if isinstance(value, Money):
            return self.money(value)
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, date):
            return self.date(value)
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return self.number(value)
        if isinstance(value, Enum):
            return self.label(value)
        return str(value)

    def label(self, value: object) -> str:
        """An enum member's label in the locale's language (``PaymentState.PAID`` is
        ``Bezahlt`` in de_DE), from :mod:`payportal.i18n`; anything else via str."""
        if isinstance(value, Enum):
            return translator_for(str(self.locale)).label(value)
        return str(value)


@functools.lru_cache(maxsize=256)
def formats_for(locale: str) -> LocaleFormats:
    """The (cached) formats of a locale identifier such as ``"de_DE"``.

    Raises:
        ValidationError: the identifier names no locale babel knows.
    """
    return LocaleFormats(parse_locale(locale))


# The value is Any: each kind's getters produce that kind's type, which the template checks
# once per value before formatting (see ``expected_types``).
Formatter = Callable[[LocaleFormats, Any], str]
"""Turns a field's (non-None) value into text in a locale."""


def _text(formats: LocaleFormats, value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _money_raw(formats: LocaleFormats, value: Money) -> str:
    return str(value.amount)


def _iso_date(formats: LocaleFormats, value: date) -> str:
    return value.isoformat()


def _date_style(style: str) -> Formatter:
    def format_date(formats: LocaleFormats, value: date) -> str:
        return formats.date(value, style)

    return format_date


_EXPECTED: Final[Mapping[Kind, tuple[type, ...]]] = {
    "list": (tuple, list),
    "qr": (str,),
    "money": (Money,),
    "date": (date,),
    "percent": (Decimal, int),
    "number": (Decimal, int),
}


LIST_SEPARATOR: Final = " · "
"""Between the values of one row of a ``list`` field (one line per row)."""


def _list(hint: str | None) -> Formatter:
    style = hint or "medium"

    def cell(formats: LocaleFormats, value: object) -> str:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat() if style == "iso" else formats.date(value, style)
        return formats.auto(value)

    def format_list(formats: LocaleFormats, rows: tuple[object, ...]) -> str:
        lines = []
        for row in rows:
            cells = row if isinstance(row, tuple | list) else (row,)
            lines.append(LIST_SEPARATOR.join(cell(formats, c) for c in cells if c is not None))
        return "\n".join(lines)

    return format_list


def formatter(kind: Kind, hint: str | None) -> Formatter:
    """The formatter for a field of ``kind`` written with format ``hint`` (None: default).

    The caller has checked that ``hint`` is one of ``HINTS[kind]``.
    """
    chosen: Formatter
    if kind == "money":
        if hint == "amount":
            chosen = LocaleFormats.money_amount
        elif hint == "raw":
            chosen = _money_raw
        else:
            chosen = LocaleFormats.money
    elif kind == "date":
        chosen = _iso_date if hint == "iso" else _date_style(hint or "medium")
    elif kind == "percent":
        chosen = LocaleFormats.percent
    elif kind == "number":
        chosen = LocaleFormats.number
    elif kind == "auto":
        chosen = LocaleFormats.auto
    elif kind == "list":
        chosen = _list(hint)
    elif kind == "label":
        chosen = LocaleFormats.label
    else:
        chosen = _text
    return chosen


def expected_types(kind: Kind) -> tuple[type, ...] | None:
    """The value types a field of ``kind`` must produce, or None when anything goes."""
    return _EXPECTED.get(kind)
