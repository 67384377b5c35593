"""Callables of a dashboard declaration that import their module on first use.

A declaration is read at start-up (the sidebar, the command line, the API's
routes); its pack's modules (numpy, SQL builders...) load only when a file is
read. `lazy("execdash_desktop.packs.x.source", "load_source")` stands for that
function without importing it, so a pack's `__init__` need not wrap each one.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy(module: str, name: str) -> Callable[..., Any]:
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    call.__qualname__ = f"{module}.{name}"
    call.__doc__ = f"{module}.{name}, imported on first call."
    return call
