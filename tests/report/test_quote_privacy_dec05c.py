"""Row-level exports and quotes, second round (review R1, items 1, 2, 3, 4, 10): a value blanked in one wave is
blanked in every row of the same respondent id, county place names / old names / regions / demonyms and headcount
phrasings of a withheld value are masked, and the sample survey's næring aliases change no number."""

from pathlib import Path

import pandas as pd
import pytest

from textmine.quotes import SegmentMentions
from textmine.report.excel import export_rows
from textmine.report.views import report_from_summary
from textmine.rowdisclosure import blank_small_cells
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

from .test_quote_privacy_dec05b import TEXT_A, TEXT_B, _survey  # noqa: F401 (one tiny survey for both rounds)

ROOT = Path(__file__).resolve().parents[2]
T07 = "Vi ringer og ringer, men telefonen blir aldri besvart av noen."
T08 = "Telefontiden er altfor kort for oss som jobber skift."


def _wave(wave: int, combos7_8):
    """14 commenters (r01–r14) + 40 without a comment; r07 and r08 get ``combos7_8``: in 2023 (Østfold, P) and
    (Oslo, O), each alone among the commenters (fylke blanked); in 2022 common combinations (nothing blanked)."""
    combos = [("Oslo", "P")] * 6 + list(combos7_8) + [("Østfold", "O")] * 6
    combos += [c for c in (("Oslo", "P"), ("Østfold", "P"), ("Oslo", "O"), ("Østfold", "O")) for _ in range(10)]
    ids = [f"r{i:02d}" for i in range(1, len(combos) + 1)]
    texts = [TEXT_A] * 6 + [T07, T08] + [TEXT_B] * 6
    df = pd.DataFrame({"rid": ids, "wave": wave, "fylke": [c[0] for c in combos], "sektor": [c[1] for c in combos],
                       "naering": "Helse- og sosialtjenester", "q1": 4,
                       "ft": texts + [None] * (len(ids) - len(texts))})
    coded = pd.DataFrame({"respondent_id": ids[:14], "question": "ft", "text_clean": texts, "is_non_answer": 0,
                          "health_flag": 0, "language": "nb", "theme_telefon": 1})
    return df, coded


# ------------------------------------------------------------------ item 1: one respondent id, several waves
def test_value_blanked_in_one_wave_is_blanked_in_the_same_ids_rows_of_every_wave():
    xs = [f"x{i}" for i in range(20)]
    rows = pd.DataFrame({"respondent_id": ["a", "a", "b", None, None] + xs,
                         "wave": ["2022", "2023", "2023", "2022", "2023"] + ["2022"] * 10 + ["2023"] * 10,
                         "question": "ft", "text_clean": "Kommentar.", "is_non_answer": 0,
                         "fylke": ["Oslo", "Troms", "Finnmark", "Oslo", "Nordland"] + ["Oslo", "Vestland"] * 10})
    out = rows.copy()
    changed = blank_small_cells(out, ["fylke"], 3)
    # 2023: Troms has one commenter (a) → blanked; a's 2022 row (Oslo, common there) must not give it back
    assert out["fylke"].iloc[:3].isna().all() and changed[0] and changed[1]
    assert out["fylke"].iloc[5:].notna().all() and not changed[5:].any()  # other ids keep their value
    # rows without an id are linked to nothing: the 2022 one stays
    assert out["fylke"].iloc[3] == "Oslo" and pd.isna(out["fylke"].iloc[4])


def test_no_quote_attribution_shows_a_value_the_workbook_blanks_for_that_id_in_any_wave():
    survey = _survey()
    d22, c22 = _wave(2022, [("Østfold", "O"), ("Oslo", "P")])
    d23, c23 = _wave(2023, [("Østfold", "P"), ("Oslo", "O")])
    frames, coded = {2022: d22, 2023: d23}, {2022: c22, 2023: c23}
    s = build_summary(frames, survey, coded, embedder="fallback", n_quotes=6)
    rows, _ = export_rows(report_from_summary(s, survey, frames=frames, coded=coded))
    blanked = {c: set(rows.loc[rows[c].isna(), "respondent_id"]) for c in ("fylke", "sektor")}
    assert {"r07", "r08"} <= blanked["fylke"]
    r07 = rows[rows["respondent_id"] == "r07"]
    assert len(r07) == 2 and r07["fylke"].isna().all()  # blanked in 2023 → in its 2022 row too
    q = s.table("quotes")
    assert set(q.loc[q["respondent_id"].isin(["r07", "r08"]), "wave"]) == {2022, 2023}
    for _, x in q.iterrows():
        values = d22.set_index("rid").loc[x["respondent_id"]] if x["wave"] == 2022 else \
            d23.set_index("rid").loc[x["respondent_id"]]
        shown = [c for c in ("fylke", "sektor") if x["respondent_id"] not in blanked[c]]
        assert x["attribution"] == survey.attribution(values.to_dict(), shown), (x["wave"], x["respondent_id"])
    q22 = q[(q["wave"] == 2022) & (q["respondent_id"] == "r07")]
    assert q22["attribution"].tolist() == ["Offentlig virksomhet"]  # not «Østfold, …» as its 2022 row alone would


# ------------------------------------------------------------------ item 2: built-in county aliases
def _county_survey(levels, **seg) -> SurveyDefinition:
    return _survey(segments=[{"column": "fylke", "label": "Fylke", "levels": levels, **seg},
                             {"column": "sektor", "label": "Sektor", "levels": ["P", "O"]}])


COUNTIES = ["Oslo", "Akershus", "Østfold", "Buskerud", "Innlandet", "Vestfold", "Telemark", "Agder", "Rogaland",
            "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms", "Finnmark"]


@pytest.mark.parametrize("county, text, masked", [
    ("Finnmark", "Her i Hammerfest sitter vi i telefonkø.", "Her i [FYLKE] sitter vi i telefonkø."),
    ("Vestland", "Vi er en kommune i Bergen.", "Vi er en kommune i [FYLKE]."),
    ("Troms", "Vi i Troms og Finnmark får aldri svar.", "Vi i [FYLKE] får aldri svar."),
    ("Vestland", "Vi i Hordaland og andre vestlendinger venter.", "Vi i [FYLKE] og andre [FYLKE] venter."),
    ("Troms", "Kontoret i Tromsø er stengt.", "Kontoret i [FYLKE] er stengt."),
    ("Møre og Romsdal", "Vi på Sunnmøre, nær Ålesund.", "Vi på [FYLKE], nær [FYLKE]."),
    ("Trøndelag", "Trondheim-kontoret er trøndersk og tregt.", "[FYLKE]-kontoret er [FYLKE] og tregt."),
    ("Agder", "Her på Sørlandet er det tregt.", "Her på [FYLKE] er det tregt."),
    ("Innlandet", "Vi i gamle Hedmark", "Vi i gamle [FYLKE]"),
    ("Akershus", "Da vi var en del av Viken", "Da vi var en del av [FYLKE]"),
])
def test_withheld_county_is_masked_by_old_names_regions_towns_and_demonyms(county, text, masked):
    m = SegmentMentions(_county_survey(COUNTIES))
    assert m.named(text, {"fylke": county}, ["fylke"]) == ["fylke"]
    assert m.mask(text, {"fylke": county}, ["fylke"]) == masked


def test_another_countys_names_stay_and_non_county_segments_get_no_aliases():
    m = SegmentMentions(_county_survey(COUNTIES))
    assert m.named("Vi samarbeider med et firma i Bergen.", {"fylke": "Oslo"}, ["fylke"]) == []
    assert m.mask("Vi i Nordland og Tromsø", {"fylke": "Nordland"}, ["fylke"]) == "Vi i [FYLKE] og Tromsø"
    # merged counties of 2020–2023 as levels: their parts' aliases count
    old = SegmentMentions(_county_survey(["Oslo", "Viken", "Troms og Finnmark", "Vestland"]))
    assert old.mask("Her i Hammerfest og Tromsø", {"fylke": "Troms og Finnmark"}, ["fylke"]) == \
        "Her i [FYLKE] og [FYLKE]"
    assert old.mask("Vi i Drammen", {"fylke": "Viken"}, ["fylke"]) == "Vi i [FYLKE]"
    # a segment whose levels are not counties (one county-like name) gets none of the built-in aliases
    region = SegmentMentions(_county_survey(["Oslo", "Resten av landet"]))
    assert region.named("Vi i Bærum", {"fylke": "Oslo"}, ["fylke"]) == []


def test_county_alias_list_loads_with_merged_counties_expanded(tmp_path):
    from textmine.preprocess.wordlists import read_county_aliases

    table = read_county_aliases()
    assert {"Hammerfest", "Troms og Finnmark"} <= set(table["Finnmark"])
    assert {"Tromsø", "Hammerfest", "Troms", "Finnmark"} <= set(table["Troms og Finnmark"])
    assert {"Hordaland", "Bergen", "Vestlandet", "vestlendinger"} <= set(table["Vestland"])
    assert all(not a.startswith("=") for names in table.values() for a in names)
    (tmp_path / "county_aliases.tsv").write_text("Oslo\tKristiania\nOslo\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry 2"):
        read_county_aliases(tmp_path)
    assert read_county_aliases(tmp_path / "none") == {}


# ------------------------------------------------------------------ items 3 and 10: headcount phrasings
def _headcount_mentions() -> tuple[SegmentMentions, dict]:
    survey = _survey(segments=[{"column": "ansatte", "label": "Antall ansatte", "levels": {
        "1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte"}}])
    return SegmentMentions(survey), {"ansatte": "1"}


@pytest.mark.parametrize("text, masked", [
    ("Jeg har 1 ansatt.", "Jeg har [ANTALL] ansatt."),
    ("Jeg er eneste ansatt i firmaet.", "Jeg er [ANTALL] ansatt i firmaet."),
    ("Vi har én ansatt.", "Vi har [ANTALL] ansatt."),
    ("Vi har en ansatt.", "Vi har [ANTALL] ansatt."),
    ("Jeg driver alene som enmannsbedrift.", "Jeg driver [ANTALL] som [ANTALL]."),
    ("Eget enkeltmannsforetak her.", "Eget [ANTALL] her."),
    ("Vi er 1-2 ansatte.", "Vi er [ANTALL] ansatte."),
    ("Vi er fem til ti ansatte.", "Vi er [ANTALL] ansatte."),
    ("Vi har 12 stk ansatte.", "Vi har [ANTALL] stk ansatte."),
    ("Vi har 12ansatte.", "Vi har [ANTALL] ansatte."),
    ("Vi har tretten ansatte.", "Vi har [ANTALL] ansatte."),
    ("Vi har tjue tilsette.", "Vi har [ANTALL] tilsette."),
    ("Vi har 12 personer ansatt.", "Vi har [ANTALL] personer ansatt."),
    ("Vi er 12 mann i arbeid.", "Vi er [ANTALL] mann i arbeid."),
])
def test_withheld_headcount_is_masked_in_its_many_phrasings(text, masked):
    m, row = _headcount_mentions()
    assert m.named(text, row, ["ansatte"]) == ["ansatte"]
    assert m.mask(text, row, ["ansatte"]) == masked


def test_headcount_masking_leaves_other_numbers_and_one_man_alone():
    m, row = _headcount_mentions()
    for text in ("En mann ringte oss tilbake.", "Vi ventet 12 dager på svar.", "Vi er ikke alene om dette."):
        assert m.named(text, row, ["ansatte"]) == [], text
        assert m.mask(text, row, ["ansatte"]) == text


# ------------------------------------------------------------------ item 4: næring synonyms of the sample survey
def test_sample_survey_masks_industry_synonyms_of_the_writers_own_naering():
    survey = SurveyDefinition.from_yaml(ROOT / "data/sample/survey.yaml")
    m = SegmentMentions(survey)
    text = "Vi driver et lite hotell med restaurant, og telefonkøen hos NAV er helt umulig i høysesongen."
    own = {"naering": "Overnatting og servering"}
    assert m.named(text, own, ["naering"]) == ["naering"]
    assert m.mask(text, own, ["naering"]) == ("Vi driver et lite [BRANSJE] med [BRANSJE], og telefonkøen hos NAV er "
                                              "helt umulig i høysesongen.")
    assert m.mask("Vi driver reindrift og fiske.", {"naering": "Primærnæringer"}, ["naering"]) == \
        "Vi driver [BRANSJE] og [BRANSJE]."
    assert m.named(text, {"naering": "Industri"}, ["naering"]) == []  # another næring's word: not the writer's


def test_sample_survey_naering_aliases_change_no_value_and_no_summary_number():
    import yaml

    from textmine.pipeline import read_waves

    path = ROOT / "data/sample/survey.yaml"
    survey = SurveyDefinition.from_yaml(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    seg = next(s for s in raw["segments"] if s["column"] == "naering")
    assert seg.pop("aliases")
    plain = SurveyDefinition.from_dict(raw, base_dir=path.parent)
    files = sorted((ROOT / "data/sample").glob("arbeidsgiver_20*.csv"))
    frames = read_waves(files, survey)
    for wave, df in read_waves(files, plain).items():
        pd.testing.assert_frame_equal(frames[wave], df)
    levels = set(survey.segment("naering").aliases)
    for wave, df in frames.items():
        values = set(df["naering"].dropna())
        assert values <= levels, (wave, values - levels)  # only level names: the aliases map nothing
        masked, _ = survey.mask_free_segments(df)
        pd.testing.assert_series_equal(masked["naering"], plain.mask_free_segments(df)[0]["naering"])
    a = build_summary(frames, survey, quotes=False, drivers=False)
    b = build_summary(frames, plain, quotes=False, drivers=False)
    for name in ("indicators", "multiselect"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name))
    assert len(a.table("indicators")) and (a.table("indicators")["segment"] == "naering").any()
