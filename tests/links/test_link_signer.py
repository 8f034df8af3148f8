from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from payportal import (
    BadSignatureError,
    ExpiredLinkError,
    InvalidLinkError,
    MalformedLinkError,
    NotYetValidLinkError,
    RevokedLinkError,
    UnknownKeyError,
    ValidationError,
    WrongPurposeError,
)
from payportal.links import (
    DEFAULT_LEEWAY,
    MAX_TOKEN_LENGTH,
    Ed25519Key,
    HmacKey,
    KeyRing,
    LinkClaims,
    LinkSigner,
    _signer,
    _token,
)
from payportal.portal import Action

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = HmacKey("k1", b"s" * 32)
SIGNER = LinkSigner(KeyRing([KEY]))
CLAIMS = LinkClaims(
    subject="customer:42",
    customer_id="42",
    purpose="portal",
    issued_at=NOW,
    expires_at=NOW + timedelta(days=30),
    version=1,
)
# Pinned: changing the format breaks every link already in customers' inboxes.
TOKEN = "AQJrMQEAaVW5AICangEBAQECNDLBKoB_zR8MKZW8Nj5wciAsBSb6jGJOqlQc-LaF73iH5g"
ED25519_TOKEN = (
    "AQNlZDEBAGlVuQCAmp4BAQEBAjQyhXYCmIfd8ROVcfo3qxqL9s9zO46kLbZFlwT9TT_59NM3OkVLZ8YiEgKKg1o1"
    "PX94YoYZXYKh5eS6uHaCb7-WBQ"
)


# Issue 4's acceptance snippet, character for character: it must run as written.
ACCEPTANCE = """\
from datetime import datetime, timedelta, timezone
from payportal import LinkSigner, KeyRing, HmacKey, LinkClaims, InvalidLinkError, ExpiredLinkError
ring = KeyRing([HmacKey("k1", b"s" * 32)])
signer = LinkSigner(ring)
now = datetime(2026, 1, 1, tzinfo=timezone.utc)
claims = LinkClaims(subject="customer:42", customer_id="42", purpose="portal",
                    issued_at=now, expires_at=now + timedelta(days=30), version=1)
token = signer.sign(claims)
assert signer.verify(token, purpose="portal", now=now + timedelta(days=1)).customer_id == "42"
try: signer.verify(token, purpose="portal", now=now + timedelta(days=31))
except ExpiredLinkError as e: assert isinstance(e, InvalidLinkError)
else: raise AssertionError
assert "s" * 32 not in repr(ring)
"""


def test_acceptance_snippet_from_the_issue() -> None:
    namespace: dict[str, object] = {}
    exec(compile(ACCEPTANCE, "issue-4-acceptance", "exec"), namespace)
    assert namespace["token"] == TOKEN


def test_known_answer_hmac_token() -> None:
    assert SIGNER.sign(CLAIMS) == TOKEN
    assert SIGNER.verify(TOKEN, purpose="portal", now=NOW) == CLAIMS


def test_known_answer_ed25519_token() -> None:
    key = Ed25519Key.from_private_bytes("ed1", bytes(range(32)))
    assert LinkSigner(KeyRing([key])).sign(CLAIMS) == ED25519_TOKEN
    verifier = LinkSigner(KeyRing([key.public_only()]))
    assert verifier.verify(ED25519_TOKEN, purpose="portal", now=NOW) == CLAIMS


def test_known_answer_binary_layout() -> None:
    raw = _token.decode_text(TOKEN)
    body, signature = raw[:-32], raw[-32:]
    assert body.hex(" ") == (
        "01 02 6b 31"  # format 1, key id "k1"
        " 01"  # flags: has expiry
        " 00 69 55 b9 00"  # issued_at 1767225600 (2026-01-01T00:00:00Z)
        " 80 9a 9e 01"  # lifetime 2592000 s (30 days) as a varint
        " 01"  # version 1
        " 01"  # purpose "portal"
        " 01 02 34 32"  # subject type customer, id "42"
    )
    assert signature == KEY.sign(body)


def test_known_answer_document_link_with_custom_purpose_and_actions() -> None:
    claims = LinkClaims(
        subject="invoice:inv-17",
        customer_id="42",
        purpose="statement",
        issued_at=NOW,
        version=3,
        actions=[Action.VIEW, Action.PAY],
    )
    token = SIGNER.sign(claims)
    assert token == (
        "AQJrMQIAaVW5AAMACXN0YXRlbWVudAIGaW52LTE3AjQyQQnjgLYxr6SaCqnGqvQkQKxEO4qy1tBsYpCICpM7tt5X"
    )
    assert _token.decode_text(token)[:-32].hex(" ") == (
        "01 02 6b 31 02 00 69 55 b9 00 03"  # flags: has actions; no expiry; version 3
        " 00 09 73 74 61 74 65 6d 65 6e 74"  # purpose as text: "statement"
        " 02 06 69 6e 76 2d 31 37"  # subject type invoice, id "inv-17"
        " 02 34 32"  # customer id "42"
        " 41"  # actions: view (bit 0) and pay (bit 6)
    )
    assert SIGNER.verify(token, purpose="statement", now=NOW) == claims


def test_every_document_type_and_action_has_a_wire_code() -> None:
    from payportal.documents import DocumentType  # noqa: PLC0415

    assert {t.value for t in DocumentType} <= set(_token.SUBJECT_CODES)
    assert set(Action) == set(_token.ACTION_BITS)
    assert len(set(_token.SUBJECT_CODES.values())) == len(_token.SUBJECT_CODES)
    assert len(set(_token.ACTION_BITS.values())) == len(_token.ACTION_BITS)


def test_customer_link_is_short_and_url_safe() -> None:
    uuid = "0b7f0e0c-5d4e-4c3b-9a2f-1e2d3c4b5a69"
    claims = LinkClaims.for_customer(
        _customer(uuid), issued_at=NOW, expires_at=NOW + timedelta(days=365)
    )
    token = SIGNER.sign(claims)
    assert len(token) < 120
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_default_ttl_applies_to_claims_without_expiry() -> None:
    signer = LinkSigner(KeyRing([KEY]), default_ttl=timedelta(hours=1))
    token = signer.sign(
        LinkClaims(subject="customer:42", customer_id="42", purpose="p", issued_at=NOW)
    )
    assert signer.verify(token, purpose="p", now=NOW).expires_at == NOW + timedelta(hours=1)
    with pytest.raises(ExpiredLinkError):
        signer.verify(token, purpose="p", now=NOW + timedelta(hours=1))


def test_without_ttl_a_link_never_expires() -> None:
    token = SIGNER.sign(
        LinkClaims(subject="customer:42", customer_id="42", purpose="p", issued_at=NOW)
    )
    claims = SIGNER.verify(token, purpose="p", now=datetime(9999, 1, 1, tzinfo=UTC))
    assert claims.expires_at is None


def test_default_ttl_past_year_9999_is_a_validation_error() -> None:
    signer = LinkSigner(KeyRing([KEY]), default_ttl=timedelta(days=3650))
    late = LinkClaims(
        subject="customer:42",
        customer_id="42",
        purpose="p",
        issued_at=datetime(9998, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationError) as info:
        signer.sign(late)
    assert info.value.field == "default_ttl"


def test_wrong_purpose_is_rejected() -> None:
    with pytest.raises(WrongPurposeError, match="'portal', not for 'pay'"):
        SIGNER.verify(TOKEN, purpose="pay", now=NOW)
    assert SIGNER.verify(TOKEN, purpose=("pay", "portal"), now=NOW) == CLAIMS
    with pytest.raises(WrongPurposeError, match="any of 'document', 'pay'"):
        SIGNER.verify(TOKEN, purpose={"pay", "document"}, now=NOW)


@pytest.mark.parametrize("purpose", [(), None, 3, ["portal", 3]])
def test_a_bad_purpose_argument_is_the_callers_error(purpose: object) -> None:
    with pytest.raises(ValidationError) as info:
        SIGNER.verify(TOKEN, purpose=purpose, now=NOW)  # type: ignore[arg-type]
    assert info.value.field == "purpose"


def test_unknown_key_is_rejected_by_name() -> None:
    other = LinkSigner(KeyRing([HmacKey("k2", b"s" * 32)]))
    with pytest.raises(UnknownKeyError, match="'k1'"):
        other.verify(TOKEN, purpose="portal", now=NOW)


def test_same_kid_other_secret_is_a_bad_signature() -> None:
    other = LinkSigner(KeyRing([HmacKey("k1", b"t" * 32)]))
    with pytest.raises(BadSignatureError):
        other.verify(TOKEN, purpose="portal", now=NOW)


def test_hmac_token_does_not_verify_under_an_ed25519_key_of_the_same_id() -> None:
    other = LinkSigner(KeyRing([Ed25519Key.from_private_bytes("k1", bytes(32))]))
    with pytest.raises(InvalidLinkError):
        other.verify(TOKEN, purpose="portal", now=NOW)


def test_expiry_boundary_is_exact() -> None:
    expires = CLAIMS.expires_at
    assert expires is not None
    tick = timedelta(microseconds=1)
    assert SIGNER.verify(TOKEN, purpose="portal", now=expires - tick) == CLAIMS
    with pytest.raises(ExpiredLinkError, match="2026-01-31T00:00:00"):
        SIGNER.verify(TOKEN, purpose="portal", now=expires)


def test_expiry_is_checked_in_any_timezone() -> None:
    plus_two = timezone(timedelta(hours=2))
    expires = datetime(2026, 1, 31, 2, 0, tzinfo=plus_two)  # == 2026-01-31T00:00Z
    with pytest.raises(ExpiredLinkError):
        SIGNER.verify(TOKEN, purpose="portal", now=expires)
    assert SIGNER.verify(TOKEN, purpose="portal", now=expires - timedelta(seconds=1))


def test_future_issued_at_beyond_the_leeway_is_rejected() -> None:
    tick = timedelta(microseconds=1)
    assert SIGNER.verify(TOKEN, purpose="portal", now=NOW - DEFAULT_LEEWAY) == CLAIMS
    with pytest.raises(NotYetValidLinkError):
        SIGNER.verify(TOKEN, purpose="portal", now=NOW - DEFAULT_LEEWAY - tick)
    strict = LinkSigner(KeyRing([KEY]), leeway=timedelta(0))
    with pytest.raises(NotYetValidLinkError):
        strict.verify(TOKEN, purpose="portal", now=NOW - tick)


def test_revocation_boundary_is_exact() -> None:
    assert SIGNER.verify(TOKEN, purpose="portal", now=NOW, current_version=1) == CLAIMS
    assert SIGNER.verify(TOKEN, purpose="portal", now=NOW, current_version=0) == CLAIMS
    with pytest.raises(RevokedLinkError, match=r"version 1.*version 2"):
        SIGNER.verify(TOKEN, purpose="portal", now=NOW, current_version=2)


class _Versions:
    def __init__(self, **versions: int) -> None:
        self.versions = versions
        self.asked: list[str] = []

    def current_version(self, customer_id: str) -> int:
        self.asked.append(customer_id)
        return self.versions.get(f"c{customer_id}", 1)


def test_revocation_through_a_link_versions_provider() -> None:
    versions = _Versions(c42=2)
    signer = LinkSigner(KeyRing([KEY]), versions=versions)
    with pytest.raises(RevokedLinkError):
        signer.verify(TOKEN, purpose="portal", now=NOW)
    assert versions.asked == ["42"]
    # An explicit version wins over the provider.
    assert signer.verify(TOKEN, purpose="portal", now=NOW, current_version=1) == CLAIMS
    # A provider passed per call works without one on the signer.
    with pytest.raises(RevokedLinkError):
        SIGNER.verify(TOKEN, purpose="portal", now=NOW, current_version=versions)


def test_a_provider_returning_a_non_int_is_reported() -> None:
    class Broken:
        def current_version(self, customer_id: str) -> int:
            return "2"  # type: ignore[return-value]

    with pytest.raises(ValidationError) as info:
        SIGNER.verify(TOKEN, purpose="portal", now=NOW, current_version=Broken())
    assert info.value.field == "current_version"


def test_clock_injection() -> None:
    signer = LinkSigner(KeyRing([KEY]), clock=lambda: NOW + timedelta(days=40))
    with pytest.raises(ExpiredLinkError):
        signer.verify(TOKEN, purpose="portal")
    naive = LinkSigner(KeyRing([KEY]), clock=lambda: datetime(2026, 1, 2))
    with pytest.raises(ValidationError, match="timezone-aware"):
        naive.verify(TOKEN, purpose="portal")


def test_system_clock_is_the_default() -> None:
    token = SIGNER.sign(
        LinkClaims(
            subject="customer:42", customer_id="42", purpose="p", issued_at=datetime.now(UTC)
        )
    )
    assert SIGNER.verify(token, purpose="p").customer_id == "42"
    with pytest.raises(ExpiredLinkError):
        SIGNER.verify(TOKEN, purpose="portal")  # expired in January 2026


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        SIGNER.verify(TOKEN, purpose="portal", now=datetime(2026, 1, 2))
    assert info.value.field == "now"


def test_oversized_token_is_rejected_before_any_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("decoded an oversized token")

    monkeypatch.setattr(_token.binascii, "a2b_base64", boom)
    monkeypatch.setattr(_token, "_ALPHABET", None)
    with pytest.raises(MalformedLinkError, match="more than the 1000 allowed"):
        SIGNER.verify("A" * (MAX_TOKEN_LENGTH + 1), purpose="portal", now=NOW)
    with pytest.raises(MalformedLinkError, match="more than"):
        SIGNER.verify("A" * 10_000_000, purpose="portal", now=NOW)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "short",
        TOKEN + "=",
        TOKEN + "==",
        TOKEN[:-2] + "+/",
        TOKEN.replace("_", "/"),
        TOKEN + " ",
        " " + TOKEN,
        TOKEN[:20] + "é" + TOKEN[21:],
        TOKEN[:-1] + "h",  # non-canonical: differs only in the unused low bits
        "A" + TOKEN,  # length 4n+1 is never base64
    ],
)
def test_malformed_text_is_rejected(bad: str) -> None:
    with pytest.raises(MalformedLinkError):
        SIGNER.verify(bad, purpose="portal", now=NOW)


@pytest.mark.parametrize("bad", [None, b"AQJr", 42, ["x"]])
def test_non_string_tokens_are_malformed(bad: object) -> None:
    with pytest.raises(MalformedLinkError, match="must be a string"):
        SIGNER.verify(bad, purpose="portal", now=NOW)  # type: ignore[arg-type]


def test_unknown_format_version_is_malformed() -> None:
    raw = bytearray(_token.decode_text(TOKEN))
    raw[0] = 2
    with pytest.raises(MalformedLinkError, match="format version 2"):
        SIGNER.verify(_token.encode_text(bytes(raw)), purpose="portal", now=NOW)


def _signed_raw(body: bytes) -> str:
    return _token.encode_text(body + KEY.sign(body))


@pytest.mark.parametrize(
    "body_hex",
    [
        "01 02 6b 31 04 00 69 55 b9 00 01 01 01 02 34 32",  # unknown flag bit
        "01 02 6b 31 01 00 69 55 b9 00 00 01 01 01 02 34 32",  # zero lifetime
        "01 02 6b 31 00 00 69 55 b9 00 01 09 01 02 34 32",  # unknown purpose code
        "01 02 6b 31 00 00 69 55 b9 00 01 01 63 02 34 32",  # unknown subject code
        "01 02 6b 31 00 00 69 55 b9 00 01 01 01 00 02 34 32",  # empty subject id
        "01 02 6b 31 00 00 69 55 b9 00 01 01 01 02 34 32 00",  # trailing byte
        "01 02 6b 31 00 00 69 55 b9 00 01 01 01 05 34 32",  # string runs past the end
        "01 02 6b 31 00 00 69 55 b9 00 01 01 02 02 34 32 00",  # empty customer id
        "01 02 6b 31 00 00 69 55 b9 00 01 01 00 04 6e 6f 70 65 02 34 32",  # subject w/o colon
        "01 02 6b 31 00 00 69 55 b9 00 01 01 00 04 63 3a 34 32 00",  # code-0 subject, no cid
        "01 02 6b 31 00 00 69 55 b9 00 01 01 00 0b 63 75 73 74 6f 6d 65 72 3a 34 32 02 34 32",
        "01 02 6b 31 00 00 69 55 b9 00 01 00 00 01 02 34 32",  # empty custom purpose
        "01 02 6b 31 00 00 69 55 b9 00 01 01 01 02 ff fe",  # invalid UTF-8
        "01 02 6b 31 00 ff ff ff ff ff 01 01 01 02 34 32",  # after the year 9999
        "01 02 6b 31 02 00 69 55 b9 00 01 01 01 02 34 32 80 80 01",  # unknown action bits
        "01 02 6b 31 00 00 69 55 b9 00 ff ff ff ff ff ff ff ff ff 01 01 01 02 34 32",  # huge
        "01 02 6b 31 00 00 69",  # cut inside issued_at
    ],
)
def test_signed_but_invalid_content_is_malformed(body_hex: str) -> None:
    # Only a holder of the key could produce these; they must still never make claims.
    with pytest.raises(MalformedLinkError, match="does not follow"):
        SIGNER.verify(_signed_raw(bytes.fromhex(body_hex)), purpose="portal", now=NOW)


def test_signing_with_a_public_only_key_is_refused() -> None:
    public = Ed25519Key.from_private_bytes("ed1", bytes(range(32))).public_only()
    with pytest.raises(ValidationError, match="public-only") as info:
        LinkSigner(KeyRing([public])).sign(CLAIMS)
    assert info.value.field == "keyring"


def test_sign_rejects_non_claims() -> None:
    with pytest.raises(ValidationError) as info:
        SIGNER.sign({"subject": "customer:42"})  # type: ignore[arg-type]
    assert info.value.field == "claims"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"default_ttl": timedelta(0)}, "default_ttl"),
        ({"default_ttl": 3600}, "default_ttl"),
        ({"leeway": timedelta(seconds=-1)}, "leeway"),
        ({"versions": object()}, "versions"),
        ({"clock": "now"}, "clock"),
    ],
)
def test_signer_arguments_are_validated(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        LinkSigner(KeyRing([KEY]), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_signer_needs_a_key_ring() -> None:
    with pytest.raises(ValidationError) as info:
        LinkSigner([KEY])  # type: ignore[arg-type]
    assert info.value.field == "keyring"


def test_errors_never_carry_the_token() -> None:
    for now, kwargs in ((NOW + timedelta(days=40), {}), (NOW, {"current_version": 9})):
        with pytest.raises(InvalidLinkError) as info:
            SIGNER.verify(TOKEN, purpose="portal", now=now, **kwargs)  # type: ignore[arg-type]
        assert TOKEN not in str(info.value)
        assert TOKEN[-20:] not in str(info.value)


def test_system_clock_helper_is_aware() -> None:
    assert _signer._system_clock().tzinfo is UTC


def _customer(customer_id: str) -> object:
    from payportal import Customer  # noqa: PLC0415

    return Customer(id=customer_id, number="K-1", name="Erika")
