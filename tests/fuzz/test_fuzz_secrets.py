"""No secret in any message: every credential-holding object, built from bad input.

Each case puts a generated value where a key, secret, password, signature or token goes
(and, for the link keys, where a secret is easily passed by mistake), leaves the other
arguments valid or makes one of them wrong too, and then searches every exception message,
``repr``, traceback, warning and log record, and the ``repr`` of what was built, for the
value. A client that could be built also makes one request its fake refuses, so the
authentication error is searched too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import traceback
import warnings
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import pytest
from fuzz_support import fuzz_at_most, no_hang
from hypothesis import given
from hypothesis import strategies as st

from payportal.links import Ed25519Key, HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.providers import RetryPolicy
from payportal.providers.billpay import AsyncBillPay, BillPay
from payportal.providers.billwerk import AsyncBillwerkPay, BillwerkPay, webhook_signature
from payportal.providers.paydirekt import AsyncPaydirekt, Paydirekt, auth_code
from payportal.providers.payengine import AsyncPayEngine, PayEngine
from payportal.providers.paypal import AsyncPayPal, PayPal
from payportal.providers.paypal_nvp import AsyncPayPalNVP, PayPalNVP
from payportal.providers.sofort import AsyncSofort, Sofort
from payportal.testing.fake_billpay import FakeBillPay
from payportal.testing.fake_billwerk import FakeBillwerkPay
from payportal.testing.fake_paydirekt import FakePaydirekt
from payportal.testing.fake_payengine import FakePayEngine
from payportal.testing.fake_paypal import FakePayPal
from payportal.testing.fake_paypal_nvp import FakePayPalNVP
from payportal.testing.fake_sofort import FakeSofort

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SIGNER: Final = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]))
UUID: Final = "e81d298b-60dd-4f46-9ec9-1dbc72f5b5df"


class Secret(NamedTuple):
    """A generated credential: the value passed, and the marker that must never show."""

    value: object
    marker: str


@st.composite
def secrets(draw: st.DrawFn) -> Secret:
    """Bad (and some good) credentials around a marker no message could hold by chance."""
    core = draw(st.binary(min_size=6, max_size=6))
    marker = "Zq" + base64.b32encode(core).decode().rstrip("=")[:10]
    shape = draw(st.integers(0, 9))
    text = {
        0: marker,
        1: marker * 4,  # long enough to pass a length check
        2: f"{UUID}-{marker}",  # the audited paydirekt case: almost a UUID
        3: f"{marker}\n",
        4: f" {marker}==",
        5: base64.urlsafe_b64encode(marker.encode() * 3).decode(),
        6: f"{marker}:{marker}",
        7: marker.lower(),
        8: f"ä{marker}",
        9: marker + "/" * draw(st.integers(0, 40)),
    }[shape]
    if shape == 5:
        marker = text[:16]  # what must not show is the encoded form
    if shape == 7:
        marker = text
    kind = draw(st.sampled_from(["str", "bytes", "bytearray"]))
    value: object = text
    if kind == "bytes":
        value = text.encode()
    elif kind == "bytearray":
        value = bytearray(text.encode())
    return Secret(value, marker)


def _no_wait(fake: Any, *, asynchronous: bool) -> dict[str, Any]:
    async def no_sleep(seconds: float) -> None:
        return None

    sleep = no_sleep if asynchronous else (lambda seconds: None)
    return {"transport": fake.transport(), "retry": RetryPolicy(base_delay=0.0), "sleep": sleep}


PAYPAL, NVP, PAYENGINE = FakePayPal(), FakePayPalNVP(), FakePayEngine()
PAYDIREKT, SOFORT, BILLWERK, BILLPAY = (
    FakePaydirekt(),
    FakeSofort(),
    FakeBillwerkPay(),
    FakeBillPay(),
)

# (name, fake, sync class, async class, valid credentials, which of them are secret)
PROVIDERS: Final[tuple[tuple[str, Any, Any, Any, dict[str, Any], tuple[str, ...]], ...]] = (
    (
        "paypal",
        PAYPAL,
        PayPal,
        AsyncPayPal,
        {"client_id": PAYPAL.client_id, "client_secret": PAYPAL.client_secret},
        ("client_id", "client_secret"),
    ),
    (
        "paypal_nvp",
        NVP,
        PayPalNVP,
        AsyncPayPalNVP,
        {"username": NVP.username, "password": NVP.password, "signature": NVP.signature},
        ("username", "password", "signature"),
    ),
    (
        "payengine",
        PAYENGINE,
        PayEngine,
        AsyncPayEngine,
        {"merchant_id": PAYENGINE.merchant_id, "api_key": PAYENGINE.api_key},
        ("api_key",),
    ),
    (
        "paydirekt",
        PAYDIREKT,
        Paydirekt,
        AsyncPaydirekt,
        {"api_key": PAYDIREKT.api_key, "api_secret": PAYDIREKT.api_secret},
        ("api_key", "api_secret"),
    ),
    (
        "sofort",
        SOFORT,
        Sofort,
        AsyncSofort,
        {
            "customer_id": SOFORT.customer_id,
            "project_id": SOFORT.project_id,
            "api_key": SOFORT.api_key,
        },
        ("api_key",),
    ),
    (
        "billwerk",
        BILLWERK,
        BillwerkPay,
        AsyncBillwerkPay,
        {"private_key": BILLWERK.private_key, "webhook_secret": BILLWERK.webhook_secret},
        ("private_key", "webhook_secret"),
    ),
    (
        "billpay",
        BILLPAY,
        BillPay,
        AsyncBillPay,
        {
            "merchant_id": BILLPAY.merchant_id,
            "portal_id": BILLPAY.portal_id,
            "security_key": BILLPAY.security_key,
        },
        ("security_key",),
    ),
)
CASES: Final = [
    (name, credential) for name, _, _, _, _, credentials in PROVIDERS for credential in credentials
]
# Something else wrong beside the credential: a message about it must not carry it either.
OTHER_MISTAKES: Final = ({}, {"environment": "staging"}, {"base_url": "ftp://x"}, {"timeout": -1})


class Seen:
    """Everything a failed construction or call leaves where a person or a log could read it."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add_error(self, error: BaseException) -> None:
        self.texts += [str(error), repr(error), *map(repr, error.args)]
        self.texts += traceback.format_exception(error)
        self.texts.append(repr(getattr(error, "__dict__", {})))

    def contains(self, marker: str) -> str | None:
        for text in self.texts:
            if marker in text or marker.lower() in text.lower():
                return text
        return None


class _Records(logging.Handler):
    def __init__(self, seen: Seen) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.texts.append(self.format(record))
        self.seen.texts.append(repr(record.args))


@contextlib.contextmanager
def watching(seen: Seen) -> Iterator[None]:
    """Collect log records (any logger, any level) and warnings while the block runs."""
    handler = _Records(seen)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught, no_hang("a constructor"):
            warnings.simplefilter("always")
            yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    seen.texts += [str(w.message) for w in caught]


def attempt(
    seen: Seen,
    build: Callable[[], object],
    use: Callable[[Any], object] | None,
    *,
    public_if_accepted: bool = False,
) -> None:
    """Build, and if that works use, the object; record what either leaves behind.

    With ``public_if_accepted``, the value went where a public name goes (a key id): once
    accepted it is that name, so only a refusal is searched.
    """
    with watching(seen):
        try:
            built = build()
        except Exception as error:  # every exception is searched, whatever its type
            seen.add_error(error)
            return
        if not public_if_accepted:
            seen.texts += [repr(built), str(built)]
        if use is not None:
            try:
                use(built)
            except Exception as error:
                seen.add_error(error)
        closing = getattr(built, "close", None)
        if callable(closing):
            closing()


def _refused_request(client: Any) -> object:
    result = client.get_payment("PAY-unknown")
    if asyncio.iscoroutine(result):
        return asyncio.run(result)
    return result


def _provider_case(
    provider: str, credential: str, secret: Secret, mistake: dict[str, Any], asynchronous: bool
) -> None:
    _, fake, sync, async_, valid, _ = next(p for p in PROVIDERS if p[0] == provider)
    kind = async_ if asynchronous else sync
    arguments = {**valid, credential: secret.value}
    options = {**_no_wait(fake, asynchronous=asynchronous), **mistake}
    seen = Seen()
    attempt(seen, lambda: kind(**arguments, **options), _refused_request)
    leaked = seen.contains(secret.marker)
    assert leaked is None, f"{provider}({credential}=...) showed the secret in: {leaked[:300]}"


# The full run spreads 2,000 examples over the cases (each builds a client and makes a
# request); the default suite tries each case once (below) and a few generated ones.
@fuzz_at_most(2000)
@given(
    case=st.sampled_from(CASES),
    secret=secrets(),
    mistake=st.sampled_from(OTHER_MISTAKES),
    asynchronous=st.booleans(),
)
def test_no_provider_client_echoes_a_credential(
    case: tuple[str, str], secret: Secret, mistake: dict[str, Any], asynchronous: bool
) -> None:
    _provider_case(*case, secret, mistake, asynchronous)


@pytest.mark.parametrize(("provider", "credential"), CASES)
def test_every_provider_credential_is_hidden_once(provider: str, credential: str) -> None:
    for value in ("ZqShort", f"{UUID}-ZqAlmostUUID", b"ZqBytes" * 6, "ZqLong" * 8):
        marker = value.decode()[:7] if isinstance(value, bytes) else value.replace(UUID, "")[1:]
        _provider_case(provider, credential, Secret(value, marker), {}, asynchronous=False)


def _link_cases(secret: object) -> dict[str, Callable[[], object]]:
    return {
        "HmacKey secret": lambda: HmacKey("k1", secret),  # type: ignore[arg-type]
        "HmacKey swapped": lambda: HmacKey(secret, b"s" * 32),  # type: ignore[arg-type]
        "HmacKey.derive": lambda: HmacKey.derive(secret, "portal"),  # type: ignore[arg-type]
        "HmacKey.derive purpose": lambda: HmacKey.derive(b"m" * 32, secret),  # type: ignore[arg-type]
        "Ed25519Key key": lambda: Ed25519Key("ed", secret),  # type: ignore[arg-type]
        "Ed25519Key private": lambda: Ed25519Key.from_private_bytes("ed", secret),  # type: ignore[arg-type]
        "Ed25519Key public": lambda: Ed25519Key.from_public_bytes("ed", secret),  # type: ignore[arg-type]
        "Ed25519Key pem": lambda: Ed25519Key.from_pem("ed", secret),  # type: ignore[arg-type]
        "Ed25519Key password": lambda: Ed25519Key.from_pem("ed", _PEM, password=secret),  # type: ignore[arg-type]
        "KeyRing": lambda: KeyRing(secret),  # type: ignore[arg-type]
        "KeyRing item": lambda: KeyRing([secret]),  # type: ignore[list-item]
        "LinkSigner": lambda: LinkSigner(secret),  # type: ignore[arg-type]
        "PortalUrls": lambda: PortalUrls("https://x.example", secret),  # type: ignore[arg-type]
        "verify": lambda: SIGNER.verify(secret, purpose="portal"),  # type: ignore[arg-type]
        "paydirekt auth_code": lambda: auth_code(UUID, "20160201094942", UUID, secret, "n" * 16),  # type: ignore[arg-type]
        "paydirekt auth_code key": lambda: auth_code(
            UUID,
            "20160201094942",
            secret,
            "c2VjcmV0",
            "n" * 16,  # type: ignore[arg-type]
        ),
        "billwerk webhook_signature": lambda: webhook_signature(secret, "t", "id"),  # type: ignore[arg-type]
    }


_PEM: Final = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGb\n-----END ENCRYPTED PRIVATE KEY-----\n"
LINK_CASES: Final = sorted(_link_cases(b"").keys())


def _link_case(case: str, secret: Secret) -> None:
    seen = Seen()
    public = case in ("HmacKey swapped", "HmacKey.derive purpose")
    attempt(seen, _link_cases(secret.value)[case], None, public_if_accepted=public)
    leaked = seen.contains(secret.marker)
    assert leaked is None, f"{case} showed the secret in: {leaked[:300]}"


@fuzz_at_most(2000)
@given(case=st.sampled_from(LINK_CASES), secret=secrets())
def test_no_key_or_signing_function_echoes_a_secret(case: str, secret: Secret) -> None:
    _link_case(case, secret)


@pytest.mark.parametrize("case", LINK_CASES)
def test_every_key_argument_is_hidden_once(case: str) -> None:
    for value in ("ZqShort", b"ZqBytes" * 6, bytearray(b"ZqArray"), "ZqLong" * 8):
        text = value.decode() if isinstance(value, bytes | bytearray) else value
        _link_case(case, Secret(value, text[:7]))


def test_the_audited_cases_stay_fixed() -> None:
    # Issue 26: LinkSigner(b"<raw secret>") and Paydirekt("<api key>-x", secret) echoed them.
    raw = b"the raw secret of the merchant!!"
    with pytest.raises(ValueError, match="must be a KeyRing") as caught:
        LinkSigner(raw)  # type: ignore[arg-type]
    assert "raw secret" not in str(caught.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="api_key") as caught:
            Paydirekt(f"{UUID}-x", PAYDIREKT.api_secret)
    assert UUID not in str(caught.value)
