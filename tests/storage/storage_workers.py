"""Code the storage tests run in other processes (importable, so ``spawn`` can start it)."""

from __future__ import annotations

import time
from typing import Any

import storage_samples as samples
from storage_backends import open_database

from payportal.exceptions import ConcurrentUpdateError


def add_items(kind: str, where: str, worker: int, count: int, start: Any = None) -> int:
    """Add ``count`` items to account 42, retrying on conflicts; return how many there were.

    Every other item is read in one transaction and written in the next, so only the
    version check stands between two writers; the others are read and written in one
    transaction, where the database's locks keep writers apart. ``start`` is a barrier
    all writers wait at, so that they really overlap.
    """
    storage = open_database(kind, where)
    conflicts = 0
    if start is not None:
        start.wait(timeout=60)
    try:
        for n in range(count):
            split = n % 2 == 1
            while True:
                try:
                    if split:
                        with storage.transaction() as tx:
                            stored = tx.load_account("42")
                        time.sleep(0.005)  # the app's work between read and write
                    with storage.transaction() as tx:
                        if not split:
                            stored = tx.load_account("42")
                        assert stored is not None
                        changed = samples.with_item(stored.value, f"w{worker}-{n}")
                        tx.save_account(changed, version=stored.version)
                        tx.append_journal("42", "item_added", {"key": f"w{worker}-{n}"})
                    break
                except ConcurrentUpdateError:
                    conflicts += 1
    finally:
        storage.close()
    return conflicts


def write_and_hang(kind: str, where: str, ready: Any) -> None:
    """Change account 42 and more inside a transaction, send ``"ready"`` on the pipe end
    ``ready``, and wait to be killed."""
    storage = open_database(kind, where)
    with storage.transaction() as tx:
        stored = tx.load_account("42")
        assert stored is not None
        tx.save_account(samples.with_item(stored.value, "half-done"), version=stored.version)
        tx.mark_processed("paypal", "WH-killed")
        tx.publish("payment.booked", {"killed": True})
        ready.send("ready")
        time.sleep(60)
