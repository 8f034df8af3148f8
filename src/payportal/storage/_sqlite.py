"""SQLite storage on the standard library's :mod:`sqlite3`: the embedded default."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, Final

from payportal.exceptions import StorageError, StorageUnavailableError, ValidationError
from payportal.storage import _ops
from payportal.storage._migrations import LATEST, MIGRATIONS
from payportal.storage._queries import Query, Result, sql_for
from payportal.storage._queries import read_only as guard_writes
from payportal.storage._transaction import (
    AsyncTransaction,
    Clock,
    NestingGuard,
    Transaction,
    drive,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from payportal.storage._ops import Op
    from payportal.storage._transaction import AsyncStorage, Storage

__all__ = ["AsyncSQLiteStorage", "SQLiteStorage"]

MEMORY: Final = ":memory:"
_SYNCHRONOUS: Final = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})


class _Connection(sqlite3.Connection):
    """A connection that can be referenced weakly, so one of a finished thread is freed."""


def _translate(exc: sqlite3.Error, where: str) -> StorageError:
    """The payportal error for a driver error; the caller chains ``exc`` as the cause."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in text or "busy" in text:
            return StorageUnavailableError(
                f"the SQLite database {where} stayed locked by another writer longer than the "
                f"timeout ({text}); retry, or raise the storage's timeout"
            )
        if "no such table" in text:
            return StorageError(
                f"the SQLite database {where} has no payportal schema yet ({text}); "
                "call storage.migrate() once before using it"
            )
        if "unable to open" in text or "disk I/O" in text or "readonly" in text:
            return StorageUnavailableError(f"cannot use the SQLite database {where}: {text}")
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return StorageUnavailableError(f"the SQLite database {where} is damaged: {text}")
    return StorageError(f"the SQLite database {where} refused an operation: {text}")


class SQLiteStorage:
    """A :class:`~payportal.storage.Storage` in an SQLite file, or in memory.

    A file is opened in WAL mode, so readers never wait for the writer; each transaction
    takes the write lock up front (``BEGIN IMMEDIATE``), so two writers never both read a
    version and then both write. A writer that finds the lock taken waits up to ``timeout``
    seconds. Several processes may share one file (on a local disk, not a network share).

    ``":memory:"`` keeps everything in this process, in one connection shared by all
    threads, one transaction at a time.

    Each thread gets its own connection; connections are made on first use, so creating
    the storage never fails. Call :meth:`migrate` once before the first transaction.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        timeout: seconds a writer waits for the lock before
            :class:`~payportal.exceptions.StorageUnavailableError`.
        synchronous: SQLite's ``synchronous`` setting; ``"FULL"`` (the default) makes every
            committed transaction survive a power cut, ``"NORMAL"`` trades the last few for
            speed (never corruption in WAL mode).
        clock: the time stamped on journal entries, outbox messages and records.

    >>> storage = SQLiteStorage(":memory:")
    >>> storage.migrate()
    3
    >>> with storage.transaction() as tx:
    ...     tx.mark_processed("paypal", "WH-1"), tx.mark_processed("paypal", "WH-1")
    (True, False)
    >>> storage.close()
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 5.0,
        synchronous: str = "FULL",
        clock: Clock = utc_now,
    ) -> None:
        if not isinstance(path, str | os.PathLike):
            raise ValidationError("must be a file path or ':memory:'", field="path", value=path)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ValidationError("must be a number of seconds", field="timeout", value=timeout)
        if synchronous not in _SYNCHRONOUS:
            raise ValidationError(
                f"must be one of {', '.join(sorted(_SYNCHRONOUS))}",
                field="synchronous",
                value=synchronous,
            )
        self._path = os.fspath(path)
        self._memory = self._path == MEMORY
        self._timeout = float(timeout)
        self._synchronous = synchronous
        self._clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()  # one transaction at a time on the shared :memory: one
        self._registry = threading.Lock()  # guards _connections and _shared
        # Weak: a thread's connection lives as long as the thread (its threading.local);
        # close() closes those still alive.
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._shared: sqlite3.Connection | None = None
        self._closed = False
        self._guard = NestingGuard()

    def __repr__(self) -> str:
        return f"SQLiteStorage({self._path!r})"

    @property
    def path(self) -> str:
        """The database file, or ``":memory:"``."""
        return self._path

    # -- connections ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
            )
        except sqlite3.Error as exc:
            raise StorageUnavailableError(
                f"cannot open the SQLite database {self._path!r}: {exc}"
            ) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            if not self._memory:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, repr(self._path)) from exc
        self._connections.add(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"{self!r} is closed")
        if self._memory:
            with self._registry:
                if self._shared is None:
                    self._shared = self._connect()
                return self._shared
        pid = os.getpid()
        # A forked child must not use its parent's connection: make its own.
        if getattr(self._local, "pid", None) != pid:
            with self._registry:
                self._local.conn = self._connect()
            self._local.pid = pid
        conn: sqlite3.Connection = self._local.conn
        return conn

    def close(self) -> None:
        """Close every connection this storage opened (in this process)."""
        self._closed = True
        with self._registry:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            conn.close()

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------

    def _execute(self, conn: sqlite3.Connection, query: Query) -> Result:
        sql = sql_for("sqlite", query)
        if sql is None:
            return Result()
        try:
            if query.many:
                cursor = conn.executemany(sql, query.params)  # type: ignore[arg-type]
                rows = []
            else:
                cursor = conn.execute(sql, query.params)
                rows = cursor.fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc, repr(self._path)) from exc
        return Result(rows, cursor.rowcount)

    @contextmanager
    def _begin(self, *, read_only: bool = False) -> Iterator[Callable[[Op[Any]], Any]]:
        """One transaction, as a function that runs operations in it."""
        with self._guard.outermost():
            conn = self._connection()
            if self._memory:
                self._lock.acquire()
            try:
                yield from self._in_transaction(conn, read_only=read_only)
            finally:
                if self._memory:
                    self._lock.release()

    def _in_transaction(
        self, conn: sqlite3.Connection, *, read_only: bool
    ) -> Iterator[Callable[[Op[Any]], Any]]:
        # A writer takes the lock up front, so two never both read and then both write; a
        # reader reads a snapshot (WAL) and never waits for a writer.
        try:
            conn.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _translate(exc, repr(self._path)) from exc
        execute: Callable[[Query], Result] = lambda query: self._execute(conn, query)  # noqa: E731
        if read_only:
            execute = guard_writes(execute)
        try:
            yield lambda op: drive(op, execute)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _translate(exc, repr(self._path)) from exc

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Transaction]:
        """See :meth:`payportal.storage.Storage.transaction`."""
        with self._begin(read_only=read_only) as run:
            yield Transaction(run, self._clock)

    def schema_version(self) -> int:
        """See :meth:`payportal.storage.Storage.schema_version`."""
        with self._begin() as run:
            version: int = run(_ops.schema_version())
            return version

    def migrate(self, target: int | None = None) -> int:
        """See :meth:`payportal.storage.Storage.migrate`."""
        goal = _target(target)
        for step in MIGRATIONS[:goal]:
            with self._begin() as run:
                run(_ops.migrate_step("sqlite", step))
        return self.schema_version()


def _target(target: int | None) -> int:
    if target is None:
        return LATEST
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target <= LATEST:
        raise ValidationError(
            f"must be a schema version from 0 to {LATEST}", field="target", value=target
        )
    return target


class AsyncSQLiteStorage:
    """:class:`SQLiteStorage` for asyncio apps: its work runs in one worker thread, so the
    event loop never waits for the disk or for the write lock.

    Transactions of one ``AsyncSQLiteStorage`` run one after another (SQLite has one writer
    at a time anyway). Arguments are those of :class:`SQLiteStorage`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 5.0,
        synchronous: str = "FULL",
        clock: Clock = utc_now,
    ) -> None:
        self._sync = SQLiteStorage(path, timeout=timeout, synchronous=synchronous, clock=clock)
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payportal-sqlite")
        self._lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"AsyncSQLiteStorage({self._sync.path!r})"

    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[AsyncTransaction]:
        """See :meth:`payportal.storage.AsyncStorage.transaction`."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            begin = self._sync._begin(read_only=read_only)
            run = await self._call(begin.__enter__)

            async def run_async(op: Op[Any]) -> Any:
                return await self._call(run, op)

            try:
                yield AsyncTransaction(run_async, self._clock)
            except BaseException as exc:
                await self._call(begin.__exit__, type(exc), exc, exc.__traceback__)
                raise
            await self._call(begin.__exit__, None, None, None)

    async def schema_version(self) -> int:
        """See :meth:`payportal.storage.AsyncStorage.schema_version`."""
        version: int = await self._call(self._sync.schema_version)
        return version

    async def migrate(self, target: int | None = None) -> int:
        """See :meth:`payportal.storage.AsyncStorage.migrate`."""
        version: int = await self._call(self._sync.migrate, target)
        return version

    async def close(self) -> None:
        """Close the connection and stop the worker thread."""
        await self._call(self._sync.close)
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> AsyncSQLiteStorage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


if TYPE_CHECKING:  # mypy proves both follow their protocol

    def _conforms(sync: SQLiteStorage, twin: AsyncSQLiteStorage) -> tuple[Storage, AsyncStorage]:
        return sync, twin
