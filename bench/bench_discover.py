"""Discovery benchmarks: ``python bench/bench_discover.py [--quick]`` -> table + bench/out/bench_discover.json.

Quality: adjusted Rand index and NMI of discovered topics against the true themes (first listed theme;
answers with a theme only) on each sample wave and on the hand-written eval set, BERTopic defaults vs the
tuned pipeline, on the SAME e5 embeddings, in one run. Speed: discovery on 10,000 generated comments after
embeddings (seconds, peak Python memory via tracemalloc, process peak RSS).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from textmine.paths import DATA_DIR, EVAL_DIR, SAMPLE_DIR  # noqa: E402

NAME = "bench_discover"


def _row(case, metric, value, unit):
    return {"area": "discover", "case": case, "metric": metric, "value": round(float(value), 4), "unit": unit}


def labelled_sets() -> dict[str, pd.DataFrame]:
    sets = {f"sample {w}": pd.read_csv(SAMPLE_DIR / f"labels_{w}.csv", dtype=str, keep_default_na=False)
            for w in (2022, 2023)}
    sets["eval set"] = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)
    return sets


def generated_comments(n: int, seed: int = 99) -> list[str]:
    sys.path.insert(0, str(DATA_DIR))
    from generate_sample import generate_wave  # the sample's own generator, other seed

    out: list[str] = []
    k = 0
    while len(out) < n:
        lab = generate_wave((2022, 2023)[k % 2], n=6000, seed=seed + k)["labels"]
        out += lab["text"].tolist()
        k += 1
    return out[:n]


def run(quick: bool = False) -> list[dict]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from textmine.discover import discover_themes, prepare, warmup
    from textmine.embed import get_embedder

    rows: list[dict] = []
    emb = get_embedder("e5")
    warmup()
    sets = labelled_sets()
    if quick:
        sets = {"eval set": sets["eval set"]}
    for name, df in sets.items():
        texts = df["text"].tolist()
        prep = prepare(texts)
        e = emb.encode(prep["text_clean"].tolist())
        truth = df["themes"].str.split(";").str[0].to_numpy()
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
    texts = generated_comments(n)
    prep = prepare(texts)
    t = time.perf_counter()
    e = emb.encode(prep["text_clean"].tolist())
    rows.append(_row(f"{n} comments", "embedding time (e5, cached store)", time.perf_counter() - t, "s"))
    tracemalloc.start()
    t = time.perf_counter()
    r = discover_themes(texts, embeddings=e, prepared=prep, seed=42)
    dt = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(_row(f"{n} comments", "discovery time after embeddings", dt, "s"))
    rows.append(_row(f"{n} comments", "peak Python memory (tracemalloc)", peak / 2**20, "MiB"))
    rows.append(_row(f"{n} comments", "process peak RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB"))
    rows.append(_row(f"{n} comments", "topics", len(r.topics), "n"))
    rows.append(_row(f"{n} comments", "outliers reassigned", r.n_outliers_reassigned, "n"))
    rows.append(_row(f"{n} comments", "unassigned answers", r.n_outliers, "n"))
    return rows



if __name__ == "__main__":
    from common import cli

    raise SystemExit(cli("discover", run))
