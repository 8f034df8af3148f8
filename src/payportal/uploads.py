"""Customer uploads: a proof of payment for an invoice, a purchase order for an offer.

A file a customer sends is checked before anything keeps it, and is never shown to
anyone as a web page:

* its **type** is what its bytes say, not what its name or the browser claims: a PDF
  (``%PDF-`` header, a ``startxref`` and the ``%%EOF`` marker at the end), a PNG (the
  signature, an ``IHDR`` chunk with sane dimensions, every chunk's CRC, ``IEND`` last) or a
  JPEG (start-of-image, marker segments that fit, a frame header before the scan,
  end-of-image). Anything else, and any of these with HTML, script or SVG in its first
  kilobyte (a polyglot a browser could sniff as a page), is refused;
* its **size** is at most :data:`MAX_SIZE` (10 MiB) unless the app says otherwise; a
  stream is read no further than one byte past the limit;
* it is the **customer's** document, and the kind fits it: a proof of payment for an
  invoice or a reminder, a purchase order for an offer;
* its **name** keeps what the customer called it, made safe (no folders, controls or
  quotes) and with the suffix of its real type.

The app keeps the files through a :class:`FileStore` it supplies (a folder, a bucket, a
database table); :class:`payportal.testing.MemoryFileStore` keeps them in memory for tests.
:func:`upload_response` sends one back as an attachment with ``nosniff`` and a sandboxing
``Content-Security-Policy``.

>>> from datetime import UTC, date, datetime
>>> from payportal import Customer
>>> from payportal.documents import Invoice
>>> from payportal.testing import MemoryFileStore
>>> erika = Customer(id="42", number="K-42", name="Erika")
>>> invoice = Invoice(id="i17", number="RE-2026-17", customer_id="42",
...                   issued_on=date(2026, 3, 1))
>>> store = MemoryFileStore()
>>> pdf = b"%PDF-1.4\\n1 0 obj <<>> endobj\\nstartxref\\n9\\n%%EOF\\n"
>>> upload = accept_upload(pdf, filename="Überweisung März.PDF",
...                        kind=UploadKind.PROOF_OF_PAYMENT, customer=erika,
...                        document=invoice, store=store,
...                        now=datetime(2026, 3, 2, tzinfo=UTC), new_id=lambda: "up-1")
>>> upload.filename, upload.media_type, upload.size
('Überweisung März.pdf', 'application/pdf', 47)
>>> [u.id for u in store.uploads_of("42", "i17")]
['up-1']
>>> accept_upload(b"<!DOCTYPE html><script>alert(1)</script>", filename="proof.pdf",
...               kind=UploadKind.PROOF_OF_PAYMENT, customer=erika, document=invoice,
...               store=store)
Traceback (most recent call last):
...
payportal.exceptions.ValidationError: content is HTML, not a PDF, PNG or JPEG file (got 'proof.pdf')
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import struct
import zlib
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Final, Protocol, runtime_checkable

import attrs

from payportal import _validators as v
from payportal.customers import Customer
from payportal.documents import Document, Offer, PayableDocument
from payportal.downloads import DownloadResponse, download_response
from payportal.downloads._single import _clean
from payportal.einvoice import Download
from payportal.exceptions import AccessDeniedError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "MAX_SIZE",
    "MEDIA_TYPES",
    "FileStore",
    "Upload",
    "UploadKind",
    "accept_upload",
    "sniff",
    "upload_response",
]

MAX_SIZE: Final = 10 * 1024 * 1024
"""The largest upload :func:`accept_upload` takes by default: 10 MiB."""

MEDIA_TYPES: Final = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
"""The types an upload may have, with the suffix its stored name gets."""

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# Bit depths allowed per PNG colour type (PNG specification, 11.2.2 IHDR).
_PNG_DEPTHS: Final = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_PDF_HEADER: Final = re.compile(rb"%PDF-(1\.[0-7]|2\.0)[\r\n ]")
_PDF_TAIL: Final = re.compile(rb"startxref\s+\d+\s+%%EOF\s*$")
# What makes a browser (or a careless viewer) take bytes for a page: refused in any upload.
_MARKUP: Final = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg|\?xml-stylesheet)\b", re.IGNORECASE
)
# JPEG start-of-frame markers: SOF0-SOF15 without DHT (C4), JPG (C8) and DAC (CC).
_JPEG_FRAMES: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length: TEM and RST0-RST7.
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})


class UploadKind(enum.Enum):
    """What a customer uploads, and to which kind of document."""

    PROOF_OF_PAYMENT = "proof_of_payment"
    """A bank's confirmation or a receipt, for an invoice or a reminder."""
    PURCHASE_ORDER = "purchase_order"
    """The customer's purchase order, sent with the acceptance of an offer."""

    def fits(self, document: Document) -> bool:
        """Whether an upload of this kind can belong to ``document``."""
        if self is UploadKind.PROOF_OF_PAYMENT:
            return isinstance(document, PayableDocument)
        return isinstance(document, Offer)


@attrs.frozen
class Upload:
    """A file a customer uploaded, as :func:`accept_upload` checked it.

    Attributes:
        id: the upload's id (the store's key).
        customer_id: whose it is.
        document_id: the document it belongs to.
        kind: what it is.
        filename: the customer's name for it, made safe, with the suffix of its type.
        media_type: ``application/pdf``, ``image/png`` or ``image/jpeg``, from its bytes.
        size: its length in bytes.
        sha256: the SHA-256 of its bytes, in hex (to spot the same file sent twice).
        uploaded_at: when it was accepted (timezone-aware).
    """

    id: str = attrs.field(validator=v.non_empty_str)
    customer_id: str = attrs.field(validator=v.non_empty_str)
    document_id: str = attrs.field(validator=v.non_empty_str)
    kind: UploadKind = attrs.field(validator=v.instance_of(UploadKind, "an UploadKind"))
    filename: str = attrs.field(validator=v.non_empty_str)
    media_type: str = attrs.field(validator=attrs.validators.in_(tuple(MEDIA_TYPES)))
    size: int = attrs.field(validator=attrs.validators.ge(1))
    sha256: str = attrs.field(validator=attrs.validators.matches_re(r"[0-9a-f]{64}"))
    uploaded_at: datetime = attrs.field(validator=v.aware_datetime)


@runtime_checkable
class FileStore(Protocol):
    """Where the app keeps uploads: the file's bytes and its :class:`Upload` record."""

    def put(self, upload: Upload, content: bytes) -> None:
        """Keep ``content`` under ``upload.id``, with ``upload``."""

    def get(self, upload_id: str) -> tuple[Upload, bytes] | None:
        """The upload ``upload_id`` and its bytes, or ``None``."""

    def uploads_of(self, customer_id: str, document_id: str) -> Sequence[Upload]:
        """The customer's uploads for the document, oldest first."""


def _refuse(what: str, filename: str) -> ValidationError:
    return ValidationError(
        f"is {what}, not a PDF, PNG or JPEG file", field="content", value=filename
    )


def _is_pdf(content: bytes) -> bool:
    return bool(_PDF_HEADER.match(content)) and bool(_PDF_TAIL.search(content[-1024:]))


def _is_png(content: bytes) -> bool:
    if not content.startswith(_PNG_SIGNATURE):
        return False
    at, first, end = len(_PNG_SIGNATURE), True, len(content)
    while at + 12 <= end:
        length: int
        kind: bytes
        length, kind = struct.unpack_from(">I4s", content, at)
        data_end = at + 8 + length
        if length > 2**31 - 1 or data_end + 4 > end:
            return False
        (crc,) = struct.unpack_from(">I", content, data_end)
        if zlib.crc32(content[at + 4 : data_end]) != crc:
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height, depth, colour = struct.unpack_from(">IIBB", content, at + 8)
            if not (0 < width < 2**31 and 0 < height < 2**31):
                return False
            if depth not in _PNG_DEPTHS.get(colour, ()):
                return False
            first = False
        if kind == b"IEND":
            return data_end + 4 == end
        at = data_end + 4
    return False


def _is_jpeg(content: bytes) -> bool:
    if not content.startswith(b"\xff\xd8\xff"):
        return False
    at, framed, end = 2, False, len(content)
    while at + 4 <= end:
        if content[at] != 0xFF:
            return False
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack_from(">H", content, at + 2)
        if length < 2 or at + 2 + length > end:
            return False
        if marker in _JPEG_FRAMES:
            if length < 8:
                return False
            height, width = struct.unpack_from(">HH", content, at + 5)
            if width == 0 or height == 0:
                return False
            framed = True
        if marker == 0xDA:  # start of scan: entropy-coded data up to end of image
            return framed and b"\xff\xd9" in content[at + 2 + length :]
        at += 2 + length
    return False


def sniff(content: bytes, *, filename: str = "") -> str:
    """The media type of ``content`` after its bytes: ``application/pdf``,
    ``image/png`` or ``image/jpeg``.

    >>> sniff(b"%PDF-1.7\\nstartxref\\n0\\n%%EOF")
    'application/pdf'

    Raises:
        ValidationError: ``content`` is empty, is none of those types (or does not parse
            as the one its first bytes claim), or holds HTML, script or SVG in its first
            kilobyte; ``field`` is ``"content"``, ``value`` is ``filename``.
    """
    if not isinstance(content, bytes | bytearray):
        raise ValidationError("must be bytes", field="content", value=type(content).__name__)
    content = bytes(content)
    if not content:
        raise ValidationError("is empty", field="content", value=filename)
    if _MARKUP.search(content[:1024]):
        raise _refuse("HTML", filename)
    if content.startswith(b"%PDF-"):
        if _is_pdf(content):
            return "application/pdf"
        raise _refuse("a damaged or cut-off PDF", filename)
    if content.startswith(_PNG_SIGNATURE):
        if _is_png(content):
            return "image/png"
        raise _refuse("a damaged or cut-off PNG", filename)
    if content.startswith(b"\xff\xd8"):
        if _is_jpeg(content):
            return "image/jpeg"
        raise _refuse("a damaged or cut-off JPEG", filename)
    head = content[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<")):
        raise _refuse("markup (HTML, XML or SVG)", filename)
    raise _refuse("of an unknown type", filename)


def _read(content: bytes | IO[bytes], max_size: int, filename: str) -> bytes:
    if isinstance(content, bytes | bytearray):
        data = bytes(content)
    elif hasattr(content, "read"):
        # One byte past the limit tells "too large" without reading the rest.
        data = content.read(max_size + 1)
        if not isinstance(data, bytes):
            raise ValidationError("must be a binary stream", field="content", value=filename)
    else:
        raise ValidationError(
            "must be bytes or a binary stream", field="content", value=type(content).__name__
        )
    if len(data) > max_size:
        raise ValidationError(
            f"is larger than {_mib(max_size)}, the most an upload may be",
            field="size",
            value=filename,
        )
    return data


def _mib(size: int) -> str:
    whole, part = divmod(size * 10 // (1024 * 1024), 10)
    return f"{whole} MiB" if not part else f"{whole}.{part} MiB"


def _safe_name(filename: str, media_type: str) -> str:
    name = _clean(filename if isinstance(filename, str) else "").lstrip(".- ")
    stem, dot, _ = name.rpartition(".")
    stem = (stem if dot and stem else name).rstrip(" .") or "upload"
    suffix = MEDIA_TYPES[media_type]
    return stem[: 150 - len(suffix)].rstrip(" .") + suffix


def _new_id() -> str:
    return "up_" + secrets.token_hex(10)


def accept_upload(
    content: bytes | IO[bytes],
    *,
    filename: str,
    kind: UploadKind,
    customer: Customer,
    document: Document,
    store: FileStore,
    max_size: int = MAX_SIZE,
    now: datetime | None = None,
    new_id: Callable[[], str] = _new_id,
) -> Upload:
    """Check a customer's file and keep it in ``store``.

    Args:
        content: the file's bytes, or a binary stream (such as a web framework's upload
            object's ``stream``), read up to ``max_size + 1`` bytes.
        filename: the name the customer's browser sent (only shown, never trusted).
        kind: what the file is; it must fit ``document`` (:meth:`UploadKind.fits`).
        customer: who uploads; ``document`` must be theirs.
        document: the document the file belongs to.
        store: the app's :class:`FileStore`.
        max_size: the largest file taken, in bytes.
        now: the time of the upload (defaults to now, UTC).
        new_id: makes the upload's id.

    Returns:
        The :class:`Upload`, as kept in ``store``.

    Raises:
        AccessDeniedError: ``document`` is not ``customer``'s.
        ValidationError: the kind does not fit the document (``field`` ``"kind"``), the
            file is too large (``"size"``), or empty, of another type, damaged or holding
            markup (``"content"``; see :func:`sniff`); the value is the file's name.
    """
    if not isinstance(customer, Customer):
        raise ValidationError("must be a Customer", field="customer", value=customer)
    if not isinstance(document, Document):
        raise ValidationError("must be a Document", field="document", value=document)
    if not isinstance(kind, UploadKind):
        raise ValidationError("must be an UploadKind", field="kind", value=kind)
    if not isinstance(max_size, int) or max_size < 1:
        raise ValidationError(
            "must be a positive number of bytes", field="max_size", value=max_size
        )
    if document.customer_id != customer.id:
        raise AccessDeniedError(
            f"document {document.number!r} is not one of customer {customer.id!r}'s"
        )
    if not kind.fits(document):
        raise ValidationError(
            f"does not fit {document.type.value.replace('_', ' ')} {document.number}",
            field="kind",
            value=kind.value,
        )
    shown = filename if isinstance(filename, str) else ""
    data = _read(content, max_size, shown)
    media_type = sniff(data, filename=shown)
    upload = Upload(
        id=new_id(),
        customer_id=customer.id,
        document_id=document.id,
        kind=kind,
        filename=_safe_name(shown, media_type),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=now if now is not None else datetime.now(UTC),
    )
    store.put(upload, data)
    return upload


def upload_response(upload: Upload, content: bytes) -> DownloadResponse:
    """The 200 response that sends an upload back: always as an attachment, with its
    sniffed type, ``nosniff`` and ``Content-Security-Policy: default-src 'none'; sandbox``
    (should a browser open it anyway, it runs nothing and loads nothing).

    Raises:
        ValidationError: ``upload`` is not an :class:`Upload`, or ``content`` is not the
            bytes it was accepted with (its SHA-256 differs).
    """
    if not isinstance(upload, Upload):
        raise ValidationError("must be an Upload", field="upload", value=upload)
    if not isinstance(content, bytes) or hashlib.sha256(content).hexdigest() != upload.sha256:
        raise ValidationError(
            "is not the file that was uploaded", field="content", value=upload.filename
        )
    sent = download_response(Download(content, upload.media_type, upload.filename))
    headers = {**sent.headers, "Content-Security-Policy": "default-src 'none'; sandbox"}
    return DownloadResponse(200, headers, sent.body, download=sent.download)
