"""``find``: payment references in the remittance text of bank statements.

How it works, in the order it happens:

1. The text is normalised: upper case, MT940 subfield markers and wrapped line breaks removed
   (:func:`~payportal.references._scan.normalise`, which keeps a table to map spans back).
2. Each enabled scheme says where its references may stand: the ``PATTERNS`` of the scheme
   modules with a distinctive shape (``rf``, ``be_ogm``, ``billpay``), the ``DIGIT_RUN`` of
   those that are plain digits (``ch_qrr``, ``be_ogm``, ``fi``, ``no_kid``), a template's own
   regex. Every candidate is read by its scheme's reader below, which decides what reference,
   if any, it holds and how sure that is (:class:`Confidence`).
3. What is found is reported in order of appearance, without overlaps, as :class:`Match`.

The speed this needs on bank statements is bought in one place, ``_scan`` (see its docstring);
this module and the scheme modules say only *what* is found.
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import re
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from payportal.exceptions import InvalidReferenceError, ValidationError
from payportal.references import be_ogm, billpay, rf
from payportal.references._common import CheckStrength, DigitRun, compactor
from payportal.references._registry import BUILT_IN, SchemeLike, SchemeSpec, resolve
from payportal.references._scan import (
    Anchored,
    DigitSearch,
    Plan,
    Search,
    normalise,
    original_span,
    scan,
)
from payportal.references.template import Template

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable

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


class Match(NamedTuple):
    """A reference found in bank text: an immutable record, compared by value.

    A named tuple rather than an attrs class: ``find`` builds one for most remittance lines,
    and a tuple is built in half the time (``bench/bench_references.py``).

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


# What passing a scheme's check proves, when the reference is not among the ``known`` ones.
_CONFIDENCE = {
    CheckStrength.STRONG: Confidence.CERTAIN,
    CheckStrength.WEAK: Confidence.LIKELY,
    CheckStrength.NONE: Confidence.POSSIBLE,
}


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
    norm, starts, shifts = normalise(text)
    searches = plan.searches_for(norm, known is not None)
    if not searches:
        return []
    found = scan(norm, searches, known)  # spans in ``norm``
    if not starts:  # nothing was removed or replaced: the spans are those in ``text``
        return found
    return [
        Match(value, scheme, original_span(start, end, starts, shifts), confidence)
        for value, scheme, (start, end), confidence in found
    ]


# ---------------------------------------------------------------------------------------------
# Readers: what reference, if any, a candidate holds. The matches they return have their spans
# in the normalised text; find maps them back.


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


def _read_rf(match: re.Match[str], known: Container[str] | None) -> list[Match]:
    """An RF candidate: ``RF``, two check digits (``O`` read as ``0``), a body with single
    spaces. The reference is the most plausible cut of the body that is ``known`` or else
    whose check digits hold (an ``O`` in the body read as itself first, then as ``0``)."""
    raw = match[0]
    head = "RF" + raw[2:4].replace("O", "0")
    tail = raw[4:]
    body = tail.replace(" ", "")
    end = match.end()
    keyword = _glued_keyword(tail) if match.string[end : end + 1] == "+" else 0
    cuts = [_rf_preferred(tail, keyword)]
    # The most plausible cut is nearly always the reference; the others are worked out only
    # when it fails its check digits or when ``known`` references may pick another.
    chosen = None if known is not None else _rf_reading(head, body, cuts, None)
    if chosen is None:
        cuts += _rf_other_cuts(tail, cuts[0][0])
        chosen = _rf_reading(head, body, cuts, known)
    if chosen is None:
        return []
    offset, value = chosen
    start = match.start()
    return [Match(value, "rf", (start, start + 4 + offset), Confidence.CERTAIN)]


def _rf_reading(
    head: str, body: str, cuts: list[tuple[int, int]], known: Container[str] | None
) -> tuple[int, str] | None:
    """The reference an RF candidate holds, as ``(end offset in the tail, reference)``.

    The readings are ``head`` and the first ``k`` characters of ``body`` for each
    ``(k, offset)`` of ``cuts``, most plausible first, each as typed and, if it holds an
    ``O``, with ``0`` for it. The first known reading wins: the merchant's own references
    resolve any ambiguity about where one ends. Otherwise the first whose check digits hold
    (all are well-formed: the pattern admits nothing else).
    """
    holds: tuple[int, str] | None = None
    for k, offset in cuts:
        cut = body[:k]
        for value in (head + cut, head + cut.replace("O", "0")) if "O" in cut else (head + cut,):
            if known is not None and value in known:
                return offset, value
            if holds is None and rf.checksum_holds(value):
                if known is None:
                    return offset, value
                holds = offset, value
    return holds


def _rf_other_cuts(tail: str, preferred: int) -> list[tuple[int, int]]:
    """The cuts of an RF body other than the most plausible one (``preferred`` characters),
    longest first: ``(body length, end offset in tail)`` wherever a run of digits or of
    letters ends. A reference followed by more text ("7034 DANKE", "7034 2026-17") is cut
    back to where its check digits hold."""
    cuts = []
    size = 0
    for run in _RF_RUN.finditer(tail):
        size += len(run[0])
        if size != preferred:
            cuts.append((size, run.end()))
    cuts.reverse()
    return cuts


def _rf_preferred(tail: str, keyword: int) -> tuple[int, int]:
    """The most plausible cut of an RF body, as ``(body length, end offset in tail)``.

    ``tail`` is the match after ``RF`` and the check digits: the body, with single spaces;
    ``keyword``: the length of a SEPA keyword glued to its end before a ``+`` (0: none).

    Where two cuts both pass (one in a hundred), the printed form decides: a SEPA keyword
    glued on before a ``+`` ("…7034SVWZ+") starts the next field; a compact reference is
    typed as one word; the paper form is groups of four ending in a shorter group (a word
    longer than four is not a group).
    """
    if keyword and tail[-keyword - 1].isdigit():  # "EREF+RF18539007547034SVWZ+Rechnung"
        return len(tail) - keyword - tail.count(" "), len(tail) - keyword
    if " " not in tail:  # typed as one word: all of it
        return len(tail), len(tail)
    if tail[0] != " ":  # "RF18539007547034 DANKE": the first word
        first = tail.index(" ")
        return first, first
    size = 0  # "RF18 5390 0754 70": the paper form
    for count, word in enumerate(tail[1:].split(" "), 1):
        if size and len(word) > 4:  # "RF18 5390 0754 7034 DANKE"
            return size, size + count - 1
        size += len(word)
        if size % 4:
            return size, size + count
    return size, len(tail)


def _glued_keyword(tail: str) -> int:
    """The length of a SEPA keyword at the end of ``tail`` glued to what precedes it (0:
    none); in MT940 subfields the next field often follows a value without a space
    ("EREF+RF18539007547034SVWZ+Rechnung")."""
    for length in (4, 3):
        if tail[-length:] in _SEPA_KEYWORDS and tail[-length - 1 : -length] not in ("", " "):
            return length
    return 0


# What a BillPay or OGM candidate becomes once its spaces and frames are gone: the patterns
# admit nothing else, so it is well-formed (an O typed for 0 is read as 0).
_COMPACT_BILLPAY = compactor(" ", {"O": "0"})
_COMPACT_OGM = compactor(" +*/", {"O": "0"})


def _read_billpay(match: re.Match[str], known: Container[str] | None) -> list[Match]:
    """A BillPay candidate is a reference: the pattern checks all that ``billpay.validate``
    does; there is no check digit, but the shape is distinctive."""
    value = match[0].translate(_COMPACT_BILLPAY)
    confidence = Confidence.CERTAIN if known is not None and value in known else Confidence.LIKELY
    return [Match(value, "billpay", match.span(), confidence)]


def _read_be_ogm(match: re.Match[str], known: Container[str] | None) -> list[Match]:
    """A Belgian OGM candidate (12 digits by its pattern) is a reference if its MOD 97 check
    holds or it is known."""
    value = match[0].translate(_COMPACT_OGM)
    if be_ogm.checksum_holds(value) or (known is not None and value in known):
        return [Match(value, "be_ogm", match.span(), Confidence.CERTAIN)]
    return []


def _read_template(
    match: re.Match[str], known: Container[str] | None, *, spec: SchemeSpec
) -> list[Match]:
    """A template candidate is a reference if the template validates it."""
    try:
        value = spec.validate(match[0])
    except InvalidReferenceError:
        return []
    if known is not None and value in known:
        confidence = Confidence.CERTAIN
    else:
        confidence = _CONFIDENCE[spec.check]
    return [Match(value, spec.name, match.span(), confidence)]


_READERS: dict[str, Callable[[re.Match[str], Container[str] | None], list[Match]]] = {
    rf.NAME: _read_rf,
    billpay.NAME: _read_billpay,
    be_ogm.NAME: _read_be_ogm,
}


class _Run(NamedTuple):
    """A digit-run scheme as :class:`_DigitRuns` uses it."""

    name: str
    # The scheme's DigitRun, flattened: read for every window of every digit run.
    shortest: int
    longest: int
    holds: Callable[[str], bool]
    # When the window passes and is not known (None: only a known window counts).
    confidence: Confidence | None


@attrs.frozen
class _DigitRuns:
    """The reader of digit runs for a set of digit-run schemes, with or without ``known``."""

    runs: tuple[_Run, ...]
    # The numbers of digits some scheme can report, ascending (without ``known``, schemes
    # that need it never report, so other lengths are not worth a check), and the fewest.
    sizes: tuple[int, ...]

    def read(self, match: re.Match[str], known: Container[str] | None) -> list[Match]:
        """The references in a digit run: every window of whole groups whose length some
        scheme can report, as the payer might have split one number."""
        start, end = match.span()
        groups = match[0].replace("O", "0").split(" ")
        if len(groups) == 1:  # one unbroken number: the only window is all of it
            value = groups[0]
            if len(value) not in self.sizes:
                return []
            hit = self._hit((start, end), value, known)
            return [] if hit is None else [hit]
        # Digits before each group: the window of groups[i:j] has bounds[j] - bounds[i]
        # digits, and starts bounds[i] + i characters into the run (one space between groups).
        bounds = [0, *itertools.accumulate(map(len, groups))]  # strictly ascending
        total = bounds[-1]
        if total in self.sizes and _plausible_splits(total, bounds[1:-1], 0):
            # The usual case, a reference printed in groups: when the whole run is one of the
            # surest kind, every other window overlaps it and ranks below it.
            hit = self._hit((start, end), "".join(groups), known)
            if hit is not None and hit.confidence is Confidence.CERTAIN:
                return [hit]
        found: list[Match] = []
        for i, before in enumerate(bounds):
            if total - before < self.sizes[0]:
                break
            for size in self.sizes:  # ascending: windows in the order of their ends
                j = bisect.bisect_left(bounds, before + size, i + 1)
                if j > len(groups) or bounds[j] != before + size:
                    continue
                if j - i > 1 and not _plausible_splits(size, bounds[i + 1 : j], before):
                    continue
                window = (start + before + i, start + bounds[j] + j - 1)
                hit = self._hit(window, "".join(groups[i:j]), known)
                if hit is not None:
                    found.append(hit)
        return _non_overlapping(found)

    def _hit(self, span: tuple[int, int], value: str, known: Container[str] | None) -> Match | None:
        """``value`` as a reference of the first scheme that reports it, if any."""
        size = len(value)
        for name, shortest, longest, holds, confidence in self.runs:
            if shortest <= size <= longest:
                if known is not None and value in known:
                    if holds(value):
                        return Match(value, name, span, Confidence.CERTAIN)
                elif confidence is not None and holds(value):
                    return Match(value, name, span, confidence)
        return None


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


def _non_overlapping(found: list[Match]) -> list[Match]:
    """The surest, then the longest of overlapping matches: "12345678903" beats the
    "45678903" inside it. In order of appearance."""
    if len(found) < 2:
        return found
    ranked = sorted(found, key=lambda m: (-m.confidence, m.span[0] - m.span[1], m.span[0]))
    chosen: list[Match] = []
    for candidate in ranked:
        start, end = candidate.span
        if all(end <= c.span[0] or c.span[1] <= start for c in chosen):
            chosen.append(candidate)
    # Matches that do not overlap start at different places: their starts order them.
    return sorted(chosen, key=lambda m: m.span[0])


# ---------------------------------------------------------------------------------------------
# The plan: the searches for a set of schemes


def _digits(shortest: int) -> str:
    """A run of digits, possibly split into groups by single spaces. An O counts as a digit
    inside a run, never at its start ("NO 12", "NO12").

    Runs that cannot hold ``shortest`` digits are skipped inside the regex engine: the
    lookahead wants ``shortest`` characters of a run, spaces counted. It lets a few short runs
    through (the reader finds no window in them) but never keeps a long one out, and it is
    one scan of a character class where counting digits would be a loop of groups.
    """
    return (
        rf"[0-9](?<![0-9][0-9])(?=[0-9O ]{{{max(shortest - 1, 0)}}})"
        r"[0-9O]*+(?: O*+[0-9][0-9O]*+)*+"
    )


def _digit_search(runs: tuple[_Run, ...]) -> DigitSearch | None:
    """The search for digit runs long enough for one of ``runs`` (None: there are none)."""
    sizes = sorted({n for run in runs for n in range(run.shortest, run.longest + 1)})
    if not sizes:
        return None
    reader = _DigitRuns(runs, tuple(sizes))
    return DigitSearch(Search(re.compile(_digits(sizes[0])), reader.read, past_run=True), sizes[0])


@functools.lru_cache(maxsize=128)
def _plan(schemes: tuple[SchemeLike, ...]) -> Plan:
    """The searches for ``schemes``, in their order: a template's regex, a scheme module's
    ``PATTERNS``, and one search for the digit runs of every ``DIGIT_RUN`` among them.

    Raises:
        ValidationError: as :func:`~payportal.references._registry.resolve`.
    """
    searches: list[Search] = []
    runs: list[_Run] = []
    for spec in resolve(schemes):
        if spec.template is not None:
            # Field values are letters and digits: a template match must not cut into a word.
            # (The reader validates the whole match, so the fields' named groups are not needed.)
            body = re.sub(r"\(\?P<[a-z_]+>", "(?:", spec.template.search_regex())
            regex = re.compile(f"(?<![0-9A-Z])(?:{body})(?![0-9A-Z])")
            read = functools.partial(_read_template, spec=spec)
            searches.append(Search(regex, read, past_run=False))
            continue
        module: Any = BUILT_IN[spec.name]
        for pattern in getattr(module, "PATTERNS", ()):
            searcher = (
                re.compile(pattern.regex)
                if pattern.anchor is None
                else Anchored(pattern.regex, *pattern.anchor)
            )
            searches.append(Search(searcher, _READERS[spec.name], False, pattern.needles))
        shape: DigitRun | None = getattr(module, "DIGIT_RUN", None)
        if shape is not None:
            confidence = None if shape.only_known else _CONFIDENCE[spec.check]
            runs.append(_Run(spec.name, shape.shortest, shape.longest, shape.holds, confidence))
    digits_unknown = _digit_search(tuple(run for run in runs if run.confidence is not None))
    return Plan(tuple(searches), digits_unknown, _digit_search(tuple(runs)))


def _plan_for(schemes: SchemeLike | Iterable[SchemeLike]) -> Plan:
    if isinstance(schemes, str | Template):
        return _plan((schemes,))
    return _plan(schemes if isinstance(schemes, tuple) else tuple(schemes))


_DEFAULT_PLAN = _plan(FIND_DEFAULT)
