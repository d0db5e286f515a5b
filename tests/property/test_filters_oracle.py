"""The SQL filter compiler agrees with a pure-Python evaluator on random records and filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huedb.engine.filters import compile_filters, compile_rid_select, register_sql_functions
from huedb.engine.metadata_rows import metadata_rows
from tests.property.reference_filters import matches

SCHEMA = Path(__file__).parents[2] / "huedb" / "engine" / "sql" / "0001_init.sql"
KEYS = ["a", "b", "tags"]
STRINGS = ["x", "y", "1", "", "X"]
# Exact binary fractions and small ints, so int/float comparisons are exact on both sides.
NUMBERS = [-2, -1.5, -0.0, 0, 1, 1.0, 1.5, 2, 2.5, 3, 2**53, 2**62]
# Documents avoid NUL, which FTS5 does not index past (see filters._document_contains).
DOC_ALPHABET = ["a", "b", "A", "ab", "bab", " ", "\n", '"', "%", "_", "*", "é", "ß", "😀", "'"]
# Patterns that mean the same in Rust and Python syntax (no `$`, `\B`, lookaround, ...).
REGEXES = ["a", "^a", "b.", "[ab]a", "(?i)A", "a|é", "x*b", "^b", "\\s", "a{2}", "[^a-z]", "😀"]

scalars = st.one_of(st.booleans(), st.sampled_from(NUMBERS), st.sampled_from(STRINGS))
lists = st.one_of(
    st.lists(st.booleans(), min_size=1, max_size=3),
    st.lists(st.sampled_from([-1, 0, 1, 2]), min_size=1, max_size=3),
    st.lists(st.sampled_from([-1.5, 0.0, 1.0, 2.5]), min_size=1, max_size=3),
    st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3),
)
metadatas = st.one_of(
    st.none(), st.dictionaries(st.sampled_from(KEYS), st.one_of(scalars, lists), max_size=3)
)
documents = st.one_of(st.none(), st.lists(st.sampled_from(DOC_ALPHABET), max_size=6).map("".join))
records = st.lists(st.tuples(metadatas, documents), min_size=1, max_size=12)

doc_texts = st.lists(st.sampled_from(DOC_ALPHABET), max_size=4).map("".join)


@st.composite
def operand_lists(draw: st.DrawFn) -> list[Any]:
    """A list Chroma's server accepts for `$in`: typed by its first element."""
    kind = draw(st.sampled_from(["bool", "int", "float", "str"]))
    if kind == "bool":
        return draw(st.lists(st.booleans(), min_size=1, max_size=3))
    if kind == "int":
        return draw(st.lists(st.sampled_from([-2, 0, 1, 2, 3]), min_size=1, max_size=3))
    if kind == "str":
        return draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3))
    first = draw(st.sampled_from([-1.5, 1.0, 2.5]))
    rest = draw(st.lists(st.sampled_from([0, 1, 1.5, 2.0]), max_size=2))
    return [first, *rest]


@st.composite
def field_filters(draw: st.DrawFn) -> dict[str, Any]:
    key = draw(st.sampled_from(KEYS))
    operand = draw(st.one_of(scalars, operand_lists()))
    if isinstance(operand, list):
        return {key: {draw(st.sampled_from(["$in", "$nin"])): operand}}
    ops = ["$eq", "$ne", "$contains", "$not_contains"]
    if not isinstance(operand, (bool, str)):
        ops += ["$gt", "$gte", "$lt", "$lte"]
    op = draw(st.sampled_from(ops))
    if op == "$eq" and draw(st.booleans()):
        return {key: operand}  # the shorthand form
    return {key: {op: operand}}


@st.composite
def document_leaves(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(["$contains", "$not_contains", "$regex", "$not_regex"]))
    if op in ("$regex", "$not_regex"):
        return {op: draw(st.sampled_from(REGEXES))}
    return {op: draw(doc_texts)}


@st.composite
def in_where_document_leaves(draw: st.DrawFn) -> dict[str, Any]:
    return {"#document": draw(document_leaves())}


def logical(leaves: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    # Zero or one child is valid for the server: an empty $and is true, an empty $or false.
    return st.recursive(
        leaves,
        lambda children: st.builds(
            lambda op, xs: {op: xs},
            st.sampled_from(["$and", "$or"]),
            st.lists(children, max_size=3),
        ),
        max_leaves=6,
    )


wheres = st.one_of(st.none(), logical(st.one_of(field_filters(), in_where_document_leaves())))
where_documents = st.one_of(st.none(), logical(document_leaves()))


def load(rows: list[tuple[dict[str, Any] | None, str | None]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA.read_text())
    register_sql_functions(conn)
    # The records also go into a second collection with their metadata swapped around, so a
    # subquery that forgot to restrict by collection would show up as extra matches.
    for pk in (1, 2):
        conn.execute(
            "INSERT INTO collections (pk, id, name, database_id, configuration)"
            " VALUES (?, ?, ?, 'db', '{}')",
            (pk, f"c{pk}", f"c{pk}"),
        )
    for index, (metadata, document) in enumerate(rows):
        for pk in (1, 2):
            md = metadata if pk == 1 else rows[(index + 1) % len(rows)][0]
            rid = conn.execute(
                "INSERT INTO records (collection, id, embedding, document, metadata, seq)"
                " VALUES (?, ?, x'', ?, NULL, 0)",
                (pk, str(index), document if pk == 1 else "ab" + (document or "")),
            ).lastrowid
            conn.executemany(
                "INSERT INTO record_metadata (collection, rid, key, kind, value)"
                " VALUES (?, ?, ?, ?, ?)",
                [(pk, rid, key, kind, value) for key, kind, value in metadata_rows(md)],
            )
    return conn


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=records, where=wheres, where_document=where_documents)
def test_compiled_filters_match_the_reference(
    rows: list[tuple[dict[str, Any] | None, str | None]],
    where: dict[str, Any] | None,
    where_document: dict[str, Any] | None,
) -> None:
    conn = load(rows)
    sql, params = compile_filters(1, where, where_document)
    found = {
        row[0]
        for row in conn.execute(
            f"SELECT id FROM records r WHERE r.collection = ? AND ({sql})", [1, *params]
        )
    }
    expected = {
        str(i) for i, (md, doc) in enumerate(rows) if matches(md, doc, where, where_document)
    }
    assert found == expected, (sql, params)
    conn.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=records, where=wheres, where_document=where_documents,
       ids=st.one_of(st.none(), st.lists(st.sampled_from([str(i) for i in range(14)]),
                                         max_size=5)))
def test_rid_selects_match_the_reference(
    rows: list[tuple[dict[str, Any] | None, str | None]],
    where: dict[str, Any] | None,
    where_document: dict[str, Any] | None,
    ids: list[str] | None,
) -> None:
    # The query planner's form, which starts from an index lookup (a driver) when it can.
    conn = load(rows)
    sql, params = compile_rid_select(1, ids, where, where_document)
    found = {
        row[0]
        for row in conn.execute(
            f"SELECT id FROM records WHERE rid IN ({sql})", params
        )
    }
    expected = {
        str(i) for i, (md, doc) in enumerate(rows)
        if matches(md, doc, where, where_document) and (ids is None or str(i) in ids)
    }
    assert found == expected, (sql, params)
    conn.close()
