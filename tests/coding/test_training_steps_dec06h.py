"""``service.library.TrainingSteps`` counts a training's steps from the library's own progress messages (what a
``POST /models`` training job reports as done/total): the real fit's stages, and the retraining of
``train_with_corrections`` (the path the service takes with the default model), which says when it saves."""

import pandas as pd
import pytest

from service import library
from textmine.classify import SupervisedCoder
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

pytestmark = pytest.mark.filterwarnings("ignore:too little out-of-fold evidence:UserWarning")  # 24 toy rows

TEXTS, LABELS, TYPES = (list(c) for c in zip(*TOY_TRAIN, strict=True))


def _counted():
    reported = []
    return library.TrainingSteps(lambda done, total: reported.append((done, total))), reported


def _check_counts(reported, final, folds):
    """Done counts up one step at a time; total is unknown (0) before the first fold, then never below the steps
    done plus the one under way, and never shrinks."""
    assert [d for d, _ in reported] == list(range(len(reported)))
    assert all(t == 0 for d, t in reported[:reported.index(next(r for r in reported if r[1]))])
    known = [t for _, t in reported if t]
    assert known == sorted(known) and all(d < t for d, t in reported if t)
    assert known[0] == 1 + folds + 3  # preparing, the folds, calibrating, the final fit, saving
    assert final == (len(reported), len(reported))


@pytest.fixture(scope="module")
def fitted():
    """A coder fitted with a :class:`TrainingSteps` as its progress (one fit for the tests below), and what it
    reported."""
    steps, reported = _counted()
    coder = SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=2).fit(TEXTS, LABELS, TYPES,
                                                                                       progress=steps)
    return coder, steps, reported


def test_a_library_fit_counts_preparing_each_fold_and_each_later_stage(fitted):
    coder, steps, reported = fitted
    steps(library.SAVING_MESSAGE)
    folds = coder.training_metrics_["cv_folds"]
    assert coder.lexical_ is not None  # "fitting the fast first stage": a stage the count adds when it is said
    _check_counts(reported, steps.finish(), folds)
    assert len(reported) == 1 + folds + 4  # preparing, folds, calibrating, final fit, first stage, saving


def test_retraining_with_corrections_reports_its_steps_and_saving_last(fitted, tmp_path):
    base_coder = fitted[0]
    n = len(TEXTS)
    base = library.BaseTraining(frame=pd.DataFrame({"text": TEXTS, "themes": LABELS, "type": TYPES,
                                                    "question": [""] * n, "group": ["train.csv"] * n}),
                                files=["train.csv"])
    corrections = pd.DataFrame({"text": ["Kassa er treg", "Maten var kald og smakte ingenting."],
                                "themes": ["ko", "mat"], "type": ["klage", "klage"], "question": ["", ""]})
    said = []
    steps, reported = _counted()

    def progress(message):
        said.append(message)
        steps(message)

    metrics = library.train_with_corrections(base_coder.codebook, corrections, tmp_path / "m", base=base,
                                             base_coder=base_coder, progress=progress)
    assert metrics["cv_folds"] >= 2 and (tmp_path / "m" / "manifest.json").exists()
    assert said[0].startswith("training on") and said[-1] == library.SAVING_MESSAGE
    assert said[-2].startswith("evaluating:")
    _check_counts(reported, steps.finish(), metrics["cv_folds"])


def test_steps_without_folds_stay_unknown_and_a_repeated_message_is_one_step():
    steps, reported = _counted()
    steps("cleaning and redacting 5 texts")
    steps("embedding 5 texts")  # still preparing: one step
    assert reported == [(0, 0)]
    steps("fitting fold 1 of 2 (out-of-fold scores)")
    steps("fitting fold 1 of 2 (out-of-fold scores)")
    assert reported == [(0, 0), (1, 6)]
    assert library.TrainingSteps(lambda d, t: None).finish() == (0, 0)  # nothing said: nothing to show
