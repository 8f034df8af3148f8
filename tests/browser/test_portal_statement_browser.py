"""The account statement and a receipt in a real browser (headless Chromium, selenium), in
German: Erika opens her statement from the overview, pays an invoice, finds the receipt
beside the payment, chooses a longer period and downloads the statement (CSV, PDF) and the
receipt. Needs the same system parts as test_portal_browser.py, whose helpers it uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from test_portal_browser import (  # the browser, the served app and the page helpers
    Portal,
    axe,
    browser,
    click,
    fetch,
    portal,
    screenshots,
    shoot,
    shows,
)

__all__ = ["browser", "portal", "screenshots"]  # fixtures, used by name


def test_statement_and_receipt(browser: Any, portal: Portal) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    browser.get(portal.base + "/")
    click(browser, "#portal-c-42")
    assert shows(browser, "Willkommen, Erika Mustermann")
    portal_url = browser.current_url.split("?")[0]

    click(browser, "#statement-link")
    assert shows(browser, "Kontoauszug")
    assert shows(browser, "Endsaldo")

    # Paying an invoice books a payment; the statement lists it with its receipt.
    browser.get(f"{portal_url}/documents/inv-17")
    click(browser, "input[name=method][value=card]", loads=False)
    click(browser, "#pay-button")
    click(browser, "#approve-button")
    assert shows(browser, "Vielen Dank! Wir haben 481,07\xa0€ erhalten.")
    browser.get(f"{portal_url}/statement")
    assert shows(browser, "Zahlungseingang")
    assert shows(browser, "Quittung herunterladen Q-000001")

    # A longer period, chosen in the form: the older invoices come into it.
    start = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    browser.execute_script(
        "document.querySelector('input[name=start]').value = arguments[0];", start
    )
    click(browser, "#statement-show")
    assert f"start={start}" in browser.current_url
    assert shows(browser, "RE-2026-09")
    assert shows(browser, "Summe")
    assert axe(browser) == []
    shoot(browser, "23-statement", language="de")

    csv_href = browser.find_element(By.ID, "statement-csv").get_attribute("href")
    pdf_href = browser.find_element(By.ID, "statement-pdf").get_attribute("href")
    receipt_href = browser.find_element(By.CSS_SELECTOR, "a.receipt-link").get_attribute("href")
    csv_text = fetch(csv_href).decode("utf-8-sig")
    assert csv_text.startswith("Datum;Buchung;Referenz;Betrag;Saldo")
    assert "Zahlungseingang" in csv_text
    assert fetch(pdf_href).startswith(b"%PDF-")
    assert fetch(receipt_href).startswith(b"%PDF-")
    assert receipt_href.endswith("/receipts/Q-000001.pdf")
