"""``references._scan``: every shortcut ``find`` takes for speed gives the plain result."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal.references import (
    Confidence,
    Match,
    Template,
    be_ogm,
    billpay,
    ch_qrr,
    fi,
    no_kid,
    rf,
)
from payportal.references._find import _plan
from payportal.references._scan import (
    Alternatives,
    Plan,
    Search,
    _normalise_breaks,
    _normalise_markers,
    normalise,
    original_span,
    scan,
)

ALL = ("rf", "fi", "no_kid", "ch_qrr", "be_ogm", "billpay")
PIECES = st.one_of(
    st.text(string.digits + "O RFBP/+*?-abc", max_size=10),
    st.sampled_from(
        [
            "RF18 5390 0754 7034",
            "+++010/8068/17183+++",
            "010/8068/17183",
            "21 00000 00003 13947 14300 09017",
            "BP1234567/3333",
            "12345678903",
            "?20",
            "?21",
            "?32",
            "EREF+",
        ]
    ),
)
TEXTS = st.lists(PIECES, max_size=8).map("".join)
NEVER = Search(re.compile(r"(?!)"), lambda match, known: [], past_run=False)


@given(text=TEXTS)
def test_marker_only_normalisation_agrees_with_the_general_one(text: str) -> None:
    # Blank runs would send the text down the general path anyway; the shortcut is for the rest.
    upper = " ".join(text.upper().split())
    assert _normalise_markers(upper) == _normalise_breaks(upper)


@given(text=st.text(string.ascii_letters + string.digits + " .,:/+-", max_size=60))
def test_text_with_nothing_to_normalise_is_only_upper_cased(text: str) -> None:
    norm, starts, shifts = normalise(" ".join(text.split()))
    assert (norm, starts, shifts) == (" ".join(text.split()).upper(), [], [])


@given(text=TEXTS, schemes=st.sampled_from([ALL, ("rf", "be_ogm", "ch_qrr", "billpay")]))
def test_gating_by_needles_and_digit_stretches_loses_nothing(
    text: str, schemes: tuple[str, ...]
) -> None:
    plan = _plan(schemes)
    norm, _, _ = normalise(text)
    for known in (None, {"12345678903", "010806817183"}):
        digits = plan.digits_unknown if known is None else plan.digits_known
        every = (*plan.searches, *([digits.search] if digits is not None else []))
        gated = plan.searches_for(norm, known is not None)
        assert scan(norm, gated, known) == scan(norm, every, known)


@given(text=TEXTS, known=st.sampled_from([None, {"12345678903"}]))
def test_a_search_alone_finds_what_it_finds_among_others(text: str, known: set[str] | None) -> None:
    plan = _plan(ALL)
    norm, _, _ = normalise(text)
    digits = plan.digits_unknown if known is None else plan.digits_known
    assert digits is not None
    for search in (*plan.searches, digits.search):
        assert scan(norm, (search,), known) == scan(norm, (search, NEVER), known)


@given(text=TEXTS)
def test_spans_map_back_onto_the_text_they_came_from(text: str) -> None:
    norm, starts, shifts = normalise(text)
    plan = _plan(ALL)
    for match in scan(norm, plan.searches_for(norm, False), None):
        start, end = original_span(*match.span, starts, shifts)
        original = text[start:end].upper()
        # The original holds the normalised characters in order, plus removed markers/breaks
        # (a space in the normalised text may stand for a marker such as "?32").
        kept = iter(original)
        assert all(char in kept for char in norm[slice(*match.span)] if char != " ")


@pytest.mark.parametrize("module", [rf, billpay, be_ogm, ch_qrr, fi, no_kid])
def test_every_scheme_tells_find_where_its_references_stand(module: object) -> None:
    patterns = getattr(module, "PATTERNS", ())
    digit_run = getattr(module, "DIGIT_RUN", None)
    assert patterns or digit_run is not None
    for pattern in patterns:
        re.compile(pattern.regex)
        assert pattern.needles


@given(number=st.text(string.digits, min_size=12, max_size=12))
def test_be_ogm_checksum_is_its_validation_on_twelve_digits(number: str) -> None:
    assert be_ogm.checksum_holds(number) == be_ogm.is_valid(number)


# Templates whose candidates start where a built-in's do (digits, "/"), so that an earlier
# search's candidate can be rejected where a later one's stands.
TIED = (
    Template("{invoice_number}", check="luhn", name="invoice"),
    "be_ogm",
    Template("{customer_number}/{year}", name="customer_year"),
    "billpay",
    "rf",
)


def _as_one(searches: tuple[Search, ...]) -> Search:
    alternatives = Alternatives(searches)
    return Search(alternatives.regex, alternatives.read, past_run=False)


@given(text=TEXTS, known=st.sampled_from([None, {"12345678903", "010806817183", "123453"}]))
def test_one_alternation_finds_what_its_searches_find_side_by_side(
    text: str, known: set[str] | None
) -> None:
    norm, _, _ = normalise(text)
    for schemes in (ALL, TIED):
        searches = _plan(schemes).searches
        assert scan(norm, (_as_one(searches),), known) == scan(norm, searches, known)


def test_a_rejected_candidate_yields_to_a_later_search_at_the_same_place() -> None:
    def nothing(match: re.Match[str], known: object) -> list[Match]:
        return []

    def letters(match: re.Match[str], known: object) -> list[Match]:
        return [Match(match[0], "letters", match.span(), Confidence.POSSIBLE)]

    # The first search has a capturing group of its own: the alternatives are told apart by
    # the group that closes each, whatever groups they hold.
    first = Search(re.compile("(A)BC"), nothing, past_run=False)
    second = Search(re.compile("AB"), letters, past_run=False)
    expected = [Match("AB", "letters", (1, 3), Confidence.POSSIBLE)]
    assert scan("XABC", (first, second), None) == expected
    assert scan("XABC", (_as_one((first, second)),), None) == expected


def test_searches_that_cannot_be_one_regex_run_side_by_side() -> None:
    def letters(match: re.Match[str], known: object) -> list[Match]:
        return [Match(match[0], "letters", match.span(), Confidence.POSSIBLE)]

    # Both name a group "ref": as alternatives of one regex they would not compile.
    first = Search(re.compile("X(?P<ref>[0-9]+)"), letters, past_run=False)
    second = Search(re.compile("Y(?P<ref>[0-9]+)"), letters, past_run=False)
    plan = Plan((first, second), None, None)
    assert plan.searches_for("X1 Y2", known=False) == (first, second)
    found = scan("X1 Y2", plan.searches_for("X1 Y2", known=False), None)
    assert [match.value for match in found] == ["X1", "Y2"]
