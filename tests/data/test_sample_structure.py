"""Committed sample waves: column contract, codes, weights, routing and calibrated marginals."""

from __future__ import annotations

import numpy as np
import pytest


CONTRACT_COLUMNS = [
    "respondent_id", "wave", "sektor", "ansatte", "naering", "fylke", "vekt",
    "q_helhet", "q_tillit", "q_telefon", "q_svartid", "q_forstaelse", "q_regelverk", "q_sykefravaer",
    "q_digital", "q_samhandling",
    "tj_sykefravaer", "tj_rekruttering", "tj_tiltak", "tj_permittering", "tj_ingen",
    "fritekst_sykefravaer", "fritekst_generell",
]
LIKERT = [c for c in CONTRACT_COLUMNS if c.startswith("q_")]
SERVICES = ["tj_sykefravaer", "tj_rekruttering", "tj_tiltak", "tj_permittering"]
COUNTIES_2024 = {
    "Oslo", "Rogaland", "Møre og Romsdal", "Nordland", "Østfold", "Akershus", "Buskerud", "Innlandet",
    "Vestfold", "Telemark", "Agder", "Vestland", "Trøndelag", "Troms", "Finnmark",
}


def positive_share(values) -> float:
    v = values.dropna()
    v = v[(v >= 1) & (v <= 6)]
    return float((v >= 4).mean())


@pytest.mark.parametrize("year", [2022, 2023])
def test_columns_and_codes_follow_the_contract(waves, year):
    s = waves[year]["survey"]
    assert list(s.columns) == CONTRACT_COLUMNS
    assert 2800 <= len(s) <= 3300
    assert s["respondent_id"].is_unique
    assert s["respondent_id"].str.fullmatch(rf"AG{year}-\d{{5}}").all()
    assert (s["wave"] == str(year)).all()
    assert set(s["sektor"]) == {"Privat", "Offentlig"}
    assert set(s["ansatte"]) == {"1", "2-9", "10-49", "50-199", "200+"}
    assert set(s["fylke"]) == COUNTIES_2024
    assert 8 <= s["naering"].nunique() <= 12
    for col in LIKERT:
        codes = set(s[col].dropna().astype(int))
        assert codes <= set(range(1, 9)), col
        assert {1, 6} <= codes, col
    assert (s[LIKERT] == 7).to_numpy().any(), "some 'vet ikke'"
    assert (s[LIKERT] == 8).to_numpy().any(), "some 'ikke benyttet'"
    assert s[LIKERT].isna().to_numpy().any(), "some items left blank"


@pytest.mark.parametrize("year", [2022, 2023])
def test_weights_are_post_stratification_by_county(waves, year):
    s = waves[year]["survey"]
    assert (s["vekt"] > 0).all()
    assert abs(s["vekt"].mean() - 1) < 0.005
    # one weight per county, and counties over-represented in the sample are weighted down
    per_county = s.groupby("fylke")["vekt"].nunique()
    assert (per_county == 1).all()
    assert s["vekt"].std() > 0.05


@pytest.mark.parametrize("year", [2022, 2023])
def test_tj_ingen_is_exclusive(waves, year):
    s = waves[year]["survey"]
    any_service = (s[SERVICES] == 1).any(axis=1)
    assert ((s["tj_ingen"] == 1) != any_service).all()
    assert s["tj_ingen"].sum() > 0


@pytest.mark.parametrize("year", [2022, 2023])
def test_routing_and_answer_rates(waves, year):
    s = waves[year]["survey"]
    asked = s["q_sykefravaer"].isin([1, 2, 3])
    answered_syk = s["fritekst_sykefravaer"] != ""
    assert not (answered_syk & ~asked).any(), "fritekst_sykefravaer outside q_sykefravaer 1-3"
    rate_syk = answered_syk.sum() / asked.sum()
    assert 0.10 <= rate_syk <= 0.30
    rate_gen = (s["fritekst_generell"] != "").mean()
    assert 0.14 <= rate_gen <= 0.21


def test_calibrated_marginals(waves):
    s22, s23 = waves[2022]["survey"], waves[2023]["survey"]
    assert 0.83 <= positive_share(s22["q_helhet"]) <= 0.87
    assert 0.84 <= positive_share(s23["q_helhet"]) <= 0.88
    for s in (s22, s23):
        assert 0.43 <= positive_share(s["q_telefon"]) <= 0.51
        priv = positive_share(s.loc[s["sektor"] == "Privat", "q_telefon"])
        publ = positive_share(s.loc[s["sektor"] == "Offentlig", "q_telefon"])
        assert priv < publ - 0.03, (priv, publ)
        assert 0.62 <= (s["sektor"] == "Privat").mean() <= 0.71


def test_items_correlate_through_latent_satisfaction(waves):
    s = waves[2022]["survey"]
    valid = s[LIKERT].where((s[LIKERT] >= 1) & (s[LIKERT] <= 6)).astype(float)
    corr = valid.corr().to_numpy()
    off_diag = corr[~np.eye(len(LIKERT), dtype=bool)]
    assert off_diag.min() > 0.1
    assert valid.corr().loc["q_helhet", "q_forstaelse"] > 0.4
