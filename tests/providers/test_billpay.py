from __future__ import annotations

import asyncio
import hashlib
from contextlib import ExitStack
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree
import httpx
import pytest

from payportal import Money, references
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    PaymentDeclinedError,
    ProviderError,
    ProviderUnavailableError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
    RetryPolicy,
)
from payportal.providers.billpay import (
    AsyncBillPay,
    BillPay,
    BillPayOrder,
    activation_deadline,
    bpsecure,
    parse_answer,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_billpay import FakeBillPay, sample_buyer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "billpay"
NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def body_of(name: str) -> bytes:
    """The XML body of a sample; ``.http`` samples are whole HTTP responses."""
    raw = (SAMPLES / name).read_bytes()
    if name.endswith(".http"):
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        assert head.startswith(b"HTTP/1.1 200")
        return body
    return raw


def request(amount: str = "119.00", reference: str = "ORDER-1", **buyer: str) -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, "EUR"), reference=reference, metadata=sample_buyer(**buyer)
    )


@pytest.fixture
def fake() -> FakeBillPay:
    return FakeBillPay()


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(fake: FakeBillPay, mode: str, stack: ExitStack, **options: Any) -> BillPay:
    """A client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {**NO_WAIT, **options}
    if mode == "loopback":
        options["base_url"] = stack.enter_context(fake.serve()) + "/xml/offline"
    else:
        options["transport"] = fake.transport()
    return stack.enter_context(
        BillPay(fake.merchant_id, fake.portal_id, fake.security_key, **options)
    )


@pytest.fixture
def billpay(fake: FakeBillPay) -> BillPay:
    return BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                   transport=fake.transport(), **NO_WAIT)  # fmt: skip


def sent(fake: FakeBillPay, operation: str) -> list[httpx.Request]:
    return [r for r in fake.requests if r.url.path.endswith("/" + operation)]


class TestBillPayContract(ProviderContract):
    payer_approves = False  # BillPay decides at preauthorization

    def make_request(self, amount: str = "10.00", currency: str = "EUR") -> PaymentRequest:
        return PaymentRequest(
            amount=Money(amount, currency),
            reference="CONTRACT-1",
            description="Contract test",
            metadata=sample_buyer(),
        )

    @pytest.fixture
    def provider(self, fake: FakeBillPay, mode: str, stack: ExitStack) -> BillPay:
        return connect(fake, mode, stack)

    @pytest.fixture
    def approve(self) -> Callable[[str], None]:
        return lambda payment_id: None  # BillPay decides at preauthorization

    @pytest.fixture
    def webhooks(self) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return list

    # Beyond the contract's "decided at once": the instructions (account, reference,
    # activation deadline) are there from the start.
    def test_approved_purchase_carries_the_payment_instructions(
        self, provider: PaymentProvider
    ) -> None:
        created = provider.create_payment(self.make_request())
        assert created.status is PaymentStatus.AUTHORIZED
        assert created.raw_status == "APPROVED"
        assert created.redirect_url is None
        assert created.instructions["reference"].startswith("BP")
        assert created.instructions["activation_deadline"]
        assert not created.captured


# -- the parser against every response sample ---------------------------------------------------


def test_preauthorize_sample_is_approved() -> None:
    answer = parse_answer(body_of("response_preauthorize.http"))
    assert (answer.status, answer.bptid) == ("APPROVED", "1aa2fb2d-2b78-4393-bf06-be0012dda337")
    assert answer.bank_account is None
    assert not answer.activation_performed


@pytest.mark.parametrize(
    "name", ["response_preauthorize_invoice_bank_account.http", "response_capture.http"]
)
def test_bank_account_samples_give_the_payment_instructions(name: str) -> None:
    account = parse_answer(body_of(name)).bank_account
    assert account is not None
    assert account.instructions() == {
        "account_holder": "BillPay GmbH",
        "iban": "DE07312312312312312",
        "bic": "BELADEBEXXX",
        "bank_name": "Sparkasse Berlin",
        "reference": "BP555666777/9999",
    }
    assert references.billpay.split(account.reference) == ("555666777", "9999")


def test_invoice_created_sample_has_the_due_date() -> None:
    answer = parse_answer(body_of("response_invoice_created.http"))
    assert answer.activation_performed
    assert answer.bank_account is not None
    assert answer.bank_account.due_on == date(2015, 5, 1)
    assert answer.bank_account.instructions()["due_date"] == "2015-05-01"


def test_corrected_address_sample() -> None:
    answer = parse_answer(body_of("response_preauthorize_corrected_address.http"))
    assert answer.corrected_address == {
        "city": "Teststadt 8549403905",
        "country": "DEU",
        "street": "Teststrasse 8549403905",
        "streetNo": "123",
        "zip": "12345",
    }


def test_payment_plan_sample_instalments_add_up() -> None:
    answer = parse_answer(body_of("response_preauthorize_payment_plan.http"))
    assert len(answer.instalments) == 26
    assert answer.plan["num_inst"] == "24"
    assert answer.plan["fee_total"] == "12582"
    assert answer.instalments[0].kind == "immediate"
    assert answer.instalments[0].due_on == date(2016, 3, 9)
    assert answer.instalments[-1].kind == "fee"
    total = sum((i.amount for i in answer.instalments), Money.zero("EUR"))
    assert total.minor_units == int(answer.plan["total_amount"]) == 86382


def test_cancel_sample_is_a_plain_success() -> None:
    assert parse_answer(body_of("response_cancel.http")).bank_account is None


def test_failed_sample_is_a_decline_with_both_messages() -> None:
    with pytest.raises(PaymentDeclinedError) as caught:
        parse_answer(body_of("response_failed.http"))
    error = caught.value
    assert error.code == "12345"
    assert error.request_id == "1aa2fb2d-2b78-4393-bf06-be0012dda337"
    assert "MerchantMessage" in error.message
    assert "CustomerMessage" in error.message


def test_client_reads_a_recorded_preauthorization() -> None:
    recorded = body_of("response_preauthorize_invoice_bank_account.http")
    replay = httpx.MockTransport(lambda r: httpx.Response(200, content=recorded))
    payment = BillPay("4441", "6021", "key", transport=replay).create_payment(request())
    assert payment.status is PaymentStatus.AUTHORIZED
    assert payment.instructions["iban"] == "DE07312312312312312"
    assert payment.instructions["reference"] == "BP555666777/9999"


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b"<data>", b"<other error_code='0'/>",
     b"<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><data error_code='&e;'/>"],
)  # fmt: skip
def test_unreadable_answers_are_provider_errors(body: bytes) -> None:
    with pytest.raises(ProviderError) as caught:
        parse_answer(body)
    assert type(caught.value) is ProviderError


def test_bpsecure_vectors() -> None:
    assert bpsecure("") == "d41d8cd98f00b204e9800998ecf8427e"
    assert bpsecure("12345678") == "25d55ad283aa400af464c76d713c07ad"


# -- requests: shaped like the samples, validated like BillPay -----------------------------------


def test_preauthorize_request_has_the_sample_shape(fake: FakeBillPay, billpay: BillPay) -> None:
    billpay.create_payment(request("119.00", birthday="1970-01-01", country="de"))
    (sent_request,) = sent(fake, "preauthorize")
    assert sent_request.url.path == "/xml/offline/preauthorize"
    ours = defusedxml.ElementTree.fromstring(sent_request.content)
    theirs = defusedxml.ElementTree.fromstring(body_of("request_preauthorize.xml"))
    assert ours.attrib.keys() == theirs.attrib.keys()
    assert ours.get("paymenttype") == "1"
    for tag in ("default_params", "customer_details", "shipping_details", "total"):
        ours_element, theirs_element = ours.find(tag), theirs.find(tag)
        assert ours_element is not None, tag
        assert theirs_element is not None, tag
        assert set(ours_element.attrib) <= set(theirs_element.attrib), tag
    params = ours.find("default_params")
    assert params is not None
    assert params.get("bpsecure") == hashlib.md5(fake.security_key.encode()).hexdigest()
    customer = ours.find("customer_details")
    assert customer is not None
    assert (customer.get("country"), customer.get("birthday")) == ("DEU", "19700101")
    assert ours.find("total").attrib["carttotalpricegross"] == "11900"  # type: ignore[union-attr]


def fill(sample: bytes, fake: FakeBillPay) -> bytes:
    credentials = (
        f'mid="{fake.merchant_id}" pid="{fake.portal_id}" bpsecure="{bpsecure(fake.security_key)}"'
    )
    filled = sample.replace(b'mid="" pid="" bpsecure="d41d8cd98f00b204e9800998ecf8427e"',
                            credentials.encode())  # fmt: skip
    for name, value in (("lastName", "Doe"), ("street", "Main"), ("streetNo", "1"),
                        ("zip", "10115"), ("city", "Berlin"), ("country", "DEU"),
                        ("email", "j@example.org"), ("birthday", "19800101")):  # fmt: skip
        filled = filled.replace(f' {name}=""'.encode(), f' {name}="{value}"'.encode(), 1)
    return filled.replace(b'firstName=""', b'firstName="John"', 1)


def post(fake: FakeBillPay, operation: str, body: bytes) -> Any:
    with httpx.Client(transport=fake.transport()) as client:
        response = client.post(f"https://test-api.billpay.de/xml/offline/{operation}", content=body)
    assert response.status_code == 200
    return parse_answer(response.content)


@pytest.mark.parametrize(
    "name", ["request_preauthorize.xml", "request_preauthorize_differing_addresses.xml"]
)
def test_fake_accepts_the_request_samples(fake: FakeBillPay, name: str) -> None:
    assert post(fake, "preauthorize", fill(body_of(name), fake)).status == "APPROVED"
    assert fake.orders["ORDER-12345678"]["gross"] == 2395
    activated = post(fake, "invoiceCreated", fill(body_of("request_invoice_created.xml"), fake))
    assert activated.activation_performed
    assert fake.orders["ORDER-12345678"]["status"] == "ACTIVATED"
    post(fake, "cancel", fill(body_of("request_cancel.xml"), fake))
    assert fake.orders["ORDER-12345678"]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("replace", "error", "code"),
    [
        ((b'lastName="Doe"', b'lastName=""'), InvalidRequestError, "12"),
        ((b'tcaccepted="1"', b'tcaccepted="0"'), InvalidRequestError, "12"),
        ((b'carttotalpricegross="2395"', b'carttotalpricegross="2396"'), InvalidRequestError, "43"),
        ((b'articlequantity="3"', b'articlequantity="x"'), InvalidRequestError, "12"),
        ((b'currency="EUR"', b'currency="USD"'), InvalidRequestError, "12"),
        ((b'birthday="19800101"', b'birthday="1980"'), InvalidRequestError, "12"),
        ((b'country="DEU"', b'country="USA"'), InvalidRequestError, "12"),
        ((b'pid="6021"', b'pid="6022"'), AuthenticationError, "7"),
        ((b"<data ", b"<date "), InvalidRequestError, "12"),
    ],
)
def test_fake_validates_preauthorize_like_billpay(
    fake: FakeBillPay, replace: tuple[bytes, bytes], error: type[ProviderError], code: str
) -> None:
    body = fill(body_of("request_preauthorize.xml"), fake)
    assert replace[0] in body
    body = body.replace(*replace)
    if replace[0] == b"<data ":
        body = body.replace(b"</data>", b"</date>")
    with pytest.raises(error) as caught:
        post(fake, "preauthorize", body)
    assert caught.value.code == code
    assert not fake.orders


def test_fake_refuses_wrong_totals_and_unknown_orders(fake: FakeBillPay) -> None:
    post(fake, "preauthorize", fill(body_of("request_preauthorize.xml"), fake))
    for operation, sample, change, code in [
        ("invoiceCreated", "request_invoice_created.xml", b'"2395"', "43"),
        ("cancel", "request_cancel.xml", b'"2395"', "43"),
        ("cancel", "request_cancel.xml", b'"ORDER-12345678"', "40"),
    ]:
        body = fill(body_of(sample), fake).replace(change, b'"ORDER-0"' if code == "40" else b'"1"')
        with pytest.raises(InvalidRequestError) as caught:
            post(fake, operation, body)
        assert caught.value.code == code
    assert fake.orders["ORDER-12345678"]["status"] == "APPROVED"


# -- behaviour ----------------------------------------------------------------------------------


def test_activation_shows_due_date_and_reference(fake: FakeBillPay, billpay: BillPay) -> None:
    payment = billpay.create_payment(request())
    captured = billpay.capture(payment.id)
    assert captured.instructions["due_date"]
    assert "activation_deadline" not in captured.instructions
    reference = captured.instructions["reference"]
    assert references.billpay.is_valid(reference)
    assert references.billpay.split(reference)[1] == fake.merchant_id
    assert billpay.get_payment(payment.id).instructions == captured.instructions


def test_partial_capture_reduces_the_cart_first(fake: FakeBillPay, billpay: BillPay) -> None:
    payment = billpay.create_payment(request("100.00"))
    captured = billpay.capture(payment.id, Money("60.00", "EUR"))
    assert (captured.amount, captured.captured) == (Money("100.00", "EUR"), Money("60.00", "EUR"))
    assert fake.orders["ORDER-1"]["gross"] == 6000
    assert [r.url.path.rsplit("/", 1)[-1] for r in fake.requests] == [
        "preauthorize", "editCartContent", "invoiceCreated",
    ]  # fmt: skip
    with pytest.raises(InvalidRequestError):
        billpay.capture(payment.id)  # never activated twice
    assert fake.activations == {"ORDER-1": 1}


def test_partial_refunds_reduce_then_cancel(fake: FakeBillPay, billpay: BillPay) -> None:
    payment = billpay.create_payment(request("100.00"))
    billpay.capture(payment.id)
    first = billpay.refund(payment.id, Money("30.00", "EUR"))
    assert fake.orders["ORDER-1"]["gross"] == 7000
    rest = billpay.refund(payment.id)
    assert fake.orders["ORDER-1"]["status"] == "CANCELLED"
    assert (first.status, rest.status) == (PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
    assert [r.amount for r in rest.refunds] == [Money("30.00", "EUR"), Money("70.00", "EUR")]
    with pytest.raises(InvalidRequestError):
        billpay.refund(payment.id, Money("1.00", "EUR"))


def test_net_amount_is_sent_and_reduced_in_proportion(fake: FakeBillPay, billpay: BillPay) -> None:
    billpay.create_payment(
        PaymentRequest(
            amount=Money("119.00", "EUR"),
            reference="NET-1",
            metadata={**sample_buyer(), "net": "100.00"},
        )
    )
    assert fake.orders["NET-1"]["net"] == 10000
    billpay.capture("NET-1", Money("59.50", "EUR"))
    assert (fake.orders["NET-1"]["gross"], fake.orders["NET-1"]["net"]) == (5950, 5000)
    with pytest.raises(ValidationError) as caught:
        billpay.create_payment(
            PaymentRequest(
                amount=Money("1.00", "EUR"),
                reference="NET-2",
                metadata={**sample_buyer(), "net": "2.00"},
            )
        )
    assert caught.value.field == "metadata.net"


def test_declined_buyer_raises_and_may_try_again(fake: FakeBillPay, billpay: BillPay) -> None:
    fake.deny_next()
    with pytest.raises(PaymentDeclinedError) as caught:
        billpay.create_payment(request())
    assert caught.value.code == "12345"
    assert "another payment method" in caught.value.message
    assert "ORDER-1" not in billpay.orders
    assert billpay.create_payment(request()).status is PaymentStatus.AUTHORIZED


def test_reference_in_use_is_refused_before_sending(fake: FakeBillPay, billpay: BillPay) -> None:
    billpay.create_payment(request())
    before = len(fake.requests)
    with pytest.raises(InvalidRequestError) as caught:
        billpay.create_payment(request())
    assert caught.value.code == "44"
    assert len(fake.requests) == before


def noon(day: date) -> float:
    """Seconds since the epoch at noon UTC on ``day``, for a fake's clock."""
    return datetime.combine(day, time(12), UTC).timestamp()


def test_orders_expire_after_two_months() -> None:
    today = [date(2024, 12, 31)]
    fake = FakeBillPay(clock=lambda: noon(today[0]))
    billpay = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                      transport=fake.transport(), today=lambda: today[0])  # fmt: skip
    payment = billpay.create_payment(request())
    assert payment.instructions["activation_deadline"] == "2025-02-28"
    assert billpay.orders["ORDER-1"].activation_deadline == date(2025, 2, 28)
    assert fake.orders["ORDER-1"].deadline == date(2025, 2, 28)
    today[0] = date(2025, 2, 28)
    assert billpay.get_payment(payment.id).status is PaymentStatus.AUTHORIZED
    assert fake.orders["ORDER-1"].status == "APPROVED"
    today[0] = date(2025, 3, 1)
    assert billpay.get_payment(payment.id).status is PaymentStatus.EXPIRED
    with pytest.raises(InvalidRequestError):
        billpay.capture(payment.id)
    assert fake.orders["ORDER-1"].status == "CANCELLED"  # BillPay cancelled it on its clock
    assert fake.activations == {}


def test_fake_cancels_an_order_only_after_its_activation_deadline() -> None:
    today = [date(2025, 1, 31)]
    fake = FakeBillPay(clock=lambda: noon(today[0]))
    billpay = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                      transport=fake.transport(), today=lambda: date(2025, 1, 31))  # fmt: skip
    payment = billpay.create_payment(request())
    assert fake.orders["ORDER-1"].deadline == date(2025, 3, 31)
    today[0] = date(2025, 3, 31)  # the last day: still activatable on the fake's clock
    assert billpay.capture(payment.id).status is PaymentStatus.PAID
    assert fake.orders["ORDER-1"].status == "ACTIVATED"
    today[0] = date(2025, 6, 1)  # an activated order never lapses
    assert billpay.get_payment(payment.id).status is PaymentStatus.PAID
    assert fake.orders["ORDER-1"].status == "ACTIVATED"


def test_activation_deadline_keeps_the_day_when_it_exists() -> None:
    assert activation_deadline(date(2025, 1, 15)) == date(2025, 3, 15)
    assert activation_deadline(date(2025, 11, 30)) == date(2026, 1, 30)
    assert activation_deadline(date(2023, 12, 30)) == date(2024, 2, 29)


def test_orders_can_live_in_the_merchants_storage(fake: FakeBillPay) -> None:
    storage: dict[str, BillPayOrder] = {}
    first = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                    transport=fake.transport(), orders=storage)  # fmt: skip
    payment = first.create_payment(request())
    later = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                    transport=fake.transport(), orders=storage)  # fmt: skip
    assert later.capture(payment.id).status is PaymentStatus.PAID
    assert first.orders is storage


def test_unknown_and_malformed_ids_send_nothing(fake: FakeBillPay, billpay: BillPay) -> None:
    for bad in ("NO-SUCH", "", "a b", "<x/>", "1" * 41):
        with pytest.raises(InvalidRequestError) as caught:
            billpay.get_payment(bad)
        assert caught.value.code == "40"
    with pytest.raises(InvalidRequestError):
        billpay.create_payment(request(reference="a b"))
    assert not fake.requests


def test_cancel_after_activation_is_refused(billpay: BillPay) -> None:
    payment = billpay.create_payment(request())
    billpay.capture(payment.id)
    with pytest.raises(InvalidRequestError) as caught:
        billpay.cancel(payment.id)
    assert caught.value.code == "42"


# -- fault injection ----------------------------------------------------------------------------


def test_preauthorize_with_lost_answer_is_executed_once(
    fake: FakeBillPay, mode: str, stack: ExitStack
) -> None:
    billpay = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/preauthorize")
    payment = billpay.create_payment(request())
    assert payment.status is PaymentStatus.AUTHORIZED
    assert payment.instructions["reference"] == f"BP1000001/{fake.merchant_id}"
    assert len(fake.orders) == 1
    assert len(sent(fake, "preauthorize")) == 1  # read back, not resent


def test_preauthorize_that_never_arrived_is_resent(fake: FakeBillPay, billpay: BillPay) -> None:
    fake.inject(FaultKind.DROP, path="/preauthorize")
    fake.inject(FaultKind.ERROR, status=503, retry_after="0", path="/preauthorize")
    payment = billpay.create_payment(request())
    assert payment.status is PaymentStatus.AUTHORIZED
    assert len(sent(fake, "preauthorize")) == 3
    assert len(fake.orders) == 1


def test_activation_with_lost_answer_never_activates_twice(
    fake: FakeBillPay, mode: str, stack: ExitStack
) -> None:
    billpay = connect(fake, mode, stack)
    payment = billpay.create_payment(request())
    fake.inject(FaultKind.LOSE_RESPONSE, path="/invoiceCreated")
    captured = billpay.capture(payment.id)
    assert captured.status is PaymentStatus.PAID
    assert captured.instructions["due_date"]
    assert fake.activations == {"ORDER-1": 1}
    assert len(sent(fake, "invoiceCreated")) == 1


def test_activation_after_server_errors_activates_once(fake: FakeBillPay, billpay: BillPay) -> None:
    payment = billpay.create_payment(request())
    fake.inject(FaultKind.ERROR, status=502, path="/invoiceCreated")
    fake.inject(FaultKind.DROP, path="/invoiceCreated")
    assert billpay.capture(payment.id).status is PaymentStatus.PAID
    assert fake.activations == {"ORDER-1": 1}


def test_refunds_with_lost_answers_are_executed_once(
    fake: FakeBillPay, mode: str, stack: ExitStack
) -> None:
    billpay = connect(fake, mode, stack)
    payment = billpay.create_payment(request("100.00"))
    billpay.capture(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, path="/editCartContent")
    assert billpay.refund(payment.id, Money("25.00", "EUR")).refunded == Money("25.00", "EUR")
    assert fake.orders["ORDER-1"]["gross"] == 7500  # the same cart sent twice: reduced once
    fake.inject(FaultKind.LOSE_RESPONSE, path="/cancel")
    rest = billpay.refund(payment.id)
    assert rest.status is PaymentStatus.REFUNDED
    assert rest.refunded == Money("100.00", "EUR")
    assert len(sent(fake, "cancel")) == 1


def test_persistent_outage_is_reported_after_bounded_retries(
    fake: FakeBillPay, billpay: BillPay
) -> None:
    payment = billpay.create_payment(request())
    fake.inject(FaultKind.ERROR, status=503, times=20)
    with pytest.raises(ProviderUnavailableError):
        billpay.get_payment(payment.id)
    assert len(fake.requests) == 1 + 4


def test_webhooks_are_unsupported_and_change_nothing(fake: FakeBillPay, billpay: BillPay) -> None:
    payment = billpay.create_payment(request())
    snapshot = (repr(fake.orders), dict(billpay.orders))
    for body in (b'<data error_code="0"/>', b"forged"):
        with pytest.raises(UnsupportedOperationError):
            billpay.parse_webhook({}, body)
    assert (repr(fake.orders), dict(billpay.orders)) == snapshot
    assert billpay.get_payment(payment.id).status is PaymentStatus.AUTHORIZED


# -- capabilities, credentials ------------------------------------------------------------------


def test_capabilities_are_honest(billpay: BillPay) -> None:
    capabilities = billpay.capabilities
    assert capabilities.invoice_purchase
    for flag in ("capture", "partial_capture", "void", "refund", "partial_refund",
                 "multiple_refunds"):  # fmt: skip
        assert getattr(capabilities, flag), flag
    assert not capabilities.redirect
    assert not capabilities.webhook_signatures
    assert not capabilities.real_time_credit


def test_bad_credentials_never_leak(fake: FakeBillPay, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret = "very-secret-security-key"
    billpay = BillPay(fake.merchant_id, fake.portal_id, secret, transport=fake.transport(),
                      **NO_WAIT)  # fmt: skip
    fake.inject(FaultKind.ERROR, status=503)
    with pytest.raises(AuthenticationError) as caught:
        billpay.create_payment(request())
    assert caught.value.code == "7"
    for text in (str(caught.value), repr(caught.value), repr(billpay), caplog.text):
        assert secret not in text
        assert bpsecure(secret) not in text
    assert caplog.records


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("44x1", "6021", "k"), "merchant_id"),
        (("4441", "", "k"), "portal_id"),
        (("4441", "6021", ""), "security_key"),
    ],
)
def test_constructor_validates(args: tuple[str, str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BillPay(*args)
    assert caught.value.field == field
    with pytest.raises(ValidationError):
        BillPay("4441", "6021", "k", environment="prod")


def test_live_and_test_urls(fake: FakeBillPay) -> None:
    seen: list[str] = []

    def record(r: httpx.Request) -> httpx.Response:
        seen.append(str(r.url))
        return httpx.Response(200, content=body_of("response_preauthorize.http"))

    for environment in ("test", "live"):
        BillPay("4441", "6021", "k", environment=environment,
                transport=httpx.MockTransport(record)).create_payment(request())  # fmt: skip
    assert seen == [
        "https://test-api.billpay.de/xml/offline/preauthorize",
        "https://api.billpay.de/xml/preauthorize",
    ]


# -- async ---------------------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakeBillPay) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    async def flow() -> list[PaymentStatus]:
        async with AsyncBillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                                transport=fake.transport(), sleep=no_sleep) as billpay:  # fmt: skip
            payment = await billpay.create_payment(request("50.00"))
            fake.inject(FaultKind.LOSE_RESPONSE, path="/invoiceCreated")
            captured = await billpay.capture(payment.id)
            refunded = await billpay.refund(payment.id, Money("10.00", "EUR"))
            read = await billpay.get_payment(payment.id)
            assert "ORDER-1" in billpay.orders
            return [payment.status, captured.status, refunded.status, read.status]

    assert asyncio.run(flow()) == [
        PaymentStatus.AUTHORIZED,
        PaymentStatus.PAID,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.PARTIALLY_REFUNDED,
    ]
    assert fake.activations == {"ORDER-1": 1}
    assert fake.orders["ORDER-1"]["gross"] == 4000


def test_clients_satisfy_the_protocols(fake: FakeBillPay) -> None:
    with BillPay(fake.merchant_id, fake.portal_id, fake.security_key) as billpay:
        assert isinstance(billpay, PaymentProvider)
    asynchronous = AsyncBillPay(fake.merchant_id, fake.portal_id, fake.security_key)
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())


def test_fake_answers_an_unknown_operation_or_method_with_the_web_servers_404(
    fake: FakeBillPay,
) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://fake.example") as client:
        unknown = client.post("/xml/offline/refund", content=b"<data/>")
        wrong_method = client.get("/xml/offline/preauthorize")
        known = client.post("/xml/offline/preauthorize", content=b"<data/>")
    assert [(r.status_code, r.text) for r in (unknown, wrong_method)] == [(404, "Not Found")] * 2
    assert known.status_code == 200  # routed: BillPay's own refusal, in its XML answer
    assert defusedxml.ElementTree.fromstring(known.content).get("error_code") != "0"


def test_fake_keeps_typed_orders_that_still_read_by_field_name(
    fake: FakeBillPay, billpay: BillPay
) -> None:
    billpay.create_payment(request())
    order = fake.orders["ORDER-1"]
    assert (order.status, order["status"], order.due_on) == ("APPROVED", "APPROVED", None)
    assert order.deadline == activation_deadline(order.preauthorized_on)
    with pytest.raises(KeyError):
        order["due_on"]  # not set yet: a Record reads an unset field as absent
