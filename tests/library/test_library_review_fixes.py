"""Fixes from a notebook user's review of the library API: missing codes in Cohen's kappa, discovery's errors,
a difference CI inside [-1, 1], missing weights said out loud, labelled rows without an answer named, numbers
read with gaps kept as written, and "n.a." as a non-answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.evaluate import cohen_kappa, krippendorff_alpha_nominal


def test_cohen_kappa_leaves_out_items_a_coder_left_missing():
    a, b = [1, 0, np.nan, 1, 0], [1, 0, np.nan, 1, 0]
    assert cohen_kappa(a, b) == 1.0 == krippendorff_alpha_nominal([a, b])  # was 0.706: NaN ≠ NaN
    assert cohen_kappa(["a", None, "b"], ["a", None, "b"]) == 1.0  # was a TypeError sorting None with str
    assert cohen_kappa([1, 0, 1, pd.NA], [1, 1, 1, 0]) == pytest.approx(cohen_kappa([1, 0, 1], [1, 1, 1]))
    assert np.isnan(cohen_kappa([None, None], [1, 0]))
    from sklearn.metrics import cohen_kappa_score

    x, y = [1, 0, 1, 1, 0, 2, 2, 1], [1, 1, 1, 0, 0, 2, 1, 1]
    assert cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))
    with pytest.raises(ValueError, match="same items"):
        cohen_kappa([1, 0], [1])


def test_discovery_errors_say_what_is_wrong():
    from textmine.discover import discover_themes

    with pytest.raises(ValueError, match="texts is empty"):
        discover_themes([], seed=1)
    from textmine.embed import get_embedder

    res = discover_themes(["Lang ventetid på telefon"] * 3 + ["Refusjonen kom for sent"] * 3, seed=1,
                          embedder=get_embedder("lexical"))
    with pytest.raises(KeyError, match="no topic 999; the topic ids are"):
        res.topic(999)


def test_difference_ci_stays_within_minus_one_and_one():
    from textmine.stats import two_proportion_test

    r = two_proportion_test(0.625, 4.0, 1 / 6, 6.0)  # small Kish n: a Wald interval would overshoot -1
    assert -1.0 <= float(r["ci_low"]) < float(r["diff"]) < float(r["ci_high"]) <= 1.0
    assert -1.0 < float(r["ci_low"]) < -0.5  # Newcombe's score interval stays inside without clipping
    assert r["test"] == "fisher" and 0.2 < float(r["p_value"]) <= 1.0  # small counts: Fisher, far from "significant"


def test_a_missing_weight_is_left_out_with_a_warning():
    from textmine.stats import proportion

    with pytest.warns(UserWarning, match=r"1 answered row\(s\) have no weight \(NaN, first at position 1\)"):
        est = proportion([1, 0, 1], [1, np.nan, 1])
    assert (est.n, est.share) == (2, 1.0)


def test_labelled_rows_without_an_answer_are_named_when_fitting(codebook, train, embedder):
    from textmine.classify import SupervisedCoder

    texts = train["text"].tolist()
    texts[3] = None
    texts[5] = "vet ikke"
    with pytest.warns(UserWarning, match=r"2 labelled row\(s\) have a theme but no answer.*row 3, row 5"):
        SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=2).fit(texts, train["themes"])


def test_numbers_read_with_gaps_stay_as_written_and_na_is_a_non_answer():
    from textmine.preprocess import Cleaner, is_non_answer

    out = Cleaner().transform(pd.Series([12345, np.nan, 7]))
    assert out["text_clean"].tolist() == ["12345", "", "7"]  # was "12345.0", "7.0"
    assert is_non_answer("n.a.") and is_non_answer("N/A") and not is_non_answer("Nei, aldri fått svar")
