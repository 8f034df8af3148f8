"""The hypothesis profile ``fuzz``: ``pytest tests/fuzz --hypothesis-profile=fuzz``.

Registered here, in a conftest pytest loads before it reads ``--hypothesis-profile``; the
fuzz tests take their example count from it (see ``tests/fuzz/fuzz_support.py``).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    parent=settings.get_profile("default"),
    max_examples=10_000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
