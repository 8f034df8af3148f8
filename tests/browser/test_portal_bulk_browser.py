"""Several documents at once and an upload, in a real browser (headless Chromium, selenium):
Erika ticks documents on her overview (German) and downloads them as one ZIP, pays two
invoices with one card payment, then in French uploads a purchase order for an offer.
axe-core checks each new page. Needs the same system parts as test_portal_browser.py, whose
helpers it uses."""

from __future__ import annotations

import io
import time
import zipfile
from typing import TYPE_CHECKING, Any

from test_portal_browser import (  # the browser, the served app and the page helpers
    AXE_FIGURES,
    Portal,
    browser,
    click,
    portal,
    screenshots,
    shoot,
    shows,
)

from payportal.documents import PaymentState

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["browser", "portal", "screenshots"]  # fixtures, used by name

# The smallest PDF the upload check accepts: header, one object, startxref and %%EOF.
ORDER_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\nstartxref\n9\n%%EOF\n"


def _downloaded(folder: Path, name: str) -> bytes:
    """The file the browser saved as ``name`` in ``folder``, once it is complete (10 s)."""
    deadline = time.monotonic() + 10
    target = folder / name
    while time.monotonic() < deadline:
        if target.exists() and not list(folder.glob("*.crdownload")):
            return target.read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded; the folder holds {list(folder.iterdir())}")


def test_pay_selected_zip_and_upload(browser: Any, portal: Portal, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.get(portal.base + "/")
    click(browser, "#portal-c-42")
    assert shows(browser, "Willkommen, Erika Mustermann")
    assert shows(browser, "Alles Überfällige bezahlen (1)")
    portal_url = browser.current_url.split("?")[0]
    shoot(browser, "40-bulk-overview", language="de")

    # Two documents as one ZIP (the invoice as Factur-X PDF, the delivery note's PDF).
    for doc_id in ("inv-17", "dn-6"):
        click(browser, f"input[name=documents][value='{doc_id}']", loads=False)
    click(browser, "#zip-selected-button", loads=False)
    archive = zipfile.ZipFile(io.BytesIO(_downloaded(tmp_path, "K-1042-documents.zip")))
    assert archive.namelist() == ["RE-2026-17.pdf", "LS-2026-6.pdf"]

    # Two invoices in one payment: the page lists the overdue one first.
    browser.get(portal_url)
    for doc_id in ("inv-17", "inv-9"):
        click(browser, f"input[name=documents][value='{doc_id}']", loads=False)
    click(browser, "#pay-selected-button")
    assert shows(browser, "Mehrere Dokumente bezahlen")
    rows = browser.find_elements(By.CSS_SELECTOR, "#bulk-documents tbody tr")
    assert [row.text.split()[1] for row in rows] == ["RE-2026-09", "RE-2026-17"]
    shoot(browser, "41-bulk-pay", language="de")
    click(browser, "input[name=method][value=card]", loads=False)
    click(browser, "#bulk-pay-button")
    click(browser, "#approve-button")
    assert shows(browser, "Vielen Dank! Wir haben")
    for doc_id in ("inv-9", "inv-17"):
        assert portal.store.documents[doc_id].state is PaymentState.PAID  # type: ignore[attr-defined]
    assert not browser.find_elements(By.ID, "pay-overdue-link")  # nothing overdue now

    # In French: a purchase order for the offer, checked and listed.
    order = tmp_path / "Bestellung AN-2026-5.pdf"
    order.write_bytes(ORDER_PDF)
    browser.get(f"{portal_url}/documents/off-5?lang=fr")
    assert shows(browser, "Votre bon de commande")
    browser.find_element(By.ID, "upload-file").send_keys(str(order))
    click(browser, "#upload-button")
    assert shows(browser, "Merci, nous avons bien reçu Bestellung AN-2026-5.pdf.")
    listed = browser.find_element(By.CSS_SELECTOR, "#uploaded-files a")
    assert listed.text == "Bestellung AN-2026-5.pdf"
    shoot(browser, "fr-42-bulk-upload", language="fr")

    pages = ("40-bulk-overview", "41-bulk-pay", "fr-42-bulk-upload")
    assert {name: AXE_FIGURES[name] for name in pages} == {name: [] for name in pages}
