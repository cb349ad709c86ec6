"""The row-level blanking (one rule for «Kodede svar», the .sav and the quotes' attributions) treats each wave on
its own: a wave's blanked cells never depend on another wave's rows, so quotes built one wave at a time show exactly
what the exports show."""

from __future__ import annotations

import numpy as np
import pandas as pd

from textmine.rowdisclosure import _blank_small_cells_all, blank_small_cells

SEGMENTS = ["sektor", "fylke", "ansatte"]


def _rows(seed: int, wave: str, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "respondent_id": [f"{wave}-{i:03d}" for i in range(n)], "wave": wave, "question": "ft",
        "text_clean": "En kommentar om NAV.", "is_non_answer": 0,
        "sektor": rng.choice(["privat", "offentlig"], n, p=[0.7, 0.3]),
        "fylke": rng.choice(["Oslo", "Vestland", "Nordland", "Troms"], n, p=[0.5, 0.3, 0.15, 0.05]),
        "ansatte": rng.choice(["1-9", "10-49", "50+"], n, p=[0.5, 0.35, 0.15])})


def _blanked(frame: pd.DataFrame, rule) -> pd.DataFrame:
    out = frame.copy()
    rule(out, SEGMENTS, 10)
    return out[SEGMENTS].isna()


def test_a_waves_blanks_do_not_depend_on_the_other_wave():
    differed = 0
    for seed in range(12):
        a, b = _rows(seed, "2022", 60), _rows(seed + 100, "2023", 90)
        both = pd.concat([a, b], ignore_index=True)
        alone = _blanked(a, blank_small_cells)
        together = _blanked(both, blank_small_cells).iloc[: len(a)]
        pd.testing.assert_frame_equal(together.reset_index(drop=True), alone.reset_index(drop=True))
        assert alone.to_numpy().any()  # something is blanked: the comparison means something
        old = _blanked(both, _blank_small_cells_all).iloc[: len(a)]
        differed += int(not old.reset_index(drop=True).equals(alone.reset_index(drop=True)))
    assert differed > 0  # with the waves pooled, the other wave's rows changed some wave's blanks


def test_one_wave_is_blanked_as_before():
    a = _rows(3, "2022", 80)
    pd.testing.assert_frame_equal(_blanked(a, blank_small_cells), _blanked(a, _blank_small_cells_all))
