"""Corrections posted to the service read theme ids as the CLI reads labelled files: spaces and case ignored
(« Telefon» is «telefon»); a misspelt id is refused with the nearest valid one suggested (review dec06d)."""

from __future__ import annotations

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload, wait_job


def _queued_response(client, keys) -> int:
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(40)), "arbeidsgiver_2022.csv")
    assert r.status_code == 201, r.text
    job = client.post(f"/waves/{r.json()['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    wait_job(client, keys["reader"], job["id"])
    queue = client.get("/review-queue?limit=1", headers=hdr(keys["analyst"])).json()
    return queue["items"][0]["response_id"]


def test_theme_ids_ignore_spaces_and_case_and_typos_get_a_hint(client, keys):
    rid = _queued_response(client, keys)
    typo = client.post(f"/responses/{rid}/codes", json={"themes": ["telfon"]}, headers=hdr(keys["analyst"]))
    assert typo.status_code == 422 and "did you mean 'telefon'?" in typo.json()["error"]["message"]
    spaced = client.post(f"/responses/{rid}/codes", json={"themes": [" telfon "]}, headers=hdr(keys["analyst"]))
    assert spaced.status_code == 422 and "did you mean 'telefon'?" in spaced.json()["error"]["message"]
    ok = client.post(f"/responses/{rid}/codes", json={"themes": [" Telefon", "ROS "]}, headers=hdr(keys["analyst"]))
    assert ok.status_code == 201, ok.text
    assert ok.json()["themes"] == ["telefon", "ros"]
