"""The survey definition keeps the YAML's ``description``; the report's synthetic-data notice uses it (no re-read)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml


def _survey_dict() -> dict:
    spec = importlib.util.spec_from_file_location("report_conftest", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SURVEY)


SYNTHETIC = "Syntetisk arbeidsgiverundersøkelse (eksempeldata, ikke ekte svar)"


def test_definition_keeps_the_description():
    from textmine.survey import SurveyDefinition

    assert SurveyDefinition.from_dict({**_survey_dict(), "description": f"  {SYNTHETIC}\n"}).description == SYNTHETIC
    assert SurveyDefinition.from_dict(_survey_dict()).description == "", "no description: expected the empty text"


def test_synthetic_note_comes_from_the_definition_not_the_file(tmp_path):
    from textmine.report.views import SYNTHETIC_NOTE, synthetic_note
    from textmine.survey import SurveyDefinition

    path = tmp_path / "survey.yaml"
    path.write_text(yaml.safe_dump({**_survey_dict(), "description": SYNTHETIC}, allow_unicode=True), encoding="utf-8")
    survey = SurveyDefinition.from_yaml(path)
    # the file changes after the definition was read: the report follows the definition it was given
    path.write_text(yaml.safe_dump({**_survey_dict(), "description": "Ekte svar 2024"}, allow_unicode=True),
                    encoding="utf-8")
    assert synthetic_note(survey) == SYNTHETIC_NOTE, "the notice must come from the loaded definition"
    path.unlink()
    assert synthetic_note(survey) == SYNTHETIC_NOTE, "the notice must not need the YAML file"
    # a definition built from a dict (no file at all) is marked too
    assert synthetic_note(SurveyDefinition.from_dict({**_survey_dict(), "description": SYNTHETIC})) == SYNTHETIC_NOTE


def test_report_method_notes_carry_the_notice(summary):
    from textmine.report import report_from_summary
    from textmine.report.views import SYNTHETIC_NOTE
    from textmine.survey import SurveyDefinition

    survey = SurveyDefinition.from_dict({**_survey_dict(), "description": SYNTHETIC})
    r = report_from_summary(summary, survey)
    assert r.method.get("synthetic") == SYNTHETIC_NOTE, r.method.get("synthetic")
