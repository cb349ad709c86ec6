"""Guided discovery: which answers does an existing codebook not cover, and which theme is nearest.

Coverage uses a trained coder when one is given (uncovered = only a catch-all theme, or sent to review), else
``textmine.classify.ZeroShotCoder`` when available (uncovered = no theme, or only an exclusive
catch-all such as ``annet``). Fallback: similarity to theme prototypes with a *relative* threshold (an answer
is uncovered when its best similarity is far below what the answers of that theme typically reach) - never an
absolute cosine threshold, since e5 cosines sit in a narrow band.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np


def load_any_codebook(codebook: Any):
    from textmine.codebook import Codebook, load_codebook

    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, (str, Path)):
        return load_codebook(codebook)
    if isinstance(codebook, dict):
        return Codebook.from_dict(codebook)
    raise TypeError(f"codebook must be a Codebook, a dict or a path, got {type(codebook).__name__}")


def theme_texts(cb) -> list[str]:
    """One text per codebook theme: label, description and up to 12 keywords."""
    out = []
    for t in cb.themes:
        kw = ", ".join(t.keywords[:12]) if t.keywords else ""
        out.append(f"{t.label}. {t.description or ''} {kw}".strip())
    return out


def _embedder(embedder):
    if embedder is not None:
        return embedder
    from textmine.embed import get_embedder

    return get_embedder("e5")


def uncovered_by_similarity(cb, emb: np.ndarray, embedder=None, *, mad_k: float = 2.0) -> np.ndarray:
    """Relative-threshold coverage: uncovered when best theme similarity < median - k*MAD of that theme's
    answers (answers whose best theme is an exclusive catch-all are uncovered too)."""
    protos = np.asarray(_embedder(embedder).encode(theme_texts(cb)), dtype=np.float32)
    sims = emb @ protos.T
    best = sims.argmax(axis=1)
    top = sims[np.arange(len(sims)), best]
    out = np.zeros(len(emb), dtype=bool)
    excl = {j for j, t in enumerate(cb.themes) if t.exclusive}
    for j in range(len(cb.themes)):
        m = best == j
        if not m.any():
            continue
        if j in excl:
            out[m] = True
            continue
        med = np.median(top[m])
        mad = np.median(np.abs(top[m] - med)) + 1e-6
        out[m] = top[m] < med - mad_k * 1.4826 * mad
    return out


CATCH_ALL = "annet"  # the catch-all theme id of the surveys' codebooks (also when not marked exclusive)


def catch_all_ids(cb) -> frozenset[str]:
    """Theme ids that mean "no real theme": the codebook's exclusive themes and ``annet``."""
    return frozenset({t.id for t in cb.themes if t.exclusive} | {CATCH_ALL})


def uncovered_from_predictions(pred, cb) -> np.ndarray:
    """A coder's predictions -> True where it gives no real theme (none, or only a catch-all) or sends the answer
    to review (``needs_review``): the answers an analyst would still have to read."""
    excl = catch_all_ids(cb)
    themes = pred["themes"].fillna("").astype(str).tolist()
    mask = np.array([not [x for x in s.split(";") if x and x not in excl] for s in themes], dtype=bool)
    if "needs_review" in pred.columns:
        mask |= pred["needs_review"].fillna(0).astype(int).to_numpy().astype(bool)
    return mask


def check_coder_codebook(coder, cb) -> None:
    """Refuse (ValueError) a coder trained for another codebook than ``cb``, naming both (as ``load_coder``)."""
    own = getattr(coder, "codebook", None)
    if own is None or cb is None or own.hash == cb.hash:
        return
    raise ValueError(f"the model was trained for codebook {own.name!r} v{own.version} (hash {own.hash[:12]}), but "
                     f"the codebook given is {cb.name!r} v{cb.version} (hash {cb.hash[:12]}). Retrain with "
                     "`textmine train`, or discover without the model (the codebook's zero-shot coder).")


def uncovered_mask(cb, texts: Sequence[str], emb: np.ndarray, *, embedder=None, coder=None):
    """Boolean mask over ``texts``: True where no (non-catch-all) codebook theme covers the answer. ``coder``: a
    trained coder for ``cb`` (``textmine.classify.load_coder``) decides, and an answer it sends to review is
    uncovered too; without one, the codebook's zero-shot coder (fallback: prototype similarity)."""
    if len(texts) == 0:
        return np.zeros(0, dtype=bool), None
    if coder is not None:
        check_coder_codebook(coder, cb)
        return uncovered_from_predictions(coder.predict(list(texts)), cb), None
    try:
        from textmine.classify import ZeroShotCoder

        coder = ZeroShotCoder(cb, embedder=_embedder(embedder))
        coder.fit(list(texts))
        pred = coder.predict(list(texts))
        excl = {t.id for t in cb.themes if t.exclusive}
        themes = pred["themes"].fillna("").astype(str).tolist()
        mask = np.array([not [x for x in s.split(";") if x and x not in excl] for s in themes], dtype=bool)
        return mask, None
    except ImportError:
        return uncovered_by_similarity(cb, emb, embedder), None


def pool_params(params, n_answers: int, n_pool: int):
    """The clustering parameters (``clustering.ClusterParams``; None: the defaults) for the ``n_pool`` uncovered
    answers of a wave of ``n_answers``: the size rules - the smallest topic (``min_cluster_frac``) and the cap on
    the largest (``max_cluster_frac``; None where it no longer binds) - are shares of the wave's answers, as in
    plain discovery. Shares of the uncovered answers forced apart a new theme holding most of them (the cap), and
    gave its wordings topics of their own (a smaller smallest topic): plain discovery found it as one topic."""
    from dataclasses import replace

    from .clustering import ClusterParams

    p = params or ClusterParams()
    if not 0 < n_pool < n_answers:
        return p
    scale = n_answers / n_pool
    cap = p.max_cluster_frac * scale if p.max_cluster_frac else None
    return replace(p, min_cluster_frac=p.min_cluster_frac * scale, max_cluster_frac=cap if cap and cap < 1 else None)


def nearest_themes(cb, centroids: np.ndarray, *, embedder=None) -> list[str]:
    """Id of the closest existing theme (not a catch-all such as ``annet``) for each candidate-topic centroid."""
    if len(centroids) == 0:
        return []
    protos = np.asarray(_embedder(embedder).encode(theme_texts(cb)), dtype=np.float32)
    sims = centroids @ protos.T
    catch_all = catch_all_ids(cb)
    real = [j for j, t in enumerate(cb.themes) if t.id not in catch_all]
    if real:  # the catch-all ("annet") is no theme a new topic overlaps
        sims[:, [j for j in range(len(cb.themes)) if j not in set(real)]] = -np.inf
    idx = sims.argmax(axis=1)
    return [cb.themes[int(j)].id for j in idx]
