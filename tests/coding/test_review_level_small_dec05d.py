"""Review (abstention) level on thin out-of-fold evidence, praise cues of the zero-shot type rules, and an answer
that is a codebook keyword ("chat") kept for training (reviewer round dec05d, NAV personal-user codebook)."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from textmine import stats
from textmine.classify import SupervisedCoder, load_coder
from textmine.classify.calibration import review_threshold_for
from textmine.classify.supervised import REVIEW_MIN_AUTO, review_level_evidence
from textmine.classify.typefacet import CUES, TypeRules, cue_features
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]


def _oof(n_top: int, n_top_right: int, n_rest: int, n_rest_right: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold confidences and correctness: ``n_top`` confident rows then ``n_rest`` less confident ones (their
    right ones least confident)."""
    conf = np.r_[np.linspace(0.99, 0.80, n_top), np.linspace(0.60, 0.10, n_rest)]
    ok = np.r_[np.arange(n_top) < n_top_right, np.arange(n_rest) >= n_rest - n_rest_right].astype(float)
    # the wrong confident answer sits in the middle of the confident block, as out of fold
    if n_top_right < n_top:
        ok[:n_top] = np.roll(ok[:n_top], n_top // 2)
    return conf, ok


def test_reviewer_case_16_auto_coded_of_52_sends_everything_to_review():
    """The reviewer's numbers: 52 out-of-fold answers, the fitted level auto-codes 16 (31 %), 15 right; a 95 %
    lower bound of 0.76 cannot hold 0.9, so the level is raised and nothing is auto-coded."""
    conf, ok = _oof(16, 15, 36, 10)
    fitted = review_threshold_for(conf, ok, target_accuracy=0.9)
    assert (conf >= fitted).sum() == 16  # what the old training report claimed: 31 % auto-coded
    ev = review_level_evidence(conf, ok, fitted, 0.9)
    assert ev["raised"] and ev["level"] == 1.0 and ev["n_auto"] == 0
    assert (ev["n_auto_fitted"], ev["correct_auto_fitted"]) == (16, 15)
    assert ev["accuracy_low_fitted"] == pytest.approx(stats.wilson_ci(15, 16, 0.9)[0]) == pytest.approx(0.76, abs=0.01)


def test_enough_evidence_keeps_the_fitted_level():
    """300 confident answers, one wrong, then weaker ones: the fitted level's point accuracy is just over 0.9 and its
    lower bound (about 0.87) is sampling error, not thin evidence."""
    conf, ok = _oof(300, 299, 100, 40)
    fitted = review_threshold_for(conf, ok, target_accuracy=0.9)
    ev = review_level_evidence(conf, ok, fitted, 0.9)
    assert not ev["raised"] and ev["level"] == fitted and ev["n_auto_fitted"] >= 300


def test_thin_evidence_raises_to_the_lowest_level_that_holds_the_target():
    """20 confident answers all right, then 40 half right: the fitted level takes 25 (23 right, point accuracy 0.92)
    but their lower bound (0.76) does not hold, so the level rises to 21 answers all right, not all the way to 1."""
    conf = np.r_[np.linspace(0.99, 0.70, 20), np.linspace(0.69, 0.40, 40)]
    ok = np.r_[np.ones(20), np.tile([1.0, 0.0], 20)]
    fitted = review_threshold_for(conf, ok, target_accuracy=0.9)
    ev = review_level_evidence(conf, ok, fitted, 0.9)
    assert ev["raised"] and fitted < ev["level"] < 1.0
    above = conf >= ev["level"]
    assert (conf >= fitted).sum() == 25 and above.sum() == 21 == ev["n_auto"]
    assert stats.wilson_ci(ok[above].sum(), above.sum(), 0.9)[0] >= ev["min_accuracy_low"] == pytest.approx(0.85)
    below = conf >= conf[conf < ev["level"]].max()  # one step lower no longer holds
    assert stats.wilson_ci(ok[below].sum(), below.sum(), 0.9)[0] < 0.85


def test_training_on_few_labels_is_conservative_and_says_so_with_the_numbers():
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    with pytest.warns(UserWarning, match=r"too little out-of-fold evidence for target accuracy 0\.90") as got:
        coder = SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=3, lexical_share=0.0).fit(
            list(texts), list(labels), list(types))
    ev = coder.training_metrics_["review_evidence"]
    said = " ".join(str(w.message) for w in got if "out-of-fold evidence" in str(w.message))
    for part in (f"review level {ev['fitted_level']:.3f}", f"{ev['correct_auto_fitted']} of {ev['n_auto_fitted']} "
                 "out-of-fold answers", f"lower bound {ev['accuracy_low_fitted']:.2f}", "from 24 labelled answers",
                 "every answer is sent to review"):
        assert part in said
    assert ev["raised"] and ev["n_oof"] == 24 and coder.review_threshold == ev["level"]
    assert ev["level"] > ev["fitted_level"]
    assert coder.training_metrics_["oof_auto_coded_share"] < ev["n_auto_fitted"] / 24  # the report's share follows
    out = coder.predict(["Maten var kald.", "Køen er lang."])
    assert (out["needs_review"] == 1).all()


def test_a_fixed_review_level_is_kept_without_evidence_check():
    texts, labels, types = zip(*TOY_TRAIN, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        coder = SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=3, lexical_share=0.0,
                                review_threshold=0.3).fit(list(texts), list(labels), list(types))
    assert coder.review_threshold == 0.3 and "review_evidence" not in coder.training_metrics_


def test_the_shipped_model_keeps_its_saved_level():
    """Loaded, not refitted: the saved level stands (eval: macro-F1 0.862, auto-coded 0.577)."""
    saved = json.loads((ROOT / "models/default/manifest.json").read_text(encoding="utf-8"))["params"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        coder = load_coder(ROOT / "models/default")
    assert coder.review_threshold == pytest.approx(saved["review_threshold"])


# ---------------------------------------------------------------- type facet: praise the rules missed
@pytest.mark.parametrize("text", [
    "Veilederen min på NAV-kontoret har vært til stor hjelp, hun tok seg tid.",
    "Ho har vore til stor hjelp for meg.",
    "kjempeflinke folk",
    "Flott service på telefon",
    "Flotte folk på kontoret",
    "Kontakten vår er gull verdt",
    "Saksbehandlaren var gull verd",
    "Alt i orden",
    "Alt er i skjønn orden",
    "Dyktige og kunnskapsrike saksbehandlere",
    "Veldig gode erfaringer med NAV-kontoret",
    "Fint at dere spør oss.",
])
def test_praise_is_ros_in_zero_shot_rules(text):
    assert TypeRules().predict([text]) == ["ros"]


@pytest.mark.parametrize("text, expected", [
    ("Ikkje til stor hjelp i det heile", "klage"),
    ("ikke flott i det hele tatt", "klage"),
    ("En sjekkliste for sykmeldingsperioden ville vært gull verdt.", "ønske"),
    ("Lettere å få kontakt med sykmelder ville hjulpet oss mye.", "ønske"),
    ("Umulig å komme gjennom på telefon. Ringte 6 ganger i går.", "klage"),
])
def test_negated_or_hypothetical_praise_is_not_ros(text, expected):
    assert TypeRules().predict([text]) == [expected]


def test_trained_type_models_keep_their_inputs():
    """The praise cues are zero-shot rules only: the cue features a trained type model reads are unchanged."""
    assert "flott" not in CUES["ros"] and "gull verdt" not in CUES["ros"]
    assert cue_features(["kjempeflinke folk, gull verdt, alt i orden"]).tolist() == [[0.0, 0.0, 0.0, 0.0]]


# ---------------------------------------------------------------- an answer that is a codebook keyword
def _chat_codebook() -> Codebook:
    d = json.loads(json.dumps(TOY_CODEBOOK))
    d["themes"][2]["keywords"] = [*d["themes"][2]["keywords"], "chat"]
    return Codebook.from_dict(d)


def test_an_answer_that_is_a_codebook_keyword_is_not_a_non_answer():
    coder = SupervisedCoder(_chat_codebook(), FakeEmbedder())
    out = coder.clean(["chat", "xqz", "vet ikke", "Chat"])
    assert out["is_non_answer"].tolist() == [0, 1, 1, 0]


def test_a_labelled_keyword_answer_is_trained_on_not_dropped():
    texts, labels, types = (list(v) for v in zip(*TOY_TRAIN, strict=True))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no answer to learn from", category=UserWarning)
        warnings.filterwarnings("ignore", message="too little out-of-fold evidence", category=UserWarning)
        coder = SupervisedCoder(_chat_codebook(), FakeEmbedder(), cv=3, lexical_share=0.0).fit(
            texts + ["chat"], labels + ["ko"], types + ["klage"])
    assert coder.n_train_ == len(TOY_TRAIN) + 1
