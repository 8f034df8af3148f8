"""Make the repository root importable, so ``examples.portal`` resolves under plain ``pytest``
too (``python -m pytest`` already puts the working directory on ``sys.path``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
