"""Payment providers behind one protocol, sync and async.

An application codes its payment flow against :class:`PaymentProvider` (or
:class:`AsyncPaymentProvider`) and the models here; which provider runs it is configuration::

    provider.create_payment(PaymentRequest(...))  -> Payment with redirect_url / instructions
    provider.get_payment(id) / capture(id, amount=None) / cancel(id)
    provider.refund(id, amount=None, reason=None)
    provider.parse_webhook(headers, body)         -> WebhookEvent, or WebhookVerificationError
    provider.capabilities                         -> Capabilities flags

Providers with ``capabilities.saved_methods`` also save payment methods and charge them
merchant-initiated (:class:`SavedMethodProvider`: ``setup_method``, ``confirm_method``,
``list_methods``, ``delete_method``, ``charge_method``; see :class:`SavedMethod`).

An operation a provider lacks raises :class:`~payportal.exceptions.UnsupportedOperationError`;
every provider failure is a :class:`~payportal.exceptions.ProviderError` subclass.

How a provider client is built (read this before writing one)
---------------------------------------------------------------

* **Wire** (:class:`Wire`, in ``payportal.providers._wire``): one class per provider that
  holds the whole wire format and does no I/O. Each protocol method returns an *operation*,
  a generator that ``yield``\\ s :class:`httpx.Request` objects and receives the
  :class:`httpx.Response` for each, then ``return``\\ s the :class:`Payment` (or raises a
  :class:`~payportal.exceptions.ProviderError`). Multi-step calls are straight-line code:
  ``token = yield from self._access_token()`` then ``order = yield from self._call(...)``.
  An operation generates its idempotency key once (:func:`idempotency_key`) and puts it on the
  request it yields; the driver resends that very request on retries, so the key cannot change.
  A call the provider cannot deduplicate carries a *resend rule* (see below).
  Methods the provider lacks keep the base implementation, which raises
  ``UnsupportedOperationError``. Wires that log in first keep their token in a
  :class:`TokenCache`.
* **Drivers** (:class:`SyncDriver`, :class:`AsyncDriver`): the only code that does I/O. They
  send each yielded request with an injected ``httpx.Client``/``httpx.AsyncClient`` (or one
  they build around ``transport=`` with :data:`DEFAULT_TIMEOUT`), and retry per
  :class:`RetryPolicy`: connection errors, 429 and 5xx only, exponential backoff with full
  jitter, ``Retry-After`` honoured, bounded in attempts and total time, ``sleep`` injectable.
  After the last attempt a connection error becomes
  :class:`~payportal.exceptions.ProviderUnavailableError` and an error answer goes to the
  operation, which maps it (:func:`error_for_status` is the default mapping).
* **Facades** (:class:`HTTPProvider`, :class:`AsyncHTTPProvider`): implement the protocols
  for any wire. A provider module adds two tiny subclasses whose ``__init__`` takes named
  credentials, builds the wire and passes the HTTP options on (:func:`split_options`); see
  :class:`payportal.providers.paypal.PayPal`.
* **Fake server**: one ``payportal.testing.fake_<provider>`` module subclassing
  :class:`payportal.testing.FakeServer`, implementing ``handle(request) -> response`` with
  the provider's real validation. It runs in-process (``transport()``) and on loopback
  (``serve()``), with fault injection for free.
* **Contract**: a test class subclassing :class:`payportal.testing.ProviderContract` with
  fixtures for the client and the fake payer; parametrise it over the two transports.

Resending after an unknown outcome
----------------------------------

An attempt's outcome is *unknown* when its answer was lost after the connection was made
(a read timeout, a dropped connection) or the provider answered 500, 502 or 504: it may have
acted. An attempt surely did nothing when no connection was made or the answer was 429 or 503.
A request with an idempotency key is simply resent. A mutating request without one must
carry a resend rule, set by one of two markers:

* :func:`confirm_before_resend` ``(request, check)``: the provider's state shows whether
  the call took effect. After an unknown outcome, before each further attempt and once more
  before giving up, the drivers run the read-back operation ``check()``; a response it
  returns stands for the lost answer, ``None`` lets the request be sent again.
* :func:`unrepeatable` ``(request)``: nothing can tell. After an unknown outcome the drivers
  stop: a lost answer raises :class:`~payportal.exceptions.ProviderUnavailableError` with
  code ``"answer_lost"``, a 5xx answer goes to the operation.

Either way, attempts that surely did nothing are retried per the policy. A read-back that
cannot tell which object a lost request created (PayEngine's order list, whose filter its
specification does not define) raises :class:`~payportal.exceptions.OutcomeUnknownError`
rather than guess; its ``lookup`` names the fields to find the object by later, in a webhook
or a poll.

Secrets live only inside the wire (never in its ``repr``) and are only ever sent in headers.
"""

from payportal.providers._core import (
    DEFAULT_TIMEOUT,
    AsyncDriver,
    AsyncHTTPOptions,
    AsyncHTTPProvider,
    HTTPOptions,
    HTTPProvider,
    Operation,
    SyncDriver,
    TokenCache,
    Wire,
    confirm_before_resend,
    error_for_status,
    idempotency_key,
    json_request,
    read_json,
    split_options,
    unrepeatable,
)
from payportal.providers._models import (
    Capabilities,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Refund,
    WebhookEvent,
)
from payportal.providers._protocol import AsyncPaymentProvider, PaymentProvider
from payportal.providers._retry import RetryPolicy, parse_retry_after
from payportal.providers._saved import (
    AsyncSavedMethodProvider,
    MethodKind,
    MethodSetup,
    SavedMethod,
    SavedMethodProvider,
)
from payportal.providers.bank_transfer import (
    AsyncBankTransfer,
    BankTransfer,
    InMemoryTransferStore,
    Transfer,
    TransferStore,
)
from payportal.providers.billpay import AsyncBillPay, BillPay
from payportal.providers.billwerk import AsyncBillwerkPay, BillwerkPay
from payportal.providers.paydirekt import AsyncPaydirekt, Paydirekt
from payportal.providers.payengine import AsyncPayEngine, PayEngine
from payportal.providers.paypal import AsyncPayPal, PayPal
from payportal.providers.paypal_nvp import AsyncPayPalNVP, PayPalNVP
from payportal.providers.sofort import AsyncSofort, Sofort

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncBankTransfer",
    "AsyncBillPay",
    "AsyncBillwerkPay",
    "AsyncDriver",
    "AsyncHTTPOptions",
    "AsyncHTTPProvider",
    "AsyncPayEngine",
    "AsyncPayPal",
    "AsyncPayPalNVP",
    "AsyncPaydirekt",
    "AsyncPaymentProvider",
    "AsyncSavedMethodProvider",
    "AsyncSofort",
    "BankTransfer",
    "BillPay",
    "BillwerkPay",
    "Capabilities",
    "HTTPOptions",
    "HTTPProvider",
    "InMemoryTransferStore",
    "MethodKind",
    "MethodSetup",
    "Operation",
    "PayEngine",
    "PayPal",
    "PayPalNVP",
    "Paydirekt",
    "Payment",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentStatus",
    "Refund",
    "RetryPolicy",
    "SavedMethod",
    "SavedMethodProvider",
    "Sofort",
    "SyncDriver",
    "TokenCache",
    "Transfer",
    "TransferStore",
    "WebhookEvent",
    "Wire",
    "confirm_before_resend",
    "error_for_status",
    "idempotency_key",
    "json_request",
    "parse_retry_after",
    "read_json",
    "split_options",
    "unrepeatable",
]
