"""Allocate one payment over 10k, 100k and 1M open items with every strategy.

Targets (issue 7): OLDEST_FIRST at least 1M items/s on 1M items, and for every strategy the
time at 1M over the time at 100k below 12 (no worse than O(n log n)).

Context: the 1M/100k ratio of a bare pass over the items (one attribute read each) is
printed first; on machines whose caches hold 100k items but not 1M it is well above 10 by
itself.

Anchor: the stdlib ``sorted()`` of the same items by (due date, issue date, number), the
full sort a naive allocation starts with, measured in the same run. OLDEST_FIRST should beat
it: a payment reaches only a few items, so a full sort is wasted work.

PROPORTIONAL gives every item a share, so its result holds a million lines at 1M items;
it runs up to 100k items unless ``--full`` is given (which adds about half a minute).

Timing: the least CPU time (``time.process_time``) of a few runs, with the garbage collector
off during each run; the items and the payments are built before, outside the timed region,
once for all strategies, and every strategy and the anchor run over the same items.

The many-items shape (issue 18): one OLDEST_FIRST payment covering about 70 % of N open
items, a customer paying most of their invoices at once. Targets: at least 1M items/s at
N = 100k and 1M, and time(1M) / time(100k) below 12. Printed next to it: the same payment
through the item-by-item engine (at 100k only; it is the engine before the bulk path), and
the time to build the result's 700k lines, which the bulk path defers to the first reader.

Run with ``python bench/bench_allocation.py`` (``--quick`` stops at 100k items; ``--many``
runs only the many-items shape).
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import OpenItem
from payportal.allocation import AllocationResult, Strategy, allocate

if TYPE_CHECKING:
    from collections.abc import Callable

SIZES = (10_000, 100_000, 1_000_000)
PAID_ON = date(2024, 6, 30)


def build(count: int) -> list[OpenItem]:
    rng = random.Random(7)
    amounts = [Money.from_minor(units, "EUR") for units in range(1_000, 100_000, 97)]
    start = date(2020, 1, 1)
    days = [start + timedelta(days=n) for n in range(2_000)]
    items = []
    for index in range(count):
        issued = rng.randrange(1_900)
        items.append(
            OpenItem.simple(
                f"RE-{index:07d}",
                rng.choice(amounts),
                due=days[issued + rng.randrange(100)],
                issued=days[issued],
                secured=rng.random() < 0.1,
                burden=rng.randrange(3),
            )
        )
    # Kept in creation order, like rows read from a database: the due dates are random, so
    # the list is not in allocation order, but the objects sit in memory in list order.
    return items


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The least CPU time of ``runs`` calls of ``work``, with the garbage collector off.

    CPU time of this process: the code is single-threaded, and CPU time stays meaningful on a
    shared machine where wall-clock time mostly measures the neighbours. The collector is
    off while timing (after a full collection before each run): a million live open items
    make every full collection traverse them all, so a run that happens to trigger one would
    be timing the collector and the items of the other sizes, not the allocation.
    """
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best


def payment_for(strategy: Strategy, items: list[OpenItem]) -> Money:
    if strategy is Strategy.PROPORTIONAL:
        # Half of everything open: every item gets a share, the split has to be exact.
        return Money.from_minor(sum(item.open_units for item in items) // 2, "EUR")
    return Money("5000.00", "EUR")  # a payment that settles a handful of items


def many_items(everything: list[OpenItem], sizes: tuple[int, ...]) -> None:
    """One payment covering ~70 % of N items, oldest first; the sorted() anchor beside it."""
    from payportal.allocation import _bulk  # noqa: PLC0415 - only to time the item-by-item engine

    print("\nmany items: one OLDEST_FIRST payment covering ~70 % of N open items")
    print(f"{'':<22} {'items':>10} {'CPU s':>9} {'items/s':>12}")
    timings: dict[int, float] = {}
    for size in sizes:
        items = everything[:size]
        payment = Money.from_minor(sum(item.open_units for item in items) * 7 // 10, "EUR")

        def run(items: list[OpenItem] = items, payment: Money = payment) -> object:
            return allocate(payment, items, strategy=Strategy.OLDEST_FIRST, paid_on=PAID_ON)

        anchor = best_of(
            1 if size >= 1_000_000 else 3, lambda items=items: sorted(items, key=_naive_key)
        )
        timings[size] = best_of(3, run)
        result = run()
        assert isinstance(result, AllocationResult)
        started = time.process_time()
        lines = len(result.lines)
        built = time.process_time() - started
        print(f"{'sorted() anchor':<22} {size:>10,} {anchor:>9.4f} {size / anchor:>12,.0f}")
        rate = size / timings[size]
        print(f"{'OLDEST_FIRST ~70 %':<22} {size:>10,} {timings[size]:>9.4f} {rate:>12,.0f}")
        print(f"{'  + reading its lines':<22} {lines:>10,} {built:>9.4f}")
        print(f"{'  anchor / allocation':<22} {anchor / timings[size]:>10.2f}")
        if size == 100_000:
            before, _bulk.BULK_FROM = _bulk.BULK_FROM, 10**12
            try:
                single = best_of(1, run)
            finally:
                _bulk.BULK_FROM = before
            print(f"{'item-by-item engine':<22} {size:>10,} {single:>9.4f} {size / single:>12,.0f}")
    if len(sizes) > 1:
        big, small = sizes[-1], sizes[-2]
        print(
            f"many items: time {big:,} / time {small:,} = {timings[big] / timings[small]:.2f} "
            "(target < 12)"
        )


def main(quick: bool, full: bool, many: bool) -> None:
    all_sizes = SIZES[:2] if quick else SIZES
    started = time.perf_counter()
    everything = build(all_sizes[-1])
    print(f"built {len(everything):,} open items in {time.perf_counter() - started:.1f} s")
    if many:
        many_items(everything, all_sizes[1:])
        return
    print(f"{'strategy':<14} {'items':>10} {'CPU s':>9} {'items/s':>12}")
    touch: dict[int, float] = {}
    for size in all_sizes:
        # Context for the 1M/100k ratios: one attribute read per item, the least any O(n)
        # validation does. Its ratio shows what the memory hierarchy alone adds at 1M items.
        items = everything[:size]
        touch[size] = best_of(3, lambda items=items: [item.key for item in items])
    big, small = all_sizes[-1], all_sizes[-2]
    print(f"{'one pass':<14} time {big:,} / time {small:,} = {touch[big] / touch[small]:.2f}")
    anchor: dict[int, float] = {}
    for size in all_sizes:
        items = everything[:size]
        anchor[size] = best_of(
            1 if size == 1_000_000 else 2, lambda items=items: sorted(items, key=_naive_key)
        )
        rate = size / anchor[size]
        print(f"{'sorted() anchor':<14} {size:>10,} {anchor[size]:>9.4f} {rate:>12,.0f}")
    for strategy in Strategy:
        sizes = all_sizes
        if strategy is Strategy.PROPORTIONAL and not full:
            sizes = all_sizes[:2]
            print(f"{strategy.name:<14} runs up to {sizes[-1]:,} items (--full for 1,000,000)")
        timings: dict[int, float] = {}
        for size in sizes:
            items = everything[:size]
            payment = payment_for(strategy, items)

            def run(
                items: list[OpenItem] = items,
                payment: Money = payment,
                strategy: Strategy = strategy,
            ) -> object:
                return allocate(
                    payment,
                    items,
                    strategy=strategy,
                    paid_on=PAID_ON,
                    specified=[items[0].key, "RE-UNKNOWN"],
                    fallback=Strategy.OLDEST_FIRST,
                )

            timings[size] = best_of(2 if size == 1_000_000 else 3, run)
            seconds = timings[size]
            print(f"{strategy.name:<14} {size:>10,} {seconds:>9.4f} {size / seconds:>12,.0f}")
        big, small = sizes[-1], sizes[-2]
        ratio = timings[big] / timings[small]
        print(
            f"{strategy.name:<14} time {big:,} / time {small:,} = {ratio:.2f} (target < 12); "
            f"sorted() anchor / {strategy.name} at {big:,} = {anchor[big] / timings[big]:.2f}"
        )
    many_items(everything, all_sizes[1:])


def _naive_key(item: OpenItem) -> tuple[date, date, str]:
    return (item.due_on, item.issued_on, item.key)


if __name__ == "__main__":
    main("--quick" in sys.argv, "--full" in sys.argv, "--many" in sys.argv)
