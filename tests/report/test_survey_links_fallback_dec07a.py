"""A survey definition written before `overall`/`themes` existed: «Hovedfunn» still leads with its drivers outcome,
indicators link to themes of the same name, and the report run says how to declare both."""

from pathlib import Path

import yaml

from textmine.survey import SurveyDefinition

ROOT = Path(__file__).resolve().parents[2]


def _old_sample() -> str:
    """The sample definition less the keys added later (`overall`, `themes`)."""
    data = yaml.safe_load((ROOT / "data/sample/survey.yaml").read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        ind.pop("overall", None), ind.pop("themes", None)
    return yaml.safe_dump(data, allow_unicode=True)


def test_an_old_definition_falls_back_and_hints(tmp_path):
    old = SurveyDefinition.from_yaml(ROOT / "data/sample/survey.yaml")
    assert old.overall_indicator.id == "helhet" and old.link_hints() == []
    assert old.indicator_themes["q_telefon"] == ("telefon",)
    path = tmp_path / "old.yaml"
    path.write_text(_old_sample(), encoding="utf-8")
    legacy = SurveyDefinition.from_yaml(path)
    assert not any(i.overall or i.themes for i in legacy.indicators)
    assert legacy.overall_indicator.id == "helhet"  # its drivers.outcome
    assert "telefon" in legacy.indicator_themes["q_telefon"]  # same-name link, q_ prefix off
    assert "tillit" in legacy.indicator_themes["q_tillit"]  # (a candidate only: the report keeps existing themes)
    hints = legacy.link_hints()
    assert len(hints) == 2 and "overall: true" in hints[0] and "helhet" in hints[0] and "themes:" in hints[1]


def test_a_definition_without_drivers_names_no_overall(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("id: x\nname: x\nindicators:\n  - {id: a, column: q3_tilgjenge, label: A, scale: [1, 5]}\n"
                    "free_text:\n  - {column: fritekst, label: F}\n", encoding="utf-8")
    s = SurveyDefinition.from_yaml(path)
    assert s.overall_indicator is None and s.indicator_themes == {"q3_tilgjenge": ("a", "tilgjenge")}
    assert "names no overall indicator" in s.link_hints()[0]


def test_language_no_read_as_false_says_why(tmp_path):
    import pytest

    from textmine.survey import SurveyDefinitionError

    path = tmp_path / "s.yaml"
    path.write_text("id: x\nlanguage: no\nindicators:\n  - {id: a, column: q_a, label: A, scale: [1, 5]}\n"
                    "free_text:\n  - {column: fritekst, label: F}\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="unquoted no/yes"):
        SurveyDefinition.from_yaml(path)
