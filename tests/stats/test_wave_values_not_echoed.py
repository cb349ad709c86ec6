"""A file holding several waves is refused naming the values masked: a stray wave value may be personal data."""

from pathlib import Path

import pandas as pd
import pytest

from textmine.pipeline import wave_of
from textmine.survey import SurveyDefinition


def test_several_waves_error_masks_personal_data_in_the_values():
    survey = SurveyDefinition.from_dict({"name": "t", "id": "rid", "wave": "wave", "indicators": [],
                                         "free_text": [{"column": "fritekst"}]})
    df = pd.DataFrame({"rid": [1, 2, 3], "wave": [2023, "Kari Nordmann", 2023], "fritekst": ["a", "b", "c"]})
    with pytest.raises(ValueError) as exc:
        wave_of(df, survey, Path("w.csv"))
    msg = str(exc.value)
    assert "several waves" in msg and "2023" in msg and "Kari" not in msg and "Nordmann" not in msg
