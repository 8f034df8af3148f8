"""The customer's account statement: the period's bookings with running balance, and the
open items aged by how long they are overdue.

:meth:`CustomerAccount.statement` lists the ledger with balances; :func:`customer_statement`
adds what a customer asks for on a statement (the period, the credit balance, the open items
in ageing buckets), and :func:`statement_to_csv` writes it for a spreadsheet, with headings
and booking kinds in the customer's language.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Final

import attrs
import babel.numbers

from payportal._csv import text_cell
from payportal._money import Money, currency_exponent
from payportal.accounts._customer import AccountStatement, AccountStatementLine, CustomerAccount
from payportal.accounts._open_item import OpenItem, units_to_money
from payportal.exceptions import ValidationError
from payportal.i18n import NC_, Text, Translations

__all__ = [
    "STATEMENT_TEXTS",
    "AgedItem",
    "Ageing",
    "AgeingBucket",
    "CustomerStatement",
    "ageing",
    "customer_statement",
    "statement_to_csv",
]


class AgeingBucket(enum.Enum):
    """How long an open item is overdue, in the buckets of an ageing list."""

    NOT_DUE = "not_due"  # due today or later
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "over_90"

    @classmethod
    def of(cls, days_overdue: int) -> AgeingBucket:
        """The bucket of an item ``days_overdue`` days past its due date (0 or less: not due).

        >>> [AgeingBucket.of(d).value for d in (0, 1, 30, 31, 60, 61, 90, 91)]
        ['not_due', '1-30', '1-30', '31-60', '31-60', '61-90', '61-90', 'over_90']
        """
        if days_overdue <= 0:
            return cls.NOT_DUE
        if days_overdue <= 30:
            return cls.DAYS_1_30
        if days_overdue <= 60:
            return cls.DAYS_31_60
        if days_overdue <= 90:
            return cls.DAYS_61_90
        return cls.OVER_90


@attrs.frozen
class AgedItem:
    """One open item in the ageing list.

    Attributes:
        key: the item (the document number).
        subject: the document, as ``"<type>:<id>"`` (empty if the item names none).
        due_on: when it fell due.
        days_overdue: days past ``due_on`` on the ageing day (0 if not yet due).
        bucket: the ageing bucket of ``days_overdue``.
        amount: what is open on it.
    """

    key: str
    subject: str
    due_on: date
    days_overdue: int
    bucket: AgeingBucket
    amount: Money


@attrs.frozen
class Ageing:
    """The open items of an account, aged on one day.

    Attributes:
        on: the day the items are aged on.
        items: the items with something open, oldest due first.
        totals: what is open per bucket, every bucket present (zero if empty), in the
            order of :class:`AgeingBucket`.
        total: what is open on all items: the account's ``open_total``.
    """

    on: date
    items: tuple[AgedItem, ...]
    totals: Mapping[AgeingBucket, Money]
    total: Money


def _day(value: object, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError("must be a date", field=field, value=value)
    return value


def _due_ordinal(item: OpenItem) -> int:
    return item.due_on.toordinal()


def ageing(account: CustomerAccount, on: date) -> Ageing:
    """The items open on ``account`` now, aged on the day ``on``.

    >>> from payportal.accounts import OpenItem
    >>> account = CustomerAccount(customer_id="42", currency="EUR", items=[
    ...     OpenItem.simple("RE-1", Money("10.00", "EUR"), due=date(2026, 1, 1)),
    ...     OpenItem.simple("RE-2", Money("5.00", "EUR"), due=date(2026, 3, 1))])
    >>> aged = ageing(account, date(2026, 3, 1))
    >>> [(i.key, i.days_overdue, i.bucket.value) for i in aged.items]
    [('RE-1', 59, '31-60'), ('RE-2', 0, 'not_due')]
    >>> aged.totals[AgeingBucket.DAYS_31_60], aged.total
    (Money('10.00', 'EUR'), Money('15.00', 'EUR'))

    Raises:
        ValidationError: ``account`` is not a CustomerAccount or ``on`` is not a date.
    """
    if not isinstance(account, CustomerAccount):
        raise ValidationError("must be a CustomerAccount", field="account", value=account)
    day = _day(on, "on").toordinal()
    currency = account.currency
    exponent = currency_exponent(currency)
    buckets = tuple(AgeingBucket)
    units = [0] * len(buckets)
    # Oldest due first; the sort is stable, so items due on one day keep the account's order.
    open_items = sorted((i for i in account.items.values() if i.open_units), key=_due_ordinal)
    items = []
    for item in open_items:
        overdue = day - item.due_on.toordinal()
        if overdue <= 0:
            overdue, index = 0, 0
        else:
            index = 1 if overdue <= 30 else 2 if overdue <= 60 else 3 if overdue <= 90 else 4
        units[index] += item.open_units
        items.append(
            AgedItem(
                item.key,
                item.subject,
                item.due_on,
                overdue,
                buckets[index],
                units_to_money(item.open_units, currency, exponent),
            )
        )
    return Ageing(
        on=on,
        items=tuple(items),
        totals=MappingProxyType(
            {b: units_to_money(u, currency, exponent) for b, u in zip(buckets, units, strict=True)}
        ),
        total=units_to_money(sum(units), currency, exponent),
    )


@attrs.frozen(kw_only=True)
class CustomerStatement:
    """An account statement as a customer reads it.

    Balances are what the customer owes (negative: the customer is in credit).

    Attributes:
        customer_id: whose account.
        currency: the account's currency.
        start: the first day of the period (``None``: from the first booking).
        end: the last day of the period (``None``: up to the last booking).
        opening: the balance before ``start``.
        lines: every booking of the period (documents, payments, credits, reversals,
            discounts, write-offs, transfers, waivers), oldest first, each with the
            balance after it.
        closing: the balance after the period; the account's :attr:`CustomerAccount.balance`
            when the period reaches the last booking.
        credit_balance: the credit the customer has now (part of the balance).
        ageing: the items open now, aged on the statement's day.
    """

    customer_id: str
    currency: str
    start: date | None
    end: date | None
    opening: Money
    lines: tuple[AccountStatementLine, ...]
    closing: Money
    credit_balance: Money
    ageing: Ageing


def customer_statement(
    account: CustomerAccount,
    *,
    start: date | None = None,
    end: date | None = None,
    on: date | None = None,
) -> CustomerStatement:
    """The statement of ``account`` for the days ``start`` to ``end`` (inclusive).

    The bookings and balances are those of :meth:`CustomerAccount.statement`. The ageing
    list shows the items open now (an account keeps no history of its items), aged on
    ``on``: draw a statement up to today for ageing that matches the closing balance.

    >>> from payportal.accounts import OpenItem
    >>> account = CustomerAccount(customer_id="42", currency="EUR").add(
    ...     OpenItem.simple("RE-1", Money("80.00", "EUR"), due=date(2026, 2, 1)))
    >>> statement = customer_statement(account, end=date(2026, 3, 31))
    >>> statement.opening, statement.closing, statement.ageing.totals[AgeingBucket.DAYS_31_60]
    (Money('0.00', 'EUR'), Money('80.00', 'EUR'), Money('80.00', 'EUR'))

    Args:
        account: the customer's account.
        start: the first day; ``None`` for the first booking.
        end: the last day; ``None`` for the last booking.
        on: the ageing day (today, as the app's clock says); defaults to ``end``.

    Raises:
        ValidationError: ``account`` is not a CustomerAccount, a day is not a date,
            ``start`` is after ``end``, or neither ``end`` nor ``on`` is given.
    """
    if not isinstance(account, CustomerAccount):
        raise ValidationError("must be a CustomerAccount", field="account", value=account)
    if start is not None and end is not None and _day(start, "start") > _day(end, "end"):
        raise ValidationError(
            f"must not be after the end {end.isoformat()}", field="start", value=start
        )
    if on is None:
        if end is None:
            raise ValidationError(
                "must be given for a statement without an end day", field="on", value=on
            )
        on = end
    base: AccountStatement = account.statement(start, end)
    return CustomerStatement(
        customer_id=account.customer_id,
        currency=account.currency,
        start=start,
        end=end,
        opening=base.opening,
        lines=base.lines,
        closing=base.closing,
        credit_balance=account.credit_balance,
        ageing=ageing(account, _day(on, "on")),
    )


#: The headings and labels of a statement, translatable (context ``"account statement"``).
STATEMENT_TEXTS: Final[Mapping[str, Text]] = MappingProxyType(
    {
        "title": NC_("account statement", "Account statement"),
        "period": NC_("account statement", "Period"),
        "date": NC_("account statement", "Date"),
        "booking": NC_("account statement", "Booking"),
        "reference": NC_("account statement", "Reference"),
        "amount": NC_("account statement", "Amount"),
        "balance": NC_("account statement", "Balance"),
        "opening": NC_("account statement", "Opening balance"),
        "closing": NC_("account statement", "Closing balance"),
        "credit_balance": NC_("account statement", "Credit balance"),
        "open_items": NC_("account statement", "Open items"),
        "due_on": NC_("account statement", "Due on"),
        "days_overdue": NC_("account statement", "Days overdue"),
        "open": NC_("account statement", "Open"),
        "total": NC_("account statement", "Total"),
        AgeingBucket.NOT_DUE.value: NC_("account statement", "Not yet due"),
        AgeingBucket.DAYS_1_30.value: NC_("account statement", "1–30 days"),
        AgeingBucket.DAYS_31_60.value: NC_("account statement", "31–60 days"),
        AgeingBucket.DAYS_61_90.value: NC_("account statement", "61–90 days"),
        AgeingBucket.OVER_90.value: NC_("account statement", "Over 90 days"),
    }
)


def statement_to_csv(statement: CustomerStatement, texts: Translations) -> str:
    """``statement`` as CSV for a spreadsheet in the customer's language.

    Headings, booking kinds and bucket names come from ``texts``
    (:func:`payportal.i18n.translator_for` the customer's locale); amounts are written
    with the language's decimal sign and no grouping, and where that sign is a comma the
    columns are separated by semicolons (what spreadsheets of those languages expect);
    days are ISO 8601; a reference or document number that a spreadsheet would take for a
    formula (starting with ``=``, ``+``, ``-`` or ``@``) gets a leading ``'``. Rows: the
    opening balance, one per booking, the closing balance,
    then the ageing list (one row per open item and a total per bucket).

    Raises:
        ValidationError: ``statement`` is not a CustomerStatement or ``texts`` is not
            Translations.
    """
    if not isinstance(statement, CustomerStatement):
        raise ValidationError("must be a CustomerStatement", field="statement", value=statement)
    if not isinstance(texts, Translations):
        raise ValidationError("must be payportal.i18n Translations", field="texts", value=texts)
    decimal_sign = babel.numbers.get_decimal_symbol(texts.format_locale)
    delimiter = ";" if decimal_sign == "," else ","

    def amount(money: Money) -> str:
        return str(money.amount).replace(".", decimal_sign)

    def text(key: str) -> str:
        return texts.text(STATEMENT_TEXTS[key])

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(
        [text("date"), text("booking"), text("reference"), text("amount"), text("balance")]
    )
    first = "" if statement.start is None else statement.start.isoformat()
    writer.writerow([first, text("opening"), "", "", amount(statement.opening)])
    for line in statement.lines:
        entry = line.entry
        writer.writerow(
            [
                entry.on.isoformat(),
                texts.label(entry.kind),
                text_cell(entry.reference),
                amount(entry.amount),
                amount(line.balance),
            ]
        )
    last = "" if statement.end is None else statement.end.isoformat()
    writer.writerow([last, text("closing"), "", "", amount(statement.closing)])
    writer.writerow([])
    writer.writerow([text("due_on"), text("open_items"), text("days_overdue"), text("open"), ""])
    for item in statement.ageing.items:
        writer.writerow(
            [
                item.due_on.isoformat(),
                text_cell(item.key),
                str(item.days_overdue),
                amount(item.amount),
                text(item.bucket.value),
            ]
        )
    for bucket, total in statement.ageing.totals.items():
        writer.writerow(
            [statement.ageing.on.isoformat(), text(bucket.value), "", amount(total), ""]
        )
    writer.writerow(
        [statement.ageing.on.isoformat(), text("total"), "", amount(statement.ageing.total), ""]
    )
    return out.getvalue()
