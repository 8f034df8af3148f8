"""Every fake provider server with the client that talks to it: one line per provider.

The pytest plugin (:mod:`payportal.testing.pytest_plugin`) makes its three fixtures per
provider from :data:`FAKES`; a new provider is one client module, one fake module and one
line here.

>>> [fake.name for fake in FAKES]
['paypal', 'paypal_nvp', 'payengine', 'paydirekt', 'sofort', 'billpay', 'billwerk']
>>> paypal = FAKES[0]
>>> fake = paypal.fake()
>>> with paypal.connect(fake, transport=fake.transport()) as client:
...     client.name
'paypal'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable  # attrs reads the hints
from typing import Any, Generic, TypeVar

import attrs

from payportal.providers._core import HTTPProvider  # attrs reads the hints
from payportal.providers.billpay import BillPay
from payportal.providers.billwerk import BillwerkPay
from payportal.providers.paydirekt import Paydirekt
from payportal.providers.payengine import PayEngine
from payportal.providers.paypal import PayPal
from payportal.providers.paypal_nvp import PayPalNVP
from payportal.providers.sofort import Sofort
from payportal.testing._server import FakeServer
from payportal.testing.fake_billpay import FakeBillPay
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

__all__ = ["FAKES", "FakeEntry"]

F = TypeVar("F", bound=FakeServer)


@attrs.frozen
class FakeEntry(Generic[F]):
    """A fake server and how to build a client of it.

    Attributes:
        name: the provider's name, also the client's :attr:`~payportal.providers.Wire.name`
            and the stem of the fixture names (``fake_<name>``, ``fake_<name>_url``,
            ``<name>``).
        fake: makes a fresh fake server.
        connect: ``connect(fake, **http_options)`` builds a client with the fake's
            credentials (and webhook secret or notification URL where the provider has
            one); ``http_options`` are the client's HTTP options (``transport``,
            ``base_url``, ``retry``, ``sleep``, ...).
        summary: what the fake serves, for the fixtures' docstrings.
    """

    name: str
    fake: Callable[[], F]
    connect: Callable[..., HTTPProvider]
    summary: str


def _paydirekt(fake: FakePaydirekt, **options: Any) -> Paydirekt:
    # Asking for a paydirekt client is the acknowledgement of its deprecation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Paydirekt(fake.api_key, fake.api_secret, **options)


FAKES: tuple[FakeEntry[Any], ...] = (
    FakeEntry(
        "paypal",
        FakePayPal,
        lambda f, **o: PayPal(
            f.client_id,
            f.client_secret,
            webhook_id=f.webhook_id,
            webhook_trust_roots=f.trust_roots,
            **o,
        ),
        "PayPal REST (Orders v2, Payments v2, webhooks)",
    ),
    FakeEntry(
        "paypal_nvp",
        FakePayPalNVP,
        lambda f, **o: PayPalNVP(f.username, f.password, f.signature, **o),
        "PayPal NVP (Express Checkout, IPN)",
    ),
    FakeEntry(
        "payengine",
        FakePayEngine,
        lambda f, **o: PayEngine(
            f.merchant_id, f.api_key, notification_url=f.notification_url, **o
        ),
        "PayEngine (orders, notifications)",
    ),
    FakeEntry("paydirekt", FakePaydirekt, _paydirekt, "paydirekt (checkouts, callbacks)"),
    FakeEntry(
        "sofort",
        FakeSofort,
        lambda f, **o: Sofort(f.customer_id, f.project_id, f.api_key, **o),
        "Sofort (Klarna) XML API",
    ),
    FakeEntry(
        "billpay",
        FakeBillPay,
        lambda f, **o: BillPay(f.merchant_id, f.portal_id, f.security_key, **o),
        "BillPay XML invoice purchase",
    ),
    FakeEntry(
        "billwerk",
        FakeBillwerkPay,
        lambda f, **o: BillwerkPay(f.private_key, webhook_secret=f.webhook_secret, **o),
        "Billwerk+ Pay (Reepay: charges, webhooks)",
    ),
)
"""Every fake provider server, in the order the documentation lists them."""
