"""Benchmark ``textmine.preprocess.Cleaner`` throughput (redaction + language detection on).

``run(quick=False) -> list[dict]`` with keys area, case, metric, value, unit. As a script it prints
a table and writes ``bench/out/clean.json``. Inputs are the sample's free-text comments replicated
to 1k/10k/100k rows: ``replicated`` (as-is, so duplicates are deduplicated as in real exports) and
``unique`` (every row a distinct text: sentences recombined across comments).
"""

from __future__ import annotations

import os
import random
import time

import pandas as pd

from textmine.paths import SAMPLE_DIR


def _sample_comments() -> list[str]:
    texts: list[str] = []
    for path in sorted(SAMPLE_DIR.glob("arbeidsgiver_*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in ("fritekst_sykefravaer", "fritekst_generell"):
            if col in df:
                texts += [t for t in df[col] if t.strip()]
    if not texts:  # sample not generated: a small built-in set
        texts = ["Telefonkøen er altfor lang, vi venter 40 min hver gang.", "vet ikke",
                 "Saksbehandler Kari Hansen svarte aldri. Ring meg på 912 34 567.",
                 "Eg har ikkje fått svar frå NAV om sjukmeldinga.", "Raskere refusjon av sykepenger."]
    return texts


def _unique_texts(base: list[str], n: int, seed: int = 42) -> list[str]:
    rng = random.Random(seed)
    sentences = [s.strip() for t in base for s in t.replace("!", ".").split(".") if len(s.strip()) > 10]
    out, seen = [], set()
    while len(out) < n:
        t = ". ".join(rng.sample(sentences, rng.randint(1, 3))) + "."
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(quick: bool = False) -> list[dict]:
    from textmine.preprocess import Cleaner
    from textmine.preprocess.cleaner import Resources

    rows: list[dict] = []
    t0 = time.perf_counter()
    Resources.build()  # warm the on-disk lexicon cache and imports
    rows.append({"area": "preprocess", "case": "startup", "metric": "resource_load", "value": round(time.perf_counter() - t0, 2), "unit": "s"})
    base = _sample_comments()
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    cases = [(k, n, 1) for k in ("replicated", "unique") for n in sizes]
    if not quick:
        cases.append(("unique", 100_000, 2))  # two worker processes (the 2-core target machine)
    for kind, n, jobs in cases:
        texts = (base * (n // len(base) + 1))[:n] if kind == "replicated" else _unique_texts(base, n)
        res = Resources.build()  # fresh caches per case
        cleaner = Cleaner(redact=True, detect_language=True, n_jobs=jobs, resources=res).fit()
        # load lingua models, spaCy and simplemma dictionaries outside the timing
        cleaner.transform(["Eg veit ikkje kva sjukmeldingane gjeld", "Vet ikke hva sykmeldingen", "The queue",
                       "Chatbot = bortatet tid."])  # the last one loads the wider lingua detector
        res.analyzer.cache.clear()
        res.analyzer.chunk_cache.clear()
        load = os.getloadavg()[0]
        cpu0 = _cpu_seconds()
        t = time.perf_counter()
        out = cleaner.transform(texts)
        dt = time.perf_counter() - t
        cpu = _cpu_seconds() - cpu0
        assert len(out) == n
        case = f"{kind}_{n}" + (f"_jobs{jobs}" if jobs > 1 else "")
        rows.append({"area": "preprocess", "case": case, "metric": "seconds", "value": round(dt, 2), "unit": "s"})
        rows.append({"area": "preprocess", "case": case, "metric": "throughput", "value": round(n / dt), "unit": "rows/s"})
        rows.append({"area": "preprocess", "case": case, "metric": "cpu_seconds", "value": round(cpu, 2), "unit": "s"})
        rows.append({"area": "preprocess", "case": case, "metric": "rows_per_cpu_second", "value": round(n / max(cpu, 1e-9)), "unit": "rows/cpu-s"})
        rows.append({"area": "preprocess", "case": case, "metric": "load_avg_1min", "value": round(load, 2), "unit": "load"})
        rows.append({"area": "preprocess", "case": case, "metric": "distinct_texts", "value": len(set(texts)), "unit": "texts"})
        mean_len = sum(len(x) for x in texts) / n
        rows.append({"area": "preprocess", "case": case, "metric": "mean_length", "value": round(mean_len, 1), "unit": "chars"})
    return rows



if __name__ == "__main__":
    from common import cli

    raise SystemExit(cli("clean", run))
