"""StatementEntry.return_reason from camt (RtrInf/Rsn) and MT940 (/RTRN/, German returns)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from payportal import Money
from payportal.exceptions import ValidationError
from payportal.reconciliation import Direction, StatementEntry, read_statement

SEPA = Path(__file__).resolve().parents[1] / "data" / "sepa"

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-03-19T10:00:00Z</CreDtTm></GrpHdr>
<Ntfctn><Id>N</Id><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{total}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-03-19</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls>{transactions}</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""

TX = """<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>{amount}{reason}</TxDtls>"""


def camt(*transactions: tuple[str, str | None, str], total: str = "50.00") -> list[StatementEntry]:
    parts = []
    for e2e, reason, amount in transactions:
        parts.append(
            TX.format(
                e2e=e2e,
                amount=f'<Amt Ccy="EUR">{amount}</Amt>' if amount else "",
                reason="" if reason is None else f"<RtrInf><Rsn>{reason}</Rsn></RtrInf>",
            )
        )
    xml = CAMT.format(total=total, transactions="".join(parts))
    (statement,) = read_statement(xml.encode(), source="return.xml")
    return list(statement.entries)


def test_camt_return_reason_code_and_proprietary() -> None:
    (entry,) = camt(("E-1", "<Cd>AC04</Cd>", ""))
    assert entry.return_reason == "AC04"
    (entry,) = camt(("E-1", "<Prtry>ms03</Prtry>", ""))
    assert entry.return_reason == "MS03"
    (entry,) = camt(("E-1", None, ""))
    assert entry.return_reason is None


def test_camt_batch_keeps_each_transaction_reason_or_one_shared() -> None:
    split = camt(("E-1", "<Cd>AC04</Cd>", "20.00"), ("E-2", "<Cd>AM04</Cd>", "30.00"))
    assert [(e.end_to_end_id, e.return_reason) for e in split] == [("E-1", "AC04"), ("E-2", "AM04")]
    # Amounts that do not add up: one entry; a reason only if all transactions share it.
    kept = camt(("E-1", "<Cd>AC04</Cd>", "20.00"), ("E-2", "<Cd>AM04</Cd>", "10.00"))
    assert [e.return_reason for e in kept] == [None]
    shared = camt(("E-1", "<Cd>MD06</Cd>", "20.00"), ("E-2", "<Cd>MD06</Cd>", "10.00"))
    assert [e.return_reason for e in shared] == ["MD06"]


def mt940(details: str, *, mark: str = "D") -> StatementEntry:
    text = "\r\n".join(
        [
            ":20:X",
            ":25:12030000/0000202051",
            ":28C:1/1",
            ":60F:C260318EUR100,00",
            f":61:2603190319{mark}10,00NRTINONREF",
            f":86:{details}",
            f":62F:C260319EUR{'90' if mark == 'D' else '110'},00",
            "-",
        ]
    )
    (statement,) = read_statement(text.encode(), source="x.sta")
    (entry,) = statement.entries
    return entry


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ("/RTRN/AC04/EREF/E-1//REMI/USTD//RE-1/", "AC04"),  # Dutch structure
        ("/EREF/E-1//RTRN/md01/", "MD01"),
        ("/EREF/E-1//RTRN//REMI/USTD//RE-1/", None),
        ("RETOURE SEPA-LASTSCHRIFT /RTRN/MS03/ EREF+E-1", "MS03"),  # free text
        ("RUECKLASTSCHRIFT ANGABE AM04", None),  # free text without /RTRN/
        ("109?00SEPA-LS RUECKBEL. CORE?20EREF+E-1?21SVWZ+RE-1 AC04?34901", "AC04"),
        ("109?00SEPA-LS RUECKBEL. CORE?20EREF+E-1?21SVWZ+RE-1?34912", None),
        ("108?00RUECKLASTSCHRIFT /RTRN/MD06/?20EREF+E-1", "MD06"),
        # Not a return: a code-like word in an ordinary transfer's purpose is no reason.
        ("166?00GUTSCHRIFT?20EREF+E-1?21SVWZ+KUNDE AC04", None),
    ],
)
def test_mt940_return_reason(details: str, reason: str | None) -> None:
    assert mt940(details).return_reason == reason


def test_sample_statements_carry_their_reasons() -> None:
    def reasons(name: str) -> list[str | None]:
        data = (SEPA / name).read_bytes()
        return [e.return_reason for s in read_statement(data, source=name) for e in s.entries]

    assert reasons("camt054_dd_return.xml") == ["AC04"]
    assert reasons("camt054_dd_credit.xml") == [None, None]
    assert reasons("mt940_dd_de.sta") == [None, None]
    assert reasons("mt940_dd_nl.sta") == ["MS02"]


def test_return_reason_must_be_a_non_empty_string_or_none() -> None:
    with pytest.raises(ValidationError) as info:
        StatementEntry(
            "x", date(2026, 1, 1), Money("1.00", "EUR"), Direction.DEBIT, return_reason=""
        )
    assert info.value.field == "return_reason"
