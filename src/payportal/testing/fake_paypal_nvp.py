"""A fake PayPal classic NVP API: Express Checkout, authorization and capture, refunds, IPN.

It speaks NVP's wire format: form-encoded requests to ``/nvp`` carrying ``USER``, ``PWD``,
``SIGNATURE``, ``VERSION`` and ``METHOD``; answers always HTTP 200, form-encoded the way
PayPal encodes them (``EC%2d...``, ``85%2e0``) with ``ACK``, ``TIMESTAMP``,
``CORRELATIONID``, ``VERSION``, ``BUILD``, and ``L_ERRORCODEn`` / ``L_SHORTMESSAGEn`` /
``L_LONGMESSAGEn`` / ``L_SEVERITYCODEn`` on failure. It validates like PayPal: credentials
(10002), tokens (10410), amounts with exactly the currency's decimals (10401/10004), zero
amounts (10525), the single-transaction maximum (10414), return and cancel URLs
(10471/10472), the payer's approval (10419/10406), authorization states (10600, 10601,
10602, 10609, 10610) and refunds beyond what is left (10009). An authorization expires 29
days after it was made, on the fake's clock (``clock=``): capturing or voiding it then is
refused with 10601, and it is listed as ``Expired``. ``DoExpressCheckoutPayment`` is
deduplicated by its token and ``DoCapture``/``RefundTransaction`` by ``MSGSUBID``: a repeat
answers ``SuccessWithWarning`` 11607 with the first result, as PayPal does.

IPN: every payment, capture, void and refund queues a notification (:meth:`webhooks`);
``POST /cgi-bin/webscr`` with ``cmd=_notify-validate`` answers ``VERIFIED`` for a message
the fake sent, byte for byte, and ``INVALID`` otherwise. ``GET /cgi-bin/webscr?cmd=
_express-checkout&token=...`` is the payer's checkout page: visiting it approves.

>>> fake = FakePayPalNVP()
>>> with fake.serve() as base_url:               # or fake.transport() in-process
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import itertools
import re
import secrets
import string
import urllib.parse
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, cast

import attrs
import httpx

from payportal._money import Money, currency_exponent, is_currency
from payportal.providers.paypal import WHOLE_UNIT_CURRENCIES
from payportal.testing._server import FakeServer, Record, Refusal, route

__all__ = ["Checkout", "FakePayPalNVP", "Transaction"]

_MAXIMUM = Decimal(10000)
_PST = timedelta(hours=8)  # IPN dates are in PayPal's home time zone
_CAPTURE_CEILING = Decimal("1.15")  # PayPal captures up to 115 % of an authorization
# An authorization can be captured for 29 days (the first 3 are its honor period), then it
# expires: DoCapture and DoVoid answer 10601 "Authorization expired".
_AUTHORIZATION_VALIDITY = timedelta(days=29)
_SAFE = frozenset(string.ascii_letters + string.digits)
_INVALID_ARGUMENT = (
    "Transaction refused because of an invalid argument. See additional error messages for details."
)


@attrs.define
class Checkout(Record):
    """An Express Checkout as the fake keeps it, under its ``token``.

    ``payer_id`` is set when the payer approves, ``transaction`` (its id) and ``answer``
    (the first ``DoExpressCheckoutPayment`` answer, replayed to a repeat) when it is paid.
    """

    camel_case = False
    token: str
    amount: Money
    action: str
    invnum: str
    desc: str
    custom: str
    payer_id: str | None = None
    transaction: str | None = None
    answer: dict[str, str] | None = None


@attrs.define
class Transaction(Record):
    """A PayPal transaction as the fake keeps it: an ``Authorization``, a ``Payment`` (a
    sale or a capture) or a ``Refund``, with its ``parent`` and ``children`` ids.

    ``made`` is when it was made, on the fake's clock (``time`` as NVP shows it).
    """

    camel_case = False
    id: str
    type: str
    status: str
    amount: Money
    token: str
    parent: str | None
    made: datetime
    time: str
    children: list[str] = attrs.Factory(list)

    def lapse(self, now: datetime) -> None:
        """An authorization still open after its 29 days becomes ``Expired``."""
        if (
            self.type == "Authorization"
            and self.status == "Pending"
            and now > self.made + _AUTHORIZATION_VALIDITY
        ):
            self.status = "Expired"


class _NotFound(Refusal):  # a page PayPal does not have: its HTML 404
    pass


class _Refused(Refusal):  # an NVP refusal, turned into an answer
    def __init__(self, code: str, short: str, long: str | None = None) -> None:
        self.code = code
        self.short = short
        self.long = long or short


def _invalid(long: str) -> _Refused:
    return _Refused("10004", _INVALID_ARGUMENT, long)


def _encode(fields: dict[str, str]) -> bytes:
    """Form-encode like PayPal: every character but letters and digits escaped, in lower hex."""

    def escape(value: str) -> str:
        return "".join(
            char if char in _SAFE else "".join(f"%{byte:02x}" for byte in char.encode())
            for char in value
        )

    return "&".join(f"{key}={escape(value)}" for key, value in fields.items()).encode()


def _duplicate(first: dict[str, str], key: str) -> dict[str, str]:
    """The first answer again, with PayPal's 11607 warning for a repeated ``key``."""
    return {
        **first,
        "ACK": "SuccessWithWarning",
        "L_ERRORCODE0": "11607",
        "L_SHORTMESSAGE0": "Duplicate Request",
        "L_LONGMESSAGE0": f"A successful transaction has already been completed for this {key}.",
        "L_SEVERITYCODE0": "Warning",
    }


def _fields(request: httpx.Request) -> dict[str, str]:
    """The request's form fields (NVP sends everything form-encoded in the body)."""
    return dict(urllib.parse.parse_qsl(request.content.decode(errors="replace")))


def _now(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fee(amount: Money) -> Money:
    return amount.multiply(Decimal("0.034"), rounding=ROUND_HALF_UP) + Money(
        "0.35", amount.currency
    )


def _show(money: Money) -> str:
    if money.currency in WHOLE_UNIT_CURRENCIES:
        return str(money.amount.quantize(Decimal(1)))
    return str(money.amount)


class FakePayPalNVP(FakeServer):
    """An in-memory PayPal NVP API and IPN post-back endpoint.

    Attributes:
        username, password, signature: the only API credentials it accepts.
        receiver_email: the merchant account its IPN messages are addressed to.
        duplicate_webhooks: deliver every IPN message twice from :meth:`webhooks`.
        checkouts: Express Checkouts by token (:class:`Checkout`).
        transactions: transactions by id (:class:`Transaction`).

    Test-side controls: :meth:`approve` (the payer approves), :meth:`decline` (the payer's
    funding fails at payment), :meth:`webhooks`, and :meth:`inject` from
    :class:`~payportal.testing.FakeServer` (NVP has one endpoint: aim faults with
    ``body=b"METHOD=DoCapture"``).
    """

    provider = "paypal_nvp"

    def __init__(self, *, duplicate_webhooks: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.username = f"fake-{secrets.token_hex(4)}_api1.example.org"
        self.password = secrets.token_hex(8).upper()
        self.signature = secrets.token_urlsafe(42)
        self.receiver_email = "merchant@example.org"
        self.duplicate_webhooks = duplicate_webhooks
        self.checkouts: dict[str, Checkout] = {}
        self.transactions: dict[str, Transaction] = {}
        self._declined: set[str] = set()
        self._done: dict[tuple[str, str], dict[str, str]] = {}
        self._outbox: list[dict[str, str]] = []
        self._sent: set[bytes] = set()
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return f"FakePayPalNVP(checkouts={len(self.checkouts)})"

    # -- test-side controls ----------------------------------------------------------------

    def approve(self, token: str) -> None:
        """The payer logs in at PayPal and approves the checkout.

        Raises:
            KeyError: no such token.
            ValueError: the checkout is not waiting for the payer.
        """
        with self._lock:
            checkout = self.checkouts[token]
            if checkout.payer_id is not None or checkout.transaction is not None:
                raise ValueError(f"checkout {token} is not awaiting approval")
            checkout.payer_id = "".join(secrets.choice(string.ascii_uppercase) for _ in range(13))

    def decline(self, token: str) -> None:
        """Make the payer's funding fail when the checkout is paid (error 10417)."""
        with self._lock:
            self._declined.add(token)

    def webhooks(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the IPN messages queued so far, as PayPal would POST them, oldest first
        (each twice when :attr:`duplicate_webhooks` is set)."""
        with self._lock:
            messages, self._outbox = self._outbox, []
            bodies = [urllib.parse.urlencode(message).encode() for message in messages]
            self._sent.update(bodies)
        copies = 2 if self.duplicate_webhooks else 1
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return [(dict(headers), body) for body in bodies for _ in range(copies)]

    # -- HTTP ------------------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """What PayPal's front end answers when the API behind it is down: an HTML page."""
        return httpx.Response(status, html="<html><body><h1>Service Unavailable</h1></body></html>")

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Route one request: ``POST /nvp`` (then by ``METHOD``) or ``/cgi-bin/webscr``
        (the checkout page, the IPN post-back)."""
        return self.route(request, request)

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """81002 for an unknown ``METHOD``; PayPal's HTML 404 for any other path or method."""
        if request.method == "POST" and request.url.path == "/nvp":
            return _Refused("81002", "Unspecified Method", "Method Specified is not Supported")
        return _NotFound()

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """NVP's ``ACK=Failure`` answer with the refusal's ``L_ERRORCODE0`` (HTTP 200)."""
        if isinstance(refusal, _NotFound):
            return httpx.Response(404, html="<p>Not Found</p>")
        refused = cast("_Refused", refusal)
        failure = {
            "L_ERRORCODE0": refused.code,
            "L_SHORTMESSAGE0": refused.short,
            "L_LONGMESSAGE0": refused.long,
            "L_SEVERITYCODE0": "Error",
            "ACK": "Failure",
        }
        return self._answer(_fields(request), failure)

    def _answer(self, fields: dict[str, str], answer: dict[str, str]) -> httpx.Response:
        """``answer`` in NVP's envelope (``ACK`` is ``Success`` unless ``answer`` says)."""
        envelope = {
            "TIMESTAMP": _now(self.now()),
            "CORRELATIONID": secrets.token_hex(7)[:13],
            "ACK": answer.pop("ACK", "Success"),
            "VERSION": fields.get("VERSION") or "85.0",
            "BUILD": "5060305",
        }
        return httpx.Response(
            200,
            content=_encode({**answer, **envelope}),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )

    @route("POST", "/nvp")
    def _api(self, request: httpx.Request) -> httpx.Response:
        fields = _fields(request)
        self._authenticate(fields)
        if not re.fullmatch(r"\d{1,3}(\.\d{1,6})?", fields.get("VERSION", "")):
            raise _invalid("Version is not supported")
        return self.route(request, fields, method=fields.get("METHOD", ""))

    @route("POST", "/cgi-bin/webscr")
    def _notify_validate(self, request: httpx.Request) -> httpx.Response:
        if not request.content.startswith(b"cmd=_notify-validate&"):
            raise _NotFound
        message = request.content[len(b"cmd=_notify-validate&") :]
        return httpx.Response(200, text="VERIFIED" if message in self._sent else "INVALID")

    @route("GET", "/cgi-bin/webscr")
    def _checkout_page(self, request: httpx.Request) -> httpx.Response:
        # The payer's checkout page: visiting it approves, so a fake in another process (or
        # a browser test) can approve without calling approve().
        if request.url.params.get("cmd") != "_express-checkout":
            raise _NotFound
        try:
            self.approve(request.url.params.get("token", ""))
        except (KeyError, ValueError):
            return httpx.Response(200, html="<p>This checkout session has expired.</p>")
        return httpx.Response(200, html="<p>You approved the payment.</p>")

    def _authenticate(self, fields: dict[str, str]) -> None:
        given = [fields.get(name, "") for name in ("USER", "PWD", "SIGNATURE")]
        expected = [self.username, self.password, self.signature]
        matches = [
            secrets.compare_digest(a.encode(), b.encode())
            for a, b in zip(given, expected, strict=True)
        ]
        if not all(matches):
            raise _Refused(
                "10002",
                "Security error",
                "Security header is not valid",
            )

    # -- helpers ---------------------------------------------------------------------------

    def _new_id(self, length: int = 17) -> str:
        serial = f"{next(self._ids):04d}"
        tail = "".join(
            secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length)
        )
        return (serial + tail)[:length]

    @staticmethod
    def _money(value: str | None, currency: str, *, code: str, field: str) -> Money:
        """Validate an NVP amount as PayPal does; ``code`` is the error for a bad one."""
        if not is_currency(currency):
            raise _Refused("10605", "Currency is not supported", f"{currency} is not supported.")
        decimals = 0 if currency in WHOLE_UNIT_CURRENCIES else currency_exponent(currency)
        pattern = r"\d{1,10}" + (rf"(\.\d{{{decimals}}})?" if decimals else "")
        if value is None or not re.fullmatch(pattern, value):
            message = f"{field} is invalid." if value is not None else f"{field} is missing."
            raise _Refused(code, _INVALID_ARGUMENT, message)
        amount = Money(Decimal(value), currency)
        if amount.amount == 0:
            raise _Refused(
                "10525",
                "Invalid Data",
                "This transaction cannot be processed. The amount to be charged is zero.",
            )
        if amount.amount > _MAXIMUM:
            raise _Refused(
                "10414",
                _INVALID_ARGUMENT,
                "The amount exceeds the maximum amount for a single transaction.",
            )
        return amount

    def _checkout(self, fields: dict[str, str]) -> Checkout:
        checkout = self.checkouts.get(fields.get("TOKEN", ""))
        if checkout is None:
            raise _Refused("10410", "Invalid token", "Invalid token.")
        return checkout

    def _transaction(self, transaction_id: str | None, kind: str, code: str) -> Transaction:
        transaction = self.transactions.get(transaction_id or "")
        if transaction is None or transaction.type != kind:
            raise _Refused(code, "Transaction refused", "The transaction id is not valid.")
        transaction.lapse(self.now())
        return transaction

    def _open_authorization(self, fields: dict[str, str]) -> Transaction:
        """The ``AUTHORIZATIONID``'s authorization, refused unless it can still be captured
        or voided (PayPal's 10600, 10601, 10602)."""
        authorization = self._transaction(fields.get("AUTHORIZATIONID"), "Authorization", "10609")
        refused = {
            "Voided": ("10600", "Authorization is voided.", "Authorization is voided."),
            "Expired": ("10601", "Authorization expired.", "Authorization has expired."),
            "Completed": (
                "10602",
                "Authorization has already been completed.",
                "Authorization has already been completed.",
            ),
        }.get(authorization.status)
        if refused is not None:
            raise _Refused(*refused)
        return authorization

    def _add(
        self, kind: str, status: str, amount: Money, token: str, parent: str | None
    ) -> Transaction:
        now = self.now()
        transaction = Transaction(
            id=self._new_id(),
            type=kind,
            status=status,
            amount=amount,
            token=token,
            parent=parent,
            made=now,
            time=_now(now),
        )
        self.transactions[transaction.id] = transaction
        if parent is not None:
            self.transactions[parent].children.append(transaction.id)
        return transaction

    def _replay(self, method: str, fields: dict[str, str]) -> dict[str, str] | None:
        """The first answer to a repeated MSGSUBID, with PayPal's 11607 warning."""
        msgsubid = fields.get("MSGSUBID")
        if msgsubid is None:
            return None
        if len(msgsubid) > 38:
            raise _invalid("MsgSubID is longer than 38 characters.")
        first = self._done.get((method, msgsubid))
        if first is None:
            return None
        return _duplicate(first, "MsgSubID")

    def _remember(self, method: str, fields: dict[str, str], answer: dict[str, str]) -> None:
        if fields.get("MSGSUBID"):
            self._done[(method, fields["MSGSUBID"])] = dict(answer)

    def _notify(self, transaction: Transaction, status: str, **extra: str) -> None:
        checkout = self.checkouts[transaction.token]
        amount = transaction.amount
        sign = "-" if transaction.type == "Refund" else ""
        message = {
            "mc_gross": sign + _show(amount),
            "invoice": checkout.invnum,
            "protection_eligibility": "Ineligible",
            "payer_id": checkout.payer_id or "",
            "payment_date": (self.now() - _PST).strftime("%H:%M:%S %b %d, %Y PST"),
            "payment_status": status,
            "charset": "UTF-8",
            "first_name": "Bernard",
            "last_name": "Black",
            "notify_version": "3.9",
            "custom": checkout.custom,
            "payer_status": "verified",
            "business": self.receiver_email,
            "receiver_email": self.receiver_email,
            "txn_id": transaction.id,
            "mc_currency": amount.currency,
            "payment_type": "instant",
            "verify_sign": secrets.token_urlsafe(42),
            "ipn_track_id": secrets.token_hex(7)[:13],
            **extra,
        }
        self._outbox.append({k: v for k, v in message.items() if v != ""})

    # -- methods ---------------------------------------------------------------------------

    @route("SetExpressCheckout", "/nvp")
    def _set(self, fields: dict[str, str]) -> httpx.Response:
        currency = fields.get("PAYMENTREQUEST_0_CURRENCYCODE", "USD")
        if "PAYMENTREQUEST_0_AMT" not in fields:
            raise _Refused("10400", _INVALID_ARGUMENT, "Order total is missing.")
        amount = self._money(
            fields["PAYMENTREQUEST_0_AMT"], currency, code="10401", field="Order total"
        )
        action = fields.get("PAYMENTREQUEST_0_PAYMENTACTION", "Sale")
        if action not in ("Sale", "Authorization", "Order"):
            raise _invalid("PaymentAction is invalid.")
        for name, code in (("RETURNURL", "10471"), ("CANCELURL", "10472")):
            url = fields.get(name, "")
            if not url.startswith(("https://", "http://")):
                label = name.title().replace("url", "URL")
                raise _Refused(code, _INVALID_ARGUMENT, f"{label} is missing.")
        invnum = fields.get("PAYMENTREQUEST_0_INVNUM", "")
        if len(invnum) > 256 or len(fields.get("PAYMENTREQUEST_0_DESC", "")) > 127:
            raise _invalid("A field is longer than PayPal allows.")
        token = "EC-" + self._new_id()
        self.checkouts[token] = Checkout(
            token=token,
            amount=amount,
            action=action,
            invnum=invnum,
            desc=fields.get("PAYMENTREQUEST_0_DESC", ""),
            custom=fields.get("PAYMENTREQUEST_0_CUSTOM", ""),
        )
        return self._answer(fields, {"TOKEN": token})

    @route("GetExpressCheckoutDetails", "/nvp")
    def _details(self, fields: dict[str, str]) -> httpx.Response:
        checkout = self._checkout(fields)
        amount = checkout.amount
        answer = {
            "TOKEN": checkout.token,
            "CHECKOUTSTATUS": "PaymentActionCompleted"
            if checkout.transaction
            else "PaymentActionNotInitiated",
        }
        if checkout.payer_id:
            answer.update(
                EMAIL="buyer@example.com",
                PAYERID=checkout.payer_id,
                PAYERSTATUS="verified",
                FIRSTNAME="Bernard",
                LASTNAME="Black",
                COUNTRYCODE="GB",
            )
        answer.update(
            PAYMENTREQUEST_0_AMT=_show(amount),
            PAYMENTREQUEST_0_CURRENCYCODE=amount.currency,
            PAYMENTREQUEST_0_INVNUM=checkout.invnum,
            PAYMENTREQUEST_0_DESC=checkout.desc,
        )
        if checkout.transaction:
            answer.update(
                PAYMENTREQUEST_0_TRANSACTIONID=checkout.transaction,
                PAYMENTREQUESTINFO_0_TRANSACTIONID=checkout.transaction,
                PAYMENTREQUESTINFO_0_ERRORCODE="0",
            )
        return self._answer(fields, {k: v for k, v in answer.items() if v != ""})

    @route("DoExpressCheckoutPayment", "/nvp")
    def _pay(self, fields: dict[str, str]) -> httpx.Response:
        checkout = self._checkout(fields)
        if checkout.answer is not None:  # the token is PayPal's idempotency key here
            return self._answer(fields, _duplicate(checkout.answer, "token"))
        if not fields.get("PAYERID"):
            raise _Refused("10419", _INVALID_ARGUMENT, "Express Checkout PayerID is missing.")
        if fields["PAYERID"] != checkout.payer_id:
            raise _Refused("10406", _INVALID_ARGUMENT, "The PayerID value is invalid.")
        action = fields.get("PAYMENTREQUEST_0_PAYMENTACTION", "Sale")
        if action not in ("Sale", "Authorization"):
            raise _invalid("The fake supports the Sale and Authorization payment actions.")
        currency = fields.get("PAYMENTREQUEST_0_CURRENCYCODE", "USD")
        if currency != checkout.amount.currency:
            raise _Refused(
                "10444",
                _INVALID_ARGUMENT,
                "The transaction currency specified must be the same as previously specified.",
            )
        amount = self._money(
            fields.get("PAYMENTREQUEST_0_AMT"), currency, code="10401", field="Order total"
        )
        if checkout.token in self._declined:
            raise _Refused(
                "10417",
                "Transaction cannot complete.",
                "Instruct the customer to retry the transaction using an alternative payment "
                "method from the customers PayPal wallet.",
            )
        checkout.invnum = fields.get("PAYMENTREQUEST_0_INVNUM", checkout.invnum)
        checkout.custom = fields.get("PAYMENTREQUEST_0_CUSTOM", checkout.custom)
        sale = action == "Sale"
        kind, status = ("Payment", "Completed") if sale else ("Authorization", "Pending")
        transaction = self._add(kind, status, amount, checkout.token, None)
        checkout.transaction = transaction.id
        answer = {
            "TOKEN": checkout.token,
            "SUCCESSPAGEREDIRECTREQUESTED": "false",
            "PAYMENTINFO_0_TRANSACTIONID": transaction.id,
            "PAYMENTINFO_0_TRANSACTIONTYPE": "expresscheckout",
            "PAYMENTINFO_0_PAYMENTTYPE": "instant",
            "PAYMENTINFO_0_ORDERTIME": transaction.time,
            "PAYMENTINFO_0_AMT": _show(amount),
            "PAYMENTINFO_0_TAXAMT": "0.00",
            "PAYMENTINFO_0_CURRENCYCODE": currency,
            "PAYMENTINFO_0_PAYMENTSTATUS": status,
            "PAYMENTINFO_0_PENDINGREASON": "None" if sale else "authorization",
            "PAYMENTINFO_0_REASONCODE": "None",
            "PAYMENTINFO_0_PROTECTIONELIGIBILITY": "Ineligible",
            "PAYMENTINFO_0_ERRORCODE": "0",
            "PAYMENTINFO_0_ACK": "Success",
        }
        if sale:
            answer["PAYMENTINFO_0_FEEAMT"] = _show(_fee(amount))
        checkout.answer = dict(answer)
        extra = {"txn_type": "express_checkout"}
        if not sale:
            extra.update(
                pending_reason="authorization",
                auth_id=transaction.id,
                auth_status="Pending",
                auth_amount=_show(amount),
            )
        self._notify(transaction, status, **extra)
        return self._answer(fields, answer)

    @route("DoCapture", "/nvp")
    def _capture(self, fields: dict[str, str]) -> httpx.Response:
        replay = self._replay("DoCapture", fields)
        if replay is not None:
            return self._answer(fields, replay)
        authorization = self._open_authorization(fields)
        complete = fields.get("COMPLETETYPE")
        if complete not in ("Complete", "NotComplete"):
            raise _invalid("CompleteType is invalid.")
        authorized = authorization.amount
        currency = fields.get("CURRENCYCODE", "USD")
        if currency != authorized.currency:
            raise _invalid("The currency must be the authorization's currency.")
        amount = self._money(fields.get("AMT"), currency, code="10004", field="Amount")
        captured = sum(
            (self.transactions[c].amount for c in authorization.children), Money.zero(currency)
        )
        ceiling = authorized.multiply(_CAPTURE_CEILING, rounding=ROUND_DOWN)
        if captured + amount > ceiling:
            raise _Refused(
                "10610",
                "Amount specified exceeds allowable limit.",
                "Amount specified exceeds allowable limit.",
            )
        capture = self._add("Payment", "Completed", amount, authorization.token, authorization.id)
        if complete == "Complete":
            authorization.status = "Completed"
        answer = {
            "AUTHORIZATIONID": authorization.id,
            "MSGSUBID": fields.get("MSGSUBID", ""),
            "TRANSACTIONID": capture.id,
            "PARENTTRANSACTIONID": authorization.id,
            "TRANSACTIONTYPE": "expresscheckout",
            "PAYMENTTYPE": "instant",
            "ORDERTIME": capture.time,
            "AMT": _show(amount),
            "FEEAMT": _show(_fee(amount)),
            "TAXAMT": "0.00",
            "CURRENCYCODE": currency,
            "PAYMENTSTATUS": "Completed",
            "PENDINGREASON": "None",
            "REASONCODE": "None",
            "PROTECTIONELIGIBILITY": "Ineligible",
        }
        answer = {k: v for k, v in answer.items() if v}
        self._remember("DoCapture", fields, answer)
        self._notify(
            capture,
            "Completed",
            txn_type="express_checkout",
            parent_txn_id=authorization.id,
            auth_id=authorization.id,
            auth_status=authorization.status,
        )
        return self._answer(fields, answer)

    @route("DoVoid", "/nvp")
    def _void(self, fields: dict[str, str]) -> httpx.Response:
        authorization = self._open_authorization(fields)
        authorization.status = "Voided"
        self._notify(authorization, "Voided", auth_id=authorization.id, auth_status="Voided")
        return self._answer(fields, {"AUTHORIZATIONID": authorization.id})

    @route("RefundTransaction", "/nvp")
    def _refund(self, fields: dict[str, str]) -> httpx.Response:
        replay = self._replay("RefundTransaction", fields)
        if replay is not None:
            return self._answer(fields, replay)
        capture = self._transaction(fields.get("TRANSACTIONID"), "Payment", "10004")
        paid = capture.amount
        refunded = sum(
            (self.transactions[r].amount for r in capture.children), Money.zero(paid.currency)
        )
        left = paid - refunded
        kind = fields.get("REFUNDTYPE")
        if capture.status == "Refunded":
            raise _Refused(
                "10009", "Transaction refused", "This transaction has already been fully refunded."
            )
        if kind == "Full":
            if "AMT" in fields:
                raise _invalid("The amount must not be set for a full refund.")
            if refunded:
                raise _Refused(
                    "10009",
                    "Transaction refused",
                    "You can not do a full refund after a partial refund.",
                )
            amount = paid
        elif kind == "Partial":
            currency = fields.get("CURRENCYCODE", "USD")
            if currency != paid.currency:
                raise _invalid("The currency must be the transaction's currency.")
            amount = self._money(fields.get("AMT"), currency, code="10004", field="Amount")
            if amount > left:
                raise _Refused(
                    "10009",
                    "Transaction refused",
                    "The partial refund amount must be less than or equal to the remaining amount.",
                )
        else:
            raise _invalid("The refund type is not valid.")
        if len(fields.get("NOTE", "")) > 255:
            raise _invalid("The note is longer than 255 characters.")
        refund = self._add("Refund", "Completed", amount, capture.token, capture.id)
        capture.status = "Refunded" if amount == left else "Partially Refunded"
        fee_back = _fee(paid).multiply(amount.amount / paid.amount, rounding=ROUND_HALF_UP)
        answer = {
            "REFUNDTRANSACTIONID": refund.id,
            "MSGSUBID": fields.get("MSGSUBID", ""),
            "FEEREFUNDAMT": _show(fee_back),
            "GROSSREFUNDAMT": _show(amount),
            "NETREFUNDAMT": _show(amount - fee_back),
            "CURRENCYCODE": amount.currency,
            "TOTALREFUNDEDAMOUNT": _show(refunded + amount),
            "REFUNDSTATUS": "Instant",
            "PENDINGREASON": "None",
        }
        answer = {k: v for k, v in answer.items() if v}
        self._remember("RefundTransaction", fields, answer)
        self._notify(refund, "Refunded", parent_txn_id=capture.id, reason_code="refund")
        return self._answer(fields, answer)

    @route("TransactionSearch", "/nvp")
    def _search(self, fields: dict[str, str]) -> httpx.Response:
        if not fields.get("STARTDATE"):
            raise _invalid("Start date is a required parameter.")
        wanted = fields.get("TRANSACTIONID")
        if wanted is not None:
            root = self.transactions.get(wanted)
            found = (
                [] if root is None else [root, *map(self.transactions.__getitem__, root.children)]
            )
        else:
            invnum = fields.get("INVNUM")
            found = [
                t
                for t in self.transactions.values()
                if invnum is None or self.checkouts[t.token].invnum == invnum
            ][:100]
        answer: dict[str, str] = {}
        now = self.now()
        for n, transaction in enumerate(found):
            transaction.lapse(now)
            amount = transaction.amount
            sign = "-" if transaction.type == "Refund" else ""
            answer.update(
                {
                    f"L_TIMESTAMP{n}": transaction.time,
                    f"L_TIMEZONE{n}": "GMT",
                    f"L_TYPE{n}": transaction.type,
                    f"L_EMAIL{n}": "buyer@example.com",
                    f"L_NAME{n}": "Bernard Black",
                    f"L_TRANSACTIONID{n}": transaction.id,
                    f"L_STATUS{n}": transaction.status,
                    f"L_AMT{n}": sign + _show(amount),
                    f"L_CURRENCYCODE{n}": amount.currency,
                }
            )
        return self._answer(fields, answer)
