"""The booking path over every storage: once per movement, all or nothing, never lost."""

# The database fixture comes from booking_fixtures by import (a conftest.py in tests/booking would
# shadow tests/conftest.py), so the test arguments share their names:
# ruff: noqa: F811

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

import booking_workers
import pytest
from booking_fixtures import database  # noqa: F401 - a fixture used by name
from booking_world import T0, event, intent, open_storage, reminded_world, store_world, world

from payportal import Money
from payportal.booking import (
    CreditNotePolicy,
    EventKind,
    IntentStatus,
    Outcome,
    Purpose,
    book,
    book_credit_note,
    journal,
    load_intent,
    reject_top_up,
    release_top_up,
    resolve_review,
    review_queue,
    save_intent,
)
from payportal.documents import CreditNote, LineItem, PaymentState
from payportal.exceptions import InvalidTransitionError

if TYPE_CHECKING:
    from payportal.storage import Storage


def m(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


def state(storage: Storage, customer: str = "42") -> tuple:
    with storage.transaction() as tx:
        account = tx.load_account(customer)
        docs = {d.value.number: d.value for d in tx.documents_of(customer)}
        outbox = [(o.topic, dict(o.payload)) for o in tx.outbox(limit=1000)]
        entries = tx.journal(customer, limit=1000)
    assert account is not None
    return account, docs, outbox, entries


def test_a_capture_is_booked_once_whoever_reports_it(storage: Storage) -> None:
    store_world(storage, [5000, 3000], intent())
    webhook = event(EventKind.CAPTURED, 6000, "paypal:capture:C1")
    first = book(storage, webhook)
    assert first.outcome is Outcome.BOOKED
    # The same capture, by poll and by the payer's return: the database says "booked".
    assert book(storage, webhook).outcome is Outcome.ALREADY_BOOKED
    # Reported under another key with its cumulative total: nothing left to book.
    poll = event(EventKind.CAPTURED, None, "paypal:ORDER-1:captured:60.00", captured_total=6000)
    assert book(storage, poll).outcome is Outcome.NOTHING_TO_BOOK

    account, docs, outbox, entries = state(storage)
    assert account.version == 2
    assert account.value.open_total == m(2000)
    assert (docs["RE-1"].state, docs["RE-1"].paid) == (PaymentState.PAID, m(5000))
    assert (docs["RE-2"].state, docs["RE-2"].paid) == (PaymentState.PARTIALLY_PAID, m(1000))
    assert [topic for topic, _ in outbox] == [
        "payment.booked",
        "invoice.paid",
        "invoice.partially_paid",
        "receipt.issued",
    ]
    assert [e.kind for e in entries] == ["payment_booked"]
    (record,) = journal(storage)
    assert record.amount == m(6000) == record.placed
    with storage.transaction() as tx:
        stored = load_intent(tx, "pi-1")
    assert stored is not None
    assert (stored.status, stored.captured) == (IntentStatus.BOOKED, m(6000))


def test_an_event_finds_its_intent_by_the_providers_payment_id(storage: Storage) -> None:
    store_world(storage, [5000], intent(payment_id="ORDER-9"))
    found = book(
        storage, event(EventKind.CAPTURED, 5000, "k", intent_id=None, payment_id="ORDER-9")
    )
    assert found.outcome is Outcome.BOOKED


def test_an_event_for_an_unknown_intent_waits_for_review_and_is_never_lost(
    storage: Storage,
) -> None:
    store_world(storage, [5000], intent(intent_id="pi-7"))
    stray = event(EventKind.CAPTURED, 5000, "paypal:capture:STRAY", intent_id=None)
    outcome = book(storage, stray)
    assert outcome.outcome is Outcome.REVIEW
    assert "no payment intent" in outcome.reason
    assert book(storage, stray).outcome is Outcome.ALREADY_BOOKED
    assert review_queue(storage) == [(stray, outcome.reason)]
    _, _, outbox, _ = state(storage)
    assert outbox[-1][0] == "payment.review"

    resolved = resolve_review(storage, "paypal:capture:STRAY", intent_id="pi-7")
    assert resolved.outcome is Outcome.BOOKED
    assert review_queue(storage) == []
    account, *_ = state(storage)
    assert account.value.open_total == m(0)


def test_a_refund_of_more_than_was_booked_goes_to_review_and_changes_nothing(
    storage: Storage,
) -> None:
    store_world(storage, [5000], intent())
    book(storage, event(EventKind.CAPTURED, 5000, "c"))
    before = state(storage)
    outcome = book(storage, event(EventKind.REFUNDED, 9000, "r"))
    assert outcome.outcome is Outcome.REVIEW
    assert "takes back" in outcome.reason
    after = state(storage)
    assert after[0] == before[0]
    assert after[1] == before[1]


def test_a_refund_reopens_documents_through_storage(storage: Storage) -> None:
    store_world(storage, [5000, 3000], intent())
    book(storage, event(EventKind.CAPTURED, 8000, "c"))
    book(storage, event(EventKind.PARTIALLY_REFUNDED, None, "r1", refunded_total=1000))
    book(storage, event(EventKind.REFUNDED, None, "r2", refunded_total=8000))
    account, docs, outbox, _ = state(storage)
    fresh, _ = world([5000, 3000])
    assert account.value.items == fresh.items
    assert {d.state for d in docs.values()} == {PaymentState.OPEN}
    assert [t for t, _ in outbox].count("refund.booked") == 2
    assert sum((r.amount for r in journal(storage)), m(0)) == m(0)


def test_bank_transfer_top_ups_wait_for_the_merchant(storage: Storage) -> None:
    store_world(
        storage,
        [],
        intent(Purpose.TOP_UP, method="bank_transfer", intent_id="t-1"),
        intent(Purpose.TOP_UP, method="bank_transfer", intent_id="t-2"),
    )
    book(storage, event(EventKind.CAPTURED, 2000, "bank:E1", intent_id="t-1"))
    book(storage, event(EventKind.CAPTURED, 3000, "bank:E2", intent_id="t-2"))
    account, *_ = state(storage)
    assert account.value.prepaid.pending_amount == m(5000)
    release_top_up(storage, "t-1", at=T0 + timedelta(days=1))
    reject_top_up(storage, "t-2", at=T0 + timedelta(days=1))
    with pytest.raises(InvalidTransitionError):
        release_top_up(storage, "t-2", at=T0 + timedelta(days=2))
    account, _, outbox, _ = state(storage)
    assert account.value.prepaid.balance == m(2000)
    assert account.value.prepaid.pending_amount == m(0)
    assert [t for t, _ in outbox if t.startswith("top_up")] == [
        "top_up.pending",
        "top_up.pending",
        "top_up.released",
        "top_up.rejected",
    ]


def test_a_credit_note_is_booked_once(storage: Storage) -> None:
    store_world(storage, [1000])
    note = CreditNote(
        id="cn-1",
        number="GS-1",
        customer_id="42",
        issued_on=T0.date(),
        invoice_id="inv-1",
        lines=[LineItem(title="Correction", quantity=1, unit_price=m(1680))],
    )
    policy = CreditNotePolicy.OFFSET
    assert book_credit_note(storage, note, policy, at=T0).outcome is Outcome.BOOKED
    assert book_credit_note(storage, note, policy, at=T0).outcome is Outcome.ALREADY_BOOKED
    account, docs, _, _ = state(storage)
    assert account.value.credit_balance == m(680)
    assert docs["RE-1"].state is PaymentState.PAID


# -- processes -----------------------------------------------------------------------------

PROCESSES = 4
EVENTS = 12


def test_processes_booking_the_same_events_book_each_once(database: tuple[str, str]) -> None:
    kind, where = database
    storage = open_storage(kind, where)
    storage.migrate()
    intents = [intent(intent_id=f"pi-{n}") for n in range(EVENTS)]
    store_world(storage, [1000] * EVENTS, *intents)
    storage.close()  # the workers open their own connections
    # Forked: no fresh interpreter to start per worker (each opens its own connection).
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    with ProcessPoolExecutor(
        PROCESSES, mp_context=context, initializer=booking_workers.wait_here, initargs=(barrier,)
    ) as pool:
        futures = [
            pool.submit(booking_workers.book_all, kind, where, seed, EVENTS)
            for seed in range(PROCESSES)
        ]
        results = [f.result(timeout=120) for f in futures]
    assert sum(r["booked"] for r in results) == EVENTS
    assert sum(r["already_booked"] for r in results) == EVENTS * (PROCESSES - 1)
    storage = open_storage(kind, where)
    account, docs, outbox, entries = state(storage)
    storage.close()
    assert account.value.open_total == m(0)
    assert account.value.credit_balance == m(0)
    assert len(entries) == EVENTS
    assert all(d.state is PaymentState.PAID for d in docs.values())
    assert [t for t, _ in outbox].count("payment.booked") == EVENTS


def test_a_crash_before_commit_loses_nothing_and_the_next_report_books_it(
    database: tuple[str, str],
) -> None:
    kind, where = database
    storage = open_storage(kind, where)
    storage.migrate()
    store_world(storage, [1000], intent(intent_id="pi-0"))
    storage.close()
    ready = multiprocessing.get_context("fork").Event()
    worker = multiprocessing.get_context("fork").Process(
        target=booking_workers.book_and_hang, args=(kind, where, ready)
    )
    worker.start()
    try:
        assert ready.wait(timeout=60)
    finally:
        worker.kill()
        worker.join(timeout=30)
    storage = open_storage(kind, where)
    # Killed inside the transaction: nothing of it stands, not even the movement mark.
    account, docs, outbox, _ = state(storage)
    assert account.value.open_total == m(1000)
    assert outbox == []
    # The next poll or webhook books it, once.
    again = booking_workers.captures(1)[0]
    assert book(storage, again).outcome is Outcome.BOOKED
    assert book(storage, again).outcome is Outcome.ALREADY_BOOKED
    account, docs, outbox, _ = state(storage)
    storage.close()
    assert account.value.open_total == m(0)
    assert docs["RE-1"].state is PaymentState.PAID


@pytest.mark.parametrize("legacy", [False, True], ids=["demand", "legacy-item"])
def test_paying_a_reminder_through_storage_records_the_reminded_invoices(
    storage: Storage, legacy: bool
) -> None:
    account, docs = reminded_world(legacy=legacy)
    with storage.transaction() as tx:
        tx.save_account(account, version=0)
        for doc in docs:
            tx.save_document(doc, version=0)
        save_intent(tx, intent())
    assert book(storage, event(EventKind.CAPTURED, 10_500, "c")).outcome is Outcome.BOOKED
    _, stored, outbox, _ = state(storage)
    assert {n: (d.state, d.paid) for n, d in stored.items()} == {
        "MA-1": (PaymentState.PAID, m(10_500)),
        "RE-1": (PaymentState.PAID, m(6000)),
        "RE-2": (PaymentState.PAID, m(4000)),
    }
    # Settling the reminded invoices stops the dunning for them (items of a reminder that
    # name no invoices were stored before payportal could tell).
    stopped = [] if legacy else ["dunning.stopped", "dunning.stopped"]
    assert sorted(t for t, _ in outbox) == [
        *stopped,
        "invoice.paid",
        "invoice.paid",
        "payment.booked",
        "receipt.issued",
        "reminder.paid",
    ]
