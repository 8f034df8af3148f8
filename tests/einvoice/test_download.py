"""render_download: the file behind a download link, in the format the link names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs
import pytest
from einvoice_samples import BUYER, INVOICE, MULTI_RATE, SELLER, blank_pdf

from payportal import MasterDataChange, ValidationError
from payportal.customers import TAX_DATA
from payportal.documents import CreditNote, DeliveryNote
from payportal.einvoice import (
    Download,
    EInvoice,
    Profile,
    SepaCreditTransfer,
    read_einvoice,
    render_download,
    to_cii,
    to_ubl,
)
from payportal.portal import DownloadFormat

Validate = Callable[[bytes], list[str]]
PAYMENT = SepaCreditTransfer(reference="RF18539007547034")
LEITWEG = "04011000-12345-34"
# The buyer as the customer keeps it: the Leitweg-ID is master data, not per document.
CUSTOMER = attrs.evolve(BUYER, buyer_reference=LEITWEG)
PDF = blank_pdf()


def download(format_: DownloadFormat, **kwargs: object) -> Download:
    arguments: dict[str, object] = {"seller": SELLER, "buyer": CUSTOMER, "payment": PAYMENT}
    arguments.update(kwargs)
    return render_download(INVOICE, format_, **arguments)  # type: ignore[arg-type]


def test_the_pdf_is_passed_through() -> None:
    content, media_type, filename = download(DownloadFormat.PDF, pdf=PDF)
    assert (content, media_type, filename) == (PDF, "application/pdf", "RE-2026-17.pdf")


def test_every_document_has_a_pdf_download() -> None:
    note = DeliveryNote(id="d", number="LS/2026/1", customer_id="c-42", issued_on=date(2026, 3, 1))
    assert render_download(note, DownloadFormat.PDF, pdf=PDF).filename == "LS-2026-1.pdf"


@pytest.mark.parametrize(
    ("format_", "suffix"),
    [
        (DownloadFormat.EN16931_CII, "-cii.xml"),
        (DownloadFormat.XRECHNUNG_CII, "-xrechnung-cii.xml"),
        (DownloadFormat.XRECHNUNG_UBL, "-xrechnung-ubl.xml"),
    ],
)
def test_xml_formats_read_back_to_the_document(format_: DownloadFormat, suffix: str) -> None:
    content, media_type, filename = download(format_)
    assert media_type == "application/xml"
    assert filename == "RE-2026-17" + suffix
    read = read_einvoice(content)
    assert read.einvoice.document.number == INVOICE.number
    assert read.einvoice.document.total == INVOICE.total
    assert read.syntax == ("ubl" if format_ is DownloadFormat.XRECHNUNG_UBL else "cii")
    xrechnung = format_ is not DownloadFormat.EN16931_CII
    assert (read.specification == Profile.XRECHNUNG.value) == xrechnung


def test_xrechnung_downloads_carry_the_customers_leitweg_id() -> None:
    assert f"<ram:BuyerReference>{LEITWEG}</ram:BuyerReference>".encode() in (
        download(DownloadFormat.XRECHNUNG_CII).content
    )
    assert f"<cbc:BuyerReference>{LEITWEG}</cbc:BuyerReference>".encode() in (
        download(DownloadFormat.XRECHNUNG_UBL).content
    )


def test_the_einvoices_own_buyer_reference_wins_over_the_customers() -> None:
    einvoice = EInvoice(
        document=INVOICE, seller=SELLER, buyer=CUSTOMER, payment=[PAYMENT], buyer_reference="X-1"
    )
    content = render_download(einvoice, DownloadFormat.XRECHNUNG_UBL).content
    assert b"<cbc:BuyerReference>X-1</cbc:BuyerReference>" in content


def test_xrechnung_without_any_buyer_reference_names_the_field() -> None:
    with pytest.raises(ValidationError, match="customer's buyer_reference") as caught:
        download(DownloadFormat.XRECHNUNG_CII, buyer=BUYER)
    assert caught.value.field == "buyer_reference"


def test_a_leitweg_id_the_customer_entered_makes_the_xrechnung_valid(validate: Validate) -> None:
    updated, record = BUYER.apply_change(
        MasterDataChange(buyer_reference=f"  {LEITWEG} "), editable=TAX_DATA
    )
    assert [c.field for c in record.changes] == ["buyer_reference"]
    for format_ in (DownloadFormat.XRECHNUNG_CII, DownloadFormat.XRECHNUNG_UBL):
        assert validate(download(format_, buyer=updated).content) == []


def test_an_einvoice_renders_as_the_writers_write_it() -> None:
    assert render_download(MULTI_RATE, DownloadFormat.XRECHNUNG_CII).content == to_cii(
        MULTI_RATE, profile=Profile.XRECHNUNG
    )
    assert render_download(MULTI_RATE, DownloadFormat.XRECHNUNG_UBL).content == to_ubl(MULTI_RATE)
    assert render_download(MULTI_RATE, DownloadFormat.EN16931_CII).content == to_cii(MULTI_RATE)


def test_facturx_embeds_the_cii_in_the_given_pdf() -> None:
    content, media_type, filename = download(DownloadFormat.FACTURX_PDF, pdf=PDF)
    assert (media_type, filename) == ("application/pdf", "RE-2026-17.pdf")
    assert content.startswith(b"%PDF-")
    assert read_einvoice(content).einvoice.document.total == INVOICE.total


@pytest.mark.parametrize("format_", [DownloadFormat.PDF, DownloadFormat.FACTURX_PDF])
def test_pdf_formats_without_a_pdf_name_it(format_: DownloadFormat) -> None:
    with pytest.raises(ValidationError, match="pass the printed document as pdf") as caught:
        download(format_)
    assert caught.value.field == "pdf"


def test_einvoices_only_for_invoices_and_credit_notes() -> None:
    note = DeliveryNote(id="d", number="LS-1", customer_id="c-42", issued_on=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="only invoices and credit notes") as caught:
        render_download(note, DownloadFormat.EN16931_CII, seller=SELLER, buyer=CUSTOMER)
    assert caught.value.field == "document"


def test_a_credit_note_downloads_as_a_credit_note() -> None:
    credit = CreditNote(
        id="cn", number="GS-1", customer_id="c-42", issued_on=date(2026, 3, 2), lines=INVOICE.lines
    )
    content = render_download(
        credit, DownloadFormat.XRECHNUNG_UBL, seller=SELLER, buyer=CUSTOMER, payment=PAYMENT
    ).content
    assert b"<CreditNote" in content


@pytest.mark.parametrize("missing", ["seller", "buyer"])
def test_missing_parties_are_named(missing: str) -> None:
    with pytest.raises(ValidationError) as caught:
        download(DownloadFormat.EN16931_CII, **{missing: None})
    assert caught.value.field == missing


def test_another_customer_as_buyer_is_refused() -> None:
    with pytest.raises(ValidationError, match="belongs to 'c-42'") as caught:
        download(DownloadFormat.EN16931_CII, buyer=attrs.evolve(CUSTOMER, id="c-43"))
    assert caught.value.field == "buyer"


def test_parties_next_to_an_einvoice_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        render_download(MULTI_RATE, DownloadFormat.EN16931_CII, seller=SELLER)
    assert caught.value.field == "seller"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("RE-1", DownloadFormat.PDF), "document"),
        ((INVOICE, "pdf"), "format"),
    ],
)
def test_wrong_arguments_are_named(args: tuple[object, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        render_download(*args, pdf=PDF)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_pdf_that_is_not_bytes_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        download(DownloadFormat.PDF, pdf="%PDF-1.7")
    assert caught.value.field == "pdf"


@pytest.mark.parametrize("number", ['RE"1\r\nX: y', "../../etc/passwd", "..."])
def test_filenames_are_safe_in_a_header(number: str) -> None:
    invoice = attrs.evolve(INVOICE, number=number)
    filename = render_download(invoice, DownloadFormat.PDF, pdf=PDF).filename
    assert filename.endswith(".pdf")
    assert all(c.isalnum() or c in "._-" for c in filename)
    assert not filename.startswith(".")
