"""The driver logit with survey weights: pseudo-maximum likelihood (the maximiser of Σ wᵢ·loglikᵢ), a robust
sandwich covariance, average marginal effects averaged with the weights and delta-method SEs — each checked against
an independent computation (scipy's optimiser, numeric derivatives); unweighted data as statsmodels' own
``Logit(...).get_margeff()``; weight-0 rows count for nothing, in the fit and in the separation check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.optimize import minimize
from scipy.stats import norm

import textmine.summary as summary
from textmine.summary import build_summary

WEIGHTED = "logit (gjennomsnittlig marginaleffekt, vektet, robust SE)"
UNWEIGHTED = "logit (gjennomsnittlig marginaleffekt, uvektet)"


def _expit(e):
    return 1 / (1 + np.exp(-e))


def _design(seed: int = 3, n: int = 400):
    """Constant, two 0/1 themes, one 0/1 control; a 0/1 outcome; weights (some 0)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.integers(0, 2, (n, 3))]).astype(float)
    y = (rng.random(n) < _expit(X @ [-0.3, 0.9, -0.7, 0.4])).astype(float)
    w = rng.gamma(1.5, 2.0, n)
    w[rng.random(n) < 0.1] = 0.0
    return X, y, w


def _weighted_mle(X, y, w) -> np.ndarray:
    """argmax Σ wᵢ·loglikᵢ by scipy (BFGS on the analytic gradient, tight tolerance)."""
    def nll(b):
        e = X @ b
        return -np.sum(w * (y * e - np.logaddexp(0, e)))

    def grad(b):
        return -(w * (y - _expit(X @ b))) @ X

    r = minimize(nll, np.zeros(X.shape[1]), jac=grad, method="BFGS", options={"gtol": 1e-11, "maxiter": 1000})
    return r.x


def _numeric_jacobian(f, b, h=1e-6) -> np.ndarray:
    """Central differences of the vector function ``f`` at ``b`` (rows: outputs, columns: b)."""
    cols = []
    for k in range(len(b)):
        d = np.zeros(len(b))
        d[k] = h
        cols.append((np.asarray(f(b + d)) - np.asarray(f(b - d))) / (2 * h))
    return np.column_stack(cols)


def _sandwich(X, y, w, b) -> np.ndarray:
    """H⁻¹ M H⁻¹: H the numeric Hessian of −Σ wᵢ·loglikᵢ, M = Σ (wᵢ·scoreᵢ)(wᵢ·scoreᵢ)ᵀ."""
    H = _numeric_jacobian(lambda bb: (w * (y - _expit(X @ bb))) @ X, b)  # = −Hessian of Σ w·loglik
    S = X * (w * (y - _expit(X @ b)))[:, None]
    Hi = np.linalg.inv(-H)
    return Hi @ (S.T @ S) @ Hi


def _ame(X, b, cols, w) -> np.ndarray:
    """Weighted mean over the rows of P(y=1 | x_c=1) − P(y=1 | x_c=0), per column c."""
    out = []
    for c in cols:
        X1, X0 = X.copy(), X.copy()
        X1[:, c], X0[:, c] = 1.0, 0.0
        out.append(np.sum(w * (_expit(X1 @ b) - _expit(X0 @ b))) / np.sum(w))
    return np.asarray(out)


def test_weighted_fit_is_the_weighted_mle_with_a_sandwich_covariance():
    X, y, w = _design()
    beta, cov = summary._fit_logit(y, X, w)
    b = _weighted_mle(X, y, w)
    assert beta == pytest.approx(b, abs=1e-6)
    assert cov == pytest.approx(_sandwich(X, y, w, b), rel=1e-4)
    # not the unweighted MLE, nor its model-based covariance
    plain = sm.Logit(y, X).fit(disp=0)
    assert np.abs(beta - plain.params).max() > 1e-3
    assert np.abs(np.sqrt(np.diag(cov)) - plain.bse).max() > 1e-3


def test_weight_zero_rows_count_for_nothing():
    X, y, w = _design()
    pos = w > 0
    beta, cov = summary._fit_logit(y[pos], X[pos], w[pos])
    # rows of weight 0 that, counted, would pull hard (all outcomes flipped) change nothing
    beta0, cov0 = summary._fit_logit(np.r_[y, 1 - y[~pos]], np.r_[X, X[~pos]], np.r_[w, w[~pos] * 0])
    assert beta0 == pytest.approx(beta, abs=1e-9) and cov0 == pytest.approx(cov, rel=1e-7)
    # the scale of the weights does not matter (normalised), only their ratios
    beta7, cov7 = summary._fit_logit(y, X, 7.0 * w)
    assert beta7 == pytest.approx(beta0, abs=1e-9) and cov7 == pytest.approx(cov0, rel=1e-7)


def test_weighted_fit_refuses_a_design_singular_among_the_positive_weights():
    X, y, w = _design()
    w = np.where(X[:, 1] == 1, 0.0, w)  # the first theme only among weight-0 rows: its effect is not estimable
    with pytest.raises(np.linalg.LinAlgError, match="positive weight"):
        summary._fit_logit(y, X, w)


def test_weighted_ame_and_delta_method_se_match_numeric_derivatives():
    X, y, w = _design()
    b = _weighted_mle(X, y, w)
    V = _sandwich(X, y, w, b)
    cols = [1, 2, 3]
    eff, se = summary._logit_ame(X, b, V, cols, weights=w)
    assert eff == pytest.approx(_ame(X, b, cols, w), abs=1e-12)
    G = _numeric_jacobian(lambda bb: _ame(X, bb, cols, w), b)
    assert se == pytest.approx(np.sqrt(np.diag(G @ V @ G.T)), rel=1e-6)
    # the unweighted mean differs
    assert np.abs(eff - _ame(X, b, cols, np.ones(len(y)))).max() > 1e-4


def test_unweighted_ame_is_statsmodels_get_margeff():
    X, y, _ = _design(seed=5)
    fit = sm.Logit(y, X).fit(disp=0)
    me = fit.get_margeff(at="overall", dummy=True)
    eff, se = summary._logit_ame(X, fit.params, fit.cov_params(), [1, 2, 3])
    assert eff == pytest.approx(me.margeff, abs=1e-12) and se == pytest.approx(me.margeff_se, rel=1e-8)
    # weights all 1 give the same average, bit for bit
    eff1, se1 = summary._logit_ame(X, fit.params, fit.cov_params(), [1, 2, 3], weights=np.ones(len(y)))
    assert np.array_equal(eff1, eff) and np.array_equal(se1, se)


def _spy_fits(monkeypatch) -> list[tuple]:
    """Record the (y, X, w) of every driver logit fit."""
    calls: list[tuple] = []
    real = summary._fit_logit

    def spy(y, X, w=None):
        calls.append((np.array(y), np.array(X), None if w is None else np.array(w)))
        return real(y, X, w)

    monkeypatch.setattr(summary, "_fit_logit", spy)
    return calls


def _wave(sample_data, wave=2023):
    frames, coded, _, _ = sample_data
    return frames[wave].copy(), coded[wave]


def _driver_rows(s, question: str) -> pd.DataFrame:
    d = s.table("drivers")
    return d[d["question"] == question].reset_index(drop=True)


def test_sample_wave_unweighted_drivers_are_statsmodels_logit(sample_survey, sample_data, monkeypatch):
    df, cf = _wave(sample_data)
    sv = dataclasses.replace(sample_survey, weight_column=None)
    calls = _spy_fits(monkeypatch)
    s = build_summary({2023: df}, sv, {2023: cf}, quotes=False)
    questions = list(dict.fromkeys(s.table("drivers")["question"]))
    assert len(calls) == len(questions) == 2
    z = norm.ppf(0.975)
    for (y, X, w), q in zip(calls, questions):
        assert w is None
        fit = sm.Logit(y, X).fit(disp=0, method="newton", maxiter=50)
        me = fit.get_margeff(at="overall", dummy=True)
        t = _driver_rows(s, q)
        assert set(t["method"]) == {UNWEIGHTED}
        cols = [int(np.flatnonzero(np.isclose(me.margeff, e / 100, atol=1e-12, rtol=0))[0]) for e in t["effect_pp"]]
        assert t["effect_pp"].to_numpy() == pytest.approx(100 * me.margeff[cols], abs=1e-9)
        assert t["ci_low_pp"].to_numpy() == pytest.approx(100 * (me.margeff[cols] - z * me.margeff_se[cols]), abs=1e-7)
        assert t["odds_ratio"].to_numpy() == pytest.approx(np.exp(fit.params[1:][cols]), rel=1e-8)


def test_sample_wave_weighted_drivers_are_the_weighted_mle(sample_survey, sample_data, monkeypatch):
    df, cf = _wave(sample_data)
    calls = _spy_fits(monkeypatch)
    s = build_summary({2023: df}, sample_survey, {2023: cf}, quotes=False)
    questions = list(dict.fromkeys(s.table("drivers")["question"]))
    assert len(calls) == len(questions) == 2
    z = norm.ppf(0.975)
    for (y, X, w), q in zip(calls, questions):
        assert w is not None and np.ptp(w) > 0
        b = _weighted_mle(X, y, w)
        V = _sandwich(X, y, w, b)
        t = _driver_rows(s, q)
        assert set(t["method"]) == {WEIGHTED}
        cols = list(range(1, X.shape[1]))
        eff = _ame(X, b, cols, w)
        se = np.sqrt(np.diag((G := _numeric_jacobian(lambda bb: _ame(X, bb, cols, w), b)) @ V @ G.T))
        idx = [int(np.argmin(np.abs(eff - e / 100))) for e in t["effect_pp"]]
        assert t["effect_pp"].to_numpy() == pytest.approx(100 * eff[idx], abs=1e-5)
        assert t["ci_high_pp"].to_numpy() == pytest.approx(100 * (eff[idx] + z * se[idx]), abs=1e-4)
        assert t["odds_ratio"].to_numpy() == pytest.approx(np.exp(b[1:][idx]), rel=1e-5)


def test_separation_among_positive_weights_falls_back_to_the_linear_model(sample_survey, sample_data):
    """«ros» separates the outcome once its mentioners with a negative outcome weigh 0: the weighted logit has no
    finite estimate, the unweighted one has."""
    df, cf = _wave(sample_data)
    out_col = sample_survey.outcome.column
    ros = set(cf.loc[(cf["question"] == "fritekst_generell") & (cf["theme_ros"] == 1), "respondent_id"])
    is_ros = df[sample_survey.id_column].astype(str).isin(ros)
    negative = pd.to_numeric(df[out_col], errors="coerce").between(1, 3)
    assert (is_ros & negative).sum() > 0 and (is_ros & ~negative).sum() >= 2 * sample_survey.min_cell
    df.loc[is_ros & negative, sample_survey.weight_column] = 0.0
    weighted = build_summary({2023: df}, sample_survey, {2023: cf}, quotes=False)
    t = _driver_rows(weighted, "fritekst_generell")
    assert len(t) and all(m.startswith("lineær sannsynlighetsmodell, vektet WLS") for m in t["method"])
    assert any("fritekst_generell 2023: logistic model failed (perfect separation:" in m
               and "commenters with theme ros have outcome positive" in m for m in weighted.warnings)
    unweighted = build_summary({2023: df}, dataclasses.replace(sample_survey, weight_column=None), {2023: cf},
                               quotes=False)
    assert set(_driver_rows(unweighted, "fritekst_generell")["method"]) == {UNWEIGHTED}


def test_weighted_label_reads_in_nynorsk():
    from textmine.report.wording import nn_text

    assert nn_text(WEIGHTED, "nn") == "logit (gjennomsnittleg marginaleffekt, vekta, robust SE)"
    assert summary._driver_method_label("logit", True) == WEIGHTED
    assert summary._driver_method_label("logit", False) == UNWEIGHTED
