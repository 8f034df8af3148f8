"""The example portal app (examples/portal), through Flask's test client."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import TYPE_CHECKING

import pypdf
import pytest
from examples.portal.app import create_app
from examples.portal.store import PortalStore, demo_store
from portal_client import post, text

from payportal import (
    Action,
    Customer,
    CustomerAccess,
    HmacKey,
    KeyRing,
    LinkClaims,
    LinkSigner,
    Money,
    PortalUrls,
)
from payportal.accounts import TopUpMethod
from payportal.documents import Invoice, Offer, OfferStatus, PaymentState, Reminder
from payportal.reconciliation import Direction, StatementEntry
from payportal.references import rf

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask
    from flask.testing import FlaskClient

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ERIKA, JOHN, MAX = "c-42", "c-77", "c-90"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> PortalStore:
    return demo_store(NOW)


@pytest.fixture
def signer(store: PortalStore, clock: Clock) -> LinkSigner:
    return LinkSigner(
        KeyRing([HmacKey("test", b"t" * 32)]),
        default_ttl=timedelta(days=30),
        versions=store,
        clock=clock,
    )


@pytest.fixture
def app(store: PortalStore, signer: LinkSigner, clock: Clock) -> Flask:
    return create_app(store, signer=signer, now=clock)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        client.get("/")  # starts the session and its CSRF token
        yield client


@pytest.fixture
def urls(signer: LinkSigner) -> PortalUrls:
    return PortalUrls("http://localhost", signer, ttl=timedelta(days=30))


def path(url: str) -> str:
    return url.removeprefix("http://localhost")


def portal(urls: PortalUrls, store: PortalStore, customer_id: str = ERIKA) -> str:
    return path(urls.customer_url(store.customers[customer_id]))


def invoice(store: PortalStore, doc_id: str) -> Invoice | Reminder:
    document = store.documents[doc_id]
    assert isinstance(document, Invoice | Reminder)
    return document


def started(client: FlaskClient) -> list[str]:
    """The payment intents this browser started (the app keeps them in its session)."""
    with client.session_transaction() as session:
        return list(session.get("intents", {}))


def pay(client: FlaskClient, url: str, *, amount: str, method: str, approve: bool = True):  # type: ignore[no-untyped-def]
    started = post(client, url, amount=amount, method=method)
    assert started.status_code == 303, text(started)
    checkout = started.headers["Location"]
    assert client.get(checkout).status_code == 200
    decision = post(client, checkout, decision="approve" if approve else "cancel")
    assert decision.status_code == 303
    return client.get(decision.headers["Location"], follow_redirects=True)


# -- the merchant's demo outbox ------------------------------------------------------------


def test_outbox_renders_the_notification_email_with_working_signed_links(
    client: FlaskClient,
) -> None:
    page = text(client.get("/"))
    # payportal's default invoice e-mail, each in the customer's language and formatting
    assert "Guten Tag Erika Mustermann," in page
    assert "Bitte begleichen Sie den offenen Betrag von 481,07\xa0€" in page  # de_DE
    assert "Dear John Murphy," in page
    assert "€109.47" in page  # en_IE
    links = re.findall(r'href="(http://localhost/portal/[^"]+)"', page)
    assert len(links) == 7  # portal links for three customers, document and payment for two
    assert {client.get(path(link)).status_code for link in links} == {200, 403}  # Max: off


def test_the_default_app_runs_with_demo_data_and_its_own_key() -> None:
    with create_app().test_client() as client:
        page = text(client.get("/"))
        link = re.search(r'href="http://localhost(/portal/[^"]+)"', page)
        assert link is not None
        assert "Erika Mustermann" in text(client.get(link.group(1)))


# -- opening links --------------------------------------------------------------------------


def test_portal_overview_lists_only_the_customers_own_documents(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    response = client.get(portal(urls, store))
    page = text(response)
    assert response.status_code == 200
    for number in ("RE-2026-17", "MA-2026-3", "GS-2026-2", "AN-2026-5", "LS-2026-6", "AB-2026-8"):
        assert number in page
    assert "RE-2026-21" not in page  # John's
    assert "Abgelaufen" in page  # the old offer, by the date, in Erika's German
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "doc_id", ["inv-17", "rem-3", "inv-9", "cn-2", "off-5", "off-4", "oc-8", "dn-6"]
)
def test_every_document_page_renders(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, doc_id: str
) -> None:
    response = client.get(f"{portal(urls, store)}/documents/{doc_id}")
    assert response.status_code == 200
    assert store.documents[doc_id].number in text(response)


def test_document_pages_offer_only_the_actions_the_policy_allows(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    base = portal(urls, store)
    assert 'id="pay-button"' in text(client.get(f"{base}/documents/inv-17"))
    assert 'id="accept-button"' in text(client.get(f"{base}/documents/off-5"))
    expired = text(client.get(f"{base}/documents/off-4"))
    assert 'id="accept-button"' not in expired
    assert 'id="pay-button"' not in expired
    assert 'id="pay-button"' not in text(client.get(f"{base}/documents/cn-2"))


def test_a_tampered_link_gets_a_friendly_403(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = portal(urls, store)
    middle = len(url) - 30
    tampered = url[:middle] + ("A" if url[middle] != "A" else "B") + url[middle + 1 :]
    response = client.get(tampered)
    assert response.status_code == 403
    assert "This link is not valid" in text(response)  # a stranger: English
    assert "Erika" not in text(response)


def test_a_link_signed_with_another_key_is_refused(
    client: FlaskClient, store: PortalStore, clock: Clock
) -> None:
    forged = LinkSigner(KeyRing([HmacKey("test", b"f" * 32)]), clock=clock)
    url = PortalUrls("http://localhost", forged).customer_url(store.customers[ERIKA])
    assert client.get(path(url)).status_code == 403


def test_a_document_link_does_not_open_the_whole_portal(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    token = urls.document_url(store.documents["inv-17"]).rsplit("/", 1)[1]
    assert client.get(f"/portal/{token}").status_code == 403
    assert client.get(f"/portal/pay/{token}").status_code == 403


def test_an_expired_link_gets_410(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, clock: Clock
) -> None:
    url = portal(urls, store)
    clock.now = NOW + timedelta(days=30)
    response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in text(response)  # whose it was is not trusted


def test_a_revoked_link_gets_410_and_the_new_one_works(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    old = portal(urls, store)
    document = path(urls.document_url(store.documents["inv-17"]))
    assert post(client, f"/merchant/{ERIKA}/revoke").status_code == 303
    for url in (old, document):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link was replaced" in text(response)
    assert client.get(portal(urls, store)).status_code == 200


def test_a_link_of_a_customer_with_the_portal_switched_off_gets_403(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    response = client.get(portal(urls, store, MAX))
    assert response.status_code == 403
    assert "Diese Funktion steht Ihnen nicht zur Verfügung" in text(response)


def test_a_link_of_a_deleted_customer_gets_410(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    gone = Customer(id="c-gone", number="K-0", name="Former Customer")
    assert "c-gone" not in store.customers
    assert client.get(path(urls.customer_url(gone))).status_code == 410


def test_another_customers_document_is_not_found(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    base = portal(urls, store)
    assert client.get(f"{base}/documents/inv-21").status_code == 404
    assert client.get(f"{base}/documents/nope").status_code == 404


def test_paying_another_customers_invoice_is_refused_and_changes_nothing(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    before = store.documents["inv-21"]
    response = post(
        client, f"{portal(urls, store)}/documents/inv-21/pay", amount="10,00", method="card"
    )
    assert response.status_code == 404
    assert store.documents["inv-21"] == before
    assert started(client) == []


def test_a_link_limited_to_viewing_cannot_pay(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = path(urls.customer_url(store.customers[ERIKA], actions=[Action.VIEW]))
    page = text(client.get(f"{url}/documents/inv-17"))
    assert 'id="pay-button"' not in page
    response = post(client, f"{url}/documents/inv-17/pay", amount="10,00", method="card")
    assert response.status_code == 403
    assert "Diese Funktion steht Ihnen nicht zur Verfügung" in text(response)


def test_the_merchant_changing_settings_takes_effect_on_the_next_request(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/documents/inv-17"
    assert 'id="pay-button"' in text(client.get(url))
    store.settings = store.settings.with_override(ERIKA, CustomerAccess.read_only())
    assert 'id="pay-button"' not in text(client.get(url))
    assert post(client, f"{url}/pay", amount="10,00", method="card").status_code == 403


# -- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong"])
def test_posts_without_the_sessions_csrf_token_are_refused(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, token: str | None
) -> None:
    form = {"text": "Hello"} | ({} if token is None else {"csrf_token": token})
    response = client.post(f"{portal(urls, store)}/documents/inv-17/comment", data=form)
    assert response.status_code == 400
    assert store.documents["inv-17"].comments == ()


# -- comments and offers --------------------------------------------------------------------


def test_commenting_adds_the_customers_comment(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/documents/inv-17"
    response = post(client, f"{url}/comment", text="Bitte <b>Lieferadresse</b> prüfen")
    assert response.status_code == 303
    (comment,) = store.documents["inv-17"].comments
    assert (comment.text, comment.author_name, comment.at) == (
        "Bitte <b>Lieferadresse</b> prüfen",
        "Mustermann Verlag",
        NOW,
    )
    page = client.get(url).get_data(as_text=True)
    assert "Bitte &lt;b&gt;Lieferadresse&lt;/b&gt; prüfen" in page  # autoescaped


def test_an_empty_comment_is_refused_with_the_form(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    response = post(client, f"{portal(urls, store)}/documents/inv-17/comment", text="   ")
    assert response.status_code == 400
    assert "text" in text(response)
    assert store.documents["inv-17"].comments == ()


def test_accepting_an_open_offer(client: FlaskClient, urls: PortalUrls, store: PortalStore) -> None:
    url = f"{portal(urls, store)}/documents/off-5"
    response = post(client, f"{url}/accept")
    assert response.status_code == 303
    offer = store.documents["off-5"]
    assert isinstance(offer, Offer)
    assert (offer.status, offer.decided_at) == (OfferStatus.ACCEPTED, NOW)
    assert "Sie haben das Angebot AN-2026-5 angenommen" in text(client.get(url))
    assert post(client, f"{url}/accept").status_code == 403  # already decided


def test_rejecting_an_open_offer_keeps_the_reason(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    response = post(client, f"{portal(urls, store)}/documents/off-5/reject", reason="Zu teuer")
    assert response.status_code == 303
    offer = store.documents["off-5"]
    assert isinstance(offer, Offer)
    assert (offer.status, offer.rejection_reason) == (OfferStatus.REJECTED, "Zu teuer")


def test_accepting_an_expired_offer_is_refused(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    before = store.documents["off-4"]
    response = post(client, f"{portal(urls, store)}/documents/off-4/accept")
    assert response.status_code == 403
    assert "Diese Funktion steht Ihnen nicht zur Verfügung" in text(response)
    assert store.documents["off-4"] == before


def test_an_offer_expires_while_the_link_still_works(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, clock: Clock
) -> None:
    url = portal(urls, store)
    clock.now = NOW + timedelta(days=29)
    assert post(client, f"{url}/documents/off-5/accept").status_code == 403


@pytest.mark.parametrize(("doc_id", "action"), [("inv-17", "accept"), ("dn-6", "pay")])
def test_actions_that_do_not_apply_to_the_document_are_refused(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, doc_id: str, action: str
) -> None:
    response = post(client, f"{portal(urls, store)}/documents/{doc_id}/{action}", method="card")
    assert response.status_code == 403


def test_unknown_actions_are_not_found(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    assert post(client, f"{portal(urls, store)}/documents/inv-17/delete").status_code == 404


# -- payments -------------------------------------------------------------------------------


REDIRECT_METHODS = [
    "card",
    "paypal",
    "paypal_nvp",
    "payengine",
    "paydirekt",
    "sofort",
    "billpay",
    "billwerk",
]


def test_every_provider_payportal_ships_is_offered_with_bank_transfer(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    page = text(client.get(f"{portal(urls, store)}/documents/inv-17"))
    offered = re.findall(r'name="method" value="(\w+)"', page)
    assert offered == [*REDIRECT_METHODS, "bank_transfer"]
    assert 'value="481,07"' in page  # the amount as a German customer types it
    assert '<html lang="de-DE">' in page


@pytest.mark.parametrize("method", REDIRECT_METHODS)
def test_paying_an_invoice_in_full(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, method: str
) -> None:
    url = f"{portal(urls, store)}/documents/inv-17"
    page = pay(client, f"{url}/pay", amount="481,07", method=method)
    assert "Vielen Dank! Wir haben 481,07\xa0€ erhalten." in text(page)
    paid = invoice(store, "inv-17")
    assert (paid.state, paid.paid) == (PaymentState.PAID, Money("481.07", "EUR"))
    account = store.accounts[ERIKA]
    assert account.items["RE-2026-17"].amount_open == Money("0.00", "EUR")
    assert 'id="pay-button"' not in text(client.get(url))


def test_paying_more_than_due_keeps_the_rest_as_credit(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    page = pay(client, f"{portal(urls, store)}/documents/inv-17/pay", amount="500", method="card")
    assert "Vielen Dank! Wir haben 500,00\xa0€ erhalten." in text(page)
    assert "18,93\xa0€ mehr als fällig schreiben wir Ihrem Konto gut." in text(page)
    assert invoice(store, "inv-17").state is PaymentState.PAID
    assert store.accounts[ERIKA].credit_balance == Money("18.93", "EUR")


def test_paying_an_invoice_by_bank_transfer_books_it_when_the_statement_shows_it(
    app: Flask, client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/documents/inv-17"
    response = post(client, f"{url}/pay", amount="481,07", method="bank_transfer")
    page = text(client.get(response.headers["Location"]))
    assert "Bitte überweisen Sie 481,07\xa0€" in page
    portal_ = app.extensions["payportal"]["portal"]
    (intent_id,) = started(client)
    payment_id = portal_.intent(intent_id).payment_id
    reference = portal_.provider("bank_transfer").get_payment(payment_id).instructions["reference"]
    assert rf.format(reference) in page
    assert invoice(store, "inv-17").paid == Money("0.00", "EUR")
    entry = StatementEntry(
        entry_id="stmt-9",
        booking_date=NOW.date(),
        amount=Money("481.07", "EUR"),
        direction=Direction.CREDIT,
        remittance_text=f"RE-2026-17 {rf.format(reference)}",
    )
    portal_.receive(entry)
    portal_.receive(entry)  # the same statement imported twice books once
    assert (invoice(store, "inv-17").state, invoice(store, "inv-17").paid) == (
        PaymentState.PAID,
        Money("481.07", "EUR"),
    )


def test_the_webhook_endpoint_books_only_authentic_notifications(
    client: FlaskClient,
) -> None:
    assert client.post("/webhooks/bitcoin", data=b"{}").status_code == 404
    forged = client.post(
        "/webhooks/card",
        data=b'{"id": "evt-1", "payment_id": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert forged.status_code == 400  # no CSRF token needed, but a valid signature is


def test_paying_part_of_an_invoice_with_a_decimal_comma(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    pay(client, f"{portal(urls, store)}/documents/inv-17/pay", amount="100,50", method="paypal")
    partly = invoice(store, "inv-17")
    assert (partly.state, partly.amount_due) == (
        PaymentState.PARTIALLY_PAID,
        Money("380.57", "EUR"),
    )


def test_the_overview_shows_every_open_amount_once(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    page = text(client.get(portal(urls, store)))
    badges = [
        Decimal(a.replace(".", "").replace(",", "."))
        for a in re.findall(r"([\d.,]+)\xa0€ fällig", page)
    ]
    open_total = store.accounts[ERIKA].open_total
    assert sum(badges) == open_total.amount  # 481,07 + 504,80: the reminded 499,80 not again
    assert f"{open_total.amount}".replace(".", ",") in page
    assert "gemahnt mit MA-2026-3" in page  # the invoice's row points to the reminder


def test_paying_a_reminder_settles_its_fee_and_the_reminded_invoice(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    reminder = invoice(store, "rem-3")
    open_before = store.accounts[ERIKA].open_total
    pay(
        client,
        f"{portal(urls, store)}/documents/rem-3/pay",
        amount=str(reminder.amount_due.amount).replace(".", ","),
        method="card",
    )
    assert invoice(store, "rem-3").state is PaymentState.PAID
    assert invoice(store, "inv-9").state is PaymentState.PAID
    account = store.accounts[ERIKA]
    assert account.open_total == open_before - reminder.total
    assert account.credit_balance == Money("0.00", "EUR")


def test_returning_from_the_provider_twice_books_once(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    pay(client, f"{portal(urls, store)}/documents/inv-17/pay", amount="93,07", method="card")
    (intent_id,) = started(client)
    assert client.get(f"/checkout/return?intent={intent_id}").status_code == 303
    assert invoice(store, "inv-17").paid == Money("93.07", "EUR")
    assert len(store.accounts[ERIKA].allocations) == 1


def test_the_providers_return_url_completes_the_payment_through_the_portal(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, app: Flask
) -> None:
    response = post(
        client, f"{portal(urls, store)}/documents/inv-17/pay", amount="10,00", method="paypal"
    )
    (intent_id,) = started(client)
    assert response.headers["Location"] == f"/checkout/{intent_id}"
    portal_ = app.extensions["payportal"]["portal"]
    intent = portal_.intent(intent_id)
    checkout_url = portal_.provider("paypal").get_payment(intent.payment_id).redirect_url
    assert checkout_url  # the payer would go to PayPal; the fake approves instead
    app.extensions["payportal"]["methods"]["paypal"].approve(intent.payment_id)
    # PayPal sends the payer back to the return URL the Portal gave it, with the intent.
    response = client.get(f"/checkout/return?intent={intent_id}&token=x", follow_redirects=True)
    assert response.status_code == 200
    assert invoice(store, "inv-17").paid == Money("10.00", "EUR")


def test_cancelling_at_the_provider_charges_nothing(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    page = pay(
        client,
        f"{portal(urls, store)}/documents/inv-17/pay",
        amount="481,07",
        method="card",
        approve=False,
    )
    assert "Sie haben die Zahlung abgebrochen" in text(page)
    assert invoice(store, "inv-17").paid == Money("0.00", "EUR")
    (intent_id,) = started(client)
    assert client.get(f"/checkout/return?intent={intent_id}").status_code == 303
    assert invoice(store, "inv-17").paid == Money("0.00", "EUR")


@pytest.mark.parametrize(
    ("amount", "method", "message"),
    [
        ("481.07", "card", "Geben Sie den Betrag so ein, wie Sie ihn schreiben würden"),
        ("1.234", "card", "1.234 lässt sich als zwei verschiedene Beträge lesen"),
        ("abc", "card", "Geben Sie den Betrag so ein, wie Sie ihn schreiben würden"),
        ("0", "card", "Bitte prüfen Sie den Betrag"),
        ("10,001", "card", "mehr Nachkommastellen, als seine Währung kennt"),
        ("10,00", "bitcoin", "Bitte prüfen Sie Ihre Eingabe"),
    ],
)
def test_invalid_payment_forms_are_refused_and_start_nothing(
    client: FlaskClient,
    urls: PortalUrls,
    store: PortalStore,
    amount: str,
    method: str,
    message: str,
) -> None:
    url = f"{portal(urls, store)}/documents/inv-17/pay"
    response = post(client, url, amount=amount, method=method)
    assert response.status_code == 400
    assert message in text(response)
    assert started(client) == []


def test_a_payment_started_in_another_browser_cannot_be_completed_here(
    app: Flask, client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    post(client, f"{portal(urls, store)}/documents/inv-17/pay", amount="10,00", method="card")
    (intent_id,) = started(client)
    with app.test_client() as stranger:
        stranger.get("/")
        assert stranger.get(f"/checkout/{intent_id}").status_code == 404
        assert stranger.get(f"/checkout/return?intent={intent_id}").status_code == 404
        assert stranger.get(f"/checkout/cancel?intent={intent_id}").status_code == 404


def test_the_payment_link_opens_the_payment_of_one_invoice(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = path(urls.payment_url(invoice(store, "inv-17")))
    page = text(client.get(url))
    assert 'id="pay-button"' in page
    assert "Alle Dokumente" not in page  # the link opens one document, not the portal
    assert post(client, f"{url}/comment", text="hi").status_code == 404
    pay(client, f"{url}/pay", amount="481,07", method="card")
    assert invoice(store, "inv-17").state is PaymentState.PAID
    response = client.get(url)
    assert response.status_code == 403  # nothing is due any more
    assert "Diese Funktion steht Ihnen nicht zur Verfügung" in text(response)


def test_the_document_link_opens_one_document_and_its_actions(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = path(urls.document_url(store.documents["off-5"]))
    assert "AN-2026-5" in text(client.get(url))
    assert post(client, f"{url}/accept").status_code == 303
    offer = store.documents["off-5"]
    assert isinstance(offer, Offer)
    assert offer.status is OfferStatus.ACCEPTED


# -- master data ----------------------------------------------------------------------------


def profile_form(client: FlaskClient, url: str, **changes: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    form = {
        name: unescape(value)
        for name, value in re.findall(r'<input type="[a-z]+" name="(\w+)" value="([^"]*)"', page)
    }
    return form | changes


def test_editing_contact_and_bank_details_through_apply_change(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/profile"
    form = profile_form(
        client, url, email="erika@verlag.example", iban="GB29 NWBK 6016 1331 9268 19"
    )
    assert "vat_id" not in form  # tax data is not editable here
    response = post(client, url, **form)
    assert response.status_code == 303
    erika = store.customers[ERIKA]
    assert erika.email == "erika@verlag.example"
    assert erika.bank_accounts[0].iban == "GB29NWBK60161331926819"
    (record,) = store.change_records(ERIKA)
    assert [c.field for c in record.changes] == ["bank_accounts", "email"]
    assert "Gespeichert: Bankverbindung, E-Mail-Adresse." in text(client.get(url))


def test_saving_unchanged_details_changes_nothing(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/profile"
    before = store.customers[ERIKA]
    assert post(client, url, **profile_form(client, url)).status_code == 303
    assert store.customers[ERIKA] == before
    assert store.change_records(ERIKA) == []


def test_an_invalid_iban_is_shown_and_nothing_changes(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/profile"
    before = store.customers[ERIKA]
    form = profile_form(client, url, email="new@example.org", iban="DE00 1234")
    response = post(client, url, **form)
    assert response.status_code == 400
    assert "Bitte prüfen Sie Ihre Eingabe" in text(response)
    assert 'name="iban" value="DE00 1234" aria-invalid="true"' in text(response)
    assert 'value="new@example.org"' in text(response)  # the form keeps what was typed
    assert store.customers[ERIKA] == before


def test_posting_a_field_the_merchant_did_not_make_editable_is_refused(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    before = store.customers[ERIKA]
    response = post(client, f"{portal(urls, store)}/profile", vat_id="DE811569869")
    assert response.status_code == 403
    assert "Diese Funktion steht Ihnen nicht zur Verfügung" in text(response)
    assert store.customers[ERIKA] == before


# -- prepaid top-ups ------------------------------------------------------------------------


def test_topping_up_by_card_credits_at_once(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/top-up"
    assert client.get(url).status_code == 200
    page = pay(client, url, amount="25,00", method="card")
    assert "Vielen Dank! Wir haben 25,00\xa0€ erhalten." in text(page)
    prepaid = store.accounts[ERIKA].prepaid
    assert prepaid.balance == Money("25.00", "EUR")
    assert prepaid.credited[0].method is TopUpMethod.CARD


def test_topping_up_by_bank_transfer_shows_instructions_and_books_when_the_money_arrives(
    app: Flask, client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store)}/top-up"
    response = post(client, url, amount="40", method="bank_transfer")
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    portal_ = app.extensions["payportal"]["portal"]
    (intent_id,) = started(client)
    payment = portal_.provider("bank_transfer").get_payment(portal_.intent(intent_id).payment_id)
    reference = payment.instructions["reference"]
    assert rf.is_valid(reference)
    for shown in (rf.format(reference), "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "40,00"):
        assert shown in page, shown
    assert re.search(r'<figure class="qr" id="transfer-qr">\s*<svg', page)  # the EPC QR code
    assert "wartet auf Ihre Zahlung" in text(client.get(url))
    assert store.accounts[ERIKA].prepaid.balance == Money("0.00", "EUR")

    # The statement shows the transfer: booked as a pending top-up, then released.
    entry = StatementEntry(
        entry_id="stmt-1",
        booking_date=NOW.date(),
        amount=Money("40.00", "EUR"),
        direction=Direction.CREDIT,
        remittance_text=f"Prepaid {rf.format(reference)}",
    )
    portal_.receive(entry)
    assert store.accounts[ERIKA].prepaid.pending_amount == Money("40.00", "EUR")
    portal_.release(intent_id)
    assert store.accounts[ERIKA].prepaid.balance == Money("40.00", "EUR")
    assert "wartet auf Ihre Zahlung" not in text(client.get(url))


def test_topping_up_is_refused_where_the_customer_may_not(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    url = f"{portal(urls, store, JOHN)}/top-up"
    assert client.get(url).status_code == 403
    assert post(client, url, amount="40", method="card").status_code == 403
    assert started(client) == []


def test_a_link_for_another_purpose_cannot_open_the_top_up_page(
    client: FlaskClient, store: PortalStore, signer: LinkSigner
) -> None:
    claims = LinkClaims.for_customer(store.customers[ERIKA], issued_at=NOW, purpose="statement")
    assert client.get(f"/portal/{signer.sign(claims)}/top-up").status_code == 403


# -- downloads and print ----------------------------------------------------------------------


def file_links(page: str) -> dict[str, str]:
    """The download and print links of a page, by what they fetch (``pdf``, ``factur-x``,
    ``print``)."""
    found = {
        kind: path(url) for url, kind in re.findall(r'href="([^"]+)" data-format="([^"]+)"', page)
    }
    printing = re.search(r'id="print-link" href="([^"]+)"', page)
    if printing:
        found["print"] = path(printing.group(1))
    return found


def test_an_invoice_page_offers_its_pdf_its_e_invoice_and_a_print_view(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    links = file_links(text(client.get(f"{portal(urls, store)}/documents/inv-17")))
    assert set(links) == {"pdf", "factur-x", "print"}, links

    pdf = client.get(links["pdf"])
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="RE-2026-17.pdf"'
    assert pdf.headers["Cache-Control"] == "no-store"

    facturx = client.get(links["factur-x"])
    assert facturx.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(facturx.data))
    xml = reader.attachments["factur-x.xml"][0]
    assert b"RE-2026-17" in xml
    assert b"Druckerei Beispiel GmbH" in xml

    printed = client.get(links["print"])
    assert printed.status_code == 200
    assert printed.headers["Content-Disposition"].startswith("inline")
    assert printed.data.startswith(b"%PDF-")


def test_file_links_are_short_lived_and_bound_to_their_document(
    client: FlaskClient, urls: PortalUrls, store: PortalStore, clock: Clock
) -> None:
    links = file_links(text(client.get(f"{portal(urls, store)}/documents/inv-17")))
    pdf = links["pdf"]
    tampered = pdf[:-6] + ("AAAAAA" if not pdf.endswith("AAAAAA") else "BBBBBB")
    assert client.get(tampered).status_code == 403
    assert client.get(pdf.replace("/download/", "/print/")).status_code == 403  # wrong purpose
    clock.now += timedelta(minutes=16)
    assert client.get(pdf).status_code == 410  # expired: download links live 15 minutes


def test_a_delivery_note_has_a_pdf_but_no_e_invoice(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    links = file_links(text(client.get(f"{portal(urls, store)}/documents/dn-6")))
    assert set(links) == {"pdf", "print"}
    assert client.get(links["pdf"]).status_code == 200


def test_revoking_the_customers_links_revokes_their_file_links(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    links = file_links(text(client.get(f"{portal(urls, store)}/documents/inv-17")))
    store.revoke_links(ERIKA)
    assert client.get(links["pdf"]).status_code == 410


# -- branding ---------------------------------------------------------------------------------


def test_the_merchants_brand_colours_and_contact_are_on_every_page(
    client: FlaskClient, urls: PortalUrls, store: PortalStore
) -> None:
    page = text(client.get(portal(urls, store)))
    assert '<link rel="stylesheet" href="/branding.css">' in page
    assert 'href="https://druckerei.example/impressum">Impressum</a>' in page
    assert "+49 221 555 0100" in page
    css = client.get("/branding.css")
    assert css.mimetype == "text/css"
    assert "--portal-primary: #7a1f3d;" in css.get_data(as_text=True)
    assert "style=" not in page  # no inline styles: the CSP allows none
