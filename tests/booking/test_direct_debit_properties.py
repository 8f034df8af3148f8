"""Properties of direct debit through the Portal: for any sequence of grants, collections,
statement credits and returns (each possibly delivered twice), money is conserved and
nothing is booked twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from booking_world import T0, store_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_direct_debit import FEE, make_portal

from payportal.booking import CollectionState, IntentStatus, journal
from payportal.customers import BankAccount
from payportal.mandates import RETURN_REASONS
from payportal.providers.bank_transfer import BankTransfer
from payportal.reconciliation import Direction, StatementEntry
from payportal.storage import SQLiteStorage, StorageTransferStore
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from payportal.booking import DirectDebitCollection, Portal
    from payportal.storage import Storage

INVOICES = [5000, 3000, 1250]
IBANS = ["DE89370400440532013000", "DE02120300000000202051"]
BICS = ["COBADEFFXXX", "BYLADEM1001"]
CREDITOR_ACCOUNT = BankAccount(
    iban="DE02120300000000202051", holder="Muster GmbH", bic="BYLADEM1001"
)

grant_op = st.tuples(st.just("grant"), st.integers(0, 1))
collect_op = st.tuples(st.just("collect"), st.integers(0, 40))
credit_op = st.tuples(st.just("credit"), st.integers(0, 20), st.sampled_from(["e2e", "mandate"]))
return_op = st.tuples(
    st.just("return"), st.integers(0, 20), st.sampled_from([None, *sorted(RETURN_REASONS)])
)
replay_op = st.tuples(st.just("replay"), st.integers(0, 20))
operations = st.lists(st.one_of(grant_op, collect_op, credit_op, return_op, replay_op), max_size=14)


def run(storage: Storage, ops: list[tuple[object, ...]]) -> Portal:
    store_world(storage, INVOICES)
    # A credit that matches no pending collection (a repeated report by mandate and amount)
    # takes the ordinary path: the bank transfer's review queue, booking nothing.
    bank = BankTransfer(CREDITOR_ACCOUNT, store=StorageTransferStore(storage))
    portal = make_portal(storage, providers=[bank])
    day = T0.date()
    delivered: list[StatementEntry] = []
    for number, op in enumerate(ops):
        records: list[DirectDebitCollection] = list(portal.direct_debits("42"))
        if op[0] == "grant":
            index = int(op[1])  # type: ignore[call-overload]
            portal.grant_mandate(
                "42",
                iban=IBANS[index],
                bic=BICS[index],
                holder="Erika Mustermann",
                consent_text="I authorise",
            )
        elif op[0] == "collect":
            day += timedelta(days=int(op[1]))  # type: ignore[call-overload]
            portal.collect(on=day)
        elif op[0] in {"credit", "return"} and records:
            record = records[int(op[1]) % len(records)]  # type: ignore[call-overload]
            if op[0] == "credit":
                by = {"end_to_end_id": record.end_to_end_id}
                if op[2] == "mandate":
                    by = {"mandate_id": record.mandate_reference}
                entry = StatementEntry(
                    f"C-{number}", record.due_date, record.amount, Direction.CREDIT, **by
                )
            else:
                entry = StatementEntry(
                    f"R-{number}",
                    record.due_date + timedelta(days=2),
                    record.amount,
                    Direction.DEBIT,
                    end_to_end_id=record.end_to_end_id,
                    return_reason=op[2],  # type: ignore[arg-type]
                )
            portal.receive(entry)
            delivered.append(entry)
        elif op[0] == "replay" and delivered:
            portal.receive(delivered[int(op[1]) % len(delivered)])  # type: ignore[call-overload]
    return portal


def check(portal: Portal) -> None:
    storage = portal.storage
    records = portal.direct_debits("42")
    standing = Decimal(0)
    busy: dict[str, str] = {}
    for record in records:
        intent = portal.intent(record.intent_id)
        standing += (intent.captured - intent.refunded).amount
        # Nothing booked twice: a collection is captured once, for its amount, or not at all.
        assert intent.captured.amount in {0, record.amount.amount}
        assert len(intent.bookings) <= 1
        if record.state is CollectionState.PENDING:
            assert intent.status is IntentStatus.OPEN
        elif record.state is CollectionState.CONFIRMED:
            assert intent.status is IntentStatus.BOOKED
            assert intent.refunded.amount == 0
        else:
            assert intent.status in {IntentStatus.CANCELLED, IntentStatus.REVERSED}
            assert intent.captured == intent.refunded
        if record.state is not CollectionState.RETURNED:
            # A due is in one live collection at most.
            for key in record.item_keys:
                assert key not in busy, (key, busy[key], record.end_to_end_id)
                busy[key] = record.end_to_end_id
    with storage.transaction() as tx:
        stored = tx.load_account("42")
    assert stored is not None
    account = stored.value
    fees = sum(1 for r in records if r.state is CollectionState.RETURNED) * FEE.amount
    # Money is conserved: what was invoiced and charged is open or collected, nothing else.
    assert account.open_total.amount + standing == Decimal(sum(INVOICES)) / 100 + fees
    assert account.credit_balance.amount == 0
    booked = [r for r in journal(storage, "42") if r.kind == "payment_booked"]
    assert len({r.movement_key for r in booked}) == len(booked)
    assert sum(r.amount.amount for r in journal(storage, "42")) == standing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_direct_debit_conserves_money_and_books_nothing_twice(
    ops: list[tuple[object, ...]],
) -> None:
    storage = MemoryStorage()
    storage.migrate()
    check(run(storage, ops))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_direct_debit_on_sqlite_conserves_money_and_books_nothing_twice(
    ops: list[tuple[object, ...]],
) -> None:
    storage = SQLiteStorage(":memory:")
    storage.migrate()
    try:
        check(run(storage, ops))
    finally:
        storage.close()
