"""Consistent online backups of a database directory, and restoring them."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from huedb.engine.store import FILENAME

Progress = Callable[[int, int], None]


def backup(path: str | Path, dest: str | Path, progress: Progress | None = None) -> Path:
    """Copy the database at `path` into the directory `dest` while writers keep writing.

    Uses SQLite's online backup API, which restarts its copy when a writer changes a page it
    already copied, so the result is one committed state. Vector index files are derived
    caches and are not copied: the restored database rebuilds them from SQLite on first use.
    """
    source_file = Path(path) / FILENAME
    if not source_file.exists():
        raise FileNotFoundError(f"No huedb database at {path} (expected {source_file})")
    target_dir = Path(dest)
    target_dir.mkdir(parents=True, exist_ok=True)
    target_file = target_dir / FILENAME
    if target_file.exists():
        raise FileExistsError(f"{target_file} already exists; choose an empty destination")
    partial = target_dir / (FILENAME + ".partial")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        def report(status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        source.backup(target, pages=1024, progress=report)
        target.execute("PRAGMA journal_mode = DELETE")
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"The backup failed its integrity check: {check}")
    finally:
        target.close()
        source.close()
    _publish(partial, target_file)
    return target_file


def restore(backup_dir: str | Path, path: str | Path, overwrite: bool = False) -> Path:
    """Put a backup made by `backup` in place as the database at `path`.

    Refuses to replace an existing database unless `overwrite`; then the old file and its WAL
    are moved aside (`*.before-restore`) rather than deleted.
    """
    source_file = Path(backup_dir) / FILENAME
    if not source_file.exists():
        raise FileNotFoundError(f"No huedb backup at {backup_dir} (expected {source_file})")
    target_dir = Path(path)
    target_dir.mkdir(parents=True, exist_ok=True)
    target_file = target_dir / FILENAME
    if target_file.exists():
        if not overwrite:
            raise FileExistsError(f"{target_file} exists; pass overwrite=True to replace it")
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(target_file) + suffix)
            if old.exists():
                os.replace(old, Path(str(old) + ".before-restore"))
    # Vector index files are a cache of the database being replaced: drop them so the restored
    # database rebuilds its own instead of catching up an index from another history.
    shutil.rmtree(target_dir / "index", ignore_errors=True)
    partial = target_dir / (FILENAME + ".partial")
    shutil.copyfile(source_file, partial)
    _publish(partial, target_file)
    return target_file


def _publish(partial: Path, target: Path) -> None:
    """Make a fully written file appear under its final name, durably."""
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
