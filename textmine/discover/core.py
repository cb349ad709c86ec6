"""``discover_themes``: theme discovery for one or more survey waves.

Pipeline: clean (redact PII, flag non-answers, lemmas) -> drop non-answers/empties -> embed (e5 by default,
cached) -> [e5, lexical] features -> cluster (BERTopic's UMAP+HDBSCAN stage on exact cosine neighbours; small
waves: agglomerative with silhouette-chosen k; large waves: lexical space and clustering fitted on a seeded
sample of ``max_fit_docs``, the rest assigned to the nearest topic centroid) -> reassign outliers to the
nearest topic when they are as close as that topic's own members -> merge near-duplicate topics -> c-TF-IDF
labels over lemmas -> representative (redacted) comments. Deterministic for a fixed seed; BLAS runs on one
thread inside, so the machine's thread settings do not change the result. Speed and quality:
``bench/bench_discover.py``.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Collection, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from textmine.embed.base import l2_normalize, normalize_text
from textmine.neardup import Reading, near_duplicate_of_any, reading
from textmine.preprocess.cleaner import health_flag, text_column
from textmine.quotes import describes_personal_health, mask_headcount, mask_local_names, safe_quote_text

from . import clustering as cl
from .labels import (COUNTIES, allowed_terms, class_tfidf, in_stock_phrase, label_keywords, make_label,
                     make_vectorizer, name_words, probable_names, stock_phrases, top_keywords, without_compound_parts)
from .stability import Stability, compare_runs, stability_seeds

# scikit-learn's warnings when the answers are identical: a lexical space of zero variance, whose explained-variance
# ratio (unused here) is 0/0 or x/0; they would only alarm the analyst
_ZERO_VARIANCE = ("invalid value encountered in divide", "divide by zero encountered in divide")
SMALL_WAVE_MAX = 300  # below this many answers HDBSCAN is unreliable -> agglomerative fallback
MIN_DOCS = 3
MOVED = "_moved"  # ``_cluster``'s info key of the per-answer mask of answers moved into a topic (not in params)
MAX_SEED = 2**32 - 1  # numpy, scikit-learn and UMAP accept seeds 0 .. 2**32 - 1


@dataclass
class Topic:
    id: int
    label: str
    keywords: list[str]
    size: int
    share: float
    examples: list[str]
    nearest_theme: str | None = None  # guided mode: closest existing codebook theme
    stability: float | None = None  # with ``stability=N``: mean best Jaccard with this topic in the other seeds' runs
    language_note: str | None = None  # "tema preget av språk: engelsk": its answers share a language, not a theme
    n_reassigned: int | None = None  # UMAP/HDBSCAN: how many of its answers were outliers moved in afterwards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DiscoveryResult:
    """Topics plus one assignment per input row (-1 = non-answer, empty, fits nowhere, or - guided mode -
    covered by an existing codebook theme: see ``covered``)."""

    topics: list[Topic]
    assignments: np.ndarray
    is_non_answer: np.ndarray
    text_clean: list[str]
    method: str
    n_outliers_reassigned: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    uncovered: np.ndarray | None = None  # guided mode: rows no codebook theme covers
    timings: dict[str, float] = field(default_factory=dict)
    stability: Stability | None = None  # with ``stability=N``: how much the topics depend on the seed
    #: UMAP/HDBSCAN: per row, True for an answer the clustering left without a topic and that was then moved into
    #: the nearest one (counted in its size; ``Topic.n_reassigned``); None where no answer is moved (small waves)
    reassigned: np.ndarray | None = None

    def _valid(self) -> np.ndarray:
        """Real answers: not non-answers, not empty."""
        return ~self.is_non_answer & np.array([bool(t) for t in self.text_clean], dtype=bool)

    @property
    def covered(self) -> np.ndarray | None:
        """Guided mode: answers an existing codebook theme covers (not clustered, topic -1); None unguided."""
        if self.uncovered is None:
            return None
        return self._valid() & ~self.uncovered

    @property
    def n_covered(self) -> int | None:
        """Guided mode: number of answers the codebook covers; None unguided."""
        covered = self.covered
        return None if covered is None else int(covered.sum())

    @property
    def n_outliers(self) -> int:
        """Answers (not non-answers) that fit no topic; in guided mode not those the codebook covers."""
        out = (self.assignments < 0) & self._valid()
        if self.uncovered is not None:
            out &= self.uncovered
        return int(out.sum())

    def topic(self, topic_id: int) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        ids = ", ".join(str(t.id) for t in self.topics) or "none (no topic was found)"
        raise KeyError(f"no topic {topic_id!r}; the topic ids are {ids} (-1 marks answers without a topic)")

    def labels(self) -> list[str]:
        """Topic label per row ("" for -1)."""
        names = {t.id: t.label for t in self.topics}
        return [names.get(int(a), "") for a in self.assignments]

    def topics_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{**t.to_dict(), "keywords": " · ".join(t.keywords),
                              "examples": " | ".join(t.examples)} for t in self.topics])

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "seed": self.seed,
            "n_rows": int(len(self.assignments)),
            "n_non_answers": int(self.is_non_answer.sum()),
            "n_outliers": self.n_outliers,
            "n_outliers_reassigned": self.n_outliers_reassigned,
            "n_uncovered": None if self.uncovered is None else int(self.uncovered.sum()),
            "n_covered": self.n_covered,
            "params": self.params,
            "stability": None if self.stability is None else self.stability.to_dict(),
            "topics": [t.to_dict() for t in self.topics],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=_json_default)

    def draft_codebook(self, *, name: str = "utkast", base_codebook=None) -> dict[str, Any]:
        """Draft codebook dict in the contract's format (guided: existing themes + new candidates)."""
        from .draft import draft_codebook

        return draft_codebook(self, name=name, base_codebook=base_codebook)

    def codebook_yaml(self, *, name: str = "utkast", base_codebook=None) -> str:
        import yaml

        return yaml.safe_dump(self.draft_codebook(name=name, base_codebook=base_codebook), allow_unicode=True,
                              sort_keys=False, width=100)


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


# ----------------------------------------------------------------------------- preparation
_FALLBACK_NON_ANSWER = re.compile(
    r"^(nei|ja|nei takk|ingen|ingen kommentar(er)?|vet ikke|veit ikkje|ingenting|nope|n/?a|-+|\.+|x+|ok|"
    r"ikke noe|ikkje noko|har ingen)[.!]*$", re.IGNORECASE)


def prepare(texts: Sequence[Any], *, question_texts: Sequence[str] = ()) -> pd.DataFrame:
    """``text_clean`` (redacted), ``is_non_answer`` (0/1), ``lemmas``, ``health_flag`` (0/1) per input row.

    Uses ``textmine.preprocess.Cleaner`` when available; otherwise a minimal fallback (no redaction). A
    one-column DataFrame is read as its column; wider frames and 2-D arrays are refused (:func:`text_column`).
    """
    raw = list(text_column(texts, "prepare"))
    try:
        from textmine.preprocess import Cleaner

        df = Cleaner(detect_language=False, question_texts=tuple(question_texts)).transform(pd.Series(raw, dtype=object))
        out = pd.DataFrame({"text_clean": df["text_clean"].fillna("").astype(str).tolist(),
                            "is_non_answer": df["is_non_answer"].fillna(0).astype(int).tolist(),
                            "lemmas": df["lemmas"].fillna("").astype(str).tolist(),
                            "health_flag": df["health_flag"].fillna(0).astype(int).tolist()})
    except ImportError:  # pragma: no cover - preprocessing not installed
        clean = [normalize_text(t) for t in raw]
        out = pd.DataFrame({"text_clean": clean,
                            "is_non_answer": [int(bool(_FALLBACK_NON_ANSWER.match(t))) for t in clean],
                            "lemmas": [" ".join(re.findall(r"\w+", t.lower())) for t in clean],
                            "health_flag": [0] * len(clean)})
    empty = out["text_clean"].str.strip() == ""
    out.loc[empty, "is_non_answer"] = 1
    return out


# ----------------------------------------------------------------------------- main entry
def discover_themes(
    texts: Sequence[Any] | pd.Series,
    *,
    embedder=None,
    seed: int = 42,
    codebook=None,
    embeddings: np.ndarray | None = None,
    prepared: pd.DataFrame | None = None,
    params: cl.ClusterParams | None = None,
    method: str = "auto",
    max_fit_docs: int = 20_000,
    n_examples: int = 3,
    n_keywords: int = 10,
    outlier_quantile: float = 0.02,
    merge_quantile: float | None = None,
    lexical_weight: float = 0.5,
    question_texts: Sequence[str] = (),
    stability: int = 0,
    coder=None,
) -> DiscoveryResult:
    """Discover themes in free-text answers.

    texts: raw answers (None/NaN allowed; a one-column DataFrame is read as its column, a wider one or a 2-D
    array is refused with a TypeError). embedder: any ``textmine.embed`` embedder (default
    ``get_embedder("e5")``). embeddings: precomputed rows for ``texts`` (skips encoding). prepared: a
    ``Cleaner`` frame for ``texts``. method: ``auto`` | ``bertopic`` | ``small`` | ``bertopic-defaults``.
    lexical_weight: clustering features = [e5, w * lexical(lemma TF-IDF + char n-grams, SVD)], L2-normalised
    (0 = embeddings only; the benchmark shows the hybrid separates survey themes much better).
    codebook: a ``textmine.codebook.Codebook`` (or path) -> guided mode: only answers that no existing theme
    covers are clustered; topics are candidate new themes.
    stability: fit the clustering again with this many more seeds (``seed + 1`` ..) on the same embeddings and
    report each topic's seed stability (``Topic.stability``) and the runs' agreement (``result.stability``,
    see ``textmine.discover.stability``); 0 = off. Each extra seed costs about one more clustering.
    """
    if method not in {"auto", "bertopic", "bertopic-defaults", "small"}:
        raise ValueError(f"method must be auto, bertopic, bertopic-defaults or small; got {method!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}; got {seed!r}")
    seed = int(seed)
    seeds = stability_seeds(seed, stability)  # checks ``stability`` before the slow part
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    raw = list(text_column(texts, "discover_themes"))
    if not raw:
        raise ValueError("discover_themes: texts is empty; give at least one answer to find themes in")
    n = len(raw)
    if embeddings is not None and len(embeddings) != n:
        raise ValueError(f"embeddings has {len(embeddings)} rows, texts has {n}")
    prep = prepared if prepared is not None else prepare(raw, question_texts=question_texts)
    if len(prep) != n:
        raise ValueError(f"prepared frame has {len(prep)} rows, texts has {n}")
    clean = prep["text_clean"].fillna("").astype(str).tolist()
    lemmas = prep["lemmas"].fillna("").astype(str).tolist()
    non_answer = prep["is_non_answer"].fillna(0).astype(int).to_numpy().astype(bool)
    valid = np.flatnonzero(~non_answer & np.array([bool(c.strip()) for c in clean]))
    timings["prepare_s"] = time.perf_counter() - t0
    cb = None
    if codebook is not None or coder is not None:
        from .guided import check_coder_codebook, load_any_codebook

        cb = load_any_codebook(codebook) if codebook is not None else coder.codebook
        if coder is not None:
            check_coder_codebook(coder, cb)

    t1 = time.perf_counter()
    if embeddings is not None:
        emb_all = np.asarray(embeddings, dtype=np.float32)
        if emb_all.shape[0] != n:
            raise ValueError(f"embeddings has {emb_all.shape[0]} rows, texts has {n}")
        emb = l2_normalize(emb_all[valid])
    else:
        if embedder is None:
            from textmine.embed import get_embedder

            embedder = get_embedder("e5")
        unfitted = getattr(embedder, "name", "") == "lexical" and hasattr(embedder, "fit") and not getattr(
            getattr(embedder, "inner", embedder), "_fitted", True)
        fit_texts = _lexical_fit_texts([clean[i] for i in valid], cb) if unfitted else []
        if len(fit_texts) >= 2:
            with warnings.catch_warnings():  # identical answers: 0/0 explained variance (unused), see below
                for message in _ZERO_VARIANCE:
                    warnings.filterwarnings("ignore", message=message, category=RuntimeWarning)
                embedder.fit(fit_texts)
            unfitted = False
        # no answer, or one for a lexical space that needs two to be fitted: nothing to compare, no vectors needed
        emb = (l2_normalize(embedder.encode([clean[i] for i in valid])) if len(valid) and not unfitted
               else np.zeros((len(valid), 1), np.float32))
    timings["embed_s"] = time.perf_counter() - t1

    uncovered = None
    nearest_theme: dict[int, str] = {}
    pool = valid
    pool_emb = emb
    if cb is not None:
        from .guided import pool_params, uncovered_mask

        t2 = time.perf_counter()
        by_coder = {"coder": coder} if coder is not None else {}  # (the zero-shot call as it always was)
        unc_valid, theme_emb = uncovered_mask(cb, [clean[i] for i in valid], emb, embedder=embedder, **by_coder)
        uncovered = np.zeros(n, dtype=bool)
        uncovered[valid[unc_valid]] = True
        pool = valid[unc_valid]
        pool_emb = emb[unc_valid]
        params = pool_params(params, len(valid), len(pool))  # topic sizes as shares of the wave, as unguided
        timings["coverage_s"] = time.perf_counter() - t2

    pool_e5 = pool_emb
    fit_kw = dict(params=params, method=method, max_fit_docs=max_fit_docs, outlier_quantile=outlier_quantile,
                  merge_quantile=merge_quantile, lexical_weight=lexical_weight)
    ptexts, plem = [clean[i] for i in pool], [lemmas[i] for i in pool]
    # one BLAS thread: the lexical SVD and the neighbour search then give bit-identical results whatever
    # the machine's thread settings (and, on 2 busy cores, no slower: BLAS threads only spin)
    with cl.single_thread_blas():
        pool_emb, labels_pool, used, reassigned, info = _fit_pool(pool_e5, ptexts, plem, seed=seed, timings=timings,
                                                                  **fit_kw)
        moved_pool = info.pop(MOVED, None)
        t4 = time.perf_counter()
        describe = dict(n_examples=n_examples, n_keywords=n_keywords, total=len(valid),
                        health=_health_flags(prep, clean, pool))
        labels_pool, topics, n_merged = _merged_topics(pool, labels_pool, pool_emb, clean, lemmas, **describe)
        if n_merged:  # topics read alike (identical answers split by the clustering): one topic
            info["merged_same_label"] = n_merged
        timings["describe_s"] = time.perf_counter() - t4
        stab = None
        if stability:
            t_st = time.perf_counter()
            # every seed's topics go through the same merge: stability compares like with like
            others = []
            for s in seeds[1:]:
                feats, labels_s = _fit_pool(pool_e5, ptexts, plem, seed=s, **fit_kw)[:2]
                others.append(_merged_topics(pool, labels_s, feats, clean, lemmas, examples=False, **describe)[0])
            stab = compare_runs([labels_pool, *others], seeds)
            timings["stability_s"] = time.perf_counter() - t_st

        assignments = np.full(n, -1, dtype=np.int64)
        assignments[pool] = labels_pool
        moved = None
        if moved_pool is not None:
            moved = np.zeros(n, dtype=bool)
            moved[pool] = moved_pool
            for tp in topics:
                tp.n_reassigned = int((moved_pool & (labels_pool == tp.id)).sum())
    if cb is not None and topics:
        from .guided import nearest_themes

        ids, cents = cl.centroids(pool_e5, labels_pool)
        for t, name in zip(ids, nearest_themes(cb, cents, embedder=embedder)):
            nearest_theme[t] = name
        for tp in topics:
            tp.nearest_theme = nearest_theme.get(tp.id)
    if stab is not None:
        for tp in topics:
            tp.stability = stab.topic_stability.get(tp.id)
    timings["total_s"] = time.perf_counter() - t0
    info.update({"n_valid": int(len(valid)), "n_clustered": int(len(pool)), "guided": cb is not None})
    return DiscoveryResult(topics=topics, assignments=assignments, is_non_answer=non_answer, text_clean=clean,
                           method=used, n_outliers_reassigned=reassigned, seed=seed, params=info,
                           uncovered=uncovered, timings={k: round(v, 3) for k, v in timings.items()},
                           stability=stab, reassigned=moved)


SAME_TOPIC_COSINE = 0.9  # topics of one label whose centroids are at least this alike are one topic


def _merged_topics(pool: np.ndarray, labels: np.ndarray, emb: np.ndarray, clean: list[str], lemmas: list[str], *,
                   examples: bool = True, **describe) -> tuple[np.ndarray, list[Topic], int]:
    """One seed's topics after :func:`merge_same_labels`: (labels, topics, number of topics merged away). Every
    seed goes through it, so the stability runs compare like with like. ``examples=False``: the topics carry no
    examples (the labels, and so the merge, do not depend on them)."""
    topics = _describe(pool, labels, emb, clean, lemmas, examples=examples, **describe)
    merged = merge_same_labels(labels, topics, emb, [clean[i] for i in pool])
    if merged is None:
        return labels, topics, 0
    n_merged = len(topics) - len(set(merged[merged >= 0].tolist()))
    return merged, _describe(pool, merged, emb, clean, lemmas, examples=examples, **describe), n_merged


def merge_same_labels(labels: np.ndarray, topics: list[Topic], emb: np.ndarray,
                      texts: Sequence[str]) -> np.ndarray | None:
    """``labels`` with the topics that got the same label and are alike - near-identical centroids (cosine of the
    mean feature vectors ``emb`` at least :data:`SAME_TOPIC_COSINE`) or mostly the same answers (``texts``, one
    per row, compared as folded words: "Altfor lang kø!" = "altfor lang kø.") - joined into the first,
    renumbered by size; None when there are none. Identical or template answers split by the clustering would
    otherwise be two themes of one label (the draft gives topics that only share a label distinct labels)."""
    from textmine.neardup import fold_words

    labels = np.asarray(labels)
    said = {t.id: frozenset(" ".join(fold_words(texts[j])) for j in np.flatnonzero(labels == t.id)) for t in topics}
    ids, cents = cl.centroids(emb, labels)
    unit = cents / np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12) if len(ids) else cents
    row = {int(t): i for i, t in enumerate(ids)}
    first: dict[str, list[int]] = {}
    into: dict[int, int] = {}
    for t in topics:
        key = " ".join(t.label.casefold().split())
        if not t.keywords:  # "(uten nøkkelord)": topics without words are not alike for that
            continue
        alike = [f for f in first.get(key, []) if float(unit[row[f]] @ unit[row[t.id]]) >= SAME_TOPIC_COSINE
                 or len(said[f] & said[t.id]) >= 0.5 * min(len(said[f]), len(said[t.id]))]
        if alike:
            into[t.id] = alike[0]
        else:
            first.setdefault(key, []).append(t.id)
    if not into:
        return None
    out = np.asarray(labels).copy()
    for src, dst in into.items():
        out[out == src] = dst
    return cl.relabel_by_size(out)


def _fit_pool(pool_e5: np.ndarray, ptexts: list[str], plem: list[str], *, seed: int, params, method: str,
              max_fit_docs: int, outlier_quantile: float, merge_quantile: float | None, lexical_weight: float,
              timings: dict[str, float] | None = None):
    """Clustering features ([e5, w * lexical], L2-normalised) and topics of the answers to cluster, for one seed.
    Returns (features, labels, method used, outliers reassigned, info); the embeddings are not recomputed."""
    t3 = time.perf_counter()
    pool_emb = pool_e5
    n_pool = len(ptexts)
    if n_pool >= MIN_DOCS and len(set(ptexts)) == 1:  # the same answer every time: one topic, nothing to cluster
        return pool_emb, np.zeros(n_pool, dtype=np.int64), "identical", 0, {"identical_answers": n_pool}
    if lexical_weight and n_pool >= 20 and method != "bertopic-defaults":
        from textmine.embed.lexical import LexicalEmbedder

        # large waves: fit the lexical space on the same seeded sample the clustering is fitted on (bounded
        # time and memory), then project every answer into it
        fit = _fit_sample(n_pool, max_fit_docs, seed)
        # small waves keep every component (answers - 1): the randomized SVD then spans the whole space, exact
        # and the same for every seed; truncated to 200, which components survived changed with the seed and,
        # with them, the topics (bench/bench_discover_stability.py). Waves up to 201 answers always did this.
        small = method == "small" or (method == "auto" and n_pool < SMALL_WAVE_MAX)
        lex = LexicalEmbedder(n_components=len(fit) - 1 if small else min(200, len(fit) - 1), seed=seed)
        # identical answers: a lexical space of zero variance, whose explained-variance ratio (unused here)
        # is 0/0; scikit-learn's RuntimeWarning about it would only alarm the analyst
        with warnings.catch_warnings():
            for message in _ZERO_VARIANCE:
                warnings.filterwarnings("ignore", message=message, category=RuntimeWarning)
            if len(fit) == n_pool:  # fitted on every answer: their features are built once
                lex_emb = (lexical_weight * lex.fit_encode_prepared(ptexts, plem)).astype(np.float32)
            else:
                lex.fit([ptexts[i] for i in fit], lemmas=[plem[i] for i in fit])
                step = max(max_fit_docs, 1)  # project in chunks (row-wise, so the same numbers): bounded memory
                lex_emb = np.vstack([(lexical_weight * lex.encode_prepared(ptexts[a:a + step], plem[a:a + step]))
                                     .astype(np.float32) for a in range(0, n_pool, step)])
        pool_emb = l2_normalize(np.hstack([pool_emb, lex_emb]))
        del lex_emb
        if timings is not None:
            timings["lexical_s"] = time.perf_counter() - t3
    t_cl = time.perf_counter()
    labels, used, reassigned, info = _cluster(pool_emb, plem, seed=seed, params=params, method=method,
                                              max_fit_docs=max_fit_docs, outlier_quantile=outlier_quantile,
                                              merge_quantile=merge_quantile, timings=timings)
    if timings is not None:
        timings["cluster_s"] = time.perf_counter() - t_cl
    return pool_emb, labels, used, reassigned, info


def _lexical_fit_texts(answers: list[str], cb) -> list[str]:
    """Texts an unfitted lexical embedder is fitted on: the answers. In guided mode a lone answer is joined by
    the codebook's theme texts (one text spans no space, and the answer must still be compared with them)."""
    if cb is not None and len(answers) == 1:
        from .guided import theme_texts

        return answers + theme_texts(cb)
    return answers


def _fit_sample(n: int, max_fit_docs: int, seed: int) -> np.ndarray:
    """Rows the models are fitted on: all of them, or a seeded sample of ``max_fit_docs`` (sorted)."""
    if n <= max_fit_docs:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_fit_docs, replace=False))


def _cluster(emb: np.ndarray, lemma_docs: list[str], *, seed: int, params, method: str, max_fit_docs: int,
             outlier_quantile: float, merge_quantile: float | None, timings: dict[str, float] | None = None):
    """Returns (labels, method used, outliers reassigned, info)."""
    n = len(emb)
    info: dict[str, Any] = {}
    if n == 0:
        return np.zeros(0, dtype=np.int64), "empty", 0, info
    if n < MIN_DOCS:
        return np.zeros(n, dtype=np.int64), "single", 0, info
    if method == "auto":
        method = "small" if n < SMALL_WAVE_MAX else "bertopic"
    cap = (params or cl.ClusterParams()).max_cluster_frac  # the small-wave fallback caps a topic as HDBSCAN does
    if method == "small":
        labels = cl.small_wave_labels(emb, seed=seed, max_cluster_frac=cap)
        return labels, "small-wave", 0, info
    if method not in {"bertopic", "bertopic-defaults"}:
        raise ValueError(f"method must be auto, bertopic, bertopic-defaults or small; got {method!r}")

    fit_idx = _fit_sample(n, max_fit_docs, seed)  # large wave: fit on a seeded sample, assign the rest afterwards
    if len(fit_idx) < n:
        info["fit_sample"] = int(max_fit_docs)
    fit_docs = [lemma_docs[i] for i in fit_idx]
    if method == "bertopic-defaults":
        fit_labels = cl.bertopic_labels(emb[fit_idx], fit_docs, seed=seed, defaults=True)
    else:
        fit_labels = cl.tuned_labels(emb[fit_idx], seed=seed, params=params, timings=timings)
    if (fit_labels >= 0).sum() == 0 or len(set(fit_labels[fit_labels >= 0].tolist())) < 2:
        if method == "bertopic-defaults":
            return cl.relabel_by_size(fit_labels), "bertopic-defaults", 0, info
        labels = cl.small_wave_labels(emb, seed=seed, max_cluster_frac=cap)
        info["fallback"] = "hdbscan found < 2 topics"
        return labels, "small-wave", 0, info
    if method == "bertopic-defaults":  # baseline: no post-processing, no sample assignment beyond nearest
        labels = np.full(n, -1, dtype=np.int64)
        labels[fit_idx] = fit_labels
        if len(fit_idx) < n:
            rest = np.setdiff1d(np.arange(n), fit_idx)
            ids, cents = cl.centroids(emb[fit_idx], fit_labels)
            labels[rest] = cl.assign_nearest(emb[rest], ids, cents)[0]
        return cl.relabel_by_size(labels), "bertopic-defaults", 0, info

    info["hdbscan_outliers"] = int((fit_labels < 0).sum())
    left_out = fit_labels < 0
    fit_labels, reassigned = cl.reassign_outliers(emb[fit_idx], fit_labels, quantile=outlier_quantile)
    moved = np.zeros(n, dtype=bool)  # answers HDBSCAN left without a topic, then moved into the nearest one
    moved[fit_idx] = left_out & (fit_labels >= 0)
    info[MOVED] = moved
    if merge_quantile is not None:
        before = len(set(fit_labels[fit_labels >= 0].tolist()))
        fit_labels = cl.merge_close_topics(emb[fit_idx], fit_labels, quantile=merge_quantile)
        info["merged_topics"] = before - len(set(fit_labels[fit_labels >= 0].tolist()))
    labels = np.full(n, -1, dtype=np.int64)
    labels[fit_idx] = fit_labels
    if len(fit_idx) < n:
        rest = np.setdiff1d(np.arange(n), fit_idx)
        ids, cents = cl.centroids(emb[fit_idx], fit_labels)
        floors = cl.member_floor(emb[fit_idx], fit_labels, ids, cents, outlier_quantile)
        topic, sim = cl.assign_nearest(emb[rest], ids, cents)
        ok = sim >= cl.floor_per_row(topic, ids, floors)
        labels[rest[ok]] = topic[ok]
    return cl.relabel_by_size(labels), "bertopic", reassigned, info


MIN_KEYWORD_COVER = 0.2  # a label word is in at least this share of the topic's answers (not one stock phrase)
LABEL_CANDIDATES = 3  # a label's words come from the top ``n_keywords`` times this many c-TF-IDF terms
MIN_KEYWORD_ANSWERS = 2  # a topic word is in at least this many of the topic's answers (never one person's words)
# a word of a health-flagged answer is a topic word only when at least this many of the topic's answers hold it:
# the rule of three of statistical disclosure control (no count of fewer than 3 people is shown, so neither one
# person's diagnosis nor the one other answer sharing a word with it points back to a person)
HEALTH_KEYWORD_ANSWERS = 3
EXAMPLE_MAX_CHARS = 300
SHORT_EXAMPLE = 160  # examples this short are preferred (one theme, readable in the codebook)
#: share of common words (:func:`textmine.neardup.near_duplicate`'s ``shared_words``) from which an example repeats
#: one already chosen: lower than the quotes' (two examples of one topic share its words)
NEAR_DUPLICATE = 0.6
HEADCOUNT_MARK = "[ANTALL]"  # the report quotes' mask of a number of employees (``textmine.quotes``)
_PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ_\- ]+\]")
#: a sentence: up to a «.», «!» or «?» that ends a word and is followed by a space and a capital (or the end); a
#: full stop inside a word («nav.no») or before a lower-case word («f.eks. kontoret») ends none
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?])|[.!?]+[ \t]+(?=[a-zæøå0-9,;(]))+(?:[.!?]+|\n|$)")
_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def _health_flags(prep: pd.DataFrame, clean: list[str], rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows``: the answer holds health or other special-category details (the cleaner's
    ``health_flag``; computed on the redacted text where ``prep`` has no such column)."""
    if "health_flag" in prep.columns:
        return prep["health_flag"].fillna(0).astype(int).to_numpy()[rows].astype(bool)
    return np.array([health_flag(clean[i]) for i in rows], dtype=bool)


LANGUAGE_NAMES = {"en": "engelsk", "nn": "nynorsk", "nb": "bokmål"}
LANGUAGE_TOPIC_SHARE = 0.8  # a topic with at least this share of one non-majority language is flagged, not a theme


def marker_languages(texts: Sequence[str]) -> list[str | None]:
    """Each text's language by the cleaner's marker words ("nb", "nn", "en"; None undecided): fast, no model."""
    try:
        from textmine.preprocess.cleaner import default_resources

        lang = default_resources().language
    except (ImportError, FileNotFoundError):  # pragma: no cover - preprocessing not installed
        return [None] * len(texts)
    return [lang.by_markers(t) for t in texts]


def language_notes(labels: np.ndarray, languages: Sequence[str | None]) -> dict[int, str]:
    """Topic id -> "tema preget av språk: engelsk" for topics whose answers are at least ``LANGUAGE_TOPIC_SHARE``
    one language other than the wave's most common one: grouped by the language they are written in (their
    words share nothing with the other answers'), not by what they say. Answers of no decided language (None:
    no marker word, "I had to wait four months") count for the share only as far as the topic's decided answers
    do, but the language must still be at least half of the topic and two answers."""
    from collections import Counter

    langs = np.array([x if x in LANGUAGE_NAMES else "" for x in languages], dtype=object)
    known = Counter(x for x in langs.tolist() if x)
    if len(known) < 2:
        return {}
    majority = known.most_common(1)[0][0]
    notes = {}
    for t in sorted(int(x) for x in set(np.asarray(labels).tolist()) if x >= 0):
        members = langs[np.asarray(labels) == t].tolist()
        decided = Counter(x for x in members if x)
        if not decided:
            continue
        top, n = decided.most_common(1)[0]
        if (top != majority and n >= 2 and n >= LANGUAGE_TOPIC_SHARE * sum(decided.values())
                and n >= 0.5 * len(members)):
            notes[t] = f"tema preget av språk: {LANGUAGE_NAMES[top]}"
    return notes


def _describe(pool: np.ndarray, labels: np.ndarray, emb: np.ndarray, clean: list[str], lemmas: list[str], *,
              n_examples: int, n_keywords: int, total: int, health: np.ndarray | None = None,
              examples: bool = True) -> list[Topic]:
    """The topics of ``labels`` (per ``pool`` row): keywords, label, size, share, language note and - unless
    ``examples`` is False (labels only, as for the stability seeds) - example answers."""
    ids = sorted(int(t) for t in set(labels.tolist()) if t >= 0)
    if not ids:
        return []
    health = np.zeros(len(pool), dtype=bool) if health is None else np.asarray(health, dtype=bool)
    notes = language_notes(labels, marker_languages([clean[i] for i in pool]))
    docs = [without_compound_parts(lemmas[i]) for i in pool]  # (labels: the words written, not their parts)
    ctfidf, terms, counts = class_tfidf(docs, labels, ids, vectorizer=make_vectorizer(len(docs)), doc_counts=True)
    avoid = probable_names([clean[i] for i in pool])  # names the redaction did not know: no keyword, no example
    allowed = allowed_terms(terms, avoid)
    holds = sparse.csc_matrix(counts > 0)
    _, cents = cl.centroids(emb, labels)
    topics = []
    shown: set[frozenset[str]] = set()  # the examples' content words so far: no sentence in two topics
    for row, (t, c) in enumerate(zip(ids, cents)):
        members = np.flatnonzero(labels == t)
        kws, label_kws, doc_sets = _topic_keywords(ctfidf[row], terms, holds, members, allowed, n_keywords,
                                                   health=health,
                                                   stock=stock_phrases([clean[pool[j]] for j in members]))
        shown_kws = label_keywords(label_kws, doc_sets=doc_sets)
        picked: list[str] = []
        if examples:
            sims = emb[members] @ c
            ranked = [clean[pool[j]] for j in members[np.lexsort((members, -sims))]]
            picked = pick_examples(ranked, n_examples, avoid=avoid, words=shown_kws, shown=shown)
        topics.append(Topic(id=t, label=" · ".join(shown_kws) or make_label([]), keywords=kws,
                            size=int(len(members)), share=round(len(members) / max(total, 1), 4),
                            examples=picked, language_note=notes.get(t)))
    return topics


def _topic_keywords(weights, terms: np.ndarray, holds, members: np.ndarray, allowed: np.ndarray, n_keywords: int,
                    *, health: np.ndarray | None = None, stock: tuple[frozenset, np.ndarray] | None = None):
    """A topic's keywords (c-TF-IDF order, never a name; each held by at least ``MIN_KEYWORD_ANSWERS`` of its
    answers, one held by a health-flagged answer (``health``: per pool row) by ``HEALTH_KEYWORD_ANSWERS``), the
    ones a label may show (each in at least ``MIN_KEYWORD_COVER`` of its answers and not a word of a stock phrase
    (``stock``: :func:`labels.stock_phrases` of its answers) held mostly by the answers repeating that phrase;
    the keywords not from a stock phrase where none is wide enough, all of them where every one is) and, per
    keyword, the set of its answers holding it."""
    if not len(terms):
        return [], [], {}
    sub = sparse.csc_matrix(holds[members])
    row = weights.toarray().ravel() if sparse.issparse(weights) else np.asarray(weights).ravel()
    # candidates: the keywords, then (for a label when a stock phrase fills them) the next ones in c-TF-IDF order
    cands = top_keywords(np.where(allowed & _shared_terms(sub, members, health), row, 0.0), terms,
                         n_keywords * LABEL_CANDIDATES)
    kws = cands[:n_keywords]
    col = {str(x): i for i, x in enumerate(terms)}
    doc_sets = {k: frozenset(sub[:, col[k]].nonzero()[0].tolist()) for k in cands}
    need = max(1, int(np.ceil(MIN_KEYWORD_COVER * len(members))))
    words, repeats = stock if stock is not None else (frozenset(), np.zeros(len(members), dtype=bool))
    free = [k for k in cands if not (any(in_stock_phrase(w, words) for w in k.split())
                                     and 2 * sum(bool(repeats[j]) for j in doc_sets[k]) >= len(doc_sets[k]))]
    wide = [k for k in free if len(doc_sets[k]) >= need]
    return kws, wide or free or kws, doc_sets


def _shared_terms(sub, members: np.ndarray, health: np.ndarray | None) -> np.ndarray:
    """Mask over terms: held by at least ``MIN_KEYWORD_ANSWERS`` of the topic's answers (``sub``: their
    [answers, terms] holds), and by ``HEALTH_KEYWORD_ANSWERS`` where a health-flagged one holds it."""
    n = np.asarray(sub.sum(axis=0)).ravel()
    ok = n >= MIN_KEYWORD_ANSWERS
    if health is not None and np.asarray(health)[members].any():
        flagged = np.asarray(sub[np.flatnonzero(np.asarray(health)[members])].sum(axis=0)).ravel() > 0
        ok &= ~flagged | (n >= HEALTH_KEYWORD_ANSWERS)
    return ok


def pick_examples(ranked: Sequence[str], n: int, *, max_chars: int = EXAMPLE_MAX_CHARS,
                  avoid: Collection[str] = (), words: Sequence[str] = (),
                  shown: set[frozenset[str]] | None = None) -> list[str]:
    """Up to ``n`` example answers from ``ranked`` (most typical first): whole sentences (a long answer shows the
    sentences holding one of the topic's label ``words`` (lemmas), else its leading ones, within ``max_chars``;
    one whose first sentence is longer is skipped), passed through the report quotes' safety rules (headcounts
    masked «[ANTALL] ansatte», no personal number, no one person's health, no place), never a redaction
    placeholder, a name-list word, health details or a near-duplicate of one already chosen
    (:func:`textmine.neardup.near_duplicate`, ``shared_words`` :data:`NEAR_DUPLICATE`, or :func:`same_content`:
    the same content words up to spelling and bokmål/nynorsk). ``shown``: the content words of the examples (and
    their sentences) of the topics described before (extended here): no sentence is an example of two topics
    (compared exactly, so the cost does not grow with the number of topics). At most
    :data:`EXAMPLE_CANDIDATES` answers are looked at. Answers holding a label
    word come first (once one is chosen, answers without one are not shown), then short answers (up to
    ``SHORT_EXAMPLE`` characters) among the more typical half: long
    answers mostly touch several themes."""
    raw = [str(t).strip() for t in ranked]
    half = range(min(max(10, len(raw) // 2), len(raw)))
    short = {i for i in half if len(raw[i]) <= SHORT_EXAMPLE}
    topical = {i for i in range(len(raw)) if words and _holds_word(raw[i], words)}
    order = sorted(range(len(raw)), key=lambda i: (i not in topical, i not in short, i))
    out: list[str] = []
    seen: list[Reading] = []
    earlier = shown if shown is not None else set()
    mine: list[frozenset[str]] = []
    for i in order[:EXAMPLE_CANDIDATES]:
        if out and topical and i not in topical:  # an answer without the topic's words shows it only alone
            break
        text = mask_local_names(mask_headcount(_example_text(raw[i], max_chars, words), one=False))
        if len(text) < 8 or not _showable(text, avoid):
            continue
        read, content = reading(text), _sentence_words(text)
        if near_duplicate_of_any(read, seen, shared_words=NEAR_DUPLICATE) or any(b in earlier for b in content) \
                or any(same_content(a, b) for a in content for b in mine):
            continue
        out.append(text)
        seen.append(read)
        mine.extend(content)
        if len(out) == n:
            break
    earlier.update(mine)
    return out


def _sentence_words(text: str) -> list[frozenset[str]]:
    """:func:`content_words` of ``text`` and of each of its sentences of three words or more: an example that
    repeats one sentence of another ("Hvorfor snakker ikke Nav-kontoret og legen sammen? ...") repeats it."""
    out = [content_words(text)]
    parts = [content_words(m.group(0)) for m in _SENTENCE.finditer(text)]
    if len(parts) > 1:
        out.extend(p for p in parts if len(p) >= 3)
    return out


#: the most answers of a topic (in example order) :func:`pick_examples` looks at: its cost stays bounded on large
#: topics whose typical answers are all near-duplicates or unshowable
EXAMPLE_CANDIDATES = 200
#: share of content words alike (:func:`same_content`) from which two examples say the same thing
SAME_CONTENT = 0.6
SPELLING_ALIKE = 0.75  # character similarity (difflib ratio) of two words spelled alike ("sjukmelde", "sykmeldte")


def content_words(text: str) -> frozenset[str]:
    """The distinct folded words of ``text`` (:func:`textmine.neardup.fold_words`) that :func:`same_content`
    compares (function words too: two short comments differ in them, "i dag" / "hver dag")."""
    from textmine.neardup import fold_words

    return frozenset(fold_words(text))


def same_content(a: frozenset[str], b: frozenset[str], *, share: float = SAME_CONTENT) -> bool:
    """Whether two word sets (:func:`content_words`) say the same: at least ``share`` of their words alike
    (Jaccard, a word of four letters or more matching one spelled alike in the other: "ikke"/"ikkje",
    "forebygge"/"førebyggje", "tettere"/"tettare", "sykmeldte"/"sjukmelde")."""
    if not a or not b:
        return False
    if a == b:
        return True
    from difflib import SequenceMatcher

    def alike(w: str, others: frozenset[str]) -> bool:
        return w in others or len(w) >= 4 and any(
            SequenceMatcher(None, w, o, autojunk=False).ratio() >= SPELLING_ALIKE
            for o in others if len(o) >= 4 and abs(len(o) - len(w)) <= 3)

    small, big = (a, b) if len(a) <= len(b) else (b, a)
    common = sum(alike(w, big) for w in small)
    return common / (len(a) + len(b) - common) >= share


def _holds_word(text: str, words: Sequence[str]) -> bool:
    """Whether ``text`` holds one of the (lemma) ``words`` ("refusjon" in "Refusjonen kommer sent")."""
    folded = frozenset(w.lower() for w in _WORDS.findall(text))
    return any(in_stock_phrase(w, folded) for kw in words for w in kw.split())


def _example_text(text: str, max_chars: int, words: Sequence[str]) -> str:
    """What an example shows of ``text``: the sentences holding a label word (``words``), within ``max_chars`` -
    the part of a comment about several things that carries the topic -, else (every sentence or none holds
    one) ``text`` when short enough, else its leading whole sentences."""
    if words:
        parts = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
        kept, n_kept = "", 0
        for k, part in enumerate(parts):
            whole = part[-1:] in ".!?" or k == len(parts) - 1
            if whole and _holds_word(part, words):
                nxt = f"{kept} {part}".strip()
                if len(nxt) > max_chars:
                    break
                kept, n_kept = nxt, n_kept + 1
        if kept and n_kept < len(parts):
            return kept
    return _whole_sentences(text, max_chars)


def _whole_sentences(text: str, max_chars: int) -> str:
    """``text`` when short enough, else its leading whole sentences within ``max_chars`` ("" if none fits)."""
    if len(text) <= max_chars:
        return text
    kept = ""
    for m in _SENTENCE.finditer(text):
        nxt = (kept + m.group(0)).rstrip()
        if len(nxt) > max_chars:
            break
        kept = nxt if m.group(0).rstrip()[-1:] in ".!?" else kept
    return kept.strip()


def _showable(text: str, avoid: Collection[str] = ()) -> bool:
    """No placeholder ([NAVN], [TELEFON] ...; the quotes' «[ANTALL]» is fine), no name-list word or probable name
    (``avoid``), no county or region written as a name (:data:`labels.COUNTIES`: "fra en arbeidsgiver i Agder";
    a town's NAV office, "kontoret i Bergen", may show), no health details, nothing the report quotes' safety net
    masks (:func:`textmine.quotes.safe_quote_text`) and no one person's health
    (:func:`textmine.quotes.describes_personal_health`)."""
    if avoid and any(w.lower() in avoid for w in _WORDS.findall(text)):
        return False
    if _PLACEHOLDER.search(text.replace(HEADCOUNT_MARK, "")) or _shows_name(text) or health_flag(text):
        return False
    if any(w[0].isupper() and w.lower() in COUNTIES for w in _WORDS.findall(text)):
        return False
    return safe_quote_text(text) == text and not describes_personal_health(text)


def _shows_name(text: str) -> bool:
    """A first name or surname of the name lists (one that is an ordinary word too - "Per", "Dag" - only when
    written with a capital inside a sentence)."""
    names, ordinary = name_words()
    sentence_start = True
    for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*|[.!?:]", text):
        tok = m.group(0)
        if tok in ".!?:":
            sentence_start = True
            continue
        low = tok.lower()
        if low in names and (low not in ordinary or (tok[0].isupper() and not sentence_start)):
            return True
        sentence_start = False
    return False


def slugify(text: str) -> str:
    """ASCII theme id from a keyword: ``"ventetid på telefon"`` -> ``"ventetid_paa_telefon"`` (å -> aa, æ -> ae,
    ø -> o; the codebook validator's rule, ``textmine.codebook.ascii_id``)."""
    from textmine.codebook import ascii_id

    return ascii_id(text) or "tema"
