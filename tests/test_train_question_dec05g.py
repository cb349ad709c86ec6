"""``textmine train`` takes the question options ``textmine code`` has (``--survey``, ``--question``,
``--question-col``): a labelled answer that only repeats its survey question's wording is a non-answer (left out
of training, as ``code`` counts it), and the rows' questions reach the model (its per-question theme rates)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.classify import load_coder
from textmine.cli import app

_spec = importlib.util.spec_from_file_location("coding_conftest_train_dec05g",
                                               Path(__file__).resolve().parent / "coding" / "conftest.py")
_coding = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_coding)

WORDING = "Hva synes du om kantina?"
ECHO = "Hva synes du om kantina"  # the question repeated back (no question mark)


@pytest.fixture()
def files(tmp_path, monkeypatch):
    import textmine.embed as embed
    from textmine.codebook import Codebook

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: _coding.FakeEmbedder())
    cb = tmp_path / "kantine.yaml"
    cb.write_text(Codebook.from_dict(_coding.TOY_CODEBOOK).to_yaml(), encoding="utf-8")
    survey = tmp_path / "survey.yaml"
    survey.write_text(yaml.safe_dump({"name": "kantine", "id": "rid",
                                      "free_text": [{"column": "kommentar", "label": WORDING}]}, allow_unicode=True),
                      encoding="utf-8")
    rows = [*_coding.TOY_TRAIN, (ECHO, "annet", "")]
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame(rows, columns=["text", "themes", "type"]).assign(sporsmal="kommentar").to_csv(labelled, index=False)
    return tmp_path, cb, survey, labelled


def _train(*args):
    return CliRunner().invoke(app, ["train", *map(str, args)])


def test_an_answer_repeating_the_question_is_a_non_answer_in_training(files):
    from textmine.preprocess import Cleaner

    tmp_path, cb, survey, labelled = files
    # without the question's wording the cleaner takes the echo for an answer (so the option is what changes it)
    plain = Cleaner(redact=True, detect_language=False).fit().transform(pd.Series([ECHO]))
    assert plain["is_non_answer"].tolist() == [0]
    out = tmp_path / "m"
    res = _train(labelled, "--codebook", cb, "--out", out, "--survey", survey, "--question-col", "sporsmal")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "1 labelled answer(s) only repeat their survey question" in text
    assert f"data row {len(_coding.TOY_TRAIN) + 1}" in text
    assert ECHO not in res.output  # rows are named, never their text
    coder = load_coder(out, embedder=_coding.FakeEmbedder())
    assert coder.training_metrics_["n_train"] == len(_coding.TOY_TRAIN)  # the echo is left out, every answer kept


def test_question_gives_every_row_its_question_and_both_options_are_refused(files):
    tmp_path, cb, survey, labelled = files
    res = _train(labelled, "--codebook", cb, "--out", tmp_path / "x", "--question", "kommentar",
                 "--question-col", "sporsmal")
    assert res.exit_code == 2 and "--question or --question-col, not both" in res.output, res.output
    res = _train(labelled, "--codebook", cb, "--out", tmp_path / "x", "--question-col", "nope")
    assert res.exit_code == 2 and "nope" in res.output, res.output
    out = tmp_path / "q"
    res = _train(labelled, "--codebook", cb, "--out", out, "--survey", survey, "--question", "kommentar")
    assert res.exit_code == 0, res.output
    assert "1 labelled answer(s) only repeat their survey question" in " ".join(res.output.split())
    coder = load_coder(out, embedder=_coding.FakeEmbedder())
    assert coder.training_metrics_["n_train"] == len(_coding.TOY_TRAIN)
