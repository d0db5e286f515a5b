"""Builds an fp32 ONNX graph of a BERT encoder (all-MiniLM-L6-v2) from its safetensors weights.

No torch: the graph is written with `onnx.helper` in opset 17 from standard operators, in the
shape Chroma's exported `model.onnx` has (inputs `input_ids`, `attention_mask`, `token_type_ids`,
int64; output 0 `last_hidden_state`, float32). onnxruntime fuses it into the same kernels it uses
for a torch export, and the vectors come out bit-identical to one. Two details matter: the
embeddings are added in BertEmbeddings order (word + token type, then position), and the position
rows are a `Slice` of the table, not `Range -> Gather` (onnxruntime 1.32's Gather-to-Slice fusion
fails on that at run time).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["build_onnx_model", "read_safetensors"]

_OPSET = 17
_HEADS = 12
_LN_EPS = 1e-12


def read_safetensors(path: Path) -> dict[str, NDArray[Any]]:
    """The tensors of a safetensors file (F32 and I64 only), copied out of a memory map."""
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


class _Graph:
    """Accumulates nodes and initialisers with generated, unique tensor names."""

    def __init__(self, onnx: Any) -> None:
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def const(self, name: str, value: NDArray[Any]) -> str:
        array = np.ascontiguousarray(value)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def dense(self, x: str, weights: dict[str, NDArray[Any]], prefix: str) -> str:
        # Store W transposed so the graph is MatMul(x, W^T) + b, what onnxruntime fuses best.
        w = self.const(prefix + ".weight_t", weights[prefix + ".weight"].T.astype(np.float32))
        b = self.const(prefix + ".bias", weights[prefix + ".bias"].astype(np.float32))
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: dict[str, NDArray[Any]], prefix: str) -> str:
        scale = self.const(prefix + ".weight", weights[prefix + ".weight"].astype(np.float32))
        bias = self.const(prefix + ".bias", weights[prefix + ".bias"].astype(np.float32))
        return self.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=_LN_EPS)


def _layer(g: _Graph, x: str, mask_bias: str, weights: dict[str, NDArray[Any]], i: int) -> str:
    p = f"encoder.layer.{i}."
    hidden = weights[p + "attention.self.query.weight"].shape[0]
    head_dim = hidden // _HEADS
    split_shape = g.const(p + "split_shape", np.array([0, 0, _HEADS, head_dim], dtype=np.int64))
    merge_shape = g.const(p + "merge_shape", np.array([0, 0, hidden], dtype=np.int64))

    def heads(name: str, perm: list[int]) -> str:
        projected = g.dense(x, weights, p + "attention.self." + name)
        return g.op("Transpose", g.op("Reshape", projected, split_shape), perm=perm)

    q = heads("query", [0, 2, 1, 3])
    k_t = heads("key", [0, 2, 3, 1])
    v = heads("value", [0, 2, 1, 3])
    scale = g.const(p + "scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))
    scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k_t), scale), mask_bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge_shape)
    attended = g.dense(context, weights, p + "attention.output.dense")
    x = g.layer_norm(g.op("Add", attended, x), weights, p + "attention.output.LayerNorm")
    inner = g.dense(x, weights, p + "intermediate.dense")
    # Exact GELU, as BERT uses: x * 0.5 * (1 + erf(x / sqrt(2))).
    sqrt2 = g.const(p + "sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    one = g.const(p + "one", np.array(1.0, dtype=np.float32))
    half = g.const(p + "half", np.array(0.5, dtype=np.float32))
    erf = g.op("Erf", g.op("Div", inner, sqrt2))
    gelu = g.op("Mul", g.op("Mul", inner, half), g.op("Add", erf, one))
    out = g.dense(gelu, weights, p + "output.dense")
    return g.layer_norm(g.op("Add", out, x), weights, p + "output.LayerNorm")


def build_onnx_model(weights: dict[str, NDArray[Any]]) -> bytes:
    """Serialise an fp32 ONNX model of the BERT encoder whose weights are given.

    Raises:
        ImportError: when the `onnx` package is not installed.
    """
    onnx = importlib.import_module("onnx")
    g = _Graph(onnx)
    word, token_type, position = (
        g.const(f"{kind}_embeddings", weights[f"embeddings.{kind}_embeddings.weight"])
        for kind in ("word", "token_type", "position")
    )
    zero = g.const("zero", np.array([0], dtype=np.int64))
    length = g.op("Shape", "input_ids", start=1, end=2)
    positions = g.op("Slice", position, zero, length, zero)
    words = g.op("Gather", word, "input_ids")
    types = g.op("Gather", token_type, "token_type_ids")
    embedded = g.op("Add", g.op("Add", words, types), positions)
    x = g.layer_norm(embedded, weights, "embeddings.LayerNorm")
    one = g.const("mask_one", np.array(1.0, dtype=np.float32))
    lowest = g.const("mask_lowest", np.array(np.finfo(np.float32).min, dtype=np.float32))
    axes = g.const("mask_axes", np.array([1, 2], dtype=np.int64))
    mask = g.op("Cast", "attention_mask", to=onnx.TensorProto.FLOAT)
    mask_bias = g.op("Unsqueeze", g.op("Mul", g.op("Sub", one, mask), lowest), axes)
    n_layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))
    for i in range(n_layers):
        x = _layer(g, x, mask_bias, weights, i)
    g.nodes.append(g.helper.make_node("Identity", [x], ["last_hidden_state"]))
    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    int_input = onnx.TensorProto.INT64
    inputs = [
        g.helper.make_tensor_value_info(name, int_input, ["batch", "sequence"])
        for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    output = g.helper.make_tensor_value_info(
        "last_hidden_state", onnx.TensorProto.FLOAT, ["batch", "sequence", hidden]
    )
    graph = g.helper.make_graph(g.nodes, "all-MiniLM-L6-v2", inputs, [output], g.initializers)
    model = g.helper.make_model(
        graph, opset_imports=[g.helper.make_opsetid("", _OPSET)], producer_name="huedb"
    )
    model.ir_version = 8
    return bytes(model.SerializeToString())
