"""Serving the portal's ``DOWNLOAD`` action: one document, in the format its link names."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from payportal.customers import Company, Customer
from payportal.documents import CreditNote, Document, Invoice
from payportal.einvoice._model import EInvoice, PaymentMeans, Profile
from payportal.einvoice._write import to_cii, to_facturx_pdf, to_ubl
from payportal.exceptions import ValidationError
from payportal.portal import DownloadFormat

__all__ = ["Download", "render_download"]

# Letters and digits of any script stay (sent as RFC 6266 filename* by
# payportal.downloads.content_disposition); everything else becomes a hyphen.
_UNSAFE = re.compile(r"[^\w.-]+")

_SUFFIXES = {
    DownloadFormat.PDF: ".pdf",
    DownloadFormat.FACTURX_PDF: ".pdf",
    DownloadFormat.EN16931_CII: "-cii.xml",
    DownloadFormat.XRECHNUNG_CII: "-xrechnung-cii.xml",
    DownloadFormat.XRECHNUNG_UBL: "-xrechnung-ubl.xml",
}


class Download(NamedTuple):
    """A file to send: its bytes, its ``Content-Type`` and a safe file name.

    The file name holds letters and digits (of any script), ``.``, ``_`` and ``-`` only;
    :func:`payportal.downloads.content_disposition` makes the header value from it.
    """

    content: bytes
    media_type: str
    filename: str


def _filename(document: Document, format_: DownloadFormat) -> str:
    # Document numbers such as "RE/2026/17" become "RE-2026-17": no path, quote or header
    # character can reach a Content-Disposition header. NFC first, so "u" with a combining
    # diaeresis stays one letter rather than becoming "u-".
    number = unicodedata.normalize("NFC", document.number)
    stem = _UNSAFE.sub("-", number).strip("-.") or document.type.value
    return stem[:100] + _SUFFIXES[format_]


def render_download(
    document: Document | EInvoice,
    format: DownloadFormat,  # noqa: A002  # the portal's own word
    *,
    seller: Company | None = None,
    buyer: Customer | None = None,
    pdf: bytes | None = None,
    payment: PaymentMeans | tuple[PaymentMeans, ...] = (),
) -> Download:
    """The file a download link (:meth:`PortalUrls.resolve_download
    <payportal.links.PortalUrls.resolve_download>`) asks for.

    Args:
        document: the document the link opens, or an :class:`EInvoice` already carrying
            seller, buyer, payment means and the other EN 16931 fields (then ``seller``,
            ``buyer`` and ``payment`` must not be given).
        format: the format from the link.
        seller: the merchant, for e-invoice formats.
        buyer: the document's customer, for e-invoice formats; its
            :attr:`~payportal.Customer.buyer_reference` (Leitweg-ID) is written.
        pdf: the printed document as the app renders it; needed for ``PDF`` and
            ``FACTURX_PDF``.
        payment: how the buyer pays, for e-invoice formats (XRechnung needs one).

    Returns:
        A :class:`Download`: ``(content, media_type, filename)``.

    Raises:
        ValidationError: ``pdf`` is missing for a PDF format (``field`` is ``"pdf"``);
            an e-invoice format for a document that is not an invoice or credit note
            (``"document"``); ``seller`` or ``buyer`` missing (``"seller"``, ``"buyer"``);
            the buyer is not the document's customer (``"buyer"``); or anything
            :func:`to_cii`, :func:`to_ubl` or :func:`to_facturx_pdf` refuse.
    """
    if not isinstance(format, DownloadFormat):
        raise ValidationError("must be a DownloadFormat", field="format", value=format)
    if isinstance(document, EInvoice):
        if seller is not None or buyer is not None or payment:
            raise ValidationError(
                "must not be given with an EInvoice, which carries its own parties and "
                "payment means",
                field="seller"
                if seller is not None
                else "buyer"
                if buyer is not None
                else "payment",
                value=None,
            )
        einvoice: EInvoice | None = document
        plain: Document = document.document
    elif isinstance(document, Document):
        einvoice = None
        plain = document
    else:
        raise ValidationError("must be a Document or an EInvoice", field="document", value=document)
    if format.is_pdf and pdf is None:
        raise ValidationError(
            f"is needed for {format.label}: pass the printed document as pdf=...",
            field="pdf",
            value=None,
        )
    if pdf is not None and not isinstance(pdf, bytes):
        raise ValidationError("must be bytes", field="pdf", value=type(pdf).__name__)
    filename = _filename(plain, format)
    if format is DownloadFormat.PDF:
        assert pdf is not None
        return Download(pdf, format.media_type, filename)
    if einvoice is None:
        einvoice = _einvoice(plain, format, seller, buyer, payment)
    if format is DownloadFormat.FACTURX_PDF:
        assert pdf is not None
        content = to_facturx_pdf(einvoice, pdf)
    elif format is DownloadFormat.EN16931_CII:
        content = to_cii(einvoice, profile=Profile.EN16931)
    elif format is DownloadFormat.XRECHNUNG_CII:
        content = to_cii(einvoice, profile=Profile.XRECHNUNG)
    else:
        content = to_ubl(einvoice, profile=Profile.XRECHNUNG)
    return Download(content, format.media_type, filename)


def _einvoice(
    document: Document,
    format_: DownloadFormat,
    seller: Company | None,
    buyer: Customer | None,
    payment: PaymentMeans | tuple[PaymentMeans, ...],
) -> EInvoice:
    if not isinstance(document, Invoice | CreditNote):
        raise ValidationError(
            f"has no e-invoice ({format_.label}): only invoices and credit notes do",
            field="document",
            value=document.number,
        )
    if seller is None:
        raise ValidationError(
            f"is needed for {format_.label}: pass the merchant's Company",
            field="seller",
            value=None,
        )
    if buyer is None:
        raise ValidationError(
            f"is needed for {format_.label}: pass the document's Customer",
            field="buyer",
            value=None,
        )
    if isinstance(buyer, Customer) and buyer.id != document.customer_id:
        raise ValidationError(
            f"is customer {buyer.id!r}, but {document.number} belongs to {document.customer_id!r}",
            field="buyer",
            value=buyer.id,
        )
    means = payment if isinstance(payment, tuple) else (payment,)
    return EInvoice(document=document, seller=seller, buyer=buyer, payment=means)
