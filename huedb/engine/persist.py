"""Saving a collection's index beside the database and loading it back, or refusing to.

Layout, per collection, under `<persist dir>/index/<collection pk>/`: data files named by a
unique tag (`<tag>.rids.npy`, `.vectors.npy`, `.stale.npy`, `.gone.npy`, `.graph.usearch`) and
`meta.json`, which names the current tag, the change seq the files reflect, and each file's
size and CRC-32. Data files are written and fsynced first, then meta.json is replaced by an
atomic rename, then the previous tag's files are deleted: a crash at any point leaves either
the old or the new complete set, and anything that fails a check is simply rebuilt from SQLite.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import zlib
from itertools import count
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np

from huedb.engine.ann import AnnIndex
from huedb.engine.brute import BruteIndex
from huedb.engine.graph import Graph, GraphParams
from huedb.types import Space

logger = logging.getLogger(__name__)

FORMAT = 1
META = "meta.json"
_KINDS = ("rids", "vectors", "stale", "gone")
_tags = count()


def collection_dir(root: Path, pk: int) -> Path:
    return root / "index" / str(pk)


def save(directory: Path, collection: UUID, index: AnnIndex) -> None:
    """Write the index's current state as a new generation and make it the current one."""
    seq, rids, vectors, graph, stale, gone = index.state()
    directory.mkdir(parents=True, exist_ok=True)
    tag = f"{seq}-{os.getpid()}-{next(_tags)}"
    files: dict[str, dict[str, int]] = {}
    arrays: tuple[np.ndarray[Any, Any], ...] = (rids, vectors, stale, gone)
    for kind, array in zip(_KINDS, arrays, strict=True):
        path = directory / f"{tag}.{kind}.npy"
        with open(path, "wb") as f:
            np.save(f, array)
        files[path.name] = _fsync_and_describe(path)
    if graph is not None:
        path = directory / f"{tag}.graph.usearch"
        graph.save(path)
        files[path.name] = _fsync_and_describe(path)
    meta = {"format": FORMAT, "collection": str(collection), "seq": seq, "tag": tag,
            "count": len(rids), "dimension": index.dimension, "space": index.space,
            "graph": None if graph is None else [graph.params.max_neighbors,
                                                  graph.params.ef_construction],
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


def load(directory: Path, collection: UUID, space: Space, dimension: int,
         hnsw: dict[str, Any]) -> AnnIndex | None:
    """The saved index with its seq set, or None (with a warning) if it is absent or unusable."""
    meta = _read_meta(directory)
    if meta is None:
        return None
    try:
        return _load(directory, meta, collection, space, dimension, hnsw)
    except Exception as e:  # any damage means "rebuild", never a failed query
        logger.warning("Ignoring the saved vector index in %s (%s); rebuilding from SQLite",
                       directory, e)
        return None


def discard(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _load(directory: Path, meta: dict[str, Any], collection: UUID, space: Space,
          dimension: int, hnsw: dict[str, Any]) -> AnnIndex:
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
    if meta.get("collection") != str(collection) or meta.get("space") != space \
            or meta.get("dimension") != dimension:
        raise ValueError("saved for another collection, space or dimension")
    for name, described in meta["files"].items():
        if _describe(directory / name) != described:
            raise ValueError(f"{name} is missing, truncated or corrupt")
    tag = meta["tag"]
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
        params = GraphParams(space, dimension, int(neighbors), int(ef_construction))
        graph = Graph.open(params, directory / f"{tag}.graph.usearch", view=True)
    index = AnnIndex(space, dimension, hnsw, BruteIndex.from_arrays(space, rids, vectors),
                     graph, stale, gone)
    index.seq = int(meta["seq"])
    return index


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        meta: dict[str, Any] = json.loads((directory / META).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        logger.warning("Unreadable %s in %s (%s); rebuilding from SQLite", META, directory, e)
        return None
    return meta if isinstance(meta, dict) else None


def _describe(path: Path) -> dict[str, int]:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
        size = f.tell()
    return {"size": size, "crc32": crc}


def _fsync_and_describe(path: Path) -> dict[str, int]:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    return _describe(path)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the rename is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
