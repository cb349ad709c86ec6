"""Coders used as an analyst in a notebook would (mis)use them: wrong shapes, stray values, refits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.classify import SupervisedCoder, ZeroShotCoder


def _sc(codebook, embedder, **kw):
    return SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3, **kw)


# ------------------------------------------------------------------ fixed defects
def test_fit_reads_types_case_insensitively(codebook, embedder, train, fitted):
    """Was: "Klage" is not "klage", so every type was silently dropped and no type model was trained."""
    shouting = _sc(codebook, embedder).fit(train["text"], train["themes"], train["type"].str.capitalize())
    assert shouting.type_model_ is not None
    probe = ["Maten var kald.", "Gi oss rabatt.", "Hyggelig musikk."]
    assert shouting.predict(probe)["type"].tolist() == fitted.predict(probe)["type"].tolist()


def test_fit_refuses_unknown_types_before_training(codebook, embedder, train):
    types = train["type"].tolist()
    types[3] = "forslag"
    with pytest.raises(ValueError, match=r"not among the codebook's types klage, ønske, ros \(rows 3"):
        _sc(codebook, embedder).fit(train["text"], train["themes"], types)


def test_zero_shot_refit_forgets_the_scales_of_an_earlier_fit(codebook, embedder, train):
    """Was: a refit on fewer than 30 comments kept the per-theme scales of the previous (larger) fit."""
    many = [f"{t} ({i})" for i in range(3) for t in train["text"]]
    few = train["text"].tolist()[:10]
    refit = ZeroShotCoder(codebook, embedder).fit(many).fit(few)
    fresh = ZeroShotCoder(codebook, embedder).fit(few)
    assert refit.theme_mean_ is None
    pd.testing.assert_frame_equal(refit.predict(few), fresh.predict(few))
    assert ZeroShotCoder(codebook, embedder).fit(many).fit([]).theme_mean_ is None


@pytest.mark.parametrize("bad, match", [
    (pd.DataFrame({"kommentar": ["Maten er kald", "Dyrt"]}), "got a DataFrame"),
    ({"a": "Maten er kald"}, "got a dict"),
    (np.array([["Maten er kald"], ["Dyrt"]]), r"shape \(2, 1\)"),
    ("Maten er kald", "wrap a single text"),
])
def test_predict_refuses_what_is_not_a_list_of_texts(codebook, embedder, bad, match):
    """Was: a DataFrame was coded as its column names, a dict as its keys, a 2-D array as printed arrays."""
    with pytest.raises(TypeError, match=match):
        ZeroShotCoder(codebook, embedder).predict(bad)


def test_fit_refuses_a_string_or_frame_of_texts_or_labels(codebook, embedder, train):
    with pytest.raises(TypeError, match="got a DataFrame"):
        _sc(codebook, embedder).fit(train[["text"]], train["themes"])
    with pytest.raises(TypeError, match="labels: expected one theme list per text"):
        _sc(codebook, embedder).fit(["Maten er kald"], "mat")


def test_series_with_different_indexes_are_refused(codebook, embedder, train):
    """Rows are matched by position: two Series with different indexes would silently pair the wrong rows."""
    texts = train["text"]
    shuffled = train["themes"].sample(frac=1.0, random_state=1)
    with pytest.raises(ValueError, match="texts and labels are pandas Series with different indexes"):
        _sc(codebook, embedder).fit(texts, shuffled)
    with pytest.raises(ValueError, match="texts and types"):
        _sc(codebook, embedder).fit(texts, train["themes"], train["type"].iloc[::-1])
    s = pd.Series(["Maten er kald", "Dyrt"], index=[3, 4])
    with pytest.raises(ValueError, match="texts and questions"):
        ZeroShotCoder(codebook, embedder).predict(s, questions=pd.Series(["q1", "q2"], index=[4, 3]))


def test_fit_names_the_label_row_of_a_value_that_is_no_theme_list(codebook, embedder, train):
    labels = train["themes"].tolist()
    labels[2] = 5
    with pytest.raises(TypeError, match="labels row 2: expected theme ids as 'a;b' or a list of ids, got int"):
        _sc(codebook, embedder).fit(train["text"], labels)


def test_predict_before_fit_is_a_not_fitted_error(codebook, embedder):
    from textmine.classify import NotFittedError

    with pytest.raises(NotFittedError, match="not trained") as info:
        _sc(codebook, embedder).predict(["Maten er kald"])
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


def test_shares_given_as_percentages_are_refused(codebook, embedder):
    """Was: target_accuracy=90 (meant 90 %) silently sent every comment to review."""
    with pytest.raises(ValueError, match="target_accuracy must be a share in"):
        _sc(codebook, embedder, target_accuracy=90)
    with pytest.raises(ValueError, match="review_threshold must be a confidence in"):
        ZeroShotCoder(codebook, embedder, review_threshold=35)


# ------------------------------------------------------------------ checked and fine (kept as regressions)
def test_fit_returns_self_and_does_not_touch_the_callers_frame(codebook, embedder, train):
    df = train.set_index(pd.Index(range(100, 100 + len(train))))
    before = df.copy(deep=True)
    coder = _sc(codebook, embedder, lexical_share=0.0)
    assert coder.fit(df["text"], df["themes"], df["type"]) is coder
    pd.testing.assert_frame_equal(df, before)


def test_predict_keeps_the_index_and_order_and_handles_blanks(fitted):
    s = pd.Series(["Køen er lang", None, "Maten er kald", float("nan"), ""], index=[10, 5, 7, 2, 9])
    before = s.copy()
    out = fitted.predict(s)
    assert out.index.tolist() == [10, 5, 7, 2, 9]
    assert out.loc[10, "theme_ko"] == 1 and out.loc[7, "theme_mat"] == 1
    assert out.loc[[5, 2, 9], "themes"].tolist() == ["", "", ""]
    pd.testing.assert_series_equal(s, before)
    empty = fitted.predict([])
    assert len(empty) == 0 and list(empty.columns) == list(out.columns)


def test_same_input_and_seed_give_the_same_output(codebook, embedder, train, fitted):
    again = _sc(codebook, embedder).fit(train["text"].tolist(), train["themes"].tolist(), train["type"].tolist())
    probe = train["text"].tolist()[:6]
    pd.testing.assert_frame_equal(again.predict(probe), fitted.predict(probe))
