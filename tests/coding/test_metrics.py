"""Metrics on small hand-computed cases."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score, jaccard_score

from textmine.evaluate import (
    example_accuracy,
    accuracy_at_coverage,
    cohen_kappa,
    confusion_rates,
    corrected_shares,
    coverage_accuracy_curve,
    evaluate_coding,
    f1_summary,
    krippendorff_alpha_nominal,
    per_theme_prf,
    theme_share_error,
)

# 4 comments × 2 themes
Y_TRUE = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
Y_PRED = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])


def test_per_theme_prf_hand_computed():
    prf = per_theme_prf(Y_TRUE, Y_PRED, ["a", "b"]).set_index("theme")
    # theme a: tp=2 fp=0 fn=0 -> P=R=F1=1 ; theme b: tp=1 fp=1 fn=1 -> P=R=F1=0.5
    assert prf.loc["a", ["precision", "recall", "f1"]].tolist() == [1.0, 1.0, 1.0]
    assert prf.loc["b", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert prf.loc["b", "support"] == 2 and prf.loc["b", "predicted"] == 2


def test_f1_summary_hand_computed_and_vs_sklearn():
    s = f1_summary(Y_TRUE, Y_PRED)
    # micro: tp=3 fp=1 fn=1 -> P=R=0.75
    assert s["micro_f1"] == pytest.approx(0.75)
    assert s["macro_f1"] == pytest.approx(0.75)
    assert s["weighted_f1"] == pytest.approx((1.0 * 2 + 0.5 * 2) / 4)
    # rows: 2/3, 2/3, 1, 1 (both empty = 1)
    assert s["samples_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1 + 1) / 4)
    assert s["exact_match"] == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 2, (50, 5)), rng.integers(0, 2, (50, 5))
    mine = f1_summary(t, p)
    for avg in ("micro", "macro", "weighted"):
        assert mine[f"{avg}_f1"] == pytest.approx(f1_score(t, p, average=avg, zero_division=0))


def test_cohen_kappa_hand_and_sklearn():
    a = [1, 1, 0, 0, 1, 0]
    b = [1, 0, 0, 0, 1, 1]
    # po = 4/6; pe = (3/6*3/6) + (3/6*3/6) = 0.5 -> kappa = (2/3-1/2)/(1/2) = 1/3
    assert cohen_kappa(a, b) == pytest.approx(1 / 3)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    assert cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) == 1.0


def test_krippendorff_alpha_hand_computed():
    # two coders, four units: (1,1) (1,0) (0,0) (0,0)
    # coincidences: o11=2, o10=o01=1, o00=4 ; n1=3 n0=5 n=8
    # alpha = 1 - (n-1) * o10*2 / (n1*n0*2) = 1 - 7*2/30 = 8/15
    data = np.array([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)
    assert krippendorff_alpha_nominal(data) == pytest.approx(1 - 7 * 2 / 30)
    # perfect agreement with variation -> 1; a unit with a missing code is skipped
    data2 = np.array([[1, 0, 1, np.nan], [1, 0, 1, 1]])
    assert krippendorff_alpha_nominal(data2) == pytest.approx(1.0)


def test_krippendorff_alpha_known_example_three_coders():
    # Krippendorff (2011) style: 3 coders with missing values, nominal; computed by hand:
    # units: (a,a,a) (a,b,-) (b,b,b)
    data = np.array([["a", "a", "b"], ["a", "b", "b"], ["a", None, "b"]], dtype=object)
    # unit1 (m=3): o_aa += 6/2 = 3 ; unit2 (m=2): o_ab=o_ba=1 ; unit3: o_bb=3
    # n_a = 4, n_b = 4, n = 8 ; alpha = 1 - 7 * 2 / (64 - 32) = 1 - 14/32
    assert krippendorff_alpha_nominal(data) == pytest.approx(1 - 14 / 32)


def test_coverage_accuracy_curve_and_at_coverage():
    conf = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    ok = np.array([1, 1, 0, 1, 0])
    curve = coverage_accuracy_curve(conf, ok)
    assert curve["coverage"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert curve["accuracy"].tolist() == pytest.approx([1.0, 1.0, 2 / 3, 0.75, 0.6])
    at = accuracy_at_coverage(conf, ok, 0.6)
    assert at["threshold"] == 0.7 and at["accuracy"] == pytest.approx(2 / 3)
    # ties are auto-coded together
    curve2 = coverage_accuracy_curve([0.5, 0.5, 0.1], [1, 0, 1])
    assert curve2["coverage"].tolist() == pytest.approx([2 / 3, 1.0])


def test_share_error_and_corrected_shares():
    sh = theme_share_error(Y_TRUE, Y_PRED, ["a", "b"]).set_index("theme")
    assert sh.loc["a", "abs_error"] == 0.0
    assert sh.loc["b", "true_share"] == 0.5 and sh.loc["b", "pred_share"] == 0.5
    tpr, fpr = confusion_rates(Y_TRUE, Y_PRED)
    assert tpr.tolist() == [1.0, 0.5] and fpr.tolist() == [0.0, 0.5]
    # Rogan–Gladen: q=0.3, tpr=0.8, fpr=0.1 -> (0.3-0.1)/0.7
    assert corrected_shares([0.3], [0.8], [0.1])[0] == pytest.approx(0.2 / 0.7)
    assert corrected_shares([0.05], [0.8], [0.1])[0] == 0.0  # clipped
    assert corrected_shares([0.4], [0.3], [0.3])[0] == pytest.approx(0.4)  # no information -> raw


def test_corrected_share_recovers_truth_on_simulated_classifier():
    rng = np.random.default_rng(3)
    truth = rng.random(20000) < 0.2
    pred = np.where(truth, rng.random(20000) < 0.7, rng.random(20000) < 0.1)
    est = corrected_shares([pred.mean()], [0.7], [0.1])[0]
    assert abs(pred.mean() - truth.mean()) > 0.015  # the raw share is biased…
    assert abs(est - truth.mean()) < 0.008  # …the corrected one is not


def test_evaluate_coding_report():
    rep = evaluate_coding(Y_TRUE, Y_PRED, ["a", "b"], confidence=[0.9, 0.2, 0.8, 0.7], coverage=0.5)
    # the two most confident rows are 0 (wrong: extra theme b) and 2 (right)
    assert rep.summary["accuracy_at_50pct_coverage"] == 0.5
    # example-based accuracy of the same two rows: row 0 gets 1/2 (one of two themes), row 2 gets 1
    assert rep.summary["example_accuracy_at_50pct_coverage"] == pytest.approx(0.75)
    d = rep.to_dict()
    assert d["summary"]["macro_f1"] == pytest.approx(0.75)
    assert "a" in rep.to_text()


def test_example_accuracy_by_hand_and_against_sklearn():
    # rows: {a} vs {a,b} -> 1/2; {a,b} vs {a} -> 1/2; {b} vs {b} -> 1; {} vs {} -> 1 (nothing to code, nothing coded)
    assert example_accuracy(Y_TRUE, Y_PRED).tolist() == pytest.approx([0.5, 0.5, 1.0, 1.0])
    assert f1_summary(Y_TRUE, Y_PRED)["example_accuracy"] == pytest.approx(0.75)
    assert example_accuracy([[1, 0, 1]], [[0, 1, 0]]).tolist() == [0.0]
    rng = np.random.default_rng(5)
    t, p = rng.random((200, 6)) < 0.3, rng.random((200, 6)) < 0.3
    assert example_accuracy(t, p).mean() == pytest.approx(jaccard_score(t, p, average="samples", zero_division=1.0))


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        f1_summary(np.zeros((3, 2)), np.zeros((3, 3)))
