"""Small models the storage tests store."""

from __future__ import annotations

from datetime import UTC, date, datetime

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import ChangeRecord, Customer, FieldChange
from payportal.documents import Invoice, LineItem
from payportal.providers import Payment, PaymentStatus
from payportal.storage import PaymentIntent

EUR = "EUR"
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def account(customer_id: str = "42", items: int = 1) -> CustomerAccount:
    result = CustomerAccount(customer_id=customer_id, currency=EUR)
    for n in range(items):
        result = result.add(
            OpenItem.simple(f"RE-{n}", Money("80.00", EUR), due=date(2026, 2, 1)),
            on=date(2026, 1, 1),
        )
    return result


def with_item(acct: CustomerAccount, key: str) -> CustomerAccount:
    return acct.add(
        OpenItem.simple(key, Money("1.00", EUR), due=date(2026, 2, 1)), on=date(2026, 1, 1)
    )


def invoice(document_id: str = "inv-1", customer_id: str = "42", title: str = "") -> Invoice:
    return Invoice(
        id=document_id,
        number=f"RE-{document_id}",
        customer_id=customer_id,
        issued_on=date(2026, 1, 1),
        title=title,
        lines=[LineItem(title="Hosting", quantity=1, unit_price=Money("80.00", EUR))],
    )


def payment(payment_id: str = "PAY-1", provider: str = "paypal") -> Payment:
    return Payment(
        id=payment_id,
        provider=provider,
        status=PaymentStatus.PAID,
        raw_status="COMPLETED",
        amount=Money("80.00", EUR),
        captured=Money("80.00", EUR),
        refunded=Money("0.00", EUR),
        reference="RE-1",
    )


def intent(intent_id: str = "int-1", customer_id: str = "42") -> PaymentIntent:
    return PaymentIntent(
        id=intent_id,
        customer_id=customer_id,
        amount=Money("80.00", EUR),
        provider="paypal",
        created_at=WHEN,
        item_keys=("RE-0",),
        strategy="oldest_first",
        reference="RE-1",
        metadata={"back_url": "https://portal.example/c/42"},
    )


def customer(customer_id: str = "42", name: str = "Jane Doe") -> Customer:
    return Customer(id=customer_id, number=f"K-{customer_id}", name=name, email="jane@example.com")


def change(customer_id: str = "42") -> ChangeRecord:
    return ChangeRecord(
        customer_id=customer_id,
        changes=(FieldChange("phone", "+49 1", "+49 2"),),
        at=WHEN,
    )
