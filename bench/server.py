"""HTTP API benchmark: add throughput and query QPS of `huedb run` and, if present, `chroma run`.

Both servers get the same requests, sent with plain httpx from this process (so the figures
measure the servers, not a client library), on 127.0.0.1 only:

    python bench/server.py              # 20k x 128 records, 5 s of queries at 4 client threads
    python bench/server.py --small      # 2k records, 2 s: a smoke test of the script

`chroma run` comes from --chroma-bin (default /work/.chromavenv/bin/chroma when it exists).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
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


def run_one(kind: str, args: argparse.Namespace, data: np.ndarray[Any, Any],
            queries: np.ndarray[Any, Any]) -> dict[str, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = start(kind, Path(tmp), port, args.chroma_bin, args.workers)
        try:
            return measure(f"http://127.0.0.1:{port}", args, data, queries)
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def measure(url: str, args: argparse.Namespace, data: np.ndarray[Any, Any],
            queries: np.ndarray[Any, Any]) -> dict[str, float]:
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
    done = [0] * args.threads
    failures: list[str] = []
    stop_at = time.perf_counter() + args.seconds

    def worker(n: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            i = n
            while time.perf_counter() < stop_at:
                body = {"query_embeddings": [queries[i % len(queries)].tolist()],
                        "n_results": 10, "include": ["distances", "metadatas"]}
                response = http.post(f"{base}/query", json=body)
                if response.status_code != 200:
                    failures.append(response.text)
                    return
                done[n] += 1
                i += args.threads

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return {"add_per_s": len(data) / add_seconds, "query_qps": sum(done) / args.seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1, help="huedb worker processes")
    parser.add_argument("--chroma-bin", type=lambda s: None if s == "none" else Path(s),
                        default=DEFAULT_CHROMA if DEFAULT_CHROMA.exists() else None)
    args = parser.parse_args()
    if args.small:
        args.n, args.seconds = 2000, 2.0
    rng = np.random.default_rng(7)
    data = rng.standard_normal((args.n, args.dim)).astype(np.float32)
    queries = rng.standard_normal((200, args.dim)).astype(np.float32)
    kinds = ["huedb"] + (["chroma"] if args.chroma_bin and args.chroma_bin.exists() else [])
    results = {kind: run_one(kind, args, data, queries) for kind in kinds}
    print(f"HTTP API, {args.n} x {args.dim} float32, {args.threads} client threads, "
          f"huedb workers={args.workers}")
    print(f"{'server':<8} {'add records/s':>14} {'query QPS':>10}")
    for kind, figures in results.items():
        print(f"{kind:<8} {figures['add_per_s']:>14.0f} {figures['query_qps']:>10.0f}")
    if "chroma" in results:
        ratio = results["huedb"]["query_qps"] / results["chroma"]["query_qps"]
        print(f"huedb / chroma query QPS: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
