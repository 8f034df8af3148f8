from __future__ import annotations

from datetime import datetime

import pytest

from payportal import Money, ValidationError
from payportal.providers import Payment, PaymentRequest, PaymentStatus, Refund, WebhookEvent


def test_request_refuses_zero_amount() -> None:
    with pytest.raises(ValidationError) as caught:
        PaymentRequest(amount=Money("0.00", "EUR"), reference="INV-1")
    assert caught.value.field == "amount"


def test_request_refuses_relative_return_url() -> None:
    with pytest.raises(ValidationError) as caught:
        PaymentRequest(amount=Money("1.00", "EUR"), reference="INV-1", return_url="/ok")
    assert caught.value.field == "return_url"


def test_request_refuses_blank_reference() -> None:
    with pytest.raises(ValidationError) as caught:
        PaymentRequest(amount=Money("1.00", "EUR"), reference="  ")
    assert caught.value.field == "reference"


def test_request_metadata_is_read_only_and_strings_only() -> None:
    request = PaymentRequest(
        amount=Money("1.00", "EUR"), reference="INV-1", metadata={"order": "42"}
    )
    with pytest.raises(TypeError):
        request.metadata["order"] = "43"  # type: ignore[index]
    with pytest.raises(ValidationError):
        PaymentRequest(amount=Money("1.00", "EUR"), reference="INV-1", metadata={"n": 1})  # type: ignore[dict-item]


def test_payment_refundable_is_captured_minus_refunded() -> None:
    payment = Payment(
        id="p1",
        provider="fake",
        status=PaymentStatus.PARTIALLY_REFUNDED,
        raw_status="x",
        amount=Money("10.00", "EUR"),
        captured=Money("10.00", "EUR"),
        refunded=Money("4.00", "EUR"),
        refunds=[Refund(id="r1", amount=Money("4.00", "EUR"))],
    )
    assert payment.refundable == Money("6.00", "EUR")
    assert isinstance(payment.refunds, tuple)


def test_final_statuses() -> None:
    assert PaymentStatus.REFUNDED.is_final
    assert not PaymentStatus.PARTIALLY_REFUNDED.is_final
    assert not PaymentStatus.AUTHORIZED.is_final


def test_webhook_event_refuses_naive_time() -> None:
    with pytest.raises(ValidationError):
        WebhookEvent(id="e", provider="fake", type="t", occurred_at=datetime(2026, 1, 1))
