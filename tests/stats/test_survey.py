"""Survey definition: YAML parsing, shorthand measures, routing, attribution and clear validation errors."""

import numpy as np
import pandas as pd
import pytest

from textmine.survey import SurveyDefinition, SurveyDefinitionError


def test_sample_definition_matches_contract(sample_survey):
    s = sample_survey
    assert s.id_column == "respondent_id" and s.weight_column == "vekt" and s.wave_column == "wave"
    assert [x.column for x in s.segments] == ["sektor", "ansatte", "naering", "fylke"]
    helhet = s.indicator("helhet")
    assert helhet.positive == (4, 5, 6) and helhet.excluded == (7, 8) and helhet.scale == tuple(range(1, 7))
    q = s.question("fritekst_sykefravaer")
    assert q.asked_item == "q_sykefravaer" and q.asked_codes == (1, 2, 3)
    assert q.codebook is not None and q.codebook.name == "arbeidsgiver.yaml"
    assert s.question("fritekst_generell").asked_item is None
    assert s.segment_levels(pd.DataFrame({"ansatte": ["200+", "1", "10-49", "2-9"]}), "ansatte") == ["1", "2-9", "10-49", "200+"]
    row = {"sektor": "Privat", "ansatte": "10-49", "naering": "Industri", "fylke": "Vestland"}
    assert s.attribution(row) == "Privat virksomhet, 10–49 ansatte, Vestland"  # næring is not used for attribution
    asked = q.asked_mask(pd.DataFrame({"q_sykefravaer": [1, 3, 4, 7, np.nan]}))
    assert asked.tolist() == [True, True, False, False, False]


def test_measure_shorthands(make_tiny_definition):
    s = make_tiny_definition(indicators=[
        {"id": "a", "column": "q1", "scale": [1, 6]},
        {"id": "b", "column": "q2", "scale": [1, 5], "measure": "top2"},
        {"id": "c", "column": "q3", "scale": [1, 6], "measure": "topbox"},
        {"id": "d", "column": "q4", "scale": [1, 4], "measure": "bottom2"},
        {"id": "e", "column": "q5", "scale": [1, 5], "positive": [4, 5], "excluded": [9]},
    ], free_text=[], drivers={})
    got = {i.id: i.positive for i in s.indicators}
    assert got == {"a": (4, 5, 6), "b": (4, 5), "c": (6,), "d": (1, 2), "e": (4, 5)}
    assert s.indicator("e").excluded == (9,) and s.indicator("a").excluded == (7,)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"indicators": [{"id": "a", "column": "q1", "scale": [1, 6], "positive": [7]}], "drivers": {}}, "indicators[0] (a).positive"),
        ({"indicators": [{"id": "a", "column": "q1", "scale": [1, 6], "excluded": [6]}], "drivers": {}}, "also on the scale"),
        ({"indicators": [{"id": "a", "column": "q1", "measure": "best"}]}, "measure: 'best' not one of"),
        ({"indicators": [{"id": "a", "column": "q1", "scale": [1, 6], "postive": [4]}]}, "unknown key(s) postive"),
        ({"indicators": [{"id": "a"}]}, "missing required key 'column'"),
        ({"drivers": {"outcome": "nope"}}, "drivers.outcome: 'nope' is not an indicator"),
        ({"drivers": {"outcome": "helhet", "controls": ["alder"]}}, "drivers.controls"),
        ({"segments": [{"column": "q1"}], "drivers": {}}, "column 'q1' is declared twice"),
        ({"suppression": "blur"}, "suppression"),
        ({"free_text": [{"column": "ft", "asked_if": {"item": "q1"}}]}, "asked_if: missing required key 'codes'"),
        ({"segments": [{"column": "s", "levels": ["a", "a"]}]}, "duplicate level"),
    ],
)
def test_validation_errors_name_the_place(make_tiny_definition, change, message):
    with pytest.raises(SurveyDefinitionError) as e:
        make_tiny_definition(**change)
    assert message in str(e.value)


def test_from_yaml_errors_name_the_file(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("id: rid\nindicators:\n  - {id: a, column: q1, scale: [1, 6], positive: [9]}\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=r"s\.yaml: indicators\[0\] \(a\)\.positive"):
        SurveyDefinition.from_yaml(p)
    p.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="not valid YAML"):
        SurveyDefinition.from_yaml(p)
    with pytest.raises(SurveyDefinitionError, match="not found"):
        SurveyDefinition.from_yaml(tmp_path / "nope.yaml")


def test_validate_frame_weights_multiselect_and_warnings(make_tiny_definition):
    s = make_tiny_definition(
        free_text=[], drivers={},
        multiselect=[{"id": "tj", "options": ["a", "ingen"], "exclusive": ["ingen"]}],
    )
    df = pd.DataFrame({"rid": ["1", "2"], "wave": 1, "w": [1.0, -1.0], "sektor": ["P", "X"], "fylke": "Oslo",
                       "q1": [1, 2], "q2": [3, 4], "a": [1, 1], "ingen": [0, 1]})
    with pytest.raises(SurveyDefinitionError, match=r"row 3, column w: weight must be a number ≥ 0 \(1 such value\(s\): row 3\)"):
        s.validate_frame(df)
    df["w"] = 1.0
    warnings = s.validate_frame(df)
    assert any("exclusive option of tj" in w for w in warnings)
    assert any("sektor has 1 value(s) not among the declared levels (row 3)" in w for w in warnings)
    assert not any("'X'" in w for w in warnings)
    df.loc[0, "a"] = 2
    with pytest.raises(SurveyDefinitionError, match=r"row 2, column a: multi-select value must be 0 or 1 \(1 such"):
        s.validate_frame(df)


SECRET = "Kari Nordmann 01019010127"


def test_validate_frame_messages_never_quote_cell_values(make_tiny_definition):
    """Errors and warnings name file, row, column and what was expected, never the cell value (which may be
    personal data typed into the wrong column)."""
    s = make_tiny_definition(free_text=[], drivers={}, multiselect=[{"id": "tj", "options": ["a", "ingen"]}])
    base = {"rid": ["1", "2", "3"], "wave": 1, "w": [1.0, 1.0, 1.0], "sektor": ["P", "P", "P"], "fylke": "Oslo",
            "q1": [1, 2, 3], "q2": [3, 4, 5], "a": ["1", "0", "1"], "ingen": ["0", "0", "0"]}

    def frame(**change):
        return pd.DataFrame({**base, **change})

    checks = [
        (dict(rid=[SECRET, SECRET, "3"]), "rows 2, 3, column rid"),
        (dict(w=["1", SECRET, "1"]), "row 3, column w"),
        (dict(q1=["1", "2", SECRET]), "row 4, column q1: expected a code on the scale"),
        (dict(a=["1", "7", "1"]), "row 3, column a"),
    ]
    for change, where in checks:
        with pytest.raises(SurveyDefinitionError) as e:
            s.validate_frame(frame(**change))
        assert where in str(e.value) and SECRET not in str(e.value) and "'7'" not in str(e.value), str(e.value)
    warnings = s.validate_frame(frame(sektor=["P", SECRET, "P"], a=["1", SECRET, "1"], w=[1.0, 1.0, 1019010208.0]))
    text = " | ".join(warnings)
    assert SECRET not in text and "1019010208" not in text, text
    assert "column sektor has 1 value(s) not among the declared levels (row 3)" in text
    assert "column a: 1 multi-select value(s) are not 0/1 codes and are treated as missing (row 3)" in text
    assert "column w: 1 implausibly large weight(s)" in text and "row 4" in text
    assert s.undeclared_levels(frame(sektor=["P", SECRET, "P"]))["sektor"].tolist() == [1]


@pytest.mark.parametrize("section", ["segments", "indicators", "multiselect", "free_text", "other_columns"])
def test_list_sections_must_be_lists(make_tiny_definition, section):
    with pytest.raises(SurveyDefinitionError, match=f"{section}: expected a list, got str"):
        make_tiny_definition(**{section: "Kari"})


def test_yaml_error_gives_position_not_content(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("id: rid\nname: [Kari Nordmann 01019010127\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="not valid YAML at line") as e:
        SurveyDefinition.from_yaml(p)
    assert "01019010127" not in str(e.value)


def test_free_valued_segments_are_masked_in_summaries(sample_survey, sample_data):
    """A segment without declared levels (naering) is shown verbatim by level in summaries and reports, so
    personal data typed into it is redacted first; declared-level columns and ordinary values stay as they are."""
    from textmine.summary import build_summary

    frames, _, _, _ = sample_data
    df = frames[2023].copy()
    rows = df.index[:12]
    df.loc[rows, "naering"] = SECRET
    before = df.copy()
    masked, counts = sample_survey.mask_free_segments(df)
    assert counts == {"naering": 12}
    pd.testing.assert_frame_equal(df, before)  # the input is not modified
    assert not masked["naering"].astype(str).str.contains("01019010127|Nordmann").any()
    untouched = masked.index.difference(rows)
    assert masked.loc[untouched, "naering"].tolist() == df.loc[untouched, "naering"].tolist()
    assert masked["sektor"].tolist() == df["sektor"].tolist()
    same, none = sample_survey.mask_free_segments(frames[2023])
    assert none == {} and same is frames[2023]  # nothing to mask: no copy

    s = build_summary({2023: df}, sample_survey, segments=["naering"], quotes=False, drivers=False)
    text = s.to_json()
    assert "01019010127" not in text and "Nordmann" not in text
    assert any("naering" in w and "masked in 12 cell" in w for w in s.warnings)
