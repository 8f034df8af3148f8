"""DunningPolicy.due: which invoices get a reminder, at which level, with which charges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from payportal import Customer, CustomerAccount, Money, OpenItem, ValidationError
from payportal.allocation import Strategy
from payportal.documents import Invoice, LineItem, PaymentState, RemindedInvoice, Reminder
from payportal.dunning import (
    FLAT_FEE,
    BlockReason,
    ContractualInterest,
    CountedFrom,
    DebtorKind,
    DefaultBegins,
    DunningBlock,
    DunningLevel,
    DunningPolicy,
    StatutoryInterest,
)

DUE = date(2026, 3, 1)
PERSON = Customer(id="c1", number="K-1", name="Erika Muster")
FIRM = Customer(id="c1", number="K-1", name="Max Muster", company="Muster GmbH")


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def invoice(
    number: str = "RE-1", amount: str = "100.00", due: date = DUE, currency: str = "EUR"
) -> Invoice:
    return Invoice(
        id=f"id-{number}",
        number=number,
        customer_id="c1",
        issued_on=due - timedelta(days=14),
        due_on=due,
        currency=currency,
        lines=[LineItem(title="Work", quantity=1, unit_price=Money(amount, currency))],
    )


def account_of(*invoices: Invoice) -> CustomerAccount:
    currency = invoices[0].currency if invoices else "EUR"
    account = CustomerAccount(customer_id="c1", currency=currency)
    for inv in invoices:
        account = account.add(OpenItem.from_document(inv))
    return account


def reminder_of(inv: Invoice, level: int, on: date, **fields: object) -> Reminder:
    return Reminder(
        id=f"rem-{inv.number}-{level}",
        number=f"MA-{inv.number}-{level}",
        customer_id="c1",
        issued_on=on,
        reminded=[
            RemindedInvoice(
                invoice_id=inv.id, number=inv.number, amount_open=inv.total, due_on=inv.due_on
            )
        ],
        level=level,
        **fields,  # type: ignore[arg-type]
    )


THREE_LEVELS = (
    DunningLevel(days=7, title="Zahlungserinnerung"),
    DunningLevel(days=14, fees=eur("5.00"), counted_from=CountedFrom.PREVIOUS_REMINDER),
    DunningLevel(days=14, fees=[eur("10.00"), Money("12.00", "CHF")], payment_days=7,
                 counted_from=CountedFrom.PREVIOUS_REMINDER),
)  # fmt: skip


def policy(**fields: object) -> DunningPolicy:
    return DunningPolicy(levels=THREE_LEVELS, **fields)  # type: ignore[arg-type]


# --- when ---------------------------------------------------------------------------------


def test_first_level_is_due_its_days_after_the_due_date_plus_grace() -> None:
    inv = invoice()
    account = account_of(inv)
    assert policy().due(account, [inv], on=DUE + timedelta(days=6)) == ()
    [proposal] = policy().due(account, [inv], on=DUE + timedelta(days=7))
    assert (proposal.level, proposal.title, proposal.on) == (
        1,
        "Zahlungserinnerung",
        DUE + timedelta(days=7),
    )
    assert proposal.due_on == DUE + timedelta(days=7 + 14)
    assert [i.number for i in proposal.invoices] == ["RE-1"]
    assert proposal.principal == eur("100.00")
    assert proposal.charges == eur("0.00")
    graced = policy(grace_days=3)
    assert graced.due(account, [inv], on=DUE + timedelta(days=9)) == ()
    assert graced.due(account, [inv], on=DUE + timedelta(days=10))


def test_next_level_counts_from_the_previous_reminder_and_never_skips_one() -> None:
    inv = invoice()
    account = account_of(inv)
    # A year overdue and never reminded: level 1, not level 3.
    [proposal] = policy().due(account, [inv], on=DUE + timedelta(days=365))
    assert proposal.level == 1
    first = reminder_of(inv, 1, DUE + timedelta(days=10))
    assert policy().due(account, [inv, first], on=DUE + timedelta(days=23)) == ()
    [proposal] = policy().due(account, [inv, first], on=DUE + timedelta(days=24))
    assert (proposal.level, proposal.fee) == (2, eur("5.00"))
    second = reminder_of(inv, 2, DUE + timedelta(days=24))
    [proposal] = policy().due(account, [inv, first, second], on=DUE + timedelta(days=38))
    assert (proposal.level, proposal.fee, proposal.due_on) == (
        3,
        eur("10.00"),
        DUE + timedelta(days=45),
    )
    third = reminder_of(inv, 3, DUE + timedelta(days=38))
    # Every level had: nothing more (collection is the merchant's next step).
    assert policy().due(account, [inv, first, second, third], on=DUE + timedelta(days=400)) == ()


def test_a_level_counted_from_the_due_date() -> None:
    levels = [DunningLevel(days=7), DunningLevel(days=21)]
    inv = invoice()
    first = reminder_of(inv, 1, DUE + timedelta(days=20))
    rules = DunningPolicy(levels=levels)
    assert rules.due(account_of(inv), [inv, first], on=DUE + timedelta(days=20)) == ()
    [proposal] = rules.due(account_of(inv), [inv, first], on=DUE + timedelta(days=21))
    assert proposal.level == 2


def test_a_cancelled_reminder_does_not_count() -> None:
    inv = invoice()
    first = reminder_of(inv, 1, DUE + timedelta(days=8)).cancel()
    [proposal] = policy().due(account_of(inv), [inv, first], on=DUE + timedelta(days=30))
    assert proposal.level == 1


def test_not_overdue_not_reminded() -> None:
    levels = [DunningLevel(days=0)]
    inv = invoice()
    assert DunningPolicy(levels=levels).due(account_of(inv), [inv], on=DUE) == ()
    assert DunningPolicy(levels=levels).due(account_of(inv), [inv], on=DUE + timedelta(days=1))


# --- never ----------------------------------------------------------------------------------

LATE = DUE + timedelta(days=60)


def test_paid_or_cancelled_invoices_are_never_reminded() -> None:
    inv = invoice()
    paid = inv.record_payment(eur("100.00"))
    assert paid.state is PaymentState.PAID
    assert policy().due(account_of(inv), [paid], on=LATE) == ()
    assert policy().due(account_of(inv), [inv.cancel()], on=LATE) == ()


def test_an_invoice_settled_on_the_account_is_not_reminded() -> None:
    inv, other = invoice(), invoice("RE-2", "50.00")
    account = account_of(inv, other)
    result = account.allocate(
        eur("100.00"),
        strategy=Strategy.SPECIFIED,
        specified=["RE-1"],
        paid_on=DUE + timedelta(days=2),
        payment_id="P-1",
    )
    account = account.apply(result)
    [proposal] = policy().due(account, [inv, other], on=LATE)
    assert [i.number for i in proposal.invoices] == ["RE-2"]


def test_an_account_in_credit_gets_no_reminder() -> None:
    inv = invoice()
    account = attrs.evolve(account_of(inv), credit_balance=eur("100.00"))
    assert policy().due(account, [inv], on=LATE) == ()


def test_blocked_invoices_and_customers_are_not_reminded() -> None:
    inv, other = invoice(), invoice("RE-2")
    account = account_of(inv, other)
    dispute = DunningBlock(customer_id="c1", reason=BlockReason.DISPUTE, invoice_id=inv.id)
    [proposal] = policy().due(account, [inv, other], on=LATE, blocks=[dispute])
    assert [i.number for i in proposal.invoices] == ["RE-2"]
    plan = DunningBlock(customer_id="c1", reason=BlockReason.PAYMENT_PLAN, until=LATE)
    assert policy().due(account, [inv, other], on=LATE, blocks=[plan]) == ()
    # A block ends after its last day; another customer's block does not apply.
    assert policy().due(account, [inv, other], on=LATE + timedelta(days=1), blocks=[plan])
    foreign = DunningBlock(customer_id="c2", reason=BlockReason.OTHER)
    assert policy().due(account, [inv, other], on=LATE, blocks=[foreign])


def test_invoices_under_the_minimum_are_not_reminded() -> None:
    small, large = invoice("RE-1", "9.99"), invoice("RE-2", "10.00")
    rules = policy(minimum=[eur("10.00"), Money("15.00", "CHF")])
    [proposal] = rules.due(account_of(small, large), [small, large], on=LATE)
    assert [i.number for i in proposal.invoices] == ["RE-2"]


def test_one_reminder_per_level_with_its_invoices_oldest_first() -> None:
    a = invoice("RE-1", due=DUE)
    b = invoice("RE-2", due=DUE - timedelta(days=5))
    c = invoice("RE-3", due=DUE - timedelta(days=30))
    first = reminder_of(c, 1, DUE - timedelta(days=20))
    proposals = policy().due(account_of(a, b, c), [a, b, c, first], on=LATE)
    assert [(p.level, [i.number for i in p.invoices]) for p in proposals] == [
        (1, ["RE-2", "RE-1"]),
        (2, ["RE-3"]),
    ]


# --- charges ------------------------------------------------------------------------------


def test_interest_runs_from_the_due_date_then_from_the_last_reminder() -> None:
    inv = invoice("RE-1", "1000.00")
    rules = policy(interest=StatutoryInterest())
    on = DUE + timedelta(days=10)
    [proposal] = rules.due(account_of(inv), [inv], on=on, customer=PERSON)
    # 10 days at 1.27 + 5 = 6.27 %: 1000 x 0.0627 x 10 / 365 = 1.7178 -> 1.72.
    assert proposal.interest == eur("1.72")
    [piece] = proposal.invoices[0].interest_periods
    assert (piece.first, piece.last, piece.rate) == (DUE + timedelta(days=1), on, Decimal("6.27"))
    first = reminder_of(inv, 1, on)
    [proposal] = rules.due(
        account_of(inv), [inv, first], on=on + timedelta(days=14), customer=PERSON
    )
    assert proposal.invoices[0].interest_periods[0].first == on + timedelta(days=1)
    assert proposal.interest == eur("2.40")  # 14 days: 2.4049...


def test_business_debtors_pay_nine_points_and_the_flat_fee_once() -> None:
    inv = invoice("RE-1", "1000.00")
    rules = policy(interest=StatutoryInterest(), flat_fee=True)
    on = DUE + timedelta(days=10)
    [proposal] = rules.due(account_of(inv), [inv], on=on, customer=FIRM)
    assert proposal.interest == eur("2.81")  # 1000 x 0.1027 x 10 / 365 = 2.8137
    assert proposal.invoices[0].flat_fee == FLAT_FEE == eur("40.00")
    first = reminder_of(inv, 1, on)
    [proposal] = rules.due(account_of(inv), [inv, first], on=on + timedelta(days=14), customer=FIRM)
    # Claimed once per invoice; the level fee (5.00) is credited against it (§ 288(5) s. 3).
    assert proposal.invoices[0].flat_fee == eur("0.00")
    assert proposal.fee == eur("0.00")
    reminder = proposal.to_reminder(id="rem-2", number="MA-2")
    assert (reminder.level, reminder.fee, reminder.interest) == (2, eur("0.00"), proposal.interest)


def test_consumers_and_other_currencies_get_no_flat_fee() -> None:
    inv = invoice()
    rules = policy(flat_fee=True)
    first = reminder_of(inv, 1, DUE + timedelta(days=8))
    [proposal] = rules.due(account_of(inv), [inv, first], on=LATE, debtor=DebtorKind.CONSUMER)
    assert (proposal.flat_fees, proposal.fee) == (eur("0.00"), eur("5.00"))
    chf = invoice(currency="CHF")
    rules = DunningPolicy(levels=[DunningLevel(days=7, fees=Money("3.00", "CHF"))], flat_fee=True)
    [proposal] = rules.due(account_of(chf), [chf], on=LATE, customer=FIRM)
    # § 288(5) names euros: no flat fee on a CHF invoice, so the level fee stays.
    assert (proposal.flat_fees, proposal.fee) == (Money("0.00", "CHF"), Money("3.00", "CHF"))


def test_a_level_without_a_fee_in_the_currency_raises() -> None:
    chf = invoice(currency="CHF")
    first = reminder_of(chf, 1, DUE + timedelta(days=8), currency="CHF")
    second = reminder_of(chf, 2, DUE + timedelta(days=30), currency="CHF")
    [proposal] = policy().due(account_of(chf), [chf, first, second], on=LATE)
    assert proposal.fee == Money("12.00", "CHF")
    rules = DunningPolicy(levels=[DunningLevel(days=1, fees=eur("2.50"))])
    with pytest.raises(ValidationError, match="no fee in CHF") as caught:
        rules.due(account_of(chf), [chf], on=LATE)
    assert caught.value.field == "levels[0].fees"


def test_default_with_the_first_reminder_starts_interest_and_flat_fee_there() -> None:
    inv = invoice("RE-1", "1000.00")
    rules = policy(
        interest=ContractualInterest("10"),
        flat_fee=True,
        default_begins=DefaultBegins.WITH_FIRST_REMINDER,
    )
    [proposal] = rules.due(account_of(inv), [inv], on=LATE, customer=FIRM)
    assert (proposal.level, proposal.interest, proposal.flat_fees) == (1, eur("0.00"), eur("0.00"))
    first = reminder_of(inv, 1, LATE)
    on = LATE + timedelta(days=14)
    [proposal] = rules.due(account_of(inv), [inv, first], on=on, customer=FIRM)
    assert proposal.flat_fees == eur("40.00")
    assert proposal.invoices[0].interest_periods[0].first == LATE + timedelta(days=1)
    assert proposal.interest == eur("3.84")  # 1000 x 10 % x 14 / 365 = 3.8356
    second = reminder_of(inv, 2, on)
    [proposal] = rules.due(
        account_of(inv), [inv, first, second], on=on + timedelta(14), customer=FIRM
    )
    assert proposal.flat_fees == eur("0.00")


def test_a_part_payment_lowers_the_principal_and_its_interest_from_its_day() -> None:
    inv = invoice("RE-1", "1000.00")
    account = account_of(inv)
    paid_on = DUE + timedelta(days=5)
    account = account.apply(
        account.allocate(
            eur("600.00"), strategy=Strategy.OLDEST_FIRST, paid_on=paid_on, payment_id="P-1"
        )
    )
    rules = policy(interest=ContractualInterest("10"))
    [proposal] = rules.due(account, [inv], on=DUE + timedelta(days=10))
    [line] = proposal.invoices
    assert line.amount_open == eur("400.00")
    assert [(p.days, p.principal) for p in line.interest_periods] == [
        (5, eur("1000.00")),
        (5, eur("400.00")),
    ]
    assert line.interest == eur("1.92")  # (5000 + 2000) x 10 % / 365 = 1.9178


def test_to_reminder_builds_the_document() -> None:
    inv = invoice("RE-1", "1000.00")
    rules = policy(interest=StatutoryInterest(), flat_fee=True)
    [proposal] = rules.due(account_of(inv), [inv], on=DUE + timedelta(days=10), customer=FIRM)
    reminder = proposal.to_reminder(id="rem-1", number="MA-1")
    assert reminder.customer_id == "c1"
    assert reminder.issued_on == DUE + timedelta(days=10)
    assert reminder.due_on == proposal.due_on
    assert reminder.fee == eur("40.00")
    assert reminder.interest == eur("2.81")
    assert reminder.invoice_ids == (inv.id,)
    assert reminder.principal == eur("1000.00")
    assert reminder.total == proposal.total == eur("1042.81")
    assert reminder.title == "Zahlungserinnerung"


# --- errors -------------------------------------------------------------------------------


def test_policy_validation_names_the_field() -> None:
    with pytest.raises(ValidationError, match="at least one level"):
        DunningPolicy(levels=[])
    with pytest.raises(ValidationError) as caught:
        DunningPolicy(levels=[DunningLevel(days=14), DunningLevel(days=14)])
    assert caught.value.field == "levels[1].days"
    with pytest.raises(ValidationError) as caught:
        DunningPolicy(
            levels=[
                DunningLevel(days=1),
                DunningLevel(days=0, counted_from=CountedFrom.PREVIOUS_REMINDER),
            ]
        )
    assert caught.value.field == "levels[1].days"
    with pytest.raises(ValidationError, match="twice"):
        DunningLevel(days=1, fees=[eur("1.00"), eur("2.00")])
    with pytest.raises(ValidationError) as caught:
        DunningLevel(days=1, fees={"EUR": eur("-1.00")})
    assert caught.value.field == "fees[0]"
    with pytest.raises(ValidationError) as caught:
        DunningLevel(days=-1)
    assert caught.value.field == "days"
    with pytest.raises(ValidationError) as caught:
        DunningPolicy(levels=THREE_LEVELS, interest="5%")  # type: ignore[arg-type]
    assert caught.value.field == "interest"


def test_due_refuses_documents_and_customers_of_another_account() -> None:
    inv = invoice()
    account = account_of(inv)
    stranger = attrs.evolve(inv, customer_id="c2")
    with pytest.raises(ValidationError) as caught:
        policy().due(account, [inv, stranger], on=LATE)
    assert caught.value.field == "documents[1].customer_id"
    with pytest.raises(ValidationError) as caught:
        policy().due(account, [inv], on=LATE, customer=attrs.evolve(PERSON, id="c2"))
    assert caught.value.field == "customer.id"
    with pytest.raises(ValidationError, match="currency EUR"):
        policy().due(account, [invoice("RE-2", currency="CHF")], on=LATE)
    with pytest.raises(ValidationError) as caught:
        policy().due(account, [inv], on="2026-05-01")  # type: ignore[arg-type]
    assert caught.value.field == "on"


def test_statutory_interest_and_flat_fee_need_to_know_the_debtor() -> None:
    inv = invoice()
    with pytest.raises(ValidationError, match="consumer") as caught:
        policy(interest=StatutoryInterest()).due(account_of(inv), [inv], on=LATE)
    assert caught.value.field == "debtor"
    with pytest.raises(ValidationError, match="business debtors") as caught:
        policy(flat_fee=True).due(account_of(inv), [inv], on=LATE)
    # Past the base-rate table, statutory interest is not guessed.
    with pytest.raises(ValidationError, match="outside the base-rate table"):
        policy(interest=StatutoryInterest()).due(
            account_of(inv), [inv], on=date(2026, 7, 1), customer=PERSON
        )


# --- with reminders on the account ----------------------------------------------------------


def test_reminders_booked_as_demands_and_paid_through_their_number() -> None:
    """The proposed reminder on the account holds only its charges, so the next level sees
    the invoice's principal once; a payment quoting the reminder pays its charges, then the
    invoice (§ 367 BGB), which lowers the principal and its interest from the payment's day."""
    inv = invoice("RE-1", "300.00")
    rules = DunningPolicy(
        levels=[
            DunningLevel(days=7, fees=eur("2.50")),
            DunningLevel(days=14, fees=eur("5.00"), counted_from=CountedFrom.PREVIOUS_REMINDER),
        ],
        interest=StatutoryInterest(),
    )
    account = account_of(inv)
    [first] = rules.due(account, [inv], on=DUE + timedelta(days=9), customer=PERSON)
    reminder = first.to_reminder(id="rem-1", number="MA-1")
    account = account.add(OpenItem.from_document(reminder))
    assert account.open_total == reminder.total == eur("300.00") + first.charges
    paid_on = DUE + timedelta(days=15)
    account = account.apply(
        account.allocate(
            eur("100.00"),
            strategy=Strategy.SPECIFIED,
            specified=["MA-1"],
            paid_on=paid_on,
            payment_id="P-1",
        )
    )
    principal = eur("300.00") - (eur("100.00") - first.charges)
    [second] = rules.due(account, [inv, reminder], on=DUE + timedelta(days=23), customer=PERSON)
    assert (second.level, second.principal) == (2, principal)
    assert [(p.last, p.principal) for p in second.invoices[0].interest_periods] == [
        (paid_on, eur("300.00")),
        (DUE + timedelta(days=23), principal),
    ]
    rest = account.open_total
    account = account.apply(
        account.allocate(
            rest,
            strategy=Strategy.SPECIFIED,
            specified=["MA-1"],
            paid_on=paid_on + timedelta(days=1),
            payment_id="P-2",
        )
    )
    assert rules.due(account, [inv, reminder], on=DUE + timedelta(days=60), customer=PERSON) == ()


def test_a_policy_pickles_and_hashes_for_worker_processes() -> None:
    import pickle  # noqa: PLC0415 - only this test

    rules = policy(interest=StatutoryInterest(), flat_fee=True, minimum=eur("1.00"))
    again = pickle.loads(pickle.dumps(rules))
    assert again == rules
    assert hash(again) == hash(rules)
    assert again.levels[2].fees == (Money("12.00", "CHF"), eur("10.00"))  # sorted by currency


def test_an_agreed_due_date_moves_levels_default_and_interest() -> None:
    inv = invoice()
    policy = DunningPolicy(levels=THREE_LEVELS[:1], interest=StatutoryInterest())
    agreed = {inv.id: DUE + timedelta(days=30)}
    assert policy.due(account_of(inv), [inv], on=DUE + timedelta(days=36), customer=PERSON,
                      due_dates=agreed) == ()  # fmt: skip
    later = policy.due(
        account_of(inv), [inv], on=DUE + timedelta(days=37), customer=PERSON, due_dates=agreed
    )
    without = policy.due(account_of(inv), [inv], on=DUE + timedelta(days=37), customer=PERSON)
    assert later[0].invoices[0].due_on == DUE + timedelta(days=30)
    assert later[0].interest < without[0].interest  # 7 days of interest, not 37
    assert later[0].invoices[0].interest_periods[0].first == DUE + timedelta(days=31)
    with pytest.raises(ValidationError) as error:
        policy.due(account_of(inv), [inv], on=DUE, customer=PERSON, due_dates={inv.id: "soon"})  # type: ignore[dict-item]
    assert error.value.field == f"due_dates[{inv.id!r}]"


# --- instalment plans -----------------------------------------------------------------------

# 300.00 in three instalments of 100.00, due on DUE, 30 and 60 days later.
PLAN = ((DUE, eur("100.00")), (DUE + timedelta(days=30), eur("100.00")),
        (DUE + timedelta(days=60), eur("100.00")))  # fmt: skip


def test_under_a_plan_a_reminder_demands_the_instalments_due_not_the_invoice() -> None:
    inv = invoice("RE-1", "300.00")
    rules = DunningPolicy(levels=THREE_LEVELS[:1])
    plan = {inv.id: PLAN}
    # Seven days after the first instalment: that one is due, the two others are not.
    [proposal] = rules.due(account_of(inv), [inv], on=DUE + timedelta(days=7), instalments=plan)
    assert proposal.invoices[0].amount_open == eur("100.00")
    # After the second instalment's date both are due.
    [proposal] = rules.due(account_of(inv), [inv], on=DUE + timedelta(days=31), instalments=plan)
    assert proposal.invoices[0].amount_open == eur("200.00")
    # Without the plan, the whole invoice.
    [proposal] = rules.due(account_of(inv), [inv], on=DUE + timedelta(days=7))
    assert proposal.invoices[0].amount_open == eur("300.00")


def test_under_a_plan_payments_count_and_nothing_due_means_no_reminder() -> None:
    inv = invoice("RE-1", "300.00")
    rules = DunningPolicy(levels=THREE_LEVELS[:1])
    account = account_of(inv)
    paid = account.apply(
        account.allocate(
            eur("150.00"), strategy=Strategy.OLDEST_FIRST, paid_on=DUE, payment_id="P-1"
        )
    )
    on = DUE + timedelta(days=35)  # two instalments due (200.00), 150.00 paid
    [proposal] = rules.due(paid, [inv], on=on, instalments={inv.id: PLAN})
    assert proposal.invoices[0].amount_open == eur("50.00")
    # Paid ahead: the open 150.00 is less than what is not yet due.
    assert rules.due(paid, [inv], on=DUE + timedelta(days=7), instalments={inv.id: PLAN}) == ()


def test_under_a_plan_interest_runs_on_the_principal_in_default_day_by_day() -> None:
    inv = invoice("RE-1", "300.00")
    account = account_of(inv)
    paid = account.apply(
        account.allocate(
            eur("50.00"),
            strategy=Strategy.OLDEST_FIRST,
            paid_on=DUE + timedelta(days=10),
            payment_id="P-1",
        )
    )
    rules = DunningPolicy(levels=THREE_LEVELS[:1], interest=ContractualInterest("10"))
    [proposal] = rules.due(paid, [inv], on=DUE + timedelta(days=45), instalments={inv.id: PLAN})
    [line] = proposal.invoices
    # In default: 100.00 for 10 days, 50.00 after the payment until the second instalment's
    # date (20 days), then 150.00 (15 days): (1000 + 1000 + 2250) x 10 % / 365 = 1.1644.
    assert [(p.days, p.principal) for p in line.interest_periods] == [
        (10, eur("100.00")),
        (20, eur("50.00")),
        (15, eur("150.00")),
    ]
    assert line.interest == eur("1.16")
    assert line.amount_open == eur("150.00")


def test_a_plan_whose_instalments_are_all_due_reminds_as_if_there_were_none() -> None:
    inv = invoice("RE-1", "300.00")
    rules = DunningPolicy(levels=THREE_LEVELS[:1], interest=StatutoryInterest())
    on = DUE + timedelta(days=90)
    due_first = {inv.id: DUE - timedelta(days=1)}
    with_plan = rules.due(
        account_of(inv), [inv], on=on, customer=PERSON, due_dates=due_first,
        instalments={inv.id: ((DUE - timedelta(days=1), eur("300.00")),)},
    )  # fmt: skip
    without = rules.due(account_of(inv), [inv], on=on, customer=PERSON, due_dates=due_first)
    assert with_plan == without


@pytest.mark.parametrize(
    ("instalments", "field"),
    [
        ({"id-RE-1": [(DUE, "100.00")]}, "instalments['id-RE-1'][0]"),
        ({"id-RE-1": [(DUE, Money("100.00", "CHF"))]}, "instalments['id-RE-1'][0]"),
        ({"id-RE-1": [(DUE, eur("0.00"))]}, "instalments['id-RE-1'][0]"),
        ({"id-RE-1": [("2026-03-01", eur("1.00"))]}, "instalments['id-RE-1'][0]"),
        ({"id-RE-1": [DUE]}, "instalments['id-RE-1'][0]"),
        ([(DUE, eur("1.00"))], "instalments"),
    ],
)
def test_instalments_that_are_not_dates_and_money_are_refused(
    instalments: object, field: str
) -> None:
    inv = invoice()
    with pytest.raises(ValidationError) as error:
        policy().due(account_of(inv), [inv], on=LATE, instalments=instalments)  # type: ignore[arg-type]
    assert error.value.field == field
