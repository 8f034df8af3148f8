"""The asyncio twins: the same contract, without blocking the event loop."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
import time
from typing import TYPE_CHECKING

import pytest
import storage_samples as samples

from payportal.exceptions import ConcurrentUpdateError
from payportal.storage import (
    SCHEMA_VERSION,
    AsyncPostgresStorage,
    AsyncSQLiteStorage,
    AsyncTransaction,
    Transaction,
    Versioned,
)

if TYPE_CHECKING:
    from pathlib import Path


class BoomError(Exception):
    pass


@pytest.fixture(params=["sqlite-file", "postgres"])
def make_async(request: pytest.FixtureRequest):
    if request.param == "sqlite-file":
        path = request.getfixturevalue("sqlite_path")
        return lambda: AsyncSQLiteStorage(path)
    conninfo = request.getfixturevalue("pg_conninfo")
    return lambda: AsyncPostgresStorage(conninfo, max_size=4)


def test_the_async_transaction_mirrors_the_sync_one() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")
        }

    sync, other = public(Transaction), public(AsyncTransaction)
    assert sync == other
    assert all(inspect.iscoroutinefunction(getattr(AsyncTransaction, n)) for n in other)
    assert len(sync) > 20


def test_async_batches_of_documents_and_messages(make_async) -> None:
    async def main() -> None:
        storage = make_async()
        try:
            await storage.migrate()
            first, second = samples.invoice("inv-1"), samples.invoice("inv-2")
            async with storage.transaction() as tx:
                assert await tx.save_documents([(first, 0), (second, 0)]) == [1, 1]
                assert await tx.publish_many([("a", {"n": 1}), ("b", {"n": 2})]) == [1, 2]
            async with storage.transaction() as tx:
                loaded = await tx.load_documents(["inv-2", "inv-1", "nope"])
                assert loaded == {"inv-2": Versioned(second, 1), "inv-1": Versioned(first, 1)}
                renamed = samples.invoice("inv-1", title="x")
                assert await tx.save_documents([(renamed, 1)]) == [2]
            with pytest.raises(ConcurrentUpdateError):
                async with storage.transaction() as tx:
                    await tx.save_documents([(second, 1), (first, 1)])
            async with storage.transaction() as tx:
                assert await tx.load_documents(["inv-1", "inv-2"]) == {
                    "inv-1": Versioned(samples.invoice("inv-1", title="x"), 2),
                    "inv-2": Versioned(second, 1),
                }
                assert [m.topic for m in await tx.outbox()] == ["a", "b"]
        finally:
            await storage.close()

    asyncio.run(main())


def test_async_storage_keeps_the_contract(make_async) -> None:
    async def main() -> None:
        storage = make_async()
        try:
            assert await storage.migrate() == SCHEMA_VERSION
            async with storage.transaction() as tx:
                assert await tx.save_account(samples.account(), version=0) == 1
                assert await tx.mark_processed("paypal", "WH-1") is True
                assert await tx.mark_processed("paypal", "WH-1") is False
                await tx.publish("payment.booked", {"n": 1})
            with pytest.raises(BoomError):  # noqa: PT012 - the transaction raises
                async with storage.transaction() as tx:
                    await tx.save_account(samples.account(items=2), version=1)
                    raise BoomError
            with pytest.raises(ConcurrentUpdateError):
                async with storage.transaction() as tx:
                    await tx.save_account(samples.account(items=2), version=0)
            async with storage.transaction() as tx:
                assert await tx.load_account("42") == Versioned(samples.account(), 1)
                assert [m.payload for m in await tx.outbox()] == [{"n": 1}]
        finally:
            await storage.close()

    asyncio.run(main())


def test_concurrent_tasks_lose_no_update(make_async) -> None:
    async def add(storage, key: str) -> None:
        while True:
            try:
                async with storage.transaction() as tx:
                    stored = await tx.load_account("42")
                    await asyncio.sleep(0)  # let the other tasks run in between
                    changed = samples.with_item(stored.value, key)
                    await tx.save_account(changed, version=stored.version)
                return
            except ConcurrentUpdateError:
                continue

    async def main() -> None:
        storage = make_async()
        try:
            await storage.migrate()
            async with storage.transaction() as tx:
                await tx.save_account(samples.account(items=0), version=0)
            keys = [f"k{n}" for n in range(12)]
            await asyncio.gather(*(add(storage, key) for key in keys))
            async with storage.transaction() as tx:
                stored = await tx.load_account("42")
            assert set(stored.value.items) == set(keys)
            assert stored.version == 1 + len(keys)
        finally:
            await storage.close()

    asyncio.run(main())


def test_waiting_for_the_sqlite_lock_does_not_block_the_event_loop(sqlite_path: Path) -> None:
    ticks = 0

    async def heartbeat(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> None:
        storage = AsyncSQLiteStorage(sqlite_path, timeout=5)
        await storage.migrate()
        blocker = sqlite3.connect(sqlite_path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, lambda: blocker.execute("ROLLBACK"))
        release.start()
        stop = asyncio.Event()
        beating = asyncio.create_task(heartbeat(stop))
        started = time.monotonic()
        async with storage.transaction() as tx:  # waits ~0.5 s for the blocker
            await tx.mark_processed("paypal", "WH-1")
        waited = time.monotonic() - started
        stop.set()
        await beating
        release.join()
        blocker.close()
        await storage.close()
        assert waited >= 0.4
        assert ticks >= 10  # the loop kept running while the transaction waited

    asyncio.run(main())
