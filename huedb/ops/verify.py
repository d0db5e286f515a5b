"""Integrity checks and repair of derived structures, vacuum, and per-collection statistics."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huedb.engine.metadata_rows import metadata_rows
from huedb.engine.store import FILENAME
from huedb.ops import index_check


@dataclass
class Report:
    """What `verify` found; `ok` is True when nothing is wrong (after repair, if asked)."""

    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _open(path: str | Path) -> sqlite3.Connection:
    file = Path(path) / FILENAME
    if not file.exists():
        raise FileNotFoundError(f"No huedb database at {path} (expected {file})")
    conn = sqlite3.connect(file, isolation_level=None, timeout=60)
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def verify(path: str | Path, repair: bool = False) -> Report:
    """Check SQLite's integrity, vector blobs, filter rows, full-text index and saved indexes.

    Saved vector indexes must agree with SQLite (see `index_check`); index directories of
    deleted collections and files left by interrupted saves are reported too. With `repair`,
    derived structures are rebuilt from the records, which are the truth: filter rows and the
    full-text index in place, a disagreeing index by deleting it (the engine rebuilds it on next
    open), leftovers by deleting them. A damaged SQLite file is reported, never "repaired".
    """
    report = Report()
    conn = _open(path)
    try:
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as e:
            report.problems.append(f"SQLite cannot read the database file: {e}")
            return report
        if result != ["ok"]:
            report.problems.extend(f"SQLite integrity: {line}" for line in result[:20])
            return report
        _check_vectors(conn, report)
        _check_metadata_rows(conn, report, repair)
        _check_fulltext(conn, report, repair)
        index_check.check(conn, Path(path), repair, report.problems, report.repaired)
    finally:
        conn.close()
    return report


def _check_vectors(conn: sqlite3.Connection, report: Report) -> None:
    bad = conn.execute(
        "SELECT c.name, count(*) FROM records r JOIN collections c ON c.pk = r.collection "
        "LEFT JOIN vectors v ON v.rid = r.rid "
        "WHERE c.dimension IS NOT NULL AND coalesce(length(v.embedding), -1) != 4 * c.dimension "
        "GROUP BY c.name"
    ).fetchall()
    for name, n in bad:
        report.problems.append(
            f"collection {name}: {n} vectors are missing or do not match its dimension")
    orphans = conn.execute(
        "SELECT count(*) FROM vectors v WHERE v.rid NOT IN (SELECT rid FROM records)").fetchone()
    if orphans[0]:
        report.problems.append(f"{orphans[0]} vectors belong to no record")


def _check_metadata_rows(conn: sqlite3.Connection, report: Report, repair: bool) -> None:
    expected: dict[int, list[tuple[str, int, Any]]] = {}
    for rid, metadata in conn.execute("SELECT rid, metadata FROM records"):
        rows = metadata_rows(json.loads(metadata) if metadata else None)
        expected[rid] = sorted(rows, key=repr)
    actual: dict[int, list[tuple[str, int, Any]]] = {}
    for rid, key, kind, value in conn.execute("SELECT rid, key, kind, value FROM record_metadata"):
        actual.setdefault(rid, []).append((key, kind, value))
    wrong = [rid for rid in set(expected) | set(actual)
             if expected.get(rid, []) != sorted(actual.get(rid, []), key=repr)]
    if not wrong:
        return
    message = f"{len(wrong)} records have filter rows that disagree with their metadata"
    if not repair:
        report.problems.append(message)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for rid in wrong:
            conn.execute("DELETE FROM record_metadata WHERE rid = ?", (rid,))
            pk = conn.execute("SELECT collection FROM records WHERE rid = ?", (rid,)).fetchone()
            if pk is not None:
                conn.executemany(
                    "INSERT INTO record_metadata (collection, rid, key, kind, value) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(pk[0], rid, k, kind, v) for k, kind, v in expected[rid]],
                )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    report.repaired.append(message)


def _check_fulltext(conn: sqlite3.Connection, report: Report, repair: bool) -> None:
    try:
        conn.execute("INSERT INTO records_fts (records_fts) VALUES ('integrity-check')")
        return
    except sqlite3.DatabaseError as e:
        message = f"full-text index: {e}"
    if not repair:
        report.problems.append(message)
        return
    conn.execute("INSERT INTO records_fts (records_fts) VALUES ('rebuild')")
    report.repaired.append(message)


def vacuum(path: str | Path) -> tuple[int, int]:
    """Reclaim space after deletes; returns the file size (bytes) before and after."""
    file = Path(path) / FILENAME
    before = _size(file)
    conn = _open(path)
    try:
        conn.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return before, _size(file)


def stats(path: str | Path) -> list[dict[str, Any]]:
    """One entry per collection: tenant, database, name, count, dimension, deleted rows, and the
    health of its saved vector index (see `index_check.health`)."""
    conn = _open(path)
    try:
        conn.execute("BEGIN")
        rows = conn.execute(
            "SELECT d.tenant, d.name, c.name, c.id, c.dimension, c.log_seq, "
            "(SELECT count(*) FROM records r WHERE r.collection = c.pk), "
            "(SELECT count(*) FROM tombstones t WHERE t.collection = c.pk), c.pk "
            "FROM collections c JOIN databases d ON d.id = c.database_id "
            "ORDER BY d.tenant, d.name, c.name"
        ).fetchall()
        known = index_check.collections(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()
    keys = ("tenant", "database", "name", "id", "dimension", "writes", "count", "deleted")
    return [{**dict(zip(keys, row[:-1], strict=True)),
             **index_check.health(Path(path), known[row[-1]])} for row in rows]


def _size(file: Path) -> int:
    return sum(Path(str(file) + s).stat().st_size for s in ("", "-wal")
               if Path(str(file) + s).exists())
