"""Pay selected / pay all overdue: one checkout, one reference, allocation in payment order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import attrs
import pytest
from booking_world import T0, invoice
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.booking import (
    IntentStatus,
    Outcome,
    Portal,
    Purpose,
    overdue_documents,
    pay_overdue,
    pay_selected,
    payment_order,
)
from payportal.customers import BankAccount
from payportal.documents import Invoice, PaymentState
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.providers import Capabilities, Payment, PaymentRequest, PaymentStatus
from payportal.providers.bank_transfer import BankTransfer
from payportal.providers.paypal import PayPal
from payportal.reconciliation import Direction, StatementEntry
from payportal.references import Template, rf
from payportal.storage import StorageTransferStore
from payportal.testing import FakePayPal
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator

ACCOUNT = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH", bic="COBADEFFXXX")
TODAY = T0.date()


def m(amount: str) -> Money:
    return Money(amount, "EUR")


def documents() -> list[Invoice]:
    """Four invoices of customer 42 whose numbers do not follow their due dates: RE-1
    (50.00, due 3 March, not yet overdue on T0), RE-2 (30.00, due 20 February), RE-3 (20.00,
    due 10 February), RE-4 (10.00, due 20 February like RE-2 but issued later)."""
    dues = {1: date(2026, 3, 3), 2: date(2026, 2, 20), 3: date(2026, 2, 10), 4: date(2026, 2, 20)}
    cents = {1: 5000, 2: 3000, 3: 2000, 4: 1000}
    return [attrs.evolve(invoice(n, cents[n]), due_on=dues[n]) for n in (1, 2, 3, 4)]


class Shop:
    def __init__(self, scheme: Literal["rf"] | Template = "rf") -> None:
        self.storage = MemoryStorage()
        self.storage.migrate()
        self.fake = FakePayPal()
        self.paypal = PayPal(
            self.fake.client_id, self.fake.client_secret, transport=self.fake.transport()
        )
        self.bank = BankTransfer(
            ACCOUNT, store=StorageTransferStore(self.storage), reference_scheme=scheme
        )
        ids = iter(f"pi-{n}" for n in range(1, 100))
        self.portal = Portal(
            storage=self.storage,
            providers=[self.paypal, self.bank],
            return_url="https://shop.example/paid",
            cancel_url="https://shop.example/cancelled",
            clock=lambda: T0,
            new_id=lambda: next(ids),
        )
        account = CustomerAccount(customer_id="42", currency="EUR")
        stranger = attrs.evolve(invoice(9, 900, customer="7"), id="inv-x", number="RE-X")
        with self.storage.transaction() as tx:
            for doc in documents():
                account = account.add(OpenItem.from_document(doc))
                tx.save_document(doc, version=0)
            tx.save_document(stranger, version=0)
            tx.save_account(account, version=0)

    def states(self) -> dict[str, tuple[PaymentState, Money]]:
        with self.storage.transaction() as tx:
            return {d.value.number: (d.value.state, d.value.paid) for d in tx.documents_of("42")}

    def credit(self) -> Money:
        with self.storage.transaction() as tx:
            stored = tx.load_account("42")
        assert stored is not None
        return stored.value.credit_balance


@pytest.fixture
def shop() -> Iterator[Shop]:
    built = Shop()
    yield built
    built.paypal.close()


def statement(reference: str, amount: str, entry_id: str = "E-1") -> StatementEntry:
    return StatementEntry(
        entry_id,
        date(2026, 3, 4),
        m(amount),
        Direction.CREDIT,
        remittance_text=f"Invoices {reference} thanks",
    )


def test_payment_order_is_due_date_then_issue_date_then_number() -> None:
    docs = documents()
    assert [d.number for d in payment_order(docs)] == ["RE-3", "RE-2", "RE-4", "RE-1"]
    undated = attrs.evolve(invoice(5, 100), due_on=None, issued_on=date(2026, 2, 1))
    assert next(d.number for d in payment_order([*docs, undated])) == "RE-5"
    with pytest.raises(ValidationError, match="only invoices and reminders"):
        payment_order(["RE-1"])  # type: ignore[list-item]


def test_selected_documents_become_one_intent_in_payment_order(shop: Shop) -> None:
    checkout = pay_selected(
        shop.portal, "42", ["inv-1", "inv-3", "inv-2", "inv-3"], method="paypal"
    )
    intent = checkout.intent
    assert intent.purpose is Purpose.DOCUMENTS
    assert intent.item_keys == ("RE-3", "RE-2", "RE-1")
    assert intent.amount == m("100.00")
    assert rf.is_valid(intent.reference)
    assert shop.portal.intent(intent.id) == intent


def test_the_provider_is_sent_the_checkouts_one_reference(shop: Shop) -> None:
    seen: list[PaymentRequest] = []

    class Recording:
        name = "recording"
        capabilities = Capabilities(redirect=True)

        def create_payment(self, request: PaymentRequest) -> Payment:
            seen.append(request)
            return Payment(
                id="R-1",
                provider=self.name,
                status=PaymentStatus.CREATED,
                raw_status="new",
                amount=request.amount,
                captured=m("0.00"),
                refunded=m("0.00"),
                redirect_url="https://pay.example/R-1",
            )

    portal = Portal(
        storage=shop.storage,
        providers=[Recording()],  # type: ignore[list-item]
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        new_id=lambda: "pi-9",
    )
    checkout = pay_selected(
        portal, "42", ["inv-2", "inv-4"], method="recording", reference=lambda: "RF18539007547034"
    )
    (request,) = seen
    assert request.reference == checkout.intent.reference == "RF18539007547034"
    assert request.amount == m("40.00")


def test_a_selection_paid_by_paypal_settles_every_chosen_document_once(shop: Shop) -> None:
    checkout = pay_selected(shop.portal, "42", ["inv-4", "inv-2"], method="paypal")
    shop.fake.approve(checkout.payment.id)
    done = shop.portal.complete(checkout.intent.id)
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    again = shop.portal.complete(checkout.intent.id)
    assert [o.outcome for o in again.outcomes] == [Outcome.ALREADY_BOOKED]
    assert shop.states() == {
        "RE-1": (PaymentState.OPEN, m("0.00")),
        "RE-2": (PaymentState.PAID, m("30.00")),
        "RE-3": (PaymentState.OPEN, m("0.00")),
        "RE-4": (PaymentState.PAID, m("10.00")),
    }


def test_a_bank_transfer_carries_the_banks_reference_and_is_matched_by_it(shop: Shop) -> None:
    checkout = pay_selected(shop.portal, "42", ["inv-2", "inv-3"], method="bank_transfer")
    reference = checkout.intent.reference
    assert reference == checkout.instructions["reference"]
    assert shop.portal.intent(checkout.intent.id).reference == reference
    assert rf.is_valid(reference)
    # 25.00 of the 50.00: the earliest due document first, the next one gets the rest.
    assert [o.outcome for o in shop.portal.receive(statement(reference, "25.00"))] == [
        Outcome.BOOKED
    ]
    assert [o.outcome for o in shop.portal.receive(statement(reference, "25.00"))] == [
        Outcome.ALREADY_BOOKED
    ]
    assert shop.states()["RE-3"] == (PaymentState.PAID, m("20.00"))
    assert shop.states()["RE-2"] == (PaymentState.PARTIALLY_PAID, m("5.00"))
    # The rest, and 5.00 too much: the chosen documents are settled, the surplus is credit,
    # and nothing the customer did not choose is touched.
    shop.portal.receive(statement(reference, "30.00", "E-2"))
    assert shop.states() == {
        "RE-1": (PaymentState.OPEN, m("0.00")),
        "RE-2": (PaymentState.PAID, m("30.00")),
        "RE-3": (PaymentState.PAID, m("20.00")),
        "RE-4": (PaymentState.OPEN, m("0.00")),
    }
    assert shop.credit() == m("5.00")


def test_a_bank_with_the_merchants_template_gives_the_intent_that_reference() -> None:
    shop = Shop(Template("PAY-{order_number}", check="mod97"))
    checkout = pay_overdue(shop.portal, "42", on=TODAY, method="bank_transfer")
    reference = checkout.intent.reference
    assert reference.startswith("PAY-")
    shop.portal.receive(statement(reference, "60.00"))
    assert {n for n, (state, _) in shop.states().items() if state is PaymentState.PAID} == {
        "RE-2",
        "RE-3",
        "RE-4",
    }
    assert shop.portal.intent(checkout.intent.id).status is IntentStatus.BOOKED
    shop.paypal.close()


def test_pay_overdue_chooses_what_is_overdue_on_the_day(shop: Shop) -> None:
    overdue = overdue_documents(shop.storage, "42", on=TODAY)
    assert [d.number for d in overdue] == ["RE-3", "RE-2", "RE-4"]
    checkout = pay_overdue(shop.portal, "42", on=TODAY, method="paypal")
    assert checkout.intent.item_keys == ("RE-3", "RE-2", "RE-4")
    assert checkout.intent.amount == m("60.00")
    later = [d.number for d in overdue_documents(shop.storage, "42", on=TODAY + timedelta(2))]
    assert later == ["RE-3", "RE-2", "RE-4", "RE-1"]
    assert overdue_documents(shop.storage, "42", on=date(2026, 2, 10)) == []
    with pytest.raises(ValidationError, match="nothing overdue on 2026-02-10"):
        pay_overdue(shop.portal, "42", on=date(2026, 2, 10), method="paypal")
    with pytest.raises(ValidationError, match="must be a date"):
        overdue_documents(shop.storage, "42", on="2026-03-02")  # type: ignore[arg-type]


def test_paid_documents_are_no_longer_overdue(shop: Shop) -> None:
    checkout = pay_selected(shop.portal, "42", ["inv-3"], method="bank_transfer")
    shop.portal.receive(statement(checkout.intent.reference, "20.00"))
    assert [d.number for d in overdue_documents(shop.storage, "42", on=TODAY)] == ["RE-2", "RE-4"]


def test_pay_selected_refuses_what_it_cannot_charge(shop: Shop) -> None:
    with pytest.raises(ValidationError, match="at least one document"):
        pay_selected(shop.portal, "42", [], method="paypal")
    with pytest.raises(ValidationError, match="names no invoice") as unknown:
        pay_selected(shop.portal, "42", ["inv-1", "nope"], method="paypal")
    assert unknown.value.value == "nope"
    with pytest.raises(AccessDeniedError, match="inv-x"):
        pay_selected(shop.portal, "42", ["inv-1", "inv-x"], method="paypal")
    checkout = pay_selected(shop.portal, "42", ["inv-3"], method="bank_transfer")
    shop.portal.receive(statement(checkout.intent.reference, "20.00"))
    with pytest.raises(ValidationError, match="paid; nothing is due"):
        pay_selected(shop.portal, "42", ["inv-3", "inv-2"], method="paypal")


@settings(max_examples=40, deadline=None)
@given(
    chosen=st.lists(st.sampled_from(["inv-1", "inv-2", "inv-3", "inv-4"]), min_size=1, max_size=6),
    cents=st.integers(min_value=1, max_value=13_000),
)
def test_money_arriving_settles_chosen_documents_in_payment_order(
    chosen: list[str], cents: int
) -> None:
    shop = Shop()
    try:
        checkout = pay_selected(shop.portal, "42", chosen, method="bank_transfer")
        amount = Money.from_minor(cents, "EUR")
        shop.portal.receive(statement(checkout.intent.reference, str(amount.amount)))
        states = shop.states()
        order = list(checkout.intent.item_keys)
        paid = [states[key][1] for key in order]
        totals = {d.number: d.total for d in documents()}
        # A prefix of the payment order is settled in full, at most one document after it
        # partly, nothing later; what the chosen documents do not need is credit.
        started = [p for p in paid if p.amount > 0]
        assert paid[: len(started)] == started
        for key, got in zip(order[: len(started) - 1], paid, strict=False):
            assert got == totals[key]
        assert sum(paid, m("0.00")) + shop.credit() == amount
        untouched = set(states) - set(order)
        assert all(states[k] == (PaymentState.OPEN, m("0.00")) for k in untouched)
    finally:
        shop.paypal.close()
