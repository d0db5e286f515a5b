"""A bag-of-words embedding over a fixed vocabulary, so every expected distance is exact.

Each vocabulary word is one axis and a text's vector counts its vocabulary words; other words
are ignored. Counts are small integers, so Chroma's l2 (squared), cosine and ip distances come
out exact and the tests can state them by hand, unlike with a model or a hashing embedding.
"""

from __future__ import annotations

import re

VOCAB = ("cat", "dog", "fish", "bird", "tree", "rock")
_WORD = re.compile(r"[a-z]+")


def embed(text: str) -> list[float]:
    vector = [0.0] * len(VOCAB)
    for word in _WORD.findall(text.lower()):
        if word in VOCAB:
            vector[VOCAB.index(word)] += 1.0
    return vector
