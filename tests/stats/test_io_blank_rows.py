"""Blank rows: a fully blank row between data rows is kept (row i of the output is row i of the input, and
error row numbers are the spreadsheet's); trailing blank rows (formatting residue) are dropped."""

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font

from textmine.io import TableReadError, read_table

HEADER = ["rid", "sektor", "fylke", "w", "q1", "q2"]


def _xlsx(path, rows, *, residue: int = 0):
    """A workbook with ``rows`` from row 1 (``None`` = a fully blank row) and ``residue`` formatted but
    empty rows after them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r or [], start=1):
            ws.cell(row=i, column=j, value=v)
    for i in range(len(rows) + 1, len(rows) + 1 + residue):
        ws.cell(row=i, column=1).font = Font(bold=True)
        ws.cell(row=i, column=3).number_format = "0.00"
    wb.save(path)
    return path


def test_xlsx_keeps_blank_rows_between_data_and_drops_trailing_ones(tmp_path):
    rows = [HEADER, ["A1", "P", "Oslo", 1.0, 4, 5], None, ["  ", None, " ", None, None, None],
            ["A2", "O", "Vestland", 1.0, 6, None]]
    df = read_table(_xlsx(tmp_path / "w.xlsx", rows, residue=4))
    assert len(df) == 4  # Excel rows 2–5; rows 6–9 are formatting residue
    assert df["rid"].tolist()[0] == "A1" and df["rid"].tolist()[3] == "A2"
    assert df.iloc[1:3].isna().all().all()  # the blank rows: every value missing
    assert df["q1"].tolist()[0] == 4 and str(df["q1"].dtype) == "Int64"
    assert list(df.index) == [0, 1, 2, 3]


def test_csv_keeps_blank_lines_between_data_and_drops_trailing_ones(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("rid;q1\nA1;4\n\n   \nA2;6\n;\n\n;\n", encoding="utf-8")
    df = read_table(p)
    assert len(df) == 4 and df["rid"].tolist()[0] == "A1" and df["rid"].tolist()[3] == "A2"
    assert df.iloc[1:3].isna().all().all() and df["q1"].tolist()[3] == 6


def test_csv_ragged_row_after_a_blank_line_names_its_line(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("rid,q1\nA1,4\n\nA2\n", encoding="utf-8")
    with pytest.raises(TableReadError) as e:
        read_table(p)
    assert e.value.row == 4 and e.value.column == "q1"


def test_survey_read_names_a_blank_row_by_its_excel_row(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    rows = [HEADER, ["A1", "P", "Oslo", 1.0, 4, 5], ["A2", "O", "Vestland", 1.0, 6, 2], None,
            ["A3", "P", "Oslo", 1.0, 2, 3]]
    with pytest.raises(TableReadError) as e:
        read_table(_xlsx(tmp_path / "w.xlsx", rows, residue=3), survey=survey)
    msg = str(e.value)
    assert e.value.row == 4 and "w.xlsx" in msg and "row 4" in msg and "empty" in msg and "delete" in msg


def test_survey_read_row_numbers_are_excel_rows_and_residue_is_ignored(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    rows = [HEADER, ["A1", "P", "Oslo", 1.0, 4, 5], ["A2", "O", "Vestland", 1.0, 6, 2],
            ["A3", "P", "Oslo", 1.0, 9, 3]]
    with pytest.raises(TableReadError) as e:
        read_table(_xlsx(tmp_path / "bad.xlsx", rows, residue=3), survey=survey)
    assert "row 4" in str(e.value) and "column q1" in str(e.value)
    rows[3][4] = 2
    ok = read_table(_xlsx(tmp_path / "ok.xlsx", rows, residue=3), survey=survey)
    assert ok["rid"].tolist() == ["A1", "A2", "A3"]


def test_csv_survey_read_names_a_blank_line_by_its_row(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    lines = [",".join(HEADER), "A1,P,Oslo,1,4,5", "", "A2,O,Vestland,1,9,2"]
    p = tmp_path / "c.csv"
    p.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    with pytest.raises(TableReadError) as e:
        read_table(p, survey=survey)
    assert e.value.row == 3 and "empty" in str(e.value)
    p.write_text("\n".join(lines[:2] + lines[3:]) + "\n\n", encoding="utf-8")
    with pytest.raises(TableReadError, match=r"row 3, column q1"):
        read_table(p, survey=survey)


def test_excel_written_table_round_trips_with_its_blank_rows(tmp_path):
    from textmine.io import write_table

    df = pd.DataFrame({"id": ["1", None, "3"], "kommentar": ["Maten er god", None, "Køen er lang"]})
    write_table(df, tmp_path / "o.xlsx")
    back = read_table(tmp_path / "o.xlsx")
    assert len(back) == 3 and back["kommentar"].tolist()[2] == "Køen er lang"
