"""Signing and verifying link tokens: :class:`LinkSigner`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NoReturn

import attrs

from payportal import _validators as v
from payportal.exceptions import (
    BadSignatureError,
    ExpiredLinkError,
    MalformedLinkError,
    NotYetValidLinkError,
    RevokedLinkError,
    UnknownKeyError,
    ValidationError,
    WrongPurposeError,
)
from payportal.links._claims import LinkClaims, LinkVersions
from payportal.links._keys import KeyRing, LinkKey, _describe
from payportal.links._token import (
    decode_claims,
    decode_text,
    encode_claims,
    encode_text,
    key_header,
    read_kid,
)

__all__ = ["DEFAULT_LEEWAY", "LinkSigner"]

DEFAULT_LEEWAY: Final = timedelta(seconds=60)
"""How far in the future a token's ``issued_at`` may lie: clock skew between servers."""

Clock = Callable[[], datetime]


def _system_clock() -> datetime:
    return datetime.now(UTC)


def _timedelta(*, positive: bool) -> v.Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, timedelta):
            raise v.fail(attribute, value, "must be a datetime.timedelta")
        if value < timedelta(0) or (positive and not value):
            raise v.fail(
                attribute, value, "must be positive" if positive else "must not be negative"
            )

    return check


def _versions(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, LinkVersions):
        raise v.fail(attribute, _describe(value), "must have a current_version(customer_id) method")


def _signing_header(instance: LinkSigner) -> bytes:
    # Factories run before validators: leave a wrong keyring for the validator to name.
    ring = instance.keyring
    return key_header(ring.signing_key.kid) if isinstance(ring, KeyRing) else b""


def _index_of(instance: LinkSigner) -> Mapping[bytes, LinkKey]:
    ring = instance.keyring
    return ring._by_kid if isinstance(ring, KeyRing) else {}


def _callable(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise v.fail(attribute, _describe(value), "must be callable")


def _keyring(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, KeyRing):
        # Described, never shown: LinkSigner(b"...") passes the raw secret here.
        hint = (
            "; wrap a secret as KeyRing([HmacKey('k1', secret)])"
            if isinstance(value, bytes | bytearray | memoryview | str)
            else ""
        )
        raise v.fail(attribute, _describe(value), f"must be a KeyRing{hint}")


@attrs.frozen
class LinkSigner:
    """Signs :class:`LinkClaims` into compact URL-safe tokens and verifies them.

    >>> from datetime import datetime, timedelta, timezone
    >>> from payportal.links import HmacKey, KeyRing, LinkClaims
    >>> signer = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), default_ttl=timedelta(days=30))
    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> token = signer.sign(LinkClaims(subject="customer:42", customer_id="42",
    ...                                purpose="portal", issued_at=now))
    >>> token
    'AQJrMQEAaVW5AICangEBAQECNDLBKoB_zR8MKZW8Nj5wciAsBSb6jGJOqlQc-LaF73iH5g'
    >>> signer.verify(token, purpose="portal", now=now).expires_at
    datetime.datetime(2026, 1, 31, 0, 0, tzinfo=datetime.timezone.utc)

    Args:
        keyring: the keys; the newest signs, all verify.
        default_ttl: the lifetime :meth:`sign` gives claims without ``expires_at``; ``None``
            signs such claims as links that never expire.
        leeway: how far in the future ``issued_at`` may lie when verifying (clock skew
            between the signing and the verifying server). Expiry is exact.
        versions: where :meth:`verify` looks up a customer's current link version when the
            caller does not pass one; ``None`` checks versions only when passed.
        clock: returns the current timezone-aware time; defaults to the system clock.

    Raises:
        ValidationError: an argument is invalid.
    """

    keyring: KeyRing = attrs.field(validator=_keyring)
    default_ttl: timedelta | None = attrs.field(
        default=None, kw_only=True, validator=v.optional(_timedelta(positive=True))
    )
    leeway: timedelta = attrs.field(
        default=DEFAULT_LEEWAY, kw_only=True, validator=_timedelta(positive=False)
    )
    versions: LinkVersions | None = attrs.field(default=None, kw_only=True, validator=_versions)
    clock: Clock = attrs.field(default=_system_clock, kw_only=True, validator=_callable)
    # The signing key's token header, encoded once rather than on every sign.
    _header: bytes = attrs.field(
        init=False, repr=False, eq=False, default=attrs.Factory(_signing_header, takes_self=True)
    )
    # The ring's index, one attribute lookup closer to the per-request path.
    _by_kid: Mapping[bytes, LinkKey] = attrs.field(
        init=False, repr=False, eq=False, default=attrs.Factory(_index_of, takes_self=True)
    )

    def now(self) -> datetime:
        """The current time from :attr:`clock`.

        Raises:
            ValidationError: the clock returned something other than an aware datetime.
        """
        if self.clock is _system_clock:
            return datetime.now(UTC)
        return v.check_aware(self.clock(), "clock()")

    def sign(self, claims: LinkClaims) -> str:
        """A token for ``claims``, signed with the ring's newest key.

        The token is unpadded base64url (``A-Z a-z 0-9 - _``), safe in a URL path or query
        without percent-encoding. A customer link with a short key id and a customer id of up
        to 36 characters (a UUID) stays under 120 characters.

        Raises:
            ValidationError: ``claims`` is not :class:`LinkClaims`, the newest key cannot
                sign (a public-only Ed25519 key), or ``default_ttl`` pushes the expiry past
                the year 9999.
        """
        if not isinstance(claims, LinkClaims):
            raise ValidationError("must be LinkClaims", field="claims", value=claims)
        key = self.keyring.signing_key
        if not key.can_sign:
            raise ValidationError(
                "ends with a public-only key, which cannot sign; add a private key as the "
                "newest key, or sign on the service that holds it",
                field="keyring",
                value=key.kid,
            )
        if claims.expires_at is None and self.default_ttl is not None:
            try:
                expires_at = claims.issued_at + self.default_ttl
            except OverflowError:
                raise ValidationError(
                    "puts the expiry past the year 9999",
                    field="default_ttl",
                    value=self.default_ttl,
                ) from None
            claims = attrs.evolve(claims, expires_at=expires_at)
        body = encode_claims(self._header, claims)
        return encode_text(body + key.sign(body))

    def verify(
        self,
        token: str,
        *,
        purpose: str | Collection[str],
        now: datetime | None = None,
        current_version: int | LinkVersions | None = None,
    ) -> LinkClaims:
        """The claims of a token this ring signed, if it is valid now for ``purpose``.

        Checks run cheapest and least revealing first: size (before any decoding), text,
        key id, signature (constant-time), then purpose, issue time, expiry and version.

        Args:
            token: the token text as it came in the URL.
            purpose: the purpose the caller serves, or a collection of acceptable ones.
            now: the time to check against (timezone-aware); defaults to :attr:`clock`.
            current_version: the customer's current link version, or a
                :class:`LinkVersions` to ask; defaults to :attr:`versions`. Links with a lower
                version are revoked.

        Returns:
            The verified claims.

        Raises:
            MalformedLinkError: not a token (size, alphabet, layout, format version).
            UnknownKeyError: signed with a key the ring does not hold (any more).
            BadSignatureError: altered or forged.
            WrongPurposeError: issued for another purpose.
            NotYetValidLinkError: issued further in the future than :attr:`leeway`.
            ExpiredLinkError: ``now`` is at or after ``expires_at``.
            RevokedLinkError: its version is below the customer's current one.
            ValidationError: ``now`` is not an aware datetime or ``current_version`` is not
                an int (errors of the caller, not of the token).
        """
        raw = decode_text(token)
        kid, offset = read_kid(raw)
        key = self._by_kid.get(kid)
        if key is None:
            raise UnknownKeyError(
                f"The link was signed with key {kid.decode('ascii', 'replace')!r}, which the "
                "key ring does not hold; it may have been retired."
            )
        size = key.signature_size
        if len(raw) <= offset + size:
            raise MalformedLinkError("The link token is too short for its key's signature.")
        body = raw[:-size]
        if not key.verify(body, raw[-size:]):
            raise BadSignatureError(
                "The link's signature does not match its content: it was altered, or not "
                "issued with this key ring."
            )
        claims = decode_claims(body, offset)
        if claims.purpose != purpose:
            _check_purpose(claims, purpose)
        moment = self.now() if now is None else v.check_aware(now, "now")
        if claims.issued_at > moment + self.leeway:
            raise NotYetValidLinkError(
                f"The link claims to be issued at {claims.issued_at.isoformat()}, later than "
                f"now ({moment.isoformat()}) allows; a clock is wrong or a key has leaked."
            )
        if claims.expires_at is not None and moment >= claims.expires_at:
            raise ExpiredLinkError(f"The link expired at {claims.expires_at.isoformat()}.")
        if type(current_version) is int:  # the common case, without a call
            if claims.version < current_version:
                _revoked(claims, current_version)
        else:
            self._check_version(claims, current_version)
        return claims

    def _check_version(
        self, claims: LinkClaims, current_version: int | LinkVersions | None
    ) -> None:
        source = self.versions if current_version is None else current_version
        if source is None:
            return
        current = source if isinstance(source, int) else source.current_version(claims.customer_id)
        if not isinstance(current, int) or isinstance(current, bool):
            raise ValidationError(
                "must be an int link version or a LinkVersions returning one",
                field="current_version",
                value=current,
            )
        if claims.version < current:
            _revoked(claims, current)


def _revoked(claims: LinkClaims, current: int) -> NoReturn:
    raise RevokedLinkError(
        f"The link has version {claims.version}, but customer {claims.customer_id!r} "
        f"is at version {current}: it was revoked."
    )


def _check_purpose(claims: LinkClaims, purpose: str | Collection[str]) -> None:
    if isinstance(purpose, str):
        if claims.purpose == purpose:
            return
        expected = repr(purpose)
    elif isinstance(purpose, Collection) and purpose and all(isinstance(p, str) for p in purpose):
        if claims.purpose in purpose:
            return
        expected = "any of " + ", ".join(repr(p) for p in sorted(purpose))
    else:
        raise ValidationError(
            "must be a purpose string or a non-empty collection of them",
            field="purpose",
            value=purpose,
        )
    raise WrongPurposeError(
        f"The link was issued for the purpose {claims.purpose!r}, not for {expected}."
    )
