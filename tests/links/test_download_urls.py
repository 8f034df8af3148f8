"""Download links: one document, one format, signed for that format's purpose."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    Customer,
    InvalidLinkError,
    MalformedLinkError,
    ValidationError,
    WrongPurposeError,
)
from payportal.documents import CreditNote, DeliveryNote, Invoice
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.links._claims import DOWNLOAD_PURPOSES
from payportal.portal import DownloadFormat

NOW = datetime(2026, 1, 1, tzinfo=UTC)
INVOICE = Invoice(id="inv-17", number="RE-17", customer_id="42", issued_on=date(2026, 1, 1))
OTHER = Invoice(id="inv-18", number="RE-18", customer_id="42", issued_on=date(2026, 1, 1))
CREDIT = CreditNote(id="cn-1", number="GS-1", customer_id="42", issued_on=date(2026, 1, 1))
NOTE = DeliveryNote(id="dn-1", number="LS-1", customer_id="42", issued_on=date(2026, 1, 1))
SIGNER = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), clock=lambda: NOW)
URLS = PortalUrls("https://billing.example.com/", SIGNER, ttl=timedelta(days=30))


@pytest.mark.parametrize("format_", list(DownloadFormat))
def test_a_download_url_resolves_to_its_document_and_format(format_: DownloadFormat) -> None:
    url = URLS.download_url(INVOICE, format_)
    assert url.startswith("https://billing.example.com/portal/download/")
    claims, resolved = URLS.resolve_download(url)
    assert resolved is format_
    assert (claims.subject, claims.customer_id) == ("invoice:inv-17", "42")
    assert URLS.resolve(url).download_format is format_


def test_the_pdf_is_the_default_and_einvoice_url_uses_the_merchants_format() -> None:
    assert URLS.resolve_download(URLS.download_url(INVOICE))[1] is DownloadFormat.PDF
    assert URLS.resolve_download(URLS.einvoice_url(CREDIT))[1] is DownloadFormat.FACTURX_PDF
    ubl = PortalUrls(URLS.base_url, SIGNER, einvoice_format=DownloadFormat.XRECHNUNG_UBL)
    assert ubl.resolve_download(ubl.einvoice_url(INVOICE))[1] is DownloadFormat.XRECHNUNG_UBL


def test_download_tokens_stay_compact() -> None:
    document_token = URLS.document_url(INVOICE).rsplit("/", 1)[1]
    for format_ in DownloadFormat:
        token = URLS.download_url(INVOICE, format_).rsplit("/", 1)[1]
        # A purpose string of at most 6 bytes (plus its length byte) over a coded purpose:
        # at most 10 more base64 characters.
        assert len(token) <= len(document_token) + 10
    assert max(len(p.encode()) for p in DOWNLOAD_PURPOSES.values()) <= 6


def test_other_links_have_no_download_format() -> None:
    assert URLS.resolve(URLS.document_url(INVOICE)).download_format is None
    assert URLS.resolve(URLS.payment_url(INVOICE)).download_format is None


def test_a_download_token_cannot_open_the_document_or_the_portal() -> None:
    token = URLS.download_url(INVOICE).rsplit("/", 1)[1]
    with pytest.raises(WrongPurposeError):
        URLS.resolve(f"https://billing.example.com/portal/document/{token}")
    with pytest.raises(WrongPurposeError):
        URLS.resolve(f"https://billing.example.com/portal/{token}")
    with pytest.raises(WrongPurposeError):
        URLS.resolve(token)  # a bare token: the three classic purposes only


def test_resolve_download_refuses_other_links() -> None:
    with pytest.raises(MalformedLinkError, match="not a download link"):
        URLS.resolve_download(URLS.document_url(INVOICE))
    document_token = URLS.document_url(INVOICE).rsplit("/", 1)[1]
    with pytest.raises(WrongPurposeError):
        URLS.resolve_download(document_token)
    with pytest.raises(WrongPurposeError):
        URLS.resolve_download(f"https://billing.example.com/portal/download/{document_token}")


def test_a_pdf_token_cannot_fetch_another_format() -> None:
    pdf = URLS.resolve_download(URLS.download_url(INVOICE))[0]
    assert pdf.purpose == DOWNLOAD_PURPOSES[DownloadFormat.PDF]
    assert pdf.purpose not in {DOWNLOAD_PURPOSES[f] for f in DownloadFormat if f.is_einvoice}


def test_einvoice_formats_only_for_invoices_and_credit_notes() -> None:
    assert URLS.download_url(NOTE)  # the PDF of any document
    with pytest.raises(ValidationError, match="only invoices and credit notes") as caught:
        URLS.download_url(NOTE, DownloadFormat.XRECHNUNG_CII)
    assert caught.value.field == "document"
    with pytest.raises(ValidationError):
        URLS.einvoice_url(NOTE)


def test_download_url_refuses_what_is_not_a_format_or_document() -> None:
    with pytest.raises(ValidationError) as caught:
        URLS.download_url(INVOICE, "pdf")  # type: ignore[arg-type]
    assert caught.value.field == "format"
    with pytest.raises(ValidationError) as caught:
        URLS.download_url("inv-17")  # type: ignore[arg-type]
    assert caught.value.field == "document"


def test_the_default_einvoice_format_must_be_an_einvoice() -> None:
    with pytest.raises(ValidationError) as caught:
        PortalUrls(URLS.base_url, SIGNER, einvoice_format=DownloadFormat.PDF)
    assert caught.value.field == "einvoice_format"


def test_the_download_path_can_be_moved() -> None:
    urls = PortalUrls(URLS.base_url, SIGNER, paths={"download": "/files?t={token}"})
    url = urls.download_url(INVOICE, DownloadFormat.EN16931_CII)
    assert url.startswith("https://billing.example.com/files?t=")
    assert urls.resolve_download(url)[1] is DownloadFormat.EN16931_CII


@given(
    first=st.sampled_from(list(DownloadFormat)),
    document=st.sampled_from([INVOICE, OTHER]),
)
def test_a_download_link_opens_only_its_own_document_and_format(
    first: DownloadFormat, document: Invoice
) -> None:
    claims, format_ = URLS.resolve_download(URLS.download_url(document, first))
    assert format_ is first
    assert claims.subject == document.subject
    assert (claims.subject == INVOICE.subject) == (document is INVOICE)


@given(
    st.text(max_size=300)
    | st.builds(lambda t: f"https://billing.example.com/portal/download/{t}", st.text(max_size=120))
)
def test_resolve_download_refuses_junk_only_with_link_errors(junk: str) -> None:
    with pytest.raises(InvalidLinkError):
        URLS.resolve_download(junk)


# --- print links ----------------------------------------------------------------------------


def test_a_print_url_resolves_to_its_document() -> None:
    url = URLS.print_url(NOTE)
    assert url.startswith("https://billing.example.com/portal/print/")
    claims = URLS.resolve_print(url)
    assert (claims.subject, claims.purpose, claims.download_format) == (
        "delivery_note:dn-1",
        "print",
        None,
    )
    assert URLS.resolve(url) == claims


def test_print_and_download_tokens_open_only_their_own_kind() -> None:
    print_token = URLS.print_url(INVOICE).rsplit("/", 1)[1]
    download_token = URLS.download_url(INVOICE).rsplit("/", 1)[1]
    with pytest.raises(WrongPurposeError):
        URLS.resolve_print(download_token)
    with pytest.raises(WrongPurposeError):
        URLS.resolve_download(print_token)
    with pytest.raises(MalformedLinkError, match="not a print link"):
        URLS.resolve_print(URLS.download_url(INVOICE))
    with pytest.raises(WrongPurposeError):
        URLS.resolve(print_token)  # a bare token: the three classic purposes only


@given(st.sampled_from(["document", "payment", "customer", "download"]))
def test_no_other_kind_of_link_resolves_as_a_print_link(kind: str) -> None:
    url = {
        "document": URLS.document_url(INVOICE),
        "payment": URLS.payment_url(INVOICE),
        "customer": URLS.customer_url(Customer(id="42", number="K-42", name="Erika")),
        "download": URLS.download_url(INVOICE),
    }[kind]
    with pytest.raises(InvalidLinkError):
        URLS.resolve_print(url)
    with pytest.raises(InvalidLinkError):
        URLS.resolve_print(url.rsplit("/", 1)[1])
