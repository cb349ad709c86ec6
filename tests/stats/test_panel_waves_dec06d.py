"""Waves that share respondents (a panel) get a warning in the summary: the change tests assume independent
samples, and say nothing about it otherwise."""

import numpy as np
import pandas as pd

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition


def _survey() -> SurveyDefinition:
    return SurveyDefinition.from_dict({"name": "panel", "id": "rid", "wave": "aar", "min_cell": 5,
                                       "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}]})


def _wave(year: int, ids: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"rid": ids, "aar": year, "q1": rng.integers(1, 7, len(ids))})


def test_shared_ids_are_warned_with_their_count_and_share():
    ids = [f"r{i:03d}" for i in range(200)]
    frames = {2022: _wave(2022, ids, 1), 2023: _wave(2023, ids[50:] + [f"n{i:03d}" for i in range(50)], 2)}
    s = build_summary(frames, _survey(), quotes=False, drivers=False)
    hits = [w for w in s.warnings if "in both waves" in w]
    assert hits == [hits[0]] and "2023 vs 2022: 150 respondent id(s) (75% of 2023)" in hits[0]
    assert "independent samples" in hits[0]


def test_separate_samples_get_no_such_warning():
    frames = {2022: _wave(2022, [f"a{i}" for i in range(100)], 1), 2023: _wave(2023, [f"b{i}" for i in range(100)], 2)}
    s = build_summary(frames, _survey(), quotes=False, drivers=False)
    assert not [w for w in s.warnings if "in both waves" in w]


def test_a_tiny_weighted_share_gets_a_sane_interval():
    """Review dec06d: 1 positive of 30 with weight 0.2 (share 0.7 %) got the logit interval 0.009–35.6 %, three
    times the upper limit of 0 of 30; Wilson on Kish's effective n keeps it near the zero share's."""
    from textmine import stats as st

    w = np.ones(30)
    w[0] = 0.2
    y = np.zeros(30)
    y[0] = 1
    tiny, zero = st.proportion(y, w), st.proportion(np.zeros(30), np.ones(30))
    assert tiny.method == "wilson-kish" and 0 < tiny.ci_low < tiny.share < tiny.ci_high < 0.15
    assert tiny.ci_high < 1.2 * zero.ci_high
