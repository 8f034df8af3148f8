"""PayPal REST: Orders v2, Payments v2, Vault v3 and webhook verification.

One :class:`PayPalWire` holds the whole wire format; :class:`PayPal` and
:class:`AsyncPayPal` run it synchronously and asynchronously. A payment's id is the PayPal
order id. Amounts travel as strings with the currency's decimals (``"10.00"``, ``"1000"`` for
JPY). Every mutating call sends a ``PayPal-Request-Id`` generated once per call, so a retry
after a lost answer does not capture or refund twice.

Saved PayPal wallets (``capabilities.saved_methods``, Vault v3): ``setup_method`` creates a
setup token (``POST /v3/vault/setup-tokens``, ``payment_source.paypal`` with ``usage_type:
MERCHANT`` and the return and cancel URLs); the payer approves at its ``approve`` link;
``confirm_method`` turns it into a payment token (``POST /v3/vault/payment-tokens`` with
``payment_source.token`` of type ``SETUP_TOKEN``, the ``PayPal-Request-Id`` made from the
setup token's id). PayPal assigns the customer id (``customer.id``) the token is saved under.
``list_methods`` is ``GET /v3/vault/payment-tokens?customer_id=``, ``delete_method``
``DELETE /v3/vault/payment-tokens/{id}``. ``charge_method`` creates an order with intent
``CAPTURE`` paid by ``payment_source.paypal.vault_id``, marked merchant-initiated
(``stored_credential``: ``payment_initiator: MERCHANT``, ``usage: SUBSEQUENT``, as PayPal's
server SDK models it; the published Orders v2 file predates the field), which PayPal
completes and captures without the payer; its ``PayPal-Request-Id`` is made from the
caller's request id. A token PayPal refuses as unusable (``PAYMENT_SOURCE_CANNOT_BE_USED``,
``CARD_EXPIRED``) raises :class:`~payportal.exceptions.SavedMethodUnusableError`.

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest, PaymentStatus
>>> from payportal.testing.fake_paypal import FakePayPal
>>> fake = FakePayPal()
>>> paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
>>> payment = paypal.create_payment(PaymentRequest(
...     amount=Money("10.00", "EUR"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel"))
>>> payment.status, payment.redirect_url.startswith("https://www.sandbox.paypal.com/")
(<PaymentStatus.CREATED: 'created'>, True)
>>> fake.approve(payment.id)                   # the payer approves at PayPal
>>> paypal.capture(payment.id).status
<PaymentStatus.PAID: 'paid'>
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import re
import ssl
import time
import warnings
import zlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import attrs
import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    SavedMethodUnusableError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers._core import (
    AsyncHTTPOptions,
    AsyncHTTPProvider,
    HTTPOptions,
    HTTPProvider,
    Operation,
    TokenCache,
    Wire,
    check_sent_recently,
    checked_id,
    decimal_text,
    error_for_status,
    error_object,
    first_object,
    idempotency_key,
    json_request,
    read_json,
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
from payportal.providers._saved import MethodKind, MethodSetup, SavedMethod, mask_email

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping, Sequence

__all__ = [
    "LIVE_URL",
    "SANDBOX_URL",
    "WHOLE_UNIT_CURRENCIES",
    "AsyncPayPal",
    "PayPal",
    "PayPalOptions",
    "PayPalWire",
    "format_amount",
    "is_paypal_host",
    "parse_amount",
    "system_trust_roots",
    "token_to_method",
]

SANDBOX_URL = "https://api-m.sandbox.paypal.com"
LIVE_URL = "https://api-m.paypal.com"
_URLS = {"sandbox": SANDBOX_URL, "live": LIVE_URL}

# Webhook certificates are only fetched from PayPal's own hosts, over HTTPS, and only trusted
# when issued to a PayPal name (paypal.com or a subdomain) and chained to a trusted root.
PAYPAL_DOMAIN = "paypal.com"
CERT_HOST_SUFFIXES = ("." + PAYPAL_DOMAIN,)
_CERT_CACHE_SIZE = 16
# PayPal's signing certificate is a WebPKI certificate used for signatures, not a TLS
# client: any extended key usage will do.
_SIGNING_CERT_POLICY = ExtensionPolicy.webpki_defaults_ee().may_be_present(
    x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None
)
WHOLE_UNIT_CURRENCIES = frozenset({"HUF", "JPY", "TWD"})
"""Currencies PayPal accepts without decimals (its currency-codes reference)."""
_ORDER_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_VAULT_ID = re.compile(r"[0-9a-zA-Z_-]{1,255}")
# Issues by which PayPal refuses a saved payment source for good (not for this one payment).
_UNUSABLE_SOURCE = frozenset({"PAYMENT_SOURCE_CANNOT_BE_USED", "CARD_EXPIRED"})

# PayPal issues (details[].issue or name) that mean "declined", not "malformed".
_DECLINED = frozenset(
    {
        "INSTRUMENT_DECLINED",
        "TRANSACTION_REFUSED",
        "PAYER_CANNOT_PAY",
        "PAYEE_ACCOUNT_RESTRICTED",
        "PAYER_ACCOUNT_RESTRICTED",
        "AUTHORIZATION_DENIED",
        "COMPLIANCE_VIOLATION",
        "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED",
        "CARD_EXPIRED",
    }
)

_CAPTURE_STATUS = {
    "COMPLETED": PaymentStatus.PAID,
    "PENDING": PaymentStatus.PENDING,
    "PARTIALLY_REFUNDED": PaymentStatus.PARTIALLY_REFUNDED,
    "REFUNDED": PaymentStatus.REFUNDED,
    "DECLINED": PaymentStatus.FAILED,
    "FAILED": PaymentStatus.FAILED,
}
_AUTHORIZATION_STATUS = {
    "CREATED": PaymentStatus.AUTHORIZED,
    "PENDING": PaymentStatus.PENDING,
    "PARTIALLY_CAPTURED": PaymentStatus.PAID,
    "CAPTURED": PaymentStatus.PAID,
    "VOIDED": PaymentStatus.CANCELLED,
    "DENIED": PaymentStatus.FAILED,
    "EXPIRED": PaymentStatus.EXPIRED,
}
_ORDER_STATUS = {
    "CREATED": PaymentStatus.CREATED,
    "SAVED": PaymentStatus.CREATED,
    "PAYER_ACTION_REQUIRED": PaymentStatus.CREATED,
    "APPROVED": PaymentStatus.AUTHORIZED,
    "VOIDED": PaymentStatus.CANCELLED,
    "COMPLETED": PaymentStatus.PAID,
}
_EVENT_STATUS = {
    "CHECKOUT.ORDER.APPROVED": PaymentStatus.AUTHORIZED,
    "CHECKOUT.ORDER.VOIDED": PaymentStatus.CANCELLED,
    "PAYMENT.AUTHORIZATION.CREATED": PaymentStatus.AUTHORIZED,
    "PAYMENT.AUTHORIZATION.VOIDED": PaymentStatus.CANCELLED,
    "PAYMENT.CAPTURE.COMPLETED": PaymentStatus.PAID,
    "PAYMENT.CAPTURE.PENDING": PaymentStatus.PENDING,
    "PAYMENT.CAPTURE.DENIED": PaymentStatus.FAILED,
    "PAYMENT.CAPTURE.DECLINED": PaymentStatus.FAILED,
    # A refund or reversal (chargeback) names its capture, not the order; the status comes
    # from that capture, read back (REFUNDED or PARTIALLY_REFUNDED); REFUNDED if unreadable.
    "PAYMENT.CAPTURE.REFUNDED": PaymentStatus.REFUNDED,
    "PAYMENT.CAPTURE.REVERSED": PaymentStatus.REFUNDED,
}
# Events whose resource is a refund: its ``up`` link names the capture.
_REFUND_EVENTS = frozenset({"PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"})
# Captures and refunds that moved (or are moving) money; the others never did.
_LIVE_CAPTURES = frozenset({"COMPLETED", "PENDING", "PARTIALLY_REFUNDED", "REFUNDED"})
_LIVE_REFUNDS = frozenset({"COMPLETED", "PENDING"})


def format_amount(money: Money) -> dict[str, str]:
    """PayPal's money object: the currency and the amount with exactly its decimals.

    PayPal takes whole units only for HUF, JPY and TWD, although ISO 4217 gives HUF and TWD
    two decimals.

    >>> format_amount(Money("5", "EUR")), format_amount(Money("500", "JPY"))
    ({'currency_code': 'EUR', 'value': '5.00'}, {'currency_code': 'JPY', 'value': '500'})
    >>> format_amount(Money("1500.00", "HUF"))
    {'currency_code': 'HUF', 'value': '1500'}

    Raises:
        InvalidRequestError: a fraction in one of PayPal's whole-unit currencies.
    """
    value = decimal_text(
        money, "paypal", whole_units=WHOLE_UNIT_CURRENCIES, code="DECIMALS_NOT_SUPPORTED"
    )
    return {"currency_code": money.currency, "value": value}


def parse_amount(data: object) -> Money:
    """Read PayPal's money object back into :class:`~payportal.Money`.

    Raises:
        ProviderError: the object is not a valid money object.
    """
    if not isinstance(data, dict):
        data = {}
    return read_money(data.get("value"), data.get("currency_code"), "paypal", field="amount")


def _links(data: Mapping[str, Any], rel: str) -> str | None:
    links = data.get("links")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("rel") == rel and isinstance(link.get("href"), str):
            return str(link["href"])
    return None


def is_paypal_host(host: str) -> bool:
    """Whether ``host`` is PayPal's: ``paypal.com`` or one of its subdomains.

    >>> is_paypal_host("api.sandbox.paypal.com"), is_paypal_host("paypal.com.evil.example")
    (True, False)
    """
    host = host.lower().rstrip(".")
    return host == PAYPAL_DOMAIN or host.endswith(CERT_HOST_SUFFIXES)


@functools.cache
def system_trust_roots() -> tuple[x509.Certificate, ...]:
    """The CA certificates of the system's trust store, loaded once per process.

    The file OpenSSL uses by default (``SSL_CERT_FILE``, then the platform's CA bundle);
    ``certifi``'s bundle if the system has none. Entries ``cryptography`` cannot read are
    skipped.
    """
    paths = ssl.get_default_verify_paths()
    candidates = [os.environ.get(paths.openssl_cafile_env), paths.cafile, paths.openssl_cafile]
    try:
        import certifi  # noqa: PLC0415  # httpx's dependency; only a fallback

        candidates.append(certifi.where())
    except ImportError:  # pragma: no cover - httpx installs it
        pass
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            with open(candidate, "rb") as bundle:
                roots = _read_pem_certificates(bundle.read())
            if roots:
                return roots
    return ()


def _read_pem_certificates(pem: bytes) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM bundle that ``cryptography`` reads without complaint."""
    marker = b"-----BEGIN CERTIFICATE-----"
    certificates = []
    for block in pem.split(marker)[1:]:
        with warnings.catch_warnings():
            # A few old roots break RFC 5280 (a negative serial): skip them, never crash.
            warnings.simplefilter("error", CryptographyDeprecationWarning)
            try:
                certificates.append(x509.load_pem_x509_certificate(marker + block))
            except (ValueError, CryptographyDeprecationWarning):
                continue
    return tuple(certificates)


def _payments(order: Mapping[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The authorizations, captures and refunds of an order's (first) purchase unit."""
    units = order.get("purchase_units") or [{}]
    payments = units[0].get("payments") or {}
    return (
        list(payments.get("authorizations", ())),
        list(payments.get("captures", ())),
        list(payments.get("refunds", ())),
    )


def _sum(items: Iterable[Mapping[str, Any]], zero: Money) -> Money:
    return sum((parse_amount(item["amount"]) for item in items), zero)


def order_to_payment(order: Mapping[str, Any]) -> Payment:
    """Map a PayPal order (as ``GET /v2/checkout/orders/{id}`` returns it) to a Payment."""
    units = order.get("purchase_units") or [{}]
    amount = parse_amount(units[0].get("amount"))
    zero = Money.zero(amount.currency)
    authorizations, captures, refunds = _payments(order)
    live_captures = [c for c in captures if c.get("status") in _LIVE_CAPTURES]
    live_refunds = [r for r in refunds if r.get("status") in _LIVE_REFUNDS]
    captured = _sum(live_captures, zero)
    refunded = _sum(live_refunds, zero)
    order_status = str(order.get("status", ""))
    detail = ""
    if order_status == "VOIDED":
        status = PaymentStatus.CANCELLED
    elif captures:
        detail = str(captures[-1].get("status", ""))
        if not live_captures:
            status = PaymentStatus.FAILED
        elif refunded and refunded >= captured:
            status = PaymentStatus.REFUNDED
        elif refunded:
            status = PaymentStatus.PARTIALLY_REFUNDED
        elif any(c.get("status") == "PENDING" for c in live_captures):
            status = PaymentStatus.PENDING
        else:
            status = PaymentStatus.PAID
    elif authorizations:
        detail = str(authorizations[-1].get("status", ""))
        status = _AUTHORIZATION_STATUS.get(detail, PaymentStatus.PENDING)
    else:
        status = _ORDER_STATUS.get(order_status, PaymentStatus.PENDING)
    approve = _links(order, "approve") or _links(order, "payer-action")
    return Payment(
        id=str(order["id"]),
        provider="paypal",
        status=status,
        raw_status=f"{order_status}/{detail}" if detail else order_status,
        amount=amount,
        captured=captured,
        refunded=refunded,
        reference=units[0].get("invoice_id") or units[0].get("reference_id"),
        redirect_url=approve if status is PaymentStatus.CREATED else None,
        refunds=[
            Refund(id=str(r["id"]), amount=parse_amount(r["amount"]), raw_status=r["status"])
            for r in live_refunds
        ],
    )


def token_to_method(token: Mapping[str, Any], customer: str | None = None) -> SavedMethod:
    """Map a Vault v3 payment token to a :class:`~payportal.providers.SavedMethod`; the
    PayPal account's e-mail is kept masked.

    >>> method = token_to_method({"id": "8kk8451t", "customer": {"id": "CU1"},
    ...     "payment_source": {"paypal": {"email_address": "jane@example.com"}}})
    >>> method.customer, method.kind, method.display
    ('CU1', <MethodKind.PAYPAL: 'paypal'>, 'PayPal j•••@example.com')

    Raises:
        ProviderError: the token lacks its id or customer.
    """
    token_id = token.get("id")
    customer_id = (token.get("customer") or {}).get("id") or customer
    if not isinstance(token_id, str) or not isinstance(customer_id, str):
        raise ProviderError(
            "PayPal sent a payment token without its id or customer", provider="paypal"
        )
    source = token.get("payment_source") or {}
    paypal = source.get("paypal")
    if isinstance(paypal, dict):
        email = paypal.get("email_address")
        return SavedMethod(
            id=token_id,
            provider="paypal",
            customer=customer_id,
            kind=MethodKind.PAYPAL,
            email=mask_email(email) if isinstance(email, str) else None,
        )
    return SavedMethod(id=token_id, provider="paypal", customer=customer_id, kind=MethodKind.OTHER)


class PayPalWire(Wire):
    """PayPal REST's wire format, free of I/O; run it with :class:`PayPal`/:class:`AsyncPayPal`.

    Args:
        client_id: the REST app's client id.
        client_secret: the REST app's secret; never shown in ``repr``, logs or errors.
        environment: ``"sandbox"`` or ``"live"``; picks the base URL.
        base_url: overrides the environment's base URL (a fake server on loopback).
        intent: ``"CAPTURE"`` (capture the whole order once) or ``"AUTHORIZE"`` (authorize,
            then capture in parts or void).
        webhook_id: the id of the webhook PayPal signs notifications for; needed to verify.
        webhook_verification: ``"offline"`` checks the signature here with PayPal's
            certificate; ``"api"`` asks PayPal's verify-webhook-signature endpoint.
        cert_fetcher: returns the PEM certificate at a URL; by default it is fetched through
            the provider's HTTP client. It is called synchronously, under
            :class:`AsyncPayPal` too. Certificates are cached by URL (as PayPal recommends)
            and checked for validity again on each use.
        webhook_trust_roots: the CA certificates a webhook signing certificate must chain
            to; by default the system's trust store (:func:`system_trust_roots`). The
            certificate must be valid now and issued to ``paypal.com`` or a subdomain.
        webhook_tolerance: refuse notifications whose transmission time is further than this
            from now (replays); ``None`` accepts any time, relying on event-id deduplication.
        wall_clock: seconds since the epoch, for token expiry and certificate validity.

    Raises:
        ValidationError: an argument is out of range.
    """

    name = "paypal"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        environment: Literal["sandbox", "live"] = "sandbox",
        base_url: str | None = None,
        intent: Literal["CAPTURE", "AUTHORIZE"] = "CAPTURE",
        webhook_id: str | None = None,
        webhook_verification: Literal["offline", "api"] = "offline",
        cert_fetcher: Callable[[str], bytes] | None = None,
        webhook_trust_roots: Sequence[x509.Certificate] | None = None,
        webhook_tolerance: timedelta | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise ValidationError(
                "must both be given", field="client_id/client_secret", value="(hidden)"
            )
        if environment not in _URLS:
            raise ValidationError(
                "must be 'sandbox' or 'live'", field="environment", value=environment
            )
        if intent not in ("CAPTURE", "AUTHORIZE"):
            raise ValidationError("must be 'CAPTURE' or 'AUTHORIZE'", field="intent", value=intent)
        if webhook_verification not in ("offline", "api"):
            raise ValidationError(
                "must be 'offline' or 'api'",
                field="webhook_verification",
                value=webhook_verification,
            )
        self._client_id = client_id
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.environment = environment
        self.base_url = (base_url or _URLS[environment]).rstrip("/")
        self.intent = intent
        self.webhook_id = webhook_id
        self.webhook_verification = webhook_verification
        self._cert_fetcher = cert_fetcher
        self._trust_roots = None if webhook_trust_roots is None else tuple(webhook_trust_roots)
        self._webhook_tolerance = webhook_tolerance
        self._clock = wall_clock
        self._token = TokenCache(wall_clock)
        self._certs: dict[str, x509.Certificate] = {}
        authorize = intent == "AUTHORIZE"
        self.capabilities = Capabilities(
            capture=True,
            partial_capture=authorize,
            refund=True,
            partial_refund=True,
            multiple_refunds=True,
            void=authorize,
            webhook_signatures=webhook_id is not None,
            redirect=True,
            saved_methods=True,
        )

    def __repr__(self) -> str:
        # The client id is not secret but long; enough of it to tell two apps apart.
        return (
            f"PayPalWire(environment={self.environment!r}, client_id={self._client_id[:6]!r}…, "
            f"intent={self.intent!r})"
        )

    # -- errors --------------------------------------------------------------------------

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        data = error_object(response)
        request_id = data.get("debug_id") or response.headers.get("PayPal-Debug-Id")
        first = first_object(data, "details")
        code: str | None
        if "error" in data:  # the OAuth endpoint's own error format
            code = str(data["error"])
            message = str(data.get("error_description") or code)
        else:
            code = str(first.get("issue") if first else data.get("name", "")) or None
            message = str(
                first.get("description")
                or data.get("message")
                or f"PayPal answered HTTP {response.status_code}"
            )
        kind = error_for_status(response.status_code)
        if code in _DECLINED:
            kind = PaymentDeclinedError
        raise kind(
            message,
            provider=self.name,
            code=code,
            request_id=request_id,
            status_code=response.status_code,
        )

    # -- transport helpers ---------------------------------------------------------------

    def _access_token(self) -> Generator[httpx.Request, httpx.Response, str]:
        cached = self._token.get()
        if cached is not None:
            return cached
        response = yield httpx.Request(
            "POST",
            f"{self.base_url}/v1/oauth2/token",
            headers={"Authorization": self._basic, "Accept": "application/json"},
            data={"grant_type": "client_credentials"},
        )
        # Bad credentials come back as invalid_client; the error never echoes them.
        self._raise_for(response)
        data = read_json(response, self.name)
        token = data.get("access_token")
        if not isinstance(token, str):
            raise AuthenticationError(
                "PayPal's token endpoint returned no access_token", provider=self.name
            )
        self._token.store(token, data.get("expires_in"))
        return token

    def _call(
        self,
        method: str,
        path: str,
        json_body: object = None,
        *,
        request_id: str | None = None,
    ) -> Generator[httpx.Request, httpx.Response, Any]:
        """Send an authorized call; on 401 fetch a fresh token once and send it again."""
        for fresh in (False, True):
            token = yield from self._access_token()
            headers = {"Authorization": f"Bearer {token}"}
            if request_id is not None:
                headers["PayPal-Request-Id"] = request_id
            if method == "POST":
                headers["Prefer"] = "return=representation"
            response = yield json_request(
                method, f"{self.base_url}{path}", json_body=json_body, headers=headers
            )
            if response.status_code == 401 and not fresh:
                self._token.clear()  # expired or revoked early: one fresh try
                continue
            self._raise_for(response)
            return read_json(response, self.name)
        raise AssertionError("unreachable")  # pragma: no cover

    def _order_path(self, order_id: str) -> str:
        checked_id(
            order_id, _ORDER_ID, provider=self.name, what="PayPal order id", code="INVALID_ID"
        )
        return f"/v2/checkout/orders/{order_id}"

    def _order(self, order_id: str) -> Generator[httpx.Request, httpx.Response, Any]:
        return (yield from self._call("GET", self._order_path(order_id)))

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``POST /v2/checkout/orders`` with one purchase unit."""
        unit: dict[str, Any] = {
            "reference_id": request.reference[:256],
            "invoice_id": request.reference,
            "amount": format_amount(request.amount),
        }
        if request.description:
            unit["description"] = request.description[:127]
        if request.metadata:
            unit["custom_id"] = json.dumps(dict(request.metadata), separators=(",", ":"))[:127]
        body: dict[str, Any] = {"intent": self.intent, "purchase_units": [unit]}
        experience = {
            key: value
            for key, value in (
                ("return_url", request.return_url),
                ("cancel_url", request.cancel_url),
            )
            if value
        }
        if experience or request.customer_email:
            paypal: dict[str, Any] = {}
            if experience:
                paypal["experience_context"] = experience
            if request.customer_email:
                paypal["email_address"] = request.customer_email
            body["payment_source"] = {"paypal": paypal}
        order = yield from self._call(
            "POST", "/v2/checkout/orders", body, request_id=idempotency_key()
        )
        return order_to_payment(order)

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``GET /v2/checkout/orders/{id}``."""
        return order_to_payment((yield from self._order(payment_id)))

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: capture the order (intent CAPTURE) or its authorization (AUTHORIZE).

        With intent AUTHORIZE an approved order is authorized first; ``amount`` may then be
        less than the order, and later calls capture more.
        """
        key = idempotency_key()
        if self.intent == "CAPTURE":
            if amount is not None:
                order = yield from self._order(payment_id)
                if parse_amount(order["purchase_units"][0]["amount"]) != amount:
                    self.unsupported(
                        "partial capture",
                        "PayPal captures an order with intent CAPTURE in full; create the "
                        "payment with intent AUTHORIZE to capture part of it",
                    )
            order = yield from self._call(
                "POST", self._order_path(payment_id) + "/capture", {}, request_id=key
            )
            return order_to_payment(order)
        authorization_id = yield from self._authorization(payment_id, key)
        body: dict[str, Any] = {"final_capture": amount is None}
        if amount is not None:
            body["amount"] = format_amount(amount)
        yield from self._call(
            "POST",
            f"/v2/payments/authorizations/{authorization_id}/capture",
            body,
            request_id=key + "-capture",
        )
        return order_to_payment((yield from self._order(payment_id)))

    def _authorization(
        self, order_id: str, key: str
    ) -> Generator[httpx.Request, httpx.Response, str]:
        """The order's open authorization, authorizing an approved order first."""
        order = yield from self._order(order_id)
        authorizations, _, _ = _payments(order)
        if not authorizations and order.get("status") == "APPROVED":
            order = yield from self._call(
                "POST",
                self._order_path(order_id) + "/authorize",
                {},
                request_id=key + "-authorize",
            )
            authorizations, _, _ = _payments(order)
        if not authorizations:
            raise InvalidRequestError(
                "the order is not approved by the payer yet, so there is nothing to capture "
                "or void",
                provider=self.name,
                code="ORDER_NOT_APPROVED",
            )
        return str(authorizations[-1]["id"])

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: void the order's authorization (intent AUTHORIZE only)."""
        if self.intent == "CAPTURE":
            self.unsupported(
                "cancel",
                "PayPal cannot void an order with intent CAPTURE; an unapproved order "
                "expires on its own",
            )
        authorization_id = yield from self._authorization(payment_id, idempotency_key())
        yield from self._call(
            "POST",
            f"/v2/payments/authorizations/{authorization_id}/void",
            request_id=idempotency_key(),
        )
        return order_to_payment((yield from self._order(payment_id)))

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: refund the order's captures, oldest first, up to ``amount``.

        Each capture is refunded with its own ``PayPal-Request-Id``, all derived from one key
        made once for this call.
        """
        key = idempotency_key()
        order = yield from self._order(payment_id)
        payment = order_to_payment(order)
        wanted = refund_amount(
            payment, amount, self.name, codes=("INVALID_PARAMETER_VALUE", "REFUND_AMOUNT_EXCEEDED")
        )
        _, captures, refunds = _payments(order)
        left = wanted
        for capture in captures:
            if not left or capture.get("status") not in ("COMPLETED", "PARTIALLY_REFUNDED"):
                continue
            earlier = (
                r
                for r in refunds
                if r.get("status") in _LIVE_REFUNDS and _refund_of(r) == capture["id"]
            )
            room = parse_amount(capture["amount"]) - _sum(earlier, Money.zero(wanted.currency))
            share = min(room, left)
            if share.amount <= 0:
                continue
            body: dict[str, Any] = {"amount": format_amount(share)}
            if reason:
                body["note_to_payer"] = reason[:255]
            yield from self._call(
                "POST",
                f"/v2/payments/captures/{capture['id']}/refund",
                body,
                request_id=f"{key}-{capture['id']}",
            )
            left -= share
        return order_to_payment((yield from self._order(payment_id)))

    # -- webhooks ------------------------------------------------------------------------

    # -- saved payment methods (Vault v3) --------------------------------------------------

    def _vault_id(self, token_id: str) -> str:
        return checked_id(
            token_id, _VAULT_ID, provider=self.name, what="PayPal vault id", code="INVALID_ID"
        )

    def setup_method(
        self, customer: str, return_url: str, cancel_url: str
    ) -> Operation[MethodSetup]:
        """Operation: ``POST /v3/vault/setup-tokens`` for a PayPal wallet.

        ``customer`` (the merchant's id) is not sent: PayPal assigns the vault customer id,
        which the result's ``customer`` carries.
        """
        del customer  # PayPal's vault keeps its own customer ids
        body = {
            "payment_source": {
                "paypal": {
                    "usage_type": "MERCHANT",
                    "experience_context": {"return_url": return_url, "cancel_url": cancel_url},
                }
            }
        }
        token = yield from self._call(
            "POST", "/v3/vault/setup-tokens", body, request_id=idempotency_key()
        )
        approve = _links(token, "approve")
        customer_id = (token.get("customer") or {}).get("id")
        if not isinstance(token.get("id"), str) or not approve or not isinstance(customer_id, str):
            raise ProviderError(
                "PayPal sent a setup token without its id, customer or approve link",
                provider=self.name,
            )
        return MethodSetup(
            id=token["id"], provider=self.name, customer=customer_id, redirect_url=approve
        )

    def confirm_method(self, setup: MethodSetup) -> Operation[SavedMethod]:
        """Operation: ``POST /v3/vault/payment-tokens`` from the approved setup token.

        Raises:
            InvalidRequestError: the payer has not approved the setup token.
        """
        setup_id = self._vault_id(setup.id)
        body = {"payment_source": {"token": {"id": setup_id, "type": "SETUP_TOKEN"}}}
        token = yield from self._call(
            "POST", "/v3/vault/payment-tokens", body, request_id=f"payportal-vault-{setup_id}"
        )
        return token_to_method(token)

    def list_methods(self, customer: str) -> Operation[tuple[SavedMethod, ...]]:
        """Operation: ``GET /v3/vault/payment-tokens?customer_id=`` (PayPal's customer id)."""
        customer_id = self._vault_id(customer)
        found = yield from self._call(
            "GET", f"/v3/vault/payment-tokens?customer_id={customer_id}&page_size=64"
        )
        tokens = found.get("payment_tokens") if isinstance(found, dict) else None
        if not isinstance(tokens, list):
            raise ProviderError("PayPal sent an unreadable token list", provider=self.name)
        return tuple(token_to_method(token, customer_id) for token in tokens)

    def delete_method(self, method: SavedMethod) -> Operation[None]:
        """Operation: ``DELETE /v3/vault/payment-tokens/{id}``; a token already gone (404)
        counts as deleted."""
        path = f"/v3/vault/payment-tokens/{self._vault_id(method.id)}"
        for fresh in (False, True):
            access = yield from self._access_token()
            response = yield json_request(
                "DELETE",
                f"{self.base_url}{path}",
                headers={"Authorization": f"Bearer {access}"},
            )
            if response.status_code == 401 and not fresh:
                self._token.clear()
                continue
            if response.status_code != 404:
                self._raise_for(response)
            return

    def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Operation[Payment]:
        """Operation: ``POST /v2/checkout/orders`` paid with the saved token, captured at once.

        Raises:
            SavedMethodUnusableError: PayPal refuses the token (revoked, deleted, expired).
            PaymentDeclinedError: the funding was declined.
        """
        if not isinstance(request_id, str) or not request_id:
            raise ValidationError(
                "must be a non-empty string", field="request_id", value=request_id
            )
        unit = {
            "reference_id": reference[:256],
            "invoice_id": reference[:127],
            "amount": format_amount(amount),
        }
        body = {
            "intent": "CAPTURE",
            "purchase_units": [unit],
            "payment_source": {
                "paypal": {
                    "vault_id": self._vault_id(method.id),
                    # Merchant-initiated, on a wallet the payer saved before.
                    "stored_credential": {"payment_initiator": "MERCHANT", "usage": "SUBSEQUENT"},
                }
            },
        }
        key = "payportal-" + hashlib.sha256(f"charge:{request_id}".encode()).hexdigest()[:40]
        try:
            order = yield from self._call("POST", "/v2/checkout/orders", body, request_id=key)
        except (InvalidRequestError, PaymentDeclinedError) as error:
            if error.code not in _UNUSABLE_SOURCE:
                raise
            raise SavedMethodUnusableError(
                error.message,
                provider=self.name,
                code=error.code,
                request_id=error.request_id,
                status_code=error.status_code,
            ) from None
        return order_to_payment(order)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: verify a notification's signature, then decode it.

        A refund or reversal names only its capture (``links``, ``rel: up``); the capture is
        read back so that ``payment_id`` is the order id and the status says whether all
        of it was refunded.

        Raises:
            WebhookVerificationError: a header is missing, the certificate URL is not
                PayPal's, the certificate is not valid now, not issued to a PayPal host or
                not chained to a trusted root, the signature does not match, or the body
                is not an event.
            ProviderError: the capture of a refund event could not be read back (answer
                the webhook with an error so that PayPal sends it again).
        """
        if self.webhook_id is None:
            self.unsupported("parse_webhook", "set webhook_id to verify PayPal webhooks")
        fields = _transmission(headers)
        if self.webhook_verification == "api":
            yield from self._verify_by_api(fields, body)
        else:
            yield from self._verify_offline(fields, body)
        event = _event(body, self.name)
        if event.type in _REFUND_EVENTS:
            event = yield from self._with_capture(event)
        return event

    def _with_capture(
        self, event: WebhookEvent
    ) -> Generator[httpx.Request, httpx.Response, WebhookEvent]:
        """A refund event with the order id and status of the capture its ``up`` link names.

        A refund resource names its capture only (``links``, ``rel: up``); the capture
        (``GET /v2/payments/captures/{id}``) names the order and says whether all of it was
        refunded.
        """
        resource = event.data.get("resource")
        capture_id = _refund_of(resource) if isinstance(resource, dict) else None
        if capture_id is None or not _ORDER_ID.fullmatch(capture_id):
            return event
        capture = yield from self._call("GET", f"/v2/payments/captures/{capture_id}")
        related = (capture.get("supplementary_data") or {}).get("related_ids") or {}
        order_id = related.get("order_id")
        status = _CAPTURE_STATUS.get(str(capture.get("status")))
        if status not in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED):
            status = event.status
        return attrs.evolve(
            event, payment_id=str(order_id) if order_id else event.payment_id, status=status
        )

    def _verify_offline(
        self, fields: Mapping[str, str], body: bytes
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if fields["auth_algo"].upper() != "SHA256WITHRSA":
            raise _unverified(f"unsupported signature algorithm {fields['auth_algo']!r}")
        check_sent_recently(
            fields["transmission_time"], self._webhook_tolerance, self._clock(), provider=self.name
        )
        certificate = yield from self._certificate(fields["cert_url"])
        message = "|".join(
            (
                fields["transmission_id"],
                fields["transmission_time"],
                str(self.webhook_id),
                str(zlib.crc32(body)),
            )
        ).encode()
        try:
            signature = base64.b64decode(fields["transmission_sig"], validate=True)
        except (binascii.Error, ValueError):
            raise _unverified("the transmission signature is not base64") from None
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise _unverified("the certificate does not hold an RSA key")
        try:
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise _unverified("the signature does not match the notification") from None

    def _certificate(self, url: str) -> Generator[httpx.Request, httpx.Response, x509.Certificate]:
        now = datetime.fromtimestamp(self._clock(), UTC)
        cached = self._certs.get(url)
        if cached is not None and _valid_at(cached, now):
            return cached
        self._certs.pop(url, None)
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise _unverified(f"the certificate URL {url!r} is not a URL") from None
        if parsed.scheme != "https" or not is_paypal_host(parsed.host):
            raise _unverified(f"the certificate URL {url!r} is not on a PayPal HTTPS host")
        if self._cert_fetcher is not None:
            try:
                pem = self._cert_fetcher(url)
            except Exception as error:  # whatever the fetcher raises, the proof is missing
                raise _unverified("PayPal's certificate could not be fetched") from error
        else:
            response = yield httpx.Request("GET", url)
            if not response.is_success:
                raise _unverified(
                    f"PayPal's certificate could not be fetched (HTTP {response.status_code})"
                )
            pem = response.content
        certificate = self._trusted(pem, now)
        if len(self._certs) >= _CERT_CACHE_SIZE:
            self._certs.pop(next(iter(self._certs)))
        self._certs[url] = certificate
        return certificate

    def _trusted(self, pem: bytes, now: datetime) -> x509.Certificate:
        """The signing certificate of a PEM chain (leaf first), once it is proven PayPal's.

        Raises:
            WebhookVerificationError: not PEM, expired or not yet valid, not chained to a
                trusted root, or not issued to a PayPal name.
        """
        chain = _read_pem_certificates(pem) if isinstance(pem, bytes) else ()
        if not chain:
            raise _unverified("the certificate is not a PEM X.509 certificate")
        leaf, intermediates = chain[0], list(chain[1:])
        if not _valid_at(leaf, now):
            raise _unverified("PayPal's certificate is expired or not yet valid")
        roots = system_trust_roots() if self._trust_roots is None else self._trust_roots
        if not roots:
            raise _unverified("no trusted root certificates to check PayPal's certificate with")
        verifier = (
            PolicyBuilder()
            .store(Store(list(roots)))
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_SIGNING_CERT_POLICY
            )
            .build_client_verifier()
        )
        try:
            verified = verifier.verify(leaf, intermediates)
        except VerificationError:
            raise _unverified(
                "PayPal's certificate does not chain to a trusted root certificate"
            ) from None
        names = [n.value for n in verified.subjects or () if isinstance(n, x509.DNSName)]
        if not any(is_paypal_host(name.removeprefix("*.")) for name in names):
            raise _unverified(f"the certificate is issued to {names!r}, not to a PayPal host")
        return leaf

    def _verify_by_api(
        self, fields: Mapping[str, str], body: bytes
    ) -> Generator[httpx.Request, httpx.Response, None]:
        try:
            event = json.loads(body)
        except ValueError:
            raise _unverified("the notification body is not JSON") from None
        answer = yield from self._call(
            "POST",
            "/v1/notifications/verify-webhook-signature",
            {**fields, "webhook_id": self.webhook_id, "webhook_event": event},
        )
        if answer.get("verification_status") != "SUCCESS":
            raise _unverified("PayPal says the signature does not match the notification")


def _valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _refund_of(refund: Mapping[str, Any]) -> str | None:
    """The capture id a refund belongs to, from its ``up`` link."""
    href = _links(refund, "up")
    return href.rstrip("/").rsplit("/", 1)[-1] if href else None


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="paypal", code="webhook_verification")


_TRANSMISSION_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}


def _transmission(headers: Mapping[str, str]) -> dict[str, str]:
    # Not httpx.Headers: it refuses non-ASCII values, and junk must fail verification, not crash.
    lookup = {str(name).upper(): value for name, value in headers.items()}
    fields = {}
    for field, header in _TRANSMISSION_HEADERS.items():
        value = lookup.get(header)
        if not value:
            raise _unverified(f"the {header} header is missing")
        fields[field] = value
    return fields


def _event(body: bytes, provider: str) -> WebhookEvent:
    try:
        data = json.loads(body)
        event_id = str(data["id"])
        event_type = str(data["event_type"])
        resource = data.get("resource") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _unverified("the notification body is not a PayPal event") from None
    if event_type.startswith("CHECKOUT.ORDER."):
        payment_id = resource.get("id")
    else:
        related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
        payment_id = related.get("order_id")
    occurred_at = None
    if isinstance(data.get("create_time"), str):
        try:
            occurred_at = datetime.fromisoformat(data["create_time"])
        except ValueError:
            occurred_at = None
        if occurred_at is not None and occurred_at.tzinfo is None:
            occurred_at = None
    return WebhookEvent(
        id=event_id,
        provider=provider,
        type=event_type,
        payment_id=str(payment_id) if payment_id else None,
        status=_EVENT_STATUS.get(event_type),
        occurred_at=occurred_at,
        data=data,
    )


class PayPalOptions(TypedDict, total=False):
    """The PayPal-specific keyword arguments of :class:`PayPal` and :class:`AsyncPayPal`."""

    environment: Literal["sandbox", "live"]
    base_url: str
    intent: Literal["CAPTURE", "AUTHORIZE"]
    webhook_id: str
    webhook_verification: Literal["offline", "api"]
    cert_fetcher: Callable[[str], bytes]
    webhook_trust_roots: Sequence[x509.Certificate]
    webhook_tolerance: timedelta
    wall_clock: Callable[[], float]


class _SyncOptions(PayPalOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(PayPalOptions, AsyncHTTPOptions, total=False):
    pass


class PayPal(HTTPProvider):
    """PayPal REST, synchronous.

    Takes the arguments of :class:`PayPalWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> PayPal("AZ-client-id", "s3cret", environment="live")
    PayPal(PayPalWire(environment='live', client_id='AZ-cli'…, intent='CAPTURE'))
    """

    def __init__(self, client_id: str, client_secret: str, **options: Unpack[_SyncOptions]) -> None:
        wire, http = split_options(options, HTTPOptions)
        super().__init__(PayPalWire(client_id, client_secret, **wire), **http)


class AsyncPayPal(AsyncHTTPProvider):
    """PayPal REST, asynchronous; arguments as :class:`PayPal`, with an async client."""

    def __init__(
        self, client_id: str, client_secret: str, **options: Unpack[_AsyncOptions]
    ) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(PayPalWire(client_id, client_secret, **wire), **http)
