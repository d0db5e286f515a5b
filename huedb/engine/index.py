"""The vector index interface the query path searches through (`engine.ann.AnnIndex`)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from huedb.types import Space

RowIds = NDArray[np.int64]


class VectorIndex(Protocol):
    """Vectors addressed by record row id (rid); a derived cache of SQLite, never the truth."""

    space: Space

    def __len__(self) -> int: ...

    def upsert(self, rids: RowIds, vectors: NDArray[np.float32]) -> None:
        """Insert or replace the vectors of these rows."""

    def remove(self, rids: RowIds) -> None:
        """Forget these rows; unknown rids are ignored."""

    def search(
        self, queries: NDArray[np.float32], k: int, allowed: RowIds | None
    ) -> list[tuple[RowIds, NDArray[np.float32]]]:
        """Per query, up to k nearest rows (only `allowed` ones when given), nearest first."""

