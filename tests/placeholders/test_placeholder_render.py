"""Rendering: formatting per locale, links, escaping, missing objects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import babel.dates
import babel.numbers
import pytest

from payportal import Money, format_money
from payportal.customers import Customer
from payportal.documents import Invoice, LineItem
from payportal.exceptions import ValidationError
from payportal.placeholders import (
    MissingContextError,
    PlaceholderError,
    PlaceholderRegistry,
    RenderContext,
    Template,
)

if TYPE_CHECKING:
    from tests.placeholders.conftest import FakeLinks

    from payportal.documents import Document

NBSP = "\xa0"


def render(text: str, context: RenderContext, **options: object) -> str:
    locale = options.pop("locale", None)
    template = Template.compile(text, **options)  # type: ignore[arg-type]
    return template.render(context, locale=locale)  # type: ignore[arg-type]


def _invoice_of(amount: str, currency: str = "EUR") -> Invoice:
    return Invoice(
        id="i-1",
        number="RE-1",
        customer_id="42",
        issued_on=date(2026, 3, 1),
        due_on=date(2026, 3, 15),
        currency=currency,
        lines=[LineItem(title="Work", quantity=1, unit_price=Money(amount, currency))],
    )


# de_CH's grouping glyph changed between CLDR releases (U+2019 and U+0027): take it from the
# installed data, so that the test pins placement and symbol, not one CLDR release.
DE_CH_GROUP = babel.numbers.get_group_symbol("de_CH")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de_DE", f"1.234,56{NBSP}€"),
        ("en_IE", "€1,234.56"),
        ("de_CH", f"EUR{NBSP}1{DE_CH_GROUP}234.56"),
    ],
)
def test_money_is_formatted_in_the_customers_locale(
    customer: Customer, locale: str, expected: str
) -> None:
    context = RenderContext(
        customer=attrs.evolve(customer, locale=locale), documents=_invoice_of("1234.56")
    )
    assert render("[Invoice.total_gross]", context) == expected


def test_locale_precedence_is_render_argument_then_context_then_customer(
    customer: Customer,
) -> None:
    invoice = _invoice_of("1234.56")
    from_customer = RenderContext(customer=customer, documents=invoice)
    from_context = RenderContext(customer=customer, documents=invoice, locale="en-IE")
    assert from_context.locale == "en_IE"
    assert render("[Invoice.total_gross]", from_customer) == f"1.234,56{NBSP}€"
    assert render("[Invoice.total_gross]", from_context) == "€1,234.56"
    assert render("[Invoice.total_gross]", from_context, locale="de_DE") == f"1.234,56{NBSP}€"
    assert render("[Invoice.number]", RenderContext(documents=invoice)) == "RE-1"  # no customer
    assert RenderContext().default_locale == "en"


def test_an_unknown_render_locale_is_a_validation_error(customer: Customer) -> None:
    with pytest.raises(ValidationError, match="locale"):
        render("[Client.name]", RenderContext(customer=customer), locale="xx_YY")


@pytest.mark.parametrize(
    ("hint", "german", "american"),
    [
        ("", "15.10.2026", "Oct 15, 2026"),
        (":short", "15.10.26", "10/15/26"),
        (":medium", "15.10.2026", "Oct 15, 2026"),
        (":long", "15. Oktober 2026", "October 15, 2026"),
        (":full", "Donnerstag, 15. Oktober 2026", "Thursday, October 15, 2026"),
        (":iso", "2026-10-15", "2026-10-15"),
    ],
)
def test_date_hints(context: RenderContext, hint: str, german: str, american: str) -> None:
    assert render(f"[Invoice.due_on{hint}]", context) == german
    assert render(f"[Invoice.due_on{hint}]", context, locale="en_US") == american


@pytest.mark.parametrize(
    ("amount", "currency", "plain", "amount_hint", "raw"),
    [
        ("1234.50", "EUR", f"1.234,50{NBSP}€", "1.234,50", "1234.50"),
        ("1234", "JPY", f"1.234{NBSP}¥", "1.234", "1234"),
        ("1234.567", "KWD", f"1.234,567{NBSP}KWD", "1.234,567", "1234.567"),
        ("0.00", "EUR", f"0,00{NBSP}€", "0,00", "0.00"),
    ],
)
def test_money_hints(amount: str, currency: str, plain: str, amount_hint: str, raw: str) -> None:
    customer = Customer(id="42", number="K-1", name="E", locale="de_DE", currency=currency)
    context = RenderContext(customer=customer, documents=_invoice_of(amount, currency))
    assert render("[Invoice.total_gross]", context) == plain
    assert render("[Invoice.total_gross:amount]", context) == amount_hint
    assert render("[Invoice.total_gross:raw]", context) == raw


def test_percentages_keep_their_decimals(context: RenderContext) -> None:
    assert render("[Invoice.cash_discount_percent]", context) == f"2,5{NBSP}%"
    assert render("[Invoice.cash_discount_percent]", context, locale="en_US") == "2.5%"


def test_invoice_figures(context: RenderContext) -> None:
    text = (
        "[Invoice.total_net]|[Invoice.total_tax]|[Invoice.total_gross]|[Invoice.paid]|"
        "[Invoice.amount_due]|[Invoice.cash_discount_amount]|[Invoice.cash_discount_until]"
    )
    assert render(text, context, locale="en_IE") == (
        "€412.30|€68.77|€481.07|€81.07|€400.00|€12.03|11 Oct 2026"
    )


def test_reminder_figures(context: RenderContext) -> None:
    text = "[Reminder.level]. Mahnung zu [Reminder.invoice_numbers]: [Reminder.total]"
    assert render(text, context) == f"2. Mahnung zu RE-2026-17: 406,23{NBSP}€"


def test_absent_values_render_as_nothing(customer: Customer) -> None:
    bare = Customer(id="42", number="K-1", name="Ada")
    invoice = Invoice(id="i", number="RE-9", customer_id="42", issued_on=date(2026, 1, 1))
    context = RenderContext(customer=bare, documents=invoice)
    text = (
        "<[Client.email]|[Client.address]|[Client.iban]|[Invoice.due_on]|"
        "[Invoice.cash_discount_percent]>"
    )
    assert render(text, context) == "<||||>"


def test_customerportal_url_links_exactly_the_named_object(
    context: RenderContext, links: FakeLinks
) -> None:
    text = (
        "[Client.customerportal_url] [Invoice.customerportal_url] "
        "[Reminder.customerportal_url] [CreditNote.customerportal_url] "
        "[Invoice.payment_url] [Reminder.payment_url]"
    )
    render(text, context)
    assert links.calls == [
        ("c", "customer:42"),
        ("d", "invoice:inv-17"),
        ("d", "reminder:rem-3"),
        ("d", "credit_note:cn-1"),
        ("p", "invoice:inv-17"),
        ("p", "reminder:rem-3"),
    ]


def test_every_render_signs_fresh_links(context: RenderContext) -> None:
    template = Template.compile("[Invoice.customerportal_url]")
    first, second = template.render(context), template.render(context)
    assert first == "https://portal.test/d/invoice:inv-17?t=1&v=1"
    assert second == "https://portal.test/d/invoice:inv-17?t=2&v=1"


def test_links_without_urls_are_missing_context(customer: Customer) -> None:
    template = Template.compile("Pay: [Client.customerportal_url]")
    with pytest.raises(MissingContextError, match="no urls") as caught:
        template.render(RenderContext(customer=customer))
    assert (caught.value.token, caught.value.line, caught.value.column) == (
        "Client.customerportal_url",
        1,
        6,
    )


def test_missing_objects_raise_in_strict_mode(customer: Customer) -> None:
    template = Template.compile("Dear [Client.name],\nyour invoice [Invoice.number]")
    with pytest.raises(MissingContextError) as caught:
        template.render(RenderContext(customer=customer))
    assert str(caught.value) == (
        "line 2, column 14: [Invoice.number] cannot be rendered: the render context has no Invoice"
    )
    assert (caught.value.token, caught.value.line, caught.value.column) == ("Invoice.number", 2, 14)


def test_missing_objects_are_kept_or_blanked_in_the_lenient_modes(customer: Customer) -> None:
    text = "Dear [Client.name], [Invoice.number] [Client.customerportal_url]"
    context = RenderContext(customer=customer)
    keep = Template.compile(text, mode="keep", escape="html")
    blank = Template.compile(text, mode="blank")
    assert keep.render(context) == (
        "Dear Erika Mustermann, [Invoice.number] [Client.customerportal_url]"
    )
    assert blank.render(context) == "Dear Erika Mustermann,  "


HOSTILE = ["<script>alert(1)</script>", '" onmouseover="x', "O'Brien & <b>Sons</b>"]


@pytest.mark.parametrize("name", HOSTILE)
def test_html_mode_escapes_every_value(customer: Customer, name: str) -> None:
    context = RenderContext(customer=attrs.evolve(customer, name=name, company=name))
    template = Template.compile(
        '<a title="[Client.name]" href="[Client.customerportal_url]">[Client.company]</a>',
        escape="html",
        mode="blank",
    )
    rendered = template.render(context)
    for char in "<>\"'":
        assert rendered.count(char) == ('<a title="" href=""></a>').count(char), rendered
    assert "<script>" not in rendered


def test_text_mode_leaves_values_as_they_are(customer: Customer) -> None:
    context = RenderContext(customer=attrs.evolve(customer, name=HOSTILE[0]))
    assert render("[Client.name]", context) == HOSTILE[0]


def test_html_mode_escapes_link_ampersands(context: RenderContext) -> None:
    rendered = render('<a href="[Invoice.customerportal_url]">', context, escape="html")
    assert rendered == '<a href="https://portal.test/d/invoice:inv-17?t=1&amp;v=1">'


def test_multi_line_values_break_lines_in_html(context: RenderContext) -> None:
    assert render("[Client.address]", context) == "Hauptstr. 1\n10115 Berlin\nDE"
    assert render("[Client.address]", context, escape="html") == (
        "Hauptstr. 1<br>\n10115 Berlin<br>\nDE"
    )


def test_apps_register_their_own_fields(context: RenderContext) -> None:
    registry = PlaceholderRegistry()
    registry.register("Invoice", "project_code", lambda invoice: f"P-{invoice.id.upper()}")
    registry.register("Invoice", "budget", lambda invoice: Money("99.50", "EUR"))
    registry.register(
        "Client",
        "greeting",
        lambda c, ctx: f"Hi {c.name} ({ctx.default_locale})",
        kind="text",
        with_context=True,
    )
    registry.register("Project", "name", lambda project: project["name"], kind="text")
    text = "[Invoice.project_code] [Invoice.budget] [Client.greeting] [Project.name]"
    template = Template.compile(text, registry=registry)
    extended = attrs.evolve(context, extra={"Project": {"name": "Apollo"}})
    assert template.render(extended) == (
        f"P-INV-17 99,50{NBSP}€ Hi Erika Mustermann (de_DE) Apollo"
    )
    with pytest.raises(MissingContextError, match="no Project"):
        template.render(context)


def test_auto_kind_formats_by_value_type(context: RenderContext) -> None:
    registry = PlaceholderRegistry()
    values: dict[str, object] = {
        "money": Money("1234.50", "EUR"),
        "day": date(2026, 1, 2),
        "ratio": Decimal("1234.5"),
        "count": 3,
        "enum": context.documents[0].state,  # type: ignore[attr-defined]
        "text": "plain",
    }
    for name, value in values.items():
        registry.register("Invoice", name, lambda invoice, value=value: value)
    text = "|".join(f"[Invoice.{name}]" for name in values)
    assert Template.compile(text, registry=registry).render(context) == (
        # An enum by its label in the locale's language (payportal.i18n).
        f"1.234,50{NBSP}€|02.01.2026|1.234,5|3|Offen|plain"
    )


def test_a_getter_returning_the_wrong_type_is_reported(context: RenderContext) -> None:
    registry = PlaceholderRegistry()
    registry.register("Invoice", "budget", lambda invoice: "99.50", kind="money")
    template = Template.compile("\n [Invoice.budget]", registry=registry)
    with pytest.raises(PlaceholderError, match="money field, but its getter returned str") as e:
        template.render(context)
    assert (e.value.line, e.value.column) == (2, 2)


def test_render_needs_a_render_context() -> None:
    with pytest.raises(ValidationError, match="RenderContext"):
        Template.compile("x").render({"Client": None})  # type: ignore[arg-type]


def test_formatting_matches_babel_and_format_money(documents: list[Document]) -> None:
    invoice = documents[0]
    for locale in ("de_DE", "en_IE", "fr_FR", "de_CH", "ja_JP", "ar_EG", "hi_IN"):
        context = RenderContext(documents=invoice, locale=locale)
        rendered = render("[Invoice.total_gross]|[Invoice.issued_on:long]", context)
        assert rendered == "|".join(
            [
                format_money(invoice.totals.gross, locale),
                babel.dates.format_date(invoice.issued_on, "long", locale=locale),
            ]
        )
