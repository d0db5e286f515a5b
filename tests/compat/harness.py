"""Scenario builders, the reference-chromadb subprocess and the result comparison.

Each test module lists `Scenario`s in `SCENARIOS`, gets all chromadb results from one subprocess
(`chroma_results_for`; conftest.py starts the subprocesses of all selected modules in parallel)
and checks huedb step by step (`check`). A step may carry an expected difference (`quirk`): then
huedb must give the stated value instead of Chroma's, because huedb deliberately does not copy
that Chroma bug (spec §10 / Corrections). Any other known mismatch is a whole scenario marked
`xfail` (strict) with a precise reason.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import huedb
from tests.chroma_reference import CHROMA_PYTHON, MISSING_REASON
from tests.compat import runner

Step = dict[str, Any]

RUNNER = Path(runner.__file__)
TOLERANT_KEYS = {"embeddings": (1e-6, 1e-6), "distances": (1e-5, 1e-6)}


@dataclass(frozen=True)
class Scenario:
    """Steps run on a fresh client of kind `client`; `xfail` names a known, unfixed mismatch."""

    name: str
    steps: list[Step]
    client: str = "ephemeral"
    xfail: str | None = None

    def payload(self) -> dict[str, Any]:
        return {"client": self.client, "steps": self.steps}


# -- builders -------------------------------------------------------------------------------------

def create(name: str = "coll", as_: str = "c", method: str = "create_collection",
           **kwargs: Any) -> Step:
    """create_collection (or another client method returning a Collection), EF disabled."""
    kwargs.setdefault("embedding_function", None)
    return {"op": "client", "method": method, "kwargs": {"name": name, **kwargs}, "as": as_}


def client(method: str, *args: Any, as_: str | None = None, **kwargs: Any) -> Step:
    step: Step = {"op": "client", "method": method, "args": list(args), "kwargs": kwargs}
    if as_ is not None:
        step["as"] = as_
    return step


def admin(method: str, *args: Any, **kwargs: Any) -> Step:
    return {"op": "admin", "method": method, "args": list(args), "kwargs": kwargs}


def col(method: str, *args: Any, target: str = "c", **kwargs: Any) -> Step:
    return {"op": "call", "target": target, "method": method, "args": list(args),
            "kwargs": kwargs}


def attrs(target: str = "c") -> Step:
    return {"op": "attrs", "target": target}


def reopen() -> Step:
    return {"op": "reopen"}


def new_client(**kwargs: Any) -> Step:
    return {"op": "new_client", "kwargs": kwargs}


def nparray(data: Any, dtype: str = "float32") -> dict[str, Any]:
    return {"__np__": data, "dtype": dtype}


def colid(name: str = "c") -> dict[str, str]:
    return {"__colid__": name}


def quirk(step: Step, why: str, huedb: Any, chroma: Any = None) -> Step:
    """A deliberate difference: huedb must return `huedb` (encoded result); Chroma `chroma`."""
    return {**step, "quirk": why, "expect_huedb": huedb, "expect_chroma": chroma}


def ok(value: Any) -> dict[str, Any]:
    return {"ok": value}


def err(cls: str, message: str) -> dict[str, Any]:
    return {"error": [cls, message]}


def params(scenarios: list[Scenario]) -> list[Any]:
    names = [s.name for s in scenarios]
    assert len(names) == len(set(names)), "scenario names must be unique"
    return [
        pytest.param(s, id=s.name,
                     marks=[pytest.mark.xfail(strict=True, reason=s.xfail)] if s.xfail else [])
        for s in scenarios
    ]


# -- running --------------------------------------------------------------------------------------

@dataclass
class _ChromaRun:
    process: subprocess.Popen[bytes]
    folder: Path
    names: list[str]
    results: list[list[Any]] = field(default_factory=list)


_RUNS: dict[str, _ChromaRun] = {}
atexit.register(lambda: stop_chroma())


def start_chroma(key: str, scenarios: list[Scenario]) -> None:
    """Start the reference chromadb on `scenarios` in the background (once per key)."""
    if key in _RUNS or not CHROMA_PYTHON.exists():
        return
    folder = Path(tempfile.mkdtemp(prefix="huedb-compat-"))
    (folder / "in.json").write_text(json.dumps([s.payload() for s in scenarios]))
    with open(folder / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(
            [str(CHROMA_PYTHON), str(RUNNER), str(folder / "in.json"), str(folder / "out.json")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    _RUNS[key] = _ChromaRun(process, folder, [s.name for s in scenarios])


def chroma_results_for(key: str, scenarios: list[Scenario]) -> dict[str, list[Any]]:
    """Every scenario's results from the reference chromadb (one subprocess per key)."""
    if not CHROMA_PYTHON.exists():
        pytest.skip(MISSING_REASON)
    start_chroma(key, scenarios)
    run = _RUNS[key]
    assert run.names == [s.name for s in scenarios], "scenarios changed since the run started"
    if run.process.returncode is None:
        if run.process.wait(timeout=120) == 0:
            run.results = json.loads((run.folder / "out.json").read_text())
            shutil.rmtree(run.folder, ignore_errors=True)
    assert run.process.returncode == 0, (run.folder / "stderr.txt").read_text()[-2000:]
    return {s.name: r for s, r in zip(scenarios, run.results, strict=True)}


def stop_chroma() -> None:
    """End any reference run still going and remove the temporary files."""
    for run in _RUNS.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        shutil.rmtree(run.folder, ignore_errors=True)
    _RUNS.clear()


def run_huedb(scenario: Scenario) -> list[Any]:
    results = runner.run_scenario(huedb, scenario.payload())
    decoded: list[Any] = json.loads(json.dumps(results))
    return decoded


# -- comparing ------------------------------------------------------------------------------------

def differences(a: Any, b: Any, path: str, tol: tuple[float, float] | None) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                side, value = ("huedb", a[key]) if key in a else ("chroma", b[key])
                out.append(f"{path}.{key}: only in {side}: {value!r:.300}")
                continue
            out += differences(a[key], b[key], f"{path}.{key}", TOLERANT_KEYS.get(key, tol))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}: {a!r:.300} vs {b!r:.300}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]", tol)]
    if type(a) is float and type(b) is float and tol is not None:
        if math.isclose(a, b, rel_tol=tol[0], abs_tol=tol[1]):
            return []
    elif type(a) is type(b) and a == b:
        return []
    return [f"{path}: huedb {a!r:.300} != chroma {b!r:.300}"]


def check(scenario: Scenario, chroma: list[Any]) -> None:
    """Compare huedb's run of `scenario` with Chroma's, step by step."""
    ours = run_huedb(scenario)
    problems: list[str] = []
    for index, (step, mine, theirs) in enumerate(zip(scenario.steps, ours, chroma, strict=True)):
        label = f"step {index} {step.get('method', step['op'])}"
        if "quirk" in step:
            problems += [f"{label} (quirk: {step['quirk']}): {d}"
                         for d in differences(mine, step["expect_huedb"], "", None)]
            if step["expect_chroma"] is not None:
                problems += [f"{label} chroma no longer shows the quirk: {d}"
                             for d in differences(step["expect_chroma"], theirs, "", None)]
            continue
        problems += [f"{label} {d}" for d in differences(mine, theirs, "", None)]
    assert not problems, "\n".join(problems)
