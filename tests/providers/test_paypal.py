from __future__ import annotations

import asyncio
import base64
import json
import time
from contextlib import ExitStack
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from payportal import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
    RetryPolicy,
)
from payportal.providers.paypal import LIVE_URL, SANDBOX_URL, AsyncPayPal, PayPal, format_amount
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_paypal import FakePayPal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NO_WAIT = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def request(amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference="INV-1",
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
    )


@pytest.fixture
def fake() -> FakePayPal:
    return FakePayPal()


def connect(fake: FakePayPal, mode: str, stack: ExitStack, **options: Any) -> PayPal:
    """A PayPal client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {
        "webhook_id": fake.webhook_id,
        "webhook_trust_roots": fake.trust_roots,
        **NO_WAIT,
        **options,
    }
    if mode == "loopback":
        base_url = stack.enter_context(fake.serve())
        options.update(base_url=base_url, cert_fetcher=fake.fetch_cert)
    else:
        options.update(transport=fake.transport())
    return stack.enter_context(PayPal(fake.client_id, fake.client_secret, **options))


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


class TestPayPalCaptureContract(ProviderContract):
    @pytest.fixture
    def provider(self, fake: FakePayPal, mode: str, stack: ExitStack) -> PayPal:
        return connect(fake, mode, stack)

    @pytest.fixture
    def approve(self, fake: FakePayPal) -> Callable[[str], None]:
        return fake.approve

    @pytest.fixture
    def webhooks(self, fake: FakePayPal) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return fake.webhooks


class TestPayPalAuthorizeContract(TestPayPalCaptureContract):
    @pytest.fixture
    def provider(self, fake: FakePayPal, mode: str, stack: ExitStack) -> PayPal:
        return connect(fake, mode, stack, intent="AUTHORIZE")


# -- fault injection: every retry is a no-op at PayPal --------------------------------------


def test_create_retried_after_a_lost_answer_creates_one_order(
    fake: FakePayPal, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/v2/checkout/orders", method="POST")
    payment = paypal.create_payment(request())
    assert list(fake.orders) == [payment.id]
    sent = [r for r in fake.requests if r.url.path == "/v2/checkout/orders"]
    assert len(sent) == 2
    assert sent[0].headers["PayPal-Request-Id"] == sent[1].headers["PayPal-Request-Id"]


def test_capture_timeout_after_acceptance_never_captures_twice(
    fake: FakePayPal, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
    captured = paypal.capture(payment.id)
    assert captured.status is PaymentStatus.PAID
    assert len(fake.captures) == 1
    assert captured.captured == Money("10.00", "EUR")


def test_authorized_capture_timeout_never_captures_twice(
    fake: FakePayPal, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack, intent="AUTHORIZE")
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/authorize")
    fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
    captured = paypal.capture(payment.id, Money("3.00", "EUR"))
    assert captured.captured == Money("3.00", "EUR")
    assert len(fake.authorizations) == 1
    assert len(fake.captures) == 1


def test_an_authorization_cannot_be_captured_after_its_29_days() -> None:
    now = [time.time()]
    fake = FakePayPal(clock=lambda: now[0])
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                    intent="AUTHORIZE", **NO_WAIT)  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id, Money("3.00", "EUR"))  # authorizes, captures a part
    now[0] += timedelta(days=29, minutes=1).total_seconds()
    with pytest.raises(InvalidRequestError) as expired:
        paypal.capture(payment.id, Money("2.00", "EUR"))
    assert expired.value.code == "AUTHORIZATION_EXPIRED"
    assert paypal.get_payment(payment.id).captured == Money("3.00", "EUR")


def test_the_fake_keeps_typed_resources_whose_wire_view_is_what_the_api_answers() -> None:
    now = [1_700_000_000.0]
    fake = FakePayPal(clock=lambda: now[0])
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                    intent="AUTHORIZE", **NO_WAIT)  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id, Money("3.00", "EUR"))
    paypal.refund(payment.id, Money("1.00", "EUR"))
    order = fake.orders[payment.id]
    (authorization,) = fake.authorizations.values()
    (capture,) = fake.captures.values()
    (refund,) = fake.refunds.values()
    assert (order.status, order.amount, order["purchase_units"][0]["amount"]) == (
        "COMPLETED", Money("10.00", "EUR"), {"currency_code": "EUR", "value": "10.00"}
    )  # fmt: skip
    assert (authorization.status, capture.status, refund.amount) == (
        "PARTIALLY_CAPTURED", "PARTIALLY_REFUNDED", Money("1.00", "EUR")
    )  # fmt: skip
    with httpx.Client(transport=fake.transport(), base_url="https://api.sandbox.paypal.com") as c:
        grant = {"grant_type": "client_credentials"}
        answer = c.post("/v1/oauth2/token", auth=(fake.client_id, fake.client_secret), data=grant)
        token = answer.json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        for kind, item in (("authorizations", authorization), ("captures", capture),
                           ("refunds", refund)):  # fmt: skip
            shown = c.get(f"/v2/payments/{kind}/{item.id}", headers=bearer).json()
            assert shown == item.wire()
            assert not [key for key in shown if key.startswith("_")]
        shown_order = c.get(f"/v2/checkout/orders/{order.id}", headers=bearer).json()
    payments = shown_order["purchase_units"][0].pop("payments")
    assert shown_order == order.wire()
    assert [p["id"] for p in payments["captures"]] == [capture.id]
    # The authorization period on the fake's clock: open for exactly 29 days.
    now[0] += timedelta(days=29).total_seconds()
    assert not authorization.expired(fake.now())
    assert paypal.capture(payment.id, Money("1.00", "EUR")).captured == Money("4.00", "EUR")
    now[0] += 1
    assert authorization.expired(fake.now())


def test_a_capture_cannot_be_refunded_after_180_days() -> None:
    now = [time.time()]
    fake = FakePayPal(clock=lambda: now[0])
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(), **NO_WAIT)
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    now[0] += timedelta(days=179).total_seconds()
    paypal.refund(payment.id, Money("1.00", "EUR"))
    now[0] += timedelta(days=2).total_seconds()
    with pytest.raises(InvalidRequestError) as late:
        paypal.refund(payment.id, Money("1.00", "EUR"))
    assert late.value.code == "REFUND_TIME_LIMIT_EXCEEDED"
    assert paypal.get_payment(payment.id).refunded == Money("1.00", "EUR")


def test_refund_retried_after_errors_refunds_once(
    fake: FakePayPal, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/refund")
    fake.inject(FaultKind.ERROR, path="/refund", status=503, retry_after="0")
    fake.inject(FaultKind.DROP, path="/refund")
    refunded = paypal.refund(payment.id, Money("4.00", "EUR"))
    assert refunded.refunded == Money("4.00", "EUR")
    assert len(fake.refunds) == 1
    keys = {r.headers["PayPal-Request-Id"] for r in fake.requests if r.url.path.endswith("/refund")}
    assert len(keys) == 1


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakePayPal, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    fake.inject(FaultKind.ERROR, path="/v2/checkout/orders", status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        paypal.create_payment(request())
    assert caught.value.status_code == 503
    assert caught.value.request_id
    assert len([r for r in fake.requests if r.url.path == "/v2/checkout/orders"]) == 3


def test_rate_limit_waits_as_told(fake: FakePayPal) -> None:
    slept: list[float] = []
    paypal = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(), sleep=slept.append
    )
    fake.inject(FaultKind.ERROR, path="/v2/checkout/orders", status=429, retry_after="3")
    assert paypal.create_payment(request()).status is PaymentStatus.CREATED
    assert slept == [3.0]


def test_slow_answer_is_waited_for(fake: FakePayPal, mode: str, stack: ExitStack) -> None:
    paypal = connect(fake, mode, stack)
    fake.inject(FaultKind.DELAY, delay=0.01)
    assert paypal.create_payment(request()).status is PaymentStatus.CREATED


# -- authentication ---------------------------------------------------------------------------


def test_token_is_cached_and_refreshed_once_revoked(fake: FakePayPal) -> None:
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    payment = paypal.create_payment(request())
    paypal.get_payment(payment.id)
    assert len(fake.tokens) == 1
    fake.expire_tokens()
    assert paypal.get_payment(payment.id).id == payment.id
    assert len(fake.tokens) == 1
    token_calls = [r for r in fake.requests if r.url.path == "/v1/oauth2/token"]
    assert len(token_calls) == 2


def test_token_expiry_is_respected() -> None:
    fake = FakePayPal()
    now = [1_000_000.0]
    paypal = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(), wall_clock=lambda: now[0]
    )
    paypal.create_payment(request())
    now[0] += 32400
    paypal.create_payment(request())
    assert len([r for r in fake.requests if r.url.path == "/v1/oauth2/token"]) == 2


def test_bad_credentials_never_leak(fake: FakePayPal) -> None:
    secret = "very-secret-value"
    paypal = PayPal(fake.client_id, secret, transport=fake.transport())
    with pytest.raises(AuthenticationError) as caught:
        paypal.create_payment(request())
    assert caught.value.code == "invalid_client"
    for text in (str(caught.value), repr(caught.value), repr(paypal)):
        assert secret not in text
        assert base64.b64encode(f"{fake.client_id}:{secret}".encode()).decode() not in text


def test_base_urls() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.copy_with(path="/")))
        return httpx.Response(401, json={"error": "invalid_client"})

    for environment in ("sandbox", "live"):
        paypal = PayPal(
            "id", "secret", environment=environment, transport=httpx.MockTransport(handler)
        )  # type: ignore[arg-type]
        with pytest.raises(AuthenticationError):
            paypal.get_payment("ORDER1")
    assert seen == [SANDBOX_URL + "/", LIVE_URL + "/"]


# -- wire format --------------------------------------------------------------------------------


def test_amounts_are_strings_with_the_currency_decimals(fake: FakePayPal) -> None:
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    paypal.create_payment(request("1000", "JPY"))
    paypal.create_payment(request("1.5", "EUR"))
    bodies = [json.loads(r.content) for r in fake.requests if r.url.path == "/v2/checkout/orders"]
    assert [b["purchase_units"][0]["amount"] for b in bodies] == [
        {"currency_code": "JPY", "value": "1000"},
        {"currency_code": "EUR", "value": "1.50"},
    ]
    assert format_amount(Money("1.234", "KWD")) == {"currency_code": "KWD", "value": "1.234"}


def raw(
    fake: FakePayPal, method: str, path: str, body: Any = None, auth: bool = True
) -> httpx.Response:
    with httpx.Client(transport=fake.transport(), base_url=SANDBOX_URL) as client:
        headers = {}
        if auth:
            token = client.post(
                "/v1/oauth2/token",
                auth=(fake.client_id, fake.client_secret),
                data={"grant_type": "client_credentials"},
            ).json()["access_token"]
            headers["Authorization"] = f"Bearer {token}"
        return client.request(method, path, json=body, headers=headers)


def order(intent: str | None, currency: str, value: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "purchase_units": [{"amount": {"currency_code": currency, "value": value}}]
    }
    if intent is not None:
        body["intent"] = intent
    return body


@pytest.mark.parametrize(
    ("body", "status", "issue"),
    [
        (order(None, "EUR", "1.00"), 400, "MISSING_REQUIRED_PARAMETER"),
        (order("SALE", "EUR", "1.00"), 400, "INVALID_PARAMETER_VALUE"),
        ({"intent": "CAPTURE"}, 400, "MISSING_REQUIRED_PARAMETER"),
        (order("CAPTURE", "EUR", "1.001"), 422, "DECIMAL_PRECISION"),
        (order("CAPTURE", "JPY", "1.5"), 422, "DECIMAL_PRECISION"),
        (order("CAPTURE", "EUR", 1.0), 400, "INVALID_PARAMETER_SYNTAX"),
        (order("CAPTURE", "EUR", "1,00"), 400, "INVALID_PARAMETER_SYNTAX"),
        (order("CAPTURE", "EUR", "0"), 422, "CANNOT_BE_ZERO_OR_NEGATIVE"),
        (order("CAPTURE", "XYZ", "1"), 422, "CURRENCY_NOT_SUPPORTED"),
    ],
)
def test_fake_validates_orders_like_paypal(
    fake: FakePayPal, body: dict[str, Any], status: int, issue: str
) -> None:
    response = raw(fake, "POST", "/v2/checkout/orders", body)
    assert response.status_code == status
    assert response.json()["details"][0]["issue"] == issue
    assert response.json()["debug_id"] == response.headers["PayPal-Debug-Id"]
    assert not fake.orders


def test_fake_requires_a_bearer_token(fake: FakePayPal) -> None:
    response = raw(fake, "GET", "/v2/checkout/orders/X", auth=False)
    assert response.status_code == 401
    assert response.json()["name"] == "AUTHENTICATION_FAILURE"


def test_capture_before_approval_says_order_not_approved(paypal: PayPal) -> None:
    payment = paypal.create_payment(request())
    with pytest.raises(InvalidRequestError) as caught:
        paypal.capture(payment.id)
    assert caught.value.code == "ORDER_NOT_APPROVED"
    assert caught.value.status_code == 422


def test_declined_funding_is_a_declined_payment(paypal: PayPal, fake_paypal: FakePayPal) -> None:
    payment = paypal.create_payment(request())
    fake_paypal.approve(payment.id)
    fake_paypal.decline(payment.id)
    with pytest.raises(PaymentDeclinedError) as caught:
        paypal.capture(payment.id)
    assert caught.value.code == "INSTRUMENT_DECLINED"
    assert paypal.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


def test_partial_capture_needs_intent_authorize(paypal: PayPal, fake_paypal: FakePayPal) -> None:
    payment = paypal.create_payment(request())
    fake_paypal.approve(payment.id)
    with pytest.raises(UnsupportedOperationError):
        paypal.capture(payment.id, Money("1.00", "EUR"))
    assert paypal.capture(payment.id, Money("10.00", "EUR")).status is PaymentStatus.PAID


def test_authorize_then_capture_in_parts(fake: FakePayPal) -> None:
    paypal = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(), intent="AUTHORIZE"
    )
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    assert paypal.capture(payment.id, Money("3.00", "EUR")).captured == Money("3.00", "EUR")
    final = paypal.capture(payment.id)
    assert final.captured == Money("10.00", "EUR")
    refunded = paypal.refund(payment.id, Money("5.00", "EUR"))  # spans both captures
    assert refunded.refunded == Money("5.00", "EUR")
    assert len(fake.refunds) == 2
    assert paypal.refund(payment.id).status is PaymentStatus.REFUNDED


# -- webhooks ----------------------------------------------------------------------------------


def paid_with_webhooks(paypal: PayPal, fake: FakePayPal) -> list[tuple[dict[str, str], bytes]]:
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    return fake.webhooks()


def test_offline_verification_reads_the_event(fake: FakePayPal) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return fake.fetch_cert(url)

    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                    webhook_id=fake.webhook_id, cert_fetcher=fetch,
                    webhook_trust_roots=fake.trust_roots)  # fmt: skip
    approved, captured = paid_with_webhooks(paypal, fake)
    event = paypal.parse_webhook(*captured)
    assert event.type == "PAYMENT.CAPTURE.COMPLETED"
    assert event.status is PaymentStatus.PAID
    assert event.payment_id == next(iter(fake.orders))
    assert paypal.parse_webhook(*approved).status is PaymentStatus.AUTHORIZED
    assert fetched == [fake.cert_url]  # fetched once, then cached


def test_certificate_is_fetched_through_the_client_by_default(
    paypal: PayPal, fake_paypal: FakePayPal
) -> None:
    for headers, body in paid_with_webhooks(paypal, fake_paypal):
        paypal.parse_webhook(headers, body)
    cert_requests = [r for r in fake_paypal.requests if "/certs/" in r.url.path]
    assert len(cert_requests) == 1
    assert "Authorization" not in cert_requests[0].headers


def test_certificates_are_only_taken_from_paypal(paypal: PayPal, fake_paypal: FakePayPal) -> None:
    headers, body = paid_with_webhooks(paypal, fake_paypal)[0]
    for url in ("https://evil.example/cert.pem", "http://api.paypal.com/cert",
                "https://paypal.com.evil.example/c"):  # fmt: skip
        with pytest.raises(WebhookVerificationError):
            paypal.parse_webhook({**headers, "PAYPAL-CERT-URL": url}, body)
    assert not [r for r in fake_paypal.requests if r.url.host.endswith("example")]


def test_wrong_webhook_id_or_signature_is_refused(fake: FakePayPal) -> None:
    paypal = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(), webhook_id="WH-OTHER",
        webhook_trust_roots=fake.trust_roots,
    )  # fmt: skip
    headers, body = paid_with_webhooks(paypal, fake)[0]
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(headers, body)
    right = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(),
        webhook_id=fake.webhook_id, webhook_trust_roots=fake.trust_roots,
    )  # fmt: skip
    right.parse_webhook(headers, body)
    for bad in ("not base64!", base64.b64encode(b"x" * 256).decode()):
        with pytest.raises(WebhookVerificationError):
            right.parse_webhook({**headers, "PAYPAL-TRANSMISSION-SIG": bad}, body)
    with pytest.raises(WebhookVerificationError):
        right.parse_webhook({**headers, "PAYPAL-AUTH-ALGO": "SHA1withRSA"}, body)


def test_old_transmissions_are_refused_when_a_tolerance_is_set(fake: FakePayPal) -> None:
    now = [0.0]
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                    webhook_id=fake.webhook_id, webhook_tolerance=timedelta(minutes=5),
                    webhook_trust_roots=fake.trust_roots,
                    wall_clock=lambda: now[0])  # fmt: skip
    now[0] = time.time()
    headers, body = paid_with_webhooks(paypal, fake)[0]
    paypal.parse_webhook(headers, body)
    now[0] += 3600
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(headers, body)


def test_duplicate_webhooks_carry_the_same_event_id(fake: FakePayPal) -> None:
    fake.duplicate_webhooks = True
    paypal = PayPal(
        fake.client_id, fake.client_secret, transport=fake.transport(),
        webhook_id=fake.webhook_id, webhook_trust_roots=fake.trust_roots,
    )  # fmt: skip
    delivered = paid_with_webhooks(paypal, fake)
    events = [paypal.parse_webhook(h, b) for h, b in delivered]
    assert len(events) == 2 * len({e.id for e in events})
    assert len(fake.captures) == 1  # parsing changes nothing at the provider


def test_api_verification(fake: FakePayPal) -> None:
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                    webhook_id=fake.webhook_id, webhook_verification="api")  # fmt: skip
    headers, body = paid_with_webhooks(paypal, fake)[-1]
    assert paypal.parse_webhook(headers, body).type == "PAYMENT.CAPTURE.COMPLETED"
    assert any(r.url.path == "/v1/notifications/verify-webhook-signature" for r in fake.requests)
    forged = json.dumps({**json.loads(body), "event_type": "PAYMENT.CAPTURE.REFUNDED"}).encode()
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(headers, forged)


def test_webhooks_need_a_webhook_id(fake: FakePayPal) -> None:
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    assert not paypal.capabilities.webhook_signatures
    with pytest.raises(UnsupportedOperationError):
        paypal.parse_webhook({}, b"{}")


# -- async ------------------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakePayPal) -> None:
    async def flow() -> list[PaymentStatus]:
        async with AsyncPayPal(
            fake.client_id, fake.client_secret, transport=fake.transport(),
            intent="AUTHORIZE", webhook_id=fake.webhook_id,
            webhook_trust_roots=fake.trust_roots,
        ) as paypal:  # fmt: skip
            payment = await paypal.create_payment(request())
            fake.approve(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, path="/capture")
            captured = await paypal.capture(payment.id, Money("4.00", "EUR"))
            refunded = await paypal.refund(payment.id)
            events = [await paypal.parse_webhook(h, b) for h, b in fake.webhooks()]
            assert events
            return [payment.status, captured.status, refunded.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PAID,
        PaymentStatus.REFUNDED,
    ]
    assert len(fake.captures) == 1


def test_async_cancel_voids_the_authorization(fake: FakePayPal) -> None:
    async def flow() -> PaymentStatus:
        async with AsyncPayPal(fake.client_id, fake.client_secret, transport=fake.transport(),
                               intent="AUTHORIZE") as paypal:  # fmt: skip
            payment = await paypal.create_payment(request())
            fake.approve(payment.id)
            return (await paypal.cancel(payment.id)).status

    assert asyncio.run(flow()) is PaymentStatus.CANCELLED
    assert [a["status"] for a in fake.authorizations.values()] == ["VOIDED"]


@pytest.mark.parametrize("bad_id", ["../oauth2/token", "A?x=1", "", "A/B"])
def test_ids_cannot_reach_other_routes(
    paypal: PayPal, fake_paypal: FakePayPal, bad_id: str
) -> None:
    before = len(fake_paypal.requests)
    for call in (paypal.get_payment, paypal.capture, paypal.refund):
        with pytest.raises(InvalidRequestError):
            call(bad_id)
    assert len(fake_paypal.requests) == before


def test_logs_never_carry_credentials(fake: FakePayPal, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport(), **NO_WAIT)
    fake.inject(FaultKind.ERROR, status=500, times=2)
    fake.inject(FaultKind.DROP)
    paypal.create_payment(request())
    assert caplog.records  # the retries were logged...
    token = next(iter(fake.tokens))
    for secret in (fake.client_secret, token):
        assert secret not in caplog.text  # ...without secrets


def test_clients_satisfy_the_protocols(fake: FakePayPal) -> None:
    with PayPal(fake.client_id, fake.client_secret, transport=fake.transport()) as paypal:
        assert isinstance(paypal, PaymentProvider)
    asynchronous = AsyncPayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())


def test_whole_unit_currencies_refuse_fractions(paypal: PayPal, fake_paypal: FakePayPal) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        paypal.create_payment(request("10.50", "HUF"))
    assert caught.value.code == "DECIMALS_NOT_SUPPORTED"
    assert not fake_paypal.requests  # refused before anything was sent
    payment = paypal.create_payment(request("10.00", "HUF"))
    assert payment.amount == Money("10.00", "HUF")
    response = raw(fake_paypal, "POST", "/v2/checkout/orders", order("CAPTURE", "TWD", "1.50"))
    assert response.json()["details"][0]["issue"] == "DECIMAL_PRECISION"
