"""A fake Concardis PayEngine API: orders, transactions, hosted page and notifications.

It speaks PayEngine's REST API v1 and validates requests the way its specification says:
HTTP Basic with the merchant id and API key; integer amounts in minor units between 1 and
999999999999999999; currencies, URLs and text lengths; the error bodies with PayEngine's
codes (``12200``.. for bad fields, ``12101``/``14101`` for unknown orders and transactions)
and a ``globalTrackId``. Captures and cancels only apply to a successful preauth and never
exceed what is left of it; refunds only to a successful capture or debit, never beyond it.
Like PayEngine, it has no idempotency key: a request sent twice is executed twice.

Notifications (``NotificationContent``, unsigned) queue up on every transaction and are taken
with :meth:`FakePayEngine.webhooks`; ``POST /notifications/validate?address=...`` answers
``VALIDATED`` only for a body it sent, unchanged, to its :attr:`~FakePayEngine.notification_url`.
The hosted payment page (``GET /pay/{orderId}``, any host) plays the payer paying by card.

>>> fake = FakePayEngine()
>>> with fake.serve() as base_url:
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
from typing import Any, cast

import attrs
import httpx

from payportal._money import is_currency
from payportal.testing._server import FakeServer, Record, Refusal, is_web_url, route

__all__ = ["FakePayEngine", "Order", "Transaction"]

_MAX_AMOUNT = 999_999_999_999_999_999
_PRODUCTS = frozenset(
    {
        "creditcard", "paypal", "paydirekt", "ratepay-invoice", "ratepay-directdebit",
        "ratepay-installment", "sepa", "sofort", "klarna-pay-now", "klarna-pay-later",
        "klarna-slice-it", "prepayment", "giropay", "eps", "ideal", "alipay", "bancontact",
        "wechat-pay",
    }
)  # fmt: skip
_AUTHORIZED = ("OK", "SUCCESS")


class _ApiError(Refusal):
    def __init__(
        self, status: int, message: str, code: int, elements: list[dict[str, Any]]
    ) -> None:
        self.status = status
        self.message = message
        self.code = code
        self.elements = elements


def _bad(code: int, field: str, message: str) -> _ApiError:
    return _ApiError(400, "Error while processing request!", 12000, [
        {"code": code, "field": field, "message": message}
    ])  # fmt: skip


def _now_ms(seconds: float) -> int:
    return int(seconds * 1000)


def _amount(body: dict[str, Any], missing: int) -> int:
    if "initialAmount" not in body:
        raise _bad(
            missing,
            "initialAmount",
            "Field initialAmount is missing.  Expected: Positive integer between 1 and "
            "999999999999999999.",
        )
    value = body["initialAmount"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_AMOUNT:
        raise _bad(
            missing + 1,
            "initialAmount",
            "Bad value for initialAmount. Expected: Positive integer between 1 and "
            "999999999999999999.",
        )
    return value


def _text(body: dict[str, Any], field: str, code: int, limit: int) -> None:
    value = body.get(field)
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= limit):
        raise _bad(
            code, field, f"Bad value for {field}. Expected: string of length between 1 and {limit}."
        )


def _url(data: dict[str, Any], field: str, code: int) -> None:
    value = data.get(field)
    if value is None:
        raise _bad(
            code, f"async.{field}", f"Field async.{field} is missing. Expected: string "
            "representing a valid URL."
        )  # fmt: skip
    if not is_web_url(value) or len(value) < 6:
        raise _bad(
            code + 1, f"async.{field}", f"Bad value for async.{field}. Expected: string "
            "representing a valid URL."
        )  # fmt: skip


@attrs.define
class Transaction(Record):
    """A PayEngine transaction as the fake keeps it (its JSON is :meth:`~Record.wire`).

    ``order`` is the order's id, ``transactions`` the ids of its children (captures,
    cancels, refunds) and ``parent_transaction`` its parent's id, if any.
    """

    type: str
    transaction_id: str
    currency: str
    initial_amount: int
    description: str
    created_at: int
    modified_at: int
    order: str
    status: str = "SUCCESS"
    transactions: list[str] = attrs.Factory(list)
    captured_amount: int = 0
    refunded_amount: int = 0
    canceled_amount: int = 0
    parent_transaction: str | None = None  # a string in the spec, never null: absent if None


@attrs.define
class Order(Record):
    """A PayEngine order as the fake keeps it; :meth:`~Record.wire` names transactions by
    id (the API shows them embedded, see :meth:`FakePayEngine.view`)."""

    order_id: str
    initial_amount: int
    currency: str
    channel: str
    created_at: int
    modified_at: int
    transaction_type: str
    allowed_products: list[str]
    status: str = "CREATED"
    transactions: list[str] = attrs.Factory(list)
    preauthorized_amount: int = 0
    captured_amount: int = 0
    refunded_amount: int = 0
    canceled_amount: int = 0
    merchant_order_id: str | None = None
    description: str | None = None
    statement_description: str | None = None
    source: str | None = None
    product: str | None = None
    last_operation: str | None = None


class FakePayEngine(FakeServer):
    """An in-memory PayEngine API.

    Attributes:
        merchant_id, api_key: the only credentials it accepts.
        notification_url: the URL its notifications are configured for.
        duplicate_webhooks: deliver every notification twice from :meth:`webhooks`.
        orders: the orders by id (:class:`Order`).
        transactions: every transaction by id (:class:`Transaction`).

    Test-side controls: :meth:`approve` (the payer pays on the hosted page), :meth:`decline`
    (the card is declined there), :meth:`webhooks`, and :meth:`inject` from
    :class:`~payportal.testing.FakeServer`.
    """

    provider = "payengine"

    def __init__(
        self,
        *,
        notification_url: str = "https://shop.example/payengine/notify",
        duplicate_webhooks: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.merchant_id = "merchant_" + secrets.token_hex(5)
        self.api_key = secrets.token_urlsafe(12)
        self.notification_url = notification_url
        self.duplicate_webhooks = duplicate_webhooks
        self.orders: dict[str, Order] = {}
        self.transactions: dict[str, Transaction] = {}
        self._outbox: list[bytes] = []
        self._sent: set[bytes] = set()
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return f"FakePayEngine(orders={len(self.orders)})"

    # -- test-side controls ----------------------------------------------------------------

    def approve(self, order_id: str) -> None:
        """The payer pays on the hosted page: a successful PREAUTH (or DEBIT) transaction.

        Raises:
            KeyError: no such order.
            ValueError: the order was paid or declined already.
        """
        self._pay(order_id, "SUCCESS")

    def decline(self, order_id: str) -> None:
        """The payer's card is declined on the hosted page (a DECLINED transaction).

        Raises:
            KeyError: no such order.
            ValueError: the order was paid or declined already.
        """
        self._pay(order_id, "DECLINED")

    def webhooks(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the notifications sent so far, oldest first (each twice when
        :attr:`duplicate_webhooks` is set). They are not signed: the headers say nothing."""
        with self._lock:
            bodies, self._outbox = self._outbox, []
        copies = 2 if self.duplicate_webhooks else 1
        return [({"Content-Type": "application/json"}, b) for b in bodies for _ in range(copies)]

    def _pay(self, order_id: str, status: str) -> None:
        with self._lock:
            order = self.orders[order_id]
            if order.status != "CREATED":
                raise ValueError(f"order {order_id} is {order.status}, not awaiting payment")
            kind = order.transaction_type
            transaction = self._new_transaction(order, kind, order.initial_amount, None, None)
            transaction.status = status
            if status == "SUCCESS":
                order.status = "OPEN"
                order.product = "creditcard"
                if kind == "PREAUTH":
                    order.preauthorized_amount = order.initial_amount
                else:
                    order.captured_amount = order.initial_amount
            else:
                order.status = "CLOSED"
            self._touch(order, transaction)

    # -- the HTTP API ----------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """PayEngine's body for server errors and rate limiting."""
        message = "Too many requests!" if status == 429 else "Internal server error!"
        return self._error(_ApiError(status, message, 10000 + status, []))

    def _error(self, error: _ApiError) -> httpx.Response:
        return httpx.Response(
            error.status,
            json={
                "status": error.status,
                "message": error.message,
                "code": error.code,
                "globalTrackId": secrets.token_hex(8),
                "elements": error.elements,
            },
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Authenticate and route one request; see the module docstring for what is validated.

        Paths are accepted with and without the ``/v1`` prefix; the hosted page needs no
        credentials.
        """
        path = request.url.path
        path = path[3:] if path.startswith("/v1/") else path
        if not path.startswith("/pay/"):
            self._authenticate(request)
        return self.route(request, request, self._body(request), path=path)

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """PayEngine's ``Not found!`` (``10404``) or, for a wrong method, ``10405``."""
        message = "Not found!" if status == 404 else "Method not allowed!"
        return _ApiError(status, message, 10000 + status, [])

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """PayEngine's error body for a refusal."""
        return self._error(cast("_ApiError", refusal))

    @route("GET", "/pay/{order_id}")
    def _hosted_page(self, request: httpx.Request, body: object, order_id: str) -> httpx.Response:
        try:
            self.approve(order_id)
        except (KeyError, ValueError):
            return httpx.Response(404, text="This payment page is not available.")
        return httpx.Response(200, text="Payment successful.")

    def _authenticate(self, request: httpx.Request) -> None:
        expected = base64.b64encode(f"{self.merchant_id}:{self.api_key}".encode()).decode()
        given = request.headers.get("Authorization", "")
        if not secrets.compare_digest(given.encode(), f"Basic {expected}".encode()):
            raise _ApiError(401, "Unauthorized!", 10401, [])

    @staticmethod
    def _body(request: httpx.Request) -> dict[str, Any]:
        if request.method != "POST" or not request.content:
            return {}
        try:
            body = json.loads(request.content)
        except ValueError:
            raise _ApiError(400, "Malformed JSON!", 10400, []) from None
        if not isinstance(body, dict):
            raise _ApiError(400, "Malformed JSON!", 10400, [])
        return body

    @route("POST", "/orders")
    def _post_order(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(200, json=self._view(self._create(body)))

    @route("GET", "/orders")
    def _get_orders(self, request: httpx.Request, body: object) -> httpx.Response:
        return self._list(request.url.params)

    @route("GET", "/orders/{order_id}")
    def _get_order(self, request: httpx.Request, body: object, order_id: str) -> httpx.Response:
        order = self._order(order_id)
        return httpx.Response(200, json={"elements": [self._view(order)], "totalPages": 1})

    @route("POST", "/orders/{order_id}/transactions/{transaction_id}/capture")
    @route("POST", "/orders/{order_id}/transactions/{transaction_id}/cancel")
    @route("POST", "/orders/{order_id}/transactions/{transaction_id}/refund")
    def _post_action(
        self, request: httpx.Request, body: dict[str, Any], order_id: str, transaction_id: str
    ) -> httpx.Response:
        order = self._order(order_id)
        transaction = self.transactions.get(transaction_id)
        if transaction is None or transaction.order != order.order_id:
            raise _ApiError(404, "Error while loading transaction!", 14001, [
                {"code": 14101, "field": "transactionId", "message": "A Transaction with "
                 "specified id can not be found."}
            ])  # fmt: skip
        return self._act(order, transaction, request.url.path.rsplit("/", 1)[-1], body)

    def _order(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise _ApiError(404, "Error while loading order!", 12001, [
                {"code": 12101, "field": "orderId", "message": "An Order with specified id "
                 "can not be found."}
            ])  # fmt: skip
        return order

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}{secrets.token_hex(4)}"

    def _create(self, body: dict[str, Any]) -> Order:
        amount = _amount(body, 12200)
        currency = body.get("currency")
        if currency is None:
            raise _bad(12202, "currency", "Field currency is missing.")
        if not isinstance(currency, str) or not is_currency(currency):
            raise _bad(12203, "currency", "Bad value for currency.")
        callbacks = body.get("async")
        if not isinstance(callbacks, dict):
            raise _bad(12204, "async", "Field async is missing. Expected: object of type Async.")
        _url(callbacks, "successUrl", 12205)
        _url(callbacks, "failureUrl", 12207)
        _url(callbacks, "cancelUrl", 12209)
        kind = body.get("transactionType")
        if kind is None:
            raise _bad(12211, "async.transactionType", "Field transactionType is missing.")
        if kind not in ("PREAUTH", "DEBIT"):
            raise _bad(12212, "async.transactionType", "Bad value for transactionType.")
        _text(body, "description", 12217, 128)
        _text(body, "statementDescription", 12218, 255)
        _text(body, "merchantOrderId", 12237, 255)
        _text(body, "source", 12238, 128)
        products = body.get("allowedProducts", [])
        if not isinstance(products, list) or any(p not in _PRODUCTS for p in products):
            raise _bad(12239, "allowedProducts", "Bad value for allowedProducts.")
        if body.get("channel", "ECOM") not in ("ECOM", "MOTO"):
            raise _bad(12240, "channel", "Bad value for channel.")
        order_id = self._new_id("order")
        now = _now_ms(self.clock())
        order = Order(
            order_id=order_id,
            initial_amount=amount,
            currency=currency,
            channel=body.get("channel", "ECOM"),
            created_at=now,
            modified_at=now,
            transaction_type=kind,
            allowed_products=products,
            merchant_order_id=body.get("merchantOrderId"),
            description=body.get("description"),
            statement_description=body.get("statementDescription"),
            source=body.get("source"),
        )
        self.orders[order_id] = order
        self._notify("order.create.success", self._view(order))
        return order

    def _list(self, params: httpx.QueryParams) -> httpx.Response:
        filters = {k: v for k, v in params.items() if k not in ("page", "size")}
        found = [
            self._view(o)
            for o in self.orders.values()
            if all(str(o.wire().get(k)) == v for k, v in filters.items())
        ]
        return httpx.Response(200, json={"elements": found, "totalPages": 1})

    def _view(self, order: Order) -> dict[str, Any]:
        return {
            **order.wire(),
            "transactions": [self.transactions[t].wire() for t in order.transactions],
        }

    def _new_transaction(
        self,
        order: Order,
        kind: str,
        amount: int,
        parent: Transaction | None,
        description: str | None,
    ) -> Transaction:
        now = _now_ms(self.clock())
        transaction = Transaction(
            type=kind,
            transaction_id=self._new_id("trx"),
            initial_amount=amount,
            currency=order.currency,
            description=description or kind.lower(),
            created_at=now,
            modified_at=now,
            order=order.order_id,
        )
        self.transactions[transaction.transaction_id] = transaction
        order.transactions.append(transaction.transaction_id)
        if parent is not None:
            transaction.parent_transaction = parent.transaction_id
            parent.transactions.append(transaction.transaction_id)
        return transaction

    def _act(
        self, order: Order, parent: Transaction, action: str, body: dict[str, Any]
    ) -> httpx.Response:
        amount = _amount(body, 12200)
        if "currency" not in body:
            raise _bad(12202, "currency", "Field currency is missing.")
        if body["currency"] != order.currency:
            raise _bad(12203, "currency", f"Bad value for currency. Expected: string value "
                       f"in ['{order.currency}'].")  # fmt: skip
        _text(body, "description", 12217, 128)
        wanted = ("PREAUTH",) if action != "refund" else ("CAPTURE", "DEBIT")
        if parent.type not in wanted or parent.status not in _AUTHORIZED:
            raise _bad(
                12300,
                "transactionId",
                f"A {action} needs a {' or '.join(wanted)} transaction in status SUCCESS.",
            )
        if action == "refund":
            left = parent.initial_amount - parent.refunded_amount
        else:
            left = parent.initial_amount - parent.captured_amount - parent.canceled_amount
        if amount > left:
            raise _bad(
                12201,
                "initialAmount",
                f"Bad value for initialAmount. Expected: at most {left}, what is left to {action}.",
            )
        transaction = self._new_transaction(
            order, action.upper(), amount, parent, body.get("description")
        )
        field = {"capture": "captured_amount", "cancel": "canceled_amount"}.get(
            action, "refunded_amount"
        )
        setattr(parent, field, getattr(parent, field) + amount)
        setattr(order, field, getattr(order, field) + amount)
        if order.refunded_amount >= order.captured_amount > 0 or (
            order.canceled_amount >= order.preauthorized_amount > 0
        ):
            order.status = "CLOSED"
        self._touch(order, transaction)
        # The answer embeds the order and the parent transaction as objects (the spec's
        # TransactionResponseParent); inside the order a parent is named by its id.
        answer = {
            **transaction.wire(),
            "order": self._view(order),
            "parentTransaction": parent.wire(),
        }
        return httpx.Response(200, json=answer)

    def _touch(self, order: Order, transaction: Transaction) -> None:
        order.modified_at = transaction.modified_at
        status = transaction.status
        if transaction.type == "PREAUTH" and status == "SUCCESS":
            status = "OK"  # the spec's lastOperation has TRANSACTION_PREAUTH_OK, no _SUCCESS
        order.last_operation = f"TRANSACTION_{transaction.type}_{status}"
        self._notify("transaction.create.success", transaction.wire())

    def _notify(self, event_type: str, payload: dict[str, Any]) -> None:
        body = json.dumps(
            {
                "eventId": secrets.token_hex(12),
                "apiVersion": "1.0",
                "ipAddress": "127.0.0.1",
                "globalTrackId": secrets.token_hex(8),
                "mode": "test",
                "type": event_type,
                "notificationId": "notification_" + secrets.token_hex(4),
                "notificationApiVersion": "1.0",
                "createdAt": _now_ms(self.clock()),
                "payload": payload,
            },
            separators=(",", ":"),
        ).encode()
        self._outbox.append(body)
        self._sent.add(body)

    @route("POST", "/notifications/validate")
    def _validate(self, request: httpx.Request, body: object) -> httpx.Response:
        address = request.url.params.get("address", "")
        ok = address == self.notification_url and request.content in self._sent
        return httpx.Response(
            200,
            text="VALIDATED" if ok else "INVALID",
            headers={"Content-Type": "text/plain"},
        )
