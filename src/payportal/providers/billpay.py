"""BillPay invoice purchase (Klarna, legacy): the XML API 1.5.

One :class:`BillPayWire` holds the whole wire format; :class:`BillPay` and
:class:`AsyncBillPay` run it synchronously and asynchronously. Every call is a ``POST`` of an
XML document ``<data api_version="1.5.10">`` to ``{base}/<operation>``; the credentials travel
inside it as ``<default_params mid=".." pid=".." bpsecure=".."/>``, where ``bpsecure`` is the
MD5 hex digest of the portal's security key (:func:`bpsecure`). Amounts are integers in minor
units, dates ``YYYYMMDD``. Every answer is HTTP 200 with ``error_code="0"`` or a failure code and
two messages, one for the buyer and one for the merchant.

How the protocol maps onto BillPay:

* ``create_payment`` is ``preauthorize`` (payment type 1, invoice). BillPay decides at once:
  the payment is :attr:`~payportal.providers.PaymentStatus.AUTHORIZED`, or
  :class:`~payportal.exceptions.PaymentDeclinedError` is raised (status ``DENIED``). The
  payment id is the merchant's order reference (``PaymentRequest.reference``), which is how
  BillPay names the order in every later call. The buyer's details come from
  ``PaymentRequest.metadata`` under BillPay's attribute names (see :data:`BUYER_FIELDS`).
* ``capture`` is ``invoiceCreated`` (activation, once the goods are shipped and the invoice is
  written); a smaller ``amount`` first reduces the cart with ``editCartContent``.
* ``cancel`` is ``cancel`` before activation; ``refund`` reduces the cart of an activated
  order with ``editCartContent`` (partial) or cancels what is left (full).
* BillPay's answers carry the account the buyer pays to and the reference
  ``BP<order>/<merchant id>`` (:mod:`payportal.references.billpay`); they are on
  ``Payment.instructions`` together with the due date and the ``activation_deadline``:
  BillPay cancels orders that are not activated within two months.

BillPay's API cannot report an order's amounts, so the wire keeps each order it created in
``orders`` (a ``MutableMapping`` from reference to :class:`BillPayOrder`; pass one backed by
your database to survive restarts). ``get_payment`` reads the activation state and the bank
details back with ``getBillPayBankData``. BillPay sends no notifications through this API:
``parse_webhook`` raises :class:`~payportal.exceptions.UnsupportedOperationError`.

BillPay has no idempotency key. ``preauthorize``, ``invoiceCreated`` and ``cancel`` are sent
with :func:`~payportal.providers.confirm_before_resend`: after an attempt whose answer is
unknown the drivers read the order back with ``getBillPayBankData`` and resend only if the
first attempt did not take effect. ``editCartContent`` sends the whole new cart, so a resend
sets the same total again.

Sources: BillPay's published API facts and the request/response samples in
``tests/data/billpay/`` (omnipay-billpay's fixtures, with their provenance). Inferred, not in
those sources:

* the ``getBillPayBankData`` (``<order_params reference=".."/>``) and ``editCartContent``
  (``<total/>`` and ``<article_data/>`` as in preauthorize) requests, taken from the shape of
  BillPay's PHP SDK;
* every error code except ``0`` (the codes in :data:`ERROR_CODES`), and that
  ``getBillPayBankData`` answers a cancelled order with :data:`ORDER_CANCELLED`;
* the due date's term (BillPay states it in ``invoice_duedate``; the fake uses 30 days);
* that the two-month activation window is counted in calendar months from preauthorization.

The weekly settlement statements are not publicly documented, so no parser is offered.

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest
>>> from payportal.testing.fake_billpay import FakeBillPay, sample_buyer
>>> fake = FakeBillPay()
>>> billpay = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
...                   transport=fake.transport())
>>> payment = billpay.create_payment(PaymentRequest(
...     amount=Money("119.00", "EUR"), reference="ORDER-1", metadata=sample_buyer()))
>>> payment.status.value, payment.instructions["reference"]
('authorized', 'BP1000001/4441')
>>> billpay.capture(payment.id).status.value
'paid'
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET  # building only; parsing goes through defusedxml
from collections.abc import Mapping, MutableMapping
from datetime import date
from typing import TYPE_CHECKING, TypedDict, Unpack

import attrs
import defusedxml
import defusedxml.ElementTree
import httpx

from payportal import _validators as v
from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidReferenceError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ValidationError,
)
from payportal.providers._core import (
    AsyncHTTPOptions,
    AsyncHTTPProvider,
    HTTPOptions,
    HTTPProvider,
    Operation,
    Wire,
    confirm_before_resend,
    error_for_status,
    read_minor_units,
    refund_amount,
    split_options,
)
from payportal.providers._models import Capabilities, Payment, PaymentRequest, PaymentStatus, Refund
from payportal.references import billpay as billpay_reference

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

__all__ = [
    "API_VERSION",
    "BUYER_FIELDS",
    "ERROR_CODES",
    "LIVE_URL",
    "ORDER_CANCELLED",
    "TEST_URL",
    "AsyncBillPay",
    "BillPay",
    "BillPayAnswer",
    "BillPayBankAccount",
    "BillPayInstalment",
    "BillPayOptions",
    "BillPayOrder",
    "BillPayWire",
    "activation_deadline",
    "bpsecure",
    "parse_answer",
    "parse_date",
]

LIVE_URL = "https://api.billpay.de/xml"
TEST_URL = "https://test-api.billpay.de/xml/offline"
API_VERSION = "1.5.10"
PAYMENT_TYPE_INVOICE = "1"
ACTIVATION_MONTHS = 2
"""BillPay cancels an order that is not activated within this many months."""

# Error codes (all inferred but 0; BillPay's code list is not public).
AUTHENTICATION_FAILED = "7"
INVALID_REQUEST = "12"
UNKNOWN_ORDER = "40"
ORDER_CANCELLED = "41"
ALREADY_ACTIVATED = "42"
AMOUNT_MISMATCH = "43"
DUPLICATE_REFERENCE = "44"
ERROR_CODES: Mapping[str, str] = {
    AUTHENTICATION_FAILED: "merchant id, portal id or security key wrong",
    INVALID_REQUEST: "the request is malformed or a mandatory field is missing",
    UNKNOWN_ORDER: "BillPay knows no order with this reference",
    ORDER_CANCELLED: "the order is cancelled",
    ALREADY_ACTIVATED: "the order is activated already",
    AMOUNT_MISMATCH: "the amounts do not add up or would increase the order",
    DUPLICATE_REFERENCE: "an order with this reference exists",
}
"""The failure codes payportal knows, with their meaning (inferred, see the module docstring)."""

BUYER_FIELDS = (
    "customerid",
    "customertype",
    "salutation",
    "title",
    "firstName",
    "lastName",
    "street",
    "streetNo",
    "addressAddition",
    "zip",
    "city",
    "country",
    "email",
    "phone",
    "cellPhone",
    "birthday",
    "language",
    "ip",
    "customerGroup",
)
"""``PaymentRequest.metadata`` keys sent as ``customer_details`` attributes. ``email`` defaults
to ``customer_email``, ``customertype`` to ``g`` (guest) and ``customerGroup`` to ``p``
(private); ``birthday`` may be ``YYYY-MM-DD``; ``country`` may be ISO alpha-2. Business buyers
(``customerGroup="b"``) add the ``company_details`` attributes with a ``company_`` prefix
(``company_name``, ``company_legalForm``, ...). ``net`` (a decimal string) is the net total;
it defaults to the gross amount."""

_COMPANY_PREFIX = "company_"
_ALPHA3 = {"DE": "DEU", "AT": "AUT", "CH": "CHE", "NL": "NLD"}
_REFERENCE = re.compile(r"[A-Za-z0-9_./-]{1,40}")
_NOT_FOUND = frozenset({UNKNOWN_ORDER})


def bpsecure(security_key: str) -> str:
    """The ``bpsecure`` value: the MD5 hex digest of the portal's security key.

    >>> bpsecure("")
    'd41d8cd98f00b204e9800998ecf8427e'
    >>> bpsecure("12345678")
    '25d55ad283aa400af464c76d713c07ad'
    """
    # MD5 is BillPay's wire format, not our choice of protection.
    return hashlib.md5(security_key.encode(), usedforsecurity=False).hexdigest()


def parse_date(value: str | None) -> date | None:
    """A ``YYYYMMDD`` date, or ``None`` for an empty or unreadable one.

    >>> parse_date("20150501")
    datetime.date(2015, 5, 1)
    """
    if not value or not re.fullmatch(r"[0-9]{8}", value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def activation_deadline(preauthorized_on: date) -> date:
    """The last day an order preauthorized on ``preauthorized_on`` can be activated.

    Two calendar months later; the end of the month when that day does not exist.

    >>> activation_deadline(date(2024, 12, 31))
    datetime.date(2025, 2, 28)
    """
    month = preauthorized_on.month - 1 + ACTIVATION_MONTHS
    year, month = preauthorized_on.year + month // 12, month % 12 + 1
    for day in range(preauthorized_on.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, preauthorized_on.day)


# -- models -------------------------------------------------------------------------------------


def _bp_reference(value: object) -> object:
    if isinstance(value, str):
        try:
            return billpay_reference.format(billpay_reference.validate(value))
        except InvalidReferenceError:
            return value
    return value


@attrs.frozen
class BillPayBankAccount:
    """The account the buyer pays BillPay's invoice to, from ``invoice_bank_account``.

    Attributes:
        account_holder: the holder (BillPay or its bank).
        iban: the IBAN (BillPay's ``account_number``).
        bic: the BIC (BillPay's ``bank_code``).
        bank_name: the bank's name.
        reference: what the buyer must put on the transfer, ``BP<order>/<merchant id>``.
        due_on: when the buyer must pay, once the order is activated.
    """

    account_holder: str
    iban: str
    bic: str
    bank_name: str
    reference: str = attrs.field(converter=_bp_reference)
    due_on: date | None = None

    def instructions(self) -> dict[str, str]:
        """What to print on the invoice, as :attr:`Payment.instructions` keys."""
        shown = {
            "account_holder": self.account_holder,
            "iban": self.iban,
            "bic": self.bic,
            "bank_name": self.bank_name,
            "reference": self.reference,
        }
        if self.due_on is not None:
            shown["due_date"] = self.due_on.isoformat()
        return {key: value for key, value in shown.items() if value}


@attrs.frozen
class BillPayInstalment:
    """One instalment of a hire-purchase plan (``instl_list/instl``).

    Attributes:
        due_on: the date it is due.
        kind: BillPay's type: ``immediate``, ``first``, ``date`` or ``fee``.
        amount: the amount.
    """

    due_on: date | None
    kind: str
    amount: Money


@attrs.frozen
class BillPayAnswer:
    """A successful BillPay answer, decoded.

    Attributes:
        bptid: BillPay's transaction id (preauthorize only).
        status: ``APPROVED`` (preauthorize only).
        bank_account: the account and reference the buyer pays to, if sent.
        activation_performed: whether the order is activated (invoiceCreated, bank data).
        corrected_address: the address BillPay corrected, by attribute name.
        instalments: a hire-purchase plan's instalments.
        plan: a hire-purchase plan's calculation (``duration``, ``fee_total``, ...).
        customer_message: the text for the buyer.
        merchant_message: the text for the merchant.
    """

    bptid: str | None = None
    status: str = ""
    bank_account: BillPayBankAccount | None = None
    activation_performed: bool = False
    corrected_address: Mapping[str, str] = attrs.field(factory=dict)
    instalments: tuple[BillPayInstalment, ...] = ()
    plan: Mapping[str, str] = attrs.field(factory=dict)
    customer_message: str = ""
    merchant_message: str = ""


def _unreadable(what: str, status_code: int | None = None) -> ProviderError:
    return ProviderError(
        f"BillPay answered with {what}", provider="billpay", status_code=status_code
    )


def _error(root: ET.Element, status_code: int) -> ProviderError:
    code = root.get("error_code", "")
    status = root.get("status", "")
    merchant = root.get("merchant_message") or ""
    customer = root.get("customer_message") or ""
    message = merchant or customer or ERROR_CODES.get(code) or f"BillPay refused (code {code})"
    if customer and customer != message:
        message = f"{message} (buyer is told: {customer})"
    kind: type[ProviderError] = InvalidRequestError
    if status == "DENIED":
        kind = PaymentDeclinedError
    elif code == AUTHENTICATION_FAILED:
        kind = AuthenticationError
    return kind(
        message,
        provider="billpay",
        code=code,
        request_id=root.get("bptid"),
        status_code=status_code,
    )


def _money_units(text: str | None, currency: str) -> Money:
    return read_minor_units(text or "", currency, "billpay", field="amount")


def parse_answer(content: bytes, status_code: int = 200, *, currency: str = "EUR") -> BillPayAnswer:
    """Decode a BillPay answer (parsed with defusedxml) and raise its failure.

    Args:
        content: the answer's body.
        status_code: its HTTP status, for errors.
        currency: the currency of the order, for hire-purchase amounts.

    Returns:
        The decoded answer, when ``error_code`` is ``0``.

    Raises:
        PaymentDeclinedError: ``status="DENIED"``; ``code`` is BillPay's.
        AuthenticationError: BillPay refused the credentials.
        InvalidRequestError: any other failure code.
        ProviderError: the body is not a BillPay answer.

    >>> parse_answer(b'<data error_code="0" status="APPROVED" bptid="1-2"/>').status
    'APPROVED'
    >>> parse_answer(b'<data error_code="12345" status="DENIED" merchant_message="No."/>')
    Traceback (most recent call last):
    ...
    payportal.exceptions.PaymentDeclinedError: billpay: No. code=12345 status=200
    """
    try:
        root: ET.Element = defusedxml.ElementTree.fromstring(content)
    except (ET.ParseError, defusedxml.DefusedXmlException, LookupError, ValueError) as error:
        raise _unreadable("a body that is not well-formed XML", status_code) from error
    if root.tag != "data" or root.get("error_code") is None:
        raise _unreadable(f"<{root.tag}> without an error_code", status_code)
    if root.get("error_code", "").strip() != "0":
        raise _error(root, status_code)
    bank = None
    activated = False
    account = root.find("invoice_bank_account")
    if account is not None:
        bank = BillPayBankAccount(
            account_holder=account.get("account_holder", ""),
            iban=account.get("account_number", ""),
            bic=account.get("bank_code", ""),
            bank_name=account.get("bank_name", ""),
            reference=account.get("invoice_reference", ""),
            due_on=parse_date(account.get("invoice_duedate")),
        )
        activated = account.get("activation_performed") == "1"
    corrected = root.find("corrected_address")
    plan = root.find("hire_purchase/instl_plan")
    instalments: list[BillPayInstalment] = []
    calculation: dict[str, str] = {}
    if plan is not None:
        calculation = {item.tag: (item.text or "").strip() for item in plan.findall("calc/*")}
        calculation["num_inst"] = plan.get("num_inst", "")
        instalments = [
            BillPayInstalment(
                parse_date(item.get("date")),
                item.get("type", ""),
                _money_units(item.text, currency),
            )
            for item in plan.findall("instl_list/instl")
        ]
    return BillPayAnswer(
        bptid=root.get("bptid") or None,
        status=root.get("status", ""),
        bank_account=bank,
        activation_performed=activated,
        corrected_address=dict(corrected.attrib) if corrected is not None else {},
        instalments=tuple(instalments),
        plan=calculation,
        customer_message=root.get("customer_message", ""),
        merchant_message=root.get("merchant_message", ""),
    )


@attrs.frozen
class BillPayOrder:
    """What the client knows of one BillPay order (BillPay's API cannot report amounts).

    Attributes:
        reference: the merchant's order reference, BillPay's key and the payment id.
        amount: the amount preauthorized.
        net: the net amount preauthorized.
        total: the cart's gross total now (reduced by partial captures and refunds).
        captured: the amount activated.
        refunded: the amount taken off after activation.
        status: the normalised status.
        raw_status: BillPay's word (``APPROVED``, ``ACTIVATED``, ``CANCELLED``).
        preauthorized_on: the day BillPay approved it.
        bptid: BillPay's transaction id.
        bank_account: the account and reference the buyer pays to, once known.
        refunds: the refunds, oldest first.
    """

    reference: str
    amount: Money
    net: Money
    total: Money
    captured: Money
    refunded: Money
    status: PaymentStatus
    raw_status: str
    preauthorized_on: date = attrs.field(validator=v.a_date)
    bptid: str | None = None
    bank_account: BillPayBankAccount | None = None
    refunds: tuple[Refund, ...] = ()

    @property
    def activation_deadline(self) -> date:
        """The last day to activate (capture) the order before BillPay cancels it."""
        return activation_deadline(self.preauthorized_on)

    def to_payment(self) -> Payment:
        """The order as a :class:`~payportal.providers.Payment`."""
        instructions = self.bank_account.instructions() if self.bank_account else {}
        if self.status is PaymentStatus.AUTHORIZED:
            instructions["activation_deadline"] = self.activation_deadline.isoformat()
        return Payment(
            id=self.reference,
            provider="billpay",
            status=self.status,
            raw_status=self.raw_status,
            amount=self.amount,
            captured=self.captured,
            refunded=self.refunded,
            reference=self.reference,
            instructions=instructions,
            refunds=self.refunds,
        )


# -- XML building --------------------------------------------------------------------------------


def _units(money: Money) -> str:
    return str(money.minor_units)


def _country(value: str) -> str:
    text = value.strip().upper()
    return _ALPHA3.get(text, text)


def _birthday(value: str) -> str:
    return value.replace("-", "") if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else value


def _customer(request: PaymentRequest) -> tuple[dict[str, str], dict[str, str]]:
    details = {"customertype": "g", "customerGroup": "p"}
    if request.customer_email:
        details["email"] = request.customer_email
    company = {}
    for key, value in request.metadata.items():
        if key in BUYER_FIELDS:
            details[key] = value
        elif key.startswith(_COMPANY_PREFIX):
            company[key.removeprefix(_COMPANY_PREFIX)] = value
    if "country" in details:
        details["country"] = _country(details["country"])
    if "birthday" in details:
        details["birthday"] = _birthday(details["birthday"])
    return details, company


def _net(request: PaymentRequest) -> Money:
    text = request.metadata.get("net")
    if text is None:
        return request.amount
    try:
        net = Money(text, request.amount.currency)
    except (ValueError, ArithmeticError) as error:
        raise ValidationError(
            "must be a decimal amount", field="metadata.net", value=text
        ) from error
    if net.amount <= 0 or net > request.amount:
        raise ValidationError(
            "must be more than zero and not more than the gross amount",
            field="metadata.net",
            value=text,
        )
    return net


def _share(part: Money, whole: Money, of: Money) -> Money:
    """``of`` scaled by ``part / whole``, in minor units (the net of a gross reduction)."""
    if not whole.minor_units:
        return Money.zero(of.currency)
    units = (part.minor_units * of.minor_units * 2 + whole.minor_units) // (whole.minor_units * 2)
    return Money.from_minor(units, of.currency)


def _answer_from(found: BillPayAnswer, **attributes: str) -> bytes:
    """A success answer standing for a call whose own answer was lost, from the bank data
    read back (see :func:`~payportal.providers.confirm_before_resend`)."""
    answer = ET.Element("data", {"error_code": "0", **attributes})
    account = found.bank_account
    if account is not None:
        ET.SubElement(
            answer,
            "invoice_bank_account",
            account_holder=account.account_holder,
            account_number=account.iban,
            bank_code=account.bic,
            bank_name=account.bank_name,
            invoice_reference=account.reference,
            invoice_duedate=account.due_on.strftime("%Y%m%d") if account.due_on else "",
            activation_performed="1" if found.activation_performed else "0",
        )
    content: bytes = ET.tostring(answer)
    return content


# -- the wire ------------------------------------------------------------------------------------


class BillPayWire(Wire):
    """BillPay's XML wire format, free of I/O; run it with :class:`BillPay`/:class:`AsyncBillPay`.

    Args:
        merchant_id: BillPay's merchant id (``mid``).
        portal_id: the portal id (``pid``).
        security_key: the portal's security key; only its MD5 is sent, and neither is ever
            shown in ``repr``, logs or errors.
        environment: ``"test"`` or ``"live"``; picks the base URL.
        base_url: overrides the environment's base URL (a fake server on loopback).
        delay_days: ``delayindays`` of the activation: days added before the due date runs.
        orders: where the orders are kept, by reference; a dict by default.
        today: the current date, for the activation deadline.

    Raises:
        ValidationError: an id is not numeric, or an argument is out of range.
    """

    name = "billpay"
    capabilities = Capabilities(
        capture=True,
        partial_capture=True,
        refund=True,
        partial_refund=True,
        multiple_refunds=True,
        void=True,
        invoice_purchase=True,
    )

    def __init__(
        self,
        merchant_id: str,
        portal_id: str,
        security_key: str,
        *,
        environment: str = "test",
        base_url: str | None = None,
        delay_days: int = 0,
        orders: MutableMapping[str, BillPayOrder] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        for field, value in (("merchant_id", merchant_id), ("portal_id", portal_id)):
            if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,10}", value):
                raise ValidationError("must be BillPay's numeric id", field=field, value=value)
        if not isinstance(security_key, str) or not security_key:
            raise ValidationError("must be given", field="security_key", value="(hidden)")
        urls = {"test": TEST_URL, "live": LIVE_URL}
        if environment not in urls:
            raise ValidationError(
                "must be 'test' or 'live'", field="environment", value=environment
            )
        if not isinstance(delay_days, int) or not 0 <= delay_days <= 365:
            raise ValidationError("must be 0 to 365 days", field="delay_days", value=delay_days)
        self.merchant_id = merchant_id
        self.portal_id = portal_id
        self._bpsecure = bpsecure(security_key)
        self.environment = environment
        self.base_url = (base_url or urls[environment]).rstrip("/")
        self.delay_days = delay_days
        self.orders: MutableMapping[str, BillPayOrder] = {} if orders is None else orders
        self._today = today

    def __repr__(self) -> str:
        return (
            f"BillPayWire(environment={self.environment!r}, merchant_id={self.merchant_id!r}, "
            f"portal_id={self.portal_id!r})"
        )

    # -- requests ------------------------------------------------------------------------

    def _document(self, **attributes: str) -> ET.Element:
        root = ET.Element("data", {"api_version": API_VERSION, **attributes})
        ET.SubElement(
            root,
            "default_params",
            {"mid": self.merchant_id, "pid": self.portal_id, "bpsecure": self._bpsecure},
        )
        return root

    def _request(self, operation: str, root: ET.Element) -> httpx.Request:
        return httpx.Request(
            "POST",
            f"{self.base_url}/{operation}",
            headers={
                "Content-Type": "application/xml; charset=utf-8",
                "Accept": "application/xml",
            },
            content=ET.tostring(root, encoding="utf-8", xml_declaration=True),
        )

    def _read(self, response: httpx.Response, currency: str = "EUR") -> BillPayAnswer:
        if not response.is_success:
            raise error_for_status(response.status_code)(
                f"BillPay answered HTTP {response.status_code}",
                provider=self.name,
                status_code=response.status_code,
            )
        return parse_answer(response.content, response.status_code, currency=currency)

    def _cart(self, root: ET.Element, order: BillPayOrder, total: Money, label: str) -> None:
        """The one-article cart: the order, less a rebate for everything taken off since."""
        rebate = order.amount - total
        rebate_net = _share(rebate, order.amount, order.net)
        articles = ET.SubElement(root, "article_data")
        ET.SubElement(
            articles,
            "article",
            articleid="1",
            articlequantity="1",
            articlename=order.reference,
            articledescription=label[:255],
            articleprice=_units(order.net),
            articlepricegross=_units(order.amount),
        )
        ET.SubElement(
            root,
            "total",
            shippingname="",
            shippingprice="0",
            shippingpricegross="0",
            rebate=_units(rebate_net),
            rebategross=_units(rebate),
            carttotalprice=_units(order.net - rebate_net),
            carttotalpricegross=_units(total),
            currency=total.currency,
            reference=order.reference,
        )

    def _bank_data(
        self, reference: str
    ) -> Generator[httpx.Request, httpx.Response, BillPayAnswer | ProviderError]:
        """``getBillPayBankData``: the answer, or the ProviderError BillPay answered with."""
        root = self._document()
        ET.SubElement(root, "order_params", reference=reference)
        response = yield self._request("getBillPayBankData", root)
        try:
            return self._read(response)
        except ProviderError as error:
            return error

    def _confirmed(
        self, reference: str, done: Callable[[BillPayAnswer | ProviderError], bytes | None]
    ) -> Callable[[], Operation[httpx.Response | None]]:
        """A read-back for :func:`confirm_before_resend`: ``done`` maps BillPay's bank data
        (or its error) to the answer the lost call would have given, or ``None``."""

        def check() -> Operation[httpx.Response | None]:
            found = yield from self._bank_data(reference)
            body = done(found)
            return None if body is None else httpx.Response(200, content=body)

        return check

    # -- the ledger ----------------------------------------------------------------------

    def _order(self, payment_id: str) -> BillPayOrder:
        if not isinstance(payment_id, str) or not _REFERENCE.fullmatch(payment_id):
            raise InvalidRequestError(
                f"{payment_id!r} is not a BillPay order reference",
                provider=self.name,
                code=UNKNOWN_ORDER,
            )
        order = self.orders.get(payment_id)
        if order is None:
            raise InvalidRequestError(
                f"no BillPay order {payment_id!r} was preauthorized through this client",
                provider=self.name,
                code=UNKNOWN_ORDER,
            )
        return order

    def _keep(self, order: BillPayOrder) -> Payment:
        self.orders[order.reference] = order
        return order.to_payment()

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``preauthorize`` an invoice purchase of one article (the reference).

        Raises:
            PaymentDeclinedError: BillPay denied the buyer (``status="DENIED"``).
            InvalidRequestError: the reference is not usable or is in use by a live order
                (code ``44``), or BillPay refused the request.
            ValidationError: ``metadata["net"]`` is not an amount up to the gross.
        """
        reference = request.reference
        if not _REFERENCE.fullmatch(reference):
            raise InvalidRequestError(
                f"{reference!r} cannot be a BillPay order reference: use up to 40 letters, "
                "digits and . _ / -",
                provider=self.name,
                code=INVALID_REQUEST,
            )
        if reference in self.orders:
            raise InvalidRequestError(
                f"order {reference!r} was preauthorized already: use a new order reference",
                provider=self.name,
                code=DUPLICATE_REFERENCE,
            )
        gross = request.amount
        zero = Money.zero(gross.currency)
        order = BillPayOrder(
            reference=reference,
            amount=gross,
            net=_net(request),
            total=gross,
            captured=zero,
            refunded=zero,
            status=PaymentStatus.AUTHORIZED,
            raw_status="APPROVED",
            preauthorized_on=self._today(),
        )
        root = self._document(
            tcaccepted="1",
            expecteddaystillshipping="0",
            capturerequestnecessary="0",
            paymenttype=PAYMENT_TYPE_INVOICE,
        )
        details, company = _customer(request)
        ET.SubElement(root, "customer_details", details)
        ET.SubElement(root, "shipping_details", useBillingAddress="1")
        if company:
            ET.SubElement(root, "company_details", company)
        self._cart(root, order, gross, request.description or reference)

        def approved(found: BillPayAnswer | ProviderError) -> bytes | None:
            if isinstance(found, BillPayAnswer):
                return _answer_from(found, status="APPROVED")
            return None

        preauthorize = confirm_before_resend(
            self._request("preauthorize", root), self._confirmed(reference, approved)
        )
        answer = self._read((yield preauthorize), gross.currency)
        if answer.status and answer.status != "APPROVED":
            raise PaymentDeclinedError(
                f"BillPay did not approve the order ({answer.status})",
                provider=self.name,
                code=answer.status,
                request_id=answer.bptid,
            )
        return self._keep(attrs.evolve(order, bptid=answer.bptid, bank_account=answer.bank_account))

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: the kept order, refreshed with ``getBillPayBankData``.

        Raises:
            InvalidRequestError: no such order was preauthorized through this client's
                ``orders`` (code ``40``), or BillPay refused the read.
        """
        order = self._order(payment_id)
        found = yield from self._bank_data(order.reference)
        if isinstance(found, InvalidRequestError) and found.code == ORDER_CANCELLED:
            if order.status is PaymentStatus.AUTHORIZED:
                expired = self._today() > order.activation_deadline
                order = attrs.evolve(
                    order,
                    status=PaymentStatus.EXPIRED if expired else PaymentStatus.CANCELLED,
                    raw_status="CANCELLED",
                )
            return self._keep(order)
        if isinstance(found, ProviderError):
            raise found
        assert isinstance(found, BillPayAnswer)
        if found.bank_account is not None:
            order = attrs.evolve(order, bank_account=found.bank_account)
        if found.activation_performed and order.status is PaymentStatus.AUTHORIZED:
            order = attrs.evolve(
                order, status=PaymentStatus.PAID, raw_status="ACTIVATED", captured=order.total
            )
        return self._keep(order)

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: activate the order (``invoiceCreated``), after ``editCartContent``
        when ``amount`` is less than the order.

        Raises:
            InvalidRequestError: the order is not authorized, ``amount`` is not more than
                zero or more than the order, or BillPay refused.
        """
        order = self._order(payment_id)
        if order.status is not PaymentStatus.AUTHORIZED:
            raise InvalidRequestError(
                f"order {order.reference!r} is {order.status.value}, so it cannot be activated",
                provider=self.name,
                code=ALREADY_ACTIVATED if order.captured else ORDER_CANCELLED,
            )
        if amount is not None and amount != order.total:
            if amount.currency != order.total.currency or amount.amount <= 0:
                raise InvalidRequestError(
                    f"cannot activate {amount}: it must be more than zero in "
                    f"{order.total.currency}",
                    provider=self.name,
                    code=AMOUNT_MISMATCH,
                )
            if amount > order.total:
                raise InvalidRequestError(
                    f"cannot activate {amount}: the order is {order.total}",
                    provider=self.name,
                    code=AMOUNT_MISMATCH,
                )
            yield from self._edit_cart(order, amount)
            order = attrs.evolve(order, total=amount)
            self._keep(order)
        root = self._document()
        ET.SubElement(
            root,
            "invoice_params",
            carttotalgross=_units(order.total),
            currency=order.total.currency,
            reference=order.reference,
            delayindays=str(self.delay_days),
        )

        def activated(found: BillPayAnswer | ProviderError) -> bytes | None:
            if isinstance(found, BillPayAnswer) and found.activation_performed:
                return _answer_from(found)
            return None

        request = confirm_before_resend(
            self._request("invoiceCreated", root), self._confirmed(order.reference, activated)
        )
        answer = self._read((yield request), order.total.currency)
        return self._keep(
            attrs.evolve(
                order,
                status=PaymentStatus.PAID,
                raw_status="ACTIVATED",
                captured=order.total,
                bank_account=answer.bank_account or order.bank_account,
            )
        )

    def _edit_cart(
        self, order: BillPayOrder, total: Money
    ) -> Generator[httpx.Request, httpx.Response, BillPayAnswer]:
        # The whole new cart is sent, so a resend after a lost answer sets the same total.
        root = self._document()
        self._cart(root, order, total, order.reference)
        return self._read((yield self._request("editCartContent", root)), total.currency)

    def _cancel(
        self, order: BillPayOrder
    ) -> Generator[httpx.Request, httpx.Response, BillPayAnswer]:
        root = self._document()
        ET.SubElement(
            root,
            "cancel_params",
            carttotalgross=_units(order.total),
            currency=order.total.currency,
            reference=order.reference,
        )

        def cancelled(found: BillPayAnswer | ProviderError) -> bytes | None:
            if isinstance(found, InvalidRequestError) and found.code == ORDER_CANCELLED:
                return b'<data error_code="0"/>'
            return None

        request = confirm_before_resend(
            self._request("cancel", root), self._confirmed(order.reference, cancelled)
        )
        return self._read((yield request), order.total.currency)

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``cancel`` an order that is not activated.

        Raises:
            InvalidRequestError: the order is activated (refund it instead) or cancelled.
        """
        order = self._order(payment_id)
        if order.status is not PaymentStatus.AUTHORIZED:
            raise InvalidRequestError(
                f"order {order.reference!r} is {order.status.value}: only an order that is not "
                "activated can be cancelled; refund an activated one",
                provider=self.name,
                code=ALREADY_ACTIVATED if order.captured else ORDER_CANCELLED,
            )
        yield from self._cancel(order)
        return self._keep(
            attrs.evolve(order, status=PaymentStatus.CANCELLED, raw_status="CANCELLED")
        )

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: take ``amount`` (default: all that is left) off an activated order.

        A partial refund sends the reduced cart (``editCartContent``); refunding what is left
        cancels the order. The buyer then owes BillPay that much less. ``reason`` is not sent
        (BillPay has no field for it).

        Raises:
            InvalidRequestError: the order is not activated, or the amount is not more than
                zero or more than is left.
        """
        order = self._order(payment_id)
        if order.status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            raise InvalidRequestError(
                f"order {order.reference!r} is {order.status.value}; only an activated order "
                "can be refunded",
                provider=self.name,
                code=ORDER_CANCELLED if order.status.is_final else INVALID_REQUEST,
            )
        wanted = refund_amount(order.to_payment(), amount, self.name)
        left = order.total - wanted
        if left.amount > 0:
            yield from self._edit_cart(order, left)
            word = "editCartContent"
        else:
            yield from self._cancel(order)
            word = "cancel"
        refunded = order.refunded + wanted
        refund = Refund(
            id=f"{order.reference}/{len(order.refunds) + 1}", amount=wanted, raw_status=word
        )
        full = refunded >= order.captured
        return self._keep(
            attrs.evolve(
                order,
                total=left,
                refunded=refunded,
                status=PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
                raw_status="CANCELLED" if full else "ACTIVATED",
                refunds=(*order.refunds, refund),
            )
        )


class BillPayOptions(TypedDict, total=False):
    """The BillPay-specific keyword arguments of :class:`BillPay` and :class:`AsyncBillPay`."""

    environment: str
    base_url: str
    delay_days: int
    orders: MutableMapping[str, BillPayOrder]
    today: Callable[[], date]


class _SyncOptions(BillPayOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(BillPayOptions, AsyncHTTPOptions, total=False):
    pass


class BillPay(HTTPProvider):
    """BillPay invoice purchase, synchronous.

    Takes the arguments of :class:`BillPayWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> BillPay("4441", "6021", "12345678", environment="live")
    BillPay(BillPayWire(environment='live', merchant_id='4441', portal_id='6021'))
    """

    def __init__(
        self, merchant_id: str, portal_id: str, security_key: str, **options: Unpack[_SyncOptions]
    ) -> None:
        wire, http = split_options(options, HTTPOptions)
        self._billpay = BillPayWire(merchant_id, portal_id, security_key, **wire)
        super().__init__(self._billpay, **http)

    @property
    def orders(self) -> MutableMapping[str, BillPayOrder]:
        """The orders this client keeps, by reference."""
        return self._billpay.orders


class AsyncBillPay(AsyncHTTPProvider):
    """BillPay invoice purchase, asynchronous; arguments as :class:`BillPay`."""

    def __init__(
        self, merchant_id: str, portal_id: str, security_key: str, **options: Unpack[_AsyncOptions]
    ) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        self._billpay = BillPayWire(merchant_id, portal_id, security_key, **wire)
        super().__init__(self._billpay, **http)

    @property
    def orders(self) -> MutableMapping[str, BillPayOrder]:
        """The orders this client keeps, by reference."""
        return self._billpay.orders
