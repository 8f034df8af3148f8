"""Property tests: the invariants a secret link must keep whatever the claims or the tampering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    ExpiredLinkError,
    InvalidLinkError,
    MalformedLinkError,
    NotYetValidLinkError,
    RevokedLinkError,
    UnknownKeyError,
)
from payportal.documents import DocumentType
from payportal.links import (
    DEFAULT_LEEWAY,
    MAX_TOKEN_LENGTH,
    Ed25519Key,
    HmacKey,
    KeyRing,
    LinkClaims,
    LinkSigner,
    _token,
)
from payportal.portal import Action

OLD = HmacKey("old", b"o" * 32)
NEW = HmacKey("new", b"n" * 32)
ED = Ed25519Key.from_private_bytes("ed", bytes(range(32)))
SIGNER = LinkSigner(KeyRing([OLD]))
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)

ids = st.text(min_size=1, max_size=60).filter(
    lambda s: bool(s.strip()) and len(s.encode("utf-8")) <= 200
)
times = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(9000, 1, 1),
    timezones=st.just(UTC),
)
purposes = st.one_of(
    st.sampled_from(["portal", "document", "pay"]),
    st.text(min_size=1, max_size=20).filter(str.strip),
)
subject_types = st.one_of(
    st.sampled_from([t.value for t in DocumentType]),
    st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True),
)


@st.composite
def claims(draw: st.DrawFn, *, expiring: bool | None = None) -> LinkClaims:
    customer_id = draw(ids)
    kind = draw(st.one_of(st.just("customer"), subject_types))
    ident = customer_id if kind == "customer" else draw(ids)
    issued_at = draw(times)
    lifetimes = st.integers(1, 10**9)
    if expiring is None:
        lifetimes = st.none() | lifetimes
    lifetime = draw(lifetimes)
    return LinkClaims(
        subject=f"{kind}:{ident}",
        customer_id=customer_id,
        purpose=draw(purposes),
        issued_at=issued_at,
        expires_at=None if lifetime is None else issued_at + timedelta(seconds=lifetime),
        version=draw(st.integers(0, 2**63 - 1)),
        actions=draw(st.none() | st.frozensets(st.sampled_from(list(Action)))),
    )


def _verify(signer: LinkSigner, token: str, claims: LinkClaims) -> LinkClaims:
    return signer.verify(token, purpose=claims.purpose, now=claims.issued_at)


@given(claims())
def test_sign_verify_round_trips_any_claims(original: LinkClaims) -> None:
    token = SIGNER.sign(original)
    assert len(token) <= MAX_TOKEN_LENGTH
    assert set(token) <= set(BASE64URL)
    assert _verify(SIGNER, token, original) == original


@given(claims())
def test_ed25519_round_trips_any_claims(original: LinkClaims) -> None:
    signer = LinkSigner(KeyRing([ED]))
    verifier = LinkSigner(KeyRing([ED.public_only()]))
    assert _verify(verifier, signer.sign(original), original) == original


@given(claims(), st.data())
def test_every_single_character_change_is_rejected(
    original: LinkClaims, data: st.DataObject
) -> None:
    token = SIGNER.sign(original)
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(
        st.one_of(st.sampled_from(BASE64URL), st.characters()).filter(lambda c: c != token[index])
    )
    tampered = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(InvalidLinkError):
        _verify(SIGNER, tampered, original)


def test_every_single_character_change_of_a_known_token_is_rejected() -> None:
    # Exhaustive over the alphabet, where random sampling could miss a position.
    original = LinkClaims(
        subject="invoice:inv-17",
        customer_id="42",
        purpose="pay",
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
        expires_at=datetime(2026, 2, 1, tzinfo=UTC),
        version=7,
        actions={Action.PAY},
    )
    for signer in (SIGNER, LinkSigner(KeyRing([ED]))):
        token = signer.sign(original)
        for index, char in enumerate(token):
            for replacement in BASE64URL + "=+/. ~%":
                if replacement == char:
                    continue
                tampered = token[:index] + replacement + token[index + 1 :]
                with pytest.raises(InvalidLinkError):
                    _verify(signer, tampered, original)


@given(claims(), st.data())
def test_every_truncation_is_rejected(original: LinkClaims, data: st.DataObject) -> None:
    token = SIGNER.sign(original)
    cut = data.draw(st.integers(0, len(token) - 1))
    with pytest.raises(InvalidLinkError):
        _verify(SIGNER, token[:cut], original)


@given(claims(), st.text(min_size=1, max_size=40))
def test_every_extension_is_rejected(original: LinkClaims, suffix: str) -> None:
    token = SIGNER.sign(original)
    with pytest.raises(InvalidLinkError):
        _verify(SIGNER, token + suffix, original)
    with pytest.raises(InvalidLinkError):
        _verify(SIGNER, suffix + token, original)


@given(claims())
def test_rotated_keys_keep_old_links_valid_until_the_old_key_is_removed(
    original: LinkClaims,
) -> None:
    old_token = SIGNER.sign(original)
    rotated = LinkSigner(KeyRing([OLD]).rotated(NEW))
    new_token = rotated.sign(original)
    assert new_token != old_token
    assert _verify(rotated, old_token, original) == original
    assert _verify(rotated, new_token, original) == original
    with pytest.raises(InvalidLinkError):
        _verify(SIGNER, new_token, original)
    retired = LinkSigner(KeyRing([OLD, NEW]).without("old"))
    assert _verify(retired, new_token, original) == original
    with pytest.raises(UnknownKeyError):
        _verify(retired, old_token, original)


@given(claims(expiring=True))
def test_expiry_boundary_is_exact(original: LinkClaims) -> None:
    token = SIGNER.sign(original)
    expires_at = original.expires_at
    assert expires_at is not None
    last = expires_at - timedelta(microseconds=1)
    assert SIGNER.verify(token, purpose=original.purpose, now=last) == original
    with pytest.raises(ExpiredLinkError):
        SIGNER.verify(token, purpose=original.purpose, now=expires_at)


@given(claims(), st.integers(0, 2**63 - 1))
def test_revocation_boundary_is_exact(original: LinkClaims, current: int) -> None:
    token = SIGNER.sign(original)
    if original.version >= current:
        assert _verify_at(token, original, current) == original
    else:
        with pytest.raises(RevokedLinkError):
            _verify_at(token, original, current)


def _verify_at(token: str, original: LinkClaims, current: int) -> LinkClaims:
    return SIGNER.verify(
        token, purpose=original.purpose, now=original.issued_at, current_version=current
    )


@given(claims().filter(lambda c: c.issued_at > datetime(1970, 1, 2, tzinfo=UTC)))
def test_future_issued_at_beyond_the_leeway_is_always_rejected(original: LinkClaims) -> None:
    token = SIGNER.sign(original)
    earliest = original.issued_at - DEFAULT_LEEWAY
    assert SIGNER.verify(token, purpose=original.purpose, now=earliest) == original
    with pytest.raises(NotYetValidLinkError):
        SIGNER.verify(token, purpose=original.purpose, now=earliest - timedelta(microseconds=1))


@given(claims())
def test_claims_keep_whole_utc_seconds(original: LinkClaims) -> None:
    shifted = attrs.evolve(original, issued_at=original.issued_at + timedelta(microseconds=999))
    assert shifted.issued_at == original.issued_at


@given(st.binary(max_size=300))
def test_decoded_claims_always_validate(body: bytes) -> None:
    # Whatever a key holder signs, the decoder yields valid claims or MalformedLinkError.
    try:
        decoded = _token.decode_claims(body, 0)
    except MalformedLinkError:
        return
    assert LinkClaims(**attrs.asdict(decoded, recurse=False)) == decoded


@given(claims())
def test_decoder_accepts_exactly_what_the_encoder_writes(original: LinkClaims) -> None:
    body = _token.encode_claims(_token.key_header("k"), original)
    assert _token.decode_claims(body, 3) == original


@given(st.text(max_size=MAX_TOKEN_LENGTH + 10))
def test_junk_tokens_are_always_rejected(junk: str) -> None:
    with pytest.raises(InvalidLinkError):
        SIGNER.verify(junk, purpose="portal", now=FAR_FUTURE)


@given(st.binary(min_size=40, max_size=200))
def test_random_bytes_are_always_rejected(junk: bytes) -> None:
    with pytest.raises(InvalidLinkError):
        SIGNER.verify(_token.encode_text(junk), purpose="portal", now=FAR_FUTURE)
