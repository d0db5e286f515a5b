"""Shared fixtures: a `client` of every kind, Hypothesis profiles, and cleanup of open databases."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import huedb
from huedb.embeddings.hashing import HashingEmbeddingFunction

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

CLIENT_KINDS = ["ephemeral", "persistent"]

ClientMaker = Callable[..., huedb.ClientAPI]


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    yield
    huedb.ClientAPI.clear_system_cache()


@pytest.fixture(params=CLIENT_KINDS)
def make_client(request: pytest.FixtureRequest, tmp_path: Path) -> ClientMaker:
    """Builds clients of one kind that all see the same database."""
    kind = request.param

    def make(**settings_kwargs: object) -> huedb.ClientAPI:
        settings = huedb.Settings(**settings_kwargs)
        if kind == "ephemeral":
            return huedb.EphemeralClient(settings=settings)
        return huedb.PersistentClient(path=tmp_path / "db", settings=settings)

    return make


@pytest.fixture
def client(make_client: ClientMaker) -> huedb.ClientAPI:
    return make_client(allow_reset=True)


@pytest.fixture
def ef() -> HashingEmbeddingFunction:
    return HashingEmbeddingFunction(dim=32)
