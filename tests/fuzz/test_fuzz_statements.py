"""Fuzz bank statement import: ``read_statement`` for camt, MT940 and raw bytes.

Whatever a bank (or anyone who can put a file where the bank's should be) delivers,
``read_statement`` returns statements or raises a :class:`StatementFormatError`, never
another exception, never output on stdout (the parsers' own debug output included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
from fuzz_support import fuzz, mutate, only
from hypothesis import given
from hypothesis import strategies as st

from payportal.exceptions import StatementFormatError
from payportal.reconciliation import read_statement

BANK: Final = Path(__file__).resolve().parent.parent / "data" / "bank"
SEEDS: Final = tuple(
    (BANK / name).read_bytes()
    for name in ("camt053_sample.xml", "camt054_sample.xml", "mt940_sample.sta")
)
HEADERS: Final = (
    b"<?xml version='1.0' encoding='UTFL8'?>",  # an encoding Python does not know
    b"<?xml version='1.0' encoding='UTF-16'?>",
    b"<?xml version='1.0' encoding='UTF-32'?>",
    b"<?xml version='1.0' encoding='rot13'?>",
    b":20:X\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:90F:",  # 90F before any :61:
    b"{1:F01}{4:\r\n",
    b"\xef\xbb\xbf",
)


@fuzz
@given(data=st.binary(max_size=200))
def test_read_statement_raises_only_statement_format_errors(data: bytes) -> None:
    choice = data[0] if data else 0
    program = data[1:]
    if choice % 4 == 3:
        content = program  # raw bytes
    else:
        seed = SEEDS[choice % len(SEEDS)]
        if choice & 4:
            seed = HEADERS[(choice >> 3) % len(HEADERS)] + seed
        content = mutate(seed, program[:30])
    only(StatementFormatError, lambda: read_statement(content), "read_statement")


# Found by the full fuzz run: a camt file declaring UTF-32 escaped as a ValueError.
@pytest.mark.parametrize("seed", ["camt053_sample.xml", "mt940_sample.sta"])
def test_a_statement_declaring_a_multi_byte_encoding_is_a_format_error(seed: str) -> None:
    content = b"<?xml version='1.0' encoding='UTF-32'?>" + (BANK / seed).read_bytes()
    with pytest.raises(StatementFormatError):
        read_statement(content)
