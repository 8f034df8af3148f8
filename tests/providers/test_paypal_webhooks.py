"""PayPal webhooks against PayPal's published specs: refund events, certificate trust."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jsonschema
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from payportal.exceptions import WebhookVerificationError
from payportal.providers import PaymentStatus
from payportal.providers.paypal import PayPal, is_paypal_host, system_trust_roots

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SPECS = Path(__file__).resolve().parents[1] / "data" / "paypal"
WEBHOOK_ID = "8PT597110X687430LKGECATA"  # the webhook id format of PayPal's examples
CAPTURE_ID = "2GG279541U471931P"
ORDER_ID = "5O190127TN364715T"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPECS / name).read_text())
    return spec


def assert_spec_valid(spec: dict[str, Any], schema: str, instance: object) -> None:
    """Raise unless ``instance`` is a valid ``#/components/schemas/<schema>`` of ``spec``."""
    wrapper = {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
    jsonschema.Draft4Validator(wrapper).validate(instance)


# -- refund and reversal events ---------------------------------------------------------------


def refund_event(event_type: str) -> dict[str, Any]:
    """A refund notification shaped as PayPal's specs define it: the ``event`` envelope of
    notifications_webhooks_v1.json around a ``refund`` of payments_payment_v2.json, which
    names its capture only through ``links`` (``rel: up``)."""
    refund = {
        "id": "1JU08902781691411",
        "status": "COMPLETED",
        "amount": {"currency_code": "EUR", "value": "4.00"},
        "note_to_payer": "Defective product",
        "create_time": "2026-03-01T11:59:00Z",
        "update_time": "2026-03-01T11:59:00Z",
        "links": [
            {
                "href": "https://api.paypal.com/v2/payments/refunds/1JU08902781691411",
                "rel": "self",
                "method": "GET",
            },
            {
                "href": f"https://api.paypal.com/v2/payments/captures/{CAPTURE_ID}",
                "rel": "up",
                "method": "GET",
            },
        ],
    }
    assert_spec_valid(load("payments_payment_v2.json"), "refund", refund)
    event = {
        "id": "WH-1GE84257G0350133W-6RW800890C634293G",
        "create_time": "2026-03-01T11:59:30Z",
        "resource_type": "refund",
        "event_version": "1.0",
        "event_type": event_type,
        "summary": "A EUR 4.0 EUR capture payment was refunded",
        "resource_version": "2.0",
        "resource": refund,
    }
    assert_spec_valid(load("notifications_webhooks_v1.json"), "event", event)
    return event


def capture(status: str) -> dict[str, Any]:
    """``GET /v2/payments/captures/{id}`` as payments_payment_v2.json defines it."""
    body = {
        "id": CAPTURE_ID,
        "status": status,
        "amount": {"currency_code": "EUR", "value": "10.00"},
        "final_capture": True,
        "supplementary_data": {"related_ids": {"order_id": ORDER_ID}},
        "create_time": "2026-03-01T11:00:00Z",
        "links": [],
    }
    assert_spec_valid(load("payments_payment_v2.json"), "capture-2", body)
    return body


def paypal_answering(capture_status: str) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/oauth2/token":
            return httpx.Response(200, json={"access_token": "A21", "expires_in": 3600})
        if request.url.path == "/v1/notifications/verify-webhook-signature":
            return httpx.Response(200, json={"verification_status": "SUCCESS"})
        if request.url.path == f"/v2/payments/captures/{CAPTURE_ID}":
            return httpx.Response(200, json=capture(capture_status))
        return httpx.Response(404, json={"name": "RESOURCE_NOT_FOUND"})

    return handle


HEADERS = {
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",
    "PAYPAL-TRANSMISSION-ID": "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
    "PAYPAL-TRANSMISSION-SIG": "bm90IGNoZWNrZWQgaGVyZQ==",
    "PAYPAL-TRANSMISSION-TIME": "2026-03-01T11:59:31Z",
}


@pytest.mark.parametrize(
    ("event_type", "capture_status", "status"),
    [
        ("PAYMENT.CAPTURE.REFUNDED", "PARTIALLY_REFUNDED", PaymentStatus.PARTIALLY_REFUNDED),
        ("PAYMENT.CAPTURE.REFUNDED", "REFUNDED", PaymentStatus.REFUNDED),
        ("PAYMENT.CAPTURE.REVERSED", "REFUNDED", PaymentStatus.REFUNDED),
    ],
)
def test_a_refund_event_names_the_order_of_the_capture_it_links_up_to(
    event_type: str, capture_status: str, status: PaymentStatus
) -> None:
    paypal = PayPal("id", "secret", webhook_id=WEBHOOK_ID, webhook_verification="api",
                    transport=httpx.MockTransport(paypal_answering(capture_status)))  # fmt: skip
    body = json.dumps(refund_event(event_type)).encode()
    event = paypal.parse_webhook(HEADERS, body)
    assert event.payment_id == ORDER_ID
    assert event.status is status
    assert event.type == event_type


def test_capture_denials_and_declines_are_failures() -> None:
    transport = httpx.MockTransport(paypal_answering("DECLINED"))
    paypal = PayPal("id", "secret", webhook_id=WEBHOOK_ID, webhook_verification="api",
                    transport=transport)  # fmt: skip
    for event_type in ("PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED"):
        event = {**refund_event(event_type), "resource": capture("DECLINED")}
        parsed = paypal.parse_webhook(HEADERS, json.dumps(event).encode())
        assert (parsed.payment_id, parsed.status) == (ORDER_ID, PaymentStatus.FAILED)


# -- the signing certificate: host, dates, chain -------------------------------------------


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class Authority:
    """A certificate authority made in the test."""

    def __init__(self, common_name: str, parent: Authority | None = None) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = name(common_name)
        issuer = parent or self
        builder = (
            validity(x509.CertificateBuilder(), NOW - timedelta(days=30), NOW + timedelta(days=365))
            .subject_name(self.name)
            .issuer_name(issuer.name)
            .public_key(self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), False)
        )
        if parent is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()), False
            )
        self.certificate = builder.sign(issuer.key, hashes.SHA256())

    def issue(
        self,
        dns_names: Sequence[str],
        key: rsa.RSAPrivateKey,
        *,
        not_before: datetime = NOW - timedelta(days=1),
        not_after: datetime = NOW + timedelta(days=90),
    ) -> x509.Certificate:
        return (
            validity(x509.CertificateBuilder(), not_before, not_after)
            .subject_name(name(dns_names[0]))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(ca=False), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(self.key, hashes.SHA256())
        )


def validity(
    builder: x509.CertificateBuilder, not_before: datetime, not_after: datetime
) -> x509.CertificateBuilder:
    return (
        builder.serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def root() -> Authority:
    return Authority("Test Root CA")


@pytest.fixture(scope="module")
def intermediate(root: Authority) -> Authority:
    return Authority("Test Intermediate CA", parent=root)


def signed(key: rsa.RSAPrivateKey, body: bytes) -> dict[str, str]:
    """Headers as PayPal sends them, signed with ``key`` (the message of PayPal's docs)."""
    transmission_id, transmitted = "69cd13f0-d67a-11e5-baa3-778b53f4ae55", "2026-03-01T11:59:31Z"
    message = f"{transmission_id}|{transmitted}|{WEBHOOK_ID}|{zlib.crc32(body)}".encode()
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return {
        **HEADERS,
        "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-TIME": transmitted,
    }


class Fetcher:
    def __init__(self, chain: bytes) -> None:
        self.chain = chain
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.chain


def offline(
    fetcher: Fetcher, roots: Sequence[x509.Certificate] | None, clock: list[datetime]
) -> PayPal:
    return PayPal(
        "id",
        "secret",
        webhook_id=WEBHOOK_ID,
        cert_fetcher=fetcher,
        webhook_trust_roots=roots,
        wall_clock=lambda: clock[0].timestamp(),  # noqa: PLW0108  # clock[0] is moved later
        transport=httpx.MockTransport(lambda request: httpx.Response(500)),
    )


BODY = json.dumps(
    {"id": "WH-1", "event_type": "CHECKOUT.ORDER.APPROVED", "resource": {"id": ORDER_ID}}
).encode()


def test_a_certificate_chained_to_a_trusted_root_and_issued_to_paypal_is_accepted(
    root: Authority, intermediate: Authority, signing_key: rsa.RSAPrivateKey
) -> None:
    leaf = intermediate.issue(["messageverificationcerts.paypal.com"], signing_key)
    fetcher, clock = Fetcher(pem(leaf, intermediate.certificate)), [NOW]
    paypal = offline(fetcher, [root.certificate], clock)
    assert paypal.parse_webhook(signed(signing_key, BODY), BODY).payment_id == ORDER_ID
    paypal.parse_webhook(signed(signing_key, BODY), BODY)
    assert fetcher.urls == [HEADERS["PAYPAL-CERT-URL"]]  # cached, as PayPal recommends
    clock[0] = NOW + timedelta(days=91)  # the cached certificate has expired meanwhile
    with pytest.raises(WebhookVerificationError, match="expired"):
        paypal.parse_webhook(signed(signing_key, BODY), BODY)
    assert len(fetcher.urls) == 2  # not trusted from the cache once expired


@pytest.mark.parametrize(
    "case", ["other host", "lookalike host", "expired", "not yet valid", "untrusted root"]
)
def test_a_certificate_that_is_not_proven_paypals_is_refused(
    case: str, root: Authority, intermediate: Authority, signing_key: rsa.RSAPrivateKey
) -> None:
    dns = ["messageverificationcerts.paypal.com"]
    dates: dict[str, datetime] = {}
    roots = [root.certificate]
    if case == "other host":
        dns = ["webhooks.evil.example"]
    elif case == "lookalike host":
        dns = ["messageverificationcerts.paypal.com.evil.example"]
    elif case == "expired":
        dates = {"not_before": NOW - timedelta(days=90), "not_after": NOW - timedelta(days=1)}
    elif case == "not yet valid":
        dates = {"not_before": NOW + timedelta(days=1), "not_after": NOW + timedelta(days=90)}
    else:
        roots = [Authority("Some Other Root").certificate]
    leaf = intermediate.issue(dns, signing_key, **dates)
    paypal = offline(Fetcher(pem(leaf, intermediate.certificate)), roots, [NOW])
    with pytest.raises(WebhookVerificationError):
        paypal.parse_webhook(signed(signing_key, BODY), BODY)


def test_a_chain_missing_its_intermediate_is_refused(
    root: Authority, intermediate: Authority, signing_key: rsa.RSAPrivateKey
) -> None:
    leaf = intermediate.issue(["messageverificationcerts.paypal.com"], signing_key)
    paypal = offline(Fetcher(pem(leaf)), [root.certificate], [NOW])
    with pytest.raises(WebhookVerificationError, match="trusted root"):
        paypal.parse_webhook(signed(signing_key, BODY), BODY)


def test_by_default_only_the_system_trust_store_is_trusted(
    intermediate: Authority, signing_key: rsa.RSAPrivateKey
) -> None:
    assert system_trust_roots()  # the system's CA bundle (or certifi's) was found and read
    leaf = intermediate.issue(["messageverificationcerts.paypal.com"], signing_key)
    paypal = offline(Fetcher(pem(leaf, intermediate.certificate)), None, [NOW])
    with pytest.raises(WebhookVerificationError, match="trusted root"):
        paypal.parse_webhook(signed(signing_key, BODY), BODY)


def test_paypal_hosts() -> None:
    assert is_paypal_host("api-m.paypal.com")
    assert is_paypal_host("PAYPAL.COM.")
    assert not is_paypal_host("notpaypal.com")
    assert not is_paypal_host("paypal.com.evil.example")
