"""An in-memory :class:`~payportal.storage.Storage` for tests of apps built on payportal."""

# Each handler takes its query's bound parameters in order, as the SQL statement does.
# ruff: noqa: PLR0917

from __future__ import annotations

import copy
import json
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from payportal.exceptions import StorageError
from payportal.storage._migrations import LATEST
from payportal.storage._queries import Query, Result
from payportal.storage._queries import read_only as guard_writes
from payportal.storage._sqlite import _target
from payportal.storage._transaction import Clock, NestingGuard, Transaction, drive, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from payportal.storage._transaction import Storage

__all__ = ["MemoryStorage"]


class _State:
    """Every table as a dictionary; copied at the start of each transaction."""

    def __init__(self) -> None:
        self.schema = 0
        self.accounts: dict[str, tuple[int, str, str]] = {}
        self.customers: dict[str, tuple[int, str, str]] = {}
        self.documents: dict[str, tuple[str, str, int, str, str]] = {}
        self.payments: dict[tuple[str, str], tuple[str, str]] = {}
        self.intents: dict[str, tuple[str, str, str]] = {}
        self.events: dict[tuple[str, str], str] = {}
        self.counters: dict[str, int] = {}
        self.transfers: dict[str, tuple[str, int, str, str]] = {}
        self.references: dict[str, str] = {}
        self.orders: dict[tuple[str, str], tuple[str, str]] = {}
        self.links: dict[str, int] = {}
        self.changes: list[tuple[str, str, str]] = []
        self.journal: list[tuple[int, str, str, str, str, str]] = []
        self.outbox: dict[int, tuple[str, str, str, str]] = {}
        self.cursors: dict[str, int] = {}


def _rows(*rows: tuple[Any, ...]) -> Result:
    return Result(list(rows), -1)


def _changed(count: int) -> Result:
    return Result([], count)


def _versioned_handlers(table: str) -> dict[str, Callable[..., Result]]:
    """The get, version, insert and update handlers of a table of versioned records."""

    def rows(s: _State) -> dict[str, tuple[int, str, str]]:
        records: dict[str, tuple[int, str, str]] = getattr(s, table)
        return records

    def get(s: _State, key: str) -> Result:
        return _rows(rows(s)[key]) if key in rows(s) else _rows()

    def version(s: _State, key: str) -> Result:
        return _one(rows(s)[key][0] if key in rows(s) else None)

    def insert(s: _State, key: str, body: str, stored: str, _now: str) -> Result:
        if key in rows(s):
            return _changed(0)
        rows(s)[key] = (1, body, stored)
        return _changed(1)

    def update(s: _State, body: str, stored: str, _now: str, key: str, expected: int) -> Result:
        current = rows(s).get(key)
        if current is None or current[0] != expected:
            return _changed(0)
        rows(s)[key] = (expected + 1, body, stored)
        return _changed(1)

    return {"get": get, "version": version, "insert": insert, "update": update}


def _document_insert(
    s: _State, key: str, customer: str, kind: str, body: str, stored: str, _now: str
) -> Result:
    if key in s.documents:
        return _changed(0)
    s.documents[key] = (customer, kind, 1, body, stored)
    return _changed(1)


def _document_update(
    s: _State, customer: str, kind: str, body: str, stored: str, _now: str, key: str, expected: int
) -> Result:
    current = s.documents.get(key)
    if current is None or current[2] != expected:
        return _changed(0)
    s.documents[key] = (customer, kind, expected + 1, body, stored)
    return _changed(1)


def _document_get(s: _State, key: str) -> Result:
    if key not in s.documents:
        return _rows()
    _customer, kind, version, body, stored = s.documents[key]
    return _rows((version, body, stored, kind))


def _documents_of(s: _State, customer_id: str) -> Result:
    return _rows(
        *(
            (key, version, body, stored, kind)
            for key, (customer, kind, version, body, stored) in sorted(s.documents.items())
            if customer == customer_id
        )
    )


def _payment_put(s: _State, provider: str, key: str, body: str, stored: str, _now: str) -> Result:
    s.payments[provider, key] = (body, stored)
    return _changed(1)


def _intent_put(s: _State, key: str, customer: str, body: str, stored: str) -> Result:
    s.intents[key] = (customer, body, stored)
    return _changed(1)


def _event_insert(s: _State, source: str, key: str, now: str) -> Result:
    if (source, key) in s.events:
        return _changed(0)
    s.events[source, key] = now
    return _changed(1)


def _counter_take(s: _State, name: str, first: int, count: int) -> Result:
    s.counters[name] = s.counters[name] + count if name in s.counters else first
    return Result([(s.counters[name],)], 1)


def _documents_get(s: _State, keys: str) -> Result:
    wanted = json.loads(keys)
    return _rows(*((key, *_document_get(s, key).rows[0]) for key in wanted if key in s.documents))


def _transfer_insert(
    s: _State, key: str, reference: str, version: int, body: str, stored: str
) -> Result:
    if key in s.transfers or reference in s.references:
        return _changed(0)
    s.transfers[key] = (reference, version, body, stored)
    s.references[reference] = key
    return _changed(1)


def _transfer_get(s: _State, key: str) -> Result:
    if key not in s.transfers:
        return _rows()
    _reference, _version, body, stored = s.transfers[key]
    return _rows((body, stored))


def _transfer_update(
    s: _State, version: int, body: str, stored: str, key: str, expected: int
) -> Result:
    current = s.transfers.get(key)
    if current is None or current[1] != expected:
        return _changed(0)
    s.transfers[key] = (current[0], version, body, stored)
    return _changed(1)


def _order_put(s: _State, provider: str, reference: str, body: str, stored: str) -> Result:
    s.orders[provider, reference] = (body, stored)
    return _changed(1)


def _order_delete(s: _State, provider: str, reference: str) -> Result:
    return _changed(0 if s.orders.pop((provider, reference), None) is None else 1)


def _link_bump(s: _State, customer_id: str, first: int) -> Result:
    s.links[customer_id] = s.links[customer_id] + 1 if customer_id in s.links else first
    return Result([(s.links[customer_id],)], 1)


def _journal_insert(
    s: _State, customer: str, kind: str, now: str, body: str, stored: str
) -> Result:
    sequence = s.journal[-1][0] + 1 if s.journal else 1
    s.journal.append((sequence, customer, kind, now, body, stored))
    return Result([(sequence,)], 1)


def _journal_read(s: _State, after: int, limit: int) -> Result:
    return _rows(*[row for row in s.journal if row[0] > after][:limit])


def _journal_read_customer(s: _State, customer: str, after: int, limit: int) -> Result:
    return _rows(*[row for row in s.journal if row[1] == customer and row[0] > after][:limit])


def _outbox_insert(
    s: _State, position: int, topic: str, body: str, stored: str, now: str
) -> Result:
    s.outbox[position] = (topic, body, stored, now)
    return _changed(1)


def _outbox_read(s: _State, after: int, limit: int) -> Result:
    positions = sorted(p for p in s.outbox if p > after)[:limit]
    return _rows(*((p, *s.outbox[p]) for p in positions))


def _cursor_set(s: _State, consumer: str, position: int) -> Result:
    s.cursors[consumer] = position
    return _changed(1)


def _one(value: Any) -> Result:
    return _rows() if value is None else _rows((value,))


_HANDLERS: Final[dict[str, Callable[..., Result]]] = {
    **{f"account.{name}": handler for name, handler in _versioned_handlers("accounts").items()},
    **{f"customer.{name}": handler for name, handler in _versioned_handlers("customers").items()},
    "account.ids": lambda s: _rows(*((key,) for key in sorted(s.accounts))),
    "document.get": _document_get,
    "document.get_many": _documents_get,
    "document.version": lambda s, key: _one(s.documents.get(key, (0, 0, None))[2]),
    "document.insert": _document_insert,
    "document.update": _document_update,
    "document.of_customer": _documents_of,
    "payment.get": lambda s, p, key: (
        _rows(s.payments[p, key]) if (p, key) in s.payments else _rows()
    ),
    "payment.put": _payment_put,
    "intent.get": lambda s, key: _rows(s.intents[key][1:]) if key in s.intents else _rows(),
    "intent.put": _intent_put,
    "intent.of_customer": lambda s, c: _rows(
        *(v[1:] for _, v in sorted(s.intents.items()) if v[0] == c)
    ),
    "event.insert": _event_insert,
    "event.get": lambda s, source, key: _one(s.events.get((source, key))),
    "counter.take": _counter_take,
    "transfer.insert": _transfer_insert,
    "transfer.get": _transfer_get,
    "transfer.find": lambda s, ref: _transfer_get(s, s.references.get(ref, "")),
    "transfer.update": _transfer_update,
    "order.get": lambda s, p, ref: _rows(s.orders[p, ref]) if (p, ref) in s.orders else _rows(),
    "order.put": _order_put,
    "order.delete": _order_delete,
    "order.references": lambda s, p: _rows(*sorted((ref,) for prov, ref in s.orders if prov == p)),
    "link.get": lambda s, key: _one(s.links.get(key)),
    "link.bump": _link_bump,
    "change.insert": lambda s, c, _now, body, stored: (
        s.changes.append((c, body, stored)),
        _changed(1),
    )[1],
    "change.of_customer": lambda s, c: _rows(*(row[1:] for row in s.changes if row[0] == c)),
    "journal.insert": _journal_insert,
    "journal.read": _journal_read,
    "journal.read_customer": _journal_read_customer,
    "outbox.insert": _outbox_insert,
    "outbox.read": _outbox_read,
    "cursor.get": lambda s, consumer: _one(s.cursors.get(consumer)),
    "cursor.set": _cursor_set,
}


class MemoryStorage:
    """A :class:`~payportal.storage.Storage` in this process's memory, for tests.

    It passes the same contract suite as the SQLite and PostgreSQL storages: records are
    stored as the same text (so whatever cannot be stored fails here too), versions,
    unique keys and rollback behave the same. Transactions run one at a time; a failed one
    leaves nothing behind. Call :meth:`migrate` first, as with a database.

    >>> storage = MemoryStorage()
    >>> storage.migrate()
    3
    >>> with storage.transaction() as tx:
    ...     tx.revoke_links("42")
    2
    """

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._state = _State()
        self._lock = threading.Lock()
        self._guard = NestingGuard()
        self._closed = False

    def __repr__(self) -> str:
        return f"MemoryStorage(accounts={len(self._state.accounts)})"

    @contextmanager
    def _begin(
        self, *, schema: bool = False, read_only: bool = False
    ) -> Iterator[tuple[Callable[[Any], Any], _State]]:
        if self._closed:
            raise StorageError(f"{self!r} is closed")
        with self._guard.outermost(), self._lock:
            work = copy.copy(self._state)
            for name, value in vars(self._state).items():
                if isinstance(value, dict | list):
                    setattr(work, name, copy.copy(value))
            if not schema and work.schema < LATEST:
                raise StorageError(
                    "the memory storage has no payportal schema yet; call storage.migrate() "
                    "once before using it"
                )

            def execute(query: Query) -> Result:
                handler = _HANDLERS[query.name]
                if query.many:
                    rows: tuple[tuple[object, ...], ...] = query.params  # type: ignore[assignment]
                    runs = [handler(work, *params) for params in rows]
                    return Result([], sum(run.rowcount for run in runs))
                return handler(work, *query.params)

            run = guard_writes(execute) if read_only else execute
            yield (lambda op: drive(op, run)), work
            if not read_only:
                self._state = work

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Transaction]:
        """See :meth:`payportal.storage.Storage.transaction`."""
        with self._begin(read_only=read_only) as (run, _state):
            yield Transaction(run, self._clock)

    def schema_version(self) -> int:
        """See :meth:`payportal.storage.Storage.schema_version`."""
        return self._state.schema

    def migrate(self, target: int | None = None) -> int:
        """See :meth:`payportal.storage.Storage.migrate` (there is no schema to build)."""
        goal = _target(target)
        with self._begin(schema=True) as (_run, state):
            state.schema = max(state.schema, goal)
        return self._state.schema

    def close(self) -> None:
        """Forget everything; the storage cannot be used afterwards."""
        self._closed = True
        self._state = _State()


if TYPE_CHECKING:  # mypy proves it follows the protocol

    def _conforms(storage: MemoryStorage) -> Storage:
        return storage
