"""«Nei takk, ellers greit» and «Kan ikke komme på noe» (and their nynorsk and composed forms) are non-answers
(review dec07c); an answer that goes on after them, or uses the same words about something, stays an answer, and no
coded comment of the shipped sample, evaluation or training sets becomes a non-answer."""

import glob
from pathlib import Path

import pandas as pd
import pytest

from textmine.preprocess import is_non_answer
from textmine.preprocess.nonanswer import _NOTHING_COMES_TO_MIND, _OTHERWISE_FINE, _simplify

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize("text", [
    "Nei takk, ellers greit", "Kan ikke komme på noe", "Kan ikkje kome på noko", "kommer ikke på noe",
    "har ikke noe å tilføye", "ingenting å tilføye", "nei, ellers bra", "Nei, ellers greit takk.",
    "Nei. Elles er alt bra", "Nei, eg kan ikkje kome på noko no", "Jeg kan ikke komme på noe mer",
    "Takk, ellers fint!", "nei takk ellers er alt i orden",
])
def test_nothing_to_add_and_otherwise_fine_are_non_answers(text):
    assert is_non_answer(text)


@pytest.mark.parametrize("text", [
    "Nei takk til mer papir", "kan ikke komme gjennom på telefon", "ellers greit, men saksbehandlingen tar for lang tid",
    "Nei takk, ellers greit men telefonen er treg", "Kan ikke komme på møtet i morgen", "kan ikke komme",
    "Kan ikke komme på noe som gjør det bedre", "nei ellers bra at dere spør", "Ellers fornøyd med saksbehandleren",
    "kommer ikke på nettsiden",
])
def test_answers_with_those_words_stay_answers(text):
    assert not is_non_answer(text)


def _coded_comments() -> list[str]:
    """The comments of the shipped sets that carry a theme label."""
    files = [DATA / "eval" / "eval_set.csv", *map(Path, sorted(glob.glob(str(DATA / "sample" / "labels_*.csv")))),
             *map(Path, sorted(glob.glob(str(DATA / "train" / "*.csv"))))]
    out = []
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        if {"text", "themes"} <= set(df.columns):
            out += df.loc[df["themes"].str.strip().ne(""), "text"].tolist()
    return out


def test_no_coded_comment_of_the_shipped_sets_matches_the_new_rules():
    texts = _coded_comments()
    assert len(texts) > 1000
    hit = [t for t in texts if _NOTHING_COMES_TO_MIND.match(_simplify(t)) or _OTHERWISE_FINE.match(_simplify(t))]
    assert hit == []
