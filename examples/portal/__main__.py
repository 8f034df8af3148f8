"""``python -m examples.portal``: serve the example portal on http://127.0.0.1:5000."""

from __future__ import annotations

import argparse

from examples.portal.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    options = parser.parse_args()
    print(f"Open http://{options.host}:{options.port}/ for the demo outbox with the portal links.")
    create_app().run(host=options.host, port=options.port)


if __name__ == "__main__":
    main()
