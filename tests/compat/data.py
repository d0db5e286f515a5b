"""Shared seed records for the congruence scenarios (explicit embeddings, no ties in distance)."""

from __future__ import annotations

from typing import Any

from tests.compat.harness import Step, col, create

DELETE_COUNT = "§10.3: Chroma reports len(ids) for id-only deletes; huedb the number deleted"
# Prefix of the reasons for differences huedb keeps on purpose; strict xfail flags any change.
DELIBERATE = "deliberate: "
EMPTY_METADATA = ("record with a uri but no metadata: Chroma returns metadata {} (its internal "
                  "chroma:uri key is stripped, leaving an empty dict), huedb returns None")

# Inserted out of id order so storage order and id order differ.
IDS = ["e", "a", "c", "b", "d"]
EMBEDDINGS = [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0],
              [1.0, 1.0, 0.0]]
METADATAS: list[dict[str, Any] | None] = [
    {"i": 10, "f": 10.25, "s": "ten", "flt": [1.5, 2.5], "bools": [True]},
    {"i": 1, "f": 1.5, "s": "x", "b": True, "tags": ["p", "q"]},
    {"i": 3, "f": -0.5, "s": "1", "b": False, "nums": [1, 2, 3]},
    {"i": 2, "f": 2.0, "s": "y", "b": False, "tags": ["q"]},
    None,
]
DOCUMENTS = ["Quick FOX jumps", "The quick brown fox", "under_score and 100%", "lazy dog", None]
URIS = [None, "u://a", "u://c", None, None]
QUERY = [1.0, 0.2, 0.1]


def seed(target: str = "c", **kwargs: Any) -> Step:
    """Add the five standard records."""
    return col("add", target=target, ids=IDS, embeddings=EMBEDDINGS, metadatas=METADATAS,
               documents=DOCUMENTS, uris=URIS, **kwargs)


def seeded(**create_kwargs: Any) -> list[Step]:
    """Create the collection `c` and add the standard records."""
    return [create(**create_kwargs), seed()]
