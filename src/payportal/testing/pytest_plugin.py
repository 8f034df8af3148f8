"""pytest fixtures for payportal's fakes; loaded automatically through the ``pytest11``
entry point once payportal is installed.

Fixtures:

``fake_provider``
    a fresh :class:`~payportal.testing.FakeProvider`.
``async_fake_provider``
    a fresh :class:`~payportal.testing.AsyncFakeProvider`.
``fake_paypal``
    a fresh :class:`~payportal.testing.fake_paypal.FakePayPal` (in-process).
``fake_paypal_url``
    the base URL of ``fake_paypal`` served on 127.0.0.1 for the test's duration.
``paypal``
    a :class:`~payportal.providers.paypal.PayPal` client wired to ``fake_paypal`` through
    ``httpx.MockTransport``, with its webhook id set and retries that never really sleep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from payportal.providers._retry import RetryPolicy
from payportal.providers.paypal import PayPal
from payportal.testing._fake_provider import AsyncFakeProvider, FakeProvider
from payportal.testing.fake_paypal import FakePayPal

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "async_fake_provider",
    "fake_paypal",
    "fake_paypal_url",
    "fake_provider",
    "paypal",
]


@pytest.fixture
def fake_provider() -> FakeProvider:
    """A fresh in-memory provider."""
    return FakeProvider()


@pytest.fixture
def async_fake_provider() -> AsyncFakeProvider:
    """A fresh in-memory provider with coroutine methods."""
    return AsyncFakeProvider()


@pytest.fixture
def fake_paypal() -> FakePayPal:
    """A fresh fake PayPal REST API."""
    return FakePayPal()


@pytest.fixture
def fake_paypal_url(fake_paypal: FakePayPal) -> Iterator[str]:
    """``fake_paypal`` served on 127.0.0.1; the base URL to pass as ``base_url``."""
    with fake_paypal.serve() as base_url:
        yield base_url


@pytest.fixture
def paypal(fake_paypal: FakePayPal) -> Iterator[PayPal]:
    """A PayPal client talking to ``fake_paypal`` in-process."""
    with PayPal(
        fake_paypal.client_id,
        fake_paypal.client_secret,
        webhook_id=fake_paypal.webhook_id,
        transport=fake_paypal.transport(),
        retry=RetryPolicy(base_delay=0.0),
        sleep=lambda seconds: None,
    ) as client:
        yield client
