"""The survey definition declares the report's overall indicator (``overall: true``), the themes beside each
indicator (``themes: [..]``) and the report language (``language: nb|nn``), dec07a: a survey with its own ids
(not the NAV sample's q_helhet / INDICATOR_THEMES) gets «Hovedfunn» and «Temaer ved siden av indikatorene» filled."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.report import report_from_summary
from textmine.report.html import render_html, view_model
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition, SurveyDefinitionError, load_survey

N = 80
THEMES = ["ventetid", "vennleg", "anna"]
CODEBOOK = {"name": "kommune", "version": "1", "language": "nb",
            "themes": [{"id": t, "label": lab, "keywords": [t]} for t, lab in
                       (("ventetid", "Ventetid"), ("vennleg", "Venleg personale"), ("anna", "Anna"))]}


def _survey(**top) -> dict:
    return {"name": "brukar", "id": "rid", "min_cell": 5, **top,
            "indicators": [
                {"id": "nøgd", "column": "k9", "label": "Kor nøgd er du alt i alt?", "scale": [1, 5], "overall": True},
                {"id": "vent", "column": "k2", "label": "Kort ventetid", "scale": [1, 5], "themes": ["ventetid"]},
                {"id": "info", "column": "k3", "label": "God informasjon", "scale": [1, 5]},
            ],
            "free_text": [{"column": "ft", "label": "Kva kan kommunen gjere betre?"}]}


def _frames():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"rid": [f"R{i:03d}" for i in range(N)], "ft": [f"kommentar {i}" for i in range(N)]})
    for col in ("k9", "k2", "k3"):
        df[col] = rng.choice([1, 2, 3, 4, 5], N)
    themes = {t: (np.arange(N) % (k + 2) == 0).astype(int) for k, t in enumerate(THEMES)}
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          **{f"theme_{t}": v for t, v in themes.items()}})
    return df, coded


def _report(definition: dict, language: str = "nb"):
    survey = SurveyDefinition.from_dict(definition, warn=False)
    df, coded = _frames()
    s = build_summary({2025: df}, survey, {2025: coded}, quotes=False)
    return report_from_summary(s, survey, frames={2025: df}, codebook=CODEBOOK, language=language)


def test_hovedfunn_leads_with_the_declared_overall_indicator():
    r = _report(_survey())
    assert r.overall_indicator == "k9"
    facts = [k["text"] for k in view_model(r, {})["keyfacts"]]
    assert "svarer positivt på «Kor nøgd er du alt i alt?»" in facts[0]
    assert not any("Kort ventetid" in f or "God informasjon" in f for f in facts)  # only the overall one


def test_no_overall_indicator_no_indicator_in_hovedfunn():
    d = _survey()
    d["indicators"][0].pop("overall")
    facts = [k["text"] for k in view_model(_report(d), {})["keyfacts"]]
    assert facts and not any("svarer positivt" in f for f in facts)


def test_theme_table_is_filled_for_the_declared_themes():
    r = _report(_survey())
    rows = {i["label"]: i for i in view_model(r, {})["indicators"]}
    vent = rows["Kort ventetid"]
    th = r.themes
    want = th[(th["theme"] == "ventetid") & (th["segment_var"] == "Alle")].iloc[0]
    assert vent["theme"] == "Ventetid"
    assert vent["theme_cells"][0]["trace"] == f"{int(want['count'])} / {int(want['base'])}"
    assert rows["God informasjon"]["theme"] is None  # declares no themes: «–»
    assert rows["God informasjon"]["theme_cells"][0]["share"] == "–"


def test_an_indicator_with_two_themes_gets_a_row_for_each():
    d = _survey()
    d["indicators"][1]["themes"] = ["ventetid", "vennleg"]
    rows = [i for i in view_model(_report(d), {})["indicators"] if i["label"] == "Kort ventetid"]
    assert [i["theme"] for i in rows] == ["Ventetid", "Venleg personale"]
    assert rows[0]["theme_cells"][0]["trace"] != rows[1]["theme_cells"][0]["trace"]


def test_two_overall_indicators_are_refused_naming_both():
    d = _survey()
    d["indicators"][2]["overall"] = True
    with pytest.raises(SurveyDefinitionError, match=r"nøgd, info are all marked overall"):
        SurveyDefinition.from_dict(d)


def test_overall_must_be_a_boolean():
    d = _survey()
    d["indicators"][0]["overall"] = "ja"
    with pytest.raises(SurveyDefinitionError, match=r"indicators\[0\] \(nøgd\)\.overall: expected true or false"):
        SurveyDefinition.from_dict(d)


def test_unknown_theme_id_is_refused_when_the_codebook_is_known(tmp_path):
    (tmp_path / "kodebok.yaml").write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True), encoding="utf-8")
    d = _survey()
    d["free_text"][0]["codebook"] = "kodebok.yaml"
    d["indicators"][1]["themes"] = ["ventetid", "telefon"]
    (tmp_path / "survey.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=r"indicators\[1\] \(vent\)\.themes: unknown theme id\(s\) "
                                                    r"telefon: not in the codebook \(kodebok\.yaml\)"):
        load_survey(tmp_path / "survey.yaml")
    d["indicators"][1]["themes"] = ["ventetid"]
    (tmp_path / "survey.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    assert load_survey(tmp_path / "survey.yaml").indicator_themes == {"k2": ("ventetid",)}


def test_unknown_theme_id_without_a_known_codebook_loads_and_the_report_warns():
    from textmine.report.pipeline import build_report

    d = _survey()
    d["indicators"][1]["themes"] = ["ventetid", "telefon"]
    survey = SurveyDefinition.from_dict(d, warn=False)  # no codebook to check against: loads
    df, coded = _frames()
    seen: list[str] = []
    r = build_report({2025: df}, survey, codebook=CODEBOOK, coded={2025: coded}, embedder="fallback",
                     on_warning=seen.append)
    assert [m for m in seen if "telefon" in m] == [
        "survey definition, indicator vent: theme id(s) telefon not in the report's codebook; the table «Temaer ved "
        "siden av indikatorene» shows no theme for them"]
    assert [i["theme"] for i in view_model(r, {})["indicators"] if i["label"] == "Kort ventetid"] == ["Ventetid"]


def test_survey_language_nn_gives_a_nynorsk_report_over_a_bokmal_codebook():
    from textmine.cli.report import report_language
    from textmine.codebook import Codebook
    from textmine.report.pipeline import build_report

    survey = SurveyDefinition.from_dict(_survey(language="nn"), warn=False)
    assert survey.language == "nn"
    cb = Codebook.from_dict(CODEBOOK)
    assert cb.language == "nb"
    assert report_language(None, survey, cb) == "nn"  # survey definition > codebook
    assert report_language("nb", survey, cb) == "nb"  # an explicit --language wins
    assert report_language(None, SurveyDefinition.from_dict(_survey(), warn=False), cb) == "nb"
    df, coded = _frames()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = build_report({2025: df}, survey, codebook=CODEBOOK, coded={2025: coded}, embedder="fallback")
    assert r.language == "nn"
    html = render_html(r, charts={})
    assert '<html lang="nn"' in html
    assert "Hovudfunn" in html


@pytest.mark.parametrize("value", ["en", "nynorsk", 1, ["nn"]])
def test_an_invalid_language_is_refused(value):
    with pytest.raises(SurveyDefinitionError, match=r"language: expected 'nb' \(bokmål\) or 'nn' \(nynorsk\), got"):
        SurveyDefinition.from_dict(_survey(language=value))


def test_the_sample_definition_declares_the_former_hard_wired_links():
    from textmine.paths import DEFAULT_SURVEY

    sd = load_survey(DEFAULT_SURVEY)  # its codebook is known: the theme ids are checked
    assert sd.overall_indicator.column == "q_helhet"
    assert sd.indicator_themes["q_telefon"] == ("telefon",)
    assert sd.indicator_themes["q_sykefravaer"] == ("sykefravaersoppfolging",)
    assert sd.language is None
