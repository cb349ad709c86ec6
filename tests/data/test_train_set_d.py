"""Checks for the hand-written training set D (data/train/handwritten_d.csv)."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, TRAIN_DIR

PATH = TRAIN_DIR / "handwritten_d.csv"
COLUMNS = ["id", "text", "themes", "type", "language"]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(PATH, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


def _themes(value: str) -> list[str]:
    return [t.strip() for t in value.split(";") if t.strip()]


def test_columns(df):
    assert list(df.columns) == COLUMNS


def test_row_count(df):
    assert len(df) >= 450


def test_ids_unique_and_formatted(df):
    assert df["id"].is_unique
    assert df["id"].str.fullmatch(r"D\d{4}").all()


def test_texts_non_empty(df):
    assert (df["text"].str.strip() != "").all()


def test_theme_ids_valid(df, codebook):
    valid = set(codebook.theme_ids)
    for rid, value in zip(df["id"], df["themes"]):
        themes = _themes(value)
        assert themes, f"{rid}: no themes"
        assert len(themes) == len(set(themes)), f"{rid}: repeated theme"
        unknown = set(themes) - valid
        assert not unknown, f"{rid}: unknown themes {unknown}"


def test_annet_alone(df):
    for rid, value in zip(df["id"], df["themes"]):
        themes = _themes(value)
        if "annet" in themes:
            assert themes == ["annet"], f"{rid}: 'annet' combined with {themes}"


def test_types_and_languages(df):
    assert set(df["type"]) <= {"klage", "ønske", "ros"}
    assert set(df["language"]) <= {"nb", "nn", "en"}


def test_every_theme_has_enough_rows(df, codebook):
    counts = Counter(t for value in df["themes"] for t in _themes(value))
    for theme_id in codebook.theme_ids:
        assert counts[theme_id] >= 20, f"{theme_id}: only {counts[theme_id]} rows"


def test_multi_theme_share(df):
    share = sum(len(_themes(v)) > 1 for v in df["themes"]) / len(df)
    assert 0.3 <= share <= 0.5, share


def test_no_duplicate_texts(df):
    norm = df["text"].map(lambda s: re.sub(r"\s+", " ", s).strip().casefold())
    dups = norm[norm.duplicated(keep=False)]
    assert dups.empty, list(df.loc[dups.index, "id"])


@pytest.mark.parametrize(
    "pattern, what",
    [
        (r"(?<!\d)\d{11}(?!\d)", "11-digit number"),
        (r"[\w.+-]+@[\w-]+\.[\w.-]+", "e-mail address"),
        (r"(?<!\d)(?:\d{8}|\d{3} ?\d{2} ?\d{3}|\d{2} \d{2} \d{2} \d{2})(?!\d)", "8-digit phone number"),
    ],
)
def test_no_personal_data(df, pattern, what):
    hits = df.loc[df["text"].str.contains(pattern, regex=True), "id"].tolist()
    assert not hits, f"{what} in {hits}"
