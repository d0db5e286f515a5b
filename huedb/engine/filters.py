"""Compiles Chroma `where` / `where_document` filters into one SQL expression over `records r`.

The compiler is pure: it validates a filter the way Chroma's Rust server does and returns
`(sql, params)`, a boolean expression over the alias `r` plus its bound parameters. The caller
writes `SELECT ... FROM records r WHERE r.collection = ? AND (<sql>)`.

Semantics (Chroma 1.5.9, verified against it; see tests/unit/test_filters_vs_chroma.py):

- Metadata comparisons are typed. Ints and floats compare numerically with each other, bool is a
  separate type, and a string never equals a number. Two deliberate differences from Chroma's
  local mode: it truncates a float operand compared with int values (`{"i": 1.5}` matches `i == 1`)
  and never matches an int operand against float list elements (or the reverse) in `$contains`;
  huedb compares exactly and numerically in both cases.
- `$ne`, `$nin` and `$not_contains` are negations: they also match records lacking the key.
- Scalar operators never match list values; `$contains`/`$not_contains` test list membership, so on
  a scalar field `$contains` matches nothing and `$not_contains` matches everything.
- `$and: []` matches everything, `$or: []` matches nothing, one child means that child.
- Document `$contains` is a case-sensitive substring test (a trigram FTS5 query from 3 characters
  on, `instr` below that); document negations match records without a document.
- `$regex` uses Rust `regex` syntax, translated to Python `re` by `translate_regex` and evaluated by
  the SQL function `huedb_regexp`, which `register_sql_functions` installs on a connection.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple, NoReturn

from huedb.engine.metadata_rows import (
    ELEMENT_OFFSET,
    KIND_BOOL,
    KIND_NUMBER,
    KIND_STR,
)
from huedb.engine.rust_regex import compile_regex, translate_regex
from huedb.errors import InvalidArgumentError

__all__ = [
    "compile_filters",
    "compile_rid_select",
    "compile_regex",
    "register_sql_functions",
    "translate_regex",
]

Sql = tuple[str, list[object]]

INVALID_WHERE = "Invalid where clause"
INVALID_WHERE_DOCUMENT = "Invalid where document clause"
DOCUMENT_KEY = "#document"



class Part(NamedTuple):
    """A compiled filter expression over `records r`.

    With a `driver` (a `SELECT rid ...` that reads only this collection's rows, from an index),
    the expression equals `r.rid IN (driver) AND rest`: a query can start from the driver's few
    rows instead of every row. `row` says whether `sql` reads columns other than `r.rid`.
    """

    sql: str
    params: list[object]
    row: bool = False
    driver: Sql | None = None
    rest: Part | None = None  # None: nothing left to check


_MATCH_ALL = Part("1", [])
_MATCH_NONE = Part("0", [])

# serde_json refuses documents nested deeper than this.
_MAX_JSON_DEPTH = 128
# Longer `$in` lists travel as one JSON parameter, well below SQLite's bound-variable limit.
_MAX_INLINE_SET = 64

_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_U64_MAX = 2**64 - 1

_COMPARISONS = {"$eq": "=", "$ne": "=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_CONTAINS = ("$contains", "$not_contains")
_REGEX = ("$regex", "$not_regex")

_METADATA_SUBQUERY = (
    "SELECT rid FROM record_metadata WHERE collection = ? AND key = ? AND kind = ? AND value"
)
_FTS_SUBQUERY = "SELECT rowid FROM records_fts WHERE records_fts MATCH ?"
# FTS5's trigram tokenizer cannot match anything shorter than one trigram.
_MIN_FTS_LENGTH = 3


def compile_filters(
    collection: int,
    where: Mapping[str, object] | None,
    where_document: Mapping[str, object] | None,
) -> tuple[str, list[object]]:
    """Compiles `where` and `where_document` into a boolean SQL expression over `records r`.

    Args:
        collection: the collection's `collections.pk`, used by the metadata subqueries.
        where: a Chroma metadata filter, or None.
        where_document: a Chroma document filter, or None.

    Returns:
        `(sql, params)`; `("1", [])` when there is no filter. Both filters are ANDed.

    Raises:
        InvalidArgumentError: "Invalid where clause", "Invalid where document clause", a
            "Regex syntax errror: ..." for a bad pattern, or the "indexing is disabled" message for
            a string equality on `#document`, exactly as Chroma's server reports them.

    Example:
        >>> sql, params = compile_filters(7, {"n": {"$gt": 2}}, None)
        >>> params
        [7, 'n', 1, 2]
    """
    # Chroma decodes both JSON payloads before parsing either one, so the order of checks (and
    # therefore which error wins when both are bad) follows that.
    if where is not None and not _is_json(where, 0):
        raise InvalidArgumentError(INVALID_WHERE)
    if where_document is not None and not _is_json(where_document, 0):
        raise InvalidArgumentError(INVALID_WHERE_DOCUMENT)
    part = _compile(collection, where, where_document)
    return part.sql, part.params


def compile_rid_select(
    collection: int,
    ids: list[str] | None,
    where: Mapping[str, object] | None,
    where_document: Mapping[str, object] | None,
) -> Sql:
    """`SELECT rid` of the collection's records matching `ids` and both filters.

    Rids may repeat. When the filter has a driver (ids, or a positive metadata condition that
    every match must meet), the query starts from its index lookup and never reads a record
    row unless a document condition needs one: evaluating `cat == 5` then costs about a
    microsecond per match instead of a random read of each matching row.
    """
    part = _compile(collection, where, where_document)
    if ids is not None:
        lookup = ("SELECT rid FROM records WHERE collection = ? "
                  "AND id IN (SELECT value FROM json_each(?))", [collection, json.dumps(ids)])
        by_id = Part(f"r.rid IN ({lookup[0]})", list(lookup[1]), False, lookup)
        part = _logical("$and", [by_id, part])
    if part.driver is None:
        return (f"SELECT r.rid FROM records r WHERE r.collection = ? AND ({part.sql})",
                [collection, *part.params])
    driver, params = part.driver
    if part.rest is None:
        return driver, list(params)
    source = f"({driver}) AS d JOIN records r ON r.rid = d.rid" if part.rest.row \
        else f"({driver}) AS r"
    return f"SELECT r.rid FROM {source} WHERE {part.rest.sql}", [*params, *part.rest.params]


def _compile(
    collection: int,
    where: Mapping[str, object] | None,
    where_document: Mapping[str, object] | None,
) -> Part:
    compiler = _Compiler(collection)
    parts: list[Part] = []
    if where is not None:
        parts.append(compiler.where(where))
    if where_document is not None:
        parts.append(compiler.where_document(where_document))
    if compiler.document_as_metadata:
        # The server runs this schema check only after both filters parsed.
        raise InvalidArgumentError(
            f"Cannot filter using metadata key '{DOCUMENT_KEY}' with type 'Str' "
            "because indexing is disabled"
        )
    return _logical("$and", parts)


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Installs the SQL functions compiled filters call (`huedb_regexp(pattern, text)`)."""
    conn.create_function("huedb_regexp", 2, _sql_regexp, deterministic=True)


def _sql_regexp(pattern: object, text: object) -> int | None:
    if not isinstance(pattern, str) or not isinstance(text, str):
        return None
    return 1 if compile_regex(pattern).search(text) is not None else 0


# --------------------------------------------------------------------------------------------
# Values as Chroma's server sees them: the Python client sends `json.dumps(where)` and the Rust
# side reads it with serde_json, so a Python value's type is its JSON type.

_Wire = Literal["str", "bool", "int", "float", "u64", "other"]


def _is_json(value: object, depth: int) -> bool:
    """Whether json.dumps would produce JSON that serde_json accepts."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return _int_fits_json(value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return _is_utf8(value)
    if depth >= _MAX_JSON_DEPTH:
        return False
    if isinstance(value, (list, tuple)):
        return all(_is_json(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return all(
            isinstance(k, str) and _is_utf8(k) and _is_json(v, depth + 1) for k, v in value.items()
        )
    return False


def _int_fits_json(value: int) -> bool:
    # serde_json reads integers beyond u64 as f64, and fails beyond f64's range.
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wire(value: object) -> tuple[_Wire, object]:
    """The serde_json type of a value and the value an SQL comparison should bind."""
    if isinstance(value, bool):
        return "bool", int(value)
    if isinstance(value, int):
        if _I64_MIN <= value <= _I64_MAX:
            return "int", value
        if 0 <= value <= _U64_MAX:
            # serde_json keeps these as u64, which Chroma's parser accepts nowhere as a scalar.
            return "u64", float(value)
        return "float", float(value)
    if isinstance(value, float):
        return "float", value
    if isinstance(value, str):
        return "str", value
    return "other", value


# --------------------------------------------------------------------------------------------
# The compiler: one method per operator family.


class _Compiler:
    def __init__(self, collection: int) -> None:
        self.collection = collection
        # A string equality or membership on `#document` passes parsing but fails Chroma's schema
        # check afterwards ("indexing is disabled").
        self.document_as_metadata = False

    def where(self, clause: object) -> Part:
        if not isinstance(clause, Mapping) or len(clause) != 1:
            _invalid_where()
        ((key, value),) = clause.items()
        if key in ("$and", "$or"):
            if not isinstance(value, (list, tuple)):
                _invalid_where()
            return _logical(key, [self.where(child) for child in value])
        if key.startswith("$"):
            _invalid_where()
        if isinstance(value, Mapping):
            if len(value) != 1:
                _invalid_where()
            ((op, operand),) = value.items()
            return self.field(key, op, operand)
        if _wire(value)[0] in ("str", "bool", "int", "float"):
            return self.field(key, "$eq", value)
        _invalid_where()

    def field(self, key: str, op: str, operand: object) -> Part:
        if isinstance(operand, (list, tuple)):
            if op not in ("$in", "$nin"):
                _invalid_where()
            kind, values = _set_operand(operand)
            if key == DOCUMENT_KEY and kind == KIND_STR:
                self.document_as_metadata = True
            return self.membership(key, op == "$nin", kind, values)
        if isinstance(operand, str):
            if op in _CONTAINS:
                if key == DOCUMENT_KEY:
                    return _document_contains(operand, negate=op == "$not_contains")
                return self.list_contains(key, op == "$not_contains", KIND_STR, operand)
            if op in _REGEX:
                if key != DOCUMENT_KEY:
                    _invalid_where()
                return _document_regex(operand, negate=op == "$not_regex")
            if op not in ("$eq", "$ne"):
                _invalid_where()
            if key == DOCUMENT_KEY:
                self.document_as_metadata = True
            return self.comparison(key, op, KIND_STR, operand)
        wire, value = _wire(operand)
        if wire in ("bool", "int", "float"):
            kind = KIND_BOOL if wire == "bool" else KIND_NUMBER
            if op in _CONTAINS:
                if key == DOCUMENT_KEY:
                    _invalid_where()
                return self.list_contains(key, op == "$not_contains", kind, value)
            allowed = ("$eq", "$ne") if kind == KIND_BOOL else tuple(_COMPARISONS)
            if op not in allowed:
                _invalid_where()
            return self.comparison(key, op, kind, value)
        _invalid_where()

    def comparison(self, key: str, op: str, kind: int, value: object) -> Part:
        sql = f"{_METADATA_SUBQUERY} {_COMPARISONS[op]} ?"
        return self.subquery(op == "$ne", sql, [key, kind, value])

    def membership(self, key: str, negate: bool, kind: int, values: list[object]) -> Part:
        if len(values) <= _MAX_INLINE_SET:
            marks = ", ".join("?" * len(values))
            return self.subquery(negate, f"{_METADATA_SUBQUERY} IN ({marks})", [key, kind, *values])
        sql = f"{_METADATA_SUBQUERY} IN (SELECT value FROM json_each(?))"
        return self.subquery(negate, sql, [key, kind, json.dumps(values)])

    def list_contains(self, key: str, negate: bool, kind: int, value: object) -> Part:
        sql = f"{_METADATA_SUBQUERY} = ?"
        return self.subquery(negate, sql, [key, kind + ELEMENT_OFFSET, value])

    def subquery(self, negate: bool, sql: str, params: list[object]) -> Part:
        # Negations are NOT IN over the positive set, so records lacking the key, holding it with
        # another type, or holding a list, all match: Chroma's semantics for $ne/$nin/$not_contains.
        params = [self.collection, *params]
        if negate:
            return Part(f"r.rid NOT IN ({sql})", params)
        return Part(f"r.rid IN ({sql})", params, False, (sql, params))

    def where_document(self, clause: object) -> Part:
        if not isinstance(clause, Mapping) or len(clause) != 1:
            _invalid_document()
        ((key, value),) = clause.items()
        if key in ("$and", "$or"):
            if not isinstance(value, (list, tuple)):
                _invalid_document()
            return _logical(key, [self.where_document(child) for child in value])
        if not isinstance(value, str):
            _invalid_document()
        if key in _CONTAINS:
            return _document_contains(value, negate=key == "$not_contains")
        if key in _REGEX:
            return _document_regex(value, negate=key == "$not_regex")
        _invalid_document()


def _invalid_where() -> NoReturn:
    raise InvalidArgumentError(INVALID_WHERE)


def _invalid_document() -> NoReturn:
    raise InvalidArgumentError(INVALID_WHERE_DOCUMENT)


def _set_operand(operand: Sequence[object]) -> tuple[int, list[object]]:
    """The kind and bindable values of an `$in`/`$nin` list, typed by its first element as Chroma
    does: `[1.5, 2]` is a float list, `[1, 2.0]` and `[True, 1]` are rejected."""
    if not operand:
        _invalid_where()
    wires = [_wire(v) for v in operand]
    first = wires[0][0]
    tags = {w for w, _ in wires}
    values = [v for _, v in wires]
    if first == "str" and tags == {"str"}:
        kind = KIND_STR
    elif first == "bool" and tags == {"bool"}:
        kind = KIND_BOOL
    elif first == "float" and tags <= {"int", "float", "u64"}:
        # serde's as_f64 reads any number, so ints join a float list as floats.
        kind = KIND_NUMBER
        values = [float(v) if isinstance(v, (int, float)) else v for v in values]
    elif first == "int" and tags == {"int"}:
        kind = KIND_NUMBER
    else:
        _invalid_where()
    # dict.fromkeys drops duplicates and keeps order; 1 and 1.0 are the same number here.
    return kind, list(dict.fromkeys(values))


def _logical(op: str, children: list[Part]) -> Part:
    if not children:
        # The server accepts empty lists: an empty AND is true and an empty OR is false.
        return _MATCH_ALL if op == "$and" else _MATCH_NONE
    if len(children) == 1:
        return children[0]
    joined = _combine(" AND " if op == "$and" else " OR ", children)
    if op == "$and":
        # Every match meets each child, so any child's driver drives the whole; the first one
        # is taken (ids come first when given, being usually the smallest).
        for i, child in enumerate(children):
            if child.driver is not None:
                others = [c for c in children[:i] + children[i + 1:] if c is not _MATCH_ALL]
                rest = [child.rest] if child.rest is not None else []
                return joined._replace(driver=child.driver,
                                       rest=_combine(" AND ", rest + others) if rest + others
                                       else None)
        return joined
    if all(c.driver is not None and c.rest is None for c in children):
        union = [c.driver for c in children if c.driver is not None]
        return joined._replace(driver=(" UNION ".join(sql for sql, _ in union),
                                       [p for _, params in union for p in params]))
    return joined


def _combine(joiner: str, parts: list[Part]) -> Part:
    if len(parts) == 1:
        return parts[0]
    params = [p for part in parts for p in part.params]
    return Part("(" + joiner.join(part.sql for part in parts) + ")", params,
                any(part.row for part in parts))


def _fts_phrase(text: str) -> str:
    """An FTS5 string literal: inside double quotes every character but `"` is literal."""
    return '"' + text.replace('"', '""') + '"'


def _document_contains(text: str, *, negate: bool) -> Part:
    # A trigram phrase query matches exactly the documents containing the text as a substring
    # (consecutive trigrams at consecutive positions). FTS5 cannot take a NUL in a query; and it
    # indexes a document only up to its first NUL, so text after a NUL is not found, which is
    # also what Chroma does.
    if len(text) >= _MIN_FTS_LENGTH and "\0" not in text:
        return Part(f"r.rid {'NOT IN' if negate else 'IN'} ({_FTS_SUBQUERY})",
                    [_fts_phrase(text)])
    if negate:
        return Part("(r.document IS NULL OR instr(r.document, ?) = 0)", [text], True)
    return Part("instr(r.document, ?) > 0", [text], True)


def _document_regex(pattern: str, *, negate: bool) -> Part:
    compile_regex(pattern)  # reject a bad pattern now, with Chroma's message
    if negate:
        return Part("(r.document IS NULL OR NOT huedb_regexp(?, r.document))", [pattern], True)
    return Part("huedb_regexp(?, r.document)", [pattern], True)
