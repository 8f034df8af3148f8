"""SWIFT MT940 statements, including the German (DFÜ/DK) structured ``:86:`` field.

The maintained ``mt-940`` library splits the file into fields and parses the statement lines
(``:61:``: dates, debit/credit mark, amount as :class:`~decimal.Decimal`, references) and the
balances. Its own ``:86:`` post-processing is switched off and the raw field is split here,
because it replaces the purpose with the ``SVWZ+`` part, searches only ``?20``–``?29`` and
appends ``KREF+`` to the ``:61:`` customer reference; payportal needs ``?20``–``?29`` and
``?60``–``?63`` joined before the SEPA keywords are searched, and each keyword in its own
field.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import mt940

from payportal._money import Money
from payportal.exceptions import StatementFormatError, ValidationError
from payportal.reconciliation._entry import Direction, Statement, StatementEntry
from payportal.reconciliation._identity import EntryIdentifier

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ["parse_mt940"]

_OPTIONS = mt940.Options(
    applicant_iban=True, unbounded_details=True, strip_bom=True, case_insensitive_marks=True
)
# An empty list replaces mt-940's default :86: post-processor, so the raw field survives.
_PROCESSORS: Any = {"post_transaction_details": []}
# The same field-start pattern mt-940 uses, to number lines and to locate broken fields.
_TAG = re.compile(r"^:\n?(?P<tag>(?:[0-9]{2}|NS)[A-Z]?):", re.MULTILINE)
_BLOCK = re.compile(r"(?m)^(?=:20:)")
_STRUCTURED = re.compile(r"^(\d{3})([?/+])\d{2}")
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
_PLACEHOLDERS = frozenset({"NONREF", "NOTPROVIDED"})
# mt-940's names for :60F:/:60M: and :62F:/:62M:; a statement split over several messages
# carries intermediate (M) balances where the final (F) ones would be.
_OPENING = ("final_opening_balance", "opening_balance", "intermediate_opening_balance")
_CLOSING = ("final_closing_balance", "closing_balance", "intermediate_closing_balance")
_PURPOSE = (*(f"2{digit}" for digit in range(10)), "60", "61", "62", "63")


def parse_mt940(data: bytes | str, *, source: str = "") -> tuple[Statement, ...]:
    """Read an MT940 file with one or more statements.

    Args:
        data: the file's content. Bytes are decoded as UTF-8, or as Latin-1 when they are
            not UTF-8 (what German banks send).
        source: a label for error messages, such as the file name.

    Returns:
        One :class:`Statement` per ``:20:`` block, in file order.

    Raises:
        StatementFormatError: the data has no ``:20:`` field, a field does not match the
            MT940 format (the location names its line and tag), or a statement line comes
            before any balance that names the currency.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    statements: list[Statement] = []
    line = 1
    for block in _BLOCK.split(text):
        if block.lstrip().startswith(":20:"):
            statements.append(_Block(block, line, source).statement())
        line += block.count("\n")
    if not statements:
        raise StatementFormatError(
            "has no :20: field; it is not an MT940 statement", source=source, location="line 1"
        )
    return tuple(statements)


class _Block:
    """One ``:20:`` statement block, with the line it starts on for error locations."""

    def __init__(self, text: str, first_line: int, source: str) -> None:
        self.text = text
        self.first_line = first_line
        self.source = source

    def fields(self) -> Iterator[tuple[int, str, str]]:
        """Each field as (line number, tag, raw value)."""
        matches = list(_TAG.finditer(self.text))
        line = self.first_line
        position = 0
        for index, match in enumerate(matches):
            line += self.text.count("\n", position, match.start())
            position = match.start()
            end = matches[index + 1].start() if index + 1 < len(matches) else len(self.text)
            yield line, match.group("tag"), self.text[match.end() : end].strip()

    def fail(self, message: str, line: int, tag: str = "") -> StatementFormatError:
        where = f"line {line}" + (f" (:{tag}:)" if tag else "")
        return StatementFormatError(message, source=self.source, location=where)

    def parse(self) -> mt940.models.Transactions:
        transactions = mt940.models.Transactions(processors=_PROCESSORS, options=_OPTIONS)
        try:
            transactions.parse(self.text)
        except (RuntimeError, ValueError, ArithmeticError, LookupError, TypeError) as error:
            raise self.locate(error) from None
        return transactions

    def locate(self, error: Exception) -> StatementFormatError:
        """Find the field mt-940 failed on by parsing the fields one at a time.

        Only runs when the block did not parse, so reading happy files stays one pass.
        """
        for line, tag, value in self.fields():
            alone = mt940.models.Transactions(processors=_PROCESSORS, options=_OPTIONS)
            try:
                alone.parse(f":{tag}:{value}\n")
            except (RuntimeError, ValueError, ArithmeticError, LookupError, TypeError):
                shown = value if len(value) <= 60 else value[:57] + "..."
                return self.fail(
                    f"has a :{tag}: field that is not valid MT940: {shown!r}", line, tag
                )
        return self.fail(f"cannot be read as MT940 ({type(error).__name__})", self.first_line)

    def statement(self) -> Statement:
        transactions = self.parse()
        data = transactions.data
        lines = [line for line, tag, _ in self.fields() if tag == "61"]
        account = str(data.get("account_identification") or "").strip()
        identifier = EntryIdentifier(account)
        entries = [
            self.entry(transaction.data, line, identifier)
            for transaction, line in zip(transactions.transactions, lines, strict=False)
            if "amount" in transaction.data
        ]
        return Statement(
            format="mt940",
            statement_id=str(data.get("transaction_reference") or "").strip(),
            account=account,
            entries=entries,
            currency=transactions.currency,
            opening_balance=self.balance(data, *_OPENING),
            closing_balance=self.balance(data, *_CLOSING),
        )

    def balance(self, data: Mapping[str, Any], *keys: str) -> Money | None:
        for key in keys:
            balance = data.get(key)
            if balance is not None and isinstance(balance.amount, mt940.models.Amount):
                amount = balance.amount
                try:
                    return Money(_decimal(amount.amount), str(amount.currency))
                except ValidationError as error:
                    raise self.fail(f"has an unusable balance: {error}", self.first_line) from None
        return None

    def entry(
        self, data: Mapping[str, Any], line: int, identifier: EntryIdentifier
    ) -> StatementEntry:
        currency = data.get("currency")
        if not currency:
            raise self.fail(
                "has a statement line before any balance (:60F:) that names the currency",
                line,
                "61",
            )
        mark = str(data.get("status") or "").upper()
        try:
            amount = Money(abs(_decimal(data["amount"].amount)), str(currency))
        except ValidationError as error:
            raise self.fail(f"has an unusable amount: {error}", line, "61") from None
        value_date = _plain_date(data["date"])
        booked = data.get("entry_date")
        reference = str(data.get("customer_reference") or "").strip()
        fields: dict[str, Any] = {
            "booking_date": _plain_date(booked) if booked is not None else value_date,
            "value_date": value_date,
            "amount": amount,
            # C: credit, D: debit, RC: reversal of a credit (money out), RD: of a debit (in).
            "direction": Direction.CREDIT if mark in {"C", "RD"} else Direction.DEBIT,
            "reversal": mark.startswith("R"),
            "bank_reference": str(data.get("bank_reference") or "").strip(),
            "customer_reference": "" if reference.upper() in _PLACEHOLDERS else reference,
        }
        fields.update(_details(str(data.get("transaction_details") or "")))
        return StatementEntry(entry_id=identifier.identify(fields), **fields)


def _decimal(value: object) -> Decimal:
    # mt-940 parses amounts into Decimal; anything else would be a float sneaking into money.
    if not isinstance(value, Decimal):
        raise TypeError(f"mt-940 returned a {type(value).__name__} amount, expected Decimal")
    return value


def _plain_date(value: date) -> date:
    return date(value.year, value.month, value.day)


def _details(raw: str) -> dict[str, Any]:
    """The entry fields found in a ``:86:`` field, structured or free text."""
    if not raw:
        return {}
    joined = "".join(raw.split("\n"))
    structured = _STRUCTURED.match(joined)
    if not structured:
        # Free text: its lines are the bank's own, so they are words apart.
        return {"remittance_text": " ".join(raw.split())}
    separator = structured.group(2)
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
