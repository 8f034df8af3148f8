"""Fuzz placeholder templates: ``Template.compile``, ``Template.render`` and ``lint``.

For any template text, compiling raises only a :class:`PlaceholderError`, rendering only a
:class:`PlaceholderError` (a :class:`MissingContextError` when the context lacks an object),
and linting never raises; none prints anything. Lint reports an error exactly when a strict
HTML compile fails.
"""

from __future__ import annotations

import difflib
from datetime import date
from unittest.mock import patch

import pytest
from fuzz_support import compose, fuzz, mutate, no_hang, only, text_of
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.customers import Company, Customer
from payportal.documents import Invoice, LineItem
from payportal.exceptions import PlaceholderError
from payportal.placeholders import Diagnostic, PlaceholderRegistry, RenderContext, Template, lint
from payportal.placeholders._lint import MAX_SUGGESTIONS

REGISTRY = PlaceholderRegistry()
TOKENS = tuple(f"[{field.token}]" for field in REGISTRY)
PIECES = (
    *TOKENS,
    "[Invoice.due_on:long]",
    "[Invoice.due_on:lng]",
    "[Invoice.numbr]",
    "[Invoce.number]",
    "[invoice.number]",
    "[[Invoice.number]]",
    "[Invoice.number",
    "[Foo.bar]",
    "[",
    "]",
    ":",
    ".",
    "{{Client.name}}",
    '<a href="',
    "<img src='https://x.example/?q=",
    '<form action="',
    '<a onclick="',
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<p ",
    "<",
    "</",
    ">",
    '"',
    "'",
    "=",
    " ",
    "\n",
    "\t",
    "&#106;",
    "text",
    "ä€",
    "\x00",
    "\ud800",
)
CUSTOMER = Customer(
    id="42", number="K-42", name='Erika "<script>" Mustermann', email="erika@example.org"
)
CONTEXT = RenderContext(
    customer=CUSTOMER,
    company=Company(name="Beispiel & Co", website="https://beispiel.example/?a=1&b=2"),
    documents=Invoice(
        id="i-1",
        number="RE-1",
        customer_id="42",
        issued_on=date(2026, 3, 1),
        due_on=date(2026, 3, 15),
        lines=[LineItem(title="Work", quantity=1, unit_price=Money("10.00", "EUR"))],
    ),
    locale="de_DE",
)
SEED = 'Dear [Client.name],\n<a href="[Company.website]">[Invoice.total_gross]</a>'

texts = st.one_of(
    st.binary(max_size=60).map(lambda program: compose(program, PIECES)),
    st.binary(min_size=3, max_size=30).map(lambda program: text_of(mutate(SEED.encode(), program))),
    st.binary(max_size=300).map(text_of),
)


@fuzz
@given(
    text=texts,
    escape=st.sampled_from(["text", "html"]),
    mode=st.sampled_from(["strict", "keep", "blank"]),
)
def test_templates_raise_only_placeholder_errors(text: str, escape: str, mode: str) -> None:
    diagnostics = only((), lambda: lint(text), "lint")
    assert isinstance(diagnostics, list)
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    errors = [d for d in diagnostics if d.severity == "error"]

    template = only(
        PlaceholderError,
        lambda: Template.compile(text, escape=escape, mode=mode),  # type: ignore[arg-type]
        "Template.compile",
    )
    if escape == "html" and mode == "strict":
        assert isinstance(template, PlaceholderError) == bool(errors), (text, errors)
    if isinstance(template, Template):
        rendered = only(PlaceholderError, lambda: template.render(CONTEXT), "Template.render")
        if escape == "html" and isinstance(rendered, str):
            # The customer's own quotes and angle brackets never reach the output raw.
            assert '"<script>"' not in rendered


# -- cases found while fuzzing: work that grew with the square of the template's length ------

LONG_TEMPLATES = {
    # lint's near-miss pattern backtracked over blanks after a field name
    "blanks after a near miss": "[a.a" + " " * 50_000,
    "blanks after an unclosed placeholder": "[Invoice.number" + " \t" * 25_000,
    # lint's bracket pairing looked for the previous line break from every bracket
    "brackets on one line": "[" * 80_000,
}


@pytest.mark.parametrize("name", sorted(LONG_TEMPLATES))
def test_a_long_hostile_template_is_linted_and_compiled_without_hanging(name: str) -> None:
    text = LONG_TEMPLATES[name]
    with no_hang(f"lint and compile of {name}"):
        lint(text)
        Template.compile(text, escape="html", mode="keep")


def test_close_names_are_looked_for_a_bounded_number_of_times() -> None:
    # Each suggestion costs difflib about a millisecond: 5,000 distinct unknown fields must
    # not cost 5,000 of them.
    text = "".join(f"[Client.n{i}] [invoice.x{i}] " for i in range(5000))
    with patch("difflib.get_close_matches", wraps=difflib.get_close_matches) as compared:
        lint(text)
        Template.compile(text, mode="keep")
    assert compared.call_count <= 4 * MAX_SUGGESTIONS
