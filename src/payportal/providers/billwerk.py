"""Billwerk+ Pay (formerly Reepay, now also sold as Frisbii): hosted charge sessions.

One :class:`BillwerkPayWire` holds the whole wire format; :class:`BillwerkPay` and
:class:`AsyncBillwerkPay` run it synchronously and asynchronously.

How payportal uses the API
--------------------------

* **Auth**: HTTP Basic with the private API key (``priv_...``) as user name and an empty
  password. Test and live share the hosts; the key decides which account is used.
* **create_payment**: ``POST https://checkout-api.reepay.com/v1/session/charge`` with an
  ``order`` (``handle``, ``amount`` in minor units, ``currency``, a ``key``, a customer) and
  ``settle: false``, so the payer's card is only authorized. The answer's ``url`` is the
  hosted payment page. A payment's id is the charge **handle**, which payportal makes from
  the payment reference and a random suffix (the same reference may be paid more than once;
  Reepay keeps one successful charge per handle).
* **get_payment**: ``GET /v1/invoice/{handle}`` (a charge is an invoice with the same
  handle); its ``transactions`` list the refunds.
* **capture**: ``POST /v1/charge/{handle}/settle`` with an optional ``amount`` (a partial
  settle) and a ``key``.
* **cancel**: ``POST /v1/charge/{handle}/cancel`` releases the authorization.
* **refund**: ``POST /v1/refund`` with ``invoice`` (the handle), an optional ``amount``, a
  ``key`` and the reason as ``text``; several partial refunds are allowed.
* **Idempotency**: every mutating call carries a ``key`` made once per call; Reepay answers a
  repeated key with the first result, so a retry after a lost answer never settles or refunds
  twice.
* **Errors**: Reepay's body ``{"code": 31, "error": "Invoice not found", "request_id": ...}``
  becomes a :class:`~payportal.exceptions.ProviderError` whose ``code`` is the Reepay error
  code as text (``"31"``).
* **Saved payment methods** (``capabilities.saved_methods``): ``setup_method`` opens a
  recurring session (``POST /v1/session/recurring`` on the checkout API, ``create_customer``
  with the customer's handle, which Reepay uses when it exists); the customer enters a card
  on its page. ``confirm_method`` lists the customer's payment methods (``GET
  /v1/customer/{handle}/payment_method``) and takes the card whose ``reference`` is the
  session id (Reepay sets it so for methods saved through Checkout). ``delete_method`` is
  ``DELETE /v1/payment_method/{id}``. ``charge_method`` is ``POST /v1/charge`` with the card
  id (``ca_...``) as ``source``, ``settle: true`` and a ``key`` and ``handle`` made from the
  caller's request id, so the same request id charges once; then the invoice is read back.
  A charge refused with Reepay's ``40`` (payment method not found), ``42`` (not active),
  ``147`` (payment method failed) or the transaction error ``credit_card_expired`` raises
  :class:`~payportal.exceptions.SavedMethodUnusableError`; other declines (``77``, e.g.
  ``insufficient_funds``) :class:`~payportal.exceptions.PaymentDeclinedError`.
* **Webhooks**: the body carries ``signature = hex(HMAC-SHA256(webhook secret, timestamp +
  id))``, checked in constant time. That signature covers only the timestamp and the webhook
  id, not the event type or the invoice, so by default the event is then read back from the
  API (``GET /v1/event/{event_id}``) and a body that disagrees with it is refused. Only fields
  that mean the same in both are compared (event type, customer and subscription handles);
  the webhook names the invoice by *handle* and the event by *id*, so the invoice is read
  back by its handle and its id must be the event's.

Sources and what is inferred
----------------------------

No machine-readable specification is public. The endpoints, fields and error codes come from
the Swagger-generated client documentation Reepay published (``reepay-checkout-python``;
``reepay-php-api`` docs) and from the vendor's WooCommerce plugin. Inferred, not confirmed
from a primary source: that the invoice with the order's handle exists (state ``created``)
as soon as the session is created; the HTTP status of each business error (payportal relies
on the numeric code, not the status); that a repeated ``key`` on settle and refund returns the
first result; the query parameters appended to ``accept_url``. The event resource's fields
are those of the ``Event`` model in the ``reepay-php-api`` docs (``invoice`` is the invoice
id there, the handle in a webhook).

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest, PaymentStatus
>>> from payportal.testing.fake_billwerk import FakeBillwerkPay
>>> fake = FakeBillwerkPay()
>>> billwerk = BillwerkPay(fake.private_key, transport=fake.transport())
>>> payment = billwerk.create_payment(PaymentRequest(
...     amount=Money("10.00", "DKK"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel"))
>>> payment.status, payment.redirect_url.startswith("https://checkout.reepay.com/")
(<PaymentStatus.CREATED: 'created'>, True)
>>> fake.approve(payment.id)                    # the payer pays on the hosted page
>>> billwerk.capture(payment.id).status
<PaymentStatus.PAID: 'paid'>
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, cast

import attrs

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
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
    Wire,
    aware_time,
    check_sent_recently,
    checked_id,
    error_for_status,
    error_object,
    idempotency_key,
    json_request,
    read_json,
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
from payportal.providers._saved import MethodKind, MethodSetup, SavedMethod

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Mapping
    from datetime import timedelta

    import httpx

__all__ = [
    "API_URL",
    "CHECKOUT_API_URL",
    "AsyncBillwerkPay",
    "BillwerkPay",
    "BillwerkPayOptions",
    "BillwerkPayWire",
    "card_to_method",
    "charge_handle",
    "handle_for",
    "invoice_to_payment",
    "webhook_signature",
]

API_URL = "https://api.reepay.com"
"""The core API (charges, invoices, refunds, events)."""
CHECKOUT_API_URL = "https://checkout-api.reepay.com"
"""The checkout API (hosted payment sessions)."""

_HANDLE = re.compile(r"[A-Za-z0-9_.@-]{1,255}")
_NOT_HANDLE_CHARS = re.compile(r"[^A-Za-z0-9_.@-]+")
_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Reepay advises handles of at most 20 characters so they fit on bank statements; the
# reference part is cut to leave room for the random suffix.
_REFERENCE_PART = 11

# Reepay error codes that mean something more precise than the HTTP status says.
_CODE_ERRORS: dict[int, type[ProviderError]] = {
    3: AuthenticationError,  # invalid user or password
    6: AuthenticationError,  # not authenticated
    7: AuthenticationError,  # unauthorized
    51: AuthenticationError,  # private key not found
    77: PaymentDeclinedError,  # transaction declined
    66: PaymentDeclinedError,  # refund failed (declined by the acquirer)
    78: ProviderUnavailableError,  # transaction processing error
    122: RateLimitedError,  # request rate limit exceeded
    123: RateLimitedError,  # concurrent request limit exceeded
}
_INVOICE_ALREADY_CANCELLED = 29
_METHOD_NOT_FOUND = 40
_METHOD_NOT_ACTIVE = 42
_METHOD_FAILED = 147
# Card transaction errors that mean the saved card can never be charged again.
_UNUSABLE_CARD_ERRORS = frozenset({"credit_card_expired"})
_CARD_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_CARD_BRANDS = {
    "visa": "Visa",
    "visa_dk": "Visa/Dankort",
    "visa_elec": "Visa Electron",
    "mc": "Mastercard",
    "maestro": "Maestro",
    "dankort": "Dankort",
    "ffk": "Forbrugsforeningen",
    "laser": "Laser",
    "amex": "American Express",
    "diners": "Diners Club",
    "discover": "Discover",
    "jcb": "JCB",
}

_INVOICE_STATUS = {
    "created": PaymentStatus.CREATED,
    "pending": PaymentStatus.PENDING,
    "dunning": PaymentStatus.PENDING,
    "authorized": PaymentStatus.AUTHORIZED,
    "settled": PaymentStatus.PAID,
    "cancelled": PaymentStatus.CANCELLED,
    "failed": PaymentStatus.FAILED,
}
_EVENT_STATUS = {
    "invoice_authorized": PaymentStatus.AUTHORIZED,
    "invoice_settled": PaymentStatus.PAID,
    "invoice_cancelled": PaymentStatus.CANCELLED,
    "invoice_failed": PaymentStatus.FAILED,
}
# The fields a webhook body shares with the event resource (``GET /v1/event/{id}``) *and*
# that mean the same in both: the event type and the customer and subscription handles. The
# webhook's ``invoice`` is the invoice *handle* but the event's is the invoice *id*, and the
# event resource has no ``transaction``; the invoice is confirmed through its id instead.
_CONFIRMED_FIELDS = ("event_type", "customer", "subscription")


def handle_for(reference: str) -> str:
    """A fresh charge handle for ``reference``: its handle-safe start plus a random suffix.

    Reepay allows ``[A-Za-z0-9_.-@]``, at most 255 characters, and one successful charge
    per handle, so each payment gets its own handle even when the reference repeats.

    >>> handle = handle_for("INV 2024/17")
    >>> handle.startswith("INV-2024-17-"), len(handle)
    (True, 20)
    """
    start = _NOT_HANDLE_CHARS.sub("-", reference).strip("-")[:_REFERENCE_PART]
    return f"{start or 'pay'}-{secrets.token_hex(4)}"


def charge_handle(reference: str, request_id: str) -> str:
    """The handle of the merchant-initiated charge for ``request_id``: the same request id
    always names the same charge, so Reepay refuses to settle it twice.

    >>> charge_handle("INV 2024/17", "req-1") == charge_handle("INV 2024/17", "req-1")
    True
    >>> len(charge_handle("INV 2024/17", "req-1"))
    20
    """
    start = _NOT_HANDLE_CHARS.sub("-", reference).strip("-")[:_REFERENCE_PART]
    digest = hashlib.sha256(request_id.encode()).hexdigest()[:8]
    return f"{start or 'mit'}-{digest}"


def card_to_method(card: Mapping[str, Any]) -> SavedMethod:
    """Map a Reepay card payment method to a :class:`~payportal.providers.SavedMethod`.

    Only the last four digits of ``masked_card`` and the expiry are kept.

    >>> card_to_method({"id": "ca_1", "state": "active", "customer": "c-1",
    ...                 "card_type": "visa", "masked_card": "457111XXXXXX4242",
    ...                 "exp_date": "12-27"}).display
    'Visa •••• 4242, 12/27'

    Raises:
        ProviderError: the card lacks its id or customer.
    """
    try:
        method_id, customer = str(card["id"]), str(card["customer"])
    except KeyError as error:
        raise ProviderError(
            f"Billwerk+ Pay sent a payment method without {error.args[0]}", provider="billwerk"
        ) from None
    masked = str(card.get("masked_card") or "")
    last4 = masked[-4:] if masked[-4:].isdigit() and masked[-4:].isascii() else None
    expiry = None
    exp_date = card.get("exp_date")
    if isinstance(exp_date, str) and re.fullmatch(r"(0[1-9]|1[0-2])-[0-9]{2}", exp_date):
        expiry = exp_date.replace("-", "/")
    card_type = str(card.get("card_type") or "")
    return SavedMethod(
        id=method_id,
        provider="billwerk",
        customer=customer,
        kind=MethodKind.CARD,
        brand=_CARD_BRANDS.get(card_type, "Card"),
        last4=last4,
        expiry=expiry,
        usable=card.get("state", "active") == "active",
    )


def webhook_signature(secret: str, timestamp: str, webhook_id: str) -> str:
    """Reepay's webhook signature: lower-case hex HMAC-SHA256 over ``timestamp + id``.

    >>> webhook_signature("s3cret", "2024-01-15T12:30:00.000Z", "abc")[:16]
    'b65ae21c092b1555'
    """
    message = (timestamp + webhook_id).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _int(data: Mapping[str, Any], field: str, default: int | None = None) -> int:
    value = data.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProviderError(
            f"Billwerk+ Pay sent an unreadable {field}: {value!r}", provider="billwerk"
        )
    return value


def invoice_to_payment(invoice: Mapping[str, Any]) -> Payment:
    """Map a Reepay invoice (``GET /v1/invoice/{handle}``) to a :class:`Payment`.

    Raises:
        ProviderError: the invoice lacks a field payportal needs.
    """
    try:
        currency = str(invoice["currency"])
        handle = str(invoice["handle"])
    except KeyError as error:
        raise ProviderError(
            f"Billwerk+ Pay sent an invoice without {error.args[0]}", provider="billwerk"
        ) from None
    state = str(invoice.get("state", ""))
    settled = _int(invoice, "settled_amount", 0)
    refunded = _int(invoice, "refunded_amount", 0)
    # After a partial settle ``amount`` shrinks to what was settled; what the payer was asked
    # for is the authorized amount, when there is one.
    amount = _int(invoice, "authorized_amount", 0) or _int(invoice, "amount")
    status = _INVOICE_STATUS.get(state, PaymentStatus.PENDING)
    if status is PaymentStatus.PAID and refunded:
        status = PaymentStatus.REFUNDED if refunded >= settled else PaymentStatus.PARTIALLY_REFUNDED
    refunds = [
        Refund(
            id=str(transaction["id"]),
            amount=Money.from_minor(_int(transaction, "amount"), currency),
            raw_status=str(transaction.get("state", "")),
        )
        for transaction in invoice.get("transactions") or ()
        if transaction.get("type") == "refund" and transaction.get("state") == "refunded"
    ]
    refunds.reverse()  # Reepay lists transactions newest first
    return Payment(
        id=handle,
        provider="billwerk",
        status=status,
        raw_status=state,
        amount=Money.from_minor(amount, currency),
        captured=Money.from_minor(settled, currency),
        refunded=Money.from_minor(refunded, currency),
        refunds=refunds,
    )


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="billwerk", code="webhook_verification")


class BillwerkPayWire(Wire):
    """Billwerk+ Pay's wire format, free of I/O; run it with :class:`BillwerkPay` or
    :class:`AsyncBillwerkPay`.

    Args:
        private_key: the account's private API key; never shown in ``repr``, logs or errors.
        webhook_secret: the webhook secret from the account's webhook settings; needed to
            verify webhooks, never shown.
        base_url: serve both the core and the checkout API from here (a fake on loopback).
        api_url, checkout_url: override one host each.
        locale: the hosted page's language (``"da_DK"``, ``"en_GB"``, ``"de_DE"``, ...).
        payment_methods: the payment method ids the hosted page offers (``["card"]``);
            by default the account's configuration decides.
        confirm_webhooks: read each webhook's event back from the API and refuse a body that
            disagrees with it. The signature covers only the timestamp and the webhook id;
            turn this off only if you read the invoice back yourself.
        webhook_tolerance: refuse webhooks whose timestamp is further than this from now;
            ``None`` accepts any time, relying on event-id deduplication.
        handle_factory: makes a payment's handle from its reference (:func:`handle_for`).
        wall_clock: seconds since the epoch, for ``webhook_tolerance``.

    Raises:
        ValidationError: the key is empty.
    """

    name = "billwerk"

    def __init__(
        self,
        private_key: str,
        *,
        webhook_secret: str | None = None,
        base_url: str | None = None,
        api_url: str | None = None,
        checkout_url: str | None = None,
        locale: str | None = None,
        payment_methods: tuple[str, ...] | list[str] | None = None,
        confirm_webhooks: bool = True,
        webhook_tolerance: timedelta | None = None,
        handle_factory: Callable[[str], str] = handle_for,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(private_key, str) or not private_key:
            raise ValidationError(
                "must be a non-empty string", field="private_key", value="(hidden)"
            )
        if webhook_secret is not None and (
            not isinstance(webhook_secret, str) or not webhook_secret
        ):
            raise ValidationError(
                "must be a non-empty string", field="webhook_secret", value="(hidden)"
            )
        self._basic = "Basic " + base64.b64encode(f"{private_key}:".encode()).decode()
        self._webhook_secret = webhook_secret
        self.api_url = (api_url or base_url or API_URL).rstrip("/")
        self.checkout_url = (checkout_url or base_url or CHECKOUT_API_URL).rstrip("/")
        self.locale = locale
        self.payment_methods = tuple(payment_methods) if payment_methods else ()
        self.confirm_webhooks = confirm_webhooks
        self._webhook_tolerance = webhook_tolerance
        self._handle_factory = handle_factory
        self._clock = wall_clock
        self.capabilities = Capabilities(
            capture=True,
            partial_capture=True,
            refund=True,
            partial_refund=True,
            multiple_refunds=True,
            void=True,
            webhook_signatures=webhook_secret is not None,
            redirect=True,
            saved_methods=True,
        )

    def __repr__(self) -> str:
        # No part of the key: Reepay keys carry no public prefix that is safe to show.
        return f"BillwerkPayWire(api_url={self.api_url!r})"

    # -- errors and transport ------------------------------------------------------------

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        data = error_object(response)
        code = data.get("code")
        kind = error_for_status(response.status_code)
        if isinstance(code, int) and not isinstance(code, bool):
            kind = _CODE_ERRORS.get(code, kind)
        error = data.get("error")
        detail = data.get("message")
        transaction_error = data.get("transaction_error")
        if code in (_METHOD_NOT_FOUND, _METHOD_NOT_ACTIVE, _METHOD_FAILED) or (
            transaction_error in _UNUSABLE_CARD_ERRORS
        ):
            kind = SavedMethodUnusableError
        message = str(error or f"Billwerk+ Pay answered HTTP {response.status_code}")
        if detail:
            message = f"{message}: {detail}"
        if transaction_error:
            message = f"{message} ({transaction_error})"
        raise kind(
            message,
            provider=self.name,
            code=None if code is None else str(code),
            request_id=data.get("request_id") or response.headers.get("Request-Id"),
            status_code=response.status_code,
        )

    def _call(
        self, method: str, url: str, json_body: object = None
    ) -> Generator[httpx.Request, httpx.Response, Any]:
        response = yield json_request(
            method, url, json_body=json_body, headers={"Authorization": self._basic}
        )
        self._raise_for(response)
        return read_json(response, self.name)

    def _handle(self, payment_id: str) -> str:
        return checked_id(
            payment_id,
            _HANDLE,
            provider=self.name,
            what="Billwerk+ Pay charge handle",
            code="invalid_handle",
        )

    def _invoice(self, payment_id: str) -> Generator[httpx.Request, httpx.Response, Payment]:
        handle = self._handle(payment_id)
        invoice = yield from self._call("GET", f"{self.api_url}/v1/invoice/{handle}")
        return invoice_to_payment(invoice)

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``POST /v1/session/charge`` on the checkout API (authorize only)."""
        handle = self._handle(self._handle_factory(request.reference))
        customer: dict[str, Any] = {"generate_handle": True}
        if request.customer_email:
            customer["email"] = request.customer_email
        order: dict[str, Any] = {
            "handle": handle,
            "key": idempotency_key(),
            "amount": request.amount.minor_units,
            "currency": request.amount.currency,
            "customer": customer,
            "ordertext": (request.description or request.reference)[:255],
            "metadata": {"reference": request.reference, **request.metadata},
        }
        body: dict[str, Any] = {"order": order, "settle": False}
        if request.return_url:
            body["accept_url"] = request.return_url
        if request.cancel_url:
            body["cancel_url"] = request.cancel_url
        if self.locale:
            body["locale"] = self.locale
        if self.payment_methods:
            body["payment_methods"] = list(self.payment_methods)
        session = yield from self._call("POST", f"{self.checkout_url}/v1/session/charge", body)
        url = session.get("url")
        if not isinstance(url, str) or not url:
            raise ProviderError(
                "Billwerk+ Pay created a session without a payment page URL", provider=self.name
            )
        zero = Money.zero(request.amount.currency)
        return Payment(
            id=handle,
            provider=self.name,
            status=PaymentStatus.CREATED,
            raw_status="created",
            amount=request.amount,
            captured=zero,
            refunded=zero,
            reference=request.reference,
            redirect_url=url,
        )

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``GET /v1/invoice/{handle}``."""
        return (yield from self._invoice(payment_id))

    def capture(self, payment_id: str, amount: Money | None) -> Operation[Payment]:
        """Operation: settle the authorization, in full or ``amount`` of it, then read it back.

        Reepay settles a card charge once: a partial settle releases the rest.
        """
        handle = self._handle(payment_id)
        body: dict[str, Any] = {"key": idempotency_key()}
        if amount is not None:
            body["amount"] = amount.minor_units
        yield from self._call("POST", f"{self.api_url}/v1/charge/{handle}/settle", body)
        return (yield from self._invoice(handle))

    def cancel(self, payment_id: str) -> Operation[Payment]:
        """Operation: cancel the charge, releasing its authorization; then read it back.

        A charge that is already cancelled (a retry whose first answer was lost) counts as
        done.
        """
        handle = self._handle(payment_id)
        try:
            yield from self._call("POST", f"{self.api_url}/v1/charge/{handle}/cancel")
        except InvalidRequestError as error:
            if error.code != str(_INVOICE_ALREADY_CANCELLED):
                raise
        return (yield from self._invoice(handle))

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: ``POST /v1/refund`` for the charge, then read it back.

        Without ``amount`` it refunds all that is settled and not refunded yet.
        """
        handle = self._handle(payment_id)
        body: dict[str, Any] = {"invoice": handle, "key": idempotency_key()}
        if amount is not None:
            body["amount"] = amount.minor_units
        if reason:
            body["text"] = reason[:255]
        refund = yield from self._call("POST", f"{self.api_url}/v1/refund", body)
        if refund.get("state") == "failed":
            raise PaymentDeclinedError(
                f"the refund failed at the acquirer ({refund.get('error') or 'no reason given'})",
                provider=self.name,
                code=str(refund.get("error") or "refund_failed"),
            )
        return (yield from self._invoice(handle))

    # -- saved payment methods -----------------------------------------------------------

    def _customer(self, customer: str) -> str:
        if not isinstance(customer, str) or not _HANDLE.fullmatch(customer):
            raise ValidationError(
                "must be a Billwerk+ Pay customer handle: 1-255 characters of [A-Za-z0-9_.-@]",
                field="customer",
                value=customer,
            )
        return customer

    def _method_id(self, method_id: str) -> str:
        return checked_id(
            method_id,
            _CARD_ID,
            provider=self.name,
            what="Billwerk+ Pay payment method id",
            code="invalid_payment_method",
        )

    def _cards(self, customer: str) -> Generator[httpx.Request, httpx.Response, list[Any]]:
        url = f"{self.api_url}/v1/customer/{customer}/payment_method"
        methods = yield from self._call("GET", url)
        cards = methods.get("cards") if isinstance(methods, dict) else None
        if not isinstance(cards, list) or not all(isinstance(c, dict) for c in cards):
            raise ProviderError(
                "Billwerk+ Pay sent an unreadable list of payment methods", provider=self.name
            )
        return cards

    def setup_method(
        self, customer: str, return_url: str, cancel_url: str
    ) -> Operation[MethodSetup]:
        """Operation: ``POST /v1/session/recurring`` on the checkout API for ``customer``
        (the merchant's customer id, used as the Reepay customer handle).

        Raises:
            ValidationError: ``customer`` is not a valid handle.
        """
        handle = self._customer(customer)
        body: dict[str, Any] = {
            "create_customer": {"handle": handle},
            "accept_url": return_url,
            "cancel_url": cancel_url,
        }
        if self.locale:
            body["locale"] = self.locale
        if self.payment_methods:
            body["payment_methods"] = list(self.payment_methods)
        session = yield from self._call("POST", f"{self.checkout_url}/v1/session/recurring", body)
        session_id, url = session.get("id"), session.get("url")
        if not isinstance(session_id, str) or not isinstance(url, str) or not url:
            raise ProviderError(
                "Billwerk+ Pay created a recurring session without its id or page URL",
                provider=self.name,
            )
        return MethodSetup(id=session_id, provider=self.name, customer=handle, redirect_url=url)

    def confirm_method(self, setup: MethodSetup) -> Operation[SavedMethod]:
        """Operation: find the card the customer saved in ``setup``'s session.

        Raises:
            InvalidRequestError: no card of the customer came from that session (yet).
        """
        handle = self._customer(setup.customer)
        for card in (yield from self._cards(handle)):
            if card.get("reference") == setup.id:
                return card_to_method(card)
        raise InvalidRequestError(
            f"customer {handle!r} has saved no payment method in session {setup.id!r} yet",
            provider=self.name,
            code="setup_not_completed",
        )

    def list_methods(self, customer: str) -> Operation[tuple[SavedMethod, ...]]:
        """Operation: ``GET /v1/customer/{handle}/payment_method``: the customer's cards
        (failed ones marked not usable; inactivated and deleted ones left out)."""
        cards = yield from self._cards(self._customer(customer))
        return tuple(
            card_to_method(card)
            for card in cards
            if card.get("state", "active") in ("active", "failed")
        )

    def delete_method(self, method: SavedMethod) -> Operation[None]:
        """Operation: ``DELETE /v1/payment_method/{id}``; one already gone counts as deleted."""
        method_id = self._method_id(method.id)
        try:
            yield from self._call("DELETE", f"{self.api_url}/v1/payment_method/{method_id}")
        except SavedMethodUnusableError as error:
            if error.code != str(_METHOD_NOT_FOUND):
                raise

    def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Operation[Payment]:
        """Operation: ``POST /v1/charge`` with the saved card as ``source``, settled at once;
        then the invoice is read back.

        Raises:
            SavedMethodUnusableError: the card expired or the method is deleted or inactive.
            PaymentDeclinedError: the card was declined for another reason.
        """
        if not isinstance(request_id, str) or not request_id:
            raise ValidationError(
                "must be a non-empty string", field="request_id", value=request_id
            )
        handle = self._handle(charge_handle(reference, request_id))
        body: dict[str, Any] = {
            "handle": handle,
            "key": hashlib.sha256(f"charge:{request_id}".encode()).hexdigest()[:32],
            "amount": amount.minor_units,
            "currency": amount.currency,
            "customer_handle": self._customer(method.customer),
            "source": self._method_id(method.id),
            "settle": True,
            "ordertext": reference[:255],
        }
        yield from self._call("POST", f"{self.api_url}/v1/charge", body)
        payment = yield from self._invoice(handle)
        return attrs.evolve(payment, reference=reference)

    # -- webhooks ------------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: verify a webhook's signature, confirm it against the API, decode it.

        Raises:
            WebhookVerificationError: the body is not a Reepay webhook, the signature does
                not match, the timestamp is out of tolerance, or the body disagrees with the
                event Reepay has on record.
            UnsupportedOperationError: no ``webhook_secret`` was given.
            ProviderError: the event could not be read back (an outage, a revoked key).

        ``headers`` are not needed: Reepay signs inside the body.
        """
        if self._webhook_secret is None:
            self.unsupported("parse_webhook", "set webhook_secret to verify Billwerk+ Pay webhooks")
        data = self._verified(body, self._webhook_secret)
        event_id = str(data.get("event_id") or data["id"])
        if self.confirm_webhooks:
            yield from self._confirm(event_id, data)
        invoice = data.get("invoice")
        event_type = str(data["event_type"])
        return WebhookEvent(
            id=event_id,
            provider=self.name,
            type=event_type,
            payment_id=str(invoice) if invoice else None,
            status=_EVENT_STATUS.get(event_type),
            occurred_at=aware_time(data["timestamp"]),
            data=cast("Any", data),  # mypy's attrs plugin cannot see through the converter
        )

    def _confirm(
        self, event_id: str, data: Mapping[str, Any]
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Read the event back and refuse a webhook body that disagrees with it.

        Reepay documents the event resource as ``id``, ``event_type``, ``customer`` and
        ``subscription`` (handles), ``invoice`` (the invoice *id*) and ``created``; the webhook
        carries the invoice *handle*. So the handle is read back too (``GET
        /v1/invoice/{handle}``) and its ``id`` must be the event's invoice.
        """
        if not _EVENT_ID.fullmatch(event_id):
            raise _unverified("the webhook's event id is not a Reepay id")
        recorded = yield from self._recorded(f"{self.api_url}/v1/event/{event_id}", "event")
        if recorded.get("id") != event_id:
            raise _unverified("Billwerk+ Pay answered with another event than the webhook's")
        for field in _CONFIRMED_FIELDS:
            if data.get(field) != recorded.get(field):
                raise _unverified(f"the webhook's {field} differs from the recorded event")
        handle = data.get("invoice")
        if handle is None and recorded.get("invoice") is None:
            return
        if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
            raise _unverified("the webhook's invoice differs from the recorded event")
        invoice = yield from self._recorded(f"{self.api_url}/v1/invoice/{handle}", "invoice")
        if invoice.get("id") is None or invoice.get("id") != recorded.get("invoice"):
            raise _unverified("the webhook's invoice differs from the recorded event")

    def _recorded(self, url: str, what: str) -> Generator[httpx.Request, httpx.Response, Any]:
        try:
            found = yield from self._call("GET", url)
        except InvalidRequestError:
            raise _unverified(f"Billwerk+ Pay has no record of this webhook's {what}") from None
        if not isinstance(found, dict):
            raise _unverified(f"Billwerk+ Pay sent an unreadable {what}")
        return found

    def _verified(self, body: bytes, secret: str) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError:
            raise _unverified("the webhook body is not JSON") from None
        if not isinstance(data, dict):
            raise _unverified("the webhook body is not a Reepay webhook")
        fields = {name: data.get(name) for name in ("id", "timestamp", "signature", "event_type")}
        if not all(isinstance(value, str) and value for value in fields.values()):
            raise _unverified("the webhook lacks its id, timestamp, signature or event type")
        webhook_id, timestamp = cast("str", data["id"]), cast("str", data["timestamp"])
        expected = webhook_signature(secret, timestamp, webhook_id)
        if not hmac.compare_digest(expected.encode(), str(data["signature"]).lower().encode()):
            raise _unverified("the webhook signature does not match")
        check_sent_recently(timestamp, self._webhook_tolerance, self._clock(), provider=self.name)
        return data


class BillwerkPayOptions(TypedDict, total=False):
    """The Billwerk+ Pay keyword arguments of :class:`BillwerkPay` and
    :class:`AsyncBillwerkPay` (see :class:`BillwerkPayWire`)."""

    webhook_secret: str
    base_url: str
    api_url: str
    checkout_url: str
    locale: str
    payment_methods: tuple[str, ...] | list[str]
    confirm_webhooks: bool
    webhook_tolerance: timedelta
    handle_factory: Callable[[str], str]
    wall_clock: Callable[[], float]


class _SyncOptions(BillwerkPayOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(BillwerkPayOptions, AsyncHTTPOptions, total=False):
    pass


class BillwerkPay(HTTPProvider):
    """Billwerk+ Pay (Reepay), synchronous.

    Takes the arguments of :class:`BillwerkPayWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> BillwerkPay("priv_0123456789abcdef", webhook_secret="whsec")
    BillwerkPay(BillwerkPayWire(api_url='https://api.reepay.com'))
    """

    def __init__(self, private_key: str, **options: Unpack[_SyncOptions]) -> None:
        wire, http = split_options(options, HTTPOptions)
        super().__init__(BillwerkPayWire(private_key, **wire), **http)


class AsyncBillwerkPay(AsyncHTTPProvider):
    """Billwerk+ Pay (Reepay), asynchronous; arguments as :class:`BillwerkPay`, with an
    async client."""

    def __init__(self, private_key: str, **options: Unpack[_AsyncOptions]) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(BillwerkPayWire(private_key, **wire), **http)
