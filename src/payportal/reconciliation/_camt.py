"""ISO 20022 camt.053 (account statement) and camt.054 (debit/credit notification).

Every message version is read the same way: elements are matched by their local name, so
``camt.053.001.02`` and ``camt.053.001.08`` (and anything in between that keeps the element
names) parse alike. Differences between versions that matter here are handled explicitly:
the transaction amount moved from ``AmtDtls/TxAmt/Amt`` (.02) to ``TxDtls/Amt`` (.03+), the
entry status became ``Sts/Cd`` (.07+) and parties gained a ``Pty`` wrapper (.08+).

XML is guarded by defusedxml, with DTDs refused: a bank statement never needs one, and
entity expansion is how XML bombs work. defusedxml reads the prolog, where a DTD would have to
be; the standard library's C parser reads the rest (see ``_Reader.guard``).
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as StdET  # after defusedxml has read the prolog (_Reader.guard)
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, BinaryIO

import defusedxml
import defusedxml.ElementTree

from payportal._money import Money
from payportal.exceptions import StatementFormatError, ValidationError
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import EntryIdentifier
from payportal.reconciliation._integrity import settle

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["iter_camt", "parse_camt"]

Element = StdET.Element

# Root child element -> (message type, element of one statement or notification).
_MESSAGES = {
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
}
_VERSION_SUFFIX = re.compile(r"V\d\d$")
_NAMESPACE_TYPE = re.compile(r"\b((?:camt|pain|pacs)\.\d{3})\.\d{3}\.\d{2}\b")
# Entries in these states are not (yet) money on the account: nothing to reconcile.
_NOT_BOOKED = frozenset({"PDNG", "INFO", "FUTR"})
_PLACEHOLDERS = frozenset({"NOTPROVIDED", "NONREF"})
# xs:date and xs:dateTime, each with an optional time-zone offset; the day is group 1.
_XS_DATE = re.compile(r"(\d{4}-\d\d-\d\d)(?:T\d\d:\d\d:\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?")
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


def parse_camt(
    data: bytes | str, *, source: str = "", lenient: bool = False
) -> tuple[Statement, ...]:
    """Read a camt.052, camt.053 or camt.054 document.

    Args:
        data: the XML document, as bytes (its declared encoding is honoured) or text.
        source: a label for error messages, such as the file name.
        lenient: return statements whose balances do not add up with
            :attr:`~Statement.warnings` instead of refusing the document.

    Returns:
        One :class:`Statement` per ``Rpt`` (camt.052), ``Stmt`` (camt.053) or ``Ntfctn``
        (camt.054), in file order. Entries reported as pending (``PDNG``), informational
        (``INFO``) or future (``FUTR``) are left out, with a note on the statement: they have
        not moved money yet.

    Raises:
        StatementFormatError: the document is not well-formed XML (the location names the
            line and column), declares an encoding Python does not know, contains a DTD or
            entities (XML bombs), is another message type, an element the parser needs is
            missing or malformed (the location names the element path), or (unless
            ``lenient``) a statement's balances do not add up.
    """
    stream = io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)
    return tuple(iter_camt(stream, source=source, lenient=lenient, text=isinstance(data, str)))


def iter_camt(
    stream: BinaryIO, *, source: str = "", lenient: bool = False, text: bool = False
) -> Iterator[Statement]:
    """Read the statements of a camt document from an open binary file, one at a time.

    Arguments and errors are those of :func:`parse_camt` (``text`` says the bytes are UTF-8
    whatever the declaration says). A statement is yielded once its element has ended and
    been checked: the file is imported only when the iteration ends without an error.
    """
    return _Reader(source, lenient).read(stream, "utf-8" if text else None)


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if child.tag == name)


# The steps of each path ``_find`` was given ("Refs/EndToEndId": ("Refs", "EndToEndId")),
# split once: the paths are this module's own, a few dozen.
_STEPS: dict[str, list[str]] = {}


def _find(element: Element | None, path: str) -> Element | None:
    # One C-level find() per step: ElementPath's general machinery for "a/b" paths is
    # the slowest part of reading large statements.
    steps = _STEPS.get(path)
    if steps is None:
        steps = _STEPS[path] = path.split("/")
    for step in steps:
        if element is None:
            return None
        element = element.find(step)
    return element


def _text(element: Element | None, path: str) -> str:
    found = _find(element, path)
    return "" if found is None else (found.text or "").strip()


def _reference(element: Element | None, path: str) -> str:
    text = _text(element, path)
    return "" if text.upper() in _PLACEHOLDERS else text


def _first_text(element: Element | None, *paths: str) -> str:
    for path in paths:
        text = _text(element, path)
        if text:
            return text
    return ""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


class _Reader:
    """Parsing state for one document: its label, for errors, and its message type."""

    def __init__(self, source: str, lenient: bool) -> None:
        self.source = source
        self.lenient = lenient
        self.message_type = ""
        self.created: date | None = None

    def fail(self, message: str, location: str) -> StatementFormatError:
        return StatementFormatError(message, source=self.source, location=location)

    def read(self, stream: BinaryIO, encoding: str | None) -> Iterator[Statement]:
        # Streamed: each entry is read and dropped as soon as its element is complete, so a
        # statement with 100,000 entries never holds its whole tree in memory.
        try:
            tags = self.guard(stream, encoding)
            # The prolog passed defusedxml, so the standard library's C parser and C
            # TreeBuilder read the rest, several times faster than defusedxml's Python one.
            parser = StdET.XMLParser(  # noqa: S314  # the prolog passed guard() above
                target=StdET.TreeBuilder(), encoding=encoding
            )
            events = StdET.iterparse(stream, ("end",), parser)  # noqa: S314  # same
            yield from self._stream(tags, events)
        except StdET.ParseError as error:
            line, column = error.position
            # expat appends the position to its message; the location carries it instead.
            reason = str(error).rsplit(": line ", 1)[0]
            raise self.fail(
                f"is not well-formed XML ({reason})", f"line {line}, column {column}"
            ) from None
        except LookupError as error:
            raise self.fail(
                f"declares an encoding Python does not know ({error})", "line 1"
            ) from None
        except defusedxml.DefusedXmlException as error:
            raise self.fail(
                "contains a DTD, entity declaration or external reference, which bank "
                f"statements never need; refused as unsafe ({type(error).__name__})",
                "",
            ) from None
        except ValueError as error:  # after DefusedXmlException, itself a ValueError
            # expat reads single-byte encodings and UTF-8/16 only: a declared UTF-32 (or
            # another multi-byte codec) is refused by the parser with this ValueError.
            if "multi-byte encodings" not in str(error):
                raise
            raise self.fail(
                f"declares an encoding the XML parser cannot read ({error})", "line 1"
            ) from None

    @staticmethod
    def guard(stream: BinaryIO, encoding: str | None) -> list[str]:
        """Let defusedxml read the document up to its message element, then rewind.

        A DTD, and with it every entity declaration (billion laughs, external entities),
        can only come before the root element. defusedxml refuses one there; after the
        root's start tag nothing can declare an entity, and an undeclared one is a parse
        error. So the prolog is all that needs defusedxml's guard.

        Returns:
            The qualified tags of the root and of its first child (the message), as far as
            the document has them.
        """
        start = stream.tell()
        seen = _FirstTags()
        parser = defusedxml.ElementTree.DefusedXMLParser(
            target=seen, encoding=encoding, forbid_dtd=True
        )
        try:
            while chunk := stream.read(16384):
                parser.feed(chunk)
        except _RootStarted:
            pass
        stream.seek(start)
        return seen.tags

    def _stream(
        self, tags: list[str], events: Iterator[tuple[str, Element]]
    ) -> Iterator[Statement]:
        # Only "end" events: an element is complete when it ends. The root and message are
        # known from guard(); tags are compared qualified, and each finished subtree is
        # renamed to local names once, so that every message version reads alike.
        if not tags:
            # No element at all: let the parser say where the document ends.
            for _ in events:
                pass
            raise self.fail("is not an ISO 20022 camt document (empty Document)", "Document")
        namespace, _, root = tags[0].rpartition("}")
        if root != "Document":
            raise self.fail("is not an ISO 20022 camt document (no Document root)", root)
        found = _NAMESPACE_TYPE.search(namespace)
        self.message_type = found.group(1) if found else ""
        if len(tags) < 2 or not tags[1].startswith(f"{namespace}}}" if namespace else ""):
            for _ in events:
                pass
            raise self.fail("is not an ISO 20022 camt document (empty Document)", "Document")
        message = tags[1].rpartition("}")[2]
        # Version .001.01 suffixed the message element: BkToCstmrAcctRptV01.
        kind, part = self.message(_VERSION_SUFFIX.sub("", message))
        prefix = f"{namespace}}}" if namespace else ""
        cut = len(prefix)
        ntry, statement, header = prefix + "Ntry", prefix + part, prefix + "GrpHdr"
        current = _Open(f"Document/{message}/{part}[1]")
        count = 0
        for _, element in events:
            tag = element.tag
            if tag == ntry:
                _localise(element, cut)
                current.ntry_count += 1
                path = f"{current.path}/Ntry[{current.ntry_count}]"
                current.entries.extend(self.entries(element, path, current))
                element.clear()
            elif tag == statement:
                _localise(element, cut)
                count += 1
                yield self.statement(element, current, kind)
                element.clear()
                current = _Open(f"Document/{message}/{part}[{count + 1}]")
            elif tag == header:
                _localise(element, cut)
                self.created = self.day(element.find("CreDtTm"), "GrpHdr/CreDtTm", time=True)
        if not count:
            raise self.fail(
                f"has no {part} element: the {kind} message holds no statement",
                f"Document/{message}",
            )

    def message(self, name: str) -> tuple[str, str]:
        """The message type and statement element of the root's message element ``name``."""
        if name not in _MESSAGES:
            raise self.fail(
                f"is a {self.message_type or name} message, not a camt.052 report, "
                "camt.053 statement or camt.054 notification",
                f"Document/{name}",
            )
        kind, part = _MESSAGES[name]
        if self.message_type and self.message_type != kind:
            raise self.fail(
                f"declares the {self.message_type} namespace but contains a {kind} message",
                f"Document/{name}",
            )
        return kind, part

    # -- values -----------------------------------------------------------------------------

    def money(self, element: Element | None, path: str) -> Money:
        if element is None:
            raise self.fail("has no amount", path)
        text = (element.text or "").strip()
        currency = element.get("Ccy", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise self.fail(f"has an amount that is not a number: {text!r}", path) from None
        if not amount.is_finite() or amount < 0:
            raise self.fail(f"has an amount that is not a positive number: {text!r}", path)
        try:
            return Money(amount, currency)
        except ValidationError as error:
            raise self.fail(f"has an unusable amount: {error}", path) from None

    def direction(self, element: Element, path: str) -> Direction:
        code = _text(element, "CdtDbtInd")
        if code == "CRDT":
            return Direction.CREDIT
        if code == "DBIT":
            return Direction.DEBIT
        raise self.fail(f"has CdtDbtInd {code!r}; expected CRDT or DBIT", f"{path}/CdtDbtInd")

    def day(self, element: Element | None, path: str, *, time: bool = False) -> date | None:
        """A ``DateAndDateTimeChoice`` (``Dt`` or ``DtTm``), or with ``time`` an ISODateTime.

        The day is the one written, in the offset it is written in: ``2024-01-31+01:00``
        (an ``xs:date`` with a time zone) and ``2024-01-31T23:30:00-05:00`` are both the
        31st.
        """
        if element is None:
            return None
        if time:
            text = (element.text or "").strip()
        elif (text := _text(element, "Dt")) == "" and (text := _text(element, "DtTm")) == "":
            raise self.fail("has neither Dt nor DtTm", path)
        found = _XS_DATE.fullmatch(text)
        if found is not None:
            try:
                return date.fromisoformat(found.group(1))
            except ValueError:
                pass
        raise self.fail(f"has a date that is not an ISO 8601 date: {text!r}", path)

    def balance(self, element: Element, path: str) -> Money:
        money = self.money(element.find("Amt"), f"{path}/Amt")
        return -money if self.direction(element, path) is Direction.DEBIT else money

    # -- structure --------------------------------------------------------------------------

    def statement(self, element: Element, current: _Open, kind: str) -> Statement:
        path = current.path
        identifier = EntryIdentifier(_account(element))
        entries = [
            StatementEntry(entry_id=identifier.identify(fields), **fields)
            for fields in current.entries
        ]
        balances: dict[str, Money] = {}
        for index, bal in enumerate(_children(element, "Bal"), start=1):
            code = _first_text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
            if code in _OPENING + _CLOSING:
                balances.setdefault(code, self.balance(bal, f"{path}/Bal[{index}]"))
        notes = list(current.notes)
        if not (balances.keys() & set(_OPENING) and balances.keys() & set(_CLOSING)):
            notes.append(
                "has no opening and closing booked balance (OPBD or PRCD, and CLBD) to check "
                "its entries against"
            )
        if current.not_booked:
            notes.append(
                f"leaves out {current.not_booked} entries that are not booked "
                "(status PDNG, INFO or FUTR): they have not moved money yet"
            )
        result = Statement(
            format=kind,
            statement_id=_text(element, "Id"),
            account=_account(element),
            entries=entries,
            currency=_text(element, "Acct/Ccy") or None,
            opening_balance=next((balances[c] for c in _OPENING if c in balances), None),
            closing_balance=next((balances[c] for c in _CLOSING if c in balances), None),
            notes=notes,
        )
        return settle(result, (), source=self.source, location=path, lenient=self.lenient)

    def entries(self, ntry: Element, path: str, current: _Open) -> list[dict[str, Any]]:
        """The fields of the entries one ``Ntry`` books: one, or one per transaction."""
        status = _first_text(ntry, "Sts/Cd", "Sts")
        if status in _NOT_BOOKED:
            current.not_booked += 1
            return []
        # The entry's amount and direction are what moved on the account; transaction
        # details refine the texts and parties, never the money.
        amount = self.money(ntry.find("Amt"), f"{path}/Amt")
        direction = self.direction(ntry, path)
        booking = self.day(ntry.find("BookgDt"), f"{path}/BookgDt")
        value = self.day(ntry.find("ValDt"), f"{path}/ValDt")
        # camt.054 notifications may carry no date at all: the day the bank reported it.
        booking_date = booking or value or self.created
        if booking_date is None:
            raise self.fail("has neither BookgDt nor ValDt, and the message no CreDtTm", path)
        common: dict[str, Any] = {
            "booking_date": booking_date,
            "value_date": value,
            "reversal": _text(ntry, "RvslInd").lower() in {"true", "1"},
        }
        reference = _text(ntry, "AcctSvcrRef")
        transactions = [
            (tx, f"{path}/NtryDtls[{d}]/TxDtls[{t}]")
            for d, details in enumerate(_children(ntry, "NtryDtls"), start=1)
            for t, tx in enumerate(_children(details, "TxDtls"), start=1)
        ]
        if not transactions:
            fields = {
                **common,
                "amount": amount,
                "direction": direction,
                "remittance_text": _text(ntry, "AddtlNtryInf"),
                "bank_reference": reference,
            }
            return [fields]

        itemised = [self.transaction(tx, tx_path, direction) for tx, tx_path in transactions]
        if len(itemised) == 1:
            fields = itemised[0]
            fields.pop("tx_amount", None)
            fields.update(common, amount=amount, direction=direction)
            fields["bank_reference"] = fields["bank_reference"] or reference
            fields["remittance_text"] = fields["remittance_text"] or _text(ntry, "AddtlNtryInf")
            return [fields]

        why = self.unsplittable(itemised, amount, direction)
        if why is None:
            entries = []
            for number, fields in enumerate(itemised, start=1):
                fields["amount"] = fields.pop("tx_amount")[0]
                fields["direction"] = direction
                if not fields["bank_reference"] and reference:
                    fields["bank_reference"] = f"{reference}/{number}"
                fields.update(common)
                entries.append(fields)
            return entries

        # The money can only be booked as the one entry the bank booked; it keeps every
        # transaction's references for matching.
        current.notes.append(
            f"keeps {path} as one entry of {amount.amount} {amount.currency} with "
            f"{len(itemised)} transactions, because {why}"
        )
        fields = {
            **common,
            "amount": amount,
            "direction": direction,
            "bank_reference": reference,
            "remittance_text": " ".join(_unique([f["remittance_text"] for f in itemised]))
            or _text(ntry, "AddtlNtryInf"),
            "creditor_references": _unique(
                [ref for f in itemised for ref in f["creditor_references"]]
            ),
        }
        for name in (
            "counterparty_name",
            "counterparty_iban",
            "counterparty_bic",
            "end_to_end_id",
            "mandate_id",
            "customer_reference",
            "ultimate_party",
        ):
            values = _unique([f[name] for f in itemised])
            fields[name] = values[0] if len(values) == 1 else ""
        reasons = _unique([f["return_reason"] or "" for f in itemised])
        fields["return_reason"] = reasons[0] if len(reasons) == 1 and reasons[0] else None
        return [fields]

    @staticmethod
    def unsplittable(
        itemised: list[dict[str, Any]], amount: Money, direction: Direction
    ) -> str | None:
        """Why a batch entry cannot be split into its transactions; ``None`` if it can."""
        missing = sum(1 for fields in itemised if "tx_amount" not in fields)
        if missing:
            return f"{missing} of them state no amount"
        currencies = {fields["tx_amount"][0].currency for fields in itemised}
        if currencies != {amount.currency}:
            return f"their amounts are in {', '.join(sorted(currencies))}"
        if any(fields["tx_amount"][1] not in (None, direction) for fields in itemised):
            return "their directions differ from the entry's"
        total = sum((fields["tx_amount"][0].amount for fields in itemised), start=Decimal(0))
        if total != amount.amount:
            return f"their amounts add up to {total}, not to the entry's {amount.amount}"
        return None

    def transaction(self, tx: Element, path: str, direction: Direction) -> dict[str, Any]:
        """The fields of one ``TxDtls``; ``tx_amount`` (money, its direction) if it has one."""
        fields: dict[str, Any] = {}
        own = self.direction(tx, path) if tx.find("CdtDbtInd") is not None else None
        for amount_path in ("Amt", "AmtDtls/TxAmt/Amt"):
            element = _find(tx, amount_path)
            if element is not None:
                # The entry's amount is what counts; this one only splits batches.
                with contextlib.suppress(StatementFormatError):
                    fields["tx_amount"] = (self.money(element, f"{path}/{amount_path}"), own)
                break
        # The counterparty of money received is its debtor, of money paid its creditor.
        side = "Dbtr" if direction is Direction.CREDIT else "Cdtr"
        parties = tx.find("RltdPties")
        agents = tx.find("RltdAgts")
        remittance = tx.find("RmtInf")
        texts: list[str] = []
        references: list[str] = []
        if remittance is not None:
            texts = [(u.text or "").strip() for u in _children(remittance, "Ustrd")]
            for structured in _children(remittance, "Strd"):
                references.extend(
                    (r.text or "").strip() for r in structured.iterfind("CdtrRefInf/Ref")
                )
                texts.extend((a.text or "").strip() for a in _children(structured, "AddtlRmtInf"))
        # Each element that holds alternatives is found once, then its alternatives in it.
        refs = tx.find("Refs")
        fields.update(
            counterparty_name=_first_text(_find(parties, side), "Nm", "Pty/Nm"),
            counterparty_iban=_first_text(_find(parties, f"{side}Acct/Id"), "IBAN", "Othr/Id")
            .replace(" ", "")
            .upper(),
            counterparty_bic=_first_text(_find(agents, f"{side}Agt/FinInstnId"), "BIC", "BICFI"),
            ultimate_party=_first_text(_find(parties, f"Ultmt{side}"), "Nm", "Pty/Nm"),
            end_to_end_id=_reference(refs, "EndToEndId"),
            mandate_id=_reference(refs, "MndtId"),
            customer_reference=_reference(refs, "PmtInfId"),
            bank_reference=_text(refs, "AcctSvcrRef"),
            remittance_text=" ".join(text for text in texts if text),
            creditor_references=tuple(ref for ref in references if ref),
            # A returned direct debit or transfer: ISO code, or the bank's own (Prtry).
            return_reason=_first_text(_find(tx, "RtrInf/Rsn"), "Cd", "Prtry").upper() or None,
        )
        return fields


class _RootStarted(Exception):  # noqa: N818  # a signal, not an error
    """The root element started: the prolog is over."""


class _FirstTags:
    """A parser target that stops parsing at the second start tag, the message element."""

    def __init__(self) -> None:
        self.tags: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.tags.append(tag)
        if len(self.tags) == 2:
            raise _RootStarted

    def close(self) -> None:
        return None


class _Open:
    """A statement whose entries are being read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.not_booked = 0
        self.ntry_count = 0


def _localise(element: Element, cut: int) -> None:
    """Rename ``element`` and everything in it to local names (``{ns}Amt`` to ``Amt``)."""
    if cut:
        for inner in element.iter():
            tag = inner.tag
            if tag[0] == "{":
                inner.tag = tag[cut:] if tag[cut - 1] == "}" else tag.rpartition("}")[2]


def _account(statement: Element) -> str:
    return _first_text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id").replace(" ", "")
