"""``GET /waves/{id}/report`` carries the survey definition's link hints (``SurveyDefinition.link_hints``: no
indicator marked ``overall``, no ``themes`` links) among its run warnings, as ``textmine report`` warns: the
workbook's «Metode», line «Merknader» (review dec07b)."""

from __future__ import annotations

import io

import yaml
from openpyxl import load_workbook

from conftest import hdr, sample_frame, survey_yaml, to_csv_bytes, upload, wait_job

N = 120
OVERALL_HINT = "no indicator is marked `overall: true`"
THEMES_HINT = "no indicator declares `themes: [id, …]`"


def _unlinked_yaml() -> str:
    """The shipped definition without ``overall`` and ``themes`` on its indicators (one written before the keys)."""
    spec = yaml.safe_load(survey_yaml())
    spec["indicators"] = [{k: v for k, v in ind.items() if k not in ("overall", "themes")}
                          for ind in spec["indicators"]]
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


def _coded_wave(client, keys, name: str, definition: str) -> int:
    r = client.post("/surveys", json={"name": name, "definition_yaml": definition}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    wave = upload(client, keys["analyst"], r.json()["id"], to_csv_bytes(sample_frame(N)), "w.csv").json()
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["analyst"], job["id"])["state"] == "done"
    return wave["id"]


def _merknader(client, wave_id: int, key: str) -> str:
    r = client.get(f"/waves/{wave_id}/report?format=xlsx", headers=hdr(key))
    assert r.status_code == 200, r.text
    rows = list(load_workbook(io.BytesIO(r.content), read_only=True)["Metode"].iter_rows(values_only=True))
    return " ".join(str(v) for k, v in rows if k == "Merknader")


def test_report_names_the_missing_links_and_only_for_a_definition_without_them(client, keys):
    unlinked = _coded_wave(client, keys, "uten_lenker", _unlinked_yaml())
    linked = _coded_wave(client, keys, "med_lenker", survey_yaml())
    said = _merknader(client, unlinked, keys["reader"])
    assert OVERALL_HINT in said and THEMES_HINT in said
    assert "drivers.outcome (helhet)" in said  # what «Hovedfunn» leads with instead
    shipped = _merknader(client, linked, keys["reader"])
    assert OVERALL_HINT not in shipped and THEMES_HINT not in shipped
    # the published HTML shows Norwegian reader notes only (the tool's English warnings stay in the workbook)
    html = client.get(f"/waves/{unlinked}/report", headers=hdr(keys["reader"]))
    assert html.status_code == 200 and "overall: true" not in html.text and "declares `themes" not in html.text
