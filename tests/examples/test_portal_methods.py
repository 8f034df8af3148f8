"""The example portal's payment methods (Flask test client): the customer grants and
revokes a SEPA mandate, the policy decides, the merchant collects and imports a camt.054
return, and the customer sees the invoice open again with the return fee and the mandate
blocked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from examples.portal.app import create_app
from examples.portal.methods import camt054_return
from examples.portal.store import PortalStore, demo_store
from portal_client import post, text
from test_portal_i18n import english_phrases, visible_text

from payportal import HmacKey, KeyRing, LinkSigner, Money, Portal, PortalUrls
from payportal.booking import CollectionState
from payportal.documents import PaymentState
from payportal.exceptions import ValidationError
from payportal.mandates import MandateState
from payportal.reconciliation import Direction, parse_camt

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ERIKA, JOHN = "c-42", "c-77"
IBAN = "DE89 3704 0044 0532 0130 00"
MASKED = "DE89 **** **** **** **30 00"


class World:
    """The app with the demo store, a test client in English, and Erika's portal URL."""

    def __init__(self, client: FlaskClient, store: PortalStore, portal: Portal, urls: PortalUrls):
        self.client = client
        self.store = store
        self.portal = portal
        self.urls = urls

    def page(self, customer_id: str = ERIKA) -> str:
        url = self.urls.customer_url(self.store.customers[customer_id])
        return url.removeprefix("http://localhost") + "/payment-methods"

    def post(self, url: str, **form: str) -> TestResponse:
        return post(self.client, url, **form)

    def grant(self, **form: str) -> TestResponse:
        fields = {"do": "grant", "iban": IBAN, "holder": "Erika Mustermann", "consent": "yes"}
        return self.post(self.page(), **(fields | {"bic": "COBADEFFXXX"} | form))


@pytest.fixture
def world() -> Iterator[World]:
    store = demo_store(NOW)
    signer = LinkSigner(KeyRing([HmacKey("test", b"t" * 32)]), versions=store, clock=lambda: NOW)
    app = create_app(store, signer=signer, now=lambda: NOW)
    urls = PortalUrls("http://localhost", signer, ttl=timedelta(days=30))
    with app.test_client() as client:
        client.get("/?lang=en")
        yield World(client, store, app.extensions["payportal"]["portal"], urls)


def test_the_overview_links_the_page_and_it_offers_the_mandate_form(world: World) -> None:
    overview = text(world.client.get(world.page().removesuffix("/payment-methods")))
    assert 'id="payment-methods-link"' in overview
    page = world.client.get(world.page())
    assert page.status_code == 200
    shown = text(page)
    assert 'id="no-mandate"' in shown
    assert 'id="grant-form"' in shown
    assert "DE98ZZZ09999999999" in shown  # the mandate text names the creditor identifier
    assert 'name="csrf_token"' in shown


def test_the_mandate_text_is_in_the_customers_language(world: World) -> None:
    world.client.get(world.page() + "?lang=de")
    german = text(world.client.get(world.page()))
    assert "Ich ermächtige" in german or "Ich/Wir ermächtige" in german
    world.client.get(world.page() + "?lang=fr")
    assert "mandat" in text(world.client.get(world.page())).lower()


def test_granting_a_mandate_shows_it_masked_through_the_placeholders(world: World) -> None:
    granted = world.grant()
    assert granted.status_code == 303, text(granted)
    page = text(world.client.get(granted.headers["Location"]))
    mandate = world.portal.active_mandate(ERIKA)
    assert mandate is not None
    assert mandate.iban == IBAN.replace(" ", "")
    assert mandate.consent.text.startswith("Creditor identifier: DE98ZZZ09999999999")
    assert mandate.consent.channel == "portal"
    assert f"Thank you: your mandate {mandate.reference} is active." in page
    # [Client.payment_method] · [Client.masked_iban] · [Client.mandate_reference]
    assert f"SEPA Direct Debit · {MASKED} · {mandate.reference}" in page
    assert "0532" not in page  # the middle of the IBAN is never shown
    assert 'id="revoke-form"' in page
    assert 'id="earlier-mandates"' not in page  # the active one is shown once, above


def test_a_bad_iban_is_refused_with_the_form_again_and_nothing_stored(world: World) -> None:
    refused = world.grant(iban="DE00 3704 0044 0532 0130 00", holder="Erika M.")
    assert refused.status_code == 400
    page = text(refused)
    assert 'role="alert"' in page
    assert 'id="grant-form"' in page
    assert 'value="DE00 3704 0044 0532 0130 00"' in page  # what she typed, to correct it
    assert 'value="Erika M."' in page
    assert 'aria-invalid="true"' in page
    assert world.portal.mandates(ERIKA) == ()


def test_without_consent_nothing_is_stored(world: World) -> None:
    refused = world.grant(consent="")
    assert refused.status_code == 400
    assert 'id="consent" aria-invalid="true"' in text(refused)
    assert world.portal.mandates(ERIKA) == ()


def test_the_policy_refuses_a_customer_whose_access_leaves_direct_debit_out(
    world: World,
) -> None:
    # John's override allows reading, paying and his details, no payment-method action.
    page = world.client.get(world.page(JOHN))
    assert page.status_code == 403
    assert 'id="grant-form"' not in text(page)
    refused = world.post(world.page(JOHN), do="grant", iban=IBAN, holder="John", consent="yes")
    assert refused.status_code == 403
    assert world.portal.mandates(JOHN) == ()
    overview = world.urls.customer_url(world.store.customers[JOHN])
    assert 'id="payment-methods-link"' not in text(
        world.client.get(overview.removeprefix("http://localhost"))
    )


def test_revoking_is_refused_without_a_mandate_and_works_with_one(world: World) -> None:
    assert world.post(world.page(), do="revoke").status_code == 403
    world.grant()
    mandate = world.portal.active_mandate(ERIKA)
    assert mandate is not None
    revoked = world.post(world.page(), do="revoke")
    assert revoked.status_code == 303
    page = text(world.client.get(world.page()))
    assert f"Your mandate {mandate.reference} is revoked" in page
    assert world.portal.active_mandate(ERIKA) is None
    assert world.portal.mandates(ERIKA)[0].state is MandateState.REVOKED
    assert 'id="no-mandate"' in page
    assert "Revoked" in page  # in the earlier mandates


def test_an_unknown_action_is_not_found(world: World) -> None:
    assert world.post(world.page(), do="steal").status_code == 404


def test_collect_and_a_camt054_return_reopen_the_invoice_with_the_fee_and_block_the_mandate(
    world: World,
) -> None:
    world.grant()
    assert world.store.documents["inv-17"].state is PaymentState.OPEN
    merchant = text(world.client.get("/merchant/direct-debit"))
    assert 'id="collect-c-42"' in merchant
    collected = world.post(f"/merchant/direct-debit/{ERIKA}/collect")
    assert collected.status_code == 303
    records = world.portal.direct_debits(ERIKA)
    assert records
    assert {r.state for r in records} == {CollectionState.PENDING}
    invoice = next(r for r in records if r.item_keys == ("RE-2026-17",))
    merchant = text(world.client.get("/merchant/direct-debit"))
    assert "pain.008" in merchant
    assert invoice.end_to_end_id in merchant
    returned = world.post(f"/merchant/direct-debit/{ERIKA}/return/{invoice.end_to_end_id}")
    assert returned.status_code == 303
    after = {r.end_to_end_id: r for r in world.portal.direct_debits(ERIKA)}
    assert after[invoice.end_to_end_id].state is CollectionState.RETURNED
    assert after[invoice.end_to_end_id].return_reason == "AC04"
    # Erika's portal: the invoice is open again, the fee is owed, the mandate is blocked.
    assert world.portal.active_mandate(ERIKA) is None
    page = text(world.client.get(world.page()))
    assert "Blocked" in page
    assert f"Your mandate {invoice.mandate_reference} is blocked because your bank" in page
    returned_row = page.split(f'id="debit-{invoice.end_to_end_id}"')[1].split("</tr>")[0]
    assert "RE-2026-17" in returned_row
    assert "returned: your bank returned it, so it is open again" in returned_row
    assert "return fee €3.50" in returned_row
    overview = text(world.client.get(world.page().removesuffix("/payment-methods")))
    account = world.store.accounts[ERIKA]
    fee = [item for item in account.open_items if item.key.startswith("RLS-")]
    assert [item.amount_open for item in fee] == [Money("3.50", "EUR")]
    assert "RE-2026-17" in {item.key for item in account.open_items}
    assert world.store.documents["inv-17"].state is PaymentState.OPEN
    assert "RE-2026-17" in overview
    # The same return again books nothing more.
    again = world.post(f"/merchant/direct-debit/{ERIKA}/return/{invoice.end_to_end_id}")
    assert again.status_code == 303
    assert [i.key for i in world.store.accounts[ERIKA].open_items if i.key.startswith("RLS-")] == [
        fee[0].key
    ]


def test_the_camt054_return_reads_back_as_a_returned_debit(world: World) -> None:
    world.grant()
    world.post(f"/merchant/direct-debit/{ERIKA}/collect")
    record = world.portal.direct_debits(ERIKA)[0]
    creditor = world.store.creditor
    assert creditor is not None
    xml = camt054_return(record, creditor, reason="MD01", booked_on=NOW.date(), at=NOW)
    (statement,) = parse_camt(xml)
    (entry,) = statement.entries
    assert entry.direction is Direction.DEBIT
    assert entry.reversal
    assert entry.amount == record.amount
    assert entry.end_to_end_id == record.end_to_end_id
    assert entry.return_reason == "MD01"
    with pytest.raises(ValidationError) as caught:
        camt054_return(record, creditor, reason="XX99", booked_on=NOW.date(), at=NOW)
    assert caught.value.field == "reason"


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_new_pages_leave_no_english_behind(world: World, language: str) -> None:
    world.grant()
    world.client.get(f"/?lang={language}")
    english = english_phrases(language)
    for url in (world.page(), "/merchant/direct-debit"):
        seen = visible_text(text(world.client.get(url)))
        left = sorted(p for p in english if p in seen)
        assert left == [], (url, left)
