"""Chroma's own Python HttpClient (chromadb 1.5.9) driving a `huedb run` server."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.chroma_reference import CHROMA_PYTHON, MISSING_REASON
from tests.server.conftest import Server

pytestmark = pytest.mark.multiprocess
SCRIPT = Path(__file__).with_name("official_client_scenarios.py")


@pytest.mark.skipif(not CHROMA_PYTHON.exists(), reason=MISSING_REASON)
def test_official_http_client_scenarios(server: Server) -> None:
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(CHROMA_PYTHON), str(SCRIPT), str(server.port)], env=env,
                          capture_output=True, text=True, timeout=300)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    failures = [r for r in results if not r["ok"]]
    assert not failures, "\n".join(r["error"] for r in failures)
    assert done.returncode == 0, done.stderr
    assert len(results) == 7
