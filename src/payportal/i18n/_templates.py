"""The default e-mail texts, one subject and body per kind of message, in English.

Their translations live in the catalogs like every other text; a merchant replaces any of
them per locale with :class:`~payportal.i18n.TextOverrides`. They use only placeholders
that the document type they are sent with can fill (``tests/i18n`` lints and renders each
one in every shipped language).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from payportal.i18n._text import NC_, Text

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DEFAULT_TEMPLATES", "EMAIL_KINDS", "EmailTemplate"]


@attrs.frozen
class EmailTemplate:
    """The two texts of an e-mail, untranslated: :class:`~payportal.i18n.Text` keys.

    Attributes:
        subject: the subject line (a template: placeholders allowed).
        body: the plain-text body (a template).
    """

    subject: Text
    body: Text


EMAIL_KINDS: Final = (
    "invoice",
    "reminder",
    "credit_note",
    "offer",
    "order_confirmation",
    "delivery_note",
    "top_up_request",
)
"""The kinds of e-mails with a default text: each document type's value, and a request to
top up the prepaid credit."""

DEFAULT_TEMPLATES: Final[Mapping[str, EmailTemplate]] = MappingProxyType(
    {
        "invoice": EmailTemplate(
            NC_("e-mail subject: invoice", "Invoice [Invoice.number] from [Company.name]"),
            NC_(
                "e-mail body: invoice",
                "Dear [Client.name],\n"
                "\n"
                "please find attached our invoice [Invoice.number] of [Invoice.issued_on:long] "
                "for [Invoice.total_gross].\n"
                "Please pay the amount due of [Invoice.amount_due] by [Invoice.due_on:long].\n"
                "\n"
                "You can view and pay the invoice online: [Invoice.customerportal_url]\n"
                "All your documents: [Client.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "reminder": EmailTemplate(
            NC_(
                "e-mail subject: reminder",
                "Payment reminder [Reminder.number] for invoice [Reminder.invoice_numbers]",
            ),
            NC_(
                "e-mail body: reminder",
                "Dear [Client.name],\n"
                "\n"
                "perhaps it has escaped your notice: according to our records, invoice "
                "[Reminder.invoice_numbers] has not been paid yet.\n"
                "Please pay the amount due of [Reminder.amount_due] by "
                "[Reminder.due_on:long].\n"
                "\n"
                "Pay online: [Reminder.payment_url]\n"
                "View the reminder: [Reminder.customerportal_url]\n"
                "\n"
                "If you have paid in the meantime, please disregard this reminder.\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "credit_note": EmailTemplate(
            NC_(
                "e-mail subject: credit note",
                "Credit note [CreditNote.number] from [Company.name]",
            ),
            NC_(
                "e-mail body: credit note",
                "Dear [Client.name],\n"
                "\n"
                "please find attached our credit note [CreditNote.number] of "
                "[CreditNote.issued_on:long] for [CreditNote.total_gross].\n"
                "\n"
                "View it online: [CreditNote.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "offer": EmailTemplate(
            NC_("e-mail subject: offer", "Offer [Offer.number] from [Company.name]"),
            NC_(
                "e-mail body: offer",
                "Dear [Client.name],\n"
                "\n"
                "thank you for your enquiry. Please find attached our offer [Offer.number] of "
                "[Offer.issued_on:long] for [Offer.total_gross], valid until "
                "[Offer.valid_until:long].\n"
                "\n"
                "You can accept or decline the offer online: [Offer.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "order_confirmation": EmailTemplate(
            NC_(
                "e-mail subject: order confirmation",
                "Order confirmation [OrderConfirmation.number] from [Company.name]",
            ),
            NC_(
                "e-mail body: order confirmation",
                "Dear [Client.name],\n"
                "\n"
                "thank you for your order, which we hereby confirm with order confirmation "
                "[OrderConfirmation.number] of [OrderConfirmation.issued_on:long] for "
                "[OrderConfirmation.total_gross].\n"
                "\n"
                "View it online: [OrderConfirmation.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "delivery_note": EmailTemplate(
            NC_(
                "e-mail subject: delivery note",
                "Delivery note [DeliveryNote.number] from [Company.name]",
            ),
            NC_(
                "e-mail body: delivery note",
                "Dear [Client.name],\n"
                "\n"
                "please find attached delivery note [DeliveryNote.number] for our delivery of "
                "[DeliveryNote.delivered_on:long].\n"
                "\n"
                "View it online: [DeliveryNote.customerportal_url]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
        "top_up_request": EmailTemplate(
            NC_("e-mail subject: top-up request", "Top up your credit with [Company.name]"),
            NC_(
                "e-mail body: top-up request",
                "Dear [Client.name],\n"
                "\n"
                "your prepaid credit with us is running low. You can top it up online: "
                "[Client.customerportal_url]\n"
                "\n"
                "Or transfer the amount of your choice to:\n"
                "Account holder: [Company.name]\n"
                "IBAN: [Company.iban]\n"
                "BIC: [Company.bic]\n"
                "Reference: your customer number [Client.number]\n"
                "\n"
                "Kind regards\n"
                "[Company.name]\n",
            ),
        ),
    }
)
"""The default subject and body of each kind of e-mail (:data:`EMAIL_KINDS`), in English;
:meth:`Translations.email` gives them in the customer's language."""
