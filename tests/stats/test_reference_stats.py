"""textmine.stats against independent references: statsmodels / scipy where they implement the same method, and
textbook formulas written out here (independently of the package code) where they do not.

Every comparison is on hand-made edge cases (p = 0, p = 1, n = 1, zero/NaN weights) and on seeded random data.
"""

import math

import numpy as np
import pytest
from scipy import stats as sst
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.stats.proportion import test_proportions_2indep as wald_2indep

from textmine import stats as st

TOL = 1e-9
RNG_SEED = 20240611


def _z(level):
    return sst.norm.ppf(1 - (1 - level) / 2)


# ---------------------------------------------------------------------------- textbook formulas (independent)
def ref_wilson(x, n, level=0.95):
    """Wilson (1927) score interval, written from the textbook form."""
    z = _z(level)
    p = x / n
    c = (x + z * z / 2) / (n + z * z)
    h = z * math.sqrt(n) / (n + z * z) * math.sqrt(p * (1 - p) + z * z / (4 * n))
    return max(c - h, 0.0), min(c + h, 1.0)


def ref_logit(p, n, level=0.95):
    z = _z(level)
    lg = math.log(p) - math.log1p(-p)
    se = math.sqrt(1 / (n * p) + 1 / (n * (1 - p)))  # var(logit p̂) ≈ 1/(n p (1−p))
    f = lambda v: math.exp(v) / (1 + math.exp(v))  # noqa: E731
    return f(lg - z * se), f(lg + z * se)


def ref_kish(w):
    w = [v for v in w if not math.isnan(v)]
    return sum(w) ** 2 / sum(v * v for v in w) if sum(v * v for v in w) > 0 else 0.0


def ref_bh(p):
    """BH adjusted p: min over j ≥ i of m·p_(j)/j, capped at 1 (O(m²), no shared code with the package)."""
    m = len(p)
    srt = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for r, i in enumerate(srt, start=1):
        out[i] = min(1.0, min(p[srt[j - 1]] * m / j for j in range(r, m + 1)))
    return out


def ref_pearson(t):
    t = np.asarray(t, float)
    e = t.sum(1, keepdims=True) * t.sum(0, keepdims=True) / t.sum()
    chi2 = float(((t - e) ** 2 / e).sum())
    dof = (t.shape[0] - 1) * (t.shape[1] - 1)
    return chi2, dof, float(sst.chi2.sf(chi2, dof))


# ---------------------------------------------------------------------------- Kish n
def test_kish_n_by_hand_and_random():
    assert st.kish_n([1, 1, 1, 1]) == 4
    assert st.kish_n([2, 2, 2]) == pytest.approx(3, abs=TOL)
    assert st.kish_n([1, 3]) == pytest.approx(16 / 10, abs=TOL)
    assert st.kish_n([1, np.nan, 3]) == pytest.approx(1.6, abs=TOL)  # NaN weight = row left out
    assert st.kish_n([0, 0]) == 0.0 and st.kish_n([]) == 0.0
    assert st.kish_n([5, 0, 0]) == pytest.approx(1, abs=TOL)  # zero weights do not count
    rng = np.random.default_rng(RNG_SEED)
    worst = 0.0
    for _ in range(200):
        w = rng.lognormal(0, rng.uniform(0, 1.5), rng.integers(1, 400))
        worst = max(worst, abs(st.kish_n(w) - ref_kish(list(w))) / len(w))
        assert st.kish_n(w * 17.3) == pytest.approx(st.kish_n(w), rel=1e-12)  # scale-free
        assert st.kish_n(w) <= len(w) + 1e-9
    assert worst < 1e-12


# ---------------------------------------------------------------------------- Wilson / logit / proportion_ci
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_wilson_matches_statsmodels_and_textbook_including_edges(level):
    cases = [(0, 1), (1, 1), (0, 5), (5, 5), (1, 2), (3, 10), (0, 250), (250, 250), (17, 40), (499, 1000)]
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(300):
        n = int(rng.integers(1, 3000))
        cases.append((int(rng.integers(0, n + 1)), n))
    worst = 0.0
    for x, n in cases:
        lo, hi = st.wilson_ci(x, n, level)
        slo, shi = proportion_confint(x, n, alpha=1 - level, method="wilson")
        rlo, rhi = ref_wilson(x, n, level)
        worst = max(worst, abs(lo - slo), abs(hi - shi), abs(lo - rlo), abs(hi - rhi))
        assert lo <= x / n <= hi
    assert worst < TOL
    # p = 0 and p = 1: the bound at the edge is exactly the edge (not a rounding error below 0 / above 1)
    assert st.wilson_ci(0, 7, level)[0] == 0.0 and st.wilson_ci(7, 7, level)[1] == 1.0
    # vectorised call = element-wise calls
    xs, ns = np.array([c[0] for c in cases]), np.array([c[1] for c in cases])
    vlo, vhi = st.wilson_ci(xs, ns, level)
    np.testing.assert_allclose(vlo, [st.wilson_ci(x, n, level)[0] for x, n in cases], atol=0, rtol=0)
    np.testing.assert_allclose(vhi, [st.wilson_ci(x, n, level)[1] for x, n in cases], atol=0, rtol=0)


def test_wilson_empty_group_is_nan():
    assert all(math.isnan(v) for v in st.wilson_ci(0, 0))


@pytest.mark.parametrize("level", [0.90, 0.95])
def test_logit_ci_matches_textbook(level):
    rng = np.random.default_rng(RNG_SEED + 1)
    worst = 0.0
    for _ in range(300):
        p, n = rng.uniform(0.001, 0.999), rng.uniform(1.5, 2000)
        lo, hi = st.logit_ci(p, n, level)
        rlo, rhi = ref_logit(p, n, level)
        worst = max(worst, abs(lo - rlo), abs(hi - rhi))
        assert 0 < lo < p < hi < 1
    assert worst < TOL
    for p in (0.0, 1.0):
        assert all(math.isnan(v) for v in st.logit_ci(p, 50, level))
    assert all(math.isnan(v) for v in st.logit_ci(0.3, 0, level))


def test_proportion_ci_method_is_the_documented_one():
    # unweighted: Wilson on n
    lo, hi, m = st.proportion_ci(np.array([0.0, 0.3, 1.0]), np.array([10, 10, 10]), weighted=False)
    np.testing.assert_allclose(lo, [ref_wilson(0, 10)[0], ref_wilson(3, 10)[0], ref_wilson(10, 10)[0]], atol=TOL)
    np.testing.assert_allclose(hi, [ref_wilson(0, 10)[1], ref_wilson(3, 10)[1], ref_wilson(10, 10)[1]], atol=TOL)
    assert list(m) == ["wilson"] * 3
    # weighted: Wilson on Kish n, at p = 0 / 1 too (review dec06d: the logit interval misbehaved at small counts)
    lo, hi, m = st.proportion_ci(np.array([0.0, 0.3, 1.0]), np.array([7.5, 7.5, 7.5]), weighted=True)
    assert list(m) == ["wilson-kish"] * 3
    np.testing.assert_allclose([lo[1], hi[1]], ref_wilson(0.3 * 7.5, 7.5), atol=TOL)
    np.testing.assert_allclose([lo[0], hi[0]], ref_wilson(0, 7.5), atol=TOL)
    np.testing.assert_allclose([lo[2], hi[2]], ref_wilson(7.5, 7.5), atol=TOL)


# ---------------------------------------------------------------------------- proportion(): the published share
def test_weighted_share_and_proportion_by_hand():
    y = [1, 0, 1, np.nan, 1, 0]
    w = [2.0, 1.0, 0.5, 3.0, 1.0, np.nan]
    # rows 0,1,2,4 count (NaN y and NaN weight are left out)
    share = (2 + 0.5 + 1) / (2 + 1 + 0.5 + 1)
    assert st.weighted_share(y, w) == pytest.approx(share, abs=TOL)
    e = st.proportion(y, w)
    neff = ref_kish([2.0, 1.0, 0.5, 1.0])
    assert e.share == pytest.approx(share, abs=TOL) and e.n == 4 and e.n_eff == pytest.approx(neff, abs=TOL)
    assert (e.ci_low, e.ci_high) == pytest.approx(ref_wilson(share * neff, neff), abs=TOL)
    assert e.method == "wilson-kish" and e.weighted
    u = st.proportion(y)
    assert u.share == pytest.approx(3 / 5) and u.n == 5 and u.count == 3
    assert (u.ci_low, u.ci_high) == pytest.approx(ref_wilson(3, 5), abs=TOL) and u.method == "wilson"


@pytest.mark.parametrize("weighted", [False, True])
def test_proportion_random_against_reference(weighted):
    rng = np.random.default_rng(RNG_SEED + 2)
    worst = 0.0
    for _ in range(150):
        n = int(rng.integers(1, 600))
        y = (rng.uniform(size=n) < rng.uniform(-0.1, 1.1)).astype(float)  # includes all-0 / all-1 samples
        y[rng.uniform(size=n) < 0.1] = np.nan
        w = rng.lognormal(0, 0.7, n) if weighted else None
        e = st.proportion(y, w)
        ok = ~np.isnan(y)
        if not ok.any():
            assert math.isnan(e.share)
            continue
        if weighted:
            share = float(np.sum(w[ok] * y[ok]) / np.sum(w[ok]))
            neff = ref_kish(list(w[ok]))
            ref = ref_wilson(share * neff, neff)
        else:
            share, neff = float(np.mean(y[ok])), float(ok.sum())
            ref = ref_wilson(float(np.sum(y[ok])), int(ok.sum()))
            s = proportion_confint(int(np.sum(y[ok])), int(ok.sum()), method="wilson")
            worst = max(worst, abs(e.ci_low - s[0]), abs(e.ci_high - s[1]))
        worst = max(worst, abs(e.share - share), abs(e.n_eff - neff) / max(neff, 1), abs(e.ci_low - ref[0]),
                    abs(e.ci_high - ref[1]))
        assert e.ci_low <= e.share <= e.ci_high
    assert worst < TOL


def test_equal_weights_give_the_unweighted_share_and_n():
    rng = np.random.default_rng(RNG_SEED + 3)
    y = (rng.uniform(size=137) < 0.4).astype(float)
    e, u = st.proportion(y, np.full(137, 2.5)), st.proportion(y)
    assert e.share == pytest.approx(u.share, abs=TOL) and e.n_eff == pytest.approx(137, abs=1e-9)


# ---------------------------------------------------------------------------- weighted mean
def test_weighted_mean_against_reference():
    rng = np.random.default_rng(RNG_SEED + 4)
    z = _z(0.95)
    worst = 0.0
    for _ in range(100):
        n = int(rng.integers(2, 300))
        x = rng.integers(1, 7, n).astype(float)
        # unweighted: sample SD (n − 1), Student's t CI with n − 1 df (was the normal z before review dec05)
        m = st.weighted_mean(x)
        sd = float(np.std(x, ddof=1))
        tq = float(sst.t.ppf(0.975, n - 1))
        worst = max(worst, abs(m.mean - np.mean(x)), abs(m.sd - sd),
                    abs(m.ci_low - (np.mean(x) - tq * sd / math.sqrt(n))), abs(m.ci_high - (np.mean(x) + tq * sd / math.sqrt(n))))
        # weighted: weighted SD with Kish-n correction, SE = SD / sqrt(n_eff)
        w = rng.lognormal(0, 0.6, n)
        mw = st.weighted_mean(x, w)
        mu = sum(wi * xi for wi, xi in zip(w, x)) / sum(w)
        ne = ref_kish(list(w))
        var = sum(wi * (xi - mu) ** 2 for wi, xi in zip(w, x)) / sum(w) * ne / (ne - 1)
        half = z * math.sqrt(var / ne)
        worst = max(worst, abs(mw.mean - mu), abs(mw.n_eff - ne), abs(mw.sd - math.sqrt(var)),
                    abs(mw.ci_low - (mu - half)), abs(mw.ci_high - (mu + half)))
    assert worst < 1e-9


# ---------------------------------------------------------------------------- two-proportion test / change CI
def test_two_proportion_newcombe_ci_and_pooled_z_match_statsmodels_random():
    # review dec05: the CI is Newcombe's hybrid score interval and the p-value the pooled z-test (Fisher's exact
    # test at 0 %/100 % or an expected count under 5) — no longer the unpooled Wald test and interval
    rng = np.random.default_rng(RNG_SEED + 5)
    worst = 0.0
    for _ in range(400):
        n1, n2 = int(rng.integers(2, 2000)), int(rng.integers(2, 2000))
        x1, x2 = int(rng.integers(1, n1)), int(rng.integers(1, n2))
        r = st.two_proportion_test(x1 / n1, n1, x2 / n2, n2)
        lo, hi = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
        pp = (x1 + x2) / (n1 + n2)
        if min(pp * n1, (1 - pp) * n1, pp * n2, (1 - pp) * n2) < 5:
            ref_p = sst.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])[1]
            assert r["test"] == "fisher"
        else:
            ref_p = proportions_ztest([x2, x1], [n2, n1])[1]
            assert r["test"] == "z-pooled"
        worst = max(worst, abs(r["p_value"] - ref_p), abs(r["ci_low"] - lo), abs(r["ci_high"] - hi),
                    abs(r["diff"] - (x2 / n2 - x1 / n1)))
    assert worst < TOL


def test_two_proportion_pooled_matches_statsmodels_proportions_ztest():
    rng = np.random.default_rng(RNG_SEED + 6)
    worst = 0.0
    for _ in range(300):
        n1, n2 = int(rng.integers(2, 2000)), int(rng.integers(2, 2000))
        x1, x2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        if x1 + x2 in (0, n1 + n2):
            continue
        r = st.two_proportion_test(x1 / n1, n1, x2 / n2, n2, pooled=True)
        zs, ps = proportions_ztest([x2, x1], [n2, n1])
        worst = max(worst, abs(r["z"] - zs), abs(r["p_value"] - ps))
    assert worst < TOL


def test_two_proportion_weighted_uses_kish_n():
    rng = np.random.default_rng(RNG_SEED + 7)
    y1, y2 = (rng.uniform(size=300) < 0.4).astype(float), (rng.uniform(size=250) < 0.5).astype(float)
    w1, w2 = rng.lognormal(0, 0.8, 300), rng.lognormal(0, 0.8, 250)
    a, b = st.proportion(y1, w1), st.proportion(y2, w2)
    r = st.two_proportion_test(a.share, a.n_eff, b.share, b.n_eff)
    n1, n2 = ref_kish(list(w1)), ref_kish(list(w2))
    # Newcombe's interval from the Wilson intervals on Kish n; pooled z on Kish n (review dec05)
    l1, u1 = ref_wilson(a.share * n1, n1)
    l2, u2 = ref_wilson(b.share * n2, n2)
    d = b.share - a.share
    assert r["ci_low"] == pytest.approx(d - math.sqrt((b.share - l2) ** 2 + (u1 - a.share) ** 2), abs=TOL)
    assert r["ci_high"] == pytest.approx(d + math.sqrt((u2 - b.share) ** 2 + (a.share - l1) ** 2), abs=TOL)
    pp = (a.share * n1 + b.share * n2) / (n1 + n2)
    se = math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
    assert r["p_value"] == pytest.approx(2 * sst.norm.sf(abs(d) / se), abs=TOL)


@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_ci_of_difference_and_p_mostly_agree(level):
    # Newcombe's CI and the pooled z / Fisher test are different methods (review dec05): they no longer agree
    # exactly (the old Wald CI ⟺ Wald p), but nearly always; change_verdict takes the CI as well
    rng = np.random.default_rng(RNG_SEED + 8)
    n1, n2 = rng.integers(5, 800, 5000).astype(float), rng.integers(5, 800, 5000).astype(float)
    p1 = rng.integers(0, n1 + 1) / n1
    p2 = np.clip(p1 + rng.normal(0, 0.08, 5000), 0, 1)
    r = st.two_proportion_test(p1, n1, p2, n2, level=level)
    ok = ~np.isnan(r["p_value"]) & ~r["degenerate"]
    excl = (r["ci_low"] > 0) | (r["ci_high"] < 0)
    sig = r["p_value"] < 1 - level
    assert np.mean((excl == sig)[ok]) > 0.97


def test_two_proportion_edge_cases():
    both0 = st.two_proportion_test(0.0, 40, 0.0, 55)
    assert both0["p_value"] == 1.0 and both0["degenerate"] and both0["diff"] == 0
    both1 = st.two_proportion_test(1.0, 40, 1.0, 55)
    assert both1["p_value"] == 1.0 and both1["degenerate"]
    one0 = st.two_proportion_test(0.0, 40, 0.2, 50)  # a 0 % group: Fisher's exact test, not the Wald z (dec05)
    assert one0["p_value"] == pytest.approx(sst.fisher_exact([[0, 40], [10, 40]])[1], abs=TOL)
    assert one0["test"] == "fisher" and not one0["degenerate"]
    empty = st.two_proportion_test(0.3, 0, 0.2, 50)
    assert math.isnan(empty["p_value"]) and math.isnan(empty["ci_low"])
    assert st.verdict(empty["p_value"]) == "ikke testbar"


# ---------------------------------------------------------------------------- Benjamini–Hochberg
def test_bh_matches_statsmodels_and_textbook():
    rng = np.random.default_rng(RNG_SEED + 9)
    cases = [[0.01], [0.04, 0.04, 0.04], [0.0, 1.0, 0.5], [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
             [1.0, 1.0], [0.05, 0.05, 0.01, 0.01]]
    for _ in range(300):
        m = int(rng.integers(1, 60))
        p = rng.uniform(size=m) ** rng.uniform(0.5, 4)
        if rng.uniform() < 0.3:  # ties
            p = np.round(p, 2)
        cases.append(list(p))
    worst = 0.0
    for p in cases:
        a = st.bh_adjust(p)
        worst = max(worst, np.max(np.abs(a - multipletests(p, method="fdr_bh")[1])),
                    np.max(np.abs(a - np.asarray(ref_bh(p)))),
                    np.max(np.abs(a - sst.false_discovery_control(p, method="bh"))))
        assert np.all(a >= np.asarray(p) - 1e-15) and np.all(a <= 1)
    assert worst < 1e-12


def test_bh_leaves_nan_out_of_the_family():
    p = [0.01, np.nan, 0.04, np.nan, 0.03]
    a = st.bh_adjust(p)
    assert np.isnan(a[1]) and np.isnan(a[3])
    np.testing.assert_allclose(a[[0, 2, 4]], multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1], atol=1e-15)
    assert np.all(np.isnan(st.bh_adjust([np.nan, np.nan])))


# ---------------------------------------------------------------------------- verdicts
def test_change_verdict_rule_and_consistency_with_ci():
    rng = np.random.default_rng(RNG_SEED + 10)
    m = 40
    for _ in range(200):
        n1, n2 = rng.integers(20, 600, m).astype(float), rng.integers(20, 600, m).astype(float)
        p1 = rng.uniform(0.05, 0.95, m)
        p2 = np.clip(p1 + rng.normal(0, 0.07, m), 0.01, 0.99)
        r = st.two_proportion_test(p1, n1, p2, n2)
        q = st.bh_adjust(r["p_value"])
        v = st.change_verdict(r["p_value"], q, ci_low=r["ci_low"], ci_high=r["ci_high"])
        excl = (r["ci_low"] > 0) | (r["ci_high"] < 0)
        for i in range(m):
            # review dec05: «tendens» on the adjusted p (< 0.10), not the unadjusted one; «signifikant» also
            # needs the (Newcombe) CI to exclude 0
            exp = "signifikant" if q[i] < 0.05 and excl[i] else ("tendens" if q[i] < 0.10 else "ingen sikker endring")
            assert v[i] == exp
            if v[i] == "signifikant":
                assert excl[i]  # significant ⇒ the CI of the difference excludes 0
        dv = st.difference_verdict(r["p_value"], q, ci_low=r["ci_low"], ci_high=r["ci_high"])
        mapping = {"signifikant": "forskjell", "tendens": "tendens", "ingen sikker endring": "ingen sikker forskjell"}
        assert [mapping[x] for x in v] == list(dv)


def test_verdict_thresholds_are_strict():
    assert st.change_verdict(0.05, 0.05) == "tendens"
    assert st.change_verdict(0.0499, 0.0499) == "signifikant"
    assert st.change_verdict(0.10, 0.2) == "ingen sikker endring"
    assert st.change_verdict(0.0999, 0.2) == "ingen sikker endring"  # dec05: an unadjusted p < 0.10 alone is no tendency
    assert st.change_verdict(0.09, 0.0999) == "tendens"
    assert st.change_verdict(np.nan, np.nan) == "ikke testbar"


# ---------------------------------------------------------------------------- chi-square / crosstab
@pytest.mark.parametrize("correction", [False, True])
def test_chi_square_matches_scipy_and_textbook(correction):
    rng = np.random.default_rng(RNG_SEED + 11)
    worst = 0.0
    for _ in range(200):
        r, c = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        t = rng.integers(0, 60, (r, c)).astype(float) + 1
        res = st.chi_square(t, correction=correction)
        chi2, p, dof, exp = sst.chi2_contingency(t, correction=correction)
        worst = max(worst, abs(res["chi2"] - chi2), abs(res["p_value"] - p), np.max(np.abs(res["expected"] - exp)))
        assert res["dof"] == dof == (r - 1) * (c - 1)
        if not correction or (r, c) != (2, 2):
            rc, rd, rp = ref_pearson(t)
            worst = max(worst, abs(res["chi2"] - rc), abs(res["p_value"] - rp))
    assert worst < 1e-9


def test_chi_square_default_has_no_yates_and_yates_is_the_textbook_one():
    t = np.array([[12.0, 5.0], [7.0, 15.0]])
    assert st.chi_square(t)["chi2"] == pytest.approx(ref_pearson(t)[0], abs=TOL)
    e = t.sum(1, keepdims=True) * t.sum(0, keepdims=True) / t.sum()
    yates = float(((np.maximum(np.abs(t - e) - 0.5, 0)) ** 2 / e).sum())
    assert st.chi_square(t, correction=True)["chi2"] == pytest.approx(yates, abs=TOL)


def test_chi_square_drops_empty_rows_and_columns_before_dof():
    t = np.array([[10.0, 0, 5], [0, 0, 0], [4, 0, 9]])
    res = st.chi_square(t)
    rc, rd, rp = ref_pearson([[10.0, 5], [4, 9]])
    assert res["dof"] == rd == 1 and res["chi2"] == pytest.approx(rc, abs=TOL)


def test_crosstab_unweighted_and_weighted_against_reference():
    import pandas as pd

    rng = np.random.default_rng(RNG_SEED + 12)
    n = 700
    df = pd.DataFrame({"a": rng.choice(["x", "y", "z"], n), "b": rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1]),
                       "w": rng.lognormal(0, 0.7, n)})
    df.loc[rng.uniform(size=n) < 0.05, "b"] = np.nan
    d = df.dropna(subset=["a", "b"])
    t = pd.crosstab(d["a"], d["b"]).to_numpy(float)
    u = st.crosstab(df, "a", "b")
    chi2, p, dof, _ = sst.chi2_contingency(t, correction=False)
    assert u["chi2"] == pytest.approx(chi2, abs=1e-9) and u["p_value"] == pytest.approx(p, abs=1e-12) and u["dof"] == dof
    assert u["n"] == len(d)
    # weighted: Pearson chi-square of the weighted table rescaled to Kish n (= scaled to n, divided by deff n/n_eff)
    tw = pd.crosstab(d["a"], d["b"], values=d["w"], aggfunc="sum").fillna(0).to_numpy(float)
    ne = ref_kish(list(d["w"]))
    rc, rd, rp = ref_pearson(tw * ne / tw.sum())
    wres = st.crosstab(df, "a", "b", weight="w")
    assert wres["chi2"] == pytest.approx(rc, abs=1e-9) and wres["dof"] == rd and wres["p_value"] == pytest.approx(rp, abs=1e-12)
    assert wres["n_effective"] == pytest.approx(ne, abs=1e-9)
    # row percentages: 100 · row share, rounded half-up to 1 decimal
    pct = 100 * tw / tw.sum(1, keepdims=True)
    got = np.array([[wres["row_percent"][r][c] for c in wres["row_percent"][r]] for r in wres["row_percent"]])
    np.testing.assert_allclose(got, st.round_half_up(pct, 1), atol=1e-12)
    assert np.max(np.abs(got - pct)) <= 0.05 + 1e-12
