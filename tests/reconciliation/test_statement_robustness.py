"""Whatever bytes arrive, statement import answers with a statement or a StatementFormatError.

Never another exception (a third-party one, a KeyError, a RecursionError), never output on
stdout, never a hang: the inputs are raw bytes and real corpus files mutated the way files get
damaged (truncated, bytes flipped, lines dropped or repeated, junk spliced in).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from payportal.exceptions import StatementFormatError
from payportal.reconciliation import read_statement

# Real statements from public repositories, copied unchanged (corpus/README.md).
CORPUS = Path(__file__).resolve().parents[1] / "data" / "bank" / "corpus"
REAL = sorted(
    path.read_bytes()
    for path in CORPUS.rglob("*")
    if path.is_file()
    and path.name not in {"PROVENANCE.md", "README.md"}
    and not path.name.startswith("LICENSE")
)
FORMATS = st.sampled_from([None, "camt", "mt940", "csv"])


def imports_or_refuses(data: bytes, format: str | None, lenient: bool) -> None:  # noqa: A002
    try:
        statements = read_statement(data, format=format, lenient=lenient)  # type: ignore[arg-type]
    except StatementFormatError as error:
        message = str(error)
    else:
        message = ""
    if message:
        return
    for statement in statements:
        for entry in statement.entries:
            assert entry.amount.amount >= 0
        if not lenient:
            assert statement.warnings == ()


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "drop", "repeat", "splice", "digit"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "drop":
            end = data.find(b"\n", at)
            del data[at : end if end != -1 else len(data)]
        elif kind == "repeat":
            end = data.find(b"\n", at)
            end = end + 1 if end != -1 else len(data)
            data[at:at] = data[at:end]
        elif kind == "splice":
            data[at:at] = draw(
                st.sampled_from([b":61:", b":20:", b"-}", b"{4:", b"<Ntry>", b"\x1a", b",", b"?2"])
                | st.binary(max_size=12)
            )
        elif data[at : at + 1].isdigit():
            data[at] = ord(str(draw(st.integers(0, 9))))
    return bytes(data)


@given(st.binary(max_size=2000), FORMATS, st.booleans())
def test_any_bytes_import_or_raise_statement_format_error(data, format, lenient):  # noqa: A002
    imports_or_refuses(data, format, lenient)


@settings(max_examples=300)
@given(damaged(), FORMATS, st.booleans())
def test_damaged_real_files_import_or_raise_statement_format_error(data, format, lenient):  # noqa: A002
    imports_or_refuses(data, format, lenient)


def test_statement_import_prints_nothing(capsys):
    for data in REAL:
        with contextlib.suppress(StatementFormatError):
            read_statement(data, lenient=True)
    assert capsys.readouterr() == ("", "")
