"""Split template text into literal text and placeholder tags, with positions.

The grammar is deliberately small. A tag is ``[Object.field]`` or ``[Object.field:hint]``:
the object starts with a capital letter (``Invoice``, ``CreditNote``), the field is an
identifier (registered fields are snake_case), the hint is letters, digits, ``_`` and ``-``.
Doubling the brackets, ``[[Invoice.number]]``, writes the tag itself as literal text. Any
other text in brackets (``[draft]``, ``[1]``, ``[a link](https://...)``) is not a tag and
stays as it is, so a template without tags renders to exactly its own text.

An opening ``[Object.field`` that is not closed by ``]`` right after the field (or hint) is
reported as an :class:`Unclosed` segment; whether that is an error depends on whether the
object is a known one, which the caller decides.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Positions", "Tag", "Unclosed", "scan"]

_TAG = re.compile(
    r"(?P<open>\[\[?)"
    r"(?P<object>[A-Z][A-Za-z0-9]*)\.(?P<field>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<colon>:(?P<hint>[A-Za-z0-9_-]*))?"
    r"(?P<close>\]\]?)?"
)


class Tag(NamedTuple):
    """A placeholder as written: ``token`` is the text between the brackets."""

    object: str
    field: str
    hint: str | None
    token: str
    start: int  # offset of the opening "["
    end: int  # offset just after the closing "]"


class Unclosed(NamedTuple):
    """``[Object.field`` (with or without a hint) not followed by ``]``."""

    object: str
    field: str
    token: str
    start: int  # offset of the opening "["
    expected_at: int  # offset where "]" was expected


class Positions:
    """Turns character offsets into 1-based (line, column) pairs."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        self._starts = starts

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def scan(text: str) -> Iterator[str | Tag | Unclosed]:
    """Yield the text's segments in order: literal strings, tags and unclosed tags.

    Adjacent literal pieces are merged, so two strings never follow each other and no
    string is empty.
    """
    literal: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        start = match.start()
        opening, closing = match["open"], match["close"] or ""
        token = text[start + len(opening) : match.end() - len(closing)]
        literal.append(text[position:start])
        if len(opening) == 2 and len(closing) == 2:
            # [[Invoice.number]] is the escape for the literal text [Invoice.number].
            literal.append(f"[{token}]")
            position = match.end()
            continue
        if len(opening) == 2:  # "[[" without "]]": the first "[" is plain text
            literal.append("[")
            start += 1
        pending = "".join(literal)
        literal = []
        if pending:
            yield pending
        if not closing:
            yield Unclosed(match["object"], match["field"], token, start, match.end())
            position = match.end()
        else:
            hint = match["hint"] if match["colon"] else None
            # A single "[" closed by "]]" leaves the second "]" as plain text.
            position = start + len(token) + 2
            yield Tag(match["object"], match["field"], hint, token, start, position)
    literal.append(text[position:])
    rest = "".join(literal)
    if rest:
        yield rest
