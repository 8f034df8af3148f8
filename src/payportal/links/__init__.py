"""Signed secret links to a customer's portal and to single documents.

A portal link is the customer's only credential, so it is signed, scoped to one subject and
one purpose, expiring and revocable, and cheap to verify on every request::

    LinkClaims --LinkSigner.sign--> token --LinkSigner.verify--> LinkClaims
                    (KeyRing: the newest key signs, every key verifies)

>>> from datetime import datetime, timedelta, timezone
>>> ring = KeyRing([HmacKey("k1", b"s" * 32)])
>>> signer = LinkSigner(ring)
>>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
>>> claims = LinkClaims(subject="customer:42", customer_id="42", purpose="portal",
...                     issued_at=now, expires_at=now + timedelta(days=30), version=1)
>>> token = signer.sign(claims)
>>> signer.verify(token, purpose="portal", now=now + timedelta(days=1)) == claims
True

Design
------
*Token.* Unpadded base64url (``A-Z a-z 0-9 - _``, nothing a URL needs to escape) of a
compact binary layout, documented field by field in ``payportal.links._token``: a format
version byte, the key id, a flags byte, ``issued_at`` in Unix seconds, the lifetime in
seconds rather than a second timestamp, the link version, the purpose and the subject type as
one-byte codes for the common ones (``portal``/``document``/``pay``; ``customer`` and each
document type), the ids as length-prefixed UTF-8 (the customer id only when the subject is a
document), an optional bitmask of allowed actions, and the signature over every byte before
it, key id included. ``issued_at`` takes five bytes, other integers are varints. A customer
link with key id ``k1``, customer id ``42`` and a 30-day lifetime is 70 characters; with a
UUID customer id, 115.

*Keys.* :class:`HmacKey` signs with HMAC-SHA256 (the full 32-byte tag; the key's padded
SHA-256 states are computed once per key, as RFC 2104 suggests, which halves the cost);
:class:`Ed25519Key` with Ed25519 (64 bytes), and a public-only Ed25519 key verifies without
being able to sign. :meth:`HmacKey.derive` derives per-purpose keys from one master secret
with HKDF-SHA256. Secrets never appear in ``repr``, ``str`` or error messages.

*Verification order.* Size first (more than :data:`MAX_TOKEN_LENGTH` characters is refused
before any decoding), then the alphabet and canonical base64, the format version and key id,
the signature (``hmac.compare_digest``), and only then, on authenticated bytes, the claims:
purpose, ``issued_at`` no later than now plus the leeway, ``now < expires_at`` (expiry is
exact, the leeway does not extend it), and ``version >= current version``.

*Revocation.* Each link carries the customer's link version
(:attr:`Customer.link_version <payportal.Customer.link_version>`). Incrementing it revokes
every link signed before; the verifier learns the current version from the caller or from a
:class:`LinkVersions` the app implements.

*Times.* Claims hold whole seconds in UTC; finer parts are truncated when the claims are
made, so a verified token compares equal to the claims it was signed from.
"""

from payportal.exceptions import (
    BadSignatureError,
    ExpiredLinkError,
    InvalidLinkError,
    MalformedLinkError,
    NotYetValidLinkError,
    RevokedLinkError,
    UnknownKeyError,
    WrongPurposeError,
)
from payportal.links._claims import DOWNLOAD_PURPOSES, LinkClaims, LinkVersions
from payportal.links._keys import Ed25519Key, HmacKey, KeyRing, LinkKey
from payportal.links._signer import DEFAULT_LEEWAY, LinkSigner
from payportal.links._token import MAX_TOKEN_LENGTH
from payportal.links._urls import DEFAULT_PATHS, LINK_PURPOSES, PRINT_PURPOSE, PortalUrls

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_PATHS",
    "DOWNLOAD_PURPOSES",
    "LINK_PURPOSES",
    "MAX_TOKEN_LENGTH",
    "PRINT_PURPOSE",
    "BadSignatureError",
    "Ed25519Key",
    "ExpiredLinkError",
    "HmacKey",
    "InvalidLinkError",
    "KeyRing",
    "LinkClaims",
    "LinkKey",
    "LinkSigner",
    "LinkVersions",
    "MalformedLinkError",
    "NotYetValidLinkError",
    "PortalUrls",
    "RevokedLinkError",
    "UnknownKeyError",
    "WrongPurposeError",
]
