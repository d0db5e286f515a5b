"""Several processes on one path: nothing lost, and each sees the others' writes at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

import huedb
from huedb.engine.ann import GRAPH_MIN_ROWS
from tests.engine import _workers

pytestmark = pytest.mark.multiprocess
ctx = multiprocessing.get_context("spawn")


def test_two_writers_and_a_reader_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path)
    huedb.PersistentClient(tmp_path).create_collection("shared", embedding_function=None)
    huedb.ClientAPI.clear_system_cache()
    acked: multiprocessing.Queue[tuple[str, list[str], list[str]]] = ctx.Queue()
    errors: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_workers.writer, args=(path, name, 15, 40, acked))
             for name in ("w1", "w2")]
    procs.append(ctx.Process(target=_workers.reader, args=(path, 60, errors)))
    for p in procs:
        p.start()
    alive, kept, deleted = {"w1", "w2"}, set(), set()
    while alive:
        name, ids, doomed = acked.get(timeout=120)
        if not ids:
            alive.discard(name)
        kept |= set(ids) - set(doomed)
        deleted |= set(doomed)
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    messages = []
    while True:
        msg = errors.get(timeout=30)
        if msg == "done":
            break
        messages.append(msg)
    assert messages == []

    col = huedb.PersistentClient(tmp_path).get_collection("shared", embedding_function=None)
    got = col.get(include=["embeddings", "metadatas"])
    assert set(got["ids"]) == kept and len(kept) == 2 * 15 * 32
    assert not deleted & set(got["ids"])
    for rid, emb, md in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
        assert emb.tolist() == pytest.approx(_workers.vector_for(rid))
        assert md["writer"] == rid.split("-")[0]


def test_other_process_writes_are_visible_on_next_call(tmp_path: Path) -> None:
    client = huedb.PersistentClient(tmp_path)
    col = client.create_collection("visible", embedding_function=None)
    col.add(ids=["mine"], embeddings=[_workers.vector_for("mine")])
    probe = [_workers.vector_for("theirs")]
    assert col.query(query_embeddings=probe, n_results=5)["ids"] == [["mine"]]

    child = ctx.Process(target=_workers.add_then_delete, args=(str(tmp_path), ["theirs"], []))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert col.count() == 2
    assert col.query(query_embeddings=probe, n_results=1)["ids"] == [["theirs"]]

    child = ctx.Process(target=_workers.add_then_delete, args=(str(tmp_path), [], ["theirs"]))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert col.query(query_embeddings=probe, n_results=5)["ids"] == [["mine"]]


def test_processes_see_each_other_at_graph_size(tmp_path: Path) -> None:
    # Large enough for an HNSW graph: the other process's writes must reach a graph-backed index
    # (as stale and deleted rows), and the other process opens the graph this one saved.
    client = huedb.PersistentClient(tmp_path)
    col = client.create_collection("visible", embedding_function=None)
    ids = [f"base-{i}" for i in range(GRAPH_MIN_ROWS + 1000)]
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        col.add(ids=chunk, embeddings=[_workers.vector_for(i) for i in chunk])
    col.query(query_embeddings=[_workers.vector_for("probe")], n_results=1)
    (index,) = client._backend.cache._entries.values()  # type: ignore[attr-defined]
    index.wait()
    assert index.graph is not None

    theirs, doomed = [f"theirs-{i}" for i in range(50)], ids[:100]
    child = ctx.Process(target=_workers.add_delete_and_check,
                        args=(str(tmp_path), theirs, doomed, ids[100:150]))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0

    assert col.count() == len(ids) - len(doomed) + len(theirs)
    for record_id in theirs[:10] + ids[200:210]:
        found = col.query(query_embeddings=[_workers.vector_for(record_id)], n_results=1)
        assert found["ids"] == [[record_id]]
    near_doomed = col.query(query_embeddings=[_workers.vector_for(i) for i in doomed],
                            n_results=3)["ids"]
    assert not set(doomed) & {i for row in near_doomed for i in row}
    assert index.graph is not None
