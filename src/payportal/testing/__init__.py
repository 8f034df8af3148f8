"""Test doubles and hypothesis strategies for suites that use payportal.

Payment providers, without sandbox accounts:

* :class:`FakeProvider` / :class:`AsyncFakeProvider`: an in-memory provider with scripted
  outcomes (:class:`FakeOutcome`) and signed webhooks.
* Fakes of the providers' real APIs, one module per provider, each a :class:`FakeServer`:
  usable as an ``httpx.MockTransport`` handler (``transport()``) or served on 127.0.0.1
  (``serve()``), validating requests as the provider does, with fault injection
  (:class:`FaultKind`). A fake refuses a request by raising a :class:`Refusal`
  subclass, answered with its provider's error body; it replays answers per idempotency key
  (:meth:`FakeServer.answer_once`) and takes its time from an injected clock:

  - :class:`FakePayPal` (PayPal REST, Orders v2, Payments v2, webhooks),
  - :class:`FakePayPalNVP` (PayPal NVP Express Checkout, IPN),
  - :class:`FakePayEngine` (PayEngine orders, notifications),
  - :class:`FakePaydirekt` (paydirekt checkouts, callbacks),
  - :class:`FakeSofort` (Sofort XML API, notifications),
  - :class:`FakeBillPay` (BillPay XML invoice purchase),
  - :class:`FakeBillwerkPay` (Billwerk+ Pay charges, webhooks).

  Each also lives in its own module, ``payportal.testing.fake_<provider>``.
  :data:`FAKES` lists them all, each as a :class:`FakeEntry` with the function that builds
  payportal's client for it (``entry.connect(fake, transport=fake.transport())``).

  Bank transfer needs no fake: it has no API, and
  :class:`payportal.providers.BankTransfer` keeps its payments in a ``TransferStore``.
* :class:`MemoryStorage`: an in-memory :class:`payportal.storage.Storage` for your tests,
  answering exactly as the SQLite and PostgreSQL adapters do (a property test in payportal's
  own suite holds it to that), without files or servers.
* :class:`MemoryFileStore`: an in-memory :class:`payportal.uploads.FileStore` for customer
  uploads.
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
from payportal.testing._files import MemoryFileStore
from payportal.testing._memory_storage import MemoryStorage
from payportal.testing._registry import FAKES, FakeEntry
from payportal.testing._server import FakeServer, Fault, FaultKind, Record, Refusal, Route, route
from payportal.testing.fake_billpay import FakeBillPay
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from payportal.testing.contract import ProviderContract

__all__ = [
    "FAKES",
    "AsyncFakeProvider",
    "FakeBillPay",
    "FakeBillwerkPay",
    "FakeEntry",
    "FakeOutcome",
    "FakePayEngine",
    "FakePayPal",
    "FakePayPalNVP",
    "FakePaydirekt",
    "FakeProvider",
    "FakeServer",
    "FakeSofort",
    "Fault",
    "FaultKind",
    "MemoryFileStore",
    "MemoryStorage",
    "ProviderContract",
    "Record",
    "Refusal",
    "Route",
    "route",
]


def __getattr__(name: str) -> object:
    # The contract imports pytest; only load it for suites that ask for it.
    if name == "ProviderContract":
        from payportal.testing.contract import ProviderContract  # noqa: PLC0415

        return ProviderContract
    raise AttributeError(f"module 'payportal.testing' has no attribute {name!r}")
