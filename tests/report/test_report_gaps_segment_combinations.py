"""The row-level rows («Kodede svar», .sav, JSON): filtering on several segment columns at once shows no group under
min_cell (local suppression over the combinations of segment columns), and cells that were fine keep their values."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from textmine.report.excel import safe_coded_rows

MIN = 5
SEGMENTS = ["sektor", "fylke", "storrelse"]


def _coded() -> pd.DataFrame:
    """One question, one row per respondent. Every single level has ≥ MIN commenters, but a few combinations do
    not: (O, FM) 2 respondents, (P, VL, liten) 1 … The big block (P, OS, stor) and (O, OS, liten) are fine."""
    spec = ([("P", "OS", "stor")] * 12 + [("O", "OS", "liten")] * 10 + [("P", "VL", "stor")] * 6
            + [("O", "VL", "stor")] * 6 + [("O", "FM", "stor")] * 2 + [("P", "FM", "liten")] * 6
            + [("P", "VL", "liten")] * 1 + [("O", "FM", "liten")] * 4)
    return pd.DataFrame([{"respondent_id": f"r{i:03d}", "wave": "2024", "question": "ft", "text_clean": f"Svar {i}",
                          "is_non_answer": 0, "sektor": s, "fylke": f, "storrelse": z, "vekt": 1.0 + i / 100}
                         for i, (s, f, z) in enumerate(spec)])


def _groups(out: pd.DataFrame, cols) -> pd.Series:
    vis = out[list(cols)].notna().all(axis=1)
    return out[vis].groupby(["wave", "question", *cols])["respondent_id"].nunique()


def test_every_visible_pair_and_full_combination_has_min_cell_respondents():
    coded = _coded()
    before = {c: _groups(coded, c) for c in combinations(SEGMENTS, 2)}
    assert any((g < MIN).any() for g in before.values()), "the fixture must have small pairs to fix"
    out, n_small, _ = safe_coded_rows(coded, SEGMENTS, MIN)
    for n in (1, 2, 3):
        for cols in combinations(SEGMENTS, n):
            g = _groups(out, cols)
            bad = g[g < MIN]
            assert bad.empty, f"columns {cols}: visible groups under {MIN} respondents: {bad.to_dict()}"
    assert n_small == int(out[SEGMENTS].isna().any(axis=1).sum()) > 0


def test_fine_cells_keep_their_values_and_blanks_take_the_weight():
    coded = _coded()
    out, _, _ = safe_coded_rows(coded, SEGMENTS, MIN)
    fine = coded.apply(lambda r: (r["sektor"], r["fylke"], r["storrelse"]) in
                       {("P", "OS", "stor"), ("O", "OS", "liten"), ("P", "VL", "stor"), ("O", "VL", "stor"),
                        ("P", "FM", "liten")}, axis=1)
    kept = out.loc[fine, SEGMENTS].eq(coded.loc[fine, SEGMENTS]).all(axis=1)
    assert kept.all(), f"rows of combinations that were fine lost a value: {out.loc[fine & ~kept, 'respondent_id'].tolist()}"
    blanked = out[SEGMENTS].isna().any(axis=1)
    assert out.loc[blanked, "vekt"].isna().all() and out.loc[~blanked, "vekt"].notna().all()
    # local suppression: a blanked row loses one value, not all of them
    assert (out.loc[blanked, SEGMENTS].notna().sum(axis=1) >= 1).all(), out[blanked]


def test_blanked_alike_in_every_row_of_a_respondent_and_deterministic():
    coded = _coded()
    second = coded.assign(question="ft2", text_clean=coded["text_clean"] + " igjen")
    both = pd.concat([coded, second], ignore_index=True)
    out, _, _ = safe_coded_rows(both, SEGMENTS, MIN)
    for c in SEGMENTS:
        per = out.groupby("respondent_id")[c].agg(lambda s: s.isna().nunique())
        assert (per == 1).all(), f"{c}: respondents blank in one row and shown in another: {per[per > 1].index.tolist()}"
    again, _, _ = safe_coded_rows(both.sample(frac=1, random_state=3).sort_index(), SEGMENTS, MIN)
    pd.testing.assert_frame_equal(out, again)


def test_the_column_with_most_levels_is_blanked_first():
    # the full combination (a, x, 1) is small; every column is in it equally often: fylke has the most levels
    rows = [("a", "x", "1")] * 2 + [("a", "y", "1")] * 6 + [("b", "z", "1")] * 6 + [("b", "x", "1")] * 6 \
        + [("a", "w", "1")] * 6
    coded = pd.DataFrame([{"respondent_id": f"r{i}", "wave": "2024", "question": "ft", "text_clean": "Svar",
                           "is_non_answer": 0, "sektor": s, "fylke": f, "storrelse": z}
                          for i, (s, f, z) in enumerate(rows)])
    out, _, _ = safe_coded_rows(coded, SEGMENTS, MIN)
    small = out["respondent_id"].isin(["r0", "r1"])
    assert out.loc[small, "fylke"].isna().all() and out.loc[small, ["sektor", "storrelse"]].notna().all().all(), \
        out[small]
    assert out.loc[~small, SEGMENTS].notna().all().all()
