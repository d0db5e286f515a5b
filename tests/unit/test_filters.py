"""Unit tests of the filter compiler: server-side validation, SQL shape, Rust regex handling."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from huedb.engine.filters import (
    compile_filters,
    compile_regex,
    register_sql_functions,
    translate_regex,
)
from huedb.engine.metadata_rows import (
    KIND_BOOL,
    KIND_BOOL_ELEMENT,
    KIND_NUMBER,
    KIND_NUMBER_ELEMENT,
    KIND_STR,
    KIND_STR_ELEMENT,
    metadata_rows,
)
from huedb.errors import InvalidArgumentError
from huedb.types import SparseVector

BAD_WHERE = "Invalid where clause"
BAD_DOC = "Invalid where document clause"
DOC_STR = (
    "Cannot filter using metadata key '#document' with type 'Str' because indexing is disabled"
)

# Each case was checked against chromadb 1.5.9's server-side parser (bypassing its Python
# client's stricter checks).
INVALID: list[tuple[Any, Any, str]] = [
    ({}, None, BAD_WHERE),
    ([], None, BAD_WHERE),
    ("x", None, BAD_WHERE),
    ({"a": 1, "b": 2}, None, BAD_WHERE),
    ({"a": None}, None, BAD_WHERE),
    ({"a": [1]}, None, BAD_WHERE),
    ({"a": {}}, None, BAD_WHERE),
    ({"a": {"$gt": 1, "$lt": 3}}, None, BAD_WHERE),
    ({"a": {"$foo": 1}}, None, BAD_WHERE),
    ({"a": {"$eq": None}}, None, BAD_WHERE),
    ({"a": {"$eq": {"b": 1}}}, None, BAD_WHERE),
    ({"a": {"$eq": [1]}}, None, BAD_WHERE),
    ({"a": {"$gt": "a"}}, None, BAD_WHERE),
    ({"a": {"$gt": True}}, None, BAD_WHERE),
    ({"a": {"$contains": [1]}}, None, BAD_WHERE),
    ({"a": {"$in": 1}}, None, BAD_WHERE),
    ({"a": {"$in": "x"}}, None, BAD_WHERE),
    ({"a": {"$in": []}}, None, BAD_WHERE),
    ({"a": {"$nin": []}}, None, BAD_WHERE),
    ({"a": {"$in": [1, 2.0]}}, None, BAD_WHERE),  # an int list must stay ints
    ({"a": {"$in": [True, 1]}}, None, BAD_WHERE),
    ({"a": {"$in": [1, "x"]}}, None, BAD_WHERE),
    ({"a": {"$in": [None]}}, None, BAD_WHERE),
    ({"a": {"$in": [[1]]}}, None, BAD_WHERE),
    ({"a": {"$in": [2**63]}}, None, BAD_WHERE),  # serde reads it as u64, accepted nowhere
    ({"a": {"$gt": 2**63}}, None, BAD_WHERE),
    ({"a": {"$gt": float("nan")}}, None, BAD_WHERE),
    ({"a": {"$gt": float("inf")}}, None, BAD_WHERE),
    ({"a": {"$gt": 10**400}}, None, BAD_WHERE),
    ({"a": {"$regex": "x"}}, None, BAD_WHERE),  # regex only on #document
    ({"a": {"$not_regex": "x"}}, None, BAD_WHERE),
    ({"#document": {"$regex": 1}}, None, BAD_WHERE),
    ({"#document": {"$contains": 1}}, None, BAD_WHERE),
    ({"#document": {"$contains": True}}, None, BAD_WHERE),
    ({"#document": {"$contains": "a", "$regex": "b"}}, None, BAD_WHERE),
    ({"$contains": 1}, None, BAD_WHERE),
    ({"$x": 1}, None, BAD_WHERE),
    ({"$and": None}, None, BAD_WHERE),
    ({"$and": {}}, None, BAD_WHERE),
    ({"$and": [1]}, None, BAD_WHERE),
    ({"$and": [{}]}, None, BAD_WHERE),
    ({"$and": [{"a": 1}], "$or": []}, None, BAD_WHERE),
    ({1: "a"}, None, BAD_WHERE),
    ({"a": {"$eq": object()}}, None, BAD_WHERE),
    ({"a": "\ud800"}, None, BAD_WHERE),
    (None, {}, BAD_DOC),
    (None, [], BAD_DOC),
    (None, {"$contains": 1}, BAD_DOC),
    (None, {"$contains": None}, BAD_DOC),
    (None, {"$contains": "a", "$regex": "b"}, BAD_DOC),
    (None, {"$foo": "a"}, BAD_DOC),
    (None, {"$and": None}, BAD_DOC),
    (None, {"$and": [{}]}, BAD_DOC),
    (None, {"$and": [{"$contains": "a"}, {"a": 1}]}, BAD_DOC),
    ({"#document": "fox"}, None, DOC_STR),
    ({"#document": {"$eq": "x"}}, None, DOC_STR),
    ({"#document": {"$ne": "x"}}, None, DOC_STR),
    ({"#document": {"$in": ["a"]}}, None, DOC_STR),
    ({"$or": [{"#document": "fox"}]}, None, DOC_STR),
    # A malformed where wins over a malformed where_document, and both over the schema check.
    ({"a": None}, {"$foo": "a"}, BAD_WHERE),
    ({"#document": "x"}, {"$foo": "a"}, BAD_DOC),
    ({"$and": [{"#document": "x"}, {"$bad": 1}]}, None, BAD_WHERE),
    # JSON decoding of both payloads comes before parsing either.
    ({"a": {"$foo": 1}}, {"$contains": float("nan")}, BAD_DOC),
]


@pytest.mark.parametrize(("where", "where_document", "message"), INVALID)
def test_invalid_filters_raise_the_server_message(
    where: Any, where_document: Any, message: str
) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        compile_filters(1, where, where_document)
    assert str(info.value) == message


VALID: list[tuple[Any, Any]] = [
    ({"$and": []}, None),
    ({"$or": []}, None),
    ({"$and": [{"a": 1}]}, None),
    (None, {"$and": []}),
    (None, {"$or": [{"$contains": "x"}]}),
    ({"": 1}, None),
    ({"#other": "x"}, None),
    ({"#document": 1}, None),  # a number on #document is an ordinary (never matching) field
    ({"#document": {"$gt": 1}}, None),
    ({"a": {"$in": [1.5, 2]}}, None),  # a float list takes ints as floats
    ({"a": {"$in": [1.5, 2**63]}}, None),
    ({"a": {"$gt": -(2**63) - 1}}, None),  # beyond i64 but not u64: read as a float
    ({"a": {"$gt": 2**64}}, None),
    ({"a": {"$contains": 1}}, None),
    ({"a": {"$not_contains": True}}, None),
    ({"a": {"$in": ("x", "y")}}, None),
    (None, {"$contains": ""}),
    (None, {"$regex": ""}),
    ({"#document": {"$not_regex": ".*"}}, {"$not_contains": "x"}),
]


@pytest.mark.parametrize(("where", "where_document"), VALID)
def test_filters_the_server_accepts_compile(where: Any, where_document: Any) -> None:
    sql, params = compile_filters(1, where, where_document)
    assert sql.count("?") == len(params)


def test_no_filter_is_true() -> None:
    assert compile_filters(3, None, None) == ("1", [])


def test_empty_logical_operators() -> None:
    assert compile_filters(1, {"$and": []}, None) == ("1", [])
    assert compile_filters(1, {"$or": []}, None) == ("0", [])
    assert compile_filters(1, None, {"$or": []}) == ("0", [])
    assert compile_filters(1, {"$and": [{"a": 1}]}, None) == compile_filters(1, {"a": 1}, None)


def test_range_sql_uses_the_lookup_index_shape() -> None:
    sql, params = compile_filters(7, {"n": {"$gt": 2.5}}, None)
    assert sql == (
        "r.rid IN (SELECT rid FROM record_metadata WHERE collection = ? AND key = ?"
        " AND kind = ? AND value > ?)"
    )
    assert params == [7, "n", KIND_NUMBER, 2.5]


def test_negations_are_not_in_over_the_positive_set() -> None:
    sql, params = compile_filters(1, {"s": {"$ne": "x"}}, None)
    assert sql.startswith("r.rid NOT IN (SELECT rid FROM record_metadata")
    assert sql.endswith("value = ?)")
    assert params == [1, "s", KIND_STR, "x"]


def test_bool_is_bound_as_0_or_1_with_its_own_kind() -> None:
    _, params = compile_filters(1, {"b": True}, None)
    assert params == [1, "b", KIND_BOOL, 1]
    assert params[-1] is not True
    _, params = compile_filters(1, {"i": 1}, None)
    assert params == [1, "i", KIND_NUMBER, 1]


def test_list_contains_uses_the_element_kinds() -> None:
    _, params = compile_filters(1, {"t": {"$contains": "a"}}, None)
    assert params == [1, "t", KIND_STR_ELEMENT, "a"]
    _, params = compile_filters(1, {"t": {"$not_contains": 2}}, None)
    assert params == [1, "t", KIND_NUMBER_ELEMENT, 2]


def test_membership_binds_each_value_once() -> None:
    sql, params = compile_filters(1, {"s": {"$in": ["a", "b", "a"]}}, None)
    assert sql.endswith("value IN (?, ?))")
    assert params == [1, "s", KIND_STR, "a", "b"]


def test_long_membership_lists_travel_as_one_json_parameter() -> None:
    sql, params = compile_filters(1, {"n": {"$nin": list(range(500))}}, None)
    assert "json_each(?)" in sql
    assert len(params) == 4


def test_logical_operators_nest_with_parentheses() -> None:
    sql, params = compile_filters(1, {"$or": [{"a": 1}, {"$and": [{"b": 2}, {"c": 3}]}]}, None)
    assert sql.startswith("(r.rid IN") and " OR (r.rid IN" in sql and " AND " in sql
    assert params[1::4] == ["a", "b", "c"]


def test_where_and_where_document_are_anded() -> None:
    sql, params = compile_filters(1, {"a": 1}, {"$contains": "fox"})
    assert sql.startswith("(r.rid IN (SELECT rid FROM record_metadata")
    assert sql.endswith(" AND r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?))")
    assert params[-1] == '"fox"'


@pytest.mark.parametrize(
    ("text", "sql", "param"),
    [
        ("fox", "r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)", '"fox"'),
        ('say "hi"', "r.rid IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)",
         '"say ""hi"""'),
        ("ab", "instr(r.document, ?) > 0", "ab"),
        ("", "instr(r.document, ?) > 0", ""),
        ("a\0b", "instr(r.document, ?) > 0", "a\0b"),
    ],
)  # fmt: skip
def test_document_contains_sql(text: str, sql: str, param: str) -> None:
    assert compile_filters(1, None, {"$contains": text}) == (sql, [param])
    assert compile_filters(1, {"#document": {"$contains": text}}, None) == (sql, [param])


def test_document_negations_include_records_without_a_document() -> None:
    assert compile_filters(1, None, {"$not_contains": "ab"}) == (
        "(r.document IS NULL OR instr(r.document, ?) = 0)",
        ["ab"],
    )
    assert compile_filters(1, None, {"$not_regex": "a"}) == (
        "(r.document IS NULL OR NOT huedb_regexp(?, r.document))",
        ["a"],
    )


# --- regex -------------------------------------------------------------------------------------

REGEX_ERRORS = [
    ("(", "    (\n    ^\nerror: unclosed group"),
    (")", "    )\n    ^\nerror: unopened group"),
    ("a)", "    a)\n     ^\nerror: unopened group"),
    ("[a", "    [a\n    ^\nerror: unclosed character class"),
    ("*", "    *\n    ^\nerror: repetition operator missing expression"),
    ("a|*", "    a|*\n      ^\nerror: repetition operator missing expression"),
    ("a(?=b)", "    a(?=b)\n     ^^^\nerror: look-around, including look-ahead and look-behind,"
     " is not supported"),
    ("(?<!a)b", "    (?<!a)b\n    ^^^^\nerror: look-around, including look-ahead and look-behind,"
     " is not supported"),
    ("(a)\\1", "    (a)\\1\n       ^^\nerror: backreferences are not supported"),
    ("\\0", "    \\0\n    ^^\nerror: backreferences are not supported"),
    ("world\\Z", "    world\\Z\n         ^^\nerror: unrecognized escape sequence"),
    ("\\e", "    \\e\n    ^^\nerror: unrecognized escape sequence"),
    ("(?#c)", "    (?#c)\n      ^\nerror: unrecognized flag"),
    ("(?P=x)", "    (?P=x)\n      ^\nerror: unrecognized flag"),
    ("(?i", "    (?i\n       ^\nerror: expected flag but got end of regex"),
    ("(?ii)", "    (?ii)\n      ^^\nerror: duplicate flag"),
    ("(?-)", "    (?-)\n      ^\nerror: dangling flag negation operator"),
    ("a{", "    a{\n     ^\nerror: unclosed counted repetition"),
    ("a{1,2", "    a{1,2\n     ^^^^\nerror: unclosed counted repetition"),
    ("a{,3}", "    a{,3}\n      ^\nerror: repetition quantifier expects a valid decimal"),
    ("a{3,2}", "    a{3,2}\n     ^^^^^\nerror: invalid repetition count range, the start must be"
     " <= the end"),
    ("[z-a]", "    [z-a]\n     ^^^\nerror: invalid character class range, the start must be <="
     " the end"),
    ("[a-\\d]", "    [a-\\d]\n       ^^\nerror: invalid range boundary, must be a literal"),
    ("[\\b]", "    [\\b]\n     ^^\nerror: invalid escape sequence found in character class"),
    ("\\x{110000}", "    \\x{110000}\n       ^^^^^^\nerror: hexadecimal literal is not a Unicode"
     " scalar value"),
    ("\\xZ", "    \\xZ\n      ^\nerror: invalid hexadecimal digit"),
    ("\\p{L&}", "    \\p{L&}\n    ^^^^^^\nerror: Unicode property not found"),
    ("(?P<a>x)(?P<a>y)", "    (?P<a>x)(?P<a>y)\n        ^       ^\nerror: duplicate capture"
     " group name"),
    ("\\b{foo}", "    \\b{foo}\n       ^^^\nerror: unrecognized special word boundary assertion,"
     " valid choices are: start, end, start-half or end-half"),
    ("a\n(", "~" * 79 + "\n1: a\n2: (\n   ^\n" + "~" * 79 + "\nerror: unclosed group"),
    # A syntax error anywhere wins over an unknown Unicode property.
    ("\\p{Foo}\\q", "    \\p{Foo}\\q\n           ^^\nerror: unrecognized escape sequence"),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "detail"), REGEX_ERRORS)
def test_regex_errors_carry_rust_regex_messages(pattern: str, detail: str) -> None:
    expected = "Regex syntax errror: regex parse error:\n" + detail
    with pytest.raises(InvalidArgumentError) as info:
        compile_filters(1, None, {"$regex": pattern})
    assert str(info.value) == expected
    with pytest.raises(InvalidArgumentError) as info:
        compile_filters(1, {"#document": {"$not_regex": pattern}}, None)
    assert str(info.value) == expected


@pytest.mark.parametrize("pattern", ["[a&&b]", "[^\\x00-\\x{10FFFF}]", "[&&]"])
def test_classes_that_match_nothing_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidArgumentError, match="^Byte pattern is not allowed$"):
        compile_regex(pattern)


def test_unsupported_unicode_scripts_say_so() -> None:
    with pytest.raises(InvalidArgumentError, match="huedb supports general categories"):
        compile_regex("\\p{Greek}")


# (pattern, text, matches) pairs where Rust and Python syntax or semantics differ, each checked
# against chromadb 1.5.9.
REGEX_SEMANTICS = [
    ("c$", "abc\n", False),  # `$` is the end of the text
    ("(?m)1$", "line1\nline2", True),
    ("a\\z", "aaa", True),
    ("(?i)HELLO", "hello", True),
    ("l(?i)H", "hello", False),
    ("a(?i)B|x1", "x1 2y", True),  # a mid-pattern flag lasts across `|`
    ("a(?i)B|x1", "AB", False),
    ("(?i)a(?-i)A", "aa", False),
    ("(?<n>h)", "hello", True),
    ("\\x{e9}", "é", True),
    ("\\u{3b1}", "α", True),
    ("\\pL", "日", True),
    ("\\p{Lu}", "Ä", True),
    ("\\p{Uppercase Letter}", "A", True),
    ("\\p{gc=Nd}", "٣", True),
    ("\\P{L}", "abc", False),
    ("[[:alpha:]]", "é", False),  # POSIX classes are ASCII
    ("[[:^alpha:]]", "a", False),
    ("[[:foo:]]", "o", True),  # not a POSIX name: a nested class of `:foo:`
    ("[a[bc]]", "c", True),
    ("[\\w--b]", "b", False),
    ("(?i)[\\w--b]", "B", False),  # operands are case-folded before the difference
    ("[a-c&&b-d]", "b", True),
    ("[a-c&&b-d]", "a", False),
    ("[a~~b]", "a", True),
    ("(?i)[^k]", "K", False),
    ("a**", "", True),
    ("^*", "x", True),
    ("(?U)a+", "aa", True),
    ("\\<he", "tab\there", True),
    ("o\\>", "hello world", True),
    ("\\b{start}h", "hello", True),
    ("\\b{1,2}x", "x", True),  # a repetition of \b, not a special boundary
    ("\\B", "", True),
    ("(?x) h e # comment", "he", True),
    ("(?x)[a b]", " ", False),
    ("(?x)a\\ b", "a b", True),
    ("a{2, 3}", "aa", True),
    ("\\d", "٣", True),
    ("\\s", "\u2003", True),
    ("(?s)a.b", "a\nb", True),
    ("a.b", "a\nb", False),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), REGEX_SEMANTICS)
def test_rust_regex_semantics(pattern: str, text: str, expected: bool) -> None:
    assert (compile_regex(pattern).search(text) is not None) is expected


def test_translation_never_uses_global_flags_or_captures() -> None:
    translated = translate_regex("(?i)(a)(?P<n>b)")
    assert "(?i:a)" in translated and "(?P" not in translated


def test_sql_function_runs_rust_patterns() -> None:
    conn = sqlite3.connect(":memory:")
    register_sql_functions(conn)
    rows = conn.execute(
        "SELECT huedb_regexp('^ab$', 'ab'), huedb_regexp('c$', ?), huedb_regexp('x', NULL)",
        ("abc\n",),
    ).fetchall()
    assert rows == [(1, 0, None)]
    conn.close()


# --- metadata rows ---------------------------------------------------------------------------


def test_metadata_rows_types_each_value() -> None:
    rows = metadata_rows(
        {
            "s": "x",
            "i": 3,
            "f": 1.5,
            "b": True,
            "big": 2**63,
            "tags": ["a", "b"],
            "nums": [1, 2.5],
            "flags": [False],
            "gone": None,
            "sparse": SparseVector(indices=[1], values=[0.5]),
            "sparse_dict": {"#type": "sparse_vector", "indices": [1], "values": [0.5]},
        }
    )
    assert rows == [
        ("s", KIND_STR, "x"),
        ("i", KIND_NUMBER, 3),
        ("f", KIND_NUMBER, 1.5),
        ("b", KIND_BOOL, 1),
        ("big", KIND_NUMBER, 9.223372036854776e18),
        ("tags", KIND_STR_ELEMENT, "a"),
        ("tags", KIND_STR_ELEMENT, "b"),
        ("nums", KIND_NUMBER_ELEMENT, 1),
        ("nums", KIND_NUMBER_ELEMENT, 2.5),
        ("flags", KIND_BOOL_ELEMENT, 0),
    ]
    assert type(rows[3][2]) is int


def test_metadata_rows_of_nothing() -> None:
    assert metadata_rows(None) == []
    assert metadata_rows({}) == []


@pytest.mark.parametrize("value", [object(), [None], [[1]], b"x"])
def test_metadata_rows_refuse_unfilterable_types(value: object) -> None:
    with pytest.raises(TypeError):
        metadata_rows({"k": value})
