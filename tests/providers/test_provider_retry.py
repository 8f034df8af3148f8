from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from payportal.providers import RetryPolicy, parse_retry_after

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 10),
    base_delay=st.floats(0, 5),
    max_delay=st.floats(0, 30),
    total_time=st.floats(0, 60),
)


@given(policies, st.integers(1, 12), st.floats(0, 100))
def test_delay_stays_within_max_delay_and_time_budget(
    policy: RetryPolicy, attempt: int, elapsed: float
) -> None:
    delay = policy.delay(attempt, elapsed=elapsed)
    if delay is not None:
        assert 0 <= delay <= policy.max_delay
        assert elapsed + delay <= policy.total_time
        assert attempt < policy.max_attempts


@given(policies, st.integers(1, 12))
def test_attempts_are_always_bounded(policy: RetryPolicy, attempt: int) -> None:
    if attempt >= policy.max_attempts:
        assert policy.delay(attempt, elapsed=0.0) is None


def test_retry_after_replaces_backoff_but_not_the_ceiling() -> None:
    policy = RetryPolicy(max_delay=5.0)
    assert policy.delay(1, elapsed=0.0, retry_after=3.0) == 3.0
    assert policy.delay(1, elapsed=0.0, retry_after=60.0) is None


def test_only_429_and_5xx_are_retryable() -> None:
    assert [RetryPolicy.retryable_status(s) for s in (400, 401, 404, 422, 429, 500, 501, 503)] == [
        False, False, False, False, True, True, False, True,
    ]  # fmt: skip


def test_parse_retry_after_refuses_junk_and_negative_dates() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("-1") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
