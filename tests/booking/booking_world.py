"""A customer with invoices and the open items of those invoices, for the booking tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from payportal import Money
from payportal.accounts import Component, ComponentKind, CustomerAccount, OpenItem
from payportal.allocation import OverpaymentPolicy, Strategy
from payportal.booking import EventKind, PaymentEvent, PaymentIntent, Purpose, save_intent
from payportal.documents import Document, Invoice, LineItem, RemindedInvoice, Reminder
from payportal.storage import PostgresStorage, SQLiteStorage

if TYPE_CHECKING:
    from payportal.storage import Storage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def invoice(number: int, cents: int, *, customer: str = "42") -> Invoice:
    return Invoice(
        id=f"inv-{number}",
        number=f"RE-{number}",
        customer_id=customer,
        issued_on=date(2026, 2, 1) + timedelta(days=number),
        due_on=date(2026, 2, 15) + timedelta(days=number),
        lines=[
            LineItem(
                title="Service",
                quantity=1,
                unit_price=Money.from_minor(cents, "EUR"),
                tax_rate=Decimal(0),
            )
        ],
    )


def world(cents: list[int], *, customer: str = "42") -> tuple[CustomerAccount, list[Invoice]]:
    invoices = [invoice(n + 1, c, customer=customer) for n, c in enumerate(cents)]
    account = CustomerAccount(customer_id=customer, currency="EUR")
    for doc in invoices:
        account = account.add(OpenItem.from_document(doc))
    return account, invoices


def intent(
    purpose: Purpose = Purpose.AMOUNT,
    cents: int = 10_000,
    *,
    keys: tuple[str, ...] = (),
    method: str = "paypal",
    strategy: Strategy = Strategy.OLDEST_FIRST,
    overpayment: OverpaymentPolicy = OverpaymentPolicy.CREDIT_BALANCE,
    intent_id: str = "pi-1",
    customer: str = "42",
    payment_id: str | None = None,
    provider: str = "paypal",
) -> PaymentIntent:
    return PaymentIntent(
        id=intent_id,
        customer_id=customer,
        amount=Money.from_minor(cents, "EUR"),
        purpose=purpose,
        item_keys=keys,
        strategy=strategy,
        overpayment=overpayment,
        reference=f"REF-{intent_id}",
        provider=provider,
        method=method,
        created_at=T0,
        payment_id=payment_id,
    )


def event(
    kind: EventKind,
    cents: int | None,
    key: str,
    *,
    captured_total: int | None = None,
    refunded_total: int | None = None,
    intent_id: str | None = "pi-1",
    at: datetime = T0,
    payment_id: str = "ORDER-1",
) -> PaymentEvent:
    def money(units: int | None) -> Money | None:
        return None if units is None else Money.from_minor(units, "EUR")

    return PaymentEvent(
        kind=kind,
        provider="paypal",
        provider_payment_id=payment_id,
        movement_key=key,
        occurred_at=at,
        event_id=f"WH-{key}",
        intent_id=intent_id,
        amount=money(cents),
        captured_total=money(captured_total),
        refunded_total=money(refunded_total),
    )


def store_world(storage: Storage, cents: list[int], *intents: PaymentIntent) -> None:
    """Store the account and invoices of :func:`world` and ``intents``."""
    account, invoices = world(cents)
    with storage.transaction() as tx:
        tx.save_account(account, version=0)
        for doc in invoices:
            tx.save_document(doc, version=0)
        for chosen in intents:
            save_intent(tx, chosen)


def open_storage(kind: str, where: str) -> Storage:
    """A storage on the database ``where`` (a SQLite file or a PostgreSQL conninfo)."""
    if kind == "sqlite-file":
        return SQLiteStorage(where)
    return PostgresStorage(where, max_size=2)


def reminded_world(*, legacy: bool = False) -> tuple[CustomerAccount, list[Document]]:
    """Invoices of 60.00 and 40.00 reminded of with a fee of 5.00.

    The account holds the invoices' items and the reminder's (its fee of 5.00, naming the
    invoices in ``reminds``). With ``legacy``, it holds what payportal stored before
    reminders became demands: only the reminder's item, with costs 5.00 and the invoices'
    principal of 100.00.
    """
    account, invoices = world([6000, 4000])
    reminder = Reminder(
        id="rem-1",
        number="MA-1",
        customer_id="42",
        issued_on=T0.date(),
        reminded=[
            RemindedInvoice(invoice_id=d.id, number=d.number, amount_open=d.total) for d in invoices
        ],
        fee=Money.from_minor(500, "EUR"),
    )
    if legacy:
        account = CustomerAccount(customer_id="42", currency="EUR").add(
            OpenItem(
                key="MA-1",
                components=[
                    Component(ComponentKind.COSTS, Money.from_minor(500, "EUR")),
                    Component(ComponentKind.PRINCIPAL, Money.from_minor(10_000, "EUR")),
                ],
                due_on=T0.date(),
                subject=reminder.subject,
                burden=1,
            )
        )
    else:
        account = account.add(OpenItem.from_document(reminder))
    return account, [*invoices, reminder]
