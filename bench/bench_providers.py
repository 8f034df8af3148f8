"""Client overhead: create + capture round trips, payportal against raw httpx, one run.

Both sides talk to the same fake PayPal server on 127.0.0.1, run in its own process so its
work does not compete with the client for the GIL, over keep-alive connections. They send
the same requests: ``POST /v2/checkout/orders`` with the same JSON body and a fresh
``PayPal-Request-Id``; the payer's visit to the approval link (``GET /checkoutnow``, sent
with the same raw client for both); ``POST /v2/checkout/orders/{id}/capture``; each with a
bearer token fetched once. The raw side decodes the JSON answers; payportal also builds the
body from a validated ``PaymentRequest``, maps the answers to ``Payment`` models and keeps
its retry bookkeeping. Target: overhead under 10 %. Run with ``python bench/bench_providers.py``.

Billwerk+ Pay (Reepay) likewise, against ``FakeBillwerkPay``: ``POST /v1/session/charge`` with
the same order body (fresh handle and ``key``), the payer paying on the fake's payer route,
``POST /v1/charge/{handle}/settle`` with a ``key``, and ``GET /v1/invoice/{handle}`` (the
client reads the charge back after settling; the raw side sends the same GET).

paydirekt (deprecated) likewise, against ``FakePaydirekt``: an HMAC-signed token request once,
then ``POST /api/checkout/v1/checkouts`` with the same body and a fresh ``X-Request-ID``, the
payer's visit to the approval page, ``GET`` of the checkout (the client reads the capture
link from it), ``POST`` to its ``captures`` link, and the ``GET`` the client reads back with.

Sofort likewise, against ``FakeSofort`` (it has no capture: the closest round trip is start,
pay, read back): ``POST /api/xml`` with the same ``<multipay>`` document, the payer's visit to
the ``payment_url``, and a ``<transaction_request>`` for the transaction; the raw side builds
the same documents with ``xml.etree`` and parses the answers with defusedxml.

Concardis PayEngine likewise, against ``FakePayEngine``: ``POST /orders`` (an order intent with
the same body and a fresh key in ``source``), the payer paying on the hosted page
(``GET /pay/{orderId}``), then what the client sends to capture: ``GET /orders/{orderId}`` for
the preauth, ``POST .../transactions/{id}/capture`` with a fresh key in ``description``, and
the ``GET`` it reads the order back with.

PayPal classic NVP likewise, against ``FakePayPalNVP`` (action ``Sale``): the form-encoded
``SetExpressCheckout``, the payer's visit to the checkout page, then what the client sends to
capture: ``GetExpressCheckoutDetails`` (for the payer id), ``DoExpressCheckoutPayment``,
``GetExpressCheckoutDetails`` and ``TransactionSearch`` to read the payment back; the raw side
sends the same bodies and decodes the answers with ``urllib.parse.parse_qsl``.

BillPay likewise, against ``FakeBillPay`` (invoice purchase has no payer step): ``preauthorize``
with the same buyer, one-article cart and a fresh order reference, then ``invoiceCreated``
(the activation, BillPay's capture); the raw side builds the same documents with ``xml.etree``
and parses the answers with defusedxml.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import socket
import statistics
import time
import urllib.parse
import uuid
import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import defusedxml.ElementTree
import httpx

from payportal import Money
from payportal.providers import PaymentRequest
from payportal.providers.billpay import BillPay, bpsecure
from payportal.providers.billwerk import BillwerkPay
from payportal.providers.paydirekt import Paydirekt, auth_code, make_nonce, x_date, x_timestamp
from payportal.providers.payengine import PayEngine
from payportal.providers.paypal import PayPal
from payportal.providers.paypal_nvp import PayPalNVP
from payportal.providers.sofort import Sofort
from payportal.testing.fake_billpay import FakeBillPay, sample_buyer
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from multiprocessing.connection import Connection

REPEATS = 7
LOOPS = 100
REQUEST = PaymentRequest(
    amount=Money("10.00", "EUR"),
    reference="INV-1",
    return_url="https://shop.example/ok",
    cancel_url="https://shop.example/cancel",
)


def _serve_fake(
    pipe: Connection, fake_class: type[Any], fields: tuple[str, ...], path: str
) -> None:
    fake = fake_class()
    with fake.serve() as base_url:
        pipe.send((base_url + path, *(getattr(fake, field) for field in fields)))
        pipe.recv()  # until the benchmark is done


@contextlib.contextmanager
def fake_server(fake_class: type[Any], *fields: str, path: str = "") -> Iterator[tuple[Any, ...]]:
    """Run a fake in its own process (sharing ours, it would compete with the client for the
    GIL) and yield its base URL and the named credentials."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=_serve_fake, args=(child, fake_class, fields, path), daemon=True
    )
    server.start()
    try:
        yield parent.recv()
    finally:
        parent.send("done")
        server.join(timeout=5)


def no_delay() -> httpx.HTTPTransport:
    # h11 writes headers and body separately; without TCP_NODELAY every request waits for a
    # delayed ACK and the benchmark measures the kernel rather than the clients.
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def payportal_round_trip(paypal: PayPal, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = paypal.create_payment(REQUEST)
        payer.get("/checkoutnow", params={"token": payment.id})
        return paypal.capture(payment.id)

    return round_trip


def raw_round_trip(
    client: httpx.Client, payer: httpx.Client, client_id: str, secret: str
) -> Callable[[], object]:
    token = client.post(
        "/v1/oauth2/token",
        auth=(client_id, secret),
        data={"grant_type": "client_credentials"},
    ).json()["access_token"]
    body = {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "reference_id": "INV-1",
                "invoice_id": "INV-1",
                "amount": {"currency_code": "EUR", "value": "10.00"},
            }
        ],
        "payment_source": {
            "paypal": {
                "experience_context": {
                    "return_url": "https://shop.example/ok",
                    "cancel_url": "https://shop.example/cancel",
                }
            }
        },
    }

    def headers() -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Prefer": "return=representation",
            "PayPal-Request-Id": str(uuid.uuid4()),
        }

    def round_trip() -> object:
        order = client.post(
            "/v2/checkout/orders", content=json.dumps(body).encode(), headers=headers()
        ).json()
        payer.get("/checkoutnow", params={"token": order["id"]})
        return client.post(
            f"/v2/checkout/orders/{order['id']}/capture", content=b"{}", headers=headers()
        ).json()

    return round_trip


def compare(label: str, contenders: dict[str, Callable[[], object]]) -> None:
    """Warm both sides up, time them in turns, print the medians and payportal's overhead."""
    for operation in contenders.values():  # warm up: token, connections, caches
        for _ in range(50):
            operation()
    timings: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(REPEATS):
        # Take turns within each repeat so a burst of load hits both sides alike.
        for name, operation in contenders.items():
            start = time.perf_counter()
            for _ in range(LOOPS):
                operation()
            timings[name].append((time.perf_counter() - start) / LOOPS)
    raw = statistics.median(timings["raw httpx"])
    ours = statistics.median(timings["payportal"])
    print(f"{label} over loopback, {LOOPS} round trips x {REPEATS} repeats (median):")
    print(f"  raw httpx   {raw * 1e6:8.0f} µs per round trip")
    print(f"  payportal   {ours * 1e6:8.0f} µs per round trip")
    print(f"  overhead    {(ours - raw) / raw * 100:+.1f} % (target < 10 %)")


def billwerk_payportal(billwerk: BillwerkPay, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = billwerk.create_payment(REQUEST)
        assert payment.redirect_url is not None
        payer.post(f"/_fake/checkout/{payment.redirect_url.rsplit('/', 1)[-1]}/pay")
        return billwerk.capture(payment.id)

    return round_trip


def billwerk_raw(client: httpx.Client, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        handle = f"INV-1-{uuid.uuid4().hex[:8]}"
        body = {
            "order": {
                "handle": handle,
                "key": str(uuid.uuid4()),
                "amount": 1000,
                "currency": "EUR",
                "customer": {"generate_handle": True},
                "ordertext": "INV-1",
                "metadata": {"reference": "INV-1"},
            },
            "settle": False,
            "accept_url": "https://shop.example/ok",
            "cancel_url": "https://shop.example/cancel",
        }
        session = client.post("/v1/session/charge", json=body).json()
        payer.post(f"/_fake/checkout/{session['id']}/pay")
        client.post(f"/v1/charge/{handle}/settle", json={"key": str(uuid.uuid4())}).json()
        return client.get(f"/v1/invoice/{handle}").json()

    return round_trip


def bench_billwerk() -> None:
    with (
        fake_server(FakeBillwerkPay, "private_key") as (base_url, key),
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay(), auth=(key, "")) as client,
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
        BillwerkPay(key, base_url=base_url, transport=no_delay()) as billwerk,
    ):
        compare(
            "Billwerk+ Pay session+pay+settle",
            {
                "raw httpx": billwerk_raw(client, payer),
                "payportal": billwerk_payportal(billwerk, payer),
            },
        )


PAYDIREKT_REQUEST = attrs.evolve(
    REQUEST, metadata={"addresseeGivenName": "Max", "addresseeLastName": "Muster"}
)


def paydirekt_payportal(paydirekt: Paydirekt, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = paydirekt.create_payment(PAYDIREKT_REQUEST)
        payer.get(f"/checkout/{payment.id}")
        return paydirekt.capture(payment.id)

    return round_trip


def paydirekt_raw(
    client: httpx.Client, payer: httpx.Client, api_key: str, api_secret: str
) -> Callable[[], object]:
    now = datetime.now(UTC)
    request_id, nonce = str(uuid.uuid4()), make_nonce()
    token = client.post(
        "/api/merchantintegration/v1/token/obtain",
        json={"grantType": "api_key", "randomNonce": nonce},
        headers={
            "X-Date": x_date(now),
            "X-Request-ID": request_id,
            "X-Auth-Key": api_key,
            "X-Auth-Code": auth_code(request_id, x_timestamp(now), api_key, api_secret, nonce),
        },
    ).json()["access_token"]
    body = (
        b'{"type":"ORDER","totalAmount":10.00,"currency":"EUR","shoppingCartType":"DIGITAL",'
        b'"merchantOrderReferenceNumber":"INV-1","merchantInvoiceReferenceNumber":"INV-1",'
        b'"merchantReconciliationReferenceNumber":"INV-1",'
        b'"redirectUrlAfterSuccess":"https://shop.example/ok",'
        b'"redirectUrlAfterCancellation":"https://shop.example/cancel",'
        b'"redirectUrlAfterRejection":"https://shop.example/cancel",'
        b'"shippingAddress":{"addresseeGivenName":"Max","addresseeLastName":"Muster"}}'
    )

    def headers() -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/hal+json;charset=utf-8",
            "Accept": "application/hal+json",
            "X-Request-ID": str(uuid.uuid4()),
        }

    def round_trip() -> object:
        checkout = client.post("/api/checkout/v1/checkouts", content=body, headers=headers()).json()
        own = checkout["_links"]["self"]["href"]
        payer.get(f"/checkout/{checkout['checkoutId']}")
        approved = client.get(own, headers=headers()).json()
        capture = {"finalCapture": True, "amount": approved["maxCapturableAmount"]}
        client.post(
            approved["_links"]["captures"]["href"],
            content=json.dumps(capture).encode(),
            headers=headers(),
        ).json()
        return client.get(own, headers=headers()).json()

    return round_trip


def bench_paydirekt() -> None:
    with fake_server(FakePaydirekt, "api_key", "api_secret") as (base_url, api_key, api_secret):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # deprecated, benched anyway
            paydirekt = Paydirekt(api_key, api_secret, base_url=base_url, transport=no_delay())
        with (
            httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as client,
            httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
            paydirekt,
        ):
            compare(
                "paydirekt create+approve+capture",
                {
                    "raw httpx": paydirekt_raw(client, payer, api_key, api_secret),
                    "payportal": paydirekt_payportal(paydirekt, payer),
                },
            )


def sofort_payportal(sofort: Sofort, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = sofort.create_payment(REQUEST)
        assert payment.redirect_url is not None
        payer.get("/payment/go/" + payment.redirect_url.rsplit("/", 1)[-1])
        return sofort.get_payment(payment.id)

    return round_trip


def sofort_raw(client: httpx.Client, payer: httpx.Client, project_id: str) -> Callable[[], object]:
    def document(root: ET.Element) -> bytes:
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)  # type: ignore[no-any-return]

    def field(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        child = ET.SubElement(parent, tag)
        child.text = text
        return child

    headers = {
        "Content-Type": "application/xml; charset=UTF-8",
        "Accept": "application/xml; charset=UTF-8",
    }

    def multipay() -> bytes:
        root = ET.Element("multipay")
        for tag, text in (
            ("project_id", project_id),
            ("interface_version", "payportal"),
            ("amount", "10.00"),
            ("currency_code", "EUR"),
        ):
            field(root, tag, text)
        reasons = field(root, "reasons")
        field(reasons, "reason", "INV-1")
        field(reasons, "reason", "-TRANSACTION-")
        field(field(root, "user_variables"), "user_variable", "INV-1")
        field(root, "success_url", "https://shop.example/ok")
        field(root, "success_link_redirect", "1")
        field(root, "abort_url", "https://shop.example/cancel")
        field(root, "su")
        return document(root)

    def round_trip() -> object:
        answer = defusedxml.ElementTree.fromstring(
            client.post("/api/xml", content=multipay(), headers=headers).content
        )
        payer.get("/payment/go/" + answer.findtext("payment_url").rsplit("/", 1)[-1])
        query = ET.Element("transaction_request", version="2")
        field(query, "transaction", answer.findtext("transaction"))
        return defusedxml.ElementTree.fromstring(
            client.post("/api/xml", content=document(query), headers=headers).content
        )

    return round_trip


def bench_sofort() -> None:
    with (
        fake_server(FakeSofort, "customer_id", "project_id", "api_key") as (
            base_url,
            customer_id,
            project_id,
            api_key,
        ),
        httpx.Client(
            base_url=base_url, timeout=10, transport=no_delay(), auth=(customer_id, api_key)
        ) as client,
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
        Sofort(customer_id, project_id, api_key, base_url=base_url, transport=no_delay()) as sofort,
    ):
        compare(
            "Sofort multipay+pay+read",
            {
                "raw httpx": sofort_raw(client, payer, project_id),
                "payportal": sofort_payportal(sofort, payer),
            },
        )


def payengine_payportal(payengine: PayEngine, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = payengine.create_payment(REQUEST)
        payer.get(f"/pay/{payment.id}")
        return payengine.capture(payment.id)

    return round_trip


def payengine_raw(client: httpx.Client, payer: httpx.Client) -> Callable[[], object]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def order_body() -> bytes:
        return json.dumps({
            "initialAmount": 1000, "currency": "EUR", "transactionType": "PREAUTH",
            "channel": "ECOM", "allowedProducts": ["creditcard"], "merchantOrderId": "INV-1",
            "source": f"payportal:{uuid.uuid4()}",
            "async": {"successUrl": "https://shop.example/ok",
                      "failureUrl": "https://shop.example/cancel",
                      "cancelUrl": "https://shop.example/cancel"},
        }).encode()  # fmt: skip

    def round_trip() -> object:
        order = client.post("/orders", content=order_body(), headers=headers).json()
        payer.get(f"/pay/{order['orderId']}")
        path = f"/orders/{order['orderId']}"
        order = client.get(path, headers=headers).json()["elements"][0]
        preauth = order["transactions"][-1]
        capture = {"initialAmount": 1000, "currency": "EUR",
                   "description": f"payportal:{uuid.uuid4()}"}  # fmt: skip
        client.post(
            f"{path}/transactions/{preauth['transactionId']}/capture",
            content=json.dumps(capture).encode(),
            headers=headers,
        ).json()
        return client.get(path, headers=headers).json()

    return round_trip


def bench_payengine() -> None:
    with (
        fake_server(FakePayEngine, "merchant_id", "api_key") as (base_url, merchant_id, api_key),
        httpx.Client(
            base_url=base_url, timeout=10, transport=no_delay(), auth=(merchant_id, api_key)
        ) as client,
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
        PayEngine(merchant_id, api_key, base_url=base_url, transport=no_delay()) as payengine,
    ):
        compare(
            "PayEngine create+pay+capture",
            {
                "raw httpx": payengine_raw(client, payer),
                "payportal": payengine_payportal(payengine, payer),
            },
        )


def nvp_payportal(paypal: PayPalNVP, payer: httpx.Client) -> Callable[[], object]:
    def round_trip() -> object:
        payment = paypal.create_payment(REQUEST)
        payer.get("/cgi-bin/webscr", params={"cmd": "_express-checkout", "token": payment.id})
        return paypal.capture(payment.id)

    return round_trip


def nvp_raw(client: httpx.Client, payer: httpx.Client, *credentials: str) -> Callable[[], object]:
    common = dict(zip(("USER", "PWD", "SIGNATURE"), credentials, strict=True), VERSION="119.0")
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def call(method: str, **fields: str) -> dict[str, str]:
        body = urllib.parse.urlencode({**common, "METHOD": method, **fields}).encode()
        answer = dict(urllib.parse.parse_qsl(client.post("/nvp", content=body, headers=form).text))
        assert answer["ACK"].startswith("Success"), answer
        return answer

    def round_trip() -> object:
        token = call(
            "SetExpressCheckout",
            PAYMENTREQUEST_0_PAYMENTACTION="Sale",
            PAYMENTREQUEST_0_AMT="10.00",
            PAYMENTREQUEST_0_CURRENCYCODE="EUR",
            PAYMENTREQUEST_0_INVNUM="INV-1",
            RETURNURL="https://shop.example/ok",
            CANCELURL="https://shop.example/cancel",
            NOSHIPPING="1",
        )["TOKEN"]
        payer.get("/cgi-bin/webscr", params={"cmd": "_express-checkout", "token": token})
        details = call("GetExpressCheckoutDetails", TOKEN=token)
        call(
            "DoExpressCheckoutPayment",
            TOKEN=token,
            PAYERID=details["PAYERID"],
            PAYMENTREQUEST_0_PAYMENTACTION="Sale",
            PAYMENTREQUEST_0_AMT="10.00",
            PAYMENTREQUEST_0_CURRENCYCODE="EUR",
            PAYMENTREQUEST_0_CUSTOM=token,
            PAYMENTREQUEST_0_INVNUM="INV-1",
        )
        details = call("GetExpressCheckoutDetails", TOKEN=token)
        return call(
            "TransactionSearch",
            STARTDATE="2000-01-01T00:00:00Z",
            TRANSACTIONID=details["PAYMENTREQUEST_0_TRANSACTIONID"],
        )

    return round_trip


def bench_nvp() -> None:
    with (
        fake_server(FakePayPalNVP, "username", "password", "signature") as (
            base_url,
            *credentials,
        ),
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as client,
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
        PayPalNVP(*credentials, base_url=base_url, transport=no_delay()) as paypal,
    ):
        compare(
            "PayPal NVP set+approve+pay",
            {
                "raw httpx": nvp_raw(client, payer, *credentials),
                "payportal": nvp_payportal(paypal, payer),
            },
        )


def billpay_payportal(billpay: BillPay) -> Callable[[], object]:
    numbers = itertools.count()
    buyer = sample_buyer()

    def round_trip() -> object:
        request = attrs.evolve(REQUEST, reference=f"PP-{next(numbers)}", metadata=buyer)
        return billpay.capture(billpay.create_payment(request).id)

    return round_trip


def billpay_raw(client: httpx.Client, credentials: dict[str, str]) -> Callable[[], object]:
    numbers = itertools.count()
    headers = {"Content-Type": "application/xml; charset=utf-8", "Accept": "application/xml"}
    customer = {"customertype": "g", "customerGroup": "p", **sample_buyer(),
                "country": "DEU", "birthday": "19700101"}  # fmt: skip

    def call(operation: str, root: ET.Element) -> ET.Element:
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        answer = defusedxml.ElementTree.fromstring(
            client.post(f"/{operation}", content=body, headers=headers).content
        )
        assert answer.get("error_code") == "0", answer.attrib
        return answer  # type: ignore[no-any-return]

    def document(**attributes: str) -> ET.Element:
        root = ET.Element("data", {"api_version": "1.5.10", **attributes})
        ET.SubElement(root, "default_params", credentials)
        return root

    def round_trip() -> object:
        reference = f"RAW-{next(numbers)}"
        root = document(tcaccepted="1", expecteddaystillshipping="0",
                        capturerequestnecessary="0", paymenttype="1")  # fmt: skip
        ET.SubElement(root, "customer_details", customer)
        ET.SubElement(root, "shipping_details", useBillingAddress="1")
        ET.SubElement(ET.SubElement(root, "article_data"), "article", articleid="1",
                      articlequantity="1", articlename=reference, articledescription=reference,
                      articleprice="1000", articlepricegross="1000")  # fmt: skip
        ET.SubElement(root, "total", shippingname="", shippingprice="0", shippingpricegross="0",
                      rebate="0", rebategross="0", carttotalprice="1000",
                      carttotalpricegross="1000", currency="EUR", reference=reference)  # fmt: skip
        call("preauthorize", root)
        root = document()
        ET.SubElement(root, "invoice_params", carttotalgross="1000", currency="EUR",
                      reference=reference, delayindays="0")  # fmt: skip
        return call("invoiceCreated", root)

    return round_trip


def bench_billpay() -> None:
    with fake_server(
        FakeBillPay, "merchant_id", "portal_id", "security_key", path="/xml/offline"
    ) as (base_url, merchant_id, portal_id, key):
        credentials = {"mid": merchant_id, "pid": portal_id, "bpsecure": bpsecure(key)}
        with (
            httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as client,
            BillPay(
                merchant_id, portal_id, key, base_url=base_url, transport=no_delay()
            ) as billpay,
        ):
            compare(
                "BillPay preauthorize+activate",
                {
                    "raw httpx": billpay_raw(client, credentials),
                    "payportal": billpay_payportal(billpay),
                },
            )


def main() -> None:
    with (
        fake_server(FakePayPal, "client_id", "client_secret") as (base_url, client_id, secret),
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as client,
        httpx.Client(base_url=base_url, timeout=10, transport=no_delay()) as payer,
        PayPal(client_id, secret, base_url=base_url, transport=no_delay()) as paypal,
    ):
        compare(
            "PayPal create+approve+capture",
            {
                "raw httpx": raw_round_trip(client, payer, client_id, secret),
                "payportal": payportal_round_trip(paypal, payer),
            },
        )
    bench_billwerk()
    bench_paydirekt()
    bench_sofort()
    bench_payengine()
    bench_nvp()
    bench_billpay()


if __name__ == "__main__":
    main()
