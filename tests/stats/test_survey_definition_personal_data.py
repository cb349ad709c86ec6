"""A survey definition whose names, labels or column names hold personal data is refused by the CLI (naming the
fields, never the values) and by the service's check, which reads the same list of fields."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.survey import SurveyDefinition, definition_texts, personal_data_fields

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FNR = "01019012480"


def _with(tmp_path, change) -> Path:
    d = yaml.safe_load((SAMPLE / "survey.yaml").read_text(encoding="utf-8"))
    change(d)
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


def test_column_names_are_among_the_checked_fields_and_the_sample_is_clean():
    sd = SurveyDefinition.from_yaml(SAMPLE / "survey.yaml")
    paths = [p for p, _, _ in definition_texts(sd)]
    assert "segments[0].column" in paths and "free_text[0].column" in paths and "weight" in paths
    assert personal_data_fields(sd) == []


def test_cli_refuses_a_personal_column_name_naming_the_field_only(tmp_path):
    def rename(d):
        d["free_text"][0]["column"] = f"kommentar_til_Kari_Nordmann_{FNR}"
    path = _with(tmp_path, rename)
    assert personal_data_fields(SurveyDefinition.from_yaml(path)) == ["free_text[0].column"]
    res = CliRunner().invoke(app, ["summary", str(SAMPLE / "arbeidsgiver_2023.csv"), "--survey", str(path),
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "free_text[0].column" in res.output and "Kari" not in res.output and FNR not in res.output
    assert not (tmp_path / "out").exists()
