"""PostgreSQL storage on psycopg 3 and psycopg_pool: for apps with many workers.

Concurrent writers are kept safe by the database: a save compares the version column in
its ``UPDATE ... WHERE version = ?`` (the row lock makes a second writer wait and then find
the version changed), unique keys refuse a second copy of an event, a transfer or a
reference, and migrations take an advisory lock. No application lock is involved, so
workers on many machines can share one database.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

from payportal.exceptions import (
    ConcurrentUpdateError,
    StorageError,
    StorageUnavailableError,
    ValidationError,
)
from payportal.storage import _ops
from payportal.storage._migrations import MIGRATIONS
from payportal.storage._queries import Query, Result, refuse_write, sql_for
from payportal.storage._queries import read_only as guard_writes
from payportal.storage._sqlite import _target
from payportal.storage._transaction import (
    AsyncTransaction,
    Clock,
    NestingGuard,
    Transaction,
    drive,
    drive_async,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    import psycopg
    import psycopg_pool

    from payportal.storage._ops import Op
    from payportal.storage._transaction import AsyncStorage, Storage

__all__ = ["AsyncPostgresStorage", "PostgresStorage"]


def _require_driver() -> None:
    try:
        import psycopg  # noqa: F401, PLC0415
        import psycopg_pool  # noqa: F401, PLC0415
    except ImportError as exc:
        raise StorageError(
            'PostgresStorage needs psycopg 3 and psycopg_pool: pip install "payportal[postgres]"'
        ) from exc


def _describe(conninfo: str) -> str:
    """Where the database is, for messages: host, port and name, never a password."""
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415

    try:
        params = conninfo_to_dict(conninfo)
    except Exception:  # noqa: BLE001 - an unreadable conninfo is reported by psycopg itself
        return "PostgreSQL"
    shown = [f"{key}={params[key]}" for key in ("host", "port", "dbname") if params.get(key)]
    return f"PostgreSQL ({' '.join(shown)})" if shown else "PostgreSQL"


def _translate(exc: Exception, where: str) -> StorageError:
    """The payportal error for a psycopg error; the caller chains ``exc`` as the cause."""
    import psycopg  # noqa: PLC0415
    from psycopg import errors  # noqa: PLC0415

    text = str(exc).strip()
    if isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected):
        return ConcurrentUpdateError(
            f"{where} cancelled the transaction because of a concurrent one ({text}); "
            "redo the operation"
        )
    if isinstance(exc, errors.UndefinedTable):
        return StorageError(
            f"{where} has no payportal schema yet ({text}); call storage.migrate() once "
            "before using it"
        )
    if isinstance(exc, psycopg.OperationalError):
        return StorageUnavailableError(f"{where} cannot be used: {text}")
    return StorageError(f"{where} refused an operation: {text}")


def _result(cursor: psycopg.Cursor[Any] | psycopg.AsyncCursor[Any], rows: list[Any]) -> Result:
    return Result(rows, cursor.rowcount)


class PostgresStorage:
    """A :class:`~payportal.storage.Storage` in a PostgreSQL database.

    Args:
        conninfo: a libpq connection string or URL (``"postgresql://app@db/portal"``,
            ``"host=/run/postgresql dbname=portal"``).
        min_size: connections the pool keeps open.
        max_size: the most connections the pool opens.
        timeout: seconds to wait for a connection before
            :class:`~payportal.exceptions.StorageUnavailableError`.
        clock: the time stamped on journal entries, outbox messages and records.

    The pool connects in the background; creating the storage never fails for an
    unreachable server, the first transaction does.

    Raises:
        StorageError: psycopg or psycopg_pool is not installed.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        clock: Clock = utc_now,
    ) -> None:
        _require_driver()
        from psycopg_pool import ConnectionPool  # noqa: PLC0415

        _check_pool_args(conninfo, min_size, max_size, timeout)
        self._where = _describe(conninfo)
        self._conninfo = conninfo
        self._timeout = float(timeout)
        self._max_size = max_size
        self._clock = clock
        self._pool: psycopg_pool.ConnectionPool[Any] = ConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs={"autocommit": True},
            name="payportal",
        )
        self._pool.open(wait=False)
        self._guard = NestingGuard()

    def __repr__(self) -> str:
        return f"PostgresStorage({self._where})"

    def _unreachable(self, exc: Exception) -> StorageUnavailableError:
        # The pool only says it timed out; one direct attempt tells the caller why.
        import psycopg  # noqa: PLC0415

        try:
            psycopg.connect(self._conninfo, connect_timeout=max(1, int(self._timeout))).close()
        except psycopg.Error as cause:
            error = StorageUnavailableError(f"{self._where} cannot be reached: {cause}")
            error.__cause__ = cause
            return error
        error = StorageUnavailableError(
            f"{self._where}: no connection became free within {self._timeout:g} s; "
            "raise max_size or the timeout"
        )
        error.__cause__ = exc
        return error

    def _execute(self, cursor: psycopg.Cursor[Any], query: Query) -> Result:
        import psycopg  # noqa: PLC0415

        sql = sql_for("postgres", query)
        if sql is None:
            return Result()
        try:
            if query.many:
                cursor.executemany(sql, query.params)  # type: ignore[arg-type]
                rows = []
            else:
                cursor.execute(sql, query.params)
                rows = cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            raise _translate(exc, self._where) from exc
        return _result(cursor, rows)

    @contextmanager
    def _begin(self, *, read_only: bool = False) -> Iterator[Callable[[Op[Any]], Any]]:
        import psycopg  # noqa: PLC0415
        from psycopg_pool import PoolClosed, PoolTimeout  # noqa: PLC0415

        try:
            with self._guard.outermost(), self._cursor(read_only=read_only) as cursor:
                execute: Callable[[Query], Result] = lambda q: self._execute(cursor, q)  # noqa: E731
                if read_only:
                    execute = guard_writes(execute)
                yield lambda op: drive(op, execute)
        except PoolTimeout as exc:
            raise self._unreachable(exc) from exc
        except PoolClosed as exc:
            raise StorageError(f"{self!r} is closed") from exc
        except psycopg.Error as exc:  # raised by BEGIN or COMMIT
            raise _translate(exc, self._where) from exc

    @contextmanager
    def _cursor(self, *, read_only: bool) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor inside a new transaction, committed at the end unless the block raises.

        A pooled connection the server closed since its last use (a restart, an idle
        timeout) fails at ``BEGIN``, before anything of the caller ran: it is dropped and
        the next one tried, so a dead pool costs no failed transaction.
        """
        import psycopg  # noqa: PLC0415

        for attempt in range(self._max_size + 1):
            with self._pool.connection() as conn, conn.cursor() as cursor:
                try:
                    cursor.execute("BEGIN READ ONLY" if read_only else "BEGIN", prepare=False)
                except psycopg.OperationalError:
                    if conn.closed and attempt < self._max_size:
                        continue  # the pool discards the closed connection
                    raise
                try:
                    yield cursor
                except BaseException:
                    if not conn.closed:
                        # A broken connection cannot roll back; the server already did.
                        with contextlib.suppress(psycopg.Error):
                            cursor.execute("ROLLBACK", prepare=False)
                    raise
                cursor.execute("COMMIT", prepare=False)
                return

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
                run(_ops.migrate_step("postgres", step))
        return self.schema_version()

    def close(self) -> None:
        """Close the pool and its connections."""
        self._pool.close()

    def __enter__(self) -> PostgresStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_pool_args(conninfo: object, min_size: object, max_size: object, timeout: object) -> None:
    if not isinstance(conninfo, str):
        raise ValidationError("must be a connection string", field="conninfo", value=type(conninfo))
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError("must be a positive integer", field=name, value=value)
    assert isinstance(min_size, int)
    assert isinstance(max_size, int)
    if max_size < min_size:
        raise ValidationError("must not be below min_size", field="max_size", value=max_size)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValidationError(
            "must be a positive number of seconds", field="timeout", value=timeout
        )


class AsyncPostgresStorage:
    """:class:`PostgresStorage` for asyncio apps, on psycopg's async connections.

    Arguments are those of :class:`PostgresStorage`. The pool opens on the first use.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        clock: Clock = utc_now,
    ) -> None:
        _require_driver()
        from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415

        _check_pool_args(conninfo, min_size, max_size, timeout)
        self._where = _describe(conninfo)
        self._conninfo = conninfo
        self._timeout = float(timeout)
        self._max_size = max_size
        self._clock = clock
        self._pool: psycopg_pool.AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs={"autocommit": True},
            name="payportal-async",
        )
        self._opened = False
        self._open_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"AsyncPostgresStorage({self._where})"

    async def _ensure_open(self) -> None:
        if self._opened:
            return
        if self._open_lock is None:
            self._open_lock = asyncio.Lock()
        async with self._open_lock:
            if not self._opened:
                await self._pool.open(wait=False)
                self._opened = True

    async def _unreachable(self, exc: Exception) -> StorageUnavailableError:
        import psycopg  # noqa: PLC0415

        try:
            conn = await psycopg.AsyncConnection.connect(
                self._conninfo, connect_timeout=max(1, int(self._timeout))
            )
            await conn.close()
        except psycopg.Error as cause:
            error = StorageUnavailableError(f"{self._where} cannot be reached: {cause}")
            error.__cause__ = cause
            return error
        error = StorageUnavailableError(
            f"{self._where}: no connection became free within {self._timeout:g} s; "
            "raise max_size or the timeout"
        )
        error.__cause__ = exc
        return error

    async def _execute(self, cursor: psycopg.AsyncCursor[Any], query: Query) -> Result:
        import psycopg  # noqa: PLC0415

        sql = sql_for("postgres", query)
        if sql is None:
            return Result()
        try:
            if query.many:
                await cursor.executemany(sql, query.params)  # type: ignore[arg-type]
                rows = []
            else:
                await cursor.execute(sql, query.params)
                rows = await cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            raise _translate(exc, self._where) from exc
        return _result(cursor, rows)

    @asynccontextmanager
    async def _begin(self, *, read_only: bool = False) -> AsyncIterator[Callable[[Op[Any]], Any]]:
        import psycopg  # noqa: PLC0415
        from psycopg_pool import PoolClosed, PoolTimeout  # noqa: PLC0415

        await self._ensure_open()
        try:
            async with self._cursor(read_only=read_only) as cursor:

                async def execute(query: Query) -> Result:
                    if read_only:
                        refuse_write(query)
                    return await self._execute(cursor, query)

                async def run(op: Op[Any]) -> Any:
                    return await drive_async(op, execute)

                yield run
        except PoolTimeout as exc:
            raise await self._unreachable(exc) from exc
        except PoolClosed as exc:
            raise StorageError(f"{self!r} is closed") from exc
        except psycopg.Error as exc:
            raise _translate(exc, self._where) from exc

    @asynccontextmanager
    async def _cursor(self, *, read_only: bool) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        """See :meth:`PostgresStorage._cursor`."""
        import psycopg  # noqa: PLC0415

        for attempt in range(self._max_size + 1):
            async with self._pool.connection() as conn, conn.cursor() as cursor:
                try:
                    await cursor.execute("BEGIN READ ONLY" if read_only else "BEGIN", prepare=False)
                except psycopg.OperationalError:
                    if conn.closed and attempt < self._max_size:
                        continue
                    raise
                try:
                    yield cursor
                except BaseException:
                    if not conn.closed:
                        with contextlib.suppress(psycopg.Error):
                            await cursor.execute("ROLLBACK", prepare=False)
                    raise
                await cursor.execute("COMMIT", prepare=False)
                return

    @asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[AsyncTransaction]:
        """See :meth:`payportal.storage.AsyncStorage.transaction`."""
        async with self._begin(read_only=read_only) as run:
            yield AsyncTransaction(run, self._clock)

    async def schema_version(self) -> int:
        """See :meth:`payportal.storage.AsyncStorage.schema_version`."""
        async with self._begin() as run:
            version: int = await run(_ops.schema_version())
            return version

    async def migrate(self, target: int | None = None) -> int:
        """See :meth:`payportal.storage.AsyncStorage.migrate`."""
        goal = _target(target)
        for step in MIGRATIONS[:goal]:
            async with self._begin() as run:
                await run(_ops.migrate_step("postgres", step))
        return await self.schema_version()

    async def close(self) -> None:
        """Close the pool and its connections."""
        await self._pool.close()

    async def __aenter__(self) -> AsyncPostgresStorage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


if TYPE_CHECKING:  # mypy proves both follow their protocol

    def _conforms(
        sync: PostgresStorage, twin: AsyncPostgresStorage
    ) -> tuple[Storage, AsyncStorage]:
        return sync, twin
