"""Chroma's official JavaScript client (npm `chromadb`, see tests/server/js) driving `huedb run`.

`scripts/test` installs the client with `npm ci --prefix tests/server/js`; without node or that
install the test skips with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import Server

pytestmark = pytest.mark.multiprocess

JS_DIR = Path(__file__).with_name("js")
SCENARIO = JS_DIR / "scenario.mjs"
NODE = shutil.which("node")


def _skip_reason() -> str | None:
    if NODE is None:
        return "node is not installed; the JS client test needs Node >= 20"
    if not (JS_DIR / "node_modules" / "chromadb" / "package.json").exists():
        return ("the chromadb npm package is not installed in tests/server/js/node_modules "
                "(run scripts/test, or `npm ci --prefix tests/server/js`)")
    return None


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_official_js_client_scenario(server: Server) -> None:
    assert NODE is not None
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([NODE, str(SCENARIO), server.url], cwd=JS_DIR, env=env,
                          capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON summary (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    summary: dict[str, Any] = json.loads(lines[-1])
    failures = "\n".join(f"{f['name']}: {f['error']}" for f in summary["failures"])
    assert summary["ok"], f"{summary['failed']} JS client step(s) failed:\n{failures}"
    assert done.returncode == 0, done.stderr
    assert summary["client"].startswith("chromadb@3.4."), summary["client"]
    assert summary["passed"] >= 50, summary
