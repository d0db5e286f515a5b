"""Every server setting has an environment variable, it works, and the README's table lists it.

A container is configured by its environment, so a setting without a variable (or a variable
the README does not name) is one an operator cannot use. Adding a ServerConfig field without a
sample below, or without a README row, fails here.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import pytest

from huedb.server import ServerConfig, load_config
from huedb.server.config import SERVER_SETTINGS, environment_variable

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_HEADING = "### Server settings (environment variables)"

# field -> (variable's value, the setting it must produce)
SAMPLES: dict[str, tuple[str, Any]] = {
    "port": ("8123", 8123),
    "listen_address": ("0.0.0.0", "0.0.0.0"),
    "persist_path": ("/srv/huedb", "/srv/huedb"),
    "allow_reset": ("true", True),
    "max_payload_size_bytes": ("1234", 1234),
    "cors_allow_origins": ("http://a.example,http://b.example",
                           ["http://a.example", "http://b.example"]),
    "workers": ("3", 3),
    "access_log": ("json", "json"),
    "sqlite_synchronous": ("NORMAL", "NORMAL"),
    "busy_timeout_seconds": ("7.5", 7.5),
    "chroma_server_authn_provider": ("token", "token"),
    "chroma_server_authn_credentials": ("tok", "tok"),
    "chroma_server_authn_credentials_file": ("/run/secrets/token", "/run/secrets/token"),
    "chroma_auth_token_transport_header": ("X-Chroma-Token", "X-Chroma-Token"),
    "chroma_server_cors_allow_origins": ('["http://c.example"]', ["http://c.example"]),
}


def server_settings() -> list[str]:
    """ServerConfig's fields (but the `settings` bag) and the Settings fields the server reads."""
    own = [f.name for f in dataclasses.fields(ServerConfig) if f.name != "settings"]
    return own + list(SERVER_SETTINGS)


def readme_variables() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert TABLE_HEADING in text, f"README has no {TABLE_HEADING!r} section"
    section = text.split(TABLE_HEADING, 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([A-Z0-9_]+)`", row)[1] for row in rows]  # type: ignore[index]


def test_every_setting_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(server_settings())


@pytest.mark.parametrize("name", server_settings())
def test_setting_comes_from_its_variable(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith(("CHROMA_", "HUEDB_")):
            monkeypatch.delenv(key)
    value, expected = SAMPLES[name]
    monkeypatch.setenv(environment_variable(name), value)
    config = load_config(None)  # no config file: the variables apply all the same
    if name in SERVER_SETTINGS:
        assert getattr(config.to_settings(), name) == expected
    else:
        assert getattr(config, name) == expected


def test_readme_table_lists_every_variable() -> None:
    documented = readme_variables()
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    expected = {environment_variable(name) for name in server_settings()}
    assert sorted(set(documented) - expected) == [], "README lists variables nothing reads"
    assert sorted(expected - set(documented)) == [], "README's table misses these variables"


def test_dockerfile_names_every_variable() -> None:
    dockerfile = (README.parent / "Dockerfile").read_text(encoding="utf-8")
    missing = [environment_variable(name) for name in server_settings()
               if environment_variable(name) not in dockerfile]
    assert missing == [], "the Dockerfile's header comment should document these"
