"""The drivers, the only code that does I/O: send, retry, and decide when to resend.

When to resend is decided in one place, ``_Exchange``, a sans-I/O generator that both
:class:`SyncDriver` and :class:`AsyncDriver` execute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import httpx

from payportal.exceptions import (
    ProviderUnavailableError,
    ValidationError,
)
from payportal.providers._retry import RetryPolicy, parse_retry_after
from payportal.providers._wire import _RESEND, Operation, _ResendRule

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Generator


__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncDriver",
    "AsyncHTTPOptions",
    "HTTPOptions",
    "SyncDriver",
]


DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
"""Used when the caller passes neither a client nor a timeout: no request waits forever."""

T = TypeVar("T")
_Client = TypeVar("_Client", httpx.Client, httpx.AsyncClient)

logger = logging.getLogger("payportal.providers")


# Failures that prove the request never reached the provider: resending cannot act twice.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Answers by which the provider says it did not act (overloaded, rate-limited).
_REFUSED = frozenset({429, 503})


def _client(
    make: Callable[..., _Client],
    client: _Client | None,
    transport: object,
    timeout: httpx.Timeout | None,
) -> tuple[_Client, bool]:
    """The client a driver sends with, and whether the driver made it (and so closes it).

    Raises:
        ValidationError: both ``client`` and ``transport`` given, or a timeout left unset.
    """
    if client is not None and transport is not None:
        raise ValidationError(
            "cannot be combined with client: configure the client's transport instead",
            field="transport",
            value=transport,
        )
    chosen = client or make(transport=transport, timeout=timeout or DEFAULT_TIMEOUT)
    timeout = chosen.timeout
    if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        raise ValidationError(
            "must set every timeout (connect, read, write, pool): a provider that hangs "
            "would otherwise hang the caller",
            field="timeout",
            value=timeout,
        )
    return chosen, client is None


_Step = httpx.Request | float
"""What a driver is asked to do: send a request once, or sleep so many seconds."""


class _Exchange:
    """The one place that decides when to resend, run as a sans-I/O generator.

    :meth:`run` turns an operation into steps: a driver sends each request once
    (returning the response, or throwing the :class:`httpx.TransportError` back in) and
    sleeps for each float. Both drivers execute it, so sync and async cannot drift apart.
    """

    def __init__(self, provider: str, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.provider = provider
        self.policy = policy
        self.clock = clock

    def run(self, operation: Operation[T]) -> Generator[_Step, Any, T]:
        """Steps that drive ``operation`` to its result, delivering each request it yields."""
        try:
            request = next(operation)
            while True:
                request = operation.send((yield from self.deliver(request)))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]  # the generator's return value

    def deliver(self, request: httpx.Request) -> Generator[_Step, Any, httpx.Response]:
        """Steps that send ``request`` until it is answered or the policy gives up."""
        rule: _ResendRule | None = request.extensions.get(_RESEND)
        started = self.clock()
        maybe_acted = False  # has an attempt so far possibly reached the provider?
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            error: httpx.TransportError | None = None
            try:
                response = yield request
            except httpx.TransportError as caught:
                error = caught
            if response is not None and not self.policy.retryable_status(response.status_code):
                return response
            if (response is None and not isinstance(error, _UNSENT)) or (
                response is not None and response.status_code not in _REFUSED
            ):
                maybe_acted = True
                if rule is not None and rule.read_back is None:
                    return self._stop(response, error)
            delay = self.policy.delay(
                attempt,
                elapsed=self.clock() - started,
                retry_after=None
                if response is None
                else parse_retry_after(response.headers.get("Retry-After")),
            )
            logger.info(
                "%s %s %s %s (attempt %d)",
                self.provider,
                request.method,
                request.url.path,
                f"failed with {type(error).__name__}"
                if response is None
                else f"answered {response.status_code}",
                attempt,
            )
            if delay is not None:
                yield delay
            if maybe_acted and rule is not None and rule.read_back is not None:
                found = yield from self.run(rule.read_back())
                if found is not None:
                    return found
            if delay is None:
                if response is not None:
                    return response
                raise ProviderUnavailableError(
                    f"could not reach the provider after {attempt} attempt(s) "
                    f"({type(error).__name__})",
                    provider=self.provider,
                    code="connection_error",
                ) from error

    def _stop(
        self, response: httpx.Response | None, error: httpx.TransportError | None
    ) -> httpx.Response:
        """Give up on an unrepeatable request: its answer, or the news that it was lost."""
        if response is not None:
            return response  # a 500 or 504 may come after the provider acted
        raise ProviderUnavailableError(
            "the answer was lost after the request may have reached the provider; it was "
            "not sent again because the provider cannot recognise a repeated request",
            provider=self.provider,
            code="answer_lost",
        ) from error


class SyncDriver:
    """Runs operations with an :class:`httpx.Client`, retrying per the policy.

    Args:
        provider: the provider's name, for errors and logs.
        client: the client to send with; the driver never closes a client it was given.
        transport: used to build a client when none is given (``httpx.MockTransport``).
        timeout: used to build a client when none is given; every part must be set.
        retry: the retry policy.
        sleep: how to wait between attempts (tests pass a recorder that returns at once).
        clock: a monotonic clock in seconds, for the policy's time budget.
    """

    def __init__(
        self,
        provider: str,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.client, self._owns_client = _client(httpx.Client, client, transport, timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    def run(self, operation: Operation[T]) -> T:
        """Drive ``operation`` to its result, sending each request it yields."""
        return self._execute(self._exchange().run(operation))

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send one request, resending it while the retry policy and its resend rule allow."""
        return self._execute(self._exchange().deliver(request))

    def _exchange(self) -> _Exchange:
        return _Exchange(self.provider, self.retry, self._clock)

    def _execute(self, steps: Generator[_Step, Any, T]) -> T:
        try:
            step = next(steps)
            while True:
                if not isinstance(step, httpx.Request):
                    self._sleep(step)
                    step = steps.send(None)
                    continue
                try:
                    response = self.client.send(step)
                except httpx.TransportError as error:
                    step = steps.throw(error)
                else:
                    step = steps.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]  # the generator's return value

    def close(self) -> None:
        """Close the HTTP client if the driver created it."""
        if self._owns_client:
            self.client.close()


class AsyncDriver:
    """The :class:`SyncDriver`'s twin for :class:`httpx.AsyncClient`; same arguments."""

    def __init__(
        self,
        provider: str,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.client, self._owns_client = _client(httpx.AsyncClient, client, transport, timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep or asyncio.sleep
        self._clock = clock

    async def run(self, operation: Operation[T]) -> T:
        """Drive ``operation`` to its result, sending each request it yields."""
        return await self._execute(self._exchange().run(operation))

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send one request, resending it while the retry policy and its resend rule allow."""
        return await self._execute(self._exchange().deliver(request))

    def _exchange(self) -> _Exchange:
        return _Exchange(self.provider, self.retry, self._clock)

    async def _execute(self, steps: Generator[_Step, Any, T]) -> T:
        try:
            step = next(steps)
            while True:
                if not isinstance(step, httpx.Request):
                    await self._sleep(step)
                    step = steps.send(None)
                    continue
                try:
                    response = await self.client.send(step)
                except httpx.TransportError as error:
                    step = steps.throw(error)
                else:
                    step = steps.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]  # the generator's return value

    async def aclose(self) -> None:
        """Close the HTTP client if the driver created it."""
        if self._owns_client:
            await self.client.aclose()


class HTTPOptions(TypedDict, total=False):
    """The HTTP keyword arguments every synchronous provider client accepts."""

    client: httpx.Client
    transport: httpx.BaseTransport
    timeout: httpx.Timeout
    retry: RetryPolicy
    sleep: Callable[[float], None]
    clock: Callable[[], float]


class AsyncHTTPOptions(TypedDict, total=False):
    """The HTTP keyword arguments every asynchronous provider client accepts."""

    client: httpx.AsyncClient
    transport: httpx.AsyncBaseTransport
    timeout: httpx.Timeout
    retry: RetryPolicy
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
