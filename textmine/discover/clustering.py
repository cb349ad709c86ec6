"""Clustering back-ends for discovery: BERTopic (UMAP + HDBSCAN), a small-wave fallback, and helpers.

All functions are pure (arrays in, arrays out) and deterministic for a fixed seed: UMAP gets
``random_state`` (which makes it single-threaded), HDBSCAN is deterministic, agglomerative clustering too.
"""

from __future__ import annotations

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


def _umap(n: int, seed: int, p: ClusterParams):
    from umap import UMAP

    return UMAP(n_neighbors=min(p.n_neighbors, max(2, n - 1)), n_components=p.n_components, min_dist=p.min_dist,
                metric="cosine", random_state=seed, n_jobs=1, low_memory=True, verbose=False)


def bertopic_labels(embeddings: np.ndarray, docs: list[str], *, seed: int, params: ClusterParams | None = None,
                    defaults: bool = False, vectorizer=None) -> np.ndarray:
    """Fit BERTopic on precomputed embeddings and return its topic per document (-1 = outlier).

    ``defaults=True`` uses BERTopic's own UMAP/HDBSCAN/vectorizer settings (only the UMAP seed is fixed)
    and is the baseline in the benchmark.
    """
    from bertopic import BERTopic
    from hdbscan import HDBSCAN

    n = len(docs)
    if defaults:
        from umap import UMAP

        model = BERTopic(umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                         random_state=seed, low_memory=False),
                         calculate_probabilities=False, verbose=False)
    else:
        p = params or ClusterParams()
        mcs = max(p.min_cluster_size, int(round(p.min_cluster_frac * n)))
        hdb = HDBSCAN(min_cluster_size=mcs, min_samples=p.min_samples, metric="euclidean",
                      cluster_selection_method=p.selection, prediction_data=False, core_dist_n_jobs=1)
        model = BERTopic(umap_model=_umap(n, seed, p), hdbscan_model=hdb, vectorizer_model=vectorizer,
                         calculate_probabilities=False, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, _ = model.fit_transform(docs, embeddings=np.asarray(embeddings, dtype=np.float32))
    return np.asarray(topics, dtype=np.int64)


def small_wave_labels(embeddings: np.ndarray, *, seed: int, k_min: int = 2, k_max: int | None = None) -> np.ndarray:
    """Agglomerative (Ward on L2-normalised embeddings) with k chosen by cosine silhouette.

    For waves too small for HDBSCAN (it tends to call everything noise there). Deterministic.
    """
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    x = l2_normalize(embeddings)
    n = len(x)
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    k_max = k_max or max(2, min(15, n // 8))
    k_max = min(k_max, n - 1)
    best_s, best = -2.0, None
    for k in range(max(2, k_min), k_max + 1):
        lab = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        if len(set(lab)) < 2:
            continue
        s = silhouette_score(x, lab, metric="cosine", random_state=seed)
        if s > best_s + 1e-9:
            best_s, best = s, lab
    if best is None:
        return np.zeros(n, dtype=np.int64)
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
    ok = np.array([s >= floors[int(t)] for t, s in zip(topic, sim)], dtype=bool)
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
    """Trigger numba JIT compilation of UMAP/HDBSCAN once (call at service start, not per request)."""
    rng = np.random.default_rng(seed)
    x = l2_normalize(rng.normal(size=(60, 16)).astype(np.float32))
    from hdbscan import HDBSCAN

    red = _umap(60, seed, ClusterParams()).fit_transform(x)
    HDBSCAN(min_cluster_size=5).fit(red)
