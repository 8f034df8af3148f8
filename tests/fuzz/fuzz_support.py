"""What every fuzz test shares: the example count, the one-error-type check, hang detection.

The default suite runs each fuzz test with a few examples, so a broken entry point shows
quickly. The full run gives each at least 10,000: set ``PAYPORTAL_FUZZ_EXAMPLES=10000``
(what ``nox -s fuzz`` does), or select a hypothesis profile named ``fuzz`` if the suite
registers one (``--hypothesis-profile=fuzz``).

(No conftest.py here: with ``--doctest-modules`` a second conftest module outside a package
collides with the others on collection.)
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import traceback
from typing import TYPE_CHECKING, Final, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T = TypeVar("T")

FULL_EXAMPLES: Final = 10_000
SMALL_EXAMPLES: Final = 20


def _examples() -> int:
    chosen = os.environ.get("PAYPORTAL_FUZZ_EXAMPLES")
    if chosen:
        return int(chosen)
    # The "fuzz" profile (tests/conftest.py) asks for the full size; read from the loaded
    # settings, which works on every hypothesis the project allows (profile names are newer).
    return FULL_EXAMPLES if settings.default.max_examples >= FULL_EXAMPLES else SMALL_EXAMPLES


EXAMPLES: Final = _examples()

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # The full run explores; its findings become regression tests, not database entries.
    database=None if EXAMPLES >= FULL_EXAMPLES else settings.default.database,
)
"""The settings of every fuzz test: ``@fuzz`` above ``@given``."""

# Far more than any single call needs (they take milliseconds): only a hang trips it.
HANG_SECONDS: Final = 20


class HangError(AssertionError):
    """A call ran for more than :data:`HANG_SECONDS`: work is not bounded per byte."""


@contextlib.contextmanager
def no_hang(what: str) -> Iterator[None]:
    """Fail with :class:`HangError` if the block runs longer than :data:`HANG_SECONDS`."""

    def expire(signum: int, frame: object) -> None:
        raise HangError(f"{what} ran for more than {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def only(
    allowed: type[BaseException] | tuple[type[BaseException], ...],
    call: Callable[[], T],
    what: str,
) -> T | BaseException:
    """Run ``call``: it returns, or raises one of ``allowed``; it prints nothing, never hangs.

    Returns the result, or the allowed exception it raised (for further checks).
    """
    out = io.StringIO()
    try:
        with no_hang(what), contextlib.redirect_stdout(out):
            result: T | BaseException = call()
    except allowed as error:
        result = error
    except HangError:
        raise
    except Exception as error:  # the point of the test: name what escaped, with its origin
        trace = "".join(traceback.format_exception(error))
        pytest.fail(f"{what} raised {type(error).__name__}: {error}\n{trace}")
    assert out.getvalue() == "", f"{what} printed to stdout: {out.getvalue()[:200]!r}"
    return result


def raw_text() -> st.SearchStrategy[str]:
    """Any text, cheaply: random bytes as UTF-8 (lone surrogates where they do not decode)."""
    return st.binary(max_size=300).map(text_of)


def mutate(original: bytes, program: bytes) -> bytes:
    """``original`` edited as ``program`` says: each 3 bytes are (edit, position, byte).

    Driving the edits from one binary draw keeps a hypothesis example cheap (one choice,
    not one per edit) and lets the shrinker take edits away. Edits are: replace a byte, insert
    one, delete one, truncate, duplicate the rest, or flip a bit.
    """
    data = bytearray(original)
    for index in range(0, len(program) - 2, 3):
        edit, where, value = program[index : index + 3]
        where = where * (len(data) + 1) // 256
        kind = edit % 6
        if kind == 0 and where < len(data):
            data[where] = value
        elif kind == 1:
            data.insert(where, value)
        elif kind == 2 and where < len(data):
            del data[where]
        elif kind == 3:
            del data[where:]
        elif kind == 4:
            data[where:where] = data[where:][: value + 1]
        elif where < len(data):
            data[where] ^= 1 << (value % 8)
    return bytes(data)


def compose(program: bytes, pieces: tuple[str, ...]) -> str:
    """Text made of ``pieces`` in the order ``program``'s bytes pick them."""
    return "".join(pieces[byte % len(pieces)] for byte in program)


def text_of(data: bytes) -> str:
    """Bytes as any text: UTF-8 where it decodes, lone surrogates where it does not."""
    return data.decode("utf-8", "surrogateescape")


def fuzz_at_most(count: int) -> settings:
    """Like :data:`fuzz`, with at most ``count`` examples: for property tests whose every
    example is expensive (a client built and a request refused), where the full run's
    10,000 would cost minutes without reaching further."""
    return settings(fuzz, max_examples=min(EXAMPLES, count))
