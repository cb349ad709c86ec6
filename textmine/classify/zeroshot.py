"""Zero-shot coding from the codebook alone: e5 similarity to theme texts + keyword evidence.

e5 cosines sit in a narrow band (≈0.75–0.90 for anything Norwegian), so raw cosines are never thresholded.
Each comment's similarities are standardised across the themes (z-score within the comment) and, when the
coder has seen unlabelled comments (``fit(texts)``), also per theme across comments; keyword hits on
lemmas/compound parts add evidence. The resulting score is mapped to a probability-like value with a logistic
curve whose centre ``tau`` and slope were set once on the sample waves (they are codebook-independent).

With few themes the nearest theme wins even where none fits: :func:`share_warning` (issued by
:meth:`ZeroShotCoder.predict`) says when a theme, or a theme at all, went to an implausible share of the answers, and
``background=True`` also checks each theme against generic topics that belong to no codebook.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from .base import BaseCoder, Prepared, assemble
from .lexical import KeywordMatcher, parse_keyword
from .typefacet import TypeRules, codebook_type_names

__all__ = ["ZeroShotCoder", "background_texts", "share_warning", "theme_prototype_texts"]

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def background_texts(name: str = "zeroshot_background.txt") -> tuple[str, ...]:
    """The background descriptions of :attr:`ZeroShotCoder.BACKGROUND_FILE` (a word list: one a line, ``#``
    comments); none when the list is missing (a custom word-list folder without it)."""
    from ..preprocess.wordlists import read_list_optional

    return tuple(read_list_optional(name))


#: The share sanity check of zero-shot coding (:func:`share_warning`): at least this many answers, a theme on at
#: least this share of them, and (a codebook of fewer than ``ZeroShotCoder.BACKGROUND_MAX_THEMES`` themes) at least
#: this share of answers with a theme. In the 16-theme sample codebook no theme is meant for over 25 % of the eval
#: answers; over 3–5 themes nearly every answer got one, whether or not it fits.
SHARE_MIN_ANSWERS = 30
SHARE_THEME_MAX = 0.4
SHARE_COVERAGE_MAX = 0.9


def share_warning(codebook: Codebook, decided: np.ndarray, answered: np.ndarray, *,
                  small_below: int = 13, question: str | None = None) -> str | None:
    """A warning when zero-shot decisions ``decided`` (n, themes; 0/1) give implausible shares of the ``answered``
    rows: a non-exclusive theme on :data:`SHARE_THEME_MAX` of them or more, or, in a codebook of fewer than
    ``small_below`` non-exclusive themes, :data:`SHARE_COVERAGE_MAX` or more of them with such a theme. None with
    fewer than :data:`SHARE_MIN_ANSWERS` answers (too few to judge a share) or nothing implausible. Counts only.
    ``question``: the survey question the answers reply to, named in the warning."""
    found = _share_findings(codebook, decided, answered, small_below)
    if found is None:
        return None
    n, n_themes, big, coverage = found
    said = []
    if big:
        shown = ", ".join(f"{tid!r} to {share:.0%}" for tid, share in big)
        said.append(f"gave theme{'s' if len(big) > 1 else ''} {shown} of the {n} answers")
    if coverage is not None:
        said.append(f"gave {coverage:.0%} of the {n} answers a theme")
    from .table import shown_questions

    which = f" (question {shown_questions([question])})" if question else ""
    return (f"zero-shot coding with {n_themes} theme(s) {' and '.join(said)}{which}: shares that high are implausible and "
            f"zero-shot coding with few themes is unreliable (the nearest theme wins even where none fits) — label "
            f"examples and train a model (textmine train), or check a sample by hand before publishing the shares")


def _by_question(context: Any, n: int) -> list[tuple[str | None, np.ndarray]]:
    """The rows of each question (``context``: one question per row; None or blank: no question), in order of
    appearance; ``[(None, all rows)]`` without questions. A share check is per question: one question whose answers
    all got one theme is implausible even when the file as a whole is not."""
    if context is None:
        return [(None, np.arange(n))]
    qs = np.asarray([None if q is None or (isinstance(q, float) and q != q) or str(q) == "" else str(q)
                     for q in np.asarray(context, dtype=object)], dtype=object)
    order = list(dict.fromkeys(qs.tolist()))
    return [(q, np.flatnonzero(qs == q) if q is not None else np.flatnonzero(pd.isna(qs))) for q in order]


def question_share_warnings(codebook: Codebook, decided: np.ndarray, answered: np.ndarray, questions: Any = None,
                            *, small_below: int = 13) -> list[str]:
    """:func:`share_warning` per question (``questions``: one per row, or None for one check over all rows); where
    no question says anything (each may have too few answers), one check over all rows."""
    decided, answered = np.asarray(decided), np.asarray(answered, dtype=bool)
    out = []
    groups = _by_question(questions, len(decided))
    for question, rows in groups:
        msg = share_warning(codebook, decided[rows], answered[rows], small_below=small_below, question=question)
        if msg is not None:
            out.append(msg)
    if not out and len(groups) > 1:
        msg = share_warning(codebook, decided, answered, small_below=small_below)
        out += [msg] if msg is not None else []
    return out


#: how :func:`share_warning`'s messages begin (a pattern; ``warnings.filterwarnings(message=…)`` takes it as is)
SHARE_WARNING_START = r"zero-shot coding with \d+ theme\(s\) "


def is_share_warning(text: str) -> bool:
    """Whether ``text`` is :func:`share_warning`'s (as a caller that caught it may need to tell)."""
    return bool(re.match(SHARE_WARNING_START + "gave ", str(text)))


def _share_findings(codebook: Codebook, decided: np.ndarray, answered: np.ndarray, small_below: int
                    ) -> tuple[int, int, list[tuple[str, float]], float | None] | None:
    """(answers, non-exclusive themes, [(theme, share)] at :data:`SHARE_THEME_MAX` or more, the share with a
    theme where implausible else None) for :func:`share_warning`; None where there is nothing to say."""
    answered = np.asarray(answered, dtype=bool)
    n = int(answered.sum())
    inc = np.array([not t.exclusive for t in codebook.themes])
    if n < SHARE_MIN_ANSWERS or not inc.any():
        return None
    y = np.asarray(decided)[answered][:, inc] > 0
    shares = y.mean(0)
    ids = [t.id for t in codebook.themes if not t.exclusive]
    parent = [bool(codebook.children(tid)) for tid in ids]  # a parent holds its children's answers: no test
    big = [(ids[j], float(shares[j])) for j in np.argsort(-shares, kind="stable")
           if shares[j] >= SHARE_THEME_MAX and not parent[j]]
    coverage = float(y.any(1).mean())
    full = int(inc.sum()) < small_below and coverage >= SHARE_COVERAGE_MAX
    if not big and not full:
        return None
    return n, int(inc.sum()), big, coverage if full else None


def _z_against(sims: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``sims`` standardised by the mean and spread of ``ref`` in each row."""
    return (sims - ref.mean(1, keepdims=True)) / (ref.std(1, keepdims=True) + 1e-6)


def theme_prototype_texts(codebook: Codebook) -> tuple[list[str], np.ndarray]:
    """Texts describing each theme (label+description, label+keywords, each example) and their theme index."""
    texts, owner = [], []
    for j, t in enumerate(codebook.themes):
        items = [t.prompt_text()]
        if t.keywords:
            items.append(f"{t.label}: " + ", ".join(parse_keyword(k)[0] for k in t.keywords))  # (no «$»/quotes)
        items.extend(t.examples)
        # a parent also speaks for its children
        for c in codebook.children(t.id):
            items.append(codebook.theme(c).prompt_text())
        texts.extend(items)
        owner.extend([j] * len(items))
    return texts, np.asarray(owner)


class ZeroShotCoder(BaseCoder):
    """Codes with no labelled data. ``fit(texts)`` (unlabelled) is optional and only sets per-theme scales."""

    kind = "zeroshot"
    #: Within a comment, a z-score over n themes is at most √(n−1) (one theme apart, the rest equal): 1.73 for
    #: n = 4, below ``tau`` = 2, so in a small codebook no theme could pass on meaning alone and an exclusive
    #: theme ("annet") would win nearly every comment. The within-comment z is therefore stretched so that
    #: ``tau`` sits at no more than this fraction of the reachable maximum: gain = max(1, tau / (Z_REACH·√(n−1))).
    #: With tau = 2 the gain is 1 from n = 13 themes on (the 16-theme sample codebook ``tau`` was set on is
    #: unchanged); keyword evidence and the per-theme scale (``fit``) are not stretched (neither is bounded by n).
    Z_REACH = 0.6
    #: An exclusive theme's "nothing else fits" score (see ``_exclusive_scores``): ``tau + MIRROR_GAP·(tau − m) +
    #: MIRROR_OWN·(own − m)``, ``m`` the best other theme's score (z units, set on the hand-labelled training files).
    MIRROR_GAP = 0.25
    MIRROR_OWN = 1.0
    #: An answer of fewer words than this, with no keyword of the themes it gets, is coded on its embedding alone,
    #: and for a few generic words ("dere er flinke", "Greit nok") that lies near every theme: its confidence is
    #: scaled by words / SHORT_WORDS (the z-scores cannot show it: they are standardised within the comment).
    SHORT_WORDS = 8
    #: A z-score over this many themes or fewer says which theme is nearest, hardly by how much (over two themes it
    #: is ±1 for any difference, and the small-codebook gain makes that a sure theme): it is taken over at least
    #: :meth:`spread_floor`. Over more themes the comment's own spread is used as it is.
    FLOOR_THEMES = 3
    #: "Nothing else fits" (see :meth:`null_levels`, :meth:`_nothing_fits`): the best other theme of an answer with
    #: no keyword of theirs is compared with what the codebook's own texts reach against themes they were not
    #: written for: the NULL_QUANTILE of those best scores, and of their similarities (counted with
    #: NULL_SIM_WEIGHT score units per standard deviation). Set on the eval set (16 themes), the nynorsk
    #: reviewers' codebook and two small hand-written ones. The similarity is counted above the text's own mean
    #: similarity to the background descriptions (:meth:`reference_similarity`), never as a raw cosine: an English
    #: or nynorsk answer sits lower against bokmål theme texts on every theme alike, and as a raw cosine that read
    #: as "fits nothing" (English answers on the theme went to the catch-all).
    NULL_QUANTILE = 0.6
    NULL_SIM_WEIGHT = 0.25
    #: Below this many non-exclusive themes there is no null level: a text scored against the two others has a
    #: z of ±1 whatever it says, which is no measure of "fits nothing".
    NULL_MIN_THEMES = 4
    #: ``background=True`` (opt-in): a codebook of fewer non-exclusive themes than this (where :meth:`z_gain`
    #: stretches the z) is also checked against a background, generic survey-comment topics that belong to no
    #: codebook (:attr:`BACKGROUND_FILE`, one description a line). Over two or three themes the nearest one always
    #: looks good, so nearly every answer got a theme; with the background a theme must also stand out from topics
    #: it was never written for, as much as the codebook's own texts stand out on a theme not theirs
    #: (:attr:`BACKGROUND_QUANTILE` of those, :meth:`_background_gate`), and an answer may get no theme.
    BACKGROUND_MAX_THEMES = 13
    BACKGROUND_FILE = "zeroshot_background.txt"
    BACKGROUND_QUANTILE = 0.75
    BACKGROUND_SLOPE = 1.0
    # learnt by ``fit`` (optional): per-theme similarity scales; None until then (class defaults, so that an
    # instance holds fitted attributes only once fitted, as scikit-learn expects)
    theme_mean_: np.ndarray | None = None
    theme_std_: np.ndarray | None = None

    def __init__(self, codebook: Codebook, embedder: Any = None, *, lexical_weight: float = 1.0,
                 tau: float = 2.0, slope: float = 2.5, top_k: int = 3, review_threshold: float = 0.35,
                 embedder_spec: str = "e5", background: bool = False):
        super().__init__(codebook, embedder, review_threshold=review_threshold, embedder_spec=embedder_spec)
        self.background = bool(background)
        self.lexical_weight = float(lexical_weight)
        self.tau = float(tau)
        self.slope = float(slope)
        self.top_k = int(top_k)
        self._proto: tuple[np.ndarray, np.ndarray] | None = None
        self._spread_floor: float | None = None
        self._null_levels: tuple[float, float, float] | tuple[()] | None = None
        self._background: np.ndarray | None = None
        self._reference: np.ndarray | None = None
        self._bg_levels: tuple[float, float] | tuple[()] | None = None
        self._share_warned: set[tuple[tuple[str, ...], tuple[str, ...], bool]] = set()
        self._types_rules = TypeRules()

    @property
    def matcher(self) -> KeywordMatcher:
        """Keyword matching for zero-shot coding: an abbreviation keyword ("NKS") needs its whole expansion
        (see :class:`KeywordMatcher`). A :class:`SupervisedCoder` gives its zero-shot prior its own matcher."""
        if self._matcher is None:
            self._matcher = KeywordMatcher(self.codebook, expansions_as_phrases=True, verb_noun_pairs=True)
        return self._matcher

    # ------------------------------------------------------------------ fitting (optional)
    def fit(self, texts: Sequence[str] | pd.Series | None = None, labels: Any = None) -> ZeroShotCoder:
        """Learn per-theme similarity scales from unlabelled comments (labels are ignored)."""
        if texts is None or len(texts) == 0:
            self.theme_mean_, self.theme_std_ = None, None
            return self
        prep = self.prepare(self.clean(texts))
        return self.fit_prepared(prep)

    def fit_prepared(self, prep: Prepared) -> ZeroShotCoder:
        sims = self.similarities(prep.emb[prep.answered])
        self.theme_mean_, self.theme_std_ = None, None  # a refit forgets the scales of an earlier fit
        if len(sims) >= 30:
            self.theme_mean_ = sims.mean(0)
            self.theme_std_ = sims.std(0) + 1e-6
        return self

    # ------------------------------------------------------------------ scoring
    def prototypes(self) -> tuple[np.ndarray, np.ndarray]:
        if self._proto is None:
            texts, owner = theme_prototype_texts(self.codebook)
            self._proto = (np.asarray(self.embedder.encode(texts), dtype=np.float32), owner)
        return self._proto

    def similarities(self, emb: np.ndarray) -> np.ndarray:
        """(n, n_themes) raw semantic similarity: mean of the top-k cosines to each theme's prototype texts."""
        protos, owner = self.prototypes()
        # float64 product rounded to float32: a float32 GEMM sums in an order that depends on the batch height,
        # and the z-normalisation below magnifies that ~50x; this way a comment scores the same alone or in any
        # batch (a /classify micro-batch, a job chunk)
        cos = (np.asarray(emb, dtype=np.float64) @ np.asarray(protos, dtype=np.float64).T).astype(np.float32)
        k = len(self.codebook)
        out = np.empty((len(emb), k), dtype=np.float32)
        for j in range(k):
            c = cos[:, owner == j]
            kk = min(self.top_k, c.shape[1])
            out[:, j] = np.sort(c, axis=1)[:, -kk:].mean(1) if kk else 0.0
        return out

    def scores(self, prep: Prepared, *, exclusive_apart: bool = False) -> np.ndarray:
        """Normalised evidence per theme (z units; comparable across themes within a row).

        ``exclusive_apart`` (what :class:`ZeroShotCoder` codes with): a non-exclusive theme's z is also taken
        among the non-exclusive themes only, and the larger of the two is used. An exclusive theme's text
        ("annet": comments that fit none of the other themes) is generic, so e5 puts it close to almost any short
        comment; inside the row's mean and spread it pulls every other theme's z down, and a comment whose
        keyword and nearest theme agree ("Trenger tolk men fikk ikke" with keyword "tolk") went to the exclusive
        theme. The exclusive theme itself keeps its z over all themes, and its "nothing else fits" score is
        :meth:`_exclusive_scores`; a z over at most :attr:`FLOOR_THEMES` themes is taken over at least
        :meth:`spread_floor`; a one-theme codebook is scored by :meth:`_single_theme_scores`.
        ``False`` (the default) keeps the scores a trained model was fitted on (its zero-shot prior, see
        ``SupervisedCoder``): changing them would change what a shipped model predicts."""
        sims = self.similarities(prep.emb).astype(np.float64)
        if exclusive_apart and sims.shape[1] == 1:
            return self._single_theme_scores(sims, prep.kw)
        excl = np.array([t.exclusive for t in self.codebook.themes])
        inc = ~excl
        floor = self._floor(sims.shape[1]) if exclusive_apart else 0.0
        z = (sims - sims.mean(1, keepdims=True)) / (np.maximum(sims.std(1, keepdims=True), floor) + 1e-6)
        gain = self.z_gain(sims.shape[1])
        if gain != 1.0:
            z = z * gain
        if exclusive_apart and excl.any() and inc.sum() >= 2:
            s_in = sims[:, inc]
            floor = self._floor(int(inc.sum()))
            z_in = ((s_in - s_in.mean(1, keepdims=True)) / (np.maximum(s_in.std(1, keepdims=True), floor) + 1e-6)
                    * self.z_gain(int(inc.sum())))
            # the larger of the two: a generic exclusive theme near the comment no longer pulls the others down,
            # and one far from it still widens the spread as before (in a small codebook that is what lets a
            # second theme with keyword hits through)
            z[:, inc] = np.maximum(z[:, inc], z_in)
        if self.theme_mean_ is not None:
            zt = (sims - self.theme_mean_) / self.theme_std_
            z = 0.5 * (z + zt)
        lex = np.log1p(prep.kw.astype(np.float64))
        score = z + self.lexical_weight * 2.0 * lex
        if exclusive_apart:
            gate = self._background_gate(prep.emb, sims, self.lexical_weight * 2.0 * lex)
            if gate is not None:
                score[:, inc] = np.minimum(score[:, inc], gate[:, inc])
            nothing_check = inc.any() and excl.any() and self.null_levels() is not None
            best_sim = sims[:, inc].max(1) - self.reference_similarity(prep.emb) if nothing_check else None
            return self._exclusive_scores(score, excl, keyword_hit=(prep.kw[:, inc] > 0).any(1), best_sim=best_sim)
        if excl.any() and inc.any():
            # an exclusive theme ("annet") is likely when its own evidence is strong or nothing else fits
            mirror = 2 * self.tau - score[:, inc].max(1, keepdims=True)
            score[:, excl] = np.maximum(score[:, excl], mirror)
        return score

    def _single_theme_scores(self, sims: np.ndarray, kw: np.ndarray) -> np.ndarray:
        """Scores in a codebook of one theme. Within a comment there is nothing to compare its similarity with
        (the z-score is 0 whatever it says), so the theme's keywords decide: a hit scores ``tau`` plus the keyword
        evidence; otherwise the similarity counts against the per-theme scale learnt by :meth:`fit` (z over
        unlabelled comments, batch-independent), and without a fit there is no evidence (score 0)."""
        kw = np.asarray(kw, dtype=np.float64)
        lex = self.lexical_weight * 2.0 * np.log1p(kw)
        zt = np.zeros_like(sims) if self.theme_mean_ is None else (sims - self.theme_mean_) / self.theme_std_
        return np.where(kw > 0, self.tau + lex, zt)

    def _exclusive_scores(self, score: np.ndarray, excl: np.ndarray, keyword_hit: np.ndarray | None = None,
                          best_sim: np.ndarray | None = None) -> np.ndarray:
        """``score`` with each exclusive theme's "nothing else fits" evidence (what this coder codes with).

        An exclusive theme scores the larger of its own evidence and a mirror of the best other theme ``m``
        (:attr:`MIRROR_GAP`, :attr:`MIRROR_OWN`). The old mirror ``2·tau − m`` passed ``tau`` wherever ``m`` did
        not, so a weak best theme alone sent a comment to the catch-all ("annet" predicted 4× as often as meant);
        now the exclusive theme also needs its own evidence near the best other theme's. And two exclusive themes
        no longer share one score (the first in the codebook won every tie): each keeps its own similarity and
        keywords. Neither could tell an answer that fits nothing (in a small codebook the stretched z of the best
        other theme passes ``tau`` for any answer, so the catch-all never won there): with ``keyword_hit`` and
        ``best_sim`` given, it also scores at least :meth:`_nothing_fits`."""
        inc = ~excl
        if not (excl.any() and inc.any()):
            return score
        best = score[:, inc].max(1, keepdims=True)
        own = score[:, excl]
        mirror = self.tau + self.MIRROR_GAP * (self.tau - best) + self.MIRROR_OWN * (own - best)
        score[:, excl] = np.maximum(own, mirror)
        nulls = self.null_levels()
        if nulls is not None and keyword_hit is not None and best_sim is not None:
            score[:, excl] = np.maximum(score[:, excl], self._nothing_fits(best, best_sim, keyword_hit, nulls))
        return score

    def _nothing_fits(self, best: np.ndarray, best_sim: np.ndarray, keyword_hit: np.ndarray,
                      nulls: tuple[float, float, float]) -> np.ndarray:
        """(n, 1) "nothing else fits" score of an exclusive theme: how far the best other theme (score ``best``,
        similarity ``best_sim``) falls below what a text that fits none of the themes reaches in this codebook
        (:meth:`null_levels`). At that level it is ``max(tau, best)``; below it the exclusive theme passes ``tau``
        and outscores the best other theme (so it is coded alone), above it it stays under both. An answer with a
        keyword of another theme gets none (something does fit)."""
        null_score, null_sim, sim_scale = nulls
        fit = best[:, 0] + self.NULL_SIM_WEIGHT * (np.asarray(best_sim, dtype=np.float64) - null_sim) / sim_scale
        nothing = np.maximum(self.tau, best[:, 0]) + (null_score - fit)
        return np.where(np.asarray(keyword_hit, dtype=bool), -np.inf, nothing)[:, None]

    def _floor(self, n_themes: int) -> float:
        """The spread floor for a z-score over ``n_themes`` themes: :meth:`spread_floor` for at most
        :attr:`FLOOR_THEMES` of them, else 0 (and 0 for similarities that do not come from this coder's embedded
        prototypes, e.g. set directly in a test)."""
        if n_themes > self.FLOOR_THEMES or self._proto is None:
            return 0.0
        return self.spread_floor()

    def spread_floor(self) -> float:
        """The least spread of similarities over the themes that counts as singling a theme out: the 10th
        percentile of that spread among the codebook's own texts (each prototype text against the themes, its
        own text left out). Within-comment z-scores are taken over at least this spread, so a comment almost
        equally near every theme (in a 2-theme codebook: any comment) no longer gets a full z for a hair's
        difference (see :attr:`FLOOR_THEMES`). It depends only on the codebook and the embedder (batch-independent);
        0 for one theme."""
        if self._spread_floor is None:
            k = len(self.codebook)
            rows = self._prototype_rows()
            rows = rows[~np.isnan(rows).any(1)]
            self._spread_floor = float(np.quantile(rows.std(1), 0.1)) if k >= 2 and len(rows) else 0.0
        return self._spread_floor

    def _prototype_rows(self) -> np.ndarray:
        """(n_texts, n_themes) similarity of each prototype text to each theme as :meth:`similarities` has it,
        the text itself left out (a text is no evidence of its own theme); NaN where a theme has no other text."""
        protos, owner = self.prototypes()
        cos = np.asarray(protos, dtype=np.float64) @ np.asarray(protos, dtype=np.float64).T
        np.fill_diagonal(cos, -np.inf)
        rows = np.full((len(protos), len(self.codebook)), np.nan)
        for j in range(len(self.codebook)):
            c = np.sort(cos[:, owner == j], axis=1)[:, -self.top_k:]
            seen = np.isfinite(c).sum(1)
            total = np.where(np.isfinite(c), c, 0.0).sum(1)
            rows[:, j] = np.where(seen > 0, total / np.maximum(seen, 1), np.nan)
        return rows

    def null_levels(self) -> tuple[float, float, float] | None:
        """What the best theme of a text that fits none of the themes reaches in this codebook: (its score in z
        units, as :meth:`scores` has it for an answer without keywords; its similarity; the spread of that
        similarity). Each text of a non-exclusive theme is scored against the other non-exclusive themes (its own
        theme, parent and children left out, so nothing it was written for is there) and :attr:`NULL_QUANTILE` of
        those is taken. e5 cosines sit in a narrow band, so "nothing fits" is judged against the codebook's own
        texts, never a fixed cosine. Depends only on the codebook and the embedder (batch-independent); ``None``
        with fewer than :attr:`NULL_MIN_THEMES` non-exclusive themes, no exclusive theme, or similarities that do
        not come from this coder's prototypes."""
        if self._proto is None:  # similarities that do not come from this coder's prototypes (set in a test)
            return None
        if self._null_levels is None:
            self._null_levels = self._compute_null_levels()
        return self._null_levels or None

    def _compute_null_levels(self) -> tuple[float, float, float] | tuple[()]:
        cb = self.codebook
        inc = np.flatnonzero([not t.exclusive for t in cb.themes])
        if len(inc) < self.NULL_MIN_THEMES or len(inc) == len(cb):
            return ()
        rows = self._prototype_rows()
        protos, owner = self.prototypes()
        own_ref = self.reference_similarity(protos)
        best_z, best_s = [], []
        for i, j in enumerate(owner):
            if cb.themes[j].exclusive:
                continue
            tid = cb.themes[j].id
            related = {tid, *cb.ancestors(tid), *cb.children(tid)}
            cols = [c for c in inc if cb.themes[c].id not in related]
            s = rows[i, cols]
            if len(cols) < self.NULL_MIN_THEMES - 1 or np.isnan(s).any():
                continue
            # in the units a comment's z has over all the non-exclusive themes (same floor and gain)
            z = (s - s.mean()) / (max(s.std(), self._floor(len(inc))) + 1e-6) * self.z_gain(len(inc))
            best_z.append(z.max())
            best_s.append(s.max() - own_ref[i])
        if len(best_s) < 2:
            return ()
        q = self.NULL_QUANTILE
        return float(np.quantile(best_z, q)), float(np.quantile(best_s, q)), float(np.std(best_s)) + 1e-6

    def reference_similarity(self, emb: np.ndarray) -> np.ndarray:
        """(n,) each text's own "fits nothing" level: its mean cosine to all :attr:`BACKGROUND_FILE` descriptions
        (generic topics of no codebook), which :meth:`_nothing_fits` counts a similarity above; zeros without the
        list (raw cosines then, as before it). Row by row (batch-independent); for any codebook size, with or
        without ``background``."""
        if self._reference is None:
            texts = background_texts(self.BACKGROUND_FILE)
            self._reference = (np.asarray(self.embedder.encode(list(texts)), dtype=np.float32) if texts
                               else np.zeros((0, 0), dtype=np.float32))
        if self._reference.shape[0] == 0:
            return np.zeros(len(emb))
        cos = (np.asarray(emb, dtype=np.float64) @ np.asarray(self._reference, dtype=np.float64).T).astype(np.float32)
        return cos.astype(np.float64).mean(1)

    def background_embeddings(self) -> np.ndarray:
        """(m, d) embeddings of the background descriptions this codebook is scored against (see
        :attr:`BACKGROUND_MAX_THEMES`); none (m = 0) for a larger codebook, one theme, or similarities that do not
        come from this coder's prototypes. A description whose nearest non-exclusive theme is nearer than the
        codebook's own texts are, in the median, to their nearest other theme is left out: it overlaps the
        codebook (a relative test: e5 cosines are never compared with a fixed level). Depends only on the codebook
        and the embedder (batch-independent)."""
        if self._background is None:
            self._background = self._compute_background()
        return self._background

    def _compute_background(self) -> np.ndarray:
        cb = self.codebook
        inc = np.array([not t.exclusive for t in cb.themes])
        texts = background_texts(self.BACKGROUND_FILE)
        if (not self.background or self._proto is None or not texts
                or not 2 <= inc.sum() < self.BACKGROUND_MAX_THEMES):
            return np.zeros((0, 0), dtype=np.float32)
        rows = self._prototype_rows()
        _, owner = self.prototypes()
        cross = []  # each own (non-exclusive) text's nearest other non-exclusive theme
        for i, j in enumerate(owner):
            if not inc[j]:
                continue
            related = {cb.themes[j].id, *cb.ancestors(cb.themes[j].id), *cb.children(cb.themes[j].id)}
            cols = [c for c in np.flatnonzero(inc) if cb.themes[c].id not in related and not np.isnan(rows[i, c])]
            if cols:
                cross.append(rows[i, cols].max())
        emb = np.asarray(self.embedder.encode(list(texts)), dtype=np.float32)
        if not cross:
            return emb
        near = self.similarities(emb)[:, inc].max(1)
        return emb[near < float(np.median(cross))]

    def _background_gate(self, emb: np.ndarray, sims: np.ndarray, lex: np.ndarray) -> np.ndarray | None:
        """(n, k) "beats the background" score, or None without a background: each theme's similarity ``sims`` as
        a z over the comment's similarities to the background descriptions, placed against what the codebook's
        own texts reach in those units on a theme they were not written for (:meth:`background_levels`): ``tau``
        at that level, plus the keyword evidence ``lex``."""
        levels = self.background_levels()
        bg = self.background_similarities(emb)
        if levels is None or bg is None:
            return None
        level, spread = levels
        return self.tau + self.BACKGROUND_SLOPE * (_z_against(sims, bg) - level) / spread + lex

    def background_levels(self) -> tuple[float, float] | None:
        """(level, spread) of the z over the background (see :meth:`_background_gate`) that the codebook's own
        texts reach on their best theme among those they were not written for: its :attr:`BACKGROUND_QUANTILE`
        and standard deviation. None without a background (:meth:`background_embeddings`). Batch-independent."""
        if self._proto is None:
            return None
        if self._bg_levels is None:
            self._bg_levels = self._compute_background_levels()
        return self._bg_levels or None

    def _compute_background_levels(self) -> tuple[float, float] | tuple[()]:
        cb = self.codebook
        protos, owner = self.prototypes()
        bg = self.background_similarities(protos)
        if bg is None:
            return ()
        inc = np.flatnonzero([not t.exclusive for t in cb.themes])
        rows = self._prototype_rows()
        best = []
        for i, j in enumerate(owner):
            if cb.themes[j].exclusive:
                continue
            tid = cb.themes[j].id
            related = {tid, *cb.ancestors(tid), *cb.children(tid)}
            cols = [c for c in inc if cb.themes[c].id not in related and not np.isnan(rows[i, c])]
            if cols:
                best.append(float(_z_against(rows[i:i + 1, cols], bg[i:i + 1]).max()))
        if len(best) < 2:
            return ()
        return float(np.quantile(best, self.BACKGROUND_QUANTILE)), float(np.std(best)) + 1e-6

    def background_similarities(self, emb: np.ndarray) -> np.ndarray | None:
        """(n, m) cosine of each embedding to each background description (:meth:`background_embeddings`); None
        where the codebook is scored without one."""
        if self._proto is None:
            return None
        bg = self.background_embeddings()
        if bg.shape[0] == 0:
            return None
        return (np.asarray(emb, dtype=np.float64) @ np.asarray(bg, dtype=np.float64).T).astype(np.float32).astype(
            np.float64)

    def z_gain(self, n_themes: int) -> float:
        """Stretch of the within-comment z-scores for a codebook of ``n_themes`` (see :attr:`Z_REACH`)."""
        if n_themes < 2:
            return 1.0
        return max(1.0, self.tau / (self.Z_REACH * float(np.sqrt(n_themes - 1))))

    def probs_from_scores(self, scores: np.ndarray) -> np.ndarray:
        """Per-theme probability from :meth:`scores` (a sigmoid around ``tau``)."""
        return 1.0 / (1.0 + np.exp(-self.slope * (scores - self.tau)))

    def _theme_probs(self, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """The zero-shot prior a trained model blends in (:meth:`scores` as it was fitted on)."""
        p = self.probs_from_scores(self.scores(prep))
        return p, np.full(p.shape[1], 0.5)

    def _coding_probs(self, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """What this coder codes with on its own (``scores(exclusive_apart=True)``, see :meth:`scores`)."""
        p = self.probs_from_scores(self.scores(prep, exclusive_apart=True))
        return p, np.full(p.shape[1], 0.5)

    def predict_prepared(self, prep: Prepared) -> pd.DataFrame:
        prep = self.ensure_embedded(prep)
        probs, thresholds = self._coding_probs(prep)

        def confidence(p: np.ndarray, y: np.ndarray, thr: np.ndarray) -> np.ndarray:
            return self._confidence(p, y, thr) * self.evidence_weight(prep, y)

        # with a background an answer can fit none of the themes (see :meth:`background_levels`)
        out = assemble(self.codebook, prep, probs, thresholds, self._types(prep), self.review_threshold,
                       confidence=confidence, allow_empty=self.background_levels() is not None)
        self._warn_shares(out, prep.answered, prep.context)
        return out

    def _warn_shares(self, coded: pd.DataFrame, answered: np.ndarray, context: np.ndarray | None = None) -> None:
        """A ``UserWarning`` (:func:`share_warning`) when this call's shares are implausible; each finding (which
        themes, whether coverage) once per coder and question (``context``: the question of each row), so a file
        coded in batches is not warned about batch by batch, and each question coded by one coder is."""
        import warnings

        y = coded[[f"theme_{t}" for t in self.codebook.theme_ids]].to_numpy()
        answered = np.asarray(answered, dtype=bool)
        for question, rows in _by_question(context, len(y)):
            found = _share_findings(self.codebook, y[rows], answered[rows], self.BACKGROUND_MAX_THEMES)
            if found is None:
                continue
            key = (question, tuple(tid for tid, _ in found[2]), found[3] is not None)
            if key in self._share_warned:
                continue
            self._share_warned.add(key)
            msg = share_warning(self.codebook, y[rows], answered[rows], small_below=self.BACKGROUND_MAX_THEMES,
                                question=question)
            warnings.warn(msg, UserWarning, stacklevel=4)  # (at the caller of predict)

    def evidence_weight(self, prep: Prepared, y: np.ndarray) -> np.ndarray:
        """Per row, how far the decided themes ``y`` (0/1, rolled up) rest on more than a few generic words: 1
        where a decided theme has a keyword in the answer or the answer has :attr:`SHORT_WORDS` words or more,
        else words / SHORT_WORDS (see :attr:`SHORT_WORDS`). Row by row, so batch-free."""
        hits = self.codebook.rollup_matrix((np.asarray(prep.kw) > 0).astype(np.int8)) > 0
        backed = (hits & (np.asarray(y) > 0)).any(1)
        words = np.array([len(_WORD.findall(t)) for t in prep.feature_text], dtype=float)
        return np.where(backed, 1.0, np.minimum(1.0, words / self.SHORT_WORDS))

    def _types(self, prep: Prepared) -> list[str]:
        types = self._types_rules.predict(prep.feature_text)  # placeholders are no type cues
        # the rules name klage/ønske/ros; a codebook may spell its types "Klage", "Ønske", "Ros" (case is ignored
        # for types elsewhere too) or name them otherwise ("forslag", "skryt", "positiv"): answer in the codebook's
        # names (praise went to the first type, "klage", where the codebook called it "skryt")
        names = codebook_type_names(self.codebook.types)
        fallback = self.codebook.types[0] if self.codebook.types else ""
        return [names.get(t, fallback) for t in types]

    def params(self) -> dict[str, Any]:
        return {"lexical_weight": self.lexical_weight, "tau": self.tau, "slope": self.slope, "top_k": self.top_k,
                "review_threshold": self.review_threshold, "background": self.background}
