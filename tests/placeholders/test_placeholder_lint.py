"""lint(): every problem at once, positioned for editors."""

from __future__ import annotations

import pytest

from payportal.exceptions import ValidationError
from payportal.placeholders import Diagnostic, PlaceholderRegistry, lint


def _codes(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(d.line, d.column, d.code, d.suggestion) for d in lint(text)]


def test_a_clean_template_has_no_diagnostics() -> None:
    text = "Dear [Client.name],\n[draft] see [1]: [Invoice.total_gross:amount] [[Invoice.number]]"
    assert lint(text) == []


def test_unknown_objects_fields_and_hints_are_errors() -> None:
    text = "[Invoce.number] [Invoice.numbr]\n  [Invoice.due_on:lng] [Client.name:long]"
    diagnostics = lint(text)
    assert [
        (d.line, d.column, d.length, d.severity, d.code, d.suggestion) for d in diagnostics
    ] == [
        (1, 1, 15, "error", "unknown-object", "Invoice"),
        (1, 17, 15, "error", "unknown-field", "number"),
        (2, 3, 20, "error", "unknown-hint", "long"),
        (2, 24, 18, "error", "unknown-hint", None),
    ]
    assert str(diagnostics[1]) == (
        "1:17: error: unknown placeholder [Invoice.numbr]: Invoice has no field numbr; "
        "did you mean number? [unknown-field]"
    )


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("[invoice.number]", "[Invoice.number]"),
        ("[ Invoice.number ]", "[Invoice.number]"),
        ("[Invoice . number]", "[Invoice.number]"),
        ("{{Invoice.number}}", "[Invoice.number]"),
        ("{Client.name}", "[Client.name]"),
        ("[ Client . display name ]", "[Client.display_name]"),
        ("[customer.name]", "[Client.name]"),
    ],
)
def test_near_misses_are_warnings_with_the_placeholder_meant(text: str, meant: str) -> None:
    (diagnostic,) = lint(f"Hi {text}!")
    assert (diagnostic.severity, diagnostic.code, diagnostic.suggestion) == (
        "warning",
        "near-miss",
        meant,
    )
    assert (diagnostic.column, diagnostic.length) == (4, len(text))


@pytest.mark.parametrize(
    "text", ["[draft]", "[e.g. this]", "[notes.txt]", "{x.y}", "[Weather.today]x"]
)
def test_ordinary_brackets_are_not_near_misses(text: str) -> None:
    assert all(d.code != "near-miss" for d in lint(text))


def test_an_unclosed_near_miss_is_one_error_that_suggests_the_placeholder() -> None:
    (diagnostic,) = lint("Hi [Invoice.total gross]!")
    assert (diagnostic.code, diagnostic.column, diagnostic.length, diagnostic.suggestion) == (
        "unclosed-placeholder",
        4,
        21,
        "[Invoice.total_gross]",
    )


def test_unclosed_placeholders_are_errors_and_stray_brackets_warnings() -> None:
    text = "Total [Invoice.total_gross is due\nsee ] and [draft\n[a]]"
    assert _codes(text) == [
        (1, 7, "unclosed-placeholder", "[Invoice.total_gross]"),
        (2, 5, "unmatched-bracket", None),
        (2, 11, "unmatched-bracket", None),
        (3, 4, "unmatched-bracket", None),
    ]


def test_brackets_pair_up_within_a_line_only() -> None:
    assert _codes("[\n]") == [(1, 1, "unmatched-bracket", None), (2, 1, "unmatched-bracket", None)]


def test_lint_uses_the_given_registry() -> None:
    registry = PlaceholderRegistry.empty()
    registry.register("Project", "code", lambda p: p)
    assert lint("[Project.code]", registry=registry) == []
    assert [d.code for d in lint("[Project.code]")] == ["unknown-object"]
    assert [d.code for d in lint("[Client.name]", registry=registry)] == ["unknown-object"]


def test_lint_validates_its_arguments() -> None:
    with pytest.raises(ValidationError):
        lint(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        lint("x", registry="default")  # type: ignore[arg-type]


def test_diagnostics_are_values() -> None:
    assert lint("[Invoice.numbr]") == lint("[Invoice.numbr]")
    assert isinstance(lint("[Invoice.numbr]")[0], Diagnostic)
