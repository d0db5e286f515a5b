"""A real `huedb run` process: serving, clients, several workers, config files.

Shutdown under load is tests/server/test_shutdown.py; startup failures test_startup.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import huedb
from tests.server.conftest import API, REPO, Server, free_port

pytestmark = pytest.mark.multiprocess


def test_smoke_http_client(server: Server) -> None:
    client = huedb.HttpClient(host="127.0.0.1", port=server.port)
    assert client.heartbeat() > 0
    col = client.create_collection("smoke", embedding_function=None, metadata={"k": "v"})
    col.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["x", "y"])
    result = col.query(query_embeddings=[[0.9, 0.1]], n_results=1)
    assert result["ids"] == [["a"]] and result["documents"] == [["x"]]
    assert client.get_collection("smoke", embedding_function=None).metadata == {"k": "v"}
    assert client.reset() is True
    client.close()


def test_clients_with_equal_settings_share_one_connection_pool(server: Server) -> None:
    first = huedb.HttpClient(host="127.0.0.1", port=server.port)
    second = huedb.HttpClient(host="127.0.0.1", port=server.port)
    other = huedb.HttpClient(host="127.0.0.1", port=server.port, headers={"X-Team": "b"})
    assert first._backend is second._backend  # type: ignore[attr-defined]
    assert other._backend is not first._backend  # type: ignore[attr-defined]
    first.close()
    assert second.heartbeat() > 0  # still open: the other client holds it
    second.close()
    assert second._backend.http.is_closed  # type: ignore[attr-defined]
    huedb.ClientAPI.clear_system_cache()
    assert other._backend.http.is_closed  # type: ignore[attr-defined]


def test_unreachable_server() -> None:
    with pytest.raises(ValueError, match="Could not connect to a Chroma server"):
        huedb.HttpClient(host="127.0.0.1", port=free_port())


async def _async_round_trip(port: int) -> list[list[str]]:
    client = await huedb.AsyncHttpClient(host="127.0.0.1", port=port)
    col = await client.create_collection("async", embedding_function=None)
    await col.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]])
    assert await col.count() == 2
    assert (await col.get(ids=["b"]))["ids"] == ["b"]
    result = await col.query(query_embeddings=[[0.0, 1.0]], n_results=1)
    await client.delete_collection("async")
    await client.close()
    ids: list[list[str]] = result["ids"]
    return ids


def test_async_http_client(server: Server) -> None:
    import asyncio

    assert asyncio.run(_async_round_trip(server.port)) == [["b"]]


def test_config_file_and_env_override(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"persist_path: {tmp_path / 'from-config'}\nallow_reset: false\n"
                      "port: 1\n")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "huedb", "run", "--config", str(config), "--host", "127.0.0.1",
         "--log-level", "warning"],
        cwd=REPO, env={"PYTHONPATH": str(REPO), "CHROMA_PORT": str(port),
                       "CHROMA_ALLOW_RESET": "true", "PATH": "/usr/bin:/bin"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}{API}/reset", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.json() is True
        assert (tmp_path / "from-config").is_dir()
    finally:
        process.terminate()
        process.wait(30)


def test_missing_config_file(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "huedb", "run", str(tmp_path / "none.yaml")],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "does not exist" in done.stderr


def test_two_workers_share_one_path(tmp_path: Path) -> None:
    running = Server(tmp_path / "data", "--workers", "2")
    try:
        clients = [huedb.HttpClient(host="127.0.0.1", port=running.port) for _ in range(4)]
        clients[0].create_collection("shared", embedding_function=None)
        for n, client in enumerate(clients):
            col = client.get_collection("shared", embedding_function=None)
            col.add(ids=[f"c{n}-{i}" for i in range(20)],
                    embeddings=[[float(n), float(i)] for i in range(20)])
        for client in clients:
            assert client.get_collection("shared", embedding_function=None).count() == 80
            client.close()
    finally:
        assert running.stop() == 0
