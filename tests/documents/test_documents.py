from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from payportal import InvalidTransitionError, Money, ValidationError
from payportal.documents import (
    CashDiscount,
    Comment,
    CommentAuthor,
    CreditNote,
    DeliveryNote,
    DocumentType,
    Invoice,
    LineItem,
    Offer,
    OfferStatus,
    OrderConfirmation,
    PaymentState,
    RemindedInvoice,
    Reminder,
)
from payportal.testing.strategies import invoices

DAY = date(2026, 3, 1)
AT = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def line(price: str, rate: str = "19", qty: str = "1", discount: str = "0") -> LineItem:
    return LineItem(
        title="x",
        quantity=Decimal(qty),
        unit_price=eur(price),
        tax_rate=Decimal(rate),
        discount=Decimal(discount),
    )


def invoice(*lines: LineItem, **kwargs: object) -> Invoice:
    return Invoice(
        id="i1",
        number="RE-1",
        customer_id="42",
        issued_on=DAY,
        lines=lines,
        **kwargs,  # type: ignore[arg-type]
    )


def test_totals_round_tax_per_rate() -> None:
    # Three lines of 0.05 at 19 %: per-line rounding would give 3 x 0.01 = 0.03 tax,
    # per-rate rounding gives 0.15 x 19 % = 0.0285 -> 0.03 too; 0.10 x 3 shows the difference.
    inv = invoice(line("0.10"), line("0.10"), line("0.10"), line("10.00", rate="7"))
    taxes = {t.rate: t for t in inv.totals.taxes}
    assert taxes[Decimal(19)].net == eur("0.30")
    assert taxes[Decimal(19)].tax == eur("0.06")  # 0.057 rounded half up, not 3 x 0.02
    assert taxes[Decimal(7)].tax == eur("0.70")
    assert inv.totals.net == eur("10.30")
    assert inv.totals.tax == eur("0.76")
    assert inv.totals.gross == eur("11.06")
    assert inv.total == inv.totals.gross


def test_same_rate_written_differently_is_one_rate() -> None:
    inv = invoice(line("1.00", rate="19"), line("1.00", rate="19.00"))
    assert len(inv.totals.taxes) == 1


def test_line_net_applies_quantity_and_discount_half_up() -> None:
    assert line("9.99", qty="1.5").net == eur("14.99")  # 14.985
    assert line("100.00", discount="12.5").net == eur("87.50")
    assert line("4.90", discount="100").net == eur("0.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quantity": -1}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"tax_rate": 101}, "tax_rate"),
        ({"discount": "-1"}, "discount"),
        ({"title": ""}, "title"),
        ({"unit_price": Decimal(1)}, "unit_price"),
    ],
)
def test_bad_lines_name_the_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"title": "t", "quantity": 1, "unit_price": eur("1")}
    with pytest.raises(ValidationError) as info:
        LineItem(**{**base, **kwargs})  # type: ignore[arg-type]
    assert info.value.field == field


def test_lines_must_be_in_the_document_currency_and_priced() -> None:
    with pytest.raises(ValidationError) as info:
        invoice(line("1.00"), LineItem(title="t", quantity=1, unit_price=Money("1", "USD")))
    assert info.value.field == "lines[1].unit_price"
    with pytest.raises(ValidationError) as info:
        invoice(LineItem(title="t", quantity=1))
    assert info.value.field == "lines[0].unit_price"
    note = DeliveryNote(
        id="d1",
        number="LS-1",
        customer_id="42",
        issued_on=DAY,
        lines=[LineItem(title="Pallet", quantity=3, unit="pcs")],
    )
    assert note.totals.gross == eur("0.00")


def test_invoice_payments_and_states() -> None:
    inv = invoice(line("100.00", rate="0"), due_on=DAY + timedelta(days=14))
    assert inv.amount_due == eur("100.00")
    part = inv.record_payment(eur("40.00"))
    assert part.state is PaymentState.PARTIALLY_PAID
    assert part.amount_due == eur("60.00")
    assert inv.state is PaymentState.OPEN  # immutable
    paid = part.record_payment(eur("60.00"))
    assert paid.state is PaymentState.PAID
    assert not paid.amount_due
    with pytest.raises(InvalidTransitionError, match="already paid"):
        paid.record_payment(eur("1.00"))
    with pytest.raises(ValidationError, match="more than"):
        part.record_payment(eur("60.01"))
    with pytest.raises(ValidationError):
        part.record_payment(eur("-1.00"))
    with pytest.raises(ValidationError):
        part.record_payment(Money("1", "USD"))
    assert inv.is_overdue(DAY + timedelta(days=15))
    assert not inv.is_overdue(DAY + timedelta(days=14))
    assert not paid.is_overdue(DAY + timedelta(days=30))


def test_cancelled_invoices_cannot_be_paid_and_paid_ones_cannot_be_cancelled() -> None:
    inv = invoice(line("10.00"))
    cancelled = inv.cancel()
    assert cancelled.state is PaymentState.CANCELLED
    assert not cancelled.amount_due
    with pytest.raises(InvalidTransitionError, match="cancelled"):
        cancelled.record_payment(eur("1.00"))
    with pytest.raises(InvalidTransitionError):
        cancelled.cancel()
    with pytest.raises(InvalidTransitionError, match="credit note"):
        inv.record_payment(eur("1.00")).cancel()


def test_cash_discount() -> None:
    inv = invoice(line("100.00", rate="0"), cash_discount=CashDiscount(Decimal(2), 10))
    assert inv.discount_on(DAY + timedelta(days=10)) == eur("2.00")
    assert inv.discount_on(DAY + timedelta(days=11)) == eur("0.00")
    with pytest.raises(ValidationError):
        CashDiscount(Decimal(2), -1)


def test_reminder_totals_include_fee_and_interest() -> None:
    rem = Reminder(
        id="r1",
        number="MA-1",
        customer_id="42",
        issued_on=DAY,
        reminded=[RemindedInvoice(invoice_id="i1", number="RE-1", amount_open=eur("100.00"))],
        fee=eur("5.00"),
        interest=eur("1.23"),
        level=2,
        lines=[LineItem(title="Auskunft", quantity=1, unit_price=eur("2.50"))],
    )
    # Printed: the principal as of the reminder's date and its own charges.
    assert rem.charges == eur("8.73")
    assert rem.total == eur("108.73")
    assert rem.principal == eur("100.00")
    assert rem.invoice_ids == ("i1",)
    assert rem.record_payment(eur("108.73")).state is PaymentState.PAID
    with pytest.raises(ValidationError) as info:
        Reminder(id="r", number="M", customer_id="42", issued_on=DAY, reminded=[])
    assert info.value.field == "reminded"
    with pytest.raises(ValidationError) as info:
        Reminder(
            id="r",
            number="M",
            customer_id="42",
            issued_on=DAY,
            level=0,
            reminded=[RemindedInvoice(invoice_id="i", number="RE", amount_open=eur("1"))],
        )
    assert info.value.field == "level"
    with pytest.raises(ValidationError) as info:
        Reminder(
            id="r",
            number="M",
            customer_id="42",
            issued_on=DAY,
            reminded=[RemindedInvoice(invoice_id="i", number="RE", amount_open=Money("1", "USD"))],
        )
    assert info.value.field == "reminded[0].amount_open"


def offer(**kwargs: object) -> Offer:
    return Offer(
        id="o1",
        number="AN-1",
        customer_id="42",
        issued_on=DAY,
        valid_until=date(2026, 3, 31),
        lines=[line("50.00")],
        **kwargs,  # type: ignore[arg-type]
    )


def test_offer_accept_reject_and_expiry() -> None:
    o = offer()
    accepted = o.accept(at=AT)
    assert accepted.status is OfferStatus.ACCEPTED
    assert accepted.decided_at == AT
    assert o.status is OfferStatus.OPEN
    with pytest.raises(InvalidTransitionError, match="accepted"):
        accepted.reject("changed my mind", at=AT)
    rejected = o.reject("  too expensive ", at=AT)
    assert rejected.rejection_reason == "too expensive"
    with pytest.raises(InvalidTransitionError, match="rejected"):
        rejected.accept(at=AT)
    last_day = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    assert o.accept(at=last_day).status is OfferStatus.ACCEPTED
    with pytest.raises(InvalidTransitionError, match="expired"):
        o.accept(at=last_day + timedelta(minutes=1))
    assert o.status_on(date(2026, 4, 1)) is OfferStatus.EXPIRED
    assert accepted.status_on(date(2027, 1, 1)) is OfferStatus.ACCEPTED
    with pytest.raises(ValidationError):
        o.accept(at=datetime(2026, 3, 5))
    with pytest.raises(ValidationError):
        offer(status=OfferStatus.EXPIRED)


def test_comments_append_and_validate() -> None:
    o = offer()
    c = Comment(text="Can you deliver in April?", at=AT)
    with_comment = o.with_comment(c).with_comment(
        Comment(text="Yes.", at=AT, author=CommentAuthor.STAFF, author_name="Max")
    )
    assert [x.text for x in with_comment.comments] == ["Can you deliver in April?", "Yes."]
    assert o.comments == ()
    with pytest.raises(ValidationError):
        Comment(text=" ", at=AT)
    with pytest.raises(ValidationError):
        o.with_comment("hello")  # type: ignore[arg-type]


def test_every_type_has_a_subject_and_object_name() -> None:
    docs = [
        invoice(line("1")),
        CreditNote(
            id="c1",
            number="GS-1",
            customer_id="42",
            issued_on=DAY,
            invoice_id="i1",
            lines=[line("1")],
        ),
        offer(),
        DeliveryNote(id="d1", number="LS-1", customer_id="42", issued_on=DAY),
        OrderConfirmation(id="a1", number="AB-1", customer_id="42", issued_on=DAY),
    ]
    assert [d.subject for d in docs] == [
        "invoice:i1",
        "credit_note:c1",
        "offer:o1",
        "delivery_note:d1",
        "order_confirmation:a1",
    ]
    assert DocumentType.CREDIT_NOTE.object_name == "CreditNote"
    assert DocumentType.ORDER_CONFIRMATION.object_name == "OrderConfirmation"


def test_naive_dates_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Invoice(id="i", number="n", customer_id="c", issued_on=AT)  # type: ignore[arg-type]
    assert info.value.field == "issued_on"


@given(invoices())
def test_totals_equal_the_sum_of_lines(inv: Invoice) -> None:
    zero = Money.zero(inv.currency)
    nets = sum((ln.net for ln in inv.lines if ln.net is not None), zero)
    assert inv.totals.net == nets
    assert inv.totals.gross == inv.totals.net + inv.totals.tax
    assert inv.totals.tax == sum((t.tax for t in inv.totals.taxes), zero)
    for tax in inv.totals.taxes:
        exact = tax.net.amount * tax.rate / 100
        assert abs(tax.tax.amount - exact) <= Decimal(1).scaleb(-inv.totals.net.exponent) / 2


@given(invoices())
def test_with_payment_gives_what_evolve_gives(inv: Invoice) -> None:
    paid = inv.total
    copy = inv.with_payment(paid, PaymentState.PAID)
    assert copy == attrs.evolve(inv, paid=paid, state=PaymentState.PAID)
    assert copy.totals == inv.totals


@pytest.mark.parametrize(
    ("paid", "state", "field"),
    [
        (Money("1.00", "USD"), PaymentState.PAID, "paid"),
        (Money("-1.00", "EUR"), PaymentState.PAID, "paid"),
        ("1.00", PaymentState.PAID, "paid"),
        (Money("1.00", "EUR"), "paid", "state"),
        (Money("1.00", "USD"), "paid", "state"),  # state comes first, as in __init__
    ],
)
def test_with_payment_refuses_what_evolve_refuses(paid: object, state: object, field: str) -> None:
    inv = Invoice(id="i-1", number="RE-1", customer_id="c", issued_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as evolved:
        attrs.evolve(inv, paid=paid, state=state)
    with pytest.raises(ValidationError) as copied:
        inv.with_payment(paid, state)  # type: ignore[arg-type]
    assert (copied.value.field, str(copied.value)) == (evolved.value.field, str(evolved.value))
    assert copied.value.field == field
