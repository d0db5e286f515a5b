"""The collection index: exact rows plus an HNSW graph built in the background, and the planner."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from huedb.engine.brute import BruteIndex, sorted_unique
from huedb.engine.distances import prepare_stored
from huedb.engine.graph import Graph, GraphParams
from huedb.engine.index import RowIds
from huedb.types import Space

logger = logging.getLogger(__name__)

_F32 = NDArray[np.float32]
Hits = list[tuple[RowIds, _F32]]

# Below this many rows a full scan costs about as much as a graph search (~1 ms): stay exact.
GRAPH_MIN_ROWS = 4096
# Filters admitting at most this many rows (or this share of rows) are answered exactly over
# the admitted rows: gathering them beats graph search with post-filtering (research §5.2).
EXACT_MAX_ALLOWED = 3000
# Measured on the clustered 40k workload: at a 10% filter, post-filtered graph search reached
# recall@10 0.95 (over-fetch 2) to 0.989 (over-fetch 6) while the exact scan of the admitted
# rows was both exact and faster, so filters admitting up to 15% of rows go exact.
EXACT_MAX_SHARE = 0.15
# Unfiltered, re-rank at least this many of the graph's nearest candidates exactly.
RERANK_MIN = 32
# Ask the graph for this multiple of k / (admitted share) candidates before post-filtering.
OVERFETCH = 4.0
# Fold changed rows into a fresh graph once they pass this share of the graph (or this count).
STALE_SHARE, STALE_MIN = 0.02, 512
# Rebuild from scratch once this share of the graph's entries has been deleted.
REBUILD_SHARE = 0.2
# A full build copies this many rows' vectors at a time (6 MiB at 384 dimensions).
_BUILD_CHUNK = 4096


class AnnIndex:
    """Every live row exactly (BruteIndex) plus an HNSW graph that may lag behind it.

    Rows written after the graph was built are "stale" and searched exactly; rows deleted since
    are "gone" and filtered out of graph answers. A background job folds both into a copy of the
    graph and swaps it in, so a search only ever sees a complete graph. Mutations and searches
    come from the caller's thread (the store lock serialises them); the job only reads a
    snapshot and publishes under `_lock`.
    """

    def __init__(self, space: Space, dimension: int, hnsw: dict[str, Any],
                 rows: BruteIndex | None = None, graph: Graph | None = None,
                 stale: RowIds | None = None, gone: RowIds | None = None) -> None:
        self.space: Space = space
        self.dimension = dimension
        self.rows = rows if rows is not None else BruteIndex(space, dimension)
        self.seq = 0
        # When the graph was last built from scratch (time.time()), for `huedb stats`.
        self.compacted_at: float | None = None
        self.on_publish: Callable[[AnnIndex], None] | None = None
        self._graph = graph
        self._gen = 0
        self._stale: dict[int, int] = dict.fromkeys((int(r) for r in stale), 0) \
            if stale is not None else {}
        self._gone: dict[int, int] = dict.fromkeys((int(r) for r in gone), 0) \
            if gone is not None else {}
        self._deleted_since_build = len(self._gone)
        self._stale_array: RowIds | None = None
        self._lock = threading.Lock()
        self._job: threading.Thread | None = None
        self._cancel = False
        self.tune(hnsw)

    def __len__(self) -> int:
        return len(self.rows)

    # -- configuration and state ---------------------------------------------------------------
    def tune(self, hnsw: dict[str, Any]) -> None:
        """Take the collection's current HNSW settings; ef_search applies to the next search."""
        self.ef_search = max(1, int(hnsw.get("ef_search") or 100))
        self.params = GraphParams.from_config(self.space, self.dimension, hnsw)

    @property
    def graph(self) -> Graph | None:
        return self._graph

    def state(self) -> tuple[int, RowIds, Graph | None, RowIds, RowIds]:
        """A consistent copy for saving: seq, rids, graph, stale rids, gone rids.

        The vectors are not copied here (that would hold every row twice): the saver reads
        them a chunk at a time with `saved_vectors`.
        """
        with self._lock:
            stale = np.fromiter(self._stale, np.int64, len(self._stale))
            gone = np.fromiter(self._gone, np.int64, len(self._gone))
            return self.seq, self.rows.arrays()[0].copy(), self._graph, stale, gone

    def saved_vectors(self, rids: RowIds) -> _F32:
        """The current vectors of rows from a `state()`, zeros for rows deleted since.

        A row changed after the state's seq is caught up from SQLite when the save is loaded
        (its change has a later seq), so whichever vector it is saved with does not matter.
        """
        with self._lock:
            live = self.rows.contains(rids)
            out = np.zeros((len(rids), self.dimension), np.float32)
            out[live] = self.rows.vectors_of(rids[live])
            return out

    def reserve(self, rows: int) -> None:
        """Make room for this many rows at once (see BruteIndex.reserve)."""
        with self._lock:
            self.rows.reserve(rows)

    # -- writes ------------------------------------------------------------------------------------
    def upsert(self, rids: RowIds, vectors: _F32) -> None:
        with self._lock:
            self.rows.upsert(rids, vectors)
            if self._graph is not None or self._job is not None:
                self._gen += 1
                self._stale.update(dict.fromkeys((int(r) for r in rids), self._gen))
                self._stale_array = None

    def remove(self, rids: RowIds) -> None:
        if len(rids) == 0:
            return
        with self._lock:
            self.rows.remove(rids)
            if self._graph is not None or self._job is not None:
                self._gen += 1
                for rid in (int(r) for r in rids):
                    self._gone[rid] = self._gen
                    self._stale.pop(rid, None)
                self._stale_array = None

    # -- background maintenance --------------------------------------------------------------
    def maintain(self) -> None:
        """Start a graph job if the graph is missing, lagging or holding many deleted rows."""
        with self._lock:
            if self._job is not None or len(self.rows) < GRAPH_MIN_ROWS:
                return
            graph = self._graph
            size = len(graph) if graph is not None else 0
            full = graph is None or graph.params != self.params \
                or self._deleted_since_build + len(self._gone) > REBUILD_SHARE * max(size, 1)
            if not full and len(self._stale) + len(self._gone) < max(STALE_MIN,
                                                                     STALE_SHARE * size):
                return
            snap_gen = self._gen
            vectors: _F32 | None = None
            if full:
                # Only the rids are copied: the job fetches vectors a chunk at a time, so a
                # build never holds a second copy of every row.
                rids = self.rows.arrays()[0].copy()
                gone = np.empty(0, np.int64)
            else:
                rids = np.fromiter(self._stale, np.int64, len(self._stale))
                vectors = self.rows.vectors_of(rids)
                gone = np.fromiter(self._gone, np.int64, len(self._gone))
            self._cancel = False
            self._job = threading.Thread(
                target=self._run, args=(None if full else graph, snap_gen, rids, vectors, gone),
                name="huedb-graph", daemon=True)
            self._job.start()

    def _run(self, base: Graph | None, snap_gen: int, rids: RowIds, vectors: _F32 | None,
             gone: RowIds) -> None:
        try:
            if base is None:
                work = Graph(self.params)
            else:
                work = base.copy()
                work.remove(np.concatenate([gone, rids]))
            if vectors is not None:
                done = work.add(rids, vectors, lambda: self._cancel)
            else:
                done = self._add_live(work, rids)
        except Exception:  # the graph is only a cache: log, keep serving exactly
            logger.exception("Building the vector graph failed; searching exactly meanwhile")
            done = False
        with self._lock:
            self._job = None
            if not done or self._cancel:
                return
            self._graph = work
            self._stale = {r: g for r, g in self._stale.items() if g > snap_gen}
            self._gone = {r: g for r, g in self._gone.items() if g > snap_gen}
            self._deleted_since_build = 0 if base is None else self._deleted_since_build + len(gone)
            if base is None:
                self.compacted_at = time.time()
            self._stale_array = None
        if self.on_publish is not None:
            self.on_publish(self)

    def _add_live(self, work: Graph, rids: RowIds) -> bool:
        """Add these rows' current vectors, copied a chunk at a time under the lock.

        A row changed after the job's snapshot goes in with whichever vector it has then; it
        is also marked stale or gone with a newer generation, so searches still treat it
        exactly until a later job folds it in. Rows deleted meanwhile are skipped.
        """
        for start in range(0, len(rids), _BUILD_CHUNK):
            if self._cancel:
                return False
            chunk = rids[start:start + _BUILD_CHUNK]
            with self._lock:
                chunk = chunk[self.rows.contains(chunk)]
                vectors = self.rows.vectors_of(chunk)
            if not work.add(chunk, vectors, lambda: self._cancel):
                return False
        return True

    def wait(self) -> None:
        """Block until the running graph job (if any) has finished or been cancelled."""
        job = self._job
        if job is not None:
            job.join()

    def cancel(self) -> None:
        self._cancel = True
        self.wait()

    # -- search ------------------------------------------------------------------------------------
    def search(self, queries: _F32, k: int, allowed: RowIds | None) -> Hits:
        prepared = prepare_stored(self.space, np.atleast_2d(np.asarray(queries, np.float32)))
        with self._lock:
            graph = self._graph
            if self._stale_array is None:
                self._stale_array = np.sort(np.fromiter(self._stale, np.int64, len(self._stale)))
            stale = self._stale_array
        live = len(self.rows)
        if graph is None or live < GRAPH_MIN_ROWS:
            return self.rows.search_prepared(prepared, k, allowed)
        share = 1.0
        if allowed is not None:
            allowed = sorted_unique(np.asarray(allowed, np.int64))
            allowed = allowed[self.rows.contains(allowed)]
            if len(allowed) <= EXACT_MAX_ALLOWED or len(allowed) < EXACT_MAX_SHARE * live:
                return self.rows.search_prepared(prepared, k, allowed)
            share = len(allowed) / live
        return self._graph_search(graph, prepared, min(k, live), allowed, share, stale)

    def _graph_search(self, graph: Graph, queries: _F32, k: int, allowed: RowIds | None,
                      share: float, stale: RowIds) -> Hits:
        """Graph candidates, post-filtered and re-ranked exactly, merged with the stale rows."""
        k = min(k, len(allowed)) if allowed is not None else k
        if k <= 0:
            return [(np.empty(0, np.int64), np.empty(0, np.float32)) for _ in queries]
        extra = self.rows.search_prepared(
            queries, k, stale if allowed is None else np.intersect1d(stale, allowed)) \
            if len(stale) else None
        # The beam stays ef_search wide (Graph.search); of what it found, the nearest few times
        # k by f16 distance are re-ranked exactly, which repairs f16's rounding (its errors
        # are far smaller than the gap to the 3k-th candidate). Filters, deleted and stale rows
        # shrink what survives, so ask for more then.
        count = max(RERANK_MIN, 3 * k) if allowed is None else \
            max(k, self.ef_search, math.ceil(k / share * OVERFETCH) + k)
        with self._lock:
            dead = len(self._gone) + len(self._stale)
        count = math.ceil(count * len(graph) / max(len(graph) - dead, 1))
        out: Hits = [(np.empty(0, np.int64), np.empty(0, np.float32)) for _ in queries]
        todo = np.arange(len(queries))
        for _ in range(3):
            found = graph.search(queries[todo], count, self.ef_search)
            short = []
            for i, cands in zip(todo, found, strict=True):
                keep = self.rows.contains(cands)
                if len(stale):
                    keep &= ~_member(cands, stale)
                if allowed is not None:
                    keep &= _member(cands, allowed)
                rids, dists = self.rows.rerank(queries[i], cands[keep], k)
                if extra is not None:
                    rids, dists = _merge(rids, dists, *extra[i], k)
                out[i] = (rids, dists)
                if len(rids) < k:
                    short.append(i)
            if not short or count >= len(graph):
                break
            todo, count = np.asarray(short), count * 4
        for j, (rids, _) in enumerate(out):
            if len(rids) < k:  # too few candidates survived the filter: answer it exactly
                out[j] = self.rows.search_prepared(queries[j:j + 1], k, allowed)[0]
        return out


def _member(values: RowIds, sorted_set: RowIds) -> NDArray[np.bool_]:
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: NDArray[np.bool_] = sorted_set[at] == values
    return found


def _merge(rids: RowIds, dists: _F32, more_rids: RowIds, more_dists: _F32,
           k: int) -> tuple[RowIds, _F32]:
    all_rids, all_dists = np.concatenate([rids, more_rids]), np.concatenate([dists, more_dists])
    order = np.lexsort((all_rids, all_dists))[:k]
    return all_rids[order], all_dists[order]
