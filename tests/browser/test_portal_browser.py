"""The example portal in a real browser: headless Chromium driven by selenium.

Part of the default suite. Needs the system's ``chromium`` and ``chromedriver`` (Debian:
``apt-get install chromium chromium-driver``; ``.ci/run`` installs them): in CI a missing
browser fails the run, elsewhere the test is skipped with that command. It clicks through every
page of the example portal and takes a screenshot of each; with ``PAYPORTAL_SCREENSHOTS=1``
(``nox -s browser`` sets it) they are saved into ``docs/screenshots/`` for the guide
(``docs/guide/example-app.md``), otherwise into a temporary folder.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from payportal import HmacKey, KeyRing, LinkClaims, LinkSigner

if TYPE_CHECKING:
    from collections.abc import Iterator

    from examples.portal.store import PortalStore

INSTALL = "apt-get install chromium chromium-driver"
GUIDE_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,700",
)


class Portal:
    """The app served on 127.0.0.1 in a thread, with its store and signer at hand."""

    def __init__(self) -> None:
        # Imported here, not at the top: the module must import (and skip) without the
        # repository root on sys.path; ``python -m pytest`` (and so nox) puts it there.
        # Imported here, not at the top: the module must import (and skip) without the
        # repository root on sys.path; ``python -m pytest`` (and so nox) puts it there.
        from examples.portal.app import create_app  # noqa: PLC0415
        from examples.portal.store import demo_store  # noqa: PLC0415
        from werkzeug.serving import make_server  # noqa: PLC0415

        self.store: PortalStore = demo_store(datetime.now(UTC))
        self.signer = LinkSigner(
            KeyRing([HmacKey("browser", os.urandom(32))]),
            default_ttl=timedelta(days=30),
            versions=self.store,
        )
        self.server = make_server(
            "127.0.0.1", 0, create_app(self.store, signer=self.signer), threaded=True
        )
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def token(self, customer_id: str, *, age: timedelta = timedelta(0)) -> str:
        issued = datetime.now(UTC) - age
        claims = LinkClaims.for_customer(
            self.store.customers[customer_id],
            issued_at=issued,
            expires_at=issued + timedelta(days=30),
        )
        return self.signer.sign(claims)


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    served = Portal()
    served.thread.start()
    yield served
    served.server.shutdown()
    served.thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(
    tmp_path_factory: pytest.TempPathFactory, screenshots: Path, system_tool: Any
) -> Iterator[Any]:
    from selenium import webdriver  # noqa: PLC0415

    chromium = system_tool(("chromium", "chromium-browser"), "Chromium", INSTALL)
    driver_path = system_tool(("chromedriver",), "ChromeDriver", INSTALL)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(1000, 700)
    driver.implicitly_wait(5)
    driver.payportal_screenshots = screenshots
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("PAYPORTAL_SCREENSHOTS") == "1":
        GUIDE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return GUIDE_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def shoot(browser: Any, name: str) -> None:
    folder = browser.payportal_screenshots
    assert browser.save_screenshot(str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 1000  # a picture, not an empty file


def click(browser: Any, selector: str) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    browser.find_element(By.CSS_SELECTOR, selector).click()


def body(browser: Any) -> str:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    return str(browser.find_element(By.TAG_NAME, "body").text)


def test_clicking_through_the_portal(browser: Any, portal: Portal) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    browser.get(portal.base + "/")
    assert "Dear Erika Mustermann" in body(browser)
    shoot(browser, "01-outbox")

    click(browser, "#portal-c-42")
    assert "Welcome, Erika Mustermann" in body(browser)
    portal_url = browser.current_url
    shoot(browser, "02-overview")

    browser.find_element(By.LINK_TEXT, "RE-2026-17").click()
    assert "Invoice RE-2026-17" in body(browser)
    shoot(browser, "03-invoice")

    click(browser, "input[name=method][value=paypal]")
    click(browser, "#pay-button")
    assert "PayPal (test)" in body(browser)
    shoot(browser, "04-checkout")

    click(browser, "#approve-button")
    assert "Thank you! We received" in body(browser)
    shoot(browser, "05-paid")

    browser.get(portal_url)
    browser.find_element(By.LINK_TEXT, "AN-2026-5").click()
    browser.find_element(By.NAME, "text").send_keys("Bitte mit Prägung auf dem Umschlag.")
    click(browser, "#comment-button")
    click(browser, "#accept-button")
    assert "You accepted offer AN-2026-5" in body(browser)
    assert "Bitte mit Prägung auf dem Umschlag." in body(browser)
    shoot(browser, "06-offer-accepted")

    browser.find_element(By.LINK_TEXT, "My details").click()
    email = browser.find_element(By.NAME, "email")
    email.clear()
    email.send_keys("erika@verlag.example")
    click(browser, "#save-button")
    assert "Saved: email." in body(browser)
    shoot(browser, "07-profile")

    browser.find_element(By.LINK_TEXT, "Prepaid balance").click()
    click(browser, "input[name=method][value=bank_transfer]")
    click(browser, "#top-up-button")
    assert "Please transfer" in body(browser)
    shoot(browser, "08-top-up")

    assert portal.store.customers["c-42"].email == "erika@verlag.example"


def test_broken_links_get_friendly_pages(browser: Any, portal: Portal) -> None:
    browser.get(f"{portal.base}/portal/{portal.token('c-77', age=timedelta(days=31))}")
    assert "This link has expired" in body(browser)
    shoot(browser, "09-expired")

    token = portal.token("c-77")
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    browser.get(f"{portal.base}/portal/{tampered}")
    assert "This link is not valid" in body(browser)
    shoot(browser, "10-tampered")

    browser.get(portal.base + "/")
    click(browser, "#mail-c-77 form button")
    assert "older links no longer work" in body(browser)
    browser.get(f"{portal.base}/portal/{token}")
    assert "This link was replaced" in body(browser)
    shoot(browser, "11-revoked")
