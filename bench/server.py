"""HTTP API benchmark: add throughput and query QPS of `huedb run` and, if present, `chroma run`.

Both servers get the same requests on 127.0.0.1 only: records are added with plain httpx,
and queries come from separate client processes over stdlib keep-alive connections with bodies
encoded in advance (so the figures measure the servers, not a client library):

    python bench/server.py              # 20k x 128 records, 6 s of queries each, 4 clients
    python bench/server.py --small      # 2k records, 2 s: a smoke test of the script

Both servers run at once; after loading, their query windows alternate (--rounds of them), so
both see the same drift in this machine's speed.
    python bench/server.py --overhead   # the HTTP layer alone: huedb's app over a stub backend

--overhead serves `create_app` over a backend that answers at once, with the uvicorn options of
`huedb run`, and times keep-alive requests one at a time against it and against a bare ASGI app
that answers every request with fixed bytes; the difference is what huedb's HTTP layer costs
per request (routing, auth and size checks, parsing, validation, encoding, the thread hop).

`chroma run` comes from --chroma-bin (default /work/.chromavenv/bin/chroma when it exists).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
SCOPE = "/api/v2/tenants/default_tenant/databases/default_database"
DEFAULT_CHROMA = Path("/work/.chromavenv/bin/chroma")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(kind: str, path: Path, port: int, chroma_bin: Path | None,
          workers: int) -> subprocess.Popen[bytes]:
    if kind == "huedb":
        command = [sys.executable, "-m", "huedb", "run", "--path", str(path), "--host",
                   "127.0.0.1", "--port", str(port), "--log-level", "warning",
                   "--workers", str(workers)]
    else:
        command = [str(chroma_bin), "run", "--path", str(path), "--host", "127.0.0.1",
                   "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def run_all(kinds: list[str], args: argparse.Namespace, data: np.ndarray[Any, Any],
            queries: np.ndarray[Any, Any]) -> dict[str, dict[str, float]]:
    """Every server up at once, each loaded in turn, then their query windows alternated.

    This machine's speed drifts by tens of percent over minutes; alternating short windows
    (A B A B ...) exposes both servers to the same drift, which running one after the other
    does not.
    """
    with contextlib.ExitStack() as stack:
        urls = {}
        for kind in kinds:
            port = free_port()
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            process = start(kind, Path(tmp), port, args.chroma_bin, args.workers)
            stack.callback(stop, process)
            urls[kind] = f"http://127.0.0.1:{port}"
        results = {kind: load(urls[kind], args, data, queries) for kind in kinds}
        targets = {kind: results[kind].pop("path_query") for kind in kinds}
        # Both servers get the same pause, so background index builds (huedb's HNSW graph)
        # finish before the query phase measures steady state.
        time.sleep(args.settle)
        bodies = [json.dumps({"query_embeddings": [q.tolist()], "n_results": 10,
                              "include": ["distances", "metadatas"]}).encode() for q in queries]
        done = dict.fromkeys(kinds, 0)
        window = args.seconds / args.rounds
        with multiprocessing.get_context("spawn").Pool(args.threads) as pool:
            for _ in range(args.rounds):
                for kind in kinds:
                    done[kind] += query_window(pool, targets[kind], bodies, args.threads,
                                               window)
        for kind in kinds:
            results[kind]["query_qps"] = done[kind] / args.seconds
        return results


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def load(url: str, args: argparse.Namespace, data: np.ndarray[Any, Any],
         queries: np.ndarray[Any, Any]) -> dict[str, Any]:
    """Creates the collection and adds the records; the add rate and where to query."""
    with httpx.Client(base_url=url, timeout=120) as http:
        created = http.post(f"{SCOPE}/collections", json={"name": "bench", "configuration": {
            "hnsw": {"space": "l2"}}})
        created.raise_for_status()
        base = f"{SCOPE}/collections/{created.json()['id']}"
        started = time.perf_counter()
        for lo in range(0, len(data), args.batch):
            rows = data[lo:lo + args.batch]
            response = http.post(f"{base}/add", json={
                "ids": [str(i) for i in range(lo, lo + len(rows))],
                "embeddings": rows.tolist(),
                "metadatas": [{"i": i % 10} for i in range(lo, lo + len(rows))]})
            response.raise_for_status()
        add_seconds = time.perf_counter() - started
        warm = http.post(f"{base}/query", json={"query_embeddings": [queries[0].tolist()],
                                                "n_results": 10})
        warm.raise_for_status()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return {"add_per_s": len(data) / add_seconds, "path_query": (host, int(port),
                                                                 f"{base}/query")}


def query_window(pool: Any, target: tuple[str, int, str], bodies: list[bytes], clients: int,
                 seconds: float) -> int:
    """Queries answered in `seconds` by `clients` client processes at once."""
    # Each client is its own process on a stdlib keep-alive connection with bodies encoded in
    # advance: threads of one Python process (and httpx's per-request work) saturate a core
    # before a fast server does, and then the figure measures the client.
    host, port, path = target
    counts = pool.starmap(query_client, [(host, port, path, bodies[n::clients], seconds)
                                         for n in range(clients)])
    return int(sum(counts))


def query_client(host: str, port: int, path: str, bodies: list[bytes], seconds: float) -> int:
    """Posts the bodies in turn for `seconds`; returns how many got a 200."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Content-Type": "application/json"}
    done, stop_at = 0, time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        connection.request("POST", path, bodies[done % len(bodies)], headers)
        response = connection.getresponse()
        text = response.read()
        if response.status != 200:
            raise RuntimeError(text.decode(errors="replace"))
        done += 1
    connection.close()
    return done


# -- --overhead: the HTTP layer alone ------------------------------------------------------------

STUB_ID = "11111111-1111-4111-8111-111111111111"


def stub_backend() -> Any:
    """A backend that answers every hot route at once with small fixed results."""
    import uuid

    from huedb._backend import GetResponse, QueryResponse
    from huedb.types import CollectionModel

    class Stub:
        def heartbeat(self) -> int:
            return 1

        def get_collection_by_id(self, cid: uuid.UUID) -> CollectionModel:
            return CollectionModel(id=cid, name="stub", configuration_json={}, metadata=None,
                                   dimension=128, tenant="default_tenant",
                                   database="default_database")

        def add(self, cid: uuid.UUID, batch: Any) -> None:
            pass

        def upsert(self, cid: uuid.UUID, batch: Any) -> None:
            pass

        def count(self, cid: uuid.UUID) -> int:
            return 20_000

        def get(self, cid: uuid.UUID, ids: Any, where: Any, where_document: Any, limit: Any,
                offset: Any, include: Any) -> GetResponse:
            found = ids or ["0"]
            return GetResponse(ids=found, embeddings=None, documents=None, uris=None,
                               metadatas=[{"i": i} for i in range(len(found))],
                               included=include)

        def query(self, cid: uuid.UUID, vectors: Any, n_results: int, ids: Any, where: Any,
                  where_document: Any, include: Any) -> QueryResponse:
            rows = len(vectors)
            return QueryResponse(
                ids=[[str(i) for i in range(n_results)]] * rows, embeddings=None,
                documents=None, uris=None,
                metadatas=[[{"i": i % 10} for i in range(n_results)]] * rows,
                distances=[[0.123456789 * i for i in range(n_results)]] * rows,
                included=include)

        def close(self) -> None:
            pass

    return Stub()


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """The floor: reads the body and answers fixed bytes, with no routing or checks at all."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2"), (b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


def serve_stub(port: int, bare: bool) -> None:
    sys.path.insert(0, str(REPO))
    import uvicorn

    from huedb.cli.serve import uvicorn_options
    from huedb.server import ServerConfig, create_app

    config = ServerConfig(listen_address="127.0.0.1", port=port)
    app = bare_app if bare else create_app(stub_backend(), config=config)
    uvicorn.run(app, **uvicorn_options(config, "warning"))  # type: ignore[arg-type]


def start_stub(port: int, bare: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-stub", str(port)]
    process = subprocess.Popen(command + (["--bare"] if bare else []),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("stub server did not start")


def overhead_requests(dim: int) -> list[tuple[str, str, str, bytes | None]]:
    import json

    rng = np.random.default_rng(3)
    base = f"{SCOPE}/collections/{STUB_ID}"
    query = {"query_embeddings": [rng.standard_normal(dim).astype(np.float32).tolist()],
             "n_results": 10, "include": ["distances", "metadatas"]}
    rows = rng.standard_normal((100, dim)).astype(np.float32)
    batch = {"ids": [str(i) for i in range(100)], "embeddings": rows.tolist(),
             "metadatas": [{"i": i} for i in range(100)]}
    get = {"ids": ["1", "2"], "include": ["metadatas"]}
    return [
        ("query", "POST", f"{base}/query", json.dumps(query).encode()),
        ("get", "POST", f"{base}/get", json.dumps(get).encode()),
        ("count", "GET", f"{base}/count", None),
        ("add 100", "POST", f"{base}/add", json.dumps(batch).encode()),
        ("upsert 100", "POST", f"{base}/upsert", json.dumps(batch).encode()),
    ]


def time_requests(url: str, requests: list[tuple[str, str, str, bytes | None]],
                  count: int) -> dict[str, float]:
    """Median seconds per request, one at a time over one keep-alive connection."""
    medians: dict[str, float] = {}
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as http:
        for name, method, path, body in requests:
            times: list[float] = []
            repeats = count if body is None or len(body) < 10_000 else max(count // 5, 50)
            for n in range(repeats + repeats // 10):
                started = time.perf_counter()
                response = http.request(method, path, content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code >= 300:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text}")
                if n >= repeats // 10:  # the first tenth warms up
                    times.append(elapsed)
            medians[name] = float(np.median(times))
    return medians


def overhead(args: argparse.Namespace) -> int:
    requests = overhead_requests(args.dim)
    results: dict[str, dict[str, float]] = {}
    for kind, bare in (("bare", True), ("huedb", False)):
        port = free_port()
        process = start_stub(port, bare)
        try:
            results[kind] = time_requests(f"http://127.0.0.1:{port}", requests, args.requests)
        finally:
            process.terminate()
            process.wait(30)
    print(f"HTTP layer per request, stub backend, {args.requests} sequential keep-alive "
          "requests each (medians, microseconds)")
    print(f"{'route':<11} {'bare ASGI':>10} {'huedb':>8} {'overhead':>9}")
    for name, *_ in requests:
        floor, ours = results["bare"][name] * 1e6, results["huedb"][name] * 1e6
        print(f"{name:<11} {floor:>10.0f} {ours:>8.0f} {ours - floor:>9.0f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overhead", action="store_true",
                        help="time the HTTP layer alone, over a stub backend")
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests per route in --overhead mode")
    parser.add_argument("--serve-stub", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4, help="client processes")
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="query seconds per server, in --rounds alternating windows")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1, help="huedb worker processes")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds to wait between ingest and queries (both servers)")
    parser.add_argument("--chroma-bin", type=lambda s: None if s == "none" else Path(s),
                        default=DEFAULT_CHROMA if DEFAULT_CHROMA.exists() else None)
    args = parser.parse_args()
    if args.serve_stub:
        serve_stub(args.serve_stub, args.bare)
        return 0
    if args.small:
        args.n, args.seconds, args.requests, args.rounds = 2000, 2.0, 200, 2
    if args.overhead:
        return overhead(args)
    rng = np.random.default_rng(7)
    data = rng.standard_normal((args.n, args.dim)).astype(np.float32)
    queries = rng.standard_normal((200, args.dim)).astype(np.float32)
    kinds = ["huedb"] + (["chroma"] if args.chroma_bin and args.chroma_bin.exists() else [])
    results = run_all(kinds, args, data, queries)
    print(f"HTTP API, {args.n} x {args.dim} float32, {args.threads} client processes, "
          f"huedb workers={args.workers}, settle {args.settle:.0f} s, {os.cpu_count()} cores")
    print(f"{'server':<8} {'add records/s':>14} {'query QPS':>10}")
    for kind, figures in results.items():
        print(f"{kind:<8} {figures['add_per_s']:>14.0f} {figures['query_qps']:>10.0f}")
    if "chroma" in results:
        ratio = results["huedb"]["query_qps"] / results["chroma"]["query_qps"]
        print(f"huedb / chroma query QPS: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
