"""HTTP-only behaviour: every v2 route, Chroma's statuses and error JSON, refused input."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from huedb._protocol import encode_vector
from huedb.server import ServerConfig
from tests.server.conftest import API, SCOPE, AppMaker


def _collection(api: TestClient, name: str = "coll", **body: object) -> str:
    response = api.post(f"{SCOPE}/collections", json={"name": name, **body})
    assert response.status_code == 200, response.text
    cid: str = response.json()["id"]
    return cid


def _seed(api: TestClient) -> str:
    cid = _collection(api)
    response = api.post(f"{SCOPE}/collections/{cid}/add", json={
        "ids": ["a", "b", "c"], "embeddings": [[1, 0], [0, 1], [1, 1]],
        "metadatas": [{"n": 1}, {"n": 2, "tags": ["x", "y"]}, None],
        "documents": ["apple pie", "banana split", None]})
    assert response.status_code == 201 and response.json() == {}
    return cid


def test_system_routes(api: TestClient) -> None:
    assert set(api.get(f"{API}/heartbeat").json()) == {"nanosecond heartbeat"}
    assert api.get(API).status_code == 200
    assert api.get(f"{API}/version").json() == "1.0.0"
    assert api.get(f"{API}/healthcheck").json() == {"is_executor_ready": True,
                                                    "is_log_client_ready": True}
    checks = api.get(f"{API}/pre-flight-checks").json()
    assert checks["supports_base64_encoding"] is True and checks["max_batch_size"] >= 5461
    assert api.get(f"{API}/auth/identity").json() == {
        "user_id": "", "tenant": "default_tenant", "databases": ["default_database"]}
    assert api.post(f"{API}/reset").json() is True


def test_reset_disabled(make_app: AppMaker) -> None:
    response = make_app().post(f"{API}/reset")
    assert response.status_code == 403
    assert response.json() == {"error": "AuthorizationError",
                               "message": "Reset is disabled by config"}


def test_tenants_and_databases(api: TestClient) -> None:
    assert api.post(f"{API}/tenants", json={"name": "acme"}).json() == {}
    again = api.post(f"{API}/tenants", json={"name": "acme"})
    assert again.status_code == 409 and again.json()["error"] == "ChromaError"
    assert api.post(f"{API}/tenants", json={"name": "t"}).status_code == 400
    assert api.get(f"{API}/tenants/acme").json() == {"name": "acme", "resource_name": None}
    assert api.patch(f"{API}/tenants/acme", json={"resource_name": "r"}).json() == {}
    missing = api.get(f"{API}/tenants/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "NotFoundError", "message": "Tenant [nope] not found"}
    assert api.post(f"{API}/tenants/acme/databases", json={"name": "zeta"}).json() == {}
    assert api.post(f"{API}/tenants/acme/databases", json={"name": "alpha"}).json() == {}
    listed = api.get(f"{API}/tenants/acme/databases").json()
    assert [d["name"] for d in listed] == ["alpha", "zeta"]
    assert [d["name"] for d in api.get(f"{API}/tenants/acme/databases?limit=1&offset=1").json()
            ] == ["zeta"]
    bad_page = api.get(f"{API}/tenants/acme/databases?limit=-1")
    assert bad_page.status_code == 400
    assert bad_page.json()["message"].startswith("Failed to deserialize query string")
    db = api.get(f"{API}/tenants/acme/databases/alpha").json()
    assert db["name"] == "alpha" and db["tenant"] == "acme" and uuid.UUID(db["id"])
    assert api.delete(f"{API}/tenants/acme/databases/alpha").json() == {}
    gone = api.delete(f"{API}/tenants/acme/databases/alpha")
    assert gone.status_code == 404 and gone.json()["message"] == "Database [alpha] not found"


def test_collection_routes(api: TestClient) -> None:
    cid = _collection(api, metadata={"m": 1})
    dup = api.post(f"{SCOPE}/collections", json={"name": "coll"})
    assert dup.status_code == 409
    assert dup.json() == {"error": "ChromaError", "message": "Collection [coll] already exists"}
    same = api.post(f"{SCOPE}/collections", json={"name": "coll", "get_or_create": True})
    assert same.json()["id"] == cid
    body = api.get(f"{SCOPE}/collections/coll").json()
    assert set(body) == {"id", "name", "configuration_json", "schema", "metadata", "dimension",
                         "tenant", "database", "log_position", "version"}
    assert body["metadata"] == {"m": 1} and body["dimension"] is None
    assert api.get(f"{SCOPE}/collections/by-id/{cid}").json()["name"] == "coll"
    bad = api.get(f"{SCOPE}/collections/by-id/not-a-uuid")
    assert bad.status_code == 400 and "Invalid collection ID format" in bad.json()["message"]
    assert api.get(f"{SCOPE}/collections_count").json() == 1
    assert [c["id"] for c in api.get(f"{SCOPE}/collections").json()] == [cid]
    assert api.put(f"{SCOPE}/collections/{cid}", json={"new_name": "renamed"}).json() == {}
    assert api.get(f"{SCOPE}/collections/renamed").json()["id"] == cid
    assert api.delete(f"{SCOPE}/collections/renamed").json() == {}
    missing = api.get(f"{SCOPE}/collections/renamed")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Collection [renamed] does not exist"


def test_record_routes(api: TestClient) -> None:
    cid = _seed(api)
    base = f"{SCOPE}/collections/{cid}"
    assert api.get(f"{base}/count", params={"read_level": "index_and_wal"}).json() == 3
    got = api.post(f"{base}/get", json={"ids": ["a"], "include": ["embeddings", "metadatas"]})
    assert got.json() == {"ids": ["a"], "embeddings": [[1.0, 0.0]], "documents": None,
                          "uris": None, "metadatas": [{"n": 1}],
                          "include": ["embeddings", "metadatas"]}
    default = api.post(f"{base}/get", json={}).json()
    assert default["include"] == ["documents", "metadatas"] and default["ids"] == ["a", "b", "c"]
    filtered = api.post(f"{base}/get", json={"where": {"n": {"$gte": 2}}}).json()
    assert filtered["ids"] == ["b"]
    doc = api.post(f"{base}/get", json={"where_document": {"$contains": "apple"}}).json()
    assert doc["ids"] == ["a"]
    query = api.post(f"{base}/query", json={"query_embeddings": [[1, 0]], "n_results": 2}).json()
    assert query["ids"] == [["a", "c"]] and query["include"] == ["documents", "metadatas",
                                                                 "distances"]
    assert query["distances"][0][0] == 0.0
    assert api.post(f"{base}/query", json={"query_embeddings": []}).json()["ids"] == []
    assert api.post(f"{base}/query", json={"query_embeddings": [[1, 0]],
                                           "n_results": 0}).json()["ids"] == [[]]
    assert api.post(f"{base}/update", json={"ids": ["a"], "documents": ["apple tart"]}
                    ).json() == {}
    assert api.post(f"{base}/upsert", json={
        "ids": ["d"], "embeddings": [encode_vector([2.0, 2.0])]}).json() == {}
    stored = api.post(f"{base}/get", json={"ids": ["a", "d"],
                                           "include": ["documents", "embeddings"]}).json()
    assert stored["documents"] == ["apple tart", None]
    assert stored["embeddings"] == [[1.0, 0.0], [2.0, 2.0]]
    assert api.post(f"{base}/delete", json={"ids": ["a", "zzz"]}).json() == {"deleted": 1}
    assert api.post(f"{base}/delete", json={"where": {"n": 2}, "limit": 5}).json() == {
        "deleted": 1}
    assert api.get(f"{base}/count").json() == 2


def test_unknown_paths_methods_and_v1(api: TestClient) -> None:
    unknown = api.get("/nope")
    assert unknown.status_code == 404 and unknown.content == b""
    assert api.get(f"{API}/nope").status_code == 404
    assert api.delete(f"{API}/heartbeat").status_code == 405
    v1 = api.get("/api/v1/heartbeat")
    assert v1.status_code == 410
    assert v1.json() == {"error": "Unimplemented",
                         "message": "The v1 API is deprecated. Please use /v2 apis"}


def test_docs_are_served(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    assert f"{SCOPE.split('/tenants')[0]}/heartbeat" in spec["paths"]
    assert api.get("/docs").status_code == 200


def test_bad_bodies(api: TestClient) -> None:
    cid = _seed(api)
    base = f"{SCOPE}/collections/{cid}"
    typed = api.post(f"{base}/add", content=b"{}", headers={"Content-Type": "text/plain"})
    assert typed.status_code == 415
    assert typed.json() == {"error": "ChromaError",
                            "message": "Expected request with `Content-Type: application/json`"}
    broken = api.post(f"{base}/add", content=b"{not json",
                      headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"] == "InvalidArgumentError"
    assert broken.json()["message"].startswith("Failed to parse the request body as JSON")
    empty = api.post(f"{SCOPE}/collections", content=b"")
    assert empty.status_code == 400
    missing = api.post(f"{SCOPE}/collections", json={"metadata": {}})
    assert missing.status_code == 422 and missing.json()["error"] == "ChromaError"
    assert missing.json()["message"].startswith(
        "Failed to deserialize the JSON body into the target type: name")
    for body in (
        {"ids": ["x"], "embeddings": [["a", "b"]]},
        {"ids": "x", "embeddings": [[1, 2]]},
        {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": [{"k": {"nested": 1}}]},
        {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": [{"k": None}]},
        {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": ["text"]},
        {"ids": ["x"], "embeddings": ["!!not base64!!"]},
        {"ids": ["x"], "embeddings": [[1, 2, 3]]},
        {"ids": ["x", "y"], "embeddings": [[1, 2], [1]]},
        {"ids": ["x"], "embeddings": [[1, 2]], "documents": [5]},
        {"ids": [""], "embeddings": [[1, 2]]},
        {"ids": ["x"]},
        {"ids": ["x"], "embeddings": [encode_vector([float("nan"), 1.0])]},
    ):
        response = api.post(f"{base}/add", json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert set(response.json()) == {"error", "message"}
    assert api.get(f"{base}/count").json() == 3  # nothing was stored
    for body in (
        {"where": {"n": {"$bogus": 1}}},
        {"where": {"$and": "x"}},
        {"where_document": {"$nope": "x"}},
        {"limit": -1},
        {"limit": True},
        {"include": ["everything"]},
        {"ids": [1]},
    ):
        response = api.post(f"{base}/get", json=body)
        assert response.status_code in (400, 422), (body, response.text)
    bad_query = api.post(f"{base}/query", json={"query_embeddings": [[1, 0]], "n_results": True})
    assert bad_query.status_code == 422
    wrong_dim = api.post(f"{base}/query", json={"query_embeddings": [[1, 0, 0]]})
    assert wrong_dim.status_code == 400


def test_unknown_and_malformed_collection_ids(api: TestClient) -> None:
    bad = api.post(f"{SCOPE}/collections/not-a-uuid/get", json={})
    assert bad.status_code == 400
    assert bad.json() == {"error": "InvalidArgumentError",
                          "message": "Collection ID is not a valid UUIDv4"}
    ghost = uuid.uuid4()
    for method, op in (("post", "get"), ("post", "add"), ("post", "query"), ("get", "count")):
        body = {"ids": ["a"], "embeddings": [[1.0]]} if op == "add" else {}
        if op == "query":
            body = {"query_embeddings": [[1.0]]}
        kwargs = {"json": body} if method == "post" else {}
        response = getattr(api, method)(f"{SCOPE}/collections/{ghost}/{op}", **kwargs)
        assert response.status_code == 404
        assert response.json() == {"error": "NotFoundError",
                                   "message": f"Collection [{ghost}] does not exist."}


def test_collection_is_reached_only_under_its_database(api: TestClient) -> None:
    cid = _seed(api)
    api.post(f"{API}/tenants/default_tenant/databases", json={"name": "other"})
    response = api.post(f"{API}/tenants/default_tenant/databases/other/collections/{cid}/get",
                        json={})
    assert response.status_code == 404


def test_payload_limit(make_app: AppMaker) -> None:
    api = make_app(ServerConfig(max_payload_size_bytes=1000))
    cid = _collection(api)
    big = {"ids": [str(i) for i in range(100)], "embeddings": [[0.5] * 4] * 100}
    response = api.post(f"{SCOPE}/collections/{cid}/add", json=big)
    assert response.status_code == 413
    assert response.json()["error"] == "ChromaError"
    assert "maximum payload size of 1000 bytes" in response.json()["message"]
    assert api.get(f"{SCOPE}/collections/{cid}/count").json() == 0


@pytest.mark.parametrize("method,path,status", [
    ("post", "fork", 501), ("get", "fork_count", 501), ("post", "search", 501),
    ("get", "indexing_status", 500), ("post", "functions/attach", 501),
    ("get", "functions/f", 501), ("post", "attached_functions/f/detach", 501),
])
def test_unsupported_routes(api: TestClient, method: str, path: str, status: int) -> None:
    cid = _collection(api)
    bodies = {"fork": {"new_name": "x"}, "search": {"searches": []},
              "functions/attach": {"name": "n", "function_id": "f", "output_collection": "o"},
              "attached_functions/f/detach": {"delete_output": False}}
    kwargs = {"json": bodies.get(path, {})} if method == "post" else {}
    response = getattr(api, method)(f"{SCOPE}/collections/{cid}/{path}", **kwargs)
    assert response.status_code == status
    assert set(response.json()) == {"error", "message"}


def test_crn_route(api: TestClient) -> None:
    assert api.get(f"{API}/collections/garbage").status_code == 400
    assert api.get(f"{API}/collections/t:d:c").status_code == 501


def test_cors(make_app: AppMaker) -> None:
    api = make_app(ServerConfig(cors_allow_origins=["http://example.test"]))
    response = api.options(f"{API}/heartbeat", headers={
        "Origin": "http://example.test", "Access-Control-Request-Method": "GET"})
    assert response.headers["access-control-allow-origin"] == "http://example.test"
