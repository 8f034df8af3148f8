"""Signing keys and the key ring: HMAC-SHA256 and Ed25519, newest signs, all verify.

A key's secret never appears in ``repr``, ``str`` or an exception message: errors about a
secret name its length, never its bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from payportal import _validators as v
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["MIN_SECRET_BYTES", "Ed25519Key", "HmacKey", "KeyRing", "LinkKey"]

MIN_SECRET_BYTES: Final = 32
"""The shortest HMAC secret (and HKDF master secret) accepted: the hash's output size."""

MAX_KID_LENGTH: Final = 32

_KID = re.compile(r"[A-Za-z0-9._-]{1,32}")

# Bumping this string derives different keys from the same master secret: never change it.
_HKDF_INFO_PREFIX: Final = b"payportal.links/hmac-sha256/"


def _kid(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _KID.fullmatch(value):
        # Described, not shown: a secret passed in the key id's place must not reach a log.
        raise v.fail(
            attribute,
            _describe(value),
            f"must be 1 to {MAX_KID_LENGTH} characters of letters, digits, '.', '_' or '-' "
            "(it travels in every token)",
        )


def _check_secret(value: object, field: str) -> bytes:
    # The value shown in the error is a description, never the secret itself.
    if isinstance(value, bytearray | memoryview):
        value = bytes(value)
    if not isinstance(value, bytes):
        hint = "; encode text secrets first" if isinstance(value, str) else ""
        raise ValidationError(
            f"must be bytes{hint}", field=field, value=f"<{type(value).__name__}>"
        )
    if len(value) < MIN_SECRET_BYTES:
        raise ValidationError(
            f"must be at least {MIN_SECRET_BYTES} bytes long; generate one with "
            "secrets.token_bytes(32)",
            field=field,
            value=f"<{len(value)} bytes>",
        )
    return value


def _secret(value: object) -> bytes:
    return _check_secret(value, "secret")


_BLOCK: Final = hashlib.sha256().block_size


def _pad_states(instance: HmacKey) -> tuple[Any, Any]:
    """SHA-256 states after absorbing ``key ^ ipad`` and ``key ^ opad`` (RFC 2104, section 4).

    RFC 2104 suggests precomputing these once per key. Per message, HMAC is then two state
    copies and two short hashes: under half the time of ``hmac.digest``, which redoes the key
    schedule on every call, and verification runs on every portal request. The result is
    plain HMAC-SHA256; a test checks it against ``hmac.digest`` and RFC 4231's vectors.
    """
    key = instance.secret if isinstance(instance.secret, bytes) else b""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return (
        hashlib.sha256(key.translate(_IPAD)),
        hashlib.sha256(key.translate(_OPAD)),
    )


_IPAD: Final = bytes(x ^ 0x36 for x in range(256))
_OPAD: Final = bytes(x ^ 0x5C for x in range(256))


@attrs.frozen(eq=False)
class HmacKey:
    """A shared secret that signs and verifies links with HMAC-SHA256.

    Keys compare by identity: comparing secrets with ``==`` would not be constant-time.

    >>> key = HmacKey("2026-01", b"0123456789abcdef0123456789abcdef")
    >>> key
    HmacKey(kid='2026-01')
    >>> key.verify(b"data", key.sign(b"data"))
    True

    Args:
        kid: the key id carried in every token, 1 to 32 characters of ``[A-Za-z0-9._-]``;
            keep it short, it lengthens every link.
        secret: at least 32 random bytes (``secrets.token_bytes(32)``).

    Raises:
        ValidationError: the key id or the secret is invalid (the message never shows the
            secret).
    """

    signature_size: ClassVar[int] = hashlib.sha256().digest_size
    can_sign: ClassVar[bool] = True

    kid: str = attrs.field(validator=_kid)
    secret: bytes = attrs.field(converter=_secret, repr=False)
    _pads: tuple[Any, Any] = attrs.field(
        init=False, repr=False, default=attrs.Factory(_pad_states, takes_self=True)
    )

    @classmethod
    def derive(cls, master_secret: bytes, purpose: str, *, kid: str | None = None) -> HmacKey:
        """Derive a key for one purpose from a master secret with HKDF-SHA256 (RFC 5869).

        Keys derived for different purposes are independent, so one master secret in the
        app's configuration can serve portal links, payment links and anything else.

        Args:
            master_secret: at least 32 random bytes.
            purpose: what the derived key is for; it is the HKDF ``info`` (after a fixed
                ``payportal.links/hmac-sha256/`` prefix).
            kid: the derived key's id; defaults to ``purpose``. Pass a new one when the
                master secret rotates, since a key ring cannot hold two keys with one id.

        Raises:
            ValidationError: the master secret is too short, or ``purpose`` is empty or
                (with no ``kid``) not a valid key id.
        """
        master = _check_secret(master_secret, "master_secret")
        if not isinstance(purpose, str) or not purpose:
            # Described, not shown: derive(purpose, master_secret) swaps the two.
            raise ValidationError(
                "must be a non-empty string", field="purpose", value=_describe(purpose)
            )
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=MIN_SECRET_BYTES,
            salt=None,
            info=_HKDF_INFO_PREFIX + purpose.encode("utf-8"),
        )
        return cls(purpose if kid is None else kid, hkdf.derive(master))

    def sign(self, data: bytes) -> bytes:
        """The 32-byte HMAC-SHA256 of ``data``: ``hmac.digest(secret, data, "sha256")``."""
        inner, outer = self._pads[0].copy(), self._pads[1].copy()
        inner.update(data)
        outer.update(inner.digest())
        tag: bytes = outer.digest()
        return tag

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``data`` (constant-time)."""
        return hmac.compare_digest(self.sign(data), signature)


_AnyEd25519 = Ed25519PrivateKey | Ed25519PublicKey


def _ed25519(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _AnyEd25519):
        raise v.fail(
            attribute,
            f"<{type(value).__name__}>",
            "must be a cryptography Ed25519PrivateKey or Ed25519PublicKey",
        )


def _public_of(instance: Ed25519Key) -> Ed25519PublicKey:
    key = instance.key
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


@attrs.frozen(eq=False, repr=False)
class Ed25519Key:
    """An Ed25519 key pair, or just its public half, for links (RFC 8032 signatures).

    A service that only verifies links holds the public key, so it cannot mint them even if
    its configuration leaks:

    >>> signing = Ed25519Key.from_private_bytes("ed1", bytes(range(32)))
    >>> verifying = signing.public_only()
    >>> verifying
    Ed25519Key(kid='ed1', can_sign=False)
    >>> verifying.verify(b"data", signing.sign(b"data"))
    True

    Args:
        kid: the key id carried in every token (see :class:`HmacKey`).
        key: a ``cryptography`` ``Ed25519PrivateKey`` (signs and verifies) or
            ``Ed25519PublicKey`` (verifies only).

    Raises:
        ValidationError: the key id or the key is invalid.
    """

    signature_size: ClassVar[int] = 64

    kid: str = attrs.field(validator=_kid)
    key: Ed25519PrivateKey | Ed25519PublicKey = attrs.field(validator=_ed25519)
    _public: Ed25519PublicKey = attrs.field(
        init=False, default=attrs.Factory(_public_of, takes_self=True)
    )

    @classmethod
    def generate(cls, kid: str) -> Ed25519Key:
        """A new random key pair."""
        return cls(kid, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, kid: str, data: bytes) -> Ed25519Key:
        """A key pair from the 32-byte raw private key (the RFC 8032 seed).

        Raises:
            ValidationError: ``data`` is not 32 bytes.
        """
        if not isinstance(data, bytes) or len(data) != 32:
            raise ValidationError(
                "must be the 32-byte raw Ed25519 private key",
                field="data",
                value=_describe(data),
            )
        return cls(kid, Ed25519PrivateKey.from_private_bytes(data))

    @classmethod
    def from_public_bytes(cls, kid: str, data: bytes) -> Ed25519Key:
        """A verify-only key from the 32-byte raw public key.

        Raises:
            ValidationError: ``data`` is not a 32-byte Ed25519 public key.
        """
        if not isinstance(data, bytes) or len(data) != 32:
            raise ValidationError(
                "must be the 32-byte raw Ed25519 public key", field="data", value=_describe(data)
            )
        try:
            public = Ed25519PublicKey.from_public_bytes(data)
        except ValueError:
            raise ValidationError(
                "is not a valid Ed25519 public key", field="data", value=_describe(data)
            ) from None
        return cls(kid, public)

    @classmethod
    def from_pem(cls, kid: str, data: bytes, *, password: bytes | None = None) -> Ed25519Key:
        """A key from PEM text: a PKCS#8 private key, or a SubjectPublicKeyInfo public key.

        Raises:
            ValidationError: ``data`` is not a PEM-encoded Ed25519 key, or the password is
                wrong (the message never shows the key).
        """
        loaded: object = None
        if isinstance(data, bytes):
            # Wrong passwords, other key types and garbage all end in the one error below.
            with contextlib.suppress(ValueError, TypeError, UnsupportedAlgorithm):
                if b"PRIVATE KEY" in data:
                    loaded = serialization.load_pem_private_key(data, password=password)
                else:
                    loaded = serialization.load_pem_public_key(data)
        if not isinstance(loaded, _AnyEd25519):
            raise ValidationError(
                "is not a PEM-encoded Ed25519 key that the password (if any) opens",
                field="data",
                value=_describe(data),
            )
        return cls(kid, loaded)

    @property
    def can_sign(self) -> bool:
        """Whether this key holds the private half."""
        return isinstance(self.key, Ed25519PrivateKey)

    @property
    def public_bytes(self) -> bytes:
        """The 32-byte raw public key, to configure verifying services."""
        return self._public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def public_only(self) -> Ed25519Key:
        """This key without its private half: it verifies but cannot sign."""
        return Ed25519Key(self.kid, self._public)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``.

        Raises:
            ValidationError: this key holds only the public half.
        """
        if not isinstance(self.key, Ed25519PrivateKey):
            raise ValidationError(
                "holds only a public key, which verifies links but cannot sign them",
                field="key",
                value=self.kid,
            )
        return self.key.sign(data)

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``data``."""
        try:
            self._public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"Ed25519Key(kid={self.kid!r}, can_sign={self.can_sign})"


def _describe(data: object) -> str:
    """What an error shows instead of a value that may be a secret: its type and size."""
    if isinstance(data, bytes | bytearray | memoryview):
        return f"<{len(data)} bytes>"
    if isinstance(data, str):
        return f"<str of {len(data)} characters>"
    return f"<{type(data).__name__}>"


LinkKey = HmacKey | Ed25519Key
"""A key a :class:`KeyRing` holds."""


def _keys(value: Iterable[LinkKey]) -> tuple[LinkKey, ...]:
    if isinstance(value, HmacKey | Ed25519Key):
        return (value,)
    return v.to_tuple(value)


def _key_list(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise v.fail(attribute, _describe(value), "must be a non-empty list of keys")
    seen: set[str] = set()
    for index, key in enumerate(value):
        if not isinstance(key, HmacKey | Ed25519Key):
            # Never show the item: a raw secret passed by mistake must not reach a log.
            raise ValidationError(
                "must be an HmacKey or an Ed25519Key",
                field=f"keys[{index}]",
                value=_describe(key),
            )
        if key.kid in seen:
            raise ValidationError(
                "repeats a key id; every key in a ring needs its own",
                field=f"keys[{index}].kid",
                value=key.kid,
            )
        seen.add(key.kid)


def _index(instance: KeyRing) -> dict[bytes, LinkKey]:
    # Factories run before validators: skip what the validator will reject.
    keys = instance.keys if isinstance(instance.keys, tuple) else ()
    return {
        key.kid.encode("ascii"): key
        for key in keys
        if isinstance(key, HmacKey | Ed25519Key) and key.kid.isascii()
    }


@attrs.frozen
class KeyRing:
    """The keys links are signed and verified with, oldest first.

    The newest (last) key signs; every key verifies. To rotate, add a new key at the end
    (:meth:`rotated`): links already sent keep working until the old key is removed
    (:meth:`without`).

    >>> ring = KeyRing([HmacKey("k1", b"a" * 32)]).rotated(HmacKey("k2", b"b" * 32))
    >>> ring
    KeyRing(keys=(HmacKey(kid='k1'), HmacKey(kid='k2')))
    >>> ring.signing_key.kid, "k1" in ring
    ('k2', True)

    Raises:
        ValidationError: no keys, something other than a key, or a repeated key id.
    """

    keys: tuple[LinkKey, ...] = attrs.field(converter=_keys, validator=_key_list)
    _by_kid: dict[bytes, LinkKey] = attrs.field(
        init=False, repr=False, eq=False, default=attrs.Factory(_index, takes_self=True)
    )

    @property
    def signing_key(self) -> LinkKey:
        """The newest key, which signs new links."""
        return self.keys[-1]

    def get(self, kid: str) -> LinkKey | None:
        """The key with id ``kid``, or ``None``."""
        return self._by_kid.get(kid.encode("ascii", "replace"))

    def lookup(self, kid: bytes) -> LinkKey | None:
        """The key whose id is ``kid`` as it appears in a token, or ``None``."""
        return self._by_kid.get(kid)

    def rotated(self, key: LinkKey) -> KeyRing:
        """A ring with ``key`` added as the newest, signing key.

        Raises:
            ValidationError: ``key`` is not a key, or its id is already in the ring.
        """
        return KeyRing((*self.keys, key))

    def without(self, kid: str) -> KeyRing:
        """A ring without the key ``kid``: links it signed stop working.

        Raises:
            ValidationError: no such key, or it is the only one.
        """
        if kid not in self:
            raise ValidationError("is not in the key ring", field="kid", value=kid)
        return KeyRing(key for key in self.keys if key.kid != kid)

    def public_only(self) -> KeyRing:
        """The ring for a verifying service: Ed25519 keys without their private half.

        Raises:
            ValidationError: the ring holds HMAC keys, whose secret also signs.
        """
        for index, key in enumerate(self.keys):
            if isinstance(key, HmacKey):
                raise ValidationError(
                    "is an HMAC key: its secret signs as well as verifies, so it has no "
                    "public-only form",
                    field=f"keys[{index}]",
                    value=key.kid,
                )
        return KeyRing(key.public_only() for key in self.keys if isinstance(key, Ed25519Key))

    def __contains__(self, kid: object) -> bool:
        return isinstance(kid, str) and self.get(kid) is not None

    def __iter__(self) -> Iterator[LinkKey]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)
