"""Secondary (complementary) suppression in the summary's segment tables.

Was: only the levels under min_cell were suppressed. With exactly one level of a segment hidden, the total row
minus the visible levels gave back every hidden count (the review's «1 ansatt / grunnlag 5»). Now, within one
breakdown (wave × item × segment), a single hidden level takes the next smallest level with it, in the theme,
indicator and multi-select tables, and the change rows of those cells are hidden as well."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.summary import TOTAL_SEGMENT, build_summary
from textmine.survey import SurveyDefinition

# commenters per size level: "1" is under min_cell (5); "10" is the next smallest; 0 in "0" (no respondents)
SIZES = {"1": 2, "2": 12, "10": 6, "50": 20}
MIN_CELL = 5


def _definition(**over) -> SurveyDefinition:
    d = {"name": "sec", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
         "segments": [{"column": "ansatte", "levels": {"0": "Ingen", "1": "1 ansatt", "2": "2–9", "10": "10–49",
                                                       "50": "50+"}}],
         "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
         "multiselect": [{"id": "kanal", "options": {"k_tlf": "Telefon", "k_web": "Nett"}}],
         "free_text": [{"column": "ft", "label": "Kommentar?"}]}
    d.update(over)
    return SurveyDefinition.from_dict(d)


def _frames(wave: int, seed: int):
    rng = np.random.default_rng(seed)
    levels = [lv for lv, k in SIZES.items() for _ in range(k)]
    n = len(levels)
    df = pd.DataFrame({"rid": [f"{wave}-{i}" for i in range(n)], "aar": wave, "ansatte": levels,
                       "q1": rng.integers(1, 7, n), "k_tlf": rng.integers(0, 2, n), "k_web": rng.integers(0, 2, n),
                       "ft": [f"Kommentar {i}" for i in range(n)]})
    tel = rng.integers(0, 2, n)
    tel[0] = 1  # a mention in the small level, so there is a count to hide
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"],
                          "is_non_answer": 0, "theme_telefon": tel, "theme_ros": 1 - tel})
    return df, coded


@pytest.fixture(scope="module")
def summaries():
    f22, c22 = _frames(2022, 1)
    f23, c23 = _frames(2023, 2)
    out = {}
    for mode in ("flag", "hide"):
        out[mode] = build_summary({2022: f22, 2023: f23}, _definition(suppression=mode), {2022: c22, 2023: c23},
                                  quotes=False, drivers=False)
    return out


def _breakdowns(t: pd.DataFrame, keys):
    seg = t[t["segment"] != TOTAL_SEGMENT]
    return seg.groupby(keys, sort=False)


@pytest.mark.parametrize("mode", ["flag", "hide"])
def test_no_breakdown_has_exactly_one_hidden_level(summaries, mode):
    s = summaries[mode]
    for name, keys, base in (("themes", ["wave", "question", "theme", "denominator", "segment"], "n"),
                             ("indicators", ["wave", "indicator", "segment"], "n"),
                             ("multiselect", ["wave", "group", "option", "segment"], "n")):
        t = s.table(name)
        assert len(t), name
        for key, part in _breakdowns(t, keys):
            hidden = part[part["suppressed"].astype(bool)]
            if name == "themes":  # a theme cell hides on its commenter base (the same levels in all denominators)
                com = s.table("themes")
                com = com[(com["wave"] == key[0]) & (com["question"] == key[1]) & (com["theme"] == key[2])
                          & (com["denominator"] == "kommentatorer") & (com["segment"] == key[4])]
                with_people = hidden["value"].isin(com.loc[com["n"] > 0, "value"])
            else:
                with_people = hidden[base] > 0
            assert int(with_people.sum()) != 1, (name, key, hidden[["value", base]])


def test_the_next_smallest_level_is_hidden_and_marked_secondary(summaries):
    th = summaries["flag"].table("themes")
    for wave in (2022, 2023):
        for d in ("kommentatorer", "spurt", "alle"):
            part = th[(th["wave"] == wave) & (th["theme"] == "telefon") & (th["denominator"] == d)
                      & (th["segment"] == "ansatte")].set_index("value")
            assert part.loc["1", "suppressed"] and not part.loc["1", "suppressed_secondary"]
            assert part.loc["10", "suppressed"] and part.loc["10", "suppressed_secondary"]  # 6 < 12 < 20
            assert not part.loc["2", "suppressed"] and not part.loc["50", "suppressed"]
    ind = summaries["flag"].table("indicators")
    part = ind[(ind["wave"] == 2023) & (ind["segment"] == "ansatte")].set_index("value")
    assert part.loc["1", "suppressed"] and part.loc["10", "suppressed_secondary"]
    assert not part.loc["2", "suppressed"]


def test_total_minus_visible_levels_does_not_give_a_hidden_count(summaries):
    """The review's subtraction: total count − visible level counts. It is now the sum of two hidden cells (each with
    respondents), so no single hidden count follows from the published numbers."""
    s = summaries["hide"]
    th = s.table("themes")
    for (wave, theme), part in th[th["denominator"] == "kommentatorer"].groupby(["wave", "theme"]):
        total = part[part["segment"] == TOTAL_SEGMENT]
        seg = part[part["segment"] == "ansatte"]
        hidden = seg[seg["suppressed"]]
        visible = seg[~seg["suppressed"]]
        assert hidden["count"].isna().all() and hidden["share"].isna().all() and hidden["ci_low"].isna().all()
        assert hidden["n_eff"].isna().all() if "n_eff" in hidden else True
        residual = float(total["count"].iloc[0]) - float(visible["count"].sum())
        true = summaries["flag"].table("themes")
        true = true[(true["wave"] == wave) & (true["theme"] == theme) & (true["denominator"] == "kommentatorer")
                    & (true["segment"] == "ansatte") & true["suppressed"]]
        assert residual == pytest.approx(true["count"].sum())
        assert int((true["n"] > 0).sum()) >= 2, "the residual belongs to one level only"


def test_change_rows_of_secondarily_hidden_cells_are_hidden(summaries):
    for mode in ("flag", "hide"):
        ch = summaries[mode].table("changes")
        rows = ch[(ch["segment"] == "ansatte") & ch["value"].isin(["1", "10"])]
        assert len(rows) and rows["suppressed"].all()
        assert (rows["verdict"] == "for få svar").all() and rows["p_value"].isna().all()
        if mode == "hide":
            assert rows["share"].isna().all() and rows["share_prev"].isna().all() and rows["diff"].isna().all()
        ok = ch[(ch["segment"] == "ansatte") & ch["value"].isin(["2", "50"])]
        assert len(ok) and not ok["suppressed"].any()


def test_hide_mode_blanks_the_numbers_of_secondary_cells(summaries):
    th = summaries["hide"].table("themes")
    sec = th[th["suppressed_secondary"]]
    assert len(sec)
    for c in ("count", "share", "ci_low", "ci_high"):
        assert sec[c].isna().all(), c
    ind = summaries["hide"].table("indicators")
    sec = ind[ind["suppressed_secondary"]]
    assert len(sec) and sec["share"].isna().all() and sec["count"].isna().all() and sec["mean"].isna().all()


def test_no_secondary_suppression_when_nothing_or_two_levels_are_small():
    f, c = _frames(2023, 3)
    s = build_summary({2023: f}, _definition(min_cell=1), {2023: c}, quotes=False, drivers=False)
    th = s.table("themes")
    assert not th.loc[th["n"] > 0, "suppressed"].any() and not th["suppressed_secondary"].any()
    s = build_summary({2023: f}, _definition(min_cell=7), {2023: c}, quotes=False, drivers=False)
    th = s.table("themes")
    part = th[(th["segment"] == "ansatte") & (th["denominator"] == "kommentatorer")]
    # "1" (2) and "10" (6) both small: already two hidden, nothing more
    assert set(part.loc[part["suppressed"], "value"]) >= {"1", "10"}
    assert not part["suppressed_secondary"].any()
    assert not part[part["value"].isin(["2", "50"])]["suppressed"].any()


def test_hidden_levels_that_together_stay_under_min_cell_take_the_next_smallest():
    """Two hidden levels of one respondent each: total minus the visible levels gives both answers together
    (n = 2, count 0 tells each one's answer), so the next smallest level is hidden until the hidden levels hold
    min_cell respondents between them."""
    from textmine.summary import secondary_levels

    base, small = np.array([1, 1, 40, 50, 60]), np.array([True, True, False, False, False])
    assert secondary_levels(base, small).tolist() == [False] * 5  # the old rule: two hidden levels were enough
    assert secondary_levels(base, small, min_cell=10).tolist() == [False, False, True, False, False]
    assert secondary_levels(np.array([4, 6, 40]), np.array([True, True, False]), min_cell=10).tolist() == [False] * 3
    one = secondary_levels(np.array([3, 40, 50]), np.array([True, False, False]), min_cell=10)
    assert one.tolist() == [False, True, False]  # one hidden level: as before
    assert secondary_levels(np.array([1, 1]), np.array([True, True]), min_cell=10).tolist() == [False, False]
