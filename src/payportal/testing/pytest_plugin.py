"""pytest fixtures for payportal's fakes; loaded automatically through the ``pytest11``
entry point once payportal is installed.

Every fake provider server comes as three fixtures, named after the provider module:

``fake_<provider>``
    a fresh fake server (in-process), e.g. :class:`~payportal.testing.fake_paypal.FakePayPal`.
``fake_<provider>_url``
    the base URL of ``fake_<provider>`` served on 127.0.0.1 for the test's duration; pass it
    to the client as ``base_url``.
``<provider>``
    a client of that provider wired to ``fake_<provider>`` through ``httpx.MockTransport``,
    with the fake's credentials (and webhook secret or notification URL where the provider
    has one) and retries that never really sleep; closed after the test.

for ``<provider>`` in ``paypal``, ``paypal_nvp``, ``payengine``, ``paydirekt``, ``sofort``,
``billpay`` and ``billwerk`` (clients :class:`~payportal.providers.paypal.PayPal`,
:class:`~payportal.providers.PayPalNVP`, :class:`~payportal.providers.PayEngine`,
:class:`~payportal.providers.Paydirekt`, :class:`~payportal.providers.Sofort`,
:class:`~payportal.providers.BillPay` and :class:`~payportal.providers.BillwerkPay`).
The ``paydirekt`` client is built with its deprecation warning silenced: asking for the
fixture is the acknowledgement.

And the in-memory provider, which needs no server:

``fake_provider``
    a fresh :class:`~payportal.testing.FakeProvider`.
``async_fake_provider``
    a fresh :class:`~payportal.testing.AsyncFakeProvider`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pytest

from payportal.providers._retry import RetryPolicy
from payportal.providers.billpay import BillPay
from payportal.providers.billwerk import BillwerkPay
from payportal.providers.paydirekt import Paydirekt
from payportal.providers.payengine import PayEngine
from payportal.providers.paypal import PayPal
from payportal.providers.paypal_nvp import PayPalNVP
from payportal.providers.sofort import Sofort
from payportal.testing._fake_provider import AsyncFakeProvider, FakeProvider
from payportal.testing.fake_billpay import FakeBillPay
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from collections.abc import Iterator

    from payportal.testing._server import FakeServer

__all__ = [
    "async_fake_provider",
    "billpay",
    "billwerk",
    "fake_billpay",
    "fake_billpay_url",
    "fake_billwerk",
    "fake_billwerk_url",
    "fake_paydirekt",
    "fake_paydirekt_url",
    "fake_payengine",
    "fake_payengine_url",
    "fake_paypal",
    "fake_paypal_nvp",
    "fake_paypal_nvp_url",
    "fake_paypal_url",
    "fake_provider",
    "fake_sofort",
    "fake_sofort_url",
    "paydirekt",
    "payengine",
    "paypal",
    "paypal_nvp",
    "sofort",
]


def _no_wait(fake: FakeServer) -> dict[str, Any]:
    """The HTTP options every client fixture shares: in-process, retries without sleeping."""
    return {
        "transport": fake.transport(),
        "retry": RetryPolicy(base_delay=0.0),
        "sleep": lambda seconds: None,
    }


def _served(fake: FakeServer) -> Iterator[str]:
    with fake.serve() as base_url:
        yield base_url


@pytest.fixture
def fake_provider() -> FakeProvider:
    """A fresh in-memory provider."""
    return FakeProvider()


@pytest.fixture
def async_fake_provider() -> AsyncFakeProvider:
    """A fresh in-memory provider with coroutine methods."""
    return AsyncFakeProvider()


# -- PayPal REST -----------------------------------------------------------------------------


@pytest.fixture
def fake_paypal() -> FakePayPal:
    """A fresh fake PayPal REST API."""
    return FakePayPal()


@pytest.fixture
def fake_paypal_url(fake_paypal: FakePayPal) -> Iterator[str]:
    """``fake_paypal`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_paypal)


@pytest.fixture
def paypal(fake_paypal: FakePayPal) -> Iterator[PayPal]:
    """A PayPal client talking to ``fake_paypal`` in-process."""
    with PayPal(
        fake_paypal.client_id,
        fake_paypal.client_secret,
        webhook_id=fake_paypal.webhook_id,
        webhook_trust_roots=fake_paypal.trust_roots,
        **_no_wait(fake_paypal),
    ) as client:
        yield client


# -- PayPal NVP ------------------------------------------------------------------------------


@pytest.fixture
def fake_paypal_nvp() -> FakePayPalNVP:
    """A fresh fake PayPal NVP/SOAP API (Express Checkout, IPN)."""
    return FakePayPalNVP()


@pytest.fixture
def fake_paypal_nvp_url(fake_paypal_nvp: FakePayPalNVP) -> Iterator[str]:
    """``fake_paypal_nvp`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_paypal_nvp)


@pytest.fixture
def paypal_nvp(fake_paypal_nvp: FakePayPalNVP) -> Iterator[PayPalNVP]:
    """A PayPal NVP client talking to ``fake_paypal_nvp`` in-process."""
    fake = fake_paypal_nvp
    with PayPalNVP(fake.username, fake.password, fake.signature, **_no_wait(fake)) as client:
        yield client


# -- PayEngine -------------------------------------------------------------------------------


@pytest.fixture
def fake_payengine() -> FakePayEngine:
    """A fresh fake PayEngine API."""
    return FakePayEngine()


@pytest.fixture
def fake_payengine_url(fake_payengine: FakePayEngine) -> Iterator[str]:
    """``fake_payengine`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_payengine)


@pytest.fixture
def payengine(fake_payengine: FakePayEngine) -> Iterator[PayEngine]:
    """A PayEngine client talking to ``fake_payengine`` in-process, notifications on."""
    fake = fake_payengine
    with PayEngine(
        fake.merchant_id,
        fake.api_key,
        notification_url=fake.notification_url,
        **_no_wait(fake),
    ) as client:
        yield client


# -- paydirekt -------------------------------------------------------------------------------


@pytest.fixture
def fake_paydirekt() -> FakePaydirekt:
    """A fresh fake paydirekt API."""
    return FakePaydirekt()


@pytest.fixture
def fake_paydirekt_url(fake_paydirekt: FakePaydirekt) -> Iterator[str]:
    """``fake_paydirekt`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_paydirekt)


@pytest.fixture
def paydirekt(fake_paydirekt: FakePaydirekt) -> Iterator[Paydirekt]:
    """A paydirekt client talking to ``fake_paydirekt`` in-process."""
    fake = fake_paydirekt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = Paydirekt(fake.api_key, fake.api_secret, **_no_wait(fake))
    with client:
        yield client


# -- Sofort ----------------------------------------------------------------------------------


@pytest.fixture
def fake_sofort() -> FakeSofort:
    """A fresh fake Sofort (Klarna) XML API."""
    return FakeSofort()


@pytest.fixture
def fake_sofort_url(fake_sofort: FakeSofort) -> Iterator[str]:
    """``fake_sofort`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_sofort)


@pytest.fixture
def sofort(fake_sofort: FakeSofort) -> Iterator[Sofort]:
    """A Sofort client talking to ``fake_sofort`` in-process."""
    fake = fake_sofort
    with Sofort(fake.customer_id, fake.project_id, fake.api_key, **_no_wait(fake)) as client:
        yield client


# -- BillPay ---------------------------------------------------------------------------------


@pytest.fixture
def fake_billpay() -> FakeBillPay:
    """A fresh fake BillPay XML API."""
    return FakeBillPay()


@pytest.fixture
def fake_billpay_url(fake_billpay: FakeBillPay) -> Iterator[str]:
    """``fake_billpay`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_billpay)


@pytest.fixture
def billpay(fake_billpay: FakeBillPay) -> Iterator[BillPay]:
    """A BillPay client talking to ``fake_billpay`` in-process."""
    fake = fake_billpay
    with BillPay(fake.merchant_id, fake.portal_id, fake.security_key, **_no_wait(fake)) as client:
        yield client


# -- Billwerk+ Pay (Reepay) ------------------------------------------------------------------


@pytest.fixture
def fake_billwerk() -> FakeBillwerkPay:
    """A fresh fake Billwerk+ Pay API."""
    return FakeBillwerkPay()


@pytest.fixture
def fake_billwerk_url(fake_billwerk: FakeBillwerkPay) -> Iterator[str]:
    """``fake_billwerk`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    yield from _served(fake_billwerk)


@pytest.fixture
def billwerk(fake_billwerk: FakeBillwerkPay) -> Iterator[BillwerkPay]:
    """A Billwerk+ Pay client talking to ``fake_billwerk`` in-process, webhooks verified."""
    fake = fake_billwerk
    with BillwerkPay(
        fake.private_key, webhook_secret=fake.webhook_secret, **_no_wait(fake)
    ) as client:
        yield client
