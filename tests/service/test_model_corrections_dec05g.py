"""A model the service trains from a default model that ``textmine review --corrections`` retrained keeps that
model's corrections (``corrections.csv``, its sha256 in the manifest) as the CLI does: they are trained on again,
travel into the new model folder with the service's corrections, and a later CLI review of the service's model
accepts the file (its hash checks) and trains on them too. The earlier rounds' corrections files, which need not be
on the server, are not asked for as training files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service import library
from textmine.cli import app

_spec = importlib.util.spec_from_file_location(
    "coding_conftest_dec05g", Path(__file__).resolve().parents[1] / "coding" / "conftest.py")
_coding = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_coding)
FakeEmbedder, TOY_CODEBOOK, TOY_TRAIN = _coding.FakeEmbedder, _coding.TOY_CODEBOOK, _coding.TOY_TRAIN


@pytest.fixture(scope="module")
def _built(tmp_path_factory):
    """A CLI-trained model retrained once with ``review --corrections`` (round 1: s4 → mat); the round-1 file is
    then removed (it lives on the analyst's machine, not the server). Built once for the module."""
    import textmine.embed as embed
    from textmine.codebook import Codebook

    tmp_path = tmp_path_factory.mktemp("retrained")
    cb = Codebook.from_dict(TOY_CODEBOOK)
    cb_path = tmp_path / "kantine.yaml"
    cb_path.write_text(cb.to_yaml(), encoding="utf-8")
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"]).to_csv(labelled, index=False)
    survey = tmp_path / "survey.csv"
    comments = ["Køen i kassa er lang", "Stolene vipper", "Ring meg på 912 34 567 om maten"]
    pd.DataFrame({"rid": ["s1", "s3", "s4"], "kommentar": comments}).to_csv(survey, index=False)
    base, first, m2 = tmp_path / "base", tmp_path / "round1.csv", tmp_path / "m2"
    pd.DataFrame({"rid": ["s4"], "text": ["Ring meg på 912 34 567 om maten"], "themes": ["mat"],
                  "type": ["klage"]}).to_csv(first, index=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(embed, "get_embedder", lambda spec="e5", **kw: FakeEmbedder())
        res = CliRunner().invoke(app, ["train", str(labelled), "--codebook", str(cb_path), "--out", str(base)])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(app, ["review", str(survey), "--model", str(base), "--text-col", "kommentar",
                                       "--id-col", "rid", "--corrections", str(first), "--out", str(m2)])
        assert res.exit_code == 0, res.output
    assert (m2 / "corrections.csv").is_file()
    first.unlink()
    return cb, m2, survey


@pytest.fixture()
def retrained(_built, tmp_path, monkeypatch):
    """A copy of the retrained model (tests may change it), with the fake embedder for the library and the CLI."""
    import shutil

    import textmine.embed as embed

    cb, m2, survey = _built
    copy = tmp_path / "m2"
    shutil.copytree(m2, copy)
    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: FakeEmbedder())
    monkeypatch.setattr(library, "_EMBEDDERS", {"e5": FakeEmbedder()})
    return cb, copy, survey


def _service_corrections() -> pd.DataFrame:
    """Corrections as the store hands them to training (``store._corrections_frame``): no ids."""
    return pd.DataFrame({"text": ["Stolene vipper og er harde", "Kassa er treg i dag"], "themes": ["annet", "ko"],
                         "type": ["klage", "klage"], "question": ["kommentar", "kommentar"]})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_base_training_reads_the_kept_corrections_and_skips_their_source_files(retrained):
    cb, m2, _ = retrained
    base = library.base_training(cb, m2)
    assert base.missing is None, base.missing  # round1.csv (a kept corrections source) is not a training file
    assert base.files == ["labelled.csv"]
    assert base.earlier is not None and base.earlier["text"].tolist() == ["Ring meg på [TELEFON] om maten"]


def test_a_changed_corrections_file_is_not_trained_on(retrained):
    cb, m2, _ = retrained
    stored = m2 / "corrections.csv"
    stored.write_text(stored.read_text(encoding="utf-8").replace("mat", "pris"), encoding="utf-8")
    base = library.base_training(cb, m2)
    assert base.frame is None and "changed after the model was saved" in base.missing


def test_the_service_model_keeps_earlier_and_new_corrections_with_their_hash(retrained, tmp_path):
    from textmine.classify import load_coder

    cb, m2, survey = retrained
    base = library.base_training(cb, m2)
    out = tmp_path / "service-models" / "model-x"
    library.train_with_corrections(cb, _service_corrections(), out, base=base,
                                   base_coder=load_coder(m2, embedder=FakeEmbedder()))
    stored = out / "corrections.csv"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corrections"]["file"] == "corrections.csv"
    assert manifest["corrections"]["sha256"] == _sha(stored)
    kept = pd.read_csv(stored, dtype=str, keep_default_na=False)
    assert manifest["corrections"]["rows"] == len(kept) == 3
    assert set(kept["themes"]) == {"annet", "ko", "mat"} and "912 34 567" not in stored.read_text(encoding="utf-8")
    # the earlier round's source stays recorded, so a later review does not look for it as a training file
    earlier = json.loads((m2 / "manifest.json").read_text(encoding="utf-8"))["corrections"]["sources"]
    assert manifest["corrections"]["sources"] == earlier
    # the CLI retrains the service's model on all its corrections again (the file's hash checks)
    second = tmp_path / "round3.csv"
    pd.DataFrame({"rid": ["s1"], "text": ["Køen i kassa er lang"], "themes": ["ko"], "type": ["klage"]}).to_csv(
        second, index=False)
    res = CliRunner().invoke(app, ["review", str(survey), "--model", str(out), "--text-col", "kommentar",
                                   "--id-col", "rid", "--corrections", str(second), "--out", str(tmp_path / "m4")])
    assert res.exit_code == 0, res.output
    assert "3 earlier correction(s) stored with" in " ".join(res.output.split())
    assert len(pd.read_csv(tmp_path / "m4" / "corrections.csv", dtype=str, keep_default_na=False)) == 4
