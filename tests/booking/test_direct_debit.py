"""SEPA direct debit through the Portal: mandates in storage, collections booked pending,
confirmed by the statement credit once, returned with the fee and the mandate blocked."""

from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from booking_world import T0, reminded_world, store_world

from payportal import Money
from payportal.booking import (
    CollectionState,
    IntentStatus,
    Outcome,
    Portal,
    journal,
    journal_to_csv,
)
from payportal.documents import PaymentState
from payportal.dunning import BlockReason, DunningLevel, DunningPolicy
from payportal.exceptions import ValidationError
from payportal.mandates import (
    Creditor,
    MandateState,
    MandateStateError,
    MandateType,
    Scheme,
    UnusableMandateError,
    read_pain008,
)
from payportal.reconciliation import Direction, StatementEntry
from payportal.storage import PostgresStorage, SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from payportal.booking import DirectDebitBatch
    from payportal.storage import Storage

CREDITOR = Creditor(
    name="Muster GmbH",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    creditor_id="DE98ZZZ09999999999",
)
IBAN = "DE89 3704 0044 0532 0130 00"
FEE = Money("3.50", "EUR")


def m(amount: str) -> Money:
    return Money(amount, "EUR")


def make_portal(storage: Storage, **options: Any) -> Portal:
    settings: dict[str, Any] = {"creditor": CREDITOR, "return_fee": FEE, **options}
    return Portal(
        storage=storage,
        providers=settings.pop("providers", []),
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: T0,
        **settings,
    )


def open_storage(request: pytest.FixtureRequest, kind: str) -> Storage:
    store: Storage
    if kind == "memory":
        store = MemoryStorage()
    elif kind == "sqlite":
        store = SQLiteStorage(":memory:")
    else:
        store = PostgresStorage(request.getfixturevalue("pg_conninfo"), max_size=4)
    store.migrate()
    return store


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage(request: pytest.FixtureRequest) -> Iterator[Storage]:
    store = open_storage(request, request.param)
    store_world(store, [5000, 3000])
    yield store
    store.close()


@pytest.fixture
def portal(storage: Storage) -> Portal:
    return make_portal(storage)


def grant(portal: Portal, iban: str = IBAN, bic: str | None = "COBADEFFXXX") -> str:
    return portal.grant_mandate(
        "42", iban=iban, holder="Erika Mustermann", consent_text="I authorise ...", bic=bic
    ).reference


def credit(record_or_batch: Any, *, entry_id: str = "C-1", **fields: Any) -> StatementEntry:
    amount = fields.pop("amount", record_or_batch.amount)
    return StatementEntry(entry_id, record_or_batch.due_date, amount, Direction.CREDIT, **fields)


def returned(
    record: Any, reason: str | None, *, entry_id: str = "R-1", **fields: Any
) -> StatementEntry:
    return StatementEntry(
        entry_id,
        record.due_date + timedelta(days=3),
        record.amount,
        Direction.DEBIT,
        end_to_end_id=record.end_to_end_id,
        return_reason=reason,
        **fields,
    )


def account(storage: Storage) -> Any:
    with storage.transaction() as tx:
        stored = tx.load_account("42")
    assert stored is not None
    return stored.value


def documents(storage: Storage) -> dict[str, PaymentState]:
    with storage.transaction() as tx:
        return {d.value.number: d.value.state for d in tx.documents_of("42")}


def topics(storage: Storage) -> list[str]:
    with storage.transaction() as tx:
        return [message.topic for message in tx.outbox(limit=1000)]


def snapshot(storage: Storage) -> tuple[Any, ...]:
    """Everything a direct-debit operation may write."""
    with storage.transaction() as tx:
        return (
            [(o.topic, dict(o.payload)) for o in tx.outbox(limit=1000)],
            [(j.kind, dict(j.data)) for j in tx.journal(limit=1000)],
            tx.load_account("42"),
            [
                (name, tx.order_references(name))
                for name in (
                    "payportal.booking:mandate",
                    "payportal.booking:direct_debit",
                    "payportal.booking:dd_collection",
                    "payportal.booking:dd_batch",
                    "payportal.booking:intent",
                )
            ],
        )


# -- mandates ------------------------------------------------------------------------------


def test_granting_stores_an_active_mandate_with_a_sequence_reference(portal: Portal) -> None:
    first = portal.grant_mandate(
        "42", iban=IBAN, holder="Erika Mustermann", consent_text="I authorise", bic="COBADEFFXXX"
    )
    assert first.reference == "PPM00000001"
    assert first.creditor_id == CREDITOR.creditor_id
    assert first.signed_on == T0.date()
    assert first.consent.given_at == T0
    assert portal.active_mandate("42") == first
    assert portal.mandates("42") == (first,)
    assert portal.active_mandate("7") is None
    assert topics(portal.storage) == ["direct_debit.mandate_granted"]


def test_a_new_iban_amends_the_active_mandate_instead_of_granting_a_second(
    portal: Portal,
) -> None:
    reference = grant(portal)
    again = portal.grant_mandate(
        "42", iban=IBAN, holder="Erika Mustermann", consent_text="I authorise", bic="COBADEFFXXX"
    )
    assert again.reference == reference
    assert again.amendment is None
    # Another bank: SMNDA (same mandate, new debtor agent).
    moved = grant(portal, iban="DE02 1203 0000 0000 2020 51", bic="BYLADEM1001")
    mandate = portal.active_mandate("42")
    assert mandate is not None
    assert moved == reference
    assert len(portal.mandates("42")) == 1
    assert mandate.iban == "DE02120300000000202051"
    assert mandate.amendment is not None
    assert mandate.amendment.new_debtor_bank
    batch = portal.collect(on=T0.date())
    (record,) = read_pain008(batch.xml).records[:1]
    assert record.amendment is not None
    assert record.amendment.new_debtor_bank


def test_another_scheme_replaces_the_active_mandate(portal: Portal) -> None:
    old = grant(portal)
    new = portal.grant_mandate(
        "42",
        iban=IBAN,
        holder="Erika Mustermann",
        consent_text="I authorise",
        bic="COBADEFFXXX",
        scheme=Scheme.B2B,
        type=MandateType.ONE_OFF,
    )
    states = {mandate.reference: mandate.state for mandate in portal.mandates("42")}
    assert states == {old: MandateState.REVOKED, new.reference: MandateState.ACTIVE}


def test_revoking_stops_collections(portal: Portal) -> None:
    reference = grant(portal)
    revoked = portal.revoke_mandate("42", reference)
    assert revoked.state is MandateState.REVOKED
    assert portal.active_mandate("42") is None
    assert not portal.collect(on=T0.date())
    with pytest.raises(UnusableMandateError, match="revoked"):
        portal.collect(on=T0.date(), customer_ids=["42"])
    with pytest.raises(MandateStateError):
        portal.revoke_mandate("42", reference)
    with pytest.raises(ValidationError) as info:
        portal.revoke_mandate("7", reference)
    assert info.value.field == "reference"


# -- bad input stores nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"iban": "DE89 3704 0044 0532 0130 01"}, "iban"),
        ({"iban": "XX00"}, "iban"),
        ({"bic": "NOTABIC"}, "bic"),
        ({"holder": ""}, "debtor_name"),
        ({"holder": "x" * 71}, "debtor_name"),
        ({"consent_text": ""}, "text"),
    ],
)
def test_invalid_mandate_input_is_refused_and_stores_nothing(
    portal: Portal, options: dict[str, str], field: str
) -> None:
    before = snapshot(portal.storage)
    arguments = {
        "iban": IBAN,
        "holder": "Erika Mustermann",
        "consent_text": "I authorise",
        "bic": "COBADEFFXXX",
        **options,
    }
    with pytest.raises(ValidationError) as info:
        portal.grant_mandate("42", **arguments)
    assert info.value.field == field
    assert snapshot(portal.storage) == before


def test_without_a_creditor_nothing_can_be_granted_or_collected(storage: Storage) -> None:
    portal = make_portal(storage, creditor=None)
    before = snapshot(storage)
    with pytest.raises(ValidationError, match="creditor") as info:
        grant(portal)
    assert info.value.field == "creditor"
    with pytest.raises(ValidationError, match="creditor"):
        portal.collect(on=T0.date())
    assert snapshot(storage) == before


def test_a_creditor_id_with_a_wrong_checksum_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Creditor(
            name="Muster GmbH",
            iban="DE02120300000000202051",
            bic="BYLADEM1001",
            creditor_id="DE99ZZZ09999999999",
        )
    assert info.value.field == "creditor_id"
    with pytest.raises(ValidationError, match="Creditor"):
        make_portal(MemoryStorage(), creditor="DE98ZZZ09999999999")


@pytest.mark.parametrize("state", ["revoked", "blocked", "expired"])
def test_collecting_on_an_unusable_mandate_raises_and_stores_nothing(
    portal: Portal, state: str
) -> None:
    reference = grant(portal)
    if state == "revoked":
        portal.revoke_mandate("42", reference)
        on = T0.date()
    elif state == "blocked":
        (record,) = portal.collect(on=T0.date(), customer_ids=["42"]).records[:1]
        portal.receive(returned(record, "MD01"))
        on = T0.date() + timedelta(days=30)
    else:
        on = T0.date() + timedelta(days=3 * 366 + 1)  # 36 months unused
    before = snapshot(portal.storage)
    with pytest.raises(UnusableMandateError):
        portal.collect(on=on, customer_ids=["42"])
    assert not portal.collect(on=on)  # a sweep skips the customer
    assert snapshot(portal.storage) == before


def test_a_due_date_earlier_than_the_pre_notification_allows_is_refused(portal: Portal) -> None:
    grant(portal)
    before = snapshot(portal.storage)
    with pytest.raises(ValidationError, match="earliest due date") as info:
        portal.collect(on=T0.date(), due=T0.date() + timedelta(days=13))
    assert info.value.field == "due"
    with pytest.raises(ValidationError) as info:
        portal.collect(on=T0.date(), version="pain.008.001.01")
    assert info.value.field == "version"
    with pytest.raises(ValidationError):
        portal.collect(on=T0.date(), customer_ids=["7"])  # no mandate at all
    assert snapshot(portal.storage) == before


# -- collect, confirm, return --------------------------------------------------------------


def collected(portal: Portal) -> DirectDebitBatch:
    grant(portal)
    return portal.collect(on=T0.date())


def test_collect_writes_one_file_and_books_each_collection_pending(portal: Portal) -> None:
    batch = collected(portal)
    assert len(batch) == 2
    assert batch.total == m("80.00")
    read = read_pain008(batch.xml)
    assert read.message_id == batch.message_id
    assert [r.end_to_end_id for r in read.records] == list(batch.end_to_end_ids)
    assert {r.due_date for r in read.records} == {date(2026, 3, 16)}  # 14 days' notice
    assert {r.mandate_reference for r in read.records} == {"PPM00000001"}
    # Pending: nothing paid, the intents open, one message per collection.
    assert account(portal.storage).open_total == m("80.00")
    assert set(documents(portal.storage).values()) == {PaymentState.OPEN}
    for record in batch.records:
        assert record.state is CollectionState.PENDING
        assert portal.intent(record.intent_id).status is IntentStatus.OPEN
    with portal.storage.transaction() as tx:
        pending = [o.payload for o in tx.outbox(limit=100) if o.topic == "direct_debit.pending"]
    assert [p["amount"] for p in pending] == ["50.00", "30.00"]
    assert pending[0]["due_date"] == "2026-03-16"
    assert pending[0]["creditor_id"] == CREDITOR.creditor_id
    assert pending[0]["mandate_reference"] == "PPM00000001"
    # Collected twice the same day: nothing new.
    assert not portal.collect(on=T0.date())
    assert portal.active_mandate("42").collections == 2  # type: ignore[union-attr]


def test_statement_credit_books_each_collection_once(portal: Portal) -> None:
    batch = collected(portal)
    first, second = batch.records
    (outcome,) = portal.receive(credit(first, end_to_end_id=first.end_to_end_id))
    assert outcome.outcome is Outcome.BOOKED
    assert documents(portal.storage) == {"RE-1": PaymentState.PAID, "RE-2": PaymentState.OPEN}
    # The same statement again, or another report of the same credit: nothing more.
    again = portal.receive(credit(first, end_to_end_id=first.end_to_end_id))
    assert [o.outcome for o in again] == [Outcome.ALREADY_BOOKED]
    # Reported by mandate and amount (no end-to-end id): the pending one of that amount.
    by_mandate = portal.receive(credit(second, entry_id="C-2", mandate_id=second.mandate_reference))
    assert [o.outcome for o in by_mandate] == [Outcome.BOOKED]
    assert [
        o.outcome
        for o in portal.receive(credit(second, entry_id="C-2", end_to_end_id=second.end_to_end_id))
    ] == [Outcome.ALREADY_BOOKED]
    assert account(portal.storage).open_total == m("0.00")
    assert portal.intent(first.intent_id).captured == m("50.00")
    assert portal.intent(second.intent_id).captured == m("30.00")
    states = [r.state for r in portal.direct_debits("42")]
    assert states == [CollectionState.CONFIRMED, CollectionState.CONFIRMED]


def test_a_batch_credit_by_block_id_confirms_all_its_collections(portal: Portal) -> None:
    batch = collected(portal)
    block = batch.records[0].block_id
    entry = StatementEntry(
        "B-1",
        batch.records[0].due_date,
        m("50.00"),
        Direction.CREDIT,
        customer_reference=block,
    )
    assert [o.outcome for o in portal.receive(entry)] == [Outcome.BOOKED]
    whole = StatementEntry(
        "B-2",
        batch.records[0].due_date,
        m("80.00"),
        Direction.CREDIT,
        remittance_text=f"SEPA-LASTSCHRIFT {batch.message_id}",
    )
    outcomes = [o.outcome for o in portal.receive(whole)]
    assert outcomes == [Outcome.ALREADY_BOOKED, Outcome.BOOKED]
    assert account(portal.storage).open_total == m("0.00")


def test_return_of_a_confirmed_collection_reverses_it_adds_the_fee_and_blocks(
    portal: Portal,
) -> None:
    batch = collected(portal)
    first = batch.records[0]
    portal.receive(credit(first, end_to_end_id=first.end_to_end_id))
    (outcome,) = portal.receive(returned(first, "AC04"))
    assert outcome.outcome is Outcome.BOOKED
    items = {i.key: i.amount_open for i in account(portal.storage).open_items}
    assert items == {"RE-1": m("50.00"), "RE-2": m("30.00"), f"RLS-{first.end_to_end_id}": FEE}
    assert documents(portal.storage)["RE-1"] is PaymentState.OPEN
    intent = portal.intent(first.intent_id)
    assert intent.status is IntentStatus.REVERSED
    assert intent.refunded == m("50.00")
    (mandate,) = portal.mandates("42")
    assert mandate.state is MandateState.BLOCKED
    assert "AC04" in mandate.state_reason
    assert portal.active_mandate("42") is None
    with portal.storage.transaction() as tx:
        (message,) = [o.payload for o in tx.outbox(limit=100) if o.topic == "direct_debit.returned"]
    assert message["reason"] == "AC04"
    assert message["mandate_blocked"] is True
    assert message["fee"] == "3.50"
    assert message["was"] == "confirmed"
    # The return reported again books nothing, charges no second fee.
    assert [o.outcome for o in portal.receive(returned(first, "AC04"))] == [Outcome.ALREADY_BOOKED]
    assert account(portal.storage).open_total == m("83.50")
    # The fee is a receivable no invoice of the app's carries: the journal keeps it once,
    # and the exports book it (DATEV: debtor to the charge account).
    (charged,) = [r for r in journal(portal.storage, "42") if r.kind == "return_fee_charged"]
    assert (charged.charges, charged.amount, charged.placed) == (FEE, m("0.00"), m("0.00"))
    assert charged.reference == f"RLS-{first.end_to_end_id}"
    assert charged.intent_id == first.intent_id
    rows = list(csv.DictReader(io.StringIO(journal_to_csv([charged]))))
    assert [(r["target"], r["amount"]) for r in rows] == [("charge", "3.50")]


def test_return_of_a_pending_collection_cancels_it_and_the_dues_come_back(
    portal: Portal,
) -> None:
    batch = collected(portal)
    first = batch.records[0]
    (outcome,) = portal.receive(returned(first, "AM04"))  # insufficient funds: not blocked
    assert outcome.outcome is Outcome.BOOKED
    assert portal.intent(first.intent_id).status is IntentStatus.CANCELLED
    assert portal.active_mandate("42") is not None
    # A late credit of the returned collection books nothing.
    late = portal.receive(credit(first, end_to_end_id=first.end_to_end_id))
    assert [o.outcome for o in late] == [Outcome.NOTHING_TO_BOOK]
    assert account(portal.storage).open_total == m("83.50")
    charges = [r.charges for r in journal(portal.storage, "42") if r.charges]
    assert charges == [FEE]
    # The invoice and the fee are due again; the pending one is not collected twice.
    later = portal.collect(on=T0.date() + timedelta(days=20))
    assert [r.item_keys for r in later.records] == [("RE-1",), (f"RLS-{first.end_to_end_id}",)]


def test_a_reminder_demand_is_collected_as_one_with_its_invoices() -> None:
    store = MemoryStorage()
    store.migrate()
    account_, docs = reminded_world()
    with store.transaction() as tx:
        tx.save_account(account_, version=0)
        for doc in docs:
            tx.save_document(doc, version=0)
    portal = make_portal(store)
    grant(portal)
    batch = portal.collect(on=T0.date())
    (record,) = batch.records
    assert record.amount == m("105.00")
    assert set(record.item_keys) == {"MA-1", "RE-1", "RE-2"}
    portal.receive(credit(record, end_to_end_id=record.end_to_end_id))
    assert "dunning.stopped" in topics(store)
    assert account(store).open_total == m("0.00")


@pytest.mark.parametrize("kind", ["sqlite-file", "postgres"])
def test_concurrent_collects_never_collect_a_due_twice(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    if kind == "postgres":
        where = request.getfixturevalue("pg_conninfo")
        stores: list[Storage] = [PostgresStorage(where, max_size=2) for _ in range(2)]
    else:
        stores = [SQLiteStorage(tmp_path / "portal.db") for _ in range(2)]
    try:
        stores[0].migrate()
        store_world(stores[0], [5000, 3000])
        portals = [make_portal(store) for store in stores]
        grant(portals[0])
        start = threading.Barrier(2)

        def collect(portal: Portal) -> int:
            start.wait()
            return len(portal.collect(on=T0.date()))

        with ThreadPoolExecutor(2) as pool:
            counts = sorted(pool.map(collect, portals))
        assert counts == [0, 2]
        records = portals[0].direct_debits("42")
        assert sorted(r.item_keys for r in records) == [("RE-1",), ("RE-2",)]
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("reference", ["MÄNDAT-1", "PPM 00000001", "", "PPM00000002"])
def test_revoking_a_reference_the_customer_has_not_changes_nothing(
    portal: Portal, reference: str
) -> None:
    grant(portal)
    before = snapshot(portal.storage)
    with pytest.raises(ValidationError) as info:
        portal.revoke_mandate("42", reference)
    assert info.value.field == "reference"
    assert snapshot(portal.storage) == before
    assert portal.active_mandate("42") is not None


def test_a_return_with_an_unknown_or_no_reason_leaves_the_mandate_active(portal: Portal) -> None:
    batch = collected(portal)
    first, second = batch.records
    portal.receive(returned(first, "XX99"))
    portal.receive(returned(second, None, entry_id="R-2"))
    assert [r.return_reason for r in portal.direct_debits("42")] == ["", ""]
    assert portal.active_mandate("42") is not None
    assert account(portal.storage).open_total == m("87.00")  # both invoices and two fees


def reminded(portal: Portal, on: date, *, blocked: bool = True) -> list[str]:
    """The invoice numbers the dunning policy would remind on ``on``."""
    policy = DunningPolicy(levels=[DunningLevel(days=7)])
    with portal.storage.transaction() as tx:
        docs = [d.value for d in tx.documents_of("42")]
    blocks = portal.dunning_blocks("42", on=on) if blocked else ()
    proposals = policy.due(account(portal.storage), docs, on=on, blocks=blocks)
    return sorted(i.number for p in proposals for i in p.invoices)


def test_no_reminder_while_a_direct_debit_is_on_its_way(portal: Portal) -> None:
    late = T0.date() + timedelta(days=90)
    assert reminded(portal, late) == ["RE-1", "RE-2"]
    batch = collected(portal)
    blocks = portal.dunning_blocks("42", on=late)
    assert {b.reason for b in blocks} == {BlockReason.DIRECT_DEBIT}
    assert reminded(portal, late, blocked=False) == ["RE-1", "RE-2"]  # what the blocks hold
    assert reminded(portal, late) == []
    # A return lifts its collection's block: dunning resumes for that invoice only.
    first = batch.records[0]
    portal.receive(returned(first, "AM04"))
    assert reminded(portal, late) == ["RE-1"]
    # A confirmed collection paid its invoice: nothing to remind, nothing blocked.
    second = batch.records[1]
    portal.receive(credit(second, end_to_end_id=second.end_to_end_id))
    assert portal.dunning_blocks("42", on=late) == ()
    assert reminded(portal, late) == ["RE-1"]
