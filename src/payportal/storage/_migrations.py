"""The schema, as numbered steps: each step is applied in one transaction with its number.

Never edit a released step; add a new one. A step is written for each dialect because
SQLite and PostgreSQL spell auto-numbered keys and integer widths differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    from payportal.storage._queries import Dialect

__all__ = ["LATEST", "MIGRATIONS", "Migration"]


@attrs.frozen
class Migration:
    """One schema step: its version, what it does, and its statements per dialect."""

    version: int
    description: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The statements of this step in ``dialect``."""
        return self.sqlite if dialect == "sqlite" else self.postgres


# Tables whose columns are the same in both dialects (TEXT and BIGINT mean the same to both).
_COMMON_V1 = (
    """CREATE TABLE payportal_accounts (
        customer_id TEXT PRIMARY KEY, version BIGINT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE payportal_documents (
        document_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
        document_type TEXT NOT NULL, version BIGINT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE INDEX payportal_documents_customer ON payportal_documents (customer_id)",
    """CREATE TABLE payportal_payments (
        provider TEXT NOT NULL, payment_id TEXT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (provider, payment_id))""",
    """CREATE TABLE payportal_payment_intents (
        intent_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL)""",
    "CREATE INDEX payportal_payment_intents_customer ON payportal_payment_intents (customer_id)",
    # Exactly-once: the primary key, not application code, refuses an event seen before.
    """CREATE TABLE payportal_processed_events (
        source TEXT NOT NULL, event_key TEXT NOT NULL, processed_at TEXT NOT NULL,
        PRIMARY KEY (source, event_key))""",
    "CREATE TABLE payportal_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    """CREATE TABLE payportal_transfers (
        payment_id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE,
        version BIGINT NOT NULL, body TEXT NOT NULL, checksum TEXT NOT NULL)""",
    """CREATE TABLE payportal_provider_orders (
        provider TEXT NOT NULL, reference TEXT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, PRIMARY KEY (provider, reference))""",
    """CREATE TABLE payportal_link_versions (
        customer_id TEXT PRIMARY KEY, version BIGINT NOT NULL)""",
)

# How each dialect spells an auto-numbered key.
_SERIAL_SQLITE = "INTEGER PRIMARY KEY AUTOINCREMENT"
_SERIAL_POSTGRES = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

_NUMBERED_V1 = (
    """CREATE TABLE payportal_change_records (
        record_id {serial}, customer_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL)""",
    """CREATE TABLE payportal_journal (
        sequence {serial}, customer_id TEXT NOT NULL, kind TEXT NOT NULL,
        recorded_at TEXT NOT NULL, body TEXT NOT NULL, checksum TEXT NOT NULL)""",
)

_V2 = (
    """CREATE TABLE payportal_outbox (
        position BIGINT PRIMARY KEY, topic TEXT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE payportal_outbox_cursors (
        consumer TEXT PRIMARY KEY, position BIGINT NOT NULL)""",
    "CREATE INDEX payportal_change_records_customer ON payportal_change_records (customer_id)",
    "CREATE INDEX payportal_journal_customer ON payportal_journal (customer_id, sequence)",
)

_V3 = (
    """CREATE TABLE payportal_customers (
        customer_id TEXT PRIMARY KEY, version BIGINT NOT NULL,
        body TEXT NOT NULL, checksum TEXT NOT NULL, updated_at TEXT NOT NULL)""",
)

MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "accounts, documents, payments, intents, processed events, transfers, orders, "
        "link versions, master-data change records and the journal",
        sqlite=_COMMON_V1 + tuple(s.format(serial=_SERIAL_SQLITE) for s in _NUMBERED_V1),
        postgres=_COMMON_V1 + tuple(s.format(serial=_SERIAL_POSTGRES) for s in _NUMBERED_V1),
    ),
    Migration(
        2,
        "the outbox, read by cursors, and indexes to read a customer's history",
        sqlite=_V2,
        postgres=_V2,
    ),
    Migration(3, "customers' master data, with versions", sqlite=_V3, postgres=_V3),
)

LATEST: Final = MIGRATIONS[-1].version
"""The schema version this payportal writes and reads."""
