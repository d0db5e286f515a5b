"""`huedb run` that cannot start says why in one line on stderr and exits non-zero.

Permissions do not stop root, and the tests may run as root. Then the server runs as root
without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (dropped from its capability bounding set
before exec), so file modes bind it as they bind the unprivileged user of the image. (Switching
to another user instead would not do: the interpreter may live under /root.)
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.conftest import REPO, free_port

pytestmark = pytest.mark.multiprocess

_PR_CAPBSET_DROP = 24
_DAC_CAPABILITIES = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _drop_dac_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _DAC_CAPABILITIES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _as_unprivileged() -> Callable[[], None] | None:
    return _drop_dac_capabilities if os.geteuid() == 0 else None


def run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CHROMA_")}
    return subprocess.run(
        [sys.executable, "-m", "huedb", "run", "--path", str(path), "--host", "127.0.0.1",
         "--port", str(free_port()), "--log-level", "warning", *args],
        cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        timeout=60, preexec_fn=_as_unprivileged())


def assert_one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("huedb run: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]


def make_read_only(directory: Path) -> None:
    """chmod 555, or skip when the server would still be able to write there."""
    directory.chmod(0o555)
    probe = subprocess.run([sys.executable, "-c", f"open({str(directory / 'x')!r}, 'w')"],
                           capture_output=True, preexec_fn=_as_unprivileged(), timeout=60)
    if probe.returncode == 0:
        directory.chmod(0o755)
        pytest.skip("file modes do not bind the server process (root whose CAP_DAC_OVERRIDE "
                    "cannot be dropped)")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """An empty directory the server may read but not write."""
    directory = tmp_path / "read-only"
    directory.mkdir()
    make_read_only(directory)
    yield directory
    directory.chmod(0o755)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_read_only_data_directory(read_only: Path, workers: str) -> None:
    done = run(read_only, "--workers", workers)
    assert_one_line_error(done, "cannot write to the database directory", str(read_only),
                          "Permission denied")


def test_read_only_directory_holding_a_database(tmp_path: Path) -> None:
    import huedb

    data = tmp_path / "data"
    with huedb.PersistentClient(data) as client:
        client.create_collection("kept", embedding_function=None)
    make_read_only(data)
    try:
        assert_one_line_error(run(data), "cannot write to the database directory",
                              "Permission denied")
    finally:
        data.chmod(0o755)


def test_missing_directory_whose_parent_cannot_be_created(read_only: Path) -> None:
    path = read_only / "missing" / "data"
    assert_one_line_error(run(path), "cannot create the database directory", str(path),
                          "Permission denied")


def test_path_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "data"
    file.write_text("not a database directory")
    assert_one_line_error(run(file), f"the database path {file} is a file")
    assert_one_line_error(run(file / "below"), "cannot create the database directory",
                          "Not a directory")


def test_unreadable_database_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "huedb.sqlite3").write_bytes(b"this is not an SQLite database" * 100)
    assert_one_line_error(run(data), "Cannot open the database", "not a database")


def test_unsupported_auth_provider(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "huedb", "run", "--path", str(tmp_path), "--host", "127.0.0.1",
         "--port", str(free_port())],
        cwd=REPO, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO),
             "CHROMA_SERVER_AUTHN_PROVIDER": "chromadb.auth.basic_authn.BasicAuth"})
    assert_one_line_error(done, "Unsupported authentication provider")


def test_bad_setting_in_the_environment(tmp_path: Path) -> None:
    # What Kubernetes' service links would inject for a Service named "chroma".
    done = subprocess.run(
        [sys.executable, "-m", "huedb", "run", "--path", str(tmp_path), "--host", "127.0.0.1"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), "CHROMA_PORT": "tcp://10.0.0.1:8000"})
    assert_one_line_error(done, "port must be a whole number", "tcp://10.0.0.1:8000")
