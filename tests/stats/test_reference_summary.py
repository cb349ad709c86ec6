"""build_summary's published numbers against a from-scratch pandas/statsmodels recomputation on seeded random
survey data: "andel positive" (4–6 on 1–6, excluded codes and blanks out of the base), Wilson CIs on n and on Kish n,
Kish n, means with CIs, wave-over-wave change (unpooled z on Kish n), BH per printed table and the verdicts."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

Z = sst.norm.ppf(0.975)


def _definition():
    return SurveyDefinition.from_dict(
        {
            "name": "ref",
            "id": "rid",
            "wave": "wave",
            "weight": "w",
            "min_cell": 5,
            "excluded_codes": {7: "Vet ikke", 8: "Ikke aktuelt"},
            "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig", "K": "Kommunal"}}],
            "indicators": [
                {"id": "helhet", "column": "q1", "scale": [1, 6]},
                {"id": "svar", "column": "q2", "scale": [1, 6]},
                {"id": "topp", "column": "q3", "scale": [1, 6], "measure": "top2"},
            ],
            "free_text": [],
        }
    )


def _wave(rng, wave, n, shift):
    q = {}
    for j, c in enumerate(("q1", "q2", "q3")):
        probs = np.array([1, 1, 2, 3, 3, 2], float)
        probs[3:] *= 1 + shift * (j + 1)
        v = rng.choice(np.arange(1, 7), n, p=probs / probs.sum()).astype(float)
        r = rng.uniform(size=n)
        v[r < 0.06] = 7
        v[(r >= 0.06) & (r < 0.09)] = 8
        v[(r >= 0.09) & (r < 0.14)] = np.nan
        q[c] = v
    sek = rng.choice(["P", "O", "K"], n, p=[0.6, 0.395, 0.005])  # K: a small, suppressed cell
    return pd.DataFrame({"rid": [f"{wave}-{i}" for i in range(n)], "wave": wave, "sektor": sek,
                         "w": rng.lognormal(0, 0.5, n), **q})


@pytest.fixture(scope="module")
def built():
    rng = np.random.default_rng(7)
    frames = {2022: _wave(rng, 2022, 900, 0.0), 2023: _wave(rng, 2023, 850, 0.25)}
    s = build_summary(frames, _definition(), quotes=False, drivers=False)
    return frames, s


def _ref_cell(df, col, positive):
    """Hand recomputation of one indicator cell from the raw rows."""
    v, w = df[col].to_numpy(float), df["w"].to_numpy(float)
    on = np.isin(v, [1, 2, 3, 4, 5, 6])
    pos = np.isin(v, positive) & on
    n, x = int(on.sum()), int(pos.sum())
    out = {"n": n, "count": x, "n_excluded": int(np.isin(v, [7, 8]).sum()), "n_missing": int(np.isnan(v).sum()),
           "n_total": len(df)}
    out["share"] = x / n
    out["ci"] = proportion_confint(x, n, method="wilson")
    ww = w[on]
    out["share_w"] = float(ww[pos[on]].sum() / ww.sum())
    out["n_eff"] = float(ww.sum() ** 2 / (ww**2).sum())
    p, ne = out["share_w"], out["n_eff"]
    out["ci_w"] = proportion_confint(p * ne, ne, method="wilson")  # Wilson on Kish's effective n
    xv = v[on]
    out["mean"] = float(xv.mean())
    sd = float(xv.std(ddof=1))
    tq = float(sst.t.ppf(0.975, n - 1))  # review dec05: Student's t (n − 1 df) for the unweighted mean, not z
    out["mean_ci"] = (out["mean"] - tq * sd / math.sqrt(n), out["mean"] + tq * sd / math.sqrt(n))
    mw = float(np.sum(ww * xv) / ww.sum())
    vw = float(np.sum(ww * (xv - mw) ** 2) / ww.sum()) * ne / (ne - 1)
    out["mean_w"] = mw
    out["mean_ci_w"] = (mw - Z * math.sqrt(vw / ne), mw + Z * math.sqrt(vw / ne))
    out["experience_share"] = n / (n + out["n_excluded"])
    return out


def _ref_diff(p1, n1, p2, n2):
    """Review dec05 reference: Newcombe's hybrid score CI (Wilson on each (effective) n) and the pooled z-test p
    (all cells here are far from 0 %/100 %, so no Fisher fallback)."""
    (l1, u1), (l2, u2) = (proportion_confint(p * n, n, method="wilson") for p, n in ((p1, n1), (p2, n2)))
    d = p2 - p1
    lo, hi = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    pp = (p1 * n1 + p2 * n2) / (n1 + n2)
    return d, lo, hi, 2 * sst.norm.sf(abs(d) / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2)))


POSITIVE = {"helhet": [4, 5, 6], "svar": [4, 5, 6], "topp": [5, 6]}
COLS = {"helhet": "q1", "svar": "q2", "topp": "q3"}


def test_indicator_cells_match_hand_recomputation(built):
    frames, s = built
    ind = s.table("indicators")
    worst = 0.0
    checked = 0
    for wave, df in frames.items():
        for seg, val, sub in [("Totalt", "Alle", df)] + [("sektor", k, df[df["sektor"] == k]) for k in ("P", "O")]:
            for iid, col in COLS.items():
                row = ind[(ind["wave"] == wave) & (ind["indicator"] == iid) & (ind["segment"] == seg) & (ind["value"] == val)]
                assert len(row) == 1, (wave, iid, seg, val)
                r = row.iloc[0]
                ref = _ref_cell(sub, col, POSITIVE[iid])
                for k in ("n", "count", "n_excluded", "n_missing", "n_total"):
                    assert r[k] == ref[k], (k, wave, iid, seg, val)
                pairs = [(r["share"], ref["share"]), (r["ci_low"], ref["ci"][0]), (r["ci_high"], ref["ci"][1]),
                         (r["share_w"], ref["share_w"]), (r["n_eff"], ref["n_eff"]), (r["ci_low_w"], ref["ci_w"][0]),
                         (r["ci_high_w"], ref["ci_w"][1]), (r["mean"], ref["mean"]), (r["mean_ci_low"], ref["mean_ci"][0]),
                         (r["mean_ci_high"], ref["mean_ci"][1]), (r["mean_w"], ref["mean_w"]),
                         (r["mean_ci_low_w"], ref["mean_ci_w"][0]), (r["mean_ci_high_w"], ref["mean_ci_w"][1]),
                         (r["experience_share"], ref["experience_share"])]
                worst = max(worst, max(abs(a - b) for a, b in pairs))
                assert r["ci_method"] == "wilson" and r["ci_method_w"] == "wilson-kish"
                # shown unless it is the next smallest level beside a lone small one (secondary suppression)
                assert not r["suppressed"] or bool(r.get("suppressed_secondary", False))
                checked += 1
    assert checked == 18
    assert worst < 1e-9


def test_small_cell_is_flagged(built):
    frames, s = built
    ind = s.table("indicators")
    k = ind[(ind["segment"] == "sektor") & (ind["value"] == "K")]
    assert len(k) and (k["suppressed"] == (k["n"] < 5)).all() and k["suppressed"].any()


def test_changes_match_hand_recomputation_and_bh_per_table(built):
    frames, s = built
    ind, ch = s.table("indicators"), s.table("changes")
    ch = ch[ch["kind"] == "indicator"]
    assert (ch["weighted"]).all()
    worst = 0.0
    for _, c in ch.iterrows():
        a = ind[(ind["wave"] == 2022) & (ind["indicator"] == c["item"]) & (ind["segment"] == c["segment"]) & (ind["value"] == c["value"])].iloc[0]
        b = ind[(ind["wave"] == 2023) & (ind["indicator"] == c["item"]) & (ind["segment"] == c["segment"]) & (ind["value"] == c["value"])].iloc[0]
        if a["suppressed"] or b["suppressed"]:
            assert c["verdict"] == "for få svar" and np.isnan(c["p_value"])
            continue
        d, lo, hi, p = _ref_diff(a["share_w"], a["n_eff"], b["share_w"], b["n_eff"])
        worst = max(worst, abs(c["diff"] - d), abs(c["ci_low"] - lo), abs(c["ci_high"] - hi), abs(c["p_value"] - p))
        # verdict consistent with the test and its CI: significant needs both (dec05: «tendens» on adjusted p)
        excl = c["ci_low"] > 0 or c["ci_high"] < 0
        if c["verdict"] == "signifikant":
            assert excl and c["p_adjusted"] < 0.05
        exp = "signifikant" if c["p_adjusted"] < 0.05 and excl else ("tendens" if c["p_adjusted"] < 0.10 else "ingen sikker endring")
        assert c["verdict"] == exp
        assert c["verdict_unadjusted"] == ("signifikant" if c["p_value"] < 0.05 else "tendens" if c["p_value"] < 0.10 else "ingen sikker endring")
    assert worst < 1e-9
    # BH: one family per printed table (one breakdown × indicators), suppressed rows left out
    for seg, fam in ch[~ch["suppressed"]].groupby("segment"):
        np.testing.assert_allclose(fam["p_adjusted"], multipletests(fam["p_value"], method="fdr_bh")[1], atol=1e-12)
    assert set(ch["verdict"]) <= {"signifikant", "tendens", "ingen sikker endring", "for få svar"}
    assert (ch["verdict"] == "signifikant").any()  # the shifted wave is detected somewhere


# ---------------------------------------------------------------------------- themes and theme × indicator
@pytest.fixture(scope="module")
def built_themes():
    rng = np.random.default_rng(11)
    df = _wave(rng, 2023, 1200, 0.1)
    df = df.drop(columns="q3")
    df["ft"] = "tekst"
    d = SurveyDefinition.from_dict({
        "name": "ref", "id": "rid", "wave": "wave", "weight": "w", "min_cell": 5,
        "excluded_codes": {7: "Vet ikke", 8: "Ikke aktuelt"},
        "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig", "K": "Kommunal"}}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}, {"id": "svar", "column": "q2", "scale": [1, 6]}],
        "free_text": [{"column": "ft"}],
    })
    rows = np.flatnonzero(rng.uniform(size=len(df)) < 0.55)
    coded = pd.DataFrame({"respondent_id": df["rid"].to_numpy()[rows], "question": "ft",
                          "text_clean": "noe tekst her", "is_non_answer": (rng.uniform(size=len(rows)) < 0.1).astype(int),
                          "health_flag": 0})
    for th, pr in (("a", 0.3), ("b", 0.12), ("c", 0.5)):
        coded[f"theme_{th}"] = (rng.uniform(size=len(rows)) < pr).astype(int)
    s = build_summary({2023: df}, d, {2023: coded}, quotes=False, drivers=False)
    return df, coded, d, s


def test_theme_shares_match_hand_recomputation(built_themes):
    df, coded, d, s = built_themes
    t = s.table("themes")
    ok = coded[coded["is_non_answer"] == 0]
    commenter = df["rid"].isin(ok["respondent_id"]).to_numpy()
    w = df["w"].to_numpy(float)
    worst = 0.0
    for th in ("a", "b", "c"):
        has = df["rid"].isin(ok.loc[ok[f"theme_{th}"] == 1, "respondent_id"]).to_numpy()
        for den, base in (("kommentatorer", commenter), ("spurt", np.ones(len(df), bool)), ("alle", np.ones(len(df), bool))):
            r = t[(t["theme"] == th) & (t["denominator"] == den) & (t["segment"] == "Totalt")].iloc[0]
            n, x = int(base.sum()), int((has & base).sum())
            lo, hi = proportion_confint(x, n, method="wilson")
            sw = float(w[has & base].sum() / w[base].sum())
            ne = float(w[base].sum() ** 2 / (w[base] ** 2).sum())
            wlo, whi = proportion_confint(sw * ne, ne, method="wilson")
            assert r["n"] == n and r["count"] == x
            worst = max(worst, abs(r["share"] - x / n), abs(r["ci_low"] - lo), abs(r["ci_high"] - hi),
                        abs(r["share_w"] - sw), abs(r["n_eff"] - ne),
                        abs(r["ci_low_w"] - wlo), abs(r["ci_high_w"] - whi))
    assert worst < 1e-9


def test_theme_indicator_differences_match_hand_recomputation(built_themes):
    df, coded, d, s = built_themes
    ti = s.table("theme_indicators")
    ok = coded[coded["is_non_answer"] == 0]
    commenter = df["rid"].isin(ok["respondent_id"]).to_numpy()
    w = df["w"].to_numpy(float)
    worst = 0.0
    for iid, col in (("helhet", "q1"), ("svar", "q2")):
        v = df[col].to_numpy(float)
        on, pos = np.isin(v, [1, 2, 3, 4, 5, 6]), np.isin(v, [4, 5, 6])
        fam = ti[ti["indicator"] == iid]
        for th in ("a", "b", "c"):
            has = df["rid"].isin(ok.loc[ok[f"theme_{th}"] == 1, "respondent_id"]).to_numpy()
            r = fam[fam["theme"] == th].iloc[0]
            est = []
            for g in (commenter & ~has & on, commenter & has & on):
                est.append((float(w[g & pos].sum() / w[g].sum()), float(w[g].sum() ** 2 / (w[g] ** 2).sum()), int(g.sum())))
            (p1, n1, c1), (p2, n2, c2) = est
            d, lo, hi, p = _ref_diff(p1, n1, p2, n2)  # dec05: Newcombe CI, pooled z
            assert r["n_other"] == c1 and r["n_mention"] == c2
            worst = max(worst, abs(r["diff"] - d), abs(r["ci_low"] - lo), abs(r["ci_high"] - hi), abs(r["p_value"] - p))
        np.testing.assert_allclose(fam["p_adjusted"], multipletests(fam["p_value"], method="fdr_bh")[1], atol=1e-12)
        for _, r in fam.iterrows():
            excl = r["ci_low"] > 0 or r["ci_high"] < 0  # dec05: CI must exclude 0; «tendens» on the adjusted p
            exp = "forskjell" if r["p_adjusted"] < 0.05 and excl else ("tendens" if r["p_adjusted"] < 0.10 else "ingen sikker forskjell")
            assert r["verdict"] == exp
    assert worst < 1e-9


def test_theme_indicator_other_group_share_is_exact_at_0_and_1():
    """Regression: the "without the theme" group was total − mention, which left ±1e-16 shares (a negative share,
    and a NaN standard error, "ikke testbar", at 0 % vs 100 %)."""
    d = SurveyDefinition.from_dict({"name": "ref", "id": "rid", "wave": "wave", "weight": "w", "min_cell": 3,
                                    "segments": [], "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
                                    "free_text": [{"column": "ft"}]})
    rng = np.random.default_rng(3)
    for trial in range(40):
        n = 60
        has = np.zeros(n, bool)
        has[:30] = True
        separated = trial % 2 == 1
        q1 = np.where(has, rng.choice([5, 6] if separated else [1, 5, 6], n), rng.choice([1, 2], n)).astype(float)
        df = pd.DataFrame({"rid": [f"r{i}" for i in range(n)], "wave": 2023, "w": rng.uniform(0.1, 3.3, n), "q1": q1,
                           "ft": "x"})
        coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": "tekst her", "is_non_answer": 0,
                              "health_flag": 0, "theme_a": has.astype(int), "theme_b": (~has).astype(int)})
        t = build_summary({2023: df}, d, {2023: coded}, quotes=False, drivers=False).table("theme_indicators")
        a, b = t[t["theme"] == "a"].iloc[0], t[t["theme"] == "b"].iloc[0]
        assert a["share_other"] == 0.0 and b["share_mention"] == 0.0
        assert not np.isnan(a["p_value"]) and a["verdict"] == "forskjell"
        if separated:  # 0 % vs 100 %: the pooled, continuity-corrected fallback, still clearly significant
            assert a["share_mention"] == 1.0 and 0 < a["p_value"] < 1e-8 and b["share_other"] == 1.0
