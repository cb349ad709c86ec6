"""Review S finding 2: a survey definition's ``min_cell`` cannot switch small-cell suppression off for readers.
The service raises it to its ``min_cell_floor`` (TEXTMINE_MIN_CELL_FLOOR, default 5) wherever it reads a stored
definition for output (``library.parse_survey``), and says so at upload; the library and CLI keep the
definition's own value."""

from __future__ import annotations

import io

import pytest
from conftest import hdr, sample_frame, survey_yaml, to_csv_bytes, upload, wait_job
from pydantic import ValidationError

from service import library
from service.settings import DEFAULT_MIN_CELL_FLOOR, Settings

FLOOR = DEFAULT_MIN_CELL_FLOOR


def _yaml(min_cell: int) -> str:
    text = survey_yaml().replace("min_cell: 10 ", f"min_cell: {min_cell} ", 1)
    assert f"min_cell: {min_cell} " in text, "sample survey.yaml: the min_cell line was not found"
    return text


def test_parse_survey_raises_min_cell_to_the_floor_and_keeps_the_declared_value():
    from textmine.survey import SurveyDefinition

    for declared, floor, effective in ((1, FLOOR, FLOOR), (0, FLOOR, FLOOR), (12, FLOOR, 12), (1, 0, 1),
                                       (4, 7, 7)):
        info = library.parse_survey(_yaml(declared), floor)
        assert (info.definition.min_cell, info.declared_min_cell) == (effective, declared), (declared, floor)
    assert library.parse_survey(_yaml(1)).definition.min_cell == FLOOR == 5  # the default floor
    import yaml

    assert SurveyDefinition.from_dict(yaml.safe_load(_yaml(1))).min_cell == 1  # the library keeps its value


def test_min_cell_floor_setting_default_env_and_bounds(monkeypatch):
    monkeypatch.delenv("TEXTMINE_MIN_CELL_FLOOR", raising=False)
    assert Settings().min_cell_floor == Settings.from_env().min_cell_floor == 5
    monkeypatch.setenv("TEXTMINE_MIN_CELL_FLOOR", "8")
    assert Settings.from_env().min_cell_floor == 8
    monkeypatch.setenv("TEXTMINE_MIN_CELL_FLOOR", "fem")
    with pytest.raises(ValueError, match="TEXTMINE_MIN_CELL_FLOOR must be a whole number, got 'fem'"):
        Settings.from_env()
    with pytest.raises(ValidationError, match="min_cell_floor"):
        Settings(min_cell_floor=-1)


def _coded_wave(client, keys, min_cell: int) -> tuple[int, dict]:
    """(wave id, upload response) of 400 sample rows under a survey whose definition says ``min_cell``, coded."""
    r = client.post("/surveys", json={"name": f"floor {min_cell}", "definition_yaml": _yaml(min_cell)},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    up = upload(client, keys["analyst"], r.json()["id"], to_csv_bytes(sample_frame(400)), "w.csv")
    assert up.status_code == 201, up.text
    wave_id = up.json()["id"]
    job = client.post(f"/waves/{wave_id}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert job.status_code == 202, job.text
    assert wait_job(client, keys["reader"], job.json()["id"])["state"] == "done"
    return wave_id, up.json()


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_readers_see_under_min_cell_1_exactly_what_the_floor_allows(client, keys):
    low, low_upload = _coded_wave(client, keys, 1)
    floor, floor_upload = _coded_wave(client, keys, FLOOR)
    reader = hdr(keys["reader"])

    # the summary: the same tables as under min_cell = the floor, and no shown cell under the floor
    tables = {w: client.get(f"/waves/{w}/summary", headers=reader).json()["summary"] for w in (low, floor)}
    small = [(name, row.get("segment"), row.get("value"), row["n"])
             for name in ("indicators", "multiselect", "themes") for row in tables[low]["tables"][name]
             if not row.get("suppressed") and row.get("n") is not None and 0 < row["n"] < FLOOR]
    assert small == [], f"cells under the floor of {FLOOR} shown to readers (table, segment, level, n): {small[:5]}"
    assert any(row.get("suppressed") for row in tables[low]["tables"]["themes"])
    assert tables[low]["meta"]["min_cell"] == FLOOR
    assert tables[low]["tables"] == tables[floor]["tables"]

    # quotes, and the Excel report (every sheet, every cell) a reader downloads
    quoted = 0
    for theme in ("telefon", "saksbehandlingstid", "digitale_tjenester", "refusjon"):
        quotes = []
        for w in (low, floor):
            r = client.get(f"/waves/{w}/themes/{theme}/quotes?n=6", headers=reader)
            assert r.status_code == 200, r.text
            quotes.append([(q["text"], q["attribution"]) for q in r.json()["quotes"]])
        assert quotes[0] == quotes[1], theme
        quoted += len(quotes[0])
    assert quoted
    books = []
    for w in (low, floor):
        r = client.get(f"/waves/{w}/report?format=xlsx", headers=reader)
        assert r.status_code == 200, r.text
        books.append(_sheets(r.content))
    assert books[0].keys() == books[1].keys()
    for sheet in books[0]:
        differ = [(i + 1, a, b) for i, (a, b) in enumerate(zip(books[0][sheet], books[1][sheet]))
                  if a != b and a[0] != "Modell"]  # the method sheet names each wave's own coding job
        assert not differ and len(books[0][sheet]) == len(books[1][sheet]), (sheet, differ[:3])

    # the upload said so; a definition at the floor gets no such note
    note = [w for w in low_upload["warnings"] if "floor" in w]
    assert note == [f"the survey definition's min_cell is 1, below this service's floor of {FLOOR} "
                    f"(TEXTMINE_MIN_CELL_FLOOR): summaries, quotes and reports hide cells with fewer than {FLOOR} "
                    "respondents"], low_upload["warnings"]
    assert not [w for w in floor_upload["warnings"] if "floor" in w], floor_upload["warnings"]


def test_the_upload_note_follows_the_floor_setting(app_factory):
    from conftest import issue_keys
    from fastapi.testclient import TestClient

    with TestClient(app_factory(min_cell_floor=0)) as client:
        keys = issue_keys(client.app)
        r = client.post("/surveys", json={"name": "x", "definition_yaml": _yaml(1)}, headers=hdr(keys["analyst"]))
        up = upload(client, keys["analyst"], r.json()["id"], to_csv_bytes(sample_frame(20)), "w.csv")
        assert up.status_code == 201, up.text
        assert not [w for w in up.json()["warnings"] if "floor" in w], up.json()["warnings"]


@pytest.mark.parametrize("floor", [0, 8])
def test_summary_quotes_and_report_follow_the_floor_setting(app_factory, floor):
    from conftest import issue_keys
    from fastapi.testclient import TestClient

    with TestClient(app_factory(min_cell_floor=floor)) as client:
        keys = issue_keys(client.app)
        wave, _ = _coded_wave(client, keys, 1)
        reader = hdr(keys["reader"])
        summary = client.get(f"/waves/{wave}/summary", headers=reader).json()["summary"]
        assert summary["meta"]["min_cell"] == max(1, floor)
        shown = [row["n"] for row in summary["tables"]["themes"] if not row.get("suppressed") and row.get("n")]
        assert (min(shown) < 5) is (floor == 0), min(shown)  # floor 0: the definition's min_cell 1 applies
        r = client.get(f"/waves/{wave}/themes/telefon/quotes?n=6", headers=reader)
        assert r.status_code == 200, r.text
        method = _sheets(client.get(f"/waves/{wave}/report?format=xlsx", headers=reader).content)["Metode"]
        assert any(f"grunnlag under {max(1, floor)} (færre enn {max(1, floor)} svar) vises ikke" in " ".join(map(str, row))
               for row in method), method
