"""Shared fixtures: a `client` of every kind, Hypothesis profiles, and cleanup of open databases."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import huedb
from huedb.embeddings.hashing import HashingEmbeddingFunction
from huedb.engine import shared
from huedb.remote import HttpBackend
from tests import async_adapter

try:
    from starlette.testclient import TestClient

    from huedb.server import create_app
    HAVE_SERVER = True
except ImportError:  # without the server extra, the http kind is left out
    HAVE_SERVER = False

settings.register_profile(
    "fast", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "normal", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "slow", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HUEDB_HYPOTHESIS", "normal"))

CLIENT_KINDS = ["ephemeral", "persistent"] + (["http", "async_http"] if HAVE_SERVER else [])
# The kinds that reach the database through a server, and so see its errors and version.
HTTP_KINDS = frozenset({"http", "async_http"})

ClientMaker = Callable[..., huedb.ClientAPI]


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    yield
    huedb.ClientAPI.clear_system_cache()


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def make_client(client_kind: str, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[ClientMaker]:
    """Builds clients of one kind that all see the same database.

    The http kind is huedb's HttpClient talking to `create_app` over a persistent database in
    this process, through Starlette's TestClient (no port); the settings a client is made with
    are the server's, so `allow_reset` and the shared-location check behave as in process.
    The async_http kind is `await huedb.AsyncHttpClient(...)` against the same app, behind a
    sync facade (tests/async_adapter.py) that awaits every call on one event loop.
    """
    with contextlib.ExitStack() as stack:
        if client_kind in HTTP_KINDS:
            _serve_in_process(stack, monkeypatch)
        if client_kind == "async_http":
            loop = stack.enter_context(async_adapter.event_loop())

        def make(**settings_kwargs: object) -> huedb.ClientAPI:
            settings = huedb.Settings(**settings_kwargs)
            if client_kind == "ephemeral":
                return huedb.EphemeralClient(settings=settings)
            if client_kind == "persistent":
                return huedb.PersistentClient(path=tmp_path / "db", settings=settings)
            server_settings = settings.copy(is_persistent=True,
                                            persist_directory=str(tmp_path / "server"))
            backend = shared.acquire(tmp_path / "server", server_settings)
            stack.callback(shared.release, backend)
            stack.enter_context(_APPS.use(create_app(backend, server_settings)))
            if client_kind == "async_http":
                return async_adapter.connect(loop, host="testserver", port=80,
                                             settings=settings)
            return huedb.HttpClient(host="testserver", port=80, settings=settings)

        yield make


class _InProcessApps:
    """The app that HttpBackend.connect reaches while a test serves one in process."""

    def __init__(self) -> None:
        self.client: TestClient | None = None

    @contextlib.contextmanager
    def use(self, app: Any) -> Iterator[None]:
        with TestClient(app, base_url="http://testserver:80") as test_client:
            self.client = test_client
            yield

    def connect(self, base_url: str, **_: Any) -> HttpBackend:
        if self.client is None:
            raise ValueError("Could not connect to a Chroma server. Are you sure it is running?")
        return HttpBackend(self.client, owns_http=False)


_APPS = _InProcessApps()


def _serve_in_process(stack: contextlib.ExitStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HttpBackend, "connect", _APPS.connect)

    def forget() -> None:
        _APPS.client = None

    stack.callback(forget)


@pytest.fixture
def client(make_client: ClientMaker) -> huedb.ClientAPI:
    return make_client(allow_reset=True)


@pytest.fixture
def ef() -> HashingEmbeddingFunction:
    return HashingEmbeddingFunction(dim=32)
