from __future__ import annotations

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
    "AsyncPayPalNVP",
    "AsyncPaydirekt",
    "AsyncPaymentProvider",
    "AsyncSofort",
    "BankTransfer",
    "BillPay",
    "BillwerkPay",
    "Capabilities",
    "HTTPOptions",
    "HTTPProvider",
    "Operation",
    "PayEngine",
    "PayPalNVP",
    "Paydirekt",
    "Payment",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentStatus",
    "Refund",
    "RetryPolicy",
    "Sofort",
    "SyncDriver",
    "TokenCache",
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
    "FakeOutcome",
    "FakeProvider",
    "FakeServer",
    "Fault",
    "FaultKind",
    "ProviderContract",
}


def test_provider_names_are_pinned() -> None:
    assert set(payportal.providers.__all__) == PROVIDERS
    for name in PROVIDERS:
        assert hasattr(payportal.providers, name), name


def test_testing_names_are_pinned() -> None:
    assert set(payportal.testing.__all__) == TESTING
    for name in TESTING:
        assert getattr(payportal.testing, name) is not None, name
