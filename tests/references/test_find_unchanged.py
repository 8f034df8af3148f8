"""``find`` reports exactly what it reported before its rewrite into scheme-owned patterns.

The rewrite of ``payportal.references._find`` (scheme modules own their patterns, needles and
checksums; the speed lives in ``_scan``) was meant to change nothing a caller sees. These tests
compare it with a frozen copy of the version before (``find_before_rewrite.py``) on more than
100,000 generated lines: the remittance corpus of ``bench/bench_references.py``, the same lines
mutated the way payers and banks mangle text, with every scheme, templates and ``known`` sets,
and on hypothesis-generated text.
"""

from __future__ import annotations

import importlib.util
import random
import string
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import given
from hypothesis import strategies as st

from payportal.references import Template, find

if TYPE_CHECKING:
    from types import ModuleType

HERE = Path(__file__).resolve().parent
ALL = ("rf", "fi", "no_kid", "ch_qrr", "be_ogm", "billpay")
TOPUP = Template("KD{customer_number}-{invoice_number}", check="mod97", name="topup")
PLAIN = Template("{customer_number}/{year}", name="customer_year")
LUHN = Template("{invoice_number}", check="luhn", name="invoice")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # attrs and dataclass-like helpers look the module up
    spec.loader.exec_module(module)
    return module


BEFORE: Any = _load("find_before_rewrite", HERE / "find_before_rewrite.py")
BENCH: Any = _load("bench_references", HERE.parents[1] / "bench" / "bench_references.py")


def _after(text: str, **kwargs: Any) -> list[tuple[str, str, tuple[int, int], int]]:
    return [(m.value, m.scheme, m.span, int(m.confidence)) for m in find(text, **kwargs)]


def _before(text: str, **kwargs: Any) -> list[tuple[str, str, tuple[int, int], int]]:
    return [(m.value, m.scheme, m.span, int(m.confidence)) for m in BEFORE.find(text, **kwargs)]


def _differences(lines: list[str], **kwargs: Any) -> list[str]:
    return [line for line in lines if _after(line, **kwargs) != _before(line, **kwargs)]


def _mangle(rng: random.Random, line: str) -> str:
    """``line`` as a payer or a bank might have mangled it: a few random edits."""
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(line) + 1)
        edit = rng.randrange(9)
        if edit == 0:
            line = line.lower()
        elif edit == 1:
            line = line.replace("0", "O", rng.randrange(1, 3))
        elif edit == 2:
            line = line[:at] + " " + line[at:]
        elif edit == 3:
            brk = rng.choice(["\n", "\r\n", "?21", "?3", "?\n2\n2", "\t", "  "])
            line = line[:at] + brk + line[at:]
        elif edit == 4:
            line = line[:at] + line[at + 1 :]
        elif edit == 5:
            width = rng.choice([27, 35, 20])
            line = "\n".join(line[i : i + width] for i in range(0, len(line), width))
        elif edit == 6:
            odd = rng.choice(["ß", "é", "ǅ", "ﬀ", "+", "*", "/", "O", "RF"])
            line = line[:at] + odd + line[at:]
        elif edit == 7:
            line = line[:at] + str(rng.randrange(10 ** rng.randrange(1, 12))) + line[at:]
        else:
            line = line[:at] + rng.choice(["SVWZ+", "EREF+", "KD10023-", "+++", "BP"]) + line[at:]
    return line


def test_the_bench_corpus_gives_the_same_matches() -> None:
    lines = BENCH.remittance_lines(random.Random(20261206), 100_000)
    assert len(lines) >= 100_000
    assert _differences(lines) == []


def test_mangled_lines_give_the_same_matches_with_every_scheme_and_known() -> None:
    rng = random.Random(7)
    clean = BENCH.remittance_lines(rng, 8_000)
    known = {m.value for line in clean for m in BEFORE.find(line, schemes=ALL)}
    lines = [_mangle(rng, line) for line in clean]
    assert _differences(lines) == []
    assert _differences(lines, schemes=ALL) == []
    assert _differences(lines, schemes=ALL, known=known) == []
    assert _differences(lines[:3_000], schemes=(TOPUP, PLAIN, LUHN, "ch_qrr", "fi")) == []
    assert _differences(lines[:3_000], schemes=("no_kid",), known=known) == []


REFERENCE_ALPHABET = string.digits + "O RFBPKD/+*?-\n\r\tabcß"


@st.composite
def texts(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(
            st.one_of(
                st.text(REFERENCE_ALPHABET, max_size=12),
                st.sampled_from(
                    [
                        "RF18 5390 0754 7034",
                        "rf18539007547034",
                        "RF7544151085SVWZ+",
                        "+++010/8068/17183+++",
                        "010/8068/17183",
                        "21 00000 00003 13947 14300 09017",
                        "BP1234567/3333",
                        "12345678903",
                        "1 23453",
                        "?20",
                        "?2",
                        "EREF+",
                        "KD10023-20261748",
                    ]
                ),
            ),
            max_size=8,
        )
    )
    return "".join(pieces)


SCHEME_SETS = st.sampled_from(
    [
        ("rf", "be_ogm", "ch_qrr", "billpay"),
        ALL,
        ("fi",),
        ("no_kid", "be_ogm"),
        (TOPUP, "rf"),
        (PLAIN, LUHN, "ch_qrr"),
    ]
)


@given(
    text=texts(),
    schemes=SCHEME_SETS,
    known=st.one_of(st.none(), st.sets(st.sampled_from(["12345678903", "123453", "010806817183"]))),
)
def test_generated_text_gives_the_same_matches(
    text: str, schemes: tuple[Any, ...], known: set[str] | None
) -> None:
    assert _after(text, schemes=schemes, known=known) == _before(text, schemes=schemes, known=known)
