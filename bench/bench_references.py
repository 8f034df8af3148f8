"""Benchmark payment references: ``rf.validate`` against python-stdnum, and ``find`` throughput.

Run with ``python bench/bench_references.py``. Prints the figures and the ratios; targets:
``rf.validate`` within 1.2x of ``stdnum.iso11649.validate``, ``find`` at least 100,000
remittance lines per second.

``find``'s anchor, measured in the same run on the same lines, is the least work any search for
references must do per line: upper-case it and run one precompiled regular expression (the RF
pattern) over it. Its ratio tells a slower ``find`` from a slower machine.
"""

from __future__ import annotations

import contextlib
import gc
import random
import re
import time
from typing import TYPE_CHECKING

from stdnum import iso11649

from payportal.references import be_ogm, billpay, ch_qrr, find, rf

if TYPE_CHECKING:
    from collections.abc import Callable

LINES = 100_000
REPEATS = 5


def best_of(
    function: Callable[[], object], repeats: int = REPEATS, *, collect: bool = False
) -> float:
    """The fastest of ``repeats`` runs, in seconds: the least disturbed by the machine.

    Like :mod:`timeit` (and the other benchmarks here), the garbage collector is off while
    timing unless ``collect``: ``find`` over 100,000 lines keeps 100,000 result lists, and the
    full collections they trigger cost time in proportion to everything the process holds,
    not to the work measured.
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


def rf_numbers(rng: random.Random, count: int) -> list[str]:
    """Creditor references as customers type them: formatted, compact, some mistyped."""
    numbers = []
    for _ in range(count):
        reference = rf.generate(str(rng.randrange(10**5, 10**12)))
        if rng.random() < 0.5:
            reference = rf.format(reference)
        if rng.random() < 0.1:
            reference = reference[:-1] + str((int(reference[-1]) + 1) % 10)
        numbers.append(reference)
    return numbers


def remittance_lines(rng: random.Random, count: int) -> list[str]:
    """Remittance texts in the shapes German and European banks deliver them."""
    names = ["Mueller GmbH", "Anna Schmidt", "ACME Corp", "Jan Peeters", "Sofie Nieminen"]
    lines = []
    for i in range(count):
        invoice = f"2026-{rng.randrange(1, 9999):04d}"
        customer = rng.randrange(10000, 99999)
        kind = i % 8
        if kind == 0:
            ref = rf.format(rf.generate(f"{customer}{rng.randrange(1000)}"))
            lines.append(f"SVWZ+Rechnung {invoice} {ref.lower()} danke")
        elif kind == 1:
            lines.append(f"EREF+NOTPROVIDED SVWZ+Rechnung {invoice} Kd-Nr {customer}")
        elif kind == 2:
            ref = rf.generate(str(customer * 1000 + rng.randrange(1000)))
            text = f"EREF+{ref}SVWZ+Re {invoice} {rng.choice(names)} Kundennr {customer}"
            chunks = [text[j : j + 27] for j in range(0, len(text), 27)]
            lines.append(
                "166?00GUTSCHRIFT?100399"
                + "".join(f"?2{n}{c}" for n, c in enumerate(chunks))
                + "?30DRESDEFF508?31DE14508800500194785000?32"
                + rng.choice(names)
            )
        elif kind == 3:
            lines.append(
                f"{rng.choice(names)} Zahlung {rng.randrange(10, 999)},{rng.randrange(100):02d} EUR"
            )
        elif kind == 4:
            qrr = ch_qrr.format(ch_qrr.generate(str(rng.randrange(10**15, 10**20))))
            lines.append(f"Zahlung QR-Referenz {qrr} {rng.choice(names)}")
        elif kind == 5:
            ogm = be_ogm.format(be_ogm.generate(str(rng.randrange(10**9, 10**10))))
            lines.append(f"Mededeling {ogm} factuur {invoice}")
        elif kind == 6:
            bp = billpay.generate(rng.randrange(10**8, 10**9), 3333)
            lines.append(f"MREF+M{customer} KREF+{bp} Bestellung {rng.randrange(10**6)}")
        else:
            lines.append(f"Rechnung {invoice} vom 12.03.2026 Kunde {customer} Betrag 1.234,50")
    return lines


def main() -> None:
    rng = random.Random(20261123)

    numbers = rf_numbers(rng, 100_000)

    def stdnum_all() -> None:
        for number in numbers:
            with contextlib.suppress(ValueError):
                iso11649.validate(number)

    def payportal_all() -> None:
        for number in numbers:
            with contextlib.suppress(ValueError):
                rf.validate(number)

    anchor = best_of(stdnum_all)
    ours = best_of(payportal_all)
    print(
        f"rf.validate:               {len(numbers) / ours:>12,.0f} numbers/s "
        f"({ours / len(numbers) * 1e6:.2f} us each)"
    )
    print(
        f"stdnum.iso11649.validate:  {len(numbers) / anchor:>12,.0f} numbers/s "
        f"({anchor / len(numbers) * 1e6:.2f} us each)"
    )
    print(f"ratio payportal/stdnum time: {ours / anchor:.2f}x (target <= 1.20x)")

    lines = remittance_lines(rng, LINES)
    found = sum(len(find(line)) for line in lines)
    search = re.compile(rf.PATTERNS[0].regex).search

    def anchor_pass() -> None:
        for line in lines:
            search(line.upper())

    # Interleaved, so that a burst of load on a shared machine hits both alike.
    elapsed = anchor_time = float("inf")
    for _ in range(REPEATS):
        elapsed = min(elapsed, best_of(lambda: [find(line) for line in lines], repeats=1))
        anchor_time = min(anchor_time, best_of(anchor_pass, repeats=1))
    rate = LINES / elapsed
    collected = best_of(lambda: [find(line) for line in lines], repeats=3, collect=True)
    print(
        f"find: {LINES:,} remittance lines in {elapsed:.3f} s = {rate:,.0f} lines/s, "
        f"{found:,} references found"
    )
    print(
        f"anchor (upper() and one regex search per line): {LINES / anchor_time:,.0f} lines/s; "
        f"ratio find time/anchor time: {elapsed / anchor_time:.2f}x"
    )
    print(
        f"find with the garbage collector running: {LINES / collected:,.0f} lines/s "
        "(for information: the collections are the cost of keeping 100,000 results)"
    )
    print(
        f"ratio find throughput/target: {rate / 100_000:.2f}x (target >= 1.00x of 100,000 lines/s)"
    )


if __name__ == "__main__":
    main()
