"""Requests at once on one invoice, on a storage shared by processes: one open hold per
invoice, one resolution per hold, one plan agreed and cancelled once, however the writers
interleave."""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING

import pytest
from arrangements_world import Clock, arrangements, store_world, topics

from payportal.exceptions import InvalidTransitionError, ValidationError
from payportal.storage import PostgresStorage, SQLiteStorage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from payportal.storage import Storage

WRITERS = 4


@pytest.fixture(params=["sqlite-file", "postgres"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Storage]]:
    """Opens a new connection pool to one database per call (one per writer)."""
    opened: list[Storage] = []

    def connect() -> Storage:
        store: Storage
        if request.param == "sqlite-file":
            store = SQLiteStorage(tmp_path / "portal.db")
        else:
            store = PostgresStorage(request.getfixturevalue("pg_conninfo"), max_size=2)
        opened.append(store)
        return store

    connect().migrate()
    yield connect
    for store in opened:
        store.close()


def at_once(work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in WRITERS threads released together; their results or errors."""
    start = threading.Barrier(WRITERS)
    results: list[object] = [None] * WRITERS

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_one_open_hold_one_resolution_one_plan_under_concurrent_writers(
    shared: Callable[[], Storage],
) -> None:
    first = shared()
    store_world(first, [10_000, 8_000])
    portals = [arrangements(shared(), Clock(date(2026, 3, 20))) for _ in range(WRITERS)]

    opened = at_once(lambda i: portals[i].dispute("42", "inv-1", reason=f"reason {i}"))
    errors = [r for r in opened if isinstance(r, Exception)]
    assert len(errors) == WRITERS - 1, opened
    assert all(isinstance(e, ValidationError) and "open dispute" in str(e) for e in errors)
    [hold] = portals[0].holds("42")

    resolved = at_once(lambda i: portals[i].reject("42", hold.id, message=f"no {i}"))
    refused = [r for r in resolved if isinstance(r, Exception)]
    assert len(refused) == WRITERS - 1, resolved
    assert all(isinstance(e, InvalidTransitionError) for e in refused)
    assert len(portals[0].hold("42", hold.id).steps) == 2

    agreed = at_once(
        lambda i: portals[i].grant_instalments(
            "42", "inv-2", count=2 + i, first_due_on=date(2026, 4, 1)
        )
    )
    assert sum(not isinstance(r, Exception) for r in agreed) == 1, agreed
    cancelled = at_once(lambda i: portals[i].cancel_plan("inv-2", note=f"by {i}"))
    assert sum(not isinstance(r, Exception) for r in cancelled) == 1, cancelled
    assert topics(first) == [
        "dispute.opened",
        "dispute.rejected",
        "instalments.granted",
        "instalments.cancelled",
    ]
