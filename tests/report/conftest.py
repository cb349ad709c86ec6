"""Shared fixtures: a small deterministic synthetic survey with coded comments (no model needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

THEMES = ["telefon", "saksbehandlingstid", "refusjon", "digitale_tjenester", "ros", "annet"]
LABELS = {"telefon": "Telefon og tilgjengelighet", "saksbehandlingstid": "Svar- og saksbehandlingstid",
          "refusjon": "Refusjon av sykepenger", "digitale_tjenester": "Digitale tjenester", "ros": "Ros",
          "annet": "Annet"}
TEXTS = {
    "telefon": "Det er altfor lang ventetid på telefon, vi kommer aldri gjennom til noen hos NAV før lunsj.",
    "saksbehandlingstid": "Saksbehandlingstiden er lang og vi må vente i mange uker på svar fra NAV om saken.",
    "refusjon": "Refusjon av sykepenger tar for lang tid og vi må forskuttere lønn i flere måneder nå.",
    "digitale_tjenester": "Min side for arbeidsgiver er tungvint og Altinn-skjemaene er vanskelige å finne frem i.",
    "ros": "Veldig fornøyd med oppfølgingen fra vår kontaktperson på det lokale kontoret, takk for hjelpen!",
    "annet": "Vi har ikke så mye å si om dette, det meste går greit for vår del synes jeg egentlig.",
}


def make_codebook() -> dict:
    return {"name": "test", "version": "2.1", "themes": [{"id": t, "label": LABELS[t], "description": "",
                                                          "keywords": [t]} for t in THEMES]}


def make_wave(wave: int, n: int, seed: int, telefon_rate: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"AG{wave}-{i:05d}" for i in range(n)]
    df = pd.DataFrame({
        "respondent_id": ids, "wave": wave,
        "sektor": rng.choice(["Privat", "Offentlig"], n, p=[0.65, 0.35]),
        "ansatte": rng.choice(["1", "2-9", "10-49", "50-199", "200+"], n),
        "naering": rng.choice(["Bygg", "Helse", "Handel"], n),
        "fylke": rng.choice(["Oslo", "Vestland", "Nordland"], n),
        "vekt": rng.uniform(0.6, 1.4, n),
    })
    for q in ["q_helhet", "q_telefon", "q_svartid", "q_sykefravaer", "q_digital"]:
        df[q] = rng.choice([1, 2, 3, 4, 5, 6, 7, 8], n, p=[.05, .05, .1, .2, .3, .2, .05, .05]).astype(float)
    df.loc[rng.random(n) < 0.05, "q_helhet"] = np.nan
    rows = []
    for i, rid in enumerate(ids):
        if rng.random() < 0.6:
            continue
        themes = [t for t in THEMES[:-1] if rng.random() < (telefon_rate if t == "telefon" else 0.2)] or ["annet"]
        text = " ".join(TEXTS[t] for t in themes) + f" (svar {i})"
        rows.append({"respondent_id": rid, "question": "fritekst_generell", "text_clean": text,
                     "is_non_answer": 0, "health_flag": int(rng.random() < 0.05),
                     "confidence": float(np.round(rng.uniform(0.4, 1.0), 3)), "type": "klage",
                     "needs_review": 0, **{f"theme_{t}": int(t in themes) for t in THEMES}})
    coded = pd.DataFrame(rows)
    coded["themes"] = coded[[f"theme_{t}" for t in THEMES]].apply(
        lambda r: ";".join(t for t in THEMES if r[f"theme_{t}"]), axis=1)
    return df, coded


@pytest.fixture(scope="session")
def synthetic():
    f22, c22 = make_wave(2022, 900, 1, telefon_rate=0.25)
    f23, c23 = make_wave(2023, 900, 2, telefon_rate=0.45)
    return {"frames": {"2022": f22, "2023": f23}, "coded": {"2022": c22, "2023": c23}, "codebook": make_codebook()}


SURVEY = {
    "name": "arbeidsgiver", "id": "respondent_id", "wave": "wave", "weight": "vekt", "min_cell": 10,
    "excluded_codes": {7: "Vet ikke", 8: "Ikke benyttet tjenesten"},
    "segments": [
        {"column": "sektor", "label": "Sektor", "levels": ["Privat", "Offentlig"], "format": "{} virksomhet"},
        {"column": "ansatte", "label": "Antall ansatte",
         "levels": {"1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte", "50-199": "50–199 ansatte",
                    "200+": "200+ ansatte"}},
        {"column": "naering", "label": "Næring", "attribution": False},
        {"column": "fylke", "label": "Fylke"},
    ],
    "indicators": [{"id": i, "column": f"q_{i}", "label": lab, "scale": [1, 6], **more} for i, lab, more in
                   (("helhet", "Fornøyd med NAV", {"overall": True}), ("telefon", "Telefon", {"themes": ["telefon"]}),
                    ("svartid", "Svartid", {"themes": ["saksbehandlingstid"]}),
                    ("sykefravaer", "Sykefravær", {}),
                    ("digital", "Digitalt", {"themes": ["digitale_tjenester"]}))],
    "free_text": [{"column": "fritekst_generell", "label": "Har du andre kommentarer til NAV?"}],
    "drivers": {"outcome": "helhet", "controls": ["sektor"]},
}


@pytest.fixture(scope="session")
def survey():
    from textmine.survey import SurveyDefinition

    return SurveyDefinition.from_dict(SURVEY)


@pytest.fixture(scope="session")
def summary(synthetic, survey):
    """The statistics module's summary of the synthetic waves: the one source of every report number."""
    from textmine.summary import build_summary

    frames = {int(k): v for k, v in synthetic["frames"].items()}
    coded = {int(k): v for k, v in synthetic["coded"].items()}
    return build_summary(frames, survey, coded, theme_labels=LABELS, embedder="fallback")


@pytest.fixture(scope="session")
def report_data(synthetic, summary, survey):
    from textmine.report import report_from_summary

    return report_from_summary(summary, survey, frames={int(k): v for k, v in synthetic["frames"].items()},
                               coded={int(k): v for k, v in synthetic["coded"].items()},
                               codebook=synthetic["codebook"])


@pytest.fixture(scope="session")
def piiscan():
    """The PII scanner helpers (tests/report/piiscan.py), loaded by path (pytest uses importlib mode)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("report_piiscan", Path(__file__).with_name("piiscan.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
