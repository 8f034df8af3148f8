"""``python -m examples.portal``: serve the example portal on http://127.0.0.1:5000."""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from examples.portal.app import create_app
from examples.portal.store import demo_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(tempfile.gettempdir()) / "payportal-example.sqlite3",
        help="the SQLite file the portal keeps its state in (default: %(default)s)",
    )
    options = parser.parse_args()
    base_url = f"http://{options.host}:{options.port}"
    store = demo_store(datetime.now(UTC), options.db)
    print(f"State in {options.db}. Open {base_url}/ for the demo outbox with the portal links.")
    create_app(store, base_url=base_url).run(host=options.host, port=options.port, threaded=True)


if __name__ == "__main__":
    main()
