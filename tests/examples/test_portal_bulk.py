"""The example portal's bulk actions and uploads (Flask test client): pay selected, pay all
overdue, download selected as ZIP, upload a proof of payment or a purchase order."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pypdf
import pytest
from examples.portal.app import create_app
from examples.portal.store import PortalStore, demo_store
from portal_client import post, text
from test_portal_i18n import english_phrases, visible_text

from payportal import HmacKey, KeyRing, LinkSigner, Money, Portal, PortalUrls
from payportal.booking import Purpose
from payportal.documents import PaymentState
from payportal.reconciliation import Direction, StatementEntry
from payportal.references import rf

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ERIKA, JOHN = "c-42", "c-77"


def _pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _pdf()


class World:
    """The app with the demo store, a test client in English, and Erika's portal URL."""

    def __init__(self, client: FlaskClient, store: PortalStore, portal: Portal, urls: PortalUrls):
        self.client = client
        self.store = store
        self.portal = portal
        self.urls = urls

    def base(self, customer_id: str = ERIKA) -> str:
        url = self.urls.customer_url(self.store.customers[customer_id])
        return url.removeprefix("http://localhost")

    def post(self, url: str, data: dict[str, object] | None = None, **form: object) -> TestResponse:
        return post(self.client, url, data, **form)

    def select(self, do: str, *ids: str, customer_id: str = ERIKA) -> TestResponse:
        return self.post(self.base(customer_id) + "/selection", {"documents": list(ids)}, do=do)

    def state(self, doc_id: str) -> tuple[PaymentState, Money]:
        document = self.store.documents[doc_id]
        return document.state, document.paid  # type: ignore[attr-defined]


@pytest.fixture
def world() -> Iterator[World]:
    store = demo_store(NOW)
    signer = LinkSigner(KeyRing([HmacKey("test", b"t" * 32)]), versions=store, clock=lambda: NOW)
    app = create_app(store, signer=signer, now=lambda: NOW)
    urls = PortalUrls("http://localhost", signer, ttl=timedelta(days=30))
    with app.test_client() as client:
        client.get("/?lang=en")
        yield World(client, store, app.extensions["payportal"]["portal"], urls)


def test_the_overview_offers_checkboxes_the_bulk_buttons_and_pay_all_overdue(
    world: World,
) -> None:
    page = text(world.client.get(world.base()))
    for doc_id in ("inv-17", "rem-3", "inv-9", "off-5", "dn-6"):
        assert f'name="documents" value="{doc_id}" form="bulk-form"' in page
    assert 'id="pay-selected-button"' in page
    assert 'id="zip-selected-button"' in page
    assert "Pay all overdue (1)" in page  # RE-2026-09, 31 days past due


def test_pay_selected_lists_the_documents_in_payment_order_and_starts_one_payment(
    world: World,
) -> None:
    page = world.select("pay", "inv-17", "inv-9", "dn-6")
    assert page.status_code == 200
    shown = text(page)
    # Only what asks for money, the earliest due first; one total.
    assert shown.index("RE-2026-09") < shown.index("RE-2026-17")
    assert "LS-2026-6" not in shown
    due = world.store.documents["inv-9"].amount_due + world.store.documents["inv-17"].amount_due  # type: ignore[attr-defined]
    total = f"€{due.amount:,}"
    assert f'id="bulk-total">{total}<' in shown
    started = world.post(
        world.base() + "/pay-selected",
        {"documents": ["inv-9", "inv-17"]},
        method="bank_transfer",
    )
    assert started.status_code == 303
    intent_id = started.headers["Location"].rsplit("/", 1)[-1]
    intent = world.portal.intent(intent_id)
    assert intent.purpose is Purpose.DOCUMENTS
    assert intent.item_keys == ("RE-2026-09", "RE-2026-17")
    assert intent.amount == due
    assert rf.is_valid(intent.reference)
    transfer = text(world.client.get(started.headers["Location"]))
    assert rf.format(intent.reference) in transfer or intent.reference in transfer
    # The bank statement carries the reference: both invoices are paid, once.
    entry = StatementEntry(
        "E-1", NOW.date(), due, Direction.CREDIT, remittance_text=f"{intent.reference} Erika"
    )
    world.portal.receive(entry)
    world.portal.receive(entry)
    assert world.state("inv-9") == (PaymentState.PAID, world.store.documents["inv-9"].total)  # type: ignore[attr-defined]
    assert world.state("inv-17")[0] is PaymentState.PAID


def test_pay_selected_by_card_comes_back_to_the_overview_paid(world: World) -> None:
    started = world.post(
        world.base() + "/pay-selected", {"documents": ["inv-17", "inv-9"]}, method="card"
    )
    checkout = started.headers["Location"]
    approved = world.post(checkout, decision="approve")
    back = world.client.get(approved.headers["Location"])
    assert back.status_code == 303
    assert back.headers["Location"].endswith(world.base())
    assert "Thank you! We received" in text(world.client.get(back.headers["Location"]))
    assert world.state("inv-9")[0] is PaymentState.PAID
    assert world.state("inv-17")[0] is PaymentState.PAID


def test_pay_all_overdue_pays_what_is_past_due(world: World) -> None:
    page = text(world.client.get(world.base() + "/pay-overdue"))
    assert "RE-2026-09" in page
    assert "RE-2026-17" not in page
    started = world.post(world.base() + "/pay-overdue", method="card")
    intent = world.portal.intent(started.headers["Location"].rsplit("/", 1)[-1])
    assert intent.item_keys == ("RE-2026-09",)
    assert intent.amount == world.store.documents["inv-9"].amount_due  # type: ignore[attr-defined]


def test_bulk_requests_that_cannot_be_served_are_refused(world: World) -> None:
    nothing = world.select("pay")
    assert nothing.status_code == 303
    assert "Please tick at least one document" in text(
        world.client.get(nothing.headers["Location"])
    )
    unpaid = world.select("pay", "dn-6", "off-5")
    assert "has anything to pay" in text(world.client.get(unpaid.headers["Location"]))
    assert world.select("zip", "inv-21").status_code == 404  # John's invoice
    assert world.select("pay", "nope").status_code == 404
    refused = world.post(world.base() + "/pay-selected", {"documents": ["inv-17"]}, method="x")
    assert refused.status_code == 400
    assert "Please check your entry" in text(refused)
    # John's portal offers no overdue payment: nothing of his is overdue.
    assert world.client.get(world.base(JOHN) + "/pay-overdue").status_code == 303


def test_download_selected_streams_a_zip_of_the_documents(world: World) -> None:
    response = world.select("zip", "inv-17", "dn-6", "off-5")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="K-1042-documents.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    # The demo offers PDF and Factur-X: invoices come as Factur-X PDFs.
    assert names == ["RE-2026-17.pdf", "LS-2026-6.pdf", "AN-2026-5.pdf"]
    for name in names:
        assert archive.read(name).startswith(b"%PDF-")
    assert len(pypdf.PdfReader(io.BytesIO(archive.read("RE-2026-17.pdf"))).attachments) == 1


def test_a_proof_of_payment_is_uploaded_listed_and_sent_back_as_an_attachment(
    world: World,
) -> None:
    document_page = world.base() + "/documents/inv-17"
    assert 'id="upload-file"' in text(world.client.get(document_page))
    sent = world.post(document_page + "/uploads", file=(io.BytesIO(PDF), "Überweisung 17.PDF"))
    assert sent.status_code == 303
    page = text(world.client.get(document_page))
    assert "Thank you, we received Überweisung 17.pdf." in page
    link = page.split('<ul id="uploaded-files">', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    served = world.client.get(link)
    assert served.status_code == 200
    assert served.get_data() == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # Not from another customer's portal.
    upload_id = link.rsplit("/", 1)[-1]
    assert world.client.get(world.base(JOHN) + f"/uploads/{upload_id}").status_code == 404


def test_an_offer_takes_a_purchase_order_and_html_is_refused(world: World) -> None:
    offer_page = world.base() + "/documents/off-5"
    assert "Your purchase order" in text(world.client.get(offer_page))
    refused = world.post(
        offer_page + "/uploads",
        file=(io.BytesIO(b"<html><script>alert(1)</script></html>"), "order.pdf"),
    )
    assert refused.status_code == 400
    assert "Please upload a PDF, PNG or JPEG file" in text(refused)
    empty = world.post(offer_page + "/uploads")
    assert empty.status_code == 400
    assert "Please choose a file" in text(empty)
    assert (
        world.post(offer_page + "/uploads", file=(io.BytesIO(PDF), "Bestellung.pdf")).status_code
        == 303
    )
    # A delivery note takes no uploads.
    assert 'id="upload-file"' not in text(world.client.get(world.base() + "/documents/dn-6"))
    refused_kind = world.post(
        world.base() + "/documents/dn-6/uploads", file=(io.BytesIO(PDF), "x.pdf")
    )
    assert refused_kind.status_code == 404


def test_an_upload_over_the_limit_is_refused(world: World) -> None:
    big = PDF.replace(b"%%EOF", b" " * (10 * 1024 * 1024) + b"%%EOF")
    refused = world.post(
        world.base() + "/documents/inv-17/uploads", file=(io.BytesIO(big), "big.pdf")
    )
    # Werkzeug's test client sends a large body from a temporary file it leaves open.
    refused.request.environ["wsgi.input"].close()
    assert refused.status_code == 400
    assert "too large: at most 10 MiB" in text(refused)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_bulk_pages_are_in_the_chosen_language(world: World, language: str) -> None:
    world.client.get(world.base() + f"?lang={language}")
    leftovers = english_phrases(language)
    pages = [
        world.client.get(world.base()),
        world.select("pay", "inv-17", "inv-9"),
        world.client.get(world.base() + "/pay-overdue"),
        world.client.get(world.base() + "/documents/off-5"),
        world.post(
            world.base() + "/documents/inv-17/uploads",
            file=(io.BytesIO(b"GIF89a"), "x.gif"),
        ),
    ]
    for page in pages:
        seen = visible_text(page.get_data(as_text=True))
        found = sorted(p for p in leftovers if p and p in seen)
        assert found == [], found
