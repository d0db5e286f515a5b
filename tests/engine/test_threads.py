"""Many threads sharing one client: every write lands and reads stay consistent."""

from __future__ import annotations

import threading

import numpy as np

import huedb


def test_threads_share_one_client(client: huedb.ClientAPI) -> None:
    col = client.create_collection("threads", embedding_function=None)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            rng = np.random.default_rng(t)
            for b in range(10):
                ids = [f"t{t}-{b}-{i}" for i in range(20)]
                col.upsert(ids=ids, embeddings=rng.random((20, 4), dtype=np.float32),
                           metadatas=[{"t": t}] * 20)
                res = col.query(query_embeddings=rng.random((2, 4), dtype=np.float32),
                                n_results=3, where={"t": t})
                assert all(len(r) == 3 for r in res["ids"])
                assert all(i.startswith(f"t{t}-") for r in res["ids"] for i in r)
        except BaseException as e:  # surfaced in the main thread below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    assert col.count() == 6 * 10 * 20
