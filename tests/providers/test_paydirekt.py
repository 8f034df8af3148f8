from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from payportal import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    Payment,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
    RetryPolicy,
)
from payportal.providers.paydirekt import (
    CHECKOUTS_PATH,
    LIVE_URL,
    SANDBOX_URL,
    TOKEN_PATH,
    AsyncPaydirekt,
    Paydirekt,
    PaydirektWire,
    auth_code,
    hashed_email,
    x_date,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_paydirekt import FakePaydirekt

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}
PAYER = {"addresseeGivenName": "Hermann", "addresseeLastName": "Meyer"}

# The signature vector both public paydirekt SDKs test against.
VECTOR = {
    "request_id": "f3fea5f3-60af-496f-ac3e-dbb10924e87a",
    "timestamp": "20160201094942",
    "api_key": "e81d298b-60dd-4f46-9ec9-1dbc72f5b5df",
    "api_secret": "JrXRHCnUegQJAYSJ5J6OvEuOUOpy2q2-MHPoH_IECRY=",
    "nonce": "Qg5f0Q3ly1Cwh5M9zcw57jwHI_HPoKbjdHLurXGpPg0yazdC6OWPpwnYi22bnB6S",
}
EXPECTED_AUTH_CODE = "ps9MooGiTeTXIkPkUWbHG4rlF3wuTJuZ9qcMe-Y41xE="
TEXT_KEYED_AUTH_CODE = "QYdICndl1kXD475O-RErcOSOoLPY4OwId6a23aJisdM="


def request(amount: str = "10.00", currency: str = "EUR", **fields: Any) -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference="INV-1",
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
        metadata=PAYER,
        **fields,
    )


def build(fake: FakePaydirekt, **options: Any) -> Paydirekt:
    """A client for ``fake`` (in-process unless options say otherwise), warning expected."""
    options = {**NO_WAIT, **options}
    if "base_url" not in options and "client" not in options:
        options.setdefault("transport", fake.transport())
    with pytest.deprecated_call():
        return Paydirekt(fake.api_key, fake.api_secret, **options)


@pytest.fixture
def fake() -> FakePaydirekt:
    return FakePaydirekt()


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(fake: FakePaydirekt, mode: str, stack: ExitStack, **options: Any) -> Paydirekt:
    """A client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    if mode == "loopback":
        options["base_url"] = stack.enter_context(fake.serve())
    return stack.enter_context(build(fake, **options))


@pytest.fixture
def paydirekt(fake: FakePaydirekt) -> Iterator[Paydirekt]:
    with build(fake) as client:
        yield client


# -- the signature ------------------------------------------------------------------------------


def test_auth_code_matches_the_sdk_test_vector() -> None:
    assert auth_code(**VECTOR) == EXPECTED_AUTH_CODE


def test_auth_code_is_keyed_with_the_decoded_secret_not_its_text() -> None:
    message = ":".join(VECTOR[k] for k in ("request_id", "timestamp", "api_key", "nonce")).encode()
    text_keyed = hmac.new(VECTOR["api_secret"].encode(), message, hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(text_keyed).decode() == TEXT_KEYED_AUTH_CODE
    assert auth_code(**VECTOR) != TEXT_KEYED_AUTH_CODE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("request_id", "f3fea5f3-60af-496f-ac3e"),
        ("api_key", "not-a-uuid"),
        ("timestamp", "20141232235859"),  # 32 December
        ("timestamp", "2016020109494"),
        ("nonce", "Qg5f0Q3ly1Cwh5M9+cw57jwHI"),
        ("nonce", "Qg5f0Q3ly1Cwh5M9/cw57jwHI"),
        ("nonce", "short"),
        ("nonce", "123456789"),  # one short of the ten paydirekt wants
        ("nonce", "x" * 65),
        ("api_secret", "c29tZXRleHQ="),  # decodes to 8 bytes
        ("api_secret", "not base64!"),
    ],
)
def test_auth_code_refuses_malformed_inputs(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        auth_code(**{**VECTOR, field: value})
    assert caught.value.field == field
    assert VECTOR["api_secret"] not in str(caught.value)


def test_hashed_email_matches_the_sdk_vector() -> None:
    assert hashed_email("max@muster.de") == "6JL4VUgVxkq2m+a9I6ScfW2ofJP5y6wsvSaHIsX+iLs="


def test_token_request_carries_the_signed_headers() -> None:
    instant = datetime(2016, 2, 1, 9, 49, 42, tzinfo=UTC).timestamp()
    fake = FakePaydirekt(clock=lambda: instant)
    client = build(fake, wall_clock=lambda: instant, nonce=lambda: VECTOR["nonce"])
    client.create_payment(request())
    token_request = fake.requests[0]
    headers = token_request.headers
    assert token_request.url.path == TOKEN_PATH
    assert headers["X-Date"] == "Mon, 01 Feb 2016 09:49:42 GMT"
    assert headers["X-Auth-Key"] == fake.api_key
    expected = auth_code(
        headers["X-Request-ID"], "20160201094942", fake.api_key, fake.api_secret, VECTOR["nonce"]
    )
    assert headers["X-Auth-Code"] == expected
    assert headers["Content-Type"] == "application/hal+json;charset=utf-8"
    assert json.loads(token_request.content) == {
        "grantType": "api_key",
        "randomNonce": VECTOR["nonce"],
    }
    assert fake.api_secret not in str(token_request.headers) + token_request.content.decode()


def test_x_date_is_rfc_1123_gmt() -> None:
    assert x_date(datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)) == (
        "Tue, 31 Dec 2024 23:59:59 GMT"
    )


# -- deprecation --------------------------------------------------------------------------------


def test_constructing_a_client_warns_that_paydirekt_is_deprecated(fake: FakePaydirekt) -> None:
    with pytest.warns(DeprecationWarning, match="ended service") as caught:
        Paydirekt(fake.api_key, fake.api_secret, transport=fake.transport()).close()
    assert caught[0].filename == __file__  # the warning points at the caller's line
    with pytest.deprecated_call():
        asynchronous = AsyncPaydirekt(fake.api_key, fake.api_secret, transport=fake.transport())
    asyncio.run(asynchronous.aclose())


# -- the contract -------------------------------------------------------------------------------


class TestPaydirektOrderContract(ProviderContract):
    notifications_read_back = True

    def make_request(self, amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
        return PaymentRequest(
            amount=Money(amount, currency),
            reference="CONTRACT-1",
            return_url="https://shop.example/return",
            cancel_url="https://shop.example/cancel",
            description="Contract test",
            metadata=PAYER,
        )

    @pytest.fixture
    def provider(self, fake: FakePaydirekt, mode: str, stack: ExitStack) -> Paydirekt:
        return connect(fake, mode, stack, callback_url="https://shop.example/paydirekt")

    @pytest.fixture
    def approve(self, fake: FakePaydirekt) -> Callable[[str], None]:
        return fake.approve

    @pytest.fixture
    def webhooks(self, fake: FakePaydirekt) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return fake.callbacks


class TestPaydirektDirectSaleContract(TestPaydirektOrderContract):
    @pytest.fixture
    def provider(self, fake: FakePaydirekt, mode: str, stack: ExitStack) -> Paydirekt:
        return connect(
            fake,
            mode,
            stack,
            checkout_type="DIRECT_SALE",
            callback_url="https://shop.example/paydirekt",
        )

    def paid(
        self, provider: PaymentProvider, approve: Callable[[str], None], amount: str = "10.00"
    ) -> Payment:
        # A direct sale is paid when the payer approves; there is no capture call.
        payment = provider.create_payment(self.make_request(amount))
        approve(payment.id)
        return provider.get_payment(payment.id)

    def test_direct_sale_is_paid_on_approval(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        payment = self.paid(provider, approve)
        assert payment.status is PaymentStatus.PAID
        assert payment.captured == payment.amount
        with pytest.raises(UnsupportedOperationError):
            provider.capture(payment.id)


# -- fault injection: every retry is a no-op at paydirekt -----------------------------------------


def keys_sent(fake: FakePaydirekt, suffix: str) -> list[str]:
    return [
        r.headers["X-Request-ID"]
        for r in fake.requests
        if r.method == "POST" and r.url.path.endswith(suffix)
    ]


def test_create_retried_after_a_lost_answer_creates_one_checkout(
    fake: FakePaydirekt, mode: str, stack: ExitStack
) -> None:
    client = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path=CHECKOUTS_PATH, method="POST")
    payment = client.create_payment(request())
    assert list(fake.checkouts) == [payment.id]
    keys = keys_sent(fake, CHECKOUTS_PATH)
    assert len(keys) == 2
    assert len(set(keys)) == 1


def test_capture_timeout_after_acceptance_never_captures_twice(
    fake: FakePaydirekt, mode: str, stack: ExitStack
) -> None:
    client = connect(fake, mode, stack)
    payment = client.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/captures")
    captured = client.capture(payment.id, Money("4.00", "EUR"))
    assert captured.captured == Money("4.00", "EUR")
    assert len(fake.checkouts[payment.id]["_captures"]) == 1
    assert len(set(keys_sent(fake, "/captures"))) == 1


def test_refund_retried_after_errors_refunds_once(
    fake: FakePaydirekt, mode: str, stack: ExitStack
) -> None:
    client = connect(fake, mode, stack)
    payment = client.create_payment(request())
    fake.approve(payment.id)
    client.capture(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/refunds")
    fake.inject(FaultKind.ERROR, path="/refunds", status=503, retry_after="0")
    fake.inject(FaultKind.DROP, path="/refunds")
    refunded = client.refund(payment.id, Money("4.00", "EUR"))
    assert refunded.refunded == Money("4.00", "EUR")
    assert len(fake.checkouts[payment.id]["_refunds"]) == 1
    keys = keys_sent(fake, "/refunds")
    assert len(keys) == 4
    assert len(set(keys)) == 1


def test_lost_token_answer_is_retried_without_a_replay_refusal(
    fake: FakePaydirekt, mode: str, stack: ExitStack
) -> None:
    # The resent token request carries the same nonce; paydirekt answers it as a replay of
    # the same X-Request-ID rather than refusing the nonce as reused.
    client = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path=TOKEN_PATH)
    assert client.create_payment(request()).status is PaymentStatus.CREATED
    assert len(fake.tokens) == 1


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakePaydirekt, mode: str, stack: ExitStack
) -> None:
    client = connect(fake, mode, stack, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    fake.inject(FaultKind.ERROR, path=CHECKOUTS_PATH, status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        client.create_payment(request())
    assert caught.value.status_code == 503
    assert caught.value.code == "server.error"
    assert caught.value.request_id
    assert len(keys_sent(fake, CHECKOUTS_PATH)) == 3
    assert not fake.checkouts


def test_rate_limit_waits_as_told(fake: FakePaydirekt) -> None:
    slept: list[float] = []
    client = build(fake, sleep=slept.append)
    fake.inject(FaultKind.ERROR, path=CHECKOUTS_PATH, status=429, retry_after="2")
    assert client.create_payment(request()).status is PaymentStatus.CREATED
    assert slept == [2.0]


# -- authentication -----------------------------------------------------------------------------


def test_token_is_cached_and_refreshed_once_revoked(
    fake: FakePaydirekt, paydirekt: Paydirekt
) -> None:
    payment = paydirekt.create_payment(request())
    paydirekt.get_payment(payment.id)
    assert len(fake.tokens) == 1
    fake.expire_tokens()
    assert paydirekt.get_payment(payment.id).id == payment.id
    assert len([r for r in fake.requests if r.url.path == TOKEN_PATH]) == 2


def test_token_expiry_is_respected() -> None:
    now = [1_700_000_000.0]
    fake = FakePaydirekt(clock=lambda: now[0])
    client = build(fake, wall_clock=lambda: now[0])
    client.create_payment(request())
    now[0] += 3599
    client.create_payment(request())
    assert len([r for r in fake.requests if r.url.path == TOKEN_PATH]) == 2


def test_a_stale_clock_is_refused_as_authentication(fake: FakePaydirekt) -> None:
    client = build(fake, wall_clock=lambda: 1_000_000_000.0)
    with pytest.raises(AuthenticationError) as caught:
        client.create_payment(request())
    assert caught.value.code == "security.date.outOfRange"


def test_wrong_secret_is_refused_and_never_leaks(fake: FakePaydirekt) -> None:
    secret = base64.urlsafe_b64encode(b"s" * 32).decode()
    with pytest.deprecated_call():
        client = Paydirekt(fake.api_key, secret, transport=fake.transport())
    with pytest.raises(AuthenticationError) as caught:
        client.create_payment(request())
    assert caught.value.code == "security.authentication.failed"
    for text in (str(caught.value), repr(caught.value), repr(client)):
        assert secret not in text
    with pytest.raises(ValidationError) as malformed:
        PaydirektWire(fake.api_key, "c29tZXRleHQ=")
    assert "c29tZXRleHQ=" not in str(malformed.value)


def test_logs_never_carry_credentials(
    fake: FakePaydirekt, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client = build(fake)
    fake.inject(FaultKind.ERROR, status=500, times=2)
    fake.inject(FaultKind.DROP)
    client.create_payment(request())
    assert caplog.records
    for secret in (fake.api_secret, *fake.tokens):
        assert secret not in caplog.text


def test_base_urls() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.copy_with(path="/")))
        return httpx.Response(401, json={"messages": [{"code": "security.authentication.failed"}]})

    for environment in ("sandbox", "live"):
        with pytest.deprecated_call():
            client = Paydirekt(
                VECTOR["api_key"],
                VECTOR["api_secret"],
                environment=environment,  # type: ignore[arg-type]
                transport=httpx.MockTransport(handler),
            )
        with pytest.raises(AuthenticationError):
            client.get_payment("c0ffee00-0000-4000-8000-000000000000")
    assert seen == [SANDBOX_URL + "/", LIVE_URL + "/"]


# -- wire format --------------------------------------------------------------------------------


def test_checkout_body_uses_exact_numbers_and_hal_json(
    fake: FakePaydirekt, paydirekt: Paydirekt
) -> None:
    paydirekt.create_payment(request("1.5", customer_email="max@muster.de"))
    sent = next(r for r in fake.requests if r.url.path == CHECKOUTS_PATH)
    assert sent.headers["Content-Type"] == "application/hal+json;charset=utf-8"
    assert b'"totalAmount":1.50,' in sent.content
    body = json.loads(sent.content)
    assert body["type"] == "ORDER"
    assert body["merchantReconciliationReferenceNumber"] == "INV-1"
    assert body["sha256hashedEmailAddress"] == "6JL4VUgVxkq2m+a9I6ScfW2ofJP5y6wsvSaHIsX+iLs="
    assert body["shippingAddress"] == {**PAYER, "emailAddress": "max@muster.de"}


@pytest.mark.parametrize(
    ("payment_request", "code"),
    [
        (request("10.00", "USD"), "currency.unsupported"),
        (
            PaymentRequest(amount=Money("1.00", "EUR"), reference="R"),
            "checkout.redirectUrl.missing",
        ),
    ],
)
def test_requests_paydirekt_cannot_take_are_refused_before_sending(
    fake: FakePaydirekt, paydirekt: Paydirekt, payment_request: PaymentRequest, code: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        paydirekt.create_payment(payment_request)
    assert caught.value.code == code
    assert not fake.requests


def raw_checkout(fake: FakePaydirekt, content: bytes) -> httpx.Response:
    with build(fake) as client, pytest.raises(InvalidRequestError):
        client.get_payment("c0ffee00-0000-4000-8000-000000000000")  # fetches a token
    token = next(iter(fake.tokens))
    with httpx.Client(transport=fake.transport(), base_url=SANDBOX_URL) as http:
        return http.post(
            CHECKOUTS_PATH,
            content=content,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/hal+json"},
        )


VALID = (
    '"type":"ORDER","currency":"EUR","merchantOrderReferenceNumber":"R",'
    '"redirectUrlAfterSuccess":"https://a.example/s","redirectUrlAfterCancellation":'
    '"https://a.example/c","redirectUrlAfterRejection":"https://a.example/r",'
    '"shippingAddress":{"addresseeGivenName":"A","addresseeLastName":"B"},'
    '"shoppingCartType":"DIGITAL"'
)


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ('{"totalAmount":"14.00",' + VALID + "}", "validation.amount.type", "totalAmount"),
        ('{"totalAmount":14.001,' + VALID + "}", "validation.amount.decimals", "totalAmount"),
        ('{"totalAmount":0,' + VALID + "}", "validation.amount.positive", "totalAmount"),
        ("{" + VALID + "}", "validation.required", "totalAmount"),
        (
            '{"totalAmount":1,' + VALID.replace('"EUR"', '"USD"') + "}",
            "checkout.currency.unsupported",
            "currency",
        ),
        (
            '{"totalAmount":1,' + VALID.replace('"DIGITAL"', '"PHYSICAL"') + "}",
            "validation.required",
            "shippingAddress.street",
        ),
        (
            '{"totalAmount":1,' + VALID.replace('"https://a.example/r"', '"nope"') + "}",
            "validation.url",
            "redirectUrlAfterRejection",
        ),
        (
            '{"totalAmount":1,"shippingAmount":1,"orderAmount":1,' + VALID + "}",
            "checkout.totalAmount.mismatch",
            "totalAmount",
        ),
    ],
)
def test_fake_validates_checkouts_like_paydirekt(
    fake: FakePaydirekt, body: str, code: str, path: str
) -> None:
    before = len(fake.checkouts)
    response = raw_checkout(fake, body.encode())
    assert response.status_code == 400
    message = response.json()["messages"][0]
    assert (message["code"], message["path"]) == (code, path)
    assert len(fake.checkouts) == before


def test_fake_accepts_the_minimal_sdk_checkout(fake: FakePaydirekt) -> None:
    response = raw_checkout(fake, ('{"totalAmount":14.00,' + VALID + "}").encode())
    assert response.status_code == 201
    assert response.json()["status"] == "OPEN"
    assert response.json()["_links"]["approve"]["href"].startswith("https://")


def test_capture_before_approval_names_the_state(paydirekt: Paydirekt) -> None:
    payment = paydirekt.create_payment(request())
    with pytest.raises(InvalidRequestError) as caught:
        paydirekt.capture(payment.id)
    assert caught.value.code == "checkout.captures.unavailable"
    assert "OPEN" in str(caught.value)


def test_over_capture_is_refused_by_paydirekt(fake: FakePaydirekt, paydirekt: Paydirekt) -> None:
    payment = paydirekt.create_payment(request())
    fake.approve(payment.id)
    with pytest.raises(InvalidRequestError) as caught:
        paydirekt.capture(payment.id, Money("10.01", "EUR"))
    assert caught.value.code == "capture.amount.exceedsMaxCapturableAmount"
    assert caught.value.status_code == 400
    assert paydirekt.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


def test_rejected_capture_is_a_declined_payment(fake: FakePaydirekt, paydirekt: Paydirekt) -> None:
    payment = paydirekt.create_payment(request())
    fake.approve(payment.id)
    fake.reject_captures(payment.id)
    with pytest.raises(PaymentDeclinedError):
        paydirekt.capture(payment.id)
    assert paydirekt.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


def test_closing_after_a_partial_capture_keeps_it_paid(
    fake: FakePaydirekt, paydirekt: Paydirekt
) -> None:
    payment = paydirekt.create_payment(request())
    fake.approve(payment.id)
    paydirekt.capture(payment.id, Money("3.00", "EUR"))
    closed = paydirekt.cancel(payment.id)
    assert (closed.status, closed.raw_status) == (PaymentStatus.PAID, "ORDER/CLOSED")
    assert closed.captured == Money("3.00", "EUR")
    with pytest.raises(InvalidRequestError):
        paydirekt.capture(payment.id)


@pytest.mark.parametrize("bad_id", ["../../merchantintegration", "A?x=1", "", "A/B"])
def test_ids_cannot_reach_other_routes(
    fake: FakePaydirekt, paydirekt: Paydirekt, bad_id: str
) -> None:
    before = len(fake.requests)
    for call in (paydirekt.get_payment, paydirekt.capture, paydirekt.cancel, paydirekt.refund):
        with pytest.raises(InvalidRequestError):
            call(bad_id)
    assert len(fake.requests) == before


def test_links_outside_the_api_are_never_followed(fake: FakePaydirekt) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        response = fake(request)
        if request.method == "GET" and request.url.path.startswith(CHECKOUTS_PATH):
            view = json.loads(response.read())
            view["_links"]["captures"] = {"href": "https://evil.example/steal"}
            return httpx.Response(200, json=view)
        return response

    client = build(fake, transport=httpx.MockTransport(handler))
    payment = client.create_payment(request())
    fake.approve(payment.id)
    with pytest.raises(ProviderError, match="outside"):
        client.capture(payment.id)
    assert not [r for r in fake.requests if r.url.host == "evil.example"]


# -- status callbacks ---------------------------------------------------------------------------


def test_callbacks_are_confirmed_by_reading_the_checkout_back(fake: FakePaydirekt) -> None:
    client = build(fake, callback_url="https://shop.example/paydirekt")
    payment = client.create_payment(request())
    fake.approve(payment.id)
    client.capture(payment.id)
    approved, captured = fake.callbacks()
    reads = len(fake.requests)
    event = client.parse_webhook(*captured)
    assert len(fake.requests) == reads + 1
    assert fake.requests[-1].method == "GET"
    assert (event.type, event.payment_id, event.status) == (
        "capture.status",
        payment.id,
        PaymentStatus.PAID,
    )
    assert event.data["checkoutId"] == payment.id
    # The earlier callback also reports the checkout as it is now, not as announced.
    assert client.parse_webhook(*approved).status is PaymentStatus.PAID


def test_a_callback_lying_about_the_status_reports_the_truth(
    fake: FakePaydirekt, paydirekt: Paydirekt
) -> None:
    payment = paydirekt.create_payment(request())
    forged = json.dumps({"checkoutId": payment.id, "checkoutStatus": "APPROVED"}).encode()
    event = paydirekt.parse_webhook({}, forged)
    assert event.status is PaymentStatus.CREATED
    assert fake.checkouts[payment.id]["status"] == "OPEN"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"checkoutStatus": "APPROVED"}',
        b'{"checkoutId": "../token", "checkoutStatus": "APPROVED"}',
        b'{"checkoutId": "c0ffee00-0000-4000-8000-000000000000"}',
        b'{"checkoutId": "c0ffee00-0000-4000-8000-000000000000", "checkoutStatus": "APPROVED"}',
    ],
)
def test_forged_or_junk_callbacks_are_refused_and_change_nothing(
    fake: FakePaydirekt, paydirekt: Paydirekt, body: bytes
) -> None:
    payment = paydirekt.create_payment(request())
    before = paydirekt.get_payment(payment.id)
    with pytest.raises(WebhookVerificationError):
        paydirekt.parse_webhook({}, body)
    assert paydirekt.get_payment(payment.id) == before


def test_duplicate_callbacks_share_an_event_id_and_change_nothing(fake: FakePaydirekt) -> None:
    fake.duplicate_callbacks = True
    client = build(fake, callback_url="https://shop.example/paydirekt")
    payment = client.create_payment(request())
    fake.approve(payment.id)
    paid = client.capture(payment.id)
    events = [client.parse_webhook(h, b) for h, b in fake.callbacks()]
    assert len(events) == 4
    assert len({e.id for e in events}) == 2
    assert client.get_payment(payment.id) == paid
    assert len(fake.checkouts[payment.id]["_captures"]) == 1


# -- async and the protocol ---------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakePaydirekt) -> None:
    async def flow() -> list[PaymentStatus]:
        with pytest.deprecated_call():
            client = AsyncPaydirekt(fake.api_key, fake.api_secret, transport=fake.transport())
        async with client:
            payment = await client.create_payment(request())
            fake.approve(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, path="/captures")
            captured = await client.capture(payment.id, Money("4.00", "EUR"))
            closed = await client.cancel(payment.id)
            refunded = await client.refund(payment.id)
            return [payment.status, captured.status, closed.status, refunded.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PAID,
        PaymentStatus.PAID,
        PaymentStatus.REFUNDED,
    ]
    assert len(next(iter(fake.checkouts.values()))["_captures"]) == 1


def test_clients_satisfy_the_protocols(fake: FakePaydirekt) -> None:
    with build(fake) as client:
        assert isinstance(client, PaymentProvider)
        assert not client.capabilities.webhook_signatures
    with pytest.deprecated_call():
        asynchronous = AsyncPaydirekt(fake.api_key, fake.api_secret, transport=fake.transport())
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())
