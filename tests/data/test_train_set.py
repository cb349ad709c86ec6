"""Structure, label and PII checks for the hand-written training set (data/train/handwritten.csv)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DATA_DIR, DEFAULT_CODEBOOK

TRAIN_FILE = DATA_DIR / "train" / "handwritten.csv"
COLUMNS = ["id", "text", "themes", "type", "language"]
MIN_ROWS = 550
MIN_PER_THEME = 25


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return pd.read_csv(TRAIN_FILE, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


def _themes(df: pd.DataFrame) -> pd.Series:
    return df["themes"].str.split(";").apply(lambda ts: [t.strip() for t in ts if t.strip()])


def test_columns(train):
    assert list(train.columns) == COLUMNS


def test_row_count(train):
    assert len(train) >= MIN_ROWS


def test_ids_unique_and_formatted(train):
    assert train["id"].is_unique
    assert train["id"].str.fullmatch(r"T\d{4}").all()


def test_no_empty_fields(train):
    for col in COLUMNS:
        assert (train[col].str.strip() != "").all(), col


def test_themes_exist_in_codebook(train, codebook):
    known = set(codebook.theme_ids)
    themes = _themes(train)
    assert themes.apply(len).min() >= 1
    unknown = {t for ts in themes for t in ts} - known
    assert not unknown, unknown
    assert not themes.apply(lambda ts: len(ts) != len(set(ts))).any(), "repeated theme within a row"


def test_annet_is_exclusive(train):
    themes = _themes(train)
    assert not themes.apply(lambda ts: "annet" in ts and len(ts) > 1).any()


def test_types_valid(train, codebook):
    assert set(train["type"]) <= set(codebook.types)


def test_languages_valid(train):
    assert set(train["language"]) <= {"nb", "nn", "en"}


def test_each_theme_has_enough_rows(train, codebook):
    counts = pd.Series([t for ts in _themes(train) for t in ts]).value_counts()
    low = {tid: int(counts.get(tid, 0)) for tid in codebook.theme_ids if counts.get(tid, 0) < MIN_PER_THEME}
    assert not low, low


def test_multi_theme_share(train):
    share = (_themes(train).apply(len) >= 2).mean()
    assert 0.3 <= share <= 0.5, share


def test_no_duplicate_texts(train):
    norm = train["text"].str.lower().str.split().str.join(" ")
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
def test_no_personal_data(train, name, pattern):
    hits = train.loc[train["text"].str.contains(pattern, regex=True), "id"].tolist()
    assert not hits, f"{name}: {hits}"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", text.lower()).split())


def test_training_files_do_not_overlap_each_other_or_the_eval_set():
    """The writers' files share no comment of more than five words, and none repeats such an eval-set comment
    (short stock answers like "Fornøyd." are naturally written by many people; longer ones would be leakage)."""
    from textmine.paths import EVAL_DIR

    files = sorted((DATA_DIR / "train").glob("handwritten*.csv"))
    assert len(files) >= 3
    seen: dict[str, str] = {}
    for f in files:
        for t in pd.read_csv(f, dtype=str, keep_default_na=False)["text"]:
            key = _norm(t)
            if len(key.split()) <= 5:
                continue
            assert key not in seen, f"{f.name} repeats a comment from {seen[key]}: {t!r}"
            seen[key] = f.name
    assert len(seen) > 1200
    ev = pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False)
    leaked = [t for t in ev["text"] if _norm(t) in seen]
    assert not leaked, leaked[:5]
