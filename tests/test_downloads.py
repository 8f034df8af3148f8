"""payportal.downloads: download and print links served as (status, headers, body)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import attrs
import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Address, Company, Customer, CustomerAccess, Money, PortalSettings
from payportal.documents import CreditNote, DeliveryNote, Document, Invoice, LineItem
from payportal.downloads import (  # the full path behind the fast one
    DocumentFiles,
    DownloadResponse,
    content_disposition,
    download_response,
    open_download,
    open_print,
    serve_download,
    serve_print,
)
from payportal.downloads._single import _ascii, _clean
from payportal.einvoice import Download, EInvoice, read_einvoice, render_download
from payportal.exceptions import (
    AccessDeniedError,
    BadSignatureError,
    ExpiredLinkError,
    RevokedLinkError,
    ValidationError,
)
from payportal.links import HmacKey, KeyRing, LinkClaims, LinkSigner, PortalUrls
from payportal.portal import APPLICABLE_ACTIONS, AccessPolicy, Action, DownloadFormat

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TODAY = NOW.date()
SELLER = Company(
    name="Muster Software GmbH",
    address=Address(street="Hauptstraße 1", postal_code="10115", city="Berlin", country="DE"),
    email="billing@muster-software.example",
    vat_id="DE136695976",
)
ERIKA = Customer(
    id="42",
    number="K-42",
    name="Erika Mustermann",
    address=Address(street="Marktplatz 5", postal_code="80331", city="München", country="DE"),
)
INVOICE = Invoice(
    id="i17",
    number="RE/2026/17",
    customer_id="42",
    issued_on=date(2026, 3, 1),
    lines=[LineItem(title="Work", quantity=1, unit_price=Money("100.00", "EUR"))],
)
CREDIT = CreditNote(id="c1", number="GS-Müller-1", customer_id="42", issued_on=date(2026, 3, 1))
NOTE = DeliveryNote(id="d1", number="LS-1", customer_id="42", issued_on=date(2026, 3, 1))
OTHERS = Invoice(id="i99", number="RE-99", customer_id="43", issued_on=date(2026, 3, 1))
MAX = Customer(id="43", number="K-43", name="Max")


def _blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()


class Files:
    """The app's side: the PDF it renders, and the EN 16931 data it knows."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pdf(self, document: Document) -> bytes:
        self.asked.append(f"pdf:{document.number}")
        return PDF

    def einvoice(self, document: Invoice | CreditNote, buyer: Customer) -> EInvoice:
        self.asked.append(f"einvoice:{document.number}")
        return EInvoice(document=document, seller=SELLER, buyer=buyer)


SIGNER = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), clock=lambda: NOW)
URLS = PortalUrls("https://billing.example.com", SIGNER, ttl=timedelta(minutes=15))
ALL_FORMATS = tuple(DownloadFormat)
CUSTOMERS = {"42": ERIKA, "43": MAX}
DOCUMENTS = {d.id: d for d in (INVOICE, CREDIT, NOTE, OTHERS)}


def policy(settings: PortalSettings | None = None) -> AccessPolicy:
    chosen = settings or PortalSettings(
        document_actions=APPLICABLE_ACTIONS, download_formats=ALL_FORMATS
    )
    return AccessPolicy(chosen, today=lambda: TODAY)


def serve(url: str, **kwargs: object) -> DownloadResponse:
    arguments: dict[str, object] = {
        "urls": URLS,
        "policy": policy(),
        "files": Files(),
        "customers": CUSTOMERS.get,
        "documents": DOCUMENTS.get,
        "now": NOW,
    }
    arguments.update(kwargs)
    return serve_download(url, **arguments)  # type: ignore[arg-type]


# --- Content-Disposition --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "inline", "expected"),
    [
        ("RE-2026-17.pdf", False, 'attachment; filename="RE-2026-17.pdf"'),
        ("RE-2026-17.pdf", True, 'inline; filename="RE-2026-17.pdf"'),
        (
            "GS-Müller-1.pdf",
            False,
            "attachment; filename=\"GS-Muller-1.pdf\"; filename*=UTF-8''GS-M%C3%BCller-1.pdf",
        ),
        (
            "€ rates.pdf",
            False,
            "attachment; filename=\"_ rates.pdf\"; filename*=UTF-8''%E2%82%AC%20rates.pdf",
        ),
        ("../../etc/passwd", False, 'attachment; filename="etc-passwd"'),
        ('a"b\\c.pdf', False, 'attachment; filename="ab-c.pdf"'),
        ("RE-1.pdf\r\nSet-Cookie: x=1", False, None),
        ("", False, 'attachment; filename="download"'),
        ("\u202egnp.exe", False, 'attachment; filename="gnp.exe"'),
    ],
)
def test_content_disposition_examples(filename: str, inline: bool, expected: str | None) -> None:
    value = content_disposition(filename, inline=inline)
    if expected is not None:
        assert value == expected
    assert "\r" not in value
    assert "\n" not in value


def test_content_disposition_refuses_what_is_not_a_string() -> None:
    with pytest.raises(ValidationError) as caught:
        content_disposition(b"RE-1.pdf")  # type: ignore[arg-type]
    assert caught.value.field == "filename"


_HEADER = re.compile(r"(attachment|inline); filename=\"([^\"]*)\"(?:; filename\*=UTF-8''(\S+))?")


@given(st.text(max_size=400), st.booleans())
def test_no_filename_header_carries_a_line_break_quote_or_path_separator(
    filename: str, inline: bool
) -> None:
    value = content_disposition(filename, inline=inline)
    assert value.isascii()
    assert value.isprintable()  # no CR, LF, NUL or other control character
    match = _HEADER.fullmatch(value)
    assert match is not None, value
    assert match[1] == ("inline" if inline else "attachment")
    fallback, encoded = match[2], match[3]
    assert fallback
    assert not fallback.startswith(".")
    assert not set(fallback) & set('/\\";')
    if encoded is not None:
        assert re.fullmatch(r"[A-Za-z0-9!#$&+\-.^_`|~%]+", encoded), encoded  # RFC 8187
        name = unquote(encoded, errors="strict")
        assert not set(name) & set('/\\"\r\n\x00')
        assert name.isprintable()
        assert not name.startswith(".")
        assert len(name) <= 150


@given(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,160}", fullmatch=True))
def test_the_fast_path_for_plain_names_agrees_with_the_full_cleaning(filename: str) -> None:
    value = content_disposition(filename)
    cleaned = _clean(filename).lstrip(".- ")
    if _ascii(cleaned) == cleaned:
        assert value == f'attachment; filename="{cleaned}"'
    if len(filename) <= 150 and not filename.endswith("."):
        assert value == f'attachment; filename="{filename}"'


@given(st.text(min_size=1, max_size=80))
def test_every_document_number_becomes_a_safe_header(number: str) -> None:
    try:
        document = attrs.evolve(INVOICE, number=number)
    except ValidationError:
        return  # numbers the model refuses never reach a download
    filename = render_download(document, DownloadFormat.PDF, pdf=PDF).filename
    value = content_disposition(filename)
    assert value.isascii()
    assert value.isprintable()
    assert value.count('"') == 2


# --- serving a download link ----------------------------------------------------------------


def test_a_pdf_link_is_served_as_an_attachment_with_safe_headers() -> None:
    response = serve(URLS.download_url(INVOICE))
    assert response.status == 200
    assert response.body == PDF
    assert dict(response.headers) == {
        "Content-Type": "application/pdf",
        "Content-Length": str(len(PDF)),
        "Content-Disposition": 'attachment; filename="RE-2026-17.pdf"',
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def test_a_non_ascii_number_is_sent_as_filename_star() -> None:
    response = serve(URLS.download_url(CREDIT))
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"GS-Muller-1.pdf\"; filename*=UTF-8''GS-M%C3%BCller-1.pdf"
    )


def test_an_einvoice_link_asks_the_app_for_the_einvoice_data() -> None:
    files = Files()
    response = serve(URLS.download_url(INVOICE, DownloadFormat.EN16931_CII), files=files)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert files.asked == ["einvoice:RE/2026/17"]
    assert read_einvoice(response.body).einvoice.document.number == "RE/2026/17"


def test_facturx_embeds_the_apps_pdf() -> None:
    files = Files()
    response = serve(URLS.download_url(INVOICE, DownloadFormat.FACTURX_PDF), files=files)
    assert response.status == 200
    assert sorted(files.asked) == ["einvoice:RE/2026/17", "pdf:RE/2026/17"]
    assert read_einvoice(response.body).einvoice.document.number == "RE/2026/17"


def test_a_file_that_cannot_be_made_is_409_not_a_crash() -> None:
    # XRechnung needs the buyer's Leitweg-ID, which Erika has not entered.
    response = serve(URLS.download_url(INVOICE, DownloadFormat.XRECHNUNG_UBL))
    assert response.status == 409
    assert isinstance(response.error, ValidationError)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_the_policy_still_decides() -> None:
    narrowed = policy().settings.with_override(
        ERIKA, CustomerAccess(download_formats={DownloadFormat.PDF})
    )
    response = serve(
        URLS.download_url(INVOICE, DownloadFormat.FACTURX_PDF), policy=policy(narrowed)
    )
    assert response.status == 403
    assert b"customer '42' may not download" in response.body
    assert isinstance(response.error, AccessDeniedError)
    read_only = policy().settings.with_override(ERIKA, CustomerAccess(actions={Action.VIEW}))
    assert serve(URLS.download_url(INVOICE), policy=policy(read_only)).status == 403


def test_expired_and_revoked_links_are_gone() -> None:
    url = URLS.download_url(INVOICE)
    later = serve(url, now=NOW + timedelta(minutes=15))
    assert later.status == 410
    assert isinstance(later.error, ExpiredLinkError)
    # The customer regenerated their links: the record's version revokes the old one even
    # though the signer was given no LinkVersions.
    regenerated = {"42": attrs.evolve(ERIKA, link_version=2)}
    revoked = serve(url, customers=regenerated.get)
    assert revoked.status == 410
    assert isinstance(revoked.error, RevokedLinkError)
    assert serve(url, customers={}.get).status == 410


def test_a_missing_document_or_another_customers_document_is_404() -> None:
    assert serve(URLS.download_url(INVOICE), documents={}.get).status == 404
    # The app's lookup returns another record under the id: never served.
    swapped = {"i17": attrs.evolve(OTHERS, id="i17")}
    assert serve(URLS.download_url(INVOICE), documents=swapped.get).status == 404


def test_links_of_other_kinds_never_download() -> None:
    for url in (
        URLS.document_url(INVOICE),
        URLS.payment_url(INVOICE),
        URLS.customer_url(ERIKA),
        URLS.print_url(INVOICE),
    ):
        token = url.rsplit("/", 1)[1]
        assert serve(url).status == 403
        assert serve(f"https://billing.example.com/portal/download/{token}").status == 403


@given(data=st.data(), format_=st.sampled_from(ALL_FORMATS))
def test_a_tampered_download_link_never_verifies(
    data: st.DataObject, format_: DownloadFormat
) -> None:
    url = URLS.download_url(INVOICE, format_)
    prefix, token = url.rsplit("/", 1)
    position = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[position]))
    tampered = token[:position] + replacement + token[position + 1 :]
    response = serve(f"{prefix}/{tampered}")
    assert response.status == 403
    assert response.body == b"This link is not valid."


# --- print links ----------------------------------------------------------------------------


def serve_printing(url: str, **kwargs: object) -> DownloadResponse:
    arguments: dict[str, object] = {
        "urls": URLS,
        "policy": policy(),
        "files": Files(),
        "customers": CUSTOMERS.get,
        "documents": DOCUMENTS.get,
        "now": NOW,
    }
    arguments.update(kwargs)
    return serve_print(url, **arguments)  # type: ignore[arg-type]


def test_a_print_link_shows_the_pdf_inline() -> None:
    response = serve_printing(URLS.print_url(NOTE))
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'inline; filename="LS-1.pdf"'


def test_print_needs_the_print_action_not_download() -> None:
    actions = {**APPLICABLE_ACTIONS, NOTE.type: frozenset({Action.VIEW, Action.DOWNLOAD})}
    no_print = policy(PortalSettings(document_actions=actions))
    response = serve_printing(URLS.print_url(NOTE), policy=no_print)
    assert response.status == 403
    assert b"does not allow to print delivery notes" in response.body
    assert serve(URLS.download_url(NOTE), policy=no_print).status == 200


def test_print_and_download_links_do_not_open_each_other() -> None:
    print_token = URLS.print_url(INVOICE).rsplit("/", 1)[1]
    download_token = URLS.download_url(INVOICE).rsplit("/", 1)[1]
    assert serve_printing(URLS.download_url(INVOICE)).status == 403
    assert serve_printing(download_token).status == 403
    assert serve(print_token).status == 403
    assert serve_printing(print_token).status == 200


# --- the parts, for apps with their own routing ---------------------------------------------


def test_open_download_checks_that_the_claims_fit_the_records() -> None:
    claims, format_ = URLS.resolve_download(URLS.download_url(INVOICE), now=NOW)
    with pytest.raises(AccessDeniedError, match="the link opens 'invoice:i17'"):
        open_download(
            claims, format_, customer=ERIKA, document=NOTE, policy=policy(), files=Files()
        )
    with pytest.raises(AccessDeniedError, match="customer '42'"):
        open_download(
            claims, format_, customer=MAX, document=INVOICE, policy=policy(), files=Files()
        )
    download = open_download(
        claims, format_, customer=ERIKA, document=INVOICE, policy=policy(), files=Files()
    )
    assert download == Download(PDF, "application/pdf", "RE-2026-17.pdf")


def test_a_link_narrowed_to_other_actions_does_not_download() -> None:
    claims = LinkClaims.for_document(
        INVOICE, issued_at=NOW, purpose="dl:pdf", actions={Action.VIEW}
    )
    with pytest.raises(AccessDeniedError, match="does not allow downloads"):
        open_download(
            claims,
            DownloadFormat.PDF,
            customer=ERIKA,
            document=INVOICE,
            policy=policy(),
            files=Files(),
        )
    with pytest.raises(AccessDeniedError, match="does not allow printing"):
        open_print(claims, customer=ERIKA, document=INVOICE, policy=policy(), files=Files())


def test_an_einvoice_of_another_document_is_refused() -> None:
    class WrongFiles(Files):
        def einvoice(self, document: Invoice | CreditNote, buyer: Customer) -> EInvoice:
            return EInvoice(document=attrs.evolve(INVOICE, id="i18"), seller=SELLER, buyer=buyer)

    claims, format_ = URLS.resolve_download(
        URLS.download_url(INVOICE, DownloadFormat.EN16931_CII), now=NOW
    )
    with pytest.raises(ValidationError) as caught:
        open_download(
            claims, format_, customer=ERIKA, document=INVOICE, policy=policy(), files=WrongFiles()
        )
    assert caught.value.field == "files.einvoice"


def test_download_response_refuses_what_is_not_a_download() -> None:
    with pytest.raises(ValidationError) as caught:
        download_response((PDF, "application/pdf", "x.pdf"))  # type: ignore[arg-type]
    assert caught.value.field == "download"


def test_the_files_double_satisfies_the_protocol() -> None:
    assert isinstance(Files(), DocumentFiles)
    assert not isinstance(object(), DocumentFiles)


def test_errors_never_echo_the_token() -> None:
    url = URLS.download_url(INVOICE)
    token = url.rsplit("/", 1)[1]
    for response in (
        serve(url[:-3] + "AAA"),
        serve(url, now=NOW + timedelta(days=1)),
        serve(url, documents={}.get),
    ):
        assert token.encode() not in response.body
        assert isinstance(response.error, BadSignatureError | ExpiredLinkError | AccessDeniedError)
