"""Instalment plans kept in storage: granted, requested, settled by payments, holding and
resuming dunning, cancelled after missed instalments; journal and outbox with each step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from arrangements_world import (
    Clock,
    account,
    arrangements,
    demanded,
    due,
    open_storage,
    pay,
    store_world,
    topics,
)

from payportal import Money
from payportal.arrangements import InstalmentTerms, PlanState
from payportal.dunning import BlockReason
from payportal.exceptions import AccessDeniedError, ValidationError

AGREED = date(2026, 3, 20)  # the invoices are due on 2026-03-15
FIRST = date(2026, 4, 1)


@pytest.fixture(params=["memory", "sqlite"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_kept_plan_holds_dunning_and_an_overdue_instalment_resumes_it(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [30_000, 5_000])
    clock = Clock(AGREED)
    portal = arrangements(storage, clock)
    plan = portal.grant_instalments("42", "inv-1", count=3, first_due_on=FIRST)
    assert [str(i.amount) for i in plan.instalments] == ["100.00 EUR"] * 3

    # Without the plan both invoices would be reminded on 2026-04-05; with it only RE-2.
    assert due(storage, portal, date(2026, 4, 1)) == ["RE-2"]
    blocks = portal.blocks("42", on=date(2026, 4, 1))
    assert [(b.invoice_id, b.reason) for b in blocks] == [("inv-1", BlockReason.PAYMENT_PLAN)]

    # The first instalment is paid: the plan is kept, dunning stays held, the second is due.
    pay(storage, "RE-1", 10_000, on=FIRST, payment_id="P-1")
    assert due(storage, portal, date(2026, 5, 1)) == ["RE-2"]
    assert portal.amount_due("inv-1", on=date(2026, 5, 1)) == Money("100.00", "EUR")

    # The second instalment (due 2026-05-01) is overdue: the hold is lifted and dunning
    # resumes for the invoice, its first level counted from the missed instalment's date.
    assert portal.blocks("42", on=date(2026, 5, 2)) == ()
    assert portal.due_dates("42") == {"inv-1": date(2026, 5, 1)}
    assert due(storage, portal, date(2026, 5, 7)) == ["RE-2"]
    assert due(storage, portal, date(2026, 5, 8)) == ["RE-2", "RE-1"]  # by due date
    # The reminder demands the missed instalment, not the 200.00 open on the invoice.
    assert demanded(storage, portal, date(2026, 5, 8))["RE-1"] == Money("100.00", "EUR")
    assert account(storage).items["RE-1"].amount_open == Money("200.00", "EUR")
    assert portal.instalment_schedules("42") == {
        "inv-1": tuple((i.due_on, i.amount) for i in plan.instalments)
    }
    progress = portal.progress("inv-1", on=date(2026, 5, 2))
    assert progress is not None
    assert (progress.missed, progress.kept, progress.paid) == (1, False, Money("100.00", "EUR"))


def test_a_payment_settles_the_instalments_in_order(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    portal = arrangements(storage, Clock(AGREED))
    portal.grant_instalments("42", "inv-1", count=3, first_due_on=FIRST, interval_days=14)
    assert portal.amount_due("inv-1", on=FIRST) == Money("33.34", "EUR")
    pay(storage, "RE-1", 5_000, on=FIRST, payment_id="P-1")
    progress = portal.progress("inv-1", on=FIRST)
    assert progress is not None
    assert [str(s.paid) for s in progress.instalments] == ["33.34 EUR", "16.66 EUR", "0.00 EUR"]
    assert portal.amount_due("inv-1", on=FIRST) == Money("16.67", "EUR")
    pay(storage, "RE-1", 5_000, on=FIRST, payment_id="P-2")
    assert portal.amount_due("inv-1", on=FIRST) is None
    assert portal.blocks("42", on=FIRST) == ()


def test_a_fee_is_booked_as_costs_on_the_invoice(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    portal = arrangements(storage, Clock(AGREED))
    before = account(storage)
    plan = portal.grant_instalments(
        "42", "inv-1", count=2, first_due_on=FIRST, fee=Money("5.00", "EUR")
    )
    after = account(storage)
    assert plan.total == Money("105.00", "EUR")
    assert after.balance - before.balance == Money("5.00", "EUR")
    assert after.items["RE-1"].amount_open == Money("105.00", "EUR")
    assert after.ledger[-1].reference == "RE-1/instalment-fee"
    progress = portal.progress("inv-1", on=FIRST)
    assert progress is not None
    assert progress.paid == Money.zero("EUR")


def test_a_customer_asks_within_the_terms(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000, 10_000])
    terms = InstalmentTerms(
        max_instalments=4, minimum_instalment=Money("30.00", "EUR"), fee=Money("2.00", "EUR")
    )
    portal = arrangements(storage, Clock(AGREED), terms)
    with pytest.raises(ValidationError, match="less than the minimum") as error:
        portal.request_instalments("42", "inv-1", count=4, first_due_on=FIRST)
    assert error.value.field == "count"
    assert topics(storage) == []  # a refused request writes nothing
    plan = portal.request_instalments("42", "inv-1", count=3, first_due_on=FIRST)
    assert plan.requested
    assert plan.fee == Money("2.00", "EUR")
    assert [str(i.amount) for i in plan.instalments] == ["34.00 EUR"] * 3
    assert [i.due_on for i in plan.instalments] == [
        FIRST + timedelta(days=30 * n) for n in range(3)
    ]
    with pytest.raises(AccessDeniedError):
        arrangements(storage, Clock(AGREED)).request_instalments(
            "42", "inv-2", count=2, first_due_on=FIRST
        )


def test_what_cannot_have_a_plan(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    store_world(storage, [10_000], customer="43", first=9)
    portal = arrangements(storage, Clock(AGREED))
    with pytest.raises(AccessDeniedError, match="inv-9"):
        portal.grant_instalments("42", "inv-9", count=2, first_due_on=FIRST)
    with pytest.raises(ValidationError, match="names no invoice") as error:
        portal.grant_instalments("42", "inv-404", count=2, first_due_on=FIRST)
    assert error.value.value == "inv-404"
    portal.grant_instalments("42", "inv-1", count=2, first_due_on=FIRST)
    with pytest.raises(ValidationError, match="active instalment plan already"):
        portal.grant_instalments("42", "inv-1", count=3, first_due_on=FIRST)
    pay(storage, "RE-1", 10_000, on=FIRST, payment_id="P-1")
    portal.cancel_plan("inv-1", note="paid in full")
    with pytest.raises(ValidationError, match="nothing open"):
        portal.grant_instalments("42", "inv-1", count=2, first_due_on=FIRST)


def test_a_plan_is_cancelled_after_the_missed_instalments_of_its_rule(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [9_000])
    portal = arrangements(storage, Clock(AGREED))
    portal.grant_instalments("42", "inv-1", count=3, first_due_on=FIRST, cancel_after_missed=2)
    assert portal.cancel_broken_plans("42", on=date(2026, 4, 2)) == ()  # one missed
    [cancelled] = portal.cancel_broken_plans("42", on=date(2026, 5, 2))
    assert cancelled.state is PlanState.CANCELLED
    assert cancelled.note == "2 instalments missed by 2026-05-02"
    plan = portal.plan("inv-1")
    assert plan is not None
    assert plan.state is PlanState.CANCELLED
    assert portal.cancel_broken_plans("42", on=date(2026, 6, 2)) == ()
    assert portal.amount_due("inv-1", on=date(2026, 6, 2)) is None
    # Cancelled, the plan no longer limits dunning: the whole invoice is demanded.
    assert portal.instalment_schedules("42") == {}
    assert demanded(storage, portal, date(2026, 6, 2)) == {"RE-1": Money("90.00", "EUR")}
    assert topics(storage) == ["instalments.granted", "instalments.cancelled"]
    with storage.transaction(read_only=True) as tx:
        [message] = [m for m in tx.outbox() if m.topic == "instalments.cancelled"]
        entries = [e.data for e in tx.journal("42") if e.kind == "arrangement"]
    assert message.payload["by"] == "policy"
    assert message.payload["invoice_number"] == "RE-1"
    assert [e["event"] for e in entries] == ["instalments.granted", "instalments.cancelled"]
    with pytest.raises(ValidationError, match="no active instalment plan"):
        portal.cancel_plan("inv-1", note="again")


def test_granted_plan_is_published_with_its_instalments(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    portal = arrangements(storage, Clock(AGREED))
    portal.grant_instalments("42", "inv-1", count=2, first_due_on=FIRST, note="as agreed by phone")
    with storage.transaction(read_only=True) as tx:
        [message] = tx.outbox()
    assert message.topic == "instalments.granted"
    assert message.payload["by"] == "merchant"
    assert message.payload["note"] == "as agreed by phone"
    assert message.payload["instalments"] == [
        {"number": 1, "due_on": "2026-04-01", "amount": "50.00"},
        {"number": 2, "due_on": "2026-05-01", "amount": "50.00"},
    ]
