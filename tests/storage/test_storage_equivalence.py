"""The in-memory storage users test with behaves exactly as SQLite does, for any sequence."""

from __future__ import annotations

from typing import Any

import storage_samples as samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_backends import empty_contract_schema

from payportal.exceptions import PayportalError
from payportal.storage import PostgresStorage, SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

CUSTOMERS = st.sampled_from(["42", "7"])
KEYS = st.sampled_from(["a", "b", "c"])

OPERATIONS = st.one_of(
    st.tuples(st.just("save"), CUSTOMERS, st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("load"), CUSTOMERS),
    st.tuples(st.just("mark"), KEYS),
    st.tuples(st.just("publish"), KEYS),
    st.tuples(st.just("journal"), CUSTOMERS, KEYS),
    st.tuples(st.just("revoke"), CUSTOMERS),
    st.tuples(st.just("number"), KEYS),
    st.tuples(st.just("cursor"), KEYS, st.integers(0, 4)),
    st.tuples(st.just("read"), st.integers(0, 4)),
)


class RolledBackError(Exception):
    pass


def _apply(tx: Any, op: tuple[Any, ...]) -> object:
    name = op[0]
    if name == "save":
        _, customer, items, version = op
        return tx.save_account(samples.account(customer, items), version=version)
    if name == "load":
        stored = tx.load_account(op[1])
        return None if stored is None else (stored.version, len(stored.value.items))
    if name == "mark":
        return tx.mark_processed("src", op[1])
    if name == "publish":
        return tx.publish(op[1], {"k": op[1]})
    if name == "journal":
        tx.append_journal(op[1], op[2], {})
        return [(e.customer_id, e.kind) for e in tx.journal(op[1])]
    if name == "revoke":
        return tx.revoke_links(op[1])
    if name == "number":
        return tx.next_number(op[1])
    if name == "cursor":
        tx.advance_cursor(op[1], op[2])
        return tx.cursor(op[1])
    return [(m.position, m.topic) for m in tx.outbox(after=op[1])]


def _run(
    storage: Any, transactions: list[tuple[list[tuple[Any, ...]], bool, bool]]
) -> list[object]:
    """Each transaction's results (or the error's class); ``fail`` rolls one back at its end,
    ``read_only`` opens it read-only."""
    storage.migrate()
    outcome: list[object] = []
    for operations, fail, read_only in transactions:
        results: list[object] = []
        try:
            with storage.transaction(read_only=read_only) as tx:
                for op in operations:
                    results.append(_apply(tx, op))  # noqa: PERF401 - up to a failure
                if fail:
                    raise RolledBackError
        except (PayportalError, RolledBackError) as exc:
            results.append(type(exc).__name__)
        outcome.append(results)
    storage.close()
    return outcome


TRANSACTIONS = st.lists(
    st.tuples(st.lists(OPERATIONS, max_size=5), st.booleans(), st.booleans()), max_size=8
)


@given(TRANSACTIONS)
def test_memory_storage_answers_as_sqlite_does(transactions) -> None:
    assert _run(MemoryStorage(), transactions) == _run(SQLiteStorage(":memory:"), transactions)


@settings(
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(TRANSACTIONS)
def test_memory_storage_answers_as_postgresql_does(pg_contract_schema: str, transactions) -> None:
    empty_contract_schema(pg_contract_schema)
    postgres = PostgresStorage(pg_contract_schema, max_size=1)
    assert _run(MemoryStorage(), transactions) == _run(postgres, transactions)
