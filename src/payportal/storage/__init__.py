"""What payportal remembers, stored safely: SQLite embedded, PostgreSQL for many workers.

One small protocol, :class:`Storage`, covers everything the library keeps: customers'
master data, customer accounts and documents (with optimistic versions), payments and
payment intents, the keys of processed events (exactly-once), bank-transfer payments,
provider orders, link versions, master-data change records, an append-only journal and an
outbox. Every write of one operation happens in one transaction::

    with storage.transaction() as tx:
        if tx.mark_processed("paypal", event.id):      # False: seen before, nothing to do
            stored = tx.load_account(customer_id)
            tx.save_account(new_account, version=stored.version)
            tx.append_journal(customer_id, "payment_booked", {...})
            tx.publish("payment.booked", {...})

Adapters: :class:`SQLiteStorage` (standard library, a WAL file or ``":memory:"``),
:class:`PostgresStorage` (psycopg 3 and psycopg_pool: ``pip install "payportal[postgres]"``),
their asyncio twins :class:`AsyncSQLiteStorage` and :class:`AsyncPostgresStorage`, and
``payportal.testing.MemoryStorage`` for tests. All pass one contract test suite.

Adapters for the library's other state: :class:`StorageTransferStore` (a
:class:`~payportal.providers.bank_transfer.TransferStore`), :class:`StorageOrders`
(BillPay's ``orders`` mapping) and :class:`StorageLinkVersions` (a
:class:`~payportal.links.LinkVersions`).

Errors: :class:`~payportal.exceptions.ConcurrentUpdateError` (a save based on a stale
version; nothing was written), :class:`~payportal.exceptions.StorageUnavailableError` (the
database cannot be reached or stayed locked; the driver's error is the cause),
:class:`~payportal.exceptions.CorruptRecordError` (a stored record cannot be read back),
all :class:`~payportal.exceptions.StorageError`. No driver exception escapes raw.

The schema is created and upgraded by :meth:`Storage.migrate`, in numbered steps
(:data:`SCHEMA_VERSION` is the newest); see the guide page ``docs/guide/storage.md``.
"""

from payportal.exceptions import (
    ConcurrentUpdateError,
    CorruptRecordError,
    StorageError,
    StorageUnavailableError,
)
from payportal.storage._adapters import StorageLinkVersions, StorageOrders, StorageTransferStore
from payportal.storage._migrations import LATEST as SCHEMA_VERSION
from payportal.storage._postgres import AsyncPostgresStorage, PostgresStorage
from payportal.storage._records import JournalEntry, OutboxMessage, PaymentIntent, Versioned
from payportal.storage._sqlite import AsyncSQLiteStorage, SQLiteStorage
from payportal.storage._transaction import AsyncStorage, AsyncTransaction, Storage, Transaction

__all__ = [
    "SCHEMA_VERSION",
    "AsyncPostgresStorage",
    "AsyncSQLiteStorage",
    "AsyncStorage",
    "AsyncTransaction",
    "ConcurrentUpdateError",
    "CorruptRecordError",
    "JournalEntry",
    "OutboxMessage",
    "PaymentIntent",
    "PostgresStorage",
    "SQLiteStorage",
    "Storage",
    "StorageError",
    "StorageLinkVersions",
    "StorageOrders",
    "StorageTransferStore",
    "StorageUnavailableError",
    "Transaction",
    "Versioned",
]
