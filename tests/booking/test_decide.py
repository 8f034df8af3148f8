"""The pure booking decision: allocation, documents, journal, outbox, reversals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import pytest
from booking_world import T0, event, intent, reminded_world, world
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.allocation import OverpaymentPolicy, Strategy
from payportal.booking import (
    BookingDecision,
    CreditNotePolicy,
    EventKind,
    IntentStatus,
    Purpose,
    decide,
    decide_credit_note,
    reject,
    release,
)
from payportal.documents import (
    CreditNote,
    Invoice,
    LineItem,
    PaymentState,
)
from payportal.exceptions import (
    AllocationError,
    CurrencyMismatchError,
    InvalidTransitionError,
    ValidationError,
)

if TYPE_CHECKING:
    from payportal.accounts import CustomerAccount

EUR = "EUR"


def m(cents: int) -> Money:
    return Money.from_minor(cents, EUR)


def states(decision: BookingDecision) -> dict[str, tuple[PaymentState, Money]]:
    return {d.number: (d.state, d.paid) for d in decision.documents}


# -- captures --------------------------------------------------------------------------------


def test_documents_purpose_books_only_the_chosen_documents_and_keeps_the_rest_as_credit() -> None:
    account, docs = world([5000, 3000, 2000])
    chosen = intent(Purpose.DOCUMENTS, 9000, keys=("RE-3", "RE-2"))
    decision = decide(account, docs, chosen, event(EventKind.CAPTURED, 9000, "cap-1"))
    assert states(decision) == {
        "RE-3": (PaymentState.PAID, m(2000)),
        "RE-2": (PaymentState.PAID, m(3000)),
    }
    assert decision.account.items["RE-1"].open_units == 5000
    assert decision.account.credit_balance == m(4000)
    (record,) = decision.journal
    assert [(s.item, s.subject, s.amount) for s in record.documents] == [
        ("RE-3", "invoice:inv-3", m(2000)),
        ("RE-2", "invoice:inv-2", m(3000)),
    ]
    assert record.credit == m(4000)
    assert [o.topic for o in decision.outbox] == [
        "payment.booked",
        "invoice.paid",
        "invoice.paid",
        "credit.created",
    ]


def test_a_document_gets_only_its_allocated_share_not_its_whole_total() -> None:
    # The demo marked every reminded invoice fully paid whatever was allocated.
    account, docs = world([5000, 3000])
    decision = decide(account, docs, intent(), event(EventKind.CAPTURED, 6000, "cap-1"))
    assert states(decision) == {
        "RE-1": (PaymentState.PAID, m(5000)),
        "RE-2": (PaymentState.PARTIALLY_PAID, m(1000)),
    }
    (outbox_doc,) = [o for o in decision.outbox if o.topic == "invoice.partially_paid"]
    assert outbox_doc.payload["due"] == "20.00"


def test_statutory_strategy_reaches_the_intent() -> None:
    account, docs = world([5000, 3000])
    chosen = intent(strategy=Strategy.PROPORTIONAL)
    decision = decide(account, docs, chosen, event(EventKind.CAPTURED, 4000, "cap-1"))
    assert states(decision) == {
        "RE-1": (PaymentState.PARTIALLY_PAID, m(2500)),
        "RE-2": (PaymentState.PARTIALLY_PAID, m(1500)),
    }


def test_overpayment_to_prepaid_and_to_refund() -> None:
    account, docs = world([1000])
    prepaid = decide(
        account,
        docs,
        intent(overpayment=OverpaymentPolicy.PREPAID),
        event(EventKind.CAPTURED, 1500, "c"),
    )
    assert prepaid.account.prepaid.balance == m(500)
    assert prepaid.journal[0].prepaid == m(500)
    refund = decide(
        account,
        docs,
        intent(overpayment=OverpaymentPolicy.REFUND),
        event(EventKind.CAPTURED, 1500, "c"),
    )
    assert refund.journal[0].refund_due == m(500)
    assert "refund.due" in [o.topic for o in refund.outbox]


def test_a_repeated_cumulative_total_books_nothing_and_a_higher_one_books_the_difference() -> None:
    account, docs = world([10_000])
    first = decide(
        account, docs, intent(), event(EventKind.PARTIALLY_CAPTURED, None, "a", captured_total=4000)
    )
    assert first.booked == m(4000)
    again = decide(
        first.account, docs, first.intent, event(EventKind.CAPTURED, None, "b", captured_total=4000)
    )  # type: ignore[arg-type]
    assert again.booked == m(0)
    assert not again.changed
    more = decide(
        first.account,
        docs,
        first.intent,
        event(EventKind.CAPTURED, None, "c", captured_total=10_000),
    )  # type: ignore[arg-type]
    assert more.booked == m(6000)
    assert more.intent is not None
    assert more.intent.bookings == ("pi-1", "pi-1/2")
    assert more.account.open_total == m(0)


def test_authorised_and_failed_change_only_the_intent_and_never_undo_a_capture() -> None:
    account, docs = world([1000])
    authorised = decide(account, docs, intent(), event(EventKind.AUTHORISED, None, "auth"))
    assert authorised.intent is not None
    assert authorised.intent.status is IntentStatus.AUTHORISED
    assert authorised.account is account
    assert [o.topic for o in authorised.outbox] == ["payment.authorised"]
    booked = decide(account, docs, authorised.intent, event(EventKind.CAPTURED, 1000, "c"))
    assert booked.intent is not None
    late = decide(booked.account, docs, booked.intent, event(EventKind.FAILED, None, "f"))
    assert late.intent is booked.intent
    assert not late.changed


# -- top-ups ----------------------------------------------------------------------------------


def test_an_online_top_up_is_credited_at_once() -> None:
    account, _ = world([])
    decision = decide(
        account, [], intent(Purpose.TOP_UP, method="card"), event(EventKind.CAPTURED, 2500, "c")
    )
    assert decision.account.prepaid.balance == m(2500)
    assert [o.topic for o in decision.outbox] == ["payment.booked", "top_up.credited"]


def test_a_bank_transfer_top_up_waits_for_release_or_rejection() -> None:
    account, _ = world([])
    chosen = intent(Purpose.TOP_UP, method="bank_transfer")
    pending = decide(account, [], chosen, event(EventKind.CAPTURED, 2500, "bank:1"))
    assert pending.account.prepaid.balance == m(0)
    assert pending.account.prepaid.pending_amount == m(2500)
    assert pending.intent is not None
    assert pending.intent.status is IntentStatus.PENDING
    assert "top_up.pending" in [o.topic for o in pending.outbox]

    released = release(pending.account, pending.intent, at=T0 + timedelta(days=1))
    assert released.account.prepaid.balance == m(2500)
    assert released.account.prepaid.pending_amount == m(0)
    assert released.journal[0].amount == m(0)
    assert released.journal[0].placed == m(0)
    with pytest.raises(InvalidTransitionError, match="no pending top-up"):
        release(released.account, pending.intent, at=T0)

    rejected = reject(pending.account, pending.intent, at=T0 + timedelta(days=1))
    assert rejected.account.prepaid == account.prepaid
    assert rejected.intent is not None
    assert rejected.intent.status is IntentStatus.REJECTED
    assert rejected.journal[0].amount == m(-2500) == rejected.journal[0].placed


def test_refunding_a_spent_top_up_is_refused() -> None:
    account, _ = world([])
    booked = decide(
        account, [], intent(Purpose.TOP_UP, method="card"), event(EventKind.CAPTURED, 2500, "c")
    )
    assert booked.intent is not None
    spent = attrs.evolve(booked.account, prepaid=booked.account.prepaid.charge(m(2000)))
    with pytest.raises(Exception, match="prepaid balance is only"):
        decide(spent, [], booked.intent, event(EventKind.REFUNDED, 2500, "r"))
    partly = decide(spent, [], booked.intent, event(EventKind.PARTIALLY_REFUNDED, 500, "r"))
    assert partly.account.prepaid.balance == m(0)


# -- take-backs -------------------------------------------------------------------------------


def test_a_partial_refund_reopens_the_last_paid_document_first() -> None:
    account, docs = world([5000, 3000])
    booked = decide(account, docs, intent(), event(EventKind.CAPTURED, 8000, "c"))
    assert booked.intent is not None
    refund = decide(
        booked.account,
        [*booked.documents],
        booked.intent,
        event(EventKind.PARTIALLY_REFUNDED, 1000, "r"),
    )
    assert states(refund) == {"RE-2": (PaymentState.PARTIALLY_PAID, m(2000))}
    assert refund.booked == m(-1000)
    assert refund.journal[0].kind == "refund_booked"
    assert refund.journal[0].documents[0].amount == m(-1000)


def test_a_chargeback_without_amount_takes_back_everything_that_stands() -> None:
    account, docs = world([5000])
    booked = decide(account, docs, intent(), event(EventKind.CAPTURED, 6000, "c"))
    assert booked.intent is not None
    back = decide(
        booked.account, [*booked.documents], booked.intent, event(EventKind.CHARGEBACK, None, "cb")
    )
    assert back.booked == m(-6000)
    assert back.account.items == account.items
    assert back.account.credit_balance == m(0)
    assert states(back) == {"RE-1": (PaymentState.OPEN, m(0))}
    assert back.intent is not None
    assert back.intent.status is IntentStatus.REVERSED
    assert back.journal[0].kind == "chargeback_booked"


def test_taking_back_more_than_stands_is_refused() -> None:
    account, docs = world([5000])
    booked = decide(account, docs, intent(), event(EventKind.CAPTURED, 5000, "c"))
    assert booked.intent is not None
    with pytest.raises(AllocationError, match=r"only 50\.00 EUR"):
        decide(booked.account, docs, booked.intent, event(EventKind.REFUNDED, 6000, "r"))


def test_taking_back_credit_the_customer_spent_is_refused() -> None:
    account, docs = world([5000])
    booked = decide(account, docs, intent(), event(EventKind.CAPTURED, 7000, "c"))
    assert booked.intent is not None
    more, _ = world([2000, 2000])
    spent = booked.account.add(more.items["RE-2"]).use_credit(
        strategy=Strategy.OLDEST_FIRST, on=T0.date(), payment_id="credit-1"
    )
    with pytest.raises(AllocationError, match="spent"):
        decide(spent, docs, booked.intent, event(EventKind.REFUNDED, 7000, "r"))


# -- credit notes -----------------------------------------------------------------------------


def credit_note(cents: int, invoice_id: str | None = "inv-1") -> CreditNote:
    return CreditNote(
        id="cn-1",
        number="GS-1",
        customer_id="42",
        issued_on=T0.date(),
        invoice_id=invoice_id,
        lines=[LineItem(title="Correction", quantity=1, unit_price=m(cents), tax_rate=Decimal(19))],
    )


@pytest.mark.parametrize(
    ("policy", "open_after", "credit", "refund"),
    [
        (CreditNotePolicy.OFFSET, 0, 680, 0),
        (CreditNotePolicy.CREDIT_BALANCE, 1000, 1680, 0),
        (CreditNotePolicy.REFUND, 1000, 0, 1680),
    ],
)
def test_a_credit_note_offsets_its_invoice_or_becomes_credit_or_a_refund(
    policy: CreditNotePolicy, open_after: int, credit: int, refund: int
) -> None:
    account, docs = world([1000])
    note = credit_note(1412)  # 14.12 net + 19 % = 16.80 gross
    decision = decide_credit_note(account, docs, note, policy, at=T0)
    assert decision.account.open_total == m(open_after)
    assert decision.account.credit_balance == m(credit)
    assert decision.journal[0].refund_due == m(refund)
    assert decision.journal[0].amount == m(1680) == decision.journal[0].placed
    if policy is CreditNotePolicy.OFFSET:
        assert states(decision) == {"RE-1": (PaymentState.PAID, m(1000))}
    with pytest.raises(AllocationError, match="already applied"):
        decide_credit_note(decision.account, docs, note, policy, at=T0)


# -- refusals ---------------------------------------------------------------------------------


def test_inputs_that_do_not_belong_together_are_refused() -> None:
    account, docs = world([1000])
    with pytest.raises(ValidationError, match="belongs to customer"):
        decide(account, docs, intent(customer="7"), event(EventKind.CAPTURED, 1000, "c"))
    usd = attrs.evolve(event(EventKind.CAPTURED, 1000, "c"), amount=Money("10.00", "USD"))
    with pytest.raises(CurrencyMismatchError, match="USD"):
        decide(account, docs, intent(), usd)
    with pytest.raises(ValidationError, match="at least one open item"):
        intent(Purpose.DOCUMENTS)
    with pytest.raises(ValidationError, match="must be given for a capture"):
        event(EventKind.CAPTURED, None, "c")


# -- properties -------------------------------------------------------------------------------

item_cents = st.lists(st.integers(1, 20_000), min_size=0, max_size=5)
policies = st.sampled_from(list(OverpaymentPolicy))
strategies = st.sampled_from([Strategy.OLDEST_FIRST, Strategy.PROPORTIONAL, Strategy.STATUTORY_DE])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[CustomerAccount, list[Invoice], object, object]:
    cents = draw(item_cents)
    account, docs = world(cents)
    purpose = draw(st.sampled_from(list(Purpose)))
    keys: tuple[str, ...] = ()
    if purpose is Purpose.DOCUMENTS:
        if not cents:
            purpose = Purpose.AMOUNT
        else:
            keys = tuple(
                draw(st.lists(st.sampled_from([d.number for d in docs]), min_size=1, unique=True))
            )
    chosen = intent(
        purpose,
        keys=keys,
        strategy=draw(strategies),
        overpayment=draw(policies),
        method=draw(st.sampled_from(["paypal", "card", "bank_transfer", "payengine"])),
    )
    paid = event(EventKind.CAPTURED, draw(st.integers(1, 60_000)), "c")
    return account, docs, chosen, paid


def _money_held(account: CustomerAccount) -> Money:
    """What the merchant holds for the customer besides settled items."""
    refunds = sum((r.amount for r in account.refunds_due), Money.zero(EUR))
    return (
        account.credit_balance + account.prepaid.balance + account.prepaid.pending_amount + refunds
    )


@given(scenarios())
def test_every_decision_conserves_money(scenario: tuple) -> None:
    account, docs, chosen, paid = scenario
    decision = decide(account, docs, chosen, paid)
    (record,) = decision.journal
    assert record.amount == paid.amount == decision.booked
    assert record.placed == record.amount
    # The same from the accounts themselves: what left the open items without a discount
    # or write-off, plus what the merchant now holds for the customer, is the payment.
    settled = account.open_total - decision.account.open_total
    assert (
        settled
        - record.discounts
        - record.write_offs
        + (_money_held(decision.account) - _money_held(account))
        == paid.amount
    )
    # The documents received exactly the shares.
    before = {d.number: d.paid for d in docs}
    for doc in decision.documents:
        share = sum((s.amount for s in record.documents if s.item == doc.number), m(0))
        assert doc.paid - before[doc.number] == share


@given(scenarios(), st.data())
def test_a_reversal_restores_the_state_before_the_payment(
    scenario: tuple, data: st.DataObject
) -> None:
    account, docs, chosen, paid = scenario
    booked = decide(account, docs, chosen, paid)
    kind = data.draw(
        st.sampled_from([EventKind.REFUNDED, EventKind.CHARGEBACK, EventKind.REVERSED])
    )
    documents = {d.number: d for d in docs} | {d.number: d for d in booked.documents}
    back = decide(booked.account, documents.values(), booked.intent, event(kind, None, "back"))  # type: ignore[arg-type]
    assert back.booked == -paid.amount
    assert back.journal[0].placed == back.journal[0].amount
    restored = {**documents, **{d.number: d for d in back.documents}}
    assert back.account.items == account.items
    assert back.account.credit_balance == account.credit_balance
    assert back.account.prepaid.balance == account.prepaid.balance
    assert back.account.prepaid.pending_amount == account.prepaid.pending_amount
    assert back.account.refunds_due == account.refunds_due
    assert {n: (d.state, d.paid) for n, d in restored.items()} == {
        d.number: (d.state, d.paid) for d in docs
    }


@given(scenarios(), st.integers(1, 60_000))
def test_nothing_is_open_twice_and_each_document_agrees_with_its_item(
    scenario: tuple, second: int
) -> None:
    account, docs, chosen, paid = scenario
    first = decide(account, docs, chosen, paid)
    documents = {d.number: d for d in docs} | {d.number: d for d in first.documents}
    then = decide(
        first.account,
        documents.values(),
        first.intent,  # type: ignore[arg-type]
        event(EventKind.CAPTURED, None, "c2", captured_total=paid.amount.minor_units + second),
    )
    documents |= {d.number: d for d in then.documents}
    for number, doc in documents.items():
        item = then.account.items[number]
        assert item.open_units >= 0
        # What is paid plus what is still open never exceeds the invoice: no euro is
        # owed twice, and a document is PAID exactly when its item has nothing open.
        assert doc.paid.minor_units + item.open_units <= doc.total.minor_units
        assert (doc.state is PaymentState.PAID) == (item.open_units == 0)


# -- reminders ------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["demand", "legacy-item"])
def test_money_on_a_reminder_reaches_the_invoices_it_reminds_of_only_as_far_as_it_goes(
    legacy: bool,
) -> None:
    account, docs = reminded_world(legacy=legacy)
    paying = intent(Purpose.DOCUMENTS, 7000, keys=("MA-1",))
    first = decide(account, docs, paying, event(EventKind.CAPTURED, 7000, "c1"))
    # Costs first (the fee), then principal: 65.00 of principal, the first invoice in full.
    # Whether the reminder's item or the invoices' items hold the principal, the
    # documents end up the same.
    assert states(first) == {
        "MA-1": (PaymentState.PARTIALLY_PAID, m(7000)),
        "RE-1": (PaymentState.PAID, m(6000)),
        "RE-2": (PaymentState.PARTIALLY_PAID, m(500)),
    }
    assert first.intent is not None
    documents = {d.number: d for d in docs} | {d.number: d for d in first.documents}
    back = decide(
        first.account,
        documents.values(),
        first.intent,
        event(EventKind.PARTIALLY_REFUNDED, 1000, "r1"),
    )
    assert states(back) == {
        "MA-1": (PaymentState.PARTIALLY_PAID, m(6000)),
        "RE-2": (PaymentState.OPEN, m(0)),
        "RE-1": (PaymentState.PARTIALLY_PAID, m(5500)),
    }
