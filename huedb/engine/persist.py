"""Saving a collection's index beside the database and loading it back, or refusing to.

Layout, per collection, under `<persist dir>/index/<collection pk>/`: data files named by a
unique tag (`<tag>.rids.npy`, `.vectors.npy`, `.stale.npy`, `.gone.npy`, `.graph.usearch`) and
`meta.json`, which names the current tag, the change seq the files reflect, each file's size
and CRC-32, when it was saved and when its graph was last rebuilt from scratch. Data files are
written and fsynced first, then meta.json is replaced by an atomic rename, then the previous
tag's files (and any a crashed save left behind) are deleted: a crash at any point leaves
either the old or the new complete set, and anything that fails a check is simply rebuilt from
SQLite.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb.engine import checksums
from huedb.engine.ann import AnnIndex
from huedb.engine.brute import BruteIndex
from huedb.engine.graph import Graph, GraphParams
from huedb.engine.index import RowIds
from huedb.types import Space

logger = logging.getLogger(__name__)

FORMAT = 1
META = "meta.json"
_KINDS = ("rids", "vectors", "stale", "gone")
_tags = count()
_SAVE_CHUNK = 8192
# Tags are `<seq>-<pid>-<n>`; the pid says whose save wrote a file (`meta.json.<tag>.tmp` too).
_TAG = re.compile(r"^(?:meta\.json\.)?-?\d+-(\d+)-\d+\.")


@dataclass(frozen=True)
class Unchecked:
    """A file of a loaded generation whose every byte is still to be checked."""

    directory: Path
    tag: str
    name: str
    described: dict[str, Any]

    def check(self) -> bool:
        """True if the file is intact, or is no longer current (a newer save replaced it)."""
        try:
            checksums.check_all(self.directory / self.name, self.described)
            return True
        except ValueError:
            try:
                current = read_meta(self.directory)
            except ValueError:
                return False
            return current is not None and current.get("tag") != self.tag


@dataclass
class Saved:
    """The current generation of a saved index, checked against meta.json and loaded."""

    meta: dict[str, Any]
    rids: RowIds
    vectors: NDArray[np.float32]
    stale: RowIds
    gone: RowIds
    graph: Graph | None


def collection_dir(root: Path, pk: int) -> Path:
    return root / "index" / str(pk)


def save(directory: Path, collection: UUID, index: AnnIndex) -> None:
    """Write the index's current state as a new generation and make it the current one."""
    seq, rids, graph, stale, gone = index.state()
    directory.mkdir(parents=True, exist_ok=True)
    tag = f"{seq}-{os.getpid()}-{next(_tags)}"
    files: dict[str, dict[str, Any]] = {}
    small = {"rids": rids, "stale": stale, "gone": gone}
    for kind in _KINDS:
        path = directory / f"{tag}.{kind}.npy"
        with open(path, "wb") as f:
            if kind == "vectors":
                _write_vectors(f, index, rids)
            else:
                np.save(f, small[kind])
        files[path.name] = _fsync_and_describe(path)
    if graph is not None:
        path = directory / f"{tag}.graph.usearch"
        graph.save(path)
        files[path.name] = _fsync_and_describe(path)
    meta = {"format": FORMAT, "collection": str(collection), "seq": seq, "tag": tag,
            "count": len(rids), "dimension": index.dimension, "space": index.space,
            "graph": None if graph is None else [graph.params.max_neighbors,
                                                  graph.params.ef_construction],
            # Counts and times for `huedb stats`, which reads only this file.
            "graph_rows": None if graph is None else len(graph), "stale_rows": len(stale),
            "gone_rows": len(gone), "saved_at": time.time(),
            "compacted_at": index.compacted_at,
            "files": files}
    previous = _read_meta(directory)
    tmp = directory / f"{META}.{tag}.tmp"
    tmp.write_text(json.dumps(meta))
    _fsync_and_describe(tmp)
    os.replace(tmp, directory / META)
    _fsync_dir(directory)
    if previous is not None and previous.get("tag") != tag:
        for name in previous.get("files", {}):
            (directory / name).unlink(missing_ok=True)
    for path in leftovers(directory, own_saves_done=True):
        path.unlink(missing_ok=True)


def _write_vectors(f: Any, index: AnnIndex, rids: RowIds) -> None:
    """An .npy file of the rows' vectors, written a chunk at a time (no copy of every row)."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
              "fortran_order": False, "shape": (len(rids), index.dimension)}
    np.lib.format.write_array_header_1_0(f, header)
    for start in range(0, len(rids), _SAVE_CHUNK):
        f.write(index.saved_vectors(rids[start:start + _SAVE_CHUNK]).tobytes())


def load(directory: Path, collection: UUID, space: Space, dimension: int,
         hnsw: dict[str, Any], unchecked: list[Unchecked] | None = None) -> AnnIndex | None:
    """The saved index with its seq set, or None (with a warning) if it is absent or unusable.

    With `unchecked`, large files are only sample-checked here and listed there, for
    `Unchecked.check` to verify in full off the query path (VectorCache does, on a thread).
    """
    try:
        saved = read(directory, unchecked)
        if saved is None:
            return None
        meta = saved.meta
        if meta.get("collection") != str(collection) or meta.get("space") != space \
                or meta.get("dimension") != dimension:
            raise ValueError("saved for another collection, space or dimension")
        index = AnnIndex(space, dimension, hnsw,
                         BruteIndex.from_arrays(space, saved.rids, saved.vectors),
                         saved.graph, saved.stale, saved.gone)
        index.seq = int(meta["seq"])
        index.compacted_at = meta.get("compacted_at")
        return index
    except Exception as e:  # any damage means "rebuild", never a failed query
        logger.warning("Ignoring the saved vector index in %s (%s); rebuilding from SQLite",
                       directory, e)
        return None


def discard(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def read(directory: Path, unchecked: list[Unchecked] | None = None) -> Saved | None:
    """The current generation, every file checked (or sampled: see `load`); None if none.

    Raises:
        ValueError: meta.json is unreadable, a file is missing, truncated or corrupt, or the
            arrays do not match their description.
    """
    meta = read_meta(directory)
    if meta is None:
        return None
    try:
        return _read(directory, meta, unchecked)
    except (KeyError, TypeError, OSError) as e:
        raise ValueError(f"unusable ({type(e).__name__}: {e})") from e


def read_meta(directory: Path) -> dict[str, Any] | None:
    """The current meta.json, unchecked; None if absent. Raises ValueError if unreadable."""
    try:
        meta = json.loads((directory / META).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise ValueError(f"unreadable {META}: {e}") from e
    if not isinstance(meta, dict):
        raise ValueError(f"{META} does not hold an object")
    return meta


def leftovers(directory: Path, own_saves_done: bool = False) -> list[Path]:
    """Files in an index directory that no generation needs and no running save is writing.

    Those are files meta.json does not name (a crashed or superseded save's data files and its
    `meta.json.<tag>.tmp`). Files another live process wrote may belong to its save in progress
    and are left alone; so are this process's own, unless `own_saves_done` (saves in one process
    are serialised, so the saver knows none of its own is running).
    """
    try:
        meta = read_meta(directory)
    except ValueError:
        return []  # which files are current is unknown: keep everything
    named = {META, *((meta or {}).get("files") or {})}
    found = []
    for path in sorted(directory.iterdir()):
        if path.name in named or not path.is_file():
            continue
        tagged = _TAG.match(path.name)
        if tagged is not None and _maybe_saving(int(tagged[1]), own_saves_done):
            continue
        found.append(path)
    return found


def _read(directory: Path, meta: dict[str, Any], unchecked: list[Unchecked] | None) -> Saved:
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
    for name, described in meta["files"].items():
        if unchecked is None:
            checksums.check_all(directory / name, described)
        elif not checksums.check_sample(directory / name, described):
            unchecked.append(Unchecked(directory, meta["tag"], name, described))
    tag, dimension = meta["tag"], int(meta["dimension"])
    rids = np.load(directory / f"{tag}.rids.npy")
    # Copy-on-write mapping: opening reads nothing; the first write copies what it touches.
    vectors = np.load(directory / f"{tag}.vectors.npy", mmap_mode="c")
    if rids.dtype != np.int64 or vectors.dtype != np.float32 or len(rids) != meta["count"] \
            or vectors.shape != (len(rids), dimension):
        raise ValueError("arrays do not match their description")
    stale = np.load(directory / f"{tag}.stale.npy")
    gone = np.load(directory / f"{tag}.gone.npy")
    graph = None
    if meta["graph"] is not None:
        neighbors, ef_construction = meta["graph"]
        params = GraphParams(meta["space"], dimension, int(neighbors), int(ef_construction))
        graph = Graph.open(params, directory / f"{tag}.graph.usearch", view=True)
    return Saved(meta, rids, vectors, stale, gone, graph)


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        return read_meta(directory)
    except ValueError as e:
        logger.warning("Ignoring %s in %s (%s); rebuilding from SQLite", META, directory, e)
        return None


def _maybe_saving(pid: int, own_saves_done: bool) -> bool:
    if pid == os.getpid():
        return not own_saves_done
    if os.name != "posix":
        return True  # no cheap liveness check: never touch another process's files
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, under another user
    return True


def _fsync_and_describe(path: Path) -> dict[str, Any]:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    return checksums.describe(path)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the rename is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
