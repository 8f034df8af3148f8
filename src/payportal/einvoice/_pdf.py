"""Factur-X / ZUGFeRD: the CII XML embedded in a PDF/A-3, and found again in one.

Embedding is done by the ``factur-x`` library (``pip install payportal[einvoice]``): it adds
the XML as the associated file ``factur-x.xml`` (``AFRelationship /Data``) and writes the
PDF/A-3 XMP metadata with the Factur-X extension schema (document type, file name, version
and conformance level, taken from the XML's guideline identifier). The PDF the app supplies
should itself be PDF/A (fonts embedded, an output intent): the library does not convert it.

Extraction uses pypdf directly and never parses the XML with anything but defusedxml.
"""

from __future__ import annotations

import io
from typing import Any

from payportal.einvoice._errors import EInvoiceFormatError
from payportal.exceptions import ValidationError

__all__ = ["embed_xml", "extract_xml"]

# The attachment names the specifications use, most specific first.
_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "zugferd.xml")


def embed_xml(pdf: bytes, xml: bytes) -> bytes:
    """Return ``pdf`` with the CII ``xml`` embedded as a Factur-X / ZUGFeRD invoice.

    Raises:
        ValidationError: ``pdf`` is not a PDF (``field`` is ``"pdf"``).
    """
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        shown = pdf[:16] if isinstance(pdf, bytes) else pdf
        raise ValidationError("must be the bytes of a PDF file", field="pdf", value=shown)
    import facturx  # noqa: PLC0415  # optional dependency, loaded when used

    try:
        result: Any = facturx.generate_from_binary(pdf, xml, check_xsd=False)
    except Exception as exc:  # noqa: BLE001  # factur-x and pypdf raise bare Exceptions
        raise ValidationError(
            f"cannot take the invoice XML: {exc}", field="pdf", value=pdf[:16]
        ) from None
    return bytes(result)


def extract_xml(pdf: bytes, *, source: str = "") -> bytes:
    """The embedded e-invoice XML of a Factur-X / ZUGFeRD / XRechnung PDF.

    Raises:
        EInvoiceFormatError: the PDF cannot be read or holds no invoice XML attachment.
    """
    import pypdf  # noqa: PLC0415  # optional dependency, loaded when used
    import pypdf.errors  # noqa: PLC0415

    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        found = {item.name.lower(): item.content for item in reader.attachment_list}
    except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EInvoiceFormatError(f"is not a readable PDF: {exc}", source=source) from None
    for name in _NAMES:
        if found.get(name):
            return found[name]
    xml = [content for name, content in found.items() if name.endswith(".xml") and content]
    if len(xml) == 1:
        return xml[0]
    names = ", ".join(sorted(found)) or "none"
    raise EInvoiceFormatError(
        f"holds no Factur-X / ZUGFeRD invoice XML (attachments: {names})", source=source
    )
