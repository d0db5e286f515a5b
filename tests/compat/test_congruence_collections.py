"""Congruence of collection management, configuration and tenants/databases with chromadb 1.5.9.

Covers create/get/get_or_create/list/count/modify/delete, legacy `hnsw:*` metadata and the
configuration precedence rules, collection names and metadata, deleted collections, and
AdminClient tenants and databases.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.compat.data import DELIBERATE, seed
from tests.compat.harness import (
    Scenario,
    admin,
    attrs,
    check,
    chroma_results_for,
    client,
    col,
    colid,
    create,
    err,
    new_client,
    ok,
    params,
    quirk,
    reopen,
)

LEGACY = {"hnsw:space": "ip", "hnsw:construction_ef": 50, "hnsw:M": 8, "hnsw:search_ef": 20,
          "hnsw:num_threads": 2, "hnsw:batch_size": 10, "hnsw:sync_threshold": 50,
          "hnsw:resize_factor": 1.5}
HNSW_FULL = {"space": "cosine", "ef_construction": 50, "ef_search": 20, "max_neighbors": 8,
             "num_threads": 2, "batch_size": 10, "sync_threshold": 50, "resize_factor": 1.5}
HNSW_DEFAULTS = {"space": "l2", "ef_construction": 100, "ef_search": 100, "max_neighbors": 16,
                 "resize_factor": 1.2, "sync_threshold": 1000, "batch_size": 100}
LIST_METADATA = ("§10.5: Chroma panics on list values in collection metadata; huedb rejects them "
                 "with InvalidArgumentError")
LIST_MESSAGE = ("Validation error: metadata: Collection metadata values must be str, int, float "
                "or bool; key 'tags' has a list")
LEAKED_LISTS = ("Corrections/§10: Chroma's delete_collection leaves list-valued record metadata "
                "behind and a later record inherits it; huedb removes it")
PANIC = err("PanicException", "internal error: entered unreachable code: Array metadata values "
            "are written to embedding_metadata_array")
SERDE_POSITION = ("configuration parse errors: Chroma's serde message ends with the JSON position "
                  "(' at line 1 column N'), huedb's has none (engine/configuration.py)")
SERDE_NEGATIVE = ("hnsw max_neighbors=-1: Chroma says 'invalid value: integer `-1`, expected usize "
                  "at line 1 column 29', huedb 'invalid type: integer `-1`, expected usize'")
ALREADY_EXISTS = ("duplicate collection/tenant/database: huedb raises AlreadyExistsError (an "
                  "InternalError subclass), Chroma raises InternalError itself; messages match")
BIG_INT = ("collection metadata int 2**63: Chroma stores it as float 9.223372036854776e18, huedb "
           "keeps the Python int (record metadata already widens; collection metadata does not)")
MODIFY_NONE = ("modify(metadata={'a': None}): Chroma accepts it (None drops the key; the stored "
               "metadata becomes None or the other keys), huedb raises InvalidArgumentError "
               "'…values must be str, int, float or bool; key 'a' has a NoneType'")
NEW_METADATA_PREFIX = ("modify(metadata={'#a': 1}) / {'': 1}: Chroma's message says "
                       "'Validation error: new_metadata: …', huedb's 'Validation error: "
                       "metadata: …'")
SPANN_UPDATE = ("modify(configuration={'spann': …}) on an HNSW collection: Chroma raises "
                "ValueError, huedb InvalidArgumentError (same message)")
NEW_NAME_PREFIX = ("modify(name='ab'): Chroma's message says 'Validation error: new_name: …', "
                   "huedb's 'Validation error: name: …'")
MODIFY_DELETED = (DELIBERATE + "modify(metadata=…) on a deleted collection: Chroma "
                               "silently succeeds (and "
                  "updates the local object), huedb raises NotFoundError")
VERSION = "get_version(): Chroma returns '1.5.9', huedb its own version '0.1.0'"
BATCH_SIZE = (DELIBERATE + "get_max_batch_size(): Chroma returns 5461, huedb 100000 "
                           "(engine/backend.py "
              "MAX_BATCH_SIZE, chosen on purpose there, not in spec §10)")
VALID_NAMES = ["abc", "ABC", "a--b", "a.b_c-d", "1.2.3", "x" * 512, "0ab"]
INVALID_NAMES = ["ab", "", "-ab", "ab-", "_ab", "a..b", "192.168.1.1", "x" * 513, "a b c",
                 "abc!", "ébc"]


def _deleted_collection_ops() -> list[dict[str, Any]]:
    return [col("count"), col("get"), col("delete", ids=["a"]), col("peek"),
            col("add", ids=["z"], embeddings=[[1, 2, 3]]),
            col("upsert", ids=["z"], embeddings=[[1, 2, 3]]),
            col("update", ids=["a"], embeddings=[[1, 2, 3]]),
            col("query", query_embeddings=[[1, 2, 3]]), col("modify", name="renamed")]


SCENARIOS: list[Scenario] = [
    # --- create / get ----------------------------------------------------------------------------
    Scenario("create_default", [create(), attrs(), client("count_collections")]),
    Scenario("create_with_metadata", [
        create(metadata={"owner": "me", "n": 1, "f": 0.5, "b": True, "empty": ""}), attrs(),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("create_legacy_hnsw_metadata", [create(metadata=LEGACY), attrs()]),
    Scenario("create_hnsw_configuration", [create(configuration={"hnsw": HNSW_FULL}), attrs()]),
    *[Scenario(f"configuration_precedence[{label}]", [
        create(metadata=metadata, configuration=configuration), attrs(),
    ]) for label, metadata, configuration in [
        ("metadata_space_and_config_ef", {"hnsw:space": "cosine"}, {"hnsw": {"ef_search": 20}}),
        ("metadata_space_and_config_space", {"hnsw:space": "cosine"}, {"hnsw": {"space": "ip"}}),
        ("metadata_and_default_config", {"hnsw:space": "cosine", "hnsw:M": 4},
         {"hnsw": HNSW_DEFAULTS}),
        ("metadata_and_empty_hnsw", {"hnsw:search_ef": 7}, {"hnsw": {}}),
        ("spann_config", None, {"spann": {"space": "ip", "search_nprobe": 10}}),
        ("spann_and_metadata", {"hnsw:space": "cosine"}, {"spann": {"ef_search": 10}}),
        ("both_hnsw_and_spann", None, {"hnsw": {"space": "ip"}, "spann": {"space": "ip"}}),
        ("config_sync_threshold_1", None, {"hnsw": {"sync_threshold": 1, "batch_size": 1}}),
        ("empty_configuration", {"a": 1}, {}),
    ]],
    *[Scenario(f"bad_configuration[{label}]", [create(configuration=configuration)],
               xfail=xfail) for label, configuration, xfail in [
          ("unknown_key", {"hnsw": {"foo": 1}}, None),
          ("bad_space", {"hnsw": {"space": "foo"}}, None),
          ("ef_search_str", {"hnsw": {"ef_search": "x"}}, None),
          ("negative", {"hnsw": {"max_neighbors": -1}}, None),
          ("unknown_section", {"flat": {"space": "l2"}}, None),
      ]],
    *[Scenario(f"bad_legacy_metadata[{label}]", [create(metadata=metadata)])
      for label, metadata in [
          ("unknown_key", {"hnsw:foo": 1}), ("bad_space", {"hnsw:space": "foo"}),
          ("sync_threshold_1", {"hnsw:sync_threshold": 1}), ("M_str", {"hnsw:M": "x"}),
          ("batch_size_float", {"hnsw:batch_size": 2.5}),
      ]],
    Scenario("get_or_create_ignores_new_settings", [
        create(metadata={"v": 1}, configuration={"hnsw": {"space": "cosine"}}),
        create(method="get_or_create_collection", metadata={"v": 2},
               configuration={"hnsw": {"space": "ip"}}, as_="c2"), attrs("c2"),
        create(get_or_create=True, metadata={"v": 3}, as_="c3"), attrs("c3"),
        create(name="other", method="get_or_create_collection", as_="c4"), attrs("c4"),
        client("count_collections"),
    ]),
    Scenario("duplicate_collection", [create(), create(metadata={"x": 1}, as_="c2")]),
    Scenario("get_missing_collection", [
        client("get_collection", "nope", embedding_function=None),
        client("get_collection", "ab", embedding_function=None),
        client("get_collection", "a..b", embedding_function=None),
        client("delete_collection", "nope"), client("delete_collection", "ab"),
    ]),
    Scenario("get_collection_by_id", [
        create(), client("get_collection_by_id", colid(), embedding_function=None),
        client("delete_collection", "coll"),
        client("get_collection_by_id", colid(), embedding_function=None),
    ]),
    *[Scenario(f"name[{name[:20]}{len(name)}]", [create(name=name), client("count_collections")])
      for name in VALID_NAMES + INVALID_NAMES],
    Scenario("names_case_sensitive", [
        create(name="Abc"), create(name="abc", as_="c2"), client("list_collections"),
        client("get_collection", "ABC", embedding_function=None),
    ]),
    *[Scenario(f"collection_metadata[{label}]", [create(metadata=metadata), attrs()])
      for label, metadata in [
          ("empty", {}), ("none_value", {"a": None}), ("nested", {"a": {"b": 1}}),
          ("hash_key", {"#a": 1}), ("dollar_key", {"$a": 1}), ("empty_key", {"": 1}),
          ("unicode", {"ключ": "значение"}),
          ("chroma_document_key", {"chroma:document": "x"}),
      ]],
    Scenario("collection_metadata[big_int]", [create(metadata={"a": 2**63}), attrs()]),
    Scenario("collection_metadata[list]", [
        quirk(create(metadata={"tags": ["a", "b"]}), LIST_METADATA, err("InvalidArgumentError",
              LIST_MESSAGE), PANIC),
        client("count_collections"),
    ]),
    # --- list / count ----------------------------------------------------------------------------
    Scenario("list_and_count", [
        client("list_collections"), client("count_collections"),
        create(name="one"), create(name="two", as_="c2", metadata={"k": "v"}),
        create(name="three", as_="c3"), client("list_collections"),
        client("list_collections", limit=2), client("list_collections", limit=2, offset=2),
        client("list_collections", offset=5), client("list_collections", limit=0),
        client("count_collections"),
    ]),
    # --- modify ----------------------------------------------------------------------------------
    Scenario("modify_name_and_metadata", [
        create(metadata={"a": 1, "hnsw:space": "cosine"}), seed(),
        col("modify", name="renamed", metadata={"b": 2}), attrs(),
        client("get_collection", "renamed", embedding_function=None, as_="r"), attrs("r"),
        client("get_collection", "coll", embedding_function=None), col("count", target="r"),
    ]),
    Scenario("modify_metadata_errors", [
        create(metadata={"a": 1}),
        col("modify", metadata={"hnsw:space": "ip"}), col("modify", metadata={}),
        col("modify", metadata={"hnsw:search_ef": 5, "hnsw:M": 4}), attrs(),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("modify_metadata_none_value", steps=[
        create(metadata={"a": 1, "b": 2}), col("modify", metadata={"a": None}),
        client("get_collection", "coll", embedding_function=None),
        col("modify", metadata={"a": None, "c": 3}),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("modify_metadata_reserved_key", steps=[
        create(metadata={"a": 1}), col("modify", metadata={"#a": 1}),
        col("modify", metadata={"": 1}),
    ]),
    Scenario("modify_metadata_list", [
        create(metadata={"a": 1}),
        quirk(col("modify", metadata={"tags": ["x"]}), LIST_METADATA,
              err("InvalidArgumentError", LIST_MESSAGE.replace("metadata:", "new_metadata:")),
              PANIC),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("modify_configuration", [
        create(configuration={"hnsw": {"space": "cosine", "ef_search": 10}}),
        col("modify", configuration={"hnsw": {"ef_search": 50, "resize_factor": 2.0}}), attrs(),
        client("get_collection", "coll", embedding_function=None),
        col("modify", configuration={"hnsw": {"max_neighbors": 5}}),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("modify_configuration_immutable_fields", steps=[
        create(), col("modify", configuration={"hnsw": {"space": "l2"}}),
        col("modify", configuration={"hnsw": {"ef_construction": 5}}),
    ]),
    Scenario("modify_configuration_spann_on_hnsw", steps=[
        create(), col("modify", configuration={"spann": {"ef_search": 5}}),
    ]),
    Scenario("modify_rename_conflicts", [
        create(), create(name="other", as_="c2"), col("modify", name="other"),
        col("modify", name="coll"), attrs(), client("list_collections"),
    ]),
    Scenario("modify_invalid_name", steps=[
        create(), col("modify", name="ab"), col("modify", name="a..b"), attrs(),
    ]),
    # --- delete ----------------------------------------------------------------------------------
    Scenario("delete_collection_then_use", [
        create(), seed(), client("delete_collection", "coll"), *_deleted_collection_ops(),
        client("count_collections"), create(as_="again"), col("count", target="again"),
    ]),
    Scenario("modify_metadata_of_deleted_collection", xfail=MODIFY_DELETED, steps=[
        create(), client("delete_collection", "coll"), col("modify", metadata={"k": 1}),
        attrs(), client("list_collections"),
    ]),
    Scenario("delete_collection_leaves_no_lists", [
        create(name="one"),
        col("add", ids=["r"], embeddings=[[1, 2]], metadatas=[{"tags": ["a", "b"], "k": 1}]),
        client("delete_collection", "one"), create(name="two"),
        col("add", ids=["s"], embeddings=[[1, 2]]),
        quirk(col("get", include=["metadatas"]), LEAKED_LISTS, ok(
            {"ids": ["s"], "embeddings": None, "documents": None, "uris": None, "data": None,
             "metadatas": [None], "included": ["metadatas"]}), ok(
            {"ids": ["s"], "embeddings": None, "documents": None, "uris": None, "data": None,
             "metadatas": [{"tags": ["a", "b"]}], "included": ["metadatas"]})),
        quirk(col("get", where={"tags": {"$contains": "a"}}, include=[]), LEAKED_LISTS, ok(
            {"ids": [], "embeddings": None, "documents": None, "uris": None, "data": None,
             "metadatas": None, "included": []}), ok(
            {"ids": ["s"], "embeddings": None, "documents": None, "uris": None, "data": None,
             "metadatas": None, "included": []})),
    ]),
    # --- client, tenants and databases -----------------------------------------------------------
    Scenario("client_basics", [client("reset"), client("get_user_identity")]),
    Scenario("client_version", [client("get_version")]),
    Scenario("client_max_batch_size", [client("get_max_batch_size")], xfail=BATCH_SIZE),
    Scenario("tenants_and_databases", [
        admin("create_tenant", "acme"), admin("get_tenant", "acme"), admin("create_tenant", "ab"),
        admin("get_tenant", "nope"), admin("list_databases", tenant="acme"),
        admin("create_database", "zeta", tenant="acme"),
        admin("create_database", "alpha", tenant="acme"), admin("create_database", "db"),
        admin("get_database", "alpha", tenant="acme"), admin("get_database", "nope"),
        admin("get_database", "default_database"), admin("list_databases", tenant="acme"),
        admin("list_databases", tenant="acme", limit=1, offset=1), admin("list_databases"),
        admin("create_database", "orphan", tenant="ghost"),
        admin("list_databases", tenant="ghost"), admin("delete_database", "zeta", tenant="acme"),
        admin("delete_database", "zeta", tenant="acme"), admin("list_databases", tenant="acme"),
    ]),
    Scenario("duplicate_tenant_and_database", steps=[
        admin("create_tenant", "acme"), admin("create_tenant", "acme"),
        admin("create_database", "alpha"), admin("create_database", "alpha"),
    ]),
    Scenario("clients_per_database", [
        admin("create_tenant", "acme"), admin("create_database", "alpha", tenant="acme"),
        create(), seed(), new_client(tenant="acme", database="alpha"),
        client("list_collections"), create(as_="c2"), attrs("c2"), col("count", target="c2"),
        client("set_database", "default_database"), client("set_tenant", "default_tenant"),
        client("count_collections"), client("set_database", "missing"),
        client("set_tenant", "missing"), new_client(tenant="missing"),
        new_client(tenant="acme", database="missing"), new_client(),
        client("count_collections"),
        admin("delete_database", "alpha", tenant="acme"),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("admin_names_and_missing", [
        admin("create_database", "ab"), admin("create_database", "a b c"),
        admin("create_database", "x" * 600), admin("create_tenant", "a b c"),
        admin("get_tenant", "a b c"), admin("get_database", "alpha", tenant="ghost"),
        admin("list_databases", limit=0), admin("list_databases", tenant="ghost"),
        admin("delete_database", "default_database"),
        admin("get_database", "default_database"),
    ]),
    Scenario("modify_misc", [
        create(metadata={"a": 1}), col("modify"), col("modify", name="coll"),
        col("modify", configuration={}), attrs(),
        col("modify", configuration={"hnsw": {"ef_search": 7, "num_threads": 2,
                                              "batch_size": 50, "sync_threshold": 500}}),
        client("get_collection", "coll", embedding_function=None),
    ]),
    Scenario("recreate_same_name", [
        create(metadata={"v": 1}), seed(), client("delete_collection", "coll"),
        create(metadata={"v": 2}, as_="c2"), col("count", target="c2"), col("count"),
        col("modify", name="renamed", target="c2"), create(metadata={"v": 3}, as_="c3"),
        client("list_collections"),
    ]),
    Scenario("create_configuration_none_values", [
        create(configuration={"hnsw": None}, as_="n1"), attrs("n1"),
        create(name="coll2", configuration={"embedding_function": None}, as_="n2"),
        attrs("n2"),
        create(name="coll3", metadata=None, configuration=None, as_="n3"), attrs("n3"),
    ]),
    # --- persistence -----------------------------------------------------------------------------
    Scenario("persistent_collections", client="persistent", steps=[
        create(name="keep", metadata={"hnsw:space": "ip", "x": 1}), seed(),
        create(name="drop", as_="d"), col("modify", name="kept", metadata={"y": 2}),
        client("delete_collection", "drop"), admin("create_database", "other"),
        reopen(), client("list_collections"), client("count_collections"),
        client("get_collection", "kept", embedding_function=None, as_="c"), attrs(),
        col("count"), admin("list_databases"),
    ]),
]


@pytest.fixture(scope="module")
def chroma_results() -> dict[str, list[Any]]:
    return chroma_results_for(__name__, SCENARIOS)


@pytest.mark.parametrize("scenario", params(SCENARIOS))
def test_collections(scenario: Scenario, chroma_results: dict[str, list[Any]]) -> None:
    check(scenario, chroma_results[scenario.name])
