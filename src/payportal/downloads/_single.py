"""Single documents: download and print links served as (status, headers, body)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable
from urllib.parse import quote

import attrs

from payportal.customers import Customer
from payportal.documents import CreditNote, Document, Invoice
from payportal.einvoice import Download, EInvoice, render_download
from payportal.exceptions import (
    AccessDeniedError,
    ExpiredLinkError,
    InvalidLinkError,
    PayportalError,
    RevokedLinkError,
    ValidationError,
)
from payportal.links import LinkClaims, LinkVersions, PortalUrls
from payportal.portal import AccessPolicy, Action, DownloadFormat

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = [
    "DocumentFiles",
    "DownloadResponse",
    "content_disposition",
    "download_response",
    "open_download",
    "open_print",
    "serve_download",
    "serve_print",
]

# RFC 8187 attr-char beyond letters and digits; urllib's quote keeps "_.-~" on its own.
_ATTR_CHAR_EXTRA: Final = "!#$&+^`|"
# What the quoted ASCII fallback keeps: no quote, backslash, slash, semicolon or control.
_FALLBACK_UNSAFE: Final = re.compile(r"[^A-Za-z0-9 ._()+,=@&!#$'~-]")
# Controls, format characters (bidirectional overrides, zero-width) and separators other
# than the plain space: nothing a file name should show or a header may carry.
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAX_NAME: Final = 150
# Names that need no cleaning (what render_download makes of ASCII document numbers): sent as
# they are, without the per-character pass.
_PLAIN: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,148}[A-Za-z0-9_-]")


def _clean(filename: str) -> str:
    name = unicodedata.normalize("NFC", filename)
    chars = []
    for char in name:
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        if char in '/\\"' or category == "Zs":
            # Separators would name a folder; quotes end the header's quoted string.
            chars.append("-" if char in "/\\" else "" if char == '"' else " ")
            continue
        chars.append(char)
    name = re.sub(" +", " ", "".join(chars)).strip(" .")
    if len(name) > _MAX_NAME:
        _, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and 0 < len(suffix) <= 20 else ""
        name = name[: _MAX_NAME - len(keep)].rstrip(" .") + keep
    return name


def _ascii(name: str) -> str:
    # "Müller" -> "Muller": the letters without their marks, then anything else as "_".
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _FALLBACK_UNSAFE.sub("_", letters).strip(" .") or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A safe ``Content-Disposition`` header value for a file name (RFC 6266).

    The name loses what a header or a file system must not see: control and format
    characters (CR, LF, NUL, bidirectional overrides), quotes and path separators (``/``
    and ``\\`` become ``-``), and leading dots. ``filename`` carries an ASCII fallback in
    quotes; when the name has other characters, ``filename*`` carries it in UTF-8,
    percent-encoded (RFC 8187), which clients prefer.

    >>> content_disposition("RE-2026-17.pdf")
    'attachment; filename="RE-2026-17.pdf"'
    >>> content_disposition("Gutschrift Müller.pdf", inline=True)
    'inline; filename="Gutschrift Muller.pdf"; filename*=UTF-8\\'\\'Gutschrift%20M%C3%BCller.pdf'
    >>> content_disposition('../"a"\\r\\nX: y')
    'attachment; filename="aX_ y"; filename*=UTF-8\\'\\'aX%3A%20y'

    Args:
        filename: the file name to suggest, such as :attr:`Download.filename
            <payportal.einvoice.Download.filename>`.
        inline: ``True`` to show the file in the browser (print views), ``False`` to save it.

    Raises:
        ValidationError: ``filename`` is not a string.
    """
    if not isinstance(filename, str):
        raise ValidationError("must be a string", field="filename", value=filename)
    kind = "inline" if inline else "attachment"
    if _PLAIN.fullmatch(filename):
        return f'{kind}; filename="{filename}"'
    name = _clean(filename).lstrip(".- ") or "download"
    fallback = _ascii(name)
    if fallback == name:
        return f'{kind}; filename="{fallback}"'
    encoded = quote(name, safe=_ATTR_CHAR_EXTRA, encoding="utf-8", errors="strict")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


@runtime_checkable
class DocumentFiles(Protocol):
    """What the app supplies for downloads: a document's printed PDF, and its e-invoice data.

    payportal does not lay out documents; the app renders (or stores) the PDF it sends its
    customers. For e-invoice formats it adds what EN 16931 asks beyond the document: the
    seller (the merchant's :class:`~payportal.Company`) and the payment means.
    """

    def pdf(self, document: Document) -> bytes:
        """The printed document as PDF bytes."""

    def einvoice(self, document: Invoice | CreditNote, buyer: Customer) -> EInvoice:
        """The document as an :class:`~payportal.einvoice.EInvoice` (seller, ``buyer``,
        payment means); called only for e-invoice formats, so only for invoices and credit
        notes."""


def _headers(items: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(items))


@attrs.frozen
class DownloadResponse:
    """An HTTP answer to a download or print link: send ``status``, ``headers``, ``body``.

    Attributes:
        status: 200 with the file; 403 for a link that is not valid or an action the policy
            refuses; 404 for a document that does not exist or is not the link's; 409 for a
            file that cannot be produced (such as an XRechnung without the Leitweg-ID);
            410 for an expired or revoked link, or a customer who no longer exists.
        headers: the response headers. A file comes with ``Content-Type``,
            ``Content-Length``, ``Content-Disposition``, ``X-Content-Type-Options: nosniff``,
            ``Cache-Control: private, no-store`` and ``Referrer-Policy: no-referrer`` (the
            URL is a credential); an error with a short ``text/plain`` body.
        body: the file, or the error text (which never repeats the token).
        download: the :class:`~payportal.einvoice.Download` for a 200, else ``None``.
        error: what went wrong, for the app's log or its own (translated) error page.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(converter=_headers)
    body: bytes
    download: Download | None = None
    error: PayportalError | None = attrs.field(default=None, eq=False)


_NO_STORE: Final = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def download_response(download: Download, *, inline: bool = False) -> DownloadResponse:
    """The 200 response that sends ``download`` (``inline`` shows it in the browser).

    Raises:
        ValidationError: ``download`` is not a :class:`~payportal.einvoice.Download`.
    """
    if not isinstance(download, Download):
        raise ValidationError("must be a Download", field="download", value=download)
    headers = {
        "Content-Type": download.media_type,
        "Content-Length": str(len(download.content)),
        "Content-Disposition": content_disposition(download.filename, inline=inline),
        **_NO_STORE,
    }
    if not download.media_type.endswith("/pdf"):
        # An XML file opened in the browser runs nothing and loads nothing. (Not for PDFs:
        # browsers' PDF viewers do not all work under a restrictive policy.)
        headers["Content-Security-Policy"] = "default-src 'none'"
    return DownloadResponse(200, headers, download.content, download=download)


def _error(status: int, text: str, error: PayportalError) -> DownloadResponse:
    headers = {"Content-Type": "text/plain; charset=utf-8", **_NO_STORE}
    return DownloadResponse(status, headers, text.encode("utf-8"), error=error)


def _check_claims(claims: LinkClaims, customer: Customer, document: Document) -> None:
    if not isinstance(claims, LinkClaims):
        raise ValidationError("must be LinkClaims", field="claims", value=claims)
    if not isinstance(customer, Customer):
        raise ValidationError("must be a Customer", field="customer", value=customer)
    if not isinstance(document, Document):
        raise ValidationError("must be a Document", field="document", value=document)
    if claims.subject != document.subject or claims.customer_id != customer.id:
        raise AccessDeniedError(
            f"the link opens {claims.subject!r} of customer {claims.customer_id!r}, not "
            f"{document.subject!r} of customer {customer.id!r}"
        )


def open_download(
    claims: LinkClaims,
    format: DownloadFormat,  # noqa: A002  # the portal's own word
    *,
    customer: Customer,
    document: Document,
    policy: AccessPolicy,
    files: DocumentFiles,
    on: date | None = None,
) -> Download:
    """The file a verified download link asks for, once the policy allows it.

    Args:
        claims: from :meth:`PortalUrls.resolve_download
            <payportal.links.PortalUrls.resolve_download>`.
        format: the format from the same call.
        customer: the link's customer (``claims.customer_id``).
        document: the link's document (``claims.subject_id``).
        policy: decides whether ``customer`` may download ``document`` as ``format``.
        files: supplies the PDF and the e-invoice data.
        on: the day the policy judges by (offer expiry); defaults to the policy's today.

    Raises:
        AccessDeniedError: the claims are for another document or customer, the link's
            own actions exclude ``DOWNLOAD``, or the policy refuses; the message says why.
        ValidationError: an argument is of the wrong type, or the file cannot be produced
            (see :func:`~payportal.einvoice.render_download`).
    """
    _check_claims(claims, customer, document)
    if not claims.allows(Action.DOWNLOAD):
        raise AccessDeniedError(f"the link to {document.number} does not allow downloads")
    policy.check_download(customer, document, format, on=on)
    return render_file(document, format, customer=customer, files=files)


def render_file(
    document: Document,
    format_: DownloadFormat,
    *,
    customer: Customer,
    files: DocumentFiles,
) -> Download:
    # The file itself, once the policy allowed it: the PDF from the app, or the e-invoice
    # from the app's EN 16931 data (and its PDF, for Factur-X).
    if format_ is DownloadFormat.PDF:
        return render_download(document, format_, pdf=files.pdf(document))
    if not isinstance(document, Invoice | CreditNote):  # the policy allows these only
        raise ValidationError(
            f"has no e-invoice ({format_.label})", field="document", value=document.number
        )
    einvoice = files.einvoice(document, customer)
    if not isinstance(einvoice, EInvoice) or einvoice.document.subject != document.subject:
        raise ValidationError(
            f"must return the EInvoice of {document.number}",
            field="files.einvoice",
            value=type(einvoice).__name__,
        )
    pdf = files.pdf(document) if format_.is_pdf else None
    return render_download(einvoice, format_, pdf=pdf)


def open_print(
    claims: LinkClaims,
    *,
    customer: Customer,
    document: Document,
    policy: AccessPolicy,
    files: DocumentFiles,
    on: date | None = None,
) -> Download:
    """The PDF a verified print link shows, once the policy allows ``Action.PRINT``.

    Args:
        claims: from :meth:`PortalUrls.resolve_print <payportal.links.PortalUrls.resolve_print>`.
        customer, document, policy, files, on: as for :func:`open_download`.

    Raises:
        AccessDeniedError: as for :func:`open_download`, for ``PRINT``.
        ValidationError: an argument is of the wrong type.
    """
    _check_claims(claims, customer, document)
    if not claims.allows(Action.PRINT):
        raise AccessDeniedError(f"the link to {document.number} does not allow printing")
    policy.check(customer, document, Action.PRINT, on=on)
    return render_download(document, DownloadFormat.PDF, pdf=files.pdf(document))


def _serve(
    resolve: Callable[[], tuple[LinkClaims, DownloadFormat | None]],
    *,
    policy: AccessPolicy,
    files: DocumentFiles,
    customers: Callable[[str], Customer | None],
    documents: Callable[[str], Document | None],
    on: date | None,
) -> DownloadResponse:
    try:
        claims, format_ = resolve()
    except (ExpiredLinkError, RevokedLinkError) as exc:
        return _error(410, "This link has expired. Please ask for a new one.", exc)
    except InvalidLinkError as exc:
        return _error(403, "This link is not valid.", exc)
    customer = customers(claims.customer_id)
    if customer is None:
        gone = RevokedLinkError("The link's customer no longer exists.")
        return _error(410, "This link has expired. Please ask for a new one.", gone)
    if claims.version < customer.link_version:
        # Also when the signer was given no LinkVersions: the customer record knows.
        revoked = RevokedLinkError("The link was replaced by a newer one.")
        return _error(410, "This link has expired. Please ask for a new one.", revoked)
    document = documents(claims.subject_id)
    if document is None or document.subject != claims.subject:
        missing = AccessDeniedError("The link's document does not exist.")
        return _error(404, "This document does not exist.", missing)
    try:
        if format_ is None:
            download = open_print(
                claims, customer=customer, document=document, policy=policy, files=files, on=on
            )
        else:
            download = open_download(
                claims,
                format_,
                customer=customer,
                document=document,
                policy=policy,
                files=files,
                on=on,
            )
    except AccessDeniedError as exc:
        if document.customer_id != customer.id:
            return _error(404, "This document does not exist.", exc)
        return _error(403, f"Not allowed: {exc}", exc)
    except ValidationError as exc:
        return _error(409, "This file cannot be produced at the moment.", exc)
    return download_response(download, inline=format_ is None)


def serve_download(
    url_or_token: str,
    *,
    urls: PortalUrls,
    policy: AccessPolicy,
    files: DocumentFiles,
    customers: Callable[[str], Customer | None],
    documents: Callable[[str], Document | None],
    now: datetime | None = None,
    current_version: int | LinkVersions | None = None,
    on: date | None = None,
) -> DownloadResponse:
    """Answer a download link: verify it, ask the policy, and send the file as attachment.

    Args:
        url_or_token: the request's URL (or path, or bare token).
        urls: the portal's :class:`~payportal.links.PortalUrls`.
        policy: the portal's access policy.
        files: the app's :class:`DocumentFiles`.
        customers: finds a customer by id (``None`` if there is none).
        documents: finds a document by id (``None`` if there is none).
        now, current_version: as for :meth:`PortalUrls.resolve_download
            <payportal.links.PortalUrls.resolve_download>`; the customer's own
            ``link_version`` is checked in any case.
        on: the day the policy judges by.

    Returns:
        A :class:`DownloadResponse`; errors are answers too (see its ``status``), with the
        exception in ``error``. Exceptions of ``files``, ``customers`` and ``documents``
        propagate.
    """
    return _serve(
        lambda: urls.resolve_download(url_or_token, now=now, current_version=current_version),
        policy=policy,
        files=files,
        customers=customers,
        documents=documents,
        on=on,
    )


def serve_print(
    url_or_token: str,
    *,
    urls: PortalUrls,
    policy: AccessPolicy,
    files: DocumentFiles,
    customers: Callable[[str], Customer | None],
    documents: Callable[[str], Document | None],
    now: datetime | None = None,
    current_version: int | LinkVersions | None = None,
    on: date | None = None,
) -> DownloadResponse:
    """Answer a print link (:meth:`PortalUrls.print_url
    <payportal.links.PortalUrls.print_url>`): the PDF shown inline, for ``Action.PRINT``.

    Arguments and answers as for :func:`serve_download`.
    """

    def resolve() -> tuple[LinkClaims, DownloadFormat | None]:
        return urls.resolve_print(url_or_token, now=now, current_version=current_version), None

    return _serve(
        resolve, policy=policy, files=files, customers=customers, documents=documents, on=on
    )
