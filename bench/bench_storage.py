"""Accounts saved per second: payportal's storage against raw driver inserts of the same bytes.

Targets (issue 18): on SQLite (a file in WAL mode) at least 0.5x the raw ``sqlite3`` inserts;
on PostgreSQL the ratio against raw psycopg inserts is printed.

What is timed: saving N different customer accounts (20 open items each, about 8 kB of
JSON), one transaction per account, as an app books one payment per transaction.

* payportal: ``with storage.transaction() as tx: tx.save_account(account, version=0)``,
  which serialises the account (``payportal.serialization``), checksums it and inserts it
  with its version, through the storage's driver layer.
* anchor, same run: the driver alone inserting the very bytes payportal stored (serialised
  before the clock starts) into a table of the same shape, one ``BEGIN``/``INSERT``/
  ``COMMIT`` per account, same connection settings (WAL, the same ``synchronous``).

SQLite runs with ``synchronous=FULL`` (payportal's default: every commit survives a power
cut, so the disk's flush dominates) and ``NORMAL`` (no flush per commit: the storage's own
overhead shows). PostgreSQL runs on a throwaway cluster started from
``tests/pg_cluster.py`` (the server binaries must be installed; see
docs/guide/storage.md), or on the database named by ``PAYPORTAL_BENCH_POSTGRES``.

Timing: the best wall-clock time of five runs each (I/O is part of what is measured),
alternating payportal and the anchor so both meet the same moments of a shared disk, each
run into fresh tables. "Bodies serialised before" runs payportal with each account's text
made in advance (the storage's encoder looks it up): the storage layer's own cost, the same
bytes the anchor inserts.

Run with ``python bench/bench_storage.py`` (``--quick`` saves fewer accounts).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.serialization import dumps
from payportal.storage import PostgresStorage, SQLiteStorage, _codec

# The throwaway cluster of the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import pg_cluster

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

RUNS = 5
ITEMS = 20


def accounts(count: int) -> list[CustomerAccount]:
    result = []
    for n in range(count):
        account = CustomerAccount(customer_id=f"C-{n:06d}", currency="EUR")
        for i in range(ITEMS):
            item = OpenItem.simple(
                f"RE-{n}-{i}", Money(f"{10 + i}.90", "EUR"), due=date(2026, 2, 1 + i)
            )
            account = account.add(item, on=date(2026, 1, 1))
        result.append(account)
    return result


def _serialise(batch: list[CustomerAccount]) -> float:
    start = time.perf_counter()
    for account in batch:
        dumps(account)
    return time.perf_counter() - start


def bench_sqlite(batch: list[CustomerAccount], bodies: list[str], synchronous: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="payportal-bench-"))

    def payportal_run(attempt: int, tag: str) -> float:
        storage = SQLiteStorage(folder / f"{tag}{synchronous}{attempt}.db", synchronous=synchronous)
        storage.migrate()
        start = time.perf_counter()
        for account in batch:
            with storage.transaction() as tx:
                tx.save_account(account, version=0)
        elapsed = time.perf_counter() - start
        storage.close()
        return elapsed

    def raw_run(attempt: int) -> float:
        conn = sqlite3.connect(folder / f"r{synchronous}{attempt}.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute(
            "CREATE TABLE accounts (customer_id TEXT PRIMARY KEY, version BIGINT NOT NULL, "
            "body TEXT NOT NULL)"
        )
        start = time.perf_counter()
        for account, body in zip(batch, bodies, strict=True):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO accounts (customer_id, version, body) VALUES (?, 1, ?)",
                (account.customer_id, body),
            )
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    report(f"SQLite file, WAL, synchronous={synchronous}", len(batch), payportal_run, raw_run)


def bench_postgres(batch: list[CustomerAccount], bodies: list[str]) -> None:
    conninfo = os.environ.get("PAYPORTAL_BENCH_POSTGRES")
    cluster = None
    if not conninfo:
        try:
            cluster = pg_cluster.start()
        except pg_cluster.MissingServerError as exc:
            print(f"PostgreSQL: not measured: {exc}")
            return
        conninfo = cluster.conninfo()
    try:

        def schema(name: str) -> str:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                conn.execute(f"CREATE SCHEMA {name}")
            return f"{conninfo} options='-c search_path={name}'"

        def payportal_run(attempt: int, tag: str) -> float:
            storage = PostgresStorage(schema(f"bench_{tag}{attempt}"), min_size=1, max_size=1)
            storage.migrate()
            start = time.perf_counter()
            for account in batch:
                with storage.transaction() as tx:
                    tx.save_account(account, version=0)
            elapsed = time.perf_counter() - start
            storage.close()
            return elapsed

        def raw_run(attempt: int) -> float:
            with psycopg.connect(schema(f"bench_r{attempt}"), autocommit=True) as conn:
                conn.execute(
                    "CREATE TABLE accounts (customer_id TEXT PRIMARY KEY, "
                    "version BIGINT NOT NULL, body TEXT NOT NULL)"
                )
                cursor = conn.cursor()
                start = time.perf_counter()
                for account, body in zip(batch, bodies, strict=True):
                    with conn.transaction():
                        cursor.execute(
                            "INSERT INTO accounts (customer_id, version, body) VALUES (%s, 1, %s)",
                            (account.customer_id, body),
                        )
                return time.perf_counter() - start

        where = "throwaway cluster, fsync off" if cluster else "PAYPORTAL_BENCH_POSTGRES"
        report(f"PostgreSQL ({where})", len(batch), payportal_run, raw_run)
    finally:
        if cluster is not None:
            cluster.stop()


BATCH: list[CustomerAccount] = []  # the accounts every run saves, built in main()


def report(
    label: str,
    count: int,
    ours: Callable[[int, str], float],
    anchor: Callable[[int], float],
) -> None:
    # Alternate the three, so that all see the same moments of a busy machine and disk.
    anchor_times, our_times, prepared_times = [], [], []
    for attempt in range(RUNS):
        anchor_times.append(anchor(attempt))
        our_times.append(ours(attempt, "p"))
        with prepared_bodies():
            prepared_times.append(ours(attempt, "q"))
    anchor_time, our_time = min(anchor_times), min(our_times)
    prepared_time = min(prepared_times)
    print(f"{label}:")
    print(f"  raw driver inserts        {count / anchor_time:10,.0f} accounts/s")
    print(f"  payportal save_account    {count / our_time:10,.0f} accounts/s")
    print(f"  ratio                     {anchor_time / our_time:10.2f}x of raw (target >= 0.5)")
    print(
        f"  bodies serialised before  {anchor_time / prepared_time:10.2f}x of raw "
        "(the storage layer alone)"
    )


@contextlib.contextmanager
def prepared_bodies() -> Iterator[None]:
    """Let the storage find each account's text ready-made: what is left is its own cost."""
    ready = {account.customer_id: dumps(account) for account in BATCH}
    real = _codec.encode

    def encode(value: object) -> tuple[str, str]:
        if isinstance(value, CustomerAccount):
            body = ready[value.customer_id]
            return body, _codec.checksum(body)
        return real(value)

    _codec.encode = encode  # type: ignore[assignment]
    try:
        yield
    finally:
        _codec.encode = real  # type: ignore[assignment]


def main() -> None:
    count = 300 if "--quick" in sys.argv else 2_000
    batch = accounts(count)
    BATCH[:] = batch
    bodies = [dumps(account) for account in batch]
    size = sum(len(body) for body in bodies) / len(bodies)
    print(f"{count} accounts of {ITEMS} open items, {size:,.0f} characters of JSON each")
    serialise = min(_serialise(batch) for _ in range(RUNS))
    print(f"serialising them alone: {count / serialise:,.0f} accounts/s\n")
    bench_sqlite(batch, bodies, "FULL")
    bench_sqlite(batch, bodies, "NORMAL")
    bench_postgres(batch, bodies)


if __name__ == "__main__":
    main()
