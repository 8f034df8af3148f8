"""Fuzz webhook parsing and signature verification of every provider, sync and async.

Each client talks to its fake through ``httpx.MockTransport``. A real notification from the
fake is the seed: mutated bodies and headers, and raw bytes, must give a verified event or a
:class:`WebhookVerificationError` (providers without webhooks: an
:class:`UnsupportedOperationError`), never another exception, never output on stdout.
"""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest
from fuzz_support import fuzz, mutate, only
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.customers import BankAccount
from payportal.exceptions import (
    ProviderError,
    UnsupportedOperationError,
    WebhookVerificationError,
)
from payportal.providers import PaymentRequest, RetryPolicy
from payportal.providers.bank_transfer import AsyncBankTransfer, BankTransfer
from payportal.providers.billpay import AsyncBillPay, BillPay
from payportal.providers.billpay import parse_answer as billpay_answer
from payportal.providers.billwerk import AsyncBillwerkPay, BillwerkPay
from payportal.providers.paydirekt import AsyncPaydirekt, Paydirekt
from payportal.providers.payengine import AsyncPayEngine, PayEngine
from payportal.providers.paypal import AsyncPayPal, PayPal
from payportal.providers.paypal_nvp import AsyncPayPalNVP, PayPalNVP
from payportal.providers.sofort import AsyncSofort, Sofort
from payportal.providers.sofort import parse_document as sofort_document
from payportal.testing.fake_billpay import FakeBillPay
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

Delivery = tuple[dict[str, str], bytes]
NOW = time.time()  # the clients' clock stays here, so the seeds never age into "too old"
REQUEST = PaymentRequest(
    amount=Money("10.00", "EUR"),
    reference="FUZZ-1",
    return_url="https://shop.example/return",
    cancel_url="https://shop.example/cancel",
    description="Fuzz",
)


class Target(NamedTuple):
    """One provider: its clients, a real notification, and what parse_webhook may raise."""

    sync: Any
    asynchronous: Any
    seed: Delivery
    allowed: tuple[type[Exception], ...]
    # Signs an edited body as the provider would, so decoding after verification is fuzzed too.
    resign: Callable[[bytes], Delivery | None] | None = None


def _sync_options(fake: Any) -> dict[str, Any]:
    return {"transport": fake.transport(), "retry": RetryPolicy(base_delay=0.0)} | {
        "sleep": lambda seconds: None
    }


async def _no_sleep(seconds: float) -> None:
    return None


def _async_options(fake: Any) -> dict[str, Any]:
    return {"transport": fake.transport(), "retry": RetryPolicy(base_delay=0.0)} | {
        "sleep": _no_sleep
    }


def _seed(
    client: Any,
    approve: Callable[[str], None],
    delivered: Callable[[], list[Delivery]],
    request: PaymentRequest = REQUEST,
) -> Delivery:
    payment = client.create_payment(request)
    approve(payment.id)
    if client.capabilities.capture:
        client.capture(payment.id)
    deliveries = delivered()
    assert deliveries, "the fake delivered no notification to seed the fuzzing with"
    client.parse_webhook(*deliveries[-1])  # the seed itself verifies
    return deliveries[-1]


def _paypal() -> Target:
    fake = FakePayPal()
    both: dict[str, Any] = {"webhook_id": fake.webhook_id}
    if hasattr(fake, "trust_roots"):  # offline verification trusts the fake's own root
        both["webhook_trust_roots"] = fake.trust_roots
    sync = PayPal(fake.client_id, fake.client_secret, **both, **_sync_options(fake))
    asynchronous = AsyncPayPal(fake.client_id, fake.client_secret, **both, **_async_options(fake))

    def resign(body: bytes) -> Delivery | None:
        try:
            event = json.loads(body)
        except ValueError:
            return None
        return fake.sign(event)

    seed = _seed(sync, fake.approve, fake.webhooks)
    return Target(sync, asynchronous, seed, (WebhookVerificationError,), resign)


def _paypal_nvp() -> Target:
    fake = FakePayPalNVP()
    credentials = (fake.username, fake.password, fake.signature)
    sync = PayPalNVP(*credentials, **_sync_options(fake))
    asynchronous = AsyncPayPalNVP(*credentials, **_async_options(fake))
    return Target(
        sync, asynchronous, _seed(sync, fake.approve, fake.webhooks), (WebhookVerificationError,)
    )


def _payengine() -> Target:
    fake = FakePayEngine()
    both = {"notification_url": fake.notification_url}
    sync = PayEngine(fake.merchant_id, fake.api_key, **both, **_sync_options(fake))
    asynchronous = AsyncPayEngine(fake.merchant_id, fake.api_key, **both, **_async_options(fake))
    return Target(
        sync, asynchronous, _seed(sync, fake.approve, fake.webhooks), (WebhookVerificationError,)
    )


def _paydirekt() -> Target:
    fake = FakePaydirekt()
    both = {"callback_url": "https://shop.example/paydirekt"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sync = Paydirekt(fake.api_key, fake.api_secret, **both, **_sync_options(fake))
        asynchronous = AsyncPaydirekt(fake.api_key, fake.api_secret, **both, **_async_options(fake))
    payer = {"addresseeGivenName": "Hermann", "addresseeLastName": "Meyer"}
    request = PaymentRequest(
        amount=REQUEST.amount,
        reference=REQUEST.reference,
        return_url=REQUEST.return_url,
        cancel_url=REQUEST.cancel_url,
        description=REQUEST.description,
        metadata=payer,
    )
    seed = _seed(sync, fake.approve, fake.callbacks, request)
    return Target(sync, asynchronous, seed, (WebhookVerificationError,))


def _sofort() -> Target:
    fake = FakeSofort()
    both = {"notification_url": "https://shop.example/n"}
    ids = (fake.customer_id, fake.project_id, fake.api_key)
    sync = Sofort(*ids, **both, **_sync_options(fake))
    asynchronous = AsyncSofort(*ids, **both, **_async_options(fake))
    return Target(
        sync, asynchronous, _seed(sync, fake.pay, fake.notifications), (WebhookVerificationError,)
    )


def _billwerk() -> Target:
    fake = FakeBillwerkPay()
    both: dict[str, Any] = {"webhook_secret": fake.webhook_secret, "wall_clock": lambda: NOW}
    sync = BillwerkPay(fake.private_key, **both, **_sync_options(fake))
    asynchronous = AsyncBillwerkPay(fake.private_key, **both, **_async_options(fake))
    return Target(
        sync, asynchronous, _seed(sync, fake.approve, fake.webhooks), (WebhookVerificationError,)
    )


def _billpay() -> Target:
    fake = FakeBillPay()
    ids = (fake.merchant_id, fake.portal_id, fake.security_key)
    sync = BillPay(*ids, **_sync_options(fake))
    asynchronous = AsyncBillPay(*ids, **_async_options(fake))
    seed = ({"Content-Type": "application/xml"}, b"<data error_code='0'/>")
    return Target(sync, asynchronous, seed, (WebhookVerificationError, UnsupportedOperationError))


def _bank_transfer() -> Target:
    account = BankAccount(iban="DE89370400440532013000", holder="Beispiel AG")
    seed = ({"Content-Type": "application/json"}, b'{"reference": "RF18539007547034"}')
    return Target(
        BankTransfer(account),
        AsyncBankTransfer(account),
        seed,
        (WebhookVerificationError, UnsupportedOperationError),
    )


BUILDERS: Mapping[str, Callable[[], Target]] = {
    "paypal": _paypal,
    "paypal_nvp": _paypal_nvp,
    "payengine": _payengine,
    "paydirekt": _paydirekt,
    "sofort": _sofort,
    "billwerk": _billwerk,
    "billpay": _billpay,
    "bank_transfer": _bank_transfer,
}
_TARGETS: dict[str, Target] = {}


def target(name: str) -> Target:
    """The provider's clients and seed, built once per test session."""
    if name not in _TARGETS:
        _TARGETS[name] = BUILDERS[name]()
    return _TARGETS[name]


def edit_headers(headers: dict[str, str], program: bytes) -> dict[str, str]:
    """``headers`` edited as ``program`` says: drop, blank, mutate, re-case or add headers."""
    edited = dict(headers)
    for index in range(0, len(program) - 1, 2):
        edit, pick = program[index], program[index + 1]
        names = sorted(edited)
        name = names[pick % len(names)] if names else "X-Fuzz"
        kind = edit % 5
        if kind == 0:
            edited.pop(name, None)
        elif kind == 1:
            edited[name] = ""
        elif kind == 2:
            value = edited.get(name, "").encode("latin-1", "replace")
            edited[name] = mutate(value, program[index:]).decode("latin-1")
        elif kind == 3:
            edited[name.swapcase()] = edited.pop(name, "x")
        else:
            edited[f"X-Fuzz-{pick}"] = program[index:].decode("latin-1")
    return edited


class Attempt(NamedTuple):
    """One fuzzed delivery, read from a single binary draw (cheap, and shrinks well)."""

    asynchronous: bool
    raw: bool
    resign: bool
    header_program: bytes
    program: bytes  # the body's edits, or the raw body itself

    @classmethod
    def read(cls, data: bytes) -> Attempt:
        flags = data[0] if data else 0
        size = (data[1] if len(data) > 1 else 0) % 9
        header_program, program = data[2 : 2 + size], data[2 + size :]
        return cls(bool(flags & 1), bool(flags & 2), bool(flags & 4), header_program, program)


@pytest.mark.parametrize("name", list(BUILDERS))
@fuzz
@given(data=st.binary(max_size=240))
def test_parse_webhook_raises_only_its_documented_errors(name: str, data: bytes) -> None:
    chosen = target(name)
    attempt = Attempt.read(data)
    seed_headers, seed_body = chosen.seed
    body = attempt.program if attempt.raw else mutate(seed_body, attempt.program[:30])
    headers = edit_headers(seed_headers, attempt.header_program)
    signed = chosen.resign(body) if attempt.resign and chosen.resign else None
    if signed is not None:
        headers, body = signed
    if attempt.asynchronous:
        call: Callable[[], object] = lambda: asyncio.run(  # noqa: E731
            chosen.asynchronous.parse_webhook(headers, body)
        )
    else:
        call = lambda: chosen.sync.parse_webhook(headers, body)  # noqa: E731
    mode = "async" if attempt.asynchronous else "sync"
    only(chosen.allowed, call, f"{name} parse_webhook ({mode})")


# -- cases the fuzzing found --------------------------------------------------------------------

HOSTILE_DECLARATIONS = [
    b"<?xml version='1.0' encoding='UTFL8'?>",  # LookupError: unknown encoding
    b"<?xml version='1.0' encoding='rot13'?>",  # LookupError: not a text encoding
    b"<?xml version='1.0' encoding='UTF-32'?>",  # ValueError: multi-byte encodings
    b"<?xml version='1.0' encoding='idna'?>",  # UnicodeError from the codec
]


@pytest.mark.parametrize("declaration", HOSTILE_DECLARATIONS)
def test_a_sofort_notification_with_a_hostile_encoding_is_unverified(declaration: bytes) -> None:
    body = (
        declaration + b"<status_notification><transaction>1-2</transaction></status_notification>"
    )
    with pytest.raises(WebhookVerificationError):
        target("sofort").sync.parse_webhook({"Content-Type": "application/xml"}, body)


@pytest.mark.parametrize("declaration", HOSTILE_DECLARATIONS)
def test_provider_answers_with_a_hostile_encoding_are_provider_errors(declaration: bytes) -> None:
    with pytest.raises(ProviderError):
        sofort_document(declaration + b"<new_transaction/>")
    with pytest.raises(ProviderError):
        billpay_answer(declaration + b"<data error_code='0'/>")
