"""The pytest plugin's fixtures, used the way a user's suite uses them: by name."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import httpx
import pytest

from payportal import Money
from payportal.providers import PaymentRequest, PaymentStatus
from payportal.testing.fake_billpay import sample_buyer

if TYPE_CHECKING:
    from pathlib import Path

    from payportal.testing import FakeServer

PROVIDERS = ["paypal", "paypal_nvp", "payengine", "paydirekt", "sofort", "billpay", "billwerk"]


def payment_request(provider: str) -> PaymentRequest:
    if provider == "billpay":  # invoice purchase: the buyer instead of a redirect
        return PaymentRequest(
            amount=Money("10.00", "EUR"), reference="PLUGIN-1", metadata=sample_buyer()
        )
    return PaymentRequest(
        amount=Money("10.00", "EUR"),
        reference="PLUGIN-1",
        return_url="https://shop.example/return",
        cancel_url="https://shop.example/cancel",
        # paydirekt wants the addressee; the others ignore what they do not use.
        metadata={"addresseeGivenName": "Hermann", "addresseeLastName": "Meyer"},
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_client_fixture_talks_to_its_fake(provider: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(provider)
    fake: FakeServer = request.getfixturevalue(f"fake_{provider}")
    created = client.create_payment(payment_request(provider))
    assert client.name == provider
    assert fake.requests, "the client did not reach the fixture's fake"
    assert created.provider == provider
    assert created.amount == Money("10.00", "EUR")
    assert created.status is not PaymentStatus.FAILED


@pytest.mark.parametrize("provider", PROVIDERS)
def test_url_fixture_serves_its_fake_on_loopback(
    provider: str, request: pytest.FixtureRequest
) -> None:
    base_url: str = request.getfixturevalue(f"fake_{provider}_url")
    fake: FakeServer = request.getfixturevalue(f"fake_{provider}")
    assert base_url.startswith("http://127.0.0.1:")
    httpx.get(f"{base_url}/probe", timeout=5.0)
    assert [r.url.path for r in fake.requests] == ["/probe"]


def test_each_test_gets_a_fresh_fake(
    fake_sofort: FakeServer, fake_billwerk: FakeServer, fake_payengine: FakeServer
) -> None:
    assert fake_sofort.requests == fake_billwerk.requests == fake_payengine.requests == []


def test_plugin_is_loaded_by_its_entry_point(tmp_path: Path) -> None:
    # A suite outside this repository, with no conftest: only the entry point can help it.
    (tmp_path / "test_user.py").write_text(
        "def test_fixtures(fake_paypal_nvp, paypal_nvp, fake_billpay, billpay):\n"
        "    assert paypal_nvp.name == 'paypal_nvp' and billpay.name == 'billpay'\n"
    )
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stdout
    assert "1 passed" in finished.stdout
