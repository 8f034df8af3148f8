from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from hypothesis import HealthCheck, settings

import pg_cluster

if TYPE_CHECKING:
    from collections.abc import Iterator

    from payportal.storage import Storage

# CI machines are slow and shared: no per-example deadline, and a fixed number of examples.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
# The fuzz tests' full size (nox -s fuzz sets PAYPORTAL_FUZZ_EXAMPLES instead).
settings.register_profile("fuzz", parent=settings.get_profile("default"), max_examples=10_000)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# Every file a test reads is under tests/data, with its provenance (tests/data/README.md).
DATA = Path(__file__).resolve().parent / "data"


def missing_system_part(what: str, install: str) -> NoReturn:
    """A system part a test needs (a browser, a database server) is not installed.

    In CI (``CI`` set, as ``.ci/run`` runs) that is a failure: ``.ci/run`` installs every
    system part, so a missing one is a broken CI script, never a silent skip. On a developer's
    machine the test is skipped with the command that installs it, shown in pytest's summary.
    """
    message = f"{what} is not installed; install it with: {install}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def which_or_missing(names: tuple[str, ...], what: str, install: str) -> str:
    """The path of the first of ``names`` on PATH, or :func:`missing_system_part`."""
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    missing_system_part(what, install)


@pytest.fixture(scope="session")
def system_tool() -> object:
    """:func:`which_or_missing` for tests: ``system_tool(("chromium",), "Chromium", "apt-get
    install chromium")`` gives the path or fails (CI) / skips (elsewhere) naming the command."""
    return which_or_missing


@pytest.fixture(scope="session")
def system_part_missing() -> object:
    """:func:`missing_system_part` for fixtures that find a system part themselves (the
    PostgreSQL cluster): fails in CI, skips elsewhere, naming the install command."""
    return missing_system_part


@pytest.fixture(scope="session")
def pg_server(system_part_missing: Any) -> Iterator[pg_cluster.Cluster]:
    """One throwaway PostgreSQL cluster for the whole session (storage and booking tests),
    stopped at its end; see tests/pg_cluster.py."""
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
def pg_conninfo(pg_server: pg_cluster.Cluster) -> Iterator[str]:
    """A connection string whose tables land in a fresh schema of the session's cluster."""
    import psycopg  # noqa: PLC0415 - only the tests that use PostgreSQL need the driver

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield pg_server.conninfo(options=f"'-c search_path={schema}'")
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


#: The storage adapters the ``storage`` fixture runs a test on.
STORAGES = ["memory", "sqlite-memory", "sqlite-file", "postgres"]


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A migrated storage of every kind (a folder's own ``storage`` fixture overrides it)."""
    from payportal.storage import PostgresStorage, SQLiteStorage  # noqa: PLC0415
    from payportal.testing._memory_storage import MemoryStorage  # noqa: PLC0415

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
