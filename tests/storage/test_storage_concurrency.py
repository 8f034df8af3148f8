"""Many processes writing one account lose no update, on SQLite files and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading

import storage_samples as samples
import storage_workers
from storage_backends import open_database

PROCESSES = 8
ITEMS = 6


def test_eight_processes_writing_one_account_lose_no_update(database: tuple[str, str]) -> None:
    kind, where = database
    storage = open_database(kind, where)
    storage.migrate()
    with storage.transaction() as tx:
        tx.save_account(samples.account(items=0), version=0)
    storage.close()  # the workers open their own; nothing of this one may be inherited
    # Forking starts the workers in milliseconds instead of seconds of imports each; it is
    # safe only while this process runs no other thread, else a fork server does it.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    barrier = context.Barrier(PROCESSES)
    workers = [
        context.Process(
            target=storage_workers.add_items, args=(kind, where, worker, ITEMS, barrier)
        )
        for worker in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * PROCESSES  # tracebacks are on stderr
    storage = open_database(kind, where)
    with storage.transaction() as tx:
        stored = tx.load_account("42")
        journal = tx.journal(limit=10_000)
    storage.close()
    assert stored is not None
    expected = {f"w{w}-{n}" for w in range(PROCESSES) for n in range(ITEMS)}
    assert set(stored.value.items) == expected  # every worker's every item: none lost
    assert stored.version == 1 + PROCESSES * ITEMS  # one version per successful save
    assert len(journal) == PROCESSES * ITEMS  # a conflict's journal entry was rolled back
