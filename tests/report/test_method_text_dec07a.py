"""The report's Metode texts: the driver models named from the summary's structured ``meta.driver_methods``
(a question label with « for » in it is no separator), the old ``driver_method`` string only for older summaries;
the small-group note says both suppression rules with the configured minimum; a theme × indicator row with no test
(0 % vs 0 %) reaches the report's JSON and HTML as a blank p."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from textmine.report.views import method_lines, method_notes
from textmine.summary import _driver_methods
from textmine.survey import SurveyDefinition

LABEL = "Har du tilbakemeldinger for NAV?"


def _survey(min_cell: int = 10) -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "s", "id": "rid", "wave": "aar", "min_cell": min_cell,
        "segments": [{"column": "sektor", "label": "Sektor", "levels": {"1": "Privat", "2": "Offentlig"}}],
        "indicators": [{"id": "helhet", "column": "q1", "label": "Helhetsinntrykk", "scale": [1, 5],
                        "positive": [4, 5]}],
        "free_text": [{"column": "ft", "label": LABEL}, {"column": "ft2", "label": "Annet"}],
        "drivers": {"outcome": "helhet"}})


def _meta(methods: list[tuple], requested: str = "logit", *, old: bool = False) -> dict:
    """The meta :func:`textmine.summary._driver_methods` writes for fits (wave, question, method); ``old``: as a
    summary from before ``driver_methods`` (the string only)."""
    label = {"logit": "logit (gjennomsnittlig marginaleffekt, uvektet)", "linear": "lineær sannsynlighetsmodell, OLS, HC1"}
    d = pd.DataFrame([{"wave": w, "question": q, "method": label[m]} for w, q, m in methods])
    meta = _driver_methods(d if methods else None, requested)
    if old:
        meta = {"driver_method": meta["driver_method"]}
    return {**meta, "min_cell": 10}


def _drivers_text(meta: dict, survey=None) -> str:
    return method_notes(SimpleNamespace(meta=meta), survey or _survey(), None)["drivers"]


def test_a_linear_fallback_names_the_question_by_its_label_with_for_in_it():
    meta = _meta([(2022, "ft", "logit"), (2023, "ft", "linear"), (2023, "ft2", "logit")])
    text = _drivers_text(meta)
    assert text.startswith(f"Justert effekt: logit-modell (lineær sannsynlighetsmodell for «{LABEL}» 2023) for "
                           "«Helhetsinntrykk» blant dem som svarte")
    # nynorsk leaves the quoted label alone
    nn = dict(method_lines(method_notes(SimpleNamespace(meta=meta), _survey(), None), "nn"))
    assert f"(lineær sannsynlighetsmodell for «{LABEL}» 2023)" in nn["Justert effekt (drivarar)"]


def test_the_structured_record_wins_over_the_string():
    meta = _meta([(2023, "ft", "linear"), (2023, "ft2", "logit"), (2022, "ft2", "logit")])
    meta["driver_method"] = f"logit (lineær for {LABEL} 2023)"  # what a label in the string would have given
    assert f"lineær sannsynlighetsmodell for «{LABEL}» 2023)" in _drivers_text(meta)


@pytest.mark.parametrize(("method", "words"), [("logit", "logit-modell"), ("linear", "lineær sannsynlighetsmodell")])
def test_one_model_everywhere_keeps_the_short_wording(method, words):
    meta = _meta([(2022, "ft", method), (2023, "ft", method), (2023, "ft2", method)], requested=method)
    assert _drivers_text(meta).startswith(f"Justert effekt: {words} for «Helhetsinntrykk»")
    assert _drivers_text(_meta([], requested=method)).startswith(f"Justert effekt: {words} for «")  # none fitted


def test_an_older_summary_without_driver_methods_reads_the_string():
    meta = _meta([(2022, "ft", "logit"), (2023, "ft", "linear")], old=True)
    assert "driver_methods" not in meta
    assert _drivers_text(meta).startswith("Justert effekt: logit-modell (lineær sannsynlighetsmodell for ft 2023) "
                                          "for «Helhetsinntrykk»")


@pytest.mark.parametrize("min_cell", [5, 15])
def test_the_small_group_note_says_both_rules_with_the_configured_minimum(min_cell):
    notes = method_notes(SimpleNamespace(meta={"min_cell": min_cell}), _survey(min_cell), None)
    text = notes["suppression"]
    assert text.startswith(f"Tall for grupper med grunnlag under {min_cell} (færre enn {min_cell} svar) vises ikke")
    assert "For at de skjulte tallene ikke skal kunne regnes ut ved å trekke de viste gruppene fra totalen" in text
    assert "til sammen" in text and "under 10" not in text
    nn = dict(method_lines(notes, "nn"))["Små grupper"]
    assert nn.startswith(f"Tal for grupper med grunnlag under {min_cell} (færre enn {min_cell} svar) blir ikkje viste")
    assert "For at dei skjulte tala ikkje skal kunne reknast ut ved å trekkje dei viste gruppene frå totalen" in nn
    assert "vises" not in nn and "tallene" not in nn


def test_a_theme_indicator_row_without_a_test_is_a_blank_p_in_the_report():
    from textmine.report.html import render_html
    from textmine.report.views import report_from_summary
    from textmine.report.writer import report_to_dict

    from ..stats.test_method_review_dec06h import _definition
    from ..stats.test_theme_indicator_degenerate_dec07a import _degenerate_summary

    r = report_from_summary(_degenerate_summary(), _definition({"A": {}, "B": {}}))
    row = next(i for i in report_to_dict(r)["impact"] if i["theme"] == "pris")
    assert row["p_value"] is None and row["p_adjusted"] is None and row["verdict"] == "ingen sikker forskjell"
    json.dumps(report_to_dict(r), allow_nan=False)
    html = render_html(r, charts={})
    assert ">nan<" not in html.lower() and "ingen sikker forskjell" in html
