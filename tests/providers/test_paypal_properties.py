from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.exceptions import InvalidRequestError, WebhookVerificationError
from payportal.providers import PaymentRequest
from payportal.providers.paypal import (
    WHOLE_UNIT_CURRENCIES,
    PayPal,
    format_amount,
    parse_amount,
)
from payportal.testing import FakeProvider
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal import _money as fake_validates
from payportal.testing.strategies import money


@given(
    money(min_value=Decimal(0)).filter(
        lambda m: (
            m.amount > 0
            and (
                m.currency not in WHOLE_UNIT_CURRENCIES or m.amount == m.amount.to_integral_value()
            )
        )
    )
)
def test_paypal_amounts_round_trip_and_pass_paypal_validation(amount: Money) -> None:
    wire = format_amount(amount)
    assert parse_amount(wire) == amount
    assert fake_validates(wire, "/amount") == amount
    decimals = len(wire["value"].partition(".")[2])
    assert decimals == (0 if amount.currency in WHOLE_UNIT_CURRENCIES else amount.exponent)


@given(st.lists(st.integers(1, 1500), max_size=8))
def test_fake_refunds_never_exceed_the_capture(cents: list[int]) -> None:
    fake = FakeProvider()
    pay = fake.create_payment(PaymentRequest(amount=Money("20.00", "EUR"), reference="P"))
    fake.approve(pay.id)
    fake.capture(pay.id)
    for units in cents:
        with contextlib.suppress(InvalidRequestError):  # refusing is part of the property
            fake.refund(pay.id, Money.from_minor(units, "EUR"))
        state = fake.get_payment(pay.id)
        assert Money.zero("EUR") <= state.refunded <= state.captured
        assert sum((r.amount for r in state.refunds), Money.zero("EUR")) == state.refunded


PAYPAL_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        name: st.text(max_size=40)
        for name in (
            "PAYPAL-AUTH-ALGO",
            "PAYPAL-CERT-URL",
            "PAYPAL-TRANSMISSION-ID",
            "PAYPAL-TRANSMISSION-SIG",
            "PAYPAL-TRANSMISSION-TIME",
        )
    },
)


@given(PAYPAL_HEADERS, st.binary(max_size=200))
def test_junk_webhooks_only_ever_fail_verification(headers: dict[str, str], body: bytes) -> None:
    fake = FakePayPal()
    paypal = PayPal(
        fake.client_id,
        fake.client_secret,
        webhook_id=fake.webhook_id,
        transport=fake.transport(),
        cert_fetcher=fake.fetch_cert,
        webhook_trust_roots=fake.trust_roots,
    )
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(headers, body)
    assert not fake.requests


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=3), st.binary())
def test_junk_fake_webhooks_only_ever_fail_verification(
    headers: dict[str, str], body: bytes
) -> None:
    with pytest.raises(WebhookVerificationError):
        FakeProvider().parse_webhook(headers, body)
