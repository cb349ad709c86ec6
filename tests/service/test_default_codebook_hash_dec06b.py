"""The bundled model codes a stored codebook only when its content is the bundled codebook's, not just its name and
version (a reviewer stored a changed «arbeidsgiver 1.0» and the default model coded it, dropping new themes)."""

from __future__ import annotations

import copy

from service import library, store
from service.db.models import Codebook


def _row(content: dict) -> Codebook:
    return Codebook(name=content["name"], version=str(content["version"]), content=content)


def test_the_bundled_codebook_is_the_default():
    content = library.default_codebook_dict()
    assert store.is_default_codebook(_row(content))


def test_same_name_and_version_with_a_changed_theme_is_not_the_default():
    content = copy.deepcopy(library.default_codebook_dict())
    content["themes"][0]["keywords"] = list(content["themes"][0]["keywords"]) + ["sentralbordet"]
    assert not store.is_default_codebook(_row(content))


def test_same_name_and_version_with_a_split_theme_is_not_the_default():
    content = copy.deepcopy(library.default_codebook_dict())
    first = content["themes"][0]
    content["themes"][0:1] = [dict(first, id=first["id"] + "_ko", label=first["label"] + " (kø)"),
                              dict(first, id=first["id"] + "_tilbake", label=first["label"] + " (tilbakeringing)")]
    assert not store.is_default_codebook(_row(content))


def test_a_stored_copy_of_the_bundled_codebook_is_the_default(tmp_path):
    # what add_codebook stores (validated and normalised) must still count as the bundled codebook
    cb = library.codebook_from_dict(library.default_codebook_dict())
    assert store.is_default_codebook(_row(library.codebook_to_dict(cb)))


def test_a_stored_default_codebook_is_recognised_without_validating_it_again(monkeypatch):
    # /classify asks this per request: the stored, normalised content is compared by hash alone
    content = library.codebook_to_dict(library.codebook_from_dict(library.default_codebook_dict()))

    def no_validation(_content):
        raise AssertionError("validated again")

    monkeypatch.setattr(library, "codebook_from_dict", no_validation)
    assert store.is_default_codebook(_row(content))
