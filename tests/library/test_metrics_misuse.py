"""Evaluation and inter-coder agreement with label matrices and frames that do not quite fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.agreement import intercoder_agreement
from textmine.evaluate import (accuracy_at_coverage, evaluate_coding, f1_summary, per_theme_agreement,
                               theme_share_error)

IDS = ["mat", "pris", "ko", "annet"]


def test_missing_labels_are_an_error_not_a_zero():
    """Was: NaN (e.g. rows a left merge left unmatched) silently counted as "theme absent"."""
    y_true = np.array([[1, 0], [np.nan, 1], [0, 1]])
    y_pred = np.array([[1, 0], [1, 1], [0, 1]])
    with pytest.raises(ValueError, match=r"y_true: row 1, column 0: missing value \(NaN\)"):
        f1_summary(y_true, y_pred)
    with pytest.raises(TypeError, match="y_pred: expected a 0/1 matrix .* Codebook.to_matrix"):
        f1_summary([[1]], [["mat"]])


def test_theme_ids_of_the_wrong_length_are_named():
    z = np.zeros((3, 3), dtype=int)
    with pytest.raises(ValueError, match=r"got 2 theme ids for a label matrix with 3 theme column\(s\)"):
        evaluate_coding(z, z, ["a", "b"])


def test_coverage_outside_zero_one_is_refused():
    """Was: an IndexError from pandas for coverage=1.5 (or 60 meant as 60 %)."""
    with pytest.raises(ValueError, match=r"coverage must be a share in \(0, 1\]"):
        accuracy_at_coverage([0.2, 0.9], [1, 0], 60)


def test_share_error_checks_its_weights():
    y = np.eye(3, dtype=int)
    with pytest.raises(ValueError, match="got 2 weights for 3 rows"):
        theme_share_error(y, y, weights=[1, 2])
    with pytest.raises(ValueError, match="weights: row 1: expected a finite number ≥ 0"):
        theme_share_error(y, y, weights=[1, -1, 1])


def test_a_theme_nobody_used_does_not_count_as_perfect_agreement():
    """Was: kappa/alpha 1.0 for a theme neither side used, so all-zero codings had mean kappa 1.0 (macro F1 0.0),
    and unused themes inflated the mean kappa of every real comparison."""
    zero = np.zeros((5, 3), dtype=int)
    per = per_theme_agreement(zero, zero, ["a", "b", "c"])
    assert per["kappa"].isna().all() and per["alpha"].isna().all()
    s = evaluate_coding(zero, zero, ["a", "b", "c"]).summary
    assert np.isnan(s["mean_kappa"]) and np.isnan(s["mean_alpha"])
    t = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    p = np.array([[1, 0, 0], [0, 0, 0], [1, 1, 0], [0, 1, 0]])
    rep = evaluate_coding(t, p, ["a", "b", "c"])  # theme c: used by neither side
    kappas = rep.per_theme.set_index("theme")["kappa"]
    assert rep.summary["mean_kappa"] == pytest.approx(kappas[["a", "b"]].mean())
    assert "nan" in rep.to_text()


def test_agreement_ignores_the_case_of_types():
    """Was: "Klage" vs "klage" counted as a type disagreement (the CLI documents case as ignored)."""
    first = pd.DataFrame({"id": [1, 2, 3], "themes": ["mat", "pris", "ko"], "type": ["klage", "ros", "ønske"]})
    second = first.assign(type=["Klage", "ROS", "Ønske"])
    rep = intercoder_agreement(first, second, IDS)
    assert rep.summary["type_agreement"] == 1.0 and rep.disagreements.empty


def test_agreement_on_all_empty_codings_is_undefined_not_perfect():
    first = pd.DataFrame({"id": ["a", "b", "c"], "themes": ["", "", ""]})
    s = intercoder_agreement(first, first.copy(), IDS).summary
    assert np.isnan(s["mean_kappa"]) and np.isnan(s["pooled_alpha"])
    assert s["exact_match"] == 1.0 and s["n_units"] == 3


def test_agreement_reads_missing_theme_cells_of_a_string_column():
    """Was: pd.NA in a "string" themes column crashed with "'NAType' object is not iterable"."""
    first = pd.DataFrame({"id": ["a", "b"], "themes": pd.array([pd.NA, "mat"], dtype="string")})
    second = pd.DataFrame({"id": ["b", "a"], "themes": ["mat", ""]})
    assert intercoder_agreement(first, second, IDS).summary["exact_match"] == 1.0


def test_agreement_refuses_one_string_as_theme_ids():
    first = pd.DataFrame({"id": ["a"], "themes": ["mat"]})
    with pytest.raises(TypeError, match="theme_ids: expected a list"):
        intercoder_agreement(first, first, "mat")


def test_checked_and_fine_unmatched_ids_and_lengths():
    first = pd.DataFrame({"id": ["a", "b"], "themes": ["mat", "pris"]})
    with pytest.raises(ValueError, match="share no 'id' values"):
        intercoder_agreement(first, first.assign(id=["x", "y"]), IDS)
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 2\) but y_pred has shape \(2, 2\)"):
        f1_summary(np.zeros((3, 2)), np.zeros((2, 2)))
    s = f1_summary(np.zeros((3, 2)), np.zeros((3, 2)))  # nothing to find, nothing found: F1 0 as sklearn's zero_division=0
    assert s["macro_f1"] == 0.0 and s["micro_f1"] == 0.0
