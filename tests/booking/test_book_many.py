"""book_many: a batch of events in one transaction books as the events one by one would."""

# The fixtures are imported by name and requested as arguments.

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from booking_fixtures import database  # noqa: F401 - a fixture used by name
from booking_world import T0, event, intent, store_world

from payportal import Money
from payportal.booking import EventKind, Outcome, book, book_many, journal
from payportal.booking import _book as booking_internals
from payportal.exceptions import ValidationError
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from payportal.storage import Storage


def snapshot(storage: Storage) -> tuple[object, ...]:
    with storage.transaction() as tx:
        account = tx.load_account("42")
        documents = sorted((d.value.number, d.value) for d in tx.documents_of("42"))
        topics = [(m.topic, dict(m.payload)) for m in tx.outbox(limit=1000)]
    assert account is not None
    return account.value, documents, topics, list(journal(storage))


EVENTS = [
    event(EventKind.CAPTURED, 3000, "paypal:capture:C1"),
    event(EventKind.CAPTURED, 2000, "paypal:capture:C2"),
    event(EventKind.CAPTURED, 3000, "paypal:capture:C1"),  # the same movement again
    event(EventKind.REFUNDED, 1000, "paypal:refund:R1"),
    event(EventKind.CAPTURED, 500, "paypal:capture:STRAY", intent_id=None, payment_id="X"),
]


def test_a_batch_books_as_the_events_one_by_one(storage: Storage) -> None:
    store_world(storage, [4000, 3000], intent())
    outcomes = book_many(storage, EVENTS)
    assert [o.outcome for o in outcomes] == [
        Outcome.BOOKED,
        Outcome.BOOKED,
        Outcome.ALREADY_BOOKED,
        Outcome.BOOKED,
        Outcome.REVIEW,
    ]
    one_by_one = MemoryStorage(clock=lambda: T0)
    one_by_one.migrate()
    store_world(one_by_one, [4000, 3000], intent())
    assert [book(one_by_one, e).outcome for e in EVENTS] == [o.outcome for o in outcomes]
    ours, theirs = snapshot(storage), snapshot(one_by_one)
    assert ours[0] == theirs[0]  # the account
    assert ours[1] == theirs[1]  # the documents
    assert [t for t, _ in ours[2]] == [t for t, _ in theirs[2]]  # the outbox
    assert [(r.kind, r.amount) for r in ours[3]] == [(r.kind, r.amount) for r in theirs[3]]
    assert ours[0].open_total == Money("30.00", "EUR")
    # Delivered again as a batch: every movement was booked (or queued) before.
    again = book_many(storage, EVENTS)
    assert {o.outcome for o in again} == {Outcome.ALREADY_BOOKED}


def test_a_batch_is_all_or_nothing(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    store_world(storage, [4000, 3000], intent())
    before = snapshot(storage)
    with pytest.raises(ValidationError, match=r"events\[1\]"):
        book_many(storage, [EVENTS[0], "not an event"])  # type: ignore[list-item]
    assert snapshot(storage) == before

    real = booking_internals.decide
    calls = []

    def failing(*args: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is gone")
        return real(*args)

    monkeypatch.setattr(booking_internals, "decide", failing)
    with pytest.raises(RuntimeError, match="disk"):
        book_many(storage, EVENTS[:2])
    # The first event's booking was rolled back with the batch: delivering again books it.
    assert snapshot(storage) == before
    monkeypatch.setattr(booking_internals, "decide", real)
    assert [o.outcome for o in book_many(storage, EVENTS[:2])] == [Outcome.BOOKED] * 2
