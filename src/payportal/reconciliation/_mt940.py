"""SWIFT MT940 statements and MT942 interim reports, with the banks' ``:86:`` dialects.

Read line by line, so a file of any size is read in memory bounded by its largest statement.
The grammar is SWIFT's (Standards MT November, category 9); what banks add is read too:

* envelopes: ``{1:...}{2:...}{4:`` headers, ``-}``/``-`` terminators, the ``0x1A`` end
  marker of DOS files, header lines before ``:20:`` (``ABNANL2A``, ``940``, ``0000 01...``);
* several statements per file, each a ``:20:`` block checked on its own;
* ``:61:`` by its grammar: value date ``YYMMDD``, optional entry date ``MMDD``, mark
  ``C``/``D``/``RC``/``RD``, optional funds code, amount with a decimal comma, transaction
  type (a letter and three characters: ``NTRF``, ``N051``, ``FMSC``), the account owner's
  reference, the bank's reference after ``//`` and supplementary details on the next line;
* ``:86:`` in the German structured form (``051?00...?20...?32...``, DFÜ-Abkommen/DK), the
  Dutch ``/TAG/value`` form (ING, Rabobank, ABN AMRO, Knab, Triodos) or free text;
* MT942's ``:34F:``, ``:13D:`` and ``:90D:``/``:90C:`` (number and sum of debits/credits).

Amounts are exact: ``119,50`` is 119.50, and an amount with more decimals than its currency
has, or anything but digits and one decimal comma, is refused, never rounded or truncated.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from payportal._money import Money, currency_exponent
from payportal.exceptions import StatementFormatError, ValidationError
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import EntryIdentifier
from payportal.reconciliation._integrity import settle

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["iter_mt940", "parse_mt940"]

_FIELD = re.compile(r":(\d\d[A-Z]?|NS):")
_AMOUNT = re.compile(r"(\d*)(?:,(\d*))?")
_BALANCE = re.compile(r"([CD])(\d{6})([A-Z]{3})(\S+)")
_STATEMENT_LINE = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4}| {4})?"
    r"(?P<mark>R[CD]|E[CD]|[CDcd])(?P<funds>[A-Za-z](?=\d))?"
    r"(?P<amount>\d[\d,.]*) ?"
    r"(?P<type>[A-Za-z][A-Za-z0-9 ]{3})"
    r"(?P<reference>.*?)(?://(?P<bank>.*))?"
)
_SUMMARY = re.compile(r"(\d{0,5})([A-Z]{3})(\S+)")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_GERMAN = re.compile(r"\d{3}([?/+])\d\d")
# SEPA keywords of the German ``:86:`` purpose (DK "Verwendungszweck" structure).
_KEYWORD = re.compile(
    r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|MDAT|SQTP|ORCR|ORMR|DDAT|COAM|OAMT)\+"
)
_KEYWORD_FIELDS = {
    "EREF": "end_to_end_id",
    "KREF": "customer_reference",
    "MREF": "mandate_id",
    "CRED": "creditor_id",
    "ABWA": "ultimate_party",
    "ABWE": "ultimate_party",
}
_PURPOSE = (*(f"2{digit}" for digit in range(10)), "60", "61", "62", "63")
# The Dutch banks' structured :86: tags (ING, Rabobank, ABN AMRO, Knab, Triodos, SNS, ASN).
_DUTCH_TAGS = (
    "ADDR|BENM|BIC|BUSP|CHGS|CNTP|CSID|EREF|EXCH|FX|ID|IBAN|ISDT|MARF|NAME|ORDP|ORIG|PREF"
    "|PURP|REMI|RTRN|SVCL|TRTP|ULTB|ULTC|ULTD"
)
_DUTCH = re.compile(rf"/({_DUTCH_TAGS})/")
_DUTCH_START = re.compile(rf"\s*/({_DUTCH_TAGS})/")
_PLACEHOLDERS = frozenset({"NONREF", "NOTPROVIDED"})
# The German business transaction codes (GVC) of returned SEPA payments: 108 and 109 SEPA
# direct debits returned (core, B2B), 159 a returned SEPA credit transfer. Their purpose
# text names the ISO return reason where the bank gives it.
_RETURN_GVCS = frozenset({"108", "109", "159"})
# An ISO 20022 return reason after ``/RTRN/`` (Dutch banks' structure, and free text).
_RTRN = re.compile(r"/RTRN/\s*([A-Z0-9]{4})(?![A-Z0-9])")
_REASON = re.compile(r"[A-Z]{2}[A-Z0-9]{2}")
# :61: references that only point to the :86: field: German "KREF+", ING "EREF"/"PREF".
_POINTERS = _PLACEHOLDERS | {"KREF+", "EREF", "PREF", "MARF"}
# Rabobank writes the counterparty's account, alone, as the :61: supplementary details.
_ACCOUNT_ONLY = re.compile(r"[A-Z]{2}\d\d[A-Z0-9]{10,30}|P?\d{7,10}")
# Fields whose value is one line; text on the next line is not part of any field.
_ONE_LINE = frozenset({"20", "60F", "60M", "62F", "62M", "64", "65", "90D", "90C", "34F"})


def parse_mt940(
    data: bytes | str,
    *,
    source: str = "",
    encoding: str | None = None,
    lenient: bool = False,
) -> tuple[Statement, ...]:
    """Read an MT940 or MT942 file with one or more statements.

    Args:
        data: the file's content.
        source: a label for error messages, such as the file name.
        encoding: the file's encoding; by default each line is read as UTF-8 when it is
            valid UTF-8 and as Windows-1252 (Latin-1) otherwise, what German banks send.
        lenient: return statements whose balances do not add up, or that lack a closing
            balance, with :attr:`~Statement.warnings` instead of refusing the file.

    Returns:
        One :class:`Statement` per ``:20:`` block, in file order.

    Raises:
        StatementFormatError: the file has no ``:20:`` block, a field does not follow the
            MT940 grammar (the location names its line and tag), an amount has more decimals
            than its currency or is ambiguous, or (unless ``lenient``) a statement does not
            add up, has no closing balance, or the file mixes UTF-8 with another encoding.
    """
    lines: Iterable[bytes | str] = (
        data.splitlines(keepends=True) if isinstance(data, (bytes, str)) else data
    )
    return tuple(iter_mt940(lines, source=source, encoding=encoding, lenient=lenient))


def iter_mt940(
    lines: Iterable[bytes | str] | BinaryIO,
    *,
    source: str = "",
    encoding: str | None = None,
    lenient: bool = False,
) -> Iterator[Statement]:
    """Read MT940/MT942 statements one at a time from the lines of a file.

    Arguments and errors are those of :func:`parse_mt940`; ``lines`` may be an open binary
    file. A statement is yielded once its block has ended and been checked, so a refusal
    can come after earlier statements were yielded: the file is imported only when the
    iteration ends without an error.
    """
    reader = _Reader(source, encoding, lenient)
    yield from reader.read(lines)


class _Decoder:
    """Decodes lines as UTF-8 or the fallback, and notices a file that mixes the two."""

    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding
        self.utf8_line = 0
        self.other_line = 0

    def decode(self, raw: bytes, number: int, reader: _Reader) -> str:
        if self.encoding is not None:
            try:
                return raw.decode(self.encoding)
            except (UnicodeDecodeError, LookupError) as error:
                raise reader.fail(
                    f"cannot be decoded as {self.encoding} ({type(error).__name__})", number
                ) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.other_line = self.other_line or number
            if _UTF8_SEQUENCE.search(raw):
                # UTF-8 characters next to bytes that are not: two encodings in one line.
                self.utf8_line = self.utf8_line or number
            return raw.decode("cp1252", errors="strict") if _cp1252(raw) else raw.decode("latin-1")
        if not text.isascii():
            self.utf8_line = self.utf8_line or number
        return text


def _cp1252(raw: bytes) -> bool:
    # The five bytes Windows-1252 leaves undefined; Latin-1 maps them to control characters.
    return not any(byte in raw for byte in b"\x81\x8d\x8f\x90\x9d")


class _Field:
    __slots__ = ("line", "lines", "tag")

    def __init__(self, tag: str, line: int, first: str) -> None:
        self.tag = tag
        self.line = line
        self.lines = [first]


class _Open:
    """A ``:20:`` block being read."""

    def __init__(self, reference: str, line: int) -> None:
        self.reference = reference
        self.line = line
        self.account = ""
        self.number = ""
        self.kind = "mt940"
        self.currency = ""
        self.opening: Money | None = None
        self.closing: Money | None = None
        self.opening_line = 0
        self.summaries: dict[str, tuple[int | None, Money, int]] = {}
        self.entries: list[StatementEntry] = []
        self.pending: dict[str, Any] | None = None
        self.pending_line = 0
        self.identifier: EntryIdentifier | None = None
        self.notes: list[str] = []


class _Reader:
    def __init__(self, source: str, encoding: str | None, lenient: bool) -> None:
        self.source = source
        self.decoder = _Decoder(encoding)
        self.lenient = lenient
        self.statement: _Open | None = None
        self.count = 0

    def fail(self, message: str, line: int, tag: str = "") -> StatementFormatError:
        where = f"line {line}" + (f" (:{tag}:)" if tag else "")
        return StatementFormatError(message, source=self.source, location=where)

    # -- lines and fields -------------------------------------------------------------------

    def read(self, lines: Iterable[bytes | str] | BinaryIO) -> Iterator[Statement]:
        field: _Field | None = None
        for number, line in self.lines(lines):
            text = line
            start = _FIELD.match(text)
            if start is not None:
                if field is not None:
                    yield from self.field(field)
                field = _Field(start.group(1), number, text[start.end() :])
                continue
            # STX/ETX control characters frame messages in some banks' files.
            stripped = text.strip(" \t\x01\x02\x03")
            if (
                stripped.startswith(("{", "-}"))
                or (stripped == "-" and not (field is not None and field.tag == "86"))
                or stripped == "-XXX"
            ):
                # A SWIFT envelope: the end of a message (-, -}) or the blocks that start
                # the next one ({1:...}{2:...}{4:). Header lines in between are skipped. A
                # lone "-" inside :86: is wrapped text (ING cuts "MND-EV01" there).
                if field is not None:
                    yield from self.field(field)
                    field = None
                yield from self.close()
                if "{4:" in stripped:
                    rest = stripped.split("{4:", 1)[1].strip()
                    start = _FIELD.match(rest)
                    if start is not None:
                        field = _Field(start.group(1), number, rest[start.end() :])
                continue
            if field is not None:
                field.lines.append(text)
        if field is not None:
            yield from self.field(field)
        yield from self.close()
        if self.count == 0:
            raise StatementFormatError(
                "has no :20: field; it is not an MT940 statement",
                source=self.source,
                location="line 1",
            )

    def lines(self, lines: Iterable[bytes | str] | BinaryIO) -> Iterator[tuple[int, str]]:
        """Each line decoded, without its line break, with its number."""
        at_signs = False
        for number, raw in enumerate(lines, start=1):
            if isinstance(raw, bytes):
                line = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
                text = self.decoder.decode(line, number, self)
            else:
                text = raw.removeprefix("\ufeff") if number == 1 else raw
            text = text.rstrip("\r\n")
            if number == 1:
                # FinTS (HBCI) clients hand MT940 over with "@@" for each line break.
                at_signs = text.startswith("@@:20:") or (text.startswith(":20:") and "@@:" in text)
            parts = text.split("@@") if at_signs else [text]
            for part in parts:
                if "\x1a" in part:
                    # The DOS end-of-file marker ends a message like "-" does (files are
                    # concatenated, each with its own marker).
                    for index, piece in enumerate(part.split("\x1a")):
                        if index:
                            yield number, "-}"
                        yield number, piece
                else:
                    yield number, part

    def field(self, field: _Field) -> Iterator[Statement]:
        tag = field.tag
        if tag == "20":
            yield from self.close()
            reference = field.lines[0].strip()
            self.check_one_line(field)
            self.statement = _Open(reference, field.line)
            return
        statement = self.statement
        if statement is None:
            raise self.fail(
                f"has a :{tag}: field before any :20: field that starts a statement",
                field.line,
                tag,
            )
        if tag != "86":
            self.flush_entry(statement)
        if tag in _ONE_LINE:
            self.check_one_line(field)
        value = field.lines[0].strip()
        if tag == "25":
            statement.account = " ".join(line.strip() for line in field.lines if line.strip())
        elif tag in {"28", "28C"}:
            statement.number = "".join(line.strip() for line in field.lines)
        elif tag in {"60F", "60M"}:
            if statement.opening is not None:
                raise self.fail("has a second opening balance in one statement", field.line, tag)
            statement.opening = self.balance(value, field, statement)
            statement.opening_line = field.line
        elif tag in {"62F", "62M"}:
            if statement.closing is not None:
                raise self.fail("has a second closing balance in one statement", field.line, tag)
            statement.closing = self.balance(value, field, statement)
        elif tag in {"64", "65"}:
            self.balance(value, field, statement)
        elif tag == "61":
            statement.pending = self.statement_line(field, statement)
            statement.pending_line = field.line
        elif tag == "86":
            self.details(field, statement)
        elif tag in {"13", "13D", "34F"}:
            statement.kind = "mt942"
            if tag == "34F":
                found = re.match(r"([A-Z]{3})", value)
                if found is None:
                    raise self.fail(
                        f"has a floor limit without a currency: {_shown(value)}", field.line, tag
                    )
                statement.currency = statement.currency or found.group(1)
        elif tag in {"90D", "90C"}:
            summary = _SUMMARY.fullmatch(value)
            if summary is None:
                raise self.fail(
                    f"is not a number and sum of entries: {_shown(value)}", field.line, tag
                )
            currency = summary.group(2)
            statement.currency = statement.currency or currency
            amount = self.money(summary.group(3), currency, field)
            count = int(summary.group(1)) if summary.group(1) else None
            statement.summaries[tag] = (count, amount, field.line)
        # :21:, :NS: and tags banks invent carry nothing an entry or a balance needs.

    def check_one_line(self, field: _Field) -> None:
        extra = [line.strip() for line in field.lines[1:] if line.strip()]
        if extra:
            raise self.fail(
                f"has text after the :{field.tag}: value, which is one line: {_shown(extra[0])}",
                field.line + 1,
                field.tag,
            )

    # -- values -----------------------------------------------------------------------------

    def amount(self, text: str, currency: str, field: _Field) -> Decimal:
        found = _AMOUNT.fullmatch(text)
        if found is None:
            raise self.fail(
                f"has an amount that is not digits with one decimal comma: {_shown(text)}",
                field.line,
                field.tag,
            )
        whole, fraction = found.group(1), (found.group(2) or "")
        if not (whole or fraction):
            raise self.fail(f"has an amount without digits: {_shown(text)}", field.line, field.tag)
        try:
            exponent = currency_exponent(currency)
        except ValidationError:
            raise self.fail(
                f"names {currency!r}, which is not an ISO 4217 currency", field.line, field.tag
            ) from None
        if len(fraction.rstrip("0")) > exponent:
            raise self.fail(
                f"has the amount {text!r} with more decimals than {currency} has ({exponent}); "
                "refused rather than rounded",
                field.line,
                field.tag,
            )
        return Decimal(f"{whole or '0'}.{fraction or '0'}")

    def money(self, text: str, currency: str, field: _Field) -> Money:
        amount = self.amount(text, currency, field)
        try:
            return Money(amount, currency)
        except ValidationError as error:
            raise self.fail(f"has an unusable amount: {error}", field.line, field.tag) from None

    def day(self, text: str, field: _Field) -> date:
        year = int(text[:2])
        return _day(1900 + year if year >= 80 else 2000 + year, text[2:4], text[4:6], field, self)

    def balance(self, value: str, field: _Field, statement: _Open) -> Money:
        found = _BALANCE.fullmatch(value)
        if found is None:
            raise self.fail(
                "is not a balance (C or D, YYMMDD date, currency, amount): " + _shown(value),
                field.line,
                field.tag,
            )
        mark, day, currency, amount = found.groups()
        self.day(day, field)
        statement.currency = statement.currency or currency
        money = self.money(amount, currency, field)
        return -money if mark == "D" else money

    def statement_line(self, field: _Field, statement: _Open) -> dict[str, Any]:
        first = field.lines[0].strip()
        found = _STATEMENT_LINE.fullmatch(first)
        if found is None:
            raise self.fail(
                "is not a statement line (value date, entry date, C/D/RC/RD, amount, "
                f"type code, reference): {_shown(first)}",
                field.line,
                "61",
            )
        if not statement.currency:
            raise self.fail(
                "has a statement line before any balance (:60F:) or :34F: that names the currency",
                field.line,
                "61",
            )
        value_date = self.day(found.group("value"), field)
        booking_date = value_date
        entry = (found.group("entry") or "").strip()
        if entry:
            month = int(entry[:2])
            year = value_date.year
            if month - value_date.month > 6:
                year -= 1
            elif value_date.month - month > 6:
                year += 1
            booking_date = _day(year, entry[:2], entry[2:], field, self)
        mark = found.group("mark").upper()
        amount = self.money(found.group("amount"), statement.currency, field)
        reference = found.group("reference").strip()
        supplementary = " ".join(line.strip() for line in field.lines[1:] if line.strip())
        return {
            "booking_date": booking_date,
            "value_date": value_date,
            "amount": amount,
            # C: credit, D: debit; RC reverses a credit (money out), RD a debit (money in).
            "direction": Direction.CREDIT if mark in {"C", "RD", "EC"} else Direction.DEBIT,
            "reversal": mark.startswith("R"),
            "customer_reference": "" if reference.upper() in _POINTERS else reference,
            "bank_reference": (found.group("bank") or "").strip(),
            "remittance_text": supplementary,
        }

    def details(self, field: _Field, statement: _Open) -> None:
        if statement.pending is None or "details" in statement.pending:
            # A :86: after the balances describes the statement, not an entry.
            return
        fields = statement.pending
        fields["details"] = True
        supplementary = fields.pop("remittance_text")
        parsed = _details(field.lines)
        if _ACCOUNT_ONLY.fullmatch(supplementary):
            parsed.setdefault("counterparty_iban", supplementary)
        elif not parsed.get("remittance_text"):
            parsed["remittance_text"] = supplementary
        for name, value in parsed.items():
            if value and not (name == "customer_reference" and fields.get(name)):
                fields[name] = value

    # -- statements -------------------------------------------------------------------------

    def flush_entry(self, statement: _Open) -> None:
        fields = statement.pending
        if fields is None:
            return
        statement.pending = None
        fields.pop("details", None)
        if statement.identifier is None:
            statement.identifier = EntryIdentifier(statement.account.strip())
        statement.entries.append(
            StatementEntry(entry_id=statement.identifier.identify(fields), **fields)
        )

    def close(self) -> Iterator[Statement]:
        statement = self.statement
        if statement is None:
            return
        self.statement = None
        self.flush_entry(statement)
        self.count += 1
        problems: list[str] = []
        if statement.kind == "mt940" and statement.opening is None:
            problems.append("has no opening balance (:60F:/:60M:)")
        if statement.kind == "mt940" and statement.closing is None:
            problems.append("has no closing balance (:62F:/:62M:); the file may be truncated")
        problems.extend(self.summary_problems(statement))
        if self.decoder.utf8_line and self.decoder.other_line:
            problems.append(
                f"mixes encodings: line {self.decoder.utf8_line} is UTF-8, line "
                f"{self.decoder.other_line} is not (read as Windows-1252); pass encoding="
            )
        if statement.kind == "mt942" and statement.opening is None and not statement.summaries:
            statement.notes.append(
                "is an interim report without balances or :90D:/:90C: totals; "
                "its entries cannot be checked against anything"
            )
        result = Statement(
            format=statement.kind,
            statement_id=statement.reference,
            account=statement.account.strip(),
            entries=statement.entries,
            currency=statement.currency or None,
            opening_balance=statement.opening,
            closing_balance=statement.closing,
            notes=statement.notes,
        )
        yield settle(
            result,
            problems,
            source=self.source,
            location=f"line {statement.line} (:20:)",
            lenient=self.lenient,
        )

    def summary_problems(self, statement: _Open) -> list[str]:
        problems = []
        for tag, direction, word in (
            ("90D", Direction.DEBIT, "debits"),
            ("90C", Direction.CREDIT, "credits"),
        ):
            if tag not in statement.summaries:
                continue
            count, total, line = statement.summaries[tag]
            entries = [e for e in statement.entries if e.direction is direction]
            added = sum((e.amount.amount for e in entries), start=Decimal(0))
            if count not in (None, len(entries)) or added != total.amount:
                stated = "" if count is None else f" {count}"
                problems.append(
                    f"has :{tag}:{stated} {word} of {total.amount} {total.currency} on line "
                    f"{line}, but its entries are {len(entries)} {word} of {added}"
                )
        return problems


def _day(year: int, month_text: str, day_text: str, field: _Field, reader: _Reader) -> date:
    month, day = int(month_text), int(day_text)
    try:
        return date(year, month, day)
    except ValueError:
        pass
    if 1 <= month <= 12 and 28 < day <= 31:
        # German banks date some entries by the 30-day months of interest calculation
        # (a value date of 30 February): that is the month's last day.
        return date(year, month, calendar.monthrange(year, month)[1])
    raise reader.fail(
        f"has a date that does not exist: {year:04d}-{month_text}-{day_text}", field.line, field.tag
    )


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _details(lines: list[str]) -> dict[str, Any]:
    """The entry fields found in a ``:86:`` field: German, Dutch or free text."""
    joined = "".join(lines)
    if not joined.strip():
        return {}
    german = _GERMAN.match(joined)
    if german is not None:
        return _german(joined, german.group(1))
    if _DUTCH_START.match(joined):
        return _dutch(joined.strip())
    # Free text: its lines are the bank's own, so they are words apart.
    text = " ".join(" ".join(lines).split())
    found = _RTRN.search(text)
    return {"remittance_text": text, "return_reason": found[1] if found else None}


def _german(joined: str, separator: str) -> dict[str, Any]:
    pieces = re.split(rf"{re.escape(separator)}(\d{{2}})", joined[3:])
    subfields: dict[str, list[str]] = {}
    for index in range(1, len(pieces) - 1, 2):
        subfields.setdefault(pieces[index], []).append(pieces[index + 1])

    def sub(*codes: str) -> str:
        # Subfields are cut at a fixed width, mid-word: join without spaces.
        return "".join(part for code in codes for part in subfields.get(code, ()))

    fields: dict[str, Any] = {
        "counterparty_bic": sub("30").strip(),
        "counterparty_iban": sub("31").replace(" ", "").upper(),
        "counterparty_name": " ".join(sub("32", "33").split()),
    }
    purpose = sub(*_PURPOSE)
    if joined[:3] in _RETURN_GVCS:
        fields["return_reason"] = _german_reason(sub("00", *_PURPOSE))
    keywords = list(_KEYWORD.finditer(purpose))
    if not keywords:
        fields["remittance_text"] = " ".join(purpose.split())
        return fields
    texts = [purpose[: keywords[0].start()]]
    for index, match in enumerate(keywords):
        end = keywords[index + 1].start() if index + 1 < len(keywords) else len(purpose)
        value = " ".join(purpose[match.end() : end].split())
        name = _KEYWORD_FIELDS.get(match.group(1))
        if match.group(1) == "SVWZ":
            texts.append(value)
        elif name and value.upper() not in _PLACEHOLDERS:
            fields.setdefault(name, value)
    fields["remittance_text"] = " ".join(" ".join(texts).split())
    return fields


def _german_reason(text: str) -> str | None:
    """The ISO return reason in a German return's booking and purpose texts, if one is
    there. (The three-digit "Textschlüsselergänzung" in ``?34`` is the bank's own code for
    the reason; banks map it to ISO codes differently, so it is not read.)"""
    # payportal.mandates imports the booking, which imports this module: import late.
    from payportal.mandates import find_return_reason  # noqa: PLC0415

    found = _RTRN.search(text)
    if found:
        return found[1]
    reason = find_return_reason(text)
    return None if reason is None else reason.code


def _dutch(joined: str) -> dict[str, Any]:
    matches = list(_DUTCH.finditer(joined))
    tags: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(joined)
        tags.setdefault(match.group(1), joined[match.end() : end].strip("/ "))
    fields: dict[str, Any] = {}

    def put(name: str, value: str) -> None:
        value = " ".join(value.split())
        if value and value.upper() not in _PLACEHOLDERS:
            fields.setdefault(name, value)

    put("end_to_end_id", tags.get("EREF", ""))
    put("mandate_id", tags.get("MARF", ""))
    put("creditor_id", tags.get("CSID", ""))
    put("customer_reference", tags.get("PREF", ""))
    if "CNTP" in tags:
        # ING: /CNTP/account/BIC/name/city/
        parts = [*tags["CNTP"].split("/"), "", "", ""]
        put("counterparty_iban", parts[0].replace(" ", "").upper())
        put("counterparty_bic", parts[1])
        put("counterparty_name", parts[2])
    put("counterparty_name", tags.get("NAME", ""))
    put("counterparty_iban", tags.get("IBAN", "").replace(" ", "").upper())
    put("counterparty_bic", tags.get("BIC", ""))
    put("ultimate_party", tags.get("ULTD", tags.get("ULTC", "")).split("/")[0])
    remittance = tags.get("REMI", "")
    if remittance.startswith("USTD/"):
        remittance = remittance[5:].lstrip("/")
    elif remittance.startswith("STRD/"):
        # /REMI/STRD/CUR/<creditor reference>/
        parts = remittance.split("/")
        reference = parts[2] if len(parts) > 2 else ""
        if reference:
            fields["creditor_references"] = (reference,)
        remittance = reference
    put("remittance_text", remittance)
    reason = tags.get("RTRN", "").strip("/ ").upper()[:4]
    if _REASON.fullmatch(reason):
        fields["return_reason"] = reason
    return fields
