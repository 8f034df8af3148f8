"""Serving the portal's ``DOWNLOAD`` and ``PRINT`` actions from signed links.

A document's files come from the app through :class:`DocumentFiles` (its PDF as the app
renders it, and the EN 16931 data for e-invoices); payportal verifies the link, asks the
access policy, writes the file (:func:`~payportal.einvoice.render_download`) and the
headers::

    /portal/download/<token> --serve_download--> (status, headers, body)
    /portal/print/<token>    --serve_print-----> (status, headers, body), PDF shown inline

    each: PortalUrls.resolve_download / resolve_print   signature, purpose, expiry
          customers(id), documents(id)                  the app's records
          claims.version >= customer.link_version       revoked links stay revoked
          AccessPolicy.check_download / check(PRINT)    settings, overrides, formats
          DocumentFiles -> render_download -> Download  bytes, media type, file name

>>> from datetime import UTC, date, datetime, timedelta
>>> from payportal import Customer, PortalSettings
>>> from payportal.documents import Invoice
>>> from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
>>> from payportal.portal import AccessPolicy
>>> erika = Customer(id="42", number="K-42", name="Erika")
>>> invoice = Invoice(id="i17", number="RE-2026-17", customer_id="42",
...                   issued_on=date(2026, 3, 1))
>>> class Files:
...     def pdf(self, document): return b"%PDF-1.7 ..."
...     def einvoice(self, document, buyer): raise NotImplementedError
>>> now = datetime(2026, 3, 2, tzinfo=UTC)
>>> urls = PortalUrls("https://billing.example.com",
...                   LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), clock=lambda: now),
...                   ttl=timedelta(minutes=15))
>>> response = serve_download(
...     urls.download_url(invoice), urls=urls, policy=AccessPolicy(PortalSettings.default()),
...     files=Files(), customers={"42": erika}.get, documents={"i17": invoice}.get, now=now)
>>> response.status, response.headers["Content-Disposition"]
(200, 'attachment; filename="RE-2026-17.pdf"')

File names are made safe for the header by :func:`content_disposition` (RFC 6266): an
ASCII ``filename`` for every client, and ``filename*`` in UTF-8 (RFC 8187) when the name
has other characters.

Several documents at once (the customer's selection in the portal) come as one ZIP archive
from :func:`zip_documents`, streamed a piece at a time with the same file names:

>>> archive = zip_documents(erika, [invoice], policy=AccessPolicy(PortalSettings.default()),
...                         files=Files(), einvoice=None, on=now.date())
>>> archive.headers["Content-Disposition"]
'attachment; filename="documents.zip"'
>>> import io, zipfile
>>> zipfile.ZipFile(io.BytesIO(b"".join(archive))).namelist()
['RE-2026-17.pdf']
"""

from payportal.downloads._bulk import ZipDownload, zip_documents
from payportal.downloads._single import (
    DocumentFiles,
    DownloadResponse,
    content_disposition,
    download_response,
    open_download,
    open_print,
    serve_download,
    serve_print,
)

__all__ = [
    "DocumentFiles",
    "DownloadResponse",
    "ZipDownload",
    "content_disposition",
    "download_response",
    "open_download",
    "open_print",
    "serve_download",
    "serve_print",
    "zip_documents",
]
