"""Several documents as one ZIP archive, streamed with bounded memory."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Final

import attrs

from payportal.customers import Customer
from payportal.documents import Document
from payportal.downloads._single import (
    _NO_STORE,
    DocumentFiles,
    _clean,
    _headers,
    content_disposition,
    render_file,
)
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.portal import AccessPolicy, DownloadFormat

if TYPE_CHECKING:
    from payportal.einvoice import Download

__all__ = ["ZipDownload", "zip_documents"]

Skipped = Callable[[Document, DownloadFormat, ValidationError], object]

_CHUNK: Final = 64 * 1024
_MAX_NAME: Final = 150  # as the single downloads' names (content_disposition)
_DEFAULT: Final = object()
# The ZIP format's clock starts in 1980; a document from before it is stamped 1 January 1980.
_EPOCH: Final = date(1980, 1, 1)


class _Sink:
    """A write-only stream: zipfile writes the archive here, the iterator takes it away.

    It has no ``tell`` or ``seek``, so zipfile writes each entry's sizes and CRC after its
    data (a data descriptor) instead of going back: nothing written is ever needed again.
    """

    def __init__(self) -> None:
        # One growing buffer, not a list of pieces: the closing directory arrives in many
        # small writes, each of which would otherwise be an object of its own.
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: :meth:`take` hands the bytes on."""

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def _unique(name: str, taken: set[str]) -> str:
    # "RE-1.pdf", "RE-1 (2).pdf": two documents with one number (an invoice and a credit
    # note, say) both arrive, and no entry overwrites another when unpacked. Compared
    # case-blind, as Windows and macOS file systems do.
    clean = _clean(name).lstrip(".- ") or "document"
    stem, dot, suffix = clean.rpartition(".")
    if not dot:
        stem, suffix = clean, ""
    candidate, n = clean, 1
    while candidate.casefold() in taken:
        n += 1
        tail = f" ({n}).{suffix}" if suffix else f" ({n})"
        candidate = stem[: _MAX_NAME - len(tail)].rstrip(" .") + tail
    taken.add(candidate.casefold())
    return candidate


@attrs.frozen
class ZipDownload:
    """A ZIP archive of documents, to send as a streamed (chunked) HTTP response.

    Iterate over it for the archive's bytes, a piece at a time: each document's file is
    fetched from the app's :class:`DocumentFiles` only when its turn comes, and written on
    in pieces of at most 64 KiB, so memory holds one document's file, whatever the number
    of documents, plus what the ZIP format's closing directory needs: under 1 KiB per entry
    (names, sizes, checksums; ``bench/bench_bulk_download.py`` measures it).
    Each iteration writes the archive anew, byte for byte the same.

    Attributes:
        filename: the archive's file name, as the ``Content-Disposition`` header has it.
        entries: the planned entries: each document with the format of one file.
        headers: the response headers: ``Content-Type: application/zip``, an attachment
            ``Content-Disposition``, ``X-Content-Type-Options: nosniff``,
            ``Cache-Control: private, no-store`` and ``Referrer-Policy: no-referrer``.
            There is no ``Content-Length``: the size is known only once written.
    """

    filename: str
    entries: tuple[tuple[Document, DownloadFormat], ...]
    headers: Mapping[str, str] = attrs.field(converter=_headers)
    _customer: Customer = attrs.field(alias="customer", repr=False)
    _files: DocumentFiles = attrs.field(alias="files", repr=False, eq=False)
    _skipped: Skipped | None = attrs.field(alias="skipped", default=None, repr=False, eq=False)

    def __iter__(self) -> Iterator[bytes]:
        sink = _Sink()
        taken: set[str] = set()
        stamps: dict[date, tuple[int, int, int, int, int, int]] = {}
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
            for document, format_ in self.entries:
                download = self._file(document, format_)
                if download is None:
                    continue
                day = max(document.issued_on, _EPOCH)
                # One time stamp per day, shared by its entries: the archive's directory
                # keeps every entry's ZipInfo until the end, and this is one tuple less each.
                stamp = stamps.setdefault(day, (day.year, day.month, day.day, 0, 0, 0))
                info = zipfile.ZipInfo(_unique(download.filename, taken), date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16  # a plain file, readable, not executable
                content = memoryview(download.content)
                with archive.open(info, "w") as entry:
                    for start in range(0, len(content), _CHUNK):
                        entry.write(content[start : start + _CHUNK])
                        if chunk := sink.take():
                            yield chunk
                del download, content
                if chunk := sink.take():
                    yield chunk
        if chunk := sink.take():
            yield chunk

    def _file(self, document: Document, format_: DownloadFormat) -> Download | None:
        try:
            return render_file(document, format_, customer=self._customer, files=self._files)
        except ValidationError as error:
            if format_ is DownloadFormat.PDF:
                raise
            if self._skipped is not None:
                self._skipped(document, format_, error)
            # An e-invoice the data cannot make (an XRechnung without the Leitweg-ID): the
            # archive goes without it rather than break off half-sent. The plain PDF
            # stands in for a Factur-X PDF.
            if format_ is DownloadFormat.FACTURX_PDF:
                return render_file(
                    document, DownloadFormat.PDF, customer=self._customer, files=self._files
                )
            return None


def _plan(
    customer: Customer,
    document: Document,
    policy: AccessPolicy,
    einvoice: DownloadFormat | None,
    on: date | None,
) -> list[tuple[Document, DownloadFormat]]:
    if not isinstance(document, Document):
        raise ValidationError("must hold only Documents", field="documents", value=document)
    if document.customer_id != customer.id:
        raise AccessDeniedError(
            f"document {document.number!r} is not one of customer {customer.id!r}'s"
        )
    allowed = policy.download_formats(customer, document, on=on)
    if einvoice is DownloadFormat.FACTURX_PDF and einvoice in allowed:
        # The Factur-X PDF is the printed document with the e-invoice inside: it stands in
        # for the plain PDF rather than come beside it under the same name.
        return [(document, einvoice)]
    planned = [(document, f) for f in (DownloadFormat.PDF, einvoice) if f in allowed]
    if not planned:
        policy.check_download(customer, document, DownloadFormat.PDF, on=on)
        raise AccessDeniedError(f"cannot download {document.number}")  # pragma: no cover
    return planned


def zip_documents(
    customer: Customer,
    documents: Iterable[Document],
    *,
    policy: AccessPolicy,
    files: DocumentFiles,
    einvoice: DownloadFormat | object | None = _DEFAULT,
    filename: str = "documents.zip",
    on: date | None = None,
    skipped: Skipped | None = None,
) -> ZipDownload:
    """A ZIP of ``documents`` for ``customer``: each one's PDF and, where the portal offers
    one for it, its e-invoice.

    Every document is checked before a byte is sent (it is the customer's, and the policy
    lets the customer download it), so a refusal is an error response, not a broken
    archive. The files themselves are made while the archive streams (see
    :class:`ZipDownload`).

    Entry names are the single downloads' names (``RE-2026-17.pdf``,
    ``RE-2026-17-xrechnung-ubl.xml``): no folders, no leading dots, no control or
    bidirectional characters, at most 150 characters; a name that comes twice gets
    `` (2)``, `` (3)`` before its suffix.

    Args:
        customer: who downloads; every document must be theirs.
        documents: the documents, in the archive's order; one chosen twice comes once.
        policy: the portal's access policy (``DOWNLOAD`` and the formats).
        files: the app's :class:`DocumentFiles`.
        einvoice: the e-invoice format to add beside each PDF, where the policy allows it
            for the document (invoices and credit notes); by default the settings'
            :attr:`~payportal.portal.PortalSettings.einvoice_format`; ``None`` for PDFs
            only. A Factur-X PDF replaces the plain PDF. An e-invoice the data cannot make
            (an XRechnung without the Leitweg-ID) is left out of the archive.
        filename: the archive's file name.
        on: the day the policy judges by.
        skipped: called with the document, the format and the error for each e-invoice
            left out, while the archive streams (for the app's log: the customer gets
            the rest of the archive, the merchant should fix the data).

    Returns:
        A :class:`ZipDownload`; send its ``headers`` and iterate it for the body.

    Raises:
        ValidationError: no documents, an argument of the wrong type, or a ``einvoice``
            that is not an e-invoice format.
        AccessDeniedError: a document is another customer's or the policy refuses its
            download; the message names it.
    """
    if not isinstance(customer, Customer):
        raise ValidationError("must be a Customer", field="customer", value=customer)
    if not isinstance(policy, AccessPolicy):
        raise ValidationError("must be an AccessPolicy", field="policy", value=policy)
    if einvoice is _DEFAULT:
        einvoice = policy.settings.einvoice_format
    if einvoice is not None and not (isinstance(einvoice, DownloadFormat) and einvoice.is_einvoice):
        raise ValidationError(
            "must be an e-invoice DownloadFormat", field="einvoice", value=einvoice
        )
    chosen: dict[str, Document] = {}
    for document in documents:
        key = document.subject if isinstance(document, Document) else repr(document)
        chosen.setdefault(key, document)
    if not chosen:
        raise ValidationError("must hold at least one document", field="documents", value=[])
    entries = [
        entry
        for document in chosen.values()
        for entry in _plan(customer, document, policy, einvoice, on)
    ]
    headers = {
        "Content-Type": "application/zip",
        "Content-Disposition": content_disposition(filename),
        **_NO_STORE,
    }
    return ZipDownload(
        filename, tuple(entries), headers, customer=customer, files=files, skipped=skipped
    )
