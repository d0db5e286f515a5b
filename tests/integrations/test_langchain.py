"""langchain-chroma's `Chroma` vector store over huedb, in process and over HTTP.

Vectors come from `words.embed` (axes: cat, dog, fish, bird, tree, rock), so each expected
distance below is worked out by hand: l2 is Chroma's squared Euclidean distance.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain_chroma", reason="langchain-chroma is not installed in this venv: "
                    "scripts/test-integrations runs these tests in .venv-integrations")

from langchain_chroma import Chroma  # noqa: E402
from langchain_core.documents import Document  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402

import huedb  # noqa: E402
from tests.integrations.words import embed  # noqa: E402

# Chroma's own client warns when it reads back the configuration of a collection made with
# embedding_function=None (as the store makes them); chromadb does the same against Chroma.
pytestmark = pytest.mark.filterwarnings(
    "ignore:legacy embedding function config:DeprecationWarning")


class WordEmbeddings(Embeddings):
    """LangChain's face of `words.embed`."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed(text)


# id -> (text, metadata); vectors: cat e1, cat-dog e1+e2, bird e4+e5, fish 2*e3.
PETS: dict[str, tuple[str, dict[str, Any]]] = {
    "cat": ("the cat naps", {"kind": "pet", "legs": 4, "year": 2020}),
    "cat-dog": ("a cat chases a dog", {"kind": "pet", "legs": 4, "year": 2022}),
    "bird": ("a bird in a tree", {"kind": "wild", "legs": 2, "year": 2023}),
    "fish": ("one fish two fish", {"kind": "wild", "legs": 0, "year": 2024}),
}


def pets_store(client: Any, **kwargs: Any) -> Chroma:
    store = Chroma(client=client, collection_name="pets", embedding_function=WordEmbeddings(),
                   **kwargs)
    ids = store.add_texts([text for text, _ in PETS.values()],
                          metadatas=[meta for _, meta in PETS.values()], ids=list(PETS))
    assert ids == list(PETS)
    return store


def ids_of(docs: list[Document]) -> list[str | None]:
    return [doc.id for doc in docs]


def test_similarity_search_with_score_is_squared_l2(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    hits = store.similarity_search_with_score("cat", k=4)
    assert [(doc.id, score) for doc, score in hits] == [
        ("cat", 0.0), ("cat-dog", 1.0), ("bird", 3.0), ("fish", 5.0)]
    doc = hits[1][0]
    assert doc.page_content == "a cat chases a dog"
    assert doc.metadata == {"kind": "pet", "legs": 4, "year": 2022}
    assert ids_of(store.similarity_search("cat", k=2)) == ["cat", "cat-dog"]


def test_similarity_search_filters(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    assert ids_of(store.similarity_search("cat", k=4, filter={"kind": "wild"})) == [
        "bird", "fish"]
    recent_pets = {"$and": [{"kind": "pet"}, {"year": {"$gt": 2020}}]}
    assert ids_of(store.similarity_search("cat", k=4, filter=recent_pets)) == ["cat-dog"]
    assert ids_of(store.similarity_search("cat", k=4, filter={"legs": {"$in": [0, 2]}})) == [
        "bird", "fish"]
    hits = store.similarity_search_with_score("cat", k=4, where_document={"$contains": "tree"})
    assert [(doc.id, score) for doc, score in hits] == [("bird", 3.0)]


def test_similarity_search_by_vector(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    vector = [0.0, 0.0, 2.0, 1.0, 0.0, 0.0]
    assert ids_of(store.similarity_search_by_vector(vector, k=4)) == [
        "fish", "bird", "cat", "cat-dog"]
    hits = store.similarity_search_by_vector_with_relevance_scores(vector, k=2)
    assert [(doc.id, score) for doc, score in hits] == [("fish", 1.0), ("bird", 5.0)]
    assert ids_of(store.similarity_search_by_vector(vector, k=4, filter={"kind": "pet"})) == [
        "cat", "cat-dog"]


def test_similarity_search_with_vectors(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    [(doc, vector)] = store.similarity_search_with_vectors("bird", k=1)
    assert doc.id == "bird"
    assert list(vector) == [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]


def test_async_and_concurrent_calls(chroma_client: Any) -> None:
    # LangChain runs the store's sync methods on executor threads for its async API and batches.
    store = Chroma(client=chroma_client, collection_name="threads",
                   embedding_function=WordEmbeddings())

    async def add_then_search() -> list[Document]:
        await store.aadd_texts(["a cat", "a dog", "a bird"], ids=["c", "d", "b"])
        return await store.asimilarity_search("dog", k=1)

    assert ids_of(asyncio.run(add_then_search())) == ["d"]
    retriever = store.as_retriever(search_kwargs={"k": 1})
    found = retriever.batch(["cat", "dog", "bird"] * 4, config={"max_concurrency": 4})
    assert [ids_of(docs) for docs in found] == [["c"], ["d"], ["b"]] * 4


def test_cosine_space_gives_relevance_scores(chroma_client: Any) -> None:
    # The store reads the space back from `collection.configuration` to pick its score function.
    store = pets_store(chroma_client, collection_configuration={"hnsw": {"space": "cosine"}})
    assert store._collection.configuration["hnsw"]["space"] == "cosine"
    hits = store.similarity_search_with_relevance_scores("cat", k=2)
    assert ids_of([doc for doc, _ in hits]) == ["cat", "cat-dog"]
    assert [score for _, score in hits] == pytest.approx([1.0, 1 / math.sqrt(2)], abs=1e-6)
    distances = [score for _, score in store.similarity_search_with_score("cat", k=2)]
    assert distances == pytest.approx([0.0, 1 - 1 / math.sqrt(2)], abs=1e-6)


def test_space_from_legacy_collection_metadata(chroma_client: Any) -> None:
    # Many LangChain programs still choose the space with Chroma's old metadata key.
    store = pets_store(chroma_client, collection_metadata={"hnsw:space": "cosine"})
    assert store._collection.metadata == {"hnsw:space": "cosine"}
    hits = store.similarity_search_with_relevance_scores("cat", k=2)
    assert [score for _, score in hits] == pytest.approx([1.0, 1 / math.sqrt(2)], abs=1e-6)


def test_invalid_metadata_gets_langchains_hint(chroma_client: Any) -> None:
    # The store recognises Chroma's ValueError by its text and appends its own advice.
    store = Chroma(client=chroma_client, collection_name="nested",
                   embedding_function=WordEmbeddings())
    with pytest.raises(ValueError, match="(?s)Expected metadata value to be.*"
                                         "filter_complex_metadata"):
        store.add_texts(["a cat"], metadatas=[{"owner": {"name": "Ann"}}])
    assert store.get()["ids"] == []


def test_max_marginal_relevance_prefers_diversity(chroma_client: Any) -> None:
    store = Chroma(client=chroma_client, collection_name="mmr",
                   embedding_function=WordEmbeddings())
    store.add_texts(["a cat", "cat again", "a dog", "a fish"],
                    ids=["cat", "cat-again", "dog", "fish"])
    # Query e1*2+e2: both cats are at distance 2, the dog at 4, the fish at 6. Plain search
    # returns the two identical cats; MMR swaps the second for the dog, which adds something new.
    similar = ids_of(store.similarity_search("cat cat dog", k=2))
    assert sorted(similar) == ["cat", "cat-again"]  # type: ignore[type-var]
    diverse = ids_of(store.max_marginal_relevance_search("cat cat dog", k=2, fetch_k=3))
    assert diverse[0] in ("cat", "cat-again") and diverse[1] == "dog"
    by_vector = store.max_marginal_relevance_search_by_vector([2.0, 1.0, 0, 0, 0, 0], k=2,
                                                              fetch_k=4)
    assert by_vector[1].id == "dog"


def test_get_update_and_delete(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    wild = store.get(where={"kind": "wild"}, include=["metadatas"])
    assert sorted(wild["ids"]) == ["bird", "fish"]
    assert wild["documents"] is None
    assert [doc.page_content for doc in store.get_by_ids(["fish", "missing"])] == [
        "one fish two fish"]

    store.update_document("fish", Document(page_content="a rock", metadata={"kind": "mineral"}))
    got = store.get(ids=["fish"])
    assert got["documents"] == ["a rock"]
    # Chroma merges the new metadata into the stored one (the reference kind proves it).
    assert got["metadatas"] == [{"kind": "mineral", "legs": 0, "year": 2024}]
    assert ids_of(store.similarity_search("rock", k=1)) == ["fish"]

    store.update_documents(["cat", "bird"], [Document(page_content="a tree", metadata={"n": 1}),
                                             Document(page_content="a dog", metadata={"n": 2})])
    hits = store.similarity_search_with_score("dog", k=2)
    assert [(doc.id, doc.page_content, score) for doc, score in hits] == [
        ("bird", "a dog", 0.0), ("cat-dog", "a cat chases a dog", 1.0)]

    store.delete(["cat-dog", "bird"])
    assert store.get(ids=["cat-dog", "bird"])["ids"] == []
    assert sorted(store.get()["ids"]) == ["cat", "fish"]
    assert ids_of(store.similarity_search("dog", k=4)) == ["cat", "fish"]


def test_add_documents_keeps_their_ids(chroma_client: Any) -> None:
    store = Chroma(client=chroma_client, collection_name="docs",
                   embedding_function=WordEmbeddings())
    ids = store.add_documents([Document(page_content="a bird", id="b", metadata={"n": 1}),
                               Document(page_content="a rock")])
    assert ids[0] == "b" and len(ids) == 2
    got = store.get(include=["metadatas", "documents"])
    by_id = dict(zip(got["ids"], zip(got["documents"], got["metadatas"], strict=True),
                     strict=True))
    assert by_id == {"b": ("a bird", {"n": 1}), ids[1]: ("a rock", None)}


def test_from_texts_and_from_documents(chroma_client: Any) -> None:
    texts = Chroma.from_texts(["a cat", "a dog", "a bird"], WordEmbeddings(),
                              metadatas=[{"n": 1}, {"n": 2}, {"n": 3}], ids=["c", "d", "b"],
                              client=chroma_client, collection_name="from-texts",
                              collection_configuration={"hnsw": {"space": "cosine"}})
    hits = texts.similarity_search_with_relevance_scores("dog", k=1)
    assert [(doc.id, doc.metadata, score) for doc, score in hits] == [("d", {"n": 2}, 1.0)]

    docs = [Document(page_content="a fish", metadata={"water": True}, id="f"),
            Document(page_content="a tree", metadata={"water": False}, id="t")]
    from_docs = Chroma.from_documents(docs, WordEmbeddings(), client=chroma_client,
                                      collection_name="from-docs")
    assert sorted(from_docs.get()["ids"]) == ["f", "t"]
    assert ids_of(from_docs.similarity_search("tree fish", k=2, filter={"water": True})) == ["f"]
    assert sorted(c.name for c in chroma_client.list_collections()) == ["from-docs", "from-texts"]


def test_as_retriever(chroma_client: Any) -> None:
    store = pets_store(chroma_client)
    retriever = store.as_retriever(search_kwargs={"k": 2, "filter": {"kind": "pet"}})
    assert ids_of(retriever.invoke("dog")) == ["cat-dog", "cat"]
    mmr = store.as_retriever(search_type="mmr", search_kwargs={"k": 1, "fetch_k": 4})
    assert ids_of(mmr.invoke("tree")) == ["bird"]


def test_score_threshold_retriever(chroma_client: Any) -> None:
    store = pets_store(chroma_client, collection_configuration={"hnsw": {"space": "cosine"}})
    # Relevance to "cat": cat 1.0, cat-dog 0.707, bird and fish 0.0.
    retriever = store.as_retriever(search_type="similarity_score_threshold",
                                   search_kwargs={"k": 4, "score_threshold": 0.5})
    assert ids_of(retriever.invoke("cat")) == ["cat", "cat-dog"]


def test_reset_and_delete_collection(chroma_client: Any) -> None:
    store = pets_store(chroma_client, collection_configuration={"hnsw": {"space": "cosine"}})
    store.reset_collection()
    assert store.get()["ids"] == []
    assert store._collection.configuration["hnsw"]["space"] == "cosine"
    store.delete_collection()
    assert chroma_client.list_collections() == []


def test_persisted_store_reopens(tmp_path: Path) -> None:
    first = Chroma(client=huedb.PersistentClient(path=tmp_path), collection_name="kept",
                   embedding_function=WordEmbeddings())
    first.add_texts(["a cat", "a dog"], metadatas=[{"n": 1}, {"n": 2}], ids=["c", "d"])
    huedb.ClientAPI.clear_system_cache()  # closes the database, as a new process would find it
    again = Chroma(client=huedb.PersistentClient(path=tmp_path), collection_name="kept",
                   embedding_function=WordEmbeddings(), create_collection_if_not_exists=False)
    hits = again.similarity_search_with_score("dog", k=1)
    assert [(doc.id, doc.metadata, score) for doc, score in hits] == [("d", {"n": 2}, 0.0)]
