"""Shared fixtures for the sample-data tests: the generator module and the committed waves."""

from __future__ import annotations

import importlib.util
import sys

import pandas as pd
import pytest

from textmine.paths import DATA_DIR, SAMPLE_DIR

WAVES = (2022, 2023)


def _load_generator():
    name = "textmine_sample_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DATA_DIR / "generate_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen():
    return _load_generator()



@pytest.fixture(scope="session")
def waves() -> dict[int, dict[str, pd.DataFrame]]:
    """Committed sample files, read as strings (empty string = no answer) plus numeric Likert items."""
    out = {}
    for year in WAVES:
        survey = pd.read_csv(SAMPLE_DIR / f"arbeidsgiver_{year}.csv", dtype=str, keep_default_na=False)
        for col in survey.columns:
            if col.startswith("q_") or col.startswith("tj_"):
                survey[col] = pd.to_numeric(survey[col].replace("", None)).astype(float)
        survey["vekt"] = survey["vekt"].astype(float)
        labels = pd.read_csv(SAMPLE_DIR / f"labels_{year}.csv", dtype=str, keep_default_na=False)
        labels["is_non_answer"] = labels["is_non_answer"].astype(int)
        pii = pd.read_csv(SAMPLE_DIR / f"pii_{year}.csv", dtype=str, keep_default_na=False)
        out[year] = {"survey": survey, "labels": labels, "pii": pii}
    return out
