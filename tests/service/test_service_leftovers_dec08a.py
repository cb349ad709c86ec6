"""Service leftovers (dec08a): ``POST /models`` without ``codebook_id`` where the stored corrections belong to
several codebooks (a mixed review queue) is a 409 ``several_codebooks`` listing each codebook with its count, the
database unchanged; with one codebook's corrections it trains that codebook; a named codebook is trained on its own
corrections only, never another codebook's."""

from __future__ import annotations

from conftest import create_survey, hdr, sample_frame, table_counts, uploaded_wave, wait_training
from sqlalchemy import select

from service.db.models import Response

KB_A = {"name": "kb-a", "version": "1",
        "themes": [{"id": "ventetid", "label": "Ventetid", "keywords": ["ventetid", "vente"]},
                   {"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}
KB_B = {"name": "kb-b", "version": "2",
        "themes": [{"id": "lonn", "label": "Lønn", "keywords": ["lønn"]},
                   {"id": "annet", "label": "Annet", "description": "Annet", "exclusive": True}]}


def _responses(client, keys, n: int) -> list[int]:
    """The ids of ``n`` answers (not non-answers) of a freshly uploaded wave."""
    wave = uploaded_wave(client, keys, create_survey(client, keys["analyst"]), sample_frame(80), "2022")
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(n)).all()
    assert len(ids) == n
    return list(ids)


def _correct(client, keys, codebook: dict, rids: list[int], themes: list[str]) -> int:
    """The codebook stored and one correction of it per response; the codebook's id."""
    a = hdr(keys["analyst"])
    r = client.post("/codebooks", json=codebook, headers=a)
    assert r.status_code in (200, 201), r.text
    cb_id = r.json()["id"]
    for rid, theme in zip(rids, themes, strict=True):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [theme], "codebook_id": cb_id}, headers=a)
        assert r.status_code == 201, r.text
    return cb_id


def _mixed(client, keys) -> tuple[int, int]:
    """Corrections of two codebooks on the same wave: 9 of kb-a, 6 of kb-b (4 of them on the same answers)."""
    rids = _responses(client, keys, 11)
    a = _correct(client, keys, KB_A, rids[:9], ["ventetid", "telefon", "annet"] * 3)
    b = _correct(client, keys, KB_B, rids[5:], ["lonn", "annet"] * 3)
    return a, b


def test_no_codebook_with_mixed_corrections_is_a_409_listing_the_codebooks_and_nothing_stored(client, keys):
    a, b = _mixed(client, keys)
    before = table_counts(client.app)
    r = client.post("/models", json={"min_examples": 5}, headers=hdr(keys["analyst"]))
    assert r.status_code == 409, r.text
    err = r.json()["error"]
    assert err["code"] == "several_codebooks"
    assert err["details"] == {"codebooks": [
        {"codebook_id": a, "name": "kb-a", "version": "1", "corrected_responses": 9},
        {"codebook_id": b, "name": "kb-b", "version": "2", "corrected_responses": 6}]}
    assert f"codebook {a} kb-a 1: 9" in err["message"] and f"codebook {b} kb-b 2: 6" in err["message"]
    assert "codebook_id" in err["message"]
    assert table_counts(client.app) == before  # no job, no default codebook row, nothing else
    assert client.get("/training-jobs", headers=hdr(keys["analyst"])).json()["total"] == 0


def test_a_named_codebook_trains_on_its_own_corrections_only(client, keys):
    a, b = _mixed(client, keys)
    r = client.post("/models", json={"min_examples": 5, "codebook_id": b}, headers=hdr(keys["analyst"]))
    assert r.status_code == 202, r.text
    job = wait_training(client, keys["analyst"], r.json()["id"])
    assert job["state"] == "done", job
    model = job["model"]
    assert model["codebook_id"] == b and model["n_training"] == 6
    assert model["metrics"]["label_counts"] == {"lonn": 3, "annet": 3}  # none of kb-a's 9 corrections
    assert model["metrics"]["corrections_record"]["codebook_name"] == "kb-b"


def test_no_codebook_with_one_codebooks_corrections_trains_that_codebook(client, keys):
    rids = _responses(client, keys, 6)
    b = _correct(client, keys, KB_B, rids, ["lonn", "annet"] * 3)
    r = client.post("/models", json={"min_examples": 5}, headers=hdr(keys["analyst"]))
    assert r.status_code == 202, r.text
    assert r.json()["codebook_id"] == b
    job = wait_training(client, keys["analyst"], r.json()["id"])
    assert job["state"] == "done" and job["model"]["n_training"] == 6, job


# ---------------------------------------------------------------- POST /codebooks with the codebook's YAML file
GOOD_YAML = """name: kb-yaml
version: 1.10
themes:
  - id: telefon
    label: Telefon
    keywords: [telefon]
  - id: annet
    label: Annet
    description: Annet
    exclusive: true
"""
#: line 6 is dedented by one space (keywords: under the theme): PyYAML's «expected <block end>» at line 6
BROKEN_YAML = GOOD_YAML.replace("    keywords: [telefon]", "   keywords: [Kari Nordmann 01019012480]")


def _yaml_post(client, keys, text: str | bytes, media: str = "application/yaml"):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/codebooks", content=body, headers={**hdr(keys["analyst"]), "Content-Type": media})


def test_broken_codebook_yaml_is_a_422_in_the_librarys_words_naming_the_line_and_nothing_stored(client, keys):
    before = table_counts(client.app)
    for media in ("application/yaml", "text/yaml; charset=utf-8", "application/x-yaml"):
        r = _yaml_post(client, keys, BROKEN_YAML, media)
        assert r.status_code == 422, (media, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_codebook"
        assert err["message"].startswith("line 6: the YAML structure is broken here (check the indentation of this "
                                         "line and the one before)"), err["message"]
        assert "\n" not in err["message"] and "<unicode string>" not in err["message"]
        assert "Kari" not in r.text and "01019012480" not in r.text and "keywords: [" not in r.text
    assert table_counts(client.app) == before


def test_codebook_yaml_errors_quote_no_uploaded_text(client, keys):
    before = table_counts(client.app)
    cases = {"name: !Kari_Nordmann x\n": "constructor for the tag '…' at line 1",
             "Kari Nordmann: 1\nKari Nordmann: 2\n": "key '…' is given twice (lines 1 and 2)",
             "name: a\nname: b\n": "key 'name' is given twice (lines 1 and 2)",
             "- Kari Nordmann\n": "must be a mapping"}
    for text, said in cases.items():
        r = _yaml_post(client, keys, text)
        assert r.status_code == 422 and said in r.json()["error"]["message"], (text, r.text)
        assert "Kari" not in r.text and "Nordmann" not in r.text
    r = _yaml_post(client, keys, b"name: kb\ndescription: Kari \xff\n")
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("line 2: byte 0xff is not valid UTF-8")
    assert table_counts(client.app) == before


def test_codebook_yaml_is_stored_as_the_same_codebook_sent_as_json(client, keys):
    r = _yaml_post(client, keys, GOOD_YAML)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == "1.10"  # kept as written, as the library reads a codebook file
    as_json = client.post("/codebooks", json=r.json()["content"], headers=hdr(keys["analyst"]))
    assert as_json.status_code == 200 and as_json.json()["id"] == r.json()["id"]  # the same version, not a new one
    again = _yaml_post(client, keys, GOOD_YAML.replace("[telefon]", "[telefon, mobil]"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "codebook_version_exists", again.text
    # JSON keeps its checks: personal data in a YAML codebook is refused as in JSON, never quoted
    r = _yaml_post(client, keys, GOOD_YAML.replace("kb-yaml", "Kari Nordmann 01019012480"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "personal_data_in_name", r.text
    assert "01019012480" not in r.text
    spec = client.app.openapi()["paths"]["/codebooks"]["post"]
    assert {"application/json", "application/yaml"} <= set(spec["requestBody"]["content"])


def test_codebook_yaml_expanding_aliases_or_odd_values_are_a_422_not_a_server_error(client, keys):
    before = table_counts(client.app)
    levels = ["l0: &l0 [" + ", ".join(["ord"] * 10) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 7)]  # 10**7 values
    r = _yaml_post(client, keys, "\n".join(levels) + "\n")
    assert r.status_code == 422 and "aliases" in r.json()["error"]["message"], r.text
    r = _yaml_post(client, keys, "2024-01-01: x\nname: kb\n")  # a date as a key
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_codebook", r.text
    r = _yaml_post(client, keys, 'name: "kb \\ud800"\nthemes: []\n')  # a lone surrogate
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_unicode", r.text
    assert table_counts(client.app) == before


# ---------------------------------------------------------------- the review page's «Tren ny modell» panel
def test_the_review_panel_trains_the_codebook_of_the_first_answer_in_the_queue(client, keys, monkeypatch):
    import html
    import json
    import re

    from conftest import coded_job

    from service import store

    a = hdr(keys["analyst"])
    sid = create_survey(client, keys["analyst"])
    jobs = {}
    for label, codebook, rows in (("2022", KB_A, slice(0, 20)), ("2023", KB_B, slice(20, 40))):
        cb = client.post("/codebooks", json=codebook, headers=a).json()["id"]
        wave = uploaded_wave(client, keys, sid, sample_frame(40).iloc[rows], label)
        jobs[cb] = coded_job(client, keys, wave, codebook_id=cb)
    with client.app.state.db.session() as s:
        rid = s.scalars(select(Response.id).where(Response.is_non_answer == 0).order_by(Response.id)).first()
    real = store.review_queue

    def queue(session, limit, offset, wave_id=None):  # the later job's answer first, then the earlier job's
        items = [{"response_id": rid, "wave_id": 1, "question": "q", "text": "t", "job_id": j, "themes": [],
                  "confidence": 0.1, "type": None, "reason": "uncertain"} for j in sorted(jobs.values(), reverse=True)]
        real(session, limit, offset, wave_id)
        return items, len(items)

    monkeypatch.setattr(store, "review_queue", queue)
    assert client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
    page = client.get("/ui/review").text
    m = re.search(r"<section[^>]*id=\"train\"[^>]*data-train='([^']*)'", page)
    assert m, page[:300]
    first = max(jobs.values())
    assert json.loads(html.unescape(m.group(1)))["codebook_id"] == next(cb for cb, j in jobs.items() if j == first)
