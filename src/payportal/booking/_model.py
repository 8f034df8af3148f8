"""What the booking works on: the payment intent, the normalised payment event, settings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.accounts import TopUpMethod
from payportal.allocation import OverpaymentPolicy, Strategy, Tolerance
from payportal.exceptions import ValidationError

__all__ = [
    "CreditNotePolicy",
    "EventKind",
    "IntentStatus",
    "PaymentEvent",
    "PaymentIntent",
    "Purpose",
    "top_up_method",
]


class Purpose(enum.Enum):
    """What a payment is for."""

    #: The open documents the customer chose (:attr:`PaymentIntent.item_keys`).
    DOCUMENTS = "documents"
    #: A free amount, spread over the open items by the intent's strategy.
    AMOUNT = "amount"
    #: Money for the prepaid account.
    TOP_UP = "top_up"


class IntentStatus(enum.Enum):
    """Where an intent stands; changed only by booking."""

    OPEN = "open"  # created, no money yet
    AUTHORISED = "authorised"  # the payer approved; to be captured
    BOOKED = "booked"  # money was captured and booked (some may be refunded since)
    PENDING = "pending"  # a bank-transfer top-up waiting for the merchant's release
    REVERSED = "reversed"  # everything booked was refunded or charged back
    REJECTED = "rejected"  # a pending top-up the merchant rejected
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class CreditNotePolicy(enum.Enum):
    """What a booked credit note does (a merchant setting)."""

    #: Offsets the invoice it corrects; what that invoice no longer needs becomes credit.
    OFFSET = "offset"
    #: Becomes the customer's credit balance, used for the next invoices.
    CREDIT_BALANCE = "credit_balance"
    #: Is paid back to the customer: the account records a refund request.
    REFUND = "refund"


class EventKind(enum.Enum):
    """What happened to a payment, the same words for every provider."""

    AUTHORISED = "authorised"
    CAPTURED = "captured"
    PARTIALLY_CAPTURED = "partially_captured"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    CHARGEBACK = "chargeback"
    REVERSED = "reversed"

    @property
    def moves_money_in(self) -> bool:
        """Whether the event brings money to the merchant (a capture)."""
        return self in (EventKind.CAPTURED, EventKind.PARTIALLY_CAPTURED)

    @property
    def moves_money_out(self) -> bool:
        """Whether the event takes money back (a refund, chargeback or reversal)."""
        return self in _OUT


_OUT = frozenset(
    {EventKind.REFUNDED, EventKind.PARTIALLY_REFUNDED, EventKind.CHARGEBACK, EventKind.REVERSED}
)

# Methods whose money is confirmed when the payment is made; everything but a transfer.
_TOP_UP_METHODS = {
    "bank_transfer": TopUpMethod.BANK_TRANSFER,
    "paypal": TopUpMethod.PAYPAL,
    "paypal_nvp": TopUpMethod.PAYPAL,
    "sofort": TopUpMethod.SOFORT,
}


def top_up_method(method: str) -> TopUpMethod:
    """The prepaid top-up method of a payment method name.

    A bank transfer waits for the merchant's release; PayPal and Sofort keep their own
    names; every other online method (card, paydirekt, PayEngine, Billwerk+ Pay, BillPay)
    is credited at once like a card.

    >>> top_up_method("bank_transfer").real_time, top_up_method("payengine").real_time
    (False, True)
    """
    return _TOP_UP_METHODS.get(method, TopUpMethod.CARD)


def _money_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money or None")
    if isinstance(value, Money) and value.amount < 0:
        raise v.fail(attribute, value, "must not be negative")


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money")
    if value.amount <= 0:
        raise v.fail(attribute, value, "must be more than zero")


def _zero_of_amount(instance: PaymentIntent) -> Money:
    return Money.zero(instance.amount.currency)


@attrs.frozen(kw_only=True)
class PaymentIntent:
    """What a customer chose to pay, and how the booking stands for it.

    An app makes one with :meth:`payportal.booking.Portal.pay` (or by hand) before it asks
    the provider for a payment; every event about that payment is booked against it.

    Attributes:
        id: unique id of the intent; the booking uses it as the payment id on the account.
        customer_id: whose account pays.
        amount: what the customer chose to pay (the event says what arrived).
        purpose: documents, a free amount or a prepaid top-up, see :class:`Purpose`.
        item_keys: for :attr:`Purpose.DOCUMENTS`, the open items chosen, by key
            (the document numbers), in the order to settle them.
        strategy: how a free amount is spread over the open items (for DOCUMENTS, the
            order within the chosen items is ``item_keys``).
        overpayment: where money no chosen item needs goes.
        tolerance: a shortfall within it settles the items the payment reached.
        reference: the reference sent to the provider (merchant or EPC reference).
        provider: the provider's name, as on its payments (``"paypal"``).
        method: the payment method (``"paypal"``, ``"card"``, ``"bank_transfer"``...);
            decides whether a top-up is credited at once, see :func:`top_up_method`.
        created_at: when the customer chose (timezone-aware).
        payment_id: the provider's payment id, once the provider made one.
        status: where the booking stands.
        captured: money captured and booked so far.
        refunded: money refunded, charged back or reversed and booked so far.
        bookings: the ids under which each capture was booked on the account, in order.
    """

    id: str = attrs.field(validator=[v.non_empty_str, v.max_length(100)])
    customer_id: str = attrs.field(validator=v.non_empty_str)
    amount: Money = attrs.field(validator=_positive_money)
    purpose: Purpose = attrs.field(validator=v.instance_of(Purpose, "a Purpose"))
    reference: str = attrs.field(validator=v.non_empty_str)
    provider: str = attrs.field(validator=v.non_empty_str)
    method: str = attrs.field(validator=v.non_empty_str)
    created_at: datetime = attrs.field(validator=v.aware_datetime)
    item_keys: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string")
    )
    strategy: Strategy = attrs.field(
        default=Strategy.OLDEST_FIRST, validator=v.instance_of(Strategy, "a Strategy")
    )
    overpayment: OverpaymentPolicy = attrs.field(
        default=OverpaymentPolicy.CREDIT_BALANCE,
        validator=v.instance_of(OverpaymentPolicy, "an OverpaymentPolicy"),
    )
    tolerance: Tolerance | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Tolerance, "a Tolerance"))
    )
    payment_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    status: IntentStatus = attrs.field(
        default=IntentStatus.OPEN, validator=v.instance_of(IntentStatus, "an IntentStatus")
    )
    captured: Money = attrs.field(default=attrs.Factory(_zero_of_amount, takes_self=True))
    refunded: Money = attrs.field(default=attrs.Factory(_zero_of_amount, takes_self=True))
    bookings: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string")
    )

    def __attrs_post_init__(self) -> None:
        currency = self.amount.currency
        for name in ("captured", "refunded"):
            value = getattr(self, name)
            if not isinstance(value, Money) or value.currency != currency or value.amount < 0:
                raise ValidationError(
                    f"must be Money in {currency}, not negative", field=name, value=value
                )
        if self.refunded > self.captured:
            raise ValidationError(
                f"must not be more than the {self.captured} captured",
                field="refunded",
                value=self.refunded,
            )
        if self.purpose is Purpose.DOCUMENTS and not self.item_keys:
            raise ValidationError(
                "must name at least one open item when paying documents",
                field="item_keys",
                value=self.item_keys,
            )
        if self.purpose is not Purpose.DOCUMENTS and self.item_keys:
            raise ValidationError(
                f"must be empty for a payment of purpose {self.purpose.value}",
                field="item_keys",
                value=self.item_keys,
            )
        if self.strategy is Strategy.SPECIFIED:
            raise ValidationError(
                "must be how to spread money (SPECIFIED is implied by purpose DOCUMENTS)",
                field="strategy",
                value=self.strategy,
            )

    @property
    def currency(self) -> str:
        return self.amount.currency

    @property
    def standing(self) -> Money:
        """What is booked and not taken back: captured less refunded."""
        return self.captured - self.refunded


def _kind(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, EventKind):
        raise v.fail(attribute, value, "must be an EventKind")


@attrs.frozen(kw_only=True)
class PaymentEvent:
    """One thing that happened to a payment, whoever reported it, in one shape.

    A webhook, a poll answer, the payer's return and a bank statement entry about the same
    money movement carry the same :attr:`movement_key`, which the booking stores under a
    unique constraint: the movement is booked once, whichever copy comes first.

    Attributes:
        kind: what happened.
        provider: the provider's name.
        provider_payment_id: the provider's id of the payment.
        movement_key: what identifies the money movement, such as
            ``"paypal:capture:5TY05013RG002845M"`` or ``"bank:<entry id>"``; for events
            that move no money, what identifies the change of state.
        occurred_at: when it happened (timezone-aware); the booking day is its date.
        event_id: the provider's id of the notification, if it came as one.
        intent_id: the intent the payment belongs to, if the reporter knows it.
        amount: the amount of *this* movement (a capture, a refund), if known.
        captured_total: everything captured on the payment after this event, if known.
        refunded_total: everything refunded on the payment after this event, if known.
        fee: the provider's fee on this movement, if it says.

    A capture or refund needs ``amount`` or the matching total: with a total, the booking
    books the difference to what it already booked for the intent, so a late or repeated
    report of an older total books nothing.
    """

    kind: EventKind = attrs.field(validator=_kind)
    provider: str = attrs.field(validator=v.non_empty_str)
    provider_payment_id: str = attrs.field(validator=v.non_empty_str)
    movement_key: str = attrs.field(validator=[v.non_empty_str, v.max_length(300)])
    occurred_at: datetime = attrs.field(validator=v.aware_datetime)
    event_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    intent_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    amount: Money | None = attrs.field(default=None, validator=_money_or_none)
    captured_total: Money | None = attrs.field(default=None, validator=_money_or_none)
    refunded_total: Money | None = attrs.field(default=None, validator=_money_or_none)
    fee: Money | None = attrs.field(default=None, validator=_money_or_none)

    def __attrs_post_init__(self) -> None:
        currencies = {
            m.currency
            for m in (self.amount, self.captured_total, self.refunded_total, self.fee)
            if m is not None
        }
        if len(currencies) > 1:
            raise ValidationError(
                "must all be in one currency", field="amounts", value=sorted(currencies)
            )
        if self.amount is not None and not self.amount:
            raise ValidationError("must be more than zero if given", field="amount", value=0)
        if self.kind.moves_money_in and self.amount is None and self.captured_total is None:
            raise ValidationError(
                "must be given for a capture (or captured_total)", field="amount", value=None
            )

    @property
    def currency(self) -> str | None:
        """The currency of the event's amounts, if it has any."""
        for money in (self.amount, self.captured_total, self.refunded_total, self.fee):
            if money is not None:
                return money.currency
        return None
