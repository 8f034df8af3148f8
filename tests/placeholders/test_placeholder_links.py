"""Link placeholders with the real PortalUrls and LinkSigner: every link opens its object."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.placeholders import PortalLinks, RenderContext, Template

if TYPE_CHECKING:
    from payportal.customers import Customer
    from payportal.documents import Document

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture
def portal_urls() -> PortalUrls:
    signer = LinkSigner(KeyRing([HmacKey("k1", b"k" * 32)]), clock=lambda: NOW)
    return PortalUrls("https://billing.example.com", signer, ttl=timedelta(days=30))


def test_portal_urls_matches_the_protocol(portal_urls: PortalUrls) -> None:
    assert isinstance(portal_urls, PortalLinks)


@pytest.mark.parametrize("escape", ["text", "html"])
def test_each_link_resolves_to_exactly_its_object(
    portal_urls: PortalUrls, customer: Customer, documents: list[Document], escape: str
) -> None:
    context = RenderContext(customer=customer, documents=documents, urls=portal_urls)
    template = Template.compile(
        '<a href="[Client.customerportal_url]">\n'
        '<a href="[Invoice.customerportal_url]">\n'
        '<a href="[Reminder.customerportal_url]">\n'
        '<a href="[CreditNote.customerportal_url]">\n'
        '<a href="[Invoice.payment_url]">\n'
        '<a href="[Reminder.payment_url]">',
        escape=escape,  # type: ignore[arg-type]
    )
    urls = [html.unescape(u) for u in re.findall(r'href="([^"]+)"', template.render(context))]
    claims = [portal_urls.resolve(url, now=NOW) for url in urls]
    assert [(c.subject, c.purpose) for c in claims] == [
        ("customer:42", "portal"),
        ("invoice:inv-17", "document"),
        ("reminder:rem-3", "document"),
        ("credit_note:cn-1", "document"),
        ("invoice:inv-17", "pay"),
        ("reminder:rem-3", "pay"),
    ]
    assert {c.customer_id for c in claims} == {"42"}


def test_links_are_signed_afresh_on_every_render(
    customer: Customer, documents: list[Document]
) -> None:
    clock = iter([NOW, NOW + timedelta(seconds=5)])
    signer = LinkSigner(KeyRing([HmacKey("k1", b"k" * 32)]), clock=lambda: next(clock))
    urls = PortalUrls("https://billing.example.com", signer, ttl=timedelta(days=30))
    context = RenderContext(customer=customer, documents=documents, urls=urls)
    template = Template.compile("[Invoice.customerportal_url]")
    first, second = template.render(context), template.render(context)
    assert first != second
    assert urls.resolve(second, now=NOW + timedelta(seconds=5)).issued_at == NOW + timedelta(
        seconds=5
    )
