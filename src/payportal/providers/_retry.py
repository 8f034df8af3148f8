"""When to try a request again, and how long to wait first: pure policy, no I/O."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime

import attrs

__all__ = ["RetryPolicy", "parse_retry_after"]

# Jitter only spreads clients apart; it needs no cryptographic strength.
_jitter_source = random.Random()  # noqa: S311


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    Returns ``None`` for a missing or unreadable header, and never less than zero.

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
    ...                   now=datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC))
    30.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1 (got {value!r})")


def _not_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative (got {value!r})")


@attrs.frozen
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter.

    Only failures that may pass are retried: connection errors and timeouts, HTTP 429 and
    5xx answers. Every mutating request carries an idempotency key that stays the same on
    every attempt, so a retry after a lost answer is a no-op at the provider.

    Attributes:
        max_attempts: attempts in all, the first one included.
        base_delay: seconds before the first retry, doubled for each later one (before jitter).
        max_delay: the most any one wait may last, ``Retry-After`` included.
        total_time: the most seconds that the attempts and waits of one request may take.

    >>> policy = RetryPolicy(max_attempts=3, base_delay=1.0)
    >>> policy.retryable_status(503), policy.retryable_status(404)
    (True, False)
    >>> 0 <= policy.delay(1, elapsed=0.0) <= 1.0
    True
    >>> policy.delay(3, elapsed=0.0) is None    # attempts used up
    True
    >>> policy.delay(1, elapsed=0.0, retry_after=5.0)
    5.0
    """

    max_attempts: int = attrs.field(default=4, validator=_at_least_one)
    base_delay: float = attrs.field(default=0.2, validator=_not_negative)
    max_delay: float = attrs.field(default=10.0, validator=_not_negative)
    total_time: float = attrs.field(default=30.0, validator=_not_negative)

    @staticmethod
    def retryable_status(status_code: int) -> bool:
        """Whether an answer with this status may succeed if sent again."""
        return status_code == 429 or (status_code >= 500 and status_code != 501)

    def delay(
        self, attempt: int, *, elapsed: float, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up.

        Args:
            attempt: how many attempts were made so far (1 after the first).
            elapsed: seconds spent on this request so far.
            retry_after: the provider's ``Retry-After``, which replaces the backoff.
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            wait = retry_after
            if wait > self.max_delay:
                return None  # the provider wants a longer pause than the caller allows
        else:
            ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
            wait = _jitter_source.uniform(0, ceiling)
        if elapsed + wait > self.total_time:
            return None
        return wait
