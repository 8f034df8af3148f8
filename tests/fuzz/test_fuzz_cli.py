"""Fuzz the command line through click's ``CliRunner``.

Whatever the arguments, standard input, data files and key configuration, ``payportal``
exits 0 or 1 having done its job, or exits 2 with exactly one line on standard error and
nothing on standard output: never a traceback, never the "internal error" of its last line
of defence, and never a key's secret in what it prints.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Final

import pytest
from click.testing import CliRunner
from fuzz_support import fuzz, mutate, no_hang, text_of
from hypothesis import given
from hypothesis import strategies as st

from payportal._cli import KEYS_ENV, cli

SECRET: Final = bytes(range(100, 132))
KEYS: Final = f"k1:{base64.b64encode(SECRET).decode()}"
ENV: Final = {KEYS_ENV: KEYS}
DATA: Final = Path(__file__).resolve().parent.parent / "data" / "bank"
STATEMENT: Final = (DATA / "camt053_sample.xml").read_bytes()
ITEMS: Final = b"key,amount,currency,reference\nRE-1,100.00,EUR,RF18539007547034\n"
CUSTOMER: Final = {"id": "42", "number": "K-42", "name": "Erika", "locale": "de_DE"}
INVOICE: Final = {
    "number": "RE-1",
    "id": "i-1",
    "issued_on": "2026-03-01",
    "lines": [{"title": "Work", "quantity": 1, "unit_price": "10.00"}],
}
RENDER_DATA: Final = json.dumps({"customer": CUSTOMER, "invoice": INVOICE}).encode()
VOCABULARY: Final = (
    "link",
    "sign",
    "verify",
    "ref",
    "make",
    "check",
    "find",
    "template",
    "lint",
    "render",
    "reconcile",
    "--customer",
    "--document",
    "--purpose",
    "--days",
    "--version",
    "--action",
    "--key-file",
    "--current-version",
    "--base-url",
    "--path",
    "--scheme",
    "--json",
    "--html",
    "--locale",
    "--data",
    "--portal-url",
    "--items",
    "--help",
    "-",
    "--",
    "rf",
    "iso11649",
    "0",
    "-1",
    "99999999999999999999",
    "invoice:i-1",
    "de_DE",
    "https://x.example",
    "javascript:alert(1)",
    "RF18539007547034",
    "+++010/8068/17183+++",
)
SIGNED_LINK: Final = CliRunner().invoke(cli, ["link", "sign", "--customer", "42"], env=ENV).stdout


def _argument(data: bytes) -> str:
    # A real argv cannot hold NUL; everything else a shell can pass, a user can pass.
    return text_of(data).replace("\x00", "")


class _Plan:
    """One command line, with its stdin, files and environment, read from fuzzed bytes."""

    def __init__(self, data: bytes, folder: Path) -> None:
        self.command = data[0] % 10 if data else 0
        self.pick = data[1] if len(data) > 1 else 0
        self.rest = data[2:]
        self.folder = folder
        self.stdin = b""
        self.env = dict(ENV)

    def text(self) -> str:
        return _argument(self.rest)

    def edited(self, original: bytes) -> bytes:
        return mutate(original, self.rest[:30])

    def file(self, name: str, content: bytes) -> str:
        path = self.folder / name
        path.write_bytes(content)
        return str(path)

    def argv(self) -> list[str]:  # one branch per command
        text = self.text()
        if self.command == 0:
            return ["link", "verify", _argument(self.edited(SIGNED_LINK.encode()))]
        if self.command == 1:
            self.stdin = self.rest
            return ["link", "verify", "-"]
        if self.command == 2:
            head, _, tail = text.partition("|")
            return ["link", "sign", "--customer", head, "--document", tail]
        if self.command == 3:
            return ["ref", "check" if self.pick % 2 else "find", text]
        if self.command == 4:
            return ["ref", "make", VOCABULARY[self.pick % len(VOCABULARY)], *text.split("|")]
        if self.command == 5:
            self.stdin = self.rest
            return ["template", "lint", "-"]
        if self.command == 6:
            self.stdin = b"<p>[Client.name] [Invoice.total_gross] [Client.email]</p>"
            data = self.file("data.json", self.edited(RENDER_DATA))
            extra = ["--html"] if self.pick & 1 else []
            if self.pick & 2:
                self.stdin += b'<a href="[Invoice.payment_url]">pay</a>'
                extra += ["--portal-url", "https://billing.example.com"]
            return ["template", "render", "-", "--data", data, *extra]
        if self.command == 7:
            # Hostile key configuration: the secret must not be echoed back.
            self.env = {KEYS_ENV: _argument(self.edited(KEYS.encode()))}
            return ["link", "verify", SIGNED_LINK.strip()]
        if self.command == 8:
            statement = self.file("statement.xml", self.edited(STATEMENT))
            items = self.file("items.csv", ITEMS)
            return ["reconcile", statement, "--items", items]
        return [VOCABULARY[byte % len(VOCABULARY)] for byte in self.rest[:6]] + [text]


@fuzz
@given(data=st.binary(max_size=120))
def test_every_error_is_one_line_on_stderr_with_exit_2(
    data: bytes, tmp_path_factory: object
) -> None:
    folder = Path(str(tmp_path_factory.getbasetemp())) / "cli"  # type: ignore[attr-defined]
    folder.mkdir(exist_ok=True)
    plan = _Plan(data, folder)
    argv = plan.argv()
    with no_hang(f"payportal {argv!r}"):
        result = CliRunner().invoke(cli, argv, input=plan.stdin, env=plan.env)
    where = f"payportal {argv!r} exited {result.exit_code}: {result.stderr!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), where
    assert result.exit_code in (0, 1, 2), where
    assert "Traceback" not in result.stdout + result.stderr, where
    assert "internal error" not in result.stderr, where
    if result.exit_code == 2:
        assert result.stdout == "", where
        assert result.stderr.count("\n") == 1, where
        assert result.stderr.endswith("\n"), where
    encoded = base64.b64encode(SECRET).decode()
    for shown in (result.stdout, result.stderr):
        assert encoded[:12] not in shown, where


# Found by fuzzing: standard input that is not UTF-8 escaped as UnicodeDecodeError into the
# "internal error" line.
@pytest.mark.parametrize("argv", [["link", "verify", "-"], ["template", "lint", "-"]])
def test_standard_input_that_is_not_utf8_is_an_ordinary_error(argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv, input=b"\xff\xfe[Client.name]", env=ENV)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "internal error" not in result.stderr
