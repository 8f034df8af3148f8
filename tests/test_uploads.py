"""payportal.uploads: customer files checked by their bytes and size, kept by the app's store."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, date, datetime

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

# Pillow comes with fpdf2 (the test extra): it draws the images the tests upload.
from PIL import Image

from payportal import Customer, Money
from payportal.documents import (
    DeliveryNote,
    Invoice,
    LineItem,
    Offer,
    RemindedInvoice,
    Reminder,
)
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.testing import MemoryFileStore
from payportal.uploads import (
    MAX_SIZE,
    FileStore,
    Upload,
    UploadKind,
    accept_upload,
    sniff,
    upload_response,
)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
ERIKA = Customer(id="42", number="K-42", name="Erika")
INVOICE = Invoice(
    id="i1",
    number="RE-1",
    customer_id="42",
    issued_on=date(2026, 3, 1),
    lines=[LineItem(title="Work", quantity=1, unit_price=Money("10.00", "EUR"))],
)
OFFER = Offer(
    id="o1",
    number="AN-1",
    customer_id="42",
    issued_on=date(2026, 3, 1),
    valid_until=date(2026, 3, 31),
)
OTHERS = Invoice(id="i9", number="RE-9", customer_id="43", issued_on=date(2026, 3, 1))


def _pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(fmt: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (40, 30), color=(200, 30, 30) if mode == "RGB" else 1).save(out, fmt, **options)
    return out.getvalue()


PDF = _pdf()
PNG = _image("PNG")
PNG_PALETTE = _image("PNG", "P")
JPEG = _image("JPEG")
JPEG_PROGRESSIVE = _image("JPEG", progressive=True)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def accept(content: object, filename: str = "file", **kwargs: object) -> Upload:
    arguments: dict[str, object] = {
        "filename": filename,
        "kind": UploadKind.PROOF_OF_PAYMENT,
        "customer": ERIKA,
        "document": INVOICE,
        "store": MemoryFileStore(),
        "now": NOW,
        "new_id": lambda: "up-1",
    }
    arguments.update(kwargs)
    return accept_upload(content, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (PNG_PALETTE, "image/png"),
        (JPEG, "image/jpeg"),
        (JPEG_PROGRESSIVE, "image/jpeg"),
    ],
)
def test_real_files_are_known_by_their_bytes(content: bytes, media_type: str) -> None:
    assert sniff(content) == media_type


def test_an_accepted_upload_is_kept_with_its_record() -> None:
    store = MemoryFileStore()
    upload = accept(PNG, "Kontoauszug.PNG", store=store)
    assert upload == Upload(
        id="up-1",
        customer_id="42",
        document_id="i1",
        kind=UploadKind.PROOF_OF_PAYMENT,
        filename="Kontoauszug.png",
        media_type="image/png",
        size=len(PNG),
        sha256=upload.sha256,
        uploaded_at=NOW,
    )
    assert store.get("up-1") == (upload, PNG)
    assert store.uploads_of("42", "i1") == [upload]
    assert store.uploads_of("42", "o1") == []
    assert isinstance(store, FileStore)


@pytest.mark.parametrize(
    ("filename", "content", "stored"),
    [
        ("scan.jpeg", JPEG, "scan.jpg"),
        ("Beleg.html", PDF, "Beleg.pdf"),
        ("photo.pdf", PNG, "photo.png"),
        ("../../etc/passwd", PDF, "etc-passwd.pdf"),
        ("\u202egnp.exe", PNG, "gnp.png"),
        ('a"b\r\n.pdf', PDF, "ab.pdf"),
        ("", PDF, "upload.pdf"),
        (".pdf", PDF, "pdf.pdf"),
        ("...", PDF, "upload.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 146 + ".pdf"),
    ],
)
def test_the_stored_name_is_safe_and_has_the_real_types_suffix(
    filename: str, content: bytes, stored: str
) -> None:
    assert accept(content, filename).filename == stored


def _truncated_png() -> bytes:
    return PNG[:-12]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<!DOCTYPE html><html><body>pay here</body></html>", "is HTML"),
        (b"  <html><script>alert(1)</script>", "is HTML"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "is HTML"),
        (b"<svg onload=alert(1)>", "is HTML"),
        (b"<?xml version='1.0'?><invoice/>", "is markup"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "of an unknown type"),
        (b"PK\x03\x04" + b"\x00" * 40, "of an unknown type"),
        (b"MZ\x90\x00", "of an unknown type"),
        (PDF[:-200], "damaged or cut-off PDF"),
        (b"%PDF-9.9\nstartxref\n0\n%%EOF", "damaged or cut-off PDF"),
        (PDF[:1000] + b"<html><script>x</script>" + PDF[1000:], "is HTML"),
        (_truncated_png(), "damaged or cut-off PNG"),
        (PNG + b"\x00 trailing", "damaged or cut-off PNG"),
        (PNG[:23] + bytes([PNG[23] ^ 0xFF]) + PNG[24:], "damaged or cut-off PNG"),
        (PNG[:8] + chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>") + PNG[8:], "is HTML"),
        (PNG[:8] + chunk(b"IDAT", b"x") + PNG[8:], "damaged or cut-off PNG"),
        (JPEG[:-300], "damaged or cut-off JPEG"),
        (b"\xff\xd8\xff\xe0\x00\x02" + b"\xff\xda\x00\x02\xff\xd9", "damaged or cut-off JPEG"),
    ],
)
def test_anything_but_an_intact_pdf_png_or_jpeg_is_refused(content: bytes, reason: str) -> None:
    store = MemoryFileStore()
    with pytest.raises(ValidationError, match=reason) as refused:
        accept(content, "proof.pdf", store=store)
    assert refused.value.field == "content"
    assert refused.value.value == "proof.pdf"
    assert len(store) == 0


def test_the_size_limit_holds_and_a_stream_is_not_read_past_it() -> None:
    padded = PDF.replace(b"%%EOF", b" " * 100 + b"%%EOF")
    assert accept(padded, max_size=len(padded)).size == len(padded)
    with pytest.raises(ValidationError, match=r"larger than 0\.0 MiB|larger than") as big:
        accept(padded, "big.pdf", max_size=len(padded) - 1)
    assert big.value.field == "size"

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.given = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = b"\x00" * len(buffer)
            self.given += len(buffer)
            return len(buffer)

    endless = Endless()
    with pytest.raises(ValidationError, match="larger than 10 MiB"):
        accept(io.BufferedReader(endless), "huge.pdf")
    assert endless.given <= MAX_SIZE + 64 * 1024  # one buffer past the limit at most
    assert accept(io.BytesIO(JPEG), "stream.jpg").media_type == "image/jpeg"


def test_an_upload_must_fit_its_document_and_customer() -> None:
    assert accept(PDF, "po.pdf", kind=UploadKind.PURCHASE_ORDER, document=OFFER).kind is (
        UploadKind.PURCHASE_ORDER
    )
    with pytest.raises(ValidationError, match="does not fit offer AN-1") as wrong:
        accept(PDF, kind=UploadKind.PROOF_OF_PAYMENT, document=OFFER)
    assert wrong.value.field == "kind"
    with pytest.raises(ValidationError, match="does not fit invoice RE-1"):
        accept(PDF, kind=UploadKind.PURCHASE_ORDER)
    note = DeliveryNote(id="d1", number="LS-1", customer_id="42", issued_on=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="does not fit delivery note LS-1"):
        accept(PDF, document=note)
    reminder = Reminder(
        id="r1",
        number="MA-1",
        customer_id="42",
        issued_on=date(2026, 3, 1),
        reminded=[RemindedInvoice(invoice_id="i1", number="RE-1", amount_open=INVOICE.total)],
    )
    assert accept(PDF, document=reminder).document_id == "r1"
    with pytest.raises(AccessDeniedError, match="'RE-9' is not one of customer '42'"):
        accept(PDF, document=OTHERS)


def test_wrong_arguments_are_named() -> None:
    for field, kwargs in [
        ("customer", {"customer": "42"}),
        ("document", {"document": "i1"}),
        ("kind", {"kind": "proof_of_payment"}),
        ("max_size", {"max_size": 0}),
    ]:
        with pytest.raises(ValidationError) as wrong:
            accept(PDF, **kwargs)
        assert wrong.value.field == field
    with pytest.raises(ValidationError, match="bytes or a binary stream"):
        accept("text")
    with pytest.raises(ValidationError, match="is empty"):
        accept(b"")


def test_an_upload_goes_back_as_an_attachment_that_runs_nothing() -> None:
    store = MemoryFileStore()
    upload = accept(PNG, "Überweisung.png", store=store)
    found = store.get(upload.id)
    assert found is not None
    response = upload_response(*found)
    assert response.status == 200
    assert response.body == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with pytest.raises(ValidationError, match="not the file that was uploaded"):
        upload_response(upload, PNG + b"x")
    with pytest.raises(ValidationError, match="must be an Upload"):
        upload_response("up-1", PNG)  # type: ignore[arg-type]


@given(st.binary(max_size=2048))
def test_sniff_answers_one_of_three_types_or_a_validation_error(content: bytes) -> None:
    try:
        found = sniff(content)
    except ValidationError as error:
        found = f"refused: {error.field}"
    assert found in {"application/pdf", "image/png", "image/jpeg", "refused: content"}


@given(st.integers(min_value=0, max_value=len(PNG) - 1))
def test_every_cut_off_png_is_refused(length: int) -> None:
    with pytest.raises(ValidationError):
        sniff(PNG[:length])


@given(st.integers(min_value=0, max_value=len(JPEG) - 3))
def test_every_jpeg_cut_before_its_end_of_image_is_refused(length: int) -> None:
    with pytest.raises(ValidationError):
        sniff(JPEG[:length])


@given(
    st.sampled_from([PDF, PNG, JPEG]),
    st.sampled_from([b"<html>", b"<SCRIPT src=x>", b"<svg/onload=1>", b"<!doctype html>"]),
    st.integers(min_value=0, max_value=900),
)
def test_markup_in_the_first_kilobyte_is_refused_whatever_surrounds_it(
    content: bytes, markup: bytes, at: int
) -> None:
    with pytest.raises(ValidationError):
        sniff(content[:at] + markup + content[at:])
