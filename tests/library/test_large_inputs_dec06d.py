"""Messy survey-house inputs as agencies deliver them (generated small here; the 50,000-row versions were measured by
hand): an Excel-Norway CSV (cp1252, semicolons, decimal commas), an SPSS .sav with value labels, «Vet ikke» as
user-missing and long æøå text, and an export workbook with a title, merged header cells, an empty column, trailing
formatted rows and a second sheet. Every row and column is kept in order, nothing is truncated, no value is lost."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from textmine.io import TableReadError, read_table
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

LONG = "Æsj, saksbehandlingen tok for lang tid – vi ventet på svar fra NAV i åtte uker og fikk ingen oppfølging. " * 6


def _quiet_read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, **kw)


def test_digits_that_are_not_ascii_stay_text_not_lost(tmp_path):
    """«４» (full-width) or «٣» is no number pandas converts: read as one it became missing, a value lost."""
    src = tmp_path / "u.csv"
    src.write_text("id;a;b\n1;４;x\n2;5;y\n3;٣,5;z\n", encoding="utf-8")
    df = read_table(src)
    assert df["a"].tolist() == ["４", "5", "٣,5"]


def test_excel_norway_csv_cp1252_semicolons_decimal_commas(tmp_path):
    rows = ["id;vekt;q1;dato;kommentar"]
    for i in range(1, 301):
        text = LONG if i % 7 == 0 else ("Bra å jobbe med NAV; raskt svar" if i % 5 == 0 else "")
        text = f'"{text}"' if ";" in text else text
        rows.append(f"AG{i:04d};{1 + i / 1000:.4f}".replace(".", ",") + f";{i % 6 + 1};0{i % 9 + 1}.03.2023;{text}")
    src = tmp_path / "eksport.csv"
    src.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    df = read_table(src, text_cols=["kommentar"])
    assert df.attrs["encoding"] == "cp1252" and df.attrs["delimiter"] == ";"
    assert df["id"].tolist() == [f"AG{i:04d}" for i in range(1, 301)]
    assert np.allclose(df["vekt"].to_numpy(dtype=float), [round(1 + i / 1000, 4) for i in range(1, 301)])
    assert df["q1"].tolist() == [i % 6 + 1 for i in range(1, 301)]
    assert df["dato"].iloc[0] == "02.03.2023"  # a date stays as written, never a number
    assert df["kommentar"].iloc[6] == LONG and df["kommentar"].iloc[4] == "Bra å jobbe med NAV; raskt svar"


def test_short_row_in_a_cp1252_export_names_its_file_row_and_column(tmp_path):
    lines = ["id;vekt;q1;kommentar"] + [f"{i};1,5;3;Svært bra" for i in range(1, 40)]
    lines[25] = "25;1,5"
    src = tmp_path / "kort.csv"
    src.write_bytes("\r\n".join(lines).encode("cp1252"))
    with pytest.raises(TableReadError) as e:
        read_table(src)
    assert e.value.row == 26 and e.value.column == "q1"


def _sav(tmp_path, n=60):
    pyreadstat = pytest.importorskip("pyreadstat")
    q = [9.0 if i % 4 == 0 else float(i % 6 + 1) for i in range(n)]
    df = pd.DataFrame({"rid": [f"r{i:03d}" for i in range(n)], "q1": q,
                       "tekst": [LONG + f" nr {i}" if i % 3 == 0 else "" for i in range(n)]})
    labels = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Litt misfornøyd", 4: "Litt fornøyd", 5: "Fornøyd",
              6: "Svært fornøyd", 9: "Vet ikke"}
    path = tmp_path / "w.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"q1": labels}, missing_ranges={"q1": [9]},
                         column_labels=["Respondent", "Hvor fornøyd er du med NAV?", "Kommentar – fritekst"])
    return path, df


def test_sav_vet_ikke_user_missing_is_never_a_score(tmp_path):
    path, raw = _sav(tmp_path)
    sv = SurveyDefinition.from_dict({"name": "t", "id": "rid", "other_columns": ["tekst"],
                                     "indicators": [{"id": "h", "column": "q1", "label": "H", "scale": [1, 6]}]})
    df = _quiet_read(path, survey=sv, user_missing="excluded")
    row = build_summary({"w": df}, sv, quotes=False).to_frame().query("table == 'indicators'").iloc[0]
    scores = raw["q1"][raw["q1"] != 9]
    assert row["n_excluded"] == (raw["q1"] == 9).sum() and row["n"] == len(scores)
    assert row["mean"] == pytest.approx(scores.mean()) and row["share"] == pytest.approx((scores >= 4).mean())
    assert _quiet_read(path, survey=sv)["q1"].isna().sum() == (raw["q1"] == 9).sum()  # the service's default


def test_sav_long_text_labels_and_order_kept(tmp_path):
    path, raw = _sav(tmp_path)
    df = read_table(path, text_cols=["tekst"])
    assert list(df.columns) == ["rid", "q1", "tekst"] and df["rid"].tolist() == raw["rid"].tolist()
    assert len(LONG.encode()) > 255 and df["tekst"].fillna("").tolist() == raw["tekst"].tolist()
    assert df.attrs["value_labels"]["q1"][9] == "Vet ikke" and df.attrs["missing_codes"]["q1"] == [9]
    assert df.attrs["column_labels"]["tekst"] == "Kommentar – fritekst"


def _messy_workbook(path, n=40):
    """An agency export: a merged title row, a merged group header over the scale items, the column names on
    row 3, numbers stored as text, dates, an empty column, trailing formatted rows and a second sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Arbeidsgiverundersøkelsen 2023 – eksport"
    ws.merge_cells("A1:F1")
    ws["C2"] = "Spørsmål (1–6, 9 = Vet ikke)"
    ws.merge_cells("C2:D2")
    ws.append(["id", "vekt", "q1", "q2", "tom", "dato", "kommentar"])
    import datetime as dt

    for i in range(n):
        ws.append([f"AG{i:03d}", f"{1 + i / 100:.2f}".replace(".", ","), str(i % 6 + 1), i % 6 + 1, None,
                   dt.datetime(2023, 3, 1) + dt.timedelta(days=i), LONG if i % 5 == 0 else None])
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(n + 4, n + 60):
        for c in range(1, 8):
            ws.cell(row=r, column=c).fill = fill
    info = wb.create_sheet("Info")
    info.append(["variabel", "tekst"])
    wb.save(path)


def test_messy_excel_export_keeps_every_row_and_column_in_order(tmp_path):
    path = tmp_path / "eksport.xlsx"
    _messy_workbook(path)
    df = _quiet_read(path, header_row=3, text_cols=["kommentar"])
    assert list(df.columns) == ["id", "vekt", "q1", "q2", "tom", "dato", "kommentar"] and len(df) == 40
    assert df["id"].tolist() == [f"AG{i:03d}" for i in range(40)]
    assert df["q1"].tolist() == df["q2"].tolist() == [i % 6 + 1 for i in range(40)]  # numbers stored as text
    assert df["tom"].isna().all() and str(df["dato"].dtype).startswith("datetime64")
    assert df["kommentar"].iloc[0] == LONG and df["kommentar"].iloc[1] is None
    assert df.attrs["sheets"] == ["Data", "Info"] and df.attrs["first_data_row"] == 4


def test_messy_excel_export_short_header_row_names_the_problem(tmp_path):
    path = tmp_path / "eksport.xlsx"
    _messy_workbook(path)
    with pytest.raises(TableReadError) as e:
        _quiet_read(path)  # header_row left at 1: the title row
    assert e.value.row == 1 and "header_row" in str(e.value)


def test_excel_comment_reading_like_a_missing_marker_is_kept_as_written(tmp_path):
    """A comment «None», «NA» or «null» is an answer, as it is in a CSV; in a number column such a marker (and
    an error cell, Excel's «#N/A») is still a missing value, not text that turns the column into text."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "kommentar", "q"])
    words = ["NA", "null", "None", "n/a", "N/A", "nan", "bra"]
    for i, w in enumerate(words):
        ws.append([f"r{i}", w, "#N/A" if i == 0 else "NA" if i == 1 else i])
    wb.save(tmp_path / "na.xlsx")
    df = read_table(tmp_path / "na.xlsx", text_cols=["kommentar"])
    assert df["kommentar"].tolist() == words
    assert df["q"].isna().tolist() == [True, True] + [False] * 5 and df["q"].dtype == "Int64"


def test_excel_workbook_is_opened_once(tmp_path, monkeypatch):
    """Each opening parses the sheet XML again (all of it, for a sheet without a declared size): a 50,000-row
    export read in 6 minutes opened twice."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["id", "q1"])
    for i in range(20):
        wb.active.append([f"r{i}", i % 6 + 1])
    wb.save(tmp_path / "w.xlsx")
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a) or real(*a, **k))
    df = read_table(tmp_path / "w.xlsx")
    assert len(df) == 20 and len(opened) == 1


def test_sav_keeps_dates_held_at_second_resolution(tmp_path):
    """pyreadstat wrote a datetime64[s] column as 1970-01-01 (review dec06d): the writer hands it nanoseconds."""
    import pandas as pd

    from textmine.io import read_table, write_table

    when = pd.to_datetime(["2023-05-01 10:00:00", "2024-01-02 00:00:01"])
    df = pd.DataFrame({"id": [1, 2], "d": when.astype("datetime64[s]")})
    write_table(df, tmp_path / "x.sav")
    assert read_table(tmp_path / "x.sav")["d"].tolist() == list(when)


def test_a_survey_read_keeps_na_answers_in_its_free_text_columns(tmp_path):
    """read_table(…, survey=) (read_waves, the service's uploads) reads the survey's free-text columns as text:
    an Excel answer «NA» or «None» is an answer, as with text_cols (code review dec06d)."""
    import pandas as pd

    from textmine.io import read_table
    from textmine.survey import SurveyDefinition

    survey = SurveyDefinition.from_dict({"name": "s", "id": "rid", "indicators": [
        {"id": "h", "column": "q1", "scale": [1, 6]}], "free_text": [{"column": "ft"}]})
    path = tmp_path / "w.xlsx"
    pd.DataFrame({"rid": ["a", "b", "c"], "q1": [4, 5, 6], "ft": ["NA", "None", "Bra"]}).to_excel(path, index=False)
    assert read_table(path, survey=survey)["ft"].tolist() == ["NA", "None", "Bra"]
