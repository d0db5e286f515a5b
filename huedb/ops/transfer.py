"""Export collections to JSON Lines and import them back, streaming in bounded batches.

The format is one JSON object per line: a `collection` line (tenant, database, name, metadata,
configuration) followed by its `record` lines (id, embedding, document, uri, metadata). Import
upserts, so running it again after an interruption resumes without duplicating anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from huedb.config import Settings
from huedb.engine import shared
from huedb.engine.backend import LocalBackend
from huedb.errors import NotFoundError
from huedb.types import RecordBatch

FORMAT = "huedb-jsonl/1"
_BATCH = 1000
Progress = Callable[[str, int], None]


def export_jsonl(path: str | Path, out: IO[str], progress: Progress | None = None) -> int:
    """Write every collection at `path` to `out`; returns the number of records written."""
    backend = shared.acquire(Path(path), Settings(is_persistent=True, persist_directory=str(path)))
    written = 0
    try:
        out.write(json.dumps({"type": "format", "format": FORMAT}) + "\n")
        for tenant, database in _databases(backend):
            for model in backend.list_collections(None, None, tenant, database):
                out.write(json.dumps({
                    "type": "collection", "tenant": tenant, "database": database,
                    "name": model.name, "metadata": model.metadata,
                    "configuration": model.configuration_json,
                }) + "\n")
                for line in _record_lines(backend, model.id):
                    out.write(line)
                    written += 1
                    if progress is not None and written % _BATCH == 0:
                        progress(model.name, written)
    finally:
        shared.release(backend)
    return written


def import_jsonl(lines: IO[str], path: str | Path, progress: Progress | None = None) -> int:
    """Upsert everything an export holds into the database at `path`; returns records read."""
    backend = shared.acquire(Path(path), Settings(is_persistent=True, persist_directory=str(path)))
    total = 0
    pending: list[dict[str, Any]] = []
    collection: Any = None
    try:
        for raw in lines:
            if not raw.strip():
                continue
            item = json.loads(raw)
            kind = item.get("type")
            if kind == "format" and item.get("format") != FORMAT:
                raise ValueError(f"Unsupported export format {item.get('format')!r}")
            if kind == "collection":
                _flush(backend, collection, pending)
                pending = []
                collection = _ensure_collection(backend, item)
            elif kind == "record":
                if collection is None:
                    raise ValueError("A record line came before any collection line")
                pending.append(item)
                total += 1
                if len(pending) >= _BATCH:
                    _flush(backend, collection, pending)
                    pending = []
                    if progress is not None:
                        progress(collection.name, total)
        _flush(backend, collection, pending)
    finally:
        shared.release(backend)
    return total


def _databases(backend: LocalBackend) -> list[tuple[str, str]]:
    with backend.store.snapshot() as conn:
        return [(t, d) for t, d in conn.execute(
            "SELECT tenant, name FROM databases ORDER BY tenant, name")]


def _record_lines(backend: LocalBackend, collection_id: Any) -> Iterator[str]:
    offset = 0
    include: Any = ["embeddings", "documents", "uris", "metadatas"]
    while True:
        page = backend.get(collection_id, None, None, None, _BATCH, offset, include)
        if not page["ids"]:
            return
        for i, record_id in enumerate(page["ids"]):
            yield json.dumps({
                "type": "record", "id": record_id,
                "embedding": page["embeddings"][i].tolist(),
                "document": page["documents"][i], "uri": page["uris"][i],
                "metadata": page["metadatas"][i],
            }) + "\n"
        offset += len(page["ids"])


def _ensure_collection(backend: LocalBackend, item: dict[str, Any]) -> Any:
    tenant, database = item["tenant"], item["database"]
    try:
        backend.get_tenant(tenant)
    except NotFoundError:
        backend.create_tenant(tenant)
    try:
        backend.get_database(database, tenant)
    except NotFoundError:
        backend.create_database(database, tenant)
    configuration = item.get("configuration") or {}
    wire = {"hnsw": configuration.get("hnsw"),
            "embedding_function": configuration.get("embedding_function")}
    return backend.create_collection(item["name"], wire, item.get("metadata"), True, tenant,
                                     database)


def _flush(backend: LocalBackend, collection: Any, items: list[dict[str, Any]]) -> None:
    if collection is None or not items:
        return
    batch = RecordBatch(
        ids=[i["id"] for i in items],
        embeddings=np.asarray([i["embedding"] for i in items], dtype=np.float32),
        metadatas=[i.get("metadata") for i in items],
        documents=[i.get("document") for i in items],
        uris=[i.get("uri") for i in items],
    )
    backend.upsert(collection.id, batch)
