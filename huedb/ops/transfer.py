"""Export collections to JSON Lines and import them back, streaming in bounded batches.

The format is one JSON object per line: a `collection` line (tenant, database, name, metadata,
configuration) followed by its `record` lines (id, embedding, document, uri, metadata). Import
upserts, so running it again after an interruption resumes without duplicating anything. The
pieces every format shares (reading collections page by page, recreating them, upserting in
batches) live here too; `huedb.ops.parquet` uses them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse
from huedb.config import Settings
from huedb.engine import shared
from huedb.engine.backend import LocalBackend
from huedb.errors import NotFoundError
from huedb.types import CollectionModel, RecordBatch

FORMAT = "huedb-jsonl/1"
BATCH = 1000
Progress = Callable[[str, int], None]


def export_jsonl(path: str | Path, out: IO[str], progress: Progress | None = None) -> int:
    """Write every collection at `path` to `out`; returns the number of records written."""
    written = 0
    with opened(path) as backend:
        out.write(json.dumps({"type": "format", "format": FORMAT}) + "\n")
        for header, model in collections(backend):
            out.write(json.dumps({"type": "collection", **header}) + "\n")
            for page in pages(backend, model):
                for i, record_id in enumerate(page["ids"]):
                    out.write(_dumps({
                        "type": "record", "id": record_id,
                        "embedding": page["embeddings"][i],
                        "document": page["documents"][i], "uri": page["uris"][i],
                        "metadata": page["metadatas"][i],
                    }) + "\n")
                written += len(page["ids"])
                if progress is not None:
                    progress(model.name, written)
    return written


def _dumps(record: dict[str, Any]) -> str:
    """One record line. orjson (the server extra) writes float32 vectors about 10x faster;
    both print each float32 so that parsing it back gives the same float32."""
    try:
        import orjson
    except ImportError:
        return json.dumps({**record, "embedding": record["embedding"].tolist()})
    return orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def import_jsonl(lines: IO[str], path: str | Path, progress: Progress | None = None) -> int:
    """Upsert everything an export holds into the database at `path`; returns records read."""
    pending: list[dict[str, Any]] = []
    with opened(path) as backend:
        importer = Importer(backend, progress)

        def flush() -> None:
            if pending:
                importer.upsert(
                    [i["id"] for i in pending],
                    np.asarray([i["embedding"] for i in pending], dtype=np.float32),
                    [i.get("document") for i in pending], [i.get("uri") for i in pending],
                    [i.get("metadata") for i in pending])
                pending.clear()

        for raw in lines:
            if not raw.strip():
                continue
            item = json.loads(raw)
            kind = item.get("type")
            if kind == "format" and item.get("format") != FORMAT:
                raise ValueError(f"Unsupported export format {item.get('format')!r}")
            if kind == "collection":
                flush()
                importer.current = importer.ensure(item)
            elif kind == "record":
                if importer.current is None:
                    raise ValueError("A record line came before any collection line")
                pending.append(item)
                if len(pending) >= BATCH:
                    flush()
        flush()
        return importer.total


@contextmanager
def opened(path: str | Path) -> Iterator[LocalBackend]:
    """The database at `path`, shared with any client of this process that has it open."""
    backend = shared.acquire(Path(path), Settings(is_persistent=True, persist_directory=str(path)))
    try:
        yield backend
    finally:
        shared.release(backend)


def collections(backend: LocalBackend) -> Iterator[tuple[dict[str, Any], CollectionModel]]:
    """Every collection's header (tenant, database, name, metadata, configuration) and model."""
    with backend.store.snapshot() as conn:
        databases = conn.execute("SELECT tenant, name FROM databases ORDER BY tenant, name")
        names = list(databases)
    for tenant, database in names:
        for model in backend.list_collections(None, None, tenant, database):
            yield {"tenant": tenant, "database": database, "name": model.name,
                   "metadata": model.metadata,
                   "configuration": model.configuration_json}, model


def pages(backend: LocalBackend, model: CollectionModel) -> Iterator[GetResponse]:
    """A collection's records, BATCH at a time, with embeddings, documents, uris, metadata."""
    after = 0
    include: Any = ["embeddings", "documents", "uris", "metadatas"]
    while True:
        page, after = backend.scan(model.id, after, BATCH, include)
        if not page["ids"]:
            return
        yield page


class Importer:
    """Recreates collections from their headers and upserts records into the current one."""

    def __init__(self, backend: LocalBackend, progress: Progress | None) -> None:
        self.backend, self.progress = backend, progress
        self.current: CollectionModel | None = None
        self.total = 0

    def ensure(self, header: dict[str, Any]) -> CollectionModel:
        """The collection a header describes, created (with its tenant and database) if new."""
        tenant, database = header["tenant"], header["database"]
        try:
            self.backend.get_tenant(tenant)
        except NotFoundError:
            self.backend.create_tenant(tenant)
        try:
            self.backend.get_database(database, tenant)
        except NotFoundError:
            self.backend.create_database(database, tenant)
        configuration = header.get("configuration") or {}
        wire = {"hnsw": configuration.get("hnsw"),
                "embedding_function": configuration.get("embedding_function")}
        return self.backend.create_collection(header["name"], wire, header.get("metadata"),
                                              True, tenant, database)

    def upsert(self, ids: list[str], embeddings: NDArray[np.float32],
               documents: Sequence[str | None], uris: Sequence[str | None],
               metadatas: Sequence[dict[str, Any] | None]) -> None:
        if self.current is None:
            raise ValueError("Records came before any collection")
        self.backend.upsert(self.current.id, RecordBatch(
            ids=ids, embeddings=embeddings, metadatas=list(metadatas),
            documents=list(documents), uris=list(uris)))
        self.total += len(ids)
        if self.progress is not None:
            self.progress(self.current.name, self.total)
