"""The report workbook never fails on text with characters XML 1.0 forbids (security review S, dec05 finding 1):
control characters are dropped (whitespace-like ones become a space) in every cell it writes."""

import zipfile

import pandas as pd
from openpyxl import load_workbook

from textmine.report.excel import excel_text, write_workbook
from textmine.report.model import ReportData

ESC_COMMENT = "\x1b[31mRødt\x08 og NUL\x00 her"
TEXTS = [ESC_COMMENT, "felt\x1fskille", "tab\tog\nlinje", "helt vanlig"]


def _report() -> ReportData:
    quotes = pd.DataFrame({"wave": "2023", "question": "q", "theme": "tel", "label": "Tele\x00fon",
                           "text": TEXTS, "attribution": "Privat\x07"})
    coded = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(TEXTS))], "question": "q",
                          "text_clean": TEXTS, "themes": "tel", "theme_tel": 1, "sektor\x02": "Privat\x1b"})
    return ReportData(title="t\x00", waves=["2023"], quotes=quotes, coded=coded,
                      codebook=[{"id": "tel", "label": "Tele\x00fon", "description": "Ring\x0bing",
                                 "keywords": ["tel\x08"], "parent": None, "exclusive": False}])


def _values(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_excel_text_drops_forbidden_characters_and_keeps_tab_newline_cr():
    assert excel_text(ESC_COMMENT) == "[31mRødt og NUL her"
    assert excel_text("felt\x1fskille\x0bslutt\x0c") == "felt skille slutt "  # whitespace-like: a space
    assert excel_text("tab\tog\nlinje\r") == "tab\tog\nlinje\r"
    assert excel_text("ærlig talt – «bra» 😀") == "ærlig talt – «bra» 😀"


def test_workbook_with_control_characters_in_comments_labels_and_headers_is_written(tmp_path):
    path = write_workbook(_report(), tmp_path / "r.xlsx")  # raised IllegalCharacterError before
    wb = load_workbook(path)
    everything = [v for ws in wb.worksheets for v in _values(ws)]
    bad = [v for v in everything if any(ch in v for ch in "\x00\x02\x07\x08\x0b\x1b\x1f")]
    assert not bad, bad
    quotes = wb["Sitater"]
    header = [c.value for c in quotes[1]]
    texts = [quotes.cell(row=i, column=header.index("Sitat") + 1).value for i in range(2, len(TEXTS) + 2)]
    assert texts == ["[31mRødt og NUL her", "felt skille", "tab\tog\nlinje", "helt vanlig"]
    assert "Telefon" in _values(wb["Kodebok"]) and "Ring ing" in _values(wb["Kodebok"])
    assert "sektor" in [c.value for c in wb["Kodede svar"][1]]  # a header (column name) too
    assert wb.properties.title.startswith("t")
    with zipfile.ZipFile(path) as z:  # every part is well-formed XML (Excel would refuse to open it otherwise)
        raw = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    assert not any(bytes([c]) in raw for c in (0, 2, 7, 8, 0x0b, 0x1b, 0x1f))


def test_write_table_and_the_summary_workbook_drop_forbidden_characters(tmp_path):
    """The library's other .xlsx writers (``write_table``, the summary's workbook) write text with control
    characters instead of failing (openpyxl refused the whole file), and leave the caller's frame as it was."""
    import pandas as pd
    from openpyxl import load_workbook

    from textmine.io import write_table
    from textmine.summary import _write_xlsx

    df = pd.DataFrame({"kommentar\x1b": ["ring\x08 meg", "=SUM(1)", None], "n": [1, 2, 3],
                       "kontor": pd.Categorical(["A\x00", "B", "A\x00"])})
    before = df.copy()
    write_table(df, tmp_path / "t.xlsx")
    back = pd.read_excel(tmp_path / "t.xlsx")
    assert list(back.columns) == ["kommentar", "n", "kontor"]
    assert back["kommentar"].tolist()[:2] == ["ring meg", "=SUM(1)"] and back["kontor"].tolist() == ["A", "B", "A"]
    pd.testing.assert_frame_equal(df, before)
    _write_xlsx({"themes": df}, tmp_path / "s.xlsx")
    rows = list(load_workbook(tmp_path / "s.xlsx").active.values)
    assert rows[0][0] == "kommentar" and rows[1][0] == "ring meg" and rows[1][2] == "A"
