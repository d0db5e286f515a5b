"""A deterministic, dependency-free embedding function: signed hashing of words and trigrams.

It needs no model and no network, so it is what the test-suite and offline users embed with. The
same text gives bit-identical vectors in every process and on every platform: features are hashed
with BLAKE2b (not Python's salted `hash`), counts are small multiples of 0.5 (exact in float64),
and the norm is taken with `math.fsum` (exactly rounded, unlike numpy's SIMD-order sums). Texts
that share words or character trigrams share features, so similar texts get similar vectors.
The one caveat: lower-casing and word splitting follow Python's Unicode database, so a character
assigned in a newer Unicode version may split differently on an older Python.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["HashingEmbeddingFunction"]

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.5
# Texts with no features (for example "") still get a unit vector, as a real model gives.
_EMPTY_FEATURE = "e:"
_HASH_PERSON = b"huedb-hashing-1"


@lru_cache(maxsize=65536)
def _feature_hash(feature: str) -> int:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8, person=_HASH_PERSON).digest()
    return int.from_bytes(digest, "little")


def _features(text: str) -> list[tuple[str, float]]:
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    features = [("w:" + word, _WORD_WEIGHT) for word in _WORD.findall(text)]
    padded = f" {text} "
    if text:
        features.extend(
            ("c:" + padded[i : i + 3], _TRIGRAM_WEIGHT) for i in range(len(padded) - 2)
        )
    return features or [(_EMPTY_FEATURE, 1.0)]


def _embed_text(text: str, dim: int) -> list[float]:
    vector = [0.0] * dim
    for feature, weight in _features(text):
        h = _feature_hash(feature)
        # The lowest bit picks the sign so colliding features cancel rather than pile up.
        sign = -1.0 if h & 1 else 1.0
        vector[(h >> 1) % dim] += sign * weight
    norm = math.sqrt(math.fsum(x * x for x in vector))
    if norm == 0.0:
        # Every feature cancelled out; fall back to a fixed unit vector instead of zeros.
        vector = [0.0] * dim
        vector[(_feature_hash(_EMPTY_FEATURE) >> 1) % dim] = 1.0
        return vector
    return [x / norm for x in vector]


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds text by hashing words and character trigrams into `dim` signed buckets.

    Vectors are L2-normalised float32, so cosine, l2 and ip all rank the same way. It knows no
    meaning, only shared spelling: "a red fox" is close to "the red foxes", far from "blue whale".

    Args:
        dim: the vector length, a positive integer (default 64).

    Example:
        >>> ef = HashingEmbeddingFunction(dim=8)
        >>> len(ef(["hello world"])[0])
        8
    """

    def __init__(self, dim: int = 64) -> None:
        self.validate_config({"dim": dim})
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        if isinstance(input, str):
            # A bare string would otherwise embed each character; Chroma callers pass lists.
            input = [input]
        for item in input:
            if not isinstance(item, str):
                raise ValueError(
                    f"HashingEmbeddingFunction embeds text only, got {type(item).__name__}"
                )
        rows = [_embed_text(text, self.dim) for text in input]
        return [np.array(row, dtype=np.float32) for row in rows]

    @staticmethod
    def name() -> str:
        return "huedb_hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddingFunction:
        HashingEmbeddingFunction.validate_config(config)
        return HashingEmbeddingFunction(dim=config.get("dim", 64))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        dim = config.get("dim", 64)
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if old_config.get("dim", 64) != new_config.get("dim", 64):
            raise ValueError(
                "The dim cannot be changed after the embedding function has been initialized."
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HashingEmbeddingFunction) and other.dim == self.dim

    def __hash__(self) -> int:
        return hash((HashingEmbeddingFunction, self.dim))

    def __repr__(self) -> str:
        return f"HashingEmbeddingFunction(dim={self.dim})"
