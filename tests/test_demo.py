from __future__ import annotations

import io
import json
import subprocess
import sys

from payportal import _demo
from payportal.__main__ import main


def test_demo_prints_a_walk_through(capsys: object) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "RE-2026-17" in out
    assert "481,07\xa0€" in out  # de_DE formatting of the invoice total
    assert "accept" in out


def test_demo_json_is_data() -> None:
    buffer = io.StringIO()
    assert _demo.run(buffer, as_json=True) == 0
    report = json.loads(buffer.getvalue())
    invoice = next(d for d in report["documents"] if d["type"] == "invoice")
    assert invoice["total"] == "481,07\xa0€"
    assert [t["rate"] for t in invoice["taxes"]] == ["7 %", "19 %"]
    offer = next(d for d in report["documents"] if d["type"] == "offer")
    assert "pay" not in offer["actions"]
    assert {"accept", "reject"} <= set(offer["actions"])


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "demo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "payportal demo" in done.stdout


def test_usage_errors_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "nonsense"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
