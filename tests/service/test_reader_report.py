"""The Excel report by role: readers get summaries and checked quotes only, never a row per respondent."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload, wait_job
from textmine.report import ReportData
from textmine.report.excel import ROW_LEVEL_SHEET, write_workbook

N = 120


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _cells(sheets: dict[str, list[tuple]]) -> set[str]:
    return {str(v) for rows in sheets.values() for row in rows for v in row if v is not None}


@pytest.fixture
def coded_wave(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(N)
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv").json()
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["analyst"], job["id"])["state"] == "done"
    return wave["id"], set(frame["respondent_id"].astype(str))


def _xlsx(client, wave_id: int, key: str | None = None) -> bytes:
    r = client.get(f"/waves/{wave_id}/report?format=xlsx", headers=hdr(key) if key else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return r.content


def _assert_summary_only(body: bytes, ids: set[str]) -> None:
    sheets = _sheets(body)
    assert ROW_LEVEL_SHEET not in sheets, list(sheets)
    assert {"Indikatorer", "Temaer", "Sitater", "Metode"} <= set(sheets)
    assert not ids & _cells(sheets)
    assert "Respondent-id" not in _cells(sheets)


def test_reader_key_gets_no_row_level_sheet_and_no_respondent_id(client, keys, coded_wave):
    wave_id, ids = coded_wave
    _assert_summary_only(_xlsx(client, wave_id, keys["reader"]), ids)


def test_reader_ui_session_gets_no_row_level_sheet(client, keys, coded_wave):
    wave_id, ids = coded_wave
    r = client.post("/ui/login", data={"api_key": keys["reader"]}, follow_redirects=False)
    assert r.status_code == 303
    assert f"/waves/{wave_id}/report?format=xlsx" in client.get(f"/ui/waves/{wave_id}").text
    _assert_summary_only(_xlsx(client, wave_id), ids)


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analyst_keeps_row_level_sheet_without_identifying_columns(client, keys, coded_wave, role):
    wave_id, ids = coded_wave
    sheets = _sheets(_xlsx(client, wave_id, keys[role]))
    rows = sheets[ROW_LEVEL_SHEET]
    header = rows[0]
    assert len(rows) > 1 and "Kommentar (anonymisert)" in header and "Temaer" in header
    assert {"Sektor", "Antall ansatte", "Fylke"} <= set(header)
    assert "Respondent-id" not in header and "Næring" not in header  # naering: attribution: false
    assert not ids & _cells(sheets)


def test_write_workbook_row_level_options(tmp_path):
    coded = {"respondent_id": ["R1"], "wave": ["2022"], "naering": ["Bygg"], "question": ["q"],
             "text_clean": ["tekst"], "themes": ["a"], "theme_a": [1]}
    r = ReportData(title="t", waves=["2022"], coded=pd.DataFrame(coded))
    full = _sheets(write_workbook(r, tmp_path / "full.xlsx").read_bytes())
    assert full[ROW_LEVEL_SHEET][0][:3] == ("Respondent-id", "Måling", "Næring")
    none = _sheets(write_workbook(r, tmp_path / "none.xlsx", row_level=False).read_bytes())
    assert ROW_LEVEL_SHEET not in none and "R1" not in _cells(none)
    cut = _sheets(write_workbook(r, tmp_path / "cut.xlsx", omit_columns=["respondent_id", "naering"]).read_bytes())
    assert cut[ROW_LEVEL_SHEET] == [("Måling", "Spørsmål", "Kommentar (anonymisert)", "Temaer"),
                                    ("2022", "q", "tekst", "a")]
