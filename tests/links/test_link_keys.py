from __future__ import annotations

import hashlib
import hmac
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from payportal import ValidationError
from payportal.links import Ed25519Key, HmacKey, KeyRing, _keys

SECRET = b"\x8f" * 16 + b"secret-material!"


def test_hmac_key_is_full_length_hmac_sha256() -> None:
    # Computed independently with hmac.new; a truncated tag must not pass.
    key = HmacKey("k", SECRET)
    data = b"what do ya want for nothing?"
    assert key.sign(data) == hmac.new(SECRET, data, hashlib.sha256).digest()
    assert key.verify(data, key.sign(data))
    assert not key.verify(data + b"!", key.sign(data))
    assert not key.verify(data, key.sign(data)[:-1])


def test_secret_never_appears_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    key = HmacKey("k1", SECRET)
    ring = KeyRing([key])
    texts = [repr(key), str(key), repr(ring), str(ring)]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("ring %s key %r", ring, key)
    texts.append(caplog.text)
    for text in texts:
        assert "secret-material" not in text
        assert SECRET.hex() not in text
        assert repr(SECRET) not in text
    assert repr(key) == "HmacKey(kid='k1')"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (b"short-secret-material", "<21 bytes>"),
        ("a text secret that is long enough!", "<str>"),
        (None, "<NoneType>"),
    ],
)
def test_secret_errors_describe_the_secret_without_showing_it(secret: object, shown: str) -> None:
    with pytest.raises(ValidationError) as info:
        HmacKey("k1", secret)  # type: ignore[arg-type]
    assert info.value.field == "secret"
    assert info.value.value == shown
    if isinstance(secret, bytes | str):
        assert str(secret) not in str(info.value)
        assert repr(secret) not in str(info.value)


def test_bytearray_secrets_are_accepted() -> None:
    assert HmacKey("k1", bytearray(SECRET)).secret == SECRET


def test_keys_compare_by_identity_not_by_secret() -> None:
    assert HmacKey("k1", SECRET) != HmacKey("k1", SECRET)
    key = HmacKey("k1", SECRET)
    assert key == key


@pytest.mark.parametrize("kid", ["", "has space", "x" * 33, "ümlaut", 7, None])
def test_key_ids_are_short_and_url_friendly(kid: object) -> None:
    with pytest.raises(ValidationError) as info:
        HmacKey(kid, SECRET)  # type: ignore[arg-type]
    assert info.value.field == "kid"


def _hkdf_sha256(master: bytes, info: bytes) -> bytes:
    # RFC 5869 by hand, with the default all-zero salt, to pin what derive() computes.
    prk = hmac.new(bytes(32), master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_derive_is_hkdf_sha256_with_a_fixed_info_prefix() -> None:
    derived = HmacKey.derive(SECRET, "portal")
    assert derived.kid == "portal"
    assert derived.secret == _hkdf_sha256(SECRET, b"payportal.links/hmac-sha256/portal")


def test_derived_keys_differ_per_purpose_and_master() -> None:
    secrets = {
        HmacKey.derive(SECRET, "portal").secret,
        HmacKey.derive(SECRET, "pay").secret,
        HmacKey.derive(SECRET[::-1], "portal").secret,
    }
    assert len(secrets) == 3
    assert HmacKey.derive(SECRET, "portal", kid="p2").kid == "p2"


def test_derive_validates_its_inputs() -> None:
    with pytest.raises(ValidationError) as info:
        HmacKey.derive(b"too short", "portal")
    assert info.value.field == "master_secret"
    assert "too short" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        HmacKey.derive(SECRET, "")
    assert info.value.field == "purpose"
    with pytest.raises(ValidationError) as info:
        HmacKey.derive(SECRET, "a purpose with spaces")
    assert info.value.field == "kid"


def test_ed25519_public_only_key_verifies_but_cannot_sign() -> None:
    key = Ed25519Key.generate("ed")
    public = key.public_only()
    signature = key.sign(b"data")
    assert len(signature) == 64
    assert public.verify(b"data", signature)
    assert not public.verify(b"date", signature)
    assert key.can_sign
    assert not public.can_sign
    with pytest.raises(ValidationError, match="public key"):
        public.sign(b"data")


def test_ed25519_raw_and_pem_forms() -> None:
    key = Ed25519Key.from_private_bytes("ed", bytes(range(32)))
    public = Ed25519Key.from_public_bytes("ed", key.public_bytes)
    assert public.verify(b"x", key.sign(b"x"))
    private_pem = key.key.private_bytes(  # type: ignore[union-attr]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    loaded = Ed25519Key.from_pem("ed", private_pem, password=b"pw")
    assert loaded.can_sign
    assert loaded.sign(b"x") == key.sign(b"x")
    public_pem = (
        Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert not Ed25519Key.from_pem("ed", public_pem).can_sign
    with pytest.raises(ValidationError, match="PEM-encoded Ed25519") as info:
        Ed25519Key.from_pem("ed", private_pem, password=b"wrong")
    assert "PRIVATE KEY" not in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Ed25519Key.from_private_bytes("ed", b"x" * 31),
        lambda: Ed25519Key.from_public_bytes("ed", b"x" * 33),
        lambda: Ed25519Key.from_pem(
            "ed", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
        ),
        lambda: Ed25519Key("ed", b"x" * 32),
        lambda: Ed25519Key.from_pem("ed", "-----BEGIN PRIVATE KEY-----"),
    ],
)
def test_bad_ed25519_material_is_a_validation_error(call: object) -> None:
    with pytest.raises(ValidationError):
        call()  # type: ignore[operator]


def test_ed25519_repr_shows_no_key_material() -> None:
    key = Ed25519Key.from_private_bytes("ed", bytes(range(32)))
    assert repr(key) == "Ed25519Key(kid='ed', can_sign=True)"


def test_key_ring_newest_signs_and_rotation_helpers() -> None:
    k1, k2 = HmacKey("k1", SECRET), HmacKey("k2", SECRET)
    ring = KeyRing([k1])
    rotated = ring.rotated(k2)
    assert rotated.signing_key is k2
    assert [k.kid for k in rotated] == ["k1", "k2"]
    assert len(rotated) == 2
    assert "k1" in rotated
    assert "k3" not in rotated
    assert 7 not in rotated
    assert rotated.get("k1") is k1
    assert rotated.get("nope") is None
    assert rotated.lookup(b"k2") is k2
    assert rotated.without("k1").keys == (k2,)
    assert KeyRing(k1).keys == (k1,)


def test_key_ring_validation() -> None:
    k1 = HmacKey("k1", SECRET)
    with pytest.raises(ValidationError, match="non-empty"):
        KeyRing([])
    with pytest.raises(ValidationError, match="repeats a key id") as info:
        KeyRing([k1, HmacKey("k1", SECRET)])
    assert info.value.field == "keys[1].kid"
    with pytest.raises(ValidationError) as info:
        KeyRing([k1, SECRET])  # type: ignore[list-item]
    assert info.value.field == "keys[1]"
    assert "secret-material" not in str(info.value)
    with pytest.raises(ValidationError, match="repeats a key id"):
        KeyRing([k1]).rotated(HmacKey("k1", SECRET))
    with pytest.raises(ValidationError, match="not in the key ring"):
        KeyRing([k1]).without("k2")
    with pytest.raises(ValidationError, match="non-empty"):
        KeyRing([k1]).without("k1")


def test_public_only_ring_for_verifying_services() -> None:
    ring = KeyRing([Ed25519Key.generate("a"), Ed25519Key.generate("b")])
    public = ring.public_only()
    assert [k.kid for k in public] == ["a", "b"]
    assert not any(k.can_sign for k in public)
    with pytest.raises(ValidationError, match="HMAC key") as info:
        KeyRing([HmacKey("h", SECRET)]).public_only()
    assert info.value.field == "keys[0]"


# RFC 4231 test cases 1, 2, 6 and 7 (HMAC-SHA-256): short keys, and keys longer than a block.
RFC_4231 = [
    ("0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (
        b"Jefe".hex(),
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (
        "aa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
    (
        "aa" * 131,
        (
            b"This is a test using a larger than block-size key and a larger than block-size data."
            b" The key needs to be hashed before being used by the HMAC algorithm."
        ),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]


@pytest.mark.parametrize(("key_hex", "data", "expected"), RFC_4231)
def test_precomputed_hmac_matches_rfc_4231(key_hex: str, data: bytes, expected: str) -> None:
    # HmacKey refuses short secrets, so build the key state directly for the short vectors.
    key = object.__new__(HmacKey)
    object.__setattr__(key, "secret", bytes.fromhex(key_hex))
    object.__setattr__(key, "_pads", _keys._pad_states(key))
    assert key.sign(data).hex() == expected


@given(st.binary(min_size=32, max_size=200), st.binary(max_size=300))
def test_hmac_key_always_equals_hmac_digest(secret: bytes, data: bytes) -> None:
    key = HmacKey("k", secret)
    expected = hmac.digest(secret, data, "sha256")
    assert key.sign(data) == expected
    assert key.verify(data, expected)
    assert not key.verify(data, bytes(32))
