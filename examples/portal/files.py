"""The example portal's document files: what a real app's PDF renderer and ERP supply.

payportal does not lay out documents; the app does, and hands the result to the library
through :class:`payportal.downloads.DocumentFiles`. This one draws a plain A4 page per
document with fpdf2 (the document's lines and totals, the merchant and the customer), and
gives the e-invoice data (:class:`payportal.einvoice.EInvoice`) from the merchant's master
data, so the library can offer the PDF, XRechnung and ZUGFeRD / Factur-X downloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from payportal import format_money
from payportal.documents import CreditNote, Document, Invoice, PayableDocument
from payportal.einvoice import EInvoice

if TYPE_CHECKING:
    from payportal import Money
    from payportal.customers import Company, Customer

__all__ = ["ExampleFiles"]

#: ISO codes, not symbols: fpdf2's built-in fonts cover Latin-1, which has no euro sign.
_MONEY_PATTERN = "#,##0.00 ¤¤"


class ExampleFiles:
    """A :class:`~payportal.downloads.DocumentFiles` for the example's documents.

    Args:
        company: the merchant, printed as the sender and named as the e-invoice seller.
    """

    def __init__(self, company: Company) -> None:
        self._company = company

    def pdf(self, document: Document) -> bytes:
        """One A4 page with the document's lines and totals."""
        pdf = FPDF(format="A4")
        pdf.set_title(f"{document.type.value} {document.number}")
        pdf.set_author(self._company.name)
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, _latin(self._company.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(8)
        pdf.set_font("Helvetica", style="B", size=16)
        title = f"{document.type.value.replace('_', ' ').title()} {document.number}"
        pdf.cell(0, 10, _latin(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=10)
        pdf.cell(
            0, 6, f"Date: {document.issued_on.isoformat()}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(4)
        for line in document.lines:
            net = line.net
            amount = "" if net is None else _money(net)
            pdf.cell(120, 6, _latin(f"{line.quantity} {line.unit} {line.title}".strip()))
            pdf.cell(0, 6, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if isinstance(document, PayableDocument | CreditNote):
            pdf.ln(2)
            pdf.set_font("Helvetica", style="B", size=10)
            pdf.cell(120, 6, "Total")
            pdf.cell(0, 6, _money(document.total), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())

    def einvoice(self, document: Invoice | CreditNote, buyer: Customer) -> EInvoice:
        """The EN 16931 data: the merchant sells, the customer buys."""
        return EInvoice(document=document, seller=self._company, buyer=buyer)


def _money(money: Money) -> str:
    return format_money(money, "en_IE", format=_MONEY_PATTERN)


def _latin(text: str) -> str:
    """``text`` as fpdf2's built-in fonts can draw it (Latin-1; anything else as ``?``)."""
    return text.encode("latin-1", "replace").decode("latin-1")
