"""``pipeline.coded_from_code_output``: the coded frame ``textmine summary --coded`` builds from a ``textmine code``
output, as a library function on a hand-built frame (no file read, no model): which question, which rows, which
columns, the text cleaned again, and the one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.pipeline import coded_from_code_output, coded_question
from textmine.survey import SurveyDefinition

PHONE = "912 34 567"
SPEC = {
    "name": "bruker", "id": "lopenr", "wave": "aar",
    "indicators": [{"id": "fornoyd", "column": "q1", "scale": [1, 5]}],
    "free_text": [{"column": "ft_a", "label": "Hvorfor?"}, {"column": "ft_b", "label": "Andre kommentarer?"}],
}


@pytest.fixture()
def survey():
    return SurveyDefinition.from_dict(SPEC)


def _code_output(**extra):
    """What ``textmine code w.csv --text-col ft_a --keep-raw-text`` writes: the wave's columns + the coding."""
    df = pd.DataFrame({
        "lopenr": [101, 102, 103, 104, 105, 106, 107],
        "aar": 2024,
        "q1": [1, 2, 3, 4, 5, 1, 2],
        "ft_a": [f"Telefonkøen er for lang, ring meg på {PHONE}", "", None, "   ", "Vet ikke", "Hvorfor?",
                 "Saksbehandlingen tar for lang tid"],
        "ft_b": ["Takk", "", "", "", "", "", ""],
        "theme_telefon": [1, 0, 0, 0, 0, 0, 0],
        "theme_saksbehandling": [0, 0, 0, 0, 0, 0, 1],
        "score_telefon": [0.9, 0.0, 0.0, 0.0, 0.1, 0.1, 0.2],
        "themes": ["telefon", "", "", "", "", "", "saksbehandling"],
        "confidence": [0.9, 0.0, 0.0, 0.0, 0.5, 0.5, 0.8],
        "needs_review": [0, 0, 0, 0, 1, 1, 0],
        "type": ["klage", "", "", "", "", "", "klage"],
    })
    return df.assign(**extra)


def test_one_row_per_given_answer_cleaned_again_with_the_coding_kept(survey):
    df = _code_output(theme_input="x")  # an input column named like a theme column, kept as <name>_input
    df = df.rename(columns={"theme_input": "theme_gammel_input"})
    before = df.copy()
    got = coded_from_code_output(df, survey, "ft_a", source="koding.csv")

    assert got.columns.tolist() == [
        "respondent_id", "question", "text_clean", "is_non_answer", "health_flag", "language",
        "theme_telefon", "theme_saksbehandling", "score_telefon", "themes", "confidence", "needs_review", "type"]
    # missing, empty and whitespace-only answers have no row; the others keep the file's order
    assert got["respondent_id"].tolist() == ["101", "105", "106", "107"]  # the survey's id, as text
    assert (got["question"] == "ft_a").all()
    # cleaned again: redacted, and "Vet ikke" / an echo of the question's label are non-answers
    assert got["text_clean"].tolist() == ["Telefonkøen er for lang, ring meg på [TELEFON]", "Vet ikke", "Hvorfor?",
                                          "Saksbehandlingen tar for lang tid"]
    assert got["is_non_answer"].tolist() == [0, 1, 1, 0]
    assert got["health_flag"].tolist() == [0, 0, 0, 0]
    assert PHONE not in " ".join(got.astype(str).stack())
    # the coding as it was in the file, for the same rows
    assert got["theme_telefon"].tolist() == [1, 0, 0, 0]
    assert got["theme_saksbehandling"].tolist() == [0, 0, 0, 1]
    assert got["score_telefon"].tolist() == [0.9, 0.1, 0.1, 0.2]
    assert got["themes"].tolist() == ["telefon", "", "", "saksbehandling"]
    assert got["needs_review"].tolist() == [0, 1, 1, 0]
    # nothing else of the wave (other questions, indicators, the raw text) and the input frame unchanged
    assert not {"ft_a", "ft_b", "q1", "aar", "lopenr", "theme_gammel_input"} & set(got.columns)
    pd.testing.assert_frame_equal(df, before)


def test_health_flag_comes_from_the_cleaner(survey):
    df = _code_output().iloc[[6]].assign(ft_a="Jeg er sykemeldt og deprimert")
    assert coded_from_code_output(df, survey, "ft_a")["health_flag"].tolist() == [1]


def test_only_the_coding_columns_present_are_kept(survey):
    df = _code_output().drop(columns=["score_telefon", "confidence", "needs_review", "type"])
    got = coded_from_code_output(df, survey, "ft_a")
    assert got.columns.tolist() == ["respondent_id", "question", "text_clean", "is_non_answer", "health_flag",
                                    "language", "theme_telefon", "theme_saksbehandling", "themes"]


def test_question_is_the_only_free_text_column_when_not_named(survey):
    df = _code_output().drop(columns=["ft_b"])
    assert coded_question(df, survey) == "ft_a"
    pd.testing.assert_frame_equal(coded_from_code_output(df, survey), coded_from_code_output(df, survey, "ft_a"))


def test_no_answer_gives_an_empty_frame_with_the_columns(survey):
    got = coded_from_code_output(_code_output(ft_a=""), survey, "ft_a")
    assert got.empty
    assert got.columns[:3].tolist() == ["respondent_id", "question", "text_clean"]
    assert "theme_telefon" in got.columns


@pytest.mark.parametrize("change, question, needles", [
    (lambda d: d.drop(columns=["lopenr"]), "ft_a", ["lacks column(s) lopenr", "textmine code WAVE --text-col"]),
    (lambda d: d.drop(columns=["theme_telefon", "theme_saksbehandling"]), "ft_a",
     ["lacks column(s) theme_<id>", "respondent_id, question, text_clean"]),
    (lambda d: d, None, ["holds the free-text columns ft_a, ft_b", "--coded ft_a=koding.csv"]),
    (lambda d: d.drop(columns=["ft_a", "ft_b"]), None, ["none of the survey's free-text columns (ft_a, ft_b)"]),
    (lambda d: d.drop(columns=["ft_b"]), "ft_b", ["no column 'ft_b'", "--text-col ft_b"]),
    (lambda d: d, "q1", ["'q1' is not one of the survey's free-text columns (ft_a, ft_b)"]),
])
def test_mismatches_are_one_line_value_errors_naming_the_source(survey, change, question, needles):
    df = change(_code_output())
    with pytest.raises(ValueError) as err:
        coded_from_code_output(df, survey, question, source="koding.csv")
    msg = str(err.value)
    assert msg.startswith("koding.csv: ") and "\n" not in msg, msg
    for n in needles:
        assert n in msg, msg
    assert PHONE not in msg
