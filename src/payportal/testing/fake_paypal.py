"""A fake PayPal REST server: OAuth2, Orders v2, Payments v2, Vault v3 and signed webhooks.

It speaks PayPal's wire format and validates requests the way the real API does: the
``Authorization`` header (Basic on the token endpoint, Bearer elsewhere), required fields,
intents, amount strings with exactly the currency's decimals, state transitions
(``ORDER_NOT_APPROVED``, ``REFUND_AMOUNT_EXCEEDED``, ...). A repeated ``PayPal-Request-Id``
replays the first answer instead of acting twice, as PayPal does.

Vault v3 (saved PayPal wallets): ``POST /v3/vault/setup-tokens`` with
``payment_source.paypal`` and its ``experience_context`` (``return_url``, ``cancel_url``)
answers ``PAYER_ACTION_REQUIRED`` and an ``approve`` link; the payer approves there (or
:meth:`FakePayPal.approve_setup`); ``POST /v3/vault/payment-tokens`` with
``payment_source.token`` (``type: SETUP_TOKEN``) turns an approved setup token into a payment
token (an unapproved one is refused, 422); tokens are listed by ``customer_id``, read and
deleted (204). An order whose ``payment_source.paypal.vault_id`` names a token is completed
and captured at once (intent ``CAPTURE``), without the payer; a revoked or deleted token is
refused with ``PAYMENT_SOURCE_CANNOT_BE_USED`` and a declined one with
``INSTRUMENT_DECLINED`` (both 422). The issue names of refused vault calls, which PayPal's
Vault specification does not enumerate, are the fake's own.

>>> fake = FakePayPal()
>>> transport = fake.transport()            # in-process, for httpx.Client(transport=...)
>>> with fake.serve() as base_url:           # or over a real socket on 127.0.0.1
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import secrets
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from payportal._money import Money, currency_exponent, is_currency
from payportal.providers.paypal import WHOLE_UNIT_CURRENCIES
from payportal.testing._server import FakeServer, Record, Refusal, route

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Authorization",
    "Capture",
    "FakePayPal",
    "Order",
    "PaymentToken",
    "Refund",
    "SetupToken",
]

_Resource = TypeVar("_Resource", bound="Record")

_AMOUNT = re.compile(r"^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$")
_CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-fake"
CERT_URL = "https://api.sandbox.paypal.com" + _CERT_PATH
_APPROVE_VAULT = "/agreements/approve"
_PUBLIC = frozenset({"/v1/oauth2/token", _CERT_PATH, "/checkoutnow", _APPROVE_VAULT})
_VAULT_ID = re.compile(r"[0-9a-zA-Z_-]{1,255}")
# PayPal account (payer) ids: 13 characters of digits 2-9 and capitals without I and O.
_ACCOUNT_ID_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@functools.cache
def _signing_identity() -> tuple[rsa.RSAPrivateKey, bytes, x509.Certificate]:
    """One signing key, its certificate chain (PEM, leaf first) and the fake's root CA per
    process: generating keys is slow.

    The leaf is issued, like PayPal's, to ``messageverificationcerts.paypal.com`` by a CA
    that exists only in this process; a client trusts it through :attr:`FakePayPal.trust_roots`.
    """
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "payportal FakePayPal root")])
    root = (
        _valid(x509.CertificateBuilder(), now)
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    host = "messageverificationcerts.paypal.com"
    leaf = (
        _valid(x509.CertificateBuilder(), now)
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certificates=False), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(root_key, hashes.SHA256())
    )
    return key, leaf.public_bytes(serialization.Encoding.PEM), root


def _valid(builder: x509.CertificateBuilder, now: datetime) -> x509.CertificateBuilder:
    return (
        builder.serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
    )


def _key_usage(*, sign_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certificates,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certificates,
        crl_sign=sign_certificates,
        encipher_only=False,
        decipher_only=False,
    )


# An authorization can be captured for 29 days (PayPal's "authorization period"; its first
# three days are the honor period, after which PayPal advises reauthorizing), and a capture
# refunded for 180 days (payments_payment_v2.json: reauthorize, REFUND_TIME_LIMIT_EXCEEDED).
_AUTHORIZATION_VALIDITY = timedelta(days=29)
_REFUND_PERIOD = timedelta(days=180)


class _PayPalRecord(Record):
    """A PayPal resource: snake_case JSON, money as PayPal's ``{currency_code, value}``."""

    __slots__ = ()
    camel_case = False

    def wire(self) -> dict[str, Any]:
        """The resource's JSON object, as the API shows it."""
        view = super().wire()
        return {k: _amount(v) if isinstance(v, Money) else v for k, v in view.items()}


@attrs.define
class Order(_PayPalRecord):
    """An Orders v2 order as the fake keeps it, with its one purchase unit: ``unit`` (what
    the merchant sent: ``reference_id``, ``invoice_id``, ...) and ``amount``.

    ``_payments`` names its authorizations, captures and refunds by id; ``_captured`` says
    money was taken (for ``block_duplicate_invoice_ids``).
    """

    id: str
    intent: str
    status: str
    create_time: str
    unit: dict[str, str]
    amount: Money
    links: list[dict[str, str]]
    _payments: dict[str, list[str]] = attrs.Factory(dict)
    _captured: bool = False

    def add_payment(self, kind: str, payment_id: str) -> None:
        """List a new authorization, capture or refund (``kind`` as in the order's JSON)."""
        self._payments.setdefault(kind, []).append(payment_id)

    def wire(self) -> dict[str, Any]:
        """The order without its payments (see ``FakePayPal._order_view``)."""
        view = super().wire()
        unit = {**view.pop("unit"), "amount": view.pop("amount")}
        return {**view, "purchase_units": [unit]}


@attrs.define(kw_only=True)
class _Payment(_PayPalRecord):
    """What authorizations and captures share: they belong to an order (``_order``) and
    have children (``_children``: a capture's refunds, an authorization's captures)."""

    id: str
    status: str
    amount: Money
    create_time: str
    supplementary_data: dict[str, Any]
    links: list[dict[str, str]]
    _order: str
    _children: list[str] = attrs.Factory(list)


@attrs.define(kw_only=True)
class Authorization(_Payment):
    """An authorized payment: ``CREATED``, ``PARTIALLY_CAPTURED``, ``CAPTURED`` or
    ``VOIDED``; it can be captured until ``_expires`` (:meth:`expired`), 29 days after it
    was made."""

    expiration_time: str
    _expires: datetime

    def expired(self, now: datetime) -> bool:
        """Whether the authorization period is over at ``now``."""
        return now > self._expires


@attrs.define(kw_only=True)
class Capture(_Payment):
    """A captured payment: ``COMPLETED``, ``PARTIALLY_REFUNDED`` or ``REFUNDED``; it can
    be refunded for 180 days after ``_made`` (:meth:`refundable`)."""

    final_capture: bool
    _made: datetime

    def refundable(self, now: datetime) -> bool:
        """Whether the refund period is still running at ``now``."""
        return now <= self._made + _REFUND_PERIOD


@attrs.define
class Refund(_PayPalRecord):
    """A refund of a capture (its ``up`` link names the capture)."""

    id: str
    status: str
    amount: Money
    create_time: str
    links: list[dict[str, str]]
    _order: str
    note_to_payer: str | None = None


def _portion(
    parent: _Payment,
    children: Mapping[str, Capture | Refund],
    body: Mapping[str, Any],
    *,
    mismatch: _ApiError,
    exceeded: _ApiError,
) -> tuple[Money, Money]:
    """What a capture of an authorization, or a refund of a capture, takes from ``parent``
    (the body's ``amount``, or all that is left) and what was left before it.

    Raises:
        _ApiError: ``mismatch`` for another currency, ``exceeded`` for more than is left.
    """
    taken = (children[child].amount for child in parent._children)
    left = parent.amount - sum(taken, Money.zero(parent.amount.currency))
    amount = _money(body["amount"], "/amount") if "amount" in body else left
    if amount.currency != left.currency:
        raise mismatch
    if amount > left:
        raise exceeded
    return amount, left


@attrs.define
class SetupToken(_PayPalRecord):
    """A Vault v3 setup token as the fake keeps it (and shows it: :meth:`~Record.wire`);
    ``_payment_token`` is the payment token made from it, once."""

    id: str
    customer: dict[str, str]
    status: str
    payment_source: dict[str, Any]
    links: list[dict[str, str]]
    _payment_token: str | None = None


@attrs.define
class PaymentToken(_PayPalRecord):
    """A Vault v3 payment token (a saved PayPal wallet). ``_state`` is the fake's own note:
    ``active``, ``revoked`` (the payer cancelled it at PayPal), ``declined`` (its funding is
    declined) or ``deleted``."""

    id: str
    customer: dict[str, str]
    payment_source: dict[str, Any]
    links: list[dict[str, str]]
    _state: str = "active"


class _ApiError(Refusal):
    def __init__(
        self, status: int, name: str, issue: str, description: str, field: str | None = None
    ) -> None:
        self.status = status
        self.name = name
        self.issue = issue
        self.description = description
        self.field = field


def _invalid(issue: str, description: str, field: str) -> _ApiError:
    return _ApiError(400, "INVALID_REQUEST", issue, description, field)


def _unprocessable(issue: str, description: str) -> _ApiError:
    return _ApiError(422, "UNPROCESSABLE_ENTITY", issue, description)


def _not_found() -> _ApiError:
    return _ApiError(
        404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist."
    )


def _find(store: Mapping[str, _Resource], item_id: str) -> _Resource:
    item = store.get(item_id)
    if item is None:
        raise _not_found()
    return item


def _now(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(data: object, field: str) -> Money:
    """Validate PayPal's money object as the API does and return it as Money."""
    if not isinstance(data, dict):
        raise _invalid("MISSING_REQUIRED_PARAMETER", "A required field is missing.", field)
    currency = data.get("currency_code")
    value = data.get("value")
    if currency is None:
        raise _invalid(
            "MISSING_REQUIRED_PARAMETER", "A required field is missing.", f"{field}/currency_code"
        )
    if value is None:
        raise _invalid(
            "MISSING_REQUIRED_PARAMETER", "A required field is missing.", f"{field}/value"
        )
    if not isinstance(currency, str) or not is_currency(currency):
        raise _unprocessable(
            "CURRENCY_NOT_SUPPORTED", f"Currency code {currency!r} is not supported."
        )
    if not isinstance(value, str) or not _AMOUNT.match(value) or len(value) > 32:
        raise _invalid(
            "INVALID_PARAMETER_SYNTAX",
            "The value of a field does not conform to the expected format.",
            f"{field}/value",
        )
    decimals = len(value.partition(".")[2])
    allowed = 0 if currency in WHOLE_UNIT_CURRENCIES else currency_exponent(currency)
    if decimals > allowed:
        raise _unprocessable(
            "DECIMAL_PRECISION",
            f"If the currency supports decimals, only {allowed} decimal places are supported.",
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise _invalid("INVALID_PARAMETER_SYNTAX", "Invalid amount.", f"{field}/value") from None
    if amount <= 0:
        raise _unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.")
    return Money(amount, currency)


def _amount(money: Money) -> dict[str, str]:
    return {"currency_code": money.currency, "value": str(money.amount)}


class FakePayPal(FakeServer):
    """An in-memory PayPal REST API.

    Attributes:
        client_id, client_secret: the only credentials it accepts.
        webhook_id: the webhook id its notifications are signed for.
        cert_url: where its signing certificate is served (a PayPal host, so the client's
            domain check passes; the fake answers it from any base URL).
        trust_roots: the root CA its signing certificate chains to; pass it to the client
            as ``webhook_trust_roots`` (the fake's CA is in no system trust store).
        duplicate_webhooks: deliver every notification twice from :meth:`webhooks`.
        block_duplicate_invoice_ids: refuse a new order whose ``invoice_id`` was paid
            already (``DUPLICATE_INVOICE_ID``), as accounts with that setting do.
        orders, authorizations, captures, refunds: the resources by id (:class:`Order`,
            :class:`Authorization`, :class:`Capture`, :class:`Refund`).

    The approval link it returns (``/checkoutnow?token=<order id>``) approves the order when
    requested from the fake, as a payer's browser would.

    Test-side controls: :meth:`approve` (the payer approves), :meth:`decline` (the payer's
    funding fails at capture), :meth:`expire_tokens`, :meth:`webhooks`, :meth:`sign`, and
    :meth:`inject` from :class:`~payportal.testing.FakeServer`.
    """

    provider = "paypal"

    def __init__(
        self,
        *,
        duplicate_webhooks: bool = False,
        block_duplicate_invoice_ids: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.block_duplicate_invoice_ids = block_duplicate_invoice_ids
        self.client_id = "fake-client-" + secrets.token_hex(4)
        self.client_secret = "fake-secret-" + secrets.token_hex(8)
        # Letters and digits only, as the webhooks spec's pattern for webhook ids says.
        self.webhook_id = "WHFAKE" + secrets.token_hex(6).upper()
        self.cert_url = CERT_URL
        self.trust_roots = (_signing_identity()[2],)
        self.duplicate_webhooks = duplicate_webhooks
        self.tokens: set[str] = set()
        self.orders: dict[str, Order] = {}
        self.authorizations: dict[str, Authorization] = {}
        self.captures: dict[str, Capture] = {}
        self.refunds: dict[str, Refund] = {}
        self._declined: set[str] = set()
        self.setup_tokens: dict[str, SetupToken] = {}
        self.payment_tokens: dict[str, PaymentToken] = {}
        self._outbox: list[dict[str, Any]] = []
        self._sent: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return f"FakePayPal(orders={len(self.orders)})"

    # -- test-side controls ----------------------------------------------------------------

    def approve(self, order_id: str) -> None:
        """The payer approves the order at PayPal.

        Raises:
            KeyError: no such order.
            ValueError: the order is not waiting for the payer.
        """
        with self._lock:
            order = self.orders[order_id]
            if order.status not in ("CREATED", "PAYER_ACTION_REQUIRED"):
                raise ValueError(f"order {order_id} is {order.status}, not awaiting approval")
            order.status = "APPROVED"
            self._emit("CHECKOUT.ORDER.APPROVED", "checkout-order", self._order_view(order))

    def approve_setup(self, setup_token_id: str, email: str = "payer@example.com") -> None:
        """The payer approves saving their PayPal wallet (account ``email``).

        Raises:
            KeyError: no such setup token.
            ValueError: it is not waiting for the payer.
        """
        with self._lock:
            token = self.setup_tokens[setup_token_id]
            if token.status != "PAYER_ACTION_REQUIRED":
                raise ValueError(f"setup token {setup_token_id} is {token.status}")
            token.status = "APPROVED"
            account = "".join(secrets.choice(_ACCOUNT_ID_CHARS) for _ in range(13))
            token.payment_source["paypal"].update(
                email_address=email, payer_id=account, account_id=account
            )

    def revoke_token(self, payment_token_id: str) -> None:
        """The payer cancels the merchant's permission at PayPal: orders paid with the
        token are refused with ``PAYMENT_SOURCE_CANNOT_BE_USED``.

        Raises:
            KeyError: no such payment token.
        """
        with self._lock:
            self.payment_tokens[payment_token_id]._state = "revoked"

    def decline_token(self, payment_token_id: str, declined: bool = True) -> None:
        """Make orders paid with the token fail with ``INSTRUMENT_DECLINED`` (or succeed
        again with ``declined=False``).

        Raises:
            KeyError: no such payment token.
        """
        with self._lock:
            self.payment_tokens[payment_token_id]._state = "declined" if declined else "active"

    def decline(self, order_id: str) -> None:
        """Make the payer's funding fail when the order is captured (``INSTRUMENT_DECLINED``)."""
        with self._lock:
            self._declined.add(order_id)

    def expire_tokens(self) -> None:
        """Revoke every access token, as if they had expired."""
        with self._lock:
            self.tokens.clear()

    def sign(self, event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        """A notification as PayPal would POST it: headers and body, signed for
        :attr:`webhook_id`."""
        key = _signing_identity()[0]
        body = json.dumps(event).encode()
        transmission_id = str(uuid.uuid4())
        transmitted = _now(self.now())
        message = f"{transmission_id}|{transmitted}|{self.webhook_id}|{zlib.crc32(body)}"
        with self._lock:
            self._sent[transmission_id] = body
        signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        headers = {
            "Content-Type": "application/json",
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": self.cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-TRANSMISSION-TIME": transmitted,
        }
        return headers, body

    def webhooks(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the notifications emitted so far, signed, oldest first (each twice when
        :attr:`duplicate_webhooks` is set)."""
        with self._lock:
            events, self._outbox = self._outbox, []
        copies = 2 if self.duplicate_webhooks else 1
        return [self.sign(event) for event in events for _ in range(copies)]

    def fetch_cert(self, url: str) -> bytes:
        """The signing certificate, for ``PayPal(cert_fetcher=fake.fetch_cert)`` over loopback.

        Raises:
            LookupError: ``url`` is not this fake's certificate URL.
        """
        if url != self.cert_url:
            raise LookupError(f"no certificate at {url}")
        return _signing_identity()[1]

    # -- the HTTP API ----------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """PayPal's body for server errors and rate limiting."""
        name = "RATE_LIMIT_REACHED" if status == 429 else "INTERNAL_SERVER_ERROR"
        return self._error(_ApiError(status, name, name, "An internal server error occurred."))

    def _error(self, error: _ApiError) -> httpx.Response:
        debug_id = secrets.token_hex(7)
        detail: dict[str, Any] = {"issue": error.issue, "description": error.description}
        if error.field:
            detail["field"] = error.field
            detail["location"] = "body"
        body = {
            "name": error.name,
            "message": "The requested action could not be performed, semantically incorrect, "
            "or failed business validation."
            if error.status == 422
            else error.description,
            "debug_id": debug_id,
            "details": [detail],
        }
        return httpx.Response(error.status, json=body, headers={"PayPal-Debug-Id": debug_id})

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Authenticate, replay by ``PayPal-Request-Id`` and route one request; see the class
        docstring for what is validated. The token endpoint, the signing certificate and the
        payer's approval page need no bearer token and are never replayed."""
        path = request.url.path
        if path in _PUBLIC:
            return self.route(request, request, {})
        self._authenticate(request)
        request_id = request.headers.get("PayPal-Request-Id")
        key = (request_id, path) if request.method == "POST" and request_id else None
        body = self._body(request)
        return self.answer_once(key, lambda: self.route(request, request, body))

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """PayPal's ``NOT_FOUND`` (404) or ``METHOD_NOT_SUPPORTED`` (405)."""
        name = "NOT_FOUND" if status == 404 else "METHOD_NOT_SUPPORTED"
        return _ApiError(status, name, name, f"No route for {request.method} {request.url.path}.")

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """PayPal's error body (``name``, ``message``, ``debug_id``, ``details``)."""
        return self._error(cast("_ApiError", refusal))

    @route("POST", "/v1/oauth2/token")
    def _token(self, request: httpx.Request, body: object) -> httpx.Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        given = request.headers.get("Authorization", "")
        if not secrets.compare_digest(given, f"Basic {expected}"):
            return httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": "Client Authentication failed",
                },
            )
        form = dict(
            pair.split("=", 1) for pair in request.content.decode().split("&") if "=" in pair
        )
        if form.get("grant_type") != "client_credentials":
            return httpx.Response(
                400,
                json={"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"},
            )
        token = "A21AA" + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return httpx.Response(
            200,
            json={
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": _now(self.now()) + secrets.token_hex(8),
            },
        )

    @route("GET", _CERT_PATH)
    def _certificate(self, request: httpx.Request, body: object) -> httpx.Response:
        return httpx.Response(200, content=_signing_identity()[1])

    @route("GET", _APPROVE_VAULT)
    def _payer_approves_vault(self, request: httpx.Request, body: object) -> httpx.Response:
        try:
            self.approve_setup(request.url.params.get("approval_session_id", ""))
        except (KeyError, ValueError):
            return httpx.Response(404, text="This approval session is not available.")
        return httpx.Response(200, text="PayPal saved for future payments.")

    @route("GET", "/checkoutnow")
    def _payer_approves(self, request: httpx.Request, body: object) -> httpx.Response:
        # The approval page the payer is redirected to; visiting it approves the order, so a
        # fake in another process (or a browser test) can approve without calling approve().
        try:
            self.approve(request.url.params.get("token", ""))
        except (KeyError, ValueError):
            return httpx.Response(404, text="This checkout session is not available.")
        return httpx.Response(200, text="Payment approved.")

    def _authenticate(self, request: httpx.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            raise _ApiError(
                401,
                "AUTHENTICATION_FAILURE",
                "INVALID_TOKEN",
                "Authentication failed due to invalid authentication credentials or a missing "
                "Authorization header.",
            )

    def _body(self, request: httpx.Request) -> dict[str, Any]:
        if request.method != "POST" or not request.content:
            return {}
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise _ApiError(
                415, "UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE", "Use application/json."
            )
        try:
            body = json.loads(request.content)
        except ValueError:
            raise _invalid(
                "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.", ""
            ) from None
        if not isinstance(body, dict):
            raise _invalid("MALFORMED_REQUEST_JSON", "The request JSON is not an object.", "")
        return body

    # -- Vault v3 ---------------------------------------------------------------------------

    def _vault_customer(self, body: dict[str, Any]) -> dict[str, str]:
        customer = body.get("customer")
        if customer is None:
            return {"id": self._new_id("CU")}
        customer_id = customer.get("id") if isinstance(customer, dict) else None
        if not isinstance(customer_id, str) or not re.fullmatch(
            r"[0-9a-zA-Z_-]{1,22}", customer_id
        ):
            raise _invalid(
                "INVALID_PARAMETER_SYNTAX", "The customer id is invalid.", "/customer/id"
            )
        return {"id": customer_id}

    @route("POST", "/v3/vault/setup-tokens")
    def _create_setup_token(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        source = body.get("payment_source")
        if not isinstance(source, dict) or not source:
            raise _invalid(
                "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "/payment_source"
            )
        paypal = source.get("paypal")
        if not isinstance(paypal, dict) or set(source) != {"paypal"}:
            raise _unprocessable(
                "UNSUPPORTED_PAYMENT_SOURCE", "The fake vaults PayPal wallets only."
            )
        usage = paypal.get("usage_type", "MERCHANT")
        if usage not in ("MERCHANT", "PLATFORM"):
            raise _invalid(
                "INVALID_PARAMETER_VALUE",
                "The value of a field is invalid.",
                "/payment_source/paypal/usage_type",
            )
        context = paypal.get("experience_context")
        for field in ("return_url", "cancel_url"):
            url = context.get(field) if isinstance(context, dict) else None
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise _invalid(
                    "MISSING_REQUIRED_PARAMETER",
                    "A required field is missing.",
                    f"/payment_source/paypal/experience_context/{field}",
                )
        token_id = self._new_id("ST")
        approve = f"https://www.sandbox.paypal.com{_APPROVE_VAULT}?approval_session_id={token_id}"
        token = SetupToken(
            id=token_id,
            customer=self._vault_customer(body),
            status="PAYER_ACTION_REQUIRED",
            payment_source={"paypal": {"usage_type": usage}},
            links=[
                {"href": approve, "rel": "approve", "method": "GET"},
                {
                    "href": self._vault_href("setup-tokens", token_id),
                    "rel": "self",
                    "method": "GET",
                },
            ],
        )
        self.setup_tokens[token_id] = token
        return httpx.Response(201, json=token.wire())

    @route("GET", "/v3/vault/setup-tokens/{token_id}")
    def _get_setup_token(
        self, request: httpx.Request, body: object, token_id: str
    ) -> httpx.Response:
        return httpx.Response(200, json=_find(self.setup_tokens, token_id).wire())

    @route("POST", "/v3/vault/payment-tokens")
    def _create_payment_token(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        source = body.get("payment_source")
        token = source.get("token") if isinstance(source, dict) else None
        if not isinstance(token, dict):
            raise _invalid(
                "MISSING_REQUIRED_PARAMETER",
                "A required field is missing.",
                "/payment_source/token",
            )
        if token.get("type") != "SETUP_TOKEN":
            raise _invalid(
                "INVALID_PARAMETER_VALUE",
                "The value of a field is invalid.",
                "/payment_source/token/type",
            )
        setup = _find(self.setup_tokens, str(token.get("id", "")))
        if setup._payment_token is not None:
            return httpx.Response(200, json=self.payment_tokens[setup._payment_token].wire())
        if setup.status != "APPROVED":
            raise _unprocessable(
                "SETUP_TOKEN_NOT_APPROVED", "The payer has not approved the setup token."
            )
        token_id = self._new_id("PT")
        saved = PaymentToken(
            id=token_id,
            customer=dict(setup.customer),
            payment_source={"paypal": dict(setup.payment_source["paypal"])},
            links=[
                {
                    "href": self._vault_href("payment-tokens", token_id),
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": self._vault_href("payment-tokens", token_id),
                    "rel": "delete",
                    "method": "DELETE",
                },
            ],
        )
        self.payment_tokens[token_id] = saved
        setup._payment_token = token_id
        setup.status = "VAULTED"
        return httpx.Response(201, json=saved.wire())

    @route("GET", "/v3/vault/payment-tokens")
    def _list_payment_tokens(self, request: httpx.Request, body: object) -> httpx.Response:
        customer_id = request.url.params.get("customer_id")
        if not customer_id:
            raise _invalid(
                "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "customer_id"
            )
        tokens = [
            t.wire()
            for t in self.payment_tokens.values()
            if t.customer["id"] == customer_id and t._state != "deleted"
        ]
        return httpx.Response(
            200,
            json={
                "customer": {"id": customer_id},
                "payment_tokens": tokens,
                "total_items": len(tokens),
                "total_pages": 1,
                "links": [
                    {
                        "href": f"https://api.sandbox.paypal.com/v3/vault/payment-tokens"
                        f"?customer_id={customer_id}",
                        "rel": "self",
                        "method": "GET",
                    }
                ],
            },
        )

    def _live_token(self, token_id: str) -> PaymentToken:
        token = _find(self.payment_tokens, token_id)
        if token._state == "deleted":
            raise _not_found()
        return token

    @route("GET", "/v3/vault/payment-tokens/{token_id}")
    def _get_payment_token(
        self, request: httpx.Request, body: object, token_id: str
    ) -> httpx.Response:
        return httpx.Response(200, json=self._live_token(token_id).wire())

    @route("DELETE", "/v3/vault/payment-tokens/{token_id}")
    def _delete_payment_token(
        self, request: httpx.Request, body: object, token_id: str
    ) -> httpx.Response:
        _find(self.payment_tokens, token_id)._state = "deleted"
        return httpx.Response(204)

    @staticmethod
    def _vault_href(collection: str, resource_id: str) -> str:
        return f"https://api.sandbox.paypal.com/v3/vault/{collection}/{resource_id}"

    @staticmethod
    def _stored_credential(credential: object) -> None:
        """Check ``payment_source.paypal.stored_credential`` (as PayPal's server SDK models
        it: ``payment_initiator``, ``usage``, ``usage_pattern``), if sent."""
        if credential is None:
            return
        where = "/payment_source/paypal/stored_credential"
        if not isinstance(credential, dict):
            raise _invalid("INVALID_PARAMETER_SYNTAX", "Not an object.", where)
        if credential.get("payment_initiator") not in ("CUSTOMER", "MERCHANT"):
            raise _invalid(
                "INVALID_PARAMETER_VALUE",
                "The value of a field is invalid.",
                f"{where}/payment_initiator",
            )
        if credential.get("usage", "DERIVED") not in ("FIRST", "SUBSEQUENT", "DERIVED"):
            raise _invalid(
                "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", f"{where}/usage"
            )

    def _vaulted_order(self, order: Order, vault_id: object) -> None:
        """Pay a just created order with a saved token: completed and captured at once."""
        if not isinstance(vault_id, str) or not _VAULT_ID.fullmatch(vault_id):
            raise _invalid(
                "INVALID_PARAMETER_SYNTAX",
                "The vault_id is invalid.",
                "/payment_source/paypal/vault_id",
            )
        token = self.payment_tokens.get(vault_id)
        if token is None or token._state in ("revoked", "deleted"):
            raise _unprocessable(
                "PAYMENT_SOURCE_CANNOT_BE_USED",
                "The provided payment source cannot be used to pay for the order. Please try "
                "again with a different payment source by creating a new order.",
            )
        if token._state == "declined":
            raise _unprocessable(
                "INSTRUMENT_DECLINED",
                # Word for word as the Orders v2 spec has it (two spaces and all).
                "The instrument presented  was either declined by the processor or bank, or it "
                "can't be used for this payment.",
            )
        if order.intent != "CAPTURE":
            raise _unprocessable("UNSUPPORTED_INTENT", "The fake captures vaulted orders only.")
        order.status = "COMPLETED"
        order.links = [link for link in order.links if link["rel"] == "self"]
        self._new_capture(order, order.amount, None)

    @route("GET", "/v2/checkout/orders/{order_id}")
    def _get_order(self, request: httpx.Request, body: object, order_id: str) -> httpx.Response:
        return httpx.Response(200, json=self._order_view(_find(self.orders, order_id)))

    @route("GET", "/v2/payments/{kind}/{item_id}")
    def _get_payment(
        self, request: httpx.Request, body: object, kind: str, item_id: str
    ) -> httpx.Response:
        return httpx.Response(200, json=_find(self._payments(kind), item_id).wire())

    def _payments(self, kind: str) -> Mapping[str, Authorization | Capture | Refund]:
        stores: dict[str, Mapping[str, Authorization | Capture | Refund]] = {
            "authorizations": self.authorizations,
            "captures": self.captures,
            "refunds": self.refunds,
        }
        return stores.get(kind, {})

    def _new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids):04d}{secrets.token_hex(6).upper()}"[:17]

    @route("POST", "/v2/checkout/orders")
    def _create_order(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        intent = body.get("intent")
        if intent is None:
            raise _invalid("MISSING_REQUIRED_PARAMETER", "A required field is missing.", "/intent")
        if intent not in ("CAPTURE", "AUTHORIZE"):
            raise _invalid("INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "/intent")
        units = body.get("purchase_units")
        if not isinstance(units, list) or not units:
            raise _invalid(
                "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "/purchase_units"
            )
        if len(units) > 10:
            raise _invalid("INVALID_ARRAY_MAX_ITEMS", "Too many purchase units.", "/purchase_units")
        if len(units) > 1:
            raise _unprocessable("MULTIPLE_PURCHASE_UNITS", "The fake supports one purchase unit.")
        unit = units[0]
        if not isinstance(unit, dict):
            raise _invalid("INVALID_PARAMETER_SYNTAX", "Not an object.", "/purchase_units/0")
        amount = _money(unit.get("amount"), "/purchase_units/@reference_id=='default'/amount")
        for field, limit in (("invoice_id", 127), ("custom_id", 127), ("description", 127)):
            if field in unit and (not isinstance(unit[field], str) or len(unit[field]) > limit):
                raise _invalid(
                    "INVALID_STRING_LENGTH",
                    f"The value of a field is too long (at most {limit}).",
                    f"/purchase_units/0/{field}",
                )
        invoice_id = unit.get("invoice_id")
        if (
            self.block_duplicate_invoice_ids
            and invoice_id
            and any(
                o.unit.get("invoice_id") == invoice_id and o._captured for o in self.orders.values()
            )
        ):
            raise _unprocessable("DUPLICATE_INVOICE_ID", "Duplicate Invoice ID detected.")
        order_id = self._new_id()
        source = (body.get("payment_source") or {}).get("paypal")
        vault_id = source.get("vault_id") if isinstance(source, dict) else None
        status = "PAYER_ACTION_REQUIRED" if source is not None else "CREATED"
        approve = f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}"
        self.orders[order_id] = order = Order(
            id=order_id,
            intent=intent,
            status=status,
            create_time=_now(self.now()),
            unit={
                "reference_id": unit.get("reference_id", "default"),
                **{k: unit[k] for k in ("invoice_id", "custom_id", "description") if k in unit},
            },
            amount=amount,
            links=[
                {"href": self._href("checkout/orders", order_id), "rel": "self", "method": "GET"},
                {
                    "href": approve,
                    "rel": "payer-action" if source is not None else "approve",
                    "method": "GET",
                },
            ],
        )
        if vault_id is not None:
            assert isinstance(source, dict)  # a vault_id was read from it
            try:
                self._stored_credential(source.get("stored_credential"))
                self._vaulted_order(order, vault_id)
            except _ApiError:
                del self.orders[order_id]  # a refused request creates no order
                raise
        return httpx.Response(201, json=self._order_view(order))

    @staticmethod
    def _href(collection: str, resource_id: str) -> str:
        base = "https://api.sandbox.paypal.com/v2/"
        return f"{base}{collection}/{resource_id}"

    def _order_view(self, order: Order) -> dict[str, Any]:
        """The order with its payments in its purchase unit, as the API shows it."""
        view = order.wire()
        # Each order lists its payments' ids, so a view costs O(own payments).
        payments = {
            kind: [self._payments(kind)[i].wire() for i in ids]
            for kind, ids in order._payments.items()
        }
        if payments:
            view["purchase_units"][0]["payments"] = payments
        return view

    def _check_approved(self, order: Order, intent: str) -> None:
        if order.intent != intent:
            raise _unprocessable(
                "ACTION_DOES_NOT_MATCH_INTENT",
                f"Order was created with an intent to '{order.intent}'.",
            )
        if order.status == "COMPLETED":
            issue = "ORDER_ALREADY_CAPTURED" if intent == "CAPTURE" else "ORDER_ALREADY_AUTHORIZED"
            raise _unprocessable(issue, "Order already processed.")
        if order.status != "APPROVED":
            raise _unprocessable(
                "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment."
            )
        if order.id in self._declined:
            raise _unprocessable(
                "INSTRUMENT_DECLINED",
                "The instrument presented was either declined by the processor or bank, or it "
                "can't be used for this payment.",
            )

    def _new_capture(
        self, order: Order, amount: Money, up: str | None, *, final: bool = True
    ) -> Capture:
        capture_id = self._new_id("C")
        now = self.now()
        capture = Capture(
            id=capture_id,
            status="COMPLETED",
            amount=amount,
            final_capture=final,
            create_time=_now(now),
            supplementary_data={"related_ids": {"order_id": order.id}},
            order=order.id,
            made=now,
            links=[
                {
                    "href": self._href("payments/captures", capture_id),
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": self._href("payments/captures", capture_id) + "/refund",
                    "rel": "refund",
                    "method": "POST",
                },
            ]
            + ([{"href": up, "rel": "up", "method": "GET"}] if up else []),
        )
        self.captures[capture_id] = capture
        order.add_payment("captures", capture_id)
        order._captured = True
        self._emit("PAYMENT.CAPTURE.COMPLETED", "capture", capture.wire())
        return capture

    @route("POST", "/v2/checkout/orders/{order_id}/capture")
    def _capture_order(self, request: httpx.Request, body: object, order_id: str) -> httpx.Response:
        order = _find(self.orders, order_id)
        self._check_approved(order, "CAPTURE")
        order.status = "COMPLETED"
        self._new_capture(order, order.amount, None)
        return httpx.Response(201, json=self._order_view(order))

    @route("POST", "/v2/checkout/orders/{order_id}/authorize")
    def _authorize_order(
        self, request: httpx.Request, body: object, order_id: str
    ) -> httpx.Response:
        order = _find(self.orders, order_id)
        self._check_approved(order, "AUTHORIZE")
        order.status = "COMPLETED"
        authorization_id = self._new_id("A")
        now = self.now()
        expires = now + _AUTHORIZATION_VALIDITY
        authorization = Authorization(
            id=authorization_id,
            status="CREATED",
            amount=order.amount,
            create_time=_now(now),
            expiration_time=_now(expires),
            supplementary_data={"related_ids": {"order_id": order.id}},
            links=[
                {
                    "href": self._href("payments/authorizations", authorization_id),
                    "rel": "self",
                    "method": "GET",
                },
            ],
            order=order.id,
            expires=expires,
        )
        self.authorizations[authorization_id] = authorization
        order.add_payment("authorizations", authorization_id)
        self._emit("PAYMENT.AUTHORIZATION.CREATED", "authorization", authorization.wire())
        return httpx.Response(201, json=self._order_view(order))

    @route("POST", "/v2/payments/authorizations/{authorization_id}/capture")
    def _capture_authorization(
        self, request: httpx.Request, body: dict[str, Any], authorization_id: str
    ) -> httpx.Response:
        authorization = _find(self.authorizations, authorization_id)
        status = authorization.status
        if status == "VOIDED":
            raise _unprocessable(
                "AUTHORIZATION_VOIDED", "A voided authorization cannot be captured."
            )
        if authorization.expired(self.now()):  # 29 days, on the fake's clock
            raise _unprocessable(
                "AUTHORIZATION_EXPIRED", "An expired authorization cannot be captured."
            )
        if status == "CAPTURED":
            raise _unprocessable(
                "AUTHORIZATION_ALREADY_CAPTURED",
                "Authorization has been previously captured and hence cannot be voided or "
                "captured.",
            )
        amount, remaining = _portion(
            authorization,
            self.captures,
            body,
            mismatch=_unprocessable(
                "AUTH_CAPTURE_CURRENCY_MISMATCH",
                "Currency of capture must be the same as currency of authorization.",
            ),
            exceeded=_unprocessable(
                "MAX_CAPTURE_AMOUNT_EXCEEDED", "Capture amount exceeds allowable limit."
            ),
        )
        order = self.orders[authorization._order]
        if order.id in self._declined:
            raise _unprocessable("INSTRUMENT_DECLINED", "The instrument presented was declined.")
        up = self._href("payments/authorizations", authorization.id)
        final = bool(body.get("final_capture", False))
        capture = self._new_capture(order, amount, up, final=final)
        authorization._children.append(capture.id)
        authorization.status = "CAPTURED" if final or amount == remaining else "PARTIALLY_CAPTURED"
        return httpx.Response(201, json=capture.wire())

    @route("POST", "/v2/payments/authorizations/{authorization_id}/void")
    def _void(self, request: httpx.Request, body: object, authorization_id: str) -> httpx.Response:
        authorization = _find(self.authorizations, authorization_id)
        # PayPal voids what is left of an authorization, after a partial capture too; only a
        # fully captured or already voided one is refused (issues of authorizations.void-422).
        status = authorization.status
        if status == "CAPTURED":
            raise _unprocessable(
                "PREVIOUSLY_CAPTURED",
                "Authorization has been previously captured and hence cannot be voided.",
            )
        if status == "VOIDED":
            raise _unprocessable(
                "PREVIOUSLY_VOIDED",
                "Authorization has been previously voided and hence cannot be voided again.",
            )
        if status not in ("CREATED", "PARTIALLY_CAPTURED"):
            raise _unprocessable(
                "CANNOT_BE_VOIDED",
                "A reauthorization cannot be voided. Please void the original "
                "parent authorization.",
            )
        authorization.status = "VOIDED"
        self._emit("PAYMENT.AUTHORIZATION.VOIDED", "authorization", authorization.wire())
        if "return=representation" in request.headers.get("Prefer", ""):
            return httpx.Response(200, json=authorization.wire())
        return httpx.Response(204)

    @route("POST", "/v2/payments/captures/{capture_id}/refund")
    def _refund(
        self, request: httpx.Request, body: dict[str, Any], capture_id: str
    ) -> httpx.Response:
        capture = _find(self.captures, capture_id)
        if capture.status not in ("COMPLETED", "PARTIALLY_REFUNDED"):
            raise _unprocessable(
                "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded."
            )
        if not capture.refundable(self.now()):  # 180 days, on the fake's clock
            raise _unprocessable(
                "REFUND_TIME_LIMIT_EXCEEDED",
                "You are over the time limit to perform a refund on this capture.",
            )
        up = self._href("payments/captures", capture.id)
        amount, remaining = _portion(
            capture,
            self.refunds,
            body,
            mismatch=_unprocessable(
                "REFUND_CAPTURE_CURRENCY_MISMATCH",
                "Refund must be in the same currency as the capture.",
            ),
            exceeded=_unprocessable(
                "REFUND_AMOUNT_EXCEEDED",
                "The refund amount must be less than or equal to the capture amount that has "
                "not yet been refunded.",
            ),
        )
        note = body.get("note_to_payer")
        if note is not None and (not isinstance(note, str) or len(note) > 255):
            raise _invalid("INVALID_STRING_LENGTH", "note_to_payer is too long.", "/note_to_payer")
        refund_id = self._new_id("R")
        refund = Refund(
            id=refund_id,
            status="COMPLETED",
            amount=amount,
            create_time=_now(self.now()),
            links=[
                {"href": self._href("payments/refunds", refund_id), "rel": "self", "method": "GET"},
                {"href": up, "rel": "up", "method": "GET"},
            ],
            order=capture._order,
            note_to_payer=note or None,
        )
        self.refunds[refund_id] = refund
        self.orders[refund._order].add_payment("refunds", refund_id)
        capture._children.append(refund_id)
        capture.status = "REFUNDED" if amount == remaining else "PARTIALLY_REFUNDED"
        # As PayPal sends it: the refund names its capture in ``links`` (``rel: up``) only.
        self._emit("PAYMENT.CAPTURE.REFUNDED", "refund", refund.wire())
        return httpx.Response(201, json=refund.wire())

    @route("POST", "/v1/notifications/verify-webhook-signature")
    def _verify(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        required = (
            "auth_algo",
            "cert_url",
            "transmission_id",
            "transmission_sig",
            "transmission_time",
            "webhook_id",
            "webhook_event",
        )
        for field in required:
            if not body.get(field):
                raise _invalid(
                    "MISSING_REQUIRED_PARAMETER", "A required field is missing.", f"/{field}"
                )
        key = _signing_identity()[0]
        # PayPal checks the signature over the body it sent, which it keeps; so does the fake.
        sent = self._sent.get(str(body["transmission_id"]))
        ok = (
            sent is not None
            and json.loads(sent) == body["webhook_event"]
            and body["webhook_id"] == self.webhook_id
            and body["cert_url"] == self.cert_url
        )
        crc = zlib.crc32(sent or b"")
        message = "|".join(
            (body["transmission_id"], body["transmission_time"], body["webhook_id"], str(crc))
        )
        try:
            signature = base64.b64decode(body["transmission_sig"], validate=True)
            key.public_key().verify(
                signature, message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:  # noqa: BLE001  # any failure is a verification failure
            ok = False
        return httpx.Response(200, json={"verification_status": "SUCCESS" if ok else "FAILURE"})

    def _emit(self, event_type: str, resource_type: str, resource: dict[str, Any]) -> None:
        self._outbox.append(
            {
                "id": "WH-" + secrets.token_hex(10).upper(),
                "event_version": "1.0",
                "create_time": _now(self.now()),
                "resource_type": resource_type,
                "resource_version": "2.0",
                "event_type": event_type,
                "summary": event_type.replace(".", " ").lower(),
                "resource": resource,
            }
        )
