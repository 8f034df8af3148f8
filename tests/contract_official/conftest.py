"""The providers' own client libraries against payportal's fake servers, over loopback.

A fake that agrees with payportal's client proves little; one that PayPal's official SDK can
drive through a whole payment agrees with PayPal. The official clients come with the
``official`` extra (``pip install -e ".[official]"``); ``.ci/run`` installs it. In CI (``CI``
set) a missing client fails its tests; elsewhere they are skipped with that command.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

INSTALL = 'pip install -e ".[official]"'


def import_official(module: str) -> ModuleType:
    """Import an official client library, or fail (CI) / skip naming the install command."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"the official client {module!r} is not installed; install it with: {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def official() -> Callable[[str], ModuleType]:
    """``official("paypalserversdk.models.money")``: the module, or fail (CI) / skip."""
    return import_official
