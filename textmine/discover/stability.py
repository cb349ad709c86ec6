"""Seed stability of discovered topics: how much of each topic survives when only the random seed changes.

Pure functions (label arrays in, numbers out). ``compare_runs`` matches every topic of the reported run to its
best counterpart (highest Jaccard of member sets) in each other run; a topic's stability is the mean of those
best Jaccards (1.0 = the same answers every time); ``topic_kept`` tells a topic merged into a larger one (its
answers stay together) from one that falls apart. Overall agreement is the pairwise adjusted Rand index and
NMI between runs, on the answers that both runs give a topic, with each run's outlier share beside it.
``discover_themes(..., stability=N)`` fits the N extra seeds from ``stability_seeds`` on the same embeddings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, Sequence

import numpy as np

LOW_STABILITY = 0.5  # below this mean best Jaccard a topic is flagged as seed-dependent
FOUND_JACCARD = 0.5  # a topic counts as found again in a run when its best match there has at least this Jaccard
MAX_SEED = 2**32 - 1


@dataclass
class Stability:
    """Result of ``compare_runs``: per-topic scores of the reference run and pairwise agreement of all runs."""

    seeds: list[int]
    topic_stability: dict[int, float]  # topic id (reference run) -> mean best Jaccard over the other runs
    topic_found: dict[int, int]  # topic id -> runs (reference included) where it was found (Jaccard >= 0.5)
    topic_kept: dict[int, float] = field(default_factory=dict)  # topic id -> mean ``kept_together`` over other runs
    pairwise: list[dict[str, Any]] = field(default_factory=list)  # {"seeds", "ari", "nmi", "n_compared"}
    outlier_share: list[float] = field(default_factory=list)  # per run, same order as ``seeds``

    @property
    def n_runs(self) -> int:
        return len(self.seeds)

    @property
    def mean_ari(self) -> float:
        return _mean([p["ari"] for p in self.pairwise])

    @property
    def mean_nmi(self) -> float:
        return _mean([p["nmi"] for p in self.pairwise])

    def unstable(self, threshold: float = LOW_STABILITY) -> list[int]:
        """Topic ids whose stability is below ``threshold``, least stable first."""
        low = [t for t, s in self.topic_stability.items() if s < threshold]
        return sorted(low, key=lambda t: (self.topic_stability[t], t))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["topic_stability"] = {str(k): v for k, v in self.topic_stability.items()}
        d["topic_found"] = {str(k): v for k, v in self.topic_found.items()}
        d["topic_kept"] = {str(k): v for k, v in self.topic_kept.items()}
        d.update({"n_runs": self.n_runs, "mean_ari": self.mean_ari, "mean_nmi": self.mean_nmi})
        return d


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 4) if len(values) else 1.0


def stability_seeds(seed: int, n: int) -> list[int]:
    """The reported seed followed by ``n`` more: ``seed + 1 .. seed + n`` (wrapping at 2**32)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"stability: expected a whole number of extra seeds >= 0; got {n!r}")
    return [(int(seed) + i) % (MAX_SEED + 1) for i in range(int(n) + 1)]


def _overlap(reference: np.ndarray, other: np.ndarray):
    """Topic ids of ``reference``, the intersection counts with every topic of ``other`` and both runs' topic
    sizes (outliers, -1, are no topic in either run)."""
    ref, oth = _labels(reference), _labels(other)
    if len(ref) != len(oth):
        raise ValueError(f"label arrays differ in length: reference has {len(ref)} rows, other has {len(oth)}")
    ref_ids = sorted(int(t) for t in np.unique(ref) if t >= 0)
    oth_ids = sorted(int(t) for t in np.unique(oth) if t >= 0)
    r_idx = {t: i for i, t in enumerate(ref_ids)}
    o_idx = {t: j for j, t in enumerate(oth_ids)}
    both = (ref >= 0) & (oth >= 0)
    inter = np.zeros((len(ref_ids), len(oth_ids)), dtype=np.int64)
    np.add.at(inter, ([r_idx[int(t)] for t in ref[both]], [o_idx[int(t)] for t in oth[both]]), 1)
    r_size = np.array([(ref == t).sum() for t in ref_ids], dtype=np.int64)
    o_size = np.array([(oth == t).sum() for t in oth_ids], dtype=np.int64)
    return ref_ids, inter, r_size, o_size


def best_jaccard(reference: np.ndarray, other: np.ndarray) -> dict[int, float]:
    """Per topic of ``reference`` (ids >= 0): the highest Jaccard of its members with any topic of ``other``
    (0.0 when ``other`` has no topic). Outliers (-1) are no topic in either run."""
    ref_ids, inter, r_size, o_size = _overlap(reference, other)
    if not inter.shape[1]:
        return {t: 0.0 for t in ref_ids}
    jac = inter / (r_size[:, None] + o_size[None, :] - inter)
    return {t: float(jac[i].max()) for i, t in enumerate(ref_ids)}


def kept_together(reference: np.ndarray, other: np.ndarray) -> dict[int, float]:
    """Per topic of ``reference``: the largest share of its members that ``other`` puts in one topic. High with
    a low Jaccard: merged into a larger topic there; low: spread over several topics (or outliers)."""
    ref_ids, inter, r_size, _ = _overlap(reference, other)
    if not inter.shape[1]:
        return {t: 0.0 for t in ref_ids}
    return {t: float(inter[i].max() / r_size[i]) for i, t in enumerate(ref_ids)}


def agreement(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Adjusted Rand index and NMI of two runs on the rows both give a topic (-1 = outlier/not clustered)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    a, b = _labels(a), _labels(b)
    both = (a >= 0) & (b >= 0)
    if both.sum() < 2:
        return {"ari": 0.0, "nmi": 0.0, "n_compared": int(both.sum())}
    return {"ari": round(float(adjusted_rand_score(a[both], b[both])), 4),
            "nmi": round(float(normalized_mutual_info_score(a[both], b[both])), 4), "n_compared": int(both.sum())}


def compare_runs(runs: Sequence[np.ndarray], seeds: Sequence[int], *, mask: np.ndarray | None = None) -> Stability:
    """Stability of ``runs[0]`` (the reported run) against ``runs[1:]`` (same rows, other seeds).

    ``mask``: the rows that were clustered (default: all); the outlier share is taken over them.
    """
    if len(runs) != len(seeds):
        raise ValueError(f"{len(runs)} runs but {len(seeds)} seeds; give one seed per run")
    if not runs:
        raise ValueError("compare_runs needs at least the reported run")
    runs = [_labels(r) for r in runs]
    keep = np.ones(len(runs[0]), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    runs = [r[keep] for r in runs]
    ref = runs[0]
    ids = sorted(int(t) for t in np.unique(ref) if t >= 0)
    best = [best_jaccard(ref, other) for other in runs[1:]]
    score = {t: round(float(np.mean([b[t] for b in best])), 4) if best else 1.0 for t in ids}
    found = {t: 1 + sum(b[t] >= FOUND_JACCARD for b in best) for t in ids}
    together = [kept_together(ref, other) for other in runs[1:]]
    kept = {t: round(float(np.mean([k[t] for k in together])), 4) if together else 1.0 for t in ids}
    pairwise = [{"seeds": [int(seeds[i]), int(seeds[j])], **agreement(runs[i], runs[j])}
                for i, j in combinations(range(len(runs)), 2)]
    share = [round(float((r < 0).mean()), 4) if len(r) else 0.0 for r in runs]
    return Stability(seeds=[int(s) for s in seeds], topic_stability=score, topic_found=found, topic_kept=kept,
                     pairwise=pairwise, outlier_share=share)


def _labels(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64).ravel()
