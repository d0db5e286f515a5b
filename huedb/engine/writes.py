"""The write path: check a whole batch, then write it in one SQLite transaction or not at all."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from typing import Any, Literal
from uuid import UUID

import numpy as np

from huedb.engine.catalog import CollectionRow, find_collection
from huedb.engine.metadata_rows import metadata_rows
from huedb.engine.queries import select_records
from huedb.engine.store import Store
from huedb.errors import InvalidArgumentError, NotFoundError
from huedb.types import RecordBatch

WriteMode = Literal["add", "upsert", "update"]
_I64 = (-(2**63), 2**63 - 1)

_EXISTING = (
    "SELECT rid, id, document, uri, metadata FROM records "
    "WHERE collection = ? AND id IN (SELECT value FROM json_each(?))"
)
_INSERT = (
    "INSERT INTO records (collection, id, document, uri, metadata, seq) VALUES (?, ?, ?, ?, ?, ?)"
)
_UPDATE = "UPDATE records SET document = ?, uri = ?, metadata = ?, seq = ? WHERE rid = ?"
_INSERT_VECTOR = "INSERT INTO vectors (rid, embedding) VALUES (?, ?)"
_UPDATE_VECTOR = "UPDATE vectors SET embedding = ? WHERE rid = ?"
_INSERT_METADATA = (
    "INSERT INTO record_metadata (collection, rid, key, kind, value) VALUES (?, ?, ?, ?, ?)"
)


class _Pending:
    """The state one id will have when the batch commits."""

    __slots__ = ("rid", "embedding", "document", "uri", "metadata")

    def __init__(self, rid: int | None, embedding: bytes | None, document: str | None,
                 uri: str | None, metadata: dict[str, Any] | None) -> None:
        self.rid, self.embedding, self.document = rid, embedding, document
        self.uri, self.metadata = uri, metadata


def check_batch(batch: RecordBatch, mode: WriteMode) -> None:
    """What the database itself rejects, whoever the caller is; nothing is written on failure."""
    n = len(batch.ids)
    lengths = [len(x) for x in (batch.metadatas, batch.documents, batch.uris) if x is not None]
    if batch.embeddings is not None:
        lengths.append(len(batch.embeddings))
    if any(length != n for length in lengths):
        raise InvalidArgumentError(
            "Inconsistent number of IDs, embeddings, documents, URIs and metadatas"
        )
    if mode != "update" and batch.embeddings is None and n:
        raise InvalidArgumentError("Validation error: embeddings: embeddings are required")
    if any((not isinstance(i, str)) or i == "" for i in batch.ids):
        raise InvalidArgumentError("Empty ID, ID must have at least one character")
    if batch.embeddings is not None and n:
        if batch.embeddings.ndim != 2:
            raise InvalidArgumentError("Inconsistent dimensions in provided embeddings")
        if not np.isfinite(batch.embeddings).all():
            raise InvalidArgumentError(
                "Validation error: embeddings: Embeddings must not contain NaN or Infinity values"
            )
    for i, metadata in enumerate(batch.metadatas or []):
        if metadata is not None and any(k == "" or k[0] in "#$" for k in metadata):
            raise InvalidArgumentError(
                f"Validation error: metadatas: Invalid metadata at index {i}"
            )


def write(store: Store, collection_id: UUID, batch: RecordBatch, mode: WriteMode) -> None:
    """Apply add/upsert/update semantics to one batch atomically."""
    check_batch(batch, mode)
    if not batch.ids:
        return
    with store.atomic() as conn:
        found = find_collection(conn, collection_id)
        if found is None:
            raise NotFoundError(
                f"Error getting collection: Collection [{collection_id}] does not exist."
            )
        dimension = _checked_dimension(found, batch)
        seq = found.log_seq + 1
        existing = _existing(conn, found.pk, batch.ids)
        pending = _merge(batch, mode, existing)
        if not pending:
            return
        _store(conn, found.pk, seq, pending)
        conn.execute(
            "UPDATE collections SET log_seq = ?, dimension = ? WHERE pk = ?",
            (seq, dimension, found.pk),
        )
        newest = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'records'").fetchone()
    store.refresh_statistics(int(newest[0]) if newest else 0)


def delete(store: Store, collection_id: UUID, ids: list[str] | None,
           where: dict[str, Any] | None, where_document: dict[str, Any] | None,
           limit: int | None) -> int:
    """Delete matching records; returns how many were actually deleted."""
    if limit is not None and where is None and where_document is None:
        raise InvalidArgumentError(
            "Validation error: limit, where: limit can only be specified when a where clause "
            "is provided"
        )
    with store.atomic() as conn:
        found = find_collection(conn, collection_id)
        if found is None:
            raise NotFoundError(f"Collection [{collection_id}] does not exist.")
        sql, args = select_records("r.rid", found.pk, ids, where, where_document)
        sql += " ORDER BY r.rid"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        rids = [r[0] for r in conn.execute(sql, args)]
        if not rids:
            return 0
        seq = found.log_seq + 1
        rid_json = json.dumps(rids)
        conn.execute("DELETE FROM record_metadata WHERE rid IN (SELECT value FROM json_each(?))",
                     (rid_json,))
        conn.execute("DELETE FROM records WHERE rid IN (SELECT value FROM json_each(?))",
                     (rid_json,))
        conn.executemany("INSERT INTO tombstones (collection, rid, seq) VALUES (?, ?, ?)",
                         [(found.pk, rid, seq) for rid in rids])
        conn.execute("UPDATE collections SET log_seq = ? WHERE pk = ?", (seq, found.pk))
    return len(rids)


def _checked_dimension(found: CollectionRow, batch: RecordBatch) -> int | None:
    dimension = found.model.dimension
    if batch.embeddings is None:
        return dimension
    got = int(batch.embeddings.shape[1])
    if dimension is not None and got != dimension:
        raise InvalidArgumentError(
            f"Collection expecting embedding with dimension of {dimension}, got {got}"
        )
    return got


def _existing(conn: sqlite3.Connection, pk: int, ids: list[str]) -> dict[str, _Pending]:
    out = {}
    for rid, rec_id, document, uri, metadata in conn.execute(_EXISTING, (pk, json.dumps(ids))):
        out[rec_id] = _Pending(rid, None, document, uri, json.loads(metadata) if metadata else None)
    return out


def _merge(batch: RecordBatch, mode: WriteMode,
           existing: dict[str, _Pending]) -> dict[str, _Pending]:
    """Fold the batch, row by row, into the state each touched id ends in."""
    pending: dict[str, _Pending] = {}
    vectors = None if batch.embeddings is None else batch.embeddings.astype("<f4", copy=False)
    for i, rec_id in enumerate(batch.ids):
        embedding = None if vectors is None else vectors[i].tobytes()
        document = None if batch.documents is None else batch.documents[i]
        uri = None if batch.uris is None else batch.uris[i]
        metadata = None if batch.metadatas is None else batch.metadatas[i]
        current = pending.get(rec_id) or existing.get(rec_id)
        if current is None:
            if mode == "update":
                continue  # updating an id that does not exist is a silent no-op, as in Chroma
            pending[rec_id] = _Pending(None, embedding, document, uri, _merged(None, metadata))
            continue
        if mode == "add":
            continue  # adding an existing id keeps the stored record, as in Chroma
        if embedding is not None:
            current.embedding = embedding
        if document is not None:
            current.document = document
        if uri is not None:
            current.uri = uri
        if metadata is not None:
            current.metadata = _merged(current.metadata, metadata)
        pending[rec_id] = current
    return pending


def _merged(old: dict[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Chroma's merge: new keys win, a None value deletes the key, nothing left means None."""
    if new is None:
        return old
    out = dict(old or {})
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _storable(value)
    return out or None


def _storable(value: Any) -> Any:
    # Integers beyond int64 become floats, as Chroma stores them.
    if isinstance(value, int) and not isinstance(value, bool) and not _I64[0] <= value <= _I64[1]:
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgumentError("Metadata values must be finite numbers")
    return value


def _store(conn: sqlite3.Connection, pk: int, seq: int, pending: dict[str, _Pending]) -> None:
    fresh = [(k, p) for k, p in pending.items() if p.rid is None]
    changed = [p for p in pending.values() if p.rid is not None]
    conn.executemany(_INSERT, [
        (pk, k, p.document, p.uri, _dump(p.metadata), seq) for k, p in fresh
    ])
    if fresh:
        rid_of = dict(conn.execute(
            "SELECT id, rid FROM records WHERE collection = ? "
            "AND id IN (SELECT value FROM json_each(?))", (pk, json.dumps([k for k, _ in fresh]))
        ).fetchall())
        for k, p in fresh:
            p.rid = rid_of[k]
        conn.executemany(_INSERT_VECTOR, [(p.rid, p.embedding) for _, p in fresh])
    conn.executemany(_UPDATE, [
        (p.document, p.uri, _dump(p.metadata), seq, p.rid) for p in changed
    ])
    conn.executemany(_UPDATE_VECTOR, [
        (p.embedding, p.rid) for p in changed if p.embedding is not None
    ])
    if changed:
        conn.execute(
            "DELETE FROM record_metadata WHERE rid IN (SELECT value FROM json_each(?))",
            (json.dumps([p.rid for p in changed]),),
        )
    conn.executemany(_INSERT_METADATA, [
        (pk, p.rid, key, kind, value)
        for p in pending.values() for key, kind, value in metadata_rows(p.metadata)
    ])


def _dump(metadata: dict[str, Any] | None) -> str | None:
    return None if metadata is None else json.dumps(metadata)
