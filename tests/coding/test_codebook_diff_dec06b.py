"""A model refusing another codebook names every difference: new and missing themes, and also the themes both
have but with other content (a reviewer's 1.1 codebook split one theme and relabelled another: only the split was
named)."""

import copy

from textmine.classify.artefact import _codebook_diff
from textmine.codebook import Codebook, load_codebook
from textmine.paths import DEFAULT_CODEBOOK


def test_diff_names_changed_themes_beside_new_and_missing():
    old = load_codebook(DEFAULT_CODEBOOK)
    d = copy.deepcopy(old.to_dict())
    first = d["themes"][0]
    d["themes"][0] = dict(first, id=first["id"] + "_ko")  # split/renamed id: new + missing
    d["themes"][1]["label"] = d["themes"][1]["label"] + " og svartid"  # relabelled
    new = Codebook.from_dict(d)
    text = _codebook_diff(old, new)
    assert f"new themes ['{first['id']}_ko']" in text and f"missing themes ['{first['id']}']" in text
    assert f"changed themes ['{old.theme_ids[1]}']" in text


def test_diff_with_only_changed_content():
    old = load_codebook(DEFAULT_CODEBOOK)
    d = copy.deepcopy(old.to_dict())
    d["themes"][2]["keywords"] = list(d["themes"][2]["keywords"]) + ["ekstra"]
    assert _codebook_diff(old, Codebook.from_dict(d)) == f" — changed themes ['{old.theme_ids[2]}']"
