"""Turns one record's metadata into the typed `record_metadata` rows that filters search."""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from huedb.types import SparseVector

__all__ = [
    "ELEMENT_OFFSET",
    "KIND_BOOL",
    "KIND_BOOL_ELEMENT",
    "KIND_NUMBER",
    "KIND_NUMBER_ELEMENT",
    "KIND_STR",
    "KIND_STR_ELEMENT",
    "metadata_rows",
    "sql_number",
]

KIND_STR = 0
KIND_NUMBER = 1
KIND_BOOL = 2
# An element of a list value has the kind of the same scalar plus ELEMENT_OFFSET, so that scalar
# filters never match list fields and `$contains` never matches scalar fields.
ELEMENT_OFFSET = 3
KIND_STR_ELEMENT = KIND_STR + ELEMENT_OFFSET
KIND_NUMBER_ELEMENT = KIND_NUMBER + ELEMENT_OFFSET
KIND_BOOL_ELEMENT = KIND_BOOL + ELEMENT_OFFSET

_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1


def sql_number(value: int | float) -> int | float:
    """A number SQLite can bind: integers outside int64 become floats, as Chroma stores them."""
    if isinstance(value, float):
        return value
    if _I64_MIN <= value <= _I64_MAX:
        return value
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _scalar_row(value: object) -> tuple[int, object] | None:
    """(kind, value) of a scalar, or None for values that are not filterable."""
    # bool first: it is an int subclass but a separate type for every filter.
    if isinstance(value, bool):
        return KIND_BOOL, int(value)
    if isinstance(value, str):
        return KIND_STR, value
    if isinstance(value, Integral):
        return KIND_NUMBER, sql_number(operator.index(value))
    if isinstance(value, Real):
        return KIND_NUMBER, float(value)
    return None


def metadata_rows(metadata: Mapping[str, Any] | None) -> list[tuple[str, int, object]]:
    """The (key, kind, value) rows to insert into `record_metadata` for one record.

    Scalars give one row of kind 0 (str), 1 (number) or 2 (bool, stored as 0/1). A list gives one
    row per element with kind 3, 4 or 5. `None` values and sparse vectors give no rows, because
    neither can be filtered on.

    Raises:
        TypeError: a value or list element of a type metadata cannot hold.
    """
    if not metadata:
        return []
    rows: list[tuple[str, int, object]] = []
    for key, value in metadata.items():
        # Sparse vectors (the object or its `#type` dict form) are stored but never filtered.
        if value is None or isinstance(value, (Mapping, SparseVector)):
            continue
        if isinstance(value, (list, tuple)):
            for element in value:
                row = _scalar_row(element)
                if row is None:
                    raise TypeError(f"unsupported metadata list element {element!r} for {key!r}")
                rows.append((key, row[0] + ELEMENT_OFFSET, row[1]))
            continue
        row = _scalar_row(value)
        if row is None:
            raise TypeError(f"unsupported metadata value {value!r} for {key!r}")
        rows.append((key, row[0], row[1]))
    return rows
