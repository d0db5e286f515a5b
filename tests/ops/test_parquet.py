"""Parquet export/import: exact round trips (types included), bounded row groups, the CLI."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import huedb
from huedb import ops
from huedb.cli.main import main
from huedb.ops import parquet, transfer

MISSING = "pyarrow is not installed (pip install pyarrow): Parquet export/import is optional"


def _pyarrow() -> Any:
    return pytest.importorskip("pyarrow.parquet", reason=MISSING)


def _fill(path: Path, dims: tuple[int, int] = (4, 4)) -> None:
    client = huedb.PersistentClient(path)
    alpha = client.create_collection(
        "alpha", embedding_function=None, metadata={"k": 1, "f": 1.0, "b": True, "s": "x"},
        configuration={"hnsw": {"space": "cosine", "ef_search": 50}})
    n = 2500
    rng = np.random.default_rng(7)
    alpha.add(ids=[f"a{i}" for i in range(n)],
              embeddings=rng.standard_normal((n, dims[0])).astype(np.float32),
              documents=[f"doc {i}" if i % 4 else None for i in range(n)],
              metadatas=[{"i": i, "f": float(i), "half": i + 0.5, "b": i % 2 == 0,
                          "ints": [i, 1], "floats": [1.0, 2.5], "bools": [True, False],
                          "strs": ["a", "b"]} if i % 5 else None
                         for i in range(n)],
              uris=[f"u://{i}" if i % 3 == 0 else None for i in range(n)])
    client.create_collection("empty", embedding_function=None)
    huedb.AdminClient(client.get_settings()).create_database("other")
    beta = huedb.PersistentClient(path, database="other").create_collection(
        "beta", embedding_function=None)
    beta.add(ids=["x", "y"], embeddings=rng.standard_normal((2, dims[1])).astype(np.float32),
             metadatas=[{"z": 0}, {"z": -1.0}])


def _everything(path: Path) -> dict[str, Any]:
    huedb.ClientAPI.clear_system_cache()
    out: dict[str, Any] = {}
    for database in ("default_database", "other"):
        client = huedb.PersistentClient(path, database=database)
        for col in client.list_collections():
            got = col.get(include=["embeddings", "documents", "metadatas", "uris"])
            out[f"{database}/{col.name}"] = {
                "ids": got["ids"], "emb": np.asarray(got["embeddings"]).tobytes(),
                "docs": got["documents"], "uris": got["uris"],
                # repr keeps the types: 1 and 1.0 and True are told apart.
                "md": repr(got["metadatas"]), "meta": repr(col.metadata),
                "cfg": col.configuration_json}
    return out


def test_round_trip_is_exact_and_idempotent(tmp_path: Path) -> None:
    pq = _pyarrow()
    _fill(tmp_path / "src")
    file = tmp_path / "out.parquet"
    assert ops.export_parquet(tmp_path / "src", file) == 2502
    schema = pq.ParquetFile(file).schema_arrow
    assert str(schema.field("embedding").type) == "fixed_size_list<element: float>[4]"
    for _ in range(2):  # import upserts: a second run (a resumed import) changes nothing
        assert ops.import_parquet(file, tmp_path / "dst") == 2502
    src, dst = _everything(tmp_path / "src"), _everything(tmp_path / "dst")
    assert dst == src and set(dst) == {"default_database/alpha", "default_database/empty",
                                       "other/beta"}
    col = huedb.PersistentClient(tmp_path / "dst").get_collection("alpha")
    md: Any = col.get(ids=["a7"], include=["metadatas"])["metadatas"][0]  # type: ignore[index]
    assert [type(md[k]) for k in ("i", "f", "half", "b")] == [int, float, float, bool]
    assert md["f"] == 7.0 and md["ints"] == [7, 1] and type(md["floats"][0]) is float
    assert [type(v) for v in md["bools"]] == [bool, bool]


def test_mixed_dimensions_use_a_variable_list(tmp_path: Path) -> None:
    pq = _pyarrow()
    _fill(tmp_path / "src", dims=(4, 3))
    file = tmp_path / "mixed.parquet"
    ops.export_parquet(tmp_path / "src", file)
    assert str(pq.ParquetFile(file).schema_arrow.field("embedding").type) == \
        "list<element: float>"
    ops.import_parquet(file, tmp_path / "dst")
    assert _everything(tmp_path / "dst") == _everything(tmp_path / "src")


def test_row_groups_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq = _pyarrow()
    monkeypatch.setattr(parquet, "GROUP_ROWS", 1500)
    col = huedb.PersistentClient(tmp_path / "src").create_collection("many",
                                                                     embedding_function=None)
    col.add(ids=[str(i) for i in range(9000)], embeddings=np.ones((9000, 8), np.float32))
    file = tmp_path / "many.parquet"
    assert ops.export_parquet(tmp_path / "src", file) == 9000
    meta = pq.ParquetFile(file).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == 9000 and max(sizes) <= 1500 + transfer.BATCH and len(sizes) >= 4
    assert not list(tmp_path.glob("*.partial"))
    assert ops.import_parquet(file, tmp_path / "dst") == 9000
    assert huedb.PersistentClient(tmp_path / "dst").get_collection("many").count() == 9000


def test_cli_picks_parquet_by_extension_or_flag(tmp_path: Path) -> None:
    _pyarrow()
    _fill(tmp_path / "src")
    huedb.ClientAPI.clear_system_cache()
    assert main(["export", str(tmp_path / "src"), str(tmp_path / "a.parquet")]) == 0
    assert main(["export", str(tmp_path / "src"), str(tmp_path / "b.bin"),
                 "--format", "parquet"]) == 0
    assert (tmp_path / "b.bin").read_bytes()[:4] == b"PAR1"
    assert main(["export", str(tmp_path / "src"), "-", "--format", "parquet"]) == 1
    assert main(["import", str(tmp_path / "b.bin"), str(tmp_path / "dst"),
                 "--format", "parquet"]) == 0
    assert _everything(tmp_path / "dst") == _everything(tmp_path / "src")


def test_a_jsonl_file_is_not_taken_for_parquet(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _pyarrow()
    (tmp_path / "x.parquet").write_text('{"type": "format", "format": "huedb-jsonl/1"}\n')
    assert main(["import", str(tmp_path / "x.parquet"), str(tmp_path / "dst")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_missing_pyarrow_names_the_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.import_module

    def without_pyarrow(name: str, package: str | None = None) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_pyarrow)
    with pytest.raises(RuntimeError, match="pip install pyarrow"):
        ops.export_parquet(tmp_path / "db", tmp_path / "out.parquet")
    assert main(["export", str(tmp_path / "db"), str(tmp_path / "out.parquet")]) == 1
    assert "pip install pyarrow" in capsys.readouterr().err
    assert not (tmp_path / "out.parquet").exists()


def test_import_memory_stays_flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pyarrow()
    pa = importlib.import_module("pyarrow")
    monkeypatch.setattr(parquet, "GROUP_ROWS", 1000)
    n, dim = 20_000, 64  # 5 MB of vectors, in twenty row groups of 256 kB
    col = huedb.PersistentClient(tmp_path / "src").create_collection("flat",
                                                                     embedding_function=None)
    rng = np.random.default_rng(3)  # random: constant vectors would compress to nothing
    for start in range(0, n, 5000):
        col.add(ids=[str(i) for i in range(start, start + 5000)],
                embeddings=rng.random((5000, dim), np.float32))
    ops.export_parquet(tmp_path / "src", tmp_path / "flat.parquet")
    peak = [0]
    runs = parquet._runs

    def watched(batch: Any) -> Any:
        peak[0] = max(peak[0], pa.total_allocated_bytes())
        return runs(batch)

    monkeypatch.setattr(parquet, "_runs", watched)
    assert ops.import_parquet(tmp_path / "flat.parquet", tmp_path / "dst") == n
    # Reading the whole file at once would buffer all 5 MB of its vectors.
    assert 0 < peak[0] < 2_000_000, peak[0]
