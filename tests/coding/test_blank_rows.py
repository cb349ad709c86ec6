"""Excel input with a fully blank row between data rows: ``textmine code`` keeps it (output row i is input
row i) and ``textmine train`` names later rows by their place in the sheet."""

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app


def _xlsx(path, rows):
    """``rows`` from row 1 (``None`` = a fully blank row), then formatted but empty residue rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r or [], start=1):
            ws.cell(row=i, column=j, value=v)
    for i in range(len(rows) + 1, len(rows) + 4):
        ws.cell(row=i, column=2).number_format = "@"
    wb.save(path)
    return path


def test_code_keeps_a_blank_excel_row_in_place(tmp_path, cb, fake_e5):
    src = _xlsx(tmp_path / "in.xlsx", [["id", "kommentar"], ["a", "Køen i kassa er lang"], None,
                                       ["c", "Maten er for dyr"]])
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["id"].tolist() == ["a", "", "c"]
    assert df["kommentar"].tolist()[1] == "" and df["kommentar"].tolist()[2] == "Maten er for dyr"


def test_train_names_a_row_after_a_blank_excel_row_by_its_place(tmp_path, cb, fake_e5):
    rows = [["id", "text", "themes", "type"], ["L1", "Køen er lang", "ko", "klage"], None,
            ["L3", "Maten er dyr", "pris;drikke", "klage"]]
    src = _xlsx(tmp_path / "lab.xlsx", rows)
    res = CliRunner().invoke(app, ["train", str(src), "--codebook", str(cb), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2
    flat = " ".join(res.output.split())
    assert "data row 3 (id 'L3'), column 'themes'" in flat  # Excel row 4 = data row 3 below the header
