"""Clustering helpers: exact neighbours for UMAP, c-TF-IDF, the tuned UMAP+HDBSCAN stage vs BERTopic."""

import warnings

import numpy as np
import pytest
from scipy import sparse

from textmine.discover import clustering as cl
from textmine.discover.labels import ctfidf_weights
from textmine.embed.base import l2_normalize


def _points(n=300, d=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x[10] = x[11] = x[12]  # exact duplicates: each row must still list itself first
    return l2_normalize(x)


def test_exact_knn_is_exact_self_first_and_block_independent():
    x = _points()
    idx, dist = cl.exact_knn(x, 15)
    assert idx.shape == dist.shape == (len(x), 15) and idx.dtype == np.int32 and dist.dtype == np.float32
    assert (idx[:, 0] == np.arange(len(x))).all() and (dist[:, 0] == 0).all()
    assert (np.diff(dist, axis=1) >= 0).all()
    full = 1.0 - x @ x.T
    for i in range(0, len(x), 7):
        others = np.delete(np.arange(len(x)), i)
        best = np.sort(full[i, others])[:14]
        np.testing.assert_allclose(np.sort(dist[i, 1:]), np.clip(best, 0, None), atol=1e-5)
    assert {11, 12} <= set(idx[10, :3].tolist())  # duplicates are each other's nearest neighbours (distance 0)
    # repeatable; the block size (memory bound) changes at most the last float bit of a distance
    again = cl.exact_knn(x, 15)
    assert np.array_equal(idx, again[0]) and np.array_equal(dist, again[1])
    idx2, dist2 = cl.exact_knn(x, 15, max_block=500)
    assert np.array_equal(idx, idx2)
    np.testing.assert_allclose(dist, dist2, atol=1e-6)
    # k larger than n: everything, self first
    i3, _ = cl.exact_knn(x[:5], 9)
    assert i3.shape == (5, 5) and (i3[:, 0] == np.arange(5)).all()


def test_ctfidf_matches_bertopic_transformer():
    pytest.importorskip("bertopic")
    from bertopic.vectorizers import ClassTfidfTransformer

    rng = np.random.default_rng(3)
    counts = sparse.csr_matrix(rng.poisson(0.4, size=(12, 300)) * (rng.random((12, 300)) < 0.3))
    counts = counts[:, np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel() > 0)]
    ref = ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(counts)
    assert np.array_equal(sparse.csr_matrix(ref).toarray(), ctfidf_weights(counts).toarray())


def test_tuned_stage_is_the_bertopic_partition(wave, warm):
    """UMAP+HDBSCAN called directly give exactly BERTopic's partition with the same models (BERTopic only
    renumbers topics by size and adds representations that discovery recomputes anyway)."""
    pytest.importorskip("bertopic")
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.metrics import adjusted_rand_score

    df, texts, prep, emb = wave
    keep = prep["is_non_answer"].to_numpy() == 0
    x = l2_normalize(np.asarray(emb, dtype=np.float32)[keep])
    docs = [d for d, k in zip(prep["lemmas"], keep) if k]
    p = cl.ClusterParams()
    n = len(x)
    ours = cl.tuned_labels(x, seed=3, params=p)
    knn = cl.exact_knn(x, min(p.n_neighbors, n - 1))
    mcs = max(p.min_cluster_size, int(round(p.min_cluster_frac * n)))
    cap = int(p.max_cluster_frac * n) if p.max_cluster_frac else 0  # the tuned stage's cluster size cap
    hdb = HDBSCAN(min_cluster_size=mcs, min_samples=p.min_samples, metric="euclidean",
                  cluster_selection_method=p.selection, prediction_data=False, core_dist_n_jobs=1,
                  max_cluster_size=cap if cap > mcs else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, _ = BERTopic(umap_model=cl._umap(n, 3, p, knn), hdbscan_model=hdb,
                          calculate_probabilities=False).fit_transform(docs, embeddings=x)
    ref = np.asarray(ref)
    assert np.array_equal(ours < 0, ref < 0)
    assert adjusted_rand_score(ref, ours) == 1.0


def test_no_topic_swallows_most_answers():
    """Four close groups plus one small far-away group (think: the few English comments): uncapped eom
    selection stops at the root split (1,200 vs 30); the default cap makes HDBSCAN look inside the big one."""
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(c, 1.0, size=(300, 2)) for c in [(0, 0), (4, 0), (0, 4), (4, 4)]]
                  + [rng.normal((60, 60), 0.5, size=(30, 2))]).astype(np.float32)
    uncapped = cl.hdbscan_labels(x, params=cl.ClusterParams(max_cluster_frac=None))
    assert sorted(np.bincount(uncapped[uncapped >= 0]).tolist()) == [30, 1200]
    capped = cl.hdbscan_labels(x)
    sizes = np.bincount(capped[capped >= 0])
    assert len(sizes) >= 4 and sizes.max() <= 0.5 * len(x)
