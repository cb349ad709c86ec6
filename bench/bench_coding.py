"""Coding quality and speed, side by side in one run: ``python bench/bench_coding.py [--quick] [--finetune]``.

On the hand-labelled eval set (data/eval/eval_set.csv, never used for training or tuning):
keyword baseline, TF-IDF + logistic regression (few-shot and full), zero-shot, few-shot (10 per theme) and
fully supervised (both sample waves); zero-shot vs few-shot again on two held-out hand-written files (off the
eval set, which favours zero-shot); inter-coder reliability (a second coder on the eval set) and the shipped
coder against the second coding and the adjudicated consensus. Then speed: coding after cleaning (uncached embeddings) and one comment warm.
Writes bench/out/coding.json and prints a table.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from textmine.classify import KeywordMatcher, SupervisedCoder, ZeroShotCoder  # noqa: E402
from textmine.classify.supervised import DEFAULT_SUPERVISED_EMBEDDER, embedder_for_labels  # noqa: E402
from textmine.codebook import load_codebook, parse_theme_list  # noqa: E402
from textmine.evaluate import evaluate_coding  # noqa: E402
from textmine.paths import (  # noqa: E402
    DEFAULT_CODEBOOK, EVAL_DIR, SAMPLE_DIR, default_training_files, read_training_frame)

FEW_SHOT_K = 10
HELD_OUT_WRITERS = ("handwritten_f", "handwritten_g")  # few-shot vs zero-shot off the eval set


def load_labelled() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows = both generated sample waves + the hand-written training set (what models/default uses)."""
    train = pd.concat([read_training_frame([f]).assign(source=f.stem) for f in default_training_files()],
                      ignore_index=True)
    ev = pd.read_csv(EVAL_DIR / "eval_set.csv", keep_default_na=False, dtype=str)
    return train, ev


def few_shot_sample(train: pd.DataFrame, k: int, seed: int) -> pd.DataFrame:
    """Up to k labelled answers per theme (a comment counts for every theme it carries)."""
    rng = np.random.default_rng(seed)
    rows = train[train["themes"] != ""]
    chosen: set[int] = set()
    for theme in sorted({t for v in rows["themes"] for t in parse_theme_list(v)}):
        idx = [i for i, v in zip(rows.index, rows["themes"], strict=True) if theme in parse_theme_list(v)]
        have = sum(1 for i in chosen if theme in parse_theme_list(rows.at[i, "themes"]))
        pool = [i for i in idx if i not in chosen]
        take = max(0, k - have)
        chosen.update(rng.choice(pool, size=min(take, len(pool)), replace=False).tolist())
    return train.loc[sorted(chosen)]


def tfidf_lr(train_text: list[str], Y: np.ndarray, test_text: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    Xtr, Xte = vec.fit_transform(train_text), vec.transform(test_text)
    out = np.zeros((len(test_text), Y.shape[1]), dtype=np.int8)
    for j in range(Y.shape[1]):
        if 0 < Y[:, j].sum() < len(Y):
            lr = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000).fit(Xtr, Y[:, j])
            out[:, j] = lr.predict(Xte)
    return out


def keyword_baseline(cb, prep) -> np.ndarray:
    """Codebook keyword matching; answered comments with no hit get the exclusive theme ("annet")."""
    kw = KeywordMatcher(cb).predict(prep.text_clean, prep.lemmas)
    if cb.exclusive_ids:
        kw[(kw.sum(1) == 0) & prep.answered, cb.index(cb.exclusive_ids[0])] = 1
    kw[~prep.answered] = 0
    return kw


def tfidf_few_shot(sub, Y_sub: np.ndarray, test) -> np.ndarray:
    """TF-IDF + LR trained on the answered rows of ``sub`` (prepared), predicting the prepared ``test`` rows."""
    a = np.flatnonzero(sub.answered)
    out = tfidf_lr([sub.text_clean[i] for i in a], Y_sub[a], test.text_clean)
    out[~test.answered] = 0
    return out


def _rows(case: str, rep, type_acc: float | None, extra: dict | None = None) -> list[dict]:
    s = rep.summary
    rows = [
        {"case": case, "metric": "macro_f1", "value": s["macro_f1"], "unit": ""},
        {"case": case, "metric": "micro_f1", "value": s["micro_f1"], "unit": ""},
        {"case": case, "metric": "weighted_f1", "value": s["weighted_f1"], "unit": ""},
        {"case": case, "metric": "exact_match", "value": s["exact_match"], "unit": ""},
        {"case": case, "metric": "mean_kappa", "value": s["mean_kappa"], "unit": ""},
        {"case": case, "metric": "mean_alpha", "value": s["mean_alpha"], "unit": ""},
        {"case": case, "metric": "top10_share_max_abs_error", "value": 100 * s["top10_share_max_abs_error"], "unit": "pp"},
    ]
    if "accuracy_at_60pct_coverage" in s:
        rows.append({"case": case, "metric": "accuracy_at_60pct_coverage", "value": s["accuracy_at_60pct_coverage"], "unit": ""})
        rows.append({"case": case, "metric": "example_accuracy_at_60pct_coverage",
                     "value": s["example_accuracy_at_60pct_coverage"], "unit": ""})
    if type_acc is not None:
        rows.append({"case": case, "metric": "type_accuracy", "value": type_acc, "unit": ""})
    for k, v in (extra or {}).items():
        rows.append({"case": case, "metric": k, "value": v, "unit": ""})
    return rows


def run(quick: bool = False, finetune: bool = False) -> list[dict]:
    """All rows; ``finetune`` adds the shipped configuration with e5-l6 fine-tuned (``--finetune``, +~20 min)."""
    from textmine.embed import get_embedder
    from textmine.preprocess import Cleaner

    cb = load_codebook(DEFAULT_CODEBOOK)
    ids = cb.theme_ids
    train, ev = load_labelled()
    if quick:
        train = train.sample(400, random_state=0).sort_index()
        ev = ev.head(120)
    embedder = get_embedder("e5")  # zero-shot: all 12 layers
    sup_embedder = get_embedder(DEFAULT_SUPERVISED_EMBEDDER)  # supervised default: first 6 layers
    cleaner = Cleaner(redact=True, detect_language=False).fit()
    rows: list[dict] = []

    t0 = time.perf_counter()
    clean_train = cleaner.transform(train["text"])
    clean_ev = cleaner.transform(ev["text"])
    # the survey question each answer replies to (sample waves and eval set name it; hand-written training
    # files do not): a supervised coder learns per-question theme rates and applies them
    clean_train["question"] = train["question"].to_numpy()
    clean_ev["question"] = ev["question"].to_numpy()
    rows.append({"case": "cleaning", "metric": "rows_per_s", "value": (len(train) + len(ev)) / (time.perf_counter() - t0), "unit": "rows/s"})

    y_ev = cb.to_matrix([parse_theme_list(v) for v in ev["themes"]])
    y_tr = cb.to_matrix([parse_theme_list(v) for v in train["themes"]])
    ev_types = ev["type"].to_numpy()

    def report(case: str, pred_df: pd.DataFrame | None = None, y_pred: np.ndarray | None = None, extra=None,
               truth: tuple[np.ndarray, np.ndarray] | None = None):
        """Score against the eval labels, or against ``truth`` = (theme matrix, types) of another coding."""
        y_true, types = (y_ev, ev_types) if truth is None else truth
        typed = types != ""
        if pred_df is not None:
            y_pred = pred_df[[f"theme_{t}" for t in ids]].to_numpy()
            rep = evaluate_coding(y_true, y_pred, ids, confidence=pred_df["confidence"].to_numpy())
            tacc = float((pred_df["type"].to_numpy()[typed] == types[typed]).mean())
            auto = float((pred_df["needs_review"] == 0).mean())
            extra = {**(extra or {}), "auto_coded_share": auto}
            if auto > 0:
                ok = (y_pred == y_true).all(1)[pred_df["needs_review"].to_numpy() == 0]
                extra["accuracy_of_auto_coded"] = float(ok.mean())
        else:
            rep = evaluate_coding(y_true, y_pred, ids)
            tacc = None
        rows.extend(_rows(case, rep, tacc, extra))
        return rep

    zs = ZeroShotCoder(cb, embedder)
    prep_ev_full = zs.prepare(clean_ev)
    prep_tr_full = zs.prepare(clean_train)
    probe = SupervisedCoder(cb, sup_embedder)
    prep_ev, prep_tr = probe.prepare(clean_ev), probe.prepare(clean_train)
    answered_ev = prep_ev.answered

    # --- baselines
    report("baseline_keywords", y_pred=keyword_baseline(cb, prep_ev))
    a_tr = prep_tr.answered
    tf_full = tfidf_lr([prep_tr.text_clean[i] for i in np.flatnonzero(a_tr)], y_tr[a_tr], prep_ev.text_clean)
    tf_full[~answered_ev] = 0
    report("baseline_tfidf_lr_full", y_pred=tf_full)

    # --- zero-shot (per-theme scales from the unlabelled sample comments)
    zs.fit_prepared(prep_tr_full)
    report("zero_shot", zs.predict_prepared(prep_ev_full))

    # --- few-shot (10 per theme), 3 seeds
    seeds = (0,) if quick else (0, 1, 2)
    fs_rows: dict[str, list[float]] = {}
    for seed in seeds:
        fs = few_shot_sample(train, FEW_SHOT_K, seed)
        pos = [train.index.get_loc(i) for i in fs.index]
        # the backend `textmine train` picks for this few labels (embedder_for_labels: all 12 layers), and e5-l6
        for tag, spec, emb, prep_t, prep_e in (("", embedder_for_labels(len(fs)), embedder, prep_tr_full, prep_ev_full),
                                                ("_e5_l6", DEFAULT_SUPERVISED_EMBEDDER, sup_embedder, prep_tr, prep_ev)):
            if tag and spec == embedder_for_labels(len(fs)):
                continue
            sub = prep_t.subset(np.array(pos))
            coder = SupervisedCoder(cb, emb, embedder_spec=spec, seed=seed)
            coder.fit_prepared(sub, y_tr[pos], fs["type"].tolist())
            rep = report(f"few_shot_{FEW_SHOT_K}{tag}_seed{seed}", coder.predict_prepared(prep_e),
                         extra={"n_train": float(len(fs))})
            fs_rows.setdefault(f"macro_f1{tag}", []).append(rep.summary["macro_f1"])
        report(f"baseline_tfidf_lr_few_shot_seed{seed}", y_pred=tfidf_few_shot(prep_tr.subset(np.array(pos)), y_tr[pos], prep_ev))
    for key, vals in fs_rows.items():
        rows.append({"case": f"few_shot_{FEW_SHOT_K}{key[len('macro_f1'):]}_mean", "metric": "macro_f1",
                     "value": float(np.mean(vals)), "unit": ""})

    # --- the same comparison on two held-out writers (hand-written files never sampled from): does a handful of
    # labels help on text unlike the eval set? Zero-shot scales and the few-shot draws come from the other files.
    if not quick:
        held = train["source"].isin(HELD_OUT_WRITERS).to_numpy()
        pool_pos, dev_pos = np.flatnonzero(~held), np.flatnonzero(held)
        prep_dev, y_dev = prep_tr_full.subset(dev_pos), y_tr[dev_pos]

        def dev_f1(y_pred: np.ndarray) -> float:
            return evaluate_coding(y_dev, y_pred, ids).summary["macro_f1"]

        def themes_of(pred_df: pd.DataFrame) -> np.ndarray:
            return pred_df[[f"theme_{t}" for t in ids]].to_numpy()

        zs_dev = ZeroShotCoder(cb, embedder).fit_prepared(prep_tr_full.subset(pool_pos))
        case = "held_out_writers"
        rows.append({"case": case, "metric": "zero_shot_macro_f1",
                     "value": dev_f1(themes_of(zs_dev.predict_prepared(prep_dev))), "unit": ""})
        rows.append({"case": case, "metric": "keywords_macro_f1", "value": dev_f1(keyword_baseline(cb, prep_dev)),
                     "unit": ""})
        few, tfs = [], []
        pool = train.iloc[pool_pos]
        for seed in seeds:
            fs = few_shot_sample(pool, FEW_SHOT_K, seed)
            pos = pool_pos[[pool.index.get_loc(i) for i in fs.index]]
            sub = prep_tr_full.subset(pos)
            coder = SupervisedCoder(cb, embedder, embedder_spec=embedder_for_labels(len(fs)), seed=seed)
            coder.fit_prepared(sub, y_tr[pos], fs["type"].tolist())
            few.append(dev_f1(themes_of(coder.predict_prepared(prep_dev))))
            tfs.append(dev_f1(tfidf_few_shot(sub, y_tr[pos], prep_dev)))
        rows.append({"case": case, "metric": f"few_shot_{FEW_SHOT_K}_macro_f1_mean", "value": float(np.mean(few)),
                     "unit": ""})
        rows.append({"case": case, "metric": f"few_shot_{FEW_SHOT_K}_macro_f1_min", "value": float(np.min(few)),
                     "unit": ""})
        rows.append({"case": case, "metric": f"tfidf_lr_few_shot_{FEW_SHOT_K}_macro_f1_mean",
                     "value": float(np.mean(tfs)), "unit": ""})
        rows.append({"case": case, "metric": "n_comments", "value": float(len(dev_pos)), "unit": ""})

    # --- fully supervised on both waves
    t0 = time.perf_counter()
    sup = SupervisedCoder(cb, sup_embedder)
    sup.fit_prepared(prep_tr, y_tr, train["type"].tolist(), train["source"].tolist())  # CV groups = files
    train_s = time.perf_counter() - t0
    pred = sup.predict_prepared(prep_ev)
    report("supervised", pred, extra={"train_seconds": train_s, "review_threshold": sup.review_threshold})
    # inter-coder reliability: a second coder coded the eval answers blind with the same guidelines, and an
    # adjudicator settled their disagreements (data/eval/README.md). Human vs human is the ceiling the model's
    # agreement figures are read against; the model is also scored against the second coding and the consensus.
    from textmine.agreement import intercoder_agreement

    for name in ("coder2", "consensus"):
        other = pd.read_csv(EVAL_DIR / f"eval_set_{name}.csv", dtype=str, keep_default_na=False).set_index("id")
        other = other.loc[ev["id"]].reset_index()
        if name == "coder2":
            ag = intercoder_agreement(ev, other, ids).summary
            for k in ("macro_f1", "weighted_f1", "exact_match", "mean_kappa", "mean_alpha", "type_agreement",
                      "type_kappa"):
                rows.append({"case": "second_coder_vs_eval_labels", "metric": k, "value": ag[k], "unit": ""})
            for k in ("top10_share_max_diff", "top10_share_mean_diff"):
                rows.append({"case": "second_coder_vs_eval_labels", "metric": k, "value": 100 * ag[k], "unit": "pp"})
        y_other = cb.to_matrix([parse_theme_list(v) for v in other["themes"]])
        report(f"supervised_vs_{name}", pred, truth=(y_other, other["type"].to_numpy()))
    if finetune:  # the same training, the encoder fine-tuned (LoRA nested in the coder's CV; see RESULTS)
        t0 = time.perf_counter()
        tuned = SupervisedCoder(cb, finetune=True)
        tuned.fit_prepared(prep_tr.without_embeddings(), y_tr, train["type"].tolist(), train["source"].tolist())
        report("supervised_finetuned", tuned.predict_prepared(prep_ev.without_embeddings()),
               extra={"train_seconds": time.perf_counter() - t0, "review_threshold": tuned.review_threshold})
    # the same coder told nothing about the question (as for a text with no survey context)
    report("supervised_without_question", sup.predict_prepared(dataclasses.replace(prep_ev, context=None)))
    # the same coder on all 12 e5 layers (the backend it replaced as default), side by side
    sup12 = SupervisedCoder(cb, embedder, embedder_spec="e5")
    sup12.fit_prepared(prep_tr_full, y_tr, train["type"].tolist(), train["source"].tolist())
    report("supervised_e5_12_layers", sup12.predict_prepared(prep_ev_full))
    # published shares: raw counts (always reported) next to the estimators (out-of-fold rates, no eval data)
    top = np.argsort(-y_ev.mean(0), kind="stable")[:10]
    for method in ("raw", "prob", "corrected"):
        err = np.abs(sup.estimate_shares(pred, method).to_numpy() - y_ev.mean(0))[top]
        tag = "" if method == sup.share_method else " (not the coder's default)"
        for stat, v in (("max", err.max()), ("mean", err.mean())):
            rows.append({"case": "supervised", "metric": f"top10_share_{stat}_abs_error_{method}", "value": 100 * v,
                         "unit": "pp" + tag})
    # error-corrected shares: confusion rates from out-of-fold? use the eval set's own halves (honest split)
    rng = np.random.default_rng(0)
    half = rng.random(len(ev)) < 0.5
    from textmine.evaluate import confusion_rates, corrected_shares

    yp = pred[[f"theme_{t}" for t in ids]].to_numpy()
    tpr, fpr = confusion_rates(y_ev[half], yp[half])
    raw = np.abs(yp[~half].mean(0) - y_ev[~half].mean(0))
    cor = np.abs(corrected_shares(yp[~half].mean(0), tpr, fpr) - y_ev[~half].mean(0))
    rows.append({"case": "supervised", "metric": "share_mean_abs_error_raw_holdout_half", "value": 100 * raw.mean(), "unit": "pp"})
    rows.append({"case": "supervised", "metric": "share_mean_abs_error_corrected_holdout_half", "value": 100 * cor.mean(), "unit": "pp"})

    # --- speed: coding after cleaning, uncached embeddings (fresh texts for the cache)
    survey = pd.concat([pd.read_csv(SAMPLE_DIR / f"arbeidsgiver_{w}.csv", dtype=str, keep_default_na=False)
                        for w in (2022, 2023)])
    texts = [t for col in ("fritekst_generell", "fritekst_sykefravaer") for t in survey[col] if t.strip()]
    n_speed = 300 if quick else 1200
    texts = [f"{t} (#{i})" for i, t in enumerate(texts[:n_speed])]  # unique: no cache hits
    cleaned = cleaner.transform(pd.Series(texts))
    speed_coders: dict[str, SupervisedCoder] = {}
    for case, spec, fitted in (("", DEFAULT_SUPERVISED_EMBEDDER, sup), ("_e5_12_layers", "e5", sup12)):
        raw_emb = get_embedder(spec, cache=False)
        sup_nc = SupervisedCoder(cb, raw_emb, embedder_spec=spec)
        sup_nc.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_") and k != "zeroshot"})
        sup_nc.zeroshot.theme_mean_ = fitted.zeroshot.theme_mean_
        sup_nc.zeroshot.theme_std_ = fitted.zeroshot.theme_std_
        sup_nc.predict_frame(cleaned.head(20))  # warm
        t0 = time.perf_counter()
        sup_nc.predict_frame(cleaned)
        dt = time.perf_counter() - t0
        rows.append({"case": f"speed_supervised_after_cleaning{case}", "metric": "comments_per_s",
                     "value": len(texts) / dt, "unit": "1/s"})
        t0 = time.perf_counter()
        prep = sup_nc.prepare(cleaned)
        t_prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        sup_nc.predict_prepared(prep)
        t_model = time.perf_counter() - t0
        rows.append({"case": f"speed_embedding_only{case}", "metric": "comments_per_s", "value": len(texts) / t_prep,
                     "unit": "1/s"})
        rows.append({"case": f"speed_model_only{case}", "metric": "comments_per_s", "value": len(texts) / t_model,
                     "unit": "1/s"})
        speed_coders[case] = sup_nc
    sup_nc = speed_coders[""]
    # the same on the hand-written eval set (never trained on: harder for the lexical first stage than the
    # generated sample answers), and what share the lexical stage decided alone
    hand = [t for t in ev["text"] if t.strip()]
    hand_clean = cleaner.transform(pd.Series([f"{t} (#{i})" for i, t in enumerate(hand)]))
    t0 = time.perf_counter()
    sup_nc.predict_frame(hand_clean)
    rows.append({"case": "speed_supervised_after_cleaning_eval_set", "metric": "comments_per_s",
                 "value": len(hand) / (time.perf_counter() - t0), "unit": "1/s"})
    for label, frame in (("sample", cleaned), ("eval_set", hand_clean)):
        rows.append({"case": f"lexical_stage_{label}", "metric": "share_decided_without_embedding",
                     "value": _lexical_share(sup_nc, frame), "unit": "share"})
    # single-comment latency: the shipped backend
    one = []
    for i in range(30):
        t0 = time.perf_counter()
        sup_nc.predict([texts[i] + " ekstra"])
        one.append(time.perf_counter() - t0)
    rows.append({"case": "speed_single_comment_warm_raw_text", "metric": "median_ms", "value": 1000 * float(np.median(one)), "unit": "ms"})
    for r in rows:
        r["area"] = "coding"
        if isinstance(r["value"], np.floating | np.integer):
            r["value"] = float(r["value"])
    return rows



def _lexical_share(coder: SupervisedCoder, cleaned: pd.DataFrame) -> float:
    """Share of the answered comments whose lexical first-stage answer stands (not embedded)."""
    if coder.lexical_ is None:
        return 0.0
    prep = coder.prepare(cleaned, embed=False)
    return float(coder.first_stage(prep)[1].sum() / max(1, prep.answered.sum()))


if __name__ == "__main__":
    from common import cli

    raise SystemExit(cli("coding", lambda quick: run(quick, finetune="--finetune" in sys.argv[1:])))
