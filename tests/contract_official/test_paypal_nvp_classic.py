"""The classic PayPal NVP client for Python (``paypal`` on PyPI) drives :class:`FakePayPalNVP`.

Operations covered: SetExpressCheckout, GetExpressCheckoutDetails, DoExpressCheckoutPayment
(authorization), DoCapture (partial, then complete), RefundTransaction (partial),
DoVoid, and the library's reading of NVP errors (``L_ERRORCODE0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from payportal.testing import FakePayPalNVP

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import ModuleType


@pytest.fixture
def nvp(official: Callable[[str], ModuleType]) -> ModuleType:
    return official("paypal")


@pytest.fixture
def fake() -> FakePayPalNVP:
    return FakePayPalNVP()


@pytest.fixture
def interface(nvp: ModuleType, fake: FakePayPalNVP) -> Iterator[Any]:
    with fake.serve() as base_url:
        config = nvp.PayPalConfig(
            API_USERNAME=fake.username,
            API_PASSWORD=fake.password,
            API_SIGNATURE=fake.signature,
            API_ENVIRONMENT="SANDBOX",
        )
        config.API_ENDPOINT = f"{base_url}/nvp"  # the library knows only PayPal's hosts
        yield nvp.PayPalInterface(config=config)


def checkout(interface: Any, fake: FakePayPalNVP, amount: str) -> tuple[str, str]:
    """An approved Express Checkout for ``amount`` EUR: its token and payer id."""
    answer = interface.set_express_checkout(
        PAYMENTREQUEST_0_AMT=amount,
        PAYMENTREQUEST_0_CURRENCYCODE="EUR",
        PAYMENTREQUEST_0_PAYMENTACTION="Authorization",
        RETURNURL="https://shop.example/ok",
        CANCELURL="https://shop.example/cancel",
    )
    token = answer.token
    assert token.startswith("EC-")
    fake.approve(token)
    details = interface.get_express_checkout_details(token=token)
    return token, details.payerid


def test_an_express_checkout_is_authorized_captured_in_parts_and_refunded(
    interface: Any, fake: FakePayPalNVP
) -> None:
    token, payer_id = checkout(interface, fake, "30.00")
    paid = interface.do_express_checkout_payment(
        token=token,
        payerid=payer_id,
        PAYMENTREQUEST_0_AMT="30.00",
        PAYMENTREQUEST_0_CURRENCYCODE="EUR",
        PAYMENTREQUEST_0_PAYMENTACTION="Authorization",
    )
    authorization_id = paid["PAYMENTINFO_0_TRANSACTIONID"]
    assert paid["PAYMENTINFO_0_PAYMENTSTATUS"] == "Pending"
    first = interface.do_capture(authorization_id, "10.00", completetype="NotComplete",
                                 CURRENCYCODE="EUR")  # fmt: skip
    assert first["AMT"] == "10.00"
    refund = interface.refund_transaction(
        first["TRANSACTIONID"], REFUNDTYPE="Partial", AMT="4.00", CURRENCYCODE="EUR"
    )
    assert refund["GROSSREFUNDAMT"] == "4.00"
    rest = interface.do_capture(authorization_id, "20.00", completetype="Complete",
                                CURRENCYCODE="EUR")  # fmt: skip
    assert rest["AMT"] == "20.00"


def test_an_authorization_is_voided_once(
    nvp: ModuleType, interface: Any, fake: FakePayPalNVP
) -> None:
    token, payer_id = checkout(interface, fake, "12.00")
    paid = interface.do_express_checkout_payment(
        token=token,
        payerid=payer_id,
        PAYMENTREQUEST_0_AMT="12.00",
        PAYMENTREQUEST_0_CURRENCYCODE="EUR",
        PAYMENTREQUEST_0_PAYMENTACTION="Authorization",
    )
    authorization_id = paid["PAYMENTINFO_0_TRANSACTIONID"]
    assert interface.do_void(AUTHORIZATIONID=authorization_id)["AUTHORIZATIONID"] == (
        authorization_id
    )
    with pytest.raises(nvp.PayPalAPIResponseError) as again:
        interface.do_void(AUTHORIZATIONID=authorization_id)
    assert str(again.value.error_code) == "10600"  # authorization is voided


def test_wrong_credentials_are_refused_with_nvps_error(
    nvp: ModuleType, fake: FakePayPalNVP
) -> None:
    with fake.serve() as base_url:
        config = nvp.PayPalConfig(API_USERNAME=fake.username, API_PASSWORD="wrong",
                                  API_SIGNATURE=fake.signature)  # fmt: skip
        config.API_ENDPOINT = f"{base_url}/nvp"
        with pytest.raises(nvp.PayPalAPIResponseError) as refused:
            nvp.PayPalInterface(config=config).set_express_checkout(
                PAYMENTREQUEST_0_AMT="1.00",
                RETURNURL="https://shop.example/ok",
                CANCELURL="https://shop.example/cancel",
            )
    assert str(refused.value.error_code) == "10002"
