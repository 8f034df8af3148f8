from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from payportal import Money, ValidationError
from payportal.exceptions import (
    InvalidRequestError,
    ProviderError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers import (
    AsyncDriver,
    Operation,
    Payment,
    PaymentStatus,
    RetryPolicy,
    SyncDriver,
    Wire,
    confirm_before_resend,
    idempotency_key,
    json_request,
    unrepeatable,
)
from payportal.providers._core import (
    check_sent_recently,
    checked_id,
    decimal_text,
    read_minor_units,
    read_money,
    refund_amount,
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


# -- resend rules: what the drivers do after an attempt whose outcome is unknown ------------


def scripted(*outcomes: int | type[httpx.TransportError]) -> tuple[Handler, list[str]]:
    """A handler answering POSTs per ``outcomes`` (a status, or an error to raise) and GETs
    with the number of POSTs that "took effect" (those answered, or whose answer timed out)."""
    log: list[str] = []
    seen: list[int | type[httpx.TransportError]] = []
    script = iter(outcomes)

    def handler(request: httpx.Request) -> httpx.Response:
        log.append(request.method)
        if request.method == "GET":
            acted = sum(1 for o in seen if not isinstance(o, type) or o is httpx.ReadTimeout)
            return httpx.Response(200, text=str(acted))
        outcome = next(script)
        seen.append(outcome)
        if isinstance(outcome, type):
            raise outcome("scripted", request=request)
        return httpx.Response(outcome, text="posted")

    return handler, log


def read_back() -> Operation[httpx.Response | None]:
    """The read-back of a POST that, once it took effect, shows as a non-zero count."""
    answer = yield httpx.Request("GET", "https://api.example/state")
    return httpx.Response(200, text="found") if answer.text != "0" else None


def post(mark: Callable[[httpx.Request], httpx.Request]) -> Operation[str]:
    response = yield mark(httpx.Request("POST", "https://api.example/pay"))
    return f"{response.status_code} {response.text}"


def confirmed(request: httpx.Request) -> httpx.Request:
    return confirm_before_resend(request, read_back)


def test_unrepeatable_is_not_resent_after_a_lost_answer(runner: Runner) -> None:
    handler, log = scripted(httpx.ReadTimeout, 201)
    with pytest.raises(ProviderUnavailableError) as caught:
        runner.run(handler, post(unrepeatable))
    assert caught.value.code == "answer_lost"
    assert log == ["POST"]


def test_unrepeatable_hands_a_500_to_the_operation(runner: Runner) -> None:
    handler, log = scripted(500, 201)
    assert runner.run(handler, post(unrepeatable)) == "500 posted"
    assert log == ["POST"]


def test_unrepeatable_is_resent_when_surely_not_delivered(runner: Runner) -> None:
    handler, log = scripted(httpx.ConnectError, 503, 429, 201)
    assert runner.run(handler, post(unrepeatable)) == "201 posted"
    assert log == ["POST"] * 4


def test_confirmed_request_found_by_read_back_is_not_resent(runner: Runner) -> None:
    handler, log = scripted(httpx.ReadTimeout, 201)
    assert runner.run(handler, post(confirmed)) == "200 found"
    assert log == ["POST", "GET"]


def test_confirmed_request_is_resent_once_read_back_finds_nothing(runner: Runner) -> None:
    handler, log = scripted(httpx.ConnectError, 201)
    assert runner.run(handler, post(confirmed)) == "201 posted"
    assert log == ["POST", "POST"]  # no connection: nothing to read back


def test_confirmed_request_reads_back_after_a_5xx(runner: Runner) -> None:
    handler, log = scripted(502, 201)
    assert runner.run(handler, post(confirmed)) == "200 found"
    assert log == ["POST", "GET"]


def test_confirmed_request_reads_back_before_giving_up(runner: Runner) -> None:
    handler, log = scripted(httpx.ReadTimeout)
    result = runner.run(handler, post(confirmed), retry=RetryPolicy(max_attempts=1))
    assert result == "200 found"
    assert log == ["POST", "GET"]
    assert runner.slept == []


def test_confirmed_request_not_found_reports_the_outage(runner: Runner) -> None:
    handler, log = scripted(httpx.ConnectError, httpx.ConnectError)
    with pytest.raises(ProviderUnavailableError) as caught:
        runner.run(handler, post(confirmed), retry=RetryPolicy(max_attempts=2))
    assert caught.value.code == "connection_error"
    assert log == ["POST", "POST"]


def test_unmarked_request_is_resent_after_a_lost_answer(runner: Runner) -> None:
    handler, log = scripted(httpx.ReadTimeout, 201)
    assert runner.run(handler, post(lambda request: request)) == "201 posted"
    assert log == ["POST", "POST"]


def test_refund_amount_reports_the_providers_own_codes() -> None:

    payment = Payment(
        id="p1",
        provider="demo",
        status=PaymentStatus.PARTIALLY_REFUNDED,
        raw_status="partially_refunded",
        amount=Money("12.00", "EUR"),
        captured=Money("12.00", "EUR"),
        refunded=Money("2.00", "EUR"),
    )
    assert refund_amount(payment, None, "demo") == Money("10.00", "EUR")
    with pytest.raises(InvalidRequestError) as caught:
        refund_amount(payment, Money("10.01", "EUR"), "demo", codes=("bad", "too_much"))
    assert caught.value.code == "too_much"
    with pytest.raises(InvalidRequestError) as caught:
        refund_amount(payment, Money("1.00", "USD"), "demo", codes=("bad", "too_much"))
    assert caught.value.code == "bad"


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [("12.30", "EUR", "12.30"), (12, "EUR", "12.00"), ("500", "JPY", "500")],
)
def test_read_money_reads_major_units(value: object, currency: str, expected: str) -> None:

    assert read_money(value, currency, "demo", field="amount") == Money(expected, currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [(12.3, "EUR"), (True, "EUR"), ("12.345", "EUR"), ("x", "EUR"), ("1", "XXQ"), (None, "EUR")],
)
def test_read_money_refuses_what_is_not_money(value: object, currency: str) -> None:

    with pytest.raises(ProviderError) as caught:
        read_money(value, currency, "demo", field="total")
    assert caught.value.provider == "demo"
    assert "total" in str(caught.value)


@pytest.mark.parametrize("value", [1230, "1230", 1230.0])
def test_read_minor_units_reads_whole_numbers(value: object) -> None:

    assert read_minor_units(value, "EUR", "demo", field="amount") == Money("12.30", "EUR")


@pytest.mark.parametrize("value", [12.5, False, "12.30", "", None])
def test_read_minor_units_refuses_fractions_and_junk(value: object) -> None:

    with pytest.raises(ProviderError):
        read_minor_units(value, "EUR", "demo", field="amount")


def test_decimal_text_refuses_fractions_of_whole_unit_currencies() -> None:

    whole = frozenset({"HUF"})
    assert decimal_text(Money("7.5", "HUF"), "demo") == "7.50"
    with pytest.raises(InvalidRequestError) as caught:
        decimal_text(Money("7.5", "HUF"), "demo", whole_units=whole, code="E1")
    assert caught.value.code == "E1"


NOON = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("stamp", ["2026-01-01T12:04:59Z", "2026-01-01T13:55:01+02:00"])
def test_recent_notifications_pass(stamp: str) -> None:
    check_sent_recently(stamp, timedelta(minutes=5), NOON, provider="demo")


@pytest.mark.parametrize(
    "stamp", ["2026-01-01T12:05:01Z", "2026-01-01T11:54:59Z", "2026-01-01T12:00:00", "noon", None]
)
def test_old_future_or_unreadable_send_times_are_refused(stamp: object) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        check_sent_recently(stamp, timedelta(minutes=5), NOON, provider="demo", code="E9")
    assert (caught.value.provider, caught.value.code) == ("demo", "E9")


def test_no_tolerance_accepts_any_send_time() -> None:
    check_sent_recently("1999-01-01T00:00:00Z", None, NOON, provider="demo")


ID_ALPHABET = re.compile(r"[A-Za-z0-9.-]{1,16}")


@pytest.mark.parametrize("value", ["..", ".", "a/b", "a?b=1", "", None, 7, "x" * 17])
def test_ids_that_could_leave_their_route_are_refused(value: object) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        checked_id(value, ID_ALPHABET, provider="demo", what="demo id", code="bad_id")
    assert (caught.value.provider, caught.value.code) == ("demo", "bad_id")


def test_checked_id_raises_the_error_class_asked_for() -> None:
    with pytest.raises(WebhookVerificationError):
        checked_id(
            "../x",
            ID_ALPHABET,
            provider="demo",
            what="id",
            code="c",
            error=WebhookVerificationError,
        )
    assert checked_id("a.b-1", ID_ALPHABET, provider="demo", what="id", code="c") == "a.b-1"
