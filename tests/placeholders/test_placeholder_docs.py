"""The placeholders guide lists every built-in token by object, exactly as registered."""

from __future__ import annotations

import re
from pathlib import Path

from payportal.placeholders import PlaceholderRegistry

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "placeholders.md"
_TABLE = re.compile(
    r"<!-- placeholder-table: begin -->\n(.*?)<!-- placeholder-table: end -->", re.DOTALL
)


def _table() -> tuple[list[str], list[list[str]]]:
    found = _TABLE.search(GUIDE.read_text(encoding="utf-8"))
    assert found is not None, "the guide lost its placeholder table markers"
    lines = found[1].strip().splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return header, rows


def test_the_guide_lists_every_token_by_object_with_its_kind() -> None:
    header, rows = _table()
    objects = header[2:-1]
    registry = PlaceholderRegistry()
    assert sorted(objects) == sorted(registry.objects)
    documented: dict[str, str] = {}
    for row in rows:
        field = row[0].strip("`")
        for name, mark in zip(objects, row[2:-1], strict=True):
            assert mark in ("", "✓"), row
            if mark:
                documented[f"{name}.{field}"] = row[1]
        assert row[-1], f"{field} has no explanation"
    registered = {f.token: f.kind for f in registry}
    assert documented == registered


def test_the_guide_names_the_confirmation_alias() -> None:
    assert PlaceholderRegistry().aliases == {"Confirmation": "OrderConfirmation"}
    assert "[Confirmation.…]" in GUIDE.read_text(encoding="utf-8")
