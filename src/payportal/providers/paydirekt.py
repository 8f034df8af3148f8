"""paydirekt (deprecated): HMAC-authenticated access tokens and the checkout API.

.. deprecated::
    paydirekt (since 2022 part of giropay) ended service at the end of 2024. This client is
    kept for merchants who still have to read, capture or refund legacy checkouts; building
    :class:`Paydirekt` or :class:`AsyncPaydirekt` emits a :class:`DeprecationWarning`.

One :class:`PaydirektWire` holds the whole wire format; :class:`Paydirekt` and
:class:`AsyncPaydirekt` run it synchronously and asynchronously. A payment's id is the
paydirekt ``checkoutId``.

* **Authentication.** Every token request is signed (:func:`auth_code`): HMAC-SHA256 over
  ``requestId:timestamp:apiKey:randomNonce``, keyed with the *base64url-decoded* API secret,
  sent base64url-encoded (with ``=`` padding) as ``X-Auth-Code`` next to ``X-Date``,
  ``X-Request-ID`` and ``X-Auth-Key``. The access token it returns is cached until shortly
  before ``expires_in`` runs out, and fetched afresh once if the API refuses it.
* **Checkouts.** ``type`` ``ORDER`` (the default: the payer approves, the merchant captures
  in one or more parts, or closes the order to release it) or ``DIRECT_SALE`` (the money is
  taken when the payer approves; nothing to capture or void). Amounts are JSON numbers with
  two decimals, in EUR only. Capture, refund and close URLs are never built here: they are
  read from the checkout's HAL ``_links`` and must point at the configured API.
* **Status callbacks** (``callbackUrlStatusUpdates``) are not signed by paydirekt.
  :meth:`PaydirektWire.parse_webhook` therefore only takes the ``checkoutId`` from the body
  and reads the checkout back from the API; the event carries what the API says, never what
  was posted.

Sources: the public paydirekt SDKs (``paydirekt/paydirekt-php``, a copy of the official Java
SDK) for endpoints, headers, the signature (with its test vector), field names, statuses and
the error body (``messages[]`` with ``code``, ``path``, ``reasonCode``, ``logref``). The
following is **inferred**, because the API reference is no longer published:

* that the checkout API deduplicates a mutating request resent with the same
  ``X-Request-ID`` (the client sends one per logical operation, kept on retries);
* that a checkout lists its captures and refunds under ``_embedded`` (HAL); without them the
  captured amount is derived from ``totalAmount - maxCapturableAmount`` and refunds are
  unknown;
* the approval page's URL form, the 37-character limit of ``note`` and the exact error codes.

>>> import warnings
>>> from payportal import Money
>>> from payportal.providers import PaymentRequest
>>> from payportal.testing.fake_paydirekt import FakePaydirekt
>>> fake = FakePaydirekt()
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     paydirekt = Paydirekt(fake.api_key, fake.api_secret, transport=fake.transport())
>>> caught[0].category.__name__
'DeprecationWarning'
>>> payment = paydirekt.create_payment(PaymentRequest(
...     amount=Money("14.00", "EUR"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel",
...     metadata={"addresseeGivenName": "Hermann", "addresseeLastName": "Meyer"}))
>>> payment.status, payment.raw_status
(<PaymentStatus.CREATED: 'created'>, 'ORDER/OPEN')
>>> fake.approve(payment.id)                        # the payer approves at paydirekt
>>> paydirekt.capture(payment.id).captured
Money('14.00', 'EUR')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import httpx

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
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
    checked_id,
    error_for_status,
    error_object,
    first_object,
    idempotency_key,
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

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping

__all__ = [
    "CHECKOUTS_PATH",
    "HAL_JSON",
    "LIVE_URL",
    "SANDBOX_URL",
    "SHIPPING_FIELDS",
    "TOKEN_PATH",
    "AsyncPaydirekt",
    "Paydirekt",
    "PaydirektOptions",
    "PaydirektWire",
    "auth_code",
    "checkout_to_payment",
    "decode_json",
    "encode_json",
    "hashed_email",
    "make_nonce",
    "x_date",
    "x_timestamp",
]

SANDBOX_URL = "https://api.sandbox.paydirekt.de"
LIVE_URL = "https://api.paydirekt.de"
_URLS = {"sandbox": SANDBOX_URL, "live": LIVE_URL}
TOKEN_PATH = "/api/merchantintegration/v1/token/obtain"  # noqa: S105  # a path, not a secret
CHECKOUTS_PATH = "/api/checkout/v1/checkouts"
HAL_JSON = "application/hal+json;charset=utf-8"
"""The content type of every request body paydirekt takes."""

SHIPPING_FIELDS = frozenset(
    {
        "addresseeGivenName",
        "addresseeLastName",
        "company",
        "street",
        "streetNr",
        "additionalAddressInformation",
        "zip",
        "city",
        "countryCode",
        "emailAddress",
    }
)
"""``PaymentRequest.metadata`` keys copied into the checkout's ``shippingAddress``."""

DEPRECATION = (
    "paydirekt ended service at the end of 2024; the paydirekt client is kept only for "
    "merchants with legacy checkouts and will be removed in a future release"
)

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NONCE = re.compile(r"[0-9A-Za-z_-]{10,64}={0,2}")
_B64URL = re.compile(r"[0-9A-Za-z_-]+={0,2}")
_CHECKOUT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_NOTE_LIMIT = 37
_LIVE_CAPTURES = frozenset({"SUCCESSFUL", "PENDING"})
_LIVE_REFUNDS = frozenset({"SUCCESSFUL", "PENDING"})
_CHECKOUT_STATUS = {
    "OPEN": PaymentStatus.CREATED,
    "PENDING": PaymentStatus.PENDING,
    "REJECTED": PaymentStatus.FAILED,
    "CANCELED": PaymentStatus.CANCELLED,
    "EXPIRED": PaymentStatus.EXPIRED,
}
# A marker json.dumps cannot produce from user text (it escapes control characters), so
# amounts can be written as exact JSON numbers instead of going through float.
_NUMBER = "\x00"
_NUMBER_PATTERN = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')


def _invalid(message: str, code: str) -> InvalidRequestError:
    return InvalidRequestError(message, provider="paydirekt", code=code)


# -- the signature ----------------------------------------------------------------------------


def x_timestamp(when: datetime) -> str:
    """The 14-digit UTC timestamp (``yyyyMMddHHmmss``) that goes into the signature.

    >>> x_timestamp(datetime(2016, 2, 1, 9, 49, 42, 433000, tzinfo=UTC))
    '20160201094942'
    """
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def x_date(when: datetime) -> str:
    """The same instant as ``X-Date`` wants it: RFC 1123 in GMT.

    >>> x_date(datetime(2016, 2, 1, 9, 49, 42, tzinfo=UTC))
    'Mon, 01 Feb 2016 09:49:42 GMT'
    """
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def make_nonce() -> str:
    """A fresh random nonce: 48 random bytes, base64url-encoded to 64 characters."""
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode()


def _secret_key(api_secret: str) -> bytes:
    if not isinstance(api_secret, str) or not _B64URL.fullmatch(api_secret):
        raise ValidationError(
            "must be base64url-encoded, as paydirekt hands it out",
            field="api_secret",
            value="(hidden)",
        )
    try:
        key = base64.urlsafe_b64decode(api_secret + "=" * (-len(api_secret) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError(
            "is not valid base64url", field="api_secret", value="(hidden)"
        ) from None
    if len(key) < 32:
        raise ValidationError(
            "decodes to fewer than 32 bytes; is it the whole secret?",
            field="api_secret",
            value="(hidden)",
        )
    return key


def _check_uuid(value: str, field: str) -> None:
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        # The API key is a credential: never echo it (request ids are not).
        shown = "(hidden)" if field == "api_key" else value
        raise ValidationError("must be a UUID (8-4-4-4-12 hex digits)", field=field, value=shown)


def auth_code(request_id: str, timestamp: str, api_key: str, api_secret: str, nonce: str) -> str:
    """The ``X-Auth-Code`` of a token request.

    HMAC-SHA256 over ``request_id:timestamp:api_key:nonce``, keyed with the base64url-decoded
    ``api_secret``, base64url-encoded with its ``=`` padding.

    >>> auth_code("f3fea5f3-60af-496f-ac3e-dbb10924e87a", "20160201094942",
    ...           "e81d298b-60dd-4f46-9ec9-1dbc72f5b5df",
    ...           "JrXRHCnUegQJAYSJ5J6OvEuOUOpy2q2-MHPoH_IECRY=",
    ...           "Qg5f0Q3ly1Cwh5M9zcw57jwHI_HPoKbjdHLurXGpPg0yazdC6OWPpwnYi22bnB6S")
    'ps9MooGiTeTXIkPkUWbHG4rlF3wuTJuZ9qcMe-Y41xE='

    Raises:
        ValidationError: ``request_id`` or ``api_key`` is not a UUID, ``timestamp`` is not a
            real ``yyyyMMddHHmmss`` time, ``nonce`` is not 10-64 base64url characters, or
            ``api_secret`` is not base64url of at least 32 bytes. The secret is never shown.
    """
    _check_uuid(request_id, "request_id")
    _check_uuid(api_key, "api_key")
    try:
        if len(timestamp) != 14 or not timestamp.isdigit():
            raise ValueError
        datetime.strptime(timestamp, "%Y%m%d%H%M%S")  # noqa: DTZ007  # only checks the date
    except (TypeError, ValueError):
        raise ValidationError(
            "must be a real time as yyyyMMddHHmmss (14 digits)", field="timestamp", value=timestamp
        ) from None
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise ValidationError("must be 10 to 64 base64url characters", field="nonce", value=nonce)
    message = f"{request_id}:{timestamp}:{api_key}:{nonce}".encode()
    digest = hmac.new(_secret_key(api_secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def hashed_email(address: str) -> str:
    """``sha256hashedEmailAddress``: base64 of the SHA-256 of the address.

    >>> hashed_email("max@muster.de")
    '6JL4VUgVxkq2m+a9I6ScfW2ofJP5y6wsvSaHIsX+iLs='
    """
    return base64.b64encode(hashlib.sha256(address.encode()).digest()).decode()


# -- JSON with exact amounts --------------------------------------------------------------------


def _mark_decimal(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return f"{_NUMBER}{value}{_NUMBER}"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def encode_json(data: object) -> bytes:
    """JSON with :class:`~decimal.Decimal` values written as exact numbers, never floats.

    >>> encode_json({"totalAmount": Decimal("14.00"), "note": "a"})
    b'{"totalAmount":14.00,"note":"a"}'
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_mark_decimal)
    return _NUMBER_PATTERN.sub(r"\1", text).encode()


def decode_json(content: bytes) -> Any:
    """Parse JSON with every fractional number as :class:`~decimal.Decimal`.

    >>> decode_json(b'{"totalAmount": 14.10}')
    {'totalAmount': Decimal('14.10')}

    Raises:
        ValueError: ``content`` is not JSON.
    """
    return json.loads(content, parse_float=Decimal) if content else {}


def _amount(money: Money) -> Decimal:
    if money.currency != "EUR":
        raise _invalid(f"paydirekt takes EUR only, not {money.currency}", "currency.unsupported")
    return money.amount


def _money(value: object) -> Money:
    return read_money(value, "EUR", "paydirekt", field="amount")


# -- reading checkouts -------------------------------------------------------------------------


def _href(resource: Mapping[str, Any], rel: str) -> str | None:
    link = (resource.get("_links") or {}).get(rel)
    if isinstance(link, dict) and isinstance(link.get("href"), str):
        return str(link["href"])
    return None


def _embedded(checkout: Mapping[str, Any], rel: str) -> list[Mapping[str, Any]] | None:
    embedded = checkout.get("_embedded")
    if not isinstance(embedded, dict) or not isinstance(embedded.get(rel), list):
        return None
    return [item for item in embedded[rel] if isinstance(item, dict)]


def _sum(items: Iterable[Mapping[str, Any]], live: frozenset[str]) -> Money:
    return sum(
        (_money(item.get("amount")) for item in items if item.get("status") in live),
        Money.zero("EUR"),
    )


def checkout_to_payment(checkout: Mapping[str, Any]) -> Payment:
    """Map a paydirekt checkout (as ``GET /api/checkout/v1/checkouts/{id}`` returns it).

    Raises:
        ProviderError: the checkout lacks its id, status or amount.
    """
    try:
        checkout_id = str(checkout["checkoutId"])
        raw = str(checkout["status"])
        amount = _money(checkout["totalAmount"])
    except KeyError as missing:
        raise ProviderError(
            f"paydirekt sent a checkout without {missing}", provider="paydirekt"
        ) from None
    kind = str(checkout.get("type", "ORDER"))
    zero = Money.zero("EUR")
    captures = _embedded(checkout, "captures")
    refunds = _embedded(checkout, "refunds") or []
    approved = raw in ("APPROVED", "CLOSED")
    if kind == "DIRECT_SALE":
        captured = amount if approved else zero  # the sale is paid with the approval
    elif captures is not None:
        captured = _sum(captures, _LIVE_CAPTURES)
    elif raw == "APPROVED" and "maxCapturableAmount" in checkout:
        captured = max(zero, amount - _money(checkout["maxCapturableAmount"]))
    else:
        captured = zero
    refunded = _sum(refunds, _LIVE_REFUNDS)
    if not approved:
        status = _CHECKOUT_STATUS.get(raw, PaymentStatus.PENDING)
    elif not captured:
        status = PaymentStatus.AUTHORIZED if raw == "APPROVED" else PaymentStatus.CANCELLED
    elif refunded >= captured:
        status = PaymentStatus.REFUNDED
    elif refunded:
        status = PaymentStatus.PARTIALLY_REFUNDED
    elif any(c.get("status") == "PENDING" for c in captures or ()):
        status = PaymentStatus.PENDING
    else:
        status = PaymentStatus.PAID
    return Payment(
        id=checkout_id,
        provider="paydirekt",
        status=status,
        raw_status=f"{kind}/{raw}",
        amount=amount,
        captured=captured,
        refunded=refunded,
        reference=checkout.get("merchantOrderReferenceNumber"),
        redirect_url=_href(checkout, "approve") if status is PaymentStatus.CREATED else None,
        refunds=[
            Refund(
                id=str(r.get("transactionId")),
                amount=_money(r.get("amount")),
                raw_status=str(r.get("status")),
            )
            for r in refunds
            if r.get("status") in _LIVE_REFUNDS
        ],
    )


# -- the wire ----------------------------------------------------------------------------------


class PaydirektWire(Wire):
    """paydirekt's wire format, free of I/O; run it with :class:`Paydirekt`/:class:`AsyncPaydirekt`.

    Args:
        api_key: the API key (a UUID).
        api_secret: the base64url-encoded API secret; never shown in ``repr``, logs or errors.
        environment: ``"sandbox"`` or ``"live"``; picks the base URL.
        base_url: overrides the environment's base URL (a fake server on loopback).
        checkout_type: ``"ORDER"`` (approve, then capture in parts or close) or
            ``"DIRECT_SALE"`` (paid on approval).
        shopping_cart_type: ``shoppingCartType`` of new checkouts; an invoice has no goods
            to ship, hence ``"DIGITAL"``.
        callback_url: where paydirekt posts status updates (``callbackUrlStatusUpdates``).
        wall_clock: seconds since the epoch, for ``X-Date`` and token expiry.
        nonce: makes the random nonce of each token request (tests pin it).

    Raises:
        ValidationError: a credential or option is malformed (the secret is never shown).
    """

    name = "paydirekt"

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        environment: Literal["sandbox", "live"] = "sandbox",
        base_url: str | None = None,
        checkout_type: Literal["ORDER", "DIRECT_SALE"] = "ORDER",
        shopping_cart_type: Literal["PHYSICAL", "DIGITAL", "MIXED"] = "DIGITAL",
        callback_url: str | None = None,
        wall_clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = make_nonce,
    ) -> None:
        _check_uuid(api_key, "api_key")
        _secret_key(api_secret)
        if environment not in _URLS:
            raise ValidationError(
                "must be 'sandbox' or 'live'", field="environment", value=environment
            )
        if checkout_type not in ("ORDER", "DIRECT_SALE"):
            raise ValidationError(
                "must be 'ORDER' or 'DIRECT_SALE'", field="checkout_type", value=checkout_type
            )
        if shopping_cart_type not in ("PHYSICAL", "DIGITAL", "MIXED"):
            raise ValidationError(
                "must be 'PHYSICAL', 'DIGITAL' or 'MIXED'",
                field="shopping_cart_type",
                value=shopping_cart_type,
            )
        self.api_key = api_key
        self._secret = api_secret
        self.environment = environment
        self.base_url = (base_url or _URLS[environment]).rstrip("/")
        self.checkout_type = checkout_type
        self.shopping_cart_type = shopping_cart_type
        self.callback_url = callback_url
        self._clock = wall_clock
        self._nonce = nonce
        self._token = TokenCache(wall_clock)
        order = checkout_type == "ORDER"
        self.capabilities = Capabilities(
            capture=order,
            partial_capture=order,
            refund=True,
            partial_refund=True,
            multiple_refunds=True,
            void=order,
            webhook_signatures=False,  # callbacks are unsigned: confirmed by reading back
            redirect=True,
        )

    def __repr__(self) -> str:
        return (
            f"PaydirektWire(environment={self.environment!r}, api_key={self.api_key[:8]!r}…, "
            f"checkout_type={self.checkout_type!r})"
        )

    # -- errors --------------------------------------------------------------------------

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        first = first_object(error_object(response), "messages")
        code = first.get("code") or first.get("reasonCode")
        path = first.get("path")
        message = f"paydirekt answered HTTP {response.status_code}"
        if code:
            message += f" with {code}" + (f" at {path}" if path else "")
        raise error_for_status(response.status_code)(
            message,
            provider=self.name,
            code=str(code) if code else None,
            request_id=first.get("logref") or response.request.headers.get("X-Request-ID"),
            status_code=response.status_code,
        )

    # -- transport helpers ---------------------------------------------------------------

    def _access_token(self) -> Generator[httpx.Request, httpx.Response, str]:
        cached = self._token.get()
        if cached is not None:
            return cached
        request_id = str(uuid.uuid4())
        now = datetime.fromtimestamp(self._clock(), UTC)
        nonce = self._nonce()
        code = auth_code(request_id, x_timestamp(now), self.api_key, self._secret, nonce)
        response = yield httpx.Request(
            "POST",
            self.base_url + TOKEN_PATH,
            headers={
                "X-Date": x_date(now),
                "X-Request-ID": request_id,
                "X-Auth-Key": self.api_key,
                "X-Auth-Code": code,
                "Content-Type": HAL_JSON,
                "Accept": "application/hal+json",
            },
            content=encode_json({"grantType": "api_key", "randomNonce": nonce}),
        )
        self._raise_for(response)
        data = self._decode(response)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                "paydirekt's token endpoint returned no access_token", provider=self.name
            )
        self._token.store(token, data.get("expires_in"))
        return token

    def _decode(self, response: httpx.Response) -> Any:
        try:
            data = decode_json(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ProviderError(
                "paydirekt answered with a body that is not a JSON object",
                provider=self.name,
                status_code=response.status_code,
            )
        return data

    def _call(
        self, method: str, url: str, body: object = None, *, request_id: str | None = None
    ) -> Generator[httpx.Request, httpx.Response, Any]:
        """Send an authorized call; on 401 fetch a fresh token once and send it again."""
        if not url.startswith(self.base_url + "/"):
            # Links come from the API's answers; the bearer token must not follow one elsewhere.
            raise ProviderError(
                f"paydirekt linked to {url!r}, outside {self.base_url}", provider=self.name
            )
        for fresh in (False, True):
            token = yield from self._access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/hal+json"}
            if request_id is not None:
                headers["X-Request-ID"] = request_id
            content = None
            if body is not None:
                headers["Content-Type"] = HAL_JSON
                content = encode_json(body)
            response = yield httpx.Request(method, url, headers=headers, content=content)
            if response.status_code == 401 and not fresh:
                self._token.clear()  # expired or revoked early: one fresh try
                continue
            self._raise_for(response)
            return self._decode(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _checkout(self, checkout_id: str) -> Generator[httpx.Request, httpx.Response, Any]:
        checked_id(
            checkout_id,
            _CHECKOUT_ID,
            provider=self.name,
            what="paydirekt checkout id",
            code="checkout.id.invalid",
        )
        return (yield from self._call("GET", f"{self.base_url}{CHECKOUTS_PATH}/{checkout_id}"))

    def _link(self, checkout: Mapping[str, Any], rel: str, why: str) -> str:
        href = _href(checkout, rel)
        if href is None:
            raise _invalid(
                f"checkout {checkout.get('checkoutId')} is {checkout.get('status')}: {why}",
                f"checkout.{rel}.unavailable",
            )
        return href

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``POST /api/checkout/v1/checkouts``.

        The reference becomes the order, invoice and reconciliation reference number (the
        last is what paydirekt's settlement data shows). ``return_url`` and ``cancel_url``
        are required; the shipping address comes from the :data:`SHIPPING_FIELDS` keys of
        ``request.metadata``, its e-mail from ``customer_email`` unless given there.

        Raises:
            InvalidRequestError: not EUR, or a redirect URL is missing (nothing is sent).
        """
        amount = _amount(request.amount)
        if not request.return_url or not request.cancel_url:
            raise _invalid(
                "paydirekt needs both return_url and cancel_url to send the payer back",
                "checkout.redirectUrl.missing",
            )
        body: dict[str, Any] = {
            "type": self.checkout_type,
            "totalAmount": amount,
            "currency": "EUR",
            "shoppingCartType": self.shopping_cart_type,
            "merchantOrderReferenceNumber": request.reference,
            "merchantInvoiceReferenceNumber": request.reference,
            "merchantReconciliationReferenceNumber": request.reference,
            "redirectUrlAfterSuccess": request.return_url,
            "redirectUrlAfterCancellation": request.cancel_url,
            "redirectUrlAfterRejection": request.cancel_url,
        }
        address = {k: v for k, v in request.metadata.items() if k in SHIPPING_FIELDS}
        if request.customer_email:
            address.setdefault("emailAddress", request.customer_email)
            body["sha256hashedEmailAddress"] = hashed_email(request.customer_email)
        if address:
            body["shippingAddress"] = address
        if request.description:
            body["note"] = request.description[:_NOTE_LIMIT]
        if self.callback_url:
            body["callbackUrlStatusUpdates"] = self.callback_url
        checkout = yield from self._call(
            "POST", self.base_url + CHECKOUTS_PATH, body, request_id=idempotency_key()
        )
        return checkout_to_payment(checkout)

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``GET /api/checkout/v1/checkouts/{id}``."""
        return checkout_to_payment((yield from self._checkout(payment_id)))

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: POST to the checkout's ``captures`` link (``ORDER`` checkouts).

        Without ``amount`` the rest of the order is captured as the final capture; with it,
        that much is captured and the order stays open for more.

        Raises:
            UnsupportedOperationError: a ``DIRECT_SALE`` client (the sale is paid already).
            InvalidRequestError: the payer has not approved, or the order is closed.
            PaymentDeclinedError: paydirekt rejected the capture.
        """
        if self.checkout_type == "DIRECT_SALE":
            self.unsupported(
                "capture", "a paydirekt DIRECT_SALE is paid when the payer approves it"
            )
        key = idempotency_key()
        checkout = yield from self._checkout(payment_id)
        href = self._link(checkout, "captures", "only an approved, open order can be captured")
        body: dict[str, Any] = {"finalCapture": amount is None}
        if amount is None:
            body["amount"] = _money(checkout.get("maxCapturableAmount", 0)).amount
        else:
            body["amount"] = _amount(amount)
        if self.callback_url:
            body["callbackUrlStatusUpdates"] = self.callback_url
        capture = yield from self._call("POST", href, body, request_id=key)
        if capture.get("status") == "REJECTED":
            raise PaymentDeclinedError(
                "paydirekt rejected the capture",
                provider=self.name,
                code="capture.rejected",
                request_id=key,
            )
        return checkout_to_payment((yield from self._checkout(payment_id)))

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: POST to the checkout's ``close`` link, releasing what is not captured.

        Raises:
            UnsupportedOperationError: a ``DIRECT_SALE`` client.
            InvalidRequestError: the order is not approved, or closed already.
        """
        if self.checkout_type == "DIRECT_SALE":
            self.unsupported("cancel", "a paydirekt DIRECT_SALE cannot be voided; refund it")
        key = idempotency_key()
        checkout = yield from self._checkout(payment_id)
        href = self._link(checkout, "close", "only an approved, open order can be closed")
        yield from self._call("POST", href, request_id=key)
        return checkout_to_payment((yield from self._checkout(payment_id)))

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: POST to the checkout's ``refunds`` link; all that is left by default.

        ``reason`` goes to the payer as the refund's ``note`` (cut to 37 characters).

        Raises:
            InvalidRequestError: nothing (or less than ``amount``) is left to refund.
        """
        key = idempotency_key()
        checkout = yield from self._checkout(payment_id)
        payment = checkout_to_payment(checkout)
        wanted = refund_amount(
            payment, amount, self.name, codes=("refund.amount.invalid", "refund.amount.exceeded")
        )
        href = self._link(checkout, "refunds", "nothing was paid that could be refunded")
        body: dict[str, Any] = {"amount": wanted.amount}
        if reason:
            body["note"] = reason[:_NOTE_LIMIT]
        if self.callback_url:
            body["callbackUrlStatusUpdates"] = self.callback_url
        yield from self._call("POST", href, body, request_id=key)
        return checkout_to_payment((yield from self._checkout(payment_id)))

    # -- status callbacks ------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: confirm a status callback by reading its checkout back from the API.

        paydirekt does not sign callbacks, so nothing in the body is trusted but the
        ``checkoutId`` it names; the event's status and data are the checkout as the API
        returns it now. The event id is derived from the notification (checkout, transaction
        and announced status), so a callback delivered twice has the same id.

        Raises:
            WebhookVerificationError: the body is not a paydirekt callback, or the API does
                not know the checkout.
        """
        try:
            data = json.loads(body)
            checkout_id = data["checkoutId"]
        except (ValueError, KeyError, TypeError):
            raise _unverified("the body is not a paydirekt status callback") from None
        if not isinstance(checkout_id, str) or not _CHECKOUT_ID.fullmatch(checkout_id):
            raise _unverified("the callback names no valid checkoutId")
        for kind in ("capture", "refund", "checkout"):
            announced = data.get(f"{kind}Status")
            if isinstance(announced, str):
                break
        else:
            raise _unverified("the callback announces no status")
        transaction = str(data.get("transactionId") or "")
        try:
            checkout = yield from self._checkout(checkout_id)
        except InvalidRequestError as error:
            raise _unverified("paydirekt does not know the checkout the callback names") from error
        payment = checkout_to_payment(checkout)
        digest = hashlib.sha256(f"{checkout_id}|{kind}|{transaction}|{announced}".encode())
        return WebhookEvent(
            id=digest.hexdigest()[:32],
            provider=self.name,
            type=f"{kind}.status",
            payment_id=payment.id,
            status=payment.status,
            data=checkout,
        )


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="paydirekt", code="callback_unconfirmed")


# -- the facades -------------------------------------------------------------------------------


class PaydirektOptions(TypedDict, total=False):
    """The paydirekt-specific keyword arguments of :class:`Paydirekt`/:class:`AsyncPaydirekt`."""

    environment: Literal["sandbox", "live"]
    base_url: str
    checkout_type: Literal["ORDER", "DIRECT_SALE"]
    shopping_cart_type: Literal["PHYSICAL", "DIGITAL", "MIXED"]
    callback_url: str
    wall_clock: Callable[[], float]
    nonce: Callable[[], str]


class _SyncOptions(PaydirektOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(PaydirektOptions, AsyncHTTPOptions, total=False):
    pass


def _warn_deprecated() -> None:
    # stacklevel 3: past this helper and the facade's __init__, to the caller's line.
    warnings.warn(DEPRECATION, DeprecationWarning, stacklevel=3)


class Paydirekt(HTTPProvider):
    """paydirekt, synchronous (deprecated: the scheme ended service at the end of 2024).

    Takes the arguments of :class:`PaydirektWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    Warns:
        DeprecationWarning: always; paydirekt no longer takes new payments.
    """

    def __init__(self, api_key: str, api_secret: str, **options: Unpack[_SyncOptions]) -> None:
        _warn_deprecated()
        wire, http = split_options(options, HTTPOptions)
        super().__init__(PaydirektWire(api_key, api_secret, **wire), **http)


class AsyncPaydirekt(AsyncHTTPProvider):
    """paydirekt, asynchronous; arguments and deprecation as :class:`Paydirekt`."""

    def __init__(self, api_key: str, api_secret: str, **options: Unpack[_AsyncOptions]) -> None:
        _warn_deprecated()
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(PaydirektWire(api_key, api_secret, **wire), **http)
