"""The shipped fast model (``models/fast``: the default coder on e5-static vectors) and the service setting
that makes it the default."""

import json

import pandas as pd
import pytest

from textmine.paths import DEFAULT_MODEL_DIR, EVAL_DIR, FAST_MODEL_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fast():
    from textmine.classify import default_coder

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    return default_coder(FAST_MODEL_DIR, strict=True)


def test_fast_model_runs_without_the_encoder_and_codes_plain_cases(fast):
    from textmine.classify import SupervisedCoder

    assert isinstance(fast, SupervisedCoder) and fast.embedder.name == "e5-static"
    out = fast.predict(["Umulig å komme gjennom på telefon, vi sitter i telefonkø i en time.",
                        "Refusjonen av sykepenger kommer alt for sent.", "vet ikke",
                        "Ring meg på 912 34 567 om refusjonen"])
    assert out.loc[0, "theme_telefon"] == 1 and out.loc[1, "theme_refusjon"] == 1
    assert out.loc[2, "themes"] == "" and out.loc[2, "needs_review"] == 0
    assert out.loc[3, "theme_refusjon"] == 1
    assert set(out["type"]) <= {"klage", "ønske", "ros", ""}


def test_fast_model_reproduces_the_eval_figures_it_ships_with(fast):
    """metrics.json's eval-set figures are what the artefact does (not a leftover of an earlier build)."""
    from textmine.codebook import parse_theme_list
    from textmine.evaluate import evaluate_coding

    ev = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)
    pred = fast.predict(ev["text"].tolist(), ev["question"].tolist())
    ids = fast.codebook.theme_ids
    rep = evaluate_coding(fast.codebook.to_matrix([parse_theme_list(v) for v in ev["themes"]]),
                          pred[[f"theme_{t}" for t in ids]].to_numpy(), ids, confidence=pred["confidence"].to_numpy())
    shipped = json.loads((FAST_MODEL_DIR / "metrics.json").read_text())["eval_set"]
    # the e5-static table is rebuilt per machine in float32: a borderline answer may flip elsewhere
    for key in ("macro_f1", "weighted_f1", "exact_match", "accuracy_at_60pct_coverage"):
        assert rep.summary[key] == pytest.approx(shipped[key], abs=0.01), key
    # and it is the quality trade it claims against the default model: within 0.02 macro-F1
    default = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text())["eval_set"]
    assert rep.summary["macro_f1"] > default["macro_f1"] - 0.02
