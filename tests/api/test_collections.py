"""Collection lifecycle: names, metadata, configuration, listing, renaming, deleting."""

from __future__ import annotations

import uuid

import pytest

import huedb
from huedb.errors import ChromaError, InternalError, InvalidArgumentError, NotFoundError
from tests.async_adapter import unwrap
from tests.conftest import HTTP_KINDS

DEFAULT_HNSW = {"space": "l2", "ef_construction": 100, "ef_search": 100, "max_neighbors": 16,
                "resize_factor": 1.2, "sync_threshold": 1000}


def test_create_get_delete(client: huedb.ClientAPI) -> None:
    col = client.create_collection("docs", metadata={"a": 1, "b": "x", "c": True, "d": 1.5},
                                   embedding_function=None)
    assert isinstance(col.id, uuid.UUID)
    assert (col.name, col.tenant, col.database) == ("docs", "default_tenant", "default_database")
    assert col.metadata == {"a": 1, "b": "x", "c": True, "d": 1.5}
    assert repr(col) == "Collection(name=docs)"
    again = client.get_collection("docs", embedding_function=None)
    assert again.id == col.id and again.metadata == col.metadata
    assert client.get_collection_by_id(col.id, embedding_function=None).name == "docs"
    client.delete_collection("docs")
    with pytest.raises(NotFoundError, match=r"^Collection \[docs\] does not exist$"):
        client.get_collection("docs")
    with pytest.raises(NotFoundError, match=r"^Collection \[docs\] does not exist$"):
        client.delete_collection("docs")


def test_duplicate_name(client: huedb.ClientAPI, client_kind: str) -> None:
    client.create_collection("dup", embedding_function=None)
    # Over HTTP Chroma answers 409 "ChromaError", so its HttpClient raises the base class.
    expected = ChromaError if client_kind in HTTP_KINDS else InternalError
    with pytest.raises(expected, match=r"^Collection \[dup\] already exists$"):
        client.create_collection("dup", embedding_function=None)


def test_get_or_create_ignores_new_metadata(client: huedb.ClientAPI) -> None:
    first = client.get_or_create_collection("goc", metadata={"v": 1}, embedding_function=None)
    second = client.get_or_create_collection("goc", metadata={"v": 2}, embedding_function=None)
    assert first.id == second.id and second.metadata == {"v": 1}


@pytest.mark.parametrize("name,message", [
    ("ab", "Expected a name containing 3-512 characters"),
    ("-abc", "Expected a name containing 3-512 characters"),
    ("abc-", "Expected a name containing 3-512 characters"),
    ("a b c", "Expected a name containing 3-512 characters"),
    ("x" * 513, "Expected a name containing 3-512 characters"),
    ("a..b", r"does not contains two consecutive periods \(..\). Got a..b"),
    ("1.1.1.1", "not a valid ip address. Got 1.1.1.1"),
])
def test_invalid_names(client: huedb.ClientAPI, name: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f"^Validation error: name: .*{message}"):
        client.create_collection(name, embedding_function=None)
    assert client.count_collections() == 0


@pytest.mark.parametrize("name", ["abc", "ABC", "a--b", "a.b", "a_b", "x" * 512, "1.1.1"])
def test_valid_names(client: huedb.ClientAPI, name: str) -> None:
    assert client.create_collection(name, embedding_function=None).name == name


def test_invalid_name_on_get_is_not_found(client: huedb.ClientAPI) -> None:
    with pytest.raises(NotFoundError, match=r"^Collection \[a..b\] does not exist$"):
        client.get_collection("a..b")


@pytest.mark.parametrize("metadata,error,message", [
    ({}, InvalidArgumentError, "Validation error: metadata: Metadata cannot be empty"),
    ({"": 1}, InvalidArgumentError, "Validation error: metadata: Metadata key cannot be empty"),
    ({"#a": 1}, InvalidArgumentError,
     "Validation error: metadata: Metadata key cannot start with '#' or '$': #a"),
    ({"a": None}, TypeError, "argument 'metadata': Cannot convert Python object to MetadataValue"),
    ({1: 1}, TypeError, "argument 'metadata': 'int' object cannot be converted to 'PyString'"),
    ("x", TypeError, "argument 'metadata': 'str' object cannot be converted to 'PyDict'"),
])
def test_invalid_collection_metadata(client: huedb.ClientAPI, metadata: object,
                                     error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        client.create_collection("abc", metadata=metadata, embedding_function=None)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert client.count_collections() == 0


def test_list_values_in_collection_metadata_are_refused(client: huedb.ClientAPI) -> None:
    # Chroma 1.5.9 panics here (spec §10 quirk 5); huedb refuses with a clear error.
    with pytest.raises(InvalidArgumentError, match="must be str, int, float or bool"):
        client.create_collection("abc", metadata={"a": [1, 2]}, embedding_function=None)


def test_list_and_count(client: huedb.ClientAPI, client_kind: str) -> None:
    ids = {client.create_collection(f"col{i}", embedding_function=None).id for i in range(5)}
    listed = client.list_collections()
    assert [c.id for c in listed] == sorted(ids, key=str)
    kind = huedb.AsyncCollection if client_kind == "async_http" else huedb.Collection
    assert all(isinstance(unwrap(c), kind) for c in listed)
    assert client.count_collections() == 5
    assert [c.id for c in client.list_collections(limit=2, offset=1)] == sorted(ids, key=str)[1:3]


def test_modify_name_and_metadata(client: huedb.ClientAPI) -> None:
    col = client.create_collection("old", metadata={"a": 1, "b": 2}, embedding_function=None)
    col.modify(name="new", metadata={"c": 3})
    assert col.name == "new" and col.metadata == {"c": 3}
    fetched = client.get_collection("new", embedding_function=None)
    assert fetched.metadata == {"c": 3}
    with pytest.raises(NotFoundError):
        client.get_collection("old")


def test_modify_errors(client: huedb.ClientAPI) -> None:
    col = client.create_collection("one", embedding_function=None)
    client.create_collection("two", embedding_function=None)
    with pytest.raises(InternalError, match="UNIQUE constraint failed: collections.name"):
        col.modify(name="two")
    with pytest.raises(InvalidArgumentError, match="^Validation error: new_name: "):
        col.modify(name="a..b")
    with pytest.raises(ValueError, match="^Expected metadata to be a non-empty dict"):
        col.modify(metadata={})
    with pytest.raises(ValueError, match="^Changing the distance function"):
        col.modify(metadata={"hnsw:space": "cosine"})
    assert client.get_collection("one", embedding_function=None).name == "one"


def test_default_configuration(client: huedb.ClientAPI) -> None:
    col = client.create_collection("cfg", embedding_function=None)
    assert col.configuration_json == {"hnsw": DEFAULT_HNSW, "spann": None,
                                      "embedding_function": None}


def test_legacy_hnsw_metadata(client: huedb.ClientAPI) -> None:
    col = client.create_collection("leg", embedding_function=None,
                                   metadata={"hnsw:space": "cosine", "hnsw:M": 32})
    assert col.metadata == {"hnsw:space": "cosine", "hnsw:M": 32}
    assert col.configuration_json["hnsw"] == {**DEFAULT_HNSW, "space": "cosine",
                                              "max_neighbors": 32}


def test_explicit_configuration_wins_over_legacy(client: huedb.ClientAPI) -> None:
    col = client.create_collection("exp", embedding_function=None,
                                   metadata={"hnsw:space": "cosine"},
                                   configuration={"hnsw": {"ef_search": 20}})
    assert col.configuration_json["hnsw"] == {**DEFAULT_HNSW, "ef_search": 20}
    assert col.configuration_json["embedding_function"] == {"type": "legacy"}


def test_default_restating_configuration_lets_legacy_win(client: huedb.ClientAPI) -> None:
    col = client.create_collection("res", embedding_function=None,
                                   metadata={"hnsw:space": "cosine"},
                                   configuration={"hnsw": dict(DEFAULT_HNSW)})
    assert col.configuration_json["hnsw"]["space"] == "cosine"


def test_spann_becomes_hnsw_with_its_space(client: huedb.ClientAPI) -> None:
    col = client.create_collection("spn", embedding_function=None,
                                   configuration={"spann": {"space": "ip"}})
    assert col.configuration_json["hnsw"] == {**DEFAULT_HNSW, "space": "ip"}
    assert col.configuration_json["spann"] is None


@pytest.mark.parametrize("kwargs,error,message", [
    ({"configuration": {"hnsw": {"foo": 1}}}, InvalidArgumentError, "^unknown field `foo`"),
    ({"configuration": {"hnsw": {"space": "foo"}}}, InvalidArgumentError,
     "^unknown variant `foo`, expected one of `l2`, `cosine`, `ip`"),
    ({"configuration": {"hnsw": {"ef_search": "x"}}}, InvalidArgumentError,
     '^invalid type: string "x", expected usize'),
    ({"metadata": {"hnsw:foo": 1}}, InvalidArgumentError,
     "^Failed to parse hnsw parameters from segment metadata$"),
    ({"metadata": {"hnsw:sync_threshold": 1}}, InvalidArgumentError,
     "^Failed to parse hnsw parameters from segment metadata$"),
    ({"metadata": {"hnsw:space": "bar"}}, InvalidArgumentError,
     "^Failed to parse hnsw parameters"),
    ({"configuration": {"hnsw": {}, "spann": {}}}, ValueError,
     "^hnsw and spann cannot both be provided$"),
])
def test_invalid_configuration(client: huedb.ClientAPI, kwargs: dict[str, object],
                               error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        client.create_collection("bad", embedding_function=None, **kwargs)  # type: ignore[arg-type]
    assert client.count_collections() == 0


def test_modify_configuration(client: huedb.ClientAPI) -> None:
    col = client.create_collection("tun", embedding_function=None,
                                   metadata={"hnsw:space": "cosine"})
    col.modify(configuration={"hnsw": {"ef_search": 55, "max_neighbors": 40}})
    expected = {**DEFAULT_HNSW, "space": "cosine", "ef_search": 55, "max_neighbors": 40}
    assert col.configuration_json["hnsw"] == expected
    assert client.get_collection("tun", embedding_function=None).configuration_json["hnsw"] \
        == expected
    with pytest.raises(InvalidArgumentError, match="^unknown field `space`"):
        col.modify(configuration={"hnsw": {"space": "l2"}})  # type: ignore[typeddict-unknown-key]


def test_modify_hnsw_metadata_keys_do_not_change_configuration(client: huedb.ClientAPI) -> None:
    col = client.create_collection("keys", embedding_function=None)
    col.modify(metadata={"hnsw:M": 8, "k": 1})
    assert col.metadata == {"hnsw:M": 8, "k": 1}
    assert col.configuration_json["hnsw"]["max_neighbors"] == 16


def test_deleted_collection_object(client: huedb.ClientAPI, client_kind: str) -> None:
    col = client.create_collection("gone", embedding_function=None)
    client.delete_collection("gone")
    cid = col.id
    plain = f"Collection [{cid}] does not exist."
    # Chroma's server never adds the in-process prefix.
    prefixed = plain if client_kind in HTTP_KINDS else f"Error getting collection: {plain}"
    for call, message in [
        (lambda: col.count(), plain),
        (lambda: col.get(), plain),
        (lambda: col.delete(ids=["a"]), plain),
        (lambda: col.add(ids=["a"], embeddings=[[1.0]]), prefixed),
        (lambda: col.upsert(ids=["a"], embeddings=[[1.0]]), prefixed),
        (lambda: col.update(ids=["a"], embeddings=[[1.0]]), prefixed),
        (lambda: col.query(query_embeddings=[[1.0]]), prefixed),
        (lambda: col.modify(name="zzz"), f"Collection [{cid}] does not exist"),
    ]:
        with pytest.raises(NotFoundError) as info:
            call()
        assert str(info.value) == message


def test_delete_collection_removes_list_metadata(client: huedb.ClientAPI) -> None:
    # Chroma 1.5.9 leaves list-valued metadata behind and a later record inherits it.
    col = client.create_collection("lists", embedding_function=None)
    col.add(ids=["a"], embeddings=[[1.0]], metadatas=[{"tags": ["a", "b"]}])
    client.delete_collection("lists")
    col = client.create_collection("lists", embedding_function=None)
    col.add(ids=["b"], embeddings=[[1.0]])
    assert col.get(where={"tags": {"$contains": "a"}})["ids"] == []
    assert col.get()["metadatas"] == [None]


def test_modify_refuses_an_embedding_function_of_another_kind(client: huedb.ClientAPI) -> None:
    # Chroma stores the new function and then raises (spec §10.9); huedb refuses first.
    from huedb.embeddings import DefaultEmbeddingFunction, HashingEmbeddingFunction

    col = client.create_collection("eft", embedding_function=HashingEmbeddingFunction(dim=16))
    with pytest.raises(ValueError, match=r"incompatible types \(huedb_hashing vs default\)"):
        col.modify(configuration={"embedding_function": DefaultEmbeddingFunction()})
    stored = client.get_collection("eft", embedding_function=None).configuration_json
    assert stored["embedding_function"]["name"] == "huedb_hashing"
