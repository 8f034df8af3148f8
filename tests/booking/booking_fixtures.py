"""Storages of every kind and shareable databases for the booking tests (imported by the
test modules that need them: a conftest.py here would shadow tests/conftest.py when pytest
collects that as a doctest module)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The throwaway PostgreSQL cluster of the storage tests, reused rather than copied.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "storage"))

import pg_cluster
import psycopg

from payportal.storage import PostgresStorage, SQLiteStorage
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator

    from payportal.storage import Storage

ADAPTERS = ["memory", "sqlite-memory", "sqlite-file", "postgres"]


@pytest.fixture(scope="session")
def booking_pg_server(system_part_missing: Any) -> Iterator[pg_cluster.Cluster]:
    try:
        cluster = pg_cluster.start()
    except pg_cluster.MissingServerError as exc:
        # Fails in CI (.ci/run installs PostgreSQL), skips elsewhere naming the install.
        system_part_missing(f"PostgreSQL's server ({exc})", "apt-get install postgresql")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def booking_pg_conninfo(booking_pg_server: pg_cluster.Cluster) -> Iterator[str]:
    schema = f"b_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(booking_pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield booking_pg_server.conninfo(options=f"'-c search_path={schema}'")
    with psycopg.connect(booking_pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


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
        store = PostgresStorage(request.getfixturevalue("booking_pg_conninfo"), max_size=4)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(params=["sqlite-file", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """``(kind, where)`` of an empty database that other processes can share."""
    if request.param == "sqlite-file":
        return "sqlite-file", str(tmp_path / "portal.db")
    return "postgres", request.getfixturevalue("booking_pg_conninfo")
