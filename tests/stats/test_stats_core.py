"""Every statistic against hand-computed values and against scipy/statsmodels on the same numbers."""

import math

import numpy as np
import pytest
from scipy import stats as sst
from scipy.special import expit, logit
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

from textmine import stats as st


def test_kish_n_and_weighted_share_by_hand():
    w = [1, 1, 2, 2]
    assert st.kish_n(w) == pytest.approx(36 / 10)  # (Σw)² / Σw² = 6² / 10
    assert st.kish_n([1.0] * 7) == pytest.approx(7)
    assert st.weighted_share([1, 0, 1, 0], w) == pytest.approx(3 / 6)
    assert st.weighted_share([1, 0, np.nan, 1], [1, 1, 5, 2]) == pytest.approx(3 / 4)  # NaN rows leave the base


def test_wilson_by_hand_and_against_statsmodels():
    lo, hi = st.wilson_ci(8, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)  # textbook Wilson interval for 8/10
    counts, ns = np.array([0, 1, 17, 50, 99, 312]), np.array([10, 40, 60, 100, 100, 1000])
    lo, hi = st.wilson_ci(counts, ns)
    rlo, rhi = proportion_confint(counts, ns, alpha=0.05, method="wilson")
    np.testing.assert_allclose(lo, rlo, atol=1e-9)
    np.testing.assert_allclose(hi, rhi, atol=1e-9)
    assert np.isnan(st.wilson_ci(0, 0)[0])


def test_logit_ci_by_hand():
    lo, hi = st.logit_ci(0.5, 100)  # logit 0 ± 1.96·0.2
    assert lo == pytest.approx(expit(-1.959964 * 0.2), abs=1e-6)
    assert (round(lo, 5), round(hi, 5)) == (0.40324, 0.59676)
    p, n = 0.86, 412.7
    se = 1 / math.sqrt(n * p * (1 - p))
    lo, hi = st.logit_ci(p, n)
    assert lo == pytest.approx(expit(logit(p) - sst.norm.ppf(0.975) * se))
    assert hi == pytest.approx(expit(logit(p) + sst.norm.ppf(0.975) * se))
    assert np.isnan(st.logit_ci(1.0, 50)[0])  # undefined at the edge …
    lo, hi, m = st.proportion_ci(np.array([1.0]), np.array([50.0]), weighted=True)
    assert m[0] == "wilson-kish" and hi[0] == 1.0 and lo[0] < 1  # … so Wilson on n_eff is used


def test_weighted_proportion_estimate_end_to_end():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.3).astype(float)
    w = rng.gamma(4, 0.25, 500)
    est = st.proportion(y, w)
    assert est.share == pytest.approx(DescrStatsW(y, weights=w).mean)
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert est.n_eff == pytest.approx(n_eff)
    assert (est.ci_low, est.ci_high) == pytest.approx(st.wilson_ci(est.share * n_eff, n_eff))
    assert est.method == "wilson-kish" and est.weighted
    u = st.proportion(y)
    assert u.method == "wilson" and u.n == 500
    assert (u.ci_low, u.ci_high) == pytest.approx(proportion_confint(y.sum(), 500, method="wilson"))


def test_weighted_mean_against_descrstatsw():
    x = np.array([1, 2, 3, 6, 5, np.nan])
    w = np.array([1, 2, 1, 1, 3, 9])
    m = st.weighted_mean(x, w)
    d = DescrStatsW(x[:5], weights=w[:5])
    assert m.mean == pytest.approx(d.mean) == pytest.approx((1 + 4 + 3 + 6 + 15) / 8)
    u = st.weighted_mean([1, 2, 3, 4])
    assert u.mean == 2.5 and u.sd == pytest.approx(np.std([1, 2, 3, 4], ddof=1))


def test_two_proportion_test_by_hand_and_against_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep

    # review dec05: Newcombe CI + pooled z (Fisher at the edges), no longer the unpooled Wald test and CI
    r = st.two_proportion_test(0.5, 100, 0.6, 100)
    # pooled 0.55, se0 = sqrt(0.55·0.45·0.02), z = 1.421338, p = 0.1552
    assert r["z"] == pytest.approx(0.1 / math.sqrt(0.55 * 0.45 * 0.02)) and round(r["p_value"], 4) == 0.1552
    z, p = proportions_ztest([60, 50], [100, 100])
    assert r["p_value"] == pytest.approx(p) and r["test"] == "z-pooled"
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(confint_proportions_2indep(60, 100, 50, 100, method="newcomb"))
    rp = st.two_proportion_test(0.5, 100, 0.6, 100, pooled=True)
    assert rp["p_value"] == pytest.approx(p)
    # weighted: the same test on Kish effective n (counts = share · n_eff)
    p1, n1, p2, n2 = 0.47, 812.4, 0.52, 790.1
    r = st.two_proportion_test(p1, n1, p2, n2)
    pp = (p1 * n1 + p2 * n2) / (n1 + n2)
    assert r["p_value"] == pytest.approx(2 * sst.norm.sf(0.05 / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))))
    vec = st.two_proportion_test(np.array([0.5, 0.0]), np.array([100, 50]), np.array([0.6, 0.0]), np.array([100, 50]))
    assert vec["p_value"][1] == 1.0 and list(vec["degenerate"]) == [False, True]
    assert np.isnan(st.two_proportion_test(0.5, 0, 0.5, 10)["p_value"])
    sep = st.two_proportion_test(0.0, 20, 1.0, 20)  # 0 % vs 100 %: Fisher's exact test
    assert sep["p_value"] == pytest.approx(sst.fisher_exact([[0, 20], [20, 0]])[1]) and sep["test"] == "fisher"
    assert 0.6 < sep["ci_low"] < sep["ci_high"] == 1.0 and not sep["degenerate"]


def test_verdict_never_calls_a_ci_that_covers_zero_significant():
    """Newcombe's CI and the pooled z-test can disagree near the border; the verdict takes both. A hand case:
    19/100 vs 31/100 → pooled p̄ = .25, se0 = sqrt(.25·.75·.02) = .0612372, z = 1.95959, p = .05004, and the
    Newcombe CI [−.00027, .23607] covers 0."""
    r = st.two_proportion_test(0.19, 100, 0.31, 100)
    assert r["p_value"] == pytest.approx(0.050044, abs=1e-5) and r["ci_low"] < 0 < r["ci_high"]
    assert st.change_verdict(0.01, 0.01, ci_low=-0.001, ci_high=0.2) == "tendens"
    assert st.change_verdict(0.01, 0.01, ci_low=0.001, ci_high=0.2) == "signifikant"
    assert st.difference_verdict(0.01, 0.01, ci_low=-0.2, ci_high=0.0) == "tendens"
    rng = np.random.default_rng(3)
    p1, p2 = rng.uniform(0.02, 0.98, 4000), rng.uniform(0.02, 0.98, 4000)
    n1, n2 = rng.integers(10, 400, 4000), rng.integers(10, 400, 4000)
    r = st.two_proportion_test(p1, n1, p2, n2)
    v = st.change_verdict(r["p_value"], r["p_value"], ci_low=r["ci_low"], ci_high=r["ci_high"])
    covers = (r["ci_low"] <= 0) & (r["ci_high"] >= 0)
    assert not np.any(covers & (v == "signifikant"))


@pytest.mark.parametrize("p,q,verdict", [(0.001, 0.004, "signifikant"), (0.01, 0.0499, "signifikant"),
                                         # dec05: «tendens» from the adjusted p only (was «tendens» for these 3)
                                         (0.01, 0.20, "ingen sikker endring"), (0.049, 0.9, "ingen sikker endring"), (0.07, 0.07, "tendens"),
                                         (0.0999, 0.5, "ingen sikker endring"), (0.05, 0.0999, "tendens"),
                                         (0.10, 0.10, "ingen sikker endring"), (0.7, 0.9, "ingen sikker endring"),
                                         (float("nan"), float("nan"), "ikke testbar")])
def test_change_verdict_uses_adjusted_p_and_never_calls_a_significant_ci_unchanged(p, q, verdict):
    assert st.change_verdict(p, q) == verdict
    between = {"signifikant": "forskjell", "tendens": "tendens", "ingen sikker endring": "ingen sikker forskjell"}.get(verdict, verdict)
    assert st.difference_verdict(p, q) == between


@pytest.mark.parametrize("p,verdict", [(0.001, "signifikant"), (0.0499, "signifikant"), (0.05, "tendens"),
                                       (0.0999, "tendens"), (0.10, "ingen sikker endring"), (0.7, "ingen sikker endring"), (float("nan"), "ikke testbar")])
def test_verdict_thresholds(p, verdict):
    assert st.verdict(p) == verdict


def test_bh_by_hand_and_against_statsmodels():
    np.testing.assert_allclose(st.bh_adjust([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 40)])
    np.testing.assert_allclose(st.bh_adjust(p), multipletests(p, method="fdr_bh")[1])
    with_nan = np.array([0.02, np.nan, 0.01, 0.5])
    out = st.bh_adjust(with_nan)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3]], multipletests(with_nan[[0, 2, 3]], method="fdr_bh")[1])


def test_chi_square_matches_scipy_without_correction():
    t = np.array([[45, 55], [30, 70]])
    r = st.chi_square(t)
    chi2, p, dof, _ = sst.chi2_contingency(t, correction=False)
    assert r["chi2"] == pytest.approx(chi2) == pytest.approx(4.8)  # by hand: 7.5²·(2/37.5 + 2/62.5)
    assert r["p_value"] == pytest.approx(p) and r["dof"] == dof == 1
    assert st.chi_square(t, correction=True)["chi2"] == pytest.approx(sst.chi2_contingency(t)[0])  # Yates only when asked
    big = np.array([[12, 30, 41, 8], [20, 22, 35, 15], [5, 9, 14, 2]])
    chi2, p, dof, _ = sst.chi2_contingency(big, correction=False)
    r = st.chi_square(big)
    assert (r["chi2"], r["p_value"], r["dof"]) == (pytest.approx(chi2), pytest.approx(p), dof)
    # an empty row is dropped instead of producing NaN
    r = st.chi_square(np.vstack([big, np.zeros(4)]))
    assert r["chi2"] == pytest.approx(chi2)


def test_round_half_up_like_printed_reports():
    assert st.round_half_up(12.5) == 13 and round(12.5) == 12  # Python rounds to even; reports do not
    assert st.round_half_up(37.5) == 38 and st.round_half_up(-2.5) == -3
    assert st.round_half_up(16.666666, 1) == 16.7 and st.round_half_up(0.125, 2) == 0.13
    np.testing.assert_array_equal(st.round_half_up(np.array([0.5, 1.5, 2.5])), [1, 2, 3])


def test_group_sums_against_pandas_groupby():
    rng = np.random.default_rng(1)
    codes = rng.integers(-1, 4, 200)
    vals = rng.normal(size=(200, 3))
    out = st.group_sums(codes, 4, vals)
    import pandas as pd

    ref = pd.DataFrame(vals)[codes >= 0].groupby(codes[codes >= 0]).sum().reindex(range(4), fill_value=0)
    np.testing.assert_allclose(out, ref.to_numpy())


def test_logit_average_marginal_effects_match_statsmodels():
    import statsmodels.api as sm

    from textmine.summary import _logit_ame

    rng = np.random.default_rng(5)
    n = 600
    X = np.column_stack([np.ones(n), rng.random(n) < 0.3, rng.random(n) < 0.5, rng.random(n) < 0.2]).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.8 - 1.2 * X[:, 1] + 0.4 * X[:, 2])))).astype(float)
    fit = sm.Logit(y, X).fit(disp=0)
    me = fit.get_margeff(at="overall", method="dydx", dummy=True)
    eff, se = _logit_ame(X, fit.params, fit.cov_params(), [1, 2, 3])
    np.testing.assert_allclose(eff, me.margeff, rtol=1e-6)
    np.testing.assert_allclose(se, me.margeff_se, rtol=1e-4)


def test_verbal_share_is_the_reports_wording():
    from textmine.report.numbers import verbal_share

    for p in np.linspace(0, 1, 1001):
        assert st.verbal_share(p) == verbal_share(p) and st.verbal_share(p, "nn") == verbal_share(p, "nn")
    # the old core wording doubled 5 % («1 av 10») and read 95 % as «10 av 10»
    assert st.verbal_share(0.05) == "1 av 20" and st.verbal_share(0.95) != "10 av 10"
