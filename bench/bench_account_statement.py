"""The account statement of a customer with N documents and N payments (issue 27).

Target: linear growth, time(100k) / time(10k) below 12.

Shape: an account with N open items (documents, their due dates spread over five years, a
third of them settled, a third part paid, in the order they were issued) and a ledger of 2N
entries in booking order (each document billed, N payments); the statement covers the last
year of the five (opening balance worked back over the whole ledger, about a fifth of the
entries listed with running balances) and ages every open item.
:func:`payportal.accounts.customer_statement` is timed, and
:func:`payportal.accounts.statement_to_csv` of the same statement in German beside it.

Anchor: a plain loop summing the amounts of the same ledger entries with ``Money`` addition,
the least work any statement must do, measured in the same run; the ratio
statement / anchor is printed, and the anchor's own growth from 10k to 100k for context (a
linear loop grows by more than 10 where 10k entries fit the CPU's caches and 100k do not).

Timing: the least CPU time (``time.process_time``) of a few runs with the garbage collector
off; the account is built before, outside the timed region.

Figures of a run on the shared 2-core machine (2026-12-06): 10k 0.028 s (anchor 0.017 s,
1.6x), 100k 0.27 s (anchor 0.18 s, 1.5x), growth 9.6 (the anchor's own 10.8); the German CSV
of the same statement 0.03 s and 0.33 s.

Run with ``python bench/bench_account_statement.py`` (``--quick``: 10k only).
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import (
    CustomerAccount,
    EntryKind,
    LedgerEntry,
    OpenItem,
    customer_statement,
    statement_to_csv,
)
from payportal.i18n import translator_for

if TYPE_CHECKING:
    from collections.abc import Callable

START = date(2021, 1, 1)
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def build(count: int) -> CustomerAccount:
    rng = random.Random(27)
    # What each document and payment is, drawn first; the objects are then made in booking
    # order, as an account decoded from storage has them (its ledger in the order it grew,
    # its documents in the order they were issued), so neither the sort nor the memory
    # layout is shuffled more than a real ledger is.
    documents = []
    for index in range(count):
        issued = START + timedelta(days=rng.randrange(5 * 365))
        units = rng.randrange(1_000, 100_000)
        share = index % 3  # settled, part paid, open
        paid = units if share == 0 else units // 2 if share == 1 else 0
        documents.append((issued, index, units, paid, rng.randrange(1, 40)))
    documents.sort()
    bookings = []
    for issued, index, units, paid, after in documents:
        bookings.append((issued, 0, index, units))
        bookings.append((issued + timedelta(days=after), 1, index, -(paid or 100)))
    bookings.sort()
    ledger = [
        LedgerEntry(
            on,
            EntryKind.PAYMENT if kind else EntryKind.ITEM,
            f"P-{index}" if kind else f"RE-{index}",
            Money.from_minor(units, "EUR"),
        )
        for on, kind, index, units in bookings
    ]
    items = [
        OpenItem.simple(
            f"RE-{index}",
            Money.from_minor(units, "EUR"),
            due=issued + timedelta(days=14),
            issued=issued,
        ).with_units((0, 0, units - paid))
        for issued, index, units, paid, _ in documents
    ]
    return CustomerAccount(customer_id="42", currency="EUR", items=items, ledger=ledger)


def best(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            began = time.process_time()
            work()
            times.append(time.process_time() - began)
        finally:
            gc.enable()
    return min(times)


def main() -> None:
    sizes = (10_000,) if "--quick" in sys.argv else (10_000, 100_000)
    german = translator_for("de_DE")
    results: dict[int, float] = {}
    anchors: dict[int, float] = {}
    print(
        f"{'N docs + N payments':>20} {'statement s':>12} {'anchor s':>10} {'ratio':>7} "
        f"{'lines':>7} {'csv s':>8}"
    )
    for size in sizes:
        account = build(size)
        ledger = account.ledger
        zero = Money.zero("EUR")

        def anchor(ledger: tuple[LedgerEntry, ...] = ledger, zero: Money = zero) -> Money:
            total = zero
            for entry in ledger:
                total += entry.amount
            return total

        def statement(account: CustomerAccount = account) -> object:
            return customer_statement(account, start=PERIOD[0], end=PERIOD[1])

        runs = 9 if size <= 10_000 else 3
        took = best(statement, runs)
        base = best(anchor, runs)
        made = customer_statement(account, start=PERIOD[0], end=PERIOD[1])
        csv_took = best(lambda made=made: statement_to_csv(made, german), runs)
        results[size] = took
        anchors[size] = base
        print(
            f"{size:>20,} {took:>12.4f} {base:>10.4f} {took / base:>6.1f}x "
            f"{len(made.lines):>7,} {csv_took:>8.4f}"
        )
    if len(results) == 2:
        growth = results[100_000] / results[10_000]
        verdict = "linear" if growth < 12 else "NOT linear"
        print(f"time(100k) / time(10k) = {growth:.1f} (target < 12: {verdict})")
        print(f"the anchor's own growth: {anchors[100_000] / anchors[10_000]:.1f}")


if __name__ == "__main__":
    main()
