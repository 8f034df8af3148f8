"""E-invoices with 50 lines: generated per second as CII and UBL, and read back.

Target (issue 24): report invoices per second for writing CII and UBL and for reading both
back, beside ``drafthorse`` generating the same invoice in the same run.

Anchor: drafthorse (the CII library pretix uses) building its own model of the same invoice
from the payportal document and writing it. Two figures are given for it: ``serialize()``,
what its users call, which also compiles the Factur-X XSD and validates against it on every
call, and ``to_etree()`` + ``tostring()``, the generation alone. payportal's ``to_cii``
includes computing the totals and every check it makes before writing, and is compared
with the generation-only anchor (the fairer, harder one).

Timing: the least CPU time (``time.process_time``) of five runs of a batch, garbage collector
off during each run; the invoice is built once, before timing.

Run with ``python bench/bench_einvoice.py`` (``--quick``: smaller batches).
"""

from __future__ import annotations

import gc
import sys
import time
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document as DrafthorseDocument
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans as DrafthorseMeans
from drafthorse.models.payment import PaymentTerms
from drafthorse.models.tradelines import LineItem as DrafthorseLine

from payportal import Address, BankAccount, Company, Customer, Money
from payportal.documents import Invoice, LineItem
from payportal.einvoice import EInvoice, SepaCreditTransfer, read_einvoice, to_cii, to_ubl

if TYPE_CHECKING:
    from collections.abc import Callable

LINES = 50


def build() -> EInvoice:
    rates = (Decimal(7), Decimal(19))
    lines = [
        LineItem(
            title=f"Item {n}",
            quantity=Decimal(n % 7 + 1),
            unit="h" if n % 2 else "",
            unit_price=Money(f"{10 + n}.{n % 100:02d}", "EUR"),
            tax_rate=rates[n % 2],
            discount=Decimal(5) if n % 10 == 0 else Decimal(0),
        )
        for n in range(LINES)
    ]
    return EInvoice(
        document=Invoice(
            id="inv-bench",
            number="RE-2026-1000",
            customer_id="c-1",
            issued_on=date(2026, 3, 1),
            due_on=date(2026, 3, 31),
            lines=lines,
        ),
        seller=Company(
            name="Muster Software GmbH",
            address=Address(
                street="Hauptstraße 1", postal_code="10115", city="Berlin", country="DE"
            ),
            email="billing@muster-software.example",
            phone="+49 30 1234567",
            vat_id="DE136695976",
            bank_accounts=[
                BankAccount(iban="DE89370400440532013000", holder="Muster Software GmbH")
            ],
        ),
        buyer=Customer(
            id="c-1",
            number="K-1",
            name="Beispiel AG",
            email="einkauf@beispiel.example",
            address=Address(
                street="Marktplatz 5", postal_code="80331", city="München", country="DE"
            ),
        ),
        payment=[SepaCreditTransfer()],
        buyer_reference="04011000-12345-34",
    )


def drafthorse_document(einvoice: EInvoice) -> DrafthorseDocument:
    """The same invoice in drafthorse's model: the caller supplies every sum."""
    invoice = einvoice.document
    doc = DrafthorseDocument()
    doc.context.guideline_parameter.id = "urn:cen.eu:en16931:2017"
    doc.header.id = invoice.number
    doc.header.type_code = "380"
    doc.header.issue_date_time = invoice.issued_on
    seller, buyer = einvoice.seller, einvoice.buyer
    doc.trade.agreement.buyer_reference = einvoice.buyer_reference
    doc.trade.agreement.seller.name = seller.name
    assert seller.address is not None
    assert buyer.address is not None
    doc.trade.agreement.seller.address.postcode = seller.address.postal_code
    doc.trade.agreement.seller.address.line_one = seller.address.street
    doc.trade.agreement.seller.address.city_name = seller.address.city
    doc.trade.agreement.seller.address.country_id = seller.address.country
    doc.trade.agreement.seller.tax_registrations.add(TaxRegistration(id=("VA", seller.vat_id)))
    doc.trade.agreement.buyer.name = buyer.display_name
    doc.trade.agreement.buyer.address.postcode = buyer.address.postal_code
    doc.trade.agreement.buyer.address.line_one = buyer.address.street
    doc.trade.agreement.buyer.address.city_name = buyer.address.city
    doc.trade.agreement.buyer.address.country_id = buyer.address.country
    doc.trade.settlement.currency_code = invoice.currency
    doc.trade.settlement.payment_reference = invoice.number
    means = DrafthorseMeans()
    means.type_code = "58"
    means.payee_account.iban = seller.bank_accounts[0].iban
    doc.trade.settlement.payment_means.add(means)
    for number, line in enumerate(invoice.lines, start=1):
        assert line.unit_price is not None
        assert line.net is not None
        item = DrafthorseLine()
        item.document.line_id = str(number)
        item.product.name = line.title
        item.agreement.net.amount = line.unit_price.amount
        item.delivery.billed_quantity = (line.quantity, "HUR" if line.unit else "C62")
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = "S"
        item.settlement.trade_tax.rate_applicable_percent = line.tax_rate
        item.settlement.monetary_summation.total_amount = line.net.amount
        doc.trade.items.add(item)
    totals = invoice.totals
    for tax in totals.taxes:
        trade_tax = ApplicableTradeTax()
        trade_tax.calculated_amount = tax.tax.amount
        trade_tax.basis_amount = tax.net.amount
        trade_tax.type_code = "VAT"
        trade_tax.category_code = "S"
        trade_tax.rate_applicable_percent = tax.rate
        doc.trade.settlement.trade_tax.add(trade_tax)
    terms = PaymentTerms()
    terms.due = invoice.due_on
    doc.trade.settlement.terms.add(terms)
    summation = doc.trade.settlement.monetary_summation
    summation.line_total = totals.net.amount
    summation.tax_basis_total = totals.net.amount
    summation.tax_total = (totals.tax.amount, invoice.currency)
    summation.grand_total = totals.gross.amount
    summation.due_amount = invoice.amount_due.amount
    return doc


def best_of(runs: int, batch: int, work: Callable[[], object]) -> float:
    """Invoices per second: ``batch`` calls of ``work``, best CPU time of ``runs`` runs."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            for _ in range(batch):
                work()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return batch / best


def main(quick: bool) -> None:
    einvoice = build()
    batch = 20 if quick else 100
    cii, ubl = to_cii(einvoice), to_ubl(einvoice)
    drafthorse_xml = drafthorse_document(einvoice).serialize(schema="FACTUR-X_EN16931")
    assert read_einvoice(cii).stated.gross == einvoice.document.total

    results = {
        "payportal to_cii": best_of(5, batch, lambda: to_cii(einvoice)),
        "payportal to_ubl": best_of(5, batch, lambda: to_ubl(einvoice)),
        "payportal read CII": best_of(5, batch, lambda: read_einvoice(cii)),
        "payportal read UBL": best_of(5, batch, lambda: read_einvoice(ubl)),
        "drafthorse build + to_etree": best_of(
            5, batch, lambda: ET.tostring(drafthorse_document(einvoice).to_etree(), "utf-8")
        ),
        "drafthorse build + serialize (XSD)": best_of(
            5,
            max(batch // 10, 2),
            lambda: drafthorse_document(einvoice).serialize(schema="FACTUR-X_EN16931"),
        ),
    }
    print(
        f"invoices with {LINES} lines (CII {len(cii)} B, UBL {len(ubl)} B, drafthorse "
        f"{len(drafthorse_xml)} B)"
    )
    for name, rate in results.items():
        print(f"  {name:38s} {rate:9.0f} invoices/s")
    anchor = results["drafthorse build + to_etree"]
    print(f"ratio to_cii / drafthorse generation: {results['payportal to_cii'] / anchor:.2f}")
    print(f"ratio to_ubl / drafthorse generation: {results['payportal to_ubl'] / anchor:.2f}")
    print(
        "ratio to_cii / drafthorse serialize():  "
        f"{results['payportal to_cii'] / results['drafthorse build + serialize (XSD)']:.2f}"
    )


if __name__ == "__main__":
    main("--quick" in sys.argv)
