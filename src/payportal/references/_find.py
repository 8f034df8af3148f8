"""``find``: payment references in the remittance text of bank statements.

Bank text is normalised once (upper case, MT940 subfield markers and line wraps removed), then
searched with one precompiled regular expression that holds an alternative per kind of
candidate. Each candidate is checked by its scheme; only what passes is reported, with the
span it occupies in the original text.
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
from typing import TYPE_CHECKING

import attrs

from payportal.exceptions import InvalidReferenceError, ValidationError
from payportal.references import be_ogm, billpay, rf
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


# ---------------------------------------------------------------------------------------------
# Normalisation


_ASCII_UPPER = {code: code - 32 for code in range(ord("a"), ord("z") + 1)}
# MT940 :86: subfield markers (?20, possibly split by a line wrap), line breaks, runs of blanks.
_BREAK = re.compile(r"\?(?:\r?\n)?[0-9](?:\r?\n)?[0-9]|\r\n|\n|\r|[ \t]{2,}|\t")
_MT940_REMITTANCE = re.compile(r"\?(?:\r?\n)?2(?:\r?\n)?[0-9]")
# SEPA remittance lines are cut at 27 (MT940 ?2x subfields) or 35 characters (DTAUS, camt
# renderings); a break after a full line is a wrap inside a word, any other is a separator.
_WRAP_WIDTHS = frozenset({27, 35})


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """Return the searchable text and the offset table mapping it back to ``text``.

    The table is two parallel lists: from normalised index ``starts[k]`` on, the original index
    is the normalised one plus ``shifts[k]``.
    """
    upper = text.upper() if text.isascii() else text.translate(_ASCII_UPPER)
    if (
        "?" not in upper
        and "\n" not in upper
        and "\r" not in upper
        and "\t" not in upper
        and "  " not in upper
    ):
        return upper, [], []
    mt940 = _MT940_REMITTANCE.search(upper) is not None
    pieces: list[str] = []
    starts: list[int] = []
    shifts: list[int] = []
    position = length = line_start = 0
    for brk in _BREAK.finditer(upper):
        token = brk[0]
        if token[0] == "?":
            # ?20-?29 continue the remittance text mid-word; other subfields start a new field.
            digits = token.replace("\r", "").replace("\n", "")
            replacement = "" if digits[1] == "2" else " "
        elif token[0] in "\r\n":
            full_line = brk.start() - line_start in _WRAP_WIDTHS
            replacement = "" if mt940 or full_line else " "
            line_start = brk.end()
        else:
            replacement = " "
        pieces.append(upper[position : brk.start()])
        pieces.append(replacement)
        length += brk.start() - position + len(replacement)
        position = brk.end()
        starts.append(length)
        shifts.append(position - length)
    pieces.append(upper[position:])
    return "".join(pieces), starts, shifts


def _original(index: int, starts: list[int], shifts: list[int]) -> int:
    k = bisect.bisect_right(starts, index) - 1
    return index if k < 0 else index + shifts[k]


# ---------------------------------------------------------------------------------------------
# The search plan: one regular expression for the enabled schemes


_D = "[0-9O]"  # a digit as typed or read by OCR: O for 0


def _spaced(low: int, high: int) -> str:
    # low..high digits; payers split long numbers with single spaces, but an O after a space
    # starts a word ("3333 OK"), so only an O glued to a digit is read as 0.
    return f"{_D}(?:[0-9O]| [0-9]){{{low - 1},{high - 1}}}"


# One regular expression per kind of candidate, each starting with a literal or a character
# class (look-behinds come after the first character): the regex engine then skips in C to the
# positions where a candidate can start. (A single pattern with alternatives would not: CPython
# only does that for alternatives that all start with a literal.)
_SEARCHES: dict[str, tuple[str, ...]] = {
    "rf": (r"R(?<![A-Z]R)F[0-9O]{2}(?: ?[0-9A-Z]){1,21}",),
    # No check digit to tell where a spaced merchant id would end: it must be typed whole.
    "billpay": (rf"B(?<![A-Z]B)P ?{_spaced(1, 20)} ?/ ?{_D}{{1,10}}(?![0-9])",),
    "be_ogm": (
        rf"[+*]{{3}} ?{_spaced(3, 3)} ?/? ?{_spaced(4, 4)} ?/? ?{_spaced(5, 5)} ?[+*]{{3}}",
        rf"[0-9](?<![0-9][0-9])(?: ?{_D}){{2}} ?/ ?{_spaced(4, 4)} ?/ ?{_spaced(5, 5)}(?![0-9])",
    ),
}
# Substrings without which a search cannot match: checking them is far cheaper than a regex
# scan, and most remittance lines hold no reference of most schemes.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "rf": ("RF",),
    "billpay": ("BP",),
    "be_ogm": ("/", "+++", "***"),
}
_NOT_DIGITS = b"0123456789O"


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
_TEMPLATE_CONFIDENCE = {
    CheckStrength.STRONG: Confidence.CERTAIN,
    CheckStrength.WEAK: Confidence.LIKELY,
    CheckStrength.NONE: Confidence.POSSIBLE,
}


@attrs.frozen
class _Plan:
    # (kind, regex, needles) in priority order: at the same position the earlier kind wins.
    # The kind is a built-in scheme name, "digits", or the index of a template in ``templates``.
    searches: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]
    templates: dict[str, SchemeSpec]
    runs: tuple[tuple[SchemeSpec, int, int, Confidence | None], ...]
    shortest: int  # the fewest digits any digit-run scheme accepts
    shortest_unknown: int  # the same, counting only schemes reported without ``known``
    longest: int
    # Digit runs long enough for some scheme, with and without ``known`` (None: no run scheme).
    digits_known: re.Pattern[str] | None
    digits_unknown: re.Pattern[str] | None


@functools.lru_cache(maxsize=128)
def _plan(schemes: tuple[SchemeLike, ...]) -> _Plan:
    specs = resolve(schemes)
    searches: list[tuple[str, str, tuple[str, ...]]] = []
    templates: dict[str, SchemeSpec] = {}
    runs = []
    for spec in specs:
        if spec.template is not None:
            kind = str(len(templates))
            templates[kind] = spec
            body = spec.template.search_regex()
            # Field values are letters and digits: a template match must not cut into a word.
            regex = f"(?<![0-9A-Z])(?:{_strip_groups(body)})(?![0-9A-Z])"
            searches.append((kind, regex, ()))
        else:
            needles = _NEEDLES.get(spec.name, ())
            searches.extend((spec.name, rx, needles) for rx in _SEARCHES.get(spec.name, ()))
            if spec.name in _RUN_SCHEMES:
                runs.append((spec, *_RUN_SCHEMES[spec.name]))
    shortest = min((low for _, low, _, _ in runs), default=0)
    # Without ``known``, schemes that need it never report: a line needs more digits.
    unknown = min((low for _, low, _, c in runs if c is not None), default=10**9)
    longest = max((high for _, _, high, _ in runs), default=0)
    compiled = tuple((kind, re.compile(regex), needles) for kind, regex, needles in searches)
    digits_known = re.compile(_digits(shortest)) if runs else None
    digits_unknown = re.compile(_digits(unknown)) if unknown < 10**9 else None
    return _Plan(
        compiled, templates, tuple(runs), shortest, unknown, longest, digits_known, digits_unknown
    )


def _strip_groups(regex: str) -> str:
    # Named groups of several templates would clash in the combined pattern.
    return re.sub(r"\(\?P<[a-z_]+>", "(?:", regex)


# ---------------------------------------------------------------------------------------------
# Candidates: each checker returns (start, end, value, scheme, confidence) in normalised indices

_Found = tuple[int, int, str, str, Confidence]


def _is_known(value: str, known: Container[str] | None) -> bool:
    return known is not None and value in known


def _rf_ends(body: str, offsets: list[int]) -> list[int]:
    """Candidate body lengths, most plausible first.

    A reference followed by more text ("7034 DANKE", "7034 2026-17") is cut back to where its
    check digits hold. Where two cuts both pass (one in a hundred), the printed form decides:
    groups of four ending in a shorter group, or a compact reference typed as one word.
    """
    # Body lengths at which a space or a switch between letters and digits occurs.
    chunks = [
        k
        for k in range(1, len(body))
        if offsets[4 + k] - offsets[3 + k] > 1 or body[k - 1].isdigit() != body[k].isdigit()
    ]
    chunks.append(len(body))
    preferred: list[int] = []
    spaces = [k for k in chunks if k == len(body) or offsets[4 + k] - offsets[3 + k] > 1]
    if offsets[4] - offsets[3] > 1:  # "RF18 5390 0754 70": paper form
        for k in spaces:
            if k % 4:
                preferred.append(k)
                break
    elif spaces:  # "RF18539007547034 …": typed as one word
        preferred.append(spaces[0])
    return list(dict.fromkeys([*preferred, *reversed(chunks)]))


def _rf(match: re.Match[str], known: Container[str] | None) -> _Found | None:
    raw = match[0]
    offsets = [i for i, c in enumerate(raw) if c != " "]
    chars = raw.replace(" ", "")
    prefix = "RF" + chars[2:4].replace("O", "0")
    body = chars[4:]
    candidates = [
        (k, prefix + variant)
        for k in _rf_ends(body, offsets)
        for variant in dict.fromkeys((body[:k], body[:k].replace("O", "0")))
    ]
    # The merchant's own references first: they resolve any ambiguity about where one ends.
    hit = next((c for c in candidates if _is_known(c[1], known)), None)
    if hit is None:
        hit = next((c for c in candidates if rf.is_valid(c[1])), None)
    if hit is None:
        return None
    start = match.start()
    return start, start + offsets[3 + hit[0]] + 1, hit[1], "rf", Confidence.CERTAIN


def _simple(match: re.Match[str], known: Container[str] | None, spec_name: str) -> _Found | None:
    value = match[0].replace(" ", "").replace("O", "0")
    if spec_name == "billpay":
        if not billpay.is_valid(value):
            return None
        confidence = Confidence.CERTAIN if _is_known(value, known) else Confidence.LIKELY
    else:
        value = be_ogm.compact(value)
        if not (be_ogm.is_valid(value) or _is_known(value, known)):
            return None
        confidence = Confidence.CERTAIN
    return match.start(), match.end(), value, spec_name, confidence


def _template(
    match: re.Match[str], known: Container[str] | None, spec: SchemeSpec
) -> _Found | None:
    try:
        value = spec.validate(match[0])
    except InvalidReferenceError:
        return None
    known_value = _is_known(value, known)
    confidence = Confidence.CERTAIN if known_value else _TEMPLATE_CONFIDENCE[spec.check]
    return match.start(), match.end(), value, spec.name, confidence


def _runs(
    text: str, start: int, end: int, plan: _Plan, known: Container[str] | None
) -> list[_Found]:
    run = text[start:end]
    if len(run) - run.count(" ") < plan.shortest:
        return []
    groups: list[tuple[int, str]] = []  # (offset in run, digits with O read as 0)
    offset = 0
    for group in run.split(" "):
        groups.append((offset, group.replace("O", "0")))
        offset += len(group) + 1
    longest = plan.longest
    found: list[_Found] = []
    for i, (first, _) in enumerate(groups):
        value = ""
        splits: list[int] = []  # where the window's groups meet, as offsets into ``value``
        for j in range(i, len(groups)):
            if value:
                splits.append(len(value))
            value += groups[j][1]
            if len(value) > longest:
                break
            if len(value) < plan.shortest or not _plausible_splits(len(value), splits):
                continue
            hit = _run_hit(value, plan, known)
            if hit is not None:
                last = groups[j][0] + len(groups[j][1])
                found.append((start + first, start + last, value, *hit))
    return _non_overlapping(found)


def _plausible_splits(size: int, splits: list[int]) -> bool:
    """Whether spaces at ``splits`` could be how a payer wrote one number of ``size`` digits.

    Long references are printed in groups of five counted from the right, and a payer may
    add one space of their own; several numbers that merely stand next to each other
    ("141025 7297199 419797569") split anywhere, and are not joined into one reference.
    """
    odd = 0
    for split in splits:
        if (size - split) % 5:
            odd += 1
            if odd > 1:
                return False
    return True


def _run_hit(
    value: str, plan: _Plan, known: Container[str] | None
) -> tuple[str, Confidence] | None:
    size = len(value)
    for spec, low, high, confidence in plan.runs:
        if low <= size <= high:
            if _is_known(value, known):
                if spec.is_valid(value):
                    return spec.name, Confidence.CERTAIN
            elif confidence is not None and spec.is_valid(value):
                return spec.name, confidence
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
    plan = _plan_for(schemes)
    norm, starts, shifts = _normalise(text)
    found: list[_Found] = []
    searches = _searches(plan, norm, known)
    if not searches:
        return []
    # The next match of every search; the earliest (then the highest priority) is handled next.
    pending = [regex.search(norm) for _, regex in searches]
    while True:
        best, start = -1, len(norm) + 1
        for index, candidate in enumerate(pending):
            if candidate is not None and candidate.start() < start:
                best, start = index, candidate.start()
        if best < 0:
            break
        match = pending[best]
        assert match is not None
        kind, regex = searches[best]
        hits = _hits(kind, match, norm, plan, known)
        if not hits:
            # Not a reference: that search looks on from the next character (or past a digit
            # run); the other searches' matches are unaffected.
            pending[best] = regex.search(norm, match.end() if kind == "digits" else start + 1)
            continue
        found.extend(hits)
        position = max(match.end() if kind == "digits" else 0, hits[-1][1])
        for index, candidate in enumerate(pending):
            if candidate is not None and candidate.start() < position:
                pending[index] = searches[index][1].search(norm, position)
    return [
        Match(
            value,
            scheme,
            (_original(start, starts, shifts), _original(end - 1, starts, shifts) + 1),
            confidence,
        )
        for start, end, value, scheme, confidence in found
    ]


def _searches(
    plan: _Plan, norm: str, known: Container[str] | None
) -> list[tuple[str, re.Pattern[str]]]:
    """The searches worth running on ``norm``: a substring test or a digit count is far cheaper
    than a regex scan, and most lines hold no reference of most schemes."""
    active = []
    for kind, regex, needles in plan.searches:
        if not needles:
            active.append((kind, regex))
            continue
        for needle in needles:
            if needle in norm:
                active.append((kind, regex))
                break
    digits = plan.digits_unknown if known is None else plan.digits_known
    if digits is not None:
        fewest = plan.shortest_unknown if known is None else plan.shortest
        # Counted on bytes, in C; non-ASCII characters are never digits here.
        ascii_text = norm.encode("ascii", "ignore")
        if len(ascii_text) - len(ascii_text.translate(None, _NOT_DIGITS)) >= fewest:
            active.append(("digits", digits))
    return active


def _hits(
    kind: str, match: re.Match[str], norm: str, plan: _Plan, known: Container[str] | None
) -> list[_Found]:
    if kind == "digits":
        return _runs(norm, match.start(), match.end(), plan, known)
    if kind == "rf":
        hit = _rf(match, known)
    elif kind in ("billpay", "be_ogm"):
        hit = _simple(match, known, kind)
    else:
        hit = _template(match, known, plan.templates[kind])
    return [] if hit is None else [hit]


_DEFAULT_PLAN = _plan(FIND_DEFAULT)


def _plan_for(schemes: SchemeLike | Iterable[SchemeLike]) -> _Plan:
    if schemes is FIND_DEFAULT:
        return _DEFAULT_PLAN
    if isinstance(schemes, str | Template):
        return _plan((schemes,))
    return _plan(schemes if isinstance(schemes, tuple) else tuple(schemes))
