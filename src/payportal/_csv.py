"""CSV text cells that a spreadsheet cannot mistake for a formula."""

from __future__ import annotations

from typing import Final

__all__ = ["text_cell"]

# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection").
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """``value`` for a text column of a CSV file: a text that starts like a formula
    (``=HYPERLINK(...)``, ``+1``, ``@SUM``) gets a leading ``'``, which spreadsheets show as
    text. Amounts are numbers, not text: write them as they are.

    >>> text_cell("=HYPERLINK(1)"), text_cell("RE-2026-17")
    ("'=HYPERLINK(1)", 'RE-2026-17')
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
