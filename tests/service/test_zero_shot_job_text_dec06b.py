"""A coding job without a trained model for a codebook other than the bundled one codes zero-shot: the report's
method section says so instead of «standardmodellen» (a reviewer's finding)."""

from __future__ import annotations

import copy

from conftest import coded_job, create_survey, hdr, sample_frame, uploaded_wave

from service import library


def _codebook(client, keys, content) -> int:
    r = client.post("/codebooks", json=content, headers=hdr(keys["analyst"]))
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def _method(client, keys, wave_id) -> str:
    html = client.get(f"/waves/{wave_id}/report", headers=hdr(keys["reader"]))
    assert html.status_code == 200, html.text
    return html.text


def test_report_names_zero_shot_coding_and_the_default_model(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(30), "2022")
    default_job = coded_job(client, keys, wave)
    assert f"kodejobb {default_job}, standardmodellen" in _method(client, keys, wave)

    changed = copy.deepcopy(library.default_codebook_dict())  # one keyword more: version 1.1
    changed["version"] = "1.1"
    changed["themes"][0]["keywords"] = list(changed["themes"][0]["keywords"]) + ["sentralbordet"]
    cb = _codebook(client, keys, changed)
    zero_shot_job = coded_job(client, keys, wave, codebook_id=cb)
    text = _method(client, keys, wave)
    assert (f"kodejobb {zero_shot_job}, klassifisering uten treningsdata (svarene sammenlignes med kodebokens "
            "temabeskrivelser)") in text
    assert f"kodejobb {zero_shot_job}, standardmodellen" not in text
