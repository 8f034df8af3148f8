"""Code the booking tests run in forked processes."""

from __future__ import annotations

import random
import time
from typing import Any

from booking_world import event, open_storage

from payportal.booking import EventKind, Outcome, book, book_in

_start: Any = None


def wait_here(barrier: Any) -> None:
    """Pool initializer: remember the barrier every worker waits at before booking."""
    global _start  # noqa: PLW0603 - one per worker process
    _start = barrier


def captures(count: int) -> list[Any]:
    """``count`` captures of 10.00 on intents pi-0 ... (one per intent)."""
    return [
        event(EventKind.CAPTURED, 1000, f"paypal:capture:C{n}", intent_id=f"pi-{n}")
        for n in range(count)
    ]


def book_all(kind: str, where: str, seed: int, count: int) -> dict[str, int]:
    """Book every capture of :func:`captures` in a shuffled order; count the outcomes."""
    storage = open_storage(kind, where)
    events = captures(count)
    random.Random(seed).shuffle(events)
    outcomes = dict.fromkeys((o.value for o in Outcome), 0)
    if _start is not None:
        _start.wait(timeout=60)
    try:
        for one in events:
            outcomes[book(storage, one, attempts=50).outcome.value] += 1
    finally:
        storage.close()
    return outcomes


def book_and_hang(kind: str, where: str, ready: Any) -> None:
    """Book capture 0 inside a transaction, say so, and wait to be killed before commit."""
    storage = open_storage(kind, where)
    with storage.transaction() as tx:
        outcome = book_in(tx, captures(1)[0])
        assert outcome.outcome is Outcome.BOOKED
        ready.set()
        time.sleep(60)
