"""Client-level behaviour: system calls, tenants and databases, shared databases, reset."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

import huedb
from huedb.errors import (
    AuthorizationError,
    ChromaError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
)
from tests.conftest import HTTP_KINDS, ClientMaker


def test_heartbeat_is_nanoseconds_now(client: huedb.ClientAPI) -> None:
    assert abs(client.heartbeat() - time.time_ns()) < 5e9


def test_version_and_batch_size(client: huedb.ClientAPI, client_kind: str) -> None:
    # In process: the Chroma API version huedb implements; a server reports what `chroma run`
    # reports.
    assert client.get_version() == ("1.0.0" if client_kind in HTTP_KINDS else "1.5.9")
    assert client.get_max_batch_size() >= 5461


def test_user_identity(client: huedb.ClientAPI) -> None:
    ident = client.get_user_identity()
    assert (ident.user_id, ident.tenant, ident.databases) == (
        "", "default_tenant", ["default_database"])


def test_reset_disabled_by_default(make_client: ClientMaker) -> None:
    c = make_client()
    with pytest.raises(AuthorizationError, match="^Reset is disabled by config$"):
        c.reset()


def test_reset_wipes_everything(client: huedb.ClientAPI) -> None:
    col = client.create_collection("abc", embedding_function=None)
    col.add(ids=["a"], embeddings=[[1.0, 2.0]])
    assert client.reset() is True
    assert client.count_collections() == 0
    with pytest.raises(NotFoundError):
        client.get_collection("abc")
    assert client.create_collection("abc", embedding_function=None).count() == 0


def test_tenants_and_databases(make_client: ClientMaker, client_kind: str) -> None:
    # Over HTTP, "already exists" is a 409 "ChromaError": Chroma's HttpClient raises the base.
    exists = ChromaError if client_kind in HTTP_KINDS else InternalError
    c = make_client()
    admin = huedb.AdminClient(c.get_settings())
    admin.create_tenant("ten1")
    assert admin.get_tenant("ten1") == {"name": "ten1"}
    with pytest.raises(exists, match=r"^Tenant \[ten1\] already exists$"):
        admin.create_tenant("ten1")
    with pytest.raises(InvalidArgumentError, match="length"):
        admin.create_tenant("t")
    with pytest.raises(NotFoundError, match=r"^Tenant \[nope\] not found$"):
        admin.get_tenant("nope")
    admin.create_database("db1", tenant="ten1")
    with pytest.raises(exists, match=r"^Database \[db1\] already exists$"):
        admin.create_database("db1", tenant="ten1")
    with pytest.raises(InvalidArgumentError, match="^database name must be at least 3"):
        admin.create_database("d")
    db = admin.get_database("db1", tenant="ten1")
    assert db["name"] == "db1" and db["tenant"] == "ten1" and isinstance(db["id"], uuid.UUID)
    admin.create_database("aaa", tenant="ten1")
    assert [d["name"] for d in admin.list_databases(tenant="ten1")] == ["aaa", "db1"]
    assert [d["name"] for d in admin.list_databases(limit=1, offset=1, tenant="ten1")] == ["db1"]
    with pytest.raises(NotFoundError, match=r"^Database \[zzz\] not found. Are you sure"):
        admin.get_database("zzz", tenant="ten1")
    with pytest.raises(NotFoundError, match=r"^Database \[zzz\] not found$"):
        admin.delete_database("zzz", tenant="ten1")

    scoped = huedb.Client(c.get_settings(), tenant="ten1", database="db1")
    col = scoped.create_collection("inside", embedding_function=None)
    col.add(ids=["x"], embeddings=[[1.0]])
    assert c.count_collections() == 0
    assert scoped.count_collections() == 1
    admin.delete_database("db1", tenant="ten1")
    with pytest.raises(NotFoundError):
        admin.get_database("db1", tenant="ten1")


def test_client_validates_tenant_and_database(make_client: ClientMaker) -> None:
    c = make_client()
    with pytest.raises(NotFoundError, match=r"^Tenant \[nosuch\] not found$"):
        huedb.Client(c.get_settings(), tenant="nosuch")
    with pytest.raises(NotFoundError, match=r"^Database \[nosuch\] not found. Are you sure"):
        huedb.Client(c.get_settings(), database="nosuch")
    with pytest.raises(NotFoundError):
        c.set_database("nosuch")
    assert c.database == "default_database"


def test_clients_on_one_location_share_data(make_client: ClientMaker) -> None:
    a, b = make_client(), make_client()
    a.create_collection("shared", embedding_function=None).add(ids=["1"], embeddings=[[0.5]])
    assert b.get_collection("shared", embedding_function=None).count() == 1


def test_different_settings_for_one_location_are_refused(make_client: ClientMaker) -> None:
    make_client()
    with pytest.raises(ValueError, match="already exists for .* with different settings"):
        make_client(allow_reset=True)


def test_persistent_data_survives_closing(tmp_path: Path) -> None:
    with huedb.PersistentClient(tmp_path) as c:
        col = c.create_collection("keep", embedding_function=None, metadata={"m": 1})
        col.add(ids=["a", "b"], embeddings=[[1, 2], [3, 4]], documents=["x", None])
    huedb.ClientAPI.clear_system_cache()
    c2 = huedb.PersistentClient(tmp_path)
    col2 = c2.get_collection("keep", embedding_function=None)
    assert col2.metadata == {"m": 1}
    got = col2.get(include=["embeddings", "documents"])
    assert got["ids"] == ["a", "b"] and got["documents"] == ["x", None]
    assert got["embeddings"].tolist() == [[1, 2], [3, 4]]


def test_close_twice_is_harmless(make_client: ClientMaker) -> None:
    c = make_client()
    c.close()
    c.close()


def test_legacy_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="deprecated configuration"):
        huedb.Settings(chroma_db_impl="duckdb+parquet")
