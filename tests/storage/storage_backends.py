"""Storages of every kind for the tests, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

from payportal.storage import PostgresStorage, SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    import pytest

    from payportal.storage import Storage


def make_storage(kind: str, request: pytest.FixtureRequest) -> Storage:
    """An unmigrated storage of ``kind``, closed when the test ends."""
    storage: Storage
    if kind == "memory":
        storage = MemoryStorage()
    elif kind == "sqlite-memory":
        storage = SQLiteStorage(":memory:")
    elif kind == "sqlite-file":
        storage = SQLiteStorage(request.getfixturevalue("sqlite_path"))
    else:
        storage = PostgresStorage(request.getfixturevalue("pg_conninfo"), max_size=4)
    request.addfinalizer(storage.close)
    return storage


def open_database(kind: str, where: str) -> Storage:
    if kind == "sqlite-file":
        return SQLiteStorage(where)
    return PostgresStorage(where, max_size=2)


def empty_contract_schema(conninfo: str) -> None:
    """Remove every row of the contract schema but its schema version."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'contract' "
                "AND tablename <> 'payportal_schema'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
