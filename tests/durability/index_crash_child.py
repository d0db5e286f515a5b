"""Writes graph-sized batches, reporting each acknowledged batch, index save and graph build.

Every line goes to stdout as it happens: `ack N` once batch N's call returned, `save-start N` /
`save-step N S` / `save-end N` around the Nth index save, `build-start N full|update` /
`build-end N` around the Nth graph build. With a target (`save N S` or `build N`) the process
stops at that point (step S of save N, or half way through build N) and prints `paused`, so the
parent's SIGKILL lands exactly there while the main thread keeps writing.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import huedb
from huedb.engine import persist
from huedb.engine.ann import AnnIndex
from huedb.engine.graph import Graph
from tests.durability.workload import GRAPH_DIM, graph_batches

_lock = threading.Lock()


def say(line: str) -> None:
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def pause() -> None:
    say("paused")
    time.sleep(3600)  # until the parent's SIGKILL


def hook(target: list[str]) -> None:
    saves, builds = [0], [0]
    mode = target[0]
    want = int(target[1]) if mode != "none" else -1
    step_at = int(target[2]) if mode == "save" else -1
    save, run, add = persist.save, AnnIndex._run, Graph.add
    fsync_and_describe, fsync_dir = persist._fsync_and_describe, persist._fsync_dir
    steps = [0]

    def stepped(original: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any) -> Any:
            n, s = saves[0], steps[0]
            steps[0] += 1
            say(f"save-step {n} {s}")
            if mode == "save" and n == want and s == step_at:
                pause()
            return original(*args)
        return step

    def saving(*args: Any) -> None:
        saves[0] += 1
        steps[0] = 0
        say(f"save-start {saves[0]}")
        save(*args)
        say(f"save-end {saves[0]}")

    def running(self: AnnIndex, base: Any, *args: Any) -> None:
        builds[0] += 1
        n = builds[0]
        say(f"build-start {n} {'full' if base is None else 'update'}")
        run(self, base, *args)
        say(f"build-end {n}")

    def adding(self: Graph, rids: Any, vectors: Any, *args: Any) -> bool:
        if mode == "build" and builds[0] == want and threading.current_thread().name == \
                "huedb-graph" and len(rids) > 1:
            half = len(rids) // 2
            add(self, rids[:half], vectors[:half], *args)
            pause()
        return bool(add(self, rids, vectors, *args))

    patches: list[tuple[Any, str, Any]] = [
        (persist, "save", saving), (persist, "_fsync_and_describe", stepped(fsync_and_describe)),
        (persist, "_fsync_dir", stepped(fsync_dir)), (AnnIndex, "_run", running),
        (Graph, "add", adding)]
    for owner, name, value in patches:
        setattr(owner, name, value)


def main(path: str, seed: int, target: list[str]) -> None:
    hook(target)
    col = huedb.PersistentClient(Path(path)).get_or_create_collection(
        "crash", embedding_function=None)
    probe = np.full((1, GRAPH_DIM), 0.1, np.float32)
    for n, b in enumerate(graph_batches(seed)):
        if b.op == "delete":
            col.delete(ids=b.ids)
        else:
            getattr(col, b.op)(ids=b.ids, embeddings=b.embeddings, documents=b.documents,
                               metadatas=b.metadatas)
        say(f"ack {n}")  # acknowledged only once the call returned, i.e. after the commit
        # Each read catches the index up and may start a graph build; builds end in saves.
        col.query(query_embeddings=probe, n_results=3, include=[])
    say("done")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
