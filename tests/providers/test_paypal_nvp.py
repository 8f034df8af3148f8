from __future__ import annotations

import asyncio
import socket
import urllib.parse
from contextlib import ExitStack
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
    PaymentDeclinedError,
    ProviderError,
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
from payportal.providers.paypal_nvp import (
    ENDPOINTS,
    AsyncPayPalNVP,
    PayPalNVP,
    decode_nvp,
    encode_nvp,
    nvp_error,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_paypal_nvp import FakePayPalNVP, _encode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "paypal" / "nvp"
NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def request(amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference="INV-1",
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
    )


@pytest.fixture
def fake() -> FakePayPalNVP:
    return FakePayPalNVP()


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(fake: FakePayPalNVP, mode: str, stack: ExitStack, **options: Any) -> PayPalNVP:
    """A client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {**NO_WAIT, **options}
    if mode == "loopback":
        options["base_url"] = stack.enter_context(fake.serve())
        # h11 writes headers and body apart: without TCP_NODELAY each call waits for an ACK.
        options["transport"] = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
    else:
        options["transport"] = fake.transport()
    return stack.enter_context(PayPalNVP(fake.username, fake.password, fake.signature, **options))


def sent(fake: FakePayPalNVP, method: str) -> list[dict[str, str]]:
    """The fields of every request for NVP ``method`` that reached the fake."""
    bodies = (dict(urllib.parse.parse_qsl(r.content.decode())) for r in fake.requests)
    return [fields for fields in bodies if fields.get("METHOD") == method]


def method(name: str) -> bytes:
    return f"METHOD={name}&".encode()


class TestPayPalNVPSaleContract(ProviderContract):
    @pytest.fixture
    def provider(self, fake: FakePayPalNVP, mode: str, stack: ExitStack) -> PayPalNVP:
        return connect(fake, mode, stack)

    @pytest.fixture
    def approve(self, fake: FakePayPalNVP) -> Callable[[str], None]:
        return fake.approve

    @pytest.fixture
    def webhooks(self, fake: FakePayPalNVP) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return fake.webhooks


class TestPayPalNVPAuthorizationContract(TestPayPalNVPSaleContract):
    @pytest.fixture
    def provider(self, fake: FakePayPalNVP, mode: str, stack: ExitStack) -> PayPalNVP:
        return connect(fake, mode, stack, action="Authorization")


# -- the recorded answers -----------------------------------------------------------------------


def recorded(name: str) -> httpx.Response:
    path = SAMPLES / f"{name}.http"
    head, _, body = path.read_bytes().replace(b"\r\n", b"\n").partition(b"\n\n")
    status = int(head.split(b" ", 2)[1])
    headers = [tuple(line.split(b": ", 1)) for line in head.splitlines()[1:]]
    return httpx.Response(status, headers=headers, content=body.strip())


@pytest.mark.parametrize(
    ("name", "ack", "field", "value"),
    [
        ("ExpressPurchaseSuccess", "Success", "TOKEN", "EC-42721413K79637829"),
        ("ExpressFetchCheckoutSuccess", "Success", "PAYERID", "7AKUSARZ7SAT8"),
        ("ExpressCompletePurchaseSuccess", "Success", "PAYMENTINFO_0_FEEAMT", "0.59"),
        ("ExpressVoidSuccess", "Success", "AUTHORIZATIONID", "ASDFASDFASDF"),
        ("ExpressPurchaseFailure", "Failure", "L_ERRORCODE0", "10525"),
        ("ExpressFetchCheckoutFailure", "Failure", "L_ERRORCODE0", "10414"),
        ("ExpressCompletePurchaseFailure", "Failure", "L_ERRORCODE0", "10410"),
        ("ExpressVoidFailure", "Failure", "AUTHORIZATIONID", "ASDFASDFASDF"),
    ],
)
def test_every_recorded_answer_decodes(name: str, ack: str, field: str, value: str) -> None:
    fields = decode_nvp(recorded(name).content)
    assert fields["ACK"] == ack
    assert fields[field] == value
    assert fields["TIMESTAMP"].endswith("Z")  # %2d and %3a decoded
    if ack == "Failure":
        error = nvp_error(fields)
        assert isinstance(error, InvalidRequestError)
        assert error.code == fields.get("L_ERRORCODE0")
        assert error.request_id == fields["CORRELATIONID"]


def test_recorded_errors_carry_their_long_messages() -> None:
    error = nvp_error(decode_nvp(recorded("ExpressPurchaseFailure").content))
    assert (
        error.message == "This transaction cannot be processed. The amount to be charged is zero."
    )
    assert str(error).startswith("paypal_nvp: This transaction cannot be processed.")
    bare = nvp_error(decode_nvp(recorded("ExpressVoidFailure").content))
    assert bare.code is None
    assert bare.message == "PayPal answered ACK=Failure"


def replay_of(*names: str) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    answers = [recorded(name) for name in names]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    return httpx.MockTransport(handler), seen


def test_recorded_set_express_checkout_answers_drive_the_client() -> None:
    transport, seen = replay_of("ExpressPurchaseSuccess", "ExpressPurchaseFailure")
    paypal = PayPalNVP("merchant_api1.example.org", "pwd", "sig", transport=transport)
    payment = paypal.create_payment(request())
    assert payment.id == "EC-42721413K79637829"
    assert payment.redirect_url == (
        "https://www.sandbox.paypal.com/cgi-bin/webscr?cmd=_express-checkout&useraction=commit"
        "&token=EC-42721413K79637829"
    )
    with pytest.raises(InvalidRequestError) as caught:
        paypal.create_payment(request())
    assert (caught.value.code, caught.value.request_id) == ("10525", "2b58be2b8e60e")
    fields = dict(urllib.parse.parse_qsl(seen[0].content.decode()))
    assert fields["METHOD"] == "SetExpressCheckout"
    assert fields["PAYMENTREQUEST_0_AMT"] == "10.00"
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_recorded_fetch_failure_is_an_invalid_request() -> None:
    transport, _ = replay_of("ExpressFetchCheckoutFailure")
    paypal = PayPalNVP("merchant_api1.example.org", "pwd", "sig", transport=transport)
    with pytest.raises(InvalidRequestError) as caught:
        paypal.get_payment("EC-1NK66318YB717835M")
    assert caught.value.code == "10414"
    assert "maximum amount" in caught.value.message


def test_the_fake_answers_in_the_recorded_encoding(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    paypal.create_payment(request())
    answer = fake.transport().handle_request(fake.requests[-1])
    answer.read()
    assert b"TOKEN=EC%2d" in answer.content
    assert b"&ACK=Success&VERSION=119%2e0&BUILD=" in answer.content
    assert (
        answer.headers["Content-Type"] == recorded("ExpressPurchaseSuccess").headers["Content-Type"]
    )


@given(
    st.dictionaries(
        st.from_regex(r"[A-Z][A-Z0-9_]{0,19}", fullmatch=True),
        st.text(st.characters(blacklist_categories=("Cs",))),
        min_size=1,
    )
)
def test_paypal_style_encoding_always_decodes_to_the_same_fields(fields: dict[str, str]) -> None:
    assert decode_nvp(_encode(fields)) == fields
    assert decode_nvp(encode_nvp(fields)) == fields


def test_html_error_pages_are_provider_errors() -> None:
    with pytest.raises(ProviderError, match="not NVP"):
        decode_nvp(b"<html><body>Bad gateway</body></html>")
    assert decode_nvp(encode_nvp({"A": "x=y&z", "B": ""})) == {"A": "x=y&z", "B": ""}


# -- fault injection: a retry never acts twice at PayPal ----------------------------------------


def test_create_retried_after_a_lost_answer_leaves_one_payable_checkout(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("SetExpressCheckout"))
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    assert paypal.capture(payment.id).status is PaymentStatus.PAID
    # The lost answer's token was never shown to a payer: it cannot be paid and expires.
    assert len(fake.checkouts) == 2
    assert len(fake.transactions) == 1


def test_sale_timeout_after_acceptance_never_pays_twice(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("DoExpressCheckoutPayment"))
    captured = paypal.capture(payment.id)
    assert captured.status is PaymentStatus.PAID
    assert captured.captured == Money("10.00", "EUR")
    assert len(fake.transactions) == 1
    assert len(sent(fake, "DoExpressCheckoutPayment")) == 2  # the second got 11607


def test_capture_timeout_after_acceptance_never_captures_twice(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack, action="Authorization")
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("DoExpressCheckoutPayment"))
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("DoCapture"))
    captured = paypal.capture(payment.id, Money("3.00", "EUR"))
    assert captured.captured == Money("3.00", "EUR")
    kinds = [t["type"] for t in fake.transactions.values()]
    assert sorted(kinds) == ["Authorization", "Payment"]
    captures = sent(fake, "DoCapture")
    assert len(captures) == 2
    assert captures[0]["MSGSUBID"] == captures[1]["MSGSUBID"]
    assert len(captures[0]["MSGSUBID"]) <= 38


def test_refund_retried_after_errors_refunds_once(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack)
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("RefundTransaction"))
    fake.inject(FaultKind.ERROR, body=method("RefundTransaction"), status=503, retry_after="0")
    fake.inject(FaultKind.DROP, body=method("RefundTransaction"))
    refunded = paypal.refund(payment.id, Money("4.00", "EUR"))
    assert refunded.refunded == Money("4.00", "EUR")
    assert [t["type"] for t in fake.transactions.values()].count("Refund") == 1
    refunds = sent(fake, "RefundTransaction")
    assert len(refunds) == 4
    assert len({fields["MSGSUBID"] for fields in refunds}) == 1


def test_each_refund_call_has_its_own_msgsubid(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    paypal.refund(payment.id, Money("1.00", "EUR"))
    assert paypal.refund(payment.id, Money("1.00", "EUR")).refunded == Money("2.00", "EUR")
    assert len({fields["MSGSUBID"] for fields in sent(fake, "RefundTransaction")}) == 2


def test_void_resent_after_a_lost_answer_is_done_once(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack, action="Authorization")
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, body=method("DoVoid"))
    assert paypal.cancel(payment.id).status is PaymentStatus.CANCELLED
    assert len(sent(fake, "DoVoid")) == 2  # the second was refused with 10600: already done
    with pytest.raises(InvalidRequestError) as caught:
        paypal.capture(payment.id)
    assert caught.value.code == "10600"


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakePayPalNVP, mode: str, stack: ExitStack
) -> None:
    paypal = connect(fake, mode, stack, retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    fake.inject(FaultKind.ERROR, status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        paypal.create_payment(request())
    assert caught.value.status_code == 503
    assert len(fake.requests) == 3
    assert not fake.checkouts


# -- PayPal's refusals ----------------------------------------------------------------------------


def test_bad_credentials_never_leak(fake: FakePayPalNVP, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    password, signature = "very-secret-password", "very-secret-signature"
    paypal = PayPalNVP(fake.username, password, signature, transport=fake.transport(), **NO_WAIT)
    fake.inject(FaultKind.ERROR, status=500)
    with pytest.raises(AuthenticationError) as caught:
        paypal.create_payment(request())
    assert caught.value.code == "10002"
    assert caplog.records  # the retry was logged...
    for text in (str(caught.value), repr(caught.value), repr(paypal), caplog.text):
        assert password not in text  # ...and nothing shows a secret
        assert signature not in text


def test_capture_before_approval_sends_no_payment(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    payment = paypal.create_payment(request())
    with pytest.raises(InvalidRequestError) as caught:
        paypal.capture(payment.id)
    assert caught.value.code == "10419"
    assert not sent(fake, "DoExpressCheckoutPayment")


def test_declined_funding_is_a_declined_payment(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    fake.decline(payment.id)
    with pytest.raises(PaymentDeclinedError) as caught:
        paypal.capture(payment.id)
    assert caught.value.code == "10417"
    assert caught.value.request_id
    assert paypal.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


def test_partial_capture_needs_the_authorization_action(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    with pytest.raises(UnsupportedOperationError):
        paypal.capture(payment.id, Money("1.00", "EUR"))
    assert paypal.capture(payment.id, Money("10.00", "EUR")).status is PaymentStatus.PAID
    assert paypal.capture(payment.id).captured == Money("10.00", "EUR")  # no second sale


def test_authorize_capture_in_parts_and_refund_across_captures(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature,
                       transport=fake.transport(), action="Authorization")  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    assert paypal.capture(payment.id, Money("3.00", "EUR")).captured == Money("3.00", "EUR")
    final = paypal.capture(payment.id)
    assert final.captured == Money("10.00", "EUR")
    assert [f["COMPLETETYPE"] for f in sent(fake, "DoCapture")] == ["NotComplete", "Complete"]
    refunded = paypal.refund(payment.id, Money("5.00", "EUR"), reason="Damaged")
    assert refunded.refunded == Money("5.00", "EUR")
    refunds = sent(fake, "RefundTransaction")
    assert [(f["REFUNDTYPE"], f.get("AMT")) for f in refunds] == [
        ("Full", None),
        ("Partial", "2.00"),
    ]
    assert {f["NOTE"] for f in refunds} == {"Damaged"}
    assert paypal.refund(payment.id).status is PaymentStatus.REFUNDED


def test_whole_unit_currencies(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    with pytest.raises(InvalidRequestError) as caught:
        paypal.create_payment(request("10.50", "HUF"))
    assert caught.value.provider == "paypal_nvp"
    assert not fake.requests  # refused before anything was sent
    payment = paypal.create_payment(request("1000", "JPY"))
    assert sent(fake, "SetExpressCheckout")[0]["PAYMENTREQUEST_0_AMT"] == "1000"
    assert paypal.get_payment(payment.id).amount == Money("1000", "JPY")


def test_return_and_cancel_urls_are_required(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    with pytest.raises(InvalidRequestError) as caught:
        paypal.create_payment(PaymentRequest(amount=Money("1.00", "EUR"), reference="INV-2"))
    assert caught.value.code == "10471"
    assert not fake.requests


def raw(fake: FakePayPalNVP, **fields: str) -> dict[str, str]:
    body = {"USER": fake.username, "PWD": fake.password, "SIGNATURE": fake.signature,
            "VERSION": "119.0", **fields}  # fmt: skip
    with httpx.Client(transport=fake.transport()) as client:
        answer = client.post(ENDPOINTS["sandbox"].api, content=encode_nvp(body))
    assert answer.status_code == 200
    return decode_nvp(answer.content)


SET = {
    "METHOD": "SetExpressCheckout",
    "PAYMENTREQUEST_0_CURRENCYCODE": "EUR",
    "PAYMENTREQUEST_0_AMT": "1.00",
    "RETURNURL": "https://shop.example/ok",
    "CANCELURL": "https://shop.example/cancel",
}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"PAYMENTREQUEST_0_AMT": None}, "10400"),
        ({"PAYMENTREQUEST_0_AMT": "1.001"}, "10401"),
        ({"PAYMENTREQUEST_0_AMT": "1,00"}, "10401"),
        ({"PAYMENTREQUEST_0_AMT": "1.5", "PAYMENTREQUEST_0_CURRENCYCODE": "JPY"}, "10401"),
        ({"PAYMENTREQUEST_0_AMT": "0.00"}, "10525"),
        ({"PAYMENTREQUEST_0_AMT": "10000.01"}, "10414"),
        ({"PAYMENTREQUEST_0_CURRENCYCODE": "XYZ"}, "10605"),
        ({"RETURNURL": None}, "10471"),
        ({"CANCELURL": None}, "10472"),
        ({"METHOD": "DoDirectPayment"}, "81002"),
        ({"SIGNATURE": "forged"}, "10002"),
    ],
)
def test_fake_validates_like_paypal(
    fake: FakePayPalNVP, changes: dict[str, str | None], code: str
) -> None:
    fields = {**SET, "SIGNATURE": fake.signature, **changes}
    answer = raw(fake, **{k: v for k, v in fields.items() if v is not None})
    assert (answer["ACK"], answer["L_ERRORCODE0"]) == ("Failure", code)
    assert answer["L_SEVERITYCODE0"] == "Error"
    assert answer["CORRELATIONID"]
    assert not fake.checkouts


def test_fake_refuses_refunds_beyond_what_is_left(fake: FakePayPalNVP) -> None:
    token = raw(fake, **SET)["TOKEN"]
    fake.approve(token)
    payer = fake.checkouts[token]["payer_id"]
    paid = raw(fake, METHOD="DoExpressCheckoutPayment", TOKEN=token, PAYERID=payer,
               PAYMENTREQUEST_0_AMT="1.00", PAYMENTREQUEST_0_CURRENCYCODE="EUR")  # fmt: skip
    transaction = paid["PAYMENTINFO_0_TRANSACTIONID"]
    too_much = raw(fake, METHOD="RefundTransaction", TRANSACTIONID=transaction,
                   REFUNDTYPE="Partial", AMT="1.01", CURRENCYCODE="EUR")  # fmt: skip
    assert too_much["L_ERRORCODE0"] == "10009"
    again = raw(fake, METHOD="DoExpressCheckoutPayment", TOKEN=token, PAYERID=payer,
                PAYMENTREQUEST_0_AMT="1.00", PAYMENTREQUEST_0_CURRENCYCODE="EUR")  # fmt: skip
    assert (again["ACK"], again["L_ERRORCODE0"]) == ("SuccessWithWarning", "11607")
    assert again["PAYMENTINFO_0_TRANSACTIONID"] == transaction


def test_unknown_token_is_paypals_invalid_token(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    with pytest.raises(InvalidRequestError) as caught:
        paypal.get_payment("EC-0000000000000000")
    assert caught.value.code == "10410"


def test_endpoints_follow_the_environment() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, text="ACK=Success&TOKEN=EC-1")

    for environment in ("sandbox", "live"):
        paypal = PayPalNVP("user", "pwd", "sig", environment=environment,  # type: ignore[arg-type]
                           transport=httpx.MockTransport(handler))  # fmt: skip
        payment = paypal.create_payment(request())
        assert payment.redirect_url is not None
        assert payment.redirect_url.startswith(ENDPOINTS[environment].checkout)
    assert seen == ["https://api-3t.sandbox.paypal.com/nvp", "https://api-3t.paypal.com/nvp"]


def test_subject_and_button_source_are_sent(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport(),
                       subject="shop@example.org", button_source="Payportal_SP")  # fmt: skip
    paypal.create_payment(request())
    fields = sent(fake, "SetExpressCheckout")[0]
    assert (fields["SUBJECT"], fields["BUTTONSOURCE"]) == ("shop@example.org", "Payportal_SP")


# -- IPN ------------------------------------------------------------------------------------------


def paid_with_ipn(
    paypal: PayPalNVP, fake: FakePayPalNVP
) -> tuple[str, list[tuple[dict[str, str], bytes]]]:
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    paypal.refund(payment.id, Money("4.00", "EUR"))
    return payment.id, fake.webhooks()


def test_ipn_is_verified_by_post_back(fake: FakePayPalNVP, mode: str, stack: ExitStack) -> None:
    paypal = connect(fake, mode, stack, receiver_email=fake.receiver_email)
    token, delivered = paid_with_ipn(paypal, fake)
    paid, refunded = (paypal.parse_webhook(headers, body) for headers, body in delivered)
    assert (paid.type, paid.status, paid.payment_id) == (
        "express_checkout",
        PaymentStatus.PAID,
        token,
    )
    assert paid.occurred_at is not None
    assert paid.data["mc_gross"] == "10.00"
    assert (refunded.type, refunded.status, refunded.payment_id) == ("refund", None, token)
    post_backs = [r for r in fake.requests if r.url.path == "/cgi-bin/webscr"]
    assert post_backs[0].content == b"cmd=_notify-validate&" + delivered[0][1]


def test_tampered_or_forged_ipn_is_refused_and_changes_nothing(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    token, delivered = paid_with_ipn(paypal, fake)
    before = paypal.get_payment(token)
    _, body = delivered[0]
    tampered = body.replace(b"mc_gross=10.00", b"mc_gross=99.00")
    assert tampered != body
    forged = encode_nvp({"txn_id": "1", "payment_status": "Completed", "custom": token})
    for bad in (tampered, forged):
        with pytest.raises(WebhookVerificationError):
            paypal.parse_webhook({}, bad)
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook({}, b"not ipn at all")
    assert paypal.get_payment(token) == before


def test_duplicate_ipn_names_the_same_event_and_changes_nothing(fake: FakePayPalNVP) -> None:
    fake.duplicate_webhooks = True
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    token, delivered = paid_with_ipn(paypal, fake)
    before = paypal.get_payment(token)
    events = [paypal.parse_webhook(h, b) for h, b in delivered]
    assert len(events) == 4
    assert len({event.id for event in events}) == 2
    assert paypal.get_payment(token) == before
    assert len(fake.transactions) == 2


def test_ipn_for_another_account_is_refused(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature,
                       transport=fake.transport(), receiver_email="other@example.org")  # fmt: skip
    _, delivered = paid_with_ipn(paypal, fake)
    with pytest.raises(WebhookVerificationError, match="another PayPal account"):
        paypal.parse_webhook(*delivered[0])


def test_ipn_post_back_outage_is_a_verification_failure(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport(),
                       retry=RetryPolicy(max_attempts=1))  # fmt: skip
    _, delivered = paid_with_ipn(paypal, fake)
    fake.inject(FaultKind.ERROR, path="/cgi-bin/webscr", status=503)
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(*delivered[0])


def test_authorization_ipn_announces_authorized(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature,
                       transport=fake.transport(), action="Authorization")  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.cancel(payment.id)
    events = [paypal.parse_webhook(h, b) for h, b in fake.webhooks()]
    assert [e.status for e in events] == [PaymentStatus.AUTHORIZED, PaymentStatus.CANCELLED]


# -- async and protocols --------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakePayPalNVP) -> None:
    async def flow() -> list[PaymentStatus]:
        async with AsyncPayPalNVP(fake.username, fake.password, fake.signature,
                                  transport=fake.transport(), action="Authorization",
                                  **NO_WAIT | {"sleep": _no_sleep}) as paypal:  # fmt: skip
            payment = await paypal.create_payment(request())
            fake.approve(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, body=method("DoCapture"))
            captured = await paypal.capture(payment.id, Money("4.00", "EUR"))
            refunded = await paypal.refund(payment.id)
            events = [await paypal.parse_webhook(h, b) for h, b in fake.webhooks()]
            assert {event.payment_id for event in events} == {payment.id}
            return [payment.status, captured.status, refunded.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PAID,
        PaymentStatus.REFUNDED,
    ]
    assert [t["type"] for t in fake.transactions.values()].count("Payment") == 1


async def _no_sleep(seconds: float) -> None:
    return None


def test_clients_satisfy_the_protocols(fake: FakePayPalNVP) -> None:
    with PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport()) as p:
        assert isinstance(p, PaymentProvider)
        assert not p.capabilities.void
    asynchronous = AsyncPayPalNVP(fake.username, fake.password, fake.signature,
                                  transport=fake.transport(), action="Authorization")  # fmt: skip
    assert isinstance(asynchronous, AsyncPaymentProvider)
    assert asynchronous.capabilities.partial_capture
    asyncio.run(asynchronous.aclose())


def test_a_paid_payment_is_found_by_its_transaction_id(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature,
                       transport=fake.transport(), action="Authorization")  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    by_token = paypal.capture(payment.id, Money("6.00", "EUR"))
    transaction_id = dict(urllib.parse.parse_qsl(fake.webhooks()[0][1].decode()))["txn_id"]
    by_transaction = paypal.get_payment(transaction_id)
    assert by_transaction.id == transaction_id
    assert (by_transaction.status, by_transaction.captured) == (by_token.status, by_token.captured)
    assert paypal.capture(transaction_id).captured == Money("10.00", "EUR")
    assert paypal.refund(transaction_id, Money("7.00", "EUR")).refunded == Money("7.00", "EUR")
    assert paypal.get_payment(payment.id).refunded == Money("7.00", "EUR")


def test_capturing_a_fully_captured_authorization_again_sends_nothing(
    fake: FakePayPalNVP,
) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature,
                       transport=fake.transport(), action="Authorization")  # fmt: skip
    payment = paypal.create_payment(request())
    fake.approve(payment.id)
    paypal.capture(payment.id)
    assert paypal.capture(payment.id).captured == Money("10.00", "EUR")
    assert len(sent(fake, "DoCapture")) == 1
    with pytest.raises(InvalidRequestError):
        paypal.capture(payment.id, Money("1.00", "USD"))
    assert len(sent(fake, "DoCapture")) == 1


def call(fake: FakePayPalNVP, method: str, **fields: str) -> dict[str, str]:
    """Call NVP ``method`` on ``fake`` directly; the decoded answer."""
    credentials = {"USER": fake.username, "PWD": fake.password, "SIGNATURE": fake.signature}
    body = _encode({**credentials, "VERSION": "204.0", "METHOD": method, **fields})
    with httpx.Client(transport=fake.transport()) as client:
        return decode_nvp(client.post("https://api-3t.paypal.com/nvp", content=body).content)


def test_an_authorization_expires_after_29_days_on_the_fakes_clock() -> None:
    # PayPal's error 10601 (Authorization expired) for DoCapture and DoVoid, from PayPal's
    # NVP/SOAP error reference (Authorization & Capture API errors).
    moment = [1_700_000_000.0]
    fake = FakePayPalNVP(clock=lambda: moment[0])
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, action="Authorization",
                       transport=fake.transport(), **NO_WAIT)  # fmt: skip
    held, partly = (paypal.create_payment(request()) for _ in range(2))
    fake.approve(held.id)
    payment = {"AMT": "10.00", "CURRENCYCODE": "EUR", "PAYMENTACTION": "Authorization"}
    answer = call(
        fake,
        "DoExpressCheckoutPayment",
        TOKEN=held.id,
        PAYERID=fake.checkouts[held.id].payer_id or "",
        **{f"PAYMENTREQUEST_0_{name}": value for name, value in payment.items()},
    )
    authorization = fake.transactions[answer["PAYMENTINFO_0_TRANSACTIONID"]]
    fake.approve(partly.id)
    assert paypal.capture(partly.id, Money("4.00", "EUR")).captured == Money("4.00", "EUR")
    moment[0] += 29 * 86_400  # the last moment of the authorization period: still open
    assert paypal.get_payment(held.id).status is PaymentStatus.AUTHORIZED
    assert paypal.capture(partly.id, Money("1.00", "EUR")).captured == Money("5.00", "EUR")
    moment[0] += 1
    assert paypal.get_payment(held.id).status is PaymentStatus.EXPIRED
    assert (authorization.type, authorization.status) == ("Authorization", "Expired")
    for operation in (paypal.capture, paypal.cancel):
        with pytest.raises(InvalidRequestError) as caught:
            operation(held.id)
        assert caught.value.code == "10601"
    # A partly captured authorization expires too: the rest can no longer be captured.
    with pytest.raises(InvalidRequestError) as caught:
        paypal.capture(partly.id)
    assert caught.value.code == "10601"


def test_fake_routes_by_method_and_answers_other_pages_with_its_html_404(
    fake: FakePayPalNVP,
) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://api-3t.paypal.com") as client:
        pages = [
            client.get("/nvp"),
            client.post("/nvp/x", content=b"METHOD=SetExpressCheckout"),
            client.post("/cgi-bin/webscr", content=b"cmd=_other"),
            client.get("/cgi-bin/webscr?cmd=_other"),
        ]
    assert [(p.status_code, p.text) for p in pages] == [(404, "<p>Not Found</p>")] * 4
    answer = call(fake, "DoDirectPayment")
    assert (answer["ACK"], answer["L_ERRORCODE0"], answer["VERSION"]) == (
        "Failure",
        "81002",
        "204.0",
    )


def test_fake_keeps_typed_records_that_still_read_by_field_name(fake: FakePayPalNVP) -> None:
    paypal = PayPalNVP(fake.username, fake.password, fake.signature, transport=fake.transport())
    payment = paypal.create_payment(request())
    checkout = fake.checkouts[payment.id]
    assert (checkout.amount, checkout.payer_id, checkout.transaction) == (
        Money("10.00", "EUR"), None, None
    )  # fmt: skip
    fake.approve(payment.id)
    paypal.capture(payment.id)
    assert checkout["payer_id"] == checkout.payer_id is not None
    (sale,) = fake.transactions.values()
    assert (sale.id, sale.type, sale.status, sale.amount) == (
        checkout.transaction, "Payment", "Completed", Money("10.00", "EUR")
    )  # fmt: skip
    assert sale["time"] == sale.made.strftime("%Y-%m-%dT%H:%M:%SZ")
