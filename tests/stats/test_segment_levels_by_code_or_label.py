"""A declared segment level matches a data value by its code (the key under ``levels``) or by its label (the
display text), whatever the file format: an SPSS .sav (codes with value labels), XLSX, CSV or Parquet; numeric
codes match as 1, 1.0 or "1". Matched values become the declared key, so tables, labels and waves read from
different formats see one set of levels. Codes win over labels; a value matching neither is undeclared (warned
about by rows, left out). Levels declared as labels only cannot be matched to bare codes: that is an error, not a
silently empty segment."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from textmine.io import TableReadError, read_table
from textmine.pipeline import read_waves
from textmine.report.views import coded_view
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")

CODES = {1: "Oslo", 2: "Vestland", 3: "Trøndelag"}
N = 30


def _survey(levels, *, extra_segments=()) -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 1,
        "segments": [{"column": "fylke", "label": "Fylke", "levels": levels}, *extra_segments],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}],
        "allow_unknown_columns": True,
    })


def _frame(wave: int, fylke) -> pd.DataFrame:
    return pd.DataFrame({
        "rid": [f"{wave}-{i}" for i in range(N)],
        "wave": wave,
        "fylke": fylke,
        "q": [(i % 6) + 1 for i in range(N)],
    })


def _codes(n=N):
    return [float((i % 3) + 1) for i in range(n)]


def _write_sav(df: pd.DataFrame, path, labels=None) -> None:
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels if labels is not None else {"fylke": CODES})


def _read(paths, survey):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = read_waves(paths, survey)
    return frames, [str(w.message) for w in caught if "declared levels" in str(w.message)]


def _fylke_values(summary) -> dict:
    t = summary.table("indicators")
    t = t[t["segment"] == "fylke"]
    return {w: list(g["value"]) for w, g in t.groupby("wave")}


# ---------------------------------------------------------------- SPSS .sav: codes with value labels
def test_sav_with_levels_declared_as_codes_keeps_the_segment_with_its_labels(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    _write_sav(_frame(2025, _codes()), tmp_path / "w2025.sav")
    frames, msgs = _read([tmp_path / "w2025.sav"], survey)
    assert msgs == []
    df = frames[2025]
    assert sorted(set(df["fylke"])) == ["1", "2", "3"]  # the declared keys, not the value labels
    s = build_summary(frames, survey, None, quotes=False)
    assert not [m for m in s.warnings if "declared levels" in m]
    assert _fylke_values(s) == {2025: ["1", "2", "3"]}
    seg = survey.segment("fylke")
    assert [seg.display_label(v) for v in ("1", 2, 3.0, "Oslo")] == ["Oslo", "Vestland", "Trøndelag", "Oslo"]


@pytest.mark.parametrize("with_survey", [True, False], ids=["read_waves", "read_table_without_survey"])
def test_sav_with_levels_declared_as_labels_keeps_the_segment(tmp_path, with_survey):
    survey = _survey(["Oslo", "Vestland", "Trøndelag"])
    path = tmp_path / "w2025.sav"
    _write_sav(_frame(2025, _codes()), path)
    if with_survey:
        frames, msgs = _read([path], survey)
        assert msgs == []
    else:  # frames handed to the summary straight from read_table: codes, value labels in attrs
        raw = read_table(path)
        assert survey.undeclared_levels(raw) == {} and survey.validate_frame(raw, strict=False) == []
        frames = {2025: raw}
    s = build_summary(frames, survey, None, quotes=False)
    assert not [m for m in s.warnings if "declared levels" in m]
    assert _fylke_values(s) == {2025: ["Oslo", "Vestland", "Trøndelag"]}


def test_sav_value_labels_of_other_columns_unchanged(tmp_path):
    """Free segments (no declared levels) still get their value labels; other columns keep their codes."""
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"}, extra_segments=[{"column": "kjonn"}])
    df = _frame(2025, _codes())
    df["kjonn"] = [float(1 + i % 2) for i in range(N)]
    _write_sav(df, tmp_path / "w.sav", {"fylke": CODES, "kjonn": {1: "Kvinne", 2: "Mann"},
                                        "q": {1: "Svært misfornøyd", 6: "Svært fornøyd"}})
    out = read_table(tmp_path / "w.sav", survey=survey)
    assert sorted(set(out["kjonn"])) == ["Kvinne", "Mann"]
    assert sorted(set(out["q"])) == [1, 2, 3, 4, 5, 6]
    assert sorted(set(out["fylke"])) == ["1", "2", "3"]
    assert out.attrs["value_labels"]["fylke"] == CODES


# ---------------------------------------------------------------- XLSX / CSV / Parquet
def test_xlsx_with_labels_and_levels_declared_as_codes_keeps_the_segment(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    _frame(2025, [CODES[int(c)] for c in _codes()]).to_excel(tmp_path / "w2025.xlsx", index=False)
    frames, msgs = _read([tmp_path / "w2025.xlsx"], survey)
    assert msgs == []
    assert _fylke_values(build_summary(frames, survey, None, quotes=False)) == {2025: ["1", "2", "3"]}


def test_xlsx_with_codes_and_levels_declared_with_codes_and_labels_keeps_the_segment(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    _frame(2025, [int(c) for c in _codes()]).to_excel(tmp_path / "w2025.xlsx", index=False)
    frames, msgs = _read([tmp_path / "w2025.xlsx"], survey)
    assert msgs == []
    assert _fylke_values(build_summary(frames, survey, None, quotes=False)) == {2025: ["1", "2", "3"]}


def test_xlsx_with_codes_and_label_only_levels_is_an_error_not_an_empty_segment(tmp_path):
    """[Oslo, Vestland, Trøndelag] declares no codes: the codes 1–3 are never matched by position (a guess that
    would publish wrong numbers per level when the order differs) — the read fails, naming the fix."""
    survey = _survey(["Oslo", "Vestland", "Trøndelag"])
    _frame(2025, [int(c) for c in _codes()]).to_excel(tmp_path / "w2025.xlsx", index=False)
    with pytest.raises(TableReadError) as e:
        read_waves([tmp_path / "w2025.xlsx"], survey)
    msg = str(e.value)
    assert "column(s) fylke" in msg and "labels only" in msg and "<code>: Oslo" in msg


def test_label_only_levels_that_look_numeric_are_not_taken_for_codes(tmp_path):
    """Levels such as "18–29 år" or "2-9" are labels, so bare codes still fail loudly; a level "1" is a code."""
    ages = _survey(["18–29 år", "30–49 år", "50+"])
    df = _frame(2025, [int(c) for c in _codes()])
    assert ages.codes_for_label_levels(df) == ["fylke"]
    assert _survey(["1", "2-9", "10+"]).codes_for_label_levels(df) == []


def test_csv_and_parquet_match_codes_written_any_way_and_labels(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    forms = ["1", "1.0", "Oslo", " Vestland ", "2", "2,0", "Trøndelag", "3.0", None, "3"]
    df = _frame(2025, forms * 3)
    df.to_csv(tmp_path / "w2025.csv", index=False)
    _frame(2026, forms * 3).to_parquet(tmp_path / "w2026.parquet", index=False)
    frames, msgs = _read([tmp_path / "w2025.csv", tmp_path / "w2026.parquet"], survey)
    assert msgs == []
    want = ["1", "1", "1", "2", "2", "2", "3", "3", None, "3"] * 3
    for w in (2025, 2026):
        assert frames[w]["fylke"].tolist() == want
    # the blank cells are a level of their own, «(uoppgitt)», last (review dec05: else total − levels shows them)
    assert _fylke_values(build_summary(frames, survey, None, quotes=False)) == {2025: ["1", "2", "3", "(uoppgitt)"],
                                                                               2026: ["1", "2", "3", "(uoppgitt)"]}


# ---------------------------------------------------------------- waves from different formats
def test_two_waves_sav_and_xlsx_give_one_set_of_levels(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    _write_sav(_frame(2025, _codes()), tmp_path / "w2025.sav")
    _frame(2026, [int(c) for c in _codes()]).to_excel(tmp_path / "w2026.xlsx", index=False)
    frames, msgs = _read([tmp_path / "w2025.sav", tmp_path / "w2026.xlsx"], survey)
    assert msgs == []
    s = build_summary(frames, survey, None, quotes=False)
    assert _fylke_values(s) == {2025: ["1", "2", "3"], 2026: ["1", "2", "3"]}
    ch = s.table("changes")
    assert sorted(set(ch.loc[ch["segment"] == "fylke", "value"])) == ["1", "2", "3"]
    coded = {w: pd.DataFrame({"respondent_id": frames[w]["rid"].astype(str), "question": "ft",
                              "text_clean": "ok", "theme_ros": 1}) for w in frames}
    view = coded_view(frames, coded, survey)  # the report's export: one level per place, whatever the format
    assert sorted(set(view["fylke"])) == ["1", "2", "3"]


def test_report_view_of_raw_sav_frame_keeps_levels(tmp_path):
    """coded_view with a frame straight from read_table (codes + value labels, levels declared as labels)."""
    survey = _survey(["Oslo", "Vestland", "Trøndelag"])
    _write_sav(_frame(2025, _codes()), tmp_path / "w.sav")
    raw = read_table(tmp_path / "w.sav")
    coded = {2025: pd.DataFrame({"respondent_id": raw["rid"].astype(str), "question": "ft", "text_clean": "ok",
                                 "theme_ros": 1})}
    view = coded_view({2025: raw}, coded, survey)
    assert sorted(set(view["fylke"])) == ["Oslo", "Trøndelag", "Vestland"]


# ---------------------------------------------------------------- undeclared values, ambiguity
def test_undeclared_value_still_warns_and_is_cleared(tmp_path):
    secret = "kari.nordmann@example.no"
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    fylke = ["Oslo", 2, "3"] * 10
    fylke[4] = secret  # data row 6 of the file
    fylke[7] = "Bergen"  # data row 9
    _frame(2025, [str(v) for v in fylke]).to_excel(tmp_path / "w2025.xlsx", index=False)
    frames, msgs = _read([tmp_path / "w2025.xlsx"], survey)
    assert len(msgs) == 1 and "column fylke has 2 value(s) not among the declared levels (rows 6, 9)" in msgs[0]
    assert secret not in msgs[0] and "Bergen" not in msgs[0]
    df = frames[2025]
    assert df["fylke"].isna().tolist() == [i in (4, 7) for i in range(N)]
    assert set(df["fylke"].dropna()) == {"1", "2", "3"}
    s = build_summary(frames, survey, None, quotes=False)
    for t in s.tables.values():
        assert secret not in t.to_csv() and "Bergen" not in t.to_csv()


def test_sav_code_without_a_declared_level_is_undeclared(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    codes = _codes()
    codes[0] = 9.0  # labelled "Utlandet" in the file, not a declared level
    _write_sav(_frame(2025, codes), tmp_path / "w2025.sav", {"fylke": {**CODES, 9: "Utlandet"}})
    frames, msgs = _read([tmp_path / "w2025.sav"], survey)
    assert len(msgs) == 1 and "column fylke has 1 value(s)" in msgs[0] and "(row 1)" in msgs[0]
    assert frames[2025]["fylke"].isna().tolist() == [i == 0 for i in range(N)]


def test_codes_win_over_labels_and_shared_labels_match_nothing():
    seg = _survey({1: "3", 2: "Vestland", 3: "Oslo"}).segment("fylke")
    # "3" is level 1's label and level 3's code: the code wins
    assert [seg.level_key(v) for v in ("3", 3, 3.0, "Vestland", "Oslo", "1", "x", None)] == \
        ["3", "3", "3", "2", "3", "1", None, ""]
    shared = _survey({1: "Oslo", 2: "Oslo", 3: "Vestland"}).segment("fylke")
    assert [shared.level_key(v) for v in ("Oslo", "Vestland", 2)] == [None, "3", "2"]


def test_sav_value_labels_contradicting_the_declared_levels_codes_win_with_a_warning(tmp_path):
    survey = _survey({1: "Oslo", 2: "Vestland", 3: "Trøndelag"})
    swapped = {1: "Vestland", 2: "Oslo", 3: "Trøndelag"}
    _write_sav(_frame(2025, _codes()), tmp_path / "w2025.sav", {"fylke": swapped})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_table(tmp_path / "w2025.sav", survey=survey)
    notes = [str(w.message) for w in caught if "contradict" in str(w.message)]
    assert len(notes) == 1 and "code 1 is labelled 'Vestland'" in notes[0]
    codes = np.asarray(_codes())
    assert df["fylke"].tolist() == [str(int(c)) for c in codes]  # the declared code → level mapping
