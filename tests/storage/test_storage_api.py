from __future__ import annotations

import payportal.storage
from payportal import exceptions
from payportal.exceptions import PayportalError, StorageError


def test_the_public_names_are_pinned() -> None:
    assert sorted(payportal.storage.__all__) == sorted(
        [
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
    )
    for name in payportal.storage.__all__:
        assert getattr(payportal.storage, name) is not None


def test_storage_errors_are_payportal_errors() -> None:
    for name in ("ConcurrentUpdateError", "StorageUnavailableError", "CorruptRecordError"):
        error = getattr(exceptions, name)
        assert issubclass(error, StorageError)
        assert issubclass(error, PayportalError)
