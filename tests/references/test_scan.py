"""``references._scan``: every shortcut ``find`` takes for speed gives the plain result."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal.references import be_ogm, billpay, ch_qrr, fi, no_kid, rf
from payportal.references._find import _plan
from payportal.references._scan import (
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
