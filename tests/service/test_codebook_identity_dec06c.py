"""Codebook identity in the service: listings show each codebook's content hash (two «arbeidsgiver 1.0» from
different servers can be told apart), the 409 for a changed name+version says which themes differ, and a coding
job says what coded it (zero-shot and its embedder, the default model, or a trained model), not model=None."""

from __future__ import annotations

import copy

from conftest import coded_job, create_survey, hdr, sample_frame, uploaded_wave

from service import library
from textmine.codebook import Codebook, content_hash

DEMO = {"name": "demo", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
        "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid.",
                    "keywords": ["telefon"]},
                   {"id": "lonn", "label": "Lønn", "description": "Lønn og betaling.", "keywords": ["lønn"]},
                   {"id": "annet", "label": "Annet", "description": "Annet.", "keywords": [], "exclusive": True}]}


def _post(client, keys, content):
    return client.post("/codebooks", json=content, headers=hdr(keys["analyst"]))


def test_the_service_hash_is_the_library_hash():
    assert library.content_hash is content_hash
    cb = Codebook.from_dict(DEMO)
    assert library.content_hash(cb.to_dict()) == cb.hash


def test_codebook_listing_and_detail_show_the_content_hash(client, keys):
    created = _post(client, keys, DEMO)
    assert created.status_code == 201, created.text
    want = Codebook.from_dict(DEMO).hash
    assert created.json()["hash"] == want
    other = dict(copy.deepcopy(DEMO), version="1.1")
    other["themes"][0]["keywords"] = ["telefon", "sentralbord"]
    second = _post(client, keys, other).json()

    items = client.get("/codebooks", headers=hdr(keys["reader"])).json()["items"]
    by_id = {i["id"]: i for i in items}
    assert by_id[created.json()["id"]]["hash"] == want
    assert by_id[second["id"]]["hash"] == Codebook.from_dict(other).hash != want

    one = client.get(f"/codebooks/{second['id']}", headers=hdr(keys["reader"])).json()
    assert one["hash"] == Codebook.from_dict(other).hash
    assert {v["id"]: v["hash"] for v in one["versions"]} == {created.json()["id"]: want,
                                                              second["id"]: Codebook.from_dict(other).hash}


def test_openapi_declares_the_hash(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    schemas = spec.json()["components"]["schemas"]
    for name in ("CodebookOut", "CodebookVersions"):
        assert "hash" in schemas[name]["properties"] and "hash" in schemas[name]["required"], name
    assert "coded_with" in schemas["JobOut"]["properties"]


def test_a_changed_version_is_refused_naming_the_themes_that_differ(client, keys):
    first = _post(client, keys, DEMO)
    assert first.status_code == 201, first.text
    changed = copy.deepcopy(DEMO)
    changed["themes"][0]["label"] = "Telefon og kø"  # changed
    changed["themes"][1] = dict(changed["themes"][1], id="betaling")  # lonn removed, betaling added
    r = _post(client, keys, changed)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "codebook_version_exists"
    assert "new themes ['betaling']" in error["message"]
    assert "missing themes ['lonn']" in error["message"]
    assert "changed themes ['telefon']" in error["message"]
    details = error["details"]
    assert details["id"] == first.json()["id"]
    assert details["added"] == ["betaling"] and details["removed"] == ["lonn"]
    assert details["changed"] == {"telefon": ["label"]}
    assert details["stored_hash"] == Codebook.from_dict(DEMO).hash
    assert details["hash"] == Codebook.from_dict(changed).hash


def test_a_change_outside_the_themes_is_named_too(client, keys):
    assert _post(client, keys, DEMO).status_code == 201
    r = _post(client, keys, dict(DEMO, description="Ny beskrivelse."))
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert "description" in error["message"]
    assert error["details"]["fields"] == ["description"] and error["details"]["changed"] == {}


def test_jobs_say_what_coded_them(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(20), "2022")
    default_job = coded_job(client, keys, wave)
    changed = copy.deepcopy(library.default_codebook_dict())
    changed["version"] = "1.1"
    changed["themes"][0]["keywords"] = list(changed["themes"][0]["keywords"]) + ["sentralbordet"]
    cb = _post(client, keys, changed).json()["id"]
    zero_shot_job = coded_job(client, keys, wave, codebook_id=cb)

    zero = client.get(f"/jobs/{zero_shot_job}", headers=hdr(keys["reader"])).json()
    assert zero["model_id"] is None
    assert zero["coded_with"] == f"zero-shot ({library.ZERO_SHOT_EMBEDDER})"
    default = client.get(f"/jobs/{default_job}", headers=hdr(keys["reader"])).json()
    identity = client.app.state.coders.default_identity  # what the server's default model is: sha256:…
    assert identity.startswith("sha256:")
    assert default["coded_with"] == f"default model {library.model_identity_label(identity)}"
    listed = {j["id"]: j["coded_with"] for j in client.get("/jobs", headers=hdr(keys["reader"])).json()["items"]}
    assert listed == {zero_shot_job: zero["coded_with"], default_job: default["coded_with"]}


def test_coded_with_names_a_trained_model_and_a_zero_shot_default():
    from service import store
    from service.db.models import CodingJob

    assert store.coded_with(CodingJob(model_id=3, default_model_identity=None)) == "model 3"
    no_model = CodingJob(model_id=None, default_model_identity="zero-shot:" + "a" * 64)  # no default model on disk
    assert store.coded_with(no_model) == f"zero-shot ({library.ZERO_SHOT_EMBEDDER})"
    model = CodingJob(model_id=None, default_model_identity="sha256:" + "0123456789abcdef" * 4)
    assert store.coded_with(model) == "default model sha256:0123456789ab"
