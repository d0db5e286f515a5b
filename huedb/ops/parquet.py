"""Export collections to one Parquet file and import them back, in bounded row groups.

One row per record: `tenant`, `database`, `collection` (its name), `id`, `embedding` (a
fixed-size list of float32 when every exported collection has one dimension, else a list of
float32), `document`, `uri` and `metadata`, a JSON string so ints, floats, bools and lists come
back exactly as they were. The file's key-value metadata `huedb` holds the format and every
collection's header (tenant, database, name, metadata, configuration, dimension), so empty
collections come back too. Import upserts, so it can be re-run after an interruption.
Needs pyarrow (`pip install pyarrow`).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from huedb.engine.backend import LocalBackend
from huedb.ops.transfer import BATCH, Importer, Progress, collections, opened, pages
from huedb.types import CollectionModel

FORMAT = "huedb-parquet/1"
KEY = b"huedb"
# A row group is buffered whole before it is written: cap it by rows and by embedding bytes.
GROUP_ROWS, GROUP_BYTES = 10 * BATCH, 64 << 20


def export_parquet(path: str | Path, file: str | Path, progress: Progress | None = None) -> int:
    """Write every collection at `path` to the Parquet file `file`; returns records written.

    The file appears under its name only once complete (it is written as `<file>.partial`).
    """
    pa, pq = _pyarrow()
    target = Path(file)
    partial = target.with_name(target.name + ".partial")
    with opened(path) as backend:
        headers = list(collections(backend))
        dimensions = {model.dimension for _, model in headers if model.dimension is not None}
        described = [{**header, "dimension": model.dimension} for header, model in headers]
        schema = _schema(pa, dimensions.pop() if len(dimensions) == 1 else None).with_metadata(
            {KEY: json.dumps({"format": FORMAT, "collections": described})})
        group_rows = max(1, min(GROUP_ROWS, GROUP_BYTES // (4 * max(dimensions or {1}))))
        try:
            with pq.ParquetWriter(partial, schema) as writer:
                written = _write(pa, writer, schema, backend, headers, group_rows, progress)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, target)
    return written


def import_parquet(file: str | Path, path: str | Path, progress: Progress | None = None) -> int:
    """Upsert everything a Parquet export holds into the database at `path`; returns records."""
    _, pq = _pyarrow()
    source = pq.ParquetFile(file)
    raw = (source.schema_arrow.metadata or {}).get(KEY)
    if raw is None:
        raise ValueError(f"{file} is not a huedb Parquet export (no '{KEY.decode()}' metadata)")
    described = json.loads(raw)
    if described.get("format") != FORMAT:
        raise ValueError(f"Unsupported export format {described.get('format')!r}")
    with opened(path) as backend:
        importer = Importer(backend, progress)
        models = {(h["tenant"], h["database"], h["name"]): importer.ensure(h)
                  for h in described["collections"]}
        for batch in _batches(source):
            for key, part in _runs(batch):
                importer.current = models.get(key)
                if importer.current is None:
                    raise ValueError(f"Records of {'/'.join(key)}, a collection the file's "
                                     "metadata does not describe")
                embeddings = part.column("embedding").flatten().to_numpy()
                importer.upsert(
                    part.column("id").to_pylist(),
                    np.asarray(embeddings, np.float32).reshape(part.num_rows, -1),
                    part.column("document").to_pylist(), part.column("uri").to_pylist(),
                    [None if m is None else json.loads(m)
                     for m in part.column("metadata").to_pylist()])
        return importer.total


def _write(pa: Any, writer: Any, schema: Any, backend: LocalBackend,
           headers: list[tuple[dict[str, Any], CollectionModel]], group_rows: int,
           progress: Progress | None) -> int:
    """Stream every collection's pages into `writer`, a row group per `group_rows` or so."""
    buffered: list[Any] = []
    rows = written = 0
    for header, model in headers:
        for page in pages(backend, model):
            buffered.append(_batch(pa, schema, header, page))
            rows += len(page["ids"])
            written += len(page["ids"])
            if rows >= group_rows:
                writer.write_table(pa.Table.from_batches(buffered, schema), row_group_size=rows)
                buffered, rows = [], 0
            if progress is not None:
                progress(model.name, written)
    if buffered:
        writer.write_table(pa.Table.from_batches(buffered, schema), row_group_size=rows)
    return written


def _pyarrow() -> tuple[Any, Any]:
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError as e:
        raise RuntimeError("Parquet export and import need pyarrow: pip install pyarrow") from e


def _schema(pa: Any, dimension: int | None) -> Any:
    name = pa.dictionary(pa.int32(), pa.string())
    vector = pa.list_(pa.float32(), dimension) if dimension else pa.list_(pa.float32())
    return pa.schema([
        ("tenant", name), ("database", name), ("collection", name),
        pa.field("id", pa.string(), nullable=False), pa.field("embedding", vector),
        ("document", pa.string()), ("uri", pa.string()), ("metadata", pa.string())])


def _batch(pa: Any, schema: Any, header: dict[str, Any], page: dict[str, Any]) -> Any:
    n = len(page["ids"])
    flat = np.asarray(page["embeddings"], np.float32).reshape(-1)
    embedding_type = schema.field("embedding").type
    if pa.types.is_fixed_size_list(embedding_type):
        embeddings = pa.FixedSizeListArray.from_arrays(flat, embedding_type.list_size)
    else:
        width = len(flat) // n
        embeddings = pa.ListArray.from_arrays(
            pa.array(np.arange(0, n * width + 1, width, dtype=np.int32)), flat)

    def same(value: str) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), [value])

    return pa.RecordBatch.from_arrays([
        same(header["tenant"]), same(header["database"]), same(header["name"]),
        pa.array(page["ids"], pa.string()), embeddings,
        pa.array(page["documents"], pa.string()), pa.array(page["uris"], pa.string()),
        pa.array([None if m is None else json.dumps(m) for m in page["metadatas"]],
                 pa.string()),
    ], schema=schema)


def _batches(source: Any) -> Iterator[Any]:
    """BATCH rows at a time, one row group after another.

    Asked for the whole file at once, pyarrow keeps every row group's list column buffered
    (memory grows with the file); one row group at a time it stays at about a group's size.
    """
    for group in range(source.metadata.num_row_groups):
        yield from source.iter_batches(batch_size=BATCH, row_groups=[group])


def _runs(batch: Any) -> Iterator[tuple[tuple[str, str, str], Any]]:
    """Slices of a record batch that belong to one collection each, in file order."""
    keys = list(zip(*(batch.column(c).to_pylist()
                      for c in ("tenant", "database", "collection")), strict=True))
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            yield keys[start], batch.slice(start, i - start)
            start = i
