"""Runs scripted scenarios against a Chroma-compatible module and returns JSON-ready results.

The same file executes in two interpreters: in-process with `huedb` (imported by the tests) and,
as a script, with the reference `chromadb` (stdin: JSON list of scenarios, stdout: JSON list of
results). It must therefore depend on nothing but the standard library and numpy.

A scenario is `{"client": "ephemeral" | "persistent", "steps": [step, ...]}`. Steps:

- `{"op": "client", "method": m, "args": [...], "kwargs": {...}, "as": name?}`: a client method;
  a returned Collection is remembered under `as`.
- `{"op": "call", "target": name, "method": m, "args": [...], "kwargs": {...}}`: a collection
  method (`add`, `get`, `query`, ...).
- `{"op": "attrs", "target": name}`: the collection object's name/metadata/configuration_json.
- `{"op": "admin", "method": m, ...}`: an `AdminClient` method.
- `{"op": "new_client", "kwargs": {...}}`: replace the client (e.g. another tenant/database).
- `{"op": "reopen"}`: drop every cached system and open the client again (persistence check).

Arguments may contain `{"__np__": data, "dtype": d}` (a numpy array), `{"__tuple__": [...]}` and
`{"__colid__": name}` (the id of a remembered collection).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
import tempfile
import uuid
import warnings
from types import ModuleType
from typing import Any

import numpy as np

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


class Canon:
    """Replaces random UUIDs by `<uuid#n>` in order of first appearance, per scenario."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def uuid(self, text: str) -> str:
        if text == ZERO_UUID:
            return text
        return self.names.setdefault(text, f"<uuid#{len(self.names)}>")

    def text(self, message: str) -> str:
        message = UUID_RE.sub(lambda m: self.uuid(m.group(0)), message)

        # Chroma builds these name lists from a Python set: the order varies between runs.
        def sort_names(match: re.Match[str]) -> str:
            return f"Exactly one of {', '.join(sorted(match.group(1).split(', ')))} must be"

        message = re.sub(r"Exactly one of (.*?) must be", sort_names, message)

        # Rust validator details ({"min": .., "value": ..}) come from a hash map: any order.
        def sort_fields(match: re.Match[str]) -> str:
            return "[{" + ", ".join(sorted(match.group(1).split(", "))) + "}]"

        return re.sub(r"\[\{(\"[a-z]+\": [^{}]*)\}\]", sort_fields, message)


def encode(value: Any, canon: Canon) -> Any:
    """A JSON-ready description of a result value that keeps the Python/numpy types visible."""
    if value is None or isinstance(value, (bool, int, str)):
        return canon.text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": str(value.dtype), "shape": list(value.shape),
                "data": encode(value.tolist(), canon)}
    if isinstance(value, np.generic):
        return {"__npscalar__": str(value.dtype), "v": encode(value.item(), canon)}
    if isinstance(value, uuid.UUID):
        return {"__uuid__": canon.uuid(str(value))}
    if isinstance(value, list):
        return [encode(v, canon) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, canon) for v in value]}
    if isinstance(value, dict):
        return {str(k) if isinstance(k, str) else f"<key {k!r}>": encode(v, canon)
                for k, v in value.items()}
    if hasattr(value, "configuration_json") and hasattr(value, "add"):
        return {"__collection__": describe(value, canon)}
    return {"__object__": type(value).__name__, "repr": canon.text(repr(value))}


def describe(col: Any, canon: Canon) -> dict[str, Any]:
    return {"name": col.name, "metadata": encode(col.metadata, canon),
            "configuration_json": encode(col.configuration_json, canon),
            "tenant": col.tenant, "database": col.database, "id": encode(col.id, canon)}


def describe_more(col: Any, canon: Canon) -> dict[str, Any]:
    """`describe` plus the parsed configuration and repr (for the `attrs` step)."""
    return {**describe(col, canon), "configuration": encode(col.configuration, canon),
            "repr": canon.text(repr(col))}


def decode(value: Any, cols: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [decode(v, cols) for v in value]
    if isinstance(value, dict):
        if "__np__" in value:
            return np.array(value["__np__"], dtype=value["dtype"])
        if "__tuple__" in value:
            return tuple(decode(v, cols) for v in value["__tuple__"])
        if "__colid__" in value:
            return cols[value["__colid__"]].id
        return {k: decode(v, cols) for k, v in value.items()}
    return value


class World:
    """The clients and collections of one scenario."""

    def __init__(self, chroma: ModuleType, kind: str) -> None:
        self.chroma = chroma
        self.kind = kind
        self.path = tempfile.mkdtemp(prefix="compat-") if kind == "persistent" else ""
        self.client_kwargs: dict[str, Any] = {}
        self.client = self.make_client()
        self.cols: dict[str, Any] = {}
        self.canon = Canon()

    def make_client(self) -> Any:
        if self.kind == "persistent":
            return self.chroma.PersistentClient(path=self.path, **self.client_kwargs)
        return self.chroma.EphemeralClient(**self.client_kwargs)

    def close(self) -> None:
        clear_system_cache(self.chroma)
        if self.path:
            shutil.rmtree(self.path, ignore_errors=True)

    def step(self, step: dict[str, Any]) -> Any:
        op = step["op"]
        args = decode(step.get("args", []), self.cols)
        kwargs = decode(step.get("kwargs", {}), self.cols)
        if op == "attrs":
            return {"__collection__": describe_more(self.cols[step["target"]], self.canon)}
        if op == "reopen":
            clear_system_cache(self.chroma)
            self.client = self.make_client()
            return None
        if op == "new_client":
            self.client_kwargs = kwargs
            self.client = self.make_client()
            return None
        if op == "admin":
            settings = (self.chroma.Settings(is_persistent=True, persist_directory=self.path)
                        if self.path else self.chroma.Settings())
            target: Any = self.chroma.AdminClient(settings)
        elif op == "client":
            target = self.client
        else:
            target = self.cols[step["target"]]
        result = getattr(target, step["method"])(*args, **kwargs)
        if "as" in step:
            self.cols[step["as"]] = result
        if op == "client" and step["method"] == "list_collections":
            # Ordered by random UUIDs: check the order, compare by name. With paging the
            # subset itself is random, so only its size is comparable.
            ids = [str(c.id) for c in result]
            summary: dict[str, Any] = {"sorted_by_id": ids == sorted(ids), "count": len(ids)}
            if not args and not kwargs:
                summary["by_name"] = sorted(result, key=lambda c: c.name)
            result = summary
        return result


def clear_system_cache(chroma: ModuleType) -> None:
    if chroma.__name__ == "chromadb":
        chroma.api.client.SharedSystemClient.clear_system_cache()
    else:
        chroma.ClientAPI.clear_system_cache()


def run_scenario(chroma: ModuleType, scenario: dict[str, Any]) -> list[Any]:
    """Results of every step: `{"ok": value}` or `{"error": [class name, message]}`."""
    clear_system_cache(chroma)
    world = World(chroma, scenario.get("client", "ephemeral"))
    out: list[Any] = []
    try:
        for step in scenario["steps"]:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    entry: dict[str, Any] = {"ok": encode(world.step(step), world.canon)}
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # Chroma's Rust panics are BaseExceptions
                    entry = {"error": [type(exc).__name__, world.canon.text(str(exc))]}
            user = [f"{w.category.__name__}: {w.message}" for w in caught
                    if issubclass(w.category, UserWarning)]
            if user:
                entry["warnings"] = sorted(world.canon.text(u) for u in user)
            out.append(entry)
    finally:
        world.close()
    return out


def run_all(chroma: ModuleType, scenarios: list[dict[str, Any]]) -> list[list[Any]]:
    return [run_scenario(chroma, s) for s in scenarios]


def main() -> None:
    """`runner.py IN.json OUT.json`: run the scenarios in IN with chromadb, write OUT."""
    import chromadb  # type: ignore[import-not-found]  # only in the reference venv

    source, target = sys.argv[1:3]
    with open(source, encoding="utf-8") as f:
        scenarios = json.load(f)
    results = run_all(chromadb, scenarios)
    with open(target + ".part", "w", encoding="utf-8") as f:
        json.dump(results, f)
    shutil.move(target + ".part", target)


if __name__ == "__main__":
    main()
