"""Discovery benchmarks: ``python bench/bench_discover.py [--quick]`` -> table + bench/out/bench_discover.json.

Quality: adjusted Rand index and NMI of discovered topics against the true themes (first listed theme;
answers with a theme only) on each sample wave and on the hand-written eval set, BERTopic defaults vs the
tuned pipeline, on the SAME e5 embeddings, in one run; and the tuned pipeline on the 10,000 generated comments
against the generator's themes.

Speed: ``discover_themes`` on 10,000 generated comments given their embeddings and cleaned frame (the timed
call is the whole discovery: lexical features, exact neighbours, UMAP, HDBSCAN, outlier reassignment, topic
words and examples), wall and process CPU seconds:

* warm: in this process, after ``warmup()`` has JIT-compiled UMAP's numba functions (what a service or a
  notebook sees from the second call on);
* cold: a fresh Python process that imports textmine.discover and runs the same call (imports + numba JIT +
  discovery: what one ``textmine discover`` command pays).

Memory: peak RSS of the cold child (discovery only, no e5 model loaded) and of this process, and the peak of
traced Python/numpy allocations during a separate warm call (tracemalloc slows Python code down, so that call
is not the timed one). The machine's 1-minute load average is recorded: on a shared 2-core VM wall time is
noisy, CPU time much less so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))
from common import peak_rss_mib  # noqa: E402  (bench/common.py)

from textmine.paths import DATA_DIR, EVAL_DIR, SAMPLE_DIR  # noqa: E402

NAME = "bench_discover"


def _row(case, metric, value, unit):
    return {"area": "discover", "case": case, "metric": metric, "value": round(float(value), 4), "unit": unit}


def labelled_sets() -> dict[str, pd.DataFrame]:
    sets = {f"sample {w}": pd.read_csv(SAMPLE_DIR / f"labels_{w}.csv", dtype=str, keep_default_na=False)
            for w in (2022, 2023)}
    sets["eval set"] = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)
    return sets


def generated_labelled(n: int, seed: int = 99) -> tuple[list[str], list[str]]:
    """``n`` generated comments and their true themes (``;``-separated, "" for none)."""
    sys.path.insert(0, str(DATA_DIR))
    from generate_sample import generate_wave  # the sample's own generator, other seed

    texts: list[str] = []
    themes: list[str] = []
    k = 0
    while len(texts) < n:
        lab = generate_wave((2022, 2023)[k % 2], n=6000, seed=seed + k)["labels"]
        texts += lab["text"].tolist()
        themes += lab["themes"].fillna("").astype(str).tolist()
        k += 1
    return texts[:n], themes[:n]


def generated_comments(n: int, seed: int = 99) -> list[str]:
    return generated_labelled(n, seed)[0]


def _first_theme(themes) -> np.ndarray:
    return np.array([str(t).split(";")[0] for t in themes])


def _clock():
    return time.perf_counter(), time.process_time()


def _cold_child(workdir: str) -> None:
    """Runs in a fresh interpreter: import + discover on the saved inputs; prints one JSON line."""
    w0, c0 = _clock()
    from textmine.discover import discover_themes

    d = Path(workdir)
    emb = np.load(d / "emb.npy")
    prep = pd.read_pickle(d / "prep.pkl")
    texts = json.loads((d / "texts.json").read_text(encoding="utf-8"))
    w_imp, c_imp = _clock()
    r = discover_themes(texts, embeddings=emb, prepared=prep, seed=42)
    w1, c1 = _clock()
    np.save(d / "assignments.npy", r.assignments)
    print(json.dumps({"wall_s": w1 - w0, "cpu_s": c1 - c0, "discover_wall_s": w1 - w_imp,
                      "discover_cpu_s": c1 - c_imp, "rss_mib": _peak_rss_mib(), "timings": r.timings}))


def _peak_rss_mib() -> float:
    return peak_rss_mib()


def _cold(texts, emb, prep) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-discover-") as tmp:
        d = Path(tmp)
        np.save(d / "emb.npy", np.asarray(emb, dtype=np.float32))
        prep.to_pickle(d / "prep.pkl")
        (d / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--cold-child", tmp], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res["assignments"] = np.load(d / "assignments.npy")
    return res


def run(quick: bool = False) -> list[dict]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from textmine.discover import discover_themes, prepare, warmup
    from textmine.embed import get_embedder

    rows: list[dict] = []
    emb = get_embedder("e5")
    w, c = _clock()
    warmup()
    warm_wall, warm_cpu = _clock()
    warm_wall, warm_cpu = warm_wall - w, warm_cpu - c
    sets = labelled_sets()
    if quick:
        sets = {"eval set": sets["eval set"]}
    for name, df in sets.items():
        texts = df["text"].tolist()
        prep = prepare(texts)
        e = emb.encode(prep["text_clean"].tolist())
        truth = _first_theme(df["themes"])
        m = truth != ""
        for label, kw in (("BERTopic defaults", {"method": "bertopic-defaults"}), ("tuned", {})):
            t = time.perf_counter()
            r = discover_themes(texts, embeddings=e, prepared=prep, seed=42, **kw)
            dt = time.perf_counter() - t
            a = r.assignments[m]
            rows.append(_row(f"{name}: {label}", "ARI", adjusted_rand_score(truth[m], a), ""))
            rows.append(_row(f"{name}: {label}", "NMI", normalized_mutual_info_score(truth[m], a), ""))
            rows.append(_row(f"{name}: {label}", "topics", len(r.topics), "n"))
            rows.append(_row(f"{name}: {label}", "unassigned answers", float(np.mean(a < 0)), "share"))
            rows.append(_row(f"{name}: {label}", "time", dt, "s"))
            print(rows[-5:], flush=True)

    n = 2000 if quick else 10_000
    case = f"{n} comments"
    texts, themes = generated_labelled(n)
    prep = prepare(texts)
    t = time.perf_counter()
    e = emb.encode(prep["text_clean"].tolist())
    rows.append(_row(case, "embedding time (e5, cached store)", time.perf_counter() - t, "s"))

    # warm: numba already compiled by warmup() above
    load = os.getloadavg()[0]
    w, c = _clock()
    r = discover_themes(texts, embeddings=e, prepared=prep, seed=42)
    w1, c1 = _clock()
    rows.append(_row(case, "discovery after embeddings, warm: wall", w1 - w, "s"))
    rows.append(_row(case, "discovery after embeddings, warm: CPU", c1 - c, "cpu-s"))
    for k in ("lexical_s", "knn_s", "umap_s", "hdbscan_s", "cluster_s", "describe_s"):
        if k in r.timings:
            rows.append(_row(case, f"  warm stage {k[:-2]}", r.timings[k], "s"))
    rows.append(_row(case, "load average (1 min) before the warm run", load, "load"))
    rows.append(_row(case, "warmup() once per process (numba JIT)", warm_wall, "s"))
    rows.append(_row(case, "warmup() CPU", warm_cpu, "cpu-s"))

    # cold: a fresh process (imports + JIT + discovery)
    cold = _cold(texts, e, prep)
    rows.append(_row(case, "discovery after embeddings, cold process: wall", cold["wall_s"], "s"))
    rows.append(_row(case, "discovery after embeddings, cold process: CPU", cold["cpu_s"], "cpu-s"))
    rows.append(_row(case, "  of which the discover_themes call (JIT incl.)", cold["discover_wall_s"], "s"))
    rows.append(_row(case, "peak RSS, cold process (discovery only)", cold["rss_mib"], "MiB"))

    # memory (separate call: tracemalloc slows Python code) + determinism
    tracemalloc.start()
    r2 = discover_themes(texts, embeddings=e, prepared=prep, seed=42)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(_row(case, "peak Python/numpy memory during discovery (tracemalloc)", peak / 2**20, "MiB"))
    rows.append(_row(case, "process peak RSS (bench process, incl. e5 model)", _peak_rss_mib(), "MiB"))
    same = np.array_equal(r.assignments, r2.assignments) and np.array_equal(r.assignments, cold["assignments"])
    rows.append(_row(case, "same topics on repeat and in a fresh process (seed 42)", int(same), "1=yes"))

    truth = _first_theme(themes)
    m = truth != ""
    a = r.assignments[m]
    rows.append(_row(f"{case}: tuned", "ARI vs generator themes", adjusted_rand_score(truth[m], a), ""))
    rows.append(_row(f"{case}: tuned", "NMI vs generator themes", normalized_mutual_info_score(truth[m], a), ""))
    rows.append(_row(case, "topics", len(r.topics), "n"))
    rows.append(_row(case, "outliers reassigned", r.n_outliers_reassigned, "n"))
    rows.append(_row(case, "unassigned answers", r.n_outliers, "n"))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cold-child":
        _cold_child(sys.argv[2])
        raise SystemExit(0)
    from common import cli

    raise SystemExit(cli("discover", run))
