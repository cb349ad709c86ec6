"""The coders work with scikit-learn's model selection (found by a user review: ``cross_val_score`` and
``GridSearchCV`` failed for want of ``__sklearn_tags__``), and their NotFittedError is scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.exceptions
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from textmine.classify import SupervisedCoder, ZeroShotCoder
from textmine.classify.base import NotFittedError


def _exact(coder, X, y):
    pred = coder.predict(list(X))
    cols = [f"theme_{t}" for t in coder.codebook.theme_ids]
    return float((pred[cols].to_numpy() == np.asarray(y)).all(1).mean())


def test_cross_val_score_and_grid_search_run_on_a_supervised_coder(codebook, train, embedder):
    X = np.array(train["text"].tolist(), dtype=object)
    y = codebook.to_matrix(train["themes"].tolist())  # ("mat;pris": two themes)
    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=2)
    assert is_classifier(coder)
    scores = cross_val_score(coder, X, y, cv=KFold(3, shuffle=True, random_state=0), scoring=_exact,
                             error_score="raise")
    assert scores.shape == (3,) and ((0 <= scores) & (scores <= 1)).all()
    grid = GridSearchCV(coder, {"C": [1.0, 8.0]}, cv=KFold(2, shuffle=True, random_state=0), scoring=_exact,
                        error_score="raise").fit(X, y)
    assert grid.best_params_["C"] in (1.0, 8.0) and grid.best_estimator_.C == grid.best_params_["C"]
    assert len(grid.predict(list(X[:3]))) == 3


def test_not_fitted_error_is_sklearns():
    assert issubclass(NotFittedError, sklearn.exceptions.NotFittedError)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        raise NotFittedError("fit first")


def test_tags_say_which_coder_needs_fitting(codebook, embedder):
    from sklearn.utils import get_tags

    assert get_tags(SupervisedCoder(codebook, embedder)).requires_fit is True
    assert get_tags(ZeroShotCoder(codebook, embedder)).requires_fit is False
    assert get_tags(ZeroShotCoder(codebook, embedder)).classifier_tags.multi_label is True
