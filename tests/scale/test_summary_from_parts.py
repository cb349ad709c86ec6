"""Summary from partitioned coding output equals the summary from the whole frame, without reading text."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.distributed import read_coded_parts, summarise_parts, summary_inputs_from_parts
from textmine.io import read_table
from textmine.paths import DEFAULT_SURVEY
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_yaml(DEFAULT_SURVEY)


@pytest.fixture(scope="module")
def coded_dir(dask_result):
    """Parts written by the Dask engine (the same run the engine tests check)."""
    return dask_result[1]


def _whole_frame_summary(sample_input, coded_dir, survey, text_col):
    """Reference: the survey table read whole (typed by textmine.io) + the whole coded frame in memory."""
    frame = read_table(sample_input)
    coded_all = read_coded_parts(coded_dir)
    themes = [c for c in coded_all.columns if c.startswith("theme_")]
    coded = pd.DataFrame({"respondent_id": coded_all["respondent_id"], "question": text_col})
    coded[themes] = coded_all[themes].astype(int)
    coded["text_clean"] = coded_all[text_col]
    coded["is_non_answer"] = (coded_all["themes"] == "").astype(int)
    frames = {int(w): g.reset_index(drop=True) for w, g in frame.groupby(survey.wave_column)}
    codeds = {int(w): coded[(frame[survey.wave_column] == w).to_numpy()].reset_index(drop=True) for w in frames}
    return build_summary(frames, survey, codeds, quotes=False)


def test_summary_from_parts_equals_summary_from_whole_frame(sample_input, coded_dir, survey, text_col):
    want = _whole_frame_summary(sample_input, coded_dir, survey, text_col)
    got = summarise_parts(coded_dir, survey)  # text column taken from the run's manifest
    assert set(got.tables) == set(want.tables)
    assert sorted(want.tables["themes"]["wave"].unique().tolist()) == [2022, 2023]
    assert want.tables["themes"]["count"].sum() > 0
    for name in ("indicators", "multiselect", "themes", "theme_indicators", "changes"):
        a, b = got.tables[name], want.tables[name]
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                      obj=f"table {name}")


def test_summary_inputs_never_read_the_comment_text(coded_dir, survey, monkeypatch):
    requested: list[list[str] | None] = []
    real = pd.read_parquet

    def spy(path, *a, columns=None, **kw):
        requested.append(columns)
        return real(path, *a, columns=columns, **kw)

    monkeypatch.setattr(pd, "read_parquet", spy)
    frames, coded = summary_inputs_from_parts(coded_dir, survey)
    assert requested and all(cols is not None for cols in requested)
    text_cols = {q.column for q in survey.free_text}
    assert not any(text_cols & set(cols) for cols in requested)
    assert set(frames) == {2022, 2023} and set(coded) == {2022, 2023}
    assert sum(len(f) for f in frames.values()) == sum(len(c) for c in coded.values())


def test_summary_from_parts_needs_coding_output(tmp_path, survey):
    with pytest.raises(FileNotFoundError, match="no part-"):
        summarise_parts(tmp_path, survey, "fritekst_generell")
