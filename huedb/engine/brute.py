"""Exact nearest-neighbour search over a row-aligned float32 matrix held in memory."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from huedb.engine.distances import distance_matrix, exact_distances, prepare_stored
from huedb.engine.index import RowIds
from huedb.types import Space

_F32 = NDArray[np.float32]
# Rank this many query rows against the matrix at once: bounds the temporary distance block.
_QUERY_BLOCK = 64


class BruteIndex:
    """Every vector in one contiguous matrix; removal swaps the last row into the hole.

    `_pos_of_rid` maps a rid to its row (or -1); rids only grow, so a dense array is cheaper
    and faster to gather with than a dict.
    """

    def __init__(self, space: Space, dimension: int) -> None:
        self.space: Space = space
        self.dimension = dimension
        self._vectors = np.empty((0, dimension), dtype=np.float32)
        self._sq_norms = np.empty(0, dtype=np.float32)
        self._rids = np.empty(0, dtype=np.int64)
        self._pos_of_rid = np.full(0, -1, dtype=np.int64)
        self._count = 0

    @staticmethod
    def from_arrays(space: Space, rids: RowIds, prepared: _F32) -> BruteIndex:
        """Adopt rows already in the space's form (e.g. a memory-mapped saved copy) without copying.

        The arrays are used as they are until the first write grows or changes them.
        """
        index = BruteIndex(space, int(prepared.shape[1]))
        # A plain ndarray view of a memmap: indexing it skips np.memmap's per-call wrapping.
        prepared = np.asarray(prepared)
        index._vectors, index._rids, index._count = prepared, np.asarray(rids, np.int64), len(rids)
        # Only l2 ranks with stored norms; skipping them keeps a cosine open from reading every row.
        index._sq_norms = _sq_norms(prepared) if space == "l2" else np.zeros(len(rids), np.float32)
        index._grow_rid_map(int(index._rids.max()) + 1 if len(rids) else 0)
        index._pos_of_rid[index._rids] = np.arange(len(rids))
        return index

    def __len__(self) -> int:
        return self._count

    def arrays(self) -> tuple[RowIds, _F32]:
        """The live rids and their prepared vectors, in row order (views, not copies)."""
        return self._rids[:self._count], self._vectors[:self._count]

    def contains(self, rids: RowIds) -> NDArray[np.bool_]:
        inside = (rids >= 0) & (rids < len(self._pos_of_rid))
        out = np.zeros(len(rids), dtype=bool)
        out[inside] = self._pos_of_rid[rids[inside]] >= 0
        return out

    def vectors_of(self, rids: RowIds) -> _F32:
        """Copies of the prepared vectors of these live rids."""
        return self._vectors[self._pos_of_rid[rids]]

    def rerank(self, query: _F32, candidates: RowIds, k: int) -> tuple[RowIds, _F32]:
        """The k nearest of these live candidate rids by exact distance, ties broken by rid."""
        rids = np.unique(candidates)
        exact = exact_distances(self.space, query, self._vectors[self._pos_of_rid[rids]])
        order = np.lexsort((rids, exact))[:k]
        return rids[order], exact[order]

    def upsert(self, rids: RowIds, vectors: _F32) -> None:
        if len(rids) == 0:
            return
        rids = np.asarray(rids, dtype=np.int64)
        prepared = prepare_stored(self.space, np.asarray(vectors, dtype=np.float32))
        self._grow_rid_map(int(rids.max()) + 1)
        existing = self._pos_of_rid[rids]
        known = existing >= 0
        if known.any():
            self._vectors[existing[known]] = prepared[known]
            self._sq_norms[existing[known]] = _sq_norms(prepared[known])
        fresh_rids, fresh_vecs = rids[~known], prepared[~known]
        # A batch may name one rid twice; the last vector wins, as a sequence of upserts would.
        if len(fresh_rids):
            _, last = np.unique(fresh_rids[::-1], return_index=True)
            keep = np.sort(len(fresh_rids) - 1 - last)
            fresh_rids, fresh_vecs = fresh_rids[keep], fresh_vecs[keep]
            self._append(fresh_rids, fresh_vecs)

    def remove(self, rids: RowIds) -> None:
        for rid in np.asarray(rids, dtype=np.int64):
            if rid >= len(self._pos_of_rid):
                continue
            pos = int(self._pos_of_rid[rid])
            if pos < 0:
                continue
            last = self._count - 1
            if pos != last:
                moved = int(self._rids[last])
                self._vectors[pos] = self._vectors[last]
                self._sq_norms[pos] = self._sq_norms[last]
                self._rids[pos] = moved
                self._pos_of_rid[moved] = pos
            self._pos_of_rid[rid] = -1
            self._count -= 1

    def search(
        self, queries: _F32, k: int, allowed: RowIds | None
    ) -> list[tuple[RowIds, _F32]]:
        queries = prepare_stored(self.space, np.atleast_2d(np.asarray(queries, np.float32)))
        return self.search_prepared(queries, k, allowed)

    def search_prepared(self, queries: _F32, k: int, allowed: RowIds | None
                        ) -> list[tuple[RowIds, _F32]]:
        """`search` for queries already in the space's form."""
        if allowed is None:
            positions = None
            vectors, sq_norms, rids = self._live()
        else:
            positions = self._positions(np.asarray(allowed, dtype=np.int64))
            vectors = self._vectors[positions]
            sq_norms = self._sq_norms[positions]
            rids = self._rids[positions]
        n = len(rids)
        k = min(k, n)
        out: list[tuple[RowIds, _F32]] = []
        if k <= 0:
            empty = (np.empty(0, np.int64), np.empty(0, np.float32))
            return [empty for _ in range(len(queries))]
        for start in range(0, len(queries), _QUERY_BLOCK):
            block = queries[start:start + _QUERY_BLOCK]
            dist = distance_matrix(self.space, block, vectors, sq_norms)
            for row, query in enumerate(block):
                cand = _candidates(dist[row], k)
                exact = exact_distances(self.space, query, vectors[cand])
                order = np.lexsort((rids[cand], exact))[:k]
                out.append((rids[cand][order], exact[order]))
        return out

    def _live(self) -> tuple[_F32, _F32, RowIds]:
        n = self._count
        return self._vectors[:n], self._sq_norms[:n], self._rids[:n]

    def _positions(self, allowed: RowIds) -> NDArray[np.int64]:
        # Distinct rids have distinct positions, so de-duplicating the rids is enough.
        allowed = sorted_unique(allowed)
        allowed = allowed[(allowed >= 0) & (allowed < len(self._pos_of_rid))]
        pos = self._pos_of_rid[allowed]
        return pos[pos >= 0]

    def reserve(self, capacity: int) -> None:
        """Make room for this many rows at once (growing step by step copies every row)."""
        if capacity > len(self._vectors):
            self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        grown = np.empty((capacity, self.dimension), dtype=np.float32)
        grown[:self._count] = self._vectors[:self._count]
        self._vectors = grown
        self._sq_norms = np.resize(self._sq_norms, capacity)
        self._rids = np.resize(self._rids, capacity)

    def _append(self, rids: RowIds, vectors: _F32) -> None:
        need = self._count + len(rids)
        if need > len(self._vectors):
            self._grow(max(need, int(len(self._vectors) * 1.5) + 16))
        end = self._count + len(rids)
        self._vectors[self._count:end] = vectors
        self._sq_norms[self._count:end] = _sq_norms(vectors)
        self._rids[self._count:end] = rids
        self._pos_of_rid[rids] = np.arange(self._count, end)
        self._count = end

    def _grow_rid_map(self, size: int) -> None:
        if size > len(self._pos_of_rid):
            grown = np.full(max(size, int(len(self._pos_of_rid) * 1.5) + 16), -1, np.int64)
            grown[:len(self._pos_of_rid)] = self._pos_of_rid
            self._pos_of_rid = grown


def sorted_unique(rids: RowIds) -> RowIds:
    """The rids sorted without repeats; the query path already passes them so, and checking
    is cheaper than sorting again."""
    if len(rids) < 2 or bool(np.all(rids[1:] > rids[:-1])):
        return rids
    return np.unique(rids)


def _candidates(dist: _F32, k: int) -> NDArray[np.intp]:
    """Positions that may be among the k nearest: the k smallest plus everything tied with them.

    Keeping ties (within the ranking formula's rounding) lets the exact re-ranking break them by
    row id, so equal distances always come back in insertion order.
    """
    if k >= len(dist):
        return np.arange(len(dist))
    kth = dist[np.argpartition(dist, k - 1)[k - 1]]
    slack = np.float32(1e-5) * (abs(kth) + np.float32(1.0))
    return np.flatnonzero(dist <= kth + slack)


def _sq_norms(vectors: _F32) -> _F32:
    norms: _F32 = np.einsum("ij,ij->i", vectors, vectors).astype(np.float32, copy=False)
    return norms
