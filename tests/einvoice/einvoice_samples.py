"""Invoices of several shapes, shared by the writer, validation and round-trip tests."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import attrs
import pypdf

from payportal import Address, BankAccount, Company, Customer, Money
from payportal.documents import CashDiscount, CreditNote, Invoice, LineItem
from payportal.einvoice import (
    CardPayment,
    EInvoice,
    OnlinePayment,
    SepaCreditTransfer,
    SepaDirectDebit,
    TaxCategory,
)

SELLER = Company(
    name="Muster Software GmbH",
    address=Address(street="Hauptstraße 1", postal_code="10115", city="Berlin", country="DE"),
    email="billing@muster-software.example",
    phone="+49 30 1234567",
    bank_accounts=[
        BankAccount(
            iban="DE89 3704 0044 0532 0130 00", holder="Muster Software GmbH", bic="COBADEFFXXX"
        )
    ],
    vat_id="DE136695976",
    tax_number="30/123/45678",
)

BUYER = Customer(
    id="c-42",
    number="K-1042",
    name="Erika Mustermann",
    company="Beispiel AG",
    email="einkauf@beispiel.example",
    address=Address(street="Marktplatz 5", postal_code="80331", city="München", country="DE"),
    vat_id="DE136695976",
    bank_accounts=[
        BankAccount(
            iban="DE02120300000000202051",
            holder="Beispiel AG",
            mandate_reference="MANDATE-2026-7",
            mandate_signed_on=date(2026, 1, 2),
        )
    ],
)


def _eur(amount: str) -> Money:
    return Money(amount, "EUR")


LINES = (
    LineItem(title="Books", quantity=2, unit_price=_eur("10.00"), tax_rate=Decimal(7)),
    LineItem(
        title="Consulting",
        quantity=Decimal("1.5"),
        unit="h",
        unit_price=_eur("120.00"),
        tax_rate=Decimal(19),
        description="On-site workshop",
    ),
    LineItem(
        title="Licence",
        quantity=3,
        unit_price=_eur("33.33"),
        tax_rate=Decimal(19),
        discount=Decimal("12.5"),
    ),
)

INVOICE = Invoice(
    id="inv-1",
    number="RE-2026-17",
    customer_id="c-42",
    issued_on=date(2026, 3, 1),
    due_on=date(2026, 3, 15),
    service_date=date(2026, 2, 27),
    lines=LINES,
)

MULTI_RATE = EInvoice(
    document=INVOICE,
    seller=SELLER,
    buyer=BUYER,
    payment=[SepaCreditTransfer(reference="RF18539007547034")],
    buyer_reference="04011000-12345-34",
    order_reference="PO-778",
)

SKONTO = attrs.evolve(
    MULTI_RATE,
    document=attrs.evolve(INVOICE, cash_discount=CashDiscount(Decimal(2), 10)),
)

PARTLY_PAID = attrs.evolve(
    MULTI_RATE,
    document=attrs.evolve(INVOICE, cash_discount=CashDiscount(Decimal(3), 14)).record_payment(
        _eur("50.00")
    ),
)

DIRECT_DEBIT = attrs.evolve(MULTI_RATE, payment=[SepaDirectDebit(creditor_id="DE98ZZZ09999999999")])

CARD = attrs.evolve(
    MULTI_RATE,
    payment=[CardPayment(last_digits="4242", holder="Erika Mustermann", network="VISA")],
    document=attrs.evolve(INVOICE, due_on=None),
)

ONLINE = attrs.evolve(MULTI_RATE, payment=[OnlinePayment(information="PayPal")])

REVERSE_CHARGE = EInvoice(
    document=Invoice(
        id="inv-2",
        number="RE-2026-18",
        customer_id="c-43",
        issued_on=date(2026, 3, 2),
        due_on=date(2026, 4, 1),
        lines=[LineItem(title="Hosting", quantity=12, unit="month", unit_price=_eur("49.90"))],
    ),
    seller=SELLER,
    buyer=attrs.evolve(
        BUYER,
        company="Voorbeeld BV",
        vat_id="NL004495445B01",
        address=Address(street="Dam 1", postal_code="1012 JS", city="Amsterdam", country="NL"),
    ),
    payment=[SepaCreditTransfer()],
    buyer_reference="PO-NL-1",
    zero_rate_category=TaxCategory.REVERSE_CHARGE,
    exemption_reason="Reverse charge",
)

ZERO_RATED = attrs.evolve(
    REVERSE_CHARGE, buyer=BUYER, zero_rate_category=TaxCategory.ZERO_RATED, exemption_reason=""
)

CREDIT_NOTE = EInvoice(
    document=CreditNote(
        id="cn-1",
        number="GS-2026-3",
        customer_id="c-42",
        issued_on=date(2026, 3, 20),
        invoice_id="RE-2026-17",
        reason="Returned one book",
        lines=[LineItem(title="Books", quantity=1, unit_price=_eur("10.00"), tax_rate=Decimal(7))],
    ),
    seller=SELLER,
    buyer=BUYER,
    payment=[SepaCreditTransfer(iban="DE02120300000000202051", account_name="Beispiel AG")],
    buyer_reference="04011000-12345-34",
)

EXEMPT = attrs.evolve(
    REVERSE_CHARGE,
    buyer=BUYER,
    zero_rate_category=TaxCategory.EXEMPT,
    exemption_reason="Exempt under § 4 Nr. 21 UStG",
    document=attrs.evolve(
        REVERSE_CHARGE.document,
        lines=[
            LineItem(title="Course", quantity=1, unit_price=_eur("450.00")),
            LineItem(title="Materials", quantity=2, unit_price=_eur("12.50"), tax_rate=19),
        ],
    ),
)

INTRA_COMMUNITY = attrs.evolve(
    REVERSE_CHARGE,
    zero_rate_category=TaxCategory.INTRA_COMMUNITY,
    exemption_reason="Intra-community supply",
    document=attrs.evolve(REVERSE_CHARGE.document, service_date=date(2026, 3, 1)),
)

EXPORT = attrs.evolve(
    REVERSE_CHARGE,
    buyer=attrs.evolve(
        BUYER,
        vat_id=None,
        address=Address(street="1 Main St", postal_code="10001", city="New York", country="US"),
    ),
    zero_rate_category=TaxCategory.EXPORT,
    exemption_reason="Export outside the EU",
)

NOT_SUBJECT = attrs.evolve(
    EXPORT,
    seller=attrs.evolve(SELLER, register_entry="HRB 12345 B, Amtsgericht Charlottenburg"),
    zero_rate_category=TaxCategory.NOT_SUBJECT,
    exemption_reason="Not subject to VAT",
)

DISCOUNT_LINE = attrs.evolve(
    MULTI_RATE,
    document=attrs.evolve(
        INVOICE,
        lines=[
            *LINES,
            LineItem(
                title="Loyalty discount",
                quantity=1,
                unit_price=_eur("-25.00"),
                tax_rate=Decimal(19),
            ),
        ],
    ),
)

TAX_NUMBER_ONLY = attrs.evolve(
    MULTI_RATE, seller=attrs.evolve(SELLER, vat_id=None, register_entry="HRB 12345 B")
)

SHAPES = {
    "multi_rate": MULTI_RATE,
    "skonto": SKONTO,
    "partly_paid": PARTLY_PAID,
    "direct_debit": DIRECT_DEBIT,
    "card": CARD,
    "online": ONLINE,
    "reverse_charge": REVERSE_CHARGE,
    "zero_rated": ZERO_RATED,
    "credit_note": CREDIT_NOTE,
    "exempt": EXEMPT,
    "intra_community": INTRA_COMMUNITY,
    "export": EXPORT,
    "not_subject": NOT_SUBJECT,
    "discount_line": DISCOUNT_LINE,
    "tax_number_only": TAX_NUMBER_ONLY,
}


def blank_pdf() -> bytes:
    """A one-page PDF standing in for the app's rendered invoice."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
