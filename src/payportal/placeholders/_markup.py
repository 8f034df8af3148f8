"""Where in an HTML template a placeholder stands, and whether a value may go there.

HTML escaping (``escape="html"``) keeps a value from becoming markup in text and in quoted
attribute values. It cannot help where the position itself is dangerous: the start of an
``href`` decides the URL's scheme (``javascript:`` runs script), an event handler attribute
such as ``onclick`` is script after entity decoding, and a value inside a tag but outside
quotes can add attributes with a space. :func:`html_contexts` reads the template text as
the HTML tokenizer would, far enough to tell these places apart (tags, attribute names and
values, comments, and the raw text of ``<script>`` and ``<style>``), and :func:`unsafe_use`
says what is wrong with one placeholder in one place.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol

from payportal._validators import url_problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from payportal.placeholders._format import Kind

__all__ = ["URL_ATTRIBUTES", "Where", "html_contexts", "unsafe_use"]

URL_ATTRIBUTES: Final = frozenset(
    {
        "action",
        "archive",
        "background",
        "cite",
        "classid",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "src",
        "srcset",
        "usemap",
        "xlink:href",
    }
)
"""Attributes whose value a browser reads as a URL (HTML, SVG and legacy ones)."""

_RAW_TEXT: Final = frozenset({"script", "style"})


class Where(NamedTuple):
    """A position in HTML: the tokenizer's state there, and the attribute if inside one.

    ``state`` is ``"text"`` (between tags, or in a comment), ``"raw"`` (inside a
    ``<script>`` or ``<style>`` element), ``"tag"`` (inside a tag, outside any quoted
    attribute value), or ``"value"`` (inside a quoted attribute value). For ``"value"``,
    ``attribute`` is the attribute's name in lower case and ``before`` the value's text
    before the position.
    """

    state: str
    attribute: str = ""
    before: str = ""


_TEXT: Final = Where("text")
_TAG: Final = Where("tag")
_SPACE: Final = " \t\n\r\f"
_TAG_OPEN: Final = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_ATTRIBUTE: Final = re.compile(r"[^\s/>=]+")
_NOT_UNQUOTED: Final = re.compile(r"[\s>]")


class _Recorder(Protocol):
    def __call__(self, until: int, where: Where = ..., value_start: int = ...) -> None:
        """Every wanted offset before ``until`` is at ``where``."""


def html_contexts(text: str, offsets: Iterable[int]) -> list[Where]:
    """The :class:`Where` of each offset into ``text`` (offsets in increasing order).

    Like the HTML tokenizer, and like it never failing: a tag or quote left open runs to the
    end of the text.
    """
    wanted = list(offsets)
    found: list[Where] = []
    position = 0
    length = len(text)
    index = 0

    def record(until: int, where: Where = _TEXT, value_start: int = -1) -> None:
        nonlocal index
        while index < len(wanted) and wanted[index] < until:
            if where.state == "value":
                found.append(Where("value", where.attribute, text[value_start : wanted[index]]))
            else:
                found.append(where)
            index += 1

    while position < length and index < len(wanted):
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            end = length if end < 0 else end + 3
            record(end)
            position = end
            continue
        opening = _TAG_OPEN.match(text, position)
        if opening is None:
            if text[position] == "<":
                # "<" or "</" right before a placeholder: the value would name a tag.
                record(position + 1)
                record(position + (3 if text.startswith("</", position) else 2), _TAG)
            following = text.find("<", position + 1)
            following = length if following < 0 else following
            record(following)
            position = following
            continue
        record(opening.start() + 1)
        record(opening.end(), _TAG)
        position = _tag(text, opening.end(), record)
        name = opening[2].lower()
        if not opening[1] and name in _RAW_TEXT:
            close = re.compile(rf"</{name}[\s/>]", re.IGNORECASE).search(text, position)
            end = length if close is None else close.start()
            record(end, Where("raw"))
            position = end
    record(length + 1)
    return found


def _tag(text: str, position: int, record: _Recorder) -> int:
    """Read one tag's attributes from ``position``; return the offset just after its ``>``."""
    length = len(text)
    while position < length:
        char = text[position]
        if char in _SPACE or char == "/":
            position += 1
            record(position, _TAG)
            continue
        if char == ">":
            record(position + 1, _TAG)
            return position + 1
        name_match = _ATTRIBUTE.match(text, position)
        end = name_match.end() if name_match else position + 1
        name = text[position:end].lower()
        position = _skip_space(text, end)
        if position >= length or text[position] != "=":
            record(position, _TAG)
            continue
        position = _skip_space(text, position + 1)
        if position < length and text[position] in "\"'":
            record(position + 1, _TAG)
            close = text.find(text[position], position + 1)
            close = length if close < 0 else close
            record(close, Where("value", name), position + 1)
            position = close + 1
        else:  # an unquoted value: a placeholder in it is in the tag, outside quotes
            unquoted_end = _NOT_UNQUOTED.search(text, position)
            position = length if unquoted_end is None else unquoted_end.start()
            record(position, _TAG)
    record(length + 1, _TAG)
    return length


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return position


def unsafe_use(
    where: Where, kind: Kind, written: str, hint: str | None = None
) -> tuple[str, str] | None:
    """Why a placeholder of ``kind``, written as ``written``, may not stand at ``where``.

    Returns ``(code, message)``, or None when an HTML-escaped value is harmless there. The
    codes are ``"script-context"``, ``"unquoted-attribute"``, ``"url-attribute"`` and
    ``"markup-context"`` (an inline ``<svg>`` QR code outside the text between tags).
    """
    if kind == "qr":
        if hint in (None, "svg"):
            if where.state == "text":
                return None
            return (
                "markup-context",
                (
                    f"{written} is an inline <svg> image, which belongs between tags; in an "
                    "attribute such as src, write it with the :data_uri hint"
                ),
            )
        # A data: URI or a path payportal produced: as safe as a url field's value.
        kind = "url"
    if where.state == "raw":
        return (
            "script-context",
            (
                f"{written} stands inside a <script> or <style> element, where HTML "
                "escaping does not keep a value from becoming code; move it out"
            ),
        )
    if where.state == "tag":
        return (
            "unquoted-attribute",
            f"{written} stands inside a tag but not in a quoted attribute value, where a value "
            'could add attributes; put it in quotes, as in title="' + written + '"',
        )
    if where.state != "value":
        return None
    if where.attribute.startswith("on") or where.attribute == "srcdoc":
        # An event handler is script and an iframe's srcdoc a document, both read after
        # the browser decodes the entities that escaping wrote.
        return (
            "script-context",
            (
                f"{written} stands in the {where.attribute} attribute, whose value a browser "
                "runs as script or markup after decoding its entities; move it out"
            ),
        )
    if where.attribute in URL_ATTRIBUTES and kind != "url" and not _has_safe_scheme(where.before):
        return (
            "url-attribute",
            f"{written} is a {kind} field in the {where.attribute} attribute, which takes a "
            "URL whose scheme the value would choose; use a url field, or write the scheme "
            'before it, as in href="https://example.com/?c=' + written + '"',
        )
    return None


def _has_safe_scheme(before: str) -> bool:
    # Literal text such as "https://shop.example/?c=" fixes a safe scheme before the value.
    return ":" in before and url_problem(before + "x") is None
