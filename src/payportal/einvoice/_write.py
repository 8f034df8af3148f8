"""The writing entry points: check once, then serialise as CII or UBL."""

from __future__ import annotations

from payportal.einvoice._cii import write_cii
from payportal.einvoice._model import EInvoice, Profile
from payportal.einvoice._pdf import embed_xml
from payportal.einvoice._semantic import build
from payportal.einvoice._ubl import write_ubl

__all__ = ["to_cii", "to_facturx_pdf", "to_ubl"]


def to_cii(einvoice: EInvoice, *, profile: Profile = Profile.EN16931) -> bytes:
    """Write ``einvoice`` as a UN/CEFACT CII D16B document (UTF-8 XML bytes).

    With the default profile the file is a ZUGFeRD 2.x / Factur-X "EN 16931" invoice (the XML
    to embed with :func:`to_facturx_pdf`); with :attr:`Profile.XRECHNUNG` it is an XRechnung
    3.0 CII invoice.

    Raises:
        ValidationError: a field the profile requires is missing, or the document's sums do
            not hold; ``field`` names it (``seller.vat_id``, ``buyer_reference``...).
    """
    return write_cii(build(einvoice, profile))


def to_ubl(einvoice: EInvoice, *, profile: Profile = Profile.XRECHNUNG) -> bytes:
    """Write ``einvoice`` as an OASIS UBL 2.1 Invoice or CreditNote (UTF-8 XML bytes).

    The default profile is XRechnung 3.0 (XRechnung-UBL); :attr:`Profile.EN16931` writes plain
    EN 16931 UBL.

    Raises:
        ValidationError: as :func:`to_cii`.
    """
    return write_ubl(build(einvoice, profile))


def to_facturx_pdf(einvoice: EInvoice, pdf: bytes, *, profile: Profile = Profile.EN16931) -> bytes:
    """Embed ``einvoice`` as CII into ``pdf``, giving a Factur-X / ZUGFeRD 2.x invoice.

    ``pdf`` is the printed invoice the app rendered; it should already be PDF/A (embedded
    fonts, an output intent). The result carries the XML as ``factur-x.xml`` with the PDF/A-3
    XMP metadata of the Factur-X extension schema. Needs ``pip install payportal[einvoice]``.
    With :attr:`Profile.XRECHNUNG` the embedded XML is XRechnung CII and the XMP conformance
    level says ``EN 16931`` (of which XRechnung is a CIUS): the factur-x library does not
    write ZUGFeRD 2.3's ``XRECHNUNG`` level.

    Raises:
        ValidationError: as :func:`to_cii`, or ``pdf`` is not a PDF (``field`` is ``"pdf"``).
    """
    return embed_xml(pdf, to_cii(einvoice, profile=profile))
