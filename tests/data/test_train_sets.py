"""Structure, label and PII checks for the hand-written training files (data/train/handwritten*.csv).

One set of checks for every writer's file; only the size, id prefix and mix targets differ per file.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, EVAL_DIR, TRAIN_DIR

COLUMNS = ["id", "text", "themes", "type", "language"]
LANGUAGES = {"nb", "nn", "en"}
# file -> id prefix, minimum rows, minimum rows per theme, multi-theme share range, language share ranges,
# whether all three languages must occur
SPECS = {
    "handwritten.csv": dict(prefix="T", min_rows=550, per_theme=25, multi=(0.3, 0.5), lang={}, all_langs=False),
    "handwritten_b.csv": dict(prefix="B", min_rows=450, per_theme=20, multi=(0.3, 0.5),
                              lang={"nn": (0.12, 0.3), "en": (0.005, 0.05)}, all_langs=False),
    "handwritten_c.csv": dict(prefix="C", min_rows=450, per_theme=20, multi=(0.35, 0.5), lang={}, all_langs=True),
    "handwritten_d.csv": dict(prefix="D", min_rows=450, per_theme=20, multi=(0.3, 0.5), lang={}, all_langs=False),
    "handwritten_e.csv": dict(prefix="X", min_rows=450, per_theme=20, multi=(0.25, 0.45), lang={}, all_langs=False),
    "handwritten_f.csv": dict(prefix="F", min_rows=500, per_theme=22, multi=(0.3, 0.45),
                              lang={"nn": (0.1, 0.25), "en": (0.005, 0.05)}, all_langs=True),
    "handwritten_g.csv": dict(prefix="G", min_rows=500, per_theme=22, multi=(0.3, 0.45),
                              lang={"nn": (0.05, 0.2), "en": (0.01, 0.06)}, all_langs=True),
    "handwritten_h.csv": dict(prefix="H", min_rows=450, per_theme=25, multi=(0.3, 0.45),
                              lang={"nn": (0.35, 0.5), "en": (0.001, 0.02)}, all_langs=True),
    "handwritten_i.csv": dict(prefix="I", min_rows=450, per_theme=25, multi=(0.3, 0.45),
                              lang={"nn": (0.05, 0.15), "en": (0.005, 0.03)}, all_langs=True),
    "handwritten_j.csv": dict(prefix="J", min_rows=450, per_theme=25, multi=(0.3, 0.45),
                              lang={"nn": (0.12, 0.2), "en": (0.01, 0.03)}, all_langs=True),
    "handwritten_k.csv": dict(prefix="K", min_rows=450, per_theme=25, multi=(0.3, 0.45),
                              lang={"nn": (0.08, 0.12), "en": (0.02, 0.05)}, all_langs=True),
}
PII = {  # every writer's own pattern, applied to every file
    "11-digit id": re.compile(r"(?<!\d)\d{6} ?\d{5}(?!\d)"),
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone (+47, spaced or dashed)": re.compile(r"(?<![\d.,])(?:\+47 ?)?(?:\d[ -]?){7}\d(?![\d.,])"),
    "8-digit phone": re.compile(r"(?<!\d)(?:\d{8}|\d{2}(?:[ .]\d{2}){3}|\d{3} ?\d{2} ?\d{3}|\d{2} \d{2} \d{2} \d{2})(?!\d)"),
    "8 digits with spaces": re.compile(r"(?<!\d)(?:\d ?){8}(?!\d)"),
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(DEFAULT_CODEBOOK)


@pytest.fixture(scope="module", params=sorted(SPECS))
def train(request) -> tuple[pd.DataFrame, dict]:
    return pd.read_csv(TRAIN_DIR / request.param, dtype=str, keep_default_na=False, encoding="utf-8"), \
        SPECS[request.param]


def _themes(df: pd.DataFrame) -> pd.Series:
    """Theme ids per row, split on ";" only (the files' separator)."""
    return df["themes"].str.split(";").apply(lambda ts: [t.strip() for t in ts if t.strip()])


def test_every_training_file_has_a_spec():
    assert sorted(p.name for p in TRAIN_DIR.glob("handwritten*.csv")) == sorted(SPECS)


def test_columns_size_ids_and_no_empty_fields(train):
    df, spec = train
    assert list(df.columns) == COLUMNS
    assert len(df) >= spec["min_rows"]
    assert df["id"].is_unique
    assert df["id"].str.fullmatch(spec["prefix"] + r"\d{4}").all()
    for col in COLUMNS:
        assert (df[col].str.strip() != "").all(), col


def test_themes_known_unrepeated_and_exclusive_alone(train, codebook):
    df, _ = train
    themes = _themes(df)
    assert themes.apply(len).min() >= 1
    unknown = {t for ts in themes for t in ts} - set(codebook.theme_ids)
    assert not unknown, unknown
    assert not themes.apply(lambda ts: len(ts) != len(set(ts))).any(), "repeated theme within a row"
    exclusive = set(codebook.exclusive_ids) | {"annet"}
    bad = df.loc[themes.apply(lambda ts: len(ts) > 1 and bool(exclusive & set(ts))), "id"].tolist()
    assert not bad, bad


def test_types_and_languages(train, codebook):
    df, spec = train
    assert set(df["type"]) <= set(codebook.types) and set(codebook.types) == {"klage", "ønske", "ros"}
    assert set(df["language"]) <= LANGUAGES
    if spec["all_langs"]:
        assert set(df["language"]) == LANGUAGES, "every language should be represented"
    share = df["language"].value_counts(normalize=True)
    for lang, (lo, hi) in spec["lang"].items():
        assert lo <= share.get(lang, 0) <= hi, (lang, share.to_dict())


def test_theme_coverage_and_multi_theme_share(train, codebook):
    df, spec = train
    themes = _themes(df)
    counts = themes.explode().value_counts()
    low = {t: int(counts.get(t, 0)) for t in codebook.theme_ids if counts.get(t, 0) < spec["per_theme"]}
    assert not low, low
    lo, hi = spec["multi"]
    share = (themes.apply(len) >= 2).mean()
    assert lo <= share <= hi, share


def test_no_duplicate_texts(train):
    df, _ = train
    norm = df["text"].str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    dups = df.loc[norm.duplicated(keep=False), "id"].tolist()
    assert not dups, dups


@pytest.mark.parametrize("name", sorted(PII))
def test_no_personal_data(train, name):
    df, _ = train
    hits = df.loc[df["text"].str.replace("-", "", regex=False).str.contains(PII[name])
                  | df["text"].str.contains(PII[name]), "id"].tolist()
    assert not hits, f"{name}: {hits}"


def test_pii_patterns_work():
    assert PII["e-mail address"].search("send til ola.nordmann@firma.no")
    assert PII["11-digit id"].search("fnr 01019912345") and PII["11-digit id"].search("fnr 010199 12345")
    assert PII["phone (+47, spaced or dashed)"].search("ring 22 33 44 55")
    assert PII["8-digit phone"].search("ring 91234567") and PII["8-digit phone"].search("ring 912 34 567")
    assert PII["8 digits with spaces"].search("9 1 2 3 4 5 6 7")
    assert not PII["phone (+47, spaced or dashed)"].search("over 10 000 ansatte og 300 000 kroner")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", text.lower()).split())


def test_training_files_do_not_overlap_each_other_or_the_eval_set():
    """The writers' files share no comment of more than five words, and none repeats such an eval-set comment
    (short stock answers like "Fornøyd." are naturally written by many people; longer ones would be leakage)."""
    files = sorted(TRAIN_DIR.glob("handwritten*.csv"))
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
