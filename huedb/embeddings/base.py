"""The embedding-function protocols (dense, sparse, data loader), shaped like chromadb 1.5.9's."""

from __future__ import annotations

import importlib
import sys
import time
import warnings
from abc import abstractmethod
from collections.abc import Callable
from inspect import signature
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from huedb.types import Embeddable, Embeddings, Loadable, Space, SparseVector, URIs

__all__ = [
    "D",
    "DataLoader",
    "EmbeddingFunction",
    "L",
    "SparseEmbeddingFunction",
    "SparseVectors",
    "normalize_embedding_output",
    "validate_embedding_function",
    "validate_sparse_embedding_function",
    "validate_sparse_vectors",
]

D = TypeVar("D", bound=Embeddable, contravariant=True)
L = TypeVar("L", covariant=True, bound=Loadable)
SparseVectors = list[SparseVector]

# Chroma's validate_embeddings accepts exactly these element types.
_ACCEPTED_DTYPES = (np.float16, np.float32, np.float64, np.int32, np.int64)
_SHAPE_ERROR = (
    "Expected embeddings to be a list of floats or ints, a list of lists, a numpy array, "
    "or a list of numpy arrays, got {}"
)
_PROTOCOL_CALL_PARAMETERS = ["self", "input"]
# Marks a __call__/embed_query that already normalises, so wrappers never stack.
_WRAPPED_FLAG = "_huedb_normalises_output"
_DEFAULT_RETRY_ATTEMPTS = 3


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _as_rows(target: object) -> list[Any]:
    """Split an EF's raw output into one candidate vector per input, as Chroma's normaliser does."""
    if isinstance(target, np.ndarray):
        if target.ndim == 0 or target.ndim > 2:
            raise ValueError(_SHAPE_ERROR.format(target))
        if len(target) == 0:
            raise ValueError(
                f"Expected Embeddings to be non-empty list or numpy array, got {target}"
            )
        return [target] if target.ndim == 1 else list(target)
    if not isinstance(target, list):
        raise ValueError(_SHAPE_ERROR.format(target))
    if len(target) == 0:
        raise ValueError(f"Expected Embeddings to be non-empty list or numpy array, got {target}")
    first = target[0]
    if _is_number(first):
        return [np.array(target, dtype=np.float32)]
    if isinstance(first, np.ndarray):
        return target
    if isinstance(first, list):
        # Chroma crashes with IndexError on an empty first row; let validation name the problem.
        if len(first) == 0 or _is_number(first[0]):
            return [np.array(row, dtype=np.float32) for row in target]
    raise ValueError(_SHAPE_ERROR.format(target))


def _validate_rows(rows: list[Any]) -> None:
    """Chroma's validate_embeddings, plus a check for rows that are not 1-D."""
    if not all(isinstance(row, np.ndarray) for row in rows):
        kinds = sorted({type(row).__name__ for row in rows})
        raise ValueError(
            f"Expected each embedding in the embeddings to be a numpy array, got {kinds}"
        )
    for i, row in enumerate(rows):
        if row.ndim != 1:
            raise ValueError(
                f"Expected a 1-dimensional array, got a {row.ndim}-dimensional array {row}"
            )
        if row.size == 0:
            raise ValueError(
                "Expected each embedding in the embeddings to be a 1-dimensional numpy array "
                "with at least 1 int/float value. Got a 1-dimensional numpy array with no "
                f"values at pos {i}"
            )
        if row.dtype not in _ACCEPTED_DTYPES:
            raise ValueError(
                "Expected each value in the embedding to be a int or float, got an embedding "
                f"with {row.dtype} - {row}"
            )


def normalize_embedding_output(result: object) -> Embeddings:
    """Turn whatever an embedding function returned into a list of float32 1-D arrays.

    Raises:
        ValueError: with Chroma's message when the output has no valid embedding shape.
    """
    rows = _as_rows(result)
    _validate_rows(rows)
    # Huge float64 values become inf in float32; storage validation reports that, not numpy.
    with np.errstate(over="ignore"):
        vectors: list[NDArray[np.float32]] = [np.asarray(row, dtype=np.float32) for row in rows]
    return cast(Embeddings, vectors)


def _normalising(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Embeddings]:
    # No functools.wraps: inspect.signature would follow __wrapped__ to the user's parameter
    # names, and validate_embedding_function must see (self, input) as Chroma's wrapper shows.
    def __call__(self: Any, input: Any) -> Embeddings:
        return normalize_embedding_output(method(self, input))

    __call__.__doc__ = method.__doc__
    setattr(__call__, _WRAPPED_FLAG, True)
    return __call__


@runtime_checkable
class EmbeddingFunction(Protocol[D]):
    """Turns documents (or images) into vectors; the protocol every embedding function follows.

    Subclass it and implement `__init__`, `__call__`, `name`, `get_config` and
    `build_from_config`, then decorate the class with `@register_embedding_function` so that a
    collection can rebuild it when it is reopened. Whatever `__call__` returns (a list of lists, a
    2-D array, a list of arrays) reaches callers as a list of float32 1-D numpy arrays.

    Example:
        >>> @register_embedding_function
        ... class MyEF(EmbeddingFunction[Documents]):
        ...     def __init__(self) -> None: ...
        ...     def __call__(self, input: Documents) -> Embeddings: ...
        ...     @staticmethod
        ...     def name() -> str: return "my_ef"
    """

    @abstractmethod
    def __call__(self, input: D) -> Embeddings: ...

    def embed_query(self, input: D) -> Embeddings:
        """Embed queries; defaults to `__call__`. Override it for models with a query mode."""
        return self.__call__(input)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        for attr in ("__call__", "embed_query"):
            method = cls.__dict__.get(attr)
            if callable(method) and not getattr(method, _WRAPPED_FLAG, False):
                setattr(cls, attr, _normalising(method))

    def embed_with_retries(self, input: D, **retry_kwargs: Any) -> Embeddings:
        """Call the function, retrying when it raises.

        Chroma hands `retry_kwargs` to tenacity, whose defaults retry forever. huedb's own loop
        takes `max_attempts` (default 3) and `wait_seconds` (default 0) and re-raises the last
        error. tenacity-style keywords (`stop=`, `wait=`, `retry=`, ...) are passed to tenacity
        when it is installed.
        """
        max_attempts = retry_kwargs.pop("max_attempts", _DEFAULT_RETRY_ATTEMPTS)
        wait_seconds = retry_kwargs.pop("wait_seconds", 0.0)
        if retry_kwargs:
            return _embed_with_tenacity(self.__call__, input, retry_kwargs)
        if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1:
            raise ValueError(f"max_attempts must be a positive integer, got {max_attempts!r}")
        attempt = 1
        while True:
            try:
                return self.__call__(input)
            except Exception:
                if attempt >= max_attempts:
                    raise
            attempt += 1
            if wait_seconds:
                time.sleep(float(wait_seconds))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Initialise the embedding function; subclasses are expected to override this."""
        _warn_missing_init(self)

    @staticmethod
    def name() -> str:
        """The registry key of this embedding function; subclasses override it."""
        warnings.warn(
            "The EmbeddingFunction class does not implement name(). "
            "This will be required in a future version.",
            DeprecationWarning,
            stacklevel=2,
        )
        return cast(str, NotImplemented)

    def default_space(self) -> Space:
        """The distance space a new collection uses when none is configured."""
        return "l2"

    def supported_spaces(self) -> list[Space]:
        """The distance spaces this function's vectors make sense in."""
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[D]:
        """Rebuild an instance from `get_config()` output; subclasses override it."""
        warnings.warn(
            "The EmbeddingFunction class does not implement build_from_config(). "
            "This will be required in a future version.",
            DeprecationWarning,
            stacklevel=2,
        )
        return cast("EmbeddingFunction[D]", NotImplemented)

    def get_config(self) -> dict[str, Any]:
        """A JSON-serialisable config that `build_from_config` accepts; subclasses override it."""
        warnings.warn(
            f"The class {self.__class__.__name__} does not implement get_config(). "
            "This will be required in a future version.",
            DeprecationWarning,
            stacklevel=2,
        )
        return cast("dict[str, Any]", NotImplemented)

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        """Reject a config change that a collection must not accept (no-op by default)."""
        return

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """Reject an invalid config (no-op by default)."""
        return

    def is_legacy(self) -> bool:
        """True when the function cannot be persisted: name, config or rebuild is missing."""
        return (
            self.name() is NotImplemented
            or self.get_config() is NotImplemented
            or self.build_from_config(self.get_config()) is NotImplemented
        )


def _warn_missing_init(ef: object) -> None:
    warnings.warn(
        f"The class {ef.__class__.__name__} does not implement __init__. "
        "This will be required in a future version.",
        DeprecationWarning,
        stacklevel=3,
    )


def _init_with_warning(self: EmbeddingFunction[Any], *args: Any, **kwargs: Any) -> None:
    _warn_missing_init(self)


if sys.version_info < (3, 11):  # pragma: no cover
    # Python 3.10's Protocol replaces a protocol's own __init__ with a no-op; put Chroma's back.
    EmbeddingFunction.__init__ = _init_with_warning  # type: ignore[method-assign]


def _embed_with_tenacity(
    call: Callable[[Any], Embeddings], input: Any, retry_kwargs: dict[str, Any]
) -> Embeddings:
    try:
        retry = importlib.import_module("tenacity").retry
    except ImportError:
        raise TypeError(
            f"embed_with_retries() got tenacity-style arguments {sorted(retry_kwargs)} but the "
            "tenacity package is not installed; install it with `pip install tenacity`, or use "
            "max_attempts= and wait_seconds="
        ) from None
    return cast(Embeddings, retry(**retry_kwargs)(call)(input))


def validate_embedding_function(embedding_function: object) -> None:
    """Check that `__call__` takes `(self, input)`, raising Chroma's ValueError if not.

    Subclasses of `EmbeddingFunction` always pass: their `__call__` is re-wrapped with that
    signature, so only duck-typed callables with other parameter names are caught.
    """
    params = list(signature(type(embedding_function).__call__).parameters)
    if params != _PROTOCOL_CALL_PARAMETERS:
        # Spelled out rather than repr(keys()) so the text is the same on every Python version.
        raise ValueError(
            "Expected EmbeddingFunction.__call__ to have the following signature: "
            f"odict_keys({_PROTOCOL_CALL_PARAMETERS!r}), got odict_keys({params!r})\n"
            "Please see https://docs.trychroma.com/guides/embeddings for details of the "
            "EmbeddingFunction interface.\n"
            "Please note the recent change to the EmbeddingFunction interface: "
            "https://docs.trychroma.com/deployment/migration"
            "#migration-to-0.4.16---november-7,-2023 \n"
        )


class DataLoader(Protocol[L]):
    """Loads the data (for example images) that a list of URIs points at."""

    def __call__(self, uris: URIs) -> L: ...


def validate_sparse_vectors(vectors: object) -> SparseVectors:
    """Check a sparse embedding function's output, with Chroma's messages."""
    if not isinstance(vectors, list):
        raise ValueError(f"Expected sparse vectors to be a list, got {type(vectors).__name__}")
    if len(vectors) == 0:
        raise ValueError(
            f"Expected sparse vectors to be a non-empty list, got {len(vectors)} sparse vectors"
        )
    for i, vector in enumerate(vectors):
        if not isinstance(vector, SparseVector):
            raise ValueError(
                f"Expected SparseVector instance at position {i}, got {type(vector).__name__}"
            )
    return vectors


def _validating_sparse(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], SparseVectors]:
    def __call__(self: Any, input: Any) -> SparseVectors:
        return validate_sparse_vectors(method(self, input))

    __call__.__doc__ = method.__doc__
    setattr(__call__, _WRAPPED_FLAG, True)
    return __call__


@runtime_checkable
class SparseEmbeddingFunction(Protocol[D]):
    """Turns documents into sparse vectors (for sparse indexes); outputs are validated."""

    @abstractmethod
    def __call__(self, input: D) -> SparseVectors: ...

    def embed_query(self, input: D) -> SparseVectors:
        """Embed queries; defaults to `__call__`."""
        return self.__call__(input)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        for attr in ("__call__", "embed_query"):
            method = cls.__dict__.get(attr)
            if callable(method) and not getattr(method, _WRAPPED_FLAG, False):
                setattr(cls, attr, _validating_sparse(method))

    @abstractmethod
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    @staticmethod
    @abstractmethod
    def name() -> str: ...

    @staticmethod
    @abstractmethod
    def build_from_config(config: dict[str, Any]) -> SparseEmbeddingFunction[D]: ...

    @abstractmethod
    def get_config(self) -> dict[str, Any]: ...

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        """Reject a config change that a collection must not accept (no-op by default)."""
        return

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """Reject an invalid config (no-op by default)."""
        return


def validate_sparse_embedding_function(sparse_embedding_function: object) -> None:
    """Check that a sparse function's `__call__` takes `(self, input)`, as Chroma does."""
    params = list(signature(type(sparse_embedding_function).__call__).parameters)
    if params != _PROTOCOL_CALL_PARAMETERS:
        raise ValueError(
            "Expected SparseEmbeddingFunction.__call__ to have the following signature: "
            f"odict_keys({_PROTOCOL_CALL_PARAMETERS!r}), got odict_keys({params!r})\n"
            "Please see https://docs.trychroma.com/guides/embeddings for details of the "
            "SparseEmbeddingFunction interface.\n"
        )
