"""Review dec07c of declared renames (``replaces``) and the zero-shot record: a catch-all renamed beside a new theme
is the untested catch-all (not a compared rename); a merge whose old wave did not code one of its old themes is
«ikke testbar» and nothing (warning, ``meta["renamed_themes"]``) says it was compared; a ``replaces`` naming no
theme of the other codebook is warned about; the zero-shot record says ``background`` only where the check runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from textmine import stats as st
from textmine.codebook import Codebook
from textmine.pipeline import coded_identity, zero_shot_settings
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 1,
          "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
          "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
          "free_text": [{"column": "ft"}]}
W = [1, 2, 1, 2, 1, 1.0]


def theme(tid: str, label: str, **more) -> dict:
    return {"id": tid, "label": label, "description": f"{label}.", **more}


def codebook(version: str, *themes: dict) -> Codebook:
    return Codebook.from_dict({"name": "nav", "version": version, "themes": list(themes)})


V10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("annet", "Annet"))
C23 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [1, 0, 1, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}


def wave(year: int, themes: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"{year}-{i}" for i in range(len(W))]
    frame = pd.DataFrame({"rid": ids, "aar": year, "sektor": list("PPPOOO"), "vekt": W, "q1": 3.0, "ft": "tekst"})
    coded = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": "tekst", "is_non_answer": 0,
                          **{f"theme_{t}": v for t, v in themes.items()}})
    return frame, coded


def summary(cbs: dict, c23: dict, c24: dict):
    (f1, k1), (f2, k2) = wave(2023, c23), wave(2024, c24)
    return build_summary({2023: f1, 2024: f2}, SurveyDefinition.from_dict(SURVEY), {2023: k1, 2024: k2},
                         codebooks=cbs, quotes=False, drivers=False)


def total(s, item: str) -> pd.Series:
    ch = s.tables["changes"]
    hit = ch[(ch["kind"] == "theme") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")
             & (ch["item"] == item)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_a_renamed_catch_all_beside_a_new_theme_is_not_compared():
    v11 = codebook("1.1", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("chat", "Chat"),
                   theme("ovrig", "Øvrig", replaces="annet"))
    c24 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [1, 0, 1, 1, 0, 0], "chat": [0, 0, 0, 0, 1, 0],
           "ovrig": [0, 0, 0, 0, 0, 1]}
    s = summary({2023: V10, 2024: v11}, C23, c24)
    row = total(s, "ovrig")
    assert row["verdict"] == st.VERDICT_UNTESTABLE and np.isnan(row["p_value"])
    assert row["share_prev"] == (1 + 1) / 8  # (both shares still shown: annet in 2023)
    [rec] = s.meta["catch_all_untested"]
    assert rec["themes"] == ["ovrig"] and rec["added"] == ["chat"] and "«Øvrig»" in rec["reason"]
    assert s.meta["renamed_themes"] == []  # (no note that it was compared)
    assert not any("compares it with" in w for w in s.warnings)
    assert any("catch-all theme ovrig" in w for w in s.warnings)


def test_a_renamed_catch_all_alone_is_still_compared():
    v11 = codebook("1.1", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"),
                   theme("ovrig", "Øvrig", replaces="annet"))
    c24 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [1, 0, 1, 1, 0, 0], "ovrig": [0, 0, 0, 0, 0, 1]}
    s = summary({2023: V10, 2024: v11}, C23, c24)
    assert total(s, "ovrig")["verdict"] != st.VERDICT_UNTESTABLE
    assert [r["theme"] for r in s.meta["renamed_themes"]] == ["ovrig"] and s.meta["catch_all_untested"] == []


V12 = codebook("1.2", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "Annet"))
C24 = {"kontakt": [1, 1, 1, 0, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}


def test_a_merge_whose_old_theme_was_not_coded_says_it_was_not_compared():
    for telefon in ({}, {"telefon": [np.nan] * 6}):  # no column / a column with no value
        c23 = {"kontaktperson": [1, 1, 0, 0, 0, 0], **telefon, "annet": [0, 0, 0, 0, 1, 1]}
        s = summary({2023: V10, 2024: V12}, c23, C24)
        assert total(s, "kontakt")["verdict"] == st.VERDICT_UNTESTABLE
        assert s.meta["renamed_themes"] == []
        assert not any("compares it with" in w for w in s.warnings)
        said = [w for w in s.warnings if "theme kontakt" in w and "no coding of telefon" in w]
        assert len(said) == 1 and st.VERDICT_UNTESTABLE in said[0]


def test_a_merge_with_every_old_theme_coded_keeps_its_record():
    s = summary({2023: V10, 2024: V12}, C23, C24)
    assert total(s, "kontakt")["verdict"] != st.VERDICT_UNTESTABLE
    assert [r["theme"] for r in s.meta["renamed_themes"]] == ["kontakt"]
    assert not any("no coding of" in w for w in s.warnings)


def test_replaces_naming_no_theme_of_the_other_codebook_is_warned():
    v11 = codebook("1.1", theme("fast_kontakt", "Fast kontakt", replaces="kontakt_person"), theme("telefon", "Telefon"),
                   theme("annet", "Annet"))
    c24 = {"fast_kontakt": [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}
    s = summary({2023: V10, 2024: v11}, C23, c24)
    said = [w for w in s.warnings if "kontakt_person" in w]
    assert len(said) == 1 and "typo" in said[0] and "fast_kontakt" in said[0]
    # a spelled-right one: no such warning
    ok = codebook("1.1", theme("fast_kontakt", "Fast kontakt", replaces="kontaktperson"), theme("telefon", "Telefon"),
                  theme("annet", "Annet"))
    assert not any("typo" in w for w in summary({2023: V10, 2024: ok}, C23, c24).warnings)


class _ZeroShot:
    kind = "zeroshot"

    def __init__(self, background: bool, codebook=None):
        self.background = background
        if codebook is not None:
            self.codebook = codebook


def _big_codebook(n: int) -> Codebook:
    return Codebook.from_dict({"name": "stor", "version": "1", "themes": [theme(f"t{i}", f"Tema {i}") for i in range(n)]})


def test_background_recorded_only_where_the_check_runs():
    from textmine.classify.zeroshot import ZeroShotCoder

    big, small = _big_codebook(ZeroShotCoder.BACKGROUND_MAX_THEMES), _big_codebook(3)
    assert zero_shot_settings(_ZeroShot(True, big)) == {"background": False}  # (it changes nothing there)
    assert zero_shot_settings(_ZeroShot(True, small)) == {"background": True}
    assert zero_shot_settings(_ZeroShot(False, small)) == {"background": False}
    # the record reads the coded codebook where the coder carries none: identical codings, one record
    rec_bg = json.loads(json.dumps(coded_identity(big, None, "ft", coder=_ZeroShot(True))))
    rec_plain = json.loads(json.dumps(coded_identity(big, None, "ft", coder=_ZeroShot(False))))
    assert rec_bg["zero_shot"] == rec_plain["zero_shot"] == {"background": False}
    assert coded_identity(small, None, "ft", coder=_ZeroShot(True))["zero_shot"] == {"background": True}
