"""A fake Billwerk+ Pay (Reepay) server: checkout sessions, charges, refunds, events, webhooks.

It speaks Reepay's wire format and validates requests the way the real API does: HTTP Basic
with the private key and an empty password; charge handles of ``[A-Za-z0-9_.-@]``; amounts
as positive integers in minor units; a customer on every order; state rules with Reepay's
numeric error codes (``106`` invoice must be authorized, ``79`` already settled, ``65``
refund amount too high, ...). A repeated idempotency ``key`` (``order.key`` on sessions,
``key`` on settle and refund) replays the first answer instead of acting twice.

Saved payment methods: a recurring session (``POST /v1/session/recurring``) lets the
customer save a card (:meth:`FakeBillwerkPay.save_card`), which is listed under the
customer (``GET /v1/customer/{handle}/payment_method``, each card with the session id as its
``reference``), read and deleted as ``/v1/payment_method/{id}``, and charged with ``POST
/v1/charge`` (``source`` = the card id, ``customer_handle``, ``handle``, ``key``). A charge
on a card whose expiry has passed fails with code ``77`` and the transaction error
``credit_card_expired`` (the card turns ``failed``); on an inactivated or deleted card with
``42``; on an unknown card with ``40``; :meth:`FakeBillwerkPay.decline_charges` makes a
card's charges fail with another transaction error (``insufficient_funds``).

Both the checkout API and the core API are served from the same base URL. Two routes are the
fake's own, standing in for the payer on the hosted pages:
``POST /_fake/checkout/{session id}/pay`` (see :meth:`FakeBillwerkPay.approve`) and
``POST /_fake/checkout/{session id}/save`` (see :meth:`FakeBillwerkPay.save_card`).

>>> fake = FakeBillwerkPay()
>>> with fake.serve() as base_url:           # or fake.transport() in-process
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import attrs
import httpx

from payportal._money import is_currency
from payportal.providers.billwerk import webhook_signature
from payportal.testing._server import FakeServer, Record, Refusal, is_web_url, route

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Card", "FakeBillwerkPay", "Invoice", "Refund"]

_HANDLE = re.compile(r"[A-Za-z0-9_.@-]{1,255}")


@attrs.define
class Invoice(Record):
    """A Reepay charge (an invoice) as the fake keeps it; :meth:`~Record.wire` is the
    Invoice resource. ``transactions`` are the Transaction objects, newest first; ``_settle``
    (settle on payment), ``_transaction`` (the latest transaction's id) and ``_error``
    (``error``, ``error_state`` of a failed charge) are the fake's own notes."""

    camel_case = False
    id: str
    handle: str
    customer: str
    amount: int
    currency: str
    created: str
    order_lines: list[dict[str, Any]]
    state: str = "created"
    type: str = "ch"
    settled_amount: int = 0
    refunded_amount: int = 0
    authorized_amount: int | None = None
    authorized: str | None = None
    settled: str | None = None
    cancelled: str | None = None
    failed: str | None = None
    transactions: list[dict[str, Any]] = attrs.Factory(list)
    _settle: bool = False
    _transaction: str | None = None
    _error: tuple[str, str] | None = None


@attrs.define
class Refund(Record):
    """A Reepay refund as the fake keeps it (and shows it: :meth:`~Record.wire`)."""

    camel_case = False
    id: str
    invoice: str
    amount: int
    currency: str
    transaction: str
    created: str
    state: str = "refunded"
    type: str = "card"


@attrs.define
class Card(Record):
    """A saved card payment method as the fake keeps it and shows it (:meth:`~Record.wire`):
    the fields of Reepay's card payment method. ``_decline`` is the transaction error every
    charge on it fails with (the fake's own note)."""

    camel_case = False
    id: str
    state: str
    customer: str
    reference: str
    created: str
    card_type: str
    masked_card: str
    exp_date: str
    fingerprint: str
    gw_ref: str
    failed: str | None = None
    error_code: str | None = None
    error_state: str | None = None
    _decline: str | None = None


class _ApiError(Refusal):
    def __init__(
        self,
        status: int,
        code: int,
        error: str,
        message: str | None = None,
        transaction_error: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.error = error
        self.message = message
        self.transaction_error = transaction_error


def _invalid(message: str) -> _ApiError:
    return _ApiError(400, 1, "Invalid request", message)


def _now(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive(value: object, field: str) -> int:
    if not _is_int(value):
        raise _invalid(f"{field} must be an integer amount in minor units")
    assert isinstance(value, int)
    if value <= 0:
        raise _ApiError(400, 146, "Non positive amount", f"{field} must be positive")
    return value


_HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
}


class FakeBillwerkPay(FakeServer):
    """An in-memory Billwerk+ Pay (Reepay) account.

    Attributes:
        private_key: the only API key it accepts.
        webhook_secret: the secret its webhooks are signed with.
        invoices: charges by handle, as the API shows them (private fields start with ``_``).
        refunds: refunds by id.
        events: the event log by event id, as ``GET /v1/event/{id}`` returns it: shaped as
            Reepay documents the event resource, so ``invoice`` is the invoice *id* (a
            webhook names the invoice by its handle).
        duplicate_webhooks: deliver every webhook twice from :meth:`webhooks`.

    Test-side controls: :meth:`approve` (the payer pays), :meth:`decline` (the payer's card
    is declined), :meth:`webhooks`, :meth:`sign`, and :meth:`inject` from
    :class:`~payportal.testing.FakeServer`.
    """

    provider = "billwerk"

    def __init__(self, *, duplicate_webhooks: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.private_key = "priv_" + secrets.token_hex(16)
        self.webhook_secret = "whsec_" + secrets.token_hex(16)
        self.duplicate_webhooks = duplicate_webhooks
        self.invoices: dict[str, Invoice] = {}
        self.sessions: dict[str, str] = {}
        self.refunds: dict[str, Refund] = {}
        self.events: dict[str, dict[str, Any]] = {}
        # Each emitted event with the invoice handle and transaction its webhook will carry.
        self._outbox: list[tuple[dict[str, Any], str, str | None]] = []
        self._customers = itertools.count(1)
        self.customers: set[str] = set()
        self.recurring_sessions: dict[str, str] = {}
        self.cards: dict[str, Card] = {}

    def __repr__(self) -> str:
        return f"FakeBillwerkPay(invoices={len(self.invoices)})"

    # -- test-side controls ----------------------------------------------------------------

    def approve(self, handle: str) -> None:
        """The payer pays on the hosted page: the charge is authorized (or settled, for a
        session created with ``settle: true``).

        Raises:
            KeyError: no such charge.
            ValueError: the charge is not waiting for the payer.
        """
        with self._lock:
            invoice = self._awaiting_payer(handle)
            if invoice._settle:
                self._settle(invoice, invoice.amount)
                return
            invoice.state = "authorized"
            invoice.authorized = _now(self.now())
            invoice.authorized_amount = invoice.amount
            self._transaction(invoice, "authorization", "authorized", invoice.amount)
            self._emit("invoice_authorized", invoice)

    def decline(self, handle: str) -> None:
        """The payer's card is declined on the hosted page: the charge fails.

        Raises:
            KeyError: no such charge.
            ValueError: the charge is not waiting for the payer.
        """
        with self._lock:
            invoice = self._awaiting_payer(handle)
            invoice.state = "failed"
            invoice.failed = _now(self.now())
            invoice._error = ("credit_card_expired", "hard_declined")
            self._emit("invoice_failed", invoice)

    def save_card(
        self,
        session_id: str,
        *,
        card_type: str = "visa",
        last4: str = "4242",
        exp_date: str = "12-39",
    ) -> Card:
        """The customer enters a card on the recurring session's page: it is saved.

        Args:
            session_id: the recurring session's id.
            card_type: Reepay's card type (``visa``, ``mc``, ``amex``, ...).
            last4: the card number's last four digits.
            exp_date: the expiry as Reepay shows it, ``MM-YY``; one in the past makes the
                card's charges fail with ``credit_card_expired``.

        Raises:
            KeyError: no such session (or its card is saved already).
        """
        with self._lock:
            customer = self.recurring_sessions.pop(session_id)
            card = Card(
                id="ca_" + secrets.token_hex(16),
                state="active",
                customer=customer,
                reference=session_id,
                created=_now(self.now()),
                card_type=card_type,
                masked_card="457111XXXXXX" + last4,
                exp_date=exp_date,
                fingerprint=secrets.token_hex(12),
                gw_ref=secrets.token_hex(16),
            )
            self.cards[card.id] = card
            return card

    def inactivate(self, method_id: str) -> None:
        """The customer (or the merchant in the admin) revokes the card: it is inactivated
        and its charges fail with code ``42``.

        Raises:
            KeyError: no such card.
        """
        with self._lock:
            self.cards[method_id].state = "inactivated"

    def decline_charges(self, method_id: str, error: str | None = "insufficient_funds") -> None:
        """Make every charge on the card fail with the transaction error ``error`` (code
        ``77``), or succeed again with ``None``.

        Raises:
            KeyError: no such card.
        """
        with self._lock:
            self.cards[method_id]._decline = error

    def sign(self, event: dict[str, Any], webhook_id: str | None = None) -> bytes:
        """A webhook body for ``event`` as Reepay POSTs it, signed with :attr:`webhook_secret`.

        ``event`` is a record of :attr:`events` (its ``invoice`` the invoice id); the body
        names the invoice by handle, as Reepay's webhooks do.
        """
        handle = next(
            (h for h, inv in self.invoices.items() if inv.id == event.get("invoice")), None
        )
        return self._webhook_body(event, handle, None, webhook_id)

    def _webhook_body(
        self,
        event: dict[str, Any],
        handle: str | None,
        transaction: str | None,
        webhook_id: str | None = None,
    ) -> bytes:
        webhook_id = webhook_id or secrets.token_hex(16)
        timestamp = _now(self.now())
        body = {
            "id": webhook_id,
            "event_id": event["id"],
            "event_type": event["event_type"],
            "timestamp": timestamp,
            "signature": webhook_signature(self.webhook_secret, timestamp, webhook_id),
            **{k: event[k] for k in ("customer", "subscription") if event.get(k)},
            **{k: v for k, v in (("invoice", handle), ("transaction", transaction)) if v},
        }
        return json.dumps(body).encode()

    def webhooks(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the webhooks emitted so far, oldest first, as ``(headers, body)`` pairs (each
        delivered twice, byte for byte, when :attr:`duplicate_webhooks` is set)."""
        with self._lock:
            events, self._outbox = self._outbox, []
        copies = 2 if self.duplicate_webhooks else 1
        headers = {"Content-Type": "application/json"}
        deliveries = []
        for event, handle, transaction in events:
            body = self._webhook_body(event, handle, transaction)
            deliveries.extend([(dict(headers), body)] * copies)
        return deliveries

    # -- the HTTP API ----------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """Reepay's body for server errors and rate limiting."""
        if status == 429:
            return self._error(_ApiError(429, 122, "Request rate limit exceeded"), "/")
        return self._error(_ApiError(status, 2, "Internal error"), "/")

    def _error(self, error: _ApiError, path: str) -> httpx.Response:
        body: dict[str, Any] = {
            "code": error.code,
            "error": error.error,
            "path": path,
            "timestamp": _now(self.now()),
            "http_status": error.status,
            "http_reason": _HTTP_REASONS.get(error.status, "Error"),
            "request_id": secrets.token_hex(16),
        }
        if error.message:
            body["message"] = error.message
        if error.transaction_error:
            body["transaction_error"] = error.transaction_error
        return httpx.Response(error.status, json=body)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Authenticate, replay by the body's ``key`` and route one request; see the module
        docstring for what is validated. The payer's page (``/_fake/...``) needs no key."""
        path = request.url.path
        if path.startswith("/_fake/"):
            return self.route(request, {})
        self._authenticate(request)
        body = self._body(request)
        key = self._key(path, body)
        return self.answer_once(key, lambda: self.route(request, body))

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """Reepay's ``Not found`` (code 8), or 405 ``Method not allowed``."""
        if status == 404:
            return _ApiError(404, 8, "Not found")
        return _ApiError(405, 0, "Method not allowed", f"{request.method} {request.url.path}")

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """Reepay's error body (``code``, ``error``, ``path``, ...) for a refusal."""
        return self._error(cast("_ApiError", refusal), request.url.path)

    def _authenticate(self, request: httpx.Request) -> None:
        expected = "Basic " + base64.b64encode(f"{self.private_key}:".encode()).decode()
        given = request.headers.get("Authorization", "")
        if not secrets.compare_digest(given.encode(), expected.encode()):
            raise _ApiError(401, 6, "Not authenticated", "Invalid or missing API key")

    @staticmethod
    def _body(request: httpx.Request) -> dict[str, Any]:
        if request.method not in ("POST", "PUT") or not request.content:
            return {}
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise _invalid("Content-Type must be application/json")
        try:
            body = json.loads(request.content)
        except ValueError:
            raise _invalid("the body is not JSON") from None
        if not isinstance(body, dict):
            raise _invalid("the body must be a JSON object")
        return body

    @staticmethod
    def _key(path: str, body: dict[str, Any]) -> tuple[str, str] | None:
        order = body.get("order")
        key = order.get("key") if isinstance(order, dict) else body.get("key")
        return (path, key) if isinstance(key, str) and key else None

    @route("POST", "/v1/session/charge")
    def _post_session(self, body: dict[str, Any]) -> httpx.Response:
        return self._create_session(body)

    @route("DELETE", "/v1/session/{session_id}")
    def _delete_session(self, body: object, session_id: str) -> httpx.Response:
        if self.sessions.pop(session_id, None) is None:
            raise _ApiError(404, 8, "Not found")
        return httpx.Response(200, json={})

    @route("GET", "/v1/invoice/{handle}")
    def _get_invoice(self, body: object, handle: str) -> httpx.Response:
        return httpx.Response(200, json=self._invoice_view(self._find(handle)))

    @route("GET", "/v1/charge/{handle}")
    def _get_charge(self, body: object, handle: str) -> httpx.Response:
        return httpx.Response(200, json=self._charge_view(self._find(handle)))

    @route("POST", "/v1/charge/{handle}/settle")
    def _post_settle(self, body: dict[str, Any], handle: str) -> httpx.Response:
        return self._settle_request(self._find(handle), body)

    @route("POST", "/v1/charge/{handle}/cancel")
    def _post_cancel(self, body: object, handle: str) -> httpx.Response:
        return self._cancel(self._find(handle))

    @route("POST", "/v1/refund")
    def _post_refund(self, body: dict[str, Any]) -> httpx.Response:
        return self._refund(body)

    @route("GET", "/v1/refund/{refund_id}")
    def _get_refund(self, body: object, refund_id: str) -> httpx.Response:
        if refund_id not in self.refunds:
            raise _ApiError(404, 8, "Not found")
        return httpx.Response(200, json=self.refunds[refund_id].wire())

    @route("GET", "/v1/event/{event_id}")
    def _get_event(self, body: object, event_id: str) -> httpx.Response:
        if event_id not in self.events:
            raise _ApiError(404, 8, "Not found")
        return httpx.Response(200, json=self.events[event_id])

    def _find(self, handle: str) -> Invoice:
        invoice = self.invoices.get(handle)
        if invoice is None:
            raise _ApiError(404, 31, "Invoice not found")
        return invoice

    # -- saved payment methods -------------------------------------------------------------

    @route("POST", "/v1/session/recurring")
    def _post_recurring_session(self, body: dict[str, Any]) -> httpx.Response:
        customer = body.get("customer")
        create = body.get("create_customer")
        if (customer is None) == (create is None):
            raise _invalid("give exactly one of customer and create_customer")
        if create is not None:
            if not isinstance(create, dict):
                raise _invalid("create_customer must be an object")
            if create.get("generate_handle") is True:
                customer = f"cust-{next(self._customers):04d}"
            else:
                customer = create.get("handle")
            if not isinstance(customer, str) or not _HANDLE.fullmatch(customer):
                raise _invalid("create_customer.handle must be a customer handle")
            self.customers.add(customer)
        elif not isinstance(customer, str) or customer not in self.customers:
            raise _ApiError(404, 8, "Not found", f"customer {customer!r} not found")
        for field in ("accept_url", "cancel_url"):
            url = body.get(field)
            if url is not None and not is_web_url(url):
                raise _invalid(f"{field} must be an absolute URL")
        session_id = "rs_" + secrets.token_hex(12)
        self.recurring_sessions[session_id] = customer
        return httpx.Response(
            200, json={"id": session_id, "url": f"https://checkout.reepay.com/#/{session_id}"}
        )

    @route("POST", "/_fake/checkout/{session_id}/save")
    def _customer_saves(self, body: object, session_id: str) -> httpx.Response:
        try:
            self.save_card(session_id)
        except KeyError:
            return httpx.Response(404, text="This session is not available.")
        return httpx.Response(200, text="Card saved.")

    @route("GET", "/v1/customer/{handle}/payment_method")
    def _get_customer_methods(self, body: object, handle: str) -> httpx.Response:
        if handle not in self.customers:
            raise _ApiError(404, 8, "Not found", f"customer {handle!r} not found")
        cards = [
            card.wire()
            for card in self.cards.values()
            if card.customer == handle and card.state != "deleted"
        ]
        return httpx.Response(200, json={"cards": cards})

    @route("GET", "/v1/payment_method/{method_id}")
    def _get_method(self, body: object, method_id: str) -> httpx.Response:
        return httpx.Response(200, json=self._method_view(self._card(method_id)))

    @route("DELETE", "/v1/payment_method/{method_id}")
    def _delete_method(self, body: object, method_id: str) -> httpx.Response:
        card = self._card(method_id)
        card.state = "deleted"
        return httpx.Response(200, json=self._method_view(card))

    @route("POST", "/v1/charge")
    def _post_charge(self, body: dict[str, Any]) -> httpx.Response:
        handle = body.get("handle")
        if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
            raise _invalid("handle must be 1-255 characters of [a-zA-Z0-9_.-@]")
        if "amount" not in body:
            raise _ApiError(400, 24, "Missing amount")
        amount = _positive(body["amount"], "amount")
        currency = body.get("currency")
        if not is_currency(currency):
            raise _invalid("currency must be an ISO 4217 code")
        source = body.get("source")
        if not isinstance(source, str) or not source:
            raise _ApiError(400, 110, "Unknown or missing source")
        card = self._card(source)
        customer = body.get("customer_handle")
        if customer != card.customer:
            raise _invalid("customer_handle must be the payment method's customer")
        settle = body.get("settle", False)
        if not isinstance(settle, bool):
            raise _invalid("settle must be a boolean")
        existing = self.invoices.get(handle)
        if existing is not None and existing.state != "failed":
            raise _ApiError(400, 11, "Duplicate handle", f"an invoice with handle {handle} exists")
        if card.state != "active":
            raise _ApiError(400, 42, "Payment method not active")
        invoice = Invoice(
            id=secrets.token_hex(16),
            handle=handle,
            customer=card.customer,
            amount=amount,
            currency=cast("str", currency),  # is_currency checked it
            created=_now(self.now()),
            order_lines=[
                {"ordertext": str(body.get("ordertext") or handle), "amount": amount, "quantity": 1}
            ],
            settle=settle,
        )
        self.invoices[handle] = invoice
        declined = "credit_card_expired" if self._expired(card) else card._decline
        if declined is not None:
            invoice.state = "failed"
            invoice.failed = _now(self.now())
            invoice._error = (declined, "hard_declined")
            self._transaction(invoice, "authorization", "failed", amount)
            if declined == "credit_card_expired":
                card.state = "failed"
                card.failed = invoice.failed
            card.error_code, card.error_state = declined, "hard_declined"
            self._emit("invoice_failed", invoice)
            raise _ApiError(400, 77, "Transaction declined", transaction_error=declined)
        invoice.state = "authorized"
        invoice.authorized = _now(self.now())
        invoice.authorized_amount = amount
        self._transaction(invoice, "authorization", "authorized", amount)
        if settle:
            self._settle(invoice, amount)
        else:
            self._emit("invoice_authorized", invoice)
        return httpx.Response(200, json=self._charge_view(invoice))

    def _card(self, method_id: str) -> Card:
        card = self.cards.get(method_id)
        if card is None:
            raise _ApiError(404, 40, "Payment method not found")
        return card

    def _expired(self, card: Card) -> bool:
        month, year = (int(part) for part in card.exp_date.split("-"))
        today = self.now().date()
        return date(2000 + year, month, 1) < date(today.year, today.month, 1)

    @staticmethod
    def _method_view(card: Card) -> dict[str, Any]:
        """The card as Reepay's V2 payment method resource shows it."""
        view = card.wire()
        shown = {k: view.pop(k) for k in ("id", "state", "customer", "reference", "created")}
        failed = view.pop("failed", None)
        return {
            **shown,
            **({"failed": failed} if failed else {}),
            "payment_type": "card",
            "card": {"gateway": "fake", **view},
        }

    # -- sessions and the payer ------------------------------------------------------------

    def _create_session(self, body: dict[str, Any]) -> httpx.Response:
        order = body.get("order")
        if not isinstance(order, dict):
            raise _invalid("order is required (or invoice)")
        handle = order.get("handle")
        if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
            raise _invalid("order.handle must be 1-255 characters of [a-zA-Z0-9_.-@]")
        if "amount" not in order:
            raise _ApiError(400, 24, "Missing amount")
        amount = _positive(order["amount"], "order.amount")
        currency = order.get("currency")
        if not is_currency(currency):
            raise _invalid("order.currency must be an ISO 4217 code")
        customer = order.get("customer")
        if isinstance(customer, dict):
            if customer.get("generate_handle") is True:
                customer_handle = f"cust-{next(self._customers):04d}"
            elif isinstance(customer.get("handle"), str) and customer["handle"]:
                customer_handle = customer["handle"]
            else:
                raise _invalid("order.customer needs handle or generate_handle")
        elif isinstance(order.get("customer_handle"), str) and order["customer_handle"]:
            customer_handle = order["customer_handle"]
        else:
            raise _ApiError(400, 18, "Missing customer")
        for field in ("accept_url", "cancel_url"):
            url = body.get(field)
            if url is not None and not is_web_url(url):
                raise _invalid(f"{field} must be an absolute URL")
        settle = body.get("settle", False)
        if not isinstance(settle, bool):
            raise _invalid("settle must be a boolean")
        methods = body.get("payment_methods", [])
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise _invalid("payment_methods must be a list of payment method ids")
        if handle in self.invoices:
            raise _ApiError(400, 11, "Duplicate handle", f"an invoice with handle {handle} exists")
        text = order.get("ordertext")
        self.invoices[handle] = Invoice(
            id=secrets.token_hex(16),
            handle=handle,
            customer=customer_handle,
            amount=amount,
            currency=cast("str", currency),  # is_currency checked it
            created=_now(self.now()),
            order_lines=[{"ordertext": text or handle, "amount": amount, "quantity": 1}],
            settle=settle,
        )
        session_id = "cs_" + secrets.token_hex(12)
        self.sessions[session_id] = handle
        return httpx.Response(
            200, json={"id": session_id, "url": f"https://checkout.reepay.com/#/{session_id}"}
        )

    @route("POST", "/_fake/checkout/{session_id}/pay")
    def _payer_pays(self, body: object, session_id: str) -> httpx.Response:
        handle = self.sessions.get(session_id)
        try:
            if handle is None:
                raise KeyError(session_id)
            self.approve(handle)
        except (KeyError, ValueError):
            return httpx.Response(404, text="This payment session is not available.")
        return httpx.Response(200, text="Payment accepted.")

    def _awaiting_payer(self, handle: str) -> Invoice:
        invoice = self.invoices[handle]
        if invoice.state != "created":
            raise ValueError(f"charge {handle} is {invoice.state}, not awaiting the payer")
        return invoice

    # -- charges ---------------------------------------------------------------------------

    def _transaction(self, invoice: Invoice, kind: str, state: str, amount: int) -> str:
        transaction_id = secrets.token_hex(16)
        invoice.transactions.insert(  # newest first, as Reepay lists them
            0,
            {
                "id": transaction_id,
                "state": state,
                "invoice": invoice.handle,
                "type": kind,
                "amount": amount,
                "currency": invoice.currency,
                "created": _now(self.now()),
                "payment_type": "card",
            },
        )
        invoice._transaction = transaction_id
        return transaction_id

    def _settle_request(self, invoice: Invoice, body: dict[str, Any]) -> httpx.Response:
        state = invoice.state
        if state == "created":
            raise _ApiError(400, 106, "Invoice must be authorized")
        if state == "settled":
            raise _ApiError(400, 79, "Invoice already settled")
        if state == "cancelled":
            raise _ApiError(400, 29, "Invoice already cancelled")
        if state != "authorized":
            raise _ApiError(400, 82, "Invoice wrong state")
        authorized = invoice.authorized_amount or 0  # set when authorized
        amount = _positive(body["amount"], "amount") if "amount" in body else authorized
        if amount > authorized:
            raise _ApiError(400, 102, "Amount higher than authorized amount")
        self._settle(invoice, amount)
        return httpx.Response(200, json=self._charge_view(invoice))

    def _settle(self, invoice: Invoice, amount: int) -> None:
        invoice.state = "settled"
        invoice.settled = _now(self.now())
        # A card charge settles once; a partial settle releases the rest.
        invoice.amount = amount
        invoice.settled_amount = amount
        self._transaction(invoice, "settle", "settled", amount)
        self._emit("invoice_settled", invoice)

    def _cancel(self, invoice: Invoice) -> httpx.Response:
        state = invoice.state
        if state == "cancelled":
            raise _ApiError(400, 29, "Invoice already cancelled")
        if state not in ("created", "authorized"):
            raise _ApiError(400, 82, "Invoice wrong state")
        invoice.state = "cancelled"
        invoice.cancelled = _now(self.now())
        if state == "authorized":
            released = invoice.authorized_amount or 0  # set when authorized
            self._transaction(invoice, "authorization", "cancelled", released)
        self._emit("invoice_cancelled", invoice)
        return httpx.Response(200, json=self._charge_view(invoice))

    def _refund(self, body: dict[str, Any]) -> httpx.Response:
        handle = body.get("invoice")
        if not isinstance(handle, str) or not handle:
            raise _invalid("invoice is required")
        invoice = self._find(handle)
        if invoice.state != "settled":
            raise _ApiError(400, 64, "Invoice not settled")
        remaining = invoice.settled_amount - invoice.refunded_amount
        amount = _positive(body["amount"], "amount") if "amount" in body else remaining
        if amount > remaining or remaining == 0:
            raise _ApiError(400, 65, "Refund amount too high")
        text = body.get("text")
        if text is not None and not isinstance(text, str):
            raise _invalid("text must be a string")
        transaction_id = self._transaction(invoice, "refund", "refunded", amount)
        invoice.refunded_amount += amount
        refund = Refund(
            id="rf_" + secrets.token_hex(12),
            invoice=handle,
            amount=amount,
            currency=invoice.currency,
            transaction=transaction_id,
            created=_now(self.now()),
        )
        self.refunds[refund.id] = refund
        self._emit("invoice_refund", invoice)
        return httpx.Response(200, json=refund.wire())

    # -- views and events ------------------------------------------------------------------

    @staticmethod
    def _invoice_view(invoice: Invoice) -> dict[str, Any]:
        return invoice.wire()

    @staticmethod
    def _charge_view(invoice: Invoice) -> dict[str, Any]:
        view = invoice.wire()
        for field in ("id", "type", "settled_amount", "transactions"):
            del view[field]
        view["transaction"] = invoice._transaction
        view["source"] = {"type": "card", "card_type": "visa", "masked_card": "457111XXXXXX1000"}
        if invoice._error is not None:
            view["error"], view["error_state"] = invoice._error
        return view

    def _emit(self, event_type: str, invoice: Invoice) -> None:
        event = {
            "id": secrets.token_hex(16),
            "event_type": event_type,
            "invoice": invoice.id,
            "customer": invoice.customer,
            "created": _now(self.now()),
        }
        self.events[event["id"]] = event
        self._outbox.append((event, invoice.handle, invoice._transaction))
