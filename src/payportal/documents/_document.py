"""What every document has in common: identity, customer, lines, totals and comments."""

from __future__ import annotations

import enum
import functools
from datetime import date
from typing import Any, ClassVar, TypeVar

import attrs

from payportal import _validators as v
from payportal._money import Money, is_currency
from payportal.documents._comments import Comment
from payportal.documents._lines import LineItem, Totals, compute_totals
from payportal.exceptions import InvalidTransitionError, UnknownCurrencyError, ValidationError

__all__ = ["Document", "DocumentType", "PayableDocument", "PaymentState"]

D = TypeVar("D", bound="Document")
P = TypeVar("P", bound="PayableDocument")


class DocumentType(enum.Enum):
    """The kinds of documents a customer can find in the portal."""

    INVOICE = "invoice"
    REMINDER = "reminder"
    CREDIT_NOTE = "credit_note"
    OFFER = "offer"
    DELIVERY_NOTE = "delivery_note"
    ORDER_CONFIRMATION = "order_confirmation"

    @property
    def object_name(self) -> str:
        """The name templates use for this type: ``Invoice``, ``CreditNote``..."""
        return "".join(part.capitalize() for part in self.value.split("_"))


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not is_currency(value):
        raise UnknownCurrencyError(
            "is not a known ISO 4217 currency code", field=attribute.name, value=value
        )


_line_items = v.items_of(LineItem, "a LineItem")


def _lines(instance: Document, attribute: attrs.Attribute[Any], value: object) -> None:
    _line_items(instance, attribute, value)
    assert isinstance(value, tuple)
    for index, line in enumerate(value):
        if line.unit_price is None:
            if instance.prices_required:
                raise ValidationError(
                    f"needs a unit price on a {instance.type.value.replace('_', ' ')}",
                    field=f"lines[{index}].unit_price",
                    value=None,
                )
        elif line.unit_price.currency != instance.currency:
            raise ValidationError(
                f"must be in the document's currency {instance.currency}",
                field=f"lines[{index}].unit_price",
                value=line.unit_price,
            )


@attrs.frozen(kw_only=True)
class Document:
    """Fields and behaviour shared by every document type.

    Documents are immutable: every change (a comment, a payment, accepting an offer) returns
    a new document, so the embedding app decides when to persist.
    """

    type: ClassVar[DocumentType]
    prices_required: ClassVar[bool] = True

    id: str = attrs.field(validator=v.non_empty_str)
    number: str = attrs.field(converter=v.strip, validator=v.non_empty_str)
    customer_id: str = attrs.field(validator=v.non_empty_str)
    issued_on: date = attrs.field(validator=v.a_date)
    currency: str = attrs.field(default="EUR", validator=_currency)
    lines: tuple[LineItem, ...] = attrs.field(default=(), converter=v.to_tuple, validator=_lines)
    comments: tuple[Comment, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(Comment, "a Comment")
    )
    title: str = attrs.field(default="", validator=v.optional_str)

    @functools.cached_property
    def totals(self) -> Totals:
        """Net, tax per rate and gross totals of the priced lines."""
        return compute_totals(self.lines, self.currency)

    @property
    def subject(self) -> str:
        """What a portal link to this document opens: ``"<type>:<id>"``."""
        return f"{self.type.value}:{self.id}"

    def with_comment(self: D, comment: Comment) -> D:
        """Return a copy of this document with ``comment`` appended."""
        if not isinstance(comment, Comment):
            raise ValidationError("must be a Comment", field="comment", value=comment)
        return attrs.evolve(self, comments=(*self.comments, comment))


class PaymentState(enum.Enum):
    """Where a payable document stands."""

    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"


def _paid_default(instance: PayableDocument) -> Money:
    return Money.zero(instance.currency)


def _paid(instance: PayableDocument, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money) or value.currency != instance.currency:
        raise v.fail(attribute, value, f"must be Money in {instance.currency}")
    if value.amount < 0:
        raise v.fail(attribute, value, "must not be negative")


@attrs.frozen(kw_only=True)
class PayableDocument(Document):
    """A document that asks for money: invoices and reminders."""

    due_on: date | None = attrs.field(default=None, validator=v.optional_date)
    state: PaymentState = attrs.field(
        default=PaymentState.OPEN, validator=v.instance_of(PaymentState, "a PaymentState")
    )
    paid: Money = attrs.field(
        default=attrs.Factory(_paid_default, takes_self=True), validator=_paid
    )

    @property
    def total(self) -> Money:
        """The amount the document asks for in all."""
        return self.totals.gross

    @property
    def amount_due(self) -> Money:
        """What is still to be paid; zero once paid or cancelled."""
        if self.state is PaymentState.CANCELLED:
            return Money.zero(self.currency)
        due = self.total - self.paid
        return due if due.amount > 0 else Money.zero(self.currency)

    def is_overdue(self, on: date) -> bool:
        """Whether something is due and the due date lies before ``on``."""
        return self.due_on is not None and on > self.due_on and bool(self.amount_due)

    def record_payment(self: P, amount: Money) -> P:
        """Return a copy with ``amount`` received against it.

        Raises:
            InvalidTransitionError: the document is cancelled or already paid.
            ValidationError: ``amount`` is not positive Money in the document's currency, or
                more than is due (allocate overpayments with :mod:`payportal.allocation`).
        """
        label = f"{self.type.value.replace('_', ' ')} {self.number}"
        if self.state is PaymentState.CANCELLED:
            raise InvalidTransitionError(f"cannot pay {label}: it is cancelled")
        if self.state is PaymentState.PAID:
            raise InvalidTransitionError(f"cannot pay {label}: it is already paid")
        if not isinstance(amount, Money) or amount.currency != self.currency:
            raise ValidationError(f"must be Money in {self.currency}", field="amount", value=amount)
        if amount.amount <= 0:
            raise ValidationError("must be positive", field="amount", value=amount)
        due = self.amount_due
        if amount > due:
            raise ValidationError(
                f"is more than the {due} due on {label}; allocate overpayments with "
                "payportal.allocation",
                field="amount",
                value=amount,
            )
        paid = self.paid + amount
        state = PaymentState.PAID if amount == due else PaymentState.PARTIALLY_PAID
        return self.with_payment(paid, state)

    def with_payment(self: P, paid: Money, state: PaymentState) -> P:
        """A copy with ``paid`` and ``state`` replaced (as ``attrs.evolve`` would give).

        Only these two are checked again, by their own validators: the other fields were
        checked when this document was built, and no check of theirs reads these two. A
        booking changes three documents or more, and building each anew costs more than
        the rest of its share of the booking.

        Raises:
            ValidationError: ``state`` is not a PaymentState, or ``paid`` is not Money in
                the document's currency or negative.
        """
        document = v.copy_except(self, ("paid", "state"))
        object.__setattr__(document, "state", state)
        object.__setattr__(document, "paid", paid)
        fields = attrs.fields(type(self))
        for field in (fields.state, fields.paid):  # in __init__'s order
            assert field.validator is not None
            field.validator(document, field, getattr(document, field.name))
        return document

    def cancel(self: P) -> P:
        """Return a cancelled copy.

        Raises:
            InvalidTransitionError: money was already received (issue a credit note instead)
                or the document is already cancelled.
        """
        label = f"{self.type.value.replace('_', ' ')} {self.number}"
        if self.state is PaymentState.CANCELLED:
            raise InvalidTransitionError(f"cannot cancel {label}: it is already cancelled")
        if self.paid:
            raise InvalidTransitionError(
                f"cannot cancel {label}: {self.paid} was already paid; issue a credit note instead"
            )
        return attrs.evolve(self, state=PaymentState.CANCELLED)
