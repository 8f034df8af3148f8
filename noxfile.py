"""Development sessions. Run ``nox -l`` to list them, ``nox -s NAME`` to run one."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.12", "3.13", "3.14"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole suite (tests, doctests in modules and docs) on every installed Python."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(venv_backend="uv")
def lowest(session: nox.Session) -> None:
    """Run the whole suite on the oldest release pyproject.toml allows of every dependency.

    uv resolves every direct dependency (and every extra the ``test`` extra pulls in) to its
    lowest allowed version, so a lower bound in pyproject.toml that is no longer true fails
    here instead of on a user's machine. ``.ci/run`` runs this beside the normal suite.
    """
    session.install("--resolution=lowest-direct", "-e", ".[test]", "pytest-xdist>=3.5")
    session.run("uv", "pip", "freeze")
    # Two worker processes, one per core of the CI machine, as in ``fuzz``: the suite's
    # fixtures (a PostgreSQL cluster on its own socket, Chromium, temporary files) are per
    # worker, so the run is the same, in about half the time.
    session.run("python", "-m", "pytest", "-q", "-n", "2", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The fuzz tests at full size: at least 10,000 examples per entry point (tests/fuzz).

    The default suite runs the same tests with a few examples each; this is the run that
    looks hard. Two worker processes (pytest-xdist), one per core of the CI machine.
    """
    session.install("-e", ".[test]", "pytest-xdist>=3.5")
    session.env["PAYPORTAL_FUZZ_EXAMPLES"] = "10000"
    session.run("python", "-m", "pytest", "-q", "-n", "2", "tests/fuzz", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the repository."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "src")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the user guide and API reference with MkDocs into site/.

    The guide's examples are doctests run by the test suite; this session checks the site builds.
    """
    session.install("-e", ".[test]", "mkdocs>=1.6", "mkdocstrings[python]>=0.26")
    session.run("mkdocs", "build")


@nox.session
def screenshots(session: nox.Session) -> None:
    """Click through the example portal in headless Chromium (system chromium and
    chromedriver) and save a screenshot of each page into docs/screenshots/ for the guide.
    The default suite runs the same browser tests with the screenshots in a temporary
    folder; only this session writes the ones in docs/."""
    session.install("-e", ".[test,browser]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/browser/test_portal_browser.py",
        "tests/browser/test_portal_methods_browser.py",
        *session.posargs,
        env={"PAYPORTAL_SCREENSHOTS": "1"},
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in bench/; each prints its figures and the ratio to its anchor."""
    session.install("-e", ".[test,bench]")
    session.run("python", "bench/run_all.py", *session.posargs)
