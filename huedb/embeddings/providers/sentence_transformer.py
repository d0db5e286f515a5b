"""Local sentence-transformers models (the optional `sentence-transformers` extra), as Chroma's."""

from __future__ import annotations

import importlib
import threading
from typing import Any, ClassVar

import numpy as np

from huedb.embeddings.providers._base import ConfiguredFunction
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["SentenceTransformerEmbeddingFunction"]


@register_embedding_function
class SentenceTransformerEmbeddingFunction(ConfiguredFunction):
    """Embeds with a sentence-transformers model on this machine; models are shared per process.

    Args:
        model_name: a Hub id (downloaded into the Hugging Face cache) or a local folder.
        device: "cpu", "cuda", ...
        normalize_embeddings: L2-normalise the vectors.
        **kwargs: JSON-like keyword arguments for `SentenceTransformer(...)`; persisted.

    Raises:
        ImportError: naming the extra when sentence-transformers is not installed.
        ValueError: when a keyword argument is not a primitive value.
    """

    config_fields = ("model_name", "device", "normalize_embeddings", "kwargs")
    fixed_config = ()  # as in Chroma: a local model's path may move
    models: ClassVar[dict[str, Any]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        model_name: str = "all-MiniLM-L6-v2",
        device: str = "cpu",
        normalize_embeddings: bool = False,
        **kwargs: Any,
    ) -> None:
        for key, value in kwargs.items():
            if not isinstance(value, (str, int, float, bool, list, dict, tuple)):
                raise ValueError(f"Keyword argument {key} is not a primitive type")
        self.model_name = model_name
        self.device = device
        self.normalize_embeddings = normalize_embeddings
        self.kwargs = kwargs
        try:
            module = importlib.import_module("sentence_transformers")
        except ImportError as e:
            raise ImportError(
                "The sentence_transformer embedding function needs the sentence-transformers "
                "package; install it with `pip install 'huedb[sentence-transformers]'`"
            ) from e
        with self._lock:
            if model_name not in self.models:
                self.models[model_name] = module.SentenceTransformer(
                    model_name_or_path=model_name, device=device, **kwargs
                )
            self._model = self.models[model_name]

    def __call__(self, input: Documents) -> Embeddings:
        texts = [input] if isinstance(input, str) else list(input)
        vectors = self._model.encode(
            texts, convert_to_numpy=True, normalize_embeddings=self.normalize_embeddings
        )
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "sentence_transformer"

    @classmethod
    def build_from_config(cls, config: dict[str, Any]) -> SentenceTransformerEmbeddingFunction:
        args = cls._init_args(config)
        args["normalize_embeddings"] = bool(args["normalize_embeddings"])
        kwargs = args.pop("kwargs") or {}
        return cls(**args, **kwargs)
