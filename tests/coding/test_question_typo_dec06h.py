"""``textmine code --survey S --question Q`` with a Q the survey does not have is refused (exit 2, naming the
survey's free-text questions); a Q it has codes as before."""
from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app


def test_code_refuses_a_question_the_survey_does_not_have(tmp_path, cb, kantine_survey, fake_e5):
    survey = kantine_survey
    data = tmp_path / "svar.csv"
    pd.DataFrame({"rid": ["r1", "r2"], "kommentar": ["Maten i kantina er for dyr", "Lite utvalg på fredager"]}).to_csv(data, index=False)
    out = tmp_path / "kodet.csv"
    base = ["code", str(data), "--codebook", str(cb), "--text-col", "kommentar", "--survey", str(survey),
            "--out", str(out)]
    res = CliRunner().invoke(app, [*base, "--question", "kommentarr"])
    assert res.exit_code == 2, res.output
    said = " ".join(res.output.split())
    assert "--question 'kommentarr' is not one of --survey" in said and "(kommentar)" in said
    assert not out.exists()
    res = CliRunner().invoke(app, [*base, "--question", "kommentar"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 2
