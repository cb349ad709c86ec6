"""Fixtures for the statistics tests: the sample waves and coded frames built from the ground-truth labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.paths import SAMPLE_DIR
from textmine.survey import SurveyDefinition

THEME_IDS = [
    "telefon", "saksbehandlingstid", "refusjon", "sykefravaersoppfolging", "kontaktperson", "digitale_tjenester",
    "regelverk_sprak", "kompetanse", "samhandling", "ia_forebygging", "rekruttering", "tiltak", "lege_sykmelding",
    "permittering", "ros", "annet",
]
WAVES = (2022, 2023)


def _need_sample() -> None:
    for w in WAVES:
        for stem in ("arbeidsgiver", "labels", "pii"):
            if not (SAMPLE_DIR / f"{stem}_{w}.csv").exists():
                pytest.skip(f"sample file {stem}_{w}.csv not generated")


def coded_from_labels(labels: pd.DataFrame, pii: pd.DataFrame, *, health_every: int = 9) -> pd.DataFrame:
    """A coded frame as the coder would give it, from ground truth: themes → theme_<id> 0/1; ``text_clean``
    = the text with every planted PII value replaced by a placeholder (what the Cleaner guarantees);
    ``health_flag`` set on every ``health_every``-th substantive comment (deterministic)."""
    out = pd.DataFrame(
        {
            "respondent_id": labels["respondent_id"].astype(str),
            "question": labels["question"].astype(str),
            "text": labels["text"].fillna("").astype(str),
            "is_non_answer": labels["is_non_answer"].fillna(0).astype(int),
        }
    )
    clean = out["text"].copy()
    for (rid, q), grp in pii.groupby(["respondent_id", "question"]):
        m = (out["respondent_id"] == str(rid)) & (out["question"] == q)
        for v in sorted(grp["value"].astype(str), key=len, reverse=True):
            clean[m] = clean[m].str.replace(v, "[" + grp.loc[grp["value"] == v, "pii_type"].iloc[0].upper() + "]", regex=False)
    out["text_clean"] = clean
    themes = labels["themes"].fillna("").astype(str).str.split(";")
    for t in THEME_IDS:
        out[f"theme_{t}"] = themes.map(lambda xs, t=t: int(t in xs)).astype(int)
    substantive = np.flatnonzero(out["is_non_answer"].to_numpy() == 0)
    flag = np.zeros(len(out), dtype=int)
    flag[substantive[::health_every]] = 1
    out["health_flag"] = flag
    return out


@pytest.fixture(scope="session")
def sample_survey() -> SurveyDefinition:
    return SurveyDefinition.from_yaml(SAMPLE_DIR / "survey.yaml")


@pytest.fixture(scope="session")
def sample_data(sample_survey):
    """(frames, coded, labels, pii) for both sample waves."""
    _need_sample()
    from textmine.io import read_table

    frames, coded, labels, piis = {}, {}, {}, {}
    for w in WAVES:
        frames[w] = read_table(SAMPLE_DIR / f"arbeidsgiver_{w}.csv", survey=sample_survey)
        lab = pd.read_csv(SAMPLE_DIR / f"labels_{w}.csv", dtype={"respondent_id": str}, keep_default_na=False)
        lab["is_non_answer"] = pd.to_numeric(lab["is_non_answer"], errors="coerce").fillna(0).astype(int)
        pii = pd.read_csv(SAMPLE_DIR / f"pii_{w}.csv", dtype=str, keep_default_na=False)
        labels[w], piis[w] = lab, pii
        coded[w] = coded_from_labels(lab, pii)
    return frames, coded, labels, piis


@pytest.fixture(scope="session")
def sample_summary(sample_survey, sample_data):
    from textmine.summary import build_summary

    frames, coded, _, _ = sample_data
    return build_summary(frames, sample_survey, coded, embedder="fallback", theme_labels={t: t for t in THEME_IDS})


def tiny_definition(**overrides) -> SurveyDefinition:
    """Hand-sized definition: 2 segments, 2 indicators, one routed and one general question."""
    d = {
        "name": "tiny",
        "id": "rid",
        "wave": "wave",
        "weight": "w",
        "min_cell": 3,
        "excluded_codes": {7: "Vet ikke"},
        "segments": [
            {"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}},
            {"column": "fylke", "levels": ["Oslo", "Vestland"]},
        ],
        "indicators": [
            {"id": "helhet", "column": "q1", "scale": [1, 6]},
            {"id": "telefon", "column": "q2", "scale": [1, 6]},
        ],
        "free_text": [
            {"column": "ft_rutet", "asked_if": {"item": "telefon", "codes": [1, 2, 3]}},
            {"column": "ft_alle"},
        ],
        "drivers": {"outcome": "helhet", "controls": ["sektor"]},
    }
    d.update(overrides)
    return SurveyDefinition.from_dict(d)



@pytest.fixture
def make_tiny_definition():
    """Factory fixture around :func:`tiny_definition` (conftest helpers are not importable under importlib mode)."""
    return tiny_definition


@pytest.fixture
def make_coded():
    return coded_from_labels
