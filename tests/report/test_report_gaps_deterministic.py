"""Reruns of the report's exports on the same input are byte-identical (no clock in .xlsx or .sav)."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pyreadstat
import pytest


def test_xlsx_and_sav_reruns_are_byte_identical(report_data, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    import time

    from textmine.report.writer import write_report

    first = write_report(report_data, tmp_path / "a", formats=("xlsx", "sav"))
    time.sleep(1.1)  # the .sav header and the zip entries have whole-second times
    second = write_report(report_data, tmp_path / "b", formats=("xlsx", "sav"))
    for kind in ("xlsx", "sav"):
        a, b = first[kind].read_bytes(), second[kind].read_bytes()
        assert a == b, f"{kind}: two runs on the same input differ (first difference at byte " \
                       f"{next(i for i, (x, y) in enumerate(zip(a, b)) if x != y) if len(a) == len(b) else 'len'})"
    wb = openpyxl.load_workbook(first["xlsx"])
    assert wb.properties.created == wb.properties.modified == dt.datetime(2000, 2, 1), \
        f"xlsx: expected created/modified 2000-02-01, got {wb.properties.created} / {wb.properties.modified}"
    with zipfile.ZipFile(first["xlsx"]) as z:
        times = {i.date_time for i in z.infolist()}
    assert times == {(2000, 2, 1, 0, 0, 0)}, f"xlsx zip entry times: expected 2000-02-01 only, got {times}"
    df, meta = pyreadstat.read_sav(str(first["sav"]))
    assert meta.creation_time == dt.datetime(2000, 2, 1), f"sav creation time: {meta.creation_time}"
    assert len(df) == len(report_data.coded), "the .sav with the fixed header must still read back whole"


def test_source_date_epoch_sets_the_export_time(report_data, tmp_path, monkeypatch):
    from textmine.report.writer import write_report

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    out = write_report(report_data, tmp_path, formats=("xlsx", "sav"))
    expected = dt.datetime(2023, 11, 14, 22, 13, 20)
    wb = openpyxl.load_workbook(out["xlsx"])
    assert wb.properties.created == wb.properties.modified == expected, wb.properties.created
    with zipfile.ZipFile(out["xlsx"]) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    _, meta = pyreadstat.read_sav(str(out["sav"]))
    assert meta.creation_time == expected, f"sav creation time: expected {expected}, got {meta.creation_time}"


def test_bad_source_date_epoch_is_refused_with_the_value():
    from textmine.report.excel import export_time

    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH.*'yesterday'"):
        export_time({"SOURCE_DATE_EPOCH": "yesterday"})
