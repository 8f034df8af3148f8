"""Concardis PayEngine (now Nexi): orders, hosted card payment, capture, cancel, refunds.

One :class:`PayEngineWire` holds the whole wire format of the PayEngine REST API v1
(Swagger "Payengine Public" v1 from the ``concardis/Docs`` repository, kept with its
provenance in the test data as ``tests/data/payengine/public.yaml``);
:class:`PayEngine` and :class:`AsyncPayEngine` run it synchronously and asynchronously.

* Authentication: HTTP Basic with the merchant id and the API key.
* Amounts: integers in the currency's minor unit (``initialAmount: 1000`` is 10.00 EUR).
* A payment is a PayEngine *order*; its id is the ``orderId``. ``create_payment`` creates an
  order intent (``POST /orders``, status ``CREATED``) for a hosted payment page, where the payer
  enters the card; the payment that results is a ``PREAUTH`` (or ``DEBIT``) transaction.
  ``capture``/``cancel`` act on that preauth, ``refund`` on its captures (or the debit),
  through ``POST /orders/{orderId}/transactions/{transactionId}/capture|cancel|refund``.
* PayEngine has no idempotency key. Every mutating call therefore carries a key made once
  per call in a field PayEngine stores and returns (``source`` on orders, ``description``
  on transactions), and its request is marked with
  :func:`~payportal.providers._core.confirm_before_resend`: after an attempt whose answer
  was lost, the driver reads the order back and only sends again if the key is not there.
  A lost answer to a capture thus never captures twice. A lost answer to ``POST /orders``
  is looked up with ``GET /orders?source=<key>``; only an order carrying the key is taken,
  and when the list cannot say (it lists other orders: the filter was not applied)
  :class:`~payportal.exceptions.OutcomeUnknownError` is raised instead of guessing.
* Notifications are not signed. :meth:`PayEngineWire.parse_webhook` never trusts the posted
  body: it asks PayEngine's validation endpoint (when ``notification_url`` is set) and
  always reads the order back, taking the payment id and status from PayEngine's answer.

Inferred (the specification does not say; built from the best public knowledge): the URL of
the hosted payment page (``payment_page_url``, by default ``https://pp[test].payengine.de/
pay/{order_id}``; set it to what your PayEngine account shows), the query syntax of the
``source`` filter on ``GET /orders`` (named in the operation's description, declared as no
parameter), the error bodies of 401 answers and of refused state
changes, and the plain-text ``VALIDATED``/``INVALID`` answer of ``/notifications/validate``.
``GET /orders/{orderId}`` is specified to answer an order list; a bare order is accepted too.

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest, PaymentStatus
>>> from payportal.testing.fake_payengine import FakePayEngine
>>> fake = FakePayEngine()
>>> payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
>>> payment = payengine.create_payment(PaymentRequest(
...     amount=Money("10.00", "EUR"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel"))
>>> payment.status, payment.redirect_url.startswith("https://pptest.payengine.de/pay/")
(<PaymentStatus.CREATED: 'created'>, True)
>>> fake.approve(payment.id)                   # the payer enters the card on the page
>>> payengine.capture(payment.id, Money("4.00", "EUR")).captured
Money('4.00', 'EUR')
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack, cast

import httpx

from payportal.exceptions import (
    InvalidRequestError,
    OutcomeUnknownError,
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
    Wire,
    checked_id,
    confirm_before_resend,
    error_for_status,
    error_object,
    first_object,
    idempotency_key,
    json_request,
    read_json,
    read_minor_units,
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
    from collections.abc import Generator, Iterable, Mapping

    from payportal._money import Money

__all__ = [
    "LIVE_URL",
    "SANDBOX_URL",
    "AsyncPayEngine",
    "PayEngine",
    "PayEngineOptions",
    "PayEngineWire",
    "order_to_payment",
]

SANDBOX_URL = "https://apitest.payengine.de/v1"
LIVE_URL = "https://api.payengine.de/v1"
_URLS = {"sandbox": SANDBOX_URL, "live": LIVE_URL}
_PAGES = {
    "sandbox": "https://pptest.payengine.de/pay/{order_id}",
    "live": "https://pp.payengine.de/pay/{order_id}",
}

# Ids go into URL paths: only PayEngine's id alphabet, so no id can reach another route.
_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
_KEY_TAG = "payportal:"
_DESCRIPTION_LIMIT = 128
_PRODUCTS = frozenset(
    {"creditcard", "paypal", "paydirekt", "sepa", "sofort", "giropay", "eps", "ideal"}
)

_AUTHORIZED = frozenset({"OK", "SUCCESS"})
# Transactions that moved (or are moving) money; the others never will.
_LIVE = frozenset({"CREATED", "PENDING", "IN_PROGRESS", "OK", "SUCCESS"})
_INITIAL_STATUS = {
    "CREATED": PaymentStatus.PENDING,
    "PENDING": PaymentStatus.CREATED,  # waiting for the payer at the redirect
    "IN_PROGRESS": PaymentStatus.PENDING,
    "OK": PaymentStatus.AUTHORIZED,
    "SUCCESS": PaymentStatus.AUTHORIZED,
    "FAILURE": PaymentStatus.FAILED,
    "DECLINED": PaymentStatus.FAILED,
    "ABORTED": PaymentStatus.EXPIRED,  # the payer gave up
    "EXPIRED": PaymentStatus.EXPIRED,
}


def _unreadable(what: object) -> ProviderError:
    return ProviderError(f"PayEngine sent an unreadable {what}", provider="payengine")


def _minor(data: Mapping[str, Any], field: str, currency: str) -> Money:
    return read_minor_units(data.get(field) or 0, currency, "payengine", field=field)


def _transactions(order: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    return [t for t in order.get("transactions") or () if t.get("type") == kind]


def _initial(order: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The order's payment transaction: its preauth or debit, the newest if retried."""
    initial = [t for t in order.get("transactions") or () if t.get("type") in ("PREAUTH", "DEBIT")]
    return initial[-1] if initial else None


def order_to_payment(order: Mapping[str, Any], *, payment_page_url: str | None = None) -> Payment:
    """Map a PayEngine order (``OrderResponse``) to a :class:`~payportal.providers.Payment`.

    Amounts come from PayEngine's own sums (``capturedAmount``, ``refundedAmount``, ...);
    ``payment_page_url`` (a template with ``{order_id}``) gives the payer's link while no
    payment transaction exists yet.

    Raises:
        ProviderError: the order lacks its id, currency or amounts.
    """
    try:
        order_id = str(order["orderId"])
        currency = str(order["currency"])
        amount = _minor(order, "initialAmount", currency)
    except (KeyError, ValueError) as error:
        raise _unreadable("order") from error
    authorized = _minor(order, "preauthorizedAmount", currency)
    captured = _minor(order, "capturedAmount", currency)
    refunded = _minor(order, "refundedAmount", currency)
    canceled = _minor(order, "canceledAmount", currency)
    initial = _initial(order)
    raw = str(order.get("status", ""))
    if order.get("lastOperation"):
        raw = f"{raw}/{order['lastOperation']}"
    redirect = order.get("redirectUrl")
    if initial is None:
        status = PaymentStatus.CREATED
        if redirect is None and payment_page_url is not None:
            redirect = payment_page_url.format(order_id=urllib.parse.quote(order_id))
    elif initial.get("type") == "DEBIT" and initial.get("status") in _AUTHORIZED:
        captured = max(captured, _minor(initial, "initialAmount", currency))
        status = PaymentStatus.PAID
    else:
        status = _INITIAL_STATUS.get(str(initial.get("status")), PaymentStatus.PENDING)
    if captured:
        status = PaymentStatus.PAID
        if refunded >= captured:
            status = PaymentStatus.REFUNDED
        elif refunded:
            status = PaymentStatus.PARTIALLY_REFUNDED
    elif status is PaymentStatus.AUTHORIZED and canceled and canceled >= authorized:
        status = PaymentStatus.CANCELLED
    refunds = [
        Refund(
            id=str(t["transactionId"]),
            amount=_minor(t, "initialAmount", currency),
            raw_status=str(t.get("status", "")),
        )
        for t in _transactions(order, "REFUND")
        if t.get("status") in _LIVE
    ]
    return Payment(
        id=order_id,
        provider="payengine",
        status=status,
        raw_status=raw,
        amount=amount,
        captured=captured,
        refunded=refunded,
        reference=order.get("merchantOrderId"),
        redirect_url=str(redirect) if redirect and status is PaymentStatus.CREATED else None,
        refunds=refunds,
    )


def _tagged(text: str | None, key: str) -> str:
    """A description carrying the idempotency key, within PayEngine's 128 characters."""
    tag = f"{_KEY_TAG}{key}"
    if not text:
        return tag
    return f"{text[: _DESCRIPTION_LIMIT - len(tag) - 1]} {tag}"


def _has_key(transaction: Mapping[str, Any], key: str) -> bool:
    return str(transaction.get("description", "")).endswith(f"{_KEY_TAG}{key}")


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="payengine", code="webhook_verification")


def _order_id_of(notification: Mapping[str, Any]) -> str | None:
    """The order a notification is about: an order, a transaction, or a diff of either."""
    payload = notification.get("payload")
    if not isinstance(payload, dict):
        return None
    subject: dict[str, Any] = payload
    if isinstance(payload.get("newObject"), dict):
        subject = payload["newObject"]
    order = subject.get("order")
    for candidate in (
        subject.get("orderId"),
        order.get("orderId") if isinstance(order, dict) else order,
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


class PayEngineWire(Wire):
    """PayEngine's wire format, free of I/O; run it with :class:`PayEngine`/:class:`AsyncPayEngine`.

    Args:
        merchant_id: the merchant id (``merchant_...``).
        api_key: the API key; never shown in ``repr``, logs or errors.
        environment: ``"sandbox"`` or ``"live"``; picks the API and payment page URLs.
        base_url: overrides the environment's API URL (a fake server on loopback).
        transaction_type: ``"PREAUTH"`` (authorize, then capture or cancel) or ``"DEBIT"``
            (charge at once; capture and cancel are then unsupported).
        products: the payment methods the hosted page offers (``allowedProducts``).
        payment_page_url: the hosted payment page, with ``{order_id}`` where the order id goes.
        notification_url: the URL your notifications are configured for; when set,
            ``parse_webhook`` also has PayEngine validate each notification.

    Raises:
        ValidationError: an argument is out of range.
    """

    name = "payengine"

    def __init__(
        self,
        merchant_id: str,
        api_key: str,
        *,
        environment: Literal["sandbox", "live"] = "sandbox",
        base_url: str | None = None,
        transaction_type: Literal["PREAUTH", "DEBIT"] = "PREAUTH",
        products: Iterable[str] = ("creditcard",),
        payment_page_url: str | None = None,
        notification_url: str | None = None,
    ) -> None:
        if not merchant_id or not api_key:
            raise ValidationError(
                "must both be given", field="merchant_id/api_key", value="(hidden)"
            )
        if environment not in _URLS:
            raise ValidationError(
                "must be 'sandbox' or 'live'", field="environment", value=environment
            )
        if transaction_type not in ("PREAUTH", "DEBIT"):
            raise ValidationError(
                "must be 'PREAUTH' or 'DEBIT'", field="transaction_type", value=transaction_type
            )
        self.products = tuple(products)
        unknown = [p for p in self.products if p not in _PRODUCTS]
        if not self.products or unknown:
            raise ValidationError(
                f"must name PayEngine products with a hosted page ({', '.join(sorted(_PRODUCTS))})",
                field="products",
                value=self.products,
            )
        page = payment_page_url or _PAGES[environment]
        if "{order_id}" not in page:
            raise ValidationError(
                "must contain {order_id}", field="payment_page_url", value=payment_page_url
            )
        self.merchant_id = merchant_id
        self._basic = "Basic " + base64.b64encode(f"{merchant_id}:{api_key}".encode()).decode()
        self.environment = environment
        self.base_url = (base_url or _URLS[environment]).rstrip("/")
        self.transaction_type = transaction_type
        self.payment_page_url = page
        self.notification_url = notification_url
        preauth = transaction_type == "PREAUTH"
        self.capabilities = Capabilities(
            capture=preauth,
            partial_capture=preauth,
            refund=True,
            partial_refund=True,
            multiple_refunds=True,
            void=preauth,
            webhook_signatures=False,  # PayEngine does not sign; see parse_webhook
            redirect=True,
        )

    def __repr__(self) -> str:
        return (
            f"PayEngineWire(environment={self.environment!r}, "
            f"merchant_id={self.merchant_id!r}, transaction_type={self.transaction_type!r})"
        )

    # -- requests and errors ----------------------------------------------------------

    def _request(
        self, method: str, path: str, body: object = None, params: Mapping[str, str] | None = None
    ) -> httpx.Request:
        url = f"{self.base_url}{path}"
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        return json_request(method, url, json_body=body, headers={"Authorization": self._basic})

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        data = error_object(response)
        first = first_object(data, "elements")
        code = first.get("code", data.get("code"))
        message = str(
            first.get("message")
            or data.get("message")
            or f"PayEngine answered HTTP {response.status_code}"
        )
        if first.get("field"):
            message = f"{message} (field {first['field']})"
        raise error_for_status(response.status_code)(
            message,
            provider=self.name,
            code=None if code is None else str(code),
            request_id=data.get("globalTrackId"),
            status_code=response.status_code,
        )

    def _answer(self, response: httpx.Response) -> Any:
        self._raise_for(response)
        return read_json(response, self.name)

    def _path(self, order_id: str) -> str:
        checked_id(order_id, _ID, provider=self.name, what="PayEngine order id", code="invalid_id")
        return f"/orders/{order_id}"

    def _order(self, order_id: str) -> Generator[httpx.Request, httpx.Response, Any]:
        data = self._answer((yield self._request("GET", self._path(order_id))))
        # The specification answers an order list here; a bare order is accepted as well.
        if isinstance(data, dict) and "elements" in data:
            elements = data["elements"]
            if not isinstance(elements, list) or not elements:
                raise _unreadable("order list")
            data = elements[0]
        if not isinstance(data, dict):
            raise _unreadable("order")
        return data

    def _payment(self, order: Mapping[str, Any]) -> Payment:
        return order_to_payment(order, payment_page_url=self.payment_page_url)

    def _transaction(
        self, order_id: str, transaction_id: str, action: str, amount: Money, text: str | None
    ) -> Generator[httpx.Request, httpx.Response, Any]:
        """POST a capture/cancel/refund once, confirmed by its key before any resend."""
        key = idempotency_key()
        request = self._request(
            "POST",
            f"{self._path(order_id)}/transactions/{transaction_id}/{action}",
            {
                "initialAmount": amount.minor_units,
                "currency": amount.currency,
                "description": _tagged(text, key),
            },
        )

        def check() -> Operation[httpx.Response | None]:
            order = yield from self._order(order_id)
            for transaction in order.get("transactions") or ():
                if _has_key(transaction, key):
                    return httpx.Response(200, json={**transaction, "order": order})
            return None

        return self._answer((yield confirm_before_resend(request, check)))

    # -- operations -------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``POST /orders``, an order intent for the hosted payment page."""
        success = request.return_url or request.cancel_url
        if success is None:
            raise InvalidRequestError(
                "PayEngine needs a return_url to send the payer back to",
                provider=self.name,
                code="12205",
            )
        key = idempotency_key()
        body: dict[str, Any] = {
            "initialAmount": request.amount.minor_units,
            "currency": request.amount.currency,
            "transactionType": self.transaction_type,
            "channel": "ECOM",
            "allowedProducts": list(self.products),
            "merchantOrderId": request.reference[:255],
            "source": f"{_KEY_TAG}{key}",
            "async": {
                "successUrl": success,
                "failureUrl": request.cancel_url or success,
                "cancelUrl": request.cancel_url or success,
            },
        }
        if request.description:
            body["description"] = request.description[:_DESCRIPTION_LIMIT]
        if request.metadata:
            body["statementDescription"] = json.dumps(
                dict(request.metadata), separators=(",", ":")
            )[:128]
        if self.notification_url:
            body["async"]["notifications"] = [
                {"notificationUrn": self.notification_url, "notificationVersion": "2.0"}
            ]

        def check() -> Operation[httpx.Response | None]:
            found = self._answer(
                (yield self._request("GET", "/orders", params={"source": body["source"]}))
            )
            order = self._created_by(found, body["source"], request.reference)
            return None if order is None else httpx.Response(200, json=order)

        order = self._answer(
            (yield confirm_before_resend(self._request("POST", "/orders", body), check))
        )
        if not isinstance(order, dict):
            raise _unreadable("order")
        return self._payment(order)

    def _created_by(self, found: object, source: str, reference: str) -> Mapping[str, Any] | None:
        """The order a lost ``POST /orders`` created, from the ``GET /orders?source=`` answer.

        The specification names ``source`` among the list's filters but declares no query
        parameter, so the answer is never trusted as filtered: only an order whose
        ``source`` is this call's random key is taken. An empty list means no order carries
        the key (``None``: send again; a second order *intent* moves no money). A list of
        other orders means the filter was not applied and the order may sit on another page.

        Raises:
            OutcomeUnknownError: the answer cannot say which order, if any, the lost request
                created; its ``lookup`` holds the ``source`` to match the order by, later,
                in a notification or a poll.
        """
        elements = found.get("elements") if isinstance(found, dict) else None
        if not isinstance(elements, list):
            raise _unreadable("order list")
        ours = [e for e in elements if isinstance(e, dict) and e.get("source") == source]
        if len(ours) == 1:
            return cast("Mapping[str, Any]", ours[0])
        if not elements:
            return None
        raise OutcomeUnknownError(
            "the answer to creating the order was lost, and PayEngine's order list cannot "
            f"say which order it created ({len(ours)} of {len(elements)} listed orders carry "
            "its key); match the order by its source in a notification or a later poll",
            provider=self.name,
            operation="create_payment",
            lookup={"source": source, "merchantOrderId": reference[:255]},
        )

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``GET /orders/{orderId}``."""
        return self._payment((yield from self._order(payment_id)))

    def _authorization(self, order: Mapping[str, Any], operation: str) -> tuple[str, Money]:
        """The order's successful preauth and what is left of it."""
        payment = self._payment(order)
        initial = _initial(order)
        if initial is None or initial.get("status") not in _AUTHORIZED:
            raise InvalidRequestError(
                f"cannot {operation} order {payment.id}: the payer has not authorized it "
                f"(status {payment.raw_status})",
                provider=self.name,
                code="not_authorized",
            )
        currency = payment.amount.currency
        left = (
            _minor(order, "preauthorizedAmount", currency)
            - payment.captured
            - _minor(order, "canceledAmount", currency)
        )
        if left.amount <= 0:
            raise InvalidRequestError(
                f"cannot {operation} order {payment.id}: nothing authorized is left "
                f"(status {payment.raw_status})",
                provider=self.name,
                code="nothing_left",
            )
        return str(initial["transactionId"]), left

    def _require_preauth(self, operation: str) -> None:
        if self.transaction_type != "PREAUTH":
            self.unsupported(operation, f"PayEngine cannot {operation} a DEBIT payment")

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: capture the preauth, all that is left or ``amount`` of it."""
        self._require_preauth("capture")
        order = yield from self._order(payment_id)
        preauth_id, left = self._authorization(order, "capture")
        answer = yield from self._transaction(
            payment_id, preauth_id, "capture", left if amount is None else amount, None
        )
        if answer.get("status") in ("FAILURE", "DECLINED"):
            raise PaymentDeclinedError(
                f"PayEngine declined the capture of order {payment_id}",
                provider=self.name,
                code=str(answer["status"]),
            )
        return self._payment((yield from self._order(payment_id)))

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: cancel what is left of the preauth (releases the reservation)."""
        self._require_preauth("cancel")
        order = yield from self._order(payment_id)
        preauth_id, left = self._authorization(order, "cancel")
        yield from self._transaction(payment_id, preauth_id, "cancel", left, None)
        return self._payment((yield from self._order(payment_id)))

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: refund the captures (or the debit), oldest first, up to ``amount``."""
        order = yield from self._order(payment_id)
        payment = self._payment(order)
        currency = payment.amount.currency
        wanted = refund_amount(payment, amount, self.name, codes=("12201", "12201"))
        left = wanted
        sources = _transactions(order, "CAPTURE") + _transactions(order, "DEBIT")
        for source in sources:
            if not left or source.get("status") not in _AUTHORIZED:
                continue
            room = _minor(source, "initialAmount", currency) - _minor(
                source, "refundedAmount", currency
            )
            share = min(room, left)
            if share.amount <= 0:
                continue
            yield from self._transaction(
                payment_id, str(source["transactionId"]), "refund", share, reason
            )
            left -= share
        return self._payment((yield from self._order(payment_id)))

    # -- notifications ----------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: confirm a notification with PayEngine, then describe it.

        Notifications are not signed, so nothing in the body is taken on trust: with
        ``notification_url`` set, the body is posted unchanged to
        ``/notifications/validate`` and must come back ``VALIDATED``; in every case the
        order is read back, and the event's ``payment_id`` and ``status`` are PayEngine's
        answer, its ``data`` the order as read. Only ``id`` and ``type`` come from the body.

        Raises:
            WebhookVerificationError: the body is not a notification, PayEngine calls it
                invalid, or it names an order PayEngine does not know.
        """
        try:
            notification = json.loads(body)
            event_id = str(notification["eventId"])
            event_type = str(notification["type"])
        except (ValueError, KeyError, TypeError):
            raise _unverified("the body is not a PayEngine notification") from None
        order_id = _order_id_of(notification)
        if not event_id or not event_type or order_id is None or not _ID.fullmatch(order_id):
            raise _unverified("the notification names no order")
        if self.notification_url is not None:
            verdict = yield httpx.Request(
                "POST",
                f"{self.base_url}/notifications/validate",
                params={"address": self.notification_url},
                headers={"Authorization": self._basic, "Content-Type": "application/json"},
                content=body,
            )
            self._raise_for(verdict)
            if verdict.text.strip().strip('"') != "VALIDATED":
                raise _unverified("PayEngine does not confirm this notification")
        try:
            order = yield from self._order(order_id)
        except InvalidRequestError:
            raise _unverified(f"PayEngine knows no order {order_id}") from None
        payment = self._payment(order)
        return WebhookEvent(
            id=event_id,
            provider=self.name,
            type=event_type,
            payment_id=payment.id,
            status=payment.status,
            data=order,
        )


class PayEngineOptions(TypedDict, total=False):
    """The PayEngine-specific keyword arguments of :class:`PayEngine` and its async twin."""

    environment: Literal["sandbox", "live"]
    base_url: str
    transaction_type: Literal["PREAUTH", "DEBIT"]
    products: Iterable[str]
    payment_page_url: str
    notification_url: str


class _SyncOptions(PayEngineOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(PayEngineOptions, AsyncHTTPOptions, total=False):
    pass


class PayEngine(HTTPProvider):
    """Concardis PayEngine, synchronous.

    Takes the arguments of :class:`PayEngineWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> PayEngine("merchant_bzo3pt5dix", "YGc7oJsaAIetzdxD", environment="live")
    ... # doctest: +NORMALIZE_WHITESPACE
    PayEngine(PayEngineWire(environment='live', merchant_id='merchant_bzo3pt5dix',
              transaction_type='PREAUTH'))
    """

    def __init__(self, merchant_id: str, api_key: str, **options: Unpack[_SyncOptions]) -> None:
        wire, http = split_options(options, HTTPOptions)
        super().__init__(PayEngineWire(merchant_id, api_key, **wire), **http)


class AsyncPayEngine(AsyncHTTPProvider):
    """Concardis PayEngine, asynchronous; arguments as :class:`PayEngine`, with an async client."""

    def __init__(self, merchant_id: str, api_key: str, **options: Unpack[_AsyncOptions]) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(PayEngineWire(merchant_id, api_key, **wire), **http)
