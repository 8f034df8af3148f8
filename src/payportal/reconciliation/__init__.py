"""Bank statement import: camt.052/053/054 and MT940/MT942 into one :class:`StatementEntry` model.

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

import io
import pathlib
from typing import TYPE_CHECKING, BinaryIO, Literal

from payportal.exceptions import StatementFormatError
from payportal.reconciliation._camt import iter_camt, parse_camt
from payportal.reconciliation._csv import CsvLayout, parse_csv
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import drop_seen
from payportal.reconciliation._mt940 import iter_mt940, parse_mt940
from payportal.reconciliation._reconcile import (
    Booking,
    DebitKind,
    DebitMatch,
    EntryMatch,
    MatchReason,
    ReconciliationProposal,
    apply,
    book_approved,
    reconcile,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
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
]

StatementFormat = Literal["camt", "mt940", "csv"]
"""The formats :func:`read_statement` reads; ``"camt"`` covers camt.052, camt.053 and
camt.054, ``"mt940"`` covers MT940 and MT942, ``"csv"`` banks' CSV exports."""


def read_statement(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    format: StatementFormat | None = None,  # noqa: A002  # the natural name for callers
    source: str | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    layout: CsvLayout | None = None,
) -> tuple[Statement, ...]:
    """Read a bank statement file in any supported format, checked.

    Every statement is checked before it is returned: its opening balance plus its credits
    minus its debits must be its closing balance, in one currency (MT942: the ``:90D:`` and
    ``:90C:`` totals). Amounts are exact; an amount that would need rounding is refused.

    Args:
        path_or_bytes: a path to the file, or its content as bytes.
        format: ``"camt"``, ``"mt940"`` or ``"csv"``; by default recognised from the content
            (XML is camt, a ``:20:`` field at the start of a line or a SWIFT ``{4:`` block is
            MT940) or, for a path ending in ``.csv``, CSV.
        source: the label used in error messages; defaults to the path, or ``"<bytes>"``.
        encoding: the encoding of an MT940 file, when it is neither UTF-8 nor Windows-1252
            (camt files declare their own).
        lenient: return statements that fail the checks, each with one
            :attr:`~Statement.warnings` sentence per problem, instead of refusing the file.
        layout: for CSV, what is known about the bank's export (see :class:`CsvLayout`);
            by default the columns, decimal mark, date format and encoding are found from the
            file, and refused where the file is ambiguous.

    Returns:
        The statements in the file, in file order, each with its booked entries.

    Raises:
        StatementFormatError: the format cannot be recognised or is not supported, the
            content is not a valid statement of its format, or (unless ``lenient``) a
            statement fails its checks; the message names the statement, the line or
            XPath, and what did not add up. Nothing is returned in part.
        OSError: the file cannot be read.
    """
    return tuple(
        iter_statements(
            path_or_bytes,
            format=format,
            source=source,
            encoding=encoding,
            lenient=lenient,
            layout=layout,
        )
    )


def iter_statements(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    format: StatementFormat | None = None,  # noqa: A002  # the natural name for callers
    source: str | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    layout: CsvLayout | None = None,
) -> Iterator[Statement]:
    """Read the statements of a file one at a time, in memory bounded by the largest one.

    Arguments and errors are those of :func:`read_statement`. A path is read as a stream
    (camt with a streaming XML parser whose finished elements are dropped, MT940 line by
    line), so a file of hundreds of megabytes in daily statements imports in little memory.
    Each statement is yielded once it has been checked; a later statement can still be
    refused, so treat the file as imported only when the iteration ends without an error.
    """
    if isinstance(path_or_bytes, bytes):
        label = source if source is not None else "<bytes>"
        yield from _read(io.BytesIO(path_or_bytes), format, label, encoding, lenient, layout)
        return
    path = pathlib.Path(path_or_bytes)
    label = source if source is not None else str(path)
    if format is None and path.suffix.lower() == ".csv":
        format = "csv"  # noqa: A001
    with path.open("rb") as stream:
        yield from _read(stream, format, label, encoding, lenient, layout)


def _read(  # noqa: PLR0917  # private; the public functions take these by keyword
    stream: BinaryIO,
    format: StatementFormat | None,  # noqa: A002
    label: str,
    encoding: str | None,
    lenient: bool,
    layout: CsvLayout | None,
) -> Iterator[Statement]:
    kind = format or _sniff(stream.read(4096), label)
    stream.seek(0)
    if kind == "csv":
        if encoding and layout is None:
            layout = CsvLayout(encoding=encoding)
        yield from parse_csv(stream.read(), layout, source=label, lenient=lenient)
    elif kind == "camt":
        yield from iter_camt(stream, source=label, lenient=lenient)
    elif kind == "mt940":
        yield from iter_mt940(stream, source=label, encoding=encoding, lenient=lenient)
    else:
        raise StatementFormatError(
            f"format {kind!r} is not supported; use 'camt', 'mt940' or 'csv'", source=label
        )


def _sniff(data: bytes, label: str) -> StatementFormat:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt"
    # MT940 files may start with a SWIFT header block ({1:...}) or a bank's header lines
    # (ABNANL2A, 940) before the first :20:.
    if head.startswith((b":20:", b"@@:20:")) or b"\n:20:" in head or b"{4:" in head:
        return "mt940"
    raise StatementFormatError(
        "is neither camt XML nor MT940 (no XML root and no :20: field at the start)",
        source=label,
        location="line 1",
    )
