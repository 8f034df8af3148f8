"""The shared core of the provider clients, split by concern into four modules:

* :mod:`payportal.providers._wire`: *operations* (generators that yield
  :class:`httpx.Request`\\ s and return a result), :class:`Wire` (one provider's wire format),
  the resend markers :func:`unrepeatable` and :func:`confirm_before_resend`,
  :func:`idempotency_key`, :func:`json_request` and :class:`TokenCache`;
* :mod:`payportal.providers._parsing`: reading answers (JSON, error objects, ids, money,
  times) into values or :class:`~payportal.exceptions.ProviderError`\\ s;
* :mod:`payportal.providers._drivers`: :class:`SyncDriver` and :class:`AsyncDriver`, the
  only code that does I/O, with the one place that decides when to resend;
* :mod:`payportal.providers._facades`: :class:`HTTPProvider` and :class:`AsyncHTTPProvider`,
  any wire as a (sync or async) payment provider.

This module re-exports all of them, so a provider module imports its kit from one place.
"""

from payportal.providers._drivers import (
    DEFAULT_TIMEOUT,
    AsyncDriver,
    AsyncHTTPOptions,
    HTTPOptions,
    SyncDriver,
)
from payportal.providers._facades import AsyncHTTPProvider, HTTPProvider, split_options
from payportal.providers._parsing import (
    aware_time,
    check_sent_recently,
    checked_id,
    decimal_text,
    error_for_status,
    error_object,
    first_object,
    read_json,
    read_minor_units,
    read_money,
    refund_amount,
)
from payportal.providers._wire import (
    Operation,
    ReadBack,
    TokenCache,
    Wire,
    confirm_before_resend,
    idempotency_key,
    json_request,
    unrepeatable,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncDriver",
    "AsyncHTTPOptions",
    "AsyncHTTPProvider",
    "HTTPOptions",
    "HTTPProvider",
    "Operation",
    "ReadBack",
    "SyncDriver",
    "TokenCache",
    "Wire",
    "aware_time",
    "check_sent_recently",
    "checked_id",
    "confirm_before_resend",
    "decimal_text",
    "error_for_status",
    "error_object",
    "first_object",
    "idempotency_key",
    "json_request",
    "read_json",
    "read_minor_units",
    "read_money",
    "refund_amount",
    "split_options",
    "unrepeatable",
]
