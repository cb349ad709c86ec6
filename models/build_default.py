"""Build the shipped default coder: ``python models/build_default.py [--out DIR]``.

Trains a calibrated :class:`textmine.classify.SupervisedCoder` for ``data/codebooks/arbeidsgiver.yaml`` on both
generated sample waves' labels (``data/sample/labels_2022.csv`` + ``labels_2023.csv``) plus the 5,543 hand-written
training comments in ``data/train/handwritten*.csv`` (eleven writers; one cross-validation group per file) (``--sample-only`` leaves those out) with the supervised default ``e5-l6`` embedder (e5-small, first 6 layers),
records the hand-labelled eval set's metrics (never used for training) in ``metrics.json`` and writes
``models/default/`` (plain JSON/YAML/NumPy, no pickle; ≈ 3 MB). Deterministic for a fixed seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from textmine.classify import SupervisedCoder
    from textmine.codebook import load_codebook, parse_theme_list
    from textmine.evaluate import evaluate_coding
    from textmine.paths import (DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR, EVAL_DIR, default_training_files,
                                read_training_frame)

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sample-only", action="store_true", help="train on the generated sample labels only")
    ap.add_argument("--finetune", action="store_true",
                    help="fine-tune e5-l6 on the same labels first (a LoRA adapter saved with the model; ~20 min "
                         "more; not the shipped default, see bench/RESULTS.md)")
    ap.add_argument("--embedder", default="e5-l6",
                    help="embedding backend spec (default e5-l6; e5-static builds the fast model, models/fast)")
    args = ap.parse_args(argv)

    cb = load_codebook(DEFAULT_CODEBOOK)
    files = default_training_files(handwritten=not args.sample_only)
    # one CV group per file (= per writer): calibration, thresholds and the review level see unseen writers
    train = pd.concat([read_training_frame([f]).assign(source=f.stem) for f in files], ignore_index=True)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    coder = SupervisedCoder(cb, seed=args.seed, finetune=args.finetune, embedder_spec=args.embedder)
    coder.fit(train["text"].tolist(), train["themes"].tolist(), train["type"].tolist(),
              groups=train["source"].tolist(), questions=train["question"].tolist())
    coder.training_data_ = [str(f.relative_to(REPO)) for f in files]
    eval_path = EVAL_DIR / "eval_set.csv"
    if eval_path.exists():
        ev = pd.read_csv(eval_path, dtype=str, keep_default_na=False)
        pred = coder.predict(ev["text"].tolist(), ev["question"].tolist())
        ids = cb.theme_ids
        rep = evaluate_coding(cb.to_matrix([parse_theme_list(v) for v in ev["themes"]]),
                              pred[[f"theme_{t}" for t in ids]].to_numpy(), ids, confidence=pred["confidence"].to_numpy())
        has_type = ev["type"] != ""
        rep.summary["type_accuracy"] = float((pred.loc[has_type.to_numpy(), "type"].to_numpy()
                                              == ev.loc[has_type, "type"].to_numpy()).mean())
        rep.summary["auto_coded_share"] = float((pred["needs_review"] == 0).mean())
        coder.extra_metrics_ = {"eval_set": {"file": str(eval_path.relative_to(REPO)), **rep.summary}}
        print(rep.to_text())
    coder.save(args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    m = coder.training_metrics_
    print(f"wrote {args.out} ({size / 1024:.0f} KiB): n_train={m['n_train']} oof macro-F1={m['oof_macro_f1']:.3f} "
          f"review threshold={coder.review_threshold:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
