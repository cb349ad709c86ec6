"""Human in the loop: rank comments by the value of a human label, apply corrections, retrain, compare.

Value of labelling comment *i* = uncertainty × rare-theme bonus:
``(1 − confidence_i) × (1 + β · Σ_t p_it·r_t / Σ_t p_it)`` with ``r_t = 1/√(1 + labelled positives of t)``
scaled to max 1, so comments that probably belong to thinly labelled themes come first. Selection is by
maximal marginal relevance over the embeddings (λ·value − (1−λ)·max cosine to the already chosen) and skips
near-duplicates (cosine ≥ ``dup_cosine``, identical text, or the same number of words spelled nearly alike: a typo
or a nynorsk/bokmål spelling of a chosen comment, character similarity ≥ ``DUP_TEXT_RATIO``; the rule of
:func:`textmine.neardup.near_duplicate` with ``overlap=False``, ``spelling=DUP_TEXT_RATIO``), so the queue is
diverse. :func:`rank_review` is that ranking on plain arrays, shared by ``textmine review`` and the service's
review queue.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .classify.base import BaseCoder, Prepared, decide
from .codebook import Codebook, parse_theme_list, shown_value, shown_values
from .evaluate import evaluate_coding
from .neardup import SPELLING, Reading, near_duplicate_of_any

__all__ = ["review_queue", "rank_review", "ReviewRanking", "rank_for_review", "apply_corrections", "RetrainResult",
           "read_labelled", "correction_effect", "stored_corrections", "restore_correction_ids",
           "restore_correction_texts"]

DUP_TEXT_RATIO = SPELLING  # character similarity of two texts of as many words that makes them duplicates
#: a row is ranked for a ``rare theme`` (its reason) while its rarest decided theme has fewer labelled positives
RARE_BELOW = 3
NEAR_DUPLICATE_REASON = "near-duplicate"


@dataclass(frozen=True)
class ReviewRanking:
    """A review order (:func:`rank_review`): row positions in queue order, each one's reason (``rare theme: X``,
    ``uncertain`` or ``near-duplicate``), how many of them form the diverse head (chosen one by one) and each row's
    value by the labelled counts alone (by row position, not by rank)."""

    order: np.ndarray
    reasons: list[str]
    head: int
    value: np.ndarray


class _Ranker:
    """The state of one :func:`rank_review` call: theme counts (grown by the chosen rows' themes with
    ``count_chosen``), values, reasons and the texts' readings (folded once per distinct text, when first needed)."""

    def __init__(self, confidence: np.ndarray, weights: np.ndarray, labelled: np.ndarray, texts: Sequence[str],
                 decided: np.ndarray, theme_ids: Sequence[str], beta: float, rare_below: int):
        self.conf, self.weights = confidence, weights
        self.counts = labelled.astype(float).copy()
        self.texts, self.theme_ids, self.beta, self.rare_below = texts, list(theme_ids), beta, rare_below
        self.mass = weights.sum(1)
        rows, cols = np.nonzero(decided)
        self._cols, self._starts = cols, np.searchsorted(rows, np.arange(len(confidence) + 1)).tolist()
        self._id_rank = np.argsort(np.argsort(np.asarray(self.theme_ids, dtype=object))).tolist() \
            if len(self.theme_ids) else []
        raw = 1.0 / np.sqrt(1.0 + self.counts)
        self.scale = raw.max() if raw.size and raw.max() > 0 else 1.0  # r_t scaled to max 1 by the first counts
        self.rare = raw / self.scale
        self._readings: dict[str, Reading] = {}

    def values(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """``(1 − confidence) × (1 + beta · Σ_t w_t·r_t / Σ_t w_t)`` of ``rows`` by the current counts."""
        w, mass = self.weights[rows], self.mass[rows]
        bonus = np.divide((w * self.rare).sum(1), mass, out=np.zeros(len(mass)), where=mass > 0)
        return (1.0 - self.conf[rows]) * (1.0 + self.beta * bonus)

    def cols(self, i: int) -> np.ndarray:
        """The decided themes (columns) of row ``i``."""
        return self._cols[self._starts[i]:self._starts[i + 1]]

    def count(self, i: int) -> None:
        """Row ``i`` chosen: its decided themes count as labelled from now on."""
        cols = self.cols(i)
        self.counts[cols] += 1
        self.rare[cols] = 1.0 / np.sqrt(1.0 + self.counts[cols]) / self.scale

    def reason(self, i: int) -> str:
        cols = self.cols(i).tolist()
        if not cols:
            return "uncertain"
        counts = self.counts
        rarest = min(cols, key=lambda c: (counts[c], self._id_rank[c]))
        return f"rare theme: {self.theme_ids[rarest]}" if counts[rarest] < self.rare_below else "uncertain"

    def reading(self, i: int) -> Reading:
        text = str(self.texts[i])
        if text not in self._readings:
            self._readings[text] = Reading(text)
        return self._readings[text]


def rank_review(confidence: Sequence[float] | np.ndarray, weights: np.ndarray, labelled: Sequence[float] | np.ndarray,
                texts: Sequence[str], *, decided: np.ndarray | None = None, theme_ids: Sequence[str] | None = None,
                n: int | None = None, head: int | None = None, beta: float = 1.0, count_chosen: bool = False,
                emb: np.ndarray | None = None, lam: float = 0.7, dup_cosine: float = 0.95,
                ties: Sequence[int] | np.ndarray | None = None, max_scan: int | None = None,
                rare_below: int = RARE_BELOW) -> ReviewRanking:
    """The review order of rows (pure; the rule of the module doc), used by :func:`rank_for_review` and the
    service's review queue.

    Row i (``confidence[i]``, theme weights ``weights[i]``: probabilities or the decided themes as 0/1, text
    ``texts[i]``) is worth ``(1 − confidence) × (1 + beta · Σ_t w_t·r_t / Σ_t w_t)``, ``r_t = 1/√(1 + n_t)`` scaled to
    max 1 over the columns, ``n_t`` = ``labelled[t]`` (labelled positives of theme t) plus, with ``count_chosen``,
    the head rows chosen before whose ``decided`` themes (default: ``weights > 0``) hold t.

    The first ``head`` rows (default: ``n``) are chosen one by one: the most valuable (with ``emb``, unit row
    vectors: maximal marginal relevance ``λ·value/max value − (1−λ)·max cosine to the chosen``), skipping a
    near-duplicate of a chosen one (:func:`textmine.neardup.near_duplicate` with ``overlap=False`` and ``spelling``
    :data:`DUP_TEXT_RATIO`: the same folded words or a spelling variant; with ``emb`` also cosine ≥ ``dup_cosine``).
    ``max_scan`` bounds the rows looked at to fill the head. The other rows follow by value (by the counts after the
    head), those whose folded text is not yet ranked first, then the near-duplicates. Ties go to the smaller ``ties``
    (default: row position).

    Only the first ``n`` positions are worked out (default: all rows), the same as the first ``n`` of the whole
    order, so the cost follows what is asked for. Reasons: ``rare theme: X`` (X the row's rarest decided theme, with
    fewer than ``rare_below`` counted), ``near-duplicate``, else ``uncertain``; ``theme_ids`` name the columns."""
    conf = np.asarray(confidence, dtype=float)
    w = np.asarray(weights, dtype=float)
    lab = np.asarray(labelled, dtype=float).reshape(-1)
    dec = (w > 0) if decided is None else np.asarray(decided).astype(bool)
    if w.ndim != 2 or dec.shape != w.shape or w.shape[0] != len(conf) or len(texts) != len(conf) \
            or len(lab) != w.shape[1]:
        raise ValueError(f"rank_review: {len(conf)} confidences, {len(texts)} texts, weights {w.shape}, decided "
                         f"{dec.shape} and {len(lab)} labelled counts; expected one text and one row of theme weights "
                         f"per confidence and one labelled count per theme")
    k = w.shape[1]
    r = _Ranker(conf, w, lab, texts, dec, theme_ids if theme_ids is not None else [str(t) for t in range(k)],
                beta, rare_below)
    value0 = r.values()
    tie = np.arange(len(conf)) if ties is None else np.asarray(ties)
    need = len(conf) if n is None else max(0, min(int(n), len(conf)))
    fill = need if head is None else min(need, max(0, int(head)))
    ranked: list[tuple[int, str]] = []
    seen: set[str] = set()
    chosen: list[Reading] = []
    deferred: list[int] = []  # near-duplicates of a head row
    repeats: set[str] = set()  # folded texts found near-duplicates of a chosen one (so they stay: chosen only grows)

    def take(i: int) -> bool:
        """Row ``i`` into the head unless it repeats a chosen one (then deferred)."""
        key = r.reading(i)
        if key.key in seen or key.key in repeats \
                or near_duplicate_of_any(key, chosen, overlap=False, spelling=DUP_TEXT_RATIO):
            repeats.add(key.key)
            deferred.append(i)
            return False
        ranked.append((i, r.reason(i)))
        seen.add(key.key)
        chosen.append(key)
        if count_chosen:
            r.count(i)
        return True

    if emb is not None:
        rest = _mmr_head(r, take, np.asarray(emb), value0, tie, fill, lam, dup_cosine, deferred, max_scan,
                         count_chosen)
    else:
        rest = _greedy_head(r, take, value0, tie, fill, max_scan, count_chosen)
    n_head = len(ranked)
    if len(ranked) < need:
        ranked += _tail(r, rest, np.array(deferred, dtype=int), tie, seen, need - len(ranked))
    ranked = ranked[:need]
    return ReviewRanking(order=np.array([i for i, _ in ranked], dtype=int), reasons=[why for _, why in ranked],
                         head=n_head, value=value0)


def _greedy_head(r: _Ranker, take: Callable[[int], bool], value0: np.ndarray, tie: np.ndarray, fill: int,
                 max_scan: int | None, count_chosen: bool) -> np.ndarray:
    """:func:`rank_review`'s head without embeddings: the row of highest value by the current counts (ties by
    ``tie``), one at a time; returns the rows left. ``max_scan`` bounds the rows looked at (chosen or skipped as
    near-duplicates). The rows are looked at in blocks of the best (:func:`_best_first`), a block worked out again
    when a chosen row's themes are counted, and then only the rows weighting those themes are revalued."""
    current = _nan_last(value0)
    available = np.ones(len(current), dtype=bool)
    n_chosen = scans = 0
    block: list[int] = []
    while n_chosen < fill and scans < len(current) and (max_scan is None or scans < max_scan):
        if not block:
            block = _best_first(current, available, tie)
        i = block.pop()
        available[i] = False
        scans += 1
        if take(i):
            n_chosen += 1
            if count_chosen and n_chosen < fill:
                changed = np.flatnonzero(available & (r.weights[:, r.cols(i)] != 0).any(1))
                current[changed] = _nan_last(r.values(changed))
                block = []  # values fell: the order is worked out again
    return np.flatnonzero(available)


#: how many rows :func:`_greedy_head` orders at a time (skipped near-duplicates cost no new order up to this many)
_HEAD_BLOCK = 64


def _best_first(current: np.ndarray, available: np.ndarray, tie: np.ndarray, size: int = _HEAD_BLOCK) -> list[int]:
    """The ``size`` available rows of highest ``current`` value (and all tied with the last of them) in reverse
    order: the best, by value then smaller ``tie``, last."""
    left = np.flatnonzero(available)
    if len(left) > size:
        vals = current[left]
        cut = np.partition(vals, len(vals) - size)[len(vals) - size]
        left = left[vals >= cut]
    return left[np.lexsort((tie[left], -current[left]))][::-1].tolist()


def _nan_last(values: np.ndarray) -> np.ndarray:
    """``values`` with NaN (a row without a confidence) as -inf: ranked after every other row."""
    return np.where(np.isnan(values), -np.inf, values)


def _mmr_head(r: _Ranker, take: Callable[[int], bool], emb: np.ndarray, value0: np.ndarray, tie: np.ndarray,
              fill: int, lam: float, dup_cosine: float, deferred: list[int], max_scan: int | None,
              count_chosen: bool) -> np.ndarray:
    """:func:`rank_review`'s head by maximal marginal relevance over ``emb``; returns the rows left."""
    vmax = value0.max() if len(value0) else 1.0
    vnorm = value0 / (vmax if vmax > 0 else 1.0)
    max_sim = np.zeros(len(value0))
    available = np.ones(len(value0), dtype=bool)
    n_chosen = scans = 0
    while n_chosen < fill and available.any() and (max_scan is None or scans < max_scan):
        mmr = np.where(available, lam * vnorm - (1 - lam) * max_sim, -np.inf)
        best = np.flatnonzero(mmr == mmr.max())
        i = int(best[np.argmin(tie[best])])
        available[i] = False
        scans += 1
        if n_chosen and max_sim[i] >= dup_cosine:
            deferred.append(i)
            continue
        if take(i):
            n_chosen += 1
            max_sim = np.maximum(max_sim, emb @ emb[i])
            if count_chosen:
                vnorm = r.values() / (vmax if vmax > 0 else 1.0)
    return np.flatnonzero(available)


def _tail(r: _Ranker, rest: np.ndarray, deferred: np.ndarray, tie: np.ndarray, seen: set[str],
          need: int) -> list[tuple[int, str]]:
    """Up to ``need`` rows after the head: ``rest`` by value (current counts) whose folded text is not yet ranked,
    then the near-duplicates (texts seen before and ``deferred``) by value."""
    last_rest = r.values(rest) if len(rest) else np.zeros(0)
    out: list[tuple[int, str]] = []
    later: list[int] = []
    for i in rest[np.lexsort((tie[rest], -last_rest))].tolist() if len(rest) else []:
        key = r.reading(i).key
        if key in seen:
            later.append(i)
            continue
        seen.add(key)
        out.append((i, r.reason(i)))
        if len(out) == need:
            return out
    dups = np.concatenate([np.array(later, dtype=int), deferred])
    if len(dups):
        last = r.values(dups)
        out += [(i, NEAR_DUPLICATE_REASON) for i in dups[np.lexsort((tie[dups], -last))][:need - len(out)].tolist()]
    return out


def rank_for_review(prep: Prepared, probs: np.ndarray, thresholds: np.ndarray | None, coder: BaseCoder, *,
                    n: int = 20, lam: float = 0.7, beta: float = 1.0, dup_cosine: float = 0.95,
                    labelled_counts: dict[str, int] | None = None,
                    decided: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Pure ranking core (see module doc; the order is :func:`rank_review`'s diverse head). Returns the chosen rows
    in queue order. ``decided``: the coder's own (theme 0/1 matrix, confidence) per row, used instead of deciding
    from ``probs`` and ``thresholds``."""
    cb = coder.codebook
    probs = cb.rollup_matrix(np.asarray(probs, dtype=float))
    if decided is not None:
        y, conf = np.asarray(decided[0]), np.asarray(decided[1], dtype=float)
    else:
        y = decide(cb, probs, thresholds, prep.answered)
        conf = coder._confidence(probs, y, thresholds)
    counts = labelled_counts
    if counts is None:
        counts = (getattr(coder, "training_metrics_", {}) or {}).get("positives_per_theme")
    if counts:
        c = np.array([float(counts.get(t, 0)) for t in cb.theme_ids])
    else:  # zero-shot: rarity from the predicted distribution in this batch
        c = y[prep.answered].sum(0).astype(float)
    cand = np.flatnonzero(prep.answered)
    ranking = rank_review(conf[cand], probs[cand], c, [prep.text_clean[i] for i in cand], decided=y[cand],
                          theme_ids=cb.theme_ids, n=n, beta=beta, emb=np.asarray(prep.emb)[cand], lam=lam,
                          dup_cosine=dup_cosine)
    ids = cb.theme_ids
    rows = []
    for rank, j in enumerate(ranking.order[:ranking.head], 1):
        i = int(cand[j])
        order = np.argsort(-probs[i])[:3]
        rows.append({"rank": rank, "row": i, "text_clean": prep.text_clean[i],
                     "suggested_themes": ";".join(ids[t] for t in np.flatnonzero(y[i])),
                     "candidates": ", ".join(f"{ids[t]} {probs[i, t]:.2f}" for t in order),
                     "confidence": round(float(conf[i]), 4), "value": round(float(ranking.value[j]), 4)})
    return pd.DataFrame(rows, columns=["rank", "row", "text_clean", "suggested_themes", "candidates", "confidence",
                                       "value"])


def review_queue(coder: BaseCoder, texts: Sequence[str] | pd.Series, *, n: int = 20, lam: float = 0.7,
                 beta: float = 1.0, dup_cosine: float = 0.95,
                 questions: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The ``n`` comments most worth a human label, diverse (``row`` = position in ``texts``). Themes, scores,
    type and confidence are the coder's own output (``predict``: with a cascade, the lexical stage's where it decides),
    with ``questions`` (one question for all, or one per text) as ``textmine code --question/--question-col`` gives
    them, so that the queue suggests what the coded file holds."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"n must be a whole number ≥ 0 (how many comments to queue), got {n!r}")
    if questions is not None and not isinstance(questions, str):
        questions = list(questions)
    prep = coder.prepare(coder.clean(texts, questions))  # embedded: the queue's diversity needs every vector
    pred = coder.predict_prepared(prep)
    ids = coder.codebook.theme_ids
    probs = pred[[f"score_{t}" for t in ids]].to_numpy(dtype=float)
    decided = (pred[[f"theme_{t}" for t in ids]].to_numpy(), pred["confidence"].to_numpy(dtype=float))
    q = rank_for_review(prep, probs, None, coder, n=n, lam=lam, beta=beta, dup_cosine=dup_cosine, decided=decided)
    if "type" in pred.columns:  # the coder's comment type, for a queue file the analyst edits into corrections
        q.insert(4, "type", [str(pred["type"].iloc[i]) if pd.notna(pred["type"].iloc[i]) else ""
                             for i in q["row"]])
    return q


def read_labelled(path_or_df: Any, *, text_col: str = "text", themes_col: str = "themes",
                  type_col: str = "type", question_col: str = "question", id_col: str | None = "id",
                  codebook: Codebook | None = None, where: str | None = None,
                  warn: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Labelled comments (``text``, ``themes`` joined by ';', optional ``type`` and ``question``, the survey
    question answered; "" where absent) from a table file or frame.

    Always refused (``ValueError`` naming ``where``, the data row, the id and the column): a missing text or themes
    column, and the same value twice in ``id_col`` (when that column exists). With ``codebook`` every row is
    checked: unknown theme ids, an exclusive theme combined with another, a type that is not one of the codebook's
    ``types`` (a case-only difference such as "Klage" is accepted as "klage"). Also with ``codebook``, through
    ``warn`` (default: :func:`warnings.warn`): no type column (the type facet learns nothing from these rows),
    comments with an empty themes cell (trained as "no theme applies"; non-answers are not counted) and themes on
    an empty comment (nothing to learn from). Data rows are numbered from 1 below the header.

    Non-answer rows (``is_non_answer`` = 1) are kept: they teach nothing but are harmless (the coder skips them).
    """
    if isinstance(path_or_df, pd.DataFrame):
        df = path_or_df.copy()
        where = where or "labelled frame"
    else:
        from .io import read_table

        df = read_table(path_or_df)
        where = where or str(path_or_df)
    if warn is None:
        warn = lambda msg: warnings.warn(msg, UserWarning, stacklevel=3)  # noqa: E731
    for col in (text_col, themes_col):
        if col not in df.columns:
            raise ValueError(f"{where}: no column {col!r} (columns: {', '.join(map(str, df.columns))})")
    ids = (df[id_col].astype("string").fillna("").astype(str).str.strip().tolist()
           if id_col and id_col in df.columns else None)

    def at(i: int) -> str:  # "FILE: data row N (id X)"
        return f"{where}: data row {i + 1}" + (f" ({id_col} {ids[i]!r})" if ids and ids[i] else "")

    problems: list[str] = []  # every refused row is reported (the first ones listed), not only the first
    if ids is not None:
        first: dict[str, int] = {}
        for i, v in enumerate(ids):
            if not v:
                continue
            if v in first:
                problems.append(f"{at(i)}, column {id_col!r}: duplicate id {v!r} (also data row {first[v] + 1}); "
                                f"expected every labelled comment once")
                continue
            first[v] = i
    texts = df[text_col].astype("string").fillna("").astype(str).tolist()
    themes = [parse_theme_list(v) for v in df[themes_col].tolist()]
    has_type = type_col in df.columns
    types = df[type_col].astype("string").fillna("").astype(str).str.strip().tolist() if has_type else [""] * len(df)
    if codebook is not None:
        valid = codebook.theme_ids
        for i, lab in enumerate(themes):
            bad = [x for x in lab if x not in codebook]
            if bad:  # shown only when it looks like a theme id: a misplaced comment may be personal data
                problems.append(f"{at(i)}, column {themes_col!r}: unknown theme id(s) "
                                f"{shown_values(bad)}{_likely_ids(bad, valid)}; expected ids of codebook "
                                f"{codebook.name!r} joined by ';': {', '.join(valid)}")
                continue
            excl = codebook.exclusive_problem(lab)
            if excl:
                problems.append(f"{at(i)}, column {themes_col!r}: {excl}")
        if has_type:
            canon = {t.casefold(): t for t in codebook.types}
            for i, t in enumerate(types):
                if not t:
                    continue
                if t.casefold() not in canon:
                    problems.append(f"{at(i)}, column {type_col!r}: unknown type {shown_value(t, 'type')}; "
                                    f"expected one of the codebook's types {', '.join(codebook.types)} (or an empty "
                                    f"cell)")
                    continue
                types[i] = canon[t.casefold()]
        if problems:
            _refuse(problems, where)
        if not has_type:
            warn(f"{where}: no {type_col!r} column: the type facet ({', '.join(codebook.types)}) learns nothing "
                 f"from this file")
        spoken = [i for i, t in enumerate(texts) if t.strip()]
        unlabelled = [i for i in spoken if not themes[i]]
        if unlabelled:
            from .preprocess import is_non_answer

            unlabelled = [i for i in unlabelled if not is_non_answer(texts[i])]
        if unlabelled:
            shown = ", ".join(str(i + 1) for i in unlabelled[:10]) + (" …" if len(unlabelled) > 10 else "")
            warn(f"{where}: {len(unlabelled)} comment(s) have an empty {themes_col!r} cell (data rows {shown}); "
                 f"they are trained as 'no theme applies' — give their theme ids if that is not meant")
        mute = [i for i, t in enumerate(texts) if not t.strip() and themes[i]]
        if mute:
            shown = ", ".join(str(i + 1) for i in mute[:10]) + (" …" if len(mute) > 10 else "")
            warn(f"{where}: {len(mute)} row(s) have themes but an empty {text_col!r} cell (data rows {shown}); "
                 f"there is nothing to learn from them and they are skipped")
    if problems:  # duplicate ids without a codebook
        _refuse(problems, where)
    out = pd.DataFrame({
        "text": texts,
        "themes": [";".join(lab) for lab in themes],
        "type": types,
        "question": (df[question_col].astype("string").fillna("").astype(str).tolist()
                     if question_col in df.columns else [""] * len(df)),
    })
    return out


def _likely_ids(bad: Sequence[str], valid: Sequence[str]) -> str:
    """"; did you mean 'telefon'?" for unknown theme ids that are a typo of one id (only ids shown in messages: a
    misplaced comment is never quoted)."""
    import difflib

    guesses = []
    for x in bad:
        close = difflib.get_close_matches(x.casefold(), list(valid), n=1, cutoff=0.75) if shown_value(x) == repr(x) \
            else []
        if close:
            guesses.append(f"{close[0]!r} for {x!r}" if len(bad) > 1 else repr(close[0]))
    return f"; did you mean {', '.join(guesses)}?" if guesses else ""


def _refuse(problems: list[str], where: str, shown: int = 20) -> None:
    """One error for all refused rows: the first problem as the message's first line, then the others (up to
    ``shown`` in all) and how many were left out."""
    if len(problems) == 1:
        raise ValueError(problems[0])
    lines = [problems[0], f"{where}: {len(problems)} problems in all; the others:"]
    lines += [f"  - {p}" for p in problems[1:shown]]
    if len(problems) > shown:
        lines.append(f"  … and {len(problems) - shown} more")
    raise ValueError("\n".join(lines))


@dataclass
class RetrainResult:
    """A retrained coder and how quality moved."""

    coder: Any
    before: dict[str, float]
    after: dict[str, float]
    n_corrections: int
    notes: list[str] = field(default_factory=list)
    effect: dict[str, int] = field(default_factory=dict)  # see :func:`correction_effect`
    corrections: pd.DataFrame | None = None  # the corrections trained on (earlier + new), as :func:`stored_corrections`
    n_earlier: int = 0  # earlier corrections (a model's stored ones) trained on again

    def to_dict(self) -> dict[str, Any]:
        return {"n_corrections": self.n_corrections, "n_earlier": self.n_earlier, "effect": self.effect,
                "before": self.before, "after": self.after,
                "delta": {k: round(self.after[k] - self.before[k], 4) for k in self.after
                          if k in self.before and isinstance(self.after[k], int | float)
                          and isinstance(self.before[k], int | float)},
                "notes": self.notes}

    def to_text(self) -> str:
        d = self.to_dict()
        lines = [f"corrections applied: {self.n_corrections} (rows of the corrections file)"]
        if self.effect:
            lines.append(effect_text(self.effect))
        if self.n_earlier:
            lines.append(f"also trained on {self.n_earlier} earlier correction(s) stored with the model (a new "
                         f"correction of the same respondent and question, or of the same text, replaces its earlier "
                         f"one)")
        lines.append(f"{'metric':<34}{'before':>9}{'after':>9}{'change':>9}")
        for k, dv in d["delta"].items():
            lines.append(f"{k:<34}{self.before[k]:>9.3f}{self.after[k]:>9.3f}{dv:>+9.3f}")
        lines.extend(self.notes)
        return "\n".join(lines)


def _labelled_matrix(codebook: Codebook, themes: Sequence[str]) -> np.ndarray:
    """0/1 themes per row ('a;b' cells), rolled up as a coder's output is."""
    return codebook.rollup_matrix(codebook.to_matrix([parse_theme_list(t) for t in themes])).astype(bool)


def correction_effect(codebook: Codebook, corr: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame) -> dict[str, int]:
    """What the corrections (``text``, ``themes``, ``type``) did: how many changed the previous model's coding
    (``old``: its predictions of them; themes, or a given type, differ) and, of those, how many the retrained model
    (``new``) codes as corrected: themes exactly and a given type (``follows``), themes the correction removed that it
    still gives (``removed_kept``), themes it added that it still misses (``added_missing``), type as corrected
    (``type_follows`` of ``type_changed``). In-sample: the new model has trained on the corrections."""
    ids = codebook.theme_ids
    want = _labelled_matrix(codebook, corr["themes"].tolist())
    o = old[[f"theme_{t}" for t in ids]].to_numpy().astype(bool)
    n = new[[f"theme_{t}" for t in ids]].to_numpy().astype(bool)
    wt = corr["type"].fillna("").astype(str).tolist() if "type" in corr else [""] * len(corr)
    ot = old["type"].fillna("").astype(str).tolist() if "type" in old else [""] * len(old)
    nt = new["type"].fillna("").astype(str).tolist() if "type" in new else [""] * len(new)
    eff = dict.fromkeys(("corrections", "changed", "follows", "removed_kept", "added_missing", "type_changed",
                         "type_follows"), 0)
    eff["corrections"] = len(corr)
    for i in range(len(corr)):
        themes_changed = bool((o[i] != want[i]).any())
        type_changed = bool(wt[i]) and wt[i] != ot[i]
        if not (themes_changed or type_changed):
            continue
        eff["changed"] += 1
        type_ok = not wt[i] or nt[i] == wt[i]
        eff["follows"] += bool((n[i] == want[i]).all()) and type_ok
        eff["removed_kept"] += bool((n[i] & o[i] & ~want[i]).any())
        eff["added_missing"] += bool((want[i] & ~o[i] & ~n[i]).any())
        eff["type_changed"] += type_changed
        eff["type_follows"] += type_changed and type_ok
    return eff


def effect_text(eff: dict[str, int]) -> str:
    """:func:`correction_effect` in words (one line)."""
    n, ch = eff["corrections"], eff["changed"]
    if not ch:
        return (f"{n} corrections, none changed the coding: each gives the themes and type the previous model gave "
                f"(they confirm it, and teach it little)")
    details = [f"{eff['removed_kept']} still carry a removed theme", f"{eff['added_missing']} still miss an added theme"]
    if eff["type_changed"]:
        details.append(f"type as corrected in {eff['type_follows']} of {eff['type_changed']} whose type changed")
    return (f"{n} corrections, {ch} changed the coding (themes or type differ from what the previous model gave); "
            f"the new model follows {eff['follows']} of {ch} ({'; '.join(details)}) — in-sample: the new model was "
            f"trained on these corrections, so this shows whether they were learnt, not quality")


STORED_COLUMNS = ["id", "question", "text", "themes", "type", "text_sha256"]


def stored_corrections(coder: BaseCoder, corr: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """Corrections as a model folder keeps them (``STORED_COLUMNS``): the text as the coder cleans it — redacted,
    as a review queue writes it, whatever the corrections file held — with its SHA-256, the respondent id and
    question (so that a later correction of the same answer replaces it), themes and type."""
    import hashlib

    texts = (coder.clean(corr["text"].astype(str).tolist())["text_clean"].astype(str).tolist() if len(corr) else [])
    return pd.DataFrame({"id": [str(i) for i in ids], "question": corr["question"].fillna("").astype(str).tolist(),
                         "text": texts, "themes": corr["themes"].tolist(), "type": corr["type"].tolist(),
                         "text_sha256": [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]},
                        columns=STORED_COLUMNS)


def _id_number(value: str) -> int | None:
    """An id of digits as Excel shows it once it took it for a number ("01554" → 1554; "1554.0" from a float column);
    None for any other id."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isascii() and text.isdigit() else None  # («²», «①» are digits to isdigit, not to int)


def restore_correction_ids(ids: Sequence[str], known: Sequence[str]) -> tuple[list[str], int]:
    """Correction ids as INPUT (``known``) spells them, and how many were changed: an id Excel turned into a number
    ("1554" or "1554.0" for "01554") gets INPUT's spelling back when exactly one INPUT id has that number; any other
    id is kept as written."""
    known_set = set(known)
    by_number: dict[int, list[str]] = {}
    for k in known_set:
        num = _id_number(k)
        if num is not None:
            by_number.setdefault(num, []).append(k)
    out, changed = [], 0
    for v in ids:
        num = None if v in known_set else _id_number(v)
        hits = by_number.get(num, []) if num is not None else []
        if len(hits) == 1:
            out.append(hits[0])
            changed += 1
        else:
            out.append(v)
    return out, changed


def _cp1252_fold(text: str) -> str:
    """``text`` as Excel's Windows-1252 CSV keeps it, a run of '?' (or of lost characters) as one '?': an emoji is
    one '?' or two (a UTF-16 pair)."""
    kept = "".join(c if c.encode("cp1252", errors="ignore") else "?" for c in text)
    return " ".join(re.sub(r"\?+", "?", kept).split())


def _excel_damaged(text: str, source: str) -> bool:
    """``text`` is ``source`` after Excel: characters Windows-1252 lacks replaced by '?', or UTF-8 read as
    Windows-1252 ("KÃ¸en" for "Køen": a UTF-8 CSV opened without its byte-order mark)."""
    if text == source:
        return False
    if "?" in text and _cp1252_fold(text) == _cp1252_fold(source):
        return True
    moji = source.encode("utf-8").decode("cp1252", errors="replace")
    return " ".join(text.split()) == " ".join(moji.split())


def restore_correction_texts(texts: Sequence[str], ids: Sequence[str], source: dict[str, str]
                             ) -> tuple[list[str], list[int]]:
    """Correction texts with Excel's damage undone (:func:`_excel_damaged`), from ``source`` ({id: INPUT's comment as
    the queue wrote it}), and the data rows (from 1) restored. A text that differs otherwise is kept as written."""
    out, rows = [], []
    for i, (text, key) in enumerate(zip(texts, ids)):
        orig = source.get(key)
        if orig is not None and _excel_damaged(str(text), orig):
            out.append(orig)
            rows.append(i + 1)
        else:
            out.append(text)
    return out, rows


#: the file a retrained model keeps its corrections in (``textmine review --corrections``; sha256, rows and source
#: files in the manifest's ``corrections`` entry), read by later rounds and by the service's training
CORRECTIONS_FILE = "corrections.csv"


def _sha256_file(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_kept_corrections(model_dir, manifest: dict[str, Any], shown: str | None = None
                          ) -> tuple[pd.DataFrame | None, list[str]]:
    """The corrections a retrained model keeps in its folder and the corrections files they came from, in the order
    of the rounds ((None, []) without). ValueError when the file is gone, is not the one whose sha256 the manifest
    records (never train on a changed file) or reads as another number of rows than the manifest's ``rows`` (an old
    file with an unquoted «\\r» in a text); ``shown`` names the file in the message (default: its path)."""
    from pathlib import Path

    info = manifest.get("corrections")
    if not info:
        return None, []
    path = Path(model_dir) / str(info.get("file") or CORRECTIONS_FILE)
    name = shown or str(path)
    if not path.is_file():
        raise ValueError(f"{name}: not found; the model's manifest records {info.get('rows', '?')} corrections kept "
                         f"there (sha256 {str(info.get('sha256'))[:12]}…) — copy the whole model folder, "
                         f"{CORRECTIONS_FILE} included")
    if _sha256_file(path) != info.get("sha256"):
        raise ValueError(f"{name}: changed after the model was saved (its sha256 is not the one manifest.json "
                         "records); expected the corrections the model was trained on — put the file back as it was")
    from .io import read_csv_text  # every cell as written: formula guards off, «\r» kept in its cell

    kept = read_csv_text(path)
    rows = info.get("rows")
    if rows is not None and len(kept) != int(rows):
        raise ValueError(f"{name}: reads as {len(kept)} corrections, but the model's manifest records {rows}; the file "
                         f"was probably written by an older textmine that did not quote a text holding a line break "
                         f"(«\\r»), so it does not read back as written — retrain the model from its training files "
                         f"and the corrections files manifest.json records (corrections.sources)")
    return kept, [str(x) for x in info.get("sources") or []]


def keep_corrections(model_dir, stored: pd.DataFrame, sources: Sequence[str]) -> None:
    """The corrections a model was trained on (:func:`stored_corrections`: redacted text, as a queue writes it) into
    its folder as :data:`CORRECTIONS_FILE`, with sha256, count and the corrections files of all rounds in
    manifest.json (both files replaced whole: never half written); a later round trains on them too. Written by
    :func:`textmine.io.write_table` (UTF-8 without a byte-order mark: a model file, not one for Excel), so a text
    holding «\\r» or starting with «=» reads back exactly (:func:`read_kept_corrections`)."""
    import json
    import os
    from pathlib import Path

    from .io import write_table

    model_dir = Path(model_dir)
    path = write_table(stored, model_dir / CORRECTIONS_FILE)
    manifest_path = model_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["corrections"] = {"file": CORRECTIONS_FILE, "sha256": _sha256_file(path), "rows": int(len(stored)),
                               "sources": list(dict.fromkeys(str(x) for x in sources))}
    tmp = model_dir / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, manifest_path)


def question_echoes(texts: Sequence[Any], questions: Sequence[Any], labels: dict[str, str], default: str) -> list[int]:
    """Positions of the answers (``texts``, each answering ``questions``; a row without a question answers
    ``default``) that only repeat their survey question's label (``labels``: {question: label}) and are no
    non-answer otherwise: what ``textmine code --survey`` counts as a non-answer besides the cleaner's own ones."""
    from .preprocess import is_non_answer

    if not labels:
        return []
    out = []
    for i, (text, asked) in enumerate(zip(texts, questions)):
        label = labels.get(asked or default, "")
        if label and isinstance(text, str) and text.strip() and not is_non_answer(text) \
                and is_non_answer(text, (label,)):
            out.append(i)
    return out


def _without_recorded_echoes(base: pd.DataFrame, asked: dict[str, Any] | None,
                             warn: Callable[[str], None]) -> pd.DataFrame:
    """The training rows as ``textmine train`` used them, by the model's record of its question settings
    (``training_questions`` in its manifest: the survey's question labels, ``--question``, ``--text-col``): rows
    without a question answer ``--question``, and the answers that only repeat their survey question's label are
    left out (a note counts them). Without a record (older models) the rows as they are."""
    if not asked or base.empty:
        return base
    base = base.copy()
    if "question" not in base.columns:
        base["question"] = ""
    if asked.get("question"):
        own = base["question"].astype("string").fillna("").astype(str).str.strip()
        base["question"] = own.where(own != "", str(asked["question"]))
    labels = {str(k): str(v) for k, v in (asked.get("survey_labels") or {}).items()}
    echoes = question_echoes(base["text"].tolist(), base["question"].fillna("").astype(str).tolist(), labels,
                             str(asked.get("default_question") or "text"))
    if echoes:
        warn(f"{len(echoes)} row(s) of the training data only repeat their survey question's wording (as train "
             f"--survey found them, recorded with the model): non-answers, left out of retraining as the first "
             f"training left them out")
        base = base.drop(index=base.index[echoes])
    return base


def apply_corrections(coder: BaseCoder, corrections: pd.DataFrame, *, train: pd.DataFrame | None = None,
                      eval_set: pd.DataFrame | None = None, where: str = "corrections", id_col: str | None = "id",
                      warn: Callable[[str], None] | None = None, weight: int = 1,
                      earlier: pd.DataFrame | None = None, earlier_where: str = "earlier corrections",
                      progress: Callable[[str], None] | None = None) -> RetrainResult:
    """Merge corrected labels into the training data (a correction replaces an identical training text, compared as
    the coder cleans and redacts them, so a queue file's '[TELEFON]' matches the number it hides), retrain a
    :class:`~textmine.classify.SupervisedCoder` with the same settings, and report quality before/after: on
    ``eval_set`` when given, else on the corrected items (old model vs human) and the out-of-fold metrics.

    ``corrections`` (a frame with ``text``, ``themes`` and optional ``type`` — a ``textmine review --queue-out`` file
    after editing is one) is checked against the coder's codebook like a training file (see :func:`read_labelled`);
    ``where`` names it in errors and warnings. Eval comments whose text is among the corrections are left out of the
    comparison (with a note; refused when that leaves none): the new model has learnt them; eval comments in the
    training data are counted in a note (both models have learnt them). ``weight``: how many training rows each
    correction counts as (an integer ≥ 1; the corrections are repeated): above 1 the analyst's own coding outweighs
    the original training data's where the two draw a line differently.

    ``earlier``: corrections a model folder keeps (:func:`stored_corrections`; ``earlier_where`` names them), trained
    on again except where a new correction has the same id and question, or the same text (newer wins).
    ``progress``: called with each stage of the retraining (cleaning, embedding, folds, calibrating, evaluating).
    The result says how many corrections changed the previous model's coding and how many of those the new model
    follows (:func:`correction_effect`), and holds the corrections trained on as a model folder keeps them."""
    from .classify import SupervisedCoder

    if int(weight) != weight or weight < 1:
        raise ValueError(f"the corrections' weight must be a whole number ≥ 1, got {weight!r}")
    say = progress or (lambda msg: None)
    if not isinstance(corrections, pd.DataFrame):
        from .io import read_table

        corrections = read_table(corrections)
    corr = read_labelled(corrections, codebook=coder.codebook, where=where, id_col=id_col, warn=warn)
    if corr.empty:
        raise ValueError(f"{where}: no corrections given")
    corr_ids = (corrections[id_col].astype("string").fillna("").astype(str).str.strip().tolist()
                if id_col and id_col in corrections.columns else [""] * len(corr))
    quiet = lambda msg: None  # noqa: E731 - only errors matter here: checked before the (long) retraining
    for frame, name in ((train, "training data"), (eval_set, "eval set")):
        if frame is not None:
            read_labelled(frame, codebook=coder.codebook, where=name, id_col=None, warn=quiet)
    n_corr = len(corr)
    if train is not None:  # the model's own settings repeated (its survey's question echoes left out)
        train = _without_recorded_echoes(train.reset_index(drop=True), getattr(coder, "training_questions_", None),
                                         warn or (lambda msg: warnings.warn(msg, UserWarning, stacklevel=3)))
    base = (read_labelled(train) if train is not None
            else pd.DataFrame(columns=["text", "themes", "type", "question"]))
    key = lambda s: " ".join(str(s).lower().split())  # noqa: E731

    def keys(frame: pd.DataFrame) -> pd.Series:
        """Each text as the coder cleans it (redacted: a queue file holds '[TELEFON]' where the training file may
        hold the number), case and spacing folded: the same comment has the same key on both sides."""
        if frame.empty:
            return pd.Series([], index=frame.index, dtype=object)
        return pd.Series(coder.clean(frame["text"].astype(str).tolist())["text_clean"].astype(str).map(key).tolist(),
                         index=frame.index)

    new_store = stored_corrections(coder, corr, corr_ids)
    all_corr, store, n_earlier = corr, new_store, 0
    if earlier is not None and len(earlier):
        ear = read_labelled(earlier, codebook=coder.codebook, where=earlier_where, id_col=None, warn=quiet)
        ear_store = stored_corrections(coder, ear, earlier["id"].astype(str).tolist() if "id" in earlier
                                       else [""] * len(ear))
        newer = {(i, q) for i, q in zip(new_store["id"], new_store["question"]) if i}
        new_texts = set(keys(corr))
        old = [bool(i) and (i, q) in newer or k in new_texts
               for i, q, k in zip(ear_store["id"], ear_store["question"], keys(ear))]
        kept = ~pd.Series(old, dtype=bool).to_numpy()
        n_earlier = int(kept.sum())
        all_corr = pd.concat([corr, ear[kept]], ignore_index=True)
        store = pd.concat([new_store, ear_store[kept]], ignore_index=True)
    corr_keys = set(keys(all_corr))
    if eval_set is not None:  # checked before the (long) retraining
        ev = read_labelled(eval_set)
        seen = keys(ev).isin(corr_keys)  # the new model will have trained on these: not held out
        if len(ev) and seen.all():
            raise ValueError(f"the eval set's {len(ev)} comment(s) are all among the corrections ({where}); the "
                             f"retrained model learns them, so they cannot measure it — give an eval file of other "
                             f"comments")
    # cross-validation groups: a ``group`` column of ``train`` (e.g. its source file) and the corrections as one more
    # group, so that out-of-fold calibration holds out whole sources (used from 3 groups on, see cv_splits)
    base_groups = (train["group"].astype(str).tolist() if train is not None and "group" in train.columns
                   and len(train) == len(base) else ["training"] * len(base))
    base_keys = keys(base)
    keep = ~base_keys.isin(corr_keys)
    corr_rows = pd.concat([all_corr] * int(weight), ignore_index=True)  # repeats stay in the corrections' CV group
    merged = pd.concat([base[keep], corr_rows], ignore_index=True)
    groups = [g for g, k in zip(base_groups, keep.tolist()) if k] + ["corrections"] * len(corr_rows)
    if weight > 1 and len(set(groups)) < 3:
        # too few groups for a grouped split (cv_splits would shuffle rows): one group per original row instead,
        # so that a correction's copies are never on both sides of an out-of-fold split
        n_base = len(groups) - len(corr_rows)
        groups = [f"row {i}" for i in range(n_base)] + [f"correction {j}" for j in range(len(all_corr))] * int(weight)
    notes = []
    if isinstance(coder, SupervisedCoder):
        params = coder.params()
        params.pop("review_threshold")
        fixed = params.pop("fixed_review_threshold")
        new = SupervisedCoder(coder.codebook, coder.embedder, embedder_spec=coder.embedder_spec,
                              review_threshold=fixed, **params)
    else:
        new = SupervisedCoder(coder.codebook, coder.embedder, embedder_spec=coder.embedder_spec)
        notes.append("the previous coder was zero-shot: the corrections start a few-shot supervised model")
    if train is None and isinstance(coder, SupervisedCoder):
        notes.append("no original training data given: the new model learns from the corrections (+ codebook) only")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        say(f"training on {len(merged):,} rows ({len(merged) - len(corr_rows):,} training, {len(corr_rows):,} "
            f"correction rows)")
        new.fit(merged["text"].tolist(), merged["themes"].tolist(), merged["type"].tolist(), groups=groups,
                questions=merged["question"].fillna("").tolist(), progress=progress)
    for w in caught:  # fit counts rows of the merged table (training files + corrections), not of any file
        msg = str(w.message)
        if "have a theme but no answer to learn from" in msg:
            msg = msg.split(":", 1)[0] + " (counted over the training files and corrections together)"
        warnings.warn(msg, w.category, stacklevel=2)
    new.training_data_ = list(getattr(coder, "training_data_", []) or [])
    new.training_questions_ = getattr(coder, "training_questions_", None)  # a later round repeats the exclusion
    ids = coder.codebook.theme_ids

    def quality(c: BaseCoder, df: pd.DataFrame, prefix: str) -> dict[str, float]:
        pred = c.predict(df["text"].tolist(), df["question"].tolist() if "question" in df else None)
        yt = coder.codebook.to_matrix([parse_theme_list(t) for t in df["themes"]])
        yp = pred[[f"theme_{t}" for t in ids]].to_numpy()
        rep = evaluate_coding(yt, yp, ids, confidence=pred["confidence"].to_numpy())
        s = rep.summary
        return {f"{prefix}macro_f1": s["macro_f1"], f"{prefix}micro_f1": s["micro_f1"],
                f"{prefix}weighted_f1": s["weighted_f1"], f"{prefix}exact_match": s["exact_match"],
                f"{prefix}auto_coded_share": float((pred["needs_review"] == 0).mean())}

    say(f"evaluating: the previous and the new model on the {len(corr):,} corrections"
        + (f" and {len(ev):,} eval comments" if eval_set is not None else ""))
    corr_q = corr["question"].tolist()
    effect = correction_effect(coder.codebook, corr, coder.predict(corr["text"].tolist(), corr_q),
                               new.predict(corr["text"].tolist(), corr_q))
    if eval_set is not None:
        if seen.any():
            notes.append(f"{int(seen.sum())} of the eval set's {len(ev)} comments are among the corrections and were "
                         f"left out of 'eval_*' (the retrained model has learnt them): measured on the other "
                         f"{int((~seen).sum())}")
            ev = ev[~seen].reset_index(drop=True)
        in_train = keys(ev).isin(set(base_keys))
        if in_train.any():
            notes.append(f"{int(in_train.sum())} of the {len(ev)} eval comments measured are in the training data: "
                         f"both models have learnt them, so 'eval_*' is optimistic — an eval file of comments "
                         f"outside the training data measures honestly")
        before, after = quality(coder, ev, "eval_"), quality(new, ev, "eval_")
    else:
        before = quality(coder, corr, "corrections_")
        after = quality(new, corr, "corrections_")
        notes.append("no eval set: 'corrections_*' compare both models on the corrected items (the new model has "
                     "seen them, so its figure is optimistic); use --eval for an honest comparison")
        tm_old = getattr(coder, "training_metrics_", {}) or {}
        for k in ("oof_macro_f1", "oof_micro_f1", "oof_exact_match"):
            if k in tm_old:
                before[k] = float(tm_old[k])
                after[k] = float(new.training_metrics_[k])
    if weight > 1:
        notes.append(f"each correction counted as {int(weight)} training rows")
    return RetrainResult(coder=new, before=before, after=after, n_corrections=n_corr, notes=notes, effect=effect,
                         corrections=store, n_earlier=n_earlier)
