"""One suppressed summary for every output of a run (methodologist's review, Dec 06).

Was: the summary's reader files (CSV, JSON, terminal) hid a cell whose complement (base − count) is 1 to
min_cell − 1 (:func:`textmine.summary.hide_small_counts`, rule b), but the report (model, workbook, JSON, HTML)
was built from the raw flags and showed such cells («56 of 65» where indicators.csv was blank). Now the report
views the same hidden summary: every cell hidden in the summary's reader tables is hidden in the report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from textmine.report.views import report_from_summary
from textmine.report.writer import write_report
from textmine.summary import TOTAL_SEGMENT
from textmine.survey import SurveyDefinition

from ..smallwaves import small_summary, wave_frames

MIN_CELL = 5
# per level: respondents, positive answers (4–5), commenters, commenters with the theme
LEVELS = {
    "prim": dict(n=10, pos=3, com=10, theme=9),    # theme complement 1 (rule b)
    "ind": dict(n=30, pos=28, com=20, theme=10),   # positive complement 2 (rule b)
    "tj": dict(n=40, pos=10, com=30, theme=12),
    "off": dict(n=25, pos=5, com=25, theme=11),
    "bygg": dict(n=35, pos=30, com=28, theme=14),  # positive complement 5: secondary (b)
}


def _definition() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "small", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
        "segments": [{"column": "naering", "levels": {k: k for k in LEVELS}}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


def _answers(lv: str, c) -> list:
    return [5] * c["pos"] + [2] * (c["n"] - c["pos"])


def _wave(wave: int, shift: int = 0):
    """One wave's frames (also used by test_bh_shown_dec06a and test_change_effective_n_dec06a)."""
    return wave_frames(LEVELS, wave, segment="naering", shift=shift, answers=_answers)


@pytest.fixture(scope="module")
def built():
    d = _definition()
    s = small_summary(LEVELS, d, segment="naering", answers=_answers, shift=3)
    return s, d, report_from_summary(s, d, key="test")


def _key(seg_var, seg):
    return (TOTAL_SEGMENT, "Alle") if seg_var in ("Alle", TOTAL_SEGMENT) else (str(seg_var), str(seg))


def _summary_hidden(summary, table: str, items: list[str]) -> set:
    t = summary.for_readers(key="test").table(table)
    if "denominator" in t.columns:
        t = t[t["denominator"] == "kommentatorer"]
    t = t[t["suppressed"].astype(bool)]
    return {(str(r["wave"]), *[str(r[i]) for i in items], *_key(r["segment"], r["value"])) for _, r in t.iterrows()}


def _report_hidden(rows: pd.DataFrame, items: list[str]) -> set:
    rows = rows[rows["suppressed"].astype(bool)]
    return {(str(r["wave"]), *[str(r[i]) for i in items], *_key(r["segment_var"], r["segment"]))
            for _, r in rows.iterrows()}


def test_complement_case_is_in_the_fixture(built):
    s, _, _ = built
    raw = s.table("indicators")
    r = raw[(raw["wave"] == 2023) & (raw["value"] == "ind")].iloc[0]
    assert r["count"] == 28 and r["n"] == 30 and not r["suppressed"], "raw: complement 2, not flagged by the base"
    assert ("2023", "helhet", "naering", "ind") in _summary_hidden(s, "indicators", ["indicator"])


def test_report_model_hides_every_cell_the_summary_hides(built):
    s, _, r = built
    want_ind = _summary_hidden(s, "indicators", ["indicator"])
    want_th = _summary_hidden(s, "themes", ["question", "theme"])
    assert want_ind and want_th
    assert _report_hidden(r.indicators, ["indicator_id"]) == want_ind
    assert _report_hidden(r.themes, ["question", "theme"]) == want_th
    row = r.indicators[(r.indicators["wave"] == "2023") & (r.indicators["segment"] == "ind")].iloc[0]
    assert pd.isna(row["share"]) and pd.isna(row["n"]) and pd.isna(row["base"]), "28 of 30 must not be shown"


def test_report_files_hide_them_too(built, tmp_path):
    s, _, r = built
    write_report(r, tmp_path, formats=("json", "xlsx"))
    d = json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))
    ind = pd.DataFrame(d["indicators"])
    assert _report_hidden(ind, ["indicator_id"]) == _summary_hidden(s, "indicators", ["indicator"])
    shown = ind[~ind["suppressed"].astype(bool)]
    assert shown["share"].notna().all()
    hidden = ind[ind["suppressed"].astype(bool)]
    assert hidden["share"].isna().all() and hidden["n"].isna().all()
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "rapport.xlsx", read_only=True)
    text = "\n".join(" ".join("" if v is None else str(v) for v in row) for ws in wb.worksheets
                     for row in ws.iter_rows(values_only=True))
    assert "28" not in [t for line in text.splitlines() if "ind" in line.split() for t in line.split()], \
        "the workbook shows «ind»'s 28 positives"


def test_change_rows_of_complement_hidden_cells_are_hidden_in_the_report(built):
    s, _, r = built
    ch = s.for_readers(key="test").table("changes")
    hidden = ch[ch["suppressed"].astype(bool) & (ch["segment"] == TOTAL_SEGMENT)]
    rc = r.changes
    assert len(rc) and rc["suppressed"].astype(bool).sum() == len(
        hidden[(hidden["kind"] == "indicator") | (hidden["denominator"] == "kommentatorer")])


def test_hidden_cells_publish_one_reason_and_not_which_rule_hid_them(built, tmp_path):
    """A complement-hidden cell (30 answers, 28 positive) reads «for få svar» like a small one, and no published
    file says which hidden cell is secondary: each would narrow the hidden count (the re-test of Dec 06)."""
    from textmine.summary import VERDICT_SUPPRESSED

    s, _, r = built
    s.write(tmp_path, formats=("csv", "json"))
    ch = pd.read_csv(tmp_path / "changes.csv")
    row = ch[(ch["kind"] == "indicator") & (ch["value"] == "ind")].iloc[0]
    assert row["suppressed"] and row["verdict"] == VERDICT_SUPPRESSED
    assert set(ch.loc[ch["suppressed"].astype(bool), "verdict"]) == {VERDICT_SUPPRESSED}
    for name in ("themes", "indicators", "changes"):
        t = pd.read_csv(tmp_path / f"{name}.csv")
        if "suppressed_secondary" in t.columns:
            assert t.loc[t["suppressed"].astype(bool), "suppressed_secondary"].isna().all(), name
    from textmine.report.html import render_html

    page = render_html(r, {})
    assert "for få i en av gruppene" not in page.replace("for få i en av gruppene (nesten", "")
