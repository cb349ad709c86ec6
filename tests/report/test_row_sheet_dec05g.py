"""The CLI report's row-level sheet in a workbook of its own (dec05g): rapport.xlsx may be attached to a publication,
so the one-row-per-comment «Kodede svar» goes to kodede_svar.xlsx under a «not for publication» first row."""

import copy

import pytest
from openpyxl import load_workbook

from textmine.report.excel import ROW_WORKBOOK_WARNING, write_workbook
from textmine.report.writer import write_report


@pytest.fixture(scope="module")
def written(report_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport_dec05g")
    return out, write_report(report_data, out, formats=("xlsx",))


def test_rapport_xlsx_has_no_row_level_sheet(written):
    wb = load_workbook(written[1]["xlsx"], read_only=True)
    assert "Kodede svar" not in wb.sheetnames
    assert {"Indikatorer", "Temaer", "Sitater", "Metode"} <= set(wb.sheetnames)


def test_the_rows_go_to_kodede_svar_xlsx_under_a_warning(written, report_data):
    out, files = written
    assert files["xlsx_rows"] == out / "kodede_svar.xlsx"
    wb = load_workbook(out / "kodede_svar.xlsx")
    assert wb.sheetnames[0] == "Kodede svar"
    ws = wb["Kodede svar"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Ikke for publisering: én rad per kommentar, til kontroll av kodingen"
    assert ws["A1"].font.bold
    header = rows[1]
    assert {"Sektor", "Kommentar (anonymisert)", "Temaer"} <= set(header)
    assert "Respondent-id" not in header
    assert len(rows) - 2 == len(report_data.coded)
    assert ws.freeze_panes == "A3"
    (table,) = ws.tables.values()  # the table starts at the header row, below the warning
    assert table.ref.startswith("A2:") and table.ref.endswith(str(len(report_data.coded) + 2))
    method = [r for r in wb["Metode"].iter_rows(values_only=True)]
    assert any("kommentatorer" in str(r[1]) for r in method[1:])  # the note on what was done to the rows


def test_nynorsk_warning(report_data, tmp_path):
    r = copy.copy(report_data)
    out = write_report(r, tmp_path, formats=("xlsx",), language="nn")
    ws = load_workbook(out["xlsx_rows"], read_only=True).worksheets[0]
    first = next(ws.iter_rows(values_only=True))[0]
    assert first == ROW_WORKBOOK_WARNING["nn"] and first.startswith("Ikkje for publisering:")


def test_the_service_writer_keeps_its_row_sheet_as_it_was(report_data, tmp_path):
    """The service's analyst download (write_workbook with row_level) keeps «Kodede svar» in its workbook, header
    first: the service's behaviour is documented apart."""
    wb = load_workbook(write_workbook(report_data, tmp_path / "r.xlsx", row_level=True), read_only=True)
    assert "Kodede svar" in wb.sheetnames
    header = next(wb["Kodede svar"].iter_rows(values_only=True))
    assert "Kommentar (anonymisert)" in header
