"""Compiling templates: what counts as a placeholder, escapes, and compile-time errors."""

from __future__ import annotations

import pickle

import pytest

from payportal.customers import Customer
from payportal.exceptions import PlaceholderError, ValidationError
from payportal.placeholders import (
    Placeholder,
    PlaceholderRegistry,
    RenderContext,
    Template,
    TemplateSyntaxError,
    UnknownPlaceholderError,
)

EMPTY = RenderContext()


def test_placeholders_are_listed_in_order_with_their_positions() -> None:
    template = Template.compile("Dear [Client.name],\n\n  due: [Invoice.due_on:long] [Client.name]")
    assert template.placeholders == (
        Placeholder("Client.name", "Client", "name", None, 1, 6),
        Placeholder("Invoice.due_on:long", "Invoice", "due_on", "long", 3, 8),
        Placeholder("Client.name", "Client", "name", None, 3, 30),
    )
    assert template.objects == frozenset({"Client", "Invoice"})
    assert str(template.placeholders[1]) == "[Invoice.due_on:long]"


@pytest.mark.parametrize(
    "text",
    [
        "[draft]",
        "see [1] and [2]",
        "[the portal](https://portal.test/x?a=[b])",
        "[e.g. this]",
        "[invoice.number]",  # objects start with a capital letter
        "[Invoice]",
        "[Invoice.]",
        "[.number]",
        "[Invoice number]",
        "[[draft]]",
        "]][[",
        "[Note.txt is fine",  # not closed, and Note is no known object
        "{{ Invoice.number }}",
        "",
    ],
)
def test_bracketed_text_that_is_not_a_placeholder_stays_as_it_is(text: str) -> None:
    template = Template.compile(text)
    assert template.placeholders == ()
    assert template.render(EMPTY) == text


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("[[Invoice.number]]", "[Invoice.number]"),
        ("write [[Client.name]] to greet", "write [Client.name] to greet"),
        ("[[Invoice.due_on:long]]", "[Invoice.due_on:long]"),
        ("[[Unknown.thing]]", "[Unknown.thing]"),  # an escape is never looked up
        ("[[[Invoice.number]]]", "[[Invoice.number]]"),
    ],
)
def test_doubled_brackets_write_a_placeholder_literally(text: str, rendered: str) -> None:
    template = Template.compile(text)
    assert template.placeholders == ()
    assert template.render(EMPTY) == rendered


def test_half_doubled_brackets_leave_the_extra_bracket_as_text() -> None:
    context = RenderContext(customer=Customer(id="1", number="K-1", name="Ada"))
    assert Template.compile("[[Client.name]").render(context) == "[Ada"
    assert Template.compile("[Client.name]]").render(context) == "Ada]"
    assert Template.compile("[[Client.name]").placeholders[0].column == 2


def test_unknown_field_names_token_line_column_and_suggestion() -> None:
    with pytest.raises(UnknownPlaceholderError) as caught:
        Template.compile("Hello,\nplease pay: [Invoice.customerportal_ur] today")
    error = caught.value
    assert (error.token, error.line, error.column) == ("Invoice.customerportal_ur", 2, 13)
    assert error.suggestion == "customerportal_url"
    assert str(error) == (
        "line 2, column 13: unknown placeholder [Invoice.customerportal_ur]: Invoice has no "
        "field customerportal_ur; did you mean customerportal_url?"
    )


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("[Invoce.number]", "Invoice"),
        ("[INVOICE.number]", "Invoice"),
        ("[Customer.name]", "Client"),
        ("[Merchant.name]", "Company"),
        ("[Quote.valid_until]", "Offer"),
        ("[Creditnote.number]", "CreditNote"),
    ],
)
def test_unknown_objects_suggest_the_object_meant(text: str, suggestion: str) -> None:
    with pytest.raises(UnknownPlaceholderError, match=f"did you mean {suggestion}\\?") as caught:
        Template.compile(text)
    assert caught.value.suggestion == suggestion


def test_unknown_object_without_a_close_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPlaceholderError, match="known objects are Client, Company") as e:
        Template.compile("[Xyzzy.plugh]")
    assert e.value.suggestion is None


def test_unknown_field_without_a_close_name_has_no_suggestion() -> None:
    with pytest.raises(UnknownPlaceholderError) as caught:
        Template.compile("[Client.xyzzy]")
    assert caught.value.suggestion is None
    assert "did you mean" not in str(caught.value)


@pytest.mark.parametrize(
    "text", ["[Client.__class__]", "[Invoice.customer_id]", "[Client.link_version]"]
)
def test_attributes_that_are_not_registered_are_not_placeholders(text: str) -> None:
    # Nothing is resolved by attribute access: existing attributes are unknown fields too.
    with pytest.raises(UnknownPlaceholderError):
        Template.compile(text)


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        (
            "[Invoice.due_on:lng]",
            "did you mean long\\? a date field takes short, medium, long, full or iso",
            "long",
        ),
        ("[Invoice.total_gross:amout]", "did you mean amount\\?", "amount"),
        ("[Invoice.due_on:]", "unknown format hint ''", None),
        ("[Client.name:long]", "Client.name takes no format hint", None),
    ],
)
def test_unknown_format_hints_are_reported(text: str, message: str, suggestion: str | None) -> None:
    with pytest.raises(UnknownPlaceholderError, match=message) as caught:
        Template.compile(text)
    assert caught.value.suggestion == suggestion


def test_unclosed_placeholder_of_a_known_object_is_a_syntax_error() -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        Template.compile("Total:\n[Invoice.total_gross is due")
    error = caught.value
    assert (error.token, error.line, error.column) == ("Invoice.total_gross", 2, 21)
    assert "column 1" in str(error)  # where the placeholder starts


def test_keep_mode_leaves_unknown_and_unclosed_placeholders_as_written() -> None:
    text = "[Invoice.nmber] [Foo.bar] [Invoice.due_on:lng] [Invoice.number is"
    template = Template.compile(text, mode="keep")
    assert template.placeholders == ()
    assert template.render(EMPTY) == text


def test_blank_mode_drops_unknown_placeholders_but_keeps_unclosed_text() -> None:
    template = Template.compile("a[Invoice.nmber]b[Foo.bar]c [Invoice.number is", mode="blank")
    assert template.render(EMPTY) == "abc [Invoice.number is"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": b"[Client.name]"}, "text"),
        ({"escape": "xml"}, "escape"),
        ({"mode": "lenient"}, "mode"),
        ({"registry": {"Client": {}}}, "registry"),
    ],
)
def test_compile_arguments_are_validated(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"text": "x", **kwargs}
    with pytest.raises(ValidationError) as caught:
        Template.compile(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_templates_are_only_built_by_compile() -> None:
    with pytest.raises(TypeError, match=r"Template\.compile"):
        Template()


def test_repr_shows_text_and_settings() -> None:
    template = Template.compile("Hello [Client.name]", escape="html", mode="keep")
    assert repr(template) == (
        "<Template 'Hello [Client.name]': 1 placeholders, escape='html', mode='keep'>"
    )
    assert "..." in repr(Template.compile("x" * 100))


def test_a_custom_registry_decides_what_is_known() -> None:
    registry = PlaceholderRegistry.empty()
    registry.register("Client", "name", lambda c: c.name)
    assert Template.compile("[Client.name]", registry=registry).placeholders
    with pytest.raises(UnknownPlaceholderError, match="Client has no field number"):
        Template.compile("[Client.number]", registry=registry)
    # An unclosed tag of an object the registry does not know is plain text.
    assert Template.compile("[Invoice.number is", registry=registry).placeholders == ()


def test_placeholder_errors_pickle_with_their_details() -> None:
    with pytest.raises(UnknownPlaceholderError) as caught:
        Template.compile("\n  [Invoice.totl]")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, PlaceholderError)
    assert str(copy) == str(caught.value)
    assert (copy.token, copy.line, copy.column, copy.suggestion) == ("Invoice.totl", 2, 3, "total")
