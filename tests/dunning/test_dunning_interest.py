"""The base-rate table, § 288 BGB interest and its day count, against published figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Customer, Money, ValidationError
from payportal.dunning import (
    BaseRate,
    BaseRateTable,
    ContractualInterest,
    DebtorKind,
    StatutoryInterest,
    accrue,
)

CONSUMER, BUSINESS = DebtorKind.CONSUMER, DebtorKind.BUSINESS
TABLE = BaseRateTable.bundled()


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


# --- the bundled table ------------------------------------------------------------------------


def test_bundled_table_has_a_row_for_every_half_year_since_2002() -> None:
    text = resources.files("payportal.dunning").joinpath("base_rates.csv").read_text("utf-8")
    assert "bundesbank.de" in text  # the file names its source
    assert TABLE.known_from == date(2002, 1, 1)
    assert TABLE.known_until == date(2026, 6, 30)
    assert len(TABLE.rows) == 2 * (2026 - 2002) + 1
    assert "Bundesbank" in TABLE.source


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        # The first adjustment on 1 January 2002 (Art. 229 § 7(3) EGBGB), and the rates the
        # Bundesbank announced, as reported in the sources named in the comments.
        (date(2002, 1, 1), "2.57"),
        (date(2009, 1, 1), "1.62"),  # lifepr.de: "... zum 1. Januar 2009 auf 1,62 %"
        (date(2013, 7, 1), "-0.38"),  # assekuranz-info-portal.de, "zum 1. Juli 2013 ... -0,38 %"
        (date(2016, 7, 1), "-0.88"),  # boersen-zeitung.de, "Basiszins sinkt auf minus 0,88 Prozent"
        (date(2022, 12, 31), "-0.88"),
        (date(2023, 1, 1), "1.62"),  # stb-bruns.com, "Zum 1.1.2023 ... auf 1,62 % erhöht"
        (date(2023, 7, 1), "3.12"),  # finanznachrichten.de, 2023-06: "von 1,62 auf 3,12 Prozent"
        (date(2024, 1, 1), "3.62"),  # vdwbayern.de, 2024-01-10: "beträgt nun 3,62 Prozent"
        (date(2025, 7, 1), "1.27"),  # iww.de: "Basiszinssatz sinkt zum 1.7.25 auf 1,27 Prozent"
        (date(2026, 6, 30), "1.27"),  # finanzmarktnachrichten.de: "ab 1. Januar 2026 ... 1,27"
    ],
)
def test_bundled_rates_match_the_announced_rates(day: date, rate: str) -> None:
    assert TABLE.rate_on(day) == Decimal(rate)


def test_a_day_outside_the_table_is_refused_with_how_to_update_it() -> None:
    with pytest.raises(ValidationError, match="with_rate") as caught:
        TABLE.rate_on(date(2026, 7, 1))
    assert caught.value.value == date(2026, 7, 1)
    with pytest.raises(ValidationError, match="outside"):
        TABLE.rate_on(date(2001, 12, 31))


def test_with_rate_extends_the_table_by_one_half_year_only() -> None:
    newer = TABLE.with_rate(date(2026, 7, 1), "1.02")
    assert newer.rate_on(date(2026, 12, 31)) == Decimal("1.02")
    assert newer.known_until == date(2026, 12, 31)
    with pytest.raises(ValidationError, match="2026-07-01") as caught:
        TABLE.with_rate(date(2027, 1, 1), "1.02")
    assert caught.value.field == f"rows[{len(TABLE.rows)}].valid_from"
    with pytest.raises(ValidationError, match="1 January or 1 July"):
        BaseRate(date(2026, 8, 1), "1")


def test_from_csv_names_the_malformed_line() -> None:
    with pytest.raises(ValidationError) as caught:
        BaseRateTable.from_csv("# x\nvalid_from,rate\n2002-01-01,2.57\n2002-07-01;2.47\n")
    assert caught.value.field == "line 4"
    with pytest.raises(ValidationError, match="at least one"):
        BaseRateTable.from_csv("valid_from,rate\n")
    with pytest.raises(ValidationError, match="6 decimals"):
        BaseRateTable.from_csv("2002-01-01,2.5700001\n")


# --- interest -----------------------------------------------------------------------------


def test_interest_matches_the_worked_example_of_a_public_source() -> None:
    # https://anleiter.de/wie-berechnet-man-verzugszinsen/ (step 6): a consumer claim of
    # 1000,00 € overdue for 25 days at the default rate of 5,12 % comes to 3,51 € (formula
    # capital x days x rate / (365 x 100)). 5,12 % is the base rate 0,12 % + 5 points, in force
    # from 1 July 2009 to 30 June 2011: 25 days in March 2010.
    calc = accrue(
        eur("1000.00"),
        start=date(2010, 3, 1),
        end=date(2010, 3, 26),
        rule=StatutoryInterest(),
        debtor=CONSUMER,
    )
    assert calc.amount == eur("3.51")
    [period] = calc.periods
    assert (period.first, period.last, period.days) == (date(2010, 3, 2), date(2010, 3, 26), 25)
    assert period.rate == Decimal("5.12")
    assert period.principal == eur("1000.00")


def test_business_rate_is_nine_points_over_the_base_rate_and_splits_at_a_change() -> None:
    # 10 000 € from the due date 2024-06-20 to 2024-07-10: 10 days at 3.62 + 9 = 12.62 %,
    # then 10 days at 3.37 + 9 = 12.37 %: 34.5753.. + 33.8904.. = 68.4657.. -> 68.47.
    calc = accrue(
        eur("10000.00"),
        start=date(2024, 6, 20),
        end=date(2024, 7, 10),
        rule=StatutoryInterest(),
        debtor=BUSINESS,
    )
    assert [(p.days, p.rate) for p in calc.periods] == [
        (10, Decimal("12.62")),
        (10, Decimal("12.37")),
    ]
    assert calc.amount == eur("68.47")


def test_part_payment_lowers_the_principal_from_the_day_after_it() -> None:
    calc = accrue(
        eur("1000.00"),
        start=date(2026, 1, 31),
        end=date(2026, 3, 2),
        rule=ContractualInterest("10"),
        payments=[(date(2026, 2, 10), eur("600.00"))],
    )
    # 10 days on 1000 (Feb 1..10), 20 days on 400 (Feb 11..Mar 2): (10000 + 8000) x 10 % / 365.
    assert [(p.days, p.principal) for p in calc.periods] == [
        (10, eur("1000.00")),
        (20, eur("400.00")),
    ]
    assert calc.amount == eur("4.93")


def test_accrue_refuses_what_it_cannot_compute() -> None:
    rule = StatutoryInterest()
    with pytest.raises(ValidationError, match="DebtorKind") as caught:
        accrue(eur("1.00"), start=date(2026, 1, 1), end=date(2026, 2, 1), rule=rule)
    assert caught.value.field == "debtor"
    with pytest.raises(ValidationError, match="before start"):
        accrue(eur("1.00"), start=date(2026, 2, 1), end=date(2026, 1, 1), rule=rule)
    with pytest.raises(ValidationError, match="more than the principal"):
        accrue(
            eur("1.00"),
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
            rule=ContractualInterest(5),
            payments=[(date(2026, 1, 5), eur("2.00"))],
        )
    with pytest.raises(ValidationError, match="not a float"):
        ContractualInterest(5.0)  # type: ignore[arg-type]


def test_debtor_kind_of_a_customer() -> None:
    person = Customer(id="1", number="K1", name="Erika Muster")
    firm = Customer(id="2", number="K2", name="Max Muster", company="Muster GmbH")
    assert DebtorKind.of(person) is CONSUMER
    assert DebtorKind.of(firm) is BUSINESS


# --- properties ---------------------------------------------------------------------------

FIRST = TABLE.known_from.toordinal()
LAST = TABLE.known_until.toordinal()
days = st.integers(FIRST, LAST).map(date.fromordinal)
principals = st.integers(0, 10**9).map(lambda units: Money.from_minor(units, "EUR"))
rules = st.one_of(
    st.just(StatutoryInterest()),
    st.decimals(0, 30, places=3).map(ContractualInterest),
)
debtors = st.sampled_from(DebtorKind)


@given(principals, days, days, days, rules, debtors)
def test_interest_is_additive_over_split_periods_within_rounding(
    principal: Money, a: date, b: date, c: date, rule: object, debtor: DebtorKind
) -> None:
    a, b, c = sorted((a, b, c))
    whole = accrue(principal, start=a, end=c, rule=rule, debtor=debtor)  # type: ignore[arg-type]
    first = accrue(principal, start=a, end=b, rule=rule, debtor=debtor)  # type: ignore[arg-type]
    second = accrue(principal, start=b, end=c, rule=rule, debtor=debtor)  # type: ignore[arg-type]
    # Each of the three is the exact figure rounded once: at most half a cent off each.
    assert abs((first.amount + second.amount - whole.amount).minor_units) <= 1


@given(principals, days, st.integers(0, 800), rules, debtors)
def test_interest_is_the_exact_sum_of_its_periods_rounded_half_up_once(
    principal: Money, start: date, length: int, rule: object, debtor: DebtorKind
) -> None:
    end = min(start + timedelta(days=length), TABLE.known_until)
    calc = accrue(principal, start=start, end=end, rule=rule, debtor=debtor)  # type: ignore[arg-type]
    # The periods cover the days after start up to end, without gap or overlap...
    expected_first = start + timedelta(days=1)
    for period in calc.periods:
        assert period.first == expected_first
        assert period.last >= period.first
        expected_first = period.last + timedelta(days=1)
        if isinstance(rule, StatutoryInterest):
            # ...each inside one half-year, at that half-year's base rate plus the points.
            assert TABLE.rate_on(period.first) == TABLE.rate_on(period.last)
            points = 5 if debtor is CONSUMER else 9
            assert period.rate == max(TABLE.rate_on(period.first) + points, 0)
    if principal.amount and calc.periods:
        assert expected_first == end + timedelta(days=1)
    exact = sum(
        (
            Fraction(p.principal.minor_units) * Fraction(p.rate) * p.days / (365 * 100)
            for p in calc.periods
        ),
        Fraction(0),
    )
    assert calc.amount.minor_units == int(exact + Fraction(1, 2))  # half up, in cents
