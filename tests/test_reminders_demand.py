"""Reminders are demands, not debts; dunning stops on payment (issue 23, items 1 and 3).

A reminder's open item holds only its charges and names the reminded invoices' items
(``OpenItem.reminds``); paying the reminder pays costs, then interest, then principal,
oldest first (BGB §367(1)); what is due is listed once (``CustomerAccount.dues``); a
settled invoice brings its reminders up to date and publishes ``dunning.stopped``; a fee
is waived with a journal record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import event as note_event
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.accounts import Component, ComponentKind, CustomerAccount, EntryKind, OpenItem
from payportal.allocation import Strategy, Tolerance, allocate
from payportal.booking import (
    BookingDecision,
    CreditNotePolicy,
    EventKind,
    Outcome,
    PaymentEvent,
    PaymentIntent,
    Portal,
    Purpose,
    book,
    decide,
    decide_credit_note,
    decide_waiver,
    journal,
    journal_lines,
    save_intent,
    waive_fee,
)
from payportal.customers import BankAccount
from payportal.documents import (
    CreditNote,
    Document,
    Invoice,
    LineItem,
    PayableDocument,
    PaymentState,
    RemindedInvoice,
    Reminder,
)
from payportal.exceptions import (
    CurrencyMismatchError,
    InvalidTransitionError,
    ValidationError,
)
from payportal.providers.bank_transfer import BankTransfer
from payportal.reconciliation import Direction, StatementEntry, book_approved, reconcile
from payportal.serialization import dump, load
from payportal.storage import StorageTransferStore
from payportal.testing._memory_storage import MemoryStorage

COSTS, INTEREST, PRINCIPAL = ComponentKind
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
BANK = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH", bic="COBADEFFXXX")


def m(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


def invoice(n: int, cents: int, *, due: date | None = None) -> Invoice:
    due_on = due or date(2026, 3, 1) + timedelta(days=n)
    return Invoice(
        id=f"inv-{n}",
        number=f"RE-{n}",
        customer_id="42",
        issued_on=due_on - timedelta(days=14),
        due_on=due_on,
        lines=[LineItem(title="Work", quantity=1, unit_price=m(cents), tax_rate=Decimal(0))],
    )


def reminder(
    n: int,
    invoices: list[Invoice],
    *,
    level: int = 1,
    fee: int = 500,
    interest: int = 0,
    issued: date = date(2026, 4, 1),
) -> Reminder:
    return Reminder(
        id=f"rem-{n}",
        number=f"MA-{n}",
        customer_id="42",
        issued_on=issued,
        due_on=issued + timedelta(days=10),
        level=level,
        fee=m(fee),
        interest=m(interest),
        reminded=[
            RemindedInvoice(
                invoice_id=i.id, number=i.number, amount_open=i.amount_due, due_on=i.due_on
            )
            for i in invoices
        ],
    )


def account_of(documents: list[PayableDocument]) -> CustomerAccount:
    account = CustomerAccount(customer_id="42", currency="EUR")
    for document in documents:
        account = account.add(OpenItem.from_document(document))
    return account


def intent(
    cents: int, *, keys: tuple[str, ...] = (), intent_id: str = "pi-1", method: str = "card"
) -> PaymentIntent:
    return PaymentIntent(
        id=intent_id,
        customer_id="42",
        amount=m(cents),
        purpose=Purpose.DOCUMENTS if keys else Purpose.AMOUNT,
        item_keys=keys,
        reference=f"ref-{intent_id}",
        provider="payengine",
        method=method,
        created_at=T0,
    )


def event(kind: EventKind, cents: int, key: str) -> PaymentEvent:
    return PaymentEvent(
        kind=kind,
        provider="payengine",
        provider_payment_id="P-1",
        movement_key=f"payengine:{key}",
        occurred_at=T0,
        amount=m(cents),
    )


class Books:
    """An account and its documents, as the booking path leaves them after each decision."""

    def __init__(self, documents: list[PayableDocument]) -> None:
        self.account = account_of(documents)
        self.documents: dict[str, PayableDocument] = {d.number: d for d in documents}

    def take(self, decision: BookingDecision) -> BookingDecision:
        self.account = decision.account
        self.documents.update({d.number: d for d in decision.documents})
        return decision

    def pay(self, cents: int, *keys: str, intent_id: str = "pi-1") -> BookingDecision:
        chosen = intent(cents, keys=keys, intent_id=intent_id)
        return self.take(
            decide(self.account, self.docs(), chosen, event(EventKind.CAPTURED, cents, intent_id))
        )

    def docs(self) -> list[Document]:
        return list(self.documents.values())

    def state(self, number: str) -> tuple[PaymentState, Money]:
        document = self.documents[number]
        return document.state, document.amount_due


def lines(result: object) -> list[tuple[str, ComponentKind, int]]:
    return [(line.item, line.component, line.amount.minor_units) for line in result.lines]  # type: ignore[attr-defined]


# -- the reminder's own item ---------------------------------------------------------------


def test_a_reminders_item_holds_its_charges_and_the_account_counts_the_principal_once() -> None:
    first, second = invoice(1, 10_000), invoice(2, 5_000)
    rem = reminder(1, [first, second], fee=500, interest=120)
    account = account_of([first, second, rem])
    item = account.items["MA-1"]
    assert (item.units, item.reminds) == ((500, 120, 0), ("RE-1", "RE-2"))
    # The printed total is principal and charges as of the reminder's date.
    assert rem.total == m(15_620)
    assert rem.charges == m(620)
    assert account.open_total == m(15_620)


@pytest.mark.parametrize(
    ("reminds", "field"),
    [
        (["MA-1"], "reminds[0]"),
        (["RE-1", "RE-1"], "reminds[1]"),
        ([" RE-1"], "reminds[0]"),
        ([""], "reminds[0]"),
        ([7], "reminds[0]"),
    ],
)
def test_reminds_must_name_other_items_once(reminds: list[object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        OpenItem(
            key="MA-1",
            components=[Component(COSTS, m(500))],
            due_on=date(2026, 4, 1),
            reminds=reminds,
        )
    assert error.value.field == field


def test_items_that_remind_round_trip_through_serialization_and_old_data_still_loads() -> None:
    first = invoice(1, 10_000)
    account = account_of([first, reminder(1, [first])])
    assert load(dump(account), CustomerAccount) == account
    stored = dump(account.items["MA-1"])
    del stored["data"]["reminds"]  # as payportal stored items before reminders named them
    assert load(stored, OpenItem).reminds == ()


# -- BGB §367: costs, interest, principal oldest first ----------------------------------------


def demand_items() -> list[OpenItem]:
    later, older = invoice(1, 10_000), invoice(2, 5_000, due=date(2026, 2, 1))
    return [
        OpenItem.from_document(d)
        for d in (later, older, reminder(1, [later, older], fee=500, interest=120))
    ]


@pytest.mark.parametrize(
    ("cents", "expected", "unapplied"),
    [
        (300, [("MA-1", COSTS, 300)], 0),
        (550, [("MA-1", COSTS, 500), ("MA-1", INTEREST, 50)], 0),
        (
            6000,
            [
                ("MA-1", COSTS, 500),
                ("MA-1", INTEREST, 120),
                ("RE-2", PRINCIPAL, 5000),
                ("RE-1", PRINCIPAL, 380),
            ],
            0,
        ),
        (
            20_000,
            [
                ("MA-1", COSTS, 500),
                ("MA-1", INTEREST, 120),
                ("RE-2", PRINCIPAL, 5000),
                ("RE-1", PRINCIPAL, 10_000),
            ],
            4380,
        ),
    ],
)
def test_paying_a_reminder_pays_costs_then_interest_then_principal_oldest_first(
    cents: int, expected: list[tuple[str, ComponentKind, int]], unapplied: int
) -> None:
    result = allocate(m(cents), demand_items(), strategy=Strategy.SPECIFIED, specified="MA-1")
    assert lines(result) == expected
    assert result.unapplied == m(unapplied)


@given(
    fee=st.integers(0, 2_000),
    interest=st.integers(0, 2_000),
    principals=st.lists(st.integers(1, 50_000), min_size=1, max_size=4),
    dues=st.lists(st.integers(0, 60), min_size=4, max_size=4, unique=True),
    payment=st.integers(1, 250_000),
    other=st.integers(0, 9_000),
)
def test_bgb_367_order_holds_for_any_reminder_and_payment(
    fee: int, interest: int, principals: list[int], dues: list[int], payment: int, other: int
) -> None:
    invoices = [
        invoice(n, cents, due=date(2026, 1, 1) + timedelta(days=dues[n]))
        for n, cents in enumerate(principals)
    ]
    unrelated = [invoice(9, other)] if other else []
    rem = reminder(1, invoices, fee=fee, interest=interest)
    items = [OpenItem.from_document(d) for d in (*invoices, *unrelated, rem)]
    result = allocate(m(payment), items, strategy=Strategy.SPECIFIED, specified=["MA-1"])
    paid = {(key, kind): units for key, kind, units in lines(result)}
    left = payment
    for key, kind, owed in [
        ("MA-1", COSTS, fee),
        ("MA-1", INTEREST, interest),
        *(
            (i.number, PRINCIPAL, i.total.minor_units)
            for i in sorted(invoices, key=lambda i: (i.due_on, i.number))
        ),
        *(("RE-9", PRINCIPAL, other) for _ in unrelated),  # the fallback, after the demand
    ]:
        assert paid.get((key, kind), 0) == min(left, owed)
        left -= min(left, owed)
    assert result.unapplied == m(left)


def test_two_reminders_of_one_invoice_are_one_debt_whose_fees_come_first() -> None:
    first = invoice(1, 10_000)
    items = [
        OpenItem.from_document(d)
        for d in (first, reminder(1, [first], fee=500), reminder(2, [first], level=2, fee=1000))
    ]
    result = allocate(m(1200), items, strategy=Strategy.SPECIFIED, specified=["MA-2", "MA-1"])
    assert lines(result) == [("MA-2", COSTS, 1000), ("MA-1", COSTS, 200)]
    # An invoice named before its reminder joins the reminder's debt too.
    result = allocate(m(700), items, strategy=Strategy.SPECIFIED, specified=["RE-1", "MA-1"])
    assert lines(result) == [("MA-1", COSTS, 500), ("RE-1", PRINCIPAL, 200)]


# -- what is due, once -----------------------------------------------------------------------


def test_dues_list_a_reminded_invoice_once_with_every_reminder_of_it() -> None:
    first, second, third, fourth = (
        invoice(n, c) for n, c in enumerate([10_000, 5_000, 2_000, 900], 1)
    )
    one = reminder(1, [first, second], fee=500)
    two = reminder(2, [first], level=2, fee=1000, issued=date(2026, 4, 20))
    other = reminder(3, [fourth], fee=300)
    account = account_of([first, second, third, fourth, one, two, other])
    dues = {d.key: (d.amount, d.charges, d.reminders, d.includes) for d in account.dues()}
    assert dues == {
        "RE-3": (m(2_000), m(0), (), ()),
        # The first and second reminder of RE-1 are one debt, named by the furthest.
        "MA-2": (m(16_500), m(1_500), ("MA-1",), ("RE-1", "RE-2")),
        "MA-3": (m(1_200), m(300), (), ("RE-4",)),
    }
    assert [d.key for d in account.dues()] == ["RE-3", "MA-3", "MA-2"]
    assert sum(d.amount.minor_units for d in account.dues()) == account.open_total.minor_units
    (debt,) = (d for d in account.dues() if d.key == "MA-2")
    assert debt.document_ids == ("rem-2", "rem-1", "inv-1", "inv-2")


def test_paying_a_due_by_its_keys_settles_exactly_its_items() -> None:
    first, second = invoice(1, 10_000), invoice(2, 5_000)
    books = Books([first, second, reminder(1, [first, second]), reminder(2, [second], level=2)])
    (due,) = books.account.dues()
    books.pay(due.amount.minor_units, *due.keys)
    assert books.account.open_total == m(0)
    assert books.account.credit_balance == m(0)


def test_a_reminder_whose_fee_is_paid_still_carries_the_open_invoice() -> None:
    books = Books([invoice(1, 10_000), reminder(1, [invoice(1, 10_000)], fee=500)])
    books.pay(500, "MA-1")
    (due,) = books.account.dues()
    assert (due.key, due.charges, due.includes, due.amount) == ("MA-1", m(0), ("RE-1",), m(10_000))
    assert books.state("MA-1") == (PaymentState.PARTIALLY_PAID, m(10_000))


# -- booking: paying a reminder, dunning stops -----------------------------------------------


def test_paying_a_reminder_in_full_settles_it_and_its_invoices_and_stops_dunning() -> None:
    first, second = invoice(1, 6_000), invoice(2, 4_000)
    books = Books([first, second, reminder(1, [first, second], fee=500, interest=250)])
    decision = books.pay(11_000, "MA-1")
    assert {n: books.state(n)[0] for n in ("MA-1", "RE-1", "RE-2")} == dict.fromkeys(
        ("MA-1", "RE-1", "RE-2"), PaymentState.PAID
    )
    assert books.documents["MA-1"].paid == m(10_750)
    assert books.account.open_total == m(0)
    assert books.account.credit_balance == m(250)  # the overpayment, as for any payment
    stopped = [e.payload for e in decision.outbox if e.topic == "dunning.stopped"]
    assert [(p["item"], p["reminders"]) for p in stopped] == [
        ("RE-1", ["MA-1"]),
        ("RE-2", ["MA-1"]),
    ]
    (record,) = decision.journal
    assert record.placed == record.amount


def test_paying_the_invoice_itself_leaves_only_the_reminders_fee_due() -> None:
    first = invoice(1, 10_000)
    books = Books([first, reminder(1, [first], fee=500), reminder(2, [first], level=2, fee=700)])
    decision = books.pay(10_000, "RE-1")
    assert books.state("RE-1") == (PaymentState.PAID, m(0))
    # Dunning stops: the reminders demand no principal any more, their fees stay due.
    assert books.state("MA-1") == (PaymentState.PARTIALLY_PAID, m(500))
    assert books.state("MA-2") == (PaymentState.PARTIALLY_PAID, m(700))
    assert [e.payload["reminders"] for e in decision.outbox if e.topic == "dunning.stopped"] == [
        ["MA-1", "MA-2"]
    ]
    assert {
        e.payload["number"]: e.payload["due"] for e in decision.outbox if "number" in e.payload
    } == {
        "RE-1": "0.00",
        "MA-1": "5.00",
        "MA-2": "7.00",
    }
    assert [d.key for d in books.account.dues()] == ["MA-1", "MA-2"]


def test_a_credit_note_that_settles_the_invoice_stops_dunning_too() -> None:
    first = invoice(1, 10_000)
    books = Books([first, reminder(1, [first], fee=500)])
    note = CreditNote(
        id="cn-1",
        number="GS-1",
        customer_id="42",
        issued_on=T0.date(),
        invoice_id="inv-1",
        lines=[LineItem(title="Goodwill", quantity=1, unit_price=m(10_000))],
    )
    decision = books.take(
        decide_credit_note(books.account, books.docs(), note, CreditNotePolicy.OFFSET, at=T0)
    )
    assert "dunning.stopped" in [e.topic for e in decision.outbox]
    assert books.state("MA-1") == (PaymentState.PARTIALLY_PAID, m(500))


def test_a_refund_of_a_reminder_payment_reopens_the_reminder_and_its_invoice() -> None:
    first = invoice(1, 10_000)
    books = Books([first, reminder(1, [first], fee=500)])
    paid = books.pay(10_500, "MA-1")
    assert paid.intent is not None
    books.take(
        decide(books.account, books.docs(), paid.intent, event(EventKind.REFUNDED, 10_500, "r"))
    )
    assert books.state("MA-1") == (PaymentState.OPEN, m(10_500))
    assert books.state("RE-1") == (PaymentState.OPEN, m(10_000))
    assert books.account.open_total == m(10_500)


# -- the property: no money is ever open twice, and money is conserved -------------------------

INVOICE_CENTS = st.lists(st.integers(100, 30_000), min_size=1, max_size=4)


@st.composite
def steps(draw: st.DrawFn, count: int) -> list[tuple[str, int, int]]:
    """Reminders (``remind``, invoice mask, fee), payments (``pay``, target, cents) and
    waivers (``waive``, reminder, 0), in any order."""
    kinds = st.sampled_from(["remind", "remind", "pay", "pay", "pay_amount", "waive"])
    found = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(kinds)
        if kind == "remind":
            found.append((kind, draw(st.integers(1, 2**count - 1)), draw(st.integers(0, 1500))))
        else:
            found.append((kind, draw(st.integers(0, 20)), draw(st.integers(1, 40_000))))
    return found


@given(data=st.data(), cents=INVOICE_CENTS)
def test_no_money_is_ever_open_twice_and_money_is_conserved(
    data: st.DataObject, cents: list[int]
) -> None:
    invoices = [invoice(n, c) for n, c in enumerate(cents)]
    books = Books(list(invoices))
    debt = sum(cents)
    received = waived = 0
    reminders: list[str] = []
    for number, (kind, target, amount) in enumerate(data.draw(steps(len(cents)))):
        if kind == "remind":
            chosen = [i for n, i in enumerate(invoices) if target >> n & 1]
            chosen = [i for i in chosen if books.account.items[i.number].open_units]
            if not chosen:
                continue
            current = [
                attrs.evolve(i, paid=i.total - books.account.items[i.number].amount_open)
                for i in chosen
            ]
            level = 1 + sum(
                1
                for r in reminders
                if set(books.account.items[r].reminds) & {i.number for i in chosen}
            )
            rem = reminder(
                number,
                current,
                level=min(level, 9),
                fee=amount,
                issued=date(2026, 4, 1) + timedelta(days=number),
            )
            books.account = books.account.add(OpenItem.from_document(rem))
            books.documents[rem.number] = rem
            reminders.append(rem.number)
            debt += rem.charges.minor_units
        elif kind == "waive":
            if not reminders:
                continue
            key = reminders[target % len(reminders)]
            if not books.account.items[key].units[0]:
                continue
            before = books.account.open_total
            books.take(decide_waiver(books.account, books.docs(), key, reason="goodwill", at=T0))
            waived += (before - books.account.open_total).minor_units
        else:
            keys: tuple[str, ...] = ()
            if kind == "pay":
                payable = [n for n in books.documents if books.documents[n].amount_due]
                if not payable:
                    continue
                keys = (payable[target % len(payable)],)
            books.pay(amount, *keys, intent_id=f"pi-{number}")
            received += amount
        account = books.account
        # Money is conserved: what was ever owed is open, paid, kept as credit or waived.
        assert debt + account.credit_balance.minor_units == (
            account.open_total.minor_units + received + waived
        )
        # Reminders' items hold charges only, so no principal is open on two items...
        assert all(not account.items[r].units[2] for r in reminders)
        # ...and what is listed as due is each item's money once, adding up to the total.
        dues = account.dues()
        listed = [k for d in dues for k in d.keys]
        assert len(listed) == len(set(listed))
        assert sum(d.amount.minor_units for d in dues) == account.open_total.minor_units
        # Every document says as much as the account: an invoice what its item has open,
        # a reminder its charges and what of the reminded invoices it still demands.
        for document in books.documents.values():
            item = account.items[document.number]
            if isinstance(document, Invoice):
                assert document.amount_due == item.amount_open
            else:
                assert isinstance(document, Reminder)
                still = item.open_units + sum(
                    min(account.items[r.number].open_units, r.amount_open.minor_units)
                    for r in document.reminded
                )
                assert document.amount_due.minor_units == still
                assert (document.state is PaymentState.PAID) == (still == 0)
    note_event(f"reminders: {len(reminders)}, payments: {received > 0}, waived: {waived > 0}")
    # Paying every due exactly settles everything, with nothing paid twice.
    for position, due in enumerate(books.account.dues()):
        books.pay(due.amount.minor_units, *due.keys, intent_id=f"pi-final-{position}")
    assert books.account.open_total == m(0)
    assert all(d.state is PaymentState.PAID for d in books.documents.values())


# -- waiving a fee -----------------------------------------------------------------------------


def test_waiving_a_fee_books_a_journal_record_with_the_reason_and_settles_the_reminder() -> None:
    first = invoice(1, 10_000)
    books = Books([first, reminder(1, [first], fee=500, interest=80)])
    books.pay(10_000, "RE-1")
    decision = books.take(
        decide_waiver(
            books.account, books.docs(), "MA-1", reason=" first reminder, goodwill ", at=T0
        )
    )
    (record,) = decision.journal
    assert (record.kind, record.amount, record.write_offs, record.note) == (
        "fee_waived",
        m(0),
        m(500),
        "first reminder, goodwill",
    )
    assert record.placed == record.amount
    # The accountant sees a write-off of the fee and no money.
    assert journal_lines(record) == [("write_off", "", "", m(500))]
    assert books.state("MA-1") == (PaymentState.PARTIALLY_PAID, m(80))  # the interest stays
    assert books.account.ledger[-1].kind is EntryKind.WAIVER
    assert [e.topic for e in decision.outbox] == ["fee.waived", "reminder.partially_paid"]
    books.take(
        decide_waiver(books.account, books.docs(), "MA-1", reason="waived", at=T0, kind=INTEREST)
    )
    assert books.state("MA-1") == (PaymentState.PAID, m(0))


def test_a_partial_waiver_takes_only_what_it_says() -> None:
    first = invoice(1, 10_000)
    account = account_of([first, reminder(1, [first], fee=500)])
    after = account.waive("MA-1", reason="half", on=T0.date(), amount=m(200))
    assert after.items["MA-1"].units == (300, 0, 0)
    assert after.ledger[-1].amount == m(-200)


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"key": "MA-9"}, ValidationError, "key"),
        ({"kind": PRINCIPAL}, ValidationError, "kind"),
        ({"reason": " "}, ValidationError, "reason"),
        ({"amount": m(501)}, ValidationError, "amount"),
        ({"amount": m(0)}, ValidationError, "amount"),
        ({"amount": Money("1.00", "USD")}, CurrencyMismatchError, None),
        ({"kind": INTEREST}, InvalidTransitionError, None),
        ({"on": T0}, ValidationError, "on"),
    ],
)
def test_a_waiver_that_cannot_be_done_changes_nothing(
    options: dict[str, object], error: type[Exception], field: str | None
) -> None:
    first = invoice(1, 10_000)
    account = account_of([first, reminder(1, [first], fee=500)])
    arguments: dict[str, object] = {"key": "MA-1", "reason": "goodwill", "on": T0.date()}
    arguments.update(options)
    key = arguments.pop("key")
    with pytest.raises(error) as raised:
        account.waive(key, **arguments)  # type: ignore[arg-type]
    if field is not None:
        assert raised.value.field == field  # type: ignore[attr-defined]
    assert account.items["MA-1"].units == (500, 0, 0)


def stored_books(documents: list[PayableDocument]) -> MemoryStorage:
    storage = MemoryStorage()
    storage.migrate()
    with storage.transaction() as tx:
        tx.save_account(account_of(documents), version=0)
        for document in documents:
            tx.save_document(document, version=0)
    return storage


def test_waive_fee_writes_account_reminder_and_journal_once_per_request() -> None:
    first = invoice(1, 10_000)
    storage = stored_books([first, reminder(1, [first], fee=500)])
    done = waive_fee(storage, "42", "MA-1", reason="customer called", at=T0, request_id="w-1")
    assert done.outcome is Outcome.BOOKED
    again = waive_fee(storage, "42", "MA-1", reason="customer called", at=T0, request_id="w-1")
    assert again.outcome is Outcome.ALREADY_BOOKED
    with pytest.raises(InvalidTransitionError, match="nothing of costs"):
        waive_fee(storage, "42", "MA-1", reason="twice", at=T0)
    (record,) = journal(storage, "42")
    assert (record.kind, record.note, record.write_offs) == (
        "fee_waived",
        "customer called",
        m(500),
    )
    with storage.transaction() as tx:
        stored = tx.load_account("42")
        reminder_doc = tx.load_document("rem-1")
    assert stored is not None
    assert reminder_doc is not None
    assert stored.value.open_total == m(10_000)
    assert isinstance(reminder_doc.value, Reminder)
    assert reminder_doc.value.amount_due == m(10_000)


# -- the portal, a bank transfer and a statement ---------------------------------------------


def test_choosing_a_reminder_and_its_invoice_asks_for_the_money_once_and_a_transfer_pays_both() -> (
    None
):
    first = invoice(1, 10_000)
    storage = stored_books([first, reminder(1, [first], fee=500)])
    portal = Portal(
        storage=storage,
        providers=[BankTransfer(BANK, store=StorageTransferStore(storage))],
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: T0,
    )
    checkout = portal.pay("42", documents=["rem-1", "inv-1"], method="bank_transfer")
    assert checkout.intent.amount == m(10_500)
    assert checkout.intent.item_keys == ("MA-1", "RE-1")
    entry = StatementEntry(
        "E-1",
        T0.date(),
        m(10_500),
        Direction.CREDIT,
        remittance_text=checkout.instructions["reference"],
    )
    assert [o.outcome for o in portal.receive(entry)] == [Outcome.BOOKED]
    with storage.transaction() as tx:
        states = {
            d.value.number: d.value.state
            for d in tx.documents_of("42")
            if isinstance(d.value, PayableDocument)
        }
        stored = tx.load_account("42")
    assert states == {"MA-1": PaymentState.PAID, "RE-1": PaymentState.PAID}
    assert stored is not None
    assert stored.value.open_total == m(0)
    assert stored.value.credit_balance == m(0)


def test_a_statement_entry_quoting_the_reminder_number_proposes_fee_then_invoice() -> None:
    first = invoice(1, 10_000)
    account = account_of([first, reminder(2026, [first], fee=500)])
    entry = StatementEntry(
        "E-2", T0.date(), m(10_500), Direction.CREDIT, remittance_text="Mahnung MA-2026 bezahlt"
    )
    (match,) = reconcile([entry], [account]).matches
    assert match.items == ("MA-2026",)
    assert match.allocation is not None
    assert lines(match.allocation) == [("MA-2026", COSTS, 500), ("RE-1", PRINCIPAL, 10_000)]
    assert match.allocation.unapplied == m(0)


def test_an_approved_entry_quoting_the_reminder_number_books_fee_and_invoice() -> None:
    first = invoice(1, 10_000)
    documents: list[PayableDocument] = [first, reminder(2026, [first], fee=500)]
    storage = stored_books(documents)
    entry = StatementEntry("E-3", T0.date(), m(10_500), Direction.CREDIT, remittance_text="MA-2026")
    proposal = reconcile([entry], [account_of(documents)])
    booked = book_approved(storage, proposal, ["E-3"], at=T0)
    assert booked.booked == ("E-3",)
    assert booked.accounts["42"].open_total == m(0)
    with storage.transaction() as tx:
        states = {
            d.value.number: d.value.state
            for d in tx.documents_of("42")
            if isinstance(d.value, PayableDocument)
        }
    assert states == {"MA-2026": PaymentState.PAID, "RE-1": PaymentState.PAID}


def test_the_portal_waives_a_fee_at_its_clock() -> None:
    first = invoice(1, 10_000)
    storage = stored_books([first, reminder(1, [first], fee=500)])
    portal = Portal(
        storage=storage,
        providers=[BankTransfer(BANK, store=StorageTransferStore(storage))],
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: T0,
    )
    done = portal.waive_fee("42", "MA-1", reason="first time", amount=m(200))
    assert done.decision is not None
    (record,) = done.decision.journal
    assert (record.at, record.write_offs, record.note) == (T0, m(200), "first time")
    assert done.decision.account.items["MA-1"].units == (300, 0, 0)


def test_through_storage_a_reminder_follows_its_invoice_after_its_fee_was_paid() -> None:
    first = invoice(1, 10_000)
    storage = stored_books([first, reminder(1, [first], fee=500)])
    fee = intent(500, keys=("MA-1",), intent_id="pi-fee")
    rest = intent(10_000, keys=("RE-1",), intent_id="pi-rest")
    with storage.transaction() as tx:
        save_intent(tx, fee)
        save_intent(tx, rest)

    def states() -> dict[str, tuple[PaymentState, Money]]:
        with storage.transaction() as tx:
            return {
                d.value.number: (d.value.state, d.value.amount_due)
                for d in tx.documents_of("42")
                if isinstance(d.value, PayableDocument)
            }

    for chosen in (fee, rest):
        captured = attrs.evolve(
            event(EventKind.CAPTURED, chosen.amount.minor_units, chosen.id), intent_id=chosen.id
        )
        assert book(storage, captured).outcome is Outcome.BOOKED
    assert states() == {"MA-1": (PaymentState.PAID, m(0)), "RE-1": (PaymentState.PAID, m(0))}
    refund = attrs.evolve(event(EventKind.REFUNDED, 10_000, "r-rest"), intent_id="pi-rest")
    assert book(storage, refund).outcome is Outcome.BOOKED
    # The invoice is open again, and so is the reminder's demand for it (its fee stays paid).
    assert states() == {
        "MA-1": (PaymentState.PARTIALLY_PAID, m(10_000)),
        "RE-1": (PaymentState.OPEN, m(10_000)),
    }


def test_a_small_shortfall_on_a_reminder_is_written_off_on_the_invoice_within_tolerance() -> None:
    first = invoice(1, 10_000)
    items = [OpenItem.from_document(d) for d in (first, reminder(1, [first], fee=500))]
    result = allocate(
        m(10_450),
        items,
        strategy=Strategy.SPECIFIED,
        specified="MA-1",
        tolerance=Tolerance(absolute=m(100)),
    )
    assert lines(result) == [("MA-1", COSTS, 500), ("RE-1", PRINCIPAL, 9_950)]
    assert [(w.item, w.amount) for w in result.write_offs] == [("RE-1", m(50))]
