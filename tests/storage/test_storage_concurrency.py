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


def test_outbox_positions_become_visible_in_order(database: tuple[str, str]) -> None:
    """A publisher that drew a later position cannot commit before an earlier one does, so a
    reader that remembers the last position it saw never skips a message."""
    kind, where = database
    storage = open_database(kind, where)
    storage.migrate()
    first_inside, first_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with storage.transaction() as tx:
                tx.publish("t", {"n": 1})
                first_inside.set()
                first_may_commit.wait(30)
        except BaseException as exc:
            errors.append(exc)
            first_inside.set()

    def second() -> None:
        try:
            with storage.transaction() as tx:
                tx.publish("t", {"n": 2})
        except BaseException as exc:
            errors.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert first_inside.wait(30)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)  # it waits for the first's lock instead of committing position 2
    reader = open_database(kind, where)
    try:
        with reader.transaction(read_only=True) as tx:
            assert tx.outbox() == []  # nothing visible yet, in particular not position 2
        first_may_commit.set()
        one.join(30)
        two.join(30)
        assert errors == []
        with reader.transaction(read_only=True) as tx:
            assert [(m.position, m.payload["n"]) for m in tx.outbox()] == [(1, 1), (2, 2)]
    finally:
        first_may_commit.set()
        reader.close()
        storage.close()
