"""Ground-truth labels: completeness, valid ids, annet exclusivity, non-answers, correlation with ratings."""

from __future__ import annotations

import pytest

from textmine.paths import DEFAULT_CODEBOOK

THEME_IDS = [
    "telefon", "saksbehandlingstid", "refusjon", "sykefravaersoppfolging", "kontaktperson", "digitale_tjenester",
    "regelverk_sprak", "kompetanse", "samhandling", "ia_forebygging", "rekruttering", "tiltak",
    "lege_sykmelding", "permittering", "ros", "annet",
]
QUESTIONS = ["fritekst_sykefravaer", "fritekst_generell"]


@pytest.mark.parametrize("year", [2022, 2023])
def test_every_comment_has_exactly_one_label_row(waves, year):
    s, lab = waves[year]["survey"], waves[year]["labels"]
    answers = s.melt(id_vars="respondent_id", value_vars=QUESTIONS, var_name="question", value_name="text")
    answers = answers[answers["text"] != ""]
    key = ["respondent_id", "question"]
    assert not lab.duplicated(key).any()
    merged = answers.merge(lab, on=key, how="outer", suffixes=("_survey", "_label"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["text_survey"] == merged["text_label"]).all()


@pytest.mark.parametrize("year", [2022, 2023])
def test_theme_ids_types_and_annet_exclusive(waves, year):
    lab = waves[year]["labels"]
    answered = lab[lab["is_non_answer"] == 0]
    non = lab[lab["is_non_answer"] == 1]
    assert (non["themes"] == "").all() and (non["type"] == "").all()
    assert set(answered["type"]) == {"klage", "ønske", "ros"}
    theme_lists = answered["themes"].str.split(";")
    assert theme_lists.map(lambda ts: len(ts) > 0 and all(t in THEME_IDS for t in ts)).all()
    assert theme_lists.map(lambda ts: len(ts) == len(set(ts))).all()
    assert theme_lists.map(lambda ts: "annet" not in ts or ts == ["annet"]).all()
    used = {t for ts in theme_lists for t in ts}
    assert used == set(THEME_IDS)


def test_label_shares_are_realistic(waves):
    for year in waves:
        lab = waves[year]["labels"]
        assert 0.08 <= lab["is_non_answer"].mean() <= 0.12
        answered = lab[lab["is_non_answer"] == 0]
        multi = (answered["themes"].str.count(";") >= 1).mean()
        assert 0.25 <= multi <= 0.35
        types = answered["type"].value_counts(normalize=True)
        assert types.min() > 0.08


def test_non_answers_look_like_non_answers(waves):
    lab = waves[2022]["labels"]
    non = lab.loc[lab["is_non_answer"] == 1, "text"]
    assert non.str.split().str.len().max() <= 16
    assert non.str.lower().isin(["vet ikke", "-", "nei", "ok", "ingen kommentar"]).sum() >= 5


@pytest.mark.parametrize("year", [2022, 2023])
def test_phone_complaints_come_from_low_phone_ratings(waves, year):
    s, lab = waves[year]["survey"], waves[year]["labels"]
    m = lab.merge(s[["respondent_id", "q_telefon", "q_helhet"]], on="respondent_id")
    m = m[m["is_non_answer"] == 0]
    rated = m[(m["q_telefon"] >= 1) & (m["q_telefon"] <= 6)]
    tel = rated["themes"].str.split(";").map(lambda ts: "telefon" in ts)
    assert rated.loc[tel, "q_telefon"].mean() < rated.loc[~tel, "q_telefon"].mean() - 0.2
    helhet = m[(m["q_helhet"] >= 1) & (m["q_helhet"] <= 6)]
    assert helhet.loc[helhet["type"] == "ros", "q_helhet"].mean() > helhet.loc[
        helhet["type"] == "klage", "q_helhet"].mean() + 0.5


def test_sick_leave_question_is_about_sick_leave(waves):
    lab = waves[2023]["labels"]
    answered = lab[lab["is_non_answer"] == 0]
    share = answered.groupby("question")["themes"].apply(
        lambda t: t.str.contains("sykefravaersoppfolging|lege_sykmelding").mean())
    assert share["fritekst_sykefravaer"] > share["fritekst_generell"] + 0.15


def test_codebook_has_the_contract_themes():
    import yaml

    book = yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    assert book["name"] == "arbeidsgiver" and book["types"] == ["klage", "ønske", "ros"]
    assert [t["id"] for t in book["themes"]] == THEME_IDS
    for t in book["themes"]:
        assert t["label"] and 20 <= len(t["description"]) <= 400, t["id"]
        assert 8 <= len(t["keywords"]) <= 20, t["id"]
        assert len(t["examples"]) == 3, t["id"]
        assert bool(t.get("exclusive")) == (t["id"] == "annet")


def test_codebook_examples_are_not_generator_fragments(gen):
    import yaml

    book = yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    bank = gen.load_phrases()
    fragments = {f.text.lower() for th in bank.fragments.values() for fs in th.values() for f in fs}
    for t in book["themes"]:
        for ex in t["examples"]:
            assert ex.lower() not in fragments
            assert not any(ex.lower()[:40] in f for f in fragments), ex
