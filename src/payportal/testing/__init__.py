"""Test doubles and hypothesis strategies for suites that use payportal.

Payment providers, without sandbox accounts:

* :class:`FakeProvider` / :class:`AsyncFakeProvider`: an in-memory provider with scripted
  outcomes (:class:`FakeOutcome`) and signed webhooks.
* :class:`payportal.testing.fake_paypal.FakePayPal`: a fake of PayPal's REST API, built on
  :class:`FakeServer`, usable as an ``httpx.MockTransport`` handler or on 127.0.0.1, with
  fault injection (:class:`FaultKind`).
* :class:`ProviderContract` (``payportal.testing.contract``): the test suite every provider
  client runs; subclass it for your own providers. Importing it needs pytest.
* The pytest plugin (``payportal.testing.pytest_plugin``, loaded automatically once
  payportal is installed) provides fixtures for all of these.

Install the ``testing`` extra (``pip install "payportal[testing]"``) for
:mod:`payportal.testing.strategies`.
"""

from typing import TYPE_CHECKING

from payportal.testing._fake_provider import AsyncFakeProvider, FakeOutcome, FakeProvider
from payportal.testing._server import FakeServer, Fault, FaultKind

if TYPE_CHECKING:
    from payportal.testing.contract import ProviderContract

__all__ = [
    "AsyncFakeProvider",
    "FakeOutcome",
    "FakeProvider",
    "FakeServer",
    "Fault",
    "FaultKind",
    "ProviderContract",
]


def __getattr__(name: str) -> object:
    # The contract imports pytest; only load it for suites that ask for it.
    if name == "ProviderContract":
        from payportal.testing.contract import ProviderContract  # noqa: PLC0415

        return ProviderContract
    raise AttributeError(f"module 'payportal.testing' has no attribute {name!r}")
