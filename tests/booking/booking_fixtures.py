"""Shareable databases for the booking tests (imported by the test modules that need them: a
conftest.py here would shadow tests/conftest.py when pytest collects that as a doctest module).
Storages of every kind are tests/conftest.py's ``storage`` fixture."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(params=["sqlite-file", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """``(kind, where)`` of an empty database that other processes can share."""
    if request.param == "sqlite-file":
        return "sqlite-file", str(tmp_path / "portal.db")
    return "postgres", request.getfixturevalue("pg_conninfo")
