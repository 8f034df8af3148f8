"""Migrations: from every earlier schema version to the newest, on real databases."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest
import storage_samples as samples
from storage_backends import open_database

from payportal.exceptions import StorageError
from payportal.storage import SCHEMA_VERSION, Versioned
from payportal.storage._migrations import MIGRATIONS


def test_the_steps_are_numbered_one_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    for step in MIGRATIONS:
        assert len(step.sqlite) == len(step.postgres)


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_every_earlier_version_upgrades_to_the_newest_keeping_data(
    database: tuple[str, str], start: int
) -> None:
    storage = open_database(*database)
    try:
        assert storage.schema_version() == 0
        assert storage.migrate(start) == start
        if start >= 1:  # version 1 holds accounts, events and the journal
            with storage.transaction() as tx:
                tx.save_account(samples.account(), version=0)
                tx.mark_processed("paypal", "WH-1")
                tx.append_journal("42", "payment_booked", {"n": 1})
        assert storage.migrate() == SCHEMA_VERSION
        with storage.transaction() as tx:
            if start >= 1:
                assert tx.load_account("42") == Versioned(samples.account(), 1)
                assert tx.is_processed("paypal", "WH-1")
                assert [e.data for e in tx.journal()] == [{"n": 1}]
            # What the newest steps added works on the upgraded database.
            assert tx.publish("payment.booked", {"n": 2}) == 1
            tx.advance_cursor("mailer", 1)
            assert tx.cursor("mailer") == 1
            assert tx.save_customer(samples.customer(), version=0) == 1
    finally:
        storage.close()


def test_a_database_from_a_newer_payportal_is_refused(database: tuple[str, str]) -> None:
    kind, where = database
    storage = open_database(kind, where)
    try:
        storage.migrate()
        if kind == "sqlite-file":
            with sqlite3.connect(where) as conn:
                conn.execute("UPDATE payportal_schema SET version = ?", (SCHEMA_VERSION + 1,))
        else:
            with psycopg.connect(where) as conn:
                conn.execute("UPDATE payportal_schema SET version = %s", (SCHEMA_VERSION + 1,))
        with pytest.raises(StorageError, match="newer than this payportal"):
            storage.migrate()
    finally:
        storage.close()


def test_using_an_unmigrated_database_says_to_migrate(database: tuple[str, str]) -> None:
    storage = open_database(*database)
    try:
        with pytest.raises(StorageError, match=r"migrate\(\)"), storage.transaction() as tx:
            tx.load_account("42")
    finally:
        storage.close()


def test_concurrent_migrations_apply_each_step_once(database: tuple[str, str]) -> None:
    results: list[int | BaseException] = []

    def migrate() -> None:
        storage = open_database(*database)
        try:
            results.append(storage.migrate())
        except BaseException as exc:
            results.append(exc)
        finally:
            storage.close()

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [SCHEMA_VERSION] * 4
