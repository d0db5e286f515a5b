"""A database directory this user may not write: a clear huedb error, and the data untouched.

Tests run as root, for whom permissions do not bite, so the opening happens in a child process
that drops to nobody (uid/gid 65534) once huedb is imported (the interpreter itself may live
where nobody cannot read). The directories live outside pytest's tmp_path, which only root may
enter.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import huedb
from huedb.engine.ann import GRAPH_MIN_ROWS
from huedb.engine.store import FILENAME

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534

_CHILD = r"""
import json, logging, os, sys
import huedb
huedb.EphemeralClient().create_collection("warm", embedding_function=None).add(
    ids=["w"], embeddings=[[0.0] * 8])  # load every module while the interpreter is readable
huedb.ClientAPI.clear_system_cache()
if os.geteuid() == 0:
    os.setgid(int(sys.argv[2]))
    os.setuid(int(sys.argv[2]))
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
out = {}
try:
    col = huedb.PersistentClient(sys.argv[1]).get_collection("kept", embedding_function=None)
    out["count"] = col.count()
    out["query"] = col.query(query_embeddings=[[0.5] * 8], n_results=1, include=[])["ids"][0]
    col.add(ids=["new"], embeddings=[[1.0] * 8])
    out["added"] = True
    col.query(query_embeddings=[[0.5] * 8], n_results=1)  # the index changed: closing saves it
    huedb.ClientAPI.clear_system_cache()
except Exception as e:
    out["error"] = f"{type(e).__module__}.{type(e).__name__}: {e}"
print(json.dumps(out))
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    if not hasattr(os, "setuid"):
        pytest.skip("needs POSIX users and permissions")
    root = Path(tempfile.mkdtemp(prefix="huedb-ro-"))
    root.chmod(0o755)  # nobody must be able to reach the database inside
    try:
        yield root
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(root)


def _make(path: Path, n: int = 10) -> str:
    col = huedb.PersistentClient(path).create_collection("kept", embedding_function=None)
    data = np.random.default_rng(0).random((n, 8), dtype=np.float32)
    col.add(ids=[str(i) for i in range(n)], embeddings=data)
    col.query(query_embeddings=data[:1], n_results=1)
    for index in col._backend.cache._entries.values():  # type: ignore[attr-defined]
        index.wait()
    huedb.ClientAPI.clear_system_cache()
    return hashlib.sha256((path / FILENAME).read_bytes()).hexdigest()


def _as_nobody(path: Path) -> tuple[dict[str, object], str]:
    import json

    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(NOBODY)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result, done.stderr


def _intact(path: Path, digest: str, n: int) -> None:
    assert hashlib.sha256((path / FILENAME).read_bytes()).hexdigest() == digest
    col = huedb.PersistentClient(path).get_collection("kept", embedding_function=None)
    assert col.count() == n and "new" not in col.get()["ids"]


def test_read_only_directory_is_refused_clearly(shared_dir: Path) -> None:
    db = shared_dir / "db"
    digest = _make(db)
    db.chmod(0o555)  # neither the directory nor (owned by root, 0644) the file is writable
    result, _ = _as_nobody(db)
    assert set(result) == {"error"}, result
    assert str(result["error"]).startswith(
        f"huedb.errors.InternalError: Cannot open the database at {db}")
    assert "readonly" in str(result["error"]) or "ermission" in str(result["error"])
    db.chmod(0o755)
    _intact(db, digest, 10)


def test_read_only_file_reads_but_refuses_writes(shared_dir: Path) -> None:
    db = shared_dir / "db"
    digest = _make(db)
    db.chmod(0o777)  # the directory is writable (SQLite may add its -wal/-shm), the file not
    result, _ = _as_nobody(db)
    assert result["count"] == 10 and "added" not in result, result
    assert str(result["error"]).startswith("huedb.errors.InternalError: ")
    assert "readonly" in str(result["error"])
    _intact(db, digest, 10)


def test_unwritable_index_directory_only_costs_the_saved_index(shared_dir: Path) -> None:
    db = shared_dir / "db"
    n = GRAPH_MIN_ROWS + 100
    _make(db, n)
    (index,) = (db / "index").iterdir()
    saved = sorted(p.name for p in index.iterdir())
    assert saved, "a graph-sized collection saves its index"
    db.chmod(0o777)
    for path in db.iterdir():
        if path.is_file():
            path.chmod(0o666)
    result, log = _as_nobody(db)  # writes and queries work; the new save fails with a warning
    assert (result.get("count"), result.get("added")) == (n, True), result
    assert sorted(p.name for p in index.iterdir()) == saved
    assert "Could not save the vector index" in log and "Permission denied" in log
    col = huedb.PersistentClient(db).get_collection("kept", embedding_function=None)
    assert col.count() == n + 1
    assert col.query(query_embeddings=[[1.0] * 8], n_results=1, include=[])["ids"] == [["new"]]
