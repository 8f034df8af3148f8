"""The journal exports: CSV lines that add up, and a DATEV Buchungsstapel DATEV can read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from booking_world import event, intent, world
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.allocation import OverpaymentPolicy
from payportal.booking import (
    DatevSettings,
    EventKind,
    JournalRecord,
    Purpose,
    decide,
    journal_lines,
    journal_to_csv,
    journal_to_datev,
)
from payportal.booking._export import MONEY_TARGETS
from payportal.booking._journal import journal_data, journal_record
from payportal.exceptions import ValidationError

CREATED = datetime(2026, 4, 1, 8, 30, 15, 123000, tzinfo=UTC)


def m(cents: int) -> Money:
    return Money.from_minor(cents, "EUR")


def settings(**changes: object) -> DatevSettings:
    fields: dict[str, object] = {
        "consultant_number": 1001,
        "client_number": 1,
        "fiscal_year_start": date(2026, 1, 1),
        "debtor_account": lambda customer_id: f"1{int(customer_id):04d}",
        **changes,
    }
    return DatevSettings(**fields)  # type: ignore[arg-type]


def sample_records() -> list[JournalRecord]:
    account, docs = world([5000, 3000])
    paid = decide(
        account,
        docs,
        intent(),
        attrs.evolve(event(EventKind.CAPTURED, 9000, "paypal:capture:C1"), fee=m(171)),
    )
    assert paid.intent is not None
    refund = decide(
        paid.account,
        [*docs, *paid.documents],
        paid.intent,
        event(EventKind.PARTIALLY_REFUNDED, 2000, "paypal:refund:R1"),
    )
    return [*paid.journal, *refund.journal]


def test_csv_rows_of_money_add_up_to_each_booking() -> None:
    records = sample_records()
    rows = list(csv.DictReader(io.StringIO(journal_to_csv(records))))
    assert [(r["kind"], r["target"], r["item"], r["amount"]) for r in rows] == [
        ("payment_booked", "document", "RE-1", "50.00"),
        ("payment_booked", "document", "RE-2", "30.00"),
        ("payment_booked", "credit", "", "10.00"),
        ("payment_booked", "fee", "", "1.71"),
        ("refund_booked", "document", "RE-2", "-10.00"),
        ("refund_booked", "credit", "", "-10.00"),
    ]
    assert {r["movement_key"] for r in rows} == {"paypal:capture:C1", "paypal:refund:R1"}
    for record in records:
        money = [a for t, _, _, a in journal_lines(record) if t in MONEY_TARGETS]
        assert sum(money, m(0)) == record.amount


def test_csv_text_from_payers_never_reaches_a_spreadsheet_as_a_formula() -> None:
    # A bank transfer's reference is whatever the payer typed.
    record = attrs.evolve(sample_records()[0], reference='=HYPERLINK("http://x","pay")')
    rows = list(csv.DictReader(io.StringIO(journal_to_csv([record]))))
    assert {r["reference"] for r in rows} == {'\'=HYPERLINK("http://x","pay")'}
    assert [r["amount"] for r in rows] == ["50.00", "30.00", "10.00", "1.71"]
    refund = sample_records()[-1]
    # Negative amounts stay numbers: only text columns are escaped.
    assert {r["amount"] for r in csv.DictReader(io.StringIO(journal_to_csv([refund])))} == {
        "-10.00"
    }


def datev_lines(data: bytes) -> list[list[str]]:
    text = data.decode("cp1252")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_datev_batch_has_the_header_the_columns_and_one_line_per_booking_line() -> None:
    data = journal_to_datev(
        sample_records(),
        settings(),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        created_at=CREATED,
    )
    header, columns, *rows = datev_lines(data)
    assert len(header) == 31
    assert header[:6] == ["EXTF", "700", "21", "Buchungsstapel", "13", "20260401083015123"]
    assert header[10:16] == ["1001", "1", "20260101", "4", "20260301", "20260331"]
    assert header[21] == "EUR"
    assert len(columns) == 125
    assert columns[:3] == ["Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz"]
    assert all(len(row) == 125 for row in rows)
    assert [(r[0], r[1], r[6], r[7], r[9], r[10]) for r in rows] == [
        ("50,00", "S", "1360", "10042", "0203", "RE-1"),
        ("30,00", "S", "1360", "10042", "0203", "RE-2"),
        ("10,00", "S", "1360", "10042", "0203", "REF-pi-1"),
        ("1,71", "S", "4970", "1360", "0203", "REF-pi-1"),
        ("10,00", "H", "1360", "10042", "0203", "RE-2"),
        ("10,00", "H", "1360", "10042", "0203", "REF-pi-1"),
    ]
    # What the money account received, S minus H, is the payments less the refund.
    net = sum(
        (Decimal(r[0].replace(",", ".")) * (1 if r[1] == "S" else -1))
        for r in rows
        if r[6] == "1360"
    )
    assert net == Decimal("70.00")


def test_datev_leaves_out_what_lies_outside_the_period_and_maps_accounts() -> None:
    records = sample_records()
    later = [attrs.evolve(r, at=datetime(2026, 5, 2, tzinfo=UTC)) for r in records]
    data = journal_to_datev(
        [*records, *later],
        settings(money_accounts={"paypal": "1361"}),
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
        created_at=CREATED,
    )
    rows = datev_lines(data)[2:]
    assert len(rows) == 6
    assert {r[9] for r in rows} == {"0205"}
    assert rows[0][6] == "1361"


def test_datev_top_ups_and_discounts_use_their_accounts() -> None:
    account, _ = world([])
    top_up = decide(
        account,
        [],
        intent(Purpose.TOP_UP, method="bank_transfer"),
        event(EventKind.CAPTURED, 2500, "bank:E1"),
    )
    overpaid, docs = world([1000])
    prepaid = decide(
        overpaid,
        docs,
        intent(overpayment=OverpaymentPolicy.PREPAID),
        event(EventKind.CAPTURED, 1500, "c"),
    )
    data = journal_to_datev(
        [*top_up.journal, *prepaid.journal],
        settings(),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        created_at=CREATED,
    )
    rows = datev_lines(data)[2:]
    assert [(r[0], r[6], r[7]) for r in rows] == [
        ("25,00", "1360", "1590"),
        ("10,00", "1360", "10042"),
        ("5,00", "1360", "1710"),
    ]


def charged_fee() -> JournalRecord:
    zero = m(0)
    return JournalRecord(
        kind="return_fee_charged",
        at=datetime(2026, 3, 9, tzinfo=UTC),
        customer_id="42",
        booking_id="return_fee:E2E-1",
        intent_id="pi-1",
        provider="sepa_direct_debit",
        provider_payment_id="E2E-1",
        event_id="B-1",
        movement_key="sepa_direct_debit:E2E-1:return_fee",
        reference="RLS-E2E-1",
        amount=zero,
        discounts=zero,
        write_offs=zero,
        credit=zero,
        prepaid=zero,
        pending=zero,
        refund_due=zero,
        charges=m(350),
    )


def test_a_charge_moves_no_money_and_is_booked_debtor_to_the_charge_account() -> None:
    record = charged_fee()
    assert journal_lines(record) == [("charge", "", "", m(350))]
    assert record.placed == record.amount == m(0)
    data = journal_to_datev(
        [record],
        settings(charge_account="4971"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        created_at=CREATED,
    )
    ((amount, side, _, _, _, _, konto, gegenkonto, _, day, belegfeld, *_),) = datev_lines(data)[2:]
    assert (amount, side, konto, gegenkonto, day, belegfeld) == (
        "3,50",
        "S",
        "10042",
        "4971",
        "0903",
        "RLS-E2E-1",
    )
    # By default against the bank charges account, whose expense the passed-on fee reduces.
    default = journal_to_datev(
        [record], settings(), start=date(2026, 3, 1), end=date(2026, 3, 31), created_at=CREATED
    )
    assert datev_lines(default)[2][7] == "4970"


def test_journal_data_keeps_charges_and_reads_records_written_before_them() -> None:
    record = charged_fee()
    assert journal_record("42", journal_data(record)) == record
    payment = sample_records()[0]
    data = journal_data(payment)
    assert "charges" not in data  # only a charge writes them: older records read the same
    assert journal_record(payment.customer_id, data) == payment
    assert journal_record(payment.customer_id, data).charges == m(0)


def test_datev_refuses_what_does_not_fit_one_batch() -> None:
    with pytest.raises(ValidationError, match="fiscal year"):
        journal_to_datev(
            [], settings(), start=date(2025, 12, 1), end=date(2026, 1, 31), created_at=CREATED
        )
    usd = attrs.evolve(sample_records()[0], amount=Money("1.00", "USD"))
    with pytest.raises(ValidationError, match="USD"):
        journal_to_datev(
            [usd], settings(), start=date(2026, 3, 1), end=date(2026, 3, 31), created_at=CREATED
        )
    with pytest.raises(ValidationError, match="debtor account"):
        journal_to_datev(
            sample_records(),
            settings(debtor_account=lambda c: "K-42"),
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            created_at=CREATED,
        )
    with pytest.raises(ValidationError, match="consultant_number"):
        settings(consultant_number=999)


@given(st.text(max_size=80))
def test_datev_text_fields_never_break_the_line(reference: str) -> None:
    record = attrs.evolve(sample_records()[0], reference=reference or "x")
    data = journal_to_datev(
        [record], settings(), start=date(2026, 3, 1), end=date(2026, 3, 31), created_at=CREATED
    )
    rows = datev_lines(data)
    assert all(len(row) == 125 for row in rows[1:])
    assert len(rows) == 2 + len(journal_lines(record))
    for row in rows[2:]:
        assert len(row[10]) <= 36
        assert len(row[13]) <= 60
