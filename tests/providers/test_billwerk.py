from __future__ import annotations

import asyncio
import base64
import copy
import json
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
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
from payportal.providers.billwerk import (
    API_URL,
    CHECKOUT_API_URL,
    AsyncBillwerkPay,
    BillwerkPay,
    handle_for,
    webhook_signature,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_billwerk import FakeBillwerkPay

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}
Deliveries = list[tuple[dict[str, str], bytes]]


def request(amount: str = "10.00", currency: str = "EUR", **extra: Any) -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference="INV-1",
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
        **extra,
    )


@pytest.fixture
def fake() -> FakeBillwerkPay:
    return FakeBillwerkPay(sleep=lambda seconds: None)


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(
    fake: FakeBillwerkPay, mode: str = "mock", stack: ExitStack | None = None, **options: Any
) -> BillwerkPay:
    """A client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {"webhook_secret": fake.webhook_secret, **NO_WAIT, **options}
    if mode == "loopback":
        assert stack is not None
        options["base_url"] = stack.enter_context(fake.serve())
    else:
        options["transport"] = fake.transport()
    client = BillwerkPay(fake.private_key, **options)
    return stack.enter_context(client) if stack is not None else client


@pytest.fixture
def billwerk(fake: FakeBillwerkPay) -> BillwerkPay:
    return connect(fake)


def sent(fake: FakeBillwerkPay, method: str, path_part: str) -> list[httpx.Request]:
    return [r for r in fake.requests if r.method == method and path_part in r.url.path]


def body_of(request: httpx.Request) -> dict[str, Any]:
    data = json.loads(request.content)
    assert isinstance(data, dict)
    return data


class TestBillwerkPayContract(ProviderContract):
    webhook_signature_field = "signature"  # Reepay signs inside the body, not in headers

    @pytest.fixture
    def provider(self, fake: FakeBillwerkPay, mode: str, stack: ExitStack) -> BillwerkPay:
        return connect(fake, mode, stack)

    @pytest.fixture
    def approve(self, fake: FakeBillwerkPay) -> Callable[[str], None]:
        return fake.approve

    @pytest.fixture
    def webhooks(self, fake: FakeBillwerkPay) -> Callable[[], Deliveries]:
        return fake.webhooks


# -- fault injection: every retry is a no-op at Reepay ----------------------------------------


def test_create_retried_after_a_lost_answer_creates_one_charge(
    fake: FakeBillwerkPay, mode: str, stack: ExitStack
) -> None:
    billwerk = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/v1/session/charge")
    payment = billwerk.create_payment(request())
    assert list(fake.invoices) == [payment.id]
    assert len(fake.sessions) == 1
    attempts = sent(fake, "POST", "/v1/session/charge")
    assert len(attempts) == 2
    assert body_of(attempts[0])["order"]["key"] == body_of(attempts[1])["order"]["key"]
    assert payment.redirect_url == f"https://checkout.reepay.com/#/{next(iter(fake.sessions))}"


def test_settle_timeout_after_acceptance_never_settles_twice(
    fake: FakeBillwerkPay, mode: str, stack: ExitStack
) -> None:
    billwerk = connect(fake, mode, stack)
    payment = billwerk.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/settle")
    captured = billwerk.capture(payment.id, Money("6.00", "EUR"))
    assert captured.status is PaymentStatus.PAID
    assert captured.captured == Money("6.00", "EUR")
    settles = [t for t in fake.invoices[payment.id]["transactions"] if t["type"] == "settle"]
    assert len(settles) == 1
    attempts = sent(fake, "POST", "/settle")
    assert len(attempts) == 2
    assert body_of(attempts[0]) == body_of(attempts[1])


def test_refund_retried_after_errors_refunds_once(
    fake: FakeBillwerkPay, mode: str, stack: ExitStack
) -> None:
    billwerk = connect(fake, mode, stack)
    payment = billwerk.create_payment(request())
    fake.approve(payment.id)
    billwerk.capture(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/v1/refund")
    fake.inject(FaultKind.ERROR, path="/v1/refund", status=503, retry_after="0")
    fake.inject(FaultKind.DROP, path="/v1/refund")
    refunded = billwerk.refund(payment.id, Money("4.00", "EUR"), reason="Damaged")
    assert refunded.refunded == Money("4.00", "EUR")
    assert refunded.status is PaymentStatus.PARTIALLY_REFUNDED
    assert len(fake.refunds) == 1
    keys = {body_of(r)["key"] for r in sent(fake, "POST", "/v1/refund")}
    assert len(keys) == 1
    assert body_of(sent(fake, "POST", "/v1/refund")[0])["text"] == "Damaged"


def test_cancel_retried_after_a_lost_answer_is_cancelled(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    payment = billwerk.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/cancel")
    assert billwerk.cancel(payment.id).status is PaymentStatus.CANCELLED
    assert len(sent(fake, "POST", "/cancel")) == 2
    with pytest.raises(InvalidRequestError) as caught:
        billwerk.capture(payment.id)
    assert caught.value.code == "29"


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakeBillwerkPay, mode: str, stack: ExitStack
) -> None:
    billwerk = connect(fake, mode, stack, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    fake.inject(FaultKind.ERROR, path="/v1/session/charge", status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        billwerk.create_payment(request())
    assert caught.value.status_code == 503
    assert caught.value.code == "2"
    assert caught.value.request_id
    assert len(sent(fake, "POST", "/v1/session/charge")) == 3
    assert not fake.invoices


def test_rate_limit_waits_as_told(fake: FakeBillwerkPay) -> None:
    slept: list[float] = []
    billwerk = BillwerkPay(fake.private_key, transport=fake.transport(), sleep=slept.append)
    fake.inject(FaultKind.ERROR, path="/v1/session/charge", status=429, retry_after="3")
    assert billwerk.create_payment(request()).status is PaymentStatus.CREATED
    assert slept == [3.0]


# -- errors -----------------------------------------------------------------------------------


def test_errors_carry_reepay_codes_and_request_ids(
    billwerk: BillwerkPay, fake: FakeBillwerkPay
) -> None:
    with pytest.raises(InvalidRequestError) as missing:
        billwerk.get_payment("no-such-handle")
    assert (missing.value.code, missing.value.status_code) == ("31", 404)
    assert missing.value.request_id
    payment = billwerk.create_payment(request())
    with pytest.raises(InvalidRequestError) as early:
        billwerk.capture(payment.id)
    assert early.value.code == "106"
    fake.approve(payment.id)
    with pytest.raises(InvalidRequestError) as too_much:
        billwerk.capture(payment.id, Money("10.01", "EUR"))
    assert too_much.value.code == "102"
    billwerk.capture(payment.id)
    with pytest.raises(InvalidRequestError) as twice:
        billwerk.capture(payment.id)
    assert twice.value.code == "79"
    with pytest.raises(InvalidRequestError) as refund_too_high:
        billwerk.refund(payment.id, Money("10.01", "EUR"))
    assert refund_too_high.value.code == "65"
    assert "Refund amount too high" in str(refund_too_high.value)


def test_declined_card_fails_the_payment(billwerk: BillwerkPay, fake: FakeBillwerkPay) -> None:
    payment = billwerk.create_payment(request())
    fake.decline(payment.id)
    failed = billwerk.get_payment(payment.id)
    assert failed.status is PaymentStatus.FAILED
    assert failed.raw_status == "failed"
    with pytest.raises(InvalidRequestError):
        billwerk.capture(payment.id)


def test_bad_key_is_an_authentication_error_that_never_leaks(
    fake: FakeBillwerkPay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    secret = "priv_very-secret-value"
    billwerk = BillwerkPay(secret, webhook_secret="whsec_also-secret", transport=fake.transport())
    with pytest.raises(AuthenticationError) as caught:
        billwerk.create_payment(request())
    assert caught.value.code == "6"
    encoded = base64.b64encode(f"{secret}:".encode()).decode()
    for text in (str(caught.value), repr(caught.value), repr(billwerk), caplog.text):
        for hidden in (secret, encoded, "whsec_also-secret"):
            assert hidden not in text


def test_logs_never_carry_the_key(fake: FakeBillwerkPay, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    billwerk = connect(fake)
    fake.inject(FaultKind.ERROR, status=500, times=2)
    fake.inject(FaultKind.DROP)
    billwerk.create_payment(request())
    assert caplog.records  # the retries were logged...
    assert fake.private_key not in caplog.text  # ...without the key


@pytest.mark.parametrize("bad_id", ["../refund", "a?x=1", "", "a/b", "..", "a b", "ø"])
def test_ids_cannot_reach_other_routes(
    billwerk: BillwerkPay, fake: FakeBillwerkPay, bad_id: str
) -> None:
    for call in (billwerk.get_payment, billwerk.capture, billwerk.cancel, billwerk.refund):
        with pytest.raises(InvalidRequestError):
            call(bad_id)
    assert not fake.requests


# -- wire format --------------------------------------------------------------------------------


def test_requests_use_basic_auth_with_an_empty_password(
    billwerk: BillwerkPay, fake: FakeBillwerkPay
) -> None:
    billwerk.create_payment(request())
    header = fake.requests[0].headers["Authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == fake.private_key + ":"


def test_session_body_speaks_reepay(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake, locale="da_DK", payment_methods=["card", "mobilepay"])
    billwerk.create_payment(
        request("1.5", "EUR", customer_email="payer@example.com", description="Invoice 1",
                metadata={"customer": "C-7"})
    )  # fmt: skip
    billwerk.create_payment(request("1000", "JPY"))
    billwerk.create_payment(request("1.234", "KWD"))
    bodies = [body_of(r) for r in sent(fake, "POST", "/v1/session/charge")]
    first = bodies[0]
    assert first["settle"] is False
    assert first["accept_url"] == "https://shop.example/ok"
    assert first["cancel_url"] == "https://shop.example/cancel"
    assert first["locale"] == "da_DK"
    assert first["payment_methods"] == ["card", "mobilepay"]
    order = first["order"]
    assert order["customer"] == {"generate_handle": True, "email": "payer@example.com"}
    assert order["ordertext"] == "Invoice 1"
    assert order["metadata"] == {"reference": "INV-1", "customer": "C-7"}
    assert order["handle"].startswith("INV-1-")
    amounts = [(b["order"]["amount"], b["order"]["currency"]) for b in bodies]
    assert amounts == [(150, "EUR"), (1000, "JPY"), (1234, "KWD")]


def test_default_hosts() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.scheme}://{request.url.host}{request.url.path}")
        return httpx.Response(401, json={"code": 6, "error": "Not authenticated"})

    billwerk = BillwerkPay("priv_x", transport=httpx.MockTransport(handler))
    for call in (lambda: billwerk.create_payment(request()), lambda: billwerk.get_payment("h")):
        with pytest.raises(AuthenticationError):
            call()
    assert seen == [f"{CHECKOUT_API_URL}/v1/session/charge", f"{API_URL}/v1/invoice/h"]


@given(st.text(min_size=1, max_size=127))
def test_handle_for_always_gives_a_valid_short_handle(reference: str) -> None:
    handle = handle_for(reference)
    assert 1 <= len(handle) <= 20
    assert all(c.isascii() and (c.isalnum() or c in "_.-@") for c in handle)
    assert handle != handle_for(reference)  # every payment gets its own


def missing(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["order"].pop(field)


def setting(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["order"].__setitem__(field, value)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (missing("customer"), 18),
        (missing("amount"), 24),
        (setting("amount", 0), 146),
        (setting("amount", 10.5), 1),
        (setting("amount", True), 1),
        (setting("handle", "bad handle"), 1),
        (setting("currency", "XYZ"), 1),
        (setting("customer", {"email": "a@b.example"}), 1),
        (lambda body: body.pop("order"), 1),
        (lambda body: body.__setitem__("settle", "yes"), 1),
        (lambda body: body.__setitem__("accept_url", "/relative"), 1),
    ],
)
def test_fake_validates_sessions_like_reepay(
    fake: FakeBillwerkPay, change: Callable[[dict[str, Any]], None], code: int
) -> None:
    body: dict[str, Any] = {
        "order": {"handle": "order-1", "key": "k1", "amount": 1000, "currency": "DKK",
                  "customer": {"generate_handle": True}},
        "settle": False,
    }  # fmt: skip
    change(body)
    with httpx.Client(transport=fake.transport(), auth=(fake.private_key, "")) as client:
        response = client.post(f"{CHECKOUT_API_URL}/v1/session/charge", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["http_status"] == 400
    assert not fake.invoices


def test_fake_refuses_a_duplicate_handle_but_replays_a_repeated_key(fake: FakeBillwerkPay) -> None:
    body = {"order": {"handle": "order-1", "key": "k1", "amount": 1000, "currency": "DKK",
                      "customer_handle": "c1"}}  # fmt: skip
    with httpx.Client(transport=fake.transport(), auth=(fake.private_key, "")) as client:
        url = f"{CHECKOUT_API_URL}/v1/session/charge"
        first = client.post(url, json=body)
        again = client.post(url, json=body)
        body["order"]["key"] = "k2"
        other = client.post(url, json=body)
    assert first.json() == again.json()
    assert other.json()["code"] == 11
    assert len(fake.sessions) == 1


def test_instant_settle_sessions_settle_on_payment(fake: FakeBillwerkPay) -> None:
    body = {"order": {"handle": "order-9", "amount": 500, "currency": "DKK",
                      "customer_handle": "c1"}, "settle": True}  # fmt: skip
    with httpx.Client(transport=fake.transport(), auth=(fake.private_key, "")) as client:
        client.post(f"{CHECKOUT_API_URL}/v1/session/charge", json=body)
    fake.approve("order-9")
    assert connect(fake).get_payment("order-9").status is PaymentStatus.PAID


def test_payer_route_pays_the_session_over_loopback(
    fake: FakeBillwerkPay, stack: ExitStack
) -> None:
    billwerk = connect(fake, "loopback", stack)
    payment = billwerk.create_payment(request())
    assert payment.redirect_url is not None
    session_id = payment.redirect_url.rsplit("/", 1)[-1]
    base_url = billwerk._wire.api_url  # type: ignore[attr-defined]
    assert httpx.post(f"{base_url}/_fake/checkout/{session_id}/pay").status_code == 200
    assert httpx.post(f"{base_url}/_fake/checkout/{session_id}/pay").status_code == 404
    assert billwerk.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


# -- webhooks ----------------------------------------------------------------------------------


def paid_and_refunded(billwerk: BillwerkPay, fake: FakeBillwerkPay) -> tuple[str, Deliveries]:
    payment = billwerk.create_payment(request())
    fake.approve(payment.id)
    billwerk.capture(payment.id)
    billwerk.refund(payment.id, Money("1.00", "EUR"))
    return payment.id, fake.webhooks()


def test_webhooks_are_verified_confirmed_and_decoded(
    billwerk: BillwerkPay, fake: FakeBillwerkPay
) -> None:
    handle, delivered = paid_and_refunded(billwerk, fake)
    events = [billwerk.parse_webhook(h, b) for h, b in delivered]
    assert [e.type for e in events] == ["invoice_authorized", "invoice_settled", "invoice_refund"]
    assert [e.status for e in events] == [PaymentStatus.AUTHORIZED, PaymentStatus.PAID, None]
    assert {e.payment_id for e in events} == {handle}
    assert [e.id for e in events] == [json.loads(b)["event_id"] for _, b in delivered]
    assert all(e.occurred_at is not None and e.occurred_at.tzinfo for e in events)
    assert len(sent(fake, "GET", "/v1/event/")) == 3


def flip_last(text: str) -> str:
    return text[:-1] + ("1" if text.endswith("0") else "0")


def test_bad_signatures_are_refused_before_any_request(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake)
    _, delivered = paid_and_refunded(billwerk, fake)
    headers, body = delivered[0]
    data = json.loads(body)
    before = len(fake.requests)
    wrong_secret = webhook_signature("whsec_other", data["timestamp"], data["id"])
    for bad in (
        {**data, "signature": wrong_secret},
        {**data, "id": flip_last(data["id"])},
        {**data, "timestamp": "2020-01-01T00:00:00.000Z"},
        {**data, "signature": data["signature"][:-2]},
    ):
        with pytest.raises(WebhookVerificationError):
            billwerk.parse_webhook(headers, json.dumps(bad).encode())
    other = connect(fake, webhook_secret="whsec_other")
    with pytest.raises(WebhookVerificationError):
        other.parse_webhook(headers, body)
    assert len(fake.requests) == before
    assert billwerk.parse_webhook(headers, body).type == "invoice_authorized"


def test_a_genuine_signature_cannot_vouch_for_another_invoice(
    billwerk: BillwerkPay, fake: FakeBillwerkPay
) -> None:
    # The signature covers timestamp and id only; swapping the invoice must still fail.
    _, delivered = paid_and_refunded(billwerk, fake)
    victim = billwerk.create_payment(request())
    for headers, body in delivered:
        data = json.loads(body)
        for forged in ({**data, "invoice": victim.id}, {**data, "event_type": "invoice_settled"}):
            if forged == data:
                continue
            with pytest.raises(WebhookVerificationError):
                billwerk.parse_webhook(headers, json.dumps(forged).encode())
        unknown_event = {**data, "event_id": "0" * 32}
        with pytest.raises(WebhookVerificationError):
            billwerk.parse_webhook(headers, json.dumps(unknown_event).encode())
    assert billwerk.get_payment(victim.id).status is PaymentStatus.CREATED


def test_replayed_and_duplicate_webhooks_change_nothing(fake: FakeBillwerkPay) -> None:
    fake.duplicate_webhooks = True
    billwerk = connect(fake)
    handle, delivered = paid_and_refunded(billwerk, fake)
    state = copy.deepcopy(fake.invoices)
    mutating = len([r for r in fake.requests if r.method != "GET"])
    events = [billwerk.parse_webhook(h, b) for h, b in delivered + delivered]  # replayed too
    assert len(events) == 4 * len({e.id for e in events})
    assert fake.invoices == state
    assert len([r for r in fake.requests if r.method != "GET"]) == mutating
    assert billwerk.get_payment(handle).refunded == Money("1.00", "EUR")


def test_old_webhooks_are_refused_when_a_tolerance_is_set(fake: FakeBillwerkPay) -> None:
    now = [datetime.now(UTC).timestamp()]
    billwerk = connect(fake, webhook_tolerance=timedelta(minutes=5), wall_clock=lambda: now[0])
    _, delivered = paid_and_refunded(billwerk, fake)
    billwerk.parse_webhook(*delivered[0])
    now[0] += 3600
    with pytest.raises(WebhookVerificationError):
        billwerk.parse_webhook(*delivered[0])


def test_unconfirmed_mode_sends_nothing(fake: FakeBillwerkPay) -> None:
    billwerk = connect(fake, confirm_webhooks=False)
    _, delivered = paid_and_refunded(billwerk, fake)
    before = len(fake.requests)
    assert billwerk.parse_webhook(*delivered[1]).status is PaymentStatus.PAID
    assert len(fake.requests) == before


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[]", b"{}", b'{"id": "a", "timestamp": "t", "signature": 5}']
)
def test_junk_webhooks_are_refused(billwerk: BillwerkPay, body: bytes) -> None:
    with pytest.raises(WebhookVerificationError):
        billwerk.parse_webhook({}, body)


def test_webhooks_need_a_secret(fake: FakeBillwerkPay) -> None:
    billwerk = BillwerkPay(fake.private_key, transport=fake.transport())
    assert not billwerk.capabilities.webhook_signatures
    with pytest.raises(UnsupportedOperationError):
        billwerk.parse_webhook({}, b"{}")


# -- async ------------------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakeBillwerkPay) -> None:
    async def flow() -> list[PaymentStatus]:
        async with AsyncBillwerkPay(
            fake.private_key, webhook_secret=fake.webhook_secret, transport=fake.transport()
        ) as billwerk:
            payment = await billwerk.create_payment(request())
            fake.approve(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, path="/settle")
            captured = await billwerk.capture(payment.id, Money("4.00", "EUR"))
            refunded = await billwerk.refund(payment.id)
            events = [await billwerk.parse_webhook(h, b) for h, b in fake.webhooks()]
            assert [e.type for e in events][-1] == "invoice_refund"
            other = await billwerk.create_payment(request())
            cancelled = await billwerk.cancel(other.id)
            return [payment.status, captured.status, refunded.status, cancelled.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PAID,
        PaymentStatus.REFUNDED,
        PaymentStatus.CANCELLED,
    ]


def test_clients_satisfy_the_protocols(fake: FakeBillwerkPay) -> None:
    with BillwerkPay(fake.private_key, transport=fake.transport()) as billwerk:
        assert isinstance(billwerk, PaymentProvider)
    asynchronous = AsyncBillwerkPay(fake.private_key, transport=fake.transport())
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())


# -- the read-back against Reepay's documented event resource -------------------------------------

SPEC = Path(__file__).resolve().parents[1] / "data" / "billwerk"


def documented_event_fields() -> dict[str, str]:
    """Field -> description of Reepay's ``Event`` model, from the vendored doc table."""
    fields = {}
    for line in (SPEC / "Event.md").read_text().splitlines():
        if line.startswith("**"):
            name, _type, description, *_ = (cell.strip() for cell in line.split("|"))
            fields[name.strip("*")] = description
    return fields


def spec_shaped_account(
    event: dict[str, Any], invoice: dict[str, Any]
) -> Callable[[httpx.Request], httpx.Response]:
    """A Reepay that answers the event and the invoice read-back as its docs describe."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == f"/v1/event/{event['id']}":
            return httpx.Response(200, json=event)
        if request.url.path == f"/v1/invoice/{invoice['handle']}":
            return httpx.Response(200, json=invoice)
        return httpx.Response(404, json={"code": 8, "error": "Not found"})

    return handle


def test_a_genuine_webhook_is_accepted_against_the_documented_event_resource() -> None:
    # Source: reepay-php-api docs/Model/Event.md (tests/data/billwerk): the event resource has
    # id, customer (handle), subscription (handle), invoice (*id*), created and event_type;
    # a webhook names the invoice by its *handle* and carries a transaction the event lacks.
    fields = documented_event_fields()
    assert fields["invoice"] == "Invoice id"
    assert fields["customer"] == "Customer handle"
    invoice = {"id": "3f2a" * 8, "handle": "INV-1-0a1b2c3d", "state": "settled"}
    invoice |= {"currency": "EUR", "amount": 1000, "settled_amount": 1000}
    event = {
        "id": "9c1d" * 8,
        "customer": "cust-0001",
        "invoice": invoice["id"],
        "created": "2024-01-15T12:30:00.000+00:00",
        "event_type": "invoice_settled",
    }
    assert set(event) <= set(fields)
    secret = "whsec_documented"
    stamp, webhook_id = "2024-01-15T12:30:01.000Z", "5e7b" * 8
    webhook = {
        "id": webhook_id,
        "event_id": event["id"],
        "event_type": "invoice_settled",
        "timestamp": stamp,
        "signature": webhook_signature(secret, stamp, webhook_id),
        "invoice": invoice["handle"],
        "customer": "cust-0001",
        "transaction": "b1c2" * 8,
    }
    transport = httpx.MockTransport(spec_shaped_account(event, invoice))
    billwerk = BillwerkPay("priv_documented", webhook_secret=secret, transport=transport)
    parsed = billwerk.parse_webhook({}, json.dumps(webhook).encode())
    assert (parsed.id, parsed.payment_id, parsed.status) == (
        event["id"],
        invoice["handle"],
        PaymentStatus.PAID,
    )

    def refused(**changes: Any) -> bool:
        forged = {**webhook, **changes}
        try:
            billwerk.parse_webhook({}, json.dumps(forged).encode())
        except WebhookVerificationError:
            return True
        return False

    other = {**invoice, "id": "7777" * 8, "handle": "INV-2-99999999"}
    billwerk = BillwerkPay(
        "priv_documented",
        webhook_secret=secret,
        transport=httpx.MockTransport(spec_shaped_account(event, other)),
    )
    assert refused(invoice=other["handle"])  # a real invoice, but not the event's
    billwerk = BillwerkPay("priv_documented", webhook_secret=secret, transport=transport)
    assert refused(event_type="invoice_authorized")
    assert refused(customer="cust-0002")
    assert refused(invoice="INV-1-unknown")
    assert not refused(transaction="c0ffee" * 4)  # the event resource has no transaction
