"""Test doubles injected through Settings/env: a keyword coder with the library's output columns.

Used where the test is about the service (persistence, jobs, crashes), not about coding quality; the real
default coder is exercised by the uvicorn round-trip test and the benchmark.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd


class KeywordCoder:
    """Deterministic coder: a theme fires when one of its keywords occurs in the lower-cased text."""

    def __init__(self, codebook, delay: float = 0.0):
        self.codebook = codebook
        self.delay = delay
        self.calls = 0
        self.questions: list[str] = []  # every question it was given, in order (routed-question plumbing)

    def predict(self, texts, questions=None) -> pd.DataFrame:
        self.calls += 1
        if questions is not None:
            self.questions.extend([questions] * len(texts) if isinstance(questions, str) else list(questions))
        if self.delay:
            time.sleep(self.delay)
        rows = []
        ids = [t.id for t in self.codebook.themes]
        for text in texts:
            low = (text or "").lower()
            scores = {t.id: float(sum(low.count(k.lower()) for k in t.keywords if k)) for t in self.codebook.themes}
            chosen = [i for i in ids if scores[i] > 0]
            if not chosen and low.strip() and "annet" in ids:
                chosen = ["annet"]
            row = {f"theme_{i}": int(i in chosen) for i in ids}
            row.update({f"score_{i}": scores[i] for i in ids})
            row["themes"] = ";".join(chosen)
            row["confidence"] = 0.9 if chosen and chosen != ["annet"] else 0.3
            row["needs_review"] = int(bool(low.strip()) and row["confidence"] < 0.5)
            row["type"] = "klage" if low.strip() else ""
            rows.append(row)
        return pd.DataFrame(rows)


def _default_codebook():
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    return load_codebook(DEFAULT_CODEBOOK)


def keyword_coder_factory(codebook, model_dir):
    """``Settings.coder_factory``: (codebook|None, model_dir|None) -> coder. Delay from TEXTMINE_FAKE_DELAY."""
    delay = float(os.environ.get("TEXTMINE_FAKE_DELAY", "0") or 0)
    if model_dir is not None:
        meta = json.loads((Path(model_dir) / "fake_model.json").read_text())
        from textmine.codebook import Codebook

        return KeywordCoder(Codebook.from_dict(meta["codebook"]), delay)
    return KeywordCoder(codebook if codebook is not None else _default_codebook(), delay)


def _train(codebook, texts, labels, model_dir):
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    (Path(model_dir) / "fake_model.json").write_text(json.dumps({"codebook": codebook.to_dict(), "n": len(texts)}))
    return {"n_training": len(texts)}


keyword_coder_factory.train = _train


def regex_cleaner(texts) -> pd.DataFrame:
    """Stand-in for ``textmine.preprocess.Cleaner`` (only used while the library module is missing)."""
    import re

    out = []
    for t in texts:
        t = "" if t is None else str(t)
        red, n = re.subn(r"\S+@\S+|\d[\d ]{6,}\d", "[REDACTED]", t)
        out.append({"text_clean": red, "pii_count": n, "health_flag": 0, "language": "nb",
                    "is_non_answer": int(not t.strip())})
    return pd.DataFrame(out)


class EmbeddingKeywordCoder(KeywordCoder):
    """The keyword double, embedding its texts first through one shared embedder, as the library's coders do."""

    def __init__(self, codebook, embedder):
        super().__init__(codebook)
        self._embedder = embedder

    def predict(self, texts, questions=None) -> pd.DataFrame:
        self._embedder.encode(list(texts))
        return super().predict(texts, questions)


class BrokenCoder:
    """A coder that fails on any use (a job whose coder breaks ends "failed"): ``predict`` and every other attribute
    raise ``RuntimeError``; ``CoderCache(factory=lambda cb, m: BrokenCoder())``."""

    kind = "broken"

    def predict(self, *a, **k):
        raise RuntimeError("coder broke")

    def __getattr__(self, name):
        raise RuntimeError("coder broke")
