"""Bank statement import: camt.053, camt.054 and MT940 into one :class:`StatementEntry` model.

:func:`read_statement` reads a file (or its bytes), recognises the format and returns its
statements; every entry carries a stable :attr:`~StatementEntry.entry_id`, so importing the
same statement twice books nothing twice when the already booked ids are dropped with
:func:`drop_seen`:

>>> data = b'''<?xml version="1.0" encoding="UTF-8"?>
... <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
... <Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
... <Ntry><Amt Ccy="EUR">119.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
... <BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>
... <NtryDtls><TxDtls><RmtInf><Ustrd>Invoice RE-1001</Ustrd></RmtInf></TxDtls></NtryDtls>
... </Ntry></Stmt></BkToCstmrStmt></Document>'''
>>> [statement] = read_statement(data)
>>> entry = statement.entries[0]
>>> entry.amount, entry.direction, entry.remittance_text
(Money('119.00', 'EUR'), <Direction.CREDIT: 'credit'>, 'Invoice RE-1001')
>>> entry.entry_id
'ref:DE89370400440532013000:B-1'
>>> drop_seen(statement.entries, seen={entry.entry_id})
[]
"""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING, Literal

from payportal.exceptions import StatementFormatError
from payportal.reconciliation._camt import parse_camt
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import drop_seen
from payportal.reconciliation._mt940 import parse_mt940
from payportal.reconciliation._reconcile import (
    Booking,
    EntryMatch,
    MatchReason,
    ReconciliationProposal,
    apply,
    reconcile,
)

if TYPE_CHECKING:
    import os

__all__ = [
    "Booking",
    "Direction",
    "EntryMatch",
    "MatchReason",
    "ReconciliationProposal",
    "Statement",
    "StatementEntry",
    "StatementFormat",
    "apply",
    "drop_seen",
    "parse_camt",
    "parse_mt940",
    "read_statement",
    "reconcile",
]

StatementFormat = Literal["camt", "mt940"]
"""The formats :func:`read_statement` knows; ``"camt"`` covers camt.053 and camt.054."""


def read_statement(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    format: StatementFormat | None = None,  # noqa: A002  # the natural name for callers
    source: str | None = None,
) -> tuple[Statement, ...]:
    """Read a bank statement file in any supported format.

    Args:
        path_or_bytes: a path to the file, or its content as bytes.
        format: ``"camt"`` or ``"mt940"``; by default recognised from the content (XML is
            camt, a ``:20:`` field at the start of a line is MT940).
        source: the label used in error messages; defaults to the path, or ``"<bytes>"``.

    Returns:
        The statements in the file, in file order, each with its booked entries.

    Raises:
        StatementFormatError: the format cannot be recognised or is not supported, or the
            content is not a valid statement of its format (see :func:`parse_camt` and
            :func:`parse_mt940`). Nothing is returned in part.
        OSError: the file cannot be read.
    """
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
        label = source if source is not None else "<bytes>"
    else:
        path = pathlib.Path(path_or_bytes)
        data = path.read_bytes()
        label = source if source is not None else str(path)
    kind = format or _sniff(data, label)
    if kind == "camt":
        return parse_camt(data, source=label)
    if kind == "mt940":
        return parse_mt940(data, source=label)
    raise StatementFormatError(
        f"format {kind!r} is not supported; use 'camt' or 'mt940'", source=label
    )


def _sniff(data: bytes, label: str) -> StatementFormat:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt"
    # MT940 files may start with a SWIFT header block ({1:...}) before the first :20:.
    if head.startswith(b":20:") or b"\n:20:" in head or b"{4:" in head:
        return "mt940"
    raise StatementFormatError(
        "is neither camt XML nor MT940 (no XML root and no :20: field at the start)",
        source=label,
        location="line 1",
    )
