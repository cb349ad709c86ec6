"""``Cleaner``: raw survey answers → display text, PII counts, flags, language and lemmas."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .health import HealthFlagger
from .language import LanguageDetector
from .lemmas import Analyzer, simplemma_lemmatize
from .lexicon import Lexicon, WordSet, load_lexicon
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
    _warm: bool = field(default=False, repr=False, compare=False)
    _warm_language: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def build(cls, directory: Path | None = None) -> "Resources":
        """Build from the word lists in ``directory`` (default: the bundled ones)."""
        lex = load_lexicon()  # shared by every Resources in the process (read-only)
        analyzer = Analyzer.from_wordlists(directory, lexicon=lex)
        function_words = analyzer.stopwords | analyzer.keep_words | frozenset(
            w for p in read_list("nonanswers.txt", directory) for w in p.lower().split()
        )
        abbreviations = frozenset(k.lower() for k in (*analyzer.abbreviations_exact, *analyzer.abbreviations_any))
        # set views over the lexicon instead of 580k-entry frozenset copies (same membership)
        return cls(
            lexicon=lex,
            redactor=Redactor.from_wordlists(directory, lexicon_forms=lex.common),
            analyzer=analyzer,
            language=LanguageDetector.from_wordlists(
                directory, known_words=WordSet(lex.forms, exclude=lex.uncommon, extra=function_words)),
            nonanswer=NonAnswerDetector.from_wordlists(
                directory, known_words=WordSet(lex.forms, extra=function_words | abbreviations)),
            health=HealthFlagger.from_wordlists(directory),
        )


    def warm_up(self, language: bool = True, wide: bool = False) -> "Resources":
        """Load the lazily loaded parts once: spaCy tokenizer and simplemma dictionaries, and with ``language``
        lingua's models (only language detection needs them). lingua's wider second-opinion detector (21
        languages, ≈ 300 MB, ≈ 3 s) is loaded only with ``wide``, else when a text with few Norwegian words
        first needs it."""
        if not self._warm:
            self.analyzer.tokenizer("varm opp")
            for lang in ("nb", "nn", "en"):
                simplemma_lemmatize("oppvarmingsordxyz", lang)
            simplemma_lemmatize("oppvarmingsordxyz", ("nb", "nn"))
            simplemma_lemmatize("oppvarmingsordxyz", ("nn", "nb"))
            self._warm = True
        if language and not self._warm_language:
            if self.language.use_lingua:
                self.language.lingua.compute_language_confidence_values_in_parallel(
                    ["Vi har ventet lenge på svar fra saksbehandleren om refusjonen.",
                     "Eg har ikkje fått svar frå NAV om sjukmeldinga til den tilsette.",
                     "We have waited a long time for an answer about the refund.",
                     "Vi har väntat länge på svar.", "Vi har ventet længe på svar."]
                )
            self._warm_language = True
        if wide and self.language.use_lingua:
            self.language.lingua_wide.compute_language_confidence_values("Wir haben lange auf Antwort gewartet.")
        return self

    def limit_caches(self, entries: int) -> "Resources":
        """Bound the per-token result caches (analysis tokens, chunks, compound splits) to ``entries`` each;
        a full cache is cleared. They only memoise, so results do not depend on the limit; memory does:
        ~95 MB per 100,000 distinct tokens for the three together (default limit 500,000 each)."""
        entries = max(1, int(entries))
        self.analyzer.cache_limit = entries
        self.analyzer.splitter.cache_limit = entries
        for cache in (self.analyzer.cache, self.analyzer.chunk_cache, self.analyzer.splitter.cache):
            if len(cache) >= entries:
                cache.clear()
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_warm"] = state["_warm_language"] = False  # lazily loaded parts are rebuilt in the receiver
        return state


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


def text_column(texts, what: str = "texts"):
    """``texts`` as one column of texts: a one-column DataFrame (what sklearn's ``ColumnTransformer`` passes for
    ``["kommentar"]``) or an ``(n, 1)`` array gives its single column; a string, a mapping, a frame with another
    number of columns or an array of another shape is refused (it would be read as column names, keys or
    printed rows). Anything else is returned as it is."""
    if isinstance(texts, str | bytes):
        raise TypeError(f"{what}: expected a list/Series of texts, got one string; wrap a single text in a list")
    if isinstance(texts, pd.DataFrame):
        if texts.shape[1] == 1:
            return texts.iloc[:, 0]
        raise TypeError(f"{what}: expected a list/Series of texts or a one-column DataFrame, got a DataFrame with "
                        f"{texts.shape[1]} columns; pass one column (df['text'] or df[['text']])")
    if isinstance(texts, Mapping):
        raise TypeError(f"{what}: expected a list/Series of texts, got a {type(texts).__name__}")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        if texts.ndim == 2 and texts.shape[1] == 1:
            return texts[:, 0]
        raise TypeError(f"{what}: expected a one-dimensional array of texts (or one column, shape (n, 1)), got "
                        f"shape {texts.shape}; pass one column (arr[:, 0])")
    if (isinstance(texts, pd.Series) and pd.api.types.is_numeric_dtype(texts)
            and not pd.api.types.is_bool_dtype(texts)):
        from ..io import _text_column  # a column of numbers read with gaps is float: 123 stays "123", not "123.0"

        return _text_column(texts)
    return texts


_PARALLEL_MIN = 2  # fewer distinct texts than this never start worker processes


def _process(res: Resources, texts: list[str], langs: list[str], redact: bool, lemmatize: bool,
             question_texts: tuple[str, ...]) -> list[tuple]:
    """Per distinct normalised text: (redacted, counts, non_answer, health, lemmas). An answer that begins by
    repeating the question ("Har du andre kommentarer? Ja, telefonen er umulig") is redacted, lemmatised and
    judged without it (its health flag is the whole text's)."""
    out = []
    zero = dict.fromkeys(PII_TYPES, 0)
    for t, lang in zip(texts, langs):
        body = res.nonanswer.strip_question(t, question_texts)
        r, c = res.redactor.redact(body) if redact else (body, dict(zero))
        lem = " ".join(res.analyzer.analyze(r, lang)) if lemmatize else ""
        out.append((r, c, res.nonanswer.detect(t, question_texts), res.health.flag(t), lem))
    return out


_WORKER: dict = {}  # inside a worker process only: the Resources it was started with


def _init_worker(resources: Resources) -> None:
    _WORKER["resources"] = resources


def _worker_chunk(args) -> list[tuple]:
    return _process(_WORKER["resources"], *args)


def _check_params(*, redact, detect_language, lemmatize, n_jobs) -> None:
    """Refuse a Cleaner argument of the wrong kind, naming it and what is expected."""
    for name, value in (("redact", redact), ("detect_language", detect_language), ("lemmatize", lemmatize)):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"Cleaner: {name} must be True or False, got {value!r} ({type(value).__name__})")
    ok = n_jobs is None or (isinstance(n_jobs, int | np.integer) and not isinstance(n_jobs, bool | np.bool_)
                            and (n_jobs >= 1 or n_jobs == -1))
    if not ok:
        raise ValueError(f"Cleaner: n_jobs must be None or 1 (in process), a positive whole number of worker "
                         f"processes, or -1 (one per core), got {n_jobs!r}")


class Cleaner:
    """Clean survey answers (sklearn-style). ``transform`` keeps length, order and index; a one-column DataFrame
    (what ``ColumnTransformer`` passes for ``["kommentar"]``) is read as its column, a wider one is refused.

    Parameters: ``redact`` (replace personal data by typed placeholders), ``detect_language``
    (else ``language`` is "unknown"; lemmas always take the marker-word language, bokmål when undecided,
    so they do not depend on it), ``question_texts`` (the wording of the survey question(s) answered, e.g. the
    survey definition's ``free_text`` ``label``: an answer that only repeats one of these, nearly (one word
    more, less or spelled differently) or by its main words, is a non-answer; an answer that begins with one is
    coded without it; generic questionnaire wording such as "Andre kommentarer" is a non-answer without them),
    ``lemmatize`` (else ``lemmas`` is ""), ``n_jobs`` (worker processes for the per-text work: None/1 = in
    process, -1 = one per core; results are identical whatever ``n_jobs`` is; workers only pay off for very
    large unique inputs on an idle machine).
    Identical texts are processed once.
    """

    def __init__(self, *, redact: bool = True, detect_language: bool = True, question_texts=(),
                 lemmatize: bool = True, n_jobs: int | None = None, resources: Resources | None = None):
        _check_params(redact=redact, detect_language=detect_language, lemmatize=lemmatize, n_jobs=n_jobs)
        self.redact = redact
        self.detect_language = detect_language
        self.question_texts = tuple(question_texts or ())
        self.lemmatize = lemmatize
        self.n_jobs = n_jobs
        self.resources = resources

    def get_params(self, deep: bool = True) -> dict:
        """Every constructor argument (sklearn's ``get_params``)."""
        return {"redact": self.redact, "detect_language": self.detect_language,
                "question_texts": self.question_texts, "lemmatize": self.lemmatize, "n_jobs": self.n_jobs,
                "resources": self.resources}

    def set_params(self, **params) -> "Cleaner":
        """Set constructor arguments by name (sklearn's ``set_params``; an unknown name is refused)."""
        valid = self.get_params(deep=False)
        bad = sorted(set(params) - set(valid))
        if bad:
            raise ValueError(f"invalid parameter(s) {bad} for Cleaner; valid parameters: {sorted(valid)}")
        merged = {**valid, **params}
        self.__init__(**merged)
        return self

    def __sklearn_clone__(self) -> "Cleaner":
        """A new Cleaner with the same parameters (sklearn's ``clone``); the read-only ``resources`` are shared,
        not deep-copied."""
        new = type(self)(**self.get_params(deep=False))
        if "_sklearn_output_config" in self.__dict__:
            new._sklearn_output_config = dict(self._sklearn_output_config)
        return new

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The output column names (sklearn's ``get_feature_names_out``): the same whatever the input column."""
        return np.asarray(OUTPUT_COLUMNS, dtype=object)

    def set_output(self, *, transform: str | None = None) -> "Cleaner":
        """sklearn's ``set_output``: ``transform`` may be "default" or "pandas" (both give the DataFrame that
        :meth:`transform` returns; None keeps the setting), so ``ColumnTransformer(...).set_output(
        transform="pandas")`` works. Any other container is refused."""
        if transform is None:
            return self
        if transform not in ("default", "pandas"):
            raise ValueError(f"Cleaner.set_output: transform must be 'default' or 'pandas' (the output is a "
                             f"pandas DataFrame), got {transform!r}")
        self._sklearn_output_config = {"transform": transform}
        return self

    def __sklearn_tags__(self):
        """sklearn's estimator tags: a transformer of texts (one column) that needs no fit (``transform`` loads
        what it needs), so a Pipeline can call ``transform`` directly."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(estimator_type="transformer", target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags(), requires_fit=False, no_validation=True,
                    input_tags=InputTags(one_d_array=True, two_d_array=True, string=True, allow_nan=True))

    def fit(self, X=None, y=None) -> "Cleaner":
        """Load the resources (nothing is learned)."""
        if self.resources is None:
            self.resources = default_resources()
        self.resources.warm_up(language=self.detect_language)
        return self

    def _jobs(self, n_texts: int) -> int:
        if self.n_jobs is None or n_texts < _PARALLEL_MIN:
            return 1
        return max(1, int(self.n_jobs)) if self.n_jobs > 0 else max(1, os.cpu_count() or 1)

    def transform(self, texts: Sequence[str] | pd.Series | pd.DataFrame) -> pd.DataFrame:
        """One output row per text (same order; a Series or one-column DataFrame keeps its index). A one-column
        DataFrame or ``(n, 1)`` array is read as its column; wider input is refused (see :func:`text_column`)."""
        texts = text_column(texts, "Cleaner.transform")
        if self.resources is None:
            self.fit()
        res = self.resources
        index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
        raw = [_as_text(v) for v in (texts.tolist() if isinstance(texts, pd.Series) else list(texts))]

        # 1. normalise each distinct raw value once, then deduplicate normalised texts
        norm_of: dict[str | None, str] = {}
        for v in raw:
            if v not in norm_of:
                norm_of[v] = normalize(v) if v is not None else ""
        uniq = list(dict.fromkeys(norm_of.values()))
        pos = {t: i for i, t in enumerate(uniq)}

        # 2. language (markers first, lingua in one parallel batch for the undecided). Lemmas always take the
        #    marker-word language (bokmål when undecided), with or without detection, so that a comment gets
        #    the same lemmas, and so the same codes, on every path (pipeline, CLI, API, training)
        markers = [res.language.by_markers(t) for t in uniq] if (self.detect_language or self.lemmatize) else []
        langs = res.language.detect_many(uniq, markers) if self.detect_language else ["unknown"] * len(uniq)
        lemma_langs = [m or "nb" for m in markers] if self.lemmatize else langs

        # 3. redaction, flags and lemmas per distinct text (optionally in worker processes)
        jobs = self._jobs(len(uniq))
        opts = (self.redact, self.lemmatize, self.question_texts)
        if jobs <= 1:
            results = _process(res, uniq, lemma_langs, *opts)
        else:
            results = self._process_parallel(uniq, lemma_langs, opts, jobs)

        # 4. expand back to rows
        rows = [pos[norm_of[v]] for v in raw]

        def ints(values) -> np.ndarray:
            return np.fromiter(values, dtype=np.int64, count=len(rows))

        data = {"text_clean": [results[i][0] for i in rows]}
        data["pii_count"] = ints(sum(results[i][1].values()) for i in rows)
        for t in PII_TYPES:
            data[f"pii_{t}"] = ints(results[i][1][t] for i in rows)
        data["health_flag"] = ints(int(results[i][3]) for i in rows)
        data["language"] = [langs[i] for i in rows]
        data["is_non_answer"] = ints(int(results[i][2]) for i in rows)
        data["lemmas"] = [results[i][4] for i in rows]
        return pd.DataFrame(data, index=index, columns=list(OUTPUT_COLUMNS))

    def _process_parallel(self, texts: list[str], langs: list[str], opts: tuple, jobs: int) -> list[tuple]:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        n_chunks = jobs * 4
        size = max(1, -(-len(texts) // n_chunks))
        chunks = [(texts[i : i + size], langs[i : i + size], *opts) for i in range(0, len(texts), size)]
        # "spawn": safe next to threads (lingua, web servers); workers get a pickled copy of the resources
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"),
                                 initializer=_init_worker, initargs=(self.resources,)) as pool:
            parts = list(pool.map(_worker_chunk, chunks))
        return [r for part in parts for r in part]

    def fit_transform(self, texts, y=None) -> pd.DataFrame:
        """:meth:`fit`, then :meth:`transform` (``y`` is ignored)."""
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
    """True when the text holds special-category data about a person: health and the other GDPR art. 9/10
    categories (religion, sexuality, ethnic origin, politics, union membership, criminal offences)."""
    return default_resources().health.flag(normalize(text) if text else "")
