from __future__ import annotations

from datetime import date

import attrs
import pytest

from payportal import Money
from payportal.accounts import CustomerAccount, OpenItem, PrepaidAccount, TopUpMethod
from payportal.allocation import OverpaymentPolicy, Strategy, Tolerance
from payportal.customers import BankAccount, Customer
from payportal.exceptions import AllocationError, ValidationError
from payportal.reconciliation import (
    DebitKind,
    Direction,
    MatchReason,
    StatementEntry,
    apply,
    read_statement,
    reconcile,
)
from payportal.references import Confidence, rf

# apply is deprecated (book_approved books through payportal.booking); its behaviour is
# still tested here until it goes.
pytestmark = pytest.mark.filterwarnings("ignore:payportal.reconciliation.apply:DeprecationWarning")

DAY = date(2026, 3, 2)
IBAN = "DE89370400440532013000"


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def entry(
    entry_id: str,
    amount: str,
    text: str = "",
    *,
    direction: Direction = Direction.CREDIT,
    **fields: object,
) -> StatementEntry:
    return StatementEntry(entry_id, DAY, eur(amount), direction, remittance_text=text, **fields)  # type: ignore[arg-type]


def item(key: str, amount: str, day: int = 1) -> OpenItem:
    return OpenItem.simple(key, eur(amount), due=date(2026, 2, day))


def account(customer_id: str, *items: OpenItem) -> CustomerAccount:
    return CustomerAccount(customer_id=customer_id, currency="EUR", items=items)


# -- matching -------------------------------------------------------------------------------


def test_structured_reference_is_an_exact_match():
    reference = rf.generate("20261001")
    proposal = reconcile(
        [entry("e1", "119.00", creditor_references=[reference])],
        [item("RE-1001", "119.00")],
        known_references={reference: "RE-1001"},
    )
    [match] = proposal.matches
    assert match.items == ("RE-1001",)
    assert match.reasons == (MatchReason.STRUCTURED_REFERENCE,)
    assert match.confidence is Confidence.CERTAIN
    assert match.customer_id is None
    assert match.allocation is not None
    assert match.allocation.payment_id == "e1"
    assert match.allocation.allocated_to("RE-1001") == eur("119.00")


def test_reference_in_text_and_document_number_in_text():
    reference = rf.generate("77")
    proposal = reconcile(
        [
            entry("e1", "50.00", f"Danke! {rf.format(reference)}"),
            entry("e2", "20.00", "Rechnung re 2026 / 17"),
        ],
        [item("RE-2026/17", "20.00"), item("X-1", "50.00")],
        known_references={reference: "X-1"},
    )
    first, second = proposal.matches
    assert (first.items, first.reason, first.confidence) == (
        ("X-1",),
        MatchReason.REFERENCE_IN_TEXT,
        Confidence.CERTAIN,
    )
    assert (second.items, second.reason, second.confidence) == (
        ("RE-2026/17",),
        MatchReason.REFERENCE_IN_TEXT,
        Confidence.LIKELY,
    )
    assert second.references == ("RE202617",)


def test_several_items_partial_and_overpayment_are_reported():
    items = [item("RE-1001", "100.00"), item("RE-1002", "50.00"), item("RE-1003", "30.00")]
    proposal = reconcile(
        [
            entry("several", "150.00", "RE-1001 und RE-1002"),
            entry("partial", "10.00", "RE-1003"),
            entry("over", "40.00", "RE-1003 Rest"),
        ],
        items,
    )
    several, partial, over = proposal.matches
    assert several.reasons == (MatchReason.REFERENCE_IN_TEXT, MatchReason.SEVERAL_ITEMS)
    assert several.items == ("RE-1001", "RE-1002")
    assert partial.reasons == (MatchReason.REFERENCE_IN_TEXT, MatchReason.PARTIAL_PAYMENT)
    # The second payment sees what the first left open: 20.00 of 40.00 is too much.
    assert over.reasons == (MatchReason.REFERENCE_IN_TEXT, MatchReason.OVERPAYMENT)
    assert over.allocation is not None
    assert over.allocation.unapplied == eur("20.00")


def test_several_items_are_paid_in_the_order_named():
    proposal = reconcile(
        [entry("e", "60.00", "RE-1002, RE-1001")],
        [item("RE-1001", "50.00", day=1), item("RE-1002", "50.00", day=2)],
    )
    allocation = proposal.matches[0].allocation
    assert allocation is not None
    assert [(line.item, str(line.amount)) for line in allocation.lines] == [
        ("RE-1002", "50.00 EUR"),
        ("RE-1001", "10.00 EUR"),
    ]


def test_tolerance_writes_off_a_small_shortfall():
    proposal = reconcile(
        [entry("e", "99.50", "RE-1001")],
        [item("RE-1001", "100.00")],
        tolerance=Tolerance(absolute=eur("1.00")),
    )
    [match] = proposal.matches
    assert match.allocation is not None
    assert match.allocation.written_off("RE-1001") == eur("0.50")
    assert MatchReason.PARTIAL_PAYMENT not in match.reasons


def test_tolerance_in_another_currency_is_not_applied():
    chf = StatementEntry(
        "e", DAY, Money("99.50", "CHF"), Direction.CREDIT, remittance_text="RE-9901"
    )
    proposal = reconcile(
        [chf],
        [OpenItem.simple("RE-9901", Money("100.00", "CHF"), due=DAY)],
        tolerance=Tolerance(absolute=eur("1.00")),
    )
    assert proposal.matches[0].reasons[-1] is MatchReason.PARTIAL_PAYMENT


def test_items_in_another_currency_are_not_matched():
    proposal = reconcile(
        [entry("e", "10.00", "RE-1001")],
        [OpenItem.simple("RE-1001", Money("10.00", "USD"), due=DAY)],
    )
    assert proposal.matches == ()
    assert [e.entry_id for e in proposal.unmatched] == ["e"]


def test_short_numbers_are_not_taken_from_text():
    # "119" is in "119,00": a three-character key would match amounts everywhere.
    proposal = reconcile([entry("e", "119.00", "Betrag 119,00")], [item("119", "119.00")])
    assert proposal.unmatched
    assert not proposal.matches


def test_debits_never_pay_and_name_what_they_take_back():
    proposal = reconcile(
        [
            entry("refund", "10.00", "Erstattung RE-1001", direction=Direction.DEBIT),
            entry("cb", "10.00", "CHARGEBACK RE-1001", direction=Direction.DEBIT),
            entry("rl", "10.00", "RUECKLASTSCHRIFT RE-1001", direction=Direction.DEBIT),
            entry("rc", "10.00", "RE-1001", direction=Direction.DEBIT, reversal=True),
            entry("fee", "2.00", "Kontofuehrung", direction=Direction.DEBIT),
            entry("rd", "10.00", "RE-1001", reversal=True),
        ],
        [item("RE-1001", "10.00")],
    )
    assert not proposal.matches
    assert not proposal.unmatched
    kinds = [(d.entry_id, d.kind, d.items) for d in proposal.debits]
    assert kinds == [
        ("refund", DebitKind.REFUND, ("RE-1001",)),
        ("cb", DebitKind.CHARGEBACK, ("RE-1001",)),
        ("rl", DebitKind.RETURNED_DEBIT, ("RE-1001",)),
        ("rc", DebitKind.RETURNED_DEBIT, ("RE-1001",)),
    ]
    assert [e.entry_id for e in proposal.ignored] == ["fee", "rd"]
    # The item is still open: nothing a debit matched was booked against it.
    again = reconcile([entry("pay", "10.00", "RE-1001")], [item("RE-1001", "10.00")])
    assert again.matches[0].items == ("RE-1001",)


def test_a_debit_to_a_customers_iban_is_a_refund_to_that_customer():
    erika = Customer(
        id="42",
        number="K-42",
        name="Erika Mustermann",
        bank_accounts=[BankAccount(iban="DE89370400440532013000", holder="Erika Mustermann")],
    )
    refund = entry("r", "25.00", "Gutschrift", direction=Direction.DEBIT)
    refund = attrs.evolve(refund, counterparty_iban="DE89370400440532013000")
    proposal = reconcile([refund], [account("42", item("RE-9", "99.00"))], customers=[erika])
    [debit] = proposal.debits
    assert (debit.customer_id, debit.kind, debit.items) == ("42", DebitKind.REFUND, ())
    assert debit.confidence is Confidence.LIKELY


def test_amount_and_name_without_reference():
    erika = Customer(
        id="42",
        number="K-42",
        name="Erika Mustermann",
        bank_accounts=[BankAccount(iban=IBAN, holder="Erika Mustermann")],
    )
    max_ = Customer(id="43", number="K-43", name="Max Muster")
    accounts = [
        account("42", item("RE-1", "30.00"), item("RE-2", "45.00")),
        account("43", item("RE-3", "12.00", day=1), item("RE-4", "8.00", day=3)),
    ]
    proposal = reconcile(
        [
            entry("by-iban", "45.00", "Danke", counterparty_iban=IBAN),
            entry("by-name", "20.00", "", counterparty_name="MUSTER, MAX"),
            entry("no-fit", "31.00", "", counterparty_name="Erika Mustermann"),
            entry("stranger", "30.00", "", counterparty_name="Someone Else"),
        ],
        accounts,
        customers=[erika, max_],
    )
    by_iban, by_name = proposal.matches
    assert (by_iban.customer_id, by_iban.items, by_iban.confidence) == (
        "42",
        ("RE-2",),
        Confidence.LIKELY,
    )
    assert by_iban.reasons == (MatchReason.AMOUNT_AND_NAME,)
    # The whole open balance: every item, oldest first.
    assert (by_name.customer_id, by_name.items, by_name.confidence) == (
        "43",
        ("RE-3", "RE-4"),
        Confidence.POSSIBLE,
    )
    assert by_name.reasons == (MatchReason.AMOUNT_AND_NAME, MatchReason.SEVERAL_ITEMS)
    assert [e.entry_id for e in proposal.unmatched] == ["no-fit", "stranger"]


def test_top_up_by_transfer_is_matched_by_its_reference_and_released():
    prepaid = PrepaidAccount(currency="EUR").top_up(
        eur("50.00"), method=TopUpMethod.BANK_TRANSFER, reference="TOPUP-7781"
    )
    acct = CustomerAccount(
        customer_id="42", currency="EUR", items=[item("RE-1", "10.00")], prepaid=prepaid
    )
    proposal = reconcile(
        [
            entry("wrong-amount", "40.00", "TOPUP 7781"),
            entry("top", "50.00", "Aufladung topup-7781"),
        ],
        [acct],
    )
    [match] = proposal.matches
    assert (match.entry_id, match.top_up, match.allocation) == ("top", "TOPUP-7781", None)
    assert [e.entry_id for e in proposal.unmatched] == ["wrong-amount"]
    booking = apply(proposal, [match])
    prepaid = booking.accounts["42"].prepaid
    assert prepaid.balance == eur("50.00")
    assert not prepaid.pending
    # Booking the same proposal again releases nothing twice.
    again = apply(proposal, [match], accounts=booking.accounts.values())
    assert again.skipped == ("top",)
    assert again.accounts["42"].prepaid.balance == eur("50.00")


def test_mixed_or_repeated_inputs_are_refused():
    with pytest.raises(ValidationError, match="mixes"):
        reconcile([], [account("1"), item("A-1", "1.00")])
    with pytest.raises(ValidationError) as caught:
        reconcile([], [item("A-1", "1.00"), item("A-1", "2.00")])
    assert caught.value.field == "accounts_or_items[1].key"
    with pytest.raises(ValidationError) as caught:
        reconcile(["not an entry"], [])  # type: ignore[list-item]
    assert caught.value.field == "entries[0]"
    with pytest.raises(ValidationError):
        reconcile([], [], schemes=["nope"])
    with pytest.raises(ValidationError, match="known_references"):
        reconcile([], [], known_references=["RF18"])  # type: ignore[arg-type]


def test_progress_is_reported():
    calls: list[int] = []
    entries = [entry(f"e{i}", "1.00", "nothing") for i in range(2500)]
    reconcile(entries, [], progress=calls.append)
    assert calls == [1000, 2000, 2500]


# -- apply ----------------------------------------------------------------------------------


def _accounts() -> list[CustomerAccount]:
    return [
        account("42", item("RE-1001", "100.00"), item("RE-1002", "50.00")),
        account("43", item("RE-2001", "80.00")),
    ]


def _statement() -> list[StatementEntry]:
    return [
        entry("e1", "100.00", "RE-1001"),
        entry("e2", "90.00", "RE-2001"),
        entry("e3", "5.00", "nothing to see"),
    ]


def test_apply_books_approved_matches_only():
    proposal = reconcile(_statement(), _accounts())
    assert [m.entry_id for m in proposal.matches] == ["e1", "e2"]
    booking = apply(proposal, ["e2"])
    assert booking.booked == ("e2",)
    after = booking.accounts
    assert after["42"].balance == eur("150.00")  # not approved: untouched
    assert after["43"].balance == eur("-10.00")  # 10.00 overpaid, kept as credit
    assert after["43"].credit_balance == eur("10.00")


def test_apply_is_all_or_nothing():
    accounts = _accounts()
    proposal = reconcile(_statement(), accounts)
    # RE-2001 was paid in the meantime: the second match no longer fits.
    paid = accounts[1].apply(
        accounts[1].allocate(
            eur("80.00"), strategy=Strategy.OLDEST_FIRST, payment_id="cash", paid_on=DAY
        )
    )
    with pytest.raises(AllocationError, match="settles more on 'RE-2001'"):
        apply(proposal, ["e1", "e2"], accounts=[accounts[0], paid])
    # Nothing was booked: the accounts given are unchanged objects.
    assert accounts[0].balance == eur("150.00")
    assert proposal.accounts["42"].balance == eur("150.00")


def test_reimport_books_nothing_twice():
    proposal = reconcile(_statement(), _accounts())
    first = apply(proposal, proposal.matches)
    # The same statement again, against the booked accounts: already on the ledger.
    again = reconcile(_statement(), first.accounts.values())
    assert [e.entry_id for e in again.already_booked] == ["e1", "e2"]
    assert not again.matches
    # Approving the old proposal again against the new accounts skips, never doubles.
    twice = apply(proposal, proposal.matches, accounts=first.accounts.values())
    assert twice.skipped == ("e1", "e2")
    assert twice.booked == ()
    assert twice.accounts["42"].balance == first.accounts["42"].balance


def test_booked_ids_from_earlier_imports_are_honoured():
    proposal = reconcile(_statement(), _accounts(), booked={"e1"})
    assert [e.entry_id for e in proposal.already_booked] == ["e1"]


def test_apply_refuses_unknown_approvals_and_bare_items():
    proposal = reconcile(_statement(), _accounts())
    with pytest.raises(ValidationError) as caught:
        apply(proposal, ["e3"])
    assert caught.value.field == "approved[0]"
    bare = reconcile([entry("e", "1.00", "RE-1001")], [item("RE-1001", "1.00")])
    with pytest.raises(AllocationError, match="bare open items"):
        apply(bare, bare.matches)


def test_at_least_filters_by_confidence():
    reference = rf.generate("1001")
    proposal = reconcile(
        [entry("sure", "1.00", rf.format(reference)), entry("likely", "1.00", "RE-1002")],
        [item("RE-1001", "1.00"), item("RE-1002", "1.00")],
        known_references={reference: "RE-1001"},
    )
    assert [m.entry_id for m in proposal.at_least(Confidence.CERTAIN)] == ["sure"]
    assert len(proposal.at_least(Confidence.LIKELY)) == 2
    assert proposal.match_for("likely") is proposal.matches[1]


def test_overpayment_policy_is_passed_on():
    proposal = reconcile(
        [entry("e", "12.00", "RE-1001")],
        _accounts(),
        overpayment=OverpaymentPolicy.PREPAID,
    )
    booking = apply(proposal, proposal.matches)
    assert booking.accounts["42"].prepaid.balance == eur("0.00")  # 12.00 < 100.00 open
    over = reconcile(
        [entry("e", "112.00", "RE-1001")], _accounts(), overpayment=OverpaymentPolicy.PREPAID
    )
    booked = apply(over, over.matches)
    assert booked.accounts["42"].prepaid.balance == eur("12.00")


# -- the sample statements, end to end --------------------------------------------------------


def test_mt940_sample_end_to_end(bank_samples):
    statements = read_statement(bank_samples / "mt940_sample.sta", lenient=True)
    entries = [e for s in statements for e in s.entries]
    quast = Customer(id="q", number="K-Q", name="Quentin Quast")
    richter = account("r", item("TF20005", "125004.88"), item("20001", "20000.00"))
    kaufmann = account("k", item("22004", "50990.05"))
    quast_account = account("q", item("Q-1", "154551.93"))
    proposal = reconcile(entries, [richter, kaufmann, quast_account], customers=[quast])
    by_id = {m.entry.remittance_text: m for m in proposal.matches}
    assert by_id["TO13 TF20005 MINT"].items == ("TF20005",)
    # "TFNr 22 004": the number split by a space is found whole.
    assert by_id["Verw CTSc-01 BC-PPP TFNr 22 004"].items == ("22004",)
    assert by_id["Strukturierter Verwendungszweck 30030004 DE"].reason is (
        MatchReason.AMOUNT_AND_NAME
    )
    partial = next(m for m in proposal.matches if m.items == ("20001",))
    assert MatchReason.OVERPAYMENT not in partial.reasons  # 15,000.05 of 20,000.00
    assert MatchReason.PARTIAL_PAYMENT in partial.reasons
    received = [e for e in entries if e.direction is Direction.CREDIT and not e.reversal]
    assert len(proposal.matches) + len(proposal.unmatched) == len(received)
    booking = apply(proposal, proposal.matches)
    assert booking.accounts["r"].items["TF20005"].open_units == 0
    assert booking.accounts["r"].balance == eur("4999.95")
    again = reconcile(entries, booking.accounts.values(), customers=[quast])
    assert not again.matches
    assert len(again.already_booked) == len(proposal.matches)


def test_camt_sample_end_to_end(bank_samples):
    entries = [e for s in read_statement(bank_samples / "camt053_sample.xml") for e in s.entries]
    proposal = reconcile(entries, [account("c", item("DESC-1", "8.85"))])
    assert [e.remittance_text for e in proposal.unmatched] == ["Transaction Description 1"]
    assert [e.direction for e in proposal.ignored] == [Direction.DEBIT]
    # Reading the same file twice gives the same entry ids, so a stored id list drops it.
    booked = {e.entry_id for e in proposal.unmatched}
    again = reconcile(
        [e for s in read_statement(bank_samples / "camt053_sample.xml") for e in s.entries],
        [account("c")],
        booked=booked,
    )
    assert [e.entry_id for e in again.already_booked] == sorted(booked)


def test_end_to_end_id_and_structured_document_number_are_searched():
    proposal = reconcile(
        [
            entry("e2e", "10.00", "", end_to_end_id="RE-1001"),
            entry("strd", "20.00", "", creditor_references=["re 1002"]),
        ],
        [item("RE-1001", "10.00"), item("RE-1002", "20.00")],
    )
    e2e, strd = proposal.matches
    assert (e2e.items, e2e.reason) == (("RE-1001",), MatchReason.REFERENCE_IN_TEXT)
    assert (strd.items, strd.reason) == (("RE-1002",), MatchReason.STRUCTURED_REFERENCE)


def test_references_to_two_customers_pay_the_first_named():
    proposal = reconcile(
        [entry("e", "30.00", "RE-2001 RE-1001")],
        [account("42", item("RE-1001", "10.00")), account("43", item("RE-2001", "20.00"))],
    )
    [match] = proposal.matches
    assert (match.customer_id, match.items) == ("43", ("RE-2001",))
    assert MatchReason.OVERPAYMENT in match.reasons


def test_a_paid_item_is_not_matched_again():
    proposal = reconcile(
        [entry("first", "10.00", "RE-1001"), entry("again", "10.00", "RE-1001")],
        [item("RE-1001", "10.00")],
    )
    assert [m.entry_id for m in proposal.matches] == ["first"]
    assert [e.entry_id for e in proposal.unmatched] == ["again"]
