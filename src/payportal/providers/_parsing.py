"""Reading providers' answers: JSON bodies, error objects, ids, money and times.

Pure helpers shared by the wires; each raises a :class:`~payportal.exceptions.ProviderError`
(or a subclass) that names the provider and the unreadable field.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    WebhookVerificationError,
)

if TYPE_CHECKING:
    import re
    from collections.abc import Mapping

    import httpx

    from payportal.providers._models import Payment


__all__ = [
    "aware_time",
    "check_sent_recently",
    "checked_id",
    "decimal_text",
    "error_for_status",
    "error_object",
    "first_object",
    "read_json",
    "read_minor_units",
    "read_money",
    "refund_amount",
]


def read_json(response: httpx.Response, provider: str) -> Any:
    """Decode a JSON answer; an empty body is ``{}``.

    Raises:
        ProviderError: the body is not JSON (a proxy's HTML page, a truncated answer).
    """
    if not response.content:
        return {}
    try:
        return json.loads(response.content)
    except ValueError:
        raise ProviderError(
            "the provider answered with a body that is not JSON",
            provider=provider,
            status_code=response.status_code,
        ) from None


def error_object(response: httpx.Response) -> dict[str, Any]:
    """An error answer's body as a JSON object, or ``{}`` if it is empty, not JSON or not an
    object: a proxy's HTML error page must still become an error with the right status.

    >>> import httpx
    >>> error_object(httpx.Response(400, json={"code": 7}))
    {'code': 7}
    >>> error_object(httpx.Response(502, text="<html>Bad gateway</html>"))
    {}
    """
    try:
        data = json.loads(response.content) if response.content else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def first_object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The first item of the list ``data[key]`` if it is a JSON object, else ``{}``.

    Error answers list their problems (``details``, ``messages``, ``elements``); the first
    one names the code and the field that callers act on.

    >>> first_object({"details": [{"issue": "X"}, {"issue": "Y"}]}, "details")
    {'issue': 'X'}
    >>> first_object({"details": "oops"}, "details")
    {}
    """
    items = data.get(key)
    first = items[0] if isinstance(items, list) and items else None
    return first if isinstance(first, dict) else {}


_STATUS_ERRORS: dict[int, type[ProviderError]] = {
    401: AuthenticationError,
    402: PaymentDeclinedError,
    403: AuthenticationError,
    429: RateLimitedError,
}


def error_for_status(status_code: int) -> type[ProviderError]:
    """The :class:`~payportal.exceptions.ProviderError` subclass for an HTTP error status.

    Wire formats call this for answers whose body does not say more precisely.

    >>> error_for_status(401).__name__, error_for_status(422).__name__
    ('AuthenticationError', 'InvalidRequestError')
    >>> error_for_status(503).__name__
    'ProviderUnavailableError'
    """
    if status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[status_code]
    if status_code >= 500:
        return ProviderUnavailableError
    return InvalidRequestError


def checked_id(
    value: object,
    pattern: re.Pattern[str],
    *,
    provider: str,
    what: str,
    code: str,
    error: type[ProviderError] = InvalidRequestError,
) -> str:
    """``value`` if it is an id in the provider's alphabet, safe to put into a URL path.

    Ids come from callers and notifications; anything outside the alphabet (a ``/``, a
    ``?``) or an id of dots alone (read as ``.`` or ``..`` path steps) could reach another
    route, so it is refused before any request is built.

    Args:
        value: the id to check.
        pattern: the provider's id alphabet, matched against the whole id.
        provider: the provider's name, for the error.
        what: what the id names, for the message (``"PayPal order id"``).
        code: the error code.
        error: the error class (a notification's bad id is a verification failure).

    >>> import re
    >>> checked_id("5O190127TN364715T", re.compile("[A-Z0-9]+"), provider="demo",
    ...            what="order id", code="invalid_id")
    '5O190127TN364715T'

    Raises:
        InvalidRequestError: (or ``error``) ``value`` is not such an id.
    """
    if not isinstance(value, str) or not pattern.fullmatch(value) or not value.strip("."):
        raise error(f"{value!r} is not a {what}", provider=provider, code=code)
    return value


def refund_amount(
    payment: Payment,
    amount: Money | None,
    provider: str,
    *,
    codes: tuple[str, str] = ("refund_amount_invalid", "refund_amount_exceeded"),
) -> Money:
    """What ``refund(payment.id, amount)`` is to return: ``amount``, or all that is left.

    Wires call it before sending anything, so a refund the provider would refuse anyway
    leaves no trace there.

    Args:
        payment: the payment as the provider reports it now.
        amount: what the caller asked to refund; ``None`` for all that is left.
        provider: the provider's name, for the error.
        codes: the error codes for an invalid and for a too large amount, so each provider
            can report the code its own API uses for the same refusal.

    Raises:
        InvalidRequestError: ``amount`` is not more than zero in the payment's currency
            (code ``codes[0]``), or more than is left to refund (``codes[1]``).
    """
    wanted = payment.refundable if amount is None else amount
    if wanted.currency != payment.amount.currency or wanted.amount <= 0:
        raise InvalidRequestError(
            f"cannot refund {wanted}: it must be more than zero in {payment.amount.currency}",
            provider=provider,
            code=codes[0],
        )
    if wanted > payment.refundable:
        raise InvalidRequestError(
            f"cannot refund {wanted}: only {payment.refundable} is left to refund",
            provider=provider,
            code=codes[1],
        )
    return wanted


def decimal_text(
    money: Money,
    provider: str,
    *,
    whole_units: frozenset[str] = frozenset(),
    code: str = "decimals_not_supported",
) -> str:
    """``money`` as a decimal string with exactly the currency's decimals (``"5.00"``).

    Args:
        money: the amount to send.
        provider: the provider's name, for the error.
        whole_units: currencies the provider takes without decimals although ISO 4217 gives
            them some (PayPal: HUF, TWD); their amounts are sent as whole numbers.
        code: the error code the provider's API uses for a refused fraction.

    >>> from payportal import Money
    >>> decimal_text(Money("5", "EUR"), "demo")
    '5.00'
    >>> decimal_text(Money("1500.00", "HUF"), "demo", whole_units=frozenset({"HUF"}))
    '1500'

    Raises:
        InvalidRequestError: a fraction in one of the ``whole_units`` currencies.
    """
    value = money.amount
    if money.currency in whole_units:
        if value != value.to_integral_value():
            raise InvalidRequestError(
                f"{provider} takes {money.currency} in whole units only, not {money}",
                provider=provider,
                code=code,
            )
        value = value.quantize(Decimal(1))
    return str(value)


def read_money(value: object, currency: object, provider: str, *, field: str) -> Money:
    """Read an amount in major units (``"12.30"``, ``12``, ``Decimal("12.3")``) the provider sent.

    Floats and booleans are refused: a float in money is a bug, also when a provider sends it.

    Raises:
        ProviderError: the value or the currency is unreadable; the message names ``field``.
    """
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise TypeError(value)
        return Money(Decimal(value), str(currency))
    except (TypeError, ArithmeticError, ValueError) as error:
        raise _unreadable_amount(provider, field, value, currency) from error


def read_minor_units(value: object, currency: str, provider: str, *, field: str) -> Money:
    """Read an amount in minor units (``1230`` or ``"1230"`` for 12.30 EUR) the provider sent.

    A whole-number float such as ``1230.0`` is accepted: JSON does not distinguish them.

    Raises:
        ProviderError: the value is not a whole number or the currency is unknown; the
            message names ``field``.
    """
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        if isinstance(value, float):
            if value != int(value):
                raise ValueError(value)
            value = int(value)
        if not isinstance(value, int | str):
            raise TypeError(value)
        return Money.from_minor(int(value), currency)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise _unreadable_amount(provider, field, value, currency) from error


def _unreadable_amount(provider: str, field: str, value: object, currency: object) -> ProviderError:
    return ProviderError(
        f"{provider} sent an unreadable {field}: {value!r} {currency!r}", provider=provider
    )


def check_sent_recently(
    stamp: object,
    tolerance: timedelta | None,
    now_seconds: float,
    *,
    provider: str,
    code: str = "webhook_verification",
) -> None:
    """Refuse a notification whose send time ``stamp`` is further than ``tolerance`` from now.

    Signed notifications can be replayed by whoever captured one; a bounded age closes that
    door. ``tolerance=None`` accepts any time (the caller then deduplicates by event id).

    Args:
        stamp: the send time as the provider states it, an ISO 8601 time with a zone.
        tolerance: how far from now the send time may be, either way (clocks drift).
        now_seconds: the current time, in seconds since the epoch.
        provider: the provider's name, for the error.
        code: the error code, as the provider's other webhook refusals use it.

    Raises:
        WebhookVerificationError: the time is unreadable, has no zone, or is out of tolerance.
    """
    if tolerance is None:
        return
    when = aware_time(stamp)
    if when is None:
        raise WebhookVerificationError(
            "the notification's send time is not an ISO 8601 time with a zone",
            provider=provider,
            code=code,
        )
    if abs(now_seconds - when.timestamp()) > tolerance.total_seconds():
        raise WebhookVerificationError(
            "the notification was sent too long ago (a replay?)", provider=provider, code=code
        )


def aware_time(text: object) -> datetime | None:
    """``text`` as an ISO 8601 time with a zone, or ``None`` if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
