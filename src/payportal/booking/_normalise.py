"""Every provider's notifications and poll answers as :class:`PaymentEvent` s.

Providers report money in two ways: a notification says *that* something happened (and
often not how much), a poll answer (:class:`~payportal.providers.Payment`) says where the
payment stands now, with cumulative ``captured`` and ``refunded`` totals. The booking
trusts the totals: :func:`events_from_payment` turns a snapshot into at most two money
events (captured so far, refunded so far) keyed by the provider, the payment and the total,
and :func:`events_from_webhook` reads the payment back and does the same. So a webhook, a
poll and the payer's return that see the same state produce the same movement keys, and
the booking books only what a total adds to what it already booked: duplicates and
out-of-order deliveries book nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from payportal import _validators as v
from payportal.booking._model import EventKind, PaymentEvent
from payportal.exceptions import ValidationError
from payportal.providers import Payment, PaymentStatus, WebhookEvent

if TYPE_CHECKING:
    from payportal.providers import PaymentProvider

__all__ = ["events_from_payment", "events_from_webhook", "movement_key"]

Clock = Callable[[], datetime]

_STATUS_EVENTS = {
    PaymentStatus.AUTHORIZED: EventKind.AUTHORISED,
    PaymentStatus.FAILED: EventKind.FAILED,
    PaymentStatus.CANCELLED: EventKind.CANCELLED,
    PaymentStatus.EXPIRED: EventKind.EXPIRED,
}

# Notifications that announce money taken back by the payer's bank or the provider rather
# than refunded by the merchant, by provider: PayPal REST's reversed capture, PayPal IPN's
# "Reversed" payment status (a chargeback or a PayPal-initiated reversal).
_TAKE_BACK_TYPES = {
    "PAYMENT.CAPTURE.REVERSED": EventKind.REVERSED,
}
_TAKE_BACK_STATUS_WORDS = {"Reversed": EventKind.CHARGEBACK}


def movement_key(payment: Payment, what: str, total: str | None = None) -> str:
    """The movement key of ``what`` (``captured``, ``refunded``, ``authorised``...) on
    ``payment``, with the cumulative total after it for money movements.

    >>> from payportal import Money
    >>> p = Payment(id="O-1", provider="paypal", status=PaymentStatus.PAID, raw_status="C",
    ...             amount=Money("10.00", "EUR"), captured=Money("10.00", "EUR"),
    ...             refunded=Money("0.00", "EUR"))
    >>> movement_key(p, "captured", "10.00")
    'paypal:O-1:captured:10.00'
    """
    key = f"{payment.provider}:{payment.id}:{what}"
    return key if total is None else f"{key}:{total}"


def events_from_payment(
    payment: Payment,
    *,
    occurred_at: datetime,
    intent_id: str | None = None,
    event_id: str | None = None,
    take_back: EventKind | None = None,
) -> list[PaymentEvent]:
    """The events a snapshot of ``payment`` (a poll answer, a read-back) stands for.

    * Money captured: one CAPTURED (PARTIALLY_CAPTURED while less than the amount)
      event with ``captured_total``.
    * Money refunded: one REFUNDED (PARTIALLY_REFUNDED while less than captured) event
      with ``refunded_total``, or of kind ``take_back`` (CHARGEBACK, REVERSED) when the
      notification said so.
    * Nothing captured: an AUTHORISED, FAILED, CANCELLED or EXPIRED event for those
      statuses; none while the payment is created or pending.

    Args:
        payment: the payment as the provider reports it now.
        occurred_at: when the events count (the notification's time, or now).
        intent_id: the intent, if the caller knows it (else the booking finds it by the
            provider's payment id).
        event_id: the notification's id, for the journal.
        take_back: the kind to give money taken back.

    Raises:
        ValidationError: ``occurred_at`` is not timezone-aware, ``take_back`` is not a
            kind that takes money back.
    """
    if not isinstance(payment, Payment):
        raise ValidationError("must be a Payment", field="payment", value=payment)
    v.check_aware(occurred_at, "occurred_at")
    if take_back is not None and not (
        isinstance(take_back, EventKind) and take_back.moves_money_out
    ):
        raise ValidationError(
            "must be an EventKind that takes money back", field="take_back", value=take_back
        )

    def make(kind: EventKind, key: str, **totals: object) -> PaymentEvent:
        return PaymentEvent(
            kind=kind,
            provider=payment.provider,
            provider_payment_id=payment.id,
            movement_key=key,
            occurred_at=occurred_at,
            event_id=event_id,
            intent_id=intent_id,
            **totals,  # type: ignore[arg-type]
        )

    events: list[PaymentEvent] = []
    if payment.captured:
        captured = payment.captured
        kind = EventKind.CAPTURED if captured >= payment.amount else EventKind.PARTIALLY_CAPTURED
        key = movement_key(payment, "captured", str(captured.amount))
        events.append(make(kind, key, captured_total=captured))
        if payment.refunded:
            refunded = payment.refunded
            if take_back is not None:
                kind = take_back
            elif refunded >= captured:
                kind = EventKind.REFUNDED
            else:
                kind = EventKind.PARTIALLY_REFUNDED
            key = movement_key(payment, "refunded", str(refunded.amount))
            events.append(make(kind, key, refunded_total=refunded))
        return events
    status_kind = _STATUS_EVENTS.get(payment.status)
    if status_kind is not None:
        events.append(make(status_kind, movement_key(payment, status_kind.value)))
    return events


def _take_back_kind(webhook: WebhookEvent) -> EventKind | None:
    kind = _TAKE_BACK_TYPES.get(webhook.type)
    if kind is None:
        word = webhook.data.get("payment_status")
        if isinstance(word, str):
            kind = _TAKE_BACK_STATUS_WORDS.get(word)
    return kind


def _utc_now() -> datetime:
    return datetime.now(UTC)


def events_from_webhook(
    provider: PaymentProvider,
    webhook: WebhookEvent,
    *,
    intent_id: str | None = None,
    clock: Clock = _utc_now,
) -> list[PaymentEvent]:
    """The events of a verified notification, completed by reading the payment back.

    No provider's notification reliably carries the amounts (several carry none at all),
    so the payment it names is read back through ``provider`` and turned into events by
    :func:`events_from_payment`; a notification that says the money was reversed or
    charged back gives that kind to the money taken back.

    Args:
        provider: the client that parsed ``webhook`` (used for the read-back).
        webhook: what ``provider.parse_webhook`` returned.
        intent_id: the intent, if known.
        clock: the time to use when the notification has none.

    Raises:
        ValidationError: the notification names no payment (nothing can be read back).
        ProviderError: the read-back failed; deliver the notification again later (or
            let the next poll book the payment).
    """
    if not isinstance(webhook, WebhookEvent):
        raise ValidationError("must be a WebhookEvent", field="webhook", value=webhook)
    if webhook.payment_id is None:
        raise ValidationError(
            f"names no payment, so {webhook.provider} notification {webhook.id} cannot be "
            "read back; poll the provider's payments instead",
            field="webhook.payment_id",
            value=None,
        )
    payment = provider.get_payment(webhook.payment_id)
    return events_from_payment(
        payment,
        occurred_at=webhook.occurred_at or clock(),
        intent_id=intent_id,
        event_id=webhook.id,
        take_back=_take_back_kind(webhook),
    )
