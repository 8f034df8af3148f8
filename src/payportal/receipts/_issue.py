"""Issuing receipts with the booking: numbered, stored and announced in the same transaction.

The booking path (:func:`payportal.booking.book` and the merchant's actions) calls
:func:`issue_receipts` in the transaction that writes the booking, after the movement's key
was marked processed: a receipt exists exactly when its booking does, a movement delivered
twice gets one receipt, and a rolled-back booking leaves no receipt and no used number
behind. The app sends receipts from the outbox (topic ``receipt.issued``), read with a
cursor, so none is lost or sent twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from payportal.exceptions import ValidationError
from payportal.receipts._model import Receipt, ReceiptKind, SettledItem, receipt_number

if TYPE_CHECKING:
    from collections.abc import Mapping

    from payportal.accounts import CustomerAccount
    from payportal.booking._decide import BookingDecision, JournalRecord
    from payportal.storage import Storage, Transaction

__all__ = [
    "RECEIPTS",
    "SEQUENCE",
    "TOPIC",
    "issue_receipts",
    "load_receipt",
    "receipt_for",
    "receipt_kind",
    "receipts_of",
    "store_receipts",
]

#: The number sequence of receipts (``Transaction.next_number``).
SEQUENCE: Final = "payportal.receipts"
#: Where a customer's receipts are kept in the storage's keyed store: ``RECEIPTS + ":" +
#: customer id``, by receipt number.
RECEIPTS: Final = "payportal.receipts"
#: The outbox topic of a new receipt.
TOPIC: Final = "receipt.issued"


def receipt_kind(record: JournalRecord) -> ReceiptKind | None:
    """What receipt the journal record ``record`` gets, or ``None`` (no money reached or
    left the customer: a chargeback, a release or rejection of a pending top-up, a credit
    note, a waived fee).

    A payment whose money all went to the prepaid account (as pending or credited) is a
    top-up; any other payment is a payment; a refund is a refund.
    """
    if record.kind == "payment_booked" and record.amount.amount > 0:
        if not record.documents and record.prepaid + record.pending == record.amount:
            return ReceiptKind.TOP_UP
        return ReceiptKind.PAYMENT
    if record.kind == "refund_booked" and record.amount.amount < 0:
        return ReceiptKind.REFUND
    return None


def receipt_for(
    record: JournalRecord, account: CustomerAccount, *, sequence: int, method: str
) -> Receipt | None:
    """The receipt of ``record`` as number ``sequence`` (pure), or ``None`` if the record
    gets none (see :func:`receipt_kind`).

    Args:
        record: a journal record of a booking.
        account: the customer's account after the booking (for the credit left).
        sequence: the receipt's number in the receipts' sequence.
        method: the payment method (the intent's ``method``, else the provider).
    """
    kind = receipt_kind(record)
    if kind is None:
        return None
    return Receipt(
        number=receipt_number(sequence),
        sequence=sequence,
        kind=kind,
        customer_id=record.customer_id,
        issued_at=record.at,
        amount=abs(record.amount),
        method=method,
        reference=record.reference,
        booking_id=record.booking_id,
        movement_key=record.movement_key,
        settled=tuple(SettledItem(d.item, d.subject, d.amount) for d in record.documents),
        credit_left=account.credit_balance,
        prepaid_left=account.prepaid.balance,
    )


def _store(customer_id: str) -> str:
    return f"{RECEIPTS}:{customer_id}"


def issue_receipts(tx: Transaction, decision: BookingDecision) -> tuple[Receipt, ...]:
    """Issue the receipts of ``decision``'s journal records in ``tx``: each takes the next
    number, is stored under its customer and announced in the outbox (``receipt.issued``).

    Call it in the transaction that writes the booking (the booking path does); if that
    transaction rolls back, so do the receipts and their numbers.

    Returns:
        The receipts issued, in the order of the journal records.
    """
    issued, messages = store_receipts(tx, decision)
    tx.publish_many(messages)
    return issued


def store_receipts(
    tx: Transaction, decision: BookingDecision
) -> tuple[tuple[Receipt, ...], list[tuple[str, Mapping[str, Any]]]]:
    """:func:`issue_receipts` but for the outbox: number and store the receipts, and
    return them with their ``receipt.issued`` messages for the caller to publish along
    with its own (the booking path publishes all of a booking's messages at once)."""
    method = decision.intent.method if decision.intent is not None else None
    issued = []
    messages: list[tuple[str, Mapping[str, Any]]] = []
    for record in decision.journal:
        if receipt_kind(record) is None:
            continue
        receipt = receipt_for(
            record,
            decision.account,
            sequence=tx.next_number(SEQUENCE),
            method=method or record.provider,
        )
        assert receipt is not None  # receipt_kind said it gets one
        tx.save_order(_store(receipt.customer_id), receipt.number, receipt)
        payload = {
            "number": receipt.number,
            "customer_id": receipt.customer_id,
            "kind": receipt.kind.value,
            "booking_id": receipt.booking_id,
            "movement_key": receipt.movement_key,
            "amount": str(receipt.amount.amount),
            "currency": receipt.amount.currency,
        }
        messages.append((TOPIC, payload))
        issued.append(receipt)
    return tuple(issued), messages


def _customer(customer_id: object) -> str:
    if not isinstance(customer_id, str) or not customer_id:
        raise ValidationError("must be a customer id", field="customer_id", value=customer_id)
    return customer_id


def receipts_of(storage: Storage, customer_id: str) -> list[Receipt]:
    """The customer's receipts, oldest first.

    Raises:
        ValidationError: ``customer_id`` is not a non-empty string.
    """
    store = _store(_customer(customer_id))
    with storage.transaction() as tx:
        found = [tx.load_order(store, number, Receipt) for number in tx.order_references(store)]
    return sorted((r for r in found if r is not None), key=lambda r: r.sequence)


def load_receipt(storage: Storage, customer_id: str, number: str) -> Receipt | None:
    """The customer's receipt ``number``, or ``None`` (also for another customer's number).

    Raises:
        ValidationError: ``customer_id`` or ``number`` is not a non-empty string.
    """
    if not isinstance(number, str) or not number:
        raise ValidationError("must be a receipt number", field="number", value=number)
    with storage.transaction() as tx:
        return tx.load_order(_store(_customer(customer_id)), number, Receipt)
