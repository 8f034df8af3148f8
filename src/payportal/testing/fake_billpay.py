"""A fake BillPay XML API: preauthorize, invoiceCreated, editCartContent, cancel, bank data.

It accepts requests shaped like BillPay's (``POST {base}/<operation>`` with an XML document
``<data api_version="..">`` carrying ``default_params mid/pid/bpsecure``) and answers like
BillPay: HTTP 200 with ``error_code="0"``, or a failure code with ``customer_message`` and
``merchant_message``. It checks the credentials (``bpsecure`` is the MD5 of the security key),
the buyer's mandatory details, that the cart adds up (articles + shipping - rebate = total,
gross exactly, net to a cent per line), that an order is activated, reduced or cancelled with
its current total, and that an order is never activated twice. Orders not activated within
two months are cancelled, as BillPay does, on the fake's clock (``clock=``; its date is the
UTC date). The failure codes are payportal's inferred ones
(:data:`payportal.providers.billpay.ERROR_CODES`).

>>> fake = FakeBillPay()
>>> with fake.serve() as base_url:
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import hmac
import itertools
import re
import secrets
import uuid
import xml.etree.ElementTree as ET  # building only; parsing goes through defusedxml
from datetime import date, timedelta
from typing import Any, cast

import attrs
import defusedxml
import defusedxml.ElementTree
import httpx

from payportal.providers.billpay import (
    ALREADY_ACTIVATED,
    AMOUNT_MISMATCH,
    AUTHENTICATION_FAILED,
    DUPLICATE_REFERENCE,
    INVALID_REQUEST,
    ORDER_CANCELLED,
    UNKNOWN_ORDER,
    activation_deadline,
    bpsecure,
    parse_date,
)
from payportal.references import billpay as billpay_reference
from payportal.testing._server import FakeServer, Record, Refusal, route

__all__ = ["FakeBillPay", "Order", "sample_buyer"]

PAYMENT_TERM_DAYS = 30
_XML = "application/xml; charset=utf-8"
_COUNTRIES = frozenset({"DEU", "AUT", "CHE", "NLD"})
_CURRENCIES = frozenset({"EUR", "CHF"})
_REQUIRED_BUYER = ("firstName", "lastName", "street", "streetNo", "zip", "city", "country", "email")
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_ACCOUNT = {
    "account_holder": "BillPay GmbH",
    "account_number": "DE07312312312312312",
    "bank_code": "BELADEBEXXX",
    "bank_name": "Sparkasse Berlin",
}


def sample_buyer(**changes: str) -> dict[str, str]:
    """``PaymentRequest.metadata`` for a private buyer the fake approves; ``changes`` override."""
    return {
        "salutation": "Herr",
        "firstName": "Max",
        "lastName": "Muster",
        "street": "Musterweg",
        "streetNo": "1",
        "zip": "12345",
        "city": "Berlin",
        "country": "DE",
        "email": "max@example.org",
        "birthday": "1970-01-01",
        "language": "de",
        **changes,
    }


@attrs.define
class Order(Record):
    """A BillPay order as the fake keeps it, under its ``reference`` (amounts in cents).

    ``status`` moves ``APPROVED`` → ``ACTIVATED`` (:meth:`activate`) or ``CANCELLED``
    (:meth:`cancel`, or :meth:`lapse` once the activation ``deadline`` has passed).
    """

    camel_case = False
    reference: str
    bptid: str
    number: str
    payment_type: str
    currency: str
    gross: int
    net: int
    customer: dict[str, str]
    preauthorized_on: date
    deadline: date
    status: str = "APPROVED"
    due_on: date | None = None

    def activate(self, due_on: date) -> None:
        """The goods shipped: the invoice is due on ``due_on``."""
        self.status, self.due_on = "ACTIVATED", due_on

    def cancel(self) -> None:
        """The merchant cancels the order (or BillPay does, see :meth:`lapse`)."""
        self.status = "CANCELLED"

    def lapse(self, today: date) -> None:
        """Cancel the order if it is still not activated after its deadline."""
        if self.status == "APPROVED" and today > self.deadline:
            self.cancel()


class _NotFound(Refusal):  # no such operation: the web server's 404 page, not an XML answer
    pass


class _Refused(Refusal):  # carries BillPay's failure to the answer
    def __init__(self, code: str, merchant: str, customer: str = "", status: str = "") -> None:
        self.code = code
        self.merchant = merchant
        self.customer = customer
        self.status = status


def _answer(**attributes: str) -> ET.Element:
    return ET.Element("data", {"api_version": "1.5.10", **attributes})


def _respond(root: ET.Element) -> httpx.Response:
    content = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return httpx.Response(200, content=content, headers={"Content-Type": _XML})


def _ok(**attributes: str) -> ET.Element:
    return _answer(customer_message="", error_code="0", merchant_message="", **attributes)


def _integer(element: ET.Element, name: str, *, low: int = 0) -> int:
    text = element.get(name, "")
    if not _INTEGER.fullmatch(text) or int(text) < low:
        raise _Refused(INVALID_REQUEST, f"{element.tag}/@{name} must be a whole number of cents.")
    return int(text)


def _child(root: ET.Element, tag: str) -> ET.Element:
    found = root.find(tag)
    if found is None:
        raise _Refused(INVALID_REQUEST, f"<{tag}> is missing.")
    return found


class FakeBillPay(FakeServer):
    """An in-memory BillPay XML API.

    Its date is :meth:`today`, from the injected ``clock=`` of
    :class:`~payportal.testing.FakeServer` (to test the two-month activation window).

    Attributes:
        merchant_id, portal_id, security_key: the only credentials it accepts.
        orders: the orders by reference (:class:`Order`).
        activations: how many times each reference was activated (never more than once).

    Test-side controls: :meth:`deny_next` and :meth:`inject` from
    :class:`~payportal.testing.FakeServer`.
    """

    provider = "billpay"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.merchant_id = "4441"
        self.portal_id = "6021"
        self.security_key = secrets.token_hex(12)
        self.orders: dict[str, Order] = {}
        self.activations: dict[str, int] = {}
        self._deny = 0
        self._numbers = itertools.count(1000001)

    def __repr__(self) -> str:
        return f"FakeBillPay(orders={len(self.orders)})"

    def deny_next(self, times: int = 1) -> None:
        """BillPay denies the next ``times`` preauthorizations (its risk check says no)."""
        with self._lock:
            self._deny += times

    def today(self) -> date:
        """BillPay's date: the UTC date of :meth:`~payportal.testing.FakeServer.now`."""
        return self.now().date()

    def error_response(self, status: int) -> httpx.Response:
        """BillPay's answer to server errors: a web server's HTML page."""
        return httpx.Response(status, text="<html><body>Service Unavailable</body></html>")

    # -- the HTTP API ----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Route one request by its last path segment, the operation (the base path is the
        merchant's); see the module docstring for what is validated."""
        operation = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        return self.route(request, request, path=f"/{operation}")

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """No such operation (or not a POST): the web server's 404 page."""
        return _NotFound()

    def _read(self, request: httpx.Request) -> ET.Element:
        """The request's ``<data>`` document, its credentials checked."""
        try:
            root: ET.Element = defusedxml.ElementTree.fromstring(request.content)
        except (ET.ParseError, defusedxml.DefusedXmlException) as error:
            raise _Refused(INVALID_REQUEST, f"The request is not valid XML: {error}.") from None
        if root.tag != "data" or not root.get("api_version"):
            raise _Refused(INVALID_REQUEST, "The root element must be <data api_version>.")
        self._authenticate(_child(root, "default_params"))
        return root

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """BillPay's answer document with the error code and both messages."""
        if isinstance(refusal, _NotFound):
            return httpx.Response(404, text="Not Found")
        refused = cast("_Refused", refusal)
        attributes = {
            "customer_message": refused.customer or "Payment by invoice is not possible.",
            "error_code": refused.code,
            "merchant_message": refused.merchant,
        }
        if refused.status:
            attributes["status"] = refused.status
            attributes["bptid"] = str(uuid.uuid4())
        return _respond(_answer(**attributes))

    def _authenticate(self, params: ET.Element) -> None:
        given = (params.get("mid", ""), params.get("pid", ""), params.get("bpsecure", ""))
        expected = (self.merchant_id, self.portal_id, bpsecure(self.security_key))
        if not all(
            hmac.compare_digest(a.encode(), b.encode())
            for a, b in zip(given, expected, strict=True)
        ):
            raise _Refused(
                AUTHENTICATION_FAILED, "Authentication failed: check mid, pid, bpsecure."
            )

    def _order(self, reference: str) -> Order:
        order = self.orders.get(reference)
        if order is None:
            raise _Refused(UNKNOWN_ORDER, f"Unknown order reference {reference!r}.")
        order.lapse(self.today())  # not activated within two months: cancelled
        if order.status == "CANCELLED":
            raise _Refused(ORDER_CANCELLED, f"Order {reference!r} is cancelled.")
        return order

    def _cart(self, root: ET.Element) -> tuple[ET.Element, int, int]:
        total = _child(root, "total")
        articles = root.findall("article_data/article")
        if not articles:
            raise _Refused(INVALID_REQUEST, "<article_data> has no <article>.")
        gross = net = 0
        for article in articles:
            quantity = _integer(article, "articlequantity", low=1)
            gross += quantity * _integer(article, "articlepricegross")
            net += quantity * _integer(article, "articleprice")
        gross += _integer(total, "shippingpricegross") - _integer(total, "rebategross")
        net += _integer(total, "shippingprice") - _integer(total, "rebate")
        cart_gross = _integer(total, "carttotalpricegross", low=1)
        cart_net = _integer(total, "carttotalprice", low=1)
        if cart_gross != gross or abs(cart_net - net) > len(articles) + 1 or cart_net > cart_gross:
            raise _Refused(AMOUNT_MISMATCH, "The cart totals do not match the articles.")
        if total.get("currency") not in _CURRENCIES:
            raise _Refused(INVALID_REQUEST, "total/@currency is not supported.")
        if not total.get("reference"):
            raise _Refused(INVALID_REQUEST, "total/@reference is missing.")
        return total, cart_gross, cart_net

    def _bank_account(self, order: Order, *, activation: bool) -> dict[str, str]:
        account = {
            **_ACCOUNT,
            "invoice_reference": billpay_reference.generate(order.number, self.merchant_id),
        }
        if activation:
            account["invoice_duedate"] = order.due_on.strftime("%Y%m%d") if order.due_on else ""
            account["activation_performed"] = "1" if order.status == "ACTIVATED" else "0"
        return account

    @route("POST", "/preauthorize")
    def _preauthorize(self, request: httpx.Request) -> httpx.Response:
        root = self._read(request)
        if root.get("tcaccepted") != "1":
            raise _Refused(INVALID_REQUEST, "The buyer must accept BillPay's terms (tcaccepted).")
        payment_type = root.get("paymenttype", "")
        if payment_type not in ("1", "2", "3", "4", "7"):
            raise _Refused(INVALID_REQUEST, f"Unknown paymenttype {payment_type!r}.")
        if payment_type in ("2", "3", "4"):
            account = _child(root, "bank_account")
            if not account.get("accountholder") or not account.get("accountnumber"):
                raise _Refused(INVALID_REQUEST, "bank_account needs holder and account number.")
        customer = _child(root, "customer_details")
        for field in _REQUIRED_BUYER:
            if not customer.get(field, "").strip():
                raise _Refused(INVALID_REQUEST, f"customer_details/@{field} is missing.")
        if customer.get("country") not in _COUNTRIES:
            raise _Refused(INVALID_REQUEST, "customer_details/@country must be DEU, AUT, CHE, NLD.")
        group = customer.get("customerGroup", "p")
        if group not in ("p", "b"):
            raise _Refused(INVALID_REQUEST, "customer_details/@customerGroup must be p or b.")
        if group == "p" and parse_date(customer.get("birthday")) is None:
            raise _Refused(INVALID_REQUEST, "customer_details/@birthday must be YYYYMMDD.")
        company = root.find("company_details")
        if group == "b" and (company is None or not company.get("name")):
            raise _Refused(INVALID_REQUEST, "company_details/@name is missing.")
        shipping = _child(root, "shipping_details")
        if shipping.get("useBillingAddress") not in ("0", "1"):
            raise _Refused(INVALID_REQUEST, "shipping_details/@useBillingAddress must be 0 or 1.")
        total, gross, net = self._cart(root)
        reference = total.get("reference", "")
        known = self.orders.get(reference)
        if known is not None and known.status != "CANCELLED":
            raise _Refused(DUPLICATE_REFERENCE, f"Order reference {reference!r} is in use.")
        if self._deny:
            self._deny -= 1
            raise _Refused(
                "12345",
                "The buyer did not pass BillPay's risk check.",
                "Please choose another payment method.",
                status="DENIED",
            )
        today = self.today()
        order = Order(
            reference=reference,
            bptid=str(uuid.uuid4()),
            number=str(next(self._numbers)),
            payment_type=payment_type,
            currency=total.get("currency", ""),
            gross=gross,
            net=net,
            customer=dict(customer.attrib),
            preauthorized_on=today,
            deadline=activation_deadline(today),
        )
        self.orders[reference] = order
        answer = _ok(bptid=order.bptid, status=order.status)
        if payment_type == "1":
            ET.SubElement(
                answer, "invoice_bank_account", self._bank_account(order, activation=False)
            )
        return _respond(answer)

    @route("POST", "/invoiceCreated")
    def _invoice_created(self, request: httpx.Request) -> httpx.Response:
        params = _child(self._read(request), "invoice_params")
        order = self._order(params.get("reference", ""))
        if order.status == "ACTIVATED":
            raise _Refused(ALREADY_ACTIVATED, f"Order {order.reference!r} is activated already.")
        self._same_total(order, params)
        delay = _integer(params, "delayindays")
        order.activate(due_on=self.today() + timedelta(days=delay + PAYMENT_TERM_DAYS))
        self.activations[order.reference] = self.activations.get(order.reference, 0) + 1
        answer = _ok()
        ET.SubElement(answer, "invoice_bank_account", self._bank_account(order, activation=True))
        return _respond(answer)

    def _same_total(self, order: Order, params: ET.Element) -> None:
        if (
            _integer(params, "carttotalgross") != order.gross
            or params.get("currency") != order.currency
        ):
            raise _Refused(AMOUNT_MISMATCH, "carttotalgross/currency differ from the order.")

    @route("POST", "/editCartContent")
    def _edit_cart(self, request: httpx.Request) -> httpx.Response:
        total, gross, net = self._cart(self._read(request))
        order = self._order(total.get("reference", ""))
        if total.get("currency") != order.currency or gross > order.gross:
            raise _Refused(AMOUNT_MISMATCH, "The cart can only be reduced, in its currency.")
        order.gross, order.net = gross, net
        return _respond(_ok())

    @route("POST", "/cancel")
    def _cancel(self, request: httpx.Request) -> httpx.Response:
        params = _child(self._read(request), "cancel_params")
        order = self._order(params.get("reference", ""))
        self._same_total(order, params)
        order.cancel()
        return _respond(_ok())

    @route("POST", "/getBillPayBankData")
    def _bank_data(self, request: httpx.Request) -> httpx.Response:
        order = self._order(_child(self._read(request), "order_params").get("reference", ""))
        answer = _ok()
        ET.SubElement(answer, "invoice_bank_account", self._bank_account(order, activation=True))
        return _respond(answer)
