"""A small pure-Python evaluator of Chroma filters: the oracle for the SQL filter compiler.

It implements the semantics independently of huedb (no SQL, no shared helpers) and assumes the
filter is valid. Regex patterns are run with Python `re` as they are, so callers should only use
patterns that mean the same in Rust and Python syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"  # ints and floats compare numerically with each other
    if isinstance(value, str):
        return "str"
    return None


def _equal(a: Any, b: Any) -> bool:
    return _type_of(a) is not None and _type_of(a) == _type_of(b) and a == b


def _document_test(document: str | None, op: str, operand: str) -> bool:
    if op in ("$contains", "$not_contains"):
        found = document is not None and operand in document
    else:
        found = document is not None and re.search(operand, document) is not None
    return found if op in ("$contains", "$regex") else not found


def _where(metadata: Mapping[str, Any], document: str | None, clause: Mapping[str, Any]) -> bool:
    ((key, value),) = clause.items()
    if key == "$and":
        return all(_where(metadata, document, child) for child in value)
    if key == "$or":
        return any(_where(metadata, document, child) for child in value)
    op, operand = next(iter(value.items())) if isinstance(value, dict) else ("$eq", value)
    if key == "#document" and op in ("$contains", "$not_contains", "$regex", "$not_regex"):
        return _document_test(document, op, operand)
    field = metadata.get(key)
    scalar = field is not None and not isinstance(field, list)
    if op == "$eq":
        return scalar and _equal(field, operand)
    if op == "$ne":
        return not (scalar and _equal(field, operand))
    if op == "$in":
        return scalar and any(_equal(field, o) for o in operand)
    if op == "$nin":
        return not (scalar and any(_equal(field, o) for o in operand))
    if op in ("$contains", "$not_contains"):
        # Membership in a list value; a scalar value contains nothing.
        found = isinstance(field, list) and any(_equal(e, operand) for e in field)
        return found if op == "$contains" else not found
    if not (scalar and _type_of(field) == "number"):
        return False
    results: dict[str, bool] = {
        "$gt": field > operand,
        "$gte": field >= operand,
        "$lt": field < operand,
        "$lte": field <= operand,
    }
    return results[op]


def _where_document(document: str | None, clause: Mapping[str, Any]) -> bool:
    ((op, operand),) = clause.items()
    if op == "$and":
        return all(_where_document(document, child) for child in operand)
    if op == "$or":
        return any(_where_document(document, child) for child in operand)
    return _document_test(document, op, operand)


def matches(
    metadata: Mapping[str, Any] | None,
    document: str | None,
    where: Mapping[str, Any] | None,
    where_document: Mapping[str, Any] | None,
) -> bool:
    """Whether a record with this metadata and document passes both filters."""
    if where is not None and not _where(metadata or {}, document, where):
        return False
    return where_document is None or _where_document(document, where_document)
