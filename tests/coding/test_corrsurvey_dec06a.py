"""``textmine review --corrections`` retrains on the model's recorded training files as ``train --survey`` read them:
the answers there that only repeat their survey question stay out of training (the record is in the manifest); an
echo in the corrections is the coder's own decision and is trained on; an old model without the record retrains as
before."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app

from .conftest import KANTINE_QUESTION as WORDING
from .conftest import TOY_TRAIN

ECHO = "Hva synes du om kantina"  # the question repeated back


@pytest.fixture()
def files(tmp_path, cb, kantine_survey, fake_e5):
    survey = kantine_survey
    rows = [(ECHO, "mat", "klage"), *TOY_TRAIN]
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "text": [t for t, _, _ in rows],
                  "themes": [th for _, th, _ in rows], "type": [ty for _, _, ty in rows]}).to_csv(labelled, index=False)
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"text": ["Kaffen er kald.", "Kassa er treg."], "themes": ["mat", "ko"],
                  "type": ["klage", "klage"]}).to_csv(corr, index=False)
    return tmp_path, cb, survey, labelled, corr


def _run(*args):
    return CliRunner().invoke(app, [*map(str, args)])


def _n_train(model) -> int:
    return json.loads((model / "metrics.json").read_text(encoding="utf-8"))["training"]["n_train"]


def _train(files, name, *extra):
    tmp_path, cb, survey, labelled, _ = files
    out = tmp_path / name
    res = _run("train", labelled, "--codebook", cb, "--out", out, "--embedder", "e5-static", *extra)
    assert res.exit_code == 0, res.output
    return out


def test_train_with_survey_records_the_exclusion_in_the_manifest(files):
    tmp_path, cb, survey, labelled, _ = files
    model = _train(files, "m", "--survey", survey, "--question", "kommentar")
    rec = json.loads((model / "manifest.json").read_text(encoding="utf-8"))["training_questions"]
    assert rec["survey_labels"] == {"kommentar": WORDING} and rec["question"] == "kommentar"
    assert rec["question_col"] is None
    assert set(rec) == {"survey_labels", "question_col", "question", "default_question"}
    assert not any(t in json.dumps(rec, ensure_ascii=False) for t, _, _ in TOY_TRAIN)  # no data values
    plain = _train(files, "plain")
    assert "training_questions" not in json.loads((plain / "manifest.json").read_text(encoding="utf-8"))


def test_retraining_leaves_the_recorded_echoes_out_and_keeps_an_echo_correction(files):
    tmp_path, cb, survey, labelled, corr = files
    model = _train(files, "m", "--survey", survey, "--question", "kommentar")
    n_first = _n_train(model)
    assert n_first == len(TOY_TRAIN)  # the echo row is left out by train
    out = tmp_path / "m2"
    res = _run("review", labelled, "--model", model, "--corrections", corr, "--out", out)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "1 row(s) of the training data only repeat their survey question" in text, res.output
    assert _n_train(out) == n_first + 2  # the 2 corrections, not the echo
    rec = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["training_questions"]
    assert rec["survey_labels"] == {"kommentar": WORDING}  # a later round repeats it too
    # an echo among the corrections is the coder's decision: trained on
    echo_corr = tmp_path / "echo_corr.csv"
    pd.DataFrame({"text": [ECHO, "Kassa er treg."], "themes": ["mat", "ko"], "type": ["klage", "klage"],
                  "question": ["kommentar", "kommentar"]}).to_csv(echo_corr, index=False)
    out3 = tmp_path / "m3"
    res = _run("review", labelled, "--model", model, "--corrections", echo_corr, "--out", out3)
    assert res.exit_code == 0, res.output
    assert _n_train(out3) == n_first + 2


def test_old_model_without_the_record_retrains_on_every_row(files):
    tmp_path, cb, survey, labelled, corr = files
    model = _train(files, "m", "--survey", survey, "--question", "kommentar")
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    del manifest["training_questions"]  # as written before the record existed
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = tmp_path / "m2"
    res = _run("review", labelled, "--model", model, "--corrections", corr, "--out", out)
    assert res.exit_code == 0, res.output
    assert "only repeat their survey question" not in " ".join(res.output.split())
    assert _n_train(out) == len(TOY_TRAIN) + 1 + 2  # the echo row comes back, as before
    assert "training_questions" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_question_column_recorded_and_read_again_when_retraining(files):
    tmp_path, cb, survey, labelled, corr = files
    df = pd.read_csv(labelled)
    df["sporsmal"] = "kommentar"
    routed = tmp_path / "routed.csv"
    df.to_csv(routed, index=False)
    model = tmp_path / "m"
    res = _run("train", routed, "--codebook", cb, "--out", model, "--embedder", "e5-static", "--survey", survey,
               "--question-col", "sporsmal")
    assert res.exit_code == 0, res.output
    rec = json.loads((model / "manifest.json").read_text(encoding="utf-8"))["training_questions"]
    assert rec["question_col"] == "sporsmal" and rec["question"] is None
    out = tmp_path / "m2"
    res = _run("review", routed, "--model", model, "--corrections", corr, "--out", out)
    assert res.exit_code == 0, res.output
    assert "1 row(s) of the training data only repeat their survey question" in " ".join(res.output.split())
    assert _n_train(out) == _n_train(model) + 2 == len(TOY_TRAIN) + 2
