"""A coded file whose exclusive theme (``annet``) comes with other themes was coded with another codebook (version):
reading it against the survey's codebook warns, naming the file, question, theme and count (a reviewer found a
1.1 coding compared silently with a 1.0 one)."""

import warnings

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK
from textmine.pipeline import coded_from_code_output
from textmine.survey import load_survey

SURVEY = load_survey("data/sample/survey.yaml")
Q = "fritekst_generell"


def _coded(annet_with_other: int) -> pd.DataFrame:
    cb = load_codebook(DEFAULT_CODEBOOK)
    rows = []
    for i in range(6):
        themes = ["annet", "telefon"] if i < annet_with_other else (["annet"] if i % 2 else ["telefon"])
        row = {SURVEY.id_column: f"R{i}", Q: f"Svar nummer {i} om telefonen", "themes": ";".join(themes)}
        row.update({f"theme_{t}": int(t in themes) for t in cb.theme_ids})
        rows.append(row)
    return pd.DataFrame(rows)


def test_exclusive_theme_with_another_warns():
    with pytest.warns(UserWarning, match=r"koded\.csv.*2 answer\(s\).*fritekst_generell.*'annet'.*another codebook"):
        coded_from_code_output(_coded(2), SURVEY, Q, source="koded.csv")


def test_a_coding_that_keeps_exclusivity_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        part = coded_from_code_output(_coded(0), SURVEY, Q, source="koded.csv")
    assert int(part["theme_annet"].sum()) == 3
