"""A customer with two invoices in a storage, and payment events for them (receipts tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.booking import EventKind, PaymentEvent, PaymentIntent, Purpose, save_intent
from payportal.documents import Invoice, LineItem

if TYPE_CHECKING:
    from payportal.storage import Storage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def m(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


def invoice(number: int, cents: int, customer: str = "42") -> Invoice:
    return Invoice(
        id=f"inv-{number}",
        number=f"RE-{number}",
        customer_id=customer,
        issued_on=date(2026, 2, 1) + timedelta(days=number),
        due_on=date(2026, 2, 15) + timedelta(days=number),
        lines=[LineItem(title="Service", quantity=1, unit_price=m(cents), tax_rate=Decimal(0))],
    )


def intent(
    intent_id: str = "pi-1",
    *,
    purpose: Purpose = Purpose.AMOUNT,
    method: str = "card",
    customer: str = "42",
) -> PaymentIntent:
    return PaymentIntent(
        id=intent_id,
        customer_id=customer,
        amount=m(10_000),
        purpose=purpose,
        reference=f"REF-{intent_id}",
        provider="paypal",
        method=method,
        created_at=T0,
    )


def event(
    kind: EventKind, cents: int, key: str, *, intent_id: str = "pi-1", at: datetime = T0
) -> PaymentEvent:
    return PaymentEvent(
        kind=kind,
        provider="paypal",
        provider_payment_id=f"ORDER-{intent_id}",
        movement_key=key,
        occurred_at=at,
        intent_id=intent_id,
        amount=m(cents),
    )


def store_world(
    storage: Storage,
    *intents: PaymentIntent,
    customer: str = "42",
    cents: tuple[int, ...] = (5000, 3000),
    first: int = 1,
) -> None:
    """The customer's invoices (RE-1 50.00 and RE-2 30.00 by default; numbered from
    ``first``), account and intents."""
    invoices = [invoice(n + first, c, customer) for n, c in enumerate(cents)]
    account = CustomerAccount(customer_id=customer, currency="EUR")
    for doc in invoices:
        account = account.add(OpenItem.from_document(doc))
    with storage.transaction() as tx:
        tx.save_account(account, version=0)
        for doc in invoices:
            tx.save_document(doc, version=0)
        for chosen in intents:
            save_intent(tx, chosen)
