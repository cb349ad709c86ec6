"""The complement rule on the theme × indicator table (methodologist's review, Dec 06).

Was: «of the 76 who mention ros, 98.7 % are satisfied» was shown: exactly one of them is not. Now a row whose
mentioners or non-mentioners have 1 to min_cell − 1 answers outside the positive count (base − positives) is
hidden, in the table, its files and the report's «Betydning», and its test is out of the BH family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.report.views import report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

N = 100
POSITIVE = set(range(0, 19)) | set(range(20, 30)) | set(range(30, 65))
THEMES = {
    "a": set(range(0, 20)),   # 19 of 20 mentioners positive: complement 1
    "b": set(range(30, 100)),  # non-mentioners 29 of 30 positive: complement 1
    "c": set(range(30, 70)),  # 35 of 40 / 29 of 60: shown
}


def _definition() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "ti", "id": "rid", "wave": "aar", "min_cell": 5, "segments": [],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


@pytest.fixture(scope="module")
def summary():
    frame = pd.DataFrame({"rid": [f"r{i}" for i in range(N)], "aar": 2023,
                          "q1": [5 if i in POSITIVE else 2 for i in range(N)],
                          "ft": [f"Kommentar {i}" for i in range(N)]})
    coded = pd.DataFrame({"respondent_id": frame["rid"], "question": "ft", "text_clean": frame["ft"],
                          "is_non_answer": 0, **{f"theme_{t}": [int(i in rows) for i in range(N)]
                                                 for t, rows in THEMES.items()}})
    return build_summary({2023: frame}, _definition(), {2023: coded}, quotes=False, drivers=False)


def _rows(t: pd.DataFrame) -> pd.DataFrame:
    return t.set_index("theme")


def test_fixture_counts(summary):
    t = _rows(summary.table("theme_indicators"))
    assert (t.loc["a", "n_mention"], t.loc["a", "count_mention"]) == (20, 19)
    assert (t.loc["b", "n_other"], t.loc["b", "count_other"]) == (30, 29)
    assert (t.loc["c", "n_mention"], t.loc["c", "count_mention"]) == (40, 35)


def test_small_complement_on_either_side_hides_the_row(summary):
    t = _rows(summary.table("theme_indicators"))
    assert t.loc["a", "suppressed"], "a: 19 of 20 mentioners positive gives the one who is not"
    assert t.loc["b", "suppressed"], "b: 29 of 30 non-mentioners positive gives the one who is not"
    assert not t.loc["c", "suppressed"]
    # the same words as every hidden cell: a reason per cell would narrow its count (the re-test of Dec 06)
    assert list(t.loc[["a", "b"], "verdict"]) == ["for få svar"] * 2


def test_hidden_rows_are_out_of_the_bh_family(summary):
    fam = [f for f in summary.meta["bh_families"] if f["table"] == "theme_indicators"]
    assert [f["tests"] for f in fam] == [1]
    t = _rows(summary.table("theme_indicators"))
    assert t.loc["c", "p_adjusted"] == pytest.approx(t.loc["c", "p_value"]), "one test: adjusted p = p"


def test_every_output_hides_them(summary, tmp_path):
    shown = _rows(summary.for_readers().table("theme_indicators"))
    for th in ("a", "b"):
        for c in ("share_mention", "share_other", "n_mention", "count_mention", "count_other", "diff", "p_value"):
            assert pd.isna(shown.loc[th, c]), f"{th}: {c} shown"
    summary.write(tmp_path, formats=("csv",))
    csv = _rows(pd.read_csv(tmp_path / "theme_indicators.csv"))
    assert np.isnan(csv.loc["a", "share_mention"]) and np.isnan(csv.loc["b", "share_other"])
    assert csv.loc["c", "share_mention"] == pytest.approx(35 / 40)
    impact = report_from_summary(summary, _definition(), key="t").impact
    assert list(impact["theme"]) == ["c"], "«Betydning» shows the shown rows only"
