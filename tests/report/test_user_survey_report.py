"""A user survey (not the employer survey): 1–5 scale, a segment of 8 declared levels, its own weight column.

The report takes its wording and labels from this survey definition (scale, positive codes, segment and weight
labels, value labels), draws a chart for the 8-level segment, prints readable method notes and keeps
``p_value`` = unadjusted p beside ``p_adjusted`` (BH) as the summary does."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from textmine.report import report_from_summary
from textmine.report.excel import write_workbook
from textmine.report.html import make_charts, render_html
from textmine.report.model import ReportData
from textmine.report.views import METHOD_NAMES
from textmine.report.writer import report_to_dict, write_report
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

FYLKER = {"03": "Oslo", "11": "Rogaland", "15": "Møre og Romsdal", "18": "Nordland", "31": "Østfold",
          "32": "Akershus", "33": "Buskerud", "46": "Vestland"}
YTELSER = {"dagpenger": "Dagpenger", "AAP": "Arbeidsavklaringspenger", "sykepenger": "Sykepenger"}
THEMES = ["ventetid", "veileder", "digitalt"]
SURVEY = {
    "name": "bruker", "id": "lopenr", "wave": "aargang", "weight": "vekt_final", "min_cell": 5,
    "excluded_codes": {9: "Vet ikke"},
    "segments": [{"column": "fylke", "label": "Fylke", "levels": FYLKER},
                 {"column": "ytelse", "label": "Ytelse", "levels": YTELSER}],
    "indicators": [{"id": "fornoyd", "column": "fornoyd_samlet", "label": "Fornøyd med NAV", "scale": [1, 5]}],
    "free_text": [{"column": "ft_andre", "label": "Har du andre kommentarer?"}],
}


def _wave(wave: int, n: int, seed: int, ventetid: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"B{wave}-{i:04d}" for i in range(n)]
    df = pd.DataFrame({"lopenr": ids, "aargang": wave, "fylke": rng.choice(list(FYLKER), n),
                       "ytelse": rng.choice(list(YTELSER), n), "vekt_final": rng.uniform(0.5, 1.5, n),
                       "fornoyd_samlet": rng.choice([1, 2, 3, 4, 5, 9], n).astype(float),
                       "ft_andre": [f"kommentar {i}" if i % 2 == 0 else "" for i in range(n)]})
    rows = []
    for i, rid in enumerate(ids):
        if i % 2:
            continue
        themes = [t for t in THEMES if rng.random() < (ventetid if t == "ventetid" else 0.3)] or ["digitalt"]
        rows.append({"respondent_id": rid, "question": "ft_andre", "text_clean": f"kommentar {i}",
                     "is_non_answer": 0, "confidence": 0.9, "type": "klage", "needs_review": 0,
                     "themes": ";".join(themes), **{f"theme_{t}": int(t in themes) for t in THEMES}})
    return df, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def user_report():
    survey = SurveyDefinition.from_dict(SURVEY)
    (f24, c24), (f25, c25) = _wave(2024, 480, 1, 0.2), _wave(2025, 480, 2, 0.5)
    frames, coded = {"2024": f24, "2025": f25}, {"2024": c24, "2025": c25}
    codebook = {"name": "bruker", "version": "1", "themes": [{"id": t, "label": t.capitalize()} for t in THEMES]}
    s = build_summary(frames, survey, coded, quotes=False, drivers=False)
    return s, report_from_summary(s, survey, frames=frames, coded=coded, codebook=codebook)


def _sheet(path, name):
    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


# finding 3 -----------------------------------------------------------------------------------------------------
def test_scale_wording_comes_from_the_survey_definition(user_report, tmp_path):
    _, r = user_report
    charts = make_charts(r, png=False)
    html = render_html(r, charts)
    assert "Andel positive (4–5) på hver indikator" in html
    assert charts["indikatorer"].title == "Andel positive (4–5), 2025"
    assert "(4–6)" not in html and "(1–6)" not in html
    header, _ = _sheet(write_workbook(r, tmp_path / "r.xlsx"), "Indikatorer")
    assert "Snitt (1–5)" in header and not any("1–6" in str(h) for h in header)
    assert "Andel positive (4–5)" in header  # as the HTML says it


def test_scale_wording_without_a_survey_definition_claims_no_scale():
    ind = pd.DataFrame({"wave": "2025", "indicator": "x", "label": "X", "segment_var": "Alle", "segment": "Alle",
                        "share": [0.5], "ci_low": [0.4], "ci_high": [0.6], "n": [50], "base": [100], "mean": [3.0],
                        "suppressed": [False]})
    r = ReportData(title="t", waves=["2025"], indicators=ind)
    assert "Andel positive på hver indikator" in render_html(r, charts={})
    assert make_charts(r, png=False)["indikatorer"].title == "Andel positive, 2025"


# finding 4 -----------------------------------------------------------------------------------------------------
def test_coded_answers_sheet_labels_the_declared_columns(user_report, tmp_path):
    _, r = user_report
    header, rows = _sheet(write_workbook(r, tmp_path / "r.xlsx"), "Kodede svar")
    assert {"Fylke", "Ytelse", "Vekt"} <= set(header)
    assert not {"fylke", "ytelse", "vekt_final"} & set(header)
    # (None: a value blanked because its combination of fylke × ytelse is under min_cell)
    assert {row[header.index("Ytelse")] for row in rows} - {None} == set(YTELSER.values())
    assert {row[header.index("Fylke")] for row in rows} - {None} == set(FYLKER.values())


def test_sav_has_variable_and_value_labels_from_the_survey_definition(user_report, tmp_path):
    _, r = user_report
    paths = write_report(r, tmp_path, formats=("sav",))
    df, meta = pyreadstat.read_sav(str(paths["sav"]))
    labels = meta.column_names_to_labels
    n_blank = int(df["vekt_final"].isna().sum())  # (a weight blanked by the small-cell rule says so in its label)
    weight = "Vekt" + (f" (blanket i {n_blank} rader: liten gruppe)" if n_blank else "")
    assert (labels["ytelse"], labels["fylke"], labels["vekt_final"]) == ("Ytelse", "Fylke", weight)
    assert meta.variable_value_labels["ytelse"] == {1.0: "Dagpenger", 2.0: "Arbeidsavklaringspenger",
                                                    3.0: "Sykepenger"}  # declared order, display text
    assert meta.variable_value_labels["fylke"] == {float(i + 1): v for i, v in enumerate(FYLKER.values())}
    assert pd.api.types.is_numeric_dtype(df["ytelse"])
    raw = r.coded["ytelse"].map({k: i + 1 for i, k in enumerate(YTELSER)})
    np.testing.assert_array_equal(df["ytelse"].to_numpy(), raw.to_numpy(float))


# finding 7 -----------------------------------------------------------------------------------------------------
def test_method_sheet_is_readable_norwegian(user_report, tmp_path):
    _, r = user_report
    _, rows = _sheet(write_workbook(r, tmp_path / "r.xlsx"), "Metode")
    notes = dict(rows)
    assert set(notes) <= set(METHOD_NAMES.values())  # no English keys (min_n, respondents, labels …)
    assert not any(c in str(v) for v in notes.values() for c in "{}'")  # no Python dict reprs
    assert notes["Respondenter"] == "2024: 480; 2025: 480"
    assert "2025 «Har du andre kommentarer?»: 240" in notes["Kommentarer (svar med innhold)"]
    html = render_html(r, charts={})
    assert "2024: 480; 2025: 480" in html and "{&#39;" not in html


# finding 9 -----------------------------------------------------------------------------------------------------
def test_segment_with_eight_levels_gets_a_chart(user_report):
    _, r = user_report
    charts = make_charts(r, png=False)
    chart = charts["temaer_ft_andre_fylke"]
    assert all(name in chart.alt for name in FYLKER.values())
    html = render_html(r, charts)
    block = html[html.index('data-segment="fylke"'):]
    block = block[:block.index("</details>")]
    assert chart.svg in block and "Ingen figur" not in block


def test_segment_with_too_many_levels_gets_a_note_instead_of_a_chart():
    levels = [f"Kommune {i:02d}" for i in range(25)]
    rows = [{"wave": "2025", "question": "q", "theme": "a", "label": "A", "segment_var": "Alle", "segment": "Alle",
             "count": 50, "base": 500, "share": 0.1, "ci_low": 0.08, "ci_high": 0.13, "suppressed": False,
             "asked": 500, "share_asked": 0.1, "respondents": 500, "share_all": 0.1}]
    rows += [{**rows[0], "segment_var": "kommune", "segment": s, "count": 2, "base": 20, "share": 0.1,
              "ci_low": 0.03, "ci_high": 0.3} for s in levels]
    r = ReportData(title="t", waves=["2025"], questions={"q": "Spørsmål?"}, segments={"kommune": "Kommune"},
                   themes=pd.DataFrame(rows))
    charts = make_charts(r, png=False)
    assert "temaer_q_kommune" not in charts and "temaer_q" in charts
    assert "Ingen figur: 25 grupper er for mange" in render_html(r, charts)


# finding 11 ----------------------------------------------------------------------------------------------------
def test_p_value_means_unadjusted_p_in_rapport_json(user_report, tmp_path):
    s, r = user_report
    src = s.table("changes")
    src = src[(src["segment"] == "Totalt") & (src["kind"] == "indicator")].iloc[0]
    out = json.loads(json.dumps(report_to_dict(r)))
    ch = next(c for c in out["changes"] if c["kind"] == "indikator")
    assert ch["p_value"] == pytest.approx(src["p_value"]) and ch["p_adjusted"] == pytest.approx(src["p_adjusted"])
    assert "p_unadjusted" not in ch
    ti = s.table("theme_indicators")
    ti = ti[(ti["wave"].astype(str) == "2025") & ~ti["suppressed"].astype(bool)].set_index(["question", "theme"])
    assert out["impact"]
    for imp in out["impact"]:
        assert "p_unadjusted" not in imp
        assert imp["p_value"] == pytest.approx(ti.loc[(imp["question"], imp["theme"]), "p_value"])
        assert imp["p_adjusted"] == pytest.approx(ti.loc[(imp["question"], imp["theme"]), "p_adjusted"])
    header, rows = _sheet(write_workbook(r, tmp_path / "r.xlsx"), "Endring")
    row = next(x for x in rows if x[header.index("Type")] == "indikator")
    assert row[header.index("p-verdi (ujustert)")] == pytest.approx(src["p_value"])
    assert row[header.index("p-verdi (BH-justert)")] == pytest.approx(src["p_adjusted"])


# segments in the row-level export; routed indicators ----------------------------------------------------------
def test_coded_view_masks_free_segments_and_leaves_out_undeclared_levels():
    from textmine.report.views import coded_view

    spec = {**SURVEY, "segments": [*SURVEY["segments"], {"column": "kontor", "label": "Kontor"}]}  # free values
    survey = SurveyDefinition.from_dict(spec)
    f24, c24 = _wave(2024, 40, 3, 0.2)
    f24["kontor"] = "NAV Grünerløkka"
    f24.loc[0, "ytelse"] = "per.olsen@gmail.com"  # a stray value in a declared-levels segment
    f24.loc[2, "kontor"] = "ring Kari Nordmann på 91234567"  # personal data typed into a free segment
    out = coded_view({"2024": f24}, {"2024": c24}, survey)
    text = out.astype(str).to_string()
    assert "per.olsen" not in text and "91234567" not in text and "Kari Nordmann" not in text
    row0 = out[out["respondent_id"] == "B2024-0000"].iloc[0]
    assert pd.isna(row0["ytelse"])
    assert (out["kontor"] == "NAV Grünerløkka").sum() == len(out) - 1  # the other cells kept as they were


def test_impact_view_leaves_out_indicators_constant_by_routing():
    from textmine.report.views import impact_view

    survey = SurveyDefinition.from_dict(SURVEY)
    f24, c24 = _wave(2024, 200, 4, 0.4)
    f24["fornoyd_samlet"] = np.where(f24["ft_andre"] != "", 1.0, f24["fornoyd_samlet"])  # commenters all at 1
    s = build_summary({"2024": f24}, survey, {"2024": c24}, quotes=False, drivers=False)
    t = s.table("theme_indicators")
    assert len(t) and not t["applicable"].astype(bool).any()  # 0 % vs 0 %: "ikke testbar"
    assert impact_view(s, survey, {}, "2024").empty
