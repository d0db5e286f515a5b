"""SIGKILL a writer in the middle of saving its vector index or rebuilding its graph.

The collection is large enough to carry an HNSW graph and is churned so that graph updates,
full rebuilds and index saves keep happening. The child (index_crash_child.py) reports each
acknowledged batch, save and build; a trial either stops it at a chosen step of a chosen save
(each data file written, the new meta.json written but not yet renamed, renamed but the old
generation not yet deleted) or half way through a graph build, then kills it there, or kills it
the moment a save starts. Afterwards: `verify` finds nothing wrong but leftovers of the
interrupted save (which `--repair` deletes), every acknowledged batch is present exactly, and
queries agree with brute force over what SQLite holds.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import huedb
from huedb import ops
from tests.durability.workload import GRAPH_DIM, Batch, Model, graph_batches

TRIALS = int(os.environ.get("HUEDB_INDEX_CRASH_TRIALS", "12"))
REPO = Path(__file__).resolve().parents[2]
SAVE_STEPS = 7  # four arrays, the graph, meta.json's temporary file, then the rename

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]


def _plan(trial: int, rng: random.Random) -> list[str]:
    kind = trial % 3
    if kind == 0:
        return ["save", str(rng.randint(1, 3)), str(rng.randrange(SAVE_STEPS))]
    if kind == 1:
        return ["build", str(rng.randint(1, 3))]
    return ["none", str(rng.randint(1, 4))]  # kill as save N starts, racing it


def _run_and_kill(path: Path, seed: int, plan: list[str], linger: float) -> list[str]:
    """The child's output up to its death."""
    errors = path.with_name(path.name + ".stderr")
    with open(errors, "w") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.durability.index_crash_child", str(path), str(seed),
             *plan], stdout=subprocess.PIPE, stderr=err, cwd=REPO, text=True)
    assert child.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    trigger = "paused" if plan[0] != "none" else f"save-start {plan[1]}"
    try:
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"child ended before {trigger!r}: {errors.read_text()}")
            seen.append(line)
            if line == trigger:
                break
        if linger:
            time.sleep(linger)  # the main thread keeps writing while the save or build waits
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        while (line := lines.get(timeout=30)) is not None:
            seen.append(line)
        child.stdout.close()
    return seen


def _landed_in(seen: list[str]) -> str | None:
    """'save' or 'build' if the output shows one started and not finished when the kill came."""
    started: dict[str, set[str]] = {"save": set(), "build": set()}
    for line in seen:
        word, _, rest = line.partition(" ")
        kind, _, edge = word.partition("-")
        if kind in started and edge in ("start", "end"):
            number = rest.split()[0]
            if edge == "start":
                started[kind].add(number)
            else:
                started[kind].discard(number)
    return "save" if started["save"] else "build" if started["build"] else None


def _matches_model(batches: list[Batch], last: int, stored: dict[str, Any]) -> bool:
    """Whether SQLite holds the state after batch `last`, or after the one in flight."""
    model = Model()
    for b in batches[: last + 1]:
        model.apply(b)
    if stored == model.rows:
        return True
    if last + 1 < len(batches):
        model.apply(batches[last + 1])  # it may have committed before the kill landed
    return stored == model.rows


def _check_queries(col: huedb.Collection, stored: dict[str, dict[str, Any]]) -> float:
    """Self-queries find themselves first; returns recall@10 of random queries vs brute force."""
    ids = list(stored)
    vectors = np.asarray([stored[i]["embedding"] for i in ids], np.float32)
    rng = np.random.default_rng(len(ids))
    picks = rng.choice(len(ids), 10, replace=False)
    got = col.query(query_embeddings=vectors[picks], n_results=1, include=[])["ids"]
    assert [g[0] for g in got] == [ids[i] for i in picks]
    queries = rng.uniform(-1, 1, (10, GRAPH_DIM)).astype(np.float32)
    found = col.query(query_embeddings=queries, n_results=10, include=[])["ids"]
    hits = 0
    for q, answer in zip(queries, found, strict=True):
        truth = np.argsort(((vectors - q) ** 2).sum(axis=1), kind="stable")[:10]
        hits += len({ids[i] for i in truth} & set(answer))
    return hits / 100


def test_sigkill_during_index_saves_and_graph_builds(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    trials = [(tmp_path / f"t{n}", rng.randrange(10**6), _plan(n, rng),
               rng.choice([0.0, 0.0, 0.05, 0.2])) for n in range(TRIALS)]
    results = []
    # Children run two at a time in the background while finished trials are checked here.
    with ThreadPoolExecutor(2) as pool:
        outputs = [pool.submit(_run_and_kill, *trial) for trial in trials]
        for (path, seed, plan, _), output in zip(trials, outputs, strict=True):
            results.append(_check_trial(path, seed, plan, output.result()))
    landed = [r[0] for r in results]
    recalls = [r[3] for r in results]
    assert min(recalls) >= 0.95, recalls
    print(f"{TRIALS} trials: {landed.count('save')} kills inside an index save, "
          f"{landed.count('build')} inside a graph build, {landed.count(None)} between; "
          f"{sum(r[1] for r in results)} leftover files found and repaired; "
          f"{sum(r[2] for r in results)} acknowledged batches checked, 0 lost; "
          f"recall@10 min {min(recalls):.2f} mean {sum(recalls) / len(recalls):.3f}")


def _check_trial(path: Path, seed: int, plan: list[str],
                 seen: list[str]) -> tuple[str | None, int, int, float]:
    """Where the kill landed, leftover files found, batches checked, recall@10."""
    acks = [int(line.split()[1]) for line in seen if line.startswith("ack ")]
    last = acks[-1] if acks else -1
    # What the crash left on disk, before anything reopens it.
    report = ops.verify(path)
    wrong = [p for p in report.problems if "interrupted save" not in p]
    assert not wrong, f"{path.name} {plan}: {wrong}"
    huedb.ClientAPI.clear_system_cache()
    col = huedb.PersistentClient(path).get_collection("crash", embedding_function=None)
    got: Any = col.get(include=["embeddings", "documents", "metadatas"])
    stored = {rid: {"embedding": emb.tolist(), "document": doc, "metadata": md}
              for rid, emb, doc, md in zip(got["ids"], got["embeddings"], got["documents"],
                                           got["metadatas"], strict=True)}
    assert _matches_model(graph_batches(seed, last + 2), last, stored), \
        f"{path.name} {plan}: matches neither batch {last} nor the next"
    recall = _check_queries(col, stored)
    huedb.ClientAPI.clear_system_cache()
    assert ops.verify(path, repair=True).ok
    return _landed_in(seen), len(report.problems), last + 1, recall
