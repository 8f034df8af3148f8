"""PayPal saved wallets (Vault v3): setup token, payment token, orders paid by ``vault_id``."""

# The mode and stack fixtures come from saved_method_contract by import, so the test
# arguments share their names:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import httpx
import pytest
from saved_method_contract import (  # noqa: F401 - fixtures used by name
    CANCEL,
    RETURN,
    SavedMethodContract,
    connect_to,
    mode,
    stack,
)

from payportal import Money
from payportal.exceptions import InvalidRequestError, ProviderError
from payportal.providers import MethodKind, MethodSetup, PaymentStatus, SavedMethod
from payportal.providers.paypal import AsyncPayPal, PayPal, token_to_method
from payportal.testing import FaultKind
from payportal.testing.fake_paypal import FakePayPal

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import ExitStack


@pytest.fixture
def fake() -> FakePayPal:
    return FakePayPal(sleep=lambda seconds: None)


def connect(fake: FakePayPal, mode: str = "mock", stack: ExitStack | None = None) -> PayPal:
    return connect_to(
        fake, lambda **options: PayPal(fake.client_id, fake.client_secret, **options), mode, stack
    )


def completed_orders(fake: FakePayPal) -> int:
    return sum(1 for order in fake.orders.values() if order.status == "COMPLETED")


class TestPayPalSavedMethods(SavedMethodContract):
    @pytest.fixture
    def provider(self, fake: FakePayPal, mode: str, stack: ExitStack) -> PayPal:
        return connect(fake, mode, stack)

    @pytest.fixture
    def complete(self, fake: FakePayPal) -> Callable[[MethodSetup], None]:
        def complete(setup: MethodSetup) -> None:
            # The payer's browser follows the approve link (served by the fake itself).
            with httpx.Client(transport=fake.transport()) as browser:
                assert browser.get(setup.redirect_url).status_code == 200

        return complete

    # A saved PayPal wallet has no card expiry: the expired-card case is Billwerk+ Pay's.
    test_an_expired_card_is_unusable = None  # type: ignore[assignment]

    @pytest.fixture
    def revoke(self, fake: FakePayPal) -> Callable[[SavedMethod], None]:
        return lambda method: fake.revoke_token(method.id)

    @pytest.fixture
    def decline(self, fake: FakePayPal) -> Callable[[SavedMethod], None]:
        return lambda method: fake.decline_token(method.id)

    @pytest.fixture
    def lose_charge_answer(self, fake: FakePayPal) -> Callable[[], None]:
        return lambda: fake.inject(FaultKind.LOSE_RESPONSE, method="POST", path="/v2/checkout")

    @pytest.fixture
    def charges(self, fake: FakePayPal) -> Callable[[], int]:
        return lambda: completed_orders(fake)


def sent(fake: FakePayPal, method: str, path: str) -> list[httpx.Request]:
    return [r for r in fake.requests if r.method == method and r.url.path == path]


def test_the_setup_token_asks_for_a_merchant_vault_with_the_return_urls(fake: FakePayPal) -> None:
    paypal = connect(fake)
    setup = paypal.setup_method("42", RETURN, CANCEL)
    (request,) = sent(fake, "POST", "/v3/vault/setup-tokens")
    assert json.loads(request.content) == {
        "payment_source": {
            "paypal": {
                "usage_type": "MERCHANT",
                "experience_context": {"return_url": RETURN, "cancel_url": CANCEL},
            }
        }
    }
    assert request.headers["PayPal-Request-Id"]
    assert setup.customer == fake.setup_tokens[setup.id].customer["id"]  # PayPal's id


def test_the_payment_token_is_made_from_the_setup_token_once(fake: FakePayPal) -> None:
    paypal = connect(fake)
    setup = paypal.setup_method("42", RETURN, CANCEL)
    fake.approve_setup(setup.id, email="jane.doe@example.com")
    fake.inject(FaultKind.LOSE_RESPONSE, method="POST", path="/v3/vault/payment-tokens")
    method = paypal.confirm_method(setup)
    assert method.kind is MethodKind.PAYPAL
    assert method.display == "PayPal j•••@example.com"
    assert "jane.doe" not in repr(method)
    assert len(fake.payment_tokens) == 1
    attempts = sent(fake, "POST", "/v3/vault/payment-tokens")
    assert len(attempts) == 2
    assert json.loads(attempts[0].content) == {
        "payment_source": {"token": {"id": setup.id, "type": "SETUP_TOKEN"}}
    }
    assert attempts[0].headers["PayPal-Request-Id"] == attempts[1].headers["PayPal-Request-Id"]
    assert paypal.confirm_method(setup) == method  # confirming again saves nothing new
    assert len(fake.payment_tokens) == 1


def test_the_charge_is_an_order_paid_by_vault_id_and_captured_without_the_payer(
    fake: FakePayPal,
) -> None:
    paypal = connect(fake)
    setup = paypal.setup_method("42", RETURN, CANCEL)
    fake.approve_setup(setup.id)
    method = paypal.confirm_method(setup)
    payment = paypal.charge_method(method, Money("1000", "JPY"), "INV-9", "run-1")
    (request,) = sent(fake, "POST", "/v2/checkout/orders")
    body = json.loads(request.content)
    assert body["intent"] == "CAPTURE"
    assert body["payment_source"] == {
        "paypal": {
            "vault_id": method.id,
            "stored_credential": {"payment_initiator": "MERCHANT", "usage": "SUBSEQUENT"},
        }
    }
    assert body["purchase_units"][0]["amount"] == {"currency_code": "JPY", "value": "1000"}
    assert body["purchase_units"][0]["invoice_id"] == "INV-9"
    assert payment.status is PaymentStatus.PAID
    assert payment.reference == "INV-9"
    assert payment.redirect_url is None


def test_a_confirm_before_approval_is_refused(fake: FakePayPal) -> None:
    paypal = connect(fake)
    setup = paypal.setup_method("42", RETURN, CANCEL)
    with pytest.raises(InvalidRequestError) as raised:
        paypal.confirm_method(setup)
    assert raised.value.status_code == 422


def test_a_token_that_is_no_vault_id_is_refused_before_sending(fake: FakePayPal) -> None:
    paypal = connect(fake)
    method = SavedMethod(id="../orders", provider="paypal", customer="C", kind=MethodKind.PAYPAL)
    with pytest.raises(ProviderError, match="vault id"):
        paypal.charge_method(method, Money("1.00", "EUR"), "I", "r")
    assert fake.requests == []


def test_token_to_method_needs_an_id_and_a_customer() -> None:
    with pytest.raises(ProviderError, match="customer"):
        token_to_method({"id": "T1"})
    other = token_to_method({"id": "T1", "payment_source": {"card": {}}}, "C1")
    assert (other.kind, other.display) == (MethodKind.OTHER, "Method")


def test_the_async_client_saves_and_charges(fake: FakePayPal) -> None:
    async def run() -> None:
        async with AsyncPayPal(
            fake.client_id, fake.client_secret, transport=fake.transport()
        ) as paypal:
            setup = await paypal.setup_method("42", RETURN, CANCEL)
            fake.approve_setup(setup.id)
            method = await paypal.confirm_method(setup)
            payment = await paypal.charge_method(method, Money("2.00", "EUR"), "I", "r")
            assert payment.captured == Money("2.00", "EUR")
            await paypal.delete_method(method)
            assert await paypal.list_methods(method.customer) == ()

    asyncio.run(run())
