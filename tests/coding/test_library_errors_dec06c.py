"""Library ergonomics from a user review: a Codebook object for code_wave, KeywordMatcher given to code_dataframe,
a misspelt question given to a coder's predict."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from textmine.classify import KeywordMatcher, SupervisedCoder, ZeroShotCoder
from textmine.classify.table import code_dataframe
from textmine.codebook import Codebook, load_codebook
from textmine.pipeline import code_wave
from textmine.survey import load_survey

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

ANSWERS = ["Maten var kald.", "Altfor dyrt, 120 kroner.", "Køen i kassa er lang.", "Stolene er harde."]


def _wave() -> pd.DataFrame:
    return pd.DataFrame({"rid": [f"r{i}" for i in range(len(ANSWERS))], "kommentar": ANSWERS})


# ---------------------------------------------------------------- 1: code_wave(codebook=<Codebook>)
def test_code_wave_takes_a_codebook_object_as_it_takes_its_file(cb, kantine_survey, fake_e5):
    survey = load_survey(kantine_survey)
    by_path = code_wave(_wave(), survey, codebook=cb)
    by_object = code_wave(_wave(), survey, codebook=load_codebook(cb))
    assert {c for c in by_object.columns if c.startswith("theme_")} == {f"theme_{t}" for t in
                                                                        load_codebook(cb).theme_ids}
    pd.testing.assert_frame_equal(by_object, by_path)


def test_code_wave_refuses_a_codebook_of_another_kind_saying_what_it_takes(kantine_survey):
    with pytest.raises(TypeError, match=r"codebook: expected .*Codebook, got dict; build one .*Codebook\.from_dict"):
        code_wave(_wave(), load_survey(kantine_survey), codebook={"name": "kantine"})


# ---------------------------------------------------------------- 2: code_dataframe(KeywordMatcher(cb), …)
def test_code_dataframe_refuses_a_keyword_matcher_naming_a_coder_to_use(toy_codebook):
    with pytest.raises(TypeError, match=r"KeywordMatcher is not a coder.*ZeroShotCoder\(codebook\)"):
        code_dataframe(KeywordMatcher(toy_codebook), pd.DataFrame({"text": ANSWERS}), "text")


def test_code_dataframe_refuses_what_is_no_coder(toy_codebook):
    with pytest.raises(TypeError, match=r"coder: expected a textmine coder .*got str"):
        code_dataframe("zeroshot", pd.DataFrame({"text": ANSWERS}), "text")


def test_the_coder_the_keyword_matcher_error_names_codes_the_table(toy_codebook, fake_embedder):
    out = code_dataframe(ZeroShotCoder(toy_codebook, fake_embedder), pd.DataFrame({"text": ANSWERS}), "text")
    assert out["theme_mat"].iloc[0] == 1 and out["theme_pris"].iloc[1] == 1


# ---------------------------------------------------------------- 3: a misspelt question given to predict
def _routed_training():
    texts, labels, types, questions = [], [], [], []
    for r in range(6):
        for text, lab, typ in TOY_TRAIN:
            texts.append(f"{text} ({r})")
            labels.append(lab)
            types.append(typ)
            questions.append("fritekst_sykefravaer" if ("mat" in lab or "ko" in lab) else "fritekst_generell")
    return texts, labels, types, questions


@pytest.fixture(scope="module")
def routed():
    """A model with theme rates for two questions (trained once for the module: it only predicts)."""
    texts, labels, types, questions = _routed_training()
    return SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=3).fit(
        texts, labels, types, questions=questions)


def test_predict_warns_of_a_question_the_model_has_no_rates_for_naming_the_known_ones(routed):
    assert set(routed.question_priors_) == {"fritekst_sykefravaer", "fritekst_generell"}
    with pytest.warns(UserWarning, match=r"'fritekst_sykefravar'.*fritekst_generell, fritekst_sykefravaer") as got:
        routed.predict(ANSWERS[:2], questions=["fritekst_sykefravar"] * 2)
    assert len([w for w in got if "fritekst_sykefravar'" in str(w.message)]) == 1  # once per call, not per row
    with pytest.warns(UserWarning, match=r"'typo'"):
        routed.predict(ANSWERS[:2], questions="typo")  # one question for all rows


def test_predict_is_silent_for_known_empty_or_absent_questions(routed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        routed.predict(ANSWERS[:3], questions=["fritekst_sykefravaer", "", None])
        routed.predict(ANSWERS[:2])


def test_models_without_question_rates_take_any_question_silently(toy_codebook, fake_embedder):
    texts, labels, types, questions = _routed_training()
    off = SupervisedCoder(toy_codebook, fake_embedder, cv=3, question_priors=False).fit(
        texts, labels, types, questions=questions)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        off.predict(ANSWERS[:2], questions="fritekst_sykefravar")  # question routing off: questions are not used
        ZeroShotCoder(toy_codebook, fake_embedder).predict(ANSWERS[:2], questions="fritekst_sykefravar")
