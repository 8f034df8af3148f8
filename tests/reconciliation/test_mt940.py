from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payportal import Money
from payportal.exceptions import StatementFormatError
from payportal.reconciliation import Direction, drop_seen, parse_mt940, read_statement
from payportal.reconciliation._mt940 import iter_mt940

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


# -- the SWIFT grammar and the banks' dialects ------------------------------------------------


def balanced(*lines: str, opening: str = "1000,00", closing: str = "1000,00") -> str:
    return (
        f":20:STMT-1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260301EUR{opening}\n"
        + "\n".join(lines)
        + f"\n:62F:C260302EUR{closing}\n-\n"
    )


@pytest.mark.parametrize(
    ("amount", "exact"),
    [("119,50", "119.50"), ("119,5", "119.50"), ("119,", "119.00"), ("0,01", "0.01")],
)
def test_amounts_are_exact_never_truncated(amount, exact):
    closing = str(Decimal("1000.00") + Decimal(exact)).replace(".", ",")
    [statement] = parse_mt940(balanced(f":61:2603020302C{amount}NTRFNONREF", closing=closing))
    assert statement.entries[0].amount == Money(exact, "EUR")


def test_an_amount_with_a_dot_is_refused_not_guessed():
    with pytest.raises(StatementFormatError, match="one decimal comma"):
        parse_mt940(balanced(":61:2603020302C1.234,50NTRFNONREF"))


@pytest.mark.parametrize("code", ["NTRF", "N051", "FMSC", "S105", "NMSC", "FCHK", "N  1"])
def test_any_transaction_type_code_of_a_letter_and_three_characters(code):
    [statement] = parse_mt940(
        balanced(f":61:2603020302D10,00{code}REF-1//B-1", ":86:x", closing="990,00")
    )
    [entry] = statement.entries
    assert (entry.customer_reference, entry.bank_reference) == ("REF-1", "B-1")


def test_entry_date_across_the_year_end_and_funds_code():
    [statement] = parse_mt940(balanced(":61:2601021231CR5,00NTRFNONREF", closing="1005,00"))
    [entry] = statement.entries
    assert (entry.value_date, entry.booking_date) == (date(2026, 1, 2), date(2025, 12, 31))


def test_envelopes_end_markers_and_several_statements_are_statements_of_their_own():
    one = balanced(":61:2603020302C1,00NTRFNONREF", closing="1001,00")
    two = one.replace("STMT-1", "STMT-2")
    data = f"{{1:F01BANKDEFFXXXX0000000000}}{{2:O9401200}}{{4:\n{one[:-2]}-}}\n\x1a{two}\x1a"
    statements = parse_mt940(data.encode())
    assert [s.statement_id for s in statements] == ["STMT-1", "STMT-2"]
    assert all(len(s.entries) == 1 for s in statements)


def test_a_truncated_file_is_refused_not_returned_in_part():
    whole = balanced(":61:2603020302C1,00NTRFNONREF", closing="1001,00")
    with pytest.raises(StatementFormatError, match="no closing balance"):
        parse_mt940(whole[: whole.index(":62F:")])


def test_dutch_structured_details_are_split():
    [statement] = parse_mt940(
        balanced(
            ":61:2603020302C12,50NTRFEREF//00000000001",
            ":86:/EREF/E2E-7//CNTP/NL32INGB0000012345/INGBNL2A/J. Janssen///REMI/USTD//Factuu",
            "r RE-1001/",
            closing="1012,50",
        )
    )
    [entry] = statement.entries
    assert (entry.end_to_end_id, entry.counterparty_iban, entry.counterparty_bic) == (
        "E2E-7",
        "NL32INGB0000012345",
        "INGBNL2A",
    )
    assert (entry.counterparty_name, entry.remittance_text) == ("J. Janssen", "Factuur RE-1001")
    assert entry.customer_reference == ""  # "EREF" only points to the :86: field


def test_mixed_encodings_are_refused_unless_the_encoding_is_given():
    lines = balanced(":61:2603020302C1,00NTRFNONREF", ":86:Müller Straße", closing="1001,00")
    mixed = (
        lines.replace("Müller", "MÜLLER")
        .encode("utf-8")
        .replace("Straße".encode(), "Straße".encode("cp1252"))
    )
    with pytest.raises(StatementFormatError, match="mixes encodings"):
        parse_mt940(mixed)
    [statement] = parse_mt940(lines.encode("cp850"), encoding="cp850")
    assert statement.entries[0].remittance_text == "Müller Straße"


def test_mt942_totals_are_checked():
    report = (
        ":20:INTRA-1\n:25:PL29114010810000267002001002\n:28C:1/1\n:34F:PLN0,\n"
        ":13D:2601191815+0100\n:61:2601190119CN0,01NTRFNONREF//MB1\n:86:x\n"
        ":90D:0PLN0,00\n:90C:1PLN0,01\n-\n"
    )
    [statement] = parse_mt940(report)
    assert statement.format == "mt942"
    assert statement.entries[0].amount == Money("0.01", "PLN")
    with pytest.raises(StatementFormatError, match=r":90C: 1 credits of 0.02"):
        parse_mt940(report.replace(":90C:1PLN0,01", ":90C:1PLN0,02"))


def test_text_after_the_reference_field_is_refused():
    with pytest.raises(StatementFormatError, match="text after the :20: value") as caught:
        parse_mt940(balanced().replace(":20:STMT-1\n", ":20:STMT-1\nGARBAGE\n"))
    assert caught.value.location == "line 2 (:20:)"


def test_iter_mt940_reads_an_open_file_line_by_line(tmp_path):
    path = tmp_path / "big.sta"
    statement = balanced(":61:2603020302C1,00NTRFNONREF", closing="1001,00")
    path.write_text(statement * 50, encoding="latin-1")
    with path.open("rb") as stream:
        count = sum(1 for _ in iter_mt940(stream))
    assert count == 50
