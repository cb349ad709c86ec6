"""A chain of renames across codebook versions (dec08a): v1.1's ``fast_kontakt`` replaced v1.0's ``kontaktperson``
and v1.2's ``kontakt`` replaces ``fast_kontakt``. A v1.2 wave compared with a v1.0 wave follows the chain through
the codebook of a wave coded with v1.1 in between (``compare_to``), or through a v1.2 ``replaces`` listing the
whole chain; with neither, the warning names the v1.0 theme neither present nor replaced."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine import stats as st
from textmine.codebook import Codebook
from textmine.summary import _chained_replacements, build_summary
from textmine.survey import SurveyDefinition

SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 1,
          "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
          "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
          "free_text": [{"column": "ft"}]}
W = [1, 1, 1, 1, 1, 1.0]


def theme(tid: str, label: str, **more) -> dict:
    return {"id": tid, "label": label, "description": f"{label}.", **more}


def codebook(version: str, *themes: dict) -> Codebook:
    return Codebook.from_dict({"name": "nav", "version": version, "themes": list(themes)})


V10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("annet", "Annet"))
V11 = codebook("1.1", theme("fast_kontakt", "Fast kontakt", description="Kontaktperson.",
                            replaces="kontaktperson"), theme("telefon", "Telefon"), theme("annet", "Annet"))
V12 = codebook("1.2", theme("kontakt", "Kontakt", description="Kontaktperson.", replaces="fast_kontakt"),
               theme("telefon", "Telefon"), theme("annet", "Annet"))
V12_LISTED = codebook("1.2", theme("kontakt", "Kontakt", description="Kontaktperson.",
                                   replaces=["fast_kontakt", "kontaktperson"]),
                      theme("telefon", "Telefon"), theme("annet", "Annet"))
CODES = {  # wave → theme columns (the old id's share in 2022: 2 of 6; the new id's in 2024: 4 of 6)
    2022: {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [0, 0, 1, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]},
    2023: {"fast_kontakt": [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]},
    2024: {"kontakt": [1, 1, 1, 1, 0, 0], "telefon": [0, 0, 0, 0, 1, 0], "annet": [0, 0, 0, 0, 0, 1]},
}


def wave(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"{year}-{i}" for i in range(len(W))]
    frame = pd.DataFrame({"rid": ids, "aar": year, "sektor": list("PPPOOO"), "vekt": W, "q1": 3.0, "ft": "tekst"})
    coded = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": "tekst", "is_non_answer": 0,
                          **{f"theme_{t}": v for t, v in CODES[year].items()}})
    return frame, coded


def summary(cbs: dict, **kw):
    waves = {y: wave(y) for y in cbs}
    return build_summary({y: f for y, (f, _) in waves.items()}, SurveyDefinition.from_dict(SURVEY),
                         {y: k for y, (_, k) in waves.items()}, codebooks=cbs, quotes=False, drivers=False, **kw)


def row(s, item: str, prev: int, cur: int) -> pd.Series:
    ch = s.tables["changes"]
    hit = ch[(ch["kind"] == "theme") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")
             & (ch["item"] == item) & (ch["wave_prev"] == prev) & (ch["wave"] == cur)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_a_chain_is_followed_through_the_codebook_of_a_wave_between():
    s = summary({2022: V10, 2023: V11, 2024: V12}, compare_to=2022)
    r = row(s, "kontakt", 2022, 2024)
    assert r["verdict"] != st.VERDICT_UNTESTABLE
    assert r["share_prev"] == pytest.approx(2 / 6) and r["share"] == pytest.approx(4 / 6)
    recs = [d for d in s.meta["renamed_themes"] if d["waves"] == [2022, 2024]]
    assert [(d["theme"], d["replaces"], d["merge"]) for d in recs] == [("kontakt", ["kontaktperson"], False)]
    assert not any("typo" in w or "finnes ikke" in w for w in s.warnings)


def test_a_replaces_listing_the_whole_chain_needs_no_wave_between():
    s = summary({2022: V10, 2024: V12_LISTED})
    r = row(s, "kontakt", 2022, 2024)
    assert r["verdict"] != st.VERDICT_UNTESTABLE and r["share_prev"] == pytest.approx(2 / 6)
    assert not any("typo" in w for w in s.warnings)


def test_a_chain_without_its_middle_version_names_the_theme_not_continued():
    s = summary({2022: V10, 2024: V12})
    assert row(s, "kontakt", 2022, 2024)["verdict"] == st.VERDICT_UNTESTABLE
    said = [w for w in s.warnings if "declares it continues fast_kontakt" in w]
    assert len(said) == 1
    assert "«kontaktperson finnes ikke i den nye kodeboken og er ikke nevnt i replaces»" in said[0]
    assert "replaces: [fast_kontakt, kontaktperson]" in said[0]  # how to say the chain
    assert "telefon finnes ikke" not in said[0]  # a theme the new codebook has is no candidate


def test_chained_replacements_follow_a_merge_on_the_way_and_stop_at_cycles():
    v11 = codebook("1.1", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "A"))
    assert _chained_replacements({"k2": ("kontakt",)}, [v11]) == {"k2": ("kontakt", "kontaktperson", "telefon")}
    assert _chained_replacements({"b": ("a",)}, []) == {"b": ("a",)}
    cyc = codebook("0.9", theme("a", "A", replaces="b"), theme("x", "X"))
    assert _chained_replacements({"b": ("a",)}, [cyc]) == {"b": ("a",)}  # never the theme itself


def test_codebook_compare_names_the_old_theme_the_chain_skips(tmp_path):
    from typer.testing import CliRunner

    from textmine.cli import app

    old, new = tmp_path / "v10.yaml", tmp_path / "v12.yaml"
    old.write_text(V10.to_yaml(), encoding="utf-8")
    new.write_text(V12.to_yaml(), encoding="utf-8")
    res = CliRunner().invoke(app, ["codebook", str(new), "--compare", str(old)], terminal_width=400)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "has no theme fast_kontakt (typo?)" in flat
    assert "«kontaktperson finnes ikke i den nye kodeboken og er ikke nevnt i replaces»" in flat, flat
    assert "replaces: [fast_kontakt, kontaktperson]" in flat
    new.write_text(V12_LISTED.to_yaml(), encoding="utf-8")  # the chain listed: a rename, nothing unknown
    flat = " ".join(CliRunner().invoke(app, ["codebook", str(new), "--compare", str(old)],
                                       terminal_width=400).output.split())
    assert "finnes ikke" not in flat and "continues kontaktperson" in flat
