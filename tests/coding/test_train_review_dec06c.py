"""``textmine train`` review (2026-12-06): a training of minutes shows its stages as they start (not a spinner
that is silent when stderr is not a terminal), and its output says what it did (codebook, embedder, how it was
cross-validated, the first stage, how long it took). The fit itself slices each fold's training rows once, not
once per theme, with the same model as a result."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import SupervisedCoder
from textmine.cli import app

from .conftest import TOY_TRAIN, FakeEmbedder

pytestmark = pytest.mark.filterwarnings("ignore:too little out-of-fold evidence:UserWarning")  # 24 toy rows

STAGE = re.compile(r"^\[\s*\d+\.\d s\] (.+)$")


def _train(tmp_path, cb, files: int = 1, *extra: str):
    """``textmine train`` on TOY_TRAIN split over ``files`` files; the result and the model folder."""
    rows = pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"])
    paths = []
    for k in range(files):
        p = tmp_path / f"labelled_{k}.csv"
        rows.iloc[k::files].to_csv(p, index=False)
        paths.append(str(p))
    model = tmp_path / "model"
    res = CliRunner().invoke(app, ["train", *paths, "--codebook", str(cb), "--out", str(model), *extra])
    assert res.exit_code == 0, res.output
    return res, model


def _stages(res) -> list[str]:
    return [m.group(1) for ln in res.stderr.splitlines() if (m := STAGE.match(ln.strip()))]


def test_train_reports_each_stage_with_the_time_since_the_start(tmp_path, cb, fake_e5):
    res, _ = _train(tmp_path, cb)
    stages = _stages(res)
    assert stages[0].startswith(f"training on {len(TOY_TRAIN)} labelled rows from 1 file(s)"), stages
    assert "codebook kantine 0.1 (4 themes)" in stages[0] and "embedder e5 (auto: fewer than 1,000" in stages[0]
    names = [s.split(" ")[0] for s in stages[1:]]
    assert names[:2] == ["cleaning", "embedding"], stages
    folds = [s for s in stages if s.startswith("fitting fold")]
    assert folds and folds[-1].endswith(f"of {len(folds)} (out-of-fold scores)"), stages
    assert stages.index("calibrating") < stages.index("fitting the final models on all rows"), stages
    times = [float(m.group(0)[1:].split(" s]")[0]) for ln in res.stderr.splitlines()
             if (m := re.match(r"\[\s*\d+\.\d s\]", ln.strip()))]
    assert times == sorted(times), times


def test_train_says_what_it_did(tmp_path, cb, fake_e5):
    res, model = _train(tmp_path, cb, 3, "--embedder", "e5-l6")
    flat = " ".join(res.output.split())
    said = re.search(r"trained codebook kantine 0\.1 \(4 themes\) on (\d+) answered comments and (\d+) codebook "
                     r"examples; embedder e5-l6; (\d+)-fold cross-validation holding out whole files; (.+?); took "
                     r"(\d+\.\d s|\d+ min \d+ s)", flat)
    assert said, flat
    import json

    metrics = json.loads((model / "metrics.json").read_text(encoding="utf-8"))
    training = metrics.get("training", metrics)
    assert int(said.group(1)) == training["n_train"] and int(said.group(3)) == training["cv_folds"] == 3
    assert "embedder e5-l6" in _stages(res)[0] and "auto" not in _stages(res)[0]


def test_one_file_is_said_to_be_cross_validated_on_shuffled_rows(tmp_path, cb, fake_e5):
    res, _ = _train(tmp_path, cb)
    flat = " ".join(res.output.split())
    assert re.search(r"\d+-fold cross-validation on shuffled rows \(fewer than 3 files\)", flat), flat


def test_each_fold_slices_its_training_rows_once_for_all_themes(toy_codebook, monkeypatch):
    """The out-of-fold loop takes a fold's training rows out of the feature matrix once for all its themes (it
    did once per theme), and the final models share one matrix too."""
    texts, labels, types = (list(c) for c in zip(*TOY_TRAIN, strict=True))
    groups = [i % 3 for i in range(len(texts))]
    given = []  # the matrices themselves, kept alive so that their ids stay distinct
    real = SupervisedCoder._fit_one

    def spy(self, X, y):
        given.append(X)
        return real(self, X, y)

    monkeypatch.setattr(SupervisedCoder, "_fit_one", spy)
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3, lexical_share=0.0).fit(texts, labels, types,
                                                                                      groups=groups)
    folds = coder.training_metrics_["cv_folds"]
    n_final = int(coder.trained_.sum())
    oof = given[:-n_final]
    assert len(oof) > folds  # several themes per fold
    assert len({id(x) for x in oof}) == folds, (len({id(x) for x in oof}), folds)
    assert len({id(x) for x in given[-n_final:]}) == 1
    assert max(x.shape[0] for x in oof) < given[-1].shape[0]  # each fold holds out some rows


@pytest.mark.parametrize("threads", [2, 4])
def test_per_theme_fits_on_threads_learn_the_models_fitted_one_by_one(toy_codebook, monkeypatch, threads):
    """The per-theme logistic regressions run on threads (liblinear releases the GIL); the coefficients, the
    out-of-fold scores, the calibration and the review level are exactly those of fitting them one by one."""
    import textmine.classify.supervised as supervised

    texts, labels, types = (list(c) for c in zip(*TOY_TRAIN, strict=True))
    groups = [i % 3 for i in range(len(texts))]

    def fit(n: int) -> SupervisedCoder:
        monkeypatch.setattr(supervised, "train_threads", lambda: n)
        return SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(texts, labels, types, groups=groups)

    seen = []
    real = SupervisedCoder._fit_one

    def spy(self, X, y):
        import threading

        seen.append(threading.get_ident())
        return real(self, X, y)

    one = fit(1)
    monkeypatch.setattr(SupervisedCoder, "_fit_one", spy)
    many = fit(threads)
    assert len(set(seen)) > 1  # the fits did run on several threads
    np.testing.assert_array_equal(one.coef_, many.coef_)
    np.testing.assert_array_equal(one.intercept_, many.intercept_)
    np.testing.assert_array_equal(one.oof_[0], many.oof_[0])
    np.testing.assert_array_equal(one.platt_, many.platt_)
    assert one.review_threshold == many.review_threshold
    np.testing.assert_array_equal(one.lexical_.coef_, many.lexical_.coef_)
    pd.testing.assert_frame_equal(one.predict(texts[:6]), many.predict(texts[:6]))


def test_train_threads_is_at_least_one_and_capped(monkeypatch):
    import os

    import textmine.classify.supervised as supervised

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert supervised.train_threads() == supervised.MAX_TRAIN_THREADS
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert supervised.train_threads() == 1


def test_no_first_stage_is_fitted_when_a_theme_has_too_few_labels(toy_codebook, monkeypatch):
    """A theme with fewer than 2 labelled comments leaves the coder without a fast first stage; the stage (a
    whole second cross-validated fit) is then not fitted at all, and nothing else changes."""
    texts, labels, types = (list(c) for c in zip(*TOY_TRAIN, strict=True))
    labels = ["mat" if lab == "annet" and i % 5 else lab for i, lab in enumerate(labels)]  # one 'annet' left
    fits = []
    real = SupervisedCoder.fit_prepared

    def spy(self, *a, **k):
        fits.append(self.lexical_only)
        return real(self, *a, **k)

    monkeypatch.setattr(SupervisedCoder, "fit_prepared", spy)
    said = []
    coder = SupervisedCoder(toy_codebook, FakeEmbedder(), cv=3).fit(texts, labels, types, progress=said.append)
    assert coder.lexical_ is None and fits == [False], fits
    assert "fitting the fast first stage" not in said
