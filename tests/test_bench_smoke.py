"""The benchmark script runs end to end (a smoke test; figures are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_embedded_benchmark_small_runs() -> None:
    script = Path(__file__).resolve().parent.parent / "bench" / "embedded.py"
    out = subprocess.run([sys.executable, str(script), "--small", "--reference-python", "none"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "query QPS (one at a time)" in out.stdout and "recall@10" in out.stdout
