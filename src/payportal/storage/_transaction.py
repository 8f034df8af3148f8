"""What a transaction offers, sync and async, and the protocols every storage follows."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from payportal.exceptions import StorageError
from payportal.storage import _ops

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractAsyncContextManager, AbstractContextManager

    from payportal.accounts import CustomerAccount
    from payportal.customers import ChangeRecord, Customer
    from payportal.documents import Document
    from payportal.providers import Payment
    from payportal.providers.bank_transfer import Transfer
    from payportal.storage._ops import Op
    from payportal.storage._queries import Query, Result
    from payportal.storage._records import JournalEntry, OutboxMessage, PaymentIntent, Versioned

__all__ = ["AsyncStorage", "AsyncTransaction", "Storage", "Transaction", "drive", "drive_async"]

T = TypeVar("T")
Clock = Callable[[], datetime]


class NestingGuard:
    """Refuses a second transaction opened in a thread that already has one open.

    On one connection it would not be a transaction of its own; on a second one it could
    wait forever for the first one's locks, held by the very thread that waits.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def outermost(self) -> Iterator[None]:
        """Mark this thread as inside a transaction for the ``with`` block."""
        if getattr(self._local, "busy", False):
            raise StorageError(
                "a transaction is already open in this thread; do everything of one "
                "operation through its tx instead of opening a second one"
            )
        self._local.busy = True
        try:
            yield
        finally:
            self._local.busy = False


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def drive(op: Op[T], execute: Callable[[Query], Result]) -> T:
    """Run an operation, executing each query it yields with ``execute``."""
    try:
        query = next(op)
        while True:
            query = op.send(execute(query))
    except StopIteration as stop:
        value: T = stop.value
        return value


async def drive_async(op: Op[T], execute: Callable[[Query], Awaitable[Result]]) -> T:
    """Run an operation, awaiting ``execute`` for each query it yields."""
    try:
        query = next(op)
        while True:
            query = op.send(await execute(query))
    except StopIteration as stop:
        value: T = stop.value
        return value


class _Runner(Protocol):
    def __call__(self, op: Op[T], /) -> T: ...


class _AsyncRunner(Protocol):
    def __call__(self, op: Op[T], /) -> Awaitable[T]: ...


class Transaction:
    """The reads and writes of one transaction; get one from ``storage.transaction()``.

    Everything done through it is committed together when the ``with`` block ends, or
    rolled back together if it raises. Do not keep it beyond the block.

    Reads return ``None`` for what is not stored. Records that cannot be read back raise
    :class:`~payportal.exceptions.CorruptRecordError`; nothing half-loaded is returned.
    Arguments of the wrong type or empty ids raise
    :class:`~payportal.exceptions.ValidationError` naming the argument.
    """

    __slots__ = ("_clock", "_run")

    def __init__(self, run: _Runner, clock: Clock = utc_now) -> None:
        self._run = run
        self._clock = clock

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat()

    # accounts and documents: optimistic versions
    def load_account(self, customer_id: str) -> Versioned[CustomerAccount] | None:
        """The customer's account with its version, or ``None``."""
        return self._run(_ops.load_account(customer_id))

    def save_account(self, account: CustomerAccount, *, version: int) -> int:
        """Store ``account`` over ``version`` (``0``: a new account) and return its new version.

        Raises:
            ConcurrentUpdateError: the stored version is not ``version`` (another writer
                saved it since it was read, or a new account already exists). Nothing is
                written; the transaction should be abandoned and redone.
        """
        return self._run(_ops.save_account(account, version, self._now()))

    def load_customer(self, customer_id: str) -> Versioned[Customer] | None:
        """The customer's master data with its version, or ``None``."""
        return self._run(_ops.load_customer(customer_id))

    def save_customer(self, customer: Customer, *, version: int) -> int:
        """Store ``customer`` over ``version`` (``0``: new); see :meth:`save_account`."""
        return self._run(_ops.save_customer(customer, version, self._now()))

    def account_ids(self) -> list[str]:
        """The ids of all stored accounts, sorted."""
        return self._run(_ops.account_ids())

    def load_document(self, document_id: str) -> Versioned[Document] | None:
        """The document (of its own class: ``Invoice``, ``Offer``, ...) with its version."""
        return self._run(_ops.load_document(document_id))

    def save_document(self, document: Document, *, version: int) -> int:
        """Store the whole ``document`` over ``version`` (``0``: new); see :meth:`save_account`."""
        return self._run(_ops.save_document(document, version, self._now()))

    def load_documents(self, document_ids: Sequence[str]) -> dict[str, Versioned[Document]]:
        """The stored documents of ``document_ids`` with their versions, by id, in the order
        of ``document_ids`` (ids not stored are left out); one statement for all of them."""
        return self._run(_ops.load_documents(document_ids))

    def save_documents(self, documents: Sequence[tuple[Document, int]]) -> list[int]:
        """Store each ``(document, version)`` as :meth:`save_document` does, all with one
        statement, and return the new versions in order.

        Raises:
            ConcurrentUpdateError: a stored version is not the one given. Unlike
                :meth:`save_document`, the other documents of the call may have been
                written in this transaction: let it roll back (leave the ``with`` block
                with the error) and redo the work.
            ValidationError: an element is not a document and a version, or a document
                comes twice.
        """
        return self._run(_ops.save_documents(documents, self._now()))

    def documents_of(self, customer_id: str) -> list[Versioned[Document]]:
        """The customer's documents, by id."""
        return self._run(_ops.documents_of(customer_id))

    # payments and intents
    def save_payment(self, payment: Payment) -> None:
        """Store ``payment`` (keyed by provider and id), replacing what was stored."""
        self._run(_ops.save_payment(payment, self._now()))

    def load_payment(self, provider: str, payment_id: str) -> Payment | None:
        """The payment ``payment_id`` of ``provider``, or ``None``."""
        return self._run(_ops.load_payment(provider, payment_id))

    def save_intent(self, intent: PaymentIntent) -> None:
        """Store ``intent`` (keyed by its id), replacing what was stored."""
        self._run(_ops.save_intent(intent))

    def load_intent(self, intent_id: str) -> PaymentIntent | None:
        """The payment intent ``intent_id``, or ``None``."""
        return self._run(_ops.load_intent(intent_id))

    def intents_of(self, customer_id: str) -> list[PaymentIntent]:
        """The customer's payment intents, by id."""
        return self._run(_ops.intents_of(customer_id))

    # exactly once
    def mark_processed(self, source: str, key: str) -> bool:
        """Record that the event ``key`` from ``source`` is handled; ``False`` if it was before.

        A unique key in the database decides, so of two concurrent transactions marking the
        same key exactly one gets ``True`` (the other waits, then gets ``False``). Call it
        in the transaction that books the event: if that rolls back, so does the mark.
        """
        return self._run(_ops.mark_processed(source, key, self._now()))

    def is_processed(self, source: str, key: str) -> bool:
        """Whether the event ``key`` from ``source`` was marked processed."""
        return self._run(_ops.is_processed(source, key))

    def next_number(self, name: str, *, start: int = 1) -> int:
        """The next number of the sequence ``name`` (``start`` first); never handed out twice
        by committed transactions."""
        return self._run(_ops.next_number(name, start))

    # bank transfers and provider orders
    def add_transfer(self, transfer: Transfer) -> bool:
        """Store a new transfer; ``False`` (storing nothing) if its id or reference is taken."""
        return self._run(_ops.add_transfer(transfer))

    def load_transfer(self, payment_id: str) -> Transfer | None:
        """The transfer with this payment id, or ``None``."""
        return self._run(_ops.load_transfer(payment_id))

    def find_transfer(self, reference: str) -> Transfer | None:
        """The transfer with this compact reference, or ``None``."""
        return self._run(_ops.find_transfer(reference))

    def replace_transfer(self, transfer: Transfer) -> bool:
        """Store ``transfer`` if the stored one's version is ``transfer.version - 1``."""
        return self._run(_ops.replace_transfer(transfer))

    def load_order(self, provider: str, reference: str, type_: type[T]) -> T | None:
        """The order ``reference`` of ``provider``, loaded as ``type_``, or ``None``."""
        return self._run(_ops.load_order(provider, reference, type_))

    def save_order(self, provider: str, reference: str, order: object) -> None:
        """Store ``order`` as ``provider``'s order ``reference``, replacing what was stored."""
        self._run(_ops.save_order(provider, reference, order))

    def delete_order(self, provider: str, reference: str) -> bool:
        """Forget an order; ``False`` if there was none."""
        return self._run(_ops.delete_order(provider, reference))

    def order_references(self, provider: str) -> list[str]:
        """The references of ``provider``'s stored orders, sorted."""
        return self._run(_ops.order_references(provider))

    # links and master data
    def link_version(self, customer_id: str) -> int:
        """The customer's current link version (``1`` until links are first revoked)."""
        return self._run(_ops.link_version(customer_id))

    def revoke_links(self, customer_id: str) -> int:
        """Revoke every link the customer holds; return the new link version to sign with."""
        return self._run(_ops.revoke_links(customer_id))

    def record_change(self, record: ChangeRecord) -> None:
        """Keep a master-data change record."""
        self._run(_ops.record_change(record, self._now()))

    def change_records(self, customer_id: str) -> list[ChangeRecord]:
        """The customer's master-data change records, oldest first."""
        return self._run(_ops.change_records(customer_id))

    # journal and outbox
    def append_journal(self, customer_id: str, kind: str, data: Mapping[str, Any]) -> int:
        """Append an entry of JSON-compatible ``data`` to the journal; return its sequence.

        Entries are never changed or removed.
        """
        return self._run(_ops.append_journal(customer_id, kind, data, self._now()))

    def journal(
        self, customer_id: str | None = None, *, after: int = 0, limit: int = 1000
    ) -> list[JournalEntry]:
        """Up to ``limit`` journal entries after sequence ``after``, of one customer or all.

        Sequences are unique and increase in the order entries were appended, but on
        PostgreSQL concurrent transactions may commit a later sequence first: to act on
        every booking exactly once, read the outbox with a cursor, not the journal.
        """
        return self._run(_ops.journal(customer_id, after, limit))

    def publish(self, topic: str, payload: Mapping[str, Any]) -> int:
        """Put a message of JSON-compatible ``payload`` in the outbox; return its position.

        It becomes visible when this transaction commits, and never if it rolls back.
        """
        return self._run(_ops.publish(topic, payload, self._now()))

    def publish_many(self, messages: Sequence[tuple[str, Mapping[str, Any]]]) -> list[int]:
        """Put each ``(topic, payload)`` in the outbox as :meth:`publish` does, in order,
        with one statement for all of them; return their positions."""
        return self._run(_ops.publish_many(messages, self._now()))

    def outbox(self, *, after: int = 0, limit: int = 100) -> list[OutboxMessage]:
        """Up to ``limit`` outbox messages after position ``after``, oldest first."""
        return self._run(_ops.outbox(after, limit))

    def cursor(self, consumer: str) -> int:
        """The last position ``consumer`` handled (``0`` at first)."""
        return self._run(_ops.cursor(consumer))

    def advance_cursor(self, consumer: str, position: int) -> None:
        """Remember that ``consumer`` handled every message up to ``position``."""
        self._run(_ops.advance_cursor(consumer, position))


class AsyncTransaction:
    """:class:`Transaction`'s twin for ``async with storage.transaction() as tx:``.

    Every method is a coroutine with the same arguments, result and errors as the method of
    the same name of :class:`Transaction`.

    The reads and writes of one transaction; get one from ``storage.transaction()``.

    Everything done through it is committed together when the ``with`` block ends, or
    rolled back together if it raises. Do not keep it beyond the block.

    Reads return ``None`` for what is not stored. Records that cannot be read back raise
    :class:`~payportal.exceptions.CorruptRecordError`; nothing half-loaded is returned.
    Arguments of the wrong type or empty ids raise
    :class:`~payportal.exceptions.ValidationError` naming the argument.
    """

    __slots__ = ("_clock", "_run")

    def __init__(self, run: _AsyncRunner, clock: Clock = utc_now) -> None:
        self._run = run
        self._clock = clock

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat()

    # accounts and documents: optimistic versions
    async def load_account(self, customer_id: str) -> Versioned[CustomerAccount] | None:
        """The customer's account with its version, or ``None``."""
        return await self._run(_ops.load_account(customer_id))

    async def save_account(self, account: CustomerAccount, *, version: int) -> int:
        """Store ``account`` over ``version`` (``0``: a new account) and return its new version.

        Raises:
            ConcurrentUpdateError: the stored version is not ``version`` (another writer
                saved it since it was read, or a new account already exists). Nothing is
                written; the transaction should be abandoned and redone.
        """
        return await self._run(_ops.save_account(account, version, self._now()))

    async def load_customer(self, customer_id: str) -> Versioned[Customer] | None:
        """The customer's master data with its version, or ``None``."""
        return await self._run(_ops.load_customer(customer_id))

    async def save_customer(self, customer: Customer, *, version: int) -> int:
        """Store ``customer`` over ``version`` (``0``: new); see :meth:`save_account`."""
        return await self._run(_ops.save_customer(customer, version, self._now()))

    async def account_ids(self) -> list[str]:
        """The ids of all stored accounts, sorted."""
        return await self._run(_ops.account_ids())

    async def load_document(self, document_id: str) -> Versioned[Document] | None:
        """The document (of its own class: ``Invoice``, ``Offer``, ...) with its version."""
        return await self._run(_ops.load_document(document_id))

    async def save_document(self, document: Document, *, version: int) -> int:
        """Store the whole ``document`` over ``version`` (``0``: new); see :meth:`save_account`."""
        return await self._run(_ops.save_document(document, version, self._now()))

    async def load_documents(self, document_ids: Sequence[str]) -> dict[str, Versioned[Document]]:
        """See :meth:`Transaction.load_documents`."""
        return await self._run(_ops.load_documents(document_ids))

    async def save_documents(self, documents: Sequence[tuple[Document, int]]) -> list[int]:
        """See :meth:`Transaction.save_documents`."""
        return await self._run(_ops.save_documents(documents, self._now()))

    async def documents_of(self, customer_id: str) -> list[Versioned[Document]]:
        """The customer's documents, by id."""
        return await self._run(_ops.documents_of(customer_id))

    # payments and intents
    async def save_payment(self, payment: Payment) -> None:
        """Store ``payment`` (keyed by provider and id), replacing what was stored."""
        await self._run(_ops.save_payment(payment, self._now()))

    async def load_payment(self, provider: str, payment_id: str) -> Payment | None:
        """The payment ``payment_id`` of ``provider``, or ``None``."""
        return await self._run(_ops.load_payment(provider, payment_id))

    async def save_intent(self, intent: PaymentIntent) -> None:
        """Store ``intent`` (keyed by its id), replacing what was stored."""
        await self._run(_ops.save_intent(intent))

    async def load_intent(self, intent_id: str) -> PaymentIntent | None:
        """The payment intent ``intent_id``, or ``None``."""
        return await self._run(_ops.load_intent(intent_id))

    async def intents_of(self, customer_id: str) -> list[PaymentIntent]:
        """The customer's payment intents, by id."""
        return await self._run(_ops.intents_of(customer_id))

    # exactly once
    async def mark_processed(self, source: str, key: str) -> bool:
        """Record that the event ``key`` from ``source`` is handled; ``False`` if it was before.

        A unique key in the database decides, so of two concurrent transactions marking the
        same key exactly one gets ``True`` (the other waits, then gets ``False``). Call it
        in the transaction that books the event: if that rolls back, so does the mark.
        """
        return await self._run(_ops.mark_processed(source, key, self._now()))

    async def is_processed(self, source: str, key: str) -> bool:
        """Whether the event ``key`` from ``source`` was marked processed."""
        return await self._run(_ops.is_processed(source, key))

    async def next_number(self, name: str, *, start: int = 1) -> int:
        """The next number of the sequence ``name`` (``start`` first); never handed out twice
        by committed transactions."""
        return await self._run(_ops.next_number(name, start))

    # bank transfers and provider orders
    async def add_transfer(self, transfer: Transfer) -> bool:
        """Store a new transfer; ``False`` (storing nothing) if its id or reference is taken."""
        return await self._run(_ops.add_transfer(transfer))

    async def load_transfer(self, payment_id: str) -> Transfer | None:
        """The transfer with this payment id, or ``None``."""
        return await self._run(_ops.load_transfer(payment_id))

    async def find_transfer(self, reference: str) -> Transfer | None:
        """The transfer with this compact reference, or ``None``."""
        return await self._run(_ops.find_transfer(reference))

    async def replace_transfer(self, transfer: Transfer) -> bool:
        """Store ``transfer`` if the stored one's version is ``transfer.version - 1``."""
        return await self._run(_ops.replace_transfer(transfer))

    async def load_order(self, provider: str, reference: str, type_: type[T]) -> T | None:
        """The order ``reference`` of ``provider``, loaded as ``type_``, or ``None``."""
        return await self._run(_ops.load_order(provider, reference, type_))

    async def save_order(self, provider: str, reference: str, order: object) -> None:
        """Store ``order`` as ``provider``'s order ``reference``, replacing what was stored."""
        await self._run(_ops.save_order(provider, reference, order))

    async def delete_order(self, provider: str, reference: str) -> bool:
        """Forget an order; ``False`` if there was none."""
        return await self._run(_ops.delete_order(provider, reference))

    async def order_references(self, provider: str) -> list[str]:
        """The references of ``provider``'s stored orders, sorted."""
        return await self._run(_ops.order_references(provider))

    # links and master data
    async def link_version(self, customer_id: str) -> int:
        """The customer's current link version (``1`` until links are first revoked)."""
        return await self._run(_ops.link_version(customer_id))

    async def revoke_links(self, customer_id: str) -> int:
        """Revoke every link the customer holds; return the new link version to sign with."""
        return await self._run(_ops.revoke_links(customer_id))

    async def record_change(self, record: ChangeRecord) -> None:
        """Keep a master-data change record."""
        await self._run(_ops.record_change(record, self._now()))

    async def change_records(self, customer_id: str) -> list[ChangeRecord]:
        """The customer's master-data change records, oldest first."""
        return await self._run(_ops.change_records(customer_id))

    # journal and outbox
    async def append_journal(self, customer_id: str, kind: str, data: Mapping[str, Any]) -> int:
        """Append an entry of JSON-compatible ``data`` to the journal; return its sequence.

        Entries are never changed or removed.
        """
        return await self._run(_ops.append_journal(customer_id, kind, data, self._now()))

    async def journal(
        self, customer_id: str | None = None, *, after: int = 0, limit: int = 1000
    ) -> list[JournalEntry]:
        """Up to ``limit`` journal entries after sequence ``after``, of one customer or all.

        Sequences are unique and increase in the order entries were appended, but on
        PostgreSQL concurrent transactions may commit a later sequence first: to act on
        every booking exactly once, read the outbox with a cursor, not the journal.
        """
        return await self._run(_ops.journal(customer_id, after, limit))

    async def publish(self, topic: str, payload: Mapping[str, Any]) -> int:
        """Put a message of JSON-compatible ``payload`` in the outbox; return its position.

        It becomes visible when this transaction commits, and never if it rolls back.
        """
        return await self._run(_ops.publish(topic, payload, self._now()))

    async def publish_many(self, messages: Sequence[tuple[str, Mapping[str, Any]]]) -> list[int]:
        """See :meth:`Transaction.publish_many`."""
        return await self._run(_ops.publish_many(messages, self._now()))

    async def outbox(self, *, after: int = 0, limit: int = 100) -> list[OutboxMessage]:
        """Up to ``limit`` outbox messages after position ``after``, oldest first."""
        return await self._run(_ops.outbox(after, limit))

    async def cursor(self, consumer: str) -> int:
        """The last position ``consumer`` handled (``0`` at first)."""
        return await self._run(_ops.cursor(consumer))

    async def advance_cursor(self, consumer: str, position: int) -> None:
        """Remember that ``consumer`` handled every message up to ``position``."""
        await self._run(_ops.advance_cursor(consumer, position))


@runtime_checkable
class Storage(Protocol):
    """What payportal needs from a storage: transactions and a schema it can upgrade.

    Implemented by :class:`~payportal.storage.SQLiteStorage`,
    :class:`~payportal.storage.PostgresStorage` and, for tests,
    ``payportal.testing.MemoryStorage``.
    """

    def migrate(self, target: int | None = None) -> int:
        """Bring the schema up to ``target`` (default: the newest); return the version now.

        Each step runs in its own transaction with the schema-version row, so an interrupted
        upgrade resumes where it stopped. Several processes may call it at once.

        Raises:
            StorageError: the database was written by a newer payportal.
            StorageUnavailableError: the database cannot be reached.
        """
        ...

    def schema_version(self) -> int:
        """The schema version of the database (``0``: empty)."""
        ...

    def transaction(self, *, read_only: bool = False) -> AbstractContextManager[Transaction]:
        """A transaction: ``with storage.transaction() as tx: ...`` commits at the end of the
        block, or rolls everything back if it raises.

        ``read_only=True`` for a transaction that only reads (rendering a page): it sees one
        consistent snapshot and, on SQLite, does not wait for a writer nor hold one up. A
        write in it raises :class:`~payportal.exceptions.StorageError` before reaching the
        database.

        Raises:
            StorageUnavailableError: the database cannot be reached or stayed locked longer
                than the storage's timeout; the driver's exception is the ``__cause__``.
        """
        ...

    def close(self) -> None:
        """Release connections; the storage cannot be used afterwards."""
        ...


@runtime_checkable
class AsyncStorage(Protocol):
    """:class:`Storage`'s twin for asyncio apps: the same methods, as coroutines, and
    ``async with storage.transaction() as tx:`` giving an :class:`AsyncTransaction`."""

    async def migrate(self, target: int | None = None) -> int:
        """See :meth:`Storage.migrate`."""
        ...

    async def schema_version(self) -> int:
        """See :meth:`Storage.schema_version`."""
        ...

    def transaction(
        self, *, read_only: bool = False
    ) -> AbstractAsyncContextManager[AsyncTransaction]:
        """See :meth:`Storage.transaction`."""
        ...

    async def close(self) -> None:
        """See :meth:`Storage.close`."""
        ...
