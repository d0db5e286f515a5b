"""A numpy forward pass of a BERT encoder: the default model's fallback without onnxruntime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Encoder", "numpy_encoder"]

# (input_ids, attention_mask) -> last_hidden_state, shape (batch, length, hidden), float32.
Encoder = Callable[[NDArray[np.int64], NDArray[np.int64]], NDArray[np.float32]]


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
    for c in (
        1.48851587,
        -1.13520398,
        0.27886807,
        -0.18628806,
        0.09678418,
        0.37409196,
        1.00002368,
        -1.26551223,
    ):
        poly = c + t * poly
    erfc = t * np.exp(-z * z + poly)
    return np.asarray(np.where(x >= 0, 1.0 - erfc, erfc - 1.0), dtype=np.float32)


def numpy_encoder(weights: dict[str, NDArray[Any]]) -> Encoder:
    """A function running the encoder whose safetensors `weights` are given, in float32."""
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
