"""Coding comments against a codebook: zero-shot, supervised (calibrated, with abstention), artefacts.

Public API::

    ZeroShotCoder(codebook, embedder=None)                 # no labelled data needed
    SupervisedCoder(codebook, embedder=None, …).fit(texts, labels, types=None)
    coder.predict(texts) -> DataFrame                      # theme_<id>, score_<id>, themes, confidence, needs_review, type
    coder.predict_frame(cleaned_df)                        # output of textmine.preprocess.Cleaner
    code_dataframe(coder, df, text_col, question_labels=None)  # df + the coding columns, health_flag, is_non_answer
    coder.save(model_dir); load_coder(model_dir, codebook=None, embedder=None)
    default_coder()                                        # models/default + default codebook (zero-shot fallback)
    KeywordMatcher(codebook)                               # keyword baseline
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .artefact import ArtefactError, load_coder, read_manifest, save_coder
from .base import BaseCoder, NotFittedError, Prepared, output_columns
from .lexical import KeywordMatcher
from .supervised import SupervisedCoder
from .table import CODE_FLAG_COLUMNS, code_dataframe
from .typefacet import TypeClassifier, TypeRules
from .zeroshot import ZeroShotCoder

__all__ = [
    "CODE_FLAG_COLUMNS",
    "ArtefactError",
    "BaseCoder",
    "KeywordMatcher",
    "NotFittedError",
    "Prepared",
    "SupervisedCoder",
    "TypeClassifier",
    "TypeRules",
    "ZeroShotCoder",
    "code_dataframe",
    "default_coder",
    "load_coder",
    "output_columns",
    "read_manifest",
    "save_coder",
]


def _save(self: BaseCoder, model_dir: str | Path) -> Path:
    """Write this coder to ``model_dir`` (see :mod:`textmine.classify.artefact`)."""
    return save_coder(self, model_dir)


BaseCoder.save = _save  # type: ignore[attr-defined]


def default_coder(model_dir: str | Path | None = None, codebook_path: Any = None,
                  embedder: Any = None, *, strict: bool = False) -> BaseCoder:
    """The shipped model (``models/default``) for the default codebook; zero-shot if the artefact is missing.
    ``codebook_path``: a codebook file, or a :class:`textmine.codebook.Codebook` (default: the bundled codebook).

    If the artefact does not match the codebook or the embedding backend, ``strict=True`` raises
    :class:`ArtefactError`; otherwise a warning is issued and the zero-shot coder is returned (rebuild with
    ``python models/build_default.py``).
    """
    from ..codebook import Codebook, load_codebook
    from ..paths import DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR

    model_dir = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    if isinstance(codebook_path, Codebook):
        codebook = codebook_path
    else:
        codebook = load_codebook(Path(codebook_path) if codebook_path else DEFAULT_CODEBOOK)
    if (model_dir / "manifest.json").exists():
        try:
            return load_coder(model_dir, codebook=codebook, embedder=embedder)
        except ArtefactError as exc:
            if strict:
                raise
            warnings.warn(f"{exc} — falling back to zero-shot coding", stacklevel=2)
    return ZeroShotCoder(codebook, embedder)
