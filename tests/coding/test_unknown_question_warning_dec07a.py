"""``textmine code/review --question Q``: the «the model does not know --question» warning only where a trained
model lacks Q; zero-shot (no --model, or a saved zero-shot model) has no per-question rates, so no warning."""
from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import SupervisedCoder, ZeroShotCoder, save_coder
from textmine.cli import app
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

WARNING = "does not know --question"


def _run(*args) -> tuple[int, str]:
    res = CliRunner().invoke(app, [*map(str, args)])
    return res.exit_code, re.sub(r"\s+", " ", res.output)


@pytest.fixture()
def comments(tmp_path):
    src = tmp_path / "svar.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "kommentar": ["Køen er lang", "Maten er dyr", "Suppen var kald"]}
                 ).to_csv(src, index=False)
    return src


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    """A model trained without survey questions (so it lacks every --question), trained once for the module."""
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    with warnings.catch_warnings():  # (too few labelled answers for the review level: not what is tested here)
        warnings.simplefilter("ignore", UserWarning)
        coder = SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=3).fit(
            list(texts), list(labels), list(types))
    return save_coder(coder, tmp_path_factory.mktemp("trained") / "model")


def test_code_zero_shot_does_not_warn_about_the_question(tmp_path, cb, comments, fake_e5):
    rc, out = _run("code", comments, "--codebook", cb, "--text-col", "kommentar", "--question", "fritekst_x",
                   "--out", tmp_path / "o.csv")
    assert rc == 0, out
    assert WARNING not in out and "does not know" not in out


def test_code_with_a_saved_zero_shot_model_does_not_warn(tmp_path, toy_codebook, cb, comments, fake_e5):
    model = save_coder(ZeroShotCoder(toy_codebook, FakeEmbedder()), tmp_path / "zs")
    rc, out = _run("code", comments, "--codebook", cb, "--model", model, "--text-col", "kommentar", "--question", "fritekst_x",
                   "--out", tmp_path / "o.csv")
    assert rc == 0, out
    assert "does not know" not in out


def test_code_with_a_trained_model_lacking_the_question_warns(tmp_path, cb, comments, trained_model, fake_e5):
    rc, out = _run("code", comments, "--codebook", cb, "--model", trained_model, "--text-col", "kommentar",
                   "--question", "fritekst_x", "--out", tmp_path / "o.csv")
    assert rc == 0, out
    assert f"{WARNING} fritekst_x" in out and "trained without survey questions" in out
    assert "zero-shot" not in out.split(WARNING, 1)[1][:200]


def test_review_zero_shot_does_not_warn_but_a_trained_model_does(tmp_path, cb, comments, trained_model, fake_e5):
    rc, out = _run("review", comments, "--codebook", cb, "--text-col", "kommentar", "--question", "fritekst_x",
                   "--n", 2)
    assert rc == 0, out
    assert "does not know" not in out
    rc, out = _run("review", comments, "--model", trained_model, "--text-col", "kommentar",
                   "--question", "fritekst_x", "--n", 2)
    assert rc == 0, out
    assert f"{WARNING} fritekst_x" in out


def test_dask_engine_zero_shot_does_not_warn(monkeypatch, tmp_path, cb, comments, fake_e5):
    import textmine.distributed as dist
    from textmine.distributed import DaskRunInfo

    def fake(*args, **kwargs):  # what the workers report under zero-shot: every question unknown, none known
        return DaskRunInfo(out_dir=str(tmp_path), n_rows=3, n_partitions=1, parts=(), pii_columns={},
                           masked_columns={}, questions=("fritekst_x",), unknown_questions=("fritekst_x",),
                           known_questions=())

    monkeypatch.setattr(dist, "code_with_dask", fake)
    rc, out = _run("code", comments, "--codebook", cb, "--text-col", "kommentar", "--question", "fritekst_x",
                   "--out", tmp_path / "o", "--engine", "dask")
    assert rc == 0, out
    assert "does not know" not in out
