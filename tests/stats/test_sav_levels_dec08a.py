"""A .sav whose codes and value labels disagree with a segment's declared levels is refused, not silently merged
or blanked: two different codes with rows ending up in one declared level (one by its code, another by its value
label), or a declared level matching nothing while labelled codes with rows match no level (a spelling difference).
A workbook read from a notes sheet names the other sheets (choose one with --sheet)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, read_table
from textmine.pipeline import read_waves
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")

N = 40
ANSATTE = {"1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte", "50-199": "50–199 ansatte",
           "200+": "200 eller flere ansatte"}
SECRET = "Kari Nordmann ringte 91234567"  # a free-text cell: never in an error


def _definition(sektor_levels=None) -> dict:
    return {
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 1,
        "segments": [{"column": "ansatte", "label": "Antall ansatte", "levels": ANSATTE},
                     {"column": "sektor", "label": "Sektor",
                      "levels": sektor_levels or {"Privat": "Privat virksomhet", "Offentlig": "Offentlig virksomhet"}}],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}],
        "free_text": [{"column": "fritekst"}],
        "allow_unknown_columns": True,
    }


def _frame(ansatte=None, sektor=None) -> pd.DataFrame:
    return pd.DataFrame({
        "rid": [f"r{i}" for i in range(N)],
        "wave": 2025,
        "ansatte": ansatte or [float(i % 5 + 1) for i in range(N)],
        "sektor": sektor or [float(i % 2 + 1) for i in range(N)],
        "q": [float(i % 6 + 1) for i in range(N)],
        "fritekst": [SECRET if i == 0 else "" for i in range(N)],
    })


def _sav(path, df, labels, missing=None):
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels, missing_ranges=missing or {})
    return path


def _read(path, definition):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_table(path, survey=SurveyDefinition.from_dict(definition))
    return df, [str(w.message) for w in caught]


SEKTOR = {1: "Privat", 2: "Offentlig"}
REVERSED = {5: "1", 4: "2-9", 3: "10-49", 2: "50-199", 1: "200+"}  # 1 = «200+» … 5 = «1»


# ------------------------------------------------------------------------------- codes merged into one level
def test_reversed_codes_landing_in_one_level_by_code_and_by_label_are_refused(tmp_path):
    path = _sav(tmp_path / "w.sav", _frame(), {"ansatte": REVERSED, "sektor": SEKTOR})
    with pytest.raises(TableReadError) as e:
        _read(path, _definition())
    msg = str(e.value)
    assert isinstance(e.value, ValueError) and e.value.column == "ansatte"
    assert "1 «200+»" in msg and "5 «1»" in msg  # the codes with their value labels
    assert "'1'" in msg and "1 ansatt" in msg  # the level they both end up in
    assert "by its code" in msg and "by its value label" in msg
    assert "survey definition's levels" in msg and "value labels" in msg  # what to do
    assert SECRET not in msg


def test_the_cli_exits_2_on_merged_codes(tmp_path):
    path = _sav(tmp_path / "w.sav", _frame(), {"ansatte": REVERSED, "sektor": SEKTOR})
    survey = tmp_path / "s.yaml"
    import yaml

    survey.write_text(yaml.safe_dump(_definition(), allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(app, ["summary", str(path), "--survey", str(survey), "--out", str(tmp_path / "o"),
                                 "--no-quotes"])
    assert r.exit_code == 2, r.output
    assert "column ansatte" in r.output and "merged" in r.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_merging_code_without_rows_is_not_refused(tmp_path):
    # code 5 («1») has no respondents: nothing is merged, so the file reads (codes win, with the old warning)
    df = _frame(ansatte=[float(i % 4 + 1) for i in range(N)])
    path = _sav(tmp_path / "w.sav", df, {"ansatte": REVERSED, "sektor": SEKTOR})
    out, msgs = _read(path, _definition())
    assert set(out["ansatte"].dropna()) <= set(ANSATTE)
    assert any("contradict" in m for m in msgs)


# ------------------------------------------------------------------------------- a declared level matching nothing
def test_a_declared_level_spelled_otherwise_than_the_files_label_is_refused(tmp_path):
    path = _sav(tmp_path / "w.sav", _frame(), {"ansatte": {k: v for k, v in zip(range(1, 6), ANSATTE)},
                                                "sektor": SEKTOR})
    definition = _definition({"Privat": "Privat virksomhet", "Offentleg": "Offentleg verksemd"})
    with pytest.raises(TableReadError) as e:
        _read(path, definition)
    msg = str(e.value)
    assert e.value.column == "sektor"
    assert "'Offentleg'" in msg  # the declared level matching nothing
    assert "2 «Offentlig» (20 row(s))" in msg  # the undeclared label with rows
    assert "spelling" in msg and "aliases" in msg
    assert SECRET not in msg


def test_an_alias_for_the_files_label_resolves_the_spelling_difference(tmp_path):
    path = _sav(tmp_path / "w.sav", _frame(), {"ansatte": {k: v for k, v in zip(range(1, 6), ANSATTE)},
                                                "sektor": SEKTOR})
    definition = _definition({"Privat": "Privat virksomhet", "Offentleg": "Offentleg verksemd"})
    definition["segments"][1]["aliases"] = {"Offentleg": ["Offentlig"]}
    out, _ = _read(path, definition)
    assert out["sektor"].value_counts().to_dict() == {"Privat": 20, "Offentleg": 20}


def test_an_undeclared_code_without_a_label_stays_a_warning(tmp_path):
    # level Offentleg matches nothing, but code 2 has no value label: nothing suggests a spelling difference
    path = _sav(tmp_path / "w.sav", _frame(), {"ansatte": {k: v for k, v in zip(range(1, 6), ANSATTE)},
                                                "sektor": {1: "Privat"}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = read_waves([path], SurveyDefinition.from_dict(
            _definition({"Privat": "Privat virksomhet", "Offentleg": "Offentleg verksemd"})))
    out = frames[2025]
    assert out["sektor"].value_counts().to_dict() == {"Privat": 20}
    assert out["sektor"].isna().sum() == 20  # code 2: undeclared, left out with a warning
    assert any("column sektor has 20 value(s) not among the declared levels" in str(w.message) for w in caught)


def test_a_declared_level_absent_from_the_wave_with_an_undeclared_spss_missing_code_is_read(tmp_path):
    # level «Offentleg» is simply absent; the labelled code 9 «Vet ikke» with rows is SPSS-missing, not a level
    df = _frame(sektor=[1.0 if i % 4 else 9.0 for i in range(N)])
    path = _sav(tmp_path / "w.sav", df, {"ansatte": {k: v for k, v in zip(range(1, 6), ANSATTE)},
                                         "sektor": {1: "Privat", 9: "Vet ikke"}},
                missing={"sektor": [9]})
    out, _ = _read(path, _definition({"Privat": "Privat virksomhet", "Offentleg": "Offentleg verksemd"}))
    assert out["sektor"].value_counts().to_dict() == {"Privat": 30}
    assert out["sektor"].isna().sum() == 10


# ------------------------------------------------------------------------------- a workbook read from a notes sheet
def test_missing_columns_of_a_notes_sheet_name_the_workbooks_other_sheets(tmp_path):
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"Notater": ["Eksport fra SPSS", "Se arket Data"]}).to_excel(xw, sheet_name="Notater", index=False)
        data = _frame(sektor=["Privat" if i % 2 else "Offentlig" for i in range(N)]).assign(vekt=1.0)
        data.to_excel(xw, sheet_name="Data", index=False)
    definition = {**_definition(), "weight": "vekt"}
    with pytest.raises(TableReadError) as e:
        _read(path, definition)
    msg = str(e.value)
    assert "missing from the data" in msg
    assert "the workbook also has sheet(s) 'Data': choose one with --sheet" in msg
    assert "add a column vekt" not in msg  # not the weight advice: the data is on another sheet
    df = read_table(path, survey=SurveyDefinition.from_dict(definition), sheet="Data")
    assert len(df) == N


def test_two_codes_labelled_for_the_same_level_are_one_group_on_purpose(tmp_path):
    # an old and a new code both labelled «1» (say a recoded size band): both go to level '1', nothing is refused
    df = _frame(ansatte=[float([1, 6, 2, 3, 4, 5][i % 6]) for i in range(N)])
    labels = {1: "1", 6: "1", 2: "2-9", 3: "10-49", 4: "50-199", 5: "200+"}
    path = _sav(tmp_path / "w.sav", df, {"ansatte": labels, "sektor": SEKTOR})
    out, _ = _read(path, _definition())
    assert set(out["ansatte"].dropna()) <= set(ANSATTE)
    assert (out["ansatte"] == "1").sum() == sum(1 for i in range(N) if [1, 6, 2, 3, 4, 5][i % 6] in (1, 6))
