"""Upgrades of stored data from older schema versions, one small step per version.

``UPGRADES[n]`` turns the data of a stored document of version ``n`` into version ``n + 1``;
reading a document of version ``n`` runs every step from ``n`` up to the current version.
A step gets the model's name and its data, never changes the data it is given and returns
new data; it raises :class:`~payportal.exceptions.ValidationError` (with a path relative to
the document) when old data cannot be upgraded.

Version history:

1. An :class:`~payportal.allocation.AllocationResult` held a copy of every open item it
   was allocated over, under ``items``; an account's stored size grew with payments times
   items.
2. A result holds, under ``open_before``, what was open on the items it touched, and no
   items. The step computes that from the version 1 copies and drops them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from payportal.exceptions import ValidationError

__all__ = ["SCHEMA_VERSION", "UPGRADES", "upgrade"]

SCHEMA_VERSION: Final = 2
"""The schema version :func:`~payportal.serialization.dump` writes."""

Upgrade = Callable[[str, Any], Any]

_LINE_FIELDS = ("lines", "discounts", "write_offs")


def _open_amount(item: Any, index: int) -> dict[str, str]:
    """The open amount of a version 1 item copy: the sum of its components."""
    try:
        amounts = [component["amount"] for component in item["components"]]
        total = sum((Decimal(money["amount"]) for money in amounts), Decimal(0))
        currency = amounts[0]["currency"]
    except (KeyError, TypeError, IndexError, InvalidOperation):
        raise ValidationError(
            "is not an open item of schema version 1", field=f"items[{index}]", value=None
        ) from None
    return {"amount": str(total), "currency": currency}


def _result_1_to_2(data: Any) -> Any:
    if not isinstance(data, dict) or "items" not in data:
        return data  # not version 1 data: reading it reports what is wrong
    items = data["items"]
    if not isinstance(items, list):
        raise ValidationError("must be a list of open items", field="items", value=items)
    by_key = {item.get("key"): index for index, item in enumerate(items) if isinstance(item, dict)}
    touched: dict[str, None] = {}
    for name in _LINE_FIELDS:
        for line in data.get(name) or ():
            if isinstance(line, dict) and isinstance(line.get("item"), str):
                touched[line["item"]] = None
    open_before: dict[str, dict[str, str]] = {}
    for key in touched:
        if key not in by_key:
            raise ValidationError(
                "lacks an item that the result's lines settle", field="items", value=key
            )
        index = by_key[key]
        open_before[key] = _open_amount(items[index], index)
    upgraded = {name: value for name, value in data.items() if name != "items"}
    upgraded["open_before"] = open_before
    return upgraded


def _within(path: str, step: Callable[[Any], Any], data: Any) -> Any:
    try:
        return step(data)
    except ValidationError as error:
        raise error.within(path) from None


def _1_to_2(name: str, data: Any) -> Any:
    if name == "AllocationResult":
        return _result_1_to_2(data)
    if name == "Reversal" and isinstance(data, dict) and "remaining" in data:
        return {**data, "remaining": _within("remaining", _result_1_to_2, data["remaining"])}
    if name == "CustomerAccount" and isinstance(data, dict):
        found = data.get("allocations")
        if isinstance(found, list):
            return {
                **data,
                "allocations": [
                    _within(f"allocations[{index}]", _result_1_to_2, result)
                    for index, result in enumerate(found)
                ],
            }
    return data


UPGRADES: Final[dict[int, Upgrade]] = {1: _1_to_2}


def upgrade(version: int, name: str, data: Any) -> Any:
    """``data`` of a ``name`` model stored at ``version``, upgraded to :data:`SCHEMA_VERSION`."""
    for step in range(version, SCHEMA_VERSION):
        data = UPGRADES[step](name, data)
    return data
