"""Operator tools on a database directory: backup, restore, verify, vacuum, export, stats."""

from huedb.ops.backup import backup, restore
from huedb.ops.chroma_import import import_chroma
from huedb.ops.parquet import export_parquet, import_parquet
from huedb.ops.transfer import export_jsonl, import_jsonl
from huedb.ops.verify import Report, stats, vacuum, verify

__all__ = ["Report", "backup", "export_jsonl", "export_parquet", "import_chroma",
           "import_jsonl", "import_parquet", "restore", "stats", "vacuum", "verify"]
