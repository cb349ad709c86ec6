"""Quality floors on the hand-labelled evaluation sets and the generated sample (skipped if absent)."""

import pytest

from textmine.paths import EVAL_DIR, SAMPLE_DIR


@pytest.mark.skipif(not (EVAL_DIR / "pii_cases.csv").exists(), reason="data/eval/pii_cases.csv missing")
def test_pii_cases_recall_and_precision(resources):
    from textmine.preprocess import Cleaner
    from textmine.preprocess.pii_eval import evaluate_pii_cases

    df = evaluate_pii_cases(cleaner=Cleaner(detect_language=False, lemmatize=False, resources=resources))
    per_type = df[df["pii_type"] != "ALL"].set_index("pii_type")
    total = df[df["pii_type"] == "ALL"].iloc[0]
    assert total["recall"] >= 0.97
    assert (per_type["recall"] >= 0.9).all(), per_type
    assert total["fp"] <= 0.05 * total["negatives"]  # hard negatives destroyed
    assert total["f2"] >= 0.95


@pytest.mark.skipif(not list(SAMPLE_DIR.glob("pii_*.csv")), reason="sample PII not generated")
def test_sample_recall_and_over_redaction(resources):
    from textmine.preprocess import Cleaner
    from textmine.preprocess.pii_eval import evaluate_sample_pii, sample_false_positive_rate

    cleaner = Cleaner(detect_language=False, lemmatize=False, resources=resources)
    s = evaluate_sample_pii(cleaner=cleaner)
    assert len(s) > 0 and s["caught"].mean() >= 0.95
    assert sample_false_positive_rate(cleaner=cleaner)["rate"] <= 0.02


def test_faker_generated_pii_recall(resources):
    from textmine.preprocess import Cleaner
    from textmine.preprocess.pii_eval import faker_stress

    d = faker_stress(n_per_type=40, seed=3, cleaner=Cleaner(detect_language=False, lemmatize=False, resources=resources))
    assert d.groupby("pii_type")["caught"].mean().min() >= 0.95


@pytest.mark.skipif(not (EVAL_DIR / "eval_set.csv").exists(), reason="data/eval/eval_set.csv missing")
def test_language_accuracy(resources):
    from textmine.preprocess import Cleaner
    from textmine.preprocess.pii_eval import language_accuracy

    res = language_accuracy(cleaner=Cleaner(lemmatize=False, resources=resources))
    assert res["accuracy"] >= 0.93


def test_own_holdout_cases(resources):
    """40 cases written for this module (checksums computed, names outside the eval set's style)."""
    from pathlib import Path

    from textmine.preprocess import Cleaner
    from textmine.preprocess.pii_eval import evaluate_pii_cases

    path = Path(__file__).with_name("pii_holdout.csv")
    df = evaluate_pii_cases(path, cleaner=Cleaner(detect_language=False, lemmatize=False, resources=resources))
    total = df[df["pii_type"] == "ALL"].iloc[0]
    assert total["recall"] >= 0.95 and total["fp"] <= 1
