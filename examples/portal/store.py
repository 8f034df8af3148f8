"""The example portal's state: an in-memory store seeded with a small merchant's demo data.

A real app keeps this in its database; the portal code only needs what :class:`PortalStore`
offers: customers (with their link version, for revocation), documents, accounts, the portal
settings and the payments in flight. Every change replaces an immutable payportal object, so a
failed action never leaves half a change behind.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem, PrepaidAccount
from payportal.customers import (
    BANK_DATA,
    CONTACT_DATA,
    Address,
    BankAccount,
    ChangeRecord,
    Company,
    Customer,
    MasterDataField,
)
from payportal.documents import (
    CreditNote,
    DeliveryNote,
    Document,
    DocumentType,
    Invoice,
    LineItem,
    Offer,
    OrderConfirmation,
    PayableDocument,
    RemindedInvoice,
    Reminder,
)
from payportal.portal import Action, CustomerAccess, PortalSettings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from payportal.booking import BookingDecision

__all__ = ["PendingPayment", "PortalStore", "demo_store"]


@attrs.frozen
class PendingPayment:
    """A payment the customer started and the provider has not confirmed yet.

    Attributes:
        payment_id: the provider's id.
        method: the key of the payment method (``"card"``, ``"paypal"``).
        customer_id: who pays.
        document_id: the document paid, or ``None`` for a prepaid top-up.
        amount: the amount asked for.
        back_url: the portal page to return the payer to (it carries their link).
        booked: whether the captured money was booked already (returns can repeat).
    """

    payment_id: str
    method: str
    customer_id: str
    document_id: str | None
    amount: Money
    back_url: str
    booked: bool = False


@attrs.define
class PortalStore:
    """Customers, documents, accounts and settings of one merchant, in memory.

    It is also the :class:`payportal.LinkVersions` the link signer asks on every request, so
    :meth:`revoke_links` takes effect at once.

    Attributes:
        company: the merchant.
        customers: by id.
        documents: by id, in the order they are listed.
        accounts: each customer's account (open items, credit, prepaid balance), by id.
        settings: what the portal shows and allows.
        editable: the master data fields customers may change themselves.
        changes: the master data changes customers made, newest last.
        payments: payments in flight, by provider payment id.
    """

    company: Company
    customers: dict[str, Customer]
    documents: dict[str, Document]
    accounts: dict[str, CustomerAccount]
    settings: PortalSettings
    editable: frozenset[MasterDataField]
    changes: list[ChangeRecord] = attrs.Factory(list)
    payments: dict[str, PendingPayment] = attrs.Factory(dict)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the store's lock: a read-check-write sequence sees no other request's writes."""
        with self._lock:
            yield

    def current_version(self, customer_id: str) -> int:
        """The customer's link version (the :class:`payportal.LinkVersions` protocol)."""
        customer = self.customers.get(customer_id)
        return 1 if customer is None else customer.link_version

    def revoke_links(self, customer_id: str) -> Customer:
        """Regenerate the customer's link: every link made before stops working.

        Raises:
            KeyError: no such customer.
        """
        with self._lock:
            customer = self.customers[customer_id]
            customer = attrs.evolve(customer, link_version=customer.link_version + 1)
            self.customers[customer_id] = customer
            return customer

    def documents_of(self, customer_id: str) -> list[Document]:
        """The customer's documents, in listing order."""
        return [d for d in self.documents.values() if d.customer_id == customer_id]

    def by_number(self, customer_id: str, number: str) -> Document | None:
        """The customer's document with this number, if any."""
        return next((d for d in self.documents_of(customer_id) if d.number == number), None)

    def save(self, document: Document) -> None:
        """Store a changed document in place of its old version."""
        with self._lock:
            self.documents[document.id] = document

    def set_prepaid(self, customer_id: str, prepaid: PrepaidAccount) -> None:
        """Replace the customer's prepaid account."""
        with self._lock:
            account = self.accounts[customer_id]
            self.accounts[customer_id] = attrs.evolve(account, prepaid=prepaid)

    def apply(self, decision: BookingDecision) -> None:
        """Keep what a booking decision changed: the account and the documents."""
        with self._lock:
            self.accounts[decision.account.customer_id] = decision.account
            for document in decision.documents:
                self.save(document)


def _eur(amount: str) -> Money:
    return Money(amount, "EUR")


def _open_item(document: PayableDocument) -> OpenItem:
    item = OpenItem.from_document(document)
    if isinstance(document, Reminder):
        # The reminded invoices keep their own items for the principal; the reminder's item
        # holds only its fee and interest, so the account does not count the debt twice.
        costs, interest, _ = item.units
        item = item.with_units((costs, interest, 0))
    return item


def demo_store(now: datetime) -> PortalStore:
    """A merchant with three customers and one of every document type, dated around ``now``.

    Erika (German, a business) sees every document type and may do everything; John (Irish)
    may pay and comment but not top up a prepaid balance; Max's portal is disabled.
    """
    today = now.date()
    company = Company(
        name="Druckerei Beispiel GmbH",
        address=Address(street="Industriestr. 7", postal_code="50667", city="Köln", country="DE"),
        email="rechnung@druckerei.example",
        bank_accounts=[
            BankAccount(
                iban="DE89370400440532013000", bic="COBADEFFXXX", holder="Druckerei Beispiel GmbH"
            )
        ],
        vat_id="DE136695976",
    )
    erika = Customer(
        id="c-42",
        number="K-1042",
        name="Erika Mustermann",
        company="Mustermann Verlag",
        email="erika@mustermann.example",
        address=Address(street="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE"),
        bank_accounts=[BankAccount(iban="DE02120300000000202051", holder="Erika Mustermann")],
        vat_id="DE 136 695 976",
        locale="de_DE",
    )
    john = Customer(
        id="c-77",
        number="K-1077",
        name="John Murphy",
        email="john@murphy.example",
        address=Address(street="12 Grafton Street", postal_code="D02", city="Dublin", country="IE"),
        locale="en_IE",
    )
    max_ = Customer(id="c-90", number="K-1090", name="Max Muster", locale="de_DE")

    books = LineItem(
        title="Fachbuch Buchhaltung",
        quantity=2,
        unit="Stk",
        unit_price=_eur("39.90"),
        tax_rate=Decimal(7),
    )
    consulting = LineItem(
        title="Satz und Beratung",
        quantity=Decimal("3.5"),
        unit="h",
        unit_price=_eur("95.00"),
        tax_rate=Decimal(19),
    )
    flyers = LineItem(
        title="Flyer A5, 5000 Stk", quantity=1, unit_price=_eur("420.00"), tax_rate=Decimal(19)
    )
    overdue = Invoice(
        id="inv-9",
        number="RE-2026-09",
        customer_id=erika.id,
        issued_on=today - timedelta(days=45),
        due_on=today - timedelta(days=31),
        lines=[flyers],
    )
    invoice = Invoice(
        id="inv-17",
        number="RE-2026-17",
        customer_id=erika.id,
        issued_on=today - timedelta(days=3),
        due_on=today + timedelta(days=11),
        lines=[books, consulting],
    )
    documents: list[Document] = [
        invoice,
        Reminder(
            id="rem-3",
            number="MA-2026-3",
            customer_id=erika.id,
            issued_on=today - timedelta(days=10),
            due_on=today + timedelta(days=4),
            reminded=[
                RemindedInvoice(
                    invoice_id=overdue.id,
                    number=overdue.number,
                    amount_open=overdue.amount_due,
                    due_on=overdue.due_on,
                )
            ],
            fee=_eur("5.00"),
        ),
        overdue,
        CreditNote(
            id="cn-2",
            number="GS-2026-2",
            customer_id=erika.id,
            issued_on=today - timedelta(days=20),
            invoice_id=overdue.id,
            reason="Fehldruck, 200 Stk",
            lines=[LineItem(title="Gutschrift Fehldruck", quantity=1, unit_price=_eur("16.80"))],
        ),
        Offer(
            id="off-5",
            number="AN-2026-5",
            customer_id=erika.id,
            issued_on=today - timedelta(days=2),
            valid_until=today + timedelta(days=28),
            lines=[
                LineItem(
                    title="Broschüre 24 Seiten, 1000 Stk",
                    quantity=1,
                    unit_price=_eur("1180.00"),
                    tax_rate=Decimal(19),
                )
            ],
        ),
        Offer(
            id="off-4",
            number="AN-2026-4",
            customer_id=erika.id,
            issued_on=today - timedelta(days=60),
            valid_until=today - timedelta(days=30),
            lines=[flyers],
        ),
        OrderConfirmation(
            id="oc-8",
            number="AB-2026-8",
            customer_id=erika.id,
            issued_on=today - timedelta(days=6),
            delivery_on=today + timedelta(days=7),
            lines=[books],
        ),
        DeliveryNote(
            id="dn-6",
            number="LS-2026-6",
            customer_id=erika.id,
            issued_on=today - timedelta(days=4),
            delivered_on=today - timedelta(days=4),
            lines=[LineItem(title="Fachbuch Buchhaltung", quantity=2, unit="Stk")],
        ),
        Invoice(
            id="inv-21",
            number="RE-2026-21",
            customer_id=john.id,
            issued_on=today - timedelta(days=1),
            due_on=today + timedelta(days=13),
            lines=[
                LineItem(
                    title="Business cards, 500",
                    quantity=1,
                    unit_price=_eur("89.00"),
                    tax_rate=Decimal(23),
                )
            ],
        ),
    ]
    customers = {c.id: c for c in (erika, john, max_)}
    accounts = {}
    for customer in customers.values():
        account = CustomerAccount(customer_id=customer.id, currency=customer.currency)
        for document in documents:
            if document.customer_id == customer.id and isinstance(document, PayableDocument):
                account = account.add(_open_item(document))
        accounts[customer.id] = account
    read_pay_decide = {
        Action.VIEW,
        Action.DOWNLOAD,
        Action.PRINT,
        Action.COMMENT,
        Action.ACCEPT,
        Action.REJECT,
        Action.PAY,
        Action.EDIT_MASTER_DATA,
    }
    settings = (
        PortalSettings.default()
        .with_override(john, CustomerAccess(actions=read_pay_decide))
        .with_override(max_, CustomerAccess.disabled())
    )
    return PortalStore(
        company=company,
        customers=customers,
        documents={d.id: d for d in documents},
        accounts=accounts,
        settings=settings,
        editable=CONTACT_DATA | BANK_DATA,
    )


def document_label(kind: DocumentType) -> str:
    """A document type as people read it: ``"credit note"``."""
    return kind.value.replace("_", " ")
