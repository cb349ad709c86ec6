"""code_wave: each free-text question is cleaned and coded with its question id (routed questions)."""

from __future__ import annotations

import pandas as pd

from textmine.classify.base import output_columns
from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, SAMPLE_DIR
from textmine.pipeline import code_wave
from textmine.survey import load_survey


class RecordingCoder:
    """Codes nothing; records the ``question`` column of every cleaned frame it is given."""

    def __init__(self):
        self.codebook = load_codebook(DEFAULT_CODEBOOK)
        self.seen: list[tuple[str, int]] = []

    def predict_frame(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        assert cleaned["question"].nunique() == 1
        self.seen.append((cleaned["question"].iloc[0], len(cleaned)))
        out = pd.DataFrame(0, index=cleaned.index, columns=output_columns(self.codebook))
        out[["themes", "type"]] = ""
        return out


def test_code_wave_codes_each_question_with_its_id():
    survey = load_survey(SAMPLE_DIR / "survey.yaml")
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2022.csv", dtype=str, keep_default_na=False).head(300)
    coder = RecordingCoder()
    coded = code_wave(df, survey, coder=coder)
    free = [q.column for q in survey.free_text if q.column in df.columns]
    assert [q for q, _ in coder.seen] == free and len(free) == 2
    for q, n in coder.seen:
        assert n == int((df[q].str.strip() != "").sum())
        assert (coded["question"] == q).sum() == n
