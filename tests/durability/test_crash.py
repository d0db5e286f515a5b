"""SIGKILL a writer at random moments: every acknowledged batch survives whole, nothing else half.

Each trial starts a child that writes seeded batches (add/upsert/update/delete, with and without
documents) and acknowledges each after its call returns. The parent kills it with SIGKILL after a
random delay, reopens the database and compares it with the model after the last acknowledged
batch, or after the one in flight (which may have committed before the kill landed).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import huedb
from tests.durability.workload import Model, batches

TRIALS = int(os.environ.get("HUEDB_CRASH_TRIALS", "50"))
REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]


def _run_and_kill(path: Path, seed: int, delay: float) -> int:
    """Returns the number of the last acknowledged batch (-1 if none)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.durability.crash_child", str(path), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, text=True,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err  # it was still writing when killed
    acked = [int(line) for line in out.split()]
    return acked[-1] if acked else -1


def _stored(path: Path) -> dict[str, dict[str, Any]] | None:
    huedb.ClientAPI.clear_system_cache()
    client = huedb.PersistentClient(path)
    try:
        col = client.get_collection("crash", embedding_function=None)
    except huedb.errors.NotFoundError:
        return None
    got = col.get(include=["embeddings", "documents", "metadatas"])
    return {
        rid: {"embedding": [round(float(x), 3) for x in emb], "document": doc, "metadata": md}
        for rid, emb, doc, md in zip(got["ids"], got["embeddings"], got["documents"],
                                     got["metadatas"], strict=True)
    }


def _model_after(seed: int, last: int) -> dict[str, dict[str, Any]]:
    model = Model()
    for b in batches(seed)[: last + 1]:
        model.apply(b)
    return {k: {**v, "embedding": [round(float(np.float32(x)), 3) for x in v["embedding"]]}
            for k, v in model.rows.items()}


def test_sigkill_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    kills = checked = 0
    for trial in range(TRIALS):
        path = tmp_path / f"t{trial}"
        seed = rng.randrange(10**6)
        last = _run_and_kill(path, seed, rng.uniform(0.4, 1.6))
        kills += 1
        stored = _stored(path)
        if stored is None:  # killed before the collection was created
            assert last == -1
            continue
        candidates = [_model_after(seed, last), _model_after(seed, last + 1)]
        assert stored in candidates, f"trial {trial}: state matches neither batch {last} nor next"
        checked += last + 1
        # The reopened database answers queries consistently with what it holds.
        col = huedb.PersistentClient(path).get_collection("crash", embedding_function=None)
        if stored:
            q = [[0.3] * 8]
            res = col.query(query_embeddings=q, n_results=5, include=["distances"])
            truth = sorted(sum((a - 0.3) ** 2 for a in row["embedding"])
                           for row in stored.values())[:5]
            assert res["distances"][0] == pytest.approx(truth, abs=1e-3)
    print(f"{TRIALS} trials, {kills} kills, {checked} acknowledged batches checked, 0 lost")
