"""The customer's account statement: running balance, closing balance, ageing, CSV."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.accounts import (
    AgeingBucket,
    Component,
    ComponentKind,
    CustomerAccount,
    EntryKind,
    OpenItem,
    ageing,
    customer_statement,
    statement_to_csv,
)
from payportal.allocation import OverpaymentPolicy, Strategy
from payportal.exceptions import PayportalError, ValidationError
from payportal.i18n import translator_for
from payportal.testing.strategies import money, open_items

D0 = date(2026, 3, 1)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


@st.composite
def histories(draw: st.DrawFn) -> CustomerAccount:
    """An account built from nothing by a random history: documents added, payments with
    every overpayment policy, whole and partial reversals, credit spent, fees waived."""
    account = CustomerAccount(customer_id="42", currency="EUR")
    days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
    operations = draw(
        st.lists(st.sampled_from(["add", "pay", "reverse", "credit", "waive"]), max_size=14)
    )
    for index, operation in enumerate(operations):
        # Refusals (a reversal whose credit was spent) leave the account as it was.
        with contextlib.suppress(PayportalError):
            if operation == "add":
                item = draw(open_items(currency="EUR", key=f"RE-{index}"))
                account = account.add(item, on=draw(days))
            elif operation == "pay":
                result = account.allocate(
                    draw(money(currency="EUR", min_value=1, max_value=6_000)),
                    strategy=draw(st.sampled_from([Strategy.OLDEST_FIRST, Strategy.PROPORTIONAL])),
                    paid_on=draw(days),
                    overpayment=draw(st.sampled_from(OverpaymentPolicy)),
                    payment_id=f"P-{index}",
                )
                account = account.apply(result)
            elif operation == "reverse" and account.allocations:
                pid = draw(st.sampled_from(sorted(account.allocations)))
                whole = account.allocations[pid].payment
                part = draw(st.one_of(st.none(), money(currency="EUR", min_value=0, max_value=1)))
                amount = None if part is None or not part or part > whole else part
                account = account.reverse(pid, amount, on=draw(days))
            elif operation == "credit":
                account = account.use_credit(
                    strategy=Strategy.OLDEST_FIRST, on=draw(days), payment_id=f"C-{index}"
                )
            elif operation == "waive":
                costly = [k for k, i in account.items.items() if i.units[0]]
                if costly:
                    key = draw(st.sampled_from(costly))
                    account = account.waive(key, reason="goodwill", on=draw(days))
    return account


@given(histories(), st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 3, 31)))
def test_closing_balance_is_the_accounts_state(account: CustomerAccount, on: date) -> None:
    statement = customer_statement(account, on=on)
    # Built from nothing: the ledger explains the whole balance.
    assert statement.opening == Money.zero("EUR")
    assert statement.closing == account.balance
    assert statement.closing == statement.ageing.total - statement.credit_balance
    running = statement.opening
    for line in statement.lines:
        running += line.entry.amount
        assert line.balance == running
    assert running == statement.closing


@given(histories(), st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_consecutive_periods_join_without_a_gap(account: CustomerAccount, day: date) -> None:
    before = customer_statement(account, end=day)
    after = customer_statement(account, start=day + timedelta(days=1), on=day)
    assert before.closing == after.opening
    assert after.closing == account.balance
    assert len(before.lines) + len(after.lines) == len(account.ledger)


@given(histories(), st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 3, 31)))
def test_ageing_buckets_add_up_to_what_is_open(account: CustomerAccount, on: date) -> None:
    aged = ageing(account, on)
    assert list(aged.totals) == list(AgeingBucket)
    assert sum(aged.totals.values(), Money.zero("EUR")) == aged.total == account.open_total
    for item in aged.items:
        assert item.bucket is AgeingBucket.of(item.days_overdue)
        assert item.days_overdue == max((on - item.due_on).days, 0)
    assert [i.due_on for i in aged.items] == sorted(i.due_on for i in aged.items)


def test_statement_of_a_period_lists_documents_payments_reversals_and_waivers() -> None:
    reminder = OpenItem(
        key="MA-1",
        components=[Component(ComponentKind.COSTS, eur("5.00"))],
        due_on=D0 + timedelta(days=20),
        reminds=["RE-1"],
    )
    account = CustomerAccount(customer_id="42", currency="EUR")
    account = account.add(OpenItem.simple("RE-0", eur("30.00"), due=D0 - timedelta(days=40)))
    account = account.add(OpenItem.simple("RE-1", eur("100.00"), due=D0))
    account = account.add(reminder, on=D0 + timedelta(days=10))
    result = account.allocate(
        eur("60.00"),
        strategy=Strategy.OLDEST_FIRST,
        paid_on=D0 + timedelta(days=12),
        payment_id="P-1",
    )
    account = account.apply(result)
    account = account.reverse("P-1", eur("10.00"), on=D0 + timedelta(days=14))
    account = account.waive("MA-1", reason="goodwill", on=D0 + timedelta(days=15))
    statement = customer_statement(account, start=D0, end=D0 + timedelta(days=30))
    assert statement.opening == eur("30.00")
    assert [(x.entry.kind, x.entry.reference, x.balance) for x in statement.lines] == [
        (EntryKind.ITEM, "RE-1", eur("130.00")),
        (EntryKind.ITEM, "MA-1", eur("135.00")),
        (EntryKind.PAYMENT, "P-1", eur("75.00")),
        (EntryKind.REVERSAL, "P-1", eur("85.00")),
        (EntryKind.WAIVER, "MA-1", eur("80.00")),
    ]
    assert statement.closing == account.balance == eur("80.00")
    aged = statement.ageing
    assert aged.on == D0 + timedelta(days=30)
    assert [(i.key, i.days_overdue, i.bucket) for i in aged.items] == [
        ("RE-1", 30, AgeingBucket.DAYS_1_30)
    ]
    assert aged.totals[AgeingBucket.DAYS_1_30] == eur("80.00")
    assert aged.totals[AgeingBucket.OVER_90] == eur("0.00")


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, AgeingBucket.NOT_DUE),
        (0, AgeingBucket.NOT_DUE),
        (1, AgeingBucket.DAYS_1_30),
        (30, AgeingBucket.DAYS_1_30),
        (31, AgeingBucket.DAYS_31_60),
        (60, AgeingBucket.DAYS_31_60),
        (61, AgeingBucket.DAYS_61_90),
        (90, AgeingBucket.DAYS_61_90),
        (91, AgeingBucket.OVER_90),
    ],
)
def test_bucket_edges(days: int, bucket: AgeingBucket) -> None:
    item = OpenItem.simple("RE-1", eur("1.00"), due=D0)
    account = CustomerAccount(customer_id="42", currency="EUR", items=[item])
    assert ageing(account, D0 + timedelta(days=days)).items[0].bucket is bucket


def _account() -> CustomerAccount:
    account = CustomerAccount(customer_id="42", currency="EUR").add(
        OpenItem.simple("RE-1", eur("1234.50"), due=D0)
    )
    result = account.allocate(
        eur("34.50"), strategy=Strategy.OLDEST_FIRST, paid_on=D0, payment_id="P-1"
    )
    return account.apply(result)


@pytest.mark.parametrize(
    ("locale", "delimiter", "heading", "payment", "bucket"),
    [
        ("en", ",", "Balance", "Payment received", "31–60 days"),
        ("de_DE", ";", "Saldo", "Zahlungseingang", "31–60 Tage"),
        ("fr_FR", ";", "Solde", "Paiement reçu", "31 à 60 jours"),
    ],
)
def test_csv_is_in_the_customers_language(
    locale: str, delimiter: str, heading: str, payment: str, bucket: str
) -> None:
    statement = customer_statement(_account(), end=D0 + timedelta(days=40))
    text = statement_to_csv(statement, translator_for(locale))
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0][4] == heading
    sign = "," if delimiter == ";" else "."
    assert rows[1][4] == f"0{sign}00"
    assert rows[3][1:4] == [payment, "P-1", f"-34{sign}50"]
    assert rows[4][4] == f"1200{sign}00"  # closing, no grouping
    item_row = rows[7]
    assert item_row[1:] == ["RE-1", "40", f"1200{sign}00", bucket]
    assert rows[-1][3] == f"1200{sign}00"


def test_statement_refuses_what_it_cannot_use() -> None:
    account = _account()
    with pytest.raises(ValidationError) as caught:
        customer_statement(account, start=D0, end=D0 - timedelta(days=1))
    assert caught.value.field == "start"
    with pytest.raises(ValidationError) as caught:
        customer_statement(account)
    assert caught.value.field == "on"
    with pytest.raises(ValidationError) as caught:
        customer_statement("42", end=D0)  # type: ignore[arg-type]
    assert caught.value.field == "account"
    with pytest.raises(ValidationError) as caught:
        ageing(account, "2026-03-01")  # type: ignore[arg-type]
    assert caught.value.field == "on"
    statement = customer_statement(account, end=D0)
    with pytest.raises(ValidationError) as caught:
        statement_to_csv(statement, "de")  # type: ignore[arg-type]
    assert caught.value.field == "texts"


def test_csv_keeps_references_from_becoming_spreadsheet_formulas() -> None:
    account = CustomerAccount(customer_id="42", currency="EUR").add(
        OpenItem.simple("=HYPERLINK(1)", eur("5.00"), due=D0)
    )
    text = statement_to_csv(customer_statement(account, end=D0), translator_for("en"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][2] == "'=HYPERLINK(1)"
    assert rows[2][3] == "5.00"
    assert "'=HYPERLINK(1)" in [row[1] for row in rows if len(row) > 1]
