from __future__ import annotations

from pathlib import Path

import pytest

# Real statements from public repositories, copied unchanged (see tests/data/README.md).
BANK = Path(__file__).resolve().parents[1] / "data" / "bank"


@pytest.fixture
def bank_samples() -> Path:
    return BANK
