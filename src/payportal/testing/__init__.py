"""Test doubles and hypothesis strategies for suites that use payportal.

Payment providers, without sandbox accounts:

* :class:`FakeProvider` / :class:`AsyncFakeProvider`: an in-memory provider with scripted
  outcomes (:class:`FakeOutcome`) and signed webhooks.
* Fakes of the providers' real APIs, one module per provider, each a :class:`FakeServer`:
  usable as an ``httpx.MockTransport`` handler (``transport()``) or served on 127.0.0.1
  (``serve()``), validating requests as the provider does, with fault injection
  (:class:`FaultKind`):

  - :class:`payportal.testing.fake_paypal.FakePayPal` (PayPal REST, Orders v2, webhooks),
  - :class:`payportal.testing.fake_paypal_nvp.FakePayPalNVP` (PayPal NVP Express Checkout, IPN),
  - :class:`payportal.testing.fake_payengine.FakePayEngine` (PayEngine orders, notifications),
  - :class:`payportal.testing.fake_paydirekt.FakePaydirekt` (paydirekt checkouts, callbacks),
  - :class:`payportal.testing.fake_sofort.FakeSofort` (Sofort XML API, notifications),
  - :class:`payportal.testing.fake_billpay.FakeBillPay` (BillPay XML invoice purchase),
  - :class:`payportal.testing.fake_billwerk.FakeBillwerkPay` (Billwerk+ Pay charges, webhooks).

  Bank transfer needs no fake: it has no API, and
  :class:`payportal.providers.BankTransfer` keeps its payments in a ``TransferStore``.
* :class:`ProviderContract` (``payportal.testing.contract``): the test suite every provider
  client runs; subclass it for your own providers. Importing it needs pytest.
* The pytest plugin (``payportal.testing.pytest_plugin``, loaded automatically once
  payportal is installed) provides fixtures for all of these: ``fake_<provider>``,
  ``fake_<provider>_url`` and a ready client ``<provider>`` for each fake above, plus
  ``fake_provider`` and ``async_fake_provider``.

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
