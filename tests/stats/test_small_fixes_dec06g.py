"""Small fixes (dec06g): invisible format characters (bidi controls, zero-width characters) refused in every
reader-facing text of a survey definition; a reversed scale such as [5, 1] gets its own message (not «gap»); and
a model trained for another codebook is refused with a hint that does not assume the CLI (the CLI's own rewrite
still fits what the user gave)."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pytest

from textmine.classify import ArtefactError, ZeroShotCoder
from textmine.classify.artefact import checked_codebook
from textmine.cli.stats import _coding_warning
from textmine.codebook import Codebook
from textmine.survey import SurveyDefinition, SurveyDefinitionError

BASE = {
    "name": "uu", "id": "rid", "description": "Brukerundersøkelse", "title": "Brukerundersøkelsen 2026",
    "excluded_codes": {9: "Vet ikke"},
    "segments": [{"column": "region", "label": "Region", "levels": {"1": "Oslo", "2": "Vestland"}}],
    "indicators": [{"id": "helhet", "column": "q1", "label": "Fornøyd?", "scale": [1, 5]}],
    "multiselect": [{"id": "tj", "label": "Tjenester", "options": {"tj_a": "Sykefravær", "tj_b": "Ingen"}}],
    "free_text": [{"column": "ft", "label": "Kommentarer?"}],
}


def _with(path: str, text: str) -> dict:
    """BASE with the text at ``path`` (the field paths of textmine.survey.definition_texts) replaced."""
    d = {k: (list(map(dict, v)) if isinstance(v, list) else v) for k, v in BASE.items()}
    if path in ("name", "description", "title"):
        d[path] = text
    elif path == "excluded_codes[0].label":
        d["excluded_codes"] = {9: text}
    elif path == "segments[0].label":
        d["segments"][0]["label"] = text
    elif path == "segments[0].levels[1].label":
        d["segments"][0]["levels"] = {"1": "Oslo", "2": text}
    elif path == "indicators[0].label":
        d["indicators"][0]["label"] = text
    elif path == "multiselect[0].label":
        d["multiselect"][0]["label"] = text
    elif path == "multiselect[0].options[1].label":
        d["multiselect"][0]["options"] = {"tj_a": "Sykefravær", "tj_b": text}
    elif path == "free_text[0].label":
        d["free_text"][0]["label"] = text
    else:
        raise AssertionError(path)
    return d


FIELDS = ["title", "name", "description", "excluded_codes[0].label", "segments[0].label",
          "segments[0].levels[1].label", "indicators[0].label", "multiselect[0].label",
          "multiselect[0].options[1].label", "free_text[0].label"]


def test_the_base_definition_loads():
    s = SurveyDefinition.from_dict(BASE, warn=False)
    assert s.title == "Brukerundersøkelsen 2026" and s.segments[0].display["2"] == "Vestland"


@pytest.mark.parametrize("path", FIELDS)
@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2069", "\U000e0001", "\U000e0041"])
def test_invisible_format_characters_are_refused_in_every_text(path, char):
    secret = f"Kari Nordmann{char}tto"
    with pytest.raises(SurveyDefinitionError) as exc:
        SurveyDefinition.from_dict(_with(path, secret), warn=False)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: contains an invisible control character U+{ord(char):04X}")
    assert "Kari" not in msg and char not in msg  # names the place and the character, never the text


def test_the_title_message_names_the_code_point_as_in_the_brief():
    with pytest.raises(SurveyDefinitionError, match=r"^title: contains an invisible control character U\+202E"):
        SurveyDefinition.from_dict(dict(BASE, title="Rapport \u202e6202"), warn=False)


def test_a_yaml_file_names_the_file_and_the_field(tmp_path):
    p = tmp_path / "survey.yaml"
    p.write_text("name: uu\nid: rid\nindicators:\n  - {id: a, column: q1, label: \"Forn\u202eøyd\"}\n",
                 encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=r"survey\.yaml: indicators\[0\]\.label: contains an invisible "
                                                    r"control character U\+202E"):
        SurveyDefinition.from_yaml(p)


@pytest.mark.parametrize("char", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c"])
def test_zero_width_characters_from_pasted_text_still_load(char):
    s = SurveyDefinition.from_dict(_with("indicators[0].label", f"Forn{char}øyd"), warn=False)
    assert s.indicators[0].label == f"Forn{char}øyd"  # reads the same; refused only where the order changes


def test_visible_text_and_a_soft_hyphen_still_load():
    s = SurveyDefinition.from_dict(_with("indicators[0].label", "Sykefraværs\u00adoppfølging – «bra»? (ÆØÅ)"),
                                   warn=False)
    assert s.indicators[0].label == "Sykefraværs\u00adoppfølging – «bra»? (ÆØÅ)"


# ---------------------------------------------------------------- a reversed scale
def _scale(scale, **kw):
    return {"name": "s", "id": "rid", "indicators": [dict({"id": "a", "column": "q1", "scale": scale}, **kw)]}


@pytest.mark.parametrize("scale, fixed", [([5, 1], "[1, 5]"), ([6, 1], "[1, 6]"), ([10, 0], "[0, 10]")])
@pytest.mark.parametrize("kw", [{}, {"measure": "topbox"}, {"measure": "bottom2"}, {"positive": [4, 5]}])
def test_a_reversed_scale_has_its_own_message(scale, fixed, kw):
    with pytest.raises(SurveyDefinitionError) as exc:
        SurveyDefinition.from_dict(_scale(scale, **kw), warn=False)
    msg = str(exc.value)
    assert msg.startswith(f"indicators[0] (a).scale: {scale} must be listed from the lowest to the highest code, "
                          f"e.g. {fixed}")
    assert "gap" not in msg


def test_a_real_gap_keeps_the_gap_message():
    with pytest.raises(SurveyDefinitionError, match=r"\[1, 2, 9\] have a gap"):
        SurveyDefinition.from_dict(_scale([1, 2, 9]), warn=False)
    with pytest.raises(SurveyDefinitionError, match=r"\[9, 1, 2\] have a gap"):  # (a list in any order: its codes)
        SurveyDefinition.from_dict(_scale([9, 1, 2]), warn=False)


def test_scales_that_loaded_still_load():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert SurveyDefinition.from_dict(_scale([1, 5])).indicators[0].positive == (4, 5)
        assert SurveyDefinition.from_dict(_scale([2, 1], positive=[1])).indicators[0].scale == (2, 1)
        assert SurveyDefinition.from_dict(_scale([5, 4, 3, 2, 1])).indicators[0].positive == (4, 5)


# ---------------------------------------------------------------- a model for another codebook
class _Embedder:
    name, version, dimension = "hash", "1", 32

    def encode(self, texts, *, batch_size=64, show_progress=False):
        out = np.full((len(texts), self.dimension), 0.05, dtype=np.float32)
        for i, t in enumerate(texts):
            for w in str(t).lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest()[:8], 16) % self.dimension] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


CB = {"name": "kantine", "version": "0.1", "themes": [
    {"id": "mat", "label": "Maten", "description": "Smak og kvalitet på maten.", "keywords": ["mat"]},
    {"id": "pris", "label": "Pris", "description": "Hva maten koster.", "keywords": ["pris"]}]}


@pytest.fixture()
def mismatch(tmp_path) -> str:
    ZeroShotCoder(Codebook.from_dict(CB), _Embedder()).save(tmp_path / "m")
    with pytest.raises(ArtefactError) as exc:
        checked_codebook(tmp_path / "m", Codebook.from_dict(dict(CB, version="0.2")))
    return str(exc.value)


def test_the_library_mismatch_message_does_not_assume_the_cli(mismatch):
    assert "trained for codebook 'kantine' v0.1" in mismatch
    assert "--model" not in mismatch and "textmine train" not in mismatch
    assert mismatch.endswith("retrain the model for this codebook, or code zero-shot.")


def test_the_cli_rewrite_fits_the_new_wording(mismatch):
    warned = f"{mismatch} — falling back to zero-shot coding"
    out = _coding_warning(warned, None)  # textmine summary / report without --model: the shipped model
    assert out.startswith("the shipped model ") and "trained for codebook 'kantine' v0.1" in out
    assert "coded zero-shot" in out and "give --model" in out and "retrain the model" not in out
    assert _coding_warning(warned, Path("m")) == warned  # --model given: the message as it is
