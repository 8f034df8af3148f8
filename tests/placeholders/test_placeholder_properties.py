"""Invariants of compiling and rendering, checked on generated templates and values."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import babel.dates
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from payportal import Money, format_money
from payportal.customers import Customer
from payportal.exceptions import PlaceholderError
from payportal.placeholders import PlaceholderRegistry, RenderContext, Template, lint
from payportal.testing import strategies as pst

if TYPE_CHECKING:
    from payportal.documents import Invoice

LOCALES = ["de_DE", "en_IE", "en_US", "fr_FR", "de_CH", "nl_NL", "ja_JP", "pt_BR", "hi_IN"]
TOKENS = [f.token for f in PlaceholderRegistry()]
PLACEHOLDER_SHAPE = re.compile(r"\[[A-Z][A-Za-z0-9]*\.[A-Za-z_]")

modes = st.sampled_from(["strict", "keep", "blank"])
escapes = st.sampled_from(["text", "html"])
prose = st.text(alphabet="aZ .:_-[](){}<>&\"'\n\t€ä0", max_size=40)
plain = st.text(alphabet="aZ .:_-(){}<>&\"'\n€ä0", max_size=12)  # no brackets at all
known = st.sampled_from(TOKENS).map(lambda token: f"[{token}]")
KNOWN_SET = frozenset(f"[{token}]" for token in TOKENS)


@given(text=prose, mode=modes, escape=escapes)
def test_text_without_placeholders_renders_unchanged(text: str, mode: str, escape: str) -> None:
    assume(not PLACEHOLDER_SHAPE.search(text))
    template = Template.compile(text, mode=mode, escape=escape)  # type: ignore[arg-type]
    assert template.placeholders == ()
    assert template.render(RenderContext()) == text


# Any single line a customer may have as a name: every character but controls and the
# separators, overrides and surrogates the model refuses.
single_line = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
        blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip())


@given(name=single_line)
def test_html_mode_never_lets_markup_characters_through(name: str) -> None:
    customer = Customer(id="1", number="K-1", name=name, company=name)
    template = Template.compile("[Client.name][Client.company]", escape="html")
    rendered = template.render(RenderContext(customer=customer))
    assert not set(rendered) & set("<>\"'")
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27);)*", rendered, re.DOTALL)
    assert html.unescape(rendered) == customer.name * 2


@given(parts=st.lists(st.one_of(plain, known), max_size=8))
def test_keep_mode_renders_a_template_to_itself_when_the_context_is_empty(
    parts: list[str],
) -> None:
    text = "".join(parts)
    assert Template.compile(text, mode="keep").render(RenderContext()) == text


@given(parts=st.lists(st.one_of(plain, known), max_size=8))
def test_escaping_every_placeholder_round_trips_to_the_original_text(parts: list[str]) -> None:
    text = "".join(parts)
    escaped = "".join(f"[{p}]" if p in KNOWN_SET else p for p in parts)
    template = Template.compile(escaped)
    assert template.placeholders == ()
    assert template.render(RenderContext()) == text


suspicious = st.sampled_from(
    [
        "[Invoice.numbr]",
        "[Invoce.number]",
        "[Invoice.due_on:lng]",
        "[Invoice.due_on:long]",
        "[Client.name:x]",
        "[Invoice.number ",
        "[Foo.bar]",
        "[Foo.bar ",
        "[[Foo.bar]]",
        "[invoice.number]",
        "[",
        "]",
        ":long]",
        # Markup, so that placeholders land in attributes, tags, scripts and comments.
        '<a href="',
        "<img src='https://x.example/?q=",
        '"',
        "'",
        ">",
        "<",
        "</",
        " onclick=",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "=",
        " ",
    ]
)


@given(parts=st.lists(st.one_of(plain, known, suspicious), max_size=8))
def test_lint_reports_an_error_exactly_when_strict_html_compile_fails(parts: list[str]) -> None:
    text = "".join(parts)
    errors = [d for d in lint(text) if d.severity == "error"]
    if not errors:
        Template.compile(text, escape="html")
        return
    with pytest.raises(PlaceholderError) as caught:
        Template.compile(text, escape="html")
    # Both stop at, or lint starts before, the first problem in the text.
    first = (errors[0].line, errors[0].column)
    assert first <= (caught.value.line or 0, caught.value.column or 0)


@given(
    invoice=pst.invoices(customer_id="42", max_lines=3),
    locale=st.sampled_from(LOCALES),
)
def test_money_and_dates_render_as_babel_formats_them(invoice: Invoice, locale: str) -> None:
    context = RenderContext(documents=invoice, locale=locale)
    template = Template.compile(
        "[Invoice.total_net]|[Invoice.total_gross]|[Invoice.issued_on]|[Invoice.due_on:full]"
    )
    assert invoice.due_on is not None
    assert template.render(context) == "|".join(
        [
            format_money(invoice.totals.net, locale),
            format_money(invoice.totals.gross, locale),
            babel.dates.format_date(invoice.issued_on, "medium", locale=locale),
            babel.dates.format_date(invoice.due_on, "full", locale=locale),
        ]
    )


MONEY_LOCALES = ["de_DE", "en_IE", "en_US", "fr_FR", "de_CH", "nl_NL", "ja_JP", "ar_EG", "he_IL"]
MONEY_LOCALES += ["hi_IN", "fa_IR", "sv_SE", "pt_PT", "es_MX", "zh_Hant_TW", "my_MM", "sw_KE"]
MONEY_REGISTRY = PlaceholderRegistry.empty()
MONEY_REGISTRY.register("Payment", "amount", lambda payment: payment, kind="money")
MONEY_TEMPLATE = Template.compile("[Payment.amount]", registry=MONEY_REGISTRY)


@given(money=pst.money(min_value=-(10**7), max_value=10**7), locale=st.sampled_from(MONEY_LOCALES))
def test_money_renders_exactly_as_format_money(money: Money, locale: str) -> None:
    rendered = MONEY_TEMPLATE.render(RenderContext(payment=money, locale=locale))
    assert rendered == format_money(money, locale)
