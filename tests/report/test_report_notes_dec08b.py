"""Report notes (dec08b): a segment level hidden only to protect a small «(uoppgitt)» group and a failed logit are
told in Norwegian (bokmål and nynorsk) in the published workbook, not by the tool's English run warnings, which
stay for the analyst (JSON, terminal); a segment chart's very long panel titles stay inside a short figure."""

from __future__ import annotations

import copy
import json
import warnings

import openpyxl
import pandas as pd
import pytest

from textmine.report import charts as ch
from textmine.report.excel import write_workbook
from textmine.report.html import analyst_warnings, reader_notes, render_html
from textmine.report.views import report_from_summary
from textmine.report.writer import report_to_dict
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

from .test_report_method_notes import mixed  # noqa: F401 - the fixture: a question whose logit failed
from .test_tables_labels_dec08b import LONG, _problems

N = 40


def _metode(r, tmp_path) -> dict[str, str]:
    path = write_workbook(r, tmp_path / "r.xlsx", row_level=False)
    return {row[0]: row[1] for row in openpyxl.load_workbook(path)["Metode"].iter_rows(values_only=True)}


@pytest.fixture(scope="module")
def hidden_case():
    """«Offentlig virksomhet» hidden in 2024 only so that three stray sector values («(uoppgitt)», under min_cell)
    cannot be worked out from the total (as tests/stats/test_segment_aliases.py)."""
    survey = SurveyDefinition.from_dict({
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 5,
        "segments": [{"column": "sektor", "label": "Sektor",
                      "levels": {"Privat": "Privat virksomhet", "Offentlig": "Offentlig virksomhet"}}],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}], "allow_unknown_columns": True})
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(N)], "wave": 2024,
                       "sektor": ["Privat" if i % 2 else "Offentlig" for i in range(N)],
                       "q": [(i % 6) + 1 for i in range(N)]})
    df.loc[[0, 2, 4], "sektor"] = "Frivillig"
    summary = build_summary({2024: df}, survey, quotes=False, drivers=False)
    assert any("hidden only to protect" in w for w in summary.warnings)
    return summary, survey


@pytest.mark.parametrize(("language", "note"), [
    ("nb", "I 2024 er gruppen «Offentlig virksomhet» for «Sektor» skjult bare for at tallene for dem uten oppgitt "
           "verdi («(uoppgitt)», færre enn 5 svar) ikke skal kunne regnes ut fra totalen."),
    ("nn", "I 2024 er gruppa «Offentlig virksomhet» for «Sektor» skjult berre for at tala for dei utan oppgitt "
           "verdi («(uoppgitt)», færre enn 5 svar) ikkje skal kunne reknast ut frå totalen."),
])
def test_a_level_hidden_for_the_uoppgitt_group_is_a_norwegian_note(hidden_case, language, note, tmp_path):
    r = report_from_summary(*hidden_case, language=language)
    assert note in reader_notes(r, language)
    merknader = _metode(r, tmp_path)["Merknader"]
    assert note in merknader and "hidden only to protect" not in merknader and "min_cell" not in merknader
    assert "hidden only to protect" not in analyst_warnings(r)
    # the analyst keeps the English warning (JSON); the stray value itself is never named
    assert "hidden only to protect" in json.dumps(report_to_dict(r), ensure_ascii=False)
    assert "Frivillig" not in merknader


def test_hidden_levels_the_report_does_not_name_are_counted():
    r = report_from_summary(*_free_case())
    notes = [n for n in reader_notes(r) if "uoppgitt" in n]
    assert notes == ["I 2024 er 2 grupper for «Sektor» skjult bare for at tallene for dem uten oppgitt verdi "
                     "(«(uoppgitt)», færre enn 5 svar) ikke skal kunne regnes ut fra totalen."]
    assert "hidden only to protect" not in analyst_warnings(r) and "Nordmann" not in " ".join(reader_notes(r))


def test_a_wave_label_with_a_space_is_the_notes_wave_whole():
    # as the SPSS note's twin pattern: «høst 2024» was read as «2024», leaving «høst» in the analyst warnings
    s, survey = _free_case()
    s.warnings[-1] = "høst " + s.warnings[-1]
    r = report_from_summary(s, survey)
    assert [n for n in reader_notes(r) if "uoppgitt" in n][0].startswith("I høst 2024 er 2 grupper")
    assert "høst" not in analyst_warnings(r)


def _free_case():
    """A warning naming two levels the report does not show by those names (a neutral label, say)."""
    survey = SurveyDefinition.from_dict({
        "name": "t", "id": "rid", "wave": "wave", "min_cell": 5, "segments": [{"column": "sektor", "label": "Sektor"}],
        "indicators": [{"id": "fornoyd", "column": "q", "scale": [1, 6]}], "allow_unknown_columns": True})
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(N)], "wave": 2024, "sektor": "A", "q": 3})
    s = build_summary({2024: df}, survey, quotes=False, drivers=False)
    s.warnings.append("2024: segment sektor: 2 level(s) (Kari Nordmann AS, Ola) hidden only to protect the "
                      "respondents without a declared value «(uoppgitt)» (fewer than min_cell = 5); declare their "
                      "value(s) as a level or an `aliases` spelling, or recode them, to show the level(s)")
    return s, survey


def test_a_failed_logit_is_told_by_the_norwegian_drivers_note_not_in_english(mixed, tmp_path):  # noqa: F811
    r, q1, _ = mixed
    wave = r.current_wave
    r.method["drivers"] = "Justert effekt: (the views' text, before the report says the model)"
    r.method["warnings"] += (f"; drivers fritekst_annet 1999: logistic model failed (RuntimeError); linear "
                             f"probability model used; drivers {q1} {wave}: logistic model failed (perfect separation: "
                             f"all 6 commenters with theme a have outcome positive; all 5 commenters with control b "
                             f"have outcome not positive); linear probability model used")
    rows = _metode(r, tmp_path)
    assert "logit-modellen kunne ikke tilpasses disse svarene" in rows["Justert effekt (drivere)"]
    rest = analyst_warnings(r)
    # the question whose linear model the note explains: gone, whole (its «; » inside the brackets too)
    assert f"drivers fritekst_annet {wave}: logistic model failed" not in rest
    assert f"drivers fritekst_annet {wave}" not in rows["Merknader"]
    # another wave's, and a question whose adjusted effects are still a logit's (no note says it): kept
    assert "drivers fritekst_annet 1999: logistic model failed (RuntimeError)" in rest
    assert (f"drivers {q1} {wave}: logistic model failed (perfect separation: all 6 commenters with theme a have "
            "outcome positive; all 5 commenters with control b have outcome not positive); linear probability model "
            "used") in rest
    assert not rest.startswith(";") and "; ;" not in rest
    assert "logistic model failed" not in render_html(r, charts={})


def test_a_failed_logit_in_a_nynorsk_workbook(mixed, tmp_path):  # noqa: F811
    r, _, _ = mixed
    r = copy.deepcopy(r)
    r.language = "nn"
    rows = _metode(r, tmp_path)
    assert "logit-modellen kunne ikkje" in rows["Justert effekt (drivarar)"]
    assert "logistic model failed" not in rows["Merknader"]


def _bars(segments, labels, title="Temaer etter sektor"):
    rows = pd.DataFrame([{"segment": s, "label": lab, "share": 0.4, "ci_low": 0.3, "ci_high": 0.5, "suppressed": False}
                         for s in segments for lab in labels])
    return ch.segment_bars(rows, name="e", title=title, theme_order=labels)


@pytest.mark.parametrize(("segments", "labels", "title"), [
    (["Privat"], [f"{LONG} og {LONG}", LONG, "Ros"], "Temaer etter sektor"),
    (["Privat", "Offentlig"], ["Ros", f"{LONG} og {LONG}"], f"Temaer etter sektor: {LONG}"),
    (["Privat", "Offentlig", "Frivillig"], [f"{LONG} og {LONG}", "Ros", "Ris"], f"Temaer: {LONG}"),
])
def test_long_panel_titles_stay_inside_a_short_segment_chart(segments, labels, title, monkeypatch):
    kept = []
    monkeypatch.setattr(ch.plt, "close", lambda fig=None: kept.append(fig))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # «Tight layout not applied»: no room for the panel titles
        _bars(segments, labels, title)
    fig = kept[-1]
    assert _problems(fig) == []
    fig.set_dpi(144)  # as the PNG is drawn
    assert _problems(fig) == []
    monkeypatch.undo()
    ch.plt.close(fig)


def test_an_ordinary_segment_chart_keeps_its_height(monkeypatch):
    kept = []
    monkeypatch.setattr(ch.plt, "close", lambda fig=None: kept.append(fig))
    _bars(["Privat", "Offentlig"], ["Ventetid på telefon", "Saksbehandlingstid og oppfølging fra NAV-kontoret"])
    assert kept[-1].get_size_inches()[1] == pytest.approx(ch._height(2) + 0.8)
    monkeypatch.undo()
    ch.plt.close(kept[-1])
