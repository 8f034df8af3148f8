"""Direct debit through the Portal: a month's collection run and its statement, beside the
bare pain.008 writer.

The world: N customers (default 2,000), each with an active CORE mandate and two open
invoices, in a SQLite file (WAL, ``synchronous=FULL``, payportal's default). Setup (accounts,
documents, mandates) is not timed.

Timed, best wall time of three runs, each into a fresh database:

* **collect**: ``Portal.collect(on=...)``: one transaction that reads every customer's
  mandate, account and collections, writes the one pain.008 file, and stores 2N pending
  collections (an intent, a collection record, a journal entry and an outbox message each)
  and the N mandates moved on;
* **anchor, same run**: :func:`payportal.mandates.write_pain008` alone, writing the very
  same collections (built before the clock starts): what a caller without payportal's
  bookkeeping would at least do;
* **confirm**: ``Portal.receive`` of the 2N statement credits (each one transaction that
  books the collection as a payment through the booking path), per entry.

The ratio printed is collect's time over the anchor's: what storing and booking every
collection as pending costs on top of writing the file.

Run with ``python bench/bench_direct_debit.py`` (``--customers 200`` for a quicker run).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.booking import Portal
from payportal.documents import Invoice, LineItem
from payportal.mandates import Creditor, write_pain008
from payportal.reconciliation import Direction, StatementEntry
from payportal.storage import SQLiteStorage

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREDITOR = Creditor(
    name="Muster GmbH",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    creditor_id="DE98ZZZ09999999999",
)


def build(folder: Path, customers: int) -> tuple[SQLiteStorage, Portal]:
    storage = SQLiteStorage(folder / "portal.db", clock=lambda: NOW)
    storage.migrate()
    portal = Portal(
        storage=storage,
        providers=[],
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: NOW,
        creditor=CREDITOR,
        return_fee=Money("3.00", "EUR"),
    )
    for number in range(customers):
        customer = f"c-{number}"
        account = CustomerAccount(customer_id=customer, currency="EUR")
        invoices = [
            Invoice(
                id=f"inv-{number}-{n}",
                number=f"RE-{number}-{n}",
                customer_id=customer,
                issued_on=date(2026, 2, 1),
                due_on=date(2026, 2, 15 + n),
                lines=[
                    LineItem(
                        title="Subscription",
                        quantity=1,
                        unit_price=Money.from_minor(1000 + number % 9000 + n, "EUR"),
                        tax_rate=Decimal(0),
                    )
                ],
            )
            for n in range(2)
        ]
        with storage.transaction() as tx:
            for invoice in invoices:
                account = account.add(OpenItem.from_document(invoice))
                tx.save_document(invoice, version=0)
            tx.save_account(account, version=0)
        portal.grant_mandate(
            customer,
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            holder=f"Customer {number}",
            consent_text="I authorise ...",
        )
    return storage, portal


def run_once(customers: int) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory(prefix="bench-dd-") as folder:
        storage, portal = build(Path(folder), customers)
        try:
            start = time.perf_counter()
            batch = portal.collect(on=NOW.date())
            collect = time.perf_counter() - start
            collections = list(batch.collections)
            start = time.perf_counter()
            write_pain008(CREDITOR, collections, message_id="ANCHOR", created_at=NOW)
            anchor = time.perf_counter() - start
            entries = [
                StatementEntry(
                    f"C-{record.end_to_end_id}",
                    record.due_date,
                    record.amount,
                    Direction.CREDIT,
                    end_to_end_id=record.end_to_end_id,
                )
                for record in batch.records
            ]
            start = time.perf_counter()
            for entry in entries:
                portal.receive(entry)
            confirm = time.perf_counter() - start
            return collect, anchor, confirm, len(collections)
        finally:
            storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    results = [run_once(options.customers) for _ in range(options.runs)]
    collect = min(r[0] for r in results)
    anchor = min(r[1] for r in results)
    confirm = min(r[2] for r in results)
    count = results[0][3]
    print(f"{options.customers} customers, {count} collections, SQLite file (synchronous=FULL)")
    print(f"  collect (file + pending bookings): {collect:8.3f} s")
    print(f"  anchor write_pain008 alone:         {anchor:8.3f} s")
    print(f"  ratio collect / anchor:             {collect / anchor:8.1f}x")
    print(
        f"  confirm {count} statement credits:   {confirm:8.3f} s "
        f"({confirm / count * 1000:.2f} ms per entry, {count / confirm:.0f}/s)"
    )


if __name__ == "__main__":
    main()
