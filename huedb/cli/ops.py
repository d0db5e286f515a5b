"""Operator commands (backup, restore, export, import, import-chroma, vacuum, verify, stats)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

NAMES = ("backup", "restore", "export", "import", "import-chroma", "vacuum", "verify", "stats")


class _Progress:
    """One self-overwriting status line on stderr, at most ten updates a second."""

    def __init__(self, label: str) -> None:
        self.label, self._last = label, 0.0

    def __call__(self, what: Any, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            print(f"\r{self.label}: {what} {done}", end="", file=sys.stderr, flush=True)

    def pages(self, done: int, total: int) -> None:
        self(f"{done}/{total} pages", total and round(100 * done / total))

    def close(self) -> None:
        if self._last:
            print(file=sys.stderr)


def register(commands: Any) -> None:
    """Add the operator sub-commands to the `huedb` parser."""
    def add(name: str, text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
        return parser

    p = add("backup", "Copy a database to DEST while writers keep writing (online backup).")
    p.add_argument("path")
    p.add_argument("dest")
    p = add("restore", "Put a backup made by `huedb backup` in place at PATH.")
    p.add_argument("backup")
    p.add_argument("path")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing database (the old files are kept aside)")
    def with_format(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", choices=("jsonl", "parquet"),
                            help="default: parquet for *.parquet, else jsonl (parquet needs "
                                 "pyarrow)")

    p = add("export", "Write every collection to FILE as JSON Lines or Parquet ('-' for stdout).")
    p.add_argument("path")
    p.add_argument("file")
    with_format(p)
    p = add("import", "Upsert an export FILE into PATH (idempotent, so it can be re-run).")
    p.add_argument("file")
    p.add_argument("path")
    with_format(p)
    p = add("import-chroma", "Migrate a chromadb persistent directory into PATH.")
    p.add_argument("chroma_path")
    p.add_argument("path")
    p.add_argument("--chroma-python", help="a Python that has chromadb (default: this one)")
    p.add_argument("--tenant", default="default_tenant")
    p = add("vacuum", "Reclaim disk space after deletes.")
    p.add_argument("path")
    p = add("verify", "Check integrity: SQLite, vectors, filter rows, full-text index, "
                      "saved vector indexes.")
    p.add_argument("path")
    p.add_argument("--repair", action="store_true",
                   help="rebuild derived structures, delete bad index files and leftovers")
    p = add("stats", "Collections: counts, dimensions, deleted rows and vector index health.")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    """Run one operator command; errors print one line and exit 1, never a traceback."""
    from huedb import ops

    progress = _Progress(args.command)
    try:
        if args.command == "backup":
            print(ops.backup(args.path, args.dest, progress.pages))
        elif args.command == "restore":
            print(ops.restore(args.backup, args.path, overwrite=args.overwrite))
        elif args.command == "export":
            if _format(args) == "parquet":
                if args.file == "-":
                    raise ValueError("Parquet needs a file; it cannot be written to stdout")
                count = ops.export_parquet(args.path, args.file, progress)
            elif args.file == "-":
                count = ops.export_jsonl(args.path, sys.stdout, progress)
            else:
                with open(args.file, "w", encoding="utf-8") as out:
                    count = ops.export_jsonl(args.path, out, progress)
            print(f"exported {count} records", file=sys.stderr)
        elif args.command == "import" and _format(args) == "parquet":
            print(f"imported {ops.import_parquet(args.file, args.path, progress)} records")
        elif args.command == "import":
            with open(args.file, encoding="utf-8") as lines:
                print(f"imported {ops.import_jsonl(lines, args.path, progress)} records")
        elif args.command == "import-chroma":
            counts = ops.import_chroma(args.chroma_path, args.path, args.chroma_python,
                                       args.tenant, progress)
            print(json.dumps(counts, indent=2))
        elif args.command == "vacuum":
            before, after = ops.vacuum(args.path)
            print(f"{before} -> {after} bytes")
        elif args.command == "verify":
            report = ops.verify(args.path, repair=args.repair)
            for line in report.repaired:
                print(f"repaired: {line}")
            for line in report.problems:
                print(f"problem: {line}")
            print("ok" if report.ok else "damaged")
            return 0 if report.ok else 2
        elif args.command == "stats":
            entries = ops.stats(args.path)
            print(json.dumps(entries, indent=2) if args.json else _table(entries))
    except (OSError, ValueError, RuntimeError) as e:
        progress.close()
        print(f"huedb {args.command}: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # database errors: one clear line instead of a traceback
        progress.close()
        print(f"huedb {args.command}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    progress.close()
    return 0


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    return "parquet" if str(args.file).lower().endswith(".parquet") else "jsonl"


_COLUMNS = (("collection", "<"), ("count", ">"), ("dim", ">"), ("deleted", ">"),
            ("index", "<"), ("indexed", ">"), ("graph", ">"), ("gone", ">"), ("stale", ">"),
            ("lag", ">"), ("size", ">"), ("saved", "<"), ("compacted", "<"))


def _table(entries: list[dict[str, Any]]) -> str:
    """`huedb stats` for people: one row per collection, index health beside the counts."""
    def cell(value: Any) -> str:
        return "-" if value is None else str(value)

    rows = []
    for e in entries:
        where = "" if (e["tenant"], e["database"]) == ("default_tenant", "default_database") \
            else f"{e['tenant']}/{e['database']}/"
        share = e["deleted_share"]
        rows.append([
            where + e["name"], e["count"], e["dimension"], e["deleted"], e["index"],
            e["index_rows"], e["graph_rows"], None if share is None else f"{100 * share:.1f}%",
            e["stale_rows"], e["index_lag"], _size(e["index_bytes"]) if e["index_bytes"] else None,
            _time(e["saved_at"]), _time(e["compacted_at"])])
    table = [[name for name, _ in _COLUMNS], *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(_COLUMNS))]
    return "\n".join("  ".join(f"{v:{align}{w}}" for v, (_, align), w
                               in zip(r, _COLUMNS, widths, strict=True)).rstrip()
                     for r in table)


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    scaled = n / 1000
    for unit in ("kB", "MB"):
        if scaled < 1000:
            return f"{scaled:.1f} {unit}"
        scaled /= 1000
    return f"{scaled:.1f} GB"


def _time(stamp: str | None) -> str | None:
    return None if stamp is None else stamp.replace("T", " ").removesuffix("+00:00")
