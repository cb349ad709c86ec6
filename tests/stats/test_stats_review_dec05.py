"""The survey statistician's review of 5 December: hidden cells recovered through respondents without a segment
value, edge-blind two-proportion tests, themes missing from one wave, «tendens» from unadjusted p-values, weight-0
respondents counted toward min_cell, the Rogan–Gladen share, and the unweighted mean's CI. Expected values are
computed here by hand or with scipy (Fisher's exact test), independently of the package code."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst

from textmine import stats as st
from textmine.summary import MISSING_LEVEL, build_summary

Z = sst.norm.ppf(0.975)


def _hide(survey, **kw):
    return dataclasses.replace(survey, suppression="hide", **kw)


def _wilson(x, n):
    """Wilson score interval written out (Wilson 1927)."""
    p = x / n
    c = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(min(c - h, p), 0.0), min(max(c + h, p), 1.0)


def _newcombe(p1, n1, p2, n2):
    """Newcombe (1998) method 10, written out from the paper's formula."""
    (l1, u1), (l2, u2) = _wilson(p1 * n1, n1), _wilson(p2 * n2, n2)
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


# ---------------------------------------------------------------------------- 1. missing segment value
def _one_blank(frames, survey, column, value="Frivillig", row=5):
    d = frames[2023].copy()
    d[column] = d[column].astype(object)
    d.loc[d.index[row], column] = value  # an undeclared level: cleared to missing by the summary
    return d


def test_missing_segment_value_is_a_suppressed_level_and_total_minus_levels_gives_nothing(sample_survey, sample_data):
    frames, _, _, _ = sample_data
    survey = _hide(sample_survey)
    d = _one_blank(frames, survey, "sektor")
    s = build_summary({2022: frames[2022], 2023: d}, survey, quotes=False, drivers=False)
    ind = s.table("indicators")
    for iid in ("helhet", "telefon"):
        x = ind[(ind["wave"] == 2023) & (ind["indicator"] == iid)]
        tot = x[x["segment"] == "Totalt"].iloc[0]
        lv = x[x["segment"] == "sektor"]
        assert lv["value"].tolist()[-1] == MISSING_LEVEL == "(uoppgitt)"  # its own level, listed last
        miss = lv[lv["value"] == MISSING_LEVEL].iloc[0]
        assert miss["n_total"] == 1 and miss["suppressed"] and not miss["suppressed_secondary"]
        assert math.isnan(miss["share_w"]) and math.isnan(miss["mean"])
        assert int(lv["n_total"].sum()) == int(tot["n_total"])  # every respondent is in some level
        hidden = lv[lv["suppressed"]]
        assert len(hidden) >= 2 and hidden["suppressed_secondary"].any()  # the next smallest level goes too
        assert hidden["n"].sum() >= survey.min_cell  # total − visible levels = several hidden people together
    # a blank in one wave only is not reported as a renamed level
    assert not any("segment sektor" in w and "only in" in w for w in s.warnings)
    ch = s.table("changes")
    assert (ch.loc[ch["value"] == MISSING_LEVEL, "verdict"] == "for få svar").all()
    assert (ch.loc[ch["suppressed"], "test"] == "").all()  # not even which test a hidden cell would get
    assert set(ch.loc[~ch["suppressed"], "test"]) <= {"fisher", "z-pooled"}


def test_theme_counts_of_a_commenter_without_segment_value_cannot_be_recovered(sample_survey, sample_data):
    frames, coded, _, _ = sample_data
    survey = _hide(sample_survey)
    c = coded[2022]
    rid = c[(c["question"] == "fritekst_generell") & (c["is_non_answer"] == 0)]["respondent_id"].iloc[0]
    d = frames[2022].copy()
    d["ansatte"] = d["ansatte"].astype(object)
    d.loc[d["respondent_id"].astype(str) == rid, "ansatte"] = None
    s = build_summary({2022: d}, survey, {2022: c}, quotes=False, drivers=False)
    t = s.table("themes")
    t = t[(t["question"] == "fritekst_generell") & (t["segment"] == "ansatte")]
    miss = t[t["value"] == MISSING_LEVEL]
    assert len(miss) == 16 * 3 and miss["suppressed"].all() and miss["count"].isna().all()
    k = t[t["denominator"] == "kommentatorer"]
    for th, g in k.groupby("theme"):
        hidden = g[g["suppressed"]]
        assert len(hidden) >= 2, th  # (uoppgitt) and the next smallest level
        assert hidden["n"].sum() >= survey.min_cell


# ---------------------------------------------------------------------------- 2. two-proportion test at the edges
@pytest.mark.parametrize("x1,n1,x2,n2", [(0, 20, 3, 20), (0, 15, 3, 15), (0, 12, 2, 12), (0, 40, 4, 40),
                                         (1, 20, 6, 20), (20, 20, 16, 20), (0, 3, 3, 3)])
def test_edge_cases_get_fisher_p_and_newcombe_ci(x1, n1, x2, n2):
    r = st.two_proportion_test(x1 / n1, n1, x2 / n2, n2)
    assert r["p_value"] == pytest.approx(sst.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])[1], abs=1e-12)
    assert r["test"] == "fisher"
    lo, hi = _newcombe(x1 / n1, n1, x2 / n2, n2)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    v = st.change_verdict(r["p_value"], r["p_value"], ci_low=r["ci_low"], ci_high=r["ci_high"])
    assert v != "signifikant"  # the Wald test called 0/40 vs 4/40, 1/20 vs 6/20 and 20/20 vs 16/20 significant


def test_zero_share_on_kish_n_is_not_p_1e_20():
    # weighted: 0 % on n_eff 5.8 vs 50 % on n_eff 7.3 → Fisher on [[0, 6], [4, 3]] (effective counts rounded)
    r = st.two_proportion_test(0.0, 5.8, 0.5, 7.3)
    assert r["p_value"] == pytest.approx(sst.fisher_exact([[0, 6], [4, 3]])[1]) and r["p_value"] > 0.05
    lo, hi = _newcombe(0.0, 5.8, 0.5, 7.3)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))


def test_ordinary_case_uses_pooled_z_and_verdict_needs_the_ci():
    r = st.two_proportion_test(0.40, 300, 0.48, 250)
    pp = (0.40 * 300 + 0.48 * 250) / 550
    z = 0.08 / math.sqrt(pp * (1 - pp) * (1 / 300 + 1 / 250))
    assert r["test"] == "z-pooled" and r["p_value"] == pytest.approx(2 * sst.norm.sf(z))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(_newcombe(0.40, 300, 0.48, 250))
    assert st.change_verdict(0.001, 0.01, ci_low=-0.01, ci_high=0.3) == "tendens"
    assert st.difference_verdict(0.001, 0.01, ci_low=-0.01, ci_high=0.3) == "tendens"
    assert st.difference_verdict(0.001, 0.01, ci_low=0.01, ci_high=0.3) == "forskjell"


def test_summary_meta_documents_the_test():
    from textmine.summary import TEST_METHOD

    assert "Newcombe" in TEST_METHOD and "Fisher" in TEST_METHOD and "sammenslått" in TEST_METHOD


# ---------------------------------------------------------------------------- 3. theme missing from one wave
def test_theme_without_column_in_one_wave_is_not_coded_not_zero(sample_survey, sample_data):
    frames, coded, _, _ = sample_data
    c22 = coded[2022].drop(columns="theme_kompetanse")
    s = build_summary(frames, sample_survey, {2022: c22, 2023: coded[2023]}, quotes=False, drivers=False)
    t = s.table("themes")
    k22 = t[(t["wave"] == 2022) & (t["theme"] == "kompetanse")]
    assert len(k22) and k22["share_w"].isna().all() and k22["count"].isna().all()
    k23 = t[(t["wave"] == 2023) & (t["theme"] == "kompetanse") & (t["segment"] == "Totalt")]
    assert k23["share_w"].notna().all() and (k23["count"] > 0).any()
    ch = s.table("changes")
    r = ch[(ch["kind"] == "theme") & (ch["item"] == "kompetanse")]
    assert len(r) and (r[~r["suppressed"]]["verdict"] == "ikke testbar").all() and r["p_value"].isna().all()
    assert r[~r["suppressed"]]["share_prev"].isna().all()
    ti = s.table("theme_indicators")
    ti22 = ti[(ti["wave"] == 2022) & (ti["theme"] == "kompetanse")]
    assert (ti22["verdict"] == "ikke testbar").all() and ti22["diff"].isna().all()
    named = [w for w in s.warnings if "theme kompetanse not coded" in w]
    assert named and all(w.startswith("2022: ") for w in named)
    assert any("different theme columns" in w and "only in 2023: kompetanse" in w for w in s.warnings)
    assert {"wave": 2022, "question": "fritekst_generell", "theme": "kompetanse"} in s.meta["themes_not_coded"]
    text = s.to_text_table(wave=2022)
    assert "ikke kodet" in text
    # the other themes are compared as before
    other = ch[(ch["kind"] == "theme") & (ch["item"] == "telefon") & ~ch["suppressed"]]
    no_test = (other["diff"] == 0) & other["share_prev"].isin([0.0, 1.0])  # 0 % → 0 %: no test (dec06h)
    assert other.loc[~no_test, "p_value"].notna().all() and other.loc[no_test, "p_value"].isna().all()


# ---------------------------------------------------------------------------- 4. tendens on the adjusted p
def test_tendens_needs_the_adjusted_p():
    assert st.change_verdict(0.01, 0.30) == "ingen sikker endring"  # was «tendens» (unadjusted p < 0.10)
    assert st.change_verdict(0.04, 0.08) == "tendens"
    assert st.difference_verdict(0.01, 0.30) == "ingen sikker forskjell"
    assert st.verdict(0.07) == "tendens"  # the unadjusted reading (verdict_unadjusted) is unchanged


def test_pure_noise_split_gives_almost_no_tendens_and_meta_counts_bh_families(sample_survey, sample_data):
    frames, coded, _, _ = sample_data
    d = pd.concat([frames[2022], frames[2023]], ignore_index=True)
    c = pd.concat([coded[2022], coded[2023]], ignore_index=True)
    half = np.random.default_rng(0).random(len(d)) < 0.5
    a, b = d[half].copy().assign(wave=1), d[~half].copy().assign(wave=2)
    ids = {k: set(x["respondent_id"].astype(str)) for k, x in ((1, a), (2, b))}
    cc = {k: c[c["respondent_id"].astype(str).isin(v)] for k, v in ids.items()}
    s = build_summary({1: a, 2: b}, sample_survey, cc, quotes=False, drivers=False)
    ch = s.table("changes")
    tested = ch[~ch["suppressed"] & ch["p_value"].notna()]
    assert len(tested) > 2000
    assert (tested["verdict"] == "tendens").mean() < 0.01  # was 6–8 % with the unadjusted p
    fam = s.meta["bh_families"]
    tot = [f for f in fam if f["table"] == "changes" and f["family"] == "indicator / Totalt"]
    n_ind = ch[(ch["kind"] == "indicator") & (ch["segment"] == "Totalt") & ch["p_value"].notna()]
    assert len(tot) == 1 and tot[0]["tests"] == len(n_ind) == len(sample_survey.indicators)
    assert any(f["table"] == "theme_indicators" for f in fam)
    assert "familier" in s.meta["bh_note"] and "Benjamini" in s.meta["bh_note"]
    assert "justert p < 0,10" in s.meta["verdict_rule"]


# ---------------------------------------------------------------------------- 5. weight-0 respondents
def test_weight_zero_respondents_do_not_count_toward_min_cell(sample_survey, sample_data):
    frames, _, _, _ = sample_data
    survey = _hide(sample_survey)
    d = frames[2023].copy()
    fin = d.index[d["fylke"] == "Finnmark"]
    d = d.drop(fin[12:])
    d.loc[fin[1:12], "vekt"] = 0.0  # 12 in Finnmark, 11 of them with weight 0
    s = build_summary({2023: d}, survey, quotes=False, drivers=False)
    ind = s.table("indicators")
    r = ind[(ind["indicator"] == "helhet") & (ind["value"] == "Finnmark")].iloc[0]
    assert r["n"] >= survey.min_cell and r["suppressed"]  # n 11–12 but one person behind the weighted share
    assert math.isnan(r["share_w"]) and math.isnan(r["mean_w"])
    assert any("11 row(s) with weight 0" in w and "vekt" in w for w in s.warnings)
    ms = s.table("multiselect")
    assert ms[ms["value"] == "Finnmark"]["suppressed"].all()


# ---------------------------------------------------------------------------- 7. mean CI and multi-label note
def test_unweighted_mean_ci_uses_t_with_n_minus_1_df():
    x = [1.0, 2.0, 3.0, 6.0, 5.0]
    m = st.weighted_mean(x)
    half = sst.t.ppf(0.975, 4) * np.std(x, ddof=1) / math.sqrt(5)
    assert (m.ci_low, m.ci_high) == pytest.approx((3.4 - half, 3.4 + half))


def test_summary_unweighted_mean_ci_uses_t_and_meta_says_multi_label(make_tiny_definition):
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(8)], "wave": 2023, "sektor": list("PPPPOOOO"),
                       "fylke": ["Oslo", "Vestland"] * 4, "w": 1.0,
                       "q1": [6, 5, 4, 3, 2, 1, 5, 4], "q2": [1, 2, 3, 4, 5, 6, 1, 2]})
    s = build_summary({2023: df}, make_tiny_definition(weight=None, free_text=[], drivers=None), quotes=False)
    r = s.table("indicators")
    r = r[(r["indicator"] == "helhet") & (r["segment"] == "Totalt")].iloc[0]
    x = np.array([6, 5, 4, 3, 2, 1, 5, 4], float)
    half = sst.t.ppf(0.975, 7) * x.std(ddof=1) / math.sqrt(8)
    assert (r["mean_ci_low"], r["mean_ci_high"]) == pytest.approx((x.mean() - half, x.mean() + half))
    assert "mer enn 100 %" in s.meta["theme_shares"]


# ---------------------------------------------------------------------------- 6. Rogan–Gladen share
def test_rogan_gladen_flags_weak_clipped_and_uninformative_coders():
    from textmine.evaluate import corrected_share_estimates, corrected_shares

    est = corrected_share_estimates([0.30, 0.30, 0.30, 0.05], [0.55, 0.50 + 5e-10, 0.80, 0.80], [0.50, 0.50, 0.10, 0.10])
    assert est["weak"].tolist() == [True, True, False, False]
    assert est["clipped"].tolist() == [True, False, False, True]
    assert math.isnan(est["unclipped"][1])  # tpr − fpr ≈ 0: no correction, not a silent switch to the raw share
    assert est["unclipped"][2] == pytest.approx(0.2 / 0.7) and est["share"][0] == 0.0
    with pytest.warns(UserWarning, match=r"tpr − fpr ≈ 0.*position 1.*tpr − fpr < 0.2.*position 0"):
        corrected_shares([0.30, 0.30], [0.55, 0.50 + 5e-10], [0.50, 0.50])


def test_rogan_gladen_score_ci_by_grid_inversion():
    from textmine.evaluate import corrected_share_estimates

    q, tp, fp, n, npos, nneg = 0.3, 0.8, 0.1, 500, 100, 400
    th = (q - fp) / (tp - fp)
    grid = np.linspace(0, 1, 200_001)  # the shares the delta-method test at θ₀ does not reject
    se0 = np.sqrt((fp + grid * (tp - fp)) * (1 - fp - grid * (tp - fp)) / n + grid**2 * tp * (1 - tp) / npos
                  + (1 - grid) ** 2 * fp * (1 - fp) / nneg) / (tp - fp)
    kept = grid[np.abs(th - grid) <= Z * se0]
    est = corrected_share_estimates([q], [tp], [fp], n=n, n_pos=npos, n_neg=nneg).iloc[0]
    assert (est["ci_low"], est["ci_high"]) == pytest.approx((kept.min(), kept.max()), abs=1e-5)
    se = math.sqrt(q * (1 - q) / n + th**2 * tp * (1 - tp) / npos + (1 - th) ** 2 * fp * (1 - fp) / nneg) / (tp - fp)
    assert abs((est["ci_high"] - est["ci_low"]) - 2 * Z * se) < 0.01  # near the delta interval's width here


def test_supervised_estimate_shares_names_weak_and_clipped_themes(monkeypatch):
    from textmine.classify.supervised import SupervisedCoder

    class _Book:
        theme_ids = ["a", "b", "c"]

    coder = SupervisedCoder.__new__(SupervisedCoder)
    coder.codebook, coder.share_method = _Book(), "corrected"
    coder.share_rates_ = np.array([[0.8, 0.55, 0.8], [0.1, 0.5, 0.1]])
    y = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    pred = pd.DataFrame({f"theme_{t}": y[:, j] for j, t in enumerate("abc")})
    with pytest.warns(UserWarning, match=r"tpr − fpr < 0.2.*\(b\)"):
        est = coder.estimate_shares(pred)
    assert est.attrs["weak"] == ["b"] and est.attrs["clipped"] == [] and est.attrs["uncorrected"] == []
    assert est["a"] == pytest.approx((0.5 - 0.1) / 0.7)
