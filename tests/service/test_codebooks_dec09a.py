"""POST /codebooks: a re-posted codebook whose themes differ from the stored row (ids, labels, even where an earlier
version's YAML reading would fold them together) is a 409; a list or mapping where text is expected, or NaN (JSON
allows it), is a 422 naming the field and the theme's place, never the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import hdr

from service.db.models import Codebook as CodebookRow
from textmine.codebook import Codebook, _codebook_fields, _yaml_data

YAML = ((Path(__file__).parents[1] / "coding" / "typed_codebook.yaml").read_text(encoding="utf-8")
        .replace("name: egen", "name: typed", 1))


def _post_yaml(client, keys, text: str):
    return client.post("/codebooks", content=text.encode("utf-8"),
                       headers={**hdr(keys["analyst"]), "Content-Type": "application/yaml"})


def _store_as_before(client, row_id: int, text: str) -> None:
    """Replace the stored content by what the service stored before text fields were kept as written."""
    _content_as_before(client.app.state.db, row_id, text)


def _content_as_before(db, row_id: int, text: str) -> None:
    before = Codebook(**_codebook_fields(_yaml_data(text, as_written=False))).to_dict()
    assert before["themes"][0]["label"] == "1.1" and before["themes"][0]["keywords"] == ["telefon", "8"]
    with db.session() as s:
        s.get(CodebookRow, row_id).content = before
        s.commit()


def test_a_real_edit_is_still_a_conflict(client, keys):
    first = _post_yaml(client, keys, YAML)
    _store_as_before(client, first.json()["id"], YAML)
    for edited in (YAML.replace("label: 1.10", "label: 1.20"), YAML.replace("label: 1.10", 'label: "1.10"')):
        r = _post_yaml(client, keys, edited)
        assert r.status_code == 409 and r.json()["error"]["code"] == "codebook_version_exists", r.text
    json_body = Codebook.from_yaml(YAML).to_dict()  # JSON has no earlier YAML reading: "1.10" is not "1.1"
    assert client.post("/codebooks", json=json_body, headers=hdr(keys["analyst"])).status_code == 409


def test_an_edit_of_a_codebook_stored_today_is_a_conflict(client, keys):
    """Stored today with the id, label and keyword '8' / '1.1' quoted; the file edited to ``id: 010`` (which an
    earlier version read as 8) under the same name+version is a 409, not the stored row (was: 200)."""
    quoted = (YAML.replace("id: telefon", 'id: "8"').replace("label: 1.10", 'label: "1.1"')
              .replace("[telefon, 010]", '[telefon, "8"]'))
    assert _post_yaml(client, keys, quoted).status_code == 201
    r = _post_yaml(client, keys, YAML.replace("id: telefon", "id: 010"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "codebook_version_exists", r.text


def test_an_earlier_reading_never_matches_another_theme_id(client, keys):
    """A row an earlier version stored reading ``id: 010`` / ``replaces: [010]`` as '8': the same file posted
    again reads '010' today, another theme id: 409 (was: 200 with the stored row, whose theme is '8')."""
    for n, (old, new) in enumerate((("  - id: annet", "  - id: 010"),
                                    ("    label: Annet", "    label: Annet\n    replaces: [010]"))):
        text = YAML.replace("name: typed", f"name: typed{n}").replace(old, new)
        first = _post_yaml(client, keys, text)
        assert first.status_code == 201, first.text
        _store_as_before(client, first.json()["id"], text)
        r = _post_yaml(client, keys, text)
        assert r.status_code == 409 and r.json()["error"]["code"] == "codebook_version_exists", r.text


@pytest.mark.parametrize("line, field", [
    ("version: [1, 2]", "'version' must be text, got a list"),
    ("version: {major: 1}", "'version' must be text, got a mapping"),
    ("description: [Kari Nordmann]", "'description' must be text, got a list"),
])
def test_a_list_or_mapping_as_codebook_text_is_refused(client, keys, line, field):
    r = _post_yaml(client, keys, YAML.replace("version: 1.10", line))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_codebook", r.text
    message = r.json()["error"]["message"]
    assert field in message and "Kari" not in message and "kari" not in message


@pytest.mark.parametrize("old, new, field", [
    ("label: 1.10", "label: {Kari Nordmann: 1}", "theme #1 (telefon): 'label' must be text, got a mapping"),
    ("    label: Annet", "    label: Annet\n    description: [Kari Nordmann]", "theme #2 (annet): 'description' must be text"),
    ("  - id: annet", "  - id: [annet]", "theme #2: 'id' must be text, got a list"),
])
def test_a_list_or_mapping_as_theme_text_names_the_theme_by_place(client, keys, old, new, field):
    r = _post_yaml(client, keys, YAML.replace(old, new))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_codebook", r.text
    message = r.json()["error"]["message"]
    assert field in message and "Kari" not in message and "kari" not in message


def test_nan_in_a_json_codebook_is_refused(client, keys):
    """JSON bodies may hold NaN (Python's json reads it): it was stored as the text 'nan'."""
    body = ('{"name": "nan-test", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", '
            '"keywords": ["telefon"]}, {"id": "annet", "label": "Annet", "description": NaN, "keywords": ["annet"]}]}')
    r = client.post("/codebooks", content=body, headers={**hdr(keys["analyst"]), "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert "theme #2 (annet): 'description': NaN" in r.json()["error"]["message"]
