"""``textmine review --survey``: an answer that only repeats its survey question's wording is a non-answer, kept out
of the review queue as ``textmine code --survey`` counts it; the question options are checked as ``train`` checks
them, and a bad survey file is a one-line error naming it."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app

from .conftest import TOY_TRAIN

ECHO = "Hva synes du om kantina"  # the question repeated back (no question mark)


@pytest.fixture()
def files(tmp_path, cb, kantine_survey, fake_e5):
    survey = kantine_survey
    texts = [ECHO, *(t for t, _, _ in TOY_TRAIN[:6])]
    data = tmp_path / "svar.csv"
    pd.DataFrame({"rid": [f"r{i}" for i in range(len(texts))], "kommentar": texts,
                  "sporsmal": "kommentar"}).to_csv(data, index=False)
    return tmp_path, cb, survey, data


def _review(*args):
    return CliRunner().invoke(app, ["review", *map(str, args)])


def _queued(path) -> list[str]:
    return pd.read_csv(path, keep_default_na=False, dtype=str)["rid"].tolist()


def test_echo_of_the_question_is_queued_without_survey_and_left_out_with_it(files):
    tmp_path, cb, survey, data = files
    base = [data, "--codebook", cb, "--text-col", "kommentar", "--id-col", "rid", "--n", 50]
    plain = tmp_path / "plain.csv"
    res = _review(*base, "--queue-out", plain)
    assert res.exit_code == 0, res.output
    assert "r0" in _queued(plain)  # without the wording the echo looks like an answer
    for extra in (["--question", "kommentar"], ["--question-col", "sporsmal"], []):  # [] : --text-col names it
        out = tmp_path / f"q{len(extra)}.csv"
        res = _review(*base, "--survey", survey, *extra, "--queue-out", out)
        assert res.exit_code == 0, res.output
        queued = _queued(out)
        assert "r0" not in queued and len(queued) == len(_queued(plain)) - 1, (extra, queued)
        text = " ".join(res.output.split())
        assert "1 answer(s) only repeat their survey question" in text and "data row 1 (rid 'r0')" in text
        assert ECHO not in text  # rows are named, never their text


def test_question_not_in_survey_is_refused_and_both_options_refused(files):
    tmp_path, cb, survey, data = files
    # a --question the survey does not have (a typo) is an error, not a warning: it would code every answer
    # without its question's rates and exit 0 in a batch script (new user review, 2026-12-06)
    res = _review(data, "--codebook", cb, "--text-col", "kommentar", "--survey", survey, "--question", "annet")
    assert res.exit_code == 2, res.output
    assert "--question 'annet' is not one of --survey" in " ".join(res.output.split())
    assert "free-text questions (kommentar)" in " ".join(res.output.split())
    res = _review(data, "--codebook", cb, "--text-col", "kommentar", "--survey", survey, "--question", "kommentar",
                  "--question-col", "sporsmal")
    assert res.exit_code == 2 and "--question or --question-col, not both" in res.output, res.output


@pytest.mark.parametrize("content", ["name: [unclosed\n", "free_text: 3\n"])
def test_bad_survey_file_is_one_line_naming_it(files, content):
    tmp_path, cb, _, data = files
    bad = tmp_path / "bad_survey.yaml"
    bad.write_text(content, encoding="utf-8")
    res = _review(data, "--codebook", cb, "--text-col", "kommentar", "--survey", bad)
    assert res.exit_code == 2, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0], res.output


def test_survey_is_refused_when_retraining(files):
    tmp_path, cb, survey, data = files
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"text": ["Maten er kald"], "themes": ["mat"], "type": ["klage"]}).to_csv(corr, index=False)
    res = _review(data, "--codebook", cb, "--survey", survey, "--corrections", corr, "--corrections-only")
    assert res.exit_code == 2 and "--survey goes with the review queue" in " ".join(res.output.split()), res.output
