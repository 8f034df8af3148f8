from __future__ import annotations

import asyncio
import base64
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree
import httpx
import pytest

from payportal import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
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
from payportal.providers.sofort import (
    API_URL,
    AsyncSofort,
    Sofort,
    SofortAccount,
    parse_document,
    parse_refunds,
    parse_transactions,
)
from payportal.testing import FaultKind
from payportal.testing.contract import ProviderContract
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "sofort"
NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def request(amount: str = "10.00", currency: str = "EUR", **fields: Any) -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency),
        reference=fields.pop("reference", "INV-1"),
        return_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
        **fields,
    )


@pytest.fixture
def fake() -> FakeSofort:
    return FakeSofort()


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect(fake: FakeSofort, mode: str, stack: ExitStack, **options: Any) -> Sofort:
    """A Sofort client for ``fake``, in-process ("mock") or over a real socket ("loopback")."""
    options = {**NO_WAIT, **options}
    if mode == "loopback":
        options["base_url"] = stack.enter_context(fake.serve())
    else:
        options["transport"] = fake.transport()
    return stack.enter_context(Sofort(fake.customer_id, fake.project_id, fake.api_key, **options))


@pytest.fixture
def sofort(fake: FakeSofort) -> Sofort:
    return Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                  notification_url="https://shop.example/sofort?t=-TRANSACTION-",
                  **NO_WAIT)  # fmt: skip


def paid(sofort: Sofort, fake: FakeSofort, amount: str = "10.00") -> str:
    payment = sofort.create_payment(request(amount))
    fake.pay(payment.id)
    return payment.id


class TestSofortContract(ProviderContract):
    notifications_read_back = True
    listed_before_approval = False  # Sofort lists a transaction once the payer finished it
    lists_earlier_refunds = False  # its details carry the refunded total, not each refund

    @pytest.fixture
    def provider(self, fake: FakeSofort, mode: str, stack: ExitStack) -> Sofort:
        return connect(fake, mode, stack, notification_url="https://shop.example/n")

    @pytest.fixture
    def approve(self, fake: FakeSofort) -> Callable[[str], None]:
        return fake.pay

    @pytest.fixture
    def webhooks(self, fake: FakeSofort) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return fake.notifications

    # Beyond the contract: why the unfinished transaction is unknown, and what it is once paid.
    def test_unfinished_transaction_is_not_found_until_paid(
        self, provider: PaymentProvider, approve: Callable[[str], None]
    ) -> None:
        created = provider.create_payment(self.make_request("12.34"))
        with pytest.raises(InvalidRequestError) as caught:
            provider.get_payment(created.id)
        assert caught.value.code == "transaction_not_found"
        approve(created.id)
        fetched = provider.get_payment(created.id)
        assert fetched.id == created.id
        assert fetched.amount == Money("12.34", "EUR")
        assert fetched.status is PaymentStatus.PAID


# -- the parser against every response sample ---------------------------------------------------


def test_new_transaction_sample_becomes_a_created_payment() -> None:
    for name in ("response_new_transaction.xml", "response_warning.xml"):
        replay = httpx.MockTransport(lambda r, name=name: httpx.Response(200, content=sample(name)))
        payment = Sofort("123456", "123456", "key", transport=replay).create_payment(request())
        assert payment.id == "123456-123456-56A3BE0E-ACAB"
        assert payment.redirect_url == (
            "https://www.sofort.com/payment/go/136b2012718da0160fac20c2ec2f51100c90406e"
        )
        assert payment.status is PaymentStatus.CREATED


def test_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    replay = httpx.MockTransport(
        lambda r: httpx.Response(200, content=sample("response_warning.xml"))
    )
    Sofort("1", "2", "key", transport=replay).create_payment(request())
    assert "8049: Unsupported language. (language_code)" in caplog.text


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("response_transaction_by_id.xml", ["123456-123456-56A29EC6-066A"]),
        (
            "response_transactions_by_ids.xml",
            ["123456-123456-56A29EC6-066A", "123456-123456-56A2A0C3-CA99"],
        ),
        (
            "response_transactions_by_search.xml",
            ["123456-123456-56D04809-B816", "123456-123456-56D17B10-DDBE",
             "123456-123456-56D1D0AC-AD00"],
        ),
    ],
)  # fmt: skip
def test_transaction_samples_are_read_as_paid(name: str, ids: list[str]) -> None:
    payments = parse_transactions(parse_document(sample(name)))
    assert [p.id for p in payments] == ids
    for payment in payments:
        assert payment.status is PaymentStatus.PAID
        assert payment.raw_status == "untraceable/sofort_bank_account_needed"
        assert payment.captured == payment.amount
        assert payment.refunded == Money.zero("EUR")


def test_transaction_sample_fields() -> None:
    first, second, third = parse_transactions(
        parse_document(sample("response_transactions_by_search.xml"))
    )
    assert (first.amount, first.reference) == (Money("1.00", "EUR"), "Variable 0")
    assert (second.amount, second.reference) == (Money("12.00", "EUR"), "Donation")
    assert third.reference == "Donation"  # no user variable: the first reason line


def test_refund_sample() -> None:
    refunds = parse_refunds(parse_document(sample("response_refunds.xml")), "EUR")
    assert [(r.id, r.amount, r.raw_status) for r in refunds] == [
        ("fb1244caad", Money("1.11", "EUR"), "accepted")
    ]


@pytest.mark.parametrize(
    ("name", "code", "texts"),
    [
        ("response_error_root.xml", "7000", ["Mismatched tag", "multipay->su->reasons"]),
        ("response_errors_root_many.xml", "7000", ["7000", "9999: Something gone wrong"]),
        ("response_errors_nested.xml", "8014", ["8014: Invalid amount. (amount)", "8054"]),
    ],
)
def test_error_samples_raise_with_sofort_codes(name: str, code: str, texts: list[str]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_document(sample(name))
    assert caught.value.code == code
    assert caught.value.provider == "sofort"
    for text in texts:
        assert text in caught.value.message


def test_error_samples_reach_the_caller_through_the_client() -> None:
    replay = httpx.MockTransport(
        lambda r: httpx.Response(200, content=sample("response_errors_nested.xml"))
    )
    with pytest.raises(InvalidRequestError) as caught:
        Sofort("1", "2", "key", transport=replay).create_payment(request())
    assert caught.value.code == "8014"


def test_hostile_xml_is_refused_unparsed() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><transactions>&b;</transactions>'
    )
    for body in (bomb, b"<transactions>", b"not xml at all"):
        with pytest.raises(ProviderError) as caught:
            parse_document(body)
        assert not isinstance(caught.value, InvalidRequestError)


# -- the fake accepts the request samples -------------------------------------------------------


def post(fake: FakeSofort, body: bytes) -> ET.Element:
    with httpx.Client(transport=fake.transport(), base_url=API_URL) as client:
        response = client.post(
            "/api/xml",
            content=body,
            auth=(fake.customer_id, fake.api_key),
            headers={"Content-Type": "application/xml; charset=UTF-8"},
        )
    assert response.status_code == 200
    root: ET.Element = defusedxml.ElementTree.fromstring(response.content)
    return root


def test_fake_accepts_the_multipay_sample(fake: FakeSofort) -> None:
    fake.project_id = "123456"
    answer = post(fake, sample("request_multipay.xml"))
    assert answer.tag == "new_transaction"
    (transaction,) = fake.transactions.values()
    assert transaction["amount"] == Decimal("777.00")
    assert transaction["reasons"] == ["Invoice 0001 payment", transaction["id"]]
    fake.pay(transaction["id"])
    assert len(fake.notifications()) == 1  # the second URL only wants loss and refunds


def test_fake_accepts_the_transaction_request_samples(fake: FakeSofort, sofort: Sofort) -> None:
    assert post(fake, sample("request_transaction_by_ids.xml")).tag == "transactions"
    paid(sofort, fake)
    by_filter = sample("request_transaction_by_filter.xml")
    assert not post(fake, by_filter).findall("transaction_details")  # 2007 is long ago
    recent = by_filter.replace(b"2007-12-07T16:29:43.079043", b"2099-01-01T00:00:00")
    assert len(post(fake, recent).findall("transaction_details")) == 1


def test_fake_accepts_the_refund_sample(fake: FakeSofort, sofort: Sofort) -> None:
    unknown = post(fake, sample("request_refunds.xml"))
    assert unknown.find("refund/status").text == "error"  # type: ignore[union-attr]
    assert unknown.find("refund/errors/error/code").text == "8019"  # type: ignore[union-attr]
    transaction = paid(sofort, fake)
    body = sample("request_refunds.xml").replace(b"00000-00000-00000000-0000", transaction.encode())
    answer = post(fake, body)
    assert answer.find("refund/status").text == "accepted"  # type: ignore[union-attr]
    assert base64.b64decode(answer.find("pain").text or "").startswith(b"<?xml")  # type: ignore[union-attr]
    assert sofort.get_payment(transaction).refunded == Money("1.11", "EUR")


def test_client_sends_the_shape_of_the_samples(fake: FakeSofort, sofort: Sofort) -> None:
    transaction = paid(sofort, fake)
    sofort.refund(transaction, Money("1.00", "EUR"), reason="Order cancelled")
    sent = [defusedxml.ElementTree.fromstring(r.content) for r in fake.requests]
    for element, name in zip(sent, ("request_multipay.xml", "request_transaction_by_ids.xml",
                                    "request_refunds.xml"), strict=False):  # fmt: skip
        ours = {child.tag for child in element}
        theirs = {child.tag for child in defusedxml.ElementTree.fromstring(sample(name))}
        assert element.tag == defusedxml.ElementTree.fromstring(sample(name)).tag
        assert theirs - {"notification_urls", "sender"} <= ours
    assert sent[0].find("su") is not None
    assert sent[0].findtext("amount") == "10.00"
    assert [r.text for r in sent[0].findall("reasons/reason")] == ["INV-1", "-TRANSACTION-"]
    assert fake.requests[0].headers["Content-Type"] == "application/xml; charset=UTF-8"


def test_text_is_escaped_not_interpreted(fake: FakeSofort, sofort: Sofort) -> None:
    reference = "A&B <x>\"'</x>"
    payment = sofort.create_payment(request(reference=reference, description="]]>&amp;"))
    assert fake.transactions[payment.id]["user_variables"] == [reference, "]]>&amp;"]


@pytest.mark.parametrize(
    ("replace", "code", "field"),
    [
        ((b"<amount>777</amount>", b"<amount>7,77</amount>"), "8014", "amount"),
        ((b"<amount>777</amount>", b"<amount>0</amount>"), "8014", "amount"),
        ((b"<amount>777</amount>", b""), "8010", "amount"),
        ((b">EUR<", b">USD<"), "8011", "currency_code"),
        ((b"<su />", b""), "8010", "su"),
        ((b"http://abort.url", b"ftp://abort.url"), "8011", "abort_url"),
        ((b'notify_on="loss,refund"', b'notify_on="always"'), "8011", "notification_url"),
        ((b"<project_id>123456</project_id>", b"<project_id>1</project_id>"), "8011", "project_id"),
        ((b"</multipay>", b"</multipay"), "7000", None),
        ((b"<multipay>", b"<multipays>"), "7000", None),
    ],
)
def test_fake_validates_multipay_like_sofort(
    fake: FakeSofort, replace: tuple[bytes, bytes], code: str, field: str | None
) -> None:
    fake.project_id = "123456"
    body = sample("request_multipay.xml").replace(*replace)
    if replace[0] == b"<multipay>":
        body = body.replace(b"</multipay>", b"</multipays>")
    with pytest.raises(InvalidRequestError) as caught:
        parse_document(ET.tostring(post(fake, body)))
    assert caught.value.code == code
    if field:
        assert f"({field})" in caught.value.message
    assert not fake.transactions


def test_fake_warns_about_unknown_languages(fake: FakeSofort) -> None:
    fake.project_id = "123456"
    body = sample("request_multipay.xml").replace(
        b"<su />", b"<su /><language_code>xx</language_code>"
    )
    answer = post(fake, body)
    assert answer.findtext("warnings/warning/code") == "8049"
    assert len(fake.transactions) == 1


def test_fake_requires_basic_auth(fake: FakeSofort) -> None:
    with httpx.Client(transport=fake.transport()) as client:
        response = client.post(API_URL + "/api/xml", content=b"<multipay/>",
                               auth=(fake.customer_id, "wrong"))  # fmt: skip
    assert response.status_code == 401


# -- fault injection ----------------------------------------------------------------------------


def multipays(fake: FakeSofort) -> list[httpx.Request]:
    return [r for r in fake.requests if b"<multipay>" in r.content]


def test_create_after_a_lost_answer_is_never_sent_twice(
    fake: FakeSofort, mode: str, stack: ExitStack
) -> None:
    sofort = connect(fake, mode, stack)
    fake.inject(FaultKind.LOSE_RESPONSE)
    with pytest.raises(ProviderUnavailableError) as caught:
        sofort.create_payment(request())
    assert caught.value.code == "answer_lost"
    assert len(fake.transactions) == 1  # executed once at Sofort, never twice
    assert len(multipays(fake)) == 1


def test_create_is_resent_when_it_surely_never_arrived(fake: FakeSofort) -> None:
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                    **NO_WAIT)  # fmt: skip
    fake.inject(FaultKind.DROP)  # in-process: a connect error, the request was never sent
    fake.inject(FaultKind.ERROR, status=503, retry_after="0")
    fake.inject(FaultKind.ERROR, status=429, retry_after="0")
    payment = sofort.create_payment(request())
    assert list(fake.transactions) == [payment.id]
    assert len(multipays(fake)) == 4


def test_create_is_not_resent_after_a_500(fake: FakeSofort) -> None:
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                    **NO_WAIT)  # fmt: skip
    fake.inject(FaultKind.ERROR, status=500)
    with pytest.raises(ProviderUnavailableError) as caught:
        sofort.create_payment(request())
    assert caught.value.status_code == 500
    assert len(multipays(fake)) == 1


def test_refund_retried_after_faults_refunds_once(
    fake: FakeSofort, mode: str, stack: ExitStack
) -> None:
    sofort = connect(fake, mode, stack)
    payment = sofort.create_payment(request())
    fake.pay(payment.id)
    fake.inject(FaultKind.LOSE_RESPONSE, body=b"<refunds")
    fake.inject(FaultKind.ERROR, status=503, retry_after="0", body=b"<refunds")
    fake.inject(FaultKind.DROP, body=b"<refunds")
    before = len(fake.requests)
    refunded = sofort.refund(payment.id, Money("4.00", "EUR"))
    assert refunded.refunded == Money("4.00", "EUR")
    assert fake.transactions[payment.id]["refunded"] == Decimal("4.00")
    assert len(fake.transactions[payment.id]["refunds"]) == 1
    sent = [defusedxml.ElementTree.fromstring(r.content) for r in fake.requests[before:]]
    keys = {e.findtext("refund/partial_refund_id") for e in sent if e.tag == "refunds"}
    assert len(keys) == 1
    assert len([e for e in sent if e.tag == "refunds"]) == 4


def test_persistent_outage_is_reported_after_bounded_retries(fake: FakeSofort) -> None:
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                    retry=RetryPolicy(max_attempts=3, base_delay=0.0),
                    sleep=lambda seconds: None)  # fmt: skip
    fake.inject(FaultKind.ERROR, status=503, times=5)
    with pytest.raises(ProviderUnavailableError) as caught:
        sofort.get_payment("1-2-3-4")
    assert caught.value.status_code == 503
    assert len(fake.requests) == 3


def test_slow_answer_is_waited_for(fake: FakeSofort, mode: str, stack: ExitStack) -> None:
    sofort = connect(fake, mode, stack)
    fake.inject(FaultKind.DELAY, delay=0.01)
    assert sofort.create_payment(request()).status is PaymentStatus.CREATED


# -- notifications ------------------------------------------------------------------------------


def test_notification_reports_the_state_read_back(fake: FakeSofort, sofort: Sofort) -> None:
    transaction = paid(sofort, fake)
    sofort.refund(transaction, Money("3.00", "EUR"))
    paid_note, refund_note = fake.notifications()
    for headers, body in (paid_note, refund_note):
        event = sofort.parse_webhook(headers, body)
        assert event.payment_id == transaction
        assert event.status is PaymentStatus.PARTIALLY_REFUNDED  # now, not when sent
        assert event.type == "refunded"
        assert event.data["status_reason"] == "compensation"
        assert event.occurred_at is not None


def test_duplicate_notifications_are_one_event_and_change_nothing(fake: FakeSofort) -> None:
    fake.duplicate_notifications = True
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                    notification_url="https://shop.example/n")  # fmt: skip
    transaction = paid(sofort, fake)
    snapshot = repr(fake.transactions)
    delivered = fake.notifications()
    events = [sofort.parse_webhook(h, b) for h, b in delivered]
    assert len(events) == 2
    assert len({e.id for e in events}) == 1
    assert events[0].status is PaymentStatus.PAID
    assert repr(fake.transactions) == snapshot
    mutating = [r for r in fake.requests if b"<transaction_request" not in r.content]
    assert len(mutating) == 1  # the multipay; parsing only reads
    assert transaction in events[0].id


def test_forged_or_broken_notifications_are_refused(fake: FakeSofort, sofort: Sofort) -> None:
    transaction = paid(sofort, fake)
    bodies = [
        fake.notification("99999-99999-00000000-0000"),  # not a transaction at Sofort
        b"<status_notification><time>2010-04-14T19:01:08+02:00</time></status_notification>",
        b"<other><transaction>" + transaction.encode() + b"</transaction></other>",
        b"<status_notification><transaction>",
        (
            b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
            b"<status_notification><transaction>&e;</transaction></status_notification>"
        ),
        fake.notification("../../x"),
    ]
    snapshot = repr(fake.transactions)
    for body in bodies:
        with pytest.raises(WebhookVerificationError):
            sofort.parse_webhook({}, body)
    assert repr(fake.transactions) == snapshot


def test_notifications_of_another_project_are_refused(fake: FakeSofort, sofort: Sofort) -> None:
    transaction = paid(sofort, fake)
    other = Sofort(fake.customer_id, "999999", fake.api_key, transport=fake.transport())
    with pytest.raises(WebhookVerificationError):
        other.parse_webhook({}, fake.notification(transaction))


def test_replayed_old_notification_reads_the_current_state(
    fake: FakeSofort, sofort: Sofort
) -> None:
    transaction = paid(sofort, fake)
    old = fake.notification(transaction, "2010-04-14T19:01:08+02:00")
    before = sofort.parse_webhook({}, old)
    sofort.refund(transaction)
    after = sofort.parse_webhook({}, old)
    assert (before.status, after.status) == (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    assert before.id != after.id


# -- statuses, capabilities, credentials --------------------------------------------------------


def test_sofort_bank_account_statuses() -> None:
    fake = FakeSofort(sofort_bank_account=True)
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport())
    credited, lost = paid(sofort, fake), paid(sofort, fake)
    assert sofort.get_payment(credited).raw_status == "pending/not_credited_yet"
    assert sofort.get_payment(credited).status is PaymentStatus.PAID  # real-time confirmation
    fake.credit(credited)
    fake.lose(lost)
    assert sofort.get_payment(credited).raw_status == "received/credited"
    failed = sofort.get_payment(lost)
    assert (failed.status, failed.captured) == (PaymentStatus.FAILED, Money.zero("EUR"))
    with pytest.raises(InvalidRequestError) as caught:
        sofort.refund(lost)
    assert caught.value.code == "not_refundable"


def test_capabilities_are_honest(sofort: Sofort, fake: FakeSofort) -> None:
    capabilities = sofort.capabilities
    assert capabilities.real_time_credit
    assert capabilities.redirect
    assert capabilities.refund
    assert capabilities.partial_refund
    assert not capabilities.capture
    assert not capabilities.void
    assert not capabilities.webhook_signatures
    transaction = paid(sofort, fake)
    with pytest.raises(UnsupportedOperationError):
        sofort.capture(transaction)
    with pytest.raises(UnsupportedOperationError):
        sofort.cancel(transaction)


def test_refund_account_is_sent_as_sender(fake: FakeSofort) -> None:
    account = SofortAccount("Max Samplemerchant", "DE71 7001 1110 9999 9999 99", "DEKTDE7GXXX")
    sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport(),
                    refund_account=account)  # fmt: skip
    sofort.refund(paid(sofort, fake), reason="Order cancelled by user.")
    sent = defusedxml.ElementTree.fromstring(fake.requests[-2].content)
    assert sent.findtext("sender/iban") == "DE71700111109999999999"
    assert sent.findtext("refund/comment") == "Order cancelled by user."
    with pytest.raises(ValidationError) as caught:
        SofortAccount("Max", "DE00 0000", "DEKTDE7GXXX")
    assert caught.value.field == "iban"


def test_payer_urls_are_required(fake: FakeSofort, sofort: Sofort) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        sofort.create_payment(PaymentRequest(amount=Money("1.00", "EUR"), reference="X"))
    assert caught.value.code == "missing_url"
    assert not fake.requests


def test_payment_url_pays_when_visited(fake: FakeSofort, sofort: Sofort) -> None:
    payment = sofort.create_payment(request())
    assert payment.redirect_url is not None
    with httpx.Client(transport=fake.transport()) as browser:
        assert browser.get(payment.redirect_url).status_code == 200
        assert browser.get(payment.redirect_url).status_code == 404  # finished already
    assert sofort.get_payment(payment.id).status is PaymentStatus.PAID


def test_bad_credentials_never_leak(fake: FakeSofort, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret = "very-secret-api-key"
    sofort = Sofort(fake.customer_id, fake.project_id, secret, transport=fake.transport(),
                    **NO_WAIT)  # fmt: skip
    fake.inject(FaultKind.ERROR, status=503)
    with pytest.raises(AuthenticationError) as caught:
        sofort.create_payment(request())
    basic = base64.b64encode(f"{fake.customer_id}:{secret}".encode()).decode()
    for text in (str(caught.value), repr(caught.value), repr(sofort), caplog.text):
        assert secret not in text
        assert basic not in text
    assert caplog.records


def test_config_key() -> None:
    sofort = Sofort.from_config_key("12345:123456:edc788a4316ce7e2ac0ede037aa623d7")
    assert "edc788" not in repr(sofort)
    for bad in ("12345:123456", "a:b:c", "::", "12345:123456:"):
        with pytest.raises(ValidationError) as caught:
            Sofort.from_config_key(bad)
        assert "edc788" not in str(caught.value)


def test_ids_are_checked_before_sending(fake: FakeSofort, sofort: Sofort) -> None:
    for bad in ("", "a b", "<x/>", "1" * 65):
        with pytest.raises(InvalidRequestError):
            sofort.get_payment(bad)
    assert not fake.requests


# -- async ---------------------------------------------------------------------------------------


def test_async_client_runs_the_same_wire(fake: FakeSofort) -> None:
    async def flow() -> list[PaymentStatus | None]:
        async with AsyncSofort(fake.customer_id, fake.project_id, fake.api_key,
                               transport=fake.transport(), sleep=no_sleep,
                               notification_url="https://shop.example/n") as sofort:  # fmt: skip
            payment = await sofort.create_payment(request())
            fake.pay(payment.id)
            fake.inject(FaultKind.LOSE_RESPONSE, body=b"<refunds", times=2)
            refunded = await sofort.refund(payment.id, Money("4.00", "EUR"))
            events = [await sofort.parse_webhook(h, b) for h, b in fake.notifications()]
            return [payment.status, refunded.status, events[-1].status]

    async def no_sleep(seconds: float) -> None:
        return None

    assert asyncio.run(flow()) == [
        PaymentStatus.CREATED,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.PARTIALLY_REFUNDED,
    ]
    (transaction,) = fake.transactions.values()
    assert transaction["refunded"] == Decimal("4.00")


def test_clients_satisfy_the_protocols(fake: FakeSofort) -> None:
    with Sofort(fake.customer_id, fake.project_id, fake.api_key) as sofort:
        assert isinstance(sofort, PaymentProvider)
    asynchronous = AsyncSofort.from_config_key(
        f"{fake.customer_id}:{fake.project_id}:{fake.api_key}", transport=fake.transport()
    )
    assert isinstance(asynchronous, AsyncPaymentProvider)
    asyncio.run(asynchronous.aclose())


def test_fake_answers_pages_it_does_not_have_with_a_plain_404(fake: FakeSofort) -> None:
    with httpx.Client(transport=fake.transport(), base_url=API_URL) as client:
        answers = [
            client.get("/api/xml", auth=(fake.customer_id, fake.api_key)),
            client.post("/api/json", content=b"<multipay/>"),
            client.get("/payment/go"),
        ]
    assert [(a.status_code, a.text) for a in answers] == [(404, "Not found")] * 3


def test_fake_keeps_typed_transactions_with_their_history_on_its_clock() -> None:
    moment = [1_700_000_000.0]
    fake = FakeSofort(sofort_bank_account=True, clock=lambda: moment[0])
    client = Sofort(fake.customer_id, fake.project_id, fake.api_key,
                    transport=fake.transport(), **NO_WAIT)  # fmt: skip
    transaction_id = paid(client, fake)
    moment[0] += 3600
    fake.credit(transaction_id)
    transaction = fake.transactions[transaction_id]
    assert [(status, reason) for status, reason, _ in transaction.history] == [
        ("pending", "not_credited_yet"),
        ("received", "credited"),
    ]
    first, second = (when for _, _, when in transaction.history)
    assert transaction.time == first != second == transaction.status_modified
    assert transaction["status"] == transaction.status == "received"  # still read by name
    client.refund(transaction_id, Money("4.00", "EUR"))
    (refund,) = transaction.refunds.values()
    assert (refund.amount, transaction.refunded) == (Decimal("4.00"), Decimal("4.00"))
    (sent,) = (r.content for r in fake.requests if r.content.startswith(b"<?xml") and
               b"<refunds" in r.content)  # fmt: skip
    pain = base64.b64decode(post(fake, sent).findtext("pain") or "")
    assert transaction.refunded == Decimal("4.00")  # the same partial_refund_id: replayed
    assert b"<CreDtTm>2023-11-14T23:13:20</CreDtTm>" in pain  # the fake's clock, not the wall's
