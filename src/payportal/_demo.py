"""The end-to-end demo behind ``python -m payportal demo``.

It builds a small merchant's world in memory, runs it through the library and reports what
happened, as readable text or as JSON. Nothing touches the network or the disk.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import IO, Any

from payportal._money import Money, format_money
from payportal.customers import Address, Customer
from payportal.documents import (
    Document,
    Invoice,
    LineItem,
    Offer,
    PayableDocument,
    RemindedInvoice,
    Reminder,
)
from payportal.portal import AccessPolicy, PortalSettings

__all__ = ["build_report", "run"]

TODAY = date(2026, 11, 23)


def _eur(amount: str) -> Money:
    return Money(amount, "EUR")


def _documents(customer: Customer) -> list[Document]:
    invoice = Invoice(
        id="inv-17",
        number="RE-2026-17",
        customer_id=customer.id,
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 15),
        lines=[
            LineItem(
                title="Fachbuch Buchhaltung",
                quantity=2,
                unit="Stk",
                unit_price=_eur("39.90"),
                tax_rate=Decimal(7),
            ),
            LineItem(
                title="Beratung",
                quantity=Decimal("3.5"),
                unit="h",
                unit_price=_eur("95.00"),
                tax_rate=Decimal(19),
            ),
            LineItem(
                title="Versand",
                quantity=1,
                unit_price=_eur("4.90"),
                tax_rate=Decimal(19),
                discount=Decimal(100),
            ),
        ],
    )
    reminder = Reminder(
        id="rem-3",
        number="MA-2026-3",
        customer_id=customer.id,
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 11, 15),
        reminded=[
            RemindedInvoice(
                invoice_id=invoice.id,
                number=invoice.number,
                amount_open=invoice.amount_due,
                due_on=invoice.due_on,
            )
        ],
        level=1,
        fee=_eur("5.00"),
    )
    offer = Offer(
        id="off-8",
        number="AN-2026-8",
        customer_id=customer.id,
        issued_on=date(2026, 11, 10),
        valid_until=date(2026, 12, 10),
        lines=[
            LineItem(
                title="Jahreswartung",
                quantity=1,
                unit_price=_eur("1200.00"),
                tax_rate=Decimal(19),
            )
        ],
    )
    return [invoice, reminder, offer]


def build_report() -> dict[str, Any]:
    """Run the demo and return what it found, as plain data."""
    customer = Customer(
        id="42",
        number="K-1042",
        name="Erika Mustermann",
        company="Mustermann Druck GmbH",
        email="erika@mustermann.example",
        address=Address(street="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE"),
        locale="de_DE",
        currency="EUR",
    )
    policy = AccessPolicy(PortalSettings.default(), today=lambda: TODAY)
    documents = []
    for document in policy.visible(customer, _documents(customer)):
        entry: dict[str, Any] = {
            "type": document.type.value,
            "number": document.number,
            "actions": sorted(a.value for a in policy.allowed_actions(customer, document)),
        }
        if isinstance(document, PayableDocument | Offer):
            entry["total"] = format_money(document.total, customer.locale)
            entry["taxes"] = [
                {
                    "rate": f"{tax.rate} %",
                    "net": format_money(tax.net, customer.locale),
                    "tax": format_money(tax.tax, customer.locale),
                }
                for tax in document.totals.taxes
            ]
        if isinstance(document, PayableDocument):
            entry["amount_due"] = format_money(document.amount_due, customer.locale)
        documents.append(entry)
    return {
        "customer": {
            "number": customer.number,
            "name": customer.display_name,
            "locale": customer.locale,
        },
        "today": TODAY.isoformat(),
        "documents": documents,
        "account_actions": sorted(a.value for a in policy.account_actions(customer)),
    }


def _print_text(report: dict[str, Any], out: IO[str]) -> None:
    customer = report["customer"]
    out.write(f"payportal demo, {report['today']}\n\n")
    out.write(f"Customer {customer['number']}: {customer['name']} ({customer['locale']})\n")
    out.write("Documents in the portal:\n")
    for doc in report["documents"]:
        line = f"  {doc['type']:<14} {doc['number']:<12}"
        if "total" in doc:
            line += f" total {doc['total']:>14}"
        if "amount_due" in doc:
            line += f"  due {doc['amount_due']:>14}"
        out.write(line.rstrip() + "\n")
        for tax in doc.get("taxes", []):
            out.write(f"      VAT {tax['rate']:>5} on {tax['net']:>12}: {tax['tax']:>10}\n")
        out.write(f"      may: {', '.join(doc['actions'])}\n")
    out.write(f"Account actions: {', '.join(report['account_actions'])}\n")


def run(out: IO[str], *, as_json: bool = False) -> int:
    """Run the demo, write it to ``out``, and return the process exit code."""
    report = build_report()
    if as_json:
        json.dump(report, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_text(report, out)
    return 0
