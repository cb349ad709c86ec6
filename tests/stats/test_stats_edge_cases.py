"""Weighted Yates crosstab on the effective-n scale, the 0 % vs 100 % two-proportion test, and matching
inter-coder ids read as numbers or as text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst
from statsmodels.stats.proportion import proportion_confint

from textmine import stats as st
from textmine.agreement import intercoder_agreement


# ---------------------------------------------------------------------------- weighted crosstab with Yates
def _weighted_two_by_two() -> pd.DataFrame:
    """A: 12 'ja' + 8 'nei' at weight 1; B: 4 'ja' + 16 'nei' at weight 3 → weighted [[12, 8], [12, 48]],
    n = 40, Kish n_eff = 80² / (20 + 20·9) = 32 (design effect 1.25)."""
    rows = ([("A", "ja", 1.0)] * 12 + [("A", "nei", 1.0)] * 8 + [("B", "ja", 3.0)] * 4
            + [("B", "nei", 3.0)] * 16)
    return pd.DataFrame(rows, columns=["grp", "svar", "w"])


def test_weighted_yates_is_applied_on_the_effective_n_scale():
    res = st.crosstab(_weighted_two_by_two(), "grp", "svar", weight="w", correction=True)
    assert res["n"] == 40 and res["n_effective"] == pytest.approx(32.0)
    # by hand: the table on the Kish scale is 0.4 · [[12, 8], [12, 48]] = [[4.8, 3.2], [4.8, 19.2]], margins
    # 8, 24 / 9.6, 22.4, expected [[2.4, 5.6], [7.2, 16.8]], |O − E| = 2.4 in every cell, so Yates gives
    # (2.4 − 0.5)² · (1/2.4 + 1/5.6 + 1/7.2 + 1/16.8) = 3.61 · 50/63 = 2.865079
    assert res["chi2"] == pytest.approx(3.61 * 50 / 63, abs=1e-9)
    assert res["p_value"] == pytest.approx(sst.chi2.sf(3.61 * 50 / 63, 1), abs=1e-12)
    scaled = np.array([[12.0, 8.0], [12.0, 48.0]]) * 32 / 80
    chi2, p, dof, _ = sst.chi2_contingency(scaled, correction=True)
    assert res["chi2"] == pytest.approx(chi2, abs=1e-9) and res["dof"] == dof
    assert res["p_value"] == pytest.approx(p, abs=1e-12)
    # the old order (Yates on the table scaled to n = 40, then ÷ design effect) gave 6.25 · 40/63 / 1.25 = 3.174603
    assert abs(res["chi2"] - 6.25 * 40 / 63 / 1.25) > 0.3
    assert "Yates" in res["method"] and "effective" in res["method"]


def test_weighted_crosstab_without_correction_is_unchanged():
    res = st.crosstab(_weighted_two_by_two(), "grp", "svar", weight="w")
    # 5.76 · 50/63 on the Kish scale = (9 · 40/63 on the n scale) / design effect 1.25
    assert res["chi2"] == pytest.approx(288 / 63, abs=1e-9) and res["chi2"] == pytest.approx(360 / 63 / 1.25)
    assert "Yates" not in res["method"]


def test_weighted_yates_with_constant_weights_equals_the_unweighted_yates():
    df = _weighted_two_by_two().assign(w=2.5)
    w, u = (st.crosstab(df, "grp", "svar", weight=c, correction=True) for c in ("w", None))
    assert w["n_effective"] == pytest.approx(40) and w["chi2"] == pytest.approx(u["chi2"], abs=1e-9)
    assert w["p_value"] == pytest.approx(u["p_value"], abs=1e-12)


# ---------------------------------------------------------------------------- 0 % vs 100 %
def test_zero_versus_all_in_tiny_groups_is_not_p_zero():
    r = st.two_proportion_test(0.0, 3, 1.0, 3)
    # review dec05: at 0 % / 100 % Fisher's exact test on [[0, 3], [3, 0]]: p = .1 (was Yates' .102470)
    assert r["p_value"] == pytest.approx(sst.fisher_exact([[0, 3], [3, 0]])[1], abs=1e-12) and r["p_value"] > 0.05
    assert r["z"] == pytest.approx((1.0) / math.sqrt(0.25 * 2 / 3), rel=1e-9)  # the pooled z, for reference
    assert r["diff"] == 1.0 and not r["degenerate"] and r["test"] == "fisher"
    # Newcombe's CI: 1 − sqrt(2 · .561497²) = .205923 to 1 (Wilson 0/3: [0, .561497]); the verdict follows p
    assert r["ci_low"] == pytest.approx(1 - math.sqrt(2) * proportion_confint(0, 3, method="wilson")[1]) and r["ci_high"] == 1.0
    assert st.verdict(r["p_value"]) == "ingen sikker endring"


def test_zero_versus_all_in_large_groups_is_still_clearly_significant():
    for p1, p2 in ((0.0, 1.0), (1.0, 0.0)):
        r = st.two_proportion_test(p1, 500, p2, 500)
        assert r["p_value"] < 1e-100 and st.verdict(r["p_value"]) == "signifikant"
        assert (r["ci_low"] > 0.9 and r["ci_high"] == 1.0) if p2 > p1 else (r["ci_high"] < -0.9 and r["ci_low"] == -1.0)


def test_zero_versus_all_keeps_ci_and_test_consistent_and_works_on_kish_n():
    n1 = np.array([2.0, 3, 5, 8, 13, 40, 2.7, 6.4])
    n2 = np.array([2.0, 3, 4, 9, 11, 35, 3.1, 9.8])  # non-integer: Kish effective n of weighted groups
    r = st.two_proportion_test(np.zeros(8), n1, np.ones(8), n2)
    # dec05: Fisher's exact test on the effective counts rounded to whole numbers
    ref = [sst.fisher_exact([[0, round(a)], [round(b), 0]])[1] for a, b in zip(n1, n2)]
    np.testing.assert_allclose(r["p_value"], ref, rtol=1e-9)
    assert np.all(r["p_value"] > 0)
    excludes = (r["ci_low"] > 0) | (r["ci_high"] < 0)
    assert not np.any(~excludes & (r["p_value"] < 0.05) & (st.change_verdict(r["p_value"], r["p_value"], ci_low=r["ci_low"], ci_high=r["ci_high"]) == "signifikant"))
    assert np.all((r["ci_low"] >= -1) & (r["ci_high"] <= 1))


def test_ordinary_cases_use_the_pooled_z_test():
    """dec05: away from the edges the pooled z-test (was: the unpooled Wald test)."""
    r = st.two_proportion_test(0.5, 100, 0.6, 100)
    assert r["p_value"] == pytest.approx(2 * sst.norm.sf(0.1 / math.sqrt(0.55 * 0.45 * 0.02)))
    one0 = st.two_proportion_test(0.0, 40, 0.2, 50)  # a 0 % group: Fisher, not a Wald z without variance
    assert one0["p_value"] == pytest.approx(sst.fisher_exact([[0, 40], [10, 40]])[1])
    assert st.two_proportion_test(0.0, 40, 0.0, 55)["p_value"] == 1.0
    pooled = st.two_proportion_test(0.0, 3, 1.0, 3, pooled=True)  # pooled=True: the pooled z everywhere
    assert pooled["p_value"] == pytest.approx(2 * sst.norm.sf(1 / math.sqrt(0.25 * 2 / 3)))


# ---------------------------------------------------------------------------- inter-coder ids
IDS = ["a", "b"]


def test_agreement_matches_float_ids_with_integer_and_text_ids():
    first = pd.DataFrame({"id": [1, 2, 3], "themes": ["a", "b", "a;b"]})
    second = pd.DataFrame({"id": [1.0, 2.0, np.nan, 3.0], "themes": ["a", "a", "", "a;b"]})  # blank → float column
    second = second.dropna(subset=["id"])
    rep = intercoder_agreement(first, second, IDS)
    assert rep.summary["n_units"] == 3 and rep.summary["n_only_first"] == rep.summary["n_only_second"] == 0
    assert rep.disagreements["id"].tolist() == ["2"]
    text = pd.DataFrame({"id": ["1.0", " 2 ", "3"], "themes": ["a", "b", "a;b"]})  # a float column saved as text
    assert intercoder_agreement(first, text, IDS).summary["exact_match"] == 1.0


def test_agreement_keeps_leading_zeros_and_other_decimals_apart():
    first = pd.DataFrame({"id": ["01", "1.5", "A1"], "themes": ["a", "b", "a"]})
    second = pd.DataFrame({"id": ["01", 1.5, "A1"], "themes": ["a", "b", "a"]})
    assert intercoder_agreement(first, second, IDS).summary["n_units"] == 3
    other = pd.DataFrame({"id": [1, 2], "themes": ["a", "b"]})
    with pytest.raises(ValueError, match=r"share no 'id' values.*leading zeros"):
        intercoder_agreement(pd.DataFrame({"id": ["01", "02"], "themes": ["a", "b"]}), other, IDS)


def test_agreement_never_merges_two_ids_of_one_file():
    first = pd.DataFrame({"id": ["1", "1.0", "2"], "themes": ["a", "b", "a"]})
    second = pd.DataFrame({"id": [1, 2], "themes": ["a", "b"]})
    with pytest.raises(ValueError, match=r"first coding: column 'id' has duplicate ids: 1 \(.*1\.0"):
        intercoder_agreement(first, second, IDS)
    # "01" and "1" in one file stay two ids
    rep = intercoder_agreement(pd.DataFrame({"id": ["01", "1"], "themes": ["a", "b"]}), second, IDS)
    assert rep.summary["n_units"] == 1 and rep.summary["n_only_first"] == 1
