from __future__ import annotations

from pathlib import Path

import pytest

# CI checks out ../shared next to the clone; the samples are copied there unchanged.
BANK = Path(__file__).resolve().parents[3] / "shared" / "reference" / "bank"


@pytest.fixture
def bank_samples() -> Path:
    if not BANK.is_dir():
        pytest.skip(f"reference samples not found at {BANK}")
    return BANK
