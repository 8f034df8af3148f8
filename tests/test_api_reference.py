"""The API reference lists every public module, and every public module documents its names.

docs/reference.md is rendered by mkdocstrings from the docstrings; this test keeps the list of
``::: module`` entries equal to the package's public modules (no leading underscore), so a new
module cannot be forgotten and a removed one cannot linger.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import payportal

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"
# Entry points, not APIs: ``python -m payportal`` and the pytest plugin's hook module.
NOT_AN_API = {"payportal.__main__"}


def _public_modules() -> list[str]:
    names = ["payportal"]
    for info in pkgutil.walk_packages(payportal.__path__, "payportal."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") for part in parts) or info.name in NOT_AN_API:
            continue
        names.append(info.name)
    return sorted(names)


PUBLIC_MODULES = _public_modules()


def _documented_modules() -> list[str]:
    return re.findall(r"^::: ([\w.]+)\s*$", REFERENCE.read_text(encoding="utf-8"), re.MULTILINE)


def test_reference_lists_every_public_module_once() -> None:
    documented = _documented_modules()
    assert len(documented) == len(set(documented)), "a module is listed twice"
    missing = sorted(set(PUBLIC_MODULES) - set(documented))
    stale = sorted(set(documented) - set(PUBLIC_MODULES))
    assert not missing, f"add to docs/reference.md: {missing}"
    assert not stale, f"no such public module, remove from docs/reference.md: {stale}"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_module_declares_and_documents_its_names(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    undocumented = []
    for attribute in exported:
        value = getattr(module, attribute)  # AttributeError: __all__ names a missing name
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            undocumented.append(attribute)
    assert not undocumented, f"{name}: no docstring for {undocumented}"
