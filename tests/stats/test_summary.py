"""build_summary: hand-checked numbers on a 12-respondent fixture, then the sample waves against direct pandas."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from textmine import stats as st
from textmine.summary import build_summary

NAN = np.nan


def tiny_frames():
    df = pd.DataFrame(
        {
            "rid": [f"r{i:02d}" for i in range(1, 13)],
            "wave": 2023,
            "sektor": list("PPPPPPPPOOOO"),
            "fylke": ["Oslo", "Vestland"] * 6,
            "w": [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 0.5, 0.5],
            "q1": [6, 5, 4, 3, 2, 1, 7, NAN, 4, 4, 5, 1],
            "q2": [1, 2, 3, 4, 5, 6, 1, 2, 3, 7, 4, 1],
        }
    )
    coded = pd.DataFrame(
        {
            "respondent_id": ["r01", "r02", "r03", "r07", "r09", "r04", "r05", "r06", "r10", "r11"],
            "question": ["ft_rutet"] * 5 + ["ft_alle"] * 5,
            "text_clean": ["Telefonkøen er altfor lang hver eneste gang vi ringer.", "Vi venter på svar i flere uker nå.",
                           "Nei", "Kom aldri gjennom på telefon, ring meg på 91234567.", "Telefon og ventetid er problemet for oss.",
                           "Dere gjør en god jobb med oppfølgingen av våre ansatte.", "Min ansatt har kreft og trenger hjelp nå.",
                           "Flott at dere kom på besøk til oss i fjor høst.", "Saksbehandlingen tar altfor lang tid for oss.",
                           "Gode og hyggelige folk hos NAV lokalt hos oss."],
            "is_non_answer": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
            "health_flag": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            "theme_telefon": [1, 0, 0, 1, 1, 0, 0, 0, 0, 0],
            "theme_vente": [0, 1, 0, 0, 1, 0, 0, 0, 1, 0],
            "theme_ros": [0, 0, 0, 0, 0, 1, 1, 1, 0, 1],
        }
    )
    return df, coded


def _row(t, **kw):
    m = np.ones(len(t), dtype=bool)
    for k, v in kw.items():
        m &= (t[k] == v).to_numpy()
    assert m.sum() == 1, kw
    return t[m].iloc[0]


def test_indicators_by_hand(make_tiny_definition):
    df, coded = tiny_frames()
    s = build_summary({2023: df}, make_tiny_definition(), {2023: coded}, embedder="fallback")
    ind = s.table("indicators")
    r = _row(ind, indicator="helhet", segment="Totalt", value="Alle")
    # valid 1–6: 10 rows (r07 = 7 excluded, r08 blank); positive 4–6: r01 r02 r03 r09 r10 r11
    assert (r["n_total"], r["n"], r["n_excluded"], r["n_missing"], r["count"]) == (12, 10, 1, 1, 6)
    assert r["share"] == pytest.approx(0.6) and r["mean"] == pytest.approx(3.5)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(st.wilson_ci(6, 10)) and r["ci_method"] == "wilson"
    assert r["share_w"] == pytest.approx(6.5 / 11)  # positive weight 6.5 of valid weight 11
    assert r["n_eff"] == pytest.approx(121 / 14.5)  # Kish: 11² / Σw² (= 14.5)
    assert (r["ci_low_w"], r["ci_high_w"]) == pytest.approx(st.wilson_ci(6.5 / 11 * 121 / 14.5, 121 / 14.5))
    assert r["ci_method_w"] == "wilson-kish"
    assert r["experience_share"] == pytest.approx(10 / 11)
    o = _row(ind, indicator="helhet", segment="sektor", value="O")
    assert (o["n"], o["count"], o["share_w"]) == (4, 3, pytest.approx(2.5 / 3))
    assert not o["suppressed"]
    assert s.meta["weighted"] and "Kish" in s.meta["ci_method"] and "logit" not in s.meta["ci_method"]


def test_themes_three_denominators_by_hand(make_tiny_definition):
    df, coded = tiny_frames()
    s = build_summary({2023: df}, make_tiny_definition(), {2023: coded}, embedder="fallback")
    th = s.table("themes")
    # ft_rutet asked if telefon (q2) in 1–3: r01 r02 r03 r07 r08 r09 r12 = 7; commenters r01 r02 r07 r09 (r03 = "Nei")
    k = _row(th, question="ft_rutet", theme="telefon", denominator="kommentatorer", segment="Totalt")
    a = _row(th, question="ft_rutet", theme="telefon", denominator="spurt", segment="Totalt")
    al = _row(th, question="ft_rutet", theme="telefon", denominator="alle", segment="Totalt")
    assert (k["count"], k["n"], a["n"], al["n"]) == (3, 4, 7, 12)
    qc = [x for x in s.meta["question_counts"] if x["question"] == "ft_rutet"][0]
    assert (qc["asked"], qc["answered"], qc["commenters"], qc["non_answers"], qc["respondents"]) == (7, 5, 4, 1, 12)
    assert (k["share"], a["share"], al["share"]) == pytest.approx((3 / 4, 3 / 7, 3 / 12))
    assert (k["share_w"], a["share_w"], al["share_w"]) == pytest.approx((4 / 5, 4 / 9.5, 4 / 15))
    assert k["n_eff"] == pytest.approx(25 / 7)  # commenter weights 1, 1, 2, 1
    # small cells (min_cell = 3): sector O has one commenter → flagged, numbers kept (suppression: flag)
    o = _row(th, question="ft_rutet", theme="telefon", denominator="kommentatorer", segment="sektor", value="O")
    assert o["n"] == 1 and o["suppressed"] and o["share"] == 1.0
    hidden = build_summary({2023: df}, make_tiny_definition(suppression="hide"), {2023: coded}, quotes=False)
    o = _row(hidden.table("themes"), question="ft_rutet", theme="telefon", denominator="kommentatorer", segment="sektor", value="O")
    assert o["suppressed"] and np.isnan(o["share"]) and np.isnan(o["share_w"]) and np.isnan(o["ci_low"])


def test_theme_indicator_gap_by_hand(make_tiny_definition):
    df, coded = tiny_frames()
    s = build_summary({2023: df}, make_tiny_definition(min_cell=1), {2023: coded}, quotes=False)
    t = _row(s.table("theme_indicators"), question="ft_alle", theme="ros", indicator="helhet")
    # ft_alle commenters r04 r05 r06 r10 r11; ros = r04 r05 r06 r11 → helhet 3, 2, 1, 5 → 1 of 4 positive;
    # not ros = r10 (4) → 1 of 1 positive. Weighted: ros weights 2, 1, 1, .5 → .5 / 4.5
    assert (t["n_mention"], t["n_other"]) == (4, 1)
    assert t["share_mention"] == pytest.approx(0.5 / 4.5) and t["share_other"] == 1.0
    r = st.two_proportion_test(1.0, 1.0, 0.5 / 4.5, 4.5**2 / 6.25)  # Kish n of mentioners: 20.25 / 6.25
    assert t["diff"] == pytest.approx(r["diff"]) and t["p_value"] == pytest.approx(r["p_value"])


def test_quotes_skip_health_nonanswers_and_redact(make_tiny_definition):
    df, coded = tiny_frames()
    s = build_summary({2023: df}, make_tiny_definition(min_cell=1), {2023: coded}, embedder="fallback")
    q = s.table("quotes")
    assert not q["text"].str.contains("kreft").any()  # r05 is health-flagged
    assert "r03" not in set(q["respondent_id"])  # non-answer
    tel = q[(q["theme"] == "telefon")]
    # three eligible comments (fewer than 5): one quote, and the phone number masked by the regex safety net
    assert len(tel) == 1 and not tel["text"].str.contains("91234567").any()
    assert set(tel["attribution"]) <= {"Privat virksomhet, Oslo", "Privat virksomhet, Vestland", "Offentlig virksomhet, Oslo",
                                       "Offentlig virksomhet, Vestland", "Privat virksomhet", "Offentlig virksomhet", ""}
    d = s.to_dict()
    json.dumps(d, allow_nan=False)
    assert all("respondent_id" not in r for r in d["tables"]["quotes"])  # ids never leave with quotes


def test_wave_change_verdicts_and_bh(make_tiny_definition):
    df, coded = tiny_frames()
    big = pd.concat([df.assign(rid=df["rid"] + f"-{k}") for k in range(8)], ignore_index=True)
    later = big.copy()
    later["wave"] = 2024
    later.loc[later["q1"].isin([1, 2, 3]).to_numpy() & (np.arange(len(later)) % 2 == 0), "q1"] = 5
    s = build_summary({2023: big, 2024: later}, make_tiny_definition(free_text=[]), quotes=False)
    ch = s.table("changes")
    ind = s.table("indicators")
    c = _row(ch, kind="indicator", item="helhet", segment="Totalt", value="Alle")
    a = _row(ind, wave=2023, indicator="helhet", segment="Totalt")
    b = _row(ind, wave=2024, indicator="helhet", segment="Totalt")
    assert c["diff"] == pytest.approx(b["share_w"] - a["share_w"])
    # review dec05: pooled z-test on Kish n, Newcombe's CI of the change (was the unpooled Wald test and CI)
    pp = (b["share_w"] * b["n_eff"] + a["share_w"] * a["n_eff"]) / (b["n_eff"] + a["n_eff"])
    se0 = np.sqrt(pp * (1 - pp) * (1 / a["n_eff"] + 1 / b["n_eff"]))
    assert c["p_value"] == pytest.approx(2 * sst.norm.sf(abs(c["diff"]) / se0))
    assert (c["ci_low"], c["ci_high"]) == pytest.approx(confint_proportions_2indep(
        b["share_w"] * b["n_eff"], b["n_eff"], a["share_w"] * a["n_eff"], a["n_eff"], method="newcomb"))
    sub = ch[(ch["kind"] == "indicator") & ~ch["suppressed"] & (ch["segment"] == "sektor")]  # one table = one breakdown
    np.testing.assert_allclose(sub["p_adjusted"], multipletests(sub["p_value"], method="fdr_bh")[1])
    assert c["verdict"] == st.change_verdict(c["p_value"], c["p_adjusted"], ci_low=c["ci_low"], ci_high=c["ci_high"])
    assert c["direction"] == "opp"
    assert set(ch["verdict"]) <= {"signifikant", "tendens", "ingen sikker endring", "for få svar", "ikke testbar"}
    tel = _row(ch, kind="indicator", item="telefon", segment="Totalt")
    assert tel["diff"] == pytest.approx(0) and tel["verdict"] == "ingen sikker endring"
    ref = build_summary({2023: big, 2024: later}, make_tiny_definition(free_text=[]), quotes=False, compare_to=2024)
    assert ref.meta["comparisons"] == [[2024, 2023]]


# ---------------------------------------------------------------------------- the sample waves
def test_sample_indicators_match_direct_pandas(sample_data, sample_summary):
    frames, *_ = sample_data
    ind = sample_summary.table("indicators")
    for w, df in frames.items():
        for col, iid in (("q_helhet", "helhet"), ("q_telefon", "telefon")):
            v = df[col]
            valid = v.isin(range(1, 7))
            pos = v.isin([4, 5, 6])
            r = _row(ind, wave=w, indicator=iid, segment="Totalt")
            assert r["n"] == valid.sum() and r["count"] == (pos & valid).sum()
            assert r["share_w"] == pytest.approx((df["vekt"] * pos)[valid].sum() / df["vekt"][valid].sum())
            sub = df[df["sektor"] == "Privat"]
            rp = _row(ind, wave=w, indicator=iid, segment="sektor", value="Privat")
            assert rp["share"] == pytest.approx(sub[col].isin([4, 5, 6]).sum() / sub[col].isin(range(1, 7)).sum())
    h = _row(ind, wave=2023, indicator="helhet", segment="Totalt")
    assert 0.8 < h["share_w"] < 0.92  # calibrated near the published ~86 %


def test_sample_theme_counts_match_labels(sample_data, sample_summary):
    frames, coded, labels, _ = sample_data
    th = sample_summary.table("themes")
    for w in frames:
        lab = labels[w]
        for q in ("fritekst_sykefravaer", "fritekst_generell"):
            lq = lab[lab["question"] == q]
            commenters = lq[lq["is_non_answer"] == 0]
            k = th[(th["wave"] == w) & (th["question"] == q) & (th["segment"] == "Totalt") & (th["denominator"] == "kommentatorer")]
            assert (k["n"] == len(commenters)).all()
            for t in ("telefon", "sykefravaersoppfolging", "ros"):
                expect = commenters["themes"].str.split(";").map(lambda xs, t=t: t in xs).sum()
                assert _row(k, theme=t)["count"] == expect
        asked = _row(th, wave=w, question="fritekst_sykefravaer", theme="telefon", denominator="spurt", segment="Totalt")
        routed = frames[w]["q_sykefravaer"].isin([1, 2, 3])
        assert asked["n"] >= routed.sum() and asked["n"] - routed.sum() <= 5  # + any unrouted commenters (warned)
        alle = _row(th, wave=w, question="fritekst_generell", theme="telefon", denominator="alle", segment="Totalt")
        assert alle["n"] == len(frames[w])


def test_sample_quotes_safe(sample_data, sample_summary, sample_survey):
    frames, coded, labels, piis = sample_data
    q = sample_summary.table("quotes")
    assert len(q)
    th = sample_summary.table("themes")
    for w in frames:
        qw = q[q["wave"] == w]
        flagged = set(coded[w].loc[coded[w]["health_flag"] == 1, "respondent_id"] + "|" + coded[w].loc[coded[w]["health_flag"] == 1, "question"])
        assert not (set(qw["respondent_id"] + "|" + qw["question"]) & flagged)
        for v in piis[w]["value"]:
            assert not qw["text"].str.contains(v, regex=False).any(), v
        small = th["suppressed"] & ~th["suppressed_secondary"]  # (secondary: hidden against subtraction, not small)
        sup = th[(th["wave"] == w) & (th["denominator"] == "kommentatorer") & small & (th["segment"] != "Totalt")]
        df = frames[w].set_index("respondent_id")
        for _, r in qw.iterrows():
            for seg in [s.column for s in sample_survey.segments]:  # attributed or not (naering: attribution false)
                val = str(df.loc[r["respondent_id"], seg])
                assert not ((sup["question"] == r["question"]) & (sup["theme"] == r["theme"]) & (sup["segment"] == seg) & (sup["value"] == val)).any()
        per_theme = qw.groupby(["question", "theme"]).size()
        # a theme with fewer than 5 eligible comments gets one quote, the others 3–6
        assert per_theme.isin([1, 3, 4, 5, 6]).all() and (per_theme >= 3).mean() > 0.7
        assert qw["text"].str.len().max() <= 2 * 300  # a long clause is kept whole rather than cut (max 2 × 300)
        first = qw.iloc[0]
        row = frames[w].set_index("respondent_id").loc[first["respondent_id"]]
        assert first["attribution"].startswith(sample_survey.segment("sektor").display_label(row["sektor"]))


def test_sample_summary_serialises_and_prints(sample_summary, tmp_path):
    d = sample_summary.to_dict()
    text = json.dumps(d, allow_nan=False, ensure_ascii=False)
    assert '"verdict"' in text and set(d["tables"]) >= {"indicators", "themes", "changes", "quotes", "drivers", "theme_indicators", "multiselect"}
    tidy = sample_summary.to_frame()
    assert tidy["table"].nunique() == 7 and {"wave", "segment", "value"} <= set(tidy.columns)
    out = sample_summary.to_text_table(max_themes=5)
    assert "Fornøyd med NAV" in out and "kommentatorer" in out and any(v in out for v in ("ingen sikker endring", "tendens", "signifikant"))
    files = sample_summary.write(tmp_path, formats=("csv", "json"))
    names = {p.name for p in files}
    assert {"summary.json", "themes.csv", "summary_tidy.csv"} <= names
    assert "respondent_id" not in pd.read_csv(tmp_path / "quotes.csv").columns
    ms = sample_summary.table("multiselect")
    r = _row(ms, wave=2023, option="tj_ingen", segment="Totalt")
    assert 0 <= r["share"] <= 1 and r["exclusive"]
    dr = sample_summary.table("drivers")
    assert len(dr) and dr["effect_pp"].notna().all() and set(dr["outcome"]) == {"helhet"}


def test_unweighted_survey_uses_wilson_and_plain_n(make_tiny_definition):
    df, coded = tiny_frames()
    s_def = make_tiny_definition(weight=None)
    later = df.assign(wave=2024)
    s = build_summary({2023: df, 2024: later}, s_def, {2023: coded, 2024: coded}, quotes=False)
    assert not s.meta["weighted"] and "share_w" not in s.table("indicators").columns
    c = _row(s.table("changes"), kind="indicator", item="helhet", segment="Totalt", value="Alle")
    assert c["diff"] == 0 and c["p_value"] == pytest.approx(1.0) and c["verdict"] == "ingen sikker endring" and not c["weighted"]
    t = _row(s.table("themes"), wave=2024, question="ft_rutet", theme="telefon", denominator="kommentatorer", segment="Totalt")
    assert (t["ci_low"], t["ci_high"]) == pytest.approx(st.wilson_ci(3, 4))
    assert "uvektet" in s.to_text_table()


def test_text_table_keeps_long_theme_labels_whole(make_tiny_definition):
    df, coded = tiny_frames()
    label = "Telefon og tilgjengelighet for virksomhetene"  # 44 characters: used to be cut to "…virksomhete"
    s = build_summary({2023: df}, make_tiny_definition(), {2023: coded}, quotes=False, theme_labels={"telefon": label})
    words = s.to_text_table(width=200).split()
    assert "virksomhetene" in words and "virksomhete" not in words


def _big_two_waves(make_tiny_definition):
    df, coded = tiny_frames()
    big = pd.concat([df.assign(rid=df["rid"] + f"-{k}") for k in range(8)], ignore_index=True)
    later = big.copy()
    later["wave"] = 2024
    return big, later


def test_changes_leave_rows_with_both_shares_zero_out_of_the_bh_family(make_tiny_definition):
    big, later = _big_two_waves(make_tiny_definition)
    later.loc[later["q1"].isin([1, 2, 3]).to_numpy() & (np.arange(len(later)) % 2 == 0), "q1"] = 5
    # telefon (q2) in sector O: nobody positive in either wave → both shares 0, p = 1: no test
    for f in (big, later):
        f.loc[f["sektor"] == "O", "q2"] = 1
    s = build_summary({2023: big, 2024: later}, make_tiny_definition(free_text=[]), quotes=False)
    ch = s.table("changes")
    zero = _row(ch, kind="indicator", item="telefon", segment="sektor", value="O")
    # no test: no test name, p or adjusted p (dec06h: was «z-pooled», p = 1), and nothing changed
    assert zero["share"] == 0 and zero["share_prev"] == 0 and np.isnan(zero["p_value"]) and zero["test"] == ""
    assert np.isnan(zero["p_adjusted"]) and zero["verdict"] == "ingen sikker endring"
    fam = ch[(ch["kind"] == "indicator") & (ch["segment"] == "sektor") & ~((ch["item"] == "telefon") & (ch["value"] == "O"))]
    assert len(fam) == 3
    # BH over the three real tests only (m = 3, not 4)
    np.testing.assert_allclose(fam["p_adjusted"], multipletests(fam["p_value"], method="fdr_bh")[1])


def test_sample_change_verdicts_agree_with_published_cis(sample_summary):
    """Review dec05: «signifikant» ⟺ BH-adjusted p < .05 and a 95 % (Newcombe) CI without 0; «tendens» ⟺ not that
    and adjusted p < .10 (no longer: CI-excludes-0 ⟺ unadjusted p < .05, nor «tendens» from the unadjusted p)."""
    ch = sample_summary.table("changes")
    ch = ch[~ch["suppressed"] & ch["p_value"].notna()]
    excludes = (ch["ci_low"] > 0) | (ch["ci_high"] < 0)
    assert excludes.any()
    sig = (ch["p_adjusted"] < 0.05) & excludes
    assert ((ch["verdict"] == "signifikant") == sig).all()
    assert ((ch["verdict"] == "tendens") == (~sig & (ch["p_adjusted"] < 0.10))).all()
    assert "tendens" in sample_summary.meta["verdict_rule"] and "utelukker 0" in sample_summary.meta["verdict_rule"]


def test_theme_count_hidden_in_every_denominator_when_the_commenter_cell_is_small(make_tiny_definition):
    df, coded = tiny_frames()
    # ft_rutet, sector O: 1 commenter (r09, mentions telefon) → suppressed; its "alle" base is 4 ≥ min_cell 3,
    # and before, the "alle" row showed count 1 and share 1/4 — the hidden count, recovered
    hidden = build_summary({2023: df}, make_tiny_definition(suppression="hide"), {2023: coded}, quotes=False)
    th = hidden.table("themes")
    for d in ("kommentatorer", "spurt", "alle"):
        r = _row(th, question="ft_rutet", theme="telefon", denominator=d, segment="sektor", value="O")
        assert r["suppressed"], d
        assert np.isnan(r["count"]) and np.isnan(r["share"]) and np.isnan(r["share_w"]) and np.isnan(r["ci_low"]), d
    assert _row(th, question="ft_rutet", theme="telefon", denominator="alle", segment="sektor", value="O")["n"] == 4
    ok = _row(th, question="ft_rutet", theme="telefon", denominator="alle", segment="sektor", value="P")
    # P, the other level of a two-level segment, is hidden too (total − P would give O), marked as secondary
    assert ok["suppressed"] and ok["suppressed_secondary"] and np.isnan(ok["count"])
    # flag mode: numbers kept in the summary, but all three rows flagged (published outputs hide them)
    flag = build_summary({2023: df}, make_tiny_definition(), {2023: coded}, quotes=False).table("themes")
    r = _row(flag, question="ft_rutet", theme="telefon", denominator="alle", segment="sektor", value="O")
    assert r["suppressed"] and r["count"] == 1


def test_quotes_never_from_small_cells_of_unattributed_segments(make_tiny_definition):
    df, coded = tiny_frames()
    segs = [{"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}},
            {"column": "fylke", "levels": ["Oslo", "Vestland"], "attribution": False}]
    # ft_rutet commenters r01 r02 r07 r09: fylke Oslo = r01 r07 r09 (3), Vestland = r02 (1 < min_cell 2)
    s = build_summary({2023: df}, make_tiny_definition(min_cell=2, segments=segs), {2023: coded}, embedder="fallback")
    q = s.table("quotes")
    th = s.table("themes")
    v = _row(th, question="ft_rutet", theme="vente", denominator="kommentatorer", segment="fylke", value="Vestland")
    assert v["suppressed"] and v["n"] == 1
    assert "r02" not in set(q.loc[q["question"] == "ft_rutet", "respondent_id"])
    assert len(q[q["question"] == "ft_rutet"])  # the others are still quoted


def test_theme_indicator_bh_per_indicator_and_between_group_wording(make_tiny_definition):
    df, coded = tiny_frames()
    s = build_summary({2023: df}, make_tiny_definition(min_cell=1), {2023: coded}, quotes=False)
    t = s.table("theme_indicators")
    for (q, ind), g in t.groupby(["question", "indicator"]):
        ok = g[~g["suppressed"] & g["p_value"].notna()]
        np.testing.assert_allclose(ok["p_adjusted"], multipletests(ok["p_value"], method="fdr_bh")[1])
    assert not (t["verdict"] == "ingen sikker endring").any()
    assert set(t["verdict"]) <= {"forskjell", "tendens", "ingen sikker forskjell", "for få svar", "ikke testbar"}
    assert "forskjell" in s.meta["difference_rule"]


def test_sample_theme_indicator_families_are_per_indicator(sample_summary):
    t = sample_summary.table("theme_indicators")
    t = t[(t["wave"] == 2023) & (t["question"] == "fritekst_generell")]
    h = t[(t["indicator"] == "helhet") & ~t["suppressed"] & t["p_value"].notna()]
    assert len(h) < (~t["suppressed"]).sum()  # several indicators in the table…
    np.testing.assert_allclose(h["p_adjusted"], multipletests(h["p_value"], method="fdr_bh")[1])  # …one family each
    assert set(t["verdict"]) <= {"forskjell", "tendens", "ingen sikker forskjell", "for få svar", "ikke testbar",
                                 "for få i en av gruppene"}  # (a small complement: Dec 06)
