"""Reading CII, UBL and Factur-X / ZUGFeRD PDFs back into payportal documents and parties.

XML is parsed only with defusedxml, with DTDs refused. What payportal's models cannot hold is
mapped conservatively and reported, never guessed (see ``_reading``).
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET  # errors only; parsing is defusedxml's

import defusedxml
import defusedxml.ElementTree

from payportal.einvoice._errors import EInvoiceFormatError
from payportal.einvoice._pdf import extract_xml
from payportal.einvoice._read_cii import ROOT, CiiReader
from payportal.einvoice._read_ubl import ROOTS, UblReader
from payportal.einvoice._reading import ReadEInvoice, StatedTotals
from payportal.exceptions import PayportalError

__all__ = ["ReadEInvoice", "StatedTotals", "read_einvoice"]


def read_einvoice(data: bytes, *, source: str = "") -> ReadEInvoice:
    """Read a CII or UBL e-invoice, or the one embedded in a Factur-X / ZUGFeRD PDF.

    Args:
        data: the file's bytes.
        source: a label for error messages, such as the file name.

    Raises:
        EInvoiceFormatError: the bytes are not a PDF with an invoice attachment nor
            well-formed XML, hold a DTD or entities, are another document type, or an element
            the document needs is missing or malformed (``location`` names it).
    """
    if not isinstance(data, bytes):
        raise EInvoiceFormatError("must be given as bytes", source=source)
    if data.lstrip()[:5] == b"%PDF-":
        data = extract_xml(data, source=source)
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise EInvoiceFormatError(
            f"refused: {type(exc).__name__} (no DTDs or entities)", source=source
        ) from None
    except StdET.ParseError as exc:
        line, column = exc.position
        raise EInvoiceFormatError(
            f"is not well-formed XML: {exc}", source=source, location=f"line {line}:{column}"
        ) from None
    except LookupError as exc:
        raise EInvoiceFormatError(
            f"declares an encoding Python does not know ({exc})", source=source, location="line 1"
        ) from None
    except ValueError as exc:  # after DefusedXmlException, itself a ValueError
        # expat reads UTF-8/16 and single-byte encodings only; UTF-32 is refused this way.
        if "multi-byte encodings" not in str(exc):
            raise
        raise EInvoiceFormatError(
            f"declares an encoding the XML parser cannot read ({exc})",
            source=source,
            location="line 1",
        ) from None
    reader: CiiReader | UblReader | None = None
    if root.tag == ROOT:
        reader = CiiReader(source)
    elif root.tag in ROOTS:
        reader = UblReader(source)
    try:
        if reader is not None:
            return reader.read(root)
    except EInvoiceFormatError:
        raise
    except PayportalError as exc:
        raise EInvoiceFormatError(
            f"cannot be represented: {exc}",
            source=source,
            location=reader.where if reader is not None else "",
        ) from None
    if root.tag.endswith("}CrossIndustryDocument"):
        raise EInvoiceFormatError(
            "is a ZUGFeRD 1.0 invoice, which is not supported: ask for ZUGFeRD 2.x / Factur-X",
            source=source,
        )
    raise EInvoiceFormatError(
        f"is not a CII or UBL invoice (root element {root.tag})", source=source
    )
