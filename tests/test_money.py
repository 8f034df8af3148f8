from __future__ import annotations

import pickle
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import babel.numbers
import defusedxml.ElementTree
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    CurrencyMismatchError,
    InvalidAmountError,
    Money,
    PayportalError,
    UnknownCurrencyError,
    ValidationError,
    currency_exponent,
    format_money,
    parse_money,
)
from payportal.testing.strategies import currencies, money

DATA = Path(__file__).resolve().parent / "data"


def test_acceptance_from_the_issue() -> None:
    assert Money("12.30", "EUR").minor_units == 1230
    assert Money.from_minor(5, "JPY") == Money("5", "JPY")
    assert sum(m.amount for m in Money("0.01", "EUR").split_evenly(3)) == Decimal("0.01")
    for bad in (1.5, "1.234", "NaN"):
        with pytest.raises(InvalidAmountError) as info:
            Money(bad, "EUR")  # type: ignore[arg-type]
        assert isinstance(info.value, PayportalError)
    with pytest.raises(CurrencyMismatchError):
        Money("1", "EUR") + Money("1", "USD")
    assert format_money(Money("1234.56", "EUR"), locale="de_DE") == "1.234,56\xa0€"


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [
        ("JPY", 0),
        ("EUR", 2),
        ("KWD", 3),
        ("CLF", 4),
        # CLDR displays these without decimals; ISO 4217 gives them a minor unit of 2.
        ("HUF", 2),
        ("COP", 2),
        ("IDR", 2),
        ("RSD", 2),
        ("UYW", 4),
    ],
)
def test_exponent_is_iso_4217_minor_unit(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent
    assert Money("1", currency).exponent == exponent
    assert Money("1", currency).amount.as_tuple().exponent == -exponent


def test_amount_is_held_at_the_minor_unit() -> None:
    assert Money("12.3", "EUR").amount == Decimal("12.30")
    assert str(Money("12.3", "EUR").amount) == "12.30"
    assert str(Money(5, "JPY").amount) == "5"
    assert str(Money("1.230", "EUR").amount) == "1.23"  # trailing zero is not extra precision
    assert Money(" 7.5 ", "eur") == Money("7.50", "EUR")


def test_negative_zero_is_zero() -> None:
    assert str(Money("-0.00", "EUR").amount) == "0.00"
    assert str((-Money.zero("EUR")).amount) == "0.00"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (1.5, "float"),
        (float("nan"), "float"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        ("1.234", "more decimals than EUR allows (2)"),
        ("abc", "not a decimal number"),
        (True, "bool"),
        (None, "Decimal, an int or a numeric string"),
        ("1e40", "too large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(amount: object, message: str) -> None:
    with pytest.raises(InvalidAmountError) as info:
        Money(amount, "EUR")  # type: ignore[arg-type]
    assert message in str(info.value)
    assert info.value.field == "amount"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("code", ["EURO", "XYZ", "", 978, None])
def test_unknown_currencies_are_refused(code: object) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        Money("1", code)  # type: ignore[arg-type]
    assert info.value.field == "currency"


def _iso_list_one() -> dict[str, int | None]:
    """ISO 4217 list one, as vendored in tests/data: code -> minor unit (None for N.A.)."""
    tree = defusedxml.ElementTree.parse(DATA / "iso4217" / "list-one.xml")
    units: dict[str, int | None] = {}
    for entry in tree.iter("CcyNtry"):
        code = entry.findtext("Ccy")
        if code is None:  # Antarctica: a territory without a currency of its own
            continue
        minor = (entry.findtext("CcyMnrUnts") or "").strip()
        units[code] = int(minor) if minor.isdigit() else None
    return units


ISO_LIST_ONE = _iso_list_one()


def test_vendored_list_is_the_whole_list() -> None:
    # A sanity check on the parse: list one has ~180 codes and these facts.
    assert len(ISO_LIST_ONE) > 170
    assert ISO_LIST_ONE["EUR"] == 2
    assert ISO_LIST_ONE["XAU"] is None


@pytest.mark.parametrize("code", sorted(c for c, unit in ISO_LIST_ONE.items() if unit is not None))
def test_every_active_code_has_its_iso_exponent(code: str) -> None:
    assert currency_exponent(code) == ISO_LIST_ONE[code]
    assert Money.from_minor(1, code).minor_units == 1


@pytest.mark.parametrize("code", sorted(c for c, unit in ISO_LIST_ONE.items() if unit is None))
def test_codes_without_a_minor_unit_are_not_money(code: str) -> None:
    with pytest.raises(UnknownCurrencyError, match="no minor unit") as info:
        Money("1", code)
    assert info.value.value == code
    with pytest.raises(UnknownCurrencyError):
        currency_exponent(code)


@pytest.mark.parametrize("code", ["HRK", "DEM", "FRF", "VEF", "ZWL", "SLL"])
def test_withdrawn_codes_are_refused_as_withdrawn(code: str) -> None:
    assert code not in ISO_LIST_ONE
    with pytest.raises(UnknownCurrencyError, match="withdrawn"):
        Money("1", code)


def test_huf_keeps_its_filler() -> None:
    forint = Money("1234.50", "HUF")
    assert forint.minor_units == 123450
    assert format_money(forint, "hu_HU").startswith(
        f"1{babel.numbers.get_group_symbol('hu_HU')}234"
    )
    assert f"{babel.numbers.get_decimal_symbol('hu_HU')}50" in format_money(forint, "hu_HU")


def test_from_minor_refuses_non_integers() -> None:
    with pytest.raises(InvalidAmountError):
        Money.from_minor(Decimal("1.5"), "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError):
        Money.from_minor(True, "EUR")


def test_arithmetic_and_comparison() -> None:
    a, b = Money("10.00", "EUR"), Money("2.50", "EUR")
    assert a + b == Money("12.50", "EUR")
    assert a - b == Money("7.50", "EUR")
    assert -b == Money("-2.50", "EUR")
    assert abs(-b) == b
    assert b < a
    assert a > b
    assert a >= a
    assert b <= b
    assert a * 3 == Money("30.00", "EUR") == 3 * a
    assert bool(Money.zero("EUR")) is False
    assert bool(b) is True
    assert sum([a, b]) == Money("12.50", "EUR")
    assert sum([], Money.zero("EUR")) == Money.zero("EUR")


def test_mixing_currencies_raises() -> None:
    eur, usd = Money("1", "EUR"), Money("1", "USD")
    for operation in (
        lambda: eur + usd,
        lambda: eur - usd,
        lambda: eur < usd,
        lambda: eur >= usd,
    ):
        with pytest.raises(CurrencyMismatchError, match="EUR and USD"):
            operation()
    assert eur != usd


def test_comparing_or_adding_a_bare_number_raises() -> None:
    eur = Money("1", "EUR")
    with pytest.raises(TypeError, match="wrap the number"):
        _ = eur < 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = eur + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = eur + Decimal(1)  # type: ignore[operator]
    assert (eur == 1) is False


def test_multiplying_by_a_decimal_needs_a_rounding_method() -> None:
    net = Money("10.05", "EUR")
    with pytest.raises(TypeError, match="multiply"):
        _ = net * Decimal("0.19")  # type: ignore[operator]
    assert net.multiply(Decimal("0.19"), rounding=ROUND_HALF_UP) == Money("1.91", "EUR")
    assert Money("0.25", "EUR").multiply(Decimal("0.1"), rounding=ROUND_HALF_EVEN) == Money(
        "0.02", "EUR"
    )
    with pytest.raises(InvalidAmountError):
        net.multiply(0.19, rounding=ROUND_HALF_UP)  # type: ignore[arg-type]


def test_split_uses_largest_remainder() -> None:
    parts = Money("100.00", "EUR").split([Decimal(1), Decimal(2), Decimal(3)])
    assert parts == [Money("16.67", "EUR"), Money("33.33", "EUR"), Money("50.00", "EUR")]
    assert Money("-0.05", "EUR").split_evenly(2) == [Money("-0.03", "EUR"), Money("-0.02", "EUR")]
    assert Money("5", "JPY").split([0, 1]) == [Money("0", "JPY"), Money("5", "JPY")]


@pytest.mark.parametrize("ratios", [[], [0, 0], [-1, 2], [1.5], "12", [Decimal("NaN")], [True]])
def test_split_refuses_bad_ratios(ratios: object) -> None:
    with pytest.raises(ValidationError):
        Money("1", "EUR").split(ratios)  # type: ignore[arg-type]


@pytest.mark.parametrize("parts", [0, -1, 1.0, True])
def test_split_evenly_refuses_bad_part_counts(parts: object) -> None:
    with pytest.raises(ValidationError):
        Money("1", "EUR").split_evenly(parts)  # type: ignore[arg-type]


def test_repr_str_hash_and_pickle() -> None:
    m = Money("12.30", "EUR")
    assert repr(m) == "Money('12.30', 'EUR')"
    assert str(m) == "12.30 EUR"
    assert hash(m) == hash(Money("12.3", "EUR"))
    assert pickle.loads(pickle.dumps(m)) == m
    with pytest.raises(AttributeError):
        m.amount = Decimal(1)  # type: ignore[misc]


@given(money())
def test_format_money_never_rounds_away_a_minor_unit(m: Money) -> None:
    text = format_money(m, "en_US", group_separator=False)
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    assert Decimal(digits) == abs(m.amount)


def test_format_money_patterns_and_types() -> None:
    m = Money("-1234.5", "EUR")
    assert format_money(m, "en_US", format_type="accounting") == "(€1,234.50)"
    assert format_money(Money("7", "JPY"), "en_US", format="#,##0.00 ¤¤") == "7 JPY"
    with pytest.raises(ValidationError) as info:
        format_money(m, "en_US", format_type="name")
    assert info.value.field == "format_type"


def test_format_money_follows_the_locale() -> None:
    m = Money("1234.56", "EUR")
    assert format_money(m, "en_IE") == "€1,234.56"
    assert format_money(m, "de-DE") == "1.234,56\xa0€"
    assert format_money(Money("1234", "JPY"), "ja_JP") == "￥1,234"
    with pytest.raises(ValidationError) as info:
        format_money(m, "xx_YY")
    assert info.value.field == "locale"
    with pytest.raises(TypeError):
        format_money(Decimal(1), "de_DE")  # type: ignore[arg-type]


@given(money())
def test_minor_units_round_trip(m: Money) -> None:
    assert Money.from_minor(m.minor_units, m.currency) == m
    assert Money(str(m.amount), m.currency) == m


@given(st.data(), currencies())
def test_addition_and_subtraction_conserve_money(data: st.DataObject, currency: str) -> None:
    a = data.draw(money(currency=currency))
    b = data.draw(money(currency=currency))
    assert (a + b) - b == a
    assert (a + b).minor_units == a.minor_units + b.minor_units
    assert a + (-a) == Money.zero(currency)


@given(
    money(min_value=-(10**6), max_value=10**6),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20).filter(any),
)
def test_split_conserves_the_sum_and_stays_within_one_minor_unit(
    m: Money, ratios: list[int]
) -> None:
    parts = m.split(ratios)
    assert len(parts) == len(ratios)
    assert sum(parts, Money.zero(m.currency)) == m
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Decimal(m.minor_units) * ratio / total
        assert abs(Decimal(part.minor_units) - exact) < 1
        assert part.currency == m.currency


@given(st.floats(allow_nan=True, allow_infinity=True), currencies())
def test_no_float_is_ever_accepted(value: float, currency: str) -> None:
    with pytest.raises(InvalidAmountError):
        Money(value, currency)  # type: ignore[arg-type]


# -- parse_money: amounts as people type them ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "locale", "expected"),
    [
        ("481,07", "EUR", "de_DE", "481.07"),
        ("1.234,5", "EUR", "de_DE", "1234.50"),
        ("1.234.567", "EUR", "de_DE", "1234567.00"),
        ("481,07 €", "EUR", "de_DE", "481.07"),
        ("EUR 12", "EUR", "de_DE", "12.00"),
        ("€1,234.50", "EUR", "en_IE", "1234.50"),
        ("12 345,67", "EUR", "fr_FR", "12345.67"),  # a plain space for CLDR's narrow one
        ("12\u00a0345,67\u00a0€", "EUR", "fr_FR", "12345.67"),
        ("1,234", "JPY", "ja_JP", "1234"),  # yen have no decimals: nothing to confuse
        ("1,5", "KWD", "de_DE", "1.500"),
        ("-5", "EUR", "de_DE", "-5.00"),
    ],
)
def test_parse_money_reads_the_locales_notation(
    text: str, currency: str, locale: str, expected: str
) -> None:
    assert parse_money(text, currency, locale) == Money(expected, currency)


@pytest.mark.parametrize(
    ("text", "currency", "locale", "why"),
    [
        ("481.07", "EUR", "de_DE", "as de_DE writes amounts, such as 1.234,56"),
        ("1.234", "EUR", "de_DE", "ambiguous: write 1234,00 for 1234 EUR"),
        ("1,234", "EUR", "en_IE", "ambiguous: write 1234.00 for 1234 EUR"),
        ("1.234", "KWD", "de_DE", "ambiguous"),
        ("1,23", "EUR", "en_IE", "as en_IE writes amounts"),
        ("12,345", "EUR", "de_DE", "more decimals than EUR has (2)"),
        ("12.5", "JPY", "ja_JP", "more decimals than JPY has (0)"),
        ("NaN", "EUR", "de_DE", "as de_DE writes amounts"),
        ("", "EUR", "de_DE", "as de_DE writes amounts"),
        ("zwölf", "EUR", "de_DE", "as de_DE writes amounts"),
        ("1e3", "EUR", "en_IE", "as en_IE writes amounts"),
    ],
)
def test_parse_money_refuses_what_could_mean_two_amounts_or_none(
    text: str, currency: str, locale: str, why: str
) -> None:
    with pytest.raises(InvalidAmountError, match=re.escape(why)) as raised:
        parse_money(text, currency, locale)
    assert raised.value.field == "amount"
    assert raised.value.value == text


def test_parse_money_checks_its_other_arguments() -> None:
    with pytest.raises(InvalidAmountError):
        parse_money(12.5, "EUR", "de_DE")  # type: ignore[arg-type]
    with pytest.raises(UnknownCurrencyError):
        parse_money("12", "XXX", "de_DE")
    with pytest.raises(ValidationError, match="locale"):
        parse_money("12", "EUR", "xx_nowhere")


@given(
    amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    locale=st.sampled_from(["de_DE", "de_AT", "de_CH", "en_IE", "en_US", "fr_FR", "fr_CH"]),
)
def test_whatever_format_money_shows_parse_money_reads_back(amount: Decimal, locale: str) -> None:
    money = Money(amount, "EUR")
    assert parse_money(format_money(money, locale), "EUR", locale) == money


@given(text=st.text(max_size=30), locale=st.sampled_from(["de_DE", "en_IE", "fr_FR"]))
def test_parse_money_never_fails_other_than_with_invalid_amount(text: str, locale: str) -> None:
    try:
        money = parse_money(text, "EUR", locale)
    except InvalidAmountError:
        return
    assert money.currency == "EUR"
    assert money.amount.is_finite()
