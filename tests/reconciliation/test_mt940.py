from __future__ import annotations

from datetime import date

import pytest

from payportal import Money
from payportal.exceptions import StatementFormatError
from payportal.reconciliation import Direction, drop_seen, parse_mt940, read_statement

HEADER = ":20:STMT-1\n:25:DE89370400440532013000\n:28C:00001/001\n:60F:C260301EUR1000,00\n"
FOOTER = ":62F:C260302EUR1100,00\n-\n"


def mt940(*lines: str) -> str:
    return HEADER + "\n".join(lines) + "\n" + FOOTER


def one_entry(*lines: str):
    # The fixed balances around the lines rarely add up: what is tested here is the entry.
    [statement] = parse_mt940(mt940(*lines), source="t.sta", lenient=True)
    [entry] = statement.entries
    return entry


# -- the reference samples ---------------------------------------------------------------------


def test_sepa_sample_reads_german_structured_details(bank_samples):
    first, second = read_statement(bank_samples / "mt940_sample.sta", lenient=True)
    assert first.warnings == ()
    # The second statement of this bank test file is 300.08 EUR off in the file itself.
    assert "difference 300.08" in second.warnings[0]
    assert first.format == "mt940"
    assert first.statement_id == "T089414086000001"
    assert first.account == "50880050/0194787400888"
    assert first.opening_balance == Money("766656.49", "EUR")
    assert second.opening_balance == Money("-1970431.87", "EUR")
    karl = first.entries[0]
    assert karl.amount == Money("50990.05", "EUR")
    assert karl.direction is Direction.CREDIT
    assert (karl.value_date, karl.booking_date) == (date(2007, 9, 7), date(2007, 9, 4))
    assert karl.counterparty_name == "KARL KAUFMANN"
    assert karl.counterparty_iban == "DE14508800500194785000"
    assert karl.counterparty_bic == "DRESDEFF508"
    # EREF+ spans ?20 and ?21, SVWZ+ spans ?22 and ?23: joined before searching.
    assert karl.end_to_end_id == "EndToEndId TFNR 22 004 00001"
    assert karl.remittance_text == "Verw CTSc-01 BC-PPP TFNr 22 004"
    assert karl.bank_reference == "0724710333343453"
    assert karl.entry_id == "ref:50880050/0194787400888:0724710333343453"
    transfer = first.entries[3]
    assert transfer.direction is Direction.DEBIT
    assert transfer.customer_reference.startswith("TFNr 01022 MSGID CTSc-01 EBB")


def test_sepa_sample_balances_add_up(bank_samples):
    # Only the first statement: the second one in this synthetic bank test file is 300.08 EUR
    # off between its lines and its closing balance in the file itself.
    statement = read_statement(bank_samples / "mt940_sample.sta", lenient=True)[0]
    assert statement.opening_balance is not None
    total = sum((e.signed_amount for e in statement.entries), start=statement.opening_balance)
    assert total == statement.closing_balance == Money("1125250.40", "EUR")


def test_full_sample_reads_every_statement_line(bank_samples):
    path = bank_samples / "mt940_sepa_full.sta"
    statements = read_statement(path)
    lines = path.read_text(encoding="latin-1").count("\n:61:") + path.read_bytes().startswith(
        b":61:"
    )
    entries = [e for s in statements for e in s.entries]
    assert len(entries) == lines
    assert all(isinstance(e.amount, Money) for e in entries)
    assert drop_seen(entries, seen={e.entry_id for e in entries}) == []
    assert len({e.entry_id for e in entries}) == len(entries)


# -- :61: and :86: -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "direction", "reversal"),
    [
        ("C", Direction.CREDIT, False),
        ("D", Direction.DEBIT, False),
        ("RC", Direction.DEBIT, True),
        ("RD", Direction.CREDIT, True),
    ],
)
def test_debit_credit_marks(mark, direction, reversal):
    entry = one_entry(f":61:2603020302{mark}100,00NTRFNONREF//B-1")
    assert (entry.direction, entry.reversal) == (direction, reversal)
    assert entry.amount == Money("100.00", "EUR")


def test_sepa_keywords_become_fields():
    entry = one_entry(
        ":61:2603020302C100,00NTRFNONREF//B-1",
        ":86:105?00SEPA-LASTSCHRIFT?109310?20EREF+E2E-1?21KREF+K-9?22MREF+M-42?23CRED+DE98ZZZ0",
        "9999999999?24ABWA+Max Muster?25SVWZ+Rechnung RE-10?2601 vom 2.3.?30COBADEFFXXX",
        "?31DE89 3704 0044 0532 0130 00?32Erika?33 Mustermann?60 und RE-1002",
    )
    assert entry.end_to_end_id == "E2E-1"
    assert entry.customer_reference == "K-9"
    assert entry.mandate_id == "M-42"
    assert entry.creditor_id == "DE98ZZZ09999999999"
    assert entry.ultimate_party == "Max Muster"
    # ?25, ?26 and ?60 joined: a reference split over subfields is found whole.
    assert entry.remittance_text == "Rechnung RE-1001 vom 2.3. und RE-1002"
    assert entry.counterparty_iban == "DE89370400440532013000"
    assert entry.counterparty_name == "Erika Mustermann"


def test_structured_details_without_keywords_keep_the_whole_purpose():
    entry = one_entry(
        ":61:2603020302C100,00NTRFNONREF",
        ":86:166?00GUTSCHRIFT?20Rechnung RE-10?2101?32Erika",
    )
    assert entry.remittance_text == "Rechnung RE-1001"
    assert entry.bank_reference == ""
    assert entry.entry_id.startswith("sha256:")


def test_free_text_details_are_joined_with_spaces():
    entry = one_entry(":61:2603020302C100,00NTRFREF-77", ":86:Payment invoice", "RE-1001 thanks")
    assert entry.remittance_text == "Payment invoice RE-1001 thanks"
    assert entry.customer_reference == "REF-77"


def test_windows_line_endings_and_latin1_bytes():
    data = mt940(":61:2603020302C1,00NTRFNONREF", ":86:Zahlung Müller").replace("\n", "\r\n")
    [statement] = parse_mt940(data.encode("latin-1"), lenient=True)
    assert statement.entries[0].remittance_text == "Zahlung Müller"


def test_two_identical_lines_without_reference_get_distinct_ids():
    line = ":61:2603020302C50,00NTRFNONREF\n:86:Rent"
    [statement] = parse_mt940(mt940(line, line), lenient=True)
    first, second = statement.entries
    assert second.entry_id == f"{first.entry_id}#2"


# -- bad files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "tag"),
    [
        (":61:2603020302X100,00NTRFNONREF", "61"),  # no debit/credit mark
        (":61:2613020302C100,00NTRFNONREF", "61"),  # month 13
        (":61:2603020302C1,2,3NTRFNONREF", "61"),  # not an amount
    ],
)
def test_broken_field_names_its_line(bad, tag):
    data = mt940(":61:2603020302C1,00NTRFNONREF", ":86:ok", bad)
    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(data, source="bank.sta")
    assert caught.value.source == "bank.sta"
    assert caught.value.location == f"line 7 (:{tag}:)"
    assert "bank.sta, line 7" in str(caught.value)


def test_broken_balance_names_its_line():
    data = mt940(":61:2603020302C1,00NTRFNONREF").replace(":60F:C260301EUR1000,00", ":60F:C26EUR")
    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(data)
    assert caught.value.location == "line 4 (:60F:)"


def test_second_statement_errors_count_lines_from_the_file_start():
    good = mt940(":61:2603020302C1,00NTRFNONREF")
    bad = mt940(":61:2603020302Q1,00NTRFNONREF")
    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(good + bad, lenient=True)
    assert caught.value.location == f"line {good.count(chr(10)) + 5} (:61:)"


def test_amount_with_too_many_decimals_is_refused():
    with pytest.raises(StatementFormatError, match="more decimals than EUR") as caught:
        parse_mt940(mt940(":61:2603020302C1,001NTRFNONREF"))
    assert caught.value.location == "line 5 (:61:)"


def test_statement_line_before_any_balance_is_refused():
    with pytest.raises(StatementFormatError, match="currency") as caught:
        parse_mt940(":20:X\n:25:A\n:61:2603020302C1,00NTRFNONREF\n")
    assert caught.value.location == "line 3 (:61:)"


def test_not_mt940_at_all():
    with pytest.raises(StatementFormatError, match="no :20: field"):
        parse_mt940(b"hello\nworld\n")
