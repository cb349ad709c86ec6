"""A trained model's manifest never records a training file's name holding personal data («kari_nordmann_
15038512363.csv», a name inside an id), nor the folders above a file when one holds an identifying number; the record beside a
coded file hides a --question holding personal data. Ordinary paths and questions are recorded as before."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify.artefact import recorded_training_file
from textmine.cli import app
from textmine.codebook import Codebook
from textmine.pipeline import coded_identity

from .conftest import TOY_TRAIN

FNR = "15038512363"
LEAKS = (FNR, "nordmann", "Nordmann", "91234567", "Hansen")


@pytest.mark.parametrize("given, recorded", [
    (f"/tmp/rt7/kari_nordmann_{FNR}.csv", "(navn skjult).csv"),
    ("/data/Per Hansen 91234567.xlsx", "(navn skjult).xlsx"),
    ("/home/ola.nordmann", "(navn skjult)"),  # no table suffix: none kept (here it would be the surname)
    (f"/home/kari_{FNR}/prosjekt/labelled.csv", "labelled.csv"),
    ("/home/kari/data/train.csv", "/home/kari/data/train.csv"),  # an analyst's home folder: the path is kept
    ("/work/main/data/sample/labels_2023.csv", "/work/main/data/sample/labels_2023.csv"),
    ("data/sample/labels_2023.csv", "data/sample/labels_2023.csv"),
])
def test_recorded_training_file(given, recorded):
    assert recorded_training_file(given) == recorded
    assert recorded_training_file(recorded) == recorded  # a model saved again records the same


def _labelled(path):
    pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"]).to_csv(path, index=False)
    return path


def _manifest(model) -> str:
    return (model / "manifest.json").read_text(encoding="utf-8")


def test_train_and_review_record_no_personal_file_or_folder_names(tmp_path, cb, fake_e5):
    runner = CliRunner()
    hidden = _labelled(tmp_path / f"kari_nordmann_{FNR}.csv")
    (tmp_path / f"ola_{FNR}").mkdir()
    in_named_folder = _labelled(tmp_path / f"ola_{FNR}" / "labelled.csv")
    plain = _labelled(tmp_path / "plain.csv")
    model = tmp_path / "model"
    res = runner.invoke(app, ["train", str(hidden), str(in_named_folder), str(plain), "--codebook", str(cb),
                              "--out", str(model)])
    assert res.exit_code == 0, res.output
    assert json.loads(_manifest(model))["training_data"] == ["(navn skjult).csv", "labelled.csv",
                                                             str(plain.resolve())]
    assert not any(x in _manifest(model) for x in LEAKS)
    # a corrections file with a personal name: hidden in training_data and in the kept corrections' sources alike,
    # so a later round skips it as a kept corrections file instead of looking for it as a training file
    corr = tmp_path / f"ola_nordmann_{FNR}.csv"
    pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}).to_csv(corr, index=False)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"rid": ["s1", "s2"], "kommentar": ["Køen er lang", "Maten er dyr"]}).to_csv(survey, index=False)
    m2 = tmp_path / "m2"
    res = runner.invoke(app, ["review", str(survey), "--model", str(model), "--corrections", str(corr),
                              "--train", str(plain), "--out", str(m2)])
    assert res.exit_code == 0, res.output
    manifest = json.loads(_manifest(m2))
    assert manifest["training_data"] == [str(plain.resolve()), "(navn skjult).csv"]
    assert manifest["corrections"]["sources"] == ["(navn skjult).csv"]
    assert not any(x in _manifest(m2) for x in LEAKS)
    corr2 = tmp_path / "corr2.csv"
    pd.DataFrame({"text": ["Dyr mat"], "themes": ["pris"], "type": ["klage"]}).to_csv(corr2, index=False)
    res = runner.invoke(app, ["review", str(survey), "--model", str(m2), "--corrections", str(corr2),
                              "--out", str(tmp_path / "m3")])
    assert res.exit_code == 0, res.output  # only plain.csv is looked for: the hidden one is a kept corrections file


def test_coded_record_hides_a_question_holding_personal_data(toy_codebook):
    assert coded_identity(toy_codebook, None, "text", "Per Hansen 91234567")["question"] == "(navn skjult)"
    assert coded_identity(toy_codebook, None, "text", f"kari_nordmann_{FNR}")["question"] == "(navn skjult)"
    for ordinary in ("fritekst_generell", "Hva kan kantina gjøre bedre?"):
        assert coded_identity(toy_codebook, None, "text", ordinary)["question"] == ordinary
    assert "question" not in coded_identity(toy_codebook, None, "text")
    assert isinstance(toy_codebook, Codebook)
