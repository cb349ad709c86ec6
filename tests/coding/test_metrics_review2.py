"""Review of the evaluation metrics (second round): edge cases found by hand and against sklearn / a direct
Krippendorff's alpha, and the defects they exposed."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support

from textmine.evaluate import (
    accuracy_at_coverage,
    cohen_kappa,
    coverage_accuracy_curve,
    evaluate_coding,
    f1_summary,
    krippendorff_alpha_nominal,
    per_theme_prf,
    theme_share_error,
)


def _alpha_direct(data):
    """Krippendorff's nominal alpha from its definition: pairable values, every ordered pair within a unit."""
    data = np.asarray(data, dtype=float)
    units = [u[~np.isnan(u)] for u in data.T]
    units = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in units)
    d_o = sum(sum(a != b for i, a in enumerate(u) for j, b in enumerate(u) if i != j) / (len(u) - 1) for u in units)
    allv = np.concatenate(units)
    d_e = sum(a != b for a in allv for b in allv) / (n - 1)
    return 1 - d_o / d_e


def test_metrics_match_sklearn_and_direct_alpha_on_random_cases():
    rng = np.random.default_rng(0)
    for _ in range(60):
        n, k = int(rng.integers(2, 25)), int(rng.integers(2, 5))
        t = (rng.random((n, k)) < rng.random()).astype(int)
        p = (rng.random((n, k)) < rng.random()).astype(int)
        prf = per_theme_prf(t, p)
        pr, rc, f, _ = precision_recall_fscore_support(t, p, average=None, zero_division=0, labels=range(k))
        np.testing.assert_allclose(prf[["precision", "recall", "f1"]].to_numpy().T, [pr, rc, f])
        s = f1_summary(t, p)
        assert s["micro_f1"] == pytest.approx(f1_score(t, p, average="micro", zero_division=0))
        assert s["weighted_f1"] == pytest.approx(f1_score(t, p, average="weighted", zero_division=0))
        for j in range(k):
            a, b = t[:, j], p[:, j]
            if len(set(a) | set(b)) > 1:
                assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
                if len(set(a.tolist() + b.tolist())) > 1:
                    assert krippendorff_alpha_nominal(np.vstack([a, b]).astype(float)) == pytest.approx(
                        _alpha_direct(np.vstack([a, b])))


def test_scores_instead_of_codes_are_refused_naming_row_and_column():
    # before: every nonzero score counted as a code (0.1 → 1), so precision/recall were silently wrong
    with pytest.raises(ValueError, match=r"y_pred: row 0, column 1: value 0.2; expected 0 or 1"):
        f1_summary([[1, 0], [0, 1]], [[1, 0.2], [0.1, 1]])
    with pytest.raises(ValueError, match=r"y_true: row 1, column 0: value -1"):
        per_theme_prf([[1, 0], [-1, 1]], [[1, 0], [0, 1]])
    # 0/1 as bools, ints and floats still work
    assert f1_summary(np.array([[True, False]]), [[1.0, 0.0]])["micro_f1"] == 1.0


def test_nan_confidence_is_refused_naming_the_row():
    # before: NaN confidences sorted last, each its own "threshold" NaN, and the threshold at full coverage was NaN
    with pytest.raises(ValueError, match=r"confidence: row 1: missing value \(NaN\)"):
        coverage_accuracy_curve([0.9, np.nan, 0.8], [1, 0, 1])
    with pytest.raises(ValueError, match=r"confidence: row 3: missing value"):
        accuracy_at_coverage([0.9, 0.8, 0.1, np.nan], [1, 1, 0, 0], 1.0)
    with pytest.raises(ValueError, match=r"confidence: row 0"):
        evaluate_coding([[1, 0]], [[1, 0]], ["a", "b"], confidence=[np.nan])


def test_ties_at_the_coverage_threshold_are_auto_coded_together():
    conf, ok = [0.9, 0.8, 0.8, 0.8, 0.1], [1, 0, 1, 1, 0]
    at = accuracy_at_coverage(conf, ok, 0.6)
    # 60 % is 3 rows, but the tie at 0.8 auto-codes rows 1–3 together: 4 rows, 3 right
    assert at == {"threshold": 0.8, "coverage": 0.8, "accuracy": 0.75}


def test_repeated_theme_ids_are_refused():
    # before: the per-theme table and the printed report held every pairing of the repeated id (4 rows for 2)
    with pytest.raises(ValueError, match=r"unique.*\['a'\]"):
        evaluate_coding([[1, 0], [0, 1]], [[1, 0], [0, 1]], ["a", "a"])
    with pytest.raises(ValueError, match="unique"):
        theme_share_error([[1, 0]], [[1, 0]], ["x", "x"])


def test_coverage_key_names_the_coverage_asked_for():
    y = [[1, 0], [0, 1], [1, 0]]
    rep = evaluate_coding(y, y, ["a", "b"], confidence=[0.5, 0.4, 0.3], coverage=0.57)
    # before: int(0.57 * 100) == 56
    assert "accuracy_at_57pct_coverage" in rep.summary
    assert "threshold_at_57pct_coverage" in rep.summary
    rep = evaluate_coding(y, y, ["a", "b"], confidence=[0.5, 0.4, 0.3], coverage=0.6)
    assert "accuracy_at_60pct_coverage" in rep.summary


def test_n1_all_empty_and_unused_theme_give_valid_json_matching_the_table():
    y_true = np.zeros((3, 2), dtype=int)
    y_true[0, 0] = 1
    y_pred = y_true.copy()
    rep = evaluate_coding(y_true, y_pred, ["a", "b"], confidence=[0.9, 0.5, 0.5])
    d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))  # no NaN tokens
    b = next(r for r in d["per_theme"] if r["theme"] == "b")
    assert b["kappa"] is None and b["alpha"] is None  # theme never used by either side
    assert d["summary"]["n"] == 3
    text = rep.to_text()
    # the printed summary shows the count as the JSON does (before: "n=3.000")
    assert "  n=3  " in text
    assert "n=3.000" not in text
    one = evaluate_coding([[0, 1]], [[0, 1]], ["a", "b"], confidence=[0.2])
    assert one.summary["accuracy_at_60pct_coverage"] == 1.0 and one.summary["n"] == 1


def test_shares_count_non_answers_in_the_denominator():
    # 4 comments, 2 of them non-answers (no theme): share of 'a' is 1 of 4
    t = [[1, 0], [0, 1], [0, 0], [0, 0]]
    p = [[1, 0], [1, 0], [0, 0], [0, 0]]
    sh = theme_share_error(t, p, ["a", "b"]).set_index("theme")
    assert sh.loc["a", "true_share"] == 0.25 and sh.loc["a", "pred_share"] == 0.5
    assert sh.loc["b", "abs_error"] == 0.25


def test_alpha_treats_pd_na_as_missing():
    # before: pd.NA (a nullable Int64 column's missing value) became a category of its own: 0.263 instead of 0.444
    with_nan = krippendorff_alpha_nominal([[1, 0, 1, np.nan], [1, 0, 0, 1]])
    assert with_nan == pytest.approx(_alpha_direct([[1, 0, 1, np.nan], [1, 0, 0, 1]]))
    nullable = pd.DataFrame([[1, 0, 1, None], [1, 0, 0, 1]], dtype="Int64").to_numpy()
    assert krippendorff_alpha_nominal(nullable) == pytest.approx(with_nan)
    assert krippendorff_alpha_nominal([[1, 0, 1, pd.NA], [1, 0, 0, 1]]) == pytest.approx(with_nan)


def test_alpha_several_coders_with_missing_values_matches_the_definition():
    rng = np.random.default_rng(1)
    checked = 0
    for _ in range(150):
        c, u = int(rng.integers(2, 5)), int(rng.integers(2, 15))
        d = rng.integers(0, int(rng.integers(2, 5)), (c, u)).astype(float)
        d[rng.random((c, u)) < 0.3] = np.nan
        pairable = (~np.isnan(d)).sum(0) >= 2
        vals = d[:, pairable]
        if not pairable.any() or len(np.unique(vals[~np.isnan(vals)])) < 2:
            continue
        assert krippendorff_alpha_nominal(d) == pytest.approx(_alpha_direct(d))
        checked += 1
    assert checked > 50
    assert np.isnan(krippendorff_alpha_nominal([[1, np.nan], [np.nan, 2]]))  # nothing pairable
    assert krippendorff_alpha_nominal([["klage", "ros", None], ["klage", "klage", "ros"]]) == pytest.approx(
        _alpha_direct([[0, 1, np.nan], [0, 0, 1]]))


def test_all_zero_weights_are_refused():
    # before: every share silently 0 (the total was replaced by 1)
    with pytest.raises(ValueError, match="weights: all 2 weights are 0"):
        theme_share_error([[1], [0]], [[1], [1]], weights=[0, 0])
    sh = theme_share_error([[1], [0]], [[1], [1]], weights=[3, 1])
    assert sh.loc[0, "true_share"] == 0.75 and sh.loc[0, "pred_share"] == 1.0


def test_json_has_no_infinity_tokens():
    # before: an infinite confidence reached the curve's threshold and json.dumps wrote `Infinity` (not JSON)
    rep = evaluate_coding([[1, 0], [0, 1]], [[1, 0], [0, 1]], ["a", "b"], confidence=[np.inf, 0.5])
    d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
    assert d["coverage_accuracy"][0]["threshold"] is None
    assert d["summary"]["accuracy_at_60pct_coverage"] == 1.0


def test_confidence_of_the_wrong_length_says_so():
    # before: "confidence and correct must have the same length" — evaluate_coding takes no `correct`
    with pytest.raises(ValueError, match=r"confidence: expected one number per row \(2\), got shape \(3,\)"):
        evaluate_coding([[1, 0], [0, 1]], [[1, 0], [0, 1]], ["a", "b"], confidence=[0.9, 0.5, 0.1])


def test_cli_evaluate_leaves_blank_rows_out(tmp_path):
    """Blank lines in a labelled file are no comments: counted, they would be free 'no theme' hits."""
    import json

    from textmine.paths import DEFAULT_CODEBOOK

    from ..clitools import run_cli

    rows = [("Umulig å komme gjennom på telefon", "telefon"), ("Refusjonen kom aldri", "refusjon"),
            ("Veldig god hjelp fra veilederen", "ros")]
    plain, gaps = tmp_path / "plain.csv", tmp_path / "gaps.csv"
    body = [f'"{t}",{th}' for t, th in rows]
    plain.write_text("text,themes\n" + "\n".join(body) + "\n", encoding="utf-8")
    gaps.write_text("text,themes\n" + body[0] + "\n,\n" + body[1] + "\n,\n" + body[2] + "\n", encoding="utf-8")
    out = {}
    for name, path in (("plain", plain), ("gaps", gaps)):
        res = run_cli("evaluate", path, "--codebook", DEFAULT_CODEBOOK, "--json", tmp_path / f"{name}.json")
        assert res.exit_code == 0, res.output
        out[name] = (json.loads((tmp_path / f"{name}.json").read_text()), res.output)
    assert out["gaps"][0]["summary"]["n"] == out["plain"][0]["summary"]["n"] == 3
    assert out["gaps"][0]["summary"] == out["plain"][0]["summary"]
    assert "2 blank row(s) left out of the evaluation (data row(s) 2, 4)" in " ".join(out["gaps"][1].split())
