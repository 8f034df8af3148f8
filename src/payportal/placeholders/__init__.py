"""Placeholders in e-mail and document templates: ``[Client.name]``, ``[Invoice.total_gross]``,
``[Invoice.customerportal_url]``.

A template is compiled once, which parses it and resolves every placeholder against an
allow-list of objects and fields (:class:`PlaceholderRegistry`), and rendered many times with a
:class:`RenderContext`. Money, dates and percentages are formatted with babel in the customer's
locale; link placeholders are freshly signed for exactly the object they name:

>>> from datetime import date
>>> from payportal import Money
>>> from payportal.customers import Customer
>>> from payportal.documents import Invoice, LineItem
>>> erika = Customer(id="42", number="K-42", name="Erika Mustermann", locale="de_DE")
>>> invoice = Invoice(id="i-1", number="RE-1", customer_id="42", issued_on=date(2026, 3, 1),
...                   due_on=date(2026, 3, 15),
...                   lines=[LineItem(title="Work", quantity=1,
...                                   unit_price=Money("1037.44", "EUR"), tax_rate=19)])
>>> template = Template.compile(
...     "Dear [Client.name], please pay [Invoice.total_gross] by [Invoice.due_on:long].")
>>> template.render(RenderContext(customer=erika, documents=invoice))
'Dear Erika Mustermann, please pay 1.234,55\\xa0€ by 15. März 2026.'

(CLDR puts a no-break space, ``\\xa0``, between amount and currency symbol.)

Payment instructions (``[Invoice.payment_reference]``, ``[Invoice.iban]``, the EPC QR code
``[Invoice.epc_qr]``, and the same for ``Reminder`` and ``Client``) are filled from the
merchant's :class:`PaymentInstructions` in the context, or from BillPay's
:class:`BillPayTransfer` for a BillPay invoice purchase:

>>> instructions = PaymentInstructions(
...     beneficiary=Beneficiary(name="Beispiel AG", iban="DE89370400440532013000"))
>>> Template.compile("[Invoice.beneficiary], [Invoice.iban], [Invoice.payment_reference]").render(
...     RenderContext(customer=erika, documents=invoice, instructions=instructions))
'Beispiel AG, DE89 3704 0044 0532 0130 00, RF32 RE1'

The customer's active payment method, a SEPA mandate or a saved card, fills
``[Client.payment_method]``, ``[Client.masked_iban]`` and ``[Client.mandate_reference]``
(or ``[Client.card_brand]`` and ``[Client.card_last4]``):

>>> from datetime import datetime, timezone
>>> from payportal.mandates import Consent, Mandate
>>> mandate = Mandate.grant(reference="M-1", creditor_id="DE98ZZZ09999999999",
...     debtor_name="Erika Mustermann", iban="DE89370400440532013000", bic="COBADEFFXXX",
...     signed_on=date(2026, 3, 1),
...     consent=Consent(datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc), "Ich ermächtige..."))
>>> Template.compile("[Client.payment_method]: [Client.masked_iban] ([Client.mandate_reference])"
...     ).render(RenderContext(customer=erika, payment_method=mandate))
'SEPA-Basislastschrift: DE89 **** **** **** **30 00 (M-1)'

Unknown placeholders are reported with their position and a suggestion:

>>> Template.compile("[Invoice.totl_gross]")
Traceback (most recent call last):
...
payportal.exceptions.UnknownPlaceholderError: line 1, column 1: ... did you mean total_gross?
"""

from payportal.exceptions import (
    MissingContextError,
    PlaceholderError,
    TemplateSyntaxError,
    UnknownPlaceholderError,
)
from payportal.placeholders._context import DownloadLinks, ImageFiles, PortalLinks, RenderContext
from payportal.placeholders._images import ImageFolder
from payportal.placeholders._instructions import (
    Beneficiary,
    BillPayTransfer,
    PaymentInstructions,
    Transfer,
)
from payportal.placeholders._lint import Diagnostic, lint
from payportal.placeholders._methods import ShownMethod, mask_iban
from payportal.placeholders._registry import PlaceholderField, PlaceholderRegistry
from payportal.placeholders._template import Placeholder, Template

__all__ = [
    "Beneficiary",
    "BillPayTransfer",
    "Diagnostic",
    "DownloadLinks",
    "ImageFiles",
    "ImageFolder",
    "MissingContextError",
    "PaymentInstructions",
    "Placeholder",
    "PlaceholderError",
    "PlaceholderField",
    "PlaceholderRegistry",
    "PortalLinks",
    "RenderContext",
    "ShownMethod",
    "Template",
    "TemplateSyntaxError",
    "Transfer",
    "UnknownPlaceholderError",
    "lint",
    "mask_iban",
]
