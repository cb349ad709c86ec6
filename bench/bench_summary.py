"""Benchmark: a full survey summary (10 segments × 20 themes × 12 indicators × 2 waves, 100k respondents).

``run(quick=False) -> list[dict]`` (keys area, case, metric, value, unit); as a script prints a table and
writes ``bench/out/summary.json``. Data are synthetic (random, seeded) and built in memory.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textmine.summary import build_summary  # noqa: E402
from textmine.survey import SurveyDefinition  # noqa: E402

N_SEGMENTS, N_THEMES, N_INDICATORS = 10, 20, 12
SEGMENT_LEVELS = [2, 5, 10, 15, 4, 6, 3, 8, 5, 7]


def make_definition(n_segments: int = N_SEGMENTS, n_indicators: int = N_INDICATORS) -> SurveyDefinition:
    """Survey definition for the synthetic benchmark data."""
    return SurveyDefinition.from_dict(
        {
            "name": "bench",
            "id": "respondent_id",
            "wave": "wave",
            "weight": "vekt",
            "segments": [{"column": f"seg{i}", "attribution": i < 3} for i in range(n_segments)],
            "indicators": [{"id": f"i{j}", "column": f"q{j}", "scale": [1, 6], "excluded": [7, 8]} for j in range(n_indicators)],
            "multiselect": [{"id": "tj", "options": ["tj_a", "tj_b", "tj_c", "tj_ingen"], "exclusive": ["tj_ingen"]}],
            "free_text": [
                {"column": "fritekst_rutet", "asked_if": {"item": "q1", "codes": [1, 2, 3]}},
                {"column": "fritekst_alle"},
            ],
            "drivers": {"outcome": "i0", "controls": ["seg0", "seg1"]},
        }
    )


def make_wave(n: int, wave: int, seed: int, *, n_segments: int = N_SEGMENTS, n_themes: int = N_THEMES,
              n_indicators: int = N_INDICATORS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random respondent table and coded comments for one wave (themes correlate with the outcome)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"respondent_id": [f"R{wave}-{i:06d}" for i in range(n)], "wave": wave})
    for i in range(n_segments):
        df[f"seg{i}"] = np.array([f"L{k}" for k in range(SEGMENT_LEVELS[i % len(SEGMENT_LEVELS)])])[
            rng.integers(0, SEGMENT_LEVELS[i % len(SEGMENT_LEVELS)], n)]
    df["vekt"] = np.round(rng.gamma(8, 1 / 8, n), 4)
    latent = rng.normal(0.3 if wave % 2 else 0.2, 1, n)
    for j in range(n_indicators):
        v = np.clip(np.round(3.8 + 1.2 * (0.7 * latent + 0.7 * rng.normal(size=n))), 1, 6)
        special = rng.random(n)
        v = np.where(special < 0.04, 7, np.where(special < 0.06, 8, v)).astype(float)
        v[special > 0.99] = np.nan
        df[f"q{j}"] = v
    for c in ("tj_a", "tj_b", "tj_c"):
        df[c] = (rng.random(n) < 0.3).astype(int)
    df["tj_ingen"] = ((df[["tj_a", "tj_b", "tj_c"]].sum(axis=1) == 0)).astype(int)
    coded = []
    for q, p in (("fritekst_rutet", 0.5), ("fritekst_alle", 0.35)):
        asked = np.isin(df["q1"], [1, 2, 3]) if q == "fritekst_rutet" else np.ones(n, bool)
        has = asked & (rng.random(n) < p)
        idx = np.flatnonzero(has)
        m = len(idx)
        c = pd.DataFrame({"respondent_id": df["respondent_id"].to_numpy()[idx], "question": q})
        words = np.array(["telefonkø", "saksbehandlingstid", "refusjon", "kontaktperson", "nav.no", "dialogmøte",
                          "lege", "tiltak", "rekruttering", "regelverk", "kompetanse", "samhandling"])
        c["text_clean"] = [f"Kommentar {k}: " + " ".join(words[rng.integers(0, len(words), 8)]) + " og mer tekst her."
                           for k in range(m)]
        c["is_non_answer"] = (rng.random(m) < 0.08).astype(int)
        c["health_flag"] = (rng.random(m) < 0.03).astype(int)
        lat = latent[idx]
        for t in range(n_themes):
            pr = 1 / (1 + np.exp(-(-2.2 - 0.4 * lat * (t % 3 - 1))))
            c[f"theme_t{t}"] = ((rng.random(m) < pr) & (c["is_non_answer"] == 0)).astype(int)
        coded.append(c)
    return df, pd.concat(coded, ignore_index=True)


def run(quick: bool = False) -> list[dict]:
    """Time build_summary on synthetic data; quick = 10k respondents (same shape)."""
    n = 10_000 if quick else 100_000
    survey = make_definition()
    t0 = time.perf_counter()
    data = {w: make_wave(n, w, seed=w) for w in (2022, 2023)}
    t_gen = time.perf_counter() - t0
    frames = {w: d[0] for w, d in data.items()}
    coded = {w: d[1] for w, d in data.items()}
    results = []
    case = f"{n} respondents × 2 waves, {N_SEGMENTS} segments, {N_THEMES} themes, {N_INDICATORS} indicators"
    c0, t0 = time.process_time(), time.perf_counter()
    build_summary(frames, survey, coded, quotes=False)
    t_core, c_core = time.perf_counter() - t0, time.process_time() - c0
    c0, t0 = time.process_time(), time.perf_counter()
    s_q = build_summary(frames, survey, coded, quotes=True, embedder="fallback")
    t_full, c_full = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    d = s_q.to_dict()
    json.dumps(d)
    t_json = time.perf_counter() - t0
    rows = sum(len(t) for t in s_q.tables.values())
    results += [
        {"area": "stats", "case": case, "metric": "generate_data_s", "value": round(t_gen, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "summary_no_quotes_s", "value": round(t_core, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "summary_no_quotes_cpu_s", "value": round(c_core, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "summary_with_quotes_s", "value": round(t_full, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "summary_with_quotes_cpu_s", "value": round(c_full, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "load_average_1min", "value": round(os.getloadavg()[0], 2), "unit": "procs"},
        {"area": "stats", "case": case, "metric": "to_dict_json_s", "value": round(t_json, 3), "unit": "s"},
        {"area": "stats", "case": case, "metric": "table_rows", "value": rows, "unit": "rows"},
        {"area": "stats", "case": case, "metric": "cpu_count", "value": os.cpu_count(), "unit": "cores"},
    ]
    return results



if __name__ == "__main__":
    from common import cli

    raise SystemExit(cli("summary", run))
