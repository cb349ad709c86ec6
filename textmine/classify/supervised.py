"""Supervised multi-label coding: one-vs-rest logistic regression on [e5 ⊕ lexical ⊕ zero-shot prior].

Training (``fit``):
1. features = [scaled e5 embedding, hashed lemma uni/bigrams, log keyword counts, zero-shot scores];
   the codebook's own examples and descriptions are added as labelled rows (helps few-shot);
2. k-fold out-of-fold decision scores per theme (class weights balance rare themes);
3. Platt calibration per theme on the out-of-fold scores, F1-optimal thresholds per theme, and the
   abstention level: the lowest confidence whose auto-coded share reaches ``target_accuracy`` out of fold;
4. the final models are refitted on all rows. Out-of-fold metrics are kept as ``training_metrics_``.
Themes with fewer than two labelled positives fall back to the zero-shot probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..codebook import Codebook, parse_theme_list
from ..evaluate import accuracy_at_coverage, f1_summary
from .base import BaseCoder, Prepared, confidence_of, decide
from .calibration import best_thresholds, platt_apply, platt_fit, review_threshold_for
from .lexical import LemmaHasher
from .typefacet import TypeClassifier
from .zeroshot import ZeroShotCoder

if TYPE_CHECKING:  # sklearn's estimators are imported where a model is trained
    from sklearn.linear_model import LogisticRegression

__all__ = ["SupervisedCoder"]


class SupervisedCoder(BaseCoder):
    """Calibrated one-vs-rest logistic regression with abstention; works from ~5–10 examples per theme."""

    kind = "supervised"

    def __init__(self, codebook: Codebook, embedder: Any = None, *, C: float = 4.0, emb_scale: float = 3.0,
                 hash_features: int = 2**13, zero_shot_prior: bool = True, codebook_examples: bool = True,
                 cv: int = 5, target_accuracy: float = 0.9, seed: int = 42, embedder_spec: str = "e5",
                 review_threshold: float | None = None, prior_strength: float = 10.0):
        super().__init__(codebook, embedder, review_threshold=0.5 if review_threshold is None else review_threshold,
                         embedder_spec=embedder_spec)
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
        self.blend_: np.ndarray | None = None
        self._fixed_review = review_threshold
        self.hasher = LemmaHasher(self.hash_features)
        self.zeroshot = ZeroShotCoder(codebook, embedder, embedder_spec=embedder_spec)
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None
        self.platt_: np.ndarray | None = None  # (K, 2): a, b
        self.thresholds_: np.ndarray | None = None
        self.trained_: np.ndarray | None = None  # bool per theme: has its own model
        self.type_model_: TypeClassifier | None = None
        self.training_metrics_: dict[str, Any] = {}
        self.n_train_: int = 0

    # share embedder/matcher with the inner zero-shot coder
    @property
    def embedder(self) -> Any:
        emb = BaseCoder.embedder.fget(self)
        self.zeroshot._embedder = emb
        return emb

    # ------------------------------------------------------------------ features
    def features(self, prep: Prepared) -> sp.csr_matrix:
        blocks = [sp.csr_matrix(prep.emb * self.emb_scale), self.hasher.transform(prep.lemmas),
                  sp.csr_matrix(np.log1p(prep.kw))]
        if self.zero_shot_prior:
            blocks.append(sp.csr_matrix(self._zs_scores(prep) / 3.0))
        return sp.hstack(blocks, format="csr").astype(np.float32)

    def _zs_scores(self, prep: Prepared) -> np.ndarray:
        self.zeroshot._embedder = self.embedder
        self.zeroshot._matcher = self.matcher
        s = self.zeroshot.scores(prep)
        s[~prep.answered] = 0.0
        return s.astype(np.float32)

    def _codebook_rows(self) -> tuple[pd.DataFrame, list[list[str]]]:
        texts, labels = [], []
        for t in self.codebook.themes:
            for ex in (t.prompt_text(), *t.examples):
                texts.append(ex)
                labels.append([t.id])
        return pd.DataFrame({"text": texts}), labels

    # ------------------------------------------------------------------ fitting
    def fit(self, texts: Sequence[str] | pd.Series, labels: Sequence[Any], types: Sequence[Any] | None = None
            ) -> SupervisedCoder:
        """Train on raw texts and their theme lists (``[["telefon"], ["ros", "kompetanse"], …]`` or ``"a;b"``)."""
        texts = list(texts)
        if len(texts) != len(labels):
            raise ValueError(f"got {len(texts)} texts but {len(labels)} label rows")
        if types is not None and len(types) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(types)} types")
        labs = [parse_theme_list(x) for x in labels]
        Y = self.codebook.to_matrix(labs)
        prep = self.prepare(self.clean(texts))
        return self.fit_prepared(prep, Y, None if types is None else [_type_str(t) for t in types])

    def fit_prepared(self, prep: Prepared, Y: np.ndarray, types: Sequence[str] | None = None) -> SupervisedCoder:
        Y = self.codebook.rollup_matrix(np.asarray(Y).astype(np.int8))
        keep = prep.answered
        if not keep.any():
            raise ValueError("no answered (non-empty, non-non-answer) texts to train on")
        prep_a, Y_a = prep.subset(np.flatnonzero(keep)), Y[keep]
        types_a = None if types is None else [types[i] for i in np.flatnonzero(keep)]
        self.zeroshot.fit_prepared(prep_a)
        X = self.features(prep_a)
        n_real = X.shape[0]
        if self.codebook_examples:
            cb_df, cb_labels = self._codebook_rows()
            cb_prep = self.prepare(self.clean(cb_df["text"]))
            X_all = sp.vstack([X, self.features(cb_prep)], format="csr")
            Y_all = np.vstack([Y_a, self.codebook.to_matrix(cb_labels)])
        else:
            X_all, Y_all = X, Y_a
        zs_probs = self.zeroshot._theme_probs(prep_a)[0]
        K = Y.shape[1]
        self.trained_ = Y_a.sum(0) >= 2
        # --- out-of-fold scores on the real rows (codebook rows always stay in training)
        n_splits = max(2, min(self.cv, int(n_real // 2)))
        from sklearn.model_selection import KFold  # training only (keeps it off the serving path)

        folds = KFold(n_splits=n_splits, shuffle=True, random_state=self.seed)
        oof = np.zeros((n_real, K))
        has_oof = np.zeros((n_real, K), dtype=bool)
        extra = np.arange(n_real, X_all.shape[0])
        for tr, te in folds.split(np.arange(n_real)):
            tr_all = np.concatenate([tr, extra])
            for j in range(K):
                y = Y_all[tr_all, j]
                if self.trained_[j] and 0 < y.sum() < len(y) and Y_a[tr, j].sum() >= 1:
                    oof[te, j] = self._fit_one(X_all[tr_all], y).decision_function(X[te])
                    has_oof[te, j] = True
        self.platt_ = np.zeros((K, 2))
        oof_p = zs_probs.copy()
        for j in range(K):
            if self.trained_[j] and has_oof[:, j].sum() >= 10:
                m = has_oof[:, j]
                self.platt_[j] = platt_fit(oof[m, j], Y_a[m, j])
                oof_p[m, j] = platt_apply(oof[m, j], *self.platt_[j])
            else:
                self.trained_[j] = False
        self.blend_ = np.where(self.trained_, Y_a.sum(0) / (Y_a.sum(0) + self.prior_strength), 0.0)
        oof_p = self.blend_ * oof_p + (1 - self.blend_) * zs_probs
        self.thresholds_ = best_thresholds(oof_p, Y_a, min_positives=3)
        # --- abstention level from out-of-fold confidence
        answered = np.ones(n_real, dtype=bool)
        oof_y = decide(self.codebook, oof_p, self.thresholds_, answered)
        conf = confidence_of(self.codebook.rollup_matrix(oof_p), oof_y)
        correct = (oof_y == Y_a).all(1)
        if self._fixed_review is None:
            self.review_threshold = review_threshold_for(conf, correct, target_accuracy=self.target_accuracy)
        summ = f1_summary(Y_a, oof_y)
        self.training_metrics_ = {
            "n_train": int(n_real), "n_codebook_rows": int(len(extra)), "cv_folds": int(n_splits),
            "oof_micro_f1": summ["micro_f1"], "oof_macro_f1": summ["macro_f1"],
            "oof_weighted_f1": summ["weighted_f1"], "oof_exact_match": summ["exact_match"],
            "oof_accuracy_at_60pct_coverage": accuracy_at_coverage(conf, correct, 0.6)["accuracy"],
            "oof_auto_coded_share": float((conf >= self.review_threshold).mean()),
            "review_threshold": self.review_threshold,
            "positives_per_theme": {t: int(v) for t, v in zip(self.codebook.theme_ids, Y_a.sum(0), strict=True)},
        }
        # --- final models on everything
        coef = np.zeros((K, X_all.shape[1]), dtype=np.float32)
        intercept = np.zeros(K, dtype=np.float32)
        for j in range(K):
            if self.trained_[j]:
                m = self._fit_one(X_all, Y_all[:, j])
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
                                             [prep_a.text_clean[i] for i in np.flatnonzero(mt)])
                self.type_model_ = TypeClassifier(seed=self.seed).fit(Xt, ty[mt])
        return self

    def _fit_one(self, X: sp.csr_matrix, y: np.ndarray) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression  # training only

        lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=500,
                                random_state=self.seed)
        return lr.fit(X, y)

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if self.coef_ is None:
            raise RuntimeError("SupervisedCoder is not trained: call fit(texts, labels) or load_coder(model_dir)")

    def decision_scores(self, prep: Prepared) -> np.ndarray:
        self._check_fitted()
        X = self.features(prep)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _theme_probs(self, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        z = self.decision_scores(prep)
        p = platt_apply(z, self.platt_[:, 0], self.platt_[:, 1])
        blend = self.blend_ if self.blend_ is not None else self.trained_.astype(float)
        if (blend < 1).any():
            zs = self.zeroshot._theme_probs(prep)[0]
            p = blend * p + (1 - blend) * zs
        return p, self.thresholds_

    def _types(self, prep: Prepared) -> list[str]:
        if self.type_model_ is None:
            return ZeroShotCoder._types(self.zeroshot, prep)
        X = TypeClassifier.features(prep.emb, self.hasher.transform(prep.lemmas), prep.text_clean)
        return self.type_model_.predict(X)

    def params(self) -> dict[str, Any]:
        return {"C": self.C, "emb_scale": self.emb_scale, "hash_features": self.hash_features,
                "zero_shot_prior": self.zero_shot_prior, "codebook_examples": self.codebook_examples, "cv": self.cv,
                "target_accuracy": self.target_accuracy, "seed": self.seed, "review_threshold": self.review_threshold,
                "prior_strength": self.prior_strength,
                "fixed_review_threshold": self._fixed_review}


def _type_str(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()
