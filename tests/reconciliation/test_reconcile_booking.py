"""reconciliation.book_approved: approved statement matches booked through payportal.booking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.booking import (
    EventKind,
    IntentStatus,
    PaymentEvent,
    PaymentIntent,
    Purpose,
    book,
    journal,
    load_intent,
    review_queue,
    save_intent,
)
from payportal.documents import Invoice, LineItem, PaymentState
from payportal.exceptions import AllocationError
from payportal.reconciliation import Direction, StatementEntry, apply, book_approved, reconcile
from payportal.reconciliation._reconcile import statement_intent_id
from payportal.storage import SQLiteStorage

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 18, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def invoice(customer_id: str, number: str, net: str, day: int = 1) -> Invoice:
    return Invoice(
        id=f"inv-{number}",
        number=number,
        customer_id=customer_id,
        issued_on=date(2026, 2, day),
        due_on=date(2026, 2, 14 + day),
        lines=[LineItem(title="Print", quantity=1, unit_price=eur(net), tax_rate=Decimal(0))],
    )


def entry(entry_id: str, amount: str, text: str) -> StatementEntry:
    return StatementEntry(entry_id, DAY, eur(amount), Direction.CREDIT, remittance_text=text)


@pytest.fixture
def storage() -> SQLiteStorage:
    storage = SQLiteStorage(":memory:", clock=lambda: AT)
    storage.migrate()
    documents = {
        "42": [invoice("42", "RE-1001", "100.00"), invoice("42", "RE-1002", "50.00", 2)],
        "43": [invoice("43", "RE-2001", "80.00")],
    }
    with storage.transaction() as tx:
        for customer_id, invoices in documents.items():
            account = CustomerAccount(customer_id=customer_id, currency="EUR")
            for document in invoices:
                account = account.add(OpenItem.from_document(document))
                tx.save_document(document, version=0)
            tx.save_account(account, version=0)
    return storage


STATEMENT = [
    entry("e1", "100.00", "RE-1001"),
    entry("e2", "90.00", "RE-2001"),
    entry("e3", "5.00", "nothing to see"),
]


def accounts(storage: SQLiteStorage) -> list[CustomerAccount]:
    with storage.transaction() as tx:
        found = [tx.load_account(c) for c in tx.account_ids()]
    return [a.value for a in found if a is not None]


def states(storage: SQLiteStorage, customer_id: str) -> dict[str, PaymentState]:
    with storage.transaction() as tx:
        return {
            d.value.number: d.value.state  # type: ignore[union-attr]
            for d in tx.documents_of(customer_id)
        }


def test_books_documents_accounts_journal_and_outbox_together(storage):
    proposal = reconcile(STATEMENT, accounts(storage))
    assert [m.entry_id for m in proposal.matches] == ["e1", "e2"]
    booking = book_approved(storage, proposal, ["e1", "e2"], at=AT)
    assert booking.booked == ("e1", "e2")
    assert booking.skipped == ()
    assert booking.accounts["42"].open_total == eur("50.00")
    assert booking.accounts["43"].open_total == eur("0.00")
    assert booking.accounts["43"].credit_balance == eur("10.00")  # overpaid: credit
    assert states(storage, "42") == {"RE-1001": PaymentState.PAID, "RE-1002": PaymentState.OPEN}
    assert states(storage, "43") == {"RE-2001": PaymentState.PAID}
    records = list(journal(storage))
    assert [(r.customer_id, r.amount) for r in records] == [
        ("42", eur("100.00")),
        ("43", eur("90.00")),
    ]
    with storage.transaction() as tx:
        topics = [m.topic for m in tx.outbox(limit=100)]
        intent = load_intent(tx, statement_intent_id("e1"))
    assert topics.count("payment.booked") == 2
    assert "credit.created" in topics
    assert intent is not None
    assert intent.status is IntentStatus.BOOKED
    assert intent.item_keys == ("RE-1001",)


def test_importing_the_same_statement_again_books_nothing_twice(storage):
    proposal = reconcile(STATEMENT, accounts(storage))
    first = book_approved(storage, proposal, proposal.matches, at=AT)
    assert first.booked == ("e1", "e2")
    # The stored accounts name the entries: a new import lists them as booked.
    again = reconcile(STATEMENT, accounts(storage))
    assert [e.entry_id for e in again.already_booked] == ["e1", "e2"]
    # Approving the old proposal again skips both and changes nothing.
    twice = book_approved(storage, proposal, proposal.matches, at=AT)
    assert (twice.booked, twice.skipped) == ((), ("e1", "e2"))
    assert twice.accounts["42"] == first.accounts["42"]
    assert len(list(journal(storage))) == 2


def test_all_or_nothing(storage):
    proposal = reconcile(
        [*STATEMENT, entry("e4", "10.00", "RE-9001")],
        [
            *accounts(storage),
            CustomerAccount(customer_id="44", currency="EUR").add(
                OpenItem.simple("RE-9001", eur("10.00"), due=DAY)
            ),
        ],
    )
    assert [m.entry_id for m in proposal.matches] == ["e1", "e2", "e4"]
    # Customer 44's account is not stored: the whole approval fails, e1 and e2 too.
    with pytest.raises(AllocationError, match="'44', who has no stored account"):
        book_approved(storage, proposal, proposal.matches, at=AT)
    assert list(journal(storage)) == []
    assert states(storage, "42") == {"RE-1001": PaymentState.OPEN, "RE-1002": PaymentState.OPEN}


def test_bare_items_cannot_be_booked(storage):
    bare = reconcile(STATEMENT[:1], [OpenItem.simple("RE-1001", eur("100.00"), due=DAY)])
    with pytest.raises(AllocationError, match="bare open items"):
        book_approved(storage, bare, bare.matches, at=AT)


def test_a_pending_top_up_is_released(storage):
    top_up = PaymentIntent(
        id="TOPUP4711",
        customer_id="42",
        amount=eur("50.00"),
        purpose=Purpose.TOP_UP,
        reference="TOPUP4711",
        provider="bank_transfer",
        method="bank_transfer",
        created_at=AT,
        payment_id="T-1",
    )
    with storage.transaction() as tx:
        save_intent(tx, top_up)
    book(
        storage,
        PaymentEvent(
            kind=EventKind.CAPTURED,
            provider="bank_transfer",
            provider_payment_id="T-1",
            movement_key="bank_transfer:T-1:captured",
            occurred_at=AT,
            intent_id=top_up.id,
            amount=eur("50.00"),
        ),
    )
    before = {a.customer_id: a for a in accounts(storage)}["42"]
    assert before.prepaid.pending_amount == eur("50.00")
    proposal = reconcile([entry("t1", "50.00", "TOPUP4711")], [before])
    (match,) = proposal.matches
    assert match.top_up == "TOPUP4711"
    booking = book_approved(storage, proposal, ["t1"], at=AT)
    assert booking.booked == ("t1",)
    assert booking.accounts["42"].prepaid.balance == eur("50.00")
    assert booking.accounts["42"].prepaid.pending_amount == eur("0.00")
    again = book_approved(storage, proposal, ["t1"], at=AT)
    assert (again.booked, again.skipped) == ((), ("t1",))


def test_apply_is_deprecated():
    proposal = reconcile(
        STATEMENT[:1],
        [
            CustomerAccount(customer_id="42", currency="EUR").add(
                OpenItem.simple("RE-1001", eur("100.00"), due=DAY)
            )
        ],
    )
    with pytest.warns(DeprecationWarning, match="book_approved"):
        booking = apply(proposal, proposal.matches)
    assert booking.booked == ("e1",)


def test_long_entry_ids_get_a_digest_intent_id():
    assert statement_intent_id("e1") == "e1"
    long = "ref:" + "x" * 200
    assert statement_intent_id(long).startswith("stmt:")
    assert len(statement_intent_id(long)) <= 100
    assert statement_intent_id(long) != statement_intent_id(long + "y")


def test_an_entry_waiting_for_review_is_booked_when_approved(storage):
    # The portal saw the entry first and could not match it: it waits for review.
    unmatched = PaymentEvent(
        kind=EventKind.CAPTURED,
        provider="bank",
        provider_payment_id="e1",
        movement_key="bank:e1",
        occurred_at=AT,
        amount=eur("100.00"),
    )
    assert book(storage, unmatched).outcome.value == "review"
    assert [e.movement_key for e, _ in review_queue(storage)] == ["bank:e1"]
    proposal = reconcile(STATEMENT[:1], accounts(storage))
    booking = book_approved(storage, proposal, ["e1"], at=AT)
    assert booking.booked == ("e1",)
    assert review_queue(storage) == []
    assert states(storage, "42")["RE-1001"] is PaymentState.PAID
