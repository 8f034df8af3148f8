"""Payment events booked per second: payportal's booking path against raw sqlite3 inserts.

Targets (issue 19): on SQLite (a file in WAL mode) at least 2,000 events/s and at least
0.2x the raw ``sqlite3`` inserts of the same rows.

What is timed: booking N capture events, one per customer, each paying a free amount over
the customer's 3 open invoices (so each booking settles 3 documents).

* payportal: ``book(storage, event)``: one transaction that marks the movement key
  processed (unique constraint), loads the intent, the account and the 3 documents,
  decides (allocation, documents, journal, outbox), and saves the account at its version,
  the 3 documents, the intent (already linked to its payment), 1 journal entry, the
  receipt and 5 outbox messages (payment booked, 3 invoices paid, receipt issued).
* anchor, same run: the driver alone writing the very rows payportal writes for each event
  (the same bytes, serialised before the clock starts) into tables of the same shape: one
  ``BEGIN IMMEDIATE``/13 ``INSERT`` s/``COMMIT`` per event, no reads, same connection
  settings (WAL, the same ``synchronous``). payportal also bumps two sequence rows (the
  receipt's number, the outbox positions); the anchor does not.

SQLite runs with ``synchronous=FULL`` (payportal's default: every commit is flushed to the
disk, which dominates) and ``NORMAL`` (WAL's usual setting: no flush per commit).

The storage keeps the models it wrote or read (the decoded-record cache of
``payportal.storage._codec``); the main figures clear it after the setup, as for a worker
that did not write the records; one extra SQLite line keeps it warm (the process that wrote
the records books them, its cache sized to hold them all).

The lines "SQL floor" replay the very statements ``book()`` ran (the same bound parameters,
``execute`` or ``executemany`` as it ran them) with ``sqlite3`` alone into a copy of the database
as it was before the bookings: what the SQL costs with no Python of payportal's. Added to
``decide()`` alone, they bound what ``book()`` can reach without changing the statements.

The lines "customers each with 12 / 120 earlier payments" book the same events for a tenth
as many customers whose accounts hold one or ten years of monthly invoices, paid and
settled: the account keeps every settled item, allocation and ledger entry, and a booking
reads and writes the whole of it, so its cost grows with the customer's history.

``book_many`` lines book 50 events per transaction (a group commit); their anchor still
commits once per event.

Timing: the best wall-clock time of three runs each, alternating payportal and the anchor,
each run into a fresh database whose setup (accounts, documents, intents) is not timed.

PostgreSQL: the same events booked by 8 worker processes at once (each its share of the
customers), against 8 processes inserting the same rows with psycopg; on a throwaway
cluster from ``tests/pg_cluster.py`` (``--no-postgres`` skips it).

Run with ``python bench/bench_booking.py`` (``--quick`` books fewer events).
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.allocation import Strategy
from payportal.booking import (
    EventKind,
    PaymentEvent,
    PaymentIntent,
    Purpose,
    book,
    book_many,
    decide,
    save_intent,
)
from payportal.booking._journal import journal_data
from payportal.documents import Invoice, LineItem
from payportal.receipts import receipt_for
from payportal.storage import PostgresStorage, SQLiteStorage, _codec
from payportal.storage._codec import clear_cache, encode, encode_json
from payportal.storage._queries import Query, Result, sql_for

# The throwaway cluster of the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import pg_cluster

if TYPE_CHECKING:
    from collections.abc import Callable

RUNS = 3
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


class Customer:
    """One customer's stored state and the event that pays it."""

    def __init__(self, n: int, *, history: int = 0) -> None:
        """``history``: how many earlier invoices the customer paid (settled items,
        allocations and ledger entries on the account), one a month."""
        cid = f"C-{n:06d}"
        self.number = n
        self.history = history
        self.invoices = [
            Invoice(
                id=f"inv-{n}-{i}",
                number=f"RE-{n}-{i}",
                customer_id=cid,
                issued_on=date(2026, 2, 1 + i),
                due_on=date(2026, 2, 15 + i),
                lines=[
                    LineItem(
                        title="Service",
                        quantity=1,
                        unit_price=Money(f"{20 + i}.00", "EUR"),
                        tax_rate=Decimal(19),
                    )
                ],
            )
            for i in range(3)
        ]
        account = CustomerAccount(customer_id=cid, currency="EUR")
        for month in range(history):
            due = date(2016 + month // 12, month % 12 + 1, 15)
            paid = OpenItem.simple(f"AL-{n}-{month}", Money("11.90", "EUR"), due=due)
            account = account.add(paid)
            account = account.apply(
                account.allocate(
                    Money("11.90", "EUR"),
                    strategy=Strategy.OLDEST_FIRST,
                    paid_on=due,
                    payment_id=f"earlier-{n}-{month}",
                )
            )
        for invoice in self.invoices:
            account = account.add(OpenItem.from_document(invoice))
        self.account = account
        self.intent = PaymentIntent(
            id=f"pi-{n}",
            customer_id=cid,
            amount=account.open_total,
            purpose=Purpose.AMOUNT,
            reference=f"K{n}",
            provider="paypal",
            method="paypal",
            created_at=AT,
            payment_id=f"ORDER-{n}",
        )
        self.event = PaymentEvent(
            kind=EventKind.CAPTURED,
            provider="paypal",
            provider_payment_id=f"ORDER-{n}",
            movement_key=f"paypal:ORDER-{n}:captured:{account.open_total.amount}",
            occurred_at=AT,
            intent_id=self.intent.id,
            captured_total=account.open_total,
        )


def setup(path: Path, customers: list[Customer], synchronous: str) -> SQLiteStorage:
    storage = SQLiteStorage(path, synchronous=synchronous)
    storage.migrate()
    with storage.transaction() as tx:
        for customer in customers:
            tx.save_account(customer.account, version=0)
            for invoice in customer.invoices:
                tx.save_document(invoice, version=0)
            save_intent(tx, customer.intent)
    return storage


def rows(customer: Customer) -> list[tuple[str, tuple[object, ...]]]:
    """The rows payportal writes when it books ``customer``'s event, as raw inserts."""
    decision = decide(customer.account, customer.invoices, customer.intent, customer.event)
    assert decision.intent is not None
    now = AT.isoformat()
    body, crc = encode(decision.account)
    out: list[tuple[str, tuple[object, ...]]] = [
        ("processed", ("payportal.booking:movement", customer.event.movement_key, now)),
        ("accounts", (customer.account.customer_id, 2, body, crc, now)),
    ]
    for document in decision.documents:
        body, crc = encode(document)
        out.append(("documents", (document.id, document.customer_id, 2, body, crc, now)))
    intent_body, intent_crc = encode(decision.intent)
    out.append(
        ("orders", ("payportal.booking:intent", decision.intent.id, intent_body, intent_crc))
    )
    for record in decision.journal:
        body, crc = encode_json(journal_data(record))
        out.append(("journal", (record.customer_id, record.kind, body, crc, now)))
    payloads = [(message.topic, dict(message.payload)) for message in decision.outbox]
    for record in decision.journal:
        receipt = receipt_for(
            record, decision.account, sequence=customer.number + 1, method=decision.intent.method
        )
        if receipt is not None:
            body, crc = encode(receipt)
            store = f"payportal.receipts:{receipt.customer_id}"
            out.append(("orders", (store, receipt.number, body, crc)))
            payloads.append(("receipt.issued", {"number": receipt.number}))
    for topic, payload in payloads:
        body, crc = encode_json(payload)
        out.append(("outbox", (topic, body, crc, now)))
    return out


SCHEMA = (
    "CREATE TABLE processed (source TEXT, key TEXT, at TEXT, PRIMARY KEY (source, key))",
    (
        "CREATE TABLE accounts (customer_id TEXT PRIMARY KEY, version INTEGER, body TEXT, "
        "crc TEXT, at TEXT)"
    ),
    (
        "CREATE TABLE documents (id TEXT PRIMARY KEY, customer_id TEXT, version INTEGER, "
        "body TEXT, crc TEXT, at TEXT)"
    ),
    (
        "CREATE TABLE orders (provider TEXT, reference TEXT, body TEXT, crc TEXT, "
        "PRIMARY KEY (provider, reference))"
    ),
    (
        "CREATE TABLE journal (sequence INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT, "
        "kind TEXT, body TEXT, crc TEXT, at TEXT)"
    ),
    (
        "CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT, body TEXT, "
        "crc TEXT, at TEXT)"
    ),
)
INSERT = {
    "processed": "INSERT INTO processed VALUES (?, ?, ?)",
    "accounts": "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
    "documents": "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
    "orders": "INSERT INTO orders VALUES (?, ?, ?, ?)",
    "journal": "INSERT INTO journal (customer_id, kind, body, crc, at) VALUES (?, ?, ?, ?, ?)",
    "outbox": "INSERT INTO outbox (topic, body, crc, at) VALUES (?, ?, ?, ?)",
}


def book_all(storage: SQLiteStorage, customers: list[Customer], batch: int) -> None:
    """Book every customer's event: with ``book()`` one by one, or ``book_many()`` by
    ``batch``."""
    if batch == 1:
        for customer in customers:
            book(storage, customer.event)
    else:
        for first in range(0, len(customers), batch):
            book_many(storage, [c.event for c in customers[first : first + batch]])


def bench_sqlite(
    customers: list[Customer],
    synchronous: str,
    *,
    warm: bool = False,
    batch: int = 1,
    decide_time: float | None = None,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="payportal-bench-booking-"))
    prepared = [rows(customer) for customer in customers]
    writes = len(prepared[0])
    cache_size = _codec.CACHE_SIZE

    def payportal_run(attempt: int) -> float:
        clear_cache()
        if warm:
            # Room for every record the setup writes and the bookings write.
            _codec.CACHE_SIZE = 10 * len(customers)
        storage = setup(folder / f"p{synchronous}{warm}{attempt}.db", customers, synchronous)
        if not warm:
            # As a worker that did not write these records: every load parses them.
            clear_cache()
        start = time.perf_counter()
        book_all(storage, customers, batch)
        elapsed = time.perf_counter() - start
        storage.close()
        _codec.CACHE_SIZE = cache_size
        clear_cache()
        return elapsed

    def raw_run(attempt: int) -> float:
        conn = sqlite3.connect(folder / f"r{synchronous}{attempt}.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        for statement in SCHEMA:
            conn.execute(statement)
        start = time.perf_counter()
        for event_rows in prepared:
            conn.execute("BEGIN IMMEDIATE")
            for table, values in event_rows:
                conn.execute(INSERT[table], values)
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    label = f"SQLite file, WAL, synchronous={synchronous} ({writes} rows per event)"
    if customers[0].history:
        label += (
            f", {len(customers):,} customers each with {customers[0].history} earlier "
            "payments on the account"
        )
    if warm:
        label += (
            ", records written by this process (decoded-record cache warm, sized to hold them all)"
        )
    if batch > 1:
        label += f", book_many() {batch} events per transaction (anchor: one per event)"
    report(label, len(customers), payportal_run, raw_run)
    if decide_time is not None:
        floor = bench_sql_floor(customers, synchronous, batch=batch)
        print(
            f"  SQL floor + decide()  {len(customers) / (floor + decide_time):10,.0f} events/s   "
            "(the most book() could reach with no decoding, encoding or storage layer)"
        )


def bench_sql_floor(customers: list[Customer], synchronous: str, *, batch: int = 1) -> float:
    """What the SQL of the booking costs by itself: the very statements ``book()`` (or
    ``book_many()``) ran, with the same bound parameters (``execute`` or ``executemany`` as
    it ran them), replayed by ``sqlite3`` alone into a copy of the database as it was before
    the bookings. No Python of payportal's runs; ``book()`` can be no faster than this
    without changing its statements. Returns the best time, in seconds.
    """
    folder = Path(tempfile.mkdtemp(prefix="payportal-bench-floor-"))
    best = float("inf")
    runs: list[tuple[str, object, bool]] = []
    for attempt in range(RUNS):
        clear_cache()
        storage = setup(folder / f"f{synchronous}{batch}{attempt}.db", customers, synchronous)
        replica = sqlite3.connect(
            folder / f"f{synchronous}{batch}{attempt}-replay.db", isolation_level=None
        )
        source = storage._connection()  # the connection book() will use (same thread)
        source.backup(replica)
        runs = []
        execute = storage._execute

        def recording(conn: sqlite3.Connection, query: Query) -> Result:
            sql = sql_for("sqlite", query)
            if sql is not None:
                runs.append((sql, query.params, query.many))  # noqa: B023 - this attempt's
            return execute(conn, query)  # noqa: B023

        def transactions(statement: str) -> None:
            if statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                runs.append((statement, (), False))  # noqa: B023

        storage._execute = recording  # type: ignore[method-assign]
        source.set_trace_callback(transactions)
        book_all(storage, customers, batch)
        source.set_trace_callback(None)
        storage.close()
        clear_cache()
        replica.execute("PRAGMA journal_mode = WAL")
        replica.execute(f"PRAGMA synchronous = {synchronous}")
        start = time.perf_counter()
        for sql, params, many in runs:
            if many:
                replica.executemany(sql, params)  # type: ignore[arg-type]
            else:
                replica.execute(sql, params).fetchall()  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - start)
        replica.close()
    per_event = len(runs) / len(customers)
    print(
        f"  SQL floor             {len(customers) / best:10,.0f} events/s   (the "
        f"{per_event:.1f} statements per event book() ran, replayed by sqlite3 alone)"
    )
    return best


def report(
    label: str,
    count: int,
    ours: Callable[[int], float],
    anchor: Callable[[int], float],
    *,
    anchor_name: str = "raw sqlite3 inserts",
) -> None:
    anchor_times, our_times = [], []
    for attempt in range(RUNS):
        anchor_times.append(anchor(attempt))
        our_times.append(ours(attempt))
    anchor_time, our_time = min(anchor_times), min(our_times)
    print(f"{label}:")
    print(f"  {anchor_name:<21} {count / anchor_time:10,.0f} events/s")
    print(f"  payportal book()      {count / our_time:10,.0f} events/s   (target >= 2,000)")
    print(f"  ratio                 {anchor_time / our_time:10.2f}x of raw (target >= 0.2)")


def bench_decide(customers: list[Customer]) -> float:
    """Print and return (in seconds, the best of three) the pure decisions alone."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for customer in customers:
            decide(customer.account, customer.invoices, customer.intent, customer.event)
        best = min(best, time.perf_counter() - start)
    print(f"decide() alone (pure, no storage): {len(customers) / best:,.0f} events/s")
    return best


WORKERS = 8
PG_SCHEMA = tuple(
    statement.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
    for statement in SCHEMA
)
PG_INSERT = {table: sql.replace("?", "%s") for table, sql in INSERT.items()}


# What the forked workers book: set before the pool forks (models do not pickle).
_SHARED: dict[str, list[object]] = {}


def _pg_book(args: tuple[str, int]) -> float:
    conninfo, worker = args
    mine: list[Customer] = _SHARED["customers"][worker::WORKERS]  # type: ignore[assignment]
    storage = PostgresStorage(conninfo, min_size=1, max_size=1)
    start = time.perf_counter()
    for customer in mine:
        book(storage, customer.event)
    elapsed = time.perf_counter() - start
    storage.close()
    return elapsed


def _pg_raw(args: tuple[str, int]) -> float:
    conninfo, worker = args
    mine: list[list[tuple[str, tuple[object, ...]]]] = _SHARED["rows"][worker::WORKERS]  # type: ignore[assignment]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cursor = conn.cursor()
        start = time.perf_counter()
        for event_rows in mine:
            with conn.transaction():
                for table, values in event_rows:
                    cursor.execute(PG_INSERT[table], values)
        return time.perf_counter() - start


def bench_postgres(customers: list[Customer]) -> None:
    """The same with 8 worker processes on PostgreSQL, each booking its share of customers."""
    try:
        cluster = pg_cluster.start()
    except pg_cluster.MissingServerError as exc:
        print(f"PostgreSQL: not measured: {exc}")
        return
    _SHARED["customers"] = list(customers)
    _SHARED["rows"] = [rows(customer) for customer in customers]
    context = multiprocessing.get_context("fork")
    try:

        def schema(name: str) -> str:
            with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                conn.execute(f"CREATE SCHEMA {name}")
            return cluster.conninfo(options=f"'-c search_path={name}'")

        def payportal_run(attempt: int) -> float:
            conninfo = schema(f"bench_p{attempt}")
            storage = PostgresStorage(conninfo, min_size=1, max_size=1)
            storage.migrate()
            with storage.transaction() as tx:
                for customer in customers:
                    tx.save_account(customer.account, version=0)
                    for invoice in customer.invoices:
                        tx.save_document(invoice, version=0)
                    save_intent(tx, customer.intent)
            storage.close()
            clear_cache()  # the forked workers did not write the records
            shares = [(conninfo, w) for w in range(WORKERS)]
            start = time.perf_counter()
            with context.Pool(WORKERS) as pool:
                pool.map(_pg_book, shares)
            return time.perf_counter() - start

        def raw_run(attempt: int) -> float:
            conninfo = schema(f"bench_r{attempt}")
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for statement in PG_SCHEMA:
                    conn.execute(statement)
            shares = [(conninfo, w) for w in range(WORKERS)]
            start = time.perf_counter()
            with context.Pool(WORKERS) as pool:
                pool.map(_pg_raw, shares)
            return time.perf_counter() - start

        report(
            f"PostgreSQL, {WORKERS} worker processes (throwaway cluster, fsync off; "
            "pool start-up included)",
            len(customers),
            payportal_run,
            raw_run,
            anchor_name="raw psycopg inserts",
        )
    finally:
        cluster.stop()


def main() -> None:
    count = 300 if "--quick" in sys.argv else 2_000
    customers = [Customer(n) for n in range(count)]
    sample = rows(customers[0])
    size = sum(len(json.dumps(values)) for _, values in sample)
    print(f"{count} capture events, each settling 3 open invoices; ~{size:,} bytes written each")
    decide_time = bench_decide(customers)
    print()
    bench_sqlite(customers, "NORMAL", decide_time=decide_time)
    bench_sqlite(customers, "NORMAL", warm=True)
    bench_sqlite(customers, "NORMAL", batch=50, decide_time=decide_time)
    bench_sqlite(customers, "FULL", decide_time=decide_time)
    bench_sqlite(customers, "FULL", batch=50, decide_time=decide_time)
    # The shape of long-standing customers: the account keeps every settled item, allocation
    # and ledger entry, and a booking reads and writes the whole account.
    for history in (12, 120):
        aged = [Customer(n, history=history) for n in range(count // 10)]
        bench_sqlite(aged, "NORMAL")
    if "--no-postgres" not in sys.argv:
        bench_postgres(customers)


if __name__ == "__main__":
    main()
