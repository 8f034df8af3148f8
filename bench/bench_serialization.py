"""Store and read back a customer account with 1,000 ledger entries.

payportal: ``loads(dumps(account), CustomerAccount)``: unstructure through the converter,
JSON text, parse, structure with every model's validation, money as exact decimals.

Anchor, measured in the same run: ``json.loads(json.dumps(data))`` of the same account
pre-built as plain dicts (the output of ``dump``), the least any JSON store must do. The
ratio anchor / payportal is printed; the target (issue 18) is at least 0.3.

The account: 200 open invoices, then 800 payments allocated oldest first and applied, so
its ledger holds 1,000 entries and 800 allocation results (each with the items it touched).

Timing: the least CPU time of several runs, garbage collector off while timing.

Run with ``python bench/bench_serialization.py``.
"""

from __future__ import annotations

import gc
import json
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.allocation import Strategy
from payportal.serialization import dump, dumps, loads

if TYPE_CHECKING:
    from collections.abc import Callable

ITEMS = 200
PAYMENTS = 800


def build() -> CustomerAccount:
    start = date(2026, 1, 1)
    account = CustomerAccount(customer_id="customer-42", currency="EUR")
    for number in range(ITEMS):
        amount = Money.from_minor(5_000 + 37 * number, "EUR")
        account = account.add(
            OpenItem.simple(f"RE-2026-{number:04d}", amount, due=start + timedelta(days=number))
        )
    share = sum(item.open_units for item in account.items.values()) // PAYMENTS
    for number in range(PAYMENTS):
        result = account.allocate(
            Money.from_minor(share, "EUR"),
            strategy=Strategy.OLDEST_FIRST,
            paid_on=start + timedelta(days=number // 4),
            payment_id=f"PAY-{number:05d}",
        )
        account = account.apply(result)
    return account


def best_of(runs: int, work: Callable[[], object]) -> float:
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


def main() -> None:
    account = build()
    assert len(account.ledger) == ITEMS + PAYMENTS
    data = dump(account)
    text = dumps(account)
    assert loads(text, CustomerAccount) == account
    anchor = best_of(20, lambda: json.loads(json.dumps(data)))
    dumping = best_of(10, lambda: dumps(account))
    loading = best_of(10, lambda: loads(text, CustomerAccount))
    both = dumping + loading
    print(
        f"account: {len(account.ledger):,} ledger entries, {len(account.allocations):,} "
        f"allocations, {len(text.encode()):,} bytes of JSON"
    )
    print(f"{'json.dumps+loads of dicts (anchor)':<36} {anchor * 1000:>9.2f} ms")
    print(f"{'payportal dumps':<36} {dumping * 1000:>9.2f} ms")
    print(f"{'payportal loads':<36} {loading * 1000:>9.2f} ms")
    print(f"{'payportal dumps+loads':<36} {both * 1000:>9.2f} ms")
    print(f"anchor / payportal = {anchor / both:.2f} (target >= 0.3)")


if __name__ == "__main__":
    main()
