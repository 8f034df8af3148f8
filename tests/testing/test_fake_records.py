"""Properties of the fakes' time-bound transitions, on the records themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.providers.billpay import activation_deadline
from payportal.testing.fake_billpay import Order
from payportal.testing.fake_paypal import Authorization
from payportal.testing.fake_paypal_nvp import Transaction

MADE = datetime(2025, 1, 31, 12, tzinfo=UTC)
elapsed = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120))


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 120))
def test_a_billpay_order_lapses_exactly_when_its_deadline_has_passed(
    preauthorized: date, days: int
) -> None:
    order = Order(
        reference="R-1", bptid="b", number="1", payment_type="1", currency="EUR", gross=100,
        net=84, customer={}, preauthorized_on=preauthorized,
        deadline=activation_deadline(preauthorized),
    )  # fmt: skip
    today = preauthorized + timedelta(days=days)
    order.lapse(today)
    assert (order.status == "CANCELLED") is (today > order.deadline)
    later = today + timedelta(days=1)  # time goes on: a lapsed order stays cancelled
    order.lapse(later)
    assert (order.status == "CANCELLED") is (later > order.deadline)
    order.activate(due_on=later)  # once activated (the fake checks it may be), never lapses
    order.lapse(later + timedelta(days=365))
    assert order.status == "ACTIVATED"


@given(elapsed, st.sampled_from(["Pending", "Completed", "Voided"]))
def test_an_nvp_authorization_expires_only_when_open_after_29_days(
    after: timedelta, status: str
) -> None:
    authorization = Transaction(
        id="A", type="Authorization", status=status, amount=Money("5.00", "EUR"), token="EC-1",
        parent=None, made=MADE, time="2025-01-31T12:00:00Z",
    )  # fmt: skip
    authorization.lapse(MADE + after)
    expired = status == "Pending" and after > timedelta(days=29)
    assert authorization.status == ("Expired" if expired else status)


@given(elapsed)
def test_a_paypal_authorization_is_expired_exactly_after_its_29_days(after: timedelta) -> None:
    authorization = Authorization(
        id="A", status="CREATED", amount=Money("5.00", "EUR"), create_time="",
        supplementary_data={}, links=[], order="O", expiration_time="",
        expires=MADE + timedelta(days=29),
    )  # fmt: skip
    assert authorization.expired(MADE + after) is (after > timedelta(days=29))
