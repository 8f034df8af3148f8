from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from payportal import Money
from payportal.exceptions import (
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    Capabilities,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
)
from payportal.testing import AsyncFakeProvider, FakeOutcome, FakeProvider
from payportal.testing.contract import ProviderContract

if TYPE_CHECKING:
    from collections.abc import Callable


def request(amount: str = "10.00") -> PaymentRequest:
    return PaymentRequest(amount=Money(amount, "EUR"), reference="INV-1")


def test_acceptance_snippet_runs_as_written() -> None:
    from payportal import Money  # noqa: PLC0415  # the snippet, verbatim
    from payportal.providers import PaymentRequest, PaymentStatus  # noqa: PLC0415
    from payportal.testing import FakeProvider  # noqa: PLC0415

    p = FakeProvider()
    pay = p.create_payment(
        PaymentRequest(
            amount=Money("10.00", "EUR"),
            reference="INV-1",
            return_url="https://shop.example/ok",
            cancel_url="https://shop.example/cancel",
        )
    )
    p.approve(pay.id)
    assert p.capture(pay.id).status is PaymentStatus.PAID
    assert p.refund(pay.id, Money("4.00", "EUR")).status is PaymentStatus.PARTIALLY_REFUNDED


class TestFakeProviderContract(ProviderContract):
    @pytest.fixture
    def provider(self) -> FakeProvider:
        return FakeProvider()

    @pytest.fixture
    def approve(self, provider: FakeProvider) -> Callable[[str], None]:
        return provider.approve

    @pytest.fixture
    def webhooks(self, provider: FakeProvider) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return provider.webhooks


class TestLimitedFakeProviderContract(TestFakeProviderContract):
    """The contract's unsupported branches, on a provider that lacks most features."""

    @pytest.fixture
    def provider(self) -> FakeProvider:
        return FakeProvider(capabilities=Capabilities(capture=True, refund=True, redirect=True))


def test_fakes_satisfy_the_protocols() -> None:
    assert isinstance(FakeProvider(), PaymentProvider)
    assert isinstance(AsyncFakeProvider(), AsyncPaymentProvider)


def test_scripted_decline_changes_nothing_and_is_used_once() -> None:
    fake = FakeProvider()
    pay = fake.create_payment(request())
    fake.approve(pay.id)
    fake.script("capture", FakeOutcome.DECLINE, FakeOutcome.FAIL)
    with pytest.raises(PaymentDeclinedError):
        fake.capture(pay.id)
    with pytest.raises(ProviderUnavailableError):
        fake.capture(pay.id)
    assert fake.get_payment(pay.id).status is PaymentStatus.AUTHORIZED
    assert fake.capture(pay.id).status is PaymentStatus.PAID


def test_slow_answer_uses_the_injected_sleep() -> None:
    slept: list[float] = []
    fake = FakeProvider(sleep=slept.append, slow_seconds=2.5)
    fake.script("create_payment", FakeOutcome.SLOW)
    fake.create_payment(request())
    assert slept == [2.5]


def test_payer_abandons() -> None:
    fake = FakeProvider()
    fake.script("create_payment", FakeOutcome.ABANDON)
    pay = fake.create_payment(request())
    assert pay.status is PaymentStatus.EXPIRED
    with pytest.raises(InvalidRequestError):
        fake.approve(pay.id)
    other = fake.create_payment(request())
    fake.abandon(other.id)
    assert fake.get_payment(other.id).status is PaymentStatus.EXPIRED


def test_script_refuses_unknown_operations() -> None:
    with pytest.raises(ValueError, match="approve"):
        FakeProvider().script("approve", FakeOutcome.DECLINE)


def test_webhooks_twice_and_out_of_order_keep_their_ids() -> None:
    fake = FakeProvider()
    pay = fake.create_payment(request())
    fake.approve(pay.id)
    fake.capture(pay.id)
    delivered = fake.webhooks(duplicate=True, reverse=True)
    events = [fake.parse_webhook(h, b) for h, b in delivered]
    assert [e.status for e in events[::2]] == [
        PaymentStatus.PAID,
        PaymentStatus.AUTHORIZED,
        PaymentStatus.CREATED,
    ]
    assert [e.id for e in events[::2]] == [e.id for e in events[1::2]]
    assert fake.webhooks() == []
    assert fake.get_payment(pay.id).status is PaymentStatus.PAID


def test_webhook_signature_is_checked() -> None:
    fake = FakeProvider(webhook_secret=b"k1")
    fake.create_payment(request())
    headers, body = fake.webhooks()[0]
    other = FakeProvider(webhook_secret=b"k2")
    with pytest.raises(WebhookVerificationError):
        other.parse_webhook(headers, body)
    with pytest.raises(WebhookVerificationError):
        fake.parse_webhook(headers, body.replace(b"payment.", b"pAyment."))
    assert fake.parse_webhook({k.lower(): v for k, v in headers.items()}, body).type
    unsigned = json.dumps({"id": "x"}).encode()
    with pytest.raises(WebhookVerificationError):
        fake.parse_webhook(fake.sign({"id": "x"})[0], unsigned + b" ")


def test_limited_capabilities_raise_unsupported() -> None:
    fake = FakeProvider(capabilities=Capabilities(capture=True, refund=True))
    pay = fake.create_payment(request())
    fake.approve(pay.id)
    with pytest.raises(UnsupportedOperationError):
        fake.cancel(pay.id)
    fake.capture(pay.id)
    with pytest.raises(UnsupportedOperationError):
        fake.refund(pay.id, Money("1.00", "EUR"))
    assert fake.refund(pay.id).status is PaymentStatus.REFUNDED


def test_calls_are_recorded() -> None:
    fake = FakeProvider()
    pay = fake.create_payment(request())
    fake.get_payment(pay.id)
    assert [name for name, _ in fake.calls] == ["create_payment", "get_payment"]


def test_async_fake_shares_the_sync_state() -> None:
    fake = AsyncFakeProvider()

    async def flow() -> PaymentStatus:
        pay = await fake.create_payment(request())
        fake.fake.approve(pay.id)
        await fake.capture(pay.id, Money("6.00", "EUR"))
        return (await fake.refund(pay.id)).status

    assert asyncio.run(flow()) is PaymentStatus.REFUNDED
    assert fake.name == "fake"


def test_plugin_fixture_is_registered(fake_provider: FakeProvider) -> None:
    assert isinstance(fake_provider, FakeProvider)
