"""The report shows the summary's numbers (one source of truth), and those numbers are right by hand."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import textmine.report
from textmine.quotes import export_shown_segments


def _hand_share(synthetic, wave, theme, segment=None):
    df, coded = synthetic["frames"][wave], synthetic["coded"][wave]
    com = coded[coded["is_non_answer"] == 0].merge(df, on="respondent_id")
    if segment:
        com = com[com["sektor"] == segment]
    w = com["vekt"].to_numpy()
    return int(com[f"theme_{theme}"].sum()), len(com), float((w * com[f"theme_{theme}"]).sum() / w.sum())


def test_theme_shares_are_the_summarys_and_match_hand_computation(synthetic, summary, report_data):
    th, st = report_data.themes, summary.table("themes")
    for seg_var, seg, hand_seg in (("Alle", "Alle", None), ("sektor", "Privat", "Privat")):
        row = th[(th.wave == "2023") & (th.theme == "telefon") & (th.segment_var == seg_var) & (th.segment == seg)].iloc[0]
        src = st[(st.wave == 2023) & (st.theme == "telefon") & (st.denominator == "kommentatorer")
                 & (st.segment == ("Totalt" if seg_var == "Alle" else seg_var)) & (st.value == seg)].iloc[0]
        assert (row["share"], row["ci_low"], row["ci_high"]) == (src["share_w"], src["ci_low_w"], src["ci_high_w"])
        assert (row["count"], row["base"]) == (src["count"], src["n"])
        count, base, share = _hand_share(synthetic, "2023", "telefon", hand_seg)
        assert (row["count"], row["base"]) == (count, base)
        assert row["share"] == pytest.approx(share)
        assert row["ci_low"] < row["share"] < row["ci_high"]
    # the three denominators: commenters ⊂ asked ⊂ all respondents
    row = th[(th.wave == "2023") & (th.theme == "telefon") & (th.segment_var == "Alle")].iloc[0]
    assert row["base"] <= row["asked"] <= row["respondents"] == 900
    assert row["share_all"] < row["share"]
    df, coded = synthetic["frames"]["2023"], synthetic["coded"]["2023"]
    mentions = df.merge(coded[coded.is_non_answer == 0], on="respondent_id")
    assert row["share_all"] == pytest.approx((mentions.theme_telefon * mentions.vekt).sum() / df.vekt.sum())


def test_indicator_shares_are_the_summarys_weighted_shares(synthetic, summary, report_data):
    ind = report_data.indicators
    row = ind[(ind.wave == "2023") & (ind.indicator == "q_helhet") & (ind.segment_var == "Alle")].iloc[0]
    src = summary.table("indicators")
    src = src[(src.wave == 2023) & (src.indicator == "helhet") & (src.segment == "Totalt")].iloc[0]
    assert (row["share"], row["n"], row["base"]) == (src["share_w"], src["count"], src["n"])
    df = synthetic["frames"]["2023"]
    valid = df[df.q_helhet.isin([1, 2, 3, 4, 5, 6])]
    assert row["base"] == len(valid) and row["n"] == int(valid.q_helhet.isin([4, 5, 6]).sum())
    assert row["share"] == pytest.approx(np.average(valid.q_helhet.isin([4, 5, 6]), weights=valid.vekt))


def test_small_cells_are_suppressed_and_hidden(synthetic, survey, report_data):
    th = report_data.themes
    assert (th["suppressed"] == (th["base"] < 10)).all()
    # a stricter min_cell: the summary flags cells, the report hides them (never a share for a small cell)
    from textmine.report import report_from_summary
    from textmine.report.html import render_html
    from textmine.summary import build_summary
    import dataclasses

    strict = dataclasses.replace(survey, min_cell=60)
    frames = {int(k): v for k, v in synthetic["frames"].items()}
    coded = {int(k): v for k, v in synthetic["coded"].items()}
    s = build_summary(frames, strict, coded, quotes=False, drivers=False)
    r = report_from_summary(s, strict, codebook=synthetic["codebook"])
    th = r.themes
    assert th["suppressed"].any() and (~th["suppressed"]).any()
    assert (th["base"].dropna() >= 60).all()  # every cell shown has a base of at least min_cell
    assert th.loc[th["suppressed"], "base"].isna().all()  # a hidden cell shows no base to subtract from a total
    html = render_html(r, charts={})
    assert "Skjult: for lite grunnlag" in html and "Skjult: grunnlag" not in html


def test_change_flags_planted_shift_with_the_summarys_verdict(summary, report_data):
    ch = report_data.changes
    tel = ch[(ch.kind == "tema") & (ch.key == "telefon")].iloc[0]
    assert tel["verdict"] == "signifikant" and tel["diff"] > 0.1
    src = summary.table("changes")
    src = src[(src.kind == "theme") & (src.item == "telefon") & (src.segment == "Totalt")
              & (src.denominator == "kommentatorer")].iloc[0]
    assert (tel["diff"], tel["p_value"], tel["p_adjusted"], tel["verdict"]) == (
        src["diff"], src["p_value"], src["p_adjusted"], src["verdict"])
    assert set(ch["verdict"]) <= {"signifikant", "tendens", "ingen sikker endring", "for få svar"}
    assert (ch["n"] > 0).all() and (ch["n_prev"] > 0).all()
    # the report's previous/current shares are the ones its theme table shows
    th = report_data.themes.query("theme == 'telefon' and segment_var == 'Alle'").set_index("wave")
    assert (tel["prev_share"], tel["share"]) == pytest.approx((th.loc["2022", "share"], th.loc["2023", "share"]))


def test_quotes_are_the_summarys_redacted_text_from_eligible_comments(synthetic, summary, survey, report_data):
    q = report_data.quotes
    assert not q.empty and "respondent_id" not in q.columns
    src = summary.table("quotes")
    src = src[src.wave == 2023].sort_values(["question", "theme", "rank"], kind="stable")
    assert list(zip(q.text, q.attribution)) == list(zip(src.text, src.attribution))
    assert q.groupby(["question", "theme"]).size().isin([1, 3, 4, 5, 6]).all()  # 1 when < 5 comments are eligible
    coded, df = synthetic["coded"]["2023"], synthetic["frames"]["2023"]
    cols = [s.column for s in survey.segments if s.attribution]
    rows = coded.merge(df[["respondent_id", *cols]], on="respondent_id").assign(wave="2023")
    shown = export_shown_segments(rows, cols, survey.min_cell)  # the row-level exports' own rule
    for (_, r), rid in zip(q.iterrows(), src["respondent_id"]):  # the id stays in memory in the summary only
        row = coded[(coded.respondent_id == rid) & (coded.question == r["question"])].iloc[0]
        # the comment's redacted text (long ones shortened to whole sentences/clauses joined by "[…]"), never a
        # health-flagged one
        for piece in r["text"].split("[…]"):
            assert piece.strip().replace("‹", "«").replace("›", "»") in row.text_clean
        assert row.health_flag == 0 and row[f"theme_{r['theme']}"] == 1
        resp = df[df.respondent_id == row.respondent_id].iloc[0]
        # the attribution shows exactly the segment values the row-level export shows for this comment
        i = rows.index[(rows.respondent_id == rid) & (rows.question == r["question"])][0]
        assert r["attribution"] == survey.attribution(resp, segments=[c for c in cols if shown.loc[i, c]])


def test_impact_is_theme_indicators_and_matches_hand_computation(synthetic, summary, report_data):
    imp = report_data.impact
    row = imp[imp.theme == "telefon"].iloc[0]
    df, coded = synthetic["frames"]["2023"], synthetic["coded"]["2023"]
    m = coded[coded.is_non_answer == 0].merge(df, on="respondent_id")
    m = m[m.q_helhet.isin([1, 2, 3, 4, 5, 6])]
    has = m.theme_telefon == 1
    pos = m.q_helhet.isin([4, 5, 6]).astype(float)
    expect = np.average(pos[has], weights=m.vekt[has]) - np.average(pos[~has], weights=m.vekt[~has])
    assert row["diff"] == pytest.approx(expect)
    assert row["ci_low"] < row["diff"] < row["ci_high"]
    assert (row["n_with"], row["n_without"]) == (int(has.sum()), int((~has).sum()))
    drv = summary.table("drivers")
    drv = drv[(drv.wave == 2023) & (drv.theme == "telefon")].iloc[0]
    assert row["adjusted_pp"] == drv["effect_pp"] and row["adjusted_verdict"] == drv["verdict"]
    assert (imp["n_with"] >= 10).all() and (imp["n_without"] >= 10).all()


def test_report_data_rejects_unknown_verdict():
    from textmine.report.model import ReportData

    with pytest.raises(ValueError, match="verdict"):
        ReportData(title="x", waves=["1"], changes=pd.DataFrame([{"verdict": "kanskje"}]))


def test_agreement_uses_hand_labels():
    from textmine.report.pipeline import agreement

    coded = {2023: pd.DataFrame({"respondent_id": ["a", "b", "c"], "question": "q",
                                 "theme_x": [1, 0, 1], "theme_y": [0, 1, 1]})}
    labels = {2023: pd.DataFrame({"respondent_id": ["a", "b", "c"], "question": "q", "themes": ["x", "x", "x;y"]})}
    a = agreement(coded, labels, ["x", "y"])
    # tp = 3 (a:x, c:x, c:y), fp = 1 (b:y), fn = 1 (b:x) → P = R = F1 = 0.75; exact 2/3
    assert a["n"] == 3 and a["micro_f1"] == 0.75 and a["precision"] == 0.75 and a["exact_match"] == 0.667
    assert agreement(coded, {2023: labels[2023].assign(question="other")}, ["x", "y"]) is None


def test_report_package_has_no_statistics_of_its_own():
    """Every number comes from textmine.summary: the report imports no statistics libraries or modules."""
    banned = {"scipy", "statsmodels", "sklearn", "textmine.stats", "textmine.quotes"}
    for path in Path(textmine.report.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module if node.level == 0 else f"textmine.{node.module}"]
            for n in names:
                assert not any(n == b or n.startswith(b + ".") for b in banned), f"{path.name} imports {n}"
        src = path.read_text(encoding="utf-8")
        for word in ("wilson", "sqrt(", "norm.sf", "np.average(", "two_proportion"):
            assert word not in src.lower(), f"{path.name}: {word}"
