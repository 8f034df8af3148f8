"""Fixtures: one fully populated object of every kind templates can name."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import pytest
from method_samples import MANDATE

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import Address, BankAccount, Company, Customer
from payportal.documents import (
    CashDiscount,
    CreditNote,
    DeliveryNote,
    Document,
    Invoice,
    LineItem,
    Offer,
    OrderConfirmation,
    PayableDocument,
    RemindedInvoice,
    Reminder,
)
from payportal.placeholders import (
    Beneficiary,
    ImageFolder,
    PaymentInstructions,
    RenderContext,
)
from payportal.receipts import Receipt, ReceiptKind, SettledItem

if TYPE_CHECKING:
    from pathlib import Path


class FakeLinks:
    """A PortalLinks double: predictable URLs, a counter that shows each link is fresh."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def _url(self, kind: str, subject: str) -> str:
        self.calls.append((kind, subject))
        return f"https://portal.test/{kind}/{subject}?t={len(self.calls)}&v=1"

    def customer_url(self, customer: Customer) -> str:
        return self._url("c", customer.subject)

    def document_url(self, document: Document) -> str:
        return self._url("d", document.subject)

    def payment_url(self, document: PayableDocument) -> str:
        return self._url("p", document.subject)

    def download_url(self, document: Document) -> str:
        return self._url("pdf", document.subject)

    def einvoice_url(self, document: Document) -> str:
        return self._url("e", document.subject)


class PaymentStatus(enum.Enum):
    SUCCEEDED = "succeeded"


@attrs.frozen
class FakePayment:
    """What templates read of payportal.providers.Payment."""

    id: str
    amount: Money
    status: PaymentStatus
    reference: str
    provider: str


def _lines() -> list[LineItem]:
    return [
        LineItem(title="Book", quantity=2, unit_price=Money("39.90", "EUR"), tax_rate=7),
        LineItem(
            title="Consulting",
            quantity=Decimal("3.5"),
            unit="h",
            unit_price=Money("95.00", "EUR"),
            tax_rate=19,
        ),
    ]


ADDRESS = Address(street="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE")


@pytest.fixture
def customer() -> Customer:
    return Customer(
        id="42",
        number="K-1042",
        name="Erika Mustermann",
        company="Mustermann GmbH",
        contact_person="Erika",
        email="erika@example.org",
        phone="+49 30 123456",
        address=ADDRESS,
        bank_accounts=[BankAccount(iban="DE89370400440532013000", holder="Erika")],
        vat_id="DE136695976",
        tax_number="12/345/67890",
        locale="de_DE",
    )


@pytest.fixture
def company() -> Company:
    return Company(
        name="Beispiel AG",
        address=Address(street="Marktplatz 5", postal_code="80331", city="München", country="DE"),
        email="billing@beispiel.test",
        phone="+49 89 555",
        website="https://beispiel.test",
        logo_url="https://beispiel.test/logo.png",
        bank_accounts=[
            BankAccount(iban="DE89370400440532013000", holder="Beispiel AG", bic="COBADEFFXXX")
        ],
        vat_id="DE136695976",
        tax_number="143/100/12345",
        register_entry="HRB 12345, AG München",
    )


@pytest.fixture
def invoice() -> Invoice:
    return Invoice(
        id="inv-17",
        number="RE-2026-17",
        customer_id="42",
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 15),
        service_date=date(2026, 9, 30),
        title="September",
        lines=_lines(),
        cash_discount=CashDiscount(Decimal("2.5"), 10),
        paid=Money("81.07", "EUR"),
    )


@pytest.fixture
def documents(invoice: Invoice) -> list[Document]:
    return [
        invoice,
        Reminder(
            id="rem-3",
            number="MA-3",
            customer_id="42",
            issued_on=date(2026, 11, 1),
            due_on=date(2026, 11, 8),
            title="Zahlungserinnerung",
            reminded=[
                RemindedInvoice(
                    invoice_id="inv-17", number="RE-2026-17", amount_open=Money("400.00", "EUR")
                )
            ],
            level=2,
            fee=Money("5.00", "EUR"),
            interest=Money("1.23", "EUR"),
            paid=Money("1.00", "EUR"),
        ),
        CreditNote(
            id="cn-1",
            number="GS-1",
            customer_id="42",
            issued_on=date(2026, 10, 20),
            title="Gutschrift",
            lines=_lines(),
            invoice_id="inv-17",
            reason="Damaged goods",
        ),
        Offer(
            id="o-8",
            number="AN-8",
            customer_id="42",
            issued_on=date(2026, 9, 1),
            valid_until=date(2026, 9, 30),
            title="Angebot",
            lines=_lines(),
        ),
        DeliveryNote(
            id="dn-2",
            number="LS-2",
            customer_id="42",
            issued_on=date(2026, 9, 29),
            title="Lieferschein",
            lines=_lines(),
            delivered_on=date(2026, 9, 29),
            order_id="ord-1",
        ),
        OrderConfirmation(
            id="oc-4",
            number="AB-4",
            customer_id="42",
            issued_on=date(2026, 9, 2),
            title="Auftragsbestätigung",
            lines=_lines(),
            offer_id="o-8",
            delivery_on=date(2026, 9, 29),
        ),
    ]


@pytest.fixture
def payment() -> FakePayment:
    return FakePayment(
        id="pay-9",
        amount=Money("400.00", "EUR"),
        status=PaymentStatus.SUCCEEDED,
        reference="RF18539007547034",
        provider="paypal",
    )


@pytest.fixture
def links() -> FakeLinks:
    return FakeLinks()


@pytest.fixture
def instructions(company: Company) -> PaymentInstructions:
    account = company.bank_accounts[0]
    return PaymentInstructions(
        beneficiary=Beneficiary.from_bank_account(account, bank_name="Commerzbank")
    )


@pytest.fixture
def account() -> CustomerAccount:
    """Customer 42 owes 400.00 on RE-2026-17 and 6.23 on the reminder's charges."""
    return CustomerAccount(
        customer_id="42",
        currency="EUR",
        items=[
            OpenItem.simple("RE-2026-17", Money("400.00", "EUR"), due=date(2026, 10, 15)),
            OpenItem.simple("MA-3", Money("6.23", "EUR"), due=date(2026, 11, 8)),
        ],
    )


# A receipt, which templates get through RenderContext(extra={"Receipt": ...}).
RECEIPT = Receipt(
    number="Q-000007",
    sequence=7,
    kind=ReceiptKind.PAYMENT,
    customer_id="42",
    issued_at=datetime(2026, 10, 20, 9, tzinfo=UTC),
    amount=Money("450.00", "EUR"),
    method="card",
    reference="RF18 RE202617",
    booking_id="pi-1",
    movement_key="card:capture:1",
    settled=[SettledItem("RE-2026-17", "invoice:inv-17", Money("400.00", "EUR"))],
    credit_left=Money("50.00", "EUR"),
    prepaid_left=Money("0.00", "EUR"),
)


@pytest.fixture
def context(
    customer: Customer,
    company: Company,
    documents: list[Document],
    payment: FakePayment,
    links: FakeLinks,
    instructions: PaymentInstructions,
    account: CustomerAccount,
    tmp_path: Path,
) -> RenderContext:
    """Everything a built-in placeholder can name."""
    return RenderContext(
        customer=customer,
        documents=documents,
        company=company,
        payment=payment,
        urls=links,
        instructions=instructions,
        account=account,
        files=ImageFolder(tmp_path),
        payment_method=MANDATE,
        extra={"Receipt": RECEIPT},
    )
