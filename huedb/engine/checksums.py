"""Checksums of saved index files: a CRC-32 per block, so a sample can be checked at once.

Checking every byte of a large index costs more than opening it (about 0.2 s per 100k x 384
collection), so opening checks the size, the first and last blocks and an even sample between
them, and `check_all` verifies every block afterwards, off the query path.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BLOCK = 1 << 20
# Blocks checked when a file is opened, besides its first and last.
SAMPLE = 14


def describe(path: Path) -> dict[str, Any]:
    """Size, whole-file CRC-32 and per-block CRC-32s of a file."""
    crc, blocks, size = 0, [], 0
    for chunk in _blocks(path):
        crc = zlib.crc32(chunk, crc)
        blocks.append(zlib.crc32(chunk))
        size += len(chunk)
    return {"size": size, "crc32": crc, "blocks": blocks}


def check_sample(path: Path, described: dict[str, Any]) -> bool:
    """Check the size and a sample of blocks; True if every block was covered.

    Raises:
        ValueError: the file is missing, has another size, or a sampled block differs.
    """
    blocks: list[int] | None = described.get("blocks")
    if blocks is None:  # saved before per-block sums existed: check the whole file
        check_all(path, described)
        return True
    size = _size(path)
    if size != described["size"]:
        raise ValueError(f"{path.name} is {size} bytes, {described['size']} expected")
    if len(blocks) <= SAMPLE + 2:
        _check_blocks(path, blocks, range(len(blocks)))
        return True
    step = (len(blocks) - 1) / (SAMPLE + 1)
    chosen = sorted({0, len(blocks) - 1, *(round(step * i) for i in range(1, SAMPLE + 1))})
    _check_blocks(path, blocks, chosen)
    return False


def check_all(path: Path, described: dict[str, Any]) -> None:
    """Check every byte against the whole-file CRC-32 (and the size).

    Raises:
        ValueError: the file is missing, truncated or corrupt.
    """
    crc, size = 0, 0
    try:
        for chunk in _blocks(path):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    except FileNotFoundError as e:
        raise ValueError(f"{path.name} is missing") from e
    if size != described["size"] or crc != described["crc32"]:
        raise ValueError(f"{path.name} is truncated or corrupt")


def _blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(BLOCK):
            yield chunk


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError as e:
        raise ValueError(f"{path.name} is missing") from e


def _check_blocks(path: Path, blocks: list[int], chosen: Any) -> None:
    with open(path, "rb") as f:
        for i in chosen:
            f.seek(i * BLOCK)
            if zlib.crc32(f.read(BLOCK)) != blocks[i]:
                raise ValueError(f"{path.name} is corrupt (block {i})")
