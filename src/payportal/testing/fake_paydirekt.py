"""A fake paydirekt server: HMAC token endpoint, checkouts, captures, refunds, callbacks.

It speaks paydirekt's wire format and validates requests the way the API does: the
``X-Auth-Code`` signature over request id, timestamp, API key and nonce (keyed with the
decoded secret), ``X-Date`` within ten minutes of its clock, a nonce used once, the bearer
token on every other call, required checkout fields, amounts as JSON numbers with at most two
decimals in EUR, and state (capture only an approved order, within ``maxCapturableAmount``;
refund only what was paid). Errors come as paydirekt's ``messages[]`` body. A POST resent
with the same ``X-Request-ID`` replays the first answer instead of acting twice (inferred, see
:mod:`payportal.providers.paydirekt`).

paydirekt's status callbacks are unsigned; :meth:`FakePaydirekt.callbacks` hands out those
the fake would have posted, for ``parse_webhook``, which confirms them by reading back.

>>> fake = FakePaydirekt()
>>> transport = fake.transport()            # in-process, for httpx.Client(transport=...)
>>> with fake.serve() as base_url:           # or over a real socket on 127.0.0.1
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import time
import uuid
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, cast

import attrs
import httpx

from payportal.exceptions import ValidationError
from payportal.providers.paydirekt import (
    CHECKOUTS_PATH,
    TOKEN_PATH,
    auth_code,
    decode_json,
    encode_json,
    x_timestamp,
)
from payportal.testing._server import FakeServer, Record, Refusal, is_web_url, route

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["APPROVE_URL", "FakePaydirekt"]

APPROVE_URL = "https://sandbox.paydirekt.de/checkout/"
"""Where the fake's ``approve`` links point; ``GET /checkout/{id}`` at the fake approves."""

_CLOCK_SKEW = 600.0
_TOKEN_LIFETIME = 3599
_REDIRECTS = (
    "redirectUrlAfterSuccess",
    "redirectUrlAfterCancellation",
    "redirectUrlAfterRejection",
)
_ADDRESS = ("street", "streetNr", "zip", "city", "countryCode")
_NO_ADDRESS_CARTS = ("ANONYMOUS_DONATION", "AUTHORITIES_PAYMENT")
_CARTS = ("PHYSICAL", "DIGITAL", "MIXED", *_NO_ADDRESS_CARTS)


@attrs.define
class Checkout(Record):
    """A paydirekt checkout as the fake keeps it. :meth:`wire` is the checkout as the API
    shows it: what the merchant sent (``_request``, echoed) with the fake's fields over it.
    ``_paid`` is what the payer paid, ``_captures`` and ``_refunds`` the transactions (as
    the API shows them, without links)."""

    checkout_id: str
    type: str
    total_amount: Decimal | int
    merchant_order_reference_number: str
    creation_timestamp: str
    status: str = "OPEN"
    callback_url_status_updates: str | None = None
    _request: dict[str, Any] = attrs.Factory(dict)
    _paid: Decimal = Decimal(0)
    _captures: list[dict[str, Any]] = attrs.Factory(list)
    _refunds: list[dict[str, Any]] = attrs.Factory(list)

    def wire(self) -> dict[str, Any]:
        """The checkout's JSON fields (without ``_embedded`` and ``_links``)."""
        return {**self._request, **super().wire()}


class _ApiError(Refusal):
    def __init__(self, status: int, code: str, path: str | None = None) -> None:
        self.status = status
        self.code = code
        self.path = path


def _bad(code: str, path: str | None = None) -> _ApiError:
    return _ApiError(400, code, path)


def _origin(request: httpx.Request) -> str:
    """The scheme and host the client called, for the links in answers."""
    return f"{request.url.scheme}://{request.url.netloc.decode()}"


def _amount(body: dict[str, Any], field: str, *, required: bool = True) -> Decimal | None:
    """An amount as paydirekt takes it: a JSON number, positive, at most two decimals."""
    if field not in body:
        if required:
            raise _bad("validation.required", field)
        return None
    value = body[field]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _bad("validation.amount.type", field)  # "14.00" as a string is refused
    amount = Decimal(value)
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise _bad("validation.amount.decimals", field)
    if amount <= 0:
        raise _bad("validation.amount.positive", field)
    return amount


class FakePaydirekt(FakeServer):
    """An in-memory paydirekt API.

    Attributes:
        api_key, api_secret: the only credentials it accepts (the secret base64url-encoded).
        duplicate_callbacks: hand out every status callback twice from :meth:`callbacks`.
        checkouts: the checkouts by id, as the fake stores them.

    Test-side controls: :meth:`approve` (the payer approves; also ``GET /checkout/{id}``, the
    approval page), :meth:`reject_captures` (the payer's bank refuses captures),
    :meth:`expire_tokens`, :meth:`callbacks`, and :meth:`inject` from
    :class:`~payportal.testing.FakeServer`.

    Args:
        clock: seconds since the epoch, against which ``X-Date`` is checked.
    """

    provider = "paydirekt"

    def __init__(
        self,
        *,
        duplicate_callbacks: bool = False,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(clock=clock, **options)
        self.api_key = str(uuid.uuid4())
        self.api_secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        self.duplicate_callbacks = duplicate_callbacks
        self.checkouts: dict[str, Checkout] = {}
        self.tokens: dict[str, float] = {}
        self._nonces: set[str] = set()
        self._rejecting: set[str] = set()
        self._outbox: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return f"FakePaydirekt(checkouts={len(self.checkouts)})"

    # -- test-side controls ----------------------------------------------------------------

    def approve(self, checkout_id: str) -> None:
        """The payer approves the checkout at paydirekt (a direct sale is paid with it).

        Raises:
            KeyError: no such checkout.
            ValueError: the checkout is not waiting for the payer.
        """
        with self._lock:
            checkout = self.checkouts[checkout_id]
            if checkout.status != "OPEN":
                raise ValueError(f"checkout {checkout_id} is {checkout.status}, not OPEN")
            checkout.status = "APPROVED"
            if checkout.type == "DIRECT_SALE":
                checkout._paid = Decimal(checkout.total_amount)
            self._notify(checkout, checkoutStatus="APPROVED")

    def reject_captures(self, checkout_id: str) -> None:
        """Make paydirekt reject every later capture of the checkout (status ``REJECTED``)."""
        with self._lock:
            self._rejecting.add(checkout_id)

    def expire_tokens(self) -> None:
        """Revoke every access token, as if they had expired."""
        with self._lock:
            self.tokens.clear()

    def callbacks(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the status callbacks sent so far, oldest first, as ``(headers, body)``
        (each twice when :attr:`duplicate_callbacks` is set)."""
        with self._lock:
            sent, self._outbox = self._outbox, []
        copies = 2 if self.duplicate_callbacks else 1
        headers = {"Content-Type": "application/hal+json;charset=utf-8"}
        return [(dict(headers), json.dumps(body).encode()) for body in sent for _ in range(copies)]

    # -- the HTTP API ----------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """paydirekt's body for server errors and rate limiting."""
        code = "request.rate.limit" if status == 429 else "server.error"
        return self._error(_ApiError(status, code))

    @staticmethod
    def _error(error: _ApiError) -> httpx.Response:
        message: dict[str, Any] = {
            "severity": "ERROR",
            "code": error.code,
            "logref": secrets.token_hex(8),
        }
        if error.path:
            message["path"] = error.path
        return httpx.Response(
            error.status,
            content=encode_json({"messages": [message]}),
            headers={"Content-Type": "application/hal+json;charset=utf-8"},
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Authenticate, replay by ``X-Request-ID`` and route one request; see the class
        docstring for what is validated. The payer's page needs no token and is not replayed;
        the token endpoint checks its own headers."""
        path = request.url.path
        if path.startswith("/checkout/"):
            return self.route(request, request)
        request_id = request.headers.get("X-Request-ID")
        key = (request_id, path) if request.method == "POST" and request_id else None
        if path != TOKEN_PATH:
            self._authenticate(request)
        return self.answer_once(key, lambda: self.route(request, request))

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """paydirekt's ``resource.notFound`` (404) or ``request.method.unsupported`` (405)."""
        return _ApiError(
            status, "resource.notFound" if status == 404 else "request.method.unsupported"
        )

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """paydirekt's ``messages`` body for a refusal."""
        return self._error(cast("_ApiError", refusal))

    @route("GET", "/checkout/{checkout_id}")
    def _payer_approves(self, request: httpx.Request, checkout_id: str) -> httpx.Response:
        # The page the payer is sent to; visiting it approves, so a fake in another process
        # (a benchmark, a browser test) can be approved without calling approve().
        try:
            self.approve(checkout_id)
        except (KeyError, ValueError):
            return httpx.Response(404, text="This checkout is not available.")
        return httpx.Response(200, text="Payment approved.")

    def _json(self, request: httpx.Request) -> dict[str, Any]:
        if request.content and not request.headers.get("Content-Type", "").startswith(
            ("application/hal+json", "application/json")
        ):
            raise _ApiError(415, "request.mediatype.unsupported")
        try:
            body = decode_json(request.content)
        except ValueError:
            raise _bad("request.body.unreadable") from None
        if not isinstance(body, dict):
            raise _bad("request.body.unreadable")
        return body

    @route("POST", TOKEN_PATH)
    def _token(self, request: httpx.Request) -> httpx.Response:
        headers = request.headers
        missing = [h for h in ("X-Date", "X-Request-ID", "X-Auth-Key", "X-Auth-Code")
                   if not headers.get(h)]  # fmt: skip
        if missing:
            raise _bad("validation.header.required", missing[0])
        body = self._json(request)
        if body.get("grantType") != "api_key":
            raise _bad("validation.grantType.invalid", "grantType")
        nonce = body.get("randomNonce")
        if not isinstance(nonce, str):
            raise _bad("validation.required", "randomNonce")
        try:
            sent_at = parsedate_to_datetime(headers["X-Date"])
        except (TypeError, ValueError):
            raise _bad("validation.header.date", "X-Date") from None
        if sent_at.tzinfo is None or abs(sent_at.timestamp() - self.clock()) > _CLOCK_SKEW:
            raise _ApiError(401, "security.date.outOfRange", "X-Date")
        try:
            expected = auth_code(
                headers["X-Request-ID"],
                x_timestamp(sent_at),
                headers["X-Auth-Key"],
                self.api_secret,
                nonce,
            )
        except ValidationError as error:
            raise _bad("validation.auth.malformed", error.field) from None
        if not (
            secrets.compare_digest(headers["X-Auth-Key"], self.api_key)
            and secrets.compare_digest(headers["X-Auth-Code"], expected)
        ):
            raise _ApiError(401, "security.authentication.failed")
        if nonce in self._nonces:
            raise _ApiError(401, "security.nonce.reused", "randomNonce")
        self._nonces.add(nonce)
        token = secrets.token_urlsafe(48)
        self.tokens[token] = self.clock() + _TOKEN_LIFETIME
        return httpx.Response(
            200,
            content=encode_json(
                {
                    "access_token": token,
                    "token_type": "bearer",
                    "expires_in": _TOKEN_LIFETIME,
                    "scope": "checkout",
                    "jti": str(uuid.uuid4()),
                }
            ),
            headers={"Content-Type": "application/hal+json;charset=utf-8"},
        )

    def _authenticate(self, request: httpx.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires = self.tokens.get(token)
        if scheme.lower() != "bearer" or expires is None or expires < self.clock():
            raise _ApiError(401, "security.token.invalid")

    @route("POST", CHECKOUTS_PATH)
    def _post_checkout(self, request: httpx.Request) -> httpx.Response:
        return self._create(self._json(request), _origin(request))

    @route("GET", CHECKOUTS_PATH + "/{checkout_id}")
    def _get_checkout(self, request: httpx.Request, checkout_id: str) -> httpx.Response:
        return self._view(self._checkout(checkout_id), _origin(request), 200)

    @route("POST", CHECKOUTS_PATH + "/{checkout_id}/captures")
    def _post_capture(self, request: httpx.Request, checkout_id: str) -> httpx.Response:
        checkout = self._checkout(checkout_id)
        return self._capture(checkout, self._json(request), _origin(request))

    @route("POST", CHECKOUTS_PATH + "/{checkout_id}/refunds")
    def _post_refund(self, request: httpx.Request, checkout_id: str) -> httpx.Response:
        checkout = self._checkout(checkout_id)
        return self._refund(checkout, self._json(request), _origin(request))

    @route("POST", CHECKOUTS_PATH + "/{checkout_id}/close")
    def _post_close(self, request: httpx.Request, checkout_id: str) -> httpx.Response:
        return self._close(self._checkout(checkout_id), _origin(request))

    @route("GET", CHECKOUTS_PATH + "/{checkout_id}/{kind}/{transaction_id}")
    def _get_transaction(
        self, request: httpx.Request, checkout_id: str, kind: str, transaction_id: str
    ) -> httpx.Response:
        checkout = self._checkout(checkout_id)
        if kind in ("captures", "refunds"):
            for item in checkout._captures if kind == "captures" else checkout._refunds:
                if item["transactionId"] == transaction_id:
                    return self._json_response(
                        200, self._transaction(item, checkout, _origin(request))
                    )
        raise _ApiError(404, "resource.notFound")

    def _checkout(self, checkout_id: str) -> Checkout:
        checkout = self.checkouts.get(checkout_id)
        if checkout is None:
            raise _ApiError(404, "checkout.notFound")
        return checkout

    # -- checkouts -------------------------------------------------------------------------

    def _create(self, body: dict[str, Any], origin: str) -> httpx.Response:
        kind = body.get("type")
        if kind not in ("DIRECT_SALE", "ORDER"):
            raise _bad("validation.required" if kind is None else "checkout.type.invalid", "type")
        total = _amount(body, "totalAmount")
        if body.get("currency") != "EUR":
            raise _bad("checkout.currency.unsupported", "currency")
        shipping = _amount(body, "shippingAmount", required=False)
        order = _amount(body, "orderAmount", required=False)
        if (shipping is not None or order is not None) and (shipping or 0) + (order or 0) != total:
            raise _bad("checkout.totalAmount.mismatch", "totalAmount")
        for field in _REDIRECTS:
            if not is_web_url(body.get(field)):
                raise _bad("validation.required" if field not in body else "validation.url", field)
        reference = body.get("merchantOrderReferenceNumber")
        if not isinstance(reference, str) or not reference:
            raise _bad("validation.required", "merchantOrderReferenceNumber")
        cart = body.get("shoppingCartType", "PHYSICAL")
        if cart not in _CARTS:
            raise _bad("checkout.shoppingCartType.invalid", "shoppingCartType")
        self._check_address(body.get("shippingAddress"), cart)
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 37):
            raise _bad("validation.size", "note")
        callback = body.get("callbackUrlStatusUpdates")
        if callback is not None and not is_web_url(callback):
            raise _bad("validation.url", "callbackUrlStatusUpdates")
        checkout_id = str(uuid.uuid4())
        self.checkouts[checkout_id] = Checkout(
            checkout_id=checkout_id,
            type=kind,
            total_amount=body["totalAmount"],  # as sent (checked by _amount)
            merchant_order_reference_number=reference,
            creation_timestamp=self.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            callback_url_status_updates=callback,
            request=body,
        )
        return self._view(self.checkouts[checkout_id], origin, 201)

    @staticmethod
    def _check_address(address: object, cart: str) -> None:
        if address is None:
            if cart in _NO_ADDRESS_CARTS:
                return
            raise _bad("validation.required", "shippingAddress")
        if not isinstance(address, dict):
            raise _bad("validation.type", "shippingAddress")
        required: tuple[str, ...] = ("addresseeGivenName", "addresseeLastName")
        if cart in ("PHYSICAL", "MIXED"):
            required += _ADDRESS
        for field in required:
            if not isinstance(address.get(field), str) or not address[field]:
                raise _bad("validation.required", f"shippingAddress.{field}")

    def _totals(self, checkout: Checkout) -> tuple[Decimal, Decimal]:
        refunded = sum(
            (r["amount"] for r in checkout._refunds if r["status"] == "SUCCESSFUL"), Decimal(0)
        )
        return checkout._paid, refunded

    def _capturable(self, checkout: Checkout) -> Decimal:
        if checkout.type != "ORDER" or checkout.status not in ("OPEN", "APPROVED"):
            return Decimal(0)
        paid = checkout._paid
        return Decimal(checkout.total_amount) - paid

    def _view(self, checkout: Checkout, origin: str, status: int) -> httpx.Response:
        return self._json_response(status, self._representation(checkout, origin))

    def _representation(self, checkout: Checkout, origin: str) -> dict[str, Any]:
        own = f"{origin}{CHECKOUTS_PATH}/{checkout.checkout_id}"
        paid, refunded = self._totals(checkout)
        links = {"self": {"href": own}}
        state = checkout.status
        if state == "OPEN":
            links["approve"] = {"href": APPROVE_URL + checkout.checkout_id}
        if state == "APPROVED" and checkout.type == "ORDER":
            links["close"] = {"href": own + "/close"}
            if self._capturable(checkout) > 0:
                links["captures"] = {"href": own + "/captures"}
        if state in ("APPROVED", "CLOSED") and paid > refunded:
            links["refunds"] = {"href": own + "/refunds"}
        view = checkout.wire()
        view["maxCapturableAmount"] = self._capturable(checkout)
        view["_embedded"] = {
            "captures": [self._transaction(c, checkout, origin) for c in checkout._captures],
            "refunds": [self._transaction(r, checkout, origin) for r in checkout._refunds],
        }
        view["_links"] = links
        return view

    @staticmethod
    def _transaction(item: dict[str, Any], checkout: Checkout, origin: str) -> dict[str, Any]:
        collection = "captures" if item["type"].startswith("CAPTURE") else "refunds"
        own = f"{origin}{CHECKOUTS_PATH}/{checkout.checkout_id}/{collection}"
        return {**item, "_links": {"self": {"href": f"{own}/{item['transactionId']}"}}}

    @staticmethod
    def _json_response(status: int, body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(
            status,
            content=encode_json(body),
            headers={"Content-Type": "application/hal+json;charset=utf-8"},
        )

    def _new_transaction(self, kind: str, amount: Decimal, body: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": kind,
            "transactionId": str(uuid.uuid4()),
            "amount": amount,
            "status": "SUCCESSFUL",
            "paymentInformationId": f"{next(self._ids):012d}",
        }
        for field in ("note", "merchantReconciliationReferenceNumber"):
            if field in body:
                item[field] = body[field]
        return item

    def _capture(self, checkout: Checkout, body: dict[str, Any], origin: str) -> httpx.Response:
        if checkout.type != "ORDER":
            raise _bad("capture.checkoutType.invalid")
        if checkout.status != "APPROVED":
            raise _bad("capture.checkout.notApproved")
        amount = _amount(body, "amount")
        assert amount is not None
        if amount > self._capturable(checkout):
            raise _bad("capture.amount.exceedsMaxCapturableAmount", "amount")
        final = body.get("finalCapture", False)
        if not isinstance(final, bool):
            raise _bad("validation.type", "finalCapture")
        capture = self._new_transaction("CAPTURE_ORDER", amount, body)
        if checkout.checkout_id in self._rejecting:
            capture["status"] = "REJECTED"
        else:
            checkout._paid += amount
            if final or self._capturable(checkout) == 0:
                checkout.status = "CLOSED"
        checkout._captures.append(capture)
        self._notify(
            checkout, transactionId=capture["transactionId"], captureStatus=capture["status"]
        )
        return self._json_response(201, self._transaction(capture, checkout, origin))

    def _refund(self, checkout: Checkout, body: dict[str, Any], origin: str) -> httpx.Response:
        paid, refunded = self._totals(checkout)
        if checkout.status not in ("APPROVED", "CLOSED") or paid <= refunded:
            raise _bad("refund.checkout.notRefundable")
        amount = _amount(body, "amount")
        assert amount is not None
        if amount > paid - refunded:
            raise _bad("refund.amount.exceedsRefundableAmount", "amount")
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 37):
            raise _bad("validation.size", "note")
        refund = self._new_transaction("REFUND", amount, body)
        checkout._refunds.append(refund)
        self._notify(checkout, transactionId=refund["transactionId"], refundStatus="SUCCESSFUL")
        return self._json_response(201, self._transaction(refund, checkout, origin))

    def _close(self, checkout: Checkout, origin: str) -> httpx.Response:
        if checkout.type != "ORDER" or checkout.status != "APPROVED":
            raise _bad("close.checkout.notApproved")
        checkout.status = "CLOSED"
        self._notify(checkout, checkoutStatus="CLOSED")
        return self._view(checkout, origin, 200)

    def _notify(self, checkout: Checkout, **fields: str) -> None:
        if checkout.callback_url_status_updates:
            self._outbox.append(
                {
                    "checkoutId": checkout.checkout_id,
                    "merchantOrderReferenceNumber": checkout.merchant_order_reference_number,
                    **fields,
                }
            )
