"""Supervised multi-label coding: one-vs-rest logistic regression on [e5 ⊕ lexical ⊕ zero-shot prior].

Training (``fit``):
1. features = [scaled e5 embedding, hashed lemma uni/bigrams, (optionally) hashed char 3–5-grams, log keyword
   counts, zero-shot scores]; the codebook's own examples and descriptions are added as labelled rows;
2. k-fold out-of-fold decision scores per theme (class weights balance rare themes); with ``groups`` (e.g. the
   writer or source file of each row) whole groups are held out, so everything fitted on the out-of-fold
   scores below sees the shift to an unseen writer;
3. Platt calibration per theme on the out-of-fold scores, per-theme thresholds (F1-optimal, optionally
   penalising a predicted count away from the true count), the confidence model (product of per-theme
   agreements, or a small logistic "whole set right" model on out-of-fold features), per-theme confusion
   rates for error-corrected shares, and the abstention level: the lowest confidence whose auto-coded share
   reaches ``target_accuracy`` out of fold;
4. the final models are refitted on all rows. Out-of-fold metrics are kept as ``training_metrics_``;
5. a **cheap first stage** is trained the same way: by default the same model without the embedding and
   zero-shot blocks (``first_stage="lexical"``, ``lexical_only``), or the same model on ``e5-static`` vectors
   (e5 distilled per vocabulary piece, no encoder at run time; ``first_stage="e5-static"``: about the same
   quality on held-out writers, slower and larger, see bench/RESULTS.md). Predicting, its answer stands
   where its confidence reaches the gate (the out-of-fold confidence that ``lexical_share`` of the training
   comments reach) and its type is at least ``lexical_type_gate`` probable; only the other comments are
   embedded and coded by the full model. Row by row, so results do not depend on the batch. Off when a theme or
   the type facet has too few labels.
Themes with fewer than two labelled positives fall back to the zero-shot probability.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import stats
from ..codebook import Codebook, label_row, parse_theme_list
from ..evaluate import (accuracy_at_coverage, confusion_rates, corrected_share_estimates, f1_summary,
                        warn_share_flags)
from .base import BaseCoder, NotFittedError, Prepared, check_aligned, check_texts, confidence_of, decide
from .calibration import (apply_confidence_model, best_thresholds, confidence_features, fit_confidence_model,
                          platt_apply, platt_fit, review_threshold_for)
from .lexical import CharHasher, KeywordMatcher, LemmaHasher
from .typefacet import TypeClassifier, cue_features
from .zeroshot import ZeroShotCoder

if TYPE_CHECKING:  # sklearn's estimators are imported where a model is trained
    from sklearn.linear_model import LogisticRegression

__all__ = ["SupervisedCoder", "embedder_for_labels"]


# Supervised coders embed with e5's first 6 layers: 1.9-2.4x faster than all 12 at a leave-one-writer-out macro-F1
# 0.875 vs 0.880 (bench/RESULTS.md). Zero-shot coding keeps all 12 (it compares comments with theme descriptions,
# which needs the top layers: eval macro-F1 0.733 vs 0.613 cut at 6).
DEFAULT_SUPERVISED_EMBEDDER = "e5-l6"
FIRST_STAGE_EMBEDDERS = ("e5-static",)  # cheap embedders a cascade first stage may use (see first_stage)
# Below this many labelled answers the zero-shot prior carries much of a supervised coder's weight, and zero-shot
# needs all 12 layers (few-shot, 10 per theme, eval macro-F1: 0.734 on 12 layers, 0.711 on 6; bench/RESULTS.md)
FEW_LABELS = 1000
QUESTION_MIN_ROWS = 50  # labelled answers a question needs before it gets its own theme rates
QUESTION_PRIOR_WEIGHT = 20.0  # pseudo-rows of the overall rate mixed into each question's rates


def embedder_for_labels(n_labelled: int, spec: str = "auto") -> str:
    """The embedding backend for a supervised coder trained on ``n_labelled`` answers: ``spec`` itself unless it
    is ``"auto"``, which picks all 12 e5 layers for fewer than FEW_LABELS answers, else the faster default."""
    if spec != "auto":
        return spec
    return "e5" if n_labelled < FEW_LABELS else DEFAULT_SUPERVISED_EMBEDDER


#: answers labelled "no theme applies" let the coder give none when they are at least this share of the labelled
#: answers (or doing so gets more theme sets right out of fold); fewer are taken for stray rows
NO_THEME_MIN_SHARE = 0.01

class SupervisedCoder(BaseCoder):
    """Calibrated one-vs-rest logistic regression with abstention; works from ~5–10 examples per theme."""

    kind = "supervised"

    # learnt by ``fit`` (or set by ``load_coder``); these class defaults say "not fitted" without putting fitted
    # attributes on an unfitted instance (scikit-learn's ``check_is_fitted`` looks for them there)
    coef_: np.ndarray | None = None
    intercept_: np.ndarray | None = None
    platt_: np.ndarray | None = None  # (K, 2): a, b
    thresholds_: np.ndarray | None = None
    trained_: np.ndarray | None = None  # bool per theme: has its own model
    blend_: np.ndarray | None = None
    conf_model_: np.ndarray | None = None  # [intercept, weights] of the stacked confidence model
    share_rates_: np.ndarray | None = None  # (2, K): out-of-fold TPR, FPR per theme
    type_model_: TypeClassifier | None = None
    training_metrics_: Mapping[str, Any] = MappingProxyType({})  # read-only: fit sets a dict of its own
    n_train_: int = 0
    lexical_: SupervisedCoder | None = None  # the cascade's lexical first stage (None: always embed)
    lexical_gate_: float | None = None  # its confidence at or above which its answer stands
    base_prior_: np.ndarray | None = None  # (K,) theme rates over all answered training rows
    question_priors_: Mapping[str, np.ndarray] = MappingProxyType({})  # question id -> (K,) smoothed theme rates

    def __init__(self, codebook: Codebook, embedder: Any = None, *, C: float = 8.0, emb_scale: float = 3.0,
                 hash_features: int = 2**13, zero_shot_prior: bool = True, codebook_examples: bool = True,
                 cv: int = 5, target_accuracy: float = 0.9, seed: int = 42,
                 embedder_spec: str = DEFAULT_SUPERVISED_EMBEDDER,
                 review_threshold: float | None = None, prior_strength: float = 10.0, char_features: int = 2**14,
                 char_scale: float = 2.0, class_weight: str | None = "balanced", threshold_count_weight: float = 1.0,
                 confidence: str = "stacked", share_method: str = "raw", lexical_share: float = 0.5,
                 lexical_type_gate: float = 0.8, lexical_only: bool = False, question_priors: bool = True,
                 finetune: bool = False, finetune_epochs: float = 2.0, finetune_rank: int = 8,
                 finetune_max_tokens: int = 96, first_stage: str = "lexical", keyword_expansions: bool = True):
        super().__init__(codebook, embedder, review_threshold=0.5 if review_threshold is None else review_threshold,
                         embedder_spec=embedder_spec)
        if not 0.0 < float(target_accuracy) <= 1.0:
            raise ValueError(f"target_accuracy must be a share in (0, 1], e.g. 0.9, got {target_accuracy!r}")
        if not 0.0 <= float(lexical_share) < 1.0:
            raise ValueError(f"lexical_share must be in [0, 1), got {lexical_share!r}")
        _check_C(C)
        _check_cv(cv)
        # lexical_only: the cascade's first stage (lemma + char n-grams + keywords, no embedding, no zero-shot)
        self.lexical_only = bool(lexical_only)
        self.lexical_share = 0.0 if self.lexical_only else float(lexical_share)
        # the lexical answer also needs its type (klage/ønske/ros) this probable: types lean on the embedding
        self.lexical_type_gate = float(lexical_type_gate)
        # the first stage's features: "lexical" (lemmas, char n-grams, keywords) or an embedder spec whose vectors
        # cost next to nothing, "e5-static" (e5 distilled per vocabulary piece), added to those features
        if first_stage != "lexical" and first_stage not in FIRST_STAGE_EMBEDDERS:
            raise ValueError(f"first_stage must be 'lexical' or one of {', '.join(FIRST_STAGE_EMBEDDERS)}, "
                             f"got {first_stage!r}")
        self.first_stage_spec = str(first_stage)
        # an abbreviation keyword ("NKS") needs its whole expansion, as in zero-shot coding (see KeywordMatcher);
        # artefacts trained before this option load with False, the features they were trained on
        self.keyword_expansions = bool(keyword_expansions)
        if self.lexical_only:
            emb_scale, zero_shot_prior, prior_strength = 0.0, False, 0.0
        self.C = float(C)
        self.emb_scale = float(emb_scale)
        self.hash_features = int(hash_features)
        self.zero_shot_prior = bool(zero_shot_prior)
        self.codebook_examples = bool(codebook_examples)
        self.cv = int(cv)
        self.target_accuracy = float(target_accuracy)
        self.seed = int(seed)
        # shrinkage towards the zero-shot probability: weight n / (n + prior_strength) on the supervised one,
        # n = labelled positives of the theme (few examples lean on the codebook, many on the labels)
        self.prior_strength = float(prior_strength)
        self._fixed_review = review_threshold
        self.char_features = int(char_features)  # width of the char n-gram block (0 = off)
        self.char_scale = float(char_scale)
        self.class_weight = class_weight
        self.threshold_count_weight = float(threshold_count_weight)
        if confidence not in ("product", "stacked"):
            raise ValueError(f"confidence must be 'product' or 'stacked', got {confidence!r}")
        if share_method not in ("raw", "prob", "corrected"):
            raise ValueError(f"share_method must be 'raw', 'prob' or 'corrected', got {share_method!r}")
        self.confidence = confidence
        self.share_method = share_method
        self.hasher = LemmaHasher(self.hash_features)
        self.char_hasher = CharHasher(self.char_features) if self.char_features else None
        self.zeroshot = ZeroShotCoder(codebook, embedder, embedder_spec=embedder_spec)
        # routed questions: theme priors per question learned from labelled rows that name their question
        self.question_priors = bool(question_priors)
        # fine-tune e5-l6 on the labels first (LoRA, nested in the CV folds; see classify/finetune.py); needs torch
        self.finetune = bool(finetune) and not self.lexical_only
        self.finetune_epochs = float(finetune_epochs)
        self.finetune_rank = int(finetune_rank)
        self.finetune_max_tokens = int(finetune_max_tokens)

    # share embedder/matcher with the inner zero-shot coder
    @property
    def matcher(self) -> KeywordMatcher:
        if self._matcher is None:
            self._matcher = KeywordMatcher(self.codebook, expansions_as_phrases=self.keyword_expansions)
        return self._matcher

    @property
    def embedder(self) -> Any:
        """The embedding backend (see :attr:`BaseCoder.embedder`), shared with the zero-shot prior and with a
        lexical first stage on the same spec (as :meth:`fit` builds them; again after unpickling)."""
        emb = BaseCoder.embedder.fget(self)
        self.zeroshot._embedder = emb
        lex = self.lexical_
        if lex is not None and lex._embedder is None and lex.embedder_spec == self.embedder_spec:
            lex._embedder = emb
        return emb

    # ------------------------------------------------------------------ features
    def features(self, prep: Prepared, zs_scores: np.ndarray | None = None) -> sp.csr_matrix:
        """Feature rows; ``zs_scores`` (from :meth:`_zs_scores`) saves recomputing the zero-shot scores."""
        blocks = [sp.csr_matrix(prep.emb * self.emb_scale), self._lemma_hash(prep)]
        if self.char_hasher is not None:
            chars = prep.cached(("char", self.char_features), lambda: self.char_hasher.transform(prep.feature_text))
            blocks.append(chars * self.char_scale)
        blocks.append(sp.csr_matrix(np.log1p(prep.kw)))
        if self.zero_shot_prior:
            s = (self._zs_scores(prep) if zs_scores is None else zs_scores).astype(np.float32)  # a copy
            s[~prep.answered] = 0.0
            blocks.append(sp.csr_matrix(s / 3.0))
        return sp.hstack(blocks, format="csr").astype(np.float32)

    def _lemma_hash(self, prep: Prepared) -> sp.csr_matrix:
        """Hashed lemma n-grams of ``prep``, memoised on it so the theme and type models (and both cascade
        stages) share one pass (the hasher is stateless: the memo depends only on ``prep`` and the width)."""
        return prep.cached(("lemma", self.hash_features), lambda: self.hasher.transform(prep.lemmas))

    def _zs_scores(self, prep: Prepared) -> np.ndarray:
        """The inner zero-shot coder's scores (feature block and, through its sigmoid, the blend prior)."""
        self.zeroshot._embedder = self.embedder
        self.zeroshot._matcher = self.matcher
        return self.zeroshot.scores(prep)

    def _codebook_rows(self) -> tuple[pd.DataFrame, list[list[str]]]:
        texts, labels = [], []
        for t in self.codebook.themes:
            for ex in (t.prompt_text(), *t.examples):
                texts.append(ex)
                labels.append([t.id])
        return pd.DataFrame({"text": texts}), labels

    # ------------------------------------------------------------------ fitting
    def fit(self, texts: Sequence[str] | pd.Series, labels: Sequence[Any], types: Sequence[Any] | None = None,
            groups: Sequence[Any] | None = None, questions: Sequence[Any] | None = None, *,
            progress: Callable[[str], None] | None = None) -> SupervisedCoder:
        """Train on raw texts and their theme lists (``[["telefon"], ["ros", "kompetanse"], …]`` or ``"a;b"``),
        or a 0/1 multi-hot matrix (as :meth:`Codebook.to_matrix` returns): a 2-D array with one column per theme
        in ``codebook.theme_ids`` order, or a DataFrame whose columns are the theme ids (or ``theme_<id>``).

        Refused (errors name the row counted from 0, and a Series' or frame's index label): an unknown theme
        id, and an exclusive theme combined with another (``"annet;telefon"``), as ``textmine train`` does.
        ``groups``: optional writer/source per row; out-of-fold scores then hold out whole groups.
        ``questions``: optional survey question per row ("" unknown); a question with enough labelled answers
        gets its own theme rates, used when a comment to be coded names that question.
        ``progress``: called with a short message as each stage of the fit starts ("cleaning and redacting N
        texts", "embedding N texts", the same for the codebook's examples, "fitting fold k of K (out-of-fold
        scores)", "calibrating", "fitting the final models on all rows", "fitting the fast first stage"); never
        kept on the coder, and the fit is the same with or without it. An exception it raises stops the fit
        there and propagates (a way to cancel; the coder is then not usable until fitted again)."""
        say = _progress_callback(progress)
        check_texts(texts)
        if isinstance(labels, str | bytes | dict):
            raise TypeError(f"labels: expected one theme list per text ('a;b' or a list of ids), got "
                            f"{'one string' if isinstance(labels, str | bytes) else 'a ' + type(labels).__name__}")
        Y = _multi_hot(self.codebook, labels, texts)
        check_aligned(texts, labels=labels, types=types, groups=groups, questions=questions)
        index = labels.index if isinstance(labels, pd.Series | pd.DataFrame) else None
        texts = list(texts)
        n_labels = len(labels) if Y is None else len(Y)
        if len(texts) != n_labels:
            raise ValueError(f"got {len(texts)} texts but {n_labels} label rows")
        if types is not None and len(types) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(types)} types")
        if groups is not None and len(groups) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(groups)} groups")
        labs = self.codebook.from_matrix(Y) if Y is not None else []
        for i, x in enumerate(labels if Y is None else ()):
            try:
                labs.append(parse_theme_list(x))
            except TypeError as exc:
                raise TypeError(f"{label_row('labels', i, index)}: {exc}; rows are counted from 0") from None
        Y = self.codebook.to_matrix(self.codebook.validate_labels(labs, index=index, exclusive=True))
        types = None if types is None else self._canonical_types(types)
        prep = self._prepare_reported(texts, questions, "texts", say, embed=not self.finetune)
        unused = np.flatnonzero(~prep.answered & (Y.sum(1) > 0))
        if len(unused):  # only answered comments train the coder: say which labelled rows it cannot learn from
            import warnings

            rows = ", ".join(label_row("", int(i), index).strip() or str(int(i)) for i in unused[:10])
            warnings.warn(f"{len(unused)} labelled row(s) have a theme but no answer to learn from (a missing or "
                          f"blank text, or a non-answer such as 'vet ikke'), so they are left out of training: "
                          f"{rows}{' …' if len(unused) > 10 else ''} (rows counted from 0)", UserWarning,
                          stacklevel=2)
        return self.fit_prepared(prep, Y, types, groups, progress=progress)

    def _prepare_reported(self, texts: Sequence[str] | pd.Series, questions: Sequence[Any] | None, what: str,
                          say: Callable[[str], None], embed: bool = True) -> Prepared:
        """:meth:`prepare` of the cleaned ``texts``, each step said first ("cleaning and redacting N texts",
        "embedding N texts"; ``what`` names the rows, no embedding is said when ``embed`` is off)."""
        say(f"cleaning and redacting {len(texts):,} {what}")
        cleaned = self.clean(texts, questions)
        if embed:
            say(f"embedding {len(texts):,} {what}")
        return self.prepare(cleaned, embed=embed)

    def _canonical_types(self, types: Sequence[Any]) -> list[str]:
        """Types as the codebook spells them (case is ignored: "Klage" is "klage"); "" where missing. An unknown
        type raises ``ValueError`` naming its rows (it would otherwise be silently left out of the type model)."""
        canon = {t.casefold(): t for t in self.codebook.types}
        out, bad = [], []
        for i, t in enumerate(types):
            t = _type_str(t)
            if t and t.casefold() not in canon:
                bad.append(i)
            out.append(canon.get(t.casefold(), ""))
        if bad:
            rows = ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")
            raise ValueError(f"types: {len(bad)} value(s) are not among the codebook's types "
                             f"{', '.join(self.codebook.types)} (rows {rows}, counted from 0); expected one of "
                             f"them or an empty value")
        return out

    def fit_prepared(self, prep: Prepared, Y: np.ndarray, types: Sequence[str] | None = None,
                     groups: Sequence[Any] | None = None, *,
                     progress: Callable[[str], None] | None = None) -> SupervisedCoder:
        """Fit on prepared rows. With ``finetune`` the encoder is fine-tuned first: the final models use the
        vectors of the encoder fine-tuned on all rows, each out-of-fold fit those of its own fold's encoder
        (``prep``'s own embeddings are ignored and ``prep`` is not changed). ``progress``: as in :meth:`fit`,
        from the codebook's examples on (``prep`` is cleaned and embedded already)."""
        say = _progress_callback(progress)
        Y = self.codebook.rollup_matrix(np.asarray(Y).astype(np.int8))
        keep = prep.answered
        if not keep.any():
            raise ValueError("no answered (non-empty, non-non-answer) texts to train on")
        if keep.sum() < MIN_TRAIN_ROWS:  # calibration and thresholds come from out-of-fold scores: ≥ 2 folds of 2
            raise ValueError(f"a supervised coder needs at least {MIN_TRAIN_ROWS} answered labelled comments, got "
                             f"{int(keep.sum())}; code zero-shot (no --model) or add labelled data (e.g. --train)")
        fold_emb = None
        if self.finetune:  # prep: the fine-tuned encoder's vectors; fold_emb[k]: fold k's own encoder's
            from .finetune import finetuned_prepared

            say(f"fine-tuning the encoder on {int(keep.sum()):,} texts")
            prep, fold_emb = finetuned_prepared(self, prep, Y, types, groups)
        prep_a, Y_a = prep.subset(np.flatnonzero(keep)), Y[keep]
        types_a = None if types is None else [types[i] for i in np.flatnonzero(keep)]
        self._fit_question_priors(prep_a.context, Y_a)
        if self.lexical_only:  # no embeddings: no zero-shot evidence either
            zs_scores = np.zeros((len(prep_a), len(self.codebook)))
        else:
            self.zeroshot.fit_prepared(prep_a)
            zs_scores = self._zs_scores(prep_a)
        X = self.features(prep_a, zs_scores)
        n_real = X.shape[0]
        if self.codebook_examples:
            cb_df, cb_labels = self._codebook_rows()
            cb_prep = self._prepare_reported(cb_df["text"], None, "codebook examples", say)
            X_all = sp.vstack([X, self.features(cb_prep)], format="csr")
            Y_all = np.vstack([Y_a, self.codebook.to_matrix(cb_labels)])
        else:
            X_all, Y_all = X, Y_a
        zs_probs = np.zeros_like(zs_scores) if self.lexical_only else self.zeroshot.probs_from_scores(zs_scores)
        K = Y.shape[1]
        self.trained_ = Y_a.sum(0) >= 2
        # --- out-of-fold scores on the real rows (codebook rows always stay in training)
        groups_a = None if groups is None else [g for g, k in zip(groups, keep) if k]
        splits, grouped = cv_splits(n_real, groups_a, self.cv, self.seed)
        n_splits = len(splits)
        oof = np.zeros((n_real, K))
        has_oof = np.zeros((n_real, K), dtype=bool)
        extra = np.arange(n_real, X_all.shape[0])
        for fold, (tr, te) in enumerate(splits):
            say(f"fitting fold {fold + 1} of {n_splits} (out-of-fold scores)")
            tr_all = np.concatenate([tr, extra])
            X_f, X_all_f = X, X_all
            if fold_emb is not None:  # as deployed: this fold's encoder embeds its training and held-out rows
                X_f = self.features(prep_a.with_embeddings(fold_emb[fold][keep]))
                X_all_f = sp.vstack([X_f, X_all[n_real:]], format="csr")
            X_tr, X_te = X_all_f[tr_all], X_f[te]  # sliced once per fold, shared by its K theme fits
            jobs = [(j, Y_all[tr_all, j]) for j in range(K)
                    if self.trained_[j] and 0 < Y_all[tr_all, j].sum() < len(tr_all) and Y_a[tr, j].sum() >= 1]
            for j, m in self._fit_themes(X_tr, jobs):
                oof[te, j] = m.decision_function(X_te)
                has_oof[te, j] = True
        self.oof_ = (oof, has_oof, zs_probs, Y_a)  # kept in memory only (re-calibration experiments)
        say("calibrating")
        self._calibrate(oof, has_oof, zs_probs, Y_a)
        self.training_metrics_.update({"n_codebook_rows": int(len(extra)), "cv_folds": int(n_splits),
                                       "cv_grouped": grouped})
        # --- final models on everything
        say("fitting the final models on all rows")
        coef = np.zeros((K, X_all.shape[1]), dtype=np.float32)
        intercept = np.zeros(K, dtype=np.float32)
        for j, m in self._fit_themes(X_all, [(j, Y_all[:, j]) for j in range(K) if self.trained_[j]]):
            coef[j], intercept[j] = m.coef_[0], m.intercept_[0]
        self.coef_, self.intercept_ = coef, intercept
        self.n_train_ = int(n_real)
        # --- type facet
        self.type_model_ = None
        if types_a is not None:
            ty = np.array([t if t in self.codebook.types else "" for t in types_a], dtype=object)
            mt = ty != ""
            if mt.sum() >= 6 and len(set(ty[mt])) >= 2:
                Xt = TypeClassifier.features(prep_a.emb[mt], self.hasher.transform([prep_a.lemmas[i] for i in np.flatnonzero(mt)]),
                                             [prep_a.feature_text[i] for i in np.flatnonzero(mt)])
                self.type_model_ = TypeClassifier(seed=self.seed).fit(Xt, ty[mt])
        self._fit_lexical_stage(prep, Y, types, groups, say)
        if fold_emb is not None:
            self.training_metrics_["finetune"] = {
                "folds": len(fold_emb), "rows": int(keep.sum()), "rank": self.finetune_rank,
                "epochs": self.finetune_epochs, "adapter_sha256": self.embedder.adapter.sha256}
        return self

    # ------------------------------------------------------------------ routed questions
    def _fit_question_priors(self, context: np.ndarray | None, Y_a: np.ndarray) -> None:
        """Theme rates overall and per question (from rows whose question is known, ≥ QUESTION_MIN_ROWS of
        them, shrunk towards the overall rate with QUESTION_PRIOR_WEIGHT pseudo-rows)."""
        self.base_prior_ = np.clip(Y_a.mean(0), 1e-3, 1 - 1e-3) if len(Y_a) else None
        self.question_priors_ = {}
        if context is None or self.base_prior_ is None:
            return
        for q in sorted({str(c) for c in context if c}):
            m = context == q
            if m.sum() >= QUESTION_MIN_ROWS:
                rate = (Y_a[m].sum(0) + QUESTION_PRIOR_WEIGHT * self.base_prior_) / (m.sum() + QUESTION_PRIOR_WEIGHT)
                self.question_priors_[q] = np.clip(rate, 1e-3, 1 - 1e-3)

    def question_shift(self, probs: np.ndarray, context: np.ndarray | None) -> np.ndarray:
        """Calibrated probabilities moved from the training theme rates to the rates of each row's question
        (Bayes' rule on the odds; rows without a known question are unchanged). Row by row: batch-free."""
        if not self.question_priors or not self.question_priors_ or context is None or self.base_prior_ is None:
            return probs
        out = probs
        for q, prior in self.question_priors_.items():
            m = context == q
            if m.any():
                out = out.copy() if out is probs else out
                pm = np.clip(probs[m], 1e-6, 1 - 1e-6)
                up = pm * (prior / self.base_prior_)
                down = (1 - pm) * ((1 - prior) / (1 - self.base_prior_))
                out[m] = up / (up + down)
        return out

    # ------------------------------------------------------------------ cascade
    def _fit_lexical_stage(self, prep: Prepared, Y: np.ndarray, types: Sequence[str] | None,
                           groups: Sequence[Any] | None, say: Callable[[str], None] | None = None) -> None:
        """Train the first stage on the same rows (see ``first_stage``); its gate is the out-of-fold confidence
        that ``lexical_share`` of the training comments reach. Off when a theme or the type facet would need the
        embedding (too few labels), or when ``lexical_share`` is 0. ``say``: told when the stage is fitted (the
        stage's own fit is silent)."""
        self.lexical_, self.lexical_gate_ = None, None
        if self.lexical_only or self.lexical_share <= 0 or self.type_model_ is None:
            return
        if not (Y[prep.answered].sum(0) >= 2).all():  # a theme it cannot learn: the stage would be dropped below
            return
        if say is not None:
            say("fitting the fast first stage")
        shared = dict(C=self.C, hash_features=self.hash_features, codebook_examples=self.codebook_examples,
                      cv=self.cv, target_accuracy=self.target_accuracy, seed=self.seed,
                      char_features=self.char_features, char_scale=self.char_scale, class_weight=self.class_weight,
                      threshold_count_weight=self.threshold_count_weight, confidence=self.confidence,
                      share_method=self.share_method, question_priors=self.question_priors)
        if self.first_stage_spec in ("lexical", self.embedder_spec):  # (a coder on e5-static: lexical stage)
            lex = SupervisedCoder(self.codebook, self.embedder, embedder_spec=self.embedder_spec, lexical_only=True,
                                  **shared)
        else:
            from ..embed import get_embedder

            lex = SupervisedCoder(self.codebook, get_embedder(self.first_stage_spec),
                                  embedder_spec=self.first_stage_spec, emb_scale=self.emb_scale,
                                  prior_strength=self.prior_strength, lexical_share=0.0, **shared)
        import warnings

        with warnings.catch_warnings():  # the stage's own review level is not used: this coder's is
            warnings.filterwarnings("ignore", message="too little out-of-fold evidence", category=UserWarning)
            lex.fit_prepared(lex.ensure_embedded(prep.without_embeddings()), Y, types, groups)
        if not lex.trained_.all() or lex.type_model_ is None:
            return
        self.attach_lexical_stage(lex, float(np.quantile(lex.oof_conf_, 1.0 - self.lexical_share)))
        self.training_metrics_["lexical_gate"] = self.lexical_gate_
        self.training_metrics_["oof_lexical_macro_f1"] = lex.training_metrics_["oof_macro_f1"]

    def attach_lexical_stage(self, lex: SupervisedCoder, gate: float) -> None:
        """Use ``lex`` (trained ``lexical_only``, or on a first-stage embedder without a stage of its own) as the
        first stage, its answer standing at confidence ≥ gate."""
        if not (lex.lexical_only or (lex.embedder_spec in FIRST_STAGE_EMBEDDERS and lex.lexical_ is None)):
            raise ValueError("the first stage must be a lexical_only SupervisedCoder or one on "
                             f"{' / '.join(FIRST_STAGE_EMBEDDERS)} without a first stage of its own")
        lex.hasher, lex.char_hasher = self.hasher, self.char_hasher  # same stateless hashers: one memo, one pass
        self.lexical_, self.lexical_gate_ = lex, float(gate)

    def first_stage(self, prep: Prepared) -> tuple[pd.DataFrame, np.ndarray]:
        """The lexical stage's output for ``prep`` and, per row, whether it stands (answered rows only)."""
        if self.lexical_ is None:
            raise RuntimeError("this coder has no lexical first stage")
        lexical = prep.without_embeddings()
        first = self.lexical_.predict_prepared(lexical)
        stands = (first["confidence"].to_numpy() >= self.lexical_gate_) & prep.answered
        if self.lexical_type_gate > 0:
            stands &= lexical.__dict__.get("_type_pmax", np.ones(len(prep))) >= self.lexical_type_gate
        return first, stands

    def ensure_embedded(self, prep: Prepared) -> Prepared:
        return prep if self.lexical_only else super().ensure_embedded(prep)

    def predict(self, texts: Sequence[str] | pd.Series, questions: Sequence[Any] | None = None) -> pd.DataFrame:
        """:meth:`BaseCoder.predict`, with a ``UserWarning`` for a question the model has no theme rates for (a
        misspelt one would otherwise be coded as no question, silently; see ``table.warn_unknown_questions``)."""
        from .table import warn_unknown_questions

        warn_unknown_questions(self, questions)
        return super().predict(texts, questions)

    def predict_frame(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        if self.lexical_ is None:
            return super().predict_frame(cleaned)
        return self.predict_prepared(self.prepare(cleaned, embed=False))  # embeds only what the cascade needs

    def predict_prepared(self, prep: Prepared) -> pd.DataFrame:
        """With a lexical stage: its answer stands where its confidence reaches the gate; the other answered
        comments are embedded (if they are not yet) and coded by the full model. Row by row, so batch-free."""
        if self.lexical_ is None:
            return super().predict_prepared(prep)
        first, stands = self.first_stage(prep)
        rest = np.flatnonzero(prep.answered & ~stands)
        if len(rest):
            second = super().predict_prepared(prep.subset(rest))
            keep = np.setdiff1d(np.arange(len(prep)), rest)
            merged = pd.concat([first.iloc[keep], second])
            first = merged.iloc[np.argsort(np.concatenate([keep, rest]), kind="stable")]
        # one abstention level for every row: this coder's (both stages' confidences estimate P(set right))
        first["needs_review"] = ((first["confidence"].to_numpy() < self.review_threshold)
                                 & prep.answered).astype(np.int8)
        return first

    def _calibrate(self, oof: np.ndarray, has_oof: np.ndarray, zs_probs: np.ndarray, Y_a: np.ndarray) -> None:
        """Everything fitted on out-of-fold scores: Platt, blend, thresholds, confidence, share rates, review."""
        K = Y_a.shape[1]
        n_real = len(Y_a)
        self.trained_ = Y_a.sum(0) >= 2
        self.platt_ = np.zeros((K, 2))
        oof_p = zs_probs.copy()
        for j in range(K):
            if self.trained_[j] and has_oof[:, j].sum() >= 10:
                m = has_oof[:, j]
                self.platt_[j] = platt_fit(oof[m, j], Y_a[m, j])
                oof_p[m, j] = platt_apply(oof[m, j], *self.platt_[j])
            else:
                self.trained_[j] = False
        pos = Y_a.sum(0).astype(float)
        self.blend_ = np.where(self.trained_, np.divide(pos, pos + self.prior_strength, out=np.zeros_like(pos),
                                                        where=pos + self.prior_strength > 0), 0.0)
        oof_p = self.blend_ * oof_p + (1 - self.blend_) * zs_probs
        self.thresholds_ = best_thresholds(oof_p, Y_a, min_positives=3, count_weight=self.threshold_count_weight)
        # --- confidence model, share confusion rates and abstention level from out-of-fold predictions
        answered = np.ones(n_real, dtype=bool)
        # answers labelled "no theme applies" teach the coder that an answer may get none (base.allows_no_theme)
        n_no_theme = int((Y_a.sum(1) == 0).sum())
        oof_y = decide(self.codebook, oof_p, self.thresholds_, answered)
        allow_no_theme = False
        if n_no_theme:  # ... when they are a category the analyst coded (≥ NO_THEME_MIN_SHARE of the answers) or
            # letting answers go without a theme gets more theme sets right out of fold than giving each its nearest
            # theme: a few stray theme-less rows (a pasted question: 10 of 6,799 in the default model's files) must
            # not switch the whole decision rule (out-of-fold exact match 0.716 → 0.701 when they did)
            free = decide(self.codebook, oof_p, self.thresholds_, answered, allow_empty=True)
            allow_no_theme = bool(n_no_theme >= NO_THEME_MIN_SHARE * n_real
                                  or (free == Y_a).all(1).mean() > (oof_y == Y_a).all(1).mean())
            oof_y = free if allow_no_theme else oof_y
        rolled = self.codebook.rollup_matrix(oof_p)
        correct = (oof_y == Y_a).all(1)
        self.conf_model_ = None
        if self.confidence == "stacked":
            self.conf_model_ = fit_confidence_model(confidence_features(rolled, oof_y, self.thresholds_), correct)
        conf = self._confidence(rolled, oof_y, self.thresholds_)
        self.oof_conf_ = conf  # in memory only (the cascade's gate is a quantile of the lexical stage's)
        self.share_rates_ = np.vstack(confusion_rates(Y_a, oof_y)).astype(np.float64)
        evidence = None
        if self._fixed_review is None:
            fitted = review_threshold_for(conf, correct, target_accuracy=self.target_accuracy)
            evidence = review_level_evidence(conf, correct, fitted, self.target_accuracy)
            self.review_threshold = evidence["level"]
            _warn_thin_evidence(evidence)
        summ = f1_summary(Y_a, oof_y)
        self.training_metrics_ = {
            "n_train": int(n_real), "n_no_theme": n_no_theme, "allow_no_theme": allow_no_theme,
            "oof_micro_f1": summ["micro_f1"], "oof_macro_f1": summ["macro_f1"],
            "oof_weighted_f1": summ["weighted_f1"], "oof_exact_match": summ["exact_match"],
            "oof_accuracy_at_60pct_coverage": accuracy_at_coverage(conf, correct, 0.6)["accuracy"],
            "oof_auto_coded_share": float((conf >= self.review_threshold).mean()),
            "review_threshold": self.review_threshold,
            **({"review_evidence": evidence} if evidence is not None else {}),
            "positives_per_theme": {t: int(v) for t, v in zip(self.codebook.theme_ids, Y_a.sum(0), strict=True)},
        }

    def _fit_themes(self, X: sp.csr_matrix, jobs: list[tuple[int, np.ndarray]]) -> list[tuple[int, LogisticRegression]]:
        """One :meth:`_fit_one` per ``(theme index, labels)`` on the rows ``X``, in ``jobs`` order, on up to
        :func:`train_threads` threads: liblinear releases the GIL and its primal solver (L2R_LR, TRON) draws no
        random numbers, so the models are those fitted one after the other."""
        workers = min(train_threads(), len(jobs))
        if workers <= 1:
            return [(j, self._fit_one(X, y)) for j, y in jobs]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(zip((j for j, _ in jobs), pool.map(lambda job: self._fit_one(X, job[1]), jobs)))

    def _fit_one(self, X: sp.csr_matrix, y: np.ndarray) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression  # training only

        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear", max_iter=500,
                                random_state=self.seed)
        return lr.fit(X, y)

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if self.coef_ is None:
            raise NotFittedError("SupervisedCoder is not trained: call fit(texts, labels) or load_coder(model_dir)")

    def decision_scores(self, prep: Prepared, zs_scores: np.ndarray | None = None) -> np.ndarray:
        self._check_fitted()
        X = self.features(prep, zs_scores)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _theme_probs(self, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        blend = self.blend_ if self.blend_ is not None else self.trained_.astype(float)
        mixes = bool((blend < 1).any())
        zs_scores = self._zs_scores(prep) if self.zero_shot_prior or mixes else None  # computed once
        z = self.decision_scores(prep, zs_scores)
        p = platt_apply(z, self.platt_[:, 0], self.platt_[:, 1])
        if mixes:
            p = blend * p + (1 - blend) * self.zeroshot.probs_from_scores(zs_scores)
        return self.question_shift(p, prep.context), self.thresholds_

    def _confidence(self, probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        if self.conf_model_ is None:
            return confidence_of(probs, y)
        return apply_confidence_model(self.conf_model_, confidence_features(probs, y, thresholds))

    def estimate_shares(self, pred: pd.DataFrame, method: str | None = None) -> pd.Series:
        """Estimated share of comments per theme from :meth:`predict` output (all rows are the denominator).

        ``raw``: share of rows coded with the theme; ``prob``: mean probability over answered rows;
        ``corrected``: Rogan–Gladen correction of the raw share among answered rows with the out-of-fold
        confusion rates; a theme whose tpr − fpr is under 0.2 (weak), whose correction was cut to [0, 1]
        (clipped) or that has no information (tpr ≤ fpr: raw share kept) is named in a ``UserWarning`` and listed
        in the result's ``attrs["weak"]`` / ``attrs["clipped"]`` / ``attrs["uncorrected"]``. Default: the coder's
        ``share_method``. :meth:`estimate_shares_ci` gives the same shares with a confidence interval."""
        est = self._share_frame(pred, method)
        out = pd.Series(est["share"].to_numpy(), index=est.index, name="share")
        out.attrs.update({k: est.attrs[k] for k in ("weak", "clipped", "uncorrected") if k in est.attrs})
        return out

    def estimate_shares_ci(self, pred: pd.DataFrame, method: str | None = None, *,
                           level: float = 0.95) -> pd.DataFrame:
        """:meth:`estimate_shares` with a confidence interval, one row per theme: ``share``, ``ci_low``,
        ``ci_high``, ``ci_method`` and ``ci_missing`` (why the interval is NaN, "" where it is given).

        ``raw``: Wilson interval on the coded count out of all rows; ``prob``: Wilson on the summed probability (the
        expected count); ``corrected``: the score interval of :func:`textmine.evaluate.corrected_share_estimates`
        among answered rows (it takes in the coder's own errors: the out-of-fold validation counts with / without
        the theme, saved with the model in its training metrics), times the answered share. NaN, with
        ``ci_missing``: "uncorrected" (tpr ≤ fpr, no correction), "inconsistent" (the coded share is further
        outside [fpr, tpr] than sampling error allows: the rates do not fit these comments), "no_validation_counts" (a model saved without
        the counts, or a theme without validation comments: said in a ``UserWarning``; retrain for an interval),
        "no_rows" (no predictions)."""
        import warnings

        est = self._share_frame(pred, method, level=level)
        old = est.index[est["ci_missing"] == "no_validation_counts"]
        if len(old):
            warnings.warn(f"no confidence interval for the corrected share of {', '.join(map(str, old))}: the model "
                          "has no out-of-fold validation comments with and without them (saved before those counts "
                          "were kept, or no such comments in training); retrain it on labels of them for an "
                          "interval", UserWarning, stacklevel=2)
        return est

    def _validation_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Out-of-fold validation comments with / without each theme (behind ``share_rates_``' tpr / fpr), from
        the training metrics saved with the model; NaN where the model lacks them."""
        tm = getattr(self, "training_metrics_", None) or {}
        pos, n = tm.get("positives_per_theme") or {}, tm.get("n_train")
        n_pos = np.array([float(pos[t]) if t in pos else np.nan for t in self.codebook.theme_ids])
        n_neg = (float(n) - n_pos) if isinstance(n, int | float) else np.full(len(n_pos), np.nan)
        return n_pos, n_neg

    def _share_frame(self, pred: pd.DataFrame, method: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Shares and their CIs per theme (see :meth:`estimate_shares_ci`)."""
        method = method or self.share_method
        ids = self.codebook.theme_ids
        y = pred[[f"theme_{t}" for t in ids]].to_numpy()
        # an answered comment has a type (a non-answer none); it has a theme too unless the coder learnt that an
        # answer may have none
        answered = (pred["type"].astype(str).str.len() > 0).to_numpy() if "type" in pred else y.any(1)
        frac = answered.mean() if len(y) else 0.0
        if method == "raw" or not answered.any():
            est = y.mean(0) if len(y) else np.zeros(len(ids))
            return _share_ci_frame(ids, est, *stats.wilson_ci(y.sum(0).astype(float), np.full(len(ids), len(y)),
                                                              level), "wilson")
        if method == "prob":
            scores = pred[[f"score_{t}" for t in ids]].to_numpy()[answered]
            return _share_ci_frame(ids, scores.mean(0) * frac,
                                   *stats.wilson_ci(scores.sum(0), np.full(len(ids), len(y)), level), "wilson")
        if method != "corrected":
            raise ValueError(f"unknown share method {method!r}")
        if self.share_rates_ is None:
            raise RuntimeError("no out-of-fold confusion rates: retrain the model")
        n_pos, n_neg = self._validation_counts()
        rg = corrected_share_estimates(y[answered].mean(0), self.share_rates_[0], self.share_rates_[1],
                                       n=int(answered.sum()), n_pos=n_pos, n_neg=n_neg, level=level)
        warn_share_flags(rg, ids)
        none = rg["unclipped"].isna().to_numpy()
        out = _share_ci_frame(ids, np.where(~none, rg["share"], rg["raw"]) * frac, rg["ci_low"].to_numpy() * frac,
                              rg["ci_high"].to_numpy() * frac, "score")
        off = rg["inconsistent"].to_numpy(dtype=bool)
        out["ci_missing"] = np.where(none, "uncorrected", np.where(off, "inconsistent", np.where(
            out["ci_low"].isna() | out["ci_high"].isna(), "no_validation_counts", "")))
        out.loc[out["ci_missing"] != "", ["ci_low", "ci_high"]] = np.nan
        out.attrs.update({k: [t for t, f in zip(ids, m) if f] for k, m in (
            ("weak", rg["weak"] & ~none), ("clipped", rg["clipped"]), ("uncorrected", none))})
        return out

    def _types(self, prep: Prepared) -> list[str]:
        if self.type_model_ is None:
            return ZeroShotCoder._types(self.zeroshot, prep)
        cues = prep.cached("type_cues", lambda: cue_features(prep.feature_text))  # shared by both cascade stages
        X = TypeClassifier.features(prep.emb, self._lemma_hash(prep), prep.feature_text, cues)
        proba = self.type_model_.predict_proba(X)
        prep.__dict__["_type_pmax"] = proba.max(1)  # read by the cascade's type gate
        return [str(self.type_model_.classes_[j]) for j in proba.argmax(1)]

    def params(self) -> dict[str, Any]:
        return {"C": self.C, "emb_scale": self.emb_scale, "hash_features": self.hash_features,
                "zero_shot_prior": self.zero_shot_prior, "codebook_examples": self.codebook_examples, "cv": self.cv,
                "target_accuracy": self.target_accuracy, "seed": self.seed, "review_threshold": self.review_threshold,
                "prior_strength": self.prior_strength, "char_features": self.char_features,
                "char_scale": self.char_scale, "class_weight": self.class_weight,
                "threshold_count_weight": self.threshold_count_weight, "confidence": self.confidence,
                "share_method": self.share_method, "fixed_review_threshold": self._fixed_review,
                "lexical_share": self.lexical_share, "lexical_type_gate": self.lexical_type_gate,
                "lexical_only": self.lexical_only, "question_priors": self.question_priors,
                "finetune": self.finetune, "finetune_epochs": self.finetune_epochs,
                "finetune_rank": self.finetune_rank, "finetune_max_tokens": self.finetune_max_tokens,
                "first_stage": self.first_stage_spec, "keyword_expansions": self.keyword_expansions}


def _share_ci_frame(ids: Sequence[str], share: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    how: str) -> pd.DataFrame:
    """One row per theme: share, its CI and how it was computed (``ci_missing``: why it is NaN)."""
    out = pd.DataFrame({"share": np.asarray(share, dtype=float), "ci_low": np.asarray(lo, dtype=float),
                        "ci_high": np.asarray(hi, dtype=float), "ci_method": how, "ci_missing": ""},
                       index=pd.Index(list(ids)))
    out.loc[out["ci_low"].isna() | out["ci_high"].isna(), "ci_missing"] = "no_rows"
    return out


MIN_TRAIN_ROWS = 4
# the review level must show its target accuracy on enough out-of-fold answers: at least REVIEW_MIN_AUTO answers
# above it, and the one-sided 95 % lower bound (Wilson) of their accuracy within REVIEW_TOLERANCE of the target. The
# fitted level sits where the point accuracy just reaches the target, so its bound is always a little under it; the
# tolerance tells that sampling error apart from evidence too small to say anything (15 of 16 right: bound 0.76)
REVIEW_EVIDENCE_LEVEL = 0.90  # two-sided level whose lower end is the one-sided 95 % bound
REVIEW_MIN_AUTO = 20
REVIEW_TOLERANCE = 0.05


def review_level_evidence(conf: np.ndarray, correct: np.ndarray, fitted: float, target: float) -> dict[str, Any]:
    """The abstention level backed by the out-of-fold evidence. ``fitted`` (the lowest level whose auto-coded share
    reaches ``target`` out of fold) stands where the answers above it are at least REVIEW_MIN_AUTO and the lower
    bound of their accuracy reaches ``target`` less REVIEW_TOLERANCE; else the lowest level that holds both, or 1.0
    (everything to review). Returns the numbers behind the choice (what a training report states)."""
    conf, ok = np.asarray(conf, dtype=float), np.asarray(correct, dtype=float)

    def holds(level: float) -> tuple[int, int, float | None]:
        m = conf >= level
        n, k = int(m.sum()), int(ok[m].sum())
        return n, k, float(stats.wilson_ci(k, n, REVIEW_EVIDENCE_LEVEL)[0]) if n else None

    n, k, low = holds(fitted)
    need = float(target) - REVIEW_TOLERANCE
    out = {"target_accuracy": float(target), "fitted_level": float(fitted), "n_oof": int(len(conf)),
           "n_auto_fitted": n, "correct_auto_fitted": k, "accuracy_low_fitted": low,
           "min_auto": REVIEW_MIN_AUTO, "min_accuracy_low": need, "raised": False, "level": float(fitted)}
    if fitted >= 1.0 or (n >= REVIEW_MIN_AUTO and low >= need):
        return out
    levels = np.unique(conf[conf > fitted])  # each level's answers above it, by cumulative counts
    n_at = len(conf) - np.searchsorted(np.sort(conf), levels, side="left")
    order = np.argsort(-conf, kind="stable")
    k_at = np.r_[0.0, np.cumsum(ok[order])][n_at]
    low_at = np.asarray(stats.wilson_ci(k_at, np.maximum(n_at, 1), REVIEW_EVIDENCE_LEVEL)[0])
    good = np.flatnonzero((n_at >= REVIEW_MIN_AUTO) & (low_at >= need))
    level = float(levels[good[0]]) if len(good) else 1.0  # the lowest level the evidence holds
    n_l, k_l, low_l = holds(level) if level < 1.0 else (0, 0, None)
    out.update(raised=True, level=level, n_auto=n_l, correct_auto=k_l, accuracy_low=low_l)
    return out


def _warn_thin_evidence(ev: dict[str, Any]) -> None:
    """A ``UserWarning`` with the numbers when the review level was raised for want of out-of-fold evidence."""
    if not ev["raised"]:
        return
    import warnings

    n, k, low = ev["n_auto_fitted"], ev["correct_auto_fitted"], ev["accuracy_low_fitted"]
    seen = (f"{k} of {n} out-of-fold answers above it right, accuracy lower bound {low:.2f}" if n
            else "no out-of-fold answers above it")
    then = (f"raised to {ev['level']:.3f}, which auto-codes {ev['n_auto']} of {ev['n_oof']} out-of-fold answers "
            f"({ev['correct_auto']} right, lower bound {ev['accuracy_low']:.2f})" if ev["level"] < 1.0
            else "every answer is sent to review")
    warnings.warn(f"too little out-of-fold evidence for target accuracy {ev['target_accuracy']:.2f}: the fitted "
                  f"review level {ev['fitted_level']:.3f} has {seen} (needed: at least {ev['min_auto']} answers and "
                  f"a 95 % lower bound ≥ {ev['min_accuracy_low']:.2f}, from {ev['n_oof']} labelled answers); {then}. "
                  f"Label more answers for a lower level", UserWarning, stacklevel=5)


#: the most threads a fit uses for its per-theme logistic regressions (each thread holds liblinear's own copy of
#: the rows it fits on)
MAX_TRAIN_THREADS = 4


def train_threads() -> int:
    """Threads for the per-theme fits: the CPUs this process may run on, at most MAX_TRAIN_THREADS."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_TRAIN_THREADS, cpus))


def _silent(msg: str) -> None:
    """The progress callback of a fit that reports nothing."""


def _progress_callback(progress: Any) -> Callable[[str], None]:
    """``progress`` (a callable taking one message, or None: silent) as the fit calls it; anything else is refused
    before the fit starts, not at its first stage."""
    if progress is None:
        return _silent
    if not callable(progress):
        raise TypeError(f"progress must be a callable taking one message (a str), or None; got "
                        f"{type(progress).__name__}")
    return progress


def _check_C(C: Any) -> None:
    """``C`` (the logistic regressions' inverse regularisation strength) must be a finite number above 0."""
    try:
        ok = not isinstance(C, bool) and math.isfinite(float(C)) and float(C) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"C must be a positive number (inverse regularisation strength, e.g. 8.0), got {C!r}")


def _check_cv(cv: Any) -> None:
    """``cv`` (out-of-fold folds for calibration, thresholds and the review level) must be a whole number ≥ 2."""
    if isinstance(cv, bool) or not isinstance(cv, int | np.integer) or cv < 2:
        raise ValueError(f"cv must be a whole number of cross-validation folds, at least 2 (e.g. 5), got {cv!r}")


def label_matrix(codebook: Codebook, labels: Any, texts: Any = None) -> np.ndarray:
    """``labels`` as a 0/1 int8 matrix in codebook order: theme ids per text (``"a;b"`` or a list of ids) or a
    0/1 matrix (see :func:`_multi_hot`); an unknown theme id raises ``ValueError`` naming its row."""
    if isinstance(labels, str | bytes | dict):
        raise TypeError("labels: expected one theme list per text ('a;b' or a list of ids) or a 0/1 matrix, got "
                        f"{'one string' if isinstance(labels, str | bytes) else 'a ' + type(labels).__name__}")
    y = _multi_hot(codebook, labels, texts)
    return y if y is not None else codebook.to_matrix(labels)


def _multi_hot(codebook: Codebook, labels: Any, texts: Any) -> np.ndarray | None:
    """``labels`` given as a 0/1 matrix (a numeric 2-D array or sparse matrix with one column per theme in codebook
    order, or a DataFrame with one column per theme id or ``theme_<id>``), as int8 in codebook order; ``None``
    for one theme list per text. A matrix of another width, or with values other than 0 and 1, is refused."""
    ids = codebook.theme_ids
    expected = (f"one theme list per text ('a;b' or a list of ids), or a 0/1 matrix with one column per theme of "
                f"codebook {codebook.name!r} ({len(ids)}: {', '.join(ids)})")
    if isinstance(labels, pd.DataFrame):
        if isinstance(texts, pd.Series) and not labels.index.equals(texts.index):
            raise ValueError("texts and labels have different indexes; rows are matched by position, so align them "
                             "first (e.g. labels.loc[texts.index], or .reset_index(drop=True) on both)")
        names = {str(c): c for c in labels.columns}
        cols = [names.get(t, names.get(f"theme_{t}")) for t in ids]
        if len(labels.columns) != len(ids) or any(c is None for c in cols):
            shown = ", ".join(map(repr, list(names)[:10])) + (" …" if len(names) > 10 else "")
            raise TypeError(f"labels: a DataFrame must have one 0/1 column per theme, named by its id or "
                            f"theme_<id>, got columns {shown}; expected {expected} (for ids joined by ';' "
                            f"pass one column, e.g. df['themes'])")
        if not all(pd.api.types.is_numeric_dtype(labels[c]) or pd.api.types.is_bool_dtype(labels[c])
                   for c in cols):
            raise ValueError(f"labels: a multi-hot DataFrame holds only 0 and 1 (1 = the theme applies); expected "
                             f"{expected}")
        y = labels[cols].to_numpy(dtype=float)
    elif sp.issparse(labels) or (isinstance(labels, np.ndarray) and labels.ndim == 2 and labels.dtype.kind in "biuf"):
        y = labels.toarray() if sp.issparse(labels) else labels
        if y.shape[1] != len(ids):
            raise ValueError(f"labels: a 0/1 matrix of shape {y.shape} has {y.shape[1]} columns; expected {expected}")
        y = np.asarray(y, dtype=float)
    else:
        return None
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"labels: a multi-hot matrix holds only 0 and 1 (1 = the theme applies), not scores or "
                         f"missing values; expected {expected}")
    return y.astype(np.int8)


def cv_splits(n: int, groups: Sequence[Any] | None, cv: int, seed: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], bool]:
    """Out-of-fold splits over ``n`` rows and whether they are grouped: whole groups held out when ``groups``
    has at least 3 distinct values, else shuffled k-fold (``cv`` folds, at most n/2, at least 2)."""
    from sklearn.model_selection import GroupKFold, KFold  # training only (keeps it off the serving path)

    n_splits = max(2, min(int(cv), int(n // 2)))
    if groups is not None:
        g = pd.factorize(pd.Series(list(groups), dtype=object).to_numpy())[0]
        if len(set(g)) >= 3:
            return list(GroupKFold(n_splits=min(n_splits, len(set(g)))).split(np.arange(n), groups=g)), True
    return list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.arange(n))), False


def _type_str(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()
