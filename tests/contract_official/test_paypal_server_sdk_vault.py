"""PayPal's official Python SDK (``paypal-server-sdk``) saves and charges a wallet at the fake.

Operations covered (Vault v3 and an Orders v2 order paid by ``vault_id``, as the SDK calls
them): setup token create and get, payment token create, list and delete, an order paid by
the saved wallet (merchant-initiated), and the SDK's reading of a refused saved wallet.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from payportal.testing import FakePayPal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import ModuleType


@pytest.fixture
def sdk(official: Callable[[str], ModuleType]) -> SimpleNamespace:
    names = {
        "client": ("paypalserversdk.paypal_serversdk_client", "PaypalServersdkClient"),
        "configuration": ("paypalserversdk.configuration", "Configuration"),
        "environment": ("paypalserversdk.configuration", "Environment"),
        "server": ("paypalserversdk.configuration", "Server"),
        "credentials": ("paypalserversdk.http.auth.o_auth_2", "ClientCredentialsAuthCredentials"),
        "setup_request": ("paypalserversdk.models.setup_token_request", "SetupTokenRequest"),
        "setup_source": (
            "paypalserversdk.models.setup_token_request_payment_source",
            "SetupTokenRequestPaymentSource",
        ),
        "wallet_request": (
            "paypalserversdk.models.vault_paypal_wallet_request",
            "VaultPaypalWalletRequest",
        ),
        "experience": ("paypalserversdk.models.vault_experience_context", "VaultExperienceContext"),
        "token_request": ("paypalserversdk.models.payment_token_request", "PaymentTokenRequest"),
        "token_source": (
            "paypalserversdk.models.payment_token_request_payment_source",
            "PaymentTokenRequestPaymentSource",
        ),
        "vault_token": ("paypalserversdk.models.vault_token_request", "VaultTokenRequest"),
        "token_type": ("paypalserversdk.models.vault_token_request_type", "VaultTokenRequestType"),
        "order_request": ("paypalserversdk.models.order_request", "OrderRequest"),
        "unit": ("paypalserversdk.models.purchase_unit_request", "PurchaseUnitRequest"),
        "amount": ("paypalserversdk.models.amount_with_breakdown", "AmountWithBreakdown"),
        "intent": ("paypalserversdk.models.checkout_payment_intent", "CheckoutPaymentIntent"),
        "payment_source": ("paypalserversdk.models.payment_source", "PaymentSource"),
        "wallet": ("paypalserversdk.models.paypal_wallet", "PaypalWallet"),
        "stored": (
            "paypalserversdk.models.paypal_wallet_stored_credential",
            "PaypalWalletStoredCredential",
        ),
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
    with fake.serve() as base_url:
        config = sdk.configuration(
            environment=sdk.environment.SANDBOX,
            client_credentials_auth_credentials=sdk.credentials(fake.client_id, fake.client_secret),
        )
        config.environments = {sdk.environment.SANDBOX: {sdk.server.DEFAULT: base_url}}
        yield sdk.client(config=config)


def save_wallet(sdk: SimpleNamespace, client: Any, fake: FakePayPal) -> Any:
    """Setup token, the payer's approval, payment token: the SDK's payment token body."""
    setup = client.vault.create_setup_token(
        {
            "body": sdk.setup_request(
                payment_source=sdk.setup_source(
                    paypal=sdk.wallet_request(
                        usage_type="MERCHANT",
                        experience_context=sdk.experience(
                            return_url="https://shop.example/ok",
                            cancel_url="https://shop.example/no",
                        ),
                    )
                )
            ),
            "paypal_request_id": "sdk-setup-1",
        }
    )
    assert setup.status_code == 201
    assert setup.body.status == "PAYER_ACTION_REQUIRED"
    fake.approve_setup(setup.body.id, email="jane@example.com")
    assert client.vault.get_setup_token(setup.body.id).body.status == "APPROVED"
    token = client.vault.create_payment_token(
        {
            "body": sdk.token_request(
                payment_source=sdk.token_source(
                    token=sdk.vault_token(id=setup.body.id, mtype=sdk.token_type.SETUP_TOKEN)
                )
            ),
            "paypal_request_id": "sdk-token-1",
        }
    )
    assert token.status_code == 201
    return token.body


def order_by_vault_id(sdk: SimpleNamespace, client: Any, vault_id: str, request_id: str) -> Any:
    body = sdk.order_request(
        intent=sdk.intent.CAPTURE,
        purchase_units=[
            sdk.unit(amount=sdk.amount(currency_code="EUR", value="25.00"), invoice_id="INV-1")
        ],
        payment_source=sdk.payment_source(
            paypal=sdk.wallet(
                vault_id=vault_id,
                stored_credential=sdk.stored(payment_initiator="MERCHANT", usage="SUBSEQUENT"),
            )
        ),
    )
    return client.orders.create_order(
        {"body": body, "paypal_request_id": request_id, "prefer": "return=representation"}
    )


def test_the_sdk_saves_a_wallet_lists_it_and_deletes_it(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    token = save_wallet(sdk, client, fake)
    assert token.payment_source.paypal.email_address == "jane@example.com"
    listed = client.vault.list_customer_payment_tokens({"customer_id": token.customer.id})
    assert [t.id for t in listed.body.payment_tokens] == [token.id]
    assert client.vault.delete_payment_token(token.id).status_code == 204
    listed = client.vault.list_customer_payment_tokens({"customer_id": token.customer.id})
    assert listed.body.payment_tokens == []


def test_the_sdk_pays_an_order_with_the_saved_wallet_without_the_payer(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    token = save_wallet(sdk, client, fake)
    answer = order_by_vault_id(sdk, client, token.id, "sdk-order-1")
    assert answer.status_code == 201
    assert answer.body.status == "COMPLETED"
    (capture,) = answer.body.purchase_units[0].payments.captures
    assert (capture.status, capture.amount.value) == ("COMPLETED", "25.00")


def test_the_sdk_reads_a_revoked_wallet_as_payment_source_cannot_be_used(
    sdk: SimpleNamespace, client: Any, fake: FakePayPal
) -> None:
    token = save_wallet(sdk, client, fake)
    fake.revoke_token(token.id)
    with pytest.raises(sdk.error) as raised:
        order_by_vault_id(sdk, client, token.id, "sdk-order-2")
    assert raised.value.response_code == 422
    assert raised.value.details[0].issue == "PAYMENT_SOURCE_CANNOT_BE_USED"
    assert fake.orders == {}
