from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.exceptions import StatementFormatError
from payportal.reconciliation import CsvLayout, Direction, parse_csv


def one(text: str, layout: CsvLayout | None = None, **kwargs: object):
    [statement] = parse_csv(text.encode("utf-8"), layout, source="bank.csv", **kwargs)  # type: ignore[arg-type]
    return statement


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1'234.50", "1234.50"),  # Swiss
        ("1.234,50", "1234.50"),  # German
        ("1,234.50", "1234.50"),  # English
        ("119,50", "119.50"),  # never 119.00
        ("-12,5", "-12.50"),
        ("40,00-", "-40.00"),  # trailing minus
    ],
)
def test_amounts_are_exact_in_every_notation(written, amount):
    statement = one(f'Datum;Text;Betrag (EUR)\n02.03.2026;x;"{written}"\n')
    assert statement.entries[0].signed_amount == Money(amount, "EUR")


def test_a_column_of_thousands_only_amounts_is_ambiguous_and_refused():
    with pytest.raises(StatementFormatError, match="whole number with a thousands") as caught:
        one("Datum;Betrag (EUR)\n02.03.2026;1,525\n03.03.2026;2,000\n")
    assert caught.value.location == "row 2 (Betrag (EUR))"


def test_one_telling_amount_settles_the_decimal_mark_for_the_column():
    statement = one("Datum;Betrag (EUR)\n02.03.2026;1.525\n03.03.2026;2,50\n")
    assert [e.amount.amount for e in statement.entries] == [Decimal(1525), Decimal("2.50")]


def test_an_explicit_decimal_mark_reads_an_ambiguous_file_and_never_rounds():
    statement = one("Datum;Betrag (EUR)\n02.03.2026;1,525\n", CsvLayout(decimal="."))
    assert statement.entries[0].amount == Money("1525.00", "EUR")
    with pytest.raises(StatementFormatError, match="more decimals than EUR") as caught:
        one("Datum;Betrag (EUR)\n02.03.2026;1,525\n", CsvLayout(decimal=","))
    assert caught.value.location == "row 2 (Betrag (EUR))"


def test_day_and_month_that_cannot_be_told_apart_are_refused_unless_given():
    text = "Date,Amount,Currency\n2/1/2020,5.00,EUR\n3/1/2020,6.00,EUR\n"
    with pytest.raises(StatementFormatError, match="day and month cannot be told apart"):
        one(text)
    statement = one(text, CsvLayout(date_format="%d/%m/%Y"))
    assert [e.booking_date for e in statement.entries] == [date(2020, 1, 2), date(2020, 1, 3)]


def test_debit_and_credit_columns_give_the_direction():
    statement = one(
        "Buchungsdatum;Buchungstext;Belastung;Gutschrift\n"
        "02.03.2026;Miete;1475.00;\n"
        "02.03.2026;RE-1001;;119.50\n",
        CsvLayout(currency="CHF"),
    )
    directions = [(e.direction, e.amount) for e in statement.entries]
    assert directions == [
        (Direction.DEBIT, Money("1475.00", "CHF")),
        (Direction.CREDIT, Money("119.50", "CHF")),
    ]
    assert statement.entries[1].remittance_text == "RE-1001"


def test_a_running_balance_newest_first_gives_opening_and_closing():
    statement = one("Datum;Betrag;Saldo CHF\n03.03.2026;-10.00;90.00\n02.03.2026;100.00;100.00\n")
    assert statement.opening_balance == Money("0.00", "CHF")
    assert statement.closing_balance == Money("90.00", "CHF")


def test_a_running_balance_that_does_not_follow_is_refused_or_warned():
    text = "Datum;Betrag;Saldo CHF\n02.03.2026;100.00;100.00\n03.03.2026;-10.00;95.00\n"
    with pytest.raises(StatementFormatError, match="does not follow its amounts"):
        one(text)
    assert "does not follow" in one(text, lenient=True).warnings[0]


def test_explicit_columns_override_the_names_found():
    statement = one(
        "Wann;Was;Wieviel\n02.03.2026;RE-7;12,00\n",
        CsvLayout(booking_date="Wann", amount="Wieviel", text=("Was",), currency="EUR"),
    )
    assert statement.entries[0].remittance_text == "RE-7"
    assert statement.entries[0].amount == Money("12.00", "EUR")


def test_no_currency_anywhere_is_refused():
    with pytest.raises(StatementFormatError, match="names no currency"):
        one("Datum;Betrag\n02.03.2026;12.00\n")


def test_a_currency_column_splits_the_export_per_currency():
    statements = parse_csv(
        b"Date,Currency,Net,Balance\n01/31/2026,USD,10.00,10.00\n01/31/2026,EUR,5.00,5.00\n"
        b"02/01/2026,USD,-4.00,6.00\n"
    )
    assert [(s.currency, len(s.entries), s.closing_balance) for s in statements] == [
        ("USD", 2, Money("6.00", "USD")),
        ("EUR", 1, None),
    ]


def test_an_amount_damaged_by_an_earlier_encoding_conversion_is_refused():
    with pytest.raises(StatementFormatError, match="damaged"):
        one("Data;Addebiti (USD);Accrediti (USD)\n08.11.2023;;0\ufffd140.72\n")


def test_windows_1252_text_is_read_and_rows_without_a_date_are_left_out_with_a_note():
    data = "Datum;Buchungstext;Betrag (EUR)\n02.03.2026;Müller;1,00\n;Spesen;0,50\n".encode(
        "cp1252"
    )
    [statement] = parse_csv(data)
    assert statement.entries[0].remittance_text == "Müller"
    assert len(statement.entries) == 1
    assert any("leaves out 1 rows" in note for note in statement.notes)


@given(st.text(max_size=400))
def test_any_text_imports_or_raises_statement_format_error(text):
    with contextlib.suppress(StatementFormatError):
        parse_csv(text)


# German savings and cooperative banks export "CSV-CAMT": the booking date is "Buchungstag",
# the payer "Beguenstigter/Zahlungspflichtiger" or "Name Zahlungsbeteiligter" with its IBAN.
# The header rows below are those exports' column names; the data rows are made up.
SPARKASSE_CSV_CAMT = (
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Glaeubiger ID";"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";'
    '"Lastschrift Ursprungsbetrag";"Auslagenersatz Ruecklastschrift";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";'
    '"Waehrung";"Info"\n'
    '"DE89370400440532013000";"02.11.26";"03.11.26";"GUTSCHR. UEBERWEISUNG";"RE-2026-17";"";'
    '"";"NOTPROVIDED";"";"";"";"Erika Mustermann";"DE02120300000000202051";"BYLADEM1001";'
    '"481,07";"EUR";"Umsatz gebucht"\n'
)
VOLKSBANK_CSV = (
    "Bezeichnung Auftragskonto;IBAN Auftragskonto;BIC Auftragskonto;Bankname Auftragskonto;"
    "Buchungstag;Valutadatum;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;"
    "BIC (SWIFT-Code) Zahlungsbeteiligter;Buchungstext;Verwendungszweck;Betrag;Waehrung;"
    "Saldo nach Buchung;Bemerkung;Kategorie;Steuerrelevant;Glaeubiger ID;Mandatsreferenz\n"
    "Geschaeftskonto;DE89370400440532013000;COBADEFFXXX;Beispielbank;02.11.2026;03.11.2026;"
    "Erika Mustermann;DE02120300000000202051;BYLADEM1001;Gutschrift;RE-2026-17;481,07;EUR;"
    "1.481,07;;;;;\n"
)


@pytest.mark.parametrize("text", [SPARKASSE_CSV_CAMT, VOLKSBANK_CSV])
def test_buchungstag_exports_of_german_banks_are_read_without_a_layout(text: str) -> None:
    (entry,) = one(text).entries
    assert (entry.booking_date, entry.value_date) == (date(2026, 11, 2), date(2026, 11, 3))
    assert (entry.amount, entry.direction) == (Money("481.07", "EUR"), Direction.CREDIT)
    assert entry.counterparty_name == "Erika Mustermann"
    assert entry.counterparty_iban == "DE02120300000000202051"
    assert "RE-2026-17" in entry.remittance_text
