"""The analysts' row-level sheet «Kodede svar» is as safe as the tables and quotes: segment values of cells under
the survey's min_cell are blanked, health-flagged comments are replaced by a note (their theme codes kept), and
the sheet «Metode» says how many rows were changed and why. Both paths that write it: ``textmine report`` (the
library export) and the service's download ``GET /waves/{id}/report?format=xlsx`` for an analyst."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from textmine.report.excel import HEALTH_NOTE, ROW_LEVEL_SHEET

from ..clitools import run_cli

N = 60
SMALL = {0, 1}  # the only two respondents in Finnmark: a cell under min_cell (5)
HEALTH = {5: "Jeg har kreft og ventetiden på telefon er lang", 6: "Depresjon gjør at telefon er vanskelig"}
# flagged at upload from the raw text; the health word is inside the e-mail address the redaction removes
STORED_ONLY = {7: "Send svar om telefon til kreftpasient@example.no"}
SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
          "segments": [{"column": "sektor", "label": "Sektor", "levels": {"P": "Privat", "O": "Offentlig"}},
                       {"column": "fylke", "label": "Fylke",
                        "levels": {"OS": "Oslo", "VL": "Vestland", "FM": "Finnmark"}}],
          "indicators": [{"id": "helhet", "column": "q1", "label": "Helhet", "scale": [1, 6]}],
          "free_text": [{"column": "ft", "label": "Andre kommentarer?"}]}


def _wave(texts: dict[int, str]) -> pd.DataFrame:
    fylke = ["FM" if i in SMALL else ("OS" if i < 32 else "VL") for i in range(N)]
    return pd.DataFrame({"rid": [f"2023-{i}" for i in range(N)], "aar": 2023,
                         "sektor": ["P" if i % 2 else "O" for i in range(N)], "fylke": fylke,
                         "q1": [1 + i % 6 for i in range(N)],
                         "ft": [texts.get(i, f"Ventetiden på telefon er altfor lang, svar nummer {i}")
                                for i in range(N)]})


def _sheets(source) -> dict[str, list[tuple]]:
    wb = load_workbook(source, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _note(sheets: dict[str, list[tuple]]) -> str:
    notes = [row[1] for row in sheets["Metode"][1:] if row[0] == "Merknader"]
    assert len(notes) == 1, sheets["Metode"]
    return notes[0]


def test_textmine_report_blanks_small_cells_and_hides_health_comments(tmp_path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SURVEY, allow_unicode=True), encoding="utf-8")
    _wave(HEALTH).to_csv(tmp_path / "w2023.csv", index=False)
    res = run_cli("report", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml", "--coder", "keyword",
                  "--out", tmp_path / "out", "--with-respondent-id")  # (the rows keyed by id below)
    assert res.exit_code == 0, res.output
    # the rows in their own workbook (under a «not for publication» first row), rapport.xlsx without them
    assert ROW_LEVEL_SHEET not in _sheets(tmp_path / "out" / "rapport.xlsx")
    sheets = {**_sheets(tmp_path / "out" / "rapport.xlsx"), **_sheets(tmp_path / "out" / "kodede_svar.xlsx")}
    sheets[ROW_LEVEL_SHEET] = sheets[ROW_LEVEL_SHEET][1:]
    header, *rows = sheets[ROW_LEVEL_SHEET]
    assert len(rows) == N
    rid, fylke, sektor = header.index("Respondent-id"), header.index("Fylke"), header.index("Sektor")
    text, themes = header.index("Kommentar (anonymisert)"), header.index("Temaer")
    by_id = {row[rid]: row for row in rows}

    # the Finnmark cell (2 commenters) cannot be picked out: its value is gone, the other segment stays
    assert [by_id[f"2023-{i}"][fylke] for i in sorted(SMALL)] == [None, None]
    # Vestland, the next smallest county, is blanked too: with one county hidden, a blank would name it
    assert {by_id[f"2023-{i}"][fylke] for i in range(N) if i not in SMALL} == {"Oslo", None}
    assert {by_id[f"2023-{i}"][fylke] for i in range(32, N)} == {None}
    assert all(row[sektor] in ("Privat virksomhet", "Privat", "Offentlig") for row in rows)
    assert "Finnmark" not in {str(v) for row in sheets[ROW_LEVEL_SHEET] for v in row}

    # health-flagged comments: the text replaced, the theme codes kept
    for i, original in HEALTH.items():
        row = by_id[f"2023-{i}"]
        assert row[text] == HEALTH_NOTE and "telefon" in (row[themes] or ""), row
    cells = " ".join(str(v) for rows_ in sheets.values() for row in rows_ for v in row if v is not None)
    assert "kreft" not in cells.lower() and "depresjon" not in cells.lower()
    assert sum(row[text] == HEALTH_NOTE for row in rows) == len(HEALTH)

    note = _note(sheets)
    assert f"«{ROW_LEVEL_SHEET}»: {len(SMALL) + N - 32} rader" in note and "færre enn 5" in note
    assert f"{len(HEALTH)} kommentarer med sensitive personopplysninger" in note

    # the SPSS file of the same rows has the same protections, and no health_flag variable
    import pyreadstat

    sav, meta = pyreadstat.read_sav(str(tmp_path / "out" / "kodede_svar.sav"), apply_value_formats=True)
    assert len(sav) == N and "health_flag" not in sav.columns
    sav_by_id = dict(zip(sav["rid"], sav.index))  # (the survey's own id variable)
    assert all(pd.isna(sav.loc[sav_by_id[f"2023-{i}"], "fylke"]) or sav.loc[sav_by_id[f"2023-{i}"], "fylke"] == ""
               for i in SMALL)
    assert "Finnmark" not in set(map(str, sav["fylke"])) and "FM" not in set(map(str, sav["fylke"]))
    assert [sav.loc[sav_by_id[f"2023-{i}"], "text_clean"] for i in sorted(HEALTH)] == [HEALTH_NOTE] * len(HEALTH)
    assert not sav["text_clean"].astype(str).str.contains("kreft|depresjon", case=False).any()


def test_cells_count_commenters_and_a_health_flag_column_is_honoured(tmp_path):
    """A cell of 4 comments and 2 non-answers has 4 commenters (< 5): all 6 rows lose the value; a row flagged in
    ``health_flag`` is hidden even when today's word lists find nothing in its text; the frame is not changed."""
    from textmine.report.excel import write_workbook
    from textmine.report.model import ReportData

    n = 20
    coded = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "wave": "2023", "question": "ft",
                          "text_clean": ["" if i in (4, 5) else f"Lang ventetid, svar {i}" for i in range(n)],
                          "is_non_answer": [int(i in (4, 5)) for i in range(n)],
                          "health_flag": [int(i == 10) for i in range(n)],
                          "fylke": ["FM" if i < 6 else "OS" if i < 12 else "VL" for i in range(n)],
                          "themes": "telefon",
                          "theme_telefon": 1})
    before = coded.copy()
    r = ReportData(title="t", waves=["2023"], segments={"fylke": "Fylke"}, coded=coded, method={"min_n": 5})
    sheets = _sheets(write_workbook(r, tmp_path / "r.xlsx"))
    header, *rows = sheets[ROW_LEVEL_SHEET]
    fylke, text = header.index("Fylke"), header.index("Kommentar (anonymisert)")
    # FM (4 commenters) is small; OS, the next smallest, is blanked with it so that a blank cannot name FM
    assert [row[fylke] for row in rows] == [None] * 12 + ["VL"] * (n - 12)
    assert [i for i, row in enumerate(rows) if row[text] == HEALTH_NOTE] == [10]
    assert "health_flag" not in header
    assert "«Kodede svar»: 12 rader" in _note(sheets) and "1 kommentar med sensitive personopplysninger" in _note(sheets)
    pd.testing.assert_frame_equal(r.coded, before)


# ------------------------------------------------------------------------------------------------ the service
SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"


@pytest.fixture
def service_client(tmp_path):
    if str(SERVICE_TESTS) not in sys.path:  # the service tests' coder double (no model)
        sys.path.insert(0, str(SERVICE_TESTS))
    from fakes import keyword_coder_factory
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import create_key
    from service.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", coder_factory=keyword_coder_factory,
                        job_chunk_size=25, warmup=True, quote_embedder="fallback", models_dir=tmp_path / "models")
    with TestClient(create_app(settings)) as client:
        with client.app.state.db.session() as s:
            keys = {role: create_key(s, role, f"test-{role}")[1] for role in ("reader", "analyst")}
        yield client, keys


def test_service_download_blanks_small_cells_and_hides_stored_health_flags(service_client):
    client, keys = service_client
    analyst = {"X-API-Key": keys["analyst"]}
    r = client.post("/surveys", json={"name": "mini", "definition_yaml": yaml.safe_dump(SURVEY, allow_unicode=True)},
                    headers=analyst)
    assert r.status_code == 201, r.text
    data = _wave({**HEALTH, **STORED_ONLY}).to_csv(index=False).encode("utf-8")
    r = client.post(f"/surveys/{r.json()['id']}/waves", files={"file": ("w.csv", data, "text/csv")}, headers=analyst)
    assert r.status_code == 201, r.text
    wave_id = r.json()["id"]
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=analyst).json()
    deadline = time.time() + 60
    while client.get(f"/jobs/{job['id']}", headers=analyst).json()["state"] != "done":
        assert time.time() < deadline, "coding job did not finish"
        time.sleep(0.05)

    r = client.get(f"/waves/{wave_id}/report?format=xlsx", headers=analyst)
    assert r.status_code == 200, r.text
    sheets = _sheets(io.BytesIO(r.content))
    header, *rows = sheets[ROW_LEVEL_SHEET]
    assert len(rows) == N and "Respondent-id" not in header
    fylke, text, themes = header.index("Fylke"), header.index("Kommentar (anonymisert)"), header.index("Temaer")
    assert sum(row[fylke] is None for row in rows) == len(SMALL) + (N - 32)  # Finnmark, and Vestland with it
    assert {row[fylke] for row in rows} == {"Oslo", None}

    hidden = [row for row in rows if row[text] == HEALTH_NOTE]
    assert len(hidden) == len(HEALTH) + len(STORED_ONLY)  # the stored flag counts, not only today's word lists
    assert all("telefon" in (row[themes] or "") for row in hidden)
    cells = " ".join(str(v) for rows_ in sheets.values() for row in rows_ for v in row if v is not None)
    assert "kreft" not in cells.lower() and "depresjon" not in cells.lower()
    assert "Send svar om telefon til" not in cells  # the redacted text of the comment flagged at upload

    note = _note(sheets)
    assert f"«{ROW_LEVEL_SHEET}»: {len(SMALL) + N - 32} rader" in note
    assert f"{len(HEALTH) + len(STORED_ONLY)} kommentarer med sensitive personopplysninger" in note

    # the HTML report (same cached report data) is unchanged by the download's protections
    assert client.get(f"/waves/{wave_id}/report", headers=analyst).status_code == 200


def test_sav_export_keeps_the_surveys_id_variable_name_and_numeric_ids(tmp_path):
    """Was: kodede_svar.sav named the id «respondent_id» as text, so merging it back in SPSS needed a rename and a
    type change."""
    import pyreadstat

    survey = {**SURVEY, "id": "resp_id"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True), encoding="utf-8")
    w = _wave({}).rename(columns={"rid": "resp_id"})
    w["resp_id"] = range(101, 101 + N)
    w.to_csv(tmp_path / "w2023.csv", index=False)
    res = run_cli("report", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml", "--coder", "keyword",
                  "--out", tmp_path / "out", "--with-respondent-id")  # (the id only when asked for, to merge back)
    assert res.exit_code == 0, res.output
    sav, meta = pyreadstat.read_sav(str(tmp_path / "out" / "kodede_svar.sav"))
    assert "resp_id" in sav.columns and "respondent_id" not in sav.columns
    assert meta.readstat_variable_types["resp_id"] == "double"
    assert sorted(sav["resp_id"].astype(int)) == list(range(101, 101 + N))
    assert meta.column_names_to_labels["resp_id"] == "Respondent-id"
