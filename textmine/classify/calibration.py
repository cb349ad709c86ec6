"""Probability calibration (Platt scaling), per-theme thresholds and the abstention level."""

from __future__ import annotations

import numpy as np

from ..evaluate import coverage_accuracy_curve

__all__ = ["platt_fit", "platt_apply", "best_thresholds", "review_threshold_for", "confidence_features",
           "fit_confidence_model", "apply_confidence_model"]


def platt_fit(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = σ(a·s + b) on held-out decision scores; degenerate labels give a constant prior."""
    s = np.asarray(scores, dtype=float).reshape(-1, 1)
    y = np.asarray(y).astype(int)
    pos = y.sum()
    if pos == 0 or pos == len(y):
        prior = (pos + 0.5) / (len(y) + 1.0)
        return 0.0, float(np.log(prior / (1 - prior)))
    from sklearn.linear_model import LogisticRegression  # training only (keeps it off the serving path)

    lr = LogisticRegression(C=100.0, max_iter=1000)
    lr.fit(s, y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def platt_apply(scores: np.ndarray, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    z = np.asarray(a) * np.asarray(scores, dtype=float) + np.asarray(b)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def best_thresholds(probs: np.ndarray, Y: np.ndarray, *, min_positives: int = 5, default: float = 0.5,
                    grid: np.ndarray | None = None, count_weight: float = 0.0) -> np.ndarray:
    """Per theme, the probability threshold that maximises F1 − ``count_weight``·|predicted − true| / true
    on held-out predictions (``count_weight`` > 0 keeps the predicted count, i.e. the theme's share, near the
    true one).

    Themes with fewer than ``min_positives`` held-out positives keep ``default``. Ties resolve to the threshold
    closest to ``default`` (stable under small changes in data).
    """
    grid = np.round(np.arange(0.1, 0.91, 0.025), 3) if grid is None else np.asarray(grid)
    probs, Y = np.asarray(probs, dtype=float), np.asarray(Y).astype(int)
    out = np.full(probs.shape[1], default, dtype=float)
    for j in range(probs.shape[1]):
        y = Y[:, j]
        if y.sum() < min_positives:
            continue
        pred = probs[:, j][:, None] >= grid[None, :]
        tp = (pred & (y[:, None] == 1)).sum(0)
        fp = (pred & (y[:, None] == 0)).sum(0)
        fn = ((~pred) & (y[:, None] == 1)).sum(0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
        f1 = f1 - count_weight * np.abs(fp - fn) / y.sum()
        best = f1.max()
        cands = grid[f1 >= best - 1e-9]
        out[j] = float(cands[np.argmin(np.abs(cands - default))])
    return out


def review_threshold_for(confidence: np.ndarray, correct: np.ndarray, *, target_accuracy: float = 0.9,
                         min_threshold: float = 0.05) -> float:
    """Lowest confidence level whose auto-coded share still reaches ``target_accuracy`` (held-out data)."""
    curve = coverage_accuracy_curve(confidence, correct)
    ok = curve[curve["accuracy"] >= target_accuracy]
    if ok.empty:
        return 1.0
    # largest coverage that still reaches the target
    thr = float(ok.iloc[-1]["threshold"])
    return max(thr, min_threshold)


def confidence_features(probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per row: log Π agreement probability, smallest logit margin to a threshold, number of themes, highest
    probability left out, lowest probability taken, probability mass."""
    p = np.clip(np.asarray(probs, dtype=float), 1e-6, 1 - 1e-6)
    on = np.asarray(y) > 0
    thr = np.clip(np.broadcast_to(np.asarray(thresholds, dtype=float), p.shape), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    margin = np.abs(logit - np.log(thr / (1 - thr))).min(1)
    return np.column_stack([np.log(np.where(on, p, 1 - p)).sum(1), margin, on.sum(1),
                            np.where(on, 0.0, p).max(1), np.where(on, p, 1.0).min(1), p.sum(1)])


def fit_confidence_model(features: np.ndarray, correct: np.ndarray, C: float = 1.0) -> np.ndarray:
    """Logistic model of "the whole theme set is right" on held-out :func:`confidence_features`.

    Returns ``[intercept, w_1 … w_m]`` on the raw features (standardisation folded in)."""
    from sklearn.linear_model import LogisticRegression  # training only

    F = np.asarray(features, dtype=float)
    ok = np.asarray(correct).astype(int)
    mu, sd = F.mean(0), F.std(0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    if ok.min() == ok.max():
        return np.r_[4.0 if ok[0] else -4.0, np.zeros(F.shape[1])]
    lr = LogisticRegression(C=C, max_iter=1000).fit((F - mu) / sd, ok)
    w = lr.coef_[0] / sd
    return np.r_[lr.intercept_[0] - (w * mu).sum(), w]


def apply_confidence_model(coef: np.ndarray, features: np.ndarray) -> np.ndarray:
    z = np.asarray(features, dtype=float) @ np.asarray(coef[1:]) + coef[0]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
