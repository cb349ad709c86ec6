"""A theme that continues an earlier codebook version's theme under a new id (``replaces``, dec07c): validated,
saved and hashed as the other fields; the summary compares its share with the old theme's (a merge: with the
respondents coded with any old theme, each once) in the same test and BH family, and notes it; a catch-all theme is
not compared when the other themes changed otherwise than by declared renames. Shares are computed by hand here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from textmine import stats as st
from textmine.classify.artefact import FORMAT, ArtefactError, checked_codebook
from textmine.codebook import Codebook, CodebookError, content_hash
from textmine.summary import _renamed_cells, blank_hidden_rows, build_summary
from textmine.survey import SurveyDefinition

SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 1,
          "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
          "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
          "free_text": [{"column": "ft"}]}


def theme(tid: str, label: str, **more) -> dict:
    return {"id": tid, "label": label, "description": f"{label}.", **more}


def codebook(version: str, *themes: dict) -> Codebook:
    return Codebook.from_dict({"name": "nav", "version": version, "themes": list(themes)})


V10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("annet", "Annet"))
V11 = codebook("1.1", theme("fast_kontakt", "Fast kontakt", description="Kontaktperson.", replaces="kontaktperson"),
               theme("telefon", "Telefon"), theme("annet", "Annet"))

# wave 2023 (coded with 1.0) and 2024: six commenters each; weights and theme columns as below
W23 = [1, 2, 1, 2, 1, 1.0]
W24 = [1, 1, 1, 1, 2, 2.0]
C23 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [1, 0, 1, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}
C24 = {"fast_kontakt": [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}


def wave(year: int, weights, themes: dict, sektor: str = "PPPOOO") -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"{year}-{i}" for i in range(len(weights))]
    frame = pd.DataFrame({"rid": ids, "aar": year, "sektor": list(sektor), "vekt": weights, "q1": 3.0, "ft": "tekst"})
    coded = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": "tekst", "is_non_answer": 0,
                          **{f"theme_{t}": v for t, v in themes.items()}})
    return frame, coded


def summary(cbs: dict, c23=C23, c24=C24, **kw):
    (f1, k1), (f2, k2) = wave(2023, W23, c23), wave(2024, W24, c24)
    return build_summary({2023: f1, 2024: f2}, SurveyDefinition.from_dict(SURVEY), {2023: k1, 2024: k2},
                         codebooks=cbs, quotes=False, drivers=False, **kw)


def total_rows(s) -> pd.DataFrame:
    ch = s.tables["changes"]
    return ch[(ch["kind"] == "theme") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")
              ].set_index("item")


def kish(w) -> float:
    w = np.asarray(w, dtype=float)
    return w.sum() ** 2 / (w ** 2).sum()


# ---------------------------------------------------------------------------------------------------- codebook
def test_replaces_reads_a_string_or_a_list_and_round_trips_with_its_hash():
    assert V11.theme("fast_kontakt").replaces == ("kontaktperson",)
    assert V11.replacements == {"fast_kontakt": ("kontaktperson",)}
    back = Codebook.from_yaml(V11.to_yaml())
    assert back.theme("fast_kontakt").replaces == ("kontaktperson",) and back.hash == V11.hash
    merged = codebook("1.2", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "A"))
    assert merged.theme("kontakt").replaces == ("kontaktperson", "telefon")
    # the field counts in the hash; a codebook without it hashes as before (no key written)
    plain = codebook("1.1", theme("fast_kontakt", "Fast kontakt", description="Kontaktperson."),
                     theme("telefon", "Telefon"), theme("annet", "Annet"))
    assert plain.hash != V11.hash and all("replaces" not in t for t in plain.to_dict()["themes"])
    assert plain.hash == content_hash(plain.to_dict())


@pytest.mark.parametrize("value, expected", [
    ("fast_kontakt", "cannot replace itself"),
    ("telefon", "'telefon' is still a theme of this codebook"),
    (["kontaktperson", "kontaktperson"], "'kontaktperson' is listed twice"),
    ("Kontakt Person", "is not a theme id"),
    ({"id": "kontaktperson"}, "must be a theme id or a list of theme ids"),
    ("kontaktperson, telefon", "must be a list"),
])
def test_invalid_replaces_is_refused_naming_theme_and_field(value, expected):
    with pytest.raises(CodebookError) as err:
        codebook("1.1", theme("fast_kontakt", "Fast kontakt", replaces=value), theme("telefon", "Telefon"))
    assert expected in str(err.value) and "fast_kontakt" in str(err.value) and "'replaces'" in str(err.value)


def test_an_old_theme_replaced_by_two_themes_is_refused():
    with pytest.raises(CodebookError, match=r"theme 'b': 'replaces': 'gammel' is also replaced by theme 'a'"):
        codebook("1.1", theme("a", "A", replaces="gammel"), theme("b", "B", replaces=["gammel"]))


def _model(folder, cb: Codebook):
    folder.mkdir()
    (folder / "codebook.yaml").write_text(cb.to_yaml(), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT, "codebook": {"hash": cb.hash}}))
    return folder


def test_a_model_trained_on_v10_refuses_v11_and_one_trained_on_v11_keeps_it(tmp_path):
    m10, m11 = _model(tmp_path / "m10", V10), _model(tmp_path / "m11", V11)
    with pytest.raises(ArtefactError, match=r"trained for codebook 'nav' v1\.0"):
        checked_codebook(m10, V11)
    assert checked_codebook(m10, V10)[1].hash == V10.hash
    assert checked_codebook(m11, V11)[1].theme("fast_kontakt").replaces == ("kontaktperson",)


# ---------------------------------------------------------------------------------------------------- summary
def test_a_renamed_theme_is_compared_with_the_old_themes_weighted_share():
    s = summary({2023: V10, 2024: V11})
    rows = total_rows(s)
    r = rows.loc["fast_kontakt"]
    share_prev = (1 + 2) / sum(W23)  # 2023: kontaktperson for the first two (weights 1, 2) of weight 8
    share = (1 + 1 + 1) / sum(W24)
    assert r["share_prev"] == pytest.approx(share_prev) and r["share"] == pytest.approx(share)
    assert r["n_eff_prev"] == pytest.approx(kish(W23)) and r["n_eff"] == pytest.approx(kish(W24))
    want = st.two_proportion_test(np.array([share_prev]), np.array([kish(W23)]), np.array([share]),
                                  np.array([kish(W24)]))
    assert r["p_value"] == pytest.approx(float(np.asarray(want["p_value"])[0]))
    assert r["verdict"] != st.VERDICT_UNTESTABLE
    assert "kontaktperson" not in rows.index  # the old id's row left the pair: it goes on as fast_kontakt
    # same BH family as the other themes: adjusted over fast_kontakt, telefon and annet together
    p = rows.loc[["fast_kontakt", "telefon", "annet"], "p_value"].to_numpy(float)
    assert rows.loc[["fast_kontakt", "telefon", "annet"], "p_adjusted"].to_numpy(float) == pytest.approx(
        st.bh_adjust(p))
    fam = [f for f in s.meta["bh_families"] if f["family"] == "theme / Totalt / ft / kommentatorer"]
    assert fam[0]["tests"] == 3
    assert rows.loc["annet", "verdict"] != st.VERDICT_UNTESTABLE  # only a declared rename: the catch-all compared
    assert s.meta["catch_all_untested"] == []
    rec = s.meta["renamed_themes"]
    assert [(r["theme"], r["replaces"], r["old_wave"], r["merge"], r["changed"]) for r in rec] == [
        ("fast_kontakt", ["kontaktperson"], 2023, False, [])]
    assert "«Fast kontakt» viderefører «Kontaktperson»" in rec[0]["note"] and "Også" not in rec[0]["note"]
    assert sum("continues kontaktperson" in w for w in s.warnings) == 1
    assert not any("not coded" in w for w in s.warnings)  # the rename explains the missing columns
    assert json.loads(s.to_json())["meta"]["renamed_themes"] == rec


def test_a_rename_whose_description_changed_is_compared_and_noted():
    v11 = codebook("1.1", theme("fast_kontakt", "Fast kontakt", description="Fast kontaktperson over tid.",
                                keywords=["fast"], replaces="kontaktperson"),
                   theme("telefon", "Telefon"), theme("annet", "Annet"))
    s = summary({2023: V10, 2024: v11})
    assert total_rows(s).loc["fast_kontakt", "p_value"] == pytest.approx(
        total_rows(summary({2023: V10, 2024: V11})).loc["fast_kontakt", "p_value"])
    rec = s.meta["renamed_themes"][0]
    assert rec["changed"] == ["description", "keywords"] and "beskrivelsen, nøkkelordene er endret" in rec["note"]
    assert s.meta["redefined_themes"] == []


def test_a_merge_compares_with_the_respondents_coded_with_either_old_theme_once():
    v12 = codebook("1.2", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "Annet"))
    c24 = {"kontakt": [1, 1, 0, 0, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}
    s = summary({2023: V10, 2024: v12}, c24=c24)
    r = total_rows(s).loc["kontakt"]
    # 2023: kontaktperson for 0, 1; telefon for 0, 2, 3 → respondents 0–3 once: weights 1 + 2 + 1 + 2 = 6 of 8
    assert r["share_prev"] == pytest.approx(6 / 8)
    assert r["share_prev"] != pytest.approx((1 + 2) / 8 + (1 + 1 + 2) / 8)  # not the sum of the two shares
    assert r["share"] == pytest.approx(2 / 8) and r["verdict"] != st.VERDICT_UNTESTABLE
    o = s.tables["changes"].query("item == 'kontakt' and segment == 'sektor' and value == 'O' and "
                                  "denominator == 'kommentatorer'").iloc[0]
    assert o["share_prev"] == pytest.approx(2 / 4)  # level O: respondent 3 (weight 2) of 3, 4, 5 (2 + 1 + 1)
    rec = s.meta["renamed_themes"][0]
    assert rec["merge"] and rec["replaces"] == ["kontaktperson", "telefon"]
    assert "slår sammen «Kontaktperson» og «Telefon»" in rec["note"] and "én gang" in rec["note"]
    assert total_rows(s).loc["annet", "verdict"] != st.VERDICT_UNTESTABLE  # declared: the catch-all compared


def test_compared_with_a_later_reference_wave_the_rename_goes_the_other_way():
    s = summary({2023: V10, 2024: V11}, compare_to=2024)
    r = total_rows(s).loc["fast_kontakt"]
    assert (r["wave_prev"], r["wave"]) == (2024, 2023)
    assert r["share_prev"] == pytest.approx(3 / 8) and r["share"] == pytest.approx(3 / 8)
    assert r["verdict"] != st.VERDICT_UNTESTABLE


def test_a_split_stays_untestable_and_so_does_the_catch_all():
    v11 = codebook("1.1", theme("kontakt_fast", "Fast kontakt"), theme("kontakt_ny", "Ny kontakt"),
                   theme("telefon", "Telefon"), theme("annet", "Annet"))
    c24 = {"kontakt_fast": [1, 1, 0, 0, 0, 0], "kontakt_ny": [0, 0, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0],
           "annet": [0, 0, 0, 0, 1, 1]}
    s = summary({2023: V10, 2024: v11}, c24=c24)
    rows = total_rows(s)
    assert (rows.loc[["kontakt_fast", "kontakt_ny"], "verdict"] == st.VERDICT_UNTESTABLE).all()
    a = rows.loc["annet"]
    assert a["verdict"] == st.VERDICT_UNTESTABLE and np.isnan(a["p_value"]) and np.isnan(a["p_adjusted"])
    assert a["share_prev"] == pytest.approx(2 / 8) and a["share"] == pytest.approx(4 / 8)  # both shares kept
    assert rows.loc["telefon", "verdict"] != st.VERDICT_UNTESTABLE
    fam = [f for f in s.meta["bh_families"] if f["family"] == "theme / Totalt / ft / kommentatorer"]
    assert fam[0]["tests"] == 1  # telefon only
    rec = s.meta["catch_all_untested"]
    assert [(r["themes"], r["added"], r["removed"]) for r in rec] == [
        (["annet"], ["kontakt_fast", "kontakt_ny"], ["kontaktperson"])]
    assert rec[0]["reason"].startswith("de andre temaene er endret mellom kodebok v1.0 og v1.1")
    assert sum("catch-all theme annet" in w and "de andre temaene" in w for w in s.warnings) == 1


def test_an_exclusive_theme_is_a_catch_all_too():
    def cb(version, other):
        return codebook(version, theme(other, other.title()), theme("telefon", "Telefon"),
                        theme("ingen_av_disse", "Ingen av disse", exclusive=True))
    c23 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [0, 0, 1, 1, 0, 0], "ingen_av_disse": [0, 0, 0, 0, 1, 1]}
    c24 = {"chat": [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0], "ingen_av_disse": [0, 0, 0, 0, 1, 1]}
    s = summary({2023: cb("1.0", "kontaktperson"), 2024: cb("1.1", "chat")}, c23=c23, c24=c24)
    rows = total_rows(s)
    assert rows.loc["ingen_av_disse", "verdict"] == st.VERDICT_UNTESTABLE
    assert rows.loc["telefon", "verdict"] != st.VERDICT_UNTESTABLE


def test_a_renamed_row_is_hidden_for_readers_where_the_old_theme_is(tmp_path):
    survey = {**SURVEY, "min_cell": 3}
    w = [1.0] * 12
    c23 = {"kontaktperson": [1, 1, 1, 1, 1, 0] + [1, 0, 0, 0, 0, 0], "annet": [0] * 5 + [1] + [0, 1, 1, 1, 1, 1]}
    c24 = {"fast_kontakt": [1, 1, 1, 0, 0, 0] * 2, "annet": [0, 0, 0, 1, 1, 1] * 2}
    v10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("annet", "Annet"))
    v11 = codebook("1.1", theme("fast_kontakt", "Fast kontakt", replaces="kontaktperson"), theme("annet", "Annet"))
    (f1, k1), (f2, k2) = wave(2023, w, c23, "PPPPPPOOOOOO"), wave(2024, w, c24, "PPPPPPOOOOOO")
    s = build_summary({2023: f1, 2024: f2}, SurveyDefinition.from_dict(survey), {2023: k1, 2024: k2},
                      codebooks={2023: v10, 2024: v11}, quotes=False, drivers=False)
    readers, _ = blank_hidden_rows(s)
    ch = readers.tables["changes"]
    p = ch[(ch["item"] == "fast_kontakt") & (ch["value"] == "P")]
    # 2023 level P: 5 of 6 commenters have kontaktperson — a complement of 1 (< min_cell 3): hidden, also renamed
    assert len(p) and p["suppressed"].astype(bool).all() and p["share_prev"].isna().all()
    themes = readers.tables["themes"]
    old = themes[(themes["wave"] == 2023) & (themes["theme"] == "kontaktperson") & (themes["value"] == "P")]
    assert len(old) and old["suppressed"].astype(bool).all()
    o = ch[(ch["item"] == "fast_kontakt") & (ch["value"] == "O")]
    assert o["suppressed"].astype(bool).all()  # level O too (secondary): the total minus O would give P back
    assert readers.tables["changes"].query("item == 'fast_kontakt' and segment == 'Totalt'")["share_prev"].notna().all()
    # a cell the readers' rules hide in the published table hides the change row of the theme that continues it
    hidden = old.assign(suppressed=True)
    got = _renamed_cells([("themes", hidden)], s.meta)
    assert len(got) == 2 and set(got[1][1]["theme"]) == {"fast_kontakt"} and set(got[1][1]["wave"]) == {2023}
    assert _renamed_cells([("themes", hidden)], {**s.meta, "renamed_themes": []}) == [("themes", hidden)]


def test_a_merge_whose_union_leaves_few_out_is_hidden_though_each_old_theme_is_shown():
    survey = {**SURVEY, "min_cell": 3}
    w = [1.0] * 12
    # level P: kontaktperson 0–2 and telefon 2–4 (3 of 6 each: shown), together 0–4: 5 of 6, a complement of 1
    c23 = {"kontaktperson": [1, 1, 1, 0, 0, 0] + [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 1, 1, 1, 0] + [0] * 6,
           "annet": [0, 0, 0, 0, 0, 1] + [0, 0, 0, 1, 1, 1]}
    c24 = {"kontakt": [1, 1, 1, 0, 0, 0] * 2, "annet": [0, 0, 0, 1, 1, 1] * 2}
    v10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("annet", "A"))
    v12 = codebook("1.2", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "A"))
    (f1, k1), (f2, k2) = wave(2023, w, c23, "PPPPPPOOOOOO"), wave(2024, w, c24, "PPPPPPOOOOOO")
    s = build_summary({2023: f1, 2024: f2}, SurveyDefinition.from_dict(survey), {2023: k1, 2024: k2},
                      codebooks={2023: v10, 2024: v12}, quotes=False, drivers=False)
    themes = blank_hidden_rows(s)[0].tables["themes"]
    parts = themes[(themes["wave"] == 2023) & themes["theme"].isin(["kontaktperson", "telefon"])
                   & (themes["value"] == "P")]
    assert len(parts) and not parts["suppressed"].astype(bool).any()
    ch = blank_hidden_rows(s)[0].tables["changes"]
    p = ch[(ch["item"] == "kontakt") & (ch["value"] == "P")]
    assert len(p) and p["suppressed"].astype(bool).all() and p["share_prev"].isna().all()
    total = ch[(ch["item"] == "kontakt") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")]
    assert total["share_prev"].iloc[0] == pytest.approx(8 / 12)  # 0–4 of P and 6–8 of O
