"""The receipt: what the customer gets for each booked payment, top-up and refund."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Final

import attrs

from payportal import _validators as v
from payportal._money import Money

__all__ = ["NUMBER_PREFIX", "Receipt", "ReceiptKind", "SettledItem", "receipt_number"]

#: Receipt numbers are this prefix and the sequence number, six digits at least
#: (``"Q-000042"``); their own sequence, apart from invoice numbers.
NUMBER_PREFIX: Final = "Q-"


def receipt_number(sequence: int) -> str:
    """The receipt number of the ``sequence``-th receipt.

    >>> receipt_number(42)
    'Q-000042'
    """
    return f"{NUMBER_PREFIX}{sequence:06d}"


class ReceiptKind(enum.Enum):
    """What a receipt confirms."""

    PAYMENT = "payment"  # money received for documents (an overpayment goes to credit)
    TOP_UP = "top_up"  # money received for the prepaid account
    REFUND = "refund"  # money paid back to the customer


@attrs.frozen
class SettledItem:
    """What a receipt's money did on one document.

    Attributes:
        item: the open item's key (the document number).
        subject: the document, as ``"<type>:<id>"`` (empty if the item names none).
        amount: money to the document (negative on a refund: taken back from it).
    """

    item: str
    subject: str
    amount: Money


def _positive(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise v.fail(attribute, value, "must be Money more than zero")


def _balance(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise v.fail(attribute, value, "must be Money, not negative")


def _sequence(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise v.fail(attribute, value, "must be a whole number from 1")


@attrs.frozen(kw_only=True)
class Receipt:
    """A receipt, issued once per booked payment, top-up or refund.

    Attributes:
        number: the receipt's number (:func:`receipt_number` of ``sequence``).
        sequence: its place in the receipts' own number sequence.
        kind: payment, top-up or refund.
        customer_id: whose.
        issued_at: when the money moved (the booking's time).
        amount: how much money moved (always positive; a refund's is what was paid back).
        method: how (``"paypal"``, ``"card"``, ``"bank_transfer"``...).
        reference: the payment reference.
        booking_id: the booking on the account (the intent id, ``/2`` for a second capture).
        movement_key: what identifies the money movement (one receipt per movement).
        settled: what the money did on each document.
        credit_left: the customer's credit balance after the booking.
        prepaid_left: the customer's prepaid balance after the booking.
    """

    number: str = attrs.field(validator=v.non_empty_str)
    sequence: int = attrs.field(validator=_sequence)
    kind: ReceiptKind = attrs.field(validator=v.instance_of(ReceiptKind, "a ReceiptKind"))
    customer_id: str = attrs.field(validator=v.non_empty_str)
    issued_at: datetime = attrs.field(validator=v.aware_datetime)
    amount: Money = attrs.field(validator=_positive)
    method: str = attrs.field(validator=v.non_empty_str)
    reference: str = attrs.field(validator=v.optional_str)
    booking_id: str = attrs.field(validator=v.non_empty_str)
    movement_key: str = attrs.field(validator=v.non_empty_str)
    settled: tuple[SettledItem, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(SettledItem, "a SettledItem")
    )
    credit_left: Money = attrs.field(validator=_balance)
    prepaid_left: Money = attrs.field(validator=_balance)

    @property
    def issued_on(self) -> date:
        """The day of :attr:`issued_at`."""
        return self.issued_at.date()
