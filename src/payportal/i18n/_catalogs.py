"""The shipped catalogs: ``locale/<language>/LC_MESSAGES/payportal.mo``, read once each.

The ``.mo`` files are compiled from the ``.po`` files when the wheel is built (and by an
editable install), by ``hatch_build.py``; they are not kept in git. In a bare source
checkout without them, the ``.po`` file is read instead, so nothing depends on a build
having run; the test suite checks that a present ``.mo`` says what its ``.po`` says.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Final

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

__all__ = ["DOMAIN", "Messages", "catalog", "shipped_locales"]

DOMAIN: Final = "payportal"
"""The gettext domain: the catalogs' file name."""

Messages = Mapping[tuple[str | None, str], str]
"""Translations by (context, msgid)."""


def _folder() -> resources.abc.Traversable:
    return resources.files("payportal.i18n").joinpath("locale")


@functools.cache
def shipped_locales() -> frozenset[str]:
    """The locales payportal has a catalog for (``"de"``, ``"en"``, ``"fr"``)."""
    folder = _folder()
    return frozenset(
        entry.name
        for entry in folder.iterdir()
        if entry.is_dir() and entry.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()
    )


@functools.cache
def catalog(locale: str) -> Messages:
    """The shipped translations of ``locale`` (exactly as named: ``"de"``, not ``"de_AT"``).

    Untranslated and fuzzy entries are left out; an unknown locale has none.
    """
    if locale not in shipped_locales():
        return MappingProxyType({})
    folder = _folder().joinpath(locale, "LC_MESSAGES")
    compiled = folder.joinpath(f"{DOMAIN}.mo")
    if compiled.is_file():
        with compiled.open("rb") as file:
            messages = read_mo(file)
    else:
        with folder.joinpath(f"{DOMAIN}.po").open("rb") as file:
            messages = read_po(file, locale=locale, domain=DOMAIN)
    found: dict[tuple[str | None, str], str] = {}
    for message in messages:
        # Plural entries hold tuples; payportal's texts have no plurals (yet), skip them.
        if (
            isinstance(message.id, str)
            and message.id
            and isinstance(message.string, str)
            and message.string
            and not message.fuzzy
        ):
            context = message.context
            if isinstance(context, bytes):  # babel before 2.15 reads a .mo's contexts as bytes
                context = context.decode("utf-8")
            found[(context, message.id)] = message.string
    return MappingProxyType(found)
