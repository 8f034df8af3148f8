"""Records to stored text and back, with a checksum that catches damaged rows.

Models go through :mod:`payportal.serialization` (one converter for the whole library).
Models it does not list as storable on their own (a bank transfer, a BillPay order, a
payment intent) are written by the same converter in the same envelope
(``schema_version``, ``type``, ``data``). The storage's own JSON (journal data, outbox
payloads) is written as :mod:`json` writes it (by serialization's fast writer where that
gives the same text). Every body is
stored with a CRC-32 of its text, so a row truncated or altered outside payportal is
reported as :class:`~payportal.exceptions.CorruptRecordError` instead of loading as
something else.

Decoded-record cache (the one seam where stored text is not parsed and validated again):
for the types registered with :func:`immutable` (deeply immutable models: frozen attrs
classes holding only tuples, read-only mappings and other immutable values), the last
bodies this process wrote or read are kept with their checksum and model. Decoding the
very same text with the same checksum returns the kept model instead of parsing and
validating it again; any other text (changed by another process, damaged) is decoded and
checked as usual. Bounded to :data:`CACHE_SIZE` bodies; :func:`clear_cache` empties it.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict
from typing import Any, TypeVar

from payportal.exceptions import CorruptRecordError, PayportalError, ValidationError
from payportal.serialization import SCHEMA_VERSION, dumps, loads
from payportal.serialization._converter import MODELS, converter
from payportal.serialization._errors import translate
from payportal.serialization._text import dumps as _text

__all__ = [
    "CACHE_SIZE",
    "checksum",
    "clear_cache",
    "decode",
    "decode_json",
    "encode",
    "encode_json",
    "immutable",
]

T = TypeVar("T")


def checksum(body: str) -> str:
    """The checksum stored next to ``body``: CRC-32 of its UTF-8 bytes, as 8 hex digits.

    Raises:
        ValidationError: ``body`` holds a lone surrogate, which no database can store.
    """
    try:
        data = body.encode()
    except UnicodeEncodeError as exc:
        raise ValidationError(
            f"holds text that is not valid Unicode ({exc.reason})", field="body", value=None
        ) from None
    return f"{zlib.crc32(data):08x}"


_REGISTERED: dict[type[Any], bool] = {}


def _registered(type_: type[Any]) -> bool:
    """Whether serialization stores ``type_`` (or its subclasses) on its own."""
    known = _REGISTERED.get(type_)
    if known is None:
        known = _REGISTERED[type_] = any(issubclass(m, type_) for m in MODELS.values())
    return known


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _dumps_other(value: object) -> str:
    name = type(value).__name__
    try:
        data = converter.unstructure(value, type(value))
        envelope = {"schema_version": SCHEMA_VERSION, "type": name, "data": data}
        return _text(envelope, type(value))
    except Exception as exc:  # noqa: BLE001 - cattrs' and json's errors, as one ValidationError
        raise ValidationError(f"cannot be stored: {exc}", field=_snake(name), value=value) from None


def _loads_other(text: str, type_: type[T]) -> T:
    root = _snake(type_.__name__)
    envelope = json.loads(text)
    if not isinstance(envelope, dict) or envelope.get("type") != type_.__name__:
        raise ValidationError(f"must be a stored {type_.__name__}", field=root, value=None)
    if envelope.get("schema_version") != SCHEMA_VERSION:
        raise ValidationError(
            "is not a schema version this payportal reads",
            field=f"{root}.schema_version",
            value=envelope.get("schema_version"),
        )
    try:
        result: T = converter.structure(envelope.get("data"), type_)
    except Exception as exc:  # noqa: BLE001 - cattrs' and the models' errors, with a path
        raise translate(exc, root) from None
    return result


#: How many decoded bodies the cache keeps (oldest dropped first).
CACHE_SIZE = 4096

_IMMUTABLE: set[type[Any]] = set()
_CACHEABLE: dict[type[Any], bool] = {}
# body -> (checksum, model), the oldest first. An OrderedDict, not a dict: dropping a dict's
# oldest key (``next(iter(d))``) scans past every slot deleted before it, OrderedDict's
# ``popitem(last=False)`` does not.
_CACHE: OrderedDict[str, tuple[str, object]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def immutable(*types: type[Any]) -> None:
    """Register ``types`` (and their subclasses) as deeply immutable, so their decoded
    models may be shared between loads (see the module's docstring). Register only
    frozen classes whose every field, recursively, is immutable."""
    with _CACHE_LOCK:
        _IMMUTABLE.update(types)
        _CACHEABLE.clear()


def clear_cache() -> None:
    """Forget every decoded model (the next loads parse and validate again)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _cacheable(type_: type[Any]) -> bool:
    known = _CACHEABLE.get(type_)
    if known is None:
        known = _CACHEABLE[type_] = any(issubclass(type_, base) for base in _IMMUTABLE)
    return known


def _remember(body: str, stored: str, value: object) -> None:
    with _CACHE_LOCK:
        _CACHE[body] = (stored, value)
        _CACHE.move_to_end(body)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)


def encode(value: object) -> tuple[str, str]:
    """``value`` as stored text and its checksum.

    Raises:
        ValidationError: ``value`` cannot be stored.
    """
    type_ = type(value)
    body = dumps(value) if _registered(type_) else _dumps_other(value)
    stored = checksum(body)
    if _cacheable(type_):
        _remember(body, stored, value)
    return body, stored


def encode_json(data: object) -> tuple[str, str]:
    """JSON-compatible ``data`` as stored text and its checksum.

    The text is ``json.dumps(data, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)``, written by serialization's fast writer where it can.
    """
    body = _text(data)
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
    if isinstance(body, str):
        kept = _CACHE.get(body)
        if kept is not None and kept[0] == stored and isinstance(kept[1], type_):
            return kept[1]
    text = _verify(body, stored, record)
    try:
        value = loads(text, type_) if _registered(type_) else _loads_other(text, type_)
    except (PayportalError, ValueError, TypeError, KeyError) as exc:
        raise CorruptRecordError(f"{record} cannot be read: {exc}", record=record) from exc
    if _cacheable(type(value)):
        assert isinstance(stored, str)  # _verify checked it
        _remember(text, stored, value)
    return value


def decode_json(body: object, stored: object, record: str) -> Any:
    """Load stored JSON, or raise :class:`CorruptRecordError` naming ``record``."""
    text = _verify(body, stored, record)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CorruptRecordError(f"{record} cannot be read: {exc}", record=record) from exc
