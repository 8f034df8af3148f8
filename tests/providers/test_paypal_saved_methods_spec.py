"""The saved-wallet flow against PayPal's OpenAPI files: Vault v3 and Orders v2.

Every request the client sends and every answer the fake gives while a wallet is saved,
listed, charged (and refused) and deleted is validated with openapi-core, as
``test_spec_conformance`` does for payments. Source: tests/data/paypal/README.md.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from test_spec_conformance import Recorder, _OpenAPIRequest, _OpenAPIResponse

from payportal import Money
from payportal.exceptions import PaymentDeclinedError, SavedMethodUnusableError
from payportal.providers import RetryPolicy
from payportal.providers.paypal import PayPal
from payportal.testing import FakePayPal

DATA = Path(__file__).resolve().parents[1] / "data" / "paypal"
NO_WAIT: dict[str, Any] = {"retry": RetryPolicy(base_delay=0.0), "sleep": lambda seconds: None}


def _vault_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((DATA / "vault_payment_tokens_v3.json").read_text())
    # The file's token type enum predates setup tokens: it names only BILLING_AGREEMENT,
    # while PayPal's guides and its server SDK (VaultTokenRequestType) send SETUP_TOKEN.
    token = spec["components"]["schemas"]["token_id_request"]["properties"]["type"]
    token["enum"] = [*token["enum"], "SETUP_TOKEN"]
    return spec


@pytest.fixture(scope="module")
def specs() -> dict[str, OpenAPI]:
    config = Config(spec_validator_cls=None)  # the files are PayPal's; check traffic only
    orders = json.loads((DATA / "checkout_orders_v2.json").read_text())
    return {
        "/v3/vault/": OpenAPI.from_dict(_vault_spec(), config=config),
        "/v2/checkout/": OpenAPI.from_dict(orders, config=config),
    }


def violations(
    specs: dict[str, OpenAPI], exchanges: list[tuple[httpx.Request, httpx.Response]]
) -> list[str]:
    found, checked = [], set()
    for sent, answer in exchanges:
        prefix = next((p for p in specs if sent.url.path.startswith(p)), None)
        if prefix is None:
            continue
        spec = specs[prefix]
        checked.add(prefix)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
            try:
                spec.validate_request(_OpenAPIRequest(sent))
                spec.validate_response(_OpenAPIRequest(sent), _OpenAPIResponse(answer))
            except OpenAPIError as error:
                cause = error.__cause__ or error
                found.append(f"{sent.method} {sent.url.path}: {cause!r}"[:3000])
    assert checked == set(specs), f"only {sorted(checked)} were checked"
    return found


def test_saving_charging_and_deleting_a_wallet_conforms_to_the_specs(
    specs: dict[str, OpenAPI],
) -> None:
    fake = FakePayPal()
    recorder = Recorder(fake)
    paypal = PayPal(fake.client_id, fake.client_secret, transport=recorder, **NO_WAIT)
    setup = paypal.setup_method("42", "https://shop.example/ok", "https://shop.example/no")
    fake.approve_setup(setup.id)
    method = paypal.confirm_method(setup)
    assert paypal.list_methods(method.customer) == (method,)
    paypal.charge_method(method, Money("12.00", "EUR"), "INV-1", "run-1")
    fake.decline_token(method.id)
    with pytest.raises(PaymentDeclinedError):
        paypal.charge_method(method, Money("12.00", "EUR"), "INV-2", "run-2")
    fake.revoke_token(method.id)
    with pytest.raises(SavedMethodUnusableError):
        paypal.charge_method(method, Money("12.00", "EUR"), "INV-2", "run-3")
    paypal.delete_method(method)
    statuses = {answer.status_code for _, answer in recorder.exchanges}
    assert {200, 201, 204, 422} <= statuses
    assert violations(specs, recorder.exchanges) == []


def test_an_answer_that_breaks_the_vault_spec_is_caught(specs: dict[str, OpenAPI]) -> None:
    fake = FakePayPal()
    recorder = Recorder(fake)
    paypal = PayPal(fake.client_id, fake.client_secret, transport=recorder, **NO_WAIT)
    paypal.setup_method("42", "https://shop.example/ok", "https://shop.example/no")
    sent, answer = recorder.exchanges[-1]
    broken = json.loads(answer.content)
    broken["customer"] = {"id": "not a customer id!"}  # outside the spec's pattern
    bad = httpx.Response(answer.status_code, headers=answer.headers, json=broken)
    assert _check_one(specs["/v3/vault/"], sent, answer) == []
    assert _check_one(specs["/v3/vault/"], sent, bad) != []


def _check_one(spec: OpenAPI, sent: httpx.Request, answer: httpx.Response) -> list[str]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
        try:
            spec.validate_response(_OpenAPIRequest(sent), _OpenAPIResponse(answer))
        except OpenAPIError as error:
            return [repr(error.__cause__ or error)]
    return []
