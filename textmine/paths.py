"""Well-known locations: bundled data, shipped models and the user cache (no I/O at import)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = REPO_DIR / "data"
MODELS_DIR = REPO_DIR / "models"
SAMPLE_DIR = DATA_DIR / "sample"
EVAL_DIR = DATA_DIR / "eval"
TRAIN_DIR = DATA_DIR / "train"  # hand-written, hand-labelled training comments (never the eval set)
CODEBOOK_DIR = DATA_DIR / "codebooks"
WORDLIST_DIR = DATA_DIR / "wordlists"
DEFAULT_CODEBOOK = CODEBOOK_DIR / "arbeidsgiver.yaml"
DEFAULT_SURVEY = SAMPLE_DIR / "survey.yaml"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"
FAST_MODEL_DIR = MODELS_DIR / "fast"  # the same coder on e5-static vectors: no encoder at run time


class CacheDirError(OSError):
    """The cache folder cannot be created or used (a file in the way, no permission): a setting to fix."""


def cache_dir() -> Path:
    """User cache for rebuilt models and embedding caches (``TEXTMINE_CACHE_DIR`` overrides)."""
    base = os.environ.get("TEXTMINE_CACHE_DIR")
    path = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "textmine"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # private when textmine creates it (embedding cache)
    except OSError as e:  # a file in the way, no permission, read-only disk
        setting = "TEXTMINE_CACHE_DIR" if base else "TEXTMINE_CACHE_DIR (or XDG_CACHE_HOME)"
        raise CacheDirError(e.errno, f"the cache folder {path} cannot be created ({e.strerror or type(e).__name__}); "
                               f"set {setting} to a writable folder") from None
    return path


def default_training_files(*, handwritten: bool = True) -> list[Path]:
    """Labelled files the shipped model trains on: both generated sample waves, plus the hand-written comments."""
    files = [SAMPLE_DIR / f"labels_{w}.csv" for w in (2022, 2023)]
    return files + (sorted(TRAIN_DIR.glob("handwritten*.csv")) if handwritten else [])


def read_training_frame(files: list[Path]):
    """``text``, ``themes``, ``type``, ``question`` of the given labelled files, concatenated (all strings;
    ``question`` is "" for files that do not name the survey question)."""
    import pandas as pd

    cols = ["text", "themes", "type", "question"]
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    return pd.concat([d.assign(question=d["question"] if "question" in d else "")[cols] for d in frames],
                     ignore_index=True)
