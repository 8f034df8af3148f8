"""The customer-facing texts: labels of payportal's enums and messages for errors.

Labels are found by the enum's public module, class name and value, so this module needs
none of the enums' modules (nothing here imports the packages that use the translations).
``tests/i18n`` checks that every member of every enum listed in :data:`LABELLED_ENUMS`
has a label.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from payportal.i18n._text import NC_, Text

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "LABELLED_ENUMS",
    "LABELS",
    "MESSAGES",
    "CustomerMessage",
    "MessageTexts",
    "enum_key",
]

# (public module, class name) of each enum customers see, in the order of the guide.
LABELLED_ENUMS: Final = (
    ("payportal.portal", "Action"),
    ("payportal.documents", "DocumentType"),
    ("payportal.documents", "PaymentState"),
    ("payportal.documents", "OfferStatus"),
    ("payportal.providers", "PaymentStatus"),
    ("payportal.booking", "IntentStatus"),
    ("payportal.customers", "MasterDataField"),
    ("payportal.customers", "MasterDataGroup"),
    ("payportal.accounts", "TopUpMethod"),
    ("payportal.accounts", "EntryKind"),
    ("payportal.accounts", "ComponentKind"),
    ("payportal.documents", "CommentAuthor"),
    ("payportal.mandates", "Scheme"),
    ("payportal.mandates", "MandateState"),
    ("payportal.arrangements", "HoldKind"),
    ("payportal.arrangements", "HoldState"),
    ("payportal.arrangements", "PlanState"),
)


def enum_key(module: str, name: str, value: object) -> tuple[str, str, str]:
    """The key of one enum member's label: the public module, the class, the value."""
    return (module.split("._", 1)[0], name, str(value))


def _labels(module: str, name: str, context: str, texts: Mapping[str, Text]) -> None:
    for value, text in texts.items():
        assert text.context == context, (value, text)
        _LABELS[enum_key(module, name, value)] = text


_LABELS: dict[tuple[str, str, str], Text] = {}

_labels(
    "payportal.portal",
    "Action",
    "action",
    {
        "view": NC_("action", "View"),
        "download": NC_("action", "Download"),
        "print": NC_("action", "Print"),
        "comment": NC_("action", "Comment"),
        "accept": NC_("action", "Accept"),
        "reject": NC_("action", "Decline"),
        "pay": NC_("action", "Pay"),
        "edit_master_data": NC_("action", "Edit your details"),
        "top_up": NC_("action", "Top up credit"),
        "add_payment_method": NC_("action", "Add a payment method"),
        "change_payment_method": NC_("action", "Change the payment method"),
        "remove_payment_method": NC_("action", "Remove the payment method"),
        "grant_mandate": NC_("action", "Grant a direct debit mandate"),
        "revoke_mandate": NC_("action", "Revoke the direct debit mandate"),
    },
)
_labels(
    "payportal.documents",
    "DocumentType",
    "document type",
    {
        "invoice": NC_("document type", "Invoice"),
        "reminder": NC_("document type", "Payment reminder"),
        "credit_note": NC_("document type", "Credit note"),
        "offer": NC_("document type", "Offer"),
        "delivery_note": NC_("document type", "Delivery note"),
        "order_confirmation": NC_("document type", "Order confirmation"),
    },
)
_labels(
    "payportal.documents",
    "PaymentState",
    "payment state",
    {
        # Translators: the state of an invoice or a payment reminder (in French: feminine).
        "open": NC_("payment state", "Unpaid"),
        "partially_paid": NC_("payment state", "Partially paid"),
        "paid": NC_("payment state", "Paid"),
        "cancelled": NC_("payment state", "Cancelled"),
    },
)
_labels(
    "payportal.documents",
    "OfferStatus",
    "offer status",
    {
        "open": NC_("offer status", "Awaiting your answer"),
        "accepted": NC_("offer status", "Accepted"),
        "rejected": NC_("offer status", "Declined"),
        "expired": NC_("offer status", "Expired"),
    },
)
_labels(
    "payportal.providers",
    "PaymentStatus",
    "payment status",
    {
        "created": NC_("payment status", "Started"),
        "pending": NC_("payment status", "Processing"),
        "authorized": NC_("payment status", "Authorised"),
        "paid": NC_("payment status", "Paid"),
        "partially_refunded": NC_("payment status", "Partially refunded"),
        "refunded": NC_("payment status", "Refunded"),
        "cancelled": NC_("payment status", "Cancelled"),
        "failed": NC_("payment status", "Failed"),
        "expired": NC_("payment status", "Expired"),
    },
)
_labels(
    "payportal.booking",
    "IntentStatus",
    "payment intent status",
    {
        # Translators: where a payment the customer started in the portal stands.
        "open": NC_("payment intent status", "Waiting for your payment"),
        "authorised": NC_("payment intent status", "Authorised"),
        "booked": NC_("payment intent status", "Received"),
        "pending": NC_("payment intent status", "Being checked"),
        "reversed": NC_("payment intent status", "Refunded"),
        "rejected": NC_("payment intent status", "Rejected"),
        "failed": NC_("payment intent status", "Failed"),
        "cancelled": NC_("payment intent status", "Cancelled"),
        "expired": NC_("payment intent status", "Expired"),
    },
)
_labels(
    "payportal.customers",
    "MasterDataField",
    "master data field",
    {
        "name": NC_("master data field", "Name"),
        "company": NC_("master data field", "Company"),
        "contact_person": NC_("master data field", "Contact person"),
        "email": NC_("master data field", "E-mail address"),
        "phone": NC_("master data field", "Phone"),
        "address": NC_("master data field", "Address"),
        "locale": NC_("master data field", "Language"),
        "bank_accounts": NC_("master data field", "Bank account"),
        "vat_id": NC_("master data field", "VAT ID"),
        "tax_number": NC_("master data field", "Tax number"),
        "buyer_reference": NC_("master data field", "Buyer reference (Leitweg-ID)"),
    },
)
_labels(
    "payportal.accounts",
    "TopUpMethod",
    "top-up method",
    {
        "card": NC_("top-up method", "Credit card"),
        "paypal": NC_("top-up method", "PayPal"),
        "sofort": NC_("top-up method", "Sofort"),
        "bank_transfer": NC_("top-up method", "Bank transfer"),
        "overpayment": NC_("top-up method", "Overpayment"),
    },
)

_labels(
    "payportal.customers",
    "MasterDataGroup",
    "master data group",
    {
        "contact": NC_("master data group", "Contact details"),
        "bank": NC_("master data group", "Bank details"),
        "tax": NC_("master data group", "Tax details"),
    },
)
_labels(
    "payportal.mandates",
    "Scheme",
    "direct debit scheme",
    {
        # Translators: the customer's payment method when a SEPA mandate is active.
        "CORE": NC_("direct debit scheme", "SEPA Direct Debit"),
        "B2B": NC_("direct debit scheme", "SEPA Business-to-Business Direct Debit"),
    },
)
_labels(
    "payportal.mandates",
    "MandateState",
    "mandate state",
    {
        "active": NC_("mandate state", "Active"),
        "revoked": NC_("mandate state", "Revoked"),
        "expired": NC_("mandate state", "Expired"),
        # Translators: a return from the bank stopped collections on the mandate.
        "blocked": NC_("mandate state", "Blocked"),
    },
)
_labels(
    "payportal.arrangements",
    "HoldKind",
    "customer request",
    {
        # Translators: the customer objects to an invoice.
        "dispute": NC_("customer request", "Objection"),
        # Translators: the customer says the invoice is paid already.
        "paid_claim": NC_("customer request", "Already paid"),
        # Translators: the customer asks for a later due date.
        "extension": NC_("customer request", "More time to pay"),
    },
)
_labels(
    "payportal.arrangements",
    "HoldState",
    "request state",
    {
        # Translators: the state of a customer's request (in French: feminine, "demande").
        "open": NC_("request state", "Waiting for an answer"),
        "accepted": NC_("request state", "Accepted"),
        "rejected": NC_("request state", "Rejected"),
        # Translators: the merchant found the payment the customer said they had made.
        "matched": NC_("request state", "Payment found"),
    },
)
_labels(
    "payportal.arrangements",
    "PlanState",
    "instalment plan state",
    {
        "active": NC_("instalment plan state", "Active"),
        "cancelled": NC_("instalment plan state", "Cancelled"),
    },
)
_labels(
    "payportal.accounts",
    "EntryKind",
    "account entry",
    {
        # Translators: the lines of a customer's account statement.
        "item": NC_("account entry", "Billed"),
        "payment": NC_("account entry", "Payment received"),
        "discount": NC_("account entry", "Cash discount"),
        "write_off": NC_("account entry", "Small difference waived"),
        "transfer": NC_("account entry", "Moved to your credit or refunded"),
        "reversal": NC_("account entry", "Payment reversed"),
        "waiver": NC_("account entry", "Fee waived"),
    },
)
_labels(
    "payportal.accounts",
    "ComponentKind",
    "amount part",
    {
        # Translators: what part of an invoice or reminder a payment went to.
        "costs": NC_("amount part", "Fees"),
        "interest": NC_("amount part", "Interest"),
        "principal": NC_("amount part", "Invoice amount"),
    },
)
_labels(
    "payportal.documents",
    "CommentAuthor",
    "comment author",
    {
        # Translators: who wrote a comment on a document, as the customer reads it.
        "customer": NC_("comment author", "You"),
        "staff": NC_("comment author", "Our team"),
    },
)

LABELS: Final[Mapping[tuple[str, str, str], Text]] = MappingProxyType(_LABELS)
"""The label of each enum member customers see, by :func:`enum_key`."""


@attrs.frozen
class MessageTexts:
    """The two texts of a message for customers, untranslated."""

    title: Text
    detail: Text


@attrs.frozen
class CustomerMessage:
    """What to show a customer about an error, translated: a heading and a sentence or two.

    Attributes:
        title: a short heading, such as "This link has expired".
        detail: what happened and what the customer can do.
    """

    title: str
    detail: str


def _message(title: Text, detail: Text) -> MessageTexts:
    assert (title.context, detail.context) == ("error title", "error detail")
    return MessageTexts(title, detail)


# By the exception's class name; the first class in the error's MRO that is listed wins.
# PayportalError is the fallback for anything else the library raises. "Class:variant"
# entries refine a class by what its reason says (see Translations.message).
MESSAGES: Final[Mapping[str, MessageTexts]] = MappingProxyType(
    {
        "ExpiredLinkError": _message(
            NC_("error title", "This link has expired"),
            NC_(
                "error detail",
                "Portal links work for a limited time. Ask us for a new one and we will send it "
                "right away.",
            ),
        ),
        "RevokedLinkError": _message(
            NC_("error title", "This link was replaced"),
            NC_(
                "error detail",
                "A newer link to your portal was issued, which turned this one off. Please use the "
                "link from our most recent e-mail.",
            ),
        ),
        "InvalidLinkError": _message(
            NC_("error title", "This link is not valid"),
            NC_(
                "error detail",
                "The link may have been cut off or changed when it was copied. Please open it "
                "straight from our e-mail, or ask us for a new one.",
            ),
        ),
        "AccessDeniedError": _message(
            NC_("error title", "This is not available to you"),
            NC_("error detail", "Please contact us if you think this is a mistake."),
        ),
        "InvalidTransitionError": _message(
            NC_("error title", "This is no longer possible"),
            NC_(
                "error detail",
                "The document has changed in the meantime: an offer may have expired or an "
                "invoice may have been paid. Please reload the page.",
            ),
        ),
        "InvalidAmountError": _message(
            NC_("error title", "Please check the amount"),
            NC_("error detail", "Enter the amount as you would write it, for example %(example)s."),
        ),
        # parse_money's two refusals that need more than "write it like this".
        "InvalidAmountError:ambiguous": _message(
            NC_("error title", "Please check the amount"),
            NC_(
                "error detail",
                "%(amount)s can be read as two different amounts. Please enter it with its "
                "decimals, for example %(example)s.",
            ),
        ),
        "InvalidAmountError:decimals": _message(
            NC_("error title", "Please check the amount"),
            NC_("error detail", "The amount has more decimal places than its currency has."),
        ),
        "ValidationError": _message(
            NC_("error title", "Please check your entry"),
            NC_(
                "error detail",
                "One of the values you entered cannot be accepted. Please correct it and try "
                "again.",
            ),
        ),
        "InsufficientFundsError": _message(
            NC_("error title", "Your credit is not enough"),
            NC_("error detail", "Please top up your credit or choose another way to pay."),
        ),
        "PaymentDeclinedError": _message(
            NC_("error title", "The payment was declined"),
            NC_(
                "error detail",
                "Nothing was charged. Please try again or choose another way to pay.",
            ),
        ),
        "OutcomeUnknownError": _message(
            NC_("error title", "We could not confirm your payment yet"),
            NC_(
                "error detail",
                "Please do not pay again: we are checking with the payment service and will let "
                "you know.",
            ),
        ),
        "ProviderError": _message(
            NC_("error title", "Payment is not available right now"),
            NC_(
                "error detail",
                "The payment service did not answer as expected. Please try again in a few "
                "minutes.",
            ),
        ),
        "PayportalError": _message(
            NC_("error title", "Something went wrong"),
            NC_(
                "error detail",
                "Please try again later. If the problem persists, please contact us.",
            ),
        ),
    }
)
"""Messages for customers by exception class name (see :meth:`Translations.message`)."""
