"""Reading e-invoices: official samples, round trips, and bad input."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from einvoice_samples import MULTI_RATE, SHAPES, blank_pdf
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money, PayportalError
from payportal.documents import Invoice, LineItem
from payportal.einvoice import (
    EInvoiceFormatError,
    Profile,
    read_einvoice,
    to_cii,
    to_facturx_pdf,
    to_ubl,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "einvoice" / "samples"
OFFICIAL = sorted(p for p in SAMPLES.rglob("*") if p.suffix.lower() == ".xml")


PDFS = SAMPLES / "mustang"
GOOD_PDFS = ["MustangBeispiel20221026.pdf", "validV2PDF.pdf", "validXRechnung.pdf"]


@pytest.mark.parametrize("name", GOOD_PDFS)
def test_factur_x_and_zugferd_pdfs_read_with_the_files_totals(name: str) -> None:
    read = read_einvoice((PDFS / name).read_bytes(), source=name)
    assert read.syntax == "cii"
    assert read.einvoice.document.totals.gross == read.stated.gross
    assert read.einvoice.document.totals.tax == read.stated.tax


def test_zugferd_1_is_refused_by_name() -> None:
    with pytest.raises(EInvoiceFormatError, match=r"ZUGFeRD 1\.0"):
        read_einvoice((PDFS / "validV1WithAdditionalData.pdf").read_bytes())


def test_a_corrupt_pdf_is_refused() -> None:
    with pytest.raises(EInvoiceFormatError, match="not a readable PDF"):
        read_einvoice((PDFS / "corrupt-factur-x-waytoosmall.pdf").read_bytes())


def test_the_official_sample_sets_are_there() -> None:
    assert len([p for p in OFFICIAL if p.parent.name == "kosit"]) == 42
    assert len([p for p in OFFICIAL if p.parent.name == "cen"]) == 32


@pytest.mark.parametrize("path", OFFICIAL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_official_sample_reads_with_the_files_totals(path: Path) -> None:
    read = read_einvoice(path.read_bytes(), source=path.name)
    document, stated = read.einvoice.document, read.stated
    assert document.totals.net == stated.net
    assert document.totals.tax == stated.tax
    assert document.totals.gross == stated.gross
    paid = document.paid if isinstance(document, Invoice) else Money.zero(document.currency)
    assert paid == stated.prepaid
    assert document.totals.gross - paid + stated.rounding == stated.due


def test_reading_reports_what_payportal_refused() -> None:
    read = read_einvoice((SAMPLES / "kosit" / "01.01a-INVOICE_uncefact.xml").read_bytes())
    assert read.syntax == "cii"
    assert read.einvoice.buyer_reference == "04011000-12345-03"
    assert read.einvoice.seller.vat_id is None
    assert any(d.startswith("seller.vat_id 'DE 123456789' left out") for d in read.dropped)


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("write", [to_cii, to_ubl], ids=["cii", "ubl"])
def test_round_trip_writes_the_same_file(name: str, write: object) -> None:
    assert callable(write)
    first = write(SHAPES[name], profile=Profile.XRECHNUNG)
    read = read_einvoice(first)
    assert read.dropped == ()
    assert read.specification == Profile.XRECHNUNG.value
    assert write(read.einvoice, profile=Profile.XRECHNUNG) == first


@pytest.mark.parametrize("name", ["multi_rate", "partly_paid", "credit_note"])
def test_facturx_pdf_reads_back_as_its_cii(name: str) -> None:
    einvoice = SHAPES[name]
    pdf = to_facturx_pdf(einvoice, blank_pdf())
    read = read_einvoice(pdf)
    assert read.syntax == "cii"
    assert to_cii(read.einvoice) == to_cii(einvoice)


_lines = st.builds(
    LineItem,
    title=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20),
    quantity=st.decimals(min_value=0, max_value=10_000, places=3),
    unit_price=st.decimals(min_value=-1_000, max_value=100_000, places=2).map(
        lambda d: Money(d, "EUR")
    ),
    tax_rate=st.sampled_from([Decimal(0), Decimal(7), Decimal(19), Decimal("5.5")]),
    discount=st.sampled_from([Decimal(0), Decimal(3), Decimal("12.5")]),
    unit=st.sampled_from(["", "h", "kg", "month"]),
)


@given(lines=st.lists(_lines, min_size=1, max_size=8), cii=st.booleans())
def test_any_invoice_round_trips_with_equal_totals(lines: list[LineItem], cii: bool) -> None:
    einvoice = attrs.evolve(MULTI_RATE, document=attrs.evolve(MULTI_RATE.document, lines=lines))
    write = to_cii if cii else to_ubl
    data = write(einvoice, profile=Profile.XRECHNUNG)
    read = read_einvoice(data)
    assert read.einvoice.document.totals == einvoice.document.totals
    assert read.stated.gross == einvoice.document.totals.gross
    assert write(read.einvoice, profile=Profile.XRECHNUNG) == data


BAD = {
    "empty": b"",
    "not xml": b"hello",
    "truncated": to_cii(MULTI_RATE)[:500],
    "dtd": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    "other root": b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'/>",
    "no lines total": to_cii(MULTI_RATE).replace(b"LineTotalAmount>", b"LineTotalX>"),
    "bad amount": to_cii(MULTI_RATE).replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>x"),
    "bad date": to_ubl(MULTI_RATE).replace(b"<cbc:IssueDate>2026", b"<cbc:IssueDate>20x6"),
    "broken pdf": b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF",
    # Hostile encoding declarations (expat refuses UTF-32; Python knows no UTFL8, rot13 is
    # not a text codec): LookupError and ValueError escaped before.
    "utf-32 declared": b"<?xml version='1.0' encoding='UTF-32'?>" + to_cii(MULTI_RATE)[38:],
    "unknown encoding": b"<?xml version='1.0' encoding='UTFL8'?><x/>",
    "not a text codec": b"<?xml version='1.0' encoding='rot13'?><x/>",
    "pdf without xml": blank_pdf(),
}


@pytest.mark.parametrize("data", BAD.values(), ids=BAD.keys())
def test_bad_input_raises_einvoice_format_error(data: bytes) -> None:
    with pytest.raises(EInvoiceFormatError):
        read_einvoice(data, source="upload.xml")


@given(st.binary(max_size=300))
def test_junk_raises_only_payportal_errors(data: bytes) -> None:
    with contextlib.suppress(PayportalError):
        read_einvoice(data)


@given(cut=st.integers(min_value=0, max_value=4000))
def test_truncated_files_raise_only_payportal_errors(cut: int) -> None:
    data = to_ubl(MULTI_RATE)
    with contextlib.suppress(PayportalError):
        read_einvoice(data[:cut])
