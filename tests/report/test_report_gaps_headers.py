"""Every column header of the report workbook is Norwegian (no raw English column names)."""

from __future__ import annotations

import re

import openpyxl

# a header that is a raw column name (snake_case identifier), e.g. indicator_id, value, rank
_RAW = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_ENGLISH = {"value", "rank", "indicator", "theme", "label", "share", "count", "base", "question", "wave", "weight",
            "suppressed", "verdict", "comment"}  # ("segment", "id": Norwegian too)


def test_every_sheet_header_is_norwegian(report_data, tmp_path):
    from textmine.report.excel import write_workbook

    wb = openpyxl.load_workbook(write_workbook(report_data, tmp_path / "r.xlsx"))
    bad = []
    for ws in wb:
        for cell in ws[1]:
            h = str(cell.value or "")
            words = set(re.split(r"[\s_()/-]+", h.lower()))
            if _RAW.fullmatch(h) or words & _ENGLISH:
                bad.append(f"{ws.title}!{cell.coordinate} = {h!r}")
    assert not bad, "English/raw column headers in the workbook: " + "; ".join(bad)


def test_renamed_headers_keep_their_values(report_data, tmp_path):
    from textmine.report.excel import write_workbook

    wb = openpyxl.load_workbook(write_workbook(report_data, tmp_path / "r.xlsx"))

    def column(sheet, header):
        rows = list(wb[sheet].values)
        assert header in rows[0], f"{sheet}: expected a column {header!r}, got {rows[0]}"
        j = rows[0].index(header)
        return [r[j] for r in rows[1:]]

    ind = report_data.indicators
    assert column("Indikatorer", "Indikator-id") == list(ind["indicator_id"]), "Indikator-id: not the indicator ids"
    assert column("Temaer", "Segmentkode")[: 3] == [None if v is None else str(v) for v in
                                                    report_data.themes["value"][:3]]
    assert column("Sitater", "Rekkefølge") == [int(v) for v in report_data.quotes["rank"]]
