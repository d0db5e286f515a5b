"""Chroma's `chromadb.api` import path: the type names, plus `ClientAPI`/`AdminAPI` on demand."""

from __future__ import annotations

import importlib
from typing import Any

from huedb.api.types import *  # noqa: F403
from huedb.api.types import __all__ as _type_names

# Chroma's abstract client classes map to huedb's concrete ones. They are looked up on first
# access so that importing type names from here never imports the client layer.
_LAZY = {"ClientAPI": ("huedb.client", "ClientAPI"), "AdminAPI": ("huedb.client", "AdminClient")}

__all__ = sorted([*_type_names, *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
