"""[Payment.…] placeholders with the real payportal.providers.Payment."""

from __future__ import annotations

from payportal import Money
from payportal.placeholders import RenderContext, Template
from payportal.providers import Payment, PaymentStatus


def test_payment_fields_render_from_a_provider_payment() -> None:
    payment = Payment(
        id="PAY-1",
        provider="paypal",
        status=PaymentStatus.PAID,
        raw_status="COMPLETED",
        amount=Money("1234.50", "EUR"),
        captured=Money("1234.50", "EUR"),
        refunded=Money("0.00", "EUR"),
        reference="RE-2026-17",
    )
    template = Template.compile(
        "[Payment.id]|[Payment.amount]|[Payment.status]|[Payment.reference]|[Payment.provider]"
    )
    assert template.render(RenderContext(payment=payment, locale="de_DE")) == (
        "PAY-1|1.234,50\xa0€|Bezahlt|RE-2026-17|paypal"
    )
    assert template.render(RenderContext(payment=payment, locale="en_IE")).split("|")[1] == (
        "€1,234.50"
    )
