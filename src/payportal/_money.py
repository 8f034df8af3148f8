"""Money: an exact decimal amount in an ISO 4217 currency, at the currency's minor unit."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import SupportsIndex

import attrs
import babel
import babel.numbers
import iso4217

from payportal.exceptions import (
    CurrencyMismatchError,
    InvalidAmountError,
    UnknownCurrencyError,
    ValidationError,
)

__all__ = ["Money", "currency_exponent", "format_money", "is_currency", "parse_money"]

# The decimal module's rounding constants are plain strings ("ROUND_HALF_UP").
Rounding = str


# The minor unit ("exponent") of a currency is a fact of ISO 4217, not of CLDR: CLDR's
# currency "digits" are a *display* precision that changes between releases (newer CLDR sets HUF,
# COP and IDR to 0 digits, which ISO 4217 keeps at 2). A stored ``minor_units`` must mean the
# same amount whatever babel is installed, so the exponent comes from ISO's own list as the
# ``iso4217`` package ships it. Display (symbols, grouping, placement) stays babel's.


@functools.cache
def _iso_exponents() -> dict[str, int | None]:
    """Every active ISO 4217 code and its minor unit; ``None`` where ISO says "N.A."."""
    return {currency.code: currency.exponent for currency in iso4217.Currency}


def _unknown_reason(code: str) -> str:
    exponents = _iso_exponents()
    if code in exponents:
        return (
            "has no minor unit in ISO 4217 (a precious metal, a fund or a testing code) "
            "and cannot be used as money"
        )
    if code in _cldr_currencies():
        return "is not an active ISO 4217 currency code (withdrawn or replaced)"
    return "is not an ISO 4217 currency code"


@functools.cache
def _cldr_currencies() -> frozenset[str]:
    # Babel's CLDR data also lists historic codes (DEM, HRK): only used to say *why*.
    return frozenset(babel.numbers.list_currencies())


def is_currency(code: object) -> bool:
    """Whether ``code`` is an active ISO 4217 currency that can hold money.

    Codes without a minor unit (``XAU`` gold, ``XDR``, ``XXX``) and withdrawn codes
    (``HRK``, ``DEM``) are not.

    >>> is_currency("HUF"), is_currency("XAU"), is_currency("HRK")
    (True, False, False)
    """
    return isinstance(code, str) and _iso_exponents().get(code) is not None


@functools.cache
def currency_exponent(currency: str) -> int:
    """The number of decimals of ``currency``'s minor unit, as ISO 4217 defines it.

    The value is ISO 4217's "minor unit", never a locale's display precision, so an amount
    stored as minor units keeps its meaning across babel and CLDR upgrades.

    >>> currency_exponent("EUR"), currency_exponent("JPY"), currency_exponent("KWD")
    (2, 0, 3)
    >>> currency_exponent("HUF"), currency_exponent("CLF")
    (2, 4)

    Raises:
        UnknownCurrencyError: ``currency`` is not an active ISO 4217 code, or one without a
            minor unit (``XAU``); the message says which.
    """
    exponent = _iso_exponents().get(currency) if isinstance(currency, str) else None
    if exponent is None:
        code = currency if isinstance(currency, str) else ""
        raise UnknownCurrencyError(_unknown_reason(code), field="currency", value=currency)
    return exponent


@functools.cache
def _unit(exponent: int) -> Decimal:
    return Decimal(1).scaleb(-exponent)


def _normalise_currency(currency: object) -> str:
    if not isinstance(currency, str):
        raise UnknownCurrencyError(
            "must be an ISO 4217 currency code string", field="currency", value=currency
        )
    code = currency.strip().upper()
    if not is_currency(code):
        raise UnknownCurrencyError(_unknown_reason(code), field="currency", value=currency)
    return code


def _to_decimal(amount: object) -> Decimal:
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, bool):
        raise InvalidAmountError("must be a number, not a bool", field="amount", value=amount)
    elif isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, str):
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise InvalidAmountError(
                "is not a decimal number", field="amount", value=amount
            ) from None
    elif isinstance(amount, float):
        raise InvalidAmountError(
            "must not be a float: binary floats cannot hold money exactly; "
            "pass a Decimal, an int or a string such as '12.30'",
            field="amount",
            value=amount,
        )
    else:
        raise InvalidAmountError(
            "must be a Decimal, an int or a numeric string", field="amount", value=amount
        )
    if not value.is_finite():
        raise InvalidAmountError("must be a finite number", field="amount", value=amount)
    return value


# Money.zero of each currency asked for, by ISO code.
_ZEROS: dict[str, Money] = {}


@attrs.frozen(init=False, order=False, repr=False)
class Money:
    """An exact amount of money in one currency.

    The amount is a :class:`~decimal.Decimal` held at the currency's minor unit: two decimals
    for EUR, none for JPY, three for KWD. Floats are refused because they cannot hold money
    exactly; pass a ``Decimal``, an ``int`` or a string.

    >>> Money("12.3", "EUR")
    Money('12.30', 'EUR')
    >>> Money("12.30", "EUR").minor_units
    1230
    >>> Money.from_minor(5, "JPY")
    Money('5', 'JPY')
    >>> Money("1.00", "EUR") + Money("2.50", "EUR")
    Money('3.50', 'EUR')

    Raises:
        InvalidAmountError: a float, NaN or infinity, an unparsable string, or more decimals
            than the currency has (``Money("1.234", "EUR")``).
        UnknownCurrencyError: ``currency`` is not an ISO 4217 code.
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        code = _normalise_currency(currency)
        value = _to_decimal(amount)
        exponent = currency_exponent(code)
        try:
            quantised = value.quantize(_unit(exponent))
        except InvalidOperation:
            raise InvalidAmountError(
                "is too large to be held exactly", field="amount", value=amount
            ) from None
        if quantised != value:
            raise InvalidAmountError(
                f"has more decimals than {code} allows ({exponent})",
                field="amount",
                value=amount,
            )
        if not quantised:
            quantised = abs(quantised)  # no negative zero
        object.__setattr__(self, "amount", quantised)
        object.__setattr__(self, "currency", code)

    @classmethod
    def _of(cls, amount: Decimal, currency: str) -> Money:
        # Arithmetic on valid Money yields valid Money; skip re-validation on that hot path.
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount or abs(amount))
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """Build from an integer count of minor units: ``from_minor(1230, "EUR")`` is 12.30 EUR.

        Raises:
            InvalidAmountError: ``units`` is not an ``int``.
            UnknownCurrencyError: ``currency`` is not an ISO 4217 code.
        """
        if not isinstance(units, int) or isinstance(units, bool):
            raise InvalidAmountError(
                "must be an int count of minor units", field="units", value=units
            )
        code = _normalise_currency(currency)
        exponent = currency_exponent(code)
        try:
            amount = Decimal(units).scaleb(-exponent).quantize(_unit(exponent))
        except InvalidOperation:
            raise InvalidAmountError(
                "is too large to be held exactly", field="units", value=units
            ) from None
        return cls._of(amount, code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, at its minor unit (``0.00`` for EUR).

        Raises:
            UnknownCurrencyError: ``currency`` is not an ISO 4217 code.
        """
        # Money is immutable, and a booking asks for the zero of its currency dozens of
        # times: keep one per ISO code (only codes as ISO writes them, so the table stays
        # small), and let anything else take the checking path.
        known = _ZEROS.get(currency) if type(currency) is str and cls is Money else None
        if known is not None:
            return known
        code = _normalise_currency(currency)
        zero = cls._of(_unit(currency_exponent(code)) * 0, code)
        if code == currency and cls is Money:
            _ZEROS[code] = zero
        return zero

    @property
    def exponent(self) -> int:
        """Decimals of the currency's minor unit (JPY 0, EUR 2, KWD 3)."""
        return currency_exponent(self.currency)

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units (cents for EUR)."""
        return int(self.amount.scaleb(self.exponent))

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(
                f"cannot {operation} Money and {type(other).__name__}: "
                f"wrap the number in Money(..., {self.currency!r}) first"
            )
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self} and {other}: currencies differ "
                f"({self.currency} and {other.currency})"
            )
        return other

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        other = self._same_currency(other, "add")
        return Money._of(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from the int 0; accept exactly that so sum(moneys) works.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        other = self._same_currency(other, "subtract")
        return Money._of(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money._of(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._of(abs(self.amount), self.currency)

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other, "compare").amount

    def __mul__(self, factor: SupportsIndex) -> Money:
        # Multiplying by an integer is exact; anything else needs an explicit rounding method.
        if isinstance(factor, int) and not isinstance(factor, bool):
            return Money._of(self.amount * factor, self.currency)
        if isinstance(factor, Decimal | float):
            raise TypeError(
                "multiply Money by a Decimal with money.multiply(factor, rounding=...), "
                "which says how to round to the minor unit"
            )
        return NotImplemented

    __rmul__ = __mul__

    def multiply(self, factor: Decimal | int, *, rounding: Rounding) -> Money:
        """Multiply by ``factor`` and round to the minor unit with ``rounding``.

        >>> from decimal import ROUND_HALF_UP
        >>> Money("10.05", "EUR").multiply(Decimal("0.19"), rounding=ROUND_HALF_UP)
        Money('1.91', 'EUR')

        Raises:
            InvalidAmountError: ``factor`` is a float or not finite.
        """
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            raise InvalidAmountError(
                "must be an int or Decimal (never a float)", field="factor", value=factor
            )
        if isinstance(factor, Decimal) and not factor.is_finite():
            raise InvalidAmountError("must be a finite number", field="factor", value=factor)
        product = (self.amount * factor).quantize(_unit(self.exponent), rounding=rounding)
        return Money._of(product, self.currency)

    def split(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``ratios`` that add up exactly to this amount.

        Each part is the exact share rounded down to the minor unit; the minor units left over
        go one each to the parts with the largest remainders (earlier parts win ties), so no
        part is ever more than one minor unit away from its exact share.

        >>> [str(m) for m in Money("100.00", "EUR").split([1, 1, 1])]
        ['33.34 EUR', '33.33 EUR', '33.33 EUR']

        Raises:
            ValidationError: ``ratios`` is empty, has a negative, float or non-finite entry,
                or adds up to zero.
        """
        shares = split_units(self.minor_units, ratios)
        exponent = self.exponent
        unit = _unit(exponent)
        return [
            Money._of(Decimal(share).scaleb(-exponent).quantize(unit), self.currency)
            for share in shares
        ]

    def split_evenly(self, parts: int) -> list[Money]:
        """Split into ``parts`` amounts that differ by at most one minor unit and sum exactly.

        Raises:
            ValidationError: ``parts`` is not a positive int.
        """
        if not isinstance(parts, int) or isinstance(parts, bool) or parts < 1:
            raise ValidationError("must be a positive int", field="parts", value=parts)
        return self.split([1] * parts)


def split_units(total: int, ratios: Sequence[int | Decimal]) -> list[int]:
    """Split the integer ``total`` by ``ratios`` with the largest-remainder method.

    The parts sum exactly to ``total``; a negative total is split by magnitude and negated.
    """
    if isinstance(ratios, str | bytes) or not isinstance(ratios, Iterable):
        raise ValidationError("must be a sequence of numbers", field="ratios", value=ratios)
    exact: list[Fraction] = []
    for index, ratio in enumerate(ratios):
        if isinstance(ratio, bool) or not isinstance(ratio, int | Decimal):
            raise ValidationError(
                "must be an int or Decimal (never a float)", field=f"ratios[{index}]", value=ratio
            )
        if isinstance(ratio, Decimal) and not ratio.is_finite():
            raise ValidationError("must be finite", field=f"ratios[{index}]", value=ratio)
        if ratio < 0:
            raise ValidationError("must not be negative", field=f"ratios[{index}]", value=ratio)
        exact.append(Fraction(ratio))
    if not exact:
        raise ValidationError("must not be empty", field="ratios", value=ratios)
    whole = sum(exact, Fraction(0))
    if whole == 0:
        raise ValidationError("must not all be zero", field="ratios", value=ratios)
    magnitude = abs(total)
    floors: list[int] = []
    remainders: list[Fraction] = []
    for part in exact:
        share = magnitude * part / whole
        floor = share.numerator // share.denominator
        floors.append(floor)
        remainders.append(share - floor)
    left = magnitude - sum(floors)
    # Stable sort: among equal remainders the earlier part gets the extra unit.
    order = sorted(range(len(floors)), key=lambda i: remainders[i], reverse=True)
    for index in order[:left]:
        floors[index] += 1
    if total < 0:
        return [-f for f in floors]
    return floors


@functools.cache
def _locale(locale: str) -> babel.Locale:
    try:
        return babel.Locale.parse(locale)
    except (ValueError, TypeError, babel.UnknownLocaleError):
        raise ValidationError("is not a known locale", field="locale", value=locale) from None


def parse_locale(locale: str | babel.Locale) -> babel.Locale:
    """Resolve a locale identifier such as ``"de_DE"`` or ``"en-IE"`` to a babel Locale.

    Raises:
        ValidationError: the identifier names no locale babel knows.
    """
    if isinstance(locale, babel.Locale):
        return locale
    if not isinstance(locale, str):
        raise ValidationError("must be a locale identifier string", field="locale", value=locale)
    return _locale(locale.replace("-", "_"))


def iso_pattern(pattern: babel.numbers.NumberPattern, currency: str) -> babel.numbers.NumberPattern:
    """``pattern`` showing exactly ``currency``'s ISO 4217 decimals.

    CLDR patterns carry their own fraction digits and babel forces CLDR's currency digits on
    top; both can differ from ISO 4217 (CLDR shows HUF without decimals). Apply the result
    with ``currency_digits=False`` so the amount is shown as held, never rounded.

    Raises:
        UnknownCurrencyError: ``currency`` is not a currency that can hold money.
    """
    exponent = currency_exponent(currency)
    if pattern.frac_prec == (exponent, exponent):
        return pattern
    return babel.numbers.NumberPattern(
        pattern.pattern,
        pattern.prefix,
        pattern.suffix,
        pattern.grouping,
        pattern.int_prec,
        (exponent, exponent),
        pattern.exp_prec,
        pattern.exp_plus,
        pattern.number_pattern,
    )


_FORMAT_TYPES = ("standard", "accounting")


def format_money(
    money: Money,
    locale: str | babel.Locale,
    *,
    format: str | None = None,  # noqa: A002 - babel's name for the pattern
    format_type: str = "standard",
    group_separator: bool = True,
) -> str:
    """Format ``money`` for people in ``locale``, with babel's CLDR data.

    Separators, symbol position and spacing follow the locale; the space between amount and
    symbol is a no-break space (U+00A0), as CLDR prescribes. The number of decimals is always
    the currency's ISO 4217 minor unit, so nothing the amount holds is rounded away, whatever
    CLDR's display precision says (CLDR shows forint without fillér).

    >>> format_money(Money("1234.56", "EUR"), locale="de_DE")
    '1.234,56\xa0€'
    >>> format_money(Money("1234.56", "EUR"), locale="en_IE")
    '€1,234.56'
    >>> format_money(Money("1234.50", "HUF"), locale="en_US")
    'HUF1,234.50'

    Args:
        money: the amount to show.
        locale: a locale identifier (``"de_DE"``, ``"en-IE"``) or a babel Locale.
        format: a CLDR number pattern (``"#,##0.00 ¤¤"``) instead of the locale's; its
            fraction digits are replaced by the currency's.
        format_type: the locale's ``"standard"`` or ``"accounting"`` currency pattern.
        group_separator: whether to group thousands.

    Raises:
        ValidationError: ``locale`` is not a known locale, or ``format_type`` is not one of
            ``standard`` and ``accounting``.
        TypeError: ``money`` is not a :class:`Money`.
    """
    if not isinstance(money, Money):
        raise TypeError(f"format_money() needs Money, not {type(money).__name__}")
    resolved = parse_locale(locale)
    if format is None:
        if format_type not in _FORMAT_TYPES:
            raise ValidationError(
                f"must be one of {', '.join(_FORMAT_TYPES)}",
                field="format_type",
                value=format_type,
            )
        pattern = resolved.currency_formats[format_type]
    else:
        try:
            pattern = babel.numbers.parse_pattern(format)
        except ValueError:
            raise ValidationError(
                "is not a CLDR number pattern", field="format", value=format
            ) from None
    return str(
        iso_pattern(pattern, money.currency).apply(
            money.amount,
            resolved,
            currency=money.currency,
            currency_digits=False,
            group_separator=group_separator,
        )
    )


_SPACES = re.compile(r"[ \u00a0\u202f]")


def _take_sign(text: str, minus_signs: Iterable[str]) -> tuple[str, str]:
    """``("-", rest)`` when ``text`` starts with one of ``minus_signs``, else ``("", text)``."""
    for minus in minus_signs:
        if minus and text.startswith(minus):
            return "-", text[len(minus) :].strip()
    return "", text


def parse_money(text: str, currency: str, locale: str | babel.Locale) -> Money:
    """Read an amount of ``currency`` as a person in ``locale`` types it into a form.

    The locale's decimal and grouping symbols apply (``481,07`` and ``1.234,50`` in
    ``de_DE``, ``1,234.50`` in ``en_IE``, ``1 234,50`` with any space in ``fr_FR``); the
    currency's symbol or code around the number is allowed. Anything that could be read as
    two different amounts is refused, never guessed: ``481.07`` in ``de_DE`` (a mistyped
    ``481,07`` or ``48.107``?) and a single group of three digits such as ``1.234`` (one
    thousand, or one point two three four typed with the wrong separator?).

    >>> parse_money("481,07", "EUR", "de_DE")
    Money('481.07', 'EUR')
    >>> parse_money("€1,234.50", "EUR", "en_IE")
    Money('1234.50', 'EUR')
    >>> parse_money("481.07", "EUR", "de_DE")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    payportal.exceptions.InvalidAmountError: amount is not written as de_DE writes amounts, ...

    Raises:
        InvalidAmountError: ``text`` is not an amount in the locale's notation, is ambiguous,
            or has more decimals than the currency allows.
        UnknownCurrencyError: ``currency`` is not an ISO 4217 currency that holds money.
        ValidationError: ``locale`` is not a known locale.
    """
    resolved = parse_locale(locale)
    code = _normalise_currency(currency)
    exponent = currency_exponent(code)
    if not isinstance(text, str):
        raise InvalidAmountError("must be text typed by a person", field="amount", value=text)
    group = babel.numbers.get_group_symbol(resolved)
    decimal = babel.numbers.get_decimal_symbol(resolved)
    example = babel.numbers.format_decimal(
        Decimal("1234.56").quantize(_unit(exponent)), locale=resolved
    )

    def refuse(why: str) -> InvalidAmountError:
        return InvalidAmountError(why, field="amount", value=text)

    number = text.strip()
    minus_signs = ("-", "\u2212", babel.numbers.get_minus_sign_symbol(resolved))
    sign, number = _take_sign(number, minus_signs)
    for symbol in sorted(
        {code, babel.numbers.get_currency_symbol(code, locale=resolved)}, key=len, reverse=True
    ):
        if number.startswith(symbol):
            number = number[len(symbol) :].strip()
        elif number.endswith(symbol):
            number = number[: -len(symbol)].strip()
    if not sign:  # "€ -12,00" as well as "-12,00 €"
        sign, number = _take_sign(number, minus_signs)
    if group.isspace() or not group.strip():
        number = _SPACES.sub(group, number)
    digits = f"[0-9{re.escape(group)}{re.escape(decimal)}]+"
    if len(number) > 40 or not re.fullmatch(digits, number) or not any(map(str.isdigit, number)):
        raise refuse(f"is not written as {resolved} writes amounts, such as {example}")
    if (
        exponent > 0
        and group in ".,"
        and decimal not in number
        and re.fullmatch(rf"\d{{1,3}}{re.escape(group)}\d{{3}}", number)
    ):
        whole = number.replace(group, "")
        raise refuse(
            f"is ambiguous: write {whole}{decimal}{'0' * exponent} for {whole} {code}, "
            f"or use {decimal!r} before the decimals"
        )
    try:
        amount = babel.numbers.parse_decimal(sign + number, locale=resolved, strict=True)
    except babel.numbers.NumberFormatError:
        raise refuse(f"is not written as {resolved} writes amounts, such as {example}") from None
    if not amount.is_finite():
        raise refuse(f"is not written as {resolved} writes amounts, such as {example}")
    if amount.as_tuple().exponent < -exponent:  # type: ignore[operator]
        raise refuse(f"has more decimals than {code} has ({exponent})")
    return Money(amount, code)
