"""Reconcile a statement: 100,000 entries against 100,000 open items.

Run with ``python bench/bench_reconciliation.py``. The open items belong to 10,000 customer
accounts (ten each). A third of the entries carry a known RF reference in their text, a
third a structured creditor reference, a fifth only the invoice number ("Rechnung
RE-2026-004711"), the rest no reference at all, some of those from a payer whose name and
amount fit. Paid amounts are exact, partial or over.

Prints entries per second at 10,000 and at 100,000 entries (each against as many items) and
the scaling ratio between them; the target is under 12, i.e. no quadratic matching. Timings
are CPU seconds with the garbage collector off, as :mod:`timeit` does; the figures with it on
are printed too (CPython's collector makes any program that keeps 100,000 results alive
slower per object than one that keeps 10,000). There
is no reconciliation library to compare with, so the anchor is the part no reconciler can
skip: one :func:`payportal.references.find` over every entry's text, measured in the same
run; the ratio says what indexing, matching and allocating add to it. A loop that is linear
by construction (a dict look-up by random key and one small result kept per element) is
timed at both sizes too: its ratio shows what the machine's caches and allocator alone add to
the 10x, since a random access into 100,000 items misses caches that 10,000 items fit in.
"""

from __future__ import annotations

import gc
import random
import time
from datetime import date
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import Customer
from payportal.reconciliation import Direction, StatementEntry, reconcile
from payportal.references import find, rf

if TYPE_CHECKING:
    from collections.abc import Callable

REPEATS = 3
ITEMS_PER_ACCOUNT = 10
DAY = date(2026, 3, 2)


def best_of(
    function: Callable[[], object], repeats: int = REPEATS, *, collect: bool = False
) -> float:
    """The fastest of ``repeats`` runs, in CPU seconds: the least disturbed by the machine.

    Like :mod:`timeit`, the garbage collector is off while timing unless ``collect``: a
    collection's cost grows with every object the process holds, so with it on the ratio
    measures the interpreter's heap as much as the matching.
    """
    timings = []
    for _ in range(repeats):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            start = time.process_time()
            function()
            timings.append(time.process_time() - start)
        finally:
            gc.enable()
    return min(timings)


def world(
    size: int, seed: int = 7
) -> tuple[list[StatementEntry], list[CustomerAccount], list[Customer], dict[str, str]]:
    rng = random.Random(seed)
    accounts = []
    customers = []
    known: dict[str, str] = {}
    keys: list[tuple[str, int, str]] = []  # key, open cents, customer name
    for c in range(size // ITEMS_PER_ACCOUNT):
        name = f"Kunde {c:06d} Muster"
        items = []
        for i in range(ITEMS_PER_ACCOUNT):
            number = c * ITEMS_PER_ACCOUNT + i
            cents = rng.randrange(100, 500_000)
            key = f"RE-2026-{number:06d}"
            items.append(
                OpenItem.simple(key, Money.from_minor(cents, "EUR"), due=date(2026, 1, 1 + i))
            )
            known[rf.generate(f"2026{number:06d}")] = key
            keys.append((key, cents, name))
        accounts.append(CustomerAccount(customer_id=str(c), currency="EUR", items=items))
        customers.append(Customer(id=str(c), number=f"K-{c}", name=name))
    references = {key: ref for ref, key in known.items()}
    rng.shuffle(keys)
    entries = []
    for n, (key, cents, name) in enumerate(keys):
        paid = rng.choice([cents, cents, cents, cents // 2 or 1, cents + 1000])
        kind = n % 15
        fields: dict[str, object] = {"counterparty_name": name}
        if kind < 5:
            fields["remittance_text"] = f"SVWZ+Zahlung {rf.format(references[key])} Danke"
        elif kind < 10:
            fields["creditor_references"] = (references[key],)
            fields["remittance_text"] = "Online-Ueberweisung"
        elif kind < 13:
            fields["remittance_text"] = f"Rechnung {key} vom 01.02.2026"
        else:
            fields["remittance_text"] = "Zahlung laut Vertrag"
            paid = cents
        entries.append(
            StatementEntry(f"e{n}", DAY, Money.from_minor(paid, "EUR"), Direction.CREDIT, **fields)  # type: ignore[arg-type]
        )
    return entries, accounts, customers, known


def measure(size: int) -> tuple[float, float, float, int]:
    entries, accounts, customers, known = world(size)
    texts = [e.remittance_text for e in entries]
    known_set = frozenset(known)

    def run() -> None:
        reconcile(entries, accounts, known_references=known, customers=customers)

    def anchor() -> None:
        for text in texts:
            find(text, known=known_set)

    proposal = reconcile(entries, accounts, known_references=known, customers=customers)
    matched = len(proposal.matches)
    del proposal
    return best_of(run), best_of(run, 1, collect=True), best_of(anchor), matched


def linear_calibration(size: int) -> float:
    """The time of a loop that is linear by construction and touches memory the way matching
    does: a look-up by a random key in a dict of ``size`` entries, one small result kept per
    entry. Its 10k -> 100k ratio is what cache and allocator effects alone cost here."""
    rng = random.Random(1)
    table = {f"RE-{i:06d}": (i, str(i)) for i in range(size)}
    keys = list(table)
    rng.shuffle(keys)

    def run() -> None:
        kept = []
        for key in keys:
            value = table[key]
            kept.append({"key": key, "value": value, "parts": [value[0], value[1]]})

    return best_of(run)


def main() -> None:
    small, small_gc, _, small_matched = measure(10_000)
    large, large_gc, large_anchor, large_matched = measure(100_000)
    for size, took, with_gc, matched in (
        (10_000, small, small_gc, small_matched),
        (100_000, large, large_gc, large_matched),
    ):
        print(
            f"reconcile {size:>7,} entries x {size:>7,} items: {size / took:>7,.0f} entries/s "
            f"({size / with_gc:,.0f} with the garbage collector on; {matched:,} matched)"
        )
    print(f"anchor: find() alone over 100,000 texts: {100_000 / large_anchor:,.0f} entries/s")
    print(f"scaling 10k -> 100k: {large / small:.2f}x time (target < 12)")
    print(f"scaling 10k -> 100k with the garbage collector on: {large_gc / small_gc:.2f}x")
    print(f"reconcile / find() alone at 100k: {large / large_anchor:.2f}x")
    calibration = linear_calibration(100_000) / linear_calibration(10_000)
    print(f"scaling 10k -> 100k of a trivially linear loop on this machine: {calibration:.2f}x")


if __name__ == "__main__":
    main()
