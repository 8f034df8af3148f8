"""The provider-neutral models every payment provider speaks: requests, payments, events."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from payportal import _validators as v
from payportal._money import Money

__all__ = [
    "Capabilities",
    "Payment",
    "PaymentRequest",
    "PaymentStatus",
    "Refund",
    "WebhookEvent",
]


class PaymentStatus(enum.Enum):
    """Where a payment stands, the same words for every provider.

    The provider's own status word is kept next to it on :attr:`Payment.raw_status`.
    """

    CREATED = "created"
    """Created at the provider; the payer has not acted yet."""
    PENDING = "pending"
    """The payer acted, the money is on its way (bank transfer, review, eCheck)."""
    AUTHORIZED = "authorized"
    """The payer approved; funds are reserved and can be captured or released."""
    PAID = "paid"
    """The money is captured."""
    PARTIALLY_REFUNDED = "partially_refunded"
    """Part of the captured money went back to the payer."""
    REFUNDED = "refunded"
    """All captured money went back to the payer."""
    CANCELLED = "cancelled"
    """Cancelled or voided before capture."""
    FAILED = "failed"
    """Declined or failed; no money moves."""
    EXPIRED = "expired"
    """The payer abandoned it, or the authorization ran out."""

    @property
    def is_final(self) -> bool:
        """Whether no further change is expected without a refund."""
        return self in _FINAL


_FINAL = frozenset(
    {PaymentStatus.REFUNDED, PaymentStatus.CANCELLED, PaymentStatus.FAILED, PaymentStatus.EXPIRED}
)


@attrs.frozen
class Capabilities:
    """What a provider can do, as flags; an operation it lacks raises
    :class:`~payportal.exceptions.UnsupportedOperationError`.

    Attributes:
        capture: payments are authorized first and captured in a separate call.
        partial_capture: ``capture(id, amount)`` may take less than the authorized amount.
        refund: captured money can be refunded through the API.
        partial_refund: ``refund(id, amount)`` may return less than the captured amount.
        multiple_refunds: several partial refunds on one payment.
        void: ``cancel(id)`` releases an authorization or cancels an unpaid payment.
        webhook_signatures: webhooks are signed and verified by ``parse_webhook``.
        real_time_credit: the merchant is credited at once (no clearing delay).
        invoice_purchase: buy now, pay later by invoice.
        redirect: ``create_payment`` returns a URL the payer must visit.
        saved_methods: customers save payment methods that the merchant charges later
            (``setup_method`` ... ``charge_method``, see
            :class:`~payportal.providers.SavedMethodProvider`).
    """

    capture: bool = False
    partial_capture: bool = False
    refund: bool = False
    partial_refund: bool = False
    multiple_refunds: bool = False
    void: bool = False
    webhook_signatures: bool = False
    real_time_credit: bool = False
    invoice_purchase: bool = False
    redirect: bool = False
    saved_methods: bool = False


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _str_mapping(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    assert isinstance(value, Mapping)
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise v.fail(attribute, value, "must map strings to strings")


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money")
    if value.amount <= 0:
        raise v.fail(attribute, value, "must be more than zero")


def _https_or_http_url(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise v.fail(attribute, value, "must be an absolute http(s) URL")


@attrs.frozen
class PaymentRequest:
    """What the merchant asks a provider to collect.

    Attributes:
        amount: the amount to collect; must be more than zero.
        reference: the merchant's reference (invoice number, payment reference) that the payer
            and the bank statement show.
        return_url: where the provider sends the payer after approving.
        cancel_url: where the provider sends the payer who gives up.
        description: a short text for the payer.
        customer_email: the payer's e-mail, for providers that prefill it.
        metadata: extra strings passed to the provider where it keeps them.
    """

    amount: Money = attrs.field(validator=_positive_money)
    reference: str = attrs.field(validator=[v.non_empty_str, v.max_length(127)])
    return_url: str | None = attrs.field(default=None, validator=v.optional(_https_or_http_url))
    cancel_url: str | None = attrs.field(default=None, validator=v.optional(_https_or_http_url))
    description: str | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(str, "a string"))
    )
    customer_email: str | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(str, "a string"))
    )
    metadata: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_str_mapping
    )


@attrs.frozen
class Refund:
    """One refund of (part of) a payment.

    Attributes:
        id: the provider's refund id.
        amount: the refunded amount.
        raw_status: the provider's status word for the refund.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    amount: Money = attrs.field(validator=_positive_money)
    raw_status: str = ""


@attrs.frozen
class Payment:
    """A payment as the provider sees it right now.

    Attributes:
        id: the provider's id for the payment; pass it to ``get_payment``, ``capture``, ...
        provider: the provider's name (``"paypal"``).
        status: the normalised status.
        raw_status: the provider's own status word, for logs and support.
        amount: the amount requested.
        captured: the amount captured so far.
        refunded: the amount refunded so far.
        reference: the merchant's reference, if the provider returns it.
        redirect_url: where to send the payer to approve, while that is needed.
        instructions: payment instructions for methods without a redirect (IBAN, reference).
        refunds: the refunds, oldest first.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    provider: str = attrs.field(validator=v.non_empty_str)
    status: PaymentStatus = attrs.field(validator=v.instance_of(PaymentStatus, "a PaymentStatus"))
    raw_status: str
    amount: Money = attrs.field(validator=v.instance_of(Money, "Money"))
    captured: Money = attrs.field(validator=v.instance_of(Money, "Money"))
    refunded: Money = attrs.field(validator=v.instance_of(Money, "Money"))
    reference: str | None = None
    redirect_url: str | None = None
    instructions: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_str_mapping
    )
    refunds: tuple[Refund, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(Refund, "a Refund")
    )

    @property
    def refundable(self) -> Money:
        """Captured minus refunded: what a full refund would return now."""
        return self.captured - self.refunded


@attrs.frozen
class WebhookEvent:
    """A verified notification from a provider.

    Attributes:
        id: the provider's event id; the same event delivered twice has the same id, so
            store seen ids to handle each event once.
        provider: the provider's name.
        type: the provider's event type (``"PAYMENT.CAPTURE.COMPLETED"``).
        payment_id: the id of the payment it is about, as ``get_payment`` takes it, if known.
        status: the payment's status the event announces, if it announces one.
        occurred_at: when the provider says the event happened, if it says.
        data: the event's decoded body, as the provider sent it.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    provider: str = attrs.field(validator=v.non_empty_str)
    type: str = attrs.field(validator=v.non_empty_str)
    payment_id: str | None = None
    status: PaymentStatus | None = None
    occurred_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=MappingProxyType)
