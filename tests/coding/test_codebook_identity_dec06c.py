"""One codebook identity for the library and the service: ``textmine.codebook.content_hash`` is what
``Codebook.hash`` computes (so models trained before still load), and ``codebook_diff`` says which themes differ as
data (the service's 409 lists them; the model-mismatch message is built from it)."""

from __future__ import annotations

import copy
import json

from textmine.classify.artefact import _codebook_diff, checked_codebook
from textmine.codebook import Codebook, codebook_diff, content_hash, load_codebook
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR


def _changed() -> tuple[Codebook, Codebook]:
    """The bundled codebook and a copy with theme 0 renamed (new + missing), theme 1 relabelled and theme 2 given
    one keyword more."""
    old = load_codebook(DEFAULT_CODEBOOK)
    d = copy.deepcopy(old.to_dict())
    d["themes"][0] = dict(d["themes"][0], id=d["themes"][0]["id"] + "_ko")
    d["themes"][1]["label"] += " og svartid"
    d["themes"][2]["keywords"] = list(d["themes"][2]["keywords"]) + ["ekstra"]
    return old, Codebook.from_dict(d)


def test_content_hash_of_the_mapping_is_the_codebook_hash():
    cb = load_codebook(DEFAULT_CODEBOOK)
    assert content_hash(cb.to_dict()) == cb.hash
    assert len(cb.hash) == 64 and int(cb.hash, 16) >= 0


def test_content_hash_ignores_key_order_but_not_theme_order():
    d = load_codebook(DEFAULT_CODEBOOK).to_dict()
    reordered_keys = json.loads(json.dumps(dict(reversed(list(d.items())))))
    assert content_hash(reordered_keys) == content_hash(d)
    swapped = copy.deepcopy(d)
    swapped["themes"][0], swapped["themes"][1] = swapped["themes"][1], swapped["themes"][0]
    assert content_hash(swapped) != content_hash(d)


def test_the_shipped_model_still_matches_its_codebook_hash():
    # the manifest stores the hash computed when the model was built: it must be what content_hash gives today
    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    stored = load_codebook(DEFAULT_MODEL_DIR / "codebook.yaml")
    assert content_hash(stored.to_dict()) == manifest["codebook"]["hash"]
    checked_codebook(DEFAULT_MODEL_DIR, DEFAULT_CODEBOOK)  # raises ArtefactError on any mismatch


def test_codebook_diff_lists_added_removed_and_changed_themes_with_their_fields():
    old, new = _changed()
    diff = codebook_diff(old, new)
    assert diff.added == [old.theme_ids[0] + "_ko"]
    assert diff.removed == [old.theme_ids[0]]
    assert diff.changed == {old.theme_ids[1]: ["label"], old.theme_ids[2]: ["keywords"]}
    assert diff  # differs


def test_codebook_diff_of_equal_codebooks_is_empty():
    cb = load_codebook(DEFAULT_CODEBOOK)
    diff = codebook_diff(cb, Codebook.from_dict(cb.to_dict()))
    assert not diff and diff.added == [] and diff.removed == [] and diff.changed == {} and diff.fields == []


def test_codebook_diff_names_the_other_fields_and_the_order():
    old = load_codebook(DEFAULT_CODEBOOK)
    d = copy.deepcopy(old.to_dict())
    d["description"] = (d.get("description") or "") + " Ny."
    d["themes"][0], d["themes"][1] = d["themes"][1], d["themes"][0]
    diff = codebook_diff(old, Codebook.from_dict(d))
    assert diff.fields == ["description", "theme order"]
    assert not diff.added and not diff.removed and not diff.changed


def test_model_mismatch_text_is_built_from_the_diff():
    old, new = _changed()
    text = _codebook_diff(old, new)
    assert text == (f" — new themes ['{old.theme_ids[0]}_ko']; missing themes ['{old.theme_ids[0]}']; "
                    f"changed themes ['{old.theme_ids[1]}', '{old.theme_ids[2]}']")
