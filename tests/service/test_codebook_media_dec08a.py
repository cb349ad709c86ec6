"""``POST /codebooks`` reads JSON or YAML: a 415 for another media type names both, other JSON routes name JSON only."""

from __future__ import annotations

from conftest import hdr


def test_415_on_codebooks_names_json_and_yaml(client, keys):
    r = client.post("/codebooks", content=b"name: x\n", headers={**hdr(keys["analyst"]), "Content-Type": "text/plain"})
    assert r.status_code == 415, r.text
    message = r.json()["error"]["message"]
    assert "application/json or application/yaml" in message
    assert "text/plain" in message


def test_415_on_a_json_only_route_names_json_alone(client, keys):
    r = client.post("/surveys", content=b"name: x\n", headers={**hdr(keys["analyst"]), "Content-Type": "text/plain"})
    assert r.status_code == 415, r.text
    message = r.json()["error"]["message"]
    assert "application/json" in message and "yaml" not in message


def test_yaml_errors_never_quote_a_key_or_alias_the_user_typed_but_name_codebook_fields():
    import pytest

    from service.errors import ApiError
    from service.library import codebook_content_from_yaml

    for text, secret in (("name: a\nolanordmann: 1\nolanordmann: 2\n", "olanordmann"),
                         ("name: *tone\n", "tone"), ("themes:\n  - id: *kari_hansen\n", "kari_hansen")):
        with pytest.raises(ApiError) as caught:
            codebook_content_from_yaml(text)
        assert secret not in str(caught.value.message) and "'…'" in str(caught.value.message)
    with pytest.raises(ApiError) as caught:
        codebook_content_from_yaml("name: a\nthemes: []\nthemes: []\n")
    assert "'themes'" in str(caught.value.message)
