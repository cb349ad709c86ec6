"""Seed sensitivity of discovery: ``python bench/bench_discover_stability.py [--quick]`` -> table +
bench/out/discover_stability.json.

For each sample wave and the eval set (all answers: the UMAP+HDBSCAN path) and each wave's first 300 and 260
rows (fewer than 300 real answers: the small-wave path, agglomerative on [e5, lexical]), discovery is run with
seeds 11..15 on the SAME e5 embeddings, for the previous defaults, the current ones and candidate levers. Per
variant:

* seed agreement: pairwise adjusted Rand index between the seeds' runs, on the answers both runs give a topic
  (``compare_runs``) and on all real answers with "no topic" as a group of its own; the lowest pair too;
* per-topic stability (mean best Jaccard) of the seed-11 run against the others, averaged over topics;
* quality: adjusted Rand index / NMI against the true themes (first listed theme, answers with a theme only;
  as in bench_discover), mean, worst and best seed; topics, outlier share; seconds per run.

Levers: UMAP+HDBSCAN path: more UMAP epochs, a 10-dimensional UMAP, a larger minimum topic size; both paths:
no lexical features (e5 only), and 20 power iterations for the lexical space's randomized SVD (patched here
only, to measure; ``textmine/embed/lexical.py`` uses 5). "previous defaults" re-creates the code before the
small-wave change (lexical SVD truncated to 200 components, silhouette free to pick a topic holding most answers)
by patching, so before and after come from one run.

``--big``: 10,000 generated comments (bench_discover's generator, its themes as truth), defaults vs the best
lever above (UMAP 10 dims), seeds 11 and 12 -> bench/out/discover_stability_10k.json.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from textmine.paths import EVAL_DIR, SAMPLE_DIR  # noqa: E402

NAME = "discover_stability"
SEEDS = (11, 12, 13, 14, 15)


def _row(case, metric, value, unit=""):
    return {"area": "discover stability", "case": case, "metric": metric, "value": round(float(value), 4),
            "unit": unit}


@contextmanager
def svd_iterations(n_iter: int | None):
    """Make the lexical space's randomized TruncatedSVD run ``n_iter`` power iterations (None: unchanged)."""
    import sklearn.decomposition as dec

    if n_iter is None:
        yield
        return
    base = dec.TruncatedSVD

    class MoreIterations(base):
        def fit_transform(self, X, y=None):
            self.n_iter = max(self.n_iter, n_iter)
            return super().fit_transform(X, y)

    dec.TruncatedSVD = MoreIterations
    try:
        yield
    finally:
        dec.TruncatedSVD = base


@contextmanager
def previous_small_wave(at_200: bool, no_cap: bool):
    """The small-wave path as it was: lexical SVD truncated to 200 components (``at_200``), no size cap on the
    chosen cut (``no_cap``)."""
    import functools

    import textmine.discover.clustering as cl
    import textmine.embed.lexical as lexical

    base_lex, base_small = lexical.LexicalEmbedder, cl.small_wave_labels

    class At200(base_lex):
        def _fit_matrix(self, texts, lemmas):
            self.n_components = min(self.n_components, 200)
            return super()._fit_matrix(texts, lemmas)

    if at_200:
        lexical.LexicalEmbedder = At200
    if no_cap:
        cl.small_wave_labels = functools.partial(base_small, max_cluster_frac=None)
    try:
        yield
    finally:
        lexical.LexicalEmbedder, cl.small_wave_labels = base_lex, base_small


UMAP_ONLY = ("UMAP n_epochs 1000", "UMAP 10 dims", "min topic 2.5 %")  # no effect on the small-wave path
SMALL_ONLY = ("defaults without the size cap",)  # no effect on the UMAP+HDBSCAN path


def variants() -> dict[str, dict]:
    from textmine.discover import ClusterParams

    return {
        "previous defaults": {"_at_200": True, "_no_cap": True},
        "defaults": {},
        "defaults without the size cap": {"_no_cap": True},
        "UMAP n_epochs 1000": {"params": ClusterParams(n_epochs=1000)},
        "UMAP 10 dims": {"params": ClusterParams(n_components=10)},
        "min topic 2.5 %": {"params": ClusterParams(min_cluster_frac=0.025)},
        "e5 only (no lexical)": {"lexical_weight": 0.0},
        "lexical SVD 20 iterations": {"_svd_iter": 20},
    }


def datasets(emb, quick: bool) -> dict[str, tuple]:
    """name -> (texts, prepared, embeddings, first true theme per row)."""
    from textmine.discover import prepare

    out = {}
    for wave in (2022,) if quick else (2022, 2023):
        df = pd.read_csv(SAMPLE_DIR / f"labels_{wave}.csv", dtype=str, keep_default_na=False)
        texts = df["text"].tolist()
        prep = prepare(texts)
        e = emb.encode(prep["text_clean"].tolist())
        truth = np.array([str(t).split(";")[0] for t in df["themes"]])
        out[f"sample {wave} (all {len(df)})"] = (texts, prep, e, truth)
        for n in (300, 260):
            out[f"sample {wave} (first {n})"] = (texts[:n], prep.iloc[:n].reset_index(drop=True), e[:n], truth[:n])
    if not quick:
        df = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)
        texts = df["text"].tolist()
        prep = prepare(texts)
        truth = np.array([str(t).split(";")[0] for t in df["themes"]])
        out[f"eval set (all {len(df)})"] = (texts, prep, emb.encode(prep["text_clean"].tolist()), truth)
    return out


def _ari_all(a, b, valid):
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a[valid], b[valid])


def measure(texts, prep, e, truth, kw: dict, seeds=SEEDS) -> dict:
    """Runs per seed on the same embeddings -> seed agreement, stability, quality, time."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from textmine.discover import compare_runs, discover_themes

    kw = dict(kw)
    n_iter, at_200, no_cap = kw.pop("_svd_iter", None), kw.pop("_at_200", False), kw.pop("_no_cap", False)
    runs, secs = [], []
    with svd_iterations(n_iter), previous_small_wave(at_200, no_cap):
        for s in seeds:
            t = time.perf_counter()
            runs.append(discover_themes(texts, embeddings=e, prepared=prep, seed=s, **kw))
            secs.append(time.perf_counter() - t)
    valid = runs[0]._valid()
    st = compare_runs([r.assignments for r in runs], list(seeds), mask=valid)
    all_pairs = [_ari_all(runs[i].assignments, runs[j].assignments, valid)
                 for i, j in combinations(range(len(runs)), 2)]
    m = truth != ""
    truth_ari = [adjusted_rand_score(truth[m], r.assignments[m]) for r in runs]
    return {
        "method": runs[0].method,
        "seed ARI (both assigned), mean": st.mean_ari,
        "seed ARI (both assigned), min": min(p["ari"] for p in st.pairwise),
        "seed ARI (all answers), mean": float(np.mean(all_pairs)),
        "seed ARI (all answers), min": float(np.min(all_pairs)),
        "seed NMI, mean": st.mean_nmi,
        "topic stability (seed 11 run), mean": float(np.mean(list(st.topic_stability.values()) or [1.0])),
        "topics with stability < 0.5 (seed 11 run)": len(st.unstable()),
        "ARI vs true themes, mean over seeds": float(np.mean(truth_ari)),
        "ARI vs true themes, worst seed": float(np.min(truth_ari)),
        "ARI vs true themes, best seed": float(np.max(truth_ari)),
        "NMI vs true themes, mean over seeds": float(np.mean([normalized_mutual_info_score(truth[m], r.assignments[m])
                                                              for r in runs])),
        "topics, mean": float(np.mean([len(r.topics) for r in runs])),
        "outlier share, mean": float(np.mean(st.outlier_share)),
        "seconds per run": float(np.mean(secs)),
    }


UNITS = {"topics, mean": "n", "outlier share, mean": "share", "seconds per run": "s",
         "topics with stability < 0.5 (seed 11 run)": "n"}


def run(quick: bool = False) -> list[dict]:
    from textmine.discover import discover_themes, warmup
    from textmine.embed import get_embedder

    warmup()
    emb = get_embedder("e5")
    sets = datasets(emb, quick)
    chosen = variants()
    if quick:
        chosen = {k: chosen[k] for k in ("previous defaults", "defaults")}
    rows = []
    for name, (texts, prep, e, truth) in sets.items():
        for label, kw in chosen.items():
            if (label in UMAP_ONLY and "(first " in name) or (label in SMALL_ONLY and "(first " not in name):
                continue
            res = measure(texts, prep, e, truth, kw)
            case = f"{name}: {label} [{res.pop('method')}]"
            rows += [_row(case, k, v, UNITS.get(k, "")) for k, v in res.items()]
            print(case, {k: round(v, 3) for k, v in res.items()}, flush=True)
    # cost of --stability: one call with 4 extra seeds vs one without, on the largest set
    name, (texts, prep, e, _) = next(iter(sets.items()))
    t = time.perf_counter()
    discover_themes(texts, embeddings=e, prepared=prep, seed=11)
    t1 = time.perf_counter()
    r = discover_themes(texts, embeddings=e, prepared=prep, seed=11, stability=4)
    t2 = time.perf_counter()
    rows.append(_row(f"{name}: cost", "discovery without --stability", t1 - t, "s"))
    rows.append(_row(f"{name}: cost", "discovery with stability=4", t2 - t1, "s"))
    rows.append(_row(f"{name}: cost", "stability stage (4 extra seeds)", r.timings["stability_s"], "s"))
    return rows


def run_big(quick: bool = False) -> list[dict]:
    """10,000 generated comments: seed agreement, quality and time for the defaults and a 10-dim UMAP."""
    from sklearn.metrics import adjusted_rand_score

    from bench_discover import generated_labelled
    from textmine.discover import ClusterParams, discover_themes, prepare, warmup
    from textmine.embed import get_embedder

    warmup()
    texts, themes = generated_labelled(2000 if quick else 10_000)
    prep = prepare(texts)
    e = get_embedder("e5").encode(prep["text_clean"].tolist())
    truth = np.array([str(t).split(";")[0] for t in themes])
    m = truth != ""
    rows = []
    for label, params in (("defaults", ClusterParams()), ("UMAP 10 dims", ClusterParams(n_components=10))):
        case = f"{len(texts)} generated: {label}"
        runs = []
        for s in SEEDS[:2]:
            t = time.perf_counter()
            r = discover_themes(texts, embeddings=e, prepared=prep, seed=s, params=params)
            rows.append(_row(case, f"seconds (seed {s})", time.perf_counter() - t, "s"))
            rows.append(_row(case, f"ARI vs generator themes (seed {s})", adjusted_rand_score(truth[m], r.assignments[m])))
            rows.append(_row(case, f"topics (seed {s})", len(r.topics), "n"))
            runs.append(r.assignments)
        valid = r._valid()
        rows.append(_row(case, f"seed ARI {SEEDS[0]}-{SEEDS[1]} (all answers)", _ari_all(runs[0], runs[1], valid)))
    return rows


if __name__ == "__main__":
    from common import cli

    big = "--big" in sys.argv[1:]
    raise SystemExit(cli(NAME + "_10k" if big else NAME, run_big if big else run))
