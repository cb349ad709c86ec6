"""A user's own codebook with a YAML-typed text (``label: 1.10``) and the model an earlier version trained for it
(which read the label as '1.1'); a list or mapping where codebook text is expected; NaN (pandas' missing cell) in
:meth:`Codebook.from_dict` refused as YAML's .nan is."""

from __future__ import annotations

import dataclasses
import json
import math

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from textmine.classify import ZeroShotCoder
from textmine.classify.artefact import AS_WRITTEN, FORMAT, ArtefactError, checked_codebook, save_coder
from textmine.codebook import Codebook, CodebookError, _codebook_fields, _yaml_data, earlier_hashes, load_codebook

# A user's own codebook whose YAML types two texts (label and version 1.10, keyword 010); shared with
# tests/service/test_codebooks_dec09a.py.
OWN = (Path(__file__).parent / "typed_codebook.yaml").read_text(encoding="utf-8")


def _trained_before(tmp_path, text: str = OWN):
    """A model folder as an earlier version saved it for ``text``: its codebook as that version read the YAML
    (label '1.1', keyword '8'), written back with ``to_yaml``, and that reading's hash in the manifest."""
    before = Codebook(**_codebook_fields(_yaml_data(text, as_written=False)))
    assert before.hash != Codebook.from_yaml(text).hash
    model = tmp_path / "model"
    model.mkdir()
    (model / "codebook.yaml").write_text(before.to_yaml(), encoding="utf-8")
    (model / "manifest.json").write_text(json.dumps({"format": FORMAT, "codebook": {"hash": before.hash}}),
                                         encoding="utf-8")
    return model


def test_own_codebook_is_the_one_its_earlier_model_was_trained_for(tmp_path):
    model = _trained_before(tmp_path)
    path = tmp_path / "egen.yaml"
    path.write_text(OWN, encoding="utf-8")
    for given in (path, str(path), load_codebook(path), Codebook.from_yaml(OWN)):  # was: «trained for another»
        _, stored = checked_codebook(model, given)
        assert stored.theme_ids == ["telefon", "annet"]


@pytest.mark.parametrize("edit", [("label: 1.10", "label: 1.20"), ("label: 1.10", 'label: "1.10"'),
                                  ("keywords: [telefon, 010]", "keywords: [telefon, 011]")])
def test_a_real_edit_of_the_own_codebook_is_still_refused(tmp_path, edit):
    model = _trained_before(tmp_path)
    path = tmp_path / "egen.yaml"
    path.write_text(OWN.replace(*edit), encoding="utf-8")
    with pytest.raises(ArtefactError, match="changed themes \\['telefon'\\]"):
        checked_codebook(model, path)


@pytest.mark.parametrize("edit, message", [
    (("  - id: telefon", "  - id: 010"), r"new themes \['010'\]; missing themes \['8'\]"),  # read as '8' then
    (("    label: Annet", "    label: Annet\n    replaces: [010]"), r"changed themes \[.*'annet'\]"),
])
def test_an_earlier_reading_never_gives_another_theme_id(tmp_path, edit, message):
    """The earlier version read ``id: 010`` as '8': the model's columns are theme_8, the file's theme is '010'
    today. Only texts may differ by the YAML typing; an id, parent or replaces never (was: accepted)."""
    text = OWN.replace(*edit)
    model = _trained_before(tmp_path, text)
    path = tmp_path / "egen.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArtefactError, match=message):
        checked_codebook(model, path)


KANTINE = """name: kantine
version: "1"
themes:
  - id: {id}
    label: {label}
    keywords: [mat, suppe]
  - id: pris
    label: Pris
    keywords: [pris, dyr]
"""


def _trained_today(tmp_path, embedder, trained: dict):
    coder = ZeroShotCoder(Codebook.from_yaml(KANTINE.format(**trained)), embedder).fit()
    save_coder(coder, tmp_path / "today")
    return tmp_path / "today"


@pytest.mark.parametrize("trained, given, message", [
    ({"id": '"8"', "label": "Maten"}, {"id": "010", "label": "Maten"}, r"new themes \['010'\]; missing themes \['8'\]"),
    ({"id": "mat", "label": '"1.1"'}, {"id": "mat", "label": "1.10"}, r"changed themes \['mat'\]"),
    ({"id": "mat", "label": "1.10"}, {"id": "mat", "label": "1.100"}, r"changed themes \['mat'\]"),
])
def test_a_model_saved_today_compares_the_codebook_strictly(tmp_path, fake_embedder, trained, given, message):
    """Its manifest marks the hash as of the YAML as written: no earlier reading of the file given counts (was:
    ``id: 010`` accepted for a model trained for the theme '8', ``label: 1.10`` for the label '1.1')."""
    model = _trained_today(tmp_path, fake_embedder, trained)
    assert json.loads((model / "manifest.json").read_text(encoding="utf-8"))["codebook"][AS_WRITTEN] is True
    path = tmp_path / "given.yaml"
    path.write_text(KANTINE.format(**trained), encoding="utf-8")
    assert checked_codebook(model, path)[1].hash == load_codebook(path).hash  # the file it was trained for
    path.write_text(KANTINE.format(**given), encoding="utf-8")
    with pytest.raises(ArtefactError, match=message):
        checked_codebook(model, path)


def test_a_model_saved_today_notices_its_codebook_yaml_edited_to_an_earlier_reading(tmp_path, fake_embedder):
    model = _trained_today(tmp_path, fake_embedder, {"id": "mat", "label": '"1.1"'})
    stored = model / "codebook.yaml"
    assert "label: '1.1'" in stored.read_text(encoding="utf-8")
    stored.write_text(stored.read_text(encoding="utf-8").replace("label: '1.1'", "label: 1.10"), encoding="utf-8")
    with pytest.raises(ArtefactError, match="edited after training"):  # was: accepted (read as 1.1 before)
        checked_codebook(model)


def test_numpy_scalars_from_pandas_are_read_as_their_values():
    """A codebook built from a data frame's cells (``np.int64`` version or id): read as the plain numbers (was:
    «'version' must be text, got int64»)."""
    frame = pd.DataFrame({"id": [7, 8], "label": ["Sju", "Åtte"], "keyword": [7, 8]})
    themes = [{"id": frame["id"].iloc[i], "label": frame["label"].iloc[i], "keywords": [frame["keyword"].iloc[i]]}
              for i in range(len(frame))]
    assert isinstance(themes[0]["id"], np.int64)
    cb = Codebook.from_dict({"name": np.str_("tall"), "version": np.int64(2), "themes": themes})
    plain = Codebook.from_dict({"name": "tall", "version": 2, "themes": [{"id": 7, "label": "Sju", "keywords": [7]},
                                                                         {"id": 8, "label": "Åtte", "keywords": [8]}]})
    assert cb.hash == plain.hash and cb.version == "2" and cb.theme_ids == ["7", "8"]
    assert Codebook.from_dict(_with({"version": np.float64(1.5)}, replaces=np.int64(9))).themes[1].replaces == ("9",)
    with pytest.raises(CodebookError, match=r"^'version': NaN"):
        Codebook.from_dict(_with({"version": np.float64("nan")}))


def test_a_codebook_built_otherwise_has_no_earlier_reading(tmp_path):
    """From a mapping, or changed from one read from YAML (``dataclasses.replace``): no YAML, so no earlier
    reading to match; the text '1.10' is not the trained '1.1'."""
    model = _trained_before(tmp_path)
    read = Codebook.from_yaml(OWN)
    assert earlier_hashes(read) and not earlier_hashes(Codebook.from_dict(read.to_dict()))
    changed = dataclasses.replace(read, description="endret")
    for given in (Codebook.from_dict(read.to_dict()), changed):
        with pytest.raises(ArtefactError, match="trained for codebook"):
            checked_codebook(model, given)


def test_the_models_own_codebook_edited_after_training_is_still_refused(tmp_path):
    model = _trained_before(tmp_path)
    stored = model / "codebook.yaml"
    stored.write_text(stored.read_text(encoding="utf-8").replace("'1.1'", "'1.2'"), encoding="utf-8")
    with pytest.raises(ArtefactError, match="edited after training"):
        checked_codebook(model)


_BASE = {"name": "toy", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
                                                  {"id": "annet", "label": "Annet", "keywords": ["annet"]}]}


def _with(top=None, **theme2) -> dict:
    return {**_BASE, **(top or {}), "themes": [_BASE["themes"][0], {**_BASE["themes"][1], **theme2}]}


@pytest.mark.parametrize("d, message", [
    (_with({"version": [1, 2]}), "'version' must be text, got a list"),
    (_with({"name": {"kari": "nordmann"}}), "'name' must be text, got a mapping"),
    (_with({"description": ["Kari Nordmann"]}), "'description' must be text, got a list"),
    (_with({"language": ["nb"]}), "'language' must be text, got a list"),
    (_with(label={"Kari Nordmann": 1}), "theme #2 (annet): 'label' must be text, got a mapping"),
    (_with(description=["Kari Nordmann"]), "theme #2 (annet): 'description' must be text, got a list"),
    (_with(id=["annet"]), "theme #2: 'id' must be text, got a list"),
    (_with(keywords=["annet", {"Kari Nordmann": 1}]), "theme #2 (annet): 'keywords' item 2 must be text, got a mapping"),
])
def test_a_list_or_mapping_where_text_is_expected_is_refused(d, message):
    with pytest.raises(CodebookError) as exc:
        Codebook.from_dict(d)
    assert str(exc.value).startswith(message) and "ordmann" not in str(exc.value)


@pytest.mark.parametrize("text, message", [
    ("name: toy\nversion: [1, 2]\nthemes: [{id: a, label: A, keywords: [a]}]\n", "'version' must be text, got a list"),
    ("name: toy\nthemes: [{id: a, label: A, keywords: [a]}, {id: b, label: [Kari], keywords: [b]}]\n",
     "theme #2 (b): 'label' must be text, got a list"),
])
def test_yaml_lists_where_text_is_expected_are_refused(text, message):
    with pytest.raises(CodebookError) as exc:
        Codebook.from_yaml(text)
    assert str(exc.value).startswith(message) and "Kari" not in str(exc.value)


@pytest.mark.parametrize("field, value", [("description", math.nan), ("label", math.nan), ("id", math.nan),
                                          ("parent", math.nan), ("replaces", math.nan), ("examples", pd.NA),
                                          ("keywords", math.nan), ("description", math.inf)])
def test_nan_from_pandas_is_refused_naming_theme_and_field(field, value):
    """As YAML's ``.nan`` is refused, not kept as the text 'nan' (a theme described as «nan»)."""
    with pytest.raises(CodebookError) as exc:
        Codebook.from_dict(_with(**{field: value}))
    assert str(exc.value).startswith("theme #2") and f"'{field}'" in str(exc.value)
    assert "not text" in str(exc.value) and "None" in str(exc.value)


def test_nan_in_a_list_and_at_the_top_is_refused():
    with pytest.raises(CodebookError, match=r"theme #2 \(annet\): 'keywords' item 2: NaN"):
        Codebook.from_dict(_with(keywords=["annet", math.nan]))
    with pytest.raises(CodebookError, match=r"^'description': NaN"):
        Codebook.from_dict(_with({"description": float("nan")}))


def test_nan_is_refused_by_yaml_and_from_dict_alike():
    text = "name: toy\nthemes: [{id: a, label: A, keywords: [a]}, {id: b, label: B, description: .nan, keywords: [b]}]\n"
    with pytest.raises(CodebookError, match=r"^theme #2: 'description': .*not a number.*not as text"):
        Codebook.from_yaml(text)
    with pytest.raises(CodebookError, match=r"^theme #2 \(annet\): 'description': NaN \(not a number.*not text"):
        Codebook.from_dict(_with(description=math.nan))
    assert Codebook.from_dict(_with(description=None)).themes[1].description == ""  # None: no description
