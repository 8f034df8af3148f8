"""The defaults of stored models are part of the stored format.

The converter leaves a field out of the stored form when it holds its default (an open item
without a discount, an entry without a note): accounts stay small, and their size grows with
what happened to them rather than with every field the models have. The price is that a stored
record means "the default" where a field is missing, so a default may never change silently:
a record written before the change would read the new default. This test pins every default;
when it fails, add an upgrade for the old records (``serialization/_upgrades.py``, with a new
``SCHEMA_VERSION``) and then write the new defaults to the pin file with
``python tests/serialization/test_serialization_defaults.py``.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import attrs

from payportal.serialization._converter import MODELS

PINNED = Path(__file__).with_name("stored_defaults.json")


def _classes() -> list[type[Any]]:
    """Every attrs class a stored model holds, the models first, each once."""
    found: dict[type[Any], None] = {}
    todo = list(MODELS.values())
    while todo:
        kind = todo.pop(0)
        if kind in found or not attrs.has(kind):
            continue
        found[kind] = None
        for field in attrs.fields(attrs.resolve_types(kind)):
            todo.extend(_attrs_inside(field.type))
    return list(found)


def _attrs_inside(type_: object) -> list[type[Any]]:
    inside = [type_] if isinstance(type_, type) and attrs.has(type_) else []
    for argument in typing.get_args(type_):
        inside.extend(_attrs_inside(argument))
    return inside


def _default(field: attrs.Attribute[Any]) -> str | None:
    default = field.default
    if default is attrs.NOTHING:
        return None  # required: always written
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:  # type: ignore[union-attr]
            return f"factory taking self: {default.factory.__qualname__}"  # type: ignore[union-attr]
        default = default.factory()  # type: ignore[union-attr]
    return repr(default)


def current() -> dict[str, dict[str, str]]:
    """``{"module.Class": {field: repr(default)}}`` for every field with a default."""
    pins: dict[str, dict[str, str]] = {}
    for kind in _classes():
        fields = {
            field.name: shown
            for field in attrs.fields(kind)
            if field.init and (shown := _default(field)) is not None
        }
        if fields:
            pins[f"{kind.__module__}.{kind.__qualname__}"] = fields
    return dict(sorted(pins.items()))


def test_no_default_of_a_stored_model_changes_without_an_upgrade() -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    now = current()
    changed = {
        f"{name}.{field}": (pinned.get(name, {}).get(field), value)
        for name, fields in now.items()
        for field, value in fields.items()
        if pinned.get(name, {}).get(field) != value
    }
    dropped = {
        f"{name}.{field}"
        for name, fields in pinned.items()
        for field in fields
        if field not in now.get(name, {})
    }
    assert not changed, (
        "defaults of stored models changed (pinned, now); stored records omit fields at their "
        f"default, so add an upgrade for old records, then re-pin: {changed}"
    )
    assert not dropped, f"defaults removed: stored records without these fields break: {dropped}"


def test_the_pins_cover_the_models_that_have_defaults() -> None:
    assert "payportal.accounts._open_item.OpenItem" in current()
    assert current()["payportal.accounts._open_item.OpenItem"]["secured"] == "False"


if __name__ == "__main__":
    PINNED.write_text(json.dumps(current(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
