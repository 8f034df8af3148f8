from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from payportal import ValidationError
from payportal.exceptions import ProviderUnavailableError, UnsupportedOperationError
from payportal.providers import (
    AsyncDriver,
    Operation,
    RetryPolicy,
    SyncDriver,
    Wire,
    idempotency_key,
    json_request,
)

Handler = Callable[[httpx.Request], httpx.Response]


def two_steps(key: str) -> Operation[tuple[str, str]]:
    """Fetch a token, then use it: the shape of every OAuth call."""
    token = yield httpx.Request("POST", "https://api.example/token")
    response = yield json_request(
        "POST",
        "https://api.example/pay",
        json_body={"n": 1},
        headers={"Authorization": f"Bearer {token.text}", "Idempotency-Key": key},
    )
    return token.text, response.text


class Runner:
    """Runs one operation through the sync or the async driver, same arguments."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.slept: list[float] = []

    def run(self, handler: Handler, operation: Operation[Any], **options: Any) -> Any:
        transport = httpx.MockTransport(handler)
        if self.mode == "sync":
            driver = SyncDriver("demo", transport=transport, sleep=self.slept.append, **options)
            try:
                return driver.run(operation)
            finally:
                driver.close()

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        async def main() -> Any:
            driver = AsyncDriver("demo", transport=transport, sleep=sleep, **options)
            try:
                return await driver.run(operation)
            finally:
                await driver.aclose()

        return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    return Runner(request.param)


def test_multi_step_operation_gets_each_response(runner: Runner) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, text="tok")
        assert request.headers["Authorization"] == "Bearer tok"
        return httpx.Response(201, text="paid")

    assert runner.run(handler, two_steps("k1")) == ("tok", "paid")


def test_retries_resend_the_same_idempotency_key(runner: Runner) -> None:
    keys: list[str] = []
    answers = iter([503, 500, 201])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, text="tok")
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(next(answers), text="ok")

    key = idempotency_key()
    assert runner.run(handler, two_steps(key))[1] == "ok"
    assert keys == [key, key, key]
    assert len(runner.slept) == 2


def test_connection_errors_are_retried_then_reported(runner: Runner) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ProviderUnavailableError) as caught:
        runner.run(handler, two_steps("k"), retry=RetryPolicy(max_attempts=3))
    assert calls == 3
    assert caught.value.provider == "demo"
    assert caught.value.code == "connection_error"


def test_client_errors_are_not_retried(runner: Runner) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(400, text="bad")

    assert runner.run(handler, two_steps("k")) == ("bad", "bad")
    assert calls == 2  # one per step, no retries
    assert runner.slept == []


def test_retry_after_is_honoured(runner: Runner) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers) if request.url.path == "/token" else httpx.Response(200)

    runner.run(handler, two_steps("k"))
    assert runner.slept == [2.0]


def test_last_error_answer_goes_to_the_operation(runner: Runner) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="down")

    result = runner.run(handler, two_steps("k"), retry=RetryPolicy(max_attempts=2))
    assert result == ("down", "down")
    assert len(runner.slept) == 2


def test_time_budget_stops_retries() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    def handler(request: httpx.Request) -> httpx.Response:
        now[0] += 4.0  # every attempt takes four seconds
        return httpx.Response(503, headers={"Retry-After": "1"})

    driver = SyncDriver(
        "demo",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=100, total_time=12.0),
        sleep=sleep,
        clock=lambda: now[0],
    )
    assert driver.send(httpx.Request("GET", "https://api.example/")).status_code == 503
    assert now[0] <= 12.0 + 4.0
    assert len(slept) == 2


def test_client_and_transport_together_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        SyncDriver("demo", client=httpx.Client(), transport=httpx.MockTransport(lambda r: None))  # type: ignore[arg-type,return-value]
    assert caught.value.field == "transport"


def test_a_client_without_timeouts_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        SyncDriver("demo", client=httpx.Client(timeout=None))
    assert caught.value.field == "timeout"


def test_driver_does_not_close_a_client_it_was_given() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    SyncDriver("demo", client=client).close()
    assert not client.is_closed
    client.close()


def test_missing_operations_are_unsupported() -> None:
    class Minimal(Wire):
        name = "minimal"

    with pytest.raises(UnsupportedOperationError) as caught:
        Minimal().refund("p1", None, None)
    assert caught.value.provider == "minimal"
