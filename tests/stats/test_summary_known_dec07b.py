"""``build_summary(..., themes=[...])``: a selection of themes to report is no codebook (dec 7). Only a codebook or
``theme_labels`` define the known theme ids; a selection must not make the coded frame's other ``theme_<id>``
columns «stray» (no warning about themes not in the codebook, nothing of theirs dropped)."""

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.summary import _codebook_theme_columns, _known_theme_ids, build_summary
from textmine.survey import SurveyDefinition

from .conftest import THEME_IDS

N = 90
STRAY_TEXT = "not in the codebook"


@pytest.fixture()
def setup(tmp_path):
    spec = {"name": "klient", "id": "respondent_id", "wave": "wave", "min_cell": 5,
            "segments": [{"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q_helhet", "label": "Fornøyd", "scale": [1, 6]}],
            "free_text": [{"column": "ft", "label": "Kommentar"}]}
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    sd = SurveyDefinition.from_yaml(p)
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"respondent_id": [f"r{i:03d}" for i in range(N)], "wave": 2024.0,
                       "sektor": (np.arange(N) % 2 + 1).astype(float),
                       "q_helhet": rng.integers(1, 7, N).astype(float), "ft": "Lang ventetid på telefon"})
    coded = pd.DataFrame({"respondent_id": df.respondent_id, "question": "ft", "text_clean": df.ft,
                          "is_non_answer": 0})
    for k, t in enumerate(THEME_IDS):
        coded[f"theme_{t}"] = ((np.arange(N) + k) % 4 == 0).astype(int)
    cb = Codebook.from_dict({"name": "kb", "version": "1", "themes": [
        {"id": t, "label": t.capitalize(), "description": f"Om {t}.", "keywords": [t]} for t in THEME_IDS]})
    return sd, df, coded, cb


def _stray(s):
    return [w for w in s.warnings if STRAY_TEXT in w]


def test_a_selection_without_a_codebook_makes_no_theme_stray(setup):
    sd, df, coded, _ = setup
    s = build_summary({2024: df}, sd, {2024: coded}, themes=["telefon"], quotes=False, drivers=False)
    assert _stray(s) == []
    assert s.meta["themes"] == ["telefon"]
    assert set(s.tables["themes"]["theme"]) == {"telefon"}


def test_the_selected_theme_reads_the_same_as_in_the_full_summary(setup):
    sd, df, coded, cb = setup
    full = build_summary({2024: df}, sd, {2024: coded}, quotes=False, drivers=False)
    one = build_summary({2024: df}, sd, {2024: coded}, themes=["telefon"], quotes=False, drivers=False,
                        codebooks={2024: cb})
    assert _stray(one) == [] and _stray(full) == []
    a = full.tables["themes"].query("theme == 'telefon'").reset_index(drop=True)
    b = one.tables["themes"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_a_stray_column_is_still_named_with_a_codebook_and_a_selection(setup):
    sd, df, coded, cb = setup
    coded = coded.assign(theme_ekstra=1)
    s = build_summary({2024: df}, sd, {2024: coded}, themes=["telefon"], quotes=False, drivers=False,
                      codebooks={2024: cb})
    stray = _stray(s)
    assert len(stray) == 1 and "1 theme_<id>/score_<id> column(s)" in stray[0] and "theme_ekstra" in stray[0]
    assert set(s.tables["themes"]["theme"]) == {"telefon"}


def test_known_ids_come_from_codebooks_and_labels_not_from_the_selection(setup):
    _, _, _, cb = setup
    assert _known_theme_ids(None, None, None, ["telefon"]) == set()
    assert _known_theme_ids(None, None, None, "telefon") == set()
    assert _known_theme_ids({2024: cb}, None, None, ["telefon"]) == set(THEME_IDS)
    # a selected theme the codebook lacks is still reported (as before); it adds itself, never removes others
    assert _known_theme_ids({2024: cb}, None, None, ["nytt"]) == set(THEME_IDS) | {"nytt"}
    assert _known_theme_ids(None, None, {"telefon": "Telefon", "ros": "Ros"}, ["telefon"]) == {"telefon", "ros"}
    assert _known_theme_ids(None, {2024: {"ft": cb}}, None, None) == set(THEME_IDS)


def test_with_nothing_known_every_column_but_personal_data_is_kept(setup):
    _, _, coded, _ = setup
    coded = coded.assign(theme_kari_nordmann_91234567=1)
    out, note = _codebook_theme_columns({2024: coded}, _known_theme_ids(None, None, None, ["telefon"]))
    assert [c for c in out[2024].columns if c.startswith("theme_")] == [f"theme_{t}" for t in THEME_IDS]
    assert note is not None and "1 theme_<id>/score_<id> column(s)" in note and "kari" not in note
