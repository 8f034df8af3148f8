from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
import pytest
from storage_backends import empty_contract_schema, make_storage

from payportal.storage import PostgresStorage

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pg_cluster
    from payportal.storage import Storage

ADAPTERS = ["memory", "sqlite-memory", "sqlite-file", "postgres"]
DATABASES = ["sqlite-file", "postgres"]  # real databases that other processes can share


@pytest.fixture(scope="session")
def pg_contract_schema(pg_server: pg_cluster.Cluster) -> str:
    """A schema migrated once per session; ``pg_clean`` empties it for each test."""
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA contract")
    conninfo = pg_server.conninfo(options="'-c search_path=contract'")
    storage = PostgresStorage(conninfo, max_size=1)
    storage.migrate()
    storage.close()
    return conninfo


@pytest.fixture
def pg_clean(pg_contract_schema: str) -> str:
    """A migrated, empty PostgreSQL schema: faster than migrating a new one per test."""
    empty_contract_schema(pg_contract_schema)
    return pg_contract_schema


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "portal.db"


@pytest.fixture(params=ADAPTERS)
def storage(request: pytest.FixtureRequest) -> Iterator[Storage]:
    """A migrated, empty storage of every kind."""
    if request.param == "postgres":
        with PostgresStorage(request.getfixturevalue("pg_clean"), max_size=4) as storage:
            yield storage
        return
    storage = make_storage(request.param, request)
    storage.migrate()
    yield storage


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> tuple[str, str]:
    """``(kind, where)`` of an empty real database: a file path or a connection string."""
    if request.param == "sqlite-file":
        return "sqlite-file", str(request.getfixturevalue("sqlite_path"))
    return "postgres", request.getfixturevalue("pg_conninfo")
