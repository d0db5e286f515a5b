"""The saved index: reopened without a rebuild, and rebuilt (never trusted) when damaged."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

import huedb
from huedb.engine import checksums, persist
from huedb.engine.ann import GRAPH_MIN_ROWS
from tests.engine import _workers

ctx = multiprocessing.get_context("spawn")
N = GRAPH_MIN_ROWS + 1000
DIM = _workers.DIM


def vectors(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)


def filled(path: Path) -> tuple[huedb.Collection, np.ndarray]:
    col = huedb.PersistentClient(path).create_collection("saved", embedding_function=None)
    data = vectors(N, 1)
    col.add(ids=[str(i) for i in range(N)], embeddings=data,
            metadatas=[{"even": i % 2 == 0} for i in range(N)])
    col.query(query_embeddings=data[:1], n_results=1)
    for index in col._backend.cache._entries.values():  # type: ignore[attr-defined]
        index.wait()  # closing would abandon a build still running
    huedb.ClientAPI.clear_system_cache()  # saves the finished graph
    return huedb.PersistentClient(path).get_collection("saved", embedding_function=None), data


def exact_ids(data: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray) -> list[str]:
    rows = np.flatnonzero(allowed)
    dist = ((data[rows] - query) ** 2).sum(axis=1)
    return [str(i) for i in rows[np.lexsort((rows, dist))[:k]]]


def check(col: huedb.Collection, data: np.ndarray) -> None:
    q = vectors(5, 2)
    got = col.query(query_embeddings=q, n_results=10, where={"even": True}, include=[])
    even = np.arange(len(data)) % 2 == 0
    for i in range(5):
        assert got["ids"][i] == exact_ids(data, q[i], 10, even)


def index_dir(path: Path) -> Path:
    (found,) = list((path / "index").iterdir())
    return found


def test_reopen_loads_the_saved_graph(tmp_path: Path) -> None:
    col, data = filled(tmp_path)
    backend = col._backend
    col.query(query_embeddings=data[:1], n_results=1)
    (index,) = backend.cache._entries.values()  # type: ignore[attr-defined]
    assert index.graph is not None and index.seq > 0
    check(col, data)
    col.delete(ids=[str(i) for i in range(0, N, 7)])
    data2 = data.copy()
    col.update(ids=["2"], embeddings=vectors(1, 9))
    data2[2] = vectors(1, 9)[0]
    got = col.query(query_embeddings=vectors(1, 9), n_results=3, include=[])["ids"][0]
    assert got[0] == "2" and not {str(i) for i in range(0, N, 7)} & set(got)
    huedb.ClientAPI.clear_system_cache()
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    assert col.count() == N - len(range(0, N, 7))
    got = col.query(query_embeddings=vectors(1, 9), n_results=3, include=[])["ids"][0]
    assert got[0] == "2" and not {str(i) for i in range(0, N, 7)} & set(got)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "meta", "version"])
def test_damaged_index_files_are_rebuilt_with_a_warning(
        tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    col, data = filled(tmp_path)
    huedb.ClientAPI.clear_system_cache()
    directory = index_dir(tmp_path)
    victim = next(directory.glob("*.vectors.npy"))
    if damage == "truncate":
        os.truncate(victim, victim.stat().st_size // 2)
    elif damage == "flip":
        raw = bytearray(victim.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        victim.write_bytes(bytes(raw))
    elif damage == "delete":
        persist.discard(directory)
    elif damage == "meta":
        (directory / persist.META).write_text("{not json")
    else:
        meta = (directory / persist.META).read_text().replace('"format": 1', '"format": 99')
        (directory / persist.META).write_text(meta)
    caplog.set_level(logging.WARNING)
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    check(col, data)
    if damage != "delete":
        assert "rebuilding" in caplog.text.lower()


def test_index_that_disagrees_with_sqlite_is_rebuilt(tmp_path: Path) -> None:
    col, data = filled(tmp_path)
    huedb.ClientAPI.clear_system_cache()
    directory = index_dir(tmp_path)
    saved = {p.name: p.read_bytes() for p in directory.iterdir()}
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    col.delete(ids=["0", "1"])
    huedb.ClientAPI.clear_system_cache()
    for p in directory.iterdir():
        p.unlink()
    for name, raw in saved.items():  # an index from before the delete, claiming a later seq
        (directory / name).write_bytes(raw)
    meta = (directory / persist.META).read_text()
    (directory / persist.META).write_text(meta.replace('"seq": ', '"seq": 1'))
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    got = col.query(query_embeddings=data[:2], n_results=1, include=[])["ids"]
    assert got[0] != ["0"] and got[1] != ["1"]


def _save_forever(path: str) -> None:
    client = huedb.PersistentClient(Path(path))
    col = client.get_collection("saved", embedding_function=None)
    backend = col._backend
    for i in range(1000):
        col.upsert(ids=[f"x{i}"], embeddings=vectors(1, 100 + i))
        col.query(query_embeddings=vectors(1, 3), n_results=1)
        backend.cache.close()  # type: ignore[attr-defined]


@pytest.mark.multiprocess
def test_killed_while_saving_leaves_a_usable_database(tmp_path: Path) -> None:
    _, data = filled(tmp_path)
    huedb.ClientAPI.clear_system_cache()
    child = ctx.Process(target=_save_forever, args=(str(tmp_path),))
    child.start()
    time.sleep(6)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    extra = col.count() - N
    assert extra >= 0
    check(col, data)


def test_modified_ef_search_applies_to_the_next_query(tmp_path: Path) -> None:
    col, data = filled(tmp_path)
    col.query(query_embeddings=data[:1], n_results=1)
    (index,) = col._backend.cache._entries.values()  # type: ignore[attr-defined]
    assert index.ef_search == 100
    col.modify(configuration={"hnsw": {"ef_search": 7}})
    col.query(query_embeddings=data[:1], n_results=1)
    assert index.ef_search == 7
    check(col, data)


def test_damage_beyond_the_opening_sample_is_found_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    # Small blocks make this test's files "large": opening checks only a sample of them.
    monkeypatch.setattr(checksums, "BLOCK", 4096)
    col, data = filled(tmp_path)
    huedb.ClientAPI.clear_system_cache()
    directory = index_dir(tmp_path)
    victim = next(directory.glob("*.vectors.npy"))
    meta = persist.read_meta(directory)
    assert meta is not None
    blocks = meta["files"][victim.name]["blocks"]
    assert len(blocks) > checksums.SAMPLE + 2
    sampled = {0, len(blocks) - 1, *(round((len(blocks) - 1) / (checksums.SAMPLE + 1) * i)
                                     for i in range(1, checksums.SAMPLE + 1))}
    block = next(b for b in range(len(blocks)) if b not in sampled)
    raw = bytearray(victim.read_bytes())
    raw[block * 4096 + 100] ^= 0xFF
    victim.write_bytes(bytes(raw))

    caplog.set_level(logging.WARNING)
    col = huedb.PersistentClient(tmp_path).get_collection("saved", embedding_function=None)
    col.query(query_embeddings=data[:1], n_results=1)
    assert "Ignoring the saved" not in caplog.text  # the sample passed: the index was opened
    cache = col._backend.cache  # type: ignore[attr-defined]
    cache.wait_for_checks()
    assert "is corrupt" in caplog.text and "rebuilding" in caplog.text
    check(col, data)  # answered by an index rebuilt from SQLite
    assert not list(directory.glob(victim.name))  # the damaged generation is gone
