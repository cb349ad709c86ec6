"""A codebook stored by an older version, whose texts kept double spaces or CRLF, is the same codebook as the one
posted again today (texts now normalised): the same name and version come back as the stored row, not a 409."""

from __future__ import annotations

import copy

from conftest import hdr

from service.db.models import Codebook as CodebookRow

DEMO = {"name": "legacy", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
        "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefon og ventetid.",
                    "keywords": ["telefon"]},
                   {"id": "annet", "label": "Annet", "description": "Annet.", "keywords": [], "exclusive": True}]}


def test_a_codebook_stored_with_old_whitespace_is_recognised(client, keys):
    first = client.post("/codebooks", json=DEMO, headers=hdr(keys["analyst"]))
    assert first.status_code == 201, first.text
    with client.app.state.db.session() as s:  # as an older version stored it: the description as typed
        row = s.get(CodebookRow, first.json()["id"])
        content = copy.deepcopy(row.content)
        content["themes"][0]["description"] = "Telefon  og\r\nventetid."
        row.content = content
        s.commit()
    typed = copy.deepcopy(DEMO)
    typed["themes"][0]["description"] = "Telefon  og\r\nventetid."
    again = client.post("/codebooks", json=typed, headers=hdr(keys["analyst"]))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    changed = copy.deepcopy(DEMO)
    changed["themes"][0]["description"] = "Telefon og lange ventetider."
    refused = client.post("/codebooks", json=changed, headers=hdr(keys["analyst"]))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "codebook_version_exists"


def test_what_postgresql_cannot_store_is_refused_on_every_store(client, keys):
    """A NUL character anywhere in a codebook, or a comment type longer than the type columns (16), is a 422 on
    SQLite too (PostgreSQL answered 500; review dec06d); nothing is stored."""
    import pytest

    from service import store
    from service.errors import ApiError

    nul = copy.deepcopy(DEMO)
    nul["name"], nul["themes"][0]["description"] = "nul-test", "Telefon\x00 og ventetid."
    r = client.post("/codebooks", json=nul, headers=hdr(keys["analyst"]))  # the API refuses control characters
    assert r.status_code == 422
    with client.app.state.db.session() as s, pytest.raises(ApiError) as e:  # the CLI's path: the store itself
        store.add_codebook(s, nul)
    assert e.value.status == 422 and e.value.code == "invalid_codebook" and "NUL" in str(e.value.message)
    long = dict(copy.deepcopy(DEMO), name="long-type", types=["klage", "forbedringsforslag"])
    r = client.post("/codebooks", json=long, headers=hdr(keys["analyst"]))
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "types"
    names = {i["name"] for i in client.get("/codebooks", headers=hdr(keys["reader"])).json()["items"]}
    assert not names & {"nul-test", "long-type"}
