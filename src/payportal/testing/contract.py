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
:meth:`ProviderContract.make_request` to change the amount or currency used.

Providers differ in ways capabilities do not describe; five class attributes say how:

:attr:`~ProviderContract.payer_approves`
    ``True`` (default): a new payment waits for the payer (a redirect or instructions) and
    ``approve`` plays the payer. ``False``: the provider decides at once (invoice purchase),
    a new payment is already ``AUTHORIZED``, and "capture before approval" is tested as
    "capture after cancelling".
:attr:`~ProviderContract.listed_before_approval`
    ``True`` (default): ``get_payment`` finds a payment as soon as it is created. ``False``:
    the provider lists a payment only once the payer finished it (Sofort), so before that
    ``get_payment`` raises :class:`~payportal.exceptions.InvalidRequestError`.
:attr:`~ProviderContract.lists_earlier_refunds`
    ``True`` (default): a payment's ``refunds`` lists every refund so far. ``False``: the
    provider reports only the refund a call made (its total still counts them all).
:attr:`~ProviderContract.webhook_signature_field`
    ``None`` (default): signed webhooks carry their signature in HTTP headers, so a body
    delivered without them must be refused. A field name: the signature is that top-level
    field of the JSON body, so a body without it, or with a forged one, must be refused.
:attr:`~ProviderContract.notifications_read_back`
    ``True``: the provider's notifications are not signed, and ``parse_webhook`` trusts only
    what it reads back from the provider (so each event reports the payment's current
    status, and a notification naming a payment the provider does not confirm is refused).

A runnable example is in ``docs/guide/providers.md``; payportal's own clients run it through
``httpx.MockTransport`` and over loopback by parametrising the ``provider`` fixture.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar, TypeAlias

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

# Why a contract test does not apply, per capability it needs.
_NOT_APPLICABLE = {
    "capture": "the provider has no separate capture",
    "refund": "the provider cannot refund through its API",
    "webhook_signatures": "the provider does not sign webhooks",
}


def _require(provider: PaymentProvider, capability: str) -> None:
    """Skip the running test unless ``provider`` has ``capability`` (a key of the table)."""
    if not getattr(provider.capabilities, capability):
        pytest.skip(_NOT_APPLICABLE[capability])


class ProviderContract:
    """A pytest test-class mixin: the contract every provider client fulfils."""

    payer_approves: ClassVar[bool] = True
    """Whether a new payment waits for the payer; ``False`` if the provider decides at once."""

    listed_before_approval: ClassVar[bool] = True
    """Whether ``get_payment`` finds a payment before the payer finished it."""

    lists_earlier_refunds: ClassVar[bool] = True
    """Whether ``refunds`` lists every refund so far, not only the one the call made."""

    webhook_signature_field: ClassVar[str | None] = None
    """Where a signed webhook's signature lives: ``None`` for HTTP headers, else the name of
    the top-level field of the JSON body that carries it."""

    notifications_read_back: ClassVar[bool] = False
    """Whether unsigned notifications are confirmed by reading the payment back."""

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
        assert payment.raw_status
        assert not payment.captured
        if not self.payer_approves:
            # Decided at once: nothing to redirect to, the instructions are there already.
            assert payment.status is PaymentStatus.AUTHORIZED
            assert payment.redirect_url is None
            assert payment.instructions
            return
        assert payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING)
        if provider.capabilities.redirect:
            assert payment.redirect_url is not None
            assert payment.redirect_url.startswith("https://")
        else:
            assert payment.instructions

    def test_get_payment_returns_what_was_created(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        created = provider.create_payment(self.make_request("12.34"))
        if not self.listed_before_approval:
            with pytest.raises(InvalidRequestError):
                provider.get_payment(created.id)
            approve(created.id)
        fetched = provider.get_payment(created.id)
        assert fetched.id == created.id
        assert fetched.amount == Money("12.34", "EUR")
        if self.listed_before_approval:
            assert fetched.status is created.status

    def test_unknown_payment_is_an_invalid_request(self, provider: PaymentProvider) -> None:
        with pytest.raises(InvalidRequestError) as caught:
            provider.get_payment("NO-SUCH-PAYMENT-1")
        assert caught.value.provider == provider.name

    # -- capture ------------------------------------------------------------------------

    def test_capture_before_approval_is_refused(self, provider: PaymentProvider) -> None:
        _require(provider, "capture")
        payment = provider.create_payment(self.make_request())
        if not self.payer_approves:
            # Nothing to approve: the closest state is an order the merchant cancelled.
            if not provider.capabilities.void:
                pytest.skip("the provider approves at once and cannot cancel")
            payment = provider.cancel(payment.id)
            with pytest.raises(InvalidRequestError):
                provider.capture(payment.id)
            assert provider.get_payment(payment.id).status is PaymentStatus.CANCELLED
            return
        with pytest.raises(ProviderError) as caught:
            provider.capture(payment.id)
        assert isinstance(caught.value, InvalidRequestError | UnsupportedOperationError)
        assert provider.get_payment(payment.id).status is payment.status

    def test_capture_after_approval_is_paid(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        _require(provider, "capture")
        payment = self.paid(provider, approve)
        assert payment.status is PaymentStatus.PAID
        assert payment.captured == payment.amount
        assert provider.get_payment(payment.id).status is PaymentStatus.PAID

    def test_partial_capture_follows_capabilities(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        _require(provider, "capture")
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
        _require(provider, "refund")
        payment = self.paid(provider, approve)
        refunded = provider.refund(payment.id, reason="Contract test")
        assert refunded.status is PaymentStatus.REFUNDED
        assert refunded.refunded == payment.captured
        assert sum((r.amount for r in refunded.refunds), Money.zero("EUR")) == payment.captured

    def test_partial_refunds_add_up(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        _require(provider, "refund")
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
            if self.lists_earlier_refunds:
                assert len(rest.refunds) == 2
            else:
                assert [r.amount for r in first.refunds] == [Money("4.00", "EUR")]
                assert [r.amount for r in rest.refunds] == [Money("6.00", "EUR")]
                assert first.refunds[0].id != rest.refunds[0].id

    def test_refund_beyond_the_captured_amount_is_refused(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        _require(provider, "refund")
        payment = self.paid(provider, approve)
        with pytest.raises(InvalidRequestError):
            provider.refund(payment.id, Money("10.01", "EUR"))
        assert provider.get_payment(payment.id).refunded == Money.zero("EUR")

    # -- webhooks -----------------------------------------------------------------------

    def test_webhooks_verify_and_name_the_payment(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        _require(provider, "webhook_signatures")
        payment = self.paid(provider, approve)
        delivered = webhooks()
        assert delivered
        events = [provider.parse_webhook(headers, body) for headers, body in delivered]
        assert all(event.provider == provider.name for event in events)
        assert payment.id in {event.payment_id for event in events}

    def test_tampered_webhook_is_refused_and_changes_nothing(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        _require(provider, "webhook_signatures")
        payment = self.paid(provider, approve)
        headers, body = webhooks()[-1]
        tampered = body.replace(payment.id.encode(), b"X" * len(payment.id))
        assert tampered != body
        with pytest.raises(WebhookVerificationError):
            provider.parse_webhook(headers, tampered)
        for unsigned_headers, unsigned_body in self._unsigned(headers, body):
            with pytest.raises(WebhookVerificationError):
                provider.parse_webhook(unsigned_headers, unsigned_body)
        assert provider.get_payment(payment.id) == payment

    def _unsigned(self, headers: dict[str, str], body: bytes) -> list[tuple[dict[str, str], bytes]]:
        """The delivery stripped of its signature, and with a forged one where it is a field."""
        field = self.webhook_signature_field
        if field is None:
            return [({}, body)]
        data = json.loads(body)
        assert field in data, f"the webhook body has no {field!r} field"
        unsigned = {key: value for key, value in data.items() if key != field}
        forged = {**data, field: "0" * len(str(data[field]))}
        return [(headers, json.dumps(unsigned).encode()), (headers, json.dumps(forged).encode())]

    def test_unsigned_notifications_report_what_is_read_back(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        if not self.notifications_read_back:
            pytest.skip("the provider's notifications are not confirmed by reading back")
        assert not provider.capabilities.webhook_signatures
        payment = self.paid(provider, approve)
        delivered = webhooks()
        assert delivered
        events = [provider.parse_webhook(headers, body) for headers, body in delivered]
        assert all(event.provider == provider.name for event in events)
        assert payment.id in {event.payment_id for event in events}
        now = provider.get_payment(payment.id).status
        # The status of every event is today's, however old the notification is.
        assert {e.status for e in events if e.payment_id == payment.id} <= {now, None}

    def test_notification_for_an_unconfirmed_payment_is_refused(
        self, provider: PaymentProvider, approve: Callable[[str], None], webhooks: Webhooks
    ) -> None:
        if not self.notifications_read_back:
            pytest.skip("the provider's notifications are not confirmed by reading back")
        payment = self.paid(provider, approve)
        headers, body = webhooks()[-1]
        forged = body.replace(payment.id.encode(), b"X" * len(payment.id))
        assert forged != body
        with pytest.raises(WebhookVerificationError):
            provider.parse_webhook(headers, forged)
        assert provider.get_payment(payment.id) == payment
