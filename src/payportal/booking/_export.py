"""The journal for the accountant: plain CSV, and DATEV's booking batch (EXTF Buchungsstapel).

CSV: one row per place a booking's money went (a document, the credit balance, the prepaid
account, pending top-ups, a refund due) and per discount, write-off and fee; the rows of
the money places of one booking add up to its amount.

DATEV: the text format DATEV's accounting programs import as a *Buchungsstapel* (format
category 21, header version 700, format version 13): a header line, a line of column
names, one line per booking line; semicolons, CRLF, Windows-1252, amounts with a decimal
comma and an S/H sign, document dates as ``DDMM`` within the batch's fiscal year.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._csv import text_cell
from payportal.booking._decide import JournalRecord
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from payportal._money import Money

__all__ = ["DatevSettings", "journal_lines", "journal_to_csv", "journal_to_datev"]

CSV_COLUMNS = (
    "at",
    "kind",
    "customer_id",
    "booking_id",
    "intent_id",
    "movement_key",
    "provider",
    "provider_payment_id",
    "event_id",
    "reference",
    "target",
    "item",
    "subject",
    "amount",
    "currency",
)

#: The targets of the money of a booking, as :func:`journal_lines` names them.
MONEY_TARGETS = ("document", "credit", "prepaid", "pending", "refund_due")


def journal_lines(record: JournalRecord) -> list[tuple[str, str, str, Money]]:
    """``record`` as ``(target, item, subject, amount)`` lines, zero lines left out.

    Targets: ``document`` (one per share), ``credit``, ``prepaid``, ``pending``,
    ``refund_due`` (the money: they add up to ``record.amount``), then ``discount``,
    ``write_off`` (settled without money), ``charge`` (put on the account without money)
    and ``fee``.

    Raises:
        ValidationError: ``record`` is not a :class:`~payportal.booking.JournalRecord`.
    """
    if not isinstance(record, JournalRecord):
        raise ValidationError("must be a JournalRecord", field="record", value=record)
    lines = [("document", s.item, s.subject, s.amount) for s in record.documents if s.amount]
    for target, money in (
        ("credit", record.credit),
        ("prepaid", record.prepaid),
        ("pending", record.pending),
        ("refund_due", record.refund_due),
        ("discount", record.discounts),
        ("write_off", record.write_offs),
        ("charge", record.charges),
    ):
        if money:
            lines.append((target, "", "", money))
    if record.fee:
        lines.append(("fee", "", "", record.fee))
    return lines


def journal_to_csv(records: Iterable[JournalRecord]) -> str:
    """The journal as CSV text (comma-separated, a header row, amounts as ``12.30``).

    >>> journal_to_csv([]).strip()
    'at,kind,customer_id,booking_id,intent_id,movement_key,provider,provider_payment_id,event_id,reference,target,item,subject,amount,currency'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        # Every column but the amount is text, some of it from payers and banks (references,
        # subjects): none may reach a spreadsheet as a formula.
        head = [
            text_cell(cell)
            for cell in (
                record.at.isoformat(),
                record.kind,
                record.customer_id,
                record.booking_id,
                record.intent_id or "",
                record.movement_key,
                record.provider,
                record.provider_payment_id or "",
                record.event_id or "",
                record.reference,
            )
        ]
        for target, item, subject, amount in journal_lines(record):
            texts = [text_cell(target), text_cell(item), text_cell(subject)]
            writer.writerow([*head, *texts, str(amount.amount), text_cell(amount.currency)])
    return out.getvalue()


# -- DATEV -------------------------------------------------------------------------------------

# The 125 columns of a Buchungsstapel line, format version 13 (names as DATEV prints them).
_DATEV_COLUMNS: tuple[str, ...] = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *(f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")),
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID",
    "EU-Steuersatz",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    *(f"Zusatzinformation - {part} {n}" for n in range(1, 21) for part in ("Art", "Inhalt")),
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "Ust-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
)
assert len(_DATEV_COLUMNS) == 125

# Belegfeld 1 takes letters, digits and $ & % * + - / only (at most 36 characters).
_NOT_IN_BELEGFELD = re.compile(r"[^A-Za-z0-9$&%*+\-/]")
_ACCOUNT = re.compile(r"[0-9]{1,9}")


def _digits(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _ACCOUNT.fullmatch(value):
        raise v.fail(attribute, value, "must be an account number of 1 to 9 digits")


def _between(low: int, high: int) -> v.Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise v.fail(attribute, value, f"must be a whole number from {low} to {high}")

    return check


def _accounts(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _account_map(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    assert isinstance(value, Mapping)
    for key, account in value.items():
        if not isinstance(key, str) or not isinstance(account, str):
            raise v.fail(attribute, value, "must map provider names to account numbers")
        if not _ACCOUNT.fullmatch(account):
            raise ValidationError(
                "must be an account number of 1 to 9 digits",
                field=f"{attribute.name}[{key!r}]",
                value=account,
            )


@attrs.frozen(kw_only=True)
class DatevSettings:
    """What the accountant tells you for a DATEV export: numbers and accounts.

    The account defaults are SKR03's (SKR04 users set their own): 1200 Bank, 1360
    Geldtransit (payment providers), 1710 Erhaltene Anzahlungen (prepaid), 1590
    Durchlaufende Posten (top-ups waiting for release), 8730 Gewährte Skonti, 2400
    Forderungsverluste, 4970 Nebenkosten des Geldverkehrs.

    Attributes:
        consultant_number: the Beraternummer (1001 to 9999999).
        client_number: the Mandantennummer (1 to 99999).
        fiscal_year_start: the first day of the fiscal year the batch belongs to.
        account_length: the length of general-ledger account numbers (4 to 8).
        debtor_account: the customer's debtor account (Debitor) for a customer id.
        money_accounts: the account money arrives on, by provider name; others use
            ``default_money_account``.
        default_money_account: the account of providers not in ``money_accounts``.
        bank_account: the account of ``bank_transfer`` and ``bank`` if not mapped.
        prepaid_account, pending_account, discount_account, write_off_account,
        fee_account: where those amounts go.
        charge_account: the counter account of costs payportal puts on a customer's
            account (a returned direct debit's fee, booked debtor to this account); by
            default the bank charges account, whose expense the passed-on fee reduces.
        currency: the batch's currency; bookings in another currency are refused.
        label: the batch's name (Bezeichnung, up to 30 characters).
        exported_by: who exported (up to 25 characters).
    """

    consultant_number: int = attrs.field(validator=_between(1001, 9_999_999))
    client_number: int = attrs.field(validator=_between(1, 99_999))
    fiscal_year_start: date = attrs.field(validator=v.a_date)
    debtor_account: Callable[[str], str]
    account_length: int = attrs.field(default=4, validator=_between(4, 8))
    money_accounts: Mapping[str, str] = attrs.field(
        factory=dict, converter=_accounts, validator=_account_map
    )
    default_money_account: str = attrs.field(default="1360", validator=_digits)
    bank_account: str = attrs.field(default="1200", validator=_digits)
    prepaid_account: str = attrs.field(default="1710", validator=_digits)
    pending_account: str = attrs.field(default="1590", validator=_digits)
    discount_account: str = attrs.field(default="8730", validator=_digits)
    write_off_account: str = attrs.field(default="2400", validator=_digits)
    fee_account: str = attrs.field(default="4970", validator=_digits)
    charge_account: str = attrs.field(default="4970", validator=_digits)
    currency: str = "EUR"
    label: str = attrs.field(default="payportal", validator=[v.optional_str, v.max_length(30)])
    exported_by: str = attrs.field(
        default="payportal", validator=[v.optional_str, v.max_length(25)]
    )

    def money_account(self, provider: str) -> str:
        """The account money of ``provider`` arrives on."""
        if provider in self.money_accounts:
            return self.money_accounts[provider]
        if provider in ("bank_transfer", "bank"):
            return self.bank_account
        return self.default_money_account

    @property
    def fiscal_year_end(self) -> date:
        """The last day of the fiscal year."""
        start = self.fiscal_year_start
        try:
            following = start.replace(year=start.year + 1)
        except ValueError:  # a year starting on 29 February
            following = date(start.year + 1, 3, 1)
        return following - timedelta(days=1)


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _amount(money: Money) -> str:
    return f"{abs(money.amount):.{money.exponent}f}".replace(".", ",")


def _belegfeld(value: str) -> str:
    return _NOT_IN_BELEGFELD.sub("", value)[:36]


def _booking_text(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")[:60]


# Journal kinds that move nothing between DATEV accounts: a credit note is booked with the
# invoices (as a reduction of revenue), and offsetting it against an invoice, a credit
# balance or a refund due stays on the same debtor account.
_NOT_IN_DATEV = frozenset({"credit_note_booked"})

_KIND_TEXT = {
    "payment_booked": "Zahlung",
    "refund_booked": "Erstattung",
    "chargeback_booked": "Rücklastschrift",
    "reversal_booked": "Rückbuchung",
    "top_up_released": "Guthaben freigegeben",
    "top_up_rejected": "Guthaben abgelehnt",
    "fee_waived": "Mahngebühr erlassen",
    "return_fee_charged": "Rücklastschriftgebühr",
}


def _datev_rows(record: JournalRecord, settings: DatevSettings) -> list[list[str]]:
    money = settings.money_account(record.provider)
    debtor = settings.debtor_account(record.customer_id)
    if not isinstance(debtor, str) or not _ACCOUNT.fullmatch(debtor):
        raise ValidationError(
            "must be a debtor account number of 1 to 9 digits",
            field="debtor_account",
            value=debtor,
        )
    day = record.at.date().strftime("%d%m")
    words = _KIND_TEXT.get(record.kind, record.kind)
    rows = []
    for target, item, _subject, amount in journal_lines(record):
        # Each line is "money account to counter account", S when money came in: the money
        # account is debited (Soll) and the counter account credited, H the other way round.
        konto, gegenkonto, positive_in = {
            "document": (money, debtor, True),
            "credit": (money, debtor, True),
            "refund_due": (money, debtor, True),
            "prepaid": (money, settings.prepaid_account, True),
            "pending": (money, settings.pending_account, True),
            "discount": (settings.discount_account, debtor, True),
            "write_off": (settings.write_off_account, debtor, True),
            "charge": (debtor, settings.charge_account, True),
            "fee": (settings.fee_account, money, True),
        }[target]
        debit = (amount.amount > 0) == positive_in
        row = [""] * len(_DATEV_COLUMNS)
        row[0] = _amount(amount)
        row[1] = _text("S" if debit else "H")
        row[2] = _text(amount.currency)
        row[6] = konto
        row[7] = gegenkonto
        row[9] = day
        row[10] = _text(_belegfeld(item or record.reference))
        row[11] = _text(_belegfeld(record.booking_id))
        row[13] = _text(_booking_text(f"{words} {record.reference} {item}".strip()))
        rows.append(row)
    return rows


def journal_to_datev(
    records: Iterable[JournalRecord],
    settings: DatevSettings,
    *,
    start: date,
    end: date,
    created_at: datetime,
) -> bytes:
    """The bookings from ``start`` to ``end`` (inclusive) as a DATEV Buchungsstapel file.

    Records outside the period are left out, and so are credit notes (booked with the
    invoices in DATEV; offsetting them moves nothing between accounts).

    Args:
        records: journal records, such as :func:`payportal.booking.journal` yields.
        settings: the accountant's numbers and accounts.
        start, end: the batch's period, within one fiscal year.
        created_at: when the file is made (header field "Erzeugt am").

    Returns:
        The file's bytes, Windows-1252 encoded (characters it lacks become ``?``).

    Raises:
        ValidationError: the period is empty or not within the fiscal year of
            ``settings``, a booking is in another currency than the batch, or a debtor
            account is not a number.
    """
    if not isinstance(settings, DatevSettings):
        raise ValidationError("must be DatevSettings", field="settings", value=settings)
    v.check_aware(created_at, "created_at")
    if not isinstance(start, date) or not isinstance(end, date) or start > end:
        raise ValidationError("must not be after end", field="start", value=start)
    if start < settings.fiscal_year_start or end > settings.fiscal_year_end:
        raise ValidationError(
            f"must lie within the fiscal year {settings.fiscal_year_start} to "
            f"{settings.fiscal_year_end}: a DATEV batch holds dates of one fiscal year",
            field="end" if start >= settings.fiscal_year_start else "start",
            value=end if start >= settings.fiscal_year_start else start,
        )
    header = [
        _text("EXTF"),
        "700",
        "21",
        _text("Buchungsstapel"),
        "13",
        created_at.strftime("%Y%m%d%H%M%S") + f"{created_at.microsecond // 1000:03d}",
        "",
        _text("PP"),
        _text(settings.exported_by),
        _text(""),
        str(settings.consultant_number),
        str(settings.client_number),
        settings.fiscal_year_start.strftime("%Y%m%d"),
        str(settings.account_length),
        start.strftime("%Y%m%d"),
        end.strftime("%Y%m%d"),
        _text(settings.label),
        _text(""),
        "1",
        "0",
        "0",
        _text(settings.currency),
        "",
        _text(""),
        "",
        "",
        _text(""),
        "",
        "",
        _text(""),
        _text(""),
    ]
    lines = [";".join(header), ";".join(_text(name) for name in _DATEV_COLUMNS)]
    for record in records:
        day = record.at.date()
        if not start <= day <= end or record.kind in _NOT_IN_DATEV:
            continue
        if record.amount.currency != settings.currency:
            raise ValidationError(
                f"is in {record.amount.currency}; the batch is in {settings.currency}",
                field="record.amount",
                value=record.amount,
            )
        lines += [";".join(row) for row in _datev_rows(record, settings)]
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("cp1252", errors="replace")
