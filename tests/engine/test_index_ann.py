"""The graph-backed index against exact truth: recall, the k guarantee, deletes and updates."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from huedb.engine.ann import GRAPH_MIN_ROWS, AnnIndex
from huedb.engine.brute import BruteIndex
from huedb.types import Space

DIM = 24
N = GRAPH_MIN_ROWS + 2000


def clustered(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((40, DIM)).astype(np.float32)
    return (centers[rng.integers(0, 40, n)]
            + 1.0 * rng.standard_normal((n, DIM))).astype(np.float32)


def built(space: Space, vectors: np.ndarray, hnsw: dict | None = None
          ) -> tuple[AnnIndex, BruteIndex]:
    ann, truth = AnnIndex(space, DIM, hnsw or {"ef_search": 200}), BruteIndex(space, DIM)
    rids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    ann.upsert(rids, vectors)
    truth.upsert(rids, vectors)
    ann.maintain()
    ann.wait()
    assert ann.graph is not None
    return ann, truth


def recall(ann: AnnIndex, truth: BruteIndex, queries: np.ndarray, k: int,
           allowed: np.ndarray | None) -> float:
    got, want = ann.search(queries, k, allowed), truth.search(queries, k, allowed)
    hits = total = 0
    for (g, gd), (w, _) in zip(got, want, strict=True):
        assert len(g) == len(w), "every query returns min(k, matching rows)"
        assert np.all(np.diff(gd) >= 0)
        hits += len(set(g.tolist()) & set(w.tolist()))
        total += len(w)
    return hits / max(total, 1)


@pytest.mark.parametrize("space", ["cosine", "l2", "ip"])
def test_unfiltered_recall_matches_exact(space: Space) -> None:
    ann, truth = built(space, clustered(N, 1))
    assert recall(ann, truth, clustered(50, 2), 10, None) >= 0.99


@pytest.mark.parametrize("share", [0.0003, 0.005, 0.03, 0.1, 0.3, 0.9])
def test_filtered_recall_and_k_guarantee_at_every_selectivity(share: float) -> None:
    ann, truth = built("cosine", clustered(N, 3))
    rng = np.random.default_rng(4)
    allowed = np.flatnonzero(rng.random(N) < share).astype(np.int64) + 1
    assert recall(ann, truth, clustered(40, 5), 10, allowed) >= 0.99


def test_deletes_and_updates_keep_results_exact_before_and_after_maintenance() -> None:
    vectors = clustered(N, 6)
    ann, truth = built("l2", vectors)
    rng = np.random.default_rng(7)
    doomed = rng.choice(np.arange(1, N + 1), N // 4, replace=False).astype(np.int64)
    changed = rng.choice(np.arange(1, N + 1), 300, replace=False).astype(np.int64)
    changed = np.setdiff1d(changed, doomed)
    fresh = clustered(len(changed), 8)
    for index in (ann, truth):
        index.remove(doomed)
        index.upsert(changed, fresh)
    queries = np.concatenate([clustered(30, 9), fresh[:10]])
    allowed = np.arange(1, N + 1, 3, dtype=np.int64)
    assert recall(ann, truth, queries, 10, None) >= 0.99
    assert recall(ann, truth, queries, 10, allowed) >= 0.99
    ann.maintain()  # a quarter deleted: rebuilds from scratch
    ann.wait()
    assert ann.graph is not None and len(ann.graph) == len(truth)
    assert recall(ann, truth, queries, 10, None) >= 0.99
    for rids, _ in ann.search(queries, 50, None):
        assert not set(rids.tolist()) & set(doomed.tolist())


def test_more_results_than_rows_and_tiny_parameters_never_raise() -> None:
    ann, truth = built("cosine", clustered(N, 10),
                       {"ef_search": 1, "max_neighbors": 1, "ef_construction": 1})
    queries = clustered(3, 11)
    for rids, _ in ann.search(queries, N + 50, None):
        assert len(rids) == N
    few = np.array([5, 17, 99999], dtype=np.int64)
    assert [len(r) for r, _ in ann.search(queries, 10, few)] == [2, 2, 2]
    big = np.arange(1, N, 2, dtype=np.int64)
    assert all(len(r) == 10 for r, _ in ann.search(queries, 10, big))


def test_changed_graph_parameters_trigger_a_rebuild() -> None:
    ann, _ = built("cosine", clustered(N, 12))
    ann.tune({"max_neighbors": 8})
    ann.maintain()
    ann.wait()
    assert ann.graph is not None and ann.graph.params.max_neighbors == 8


def test_onnxruntime_imports_after_a_graph() -> None:
    # usearch loads NumKong with RTLD_GLOBAL; importing onnxruntime afterwards used to segfault,
    # e.g. a text query (default embedding function) after a graph-backed vector query.
    pytest.importorskip("onnxruntime")
    code = ("from huedb.engine.graph import Graph, GraphParams\n"
            "Graph(GraphParams('cosine', 8, 16, 100))\n"
            "import onnxruntime\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_every_graph_row_is_reachable() -> None:
    # usearch's multi-threaded inserts left ~0.1% of nodes unreachable: rows that no query
    # could ever find through the graph, not even one equal to their own vector.
    from huedb.engine.graph import Graph, GraphParams

    rows = np.random.default_rng(5).random((5096, 8), dtype=np.float32)
    graph = Graph(GraphParams("l2", 8, 16, 100))
    assert graph.add(np.arange(len(rows), dtype=np.int64), rows)
    found = graph.search(rows, 32, 100)
    missing = [i for i, keys in enumerate(found) if i not in keys]
    assert missing == []
