"""Chroma users' import paths (`chromadb.utils.embedding_functions`, `.api.types`) work on huedb."""

from __future__ import annotations

import importlib

import pytest

import huedb.embeddings


def test_utils_embedding_functions_path() -> None:
    from huedb.utils import embedding_functions
    from huedb.utils.embedding_functions import (
        DefaultEmbeddingFunction,
        EmbeddingFunction,
        HashingEmbeddingFunction,
        ONNXMiniLM_L6_V2,
        config_to_embedding_function,
        known_embedding_functions,
        register_embedding_function,
    )

    assert DefaultEmbeddingFunction is huedb.embeddings.DefaultEmbeddingFunction
    assert EmbeddingFunction is huedb.embeddings.EmbeddingFunction
    assert HashingEmbeddingFunction is huedb.embeddings.HashingEmbeddingFunction
    assert ONNXMiniLM_L6_V2 is huedb.embeddings.ONNXMiniLM_L6_V2
    assert known_embedding_functions is huedb.embeddings.known_embedding_functions
    assert register_embedding_function is huedb.embeddings.register_embedding_function
    assert config_to_embedding_function({"name": "huedb_hashing", "config": {"dim": 4}}) == (
        HashingEmbeddingFunction(dim=4)
    )
    assert {
        "DefaultEmbeddingFunction",
        "HashingEmbeddingFunction",
        "ONNXMiniLM_L6_V2",
        "OpenAIEmbeddingFunction",
        "HuggingFaceEmbeddingServer",
    } <= embedding_functions.get_builtins()
    assert embedding_functions.OpenAIEmbeddingFunction is huedb.embeddings.OpenAIEmbeddingFunction


def test_chroma_only_providers_fail_with_a_clear_message() -> None:
    from huedb.utils import embedding_functions

    with pytest.raises(AttributeError, match="huedb does not provide Chroma's NomicEmbedding"):
        embedding_functions.NomicEmbeddingFunction  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        embedding_functions.NoSuchThing  # noqa: B018


COMMON_TYPE_NAMES = [
    "Documents",
    "Document",
    "Embeddings",
    "Embedding",
    "EmbeddingFunction",
    "DefaultEmbeddingFunction",
    "DataLoader",
    "Embeddable",
    "Metadata",
    "Metadatas",
    "Where",
    "WhereDocument",
    "GetResult",
    "QueryResult",
    "Include",
    "IncludeEnum",
    "ID",
    "IDs",
    "OneOrMany",
    "Space",
    "Images",
    "URIs",
    "CollectionMetadata",
    "SparseVector",
    "SparseEmbeddingFunction",
    "validate_embedding_function",
    "maybe_cast_one_to_many",
]


@pytest.mark.parametrize("module", ["huedb.api.types", "huedb.api"])
def test_api_types_path_has_the_common_names(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in COMMON_TYPE_NAMES if not hasattr(mod, name)]
    assert missing == []
    assert mod.EmbeddingFunction is huedb.embeddings.EmbeddingFunction


def test_api_types_all_is_sorted_and_resolves() -> None:
    from huedb.api import types

    assert types.__all__ == sorted(types.__all__)
    assert [name for name in types.__all__ if not hasattr(types, name)] == []


def test_api_exposes_client_classes_lazily() -> None:
    import huedb.api
    import huedb.client

    assert huedb.api.ClientAPI is huedb.client.ClientAPI
    assert huedb.api.AdminAPI is huedb.client.AdminClient
    with pytest.raises(AttributeError):
        huedb.api.NoSuchThing  # noqa: B018


def test_one_or_many_helpers() -> None:
    from huedb.api.types import OneOrMany, maybe_cast_one_to_many

    value: OneOrMany[str] = "a"
    assert maybe_cast_one_to_many(value) == ["a"]
    many: OneOrMany[str] = ["a", "b"]
    assert maybe_cast_one_to_many(many) == ["a", "b"]
    assert maybe_cast_one_to_many(None) is None
