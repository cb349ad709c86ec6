"""``Cleaner``: raw survey answers → display text, PII counts, flags, language and lemmas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .health import HealthFlagger
from .language import LanguageDetector
from .lemmas import Analyzer
from .lexicon import Lexicon, load_lexicon
from .nonanswer import NonAnswerDetector
from .normalize import normalize
from .redact import PII_TYPES, Redactor
from .wordlists import read_list

PII_COLUMNS: tuple[str, ...] = tuple(f"pii_{t}" for t in PII_TYPES)
OUTPUT_COLUMNS: tuple[str, ...] = (
    "text_clean", "pii_count", *PII_COLUMNS, "health_flag", "language", "is_non_answer", "lemmas",
)


@dataclass
class Resources:
    """Everything the cleaner looks things up in, built once (explicit object, no module state)."""

    lexicon: Lexicon
    redactor: Redactor
    analyzer: Analyzer
    language: LanguageDetector
    nonanswer: NonAnswerDetector
    health: HealthFlagger

    @classmethod
    def build(cls, directory: Path | None = None) -> "Resources":
        lex = load_lexicon()
        analyzer = Analyzer.from_wordlists(directory, lexicon=lex)
        function_words = analyzer.stopwords | analyzer.keep_words | frozenset(
            w for p in read_list("nonanswers.txt", directory) for w in p.lower().split()
        )
        return cls(
            lexicon=lex,
            redactor=Redactor.from_wordlists(directory, lexicon_forms=lex.common),
            analyzer=analyzer,
            language=LanguageDetector.from_wordlists(directory, known_words=lex.common | function_words),
            nonanswer=NonAnswerDetector.from_wordlists(directory, known_words=lex.forms),
            health=HealthFlagger.from_wordlists(directory),
        )


    def warm_up(self) -> "Resources":
        """Load the lazily loaded parts (spaCy tokenizer, lingua models, simplemma dictionaries)."""
        import simplemma

        self.analyzer.tokenizer("varm opp")
        for lang in ("nb", "nn", "en"):
            simplemma.lemmatize("oppvarmingsordxyz", lang=lang)
        simplemma.lemmatize("oppvarmingsordxyz", lang=("nb", "nn"))
        simplemma.lemmatize("oppvarmingsordxyz", lang=("nn", "nb"))
        if self.language.use_lingua:
            self.language.lingua.compute_language_confidence_values_in_parallel(["varm opp", "warm up"])
        return self


@lru_cache(maxsize=1)
def default_resources() -> Resources:
    """Shared read-only resources for the bundled word lists (built on first use)."""
    return Resources.build()


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


class Cleaner:
    """Clean survey answers (sklearn-style). ``transform`` keeps length, order and index.

    Parameters: ``redact`` (replace personal data by typed placeholders), ``detect_language``
    (else ``language`` is "unknown"), ``question_texts`` (answers that only repeat one of these
    are non-answers), ``lemmatize`` (else ``lemmas`` is "").
    """

    def __init__(self, *, redact: bool = True, detect_language: bool = True, question_texts=(),
                 lemmatize: bool = True, resources: Resources | None = None):
        self.redact = redact
        self.detect_language = detect_language
        self.question_texts = tuple(question_texts or ())
        self.lemmatize = lemmatize
        self.resources = resources

    def get_params(self, deep: bool = True) -> dict:
        return {"redact": self.redact, "detect_language": self.detect_language,
                "question_texts": self.question_texts, "lemmatize": self.lemmatize}

    def fit(self, X=None, y=None) -> "Cleaner":
        """Load the resources (nothing is learned)."""
        if self.resources is None:
            self.resources = default_resources()
        self.resources.warm_up()
        return self

    def transform(self, texts: Sequence[str] | pd.Series) -> pd.DataFrame:
        if self.resources is None:
            self.fit()
        res = self.resources
        if isinstance(texts, str):
            raise TypeError("transform expects a sequence of texts, not one string; wrap it in a list")
        index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
        raw = [_as_text(v) for v in (texts.tolist() if isinstance(texts, pd.Series) else list(texts))]

        # 1. normalise each distinct raw value once
        norm_of: dict[str | None, str] = {}
        for v in raw:
            if v not in norm_of:
                norm_of[v] = normalize(v) if v is not None else ""
        uniq = list(dict.fromkeys(norm_of.values()))
        pos = {t: i for i, t in enumerate(uniq)}

        # 2. per distinct normalised text
        redacted, counts = [], []
        for t in uniq:
            if self.redact:
                r, c = res.redactor.redact(t)
            else:
                r, c = t, dict.fromkeys(PII_TYPES, 0)
            redacted.append(r)
            counts.append(c)
        nonans = [res.nonanswer.detect(t, self.question_texts) for t in uniq]
        health = [res.health.flag(t) for t in uniq]
        if self.detect_language:
            langs = res.language.detect_many(redacted)
        else:
            langs = ["unknown"] * len(uniq)
        if self.lemmatize:
            lemma_langs = langs if self.detect_language else [
                res.language.by_markers(t) or "nb" for t in redacted
            ]
            lemma_lists = res.analyzer.analyze_many(redacted, lemma_langs)
            lemmas = [" ".join(toks) for toks in lemma_lists]
        else:
            lemmas = [""] * len(uniq)

        # 3. expand back to rows
        rows = [pos[norm_of[v]] for v in raw]
        data = {"text_clean": [redacted[i] for i in rows]}
        pii = {t: [counts[i][t] for i in rows] for t in PII_TYPES}
        data["pii_count"] = [sum(counts[i].values()) for i in rows]
        for t in PII_TYPES:
            data[f"pii_{t}"] = pii[t]
        data["health_flag"] = [int(health[i]) for i in rows]
        data["language"] = [langs[i] for i in rows]
        data["is_non_answer"] = [int(nonans[i]) for i in rows]
        data["lemmas"] = [lemmas[i] for i in rows]
        df = pd.DataFrame(data, index=index, columns=list(OUTPUT_COLUMNS))
        for col in ("pii_count", *PII_COLUMNS, "health_flag", "is_non_answer"):
            df[col] = df[col].astype("int64")
        return df

    def fit_transform(self, texts, y=None) -> pd.DataFrame:
        return self.fit().transform(texts)


def clean_texts(texts, **kw) -> pd.DataFrame:
    """``Cleaner(**kw).transform(texts)``."""
    return Cleaner(**kw).transform(texts)


def redact(text: str) -> tuple[str, dict[str, int]]:
    """Redact personal data from one (normalised) text: (redacted text, count per PII type)."""
    return default_resources().redactor.redact(normalize(text) if text else "")


def analyze(text: str, language: str | None = None) -> list[str]:
    """Analysis tokens (lemmas, folded, stop words removed, compound parts) for one normalised text."""
    res = default_resources()
    lang = language or res.language.by_markers(text) or "nb"
    return res.analyzer.analyze(text, lang)


def is_non_answer(text: str, question_texts=()) -> bool:
    """True for "vet ikke", "-", keyboard mash, answers that only repeat the question, empty text."""
    return default_resources().nonanswer.detect(normalize(text) if text else "", question_texts)


def detect_language(text: str) -> str:
    """nb / nn / en / other / unknown for one text."""
    return default_resources().language.detect(normalize(text) if text else "")


def health_flag(text: str) -> bool:
    """True when the text mentions health or diagnoses (special-category data)."""
    return default_resources().health.flag(normalize(text) if text else "")
