"""Clustering back-ends for discovery: the tuned BERTopic stage (UMAP + HDBSCAN), the BERTopic-defaults
baseline, a small-wave fallback, and helpers.

All functions are pure (arrays in, arrays out) and deterministic for a fixed seed: UMAP gets
``random_state`` (which makes it single-threaded) and exact neighbours computed here (``exact_knn``) instead
of its approximate, parallel NN-descent; HDBSCAN is deterministic, agglomerative clustering too.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from textmine.embed.base import l2_normalize


@dataclass(frozen=True)
class ClusterParams:
    """Tuned defaults (see bench/bench_discover.py for the comparison against BERTopic defaults)."""

    n_neighbors: int = 30
    n_components: int = 5
    min_dist: float = 0.0
    min_cluster_frac: float = 0.012  # HDBSCAN min_cluster_size = max(min_cluster_size, frac * n)
    min_cluster_size: int = 10
    min_samples: int | None = 5
    selection: str = "eom"
    merge_quantile: float | None = None
    n_epochs: int | None = None  # UMAP layout epochs; None = UMAP's default (500 up to 10,000 rows, 200 above)
    # HDBSCAN ``max_cluster_size`` = frac * n: a "theme" holding most answers is never useful, and without a cap
    # eom selection can stop at the root split (e.g. the few English comments vs everything else)
    max_cluster_frac: float | None = 0.5


def single_thread_blas():
    """Context manager limiting numpy's and scipy's BLAS/LAPACK to one thread (threadpoolctl)."""
    import contextlib

    try:
        import scipy.linalg  # noqa: F401  - load scipy's own OpenBLAS so that the limit covers it too
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def exact_knn(x: np.ndarray, k: int, *, max_block: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k nearest neighbours of every row (itself first, distance 0) -> (indices int32, dists float32).

    Blocked matrix products (memory bounded by ``max_block`` similarities at a time): ~1 s for 10k rows.
    Replaces UMAP's approximate NN-descent (pynndescent), whose numba code took 76 s to compile on first use
    and 25-40 s to load in every new process on the 2-core VM; exact, and deterministic (ties broken by row
    index).
    """
    x = np.ascontiguousarray(l2_normalize(np.asarray(x, dtype=np.float32)))
    n = len(x)
    k = max(1, min(int(k), n))
    idx = np.empty((n, k), dtype=np.int32)
    dist = np.empty((n, k), dtype=np.float32)
    xt = np.ascontiguousarray(x.T)  # always a plain GEMM (numpy would switch x @ x.T to SYRK: other rounding)
    step = max(16, max_block // max(n, 1))
    for a in range(0, n, step):
        b = min(n, a + step)
        s = x[a:b] @ xt
        s[np.arange(b - a), np.arange(a, b)] = np.inf  # self first, even among exact duplicates
        if k < n:
            part = np.argpartition(-s, k - 1, axis=1)[:, :k]
            part.sort(axis=1)
        else:
            part = np.broadcast_to(np.arange(n), (b - a, n)).copy()
        ps = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[a:b] = np.take_along_axis(part, order, axis=1)
        d = 1.0 - np.take_along_axis(ps, order, axis=1)
        d[:, 0] = 0.0
        dist[a:b] = np.maximum(d, 0.0)
    return idx, dist


def _umap(n: int, seed: int, p: ClusterParams, knn: tuple[np.ndarray, np.ndarray] | None = None):
    from umap import UMAP

    extra = {} if knn is None else {"precomputed_knn": knn}
    return UMAP(n_neighbors=min(p.n_neighbors, max(2, n - 1)), n_components=p.n_components, min_dist=p.min_dist,
                metric="cosine", random_state=seed, n_jobs=1, low_memory=True, n_epochs=p.n_epochs, verbose=False,
                **extra)


def reduce_umap(embeddings: np.ndarray, *, seed: int, params: ClusterParams | None = None,
                timings: dict[str, float] | None = None) -> np.ndarray:
    """UMAP (cosine) on exact precomputed neighbours -> [n, n_components]. Single-threaded, seeded."""
    p = params or ClusterParams()
    x = np.asarray(embeddings, dtype=np.float32)
    n = len(x)
    t0 = time.perf_counter()
    knn = exact_knn(x, min(p.n_neighbors, max(2, n - 1)))
    t1 = time.perf_counter()
    umap = _umap(n, seed, p, knn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no NNDescent search index: transform unavailable" (not needed)
        red = np.nan_to_num(umap.fit_transform(x))
    if timings is not None:
        timings["knn_s"] = t1 - t0
        timings["umap_s"] = time.perf_counter() - t1
    return red


def hdbscan_labels(reduced: np.ndarray, *, params: ClusterParams | None = None) -> np.ndarray:
    """HDBSCAN on the UMAP output with the tuned (size-relative) ``min_cluster_size`` (-1 = outlier)."""
    from hdbscan import HDBSCAN

    p = params or ClusterParams()
    n = len(reduced)
    mcs = max(p.min_cluster_size, int(round(p.min_cluster_frac * n)))
    cap = int(p.max_cluster_frac * n) if p.max_cluster_frac else 0
    hdb = HDBSCAN(min_cluster_size=mcs, min_samples=p.min_samples, metric="euclidean",
                  cluster_selection_method=p.selection, prediction_data=False, core_dist_n_jobs=1,
                  max_cluster_size=cap if cap > mcs else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(hdb.fit(reduced).labels_, dtype=np.int64)


def tuned_labels(embeddings: np.ndarray, *, seed: int, params: ClusterParams | None = None,
                 timings: dict[str, float] | None = None) -> np.ndarray:
    """The tuned BERTopic clustering stage (UMAP -> HDBSCAN) without the BERTopic wrapper, whose own topic
    representations (c-TF-IDF, representative docs, topic vectors) were computed and thrown away; topics
    are described in ``core._describe``. Same partition as BERTopic with these models (its topic ids are
    only renumbered by size, as ``relabel_by_size`` does afterwards)."""
    red = reduce_umap(embeddings, seed=seed, params=params, timings=timings)
    t0 = time.perf_counter()
    labels = hdbscan_labels(red, params=params)
    if timings is not None:
        timings["hdbscan_s"] = time.perf_counter() - t0
    return labels


def bertopic_labels(embeddings: np.ndarray, docs: list[str], *, seed: int, params: ClusterParams | None = None,
                    defaults: bool = False, vectorizer=None) -> np.ndarray:
    """Topic per document (-1 = outlier).

    ``defaults=True`` fits BERTopic with its own UMAP/HDBSCAN/vectorizer settings (only the UMAP seed is fixed)
    and is the baseline in the benchmark; otherwise the tuned UMAP+HDBSCAN stage (``tuned_labels``).
    """
    if not defaults:
        return tuned_labels(embeddings, seed=seed, params=params)
    from bertopic import BERTopic
    from umap import UMAP

    model = BERTopic(umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                     random_state=seed, low_memory=False),
                     calculate_probabilities=False, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, _ = model.fit_transform(docs, embeddings=np.asarray(embeddings, dtype=np.float32))
    return np.asarray(topics, dtype=np.int64)


def small_wave_labels(embeddings: np.ndarray, *, seed: int, k_min: int = 2, k_max: int | None = None,
                      max_cluster_frac: float | None = 0.5) -> np.ndarray:
    """Agglomerative (Ward on L2-normalised embeddings) with k chosen by cosine silhouette.

    For waves too small for HDBSCAN (it tends to call everything noise there). Deterministic. As in the tuned
    stage, a "theme" holding more than ``max_cluster_frac`` of the answers is not useful: k is chosen among the
    cuts without one (all cuts when none qualifies; None = no cap). Without the cap silhouette often picked
    k = 2 (a few odd answers vs everything else), and which k won changed with the lexical features' seed
    (bench/bench_discover_stability.py).
    """
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    x = l2_normalize(embeddings)
    n = len(x)
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    # identical answers (same vector, up to float noise) always share a topic: never more clusters than distinct
    # points (Ward joins identical points first), and one topic when every answer is the same
    n_distinct = len(np.unique(np.round(np.asarray(x, dtype=np.float64), 5), axis=0))
    if n_distinct < 2:
        return np.zeros(n, dtype=np.int64)
    k_max = k_max or max(2, min(15, n // 8))
    k_max = min(k_max, n - 1, n_distinct)
    cuts = []  # (within the size cap, silhouette, labels), by increasing k
    for k in range(max(2, k_min), k_max + 1):
        lab = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        if len(set(lab)) < 2:
            continue
        capped = max_cluster_frac is None or np.bincount(lab).max() <= max_cluster_frac * n
        cuts.append((capped, silhouette_score(x, lab, metric="cosine", random_state=seed), lab))
    cuts = [c for c in cuts if c[0]] or cuts
    if not cuts:
        return np.zeros(n, dtype=np.int64)
    best_s, best = -2.0, None
    for _, s, lab in cuts:  # first (smallest k) of the best, as before
        if s > best_s + 1e-9:
            best_s, best = s, lab
    return relabel_by_size(best)


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber topics 0..k-1 by decreasing size (ties: first occurrence); -1 stays -1."""
    labels = np.asarray(labels, dtype=np.int64)
    ids = [t for t in dict.fromkeys(labels.tolist()) if t >= 0]
    sizes = {t: int((labels == t).sum()) for t in ids}
    order = sorted(ids, key=lambda t: (-sizes[t], ids.index(t)))
    mapping = {t: i for i, t in enumerate(order)}
    return np.array([mapping.get(int(t), -1) for t in labels], dtype=np.int64)


def centroids(embeddings: np.ndarray, labels: np.ndarray) -> tuple[list[int], np.ndarray]:
    ids = sorted(int(t) for t in set(labels.tolist()) if t >= 0)
    if not ids:
        return [], np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    c = np.vstack([embeddings[labels == t].mean(axis=0) for t in ids])
    return ids, l2_normalize(c)


def assign_nearest(embeddings: np.ndarray, ids: list[int], cents: np.ndarray, *, chunk: int = 8192):
    """Nearest centroid (cosine) per row, computed in chunks (bounded memory) -> (topic, similarity)."""
    n = len(embeddings)
    topic = np.full(n, -1, dtype=np.int64)
    sim = np.full(n, -np.inf, dtype=np.float32)
    if not ids:
        return topic, sim
    ids_arr = np.asarray(ids, dtype=np.int64)
    for a in range(0, n, chunk):
        s = embeddings[a : a + chunk] @ cents.T
        j = s.argmax(axis=1)
        topic[a : a + chunk] = ids_arr[j]
        sim[a : a + chunk] = s[np.arange(len(j)), j]
    return topic, sim


def member_floor(embeddings: np.ndarray, labels: np.ndarray, ids: list[int], cents: np.ndarray,
                 quantile: float = 0.02) -> dict[int, float]:
    """Per topic: the ``quantile`` of its members' similarity to their own centroid (a relative threshold)."""
    floors = {}
    for t, c in zip(ids, cents):
        s = embeddings[labels == t] @ c
        floors[t] = float(np.quantile(s, quantile)) if len(s) else np.inf
    return floors


def floor_per_row(topic: np.ndarray, ids: list[int], floors: dict[int, float]) -> np.ndarray:
    """``floors[topic[i]]`` for every row (vectorised lookup)."""
    ids_arr = np.asarray(ids, dtype=np.int64)
    vals = np.asarray([floors[int(t)] for t in ids], dtype=np.float64)
    return vals[np.searchsorted(ids_arr, topic)] if len(topic) else np.zeros(0)


def reassign_outliers(embeddings: np.ndarray, labels: np.ndarray, *, quantile: float = 0.02):
    """Move outliers (-1) to their nearest topic centroid when they are at least as close as the
    ``quantile`` of that topic's own members. Returns (labels, number reassigned)."""
    labels = np.asarray(labels, dtype=np.int64).copy()
    out = np.flatnonzero(labels < 0)
    ids, cents = centroids(embeddings, labels)
    if len(out) == 0 or not ids:
        return labels, 0
    floors = member_floor(embeddings, labels, ids, cents, quantile)
    topic, sim = assign_nearest(embeddings[out], ids, cents)
    ok = sim >= floor_per_row(topic, ids, floors)
    labels[out[ok]] = topic[ok]
    return labels, int(ok.sum())


def merge_close_topics(embeddings: np.ndarray, labels: np.ndarray, *, quantile: float = 0.5) -> np.ndarray:
    """Merge topic pairs whose centroids are closer than members typically are to their own centroid.

    Relative rule: merge when centroid cosine >= the ``quantile`` of member-to-own-centroid similarities
    pooled over all topics. Repeats until no pair qualifies. Deterministic.
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    while True:
        ids, cents = centroids(embeddings, labels)
        if len(ids) < 3:
            return labels
        member = np.concatenate([embeddings[labels == t] @ c for t, c in zip(ids, cents)])
        bar = float(np.quantile(member, quantile))
        s = cents @ cents.T
        np.fill_diagonal(s, -np.inf)
        i, j = np.unravel_index(np.argmax(s), s.shape)
        if s[i, j] < bar:
            return labels
        a, b = sorted((ids[i], ids[j]))
        labels[labels == b] = a


def warmup(seed: int = 0) -> None:
    """Trigger the numba JIT compilation of the UMAP functions discovery uses (fuzzy simplicial set on
    precomputed neighbours, layout optimisation), once per process: call at service start, not per request.
    Same code path and dtypes as ``tuned_labels``, so a later discovery compiles nothing."""
    rng = np.random.default_rng(seed)
    x = l2_normalize(rng.normal(size=(60, 16)).astype(np.float32))
    hdbscan_labels(reduce_umap(x, seed=seed, params=ClusterParams(min_cluster_size=5)),
                   params=ClusterParams(min_cluster_size=5))
