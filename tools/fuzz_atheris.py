"""Coverage-guided fuzzing of payportal's parsers with atheris (libFuzzer for Python).

The hypothesis fuzz tests in ``tests/fuzz`` explore inputs at random; atheris watches which
branches of payportal each input reaches and keeps mutating the inputs that reach new ones.
Each target reads its bytes the way the matching fuzz test does (same seeds, same mutation
helpers) and lets only the entry point's documented errors through; anything else is a
crash, which atheris reports with the input that caused it (saved as ``crash-<hash>``).

Run one target for a minute (any libFuzzer flag may follow the target's name)::

    pip install atheris
    python tools/fuzz_atheris.py links -max_total_time=60
    python tools/fuzz_atheris.py webhook-sofort -runs=100000

Targets: ``links``, ``master-data``, ``templates``, ``statements``, ``cli`` and
``webhook-<provider>`` for every provider of ``tests/fuzz/test_fuzz_webhooks.py``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import atheris

if TYPE_CHECKING:
    from collections.abc import Callable

FUZZ_TESTS = Path(__file__).resolve().parent.parent / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ_TESTS))

# Every payportal module the test modules import is instrumented (and nothing else).
with atheris.instrument_imports(include=["payportal"]):
    import fuzz_support
    import test_fuzz_cli
    import test_fuzz_links
    import test_fuzz_master_data
    import test_fuzz_placeholders
    import test_fuzz_statements
    import test_fuzz_webhooks

from click.testing import CliRunner  # noqa: E402

from payportal.customers import MasterDataField  # noqa: E402
from payportal.exceptions import (  # noqa: E402
    AccessDeniedError,
    InvalidLinkError,
    PlaceholderError,
    StatementFormatError,
    ValidationError,
)
from payportal.placeholders import Template, lint  # noqa: E402
from payportal.reconciliation import read_statement  # noqa: E402


def _quiet(call: Callable[[], Any], allowed: tuple[type[Exception], ...]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(*allowed):
        call()
    if out.getvalue():
        raise AssertionError(f"printed to stdout: {out.getvalue()[:200]!r}")


def links(data: bytes) -> None:
    text = fuzz_support.text_of(data)
    _quiet(lambda: test_fuzz_links.URLS.resolve(text), (InvalidLinkError,))
    edited = fuzz_support.text_of(fuzz_support.mutate(test_fuzz_links.TOKEN.encode(), data))
    _quiet(lambda: test_fuzz_links.SIGNER.verify(edited, purpose="portal"), (InvalidLinkError,))


def master_data(data: bytes) -> None:
    middle = len(data) // 4
    submission = test_fuzz_master_data._submission((data[:middle], data[middle:]))
    customer = test_fuzz_master_data.ERIKA
    change = test_fuzz_master_data.MasterDataChange

    def submit() -> None:
        customer.apply_change(change.from_dict(submission), editable=set(MasterDataField))

    _quiet(submit, (ValidationError, AccessDeniedError))


def templates(data: bytes) -> None:
    if data[:1] == b"\x00":
        text = fuzz_support.compose(data[1:], test_fuzz_placeholders.PIECES)
    else:
        text = fuzz_support.text_of(data)
    _quiet(lambda: lint(text), ())
    for escape in ("text", "html"):
        try:
            template = Template.compile(text, escape=escape)  # type: ignore[arg-type]
        except PlaceholderError:
            continue
        _quiet(
            lambda t=template: t.render(test_fuzz_placeholders.CONTEXT),  # type: ignore[misc]
            (PlaceholderError,),
        )


def statements(data: bytes) -> None:
    seeds = test_fuzz_statements.SEEDS
    content = data if data[:1] == b"\x00" else fuzz_support.mutate(seeds[len(data) % 3], data)
    _quiet(lambda: read_statement(content), (StatementFormatError,))


_SCRATCH = Path(tempfile.mkdtemp(prefix="payportal-fuzz-"))  # the CLI target's data files


def cli(data: bytes) -> None:
    plan = test_fuzz_cli._Plan(data, _SCRATCH)
    argv = plan.argv()
    result = CliRunner().invoke(test_fuzz_cli.cli, argv, input=plan.stdin, env=plan.env)
    if result.exit_code not in (0, 1, 2) or "internal error" in result.stderr:
        raise AssertionError(f"payportal {argv!r}: {result.exit_code} {result.stderr!r}")
    if result.exit_code == 2 and (result.stdout or result.stderr.count("\n") != 1):
        raise AssertionError(f"payportal {argv!r}: not one line: {result.stderr!r}")


def webhook(name: str) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        chosen = test_fuzz_webhooks.target(name)
        attempt = test_fuzz_webhooks.Attempt.read(data)
        headers = test_fuzz_webhooks.edit_headers(chosen.seed[0], attempt.header_program)
        program = attempt.program
        body = program if attempt.raw else fuzz_support.mutate(chosen.seed[1], program[:30])
        _quiet(lambda: chosen.sync.parse_webhook(headers, body), chosen.allowed)

    return target


TARGETS: dict[str, Callable[[bytes], None]] = {
    "links": links,
    "master-data": master_data,
    "templates": templates,
    "statements": statements,
    "cli": cli,
    **{f"webhook-{name}": webhook(name) for name in test_fuzz_webhooks.BUILDERS},
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer flags]; targets: {', '.join(TARGETS)}")
    chosen = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], chosen)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
