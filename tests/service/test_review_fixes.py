"""Review mends: no personal data from structured columns or error messages, quotes by the summary's
suppression rules, log lines without values, 4xx instead of 500, comparable summaries, UTC timestamps, the
report cache."""

from __future__ import annotations

import json
import logging

import pytest
from conftest import (
    SAMPLE_CSV_2023,
    create_survey,
    hdr,
    sample_frame,
    survey_yaml,
    table_counts,
    to_csv_bytes,
    upload,
    wait_job,
)
from sqlalchemy import select

from service import library, store
from service.db.models import Codebook, CodingJob, Respondent, Wave

SECRET = "Kari Nordmann 01019010127"
FNR = "01019010046"


def _survey(client, key, name="arbeidsgiver", min_cell=None):
    text = survey_yaml() if min_cell is None else survey_yaml().replace("min_cell: 10", f"min_cell: {min_cell}")
    r = client.post("/surveys", json={"name": name, "definition_yaml": text}, headers=hdr(key))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _code(client, keys, wave_id, **body):
    job = client.post(f"/waves/{wave_id}/coding-jobs", json=body, headers=hdr(keys["analyst"])).json()
    return wait_job(client, keys["reader"], job["id"])


# ------------------------------------------------------------------ 1. personal data in non-text columns
def test_upload_stores_only_declared_columns(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20).assign(epost_kontakt=[f"kari{i}@example.no" for i in range(20)], notat=FNR)
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv")
    assert r.status_code == 201, r.text
    warnings = " | ".join(r.json()["warnings"])
    assert "epost_kontakt" in warnings and "notat" in warnings and "were not stored" in warnings
    assert "@example.no" not in r.text and FNR not in r.text
    with client.app.state.db.session() as s:
        answers = [a for (a,) in s.execute(select(Respondent.answers))]
    assert answers and all("epost_kontakt" not in a and "notat" not in a for a in answers)
    assert "sektor" in answers[0] and "q_helhet" in answers[0]  # declared columns are kept
    dumped = json.dumps(answers)
    assert "@example.no" not in dumped and FNR not in dumped


@pytest.mark.parametrize("column,value,code,where", [
    ("sektor", SECRET, "undeclared_level", "column sektor"),
    ("q_helhet", "ring 91234567", "invalid_table", "column q_helhet"),
    ("vekt", SECRET, "invalid_table", "column vekt"),
    ("tj_ingen", "7", "invalid_table", "column tj_ingen"),
])
def test_invalid_cells_are_refused_naming_row_and_column_never_the_value(client, keys, column, value, code, where):
    sid = create_survey(client, keys["analyst"])
    before = table_counts(client.app)
    frame = sample_frame(20)
    frame.loc[3, column] = value
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv")
    assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    message = r.json()["error"]["message"]
    assert where in message and "row 5" in message, message
    assert value not in r.text and "91234567" not in r.text and FNR not in r.text
    assert table_counts(client.app) == before


def test_absurd_weights_and_non_code_multiselect_values_warn_without_values(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20)
    frame.loc[2, "vekt"] = "01019010208"
    frame.loc[4, "tj_ingen"] = SECRET
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv")
    assert r.status_code == 201, r.text
    warnings = " | ".join(r.json()["warnings"])
    assert "column vekt: 1 implausibly large weight(s)" in warnings and "row 4" in warnings
    assert "column tj_ingen: 1 multi-select value(s) are not 0/1 codes" in warnings and "row 6" in warnings
    assert "1019010208" not in r.text and SECRET not in r.text
    got = client.get(f"/waves/{r.json()['id']}", headers=hdr(keys["reader"]))
    assert "1019010208" not in got.text and SECRET not in got.text


def test_survey_definition_errors_never_quote_content(client, keys):
    r = client.post("/surveys", json={"name": "x", "definition_yaml": f"id: rid\nname: [{SECRET}\n"},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and "at line" in r.json()["error"]["message"], r.text
    assert FNR[:6] not in r.text and "Kari" not in r.text
    r = client.post("/surveys", json={"name": "x", "definition_yaml": survey_yaml().replace(
        "segments:\n", "segments: Kari\nxsegments:\n")}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    bad = survey_yaml().split("segments:\n")[0] + "segments: Kari\nfree_text: [fritekst_generell]\n"
    r = client.post("/surveys", json={"name": "y", "definition_yaml": bad}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and "segments: expected a list" in r.json()["error"]["message"], r.text
    with pytest.raises(library.ApiError) as e:
        library.codebook_from_yaml(f"name: [{SECRET}\n")
    assert "at line" in e.value.message and "Kari" not in e.value.message


# ------------------------------------------------------------------ 2. quotes follow the summary's suppression
def _library_quotes(client, wave_id, theme):
    """What textmine.summary itself would quote for the theme (its own suppression rules)."""
    from textmine.summary import build_summary

    with client.app.state.db.session() as s:
        wave = s.get(Wave, wave_id)
        info = library.parse_survey(wave.definition_yaml)
        job = store.latest_done_job(s, wave_id)
        cb = s.get(Codebook, job.codebook_id)
        theme_ids = [t["id"] for t in cb.content["themes"]]
        frames = {1: store.structured_frame(s, wave, info.id_column)}
        coded = {1: store.coded_frame(s, wave, job, theme_ids)}
    summary = build_summary(frames, info.definition, coded, quotes=True, n_quotes=6, embedder="fallback",
                            drivers=False)
    q = summary.tables["quotes"]
    q = q[q["theme"] == theme] if len(q) else q
    return {(t, a) for t, a in zip(q.get("text", []), q.get("attribution", []))}


def test_theme_quotes_use_the_summary_suppression_rules(client, keys):
    sid = create_survey(client, keys["analyst"])  # min_cell 10
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(400)), "w.csv").json()
    _code(client, keys, wave["id"])
    with client.app.state.db.session() as s:
        job = store.latest_done_job(s, wave["id"])
        cb = s.get(Codebook, job.codebook_id)
        frame = store.coded_frame(s, s.get(Wave, wave["id"]), job, [t["id"] for t in cb.content["themes"]])
    counts = {c[6:]: int(frame[c].sum()) for c in frame.columns if c.startswith("theme_")}
    quoted = 0
    for theme in [t for t, n in sorted(counts.items(), key=lambda x: -x[1]) if n][:4]:
        r = client.get(f"/waves/{wave['id']}/themes/{theme}/quotes?n=6", headers=hdr(keys["reader"]))
        assert r.status_code == 200, r.text
        got = {(q["text"], q["attribution"]) for q in r.json()["quotes"]}
        # the same respondents and the same (shortened) attributions as the library summary would quote
        assert got <= _library_quotes(client, wave["id"], theme), (theme, got)
        assert [q["rank"] for q in r.json()["quotes"]] == list(range(1, len(got) + 1))
        langs = {q["response_id"]: q["language"] for q in r.json()["quotes"]}  # the stored language of the comment
        by_id = frame.set_index("response_id")["language"]
        assert all(lang == (by_id[rid] or None) for rid, lang in langs.items())
        quoted += len(got)
    assert quoted


def test_quotes_and_summary_take_a_finished_job_id_only(client, keys):
    sid = _survey(client, keys["analyst"], min_cell=2)
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(150)), "w.csv").json()
    first = _code(client, keys, wave["id"])
    second = _code(client, keys, wave["id"], force=True)
    assert first["id"] != second["id"]
    r = client.get(f"/waves/{wave['id']}/themes/telefon/quotes?job_id={second['id']}", headers=hdr(keys["reader"]))
    assert r.status_code == 200 and r.json()["job_id"] == second["id"], r.text
    # the forced re-coding superseded the first job: its results are gone (dec06g), said, not reported empty
    r = client.get(f"/waves/{wave['id']}/themes/telefon/quotes?job_id={first['id']}", headers=hdr(keys["reader"]))
    assert r.status_code == 409 and r.json()["error"]["code"] == "job_superseded", r.text
    with client.app.state.db.session() as s:  # an unfinished (cancelled) job
        s.add(CodingJob(wave_id=wave["id"], codebook_id=first["codebook_id"], job_key="x", state="cancelled",
                        total=1, done=0))
        s.flush()
        cancelled = s.scalars(select(CodingJob.id).where(CodingJob.state == "cancelled")).first()
    for url in (f"/waves/{wave['id']}/summary?job_id={cancelled}",
                f"/waves/{wave['id']}/themes/telefon/quotes?job_id={cancelled}"):
        r = client.get(url, headers=hdr(keys["reader"]))
        assert r.status_code == 409 and r.json()["error"]["code"] == "job_not_done", r.text


# ------------------------------------------------------------------ 3. logs carry no values
def test_unhandled_errors_log_type_route_and_request_id_only(app_factory, caplog, monkeypatch):
    from fastapi.testclient import TestClient

    from conftest import issue_keys

    def boom(*_a, **_k):
        raise ValueError(f"(sqlite3.IntegrityError) [parameters: ('{SECRET}',)]")

    monkeypatch.setattr(store, "theme_quotes", boom)
    app = app_factory()
    with TestClient(app, raise_server_exceptions=False) as c:
        key = issue_keys(app)["reader"]
        with caplog.at_level(logging.DEBUG):
            r = c.get(f"/waves/1/themes/{FNR}/quotes", headers=hdr(key))
            # what uvicorn does with the exception Starlette re-raises after the 500
            try:
                boom()
            except ValueError as exc:
                logging.getLogger("uvicorn.error").error("Exception in ASGI application\n", exc_info=exc)
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    request_id = r.json()["error"]["details"]["request_id"]
    assert r.headers["x-request-id"] == request_id
    server = [rec for rec in caplog.records if not rec.name.startswith("httpx")]  # (the test client's own log)
    text = "\n".join(logging.Formatter("%(name)s %(message)s").format(rec) for rec in server)
    assert "ValueError" in text and "/waves/{wave_id}/themes/{theme}/quotes" in text and request_id in text
    assert SECRET not in text and FNR not in text and "parameters" not in text, text


# ------------------------------------------------------------------ 4. 4xx instead of 500
def test_concurrent_identical_upload_is_409(client, keys, monkeypatch):
    sid = create_survey(client, keys["analyst"])
    clean = library.clean_texts

    def racing_clean(*a, **k):  # another request stores the same label after our duplicate check
        with client.app.state.db.session() as s:
            s.add(Wave(survey_id=sid, label="2022", text_columns=[], warnings=[]))
        return clean(*a, **k)

    monkeypatch.setattr(library, "clean_texts", racing_clean)
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), "w.csv")
    assert r.status_code == 409 and r.json()["error"]["code"] == "wave_exists", r.text


def test_concurrent_default_codebook_insert_rereads(client):
    db = client.app.state.db
    content = library.default_codebook_dict()
    with db.session() as s:
        add = s.add

        def racing_add(obj):
            if isinstance(obj, Codebook):  # another request inserts the same codebook first
                with db.session() as other:
                    other.add(Codebook(name=obj.name, version=obj.version, content=obj.content))
            add(obj)

        s.add = racing_add
        row, created = store.add_codebook(s, content)
        assert created is False and row.id is not None
    with db.session() as s:
        assert len(s.scalars(select(Codebook)).all()) == 1


def test_lone_surrogates_are_422_naming_the_place(client, keys):
    body = '{"texts": ["ok", "\\ud800 x"]}'
    r = client.post("/classify", content=body, headers={**hdr(keys["analyst"]), "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["errors"][0]["loc"] == ["body", "texts", 1]
    r = client.post("/surveys", content='{"name": "a\\udc00"}',
                    headers={**hdr(keys["analyst"]), "content-type": "application/json"})
    assert r.status_code == 422, r.text
    r = client.post("/codebooks", content='{"name": "x\\ud800", "version": "1", "themes": []}',
                    headers={**hdr(keys["analyst"]), "content-type": "application/json"})
    assert r.status_code == 422, r.text


def test_huge_ids_on_pages_are_4xx(client, keys):
    r = client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False)
    assert r.status_code == 303
    big = "99999999999999999999"
    for url in (f"/waves/{big}/report", f"/ui/waves/{big}", f"/ui/waves/{big}/coding", f"/ui/waves/{big}/themes/x",
                f"/ui/codebooks/{big}", f"/ui/review?wave_id={big}"):
        r = client.get(url, headers=hdr(keys["analyst"]))
        assert r.status_code == 422, (url, r.status_code)


# ------------------------------------------------------------------ 5. chunked oversized body
def test_chunked_oversized_body_is_413(app_factory):
    from fastapi.testclient import TestClient

    from conftest import issue_keys

    app = app_factory(max_request_bytes=2048)
    with TestClient(app) as c:
        key = issue_keys(app)["analyst"]

        def chunks():
            for _ in range(10):
                yield b'{"texts": ["' + b"x" * 1000 + b'"]}'

        r = c.post("/classify", content=chunks(), headers={**hdr(key), "content-type": "application/json"})
        assert r.status_code == 413, r.text
        assert r.json()["error"]["code"] == "payload_too_large"


# ------------------------------------------------------------------ 6. comparable summaries
def test_compare_with_a_wave_coded_with_another_codebook_is_409(client, keys):
    sid = create_survey(client, keys["analyst"])
    w1 = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(60)), "a.csv").json()
    w2 = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(60, SAMPLE_CSV_2023)), "b.csv").json()
    other = dict(library.default_codebook_dict(), name="annen", version="9")
    cb = client.post("/codebooks", json=other, headers=hdr(keys["analyst"]))
    assert cb.status_code == 201, cb.text
    _code(client, keys, w1["id"], codebook_id=cb.json()["id"])
    _code(client, keys, w2["id"])
    r = client.get(f"/waves/{w2['id']}/summary?compare_wave_id={w1['id']}", headers=hdr(keys["reader"]))
    assert r.status_code == 409 and r.json()["error"]["code"] == "codebook_mismatch", r.text
    assert "(annen 9)" in r.json()["error"]["message"]  # the codebook's name and version beside its id
    _code(client, keys, w1["id"])  # now also coded with the default codebook: compared with that coding
    r = client.get(f"/waves/{w2['id']}/summary?compare_wave_id={w1['id']}", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text


# ------------------------------------------------------------------ 7. timestamps
def test_all_timestamps_are_utc_with_z(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), "w.csv").json()
    client.post("/codebooks", json=dict(library.default_codebook_dict(), name="z", version="1"),
                headers=hdr(keys["analyst"]))
    stamps = [client.get(f"/surveys/{sid}", headers=hdr(keys["reader"])).json()["created_at"],
              client.get(f"/waves/{wave['id']}", headers=hdr(keys["reader"])).json()["created_at"],
              client.get("/surveys", headers=hdr(keys["reader"])).json()["items"][0]["created_at"]]
    cbs = client.get("/codebooks", headers=hdr(keys["reader"])).json()["items"]
    stamps += [c["created_at"] for c in cbs]
    stamps += [v["created_at"] for v in client.get(f"/codebooks/{cbs[0]['id']}", headers=hdr(keys["reader"]))
               .json()["versions"]]
    stamps += [k["created_at"] for k in client.get("/keys", headers=hdr(keys["admin"])).json()["items"]]
    assert stamps and all(s.endswith("Z") for s in stamps), stamps


# ------------------------------------------------------------------ 8. report cache
def test_report_cache_hits_on_the_second_call(client, keys, monkeypatch):
    from service.web import reportdata

    sid = create_survey(client, keys["analyst"])
    upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(40)), "a.csv")
    w2 = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(40, SAMPLE_CSV_2023)), "b.csv").json()
    calls = []
    real = reportdata.build_summary

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(reportdata, "build_summary", counting)

    class _Req:
        app = client.app

    with client.app.state.db.session() as s:
        first = reportdata.wave_report(_Req(), s, w2["id"])
        second = reportdata.wave_report(_Req(), s, w2["id"])
    assert second is first and len(calls) == 1


# ------------------------------------------------------------------ 9. small validations
def test_small_validations(client, keys):
    r = client.post("/surveys", json={"name": "   "}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    r = client.get("/jobs?state=bogus", headers=hdr(keys["reader"]))
    assert r.status_code == 422, r.text
    r = client.post("/models", json={"min_examples": 2}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text


def test_classify_unknown_question_is_422_listing_known(client, keys, monkeypatch):
    import numpy as np

    coders = client.app.state.coders
    coders.ready.wait(30)
    coder = coders.default()
    monkeypatch.setattr(coder, "question_priors_", {"fritekst_sykefravaer": np.zeros(2)}, raising=False)
    r = client.post("/classify", json={"texts": ["telefon"], "question": "hva_som_helst"}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_question", r.text
    assert r.json()["error"]["details"]["known"] == ["fritekst_sykefravaer"]
    assert "hva_som_helst" not in r.text
    r = client.post("/classify", json={"texts": ["telefon"], "question": "fritekst_sykefravaer"},
                    headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text


def test_free_valued_segment_values_are_masked_at_upload(client, keys):
    """naering declares no levels, so its values reach summaries verbatim: personal data typed into it is
    masked before it is stored (with a warning that names the column, never the value)."""
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(30)
    frame.loc[frame.index[:3], "naering"] = SECRET
    r = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "w.csv")
    assert r.status_code == 201, r.text
    assert any("naering" in w and "masked in 3 cell" in w for w in r.json()["warnings"])
    assert "01019010127" not in r.text and "Nordmann" not in r.text
    with client.app.state.db.session() as s:
        dumped = json.dumps([a for (a,) in s.execute(select(Respondent.answers))])
    assert "01019010127" not in dumped and "Nordmann" not in dumped
    assert frame["naering"].iloc[5] in dumped  # ordinary values are kept
    summary = client.get(f"/waves/{r.json()['id']}/summary", headers=hdr(keys["reader"]))
    assert summary.status_code == 200 and "01019010127" not in summary.text


def test_report_compares_with_the_previous_wave_by_number_or_upload_order(tmp_path):
    """Numeric labels order by number whatever the upload order; other labels by upload order ("høst 2023"
    before "vår 2024"; alphabetical order would put "vår 2023" after "høst 2023" and before "vår 2024" wrongly)."""
    from service.db.models import Survey
    from service.db.session import Database
    from service.web.reportdata import previous_wave

    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with db.session() as s:
        a, b = Survey(name="tall"), Survey(name="tekst")
        s.add_all([a, b])
        s.flush()
        num = {lab: Wave(survey_id=a.id, label=lab) for lab in ("2023", "2021", "2022")}  # uploaded out of order
        txt = {lab: Wave(survey_id=b.id, label=lab) for lab in ("vår 2023", "høst 2023", "vår 2024")}
        for w in (*num.values(), *txt.values()):
            s.add(w)
            s.flush()
        assert previous_wave(s, num["2023"]).label == "2022"
        assert previous_wave(s, num["2022"]).label == "2021"
        assert previous_wave(s, num["2021"]) is None
        assert previous_wave(s, txt["vår 2024"]).label == "høst 2023"
        assert previous_wave(s, txt["høst 2023"]).label == "vår 2023"
        assert previous_wave(s, txt["vår 2023"]) is None
    db.dispose()
