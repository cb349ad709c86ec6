"""Answers that only repeat the survey question («Har du andre kommentarer til NAV?», «har du andre kommentarar?»,
«Andre kommentarer til NAV») are non-answers: exactly, nearly (one word more, less or spelled differently) or by the
question's main words; generic questionnaire wording («andre kommentarer») is one without the question. A real
answer that begins with the question («Har du andre kommentarer? Ja, telefonen er umulig») is kept and coded
without it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from textmine.preprocess import Cleaner, is_non_answer
from textmine.survey import SurveyDefinition

DATA = Path(__file__).resolve().parents[2] / "data"
GENERELL = "Har du andre kommentarer til NAV?"
SYKEFRAVAER = "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?"


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    """The survey definition's wording of each free-text question (its ``free_text`` ``label``)."""
    survey = SurveyDefinition.from_yaml(DATA / "sample" / "survey.yaml")
    return {q.column: q.label for q in survey.free_text}


@pytest.mark.parametrize("text, question", [
    ("har du andre kommentarar?", GENERELL),                       # nynorsk spelling, "til NAV" left out
    ("Har du noen andre kommentarer til Nav", GENERELL),           # one word more
    ("Kommentarer til NAV", GENERELL),                             # the question's main words
    ("HAR DU ANDRE KOMMENTARER TIL NAV ???", GENERELL),
    ("  har du   andre kommentarer til nav.  ", GENERELL),
    ("Hva må til for at NAV si oppfølging av sykmeldte skal bli bedre?", SYKEFRAVAER),  # one small difference
    ("hva må til for at nav sin oppfølging av sykmeldte skal bli bedre", SYKEFRAVAER),
    ("NAV oppfølging sykmeldte bedre", SYKEFRAVAER),               # main words only
    ("Kva må til for at NAV si oppfølging av sykmelde skal bli betre", SYKEFRAVAER),
])
def test_near_echoes_of_the_question_are_non_answers(text, question):
    assert is_non_answer(text, [question]), f"{text!r} only repeats {question!r}: expected a non-answer"


@pytest.mark.parametrize("text", [
    "andre kommentarer", "Andre kommentarer:", "Har du andre kommentarer?", "har du andre kommentarar",
    "Andre kommentarer til NAV", "Eventuelle kommentarer", "Har du andre kommentarer til NAV?", "Kommentarer",
])
def test_generic_questionnaire_wording_is_a_non_answer_without_the_question(text):
    assert is_non_answer(text), f"{text!r} is questionnaire wording: expected a non-answer with no question given"


@pytest.mark.parametrize("text, question", [
    ("Andre kommentarer til NAV: telefonen", GENERELL),
    ("Har du andre kommentarer til NAV? Telefon", GENERELL),
    ("Kommentarer til NAV sine saksbehandlere", GENERELL),
    ("NAV må bli bedre", SYKEFRAVAER),
    ("Bedre oppfølging av sykmeldte", SYKEFRAVAER),
    ("oppfølging av sykmeldte må starte tidligere", SYKEFRAVAER),
    ("Har du andre kommentarer? Ja, telefonen er umulig", GENERELL),
])
def test_answers_that_use_the_question_words_are_kept(text, question):
    assert not is_non_answer(text, [question]), f"{text!r} says something beyond {question!r}: expected an answer"
    assert not is_non_answer(text), f"{text!r}: expected an answer without the question too"


@pytest.mark.parametrize("question_texts", [(), (GENERELL,)])
def test_a_real_answer_after_the_question_is_coded_without_it(resources, question_texts):
    out = Cleaner(detect_language=False, question_texts=question_texts, resources=resources).transform(
        ["Har du andre kommentarer? Ja, telefonen er umulig", "Har du andre kommentarer til NAV? Nei takk"])
    assert out["is_non_answer"].tolist() == [0, 1], (
        f"question_texts={question_texts}: expected [answer, non-answer], got {out['is_non_answer'].tolist()}")
    kept = out["text_clean"].iloc[0]
    assert kept == "Ja, telefonen er umulig", f"echoed question kept: {kept!r}"
    lemmas = out["lemmas"].iloc[0].split()
    assert "telefon" in lemmas and "kommentar" not in lemmas, f"lemmas of the answer proper expected, got {lemmas}"


def test_the_question_wording_of_a_survey_definition_is_stripped_and_flagged(resources, labels):
    q = labels["fritekst_sykefravaer"]
    out = Cleaner(detect_language=False, question_texts=(q,), resources=resources).transform(
        [f"{q} Raskere dialogmøter, og ring meg på 912 34 567.", q.lower().rstrip("?")])
    assert out["text_clean"].iloc[0] == "Raskere dialogmøter, og ring meg på [TELEFON].", out["text_clean"].iloc[0]
    assert out["pii_telefon"].iloc[0] == 1
    assert out["is_non_answer"].tolist() == [0, 1], f"expected [answer, echo], got {out['is_non_answer'].tolist()}"


def _labelled_sample() -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((DATA / "sample").glob("labels_*.csv"))]
    return pd.concat(frames, ignore_index=True)


def test_the_ten_labelled_question_echoes_of_the_sample_are_non_answers(resources, labels):
    """The 10 sample rows labelled non-answer that repeat their question: all flagged with the survey definition's
    wording; the 8 that repeat «Har du andre kommentarer til NAV?» also without it (the training path)."""
    df = _labelled_sample()
    echoes = df[df["text"].str.lower().str.rstrip("?").isin([q.lower().rstrip("?") for q in labels.values()])]
    assert len(echoes) == 10 and set(echoes["is_non_answer"]) == {"1"}, echoes[["respondent_id", "text"]]
    for col, q in labels.items():
        rows = echoes[echoes["question"] == col]
        got = Cleaner(detect_language=False, lemmatize=False, question_texts=(q,), resources=resources).transform(
            rows["text"])["is_non_answer"]
        missed = rows.loc[got.to_numpy() == 0, "respondent_id"].tolist()
        assert not missed, f"{col}: echoes of {q!r} not flagged: {missed}"
    generell = echoes[echoes["question"] == "fritekst_generell"]
    got = Cleaner(detect_language=False, lemmatize=False, resources=resources).transform(generell["text"])
    assert len(generell) == 8 and got["is_non_answer"].tolist() == [1] * 8, (
        f"without question_texts: {list(zip(generell['respondent_id'], got['is_non_answer']))}")


def test_eval_set_keeps_its_real_answers(resources, labels):
    """No hand-labelled answer of data/eval/eval_set.csv (one with themes) becomes a non-answer with its question."""
    df = pd.read_csv(DATA / "eval" / "eval_set.csv", dtype=str, keep_default_na=False)
    lost = []
    for col, q in labels.items():
        rows = df[(df["question"] == col) & (df["themes"] != "")]
        got = Cleaner(detect_language=False, lemmatize=False, question_texts=(q,), resources=resources).transform(
            rows["text"])
        lost += rows.loc[got["is_non_answer"].to_numpy() == 1, "id"].tolist()
    assert not lost, f"eval answers flagged as non-answers: {lost}"
