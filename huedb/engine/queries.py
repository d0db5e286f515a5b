"""The read path: filter in SQL, rank vectors through the index, hydrate the requested fields."""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse, QueryResponse
from huedb.engine.catalog import CollectionRow, find_collection
from huedb.engine.configuration import space_of
from huedb.engine.filters import compile_filters
from huedb.engine.index import VectorIndex, make_index
from huedb.engine.store import Store
from huedb.errors import InvalidArgumentError, NotFoundError
from huedb.types import Include

# Chroma keeps a uri inside the record's metadata, so a record with a uri and no metadata
# reads back with `{}`; the metadata expression reproduces that.
_FIELDS = {"embeddings": "r.embedding", "documents": "r.document", "uris": "r.uri",
           "metadatas": "coalesce(r.metadata, CASE WHEN r.uri IS NOT NULL THEN '{}' END)"}


class VectorCache:
    """Per-collection indexes in this process, caught up from SQLite's change log on each read.

    Writes (from this or any other process) bump `collections.log_seq` and stamp the rows they
    touch with it; deletes leave tombstones. A reader applies only what changed since the seq
    its index last saw, so another process's writes are visible on the very next call.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[VectorIndex, int]] = {}

    def drop(self, pk: int) -> None:
        self._entries.pop(pk, None)

    def clear(self) -> None:
        self._entries.clear()

    def fresh(self, conn: sqlite3.Connection, found: CollectionRow) -> VectorIndex | None:
        dimension = found.model.dimension
        if dimension is None:
            return None
        index, applied = self._entries.get(found.pk) or (None, 0)
        if index is None:
            index = make_index(space_of(found.model.configuration_json), dimension)
        if applied < found.log_seq:
            dead = [r[0] for r in conn.execute(
                "SELECT rid FROM tombstones WHERE collection = ? AND seq > ?", (found.pk, applied))]
            index.remove(np.asarray(dead, dtype=np.int64))
            rows = conn.execute(
                "SELECT rid, embedding FROM records WHERE collection = ? AND seq > ?",
                (found.pk, applied),
            ).fetchall()
            if rows:
                rids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                blob = b"".join(r[1] for r in rows)
                vectors = np.frombuffer(blob, dtype="<f4").reshape(len(rows), dimension)
                index.upsert(rids, vectors)
        self._entries[found.pk] = (index, found.log_seq)
        return index


def select_records(columns: str, pk: int, ids: list[str] | None,
                   where: dict[str, Any] | None,
                   where_document: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """`SELECT columns FROM records r` restricted to a collection, optional ids and filters."""
    expr, params = compile_filters(pk, where, where_document)
    sql = f"SELECT {columns} FROM records r WHERE r.collection = ? AND ({expr})"
    args: list[Any] = [pk, *params]
    if ids is not None:
        sql += " AND r.id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(ids))
    return sql, args


def count(store: Store, collection_id: UUID) -> int:
    with store.snapshot() as conn:
        found = _found(conn, collection_id, "")
        row = conn.execute("SELECT count(*) FROM records WHERE collection = ?", (found.pk,))
        return int(row.fetchone()[0])


def get(store: Store, collection_id: UUID, ids: list[str] | None, where: dict[str, Any] | None,
        where_document: dict[str, Any] | None, limit: int | None, offset: int | None,
        include: Include) -> GetResponse:
    with store.snapshot() as conn:
        found = _found(conn, collection_id, "")
        columns = ", ".join(["r.id"] + [_FIELDS[f] for f in _FIELDS if f in include])
        sql, args = select_records(columns, found.pk, ids, where, where_document)
        sql += " ORDER BY r.rid LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset or 0]
        rows = conn.execute(sql, args).fetchall()
    return GetResponse(_columns(rows, include))


def query(store: Store, cache: VectorCache, collection_id: UUID,
          query_embeddings: NDArray[np.float32], n_results: int, ids: list[str] | None,
          where: dict[str, Any] | None, where_document: dict[str, Any] | None,
          include: Include) -> QueryResponse:
    queries = np.atleast_2d(np.asarray(query_embeddings, dtype=np.float32))
    if queries.size and not np.isfinite(queries).all():
        raise InvalidArgumentError("Query embeddings must not contain NaN or Infinity values")
    with store.snapshot() as conn:
        found = _found(conn, collection_id, "Error getting collection: ")
        dimension = found.model.dimension
        if len(queries) and queries.shape[1] and dimension is not None \
                and queries.shape[1] != dimension:
            raise InvalidArgumentError(
                f"Collection expecting embedding with dimension of {dimension}, "
                f"got {queries.shape[1]}"
            )
        index = cache.fresh(conn, found)
        if index is None or len(queries) == 0 or n_results <= 0:
            hits = [(np.empty(0, np.int64), np.empty(0, np.float32)) for _ in queries]
        else:
            allowed = _allowed(conn, found.pk, ids, where, where_document)
            hits = index.search(queries, n_results, allowed)
        records = _hydrate(conn, [h[0] for h in hits], include)
    out: dict[str, Any] = {"ids": [], "included": list(include)}
    for field in _FIELDS:
        out[field] = [] if field in include else None
    out["distances"] = [[float(d) for d in dists] for _, dists in hits] \
        if "distances" in include else None
    for rids, _ in hits:
        columns = _columns([records[int(rid)] for rid in rids], include)
        out["ids"].append(columns["ids"])
        for field in _FIELDS:
            if field in include:
                out[field].append(columns[field])
    return QueryResponse(out)


def _found(conn: sqlite3.Connection, collection_id: UUID, prefix: str) -> CollectionRow:
    found = find_collection(conn, collection_id)
    if found is None:
        raise NotFoundError(f"{prefix}Collection [{collection_id}] does not exist.")
    return found


def _allowed(conn: sqlite3.Connection, pk: int, ids: list[str] | None,
             where: dict[str, Any] | None,
             where_document: dict[str, Any] | None) -> NDArray[np.int64] | None:
    """Row ids a filtered query may return, or None when nothing restricts it."""
    if ids is None and not where and not where_document:
        return None
    sql, args = select_records("r.rid", pk, ids, where, where_document)
    rids = [r[0] for r in conn.execute(sql, args)]
    return np.asarray(rids, dtype=np.int64)


def _hydrate(conn: sqlite3.Connection, rid_lists: list[NDArray[np.int64]],
             include: Include) -> dict[int, tuple[Any, ...]]:
    wanted = sorted({int(r) for rids in rid_lists for r in rids})
    if not wanted:
        return {}
    columns = ["r.rid", "r.id"] + [_FIELDS[f] for f in _FIELDS if f in include]
    sql = (f"SELECT {', '.join(columns)} FROM records r "
           "WHERE r.rid IN (SELECT value FROM json_each(?))")
    return {row[0]: row[1:] for row in conn.execute(sql, (json.dumps(wanted),))}


def _columns(rows: list[tuple[Any, ...]], include: Include) -> dict[str, Any]:
    """Turn (id, selected fields...) rows into Chroma's columnar lists."""
    out: dict[str, Any] = {"ids": [r[0] for r in rows]}
    position = 1
    for field in _FIELDS:
        if field not in include:
            out[field] = None
            continue
        values = [r[position] for r in rows]
        position += 1
        if field == "embeddings":
            out[field] = [np.frombuffer(v, dtype="<f4").astype(np.float32) for v in values]
        elif field == "metadatas":
            out[field] = [None if v is None else json.loads(v) for v in values]
        else:
            out[field] = values
    out["included"] = list(include)
    return out
