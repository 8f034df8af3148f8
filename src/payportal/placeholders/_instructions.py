"""Payment instructions: who is paid, to which account, with which reference.

The merchant's side is a setting (:class:`PaymentInstructions`: the :class:`Beneficiary`
and the reference scheme); a BillPay purchase brings its own (:class:`BillPayTransfer`,
from BillPay's answer), which replaces the merchant's account and reference on that
invoice. :meth:`PaymentInstructions.transfer_for` turns either into the one
:class:`Transfer` the placeholders print and encode as an EPC QR code.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import stdnum.bic
import stdnum.exceptions
import stdnum.iban

from payportal import _validators as v
from payportal import epc_qr
from payportal import references as refs
from payportal.documents import Document, Invoice, Reminder
from payportal.exceptions import InvalidReferenceError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from payportal._money import Money
    from payportal.customers import BankAccount, Company, Customer

__all__ = [
    "DIGIT_SCHEMES",
    "Beneficiary",
    "BillPayTransfer",
    "PaymentInstructions",
    "Transfer",
]

#: The national structured references, whose base is a run of digits.
DIGIT_SCHEMES: Final = ("be_ogm", "ch_qrr", "fi", "no_kid")
_SCHEMES: Final = ("rf", *DIGIT_SCHEMES)
# What an EPC QR code holds for the name (EPC069-12, element 6); also what fits on a slip.
_MAX_NAME: Final = 70
_MAX_BANK_NAME: Final = 70
_NOT_ALNUM: Final = re.compile(r"[^0-9A-Za-z]+")
_NOT_DIGIT: Final = re.compile(r"[^0-9]+")


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.single_line(_MAX_NAME, required=True)(instance, attribute, value)


def _iban(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError("must be an IBAN string", field="iban", value=value)
    if len(value) > 64:
        raise ValidationError("is not a valid IBAN: too long", field="iban", value=value)
    try:
        return str(stdnum.iban.validate(value))
    except stdnum.exceptions.ValidationError as exc:
        raise ValidationError(f"is not a valid IBAN: {exc}", field="iban", value=value) from None


def _bic(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise ValidationError("must be a BIC string", field="bic", value=value)
    try:
        return str(stdnum.bic.validate(value))
    except stdnum.exceptions.ValidationError as exc:
        raise ValidationError(f"is not a valid BIC: {exc}", field="bic", value=value) from None


def _group(iban: str) -> str:
    """An IBAN in groups of four, as printed (python-stdnum's ``iban.format``)."""
    return str(stdnum.iban.format(iban))


@attrs.frozen(kw_only=True)
class Beneficiary:
    """The account customers transfer money to: the merchant's own, normally.

    >>> Beneficiary(name="Beispiel AG", iban="de89 3704 0044 0532 0130 00",
    ...             bic="cobadeffxxx").formatted_iban
    'DE89 3704 0044 0532 0130 00'

    Attributes:
        name: the account holder as the payer's bank expects it, 1 to 70 characters on one
            line (the most an EPC QR code carries).
        iban: validated and stored compact and upper case.
        bic: the bank's BIC (optional within SEPA), stored compact.
        bank_name: the bank's name, for print.

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    name: str = attrs.field(converter=v.strip, validator=_name)
    iban: str = attrs.field(converter=_iban)
    bic: str | None = attrs.field(default=None, converter=_bic)
    bank_name: str = attrs.field(
        default="", converter=v.strip, validator=v.single_line(_MAX_BANK_NAME)
    )

    @property
    def formatted_iban(self) -> str:
        """The IBAN in groups of four: ``DE89 3704 0044 0532 0130 00``."""
        return _group(self.iban)

    @classmethod
    def from_bank_account(cls, account: BankAccount, *, bank_name: str = "") -> Beneficiary:
        """The beneficiary of one of the merchant's bank accounts (its holder is the name).

        Raises:
            ValidationError: the holder is longer than 70 characters.
        """
        return cls(name=account.holder, iban=account.iban, bic=account.bic, bank_name=bank_name)

    @classmethod
    def from_company(cls, company: Company) -> Beneficiary:
        """The beneficiary of the merchant's first bank account.

        Raises:
            ValidationError: the company has no bank account (field ``bank_accounts``).
        """
        if not company.bank_accounts:
            raise ValidationError(
                "is empty; a beneficiary needs the account customers pay to",
                field="bank_accounts",
                value=company.bank_accounts,
            )
        return cls.from_bank_account(company.bank_accounts[0])


class BillPayBankDetails(Protocol):
    """What :meth:`BillPayTransfer.from_bank_account` reads: the attributes of
    :class:`payportal.providers.billpay.BillPayBankAccount`."""

    @property
    def account_holder(self) -> str: ...
    @property
    def iban(self) -> str: ...
    @property
    def bic(self) -> str: ...
    @property
    def bank_name(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def due_on(self) -> date | None: ...


def _billpay_reference(value: object) -> str:
    try:
        return refs.billpay.validate(value)  # type: ignore[arg-type]
    except InvalidReferenceError as error:
        raise ValidationError(
            "must be BillPay's reference, BP<order number>/<merchant id>",
            field="reference",
            value=value,
        ) from error


def _account_number(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise ValidationError(
            "must be the account number BillPay sent (its IBAN)",
            field="account_number",
            value=value,
        )
    return "".join(value.split()).upper()


@attrs.frozen(kw_only=True)
class BillPayTransfer:
    """Where a BillPay invoice purchase is paid: BillPay's account, not the merchant's.

    BillPay answers a purchase with the account for the buyer's country and the reference
    ``BP<order>/<merchant id>`` (:class:`payportal.providers.billpay.BillPayBankAccount`);
    on the invoice they replace the merchant's account and reference, or the money would go
    to the wrong creditor. The account number is printed as BillPay sent it (in groups of
    four when it is an IBAN); an EPC QR code needs it to be a valid IBAN.

    Attributes:
        account_holder: BillPay's account holder, the beneficiary name.
        account_number: the IBAN BillPay sent (``account_number``), without spaces.
        bic: the BIC BillPay sent (``bank_code``), as sent.
        bank_name: the bank's name.
        reference: ``BP<order>/<merchant id>``, validated.
        due_on: BillPay's due date for the buyer, once the order is activated.

    Raises:
        ValidationError: an empty holder or account number, or a reference that is not
            BillPay's; ``field`` names it.
    """

    account_holder: str = attrs.field(converter=v.strip, validator=_name)
    account_number: str = attrs.field(converter=_account_number)
    bic: str = attrs.field(default="", converter=v.strip, validator=v.single_line(64))
    bank_name: str = attrs.field(
        default="", converter=v.strip, validator=v.single_line(_MAX_BANK_NAME)
    )
    reference: str = attrs.field(converter=_billpay_reference)
    due_on: date | None = attrs.field(default=None, validator=v.optional_date)

    @classmethod
    def from_bank_account(cls, account: BillPayBankDetails) -> BillPayTransfer:
        """From BillPay's answer: a :class:`~payportal.providers.billpay.BillPayBankAccount`
        (``BillPayAnswer.bank_account`` or ``BillPayOrder.bank_account``).

        Raises:
            ValidationError: as the constructor.
        """
        return cls(
            account_holder=account.account_holder,
            account_number=account.iban,
            bic=account.bic,
            bank_name=account.bank_name,
            reference=account.reference,
            due_on=account.due_on,
        )


@attrs.frozen
class Transfer:
    """What one payable thing is paid with, resolved: the placeholders print this.

    Attributes:
        name: the beneficiary name.
        iban: the account as printed (grouped in fours when it is an IBAN).
        iban_compact: the valid IBAN without spaces, or None when the account number is
            not one (then no EPC QR code can be made).
        bic: the BIC, or None.
        reference: the payment reference.
        due_on: when it is due, or None.
        bank_name: the bank's name, or empty.
    """

    name: str
    iban: str
    iban_compact: str | None
    bic: str | None
    reference: refs.Reference
    due_on: date | None
    bank_name: str = ""


def _scheme(value: object) -> refs.SchemeLike:
    if isinstance(value, refs.Template):
        return value
    if isinstance(value, str) and value in _SCHEMES:
        return value
    if value == "billpay":
        raise ValidationError(
            "cannot be BillPay's: BillPay gives each purchase its own reference; pass "
            "RenderContext(billpay=BillPayTransfer(...)) for a BillPay invoice",
            field="reference_scheme",
            value=value,
        )
    raise ValidationError(
        f"must be one of {', '.join(_SCHEMES)} or a payportal.references.Template",
        field="reference_scheme",
        value=value,
    )


def _prefix(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value == "":
        return
    if not isinstance(value, str) or len(value) > 10 or not (value.isascii() and value.isalnum()):
        raise v.fail(attribute, value, "must be up to 10 letters and digits")


@attrs.frozen(kw_only=True)
class PaymentInstructions:
    """The merchant's payment instructions: the account and the reference scheme.

    ``[Invoice.payment_reference]``, ``[Reminder.…]`` and ``[Client.…]`` are made from the
    document's (or customer's) own number, so the same document always gets the same
    reference and a bank statement entry quoting it finds the document again (pass
    :meth:`known_references` to :func:`payportal.reconciliation.reconcile`):

    ========== =================================================================================
    scheme     the reference of ``RE-2026-17`` (customer ``K-1042`` for ``[Client.…]``)
    ========== =================================================================================
    ``rf``     ISO 11649 ``RF`` reference, body = ``prefix`` + the number's letters and digits
               (``RF51 RE20 2617``); at most 21 characters in all
    ``be_ogm`` Belgian structured communication of the number's digits (up to 10)
    ``ch_qrr`` Swiss QR reference of the number's digits (up to 26)
    ``fi``     Finnish reference of the number's digits (3 to 19)
    ``no_kid`` Norwegian KID (MOD10) of the number's digits
    Template   a :class:`payportal.references.Template` filled with ``document_number`` and
               ``invoice_number`` (letters and digits of the number), ``customer_number``,
               ``year`` and ``month`` (of the issue date; today's are not used)
    ========== =================================================================================

    The national schemes keep only digits: invoices and reminders must then be numbered so
    that their digits differ (``RE-17`` and ``MA-17`` would share one reference).

    >>> from datetime import date
    >>> from payportal import Money
    >>> from payportal.documents import Invoice, LineItem
    >>> invoice = Invoice(id="i-1", number="RE-2026-17", customer_id="42",
    ...                   issued_on=date(2026, 10, 1),
    ...                   lines=[LineItem(title="Work", quantity=1,
    ...                                   unit_price=Money("100.00", "EUR"), tax_rate=19)])
    >>> account = Beneficiary(name="Beispiel AG", iban="DE89370400440532013000")
    >>> PaymentInstructions(beneficiary=account).reference_for(invoice).formatted
    'RF51 RE20 2617'
    >>> PaymentInstructions(beneficiary=account, reference_scheme="fi").reference_for(
    ...     invoice).formatted
    '20 26176'

    Attributes:
        beneficiary: the account customers pay to; None if the merchant has none to print
            (payment references still work, account fields and EPC QR codes do not).
        reference_scheme: ``"rf"`` (default), ``"be_ogm"``, ``"ch_qrr"``, ``"fi"``,
            ``"no_kid"`` or a :class:`payportal.references.Template`.
        prefix: for ``"rf"``, letters and digits put before the number (a shop code).
        purpose: an ISO 20022 purpose code for EPC QR codes (``"GDDS"``), or None.

    Raises:
        ValidationError: an unknown scheme (``"billpay"`` included: BillPay's reference is
            per purchase), a prefix that is not letters and digits, or a beneficiary that is
            not a :class:`Beneficiary`.
    """

    beneficiary: Beneficiary | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Beneficiary, "a Beneficiary"))
    )
    reference_scheme: refs.SchemeLike = attrs.field(default="rf", converter=_scheme)
    prefix: str = attrs.field(default="", validator=_prefix)
    purpose: str | None = attrs.field(default=None)

    @purpose.validator
    def _purpose(self, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is None:
            return
        if not (isinstance(value, str) and len(value) == 4 and value.isascii() and value.isalpha()):
            raise v.fail(attribute, value, "must be a four-letter ISO 20022 purpose code")

    def reference_for(
        self, subject: Document | Customer, *, customer: Customer | None = None
    ) -> refs.Reference:
        """The payment reference of an invoice, a reminder, or a customer's account.

        Args:
            subject: the document, or the customer for an account-wide reference.
            customer: the document's customer, for a template that uses
                ``customer_number``.

        Raises:
            ValidationError: the number does not fit the scheme (too long, too few digits,
                a template field it lacks); ``field`` is ``"number"``, the message names the
                document or customer number and the scheme.
        """
        fields = _fields(subject, customer)
        number = fields.get("document_number") or fields["customer_number"]
        scheme = self.reference_scheme
        what = f"{_label(subject)} {subject.number}"
        try:
            if isinstance(scheme, refs.Template):
                return refs.generate(scheme, **{k: fields[k] for k in scheme.fields if k in fields})
            if scheme == "rf":
                return refs.generate("rf", body=self.prefix + number)
            digits = _NOT_DIGIT.sub("", number)
            if not digits:
                raise ValidationError("has no digits", field="number", value=number)
            return refs.generate(scheme, base=digits)
        except ValidationError as error:
            name = scheme.name if isinstance(scheme, refs.Template) else scheme
            inner = f"{error.field} {error.reason}" if error.field else error.reason
            raise ValidationError(
                f"cannot be made into a {name} payment reference ({inner})",
                field="number",
                value=what,
            ) from error

    def known_references(
        self, documents: Iterable[Document], *, customer: Customer | None = None
    ) -> dict[str, str]:
        """The references printed on ``documents`` (invoices and reminders; other types are
        skipped), compact, each mapped to its document number: the ``known_references``
        :func:`payportal.reconciliation.reconcile` takes, so that a bank statement entry
        quoting a printed reference pays exactly that document.

        Raises:
            ValidationError: as :meth:`reference_for`.
        """
        return {
            self.reference_for(document, customer=customer).value: document.number
            for document in documents
            if isinstance(document, Invoice | Reminder)
        }

    def transfer_for(
        self,
        subject: Document | Customer,
        *,
        customer: Customer | None = None,
        billpay: BillPayTransfer | None = None,
        due_on: date | None = None,
    ) -> Transfer | None:
        """What ``subject`` is paid with: BillPay's account and reference for a BillPay
        invoice, else the beneficiary's with :meth:`reference_for`; None without a
        beneficiary (and no BillPay purchase)."""
        if billpay is not None and isinstance(subject, Invoice):
            number = billpay.account_number
            compact = number if stdnum.iban.is_valid(number) else None
            return Transfer(
                name=billpay.account_holder,
                iban=_group(compact) if compact else billpay.account_number,
                iban_compact=compact,
                bic=billpay.bic or None,
                reference=refs.Reference(
                    "billpay", billpay.reference, refs.billpay.format(billpay.reference)
                ),
                due_on=billpay.due_on or subject.due_on,
                bank_name=billpay.bank_name,
            )
        beneficiary = self.beneficiary
        if beneficiary is None:
            return None
        return Transfer(
            name=beneficiary.name,
            iban=beneficiary.formatted_iban,
            iban_compact=beneficiary.iban,
            bic=beneficiary.bic,
            reference=self.reference_for(subject, customer=customer),
            due_on=due_on if due_on is not None else _due_on(subject),
            bank_name=beneficiary.bank_name,
        )


def _due_on(subject: Document | Customer) -> date | None:
    if isinstance(subject, Invoice | Reminder):
        return subject.due_on
    return None


def _label(subject: Document | Customer) -> str:
    if isinstance(subject, Document):
        return subject.type.value.replace("_", " ")
    return "customer"


def _alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text).upper()


def _fields(subject: Document | Customer, customer: Customer | None) -> dict[str, str]:
    if not isinstance(subject, Document):
        return {"customer_number": _alnum(subject.number)}
    number = _alnum(subject.number)
    found = {
        "document_number": number,
        "year": str(subject.issued_on.year),
        "month": f"{subject.issued_on.month:02d}",
    }
    if isinstance(subject, Invoice):
        found["invoice_number"] = number
    if customer is not None:
        found["customer_number"] = _alnum(customer.number)
    return found


def amount_for_qr(amount: Money | None) -> Money | None:
    """The amount an EPC QR code can carry: euros from 0.01 to 999,999,999.99, else None."""
    if amount is None or amount.currency != "EUR" or amount.amount <= 0:
        return None
    if amount.amount > epc_qr.MAX_AMOUNT:
        return None
    return amount
