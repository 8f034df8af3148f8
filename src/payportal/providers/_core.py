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
When to resend is decided in one place, ``_Exchange``, a sans-I/O generator that both
drivers execute; a request marked :func:`unrepeatable` or :func:`confirm_before_resend`
carries its *resend rule* for attempts whose outcome is unknown.

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
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypedDict, TypeVar, Unpack

import httpx

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    UnsupportedOperationError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers._retry import RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    import re
    from types import TracebackType

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
    "aware_time",
    "check_sent_recently",
    "checked_id",
    "confirm_before_resend",
    "decimal_text",
    "error_for_status",
    "error_object",
    "first_object",
    "idempotency_key",
    "json_request",
    "read_json",
    "read_minor_units",
    "read_money",
    "refund_amount",
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


# Failures that prove the request never reached the provider: resending cannot act twice.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Answers by which the provider says it did not act (overloaded, rate-limited).
_REFUSED = frozenset({429, 503})

ReadBack = Callable[[], Operation[httpx.Response | None]]
"""An operation that reads the provider's state back after an attempt of unknown outcome.

It returns a response standing for the lost answer if the attempt took effect, else ``None``.
"""

_RESEND = "payportal.resend"


class _ResendRule:
    """What the drivers may do after an attempt that may have reached the provider.

    ``read_back is None``: never resend (:func:`unrepeatable`); otherwise resend only once
    ``read_back`` shows the attempt did not take effect (:func:`confirm_before_resend`).
    """

    __slots__ = ("read_back",)

    def __init__(self, read_back: ReadBack | None) -> None:
        self.read_back = read_back


def unrepeatable(request: httpx.Request) -> httpx.Request:
    """Mark ``request`` as one the provider cannot recognise when sent twice, and return it.

    Use it for mutating calls of providers that offer neither an idempotency key nor their
    own duplicate protection, nor a way to read back whether a call took effect. After an
    attempt whose outcome is unknown (see *Resending after an unknown outcome* in
    :mod:`payportal.providers`) the drivers do not resend it: a lost answer raises
    :class:`~payportal.exceptions.ProviderUnavailableError` with code ``"answer_lost"``, and
    a 500, 502 or 504 answer goes to the operation as it is. Attempts that surely never
    reached the provider (no connection; a 429 or 503 answer) are retried as usual.
    """
    request.extensions[_RESEND] = _ResendRule(None)
    return request


def confirm_before_resend(request: httpx.Request, check: ReadBack) -> httpx.Request:
    """Mark ``request`` as unsafe to resend blindly, with a way to learn whether it acted.

    For providers without idempotency keys whose state shows whether a call took effect.
    After an attempt whose outcome is unknown (see *Resending after an unknown outcome* in
    :mod:`payportal.providers`), before every further attempt and once more before giving
    up, the driver runs the operation ``check()``: if it returns a response, that response
    stands for the lost answer and nothing is resent; if it returns ``None`` the request
    is sent again.

    Returns:
        ``request`` itself, marked.
    """
    request.extensions[_RESEND] = _ResendRule(check)
    return request


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


def error_object(response: httpx.Response) -> dict[str, Any]:
    """An error answer's body as a JSON object, or ``{}`` if it is empty, not JSON or not an
    object: a proxy's HTML error page must still become an error with the right status.

    >>> error_object(httpx.Response(400, json={"code": 7}))
    {'code': 7}
    >>> error_object(httpx.Response(502, text="<html>Bad gateway</html>"))
    {}
    """
    try:
        data = json.loads(response.content) if response.content else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def first_object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The first item of the list ``data[key]`` if it is a JSON object, else ``{}``.

    Error answers list their problems (``details``, ``messages``, ``elements``); the first
    one names the code and the field that callers act on.

    >>> first_object({"details": [{"issue": "X"}, {"issue": "Y"}]}, "details")
    {'issue': 'X'}
    >>> first_object({"details": "oops"}, "details")
    {}
    """
    items = data.get(key)
    first = items[0] if isinstance(items, list) and items else None
    return first if isinstance(first, dict) else {}


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


def checked_id(
    value: object,
    pattern: re.Pattern[str],
    *,
    provider: str,
    what: str,
    code: str,
    error: type[ProviderError] = InvalidRequestError,
) -> str:
    """``value`` if it is an id in the provider's alphabet, safe to put into a URL path.

    Ids come from callers and notifications; anything outside the alphabet (a ``/``, a
    ``?``) or an id of dots alone (read as ``.`` or ``..`` path steps) could reach another
    route, so it is refused before any request is built.

    Args:
        value: the id to check.
        pattern: the provider's id alphabet, matched against the whole id.
        provider: the provider's name, for the error.
        what: what the id names, for the message (``"PayPal order id"``).
        code: the error code.
        error: the error class (a notification's bad id is a verification failure).

    >>> import re
    >>> checked_id("5O190127TN364715T", re.compile("[A-Z0-9]+"), provider="demo",
    ...            what="order id", code="invalid_id")
    '5O190127TN364715T'

    Raises:
        InvalidRequestError: (or ``error``) ``value`` is not such an id.
    """
    if not isinstance(value, str) or not pattern.fullmatch(value) or not value.strip("."):
        raise error(f"{value!r} is not a {what}", provider=provider, code=code)
    return value


def refund_amount(
    payment: Payment,
    amount: Money | None,
    provider: str,
    *,
    codes: tuple[str, str] = ("refund_amount_invalid", "refund_amount_exceeded"),
) -> Money:
    """What ``refund(payment.id, amount)`` is to return: ``amount``, or all that is left.

    Wires call it before sending anything, so a refund the provider would refuse anyway
    leaves no trace there.

    Args:
        payment: the payment as the provider reports it now.
        amount: what the caller asked to refund; ``None`` for all that is left.
        provider: the provider's name, for the error.
        codes: the error codes for an invalid and for a too large amount, so each provider
            can report the code its own API uses for the same refusal.

    Raises:
        InvalidRequestError: ``amount`` is not more than zero in the payment's currency
            (code ``codes[0]``), or more than is left to refund (``codes[1]``).
    """
    wanted = payment.refundable if amount is None else amount
    if wanted.currency != payment.amount.currency or wanted.amount <= 0:
        raise InvalidRequestError(
            f"cannot refund {wanted}: it must be more than zero in {payment.amount.currency}",
            provider=provider,
            code=codes[0],
        )
    if wanted > payment.refundable:
        raise InvalidRequestError(
            f"cannot refund {wanted}: only {payment.refundable} is left to refund",
            provider=provider,
            code=codes[1],
        )
    return wanted


def decimal_text(
    money: Money,
    provider: str,
    *,
    whole_units: frozenset[str] = frozenset(),
    code: str = "decimals_not_supported",
) -> str:
    """``money`` as a decimal string with exactly the currency's decimals (``"5.00"``).

    Args:
        money: the amount to send.
        provider: the provider's name, for the error.
        whole_units: currencies the provider takes without decimals although ISO 4217 gives
            them some (PayPal: HUF, TWD); their amounts are sent as whole numbers.
        code: the error code the provider's API uses for a refused fraction.

    >>> from payportal import Money
    >>> decimal_text(Money("5", "EUR"), "demo")
    '5.00'
    >>> decimal_text(Money("1500.00", "HUF"), "demo", whole_units=frozenset({"HUF"}))
    '1500'

    Raises:
        InvalidRequestError: a fraction in one of the ``whole_units`` currencies.
    """
    value = money.amount
    if money.currency in whole_units:
        if value != value.to_integral_value():
            raise InvalidRequestError(
                f"{provider} takes {money.currency} in whole units only, not {money}",
                provider=provider,
                code=code,
            )
        value = value.quantize(Decimal(1))
    return str(value)


def read_money(value: object, currency: object, provider: str, *, field: str) -> Money:
    """Read an amount in major units (``"12.30"``, ``12``, ``Decimal("12.3")``) the provider sent.

    Floats and booleans are refused: a float in money is a bug, also when a provider sends it.

    Raises:
        ProviderError: the value or the currency is unreadable; the message names ``field``.
    """
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise TypeError(value)
        return Money(Decimal(value), str(currency))
    except (TypeError, ArithmeticError, ValueError) as error:
        raise _unreadable_amount(provider, field, value, currency) from error


def read_minor_units(value: object, currency: str, provider: str, *, field: str) -> Money:
    """Read an amount in minor units (``1230`` or ``"1230"`` for 12.30 EUR) the provider sent.

    A whole-number float such as ``1230.0`` is accepted: JSON does not distinguish them.

    Raises:
        ProviderError: the value is not a whole number or the currency is unknown; the
            message names ``field``.
    """
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        if isinstance(value, float):
            if value != int(value):
                raise ValueError(value)
            value = int(value)
        if not isinstance(value, int | str):
            raise TypeError(value)
        return Money.from_minor(int(value), currency)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise _unreadable_amount(provider, field, value, currency) from error


def _unreadable_amount(provider: str, field: str, value: object, currency: object) -> ProviderError:
    return ProviderError(
        f"{provider} sent an unreadable {field}: {value!r} {currency!r}", provider=provider
    )


def check_sent_recently(
    stamp: object,
    tolerance: timedelta | None,
    now_seconds: float,
    *,
    provider: str,
    code: str = "webhook_verification",
) -> None:
    """Refuse a notification whose send time ``stamp`` is further than ``tolerance`` from now.

    Signed notifications can be replayed by whoever captured one; a bounded age closes that
    door. ``tolerance=None`` accepts any time (the caller then deduplicates by event id).

    Args:
        stamp: the send time as the provider states it, an ISO 8601 time with a zone.
        tolerance: how far from now the send time may be, either way (clocks drift).
        now_seconds: the current time, in seconds since the epoch.
        provider: the provider's name, for the error.
        code: the error code, as the provider's other webhook refusals use it.

    Raises:
        WebhookVerificationError: the time is unreadable, has no zone, or is out of tolerance.
    """
    if tolerance is None:
        return
    when = aware_time(stamp)
    if when is None:
        raise WebhookVerificationError(
            "the notification's send time is not an ISO 8601 time with a zone",
            provider=provider,
            code=code,
        )
    if abs(now_seconds - when.timestamp()) > tolerance.total_seconds():
        raise WebhookVerificationError(
            "the notification was sent too long ago (a replay?)", provider=provider, code=code
        )


def aware_time(text: object) -> datetime | None:
    """``text`` as an ISO 8601 time with a zone, or ``None`` if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


class TokenCache:
    """An access token and when to stop using it, for wires that log in first (OAuth2).

    The token is dropped a margin before its expiry so no call races it; ``clear()`` after
    a 401 makes the next call fetch a fresh one. The token never appears in ``repr``.

    Args:
        clock: returns wall-clock seconds since the epoch.
        margin_seconds: how long before the stated expiry to fetch a new token.
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, margin_seconds: float = 60.0
    ) -> None:  # clock and margin are times in seconds, never money
        self._clock = clock
        self._margin = margin_seconds
        self._token: str | None = None
        self._expires = 0.0

    def __repr__(self) -> str:
        return f"TokenCache(valid={self.get() is not None})"

    def get(self) -> str | None:
        """The cached token, or ``None`` if there is none or it is about to expire."""
        if self._token is not None and self._clock() < self._expires:
            return self._token
        return None

    def store(self, token: str, expires_in_seconds: str | int | float | None) -> None:
        """Keep ``token``, valid for ``expires_in_seconds`` (as the provider sent it) from now."""
        lifetime_seconds = float(expires_in_seconds or 0)
        self._token = token
        self._expires = self._clock() + max(0.0, lifetime_seconds - self._margin)

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
