"""The name-to-class registry of embedding functions and the config helpers collections use.

A collection stores its embedding function as JSON, `{"type": "known", "name": ..., "config": ...}`
(or `{"type": "legacy"}` for a function that cannot describe itself), and rebuilds it from that JSON
through this registry when it is reopened. The conflict checks reproduce the two errors Chroma
raises when the function a caller passes disagrees with the one configured or persisted.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast, overload

from huedb.embeddings.base import EmbeddingFunction, SparseEmbeddingFunction

__all__ = [
    "check_config_update",
    "check_ef_conflict",
    "check_ef_update",
    "check_multiple_efs",
    "config_to_embedding_function",
    "embedding_function_from_config",
    "embedding_function_name",
    "embedding_function_to_config",
    "known_embedding_functions",
    "register_embedding_function",
    "register_sparse_embedding_function",
    "sparse_known_embedding_functions",
]

known_embedding_functions: dict[str, type[EmbeddingFunction[Any]]] = {}
sparse_known_embedding_functions: dict[str, type[SparseEmbeddingFunction[Any]]] = {}

# The name a caller's function goes by when it is Chroma's (or huedb's) default; never a conflict.
_DEFAULT_NAME = "default"

_C = TypeVar("_C", bound=type)


def _registry_name(cls: type, kind: str) -> str:
    try:
        name = cls.name()  # type: ignore[attr-defined]
    except Exception as e:
        raise ValueError(f"Failed to register {kind}: {e}") from e
    # Chroma would file a legacy class under the key NotImplemented; refuse instead.
    if not isinstance(name, str):
        raise ValueError(f"Failed to register {kind}: {cls.__name__}.name() returned {name!r}")
    return name


@overload
def register_embedding_function(ef_class: _C) -> _C: ...
@overload
def register_embedding_function(ef_class: None = None) -> Callable[[_C], _C]: ...
def register_embedding_function(ef_class: _C | None = None) -> _C | Callable[[_C], _C]:
    """Register an embedding-function class under its `name()`, so collections can rebuild it.

    Works as `@register_embedding_function`, `@register_embedding_function()` or a plain call
    `register_embedding_function(MyEF)`; returns the class unchanged. A later registration under
    the same name replaces the earlier one.

    Raises:
        ValueError: "Failed to register embedding function: ..." when `name()` fails.
    """

    def _register(cls: _C) -> _C:
        name = _registry_name(cls, "embedding function")
        known_embedding_functions[name] = cast(type[EmbeddingFunction[Any]], cls)
        return cls

    return _register(ef_class) if ef_class is not None else _register


@overload
def register_sparse_embedding_function(ef_class: _C) -> _C: ...
@overload
def register_sparse_embedding_function(ef_class: None = None) -> Callable[[_C], _C]: ...
def register_sparse_embedding_function(ef_class: _C | None = None) -> _C | Callable[[_C], _C]:
    """Register a sparse embedding-function class under its `name()`; used like the dense one."""

    def _register(cls: _C) -> _C:
        name = _registry_name(cls, "sparse embedding function")
        sparse_known_embedding_functions[name] = cast(type[SparseEmbeddingFunction[Any]], cls)
        return cls

    return _register(ef_class) if ef_class is not None else _register


def config_to_embedding_function(config: Mapping[str, Any]) -> EmbeddingFunction[Any]:
    """Build a registered embedding function from `{"name": ..., "config": {...}}`.

    Raises:
        ValueError: "Config must contain a 'name' field." or
            "Unsupported embedding function: {name}".
    """
    if "name" not in config:
        raise ValueError("Config must contain a 'name' field.")
    name = config["name"]
    cls = known_embedding_functions.get(name)
    if cls is None:
        raise ValueError(f"Unsupported embedding function: {name}")
    return cls.build_from_config(config.get("config", {}))


def embedding_function_name(ef: object) -> object:
    """`ef.name()`, or `NotImplemented` for a duck-typed callable that has no `name`.

    A legacy `EmbeddingFunction` subclass returns `NotImplemented` itself, with Chroma's
    DeprecationWarning. Chroma raises AttributeError for a callable without `name`; huedb treats
    it like a legacy subclass instead, so such a function still reopens a legacy collection.
    """
    name = getattr(ef, "name", None)
    if not callable(name):
        return NotImplemented
    return name()


def embedding_function_to_config(ef: object | None) -> dict[str, Any] | None:
    """The JSON a collection persists for `ef`; registers the class as Chroma does.

    Returns `None` for `None`; `{"type": "legacy"}` when `ef` lacks a name, a config or a rebuild
    (`is_legacy()`); otherwise `{"name": ef.name(), "type": "known", "config": ef.get_config()}`.
    When describing `ef` fails (for example a plain callable without `is_legacy`), it warns
    `DeprecationWarning("legacy embedding function config: {error}")` and returns the legacy form.
    """
    if ef is None:
        return None
    try:
        if ef.is_legacy():  # type: ignore[attr-defined]
            return {"type": "legacy"}
        config: dict[str, Any] = {
            "name": ef.name(),  # type: ignore[attr-defined]
            "type": "known",
            "config": ef.get_config(),  # type: ignore[attr-defined]
        }
        register_embedding_function(type(ef))
    except Exception as e:
        warnings.warn(f"legacy embedding function config: {e}", DeprecationWarning, stacklevel=2)
        return {"type": "legacy"}
    return config


def embedding_function_from_config(
    config: Mapping[str, Any] | None,
) -> EmbeddingFunction[Any] | None:
    """Rebuild the embedding function a collection persisted, or `None` if there is none to build.

    `None`, `{"type": "legacy"}` and any type other than `"known"` give `None`. Callers call this
    lazily, when they first need to embed, so that an unregistered name fails at use rather than
    at `get_collection` (Chroma's timing).

    Raises:
        ValueError: "Embedding function {name} not found. Add @register_embedding_function
            decorator to the class definition." for an unregistered name;
            "Could not build embedding function {name} from config {config}: {error}" when the
            class rejects its config; "Embedding function name not found in config: {config}".
    """
    if config is None or config.get("type") != "known":
        return None
    if "name" not in config:
        raise ValueError(f"Embedding function name not found in config: {dict(config)}")
    name = config["name"]
    cls = known_embedding_functions.get(name)
    if cls is None:
        raise ValueError(
            f"Embedding function {name} not found. Add @register_embedding_function decorator "
            "to the class definition."
        )
    ef_config = config.get("config", {})
    try:
        ef = cls.build_from_config(ef_config)
    except Exception as e:
        raise ValueError(
            f"Could not build embedding function {name} from config {ef_config}: {e}"
        ) from e
    return None if ef is NotImplemented else ef


def check_multiple_efs(passed_ef: object | None, configuration_ef: object | None) -> None:
    """Reject `create_collection`/`get_or_create_collection` given two different functions.

    Applies only when both `embedding_function=` and `configuration["embedding_function"]` are
    given (not `None`). It is never a conflict when the passed function is named `"default"` (the
    parameter's default value, so "not really passed"), nor when both have the same `name()`;
    legacy functions compare as the name `NotImplemented`.

    Raises:
        ValueError: "Multiple embedding functions provided. Please provide only one. Embedding
            function conflict: {passed name} vs {configuration name}".
    """
    if passed_ef is None or configuration_ef is None:
        return
    passed_name = embedding_function_name(passed_ef)
    if passed_name == _DEFAULT_NAME:
        return
    configuration_name = embedding_function_name(configuration_ef)
    if passed_name != configuration_name:
        raise ValueError(
            "Multiple embedding functions provided. Please provide only one. Embedding function "
            f"conflict: {passed_name} vs {configuration_name}"
        )


def check_ef_conflict(passed_ef: object | None, persisted_config: Mapping[str, Any] | None) -> None:
    """Reject opening a collection with a function other than the one it persisted.

    Used by `get_collection`, `get_collection_by_id`, `get_or_create_collection` (after the
    create-or-get) and anything that rebuilds a `Collection` from a stored model. Compares names
    only, never configs, and never builds the persisted function. No conflict when: no function
    is passed (`None`); nothing is persisted (`None`); the persisted config has no name
    (`{"type": "legacy"}`); the passed function is named `"default"` (then the persisted one is
    used, lazily); or the names are equal. A legacy or nameless passed function conflicts with any
    named persisted one (its name shows as `NotImplemented`).

    Raises:
        ValueError: "An embedding function already exists in the collection configuration, and a
            new one is provided. If this is intentional, please embed documents separately.
            Embedding function conflict: new: {passed name} vs persisted: {persisted name}".
    """
    if passed_ef is None or persisted_config is None:
        return
    persisted_name = persisted_config.get("name")
    if persisted_name is None:
        return
    passed_name = embedding_function_name(passed_ef)
    if passed_name != _DEFAULT_NAME and passed_name != persisted_name:
        raise ValueError(
            "An embedding function already exists in the collection configuration, and a new one "
            "is provided. If this is intentional, please embed documents separately. Embedding "
            f"function conflict: new: {passed_name} vs persisted: {persisted_name}"
        )


def check_ef_update(
    existing_ef: EmbeddingFunction[Any] | None, update_ef: EmbeddingFunction[Any]
) -> EmbeddingFunction[Any]:
    """The function a collection keeps after `modify(configuration={"embedding_function": ...})`.

    No existing function: the update. Either one legacy: the existing one, with Chroma's
    `DeprecationWarning("cannot update legacy embedding function config")`. Otherwise the names
    must match and `update_ef.validate_config_update(old, new)` must accept the change.

    Raises:
        ValueError: "Cannot update embedding function: incompatible types ({old} vs {new})", or
            whatever `validate_config_update` raises.
    """
    if existing_ef is None:
        return update_ef
    if existing_ef.is_legacy() or update_ef.is_legacy():
        warnings.warn(
            "cannot update legacy embedding function config", DeprecationWarning, stacklevel=2
        )
        return existing_ef
    check_config_update({"name": existing_ef.name(), "config": existing_ef.get_config()},
                        update_ef)
    return update_ef


def check_config_update(stored: Mapping[str, Any], update_ef: EmbeddingFunction[Any]) -> None:
    """An update must keep the stored function's name and pass its `validate_config_update`.

    `stored` is a persisted `{"name", "config"}` entry, so a collection can check an update
    without rebuilding the function it stored.
    """
    if stored.get("name") != update_ef.name():
        raise ValueError(
            "Cannot update embedding function: incompatible types "
            f"({stored.get('name')} vs {update_ef.name()})"
        )
    update_ef.validate_config_update(stored.get("config") or {}, update_ef.get_config())
