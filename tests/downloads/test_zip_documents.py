"""payportal.downloads.zip_documents: the customer's selection as one streamed ZIP."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payportal import Address, Company, Customer, CustomerAccess, Money, PortalSettings
from payportal.documents import CreditNote, DeliveryNote, Document, Invoice, LineItem
from payportal.downloads import ZipDownload, zip_documents
from payportal.einvoice import EInvoice, SepaCreditTransfer, read_einvoice, render_download
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.portal import APPLICABLE_ACTIONS, AccessPolicy, DownloadFormat

TODAY = date(2026, 3, 2)
SELLER = Company(
    name="Muster Software GmbH",
    address=Address(street="Hauptstraße 1", postal_code="10115", city="Berlin", country="DE"),
    email="billing@muster-software.example",
    vat_id="DE136695976",
    phone="+49 30 1234567",
)
PAYMENT = SepaCreditTransfer(iban="DE89370400440532013000", reference="RF18539007547034")
HOME = Address(street="Marktplatz 5", postal_code="80331", city="München", country="DE")
ERIKA = Customer(
    id="42", number="K-42", name="Erika Mustermann", address=HOME, email="erika@example.com"
)


def invoice(number: str, doc_id: str | None = None, customer: str = "42") -> Invoice:
    return Invoice(
        id=doc_id or number,
        number=number,
        customer_id=customer,
        issued_on=date(2026, 3, 1),
        lines=[LineItem(title="Work", quantity=1, unit_price=Money("100.00", "EUR"))],
    )


class Files:
    """The app's side; each PDF is 150 KiB of its own bytes, so entries take several pieces."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pdf(self, document: Document) -> bytes:
        self.asked.append(f"pdf:{document.id}")
        return b"%PDF-1.7\n" + document.id.encode() * 1 + os.urandom(150 * 1024)

    def einvoice(self, document: Invoice | CreditNote, buyer: Customer) -> EInvoice:
        self.asked.append(f"einvoice:{document.id}")
        return EInvoice(document=document, seller=SELLER, buyer=buyer, payment=[PAYMENT])


def policy(*formats: DownloadFormat) -> AccessPolicy:
    chosen = PortalSettings(
        document_actions=APPLICABLE_ACTIONS,
        download_formats=formats or (DownloadFormat.PDF,),
    )
    return AccessPolicy(chosen, today=lambda: TODAY)


def unzip(archive: ZipDownload) -> zipfile.ZipFile:
    opened = zipfile.ZipFile(io.BytesIO(b"".join(archive)))
    assert opened.testzip() is None  # every entry's CRC holds
    return opened


def test_the_archive_holds_each_pdf_and_the_configured_einvoice() -> None:
    files = Files()
    docs = [
        invoice("RE-2"),
        invoice("RE-1"),
        CreditNote(
            id="c1",
            number="GS-1",
            customer_id="42",
            issued_on=date(2026, 3, 1),
            lines=[LineItem(title="Refund", quantity=1, unit_price=Money("10.00", "EUR"))],
        ),
    ]
    archive = zip_documents(
        ERIKA,
        docs,
        policy=policy(DownloadFormat.PDF, DownloadFormat.EN16931_CII),
        files=files,
        on=TODAY,
    )
    assert archive.headers["Content-Type"] == "application/zip"
    assert archive.headers["Content-Disposition"] == 'attachment; filename="documents.zip"'
    assert archive.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in archive.headers["Cache-Control"]
    assert "Content-Length" not in archive.headers
    opened = unzip(archive)
    assert opened.namelist() == [
        "RE-2.pdf",
        "RE-2-cii.xml",
        "RE-1.pdf",
        "RE-1-cii.xml",
        "GS-1.pdf",
        "GS-1-cii.xml",
    ]
    cii = opened.read("RE-1-cii.xml")
    assert (
        cii == render_download(files.einvoice(docs[1], ERIKA), DownloadFormat.EN16931_CII).content
    )
    assert read_einvoice(cii).einvoice.document.number == "RE-1"
    assert opened.read("RE-2.pdf").startswith(b"%PDF-1.7\nRE-2")
    for info in opened.infolist():
        assert info.date_time == (2026, 3, 1, 0, 0, 0)
        assert info.flag_bits & 0x08  # sizes after the data: written without seeking back


def test_einvoice_none_gives_pdfs_only_and_a_delivery_note_has_no_einvoice() -> None:
    note = DeliveryNote(id="d1", number="LS-1", customer_id="42", issued_on=date(2026, 3, 1))
    both = policy(DownloadFormat.PDF, DownloadFormat.XRECHNUNG_UBL)
    assert unzip(
        zip_documents(ERIKA, [invoice("RE-1"), note], policy=both, files=Files(), einvoice=None)
    ).namelist() == ["RE-1.pdf", "LS-1.pdf"]
    # The default is the settings' e-invoice format; an XRechnung without the buyer's
    # Leitweg-ID cannot be made, and the archive goes without it instead of breaking off.
    skipped: list[tuple[str, DownloadFormat, str]] = []
    archive = zip_documents(
        ERIKA,
        [invoice("RE-1"), note],
        policy=both,
        files=Files(),
        skipped=lambda doc, fmt, error: skipped.append((doc.number, fmt, str(error.field))),
    )
    assert archive.entries == (
        (invoice("RE-1"), DownloadFormat.PDF),
        (invoice("RE-1"), DownloadFormat.XRECHNUNG_UBL),
        (note, DownloadFormat.PDF),
    )
    assert unzip(archive).namelist() == ["RE-1.pdf", "LS-1.pdf"]
    assert skipped == [("RE-1", DownloadFormat.XRECHNUNG_UBL, "buyer_reference")]
    leitweg = Customer(
        id="42",
        number="K-42",
        name="Erika",
        address=HOME,
        email="erika@example.com",
        buyer_reference="04011000-12345-34",
    )
    archive = zip_documents(leitweg, [invoice("RE-1")], policy=both, files=Files())
    assert unzip(archive).namelist() == ["RE-1.pdf", "RE-1-xrechnung-ubl.xml"]


def _blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_facturx_pdf_stands_in_for_the_plain_pdf() -> None:
    class Printed(Files):
        def pdf(self, document: Document) -> bytes:
            return _blank_pdf()

    files = Printed()
    archive = zip_documents(
        ERIKA,
        [invoice("RE-1")],
        policy=policy(DownloadFormat.PDF, DownloadFormat.FACTURX_PDF),
        files=files,
    )
    opened = unzip(archive)
    assert opened.namelist() == ["RE-1.pdf"]
    assert read_einvoice(opened.read("RE-1.pdf")).einvoice.document.number == "RE-1"
    # A PDF that Factur-X cannot be made of (not a readable PDF): the plain one comes.
    fallback = zip_documents(
        ERIKA,
        [invoice("RE-1")],
        policy=policy(DownloadFormat.PDF, DownloadFormat.FACTURX_PDF),
        files=Files(),
    )
    assert unzip(fallback).read("RE-1.pdf").startswith(b"%PDF-1.7\nRE-1")


def test_files_are_fetched_while_the_archive_streams_in_bounded_pieces() -> None:
    files = Files()
    docs = [invoice(f"RE-{n}") for n in range(1, 6)]
    archive = zip_documents(ERIKA, docs, policy=policy(), files=files)
    assert files.asked == []  # nothing is made before the response starts
    pieces = iter(archive)
    first = next(pieces)
    assert files.asked == ["pdf:RE-1"]
    sizes = [len(first), *(len(p) for p in pieces)]
    assert files.asked == [f"pdf:RE-{n}" for n in range(1, 6)]
    assert max(sizes) <= 64 * 1024 + 1024  # one piece of compressed data and a header
    assert len(sizes) > 5 * 2  # each 150 KiB file came in several pieces


def test_each_iteration_writes_the_same_archive() -> None:
    class Fixed(Files):
        def pdf(self, document: Document) -> bytes:
            return b"%PDF-1.7\n" + document.number.encode() * 5000

    archive = zip_documents(
        ERIKA, [invoice("RE-1"), invoice("RE-2")], policy=policy(), files=Fixed()
    )
    assert b"".join(archive) == b"".join(archive)


def test_names_are_safe_and_unique() -> None:
    docs = [
        invoice("RE/1", "a"),
        invoice("re-1", "b"),
        invoice("RE-1", "c"),
        invoice("../../etc/passwd", "d"),
        invoice(".hidden", "e"),
        invoice("\u202eevil\u0000", "f"),
        invoice("C:\\Windows\\x", "g"),
        invoice("L" * 160, "h"),
        invoice("l" * 160, "i"),
    ]
    names = unzip(zip_documents(ERIKA, docs, policy=policy(), files=Files())).namelist()
    assert names == [
        "RE-1.pdf",
        "re-1 (2).pdf",
        "RE-1 (3).pdf",
        "etc-passwd.pdf",
        "hidden.pdf",
        "evil.pdf",
        "C-Windows-x.pdf",
        "L" * 100 + ".pdf",  # render_download keeps 100 characters of a number
        "l" * 100 + " (2).pdf",
    ]


@settings(max_examples=60)
@given(numbers=st.lists(st.text(min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=8))
def test_any_document_numbers_give_distinct_names_that_stay_in_the_folder(
    numbers: list[str],
) -> None:
    class Small(Files):
        def pdf(self, document: Document) -> bytes:
            return document.id.encode()

    docs = [invoice(number, f"id-{n}") for n, number in enumerate(numbers)]
    opened = unzip(zip_documents(ERIKA, docs, policy=policy(), files=Small()))
    names = opened.namelist()
    assert len(names) == len(docs)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert name.endswith(".pdf")
        assert len(name) <= 150
        assert not name.startswith((".", "-", " "))
        assert "/" not in name
        assert "\\" not in name
        assert "\x00" not in name
        assert all(ch.isprintable() for ch in name)
    assert [opened.read(n) for n in names] == [f"id-{n}".encode() for n in range(len(docs))]


def test_a_document_chosen_twice_comes_once() -> None:
    archive = zip_documents(
        ERIKA, [invoice("RE-1"), invoice("RE-1")], policy=policy(), files=Files()
    )
    assert unzip(archive).namelist() == ["RE-1.pdf"]


def test_refusals_come_before_a_byte_is_sent() -> None:
    files = Files()
    with pytest.raises(AccessDeniedError, match="'RE-9' is not one of customer '42'"):
        zip_documents(
            ERIKA, [invoice("RE-1"), invoice("RE-9", customer="43")], policy=policy(), files=files
        )
    closed = PortalSettings(
        document_actions=APPLICABLE_ACTIONS,
        download_formats=(DownloadFormat.PDF,),
        overrides={"42": CustomerAccess.disabled()},
    )
    with pytest.raises(AccessDeniedError, match="RE-1"):
        zip_documents(ERIKA, [invoice("RE-1")], policy=AccessPolicy(closed), files=files)
    assert files.asked == []
    with pytest.raises(ValidationError, match="at least one document"):
        zip_documents(ERIKA, [], policy=policy(), files=files)
    with pytest.raises(ValidationError, match="e-invoice DownloadFormat") as wrong:
        zip_documents(
            ERIKA, [invoice("RE-1")], policy=policy(), files=files, einvoice=DownloadFormat.PDF
        )
    assert wrong.value.field == "einvoice"
    with pytest.raises(ValidationError, match="only Documents"):
        zip_documents(ERIKA, ["RE-1"], policy=policy(), files=files)  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="must be a Customer"):
        zip_documents("42", [invoice("RE-1")], policy=policy(), files=files)  # type: ignore[arg-type]


def test_the_archives_file_name_is_made_safe_for_the_header() -> None:
    archive = zip_documents(
        ERIKA, [invoice("RE-1")], policy=policy(), files=Files(), filename='Belege "März".zip'
    )
    assert archive.headers["Content-Disposition"] == (
        "attachment; filename=\"Belege Marz.zip\"; filename*=UTF-8''Belege%20M%C3%A4rz.zip"
    )
