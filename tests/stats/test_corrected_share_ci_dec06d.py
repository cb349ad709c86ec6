"""The error-corrected (Rogan–Gladen) share's interval keeps its width at the edges: a corrected share of 0 gets
an upper limit (the interval was «0–0 %», reported as certain), and a coded share the coder's error rates cannot
produce gets no interval and a warning, not a zero-width one."""

import numpy as np
import pytest

from textmine.evaluate import corrected_share_estimates, warn_share_flags
from textmine.stats import wilson_ci


def test_zero_share_with_perfect_rates_is_wilsons_interval():
    est = corrected_share_estimates([0.0], [1.0], [0.0], n=500, n_pos=50, n_neg=400).iloc[0]
    lo, hi = wilson_ci(0, 500)
    assert (est["ci_low"], est["ci_high"]) == pytest.approx((lo, hi))
    assert est["ci_high"] > 0.007


def test_a_share_corrected_below_zero_keeps_an_upper_limit():
    est = corrected_share_estimates([0.0], [0.9], [0.02], n=20, n_pos=50, n_neg=400).iloc[0]
    assert est["clipped"] and est["share"] == 0 and est["ci_low"] == 0
    assert 0.12 < est["ci_high"] < 0.2  # 0 of 20 comments: about Wilson's 16 %, not 0 %
    assert not est["inconsistent"]


def test_a_share_the_rates_cannot_produce_has_no_interval_and_is_said():
    est = corrected_share_estimates([0.05, 0.3], [0.8, 0.8], [0.08, 0.1], n=500, n_pos=120, n_neg=880)
    assert est["inconsistent"].tolist() == [True, False]
    assert np.isnan(est.loc[0, "ci_low"]) and np.isnan(est.loc[0, "ci_high"])
    assert est.loc[1, "ci_low"] < est.loc[1, "share"] < est.loc[1, "ci_high"]
    with pytest.warns(UserWarning, match=r"do not fit these comments.*\(a\)"):
        warn_share_flags(est, ["a", "b"])


def test_the_interval_is_the_hull_of_unrejected_shares_near_one():
    q, tp, fp, n, npos, nneg = 0.97, 0.95, 0.05, 60, 80, 300
    est = corrected_share_estimates([q], [tp], [fp], n=n, n_pos=npos, n_neg=nneg).iloc[0]
    grid = np.linspace(0, 1, 100_001)
    q0 = fp + grid * (tp - fp)
    se0 = np.sqrt(q0 * (1 - q0) / n + grid**2 * tp * (1 - tp) / npos + (1 - grid) ** 2 * fp * (1 - fp) / nneg)
    kept = grid[np.abs(q - q0) <= 1.959963984540054 * se0]
    assert est["share"] == 1 and est["ci_high"] == 1
    assert est["ci_low"] == pytest.approx(kept.min(), abs=1e-4) and est["ci_low"] < 0.97
