"""Direct debits confirmed and returned by real-shaped statements: camt.054.001.08 and
MT940 (German and Dutch ``:86:``), constructed in tests/data/sepa/ (see its README)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from booking_world import T0, store_world
from test_direct_debit import FEE, account, documents, grant, make_portal, open_storage, topics

from payportal.booking import CollectionState, IntentStatus, Outcome
from payportal.documents import PaymentState
from payportal.mandates import MandateState
from payportal.reconciliation import StatementEntry, read_statement

if TYPE_CHECKING:
    from collections.abc import Iterator

    from payportal.booking import BookingOutcome, Portal

SEPA = Path(__file__).resolve().parents[1] / "data" / "sepa"


def entries(name: str) -> list[StatementEntry]:
    return [e for s in read_statement((SEPA / name).read_bytes(), source=name) for e in s.entries]


def receive_file(portal: Portal, name: str) -> list[BookingOutcome]:
    return [outcome for entry in entries(name) for outcome in portal.receive(entry)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def portal(request: pytest.FixtureRequest) -> Iterator[Portal]:
    store = open_storage(request, request.param)
    store_world(store, [5000, 3000])
    built = make_portal(store)
    grant(built)
    batch = built.collect(on=T0.date())
    # The samples name exactly this file and these collections.
    assert batch.message_id == "PPDD00000001"
    assert batch.end_to_end_ids == ("PPDD0000000001", "PPDD0000000002")
    yield built
    store.close()


def test_camt054_credit_books_once_and_camt054_ac04_return_reverses_with_fee(
    portal: Portal,
) -> None:
    storage = portal.storage
    assert [o.outcome for o in receive_file(portal, "camt054_dd_credit.xml")] == [
        Outcome.BOOKED,
        Outcome.BOOKED,
    ]
    assert set(documents(storage).values()) == {PaymentState.PAID}
    # The same notification imported again books nothing.
    assert [o.outcome for o in receive_file(portal, "camt054_dd_credit.xml")] == [
        Outcome.ALREADY_BOOKED,
        Outcome.ALREADY_BOOKED,
    ]
    assert account(storage).open_total.amount == 0
    assert [o.outcome for o in receive_file(portal, "camt054_dd_return.xml")] == [Outcome.BOOKED]
    items = {i.key: str(i.amount_open.amount) for i in account(storage).open_items}
    assert items == {"RE-1": "50.00", "RLS-PPDD0000000001": str(FEE.amount)}
    assert documents(storage) == {"RE-1": PaymentState.OPEN, "RE-2": PaymentState.PAID}
    (mandate,) = portal.mandates("42")
    assert mandate.state is MandateState.BLOCKED
    assert portal.intent("dd_PPDD0000000001").status is IntentStatus.REVERSED
    assert [o.outcome for o in receive_file(portal, "camt054_dd_return.xml")] == [
        Outcome.ALREADY_BOOKED
    ]
    assert [r.return_reason for r in portal.direct_debits("42")] == ["AC04", ""]
    assert topics(storage).count("direct_debit.returned") == 1


def test_german_mt940_confirms_one_and_returns_the_other_still_pending(portal: Portal) -> None:
    outcomes = receive_file(portal, "mt940_dd_de.sta")
    assert [o.outcome for o in outcomes] == [Outcome.BOOKED, Outcome.BOOKED]
    states = {r.end_to_end_id: r.state for r in portal.direct_debits("42")}
    assert states == {
        "PPDD0000000001": CollectionState.RETURNED,
        "PPDD0000000002": CollectionState.CONFIRMED,
    }
    assert portal.intent("dd_PPDD0000000001").status is IntentStatus.CANCELLED
    # No ISO reason in the German return: the fee is charged, the mandate stays usable.
    assert portal.active_mandate("42") is not None
    items = {i.key: str(i.amount_open.amount) for i in account(portal.storage).open_items}
    assert items == {"RE-1": "50.00", "RLS-PPDD0000000001": str(FEE.amount)}
    # The camt.054 credit of the returned collection, imported late, books nothing.
    late = receive_file(portal, "camt054_dd_credit.xml")
    assert [o.outcome for o in late] == [Outcome.NOTHING_TO_BOOK, Outcome.ALREADY_BOOKED]
    assert account(portal.storage).open_total.amount == 50 + FEE.amount


def test_dutch_mt940_return_with_ms02_cancels_without_blocking(portal: Portal) -> None:
    assert [o.outcome for o in receive_file(portal, "mt940_dd_nl.sta")] == [Outcome.BOOKED]
    (first, second) = portal.direct_debits("42")
    assert first.state is CollectionState.RETURNED
    assert first.return_reason == "MS02"
    assert second.state is CollectionState.PENDING
    assert portal.active_mandate("42") is not None
