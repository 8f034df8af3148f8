from __future__ import annotations

from pathlib import Path

import payportal.providers
import payportal.testing

# Pinned on purpose: the next providers build on these names.
PROVIDERS = {
    "DEFAULT_TIMEOUT",
    "AsyncBankTransfer",
    "AsyncBillPay",
    "AsyncBillwerkPay",
    "AsyncDriver",
    "AsyncHTTPOptions",
    "AsyncHTTPProvider",
    "AsyncPayEngine",
    "AsyncPayPal",
    "AsyncPayPalNVP",
    "AsyncPaydirekt",
    "AsyncPaymentProvider",
    "AsyncSavedMethodProvider",
    "AsyncSofort",
    "BankTransfer",
    "BillPay",
    "BillwerkPay",
    "Capabilities",
    "HTTPOptions",
    "HTTPProvider",
    "InMemoryTransferStore",
    "MethodKind",
    "MethodSetup",
    "Operation",
    "PayEngine",
    "PayPal",
    "PayPalNVP",
    "Paydirekt",
    "Payment",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentStatus",
    "Refund",
    "RetryPolicy",
    "SavedMethod",
    "SavedMethodProvider",
    "Sofort",
    "SyncDriver",
    "TokenCache",
    "Transfer",
    "TransferStore",
    "WebhookEvent",
    "Wire",
    "confirm_before_resend",
    "error_for_status",
    "idempotency_key",
    "json_request",
    "parse_retry_after",
    "read_json",
    "split_options",
    "unrepeatable",
}
TESTING = {
    "AsyncFakeProvider",
    "FakeBillPay",
    "FAKES",
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
}


def test_provider_names_are_pinned() -> None:
    assert set(payportal.providers.__all__) == PROVIDERS
    for name in PROVIDERS:
        assert hasattr(payportal.providers, name), name


def test_testing_names_are_pinned() -> None:
    assert set(payportal.testing.__all__) == TESTING
    for name in TESTING:
        assert getattr(payportal.testing, name) is not None, name


def test_every_provider_client_has_its_async_twin_exported() -> None:
    clients = [
        name
        for name in PROVIDERS
        if isinstance(getattr(payportal.providers, name), type)
        and issubclass(getattr(payportal.providers, name), payportal.providers.HTTPProvider)
        and name != "HTTPProvider"
    ]
    assert len(clients) == 7  # PayPal, PayPal NVP, PayEngine, paydirekt, Sofort, BillPay, Billwerk+
    for name in [*clients, "BankTransfer"]:
        assert f"Async{name}" in PROVIDERS, name


def test_every_fake_module_is_exported_from_testing() -> None:
    fakes = sorted(
        path.stem.removeprefix("fake_")
        for path in Path(payportal.testing.__file__).parent.glob("fake_*.py")
    )
    exported = [getattr(payportal.testing, name) for name in TESTING if name.startswith("Fake")]
    modules = sorted(
        cls.__module__.removeprefix("payportal.testing.fake_")
        for cls in exported
        if cls.__module__.startswith("payportal.testing.fake_")
    )
    assert fakes == modules


def test_the_fake_registry_lists_every_fake_server() -> None:
    exported = {
        getattr(payportal.testing, name)
        for name in TESTING
        if name.startswith("Fake")
        and getattr(payportal.testing, name).__module__.startswith("payportal.testing.fake_")
    }
    registered = [entry.fake for entry in payportal.testing.FAKES]
    assert len(registered) == len(set(registered))
    assert set(registered) == exported
    for entry in payportal.testing.FAKES:
        fake = entry.fake()
        with entry.connect(fake, transport=fake.transport()) as client:
            assert client.name == entry.name
