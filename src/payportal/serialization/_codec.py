"""dump/load and dumps/loads: the stored form of a model, with its schema version."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, TypeVar

from payportal.exceptions import ValidationError
from payportal.serialization._converter import MODELS, converter
from payportal.serialization._errors import translate
from payportal.serialization._text import dumps as _text
from payportal.serialization._upgrades import SCHEMA_VERSION, upgrade

__all__ = ["dump", "dumps", "load", "loads"]

T = TypeVar("T")

_ENVELOPE = frozenset({"schema_version", "type", "data"})
# Where an error path starts, per model; by default the model's name in snake case.
_ROOTS = {"CustomerAccount": "account"}


@functools.cache  # a handful of model names, asked for on every load
def _root(name: str) -> str:
    return _ROOTS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def dump(obj: object) -> dict[str, Any]:
    """The stored form of the model ``obj``: JSON-compatible data with its schema version.

    The form is ``{"schema_version": 2, "type": "<model name>", "data": {...}}``; the data
    holds only dicts, lists, strings, ints, bools and ``None`` (money as decimal strings).

    Raises:
        ValidationError: ``obj`` is not a payportal model that can be stored.
    """
    name = type(obj).__name__
    if MODELS.get(name) is not type(obj):
        raise ValidationError("is not a payportal model that can be stored", field="obj", value=obj)
    return {
        "schema_version": SCHEMA_VERSION,
        "type": name,
        "data": converter.unstructure(obj, type(obj)),
    }


def load(data: object, type_: type[T]) -> T:
    """The ``type_`` model stored as ``data`` (from :func:`dump`, or an older version of it).

    ``type_`` may be a base class such as :class:`~payportal.documents.Document`: the stored
    form names the concrete model. Data of an older schema version is upgraded first.

    Raises:
        ValidationError: ``data`` is not the stored form of a ``type_`` model, has an
            unknown schema version, or holds a value the model refuses. ``field`` is the
            path to the offending value, such as ``account.items[3].components[0].amount``.
    """
    wanted = _root(type_.__name__)
    if not isinstance(data, dict) or set(data) != _ENVELOPE:
        raise ValidationError(
            "must be a stored payportal document with schema_version, type and data",
            field=wanted,
            value=data,
        )
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(
            "is not a schema version", field=f"{wanted}.schema_version", value=version
        )
    if version > SCHEMA_VERSION:
        raise ValidationError(
            f"is newer than this payportal reads ({SCHEMA_VERSION}); upgrade payportal",
            field=f"{wanted}.schema_version",
            value=version,
        )
    name = data["type"]
    model = MODELS.get(name) if isinstance(name, str) else None
    if model is None or not issubclass(model, type_):
        raise ValidationError(
            f"must name a {type_.__name__} model", field=f"{wanted}.type", value=name
        )
    root = _root(model.__name__)
    try:
        payload = upgrade(version, model.__name__, data["data"])
        result: T = converter.structure(payload, model)
    except Exception as error:  # noqa: BLE001 - cattrs' and the models' errors, with a path
        raise translate(error, root) from None
    return result


def dumps(obj: object) -> str:
    """:func:`dump` as compact JSON text (UTF-8 characters as they are, no spaces).

    Raises:
        ValidationError: ``obj`` is not a model that can be stored, or holds a value JSON
            cannot carry (such as a non-JSON value in a webhook event's data).
    """
    data = dump(obj)
    try:
        return _text(data, type(obj))
    except (TypeError, ValueError) as error:
        raise ValidationError(
            f"holds a value JSON cannot carry: {error}", field=_root(data["type"]), value=None
        ) from None


def loads(text: str | bytes, type_: type[T]) -> T:
    """The ``type_`` model stored as the JSON ``text`` (see :func:`load`).

    Raises:
        ValidationError: ``text`` is not JSON, or :func:`load` refuses what it holds.
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError) as error:
        # json.JSONDecodeError and UnicodeDecodeError are ValueErrors.
        raise ValidationError(
            f"is not JSON text: {error}", field=_root(type_.__name__), value=None
        ) from None
    return load(data, type_)
