"""CLI warnings of train/evaluate/review: one clean line each (no Python file path or source line), rows named as
every other message names them ("FILE: data row N (id X)", counted from 1), evaluation worded for evaluation."""

import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app

from .conftest import TOY_TRAIN


def _invoke(*args):
    return CliRunner().invoke(app, [*map(str, args)])


def _labelled(tmp_path, extra_rows=()):
    rows = [(f"t{i}", *r) for i, r in enumerate(TOY_TRAIN)] + list(extra_rows)
    path = tmp_path / "train.csv"
    pd.DataFrame(rows, columns=["id", "text", "themes", "type"]).to_csv(path, index=False)
    return path


def _lines(res):
    return [" ".join(ln.split()) for ln in res.output.splitlines() if ln.strip()]


def test_train_names_rows_without_an_answer_by_data_row_and_id_in_one_line(tmp_path, cb, fake_e5):
    n = len(TOY_TRAIN)
    path = _labelled(tmp_path, [("C2", "Nei takk", "mat", "ros"), ("C3", "Ingen kommentar", "pris", "klage")])
    res = _invoke("train", path, "--codebook", cb, "--out", tmp_path / "m")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "rows counted from 0" not in flat and "UserWarning" not in flat and "coder.fit(" not in flat
    note = [ln for ln in _lines(res) if "no answer to learn from" in ln]
    assert len(note) == 1 and note[0].startswith("warning: 2 labelled row(s)"), res.output
    assert f"{path}: data row {n + 1} (id 'C2'); {path}: data row {n + 2} (id 'C3')" in note[0], note[0]


def test_train_notes_about_empty_themes_name_the_rows_ids(tmp_path, cb, fake_e5):
    n = len(TOY_TRAIN)
    path = _labelled(tmp_path, [("P005", "Takk for god hjelp med kantina i dag!", "", "ros")])
    res = _invoke("train", path, "--codebook", cb, "--out", tmp_path / "m")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert f"(data row {n + 1} (id 'P005'))" in flat, flat
    assert "trained as 'no theme applies'" in flat


def test_evaluate_words_empty_themes_for_evaluation_not_training(tmp_path, cb, fake_e5):
    train = _labelled(tmp_path)
    assert _invoke("train", train, "--codebook", cb, "--out", tmp_path / "m").exit_code == 0
    ev = tmp_path / "ev.csv"
    pd.DataFrame([("e1", "Maten var kald.", "mat", "klage"), ("e2", "Takk for god hjelp med kantina i dag!", "", "ros")],
                 columns=["id", "text", "themes", "type"]).to_csv(ev, index=False)
    res = _invoke("evaluate", ev, "--model", tmp_path / "m", "--json", tmp_path / "e.json")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "trained as" not in flat, flat
    assert "(data row 2 (id 'e2')); they count as answers with no theme" in flat, flat


def test_warnings_as_notes_prints_one_line_per_warning_even_when_the_block_fails(monkeypatch):
    import warnings

    import pytest

    import textmine.cli.coding as coding

    shown = []
    monkeypatch.setattr(coding, "_note", shown.append)
    with pytest.raises(RuntimeError):
        with coding._warnings_as_notes(lambda m: m.upper()):
            warnings.warn("too little evidence", UserWarning)
            raise RuntimeError("boom")
    assert shown == ["TOO LITTLE EVIDENCE"]


def test_review_retraining_prints_the_coders_warnings_as_one_line_notes(tmp_path, cb, fake_e5):
    train = _labelled(tmp_path)
    assert _invoke("train", train, "--codebook", cb, "--out", tmp_path / "m").exit_code == 0
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": ["c1", "c2"], "text": ["Kaffen er for dyr", "vet ikke"]}).to_csv(data, index=False)
    corr = tmp_path / "corr.csv"
    pd.DataFrame({"id": ["c1", "c2"], "text": ["Kaffen er for dyr", "vet ikke"], "themes": ["pris", "ko"],
                  "type": ["klage", "klage"]}).to_csv(corr, index=False)
    res = _invoke("review", data, "--model", tmp_path / "m", "--corrections", corr, "--train", train)
    assert res.exit_code == 0, res.output
    note = [ln for ln in _lines(res) if "no answer to learn from" in ln]
    assert len(note) == 1 and note[0].startswith("warning: 1 labelled row(s)"), res.output
    assert "UserWarning" not in res.output
