"""Server fixtures: an app over a fresh database, a TestClient, and a real `huedb run` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server extra (fastapi, uvicorn) is not installed")

from starlette.testclient import TestClient  # noqa: E402

from huedb.config import Settings  # noqa: E402
from huedb.engine.backend import LocalBackend  # noqa: E402
from huedb.server import ServerConfig, create_app  # noqa: E402

API = "/api/v2"
SCOPE = f"{API}/tenants/default_tenant/databases/default_database"
REPO = Path(__file__).resolve().parents[2]

AppMaker = Callable[..., TestClient]


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppMaker]:
    """TestClients over apps that share one database under tmp_path."""
    backends: list[LocalBackend] = []
    clients: list[TestClient] = []

    def make(config: ServerConfig | None = None, **settings_kwargs: Any) -> TestClient:
        settings = Settings(is_persistent=True, persist_directory=str(tmp_path / "db"),
                            **settings_kwargs)
        backend = LocalBackend(tmp_path / "db", settings)
        backends.append(backend)
        client = TestClient(create_app(backend, settings, config), raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    for backend in backends:
        backend.close()


@pytest.fixture
def api(make_app: AppMaker) -> TestClient:
    return make_app(allow_reset=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A `huedb run` subprocess on 127.0.0.1 and a free port."""

    def __init__(self, path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "huedb", "run", "--path", str(path), "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", *args],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"huedb run exited early:\n{output}")
            try:
                if httpx.get(f"{self.url}{API}/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("huedb run did not become ready")

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "served", "--allow-reset")
    yield running
    running.stop()
