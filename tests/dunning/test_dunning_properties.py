"""Invariants of DunningPolicy.due over generated customers, invoices and reminder histories."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from payportal import CustomerAccount, Money, OpenItem
from payportal.allocation import Strategy
from payportal.documents import Document, Invoice, LineItem, PaymentState, Reminder
from payportal.dunning import (
    BlockReason,
    ContractualInterest,
    CountedFrom,
    DebtorKind,
    DefaultBegins,
    DunningBlock,
    DunningLevel,
    DunningPolicy,
    StatutoryInterest,
    accrue,
)

START = date(2025, 1, 1)  # every day below lies inside the bundled base-rate table


def eur(units: int) -> Money:
    return Money.from_minor(units, "EUR")


@st.composite
def policies(draw: st.DrawFn) -> DunningPolicy:
    count = draw(st.integers(1, 4))
    levels = []
    last = -1
    for index in range(count):
        from_reminder = index > 0 and draw(st.booleans())
        if from_reminder:
            days = draw(st.integers(1, 20))
        else:
            days = draw(st.integers(last + 1, last + 20))
            last = days
        levels.append(
            DunningLevel(
                days=days,
                fees=eur(draw(st.integers(0, 1500))),
                payment_days=draw(st.integers(0, 21)),
                counted_from=CountedFrom.PREVIOUS_REMINDER
                if from_reminder
                else CountedFrom.DUE_DATE,
            )
        )
    return DunningPolicy(
        levels=levels,
        interest=draw(st.sampled_from([None, StatutoryInterest(), ContractualInterest("8.5")])),
        flat_fee=draw(st.booleans()),
        default_begins=draw(st.sampled_from(DefaultBegins)),
        grace_days=draw(st.integers(0, 5)),
        minimum=[eur(draw(st.integers(0, 3000)))],
    )


@st.composite
def customers(
    draw: st.DrawFn,
) -> tuple[CustomerAccount, list[Document], list[DunningBlock], date]:
    """An account with invoices (some paid, part paid, cancelled, settled on the account),
    earlier reminders, blocks, and a day to dun on."""
    invoices: list[Invoice] = []
    account = CustomerAccount(customer_id="c", currency="EUR")
    for index in range(draw(st.integers(1, 6))):
        due = START + timedelta(days=draw(st.integers(0, 200)))
        invoice = Invoice(
            id=f"i{index}",
            number=f"RE-{index}",
            customer_id="c",
            issued_on=due - timedelta(days=14),
            due_on=due,
            lines=[LineItem(title="x", quantity=1, unit_price=eur(draw(st.integers(1, 10**6))))],
        )
        fate = draw(st.sampled_from(["open", "paid", "part", "cancelled", "settled"]))
        account = account.add(OpenItem.from_document(invoice))
        if fate == "paid":
            invoice = invoice.record_payment(invoice.total)
        elif fate == "part" and invoice.total.minor_units > 1:
            invoice = invoice.record_payment(eur(invoice.total.minor_units // 2))
        elif fate == "cancelled":
            invoice = invoice.cancel()
        elif fate == "settled":
            result = account.allocate(
                invoice.total,
                strategy=Strategy.SPECIFIED,
                specified=[invoice.number],
                paid_on=due,
                payment_id=f"P{index}",
            )
            account = account.apply(result)
        invoices.append(invoice)
    documents: list[Document] = list(invoices)
    for index, invoice in enumerate(invoices):
        for level in range(1, draw(st.integers(0, 3)) + 1):
            assert invoice.due_on is not None
            documents.append(
                Reminder(
                    id=f"r{index}-{level}",
                    number=f"MA-{index}-{level}",
                    customer_id="c",
                    issued_on=invoice.due_on + timedelta(days=10 * level),
                    reminded=[_reminded(invoice)],
                    level=level,
                )
            )
    blocks = [
        DunningBlock(
            customer_id="c",
            reason=BlockReason.DISPUTE,
            invoice_id=f"i{draw(st.integers(0, len(invoices) - 1))}",
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    on = START + timedelta(days=draw(st.integers(30, 430)))
    return account, documents, blocks, on


def _reminded(invoice: Invoice) -> object:
    from payportal.documents import RemindedInvoice  # noqa: PLC0415 - only here

    return RemindedInvoice(invoice_id=invoice.id, number=invoice.number, amount_open=invoice.total)


@given(policies(), customers(), st.sampled_from(DebtorKind))
def test_never_a_reminder_for_a_paid_blocked_small_or_already_reminded_invoice(
    policy: DunningPolicy,
    customer: tuple[CustomerAccount, list[Document], list[DunningBlock], date],
    debtor: DebtorKind,
) -> None:
    account, documents, blocks, on = customer
    proposals = policy.due(account, documents, on=on, blocks=blocks, debtor=debtor)
    invoices = {d.id: d for d in documents if isinstance(d, Invoice)}
    reached: dict[str, int] = {}
    for document in documents:
        if isinstance(document, Reminder):
            for invoice_id in document.invoice_ids:
                reached[invoice_id] = max(reached.get(invoice_id, 0), document.level)
    blocked = {b.invoice_id for b in blocks}
    minimum = policy.minimum_in("EUR")
    assert minimum is not None
    seen: set[str] = set()
    for proposal in proposals:
        assert proposal.on == on
        for line in proposal.invoices:
            invoice = invoices[line.invoice_id]
            assert line.invoice_id not in seen  # one reminder per invoice and run
            seen.add(line.invoice_id)
            assert invoice.state in (PaymentState.OPEN, PaymentState.PARTIALLY_PAID)
            assert account.items[invoice.number].amount_open == line.amount_open
            assert line.amount_open.amount > 0
            assert line.amount_open >= minimum
            assert line.invoice_id not in blocked
            assert proposal.level == reached.get(line.invoice_id, 0) + 1
            assert invoice.due_on is not None
            assert on > invoice.due_on
            assert line.interest.amount >= 0
    levels = [p.level for p in proposals]
    assert levels == sorted(set(levels))


@given(policies(), st.integers(1, 10**7), st.sampled_from(DebtorKind), st.integers(0, 30))
def test_levels_come_in_order_one_at_a_time_and_interest_adds_up(
    policy: DunningPolicy, units: int, debtor: DebtorKind, late: int
) -> None:
    """Run the policy every day and send what it proposes: every invoice goes through the
    levels 1, 2, 3... in order, each once, each no earlier than its days; and the interest of
    all its reminders is the interest of the whole time within a cent per reminder."""
    minimum = policy.minimum_in("EUR")
    assert minimum is not None
    units = max(units, minimum.minor_units)
    due = START
    invoice = Invoice(
        id="i",
        number="RE-1",
        customer_id="c",
        issued_on=due,
        due_on=due,
        lines=[LineItem(title="x", quantity=1, unit_price=eur(units))],
    )
    account = CustomerAccount(customer_id="c", currency="EUR").add(OpenItem.from_document(invoice))
    documents: list[Document] = [invoice]
    sent: list[tuple[date, int]] = []
    interest = 0
    day = due
    while len(sent) < len(policy.levels) and day < due + timedelta(days=200):
        day += timedelta(days=1 + (late if sent else 0))
        for proposal in policy.due(account, documents, on=day, debtor=debtor):
            sent.append((day, proposal.level))
            interest += proposal.interest.minor_units
            documents.append(proposal.to_reminder(id=f"r{len(sent)}", number=f"MA-{len(sent)}"))
    assert [level for _, level in sent] == list(range(1, len(policy.levels) + 1))
    previous = due
    for (day, level), spec in zip(sent, policy.levels, strict=True):
        anchor = previous if spec.counted_from is CountedFrom.PREVIOUS_REMINDER else due
        if level == 1:
            anchor = due
        assert day >= anchor + timedelta(days=spec.days + policy.grace_days)
        assert day > previous
        previous = day
    if policy.interest is not None and sent:
        after_due = policy.default_begins is DefaultBegins.AFTER_DUE_DATE
        start = due if after_due else sent[0][0]
        whole = accrue(
            eur(units), start=start, end=sent[-1][0], rule=policy.interest, debtor=debtor
        )
        assert abs(whole.amount.minor_units - interest) <= len(sent)


Planned = tuple[Invoice, CustomerAccount, tuple[tuple[date, Money], ...], date]


@st.composite
def planned_invoices(draw: st.DrawFn) -> Planned:
    """An invoice under a plan of 1 to 6 instalments that add up to it, maybe a part
    payment, and a day after the invoice's due date to remind on."""
    total = draw(st.integers(100, 10**7))
    due = START + timedelta(days=draw(st.integers(0, 60)))
    inv = Invoice(
        id="inv",
        number="RE-1",
        customer_id="c1",
        issued_on=START,
        due_on=due,
        lines=[LineItem(title="Work", quantity=1, unit_price=eur(total))],
    )
    count = draw(st.integers(1, 6))
    days = sorted(draw(st.lists(st.integers(0, 200), min_size=count, max_size=count)))
    schedule = tuple(
        (due + timedelta(days=day), part)
        for day, part in zip(days, eur(total).split_evenly(count), strict=True)
    )
    account = CustomerAccount(customer_id="c1", currency="EUR").add(OpenItem.from_document(inv))
    paid = draw(st.integers(0, total - 1))
    if paid:
        account = account.apply(
            account.allocate(
                eur(paid),
                strategy=Strategy.OLDEST_FIRST,
                paid_on=due + timedelta(days=draw(st.integers(0, 200))),
                payment_id="P-1",
            )
        )
    on = due + timedelta(days=draw(st.integers(1, 300)))
    return inv, account, schedule, on


@given(planned_invoices(), st.sampled_from([StatutoryInterest(), ContractualInterest("8.5")]))
def test_a_plan_never_demands_more_than_without_it_and_exactly_what_is_due(
    case: Planned,
    interest: StatutoryInterest | ContractualInterest,
) -> None:
    inv, account, schedule, on = case
    policy = DunningPolicy(levels=[DunningLevel(days=0)], interest=interest)
    plain = policy.due(account, [inv], on=on, debtor=DebtorKind.CONSUMER)
    planned = policy.due(
        account, [inv], on=on, debtor=DebtorKind.CONSUMER, instalments={inv.id: schedule}
    )
    open_now = account.items["RE-1"].amount_open
    to_come = sum((part for day, part in schedule if day >= on), eur(0))
    if open_now <= to_come:
        assert planned == ()
        return
    [line] = planned[0].invoices
    assert line.amount_open == open_now - to_come
    [whole] = plain[0].invoices
    assert line.interest <= whole.interest
    # Interest runs only on money in default, never on more than the invoice.
    assert all(eur(0) < period.principal <= inv.total for period in line.interest_periods)
