"""``ProviderContract``: the behaviour every payment provider client must show.

Subclass it in a test module (the subclass's name must start with ``Test``) and provide
three fixtures; pytest then runs every contract test against your provider:

``provider``
    the :class:`~payportal.providers.PaymentProvider` under test, talking to a fake server.
``approve``
    a callable that plays the payer approving a payment id at the fake.
``webhooks``
    a callable returning the notifications the fake queued so far, as ``(headers, body)``
    pairs (return ``[]`` if the provider sends none).

Tests whose feature the provider's :attr:`~payportal.providers.PaymentProvider.capabilities`
lack check that the operation raises
:class:`~payportal.exceptions.UnsupportedOperationError` instead. Override
:meth:`ProviderContract.make_request` to change the amount or currency used. A runnable
example is in ``docs/guide/providers.md``; payportal's own clients run it through
``httpx.MockTransport`` and over loopback by parametrising the ``provider`` fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import pytest

from payportal._money import Money
from payportal.exceptions import (
    InvalidRequestError,
    ProviderError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers._models import Payment, PaymentRequest, PaymentStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.providers._protocol import PaymentProvider

    Webhooks: TypeAlias = Callable[[], list[tuple[dict[str, str], bytes]]]

__all__ = ["ProviderContract"]


class ProviderContract:
    """A pytest test-class mixin: the contract every provider client fulfils."""

    def make_request(self, amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
        """The payment request the contract tests create payments with."""
        return PaymentRequest(
            amount=Money(amount, currency),
            reference="CONTRACT-1",
            return_url="https://shop.example/return",
            cancel_url="https://shop.example/cancel",
            description="Contract test",
        )

    def paid(
        self, provider: PaymentProvider, approve: Callable[[str], None], amount: str = "10.00"
    ) -> Payment:
        """A payment created, approved and captured in full.

        Providers without a separate capture (``capabilities.capture`` false) are paid once
        the payer approves; the payment is then read back instead.
        """
        payment = provider.create_payment(self.make_request(amount))
        approve(payment.id)
        if not provider.capabilities.capture:
            return provider.get_payment(payment.id)
        return provider.capture(payment.id)

    # -- creating and reading -----------------------------------------------------------

    def test_create_payment_awaits_the_payer(self, provider: PaymentProvider) -> None:
        request = self.make_request()
        payment = provider.create_payment(request)
        assert payment.provider == provider.name
        assert payment.amount == request.amount
        assert payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING)
        assert payment.raw_status
        assert not payment.captured
        if provider.capabilities.redirect:
            assert payment.redirect_url is not None
            assert payment.redirect_url.startswith("https://")
        else:
            assert payment.instructions

    def test_get_payment_returns_what_was_created(self, provider: PaymentProvider) -> None:
        created = provider.create_payment(self.make_request("12.34"))
        fetched = provider.get_payment(created.id)
        assert fetched.id == created.id
        assert fetched.amount == Money("12.34", "EUR")
        assert fetched.status is created.status

    def test_unknown_payment_is_an_invalid_request(self, provider: PaymentProvider) -> None:
        with pytest.raises(InvalidRequestError) as caught:
            provider.get_payment("NO-SUCH-PAYMENT-1")
        assert caught.value.provider == provider.name

    # -- capture ------------------------------------------------------------------------

    def test_capture_before_approval_is_refused(self, provider: PaymentProvider) -> None:
        if not provider.capabilities.capture:
            pytest.skip("the provider has no separate capture")
        payment = provider.create_payment(self.make_request())
        with pytest.raises(ProviderError) as caught:
            provider.capture(payment.id)
        assert isinstance(caught.value, InvalidRequestError | UnsupportedOperationError)
        assert provider.get_payment(payment.id).status is payment.status

    def test_capture_after_approval_is_paid(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        if not provider.capabilities.capture:
            pytest.skip("the provider has no separate capture")
        payment = self.paid(provider, approve)
        assert payment.status is PaymentStatus.PAID
        assert payment.captured == payment.amount
        assert provider.get_payment(payment.id).status is PaymentStatus.PAID

    def test_partial_capture_follows_capabilities(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        if not provider.capabilities.capture:
            pytest.skip("the provider has no separate capture")
        payment = provider.create_payment(self.make_request())
        approve(payment.id)
        if provider.capabilities.partial_capture:
            captured = provider.capture(payment.id, Money("4.00", "EUR"))
            assert captured.captured == Money("4.00", "EUR")
            assert captured.status is PaymentStatus.PAID
        else:
            with pytest.raises(UnsupportedOperationError):
                provider.capture(payment.id, Money("4.00", "EUR"))

    # -- cancel -------------------------------------------------------------------------

    def test_cancel_follows_capabilities(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        payment = provider.create_payment(self.make_request())
        approve(payment.id)
        if provider.capabilities.void:
            assert provider.cancel(payment.id).status is PaymentStatus.CANCELLED
            with pytest.raises(ProviderError):
                provider.capture(payment.id)
        else:
            with pytest.raises(UnsupportedOperationError):
                provider.cancel(payment.id)

    # -- refunds ------------------------------------------------------------------------

    def test_full_refund_refunds_everything(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        if not provider.capabilities.refund:
            pytest.skip("the provider cannot refund through its API")
        payment = self.paid(provider, approve)
        refunded = provider.refund(payment.id, reason="Contract test")
        assert refunded.status is PaymentStatus.REFUNDED
        assert refunded.refunded == payment.captured
        assert sum((r.amount for r in refunded.refunds), Money.zero("EUR")) == payment.captured

    def test_partial_refunds_add_up(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        if not provider.capabilities.refund:
            pytest.skip("the provider cannot refund through its API")
        payment = self.paid(provider, approve)
        if not provider.capabilities.partial_refund:
            with pytest.raises(UnsupportedOperationError):
                provider.refund(payment.id, Money("4.00", "EUR"))
            return
        first = provider.refund(payment.id, Money("4.00", "EUR"))
        assert first.status is PaymentStatus.PARTIALLY_REFUNDED
        assert first.refunded == Money("4.00", "EUR")
        if provider.capabilities.multiple_refunds:
            rest = provider.refund(payment.id, Money("6.00", "EUR"))
            assert rest.status is PaymentStatus.REFUNDED
            assert rest.refunded == payment.amount
            assert len(rest.refunds) == 2

    def test_refund_beyond_the_captured_amount_is_refused(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        if not provider.capabilities.refund:
            pytest.skip("the provider cannot refund through its API")
        payment = self.paid(provider, approve)
        with pytest.raises(InvalidRequestError):
            provider.refund(payment.id, Money("10.01", "EUR"))
        assert provider.get_payment(payment.id).refunded == Money.zero("EUR")

    # -- webhooks -----------------------------------------------------------------------

    def test_webhooks_verify_and_name_the_payment(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        if not provider.capabilities.webhook_signatures:
            pytest.skip("the provider does not sign webhooks")
        payment = self.paid(provider, approve)
        delivered = webhooks()
        assert delivered
        events = [provider.parse_webhook(headers, body) for headers, body in delivered]
        assert all(event.provider == provider.name for event in events)
        assert payment.id in {event.payment_id for event in events}

    def test_tampered_webhook_is_refused_and_changes_nothing(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        if not provider.capabilities.webhook_signatures:
            pytest.skip("the provider does not sign webhooks")
        payment = self.paid(provider, approve)
        headers, body = webhooks()[-1]
        tampered = body.replace(payment.id.encode(), b"X" * len(payment.id))
        assert tampered != body
        with pytest.raises(WebhookVerificationError):
            provider.parse_webhook(headers, tampered)
        with pytest.raises(WebhookVerificationError):
            provider.parse_webhook({}, body)
        assert provider.get_payment(payment.id) == payment
