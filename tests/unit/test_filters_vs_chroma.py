"""Differential check: the filter compiler against the real chromadb 1.5.9 on a fixed dataset.

The same records go into a chromadb EphemeralClient (in a subprocess, with the reference
interpreter) and into SQLite through huedb's schema and `metadata_rows`; every filter must select
the same ids or fail with the same error. Filters reach chromadb's Rust layer directly, bypassing
its Python client's stricter checks, because huedb's compiler implements the server's validation.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from huedb.engine.filters import compile_filters, register_sql_functions
from huedb.engine.metadata_rows import metadata_rows
from huedb.errors import InvalidArgumentError
from tests.chroma_reference import CHROMA_PYTHON, MISSING_REASON

SCHEMA = Path(__file__).parents[2] / "huedb" / "engine" / "sql" / "0001_init.sql"

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(
        not CHROMA_PYTHON.exists(),
        reason=MISSING_REASON,
    ),
]

RECORDS: list[tuple[str, dict[str, Any] | None, str | None]] = [
    ("r0", {"i": 1, "s": "x", "b": True, "tags": ["a", "b"]}, "hello world"),
    ("r1", {"i": 2.0, "s": "y", "nums": [1, 2]}, "Hello There"),
    ("r2", {"f": 1.5, "b": False, "flts": [1.5, 2.5]}, None),
    ("r3", None, "a%b_c"),
    ("r4", {"i": -3, "flags": [True]}, "ab"),
    ("r5", {"s": "1", "f": 2.5}, None),
    ("r6", {"i": 0, "s": "", "tags": ["c"]}, "line1\nline2"),
    ("r7", {"i": 9007199254740993, "b": True}, "abc\n"),
    ("r8", {"s": "X", "tags": ["A", "a"], "flags": [False, True]}, 'say "hi", 50% off_*'),
    ("r9", {"f": -0.5, "i": 3}, "ÄÖÜ äöü ß"),
    ("r10", {"i": 2**62, "nums": [3]}, "日本語テキスト"),
    ("r11", {"f": 1e300, "s": "xyz"}, "tab\there"),
    ("r12", {"s": "x", "flts": [-1.0]}, "  "),
    ("r13", {"b": False, "i": 7}, "αβγ Greek"),
]

FILTERS: list[tuple[Any, Any]] = [
    # equality, types and cross-type numbers
    ({"s": "x"}, None),
    ({"s": {"$eq": "x"}}, None),
    ({"s": 1}, None),
    ({"s": "1"}, None),
    ({"i": 1}, None),
    ({"i": 1.0}, None),
    ({"i": 2}, None),
    ({"f": 1}, None),
    ({"f": 2.5}, None),
    ({"b": True}, None),
    ({"b": False}, None),
    ({"b": 1}, None),
    ({"i": True}, None),
    ({"i": 9007199254740993}, None),
    ({"i": 9007199254740992}, None),
    ({"i": 2**62}, None),
    ({"tags": "a"}, None),
    ({"": 1}, None),
    ({"#document": 1}, None),
    # negations
    ({"s": {"$ne": "x"}}, None),
    ({"i": {"$ne": 1}}, None),
    ({"b": {"$ne": True}}, None),
    ({"tags": {"$ne": "a"}}, None),
    # ranges
    ({"i": {"$gt": 0}}, None),
    ({"i": {"$gt": 0.5}}, None),
    ({"i": {"$gte": 2}}, None),
    ({"i": {"$lt": 1}}, None),
    ({"i": {"$lte": -3}}, None),
    ({"f": {"$gt": 1}}, None),
    ({"f": {"$lt": 0}}, None),
    ({"f": {"$gte": 1e300}}, None),
    ({"i": {"$gt": 2**62 - 1}}, None),
    ({"i": {"$gt": -(2**63) - 1}}, None),
    ({"i": {"$lt": 2**64}}, None),
    # membership
    ({"s": {"$in": ["x", "1"]}}, None),
    ({"s": {"$nin": ["x"]}}, None),
    ({"i": {"$in": [1, 2]}}, None),
    ({"i": {"$in": [-3, 7]}}, None),
    ({"i": {"$nin": [1, 2]}}, None),
    ({"i": {"$in": [1.0, 2]}}, None),
    ({"f": {"$in": [1.5, 2]}}, None),
    ({"f": {"$nin": [1.5]}}, None),
    ({"b": {"$in": [True]}}, None),
    ({"b": {"$nin": [False]}}, None),
    ({"tags": {"$in": ["a"]}}, None),
    # list membership
    ({"tags": {"$contains": "a"}}, None),
    ({"tags": {"$contains": "A"}}, None),
    ({"tags": {"$not_contains": "a"}}, None),
    ({"nums": {"$contains": 1}}, None),
    ({"nums": {"$not_contains": 3}}, None),
    ({"flts": {"$contains": 1.5}}, None),
    ({"flts": {"$contains": -1.0}}, None),
    ({"flags": {"$contains": True}}, None),
    ({"flags": {"$contains": 1}}, None),
    ({"flags": {"$not_contains": False}}, None),
    ({"s": {"$contains": "x"}}, None),
    ({"s": {"$not_contains": "x"}}, None),
    ({"i": {"$contains": 1}}, None),
    # logical operators, including the server-only 0 and 1 child forms
    ({"$and": []}, None),
    ({"$or": []}, None),
    ({"$and": [{"s": "x"}]}, None),
    ({"$or": [{"s": "x"}]}, None),
    ({"$and": [{"s": "x"}, {"i": {"$gt": 0}}]}, None),
    ({"$or": [{"s": "x"}, {"b": False}, {"tags": {"$contains": "c"}}]}, None),
    ({"$and": [{"$or": []}, {"s": "x"}]}, None),
    ({"$or": [{"$and": []}]}, None),
    ({"$and": [{"$or": [{"i": 1}, {"i": 3}]}, {"$or": [{"s": "x"}, {"f": -0.5}]}]}, None),
    # documents
    (None, {"$contains": "hello"}),
    (None, {"$contains": "Hello"}),
    (None, {"$contains": "o"}),
    (None, {"$contains": "lo w"}),
    (None, {"$contains": ""}),
    (None, {"$contains": "%"}),
    (None, {"$contains": "b_c"}),
    (None, {"$contains": '"hi"'}),
    (None, {"$contains": "*"}),
    (None, {"$contains": "äöü"}),
    (None, {"$contains": "テキ"}),
    (None, {"$contains": "1\nli"}),
    (None, {"$contains": "  "}),
    (None, {"$not_contains": "hello"}),
    (None, {"$not_contains": "ab"}),
    (None, {"$not_contains": ""}),
    (None, {"$regex": "^h"}),
    (None, {"$regex": "(?i)^h"}),
    (None, {"$regex": "c$"}),
    (None, {"$regex": "\\d"}),
    (None, {"$regex": "\\p{Lu}"}),
    (None, {"$regex": ""}),
    (None, {"$not_regex": ".*"}),
    (None, {"$not_regex": "l"}),
    (None, {"$and": []}),
    (None, {"$or": []}),
    (None, {"$and": [{"$contains": "l"}, {"$not_contains": "hello"}]}),
    (None, {"$or": [{"$regex": "^a"}, {"$contains": "Gr"}]}),
    ({"#document": {"$contains": "hello"}}, None),
    ({"#document": {"$not_contains": "hello"}}, None),
    ({"#document": {"$regex": "^a"}}, None),
    ({"#document": {"$not_regex": ".*"}}, None),
    ({"i": {"$gt": 0}}, {"$contains": "l"}),
    ({"$or": [{"#document": {"$contains": "ab"}}, {"s": "y"}]}, {"$not_contains": "%"}),
    # errors
    ({}, None),
    ({"a": 1, "b": 2}, None),
    ({"i": None}, None),
    ({"i": {"$gt": 1, "$lt": 3}}, None),
    ({"i": {"$foo": 1}}, None),
    ({"s": {"$gt": "a"}}, None),
    ({"b": {"$gt": True}}, None),
    ({"x": {"$eq": [1]}}, None),
    ({"x": {"$in": []}}, None),
    ({"x": {"$in": [1, 2.0]}}, None),
    ({"x": {"$in": [True, 1]}}, None),
    ({"i": {"$gt": 2**63}}, None),
    ({"s": {"$regex": "x"}}, None),
    ({"#document": {"$contains": 1}}, None),
    ({"$contains": 1}, None),
    ({"$and": [{}]}, None),
    ({"$and": {}}, None),
    ({"#document": "fox"}, None),
    ({"#document": {"$in": ["a"]}}, None),
    (None, {}),
    (None, {"$contains": 1}),
    (None, {"$foo": "a"}),
    (None, {"$contains": "a", "$regex": "b"}),
    (None, {"$regex": "("}),
    (None, {"$regex": "a(?=b)"}),
    (None, {"$regex": "(a)\\1"}),
    (None, {"$regex": "[z-a]"}),
    ({"#document": {"$regex": "a{3,2}"}}, None),
    ({"x": None}, {"$foo": 1}),
]

# Rust regex syntax that Python's `re` reads differently or not at all, plus Rust's errors.
REGEXES = [
    "c$", "(?m)1$", "a\\z", "\\Ahe", "(?i)HELLO", "l(?i)H", "a(?i)B|x1", "(?i)a(?-i)A",
    "(?<n>h)", "(?P<n>h)", "\\x{e9}", "\\u{3b1}", "\\U0001F600", "\\pL", "\\p{Lu}",
    "\\P{L}", "\\p{Nd}", "\\p{gc=Ll}", "[[:alpha:]]+", "[[:^alpha:]]", "[[:foo:]]", "[a[bc]]",
    "[\\w--\\d]", "(?i)[\\w--h]", "[a-z&&[^aeiou]]{3}", "[a~~b]", "(?i)[^a-z]", "a**", "^*",
    "(?U)l+", "\\<he", "o\\>", "\\b{start}w", "\\b{1,2}t", "\\B", "(?x) h e # c", "(?x)[a b]",
    "a{2, 3}", "\\d", "\\s\\s", "\\w+_", "(?s)1.l", "1.l", "[^\\s]", "\\.", "\\-", "[]a]",
    "(?is)TAB.H", "(?i)ß", "(?i)ẞ", "\\Z", "\\e", "(?#c)", "a{", "a{,3}", "\\p{L&}", "[a&&b]",
    "[\\b]", "(?P<a>x)(?P<a>y)", "a\n(", "\\xZ", "(?i", "(?--i)", "\\b{foo}", "[a-\\d]",
]  # fmt: skip

FILTERS += [(None, {"$regex": pattern}) for pattern in REGEXES]

# Where huedb deliberately differs from chromadb 1.5.9's local mode. Each row pins both answers:
# (where, chromadb's ids, huedb's ids).
DIVERGENCES: list[tuple[Any, list[str], list[str]]] = [
    # Chroma truncates a float operand to an int when comparing it with int values.
    ({"i": 1.5}, ["r0"], []),
    ({"i": -3.5}, ["r4"], []),
    ({"i": {"$gte": 1.5}}, ["r0", "r1", "r10", "r13", "r7", "r9"],
     ["r1", "r10", "r13", "r7", "r9"]),
    ({"i": {"$lt": 1.5}}, ["r4", "r6"], ["r0", "r4", "r6"]),
    ({"i": {"$ne": 1.5}}, ["r1", "r10", "r11", "r12", "r13", "r2", "r3", "r4", "r5", "r6", "r7",
                           "r8", "r9"],
     ["r0", "r1", "r10", "r11", "r12", "r13", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]),
    ({"i": {"$in": [1.5]}}, ["r0"], []),
    # Chroma's list membership compares ints and floats as different types.
    ({"nums": {"$contains": 1.0}}, [], ["r1"]),
    ({"flts": {"$contains": -1}}, [], ["r12"]),
]  # fmt: skip

CHROMA_SCRIPT = r"""
import json, sys
import chromadb
from chromadb.config import Settings

payload = json.load(sys.stdin)
client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
collection = client.create_collection("filters")
records = payload["records"]
collection.add(
    ids=[r[0] for r in records],
    embeddings=[[1.0, 0.0]] * len(records),
    metadatas=[r[1] for r in records],
    documents=[r[2] for r in records],
)
bindings = client._server.bindings  # the Rust layer, behind the Python client's validation
out = []
for where, where_document in payload["filters"]:
    try:
        result = bindings.get(
            str(collection.id), None,
            None if where is None else json.dumps(where), None, 0,
            None if where_document is None else json.dumps(where_document),
            ["metadatas"], "default_tenant", "default_database",
        )
        out.append({"ids": sorted(result.ids)})
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
json.dump(out, sys.stdout)
"""


def run_chroma(filters: list[tuple[Any, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    payload = json.dumps({"records": RECORDS, "filters": filters})
    proc = subprocess.run(
        [str(CHROMA_PYTHON), "-c", CHROMA_SCRIPT],
        input=payload,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def run_huedb(filters: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA.read_text())
    register_sql_functions(conn)
    conn.execute(
        "INSERT INTO collections (pk, id, name, database_id, configuration)"
        " VALUES (1, 'c', 'filters', 'db', '{}')"
    )
    for record_id, metadata, document in RECORDS:
        rid = conn.execute(
            "INSERT INTO records (collection, id, embedding, document, metadata, seq)"
            " VALUES (1, ?, x'', ?, ?, 0)",
            (record_id, document, json.dumps(metadata)),
        ).lastrowid
        conn.executemany(
            "INSERT INTO record_metadata (collection, rid, key, kind, value)"
            " VALUES (1, ?, ?, ?, ?)",
            [(rid, key, kind, value) for key, kind, value in metadata_rows(metadata)],
        )
    out: list[dict[str, Any]] = []
    for where, where_document in filters:
        try:
            sql, params = compile_filters(1, where, where_document)
        except InvalidArgumentError as exc:
            out.append({"error": f"InvalidArgumentError: {exc}"})
            continue
        rows = conn.execute(f"SELECT id FROM records r WHERE r.collection = 1 AND ({sql})", params)
        out.append({"ids": sorted(row[0] for row in rows)})
    conn.close()
    return out


@pytest.fixture(scope="module")
def chroma_results(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    everything = FILTERS + [(where, None) for where, _, _ in DIVERGENCES]
    return run_chroma(everything, tmp_path_factory.mktemp("chroma"))


def test_filters_select_what_chroma_selects(chroma_results: list[dict[str, Any]]) -> None:
    ours = run_huedb(FILTERS)
    mismatches = [
        (filters, theirs, mine)
        for filters, theirs, mine in zip(FILTERS, chroma_results[: len(FILTERS)], ours, strict=True)
        if theirs != mine
    ]
    assert not mismatches, "\n".join(
        f"{f!r}\n  chroma: {t}\n  huedb:  {m}" for f, t, m in mismatches
    )


def test_known_divergences_are_still_what_they_were(chroma_results: list[dict[str, Any]]) -> None:
    theirs = chroma_results[len(FILTERS) :]
    ours = run_huedb([(where, None) for where, _, _ in DIVERGENCES])
    for (where, chroma_ids, huedb_ids), t, m in zip(DIVERGENCES, theirs, ours, strict=True):
        assert t == {"ids": sorted(chroma_ids)}, where
        assert m == {"ids": sorted(huedb_ids)}, where
