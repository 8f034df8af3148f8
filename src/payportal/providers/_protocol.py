"""The two protocols an application codes its payment flow against, sync and async."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from payportal._money import Money
    from payportal.providers._models import Capabilities, Payment, PaymentRequest, WebhookEvent

__all__ = ["AsyncPaymentProvider", "PaymentProvider"]


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider, called synchronously.

    Every method raises a :class:`~payportal.exceptions.ProviderError` subclass when the
    provider refuses or cannot be reached, and
    :class:`~payportal.exceptions.UnsupportedOperationError` for an operation that
    :attr:`capabilities` does not offer.
    """

    @property
    def name(self) -> str:
        """The provider's name, as on :attr:`Payment.provider`."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What this provider can do."""
        ...

    def create_payment(self, request: PaymentRequest) -> Payment:
        """Create a payment; the result has a ``redirect_url`` or ``instructions``."""
        ...

    def get_payment(self, payment_id: str) -> Payment:
        """Fetch the payment's current state."""
        ...

    def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """Capture an approved payment, in full or (where allowed) in part."""
        ...

    def cancel(self, payment_id: str) -> Payment:
        """Void an authorization or cancel a payment not yet paid."""
        ...

    def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """Refund captured money, all that is left or ``amount`` of it."""
        ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify a notification's authenticity, then decode it.

        Raises:
            WebhookVerificationError: it cannot be proven to come from the provider.
        """
        ...


@runtime_checkable
class AsyncPaymentProvider(Protocol):
    """The same as :class:`PaymentProvider`, with coroutine methods."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def create_payment(self, request: PaymentRequest) -> Payment: ...

    async def get_payment(self, payment_id: str) -> Payment: ...

    async def capture(self, payment_id: str, amount: Money | None = None) -> Payment: ...

    async def cancel(self, payment_id: str) -> Payment: ...

    async def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment: ...

    async def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent: ...
