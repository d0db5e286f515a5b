"""Migrate a chromadb persistent directory into huedb, reading it through chromadb's own API.

chromadb need not be importable here: any interpreter that has it (`chroma_python`) streams the
collections out as huedb's export format, which `import_jsonl` upserts. Counts are compared at
the end, collection by collection.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from huedb.ops.transfer import FORMAT, Progress, import_jsonl
from huedb.ops.verify import stats

_EXPORTER = r"""
import json, sys
import chromadb
path, tenant, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
client = chromadb.PersistentClient(path=path, tenant=tenant)
admin = chromadb.AdminClient(client.get_settings())
out = sys.stdout
out.write(json.dumps({"type": "format", "format": fmt}) + "\n")
counts = {}
for db in admin.list_databases(tenant=tenant):
    client.set_database(db["name"])
    for col in client.list_collections():
        out.write(json.dumps({"type": "collection", "tenant": tenant, "database": db["name"],
                              "name": col.name, "metadata": col.metadata,
                              "configuration": col.configuration_json}) + "\n")
        offset, n = 0, 0
        while True:
            page = col.get(limit=1000, offset=offset,
                           include=["embeddings", "documents", "uris", "metadatas"])
            if not page["ids"]:
                break
            for i, rid in enumerate(page["ids"]):
                out.write(json.dumps({
                    "type": "record", "id": rid,
                    "embedding": [float(x) for x in page["embeddings"][i]],
                    "document": page["documents"][i],
                    "uri": page["uris"][i] if page["uris"] else None,
                    "metadata": page["metadatas"][i]}) + "\n")
            n += len(page["ids"])
            offset += len(page["ids"])
        counts[f"{db['name']}/{col.name}"] = n
sys.stderr.write("HUEDB-COUNTS " + json.dumps(counts) + "\n")
"""


def import_chroma(chroma_path: str | Path, path: str | Path, chroma_python: str | None = None,
                  tenant: str = "default_tenant",
                  progress: Progress | None = None) -> dict[str, int]:
    """Copy every collection of `tenant` from a chromadb directory; returns counts per collection.

    Raises:
        RuntimeError: chromadb could not read the directory, or a count differs after import.
    """
    python = chroma_python or sys.executable
    done = subprocess.run(
        [python, "-c", _EXPORTER, str(chroma_path), tenant, FORMAT],
        capture_output=True, text=True, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"chromadb could not export {chroma_path}: {done.stderr[-2000:]}")
    counts_line = next(line for line in done.stderr.splitlines()
                       if line.startswith("HUEDB-COUNTS "))
    expected: dict[str, int] = json.loads(counts_line.removeprefix("HUEDB-COUNTS "))
    import_jsonl(io.StringIO(done.stdout), path, progress)
    got = {f"{s['database']}/{s['name']}": int(s["count"]) for s in stats(path)
           if s["tenant"] == tenant}
    wrong = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    if wrong:
        raise RuntimeError(f"Counts differ after import (chroma, huedb): {wrong}")
    return expected
