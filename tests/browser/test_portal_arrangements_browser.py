"""Instalments and a dispute in a real browser (headless Chromium, selenium), in German:
Erika asks for a plan, pays the first instalment the invoice page now asks for, disputes
another invoice; the merchant rejects the dispute and she sees the answer. Needs the same
system parts as test_portal_browser.py, whose helpers it uses."""

from __future__ import annotations

from typing import Any

from test_portal_browser import (  # the browser, the served app and the page helpers
    Portal,
    browser,
    click,
    portal,
    screenshots,
    shoot,
    shows,
    type_into,
)

__all__ = ["browser", "portal", "screenshots"]  # fixtures, used by name


def test_instalments_and_a_dispute(browser: Any, portal: Portal) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    browser.get(portal.base + "/")
    click(browser, "#portal-c-42")
    assert shows(browser, "Willkommen, Erika Mustermann")
    portal_url = browser.current_url.split("?")[0]

    click(browser, "RE-2026-17", by=By.LINK_TEXT)
    click(browser, "#arrangements-link a")
    assert shows(browser, "Raten, Einwände und mehr Zeit")
    click(browser, "select[name=count] option[value='3']", loads=False)
    click(browser, "#instalments-button")
    assert shows(browser, "Ihre Ratenzahlung ist vereinbart: 3 Raten.")
    assert shows(browser, "Als Nächstes: 160,36\xa0€")
    shoot(browser, "20-instalment-plan", language="de")

    # The invoice page asks for the due instalment; paying it settles the first one.
    click(browser, "#instalment-due a")
    assert browser.find_element(By.NAME, "amount").get_attribute("value") == "160,36"
    click(browser, "input[name=method][value=card]", loads=False)
    click(browser, "#pay-button")
    click(browser, "#approve-button")
    assert shows(browser, "Vielen Dank! Wir haben 160,36\xa0€ erhalten.")
    click(browser, "#arrangements-link a")
    assert shows(browser, "Als Nächstes: 160,36\xa0€")  # the second instalment now
    rows = browser.find_elements(By.CSS_SELECTOR, "#plan tbody tr")
    assert "0,00\xa0€" in rows[0].text.replace(" ", "\xa0")  # nothing open on the first

    # A dispute on the overdue invoice, answered by the merchant.
    browser.get(f"{portal_url}/documents/inv-9/arrangements")
    type_into(browser, "reason", "Die Flyer waren fehlerhaft gedruckt.")
    click(browser, "#dispute-button")
    assert shows(browser, "Wir prüfen Ihren Einwand")
    assert shows(browser, "Einwand: Wartet auf Antwort")
    shoot(browser, "21-dispute", language="de")

    browser.get(portal.base + "/")
    click(browser, "#merchant-arrangements")
    assert shows(browser, "Die Flyer waren fehlerhaft gedruckt.")
    type_into(browser, "message", "Die Gutschrift GS-2026-2 hat das ausgeglichen.")
    click(browser, "#reject-H-1")
    shoot(browser, "22-merchant-arrangements")

    browser.get(f"{portal_url}/documents/inv-9/arrangements")
    assert shows(browser, "Einwand: Abgelehnt")
    assert shows(browser, "Die Gutschrift GS-2026-2 hat das ausgeglichen.")
    with portal.store.storage.transaction(read_only=True) as tx:
        topics = [m.topic for m in tx.outbox(limit=1000)]
    assert [t for t in topics if "." in t and t.split(".")[0] in {"instalments", "dispute"}] == [
        "instalments.granted",
        "dispute.opened",
        "dispute.rejected",
    ]
