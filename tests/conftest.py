from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# CI machines are slow and shared: no per-example deadline, and a fixed number of examples.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# Every file a test reads is under tests/data, with its provenance (tests/data/README.md).
DATA = Path(__file__).resolve().parent / "data"
