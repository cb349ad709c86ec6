"""An .xlsx of a duration (Timedelta) column, e.g. a .sav TIME variable of 24 hours or more: pandas writes it as
fractions of a day with number format «0», so 25 hours showed as 1. Now the value stays Excel's native duration
(days) with format ``[h]:mm:ss``; a negative one (Excel shows «#####») gives a warning naming the column."""

import re
import warnings
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from textmine.io import read_table, write_table


def _cells(path):
    ws = openpyxl.load_workbook(path).active
    return [(ws.cell(r, 1).number_format, ws.cell(r, 1).value) for r in range(2, ws.max_row + 1)]


def test_durations_shown_as_hours_minutes_seconds(tmp_path):
    df = pd.DataFrame({"tid": pd.to_timedelta([3600, 90000, np.nan, 0], unit="s"), "x": [1, 2, 3, 4]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_table(df, tmp_path / "d.xlsx")
    cells = _cells(tmp_path / "d.xlsx")
    assert [f for f, v in cells if v is not None] == ["[h]:mm:ss"] * 3  # (Excel shows 1:00:00, 25:00:00, 0:00:00)
    sheet = zipfile.ZipFile(tmp_path / "d.xlsx").read("xl/worksheets/sheet1.xml").decode()
    stored = [float(v) for v in re.findall(r'<c r="A[23]"[^>]*><v>([^<]+)</v>', sheet)]
    assert stored == pytest.approx([1 / 24, 25 / 24], abs=1e-12)  # (the number stored: days, as before)
    back = read_table(tmp_path / "d.xlsx")
    pd.testing.assert_series_equal(back["tid"], df["tid"], check_dtype=False)
    assert back["x"].tolist() == [1, 2, 3, 4]


def test_fractions_of_a_second_and_negative_durations(tmp_path):
    df = pd.DataFrame({"varighet": pd.to_timedelta([90000.5, -1800], unit="s")})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        write_table(df, tmp_path / "d.xlsx")
    assert [f for f, _ in _cells(tmp_path / "d.xlsx")] == ["[h]:mm:ss.000"] * 2
    msgs = [str(m.message) for m in w]
    assert [m for m in msgs if "column varighet" in m and "negative" in m and "#####" in m], msgs
    assert not any("1800" in m or "0:30" in m for m in msgs)
    assert read_table(tmp_path / "d.xlsx")["varighet"].tolist() == df["varighet"].tolist()


def test_a_duration_cell_too_large_for_pandas_reads_as_text(tmp_path):
    """A sentinel in a [h]:mm cell (999,000,000 days) crashed read_table with OutOfBoundsTimedelta; the column is
    read as text (as before durations were read), no cell dropped."""
    import openpyxl

    from textmine.io import read_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "Tidsbruk"])
    ws.append([1, 999000000])
    ws.append([2, 0.5])
    for row in (2, 3):
        ws.cell(row, 2).number_format = "[h]:mm"
    wb.save(tmp_path / "big.xlsx")
    got = read_table(tmp_path / "big.xlsx")["Tidsbruk"].tolist()
    assert got == ["999000000 days, 0:00:00", "12:00:00"]
