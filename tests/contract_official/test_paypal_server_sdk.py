"""PayPal's official Python SDK (``paypal-server-sdk``) drives :class:`FakePayPal` over loopback.

Operations covered (Orders v2 and Payments v2, as the SDK calls them): orders create, get,
authorize and capture; authorizations get, capture and void; captures get and refund;
refunds get; and the SDK's reading of PayPal's error bodies (``issue`` codes of the spec).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from payportal.testing import FakePayPal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import ModuleType

_REQUEST_IDS = itertools.count(1)


@pytest.fixture
def sdk(official: Callable[[str], ModuleType]) -> SimpleNamespace:
    """The SDK's client, configuration and the models the tests build requests from."""
    names = {
        "client": ("paypalserversdk.paypal_serversdk_client", "PaypalServersdkClient"),
        "configuration": ("paypalserversdk.configuration", "Configuration"),
        "environment": ("paypalserversdk.configuration", "Environment"),
        "server": ("paypalserversdk.configuration", "Server"),
        "credentials": ("paypalserversdk.http.auth.o_auth_2", "ClientCredentialsAuthCredentials"),
        "order_request": ("paypalserversdk.models.order_request", "OrderRequest"),
        "unit": ("paypalserversdk.models.purchase_unit_request", "PurchaseUnitRequest"),
        "amount": ("paypalserversdk.models.amount_with_breakdown", "AmountWithBreakdown"),
        "intent": ("paypalserversdk.models.checkout_payment_intent", "CheckoutPaymentIntent"),
        "capture_request": ("paypalserversdk.models.capture_request", "CaptureRequest"),
        "refund_request": ("paypalserversdk.models.refund_request", "RefundRequest"),
        "money": ("paypalserversdk.models.money", "Money"),
        "error": ("paypalserversdk.exceptions.error_exception", "ErrorException"),
    }
    return SimpleNamespace(
        **{key: getattr(official(module), name) for key, (module, name) in names.items()}
    )


@pytest.fixture
def fake() -> FakePayPal:
    return FakePayPal()


@pytest.fixture
def client(sdk: SimpleNamespace, fake: FakePayPal) -> Iterator[Any]:
    """The SDK's client, configured for the sandbox but sent to the fake on loopback."""
    with fake.serve() as base_url:
        config = sdk.configuration(
            environment=sdk.environment.SANDBOX,
            client_credentials_auth_credentials=sdk.credentials(fake.client_id, fake.client_secret),
        )
        # The SDK knows only PayPal's hosts; its configuration maps environments to them.
        config.environments = {sdk.environment.SANDBOX: {sdk.server.DEFAULT: base_url}}
        yield sdk.client(config=config)


def request_id() -> str:
    return f"payportal-official-{next(_REQUEST_IDS)}"


def create_order(sdk: SimpleNamespace, client: Any, intent: str, value: str) -> Any:
    body = sdk.order_request(
        intent=getattr(sdk.intent, intent),
        purchase_units=[
            sdk.unit(amount=sdk.amount(currency_code="EUR", value=value), invoice_id="INV-7")
        ],
    )
    answer = client.orders.create_order(
        {"body": body, "paypal_request_id": request_id(), "prefer": "return=representation"}
    )
    assert answer.status_code == 201
    return answer.body


def issues(error: Any) -> list[str]:
    return [detail.issue for detail in error.details or ()]


def test_an_authorization_is_captured_in_parts_refunded_and_the_rest_voided(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    order = create_order(sdk, client, "AUTHORIZE", "30.00")
    assert order.status == "CREATED"
    assert client.orders.get_order({"id": order.id}).body.status == "CREATED"
    fake.approve(order.id)
    assert client.orders.get_order({"id": order.id}).body.status == "APPROVED"

    authorized = client.orders.authorize_order(
        {"id": order.id, "paypal_request_id": request_id(), "prefer": "return=representation"}
    ).body
    assert authorized.status == "COMPLETED"
    authorization_id = authorized.purchase_units[0].payments.authorizations[0].id
    authorization = client.payments.get_authorized_payment(
        {"authorization_id": authorization_id}
    ).body
    assert (authorization.status, authorization.amount.value) == ("CREATED", "30.00")

    first = client.payments.capture_authorized_payment(
        {
            "authorization_id": authorization_id,
            "body": sdk.capture_request(
                amount=sdk.money(currency_code="EUR", value="10.00"), final_capture=False
            ),
            "paypal_request_id": request_id(),
            "prefer": "return=representation",
        }
    ).body
    assert (first.status, first.amount.value) == ("COMPLETED", "10.00")
    assert client.payments.get_captured_payment({"capture_id": first.id}).body.status == (
        "COMPLETED"
    )
    authorization = client.payments.get_authorized_payment(
        {"authorization_id": authorization_id}
    ).body
    assert authorization.status == "PARTIALLY_CAPTURED"

    refund = client.payments.refund_captured_payment(
        {
            "capture_id": first.id,
            "body": sdk.refund_request(amount=sdk.money(currency_code="EUR", value="4.00")),
            "paypal_request_id": request_id(),
            "prefer": "return=representation",
        }
    ).body
    assert (refund.status, refund.amount.value) == ("COMPLETED", "4.00")
    assert client.payments.get_refund({"refund_id": refund.id}).body.amount.value == "4.00"
    assert client.payments.get_captured_payment({"capture_id": first.id}).body.status == (
        "PARTIALLY_REFUNDED"
    )

    # PayPal voids what is left after a partial capture.
    voided = client.payments.void_payment(
        {"authorization_id": authorization_id, "prefer": "return=representation"}
    )
    assert voided.status_code == 200
    assert voided.body.status == "VOIDED"
    with pytest.raises(sdk.error) as again:
        client.payments.void_payment({"authorization_id": authorization_id})
    assert (again.value.response_code, issues(again.value)) == (422, ["PREVIOUSLY_VOIDED"])
    with pytest.raises(sdk.error) as after_void:
        client.payments.capture_authorized_payment(
            {"authorization_id": authorization_id, "paypal_request_id": request_id()}
        )
    assert issues(after_void.value) == ["AUTHORIZATION_VOIDED"]


def test_a_fully_captured_authorization_can_be_neither_captured_nor_voided(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    order = create_order(sdk, client, "AUTHORIZE", "12.00")
    fake.approve(order.id)
    authorized = client.orders.authorize_order({"id": order.id}).body
    authorization_id = authorized.purchase_units[0].payments.authorizations[0].id
    capture = client.payments.capture_authorized_payment(
        {"authorization_id": authorization_id, "paypal_request_id": request_id()}
    ).body
    assert capture.amount.value == "12.00"
    with pytest.raises(sdk.error) as recapture:
        client.payments.capture_authorized_payment(
            {"authorization_id": authorization_id, "paypal_request_id": request_id()}
        )
    assert issues(recapture.value) == ["AUTHORIZATION_ALREADY_CAPTURED"]
    with pytest.raises(sdk.error) as void:
        client.payments.void_payment({"authorization_id": authorization_id})
    assert issues(void.value) == ["PREVIOUSLY_CAPTURED"]


def test_a_capture_intent_order_is_captured_and_refunded_in_full(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    order = create_order(sdk, client, "CAPTURE", "5.00")
    fake.approve(order.id)
    captured = client.orders.capture_order(
        {"id": order.id, "paypal_request_id": request_id(), "prefer": "return=representation"}
    ).body
    assert captured.status == "COMPLETED"
    capture_id = captured.purchase_units[0].payments.captures[0].id
    refund = client.payments.refund_captured_payment(
        {"capture_id": capture_id, "paypal_request_id": request_id()}
    ).body
    assert refund.amount.value == "5.00"
    assert client.payments.get_captured_payment({"capture_id": capture_id}).body.status == (
        "REFUNDED"
    )
    with pytest.raises(sdk.error) as twice:
        client.payments.refund_captured_payment(
            {"capture_id": capture_id, "paypal_request_id": request_id()}
        )
    assert issues(twice.value) == ["CAPTURE_FULLY_REFUNDED"]


def test_a_repeated_request_id_replays_the_first_answer(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    order = create_order(sdk, client, "CAPTURE", "7.00")
    fake.approve(order.id)
    key = request_id()
    first = client.orders.capture_order({"id": order.id, "paypal_request_id": key}).body
    second = client.orders.capture_order({"id": order.id, "paypal_request_id": key}).body
    assert first.id == second.id
    assert len(fake.captures) == 1


def test_unknown_resources_are_404_with_paypals_issue(sdk: SimpleNamespace, client: Any) -> None:
    for call, argument in (
        (client.payments.get_captured_payment, {"capture_id": "0NOSUCHCAPTURE00"}),
        (client.payments.get_refund, {"refund_id": "0NOSUCHREFUND000"}),
        (client.payments.get_authorized_payment, {"authorization_id": "0NOSUCHAUTH00000"}),
    ):
        with pytest.raises(sdk.error) as missing:
            call(argument)
        assert missing.value.response_code == 404
        assert issues(missing.value) == ["INVALID_RESOURCE_ID"]
