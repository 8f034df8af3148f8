"""The statements the storage runs, by name, and the one place that knows their SQL.

Operations (``_ops``) are written once, without I/O: they yield a :class:`Query` and get a
:class:`Result` back. Drivers run them: synchronously or asynchronously, on SQLite or on
PostgreSQL by looking the name up in :data:`SQL`, or on dictionaries (the in-memory storage
in :mod:`payportal.testing`) by a handler per name. Every value travels as a bound
parameter; the SQL text is constant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeVar

import attrs

from payportal.exceptions import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

__all__ = ["SQL", "WRITES", "Dialect", "Query", "Result", "read_only", "refuse_write", "sql_for"]

Dialect = Literal["sqlite", "postgres"]


@attrs.frozen
class Query:
    """One statement to run: its name in :data:`SQL` and its parameters.

    With ``many``, ``params`` holds one parameter tuple per run of the statement (the
    driver's ``executemany``: one call for a batch of rows), and the result's ``rowcount``
    is the sum over the runs.

    ``sql`` is set only for schema statements of a migration, which are per dialect.
    """

    name: str
    params: tuple[object, ...] = ()
    sql: str | None = None
    many: bool = False


@attrs.frozen
class Result:
    """What a statement returned: its rows, and how many rows it changed."""

    rows: list[tuple[object, ...]] = attrs.field(factory=list)
    rowcount: int = 0


# Written once in SQLite's spelling, which PostgreSQL shares for everything used here
# (``ON CONFLICT``, ``RETURNING``, ``excluded``) but the placeholder.
SQL: Final[dict[str, str | None]] = {
    "schema.create": (
        "CREATE TABLE IF NOT EXISTS payportal_schema ("
        "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
    ),
    "schema.get": "SELECT version FROM payportal_schema WHERE id = 1",
    "schema.set": (
        "INSERT INTO payportal_schema (id, version) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
    ),
    # PostgreSQL: one migrating process at a time. SQLite's BEGIN IMMEDIATE already is.
    "schema.lock": None,
    "account.get": "SELECT version, body, checksum FROM payportal_accounts WHERE customer_id = ?",
    "account.version": "SELECT version FROM payportal_accounts WHERE customer_id = ?",
    "account.insert": (
        "INSERT INTO payportal_accounts (customer_id, version, body, checksum, updated_at) "
        "VALUES (?, 1, ?, ?, ?) ON CONFLICT (customer_id) DO NOTHING"
    ),
    "account.update": (
        "UPDATE payportal_accounts SET version = version + 1, body = ?, checksum = ?, "
        "updated_at = ? WHERE customer_id = ? AND version = ?"
    ),
    "customer.get": "SELECT version, body, checksum FROM payportal_customers WHERE customer_id = ?",
    "customer.version": "SELECT version FROM payportal_customers WHERE customer_id = ?",
    "customer.insert": (
        "INSERT INTO payportal_customers (customer_id, version, body, checksum, updated_at) "
        "VALUES (?, 1, ?, ?, ?) ON CONFLICT (customer_id) DO NOTHING"
    ),
    "customer.update": (
        "UPDATE payportal_customers SET version = version + 1, body = ?, checksum = ?, "
        "updated_at = ? WHERE customer_id = ? AND version = ?"
    ),
    "account.ids": "SELECT customer_id FROM payportal_accounts ORDER BY customer_id",
    "document.get": (
        "SELECT version, body, checksum, document_type FROM payportal_documents "
        "WHERE document_id = ?"
    ),
    # The ids as one JSON array: one statement (and one constant SQL text) for any number.
    "document.get_many": (
        "SELECT document_id, version, body, checksum, document_type FROM payportal_documents "
        "WHERE document_id IN (SELECT value FROM json_each(?))"
    ),
    "document.version": "SELECT version FROM payportal_documents WHERE document_id = ?",
    "document.insert": (
        "INSERT INTO payportal_documents "
        "(document_id, customer_id, document_type, version, body, checksum, updated_at) "
        "VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (document_id) DO NOTHING"
    ),
    "document.update": (
        "UPDATE payportal_documents SET version = version + 1, customer_id = ?, document_type = ?, "
        "body = ?, checksum = ?, updated_at = ? WHERE document_id = ? AND version = ?"
    ),
    "document.of_customer": (
        "SELECT document_id, version, body, checksum, document_type FROM payportal_documents "
        "WHERE customer_id = ? ORDER BY document_id"
    ),
    "payment.get": (
        "SELECT body, checksum FROM payportal_payments WHERE provider = ? AND payment_id = ?"
    ),
    "payment.put": (
        "INSERT INTO payportal_payments (provider, payment_id, body, checksum, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, payment_id) DO UPDATE SET "
        "body = excluded.body, checksum = excluded.checksum, updated_at = excluded.updated_at"
    ),
    "intent.get": "SELECT body, checksum FROM payportal_payment_intents WHERE intent_id = ?",
    "intent.put": (
        "INSERT INTO payportal_payment_intents (intent_id, customer_id, body, checksum) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (intent_id) DO UPDATE SET "
        "customer_id = excluded.customer_id, body = excluded.body, "
        "checksum = excluded.checksum"
    ),
    "intent.of_customer": (
        "SELECT body, checksum FROM payportal_payment_intents WHERE customer_id = ? "
        "ORDER BY intent_id"
    ),
    "event.insert": (
        "INSERT INTO payportal_processed_events (source, event_key, processed_at) "
        "VALUES (?, ?, ?) ON CONFLICT (source, event_key) DO NOTHING"
    ),
    "event.get": (
        "SELECT processed_at FROM payportal_processed_events WHERE source = ? AND event_key = ?"
    ),
    # Takes the next n numbers of a sequence (n is the third parameter; the second is
    # the last number taken when the sequence is new) and returns the last one taken. The
    # row lock this takes on PostgreSQL is held until commit, so numbers drawn by
    # concurrent transactions become visible in the order they were drawn.
    "counter.take": (
        "INSERT INTO payportal_counters (name, value) VALUES (?, ?) ON CONFLICT (name) "
        "DO UPDATE SET value = payportal_counters.value + ? RETURNING value"
    ),
    "transfer.insert": (
        "INSERT INTO payportal_transfers (payment_id, reference, version, body, checksum) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
    ),
    "transfer.get": "SELECT body, checksum FROM payportal_transfers WHERE payment_id = ?",
    "transfer.find": "SELECT body, checksum FROM payportal_transfers WHERE reference = ?",
    "transfer.update": (
        "UPDATE payportal_transfers SET version = ?, body = ?, checksum = ? "
        "WHERE payment_id = ? AND version = ?"
    ),
    "order.get": (
        "SELECT body, checksum FROM payportal_provider_orders WHERE provider = ? AND reference = ?"
    ),
    "order.put": (
        "INSERT INTO payportal_provider_orders (provider, reference, body, checksum) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (provider, reference) DO UPDATE SET "
        "body = excluded.body, checksum = excluded.checksum"
    ),
    "order.delete": "DELETE FROM payportal_provider_orders WHERE provider = ? AND reference = ?",
    "order.references": (
        "SELECT reference FROM payportal_provider_orders WHERE provider = ? ORDER BY reference"
    ),
    "link.get": "SELECT version FROM payportal_link_versions WHERE customer_id = ?",
    "link.bump": (
        "INSERT INTO payportal_link_versions (customer_id, version) VALUES (?, ?) "
        "ON CONFLICT (customer_id) DO UPDATE SET "
        "version = payportal_link_versions.version + 1 RETURNING version"
    ),
    "change.insert": (
        "INSERT INTO payportal_change_records (customer_id, recorded_at, body, checksum) "
        "VALUES (?, ?, ?, ?)"
    ),
    "change.of_customer": (
        "SELECT body, checksum FROM payportal_change_records WHERE customer_id = ? "
        "ORDER BY record_id"
    ),
    "journal.insert": (
        "INSERT INTO payportal_journal (customer_id, kind, recorded_at, body, checksum) "
        "VALUES (?, ?, ?, ?, ?) RETURNING sequence"
    ),
    "journal.read": (
        "SELECT sequence, customer_id, kind, recorded_at, body, checksum FROM payportal_journal "
        "WHERE sequence > ? ORDER BY sequence LIMIT ?"
    ),
    "journal.read_customer": (
        "SELECT sequence, customer_id, kind, recorded_at, body, checksum FROM payportal_journal "
        "WHERE customer_id = ? AND sequence > ? ORDER BY sequence LIMIT ?"
    ),
    "outbox.insert": (
        "INSERT INTO payportal_outbox (position, topic, body, checksum, created_at) "
        "VALUES (?, ?, ?, ?, ?)"
    ),
    "outbox.read": (
        "SELECT position, topic, body, checksum, created_at FROM payportal_outbox "
        "WHERE position > ? ORDER BY position LIMIT ?"
    ),
    "cursor.get": "SELECT position FROM payportal_outbox_cursors WHERE consumer = ?",
    "cursor.set": (
        "INSERT INTO payportal_outbox_cursors (consumer, position) VALUES (?, ?) "
        "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position"
    ),
}

_POSTGRES_ONLY: Final[dict[str, str]] = {
    # Any fixed number: the key of the advisory lock that serialises migrations.
    "schema.lock": "SELECT pg_advisory_xact_lock(7272701)",
    "document.get_many": (
        "SELECT document_id, version, body, checksum, document_type FROM payportal_documents "
        "WHERE document_id IN (SELECT jsonb_array_elements_text(%s::jsonb))"
    ),
}


def _to_postgres(sql: str) -> str:
    # No statement above has a literal '?' or '%', so this is a plain placeholder swap.
    return sql.replace("?", "%s")


_BY_DIALECT: Final[dict[Dialect, dict[str, str | None]]] = {
    "sqlite": dict(SQL),
    "postgres": {
        name: _POSTGRES_ONLY.get(name, None if sql is None else _to_postgres(sql))
        for name, sql in SQL.items()
    },
}


WRITES: Final = frozenset(
    name
    for name in SQL
    if name.split(".")[1] in {"create", "set", "insert", "update", "put", "delete", "bump", "take"}
) | {"ddl"}
"""The statements that change the database; a read-only transaction refuses them."""


def refuse_write(query: Query) -> None:
    """Raise :class:`StorageError` if ``query`` writes (it is in a read-only transaction)."""
    if query.name in WRITES:
        raise StorageError(
            f"a read-only transaction cannot write ({query.name}); open it with "
            "storage.transaction() to change something"
        )


def read_only(execute: Callable[[Query], T]) -> Callable[[Query], T]:
    """``execute`` refusing, before it reaches the database, every statement that writes."""

    def guarded(query: Query) -> T:
        refuse_write(query)
        return execute(query)

    return guarded


def sql_for(dialect: Dialect, query: Query) -> str | None:
    """The SQL text of ``query`` in ``dialect``; ``None`` when the dialect needs none."""
    if query.sql is not None:
        return query.sql
    return _BY_DIALECT[dialect][query.name]
