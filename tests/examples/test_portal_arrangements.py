"""The example portal's instalment plans, disputes, paid claims and extensions (Flask test
client): the customer asks, the page and the pay form follow the plan, the merchant answers,
and the customer sees every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from examples.portal.app import create_app
from examples.portal.store import PortalStore, demo_store
from portal_client import post, text
from test_portal_i18n import english_phrases, visible_text

from payportal import HmacKey, KeyRing, LinkSigner, PortalUrls

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world() -> Iterator[tuple[FlaskClient, str, PortalStore, Clock]]:
    store = demo_store(NOW)
    clock = Clock()
    signer = LinkSigner(KeyRing([HmacKey("test", b"t" * 32)]), versions=store, clock=clock)
    app = create_app(store, signer=signer, now=clock)
    url = PortalUrls("http://localhost", signer, ttl=timedelta(days=30)).customer_url(
        store.customers["c-42"]
    )
    with app.test_client() as client:
        client.get("/?lang=en")
        yield client, url.removeprefix("http://localhost"), store, clock


def topics(store: PortalStore) -> list[str]:
    with store.storage.transaction(read_only=True) as tx:
        return [m.topic for m in tx.outbox(limit=1000)]


def test_a_requested_plan_is_shown_and_the_pay_form_asks_for_the_instalment(
    world: tuple[FlaskClient, str, PortalStore, Clock],
) -> None:
    client, base, store, clock = world
    page = f"{base}/documents/inv-17/arrangements"
    document = client.get(f"{base}/documents/inv-17")
    assert 'id="arrangements-link"' in text(document)
    assert 'value="481.07"' in text(document)
    shown = client.get(page)
    assert shown.status_code == 200
    assert "Pay in instalments" in text(shown)
    first = (NOW + timedelta(days=14)).date().isoformat()
    asked = post(client, page, kind="instalments", count="3", first_due_on=first)
    assert asked.status_code == 303, text(asked)
    after = text(client.get(page))
    assert "Your instalment plan is agreed: 3 instalments." in after
    assert after.count("€160.36") >= 2
    assert "€160.35" in after
    assert 'id="instalment-due"' in after
    assert "Pay in instalments" not in after.split("</table>")[1]  # no second plan
    # The document page and its pay form ask for the due instalment, not the whole invoice.
    document = text(client.get(f"{base}/documents/inv-17"))
    assert "Pay €160.36" in document
    assert 'value="160.36"' in document
    assert topics(store)[-1] == "instalments.granted"
    # Once the first instalment is missed (3 grace days), the page says so.
    clock.now = NOW + timedelta(days=18)
    assert "overdue" in text(client.get(page))


def test_a_request_outside_the_terms_is_refused_with_the_reason(
    world: tuple[FlaskClient, str, PortalStore, Clock],
) -> None:
    client, base, store, _ = world
    page = f"{base}/documents/inv-17/arrangements"
    first = (NOW + timedelta(days=14)).date().isoformat()
    refused = post(client, page, kind="instalments", count="40", first_due_on=first)
    assert refused.status_code == 400
    assert 'role="alert"' in text(refused)
    bad_day = post(client, page, kind="instalments", count="2", first_due_on="tomorrow")
    assert bad_day.status_code == 400
    assert topics(store) == []


def test_a_dispute_is_answered_by_the_merchant_and_the_customer_sees_each_step(
    world: tuple[FlaskClient, str, PortalStore, Clock],
) -> None:
    client, base, store, clock = world
    page = f"{base}/documents/inv-9/arrangements"
    sent = post(client, page, kind="dispute", reason="The flyers were misprinted.")
    assert sent.status_code == 303
    shown = text(client.get(page))
    assert "Objection: Waiting for an answer" in shown
    assert "“The flyers were misprinted.”" in shown
    assert 'id="ask-paid"' not in shown  # one open request per invoice
    merchant = text(client.get("/merchant/arrangements"))
    assert "The flyers were misprinted." in merchant
    clock.now = NOW + timedelta(days=1)
    answered = post(
        client, "/merchant/arrangements/c-42/H-1/reject", message="A credit note covered it."
    )
    assert answered.status_code == 303
    shown = text(client.get(page))
    assert "Objection: Rejected" in shown
    assert "We: Rejected · “A credit note covered it.”" in shown
    assert topics(store) == ["dispute.opened", "dispute.rejected"]
    merchant = text(client.get("/merchant/arrangements"))  # both sides see every step
    assert "Waiting for an answer · “The flyers were misprinted.”" in merchant
    assert "Rejected · “A credit note covered it.”" in merchant
    again = post(client, "/merchant/arrangements/c-42/H-1/accept")
    assert again.status_code == 303  # refused with a message, nothing written
    assert topics(store) == ["dispute.opened", "dispute.rejected"]


def test_a_paid_claim_with_proof_is_matched_and_an_extension_is_granted(
    world: tuple[FlaskClient, str, PortalStore, Clock],
) -> None:
    client, base, store, _ = world
    paid = post(
        client,
        f"{base}/documents/inv-9/arrangements",
        kind="paid",
        note="Transferred on 1 November",
        attachment="upload:receipt-1",
    )
    assert paid.status_code == 303
    later = (NOW + timedelta(days=40)).date().isoformat()
    extension = post(
        client, f"{base}/documents/inv-17/arrangements", kind="extension", due_on=later
    )
    assert extension.status_code == 303
    post(client, "/merchant/arrangements/c-42/H-1/match", bank_entry="E-1101-4")
    post(client, "/merchant/arrangements/c-42/H-2/accept", message="Fine.")
    claim = text(client.get(f"{base}/documents/inv-9/arrangements"))
    assert "Already paid: Payment found" in claim
    assert "Proof: upload:receipt-1" in claim
    granted = text(client.get(f"{base}/documents/inv-17/arrangements"))
    assert "More time to pay: Accepted" in granted
    assert topics(store) == [
        "paid_claim.opened",
        "extension.opened",
        "paid_claim.matched",
        "extension.accepted",
    ]


def test_only_the_customers_own_invoices_through_a_valid_link_have_the_page(
    world: tuple[FlaskClient, str, PortalStore, Clock],
) -> None:
    client, base, store, _ = world
    assert client.get(f"{base}/documents/inv-21/arrangements").status_code == 404
    assert client.get(f"{base}/documents/off-5/arrangements").status_code == 404
    assert post(client, f"{base}/documents/inv-21/arrangements", kind="dispute").status_code == 404
    tampered = f"{base}/documents/inv-17/arrangements".replace("/portal/", "/portal/x")
    assert client.get(tampered).status_code == 403  # not a link we issued
    assert topics(store) == []


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_arrangement_pages_are_in_the_chosen_language(
    world: tuple[FlaskClient, str, PortalStore, Clock], language: str
) -> None:
    client, base, _, _ = world
    page = f"{base}/documents/inv-17/arrangements"
    first = (NOW + timedelta(days=14)).date().isoformat()
    post(client, page, kind="instalments", count="2", first_due_on=first)
    post(client, f"{base}/documents/inv-9/arrangements", kind="dispute", reason="Falsch")
    client.get(f"{base}?lang={language}")
    leftovers = english_phrases(language)
    for url in (page, f"{base}/documents/inv-9/arrangements", "/merchant/arrangements"):
        html = client.get(url).get_data(as_text=True)
        assert f'<html lang="{language}-' in html, url
        seen = visible_text(html)
        assert sorted(p for p in leftovers if p and p in seen) == [], url
    assert {"de": "Ihre Ratenzahlung", "fr": "Votre échéancier"}[language] in visible_text(
        client.get(page).get_data(as_text=True)
    )
