"""Agreement and quality metrics for multi-label coding (pure: arrays in, numbers/frames out).

Conventions: ``y_true``/``y_pred`` are 0/1 matrices of shape (n_comments, n_themes); metrics that
accept label lists convert them through a :class:`~textmine.codebook.Codebook`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "per_theme_prf",
    "f1_summary",
    "cohen_kappa",
    "krippendorff_alpha_nominal",
    "per_theme_agreement",
    "coverage_accuracy_curve",
    "accuracy_at_coverage",
    "theme_share_error",
    "confusion_rates",
    "corrected_shares",
    "corrected_share_estimates",
    "warn_share_flags",
    "MIN_YOUDEN",
    "exact_match",
    "example_accuracy",
    "CodingReport",
    "evaluate_coding",
    "json_value",
    "label_codebook_mismatch",
]


def _as01(y: Any, name: str = "labels") -> np.ndarray:
    """A 0/1 matrix (comments × themes; a vector is one theme). Missing values (NaN, e.g. rows a merge left
    unmatched) raise ``ValueError`` naming the first one; non-numbers and theme lists raise ``TypeError``."""
    try:
        y = np.asarray(y)
    except ValueError:  # rows of different lengths: theme lists ([["a"], ["a", "b"]]), not a matrix
        raise TypeError(f"{name}: expected a 0/1 matrix (comments × themes), got rows of different lengths (theme "
                        "lists?); turn theme lists into one with Codebook.to_matrix") from None
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError(f"{name}: expected a 0/1 matrix (comments × themes), got {y.ndim} dimension(s)")
    try:
        f = y.astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a 0/1 matrix (comments × themes) of numbers; turn theme lists into one "
                        "with Codebook.to_matrix") from None
    missing = np.argwhere(np.isnan(f))
    if len(missing):
        i, j = (int(v) for v in missing[0])
        raise ValueError(f"{name}: row {i}, column {j}: missing value (NaN); expected 0 or 1 "
                         f"({len(missing)} missing value(s) in all)")
    # a score or probability matrix (0.3 …) would otherwise count every nonzero score as a code
    other = np.argwhere((f != 0) & (f != 1))
    if len(other):
        i, j = (int(v) for v in other[0])
        raise ValueError(f"{name}: row {i}, column {j}: value {f[i, j]:g}; expected 0 or 1 (a 0/1 code, not a score: "
                         f"apply the thresholds first; {len(other)} such value(s) in all)")
    return f.astype(np.int64)


_LIST_ROW = (list, tuple, set, frozenset)


def _lists_as01(y: Any, theme_ids: Sequence[str], name: str) -> Any:
    """``y`` as a 0/1 matrix in ``theme_ids`` order when it is theme lists (one list/tuple/set of ids per comment;
    a missing row or an empty list: no theme; an ``"a;b"`` string among them: ids joined by ';'), else ``y``
    itself (a matrix, also one given as nested lists of numbers)."""
    if isinstance(y, np.ndarray) and not (y.ndim == 1 and y.dtype == object):
        return y
    if not isinstance(y, list | tuple | pd.Series | np.ndarray):
        return y
    rows = list(y)
    if not rows or not any(isinstance(r, _LIST_ROW) for r in rows):
        return y
    if not all(isinstance(x, str) for r in rows if isinstance(r, _LIST_ROW) for x in r):
        return y  # numbers: a 0/1 matrix written as nested lists
    from .codebook import parse_theme_list, shown_values

    ids = [str(t) for t in theme_ids]
    col = {t: j for j, t in enumerate(ids)}
    out = np.zeros((len(rows), len(ids)), dtype=np.int64)
    for i, r in enumerate(rows):
        try:
            lab = parse_theme_list(sorted(r) if isinstance(r, set | frozenset) else r)
        except TypeError:
            raise TypeError(f"{name}: row {i}: expected a list of theme ids (or a 0/1 matrix, see "
                            f"Codebook.to_matrix), got {type(r).__name__}") from None
        bad = [x for x in lab if x not in col]
        if bad:
            raise ValueError(f"{name}: row {i}: unknown theme id(s) {shown_values(bad)}; expected ids among "
                             f"theme_ids ({', '.join(ids)})")
        for x in lab:
            out[i, col[x]] = 1
    return out


def _check_ids(theme_ids: Sequence[str] | None, k: int) -> list[str]:
    """Theme names for ``k`` matrix columns (``"0"``, ``"1"`` … when none are given)."""
    if theme_ids is None:
        return [str(i) for i in range(k)]
    if isinstance(theme_ids, str):
        raise TypeError("theme_ids: expected a list of theme ids, got one string")
    ids = list(theme_ids)
    if len(ids) != k:
        raise ValueError(f"got {len(ids)} theme ids for a label matrix with {k} theme column(s)")
    dup = sorted({str(t) for t in ids if ids.count(t) > 1})
    if dup:
        raise ValueError(f"theme ids must be unique; repeated: {dup}")
    return ids


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = _as01(y_true, "y_true"), _as01(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true has shape {t.shape} but y_pred has shape {p.shape}")
    return t, p


def _safe_div(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


def per_theme_prf(y_true: Any, y_pred: Any, theme_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Precision, recall, F1, support (true count) and predicted count per theme.

    Undefined ratios (0/0) are reported as 0, as scikit-learn's ``zero_division=0``.
    """
    t, p = _check_pair(y_true, y_pred)
    tp = (t & p).sum(0)
    fp = ((1 - t) & p).sum(0)
    fn = (t & (1 - p)).sum(0)
    prec = _safe_div(tp, tp + fp)
    rec = _safe_div(tp, tp + fn)
    f1 = _safe_div(2 * prec * rec, prec + rec)
    ids = _check_ids(theme_ids, t.shape[1])
    return pd.DataFrame(
        {"theme": ids, "precision": prec, "recall": rec, "f1": f1, "support": t.sum(0), "predicted": p.sum(0),
         "tp": tp, "fp": fp, "fn": fn}
    )


def f1_summary(y_true: Any, y_pred: Any) -> dict[str, float]:
    """Micro, macro (over themes with support or predictions), weighted and sample-averaged F1."""
    t, p = _check_pair(y_true, y_pred)
    prf = per_theme_prf(t, p)
    tp, fp, fn = prf["tp"].sum(), prf["fp"].sum(), prf["fn"].sum()
    micro_p = _safe_div(tp, tp + fp).item()
    micro_r = _safe_div(tp, tp + fn).item()
    micro = _safe_div(2 * micro_p * micro_r, micro_p + micro_r).item()
    active = (prf["support"] > 0) | (prf["predicted"] > 0)
    macro = float(prf.loc[active, "f1"].mean()) if active.any() else 0.0
    sup = prf["support"].to_numpy(float)
    weighted = float((prf["f1"] * sup).sum() / sup.sum()) if sup.sum() else 0.0
    # sample F1: both empty counts as a perfect match
    inter = (t & p).sum(1)
    denom = t.sum(1) + p.sum(1)
    sample = np.where(denom == 0, 1.0, _safe_div(2 * inter, denom))
    return {
        "micro_f1": micro,
        "micro_precision": micro_p,
        "micro_recall": micro_r,
        "macro_f1": macro,
        "weighted_f1": weighted,
        "samples_f1": float(sample.mean()) if len(sample) else 0.0,
        "exact_match": exact_match(t, p),
        "example_accuracy": float(example_accuracy(t, p).mean()) if len(t) else 0.0,
    }


def exact_match(y_true: Any, y_pred: Any) -> float:
    """Share of rows whose whole theme set is right (subset accuracy)."""
    t, p = _check_pair(y_true, y_pred)
    return float((t == p).all(1).mean()) if len(t) else 0.0


def example_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per row |true ∩ predicted| / |true ∪ predicted| (example-based multi-label accuracy, Godbole & Sarawagi
    2004); two empty sets count as 1. Partial credit where :func:`exact_match` gives none."""
    t, p = _check_pair(y_true, y_pred)
    inter, union = (t & p).sum(1), (t | p).sum(1)
    return np.where(union == 0, 1.0, _safe_div(inter, union))


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa for two coders' nominal codes (same as sklearn's ``cohen_kappa_score``, except where both
    coders use one and the same category throughout: 1.0 here, NaN in sklearn). An item either coder left
    missing (None, NaN, pd.NA) is left out, as Krippendorff's alpha leaves out units it cannot pair; NaN when
    no item is coded by both."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a.shape != b.shape:
        raise ValueError(f"the two coders must code the same items (got {a.shape[0] if a.ndim else 0} and "
                         f"{b.shape[0] if b.ndim else 0} codes)")
    both = ~(pd.isna(a) | pd.isna(b))
    a, b = a[both], b[both]
    if a.size == 0:
        return float("nan")
    keys = {v: i for i, v in enumerate(dict.fromkeys([*a.tolist(), *b.tolist()]))}  # any hashable codes
    a = np.array([keys[v] for v in a.tolist()])
    b = np.array([keys[v] for v in b.tolist()])
    cats = np.arange(len(keys))
    po = float((a == b).mean())
    pe = float(sum((a == c).mean() * (b == c).mean() for c in cats))
    if pe == 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1.0 - pe)


def krippendorff_alpha_nominal(data: Any) -> float:
    """Krippendorff's alpha, nominal metric.

    ``data``: (n_coders, n_units) array; missing codes as NaN (or None, pd.NA). Units with fewer than two codes
    are ignored. Returns NaN when there is no pairable data, 1.0 when all pairable values are one category.
    """
    arr = np.asarray(data, dtype=object)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"data: expected (n_coders, n_units), got {arr.ndim} dimension(s)")
    # missing: None, NaN, pd.NA (nullable integer columns), NaT — never a category of its own
    present = ~pd.isna(arr)
    cats: dict[Any, int] = {}
    codes = np.full(arr.shape, -1, dtype=np.int64)
    for i, j in zip(*np.nonzero(present), strict=True):
        codes[i, j] = cats.setdefault(arr[i, j], len(cats))
    k = len(cats)
    m = present.sum(0)  # values per unit
    pairable = m >= 2
    if not pairable.any():
        return float("nan")
    counts = np.zeros((arr.shape[1], k))
    units = np.broadcast_to(np.arange(arr.shape[1]), arr.shape)
    np.add.at(counts, (units[present], codes[present]), 1.0)
    counts, m = counts[pairable], m[pairable].astype(float)
    # o_ck = Σ_units (n_uc·n_uk − [c = k]·n_uc) / (m_u − 1)
    scaled = counts / (m - 1)[:, None]
    coincidence = counts.T @ scaled - np.diag(scaled.sum(0))
    n_c = coincidence.sum(1)
    n = n_c.sum()
    d_o = coincidence.sum() - np.trace(coincidence)
    d_e = (n * n - (n_c**2).sum()) / (n - 1)
    if d_e == 0:
        return 1.0
    return float(1.0 - d_o / d_e)


def per_theme_agreement(y_true: Any, y_pred: Any, theme_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Per theme (present/absent) Cohen's kappa and Krippendorff's alpha between human and model. NaN for a theme
    that neither side varies on (e.g. used by neither): agreement on it says nothing about reliability."""
    t, p = _check_pair(y_true, y_pred)
    ids = _check_ids(theme_ids, t.shape[1])
    rows = []
    for j, tid in enumerate(ids):
        if len(np.unique(np.concatenate([t[:, j], p[:, j]]))) < 2:
            rows.append({"theme": tid, "kappa": float("nan"), "alpha": float("nan")})
            continue
        rows.append({"theme": tid, "kappa": cohen_kappa(t[:, j], p[:, j]),
                     "alpha": krippendorff_alpha_nominal(np.vstack([t[:, j], p[:, j]]).astype(float))})
    return pd.DataFrame(rows)


def coverage_accuracy_curve(confidence: Any, correct: Any, *, n_points: int | None = None) -> pd.DataFrame:
    """Auto-code everything with confidence ≥ threshold: coverage and accuracy at each threshold.

    Rows sorted by decreasing threshold (coverage grows). ``correct`` is 0/1 (or a per-row score in 0..1).
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if conf.shape != ok.shape:
        raise ValueError("confidence and correct must have the same length")
    for what, v in (("confidence", conf), ("correct", ok)):
        bad = np.flatnonzero(np.isnan(v))
        if len(bad):
            raise ValueError(f"{what}: row {int(bad[0])}: missing value (NaN); expected a number "
                             f"({len(bad)} missing value(s) in all)")
    n = len(conf)
    if n == 0:
        return pd.DataFrame(columns=["threshold", "coverage", "accuracy", "n_auto"])
    order = np.argsort(-conf, kind="stable")
    c_sorted, ok_sorted = conf[order], ok[order]
    cum = np.cumsum(ok_sorted)
    # take the last index of each distinct threshold (ties are auto-coded together)
    last = np.flatnonzero(np.r_[c_sorted[1:] != c_sorted[:-1], True])
    df = pd.DataFrame({"threshold": c_sorted[last], "coverage": (last + 1) / n,
                       "accuracy": cum[last] / (last + 1), "n_auto": last + 1})
    if n_points and len(df) > n_points:
        idx = np.unique(np.linspace(0, len(df) - 1, n_points).round().astype(int))
        df = df.iloc[idx]
    return df.reset_index(drop=True)


def accuracy_at_coverage(confidence: Any, correct: Any, coverage: float = 0.6) -> dict[str, float]:
    """Accuracy of the most confident ``coverage`` share (the threshold that auto-codes that share)."""
    if not 0.0 < float(coverage) <= 1.0:
        raise ValueError(f"coverage must be a share in (0, 1], e.g. 0.6, got {coverage!r}")
    curve = coverage_accuracy_curve(confidence, correct)
    if curve.empty:
        return {"threshold": float("nan"), "coverage": 0.0, "accuracy": float("nan")}
    row = curve[curve["coverage"] >= coverage - 1e-12].iloc[0]
    return {"threshold": float(row["threshold"]), "coverage": float(row["coverage"]), "accuracy": float(row["accuracy"])}


def theme_share_error(y_true: Any, y_pred: Any, theme_ids: Sequence[str] | None = None,
                      weights: Any = None) -> pd.DataFrame:
    """True share, predicted share and absolute error (in proportions) per theme, optionally weighted."""
    t, p = _check_pair(y_true, y_pred)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(w) != len(t):
        raise ValueError(f"got {len(w)} weights for {len(t)} rows")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if len(bad):
        raise ValueError(f"weights: row {int(bad[0])}: expected a finite number ≥ 0 ({len(bad)} such value(s))")
    tot = w.sum()
    if len(w) and tot == 0:
        raise ValueError(f"weights: all {len(w)} weights are 0; expected at least one above 0")
    tot = tot or 1.0
    true_share = (t * w[:, None]).sum(0) / tot
    pred_share = (p * w[:, None]).sum(0) / tot
    ids = _check_ids(theme_ids, t.shape[1])
    return pd.DataFrame({"theme": ids, "true_share": true_share, "pred_share": pred_share,
                         "abs_error": np.abs(pred_share - true_share)})


def confusion_rates(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per theme true-positive rate (sensitivity) and false-positive rate (1 − specificity)."""
    t, p = _check_pair(y_true, y_pred)
    tpr = _safe_div((t & p).sum(0), t.sum(0))
    fpr = _safe_div(((1 - t) & p).sum(0), (1 - t).sum(0))
    return tpr, fpr


MIN_YOUDEN = 0.2  # tpr − fpr below this: the Rogan–Gladen correction divides by little and is unreliable


def corrected_share_estimates(pred_share: Any, tpr: Any, fpr: Any, *, n: Any = None, n_pos: Any = None,
                              n_neg: Any = None, level: float = 0.95) -> pd.DataFrame:
    """Rogan–Gladen error-corrected shares ``θ = (q − fpr) / (tpr − fpr)`` with their flags, one row per theme.

    Columns: ``raw`` (q), ``youden`` (tpr − fpr), ``unclipped`` (θ; NaN where tpr − fpr ≤ 1e-9: the coder
    carries no information, so there is no correction, rather than a silent switch to the raw share),
    ``share`` (θ cut to [0, 1]), ``clipped`` (θ was outside [0, 1]), ``weak`` (tpr − fpr < 0.2: the division
    magnifies every error in q, tpr and fpr), and, when ``n`` (comments behind q) and ``n_pos``/``n_neg``
    (validation comments with / without the theme, behind tpr / fpr) are given, ``ci_low``/``ci_high``: the score
    interval (:func:`_score_interval`): the shares θ₀ in [0, 1] that the data do not reject, with the delta-method
    variance ``(q₀(1−q₀)/n + θ₀²·tpr(1−tpr)/n_pos + (1−θ₀)²·fpr(1−fpr)/n_neg) / (tpr − fpr)²`` taken at θ₀
    (``q₀ = fpr + θ₀·(tpr − fpr)``), as the Wilson interval takes p(1−p) at p₀. Unlike ``θ ± z·se(θ)`` cut to
    [0, 1], it keeps its width at a share of 0 (0 of 500 comments with perfect rates: Wilson's 0–0.76 %, not
    0–0 %) and when θ falls below 0. NaN, with ``inconsistent`` True, where no share in [0, 1] fits: the coded
    share is further below fpr (or above tpr) than sampling error allows, so the rates do not fit these comments.
    """
    from scipy.stats import norm

    q, tp, fp = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, dtype=float)) for x in (pred_share, tpr, fpr)))
    j = tp - fp
    informative = j > 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(informative, (q - fp) / np.where(informative, j, 1.0), np.nan)
    out = pd.DataFrame({"raw": q, "youden": j, "unclipped": theta, "share": np.clip(theta, 0.0, 1.0),
                        "clipped": informative & ((theta < 0) | (theta > 1)), "weak": ~(j >= MIN_YOUDEN)})
    if n is not None and n_pos is not None and n_neg is not None:
        nn, npos, nneg = (np.broadcast_to(np.asarray(x, dtype=float), q.shape) for x in (n, n_pos, n_neg))
        z = float(norm.ppf(0.5 + level / 2))
        limits = [_score_interval(*v, z) if inf else (np.nan, np.nan, False)
                  for *v, inf in zip(q, tp, fp, nn, npos, nneg, informative)]
        out["ci_low"] = [lo for lo, _, _ in limits]
        out["ci_high"] = [hi for _, hi, _ in limits]
        out["inconsistent"] = [bad for _, _, bad in limits]
    return out


def _score_interval(q: float, tp: float, fp: float, n: float, n_pos: float, n_neg: float,
                    z: float) -> tuple[float, float, bool]:
    """``(low, high, inconsistent)``: the θ₀ in [0, 1] with ``(q − q₀)² ≤ z²·(q₀(1−q₀)/n + θ₀²a + (1−θ₀)²b)``,
    ``q₀ = fpr + θ₀·j``, ``a = tpr(1−tpr)/n_pos``, ``b = fpr(1−fpr)/n_neg`` (the delta-method test of θ₀ times j²): a
    quadratic ``Aθ₀² + Bθ₀ + C ≤ 0``; the hull of its solutions in [0, 1]. NaN for missing or non-positive counts;
    NaN with ``inconsistent`` True when no θ₀ in [0, 1] solves it."""
    vals = (q, tp, fp, n, n_pos, n_neg)
    if not all(np.isfinite(vals)) or min(n, n_pos, n_neg) <= 0:
        return np.nan, np.nan, False
    j, a, b, z2 = tp - fp, tp * (1 - tp) / n_pos, fp * (1 - fp) / n_neg, z * z
    A = j * j * (1 + z2 / n) - z2 * (a + b)
    B = -2 * (q - fp) * j - z2 * j * (1 - 2 * fp) / n + 2 * z2 * b
    C = (q - fp) ** 2 - z2 * (fp * (1 - fp) / n + b)

    def f(t: float) -> float:
        return (A * t + B) * t + C

    roots = np.roots([A, B, C]) if abs(A) > 1e-15 else (np.array([-C / B]) if B else np.array([]))
    cuts = sorted({0.0, 1.0, *(float(r.real) for r in np.atleast_1d(roots) if abs(r.imag) < 1e-12 and 0 < r.real < 1)})
    eps = 1e-12 * max(1.0, abs(A) + abs(B) + abs(C))
    ok = [t for t in cuts if f(t) <= eps]
    ok += [x for lo, hi in zip(cuts[:-1], cuts[1:]) if f((lo + hi) / 2) <= eps for x in (lo, hi)]
    if not ok:
        return np.nan, np.nan, True
    return float(min(ok)), float(max(ok)), False


def corrected_shares(pred_share: Any, tpr: Any, fpr: Any) -> np.ndarray:
    """Error-corrected share (Rogan–Gladen): (q − fpr) / (tpr − fpr), clipped to [0, 1]
    (see :func:`corrected_share_estimates` for the flags and a CI).

    Where ``tpr ≤ fpr`` the classifier carries no information and the raw share is returned; that, a weak coder
    (tpr − fpr < 0.2) and a clipped share are said in a ``UserWarning`` naming the positions (never silent).
    """
    est = corrected_share_estimates(pred_share, tpr, fpr)
    warn_share_flags(est)
    out = np.where(est["unclipped"].notna(), est["share"], est["raw"])
    return out.reshape(np.shape(np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (pred_share, tpr, fpr)))[0]))


def warn_share_flags(est: pd.DataFrame, names: Sequence[str] | None = None) -> None:
    """One ``UserWarning`` for the flagged rows of :func:`corrected_share_estimates` (by name or position)."""
    import warnings

    label = list(names) if names is not None else [f"position {i}" for i in range(len(est))]
    parts = []
    none = est["unclipped"].isna().to_numpy()
    weak = est["weak"].to_numpy() & ~none
    clipped = est["clipped"].to_numpy()
    off = est["inconsistent"].to_numpy(dtype=bool) if "inconsistent" in est else np.zeros(len(est), dtype=bool)
    for mask, what in ((none, "tpr − fpr ≈ 0: no correction possible, the raw share is kept"),
                       (weak, f"tpr − fpr < {MIN_YOUDEN}: the corrected share is unreliable"),
                       (clipped, "corrected share outside [0, 1], clipped"),
                       (off, "the coded share lies further outside [fpr, tpr] than sampling error allows (the "
                             "coder's error rates do not fit these comments): no confidence interval")):
        if mask.any():
            parts.append(f"{what} ({', '.join(label[i] for i in np.flatnonzero(mask))})")
    if parts:
        warnings.warn("Rogan–Gladen correction: " + "; ".join(parts), UserWarning, stacklevel=3)


def json_value(v: Any) -> Any:
    """A metric as plain JSON: floats rounded to 6 places (NaN and ±inf → None: JSON has no such numbers),
    NumPy integers as int."""
    if isinstance(v, float | np.floating):
        return round(float(v), 6) if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


@dataclass
class CodingReport:
    """Everything :func:`evaluate_coding` measures."""

    summary: dict[str, float]
    per_theme: pd.DataFrame
    curve: pd.DataFrame
    shares: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready lists and numbers (summary, per theme, coverage/accuracy curve, shares)."""
        return {
            "summary": {k: json_value(v) for k, v in self.summary.items()},
            "per_theme": [{k: json_value(v) for k, v in r.items()} for r in self.per_theme.to_dict("records")],
            "coverage_accuracy": [{k: json_value(v) for k, v in r.items()} for r in self.curve.to_dict("records")],
            "shares": [{k: json_value(v) for k, v in r.items()} for r in self.shares.to_dict("records")],
            **{k: v for k, v in self.extra.items()},
        }

    def to_text(self) -> str:
        """A plain-text table per theme (precision, recall, F1, kappa, alpha, counts, shares) and the summary."""
        lines = ["theme                      P     R    F1  kappa alpha  n_true n_pred  share_true share_pred"]
        merged = self.per_theme.merge(self.shares, on="theme")
        for r in merged.itertuples():
            lines.append(f"{r.theme:<24} {r.precision:5.2f} {r.recall:5.2f} {r.f1:5.2f} {r.kappa:6.2f} {r.alpha:5.2f}"
                         f"  {int(r.support):6d} {int(r.predicted):6d}  {r.true_share:9.1%} {r.pred_share:9.1%}")
        s = self.summary
        lines.append("")
        lines.append("  ".join(f"{k}={v}" if isinstance(v, int | np.integer) else f"{k}={v:.3f}"
                               for k, v in s.items()
                               if isinstance(v, float | int | np.number) and not isinstance(v, bool)))
        return "\n".join(lines)


def evaluate_coding(y_true: Any, y_pred: Any, theme_ids: Sequence[str], *, confidence: Any = None,
                    coverage: float = 0.6, top_k_shares: int = 10) -> CodingReport:
    """Full evaluation of predicted vs human theme codes (+ optional per-row confidence).

    ``y_true``/``y_pred``: 0/1 matrices (comments × themes, columns in ``theme_ids`` order; e.g.
    ``Codebook.to_matrix(labels)``), or theme lists, one list of ids per comment (``[["telefon"], [], …]``),
    turned into that matrix with ``theme_ids`` (an id not among them raises ``ValueError`` naming its row)."""
    if isinstance(theme_ids, str):
        raise TypeError("theme_ids: expected a list of theme ids, got one string")
    y_true = _lists_as01(y_true, theme_ids, "y_true")
    y_pred = _lists_as01(y_pred, theme_ids, "y_pred")
    t, p = _check_pair(y_true, y_pred)
    theme_ids = _check_ids(theme_ids, t.shape[1])
    prf = per_theme_prf(t, p, theme_ids)
    agree = per_theme_agreement(t, p, theme_ids)
    per_theme = prf.merge(agree, on="theme")
    summary = f1_summary(t, p)
    # over the themes either side varies on (NaN if none): a theme nobody used is no evidence of agreement
    summary["mean_kappa"] = float(agree["kappa"].mean()) if agree["kappa"].notna().any() else float("nan")
    summary["mean_alpha"] = float(agree["alpha"].mean()) if agree["alpha"].notna().any() else float("nan")
    shares = theme_share_error(t, p, theme_ids)
    top = shares.sort_values("true_share", ascending=False).head(top_k_shares)
    summary["top10_share_max_abs_error"] = float(top["abs_error"].max()) if len(top) else 0.0
    summary["top10_share_mean_abs_error"] = float(top["abs_error"].mean()) if len(top) else 0.0
    summary["n"] = int(len(t))
    curve = pd.DataFrame()
    if confidence is not None:
        confidence = np.asarray(confidence, dtype=float)
        if confidence.shape != (len(t),):
            raise ValueError(f"confidence: expected one number per row ({len(t)}), got shape {confidence.shape}")
        # accuracy = the whole theme set right (subset accuracy); the example-based figure gives partial credit
        correct = (t == p).all(1).astype(float)
        curve = coverage_accuracy_curve(confidence, correct, n_points=50)
        pct = f"{round(float(coverage) * 100, 6):g}"  # 0.57 → "57" (int(0.57 * 100) is 56)
        at = accuracy_at_coverage(confidence, correct, coverage)
        summary[f"accuracy_at_{pct}pct_coverage"] = at["accuracy"]
        summary[f"example_accuracy_at_{pct}pct_coverage"] = accuracy_at_coverage(
            confidence, example_accuracy(t, p), coverage)["accuracy"]
        summary[f"threshold_at_{pct}pct_coverage"] = at["threshold"]
    return CodingReport(summary=summary, per_theme=per_theme, curve=curve, shares=shares)


def label_codebook_mismatch(labels: Sequence[Sequence[str]], codebook: Any, columns: Sequence[Any] = ()) -> str | None:
    """One line when labelled theme ids (``labels``: the ids of each row) or ``theme_<id>`` columns (``columns``: a
    labelled file's column names) are not ``codebook``'s: how many it does not know (ids shown only where they look
    like ids: a misplaced comment may be personal data) and which of its themes no label uses, as labels made with
    another codebook (version) look; None when every id is the codebook's."""
    from .codebook import shown_values

    used = list(dict.fromkeys(x for lab in labels for x in lab))
    unknown = [x for x in used if x not in codebook]
    cols = [str(c) for c in columns if str(c).startswith("theme_") and str(c)[len("theme_"):] not in codebook]
    if not unknown and not cols:
        return None
    said = []
    if unknown:
        said.append(f"{len(unknown)} theme id(s) in the labels ({shown_values(unknown)})")
    if cols:
        said.append(f"{len(cols)} label column(s) ({', '.join(cols)})")
    missing = [t for t in codebook.theme_ids if t not in used]
    gone = (f"; {len(missing)} of its {len(codebook.theme_ids)} themes occur in no label ({', '.join(missing)})"
            if missing else "")
    return (f"{' and '.join(said)} unknown to the model's codebook {codebook.name!r} v{codebook.version}{gone}: the "
            f"labels look made with another codebook (version) — evaluate with a model of that codebook, or map the "
            f"labels to this one")
