"""Checks of the saved vector index files against SQLite, and per-collection index health.

A saved index reflects one change seq S of its collection: it must hold every row SQLite last
wrote at or before S, and no row that SQLite lacks unless a tombstone says it was deleted after
S (rows written after S are legitimately missing: the engine catches up from SQLite's change
log on open). Every row it holds must be reachable, in its graph (minus the entries marked
gone) or among the rows marked stale, and its vectors must equal SQLite's blobs for rows not
rewritten since S.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from huedb.engine import persist
from huedb.engine.configuration import space_of
from huedb.engine.distances import prepare_stored
from huedb.engine.index import RowIds

# Vectors compared per collection: all of them below this, an evenly spread sample above.
VECTOR_SAMPLE = 20_000


@dataclass
class Collection:
    pk: int
    id: str
    name: str
    dimension: int | None
    log_seq: int
    configuration: dict[str, Any]


def collections(conn: sqlite3.Connection) -> dict[int, Collection]:
    return {pk: Collection(pk, cid, name, dimension, log_seq, json.loads(configuration))
            for pk, cid, name, dimension, log_seq, configuration in conn.execute(
                "SELECT pk, id, name, dimension, log_seq, configuration FROM collections")}


def check(conn: sqlite3.Connection, root: Path, repair: bool,
          problems: list[str], repaired: list[str]) -> None:
    """Check every saved index under `root/index`; with `repair`, delete what is wrong."""
    index_root = root / "index"
    if not index_root.is_dir():
        return
    # Listed before the collections are read, so a collection created meanwhile is not taken
    # for an orphan (its pk is not listed yet, or it is found by the query below).
    entries = sorted(index_root.iterdir())
    known = collections(conn)

    def found(message: str, fix: str, action: Callable[[], object]) -> None:
        if repair:
            action()
            repaired.append(f"{message}; {fix}")
        else:
            problems.append(message)

    for entry in entries:
        col = known.get(int(entry.name)) if entry.name.isdigit() else None
        if col is None or not entry.is_dir():
            found(f"index/{entry.name}: no collection owns it", "deleted",
                  partial(_delete, entry))
            continue
        reason = disagreement(conn, entry, col)
        if reason is not None:
            found(f"collection {col.name}: its saved vector index {reason}",
                  "discarded (rebuilt from SQLite on next open)", partial(_delete, entry))
            continue
        for path in persist.leftovers(entry):
            found(f"collection {col.name}: index/{entry.name}/{path.name} was left by an "
                  "interrupted save", "deleted", partial(_delete, path))


def disagreement(conn: sqlite3.Connection, directory: Path, col: Collection) -> str | None:
    """Why the saved index in `directory` cannot be trusted, or None if it agrees with SQLite."""
    saved = None
    for _ in range(3):  # a live process may replace the generation while it is being read
        tag = _tag(directory)
        try:
            saved = persist.read(directory)
            break
        except ValueError as e:
            if _tag(directory) == tag:
                return f"is damaged: {e}"
    if saved is None:
        return None
    meta = saved.meta
    if meta.get("collection") != col.id:
        return f"belongs to another collection ({meta.get('collection')})"
    if meta.get("dimension") != col.dimension or \
            meta.get("space") != space_of(col.configuration):
        return "was saved for another dimension or distance space"
    seq = int(meta["seq"])
    conn.execute("BEGIN")  # one snapshot for every read below, taken after the files were read
    try:
        return _compare(conn, saved, col, seq)
    finally:
        conn.execute("COMMIT")


def _compare(conn: sqlite3.Connection, saved: persist.Saved, col: Collection,
             seq: int) -> str | None:
    log_seq = conn.execute("SELECT log_seq FROM collections WHERE pk = ?", (col.pk,)).fetchone()
    if log_seq is None:
        return None  # the collection was deleted meanwhile; its directory goes with it
    if seq > log_seq[0]:
        return f"reflects change {seq}, newer than the database's last change {log_seq[0]}"
    rows = conn.execute("SELECT rid, seq FROM records WHERE collection = ? ORDER BY rid",
                        (col.pk,)).fetchall()
    rids = np.fromiter((r for r, _ in rows), np.int64, len(rows))
    seqs = np.fromiter((s for _, s in rows), np.int64, len(rows))
    held = np.asarray(saved.rids, np.int64)
    if len(np.unique(held)) != len(held):
        return "holds some rows twice"
    missing = np.setdiff1d(rids[seqs <= seq], held)
    if len(missing):
        return f"lacks {len(missing)} rows written at or before the change it reflects ({seq})"
    extra = np.setdiff1d(held, rids)
    if len(extra):
        deleted_later = {r for (r,) in conn.execute(
            "SELECT rid FROM tombstones WHERE collection = ? AND seq > ? AND rid IN "
            "(SELECT value FROM json_each(?))", (col.pk, seq, json.dumps(extra.tolist())))}
        unexplained = len(extra) - len(deleted_later)
        if unexplained:
            return f"holds {unexplained} rows the database does not have"
    if saved.graph is not None:
        reachable = np.union1d(np.setdiff1d(saved.graph.keys(), saved.gone), saved.stale)
        lost = np.setdiff1d(held, reachable)
        if len(lost):
            return f"has {len(lost)} rows neither in its graph nor marked for exact search"
    return _compare_vectors(conn, saved, col, rids[seqs <= seq])


def _compare_vectors(conn: sqlite3.Connection, saved: persist.Saved, col: Collection,
                     settled: RowIds) -> str | None:
    """Rows SQLite has not rewritten since the saved seq must have exactly SQLite's vectors."""
    if len(settled) > VECTOR_SAMPLE:
        settled = settled[np.linspace(0, len(settled) - 1, VECTOR_SAMPLE).astype(np.int64)]
    order = np.argsort(saved.rids, kind="stable")
    at = order[np.searchsorted(saved.rids, settled, sorter=order)]
    space = space_of(col.configuration)
    wrong = 0
    for start in range(0, len(settled), 2000):
        chunk = settled[start:start + 2000]
        blobs = dict(conn.execute(
            "SELECT rid, embedding FROM vectors WHERE rid IN (SELECT value FROM json_each(?))",
            (json.dumps(chunk.tolist()),)).fetchall())
        stored = prepare_stored(space, np.stack(
            [np.frombuffer(blobs[int(r)], "<f4") for r in chunk]))
        held = np.asarray(saved.vectors[at[start:start + 2000]])
        wrong += int(np.count_nonzero(~np.all(stored == held, axis=1)))
    if wrong:
        return f"has {wrong} vectors that differ from the database"
    return None


def health(root: Path, col: Collection) -> dict[str, Any]:
    """Index facts for `huedb stats`, from meta.json and file sizes only (cheap at any size)."""
    directory = persist.collection_dir(root, col.pk)
    out: dict[str, Any] = {
        "index": "none", "index_rows": None, "graph_rows": None, "deleted_share": None,
        "stale_rows": None, "index_seq": None, "index_lag": None,
        "index_bytes": _bytes(directory), "saved_at": None, "compacted_at": None}
    try:
        meta = persist.read_meta(directory) if directory.is_dir() else None
    except ValueError:
        out["index"] = "unreadable"
        return out
    if meta is None:
        return out
    graph_rows = meta.get("graph_rows")
    gone = meta.get("gone_rows")
    out.update({
        "index": "exact" if meta.get("graph") is None else "graph",
        "index_rows": meta.get("count"), "graph_rows": graph_rows,
        "deleted_share": round(gone / graph_rows, 4) if graph_rows and gone is not None
        else None,
        "stale_rows": meta.get("stale_rows"), "index_seq": meta.get("seq"),
        "index_lag": col.log_seq - int(meta.get("seq", 0)),
        "saved_at": _when(meta.get("saved_at")), "compacted_at": _when(meta.get("compacted_at")),
    })
    return out


def _delete(path: Path) -> None:
    if path.is_dir():
        persist.discard(path)
    else:
        path.unlink(missing_ok=True)


def _tag(directory: Path) -> Any:
    try:
        return (persist.read_meta(directory) or {}).get("tag")
    except ValueError:
        return None


def _bytes(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


def _when(stamp: Any) -> str | None:
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")
