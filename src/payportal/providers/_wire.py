"""Operations and the wire: the sans-I/O vocabulary every provider's wire format speaks.

An *operation* yields :class:`httpx.Request`\\ s and returns a result; a :class:`Wire` is one
provider's set of operations. The resend markers (:func:`unrepeatable`,
:func:`confirm_before_resend`) travel on the requests to the drivers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, NoReturn, TypeVar

import httpx

from payportal.exceptions import (
    UnsupportedOperationError,
)

if TYPE_CHECKING:
    from payportal._money import Money
    from payportal.providers._models import Capabilities, Payment, PaymentRequest, WebhookEvent
    from payportal.providers._saved import MethodSetup, SavedMethod

__all__ = [
    "Operation",
    "ReadBack",
    "TokenCache",
    "Wire",
    "confirm_before_resend",
    "idempotency_key",
    "json_request",
    "unrepeatable",
]


T = TypeVar("T")

Operation = Generator[httpx.Request, httpx.Response, T]
"""A sans-I/O operation: yields requests, is sent their responses, returns its result."""


def idempotency_key() -> str:
    """A fresh idempotency key: generate one per logical operation, reuse it on retries."""
    return str(uuid.uuid4())


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

    def setup_method(
        self, customer: str, return_url: str, cancel_url: str
    ) -> Operation[MethodSetup]:
        """Operation: start saving a payment method (see :mod:`payportal.providers._saved`)."""
        self.unsupported("setup_method")

    def confirm_method(self, setup: MethodSetup) -> Operation[SavedMethod]:
        """Operation: read back the method the customer saved through ``setup``."""
        self.unsupported("confirm_method")

    def list_methods(self, customer: str) -> Operation[tuple[SavedMethod, ...]]:
        """Operation: the customer's saved methods."""
        self.unsupported("list_methods")

    def delete_method(self, method: SavedMethod) -> Operation[None]:
        """Operation: delete a saved method."""
        self.unsupported("delete_method")

    def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Operation[Payment]:
        """Operation: charge a saved method, merchant-initiated, captured at once."""
        self.unsupported("charge_method")

    def unsupported(self, operation: str, why: str = "") -> NoReturn:
        """Raise :class:`~payportal.exceptions.UnsupportedOperationError` for ``operation``."""
        raise UnsupportedOperationError(
            why or f"{self.name} does not support {operation}",
            provider=self.name,
            code="unsupported_operation",
        )
