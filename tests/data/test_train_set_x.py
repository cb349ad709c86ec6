"""Checks for the hand-written training set ``data/train/handwritten_e.csv`` (ids ``X0001``…)."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from textmine.codebook import load_codebook, parse_theme_list
from textmine.paths import DEFAULT_CODEBOOK, TRAIN_DIR

PATH = TRAIN_DIR / "handwritten_e.csv"
COLUMNS = ["id", "text", "themes", "type", "language"]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return pd.read_csv(PATH, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


@pytest.fixture(scope="module")
def labels(df) -> list[list[str]]:
    return [parse_theme_list(v) for v in df["themes"]]


def test_columns(df):
    assert list(df.columns) == COLUMNS


def test_size(df):
    assert len(df) >= 450


def test_ids_unique_and_formatted(df):
    assert df["id"].is_unique
    bad = [i for i in df["id"] if not re.fullmatch(r"X\d{4}", i)]
    assert not bad, bad[:5]


def test_text_non_empty(df):
    assert (df["text"].str.strip() != "").all()


def test_theme_ids_valid(labels, codebook):
    valid = set(codebook.theme_ids)
    for i, lab in enumerate(labels):
        assert lab, f"row {i} has no theme"
        assert len(set(lab)) == len(lab), f"row {i} repeats a theme: {lab}"
        unknown = set(lab) - valid
        assert not unknown, f"row {i}: unknown theme(s) {unknown}"


def test_annet_alone(labels, codebook):
    exclusive = set(codebook.exclusive_ids) | {"annet"}
    for i, lab in enumerate(labels):
        if exclusive & set(lab):
            assert len(lab) == 1, f"row {i}: exclusive theme combined with others: {lab}"


def test_types_and_languages(df, codebook):
    assert set(df["type"]) <= set(codebook.types)
    assert set(df["type"]) <= {"klage", "ønske", "ros"}
    assert set(df["language"]) <= {"nb", "nn", "en"}


def test_every_theme_has_20_rows(labels, codebook):
    counts = Counter(t for lab in labels for t in lab)
    low = {t: counts[t] for t in codebook.theme_ids if counts[t] < 20}
    assert not low, low


def test_multi_theme_share(labels):
    share = sum(len(lab) >= 2 for lab in labels) / len(labels)
    assert 0.25 <= share <= 0.45, share


def test_no_duplicate_texts(df):
    norm = df["text"].map(lambda s: re.sub(r"\s+", " ", s).strip().casefold())
    dups = norm[norm.duplicated()].tolist()
    assert not dups, dups[:5]


def test_no_personal_data(df):
    for text in df["text"]:
        assert not re.search(r"(?<!\d)\d{11}(?!\d)", text), text
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), text
        assert not re.search(r"(?<!\d)(?:\d[ ]?){8}(?!\d)", text.replace("-", "")), text
