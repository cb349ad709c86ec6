"""The service's review queue ranks as the library's (uncertainty, rare themes, near-duplicates behind a diverse
first page; deterministic, one fixed ranking sliced by offset/limit) and a correction can be undone
(``DELETE /responses/{id}/codes``)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import coded_job, create_survey, hdr, issue_keys, make_settings, sample_frame, uploaded_wave
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from service import audit, store
from service.app import create_app
from service.db.models import Codebook, CodingJob, CodingResult, Correction, Respondent, Response, Survey, Wave
from textmine.cli import app as cli_app

PHONE = ["Umulig å komme gjennom på telefon", "Umulig å komme gjennom på telefon!!!",
         "umulig å komme gjennom på telefon.", "UMULIG å komme gjennom på telefon",
         "Umulig å kome gjennom på telefon", "Umulig å komme gjennom på telefonen",
         "Umulig å komme gjennom på telefon…", "umulig å komme gjennom på telefon",
         "Umulig å komme gjennom på telefon :(", "Umulig å komme gjennom på telefon ."]
DISTINCT = ["Saksbehandlingen tok altfor lang tid", "Nettsidene er vanskelige å finne fram i",
            "Veilederen ga meg gode råd", "Skjemaet spør om det samme flere ganger", "Brevet var uforståelig",
            "Jeg fikk aldri svar på meldingen min", "Fint møte med kontoret", "Søknaden ble borte i systemet",
            "Chatten svarte med en robot som ikke forsto", "Utbetalingen kom for sent"]


def _seed(client, rows: list[tuple[str, str, float]], corrections: list[str] = ()) -> tuple[int, dict[str, int]]:
    """A wave whose done job flags every row of (text, themes, confidence) for review, and stored corrections
    (themes) of extra, unqueued responses; (wave id, {text: response id})."""
    with client.app.state.db.session() as s:
        cb = store.default_codebook_row(s)
        survey = Survey(name=f"seed{len(rows)}-{len(corrections)}")
        s.add(survey)
        s.flush()
        wave = Wave(survey_id=survey.id, label="2022", text_columns=["q"])
        s.add(wave)
        s.flush()
        job = CodingJob(wave_id=wave.id, codebook_id=cb.id, job_key=f"seed-{wave.id}", state="done")
        s.add(job)
        s.flush()
        ids: dict[str, int] = {}
        for i, (text, themes, conf) in enumerate([*rows, *[(f"rettet {k}", t, 0.9)
                                                           for k, t in enumerate(corrections)]]):
            person = Respondent(wave_id=wave.id, respondent_id=f"r{i}", answers={})
            s.add(person)
            s.flush()
            resp = Response(wave_id=wave.id, respondent_pk=person.id, question="q", text_redacted=text, language="nb")
            s.add(resp)
            s.flush()
            ids[text] = resp.id
            s.add(CodingResult(job_id=job.id, response_id=resp.id, chunk=0, themes=themes, scores={},
                               confidence=conf, needs_review=int(i < len(rows)), type=""))
            if i >= len(rows):
                s.add(Correction(response_id=resp.id, codebook_id=cb.id, themes=themes, type=""))
        return wave.id, ids


def _queue(client, keys, wave_id: int, limit: int, offset: int = 0) -> dict:
    r = client.get("/review-queue", params={"wave_id": wave_id, "limit": limit, "offset": offset},
                   headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    return r.json()


def _phone_and_distinct() -> list[tuple[str, str, float]]:
    """Ten near-identical phone answers, the least confident, and ten distinct answers."""
    return ([(t, "telefon", 0.10 + i / 100) for i, t in enumerate(PHONE)]
            + [(t, "saksbehandlingstid" if i % 2 else "digitale_tjenester", 0.30 + i / 100)
               for i, t in enumerate(DISTINCT)])


def test_near_duplicates_do_not_fill_the_first_page(client, keys):
    wave, _ = _seed(client, _phone_and_distinct())
    page = _queue(client, keys, wave, 10)
    texts = [i["text"] for i in page["items"]]
    assert texts[0] == PHONE[0] and sum(t in DISTINCT for t in texts) == 9  # one phone answer, then distinct ones
    assert page["total"] == 20
    everything = _queue(client, keys, wave, 20)["items"]
    assert [i["text"] for i in everything][:10] == texts
    assert sorted(i["text"] for i in everything) == sorted(PHONE + DISTINCT)  # the duplicates come later
    assert [i["text"] for i in everything[-9:]] == PHONE[1:]  # least confident first among the duplicates too
    assert {i["reason"] for i in everything[-9:]} == {"near-duplicate"}


def test_a_rare_theme_is_ranked_up(client, keys):
    rows = [("Køen på telefonen er lang", "telefon", 0.40),
            ("Ventetiden på svar er lang", "saksbehandlingstid", 0.42),
            ("Vanskelig å forstå brevet", "telefon", 0.41)]
    wave, _ = _seed(client, rows, corrections=["telefon"] * 5)
    items = _queue(client, keys, wave, 3)["items"]
    assert items[0]["text"] == "Ventetiden på svar er lang"  # less uncertain, but a theme never corrected
    assert items[0]["reason"] == "rare theme: saksbehandlingstid"
    assert [i["confidence"] for i in items[1:]] == [0.40, 0.41]  # otherwise least confident first
    assert all(i["reason"] == "uncertain" for i in items[1:])


def test_the_order_is_deterministic_and_pages_slice_one_ranking(client, keys, monkeypatch):
    rows = _phone_and_distinct() + [(f"Svar nummer {k} om noe helt eget", "annet", 0.5) for k in range(10)]
    wave, _ = _seed(client, rows)
    monkeypatch.setattr(store, "REVIEW_HEAD", 6)  # the pages cross the diverse head into the rest
    one = _queue(client, keys, wave, 14)
    assert one == _queue(client, keys, wave, 14)
    p1, p2 = _queue(client, keys, wave, 7), _queue(client, keys, wave, 7, 7)
    ids = [i["response_id"] for i in p1["items"] + p2["items"]]
    assert ids == [i["response_id"] for i in one["items"]] and len(set(ids)) == 14
    assert p1["total"] == p2["total"] == one["total"] == 30
    rest = _queue(client, keys, wave, 500)["items"]
    assert len(rest) == 30 and len({i["response_id"] for i in rest}) == 30
    assert _queue(client, keys, wave, 5, 30)["items"] == []


def test_ranking_past_the_head_keeps_distinct_texts_before_duplicates():
    rows = [store.ReviewRow(1, 0.10, ("telefon",), "Ingen svarer på telefon"),
            store.ReviewRow(2, 0.11, ("telefon",), "ingen svarer på telefon!"),
            store.ReviewRow(3, 0.50, ("ros",), "Hyggelig veileder"),
            store.ReviewRow(4, 0.60, ("telefon",), "Lang kø"),
            store.ReviewRow(5, 0.70, (), "Lang kø")]  # no theme: no bonus
    order = store.rank_review_rows(rows, Counter({"telefon": 10}), head=1)
    assert [i for i, _ in order] == [1, 3, 4, 2, 5]
    assert [why for _, why in order] == ["uncertain", "rare theme: ros", "uncertain", "near-duplicate",
                                         "near-duplicate"]
    assert store.rank_review_rows(list(reversed(rows)), Counter({"telefon": 10}), head=1) == order


@pytest.fixture
def audited(sqlite_url, tmp_path, monkeypatch):
    path = tmp_path / "audit.log"
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(path))
    app = create_app(make_settings(sqlite_url, tmp_path))
    with TestClient(app) as c:
        yield c, issue_keys(app), path


def _summary_corrections(client, keys, wave) -> int:
    r = client.get(f"/waves/{wave}/summary", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    return r.json()["summary"]["meta"]["corrections_applied"]["2022"]


def _coded_themes(client, wave: int, response_id: int) -> str:
    with client.app.state.db.session() as s:
        w = s.get(Wave, wave)
        job = store.latest_done_job(s, wave)
        theme_ids = [t["id"] for t in s.get(Codebook, job.codebook_id).content["themes"]]
        frame = store.coded_frame(s, w, job, theme_ids)
        row = frame[frame["response_id"] == response_id].iloc[0]
        return f"{row['themes']}|{row['corrected']}"


def test_delete_undoes_corrections_in_summary_and_queue(audited):
    client, keys, path = audited
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(40), "2022")
    coded_job(client, keys, wave)
    queue = _queue(client, keys, wave, 500)
    item = queue["items"][0]
    rid = item["response_id"]
    machine = _coded_themes(client, wave, rid)
    assert machine.endswith("|0")
    new = "ros" if "ros" not in item["themes"] else "telefon"
    for themes in (["telefon"], [new]):
        r = client.post(f"/responses/{rid}/codes", json={"themes": themes}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    assert _summary_corrections(client, keys, wave) == 1
    assert _coded_themes(client, wave, rid) == f"{new}|1"
    assert rid not in {i["response_id"] for i in _queue(client, keys, wave, 500)["items"]}
    assert client.delete(f"/responses/{rid}/codes", headers=hdr(keys["reader"])).status_code == 403
    r = client.delete(f"/responses/{rid}/codes", headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["response_id"] == rid and body["removed"] == 2 and len(body["correction_ids"]) == 2
    assert set(body) == {"response_id", "removed", "correction_ids", "codebook_ids"}
    assert item["text"] not in r.text and new not in r.text  # ids and counts only
    assert _coded_themes(client, wave, rid) == machine
    assert _summary_corrections(client, keys, wave) == 0
    back = _queue(client, keys, wave, 500)
    assert back["total"] == queue["total"] and rid in {i["response_id"] for i in back["items"]}
    again = client.delete(f"/responses/{rid}/codes", headers=hdr(keys["analyst"]))
    assert again.status_code == 404 and again.json()["error"]["code"] == "no_correction"
    unknown = client.delete("/responses/999999/codes", headers=hdr(keys["analyst"]))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    deletes = [x for x in lines if x["method"] == "DELETE" and x["route"] == "/responses/{response_id}/codes"]
    assert [x["status"] for x in deletes] == [403, 200, 404, 404]
    assert deletes[1]["ids"] == {"response_id": rid} and deletes[1]["role"] == "analyst"


def test_cli_uncorrect_removes_the_corrections(client, keys):
    wave, ids = _seed(client, [("Køen på telefonen er lang", "telefon", 0.4)])
    rid = ids["Køen på telefonen er lang"]
    url = client.app.state.settings.database_url
    assert client.post(f"/responses/{rid}/codes", json={"themes": ["ros"]},
                       headers=hdr(keys["analyst"])).status_code == 201
    assert _queue(client, keys, wave, 5)["total"] == 0
    res = CliRunner().invoke(cli_app, ["store", "uncorrect", str(rid), "--database", url])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["removed"] == 1 and "Køen" not in res.output
    assert _queue(client, keys, wave, 5)["total"] == 1
    with client.app.state.db.session() as s:
        assert s.scalars(select(Correction).where(Correction.response_id == rid)).first() is None
    res = CliRunner().invoke(cli_app, ["store", "uncorrect", str(rid), "--database", url])
    assert res.exit_code == 2 and "no_correction" in res.output
