"""Billwerk+ Pay saved cards: the recurring session, the customer's methods, ``POST /v1/charge``."""

# The mode and stack fixtures come from saved_method_contract by import, so the test
# arguments share their names:
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

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
from payportal.exceptions import ProviderError, SavedMethodUnusableError, ValidationError
from payportal.providers import MethodKind, MethodSetup, SavedMethod
from payportal.providers.billwerk import (
    AsyncBillwerkPay,
    BillwerkPay,
    card_to_method,
    charge_handle,
)
from payportal.testing import FaultKind
from payportal.testing.fake_billwerk import FakeBillwerkPay

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import ExitStack


@pytest.fixture
def fake() -> FakeBillwerkPay:
    return FakeBillwerkPay(sleep=lambda seconds: None)


def connect(
    fake: FakeBillwerkPay, mode: str = "mock", stack: ExitStack | None = None
) -> BillwerkPay:
    def client(**options: Any) -> BillwerkPay:
        return BillwerkPay(fake.private_key, **options)

    return connect_to(fake, client, mode, stack)


def settled(fake: FakeBillwerkPay) -> int:
    return sum(1 for invoice in fake.invoices.values() if invoice.state == "settled")


class TestBillwerkSavedMethods(SavedMethodContract):
    @pytest.fixture
    def provider(self, fake: FakeBillwerkPay, mode: str, stack: ExitStack) -> BillwerkPay:
        return connect(fake, mode, stack)

    @pytest.fixture
    def complete(self, fake: FakeBillwerkPay) -> Callable[[MethodSetup], None]:
        def complete(setup: MethodSetup) -> None:
            fake.save_card(setup.id)

        return complete

    @pytest.fixture
    def expire(self, fake: FakeBillwerkPay) -> Callable[[SavedMethod], None]:
        def expire(method: SavedMethod) -> None:
            fake.cards[method.id].exp_date = "01-20"

        return expire

    @pytest.fixture
    def revoke(self, fake: FakeBillwerkPay) -> Callable[[SavedMethod], None]:
        return lambda method: fake.inactivate(method.id)

    @pytest.fixture
    def decline(self, fake: FakeBillwerkPay) -> Callable[[SavedMethod], None]:
        return lambda method: fake.decline_charges(method.id, "insufficient_funds")

    @pytest.fixture
    def lose_charge_answer(self, fake: FakeBillwerkPay) -> Callable[[], None]:
        return lambda: fake.inject(FaultKind.LOSE_RESPONSE, method="POST", path="/v1/charge")

    @pytest.fixture
    def charges(self, fake: FakeBillwerkPay) -> Callable[[], int]:
        return lambda: settled(fake)


# -- the wire ---------------------------------------------------------------------------------


def test_setup_opens_a_recurring_session_for_the_customer_handle(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    setup = billwerk.setup_method("cust-42", RETURN, CANCEL)
    (sent,) = [r for r in fake.requests if r.url.path == "/v1/session/recurring"]
    assert json.loads(sent.content) == {
        "create_customer": {"handle": "cust-42"},
        "accept_url": RETURN,
        "cancel_url": CANCEL,
    }
    assert fake.recurring_sessions == {setup.id: "cust-42"}
    assert setup.redirect_url == f"https://checkout.reepay.com/#/{setup.id}"


def test_a_customer_id_that_is_no_handle_is_refused_before_sending(fake: FakeBillwerkPay) -> None:
    with pytest.raises(ValidationError, match="customer"):
        connect(fake).setup_method("cust/42", RETURN, CANCEL)
    assert fake.requests == []


def test_the_charge_sends_the_card_as_source_and_settles(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    setup = billwerk.setup_method("cust-42", RETURN, CANCEL)
    card = fake.save_card(setup.id, card_type="mc", last4="5454", exp_date="03-31")
    method = billwerk.confirm_method(setup)
    assert method == SavedMethod(
        id=card.id,
        provider="billwerk",
        customer="cust-42",
        kind=MethodKind.CARD,
        brand="Mastercard",
        last4="5454",
        expiry="03/31",
    )
    payment = billwerk.charge_method(method, Money("20.00", "DKK"), "INV 2026/1", "req-7")
    (sent,) = [r for r in fake.requests if r.url.path == "/v1/charge"]
    body = json.loads(sent.content)
    assert body["source"] == card.id
    assert body["customer_handle"] == "cust-42"
    assert body["settle"] is True
    assert body["amount"] == 2000
    assert body["currency"] == "DKK"
    assert body["handle"] == charge_handle("INV 2026/1", "req-7") == payment.id
    assert payment.reference == "INV 2026/1"


def test_an_expired_card_turns_failed_and_is_listed_as_unusable(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    setup = billwerk.setup_method("cust-42", RETURN, CANCEL)
    fake.save_card(setup.id, exp_date="11-20")
    method = billwerk.confirm_method(setup)
    with pytest.raises(SavedMethodUnusableError) as raised:
        billwerk.charge_method(method, Money("1.00", "EUR"), "INV-1", "req-1")
    assert raised.value.code == "77"
    assert "credit_card_expired" in str(raised.value)
    (listed,) = billwerk.list_methods("cust-42")
    assert not listed.usable


def test_an_unknown_card_is_unusable(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    setup = billwerk.setup_method("cust-42", RETURN, CANCEL)
    fake.save_card(setup.id)
    method = billwerk.confirm_method(setup)
    del fake.cards[method.id]
    with pytest.raises(SavedMethodUnusableError) as raised:
        billwerk.charge_method(method, Money("1.00", "EUR"), "INV-1", "req-1")
    assert raised.value.code == "40"


def test_card_to_method_keeps_no_more_than_the_last_four_digits() -> None:
    method = card_to_method(
        {"id": "ca_1", "customer": "c", "masked_card": "457111XXXXXX0003", "card_type": "x"}
    )
    assert (method.brand, method.last4, method.expiry) == ("Card", "0003", None)
    assert "457111" not in repr(method)
    with pytest.raises(ProviderError, match="customer"):
        card_to_method({"id": "ca_1"})


def test_the_async_client_saves_and_charges(fake: FakeBillwerkPay) -> None:
    async def run() -> None:
        async with AsyncBillwerkPay(fake.private_key, transport=fake.transport()) as billwerk:
            setup = await billwerk.setup_method("cust-42", RETURN, CANCEL)
            fake.save_card(setup.id)
            method = await billwerk.confirm_method(setup)
            assert await billwerk.list_methods("cust-42") == (method,)
            payment = await billwerk.charge_method(method, Money("2.00", "EUR"), "I", "r")
            assert payment.captured == Money("2.00", "EUR")
            await billwerk.delete_method(method)
            assert await billwerk.list_methods("cust-42") == ()

    asyncio.run(run())
