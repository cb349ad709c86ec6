"""How far an analyst's own corrections move the shipped model towards that analyst's coding (the review loop).

The shipped models learn from other writers' labels, and the hand-labelled eval set's coder draws some borderline
lines differently (``data/eval/README.md``). The product's answer is the review loop: the analyst corrects
comments and the model is retrained with them (``textmine review … --corrections``). This measures that loop on the
eval set without ever scoring a comment the scored model was trained on (cross-fitting):

* the 350 eval answers are split into ``--folds`` parts (seeded, fixed);
* for each part, the shipped model is retrained through :func:`textmine.review.apply_corrections` — the function
  behind ``textmine review --corrections`` — on its own training files plus the *other* parts as corrections
  (one cross-validation group per training file and one for the corrections), and codes the held-out part;
* the held-out predictions of all parts together are scored like ``textmine evaluate`` does, next to the shipped
  model's own figures on the same 350 answers.

    python bench/bench_adaptation.py [--model models/default] [--folds 2] [--weight 1]
                                                        # table + bench/out/adaptation-<model>-w<weight>.json

Each fold retrains the full model (cross-validated calibration included): a few minutes per fold on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _score(coder, data: pd.DataFrame, pred: pd.DataFrame) -> dict:
    from textmine.codebook import parse_theme_list
    from textmine.evaluate import evaluate_coding

    ids = coder.codebook.theme_ids
    y_true = coder.codebook.to_matrix([parse_theme_list(t) for t in data["themes"]])
    rep = evaluate_coding(y_true, pred[[f"theme_{t}" for t in ids]].to_numpy(), ids,
                          confidence=pred["confidence"].to_numpy())
    s = dict(rep.summary)
    has_type = (data["type"] != "").to_numpy()
    s["type_accuracy"] = float((pred["type"].to_numpy()[has_type] == data["type"].to_numpy()[has_type]).mean())
    s["auto_coded_share"] = float((pred["needs_review"] == 0).mean())
    s["auto_coded_exact"] = float((y_true == pred[[f"theme_{t}" for t in ids]].to_numpy()).all(1)
                                  [(pred["needs_review"] == 0).to_numpy()].mean())
    shares = {t: (float(y_true[:, j].mean()), float(pred[f"theme_{t}"].mean())) for j, t in enumerate(ids)}
    return {"summary": s, "shares": shares}


def run(model_dir: Path, folds: int, seed: int, weight: int = 1) -> dict:
    from textmine.classify import load_coder
    from textmine.paths import EVAL_DIR, default_training_files, read_training_frame
    from textmine.review import apply_corrections, read_labelled

    coder = load_coder(model_dir)
    eval_df = read_labelled(pd.read_csv(EVAL_DIR / "eval_set.csv", dtype=str, keep_default_na=False),
                            codebook=coder.codebook, where="eval_set.csv")
    files = default_training_files()
    train = pd.concat([read_training_frame([f]).assign(group=f.stem) for f in files], ignore_index=True)
    part = np.random.default_rng(seed).permutation(len(eval_df)) % folds  # fixed, balanced parts

    shipped = coder.predict(eval_df["text"].tolist(), eval_df["question"].tolist()).reset_index(drop=True)
    held_out = [None] * len(eval_df)
    seconds = []
    for k in range(folds):
        t0 = time.perf_counter()
        corr = eval_df[part != k].reset_index(drop=True)
        test = eval_df[part == k]
        res = apply_corrections(coder, corr, train=train, where=f"eval parts ≠ {k}", id_col=None,
                                warn=lambda m: None, weight=weight)
        pred = res.coder.predict(test["text"].tolist(), test["question"].tolist()).reset_index(drop=True)
        for i, row in zip(test.index, pred.to_dict("records")):
            held_out[i] = row
        seconds.append(time.perf_counter() - t0)
        print(f"part {k}: retrained on {len(train)} + {len(corr)} corrections, coded {len(test)} "
              f"in {seconds[-1]:.0f} s", flush=True)
    adapted = pd.DataFrame(held_out)
    return {"model": str(model_dir), "folds": folds, "seed": seed, "weight": weight, "n": len(eval_df),
            "corrections_per_fold": int(len(eval_df) * (folds - 1) / folds), "seconds_per_fold": seconds,
            "shipped": _score(coder, eval_df, shipped), "adapted": _score(coder, eval_df, adapted)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=REPO / "models" / "default")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--weight", type=int, default=1, help="training rows each correction counts as (review "
                                                            "--corrections-weight)")
    args = ap.parse_args()
    if args.folds < 2:
        ap.error("--folds must be at least 2")
    out = run(args.model, args.folds, args.seed, args.weight)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import OUT_DIR, machine

    keys = ["macro_f1", "weighted_f1", "exact_match", "example_accuracy", "accuracy_at_60pct_coverage",
            "example_accuracy_at_60pct_coverage", "top10_share_max_abs_error", "top10_share_mean_abs_error",
            "type_accuracy", "auto_coded_share", "auto_coded_exact"]
    print(f"{'metric':<38}{'shipped':>10}{'+ corrections':>15}")
    for k in keys:
        print(f"{k:<38}{out['shipped']['summary'][k]:>10.3f}{out['adapted']['summary'][k]:>15.3f}")
    print(f"{'theme':<24}{'true':>7}{'shipped':>9}{'adapted':>9}")
    for t, (true, pred) in out["shipped"]["shares"].items():
        print(f"{t:<24}{true:>7.1%}{pred:>9.1%}{out['adapted']['shares'][t][1]:>9.1%}")
    OUT_DIR.mkdir(exist_ok=True)
    import json

    path = OUT_DIR / f"adaptation-{args.model.name}-w{args.weight}.json"
    path.write_text(json.dumps({"machine": machine(), **out}, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
