"""What an e-invoice holds beyond the payportal document: parties, payment means, tax category.

An :class:`EInvoice` is the EN 16931 view of one :class:`~payportal.documents.Invoice` or
:class:`~payportal.documents.CreditNote`: the seller (the merchant's :class:`~payportal.Company`),
the buyer (a :class:`~payportal.Customer`), how the buyer pays, and the few fields the
standard needs that payportal's documents do not carry (the buyer reference, which for
XRechnung is the Leitweg-ID, and the tax category of zero-rated lines).
"""

from __future__ import annotations

import enum
from typing import Any

import attrs
import stdnum.iban

from payportal import _validators as v
from payportal.customers import Company, Customer
from payportal.documents import CreditNote, Invoice
from payportal.exceptions import ValidationError

__all__ = [
    "CardPayment",
    "EInvoice",
    "OnlinePayment",
    "PaymentMeans",
    "Profile",
    "SepaCreditTransfer",
    "SepaDirectDebit",
    "TaxCategory",
]


class Profile(enum.Enum):
    """The specification identifier (BT-24) a file is written for."""

    EN16931 = "urn:cen.eu:en16931:2017"
    """Plain EN 16931: the ZUGFeRD 2.x / Factur-X "EN 16931" (COMFORT) profile."""
    XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    """The German CIUS XRechnung 3.0: buyer reference, seller contact, addresses required."""


class TaxCategory(enum.Enum):
    """UNTDID 5305 VAT category codes for lines taxed at 0 % (positive rates are always ``S``)."""

    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"

    @property
    def needs_reason(self) -> bool:
        """Whether EN 16931 requires an exemption reason for this category (BR-E-10 etc.)."""
        return self is not TaxCategory.ZERO_RATED


def _iban(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not stdnum.iban.is_valid(value):
        raise v.fail(attribute, value, "must be a valid IBAN")


def _compact(value: object) -> object:
    return stdnum.iban.compact(value) if isinstance(value, str) else value


@attrs.frozen(kw_only=True)
class SepaCreditTransfer:
    """The buyer transfers the money (UNTDID 4461 code 58) to ``iban``.

    ``iban`` and ``bic`` default to the seller's first bank account when left empty;
    ``reference`` is the remittance text the buyer must quote (BT-83), by default the
    document number.
    """

    iban: str = attrs.field(default="", converter=_compact)
    bic: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    account_name: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    reference: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)

    @iban.validator
    def _check_iban(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value:
            _iban(self, attribute, value)


@attrs.frozen(kw_only=True)
class SepaDirectDebit:
    """The seller collects the money by SEPA direct debit (code 59) under a mandate.

    ``creditor_id`` is the seller's SEPA creditor identifier (BT-90); ``mandate_reference``
    (BT-89) and ``debtor_iban`` (BT-91) default to the buyer's first bank account that
    carries a mandate reference.
    """

    creditor_id: str = attrs.field(converter=v.strip, validator=v.non_empty_str)
    mandate_reference: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    debtor_iban: str = attrs.field(default="", converter=_compact)
    reference: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)

    @debtor_iban.validator
    def _check_iban(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value:
            _iban(self, attribute, value)


@attrs.frozen(kw_only=True)
class CardPayment:
    """Paid or to be paid by card (code 48, or 54/55 for credit/debit card).

    ``last_digits`` are the last 4 to 6 digits of the card number (BT-87): EN 16931 forbids
    the full number in an invoice. ``network`` (such as ``"VISA"``) is only written in UBL,
    which requires one; it defaults to ``"card"`` there.
    """

    last_digits: str = attrs.field(converter=v.strip)
    holder: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    code: str = attrs.field(default="48")
    network: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)

    @last_digits.validator
    def _check_digits(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not (value.isdigit() and 4 <= len(value) <= 6):
            raise v.fail(attribute, value, "must be the last 4 to 6 digits of the card number")

    @code.validator
    def _check_code(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in {"48", "54", "55"}:
            raise v.fail(attribute, value, "must be 48 (bank card), 54 (credit) or 55 (debit)")


@attrs.frozen(kw_only=True)
class OnlinePayment:
    """Paid through an online payment service (code 68), such as PayPal or a payment page.

    ``information`` names the service for the buyer (BT-82).
    """

    information: str = attrs.field(converter=v.strip, validator=v.non_empty_str)


PaymentMeans = SepaCreditTransfer | SepaDirectDebit | CardPayment | OnlinePayment
"""One way the buyer pays (EN 16931 BG-16)."""

_MEANS = (SepaCreditTransfer, SepaDirectDebit, CardPayment, OnlinePayment)


def _payment(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(_MEANS, "a payment means")(instance, attribute, value)  # type: ignore[arg-type]


def _document(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Invoice | CreditNote):
        raise v.fail(attribute, value, "must be an Invoice or a CreditNote")


@attrs.frozen(kw_only=True)
class EInvoice:
    """An invoice or credit note with everything EN 16931 asks about its parties and payment.

    Args:
        document: the :class:`~payportal.documents.Invoice` or
            :class:`~payportal.documents.CreditNote`; its lines, tax rates, totals, due date,
            cash discount and ``paid`` amount are written as they are.
        seller: the merchant. Name, address, VAT id (or tax number) and e-mail are written.
        buyer: the customer. ``company`` (else ``name``), address, VAT id and e-mail are written.
        payment: how the buyer pays; an XRechnung invoice needs at least one.
        buyer_reference: BT-10, for XRechnung the buyer's Leitweg-ID; when empty, the
            buyer's :attr:`Customer.buyer_reference <payportal.Customer.buyer_reference>`.
        seller_contact: BT-41, the person or department to contact; defaults to the seller's
            name.
        order_reference: BT-13, the buyer's purchase order number.
        preceding_invoice: BT-25, the number of the invoice a credit note corrects; taken
            from ``document.invoice_id`` when empty.
        zero_rate_category: the VAT category of lines taxed at 0 %.
        exemption_reason: BT-120, why no VAT is charged on those lines (required unless they
            are zero rated), such as "Reverse charge".
        note: BT-22, a free text note on the whole document.
    """

    document: Invoice | CreditNote = attrs.field(validator=_document)
    seller: Company = attrs.field(validator=v.instance_of(Company, "a Company"))
    buyer: Customer = attrs.field(validator=v.instance_of(Customer, "a Customer"))
    payment: tuple[PaymentMeans, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=_payment
    )
    buyer_reference: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    seller_contact: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    order_reference: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    preceding_invoice: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    zero_rate_category: TaxCategory = attrs.field(
        default=TaxCategory.ZERO_RATED, validator=v.instance_of(TaxCategory, "a TaxCategory")
    )
    exemption_reason: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    note: str = attrs.field(default="", validator=v.optional_str)

    @property
    def is_credit_note(self) -> bool:
        """Whether the document is a credit note (type code 381)."""
        return isinstance(self.document, CreditNote)


def require(condition: object, field: str, reason: str, value: object = None) -> None:
    """Raise :class:`ValidationError` for ``field`` unless ``condition`` holds."""
    if not condition:
        raise ValidationError(reason, field=field, value=value)
