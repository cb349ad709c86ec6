"""A codebook's texts are kept as typed in meaning, not in bytes: a description with a decomposed «å», double
spaces or CRLF (pasted from Word, saved on Windows) and a language «NB » are the same codebook — same hash, so a
trained model does not refuse it as «changed themes»."""

import unicodedata

from textmine.codebook import Codebook, load_codebook


def _book(description: str, label: str = "Vanskelig å nå fram", language: str = "nb") -> Codebook:
    return Codebook.from_dict({"name": "t", "version": "1.0", "language": language, "themes": [
        {"id": "telefon", "label": label, "description": description, "keywords": ["telefon"]},
        {"id": "annet", "label": "Annet", "description": "Alt annet"}]})


def test_unicode_form_whitespace_and_language_case_do_not_change_the_hash():
    plain = _book("Kunne ikke nå Nav på telefon; lang kø.")
    same = [
        _book(unicodedata.normalize("NFD", "Kunne ikke nå Nav på telefon; lang kø.")),
        _book("Kunne  ikke nå Nav\r\npå telefon;\tlang kø. "),
        _book("Kunne ikke nå Nav på telefon; lang kø.", label=unicodedata.normalize("NFD", "Vanskelig  å nå fram")),
        _book("Kunne ikke nå Nav på telefon; lang kø.", language=" NB "),
    ]
    assert all(b.hash == plain.hash for b in same)
    assert same[1].themes[0].description == "Kunne ikke nå Nav på telefon; lang kø."
    assert _book("Kunne ikke nå Nav på telefon; kort kø.").hash != plain.hash  # a real change still counts


def test_the_shipped_codebook_keeps_the_hash_its_models_were_trained_with():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    manifest = json.loads((root / "models" / "default" / "manifest.json").read_text(encoding="utf-8"))
    cb = load_codebook(root / "data" / "codebooks" / "arbeidsgiver.yaml")
    assert cb.hash == manifest["codebook"]["hash"]


def test_a_model_trained_before_normalisation_still_loads_its_own_codebook(tmp_path):
    """A model whose codebook had a double space recorded the hash of the text as typed (``legacy_hash``); its
    stored codebook.yaml still matches, and the codebook given as typed still matches the model."""
    import json
    import shutil
    from pathlib import Path

    import pytest
    import yaml

    from textmine.classify.artefact import ArtefactError, checked_codebook
    from textmine.codebook import legacy_hash

    root = Path(__file__).resolve().parents[2]
    model = tmp_path / "m"
    shutil.copytree(root / "models" / "fast", model)
    d = yaml.safe_load((model / "codebook.yaml").read_text(encoding="utf-8"))
    d["themes"][0]["description"] = d["themes"][0]["description"].replace(" ", "  ", 1) + "\r\nmer"
    (model / "codebook.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert legacy_hash(d) != Codebook.from_dict(d).hash
    manifest["codebook"]["hash"] = legacy_hash(d)
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _, stored = checked_codebook(model, Codebook.from_dict(d))
    assert stored.hash == Codebook.from_dict(d).hash
    manifest["codebook"]["hash"] = "0" * 64  # a codebook.yaml edited after training is still refused
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ArtefactError, match="edited after training"):
        checked_codebook(model)
