"""Survey definitions written by hand and build_summary called with inputs that do not fit together."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition, SurveyDefinitionError

BASE = {"name": "tiny", "id": "rid", "weight": "w",
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}], "free_text": [{"column": "ft"}]}


def _def(**over):
    d = copy.deepcopy(BASE)
    d.update(over)
    return SurveyDefinition.from_dict(d)


@pytest.mark.parametrize("over, match", [
    ({"excluded_codes": "7,8"}, r"excluded_codes: expected a list of codes such as \[7,8\]"),
    ({"free_text": [{"column": "ft", "asked_if": {"item": "helhet", "codes": "1,2"}}]},
     r"free_text\[0\].asked_if.codes: expected a list of codes"),
])
def test_codes_written_as_one_text_are_refused(over, match):
    """Was: YAML's ``codes: 1,2`` (the text "1,2") became the code 1.2 (comma as decimal mark): nobody routed."""
    with pytest.raises(SurveyDefinitionError, match=match):
        _def(**over)


@pytest.mark.parametrize("over, match", [
    ({"allow_unknown_columns": "false"}, "allow_unknown_columns: expected true or false"),
    ({"segments": [{"column": "s", "attribution": "no"}]}, r"segments\[0\].attribution: expected true or false"),
])
def test_quoted_booleans_are_refused(over, match):
    """Was: the text "false" counted as true."""
    with pytest.raises(SurveyDefinitionError, match=match):
        _def(**over)


def test_single_strings_where_lists_belong():
    """Was: options "abc" became three columns a, b, c; controls "s" was spelt out letter by letter."""
    with pytest.raises(SurveyDefinitionError, match=r"multiselect\[0\].options: expected a list"):
        _def(multiselect=[{"id": "m", "options": "tj_a"}])
    sd = _def(segments=[{"column": "sektor"}], drivers={"outcome": "helhet", "controls": "sektor"})
    assert sd.driver_controls == ("sektor",)


def test_from_yaml_on_a_folder_or_non_utf8_file(tmp_path):
    with pytest.raises(SurveyDefinitionError, match="is a folder; expected a survey definition YAML file"):
        SurveyDefinition.from_yaml(tmp_path)
    p = tmp_path / "survey.yaml"
    p.write_bytes("name: ø\nid: rid\n".encode("latin-1"))
    with pytest.raises(SurveyDefinitionError, match="line 1: byte 0xf8 is not valid UTF-8"):
        SurveyDefinition.from_yaml(p)


def test_an_asked_if_item_missing_from_the_data_is_named(wave):
    """Was: a bare KeyError deep inside build_summary."""
    df, coded = wave
    sd = _def(segments=[{"column": "sektor"}], free_text=[{"column": "ft", "asked_if": {"item": "q_ruting", "codes": [1]}}],
              other_columns=["wave"])
    with pytest.raises(SurveyDefinitionError, match="column.*q_ruting.*missing from the data"):
        sd.validate_frame(df)
    with pytest.raises(SurveyDefinitionError, match="asked_if item 'q_ruting'"):
        sd.free_text[0].asked_mask(df)


def test_build_summary_refuses_coded_waves_that_are_not_among_the_frames(survey, wave):
    """Was: coded keyed "2023" (str) for frames keyed 2023 (int) was silently left out: no theme table at all."""
    df, coded = wave
    with pytest.raises(ValueError, match=r"coded has wave\(s\) '2023' \(str\) that are not among the waves of frames: 2023 \(int\)"):
        build_summary({2023: df}, survey, {"2023": coded}, quotes=False)
    s = build_summary({2022: df.assign(wave=2022), 2023: df}, survey, {2023: coded}, quotes=False)  # a subset is fine
    assert set(s.table("themes")["wave"]) == {2023}


def test_build_summary_refuses_unknown_segments_and_themes(survey, wave):
    """Was: a misspelt segment was silently dropped, a misspelt theme reported as 0 % everywhere."""
    df, coded = wave
    with pytest.raises(ValueError, match=r"segments: 'sector' not among the survey's segment columns \(sektor\)"):
        build_summary({2023: df}, survey, {2023: coded}, segments=["sector"], quotes=False)
    with pytest.raises(ValueError, match="themes: no column theme_<id> for 'kø' in the coded frames"):
        build_summary({2023: df}, survey, {2023: coded}, themes=["mat", "kø"], quotes=False)


def test_build_summary_refuses_a_list_of_frames(survey, wave):
    with pytest.raises(TypeError, match="frames: expected a mapping wave → DataFrame"):
        build_summary([wave[0]], survey, quotes=False)


def test_checked_and_fine_weights_codes_and_empty_waves(survey, wave):
    df, coded = wave
    for bad in (-1.0, float("nan")):
        w = df["w"].copy()
        w.iloc[2] = bad
        with pytest.raises(SurveyDefinitionError, match="row 4, column w: weight must be a number ≥ 0"):
            build_summary({2023: df.assign(w=w)}, survey, {2023: coded}, quotes=False)
    q1 = df["q1"].astype(object).copy()
    q1.iloc[0] = 9
    with pytest.raises(SurveyDefinitionError, match="row 2, column q1: expected a code on the scale"):
        build_summary({2023: df.assign(q1=q1)}, survey, {2023: coded}, quotes=False)
    as_text = build_summary({2023: df.assign(q1=df["q1"].map(lambda v: f" {v} "))}, survey, {2023: coded}, quotes=False)
    ref = build_summary({2023: df}, survey, {2023: coded}, quotes=False)
    pd.testing.assert_frame_equal(as_text.table("indicators"), ref.table("indicators"))
    zero = build_summary({2023: df.assign(w=0.0)}, survey, {2023: coded}, quotes=False).table("indicators")
    assert zero["share_w"].isna().all() and (zero["n_eff"] == 0).all()
    empty = build_summary({2022: df.iloc[:0], 2023: df}, survey, {2022: coded.iloc[:0], 2023: coded}, quotes=False)
    assert len(empty.table("themes")) and "changes" in empty.tables
    silent = build_summary({2023: df}, survey, {2023: coded.assign(is_non_answer=1)}, quotes=False).table("themes")
    kb = silent[(silent["denominator"] == "kommentatorer") & (silent["segment"] == "Totalt")]
    assert (kb["n"] == 0).all() and kb["share"].isna().all()
    with pytest.raises(SurveyDefinitionError, match="column.*sektor.*missing from the data"):
        build_summary({2023: df.drop(columns=["sektor"])}, survey, {2023: coded}, quotes=False)
