"""Receipts: one for each booked payment, top-up and refund, in the customer's language.

The booking issues them (:func:`issue_receipts`, called in the booking's own transaction):
each receipt takes the next number of its own sequence, is stored under its customer and
announced in the outbox as ``receipt.issued``, so none is lost or sent twice. Read a
customer's receipts with :func:`receipts_of`, show one with :func:`receipt_lines`, send it
with :func:`receipt_email` rendered in :func:`receipt_context` (``[Receipt.*]``
placeholders):

>>> from datetime import datetime, UTC
>>> from payportal import Money
>>> from payportal.i18n import translator_for
>>> receipt = Receipt(
...     number=receipt_number(7), sequence=7, kind=ReceiptKind.PAYMENT, customer_id="42",
...     issued_at=datetime(2026, 3, 2, 9, tzinfo=UTC), amount=Money("100.00", "EUR"),
...     method="paypal", reference="RF18 1", booking_id="pi-1",
...     movement_key="paypal:capture:CAP-1",
...     settled=[SettledItem("RE-1", "invoice:i-1", Money("80.00", "EUR"))],
...     credit_left=Money("20.00", "EUR"), prepaid_left=Money("0.00", "EUR"))
>>> lines = receipt_lines(receipt, translator_for("de_DE"))
>>> lines[:3]
[('Quittung für Ihre Zahlung', ''), ('Quittungsnummer', 'Q-000007'), ('Datum', '2. März 2026')]
>>> lines[3:]  # doctest: +NORMALIZE_WHITESPACE
[('Erhaltener Betrag', '100,00\xa0€'), ('Zahlungsart', 'paypal'),
 ('Zahlungsreferenz', 'RF18 1'), ('Beglichen: RE-1', '80,00\xa0€'),
 ('Verbleibendes Guthaben', '20,00\xa0€')]
"""

from payportal.receipts._issue import (
    RECEIPTS,
    SEQUENCE,
    TOPIC,
    issue_receipts,
    load_receipt,
    receipt_for,
    receipt_kind,
    receipts_of,
)
from payportal.receipts._model import (
    NUMBER_PREFIX,
    Receipt,
    ReceiptKind,
    SettledItem,
    receipt_number,
)
from payportal.receipts._render import (
    RECEIPT_EMAILS,
    RECEIPT_TEXTS,
    receipt_context,
    receipt_email,
    receipt_lines,
)

__all__ = [
    "NUMBER_PREFIX",
    "RECEIPTS",
    "RECEIPT_EMAILS",
    "RECEIPT_TEXTS",
    "SEQUENCE",
    "TOPIC",
    "Receipt",
    "ReceiptKind",
    "SettledItem",
    "issue_receipts",
    "load_receipt",
    "receipt_context",
    "receipt_email",
    "receipt_for",
    "receipt_kind",
    "receipt_lines",
    "receipt_number",
    "receipts_of",
]
