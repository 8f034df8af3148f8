"""The example portal's account statement and receipts (Flask test client): the period
chooser, running balance and ageing, CSV and PDF downloads, a receipt per payment, in the
customer's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pypdf
import pytest
from examples.portal.app import create_app
from examples.portal.store import PortalStore, demo_store
from portal_client import post, text
from test_portal_i18n import english_phrases, visible_text

from payportal import HmacKey, KeyRing, LinkSigner, Money, PortalUrls

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def world() -> Iterator[tuple[FlaskClient, str, str, PortalStore]]:
    """The client, Erika's portal path, John's portal path and the store."""
    store = demo_store(NOW)
    signer = LinkSigner(KeyRing([HmacKey("test", b"t" * 32)]), versions=store, clock=lambda: NOW)
    app = create_app(store, signer=signer, now=lambda: NOW)
    urls = PortalUrls("http://localhost", signer, ttl=timedelta(days=30))
    erika, john = (
        urls.customer_url(store.customers[c]).removeprefix("http://localhost")
        for c in ("c-42", "c-77")
    )
    with app.test_client() as client:
        client.get("/")
        yield client, erika, john, store


def seen(response: TestResponse) -> str:
    """The page's visible text, runs of spaces and line breaks as one space (no-break
    spaces kept: they are part of the amounts)."""
    return re.sub(r"[ \t\r\n]+", " ", visible_text(text(response)))


def pay(client: FlaskClient, url: str, amount: str) -> None:
    started = post(client, url, amount=amount, method="card")
    assert started.status_code == 303, text(started)
    checkout = started.headers["Location"]
    decision = post(client, checkout, decision="approve")
    assert decision.status_code == 303
    client.get(decision.headers["Location"], follow_redirects=True)


def test_the_overview_links_the_statement(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, _ = world
    page = text(client.get(erika))
    assert f'href="{erika}/statement"' in page


def test_the_statement_shows_running_balance_and_ageing_in_german(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, store = world
    shown = seen(client.get(f"{erika}/statement"))
    assert "Kontoauszug" in shown
    assert "Anfangssaldo 0,00\xa0€" in shown
    assert "Endsaldo 985,87\xa0€" in shown
    # Three documents, each with the balance after it, and the open items aged on today.
    assert "In Rechnung gestellt RE-2026-09 499,80\xa0€ 499,80\xa0€" in shown
    assert "In Rechnung gestellt RE-2026-17 481,07\xa0€ 985,87\xa0€" in shown
    assert "RE-2026-09 31 499,80\xa0€ 31–60 Tage" in shown
    assert "Summe 985,87\xa0€" in shown
    assert store.accounts["c-42"].balance == Money("985.87", "EUR")  # the closing balance


def test_the_period_chooser_narrows_the_bookings(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, _ = world
    shown = seen(client.get(f"{erika}/statement?start=2026-11-01&end=2026-11-15"))
    assert "Anfangssaldo 499,80\xa0€" in shown
    assert "MA-2026-3" in shown
    assert "RE-2026-17 481,07" not in shown
    assert "Endsaldo 504,80\xa0€" in shown


@pytest.mark.parametrize(
    "query", ["start=2026-13-01", "end=yesterday", "start=2026-11-20&end=2026-11-01"]
)
def test_a_period_that_is_not_one_is_refused(
    world: tuple[FlaskClient, str, str, PortalStore], query: str
) -> None:
    client, erika, _, _ = world
    for view in ("statement", "statement.csv", "statement.pdf"):
        assert client.get(f"{erika}/{view}?{query}").status_code == 400


def test_the_csv_download_is_the_statement_in_the_customers_language(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, _ = world
    response = client.get(f"{erika}/statement.csv?start=2026-10-01&end=2026-11-23")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        'filename="Kontoauszug c-42 2026-10-01_2026-11-23.csv"'
        in response.headers["Content-Disposition"]
    )
    body = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0] == ["Datum", "Buchung", "Referenz", "Betrag", "Saldo"]
    assert rows[2] == ["2026-10-09", "In Rechnung gestellt", "RE-2026-09", "499,80", "499,80"]
    assert ["2026-11-23", "Endsaldo", "", "", "985,87"] in rows


def test_the_pdf_download_lists_the_bookings_and_the_ageing(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, _ = world
    client.get(f"{erika}?lang=fr")
    response = client.get(f"{erika}/statement.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(response.data))
    content = " ".join(page.extract_text() for page in pdf.pages)
    assert "Relevé de compte" in content
    assert "RE-2026-17" in content
    assert "985,87 EUR" in content
    assert "31 à 60 jours" in content


def test_a_payment_gets_a_receipt_listed_beside_it_and_downloadable(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, john, _ = world
    pay(client, f"{erika}/documents/inv-17/pay", "481,07")
    page = text(client.get(f"{erika}/statement"))
    shown = seen(client.get(f"{erika}/statement"))
    assert "Zahlungseingang" in shown
    assert "Q-000001" in shown
    assert "Quittung herunterladen Q-000001" in shown
    assert f'href="{erika}/receipts/Q-000001.pdf"' in page
    response = client.get(f"{erika}/receipts/Q-000001.pdf")
    assert response.status_code == 200
    assert 'filename="Q-000001.pdf"' in response.headers["Content-Disposition"]
    content = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Quittung für Ihre Zahlung" in content
    assert "481,07 EUR" in content
    assert "Beglichen: RE-2026-17" in content
    # Another customer's link does not open Erika's receipt, nor does an unknown number.
    assert client.get(f"{john}/receipts/Q-000001.pdf").status_code == 404
    assert client.get(f"{erika}/receipts/Q-000009.pdf").status_code == 404


def test_the_receipt_is_announced_once_in_the_outbox(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, store = world
    pay(client, f"{erika}/documents/inv-17/pay", "100")
    with store.storage.transaction() as tx:
        issued = [m.payload["number"] for m in tx.outbox(limit=1000) if m.topic == "receipt.issued"]
    assert issued == ["Q-000001"]


def test_a_tampered_link_opens_no_statement(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, _, _ = world
    tampered = erika[:-3] + ("AAA" if not erika.endswith("AAA") else "BBB")
    for view in ("statement", "statement.csv", "statement.pdf", "receipts/Q-000001.pdf"):
        assert client.get(f"{tampered}/{view}").status_code == 403


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_statement_page_has_no_english_left(
    world: tuple[FlaskClient, str, str, PortalStore], language: str
) -> None:
    client, erika, _, _ = world
    pay(client, f"{erika}/documents/inv-17/pay", "100")
    client.get(f"{erika}?lang={language}")
    shown = seen(client.get(f"{erika}/statement"))
    leftovers = sorted(p for p in english_phrases(language) if p and p in shown)
    assert leftovers == []
    assert "Receipt for your payment" not in shown
    assert "Account statement" in seen(client.get(f"{erika}/statement?lang=en"))


def test_the_demo_mailer_sends_each_receipt_once_from_the_outbox(
    world: tuple[FlaskClient, str, str, PortalStore],
) -> None:
    client, erika, john, _ = world
    assert 'id="merchant-receipt-mails"' in text(client.get("/"))
    pay(client, f"{erika}/documents/inv-17/pay", "500")
    assert post(client, "/merchant/receipt-mails").status_code == 303
    assert post(client, "/merchant/receipt-mails").status_code == 303  # nothing new
    pay(client, f"{john}/documents/inv-21/pay", "10")
    post(client, "/merchant/receipt-mails")
    page = text(client.get("/merchant/receipt-mails"))
    assert page.count('class="mail receipt-mail"') == 2
    # Each in its customer's language: Erika's in German, John's in English.
    assert "Quittung Q-000001 von Druckerei Beispiel GmbH" in page
    assert "vielen Dank für Ihre Zahlung über 500,00\xa0€" in page
    assert "Ihr Guthaben beträgt jetzt 18,93\xa0€." in page
    assert "Receipt Q-000002 from Druckerei Beispiel GmbH" in page
