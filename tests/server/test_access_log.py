"""The access log: off by default; when on, one JSON line per request, whoever answered it."""

from __future__ import annotations

import json
import re
import signal
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from huedb.server import ServerConfig, load_config
from tests.server.conftest import API, SCOPE, AppMaker, Server

TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
FIELDS = {"time", "method", "path", "status", "duration_ms", "client", "bytes_in", "bytes_out",
          "tenant", "database", "collection", "user", "request_id"}
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level("INFO", logger="huedb.access")
    return caplog


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    found = [json.loads(r.getMessage()) for r in caplog.records if r.name == "huedb.access"]
    for entry in found:
        assert set(entry) == FIELDS and ISO_UTC.fullmatch(entry["time"]), entry
        assert entry["duration_ms"] >= 0
    caplog.clear()
    return found


def test_off_by_default(make_app: AppMaker, logged: pytest.LogCaptureFixture) -> None:
    assert ServerConfig().access_log == "off"
    api = make_app()
    assert api.get(f"{API}/heartbeat").status_code == 200
    assert lines(logged) == []


def test_one_line_per_request_on_every_path(make_app: AppMaker,
                                            logged: pytest.LogCaptureFixture) -> None:
    api = make_app(ServerConfig(access_log="json", max_payload_size_bytes=10_000))
    created = api.post(f"{SCOPE}/collections", json={"name": "logged"})  # a FastAPI route
    cid = created.json()["id"]
    body = json.dumps({"ids": ["a"], "embeddings": [[1.0, 2.0]]}).encode()
    added = api.post(f"{SCOPE}/collections/{cid}/add", content=body,  # the fast path
                     headers={"content-type": "application/json", "x-request-id": "req-7"})
    assert (created.status_code, added.status_code) == (200, 201)
    assert api.get("/no/such/route").status_code == 404
    assert api.post(f"{SCOPE}/collections/{cid}/add", content=b"x" * 20_000,
                    headers={"content-type": "application/json"}).status_code == 413
    assert api.get(f"{SCOPE}/collections/{uuid.uuid4()}/count").status_code == 404

    def broken(*args: object) -> int:
        raise RuntimeError("disk on fire")

    api.app.state.backend.count = broken  # type: ignore[attr-defined]
    assert api.get(f"{SCOPE}/collections/{cid}/count").status_code == 500
    entries = lines(logged)
    assert [(e["method"], e["status"]) for e in entries] == [
        ("POST", 200), ("POST", 201), ("GET", 404), ("POST", 413), ("GET", 404), ("GET", 500)]
    first, add = entries[0], entries[1]
    assert first["path"] == f"{SCOPE}/collections" and first["collection"] is None
    assert (first["tenant"], first["database"]) == ("default_tenant", "default_database")
    assert first["bytes_out"] == len(created.content) and first["client"] == "testclient:50000"
    assert add["collection"] == cid and add["request_id"] == "req-7"
    assert (add["bytes_in"], add["bytes_out"]) == (len(body), len(added.content))
    assert entries[2]["tenant"] is None and entries[2]["request_id"] is None


def test_tokens_are_never_logged(make_app: AppMaker, logged: pytest.LogCaptureFixture) -> None:
    secret = "s3cret-" + uuid.uuid4().hex
    api = make_app(ServerConfig(access_log="json"), chroma_server_authn_provider=TOKEN_PROVIDER,
                   chroma_server_authn_credentials=secret)
    collections = f"{SCOPE}/collections"
    assert api.get(collections, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert api.get(collections, headers={"X-Chroma-Token": f"{secret}-wrong"}).status_code == 403
    assert api.get(collections, headers={"Authorization": "Bearer nope"}).status_code == 403
    entries = lines(logged)
    assert [e["status"] for e in entries] == [200, 403, 403]
    assert entries[0]["user"] == "anonymous"
    text = "\n".join(json.dumps(e) for e in entries)
    assert "s3cret" not in text and "nope" not in text


@pytest.mark.parametrize(("value", "expected"), [
    ("json", "json"), ("JSON", "json"), ("off", "off"), ("false", "off"), ("true", "json")])
def test_access_log_from_the_environment(value: str, expected: str) -> None:
    assert load_config(None, {"CHROMA_ACCESS_LOG": value}).access_log == expected


def test_access_log_setting_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("access_log: yes please\n")
    with pytest.raises(ValueError, match="access_log must be one of off, json"):
        load_config(config, {})
    config.write_text("access_log: json\n")
    assert load_config(config, {}).access_log == "json"


@pytest.mark.multiprocess
@pytest.mark.parametrize(("args", "env"), [
    ((), {"CHROMA_ACCESS_LOG": "json"}),
    (("--access-log", "json", "--workers", "2"), {}),
], ids=["env", "flag-2-workers"])
def test_process_writes_one_json_line_per_request(tmp_path: Path, args: tuple[str, ...],
                                                  env: dict[str, str]) -> None:
    running = Server(tmp_path / "data", *args, env=env)
    try:
        ids = [f"probe-{n}" for n in range(6)]
        with httpx.Client(base_url=running.url, timeout=30) as client:
            for n, request_id in enumerate(ids):
                path = f"{API}/heartbeat" if n % 2 else f"{SCOPE}/collections/{uuid.uuid4()}"
                client.get(path, headers={"x-request-id": request_id})
        running.process.send_signal(signal.SIGTERM)
        output = running.process.communicate(timeout=30)[0].decode()
    finally:
        running.stop()
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    mine = [e for e in entries if e["request_id"] in ids]
    assert sorted(e["request_id"] for e in mine) == ids, output
    assert {e["status"] for e in mine} == {200, 404}
    assert all(set(e) == FIELDS and e["client"].startswith("127.0.0.1:") for e in entries)
    assert "HTTP/1.1" not in output, "uvicorn's own access log is off"
