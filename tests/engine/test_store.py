"""The SQLite store: WAL mode, schema versions, refusing newer formats, atomic transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import huedb
from huedb.engine import migrations
from huedb.engine.store import FILENAME, Store
from huedb.errors import InternalError, VersionMismatchError


def test_persistent_store_uses_wal_and_records_schema_version(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    versions = [r[0] for r in store.conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in migrations.available()]
    store.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Store(tmp_path).close()
    store = Store(tmp_path)
    count = store.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert count == len(migrations.available())
    store.close()


def test_newer_format_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    Store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / FILENAME)
    conn.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)")
    conn.commit()
    conn.close()
    with pytest.raises(VersionMismatchError, match="written by a newer huedb"):
        Store(tmp_path)
    with pytest.raises(VersionMismatchError):
        huedb.PersistentClient(tmp_path)


def test_edited_migration_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / FILENAME)
    conn.execute("UPDATE schema_migrations SET sha256 = 'tampered' WHERE version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(InternalError, match="was changed after it was applied"):
        Store(tmp_path)


def test_atomic_rolls_back_and_nests_as_savepoints() -> None:
    store = Store(None)
    with store.atomic() as conn:
        conn.execute("INSERT INTO tenants (name) VALUES ('kept')")
        with pytest.raises(RuntimeError), store.atomic() as inner:
            inner.execute("INSERT INTO tenants (name) VALUES ('inner')")
            raise RuntimeError("boom")
    with pytest.raises(RuntimeError), store.atomic() as conn:
        conn.execute("INSERT INTO tenants (name) VALUES ('outer')")
        raise RuntimeError("boom")
    names = {r[0] for r in store.conn.execute("SELECT name FROM tenants")}
    assert names == {"default_tenant", "kept"}
    store.close()


def test_sqlite_errors_become_internal_errors() -> None:
    store = Store(None)
    with pytest.raises(InternalError, match="^Database error: "), store.atomic() as conn:
        conn.execute("INSERT INTO no_such_table VALUES (1)")
    store.close()


def test_synchronous_level_is_configurable(tmp_path: Path) -> None:
    client = huedb.PersistentClient(tmp_path, settings=huedb.Settings(sqlite_synchronous="NORMAL"))
    backend = client._backend
    assert backend.store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # type: ignore[attr-defined]


def test_a_failed_commit_leaves_the_store_usable(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.conn.execute("CREATE TABLE t (x INTEGER REFERENCES tenants(name) DEFERRABLE "
                       "INITIALLY DEFERRED)")
    store.conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(InternalError, match="FOREIGN KEY"), store.atomic() as conn:
        conn.execute("INSERT INTO t VALUES ('nobody')")  # checked only at COMMIT
    assert not store.conn.in_transaction
    with store.atomic() as conn:
        conn.execute("INSERT INTO tenants (name) VALUES ('after')")
    assert store.conn.execute("SELECT 1 FROM tenants WHERE name = 'after'").fetchone()
    store.close()
