"""Applies the numbered SQL files in engine/sql in order and records the schema version."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from huedb.errors import InternalError, VersionMismatchError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    filename   TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    applied_at REAL NOT NULL
)"""


@dataclass(frozen=True)
class Migration:
    version: int
    filename: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    found = []
    for entry in resources.files("huedb.engine").joinpath("sql").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def apply(conn: sqlite3.Connection,
          before_upgrade: Callable[[int, int], None] | None = None) -> int:
    """Bring the schema up to date inside the caller's transaction; returns the version reached.

    A database written by a newer huedb is refused rather than guessed at, and an applied file
    whose text changed is refused too: migrations are append-only.
    """
    conn.execute(_CREATE_TABLE)
    applied = {v: h for v, h in conn.execute("SELECT version, sha256 FROM schema_migrations")}
    known = available()
    newest = known[-1].version if known else 0
    if applied and max(applied) > newest:
        raise VersionMismatchError(
            f"This database was written by a newer huedb (schema version {max(applied)}; "
            f"this huedb knows up to {newest}). Upgrade huedb to open it."
        )
    pending = [m for m in known if m.version not in applied]
    if applied and pending and before_upgrade is not None:
        before_upgrade(max(applied), newest)
    for migration in known:
        if migration.version in applied:
            if applied[migration.version] != migration.sha256:
                raise InternalError(
                    f"Migration {migration.filename} was changed after it was applied"
                )
            continue
        for statement in _statements(migration.sql):
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations (version, filename, sha256, applied_at) "
            "VALUES (?, ?, ?, ?)",
            (migration.version, migration.filename, migration.sha256, time.time()),
        )
    return newest


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (executescript would commit our transaction)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current)
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        out.append(current)
    return out
