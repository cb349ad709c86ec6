"""Two tabs correcting the same answer: a correction names the latest one its client saw (``seen_correction_id``;
a review-queue item carries ``latest_correction_id``) and a newer one stored since is a 409
``correction_conflict`` naming when, with the stored codes, not a silent overwrite (review dec07b). A request
without the field behaves as before: the latest wins."""

from __future__ import annotations

import html

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload, wait_job


def _queued(client, keys) -> dict:
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(40)), "arbeidsgiver_2022.csv")
    assert r.status_code == 201, r.text
    job = client.post(f"/waves/{r.json()['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    wait_job(client, keys["reader"], job["id"])
    return client.get("/review-queue?limit=1", headers=hdr(keys["analyst"])).json()["items"][0]


def _stored(client, rid: int) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from service.db.models import Correction

    with client.app.state.db.session() as s:
        return [tuple(r) for r in s.execute(select(Correction.id, Correction.themes)
                                            .where(Correction.response_id == rid).order_by(Correction.id))]


def test_queue_item_carries_the_latest_correction_it_saw(client, keys):
    item = _queued(client, keys)
    assert "latest_correction_id" in item and item["latest_correction_id"] is None


def test_the_later_of_two_tabs_gets_409_with_the_stored_codes(client, keys):
    item = _queued(client, keys)
    rid, seen = item["response_id"], item["latest_correction_id"]
    first = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "type": "klage",
                                                         "seen_correction_id": seen}, headers=hdr(keys["analyst"]))
    assert first.status_code == 201, first.text
    other = keys["admin"]  # another coder, or the same coder's second tab: the rule is the same
    later = client.post(f"/responses/{rid}/codes", json={"themes": ["ros"], "seen_correction_id": seen},
                        headers=hdr(other))
    assert later.status_code == 409, later.text
    error = later.json()["error"]
    assert error["code"] == "correction_conflict"
    details = error["details"]
    assert details["latest_id"] == first.json()["id"] and details["seen_id"] is None
    assert details["themes"] == ["telefon"] and details["type"] == "klage"
    assert details["latest_at"].endswith("Z") and details["latest_at"][:19] in error["message"]
    assert "key" not in " ".join(details) and str(rid) in error["message"]
    assert _stored(client, rid) == [(first.json()["id"], "telefon")]  # nothing stored by the 409
    again = client.post(f"/responses/{rid}/codes", json={"themes": ["ros"], "seen_correction_id": first.json()["id"]},
                        headers=hdr(other))
    assert again.status_code == 201 and again.json()["id"] > first.json()["id"]  # naming the latest: saved


def test_zero_means_none_seen_and_a_retry_by_the_same_key_is_still_200(client, keys):
    rid = _queued(client, keys)["response_id"]
    body = {"themes": ["telefon"], "seen_correction_id": 0}
    first = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["analyst"]))
    assert first.status_code == 201, first.text
    retry = client.post(f"/responses/{rid}/codes", json=body, headers=hdr(keys["analyst"]))
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    changed = client.post(f"/responses/{rid}/codes", json={**body, "themes": ["ros"]}, headers=hdr(keys["analyst"]))
    assert changed.status_code == 409 and changed.json()["error"]["details"]["seen_id"] is None


def test_without_the_field_the_latest_wins_as_before(client, keys):
    rid = _queued(client, keys)["response_id"]
    first = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"]}, headers=hdr(keys["analyst"]))
    later = client.post(f"/responses/{rid}/codes", json={"themes": ["ros"]}, headers=hdr(keys["admin"]))
    assert first.status_code == 201 and later.status_code == 201, later.text
    assert later.json()["themes"] == ["ros"]


def test_the_ui_proxy_answers_the_same_409(client, keys):
    item = _queued(client, keys)
    rid = item["response_id"]
    assert client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
    page = html.unescape(client.get("/ui/review").text)
    assert '"latest_correction_id": null' in page  # the boot JSON carries it for review.js
    ui = {"X-Textmine-UI": "1"}
    body = {"themes": ["telefon"], "seen_correction_id": None}
    assert client.post(f"/ui/api/responses/{rid}/codes", json=body, headers=ui).status_code == 201
    clash = client.post(f"/ui/api/responses/{rid}/codes", json={**body, "themes": ["ros"]}, headers=ui)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "correction_conflict"


def test_a_bad_seen_id_is_a_validation_error(client, keys):
    rid = _queued(client, keys)["response_id"]
    r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon"], "seen_correction_id": -1},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 422
