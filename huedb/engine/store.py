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

# SQLite caps bound variables per statement at 32766; keep every IN (...) list well below it.
MAX_VARIABLES = 30000
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
        target = ":memory:" if path is None else str(path / FILENAME)
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(
            target, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if path is not None:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("SQLite refused WAL mode (got %s) for %s", mode, target)
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"Unknown sqlite_synchronous level {synchronous!r}")
        self.conn.execute(f"PRAGMA synchronous = {synchronous}")
        self.conn.execute("PRAGMA foreign_keys = OFF")
        self.conn.execute("PRAGMA cache_size = -65536")
        register_sql_functions(self.conn)
        with self.atomic():
            migrations.apply(self.conn)

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


def chunked(items: Sequence[Any], size: int = MAX_VARIABLES) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def placeholders(n: int) -> str:
    return ",".join("?" * n)
