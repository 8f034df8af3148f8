"""Disputes, paid claims and extensions kept in storage: each pauses dunning for its invoice
until the merchant resolves it; every step is in the journal and the outbox."""

from __future__ import annotations

from datetime import date

import pytest
from arrangements_world import Clock, arrangements, due, open_storage, store_world, topics

from payportal.arrangements import HoldKind, HoldState, Party
from payportal.exceptions import AccessDeniedError, InvalidTransitionError, ValidationError

OPENED = date(2026, 3, 20)  # the invoices are due on 2026-03-15; reminded from 2026-03-23
LATE = date(2026, 4, 1)


@pytest.fixture(params=["memory", "sqlite"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_dispute_pauses_dunning_until_it_is_rejected(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000, 5_000])
    clock = Clock(OPENED)
    portal = arrangements(storage, clock)
    hold = portal.dispute("42", "inv-1", reason="  Not delivered.  ")
    assert (hold.id, hold.kind, hold.reason) == ("H-1", HoldKind.DISPUTE, "Not delivered.")
    assert due(storage, portal, LATE) == ["RE-2"]
    clock.day = date(2026, 3, 25)
    portal.reject("42", hold.id, message="The carrier confirms delivery on 3 March.")
    assert due(storage, portal, LATE) == ["RE-1", "RE-2"]
    stored = portal.hold("42", hold.id)
    assert [(s.by, s.state, s.at.date()) for s in stored.steps] == [
        (Party.CUSTOMER, HoldState.OPEN, OPENED),
        (Party.MERCHANT, HoldState.REJECTED, date(2026, 3, 25)),
    ]
    assert topics(storage) == ["dispute.opened", "dispute.rejected"]
    with storage.transaction(read_only=True) as tx:
        messages = tx.outbox()
        entries = [e.data for e in tx.journal("42") if e.kind == "arrangement"]
    assert messages[1].payload["text"] == "The carrier confirms delivery on 3 March."
    assert messages[1].payload["by"] == "merchant"
    assert [e["event"] for e in entries] == ["dispute.opened", "dispute.rejected"]


def test_a_paid_claim_with_proof_is_matched_to_a_bank_entry(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    portal = arrangements(storage, Clock(OPENED))
    hold = portal.claim_paid("42", "inv-1", note="Paid on 14 March", attachment="upload:7f3a")
    assert hold.attachment == "upload:7f3a"
    assert due(storage, portal, LATE) == []
    matched = portal.match("42", hold.id, bank_entry="E-0314-2")
    assert (matched.state, matched.bank_entry) == (HoldState.MATCHED, "E-0314-2")
    assert due(storage, portal, LATE) == []  # held until the entry is booked
    with pytest.raises(InvalidTransitionError, match="matched already"):
        portal.accept("42", hold.id)
    assert topics(storage) == ["paid_claim.opened", "paid_claim.matched"]
    with storage.transaction(read_only=True) as tx:
        assert tx.outbox()[0].payload["attachment"] == "upload:7f3a"


def test_an_accepted_extension_holds_dunning_until_the_new_date(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    portal = arrangements(storage, Clock(OPENED))
    with pytest.raises(ValidationError, match="must be after 2026-03-20") as error:
        portal.request_extension("42", "inv-1", due_on=OPENED)
    assert error.value.field == "due_on"
    hold = portal.request_extension("42", "inv-1", due_on=date(2026, 4, 30), reason="Salary")
    assert due(storage, portal, LATE) == []
    portal.accept("42", hold.id, message="Granted.")
    assert portal.due_dates("42") == {"inv-1": date(2026, 4, 30)}
    # The levels count from the agreed date: the first reminder 7 days after it.
    assert due(storage, portal, date(2026, 5, 6)) == []
    assert due(storage, portal, date(2026, 5, 7)) == ["RE-1"]
    assert topics(storage) == ["extension.opened", "extension.accepted"]


def test_one_open_hold_per_invoice(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000, 5_000])
    portal = arrangements(storage, Clock(OPENED))
    first = portal.dispute("42", "inv-1", reason="Wrong price")
    with pytest.raises(ValidationError, match=r"open dispute already \(H-1\)"):
        portal.claim_paid("42", "inv-1")
    portal.claim_paid("42", "inv-2")
    portal.accept("42", first.id, message="A credit note follows.")
    second = portal.request_extension("42", "inv-1", due_on=date(2026, 5, 1))
    assert [h.id for h in portal.holds("42")] == ["H-1", "H-2", second.id]
    assert portal.holds("43") == ()


def test_holds_name_only_the_customers_own_invoices(kind: str) -> None:
    storage = open_storage(kind)
    store_world(storage, [10_000])
    store_world(storage, [10_000], customer="43", first=9)
    portal = arrangements(storage, Clock(OPENED))
    with pytest.raises(AccessDeniedError, match="inv-9"):
        portal.dispute("42", "inv-9", reason="not mine")
    with pytest.raises(ValidationError, match="names no invoice"):
        portal.dispute("42", "inv-404", reason="?")
    hold = portal.dispute("43", "inv-9", reason="Wrong address")
    with pytest.raises(ValidationError, match="names no hold") as error:
        portal.accept("42", hold.id)
    assert error.value.value == hold.id
    assert topics(storage) == ["dispute.opened"]
