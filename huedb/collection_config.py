"""Turns a collection `configuration` (EF instance included) into the JSON a backend stores."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from huedb.embeddings.registry import embedding_function_to_config


def create_configuration_json(
    configuration: Mapping[str, Any], metadata: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Chroma's client-side step: serialise the EF and give HNSW the EF's default space.

    The space comes from the EF only when neither `hnsw` nor `spann` nor `hnsw:space`
    metadata names one, so legacy metadata keeps working.
    """
    hnsw = configuration.get("hnsw")
    spann = configuration.get("spann")
    hnsw = dict(hnsw) if isinstance(hnsw, Mapping) else hnsw
    spann = dict(spann) if isinstance(spann, Mapping) else spann
    if hnsw is not None and spann is not None:
        raise ValueError("hnsw and spann cannot both be provided")
    ef = configuration.get("embedding_function")
    if ef is None:
        return {"hnsw": hnsw, "spann": spann, "embedding_function": {"type": "legacy"}}
    ef_json = embedding_function_to_config(ef)
    if ef_json is None or ef_json.get("type") != "known":
        return {"hnsw": hnsw, "spann": spann, "embedding_function": {"type": "legacy"}}
    if hnsw is None and spann is None and (metadata is None or metadata.get("hnsw:space") is None):
        hnsw = {"space": ef.default_space()}
    for index in (hnsw, spann):
        if isinstance(index, dict):
            if index.get("space") is None:
                index["space"] = ef.default_space()
            _warn_unsupported(ef, index["space"])
    if hnsw is None and spann is None and metadata is not None:
        _warn_unsupported(ef, metadata.get("hnsw:space"))
    return {"hnsw": hnsw, "spann": spann, "embedding_function": ef_json}


def update_configuration_json(configuration: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(configuration)
    if out.get("embedding_function") is not None:
        out["embedding_function"] = embedding_function_to_config(out["embedding_function"])
    return out


def _warn_unsupported(ef: Any, space: Any) -> None:
    if space is None:
        return
    supported = ef.supported_spaces()
    if space not in supported:
        warnings.warn(
            f"space {space} is not supported by {ef.name()}. Supported spaces: {supported}",
            UserWarning,
            stacklevel=4,
        )
