"""A frozen copy of ``payportal.references._find`` as it was before its rewrite (commit aec8da9).

Kept only for ``test_find_unchanged.py``, which proves the rewrite reports exactly what this
version reported. Delete both once ``find`` is meant to behave differently.

Bank text is normalised once (upper case, MT940 subfield markers and line wraps removed), then
searched with one precompiled regular expression per kind of candidate, each run only on lines
that hold a substring it needs. Each candidate is checked by its scheme; only what passes is
reported, with the span it occupies in the original text.
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

import attrs

from payportal.exceptions import InvalidReferenceError, ValidationError
from payportal.references import ch_qrr, rf
from payportal.references._common import CheckStrength
from payportal.references._registry import SchemeLike, SchemeSpec, resolve
from payportal.references.template import Template

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

__all__ = ["FIND_DEFAULT", "Confidence", "Match", "find"]

#: The schemes :func:`find` looks for unless told otherwise: those whose references cannot be
#: mistaken for ordinary numbers. Finnish references and KIDs are plain digits with one check
#: digit, so one number in ten passes by chance; enable them where they are in use.
FIND_DEFAULT: tuple[str, ...] = ("rf", "be_ogm", "ch_qrr", "billpay")


class Confidence(enum.IntEnum):
    """How sure :func:`find` is that a match is a reference the merchant issued.

    Ordered, so ``match.confidence >= Confidence.LIKELY`` works.
    """

    #: Has the shape of a reference, but nothing checks it (a template without check digits).
    POSSIBLE = 1
    #: Passes a weak check (one check digit) or has a distinctive shape without a check
    #: (``BP1234567/3333``).
    LIKELY = 2
    #: Passes strong check digits (RF, Belgian OGM, Swiss QRR, a MOD 97 template), or is in
    #: the merchant's ``known`` references.
    CERTAIN = 3


@attrs.frozen
class Match:
    """A reference found in bank text.

    Attributes:
        value: the reference in compact form, as ``generate`` returns it and ``known`` holds it.
        scheme: the name of the scheme that accepted it.
        span: ``(start, end)`` of the reference in the text given to :func:`find`; line
            breaks and MT940 subfield markers inside it are included.
        confidence: see :class:`Confidence`.
    """

    value: str
    scheme: str
    span: tuple[int, int]
    confidence: Confidence


_new_object = object.__new__
# The slots' own setters: what attrs' frozen ``__init__`` ends up calling, without its
# generic ``object.__setattr__`` lookups. Matches are made for every reference found.
_set_value = Match.__dict__["value"].__set__
_set_scheme = Match.__dict__["scheme"].__set__
_set_span = Match.__dict__["span"].__set__
_set_confidence = Match.__dict__["confidence"].__set__


def _match(value: str, scheme: str, span: tuple[int, int], confidence: Confidence) -> Match:
    """``Match(value, scheme, span, confidence)`` for values :func:`find` already checked
    (``Match`` has no validators or converters, so the result is the same object)."""
    match: Match = _new_object(Match)
    _set_value(match, value)
    _set_scheme(match, scheme)
    _set_span(match, span)
    _set_confidence(match, confidence)
    return match


# ---------------------------------------------------------------------------------------------
# Normalisation


# Upper case for ASCII letters only, as a str.translate table (other characters stay as they are).
_ASCII_UPPER = tuple(chr(code).upper() if code < 128 else chr(code) for code in range(128))
# MT940 :86: subfield markers (?20, possibly split by a line wrap), line breaks, runs of blanks.
# Captured, so that ``split`` hands over text and breaks alternately, in C. Every alternative
# starts with a literal character, so the regex engine skips to those (see _SEARCHES).
_BREAK = re.compile(r"(\?(?:\r?\n)?[0-9](?:\r?\n)?[0-9]|\r\n|\n|\r| [ \t]+|\t[ \t]*)")
_MT940_REMITTANCE = re.compile(r"\?(?:\r?\n)?2(?:\r?\n)?[0-9]")
_NEWLINES = ("\r\n", "\n", "\r")
# The breaks that are removed rather than replaced by a space. ?20-?29 continue the remittance
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


def _normalise(upper: str) -> tuple[str, list[int], list[int]]:
    """Return the searchable text for ``upper`` and the offset table mapping it back.

    ``upper`` is the text in upper case (ASCII letters only), holding something to normalise:
    a ``?``, a line break, a tab or two blanks in a row (:func:`find` checks, as most lines
    hold none). The table is two parallel lists: from normalised index ``starts[k]`` on, the
    original index is the normalised one plus ``shifts[k]``.
    """
    if "\n" not in upper and "\r" not in upper and "\t" not in upper and "  " not in upper:
        return _normalise_markers(upper)
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


# What follows the "?" of an MT940 subfield marker (ASCII digits only): "20" to "29" continue
# the remittance text mid-word, the others start a separate field.
_MARKER_DIGITS = frozenset(f"{n:02d}" for n in range(100))
_REMITTANCE_DIGITS = frozenset(f"2{n}" for n in range(10))


def _normalise_markers(upper: str) -> tuple[str, list[int], list[int]]:
    """:func:`_normalise` for text whose only breaks are ``?nn`` subfield markers.

    The usual shape of an MT940 ``:86:`` field on one line. ``str.split`` on ``?`` is many
    times faster than the general regex split, which tries every blank as a break.
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


def _original_span(start: int, end: int, starts: list[int], shifts: list[int]) -> tuple[int, int]:
    """The span in the original text of normalised ``text[start:end]``."""
    k = bisect.bisect_right(starts, start) - 1
    if k >= 0:
        start += shifts[k]
    # The last character, not the end: a removed marker right after a match is not in it.
    k = bisect.bisect_right(starts, end - 1, max(0, k)) - 1
    if k >= 0:
        end += shifts[k]
    return start, end


# ---------------------------------------------------------------------------------------------
# The search plan: one regular expression for the enabled schemes


_D = "[0-9O]"  # a digit as typed or read by OCR: O for 0


def _spaced(low: int, high: int) -> str:
    # low..high digits; payers split long numbers with single spaces, but an O after a space
    # starts a word ("3333 OK"), so only an O glued to a digit is read as 0.
    return f"{_D}(?:[0-9O]| [0-9]){{{low - 1},{high - 1}}}"


# The Belgian structured communication without its +++ frame, "010/8068/17183". Its first
# character is any digit, so the regex engine would try every digit of a line; it is found
# from its first slash instead (see _FromSlash).
_BARE_OGM = rf"[0-9](?<![0-9][0-9])(?: ?{_D}){{2}} ?/ ?{_spaced(4, 4)} ?/ ?{_spaced(5, 5)}(?![0-9])"
_BARE_OGM_FROM_SLASH = rf"/ ?{_spaced(4, 4)} ?/ ?{_spaced(5, 5)}(?![0-9])"


class _FromSlash:
    """``re.compile(_BARE_OGM).search``, started only where the part from the first slash on
    occurs.

    That part starts with a literal slash, which the regex engine skips to in C; the whole
    pattern starts with any digit, where it would try a match at each digit of the line. A
    match's first slash is 3 to 6 characters after its start (three digits, single spaces), so
    no match starts more than 6 characters before the first place the rest matches.
    """

    pattern = re.compile(_BARE_OGM)
    rest = re.compile(_BARE_OGM_FROM_SLASH)

    def search(self, string: str, pos: int = 0) -> re.Match[str] | None:
        rest = self.rest.search(string, pos + 3)
        if rest is None:
            return None
        return self.pattern.search(string, max(pos, rest.start() - 6))


# One regular expression per kind of candidate, each starting with a literal or a character
# class (look-behinds come after the first character; "[+*][+*]{2}", not "[+*]{3}"): the regex
# engine then skips in C to the positions where a candidate can start. (A single pattern with
# alternatives would not: CPython only does that for alternatives that all start with a
# literal.)
#
# Each comes with its needles: substrings of which a line must hold one for the search to be
# run at all. An ``in`` test is far cheaper than a regex scan, and most remittance lines hold
# no reference of most schemes.
_SEARCHES: dict[str, tuple[tuple[str | _FromSlash, tuple[str, ...]], ...]] = {
    "rf": ((r"R(?<![A-Z]R)F[0-9O]{2}(?: ?[0-9A-Z]){1,21}", ("RF",)),),
    # No check digit to tell where a spaced merchant id would end: it must be typed whole.
    "billpay": ((rf"B(?<![A-Z]B)P ?{_spaced(1, 20)} ?/ ?{_D}{{1,10}}(?![0-9])", ("BP",)),),
    "be_ogm": (
        (
            rf"[+*][+*]{{2}} ?{_spaced(3, 3)} ?/? ?{_spaced(4, 4)} ?/? ?{_spaced(5, 5)} ?[+*]{{3}}",
            ("/", "+++", "***"),
        ),
        (_FromSlash(), ("/",)),  # the bare form needs its slashes: "010/8068/17183"
    ),
}
# The characters of a digit run as 1, any other as 0 (a ``bytes.translate`` table).
_RUN_BYTES = bytes(49 if chr(code) in "0123456789O " else 48 for code in range(256))


def _digits(shortest: int) -> str:
    """A run of digits, possibly split into groups by single spaces, of at least ``shortest``
    digits (shorter runs are skipped inside the regex engine). An O counts as a digit inside a
    run, never at its start ("NO 12", "NO12")."""
    return (
        rf"[0-9](?<![0-9][0-9])(?=(?: ?[0-9O]){{{max(shortest - 1, 0)}}})"
        r"[0-9O]*+(?: O*+[0-9][0-9O]*+)*+"
    )


# Digit-run schemes: (name, shortest, longest, confidence when valid and not known; None means
# only a known reference counts, because the bare form is too common by chance).
_RUN_SCHEMES: dict[str, tuple[int, int, Confidence | None]] = {
    "ch_qrr": (27, 27, Confidence.CERTAIN),
    "be_ogm": (12, 12, None),
    "fi": (4, 20, Confidence.LIKELY),
    "no_kid": (2, 25, Confidence.LIKELY),
}

# Checks for digit windows, where the scheme's own is_valid would clean up what is clean.
_RUN_CHECKS: dict[str, Callable[[str], bool]] = {"ch_qrr": ch_qrr.checksum_holds}
_TEMPLATE_CONFIDENCE = {
    CheckStrength.STRONG: Confidence.CERTAIN,
    CheckStrength.WEAK: Confidence.LIKELY,
    CheckStrength.NONE: Confidence.POSSIBLE,
}


# Turns a match of a search's regex into the references it holds (none, one, or for digit runs
# several): ``check(match, plan, known)``.
_Check = Callable[[re.Match[str], "_Plan", "Container[str] | None"], list["_Found"]]


class _Searcher(Protocol):
    """What a search needs of its pattern: ``re.Pattern.search``."""

    def search(self, string: str, pos: int = 0, /) -> re.Match[str] | None: ...


class _Search(NamedTuple):
    regex: _Searcher
    check: _Check
    # Where the search goes on after a candidate that holds no reference: past a digit run
    # (no window of it is a reference), otherwise one character on (candidates may overlap).
    past_run: bool


class _DigitSearch(NamedTuple):
    search: _Search
    # A cheap test a line must pass first, on its ASCII bytes (non-ASCII characters are never
    # digits, and dropping them can only join stretches): as many characters in a row as the
    # shortest run has digits, all of which could belong to a run (``_RUN_BYTES``). Most lines
    # with digits fail it; the regex would have to try each of their digits as a run's start.
    stretch: bytes


@attrs.frozen
class _Plan:
    # (search, needles) in priority order: at the same position the earlier search wins.
    searches: tuple[tuple[_Search, tuple[str, ...]], ...]
    # (name, shortest, longest, confidence, check) of each digit-run scheme.
    runs: tuple[tuple[str, int, int, Confidence | None, Callable[[str], bool]], ...]
    # The numbers of digits some digit-run scheme can report, with and without ``known``,
    # ascending: without it, schemes that need it never report, so other lengths are not worth
    # a check.
    sizes_known: tuple[int, ...]
    sizes_unknown: tuple[int, ...]
    # The smallest of each (0 where there are none: no digit search runs then).
    fewest_known: int
    fewest_unknown: int
    # The search for digit runs long enough for some scheme, with and without ``known`` (None:
    # no scheme to report).
    digits_known: _DigitSearch | None
    digits_unknown: _DigitSearch | None
    # Every needle of ``searches``, once.
    needles: tuple[str, ...]
    # The searches to run, by which needles a line holds (bit k set: it holds needles[k]):
    # filled as lines come, so that gating a line costs a substring test per needle and one
    # lookup. A handful of ``in`` tests beat one regex scan for all of them.
    gated: dict[int, tuple[_Search, ...]] = attrs.field(factory=dict, eq=False, repr=False)


@functools.lru_cache(maxsize=128)
def _plan(schemes: tuple[SchemeLike, ...]) -> _Plan:
    specs = resolve(schemes)
    searches: list[tuple[_Search, tuple[str, ...]]] = []
    runs = []
    for spec in specs:
        if spec.template is not None:
            body = spec.template.search_regex()
            # Field values are letters and digits: a template match must not cut into a word.
            regex = re.compile(f"(?<![0-9A-Z])(?:{_strip_groups(body)})(?![0-9A-Z])")
            check: _Check = functools.partial(_template, spec=spec)
            searches.append((_Search(regex, check, past_run=False), ()))
        else:
            for pattern, needles in _SEARCHES.get(spec.name, ()):
                check = _CHECKS[spec.name]
                searcher = re.compile(pattern) if isinstance(pattern, str) else pattern
                searches.append((_Search(searcher, check, past_run=False), needles))
            if spec.name in _RUN_SCHEMES:
                is_valid = _RUN_CHECKS.get(spec.name, spec.is_valid)
                runs.append((spec.name, *_RUN_SCHEMES[spec.name], is_valid))
    sizes_known = sorted({n for _, low, high, _, _ in runs for n in range(low, high + 1)})
    sizes_unknown = sorted(
        {
            n
            for _, low, high, confidence, _ in runs
            if confidence is not None
            for n in range(low, high + 1)
        }
    )
    every_needle = tuple(dict.fromkeys(n for _, needles in searches for n in needles))
    return _Plan(
        tuple(searches),
        tuple(runs),
        tuple(sizes_known),
        tuple(sizes_unknown),
        min(sizes_known, default=0),
        min(sizes_unknown, default=0),
        _digit_search(sizes_known),
        _digit_search(sizes_unknown),
        every_needle,
    )


def _digit_search(sizes: list[int]) -> _DigitSearch | None:
    if not sizes:
        return None
    fewest = min(sizes)
    return _DigitSearch(_Search(re.compile(_digits(fewest)), _runs, past_run=True), b"1" * fewest)


def _strip_groups(regex: str) -> str:
    # Named groups of several templates would clash in the combined pattern.
    return re.sub(r"\(\?P<[a-z_]+>", "(?:", regex)


# ---------------------------------------------------------------------------------------------
# Candidates: each checker returns (start, end, value, scheme, confidence) in normalised indices

_Found = tuple[int, int, str, str, Confidence]


# The runs of digits and of letters in an RF candidate's body: a reference followed by more
# text ends where one run ends ("…7034DANKE", "…7034 2026").
_RF_RUN = re.compile(r"[0-9]+|[A-Z]+")


# The SEPA field keywords of remittance text ("EREF+", "SVWZ+", …): in MT940 subfields the next
# keyword often follows a value without a space ("EREF+RF18539007547034SVWZ+Rechnung").
_SEPA_KEYWORDS = frozenset(
    [
        "ABWA",
        "ABWE",
        "BIC",
        "COAM",
        "CRED",
        "DEBT",
        "EREF",
        "IBAN",
        "KREF",
        "MREF",
        "OAMT",
        "PURP",
        "SVWZ",
    ]
)


def _rf_cuts(tail: str, before_plus: bool) -> tuple[list[int], dict[int, int] | None]:
    """Candidate body lengths for an RF match, most plausible first, and where each ends.

    ``tail`` is the match after ``RF`` and the check digits: the body, with single spaces;
    ``before_plus``: a ``+`` follows the match. Returned: the body lengths to try, and for
    each the end offset in ``tail`` (None: ``tail`` has no spaces, so a cut of ``k``
    characters ends at offset ``k``).

    A reference followed by more text ("7034 DANKE", "7034 2026-17") is cut back to where its
    check digits hold. Where two cuts both pass (one in a hundred), the printed form decides:
    groups of four ending in a shorter group (a word longer than four is not a group), a
    compact reference typed as one word, and in both, a SEPA keyword glued on before a ``+``
    ("…7034SVWZ+") starts the next field.
    """
    keyword = 0  # the length of a glued SEPA keyword at the end of ``tail``
    if before_plus:
        for length in (4, 3):
            if tail[-length:] in _SEPA_KEYWORDS and tail[-length - 1 : -length] not in ("", " "):
                keyword = length
                break
    if " " not in tail:  # typed as one word: its longest reading first
        if tail.isdigit() or tail.isalpha():
            return [len(tail)], None
        if keyword and tail[:-keyword].isdigit():  # "EREF+RF18539007547034SVWZ+": two runs
            return [len(tail) - keyword, len(tail)], None
        order = list(itertools.accumulate(map(len, _RF_RUN.findall(tail))))
        order.reverse()
        preferred = order[0]
        ends = None
    else:
        cuts: list[int] = []  # body lengths at which a run of digits or of letters ends
        ends = {}
        spaced: list[int] = []  # the cuts followed by a space or the end of the match
        size = offset = 0
        for word in tail.split(" "):
            if word.isdigit() or word.isalpha():  # nearly every word: one run, no regex needed
                size += len(word)
                offset += len(word)
                cuts.append(size)
                ends[size] = offset
            elif word:
                for run in _RF_RUN.findall(word):
                    size += len(run)
                    offset += len(run)
                    cuts.append(size)
                    ends[size] = offset
            else:  # the space after the check digits
                offset += 1
                continue
            spaced.append(size)
            offset += 1
        order = cuts[::-1]  # the longest reading first
        preferred = spaced[0]  # "RF18539007547034 …": typed as one word
        if tail[0] == " ":  # "RF18 5390 0754 70": paper form
            preferred = order[0]
            previous = 0
            for k in spaced:
                if previous and k - previous > 4:  # "RF18 5390 0754 7034 DANKE"
                    preferred = previous
                    break
                if k % 4:
                    preferred = k
                    break
                previous = k
    if keyword and order[0] - keyword in order:
        preferred = order[0] - keyword
    if preferred != order[0]:
        order.remove(preferred)
        order.insert(0, preferred)
    return order, ends


def _rf(match: re.Match[str], plan: _Plan, known: Container[str] | None) -> list[_Found]:
    raw = match[0]  # RF, two check digits (O read as 0), body with single spaces
    head = "RF" + raw[2:4].replace("O", "0")
    tail = raw[4:]
    end = match.end()
    cuts, ends = _rf_cuts(tail, match.string[end : end + 1] == "+")
    body = tail if ends is None else tail.replace(" ", "")
    start = match.start()
    if known is None:
        # The loop below without the list of candidates: most often an early one holds.
        checksum_holds = rf.checksum_holds
        for k in cuts:
            cut = body[:k]
            value = head + cut
            if not checksum_holds(value):
                if "O" not in cut:
                    continue
                value = head + cut.replace("O", "0")
                if not checksum_holds(value):
                    continue
            end = start + 4 + (k if ends is None else ends[k])
            return [(start, end, value, "rf", Confidence.CERTAIN)]
        return []
    candidates: list[tuple[int, str]] = []  # (body length, reference), most plausible first
    for k in cuts:
        cut = body[:k]
        candidates.append((k, head + cut))
        if "O" in cut:
            candidates.append((k, head + cut.replace("O", "0")))
    # The merchant's own references first: they resolve any ambiguity about where one ends;
    # then the check digits (well-formed by construction: the regex).
    for k, value in itertools.chain(
        ((k, v) for k, v in candidates if v in known),
        ((k, v) for k, v in candidates if rf.checksum_holds(v)),
    ):
        end = start + 4 + (k if ends is None else ends[k])
        return [(start, end, value, "rf", Confidence.CERTAIN)]
    return []


# What a BillPay or OGM candidate becomes once its spaces and frames are gone: the regexes admit
# nothing else, so it is well-formed (an O typed for 0 is read as 0).
# (``str.translate`` tables indexed by code point: faster than dicts.)
_COMPACT_BILLPAY = tuple({" ": None, "O": "0"}.get(chr(code), chr(code)) for code in range(128))
_COMPACT_OGM = tuple(
    {" ": None, "+": None, "*": None, "/": None, "O": "0"}.get(chr(code), chr(code))
    for code in range(128)
)


def _billpay(match: re.Match[str], plan: _Plan, known: Container[str] | None) -> list[_Found]:
    # BP, 1-20 digits, "/", 1-10 digits (the regex): the whole of what billpay.validate checks.
    value = match[0].translate(_COMPACT_BILLPAY)
    confidence = Confidence.CERTAIN if known is not None and value in known else Confidence.LIKELY
    return [(match.start(), match.end(), value, "billpay", confidence)]


def _be_ogm(match: re.Match[str], plan: _Plan, known: Container[str] | None) -> list[_Found]:
    # 12 digits (the regex), so be_ogm.is_valid comes down to its MOD 97 check (all zeros fail it).
    value = match[0].translate(_COMPACT_OGM)
    if (int(value[:10]) % 97 or 97) == int(value[10:]) or (known is not None and value in known):
        return [(match.start(), match.end(), value, "be_ogm", Confidence.CERTAIN)]
    return []


def _template(
    match: re.Match[str], plan: _Plan, known: Container[str] | None, *, spec: SchemeSpec
) -> list[_Found]:
    try:
        value = spec.validate(match[0])
    except InvalidReferenceError:
        return []
    known_value = known is not None and value in known
    confidence = Confidence.CERTAIN if known_value else _TEMPLATE_CONFIDENCE[spec.check]
    return [(match.start(), match.end(), value, spec.name, confidence)]


def _runs(match: re.Match[str], plan: _Plan, known: Container[str] | None) -> list[_Found]:
    """The references in a digit run: every window of whole groups whose length some scheme
    can report, as the payer might have split one number."""
    start, end = match.span()
    if known is None:
        sizes, fewest = plan.sizes_unknown, plan.fewest_unknown
    else:
        sizes, fewest = plan.sizes_known, plan.fewest_known
    groups = match[0].replace("O", "0").split(" ")
    if len(groups) == 1:  # one unbroken number: the only window is all of it
        value = groups[0]
        if len(value) not in sizes:
            return []
        hit = _run_hit(value, plan, known)
        return [] if hit is None else [(start, end, value, *hit)]
    # Digits before each group: the window of groups[i:j] has bounds[j] - bounds[i] digits,
    # and starts bounds[i] + i characters into the run (one space between groups).
    bounds = [0, *itertools.accumulate(map(len, groups))]  # strictly ascending
    total = bounds[-1]
    if total in sizes and _plausible_splits(total, bounds[1:-1], 0):
        # The usual case, a reference printed in groups: when the whole run is one of the
        # surest kind, every other window overlaps it and ranks below it.
        value = "".join(groups)
        hit = _run_hit(value, plan, known)
        if hit is not None and hit[1] is Confidence.CERTAIN:
            return [(start, end, value, *hit)]
    found: list[_Found] = []
    for i, before in enumerate(bounds):
        if total - before < fewest:
            break
        for size in sizes:  # ascending: windows in the order of their ends
            j = bisect.bisect_left(bounds, before + size, i + 1)
            if j > len(groups) or bounds[j] != before + size:
                continue
            if j - i > 1 and not _plausible_splits(size, bounds[i + 1 : j], before):
                continue
            value = "".join(groups[i:j])
            hit = _run_hit(value, plan, known)
            if hit is not None:
                found.append((start + before + i, start + bounds[j] + j - 1, value, *hit))
    return _non_overlapping(found)


def _plausible_splits(size: int, splits: list[int], before: int) -> bool:
    """Whether spaces at ``splits`` (minus ``before``) could be how a payer wrote one number
    of ``size`` digits.

    Long references are printed in groups of five counted from the right, and a payer may
    add one space of their own; several numbers that merely stand next to each other
    ("141025 7297199 419797569") split anywhere, and are not joined into one reference.
    """
    odd = 0
    end = before + size
    expected = end - 5  # the next group boundary counted from the right
    for split in reversed(splits):
        if (end - split) % 5:
            odd += 1
            if odd > 1:
                return False
        elif split != expected:
            # Who groups in fives does so from the end without skipping a group: boundaries
            # 10 and 20 digits from the right without the one at 5 are numbers that happen to
            # stand side by side ("2002868 3809715870 3004 120642"), not one reference.
            return False
        else:
            expected -= 5
    return True


def _run_hit(
    value: str, plan: _Plan, known: Container[str] | None
) -> tuple[str, Confidence] | None:
    size = len(value)
    for name, low, high, confidence, check in plan.runs:
        if low <= size <= high:
            if known is not None and value in known:
                if check(value):
                    return name, Confidence.CERTAIN
            elif confidence is not None and check(value):
                return name, confidence
    return None


def _non_overlapping(found: list[_Found]) -> list[_Found]:
    if len(found) < 2:
        return found
    # The surest, then the longest: "12345678903" beats the "45678903" inside it.
    ranked = sorted(found, key=lambda f: (-f[4], f[0] - f[1], f[0]))
    chosen: list[_Found] = []
    for candidate in ranked:
        if all(candidate[1] <= c[0] or c[1] <= candidate[0] for c in chosen):
            chosen.append(candidate)
    return sorted(chosen)


# ---------------------------------------------------------------------------------------------


def find(
    text: str,
    *,
    schemes: SchemeLike | Iterable[SchemeLike] = FIND_DEFAULT,
    known: Container[str] | None = None,
) -> list[Match]:
    """Return every reference of ``schemes`` in ``text``, in order of appearance.

    ``text`` is remittance information as a bank delivers it: an MT940 ``:86:`` field with its
    ``?20``-``?29`` subfields, camt.053 ``Ustrd`` lines, or a line typed by a payer. Found
    regardless of case, SEPA prefixes (``EREF+``, ``SVWZ+``, ``KREF+``, ``MREF+``), spaces
    inserted into a reference, a reference split across subfields or wrapped 27/35-character
    lines, and ``O`` typed for ``0``. A reference glued to a preceding letter
    (``"RechnungRF18…"``) is not found: that is indistinguishable from an ordinary word.

    >>> [m.value for m in find("SVWZ+Rechnung 2026-17 RF18 5390 07 54 7034 danke")]
    ['RF18539007547034']
    >>> find("?20EREF+BP1234567/33?2133")[0].value
    'BP1234567/3333'

    Args:
        text: the remittance text.
        schemes: scheme names and :class:`~payportal.references.template.Template` objects to
            look for; default :data:`FIND_DEFAULT`.
        known: the compact references the merchant issued (a set, or anything supporting
            ``in``). A candidate that passes its scheme and is known is certain; known
            references of schemes not in ``schemes`` are not looked for.

    Returns:
        The matches, without overlaps.

    Raises:
        ValidationError: ``text`` is not a string or ``schemes`` names an unknown scheme.
    """
    if not isinstance(text, str):
        raise ValidationError("must be a string", field="text", value=text)
    plan = _DEFAULT_PLAN if schemes is FIND_DEFAULT else _plan_for(schemes)
    # Upper case (ASCII letters only: "ß".upper() is "SS", which would shift every index
    # after it), then _normalise where there is anything to normalise.
    norm = text.upper() if text.isascii() else text.translate(_ASCII_UPPER)
    if "?" in norm or "\n" in norm or "\r" in norm or "\t" in norm or "  " in norm:
        norm, starts, shifts = _normalise(norm)
    else:
        starts = shifts = []
    # The searches worth running: this runs for every line of a statement, so inline.
    present = 0
    for needle in plan.needles:
        present += present + (needle in norm)
    searches = plan.gated.get(present)
    if searches is None:
        searches = _gate(plan, present)
    digits = plan.digits_unknown if known is None else plan.digits_known
    if digits is not None and digits.stretch in norm.encode("ascii", "ignore").translate(
        _RUN_BYTES
    ):
        searches = (*searches, digits.search)
    if not searches:
        return []
    found = _scan(norm, searches, plan, known)
    if not found:
        return []
    if not starts:  # nothing removed or replaced: indices are the same in both texts
        return [
            _match(value, scheme, (start, end), conf) for start, end, value, scheme, conf in found
        ]
    return [
        _match(value, scheme, _original_span(start, end, starts, shifts), confidence)
        for start, end, value, scheme, confidence in found
    ]


def _scan(
    norm: str, searches: tuple[_Search, ...], plan: _Plan, known: Container[str] | None
) -> list[_Found]:
    """Run ``searches`` over ``norm`` and return the references found, in order.

    A candidate that is not a reference only moves its own search on (see
    :attr:`_Search.past_run`); a reference moves every search past it, so no two overlap.
    """
    if len(searches) == 1:
        return _scan_one(norm, searches[0], searches[0].regex.search(norm), plan, known)
    found: list[_Found] = []
    # The next match of every search; the earliest (then the highest priority) is handled next.
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
        if live == 1:  # the others are done: the same rule without the bookkeeping
            found.extend(_scan_one(norm, searches[best], pending[best], plan, known))
            return found
        match = pending[best]
        assert match is not None
        regex, check, past_run = searches[best]
        hits = check(match, plan, known)
        if not hits:
            pending[best] = regex.search(norm, match.end() if past_run else start + 1)
            continue
        found.extend(hits)
        position = max(match.end() if past_run else 0, hits[-1][1])
        for index, candidate in enumerate(pending):
            if candidate is not None and candidate.start() < position:
                pending[index] = searches[index].regex.search(norm, position)


def _scan_one(
    norm: str,
    search: _Search,
    match: re.Match[str] | None,
    plan: _Plan,
    known: Container[str] | None,
) -> list[_Found]:
    """:func:`_scan` for one search, from its ``match`` on."""
    regex, check, past_run = search
    found: list[_Found] = []
    while match is not None:
        hits = check(match, plan, known)
        if hits:
            found += hits
            position = max(match.end() if past_run else 0, hits[-1][1])
        else:
            position = match.end() if past_run else match.start() + 1
        match = regex.search(norm, position)
    return found


def _gate(plan: _Plan, present: int) -> tuple[_Search, ...]:
    """The searches of ``plan`` a line needs, remembered: a substring test is far cheaper
    than a regex scan, and most lines hold no reference of most schemes.

    ``present`` says which of ``plan.needles`` the line holds, the first in the highest bit.
    """
    count = len(plan.needles)
    held = {n for k, n in enumerate(plan.needles) if present >> (count - 1 - k) & 1}
    active = plan.gated[present] = tuple(
        search for search, needles in plan.searches if not needles or not held.isdisjoint(needles)
    )
    return active


_CHECKS = {"rf": _rf, "billpay": _billpay, "be_ogm": _be_ogm}
_DEFAULT_PLAN = _plan(FIND_DEFAULT)


def _plan_for(schemes: SchemeLike | Iterable[SchemeLike]) -> _Plan:
    if schemes is FIND_DEFAULT:
        return _DEFAULT_PLAN
    if isinstance(schemes, str | Template):
        return _plan((schemes,))
    return _plan(schemes if isinstance(schemes, tuple) else tuple(schemes))
