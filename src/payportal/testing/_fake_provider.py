"""An in-memory payment provider with scripted outcomes, for application test suites."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from payportal._money import Money
from payportal.exceptions import (
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers._models import (
    Capabilities,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Refund,
    WebhookEvent,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = ["AsyncFakeProvider", "FakeOutcome", "FakeProvider"]

SIGNATURE_HEADER = "Fake-Signature"

FULL_CAPABILITIES = Capabilities(
    capture=True,
    partial_capture=True,
    refund=True,
    partial_refund=True,
    multiple_refunds=True,
    void=True,
    webhook_signatures=True,
    redirect=True,
)


class FakeOutcome(enum.Enum):
    """What the next scripted call does instead of (or before) succeeding."""

    DECLINE = "decline"
    """Raise :class:`~payportal.exceptions.PaymentDeclinedError`; nothing changes."""
    FAIL = "fail"
    """Raise :class:`~payportal.exceptions.ProviderUnavailableError`; nothing changes."""
    SLOW = "slow"
    """Succeed after ``slow_seconds`` (through the injected ``sleep``)."""
    ABANDON = "abandon"
    """``create_payment`` succeeds, but the payer walks away: the payment is expired."""


_OPERATIONS = frozenset({"create_payment", "get_payment", "capture", "cancel", "refund"})


class FakeProvider:
    """A :class:`~payportal.providers.PaymentProvider` that keeps payments in memory.

    Payments start ``CREATED`` with a redirect URL; :meth:`approve` plays the payer and
    makes them ``AUTHORIZED``; ``capture`` makes them ``PAID``. Every change queues a signed
    webhook, taken with :meth:`webhooks`.

    Args:
        name: the provider name on payments and errors.
        capabilities: what it claims to support; operations it lacks raise
            :class:`~payportal.exceptions.UnsupportedOperationError`, so a test can play a
            provider without partial refunds, say.
        webhook_secret: the HMAC key its webhooks are signed with.
        sleep: how :attr:`FakeOutcome.SLOW` waits.
        slow_seconds: how long :attr:`FakeOutcome.SLOW` waits.

    >>> from payportal import Money
    >>> from payportal.providers import PaymentRequest
    >>> fake = FakeProvider()
    >>> fake.script("capture", FakeOutcome.DECLINE)
    >>> pay = fake.create_payment(PaymentRequest(amount=Money("5.00", "EUR"), reference="R-1"))
    >>> fake.approve(pay.id)
    >>> fake.capture(pay.id)
    Traceback (most recent call last):
    ...
    payportal.exceptions.PaymentDeclinedError: fake: the payment was declined ...
    >>> fake.capture(pay.id).status.value
    'paid'
    """

    def __init__(
        self,
        *,
        name: str = "fake",
        capabilities: Capabilities = FULL_CAPABILITIES,
        webhook_secret: bytes | None = None,
        sleep: Callable[[float], None] = time.sleep,
        slow_seconds: float = 0.01,
    ) -> None:
        self._name = name
        self._capabilities = capabilities
        self._secret = webhook_secret or secrets.token_bytes(32)
        self._sleep = sleep
        self.slow_seconds = slow_seconds
        self._lock = threading.RLock()
        self._payments: dict[str, Payment] = {}
        self._scripts: defaultdict[str, deque[FakeOutcome]] = defaultdict(deque)
        self._outbox: list[dict[str, Any]] = []
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        """Every protocol call made, in order: ``("capture", (payment_id, amount))``."""

    def __repr__(self) -> str:
        return f"FakeProvider(name={self._name!r}, payments={len(self._payments)})"

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._name

    @property
    def capabilities(self) -> Capabilities:
        """What it claims to support."""
        return self._capabilities

    # -- scripting and the payer's side ---------------------------------------------------

    def script(self, operation: str, *outcomes: FakeOutcome) -> None:
        """Queue outcomes for the next calls of ``operation`` (``"capture"``, ...), in order.

        Raises:
            ValueError: ``operation`` is not a protocol operation.
        """
        if operation not in _OPERATIONS:
            raise ValueError(f"{operation!r} is not one of {sorted(_OPERATIONS)}")
        with self._lock:
            self._scripts[operation].extend(outcomes)

    def approve(self, payment_id: str) -> None:
        """The payer approves: a ``CREATED`` payment becomes ``AUTHORIZED``.

        Raises:
            InvalidRequestError: no such payment, or it is not waiting for the payer.
        """
        with self._lock:
            payment = self._get(payment_id)
            self._require(payment, {PaymentStatus.CREATED}, "approve")
            self._store(payment, status=PaymentStatus.AUTHORIZED, redirect_url=None)

    def abandon(self, payment_id: str) -> None:
        """The payer walks away: a ``CREATED`` payment becomes ``EXPIRED``."""
        with self._lock:
            payment = self._get(payment_id)
            self._require(payment, {PaymentStatus.CREATED}, "abandon")
            self._store(payment, status=PaymentStatus.EXPIRED, redirect_url=None)

    def webhooks(
        self, *, duplicate: bool = False, reverse: bool = False
    ) -> list[tuple[dict[str, str], bytes]]:
        """Take the webhooks queued so far, signed: ``(headers, body)`` pairs.

        Args:
            duplicate: deliver each one twice, as providers that retry do.
            reverse: deliver them newest first (out of order).
        """
        with self._lock:
            events, self._outbox = self._outbox, []
        ordered = list(reversed(events)) if reverse else events
        copies = 2 if duplicate else 1
        return [self.sign(event) for event in ordered for _ in range(copies)]

    def sign(self, event: Mapping[str, Any]) -> tuple[dict[str, str], bytes]:
        """Sign an event body the way this fake's webhooks are signed."""
        body = json.dumps(event, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        digest = hmac.new(self._secret, timestamp.encode() + b"." + body, hashlib.sha256)
        header = f"t={timestamp},v1={digest.hexdigest()}"
        return {SIGNATURE_HEADER: header, "Content-Type": "application/json"}, body

    # -- the protocol --------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Payment:
        """Create a ``CREATED`` payment with a redirect URL."""
        outcome = self._enter("create_payment", (request,))
        payment_id = "fake_" + secrets.token_hex(8)
        zero = Money.zero(request.amount.currency)
        payment = Payment(
            id=payment_id,
            provider=self._name,
            status=PaymentStatus.CREATED,
            raw_status="created",
            amount=request.amount,
            captured=zero,
            refunded=zero,
            reference=request.reference,
            redirect_url=f"https://pay.fake.example/approve/{payment_id}",
        )
        with self._lock:
            self._payments[payment_id] = payment
            self._emit(payment)
            if outcome is FakeOutcome.ABANDON:
                self._store(payment, status=PaymentStatus.EXPIRED, redirect_url=None)
            return self._payments[payment_id] if outcome is FakeOutcome.ABANDON else payment

    def get_payment(self, payment_id: str) -> Payment:
        """The payment as it is now."""
        self._enter("get_payment", (payment_id,))
        with self._lock:
            return self._get(payment_id)

    def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """Capture an ``AUTHORIZED`` payment, in full or in part."""
        self._enter("capture", (payment_id, amount))
        with self._lock:
            payment = self._get(payment_id)
            self._check("capture", self._capabilities.capture)
            self._require(payment, {PaymentStatus.AUTHORIZED}, "capture")
            taken = payment.amount if amount is None else amount
            self._check_amount(taken, payment.amount, "capture")
            if taken != payment.amount:
                self._check("partial capture", self._capabilities.partial_capture)
            return self._store(payment, status=PaymentStatus.PAID, captured=taken)

    def cancel(self, payment_id: str) -> Payment:
        """Cancel a payment not captured yet."""
        self._enter("cancel", (payment_id,))
        with self._lock:
            payment = self._get(payment_id)
            self._check("cancel", self._capabilities.void)
            self._require(payment, {PaymentStatus.CREATED, PaymentStatus.AUTHORIZED}, "cancel")
            return self._store(payment, status=PaymentStatus.CANCELLED, redirect_url=None)

    def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """Refund captured money; partial and repeated refunds as the capabilities allow."""
        self._enter("refund", (payment_id, amount, reason))
        with self._lock:
            payment = self._get(payment_id)
            self._check("refund", self._capabilities.refund)
            self._require(payment, {PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED}, "refund")
            given = payment.refundable if amount is None else amount
            self._check_amount(given, payment.refundable, "refund")
            if given != payment.captured:
                self._check("partial refund", self._capabilities.partial_refund)
            if payment.refunds:
                self._check("multiple refunds", self._capabilities.multiple_refunds)
            refunded = payment.refunded + given
            refund = Refund(id="fake_rf_" + secrets.token_hex(6), amount=given, raw_status="done")
            return self._store(
                payment,
                status=PaymentStatus.REFUNDED
                if refunded == payment.captured
                else PaymentStatus.PARTIALLY_REFUNDED,
                refunded=refunded,
                refunds=(*payment.refunds, refund),
            )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify the HMAC signature and decode the event; it changes nothing here.

        Raises:
            WebhookVerificationError: the signature header is missing or does not match.
        """
        lowered = {key.lower(): value for key, value in headers.items()}
        fields = dict(
            part.split("=", 1)
            for part in lowered.get(SIGNATURE_HEADER.lower(), "").split(",")
            if "=" in part
        )
        if "t" not in fields or "v1" not in fields:
            raise self._unverified("the Fake-Signature header is missing or malformed")
        expected = hmac.new(
            self._secret, fields["t"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, fields["v1"]):
            raise self._unverified("the signature does not match the body")
        try:
            data = json.loads(body)
            return WebhookEvent(
                id=data["id"],
                provider=self._name,
                type=data["type"],
                payment_id=data["payment_id"],
                status=PaymentStatus(data["status"]),
                occurred_at=datetime.fromisoformat(data["occurred_at"]),
                data=data,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise self._unverified("the body is not a fake provider event") from error

    # -- internals -----------------------------------------------------------------------

    def _enter(self, operation: str, args: tuple[object, ...]) -> FakeOutcome | None:
        with self._lock:
            self.calls.append((operation, args))
            queue = self._scripts[operation]
            outcome = queue.popleft() if queue else None
        if outcome is FakeOutcome.DECLINE:
            raise PaymentDeclinedError(
                "the payment was declined (scripted)", provider=self._name, code="declined"
            )
        if outcome is FakeOutcome.FAIL:
            raise ProviderUnavailableError(
                "the provider is unavailable (scripted)", provider=self._name, code="unavailable"
            )
        if outcome is FakeOutcome.SLOW:
            self._sleep(self.slow_seconds)
        return outcome

    def _get(self, payment_id: str) -> Payment:
        payment = self._payments.get(payment_id)
        if payment is None:
            self._refuse(f"there is no payment {payment_id!r}", "not_found")
        return payment

    def _refuse(self, message: str, code: str) -> NoReturn:
        raise InvalidRequestError(message, provider=self._name, code=code)

    def _require(self, payment: Payment, allowed: Iterable[PaymentStatus], action: str) -> None:
        if payment.status not in set(allowed):
            self._refuse(
                f"cannot {action} payment {payment.id}: it is {payment.status.value}",
                "invalid_state",
            )

    def _check(self, operation: str, supported: bool) -> None:
        if not supported:
            raise UnsupportedOperationError(
                f"{self._name} does not support {operation}",
                provider=self._name,
                code="unsupported_operation",
            )

    def _check_amount(self, amount: Money, limit: Money, action: str) -> None:
        if amount.currency != limit.currency or amount.amount <= 0 or amount > limit:
            self._refuse(
                f"cannot {action} {amount}: it must be more than zero and at most {limit}",
                "invalid_amount",
            )

    def _store(self, payment: Payment, **changes: Any) -> Payment:
        if "status" in changes:
            changes["raw_status"] = changes["status"].value
        updated = attrs.evolve(payment, **changes)
        self._payments[payment.id] = updated
        self._emit(updated)
        return updated

    def _emit(self, payment: Payment) -> None:
        self._outbox.append(
            {
                "id": "evt_" + secrets.token_hex(8),
                "type": f"payment.{payment.status.value}",
                "payment_id": payment.id,
                "status": payment.status.value,
                "occurred_at": datetime.now(UTC).isoformat(),
            }
        )

    def _unverified(self, reason: str) -> ProviderError:
        return WebhookVerificationError(reason, provider=self._name, code="bad_signature")


class AsyncFakeProvider:
    """The :class:`FakeProvider` as an :class:`~payportal.providers.AsyncPaymentProvider`.

    Args:
        fake: the synchronous fake to drive (its scripts, payments and webhooks are shared),
            or ``None`` for a new one.
    """

    def __init__(self, fake: FakeProvider | None = None) -> None:
        self.fake = fake or FakeProvider()

    def __repr__(self) -> str:
        return f"AsyncFakeProvider({self.fake!r})"

    @property
    def name(self) -> str:
        """The provider's name."""
        return self.fake.name

    @property
    def capabilities(self) -> Capabilities:
        """What it claims to support."""
        return self.fake.capabilities

    async def create_payment(self, request: PaymentRequest) -> Payment:
        """As :meth:`FakeProvider.create_payment`."""
        return self.fake.create_payment(request)

    async def get_payment(self, payment_id: str) -> Payment:
        """As :meth:`FakeProvider.get_payment`."""
        return self.fake.get_payment(payment_id)

    async def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """As :meth:`FakeProvider.capture`."""
        return self.fake.capture(payment_id, amount)

    async def cancel(self, payment_id: str) -> Payment:
        """As :meth:`FakeProvider.cancel`."""
        return self.fake.cancel(payment_id)

    async def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """As :meth:`FakeProvider.refund`."""
        return self.fake.refund(payment_id, amount, reason)

    async def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """As :meth:`FakeProvider.parse_webhook`."""
        return self.fake.parse_webhook(headers, body)


if TYPE_CHECKING:
    from payportal.providers._protocol import AsyncPaymentProvider, PaymentProvider

    def _conforms(
        sync: FakeProvider, asynchronous: AsyncFakeProvider
    ) -> tuple[PaymentProvider, AsyncPaymentProvider]:
        # mypy proves here that both fakes implement their protocol in full.
        return sync, asynchronous
