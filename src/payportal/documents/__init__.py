"""Documents customers see in the portal: invoices, reminders, credit notes, offers,
delivery notes and order confirmations.

Totals are computed from the lines: line nets rounded half up, tax per rate rounded half up.

>>> from datetime import date
>>> from decimal import Decimal
>>> from payportal import Money
>>> invoice = Invoice(
...     id="inv-1", number="RE-2026-17", customer_id="42", issued_on=date(2026, 3, 1),
...     due_on=date(2026, 3, 15),
...     lines=[
...         LineItem(title="Books", quantity=2, unit_price=Money("10.00", "EUR"),
...                  tax_rate=Decimal("7")),
...         LineItem(title="Support", quantity=1, unit_price=Money("100.00", "EUR"),
...                  tax_rate=Decimal("19")),
...     ],
... )
>>> [(str(t.rate), str(t.tax)) for t in invoice.totals.taxes]
[('7', '1.40 EUR'), ('19', '19.00 EUR')]
>>> invoice.totals.gross
Money('140.40', 'EUR')
"""

from payportal.documents._comments import Comment, CommentAuthor
from payportal.documents._credit_note import CreditNote
from payportal.documents._delivery_note import DeliveryNote, OrderConfirmation
from payportal.documents._document import Document, DocumentType, PayableDocument, PaymentState
from payportal.documents._invoice import CashDiscount, Invoice
from payportal.documents._lines import LineItem, TaxLine, Totals, compute_totals
from payportal.documents._offer import Offer, OfferStatus
from payportal.documents._reminder import RemindedInvoice, Reminder

__all__ = [
    "CashDiscount",
    "Comment",
    "CommentAuthor",
    "CreditNote",
    "DeliveryNote",
    "Document",
    "DocumentType",
    "Invoice",
    "LineItem",
    "Offer",
    "OfferStatus",
    "OrderConfirmation",
    "PayableDocument",
    "PaymentState",
    "RemindedInvoice",
    "Reminder",
    "TaxLine",
    "Totals",
    "compute_totals",
]
