from __future__ import annotations

import asyncio
import base64
import json
import pickle
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    OutcomeUnknownError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
    RetryPolicy,
)
from payportal.providers.payengine import (
    LIVE_URL,
    SANDBOX_URL,
    AsyncPayEngine,
    PayEngine,
    order_to_payment,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_payengine import FakePayEngine

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def request(amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference="INV-1",
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
    )


@pytest.fixture
def fake() -> FakePayEngine:
    return FakePayEngine()


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(fake: FakePayEngine, mode: str, stack: ExitStack, **options: Any) -> PayEngine:
    """A client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {"notification_url": fake.notification_url, **NO_WAIT, **options}
    if mode == "loopback":
        options["base_url"] = stack.enter_context(fake.serve())
    else:
        options["transport"] = fake.transport()
    return stack.enter_context(PayEngine(fake.merchant_id, fake.api_key, **options))


class TestPayEnginePreauthContract(ProviderContract):
    notifications_read_back = True

    @pytest.fixture
    def provider(self, fake: FakePayEngine, mode: str, stack: ExitStack) -> PayEngine:
        return connect(fake, mode, stack)

    @pytest.fixture
    def approve(self, fake: FakePayEngine) -> Callable[[str], None]:
        return fake.approve

    @pytest.fixture
    def webhooks(self, fake: FakePayEngine) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return fake.webhooks


class TestPayEngineDebitContract(TestPayEnginePreauthContract):
    @pytest.fixture
    def provider(self, fake: FakePayEngine, mode: str, stack: ExitStack) -> PayEngine:
        return connect(fake, mode, stack, transaction_type="DEBIT")


def paid(payengine: PayEngine, fake: FakePayEngine, amount: str = "10.00") -> str:
    payment = payengine.create_payment(request(amount))
    fake.approve(payment.id)
    payengine.capture(payment.id)
    return payment.id


def sent(fake: FakePayEngine, suffix: str) -> list[httpx.Request]:
    return [r for r in fake.requests if r.method == "POST" and r.url.path.endswith(suffix)]


# -- fault injection: no retry executes twice at PayEngine ------------------------------------


def test_create_retried_after_a_lost_answer_creates_one_order(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/orders", method="POST")
    payment = payengine.create_payment(request())
    assert list(fake.orders) == [payment.id]
    assert len(sent(fake, "/orders")) == 1  # the read-back found it: nothing was resent
    assert payment.status is PaymentStatus.CREATED


def test_create_resent_when_the_first_attempt_never_arrived(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack)
    fake.inject(FaultKind.DROP, path="/orders", method="POST")
    fake.inject(FaultKind.ERROR, path="/orders", method="POST", status=503)
    payment = payengine.create_payment(request())
    assert list(fake.orders) == [payment.id]
    bodies = [json.loads(r.content) for r in sent(fake, "/orders")]
    assert len(bodies) == 3
    assert len({b["source"] for b in bodies}) == 1  # one key for the whole call


def test_capture_timeout_after_acceptance_never_captures_twice(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack)
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
    captured = payengine.capture(payment.id, Money("3.00", "EUR"))
    assert captured.captured == Money("3.00", "EUR")
    assert [t["type"] for t in fake.transactions.values()].count("CAPTURE") == 1
    assert len(sent(fake, "/capture")) == 1


def test_capture_lost_on_every_attempt_is_still_found(fake: FakePayEngine) -> None:
    payengine = PayEngine(
        fake.merchant_id,
        fake.api_key,
        transport=fake.transport(),
        retry=RetryPolicy(max_attempts=1),
    )
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
    assert payengine.capture(payment.id).status is PaymentStatus.PAID
    assert fake.orders[payment.id]["capturedAmount"] == 1000


def test_refund_retried_after_errors_refunds_once(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack)
    payment_id = paid(payengine, fake)
    fake.inject(FaultKind.DROP, path="/refund")
    fake.inject(FaultKind.ERROR, path="/refund", status=503, retry_after="0")
    fake.inject(FaultKind.LOSE_RESPONSE, path="/refund")
    refunded = payengine.refund(payment_id, Money("4.00", "EUR"))
    assert refunded.refunded == Money("4.00", "EUR")
    assert [t["type"] for t in fake.transactions.values()].count("REFUND") == 1
    descriptions = {json.loads(r.content)["description"] for r in sent(fake, "/refund")}
    assert len(descriptions) == 1


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    fake.inject(FaultKind.ERROR, path="/orders", method="POST", status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        payengine.create_payment(request())
    assert caught.value.status_code == 503
    assert caught.value.request_id
    assert len(sent(fake, "/orders")) == 3
    assert not fake.orders


def test_rate_limit_waits_as_told(fake: FakePayEngine) -> None:
    slept: list[float] = []
    payengine = PayEngine(
        fake.merchant_id, fake.api_key, transport=fake.transport(), sleep=slept.append
    )
    fake.inject(FaultKind.ERROR, path="/orders", method="POST", status=429, retry_after="2")
    assert payengine.create_payment(request()).status is PaymentStatus.CREATED
    assert slept == [2.0]
    assert len(fake.orders) == 1


# -- notifications: confirmed by PayEngine, never taken from the body ----------------------------


def test_notifications_are_confirmed_by_reading_the_order_back(
    fake: FakePayEngine, mode: str, stack: ExitStack
) -> None:
    payengine = connect(fake, mode, stack)
    payment_id = paid(payengine, fake)
    delivered = fake.webhooks()
    events = [payengine.parse_webhook(headers, body) for headers, body in delivered]
    assert {event.payment_id for event in events} == {payment_id}
    assert all(event.status is PaymentStatus.PAID for event in events)  # now, not then
    assert [event.type for event in events] == [
        "order.create.success",
        "transaction.create.success",
        "transaction.create.success",
    ]
    assert len(sent(fake, "/notifications/validate")) == 3


def test_forged_notifications_change_nothing(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport(),
                          notification_url=fake.notification_url)  # fmt: skip
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    headers, body = fake.webhooks()[-1]
    before = payengine.get_payment(payment.id)
    notification = json.loads(body)
    notification["payload"]["status"] = "SUCCESS"
    notification["payload"]["type"] = "CAPTURE"
    with pytest.raises(WebhookVerificationError):  # PayEngine calls it invalid
        payengine.parse_webhook(headers, json.dumps(notification).encode())
    for junk in (b"", b"[]", b"{}", b'{"eventId": "e", "type": "t", "payload": {}}'):
        with pytest.raises(WebhookVerificationError):
            payengine.parse_webhook({}, junk)
    assert payengine.get_payment(payment.id) == before
    assert before.status is PaymentStatus.AUTHORIZED


def test_without_validation_the_read_back_still_decides(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    headers, body = fake.webhooks()[-1]
    forged = json.loads(body)
    forged["payload"]["type"] = "CAPTURE"  # claims a capture that never happened
    event = payengine.parse_webhook(headers, json.dumps(forged).encode())
    assert event.status is PaymentStatus.AUTHORIZED
    assert event.data["capturedAmount"] == 0  # data is PayEngine's order, not the body
    unknown = body.replace(payment.id.encode(), b"order_0000deadbeef")
    with pytest.raises(WebhookVerificationError):
        payengine.parse_webhook(headers, unknown)
    assert not sent(fake, "/notifications/validate")


def test_duplicate_notifications_carry_the_same_event_id(fake: FakePayEngine) -> None:
    fake.duplicate_webhooks = True
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport(),
                          notification_url=fake.notification_url)  # fmt: skip
    paid(payengine, fake)
    events = [payengine.parse_webhook(h, b) for h, b in fake.webhooks()]
    assert len(events) == 2 * len({e.id for e in events})
    assert [t["type"] for t in fake.transactions.values()].count("CAPTURE") == 1


_JUNK = st.one_of(
    st.binary(max_size=64),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    ).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"eventId": st.text(max_size=4), "type": st.text(max_size=4), "payload": st.just({})}
    ).map(lambda value: json.dumps(value).encode()),
)


@given(body=_JUNK)
def test_parse_webhook_refuses_junk_with_verification_errors_only(body: bytes) -> None:
    fake = FakePayEngine()
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport(),
                          notification_url=fake.notification_url)  # fmt: skip
    with pytest.raises(WebhookVerificationError):
        payengine.parse_webhook({}, body)


# -- wire format and errors ----------------------------------------------------------------------


def test_basic_auth_matches_the_specification_vector() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401, json={"status": 401, "message": "Unauthorized!"})

    payengine = PayEngine(
        "merchant_bzo3pt5dix", "YGc7oJsaAIetzdxD", transport=httpx.MockTransport(handler)
    )
    with pytest.raises(AuthenticationError):
        payengine.get_payment("order_1")
    assert seen == ["Basic bWVyY2hhbnRfYnpvM3B0NWRpeDpZR2M3b0pzYUFJZXR6ZHhE"]


def test_base_urls_and_payment_pages() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        order = {"orderId": "o1", "initialAmount": 500, "currency": "EUR", "transactions": []}
        return httpx.Response(200, json=order)

    pages = []
    for environment in ("sandbox", "live"):
        payengine = PayEngine("m", "k", environment=environment,  # type: ignore[arg-type]
                              transport=httpx.MockTransport(handler))  # fmt: skip
        pages.append(payengine.create_payment(request("5.00")).redirect_url)
    assert urls == [SANDBOX_URL + "/orders", LIVE_URL + "/orders"]
    assert pages == ["https://pptest.payengine.de/pay/o1", "https://pp.payengine.de/pay/o1"]


def test_amounts_travel_in_minor_units(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    payengine.create_payment(request("1000", "JPY"))
    payment = payengine.create_payment(request("12.34"))
    fake.approve(payment.id)
    payengine.capture(payment.id, Money("0.05", "EUR"))
    assert [json.loads(r.content)["initialAmount"] for r in fake.requests if r.content] == [
        1000,
        1234,
        5,
    ]
    assert payengine.get_payment(payment.id).captured == Money("0.05", "EUR")


def raw(fake: FakePayEngine, method: str, path: str, body: Any = None) -> httpx.Response:
    with httpx.Client(transport=fake.transport(), base_url=SANDBOX_URL) as client:
        return client.request(method, path, json=body, auth=(fake.merchant_id, fake.api_key))


def order_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "initialAmount": 100,
        "currency": "EUR",
        "transactionType": "PREAUTH",
        "async": {
            "successUrl": "https://shop.example/ok",
            "failureUrl": "https://shop.example/ok",
            "cancelUrl": "https://shop.example/ok",
        },
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (order_body(initialAmount=None), 12200),
        (order_body(initialAmount=1.5), 12201),
        (order_body(initialAmount=0), 12201),
        (order_body(initialAmount="100"), 12201),
        (order_body(currency=None), 12202),
        (order_body(currency="XYZ"), 12203),
        (order_body(**{"async": None}), 12204),
        (order_body(**{"async": {"failureUrl": "https://a.example", "cancelUrl": "x"}}), 12205),
        (order_body(transactionType="SALE"), 12212),
        (order_body(description="x" * 129), 12217),
    ],
)
def test_fake_validates_orders_like_payengine(
    fake: FakePayEngine, body: dict[str, Any], code: int
) -> None:
    response = raw(fake, "POST", "/orders", body)
    assert response.status_code == 400
    assert response.json()["elements"][0]["code"] == code
    assert response.json()["globalTrackId"]
    assert not fake.orders


def test_fake_requires_the_merchant_credentials(fake: FakePayEngine) -> None:
    with httpx.Client(transport=fake.transport()) as client:
        response = client.get(f"{SANDBOX_URL}/orders", auth=(fake.merchant_id, "wrong"))
    assert response.status_code == 401


def test_provider_codes_reach_the_caller(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    with pytest.raises(InvalidRequestError) as caught:
        payengine.capture(payment.id, Money("10.01", "EUR"))
    assert caught.value.code == "12201"
    assert caught.value.request_id
    assert caught.value.status_code == 400
    with pytest.raises(InvalidRequestError) as unknown:
        payengine.get_payment("order_missing")
    assert unknown.value.code == "12101"


def test_declined_card_is_a_failed_payment(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    payment = payengine.create_payment(request())
    fake.decline(payment.id)
    assert payengine.get_payment(payment.id).status is PaymentStatus.FAILED
    with pytest.raises(InvalidRequestError):
        payengine.capture(payment.id)


def test_declined_capture_is_a_declined_payment(fake: FakePayEngine) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        response = fake(request)
        if request.url.path.endswith("/capture"):
            return httpx.Response(200, json={**response.json(), "status": "DECLINED"})
        return response

    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=httpx.MockTransport(handler))
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    with pytest.raises(PaymentDeclinedError) as caught:
        payengine.capture(payment.id)
    assert caught.value.code == "DECLINED"


def test_capture_in_parts_then_cancel_the_rest(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    payengine.capture(payment.id, Money("3.00", "EUR"))
    payengine.capture(payment.id, Money("2.00", "EUR"))
    rest = payengine.cancel(payment.id)
    assert rest.status is PaymentStatus.PAID
    assert fake.orders[payment.id]["canceledAmount"] == 500
    refunded = payengine.refund(payment.id, Money("4.00", "EUR"), reason="Goodwill")
    assert refunded.refunded == Money("4.00", "EUR")
    assert len(refunded.refunds) == 2  # spans both captures
    assert payengine.refund(payment.id).status is PaymentStatus.REFUNDED
    with pytest.raises(InvalidRequestError):
        payengine.capture(payment.id)


def test_debit_payments_cannot_be_captured_or_cancelled(fake: FakePayEngine) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport(),
                          transaction_type="DEBIT")  # fmt: skip
    payment = payengine.create_payment(request())
    fake.approve(payment.id)
    assert payengine.get_payment(payment.id).status is PaymentStatus.PAID
    for call in (payengine.capture, payengine.cancel):
        with pytest.raises(UnsupportedOperationError):
            call(payment.id)
    assert payengine.refund(payment.id).status is PaymentStatus.REFUNDED


@pytest.mark.parametrize("bad_id", ["../health", "o?x=1", "", "a/b", "ä"])
def test_ids_cannot_reach_other_routes(fake: FakePayEngine, bad_id: str) -> None:
    payengine = PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    for call in (payengine.get_payment, payengine.capture, payengine.refund, payengine.cancel):
        with pytest.raises(InvalidRequestError):
            call(bad_id)
    assert not fake.requests


def test_credentials_never_leak(fake: FakePayEngine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret = "very-secret-api-key"
    payengine = PayEngine(fake.merchant_id, secret, transport=fake.transport(), **NO_WAIT)
    fake.inject(FaultKind.ERROR, status=500)
    with pytest.raises(AuthenticationError) as caught:
        payengine.create_payment(request())
    assert caplog.records
    basic = base64.b64encode(f"{fake.merchant_id}:{secret}".encode()).decode()
    for text in (str(caught.value), repr(caught.value), repr(payengine), caplog.text):
        assert secret not in text
        assert basic not in text


def test_arguments_are_validated() -> None:
    for options in (
        {"environment": "prod"},
        {"transaction_type": "SALE"},
        {"products": ["cash"]},
        {"payment_page_url": "https://pay.example/"},
    ):
        with pytest.raises(ValidationError):
            PayEngine("m", "k", **options)
    with pytest.raises(ValidationError):
        PayEngine("", "k")


def test_order_list_and_bare_order_read_alike() -> None:
    order = {
        "orderId": "o1",
        "initialAmount": 1000,
        "capturedAmount": 1000,
        "refundedAmount": 250,
        "currency": "EUR",
        "status": "OPEN",
        "transactions": [
            {"type": "PREAUTH", "transactionId": "t1", "status": "SUCCESS"},
            {"type": "CAPTURE", "transactionId": "t2", "status": "SUCCESS"},
            {"type": "REFUND", "transactionId": "t3", "status": "DECLINED", "initialAmount": 1},
            {"type": "REFUND", "transactionId": "t4", "status": "SUCCESS", "initialAmount": 250},
        ],
    }
    payment = order_to_payment(order)
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert [r.id for r in payment.refunds] == ["t4"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"elements": [order], "totalPages": 1})

    payengine = PayEngine("m", "k", transport=httpx.MockTransport(handler))
    assert payengine.get_payment("o1") == payment


# -- async ---------------------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakePayEngine) -> None:
    async def flow() -> list[PaymentStatus]:
        async with AsyncPayEngine(fake.merchant_id, fake.api_key, transport=fake.transport(),
                                  notification_url=fake.notification_url) as payengine:  # fmt: skip
            payment = await payengine.create_payment(request())
            fake.approve(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
            captured = await payengine.capture(payment.id, Money("4.00", "EUR"))
            fake.inject(FaultKind.LOSE_RESPONSE, path="/refund")
            refunded = await payengine.refund(payment.id)
            events = [await payengine.parse_webhook(h, b) for h, b in fake.webhooks()]
            assert {e.status for e in events} == {PaymentStatus.REFUNDED}
            cancelled = await payengine.cancel(payment.id)
            return [payment.status, captured.status, refunded.status, cancelled.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PAID,
        PaymentStatus.REFUNDED,
        PaymentStatus.REFUNDED,
    ]
    kinds = [t["type"] for t in fake.transactions.values()]
    assert kinds.count("CAPTURE") == 1
    assert kinds.count("REFUND") == 1


def test_clients_satisfy_the_protocols(fake: FakePayEngine) -> None:
    with PayEngine(fake.merchant_id, fake.api_key, transport=fake.transport()) as payengine:
        assert isinstance(payengine, PaymentProvider)
    asynchronous = AsyncPayEngine(fake.merchant_id, fake.api_key, transport=fake.transport())
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())


# -- a lost create, read back from a list the specification does not let us filter -------------

SPEC_FILE = Path(__file__).resolve().parents[1] / "data" / "payengine" / "public.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(
        SPEC_FILE.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    return loaded


def spec_valid(spec: dict[str, Any], definition: str, instance: object) -> None:
    """Raise unless ``instance`` is a valid ``#/definitions/<definition>`` of the spec."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": spec["definitions"]}
    jsonschema.Draft4Validator(schema).validate(instance)


def other_buyers_order(number: int) -> dict[str, Any]:
    return {
        "orderId": f"1580000000000{number}",
        "merchantOrderId": f"SHOP-{number}",
        "source": f"someone-else-{number}",
        "initialAmount": 2500,
        "preauthorizedAmount": 2500,
        "capturedAmount": 2500,
        "refundedAmount": 1,
        "canceledAmount": 1,
        "currency": "EUR",
        "transactions": [],
        "status": "CLOSED",
        "channel": "ECOM",
        "createdAt": 1580000000000,
        "modifiedAt": 1580000000000,
    }


class LosingPayEngine:
    """PayEngine answering ``GET /orders`` with ``listed(source)``; each order create is
    carried out and its answer lost (a read timeout)."""

    def __init__(self, listed: Callable[[str], list[dict[str, Any]]]) -> None:
        self.listed = listed
        self.creates: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/orders":
            self.creates.append(json.loads(request.content))
            raise httpx.ReadTimeout("answer lost", request=request)
        if request.method == "GET" and request.url.path == "/v1/orders":
            elements = self.listed(request.url.params["source"])
            return httpx.Response(200, json={"elements": elements, "totalPages": 1})
        return httpx.Response(404, json={})


def losing_client(server: LosingPayEngine) -> PayEngine:
    transport = httpx.MockTransport(server)
    return PayEngine("merchant_1", "key", transport=transport, **NO_WAIT)


def test_the_specification_declares_no_filter_on_the_order_list(spec: dict[str, Any]) -> None:
    # Source: concardis/Docs assets/redoc/public.yaml (tests/data/payengine): GET /orders names
    # ``source`` among its filters in prose only and declares no parameter, so its syntax is
    # not specified and a server may answer with the merchant's whole order list.
    listing = spec["paths"]["/orders"]["get"]
    assert listing["parameters"] == []
    assert "- source" in listing["description"]
    spec_valid(spec, "OrderList", {"elements": [other_buyers_order(1)], "totalPages": 1})


def test_a_lost_create_is_never_matched_to_another_buyers_order(spec: dict[str, Any]) -> None:
    others = [other_buyers_order(1), other_buyers_order(2)]
    server = LosingPayEngine(lambda source: others)  # the filter was not applied
    payengine = losing_client(server)
    with pytest.raises(OutcomeUnknownError) as caught:
        payengine.create_payment(request())
    error = caught.value
    assert len(server.creates) == 1  # not sent again: it may have created an order
    assert error.operation == "create_payment"
    assert error.lookup == {"source": server.creates[0]["source"], "merchantOrderId": "INV-1"}
    assert isinstance(error, ProviderError)
    assert pickle.loads(pickle.dumps(error)).lookup == error.lookup
    spec_valid(spec, "OrderCreateRequest", server.creates[0])


def test_a_lost_create_is_found_by_its_key_wherever_it_is_listed(spec: dict[str, Any]) -> None:
    def listed(source: str) -> list[dict[str, Any]]:
        ours = {**other_buyers_order(9), "source": source, "merchantOrderId": "INV-1"}
        return [other_buyers_order(1), ours, other_buyers_order(2)]

    spec_valid(spec, "OrderList", {"elements": listed("k"), "totalPages": 1})
    payment = losing_client(LosingPayEngine(listed)).create_payment(request())
    assert payment.id == "15800000000009"


def test_a_lost_create_is_sent_again_when_no_order_carries_its_key() -> None:
    server = LosingPayEngine(lambda source: [])
    with pytest.raises(ProviderUnavailableError):  # every answer lost: gives up in the end
        losing_client(server).create_payment(request())
    assert len(server.creates) > 1
    assert len({body["source"] for body in server.creates}) == 1
