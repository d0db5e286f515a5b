"""An HNSW graph over row ids (usearch), used only to propose candidates for exact re-ranking."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from huedb.engine.index import RowIds
from huedb.types import Space

# Add this many vectors per usearch call, so a cancelled build stops within a fraction of a second.
_ADD_CHUNK = 4096
# f16 storage: half the memory and about twice the speed of f32 (see research/ann.md §3); the
# graph only proposes candidates, whose distances are recomputed in float32 before ranking.
_DTYPE = "f16"


@dataclass(frozen=True)
class GraphParams:
    """What shapes the graph: changing any of these means building a new one."""

    space: Space
    dimension: int
    max_neighbors: int
    ef_construction: int

    @staticmethod
    def from_config(space: Space, dimension: int, hnsw: dict[str, Any]) -> GraphParams:
        # usearch needs at least 2 neighbours; tiny values in the configuration still work.
        return GraphParams(space, dimension, max(2, int(hnsw.get("max_neighbors") or 16)),
                           max(2, int(hnsw.get("ef_construction") or 100)))


class Graph:
    """A usearch index keyed by rid. Vectors arrive prepared (cosine: already unit length)."""

    def __init__(self, params: GraphParams, index: Any | None = None) -> None:
        Index = usearch_index()
        self.params = params
        # Cosine vectors are normalised before they get here, so inner product ranks them; l2
        # uses usearch's squared euclidean, as Chroma's l2 does.
        metric = "l2sq" if params.space == "l2" else "ip"
        self._index: Any = index if index is not None else Index(
            ndim=params.dimension, metric=metric, dtype=_DTYPE,
            connectivity=params.max_neighbors, expansion_add=params.ef_construction,
        )
        # usearch searches wait while another thread adds to the same index; searches that share
        # one Graph object also share its expansion setting, so both go through this lock.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._index.size)

    def add(self, rids: RowIds, vectors: NDArray[np.float32],
            cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Add rows in chunks; False if `cancelled` said stop part way (the graph is then junk)."""
        keys = np.asarray(rids, dtype=np.uint64)
        for start in range(0, len(keys), _ADD_CHUNK):
            if cancelled():
                return False
            # One thread: usearch's concurrent inserts leave about 1 node in 1,000 unreachable
            # (measured: 25 of 25,480 rows never found even by a query equal to their own
            # vector; none single-threaded), and an unreachable row is a silent miss forever.
            self._index.add(keys[start:start + _ADD_CHUNK], vectors[start:start + _ADD_CHUNK],
                            threads=1)
        return True

    def remove(self, rids: RowIds) -> None:
        if len(rids):
            self._index.remove(np.asarray(rids, dtype=np.uint64))

    def copy(self) -> Graph:
        return Graph(self.params, self._index.copy())

    def keys(self) -> RowIds:
        return np.asarray(self._index.keys, dtype=np.uint64).astype(np.int64)

    def search(self, queries: NDArray[np.float32], count: int, ef: int) -> list[RowIds]:
        """Per query, up to `count` candidate rids, roughly nearest first."""
        count = max(1, min(count, len(self)))
        with self._lock:
            self._index.expansion_search = max(ef, count)
            found = self._index.search(queries, count)
        # One query row comes back as a single Matches (no `counts`): its keys are all valid.
        keys = np.atleast_2d(found.keys).astype(np.int64)
        counts = np.atleast_1d(np.asarray(getattr(found, "counts", keys.shape[1])))
        return [keys[i, :int(counts[i])] for i in range(len(keys))]

    def save(self, path: Path) -> None:
        self._index.save(str(path))

    @staticmethod
    def open(params: GraphParams, path: Path, view: bool) -> Graph:
        """Load a saved graph; `view` memory-maps it read-only (then copy() before changing it)."""
        index = usearch_index().restore(str(path), view=view)
        if index is None or int(index.ndim) != params.dimension:
            raise ValueError(f"{path} is not a usearch index of dimension {params.dimension}")
        return Graph(params, index)


def usearch_index() -> Any:
    """usearch's Index class, imported so that onnxruntime can still be imported after it.

    usearch loads NumKong (and the OpenMP runtime bundled with it) with RTLD_GLOBAL, and
    importing onnxruntime after that segfaults on Linux (usearch 2.26, numkong 7.8, onnxruntime
    1.32). The default embedding function imports onnxruntime lazily, on its first use, which
    may come after a query has built or opened a graph; importing onnxruntime first (0.04 s,
    20 MiB, only where it is installed) avoids the crash.
    """
    if "usearch.compiled" not in sys.modules and sys.platform != "win32" \
            and importlib.util.find_spec("onnxruntime") is not None:
        importlib.import_module("onnxruntime")
    from usearch.index import Index

    return Index
