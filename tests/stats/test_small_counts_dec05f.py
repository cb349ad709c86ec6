"""Small counts beside suppressed cells in what readers see (the data protection officer's review, Dec 05).

Was: the reader copy (:meth:`Summary.for_readers`, the CLI's files, :func:`blank_hidden_rows`) hid only rows whose
base was under min_cell. An indicator's ``n_excluded`` / ``n_missing`` of 1–4 in a segment level («2 svarte "vet
ikke"») and a count whose complement was small (naering «Primærnæringer» n=10 and count 9: the one respondent
without the theme) were shown. Now (a) those split counts are blank (0 stays), and (b) such a count hides its row,
with secondary suppression within the breakdown; the total («Totalt») keeps its headline numbers; the raw tables
(``raw=True``) stay as they were."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.summary import TOTAL_SEGMENT, blank_hidden_rows, build_summary, hide_small_counts
from textmine.survey import SurveyDefinition

from ..smallwaves import wave_frames

MIN_CELL = 5
# per level: respondents, of them with excluded code 9 («vet ikke»), with no answer, with a positive answer (4–5)
# among the valid, commenters, commenters with the theme
LEVELS = {
    "prim": dict(n=10, excl=2, miss=0, pos=0, com=10, theme=9),   # excl 2 (a); theme complement 1 (b)
    "ind": dict(n=30, excl=0, miss=0, pos=28, com=20, theme=10),  # positive complement 2 (b); split 0/0 shown
    "tj": dict(n=40, excl=6, miss=0, pos=10, com=30, theme=12),   # excl 6: next smallest for the split (a)
    "off": dict(n=25, excl=8, miss=0, pos=5, com=25, theme=11),
    "bygg": dict(n=35, excl=0, miss=0, pos=30, com=28, theme=14),  # positive complement 5: secondary (b)
}


def _definition(**over) -> SurveyDefinition:
    d = {"name": "small", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
         "excluded_codes": {9: "Vet ikke"},
         "segments": [{"column": "naering", "levels": {k: k for k in LEVELS}}],
         "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5]}],
         "free_text": [{"column": "ft", "label": "Kommentar?"}]}
    d.update(over)
    return SurveyDefinition.from_dict(d)


def _answers(lv: str, c) -> list:
    valid = c["n"] - c["excl"] - c["miss"]
    return [5] * c["pos"] + [2] * (valid - c["pos"]) + [9] * c["excl"] + [np.nan] * c["miss"]


def _wave(wave: int, shift: int = 0):
    return wave_frames(LEVELS, wave, segment="naering", answers=_answers, shift=shift)


@pytest.fixture(scope="module")
def summary():
    f22, c22 = _wave(2022, shift=3)  # 2022: «prim» has 6 of 10 with the theme (complement 4: hidden too)
    f23, c23 = _wave(2023)
    return build_summary({2022: f22, 2023: f23}, _definition(), {2022: c22, 2023: c23}, quotes=False, drivers=False)


def _row(t: pd.DataFrame, wave=2023, value="prim", segment="naering", **eq) -> pd.Series:
    m = (t["wave"] == wave) & (t["segment"] == segment) & (t["value"] == value)
    for k, v in eq.items():
        m &= t[k] == v
    assert int(m.sum()) == 1, f"expected one row for {wave}/{segment}/{value}/{eq}, got {int(m.sum())}"
    return t[m].iloc[0]


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def test_small_n_excluded_is_blank_for_readers_but_kept_raw(summary):
    raw = _row(summary.table("indicators"))
    assert raw["n_excluded"] == 2 and raw["n_missing"] == 0, "the raw table keeps every number"
    shown = _row(summary.for_readers().table("indicators"))
    for c in ("n_excluded", "n_missing", "experience_share"):
        assert _blank(shown[c]), f"prim: {c} = {shown[c]!r} should be hidden (n_excluded 2 < min_cell {MIN_CELL})"
    assert shown["n_total"] == 10, "the level's size stays"
    assert _row(summary.for_readers().table("indicators"), value="off")["n_excluded"] == 8, "8 ≥ min_cell: shown"


def test_small_split_takes_the_next_smallest_level_with_it(summary):
    """Total n_excluded minus the visible levels would give «prim»'s 2 back: «tj» (6, the next smallest) is hidden
    too, «off» (8) stays."""
    t = summary.for_readers().table("indicators")
    assert _blank(_row(t, value="tj")["n_excluded"]), "tj: n_excluded should be hidden as secondary"
    assert _row(t, value="off")["n_excluded"] == 8
    total = _row(t, segment=TOTAL_SEGMENT, value="Alle")
    assert total["n_excluded"] == 16, "the headline total stays"
    visible = t[(t["wave"] == 2023) & (t["segment"] == "naering")]["n_excluded"].dropna().sum()
    assert total["n_excluded"] - visible >= MIN_CELL, "total − visible levels gives a hidden level's count"


def test_small_n_missing_is_blank_with_n_excluded():
    f, c = _wave(2023)
    f.loc[f.index[(f["naering"] == "bygg")][:3], "q1"] = np.nan  # bygg: 3 without an answer, 0 excluded
    f.loc[f.index[(f["naering"] == "ind")][:10], "q1"] = 2  # ind: 18 of 30 positive (no complement to hide)
    s = build_summary({2023: f}, _definition(), {2023: c}, quotes=False, drivers=False)
    t = s.for_readers().table("indicators")
    shown = _row(t, value="bygg")
    assert not shown["suppressed"], "bygg: the row itself stays (27 of 32 positive)"
    assert _blank(shown["n_missing"]) and _blank(shown["n_excluded"]), \
        f"bygg: n_missing 3 / n_excluded 0 should both be hidden (one gives the other from n_total − n), got {shown}"
    assert shown["n"] == 32 and shown["count"] == 27
    assert _row(t, value="off")["n_excluded"] == 8 and _row(t, value="off")["n_missing"] == 0


def test_theme_count_with_small_complement_hides_its_cell_in_every_denominator(summary):
    raw = _row(summary.table("themes"), denominator="kommentatorer")
    assert raw["count"] == 9 and raw["n"] == 10 and not raw["suppressed"], "raw: as before"
    th = summary.for_readers().table("themes")
    for d in ("kommentatorer", "spurt", "alle"):
        r = _row(th, denominator=d)
        assert r["suppressed"] and not r["suppressed_secondary"], f"prim/{d}: count 9 of 10 should be hidden"
        assert _blank(r["count"]) and _blank(r["share"]) and _blank(r["ci_low"]), f"prim/{d}: numbers shown {r}"


def test_theme_complement_secondary_keeps_the_total_from_giving_it_back(summary):
    th = summary.for_readers().table("themes")
    part = th[(th["wave"] == 2023) & (th["denominator"] == "kommentatorer") & (th["segment"] == "naering")]
    hidden = part[part["suppressed"]]
    assert len(hidden) >= 2, f"only {list(hidden['value'])} hidden"
    total = _row(th, segment=TOTAL_SEGMENT, value="Alle", denominator="kommentatorer")
    assert not total["suppressed"] and total["count"] == 56 and total["n"] == 113, "headline total stays visible"
    visible = part[~part["suppressed"]]
    rest_n = total["n"] - visible["n"].sum()
    rest_count = total["count"] - visible["count"].sum()
    assert rest_n - rest_count >= MIN_CELL, "total − visible levels leaves a small complement"


def test_indicator_positive_count_with_small_complement_is_hidden(summary):
    ind = summary.for_readers().table("indicators")
    r = _row(ind, value="ind")
    assert r["suppressed"] and _blank(r["count"]) and _blank(r["share"]), f"ind: 28 of 30 positive shown: {r}"
    assert _row(summary.table("indicators"), value="ind")["count"] == 28
    total = _row(ind, segment=TOTAL_SEGMENT, value="Alle")
    assert not total["suppressed"] and total["count"] == 73 and total["n"] == 124


def test_change_rows_of_complement_hidden_cells_are_hidden(summary):
    ch = summary.for_readers().table("changes")
    r = _row(ch, kind="theme", denominator="alle")
    # «for få svar» as every hidden cell: which rule hid it is not published (it would narrow the count)
    assert r["suppressed"] and r["verdict"] == "for få svar"
    assert _blank(r["share"]) and _blank(r["share_prev"])
    raw = _row(summary.table("changes"), kind="theme", denominator="alle")
    assert not raw["suppressed"], "raw changes as before"


def test_every_reader_path_applies_it(summary, tmp_path):
    d = summary.to_dict()
    row = [r for r in d["tables"]["indicators"] if r["wave"] == 2023 and r["value"] == "prim"][0]
    assert row["n_excluded"] is None and row["n_missing"] is None
    assert [r for r in summary.to_dict(raw=True)["tables"]["indicators"]
            if r["wave"] == 2023 and r["value"] == "prim"][0]["n_excluded"] == 2
    shown, _ = blank_hidden_rows(summary, nullable=False)
    assert _blank(_row(shown.table("themes"), denominator="spurt")["count"])
    summary.write(tmp_path, formats=("csv",))
    csv = pd.read_csv(tmp_path / "indicators.csv")
    r = csv[(csv["wave"] == 2023) & (csv["value"] == "prim")].iloc[0]
    assert np.isnan(r["n_excluded"]) and np.isnan(r["n_missing"])
    assert hide_small_counts(summary).table("themes") is not summary.table("themes")


def test_headline_total_keeps_a_small_split():
    """The total (all respondents) is the headline: its n_excluded of 2 stays, the level's is hidden."""
    keep = ["prim", "ind"]  # 2 excluded answers in all, both in «prim»
    f, c = _wave(2023)
    f = f[f["naering"].isin(keep)]
    s = build_summary({2023: f}, _definition(segments=[{"column": "naering", "levels": {k: k for k in keep}}]),
                      {2023: c[c["respondent_id"].isin(f["rid"])]}, quotes=False, drivers=False)
    t = s.for_readers().table("indicators")
    assert _row(t, segment=TOTAL_SEGMENT, value="Alle")["n_excluded"] == 2
    assert _blank(_row(t, value="prim")["n_excluded"])


def test_readers_are_not_told_which_hidden_cell_is_secondary():
    """A secondary cell is not small itself: publishing that flag narrows it (with the totals: 0 or ≥ min_cell)."""
    import pandas as pd

    from textmine.summary import _blank_rows

    t = pd.DataFrame({"segment": ["fylke"] * 3, "value": ["a", "b", "c"], "count": [3, 40, 12], "n": [12, 90, 80],
                      "suppressed": [True, True, False], "suppressed_secondary": [False, True, False]})
    out, n = _blank_rows(t, True)
    assert n == 2 and out["suppressed_secondary"].iloc[:2].isna().all() and out["suppressed_secondary"].iloc[2] == False  # noqa: E712
    assert out["count"].iloc[:2].isna().all() and list(out["suppressed"]) == [True, True, False]
