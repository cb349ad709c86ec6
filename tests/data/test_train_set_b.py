"""Structure, label and PII checks for the second hand-written training set (data/train/handwritten_b.csv)."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, TRAIN_DIR

TRAIN_FILE = TRAIN_DIR / "handwritten_b.csv"
COLUMNS = ["id", "text", "themes", "type", "language"]
MIN_ROWS = 450
MIN_PER_THEME = 20


@pytest.fixture(scope="module")
def train_b() -> pd.DataFrame:
    return pd.read_csv(TRAIN_FILE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


def _themes(df: pd.DataFrame) -> pd.Series:
    return df["themes"].str.split(";").apply(lambda ts: [t.strip() for t in ts if t.strip()])


def test_columns(train_b):
    assert list(train_b.columns) == COLUMNS


def test_row_count(train_b):
    assert len(train_b) >= MIN_ROWS


def test_ids_unique_and_formatted(train_b):
    assert train_b["id"].is_unique
    assert train_b["id"].str.fullmatch(r"B\d{4}").all()


def test_no_empty_fields(train_b):
    for col in COLUMNS:
        assert (train_b[col].str.strip() != "").all(), col


def test_themes_exist_in_codebook(train_b, codebook):
    known = set(codebook.theme_ids)
    themes = _themes(train_b)
    assert themes.apply(len).min() >= 1
    unknown = {t for ts in themes for t in ts} - known
    assert not unknown, unknown
    assert not themes.apply(lambda ts: len(ts) != len(set(ts))).any(), "repeated theme within a row"


def test_annet_is_exclusive(train_b):
    themes = _themes(train_b)
    assert not themes.apply(lambda ts: "annet" in ts and len(ts) > 1).any()


def test_types_valid(train_b, codebook):
    assert set(train_b["type"]) <= set(codebook.types)


def test_languages_valid_and_mixed(train_b):
    assert set(train_b["language"]) <= {"nb", "nn", "en"}
    share = train_b["language"].value_counts(normalize=True)
    assert 0.12 <= share.get("nn", 0) <= 0.3, share.to_dict()
    assert 0.005 <= share.get("en", 0) <= 0.05, share.to_dict()


def test_each_theme_has_enough_rows(train_b, codebook):
    counts = pd.Series([t for ts in _themes(train_b) for t in ts]).value_counts()
    low = {tid: int(counts.get(tid, 0)) for tid in codebook.theme_ids if counts.get(tid, 0) < MIN_PER_THEME}
    assert not low, low


def test_multi_theme_share(train_b):
    share = (_themes(train_b).apply(len) >= 2).mean()
    assert 0.3 <= share <= 0.5, share


def test_no_duplicate_texts(train_b):
    norm = train_b["text"].str.lower().str.split().str.join(" ")
    dups = norm[norm.duplicated(keep=False)]
    assert dups.empty, dups.tolist()


@pytest.mark.parametrize(
    "name,pattern",
    [
        ("fødselsnummer-like 11 digits", r"(?<!\d)\d{11}(?!\d)"),
        ("e-mail address", r"[\w.+-]+@[\w-]+\.[\w.]+"),
        ("8-digit phone number", r"(?<!\d)(?:\d{8}|\d{2}(?:[ .]\d{2}){3}|\d{3} \d{2} \d{3})(?!\d)"),
    ],
)
def test_no_personal_data(train_b, name, pattern):
    hits = train_b.loc[train_b["text"].str.contains(pattern, regex=True), "id"].tolist()
    assert not hits, f"{name}: {hits}"
