"""llama-index-vector-stores-chroma's `ChromaVectorStore` over huedb, in process and over HTTP.

Vectors come from `words.embed` (axes: cat, dog, fish, bird, tree, rock); the store reports
similarity as exp(-distance) with Chroma's squared-l2 distance, so each score is exact. No LLM is
called: retrieval goes through retrievers, and the one query engine answers with MockLLM.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

pytest.importorskip("llama_index.vector_stores.chroma",
                    reason="llama-index-vector-stores-chroma is not installed in this venv: "
                    "scripts/test-integrations runs these tests in .venv-integrations")

from llama_index.core import Document, StorageContext, VectorStoreIndex  # noqa: E402
from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402
from llama_index.core.llms import MockLLM  # noqa: E402
from llama_index.core.schema import NodeWithScore  # noqa: E402
from llama_index.core.vector_stores import (  # noqa: E402
    ExactMatchFilter,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)
from llama_index.vector_stores.chroma import ChromaVectorStore  # noqa: E402

import huedb  # noqa: E402
from tests.integrations.words import embed  # noqa: E402


class WordEmbedding(BaseEmbedding):
    """LlamaIndex's face of `words.embed` (metadata keys and values here are not vocabulary)."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return embed(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return embed(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return embed(text)


# doc_id -> (text, metadata); vectors: d-cat e1, d-dog e1+e2, d-bird e4+e5, d-fish 2*e3.
ANIMALS: dict[str, tuple[str, dict[str, Any]]] = {
    "d-cat": ("the cat naps", {"kind": "pet", "year": 2020}),
    "d-dog": ("a dog and a cat", {"kind": "pet", "year": 2022}),
    "d-bird": ("a bird in a tree", {"kind": "wild", "year": 2023}),
    "d-fish": ("one fish two fish", {"kind": "wild", "year": 2024}),
}


def build_index(client: Any, corpus: dict[str, tuple[str, dict[str, Any]]] = ANIMALS,
                name: str = "animals") -> tuple[VectorStoreIndex, ChromaVectorStore, Any]:
    collection = client.get_or_create_collection(name)
    store = ChromaVectorStore(chroma_collection=collection)
    documents = [Document(text=text, metadata=meta, doc_id=doc_id)
                 for doc_id, (text, meta) in corpus.items()]
    index = VectorStoreIndex.from_documents(
        documents, storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=WordEmbedding())
    return index, store, collection


def hits(nodes: list[NodeWithScore]) -> list[tuple[str | None, float | None]]:
    return [(n.node.ref_doc_id, n.score) for n in nodes]


def retrieve(index: VectorStoreIndex, query: str, filters: MetadataFilters | None = None,
             top_k: int = 4) -> list[str | None]:
    nodes = index.as_retriever(similarity_top_k=top_k, filters=filters).retrieve(query)
    return [n.node.ref_doc_id for n in nodes]


def test_index_and_retrieve(chroma_client: Any) -> None:
    index, _, collection = build_index(chroma_client)
    assert collection.count() == 4
    nodes = index.as_retriever(similarity_top_k=4).retrieve("cat")
    # Squared-l2 distances 0, 1, 3, 5 reported as exp(-distance).
    assert hits(nodes) == [("d-cat", 1.0), ("d-dog", math.exp(-1)), ("d-bird", math.exp(-3)),
                           ("d-fish", math.exp(-5))]
    assert nodes[1].node.get_content() == "a dog and a cat"
    assert nodes[1].node.metadata == {"kind": "pet", "year": 2022}


def test_metadata_filters(chroma_client: Any) -> None:
    index, _, _ = build_index(chroma_client)
    exact = MetadataFilters(filters=[ExactMatchFilter(key="kind", value="wild")])
    assert retrieve(index, "cat", exact) == ["d-bird", "d-fish"]
    after_2021 = MetadataFilters(filters=[
        MetadataFilter(key="year", value=2021, operator=FilterOperator.GT)])
    assert retrieve(index, "cat", after_2021) == ["d-dog", "d-bird", "d-fish"]
    some_years = MetadataFilters(filters=[
        MetadataFilter(key="year", value=[2020, 2024], operator=FilterOperator.IN)])
    assert retrieve(index, "cat", some_years) == ["d-cat", "d-fish"]
    other_years = MetadataFilters(filters=[
        MetadataFilter(key="year", value=[2020, 2024], operator=FilterOperator.NIN)])
    assert retrieve(index, "cat", other_years) == ["d-dog", "d-bird"]
    old_or_wild = MetadataFilters(condition=FilterCondition.OR, filters=[
        MetadataFilter(key="year", value=2021, operator=FilterOperator.LT),
        MetadataFilter(key="kind", value="wild", operator=FilterOperator.EQ)])
    assert retrieve(index, "cat", old_or_wild) == ["d-cat", "d-bird", "d-fish"]
    nested = MetadataFilters(condition=FilterCondition.AND, filters=[
        MetadataFilter(key="kind", value="pet", operator=FilterOperator.NE),
        MetadataFilters(condition=FilterCondition.OR, filters=[
            MetadataFilter(key="year", value=2023, operator=FilterOperator.LTE),
            MetadataFilter(key="year", value=2030, operator=FilterOperator.GTE)])])
    assert retrieve(index, "cat", nested) == ["d-bird"]


def test_delete_by_ref_doc_id(chroma_client: Any) -> None:
    index, store, collection = build_index(chroma_client)
    index.delete_ref_doc("d-dog", delete_from_docstore=True)
    assert collection.count() == 3
    assert collection.get(where={"document_id": "d-dog"})["ids"] == []
    assert retrieve(index, "dog") == ["d-cat", "d-bird", "d-fish"]
    store.delete("d-fish")  # the store's own delete, by the same ref_doc_id metadata
    assert retrieve(index, "fish") == ["d-cat", "d-bird"]


def test_store_get_nodes_delete_nodes_and_clear(chroma_client: Any) -> None:
    _, store, collection = build_index(chroma_client)
    pets = MetadataFilters(filters=[ExactMatchFilter(key="kind", value="pet")])
    nodes = store.get_nodes(None, filters=pets)
    assert sorted(n.ref_doc_id or "" for n in nodes) == ["d-cat", "d-dog"]
    by_id = store.get_nodes([nodes[0].node_id])
    assert [n.node_id for n in by_id] == [nodes[0].node_id]
    assert by_id[0].get_content() == nodes[0].get_content()
    store.delete_nodes([n.node_id for n in nodes])
    assert sorted(m["document_id"] for m in collection.get()["metadatas"]) == [
        "d-bird", "d-fish"]
    store.clear()
    assert collection.count() == 0


def test_mmr_retrieval_prefers_diversity(chroma_client: Any) -> None:
    corpus = {"d-cat": ("a cat", {}), "d-cat2": ("cat again", {}), "d-dog": ("a dog", {}),
              "d-fish": ("a fish", {})}
    index, _, _ = build_index(chroma_client, corpus, name="mmr")
    # Query 2*e1+e2: the identical cats are nearest (distance 2); MMR takes one, then the dog (4).
    plain = index.as_retriever(similarity_top_k=2).retrieve("cat cat dog")
    assert sorted(n.node.ref_doc_id or "" for n in plain) == ["d-cat", "d-cat2"]
    mmr = index.as_retriever(similarity_top_k=2, vector_store_query_mode="mmr").retrieve(
        "cat cat dog")
    assert [n.node.ref_doc_id for n in mmr][1] == "d-dog"
    assert [n.score for n in mmr] == [math.exp(-2), math.exp(-4)]


def test_async_retrieve(chroma_client: Any) -> None:
    index, _, _ = build_index(chroma_client)
    nodes = asyncio.run(index.as_retriever(similarity_top_k=1).aretrieve("tree"))
    assert hits(nodes) == [("d-bird", math.exp(-1))]


def test_query_engine_with_mock_llm(chroma_client: Any) -> None:
    index, _, _ = build_index(chroma_client)
    engine = index.as_query_engine(llm=MockLLM(), similarity_top_k=1,
                                   filters=MetadataFilters(filters=[
                                       ExactMatchFilter(key="kind", value="wild")]))
    response = engine.query("which animal lives in a tree")
    assert hits(response.source_nodes) == [("d-bird", math.exp(-1))]
    # MockLLM echoes its prompt, which carries the retrieved text as context.
    assert "a bird in a tree" in str(response)


def test_from_collection_wants_chromadbs_own_class(chroma_client: Any) -> None:
    # `from_collection` isinstance-checks against chromadb.Collection, which a huedb collection
    # is not (huedb never imports chromadb); the constructor, used everywhere above, takes any.
    collection = chroma_client.get_or_create_collection("checked")
    if isinstance(chroma_client, huedb.ClientAPI):
        with pytest.raises(Exception, match="argument is not chromadb collection instance"):
            ChromaVectorStore.from_collection(collection)
    else:
        assert ChromaVectorStore.from_collection(collection).client is collection


def test_persisted_index_reopens(tmp_path: Any) -> None:
    build_index(huedb.PersistentClient(path=tmp_path))
    huedb.ClientAPI.clear_system_cache()  # closes the database, as a new process would find it
    collection = huedb.PersistentClient(path=tmp_path).get_collection("animals")
    index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection),
                                               embed_model=WordEmbedding())
    assert retrieve(index, "fish", top_k=1) == ["d-fish"]
