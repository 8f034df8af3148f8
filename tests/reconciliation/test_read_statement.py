from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money, reconciliation
from payportal.exceptions import StatementFormatError
from payportal.reconciliation import read_statement

MT940 = (
    b":20:S\n:25:A\n:60F:C260301EUR0,00\n:61:2603020302C1,00NTRFNONREF\n:62F:C260302EUR1,00\n-\n"
)
CAMT = (
    b'\xef\xbb\xbf<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
    b'camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S</Id></Stmt></BkToCstmrStmt></Document>'
)


def test_format_is_recognised_from_bytes():
    assert read_statement(MT940)[0].format == "mt940"
    assert read_statement(CAMT)[0].format == "camt.053"


def test_mt940_with_swift_header_is_recognised():
    assert read_statement(b"{1:F01BANKDEFFXXXX0000000000}{4:\n" + MT940)[0].entries


def test_paths_are_read_and_name_the_file_in_errors(tmp_path):
    path = tmp_path / "broken.sta"
    path.write_bytes(MT940.replace(b"C1,00", b"X1,00"))
    with pytest.raises(StatementFormatError) as caught:
        read_statement(path)
    assert caught.value.source == str(path)
    assert caught.value.location == "line 4 (:61:)"
    good = tmp_path / "good.sta"
    good.write_bytes(MT940)
    assert read_statement(str(good))[0].entries[0].amount.minor_units == 100


def test_explicit_format_overrides_sniffing():
    with pytest.raises(StatementFormatError, match="not well-formed XML"):
        read_statement(MT940, format="camt", source="s.sta")


def test_unknown_content_and_format_are_refused():
    with pytest.raises(StatementFormatError, match="neither camt XML nor MT940") as caught:
        read_statement(b"Date;Amount\n2026-03-02;1.00\n")
    assert caught.value.source == "<bytes>"
    with pytest.raises(StatementFormatError, match="not supported"):
        read_statement(MT940, format="ofx")  # type: ignore[arg-type]


def test_csv_is_read_when_asked_for_or_named_so(tmp_path):
    data = b"Datum;Buchungstext;Betrag (EUR);Saldo\n02.03.2026;RE-1001;1.234,50;2.234,50\n"
    [statement] = read_statement(data, format="csv")
    assert statement.entries[0].amount == Money("1234.50", "EUR")
    path = tmp_path / "export.CSV"
    path.write_bytes(data)
    assert read_statement(path) == (statement,)


def test_reconciliation_public_names_are_pinned():
    assert set(reconciliation.__all__) == {
        "Booking",
        "CsvLayout",
        "DebitKind",
        "DebitMatch",
        "Direction",
        "EntryMatch",
        "MatchReason",
        "ReconciliationProposal",
        "Statement",
        "StatementEntry",
        "StatementFormat",
        "apply",
        "book_approved",
        "drop_seen",
        "iter_statements",
        "parse_camt",
        "parse_csv",
        "parse_mt940",
        "read_statement",
        "reconcile",
    }
    assert all(hasattr(reconciliation, name) for name in reconciliation.__all__)


fragments = st.sampled_from(
    [
        ":20:",
        ":25:",
        ":60F:",
        ":61:",
        ":86:",
        ":62F:",
        "?20",
        "?3",
        "EREF+",
        "SVWZ+",
        "C",
        "D",
        "RC",
        "EUR",
        "260302",
        "0302",
        "1,00",
        ",",
        "//",
        "\n",
        "-",
        "<",
        ">",
        "<Document>",
        "<Ntry>",
        '<Amt Ccy="EUR">',
        "</Amt>",
        'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"',
        "&",
        "\x00",
        "é",
    ]
)


@given(st.one_of(st.binary(max_size=200), st.lists(fragments, max_size=40).map("".join)))
def test_junk_only_ever_raises_statement_format_error(junk):
    data = junk if isinstance(junk, bytes) else junk.encode("utf-8")
    with contextlib.suppress(StatementFormatError):
        read_statement(data)
