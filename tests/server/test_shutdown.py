"""SIGTERM under load: `huedb run` drains what is in flight, exits 0, and loses nothing it acked.

Four writers add batches and two readers run many-vector queries, over keep-alive connections,
for about a second; then the server gets SIGTERM (as `docker stop` and Kubernetes send it) and
the clients keep going until it stops answering. Each request ends one of three ways:
- answered in full: a 2xx (an add's ids are then acknowledged) or a 4xx;
- refused before any answer (connection refused or closed with no status line), which tells
  the client nothing was acknowledged;
- torn: a status line then a broken or partial body. That, or any 5xx, fails the test.
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

import huedb
from tests.server.conftest import SCOPE, Server

pytestmark = pytest.mark.multiprocess

REPO = Path(__file__).resolve().parents[2]
DIMENSION = 32
BATCH = 200
LOAD_SECONDS = 1.0


def grace_period() -> int:
    """The StatefulSet's terminationGracePeriodSeconds: the time before Kubernetes kills."""
    manifest = yaml.safe_load((REPO / "deploy" / "k8s" / "statefulset.yaml").read_text())
    seconds: int = manifest["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    return seconds


@dataclass
class Outcome:
    acknowledged: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # torn bodies and 5xx answers
    answered_after_sigterm: int = 0
    straddling: int = 0  # sent before SIGTERM, acknowledged after it
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(client: httpx.Client, path: str, body: dict[str, object], outcome: Outcome,
            sigterm_at: list[float]) -> int | None:
    """POST `body`; the status when answered in full, None when refused before any answer."""
    sent = time.monotonic()
    try:
        with client.stream("POST", path, json=body) as response:
            status = response.status_code
            try:
                payload = response.read()
                json.loads(payload)
            except (httpx.HTTPError, ValueError) as exc:
                with outcome.lock:
                    outcome.bad.append(f"torn {status} answer to {path}: {exc!r}")
                return None
    except httpx.TransportError:
        return None  # refused or closed before a status line: nothing acknowledged
    if status >= 500:
        with outcome.lock:
            outcome.bad.append(f"{status} from {path}: {payload[:300]!r}")
    if sigterm_at:
        with outcome.lock:
            outcome.answered_after_sigterm += 1
            if sent < sigterm_at[0] and 200 <= status < 300:
                outcome.straddling += 1
    return status


def writer(url: str, collection: str, n: int, outcome: Outcome, sigterm_at: list[float],
           stop: threading.Event) -> None:
    rng = random.Random(n)
    with httpx.Client(base_url=url, timeout=60) as client:
        for batch in range(10_000):
            if stop.is_set():
                return
            ids = [f"w{n}-{batch}-{i}" for i in range(BATCH)]
            body = {"ids": ids, "embeddings": [[rng.random() for _ in range(DIMENSION)]
                                               for _ in ids]}
            status = request(client, f"{SCOPE}/collections/{collection}/add", body, outcome,
                             sigterm_at)
            if status is None:
                return
            if 200 <= status < 300:
                with outcome.lock:
                    outcome.acknowledged += ids


def reader(url: str, collection: str, outcome: Outcome, sigterm_at: list[float],
           stop: threading.Event) -> None:
    rng = random.Random(-1)
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            body = {"query_embeddings": [[rng.random() for _ in range(DIMENSION)]
                                         for _ in range(50)],
                    "n_results": 20, "include": ["distances", "metadatas"]}
            if request(client, f"{SCOPE}/collections/{collection}/query", body, outcome,
                       sigterm_at) is None:
                return


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_drains_in_flight_requests(tmp_path: Path, workers: int) -> None:
    path = tmp_path / "data"
    running = Server(path, "--workers", str(workers))
    try:
        created = httpx.post(f"{running.url}{SCOPE}/collections", json={"name": "drain"},
                             timeout=30)
        collection = created.json()["id"]
        outcome = Outcome()
        sigterm_at: list[float] = []
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(running.url, collection, n, outcome,
                                                         sigterm_at, stop)) for n in range(4)]
        threads += [threading.Thread(target=reader, args=(running.url, collection, outcome,
                                                          sigterm_at, stop)) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_SECONDS)
        assert outcome.acknowledged, "no write was acknowledged before SIGTERM"
        sigterm_at.append(time.monotonic())
        running.process.send_signal(signal.SIGTERM)
        code = running.process.wait(timeout=grace_period())
        stopped_after = time.monotonic() - sigterm_at[0]
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        stop_code = running.stop()
    assert code == stop_code == 0, f"exit status {code}"
    assert not outcome.bad, outcome.bad[:5]
    # In flight at SIGTERM and answered after it: the drain is what the test exercised.
    assert outcome.straddling > 0, (outcome.answered_after_sigterm, stopped_after)
    with huedb.PersistentClient(path) as local:
        stored = set(local.get_collection("drain", embedding_function=None).get(
            include=[])["ids"])
    missing = set(outcome.acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged ids lost, e.g. {sorted(missing)[:3]}"
