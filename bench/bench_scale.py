"""Benchmark "scale": how cost grows with size, each lever of the default embedding path, Dask vs one process.

``run(quick=False) -> list[dict]`` (keys area, case, metric, value, unit). As a script:
``python bench/bench_scale.py [--quick]`` prints the rows and writes ``bench/out/scale.json``.

* Growth: cleaning, embedding (each backend), coding and summary at 1k / 10k / 100k comments, each stage
  in its own child process (so peak RSS is per stage), on two synthetic sets built from the sample
  comments: ``realistic`` (≈15 % exact duplicates after normalisation: non-answers and short stock
  comments, as in real surveys) and ``unique`` (every normalised text distinct). Comments are new
  combinations of sentences from ``data/sample/labels_*.csv`` with varied numbers, so de-duplication
  cannot make the job trivial. Slow stages run under a time budget: they stop after the budget and report
  the measured rate and the projected time for the full size (``completed`` = 0).
* Levers (default e5 path, same texts, one process, side by side): naive (input order, fixed batches,
  no de-dup, fp32) → + de-dup → + length-bucketed batching → int8 instead of fp32 → 1 vs 2 threads →
  warm cache re-run; plus int8-vs-fp32 agreement and the batch dependence of int8 vectors.
* Moonshot: 100,000 comments cleaned and coded with the semantic zero-shot coder end to end.
* Dask: ``code_with_dask`` on a local 2-worker cluster vs the single-process path; per-partition cost.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH_DIR))
from common import peak_rss_mib  # noqa: E402  (bench/common.py)
AREA = "scale"
STOCK_SHORT = [  # frequent, identical short answers (non-answers and stock comments)
    "Nei", "nei takk", "Ingen kommentarer", "-", "Vet ikke", "Ok", "Nei, ikke nå", "Kommer ikke på noe",
    "Fornøyd", "Bra", "Lang ventetid på telefon.", "Vanskelig å komme gjennom på telefon.", "Raskere svar.",
    "Fast kontaktperson.", "Ingen", "ikkje noko", "Nei, ingen flere kommentarer.", "Alt fungerer fint.",
]


# ---------------------------------------------------------------------------- synthetic comments
def _sentences() -> list[str]:
    import pandas as pd

    texts: list[str] = []
    for wave in (2022, 2023):
        df = pd.read_csv(REPO / "data" / "sample" / f"labels_{wave}.csv", dtype=str, keep_default_na=False)
        texts += df.loc[df["is_non_answer"] != "1", "text"].tolist()
    out = []
    for t in texts:
        for s in re.split(r"(?<=[.!?])\s+", t.replace("\n", " ")):
            s = s.strip()
            if len(s) >= 12:
                out.append(s)
    return sorted(set(out))


def norm(t: str) -> str:
    return " ".join(t.lower().split())


def make_comments(n: int, kind: str = "realistic", seed: int = 7) -> list[str]:
    """``n`` comments: ``unique`` = all normalised texts distinct; ``realistic`` ≈15 % exact duplicates.

    Deterministic; a smaller ``n`` is a prefix of a larger one. Cached in the temp dir between processes.
    """
    cache = Path(tempfile.gettempdir()) / f"textmine-bench-comments-{kind}-{seed}.json"
    if cache.exists():
        got = json.loads(cache.read_text(encoding="utf-8"))
        if len(got) >= n:
            return got[:n]
    texts = _make_comments(max(n, 1000), kind, seed)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache)
    return texts[:n]


def _make_comments(n: int, kind: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    sents = _sentences()
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        if kind == "realistic" and rng.random() < 0.15:
            out.append(STOCK_SHORT[min(int(rng.paretovariate(1.2)) - 1, len(STOCK_SHORT) - 1)])
            continue
        k = rng.choice((1, 1, 2, 2, 2, 3))
        parts = [rng.choice(sents) for _ in range(k)]
        text = " ".join(parts)
        text = re.sub(r"\b\d+\b", lambda m: str(rng.randint(2, 40)), text)
        while norm(text) in seen:  # make it distinct: one more sentence
            text = f"{text} {rng.choice(sents)}"
        seen.add(norm(text))
        out.append(text)
    return out


def duplicate_share(texts: list[str]) -> float:
    return 1 - len({norm(t) for t in texts}) / max(1, len(texts))


# ---------------------------------------------------------------------------- child-process stages
def _fresh_cache() -> Path:
    """A cache dir sharing the built model and lexicons, with an empty embedding store (cold numbers)."""
    from textmine.paths import cache_dir

    real = cache_dir()
    d = Path(tempfile.mkdtemp(prefix="tm-bench-cache-"))
    for entry in real.iterdir():
        if entry.name != "embeddings":
            (d / entry.name).symlink_to(entry)
    return d


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_mb() -> float:
    return peak_rss_mib()


_CPU = [0.0]  # CPU seconds (all threads of this process) of the last measured block


def _chunked(texts, size, budget_s, fn):
    """Apply ``fn`` chunk by chunk until done or ``budget_s`` spent; returns (rows done, seconds)."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    done = 0
    for start in range(0, len(texts), size):
        fn(texts[start : start + size])
        done += len(texts[start : start + size])
        if time.perf_counter() - t0 > budget_s and done < len(texts):
            break
    _CPU[0] = time.process_time() - c0
    return done, time.perf_counter() - t0


def stage(spec: dict) -> dict:
    """Run one measured stage in this (child) process and return its figures."""
    kind, n, budget = spec["stage"], int(spec["n"]), float(spec.get("budget_s", 1e9))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if spec.get("fresh_cache", True):
        os.environ["TEXTMINE_CACHE_DIR"] = str(_fresh_cache())
    texts = make_comments(n, spec.get("kind", "realistic"))
    t0 = time.perf_counter()
    res: dict = {}
    if kind == "clean":
        from textmine.preprocess import Cleaner

        cleaner = Cleaner().fit()
        cleaner.transform(["Oppvarming av ressursene."])
        load = time.perf_counter() - t0
        base = _rss_mb()
        done, secs = _chunked(texts, 5000, budget, cleaner.transform)
    elif kind == "embed":
        from textmine.embed import get_embedder

        emb = get_embedder(spec["backend"], cache=False)
        if spec["backend"] == "lexical":
            emb.fit(texts)  # the lexical backend must be fitted; counted as load
        emb.encode(["Oppvarming."])
        load = time.perf_counter() - t0
        base = _rss_mb()
        done, secs = _chunked(texts, 2000, budget, emb.encode)
    elif kind == "code":
        from textmine.classify import ZeroShotCoder, default_coder
        from textmine.codebook import load_codebook
        from textmine.paths import DEFAULT_CODEBOOK

        if spec.get("coder") == "zeroshot":  # codebook only: all 12 e5 layers
            coder = ZeroShotCoder(load_codebook(DEFAULT_CODEBOOK))
        else:  # the shipped supervised model (e5-l6), what `textmine code --model models/default` runs
            coder = default_coder(spec.get("model"), strict=True)  # "model": another model folder to compare
        coder.predict(["Oppvarming: ventetid på telefon."])
        load = time.perf_counter() - t0
        base = _rss_mb()
        done, secs = _chunked(texts, 2000, budget, coder.predict)
        lat = []
        for t in texts[:30]:
            s = time.perf_counter()
            coder.predict([t + " (enkelt)"])
            lat.append(time.perf_counter() - s)
        lat.sort()
        res["single_comment_p50_ms"] = 1000 * lat[len(lat) // 2]
    elif kind == "summary":
        sys.path.insert(0, str(BENCH_DIR))
        from bench_summary import make_definition, make_wave

        from textmine.summary import build_summary

        survey = make_definition()
        data = {w: make_wave(n, w, seed=w) for w in (2022, 2023)}
        load = time.perf_counter() - t0
        base = _rss_mb()
        s, c = time.perf_counter(), time.process_time()
        build_summary({w: d[0] for w, d in data.items()}, survey, {w: d[1] for w, d in data.items()}, quotes=False)
        done, secs = n, time.perf_counter() - s
        _CPU[0] = time.process_time() - c
    else:
        raise ValueError(f"unknown stage {kind!r}")
    res.update({"n": n, "done": done, "seconds": secs, "cpu_s": _CPU[0], "load_avg": os.getloadavg()[0], "load_s": load, "rss_after_load_mb": base,
                "peak_rss_mb": _peak_mb(), "dup_share": duplicate_share(texts) if kind != "summary" else 0.0})
    return res


def run_stage(spec: dict, timeout: float = 1800) -> dict:
    """Run :func:`stage` in a fresh child process (peak RSS is the stage's own)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", json.dumps(spec)]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(REPO))
    if p.returncode != 0:
        raise RuntimeError(f"stage {spec} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _growth_rows(spec: dict, r: dict) -> list[dict]:
    label = spec["stage"] + (f"[{spec['backend']}]" if spec.get("backend") else "")
    if spec["stage"] == "code":
        if spec.get("coder") == "zeroshot":
            label += "[zero-shot, e5]"
        elif spec.get("model"):
            label += f"[{Path(spec['model']).name} model]"
        else:
            label += "[default model, e5-l6]"
    case = f"{label} n={spec['n']:,} {spec.get('kind', 'realistic')}" if spec["stage"] != "summary" else \
        f"summary n={spec['n']:,} respondents × 2 waves (10 seg × 20 themes × 12 ind.)"
    rate = r["done"] / r["seconds"] if r["seconds"] > 0 else float("nan")
    complete = r["done"] >= r["n"]
    rows = [
        {"case": case, "metric": "comments_per_s" if spec["stage"] != "summary" else "respondents_per_s",
         "value": round(rate, 1), "unit": "1/s"},
        {"case": case, "metric": "seconds" if complete else "projected_seconds",
         "value": round(r["seconds"] if complete else r["n"] / rate, 2), "unit": "s"},
        {"case": case, "metric": "cpu_s", "value": round(r["cpu_s"], 2), "unit": "cpu-s"},
        {"case": case, "metric": "per_cpu_s", "value": round(r["done"] / max(r["cpu_s"], 1e-9), 1), "unit": "1/cpu-s"},
        {"case": case, "metric": "peak_rss", "value": round(r["peak_rss_mb"], 0), "unit": "MB"},
        {"case": case, "metric": "load_avg_1m", "value": round(r["load_avg"], 1), "unit": "load"},
        {"case": case, "metric": "load_s", "value": round(r["load_s"], 2), "unit": "s"},
    ]
    if not complete:
        rows.append({"case": case, "metric": "measured_rows", "value": r["done"], "unit": "rows"})
    if spec["stage"] != "summary":
        rows.append({"case": case, "metric": "duplicate_share", "value": round(r["dup_share"], 3), "unit": "share"})
    if "single_comment_p50_ms" in r:
        rows.append({"case": case, "metric": "single_comment_p50_warm", "value": round(r["single_comment_p50_ms"], 1),
                     "unit": "ms"})
    return rows


# ---------------------------------------------------------------------------- levers (in process)
def _custom_encode(emb, texts, *, dedupe: bool, bucket: bool, batch: int = 32):
    """The e5 ONNX session driven directly, with de-dup / length bucketing switched on or off."""
    import numpy as np

    items = list(dict.fromkeys(texts)) if dedupe else list(texts)
    ids = emb.tokenizer.content_ids(items)
    wmax = emb.max_length - 2
    bos, eos, pad = (emb.tokenizer.special[k] for k in ("bos", "eos", "pad"))
    seqs = [[bos, *x[:wmax], eos] for x in ids]
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i])) if bucket else list(range(len(seqs)))
    out = np.zeros((len(seqs), emb.dimension), dtype=np.float32)
    for s in range(0, len(order), batch):
        b = order[s : s + batch]
        width = max(len(seqs[i]) for i in b)
        a = np.full((len(b), width), pad, dtype=np.int64)
        m = np.zeros_like(a)
        for r, i in enumerate(b):
            a[r, : len(seqs[i])] = seqs[i]
            m[r, : len(seqs[i])] = 1
        out[b] = emb._session.run(["mean"], {"input_ids": a, "attention_mask": m})[0]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def lever_rows(n: int) -> list[dict]:
    import numpy as np

    from textmine.embed import CachedEmbedder, EmbeddingCache
    from textmine.embed.e5 import OnnxE5Embedder
    from textmine.embed.e5_build import ensure_built

    folder = ensure_built()
    texts = make_comments(n, "realistic", seed=11)
    case = f"levers e5 n={n:,} realistic (dup {duplicate_share(texts):.0%})"
    rows: list[dict] = []

    def timed(metric: str, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        s, c = time.perf_counter() - t0, time.process_time() - c0
        rows.append({"case": case, "metric": metric + "_comments_per_s", "value": round(n / s, 1), "unit": "1/s"})
        rows.append({"case": case, "metric": metric + "_comments_per_cpu_s", "value": round(n / max(c, 1e-9), 1),
                     "unit": "1/cpu-s"})
        return out

    fp32 = OnnxE5Embedder(folder, "fp32")
    int8 = OnnxE5Embedder(folder, "int8")
    fp32.encode(texts[:8])
    int8.encode(texts[:8])
    timed("1_naive_fp32_inputorder_nodedup", lambda: _custom_encode(fp32, texts, dedupe=False, bucket=False))
    timed("2_fp32_+dedup", lambda: _custom_encode(fp32, texts, dedupe=True, bucket=False))
    timed("3_fp32_+dedup+length_buckets", lambda: _custom_encode(fp32, texts, dedupe=True, bucket=True))
    v_fp32 = timed("4_fp32_default_encoder(token_budget)", lambda: fp32.encode(texts))
    v_int8 = timed("5_int8_default_encoder(token_budget)", lambda: int8.encode(texts))
    timed("6_int8_naive_inputorder_nodedup", lambda: _custom_encode(int8, texts, dedupe=False, bucket=False))
    timed("6b_int8_one_text_per_call", lambda: _custom_encode(int8, texts, dedupe=True, bucket=True, batch=1))
    l6 = OnnxE5Embedder(folder, "int8-l6")  # first 6 of 12 layers: the supervised coder's default backend
    l6.encode(texts[:8])
    timed("6c_int8_first_6_layers(e5-l6)", lambda: l6.encode(texts))
    for threads in (1, 2):
        e = OnnxE5Embedder(folder, "int8", num_threads=threads)
        e.encode(texts[:8])
        timed(f"7_int8_intra_op_threads={threads}", lambda e=e: e.encode(texts))
    with tempfile.TemporaryDirectory() as tmp:
        cached = CachedEmbedder(int8, EmbeddingCache(Path(tmp) / "v.sqlite"))
        timed("8_int8_cache_cold", lambda: cached.encode(texts))
        timed("9_int8_cache_warm_rerun", lambda: cached.encode(texts))
        cached.store.close()
    cos = (v_int8 * v_fp32).sum(1)
    rows.append({"case": case, "metric": "int8_vs_fp32_cosine_min", "value": round(float(cos.min()), 4), "unit": "cos"})
    rows.append({"case": case, "metric": "int8_vs_fp32_cosine_mean", "value": round(float(cos.mean()), 4), "unit": "cos"})
    # batch dependence: the same texts encoded alone vs inside the big call
    probe = texts[:40]
    alone_i8 = np.vstack([int8.encode([t]) for t in probe])
    alone_fp = np.vstack([fp32.encode([t]) for t in probe])
    idx = [texts.index(t) for t in probe]
    rows.append({"case": case, "metric": "int8_same_text_other_batch_max_abs_diff",
                 "value": round(float(np.abs(alone_i8 - v_int8[idx]).max()), 6), "unit": "abs"})
    rows.append({"case": case, "metric": "fp32_same_text_other_batch_max_abs_diff",
                 "value": round(float(np.abs(alone_fp - v_fp32[idx]).max()), 8), "unit": "abs"})
    return rows


# ---------------------------------------------------------------------------- dask
def dask_rows(n: int, rows_per_partition: int) -> list[dict]:
    import pandas as pd

    from textmine.classify import default_coder
    from textmine.classify.table import code_dataframe
    from textmine.distributed import code_with_dask
    from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR

    texts = make_comments(n, "realistic", seed=23)
    case = f"dask vs single n={n:,} realistic, {rows_per_partition} rows/partition"
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.parquet"
        pd.DataFrame({"respondent_id": [f"R{i:07d}" for i in range(n)], "tekst": texts}).to_parquet(inp, index=False)
        old = os.environ.get("TEXTMINE_CACHE_DIR")
        try:
            os.environ["TEXTMINE_CACHE_DIR"] = str(_fresh_cache())
            t0 = time.perf_counter()
            coder = default_coder(strict=True)  # the shipped model (e5-l6), as the workers load it
            code_dataframe(coder, pd.read_parquet(inp), "tekst")
            single = time.perf_counter() - t0
            os.environ["TEXTMINE_CACHE_DIR"] = str(_fresh_cache())  # workers inherit: cold store
            info = code_with_dask(inp, Path(tmp) / "out", DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR, "tekst", None,
                                  n_workers=2, rows_per_partition=rows_per_partition)
        finally:
            if old is None:
                os.environ.pop("TEXTMINE_CACHE_DIR", None)
            else:
                os.environ["TEXTMINE_CACHE_DIR"] = old
    ps = sorted(info.part_seconds)
    warm = ps[: max(1, len(ps) - 2)]  # the two slowest include each worker's one-off model load
    rows += [
        {"case": case, "metric": "single_process_incl_load_s", "value": round(single, 2), "unit": "s"},
        {"case": case, "metric": "single_process_comments_per_s", "value": round(n / single, 1), "unit": "1/s"},
        {"case": case, "metric": "dask_2_workers_incl_cluster_start_s", "value": round(info.wall_seconds, 2), "unit": "s"},
        {"case": case, "metric": "dask_2_workers_comments_per_s", "value": round(n / info.wall_seconds, 1), "unit": "1/s"},
        {"case": case, "metric": "partitions", "value": info.n_partitions, "unit": "parts"},
        {"case": case, "metric": "per_partition_s_median_warm", "value": round(warm[len(warm) // 2], 2), "unit": "s"},
        {"case": case, "metric": "per_partition_s_first(max)", "value": round(ps[-1], 2), "unit": "s"},
        {"case": case, "metric": "per_comment_ms_warm_partition",
         "value": round(1000 * warm[len(warm) // 2] / rows_per_partition, 2), "unit": "ms"},
    ]
    return rows


# ---------------------------------------------------------------------------- plan
def plan(quick: bool) -> list[dict]:
    if quick:
        return [
            {"stage": "clean", "n": 1000, "kind": "realistic"},
            {"stage": "embed", "backend": "e5", "n": 200, "kind": "unique"},
            {"stage": "code", "n": 200, "kind": "realistic"},
            {"stage": "summary", "n": 1000},
        ]
    # The full grid: every stage and backend at 1k / 10k / 100k realistic comments, each in its own child
    # process (its own peak RSS). Slow stages run under a time budget and report the measured rate and the
    # projected total (so the bench stays bounded); 1k e5 on all-distinct text is kept as the worst case.
    plan = []
    for n in (1000, 10000, 100000):
        plan.append({"stage": "clean", "n": n, "kind": "realistic", "budget_s": 60})
    plan.append({"stage": "embed", "backend": "e5", "n": 1000, "kind": "unique", "budget_s": 45})
    for backend, budget in (("e5", 40), ("e5-l6", 40), ("e5-static", 40), ("e5-fp32", 25), ("lexical", 60)):
        for n in (1000, 10000, 100000):
            plan.append({"stage": "embed", "backend": backend, "n": n, "kind": "realistic", "budget_s": budget})
    plan.append({"stage": "code", "n": 1000, "kind": "realistic", "budget_s": 40})
    plan.append({"stage": "code", "n": 10000, "kind": "realistic", "budget_s": 40})
    plan.append({"stage": "code", "coder": "zeroshot", "n": 10000, "kind": "realistic", "budget_s": 40})
    # moonshot: 100k cleaned + coded with the semantic model end to end, given exactly the 2-minute target as
    # its budget: it reports how far it got and the projected total
    plan.append({"stage": "code", "n": 100000, "kind": "realistic", "budget_s": 120})
    # the same with the shipped fast model (models/fast: the same coder on e5-static vectors, no encoder at run
    # time), side by side; 100k gets the same 2-minute budget
    for n in (10000, 100000):
        plan.append({"stage": "code", "n": n, "kind": "realistic", "budget_s": 120, "model": "models/fast"})
    for n in (1000, 10000, 100000):
        plan.append({"stage": "summary", "n": n})
    return plan


def _partial(rows: list[dict]) -> None:
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / "scale.partial.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


def run(quick: bool = False) -> list[dict]:
    """All scale figures (quick: small sizes, < 2 minutes)."""
    rows: list[dict] = []
    t0 = time.perf_counter()

    def note(msg: str) -> None:
        print(f"[scale +{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    for spec in plan(quick):
        note(f"stage {spec}")
        try:
            r = run_stage(spec)
        except Exception as exc:  # one failing stage must not hide the others
            rows.append({"case": json.dumps(spec), "metric": "error", "value": str(exc).splitlines()[-1][:200],
                         "unit": ""})
            continue
        rows += _growth_rows(spec, r)
        _partial(rows)
    note("levers")
    rows += lever_rows(120 if quick else 1000)
    _partial(rows)
    note("dask")
    rows += dask_rows(80 if quick else 600, 20 if quick else 150)
    note("done")
    for r in rows:
        r["area"] = AREA
    return rows


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--stage":
        print(json.dumps(stage(json.loads(sys.argv[2]))))
        return
    quick = "--quick" in sys.argv
    t0 = time.perf_counter()
    rows = run(quick=quick)
    for r in rows:
        print(f"{r['case'][:70]:<70} {r['metric']:<45} {r['value']!s:>12} {r['unit']}")
    print(f"total {time.perf_counter() - t0:.0f} s")
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / "scale.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
