"""The shared core: sans-I/O operations, one sync and one async driver, and the facades.

A provider's wire format is a :class:`Wire`. Each of its methods returns an *operation*: a
generator that yields the :class:`httpx.Request`\\ s it needs, one at a time, receives each
:class:`httpx.Response` back from the driver, and finally returns the result (a
:class:`~payportal.providers.Payment`) or raises a
:class:`~payportal.exceptions.ProviderError`. Multi-step work (fetch an OAuth token, then
call; read the order, then refund its capture) is plain sequential code in one generator.

:class:`SyncDriver` and :class:`AsyncDriver` run operations. They alone do I/O, and they
alone retry, with the same :class:`~payportal.providers.RetryPolicy`: a request is resent
unchanged, so the idempotency key the operation put on it is the same on every attempt.

:class:`HTTPProvider` and :class:`AsyncHTTPProvider` turn any :class:`Wire` into a
:class:`~payportal.providers.PaymentProvider` or
:class:`~payportal.providers.AsyncPaymentProvider`; a provider module subclasses them only
to give its constructor named credentials.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypedDict, TypeVar, Unpack

import httpx

from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers._retry import RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from types import TracebackType

    from payportal._money import Money
    from payportal.providers._models import Capabilities, Payment, PaymentRequest, WebhookEvent

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncDriver",
    "AsyncHTTPOptions",
    "AsyncHTTPProvider",
    "HTTPOptions",
    "HTTPProvider",
    "Operation",
    "SyncDriver",
    "TokenCache",
    "Wire",
    "confirm_before_resend",
    "error_for_status",
    "idempotency_key",
    "json_request",
    "read_json",
    "split_options",
    "unrepeatable",
]

T = TypeVar("T")

Operation = Generator[httpx.Request, httpx.Response, T]
"""A sans-I/O operation: yields requests, is sent their responses, returns its result."""

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
"""Used when the caller passes neither a client nor a timeout: no request waits forever."""

logger = logging.getLogger("payportal.providers")


def idempotency_key() -> str:
    """A fresh idempotency key: generate one per logical operation, reuse it on retries."""
    return str(uuid.uuid4())


_UNREPEATABLE = "payportal.unrepeatable"

# Failures that prove the request never reached the provider: resending cannot act twice.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def unrepeatable(request: httpx.Request) -> httpx.Request:
    """Mark ``request`` as one the provider cannot recognise when sent twice, and return it.

    Use it for mutating calls of providers that offer neither an idempotency key nor their
    own duplicate protection. The drivers then resend it only when it surely never reached
    the provider (the connection could not be made) or the provider answered 429 or 503;
    after a lost answer they raise :class:`~payportal.exceptions.ProviderUnavailableError`
    with code ``"answer_lost"`` instead of acting twice.
    """
    request.extensions[_UNREPEATABLE] = True
    return request


_CONFIRM = "payportal.confirm"


def confirm_before_resend(
    request: httpx.Request, check: Callable[[], Operation[httpx.Response | None]]
) -> httpx.Request:
    """Mark ``request`` as unsafe to resend blindly, for providers without idempotency keys.

    After an attempt whose outcome is unknown (a lost answer, a dropped connection, a 5xx
    or 429), and once more before giving up, the driver runs the operation ``check()``.
    It reads the provider's state back and returns a response standing for the answer if
    the earlier attempt took effect, or ``None`` if it did not; only then is the request
    sent again. Requests without the mark are resent unchanged, as before.

    Returns:
        ``request`` itself, marked.
    """
    request.extensions[_CONFIRM] = check
    return request


def _confirmation(request: httpx.Request) -> Callable[[], Operation[httpx.Response | None]] | None:
    check: Callable[[], Operation[httpx.Response | None]] | None = request.extensions.get(_CONFIRM)
    return check


def json_request(
    method: str,
    url: str,
    *,
    json_body: object = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Request:
    """Build a request with a compact JSON body (when given) and JSON ``Accept``."""
    all_headers = {"Accept": "application/json"}
    content: bytes | None = None
    if json_body is not None:
        all_headers["Content-Type"] = "application/json"
        content = json.dumps(json_body, separators=(",", ":")).encode()
    all_headers.update(headers or {})
    return httpx.Request(method, url, headers=all_headers, content=content)


def read_json(response: httpx.Response, provider: str) -> Any:
    """Decode a JSON answer; an empty body is ``{}``.

    Raises:
        ProviderError: the body is not JSON (a proxy's HTML page, a truncated answer).
    """
    if not response.content:
        return {}
    try:
        return json.loads(response.content)
    except ValueError:
        raise ProviderError(
            "the provider answered with a body that is not JSON",
            provider=provider,
            status_code=response.status_code,
        ) from None


_STATUS_ERRORS: dict[int, type[ProviderError]] = {
    401: AuthenticationError,
    402: PaymentDeclinedError,
    403: AuthenticationError,
    429: RateLimitedError,
}


def error_for_status(status_code: int) -> type[ProviderError]:
    """The :class:`~payportal.exceptions.ProviderError` subclass for an HTTP error status.

    Wire formats call this for answers whose body does not say more precisely.

    >>> error_for_status(401).__name__, error_for_status(422).__name__
    ('AuthenticationError', 'InvalidRequestError')
    >>> error_for_status(503).__name__
    'ProviderUnavailableError'
    """
    if status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[status_code]
    if status_code >= 500:
        return ProviderUnavailableError
    return InvalidRequestError


def refund_amount(payment: Payment, amount: Money | None, provider: str) -> Money:
    """What ``refund(payment.id, amount)`` is to return: ``amount``, or all that is left.

    Wires call it before sending anything, so a refund the provider would refuse anyway
    leaves no trace there.

    Raises:
        InvalidRequestError: ``amount`` is not more than zero in the payment's currency
            (code ``refund_amount_invalid``), or more than is left to refund
            (``refund_amount_exceeded``).
    """
    wanted = payment.refundable if amount is None else amount
    if wanted.currency != payment.amount.currency or wanted.amount <= 0:
        raise InvalidRequestError(
            f"cannot refund {wanted}: it must be more than zero in {payment.amount.currency}",
            provider=provider,
            code="refund_amount_invalid",
        )
    if wanted > payment.refundable:
        raise InvalidRequestError(
            f"cannot refund {wanted}: only {payment.refundable} is left to refund",
            provider=provider,
            code="refund_amount_exceeded",
        )
    return wanted


class TokenCache:
    """An access token and when to stop using it, for wires that log in first (OAuth2).

    The token is dropped a margin before its expiry so no call races it; ``clear()`` after
    a 401 makes the next call fetch a fresh one. The token never appears in ``repr``.

    Args:
        clock: wall-clock seconds.
        margin: seconds before the stated expiry at which to fetch a new token.
    """

    def __init__(self, clock: Callable[[], float] = time.time, margin: float = 60.0) -> None:
        self._clock = clock
        self._margin = margin
        self._token: str | None = None
        self._expires = 0.0

    def __repr__(self) -> str:
        return f"TokenCache(valid={self.get() is not None})"

    def get(self) -> str | None:
        """The cached token, or ``None`` if there is none or it is about to expire."""
        if self._token is not None and self._clock() < self._expires:
            return self._token
        return None

    def store(self, token: str, expires_in: float) -> None:
        """Keep ``token``, valid for ``expires_in`` seconds from now."""
        self._token = token
        self._expires = self._clock() + max(0.0, expires_in - self._margin)

    def clear(self) -> None:
        """Forget the token (the provider refused it)."""
        self._token = None


class Wire:
    """One provider's wire format: pure functions from calls to requests and back.

    Subclasses set :attr:`name` and :attr:`capabilities` and override the operations they
    support; the others raise :class:`~payportal.exceptions.UnsupportedOperationError`.
    An operation must not do I/O itself: it yields requests to whichever driver runs it.
    State a subclass keeps between operations (a cached OAuth token) must stay valid when
    two operations interleave, as they do under the async driver.
    """

    name: str = "provider"
    capabilities: Capabilities

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: create a payment."""
        self.unsupported("create_payment")

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: fetch a payment."""
        self.unsupported("get_payment")

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: capture an authorized payment."""
        self.unsupported("capture")

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: void or cancel a payment."""
        self.unsupported("cancel")

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: refund captured money."""
        self.unsupported("refund")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: verify and decode a webhook (it may need to fetch a certificate)."""
        self.unsupported("parse_webhook")

    def unsupported(self, operation: str, why: str = "") -> NoReturn:
        """Raise :class:`~payportal.exceptions.UnsupportedOperationError` for ``operation``."""
        raise UnsupportedOperationError(
            why or f"{self.name} does not support {operation}",
            provider=self.name,
            code="unsupported_operation",
        )


def _check_timeout(timeout: httpx.Timeout) -> None:
    if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        raise ValidationError(
            "must set every timeout (connect, read, write, pool): a provider that hangs "
            "would otherwise hang the caller",
            field="timeout",
            value=timeout,
        )


class _Attempts:
    """The retry bookkeeping of one request, shared by both drivers."""

    def __init__(self, provider: str, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.provider = provider
        self.policy = policy
        self.clock = clock
        self.started = clock()
        self.count = 0

    def wait_after_error(self, request: httpx.Request, error: httpx.TransportError) -> float:
        """Seconds to wait before resending, or raise ProviderUnavailableError."""
        if request.extensions.get(_UNREPEATABLE) and not isinstance(error, _UNSENT):
            raise ProviderUnavailableError(
                "the answer was lost after the request may have reached the provider; it was "
                "not sent again because the provider cannot recognise a repeated request",
                provider=self.provider,
                code="answer_lost",
            ) from error
        delay = self.policy.delay(self.count, elapsed=self.clock() - self.started)
        logger.info(
            "%s %s %s failed with %s (attempt %d)",
            self.provider,
            request.method,
            request.url.path,
            type(error).__name__,
            self.count,
        )
        if delay is None:
            raise ProviderUnavailableError(
                f"could not reach the provider after {self.count} attempt(s) "
                f"({type(error).__name__})",
                provider=self.provider,
                code="connection_error",
            ) from error
        return delay

    def wait_after_response(self, response: httpx.Response) -> float | None:
        """Seconds to wait before resending, or None to hand the answer to the operation."""
        if not self.policy.retryable_status(response.status_code):
            return None
        if response.request.extensions.get(_UNREPEATABLE) and response.status_code not in (
            429,
            503,
        ):
            return None  # a 500 or 504 may come after the provider acted

        delay = self.policy.delay(
            self.count,
            elapsed=self.clock() - self.started,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
        logger.info(
            "%s %s %s answered %d (attempt %d)",
            self.provider,
            response.request.method,
            response.request.url.path,
            response.status_code,
            self.count,
        )
        return delay


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
        if client is not None and transport is not None:
            raise ValidationError(
                "cannot be combined with client: configure the client's transport instead",
                field="transport",
                value=transport,
            )
        self.provider = provider
        self._owns_client = client is None
        self.client = client or httpx.Client(
            transport=transport, timeout=timeout or DEFAULT_TIMEOUT
        )
        _check_timeout(self.client.timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    def run(self, operation: Operation[T]) -> T:
        """Drive ``operation`` to its result, sending each request it yields."""
        try:
            request = next(operation)
            while True:
                request = operation.send(self.send(request))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]  # the generator's return value

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send one request, resending it unchanged while the retry policy allows."""
        attempts = _Attempts(self.provider, self.retry, self._clock)
        check = _confirmation(request)
        while True:
            attempts.count += 1
            try:
                response = self.client.send(request)
            except httpx.TransportError as error:
                try:
                    delay = attempts.wait_after_error(request, error)
                except ProviderUnavailableError:
                    if check is not None and (found := self.run(check())) is not None:
                        return found
                    raise
            else:
                wait = attempts.wait_after_response(response)
                if wait is None:
                    if check is not None and self.retry.retryable_status(response.status_code):
                        found = self.run(check())
                        return response if found is None else found
                    return response
                delay = wait
            self._sleep(delay)
            if check is not None and (found := self.run(check())) is not None:
                return found

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
        if client is not None and transport is not None:
            raise ValidationError(
                "cannot be combined with client: configure the client's transport instead",
                field="transport",
                value=transport,
            )
        self.provider = provider
        self._owns_client = client is None
        self.client = client or httpx.AsyncClient(
            transport=transport, timeout=timeout or DEFAULT_TIMEOUT
        )
        _check_timeout(self.client.timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep or asyncio.sleep
        self._clock = clock

    async def run(self, operation: Operation[T]) -> T:
        """Drive ``operation`` to its result, sending each request it yields."""
        try:
            request = next(operation)
            while True:
                request = operation.send(await self.send(request))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]  # the generator's return value

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send one request, resending it unchanged while the retry policy allows."""
        attempts = _Attempts(self.provider, self.retry, self._clock)
        check = _confirmation(request)
        while True:
            attempts.count += 1
            try:
                response = await self.client.send(request)
            except httpx.TransportError as error:
                try:
                    delay = attempts.wait_after_error(request, error)
                except ProviderUnavailableError:
                    if check is not None and (found := await self.run(check())) is not None:
                        return found
                    raise
            else:
                wait = attempts.wait_after_response(response)
                if wait is None:
                    if check is not None and self.retry.retryable_status(response.status_code):
                        found = await self.run(check())
                        return response if found is None else found
                    return response
                delay = wait
            await self._sleep(delay)
            if check is not None and (found := await self.run(check())) is not None:
                return found

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


def split_options(
    options: Mapping[str, Any], http: type[Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a provider constructor's keyword arguments into its own and the driver's.

    ``http`` is :class:`HTTPOptions` or :class:`AsyncHTTPOptions`; its keys go to the driver.
    """
    driver_keys: frozenset[str] = http.__optional_keys__ | http.__required_keys__
    own = {key: value for key, value in options.items() if key not in driver_keys}
    driver = {key: value for key, value in options.items() if key in driver_keys}
    return own, driver


class HTTPProvider:
    """A :class:`~payportal.providers.PaymentProvider` made of a :class:`Wire` and a
    :class:`SyncDriver`. Use it as a context manager to close the client it created.
    """

    def __init__(self, wire: Wire, **http: Unpack[HTTPOptions]) -> None:
        self._wire = wire
        self._driver = SyncDriver(wire.name, **http)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._wire!r})"

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._wire.name

    @property
    def capabilities(self) -> Capabilities:
        """What this provider can do."""
        return self._wire.capabilities

    def create_payment(self, request: PaymentRequest) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.create_payment`."""
        return self._driver.run(self._wire.create_payment(request))

    def get_payment(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.get_payment`."""
        return self._driver.run(self._wire.get_payment(payment_id))

    def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.capture`."""
        return self._driver.run(self._wire.capture(payment_id, amount))

    def cancel(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.cancel`."""
        return self._driver.run(self._wire.cancel(payment_id))

    def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.refund`."""
        return self._driver.run(self._wire.refund(payment_id, amount, reason))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """See :meth:`payportal.providers.PaymentProvider.parse_webhook`."""
        return self._driver.run(self._wire.parse_webhook(headers, body))

    def close(self) -> None:
        """Close the HTTP client, if this provider created it."""
        self._driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncHTTPProvider:
    """An :class:`~payportal.providers.AsyncPaymentProvider` made of a :class:`Wire` and an
    :class:`AsyncDriver`. Use it as an async context manager to close its client.
    """

    def __init__(self, wire: Wire, **http: Unpack[AsyncHTTPOptions]) -> None:
        self._wire = wire
        self._driver = AsyncDriver(wire.name, **http)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._wire!r})"

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._wire.name

    @property
    def capabilities(self) -> Capabilities:
        """What this provider can do."""
        return self._wire.capabilities

    async def create_payment(self, request: PaymentRequest) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.create_payment`."""
        return await self._driver.run(self._wire.create_payment(request))

    async def get_payment(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.get_payment`."""
        return await self._driver.run(self._wire.get_payment(payment_id))

    async def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.capture`."""
        return await self._driver.run(self._wire.capture(payment_id, amount))

    async def cancel(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.cancel`."""
        return await self._driver.run(self._wire.cancel(payment_id))

    async def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.refund`."""
        return await self._driver.run(self._wire.refund(payment_id, amount, reason))

    async def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """See :meth:`payportal.providers.PaymentProvider.parse_webhook`."""
        return await self._driver.run(self._wire.parse_webhook(headers, body))

    async def aclose(self) -> None:
        """Close the HTTP client, if this provider created it."""
        await self._driver.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


if TYPE_CHECKING:
    from payportal.providers._protocol import AsyncPaymentProvider, PaymentProvider

    def _conforms(
        sync: HTTPProvider, asynchronous: AsyncHTTPProvider
    ) -> tuple[PaymentProvider, AsyncPaymentProvider]:
        # mypy proves here that both facades implement their protocol in full.
        return sync, asynchronous
