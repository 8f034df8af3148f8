"""The payment methods of the example portal, all backed by payportal's fakes: no network.

A real app builds the same :class:`PaymentMethod` list from its provider configuration
(``PayPal(client_id, client_secret)``, ...) and sends the payer to ``payment.redirect_url``.
Here the providers are fakes, so the app shows its own stand-in for the provider's hosted
page, and the payer's "approve" button calls the fake's ``approve``.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from payportal.accounts import TopUpMethod
from payportal.providers import PaymentProvider
from payportal.providers.paypal import PayPal
from payportal.testing import FakeProvider
from payportal.testing.fake_paypal import FakePayPal

__all__ = ["PaymentMethod", "demo_methods"]


@attrs.frozen
class PaymentMethod:
    """One way to pay in the portal.

    Attributes:
        key: the method's id in forms and URLs.
        label: what the payer reads.
        provider: the payportal provider client that takes the payment.
        approve: plays the payer approving at the provider (fakes only).
        top_up_method: how a prepaid top-up paid this way is booked.
    """

    key: str
    label: str
    provider: PaymentProvider
    approve: Callable[[str], None]
    top_up_method: TopUpMethod


def demo_methods() -> dict[str, PaymentMethod]:
    """Card payments through :class:`~payportal.testing.FakeProvider` and PayPal through the
    real :class:`~payportal.providers.paypal.PayPal` client talking to
    :class:`~payportal.testing.fake_paypal.FakePayPal` in-process (``httpx.MockTransport``)."""
    card = FakeProvider(name="card")
    paypal_api = FakePayPal()
    paypal = PayPal(
        paypal_api.client_id, paypal_api.client_secret, transport=paypal_api.transport()
    )
    methods = [
        PaymentMethod("card", "Credit card (test)", card, card.approve, TopUpMethod.CARD),
        PaymentMethod("paypal", "PayPal (test)", paypal, paypal_api.approve, TopUpMethod.PAYPAL),
    ]
    return {method.key: method for method in methods}
