from __future__ import annotations

from datetime import date

import attrs
import pytest

from payportal import Money, ValidationError
from payportal.reconciliation import Direction, Statement, StatementEntry, drop_seen
from payportal.reconciliation._identity import EntryIdentifier


def entry(entry_id: str = "ref:A:1", **changes: object) -> StatementEntry:
    fields: dict[str, object] = {
        "entry_id": entry_id,
        "booking_date": date(2026, 3, 2),
        "amount": Money("10.00", "EUR"),
        "direction": Direction.CREDIT,
    }
    fields.update(changes)
    return StatementEntry(**fields)  # type: ignore[arg-type]


def test_entry_rejects_negative_amount_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        entry(amount=Money("-1.00", "EUR"))
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("entry_id", " "),
        ("booking_date", "2026-03-02"),
        ("value_date", "2026-03-02"),
        ("direction", "credit"),
        ("remittance_text", None),
        ("creditor_references", ("RF18", 5)),
        ("reversal", "no"),
    ],
)
def test_entry_rejects_wrong_types_naming_the_field(field, value):
    with pytest.raises(ValidationError) as caught:
        entry(**{field: value})
    assert caught.value.field.split("[")[0] == field


def test_signed_amount_is_negative_for_debits():
    assert entry().signed_amount == Money("10.00", "EUR")
    assert entry(direction=Direction.DEBIT).signed_amount == Money("-10.00", "EUR")


def test_creditor_references_accept_a_list_and_store_a_tuple():
    assert entry(creditor_references=["RF18539007547034"]).creditor_references == (
        "RF18539007547034",
    )


def test_statement_holds_entries():
    statement = Statement(format="mt940", statement_id="S", account="A", entries=[entry()])
    assert statement.entries == (entry(),)
    with pytest.raises(ValidationError):
        Statement(format="mt940", statement_id="S", account="A", entries=["x"])


def fields_of(e: StatementEntry) -> dict[str, object]:
    fields = attrs.asdict(e, recurse=False)
    del fields["entry_id"]
    return fields


def test_identity_uses_account_and_bank_reference():
    ids = EntryIdentifier("DE89370400440532013000")
    assert ids.identify(fields_of(entry(bank_reference="B-7"))) == (
        "ref:DE89370400440532013000:B-7"
    )


def test_identity_hash_is_stable_across_imports_and_ignores_rewrapping():
    first = EntryIdentifier("A").identify(fields_of(entry(remittance_text="Invoice  RE-1")))
    again = EntryIdentifier("A").identify(fields_of(entry(remittance_text="invoice RE-1")))
    assert first == again
    assert first.startswith("sha256:")
    assert len(first) == len("sha256:") + 64


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Money("10.01", "EUR")},
        {"direction": Direction.DEBIT},
        {"booking_date": date(2026, 3, 3)},
        {"counterparty_iban": "DE89370400440532013000"},
        {"remittance_text": "Invoice RE-2"},
        {"end_to_end_id": "E2E"},
    ],
)
def test_identity_hash_changes_with_each_field(change):
    base = EntryIdentifier("A").identify(fields_of(entry()))
    assert EntryIdentifier("A").identify(fields_of(entry(**change))) != base
    assert EntryIdentifier("B").identify(fields_of(entry())) != base


def test_identical_entries_in_one_statement_get_distinct_stable_ids():
    ids = EntryIdentifier("A")
    same = fields_of(entry())
    first, second = ids.identify(same), ids.identify(same)
    assert second == f"{first}#2"
    replay = EntryIdentifier("A")
    assert [replay.identify(same), replay.identify(same)] == [first, second]


def test_drop_seen_keeps_new_entries_in_order_and_drops_repeats():
    a, b, c = entry("ref:A:1"), entry("ref:A:2"), entry("ref:A:3")
    assert drop_seen([a, b, c, b], seen={"ref:A:1"}) == [b, c]
    assert drop_seen([a, b], seen=set()) == [a, b]
    assert drop_seen([a, b], seen={"ref:A:1", "ref:A:2"}) == []
