"""The Portal facade: pay, come back, webhooks, bank statements, merchant decisions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from booking_world import T0, reminded_world, store_world

from payportal import Money
from payportal.booking import IntentStatus, Outcome, Portal, Purpose, review_queue
from payportal.customers import BankAccount
from payportal.documents import CreditNote, LineItem, PaymentState
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.providers import Capabilities, Payment, PaymentRequest, PaymentStatus
from payportal.providers.bank_transfer import BankTransfer
from payportal.providers.paypal import PayPal
from payportal.reconciliation import Direction, StatementEntry
from payportal.storage import StorageTransferStore
from payportal.testing import FakePayPal
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator

ACCOUNT = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH", bic="COBADEFFXXX")


def m(amount: str) -> Money:
    return Money(amount, "EUR")


class Shop:
    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.storage.migrate()
        self.fake = FakePayPal()
        self.paypal = PayPal(
            self.fake.client_id,
            self.fake.client_secret,
            webhook_id=self.fake.webhook_id,
            webhook_trust_roots=self.fake.trust_roots,
            transport=self.fake.transport(),
        )
        self.bank = BankTransfer(ACCOUNT, store=StorageTransferStore(self.storage))
        self.now = T0
        self.ids = iter(f"pi-{n}" for n in range(1, 100))
        self.portal = Portal(
            storage=self.storage,
            providers=[self.paypal, self.bank],
            return_url="https://shop.example/paid?lang=de",
            cancel_url="https://shop.example/cancelled",
            clock=lambda: self.now,
            new_id=lambda: next(self.ids),
        )

    def documents(self) -> dict[str, tuple[PaymentState, Money]]:
        with self.storage.transaction() as tx:
            return {d.value.number: (d.value.state, d.value.paid) for d in tx.documents_of("42")}

    def account(self):
        with self.storage.transaction() as tx:
            stored = tx.load_account("42")
        assert stored is not None
        return stored.value


@pytest.fixture
def shop() -> Iterator[Shop]:
    built = Shop()
    store_world(built.storage, [5000, 3000])
    yield built
    built.paypal.close()


def test_paying_chosen_invoices_with_paypal_books_once_by_return_and_webhooks(shop: Shop) -> None:
    checkout = shop.portal.pay("42", documents=["inv-2"], method="paypal")
    assert checkout.intent.purpose is Purpose.DOCUMENTS
    assert checkout.intent.item_keys == ("RE-2",)
    assert checkout.intent.amount == m("30.00")
    assert checkout.redirect_url is not None
    shop.fake.approve(checkout.payment.id)

    done = shop.portal.complete("pi-1", {"token": checkout.payment.id})
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    assert done.intent.status is IntentStatus.BOOKED
    assert shop.documents() == {
        "RE-1": (PaymentState.OPEN, m("0.00")),
        "RE-2": (PaymentState.PAID, m("30.00")),
    }
    # The webhooks of the same capture, and a reload of the return page, book nothing.
    outcomes = [
        outcome
        for headers, body in shop.fake.webhooks()
        for outcome in shop.portal.handle_webhook("paypal", headers, body)
    ]
    assert outcomes
    assert {o.outcome for o in outcomes} <= {Outcome.ALREADY_BOOKED, Outcome.NOTHING_TO_BOOK}
    again = shop.portal.complete("pi-1")
    assert [o.outcome for o in again.outcomes] == [Outcome.ALREADY_BOOKED]
    assert shop.account().open_total == m("50.00")


def test_the_return_and_cancel_urls_name_the_intent(shop: Shop) -> None:
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
        return_url="https://shop.example/paid?lang=de",
        cancel_url="https://shop.example/cancelled",
        new_id=lambda: "pi-9",
    )
    checkout = portal.pay("42", amount=m("10.00"), method="recording", reference="K-42/1")
    (request,) = seen
    assert request.return_url == "https://shop.example/paid?lang=de&intent=pi-9"
    assert request.cancel_url == "https://shop.example/cancelled?intent=pi-9"
    assert request.reference == "K-42/1"
    assert portal.intent("pi-9") == checkout.intent
    assert checkout.intent.payment_id == "R-1"


def test_a_webhook_first_then_the_return_books_once(shop: Shop) -> None:
    checkout = shop.portal.pay("42", amount=m("60.00"), method="paypal")
    shop.fake.approve(checkout.payment.id)
    shop.paypal.capture(checkout.payment.id)  # captured elsewhere (another worker)
    booked = [
        o.outcome
        for headers, body in shop.fake.webhooks()
        for o in shop.portal.handle_webhook("paypal", headers, body)
    ]
    assert booked.count(Outcome.BOOKED) == 1
    done = shop.portal.complete("pi-1")
    assert [o.outcome for o in done.outcomes] == [Outcome.ALREADY_BOOKED]
    assert shop.documents() == {
        "RE-1": (PaymentState.PAID, m("50.00")),
        "RE-2": (PaymentState.PARTIALLY_PAID, m("10.00")),
    }


def test_a_bank_transfer_top_up_waits_for_the_merchants_release(shop: Shop) -> None:
    checkout = shop.portal.pay("42", top_up=m("25.00"), method="bank_transfer")
    assert checkout.redirect_url is None
    assert checkout.instructions["iban"] == "DE89370400440532013000"
    reference = checkout.instructions["reference"]
    entry = StatementEntry(
        "E-1", date(2026, 3, 4), m("25.00"), Direction.CREDIT, remittance_text=reference
    )
    assert [o.outcome for o in shop.portal.receive(entry)] == [Outcome.BOOKED]
    assert [o.outcome for o in shop.portal.receive(entry)] == [Outcome.ALREADY_BOOKED]
    assert [o.outcome for o in shop.portal.poll("pi-1").outcomes] == [Outcome.ALREADY_BOOKED]
    assert shop.account().prepaid.pending_amount == m("25.00")
    shop.now = T0 + timedelta(days=2)
    shop.portal.release("pi-1")
    assert shop.account().prepaid.balance == m("25.00")
    assert shop.portal.intent("pi-1").status is IntentStatus.BOOKED


def test_a_statement_entry_without_a_known_reference_waits_for_review(shop: Shop) -> None:
    entry = StatementEntry(
        "E-9", date(2026, 3, 4), m("12.00"), Direction.CREDIT, remittance_text="thanks"
    )
    (outcome,) = shop.portal.receive(entry)
    assert outcome.outcome is Outcome.REVIEW
    assert [event.movement_key for event, _ in review_queue(shop.storage)] == ["bank:E-9"]


def test_pay_refuses_what_it_cannot_charge(shop: Shop) -> None:
    with pytest.raises(AccessDeniedError, match="inv-1"):
        shop.portal.pay("7", documents=["inv-1"], method="paypal")
    with pytest.raises(ValidationError, match="names no invoice"):
        shop.portal.pay("42", documents=["nope"], method="paypal")
    with pytest.raises(ValidationError, match="configured"):
        shop.portal.pay("42", amount=m("1.00"), method="card")
    with pytest.raises(ValidationError, match="when no documents"):
        shop.portal.pay("42", method="paypal")
    with pytest.raises(ValidationError, match="must come alone"):
        shop.portal.pay("42", top_up=m("1.00"), amount=m("1.00"), method="paypal")


def test_a_credit_note_is_booked_as_the_portal_says(shop: Shop) -> None:
    note = CreditNote(
        id="cn-1",
        number="GS-1",
        customer_id="42",
        issued_on=T0.date(),
        invoice_id="inv-2",
        lines=[LineItem(title="Discount", quantity=1, unit_price=m("10.00"), tax_rate=Decimal(0))],
    )
    assert shop.portal.book_credit_note(note).outcome is Outcome.BOOKED
    assert shop.documents()["RE-2"] == (PaymentState.PARTIALLY_PAID, m("10.00"))


@pytest.mark.parametrize("principal_on_invoices", [False, True])
def test_paying_a_reminder_pays_its_invoices_whichever_item_holds_the_principal(
    principal_on_invoices: bool,
) -> None:
    shop = Shop()
    # The invoices keep their items and the reminder's holds only its fee (how payportal
    # puts a reminder on an account), or the reminder's item holds the principal too (how
    # accounts were stored before).
    account, docs = reminded_world(legacy=not principal_on_invoices)
    with shop.storage.transaction() as tx:
        tx.save_account(account, version=0)
        for doc in docs:
            tx.save_document(doc, version=0)
    checkout = shop.portal.pay("42", documents=["rem-1"], method="paypal")
    assert checkout.intent.amount == m("105.00")
    shop.fake.approve(checkout.payment.id)
    shop.portal.complete(checkout.intent.id)
    states = {n: s for n, (s, _) in shop.documents().items()}
    assert states == dict.fromkeys(("MA-1", "RE-1", "RE-2"), PaymentState.PAID)
    assert shop.account().open_total == m("0.00")
    assert shop.account().credit_balance == m("0.00")
    shop.paypal.close()
