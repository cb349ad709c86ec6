"""Zero-shot coding from the codebook alone: e5 similarity to theme texts + keyword evidence.

e5 cosines sit in a narrow band (≈0.75–0.90 for anything Norwegian), so raw cosines are never thresholded.
Each comment's similarities are standardised across the themes (z-score within the comment) and, when the
coder has seen unlabelled comments (``fit(texts)``), also per theme across comments; keyword hits on
lemmas/compound parts add evidence. The resulting score is mapped to a probability-like value with a logistic
curve whose centre ``tau`` and slope were set once on the sample waves (they are codebook-independent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from .base import BaseCoder, Prepared, assemble
from .lexical import KeywordMatcher
from .typefacet import TypeRules

__all__ = ["ZeroShotCoder", "theme_prototype_texts"]

_WORD = re.compile(r"\w+")


def theme_prototype_texts(codebook: Codebook) -> tuple[list[str], np.ndarray]:
    """Texts describing each theme (label+description, label+keywords, each example) and their theme index."""
    texts, owner = [], []
    for j, t in enumerate(codebook.themes):
        items = [t.prompt_text()]
        if t.keywords:
            items.append(f"{t.label}: " + ", ".join(t.keywords))
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
    # learnt by ``fit`` (optional): per-theme similarity scales; None until then (class defaults, so that an
    # instance holds fitted attributes only once fitted, as scikit-learn expects)
    theme_mean_: np.ndarray | None = None
    theme_std_: np.ndarray | None = None

    def __init__(self, codebook: Codebook, embedder: Any = None, *, lexical_weight: float = 1.0,
                 tau: float = 2.0, slope: float = 2.5, top_k: int = 3, review_threshold: float = 0.35,
                 embedder_spec: str = "e5"):
        super().__init__(codebook, embedder, review_threshold=review_threshold, embedder_spec=embedder_spec)
        self.lexical_weight = float(lexical_weight)
        self.tau = float(tau)
        self.slope = float(slope)
        self.top_k = int(top_k)
        self._proto: tuple[np.ndarray, np.ndarray] | None = None
        self._spread_floor: float | None = None
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
            return self._exclusive_scores(score, excl)
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

    def _exclusive_scores(self, score: np.ndarray, excl: np.ndarray) -> np.ndarray:
        """``score`` with each exclusive theme's "nothing else fits" evidence (what this coder codes with).

        An exclusive theme scores the larger of its own evidence and a mirror of the best other theme ``m``
        (:attr:`MIRROR_GAP`, :attr:`MIRROR_OWN`). The old mirror ``2·tau − m`` passed ``tau`` wherever ``m`` did
        not, so a weak best theme alone sent a comment to the catch-all ("annet" predicted 4× as often as meant);
        now the exclusive theme also needs its own evidence near the best other theme's. And two exclusive themes
        no longer share one score (the first in the codebook won every tie): each keeps its own similarity and
        keywords."""
        inc = ~excl
        if not (excl.any() and inc.any()):
            return score
        best = score[:, inc].max(1, keepdims=True)
        own = score[:, excl]
        mirror = self.tau + self.MIRROR_GAP * (self.tau - best) + self.MIRROR_OWN * (own - best)
        score[:, excl] = np.maximum(own, mirror)
        return score

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
            protos, owner = self.prototypes()
            k = len(self.codebook)
            cos = np.asarray(protos, dtype=np.float64) @ np.asarray(protos, dtype=np.float64).T
            np.fill_diagonal(cos, -np.inf)  # a text is no evidence of its own theme
            rows = np.full((len(protos), k), np.nan)
            for j in range(k):
                c = np.sort(cos[:, owner == j], axis=1)[:, -self.top_k:]
                seen = np.isfinite(c).sum(1)
                total = np.where(np.isfinite(c), c, 0.0).sum(1)
                rows[:, j] = np.where(seen > 0, total / np.maximum(seen, 1), np.nan)
            rows = rows[~np.isnan(rows).any(1)]
            self._spread_floor = float(np.quantile(rows.std(1), 0.1)) if k >= 2 and len(rows) else 0.0
        return self._spread_floor

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

        return assemble(self.codebook, prep, probs, thresholds, self._types(prep), self.review_threshold,
                        confidence=confidence)

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
        # the rules name klage/ønske/ros; a codebook may spell its types "Klage", "Ønske", "Ros" (case is
        # ignored for types elsewhere too): answer in the codebook's spelling
        allowed = {t.casefold(): t for t in reversed(self.codebook.types)}
        fallback = self.codebook.types[0] if self.codebook.types else ""
        return [allowed.get(t.casefold(), fallback) for t in types]

    def params(self) -> dict[str, Any]:
        return {"lexical_weight": self.lexical_weight, "tau": self.tau, "slope": self.slope, "top_k": self.top_k,
                "review_threshold": self.review_threshold}
