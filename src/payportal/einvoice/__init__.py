"""Electronic invoices: EN 16931 as UN/CEFACT CII (ZUGFeRD / Factur-X, XRechnung) and UBL 2.1.

An :class:`EInvoice` wraps a payportal :class:`~payportal.documents.Invoice` or
:class:`~payportal.documents.CreditNote` with the seller, the buyer and the payment means;
:func:`to_cii` and :func:`to_ubl` write it, :func:`read_einvoice` reads CII, UBL and
Factur-X / ZUGFeRD PDFs back, and :func:`render_download` serves the portal's download
links in the customer's chosen :class:`~payportal.portal.DownloadFormat`. Everything the
library can check itself (mandatory fields, the sums of BR-CO-10 and BR-CO-15, the VAT
breakdown per rate) is checked before any byte is written, and a
:class:`~payportal.ValidationError` names the missing field.
"""

from payportal.einvoice._download import Download, render_download
from payportal.einvoice._errors import EInvoiceFormatError
from payportal.einvoice._model import (
    CardPayment,
    EInvoice,
    OnlinePayment,
    PaymentMeans,
    Profile,
    SepaCreditTransfer,
    SepaDirectDebit,
    TaxCategory,
)
from payportal.einvoice._read import ReadEInvoice, StatedTotals, read_einvoice
from payportal.einvoice._write import to_cii, to_facturx_pdf, to_ubl

__all__ = [
    "CardPayment",
    "Download",
    "EInvoice",
    "EInvoiceFormatError",
    "OnlinePayment",
    "PaymentMeans",
    "Profile",
    "ReadEInvoice",
    "SepaCreditTransfer",
    "SepaDirectDebit",
    "StatedTotals",
    "TaxCategory",
    "read_einvoice",
    "render_download",
    "to_cii",
    "to_facturx_pdf",
    "to_ubl",
]
