"""A .sav wave uploaded to the service reads an indicator's labelled SPSS user-missing codes (98 «Vet ikke») as
excluded codes, as the CLI does (``read_table(..., user_missing="excluded")``): the service's summary counts them in
``n_excluded``, not in the base, like the library summary of the same file, and the upload warns as the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import hdr, upload
from textmine.pipeline import read_waves
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")

N = 120
LABELS = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Verken eller", 4: "Fornøyd", 5: "Svært fornøyd",
          98: "Vet ikke"}
SPEC = {"name": "klient", "id": "respondent_id", "wave": "wave", "min_cell": 5,
        "segments": [{"column": "sektor", "label": "Sektor", "levels": {"1": "Privat", "2": "Offentlig"}}],
        "indicators": [{"id": "helhet", "column": "q_helhet", "label": "Fornøyd", "scale": [1, 5]},
                       {"id": "tillit", "column": "q_tillit", "label": "Tillit", "scale": [1, 5]}],
        "free_text": [{"column": "fritekst", "label": "Hva kan NAV gjøre bedre?"}]}


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    helhet = rng.integers(1, 6, N).astype(float)
    helhet[:17] = 98.0  # labelled «Vet ikke» and declared user-missing: an excluded code
    helhet[17:20] = np.nan
    return pd.DataFrame({"respondent_id": [f"{i:05d}" for i in range(1, N + 1)], "wave": 2024.0,
                         "sektor": (np.arange(N) % 2 + 1).astype(float), "q_helhet": helhet,
                         "q_tillit": rng.integers(1, 6, N).astype(float),
                         "fritekst": ["Raskere svar på telefon" if i % 3 else "" for i in range(N)]})


def _sav(tmp_path):
    path = tmp_path / "bolge_2024.sav"
    pyreadstat.write_sav(_frame(), str(path), variable_value_labels={"q_helhet": LABELS, "q_tillit": LABELS,
                                                                     "sektor": {1: "Privat", 2: "Offentlig"}},
                         missing_ranges={"q_helhet": [98]})
    return path


def _totals(records: list[dict], column: str = "indicator") -> dict[str, dict]:
    return {r[column]: r for r in records if r.get("segment") == "Totalt"}


def test_sav_upload_counts_labelled_user_missing_codes_as_excluded_like_the_cli(client, keys, tmp_path):
    path = _sav(tmp_path)
    definition = yaml.safe_dump(SPEC, allow_unicode=True)
    r = client.post("/surveys", json={"name": "klient", "definition_yaml": definition}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    up = upload(client, keys["analyst"], r.json()["id"], path.read_bytes(), filename=path.name)
    assert up.status_code == 201, up.text
    body = up.json()
    # the CLI's read note, naming the uploaded file (never the server's temporary path)
    note = [w for w in body["warnings"] if "counted as excluded codes" in w]
    assert note and note[0].startswith("bolge_2024.sav: column q_helhet: 17 value(s) with SPSS missing code(s)")
    assert "«Vet ikke»" in note[0] and "/tmp" not in note[0]

    got = client.get(f"/waves/{body['id']}/summary", headers=hdr(keys["reader"]))
    assert got.status_code == 200, got.text
    service = _totals(got.json()["summary"]["tables"]["indicators"])

    survey = SurveyDefinition.from_dict(SPEC)
    cli = build_summary(read_waves([path], survey), survey, quotes=False).to_dict(raw=True)
    library = _totals(cli["tables"]["indicators"])
    assert library["helhet"]["n_excluded"] == 17  # the library's own reading (sanity: the file is as meant)
    for ind in ("helhet", "tillit"):
        for key in ("n", "n_excluded", "n_missing", "share", "experience_share"):
            assert service[ind][key] == pytest.approx(library[ind][key]), (ind, key)


def test_the_waves_stored_definition_keeps_the_excluded_codes(client, keys, tmp_path):
    """The wave's stored definition carries the file's excluded codes (so every later summary, page or report of
    the wave reads them); the survey's own definition is left as it was given."""
    from service import library

    path = _sav(tmp_path)
    definition = yaml.safe_dump(SPEC, allow_unicode=True)
    r = client.post("/surveys", json={"name": "klient", "definition_yaml": definition}, headers=hdr(keys["analyst"]))
    survey_id = r.json()["id"]
    up = upload(client, keys["analyst"], survey_id, path.read_bytes(), filename=path.name)
    assert up.status_code == 201, up.text
    from service.db.models import Survey, Wave

    with client.app.state.db.session() as s:
        wave = s.get(Wave, up.json()["id"])
        stored = library.parse_survey(wave.definition_yaml)
        assert s.get(Survey, survey_id).definition_yaml == definition
    helhet = stored.definition.indicator("helhet")
    assert 98 in helhet.excluded and 98 not in stored.definition.indicator("tillit").excluded
    assert stored.definition.excluded_labels.get(98) == "Vet ikke"


def test_a_csv_upload_keeps_the_definition_as_given(client, keys, tmp_path):
    frame = _frame().assign(q_helhet=lambda f: f["q_helhet"].where(f["q_helhet"] != 98, 3))
    frame[["wave", "sektor"]] = frame[["wave", "sektor"]].astype(int)
    definition = yaml.safe_dump(SPEC, allow_unicode=True)
    r = client.post("/surveys", json={"name": "klient", "definition_yaml": definition}, headers=hdr(keys["analyst"]))
    up = upload(client, keys["analyst"], r.json()["id"], frame.to_csv(index=False).encode(), filename="b.csv")
    assert up.status_code == 201, up.text
    from service.db.models import Wave

    with client.app.state.db.session() as s:
        assert s.get(Wave, up.json()["id"]).definition_yaml == definition
    assert not [w for w in up.json()["warnings"] if "SPSS" in w]


def test_a_csv_wave_compares_with_a_sav_wave_as_the_cli_compares_them(client, keys, tmp_path):
    """The earlier wave from a .sav (98 kept as an excluded code), the later one from CSV with the definition as
    given: the comparison counts the earlier wave's 98 as excluded (the CLI joins the waves' codes), not off scale."""
    earlier = _frame().assign(wave=2023.0)
    sav = tmp_path / "bolge_2023.sav"
    pyreadstat.write_sav(earlier, str(sav), variable_value_labels={"q_helhet": LABELS, "sektor": {1: "P", 2: "O"}},
                         missing_ranges={"q_helhet": [98]})
    later = _frame().assign(q_helhet=lambda f: f["q_helhet"].where(f["q_helhet"] != 98, 3),
                            respondent_id=lambda f: "b" + f["respondent_id"])
    later[["wave", "sektor"]] = later[["wave", "sektor"]].astype(int)
    csv = tmp_path / "bolge_2024.csv"
    later.to_csv(csv, index=False)
    definition = yaml.safe_dump(SPEC, allow_unicode=True)
    r = client.post("/surveys", json={"name": "klient", "definition_yaml": definition}, headers=hdr(keys["analyst"]))
    a = upload(client, keys["analyst"], r.json()["id"], sav.read_bytes(), filename=sav.name)
    b = upload(client, keys["analyst"], r.json()["id"], csv.read_bytes(), filename=csv.name)
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    got = client.get(f"/waves/{b.json()['id']}/summary?compare_wave_id={a.json()['id']}", headers=hdr(keys["reader"]))
    assert got.status_code == 200, got.text
    service = {(x["wave"], x["indicator"]): x for x in got.json()["summary"]["tables"]["indicators"]
               if x["segment"] == "Totalt"}
    survey = SurveyDefinition.from_dict(SPEC)
    cli = build_summary(read_waves([sav, csv], survey), survey, quotes=False, compare_to=2023).to_dict(raw=True)
    library = {(x["wave"], x["indicator"]): x for x in cli["tables"]["indicators"] if x["segment"] == "Totalt"}
    assert library[(2023, "helhet")]["n_excluded"] == 17 and library[(2024, "helhet")]["n_excluded"] == 0
    for key in library:
        for col in ("n", "n_excluded", "share"):
            assert service[key][col] == pytest.approx(library[key][col]), (key, col)
