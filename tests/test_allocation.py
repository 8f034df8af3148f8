from __future__ import annotations

import contextlib
import functools
import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import CurrencyMismatchError, Money, ValidationError
from payportal.accounts import Component, ComponentKind, OpenItem
from payportal.allocation import (
    AllocationResult,
    OverpaymentPolicy,
    Strategy,
    Tolerance,
    allocate,
    reverse,
    split_fairly,
)
from payportal.documents import CashDiscount, Invoice, LineItem, RemindedInvoice, Reminder

if TYPE_CHECKING:
    from collections.abc import Iterator

EUR = "EUR"
D0 = date(2026, 1, 1)
COSTS, INTEREST, PRINCIPAL = ComponentKind.COSTS, ComponentKind.INTEREST, ComponentKind.PRINCIPAL


def eur(amount: str) -> Money:
    return Money(amount, EUR)


def item(key: str, amount: str, due: int, **options: object) -> OpenItem:
    return OpenItem.simple(key, eur(amount), due=D0 + timedelta(days=due), **options)  # type: ignore[arg-type]


def test_acceptance() -> None:
    from datetime import date  # noqa: PLC0415  the acceptance snippet, verbatim

    from payportal import Money  # noqa: PLC0415
    from payportal.accounts import OpenItem  # noqa: PLC0415
    from payportal.allocation import Strategy, allocate  # noqa: PLC0415

    a = OpenItem.simple("INV-1", Money("100.00", "EUR"), due=date(2026, 1, 10))
    b = OpenItem.simple("INV-2", Money("50.00", "EUR"), due=date(2026, 1, 5))
    res = allocate(Money("120.00", "EUR"), [a, b], strategy=Strategy.OLDEST_FIRST)
    assert res.allocated_to("INV-2") == Money("50.00", "EUR")
    assert res.allocated_to("INV-1") == Money("70.00", "EUR")
    assert res.unapplied == Money("0.00", "EUR")
    over = allocate(Money("200.00", "EUR"), [a, b], strategy=Strategy.OLDEST_FIRST)
    assert over.unapplied == Money("50.00", "EUR")


# --- strategies -------------------------------------------------------------------------------


def test_oldest_first_orders_by_due_date_then_issue_date_then_key() -> None:
    items = [
        OpenItem.simple("B", eur("10.00"), due=D0, issued=D0 - timedelta(days=5)),
        OpenItem.simple("A", eur("10.00"), due=D0, issued=D0 - timedelta(days=5)),
        OpenItem.simple("C", eur("10.00"), due=D0, issued=D0 - timedelta(days=9)),
        OpenItem.simple("D", eur("10.00"), due=D0 - timedelta(days=1)),
    ]
    res = allocate(eur("35.00"), items, strategy=Strategy.OLDEST_FIRST)
    assert [line.item for line in res.lines] == ["D", "C", "A", "B"]
    assert res.allocated_to("B") == eur("5.00")
    assert res.remaining_open("B") == eur("5.00")
    assert res.settled == ("D", "C", "A")


def test_specified_pays_named_items_first_in_named_order_then_falls_back() -> None:
    items = [item("RE-1", "30.00", 1), item("RE-2", "30.00", 2), item("RE-3", "30.00", 3)]
    res = allocate(
        eur("70.00"),
        items,
        strategy=Strategy.SPECIFIED,
        specified=["RE-3", " RE-9 ", "RE-3"],
    )
    assert [(line.item, line.amount) for line in res.lines] == [
        ("RE-3", eur("30.00")),
        ("RE-1", eur("30.00")),
        ("RE-2", eur("10.00")),
    ]
    assert res.unmatched_references == ("RE-9",)


def test_specified_accepts_a_single_reference_string() -> None:
    items = [item("RE-1", "30.00", 1), item("RE-2", "30.00", 2)]
    res = allocate(eur("30.00"), items, strategy=Strategy.SPECIFIED, specified="RE-2")
    assert res.allocated_to("RE-2") == eur("30.00")
    assert res.allocated_to("RE-1") == eur("0.00")


def test_specified_can_fall_back_to_proportional() -> None:
    items = [item("A", "10.00", 1), item("B", "30.00", 2), item("C", "10.00", 3)]
    res = allocate(
        eur("30.00"),
        items,
        strategy=Strategy.SPECIFIED,
        specified=["C"],
        fallback=Strategy.PROPORTIONAL,
    )
    assert [res.allocated_to(k) for k in "ABC"] == [eur("5.00"), eur("15.00"), eur("10.00")]


def test_statutory_pays_due_debts_before_debts_not_yet_due() -> None:
    items = [item("NOT-DUE", "10.00", 30), item("DUE", "10.00", 10)]
    res = allocate(eur("10.00"), items, strategy=Strategy.STATUTORY_DE, paid_on=D0 + timedelta(20))
    assert res.allocated_to("DUE") == eur("10.00")


def test_statutory_pays_the_less_secured_then_the_more_burdensome_then_the_older() -> None:
    paid_on = D0 + timedelta(days=100)
    items = [
        item("SECURED", "10.00", 1, secured=True, burden=5),
        item("OLD", "10.00", 2, issued=D0),
        item("BURDEN", "10.00", 3, burden=2),
        item("YOUNG", "10.00", 4),
    ]
    res = allocate(eur("40.00"), items, strategy=Strategy.STATUTORY_DE, paid_on=paid_on)
    assert [line.item for line in res.lines] == ["BURDEN", "OLD", "YOUNG", "SECURED"]


def test_statutory_shares_pro_rata_between_equal_debts() -> None:
    paid_on = D0 + timedelta(days=100)
    items = [item("A", "30.00", 5), item("B", "10.00", 5), item("LATER", "10.00", 6)]
    res = allocate(eur("20.00"), items, strategy=Strategy.STATUTORY_DE, paid_on=paid_on)
    assert res.allocated_to("A") == eur("15.00")
    assert res.allocated_to("B") == eur("5.00")
    assert res.allocated_to("LATER") == eur("0.00")


def test_statutory_pays_costs_then_interest_then_principal_within_a_debt() -> None:
    debt = OpenItem(
        key="MAHN-1",
        components=[
            Component(PRINCIPAL, eur("100.00")),
            Component(INTEREST, eur("4.00")),
            Component(COSTS, eur("5.00")),
        ],
        due_on=D0,
    )
    res = allocate(eur("7.00"), [debt], strategy=Strategy.STATUTORY_DE, paid_on=D0)
    assert [(line.component, line.amount) for line in res.lines] == [
        (COSTS, eur("5.00")),
        (INTEREST, eur("2.00")),
    ]


def test_statutory_needs_the_payment_date() -> None:
    with pytest.raises(ValidationError) as error:
        allocate(eur("1.00"), [item("A", "1.00", 1)], strategy=Strategy.STATUTORY_DE)
    assert error.value.field == "paid_on"


def test_proportional_splits_exactly_to_the_minor_unit() -> None:
    items = [item("A", "100.00", 1), item("B", "100.00", 2), item("C", "100.00", 3)]
    res = allocate(eur("100.00"), items, strategy=Strategy.PROPORTIONAL)
    assert [res.allocated_to(k) for k in "ABC"] == [eur("33.34"), eur("33.33"), eur("33.33")]


def test_proportional_overpayment_settles_everything() -> None:
    items = [item("A", "10.00", 1), item("B", "20.00", 2)]
    res = allocate(eur("31.00"), items, strategy=Strategy.PROPORTIONAL)
    assert res.settled == ("A", "B")
    assert res.unapplied == eur("1.00")


def test_items_with_nothing_open_are_skipped() -> None:
    empty = item("EMPTY", "0.00", 0)
    res = allocate(eur("5.00"), [empty, item("A", "10.00", 1)], strategy=Strategy.OLDEST_FIRST)
    assert [line.item for line in res.lines] == ["A"]
    assert res.allocated_to("EMPTY") == eur("0.00")


def test_no_items_leaves_everything_unapplied() -> None:
    res = allocate(eur("5.00"), [], strategy=Strategy.PROPORTIONAL)
    assert res.unapplied == eur("5.00")
    assert res.lines == ()


def test_result_is_immutable() -> None:
    res = allocate(eur("5.00"), [item("A", "10.00", 1)], strategy=Strategy.OLDEST_FIRST)
    with pytest.raises(AttributeError):
        res.unapplied = eur("0.00")  # type: ignore[misc]
    with pytest.raises(TypeError):
        res.remaining["A"] = eur("0.00")  # type: ignore[index]


# --- overpayment, tolerance, cash discount -----------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "credit", "top_up", "refund"),
    [
        (OverpaymentPolicy.CREDIT_BALANCE, "5.00", "0.00", "0.00"),
        (OverpaymentPolicy.PREPAID, "0.00", "5.00", "0.00"),
        (OverpaymentPolicy.REFUND, "0.00", "0.00", "5.00"),
    ],
)
def test_overpayment_policy_says_where_the_excess_goes(
    policy: OverpaymentPolicy, credit: str, top_up: str, refund: str
) -> None:
    res = allocate(
        eur("15.00"), [item("A", "10.00", 1)], strategy=Strategy.OLDEST_FIRST, overpayment=policy
    )
    assert (res.credit, res.top_up, res.refund) == (eur(credit), eur(top_up), eur(refund))
    assert res.overpayment is policy


def test_absolute_tolerance_writes_off_a_small_shortfall() -> None:
    items = [item("A", "50.00", 1), item("B", "100.00", 2)]
    res = allocate(
        eur("149.50"),
        items,
        strategy=Strategy.OLDEST_FIRST,
        tolerance=Tolerance(absolute=eur("1.00")),
    )
    assert res.written_off("B") == eur("0.50")
    assert res.remaining_open("B") == eur("0.00")
    assert res.settled == ("A", "B")


def test_shortfall_beyond_the_tolerance_stays_open() -> None:
    res = allocate(
        eur("98.00"),
        [item("A", "100.00", 1)],
        strategy=Strategy.OLDEST_FIRST,
        tolerance=Tolerance(absolute=eur("1.00")),
    )
    assert res.write_offs == ()
    assert res.remaining_open("A") == eur("2.00")


def test_with_both_limits_the_lower_one_applies() -> None:
    both = Tolerance(absolute=eur("5.00"), percent=Decimal(1))
    within_amount_not_percent = allocate(
        eur("97.00"), [item("A", "100.00", 1)], strategy=Strategy.OLDEST_FIRST, tolerance=both
    )
    assert within_amount_not_percent.write_offs == ()
    within_both = allocate(
        eur("99.00"), [item("A", "100.00", 1)], strategy=Strategy.OLDEST_FIRST, tolerance=both
    )
    assert within_both.written_off("A") == eur("1.00")


def test_percent_tolerance_alone() -> None:
    res = allocate(
        eur("995.00"),
        [item("A", "1000.00", 1)],
        strategy=Strategy.OLDEST_FIRST,
        tolerance=Tolerance(percent="0.5"),
    )
    assert res.written_off("A") == eur("5.00")


def test_tolerance_needs_a_limit_in_the_payment_currency() -> None:
    with pytest.raises(ValidationError):
        Tolerance()
    with pytest.raises(ValidationError):
        Tolerance(percent=Decimal(-1))
    with pytest.raises(CurrencyMismatchError):
        allocate(
            eur("1.00"),
            [item("A", "2.00", 1)],
            strategy=Strategy.OLDEST_FIRST,
            tolerance=Tolerance(absolute=Money("1.00", "USD")),
        )


def discounted(key: str, amount: str, discount: str) -> OpenItem:
    return OpenItem.simple(
        key, eur(amount), due=D0, discount=eur(discount), discount_until=D0 + timedelta(days=10)
    )


def test_cash_discount_within_the_period_settles_the_item() -> None:
    items = [discounted("A", "100.00", "2.00"), discounted("B", "50.00", "1.00")]
    res = allocate(eur("147.00"), items, strategy=Strategy.OLDEST_FIRST, paid_on=D0)
    assert res.settled == ("A", "B")
    assert (res.discount_on("A"), res.discount_on("B")) == (eur("2.00"), eur("1.00"))
    assert res.unapplied == eur("0.00")


def test_cash_discount_is_taken_only_as_far_as_the_payment_needs_it() -> None:
    items = [discounted("A", "100.00", "2.00"), discounted("B", "50.00", "1.00")]
    res = allocate(eur("148.50"), items, strategy=Strategy.OLDEST_FIRST, paid_on=D0)
    assert (res.discount_on("A"), res.discount_on("B")) == (eur("1.50"), eur("0.00"))
    assert res.unapplied == eur("0.00")


def test_no_cash_discount_after_the_period_or_without_a_date() -> None:
    late = allocate(
        eur("98.00"),
        [discounted("A", "100.00", "2.00")],
        strategy=Strategy.OLDEST_FIRST,
        paid_on=D0 + timedelta(days=11),
    )
    undated = allocate(
        eur("98.00"), [discounted("A", "100.00", "2.00")], strategy=Strategy.OLDEST_FIRST
    )
    for res in (late, undated):
        assert res.discounts == ()
        assert res.remaining_open("A") == eur("2.00")


def test_partial_payment_takes_no_cash_discount() -> None:
    res = allocate(
        eur("50.00"),
        [discounted("A", "100.00", "2.00")],
        strategy=Strategy.OLDEST_FIRST,
        paid_on=D0,
    )
    assert res.discounts == ()


# --- open items from documents ---------------------------------------------------------------


def invoice(**options: object) -> Invoice:
    return Invoice(
        id="inv-1",
        number="RE-2026-1",
        customer_id="42",
        issued_on=D0,
        due_on=D0 + timedelta(days=14),
        lines=[LineItem(title="Work", quantity=1, unit_price=eur("100.00"), tax_rate=Decimal(19))],
        **options,  # type: ignore[arg-type]
    )


def test_from_invoice_carries_principal_and_cash_discount() -> None:
    open_item = OpenItem.from_document(invoice(cash_discount=CashDiscount(Decimal(2), 10)))
    assert open_item.key == "RE-2026-1"
    assert open_item.subject == "invoice:inv-1"
    assert open_item.amount_open == eur("119.00")
    assert open_item.discount == eur("2.38")
    assert open_item.discount_until == D0 + timedelta(days=10)
    res = allocate(eur("116.62"), [open_item], strategy=Strategy.OLDEST_FIRST, paid_on=D0)
    assert res.discount_on("RE-2026-1") == eur("2.38")
    assert res.remaining_open("RE-2026-1") == eur("0.00")


def test_from_invoice_takes_what_was_paid_off() -> None:
    paid = invoice().record_payment(eur("19.00"))
    assert OpenItem.from_document(paid).amount_open == eur("100.00")


def reminder(**options: object) -> Reminder:
    return Reminder(
        id="rem-1",
        number="MA-1",
        customer_id="42",
        issued_on=D0,
        due_on=D0 + timedelta(days=7),
        reminded=[RemindedInvoice(invoice_id="inv-1", number="RE-1", amount_open=eur("100.00"))],
        level=2,
        fee=eur("5.00"),
        interest=eur("1.20"),
        **options,  # type: ignore[arg-type]
    )


def test_from_reminder_holds_only_its_charges_and_names_the_reminded_invoices() -> None:
    open_item = OpenItem.from_document(reminder())
    assert open_item.component(COSTS) == eur("5.00")
    assert open_item.component(INTEREST) == eur("1.20")
    # The principal stays open on the invoice's own item, once.
    assert open_item.component(PRINCIPAL) == eur("0.00")
    assert open_item.reminds == ("RE-1",)
    assert open_item.burden == 2
    assert reminder().total == eur("106.20")


def test_from_reminder_takes_earlier_payments_off_costs_then_interest() -> None:
    paid = reminder().record_payment(eur("6.00"))
    open_item = OpenItem.from_document(paid, burden=7)
    assert open_item.units == (0, 20, 0)
    assert open_item.burden == 7


def test_from_document_refuses_other_documents() -> None:
    with pytest.raises(ValidationError):
        OpenItem.from_document("RE-1")  # type: ignore[arg-type]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_zero_or_negative_payments_are_refused(amount: str) -> None:
    with pytest.raises(ValidationError) as error:
        allocate(eur(amount), [item("A", "1.00", 1)], strategy=Strategy.OLDEST_FIRST)
    assert error.value.field == "payment"


def test_payment_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        allocate(Money("1.00", "USD"), [item("A", "1.00", 1)], strategy=Strategy.OLDEST_FIRST)


def test_items_must_be_open_items_with_unique_keys() -> None:
    with pytest.raises(ValidationError) as error:
        allocate(eur("1.00"), [item("A", "1.00", 1), "B"], strategy=Strategy.OLDEST_FIRST)  # type: ignore[list-item]
    assert error.value.field == "items[1]"
    with pytest.raises(ValidationError) as error:
        allocate(
            eur("1.00"),
            [item("A", "1.00", 1), item("A", "2.00", 2)],
            strategy=Strategy.OLDEST_FIRST,
        )
    assert error.value.value == "A"


def test_result_looks_up_items_the_payment_did_not_reach_as_they_were() -> None:
    items = [item("A", "10.00", 1), item("B", "10.00", 2)]
    res = allocate(eur("5.00"), items, strategy=Strategy.OLDEST_FIRST)
    items[1] = item("B", "99.00", 2)  # later changes to the caller's list do not leak in
    items.append(item("C", "1.00", 3))
    assert res.remaining_open("A") == eur("5.00")
    assert res.remaining_open("B") == eur("10.00")
    assert res.allocated_to("B") == eur("0.00")
    with pytest.raises(ValidationError):
        res.remaining_open("C")


def test_long_payments_follow_the_full_order_beyond_the_first_selection_round() -> None:
    rng = random.Random(3)
    items = [item(f"K{n:04d}", "10.00", rng.randrange(400)) for n in range(3_000)]
    rng.shuffle(items)
    res = allocate(eur("1000.05"), items, strategy=Strategy.OLDEST_FIRST)
    order = sorted(items, key=lambda i: (i.due_on, i.issued_on, i.key))
    expected = [i.key for i in order[:101]]
    assert [line.item for line in res.lines] == expected
    assert res.allocated_to(expected[-1]) == eur("0.05")


def test_statutory_group_larger_than_a_selection_round_shares_pro_rata() -> None:
    equal = [item(f"E{n:02d}", "10.00", 0) for n in range(50)]  # the oldest, all alike
    younger = [item(f"Y{n:04d}", "10.00", 1 + n % 300) for n in range(2_000)]
    res = allocate(
        eur("100.00"),
        younger + equal,
        strategy=Strategy.STATUTORY_DE,
        paid_on=D0 + timedelta(days=400),
    )
    assert [line.item for line in res.lines] == [i.key for i in equal]
    assert {line.amount for line in res.lines} == {eur("2.00")}


def test_options_are_checked() -> None:
    items = [item("A", "1.00", 1)]
    with pytest.raises(ValidationError):
        allocate(eur("1.00"), items, strategy="oldest")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        allocate(eur("1.00"), items, strategy=Strategy.SPECIFIED, fallback=Strategy.SPECIFIED)
    with pytest.raises(ValidationError):
        allocate(eur("1.00"), items, strategy=Strategy.SPECIFIED, specified=[1])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        allocate(eur("1.00"), items, strategy=Strategy.OLDEST_FIRST, paid_on="2026-01-01")  # type: ignore[arg-type]
    res = allocate(eur("1.00"), items, strategy=Strategy.OLDEST_FIRST)
    with pytest.raises(ValidationError):
        res.allocated_to("NOPE")


def test_open_item_validation_names_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        OpenItem(
            key="A",
            components=[Component(PRINCIPAL, eur("1.00")), Component(PRINCIPAL, eur("2.00"))],
            due_on=D0,
        )
    assert error.value.field == "components[1].kind"
    with pytest.raises(ValidationError) as error:
        OpenItem(
            key="A",
            components=[Component(PRINCIPAL, eur("1.00")), Component(COSTS, Money("1", "JPY"))],
            due_on=D0,
        )
    assert error.value.field == "components[1].amount"
    with pytest.raises(ValidationError) as error:
        OpenItem.simple("A", eur("1.00"), due=D0, discount=Money("2", "JPY"), discount_until=D0)
    assert error.value.field == "discount"
    with pytest.raises(ValidationError) as error:
        OpenItem.simple("A", eur("1.00"), due=D0, discount=eur("0.50"))
    assert error.value.field == "discount_until"
    with pytest.raises(ValidationError) as error:
        OpenItem.simple(" A", eur("1.00"), due=D0)
    assert error.value.field == "key"
    with pytest.raises(ValidationError):
        Component(PRINCIPAL, eur("-1.00"))
    for burden in (-1, 10_000, True):
        with pytest.raises(ValidationError) as error:
            OpenItem.simple("A", eur("1.00"), due=D0, burden=burden)
        assert error.value.field == "burden"


# --- reversal --------------------------------------------------------------------------------


def test_full_reversal_gives_back_everything_with_discounts_and_write_offs() -> None:
    items = [discounted("A", "100.00", "2.00"), item("B", "50.00", 1)]
    res = allocate(
        eur("147.50"),
        items,
        strategy=Strategy.OLDEST_FIRST,
        paid_on=D0,
        tolerance=Tolerance(absolute=eur("1.00")),
    )
    assert res.discount_on("A") == eur("2.00")
    assert res.written_off("B") == eur("0.50")
    back = reverse(res)
    assert back.amount == eur("147.50")
    assert back.discounts == res.discounts
    assert back.write_offs == res.write_offs
    assert back.remaining.lines == ()
    assert back.remaining.payment == eur("0.00")


def test_partial_reversal_goes_in_the_opposite_order_of_allocation() -> None:
    items = [item("A", "10.00", 1), item("B", "10.00", 2), item("C", "10.00", 3)]
    res = allocate(eur("35.00"), items, strategy=Strategy.OLDEST_FIRST)
    first = reverse(res, eur("8.00"))
    assert first.unapplied == eur("5.00")
    assert [(line.item, line.amount) for line in first.lines] == [("C", eur("3.00"))]
    second = reverse(first.remaining, eur("12.00"))
    assert [(line.item, line.amount) for line in second.lines] == [
        ("C", eur("7.00")),
        ("B", eur("5.00")),
    ]
    assert second.items == ("C", "B")
    assert second.remaining.allocated_to("A") == eur("10.00")
    assert second.remaining.allocated_to("B") == eur("5.00")


def test_reversal_amount_is_checked() -> None:
    res = allocate(eur("5.00"), [item("A", "10.00", 1)], strategy=Strategy.OLDEST_FIRST)
    with pytest.raises(ValidationError):
        reverse(res, eur("5.01"))
    with pytest.raises(ValidationError):
        reverse(res, eur("0.00"))
    with pytest.raises(CurrencyMismatchError):
        reverse(res, Money("1.00", "USD"))


# --- properties ------------------------------------------------------------------------------


_ITEM_FIELDS = st.tuples(
    st.integers(0, 9_999),  # key
    st.tuples(st.integers(0, 50_000), st.integers(0, 5_000), st.integers(0, 50_000)),
    st.integers(0, 60),  # due, days after D0
    st.integers(0, 30),  # age at due date
    st.booleans(),  # secured
    st.integers(0, 2),  # burden
    st.none() | st.integers(0, 10),  # cash discount in percent of the principal
)


def _open_item(
    fields: tuple[int, tuple[int, int, int], int, int, bool, int, int | None],
) -> OpenItem:
    key, units, due_days, age, secured, burden, percent = fields
    due = D0 + timedelta(days=due_days)
    discount = None if percent is None else Money.from_minor(units[2] * percent // 50, EUR)
    return OpenItem(
        key=f"RE-{key}",
        components=[
            Component(kind, Money.from_minor(amount, EUR))
            for kind, amount in zip(ComponentKind, units, strict=True)
            if amount or kind is PRINCIPAL
        ],
        due_on=due,
        issued_on=due - timedelta(days=age),
        secured=secured,
        burden=burden,
        discount=discount,
        discount_until=None if discount is None else due,
    )


def open_items(max_size: int = 12) -> st.SearchStrategy[list[OpenItem]]:
    return st.lists(_ITEM_FIELDS, max_size=max_size, unique_by=lambda f: f[0]).map(
        lambda rows: [_open_item(row) for row in rows]
    )


@st.composite
def allocations(
    draw: st.DrawFn, strategy: Strategy | None = None
) -> tuple[Money, list[OpenItem], dict[str, object]]:
    items = draw(open_items())
    chosen = strategy or draw(st.sampled_from(list(Strategy)))
    total = sum(i.open_units for i in items)
    payment = Money.from_minor(draw(st.integers(1, max(1, total * 5 // 4))), EUR)
    options: dict[str, object] = {
        "strategy": chosen,
        "paid_on": D0 + timedelta(days=draw(st.integers(0, 60))),
        "overpayment": draw(st.sampled_from(list(OverpaymentPolicy))),
    }
    if chosen is Strategy.SPECIFIED:
        keys = [i.key for i in items] + ["RE-NONE"]
        options["specified"] = draw(st.lists(st.sampled_from(keys), max_size=4))
        options["fallback"] = draw(
            st.sampled_from([s for s in Strategy if s is not Strategy.SPECIFIED])
        )
    if draw(st.booleans()):
        options["tolerance"] = Tolerance(
            absolute=Money.from_minor(draw(st.integers(0, 500)), EUR),
            percent=Decimal(draw(st.integers(0, 5))),
        )
    return payment, items, options


def run(case: tuple[Money, list[OpenItem], dict[str, object]]) -> AllocationResult:
    payment, items, options = case
    return allocate(payment, items, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("strategy", list(Strategy))
@settings(max_examples=40)
@given(data=st.data())
def test_allocated_plus_unapplied_equals_payment_exactly(
    strategy: Strategy, data: st.DataObject
) -> None:
    case = data.draw(allocations(strategy))
    res = run(case)
    assert sum((line.amount for line in res.lines), Money.zero(EUR)) + res.unapplied == case[0]
    assert res.unapplied.amount >= 0


@pytest.mark.parametrize("strategy", list(Strategy))
@settings(max_examples=40)
@given(data=st.data())
def test_no_item_gets_more_than_it_has_open_and_no_component_goes_negative(
    strategy: Strategy, data: st.DataObject
) -> None:
    case = data.draw(allocations(strategy))
    res = run(case)
    by_key = {i.key: i for i in case[1]}
    for key, parts in res.settled_units().items():
        assert all(0 <= p <= u for p, u in zip(parts, by_key[key].units, strict=True))
        assert res.remaining_open(key).amount >= 0
    assert all(line.amount.amount > 0 for line in (*res.lines, *res.discounts, *res.write_offs))
    if res.unapplied:
        # Money left over means every item was settled.
        assert all(not res.remaining_open(i.key) for i in case[1])


@pytest.mark.parametrize("strategy", list(Strategy))
@settings(max_examples=40)
@given(data=st.data())
def test_result_is_deterministic_and_independent_of_input_order(
    strategy: Strategy, data: st.DataObject
) -> None:
    payment, items, options = data.draw(allocations(strategy))
    shuffled = list(items)
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    assert run((payment, items, options)) == run((payment, shuffled, options))


@pytest.mark.parametrize("strategy", list(Strategy))
@settings(max_examples=40)
@given(data=st.data())
def test_full_reversal_restores_every_item(strategy: Strategy, data: st.DataObject) -> None:
    case = data.draw(allocations(strategy))
    res = run(case)
    back = reverse(res)
    restored = {k: [0, 0, 0] for k in res.settled_units()}
    for line in (*back.lines, *back.discounts, *back.write_offs):
        restored[line.item][list(ComponentKind).index(line.component)] += line.amount.minor_units
    assert {key: tuple(parts) for key, parts in restored.items()} == res.settled_units()
    assert back.unapplied == res.unapplied


@given(data=st.data())
def test_partial_reversals_add_up_to_the_full_reversal(data: st.DataObject) -> None:
    res = run(data.draw(allocations()))
    cut = data.draw(st.integers(1, res.payment.minor_units))
    first = reverse(res, Money.from_minor(cut, EUR))
    rest = first.remaining.payment
    lines = list(first.lines)
    if rest:
        lines += reverse(first.remaining).lines
    assert sum((line.amount for line in lines), Money.zero(EUR)) == res.allocated


@given(data=st.data())
def test_proportional_shares_within_one_minor_unit_of_the_exact_ratio(data: st.DataObject) -> None:
    items = [i for i in data.draw(open_items(max_size=10)) if i.discount is None]
    total = sum(i.open_units for i in items)
    if not total:
        return
    payment = data.draw(st.integers(1, total))
    res = allocate(Money.from_minor(payment, EUR), items, strategy=Strategy.PROPORTIONAL)
    for i in items:
        exact = Fraction(payment * i.open_units, total)
        assert abs(res.allocated_to(i.key).minor_units - exact) < 1


@given(
    total=st.integers(0, 10**12),
    weights=st.lists(st.integers(1, 10**9), min_size=1, max_size=30),
)
def test_split_fairly_matches_money_split(total: int, weights: list[int]) -> None:
    assert split_fairly(total, weights) == [
        m.minor_units for m in Money.from_minor(total, EUR).split(weights)
    ]


# Bulk oldest-first (allocation._bulk): the same results as item by item, on any input.


@contextlib.contextmanager
def _bulk_from(count: int) -> Iterator[None]:
    from payportal.allocation import _bulk  # noqa: PLC0415

    before = _bulk.BULK_FROM, _bulk.SHARE_FROM
    _bulk.BULK_FROM = count
    _bulk.SHARE_FROM = 10**12  # any payment, however small
    try:
        yield
    finally:
        _bulk.BULK_FROM, _bulk.SHARE_FROM = before


def _item_by_item(*args: object, **options: object) -> object:
    with _bulk_from(10**12):
        return allocate(*args, **options)  # type: ignore[arg-type]


def _in_bulk(*args: object, **options: object) -> object:
    with _bulk_from(0):
        return allocate(*args, **options)  # type: ignore[arg-type]


def _same(bulk: object, single: object) -> None:
    assert isinstance(bulk, AllocationResult)
    assert isinstance(single, AllocationResult)
    assert bulk == single
    assert tuple(bulk.lines) == tuple(single.lines)  # the same order, too
    assert dict(bulk.open_before) == dict(single.open_before)
    keys = list(single.open_before)
    for key in keys[:20] + keys[-20:]:
        assert bulk.remaining_open(key) == single.remaining_open(key)


@given(
    items=open_items(),
    share=st.fractions(min_value=0, max_value=Fraction(5, 4)),
    tolerance=st.one_of(st.none(), st.just(Tolerance(absolute=eur("3.00")))),
    same_day=st.booleans(),
)
@settings(max_examples=60)
def test_bulk_oldest_first_decides_as_item_by_item(
    items: list[OpenItem],
    share: Fraction,
    tolerance: Tolerance | None,
    same_day: bool,
) -> None:
    if same_day:  # one date rank for all: the key alone orders them
        items = [attrs_evolve_dates(i, D0) for i in items]
    total = sum(i.open_units for i in items)
    payment = Money.from_minor(max(1, int(total * share)), EUR)
    options = {"strategy": Strategy.OLDEST_FIRST, "tolerance": tolerance, "payment_id": "P"}
    _same(
        _in_bulk(payment, items, **options),
        _item_by_item(payment, items, **options),
    )


def attrs_evolve_dates(open_item: OpenItem, day: date) -> OpenItem:
    import attrs  # noqa: PLC0415

    return attrs.evolve(open_item, due_on=day, issued_on=day, discount=None, discount_until=None)


@functools.cache
def _many_items(shape: str) -> list[OpenItem]:
    # More items than the bulk engine sorts outright, so it narrows a window at least once;
    # "lopsided" puts most of the money on the newest items, so the sampled estimate of
    # where the money runs out is wrong; "one_day" gives every item the same date rank.
    rng = random.Random(shape)
    items = []
    for number in range(10_000):
        due = 0 if shape == "one_day" else rng.randrange(400)
        units = rng.randrange(1, 10_000)
        if shape == "lopsided" and due > 390:
            units *= 1_000
        parts = [Component(PRINCIPAL, Money.from_minor(units, EUR))]
        if number % 7 == 0:
            parts.insert(0, Component(COSTS, Money.from_minor(rng.randrange(0, 500), EUR)))
        items.append(
            OpenItem(
                key=f"RE-{number:05d}",
                components=parts,
                due_on=D0 + timedelta(days=due),
                issued_on=D0 + timedelta(days=due - rng.randrange(3)),
            )
        )
    return items


@pytest.mark.parametrize("share", [Fraction(1, 1000), Fraction(7, 10), Fraction(999, 1000)])
@pytest.mark.parametrize("shape", ["spread", "lopsided", "one_day"])
def test_bulk_oldest_first_narrows_many_items_to_the_same_decision(
    share: Fraction, shape: str
) -> None:
    items = _many_items(shape)
    total = sum(i.open_units for i in items)
    payment = Money.from_minor(int(total * share), EUR)
    options = {"strategy": Strategy.OLDEST_FIRST, "payment_id": "P"}
    _same(
        _in_bulk(payment, items, **options),
        _item_by_item(payment, items, **options),
    )


def test_bulk_result_lines_are_built_when_read_and_compare_as_a_tuple() -> None:
    items = [item(f"RE-{n}", "10.00", n) for n in range(5)]
    bulk = _in_bulk(eur("25.00"), items, strategy=Strategy.OLDEST_FIRST)
    assert isinstance(bulk, AllocationResult)
    assert not isinstance(bulk.lines, tuple)
    assert bulk.lines == tuple(bulk.lines)
    assert [(line.item, str(line.amount)) for line in bulk.lines] == [
        ("RE-0", "10.00 EUR"),
        ("RE-1", "10.00 EUR"),
        ("RE-2", "5.00 EUR"),
    ]
    assert bulk.lines[-1].item == "RE-2"
    assert len(bulk.open_before) == 3
    assert "RE-3" not in bulk.open_before
    assert reverse(bulk, eur("7.00")).lines[0].item == "RE-2"
