"""How :func:`~payportal.references.find` goes fast: the one place that trades clarity for speed.

``find`` runs for every remittance line of every bank statement, so it must manage well over
100,000 lines a second (``bench/bench_references.py`` measures it). What it does is plain and
lives in ``_find.py`` and the scheme modules; this module is *how* it does it cheaply. Each
trick gives exactly the result of its plain counterpart, which the tests check:

* **Normalisation** (:func:`normalise`) — plainly: upper-case ASCII letters, drop MT940
  ``?20``-``?29`` markers and wrapped line breaks, turn other breaks and runs of blanks into one
  space, and keep a table to map indices back. Fast: text with nothing to normalise is not
  touched; text whose only breaks are ``?nn`` markers (an MT940 ``:86:`` field on one line) is
  split on ``?`` with ``str.split`` instead of the general regex; replacements are looked up in
  dictionaries that list every spelling of a break, so that the work is done in C.
* **Gating** (:meth:`Plan.searches_for`) — plainly: run every scheme's regex over the text.
  Fast: a regex runs only if the text holds one of its needles (``"RF"``, ``"/"``, …), and the
  searches for each combination of needles are remembered; digit runs are searched only if
  the text has a stretch of digit-like characters as long as the shortest reference
  (one ``bytes.translate``).
* **Anchored patterns** (:class:`Anchored`) — a regex that starts with any digit is searched
  from its first distinctive literal, which the regex engine skips to in C.
* **One regex for the searches a text needs** (:class:`Alternatives`) — plainly: run each
  search's regex over the text. Fast: where the needles call for several, their regexes run as
  one alternation, compiled once per combination of needles, and the text is searched once.
  A candidate that holds no reference yields to a later search's candidate at the same place,
  which is what the searches side by side would have read next.
* **One pass for all searches** (:func:`scan`) — plainly: collect every search's candidates,
  read them, keep the earliest non-overlapping references. Fast: the searches advance side by
  side, each candidate is read once, and a search is only re-run past a reference that was
  reported; a text that needs one search only (most do: the alternation and, for long runs of
  digits, the digit-run search at most), or whose other searches are done, runs it in a loop
  of its own.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

import attrs

if TYPE_CHECKING:
    from collections.abc import Container

    from payportal.references._find import Match

__all__ = ["Anchored", "DigitSearch", "Plan", "Search", "normalise", "original_span", "scan"]


class Searcher(Protocol):
    """What a search needs of its pattern: ``re.Pattern.search``, and the regular expression
    it searches for (``re.Pattern.pattern``)."""

    @property
    def pattern(self) -> str: ...

    def search(self, string: str, pos: int = 0, /) -> re.Match[str] | None: ...


#: Turns a candidate into the references it holds (none, one, or for digit runs several), as
#: matches whose spans are in the normalised text.
Reader = Callable[["re.Match[str]", "Container[str] | None"], "list[Match]"]


class Search(NamedTuple):
    """One kind of candidate: where to look, and how to read what is found."""

    regex: Searcher
    read: Reader
    # Where the search goes on after a candidate that holds no reference: past a digit run
    # (no window of it is a reference), otherwise one character on (candidates may overlap).
    past_run: bool
    # Substrings of which a text must hold one for the search to run (empty: always runs).
    needles: tuple[str, ...] = ()


class Anchored:
    """``re.compile(regex).search``, started only where ``anchor`` matches.

    ``anchor`` is the part of ``regex`` from its first distinctive literal on, and no match of
    ``regex`` starts more than ``lead`` characters before its anchor's match. The regex engine
    skips to a leading literal in C; a pattern that starts with any digit would be tried at
    every digit of the text.
    """

    def __init__(self, regex: str, anchor: str, lead: int) -> None:
        self.pattern = regex
        self.anchor = re.compile(anchor)
        self.lead = lead
        self._regex = re.compile(regex)

    def search(self, string: str, pos: int = 0) -> re.Match[str] | None:
        """The first match of ``regex`` in ``string`` from ``pos`` on, as ``re`` gives it."""
        # An anchor cannot match before pos + 1: the regex has at least one character before it.
        rest = self.anchor.search(string, pos + 1)
        if rest is None:
            return None
        return self._regex.search(string, max(pos, rest.start() - self.lead))


class Alternatives:
    """Several searches as one: one regular expression with an alternative for each, so that
    a text they all run over is searched once rather than once per search.

    As ``Search(alternatives.regex, alternatives.read, past_run=False)``, it gives in
    :func:`scan` exactly what the searches give side by side. The alternation finds the
    earliest candidate of any of them, and at the same position the earlier search's; where
    that candidate holds no reference, :meth:`read` tries the later searches' candidates at the
    same position, and ``scan`` then moves on by one character, as it would have moved each
    rejected search. (So none of the searches may skip past a rejected digit run.)
    """

    def __init__(self, searches: tuple[Search, ...]) -> None:
        assert not any(search.past_run for search in searches)
        self.searches = searches
        self.alone = tuple(re.compile(search.regex.pattern) for search in searches)
        # An empty group closes each alternative: the last group matched tells which it was.
        alternatives = []
        self.by_group: dict[int, int] = {}
        groups = 0
        for index, regex in enumerate(self.alone):
            alternatives.append(f"(?:{regex.pattern})()")
            groups += regex.groups + 1
            self.by_group[groups] = index
        self.regex = re.compile("|".join(alternatives))

    def read(self, match: re.Match[str], known: Container[str] | None) -> list[Match]:
        """The references in ``match``, a candidate of one of the searches; if it holds none,
        those in the candidate of the first later search that has one at the same place."""
        first = self.by_group[match.lastindex or 0]
        hits = self.searches[first].read(match, known)
        if hits:
            return hits
        start = match.start()
        for index in range(first + 1, len(self.searches)):
            candidate = self.alone[index].match(match.string, start)
            if candidate is not None:
                hits = self.searches[index].read(candidate, known)
                if hits:
                    return hits
        return []


# The characters of a digit run as 1, any other as 0 (a ``bytes.translate`` table).
_RUN_BYTES = bytes(49 if chr(code) in "0123456789O " else 48 for code in range(256))


@attrs.frozen
class DigitSearch:
    """The search for digit runs, and the fewest digits a run must have to be worth it."""

    search: Search
    fewest: int
    # What a text translated by _RUN_BYTES must hold for the search to be worth running.
    stretch: bytes = attrs.field(init=False)

    @stretch.default
    def _stretch(self) -> bytes:
        return b"1" * self.fewest


@attrs.frozen
class Plan:
    """The searches for one set of schemes, with what makes choosing them cheap."""

    # In priority order: at the same position the earlier search wins.
    searches: tuple[Search, ...]
    # The digit-run search without and with ``known`` (None: no scheme would report).
    digits_unknown: DigitSearch | None
    digits_known: DigitSearch | None
    # Every needle of ``searches``, once.
    needles: tuple[str, ...] = attrs.field(init=False)
    # The searches to run, by which needles a text holds (bit k set: it holds needles[k]),
    # filled as texts come: gating then costs a substring test per needle and one lookup.
    # Where a text needs several, they are one search of their Alternatives.
    gated: dict[int, tuple[Search, ...]] = attrs.field(init=False, factory=dict, eq=False)

    @needles.default
    def _every_needle(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for search in self.searches for n in search.needles))

    def searches_for(self, norm: str, known: bool) -> tuple[Search, ...]:
        """The searches worth running over normalised text ``norm``: each that has no needles
        or whose needles ``norm`` holds one of, then the digit-run search if ``norm`` has a
        long enough stretch of digits; ``known``: the caller passed known references."""
        present = 0
        for needle in self.needles:
            present += present + (needle in norm)
        searches = self.gated.get(present)
        if searches is None:
            searches = self._gate(present)
        digits = self.digits_known if known else self.digits_unknown
        # Non-ASCII characters are never digits, and dropping them only joins stretches: the
        # test can let a text through in vain, never keep a run out.
        if digits is not None and digits.stretch in norm.encode("ascii", "ignore").translate(
            _RUN_BYTES
        ):
            searches = (*searches, digits.search)
        return searches

    def _gate(self, present: int) -> tuple[Search, ...]:
        count = len(self.needles)
        held = {n for k, n in enumerate(self.needles) if present >> (count - 1 - k) & 1}
        active = tuple(s for s in self.searches if not s.needles or not held.isdisjoint(s.needles))
        if len(active) > 1:
            try:
                alternatives = Alternatives(active)
            except re.error:  # e.g. a custom pattern's named group repeated in another
                pass  # the searches side by side give the same result, only slower
            else:
                active = (Search(alternatives.regex, alternatives.read, past_run=False),)
        self.gated[present] = active
        return active


def scan(norm: str, searches: tuple[Search, ...], known: Container[str] | None) -> list[Match]:
    """Run ``searches`` over ``norm`` and return the references found, in order.

    The earliest candidate of any search is read next (at the same position, the earlier
    search). A candidate that is not a reference only moves its own search on (see
    :attr:`Search.past_run`); a reference moves every search past it, so no two overlap.
    """
    if len(searches) == 1:
        return _scan_alone(norm, searches[0], searches[0].regex.search(norm), known)
    found: list[Match] = []
    pending = [search.regex.search(norm) for search in searches]
    while True:
        best, start, live = -1, len(norm) + 1, 0
        for index, candidate in enumerate(pending):
            if candidate is not None:
                live += 1
                if candidate.start() < start:
                    best, start = index, candidate.start()
        if best < 0:
            return found
        if live == 1:  # the other searches are done
            found += _scan_alone(norm, searches[best], pending[best], known)
            return found
        match = pending[best]
        assert match is not None
        regex, read, past_run, _ = searches[best]
        hits = read(match, known)
        if not hits:
            pending[best] = regex.search(norm, match.end() if past_run else start + 1)
            continue
        found += hits
        position = max(match.end() if past_run else 0, hits[-1].span[1])
        for index, candidate in enumerate(pending):
            if candidate is not None and candidate.start() < position:
                pending[index] = searches[index].regex.search(norm, position)


def _scan_alone(
    norm: str, search: Search, match: re.Match[str] | None, known: Container[str] | None
) -> list[Match]:
    """:func:`scan` for one search from its ``match`` on: the same rule without choosing
    between searches."""
    regex, read, past_run, _ = search
    found: list[Match] = []
    while match is not None:
        hits = read(match, known)
        if hits:
            found += hits
            position = max(match.end() if past_run else 0, hits[-1].span[1])
        else:
            position = match.end() if past_run else match.start() + 1
        match = regex.search(norm, position)
    return found


# ---------------------------------------------------------------------------------------------
# Normalisation

# Upper case for ASCII letters only, as a str.translate table (other characters stay as they
# are: "ß".upper() is "SS", which would shift every index after it).
_ASCII_UPPER = tuple(chr(code).upper() if code < 128 else chr(code) for code in range(128))
# MT940 :86: subfield markers (?20, possibly split by a line wrap), line breaks, runs of blanks.
# Captured, so that ``split`` hands over text and breaks alternately, in C.
_BREAK = re.compile(r"(\?(?:\r?\n)?[0-9](?:\r?\n)?[0-9]|\r\n|\n|\r| [ \t]+|\t[ \t]*)")
_MT940_REMITTANCE = re.compile(r"\?(?:\r?\n)?2(?:\r?\n)?[0-9]")
_NEWLINES = ("\r\n", "\n", "\r")
# The breaks that are removed rather than replaced by a space: ?20-?29 continue the remittance
# text mid-word; other subfields start a new field. Every spelling is listed, so that the
# replacements are looked up in C rather than decided in Python, break by break.
_JOINS = dict.fromkeys(
    (
        f"?{a}2{b}{digit}"
        for a in ("", *_NEWLINES)
        for b in ("", *_NEWLINES)
        for digit in "0123456789"
    ),
    "",
)
# In an MT940 field, line breaks are wraps too: the bank cut a subfield, not the payer.
_MT940_JOINS = {**_JOINS, **dict.fromkeys(_NEWLINES, "")}
# SEPA remittance lines are cut at 27 (MT940 ?2x subfields) or 35 characters (DTAUS, camt
# renderings); a break after a full line is a wrap inside a word, any other is a separator.
_WRAP_WIDTHS = frozenset({27, 35})
# What follows the "?" of an MT940 subfield marker: "20" to "29" continue the remittance text
# mid-word, the others start a separate field.
_MARKER_DIGITS = frozenset(f"{n:02d}" for n in range(100))
_REMITTANCE_DIGITS = frozenset(f"2{n}" for n in range(10))


def normalise(text: str) -> tuple[str, list[int], list[int]]:
    """Return the searchable form of ``text`` and the table mapping it back.

    Searchable: ASCII letters in upper case, MT940 ``?20``-``?29`` markers and line breaks of
    wrapped lines removed, other subfield markers, line breaks and runs of blanks replaced by
    one space. The table is two parallel lists for :func:`original_span` (both empty when
    nothing was removed or replaced, so that indices are the same in both texts).
    """
    upper = text.upper() if text.isascii() else text.translate(_ASCII_UPPER)
    if "?" not in upper and "\n" not in upper and "\r" not in upper:
        if "\t" not in upper and "  " not in upper:
            return upper, [], []
    elif "\n" not in upper and "\r" not in upper and "\t" not in upper and "  " not in upper:
        return _normalise_markers(upper)
    return _normalise_breaks(upper)


def _normalise_breaks(upper: str) -> tuple[str, list[int], list[int]]:
    parts = _BREAK.split(upper)  # text, break, text, break, ..., text
    breaks = parts[1::2]
    ends = list(itertools.accumulate(map(len, parts)))[1::2]  # where each break ends in upper
    mt940 = _MT940_REMITTANCE.search(upper) is not None
    spaces = itertools.repeat(" ", len(breaks))  # the default: a break separates words
    replacements = list(map((_MT940_JOINS if mt940 else _JOINS).get, breaks, spaces))
    if not mt940 and ("\n" in upper or "\r" in upper):
        line_start = 0
        for k, brk in enumerate(breaks):
            if brk in _NEWLINES:
                if ends[k] - len(brk) - line_start in _WRAP_WIDTHS:
                    replacements[k] = ""
                line_start = ends[k]
    parts[1::2] = replacements
    # Per break, how far the original text is ahead of the normalised one after it.
    shifts = list(itertools.accumulate(map(operator.sub, map(len, breaks), map(len, replacements))))
    return "".join(parts), list(map(operator.sub, ends, shifts)), shifts


def _normalise_markers(upper: str) -> tuple[str, list[int], list[int]]:
    """:func:`_normalise_breaks` for text whose only breaks are ``?nn`` subfield markers.

    ``str.split`` on ``?`` is many times faster than the general regex split, which tries
    every blank as a break.
    """
    pieces = upper.split("?")
    first = pieces[0]
    out = [first]
    starts: list[int] = []
    shifts: list[int] = []
    position = len(first)  # in ``upper``, after the piece handled last
    shift = 0
    for piece in pieces[1:]:
        position += len(piece) + 1
        code = piece[:2]
        if code in _REMITTANCE_DIGITS:
            shift += 3
            out.append(piece[2:])
        elif code in _MARKER_DIGITS:
            shift += 2
            out.append(" ")
            out.append(piece[2:])
        else:  # a question mark in the text
            out.append("?")
            out.append(piece)
            continue
        starts.append(position - len(piece) + 2 - shift)
        shifts.append(shift)
    return "".join(out), starts, shifts


def original_span(start: int, end: int, starts: list[int], shifts: list[int]) -> tuple[int, int]:
    """The span in the original text of normalised ``text[start:end]``.

    From normalised index ``starts[k]`` on, the original index is the normalised one plus
    ``shifts[k]``.
    """
    k = bisect.bisect_right(starts, start) - 1
    if k >= 0:
        start += shifts[k]
    # The last character, not the end: a removed marker right after a match is not in it.
    k = bisect.bisect_right(starts, end - 1, max(0, k)) - 1
    if k >= 0:
        end += shifts[k]
    return start, end
