"""Functions run in child processes by the multi-process tests (importable under spawn)."""

from __future__ import annotations

import multiprocessing.queues
import zlib
from pathlib import Path

import numpy as np

import huedb

DIM = 8


def vector_for(record_id: str) -> list[float]:
    seed = zlib.crc32(record_id.encode())
    return np.random.default_rng(seed).random(DIM, dtype=np.float32).tolist()


def writer(path: str, name: str, batches: int, batch_size: int,
           acked: multiprocessing.queues.Queue[tuple[str, list[str], list[str]]]) -> None:
    """Adds batches, deletes every fifth record of each, and reports each acknowledged batch."""
    client = huedb.PersistentClient(Path(path))
    col = client.get_or_create_collection("shared", embedding_function=None)
    for b in range(batches):
        ids = [f"{name}-{b}-{i}" for i in range(batch_size)]
        col.add(ids=ids, embeddings=[vector_for(i) for i in ids],
                metadatas=[{"writer": name, "batch": b} for _ in ids],
                documents=[f"doc {i}" for i in ids])
        doomed = ids[::5]
        col.delete(ids=doomed)
        acked.put((name, ids, doomed))
    acked.put((name, [], []))


def reader(path: str, rounds: int, errors: multiprocessing.queues.Queue[str]) -> None:
    """Reads while writers write: batches appear whole and queries return only live records."""
    client = huedb.PersistentClient(Path(path))
    col = client.get_or_create_collection("shared", embedding_function=None)
    for _ in range(rounds):
        ids = col.get(include=[])["ids"]
        groups: dict[str, int] = {}
        for record_id in ids:
            group = record_id.rsplit("-", 1)[0]
            groups[group] = groups.get(group, 0) + 1
        torn = {g: n for g, n in groups.items() if n not in (40, 32)}
        if torn:
            errors.put(f"partial batches visible: {torn}")
        if ids:
            res = col.query(query_embeddings=[vector_for("probe")], n_results=5,
                            include=["metadatas", "distances"])
            # Between the get and the query at most 8 records per writer can disappear.
            if len(ids) > 20 and len(res["ids"][0]) != 5:
                errors.put(f"query returned too few ids: {res['ids'][0]}")
    errors.put("done")


def add_then_delete(path: str, add_ids: list[str], delete_ids: list[str]) -> None:
    client = huedb.PersistentClient(Path(path))
    col = client.get_collection("visible", embedding_function=None)
    if add_ids:
        col.add(ids=add_ids, embeddings=[vector_for(i) for i in add_ids])
    if delete_ids:
        col.delete(ids=delete_ids)


def add_delete_and_check(path: str, add_ids: list[str], delete_ids: list[str],
                         present_ids: list[str]) -> None:
    """Writes, then checks that its own queries find `present_ids` and never `delete_ids`."""
    client = huedb.PersistentClient(Path(path))
    col = client.get_collection("visible", embedding_function=None)
    col.add(ids=add_ids, embeddings=[vector_for(i) for i in add_ids])
    col.delete(ids=delete_ids)
    for record_id in present_ids + add_ids:
        found = col.query(query_embeddings=[vector_for(record_id)], n_results=1)["ids"][0]
        assert found == [record_id], (record_id, found)
    gone = col.query(query_embeddings=[vector_for(i) for i in delete_ids], n_results=3)["ids"]
    assert not set(delete_ids) & {i for row in gone for i in row}
