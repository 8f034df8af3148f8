"""Damaged rows, killed writers and unreachable databases: clear errors, previous state kept."""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
import signal
import sqlite3
import threading
from typing import TYPE_CHECKING

import psycopg
import pytest
import storage_samples as samples
import storage_workers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_backends import open_database

from payportal.exceptions import CorruptRecordError, StorageUnavailableError
from payportal.storage import AsyncPostgresStorage, PostgresStorage, SQLiteStorage, Versioned
from payportal.storage._codec import checksum

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def _raw(kind: str, where: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    """Run SQL beside payportal, as someone editing the database by hand would."""
    if kind == "sqlite-file":
        with sqlite3.connect(where) as conn:
            return conn.execute(sql, params).fetchall()
    with psycopg.connect(where) as conn:
        cur = conn.execute(sql.replace("?", "%s"), params)
        return cur.fetchall() if cur.description else []


def _stored_body(kind: str, where: str) -> str:
    rows = _raw(kind, where, "SELECT body FROM payportal_accounts WHERE customer_id = '42'")
    return str(rows[0][0])


def _set_body(kind: str, where: str, body: str, *, fix_checksum: bool) -> None:
    if fix_checksum:
        sql = "UPDATE payportal_accounts SET body = ?, checksum = ? WHERE customer_id = '42'"
        _raw(kind, where, sql, (body, checksum(body)))
    else:
        _raw(
            kind, where, "UPDATE payportal_accounts SET body = ? WHERE customer_id = '42'", (body,)
        )


def _saved(database: tuple[str, str]):
    storage = open_database(*database)
    storage.migrate()
    with storage.transaction() as tx:
        tx.save_account(samples.account(items=3), version=0)
    return storage


def _damage_truncated(body: str) -> str:
    return body[: len(body) // 2]


def _damage_amount(body: str) -> str:
    return body.replace('"80.00"', '"90.00"', 1)


@pytest.mark.parametrize(
    ("damage", "fix_checksum", "message"),
    [
        (_damage_truncated, False, "does not match its checksum"),
        (_damage_amount, False, "does not match its checksum"),
        (_damage_truncated, True, "is not JSON"),
        (lambda body: body.replace('"80.00"', '"eighty"', 1), True, "account.items"),
        (lambda body: body.replace('"EUR"', '"XXX"', 1), True, "cannot be read"),
    ],
    ids=["truncated", "amount-changed", "truncated-checksum-fixed", "bad-amount", "bad-currency"],
)
def test_a_damaged_account_raises_a_clear_error_and_loads_nothing(
    database: tuple[str, str],
    damage: Callable[[str], str],
    fix_checksum: bool,
    message: str,
) -> None:
    kind, where = database
    storage = _saved(database)
    try:
        body = _stored_body(kind, where)
        damaged = damage(body)
        assert damaged != body
        _set_body(kind, where, damaged, fix_checksum=fix_checksum)
        loaded = []
        with pytest.raises(CorruptRecordError) as caught, storage.transaction() as tx:
            loaded.append(tx.load_account("42"))
        assert loaded == []
        assert caught.value.record == "account '42'"
        assert message in str(caught.value)
        # Putting the original text back makes it readable again: nothing else was touched.
        _set_body(kind, where, body, fix_checksum=True)
        with storage.transaction() as tx:
            assert tx.load_account("42") == Versioned(samples.account(items=3), 1)
    finally:
        storage.close()


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_change_to_a_stored_account_is_detected(sqlite_path: Path, data: st.DataObject) -> None:
    storage = SQLiteStorage(sqlite_path)
    try:
        storage.migrate()
        with storage.transaction() as tx:
            if tx.load_account("42") is None:
                tx.save_account(samples.account(items=2), version=0)
        where = str(sqlite_path)
        body = _stored_body("sqlite-file", where)
        at = data.draw(st.integers(0, len(body) - 1))
        replacement = data.draw(st.sampled_from(["", "0", "9", '"', "}", "é"]))
        damaged = body[:at] + replacement + body[at + 1 :]
        if damaged == body:
            return
        _set_body("sqlite-file", where, damaged, fix_checksum=False)
        with pytest.raises(CorruptRecordError), storage.transaction() as tx:
            tx.load_account("42")
        _set_body("sqlite-file", where, body, fix_checksum=True)
    finally:
        storage.close()


def test_a_damaged_journal_entry_or_message_is_reported(database: tuple[str, str]) -> None:
    kind, where = database
    storage = open_database(kind, where)
    try:
        storage.migrate()
        with storage.transaction() as tx:
            tx.append_journal("42", "k", {"amount": "1.00"})
            tx.publish("t", {"n": 1})
        _raw(kind, where, "UPDATE payportal_journal SET body = ?", ('{"amount": "1.0',))
        _raw(kind, where, "UPDATE payportal_outbox SET body = ?", (json.dumps({"n": 2}),))
        with (
            pytest.raises(CorruptRecordError, match="journal entry 1"),
            storage.transaction() as tx,
        ):
            tx.journal()
        with (
            pytest.raises(CorruptRecordError, match="outbox message 1"),
            storage.transaction() as tx,
        ):
            tx.outbox()
    finally:
        storage.close()


def test_a_writer_killed_mid_transaction_leaves_the_previous_state(
    database: tuple[str, str],
) -> None:
    kind, where = database
    storage = _saved(database)
    storage.close()  # the writer opens its own; nothing of this one may be inherited
    # Forking starts the writer at once; it is safe only while no other thread runs here.
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    ours, theirs = context.Pipe()
    writer = context.Process(target=storage_workers.write_and_hang, args=(kind, where, theirs))
    writer.start()
    try:
        assert ours.poll(60), "the writer never got into its transaction"
        assert ours.recv() == "ready"
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(timeout=30)
        assert writer.exitcode == -signal.SIGKILL
        storage = open_database(kind, where)
        with storage.transaction() as tx:
            # The account as it was, the event unseen, no message: the whole transaction
            # vanished, and its lock with it (this transaction could start).
            assert tx.load_account("42") == Versioned(samples.account(items=3), 1)
            assert tx.is_processed("paypal", "WH-killed") is False
            assert tx.outbox() == []
            tx.save_account(samples.account(items=4), version=1)
        storage.close()
    finally:
        writer.kill()
        writer.join(timeout=30)
        ours.close()
        theirs.close()


def test_a_finished_threads_sqlite_connection_is_released(sqlite_path: Path) -> None:
    storage = SQLiteStorage(sqlite_path)
    storage.migrate()

    def work() -> None:
        with storage.transaction() as tx:
            tx.mark_processed("paypal", f"WH-{threading.get_ident()}")

    for _ in range(5):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    gc.collect()
    # Only this thread's connection is left open: a server that starts a thread per
    # request does not pile up open files. (Reads the storage's private bookkeeping.)
    assert len(storage._connections) == 1
    storage.close()


def test_a_sqlite_file_in_a_missing_folder_is_unavailable(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "missing" / "portal.db")
    with pytest.raises(StorageUnavailableError, match="cannot open") as caught:
        storage.migrate()
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    storage.close()


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "portal.db"
    path.write_bytes(b"this is not an SQLite database, just a text file. " * 100)
    storage = SQLiteStorage(path)
    with pytest.raises(StorageUnavailableError, match="damaged") as caught:
        storage.migrate()
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    storage.close()


def test_a_sqlite_writer_waiting_too_long_is_told_so(sqlite_path: Path) -> None:
    storage = SQLiteStorage(sqlite_path, timeout=0.1)
    storage.migrate()
    blocker = sqlite3.connect(sqlite_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(StorageUnavailableError, match="locked") as caught,
            storage.transaction() as tx,
        ):
            tx.mark_processed("paypal", "WH-1")
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with storage.transaction() as tx:
        assert tx.mark_processed("paypal", "WH-1") is True
    storage.close()


def test_a_sqlite_reader_does_not_wait_for_a_writer(sqlite_path: Path) -> None:
    storage = SQLiteStorage(sqlite_path, timeout=0.1)
    storage.migrate()
    blocker = sqlite3.connect(sqlite_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO payportal_link_versions VALUES ('42', 9)")
    try:
        with storage.transaction(read_only=True) as tx:
            assert tx.link_version("42") == 1  # the snapshot before the writer's change
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        storage.close()


def test_postgresql_connections_killed_by_the_server_are_replaced(pg_clean: str) -> None:
    storage = PostgresStorage(pg_clean, min_size=2, max_size=2)
    try:
        with storage.transaction() as tx:
            tx.mark_processed("paypal", "WH-0")
        with psycopg.connect(pg_clean, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchall()
        assert killed
        # Dead pooled connections fail at BEGIN, before anything ran: they are replaced and
        # no transaction fails for them.
        for n in range(3):
            with storage.transaction() as tx:
                tx.mark_processed("paypal", f"WH-{n + 1}")
        with storage.transaction(read_only=True) as tx:
            assert tx.is_processed("paypal", "WH-3")
    finally:
        storage.close()


def test_a_connection_lost_mid_transaction_is_unavailable_and_rolled_back(pg_clean: str) -> None:
    storage = PostgresStorage(pg_clean, max_size=1)
    try:
        with (  # noqa: PT012 - the transaction is what raises
            pytest.raises(StorageUnavailableError) as caught,
            storage.transaction() as tx,
        ):
            tx.mark_processed("paypal", "WH-lost")
            with psycopg.connect(pg_clean, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            tx.mark_processed("paypal", "WH-after")
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        with storage.transaction(read_only=True) as tx:
            assert tx.is_processed("paypal", "WH-lost") is False
    finally:
        storage.close()


def test_an_unreachable_postgresql_is_unavailable_with_the_cause(tmp_path: Path) -> None:
    # A socket folder where no server listens.
    storage = PostgresStorage(f"host={tmp_path} port=5999 dbname=portal user=app", timeout=1)
    try:
        with pytest.raises(StorageUnavailableError, match="cannot be reached") as caught:
            storage.migrate()
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    finally:
        storage.close()


def test_a_password_in_the_connection_string_is_never_shown(tmp_path: Path) -> None:
    conninfo = f"host={tmp_path} port=5999 dbname=portal user=app password=s3cr3t-pw"
    storage = PostgresStorage(conninfo, timeout=1)
    try:
        with pytest.raises(StorageUnavailableError) as caught:
            storage.schema_version()
        assert "s3cr3t-pw" not in str(caught.value)
        assert "s3cr3t-pw" not in repr(storage)
    finally:
        storage.close()


def test_an_unreachable_postgresql_is_unavailable_async(tmp_path: Path) -> None:
    async def main() -> None:
        storage = AsyncPostgresStorage(f"host={tmp_path} port=5999 dbname=x user=app", timeout=1)
        try:
            with pytest.raises(StorageUnavailableError) as caught:
                await storage.migrate()
            assert isinstance(caught.value.__cause__, psycopg.OperationalError)
        finally:
            await storage.close()

    asyncio.run(main())
