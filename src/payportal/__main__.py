"""``python -m payportal``: the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from payportal import _demo

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = argparse.ArgumentParser(prog="payportal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the end-to-end demo")
    demo.add_argument("--json", action="store_true", help="print the demo's findings as JSON")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo.run(sys.stdout, as_json=args.json)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse exits
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
