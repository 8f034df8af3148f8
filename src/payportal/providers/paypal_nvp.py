"""PayPal classic NVP API: Express Checkout, authorization and capture, refunds, IPN.

For merchants who hold classic API credentials (API username, password and signature)
rather than a REST app. One :class:`PayPalNVPWire` holds the whole wire format;
:class:`PayPalNVP` and :class:`AsyncPayPalNVP` run it synchronously and asynchronously.

The flow: ``create_payment`` calls ``SetExpressCheckout`` and returns the payer's redirect URL;
the payment's id is PayPal's Express Checkout token (``EC-...``). After the payer approved,
``capture`` calls ``DoExpressCheckoutPayment`` (action ``Sale``), or, with
``action="Authorization"``, authorizes that way and then captures with ``DoCapture``, in
parts if wanted; ``cancel`` voids the authorization (``DoVoid``); ``refund`` calls
``RefundTransaction`` (``Full`` or ``Partial``) on the captures. ``get_payment`` reads the
checkout (``GetExpressCheckoutDetails``) and its transactions (``TransactionSearch``).
``parse_webhook`` verifies an IPN message by posting it back to PayPal
(``cmd=_notify-validate``), which answers ``VERIFIED`` or ``INVALID``.

Double execution on retries. NVP has no idempotency header, and the drivers resend a request
whose answer was lost. Every mutating call is nevertheless executed once:

* ``SetExpressCheckout`` only creates a token; a resent one leaves an unused token that
  expires after three hours, and nobody can pay it.
* ``DoExpressCheckoutPayment``: PayPal uses the token as its idempotency key; a repeat
  answers ``SuccessWithWarning`` with code 11607 and the first transaction.
* ``DoCapture`` and ``RefundTransaction`` carry ``MSGSUBID``, a key made once per call
  (for a refund spread over several captures, one derived key per capture); a repeat
  answers 11607 and the first result instead of acting again.
* ``DoVoid`` is idempotent by nature: a repeat is refused with 10600 (already voided),
  which the client takes as done.

Sources and inferences. The endpoints, the request and answer fields of the Express
Checkout calls and the error format come from PayPal's NVP API reference (as summarised in
payportal's reference notes) and the answers omnipay-paypal recorded from PayPal;
``MSGSUBID`` and the 11607/11604 codes from PayPal's Express Checkout integration guide
(2012); IPN's post-back from PayPal's IPN documentation. *Inferred*, because no public
sample shows them: that a ``TransactionSearch`` by transaction id lists that transaction with the
transactions that refer to it (an authorization's captures, a capture's refunds), its
``L_TYPE``/``L_STATUS`` words (``Authorization``, ``Payment``, ``Refund``; ``Pending``,
``Completed``, ``Partially Refunded``, ``Refunded``, ``Voided``) and negative refund
amounts; and the exact error codes for refusals not in the samples (10009 refund exceeds
what is left, 10600 already voided, 10602 authorization completed, 10610 capture too
large); and the IPN post-back hosts ``ipnpb.paypal.com``/``ipnpb.sandbox.paypal.com``
(PayPal's dedicated IPN host; older guides post back to ``www.paypal.com``). The client
reads ``PAYMENTREQUEST_0_CUSTOM`` back from IPN's ``custom`` to name the payment a
notification is about; it sets it to the token when paying.

Payment ids. An Express Checkout token lives about three hours at PayPal (error 10411
after that). Every operation therefore also takes the transaction id of the sale or the
authorization (``PAYMENTINFO_0_TRANSACTIONID``, the ``txn_id`` of the payment's first IPN
message) in place of the token; keep it for refunds days later. Looked up that way, a payment
carries no ``reference`` (search rows do not hold the invoice number).

Credentials. The API password and signature travel in the request body, because NVP wants
them there; they never appear in ``repr``, logs or errors.

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest
>>> from payportal.testing.fake_paypal_nvp import FakePayPalNVP
>>> fake = FakePayPalNVP()
>>> paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
>>> payment = paypal.create_payment(PaymentRequest(
...     amount=Money("10.00", "EUR"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel"))
>>> payment.redirect_url.startswith("https://www.sandbox.paypal.com/cgi-bin/webscr?")
True
>>> fake.approve(payment.id)                   # the payer approves at PayPal
>>> paypal.capture(payment.id).status
<PaymentStatus.PAID: 'paid'>
"""

from __future__ import annotations

import itertools
import urllib.parse
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import attrs
import httpx

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers._core import (
    AsyncHTTPOptions,
    AsyncHTTPProvider,
    HTTPOptions,
    HTTPProvider,
    Operation,
    Wire,
    decimal_text,
    error_for_status,
    read_money,
    refund_amount,
    split_options,
)
from payportal.providers._models import (
    Capabilities,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Refund,
    WebhookEvent,
)
from payportal.providers.paypal import WHOLE_UNIT_CURRENCIES

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping

__all__ = [
    "API_VERSION",
    "ENDPOINTS",
    "AsyncPayPalNVP",
    "PayPalNVP",
    "PayPalNVPOptions",
    "PayPalNVPWire",
    "decode_nvp",
    "encode_nvp",
    "format_nvp_amount",
    "nvp_error",
]

API_VERSION = "119.0"
"""The NVP API version the client speaks (as omnipay-paypal does)."""


@attrs.frozen
class _Endpoints:
    api: str
    checkout: str
    ipn: str


ENDPOINTS = {
    "sandbox": _Endpoints(
        api="https://api-3t.sandbox.paypal.com/nvp",
        checkout="https://www.sandbox.paypal.com/cgi-bin/webscr",
        ipn="https://ipnpb.sandbox.paypal.com/cgi-bin/webscr",
    ),
    "live": _Endpoints(
        api="https://api-3t.paypal.com/nvp",
        checkout="https://www.paypal.com/cgi-bin/webscr",
        ipn="https://ipnpb.paypal.com/cgi-bin/webscr",
    ),
}
"""The NVP endpoint (signature credentials), the payer's checkout page and the IPN
post-back URL, per environment."""

_SUCCESS = frozenset({"Success", "SuccessWithWarning"})
# TransactionSearch needs a STARTDATE, though a TRANSACTIONID filter overrides it.
_SEARCH_SINCE = "2000-01-01T00:00:00Z"
_AUTHENTICATION = frozenset({"10002", "10007", "10008"})
_DECLINED = frozenset({"10417", "10422", "10486", "10544"})
_UNAVAILABLE = frozenset({"10001", "11604"})
_ALREADY_VOIDED = "10600"
_LIVE_CAPTURES = frozenset({"Completed", "Pending", "Partially Refunded", "Refunded"})
_REFUNDABLE = frozenset({"Completed", "Partially Refunded"})
_LIVE_REFUNDS = frozenset({"Completed", "Pending"})
_AUTHORIZATION_STATUS = {
    "Pending": PaymentStatus.AUTHORIZED,
    "Voided": PaymentStatus.CANCELLED,
    "Expired": PaymentStatus.EXPIRED,
    "Denied": PaymentStatus.FAILED,
    "Failed": PaymentStatus.FAILED,
}
_CHECKOUT_STATUS = {
    "PaymentActionNotInitiated": PaymentStatus.CREATED,
    "PaymentActionInProgress": PaymentStatus.PENDING,
    "PaymentActionFailed": PaymentStatus.FAILED,
    "PaymentCompleted": PaymentStatus.PAID,
    "PaymentActionCompleted": PaymentStatus.PAID,
}
# IPN payment_status words. A refund's notice does not say whether it was partial, so it
# announces no status: get_payment tells.
_IPN_STATUS = {
    "Completed": PaymentStatus.PAID,
    "Pending": PaymentStatus.PENDING,
    "Voided": PaymentStatus.CANCELLED,
    "Expired": PaymentStatus.EXPIRED,
    "Denied": PaymentStatus.FAILED,
    "Failed": PaymentStatus.FAILED,
}


def encode_nvp(fields: Mapping[str, str]) -> bytes:
    """A request body: the fields form-encoded, in the given order.

    >>> encode_nvp({"METHOD": "DoVoid", "NOTE": "a & b"})
    b'METHOD=DoVoid&NOTE=a+%26+b'
    """
    return urllib.parse.urlencode(fields).encode()


def decode_nvp(content: bytes, provider: str = "paypal_nvp") -> dict[str, str]:
    """Decode an NVP answer (or an IPN message) into its fields.

    PayPal escapes more than it must (``%2d`` for ``-``, ``%2e`` for ``.``); a standard
    decoder undoes that.

    >>> decode_nvp(b"TOKEN=EC%2d42721413K79637829&ACK=Success&VERSION=85%2e0")
    {'TOKEN': 'EC-42721413K79637829', 'ACK': 'Success', 'VERSION': '85.0'}

    Raises:
        ProviderError: the body is not a form-encoded answer (an HTML error page).
    """
    try:
        text = content.decode()
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        pairs = []
    if not pairs:
        raise ProviderError("PayPal answered with a body that is not NVP", provider=provider)
    return dict(pairs)


def format_nvp_amount(money: Money) -> str:
    """An NVP amount: a dot and exactly the currency's decimals, none for HUF, JPY, TWD.

    >>> format_nvp_amount(Money("5", "EUR")), format_nvp_amount(Money("1500.00", "HUF"))
    ('5.00', '1500')

    Raises:
        InvalidRequestError: a fraction in one of PayPal's whole-unit currencies.
    """
    return decimal_text(money, "paypal_nvp", whole_units=WHOLE_UNIT_CURRENCIES, code="10431")


def _money(fields: Mapping[str, str], amount: str, currency: str) -> Money:
    money = read_money(fields.get(amount), fields.get(currency), "paypal_nvp", field=amount)
    return abs(money)


def nvp_error(fields: Mapping[str, str], provider: str = "paypal_nvp") -> ProviderError:
    """The :class:`~payportal.exceptions.ProviderError` for a refused NVP call.

    The first ``L_ERRORCODEn`` picks the class (credentials, decline, outage, else an
    invalid request); the messages of every error are joined; the request id is PayPal's
    ``CORRELATIONID``.
    """
    messages = []
    for n in itertools.count():
        if f"L_ERRORCODE{n}" not in fields:
            break
        message = fields.get(f"L_LONGMESSAGE{n}") or fields.get(f"L_SHORTMESSAGE{n}") or ""
        messages.append(message.strip())
    code = fields.get("L_ERRORCODE0")
    kind: type[ProviderError] = InvalidRequestError
    if code in _AUTHENTICATION:
        kind = AuthenticationError
    elif code in _DECLINED:
        kind = PaymentDeclinedError
    elif code in _UNAVAILABLE:
        kind = ProviderUnavailableError
    return kind(
        " ".join(m for m in messages if m) or f"PayPal answered ACK={fields.get('ACK')}",
        provider=provider,
        code=code,
        request_id=fields.get("CORRELATIONID"),
        status_code=200,
    )


@attrs.frozen
class _Transaction:
    """One row of a TransactionSearch answer."""

    id: str
    type: str
    status: str
    amount: Money


@attrs.frozen
class _Capture:
    transaction: _Transaction
    refunds: tuple[_Transaction, ...]

    @property
    def refunded(self) -> Money:
        live = (r.amount for r in self.refunds if r.status in _LIVE_REFUNDS)
        return sum(live, Money.zero(self.transaction.amount.currency))


@attrs.frozen
class _Checkout:
    """What PayPal knows about one Express Checkout: the checkout and its transactions."""

    token: str
    amount: Money
    reference: str | None
    checkout_status: str
    payer_id: str | None
    redirect_url: str
    authorization: _Transaction | None = None
    captures: tuple[_Capture, ...] = ()

    @property
    def captured(self) -> Money:
        live = (
            c.transaction.amount for c in self.captures if c.transaction.status in _LIVE_CAPTURES
        )
        return sum(live, Money.zero(self.amount.currency))

    def payment(self, provider: str) -> Payment:
        zero = Money.zero(self.amount.currency)
        captured = self.captured
        refunds = [
            r
            for c in self.captures
            if c.transaction.status in _LIVE_CAPTURES
            for r in c.refunds
            if r.status in _LIVE_REFUNDS
        ]
        refunded = sum((r.amount for r in refunds), zero)
        detail = ""
        if self.captures:
            detail = self.captures[-1].transaction.status
            if not captured:
                status = PaymentStatus.FAILED
            elif refunded and refunded >= captured:
                status = PaymentStatus.REFUNDED
            elif refunded:
                status = PaymentStatus.PARTIALLY_REFUNDED
            elif any(c.transaction.status == "Pending" for c in self.captures):
                status = PaymentStatus.PENDING
            else:
                status = PaymentStatus.PAID
        elif self.authorization is not None:
            detail = self.authorization.status
            status = _AUTHORIZATION_STATUS.get(detail, PaymentStatus.PENDING)
        else:
            status = _CHECKOUT_STATUS.get(self.checkout_status, PaymentStatus.PENDING)
            if status is PaymentStatus.CREATED and self.payer_id:
                status = PaymentStatus.AUTHORIZED  # the payer approved; nothing is held yet
        return Payment(
            id=self.token,
            provider=provider,
            status=status,
            raw_status=f"{self.checkout_status}/{detail}" if detail else self.checkout_status,
            amount=self.amount,
            captured=captured,
            refunded=refunded,
            reference=self.reference,
            redirect_url=self.redirect_url if status is PaymentStatus.CREATED else None,
            refunds=[Refund(id=r.id, amount=r.amount, raw_status=r.status) for r in refunds],
        )


def _transactions(fields: Mapping[str, str]) -> list[_Transaction]:
    rows = []
    for n in itertools.count():
        transaction_id = fields.get(f"L_TRANSACTIONID{n}")
        if transaction_id is None:
            break
        rows.append(
            _Transaction(
                id=transaction_id,
                type=fields.get(f"L_TYPE{n}", ""),
                status=fields.get(f"L_STATUS{n}", ""),
                amount=_money(fields, f"L_AMT{n}", f"L_CURRENCYCODE{n}"),
            )
        )
    return rows


def _authorization_status(checkout: _Checkout) -> str:
    """The authorization's status word, or ``""`` when there is none."""
    return checkout.authorization.status if checkout.authorization is not None else ""


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="paypal_nvp", code="ipn_verification")


class PayPalNVPWire(Wire):
    """PayPal NVP's wire format, free of I/O; run it with :class:`PayPalNVP`.

    Args:
        username: the API username (``merchant_api1.example.org``).
        password: the API password; never shown in ``repr``, logs or errors.
        signature: the API signature; never shown either.
        environment: ``"sandbox"`` or ``"live"``; picks the endpoints.
        base_url: sends API calls to ``{base_url}/nvp`` and IPN post-backs to
            ``{base_url}/cgi-bin/webscr`` instead (a fake server on loopback, a proxy).
        action: ``"Sale"`` (capture the whole payment once) or ``"Authorization"``
            (authorize, then capture in parts or void).
        subject: the e-mail of the PayPal account to act for (``SUBJECT``), if not your own.
        button_source: a partner's BN code (``BUTTONSOURCE``).
        notify_url: where PayPal posts IPN messages for these payments
            (``PAYMENTREQUEST_0_NOTIFYURL``); by default the account's IPN setting.
        receiver_email: refuse IPN messages whose ``receiver_email`` is not this one: a
            genuine notification for another merchant is not about your payments.
        version: the NVP API ``VERSION``.

    Raises:
        ValidationError: an argument is missing or out of range.
    """

    name = "paypal_nvp"

    def __init__(
        self,
        username: str,
        password: str,
        signature: str,
        *,
        environment: Literal["sandbox", "live"] = "sandbox",
        base_url: str | None = None,
        action: Literal["Sale", "Authorization"] = "Sale",
        subject: str | None = None,
        button_source: str | None = None,
        notify_url: str | None = None,
        receiver_email: str | None = None,
        version: str = API_VERSION,
    ) -> None:
        if not username or not password or not signature:
            raise ValidationError(
                "must all be given", field="username/password/signature", value="(hidden)"
            )
        if environment not in ENDPOINTS:
            raise ValidationError(
                "must be 'sandbox' or 'live'", field="environment", value=environment
            )
        if action not in ("Sale", "Authorization"):
            raise ValidationError("must be 'Sale' or 'Authorization'", field="action", value=action)
        endpoints = ENDPOINTS[environment]
        if base_url is not None:
            root = base_url.rstrip("/")
            endpoints = attrs.evolve(endpoints, api=f"{root}/nvp", ipn=f"{root}/cgi-bin/webscr")
        self.environment = environment
        self.endpoints = endpoints
        self.action = action
        self.notify_url = notify_url
        self.receiver_email = receiver_email
        self._username = username
        self._common = {"USER": username, "PWD": password, "SIGNATURE": signature}
        self._common["VERSION"] = version
        if subject:
            self._common["SUBJECT"] = subject
        if button_source:
            self._common["BUTTONSOURCE"] = button_source
        authorize = action == "Authorization"
        self.capabilities = Capabilities(
            capture=True,
            partial_capture=authorize,
            refund=True,
            partial_refund=True,
            multiple_refunds=True,
            void=authorize,
            # IPN is verified by asking PayPal, not by a signature.
            webhook_signatures=False,
            redirect=True,
        )

    def __repr__(self) -> str:
        return (
            f"PayPalNVPWire(environment={self.environment!r}, username={self._username[:6]!r}…, "
            f"action={self.action!r})"
        )

    # -- transport helpers ---------------------------------------------------------------

    def _request(self, method: str, fields: Mapping[str, str]) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.endpoints.api,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            content=encode_nvp({**self._common, "METHOD": method, **fields}),
        )

    def _call(
        self, method: str, fields: Mapping[str, str], *, tolerate: frozenset[str] = frozenset()
    ) -> Generator[httpx.Request, httpx.Response, dict[str, str]]:
        """Send one call; return its fields, or raise for a refusal not in ``tolerate``."""
        response = yield self._request(method, fields)
        if not response.is_success:
            raise error_for_status(response.status_code)(
                f"PayPal answered HTTP {response.status_code} to {method}",
                provider=self.name,
                status_code=response.status_code,
            )
        answer = decode_nvp(response.content, self.name)
        if answer.get("ACK") in _SUCCESS or answer.get("L_ERRORCODE0") in tolerate:
            return answer
        raise nvp_error(answer, self.name)

    def _checkout(self, payment_id: str) -> Generator[httpx.Request, httpx.Response, _Checkout]:
        """The checkout behind ``payment_id`` and every transaction made from it.

        ``payment_id`` is the token, or, once paid, the sale's or authorization's
        transaction id (the token expires after about three hours; the transaction does not).
        """
        checkout: _Checkout | None = None
        root_id = payment_id
        if payment_id.startswith("EC-"):
            details = yield from self._call("GetExpressCheckoutDetails", {"TOKEN": payment_id})
            checkout = _Checkout(
                token=payment_id,
                amount=_money(details, "PAYMENTREQUEST_0_AMT", "PAYMENTREQUEST_0_CURRENCYCODE"),
                reference=details.get("PAYMENTREQUEST_0_INVNUM") or None,
                checkout_status=details.get("CHECKOUTSTATUS", ""),
                payer_id=details.get("PAYERID") or None,
                redirect_url=self._redirect_url(payment_id),
            )
            root_id = details.get("PAYMENTREQUEST_0_TRANSACTIONID") or details.get(
                "PAYMENTREQUESTINFO_0_TRANSACTIONID", ""
            )
            if not root_id:
                return checkout
        rows = yield from self._search(root_id)
        root = next((row for row in rows if row.id == root_id), None)
        if root is None and checkout is None:
            raise InvalidRequestError(
                f"PayPal knows no Express Checkout token or transaction {payment_id!r}",
                provider=self.name,
                code="10004",
            )
        if root is None:
            raise ProviderError(
                f"PayPal's search did not return transaction {root_id}", provider=self.name
            )
        if checkout is None:
            checkout = _Checkout(
                token=payment_id,
                amount=root.amount,
                reference=None,  # a search row does not carry the invoice number
                checkout_status="PaymentActionCompleted",
                payer_id=None,
                redirect_url="",
            )
        children = [row for row in rows if row.id != root_id]
        if root.type != "Authorization":  # a sale: the payment is its own capture
            refunds = tuple(row for row in children if row.type == "Refund")
            return attrs.evolve(checkout, captures=(_Capture(root, refunds),))
        captures = []
        for row in children:
            if row.type == "Payment":
                related = yield from self._search(row.id)
                refunds = tuple(r for r in related if r.type == "Refund")
                captures.append(_Capture(row, refunds))
        return attrs.evolve(checkout, authorization=root, captures=tuple(captures))

    def _search(
        self, transaction_id: str
    ) -> Generator[httpx.Request, httpx.Response, list[_Transaction]]:
        answer = yield from self._call(
            "TransactionSearch", {"STARTDATE": _SEARCH_SINCE, "TRANSACTIONID": transaction_id}
        )
        return _transactions(answer)

    def _redirect_url(self, token: str) -> str:
        query = urllib.parse.urlencode(
            {"cmd": "_express-checkout", "useraction": "commit", "token": token}
        )
        return f"{self.endpoints.checkout}?{query}"

    def _pay(
        self, checkout: _Checkout, action: str
    ) -> Generator[httpx.Request, httpx.Response, str]:
        """``DoExpressCheckoutPayment``; returns the transaction id (sale or authorization)."""
        if checkout.payer_id is None:
            raise InvalidRequestError(
                "the payer has not approved the payment at PayPal yet",
                provider=self.name,
                code="10419",
            )
        fields = {
            "TOKEN": checkout.token,
            "PAYERID": checkout.payer_id,
            "PAYMENTREQUEST_0_PAYMENTACTION": action,
            "PAYMENTREQUEST_0_AMT": format_nvp_amount(checkout.amount),
            "PAYMENTREQUEST_0_CURRENCYCODE": checkout.amount.currency,
            # IPN echoes CUSTOM back: that is how a notification names its payment.
            "PAYMENTREQUEST_0_CUSTOM": checkout.token,
        }
        if checkout.reference:
            fields["PAYMENTREQUEST_0_INVNUM"] = checkout.reference
        if self.notify_url:
            fields["PAYMENTREQUEST_0_NOTIFYURL"] = self.notify_url
        answer = yield from self._call("DoExpressCheckoutPayment", fields)
        transaction_id = answer.get("PAYMENTINFO_0_TRANSACTIONID")
        if not transaction_id:
            raise ProviderError(
                "PayPal accepted the payment but sent no transaction id",
                provider=self.name,
                request_id=answer.get("CORRELATIONID"),
            )
        return transaction_id

    def _authorization(self, checkout: _Checkout) -> Generator[httpx.Request, httpx.Response, str]:
        """The checkout's authorization id, authorizing an approved checkout first."""
        if checkout.authorization is not None:
            return checkout.authorization.id
        if checkout.captures:
            raise InvalidRequestError(
                "the payment was made as a sale; there is no authorization to capture or void",
                provider=self.name,
                code="10609",
            )
        return (yield from self._pay(checkout, "Authorization"))

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``SetExpressCheckout``; the payment's id is the token."""
        if not request.return_url or not request.cancel_url:
            raise InvalidRequestError(
                "PayPal Express Checkout needs both return_url and cancel_url",
                provider=self.name,
                code="10471" if not request.return_url else "10472",
            )
        fields = {
            "PAYMENTREQUEST_0_PAYMENTACTION": self.action,
            "PAYMENTREQUEST_0_AMT": format_nvp_amount(request.amount),
            "PAYMENTREQUEST_0_CURRENCYCODE": request.amount.currency,
            "PAYMENTREQUEST_0_INVNUM": request.reference,
            "RETURNURL": request.return_url,
            "CANCELURL": request.cancel_url,
            "NOSHIPPING": "1",  # invoices are paid, nothing is shipped on PayPal's word
        }
        if request.description:
            fields["PAYMENTREQUEST_0_DESC"] = request.description[:127]
        if request.customer_email:
            fields["EMAIL"] = request.customer_email
        answer = yield from self._call("SetExpressCheckout", fields)
        token = answer.get("TOKEN")
        if not token:
            raise ProviderError(
                "PayPal accepted SetExpressCheckout but sent no TOKEN",
                provider=self.name,
                request_id=answer.get("CORRELATIONID"),
            )
        checkout = _Checkout(
            token=token,
            amount=request.amount,
            reference=request.reference,
            checkout_status="PaymentActionNotInitiated",
            payer_id=None,
            redirect_url=self._redirect_url(token),
        )
        return checkout.payment(self.name)

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``GetExpressCheckoutDetails``, then ``TransactionSearch`` once paid."""
        return (yield from self._checkout(payment_id)).payment(self.name)

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: pay the checkout (``Sale``), or authorize it and ``DoCapture``.

        With action ``Authorization``, ``amount`` may be less than what is left; later calls
        capture more, and the call that takes the rest completes the authorization.
        """
        key = _msgsubid()
        checkout = yield from self._checkout(payment_id)
        if self.action == "Sale":
            if amount is not None and amount != checkout.amount:
                self.unsupported(
                    "partial capture",
                    "a PayPal sale is captured in full; use action='Authorization' to capture "
                    "part of a payment",
                )
            if not checkout.captures:  # once paid, capturing again changes nothing
                yield from self._pay(checkout, "Sale")
        else:
            authorization_id = yield from self._authorization(checkout)
            authorized = checkout.amount
            if checkout.authorization is not None:
                authorized = checkout.authorization.amount
            if amount is None and _authorization_status(checkout) == "Completed":
                return checkout.payment(self.name)  # all captured: capturing again is a no-op
            left = authorized - checkout.captured
            wanted = left if amount is None else amount
            if wanted.currency != authorized.currency or wanted.amount <= 0:
                raise InvalidRequestError(
                    f"cannot capture {wanted}: it must be more than zero in {authorized.currency}",
                    provider=self.name,
                    code="10004",
                )
            fields = {
                "AUTHORIZATIONID": authorization_id,
                "AMT": format_nvp_amount(wanted),
                "CURRENCYCODE": wanted.currency,
                "COMPLETETYPE": "Complete" if wanted >= left else "NotComplete",
                "MSGSUBID": key,
            }
            if checkout.reference:
                fields["INVNUM"] = checkout.reference
            yield from self._call("DoCapture", fields)
        return (yield from self._checkout(payment_id)).payment(self.name)

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: void the authorization (action ``Authorization`` only).

        An approved checkout that is not authorized yet is authorized first, so the payer's
        approval cannot be used afterwards.
        """
        if self.action == "Sale":
            self.unsupported(
                "cancel",
                "a PayPal sale cannot be voided; an unpaid checkout expires on its own",
            )
        checkout = yield from self._checkout(payment_id)
        if checkout.authorization is None or checkout.authorization.status != "Voided":
            authorization_id = yield from self._authorization(checkout)
            # A resent DoVoid whose first answer was lost is refused as already voided.
            yield from self._call(
                "DoVoid",
                {"AUTHORIZATIONID": authorization_id},
                tolerate=frozenset({_ALREADY_VOIDED}),
            )
        return (yield from self._checkout(payment_id)).payment(self.name)

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: ``RefundTransaction`` on the captures, oldest first, up to ``amount``.

        Each capture's refund carries its own ``MSGSUBID``, all derived from one key made
        once for this call.
        """
        key = _msgsubid()
        checkout = yield from self._checkout(payment_id)
        left = refund_amount(checkout.payment(self.name), amount, self.name)
        for n, capture in enumerate(checkout.captures):
            room = capture.transaction.amount - capture.refunded
            if not left or capture.transaction.status not in _REFUNDABLE or room.amount <= 0:
                continue
            share = min(room, left)
            fields = {"TRANSACTIONID": capture.transaction.id, "MSGSUBID": f"{key[:34]}-{n}"}
            if share == capture.transaction.amount:
                fields["REFUNDTYPE"] = "Full"
            else:
                fields.update(
                    REFUNDTYPE="Partial",
                    AMT=format_nvp_amount(share),
                    CURRENCYCODE=share.currency,
                )
            if reason:
                fields["NOTE"] = reason[:255]
            yield from self._call("RefundTransaction", fields)
            left -= share
        return (yield from self._checkout(payment_id)).payment(self.name)

    # -- IPN -----------------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: verify an IPN message by posting it back, then decode it.

        The message goes back to PayPal byte for byte, prefixed with
        ``cmd=_notify-validate``; only ``VERIFIED`` is accepted. ``headers`` are not needed.

        Raises:
            WebhookVerificationError: PayPal does not vouch for the message, the message is
                not IPN, or it was sent to another ``receiver_email`` than the one set.
        """
        fields = _ipn_fields(body)
        response = yield httpx.Request(
            "POST",
            self.endpoints.ipn,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            content=b"cmd=_notify-validate&" + body,
        )
        if not response.is_success:
            raise _unverified(f"PayPal's IPN check answered HTTP {response.status_code}")
        verdict = response.content.strip()
        if verdict != b"VERIFIED":
            raise _unverified(f"PayPal did not verify the IPN message ({verdict[:20]!r})")
        receiver = fields.get("receiver_email", "")
        if self.receiver_email and receiver.casefold() != self.receiver_email.casefold():
            raise _unverified("the IPN message was sent to another PayPal account")
        return _ipn_event(fields, self.name)


def _msgsubid() -> str:
    """A ``MSGSUBID``: unique per logical call and within PayPal's 38 characters."""
    return uuid.uuid4().hex


def _ipn_fields(body: bytes) -> dict[str, str]:
    # IPN bodies are in the account's charset (windows-1252 unless set to UTF-8) and say so.
    try:
        raw = urllib.parse.parse_qsl(body.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        raw = []
    charset = dict(raw).get("charset", "windows-1252")
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("ascii"), keep_blank_values=True, encoding=charset, errors="strict"
        )
    except (UnicodeDecodeError, LookupError, ValueError):
        raise _unverified("the IPN message is not form-encoded in its charset") from None
    fields = dict(pairs)
    if not fields.get("txn_id") and not fields.get("ipn_track_id"):
        raise _unverified("the message is not an IPN payment notification")
    return fields


def _ipn_event(fields: Mapping[str, str], provider: str) -> WebhookEvent:
    status_word = fields.get("payment_status", "")
    status = _IPN_STATUS.get(status_word)
    if status is PaymentStatus.PENDING and fields.get("pending_reason") == "authorization":
        status = PaymentStatus.AUTHORIZED
    occurred_at = None
    if fields.get("payment_date"):
        occurred_at = _ipn_time(fields["payment_date"])
    # PayPal resends an unacknowledged message unchanged, ipn_track_id included.
    event_id = fields.get("ipn_track_id") or f"{fields.get('txn_id')}:{status_word}"
    data: Any = dict(fields)  # the attrs converter (MappingProxyType) is generic to mypy
    return WebhookEvent(
        id=event_id,
        provider=provider,
        type=fields.get("txn_type") or fields.get("reason_code") or status_word or "ipn",
        payment_id=fields.get("custom") or None,
        status=status,
        occurred_at=occurred_at,
        data=data,
    )


def _ipn_time(text: str) -> datetime | None:
    """IPN's ``payment_date`` (``08:04:11 Feb 20, 2013 PST``); None if unreadable."""
    stamp, _, zone = text.rpartition(" ")
    hours = {"PST": -8, "PDT": -7}.get(zone)
    if hours is None:
        return None
    try:
        when = datetime.strptime(stamp, "%H:%M:%S %b %d, %Y")  # noqa: DTZ007  # zone is apart
    except ValueError:
        return None
    return when.replace(tzinfo=timezone(timedelta(hours=hours))).astimezone(UTC)


class PayPalNVPOptions(TypedDict, total=False):
    """The NVP-specific keyword arguments of :class:`PayPalNVP` and :class:`AsyncPayPalNVP`."""

    environment: Literal["sandbox", "live"]
    base_url: str
    action: Literal["Sale", "Authorization"]
    subject: str
    button_source: str
    notify_url: str
    receiver_email: str
    version: str


class _SyncOptions(PayPalNVPOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(PayPalNVPOptions, AsyncHTTPOptions, total=False):
    pass


class PayPalNVP(HTTPProvider):
    """PayPal classic NVP, synchronous.

    Takes the arguments of :class:`PayPalNVPWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> PayPalNVP("merchant_api1.example.org", "pwd", "sig", environment="live")
    PayPalNVP(PayPalNVPWire(environment='live', username='mercha'…, action='Sale'))
    """

    def __init__(
        self, username: str, password: str, signature: str, **options: Unpack[_SyncOptions]
    ) -> None:
        wire, http = split_options(options, HTTPOptions)
        super().__init__(PayPalNVPWire(username, password, signature, **wire), **http)


class AsyncPayPalNVP(AsyncHTTPProvider):
    """PayPal classic NVP, asynchronous; arguments as :class:`PayPalNVP`."""

    def __init__(
        self, username: str, password: str, signature: str, **options: Unpack[_AsyncOptions]
    ) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(PayPalNVPWire(username, password, signature, **wire), **http)
