"""The read path: filter in SQL, rank vectors through the index, hydrate the requested fields."""

from __future__ import annotations

import atexit
import json
import logging
import sqlite3
import threading
import weakref
from collections import OrderedDict
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse, QueryResponse
from huedb.engine import persist
from huedb.engine.ann import GRAPH_MIN_ROWS, AnnIndex
from huedb.engine.catalog import CollectionRow, find_collection
from huedb.engine.configuration import space_of
from huedb.engine.distances import prepare_stored
from huedb.engine.filters import compile_filters, compile_rid_select
from huedb.engine.index import VectorIndex
from huedb.engine.store import Store
from huedb.errors import InvalidArgumentError, NotFoundError
from huedb.types import Include

logger = logging.getLogger(__name__)
_ALLOWED_SETS, _ALLOWED_ROWS = 16, 2_000_000
_INLINE_RIDS = 500
_CATCH_UP_CHUNK = 8192

# Chroma keeps a uri inside the record's metadata, so a record with a uri and no metadata
# reads back with `{}`; the metadata expression reproduces that.
_FIELDS = {"embeddings": "(SELECT v.embedding FROM vectors v WHERE v.rid = r.rid)",
           "documents": "r.document", "uris": "r.uri",
           "metadatas": "coalesce(r.metadata, CASE WHEN r.uri IS NOT NULL THEN '{}' END)"}


class VectorCache:
    """Per-collection indexes in this process, caught up from SQLite's change log on each read.

    Writes (from this or any other process) bump `collections.log_seq` and stamp the rows they
    touch with it; deletes leave tombstones. A reader applies only what changed since the seq
    its index last saw, so another process's writes are visible on the very next call. With a
    persistent directory, indexes large enough to carry a graph are saved beside the database
    (after each graph build, on close and at exit) and loaded instead of rebuilt on open.
    """

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._entries: dict[int, AnnIndex] = {}
        self._saved: dict[int, tuple[int, int]] = {}
        self._uuids: dict[int, UUID] = {}
        # Recent filters' admitted rows, keyed by collection, change seq and filter, so a filter
        # repeated before the next write skips SQL (evaluating it costs ~3.5 us per match).
        self.allowed: OrderedDict[str, NDArray[np.int64]] = OrderedDict()
        self._save_lock = threading.Lock()
        # Loaded indexes whose large files are still being checksummed in full, and those that
        # failed: the next read drops them and rebuilds from SQLite.
        self._checking: dict[int, threading.Thread] = {}
        self._corrupt: dict[int, AnnIndex] = {}
        if root is not None:
            atexit.register(_close_at_exit, weakref.ref(self))

    def remember_allowed(self, key: str, rids: NDArray[np.int64]) -> None:
        self.allowed[key] = rids
        while len(self.allowed) > _ALLOWED_SETS or \
                sum(len(v) for v in self.allowed.values()) > _ALLOWED_ROWS:
            self.allowed.popitem(last=False)

    def drop(self, pk: int) -> None:
        index = self._entries.pop(pk, None)
        if index is not None:
            index.cancel()
        if self._root is not None:
            with self._save_lock:
                persist.discard(persist.collection_dir(self._root, pk))

    def clear(self) -> None:
        for index in self._entries.values():
            index.cancel()
        self._entries.clear()
        self.allowed.clear()

    def purge(self) -> None:
        """Forget every index, on disk too (after a reset)."""
        self.clear()
        if self._root is not None:
            with self._save_lock:
                persist.discard(self._root / "index")

    def close(self, cancel: bool = False) -> None:
        """Finish (or, at exit, abandon) graph builds, save what changed and forget it all."""
        entries = list(self._entries.items())
        for _, index in entries:
            if cancel:
                index.cancel()
            else:
                index.wait()
        for pk, index in entries:
            self._save(pk, index)
        self._entries.clear()

    def fresh(self, conn: sqlite3.Connection, found: CollectionRow) -> VectorIndex | None:
        dimension = found.model.dimension
        if dimension is None:
            return None
        hnsw = found.model.configuration_json.get("hnsw") or {}
        index = self._entries.get(found.pk)
        if index is not None and self._corrupt.get(found.pk) is index:
            self._forget_corrupt(found.pk, index)
            index = None
        if index is None:
            index = self._open(conn, found, dimension, hnsw)
            self._entries[found.pk] = index
        index.tune(hnsw)
        if index.seq < found.log_seq:
            _catch_up(conn, found.pk, index)
            index.seq = found.log_seq
        index.maintain()
        return index

    def _open(self, conn: sqlite3.Connection, found: CollectionRow, dimension: int,
              hnsw: dict[str, Any]) -> AnnIndex:
        space = space_of(found.model.configuration_json)
        self._uuids[found.pk] = found.model.id
        index = None
        if self._root is not None:
            directory = persist.collection_dir(self._root, found.pk)
            unchecked: list[persist.Unchecked] = []
            index = persist.load(directory, found.model.id, space, dimension, hnsw, unchecked)
            if index is not None and not _agrees(conn, found, index):
                index = None
            if index is not None:
                self._saved[found.pk] = (index.seq, id(index.graph))
                if unchecked:
                    self._check_later(found.pk, index, unchecked)
        if index is None:
            index = AnnIndex(space, dimension, hnsw)
        pk = found.pk
        index.on_publish = lambda published: self._save(pk, published)
        return index

    def _check_later(self, pk: int, index: AnnIndex, unchecked: list[persist.Unchecked]) -> None:
        """Checksum a loaded index's large files in full on a background thread."""
        def run() -> None:
            for file in unchecked:
                if not file.check():
                    logger.warning("The saved vector index of collection %s is corrupt (%s); "
                                   "rebuilding from SQLite", pk, file.name)
                    self._corrupt[pk] = index
                    return

        thread = threading.Thread(target=run, name="huedb-checksum", daemon=True)
        self._checking[pk] = thread
        thread.start()

    def wait_for_checks(self) -> None:
        for thread in list(self._checking.values()):
            thread.join()

    def _forget_corrupt(self, pk: int, index: AnnIndex) -> None:
        index.cancel()
        self._entries.pop(pk, None)
        self._corrupt.pop(pk, None)
        self._saved.pop(pk, None)
        if self._root is not None:
            with self._save_lock:
                persist.discard(persist.collection_dir(self._root, pk))

    def _save(self, pk: int, index: AnnIndex) -> None:
        """Save if large enough to be worth it and changed since it was last saved or loaded."""
        if self._root is None or len(index) < GRAPH_MIN_ROWS:
            return
        checking = self._checking.get(pk)
        if checking is not None:
            checking.join()  # never save (and so re-checksum) rows read from a corrupt file
        if self._corrupt.get(pk) is index:
            return
        with self._save_lock:
            if self._entries.get(pk, index) is not index:
                return  # dropped meanwhile
            version = (index.seq, id(index.graph))
            if self._saved.get(pk) == version:
                return
            collection = self._uuids.get(pk)
            if collection is None:
                return
            try:
                persist.save(persist.collection_dir(self._root, pk), collection, index)
                self._saved[pk] = version
            except OSError as e:  # a cache that cannot be saved is rebuilt next time
                logger.warning("Could not save the vector index of collection %s: %s", pk, e)


def _close_at_exit(ref: weakref.ref[VectorCache]) -> None:
    # A weak reference, so registering at exit does not keep closed backends alive.
    cache = ref()
    if cache is not None:
        cache.close(cancel=True)


def _catch_up(conn: sqlite3.Connection, pk: int, index: AnnIndex) -> None:
    dead = [r[0] for r in conn.execute(
        "SELECT rid FROM tombstones WHERE collection = ? AND seq > ?", (pk, index.seq))]
    index.remove(np.asarray(dead, dtype=np.int64))
    changed = conn.execute("SELECT count(*) FROM records WHERE collection = ? AND seq > ?",
                           (pk, index.seq)).fetchone()[0]
    if not changed:
        return
    index.reserve(len(index) + int(changed))
    cursor = conn.execute(
        "SELECT r.rid, v.embedding FROM records r JOIN vectors v ON v.rid = r.rid "
        "WHERE r.collection = ? AND r.seq > ?", (pk, index.seq))
    # A chunk at a time: loading a large collection then needs its rows' memory once, not
    # three times over (fetched blobs, a joined buffer, the prepared copy).
    while rows := cursor.fetchmany(_CATCH_UP_CHUNK):
        rids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(r[1] for r in rows)
        vectors = np.frombuffer(blob, dtype="<f4").reshape(len(rows), index.dimension)
        index.upsert(rids, vectors)


def _agrees(conn: sqlite3.Connection, found: CollectionRow, index: AnnIndex) -> bool:
    """Catch a loaded index up, then check it against SQLite: same rows, same sample vectors."""
    reason = None
    if index.seq > found.log_seq:
        reason = "it is newer than the database"
    else:
        _catch_up(conn, found.pk, index)
        index.seq = found.log_seq
        live = conn.execute("SELECT count(*) FROM records WHERE collection = ?", (found.pk,))
        rids, vectors = index.rows.arrays()
        if int(live.fetchone()[0]) != len(rids):
            reason = "its row count differs from the database"
        elif len(rids):
            sample = np.unique(rids[np.linspace(0, len(rids) - 1, 4).astype(np.int64)])
            stored = dict(conn.execute(
                "SELECT rid, embedding FROM vectors WHERE rid IN (SELECT value FROM json_each(?))",
                (json.dumps(sample.tolist()),)).fetchall())
            if set(stored) != {int(r) for r in sample} or not np.array_equal(
                    prepare_stored(index.space, np.stack(
                        [np.frombuffer(stored[int(r)], "<f4") for r in sample])),
                    index.rows.vectors_of(sample)):
                reason = "its vectors differ from the database"
    if reason is not None:
        logger.warning("Rebuilding the vector index of collection %s: %s", found.model.id, reason)
        index.cancel()
        return False
    return True


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


def scan(store: Store, collection_id: UUID, after: int, limit: int,
         include: Include) -> tuple[GetResponse, int]:
    """Up to `limit` records with row ids above `after`, in row order, and the last row id.

    Keyset paging for whole-collection reads (export): each page costs the same, where an
    OFFSET re-reads every row before it, and rows deleted between pages shift nothing.
    """
    with store.snapshot() as conn:
        found = _found(conn, collection_id, "")
        columns = ", ".join(["r.rid", "r.id"] + [_FIELDS[f] for f in _FIELDS if f in include])
        rows = conn.execute(
            f"SELECT {columns} FROM records r WHERE r.collection = ? AND r.rid > ? "
            "ORDER BY r.rid LIMIT ?", (found.pk, after, limit)).fetchall()
    last = int(rows[-1][0]) if rows else after
    return GetResponse(_columns([row[1:] for row in rows], include)), last


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
            allowed = _allowed(conn, cache, found, ids, where, where_document)
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


def _allowed(conn: sqlite3.Connection, cache: VectorCache, found: CollectionRow,
             ids: list[str] | None, where: dict[str, Any] | None,
             where_document: dict[str, Any] | None) -> NDArray[np.int64] | None:
    """Row ids a filtered query may return, or None when nothing restricts it."""
    if ids is None and not where and not where_document:
        return None
    key = json.dumps([found.pk, found.log_seq, ids, where, where_document], sort_keys=True,
                     default=str)
    cached = cache.allowed.get(key)
    if cached is not None:
        return cached
    sql, args = compile_rid_select(found.pk, ids, where, where_document)
    # One JSON array from SQLite parses far faster than a Python tuple per row.
    listed = conn.execute(f"SELECT json_group_array(rid) FROM ({sql})", args).fetchone()[0]
    rids = np.unique(np.asarray(json.loads(listed), dtype=np.int64))  # sorted, as search wants
    cache.remember_allowed(key, rids)
    return rids


def _hydrate(conn: sqlite3.Connection, rid_lists: list[NDArray[np.int64]],
             include: Include) -> dict[int, tuple[Any, ...]]:
    wanted = sorted({int(r) for rids in rid_lists for r in rids})
    if not wanted:
        return {}
    columns = ["r.rid", "r.id"] + [_FIELDS[f] for f in _FIELDS if f in include]
    sql = f"SELECT {', '.join(columns)} FROM records r WHERE r.rid IN "
    if len(wanted) <= _INLINE_RIDS:
        # One bound parameter per rid: cheaper than a JSON parameter for a few rows, and the
        # statement text (hence its cached compiled form) depends only on the count.
        marks = ",".join("?" * len(wanted))
        return {row[0]: row[1:] for row in conn.execute(f"{sql}({marks})", wanted)}
    sql += "(SELECT value FROM json_each(?))"
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
            # One parse of a JSON array costs far less than a json.loads call per record.
            out[field] = json.loads("[" + ",".join("null" if v is None else v
                                                   for v in values) + "]")
        else:
            out[field] = values
    out["included"] = list(include)
    return out
