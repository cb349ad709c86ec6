"""Report statistics on a synthetic survey, checked against hand computations and statsmodels."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from textmine.report.compute import two_proportion_p, verdict, weighted_share, wilson


def test_wilson_matches_statsmodels():
    lo, hi = wilson(0.3, 50)
    ref = proportion_confint(15, 50, method="wilson")
    assert lo == pytest.approx(ref[0], abs=1e-9) and hi == pytest.approx(ref[1], abs=1e-9)


def test_weighted_share_uses_kish_n():
    y = np.array([1, 0, 1, 1, 0.0])
    w = np.array([2, 1, 1, 1, 1.0])
    p, lo, hi, n, n_eff = weighted_share(y, w)
    assert p == pytest.approx(4 / 6)
    assert n == 5 and n_eff == pytest.approx(36 / 8)
    assert (lo, hi) == pytest.approx(wilson(4 / 6, 36 / 8))


def test_verdicts():
    assert verdict(0.01) == "signifikant" and verdict(0.07) == "tendens" and verdict(0.5) == "uendret"
    assert two_proportion_p(0.25, 400, 0.45, 400) < 0.001
    assert two_proportion_p(0.30, 100, 0.31, 100) > 0.5


def _hand_share(synthetic, wave, theme, segment=None):
    df, coded = synthetic["frames"][wave], synthetic["coded"][wave]
    com = coded[coded["is_non_answer"] == 0].merge(df, on="respondent_id")
    if segment:
        com = com[com["sektor"] == segment]
    w = com["vekt"].to_numpy()
    return int(com[f"theme_{theme}"].sum()), len(com), float((w * com[f"theme_{theme}"]).sum() / w.sum())


def test_theme_shares_match_hand_computation(synthetic, report_data):
    th = report_data.themes
    for seg_var, seg, hand_seg in (("Alle", "Alle", None), ("sektor", "Privat", "Privat")):
        row = th[(th.wave == "2023") & (th.theme == "telefon") & (th.segment_var == seg_var) & (th.segment == seg)].iloc[0]
        count, base, share = _hand_share(synthetic, "2023", "telefon", hand_seg)
        assert (row["count"], row["base"]) == (count, base)
        assert row["share"] == pytest.approx(share)
        assert row["ci_low"] < row["share"] < row["ci_high"]
    # the three denominators: commenters ⊂ asked ⊂ all respondents
    row = th[(th.wave == "2023") & (th.theme == "telefon") & (th.segment_var == "Alle")].iloc[0]
    assert row["base"] <= row["asked"] <= row["respondents"] == 900
    assert row["share_all"] < row["share"]


def test_small_cells_are_suppressed(report_data):
    th = report_data.themes
    assert (th["suppressed"] == (th["base"] < 10)).all()


def test_change_flags_planted_shift(report_data):
    ch = report_data.changes
    tel = ch[(ch.kind == "tema") & (ch.key == "telefon")].iloc[0]
    assert tel["verdict"] == "signifikant" and tel["diff"] > 0.1
    assert set(ch["verdict"]) <= {"signifikant", "tendens", "uendret"}
    assert (ch["n"] > 0).all() and (ch["n_prev"] > 0).all()


def test_quotes_are_redacted_text_from_eligible_comments(synthetic, report_data):
    q = report_data.quotes
    assert not q.empty
    sizes = q.groupby(["question", "theme"]).size()
    assert sizes.between(3, 6).all()
    coded = synthetic["coded"]["2023"]
    healthy = set(coded.loc[coded.health_flag == 0, "text_clean"])
    assert set(q["text"]) <= healthy  # never a health-flagged comment, never text from elsewhere
    for _, r in q.iterrows():
        row = coded[coded.text_clean == r["text"]].iloc[0]
        assert row[f"theme_{r['theme']}"] == 1
        assert r["attribution"] and "virksomhet" in r["attribution"]


def test_impact_compares_with_and_without_theme(synthetic, report_data):
    imp = report_data.impact
    row = imp[imp.theme == "telefon"].iloc[0]
    df, coded = synthetic["frames"]["2023"], synthetic["coded"]["2023"]
    m = coded.merge(df, on="respondent_id")
    m = m[m.q_helhet.isin([1, 2, 3, 4, 5, 6])]
    has = m.theme_telefon == 1
    pos = m.q_helhet.isin([4, 5, 6]).astype(float)
    expect = np.average(pos[has], weights=m.vekt[has]) - np.average(pos[~has], weights=m.vekt[~has])
    assert row["diff"] == pytest.approx(expect)
    assert row["ci_low"] < row["diff"] < row["ci_high"]
    assert row["n_with"] == int(has.sum())


def test_report_data_rejects_unknown_verdict():
    from textmine.report.model import ReportData

    with pytest.raises(ValueError, match="verdict"):
        ReportData(title="x", waves=["1"], changes=pd.DataFrame([{"verdict": "kanskje"}]))


def test_attribution_drops_finest_parts_for_small_groups():
    from textmine.report.compute import attribution, attribution_cell_sizes
    from textmine.report.spec import SurveySpec

    spec = SurveySpec(min_n=3)
    df = pd.DataFrame({"sektor": ["Privat"] * 5 + ["Offentlig"],
                       "ansatte": ["2-9"] * 4 + ["200+", "2-9"],
                       "fylke": ["Oslo"] * 3 + ["Finnmark", "Oslo", "Oslo"]})
    sizes = attribution_cell_sizes(df, spec)
    rows = df.to_dict("records")
    assert attribution(rows[0], spec, sizes) == "Privat virksomhet, 2–9 ansatte, Oslo"  # 3 such firms
    assert attribution(rows[3], spec, sizes) == "Privat virksomhet, 2–9 ansatte"  # the only one in Finnmark
    assert attribution(rows[4], spec, sizes) == "Privat virksomhet"  # the only large one
    assert attribution(rows[5], spec, sizes) == "Anonym respondent"  # the only public one
