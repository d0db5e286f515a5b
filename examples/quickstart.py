"""Quickstart: a persistent database, documents with metadata, and a filtered query."""

from __future__ import annotations

import sys
import tempfile

import huedb


def main(path: str) -> None:
    client = huedb.PersistentClient(path=path)
    # No embedding_function: Chroma's default model (all-MiniLM-L6-v2), shipped for offline use.
    collection = client.get_or_create_collection("articles")
    collection.upsert(
        ids=["sqlite", "hnsw", "wal", "cats"],
        documents=[
            "SQLite is a small, fast, reliable SQL database engine.",
            "HNSW graphs give fast approximate nearest neighbour search.",
            "Write-ahead logging lets readers and a writer work at the same time.",
            "Cats sleep for most of the day.",
        ],
        metadatas=[
            {"topic": "databases", "year": 2000},
            {"topic": "search", "year": 2016},
            {"topic": "databases", "year": 2010},
            {"topic": "pets", "year": 2024},
        ],
    )
    results = collection.query(
        query_texts=["how do databases stay consistent while writing?"],
        n_results=2,
        where={"topic": "databases"},
    )
    print(f"{collection.count()} documents stored in {path}")
    rows = zip(results["ids"][0], results["documents"][0], results["distances"][0], strict=True)
    for rank, (doc_id, doc, dist) in enumerate(rows, start=1):
        print(f"{rank}. {doc_id:8s} distance={dist:.4f}  {doc}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="huedb-quickstart-"))
