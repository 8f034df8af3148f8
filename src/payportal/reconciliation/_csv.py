"""Bank statement CSV exports: columns, decimal mark, date format and encoding, explicit or found.

Every bank's CSV export is different: the delimiter (``;`` or ``,``), the encoding (UTF-8 with or
without BOM, Windows-1252), the decimal mark and thousands separator (``1'234.50``,
``1.234,50``, ``1,234.50``), the date format (``31.12.2024``, ``2024-12-31``, ``12/31/2024``),
one signed amount column or separate debit and credit columns, and lines of account details
above the header row. :func:`parse_csv` finds all of these from the file when it can, and is
told by a :class:`CsvLayout` when it cannot or should not guess.

What it never does is guess where the file is ambiguous: a column of amounts like ``1,525``
(one thousand five hundred and twenty-five, or one and a half?), dates that read as both
day/month and month/day, or an amount that would need rounding is refused with a
:class:`~payportal.exceptions.StatementFormatError` naming the row and column.

When the export has a running balance column, the balance after every row is checked
against the amounts (in either row order, oldest or newest first): a file whose balances do
not follow its amounts is refused, or with ``lenient=True`` returned with a warning.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent, is_currency
from payportal.exceptions import StatementFormatError, ValidationError
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import EntryIdentifier
from payportal.reconciliation._integrity import settle

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["CsvLayout", "parse_csv"]

DecimalMark = Literal[",", "."]

# Column names banks use, normalised (lower case, accents, currency codes and punctuation
# removed), per role, "|"-separated. PayPal's running balance follows the net amount (after
# its fee), so "net" is the amount and "gross" is not.
_NAMES: dict[str, str] = {
    "booking_date": "datum|buchungsdatum|buchungstag|buchung|date|data|fecha|booked at"
    "|data di registrazione"
    "|data registrazione|data di contabilizzazione|data contabile|execution date"
    "|transaktionsdatum|auftragsdatum|date comptable|booking date|transaction date"
    "|data transazione|data dell operazione",
    "value_date": "valuta|valutadatum|value date|data valuta|data di valuta|valuta date|valeur"
    "|date valeur",
    "amount": "betrag|amount|importo|montant|credit debit amount|importe|umsatz"
    "|transaction amount|net|neto",
    "debit": "belastung|belastungsbetrag|debit|addebiti|addebito|importo di addebito|soll"
    "|debit amount|debito|cargo",
    "credit": "gutschrift|gutschriftsbetrag|credit|accrediti|accredito|importo di accredito"
    "|haben|credit amount|abono",
    "balance": "saldo|balance|solde|kontostand",
    "text": "buchungstext|text|description|descrizione|testo|label|libelle|beschreibung"
    "|transactions|testo di contabilizzazione|descripcion|verwendungszweck|zahlungszweck"
    "|testo di avviso|umsatztext|details|mitteilung referenz|descrizione1|descrizione2"
    "|descrizione3",
    "counterparty_name": "name|name auftraggeber begunstigter|name des partners|partner name"
    "|nombre|beguenstigter|empfanger|beguenstigter zahlungspflichtiger|name zahlungsbeteiligter"
    "|zahlungsempfanger|auftraggeber",
    "counterparty_iban": "bank account|konto bank|iban des partners|gegenkonto"
    "|kontonummer iban|iban zahlungsbeteiligter|iban auftraggeber",
    "reference": "transaction id|id de transaccion|zkb referenz|n di transazione|referenz"
    "|auftragsnummer|zahlungsreferenz|operation number",
    "currency": "currency|wahrung|waehrung|whg|moneta|divisa|devise|div",
}
_BY_NAME = {name: role for role, names in _NAMES.items() for name in names.split("|")}
_CURRENCY_IN_NAME = re.compile(r"\b(?:in\s+)?([A-Z]{3})\b")
_DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%Y.%m.%d",
    "%d-%m-%Y",
    "%Y/%m/%d",
)
_HEADER_SCAN = 40


def _normal(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\b(chf|eur|usd|gbp|in)\b", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@attrs.frozen(kw_only=True)
class CsvLayout:
    """How a bank's CSV export is laid out; each field left empty is found from the file.

    Column fields name a column by its header text exactly as in the file.

    Attributes:
        booking_date: the column of the booking date.
        amount: one signed amount column (negative for money paid out), or
        debit, credit: separate columns for money paid out and received.
        value_date, text, counterparty_name, counterparty_iban, reference, balance,
            currency_column: optional columns; ``text`` may name several, joined.
        currency: the currency of every amount, when no column or header says.
        decimal: the decimal mark, ``","`` or ``"."``.
        date_format: a :func:`~datetime.datetime.strptime` format for the date columns.
        delimiter: the field delimiter.
        encoding: the file's encoding.
    """

    booking_date: str = attrs.field(default="", validator=v.optional_str)
    amount: str = attrs.field(default="", validator=v.optional_str)
    debit: str = attrs.field(default="", validator=v.optional_str)
    credit: str = attrs.field(default="", validator=v.optional_str)
    value_date: str = attrs.field(default="", validator=v.optional_str)
    text: tuple[str, ...] = attrs.field(default=(), converter=v.to_tuple)
    counterparty_name: str = attrs.field(default="", validator=v.optional_str)
    counterparty_iban: str = attrs.field(default="", validator=v.optional_str)
    reference: str = attrs.field(default="", validator=v.optional_str)
    balance: str = attrs.field(default="", validator=v.optional_str)
    currency_column: str = attrs.field(default="", validator=v.optional_str)
    currency: str = attrs.field(default="", validator=v.optional_str)
    decimal: DecimalMark | None = attrs.field(default=None)
    date_format: str = attrs.field(default="", validator=v.optional_str)
    delimiter: str = attrs.field(default="", validator=v.optional_str)
    encoding: str = attrs.field(default="", validator=v.optional_str)


def parse_csv(
    data: bytes | str,
    layout: CsvLayout | None = None,
    *,
    source: str = "",
    lenient: bool = False,
) -> tuple[Statement, ...]:
    """Read a bank's CSV export into one statement.

    Args:
        data: the file's content.
        layout: what is known about the export; by default everything is found from the file:
            the header row (the first row that names a date column and an amount, or a debit
            and a credit column, in German, French, Italian, English or Spanish), the
            delimiter, the encoding (UTF-8, else Windows-1252), the decimal mark, the date
            format and the currency (a currency column, a column name such as
            ``Betrag (CHF)``, or one ISO 4217 code in the lines above the header).
        source: a label for error messages, such as the file name.
        lenient: return a statement whose running balance does not follow its amounts with a
            warning instead of refusing it.

    Returns:
        One :class:`Statement` of format ``"csv"`` per currency (PayPal exports mix them),
        with an entry per row that has a booking date; rows without one (detail lines under a
        booking, totals) are left out with a note. Its opening and closing balances come from
        a balance column, if there is one.

    Raises:
        StatementFormatError: no header row is found, an amount is ambiguous or has more
            decimals than its currency, the dates fit no format or more than one, no currency
            is known, or (unless ``lenient``) the running balance does not follow the amounts.
            The location names the row and column.
    """
    layout = layout or CsvLayout()
    return _Reader(source, layout, lenient).read(data)


class _Columns:
    """The header row's columns by role."""

    def __init__(self, header: Sequence[str], layout: CsvLayout) -> None:
        self.header = [cell.strip().lstrip("\ufeff").strip('"').strip() for cell in header]
        self.index: dict[str, list[int]] = {}
        explicit = {
            "booking_date": layout.booking_date,
            "amount": layout.amount,
            "debit": layout.debit,
            "credit": layout.credit,
            "value_date": layout.value_date,
            "counterparty_name": layout.counterparty_name,
            "counterparty_iban": layout.counterparty_iban,
            "reference": layout.reference,
            "balance": layout.balance,
            "currency": layout.currency_column,
        }
        named = {role: name for role, name in explicit.items() if name}
        for role, name in named.items():
            if name in self.header:
                self.index[role] = [self.header.index(name)]
        if layout.text:
            self.index["text"] = [self.header.index(n) for n in layout.text if n in self.header]
        for position, cell in enumerate(self.header):
            found = _BY_NAME.get(_normal(cell))
            if found is None or (found in named) or (layout.text and found == "text"):
                continue
            if found == "text" or found not in self.index:
                self.index.setdefault(found, []).append(position)

    def one(self, role: str) -> int | None:
        found = self.index.get(role)
        return found[0] if found else None

    def usable(self) -> bool:
        return "booking_date" in self.index and (
            "amount" in self.index or ("debit" in self.index and "credit" in self.index)
        )


class _Reader:
    def __init__(self, source: str, layout: CsvLayout, lenient: bool) -> None:
        self.source = source
        self.layout = layout
        self.lenient = lenient
        self.notes: list[str] = []

    def fail(self, message: str, row: int = 0, column: str = "") -> StatementFormatError:
        where = f"row {row}" if row else ""
        if column:
            where += f" ({column})" if where else column
        return StatementFormatError(message, source=self.source, location=where)

    # -- text, rows, header -----------------------------------------------------------------

    def decode(self, data: bytes | str) -> str:
        if isinstance(data, str):
            return data.removeprefix("\ufeff")
        if self.layout.encoding:
            try:
                return data.decode(self.layout.encoding).removeprefix("\ufeff")
            except (UnicodeDecodeError, LookupError) as error:
                raise self.fail(f"cannot be decoded as {self.layout.encoding} ({error})") from None
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return (
                data.decode("cp1252", errors="replace") if _cp1252(data) else data.decode("latin-1")
            )

    def read(self, data: bytes | str) -> tuple[Statement, ...]:
        text = self.decode(data)
        if "\ufffd" in text:
            line = text[: text.index("\ufffd")].count("\n") + 1
            self.notes.append(
                "contains U+FFFD replacement characters from an earlier wrong encoding "
                f"conversion (first on line {line}): some texts are damaged"
            )
        rows, columns, header_row = self.header(text)
        body = [(number, row) for number, row in enumerate(rows, start=1) if number > header_row]
        decimal = self.layout.decimal or self.decimal(columns, body)
        date_format = self.layout.date_format or self.date_format(columns, body)
        currency, where = self.currency(columns, rows[: header_row - 1])
        if where:
            self.notes.append(f"takes the currency {currency} from {where}")
        return self.statement(columns, body, decimal, date_format, currency)

    def header(self, text: str) -> tuple[list[list[str]], _Columns, int]:
        delimiters = [self.layout.delimiter] if self.layout.delimiter else [";", ",", "\t", "|"]
        best: tuple[int, list[list[str]], _Columns, int] | None = None
        for delimiter in delimiters:
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            except csv.Error as error:
                raise self.fail(f"is not readable as CSV ({error})") from None
            for number, row in enumerate(rows[:_HEADER_SCAN], start=1):
                columns = _Columns(row, self.layout)
                if columns.usable():
                    score = sum(len(found) for found in columns.index.values())
                    if best is None or score > best[0]:
                        best = (score, rows, columns, number)
                    break
        if best is None:
            raise self.fail(
                "has no header row naming a date and an amount (or debit and credit) column "
                "that this reader knows; pass a CsvLayout naming the columns",
                1,
            )
        _, rows, columns, number = best
        return rows, columns, number

    def currency(self, columns: _Columns, above: list[list[str]]) -> tuple[str, str]:
        if self.layout.currency:
            if not is_currency(self.layout.currency):
                raise self.fail(f"was given {self.layout.currency!r}, not an ISO 4217 currency")
            return self.layout.currency, ""
        for role in ("amount", "debit", "credit", "balance"):
            position = columns.one(role)
            if position is not None:
                for code in _CURRENCY_IN_NAME.findall(columns.header[position]):
                    if is_currency(code):
                        return code, f"the column name {columns.header[position]!r}"
        if columns.one("currency") is not None:
            return "", ""  # per row
        codes = {
            code
            for row in above
            for cell in row
            for code in re.findall(r"\b[A-Z]{3}\b", cell)
            if is_currency(code)
        }
        if len(codes) == 1:
            [code] = codes
            return code, "the lines above the header"
        raise self.fail(
            "names no currency (no currency column, no code in the amount column's name, "
            "no single ISO 4217 code above the header); pass CsvLayout(currency=...)"
        )

    # -- detection --------------------------------------------------------------------------

    def amount_cells(
        self, columns: _Columns, body: list[tuple[int, list[str]]]
    ) -> list[tuple[int, str, str]]:
        cells = []
        for role in ("amount", "debit", "credit", "balance"):
            position = columns.one(role)
            if position is None:
                continue
            for number, row in body:
                if position < len(row) and row[position].strip():
                    cells.append((number, columns.header[position], row[position].strip()))
        return cells

    def decimal(self, columns: _Columns, body: list[tuple[int, list[str]]]) -> DecimalMark:
        votes: dict[str, tuple[int, str, str]] = {}
        ambiguous: tuple[int, str, str] | None = None
        for cell in self.amount_cells(columns, body):
            mark = _decimal_of(cell[2])
            if mark == "?":
                ambiguous = ambiguous or cell
            elif mark:
                votes.setdefault(mark, cell)
        if len(votes) > 1:
            comma, dot = votes[","], votes["."]
            raise self.fail(
                f"mixes decimal marks: {comma[2]!r} in row {comma[0]} and {dot[2]!r} in row "
                f"{dot[0]}; pass CsvLayout(decimal=...)",
                comma[0],
            )
        if votes:
            return "," if "," in votes else "."
        if ambiguous is not None:
            raise self.fail(
                f"has the amount {ambiguous[2]!r}, which reads as a whole number with a "
                "thousands separator or as a decimal, and no other amount says which; pass "
                "CsvLayout(decimal=...)",
                ambiguous[0],
                ambiguous[1],
            )
        return "."

    def date_format(self, columns: _Columns, body: list[tuple[int, list[str]]]) -> str:
        position = columns.one("booking_date")
        assert position is not None  # usable() checked it
        values = [
            (number, _date_part(row[position]))
            for number, row in body
            if position < len(row) and any(ch.isdigit() for ch in row[position])
        ]
        if not values:
            return _DATE_FORMATS[0]
        fitting = [f for f in _DATE_FORMATS if all(_fits(value, f) for _, value in values)]
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            for number, value in values:
                if not any(_fits(value, f) for f in _DATE_FORMATS):
                    raise self.fail(
                        f"has the date {value!r}, which fits no date format this reader knows; "
                        "pass CsvLayout(date_format=...)",
                        number,
                        columns.header[position],
                    )
            raise self.fail(
                "has dates in more than one format; pass CsvLayout(date_format=...)",
                values[0][0],
                columns.header[position],
            )
        raise self.fail(
            f"has dates such as {values[0][1]!r} that fit several formats "
            f"({', '.join(fitting)}), day and month cannot be told apart; pass "
            "CsvLayout(date_format=...)",
            values[0][0],
            columns.header[position],
        )

    # -- rows -------------------------------------------------------------------------------

    def statement(
        self,
        columns: _Columns,
        body: list[tuple[int, list[str]]],
        decimal: DecimalMark,
        date_format: str,
        currency: str,
    ) -> tuple[Statement, ...]:
        rows: dict[str, list[tuple[int, dict[str, Any], Decimal | None]]] = {}
        skipped = 0
        for number, row in body:
            cell = _Cells(row, columns)
            if not any(ch.isdigit() for ch in cell.get("booking_date")):
                # Detail lines under a booking, totals, disclaimers.
                skipped += any(value.strip() for value in row)
                continue
            fields = self.entry(
                cell,
                number,
                decimal=decimal,
                date_format=date_format,
                currency=currency,
                columns=columns,
            )
            if fields is None:
                skipped += 1
                continue
            code = fields["amount"].currency
            balance = cell.get("balance")
            value = (
                self.number(balance, decimal, number, cell.name("balance"), code)
                if balance
                else None
            )
            rows.setdefault(code, []).append((number, fields, value))
        if skipped:
            self.notes.append(
                f"leaves out {skipped} rows without a booking date or amount (details, totals)"
            )
        if not rows:
            return (self.checked("", [], []),)
        return tuple(self.checked(code, found, []) for code, found in rows.items())

    def checked(
        self, code: str, rows: list[tuple[int, dict[str, Any], Decimal | None]], problems: list[str]
    ) -> Statement:
        identifier = EntryIdentifier("")
        entries = [StatementEntry(entry_id=identifier.identify(f), **f) for _, f, _ in rows]
        balances = [
            (
                number,
                fields["booking_date"],
                balance,
                fields["amount"].amount * (1 if fields["direction"] is Direction.CREDIT else -1),
            )
            for number, fields, balance in rows
        ]
        notes = list(self.notes)
        opening = closing = None
        if sum(balance is not None for _, _, balance, _ in balances) >= 2:
            tries = [
                _running(order, by_day=by_day)
                for by_day in (False, True)
                for order in (balances, balances[::-1])
            ]
            found = next((t for t in tries if isinstance(t[0], Decimal)), None)
            if found is None:
                _, furthest = max(tries, key=lambda t: t[0])
                problems.append(
                    "has a running balance that does not follow its amounts in either row "
                    f"order: {furthest}"
                )
            else:
                opening, closing = Money(found[0], code), Money(found[1], code)
        elif entries:
            notes.append("has no running balance to check its entries against")
        statement = Statement(
            format="csv",
            statement_id="",
            account="",
            entries=entries,
            currency=code or None,
            opening_balance=opening,
            closing_balance=closing,
            notes=notes,
        )
        where = f"the {code} rows" if code else ""
        return settle(statement, problems, source=self.source, location=where, lenient=self.lenient)

    def entry(
        self,
        cell: _Cells,
        number: int,
        *,
        decimal: DecimalMark,
        date_format: str,
        currency: str,
        columns: _Columns,
    ) -> dict[str, Any] | None:
        code = cell.get("currency").strip().upper() or currency
        if not is_currency(code):
            raise self.fail(f"has the currency {code!r}, not an ISO 4217 code", number, "currency")
        signed: Decimal | None = None
        if cell.get("amount"):
            signed = self.number(cell.get("amount"), decimal, number, cell.name("amount"), code)
        else:
            debit, credit = cell.get("debit"), cell.get("credit")
            if debit and credit:
                raise self.fail("has both a debit and a credit amount", number, "debit/credit")
            if debit:
                signed = -abs(self.number(debit, decimal, number, cell.name("debit"), code))
            elif credit:
                signed = self.number(credit, decimal, number, cell.name("credit"), code)
        if signed is None:
            return None
        booking = self.day(cell.get("booking_date"), date_format, number, columns, "booking_date")
        value = cell.get("value_date")
        try:
            amount = Money(abs(signed), code)
        except ValidationError as error:
            raise self.fail(f"has an unusable amount: {error}", number) from None
        return {
            "booking_date": booking,
            "value_date": self.day(value, date_format, number, columns, "value_date")
            if value.strip()
            else None,
            "amount": amount,
            "direction": Direction.CREDIT if signed >= 0 else Direction.DEBIT,
            "remittance_text": " ".join(cell.texts().split()),
            "counterparty_name": " ".join(cell.get("counterparty_name").split()),
            "counterparty_iban": cell.get("counterparty_iban").replace(" ", "").upper(),
            "bank_reference": cell.get("reference").strip(),
        }

    def number(self, text: str, decimal: DecimalMark, row: int, column: str, code: str) -> Decimal:
        if "\ufffd" in text:
            raise self.fail(
                f"has the amount {text!r}, damaged by an earlier wrong encoding conversion "
                "(U+FFFD where a thousands separator was)",
                row,
                column,
            )
        value = _parse_amount(text, decimal)
        if value is None:
            raise self.fail(
                f"has {text!r}, which is not an amount with the decimal mark {decimal!r}",
                row,
                column,
            )
        exponent = currency_exponent(code)
        if value != value.quantize(Decimal(1).scaleb(-exponent)):
            raise self.fail(
                f"has the amount {text!r} with more decimals than {code} has ({exponent}); "
                "refused rather than rounded",
                row,
                column,
            )
        return value

    def day(self, text: str, fmt: str, row: int, columns: _Columns, role: str) -> date:
        try:
            return datetime.strptime(_date_part(text), fmt).date()  # noqa: DTZ007  # a day
        except ValueError:
            position = columns.one(role)
            name = columns.header[position] if position is not None else role
            raise self.fail(f"has the date {text!r}, not in the format {fmt}", row, name) from None


class _Cells:
    def __init__(self, row: list[str], columns: _Columns) -> None:
        self.row = row
        self.columns = columns

    def get(self, role: str) -> str:
        position = self.columns.one(role)
        if position is None or position >= len(self.row):
            return ""
        return self.row[position].strip().removeprefix("=").strip('"')

    def name(self, role: str) -> str:
        """The header text of the column of ``role``, for error locations."""
        position = self.columns.one(role)
        return role if position is None else self.columns.header[position]

    def texts(self) -> str:
        return " ".join(
            self.row[p].strip()
            for p in self.columns.index.get("text", [])
            if p < len(self.row) and self.row[p].strip()
        )


def _cp1252(raw: bytes) -> bool:
    return not any(byte in raw for byte in b"\x81\x8d\x8f\x90\x9d")


def _date_part(text: str) -> str:
    # "2024-07-02 00:00:00.0", "2025-06-21 13:11:50", "2025.04.20": the day is the first word.
    return text.strip().removeprefix("=").strip('"').split(" ")[0].split("T")[0]


def _fits(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)  # noqa: DTZ007  # a day, no time zone involved
    except ValueError:
        return False
    return True


def _clean(text: str) -> tuple[str, bool]:
    """The amount without spaces, apostrophes and sign, and whether it was negative."""
    value = text.strip().removeprefix("=").strip('"').strip()
    negative = value.startswith("-") or value.endswith("-")
    value = value.strip("+-").strip()
    value = re.sub(r"[\s'’\u00a0]", "", value)
    return value, negative


def _decimal_of(text: str) -> str:
    """``","`` or ``"."`` if the amount shows its decimal mark, ``"?"`` if it could be
    either, ``""`` if it has none (a whole number)."""
    value, _ = _clean(text)
    if "," in value and "." in value:
        return "," if value.rfind(",") > value.rfind(".") else "."
    for mark in (",", "."):
        if mark in value:
            head, _, tail = value.rpartition(mark)
            if value.count(mark) > 1:
                return "." if mark == "," else ","
            if len(tail) == 3 and head and len(head.lstrip("0") or "0") <= 3 and head != "0":
                return "?"
            return mark
    return ""


def _parse_amount(text: str, decimal: DecimalMark) -> Decimal | None:
    value, negative = _clean(text)
    thousands = "." if decimal == "," else ","
    if not re.fullmatch(
        rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})*(?:{re.escape(decimal)}\d*)?"
        rf"|\d*(?:{re.escape(decimal)}\d*)?",
        value,
    ) or not any(ch.isdigit() for ch in value):
        return None
    number = Decimal(value.replace(thousands, "").replace(decimal, "."))
    return -number if negative else number


def _running(
    rows: list[tuple[int, date, Decimal | None, Decimal]], *, by_day: bool
) -> tuple[Decimal, Decimal] | tuple[int, str]:
    """(opening, closing) if the balances follow the amounts in this row order, else the
    number of rows that did and what the first one that does not says.

    With ``by_day`` only the balance on the last row of each day is checked: some banks
    print the day's balance on every row of the day, or list a day's rows in another order
    than they were booked.
    """
    running: Decimal | None = None
    before = Decimal(0)
    opening: Decimal | None = None
    for index, (_, day, balance, signed) in enumerate(rows):
        if running is not None:
            running += signed
        else:
            before += signed
        last_of_day = index + 1 == len(rows) or rows[index + 1][1] != day
        if balance is not None and (last_of_day or not by_day):
            if running is not None and running != balance:
                return index, f"row {rows[index][0]} shows the balance {balance}, not {running}"
            if opening is None:
                opening = balance - before
            running = balance
    if opening is None or running is None:
        return 0, "no balance"
    return opening, running
