"""SQLite access: one connection per database per process, pragmas, transactions, a tracer."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from huedb.engine import migrations
from huedb.engine.filters import register_sql_functions
from huedb.errors import InternalError

logger = logging.getLogger(__name__)

Tracer = Callable[[str, Sequence[Any]], None]

FILENAME = "huedb.sqlite3"


class Store:
    """A SQLite database shared by every thread of this process.

    One connection guarded by a re-entrant lock: SQLite serialises writers anyway, and a single
    connection keeps reads inside a write transaction consistent. Other processes coordinate
    through SQLite's own file locks (WAL mode), waiting up to `busy_timeout` seconds.
    """

    def __init__(
        self,
        path: Path | None,
        synchronous: str = "FULL",
        busy_timeout: float = 60.0,
        tracer: Tracer | None = None,
    ) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.tracer = tracer
        self._depth = 0
        self._analyzed_at = 0
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"Unknown sqlite_synchronous level {synchronous!r}")
        try:
            self.conn = self._connect(path, synchronous, busy_timeout)
            with self.atomic():
                migrations.apply(self.conn, before_upgrade=self._backup_before_upgrade)
        except (OSError, sqlite3.Error, InternalError) as e:
            # A path that is a file, unwritable or on a full disk: say which and where.
            where = "an in-memory database" if path is None else f"the database at {path}"
            raise InternalError(f"Cannot open {where}: {_reason(e)}") from e

    @staticmethod
    def _connect(path: Path | None, synchronous: str, busy_timeout: float) -> sqlite3.Connection:
        target = ":memory:" if path is None else str(path / FILENAME)
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            target, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if path is not None:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("SQLite refused WAL mode (got %s) for %s", mode, target)
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA cache_size = -65536")
        register_sql_functions(conn)
        return conn

    def _backup_before_upgrade(self, current: int, newest: int) -> None:
        """Copy the database aside before migrating an older format in place."""
        if self.path is None:
            return
        target = self.path / f"{FILENAME}.v{current}-before-v{newest}.bak"
        if target.exists():
            return
        # A second connection reads the committed file: the backup API cannot copy from the
        # connection that holds the write transaction the migration runs in.
        source = sqlite3.connect(self.path / FILENAME)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        logger.warning("Migrating %s from schema %d to %d; the old file is kept as %s",
                       self.path, current, newest, target)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested calls become savepoints. Rolls back on any exception.

        BEGIN IMMEDIATE takes the write lock up front, so two processes never both read and
        then fail to upgrade (SQLITE_BUSY without waiting).
        """
        with self.lock:
            outer = self._depth == 0
            self._depth += 1
            try:
                self.conn.execute("BEGIN IMMEDIATE" if outer else "SAVEPOINT huedb")
                try:
                    yield self.conn
                    # A failed COMMIT (disk full, I/O error) leaves the transaction open: it is
                    # rolled back below like any other failure.
                    self.conn.execute("COMMIT" if outer else "RELEASE huedb")
                except BaseException:
                    self._roll_back(outer)
                    raise
            except sqlite3.Error as e:
                raise InternalError(f"Database error: {e}") from e
            finally:
                self._depth -= 1

    def _roll_back(self, outer: bool) -> None:
        statements = ["ROLLBACK"] if outer else ["ROLLBACK TO huedb", "RELEASE huedb"]
        for statement in statements:
            try:
                self.conn.execute(statement)
            except sqlite3.Error:
                # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
                if self.conn.in_transaction:
                    raise
                return

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        with self.lock:
            if self._depth:
                yield self.conn
                return
            self._depth += 1
            try:
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    self.conn.execute("COMMIT")
            except sqlite3.Error as e:
                raise InternalError(f"Database error: {e}") from e
            finally:
                self._depth -= 1

    def refresh_statistics(self, rows_ever_written: int) -> None:
        """Re-run ANALYZE each time the table size doubles.

        Without statistics SQLite walks a whole collection to test a selective metadata
        filter; with them it starts from the filter's index. `analysis_limit` keeps each run
        to a few milliseconds however large the tables are.
        """
        if rows_ever_written < 256 or rows_ever_written < 2 * self._analyzed_at:
            return
        with self.lock:
            self.conn.execute("PRAGMA analysis_limit = 1000")
            self.conn.execute("ANALYZE")
            self._analyzed_at = rows_ever_written

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        if self.tracer is not None:
            self.tracer(sql, params)
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self.tracer is not None:
            self.tracer(sql, ())
        self.conn.executemany(sql, rows)


def _reason(error: BaseException) -> str:
    if isinstance(error, InternalError):
        return error.message().removeprefix("Database error: ")
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({error.filename or ''})".replace(" ()", "")
    return str(error)

