"""The review page (``/ui/review``) lets the coder correct a comment's type (klage/ønske/ros) with its themes: a
labelled type control with the codebook's types, the machine's type per item, and why the item is queued (the
queue's ``reason``)."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import create_survey, hdr, issue_keys, make_settings, sample_frame

from service.web.pages import REVIEW_REASONS


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(client logged in as analyst, keys, wave id): one coded wave of the sample."""
    from fastapi.testclient import TestClient

    from conftest import coded_job, uploaded_wave
    from service.app import create_app

    tmp = tmp_path_factory.mktemp("review_type")
    app = create_app(make_settings(f"sqlite:///{tmp / 'review.db'}", tmp))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        wave = uploaded_wave(c, {"analyst": keys["analyst"]}, sid, sample_frame(300), "2023")
        coded_job(c, keys, wave)
        assert c.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
        yield c, keys, wave


def _boot(page: str) -> dict:
    return json.loads(html.unescape(re.search(r"data-boot='([^']+)'", page).group(1)))


def test_page_has_a_labelled_type_control_and_a_reason_line(served):
    client, _, wave = served
    page = client.get(f"/ui/review?wave_id={wave}").text
    control = re.search(r'<select id="review-type"[^>]*>', page)
    assert control, page
    assert re.search(r'<label for="review-type">[^<]*Kommentartype', page)
    assert 'id="review-type-machine"' in page and 'id="review-reason"' in page
    assert "<kbd>t</kbd>" in page  # the key to the control is listed with the other shortcuts


def test_boot_carries_each_items_reason_and_the_codebooks_types(served):
    client, keys, wave = served
    boot = _boot(client.get(f"/ui/review?wave_id={wave}").text)
    api = client.get(f"/review-queue?wave_id={wave}&limit=50", headers=hdr(keys["analyst"])).json()["items"]
    assert boot["items"] and [i["reason"] for i in boot["items"]] == [i["reason"] for i in api]
    assert all(i["reason"] for i in boot["items"])
    for cb in [*boot["codebooks"].values(), boot["default_codebook"]]:
        assert cb["types"] == ["klage", "ønske", "ros"]  # the sample codebook leaves 'types' out: the defaults
    assert boot["reasons"] == REVIEW_REASONS
    assert any(i["type"] for i in boot["items"])  # the machine's type is there to show and preselect


def test_a_type_sent_as_the_page_sends_it_is_stored(served):
    client, keys, wave = served
    boot = _boot(client.get(f"/ui/review?wave_id={wave}").text)
    item, cb = boot["items"][0], next(iter(boot["codebooks"].values()))
    other = next(t for t in cb["types"] if t != item["type"])
    r = client.post(f"/ui/api/responses/{item['response_id']}/codes", headers={"X-Textmine-UI": "1"},
                    json={"themes": item["themes"], "type": other, "codebook_id": cb["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["type"] == other
