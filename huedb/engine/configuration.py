"""Collection configuration: HNSW parameters from `configuration` and legacy `hnsw:*` metadata.

The rules follow Chroma 1.5.9's server: explicit configuration wins, unless it only restates the
defaults and the legacy metadata says otherwise; SPANN keeps only its space locally.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from huedb.errors import InvalidArgumentError
from huedb.types import Space

SPACES: tuple[Space, ...] = ("l2", "cosine", "ip")
HNSW_DEFAULTS: dict[str, Any] = {
    "space": "l2", "ef_construction": 100, "ef_search": 100, "max_neighbors": 16,
    "resize_factor": 1.2, "sync_threshold": 1000,
}
# Accepted on input, never echoed back in configuration_json (as Chroma does).
_HNSW_HIDDEN = ("num_threads", "batch_size")
_HNSW_FIELDS = ("space", "ef_construction", "ef_search", "max_neighbors", "num_threads",
                "resize_factor", "sync_threshold", "batch_size")
_HNSW_UPDATE_FIELDS = ("ef_search", "max_neighbors", "num_threads", "resize_factor",
                       "sync_threshold", "batch_size")
_SPANN_UPDATE_FIELDS = ("search_nprobe", "ef_search")
_INTEGER_FIELDS = {"ef_construction", "ef_search", "max_neighbors", "num_threads",
                   "sync_threshold", "batch_size", "search_nprobe"}
_LEGACY_KEYS = {
    "hnsw:space": "space", "hnsw:construction_ef": "ef_construction", "hnsw:M": "max_neighbors",
    "hnsw:search_ef": "ef_search", "hnsw:num_threads": "num_threads",
    "hnsw:batch_size": "batch_size", "hnsw:sync_threshold": "sync_threshold",
    "hnsw:resize_factor": "resize_factor",
}


def resolve_create(
    configuration: Mapping[str, Any] | None, metadata: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The configuration_json a new collection gets from what the client sent."""
    configuration = dict(configuration or {})
    hnsw, spann = configuration.get("hnsw"), configuration.get("spann")
    if hnsw is not None and spann is not None:
        raise InvalidArgumentError("Multiple vector index configurations provided")
    legacy = _legacy_hnsw(metadata)
    if spann is not None:
        explicit = _parsed(configuration, lambda: _checked(spann, _spann_fields(), "spann"))
        resolved = {**HNSW_DEFAULTS, "space": explicit.get("space", "l2")}
    elif hnsw is not None:
        explicit = _parsed(configuration, lambda: _checked(hnsw, _HNSW_FIELDS, "hnsw"))
        resolved = {**HNSW_DEFAULTS, **explicit}
        if _visible(resolved) == HNSW_DEFAULTS and legacy:
            resolved = {**HNSW_DEFAULTS, **legacy}
    else:
        resolved = {**HNSW_DEFAULTS, **legacy}
    ef = configuration.get("embedding_function") if configuration else None
    if ef is None and spann is not None:
        ef = {"type": "legacy"}
    return {"hnsw": _visible(resolved), "spann": None, "embedding_function": ef}


def resolve_update(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """configuration_json after `modify(configuration=...)`: only tunable fields may change."""
    out: dict[str, Any] = json.loads(json.dumps(current))
    hnsw, spann = update.get("hnsw"), update.get("spann")
    if hnsw is not None:
        changes = _parsed(update, lambda: _checked(hnsw, _HNSW_UPDATE_FIELDS, "hnsw"))
        out["hnsw"] = _visible({**(out.get("hnsw") or HNSW_DEFAULTS), **changes})
    if spann is not None:
        _parsed(update, lambda: _checked(spann, _SPANN_UPDATE_FIELDS, "spann"))
        if out.get("spann") is None:
            raise InvalidArgumentError("Trying to update SPANN config but schema has HNSW")
    if update.get("embedding_function") is not None:
        out["embedding_function"] = update["embedding_function"]
    return out


def space_of(configuration: Mapping[str, Any]) -> Space:
    hnsw = configuration.get("hnsw") or {}
    space = hnsw.get("space", "l2")
    return space if space in SPACES else "l2"


def _visible(hnsw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: hnsw.get(k, default) for k, default in HNSW_DEFAULTS.items()}


class _ParseError(Exception):
    """A serde-style message plus where in the client's JSON the parser stopped."""

    def __init__(self, message: str, path: tuple[str, ...], at_value: bool) -> None:
        super().__init__(message)
        self.message, self.path, self.at_value = message, path, at_value


def _parsed(
    configuration: Mapping[str, Any], check: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run a check; report failures with the JSON position Chroma's Rust parser gives."""
    try:
        return check()
    except _ParseError as e:
        column = _column(configuration, e.path, e.at_value)
        raise InvalidArgumentError(f"{e.message} at line 1 column {column}") from None


def _column(configuration: Mapping[str, Any], path: tuple[str, ...], at_value: bool) -> int:
    """Where serde stops in `json.dumps(configuration)`: just after the offending key or value.

    The Python client sends exactly that text, so positions match Chroma's messages.
    """
    marker = "\u0000huedb-marker\u0000"
    doc: Any = json.loads(json.dumps(configuration, default=str))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if at_value:
        original = json.dumps(parent[last], default=str)
        parent[last] = marker
    else:
        original = json.dumps(last)
        parent[marker] = parent.pop(last)
    text = json.dumps(doc)
    return text.index(json.dumps(marker)) + len(original)


def _as_dict(value: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _ParseError(f"invalid type: {_describe(value)}, expected struct HnswConfiguration",
                          path, True)
    return dict(value)


def _spann_fields() -> tuple[str, ...]:
    return ("space", "search_nprobe", "write_nprobe", "ef_construction", "ef_search",
            "max_neighbors", "reassign_neighbor_count", "split_threshold", "merge_threshold")


def _checked(values: Any, allowed: tuple[str, ...], section: str) -> dict[str, Any]:
    """Reject unknown fields and wrong types with serde's wording, as Chroma's server does."""
    out: dict[str, Any] = {}
    for key, value in _as_dict(values, (section,)).items():
        path = (section, key)
        if key not in allowed:
            expected = ", ".join(f"`{a}`" for a in allowed)
            raise _ParseError(f"unknown field `{key}`, expected one of {expected}", path, False)
        if value is None:
            continue
        if key == "space":
            if not isinstance(value, str):
                raise _ParseError("expected value", path, True)
            if value not in SPACES:
                raise _ParseError(
                    f"unknown variant `{value}`, expected one of `l2`, `cosine`, `ip`", path, True
                )
        elif key in _INTEGER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _ParseError(f"invalid type: {_describe(value)}, expected usize", path, True)
            if value < 0:
                raise _ParseError(f"invalid value: integer `{value}`, expected usize", path, True)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _ParseError(f"invalid type: {_describe(value)}, expected f64", path, True)
        out[key] = value
    return out


def _legacy_hnsw(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """The hnsw:* keys of collection metadata as configuration fields."""
    out: dict[str, Any] = {}
    for key, value in (metadata or {}).items():
        if not key.startswith("hnsw:"):
            continue
        field = _LEGACY_KEYS.get(key)
        if field is None or not _legacy_value_ok(field, value):
            raise InvalidArgumentError("Failed to parse hnsw parameters from segment metadata")
        out[field] = value
    return {k: v for k, v in out.items() if k not in _HNSW_HIDDEN}


def _legacy_value_ok(field: str, value: Any) -> bool:
    if field == "space":
        return value in SPACES
    if isinstance(value, bool):
        return False
    if field in ("sync_threshold", "batch_size"):
        return isinstance(value, int) and value >= 2
    if field in _INTEGER_FIELDS:
        return isinstance(value, int) and value >= 0
    return isinstance(value, (int, float))


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, (list, tuple)):
        return "sequence"
    if isinstance(value, Mapping):
        return "map"
    return "null"
