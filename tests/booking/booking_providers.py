"""Each provider client wired to its fake server, for the booking tests."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from payportal import Money
from payportal.providers import Payment, PaymentRequest, RetryPolicy, WebhookEvent
from payportal.providers.paydirekt import Paydirekt
from payportal.testing.fake_billpay import sample_buyer

if TYPE_CHECKING:
    import pytest

    from payportal.providers import PaymentProvider

# (client fixture, fake fixture, how the payer approves, how the fake hands out webhooks)
PROVIDERS = {
    "paypal": ("paypal", "fake_paypal", "approve", "webhooks"),
    "paypal_nvp": ("paypal_nvp", "fake_paypal_nvp", "approve", "webhooks"),
    "payengine": ("payengine", "fake_payengine", "approve", "webhooks"),
    "paydirekt": ("paydirekt", "fake_paydirekt", "approve", "callbacks"),
    "sofort": ("sofort", "fake_sofort", "pay", "notifications"),
    "billpay": ("billpay", "fake_billpay", None, None),
    "billwerk": ("billwerk", "fake_billwerk", "approve", "webhooks"),
}


# What the providers that need a payer's details take from the request's metadata.
METADATA = {
    "billpay": sample_buyer(),
    "paydirekt": {"addresseeGivenName": "Hermann", "addresseeLastName": "Meyer"},
}


def m(amount: str) -> Money:
    return Money(amount, "EUR")


class Wired:
    """A provider client with its fake: create, pay, refund, read the webhooks."""

    def __init__(self, request: pytest.FixtureRequest, name: str) -> None:
        client, fake, approve, webhooks = PROVIDERS[name]
        self.name = name
        self.fake: Any = request.getfixturevalue(fake)
        self.client: PaymentProvider
        if name == "paydirekt":
            # paydirekt calls back only when the checkout names a callback URL.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                paydirekt = Paydirekt(
                    self.fake.api_key,
                    self.fake.api_secret,
                    callback_url="https://shop.example/paydirekt",
                    transport=self.fake.transport(),
                    retry=RetryPolicy(base_delay=0.0),
                    sleep=lambda seconds: None,
                )
            request.addfinalizer(paydirekt.close)
            self.client = paydirekt
        else:
            self.client = request.getfixturevalue(client)
        self._approve = approve
        self._webhooks = webhooks

    def pay(self, amount: str = "80.00") -> Payment:
        created = self.client.create_payment(
            PaymentRequest(
                amount=m(amount),
                reference="REF-pi-1",
                return_url="https://shop.example/return",
                cancel_url="https://shop.example/cancel",
                description="Invoices",
                metadata=METADATA.get(self.client.name, {}),
            )
        )
        if self._approve is not None:
            getattr(self.fake, self._approve)(created.id)
        if self.client.capabilities.capture:
            return self.client.capture(created.id)
        return self.client.get_payment(created.id)

    def webhooks(self, payment_id: str) -> list[WebhookEvent]:
        if self._webhooks is None:
            return []
        delivered = getattr(self.fake, self._webhooks)()
        if self.client.name == "sofort" and not delivered:
            # The client fixture registers no notification URL; post what Sofort would.
            delivered = [({"Content-Type": "application/xml"}, self.fake.notification(payment_id))]
        return [self.client.parse_webhook(headers, body) for headers, body in delivered]
