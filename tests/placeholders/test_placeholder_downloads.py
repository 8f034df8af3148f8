"""Download placeholders: [Invoice.download_url] (PDF) and [Invoice.einvoice_url]."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.placeholders import (
    MissingContextError,
    PlaceholderError,
    PlaceholderRegistry,
    PortalLinks,
    RenderContext,
    Template,
)
from payportal.placeholders._context import DownloadLinks
from payportal.portal import DownloadFormat

if TYPE_CHECKING:
    from payportal.customers import Customer
    from payportal.documents import Document, PayableDocument

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SIGNER = LinkSigner(KeyRing([HmacKey("k1", b"k" * 32)]), clock=lambda: NOW)


class OwnLinks:
    """An app's links object written before download links existed."""

    def customer_url(self, customer: Customer) -> str:
        return "https://app.test/c"

    def document_url(self, document: Document) -> str:
        return "https://app.test/d"

    def payment_url(self, document: PayableDocument) -> str:
        return "https://app.test/p"


def urls(einvoice: DownloadFormat = DownloadFormat.XRECHNUNG_CII) -> PortalUrls:
    return PortalUrls("https://billing.example.com", SIGNER, einvoice_format=einvoice)


def test_portal_urls_offers_download_links() -> None:
    assert isinstance(urls(), DownloadLinks)
    assert not isinstance(OwnLinks(), DownloadLinks)
    assert isinstance(OwnLinks(), PortalLinks)


def test_the_fields_exist_where_they_apply() -> None:
    registry = PlaceholderRegistry()
    with_einvoice = {"Invoice", "CreditNote"}
    for name in ("Invoice", "Reminder", "CreditNote", "Offer", "DeliveryNote", "OrderConfirmation"):
        assert f"{name}.download_url" in registry
        assert (f"{name}.einvoice_url" in registry) == (name in with_einvoice)
    assert registry.field("Invoice", "einvoice_url").kind == "url"


@pytest.mark.parametrize("escape", ["text", "html"])
@pytest.mark.parametrize("einvoice", [f for f in DownloadFormat if f.is_einvoice])
def test_each_download_link_opens_its_document_in_its_format(
    customer: Customer, documents: list[Document], escape: str, einvoice: DownloadFormat
) -> None:
    signed = urls(einvoice)
    context = RenderContext(customer=customer, documents=documents, urls=signed)
    template = Template.compile(
        '<a href="[Invoice.download_url]">\n'
        '<a href="[Invoice.einvoice_url]">\n'
        '<a href="[CreditNote.download_url]">\n'
        '<a href="[CreditNote.einvoice_url]">\n'
        '<a href="[Reminder.download_url]">',
        escape=escape,  # type: ignore[arg-type]
    )
    links = [html.unescape(u) for u in re.findall(r'href="([^"]+)"', template.render(context))]
    resolved = [signed.resolve_download(link, now=NOW) for link in links]
    assert [(c.subject, f) for c, f in resolved] == [
        ("invoice:inv-17", DownloadFormat.PDF),
        ("invoice:inv-17", einvoice),
        ("credit_note:cn-1", DownloadFormat.PDF),
        ("credit_note:cn-1", einvoice),
        ("reminder:rem-3", DownloadFormat.PDF),
    ]


def test_links_without_download_methods_fail_only_for_download_placeholders(
    customer: Customer, documents: list[Document]
) -> None:
    context = RenderContext(customer=customer, documents=documents, urls=OwnLinks())
    assert Template.compile("[Invoice.customerportal_url]").render(context) == "https://app.test/d"
    for field in ("download_url", "einvoice_url"):
        template = Template.compile(f"[CreditNote.{field}]")
        with pytest.raises(PlaceholderError, match="needs urls with download_url") as caught:
            template.render(context)
        assert not isinstance(caught.value, MissingContextError)  # not blanked in "blank" mode
        assert caught.value.token == f"CreditNote.{field}"
        assert "OwnLinks" in str(caught.value)
        with pytest.raises(PlaceholderError):
            Template.compile(f"[CreditNote.{field}]", mode="blank").render(context)


def test_without_urls_download_placeholders_are_missing_context(
    customer: Customer, documents: list[Document]
) -> None:
    context = RenderContext(customer=customer, documents=documents)
    with pytest.raises(MissingContextError, match="no urls"):
        Template.compile("[Invoice.einvoice_url]").render(context)
    assert Template.compile("[Invoice.download_url]", mode="blank").render(context) == ""


def test_the_fake_links_double_counts_download_links(context: RenderContext) -> None:
    rendered = Template.compile("[Invoice.download_url] [Invoice.einvoice_url]").render(context)
    assert rendered == (
        "https://portal.test/pdf/invoice:inv-17?t=1&v=1 https://portal.test/e/invoice:inv-17?t=2&v=1"
    )


def test_links_are_signed_with_the_configured_lifetime(
    customer: Customer, documents: list[Document]
) -> None:
    signed = PortalUrls("https://billing.example.com", SIGNER, ttl=timedelta(days=7))
    context = RenderContext(customer=customer, documents=documents, urls=signed)
    link = Template.compile("[Invoice.einvoice_url]").render(context)
    claims, format_ = signed.resolve_download(link, now=NOW)
    assert format_ is DownloadFormat.FACTURX_PDF  # PortalUrls' default e-invoice
    assert claims.expires_at == NOW + timedelta(days=7)
