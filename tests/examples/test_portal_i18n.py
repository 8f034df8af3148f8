"""The example portal in German, French and English: its own catalogs and payportal's texts."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from examples.portal.app import create_app
from examples.portal.i18n import LANGUAGES, language_for
from examples.portal.store import demo_store

from payportal import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.documents import DocumentType, PaymentState
from payportal.i18n import translator_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "portal"
CATALOGS = EXAMPLE / "translations"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PAGES = ("", "/documents/inv-17", "/documents/rem-3", "/documents/off-5", "/profile", "/top-up")


@pytest.fixture
def portal() -> Iterator[tuple[FlaskClient, str]]:
    store = demo_store(NOW)
    signer = LinkSigner(KeyRing([HmacKey("test", b"t" * 32)]), versions=store, clock=lambda: NOW)
    app = create_app(store, signer=signer, now=lambda: NOW)
    url = PortalUrls("http://localhost", signer, ttl=timedelta(days=30)).customer_url(
        store.customers["c-42"]
    )
    with app.test_client() as client:
        client.get("/")
        yield client, url.removeprefix("http://localhost")


def visible_text(html: str) -> str:
    """What a reader sees: the page without tags, scripts, styles and attribute values."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def catalog(language: str) -> dict[str, str]:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def english_phrases(language: str) -> set[str]:
    """English texts that must not appear on a page in ``language``: the app's own msgids
    translated differently, and payportal's labels of document types and states."""
    own = {msgid for msgid, text in catalog(language).items() if text != msgid}
    english = translator_for("en")
    translated = translator_for(language)
    labels = {
        english.label(member)
        for kind in (DocumentType, PaymentState)
        for member in kind
        if english.label(member) != translated.label(member)
    }
    phrases = {re.sub(r"%\(\w+\)s|%%", "", p).strip(" .,:") for p in own | labels}
    # One word of another language is no proof (German "Status" is English "Status").
    return {p for p in phrases if " " in p}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_page_is_in_the_chosen_language_with_nothing_left_in_english(
    portal: tuple[FlaskClient, str], language: str
) -> None:
    client, base = portal
    client.get(f"{base}?lang={language}")
    leftovers = english_phrases(language)
    for page in PAGES:
        html = client.get(base + page).get_data(as_text=True)
        assert f'<html lang="{language}-' in html, page
        seen = visible_text(html)
        found = sorted(p for p in leftovers if p and p in seen)
        assert found == [], (page, found)


def test_german_is_the_german_customers_language_without_choosing(
    portal: tuple[FlaskClient, str],
) -> None:
    client, base = portal
    html = client.get(base + "/documents/inv-17").get_data(as_text=True)
    assert '<html lang="de-DE">' in html
    assert "Rechnung RE-2026-17" in visible_text(html)
    assert 'value="481,07"' in html  # the amount as a German types it


def test_french_pages_write_amounts_and_read_them_the_french_way(
    portal: tuple[FlaskClient, str],
) -> None:
    client, base = portal
    client.get(f"{base}?lang=fr")
    html = client.get(base + "/documents/inv-17").get_data(as_text=True)
    text = visible_text(html)
    assert "Facture RE-2026-17" in text
    assert "Payer 481,07\u202f€" in text or "Payer 481,07\xa0€" in text
    with client.session_transaction() as session:
        csrf = session["csrf"]
    started = client.post(
        base + "/documents/inv-17/pay",
        data={"csrf_token": csrf, "amount": "100,50", "method": "card"},
    )
    assert started.status_code == 303  # "100,50" is an amount in French too


def test_the_switch_offers_every_language_and_marks_the_current_one(
    portal: tuple[FlaskClient, str],
) -> None:
    client, base = portal
    html = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert '<strong lang="en" aria-current="true">English</strong>' in html
    for code, name in LANGUAGES.items():
        if code != "en":
            assert f'<a href="?lang={code}" lang="{code}" hreflang="{code}">{name}</a>' in html
    assert client.get(f"{base}?lang=xx").status_code == 200  # unknown: ignored
    assert '<html lang="en-IE">' in client.get(base).get_data(as_text=True)


@pytest.mark.parametrize(
    ("chosen", "locale", "expected"),
    [
        ("fr", "de_DE", "fr"),
        (None, "de_AT", "de"),
        (None, "fr-CH", "fr"),
        (None, "it_IT", "en"),
        ("xx", None, "en"),
    ],
)
def test_the_language_is_the_choice_then_the_customers_then_english(
    chosen: str | None, locale: str | None, expected: str
) -> None:
    assert language_for(chosen, locale) == expected


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_catalogs_are_complete_and_keep_their_placeholders(language: str) -> None:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        messages = [m for m in read_po(po) if m.id]
    assert messages
    for message in messages:
        assert message.string, message.id
        assert not message.fuzzy, message.id
        names = sorted(re.findall(r"%\(\w+\)s", message.id))
        assert sorted(re.findall(r"%\(\w+\)s", message.string)) == names, message.id


def test_the_catalogs_hold_exactly_what_the_code_and_templates_say() -> None:
    """A text added to a template or the code without a translation fails here: extract
    them again (as babel.cfg says) and compare with the catalogs."""
    # Jinja's extractor by its path: babel before 2.15 finds the "jinja2" name only through
    # setuptools' entry points, which a plain venv may lack.
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_gettext": None}
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(EXAMPLE), method_map, options, keywords=keywords, comment_tags=()
        )
    }
    for language in ("de", "fr"):
        assert set(catalog(language)) == extracted, language
    with (CATALOGS / "messages.pot").open("rb") as pot:
        assert {m.id for m in read_po(io.BytesIO(pot.read())) if m.id} == extracted
