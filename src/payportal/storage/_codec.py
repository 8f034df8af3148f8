"""Records to stored text and back, with a checksum that catches damaged rows.

Models go through :mod:`payportal.serialization` (one converter for the whole library);
the storage's own JSON (journal data, outbox payloads) through :mod:`json`. Every body is
stored with a CRC-32 of its text, so a row truncated or altered outside payportal is
reported as :class:`~payportal.exceptions.CorruptRecordError` instead of loading as
something else.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, TypeVar

from payportal.exceptions import CorruptRecordError, PayportalError

__all__ = ["checksum", "decode", "decode_json", "encode", "encode_json"]

T = TypeVar("T")


def checksum(body: str) -> str:
    """The checksum stored next to ``body``: CRC-32 of its UTF-8 bytes, as 8 hex digits."""
    return f"{zlib.crc32(body.encode()):08x}"


def encode(value: object) -> tuple[str, str]:
    """``value`` as stored text and its checksum."""
    from payportal.serialization import dumps  # noqa: PLC0415

    body = dumps(value)
    return body, checksum(body)


def encode_json(data: object) -> tuple[str, str]:
    """JSON-compatible ``data`` as stored text and its checksum."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return body, checksum(body)


def _verify(body: object, stored: object, record: str) -> str:
    if not isinstance(body, str) or not isinstance(stored, str):
        raise CorruptRecordError(f"{record} is damaged: its stored text is missing", record=record)
    if checksum(body) != stored:
        raise CorruptRecordError(
            f"{record} is damaged: its stored text does not match its checksum "
            "(truncated or changed outside payportal); restore it from a backup",
            record=record,
        )
    return body


def decode(body: object, stored: object, type_: type[T], record: str) -> T:
    """Load a stored model, or raise :class:`CorruptRecordError` naming ``record``."""
    from payportal.serialization import loads  # noqa: PLC0415

    text = _verify(body, stored, record)
    try:
        return loads(text, type_)
    except (PayportalError, ValueError, TypeError, KeyError) as exc:
        raise CorruptRecordError(f"{record} cannot be read: {exc}", record=record) from exc


def decode_json(body: object, stored: object, record: str) -> Any:
    """Load stored JSON, or raise :class:`CorruptRecordError` naming ``record``."""
    text = _verify(body, stored, record)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CorruptRecordError(f"{record} cannot be read: {exc}", record=record) from exc
