"""The fast path for the hot record routes answers exactly as the FastAPI routes do.

`huedb.server.fast` serves add, upsert, get, query and count without FastAPI's machinery and
hands anything unusual to FastAPI. A body sent as `application/x-test+json` is parsed by FastAPI
as JSON but never taken by the fast path, so each request below is sent both ways and the
answers compared byte for byte.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from huedb._protocol import decode_embeddings, encode_vector
from huedb.errors import ChromaError, NotFoundError
from huedb.server import create_app
from huedb.server.deps import render_json
from huedb.server.routes.records import _vectors
from tests.server.conftest import SCOPE, AppMaker

FAST = {"Content-Type": "application/json"}
SLOW = {"Content-Type": "application/x-test+json"}
REPO = Path(__file__).resolve().parents[2]


def _both(api: TestClient, method: str, path: str, body: Any = None,
          raw: bytes | None = None) -> tuple[int, bytes]:
    content = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    fast = api.request(method, path, content=content, headers=FAST)
    slow = api.request(method, path, content=content, headers=SLOW)
    assert (fast.status_code, fast.headers["content-type"]) == (
        slow.status_code, slow.headers["content-type"]), (fast.text, slow.text)
    assert json.loads(fast.content) == json.loads(slow.content), (fast.text, slow.text)
    assert fast.headers["content-length"] == str(len(fast.content))
    return fast.status_code, fast.content


def _new_collection(api: TestClient, name: str) -> str:
    response = api.post(f"{SCOPE}/collections", json={"name": name})
    assert response.status_code == 200
    cid: str = response.json()["id"]
    return cid


def test_fast_and_fastapi_routes_answer_alike(api: TestClient) -> None:
    cid = _new_collection(api, "twins")
    other = _new_collection(api, "twins2")
    for target in (cid, other):
        base = f"{SCOPE}/collections/{target}"
        # Writes go to different collections each way so both start from the same state.
        batch = {"ids": ["a", "b", "c"], "embeddings": [[1, 0], [0, 1], [1.5, 1]],
                 "metadatas": [{"n": 1, "tags": ["x"]}, {"f": 0.25}, None],
                 "documents": ["apple", None, "cherry"]}
        headers = FAST if target == cid else SLOW
        response = api.post(f"{base}/add", content=json.dumps(batch).encode(), headers=headers)
        assert response.status_code == 201 and response.content == b"{}"
        b64 = {"ids": ["d"], "embeddings": [encode_vector([0.5, 0.5])], "metadatas": [{"n": 4}]}
        response = api.post(f"{base}/upsert", content=json.dumps(b64).encode(), headers=headers)
        assert response.status_code == 200 and response.content == b"{}"
    a, b = (f"{SCOPE}/collections/{c}" for c in (cid, other))
    for path in (a, b):
        status, content = _both(api, "GET", f"{path}/count")
        assert (status, content) == (200, b"4")
        _both(api, "GET", f"{path}/count?read_level=index_only")
        for body in ({}, {"ids": ["a", "zz"]}, {"where": {"n": {"$gte": 1}}, "limit": 1},
                     {"include": ["embeddings", "documents", "uris", "distances"]},
                     {"where_document": {"$contains": "app"}}, {"offset": 1}):
            assert _both(api, "POST", f"{path}/get", body)[0] == 200
        for body in ({"query_embeddings": [[1, 0]], "n_results": 2},
                     {"query_embeddings": [[1, 0], encode_vector([0.0, 1.0])], "n_results": 3,
                      "include": ["embeddings", "distances", "metadatas", "documents"]},
                     {"query_embeddings": [[0.5, 0.5]], "where": {"n": 1}},
                     {"query_embeddings": []}):
            assert _both(api, "POST", f"{path}/query", body)[0] == 200
    assert api.post(f"{a}/get", json={}).content == api.post(f"{b}/get", json={}).content


@pytest.mark.parametrize("op,body", [
    ("add", {"ids": ["x"], "embeddings": [[1, 2, 3]]}),  # wrong dimension: 400
    ("add", {"ids": ["x"], "embeddings": [[1, 2], [1]]}),
    ("add", {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": [{"k": None}]}),
    ("add", {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": [{"k": {"nested": 1}}]}),
    ("add", {"ids": ["x"], "embeddings": ["!!not base64!!"]}),
    ("add", {"ids": [""], "embeddings": [[1, 2]]}),
    ("add", {"ids": ["x"]}),
    ("add", {"ids": "x", "embeddings": [[1, 2]]}),
    ("add", {"ids": ["x"], "embeddings": [["a", "b"]]}),
    ("upsert", {"ids": ["x", "y"], "embeddings": [[1, 2], None]}),
    ("upsert", {"ids": ["x"], "embeddings": [[1, 2]], "metadatas": ["text"]}),
    ("get", {"where": {"n": {"$bogus": 1}}}),
    ("get", {"limit": -1}),
    ("get", {"limit": True}),
    ("get", {"include": ["everything"]}),
    ("get", {"ids": [1]}),
    ("get", []),
    ("query", {"query_embeddings": [[1, 0]], "n_results": True}),
    ("query", {"query_embeddings": [[1, 0, 0]]}),
    ("query", {"query_embeddings": [[1, 0], [1]]}),
    ("query", {"query_embeddings": [None]}),
    ("query", {}),
])
def test_refusals_read_as_before(api: TestClient, op: str, body: Any) -> None:
    cid = _new_collection(api, "refusals")
    api.post(f"{SCOPE}/collections/{cid}/add", json={"ids": ["a"], "embeddings": [[1, 0]]})
    status, content = _both(api, "POST", f"{SCOPE}/collections/{cid}/{op}", body)
    assert status in (400, 422)
    assert set(json.loads(content)) == {"error", "message"}
    assert api.get(f"{SCOPE}/collections/{cid}/count").json() == 1


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1,", b'{"ids": NaN}', b"\xff\xfe",
                                 b'{"where": {"n": 1e999}}', b'{"ids": ["\\ud800"]}',
                                 b'{"limit": 123456789012345678901234567890}'])
def test_raw_bodies_read_as_before(api: TestClient, raw: bytes) -> None:
    cid = _new_collection(api, "raw")
    _both(api, "POST", f"{SCOPE}/collections/{cid}/get", raw=raw)


def test_paths_and_ids(api: TestClient) -> None:
    cid = _new_collection(api, "paths")
    ghost = uuid.uuid4()
    for collection in ("not-a-uuid", str(ghost), cid):
        _both(api, "GET", f"{SCOPE}/collections/{collection}/count")
        _both(api, "POST", f"{SCOPE}/collections/{collection}/get", {})
    # A collection exists only under its own tenant and database.
    _both(api, "POST", f"/api/v2/tenants/default_tenant/databases/nope/collections/{cid}/get", {})
    # `collections/by-id/count` is the by-id route; it must not be taken for a count.
    by_id = api.get(f"{SCOPE}/collections/by-id/count")
    assert by_id.status_code == 400
    assert "Invalid collection ID format" in by_id.json()["message"]
    assert api.head(f"{SCOPE}/collections/{cid}/count").status_code == 405  # FastAPI's answer
    slash = api.get(f"{SCOPE}/collections/{cid}/count/", follow_redirects=False)
    assert slash.status_code == 307  # FastAPI's redirect to the path without the slash
    assert api.post(f"{SCOPE}/collections/{cid}/count", json={}).status_code == 405
    assert api.get(f"{SCOPE}/collections/{cid}/query").status_code == 405


def test_missing_content_type_reads_as_before(api: TestClient) -> None:
    cid = _new_collection(api, "untyped")
    response = api.post(f"{SCOPE}/collections/{cid}/get", content=b"{}")
    # FastAPI reads an untyped body as bytes, which no body model accepts.
    assert response.status_code == 422 and response.json()["error"] == "ChromaError"


class _Failing:
    """A backend whose record calls fail the ways a real one can."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_collection_by_id(self, cid: uuid.UUID) -> Any:
        from huedb.types import CollectionModel

        return CollectionModel(id=cid, name="c", configuration_json={}, metadata=None,
                               dimension=2, tenant="default_tenant",
                               database="default_database")

    def count(self, cid: uuid.UUID) -> int:
        raise self.error

    def query(self, *args: Any) -> Any:
        raise self.error

    def close(self) -> None:
        pass


@pytest.mark.parametrize("error,status,wire", [
    (NotFoundError("Error getting collection: Collection [x] does not exist"), 404,
     "NotFoundError"),
    (ValueError("bad value"), 400, "InvalidArgumentError"),
    (KeyError("k"), 500, "InternalError"),
    (NotImplementedError("later"), 501, None),
    (RuntimeError("boom"), 500, "InternalError"),
])
def test_backend_errors_read_as_before(error: Exception, status: int, wire: str | None) -> None:
    with TestClient(create_app(_Failing(error)), raise_server_exceptions=False) as api:  # type: ignore[arg-type]
        path = f"{SCOPE}/collections/{uuid.uuid4()}"
        for method, op, body in (("GET", "count", None),
                                 ("POST", "query", {"query_embeddings": [[1, 2]]})):
            got_status, content = _both(api, method, f"{path}/{op}", body)
            assert got_status == status
            if wire:
                assert json.loads(content)["error"] == wire
            assert not json.loads(content)["message"].startswith("Error getting collection")


def test_render_json_matches_the_standard_encoder() -> None:
    def standard(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")

    samples: list[Any] = [
        {"ids": [["a", "é", "\u2028", "\x00\x1f\"\\"]], "distances": [[0.1, 2.0, -0.0, 1e-7]]},
        [1, True, None, "x", 2**63 - 1, -(2**63), 1.5, {"k": [1.0, 2]}],
        {"metadatas": [{"f": 1e300, "g": [1e300, 1e300]}, None]},  # a sum that overflows
        {"s": "😀", "t": (1, 2)}, 3, "plain", None, [], {},
        np.float64(0.5), [np.float64(1.25), 2.0], {"n": 10**30},  # orjson refuses these
        {1: "int key", None: "none key"},
    ]
    for value in samples:
        assert json.loads(render_json(value)) == json.loads(standard(value)), value
        assert render_json(value).decode("utf-8").replace("e-7", "e-07") == standard(value).decode(
            "utf-8"), value
    for bad in (float("nan"), [1.0, float("inf")], {"d": [[0.5, float("-inf")]]},
                {"m": [{"x": float("nan")}]}, [np.float64("nan")], [[1.0, "x", float("nan")]]):
        with pytest.raises(ValueError, match="Out of range float values"):
            render_json(bad)
    with pytest.raises(TypeError):
        render_json({"v": object()})
    assert math.isfinite(json.loads(render_json([1e308, 1e308]))[0])


@pytest.mark.parametrize("rows", [
    None, [], [[1.0, 2.0], [3.0, 4.0]], [[]], [[1e39, -1e39]], [[1.0], [1.0, 2.0]],
    [[1.0, 2.0], encode_vector([3.0, 4.0])], [None, None], [[1.0], None], [encode_vector([1.0])],
])
def test_vectors_match_decode_embeddings(rows: Any) -> None:
    def outcome(call: Any) -> Any:
        try:
            found = call()
        except ChromaError as exc:
            return type(exc), str(exc)
        return None if found is None else (found.dtype, found.shape, found.tobytes())

    with np.errstate(over="ignore"):
        assert outcome(lambda: _vectors(rows, "embeddings")) == outcome(
            lambda: decode_embeddings(rows, field="embeddings"))


def test_fast_path_skips_fastapi(make_app: AppMaker) -> None:
    """Valid hot requests never reach the FastAPI routes; refusals always do."""
    from huedb.server import fast

    api = make_app()
    cid = _new_collection(api, "skips")
    reached: list[str] = []
    app = api.app
    inner = app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(inner, fast.FastRoutes):
        inner = inner.app
    downstream = inner.app

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"].rsplit("/", 1)[-1])
        await downstream(scope, receive, send)

    inner.app = spy
    base = f"{SCOPE}/collections/{cid}"
    record = {"ids": ["a"], "embeddings": [[1, 0]]}
    assert api.post(f"{base}/add", json=record).status_code == 201
    assert api.post(f"{base}/upsert", json=record).status_code == 200
    assert api.post(f"{base}/query", json={"query_embeddings": [[1, 0]]}).status_code == 200
    assert api.post(f"{base}/get", json={}).status_code == 200
    assert api.get(f"{base}/count").status_code == 200
    assert reached == []
    assert api.post(f"{base}/get", json={"limit": -1}).status_code == 422
    assert api.post(f"{base}/update", json={"ids": ["a"]}).status_code == 200
    assert reached == ["get", "update"]


def test_overhead_benchmark_runs() -> None:
    """`bench/server.py --overhead` serves the app over its stub backend (figures not checked)."""
    out = subprocess.run([sys.executable, str(REPO / "bench" / "server.py"), "--overhead",
                          "--small"], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "overhead" in out.stdout and "query" in out.stdout
