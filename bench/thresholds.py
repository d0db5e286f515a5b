"""Measures the planner's crossovers: where a graph beats a full scan, and a filtered scan.

    python bench/thresholds.py            # 100k x 384, the standard workload
    python bench/thresholds.py --small    # 20k rows: a smoke test of the script

Prints, per collection size, one query's time by exact scan and by graph search plus exact
re-ranking (ann.GRAPH_MIN_ROWS should sit near the crossover); then, on the whole collection,
exact search over an admitted set of each size against post-filtered graph search, with the
graph path's recall (ann.EXACT_MAX_ALLOWED and EXACT_MAX_SHARE should sit where the graph
starts to win while keeping recall@10 at 0.99 or better). Engine internals: a benchmark aid.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.embedded import load_workload  # noqa: E402
from huedb.engine.ann import AnnIndex  # noqa: E402
from huedb.engine.brute import BruteIndex  # noqa: E402
from huedb.engine.distances import prepare_stored  # noqa: E402
from huedb.engine.graph import Graph, GraphParams  # noqa: E402

HNSW = {"ef_search": 100, "max_neighbors": 16, "ef_construction": 100}


def per_query_ms(run: Callable[[int], Any], queries: int) -> float:
    for i in range(min(20, queries)):
        run(i)
    start = time.perf_counter()
    for i in range(queries):
        run(i)
    return (time.perf_counter() - start) / queries * 1000


def built(base: Any) -> AnnIndex:
    """Rows plus a complete graph, whatever the size (maintain() skips small collections)."""
    rows = BruteIndex("cosine", base.shape[1])
    rows.upsert(np.arange(1, len(base) + 1, dtype=np.int64), base)
    graph = Graph(GraphParams.from_config("cosine", base.shape[1], HNSW))
    graph.add(*rows.arrays())
    return AnnIndex("cosine", base.shape[1], HNSW, rows, graph)


def exact_search(index: AnnIndex, qs: Any, allowed: Any, found: list[Any]) -> Callable[[int], None]:
    return lambda i: found.append(index.rows.search_prepared(qs[i:i + 1], 10, allowed)[0][0])


def graph_search(index: AnnIndex, qs: Any, allowed: Any, found: list[Any]) -> Callable[[int], None]:
    graph = index.graph
    assert graph is not None
    share = 1.0 if allowed is None else len(allowed) / len(index)
    none = np.empty(0, np.int64)
    return lambda i: found.append(
        index._graph_search(graph, qs[i:i + 1], 10, allowed, share, none)[0][0])


def size_crossover(base: Any, queries: Any, sizes: list[int], n_queries: int) -> None:
    print("rows      exact ms   graph ms")
    qs = prepare_stored("cosine", queries)
    for n in sizes:
        index = built(base[:n])
        exact = per_query_ms(exact_search(index, qs, None, []), n_queries)
        ann = per_query_ms(graph_search(index, qs, None, []), n_queries)
        print(f"{n:>7,}  {exact:9.3f}  {ann:9.3f}")


def filter_crossover(base: Any, queries: Any, admitted: list[int], n_queries: int) -> None:
    index = built(base)
    qs = prepare_stored("cosine", queries)
    rng = np.random.default_rng(3)
    print("admitted   share   exact ms   graph ms   graph recall@10")
    for size in admitted:
        allowed = np.sort(rng.choice(np.arange(1, len(base) + 1), size, replace=False))
        exact_hits: list[Any] = []
        graph_hits: list[Any] = []
        exact = per_query_ms(exact_search(index, qs, allowed, exact_hits), n_queries)
        ann = per_query_ms(graph_search(index, qs, allowed, graph_hits), n_queries)
        last = slice(-n_queries, None)
        found = sum(len(set(g) & set(e)) for g, e in zip(graph_hits[last], exact_hits[last],
                                                        strict=True))
        recall = found / (10 * n_queries)
        print(f"{size:>8,}  {size / len(base):6.1%}  {exact:9.3f}  {ann:9.3f}   {recall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20k rows, a smoke test")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    n = 20_000 if args.small else 100_000
    base, queries, *_ = load_workload(n)
    queries = np.asarray(queries[:args.queries], np.float32)
    size_crossover(base, queries, [1_000, 2_000, 4_096, 8_192, 16_384], args.queries)
    filter_crossover(base, queries, [500, 1_000, 3_000, 6_000, 10_000, 15_000, 20_000],
                     args.queries)


if __name__ == "__main__":
    main()
