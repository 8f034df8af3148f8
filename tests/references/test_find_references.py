"""``references.find``: references in hostile bank text, with spans into the original."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from payportal.exceptions import ValidationError
from payportal.references import (
    FIND_DEFAULT,
    Confidence,
    Match,
    Template,
    be_ogm,
    billpay,
    ch_qrr,
    fi,
    find,
    no_kid,
    rf,
)
from payportal.references._scan import Anchored

BANK = Path(__file__).resolve().parents[1] / "data" / "bank"


def values(text: str, **kwargs: object) -> list[str]:
    return [m.value for m in find(text, **kwargs)]  # type: ignore[arg-type]


def test_acceptance_snippet() -> None:
    text = "SVWZ+Rechnung 2026-17 RF18 5390 07 54 7034 danke"
    assert [m.value for m in find(text)] == ["RF18539007547034"]


def test_match_carries_scheme_span_and_confidence() -> None:
    text = "SVWZ+Rechnung 2026-17 RF18 5390 07 54 7034 danke"
    (match,) = find(text)
    assert match == Match("RF18539007547034", "rf", (22, 42), Confidence.CERTAIN)
    assert text[slice(*match.span)] == "RF18 5390 07 54 7034"


@pytest.mark.parametrize(
    "text",
    [
        "RF18539007547034",
        "rf18 5390 0754 7034",
        "Ref: RF18 5390 0754 7O34, danke",  # O typed for 0
        "RF1853900754 7034",
        "EREF+RF18539007547034",
        "2026-17RF18539007547034",
        "RF18539007547034danke",
        "Rechnung RF18 5390\n0754 7034",  # short line: the break is a separator, still found
    ],
)
def test_rf_is_found_however_it_is_typed(text: str) -> None:
    assert values(text) == ["RF18539007547034"]


def test_rf_glued_to_a_word_is_not_found() -> None:
    # "DORF18…" cannot be told from a word followed by a number.
    assert values("DorfRF18539007547034") == []


def test_reference_split_across_mt940_subfields() -> None:
    text = (
        "166?00GUTSCHRIFT?100399?20EREF+NOTPROVIDED?21SVWZ+Rechnung RF18 53\n"
        "90 0?2275 47034 Danke?30DRESDEFF508"
    )
    (match,) = find(text)
    assert match.value == "RF18539007547034"
    assert text[slice(*match.span)] == "RF18 53\n90 0?2275 47034"


def test_reference_wrapped_at_27_characters() -> None:
    line = "Zahlung fuer Auftrag BP1234"
    assert len(line) == 27
    assert values(line + "567/3333 ok") == ["BP1234567/3333"]
    assert values(line + "\n567/3333 ok") == ["BP1234567/3333"]


def test_other_schemes_are_found() -> None:
    text = (
        "KREF+QR 21 00000 00003 13947 14300 09017 MREF+x "
        "Mededeling +++010/8068/17183+++ en 010/8068/17183 bp 555666777/9999"
    )
    found = find(text)
    assert [(m.value, m.scheme) for m in found] == [
        ("210000000003139471430009017", "ch_qrr"),
        ("010806817183", "be_ogm"),
        ("010806817183", "be_ogm"),
        ("BP555666777/9999", "billpay"),
    ]
    assert [m.confidence for m in found] == [Confidence.CERTAIN] * 3 + [Confidence.LIKELY]
    for m in found:
        assert text[slice(*m.span)].replace(" ", "").upper().strip("+")[:2] in {
            "21",
            "01",
            "BP",
        }


def test_wrong_check_digits_are_not_reported() -> None:
    assert values("RF19 5390 0754 7034 +++010/8068/17180+++ 210000000003139471430009016") == []


def test_weak_schemes_only_when_enabled() -> None:
    text = "KID 12345678903 viite 1 23453"
    assert values(text) == []
    found = find(text, schemes=["no_kid", "fi"])
    assert [(m.value, m.scheme, m.confidence) for m in found] == [
        ("12345678903", "no_kid", Confidence.LIKELY),
        ("123453", "fi", Confidence.LIKELY),
    ]


def test_known_references_become_certain() -> None:
    text = "KID 12345678903 BP555666777/9999 ogm 010806817183"
    found = find(
        text,
        schemes=["no_kid", "billpay", "be_ogm"],
        known={"12345678903", "BP555666777/9999", "010806817183"},
    )
    assert [(m.value, m.confidence) for m in found] == [
        ("12345678903", Confidence.CERTAIN),
        ("BP555666777/9999", Confidence.CERTAIN),
        ("010806817183", Confidence.CERTAIN),
    ]
    # A bare 12-digit OGM is too common by chance to report unless the merchant issued it.
    assert values("ogm 010806817183", schemes=["be_ogm"]) == []


def test_templates_are_found() -> None:
    topup = Template("KD{customer_number}-{invoice_number}", check="mod97", name="topup")
    plain = Template("{customer_number}/{year}", name="customer_year")
    reference = topup.generate(customer_number="10023", invoice_number="202617")
    text = f"Aufladung {reference.lower()} und kd 10023 - 2026 17 48, auch 10023/2026"
    found = find(text, schemes=[topup, plain])
    assert [(m.value, m.scheme, m.confidence) for m in found] == [
        (reference, "topup", Confidence.CERTAIN),
        (reference, "topup", Confidence.CERTAIN),
        ("10023/2026", "customer_year", Confidence.POSSIBLE),
    ]
    assert (
        find("10023/2026", schemes=plain, known={"10023/2026"})[0].confidence is Confidence.CERTAIN
    )
    assert values(f"X{reference}", schemes=[topup]) == []


def test_a_failed_template_still_lets_digits_through() -> None:
    template = Template("{invoice_number}", check="luhn")
    text = "21 00000 00003 13947 14300 09017"
    assert values(text, schemes=[template, "ch_qrr"]) == ["210000000003139471430009017"]


def test_schemes_must_be_known() -> None:
    with pytest.raises(ValidationError) as caught:
        find("x", schemes=["iban"])
    assert caught.value.field == "scheme"
    with pytest.raises(ValidationError):
        find(b"RF18539007547034")  # type: ignore[arg-type]


def _fields_86(name: str) -> list[str]:
    text = (BANK / name).read_text(encoding="latin-1")
    return re.findall(r":86:(.*?)(?=\r?\n:\d\d[A-Z]?:|\r?\n-)", text, re.DOTALL)


@pytest.mark.parametrize("name", ["mt940_sample.sta", "mt940_sepa_full.sta"])
def test_real_statements_yield_no_default_matches(name: str) -> None:
    fields = _fields_86(name)
    assert len(fields) > 5
    assert [find(field) for field in fields] == [[] for _ in fields]


def test_real_statement_with_a_reference_put_in() -> None:
    field = _fields_86("mt940_sample.sta")[0]
    reference = rf.generate("2026000017")
    edited = field.replace(
        "?21 00001", "?21 " + rf.format(reference)[:9] + "?22" + rf.format(reference)[9:]
    )
    assert values(edited) == [reference]


# --- properties -------------------------------------------------------------------------------

NOISE_WORDS = st.sampled_from(
    ["Rechnung", "Danke", "Kunde", "Nr.", "vom", "2026-17", "12,50", "EUR", "Gutschrift", "ok"]
)


@st.composite
def references(draw: st.DrawFn) -> tuple[str, str]:
    """A generated reference of a default scheme, and a way a payer might have typed it."""
    kind = draw(st.sampled_from(["rf", "ch_qrr", "be_ogm", "billpay"]))
    if kind == "rf":
        value = rf.generate(
            draw(st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=21))
        )
        shown = rf.format(value)
    elif kind == "ch_qrr":
        value = ch_qrr.generate(draw(st.integers(10**19, 10**26 - 1).map(str)))
        shown = ch_qrr.format(value)
    elif kind == "be_ogm":
        value = be_ogm.generate(draw(st.integers(1, 10**10 - 1).map(str)))
        shown = be_ogm.format(value)
    else:
        value = billpay.generate(
            draw(st.text(string.digits, min_size=1, max_size=20)),
            draw(st.text(string.digits, min_size=1, max_size=10)),
        )
        shown = value
    style = draw(st.sampled_from(["as is", "compact", "lower", "spaced"]))
    if style == "compact":
        shown = shown.replace(" ", "")
    elif style == "lower":
        shown = shown.lower()
    elif style == "spaced":
        # One space after a few characters, as payers type long numbers.
        last = shown.index("/") if kind == "billpay" else len(shown) - 1
        cut = draw(st.integers(min(4, last), last))
        shown = (shown[:cut] + " " + shown[cut:]).replace("  ", " ")
    return value, shown


@given(
    reference=references(),
    before=st.lists(NOISE_WORDS, max_size=4),
    after=st.lists(NOISE_WORDS, max_size=4),
    prefix=st.sampled_from(["", "SVWZ+", "EREF+", "KREF+", "MREF+"]),
    split=st.sampled_from(["", "mt940", "wrap"]),
)
@example(
    reference=("RF3719KX2CWS6RO5", "RF37 19KX 2CWS 6RO5"),
    before=[],
    after=["Nr."],
    prefix="",
    split="",
)
def test_find_recovers_generated_references_from_noisy_text(
    reference: tuple[str, str], before: list[str], after: list[str], prefix: str, split: str
) -> None:
    value, shown = reference
    head = " ".join([*before, ""])
    text = f"{prefix}{head}{shown} {' '.join(after)}".strip()
    if split == "mt940":
        # Subfields of 27 characters, as banks cut ?20-?29.
        chunks = [text[i : i + 27] for i in range(0, len(text), 27)]
        text = "".join(f"?2{n}{chunk}" for n, chunk in enumerate(chunks[:10]))
    elif split == "wrap":
        text = "\n".join(text[i : i + 35] for i in range(0, len(text), 35))
    if split == "mt940" and len(chunks) > 10:
        return  # more than ten subfields do not exist
    # With the merchant's references at hand, the reference is always recovered exactly.
    assert value in [m.value for m in find(text, known={value})]
    # Without them, an RF reference next to more letters or digits is ambiguous where a shorter
    # or longer reading passes the check too (one in 97); find then reports a valid reading.
    # That reading may read the body's letter O as 0 ("RF83 07CO EMLN A5IT ok" is found as
    # RF8307C0EMLNA5IT0K, which passes), so readings are compared with O as 0 on both sides
    # ("RF37 19KX 2CWS 6RO5 Nr." is found as RF3719KX2CWS6RO5NR, which passes too).
    found = find(text)
    zeroed = value.replace("O", "0")
    assert any(
        m.value == value
        or (
            m.scheme == "rf"
            and rf.is_valid(m.value)
            and (
                m.value.replace("O", "0").startswith(zeroed)
                or zeroed.startswith(m.value.replace("O", "0"))
            )
        )
        for m in found
    )
    for match in found:
        assert match.confidence >= Confidence.LIKELY
        start, end = match.span
        assert 0 <= start < end <= len(text)


# Text as payers write it, with no reference in it: words, amounts, dates, customer and invoice
# numbers of up to 11 digits (longer digit runs are QR references or account numbers).
NOISE = st.lists(
    st.one_of(
        st.text(string.ascii_letters + "äöüß.,:-/()", min_size=1, max_size=12),
        st.integers(0, 10**11 - 1).map(str),
        st.sampled_from(["EREF+", "SVWZ+", "KREF+", "?20", "?21", "\n", "NOTPROVIDED", "EUR"]),
    ),
    max_size=30,
).map(" ".join)


@given(text=NOISE)
def test_find_reports_nothing_in_random_text(text: str) -> None:
    assert find(text) == []


@given(text=st.text(max_size=120))
def test_find_only_reports_valid_references(text: str) -> None:
    schemes = ("rf", "fi", "no_kid", "ch_qrr", "be_ogm", "billpay")
    modules = {
        "rf": rf,
        "fi": fi,
        "no_kid": no_kid,
        "ch_qrr": ch_qrr,
        "be_ogm": be_ogm,
        "billpay": billpay,
    }
    for match in find(text, schemes=schemes):
        assert modules[match.scheme].is_valid(match.value)
        start, end = match.span
        assert 0 <= start < end <= len(text)


def test_default_schemes() -> None:
    assert FIND_DEFAULT == ("rf", "be_ogm", "ch_qrr", "billpay")


def test_numbers_standing_side_by_side_are_not_joined_into_one_reference() -> None:
    # Found by hypothesis: 27 digits that pass the Swiss QR check, written as four numbers
    # whose spacing is not the five-digit grouping of one reference.
    assert find("2002868 3809715870 3004 120642") == []
    assert [m.value for m in find("Zahlung 21 00000 00003 13947 14300 090 17")] == [
        "210000000003139471430009017"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "RF09 9076 7951 DANKE" and "RF09 9076 7951" both pass the check digits; a word
        # longer than four is not a group of the printed form, so the reference ends before it.
        ("SVWZ+Rechnung 2026-4246 rf09 9076 7951 danke", ["RF0990767951"]),
        (
            "RF26 C84F 2045 2J9T 7Q0L BP509265630 /65501 O 12/03",
            ["RF26C84F20452J9T7Q0L", "BP509265630/65501"],
        ),
    ],
)
def test_paper_form_reference_ends_before_a_longer_word(text: str, expected: list[str]) -> None:
    # The longer readings pass too: the printed form, not the checksum, decides here.
    assert rf.is_valid("RF0990767951DANKE")
    assert rf.is_valid("RF26C84F20452J9T7Q0LBP509")
    assert values(text) == expected


def test_rf_reference_ends_before_a_glued_sepa_keyword() -> None:
    # MT940 subfields run fields together: "EREF+<reference>SVWZ+…". Both readings pass the
    # check digits here; the keyword of the next field is not part of the reference.
    assert rf.is_valid("RF7544151085SVWZ")
    text = "?20EREF+RF7544151085SVWZ+Re 20?2126-1452 Sofie Nieminen"
    (match,) = find(text)
    assert (match.value, text[slice(*match.span)]) == ("RF7544151085", "RF7544151085")
    # Without the "+", SVWZ is just text: the longest reading that passes still wins.
    assert values("EREF+RF7544151085SVWZ Re 2026") == ["RF7544151085SVWZ"]


@given(
    text=st.lists(
        st.one_of(
            st.text("0123456789O /", max_size=8),
            st.sampled_from(["010/8068/17183", "0 10 / 8068/171 83", "12/03/2026", "BP1/2"]),
        ),
        max_size=6,
    ).map("".join),
    pos=st.integers(0, 60),
)
def test_anchored_search_agrees_with_the_regex(text: str, pos: int) -> None:
    # find looks for "010/8068/17183" from its slashes rather than from every digit; it must
    # find exactly what the pattern's own search finds.
    anchored = [p for m in (rf, be_ogm, billpay) for p in m.PATTERNS if p.anchor is not None]
    assert anchored
    for pattern in anchored:
        assert pattern.anchor is not None
        expected = re.compile(pattern.regex).search(text, pos)
        found = Anchored(pattern.regex, *pattern.anchor).search(text, pos)
        assert (found and found.span()) == (expected and expected.span())
