"""Model selection for the supervised coder by leave-one-writer-out CV: ``python bench/select_coder.py``.

The eval set is written by a person who wrote none of the training data, so choices (features, C, thresholds,
confidence, share estimator) are made on held-out *writers*, never on the eval set: train on the generated sample
labels + all hand-written files but one, test on that one, rotate. Reported per candidate (mean over folds):
macro/weighted F1, exact match, accuracy at 60 % coverage, accuracy and share of what the review threshold
auto-codes, top-10 share error (raw counts, mean probability, Rogan–Gladen corrected) and few-shot macro-F1
(10 per theme from the training folds). Writes bench/out/select_coder.json.

    python bench/select_coder.py                          # all candidates
    python bench/select_coder.py -c baseline -c final     # some
    python bench/select_coder.py --handwritten data/train/handwritten_[a-e].csv  # a subset of writers

Candidates differing only in post-processing (``POST_KEYS``) share one fit per fold (re-calibrated from the
stored out-of-fold scores). Cleaned text + embeddings are cached under the textmine cache directory.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import copy
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from textmine.classify import SupervisedCoder  # noqa: E402
from textmine.classify.base import Prepared  # noqa: E402
from textmine.classify.supervised import DEFAULT_SUPERVISED_EMBEDDER  # noqa: E402
from textmine.codebook import load_codebook, parse_theme_list  # noqa: E402
from textmine.evaluate import evaluate_coding  # noqa: E402
from textmine.paths import DEFAULT_CODEBOOK, REPO_DIR, SAMPLE_DIR, TRAIN_DIR, cache_dir  # noqa: E402

SAMPLE_FILES = [SAMPLE_DIR / "labels_2022.csv", SAMPLE_DIR / "labels_2023.csv"]
WRITER_FILES = sorted(TRAIN_DIR.glob("handwritten*.csv"))
POST_KEYS = {"threshold_count_weight", "confidence", "share_method", "target_accuracy"}
FEW_SHOT_K, FEW_SHOT_SEEDS = 10, (0, 1)

# name -> SupervisedCoder kwargs on top of the pre-selection settings (LEGACY); "groups": "file" passes each
# row's source file as its CV group. "default" = the current SupervisedCoder defaults, grouped as in the build.
LEGACY = {"char_features": 0, "threshold_count_weight": 0.0, "confidence": "product", "C": 4.0, "char_scale": 1.0}
_VARIANTS: dict[str, dict] = {
    "baseline": {},
    "count0.5": {"threshold_count_weight": 0.5},
    "count1": {"threshold_count_weight": 1.0},
    "stacked": {"confidence": "stacked"},
    "count1+stacked": {"threshold_count_weight": 1.0, "confidence": "stacked"},
    "grouped": {"groups": "file"},
    "grouped+count0.5": {"groups": "file", "threshold_count_weight": 0.5},
    "grouped+count1": {"groups": "file", "threshold_count_weight": 1.0},
    "grouped+stacked": {"groups": "file", "confidence": "stacked"},
    "grouped+count1+stacked": {"groups": "file", "threshold_count_weight": 1.0, "confidence": "stacked"},
    "grouped+char": {"groups": "file", "char_features": 2**14},
    "grouped+char+count1": {"groups": "file", "char_features": 2**14, "threshold_count_weight": 1.0},
    "grouped+char+count1+stacked": {"groups": "file", "char_features": 2**14, "threshold_count_weight": 1.0,
                                    "confidence": "stacked"},
    "grouped+C2+count1": {"groups": "file", "C": 2.0, "threshold_count_weight": 1.0},
    "grouped+C8+count1": {"groups": "file", "C": 8.0, "threshold_count_weight": 1.0},
    "grouped+emb5+count1": {"groups": "file", "emb_scale": 5.0, "threshold_count_weight": 1.0},
}
# the current defaults (C=8, char_scale=2, chosen on all seven writers) and the settings they were chosen over
_DEFAULT_VARIANTS: dict[str, dict] = {
    "default": {},
    "default-C4-char1": {"C": 4.0, "char_scale": 1.0},  # the first choice, on five writers
    "default-char1": {"char_scale": 1.0},
    "default-C4": {"C": 4.0},
    "default-no-lexical": {"lexical_share": 0.0},  # every comment embedded (no lexical first stage)
}
CANDIDATES: dict[str, dict] = {**{n: {**LEGACY, **v} for n, v in _VARIANTS.items()},
                               **{n: {"groups": "file", **v} for n, v in _DEFAULT_VARIANTS.items()}}


def load_data(files: list[Path],
              embedder_spec: str = DEFAULT_SUPERVISED_EMBEDDER) -> tuple[pd.DataFrame, Prepared]:
    """Labelled rows of ``files`` (+ ``source`` = file stem) and their Prepared inputs (cached on disk)."""
    frames = []
    for f in files:
        d = pd.read_csv(f, dtype=str, keep_default_na=False)[["text", "themes", "type"]]
        frames.append(d.assign(source=f.stem))
    df = pd.concat(frames, ignore_index=True)
    coder = SupervisedCoder(load_codebook(DEFAULT_CODEBOOK), embedder_spec=embedder_spec)
    emb = coder.embedder
    key = hashlib.sha1("\x00".join([str(getattr(emb, "name", "")), str(getattr(emb, "version", "")),
                                    *df["text"]]).encode()).hexdigest()[:16]
    path = cache_dir() / "select_coder" / f"prep_{key}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            prep = Prepared(z["text"].tolist(), z["lemmas"].tolist(), z["answered"], z["emb"], z["kw"],
                            pd.RangeIndex(len(df)))
    else:
        prep = coder.prepare(coder.clean(df["text"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, text=np.array(prep.text_clean, dtype=str), lemmas=np.array(prep.lemmas, dtype=str),
                 answered=prep.answered, emb=prep.emb, kw=prep.kw)
    return df, prep


def few_shot_rows(themes: pd.Series, k: int, seed: int) -> np.ndarray:
    """Positions of up to k labelled rows per theme (same rule as bench_coding.few_shot_sample)."""
    rng = np.random.default_rng(seed)
    labs = [parse_theme_list(v) for v in themes]
    chosen: set[int] = set()
    for theme in sorted({t for lab in labs for t in lab}):
        have = sum(1 for i in chosen if theme in labs[i])
        pool = [i for i, lab in enumerate(labs) if theme in lab and i not in chosen]
        chosen.update(rng.choice(pool, size=min(max(0, k - have), len(pool)), replace=False).tolist())
    return np.array(sorted(chosen))


def _top_share_errors(y_true: np.ndarray, est: np.ndarray, top: int = 10) -> tuple[float, float]:
    true = y_true.mean(0)
    idx = np.argsort(-true, kind="stable")[:top]
    err = np.abs(np.asarray(est)[idx] - true[idx])
    return float(err.max()), float(err.mean())


def score(coder: SupervisedCoder, prep: Prepared, Y: np.ndarray,
          types: Sequence[str] | None = None) -> dict[str, float]:
    """Held-out metrics of a fitted coder."""
    cb = coder.codebook
    pred = coder.predict_prepared(prep)
    yp = pred[[f"theme_{t}" for t in cb.theme_ids]].to_numpy()
    s = evaluate_coding(Y, yp, cb.theme_ids, confidence=pred["confidence"].to_numpy()).summary
    auto = pred["needs_review"].to_numpy() == 0
    out = {"macro_f1": s["macro_f1"], "weighted_f1": s["weighted_f1"], "exact_match": s["exact_match"],
           "acc_at_60": s["accuracy_at_60pct_coverage"],
           "example_acc_at_60": s["example_accuracy_at_60pct_coverage"], "auto_share": float(auto.mean()),
           "auto_accuracy": float((yp == Y).all(1)[auto].mean()) if auto.any() else float("nan"),
           "share_max_raw": s["top10_share_max_abs_error"], "share_mean_raw": s["top10_share_mean_abs_error"]}
    for m in ("prob", "corrected"):
        out[f"share_max_{m}"], out[f"share_mean_{m}"] = _top_share_errors(Y, coder.estimate_shares(pred, m).to_numpy())
    out["type_accuracy"] = _type_accuracy(pred["type"].to_numpy(), types)
    # share of the answered comments the lexical first stage decided alone (never embedded)
    out["lexical_share"] = (float(coder.first_stage(prep)[1].sum() / max(1, prep.answered.sum()))
                            if coder.lexical_ is not None else 0.0)
    return out


def _type_accuracy(pred: np.ndarray, truth: Sequence[str] | None) -> float:
    if truth is None:
        return float("nan")
    truth = np.asarray(truth, dtype=object)
    known = truth != ""
    return float((pred[known] == truth[known]).mean()) if known.any() else float("nan")


def _recalibrated(coder: SupervisedCoder, post: dict) -> SupervisedCoder:
    c = copy.copy(coder)
    for k, v in post.items():
        setattr(c, k, v)
    c._calibrate(*coder.oof_)
    return c


def run(names: list[str], writer_files: list[Path], few_shot: bool = True,
        embedder_spec: str = DEFAULT_SUPERVISED_EMBEDDER, hold_out: Sequence[str] | None = None) -> dict:
    """Leave-one-writer-out over ``writer_files`` (or only the writers named in ``hold_out``: the others then
    always train, which is how a new training file is judged on the writers already there)."""
    cb = load_codebook(DEFAULT_CODEBOOK)
    df, prep = load_data(SAMPLE_FILES + writer_files, embedder_spec)
    Y = cb.to_matrix([parse_theme_list(v) for v in df["themes"]])
    writers = [f.stem for f in writer_files]
    if hold_out:
        unknown = sorted(set(hold_out) - set(writers))
        if unknown:
            raise SystemExit(f"--hold-out: {', '.join(unknown)} not among the hand-written files ({', '.join(writers)})")
        writers = [w for w in writers if w in set(hold_out)]
    # group candidates by the parameters that change the fit
    fits: dict[str, list[str]] = {}
    for n in names:
        fit_key = json.dumps({k: v for k, v in CANDIDATES[n].items() if k not in POST_KEYS}, sort_keys=True)
        fits.setdefault(fit_key, []).append(n)
    per_fold: dict[str, list[dict]] = {n: [] for n in names}
    for fit_key, group in fits.items():
        fit_params = json.loads(fit_key)
        grouped = fit_params.pop("groups", None) == "file"
        for w in writers:
            t0 = time.perf_counter()
            tr, te = np.flatnonzero(df["source"] != w), np.flatnonzero(df["source"] == w)
            base = SupervisedCoder(cb, embedder_spec=embedder_spec, **fit_params).fit_prepared(
                prep.subset(tr), Y[tr], df["type"].iloc[tr].tolist(),
                df["source"].iloc[tr].tolist() if grouped else None)
            fs_base = []
            if few_shot:
                for seed in FEW_SHOT_SEEDS:
                    rows = tr[few_shot_rows(df["themes"].iloc[tr], FEW_SHOT_K, seed)]
                    fs = SupervisedCoder(cb, seed=seed, embedder_spec=embedder_spec, **fit_params)
                    fs_base.append(fs.fit_prepared(prep.subset(rows), Y[rows], df["type"].iloc[rows].tolist()))
            for n in group:
                post = {k: v for k, v in CANDIDATES[n].items() if k in POST_KEYS}
                m = score(_recalibrated(base, post), prep.subset(te), Y[te], df["type"].iloc[te].tolist())
                if fs_base:
                    m["few_shot_macro_f1"] = float(np.mean([score(_recalibrated(c, post), prep.subset(te), Y[te])
                                                            ["macro_f1"] for c in fs_base]))
                per_fold[n].append({"writer": w, **m})
            print(f"  fit {fit_key} held-out {w}: {time.perf_counter() - t0:.0f}s", flush=True)
    summary = {n: {k: float(np.mean([f[k] for f in per_fold[n]])) for k in per_fold[n][0] if k != "writer"}
               for n in names}
    return {"writers": writers, "embedder": embedder_spec, "candidates": {n: CANDIDATES[n] for n in names},
            "mean": summary, "per_fold": per_fold}


COLUMNS = [("macro_f1", "macroF1"), ("weighted_f1", "wF1"), ("exact_match", "exact"), ("acc_at_60", "acc@60"),
           ("auto_share", "auto"), ("auto_accuracy", "autoAcc"), ("share_max_raw", "shMax"),
           ("share_mean_raw", "shMean"), ("share_max_prob", "shMaxP"), ("share_mean_prob", "shMeanP"),
           ("share_max_corrected", "shMaxRG"), ("share_mean_corrected", "shMeanRG"),
           ("type_accuracy", "typeAcc"), ("lexical_share", "lexOnly"), ("few_shot_macro_f1", "fewF1")]


def print_table(result: dict) -> None:
    print(f"leave-one-writer-out ({', '.join(result['writers'])}), embedder {result.get('embedder', 'e5')}; "
          "mean over folds; share errors in pp")
    cols = [(k, h) for k, h in COLUMNS if any(k in m for m in result["mean"].values())]
    width = max(len(n) for n in result["mean"]) + 2
    print(" " * width + " ".join(f"{h:>8}" for _, h in cols))
    for n, m in result["mean"].items():
        cells = [f"{100 * m[k]:8.2f}" if k.startswith("share_") else f"{m[k]:8.3f}" for k, _ in cols]
        print(f"{n:<{width}}" + " ".join(cells))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--candidate", action="append", choices=sorted(CANDIDATES), help="default: all")
    ap.add_argument("--handwritten", nargs="+", type=Path, default=WRITER_FILES,
                    help="hand-written files, one writer each (default: every data/train/handwritten*.csv)")
    ap.add_argument("--no-few-shot", action="store_true")
    ap.add_argument("--hold-out", nargs="+", metavar="STEM",
                    help="hold out only these writers (file stems, e.g. handwritten_f); the rest always train")
    ap.add_argument("--embedder", default=DEFAULT_SUPERVISED_EMBEDDER,
                    help="embedding backend (default: the supervised default, e5-l6; e5 = all 12 layers)")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "select_coder.json")
    args = ap.parse_args(argv)
    names = args.candidate or list(CANDIDATES)
    files = [f.resolve() for f in args.handwritten]
    result = run(names, files, few_shot=not args.no_few_shot, embedder_spec=args.embedder, hold_out=args.hold_out)
    result["handwritten_files"] = [str(f.relative_to(REPO_DIR)) if f.is_relative_to(REPO_DIR) else str(f)
                                   for f in files]
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    same_setup = (old.get("handwritten_files") == result["handwritten_files"] and old.get("writers") == result["writers"]
                  and old.get("embedder", "e5") == args.embedder)
    if same_setup:  # keep other candidates' earlier results
        for k in ("candidates", "mean", "per_fold"):
            result[k] = {**old.get(k, {}), **result[k]}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
