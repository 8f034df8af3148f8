"""The example portal's state in payportal's storage, seeded with a small merchant's demo data.

Everything the portal remembers lives in a :class:`payportal.storage.Storage` (an SQLite file
by default, the embedded default; PostgreSQL works the same): customers, documents, customer
accounts, payment intents, link versions and master-data change records. :class:`PortalStore`
adds only what the storage does not know: the merchant (the company), the portal settings and
the master-data fields customers may edit. A change is one storage transaction, so a failed
action never leaves half a change behind, and every worker process of the app sees the same
state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import attrs

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import (
    Address,
    BankAccount,
    ChangeRecord,
    Company,
    Customer,
    MasterDataChange,
    MasterDataGroup,
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
from payportal.mandates import Creditor
from payportal.portal import AccessPolicy, Action, Branding, CustomerAccess, PortalSettings
from payportal.storage import SQLiteStorage, Storage

if TYPE_CHECKING:
    import os

    from payportal.storage import Transaction

__all__ = ["PortalStore", "demo_store", "document_label"]

T = TypeVar("T")


class _Records(Mapping[str, T]):
    """A read-only view of one kind of stored record, by id; every read is a transaction."""

    def __init__(
        self,
        storage: Storage,
        load: Callable[[Transaction, str], T | None],
        ids: Callable[[Transaction], list[str]],
    ) -> None:
        self._storage = storage
        self._load = load
        self._ids = ids

    def __getitem__(self, key: str) -> T:
        with self._storage.transaction(read_only=True) as tx:
            found = self._load(tx, key) if isinstance(key, str) else None
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        with self._storage.transaction(read_only=True) as tx:
            return iter(self._ids(tx))

    def __len__(self) -> int:
        with self._storage.transaction(read_only=True) as tx:
            return len(self._ids(tx))


def _customer(tx: Transaction, customer_id: str) -> Customer | None:
    stored = tx.load_customer(customer_id)
    return None if stored is None else stored.value


def _document(tx: Transaction, document_id: str) -> Document | None:
    stored = tx.load_document(document_id)
    return None if stored is None else stored.value


def _account(tx: Transaction, customer_id: str) -> CustomerAccount | None:
    stored = tx.load_account(customer_id)
    return None if stored is None else stored.value


def _document_ids(tx: Transaction) -> list[str]:
    return [d.value.id for c in tx.account_ids() for d in tx.documents_of(c)]


@attrs.define
class PortalStore:
    """One merchant's portal: its storage, the company and the settings.

    It is also the :class:`payportal.LinkVersions` the link signer asks on every request, so
    :meth:`revoke_links` takes effect at once, in every worker.

    Attributes:
        storage: where everything is kept (migrated).
        company: the merchant.
        settings: what the portal shows and allows.
        customers: read-only view of the customers, by id.
        documents: read-only view of the documents, by id.
        accounts: read-only view of the customer accounts, by customer id.
        creditor: the merchant as SEPA direct-debit creditor, if it collects by direct
            debit (``Portal(creditor=...)``).
        return_fee: what the merchant charges for a returned direct debit
            (``Portal(return_fee=...)``).
    """

    storage: Storage
    company: Company
    settings: PortalSettings
    creditor: Creditor | None = None
    return_fee: Money | None = None
    customers: Mapping[str, Customer] = attrs.field(init=False)
    documents: Mapping[str, Document] = attrs.field(init=False)
    accounts: Mapping[str, CustomerAccount] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.customers = _Records(self.storage, _customer, lambda tx: tx.account_ids())
        self.documents = _Records(self.storage, _document, _document_ids)
        self.accounts = _Records(self.storage, _account, lambda tx: tx.account_ids())

    def current_version(self, customer_id: str) -> int:
        """The customer's link version (the :class:`payportal.LinkVersions` protocol)."""
        with self.storage.transaction(read_only=True) as tx:
            return tx.link_version(customer_id)

    def revoke_links(self, customer_id: str) -> Customer:
        """Regenerate the customer's link: every link made before stops working.

        Raises:
            KeyError: no such customer.
        """
        with self.storage.transaction() as tx:
            stored = tx.load_customer(customer_id)
            if stored is None:
                raise KeyError(customer_id)
            version = tx.revoke_links(customer_id)
            customer = attrs.evolve(stored.value, link_version=version)
            tx.save_customer(customer, version=stored.version)
        return customer

    def documents_of(self, customer_id: str) -> list[Document]:
        """The customer's documents, newest first."""
        with self.storage.transaction(read_only=True) as tx:
            documents = [stored.value for stored in tx.documents_of(customer_id)]
        return sorted(documents, key=lambda d: (d.issued_on, d.number), reverse=True)

    def update_document(self, document_id: str, change: Callable[[Document], Document]) -> Document:
        """Replace a document by ``change(current)``, in one transaction.

        ``change`` sees the stored version and may raise to change nothing.

        Raises:
            KeyError: no such document.
        """
        with self.storage.transaction() as tx:
            stored = tx.load_document(document_id)
            if stored is None:
                raise KeyError(document_id)
            updated = change(stored.value)
            tx.save_document(updated, version=stored.version)
        return updated

    def change_master_data(
        self,
        customer_id: str,
        change: MasterDataChange,
        *,
        at: datetime,
        policy: AccessPolicy,
    ) -> ChangeRecord | None:
        """Apply a customer's own master-data change as ``policy`` allows it (the groups the
        portal and the customer's access make editable) and keep its record, in one
        transaction.

        Returns:
            The change record, or ``None`` when nothing changed.

        Raises:
            KeyError: no such customer.
            AccessDeniedError: the change sets a field the customer may not edit.
            ValidationError: a value is invalid.
        """
        with self.storage.transaction() as tx:
            stored = tx.load_customer(customer_id)
            if stored is None:
                raise KeyError(customer_id)
            updated, record = policy.apply_master_data_change(stored.value, change, at=at)
            if not record:
                return None
            tx.save_customer(updated, version=stored.version)
            tx.record_change(record)
        return record

    def change_records(self, customer_id: str) -> list[ChangeRecord]:
        """The customer's master-data changes, oldest first."""
        with self.storage.transaction(read_only=True) as tx:
            return tx.change_records(customer_id)


def _eur(amount: str) -> Money:
    return Money(amount, "EUR")


def demo_store(now: datetime, path: str | os.PathLike[str] = ":memory:") -> PortalStore:
    """A merchant with three customers and one of every document type, dated around ``now``.

    Erika (German, a business) sees every document type and may do everything; John (Irish)
    may pay and comment but not top up a prepaid balance; Max's portal is disabled.

    Args:
        now: the demo's "today".
        path: the SQLite file to keep the portal in (created, migrated and seeded unless it
            holds the demo portal from an earlier run already), or ``":memory:"``.
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
    storage = SQLiteStorage(path)
    storage.migrate()
    with storage.transaction() as tx:
        seeded = bool(tx.account_ids())  # a file from an earlier run keeps its state
        for customer in () if seeded else (erika, john, max_):
            tx.save_customer(customer, version=0)
            account = CustomerAccount(customer_id=customer.id, currency=customer.currency)
            for document in documents:
                if document.customer_id != customer.id:
                    continue
                tx.save_document(document, version=0)
                if isinstance(document, PayableDocument):
                    account = account.add(OpenItem.from_document(document))
            tx.save_account(account, version=0)
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
        storage=storage,
        company=company,
        # The print shop collects by SEPA direct debit (the creditor identifier is the
        # rulebook's test one) and passes its bank's fee for a return on.
        creditor=Creditor(
            name=company.name,
            iban=company.bank_accounts[0].iban,
            bic="COBADEFFXXX",
            creditor_id="DE98ZZZ09999999999",
        ),
        return_fee=_eur("3.50"),
        settings=attrs.evolve(
            settings,
            editable_master_data={MasterDataGroup.CONTACT, MasterDataGroup.BANK},
            branding=Branding(
                company_name=company.name,
                primary_color="#7a1f3d",  # the print shop's wine red
                accent_color="#0b6e4f",
                contact_email="rechnung@druckerei.example",
                contact_phone="+49 221 555 0100",
                legal_notice_url="https://druckerei.example/impressum",
            ),
        ),
    )


def document_label(kind: DocumentType) -> str:
    """A document type as people read it: ``"credit note"``."""
    return kind.value.replace("_", " ")
