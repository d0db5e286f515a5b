"""Writes the seeded batches to a database and prints the number of each acknowledged batch."""

from __future__ import annotations

import sys
from pathlib import Path

import huedb
from tests.durability.workload import batches


def main(path: str, seed: int) -> None:
    client = huedb.PersistentClient(Path(path))
    col = client.get_or_create_collection("crash", embedding_function=None)
    for n, b in enumerate(batches(seed)):
        if b.op == "delete":
            col.delete(ids=b.ids)
        else:
            getattr(col, b.op)(ids=b.ids, embeddings=b.embeddings, documents=b.documents,
                               metadatas=b.metadatas)
        if n % 7 == 3:  # reads between writes exercise the index's catch-up and saves
            col.query(query_embeddings=[[0.1] * 8], n_results=5)
        # Acknowledged only once the call returned, i.e. after the commit.
        sys.stdout.write(f"{n}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
