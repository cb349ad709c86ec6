"""Structure, label and PII checks for hand-written training set C (data/train/handwritten_c.csv)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DATA_DIR, DEFAULT_CODEBOOK

TRAIN_FILE = DATA_DIR / "train" / "handwritten_c.csv"
COLUMNS = ["id", "text", "themes", "type", "language"]
TYPES = {"klage", "ønske", "ros"}
LANGUAGES = {"nb", "nn", "en"}
MIN_ROWS = 450
MIN_PER_THEME = 20
MULTI_SHARE = (0.35, 0.5)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{6}[ ]?\d{5}(?!\d)")
PHONE = re.compile(r"(?<![\d.,])(?:\+47[ ]?)?(?:\d[ -]?){7}\d(?![\d.,])")


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return pd.read_csv(TRAIN_FILE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


@pytest.fixture(scope="module")
def themes(train) -> pd.Series:
    return train["themes"].str.split(";").apply(lambda ts: [t.strip() for t in ts if t.strip()])


def test_columns(train):
    assert list(train.columns) == COLUMNS


def test_row_count(train):
    assert len(train) >= MIN_ROWS


def test_ids_unique_and_formatted(train):
    assert train["id"].is_unique
    assert train["id"].str.fullmatch(r"C\d{4}").all()


def test_no_empty_fields(train):
    for col in COLUMNS:
        assert (train[col].str.strip() != "").all(), col


def test_themes_exist_in_codebook(themes, codebook):
    assert themes.apply(len).min() >= 1
    unknown = {t for ts in themes for t in ts} - set(codebook.theme_ids)
    assert not unknown, unknown
    assert not themes.apply(lambda ts: len(ts) != len(set(ts))).any(), "repeated theme within a row"


def test_annet_is_alone(themes, codebook):
    exclusive = set(codebook.exclusive_ids) | {"annet"}
    bad = themes[themes.apply(lambda ts: len(ts) > 1 and bool(exclusive & set(ts)))]
    assert bad.empty, bad.head().tolist()


def test_types_and_languages(train):
    assert set(train["type"]) <= TYPES, set(train["type"]) - TYPES
    assert set(train["language"]) <= LANGUAGES, set(train["language"]) - LANGUAGES
    assert set(train["language"]) == LANGUAGES, "every language should be represented"


def test_every_theme_covered(themes, codebook):
    counts = themes.explode().value_counts()
    thin = {t: int(counts.get(t, 0)) for t in codebook.theme_ids if counts.get(t, 0) < MIN_PER_THEME}
    assert not thin, thin


def test_multi_theme_share(themes):
    share = (themes.apply(len) > 1).mean()
    assert MULTI_SHARE[0] <= share <= MULTI_SHARE[1], share


def test_no_duplicate_texts(train):
    norm = train["text"].str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    dups = train.loc[norm.duplicated(keep=False), "id"].tolist()
    assert not dups, dups


@pytest.mark.parametrize(("name", "pattern"), [("e-mail", EMAIL), ("11-digit id", ELEVEN_DIGITS), ("phone", PHONE)])
def test_no_personal_data(train, name, pattern):
    hits = train.loc[train["text"].str.contains(pattern), "id"].tolist()
    assert not hits, f"{name}: {hits}"


def test_pii_patterns_work():
    assert EMAIL.search("send til ola.nordmann@firma.no")
    assert ELEVEN_DIGITS.search("fnr 01019912345")
    assert PHONE.search("ring 22 33 44 55")
    assert PHONE.search("ring 91234567")
    assert not PHONE.search("over 10 000 ansatte og 300 000 kroner")
