"""SEPA direct debit in a real browser (headless Chromium, selenium), in German: Erika
grants a mandate on her payment-methods page, the merchant collects her open invoices, the
bank returns the collection of RE-2026-17 in a camt.054 file, and her portal shows the
invoice open again, the return fee and the mandate blocked. axe-core checks each page.
Needs the same system parts as test_portal_browser.py, whose helpers it uses."""

from __future__ import annotations

from typing import Any

from test_portal_browser import (  # the browser, the served app and the page helpers
    AXE_FIGURES,
    Portal,
    browser,
    click,
    portal,
    screenshots,
    shoot,
    shows,
    type_into,
)

from payportal.mandates import MandateState

__all__ = ["browser", "portal", "screenshots"]  # fixtures, used by name

MASKED = "DE89 **** **** **** **30 00"


def test_a_mandate_a_collection_and_its_return(browser: Any, portal: Portal) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    payportal = portal.app.extensions["payportal"]["portal"]
    browser.get(portal.base + "/")
    click(browser, "#portal-c-42")
    assert shows(browser, "Willkommen, Erika Mustermann")
    portal_url = browser.current_url.split("?")[0]

    click(browser, "#payment-methods-link")
    assert shows(browser, "Sie haben kein Lastschriftmandat erteilt.")
    assert shows(browser, "DE98ZZZ09999999999")  # the mandate text, with the creditor id
    type_into(browser, "iban", "DE89 3704 0044 0532 0130 00")
    type_into(browser, "bic", "COBADEFFXXX")
    click(browser, "#consent", loads=False)
    click(browser, "#grant-button")
    mandate = payportal.active_mandate("c-42")
    assert mandate is not None
    assert shows(browser, f"Vielen Dank: Ihr Mandat {mandate.reference} ist aktiv.")
    assert shows(browser, f"SEPA-Basislastschrift · {MASKED} · {mandate.reference}")
    shoot(browser, "30-payment-methods", language="de")

    # The merchant collects what is due (one pain.008) ...
    browser.get(portal.base + "/")
    click(browser, "#merchant-direct-debit")
    click(browser, "#collect-c-42")
    assert shows(browser, "pain.008")
    (invoice,) = [c for c in payportal.direct_debits("c-42") if c.item_keys == ("RE-2026-17",)]
    shoot(browser, "31-merchant-direct-debit")

    # ... and the bank returns the invoice's collection: account closed (AC04).
    click(browser, f"#collection-{invoice.end_to_end_id} button")
    assert shows(browser, f"camt.054 imported: collection {invoice.end_to_end_id} returned")

    browser.get(f"{portal_url}/payment-methods")
    assert shows(browser, "Rücklastschriftgebühr 3,50\xa0€")
    assert shows(browser, "Ihre Bank hat sie zurückgegeben, daher ist der Betrag wieder offen")
    state = browser.find_element(By.CSS_SELECTOR, f"#mandate-{mandate.reference} .mandate-state")
    assert state.text == "Gesperrt"
    assert shows(browser, f"Ihr Mandat {mandate.reference} ist gesperrt")
    shoot(browser, "32-direct-debit-returned", language="de")

    browser.get(portal_url)
    row = browser.find_element(By.XPATH, "//tr[td/a[text()='RE-2026-17']]")
    assert "481,07 € 481,07 € fällig" in " ".join(row.text.split())  # all of it open again
    assert [m.state for m in payportal.mandates("c-42")] == [MandateState.BLOCKED]
    assert portal.store.documents["inv-17"].amount_due == invoice.amount
    # axe-core found nothing on the new pages, of any impact.
    pages = ("30-payment-methods", "31-merchant-direct-debit", "32-direct-debit-returned")
    assert {name: AXE_FIGURES[name] for name in pages} == {name: [] for name in pages}
