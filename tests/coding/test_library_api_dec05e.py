"""The coders as a Python library (review L, dec05e): predict_proba is predict's scores, pickling, sklearn's
score / check_is_fitted, parameter checks, personal data in other columns, theme lists in evaluate_coding, and a
free-text question missing from a wave."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from textmine.classify import NotFittedError, SupervisedCoder, ZeroShotCoder
from textmine.classify.table import code_dataframe, mask_personal_text
from textmine.evaluate import evaluate_coding, f1_summary

from .conftest import TOY_TRAIN

TEXTS = ["Maten var kald og smakte ingenting.", "Vet ikke", "", "Køen i kassa er altfor lang og maten er dyr.",
         "ikkje noko", "Prisene har gått opp igjen."]
EMAIL = "kari.nordmann@example.com"


def _scores(coder, pred):
    return pred[[f"score_{t}" for t in coder.codebook.theme_ids]].to_numpy(dtype=float)


@pytest.fixture()
def trained(toy_codebook, fake_embedder):
    texts, labels, types = (list(x) for x in zip(*TOY_TRAIN))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return SupervisedCoder(toy_codebook, fake_embedder, cv=3, lexical_share=0.3).fit(texts, labels, types)


# ---------------------------------------------------------------- M1: predict_proba = predict's score_<id>
def test_zero_shot_predict_proba_is_the_score_columns_of_predict(toy_codebook, fake_embedder):
    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    pred = zs.predict(TEXTS)
    proba = zs.predict_proba(TEXTS)
    assert isinstance(proba, np.ndarray) and proba.shape == (len(TEXTS), len(toy_codebook))
    np.testing.assert_array_equal(proba, _scores(zs, pred))
    assert not proba[[1, 2, 4]].any()  # non-answers and a blank text: no theme in predict, no score either
    assert list(zs.classes_) == toy_codebook.theme_ids


def test_supervised_predict_proba_takes_questions_and_matches_predict(trained):
    questions = ["lunsj"] * len(TEXTS)
    pred = trained.predict(TEXTS, questions=questions)
    np.testing.assert_array_equal(trained.predict_proba(TEXTS, questions=questions), _scores(trained, pred))
    np.testing.assert_array_equal(trained.predict_proba(pd.Series(TEXTS)), _scores(trained, trained.predict(TEXTS)))
    assert list(trained.classes_) == trained.codebook.theme_ids


def test_cascade_rows_get_the_first_stage_scores_in_predict_proba(trained):
    assert trained.lexical_ is not None  # the toy model has a lexical first stage
    texts = [t for t, _, _ in TOY_TRAIN]
    np.testing.assert_array_equal(trained.predict_proba(texts), _scores(trained, trained.predict(texts)))


# ---------------------------------------------------------------- M4: fitted attributes only after fit
def test_check_is_fitted_raises_before_fit_and_passes_after(toy_codebook, fake_embedder, trained):
    from sklearn.exceptions import NotFittedError as SklearnNotFitted
    from sklearn.utils.validation import check_is_fitted

    fresh = SupervisedCoder(toy_codebook, fake_embedder)
    assert not [k for k in vars(fresh) if k.endswith("_") and not k.startswith("__")]
    with pytest.raises(SklearnNotFitted):
        check_is_fitted(fresh)
    assert not hasattr(fresh, "classes_")
    with pytest.raises(NotFittedError, match="not trained"):
        fresh.predict(["Maten er kald"])
    with pytest.raises(NotFittedError):
        fresh.predict_proba(["Maten er kald"])
    check_is_fitted(trained)
    check_is_fitted(ZeroShotCoder(toy_codebook, fake_embedder))  # codes without a fit


def test_check_is_fitted_passes_on_a_loaded_model():
    from sklearn.utils.validation import check_is_fitted

    from textmine.classify import load_coder
    from textmine.paths import MODELS_DIR

    coder = load_coder(MODELS_DIR / "fast")
    check_is_fitted(coder)
    assert coder.coef_ is not None and list(coder.classes_) == coder.codebook.theme_ids


# ---------------------------------------------------------------- M3: score, cross_val_score, GridSearchCV
def test_score_is_micro_f1_of_predict_for_theme_lists_and_matrices(toy_codebook, fake_embedder):
    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    texts, labels, _ = (list(x) for x in zip(*TOY_TRAIN))
    pred = zs.predict(texts)[[f"theme_{t}" for t in toy_codebook.theme_ids]].to_numpy()
    want = f1_summary(toy_codebook.to_matrix(labels), pred)["micro_f1"]
    assert zs.score(texts, labels) == pytest.approx(want)
    assert zs.score(texts, toy_codebook.to_matrix(labels)) == pytest.approx(want)
    with pytest.raises(ValueError, match="2 label rows"):
        zs.score(texts, labels[:2])


def test_cross_val_score_and_grid_search_work(toy_codebook, fake_embedder):
    from sklearn.model_selection import GridSearchCV, cross_val_score

    texts, labels, _ = (list(x) for x in zip(*TOY_TRAIN))
    Y = toy_codebook.to_matrix(labels)
    scores = cross_val_score(ZeroShotCoder(toy_codebook, fake_embedder), texts, Y, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all() and (scores > 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grid = GridSearchCV(SupervisedCoder(toy_codebook, fake_embedder, lexical_only=True, cv=2),
                            {"C": [1.0, 8.0]}, cv=2).fit(texts, Y)
    assert grid.best_params_["C"] in (1.0, 8.0) and np.isfinite(grid.best_score_)
    assert grid.best_estimator_.coef_ is not None


# ---------------------------------------------------------------- M2: pickle / deepcopy
def test_a_coder_with_a_foreign_embedder_deep_copies_and_predicts_the_same(trained):
    again = copy.deepcopy(trained)
    pd.testing.assert_frame_equal(again.predict(TEXTS), trained.predict(TEXTS))


def test_zero_shot_coder_with_e5_pickles_fresh_and_after_use(e5):
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    cb = load_codebook(DEFAULT_CODEBOOK)
    texts = ["Lang ventetid på telefon", "Vet ikke", "Refusjonen kom aldri"]
    fresh = ZeroShotCoder(cb, e5)
    pickle.loads(pickle.dumps(fresh))  # the ONNX session is not pickled
    want = fresh.predict(texts)
    for again in (pickle.loads(pickle.dumps(fresh)), copy.deepcopy(fresh)):
        assert again._embedder is None and again.get_params()["embedder"] is None  # rebuilt on first use
        pd.testing.assert_frame_equal(again.predict(texts), want)


def test_shipped_model_pickles_and_predicts_identically():
    from textmine.classify import load_coder
    from textmine.paths import MODELS_DIR

    coder = load_coder(MODELS_DIR / "fast")
    texts = ["Lang ventetid på telefon", "Vet ikke", "Refusjonen kom aldri, og ingen svarer på e-post"]
    want = coder.predict(texts)
    for again in (pickle.loads(pickle.dumps(coder)), copy.deepcopy(coder)):
        pd.testing.assert_frame_equal(again.predict(texts), want)
        np.testing.assert_array_equal(again.predict_proba(texts), _scores(coder, want))


# ---------------------------------------------------------------- L2: parameter checks
@pytest.mark.parametrize("kw, name", [({"C": -1}, "C"), ({"C": 0}, "C"), ({"C": "x"}, "C"), ({"cv": 0}, "cv"),
                                      ({"cv": 1}, "cv"), ({"cv": 2.5}, "cv")])
def test_invalid_C_and_cv_are_refused(toy_codebook, kw, name):
    with pytest.raises(ValueError, match=rf"^{name} must be .*got"):
        SupervisedCoder(toy_codebook, **kw)


def test_set_params_refuses_an_invalid_cv_and_keeps_the_coder(toy_codebook):
    coder = SupervisedCoder(toy_codebook, cv=3)
    with pytest.raises(ValueError, match="cv must be"):
        coder.set_params(cv=1)
    assert coder.cv == 3 and SupervisedCoder(toy_codebook, cv=2, C=0.5).C == 0.5


# ---------------------------------------------------------------- M6: personal data in other columns
def _frame():
    return pd.DataFrame({"id": [101, 102], "kommentar": ["Maten er kald", "Køen er lang"],
                         "epost": [EMAIL, "ingen"], "avdeling": ["Kantina", "Kassa"]})


def test_code_dataframe_masks_personal_data_in_other_text_columns_by_default(toy_codebook, fake_embedder):
    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    df = _frame()
    out = code_dataframe(zs, df, "kommentar")
    assert EMAIL not in out.to_string() and "[EPOST]" in out.loc[0, "epost"]
    assert out.loc[1, "epost"] == "ingen" and out["avdeling"].tolist() == ["Kantina", "Kassa"]
    assert out["id"].tolist() == [101, 102] and df.loc[0, "epost"] == EMAIL  # ids kept, input unchanged
    assert "personal_text_masked_columns" not in out.attrs


def test_code_dataframe_opt_outs_copy_the_column_as_it_is(toy_codebook, fake_embedder):
    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    assert code_dataframe(zs, _frame(), "kommentar", unredacted_cols=["epost"]).loc[0, "epost"] == EMAIL
    assert code_dataframe(zs, _frame(), "kommentar", mask_other_cols=False).loc[0, "epost"] == EMAIL
    with pytest.raises(ValueError, match="nope"):
        code_dataframe(zs, _frame(), "kommentar", unredacted_cols=["nope"])


def test_code_dataframe_leaves_what_an_earlier_masking_pass_left(toy_codebook, fake_embedder):
    """The CLI masks the other columns first (with its notes) and leaves --unredacted-col columns."""
    zs = ZeroShotCoder(toy_codebook, fake_embedder)
    df, masked, _ = mask_personal_text(_frame(), skip=["kommentar", "epost"])
    assert masked == {}
    assert code_dataframe(zs, df, "kommentar").loc[0, "epost"] == EMAIL
    df = df.assign(kontakt=[EMAIL, ""])  # a column added afterwards is masked
    assert EMAIL not in code_dataframe(zs, df, "kommentar")["kontakt"].tolist()


# ---------------------------------------------------------------- L5: theme lists in evaluate_coding
def test_evaluate_coding_takes_theme_lists(toy_codebook):
    ids = toy_codebook.theme_ids
    truth, guess = [["mat"], ["pris", "mat"], [], ["ko"]], [["mat"], ["pris"], ["annet"], ["ko"]]
    a = evaluate_coding(truth, guess, ids)
    b = evaluate_coding(toy_codebook.to_matrix(truth), toy_codebook.to_matrix(guess), ids)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.per_theme, b.per_theme)
    with pytest.raises(ValueError, match=r"y_pred: row 1: unknown theme id\(s\) 'kantine'"):
        evaluate_coding(truth, [["mat"], ["kantine"], [], []], ids)
    with pytest.raises(TypeError, match="rows of different lengths"):
        evaluate_coding([[0, 1, 0, 0], [1]], [[0, 1, 0, 0], [1, 0, 0, 0]], ids)


# ---------------------------------------------------------------- L7: a free-text column missing from a wave
def test_code_wave_warns_about_a_free_text_question_without_a_column():
    from textmine.classify.base import output_columns
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK, SAMPLE_DIR
    from textmine.pipeline import code_wave
    from textmine.survey import load_survey

    class Blank:
        codebook = load_codebook(DEFAULT_CODEBOOK)

        def predict_frame(self, cleaned):
            out = pd.DataFrame(0, index=cleaned.index, columns=output_columns(self.codebook))
            out[["themes", "type"]] = ""
            return out

    survey = load_survey(SAMPLE_DIR / "survey.yaml")
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2022.csv", dtype=str, keep_default_na=False).head(20)
    gone = [q for q in survey.free_text if q.column in df.columns][0]
    with pytest.warns(UserWarning, match=rf"free-text question '{gone.column}'.*no column '{gone.column}'"):
        coded = code_wave(df.drop(columns=[gone.column]), survey, coder=Blank())
    assert gone.column not in set(coded["question"])
