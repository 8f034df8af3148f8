"""``python -m payportal`` and the ``payportal`` console script: the command line.

The commands live in :mod:`payportal._cli`, which needs the ``cli`` extra (click and rich);
without it this prints how to install it and exits with status 2.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

MISSING_CLI = (
    "payportal: the command line needs the 'cli' extra (click and rich).\n"
    "Install it with:  pip install 'payportal[cli]'\n"
    '(from a clone:     pip install -e ".[cli]")\n'
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        from payportal import _cli  # noqa: PLC0415  # optional: only with the cli extra
    except ImportError as error:
        if error.name not in ("click", "rich") and not (error.name or "").startswith("rich."):
            raise
        sys.stderr.write(MISSING_CLI)
        return 2
    return _cli.run(argv)


if __name__ == "__main__":
    sys.exit(main())
