"""The public surface: a sorted, complete `__all__`, and an import that loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import huedb


def test_all_is_sorted_and_complete() -> None:
    assert huedb.__all__ == sorted(huedb.__all__)
    public = {n for n in vars(huedb) if not n.startswith("_") and n not in {
        "annotations", "api", "client", "collection", "collection_config", "config",
        "embeddings", "engine", "errors", "types", "utils", "async_client", "async_collection",
        "remote", "server", "cli", "ops"}}
    assert public <= set(huedb.__all__) | {"__version__"}
    for name in huedb.__all__:
        assert hasattr(huedb, name), name


def test_import_loads_no_engine_server_or_model() -> None:
    code = (
        "import sys, huedb\n"
        "heavy = [m for m in ('huedb.engine', 'sqlite3', 'fastapi', 'uvicorn', 'onnxruntime',"
        " 'tokenizers', 'hnswlib', 'usearch', 'httpx') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_chroma_import_paths() -> None:
    from huedb.api.models.Collection import Collection
    from huedb.api.types import Documents, EmbeddingFunction, GetResult, QueryResult, Where
    from huedb.config import Settings
    from huedb.errors import InvalidArgumentError, NotFoundError
    from huedb.utils import embedding_functions

    assert Collection is huedb.Collection
    assert Settings is huedb.Settings
    assert issubclass(NotFoundError, huedb.errors.ChromaError)
    assert issubclass(InvalidArgumentError, huedb.errors.ChromaError)
    assert embedding_functions.DefaultEmbeddingFunction is not None
    assert all(x is not None for x in (Documents, EmbeddingFunction, GetResult, QueryResult, Where))
