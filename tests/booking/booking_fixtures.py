"""Storages of every kind and shareable databases for the booking tests (imported by the
test modules that need them: a conftest.py here would shadow tests/conftest.py when pytest
collects that as a doctest module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from payportal.storage import PostgresStorage, SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from payportal.storage import Storage

ADAPTERS = ["memory", "sqlite-memory", "sqlite-file", "postgres"]


@pytest.fixture(params=ADAPTERS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A migrated storage of every kind."""
    store: Storage
    if request.param == "memory":
        store = MemoryStorage()
    elif request.param == "sqlite-memory":
        store = SQLiteStorage(":memory:")
    elif request.param == "sqlite-file":
        store = SQLiteStorage(tmp_path / "portal.db")
    else:
        store = PostgresStorage(request.getfixturevalue("pg_conninfo"), max_size=4)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(params=["sqlite-file", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """``(kind, where)`` of an empty database that other processes can share."""
    if request.param == "sqlite-file":
        return "sqlite-file", str(tmp_path / "portal.db")
    return "postgres", request.getfixturevalue("pg_conninfo")
