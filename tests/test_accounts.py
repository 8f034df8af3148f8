from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import CurrencyMismatchError, InsufficientFundsError, Money, ValidationError
from payportal.accounts import (
    Component,
    ComponentKind,
    CustomerAccount,
    EntryKind,
    OpenItem,
    PrepaidAccount,
    RefundRequest,
    TopUpMethod,
)
from payportal.allocation import OverpaymentPolicy, Strategy, Tolerance
from payportal.exceptions import AllocationError

EUR = "EUR"
D0 = date(2026, 3, 1)


def eur(amount: str) -> Money:
    return Money(amount, EUR)


def item(key: str, amount: str, due: int = 0) -> OpenItem:
    return OpenItem.simple(key, eur(amount), due=D0 + timedelta(days=due))


def account(*items: OpenItem) -> CustomerAccount:
    return CustomerAccount(customer_id="42", currency=EUR, items=items)


def pay(
    acct: CustomerAccount,
    amount: str,
    pid: str,
    policy: OverpaymentPolicy = OverpaymentPolicy.CREDIT_BALANCE,
    **options: object,
) -> CustomerAccount:
    result = acct.allocate(
        eur(amount),
        strategy=Strategy.OLDEST_FIRST,
        paid_on=D0,
        payment_id=pid,
        overpayment=policy,
        **options,
    )
    return acct.apply(result)


# --- customer account ------------------------------------------------------------------------


def test_balance_is_open_items_less_credit() -> None:
    acct = pay(account(item("A", "30.00"), item("B", "20.00", 1)), "60.00", "P-1")
    assert acct.open_total == eur("0.00")
    assert acct.credit_balance == eur("10.00")
    assert acct.balance == eur("-10.00")
    assert acct.open_items == ()


def test_underpayment_leaves_the_rest_open() -> None:
    acct = pay(account(item("A", "30.00"), item("B", "20.00", 1)), "40.00", "P-1")
    assert [(i.key, i.amount_open) for i in acct.open_items] == [("B", eur("10.00"))]
    assert acct.items["A"].amount_open == eur("0.00")


def test_credit_balance_is_used_for_the_next_invoices() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1")
    acct = acct.add(item("B", "15.00", 5), on=D0 + timedelta(days=5))
    acct = acct.use_credit(
        strategy=Strategy.OLDEST_FIRST, on=D0 + timedelta(days=6), payment_id="C-1"
    )
    assert acct.items["B"].amount_open == eur("0.00")
    assert acct.credit_balance == eur("5.00")
    assert acct.balance == eur("-5.00")
    # Reversing the credit use puts the money back on the credit balance, not out to the payer.
    back = acct.reverse("C-1", on=D0 + timedelta(days=7))
    assert back.credit_balance == eur("20.00")
    assert back.items["B"].amount_open == eur("15.00")


def test_use_credit_without_credit_changes_nothing() -> None:
    acct = account(item("A", "30.00"))
    assert acct.use_credit(strategy=Strategy.OLDEST_FIRST, on=D0, payment_id="C") is acct


def test_prepaid_policy_tops_up_the_prepaid_account() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1", OverpaymentPolicy.PREPAID)
    assert acct.prepaid.balance == eur("20.00")
    assert acct.credit_balance == eur("0.00")
    assert acct.prepaid.credited[0].method is TopUpMethod.OVERPAYMENT


def test_refund_policy_records_a_refund_request() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1", OverpaymentPolicy.REFUND)
    assert acct.refunds_due == (RefundRequest("P-1", eur("20.00")),)
    assert acct.refund_paid("P-1").refunds_due == ()
    with pytest.raises(AllocationError):
        acct.refund_paid("P-2")


def test_apply_is_all_or_nothing_for_a_stale_result() -> None:
    acct = account(item("A", "30.00"))
    first = acct.allocate(
        eur("20.00"), strategy=Strategy.OLDEST_FIRST, paid_on=D0, payment_id="P-1"
    )
    second = acct.allocate(
        eur("20.00"), strategy=Strategy.OLDEST_FIRST, paid_on=D0, payment_id="P-2"
    )
    after = acct.apply(first)
    with pytest.raises(AllocationError, match="more on 'A' than is open"):
        after.apply(second)
    assert after.items["A"].amount_open == eur("10.00")
    assert after.allocations.keys() == {"P-1"}
    assert acct.items["A"].amount_open == eur("30.00")  # the original is untouched


def test_apply_refuses_results_it_cannot_book() -> None:
    acct = account(item("A", "30.00"))
    result = acct.allocate(eur("20.00"), strategy=Strategy.OLDEST_FIRST, paid_on=D0)
    with pytest.raises(AllocationError, match="payment_id"):
        acct.apply(result)
    booked = pay(acct, "10.00", "P-1")
    again = acct.allocate(eur("5.00"), strategy=Strategy.OLDEST_FIRST, paid_on=D0, payment_id="P-1")
    with pytest.raises(AllocationError, match="already applied"):
        booked.apply(again)
    foreign = account(item("X", "5.00")).allocate(
        eur("5.00"), strategy=Strategy.OLDEST_FIRST, paid_on=D0, payment_id="P-9"
    )
    with pytest.raises(AllocationError, match="not on the account"):
        acct.apply(foreign)
    undated = acct.allocate(eur("5.00"), strategy=Strategy.OLDEST_FIRST, payment_id="P-8")
    with pytest.raises(ValidationError):
        acct.apply(undated)
    usd = CustomerAccount(customer_id="42", currency="USD")
    with pytest.raises(CurrencyMismatchError):
        usd.apply(result)


def test_reverse_restores_items_and_takes_the_credit_back() -> None:
    original = account(item("A", "30.00"), item("B", "20.00", 1))
    acct = pay(original, "60.00", "P-1")
    back = acct.reverse("P-1", on=D0 + timedelta(days=3))
    assert back.items == original.items
    assert back.credit_balance == eur("0.00")
    assert back.allocations == {}


def test_partial_reverse_takes_the_overpayment_first_then_the_latest_item() -> None:
    acct = pay(account(item("A", "30.00"), item("B", "20.00", 1)), "60.00", "P-1")
    acct = acct.reverse("P-1", eur("15.00"), on=D0)
    assert acct.credit_balance == eur("0.00")
    assert acct.items["B"].amount_open == eur("5.00")
    assert acct.allocations["P-1"].payment == eur("45.00")
    acct = acct.reverse("P-1", eur("45.00"), on=D0)
    assert acct.balance == eur("50.00")


def test_reverse_fails_cleanly_when_the_credit_was_spent() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1")
    acct = acct.add(item("B", "20.00", 3)).use_credit(
        strategy=Strategy.OLDEST_FIRST, on=D0, payment_id="C-1"
    )
    with pytest.raises(AllocationError, match="spent"):
        acct.reverse("P-1", on=D0)
    with pytest.raises(AllocationError, match="no payment"):
        acct.reverse("P-404", on=D0)


def test_reverse_takes_a_prepaid_overpayment_back_or_fails_without_change() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1", OverpaymentPolicy.PREPAID)
    assert acct.reverse("P-1", on=D0).prepaid.balance == eur("0.00")
    spent = attrs_evolve_prepaid(acct, acct.prepaid.charge(eur("15.00")))
    with pytest.raises(InsufficientFundsError):
        spent.reverse("P-1", on=D0)


def attrs_evolve_prepaid(acct: CustomerAccount, prepaid: PrepaidAccount) -> CustomerAccount:
    return attrs.evolve(acct, prepaid=prepaid)


def test_reverse_reduces_a_pending_refund() -> None:
    acct = pay(account(item("A", "30.00")), "50.00", "P-1", OverpaymentPolicy.REFUND)
    partly = acct.reverse("P-1", eur("5.00"), on=D0)
    assert partly.refunds_due == (RefundRequest("P-1", eur("15.00")),)
    with pytest.raises(AllocationError, match="no longer pending"):
        acct.refund_paid("P-1").reverse("P-1", on=D0)


def test_reverse_undoes_discount_and_write_off() -> None:
    discounted = OpenItem.simple(
        "A", eur("100.00"), due=D0, discount=eur("2.00"), discount_until=D0 + timedelta(days=9)
    )
    original = account(discounted, item("B", "10.00", 1))
    acct = pay(original, "107.80", "P-1", tolerance=Tolerance(absolute=eur("0.50")))
    assert acct.open_total == eur("0.00")
    assert acct.reverse("P-1", on=D0).items == original.items


def test_statement_lists_bookings_with_running_balance() -> None:
    acct = CustomerAccount(customer_id="42", currency=EUR, items=[item("OLD", "10.00", -30)])
    acct = acct.add(item("A", "100.00"), on=D0)
    acct = pay(acct, "150.00", "P-1", OverpaymentPolicy.REFUND)
    acct = acct.reverse("P-1", eur("20.00"), on=D0 + timedelta(days=2))
    statement = acct.statement()
    assert statement.opening == eur("10.00")
    assert [(line.entry.kind, line.balance) for line in statement.lines] == [
        (EntryKind.ITEM, eur("110.00")),
        (EntryKind.PAYMENT, eur("-40.00")),
        (EntryKind.TRANSFER, eur("0.00")),
        (EntryKind.REVERSAL, eur("20.00")),
        (EntryKind.TRANSFER, eur("0.00")),
    ]
    assert statement.closing == acct.balance
    later = acct.statement(start=D0 + timedelta(days=1))
    assert later.opening == eur("0.00")
    assert later.closing == acct.balance
    assert acct.statement(end=D0 - timedelta(days=1)).closing == eur("10.00")


def test_account_validation() -> None:
    with pytest.raises(ValidationError):
        CustomerAccount(
            customer_id="42", currency=EUR, items=[item("A", "1.00"), item("A", "2.00")]
        )
    with pytest.raises(ValidationError):
        CustomerAccount(customer_id="42", currency="USD", items=[item("A", "1.00")])
    with pytest.raises(ValidationError):
        CustomerAccount(customer_id="42", currency=EUR, credit_balance=eur("-1.00"))
    with pytest.raises(ValidationError):
        account(item("A", "1.00")).add(item("A", "1.00"))
    with pytest.raises(CurrencyMismatchError):
        account().add(OpenItem.simple("J", Money("5", "JPY"), due=D0))


# --- prepaid account -------------------------------------------------------------------------


def test_real_time_top_ups_are_credited_at_once() -> None:
    acct = PrepaidAccount(currency=EUR)
    for method in (TopUpMethod.CARD, TopUpMethod.PAYPAL, TopUpMethod.SOFORT):
        acct = acct.top_up(eur("10.00"), method=method, reference=method.value)
    assert acct.balance == eur("30.00")
    assert acct.pending == ()


def test_bank_transfer_top_ups_wait_for_release_by_reference() -> None:
    acct = PrepaidAccount(currency=EUR).top_up(
        eur("50.00"), method=TopUpMethod.BANK_TRANSFER, reference="TU-7"
    )
    assert acct.balance == eur("0.00")
    assert acct.pending_amount == eur("50.00")
    with pytest.raises(InsufficientFundsError):
        acct.charge(eur("1.00"))
    released = acct.release(" TU-7 ")
    assert released.balance == eur("50.00")
    assert released.pending == ()
    with pytest.raises(ValidationError):
        released.release("TU-7")


def test_charge_beyond_the_balance_changes_nothing() -> None:
    acct = PrepaidAccount(currency=EUR).top_up(eur("5.00"), method=TopUpMethod.CARD, reference="T")
    with pytest.raises(InsufficientFundsError, match=r"only 5\.00 EUR"):
        acct.charge(eur("5.01"))
    assert acct.balance == eur("5.00")
    assert acct.charged == ()
    charged = acct.charge(eur("5.00"), reference="order-1")
    assert charged.balance == eur("0.00")
    assert charged.charged == (("order-1", eur("5.00")),)


def test_top_up_references_are_unique_and_amounts_checked() -> None:
    acct = PrepaidAccount(currency=EUR).top_up(eur("5.00"), method=TopUpMethod.CARD, reference="T")
    with pytest.raises(ValidationError, match="already used"):
        acct.top_up(eur("5.00"), method=TopUpMethod.BANK_TRANSFER, reference="T")
    with pytest.raises(ValidationError):
        acct.top_up(eur("0.00"), method=TopUpMethod.CARD, reference="U")
    with pytest.raises(CurrencyMismatchError):
        acct.top_up(Money("1.00", "USD"), method=TopUpMethod.CARD, reference="U")
    with pytest.raises(ValidationError):
        acct.charge(eur("-1.00"))


# --- properties ------------------------------------------------------------------------------


@st.composite
def accounts(draw: st.DrawFn) -> CustomerAccount:
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 999),
                st.integers(0, 2_000),
                st.integers(0, 20_000),
                st.integers(0, 40),
            ),
            max_size=8,
            unique_by=lambda row: row[0],
        )
    )
    items = [
        OpenItem(
            key=f"RE-{key}",
            components=[
                Component(ComponentKind.INTEREST, Money.from_minor(interest, EUR)),
                Component(ComponentKind.PRINCIPAL, Money.from_minor(principal, EUR)),
            ],
            due_on=D0 + timedelta(days=due),
        )
        for key, interest, principal, due in rows
    ]
    return account(*items)


@settings(max_examples=60)
@given(
    acct=accounts(),
    strategy=st.sampled_from([s for s in Strategy if s is not Strategy.SPECIFIED]),
    policy=st.sampled_from(list(OverpaymentPolicy)),
    units=st.integers(1, 100_000),
    refund=st.integers(1, 100_000),
)
def test_allocate_then_reverse_restores_the_account(
    acct: CustomerAccount, strategy: Strategy, policy: OverpaymentPolicy, units: int, refund: int
) -> None:
    result = acct.allocate(
        Money.from_minor(units, EUR),
        strategy=strategy,
        paid_on=D0 + timedelta(days=20),
        overpayment=policy,
        payment_id="P-1",
    )
    booked = acct.apply(result)
    assert booked.balance == acct.balance - result.payment + result.top_up + result.refund
    # A partial refund first, then the rest: the same as reversing it all at once.
    part = Money.from_minor(min(refund, units), EUR)
    step = booked.reverse("P-1", part, on=D0)
    restored = step.reverse("P-1", on=D0) if part != result.payment else step
    assert restored.items == acct.items
    assert restored.credit_balance == acct.credit_balance
    assert restored.prepaid.balance == acct.prepaid.balance
    assert restored.refunds_due == ()
    assert restored.allocations == {}
    assert restored.statement().closing == restored.balance


_DERIVED = (
    "currency",
    "rank",
    "units",
    "open_units",
    "discount_units",
    "discount_until_ordinal",
    "due_ordinal",
    "date_rank",
    "statutory_rank",
)


@given(
    st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    st.booleans(),
)
def test_with_units_gives_the_item_built_anew(
    start: list[int], units: list[int], terms: bool
) -> None:
    kinds = list(ComponentKind)
    item = OpenItem(
        key="RE-1",
        components=[
            Component(kind, Money.from_minor(amount, "EUR"))
            for kind, amount in zip(kinds, start, strict=True)
            if amount or kind is ComponentKind.PRINCIPAL
        ],
        due_on=date(2026, 3, 1),
        issued_on=date(2026, 2, 1),
        burden=3,
        discount=Money("2.00", "EUR") if terms else None,
        discount_until=date(2026, 3, 10) if terms else None,
    )
    copy = item.with_units(units)
    kept = {c.kind for c in item.components}
    built = attrs.evolve(
        item,
        components=[
            Component(kind, Money.from_minor(amount, "EUR"))
            for kind, amount in zip(kinds, units, strict=True)
            if amount or kind in kept
        ],
    )
    assert copy == built
    assert [getattr(copy, name) for name in _DERIVED] == [getattr(built, name) for name in _DERIVED]


def test_with_units_refuses_a_negative_amount() -> None:
    item = OpenItem.simple("RE-1", Money("10.00", "EUR"), due=date(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        item.with_units((0, 0, -1))
    assert error.value.field == "amount"
