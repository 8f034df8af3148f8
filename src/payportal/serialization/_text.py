"""Stored data as JSON text: the one place where writing text is made fast.

Plainly, the text of stored data is ``json.dumps(data, separators=(",", ":"),
ensure_ascii=False, allow_nan=False)``. For a 20-item account the standard library's encoder
takes about as long as building the data itself (``bench/bench_storage.py``), and every
save and every booking writes such text. orjson (the encoder of cattrs' own
``cattrs.preconf.orjson``) writes the same text about eight times faster, with two
differences that matter here, both handled in this module:

* it writes a NaN or infinite float as ``null`` where :mod:`json` refuses it. It is used only
  for models whose stored form cannot hold a float (:func:`float_free`: no field of theirs,
  however deep, is a ``float``, ``Any`` or a type this module does not know), and for data
  of no model (the storage's journal data and outbox payloads) that holds only plain JSON
  types (:func:`plain`: no float, and no other type orjson would write where :mod:`json`
  refuses, such as an enum or a dataclass), so that the difference never arises;
* it refuses what :mod:`json` writes or refuses with its own error: an integer beyond 64 bits,
  a non-string key, a lone surrogate. For any data orjson refuses, the text is written by
  :mod:`json`, which gives exactly what the plain rule gives.

For everything else both write the same characters (compact separators, UTF-8 characters as
they are, the same escapes), which ``tests/serialization/test_serialization_text.py``
checks for every storable model and for arbitrary text.

Reading stays with :mod:`json`: orjson reads an integer beyond 64 bits as a float.
"""

from __future__ import annotations

import enum
import json
import typing
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any

import attrs
import orjson

from payportal._money import Money

__all__ = ["dumps", "float_free", "plain"]

_SCALARS = frozenset({str, int, bool, Decimal, date, datetime, NoneType, Money})
_CONTAINERS = frozenset({tuple, list, frozenset, set, Sequence, Mapping, dict, typing.Union})
_FLOAT_FREE: dict[object, bool] = {}


def dumps(data: object, model: type[Any] | None = None) -> str:
    """``data`` (the unstructured form of a ``model``) as compact JSON text.

    Without a ``model`` (the storage's own JSON: journal data, outbox payloads), orjson
    writes ``data`` only if it holds nothing but dicts with string keys, lists, tuples,
    strings, integers, booleans and ``None`` (:func:`plain`): no float, no other type.

    Raises:
        TypeError, ValueError: what :func:`json.dumps` raises for ``data``.
    """
    if float_free(model) if model is not None else plain(data):
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:
            pass  # a big integer, a non-string key, a lone surrogate: json's rules below
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


_PLAIN = frozenset({str, int, bool, NoneType})
_PLAIN_OR_CONTAINER = _PLAIN | {dict, list, tuple}
# Deeper data is left to json, which also reports a circular reference as it always did.
_PLAIN_DEPTH = 32


def plain(data: object, depth: int = 0) -> bool:
    """Whether ``data`` is made of exactly dicts with ``str`` keys, lists, tuples, ``str``,
    ``int``, ``bool`` and ``None`` (no subclasses, such as enums; no floats), at most
    32 levels deep: data that orjson writes as :mod:`json` does, or refuses."""
    kind = type(data)
    values: Any
    if kind is dict:
        assert isinstance(data, dict)
        if data and set(map(type, data)) != {str}:
            return False
        values = data.values()
    elif kind is list or kind is tuple:
        values = data
    else:
        return kind in _PLAIN
    # The types of all values at once (a C-level pass); only containers need a closer look.
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        return True
    if depth >= _PLAIN_DEPTH or not kinds <= _PLAIN_OR_CONTAINER:
        return False
    for value in values:  # noqa: SIM110 - all() of a generator is slower, this is hot
        if type(value) not in _PLAIN and not plain(value, depth + 1):
            return False
    return True


def float_free(kind: object) -> bool:
    """Whether the stored form of ``kind`` can never hold a float (see the module's docstring).

    Known: strings, integers, booleans, decimals, dates, datetimes, money, ``None``, enums
    whose values are strings or integers, attrs classes made of known types, and tuples,
    lists, sets, mappings, unions and literals of them. Anything else is not float-free.
    """
    known = _FLOAT_FREE.get(kind)
    if known is None:
        known = _FLOAT_FREE[kind] = _check(kind, set())
    return known


def _check(kind: object, seen: set[object]) -> bool:
    if kind in _SCALARS:
        return True
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return all(type(member.value) in (str, int) for member in kind)
    if isinstance(kind, type) and attrs.has(kind):
        if kind in seen:  # a model that holds itself: its other fields decide
            return True
        seen.add(kind)
        fields = attrs.fields(attrs.resolve_types(kind))
        return all(_check(field.type, seen) for field in fields if field.init)
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        return all(type(value) in (str, int, bool, NoneType) for value in typing.get_args(kind))
    if origin in _CONTAINERS or isinstance(kind, UnionType):
        return all(arg is Ellipsis or _check(arg, seen) for arg in typing.get_args(kind))
    return False
