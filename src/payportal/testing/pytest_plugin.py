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
``billpay`` and ``billwerk`` (clients :class:`~payportal.providers.PayPal`,
:class:`~payportal.providers.PayPalNVP`, :class:`~payportal.providers.PayEngine`,
:class:`~payportal.providers.Paydirekt`, :class:`~payportal.providers.Sofort`,
:class:`~payportal.providers.BillPay` and :class:`~payportal.providers.BillwerkPay`).
The fixtures are made from one registry (``payportal.testing._registry.FAKES``), one entry
per provider: a new provider is a client module, a fake module and one line there.
The ``paydirekt`` client is built with its deprecation warning silenced: asking for the
fixture is the acknowledgement.

And the in-memory provider, which needs no server:

``fake_provider``
    a fresh :class:`~payportal.testing.FakeProvider`.
``async_fake_provider``
    a fresh :class:`~payportal.testing.AsyncFakeProvider`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from payportal.providers._retry import RetryPolicy
from payportal.testing._fake_provider import AsyncFakeProvider, FakeProvider
from payportal.testing._registry import FAKES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from payportal.providers._core import HTTPProvider
    from payportal.testing._registry import FakeEntry
    from payportal.testing._server import FakeServer


def _no_wait(fake: FakeServer) -> dict[str, Any]:
    """The HTTP options every client fixture shares: in-process, retries without sleeping."""
    return {
        "transport": fake.transport(),
        "retry": RetryPolicy(base_delay=0.0),
        "sleep": lambda seconds: None,
    }


@pytest.fixture
def fake_provider() -> FakeProvider:
    """A fresh in-memory provider with scripted outcomes."""
    return FakeProvider()


@pytest.fixture
def async_fake_provider() -> AsyncFakeProvider:
    """A fresh in-memory provider with coroutine methods."""
    return AsyncFakeProvider()


def _fixtures(entry: FakeEntry[Any]) -> dict[str, Callable[..., Any]]:
    """The three fixtures of one provider, by fixture name."""
    fake_name = f"fake_{entry.name}"

    def fake() -> FakeServer:
        server: FakeServer = entry.fake()
        return server

    def url(request: pytest.FixtureRequest) -> Iterator[str]:
        with request.getfixturevalue(fake_name).serve() as base_url:
            yield base_url

    def client(request: pytest.FixtureRequest) -> Iterator[HTTPProvider]:
        server: FakeServer = request.getfixturevalue(fake_name)
        with entry.connect(server, **_no_wait(server)) as connected:
            yield connected

    fake.__doc__ = f"A fresh fake {entry.summary}."
    url.__doc__ = f"``{fake_name}`` served on 127.0.0.1; the base URL to pass as ``base_url``."
    client.__doc__ = f"A {entry.name} client talking to ``{fake_name}`` in-process."
    made: dict[str, Callable[..., Any]] = {
        fake_name: fake,
        f"{fake_name}_url": url,
        entry.name: client,
    }
    for name, function in made.items():
        function.__name__ = function.__qualname__ = name
    return {name: pytest.fixture(name=name)(function) for name, function in made.items()}


for _entry in FAKES:
    globals().update(_fixtures(_entry))

__all__ = sorted(  # noqa: PLE0605  # built from the registry
    ["async_fake_provider", "fake_provider"]
    + [name for entry in FAKES for name in _fixtures(entry)]
)
