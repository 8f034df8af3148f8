"""The shipped catalogs: complete, current with the source, and consistent in placeholders."""

from __future__ import annotations

import io
import shutil
from typing import TYPE_CHECKING, Any

import pytest
from babel.messages.mofile import read_mo

from payportal.i18n import _catalogs, shipped_locales
from payportal.i18n._catalogs import catalog
from payportal.i18n._text import KNOWN, format_names, template_tokens

if TYPE_CHECKING:
    from types import ModuleType

    from babel.messages.catalog import Catalog

LANGUAGES = ("de", "en", "fr")


def _entries(messages: Catalog) -> dict[tuple[str | None, str], Any]:
    # babel before 2.15 reads a compiled context back as bytes; the text is what counts.
    return {(_text(m.context), m.id): m for m in messages if m.id}


def _text(context: str | bytes | None) -> str | None:
    return context.decode() if isinstance(context, bytes) else context


@pytest.fixture(scope="module")
def template(catalogs_tool: ModuleType) -> Catalog:
    catalog: Catalog = catalogs_tool.read(catalogs_tool.POT)
    return catalog


@pytest.fixture(scope="module")
def extracted(catalogs_tool: ModuleType) -> Catalog:
    """The texts as the source marks them today (babel's extraction, about two seconds)."""
    catalog: Catalog = catalogs_tool.extract()
    return catalog


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request: pytest.FixtureRequest, catalogs_tool: ModuleType) -> tuple[str, Catalog]:
    path = catalogs_tool.LOCALES / request.param / "LC_MESSAGES" / "payportal.po"
    return request.param, catalogs_tool.read(path)


def test_payportal_ships_de_en_fr() -> None:
    assert shipped_locales() == set(LANGUAGES)


def test_pot_is_current_with_the_source(extracted: Catalog, template: Catalog) -> None:
    in_source = set(_entries(extracted))
    in_pot = set(_entries(template))
    assert in_source - in_pot == set(), "new texts: run `python hatch_build.py update`"
    assert in_pot - in_source == set(), "texts gone: run `python hatch_build.py update`"


def test_extraction_finds_every_text_the_markers_made(extracted: Catalog) -> None:
    # A text built by N_/NC_ with a computed argument would escape the catalogs.
    assert set(_entries(extracted)) == set(KNOWN)


def test_every_catalog_holds_exactly_the_templates_texts(
    template: Catalog, language: tuple[str, Catalog]
) -> None:
    name, messages = language
    assert set(_entries(messages)) == set(_entries(template)), name
    assert not messages.obsolete, f"{name}: obsolete entries left in the catalog"


def test_every_text_is_translated_and_none_is_fuzzy(language: tuple[str, Catalog]) -> None:
    name, messages = language
    untranslated = [m.id for m in messages if m.id and not (m.string and m.string.strip())]
    fuzzy = [m.id for m in messages if m.id and m.fuzzy]
    assert untranslated == [], f"{name}: untranslated"
    assert fuzzy == [], f"{name}: fuzzy"


def test_translations_keep_the_msgids_placeholders(language: tuple[str, Catalog]) -> None:
    name, messages = language
    for message in messages:
        if not message.id:
            continue
        where = f"{name}: {message.context}: {message.id[:50]!r}"
        assert format_names(message.string) == format_names(message.id), where
        assert template_tokens(message.string) == template_tokens(message.id), where
        if format_names(message.id):
            assert "python-format" in message.flags, where


def test_german_and_french_differ_from_the_english_source(
    language: tuple[str, Catalog],
) -> None:
    # A msgstr copied from the msgid is untranslated in disguise; brand names and words that
    # are the same in both languages are the only exceptions.
    same_everywhere = {"PayPal", "Sofort", "Name"}
    name, messages = language
    if name == "en":
        assert all(m.string == m.id for m in messages if m.id)
        return
    copied = [m.id for m in messages if m.id and m.string == m.id]
    assert set(copied) <= same_everywhere, name


def test_compiled_catalog_says_what_its_po_says(
    catalogs_tool: ModuleType, language: tuple[str, Catalog]
) -> None:
    name, messages = language
    path = catalogs_tool.LOCALES / name / "LC_MESSAGES" / "payportal.po"
    compiled = read_mo(io.BytesIO(catalogs_tool.compile_mo(path)))
    expected = {key: m.string for key, m in _entries(messages).items()}
    assert {key: m.string for key, m in _entries(compiled).items()} == expected
    # What the library loads (a .mo from the build if present, else the .po) is the same:
    # a stale .mo in a source checkout fails here; `python hatch_build.py compile` fixes it.
    assert dict(catalog(name)) == expected


def test_build_hook_compiles_every_catalog_into_the_wheel_layout(
    catalogs_tool: ModuleType, tmp_path: Any
) -> None:
    written = catalogs_tool.compile_all(tmp_path)
    assert sorted(written.values()) == [
        f"payportal/i18n/locale/{name}/LC_MESSAGES/payportal.mo" for name in LANGUAGES
    ]
    for path in written:
        with path.open("rb") as file:
            assert len(_entries(read_mo(file))) == len(KNOWN)


def test_without_compiled_catalogs_the_po_files_are_read(
    catalogs_tool: ModuleType, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A source checkout that was never built has no .mo files: the .po files serve.
    copy = tmp_path / "locale"
    shutil.copytree(catalogs_tool.LOCALES, copy, ignore=shutil.ignore_patterns("*.mo"))
    expected = {name: dict(catalog(name)) for name in LANGUAGES}
    monkeypatch.setattr(_catalogs, "_folder", lambda: copy)
    _catalogs.catalog.cache_clear()
    _catalogs.shipped_locales.cache_clear()
    try:
        assert not list(copy.rglob("*.mo"))
        assert _catalogs.shipped_locales() == set(LANGUAGES)
        for name in LANGUAGES:
            assert dict(_catalogs.catalog(name)) == expected[name]
        assert dict(_catalogs.catalog("xx")) == {}
    finally:
        _catalogs.catalog.cache_clear()
        _catalogs.shipped_locales.cache_clear()
