"""Where the reference chromadb 1.5.9 interpreter for differential tests lives.

`scripts/test` installs it into `.venv-chroma/`; `HUEDB_CHROMA_PYTHON` names another one.
Tests that need it skip with this reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
_CANDIDATES = [_REPO / ".venv-chroma" / "bin" / "python", Path("/work/.chromavenv/bin/python")]


def _find() -> Path:
    explicit = os.environ.get("HUEDB_CHROMA_PYTHON")
    if explicit:
        return Path(explicit)
    return next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])


CHROMA_PYTHON = _find()
MISSING_REASON = (f"reference chromadb interpreter not found at {CHROMA_PYTHON} "
                  "(run scripts/test, or set HUEDB_CHROMA_PYTHON)")
