"""The dashboard's segment tables name a hidden (suppressed) group base in words: «grunnlag skjult», explained in the
table's legend with the survey's own min_cell, never a bare «grunnlag –» (which a screen reader reads as «grunnlag
tankestrek»)."""

from __future__ import annotations

import re

import pytest
from conftest import SAMPLE_CSV_2023, hdr, issue_keys, make_settings, sample_frame, survey_yaml

MIN_CELL = 12  # not the sample's 10: the legend must take the survey's own threshold


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """(client logged in as analyst, wave id): one coded wave of 300 sample rows, the survey's min_cell 12."""
    from fastapi.testclient import TestClient

    from conftest import coded_job, uploaded_wave
    from service.app import create_app

    tmp = tmp_path_factory.mktemp("dashbase")
    app = create_app(make_settings(f"sqlite:///{tmp / 'dashbase.db'}", tmp))
    definition = survey_yaml().replace("min_cell: 10 ", f"min_cell: {MIN_CELL} ")
    assert f"min_cell: {MIN_CELL}" in definition, "sample survey.yaml: the min_cell line was not found"
    with TestClient(app) as c:
        keys = issue_keys(app)
        r = c.post("/surveys", json={"name": "arbeidsgiver", "definition_yaml": definition}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
        wave = uploaded_wave(c, {"analyst": keys["analyst"]}, r.json()["id"], sample_frame(300, SAMPLE_CSV_2023), "2023")
        coded_job(c, keys, wave)
        assert c.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
        yield c, wave


def _segment_tables(page: str) -> list[tuple[list[str], str]]:
    """(column-head base texts, legend text) of each segment table of the page."""
    out = []
    for table in re.findall(r'<table class="segment-table".*?</table>', page, flags=re.S):
        heads = re.findall(r'<th scope="col" class="num">[^<]*<br><span class="small">([^<]*)</span></th>', table)
        legend_id = re.search(r'aria-describedby="([^"]+)"', table).group(1)
        legend = re.search(rf'<p class="small" id="{re.escape(legend_id)}">(.*?)</p>', page, flags=re.S)
        assert legend, f"segment table {legend_id}: no legend paragraph"
        out.append((heads, legend.group(1)))
    return out


@pytest.mark.parametrize("segment", ["sektor", "ansatte"])
def test_a_hidden_group_base_reads_grunnlag_skjult_not_a_bare_dash(dashboard, segment):
    client, wave = dashboard
    page = client.get(f"/ui/waves/{wave}?segment={segment}").text
    tables = _segment_tables(page)
    heads = [h for t, _ in tables for h in t]
    assert heads, f"segment {segment}: no segment table on the dashboard"
    assert "grunnlag –" not in page, f"segment {segment}: a bare «grunnlag –» is left on the page"
    bad = [h for h in heads if not re.fullmatch(r"grunnlag (skjult|\d[\d\u00a0]*)", h)]
    assert not bad, f"segment {segment}: column heads neither a base nor «grunnlag skjult»: {bad}"
    assert "grunnlag skjult" in heads, f"segment {segment}: expected a hidden group base in the wave, got {heads}"


def test_the_legend_explains_a_hidden_base_with_the_surveys_min_cell(dashboard):
    client, wave = dashboard
    page = client.get(f"/ui/waves/{wave}?segment=sektor").text
    tables = _segment_tables(page)
    explained = f"grunnlag skjult = færre enn {MIN_CELL} svarte i gruppen"
    with_hidden = [legend for heads, legend in tables if "grunnlag skjult" in heads]
    without = [legend for heads, legend in tables if "grunnlag skjult" not in heads]
    assert with_hidden and all(explained in legend for legend in with_hidden), with_hidden
    assert without and not any("grunnlag skjult" in legend for legend in without), without  # only where it occurs
