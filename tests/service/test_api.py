"""API tests through TestClient on both stores: auth, upload, jobs, corrections, errors, pagination."""

from __future__ import annotations

import pandas as pd
from conftest import (
    create_survey,
    hdr,
    issue_keys,
    sample_frame,
    table_counts,
    to_csv_bytes,
    survey_yaml,
    upload,
    wait_job,
)
from sqlalchemy import select
from conftest import trained

from service.db.models import ApiKey, CodingResult, Response


def test_health_and_ready_need_no_key_metrics_a_key_of_any_role(client, keys):
    assert client.get("/healthz").json() == {"status": "ok"}
    client.app.state.coders.ready.wait(30)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["model_loaded"] is True
    client.get("/surveys")  # a 401, counted too
    assert client.get("/metrics").status_code == 401
    text = client.get("/metrics", headers={"Authorization": f"Bearer {keys['reader']}"}).text
    assert 'textmine_http_requests_total{method="GET",route="/surveys",status="401"} 1' in text
    assert "textmine_model_ready 1" in text
    assert "# TYPE textmine_http_request_duration_seconds histogram" in text


def test_keys_roles_and_hashing(client, keys):
    assert client.get("/surveys").status_code == 401
    bad = client.get("/surveys", headers=hdr("tm_nothere_secret"))
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_api_key"
    assert client.get("/surveys", headers={"Authorization": f"Bearer {keys['reader']}"}).status_code == 200
    # reader cannot write, analyst cannot administer keys
    r = client.post("/surveys", json={"name": "x"}, headers=hdr(keys["reader"]))
    assert r.status_code == 403 and r.json()["error"]["details"]["required_role"] == "analyst"
    assert client.post("/keys", json={"role": "reader"}, headers=hdr(keys["analyst"])).status_code == 403
    made = client.post("/keys", json={"role": "reader", "name": "n"}, headers=hdr(keys["admin"]))
    assert made.status_code == 201
    new_key = made.json()["key"]
    assert client.get("/surveys", headers=hdr(new_key)).status_code == 200
    # only salted hashes are stored
    with client.app.state.db.session() as s:
        rows = s.scalars(select(ApiKey)).all()
        stored = " ".join(f"{r.prefix} {r.salt} {r.secret_hash}" for r in rows)
    for key in [*keys.values(), new_key]:
        assert key.split("_", 2)[2] not in stored
    # revoke
    assert client.delete(f"/keys/{made.json()['id']}", headers=hdr(keys["admin"])).status_code == 200
    assert client.get("/surveys", headers=hdr(new_key)).status_code == 401


def _upload_sample(client, keys, n=40, label=None):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(n)), "arbeidsgiver_2022.csv", label)
    assert r.status_code == 201, r.text
    return sid, r.json()


def test_upload_stores_redacted_text_only(client, keys):
    frame = sample_frame(60)
    _sid, wave = _upload_sample(client, keys, n=60)
    n_texts = int(sum((frame[c].str.strip() != "").sum() for c in ("fritekst_sykefravaer", "fritekst_generell")))
    assert wave["counts"]["respondents"] == 60
    assert wave["counts"]["responses"] == n_texts
    assert wave["label"] == "2022"
    with client.app.state.db.session() as s:
        rows = s.scalars(select(Response)).all()
        assert all(r.text_raw is None for r in rows)  # default store_raw_text=none
        stored = "\n".join(r.text_redacted for r in rows)
    pii = pd.read_csv(conftest_sample("pii_2022.csv"), dtype=str, keep_default_na=False)
    pii = pii[pii["respondent_id"].isin(frame["respondent_id"])]
    for value in pii["value"]:
        if value.strip() and pii.loc[pii["value"] == value, "pii_type"].iloc[0] in ("fodselsnummer", "epost", "telefon"):
            assert value not in stored


def conftest_sample(name):
    from textmine.paths import SAMPLE_DIR

    return SAMPLE_DIR / name


def test_raw_text_encrypted_when_configured(app_factory):
    from cryptography.fernet import Fernet
    from fastapi.testclient import TestClient

    key = Fernet.generate_key().decode()
    app = app_factory(store_raw_text="encrypted", fernet_key=key)
    with TestClient(app) as c:
        keys = issue_keys(app)
        _upload_sample(c, keys, n=20)
        with app.state.db.session() as s:
            rows = s.scalars(select(Response)).all()
    frame = sample_frame(20)
    originals = {t for c in ("fritekst_sykefravaer", "fritekst_generell") for t in frame[c] if t.strip()}
    assert rows and all(r.raw_encrypted for r in rows)
    decoded = {Fernet(key.encode()).decrypt(r.text_raw).decode() for r in rows}
    assert decoded == originals
    assert not any(o.encode()[:20] in r.text_raw for r in rows for o in originals)


def test_coding_job_idempotent_resumable_progress(client, keys):
    _sid, wave = _upload_sample(client, keys, n=50)
    wid = wave["id"]
    first = client.post(f"/waves/{wid}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert first.status_code == 202 and first.json()["created"] is True
    again = client.post(f"/waves/{wid}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    job = wait_job(client, keys["reader"], first.json()["id"])
    assert job["state"] == "done" and job["done"] == job["total"] == wave["counts"]["responses"]
    assert job["eta_seconds"] == 0
    assert job["chunks_done"] == -(-job["total"] // 7)  # chunk size 7
    # done job is returned again; force makes a new one
    assert client.post(f"/waves/{wid}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()["id"] == job["id"]
    forced = client.post(f"/waves/{wid}/coding-jobs", json={"force": True}, headers=hdr(keys["analyst"]))
    assert forced.status_code == 202 and forced.json()["id"] != job["id"]
    wait_job(client, keys["reader"], forced.json()["id"])
    with client.app.state.db.session() as s:
        ids = s.scalars(select(CodingResult.response_id).where(CodingResult.job_id == forced.json()["id"])).all()
        assert len(ids) == len(set(ids)) == job["total"]
        # the superseded job keeps its row, not its results (dec06g)
        assert s.scalars(select(CodingResult.id).where(CodingResult.job_id == job["id"])).all() == []
    assert client.get(f"/jobs/{job['id']}", headers=hdr(keys["reader"])).json()["superseded_by"] == forced.json()["id"]
    listed = client.get(f"/jobs?wave_id={wid}&limit=1&offset=1", headers=hdr(keys["reader"])).json()
    assert listed["total"] == 2 and listed["limit"] == 1 and listed["offset"] == 1 and len(listed["items"]) == 1


def test_job_resumes_after_interruption_exactly_once(app_factory, tmp_path):
    """Stop the worker after two committed chunks (as a crash would), restart the app: it resumes and finishes."""
    from fastapi.testclient import TestClient

    from service.jobs import run_job

    app = app_factory(run_jobs=False)
    with TestClient(app) as c:
        keys = issue_keys(app)
        _sid, wave = _upload_sample(c, keys, n=150)
        assert wave["counts"]["responses"] > 21
        job = c.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
        import threading

        stop = threading.Event()
        seen = []

        def on_chunk(j):
            seen.append(j.done)
            if len(seen) == 2:
                stop.set()

        state = run_job(app.state.db, app.state.coders, job["id"], 7, stop=stop, on_chunk=on_chunk)
        assert state == "queued" and seen == [7, 14]  # stopped by a shutdown: queued again, no reader sees it run
        mid = c.get(f"/jobs/{job['id']}", headers=hdr(keys["reader"])).json()
        assert mid["state"] == "queued" and mid["done"] == 14
    app2 = app_factory()  # same database; startup resumes running jobs
    with TestClient(app2) as c2:
        done = wait_job(c2, keys["reader"], job["id"])
        assert done["state"] == "done" and done["done"] == done["total"] == wave["counts"]["responses"]
        with app2.state.db.session() as s:
            rows = s.execute(select(CodingResult.response_id, CodingResult.chunk)
                             .where(CodingResult.job_id == job["id"])).all()
        assert len(rows) == len({r[0] for r in rows}) == done["total"]
        assert sorted({r[1] for r in rows}) == list(range(done["chunks_done"]))


def test_cancel_job(app_factory):
    from fastapi.testclient import TestClient

    app = app_factory(run_jobs=False)
    with TestClient(app) as c:
        keys = issue_keys(app)
        _sid, wave = _upload_sample(c, keys, n=20)
        job = c.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
        r = c.post(f"/jobs/{job['id']}/cancel", headers=hdr(keys["analyst"]))
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        from service.jobs import run_job

        assert run_job(app.state.db, app.state.coders, job["id"], 7) == "cancelled"
        with app.state.db.session() as s:
            assert s.scalars(select(CodingResult)).first() is None
        # a cancelled job does not block a new one for the same key
        new = c.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"]))
        assert new.status_code == 202 and new.json()["id"] != job["id"]


def test_review_corrections_and_training(client, keys):
    _sid, wave = _upload_sample(client, keys, n=300)
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    wait_job(client, keys["reader"], job["id"])
    assert client.get("/review-queue", headers=hdr(keys["reader"])).status_code == 403
    queue = client.get("/review-queue?limit=5", headers=hdr(keys["analyst"])).json()
    assert queue["total"] > 0 and len(queue["items"]) == min(5, queue["total"])
    # ranked by expected value of a label (uncertainty, rare themes, no near-duplicates), each with its reason
    assert all(0.0 <= i["confidence"] <= 1.0 and i["reason"] for i in queue["items"])
    assert len({i["response_id"] for i in queue["items"]}) == len(queue["items"])
    item = queue["items"][0]
    bad = client.post(f"/responses/{item['response_id']}/codes", json={"themes": ["no_such_theme"]},
                      headers=hdr(keys["analyst"]))
    assert bad.status_code == 422 and "no_such_theme" in bad.json()["error"]["message"]
    ok = client.post(f"/responses/{item['response_id']}/codes", json={"themes": ["telefon"], "type": "klage"},
                     headers=hdr(keys["analyst"]))
    assert ok.status_code == 201 and ok.json()["themes"] == ["telefon"]
    after = client.get("/review-queue?limit=500", headers=hdr(keys["analyst"])).json()
    assert after["total"] == queue["total"] - 1
    assert item["response_id"] not in {i["response_id"] for i in after["items"]}
    # too few corrections to train → 422, nothing stored
    before = table_counts(client.app)
    r = client.post("/models", json={}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_enough_corrections"
    assert table_counts(client.app) == before
    for it in after["items"][:4]:
        client.post(f"/responses/{it['response_id']}/codes", json={"themes": ["annet"]}, headers=hdr(keys["analyst"]))
    model = trained(client, keys["analyst"], {"min_examples": 5})["model"]  # 202, then the training job's model
    assert model["n_training"] == 5
    mjob = client.post(f"/waves/{wave['id']}/coding-jobs", json={"model_id": model["id"]},
                       headers=hdr(keys["analyst"]))
    assert mjob.status_code == 202 and mjob.json()["model_id"] == model["id"]
    assert wait_job(client, keys["reader"], mjob.json()["id"])["state"] == "done"


def test_codebooks_versions(client, keys):
    cb = {"name": "mini", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                                                      {"id": "annet", "label": "Annet", "description": "Annet",
                                                       "exclusive": True}]}
    r1 = client.post("/codebooks", json=cb, headers=hdr(keys["analyst"]))
    assert r1.status_code == 201
    assert client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).status_code == 200
    changed = {**cb, "themes": cb["themes"][:1]}
    conflict = client.post("/codebooks", json=changed, headers=hdr(keys["analyst"]))
    assert conflict.status_code == 409
    r2 = client.post("/codebooks", json={**changed, "version": "2"}, headers=hdr(keys["analyst"]))
    assert r2.status_code == 201
    got = client.get(f"/codebooks/{r2.json()['id']}", headers=hdr(keys["reader"])).json()
    assert [v["version"] for v in got["versions"]] == ["1", "2"]
    invalid = client.post("/codebooks", json={"name": "x", "themes": [{"id": "Bad Id", "label": "x"}]},
                          headers=hdr(keys["analyst"]))
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_codebook"
    page = client.get("/codebooks?limit=1", headers=hdr(keys["reader"])).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_classify_with_codebook_and_errors(client, keys):
    cb = {"name": "mini", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                                                      {"id": "annet", "label": "Annet", "description": "Annet",
                                                       "exclusive": True}]}
    cid = client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).json()["id"]
    secret = "Ring meg på 91234567 eller ola.nordmann@example.com om telefonen"
    r = client.post("/classify", json={"texts": [secret, ""], "codebook_id": cid}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [t["id"] for t in res[0]["themes"]] == ["telefon"] and res[0]["themes"][0]["label"] == "Telefon"
    assert "91234567" not in r.text and "ola.nordmann@example.com" not in r.text
    assert res[1]["themes"] == []
    assert client.post("/classify", json={"texts": ["x"], "codebook_id": 999},
                       headers=hdr(keys["analyst"])).status_code == 404
    assert client.post("/classify", json={"texts": ["x"]}, headers=hdr(keys["reader"])).status_code == 403


def test_default_classify_answers_a_repeated_comment_from_the_result_cache(client, keys):
    secret = "Ring meg på 91234567 om telefonen"
    first = client.post("/classify", json={"texts": [secret, "Lang ventetid på telefon"]}, headers=hdr(keys["analyst"]))
    assert first.status_code == 200, first.text
    before = client.app.state.results.hits
    again = client.post("/classify", json={"texts": ["Helt nytt svar om telefon", secret]},
                        headers=hdr(keys["analyst"]))
    assert again.status_code == 200
    assert again.json()["results"][1] == first.json()["results"][0]  # same answer, from the cache
    assert client.app.state.results.hits == before + 1
    assert "91234567" not in again.text
    metrics = client.get("/metrics", headers=hdr(keys["reader"])).text
    assert 'textmine_classify_cache{kind="hit"}' in metrics and 'textmine_classify_cache{kind="miss"}' in metrics


def test_validation_errors_never_echo_input(client, keys):
    secret = "Fødselsnummer 01017012345 til Kari Nordmann"
    r = client.post("/classify", json={"texts": secret, "extra": secret}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert "01017012345" not in r.text and "Kari" not in r.text
    r = client.post("/classify", json={"texts": ["x" * 100_000]}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "comment_too_long"
    assert "100000 characters" in r.json()["error"]["message"]
    r = client.post("/classify", json={"texts": ["ok"] * 1001}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422
    r = client.get("/jobs/not-a-number", headers=hdr(keys["reader"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"


def test_cors_closed_by_default(client):
    r = client.options("/surveys", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    r = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


def test_summary_and_quotes_two_waves(client, keys):
    # min_cell 2: 150 respondents leave few theme × segment cells at the sample's min_cell of 10, and quotes come
    # only from cells at or above it (test_review_fixes covers the suppression itself)
    r = client.post("/surveys", json={"name": "arbeidsgiver", "definition_yaml": survey_yaml().replace(
        "min_cell: 10", "min_cell: 2")}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    w1 = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(150)), "a.csv").json()
    from conftest import SAMPLE_CSV_2023

    w2 = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(150, SAMPLE_CSV_2023)), "b.csv").json()
    assert (w1["label"], w2["label"]) == ("2022", "2023")
    for w in (w1, w2):
        job = client.post(f"/waves/{w['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
        wait_job(client, keys["reader"], job["id"])
    r = client.get(f"/waves/{w2['id']}/summary?compare_wave_id={w1['id']}", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"]["waves"] == [2022, 2023]
    assert set(body["coding_jobs"]) == {str(w1["id"]), str(w2["id"])}
    assert body["summary"]["tables"]
    q = client.get(f"/waves/{w2['id']}/themes/telefon/quotes?n=3", headers=hdr(keys["reader"]))
    assert q.status_code == 200, q.text
    quotes = q.json()
    assert quotes["n_mentions"] > 0 and 1 <= len(quotes["quotes"]) <= 3
    with client.app.state.db.session() as s:
        coded = dict(s.execute(select(CodingResult.response_id, CodingResult.themes)
                               .join(Response, Response.id == CodingResult.response_id)
                               .where(Response.wave_id == w2["id"])).all())
    for item in quotes["quotes"]:
        assert "telefon" in coded[item["response_id"]].split(";")
    assert client.get(f"/waves/{w2['id']}/themes/nope/quotes", headers=hdr(keys["reader"])).status_code == 404


def test_a_2xx_means_committed_before_the_response_starts(app_factory):
    """The request's transaction commits before the status line goes out: a client that gets 201 and at once
    sends the next request (or crashes) always finds the row. (With FastAPI's default "request" scope the
    session's commit ran after the response, so a quick follow-up request could get 404.)"""
    from fastapi.testclient import TestClient

    from service.db.models import Survey

    app = app_factory()
    visible_at_response: list[int] = []

    async def probe(scope, receive, send):
        async def send_and_look(msg):
            if msg["type"] == "http.response.start" and scope.get("path") == "/surveys":
                with app.state.db.session() as s:  # another connection: sees only committed rows
                    visible_at_response.append(len(s.scalars(select(Survey)).all()))
            await send(msg)

        await app(scope, receive, send_and_look)

    with TestClient(probe) as c:
        key = issue_keys(app)["analyst"]
        for i in range(3):
            r = c.post("/surveys", json={"name": f"s{i}", "definition_yaml": survey_yaml()}, headers=hdr(key))
            assert r.status_code == 201, r.text
    assert visible_at_response == [1, 2, 3]


def test_classify_and_coding_jobs_pass_the_survey_question_to_the_coder(client, keys):
    """A /classify request naming its question, and every response of a coding job, reach the coder with their
    survey question (a trained model applies that question's theme rates); such requests bypass the cache."""
    coder = client.app.state.coders.default()
    hits = client.app.state.results.hits
    r = client.post("/classify", json={"texts": ["Telefonen er håpløs", "Telefonen er håpløs"],
                                       "question": "fritekst_generell"}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert r.json()["codebook_id"] is None and len(r.json()["results"]) == 2
    assert coder.questions == ["fritekst_generell", "fritekst_generell"]
    assert client.app.state.results.hits == hits and len(client.app.state.results) == 0
    bad = client.post("/classify", json={"texts": ["x"], "question": ""}, headers=hdr(keys["analyst"]))
    assert bad.status_code == 422
    coder.questions.clear()
    _sid, wave = _upload_sample(client, keys, n=30)
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["reader"], job["id"])["state"] == "done"
    with client.app.state.db.session() as s:
        stored = sorted(s.scalars(select(Response.question)).all())
    assert sorted(coder.questions) == stored and {"fritekst_sykefravaer", "fritekst_generell"} <= set(stored)
