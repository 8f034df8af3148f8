"""The contract every storage keeps, run against memory, SQLite (memory and file) and PostgreSQL.

(PT012 is silenced where the whole transaction is what must raise.)
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import storage_samples as samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_backends import make_storage

from payportal.documents import Invoice
from payportal.exceptions import ConcurrentUpdateError, StorageError, ValidationError
from payportal.storage import SCHEMA_VERSION, Versioned
from payportal.storage._queries import SQL, WRITES

if TYPE_CHECKING:
    from payportal.storage import Storage


class BoomError(Exception):
    pass


# -- accounts ---------------------------------------------------------------------------


def test_an_account_round_trips_with_its_version(storage: Storage) -> None:
    account = samples.account(items=3)
    with storage.transaction() as tx:
        assert tx.load_account("42") is None
        assert tx.save_account(account, version=0) == 1
    with storage.transaction() as tx:
        assert tx.load_account("42") == Versioned(account, 1)
        changed = samples.with_item(account, "RE-new")
        assert tx.save_account(changed, version=1) == 2
    with storage.transaction() as tx:
        assert tx.load_account("42") == Versioned(changed, 2)
        assert tx.account_ids() == ["42"]


def test_a_stale_save_raises_and_changes_nothing(storage: Storage) -> None:
    first = samples.account()
    with storage.transaction() as tx:
        tx.save_account(first, version=0)
    with storage.transaction() as tx:
        tx.save_account(samples.with_item(first, "A"), version=1)
    with pytest.raises(ConcurrentUpdateError) as caught, storage.transaction() as tx:
        tx.save_account(samples.with_item(first, "B"), version=1)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert "account '42'" in str(caught.value)
    with storage.transaction() as tx:
        stored = tx.load_account("42")
    assert stored is not None
    assert stored.version == 2
    assert "A" in stored.value.items
    assert "B" not in stored.value.items


def test_a_second_new_account_is_refused(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.save_account(samples.account(), version=0)
    with pytest.raises(ConcurrentUpdateError, match="already exists"), storage.transaction() as tx:
        tx.save_account(samples.account(items=2), version=0)
    with pytest.raises(ConcurrentUpdateError, match="does not exist"), storage.transaction() as tx:
        tx.save_account(samples.account("7"), version=3)


def test_everything_in_a_failed_transaction_is_rolled_back(storage: Storage) -> None:
    with pytest.raises(BoomError), storage.transaction() as tx:  # noqa: PT012
        tx.save_account(samples.account(), version=0)
        tx.mark_processed("paypal", "WH-1")
        tx.publish("payment.booked", {"id": "PAY-1"})
        tx.append_journal("42", "payment_booked", {"amount": "80.00"})
        tx.revoke_links("42")
        raise BoomError
    with storage.transaction() as tx:
        assert tx.load_account("42") is None
        assert tx.mark_processed("paypal", "WH-1") is True
        assert tx.outbox() == []
        assert tx.journal() == []
        assert tx.link_version("42") == 1


def test_a_conflict_rolls_back_the_other_writes_of_its_transaction(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.save_account(samples.account(), version=0)
    with pytest.raises(ConcurrentUpdateError), storage.transaction() as tx:  # noqa: PT012
        tx.mark_processed("bank", "entry-1")
        tx.save_account(samples.account(), version=0)
    with storage.transaction() as tx:
        assert tx.is_processed("bank", "entry-1") is False


def test_customers_round_trip_with_versions(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.load_customer("42") is None
        assert tx.save_customer(samples.customer(), version=0) == 1
    renamed = samples.customer(name="Jane Roe")
    with storage.transaction() as tx:
        assert tx.load_customer("42") == Versioned(samples.customer(), 1)
        assert tx.save_customer(renamed, version=1) == 2
    with pytest.raises(ConcurrentUpdateError, match="customer '42'"), storage.transaction() as tx:
        tx.save_customer(samples.customer(), version=1)
    with storage.transaction() as tx:
        assert tx.load_customer("42") == Versioned(renamed, 2)
        assert tx.account_ids() == []  # master data is not an account


# -- documents, payments, intents -------------------------------------------------------


def test_documents_are_stored_whole_with_versions(storage: Storage) -> None:
    invoice = samples.invoice()
    with storage.transaction() as tx:
        tx.save_document(invoice, version=0)
        tx.save_document(samples.invoice("inv-2"), version=0)
        tx.save_document(samples.invoice("inv-3", customer_id="7"), version=0)
    with storage.transaction() as tx:
        stored = tx.load_document("inv-1")
        assert stored == Versioned(invoice, 1)
        assert isinstance(stored.value, Invoice)
        renamed = samples.invoice(title="March")
        assert tx.save_document(renamed, version=1) == 2
        assert [d.value.id for d in tx.documents_of("42")] == ["inv-1", "inv-2"]
        assert tx.load_document("missing") is None
    with pytest.raises(ConcurrentUpdateError), storage.transaction() as tx:
        tx.save_document(invoice, version=1)
    with storage.transaction() as tx:
        assert tx.load_document("inv-1") == Versioned(renamed, 2)


def test_documents_load_and_save_in_one_call(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.load_documents([]) == {}
        new = [(samples.invoice("inv-1"), 0), (samples.invoice("inv-2"), 0)]
        assert tx.save_documents(new) == [1, 1]
        tx.save_document(samples.invoice("inv-3"), version=0)
        tx.save_document(samples.invoice("inv-3", title="again"), version=1)
    with storage.transaction() as tx:
        loaded = tx.load_documents(["inv-3", "missing", "inv-1", "inv-2"])
        # In the order asked for; what is not stored is left out.
        assert list(loaded) == ["inv-3", "inv-1", "inv-2"]
        assert loaded["inv-3"] == tx.load_document("inv-3")
        assert loaded["inv-1"] == Versioned(samples.invoice("inv-1"), 1)
        assert loaded["inv-3"].version == 2
        changed = [
            (samples.invoice("inv-1", title="x"), 1),
            (samples.invoice("inv-3", title="y"), 2),
            (samples.invoice("inv-4"), 0),
        ]
        assert tx.save_documents(changed) == [2, 3, 1]
    with storage.transaction() as tx:
        assert tx.load_document("inv-1") == Versioned(samples.invoice("inv-1", title="x"), 2)
        assert tx.load_document("inv-3") == Versioned(samples.invoice("inv-3", title="y"), 3)
        assert tx.load_document("inv-4") == Versioned(samples.invoice("inv-4"), 1)


def test_a_stale_document_in_a_batch_raises_and_nothing_is_kept(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.save_documents([(samples.invoice("inv-1"), 0), (samples.invoice("inv-2"), 0)])
        tx.save_document(samples.invoice("inv-2", title="other writer"), version=1)
    stale = [(samples.invoice("inv-1", title="x"), 1), (samples.invoice("inv-2", title="y"), 1)]
    with pytest.raises(ConcurrentUpdateError) as caught, storage.transaction() as tx:
        tx.save_documents(stale)
    assert "document 'inv-2'" in str(caught.value)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    with storage.transaction() as tx:
        assert tx.load_document("inv-1") == Versioned(samples.invoice("inv-1"), 1)
        assert tx.load_document("inv-2") == Versioned(
            samples.invoice("inv-2", title="other writer"), 2
        )


def test_a_batch_of_messages_takes_consecutive_positions(storage: Storage) -> None:
    with storage.transaction() as tx:
        first = tx.publish("a", {"n": 0})
        assert tx.publish_many([]) == []
        batch = tx.publish_many([("b", {"n": 1}), ("c", {"n": 2}), ("d", {"n": 3})])
        last = tx.publish("e", {"n": 4})
    assert [first, *batch, last] == list(range(first, first + 5))
    with storage.transaction() as tx:
        messages = tx.outbox()
    assert [(m.topic, m.payload["n"]) for m in messages] == [
        ("a", 0),
        ("b", 1),
        ("c", 2),
        ("d", 3),
        ("e", 4),
    ]


def test_payments_and_intents_are_kept_by_key(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.save_payment(samples.payment())
        tx.save_payment(samples.payment(provider="sofort"))
        tx.save_intent(samples.intent())
        tx.save_intent(samples.intent("int-2"))
        tx.save_intent(samples.intent("int-3", customer_id="7"))
    with storage.transaction() as tx:
        assert tx.load_payment("paypal", "PAY-1") == samples.payment()
        assert tx.load_payment("sofort", "PAY-1") == samples.payment(provider="sofort")
        assert tx.load_payment("paypal", "PAY-2") is None
        assert tx.load_intent("int-1") == samples.intent()
        assert [i.id for i in tx.intents_of("42")] == ["int-1", "int-2"]
        assert tx.load_intent("nope") is None


# -- exactly once, sequences ------------------------------------------------------------


def test_an_event_key_is_processed_once(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.mark_processed("paypal", "WH-1") is True
        assert tx.mark_processed("paypal", "WH-1") is False
        assert tx.mark_processed("sofort", "WH-1") is True
    with storage.transaction() as tx:
        assert tx.mark_processed("paypal", "WH-1") is False
        assert tx.is_processed("paypal", "WH-1") is True
        assert tx.is_processed("paypal", "WH-2") is False


def test_sequences_never_repeat_a_number(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.next_number("a", start=100) == 100
        assert tx.next_number("a", start=100) == 101
        assert tx.next_number("b") == 1
    with pytest.raises(BoomError), storage.transaction() as tx:  # noqa: PT012
        tx.next_number("a")
        raise BoomError
    with storage.transaction() as tx:
        assert tx.next_number("a") == 102


# -- links, master data -----------------------------------------------------------------


def test_revoking_links_raises_the_version(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.link_version("42") == 1
        assert tx.revoke_links("42") == 2
        assert tx.revoke_links("42") == 3
        assert tx.link_version("42") == 3
        assert tx.link_version("7") == 1


def test_change_records_are_kept_in_order(storage: Storage) -> None:
    first, second = samples.change(), samples.change()
    with storage.transaction() as tx:
        tx.record_change(first)
        tx.record_change(second)
        tx.record_change(samples.change("7"))
    with storage.transaction() as tx:
        assert tx.change_records("42") == [first, second]
        assert tx.change_records("8") == []


# -- journal and outbox -----------------------------------------------------------------


def test_the_journal_appends_in_order(storage: Storage) -> None:
    with storage.transaction() as tx:
        one = tx.append_journal("42", "payment_booked", {"amount": "80.00", "items": ["RE-1"]})
        two = tx.append_journal("7", "payment_booked", {"amount": "1.00"})
        three = tx.append_journal("42", "reversed", {})
    assert one < two < three
    with storage.transaction() as tx:
        everything = tx.journal()
        assert [e.sequence for e in everything] == [one, two, three]
        assert everything[0].data == {"amount": "80.00", "items": ["RE-1"]}
        assert everything[0].recorded_at.tzinfo is not None
        assert [e.kind for e in tx.journal("42")] == ["payment_booked", "reversed"]
        assert [e.sequence for e in tx.journal(after=one, limit=1)] == [two]


def test_the_outbox_is_read_with_a_cursor(storage: Storage) -> None:
    with storage.transaction() as tx:
        assert tx.cursor("mailer") == 0
        positions = [tx.publish("payment.booked", {"n": n}) for n in range(5)]
    assert positions == sorted(positions)
    assert len(set(positions)) == 5
    seen = []
    while True:
        with storage.transaction() as tx:
            batch = tx.outbox(after=tx.cursor("mailer"), limit=2)
            if not batch:
                break
            seen += [m.payload["n"] for m in batch]
            tx.advance_cursor("mailer", batch[-1].position)
    assert seen == [0, 1, 2, 3, 4]
    with storage.transaction() as tx:
        assert tx.cursor("mailer") == positions[-1]
        assert tx.cursor("webhooks") == 0


def test_a_rolled_back_message_is_never_published(storage: Storage) -> None:
    with pytest.raises(BoomError), storage.transaction() as tx:  # noqa: PT012
        tx.publish("payment.booked", {"n": 1})
        raise BoomError
    with storage.transaction() as tx:
        position = tx.publish("payment.booked", {"n": 2})
        assert [m.payload for m in tx.outbox()] == [{"n": 2}]
    assert position == 1


# -- arguments, schema, clock -----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda tx: tx.load_account(""), "customer_id"),
        (lambda tx: tx.save_account("not an account", version=0), "account"),
        (lambda tx: tx.save_account(samples.account(), version=-1), "version"),
        (lambda tx: tx.mark_processed("paypal", 7), "key"),
        (lambda tx: tx.mark_processed("paypal", "a\x00b"), "key"),
        (lambda tx: tx.mark_processed("paypal", "\ud800"), "key"),
        (lambda tx: tx.publish("t", {"x": object()}), "payload"),
        (lambda tx: tx.publish("t", {"x": float("nan")}), "payload"),
        (lambda tx: tx.append_journal("42", "k", ["not", "a", "mapping"]), "data"),
        (lambda tx: tx.outbox(limit=0), "limit"),
        (lambda tx: tx.journal(after=-1), "after"),
        (lambda tx: tx.next_number("n", start=0), "start"),
        (lambda tx: tx.load_documents(["inv-1", ""]), "document_ids[1]"),
        (lambda tx: tx.save_documents([("not a document", 1)]), "documents[0]"),
        (lambda tx: tx.save_documents([samples.invoice()]), "documents[0]"),
        (lambda tx: tx.save_documents([(samples.invoice(), -1)]), "documents[0].version"),
        (
            lambda tx: tx.save_documents([(samples.invoice(), 0), (samples.invoice(), 1)]),
            "documents[1]",
        ),
        (lambda tx: tx.publish_many([("t", {}), "not a pair"]), "messages[1]"),
        (lambda tx: tx.publish_many([("t", {}), ("", {})]), "messages[1].topic"),
        (lambda tx: tx.publish_many([("t", {"x": object()})]), "messages[0].payload"),
    ],
)
def test_bad_arguments_name_the_argument(storage: Storage, call, field: str) -> None:
    with pytest.raises(ValidationError) as caught, storage.transaction() as tx:
        call(tx)
    assert caught.value.field == field


def test_migrate_is_idempotent_and_reports_the_version(storage: Storage) -> None:
    assert storage.schema_version() == SCHEMA_VERSION
    assert storage.migrate() == SCHEMA_VERSION
    with pytest.raises(ValidationError, match="target"):
        storage.migrate(SCHEMA_VERSION + 1)


def test_a_closed_storage_refuses_work(storage: Storage) -> None:
    storage.close()
    with pytest.raises(StorageError), storage.transaction():
        pass


@pytest.mark.parametrize(
    "write",
    [
        lambda tx: tx.save_account(samples.account("7"), version=0),
        lambda tx: tx.mark_processed("paypal", "WH-9"),
        lambda tx: tx.publish("t", {}),
        lambda tx: tx.publish_many([("t", {})]),
        lambda tx: tx.save_documents([(samples.invoice("inv-9"), 0)]),
        lambda tx: tx.append_journal("42", "k", {}),
        lambda tx: tx.revoke_links("42"),
        lambda tx: tx.next_number("n"),
        lambda tx: tx.advance_cursor("mailer", 1),
        lambda tx: tx.save_order("billpay", "O-1", samples.payment()),
    ],
)
def test_a_read_only_transaction_reads_and_refuses_writes(storage: Storage, write) -> None:
    with storage.transaction() as tx:
        tx.save_account(samples.account(), version=0)
    with storage.transaction(read_only=True) as tx:
        assert tx.load_account("42") == Versioned(samples.account(), 1)
        assert tx.is_processed("paypal", "WH-9") is False
        with pytest.raises(StorageError, match="read-only"):
            write(tx)
    with storage.transaction() as tx:
        assert tx.account_ids() == ["42"]
        assert tx.is_processed("paypal", "WH-9") is False
        assert tx.outbox() == []
        assert tx.journal() == []
        assert tx.link_version("42") == 1


def test_every_statement_that_writes_is_known_as_one() -> None:
    for name, sql in SQL.items():
        if sql is None:
            continue
        verb = sql.split()[0].upper()
        assert (name in WRITES) == (verb != "SELECT"), name


def test_a_transaction_inside_a_transaction_is_refused(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.mark_processed("paypal", "WH-1")
        with pytest.raises(StorageError, match="already open"), storage.transaction():
            pass
        tx.mark_processed("paypal", "WH-2")
    with storage.transaction() as tx:
        assert tx.is_processed("paypal", "WH-1")
        assert tx.is_processed("paypal", "WH-2")


def test_threads_sharing_one_storage_lose_no_update(storage: Storage) -> None:
    with storage.transaction() as tx:
        tx.save_account(samples.account(items=0), version=0)
    failures: list[BaseException] = []

    def add(worker: int) -> None:
        try:
            for n in range(4):
                while True:
                    try:
                        with storage.transaction() as tx:
                            stored = tx.load_account("42")
                            assert stored is not None
                            changed = samples.with_item(stored.value, f"t{worker}-{n}")
                            tx.save_account(changed, version=stored.version)
                        break
                    except ConcurrentUpdateError:
                        continue
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=add, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with storage.transaction() as tx:
        stored = tx.load_account("42")
    assert stored is not None
    assert set(stored.value.items) == {f"t{w}-{n}" for w in range(6) for n in range(4)}
    assert stored.version == 1 + 6 * 4


def test_the_clock_stamps_journal_and_outbox(request: pytest.FixtureRequest) -> None:
    when = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    for kind in ("memory", "sqlite-memory"):
        storage = make_storage(kind, request)
        storage._clock = lambda: when  # type: ignore[attr-defined]
        storage.migrate()
        with storage.transaction() as tx:
            tx.append_journal("42", "k", {})
            tx.publish("t", {})
            assert tx.journal()[0].recorded_at == when
            assert tx.outbox()[0].created_at == when


_NAMESPACES = itertools.count()


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    keys=st.lists(
        st.tuples(
            st.sampled_from(["paypal", "bank"]),
            st.text(
                st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                min_size=1,
                max_size=20,
            ),
        ),
        max_size=20,
    )
)
def test_marking_returns_true_exactly_for_unseen_keys(storage: Storage, keys) -> None:
    source = f"s{next(_NAMESPACES)}"  # examples share the storage: a fresh namespace each
    seen: set[tuple[str, str]] = set()
    with storage.transaction() as tx:
        for prefix, key in keys:
            fresh = (prefix, key) not in seen
            assert tx.mark_processed(source + prefix, key) is fresh
            seen.add((prefix, key))
