"""Every provider's notifications and polls, against its fake server, booked exactly once."""

from __future__ import annotations

import random
from typing import Any

import pytest
from booking_providers import PROVIDERS, Wired, m
from booking_world import T0, intent, store_world

from payportal.booking import (
    EventKind,
    Outcome,
    book,
    events_from_payment,
    events_from_webhook,
    save_intent,
)
from payportal.exceptions import ValidationError
from payportal.providers import Payment, PaymentStatus, WebhookEvent
from payportal.testing._memory_storage import MemoryStorage


@pytest.fixture(params=sorted(PROVIDERS))
def wired(request: pytest.FixtureRequest) -> Wired:
    return Wired(request, request.param)


def test_a_paid_payment_is_one_capture_with_its_total(wired: Wired) -> None:
    payment = wired.pay()
    (event,) = events_from_payment(payment, occurred_at=T0, intent_id="pi-1")
    assert event.kind is EventKind.CAPTURED
    assert event.captured_total == m("80.00")
    assert event.provider == wired.client.name
    assert event.movement_key == f"{payment.provider}:{payment.id}:captured:80.00"


def test_every_notification_reads_back_to_the_polls_movement_keys(wired: Wired) -> None:
    payment = wired.pay()
    polled = {e.movement_key for e in events_from_payment(payment, occurred_at=T0)}
    notified = [
        event
        for webhook in wired.webhooks(payment.id)
        if webhook.payment_id is not None
        for event in events_from_webhook(wired.client, webhook)
    ]
    if wired._webhooks is not None:
        assert notified, "the fake sent no notification for a paid payment"
    assert {e.movement_key for e in notified} <= polled
    assert all(e.captured_total == m("80.00") for e in notified if e.kind.moves_money_in)


def test_refunds_become_cumulative_refund_events(wired: Wired) -> None:
    if not wired.client.capabilities.refund:
        pytest.skip("the provider cannot refund through its API")
    payment = wired.pay()
    if wired.client.capabilities.partial_refund:
        after = wired.client.refund(payment.id, m("30.00"))
        kinds = [e.kind for e in events_from_payment(after, occurred_at=T0)]
        assert kinds == [EventKind.CAPTURED, EventKind.PARTIALLY_REFUNDED]
    after = wired.client.refund(payment.id)
    refund = events_from_payment(after, occurred_at=T0)[-1]
    assert refund.kind is EventKind.REFUNDED
    assert refund.refunded_total == m("80.00")


def test_duplicated_and_shuffled_reports_book_the_providers_truth_once(wired: Wired) -> None:
    storage = MemoryStorage()
    storage.migrate()
    store_world(storage, [5000, 3000])
    payment = wired.pay()
    with storage.transaction() as tx:  # the portal stores the provider's id on the intent
        save_intent(tx, intent(cents=8000, payment_id=payment.id, provider=payment.provider))
    reports = events_from_payment(payment, occurred_at=T0)
    if wired.client.capabilities.refund and wired.client.capabilities.partial_refund:
        payment = wired.client.refund(payment.id, m("30.00"))
        reports += events_from_payment(payment, occurred_at=T0)
    for webhook in wired.webhooks(payment.id):
        if webhook.payment_id is not None:
            reports += events_from_webhook(wired.client, webhook)
    reports += events_from_payment(wired.client.get_payment(payment.id), occurred_at=T0)
    reports = reports * 3
    random.Random(7).shuffle(reports)
    outcomes = [book(storage, report).outcome for report in reports]
    assert Outcome.REVIEW not in outcomes
    truth = wired.client.get_payment(payment.id)
    with storage.transaction() as tx:
        account = tx.load_account("42")
    assert account is not None
    standing = account.value.allocations.get("pi-1")
    booked = standing.payment if standing is not None else m("0.00")
    assert booked == truth.captured - truth.refunded


def test_a_reversal_notification_names_its_kind() -> None:
    payment = Payment(
        id="O-1",
        provider="paypal",
        status=PaymentStatus.REFUNDED,
        raw_status="REFUNDED",
        amount=m("10.00"),
        captured=m("10.00"),
        refunded=m("10.00"),
    )
    events = events_from_payment(payment, occurred_at=T0, take_back=EventKind.CHARGEBACK)
    assert [e.kind for e in events] == [EventKind.CAPTURED, EventKind.CHARGEBACK]

    class ReadBack:
        name = "paypal"

        def get_payment(self, payment_id: str) -> Payment:
            assert payment_id == "O-1"
            return payment

    reversed_ = WebhookEvent(
        id="WH-1",
        provider="paypal",
        type="PAYMENT.CAPTURE.REVERSED",
        payment_id="O-1",
        occurred_at=T0,
    )
    events = events_from_webhook(ReadBack(), reversed_)  # type: ignore[arg-type]
    assert events[-1].kind is EventKind.REVERSED
    assert events[-1].event_id == "WH-1"
    ipn = WebhookEvent(
        id="IPN-1",
        provider="paypal",
        type="ipn",
        payment_id="O-1",
        data={"payment_status": "Reversed"},
    )
    events = events_from_webhook(ReadBack(), ipn, clock=lambda: T0)  # type: ignore[arg-type]
    assert events[-1].kind is EventKind.CHARGEBACK
    assert events[-1].occurred_at == T0


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (PaymentStatus.AUTHORIZED, EventKind.AUTHORISED),
        (PaymentStatus.FAILED, EventKind.FAILED),
        (PaymentStatus.CANCELLED, EventKind.CANCELLED),
        (PaymentStatus.EXPIRED, EventKind.EXPIRED),
        (PaymentStatus.CREATED, None),
        (PaymentStatus.PENDING, None),
    ],
)
def test_statuses_without_money(status: PaymentStatus, kind: EventKind | None) -> None:
    payment = Payment(
        id="O-1",
        provider="paypal",
        status=status,
        raw_status="X",
        amount=m("10.00"),
        captured=m("0.00"),
        refunded=m("0.00"),
    )
    events = events_from_payment(payment, occurred_at=T0)
    assert [e.kind for e in events] == ([] if kind is None else [kind])


def test_a_notification_without_a_payment_cannot_be_read_back() -> None:
    webhook = WebhookEvent(id="WH-2", provider="paypal", type="PAYMENT.CAPTURE.REFUNDED")
    with pytest.raises(ValidationError, match="names no payment"):
        events_from_webhook(Any, webhook)  # type: ignore[arg-type]
