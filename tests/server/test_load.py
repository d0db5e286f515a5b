"""Bounded concurrent load on loopback: 8 clients x 200 mixed requests, no errors, no lost write."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

import huedb
from tests.server.conftest import Server

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow]
CLIENTS, REQUESTS, DIM = 8, 200, 8


def test_concurrent_mixed_load(tmp_path: Path) -> None:
    running = Server(tmp_path / "data", "--workers", "2")
    errors: list[BaseException] = []
    written: list[list[str]] = [[] for _ in range(CLIENTS)]
    try:
        setup = huedb.HttpClient(host="127.0.0.1", port=running.port)
        setup.create_collection("load", embedding_function=None).add(
            ids=["seed"], embeddings=[[0.0] * DIM])

        def work(n: int) -> None:
            rng = random.Random(n)
            try:
                client = huedb.HttpClient(host="127.0.0.1", port=running.port)
                col = client.get_collection("load", embedding_function=None)
                for i in range(REQUESTS):
                    vector = [rng.random() for _ in range(DIM)]
                    op = i % 4
                    if op == 0:
                        ident = f"c{n}-{i}"
                        col.add(ids=[ident], embeddings=[vector], metadatas=[{"c": n}],
                                documents=[f"doc {ident}"])
                        written[n].append(ident)
                    elif op == 1:
                        assert len(col.query(query_embeddings=[vector], n_results=3)["ids"][0])
                    elif op == 2:
                        col.get(where={"c": n}, limit=5)
                    else:
                        assert col.count() >= 1
                client.close()
            except BaseException as exc:  # collected and reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert not any(t.is_alive() for t in threads)
        assert not errors, errors[:3]
        col = setup.get_collection("load", embedding_function=None)
        expected = {ident for ids in written for ident in ids}
        assert col.count() == len(expected) + 1
        assert set(col.get(ids=sorted(expected))["ids"]) == expected
        setup.close()
    finally:
        running.stop()
