"""Operator tools: online backup and restore, verify and repair, vacuum, export/import, stats."""

from __future__ import annotations

import io
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

import huedb
from huedb import ops
from huedb.engine.store import FILENAME


def _fill(path: Path, n: int = 500) -> huedb.Collection:
    client = huedb.PersistentClient(path)
    col = client.get_or_create_collection("ops", embedding_function=None,
                                          metadata={"owner": "ops"},
                                          configuration={"hnsw": {"space": "cosine"}})
    rng = np.random.default_rng(3)
    col.add(ids=[f"r{i}" for i in range(n)], embeddings=rng.random((n, 4), dtype=np.float32),
            documents=[f"text number {i}" for i in range(n)],
            metadatas=[{"i": i, "tags": ["a", "b"] if i % 2 else ["c"]} for i in range(n)],
            uris=[f"u://{i}" if i % 3 == 0 else None for i in range(n)])
    return col


def _snapshot(path: Path) -> dict[str, object]:
    huedb.ClientAPI.clear_system_cache()
    col = huedb.PersistentClient(path).get_collection("ops", embedding_function=None)
    got = col.get(include=["embeddings", "documents", "metadatas", "uris"])
    return {"ids": got["ids"], "emb": got["embeddings"].tolist(), "docs": got["documents"],
            "md": got["metadatas"], "uris": got["uris"], "meta": col.metadata,
            "cfg": col.configuration_json}


def test_backup_while_writing_then_restore(tmp_path: Path) -> None:
    col = _fill(tmp_path / "db")
    stop = threading.Event()

    def keep_writing() -> None:
        i = 10_000
        while not stop.is_set():
            col.add(ids=[f"w{i}"], embeddings=[[0.5] * 4])
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        ops.backup(tmp_path / "db", tmp_path / "bak")
    finally:
        stop.set()
        writer.join()
    restored = tmp_path / "restored"
    ops.restore(tmp_path / "bak", restored)
    assert ops.verify(restored).ok
    snap = _snapshot(restored)
    assert set(f"r{i}" for i in range(500)) <= set(snap["ids"])  # type: ignore[arg-type]
    with pytest.raises(FileExistsError):
        ops.restore(tmp_path / "bak", restored)
    ops.restore(tmp_path / "bak", restored, overwrite=True)
    assert (restored / (FILENAME + ".before-restore")).exists()


def test_backup_refuses_missing_source_and_used_destination(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ops.backup(tmp_path / "nothing", tmp_path / "bak")
    _fill(tmp_path / "db", 10)
    ops.backup(tmp_path / "db", tmp_path / "bak")
    with pytest.raises(FileExistsError):
        ops.backup(tmp_path / "db", tmp_path / "bak")


def test_export_import_round_trip_is_idempotent(tmp_path: Path) -> None:
    _fill(tmp_path / "src")
    buffer = io.StringIO()
    assert ops.export_jsonl(tmp_path / "src", buffer) == 500
    for _ in range(2):  # importing twice changes nothing: import upserts
        assert ops.import_jsonl(io.StringIO(buffer.getvalue()), tmp_path / "dst") == 500
    assert _snapshot(tmp_path / "dst") == _snapshot(tmp_path / "src")


def test_verify_detects_and_repairs_derived_structures(tmp_path: Path) -> None:
    _fill(tmp_path / "db", 50)
    huedb.ClientAPI.clear_system_cache()
    conn = sqlite3.connect(tmp_path / "db" / FILENAME)
    conn.execute("DELETE FROM record_metadata WHERE rowid % 3 = 0")
    conn.execute("INSERT INTO records_fts (rowid, document) VALUES (999999, 'phantom text')")
    conn.commit()
    conn.close()
    report = ops.verify(tmp_path / "db")
    assert not report.ok and any("filter rows" in p for p in report.problems)
    repaired = ops.verify(tmp_path / "db", repair=True)
    assert repaired.repaired and ops.verify(tmp_path / "db").ok
    col = huedb.PersistentClient(tmp_path / "db").get_collection("ops", embedding_function=None)
    assert len(col.get(where={"i": {"$lt": 50}})["ids"]) == 50
    assert col.get(where_document={"$contains": "phantom"})["ids"] == []


def test_verify_reports_a_corrupted_file_clearly(tmp_path: Path) -> None:
    _fill(tmp_path / "db", 200)
    huedb.ClientAPI.clear_system_cache()
    conn = sqlite3.connect(tmp_path / "db" / FILENAME)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    file = tmp_path / "db" / FILENAME
    data = bytearray(file.read_bytes())
    for offset in range(4096 * 3, len(data), 4096 * 2):
        data[offset + 100: offset + 400] = b"\xff" * 300
    file.write_bytes(bytes(data))
    report = ops.verify(tmp_path / "db")
    assert not report.ok
    assert any("SQLite" in p for p in report.problems)


def test_vacuum_reclaims_space_and_stats(tmp_path: Path) -> None:
    col = _fill(tmp_path / "db", 2000)
    col.delete(where={"i": {"$gte": 100}})
    before, after = ops.vacuum(tmp_path / "db")
    assert after < before
    (entry,) = ops.stats(tmp_path / "db")
    assert (entry["name"], entry["count"], entry["deleted"], entry["dimension"]) == (
        "ops", 100, 1900, 4)


@pytest.mark.slow
def test_vacuum_after_churn_is_close_to_a_fresh_build(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n, dim = 4000, 128
    vectors = rng.random((n, dim), dtype=np.float32)
    ids = [f"r{i}" for i in range(n)]
    docs = [f"document {i} " * 5 for i in range(n)]
    metas = [{"i": i, "g": i % 10} for i in range(n)]
    churned = huedb.PersistentClient(tmp_path / "churn").create_collection(
        "churn", embedding_function=None)
    churned.add(ids=ids, embeddings=vectors, documents=docs, metadatas=metas)
    for _round in range(10):
        half = rng.choice(n, n // 2, replace=False)
        churned.delete(ids=[ids[i] for i in half])
        churned.add(ids=[ids[i] for i in half], embeddings=vectors[half],
                    documents=[docs[i] for i in half], metadatas=[metas[i] for i in half])
    fresh = huedb.PersistentClient(tmp_path / "fresh").create_collection(
        "churn", embedding_function=None)
    fresh.add(ids=ids, embeddings=vectors, documents=docs, metadatas=metas)
    huedb.ClientAPI.clear_system_cache()
    _, churned_size = ops.vacuum(tmp_path / "churn")
    _, fresh_size = ops.vacuum(tmp_path / "fresh")
    assert churned_size <= 1.2 * fresh_size, (churned_size, fresh_size)


def test_import_chroma_directory(tmp_path: Path) -> None:
    from tests.chroma_reference import CHROMA_PYTHON, MISSING_REASON

    if not CHROMA_PYTHON.exists():
        pytest.skip(MISSING_REASON)
    import subprocess

    make = (
        "import chromadb, sys\n"
        "c = chromadb.PersistentClient(sys.argv[1])\n"
        "a = c.create_collection('alpha', embedding_function=None, metadata={'k': 1},"
        " configuration={'hnsw': {'space': 'cosine'}})\n"
        "a.add(ids=[f'a{i}' for i in range(1500)], embeddings=[[i, 1.0, 2.0] for i in range(1500)],"
        " documents=[f'doc {i}' for i in range(1500)], metadatas=[{'i': i} for i in range(1500)])\n"
        "b = c.create_collection('beta', embedding_function=None)\n"
        "b.add(ids=['x'], embeddings=[[1.0]], uris=['u://x'])\n"
    )
    subprocess.run([str(CHROMA_PYTHON), "-c", make, str(tmp_path / "chroma")], check=True,
                   capture_output=True, env={"ANONYMIZED_TELEMETRY": "False"})
    counts = ops.import_chroma(tmp_path / "chroma", tmp_path / "hue",
                               chroma_python=str(CHROMA_PYTHON))
    assert counts == {"default_database/alpha": 1500, "default_database/beta": 1}
    client = huedb.PersistentClient(tmp_path / "hue")
    alpha = client.get_collection("alpha", embedding_function=None)
    assert alpha.metadata == {"k": 1}
    assert alpha.configuration_json["hnsw"]["space"] == "cosine"
    got = alpha.get(ids=["a7"], include=["embeddings", "documents", "metadatas"])
    assert got["documents"] == ["doc 7"] and got["metadatas"] == [{"i": 7}]
    # Chroma's cosine collections hand back vectors after a normalise/denormalise round trip.
    assert got["embeddings"][0].tolist() == pytest.approx([7.0, 1.0, 2.0], rel=1e-6)
    beta = client.get_collection("beta", embedding_function=None)
    assert beta.get(include=["uris"])["uris"] == ["u://x"]
