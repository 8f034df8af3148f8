from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.exceptions import StatementFormatError
from payportal.reconciliation import Direction, drop_seen, parse_camt, read_statement


def document(body: str, *, message: str = "camt.053.001.02", root: str = "BkToCstmrStmt") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{message}">\n'
        f"<{root}><GrpHdr><MsgId>M</MsgId></GrpHdr>\n{body}\n</{root}></Document>"
    )


def statement(entries: str, *, part: str = "Stmt") -> str:
    return (
        f"<{part}><Id>S-1</Id><Acct><Id><IBAN>DE89 3704 0044 0532 0130 00</IBAN></Id>"
        f"<Ccy>EUR</Ccy></Acct>{entries}</{part}>"
    )


def ntry(
    details: str = "",
    *,
    amount: str = "100.00",
    indicator: str = "CRDT",
    status: str = "<Sts>BOOK</Sts>",
    reference: str = "",
) -> str:
    ref = f"<AcctSvcrRef>{reference}</AcctSvcrRef>" if reference else ""
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{status}'
        "<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-03</Dt></ValDt>"
        f"{ref}<NtryDtls>{details}</NtryDtls></Ntry>"
    )


def tx(
    *, amount: str | None = None, text: str = "", refs: tuple[str, ...] = (), extra: str = ""
) -> str:
    amt = f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>' if amount else ""
    strd = "".join(f"<Strd><CdtrRefInf><Ref>{escape(r)}</Ref></CdtrRefInf></Strd>" for r in refs)
    ustrd = f"<Ustrd>{escape(text)}</Ustrd>" if text else ""
    return f"<TxDtls>{extra}{amt}<RmtInf>{ustrd}{strd}</RmtInf></TxDtls>"


def parse_one(xml: str):
    [parsed] = parse_camt(xml, source="test.xml")
    return parsed


# -- the reference samples ---------------------------------------------------------------------


def test_camt053_sample_reads_both_statements_with_balances(bank_samples):
    statements = read_statement(bank_samples / "camt053_sample.xml")
    assert [s.statement_id for s in statements] == [
        "253EURNL26VAYB8060476890",
        "254EURNL26VAYB8060476890",
    ]
    first, second = statements
    assert first.format == "camt.053"
    assert first.account == "NL26VAYB8060476890"
    assert first.currency == "EUR"
    assert (first.opening_balance, first.closing_balance) == (
        Money("18.15", "EUR"),
        Money("27.00", "EUR"),
    )
    [credit] = first.entries
    assert credit.amount == Money("8.85", "EUR")
    assert credit.direction is Direction.CREDIT
    assert credit.booking_date == date(2014, 12, 31)
    assert credit.value_date == date(2015, 1, 2)
    assert credit.end_to_end_id == "000000001"
    assert credit.remittance_text == "Transaction Description 1"
    [debit] = second.entries
    assert debit.direction is Direction.DEBIT
    assert debit.counterparty_name == "Company Name 2"
    assert debit.counterparty_iban == "NL56AGDH9619008421"


def test_camt053_sample_balances_add_up(bank_samples):
    for s in read_statement(bank_samples / "camt053_sample.xml"):
        assert s.opening_balance is not None
        total = sum((e.signed_amount for e in s.entries), start=s.opening_balance)
        assert total == s.closing_balance


def test_camt054_sample_batch_without_amounts_is_one_entry_with_all_references(bank_samples):
    [notification] = read_statement(bank_samples / "camt054_sample.xml")
    assert notification.format == "camt.054"
    assert notification.account == "CH2801234000123456789"
    [batch] = notification.entries
    assert batch.amount == Money("200000", "SEK")
    assert batch.direction is Direction.DEBIT
    assert batch.booking_date == date(2007, 10, 18)  # from BookgDt/DtTm
    assert batch.bank_reference == "AAAASESS-FP-ACCR001"
    assert batch.end_to_end_id == "MUELL/FINP/RA12345"
    assert batch.creditor_references == (
        "ISR ref number V1",
        "ISR ref number V2",
        "Ref number V3 block 1",
        "Ref number V3 block 2",
    )
    assert "Unstructured Remittance Information V3 block 2" in batch.remittance_text
    assert "Additional Remittance Information V2" in batch.remittance_text


def test_importing_the_same_sample_twice_books_nothing_twice(bank_samples):
    first = [e for s in read_statement(bank_samples / "camt053_sample.xml") for e in s.entries]
    again = [e for s in read_statement(bank_samples / "camt053_sample.xml") for e in s.entries]
    seen = {e.entry_id for e in drop_seen(first, seen=set())}
    assert len(seen) == len(first) == 2
    assert drop_seen(again, seen=seen) == []


# -- versions and structures -------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    ["camt.053.001.02", "camt.053.001.04", "camt.053.001.06", "camt.053.001.08"],
)
def test_every_message_version_reads_alike(message):
    xml = document(
        statement(ntry(tx(text="Invoice RE-1", refs=("RF18539007547034",)))), message=message
    )
    [e] = parse_one(xml).entries
    assert (e.amount, e.remittance_text, e.creditor_references) == (
        Money("100.00", "EUR"),
        "Invoice RE-1",
        ("RF18539007547034",),
    )


def test_version_08_status_code_party_wrapper_and_tx_amount():
    details = (
        "<TxDtls><Refs><EndToEndId>E2E-9</EndToEndId><MndtId>M-1</MndtId></Refs>"
        '<Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        "<RltdPties><Dbtr><Pty><Nm>Erika Mustermann</Nm></Pty></Dbtr>"
        "<DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>"
        "<UltmtDbtr><Pty><Nm>Max</Nm></Pty></UltmtDbtr></RltdPties>"
        "<RltdAgts><DbtrAgt><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></DbtrAgt></RltdAgts>"
        "</TxDtls>"
    )
    xml = document(
        statement(ntry(details, status="<Sts><Cd>BOOK</Cd></Sts>")), message="camt.053.001.08"
    )
    [e] = parse_one(xml).entries
    assert e.counterparty_name == "Erika Mustermann"
    assert e.counterparty_iban == "DE89370400440532013000"
    assert e.counterparty_bic == "COBADEFFXXX"
    assert e.ultimate_party == "Max"
    assert (e.end_to_end_id, e.mandate_id) == ("E2E-9", "M-1")


def test_document_without_namespace_is_read_by_local_names():
    xml = document(statement(ntry(tx(text="x")))).replace(
        ' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"', ""
    )
    assert len(parse_one(xml).entries) == 1


def test_camt054_notification_is_read():
    xml = document(
        statement(ntry(tx(text="Invoice RE-2")), part="Ntfctn"),
        message="camt.054.001.04",
        root="BkToCstmrDbtCdtNtfctn",
    )
    parsed = parse_one(xml)
    assert parsed.format == "camt.054"
    assert parsed.entries[0].remittance_text == "Invoice RE-2"


def test_batch_booking_becomes_one_entry_per_transaction():
    details = tx(amount="60.00", text="RE-1") + tx(amount="40.00", text="RE-2")
    entries = parse_one(document(statement(ntry(details, reference="BATCH")))).entries
    assert [(e.amount, e.remittance_text) for e in entries] == [
        (Money("60.00", "EUR"), "RE-1"),
        (Money("40.00", "EUR"), "RE-2"),
    ]
    assert [e.bank_reference for e in entries] == ["BATCH/1", "BATCH/2"]
    assert len({e.entry_id for e in entries}) == 2


def test_batch_transactions_keep_their_own_bank_references():
    details = tx(amount="60.00", extra="<Refs><AcctSvcrRef>T-1</AcctSvcrRef></Refs>") + tx(
        amount="40.00", extra="<Refs><AcctSvcrRef>T-2</AcctSvcrRef></Refs>"
    )
    entries = parse_one(document(statement(ntry(details, reference="BATCH")))).entries
    assert [e.bank_reference for e in entries] == ["T-1", "T-2"]


def test_batch_that_does_not_add_up_stays_one_entry_and_says_why():
    details = tx(amount="60.00") + tx(amount="41.00")
    [read] = parse_camt(document(statement(ntry(details))), source="b.xml")
    [entry] = read.entries
    assert entry.amount == Money("100.00", "EUR")
    [note] = [note for note in read.notes if note.startswith("keeps")]
    assert note.startswith("keeps Document/BkToCstmrStmt/Stmt[1]/Ntry[1] as one entry")
    assert "add up to 101.00, not to the entry's 100.00" in note


def test_single_transaction_without_amount_takes_the_entry_amount():
    [e] = parse_one(document(statement(ntry(tx(text="x"), amount="12.34")))).entries
    assert e.amount == Money("12.34", "EUR")


def test_entry_without_details_uses_additional_entry_info():
    xml = document(
        statement(ntry().replace("<NtryDtls></NtryDtls>", "<AddtlNtryInf>Fee</AddtlNtryInf>"))
    )
    [e] = parse_one(xml).entries
    assert e.remittance_text == "Fee"


def test_pending_and_information_entries_are_not_imported():
    entries = ntry(tx(text="booked")) + ntry(tx(text="pending"), status="<Sts>PDNG</Sts>")
    entries += ntry(tx(text="info"), status="<Sts><Cd>INFO</Cd></Sts>")
    assert [e.remittance_text for e in parse_one(document(statement(entries))).entries] == [
        "booked"
    ]


def test_placeholders_are_read_as_empty_and_reversal_is_kept():
    details = tx(extra="<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>")
    xml = document(statement(ntry(details).replace("<Sts>", "<RvslInd>true</RvslInd><Sts>")))
    [e] = parse_one(xml).entries
    assert e.end_to_end_id == ""
    assert e.reversal is True


# -- bad files ---------------------------------------------------------------------------------


def test_truncated_xml_names_file_and_line():
    xml = document(statement(ntry(tx(text="x"))))
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(xml[: len(xml) // 2], source="cut.xml")
    assert caught.value.source == "cut.xml"
    assert caught.value.location.startswith("line ")
    assert "cut.xml" in str(caught.value)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document><BkToCstmrStmt><Stmt><Id>&lol3;</Id></Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document><BkToCstmrStmt><Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_bombs_and_external_entities_are_refused(xml):
    with pytest.raises(StatementFormatError, match="unsafe"):
        parse_camt(xml.encode(), source="bomb.xml")


@pytest.mark.parametrize(
    ("message", "root"),
    [("pain.001.001.03", "CstmrCdtTrfInitn"), ("camt.060.001.03", "AcctRptgReq")],
)
def test_wrong_message_type_is_refused_naming_it(message, root):
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(document("", message=message, root=root), source="w.xml")
    assert message[:8] in str(caught.value)
    assert caught.value.location == f"Document/{root}"


def test_namespace_and_content_disagreeing_is_refused():
    with pytest.raises(StatementFormatError, match=r"declares the camt\.054"):
        parse_camt(document(statement(""), message="camt.054.001.02"))


def test_not_a_document_is_refused():
    with pytest.raises(StatementFormatError, match="no Document root"):
        parse_camt("<Invoice/>")


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"amount": "12,50"}, "Ntry[1]/Amt"),
        ({"amount": "-1.00"}, "Ntry[1]/Amt"),
        ({"amount": "1.005"}, "Ntry[1]/Amt"),
        ({"indicator": "CREDIT"}, "Ntry[1]/CdtDbtInd"),
    ],
)
def test_malformed_values_name_the_element(change, location):
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(document(statement(ntry(tx(text="x"), **change))))
    assert caught.value.location == f"Document/BkToCstmrStmt/Stmt[1]/{location}"


def test_bad_date_names_the_element():
    xml = document(statement(ntry(tx()).replace("2026-03-02", "2026-02-30")))
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(xml)
    assert caught.value.location.endswith("Ntry[1]/BookgDt")


# -- generated documents -----------------------------------------------------------------------

# Text as banks send it: no control characters, no surrounding or repeated white space.
words = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S"), exclude_characters="\x85"
    ),
    min_size=1,
    max_size=12,
)
texts = st.lists(words, min_size=1, max_size=6).map(" ".join)
cents = st.integers(min_value=1, max_value=10**12)


@given(
    transactions=st.lists(
        st.tuples(cents, st.sampled_from(["CRDT", "DBIT"]), texts, st.lists(words, max_size=2)),
        min_size=1,
        max_size=5,
    )
)
def test_generated_camt_round_trips_amounts_and_texts_exactly(transactions):
    entries = ""
    for number, (amount, indicator, text, refs) in enumerate(transactions):
        value = str(Decimal(amount).scaleb(-2))
        entries += ntry(
            tx(text=text, refs=tuple(refs)),
            amount=value,
            indicator=indicator,
            reference=f"R{number}",
        )
    parsed = parse_one(document(statement(entries)))
    assert [
        (e.amount.minor_units, e.direction.value, e.remittance_text, e.creditor_references)
        for e in parsed.entries
    ] == [
        (amount, "credit" if indicator == "CRDT" else "debit", text, tuple(refs))
        for amount, indicator, text, refs in transactions
    ]


def test_declared_encoding_is_honoured_for_bytes_and_ignored_for_text():
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><Document><BkToCstmrStmt>'
        "<Stmt><Id>Müller</Id></Stmt></BkToCstmrStmt></Document>"
    )
    assert parse_camt(xml.encode("latin-1"))[0].statement_id == "Müller"
    assert parse_camt(xml)[0].statement_id == "Müller"


# -- the entry's money is the entry's; versions, dates and checks --------------------------------


def test_a_single_transaction_never_overrides_the_entrys_amount_or_direction():
    other = (
        '<TxDtls><CdtDbtInd>CRDT</CdtDbtInd><AmtDtls><InstdAmt><Amt Ccy="USD">105.75</Amt>'
        '</InstdAmt><TxAmt><Amt Ccy="USD">105.75</Amt></TxAmt></AmtDtls>'
        "<RmtInf><Ustrd>Order 7</Ustrd></RmtInf></TxDtls>"
    )
    [entry] = parse_one(document(statement(ntry(other, amount="8.85", indicator="DBIT")))).entries
    assert (entry.amount, entry.direction) == (Money("8.85", "EUR"), Direction.DEBIT)
    assert entry.remittance_text == "Order 7"


def test_dates_with_a_time_zone_offset_are_their_day():
    xml = document(statement(ntry())).replace("<Dt>2026-03-02</Dt>", "<Dt>2026-03-02+01:00</Dt>")
    assert parse_one(xml).entries[0].booking_date == date(2026, 3, 2)


def test_camt054_without_any_date_is_booked_on_the_day_it_was_reported():
    body = ntry().replace(
        "<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-03</Dt></ValDt>", ""
    )
    xml = document(
        statement(body, part="Ntfctn"), message="camt.054.001.08", root="BkToCstmrDbtCdtNtfctn"
    )
    xml = xml.replace(
        "<MsgId>M</MsgId>", "<MsgId>M</MsgId><CreDtTm>2026-03-04T10:00:00+01:00</CreDtTm>"
    )
    [entry] = parse_one(xml).entries
    assert entry.booking_date == date(2026, 3, 4)


def test_camt052_intraday_reports_are_read():
    xml = document(
        statement(ntry(), part="Rpt"), message="camt.052.001.08", root="BkToCstmrAcctRpt"
    )
    parsed = parse_one(xml)
    assert (parsed.format, len(parsed.entries)) == ("camt.052", 1)


def test_pending_entries_are_left_out_with_a_note():
    xml = document(statement(ntry() + ntry(status="<Sts><Cd>PDNG</Cd></Sts>")))
    parsed = parse_one(xml)
    assert len(parsed.entries) == 1
    assert any("leaves out 1 entries that are not booked" in note for note in parsed.notes)


def test_an_unknown_encoding_declaration_is_a_statement_format_error():
    xml = document(statement(ntry())).replace('encoding="UTF-8"', 'encoding="no-such-codec"')
    with pytest.raises(StatementFormatError, match="encoding Python does not know"):
        parse_camt(xml.encode())


def test_balances_that_do_not_add_up_are_refused_naming_the_statement():
    balances = (
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>"
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>"
    )
    xml = document(statement(balances + ntry()))
    with pytest.raises(StatementFormatError, match=r"difference -10\.00") as caught:
        parse_camt(xml, source="s.xml")
    assert caught.value.location == "Document/BkToCstmrStmt/Stmt[1]"
    [lenient] = parse_camt(xml, lenient=True)
    assert "does not add up" in lenient.warnings[0]
    assert parse_one(
        xml.replace(
            ">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02",
            ">110.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02",
        )
    )
