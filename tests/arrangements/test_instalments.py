"""Instalment plans: the exact split, settling in order, and the plan's limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.arrangements import (
    Instalment,
    InstalmentPlan,
    InstalmentTerms,
    PlanState,
    split_instalments,
)
from payportal.dunning import BlockReason
from payportal.exceptions import CurrencyMismatchError, ValidationError

FIRST = date(2026, 5, 1)
currencies = st.sampled_from(["EUR", "JPY", "KWD"])


def plan_of(total: Money, count: int, *, fee_units: int = 0, grace_days: int = 0) -> InstalmentPlan:
    fee = Money.from_minor(fee_units, total.currency)
    return InstalmentPlan(
        customer_id="42",
        invoice_id="inv-1",
        invoice_number="RE-1",
        amount=total,
        fee=fee,
        instalments=split_instalments(total + fee, count, first_due_on=FIRST),
        agreed_on=date(2026, 4, 20),
        grace_days=grace_days,
    )


@st.composite
def totals_and_counts(draw: st.DrawFn) -> tuple[Money, int]:
    currency = draw(currencies)
    units = draw(st.integers(min_value=1, max_value=10**9))
    count = draw(st.integers(min_value=1, max_value=min(units, 48)))
    return Money.from_minor(units, currency), count


@given(totals_and_counts(), st.integers(min_value=1, max_value=92))
def test_instalments_sum_exactly(drawn: tuple[Money, int], interval: int) -> None:
    total, count = drawn
    instalments = split_instalments(total, count, first_due_on=FIRST, interval_days=interval)
    assert sum((i.amount for i in instalments), Money.zero(total.currency)) == total
    assert len(instalments) == count
    units = [i.amount.minor_units for i in instalments]
    assert max(units) - min(units) <= 1
    assert units == sorted(units, reverse=True)  # the units left over go to the first ones
    assert [i.number for i in instalments] == list(range(1, count + 1))
    assert [i.due_on for i in instalments] == [
        FIRST + timedelta(days=n * interval) for n in range(count)
    ]


@given(totals_and_counts(), st.integers(min_value=0, max_value=10**10), st.integers(0, 400))
def test_payment_settles_instalments_in_order_and_conserves_money(
    drawn: tuple[Money, int], paid_units: int, days: int
) -> None:
    total, count = drawn
    plan = plan_of(total, count)
    paid = Money.from_minor(paid_units, total.currency)
    progress = plan.progress(paid, on=FIRST + timedelta(days=days))
    statuses = progress.instalments
    # Money conserved: what the instalments took is what was paid, up to the total.
    taken = sum((s.paid for s in statuses), Money.zero(total.currency))
    assert taken == progress.paid == min(paid, total)
    assert progress.open == total - taken
    for status in statuses:
        assert status.paid + status.open == status.instalment.amount
    # In order: every instalment before the due one is paid in full, none after it is touched.
    due = progress.due
    if due is None:
        assert progress.complete
        assert all(not s.open for s in statuses)
    else:
        index = due.instalment.number - 1
        assert all(not s.open for s in statuses[:index])
        assert all(not s.paid for s in statuses[index + 1 :])
        assert due.open


@given(totals_and_counts(), st.integers(min_value=0, max_value=10**10), st.integers(0, 400))
def test_plan_is_kept_exactly_when_nothing_is_missed(
    drawn: tuple[Money, int], paid_units: int, days: int
) -> None:
    total, count = drawn
    plan = plan_of(total, count)
    on = FIRST + timedelta(days=days)
    paid = Money.from_minor(paid_units, total.currency)
    progress = plan.progress(paid, on=on)
    missed = [s for s in progress.instalments if s.open and on > s.instalment.due_on]
    assert progress.missed == len(missed)
    assert progress.kept == (not missed and not progress.complete)
    block = plan.block(paid, on=on)
    assert (block is not None) == progress.kept


def test_progress_names_the_due_instalment() -> None:
    plan = plan_of(Money("100.00", "EUR"), 3)
    progress = plan.progress(Money("40.00", "EUR"), on=FIRST)
    assert [str(s.open) for s in progress.instalments] == ["0.00 EUR", "26.67 EUR", "33.33 EUR"]
    assert progress.due is not None
    assert progress.due.instalment.number == 2
    assert progress.kept
    block = plan.block(Money("40.00", "EUR"), on=FIRST)
    assert block is not None
    assert (block.reason, block.invoice_id, block.until) == (
        BlockReason.PAYMENT_PLAN,
        "inv-1",
        None,
    )


def test_instalment_is_missed_after_its_grace_days() -> None:
    plan = plan_of(Money("90.00", "EUR"), 3, grace_days=5)
    nothing = Money.zero("EUR")
    assert plan.progress(nothing, on=FIRST + timedelta(days=1)).instalments[0].overdue
    assert plan.progress(nothing, on=FIRST + timedelta(days=5)).kept
    late = plan.progress(nothing, on=FIRST + timedelta(days=6))
    assert (late.missed, late.kept) == (1, False)
    assert plan.block(nothing, on=FIRST + timedelta(days=6)) is None


def test_plan_breaks_after_the_missed_instalments_of_its_rule() -> None:
    plan = plan_of(Money("90.00", "EUR"), 3)  # cancel_after_missed=2
    nothing = Money.zero("EUR")
    assert not plan.progress(nothing, on=FIRST + timedelta(days=1)).broken
    assert plan.progress(nothing, on=FIRST + timedelta(days=31)).broken
    cancelled = plan.cancel("two instalments missed")
    assert cancelled.state is PlanState.CANCELLED
    assert not cancelled.progress(nothing, on=FIRST).kept
    assert not cancelled.progress(nothing, on=FIRST + timedelta(days=31)).broken
    with pytest.raises(ValidationError, match="cancelled already"):
        cancelled.cancel("again")
    with pytest.raises(ValidationError) as error:
        plan.cancel("  ")
    assert error.value.field == "note"


def test_a_fee_is_split_with_the_amount() -> None:
    plan = plan_of(Money("100.00", "EUR"), 2, fee_units=500)
    assert plan.total == Money("105.00", "EUR")
    assert [str(i.amount) for i in plan.instalments] == ["52.50 EUR", "52.50 EUR"]
    assert plan.paid_when_open(Money("105.00", "EUR")) == Money("0.00", "EUR")
    assert plan.paid_when_open(Money("50.00", "EUR")) == Money("55.00", "EUR")
    assert plan.paid_when_open(Money("200.00", "EUR")) == Money("0.00", "EUR")


def test_instalments_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"add up to the plan's amount plus fee, 100\.00 EUR"):
        InstalmentPlan(
            customer_id="42",
            invoice_id="inv-1",
            invoice_number="RE-1",
            amount=Money("100.00", "EUR"),
            fee=Money("0.00", "EUR"),
            instalments=[
                Instalment(number=1, due_on=FIRST, amount=Money("50.00", "EUR")),
                Instalment(number=2, due_on=FIRST + timedelta(1), amount=Money("49.99", "EUR")),
            ],
            agreed_on=FIRST,
        )


@pytest.mark.parametrize(
    ("instalments", "field"),
    [
        ([], "instalments"),
        (
            [Instalment(number=2, due_on=FIRST, amount=Money("10.00", "EUR"))],
            "instalments[0].number",
        ),
        (
            [
                Instalment(number=1, due_on=FIRST, amount=Money("5.00", "EUR")),
                Instalment(number=2, due_on=FIRST, amount=Money("5.00", "EUR")),
            ],
            "instalments[1].due_on",
        ),
        (
            [Instalment(number=1, due_on=FIRST, amount=Money("10.00", "USD"))],
            "instalments[0].amount",
        ),
    ],
)
def test_plan_fields_are_checked(instalments: list[Instalment], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        InstalmentPlan(
            customer_id="42",
            invoice_id="inv-1",
            invoice_number="RE-1",
            amount=Money("10.00", "EUR"),
            fee=Money("0.00", "EUR"),
            instalments=instalments,
            agreed_on=FIRST,
        )
    assert error.value.field == field


@pytest.mark.parametrize(
    ("total", "count", "field"),
    [
        (Money("0.00", "EUR"), 2, "total"),
        (Money("0.02", "EUR"), 3, "count"),
        (Money("10.00", "EUR"), 0, "count"),
        (Money("10.00", "EUR"), True, "count"),
    ],
)
def test_split_refuses_what_cannot_be_split(total: Money, count: int, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        split_instalments(total, count, first_due_on=FIRST)
    assert error.value.field == field


def test_progress_refuses_another_currency_and_negative_payments() -> None:
    plan = plan_of(Money("10.00", "EUR"), 2)
    with pytest.raises(CurrencyMismatchError):
        plan.progress(Money("1.00", "USD"), on=FIRST)
    with pytest.raises(ValidationError) as error:
        plan.progress(Money("-1.00", "EUR"), on=FIRST)
    assert error.value.field == "paid"


TODAY = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("count", "first", "field", "message"),
    [
        (7, TODAY, "count", "at most 6 instalments"),
        (5, TODAY, "count", "less than the minimum of 25.00 EUR"),
        (2, TODAY - timedelta(days=1), "first_due_on", "today or later"),
        (2, TODAY + timedelta(days=31), "first_due_on", "within 30 days"),
    ],
)
def test_terms_limit_what_a_customer_may_ask_for(
    count: int, first: date, field: str, message: str
) -> None:
    terms = InstalmentTerms(minimum_instalment=Money("25.00", "EUR"), fee=Money("5.00", "EUR"))
    terms.check(Money("95.00", "EUR"), 4, first_due_on=TODAY, on=TODAY)  # 4 x 25.00 with fee
    with pytest.raises(ValidationError, match=message) as error:
        terms.check(Money("95.00", "EUR"), count, first_due_on=first, on=TODAY)
    assert error.value.field == field


def test_terms_in_another_currency_are_refused() -> None:
    terms = InstalmentTerms(fee=Money("5.00", "USD"))
    with pytest.raises(CurrencyMismatchError, match=r"5\.00 USD"):
        terms.fee_in("EUR")
    assert InstalmentTerms().fee_in("EUR") == Money.zero("EUR")
    with pytest.raises(ValidationError) as error:
        InstalmentTerms(max_instalments=0)
    assert error.value.field == "max_instalments"
