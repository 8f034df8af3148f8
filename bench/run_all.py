"""Run every ``bench/bench_*.py`` script in turn (``nox -s bench`` or ``python bench/run_all.py``).

Pass script name fragments to run only some: ``python bench/run_all.py links references``.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main(selected: list[str]) -> None:
    here = Path(__file__).parent
    for script in sorted(here.glob("bench_*.py")):
        if selected and not any(s in script.stem for s in selected):
            continue
        print(f"== {script.name}", flush=True)
        runpy.run_path(str(script), run_name="__main__")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
