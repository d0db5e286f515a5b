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


def test_unusable_paths_get_clear_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(InternalError, match=r"^Cannot open the database at .*a-file"):
        huedb.PersistentClient(blocker)
    with pytest.raises(InternalError, match="Not a directory"):
        huedb.PersistentClient(blocker / "below")


def test_older_format_is_backed_up_then_migrated(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client = huedb.PersistentClient(tmp_path)
    client.create_collection("kept", embedding_function=None).add(ids=["a"], embeddings=[[1.0]])
    huedb.ClientAPI.clear_system_cache()
    current = migrations.available()
    newer = migrations.Migration(current[-1].version + 1, "9998_extra.sql",
                                 "CREATE TABLE extra_for_test (x INTEGER);")
    monkeypatch.setattr(migrations, "available", lambda: [*current, newer])
    store = Store(tmp_path)
    assert store.conn.execute("SELECT count(*) FROM extra_for_test").fetchone() == (0,)
    backups = list(tmp_path.glob(f"{FILENAME}.v*-before-v*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT id FROM records").fetchall() == [("a",)]
    assert old.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
        current[-1].version,)
    store.close()


def test_disk_full_keeps_data_intact(tmp_path: Path) -> None:
    client = huedb.PersistentClient(tmp_path)
    col = client.create_collection("full", embedding_function=None)
    col.add(ids=["a"], embeddings=[[1.0] * 64], documents=["kept"])
    store = client._backend.store  # type: ignore[attr-defined]
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # a disk with no room left
    big = [[float(i)] * 64 for i in range(5000)]
    with pytest.raises(InternalError, match="database or disk is full"):
        col.add(ids=[f"b{i}" for i in range(5000)], embeddings=big,
                documents=["x" * 200] * 5000)
    assert col.count() == 1 and col.get()["documents"] == ["kept"]
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    col.add(ids=["c"], embeddings=[[2.0] * 64])
    assert col.count() == 2
