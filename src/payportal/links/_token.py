"""The token's binary layout and its base64url text form (format version 1).

All integers are unsigned LEB128 varints; strings are a varint byte length and UTF-8::

    byte   0x01                    format version
    byte   n, then n bytes         key id (ASCII, 1..32)
    byte   flags                   bit 0: has expiry, bit 1: has actions; others zero
    uint40 issued_at               Unix seconds, UTC, big-endian (5 bytes)
    varint lifetime                expires_at - issued_at in seconds (>= 1), if bit 0
    varint version                 the customer's link version
    byte   purpose code            1 portal, 2 document, 3 pay; 0: a string follows
    byte   subject type code       see SUBJECT_CODES; 0: the whole subject follows
    string subject id              (or the whole subject, for code 0)
    string customer id             absent for customer subjects: it is the subject id
    varint actions bitmask         see ACTION_BITS, if bit 1
    32|64  signature               HMAC-SHA256 or Ed25519 of every byte before it

The codes and bits are part of the format: append, never renumber.
"""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from typing import Final

from payportal.exceptions import MalformedLinkError
from payportal.links._claims import (
    CUSTOMER_SUBJECT,
    MAX_ID_BYTES,
    MAX_PURPOSE_BYTES,
    LinkClaims,
    trusted_claims,
)
from payportal.links._keys import MAX_KID_LENGTH
from payportal.portal import Action

__all__ = [
    "ACTION_BITS",
    "FORMAT_VERSION",
    "MAX_TOKEN_LENGTH",
    "PURPOSE_CODES",
    "SUBJECT_CODES",
    "decode_claims",
    "decode_text",
    "encode_claims",
    "encode_text",
    "key_header",
    "read_kid",
]

FORMAT_VERSION: Final = 1

MAX_TOKEN_LENGTH: Final = 1000
"""The longest token text accepted; the largest valid claims fit with room to spare."""

_MIN_TOKEN_LENGTH: Final = 50  # a one-character kid and the shortest claims with an HMAC

PURPOSE_CODES: Final = {"portal": 1, "document": 2, "pay": 3}
SUBJECT_CODES: Final = {
    CUSTOMER_SUBJECT: 1,
    "invoice": 2,
    "reminder": 3,
    "credit_note": 4,
    "offer": 5,
    "delivery_note": 6,
    "order_confirmation": 7,
}
ACTION_BITS: Final = {
    Action.VIEW: 1 << 0,
    Action.DOWNLOAD: 1 << 1,
    Action.PRINT: 1 << 2,
    Action.COMMENT: 1 << 3,
    Action.ACCEPT: 1 << 4,
    Action.REJECT: 1 << 5,
    Action.PAY: 1 << 6,
    Action.EDIT_MASTER_DATA: 1 << 7,
    Action.TOP_UP: 1 << 8,
    Action.ADD_PAYMENT_METHOD: 1 << 9,
    Action.CHANGE_PAYMENT_METHOD: 1 << 10,
    Action.REMOVE_PAYMENT_METHOD: 1 << 11,
    Action.GRANT_MANDATE: 1 << 12,
    Action.REVOKE_MANDATE: 1 << 13,
}

_PURPOSES: Final = {code: name for name, code in PURPOSE_CODES.items()}
_SUBJECT_PREFIXES: Final = {code: name + ":" for name, code in SUBJECT_CODES.items()}
_CUSTOMER_CODE: Final = SUBJECT_CODES[CUSTOMER_SUBJECT]
_ALL_ACTION_BITS: Final = sum(ACTION_BITS.values())
_HAS_EXPIRY: Final = 1
_HAS_ACTIONS: Final = 2
_KNOWN_FLAGS: Final = _HAS_EXPIRY | _HAS_ACTIONS
_MAX_VARINT_BITS: Final = 63  # nine bytes: the largest link version

_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
# The last character of unpadded base64 also carries unused low bits. Only the characters
# with those bits zero are canonical; accepting others would let two texts decode to the
# same token, so a one-character change could go unnoticed.
_CANONICAL_LAST: Final = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}


class _CorruptError(Exception):
    """Internal: the bytes do not follow the layout (turned into MalformedLinkError)."""


# binascii directly: base64's urlsafe wrappers cost as much again as the codec itself.
_TO_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE: Final = bytes.maketrans(b"-_", b"+/")
_PADDING: Final = (b"", b"", b"==", b"=")


def encode_text(raw: bytes) -> str:
    """base64url without padding."""
    return binascii.b2a_base64(raw, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode()


def decode_text(token: object) -> bytes:
    """The bytes of a token's text, after checking its size and alphabet.

    The size is checked first, so oversized input costs nothing beyond ``len``.

    Raises:
        MalformedLinkError: not a string, too short or too long, characters outside the
            base64url alphabet, padding, or a non-canonical last character.
    """
    if not isinstance(token, str):
        raise MalformedLinkError(f"A link token must be a string, not {type(token).__name__}.")
    size = len(token)
    if size > MAX_TOKEN_LENGTH:
        raise MalformedLinkError(
            f"The link token is {size} characters long, more than the {MAX_TOKEN_LENGTH} allowed."
        )
    if size < _MIN_TOKEN_LENGTH:
        raise MalformedLinkError(
            f"The link token is {size} characters long, too short to be a payportal link."
        )
    rest = size % 4
    if (
        rest == 1
        or not _ALPHABET.fullmatch(token)
        or (rest and token[-1] not in _CANONICAL_LAST[rest])
    ):
        raise MalformedLinkError(
            "The link token is not unpadded base64url text; it was probably cut or altered "
            "when it was copied."
        )
    return binascii.a2b_base64(token.encode("ascii").translate(_FROM_URLSAFE) + _PADDING[rest])


_SMALL: Final = tuple(bytes((n,)) for n in range(0x80))


def _varint(number: int) -> bytes:
    if number < 0x80:
        return _SMALL[number]
    out = bytearray()
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return _varint(len(data)) + data


def key_header(kid: str) -> bytes:
    """The token's first bytes for a key: format version, key id length, key id."""
    kid_bytes = kid.encode("ascii")
    return bytes((FORMAT_VERSION, len(kid_bytes))) + kid_bytes


def encode_claims(header: bytes, claims: LinkClaims) -> bytes:
    """Every byte of the token up to the signature; ``header`` is :func:`key_header`'s."""
    # LinkClaims holds whole-second UTC datetimes, so the timestamps are exact integers.
    issued = int(claims.issued_at.timestamp())
    expires_at = claims.expires_at
    actions = claims.actions
    flags = (0 if expires_at is None else _HAS_EXPIRY) | (0 if actions is None else _HAS_ACTIONS)
    parts = [header, _SMALL[flags], issued.to_bytes(5, "big")]
    if expires_at is not None:
        parts.append(_varint(int(expires_at.timestamp()) - issued))
    parts.append(_varint(claims.version))
    purpose_code = PURPOSE_CODES.get(claims.purpose, 0)
    parts.append(_SMALL[purpose_code])
    if not purpose_code:
        parts.append(_string(claims.purpose))
    kind, _, ident = claims.subject.partition(":")
    subject_code = SUBJECT_CODES.get(kind, 0)
    parts.append(_SMALL[subject_code])
    parts.append(_string(ident if subject_code else claims.subject))
    if subject_code != _CUSTOMER_CODE:
        parts.append(_string(claims.customer_id))
    if actions is not None:
        parts.append(_varint(sum(ACTION_BITS[action] for action in actions)))
    return b"".join(parts)


def read_kid(raw: bytes) -> tuple[bytes, int]:
    """The key id as bytes and the offset of the claims.

    Raises:
        MalformedLinkError: an unknown format version or a bad key id length.
    """
    if raw[0] != FORMAT_VERSION:
        raise MalformedLinkError(
            f"The link token has format version {raw[0]}; this payportal reads version "
            f"{FORMAT_VERSION}."
        )
    end = 2 + raw[1]
    if not 1 <= raw[1] <= MAX_KID_LENGTH or end >= len(raw):
        raise MalformedLinkError("The link token's key id is malformed.")
    return raw[2:end], end


def _get_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the offset after it; IndexError if the data ends first."""
    result = shift = 0
    while shift < _MAX_VARINT_BITS:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
    raise _CorruptError


def _get_string(data: bytes, pos: int, limit: int) -> tuple[str, int]:
    size = data[pos]
    if size < 0x80:  # every string up to 127 bytes: skip the general varint reader
        pos += 1
    else:
        size, pos = _get_varint(data, pos)
    end = pos + size
    if not 0 < size <= limit or end > len(data):
        raise _CorruptError
    return data[pos:end].decode("utf-8"), end


def decode_claims(body: bytes, pos: int) -> LinkClaims:
    """The claims in ``body`` (the signed bytes) from offset ``pos``.

    Called only on bytes whose signature checked out, so a failure here means a signer with
    one of our keys wrote something this version cannot read. The checks here establish
    every invariant :class:`LinkClaims` validates, so the claims are built without
    re-validation: this runs on every request.

    Raises:
        MalformedLinkError: the bytes do not follow the layout or make invalid claims.
    """
    try:
        flags = body[pos]
        if flags & ~_KNOWN_FLAGS:
            raise _CorruptError
        # A varint would take five bytes too for today's dates, and decode slower.
        end = pos + 6
        if end > len(body):
            raise _CorruptError
        issued = int.from_bytes(body[pos + 1 : end])
        pos = end
        expires = None
        if flags & _HAS_EXPIRY:
            lifetime, pos = _get_varint(body, pos)
            if not lifetime:
                raise _CorruptError
            expires = issued + lifetime
        version = body[pos]
        if version < 0x80:
            pos += 1
        else:
            version, pos = _get_varint(body, pos)
        purpose_code = body[pos]
        if purpose_code:
            purpose = _PURPOSES[purpose_code]
            pos += 1
        else:
            purpose, pos = _get_string(body, pos + 1, MAX_PURPOSE_BYTES)
        subject_code = body[pos]
        prefix = _SUBJECT_PREFIXES[subject_code] if subject_code else ""
        ident, pos = _get_string(body, pos + 1, MAX_ID_BYTES - len(prefix))
        if subject_code == _CUSTOMER_CODE:
            customer_id = ident
        else:
            customer_id, pos = _get_string(body, pos, MAX_ID_BYTES)
        if not customer_id.strip() or not purpose.strip():
            raise _CorruptError  # LinkClaims refuses blank ids and purposes
        if not subject_code:
            kind, _, rest = ident.partition(":")
            if not kind or not rest or kind in SUBJECT_CODES:
                raise _CorruptError  # not a subject, or one the encoder writes with a code
        actions = None
        if flags & _HAS_ACTIONS:
            mask, pos = _get_varint(body, pos)
            if mask & ~_ALL_ACTION_BITS:
                raise _CorruptError
            actions = frozenset(action for action, bit in ACTION_BITS.items() if mask & bit)
        if pos != len(body):
            raise _CorruptError
        return trusted_claims(
            prefix + ident,
            customer_id,
            purpose,
            datetime.fromtimestamp(issued, UTC),
            None if expires is None else datetime.fromtimestamp(expires, UTC),
            version,
            actions,
        )
    except (_CorruptError, IndexError, KeyError, ValueError, OverflowError, OSError):
        # ValueError covers bad UTF-8 and times beyond the year 9999.
        raise MalformedLinkError(
            "The link token's content does not follow the payportal link format."
        ) from None
