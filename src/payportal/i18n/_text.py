"""A translatable text, the markers that declare one, and the register of them all.

Every customer-facing text payportal ships is created at import time by one of the markers
:func:`N_` (a text) or :func:`NC_` (a text with a context that tells translators, and the
catalog, which of two equal English words is meant: "Open" for an invoice, "Open" for an
offer). ``pybabel extract`` finds the markers (see ``babel.cfg`` and ``hatch_build.py``), so
the catalogs' template (``payportal.pot``) holds exactly these texts.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

__all__ = ["FORMAT_NAME", "KNOWN", "NC_", "N_", "Text", "format_names", "template_tokens"]

FORMAT_NAME: Final = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s")
_TOKEN: Final = re.compile(r"(?<!\[)\[([A-Z][A-Za-z0-9]*\.[a-z_][a-z0-9_]*(?::[a-z]+)?)\](?!\])")


@attrs.frozen
class Text:
    """One translatable text: its English source (the gettext msgid) and an optional context.

    ``Text`` is the key for everything: the catalogs hold a translation per ``Text``, and a
    merchant's :class:`~payportal.i18n.TextOverrides` replaces a ``Text`` in one locale.

    Attributes:
        msgid: the English text, as written in payportal's source; ``%(name)s`` marks a value
            filled in when the text is shown, ``[Invoice.number]`` a template placeholder.
        context: what the text is for (``"payment state"``), or None; part of the key.
    """

    msgid: str
    context: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """The ``%(name)s`` values the text needs."""
        return format_names(self.msgid)

    def __str__(self) -> str:
        return self.msgid


KNOWN: Final[dict[tuple[str | None, str], Text]] = {}
"""Every text the markers created, by (context, msgid)."""


def N_(msgid: str) -> Text:  # noqa: N802  # gettext's own name for the no-op marker
    """Declare a customer-facing text (translated later, when it is shown)."""
    text = Text(msgid)
    KNOWN[(None, msgid)] = text
    return text


def NC_(context: str, msgid: str) -> Text:  # noqa: N802  # gettext_noop with a context
    """Declare a customer-facing text within a context (``pgettext``'s no-op marker)."""
    text = Text(msgid, context)
    KNOWN[(context, msgid)] = text
    return text


def format_names(text: str) -> frozenset[str]:
    """The ``%(name)s`` names in ``text``."""
    return frozenset(FORMAT_NAME.findall(text))


def template_tokens(text: str) -> frozenset[str]:
    """The placeholder tokens (``Invoice.number``, ``Invoice.due_on:long``) in ``text``."""
    return frozenset(_TOKEN.findall(text))
