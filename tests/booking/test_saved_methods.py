"""Saved payment methods through the Portal: save, list, remove, charge through ``book``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from booking_world import T0, store_world
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import Money
from payportal.booking import IntentStatus, Outcome, PendingSetup, Portal, journal
from payportal.customers import BankAccount
from payportal.documents import PaymentState
from payportal.exceptions import (
    AccessDeniedError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderUnavailableError,
    SavedMethodUnusableError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers import RetryPolicy
from payportal.providers.bank_transfer import BankTransfer
from payportal.providers.billwerk import BillwerkPay
from payportal.providers.paypal import PayPal
from payportal.testing import FakePayPal, FaultKind
from payportal.testing._memory_storage import MemoryStorage
from payportal.testing.fake_billwerk import FakeBillwerkPay

if TYPE_CHECKING:
    from payportal.providers import SavedMethod

ACCOUNT = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH", bic="COBADEFFXXX")
NO_WAIT: dict[str, Any] = {
    "retry": RetryPolicy(base_delay=0.0, max_attempts=3),
    "sleep": lambda seconds: None,
}


def m(amount: str) -> Money:
    return Money(amount, "EUR")


class Shop:
    """A portal on memory storage with Billwerk+ Pay's fake and bank transfer; customer 42
    owes inv-1 (50.00) and inv-2 (30.00)."""

    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.storage.migrate()
        self.fake = FakeBillwerkPay(sleep=lambda seconds: None)
        self.billwerk = BillwerkPay(
            self.fake.private_key, transport=self.fake.transport(), **NO_WAIT
        )
        self.portal = Portal(
            storage=self.storage,
            providers=[self.billwerk, BankTransfer(ACCOUNT)],
            return_url="https://shop.example/back",
            cancel_url="https://shop.example/cancelled",
            clock=lambda: T0,
        )
        store_world(self.storage, [5000, 3000])

    def save(self, customer: str = "42", **card: Any) -> SavedMethod:
        pending = self.portal.save_method(customer, "billwerk")
        self.fake.save_card(pending.setup.id, **card)
        return self.portal.confirm_method(customer, pending.key)

    def documents(self) -> dict[str, PaymentState]:
        with self.storage.transaction() as tx:
            return {d.value.number: d.value.state for d in tx.documents_of("42")}

    def settled(self) -> int:
        return sum(1 for invoice in self.fake.invoices.values() if invoice.state == "settled")


@pytest.fixture
def shop() -> Shop:
    return Shop()


def test_a_saved_method_is_kept_and_listed_for_its_customer_only(shop: Shop) -> None:
    pending = shop.portal.save_method("42", "billwerk")
    assert isinstance(pending, PendingSetup)
    assert pending.redirect_url.startswith("https://checkout.reepay.com/")
    (sent,) = [r for r in shop.fake.requests if r.url.path == "/v1/session/recurring"]
    accept = parse_qs(urlsplit(_json(sent)["accept_url"]).query)
    assert accept == {"method_setup": [pending.key]}
    shop.fake.save_card(pending.setup.id, last4="4444", exp_date="09-30")
    with pytest.raises(AccessDeniedError):
        shop.portal.confirm_method("43", pending.key)
    method = shop.portal.confirm_method("42", pending.key)
    assert method.display == "Visa •••• 4444, 09/30"
    assert shop.portal.saved_methods("42") == (method,)
    assert shop.portal.saved_methods("43") == ()
    with pytest.raises(ValidationError, match="setup"):
        shop.portal.confirm_method("42", pending.key)  # finished setups are forgotten


def test_confirming_before_the_customer_saved_keeps_nothing(shop: Shop) -> None:
    pending = shop.portal.save_method("42", "billwerk")
    with pytest.raises(InvalidRequestError):
        shop.portal.confirm_method("42", pending.key)
    assert shop.portal.saved_methods("42") == ()


def test_a_provider_that_saves_nothing_is_refused(shop: Shop) -> None:
    with pytest.raises(UnsupportedOperationError):
        shop.portal.save_method("42", "bank_transfer")


def test_charging_a_saved_card_books_the_chosen_invoice_once(shop: Shop) -> None:
    method = shop.save()
    done = shop.portal.charge_saved("42", method.id, documents=["inv-2"], request_id="run-1")
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    assert done.intent.status is IntentStatus.BOOKED
    assert done.intent.captured == m("30.00")
    assert done.payment is not None
    assert done.payment.captured == m("30.00")
    assert shop.documents() == {"RE-1": PaymentState.OPEN, "RE-2": PaymentState.PAID}
    again = shop.portal.charge_saved("42", method.id, documents=["inv-2"], request_id="run-1")
    assert again.intent.id == done.intent.id
    assert all(o.outcome is Outcome.ALREADY_BOOKED for o in again.outcomes)
    assert shop.settled() == 1
    assert len(list(journal(shop.storage, "42"))) == 1


def test_a_charge_whose_answer_was_lost_is_retried_by_request_id_and_books_once(
    shop: Shop,
) -> None:
    method = shop.save()
    shop.fake.inject(FaultKind.LOSE_RESPONSE, method="POST", path="/v1/charge", times=3)
    with pytest.raises(ProviderUnavailableError):
        shop.portal.charge_saved("42", method.id, amount=m("80.00"), request_id="run-2")
    assert shop.settled() == 1  # the provider charged; the portal does not know yet
    assert list(journal(shop.storage, "42")) == []
    done = shop.portal.charge_saved("42", method.id, amount=m("80.00"), request_id="run-2")
    assert shop.settled() == 1
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    assert shop.documents() == {"RE-1": PaymentState.PAID, "RE-2": PaymentState.PAID}


@pytest.mark.parametrize(
    ("break_it", "code"),
    [
        (lambda fake, method: setattr(fake.cards[method.id], "exp_date", "01-21"), "77"),
        (lambda fake, method: fake.inactivate(method.id), "42"),
    ],
    ids=["expired card", "revoked token"],
)
def test_an_unusable_method_books_nothing_and_is_marked_unusable(
    shop: Shop, break_it: Any, code: str
) -> None:
    method = shop.save()
    break_it(shop.fake, method)
    with pytest.raises(SavedMethodUnusableError) as raised:
        shop.portal.charge_saved("42", method.id, documents=["inv-1"], request_id="run-3")
    assert raised.value.code == code
    assert list(journal(shop.storage, "42")) == []
    assert shop.documents() == {"RE-1": PaymentState.OPEN, "RE-2": PaymentState.OPEN}
    (kept,) = shop.portal.saved_methods("42")
    assert kept.id == method.id
    assert not kept.usable
    requests = len(shop.fake.requests)
    with pytest.raises(SavedMethodUnusableError, match="save a new one"):
        shop.portal.charge_saved("42", method.id, documents=["inv-1"], request_id="run-4")
    assert len(shop.fake.requests) == requests  # not asked again


def test_a_declined_charge_books_nothing_and_keeps_the_method(shop: Shop) -> None:
    method = shop.save()
    shop.fake.decline_charges(method.id, "insufficient_funds")
    with pytest.raises(PaymentDeclinedError) as raised:
        shop.portal.charge_saved("42", method.id, documents=["inv-1"], request_id="run-5")
    assert not isinstance(raised.value, SavedMethodUnusableError)
    assert list(journal(shop.storage, "42")) == []
    assert shop.portal.saved_methods("42") == (method,)


def test_removing_a_method_deletes_it_at_the_provider(shop: Shop) -> None:
    first, second = shop.save(last4="1111"), shop.save(last4="2222")
    shop.portal.remove_method("42", first.id)
    assert shop.portal.saved_methods("42") == (second,)
    assert shop.fake.cards[first.id].state == "deleted"
    with pytest.raises(ValidationError, match="method_id"):
        shop.portal.remove_method("42", first.id)
    with pytest.raises(ValidationError, match="method_id"):
        shop.portal.charge_saved("43", second.id, amount=m("1.00"), request_id="r")


def test_a_charge_needs_a_request_id(shop: Shop) -> None:
    method = shop.save()
    with pytest.raises(ValidationError, match="request_id"):
        shop.portal.charge_saved("42", method.id, amount=m("1.00"), request_id="")


@settings(max_examples=25, deadline=None)
@given(lost=st.lists(st.booleans(), min_size=1, max_size=5))
def test_a_charge_retried_any_number_of_times_books_once(lost: list[bool]) -> None:
    shop = Shop()
    method = shop.save()
    for lose in lost:
        if lose:
            shop.fake.inject(FaultKind.LOSE_RESPONSE, method="POST", path="/v1/charge", times=3)
        try:
            shop.portal.charge_saved("42", method.id, amount=m("45.00"), request_id="run-9")
        except ProviderUnavailableError:
            shop.fake.clear_faults()
    shop.portal.charge_saved("42", method.id, amount=m("45.00"), request_id="run-9")
    assert shop.settled() == 1
    records = list(journal(shop.storage, "42"))
    assert len(records) == 1
    with shop.storage.transaction() as tx:
        account = tx.load_account("42")
    assert account is not None
    assert account.value.open_total == m("35.00")


def _json(request: Any) -> dict[str, Any]:
    data = json.loads(request.content)
    assert isinstance(data, dict)
    return data


def test_a_saved_paypal_wallet_is_charged_and_booked_through_the_same_path() -> None:
    storage = MemoryStorage()
    storage.migrate()
    store_world(storage, [5000, 3000])
    fake = FakePayPal(sleep=lambda seconds: None)
    portal = Portal(
        storage=storage,
        providers=[PayPal(fake.client_id, fake.client_secret, transport=fake.transport())],
        return_url="https://shop.example/back",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: T0,
    )
    pending = portal.save_method("42", "paypal")
    fake.approve_setup(pending.setup.id, email="jane@example.com")
    wallet = portal.confirm_method("42", pending.key)
    assert wallet.display == "PayPal j•••@example.com"
    assert wallet.customer != "42"  # PayPal's own customer id
    done = portal.charge_saved("42", wallet.id, documents=["inv-1", "inv-2"], request_id="r1")
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    assert done.intent.method == "saved_paypal"
    fake.revoke_token(wallet.id)
    with pytest.raises(SavedMethodUnusableError):
        portal.charge_saved("42", wallet.id, amount=m("1.00"), request_id="r2")
    assert [m.usable for m in portal.saved_methods("42")] == [False]
    assert len(list(journal(storage, "42"))) == 1


def test_a_booked_charge_retried_after_its_method_became_unusable_still_answers(
    shop: Shop,
) -> None:
    method = shop.save()
    done = shop.portal.charge_saved("42", method.id, amount=m("10.00"), request_id="run-a")
    shop.fake.inactivate(method.id)
    with pytest.raises(SavedMethodUnusableError):
        shop.portal.charge_saved("42", method.id, amount=m("10.00"), request_id="run-b")
    again = shop.portal.charge_saved("42", method.id, amount=m("10.00"), request_id="run-a")
    assert again.intent.id == done.intent.id
    assert all(o.outcome is Outcome.ALREADY_BOOKED for o in again.outcomes)
    assert len(list(journal(shop.storage, "42"))) == 1
