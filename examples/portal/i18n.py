"""The example portal in the customer's language: its own texts and payportal's.

Two sets of texts make a page:

* payportal's (document types, states, payment methods' states, the messages for refused
  links and input, the default e-mails) come from :mod:`payportal.i18n`, with the merchant's
  wording from ``PortalSettings.texts``;
* the app's own (headings, buttons, form labels) are in the gettext catalogs next to this
  module, ``translations/<language>/LC_MESSAGES/messages.po``, extracted from the templates
  and the code with babel (``pybabel extract -F babel.cfg -o messages.pot .`` in this folder)
  and read with babel when the app starts.

English is written in the code, so it needs no catalog. :func:`language_for` picks the
language: the one the visitor chose with the switch (kept in the session), else the
customer's locale, else English.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = ["LANGUAGES", "N_", "app_translations", "language_for"]

#: The languages the portal offers, with their names as their speakers write them.
LANGUAGES: Final = {"de": "Deutsch", "en": "English", "fr": "Français"}

_CATALOGS: Final = Path(__file__).resolve().parent / "translations"


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later"
    """Mark ``message`` for extraction; the page translates it when it shows it."""
    return message


@functools.cache
def app_translations(language: str) -> NullTranslations:
    """The app's own texts in ``language`` (English: the texts as written)."""
    po = _CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language_for(chosen: str | None, locale: str | None) -> str:
    """The page's language: ``chosen`` by the visitor if offered, else the language of the
    customer's ``locale`` if offered, else English."""
    if chosen in LANGUAGES:
        return chosen
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    return language if language in LANGUAGES else "en"
