"""The command line: every command has help and is documented; operator commands work end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import huedb
from huedb.cli.main import _parser, main

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> dict[str, str]:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    return {c.dest: c.help or "" for c in sub._choices_actions}  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = README.read_text()
    for name, text in _commands().items():
        assert text.strip(), f"{name} has no help"
        assert re.search(rf"huedb {re.escape(name)}\b", readme), f"{name} missing from README"


def test_operator_commands_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, bak, restored = tmp_path / "db", tmp_path / "bak", tmp_path / "r"
    dump = tmp_path / "d.jsonl"
    col = huedb.PersistentClient(db).create_collection("cli", embedding_function=None)
    col.add(ids=["a", "b"], embeddings=[[1.0, 2.0], [3.0, 4.0]], documents=["x", "y"])
    huedb.ClientAPI.clear_system_cache()
    assert main(["backup", str(db), str(bak)]) == 0
    assert main(["restore", str(bak), str(restored)]) == 0
    assert main(["verify", str(restored)]) == 0
    assert main(["export", str(db), str(dump)]) == 0
    assert main(["import", str(dump), str(tmp_path / "copy")]) == 0
    assert main(["vacuum", str(db)]) == 0
    capsys.readouterr()
    assert main(["stats", str(tmp_path / "copy"), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["name"], entry["count"], entry["dimension"]) == ("cli", 2, 2)


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("huedb verify: No huedb database at") and "Traceback" not in err
