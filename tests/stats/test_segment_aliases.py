"""Segment level aliases: another spelling of a level, or the name it had in an earlier wave ("Privat sektor" for
"Privat"), counts as that level everywhere the one matching rule is used (summary, read_waves, report, the
service's upload check) instead of being cleared as undeclared or compared as a new level. Aliases are checked
when the definition is read, and are among the texts checked for personal data."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition, SurveyDefinitionError, personal_data_fields

N = 40


def _survey(aliases, *, levels=None, column="sektor") -> SurveyDefinition:
    seg = {"column": column, "label": "Sektor", "aliases": aliases}
    if levels is not False:
        seg["levels"] = levels or {"Privat": "Privat virksomhet", "Offentlig": "Offentlig virksomhet"}
    return SurveyDefinition.from_dict({
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 1, "segments": [seg],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}], "allow_unknown_columns": True})


def _wave(wave: int, privat: str, offentlig: str, column="sektor") -> pd.DataFrame:
    return pd.DataFrame({"rid": [f"{wave}-{i}" for i in range(N)], "wave": wave,
                         column: [privat if i % 2 else offentlig for i in range(N)],
                         "q": [(i % 6) + 1 for i in range(N)]})


def _levels(summary, wave, column="sektor"):
    ind = summary.tables["indicators"]
    rows = ind[(ind["wave"] == wave) & (ind["segment"] == column)]
    return dict(zip(rows["value"].astype(str), rows["n"]))


def test_an_earlier_waves_spelling_is_the_same_level_and_the_change_is_computed():
    survey = _survey({"Privat": ["Privat sektor"], "Offentlig": "Offentleg"})
    frames = {2022: _wave(2022, "Privat sektor", "Offentleg"), 2023: _wave(2023, "Privat", "Offentlig virksomhet")}
    summary = build_summary(frames, survey, quotes=False, drivers=False)
    assert _levels(summary, 2022) == _levels(summary, 2023) == {"Privat": N // 2, "Offentlig": N // 2}
    assert not any("only in" in w or "declared levels" in w for w in summary.warnings), summary.warnings
    ch = summary.tables["changes"]
    assert set(ch.loc[ch["segment"] == "sektor", "value"].astype(str)) == {"Privat", "Offentlig"}


def test_without_the_alias_the_old_spelling_is_cleared_as_undeclared():
    survey = _survey(None)
    frames = {2022: _wave(2022, "Privat sektor", "Offentleg"), 2023: _wave(2023, "Privat", "Offentlig")}
    summary = build_summary(frames, survey, quotes=False, drivers=False)
    assert _levels(summary, 2022) == {"(uoppgitt)": N}
    assert any("not among the declared levels" in w for w in summary.warnings)


def test_a_free_valued_segment_maps_its_aliases_to_the_value_they_name():
    survey = _survey({"NAV Oslo": ["NAV Oslo sentrum", "Nav Oslo"]}, levels=False, column="kontor")
    frames = {2022: _wave(2022, "NAV Oslo sentrum", "NAV Bergen", column="kontor"),
              2023: _wave(2023, "Nav Oslo", "NAV Bergen", column="kontor")}
    summary = build_summary(frames, survey, quotes=False, drivers=False, segments=["kontor"])
    assert _levels(summary, 2022, "kontor") == _levels(summary, 2023, "kontor") == {"NAV Bergen": 20, "NAV Oslo": 20}
    assert not any("only in" in w for w in summary.warnings), summary.warnings


@pytest.mark.parametrize(("aliases", "message"), [
    ({"Frivillig": ["Ideell"]}, "aliases[0]: 'Frivillig' is not a declared level"),
    ({"Privat": ["Offentlig"]}, "'Offentlig' already names level 'Offentlig'"),
    ({"Privat": ["Offentlig virksomhet"]}, "'Offentlig virksomhet' already names level 'Offentlig'"),
    ({"Privat": ["Annet"], "Offentlig": ["Annet"]}, "'Annet' already names level 'Privat'"),
    ({"Privat": []}, "aliases[0]: expected a spelling or a list of spellings"),
    ({"Privat": [" "]}, "aliases[0]: an empty spelling"),
    (["Privat sektor"], "aliases: expected a mapping of level → other spellings"),
])
def test_bad_aliases_are_refused_with_the_place_and_what_was_expected(aliases, message):
    with pytest.raises(SurveyDefinitionError) as err:
        _survey(aliases)
    assert "segments[0].aliases" in str(err.value) and message in str(err.value)


def test_a_name_in_an_alias_is_found_by_the_personal_data_check_without_quoting_it():
    survey = _survey({"Privat": ["Kari Nordmann AS sin avdeling", "Ola Nordmann"]})
    fields = personal_data_fields(survey)
    assert "segments[0].aliases[1]" in fields and not any("Nordmann" in f for f in fields)


def test_a_level_hidden_only_for_the_missing_values_is_named_in_a_warning_with_the_remedy():
    survey = SurveyDefinition.from_dict({
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 5,
        "segments": [{"column": "sektor", "levels": {"Privat": "Privat virksomhet", "Offentlig": "Offentlig virksomhet"}}],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}], "allow_unknown_columns": True})
    df = _wave(2024, "Privat", "Offentlig")
    df.loc[[0, 2, 4], "sektor"] = "Frivillig"  # three stray values: «(uoppgitt)» is a cell of 3
    summary = build_summary({2024: df}, survey, quotes=False, drivers=False)
    ind = summary.tables["indicators"]
    hidden = ind[(ind["segment"] == "sektor") & ind["suppressed_secondary"].astype(bool)]
    assert list(hidden["value"]) == ["Offentlig"]
    msgs = [w for w in summary.warnings if "hidden only to protect" in w]
    assert len(msgs) == 1 and "(Offentlig virksomhet)" in msgs[0] and "aliases" in msgs[0]
    assert "Frivillig" not in msgs[0]  # the stray value itself is never quoted
