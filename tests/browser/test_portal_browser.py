"""The example portal in a real browser: headless Chromium driven by selenium.

Part of the default suite. Needs the system's ``chromium`` and ``chromedriver`` (Debian:
``apt-get install chromium chromium-driver``; ``.ci/run`` installs them): in CI a missing
browser fails the run, elsewhere the test is skipped with that command. It clicks through every
page of the example portal and takes a screenshot of each; with ``PAYPORTAL_SCREENSHOTS=1``
(``nox -s screenshots`` sets it) they are saved into ``docs/screenshots/`` for the guide
(``docs/guide/example-app.md``), otherwise into a temporary folder.
"""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from babel.messages.pofile import read_po

from payportal import HmacKey, KeyRing, LinkClaims, LinkSigner

if TYPE_CHECKING:
    from collections.abc import Iterator

    from examples.portal.store import PortalStore

INSTALL = "apt-get install chromium chromium-driver"
AXE = Path(__file__).resolve().parents[1] / "data" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
#: Runs axe-core on the page and hands back its violations, compactly.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((node) => node.target.join(" ")),
  }))),
  (error) => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]),
);
"""
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
        from examples.portal.app import create_app  # noqa: PLC0415
        from examples.portal.store import demo_store  # noqa: PLC0415
        from werkzeug.serving import make_server  # noqa: PLC0415

        self.store: PortalStore = demo_store(datetime.now(UTC))
        self.signer = LinkSigner(
            KeyRing([HmacKey("browser", os.urandom(32))]),
            default_ttl=timedelta(days=30),
            versions=self.store,
        )
        # The app needs its own address for the providers' return URLs, known once bound.
        self.server = make_server("127.0.0.1", 0, self._serve)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app(self.store, signer=self.signer, base_url=self.base)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _serve(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)

    def token(self, customer_id: str, *, age: timedelta = timedelta(0)) -> str:
        issued = datetime.now(UTC) - age
        claims = LinkClaims.for_customer(
            self.store.customers[customer_id],
            issued_at=issued,
            expires_at=issued + timedelta(days=30),
        )
        return self.signer.sign(claims)


@pytest.fixture
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
    driver.set_script_timeout(60)
    driver.payportal_screenshots = screenshots
    yield driver
    driver.quit()


@pytest.fixture(scope="module", autouse=True)
def axe_summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module: one line with the axe-core figures of every page checked."""
    yield
    impacts = [v["impact"] for found in AXE_FIGURES.values() for v in found]
    counts = ", ".join(
        f"{impacts.count(i)} {i}" for i in ("critical", "serious", "moderate", "minor")
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and AXE_FIGURES:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\naxe-core {AXE_VERSION}: {len(AXE_FIGURES)} pages, violations: {counts}"
            )


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("PAYPORTAL_SCREENSHOTS") == "1":
        GUIDE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return GUIDE_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def shoot(browser: Any, name: str, language: str | None = None) -> None:
    """Save a screenshot of the page and check it with axe-core: no serious or critical
    accessibility violation; with ``language``, also that nothing on it is left in English."""
    folder = browser.payportal_screenshots
    assert browser.save_screenshot(str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 1000  # a picture, not an empty file
    if language is not None and language != "en":
        leftovers = sorted(
            p for p in english_phrases(language) if p in " ".join(body(browser).split())
        )
        assert leftovers == [], f"{name}: untranslated {leftovers}"
    found = axe(browser)
    AXE_FIGURES[name] = found
    blocking = [v for v in found if v["impact"] in {"serious", "critical"}]
    assert not blocking, f"{name}: {blocking}"


def english_phrases(language: str) -> set[str]:
    """English texts that must not show on a page in ``language``: the example's own texts
    its catalog translates differently (a single word proves nothing: "Status" is German
    too)."""
    catalog = Path(__file__).resolve().parents[2] / "examples" / "portal" / "translations"
    with (catalog / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        messages = read_po(po)
    phrases = {
        re.sub(r"%\(\w+\)s|%%", "", m.id).strip(" .,:")
        for m in messages
        if m.id and m.string != m.id
    }
    return {p for p in phrases if " " in p}


#: Every page's axe-core violations (all impacts), by screenshot name, for the summary.
AXE_FIGURES: dict[str, list[dict[str, Any]]] = {}


def axe(browser: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (the script injected into it first)."""
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = browser.execute_async_script(RUN_AXE)
    return violations


def click(browser: Any, selector: str, *, by: str = "css selector", loads: bool = True) -> None:
    """Click the element ``selector`` finds and, when the click ``loads`` a page, wait for it.

    Clicking a link or a submit button starts a navigation while the old page is still
    there; finding the next element at once may find it on the old page (and fail when that
    page goes), or click a second form before the first post arrived. Waiting until the old
    document is gone rules out both.
    """
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    old_page = browser.find_element(By.TAG_NAME, "html")
    on_fresh_page(lambda: browser.find_element(by, selector).click())
    if loads:
        WebDriverWait(browser, 10).until(lambda _: is_gone(old_page))


def is_gone(element: Any) -> bool:
    """Whether ``element``'s page was replaced (selenium's ``staleness_of``, which misses
    Chromium's other word for it)."""
    from selenium.common.exceptions import (  # noqa: PLC0415
        StaleElementReferenceException,
        WebDriverException,
    )

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


def on_fresh_page(action: Any) -> None:
    """Run ``action`` (find an element, act on it), again when the element's page was
    replaced between finding and acting (the action did not happen then), for up to 10 s."""
    from selenium.common.exceptions import (  # noqa: PLC0415
        StaleElementReferenceException,
        WebDriverException,
    )

    deadline = time.monotonic() + 10
    while True:
        try:
            action()
        except StaleElementReferenceException:
            pass
        except WebDriverException as error:  # Chromium's word for the same race
            if "does not belong to the document" not in str(error):
                raise
        else:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the page kept changing under the test for 10 s")
        time.sleep(0.1)


def type_into(browser: Any, name: str, text: str) -> None:
    """Replace what the form field ``name`` holds by ``text``, as a person types it."""
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    def replace() -> None:
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(text)

    on_fresh_page(replace)


def body(browser: Any) -> str:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    return str(browser.find_element(By.TAG_NAME, "body").text)


def shows(browser: Any, text: str) -> bool:
    """Whether the page shows ``text``, waiting up to 10 s for it to load.

    A click or a form post replaces the page while the old one may still be read; waiting
    for the text (and reading the body afresh when the page went stale) makes that race
    harmless on a slow machine instead of an intermittent StaleElementReferenceException.
    """
    from selenium.common.exceptions import (  # noqa: PLC0415
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    wait = WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,))
    try:
        # WebDriver reads a no-break space (CLDR's between amount and symbol) as a space.
        wanted = " ".join(text.split())
        wait.until(lambda driver: wanted in " ".join(body(driver).split()))
    except TimeoutException:
        return False
    return True


#: What the pages say in each language the flow runs in (the example's catalogs and
#: payportal's texts), for the steps the flow checks.
SAYS = {
    "de": {
        "welcome": "Willkommen, Erika Mustermann",
        "invoice": "Rechnung RE-2026-17",
        "paypal": "PayPal (Test)",
        "paid_part": "Vielen Dank! Wir haben 100,50\xa0€ erhalten.",
        "left": "380,57\xa0€ fällig",
        "credit": "19,43\xa0€ mehr als fällig schreiben wir Ihrem Konto gut.",
        "accepted": "Sie haben das Angebot AN-2026-5 angenommen",
        "details": "Meine Daten",
        "invalid": "Bitte prüfen Sie Ihre Eingabe",
        "saved": "Gespeichert: E-Mail-Adresse.",
        "prepaid": "Prepaid-Guthaben",
        "transfer": "Bitte überweisen Sie 75,00\xa0€",
    },
    "fr": {
        "welcome": "Bienvenue, Erika Mustermann",
        "invoice": "Facture RE-2026-17",
        "paypal": "PayPal (test)",
        "paid_part": "Merci ! Nous avons reçu 100,50\xa0€.",
        "left": "380,57\xa0€ à payer",
        "credit": "19,43\xa0€ de plus que le montant dû sont crédités sur votre compte.",
        "accepted": "Vous avez accepté l'offre AN-2026-5",
        "details": "Mes coordonnées",
        "invalid": "Veuillez vérifier votre saisie",
        "saved": "Enregistré : Adresse e-mail.",
        "prepaid": "Solde prépayé",
        "transfer": "Veuillez virer 75,00\xa0€",
    },
}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_clicking_through_the_portal(browser: Any, portal: Portal, language: str) -> None:
    """Erika's whole visit, in German (her own language) and in French (by the switch)."""
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    says = SAYS[language]
    prefix = "" if language == "de" else f"{language}-"  # the guide shows the German pages

    browser.get(portal.base + "/")
    assert shows(browser, "Guten Tag Erika Mustermann")  # her e-mail, in her language
    shoot(browser, f"{prefix}01-outbox")  # the merchant's page, not the customer's

    click(browser, "#portal-c-42")
    if language != "de":
        click(browser, f"a[hreflang={language}]")
    assert shows(browser, says["welcome"])
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang").startswith(language)
    portal_url = browser.current_url.split("?")[0]
    shoot(browser, language=language, name=f"{prefix}02-overview")

    click(browser, "RE-2026-17", by=By.LINK_TEXT)
    assert shows(browser, says["invoice"])
    shoot(browser, language=language, name=f"{prefix}03-invoice")

    # Less than due, typed as a German or French customer writes it, with PayPal (the fake) ...
    assert browser.find_element(By.NAME, "amount").get_attribute("value") == "481,07"
    type_into(browser, "amount", "100,50")
    click(browser, "input[name=method][value=paypal]", loads=False)
    click(browser, "#pay-button")
    assert shows(browser, says["paypal"])
    shoot(browser, language=language, name=f"{prefix}04-checkout")

    click(browser, "#approve-button")
    assert shows(browser, says["paid_part"])
    assert shows(browser, says["left"])

    # ... then more than the rest, by card: the surplus is kept as credit.
    type_into(browser, "amount", "400")
    click(browser, "input[name=method][value=card]", loads=False)
    click(browser, "#pay-button")
    click(browser, "#approve-button")
    assert shows(browser, says["credit"])
    shoot(browser, language=language, name=f"{prefix}05-paid")

    # The invoice's PDF and its print view, through 15-minute signed links.
    pdf = browser.find_element(By.CSS_SELECTOR, "a[data-format=pdf]").get_attribute("href")
    assert fetch(pdf).startswith(b"%PDF-")
    printed = browser.find_element(By.ID, "print-link").get_attribute("href")
    assert fetch(printed).startswith(b"%PDF-")

    browser.get(portal_url)
    click(browser, "AN-2026-5", by=By.LINK_TEXT)
    browser.find_element(By.NAME, "text").send_keys("Bitte mit Prägung auf dem Umschlag.")
    click(browser, "#comment-button")
    click(browser, "#accept-button")
    assert shows(browser, says["accepted"])
    assert shows(browser, "Bitte mit Prägung auf dem Umschlag.")
    shoot(browser, language=language, name=f"{prefix}06-offer-accepted")

    click(browser, says["details"], by=By.LINK_TEXT)
    type_into(browser, "iban", "DE00 1234")
    click(browser, "#save-button")
    assert shows(browser, says["invalid"])  # shown, and nothing saved
    assert portal.store.customers["c-42"].bank_accounts[0].iban == "DE02120300000000202051"
    type_into(browser, "iban", "DE02 1203 0000 0000 2020 51")
    type_into(browser, "email", f"erika.{language}@verlag.example")
    click(browser, "#save-button")
    assert shows(browser, says["saved"])
    shoot(browser, language=language, name=f"{prefix}07-profile")

    click(browser, says["prepaid"], by=By.LINK_TEXT)
    type_into(browser, "amount", "75,00")
    click(browser, "input[name=method][value=bank_transfer]", loads=False)
    click(browser, "#top-up-button")
    assert shows(browser, says["transfer"])
    qr = browser.find_element(By.CSS_SELECTOR, "#transfer-qr svg")
    assert qr.size["width"] > 100  # the EPC QR code is drawn, big enough to scan
    shoot(browser, language=language, name=f"{prefix}08-top-up")

    assert portal.store.customers["c-42"].email == f"erika.{language}@verlag.example"


def fetch(url: str) -> bytes:
    """The file behind ``url``, fetched without the browser's cookies: the signed link alone
    is the credential."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        body: bytes = answer.read()
    return body


def test_broken_links_get_friendly_pages(browser: Any, portal: Portal) -> None:
    browser.get(f"{portal.base}/portal/{portal.token('c-77', age=timedelta(days=31))}")
    assert shows(browser, "This link has expired")
    shoot(browser, "09-expired")

    token = portal.token("c-77")
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    browser.get(f"{portal.base}/portal/{tampered}")
    assert shows(browser, "This link is not valid")
    shoot(browser, "10-tampered")

    browser.get(portal.base + "/")
    click(browser, "#mail-c-77 form button")
    assert shows(browser, "older links no longer work")
    browser.get(f"{portal.base}/portal/{token}")
    assert shows(browser, "This link was replaced")
    shoot(browser, "11-revoked")
