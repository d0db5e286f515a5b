"""verify and stats look at the saved vector index: agreement with SQLite, leftovers, health."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import huedb
from huedb import ops
from huedb.cli.main import main
from huedb.engine import persist
from huedb.engine.ann import GRAPH_MIN_ROWS, AnnIndex

N, DIM = GRAPH_MIN_ROWS + 300, 8


def _saved(path: Path) -> tuple[huedb.Collection, np.ndarray]:
    """A collection large enough for a graph, whose index is saved (graph built) on close."""
    col = huedb.PersistentClient(path).create_collection("big", embedding_function=None)
    data = np.random.default_rng(1).standard_normal((N, DIM)).astype(np.float32)
    col.add(ids=[str(i) for i in range(N)], embeddings=data)
    col.query(query_embeddings=data[:1], n_results=1)
    for index in col._backend.cache._entries.values():  # type: ignore[attr-defined]
        index.wait()
    huedb.ClientAPI.clear_system_cache()
    return col, data


def _directory(path: Path) -> Path:
    (found,) = (path / "index").iterdir()
    return found


def _tamper(path: Path, change: Callable[[AnnIndex], None]) -> None:
    """Load the saved index, change it behind SQLite's back and save it as a valid generation."""
    directory = _directory(path)
    meta = persist.read_meta(directory)
    assert meta is not None
    col = huedb.PersistentClient(path).get_collection("big", embedding_function=None)
    huedb.ClientAPI.clear_system_cache()
    index = persist.load(directory, col.id, "l2", DIM, {})
    assert index is not None and index.graph is not None
    change(index)
    persist.save(directory, col.id, index)


def _rid(path: Path, record_id: str) -> int:
    col = huedb.PersistentClient(path).get_collection("big", embedding_function=None)
    store = col._backend.store  # type: ignore[attr-defined]
    (rid,) = store.conn.execute("SELECT rid FROM records WHERE id = ?", (record_id,)).fetchone()
    huedb.ClientAPI.clear_system_cache()
    return int(rid)


def _queries_exact(path: Path, data: dict[str, np.ndarray]) -> None:
    col = huedb.PersistentClient(path).get_collection("big", embedding_function=None)
    ids, vectors = list(data), np.stack(list(data.values()))
    for q in np.random.default_rng(5).standard_normal((5, DIM)).astype(np.float32):
        got = col.query(query_embeddings=[q], n_results=10, include=[])["ids"][0]
        order = np.argsort(((vectors - q) ** 2).sum(axis=1), kind="stable")[:10]
        assert got == [ids[i] for i in order]


def test_a_lagging_index_agrees_and_stats_shows_its_health(tmp_path: Path) -> None:
    col, data = _saved(tmp_path)
    assert ops.verify(tmp_path).ok
    # Written after the saved seq and not yet folded in: legitimately missing, not a problem.
    col = huedb.PersistentClient(tmp_path).get_collection("big", embedding_function=None)
    col.delete(ids=[str(i) for i in range(50)])
    col.update(ids=["60"], embeddings=[[9.0] * DIM])
    col.add(ids=["new"], embeddings=[[1.0] * DIM])
    huedb.ClientAPI.clear_system_cache()
    assert ops.verify(tmp_path).ok
    (entry,) = ops.stats(tmp_path)
    assert entry["index"] == "graph" and entry["index_rows"] == N == entry["graph_rows"]
    assert entry["stale_rows"] == 0 and entry["deleted_share"] == 0.0
    assert entry["index_seq"] == 1 and entry["index_lag"] == 3 and entry["writes"] == 4
    assert entry["index_bytes"] > N * DIM * 4
    assert entry["saved_at"] and entry["compacted_at"]
    # Enough new rows for a graph update: the engine folds everything in and saves again.
    col = huedb.PersistentClient(tmp_path).get_collection("big", embedding_function=None)
    col.add(ids=[f"n{i}" for i in range(600)], embeddings=np.ones((600, DIM), np.float32))
    col.query(query_embeddings=[[0.0] * DIM], n_results=1)
    for index in col._backend.cache._entries.values():  # type: ignore[attr-defined]
        index.wait()
    huedb.ClientAPI.clear_system_cache()
    (entry,) = ops.stats(tmp_path)
    live = N - 50 + 1 + 600
    assert (entry["index_lag"], entry["index_rows"], entry["count"]) == (0, live, live)
    assert entry["graph_rows"] == live and entry["stale_rows"] == 0
    assert ops.verify(tmp_path).ok


@pytest.mark.parametrize("damage", ["missing row", "extra row", "vector", "unreachable",
                                    "newer", "corrupt file"])
def test_disagreement_is_reported_then_repaired(tmp_path: Path, damage: str) -> None:
    _, data = _saved(tmp_path)
    rid = _rid(tmp_path, "7")
    if damage == "missing row":
        _tamper(tmp_path, lambda ix: ix.rows.remove(np.array([rid])))
        expected = "lacks 1 rows"
    elif damage == "extra row":
        _tamper(tmp_path, lambda ix: ix.rows.upsert(np.array([N + 50]), data[:1]))
        expected = "holds 1 rows the database does not have"
    elif damage == "vector":
        _tamper(tmp_path, lambda ix: ix.rows.upsert(np.array([rid]), data[8:9]))
        expected = "1 vectors that differ"
    elif damage == "unreachable":
        def drop_from_graph(ix: AnnIndex) -> None:
            graph = ix.graph.copy()  # type: ignore[union-attr]
            graph.remove(np.array([rid]))
            ix._graph = graph

        _tamper(tmp_path, drop_from_graph)
        expected = "1 rows neither in its graph"
    elif damage == "newer":
        def ahead(ix: AnnIndex) -> None:
            ix.seq = 5

        _tamper(tmp_path, ahead)
        expected = "newer than the database"
    else:
        victim = next(_directory(tmp_path).glob("*.vectors.npy"))
        raw = bytearray(victim.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        victim.write_bytes(bytes(raw))
        expected = "is damaged"
    report = ops.verify(tmp_path)
    assert not report.ok and len(report.problems) == 1, report
    assert expected in report.problems[0] and "collection big" in report.problems[0]
    repaired = ops.verify(tmp_path, repair=True)
    assert repaired.ok and "discarded" in repaired.repaired[0]
    assert not any((tmp_path / "index").iterdir())  # rebuilt from SQLite on next open
    assert ops.verify(tmp_path).ok
    _queries_exact(tmp_path, {str(i): data[i] for i in range(N)})


def test_orphans_and_leftovers_are_reported_and_deleted(tmp_path: Path) -> None:
    _saved(tmp_path)
    directory = _directory(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        crashed = [directory / f"9-{dead.pid}-0.rids.npy",
                   directory / f"9-{dead.pid}-0.graph.usearch",
                   directory / f"{persist.META}.9-{dead.pid}-0.tmp", directory / "stray.bin"]
        running = directory / f"9-{alive.pid}-0.vectors.npy"  # a save still under way
        for path in [*crashed, running]:
            path.write_bytes(b"partial")
        orphan = tmp_path / "index" / "999"
        orphan.mkdir()
        (orphan / persist.META).write_text("{}")
        report = ops.verify(tmp_path)
        assert sorted(report.problems) == sorted(
            [f"collection big: index/{directory.name}/{p.name} was left by an interrupted save"
             for p in crashed] + ["index/999: no collection owns it"])
        repaired = ops.verify(tmp_path, repair=True)
        assert len(repaired.repaired) == 5 and repaired.ok
        assert not orphan.exists() and not any(p.exists() for p in crashed)
        assert running.exists() and ops.verify(tmp_path).ok
        # The engine's own saves clear what crashed saves leave, too.
        for path in crashed:
            path.write_bytes(b"partial")
        col = huedb.PersistentClient(tmp_path).get_collection("big", embedding_function=None)
        col.add(ids=[f"n{i}" for i in range(600)], embeddings=np.ones((600, DIM), np.float32))
        col.query(query_embeddings=[[0.0] * DIM], n_results=1)  # a graph update, then a save
        for index in col._backend.cache._entries.values():  # type: ignore[attr-defined]
            index.wait()
        huedb.ClientAPI.clear_system_cache()
        assert not any(p.exists() for p in crashed) and running.exists()
        named = set((persist.read_meta(directory) or {})["files"])
        assert {p.name for p in directory.iterdir()} == {*named, persist.META, running.name}
    finally:
        alive.kill()
        alive.wait()
    assert persist.leftovers(directory) == [running]  # its process is gone now


def test_stats_cli_prints_a_table_and_json(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _saved(tmp_path)
    huedb.PersistentClient(tmp_path).create_collection("small", embedding_function=None)
    huedb.ClientAPI.clear_system_cache()
    capsys.readouterr()
    assert main(["stats", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["collection", "count", "dim", "deleted", "index"]
    big = next(line.split() for line in lines if line.startswith("big"))
    small = next(line.split() for line in lines if line.startswith("small"))
    assert big[1:5] == [str(N), str(DIM), "0", "graph"] and small[4] == "none"
    assert main(["stats", str(tmp_path), "--json"]) == 0
    assert '"index": "graph"' in capsys.readouterr().out
