"""``SupervisedCoder.fit(progress=...)``: the coder reports its own stages (no method wrapping by the caller), in
order, without changing what it learns or what it saves; an exception from the callback stops the fit."""

import json

import numpy as np
import pandas as pd
import pytest

from textmine.classify import SupervisedCoder
from textmine.codebook import Codebook
from textmine.review import apply_corrections

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

pytestmark = pytest.mark.filterwarnings("ignore:too little out-of-fold evidence:UserWarning")  # 24 toy rows

TEXTS, LABELS, TYPES = (list(c) for c in zip(*TOY_TRAIN, strict=True))


def _coder(codebook, **kw):
    return SupervisedCoder(codebook, FakeEmbedder(), cv=3, **kw)


def _codebook_rows(codebook) -> int:
    return sum(1 + len(t.examples) for t in codebook.themes)


@pytest.fixture(scope="module")
def told():
    """A coder fitted with a progress callback, and what it was told (one fit for the tests below)."""
    said = []
    return _coder(Codebook.from_dict(TOY_CODEBOOK)).fit(TEXTS, LABELS, TYPES, progress=said.append), said


def test_fit_reports_its_stages_in_order(told, toy_codebook):
    coder, said = told
    k, m = coder.training_metrics_["cv_folds"], _codebook_rows(toy_codebook)
    assert k >= 2 and coder.lexical_ is not None
    assert said == [f"cleaning and redacting {len(TEXTS)} texts", f"embedding {len(TEXTS)} texts",
                    f"cleaning and redacting {m} codebook examples", f"embedding {m} codebook examples",
                    *[f"fitting fold {i} of {k} (out-of-fold scores)" for i in range(1, k + 1)],
                    "calibrating", "fitting the final models on all rows", "fitting the fast first stage"]


def test_only_the_stages_a_fit_runs_are_reported(toy_codebook):
    said = []
    _coder(toy_codebook, codebook_examples=False, lexical_share=0.0).fit(TEXTS, LABELS, TYPES, progress=said.append)
    assert not [s for s in said if "codebook examples" in s or "first stage" in s], said
    assert said[-2:] == ["calibrating", "fitting the final models on all rows"]


def test_fit_prepared_reports_from_the_codebook_rows_on(toy_codebook):
    coder, said = _coder(toy_codebook), []
    prep = coder.prepare(coder.clean(TEXTS))
    coder.fit_prepared(prep, toy_codebook.to_matrix([s.split(";") for s in LABELS]), TYPES, progress=said.append)
    assert said[0].startswith("cleaning and redacting") and "codebook examples" in said[0], said
    assert "fitting fold 1 of" in said[2] and said[-1] == "fitting the fast first stage"


def _saved(coder, path) -> dict[str, bytes]:
    coder.save(path)
    files = {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    manifest = json.loads(files.pop("manifest.json"))
    manifest.pop("created_at")
    files["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def test_progress_changes_neither_the_model_nor_what_is_saved(told, toy_codebook, tmp_path):
    silent = _coder(toy_codebook).fit(TEXTS, LABELS, TYPES)
    told, said = told
    assert said and set(vars(told)) == set(vars(silent))  # nothing of the callback kept on the coder
    assert not any(v is said.append or callable(v) and getattr(v, "__self__", None) is said for v in vars(told).values())
    a, b = _saved(silent, tmp_path / "a"), _saved(told, tmp_path / "b")
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a), [k for k in a if a[k] != b.get(k)]
    probe = ["Køen er lang og maten dyr", "Stolene vipper", "vet ikke"]
    pd.testing.assert_frame_equal(silent.predict(probe), told.predict(probe))


class Stop(Exception):
    pass


def test_an_exception_in_the_callback_stops_the_fit(toy_codebook):
    def progress(msg):
        if msg == "calibrating":
            raise Stop(msg)

    coder = _coder(toy_codebook)
    with pytest.raises(Stop):
        coder.fit(TEXTS, LABELS, TYPES, progress=progress)
    assert coder.coef_ is None  # the final models were never fitted


def test_progress_must_be_a_callable_and_is_keyword_only(toy_codebook):
    with pytest.raises(TypeError, match="progress must be a callable"):
        _coder(toy_codebook).fit(TEXTS, LABELS, TYPES, progress="yes")
    with pytest.raises(TypeError):
        _coder(toy_codebook).fit(TEXTS, LABELS, TYPES, None, None, print)


def test_retraining_passes_progress_to_the_fit_without_touching_the_coder(toy_codebook, monkeypatch):
    coder = _coder(toy_codebook).fit(TEXTS, LABELS, TYPES)
    seen = []
    fit = SupervisedCoder.fit

    def spy(self, *a, progress=None, **k):
        seen.append(progress)
        return fit(self, *a, progress=progress, **k)

    monkeypatch.setattr(SupervisedCoder, "fit", spy)
    said = []
    res = apply_corrections(coder, pd.DataFrame({"text": ["Kassa er treg"], "themes": ["ko"], "type": ["klage"]}),
                            train=pd.DataFrame({"text": TEXTS, "themes": LABELS, "type": TYPES}),
                            progress=said.append)
    assert seen == [said.append]
    stages = [s.split(" ")[0] for s in said]
    assert stages[:3] == ["training", "cleaning", "embedding"] and stages[-1] == "evaluating:", said
    assert said.index("calibrating") < said.index("fitting the final models on all rows")
    assert not {"clean", "prepare", "_fit_one", "_calibrate", "_fit_lexical_stage"} & set(vars(res.coder))
    assert np.isfinite(res.after["corrections_macro_f1"])
