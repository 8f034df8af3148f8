"""Placeholders in HTML places that escaping cannot protect: URL attributes, scripts, tags."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal.customers import Company, Customer
from payportal.exceptions import PlaceholderError, ValidationError
from payportal.placeholders import PlaceholderRegistry, RenderContext, Template, lint
from payportal.placeholders._markup import html_contexts

# Written the ways an attacker writes javascript: so that a browser still runs it (issue 26).
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01\x02javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&Tab;ascript:alert(1)",
    "&#32;javascript:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "//evil.example/",
    "evil.example",
    "https:evil.example",
    "https://",
    "https://good.example/\x00x",
    "https://good.example/ onmouseover=alert(1)",
]


@pytest.mark.parametrize("value", HOSTILE_URLS)
def test_company_refuses_a_website_a_browser_would_not_open_safely(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Company(name="Beispiel AG", website=value)
    assert caught.value.field == "website"


@pytest.mark.parametrize("value", HOSTILE_URLS)
def test_company_refuses_such_a_logo_url(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Company(name="Beispiel AG", logo_url=value)
    assert caught.value.field == "logo_url"


@pytest.mark.parametrize(
    "value",
    [
        "https://beispiel.example",
        "HTTPS://Beispiel.Example/Pfad?a=1&b=2#top",
        "http://[::1]:8080/",
        "mailto:billing@beispiel.example?subject=Rechnung",
        "tel:+49-30-1234567",
    ],
)
def test_company_keeps_a_safe_website(value: str) -> None:
    assert Company(name="Beispiel AG", website=f"  {value}\n").website == value


def test_the_audited_case_no_longer_renders_live_markup() -> None:
    # Issue 26: Company(website="javascript:alert(1)") into <a href="[Company.website]">.
    with pytest.raises(ValidationError, match="javascript"):
        Company(name="x", website="javascript:alert(1)")
    template = Template.compile('<a href="[Company.website]">x</a>', escape="html")
    rendered = template.render(
        RenderContext(company=Company(name="x", website="https://x.example"))
    )
    assert rendered == '<a href="https://x.example">x</a>'


def test_a_url_field_of_the_app_must_return_a_safe_url_when_rendered() -> None:
    registry = PlaceholderRegistry()
    registry.register("Project", "home", lambda project: project["home"], kind="url")
    template = Template.compile('<a href="[Project.home]">', registry=registry, escape="html")
    ok = template.render(RenderContext(extra={"Project": {"home": "https://p.example/1"}}))
    assert ok == '<a href="https://p.example/1">'
    for value in HOSTILE_URLS:
        context = RenderContext(extra={"Project": {"home": value}})
        with pytest.raises(PlaceholderError, match=r"\[Project.home\] is a url field"):
            template.render(context)


def test_an_empty_url_renders_as_nothing() -> None:
    template = Template.compile('<a href="[Company.website]">', escape="html")
    assert template.render(RenderContext(company=Company(name="x"))) == '<a href="">'


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('<a href="[Client.name]">', "url-attribute"),
        ("<a HREF='[Client.email]'>", "url-attribute"),
        ('<img src="[Client.number]">', "url-attribute"),
        ('<form action="[Client.name]">', "url-attribute"),
        ('<button formaction="[Client.name]">', "url-attribute"),
        ('<img srcset="[Client.name] 2x">', "url-attribute"),
        ('<svg><a xlink:href="[Client.name]">', "url-attribute"),
        ('<a href="x[Client.name]">', "url-attribute"),
        ('<a onclick="go([Client.number])">', "script-context"),
        ('<body onload="[Company.website]">', "script-context"),
        ("<script>var n = '[Client.name]';</script>", "script-context"),
        ('<iframe srcdoc="<p>[Client.name]</p>">', "script-context"),
        ("<style>p { color: [Client.name] }</style>", "script-context"),
        ("<td class=[Client.name]>", "unquoted-attribute"),
        ("<a href=[Company.website]>", "unquoted-attribute"),
        ("<p [Client.name]>", "unquoted-attribute"),
        ("<[Client.name]>", "unquoted-attribute"),
        ("</[Client.name]>", "unquoted-attribute"),
        ('<a title="x" [Client.name]="y">', "unquoted-attribute"),
    ],
)
def test_unsafe_places_are_refused_by_html_compile_and_reported_by_lint(
    text: str, code: str
) -> None:
    with pytest.raises(PlaceholderError) as caught:
        Template.compile(text, escape="html")
    assert caught.value.token
    found = [d for d in lint(text) if d.severity == "error"]
    assert [d.code for d in found] == [code]
    assert (found[0].line, found[0].column) == (caught.value.line, caught.value.column)
    for mode in ("keep", "blank"):
        with pytest.raises(PlaceholderError):
            Template.compile(text, escape="html", mode=mode)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        '<a href="[Company.website]">[Client.name]</a>',
        '<a href="[Client.customerportal_url]">',
        '<img src="[Company.logo_url]" alt="[Company.name]">',
        '<a href="https://shop.example/?c=[Client.number]">',
        '<a href="mailto:[Client.email]">',
        '<a title="[Client.name]" href="[Invoice.payment_url]">',
        "<p>[Client.name]</p><!-- [Client.name] -->",
        "<script>var x = 1;</script><p>[Client.name]</p>",
        "<p>1 < 2 and [Client.name] > 0</p>",
        "<a data-ref='[Client.number]'>",
        "Plain text: [Client.name] <b>",
    ],
)
def test_safe_places_compile_and_lint_clean(text: str) -> None:
    Template.compile(text, escape="html")
    assert [d for d in lint(text) if d.severity == "error"] == []


def test_text_mode_leaves_markup_alone_but_lint_still_reports_it() -> None:
    text = '<a href="[Client.name]">'
    Template.compile(text)  # plain text: no HTML to protect
    assert [d.code for d in lint(text)] == ["url-attribute"]


def test_an_open_quote_or_tag_runs_to_the_end_of_the_text() -> None:
    text = '<a href="[Client.name]'
    where = html_contexts(text, [9])
    assert where[0].state == "value"
    assert where[0].attribute == "href"
    assert html_contexts("<a [Client.name]", [3])[0].state == "tag"


@given(name=st.text(alphabet="<>\"'=& /j:aviscrpt", max_size=30))
def test_a_customer_name_in_a_quoted_title_never_leaves_it(name: str) -> None:
    if not name.strip():
        return
    customer = Customer(id="1", number="K-1", name=name)
    template = Template.compile(
        '<a title="[Client.name]" href="https://x.example/">', escape="html"
    )
    rendered = template.render(RenderContext(customer=customer))
    value = rendered.removeprefix('<a title="').removesuffix('" href="https://x.example/">')
    assert '"' not in value
    assert "<" not in value
    assert html.unescape(value) == customer.name
