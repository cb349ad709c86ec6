"""Run the whole benchmark suite: ``python bench/run.py [--quick] [--only clean,embed,...]``.

Each ``bench/bench_<area>.py`` exposes ``run(quick: bool) -> list[dict]`` with rows
``{area, case, metric, value, unit}``; this script runs them in one process order, prints one
table and writes ``bench/out/all.json`` (plus the machine description, per-area time and load average) and
``bench/out/all.md`` (Markdown table); ``--quick`` writes ``all-quick.*`` instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table  # noqa: E402  (bench/common.py, shared with every bench script)

BENCH_DIR = Path(__file__).resolve().parent
AREAS = ["clean", "embed", "discover", "coding", "summary", "api", "scale"]


def load(area: str):
    path = BENCH_DIR / f"bench_{area}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{area}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def markdown_table(rows: list[dict]) -> str:
    """The rows as a Markdown table (for bench/RESULTS.md)."""
    lines = ["| area | case | metric | value | unit |", "|---|---|---|---:|---|"]
    for r in rows:
        v = r.get("value")
        text = f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
        cells = [str(r.get(k, "")).replace("|", "/") for k in ("area", "case", "metric")]
        lines.append(f"| {cells[0]} | {cells[1]} | {cells[2]} | {text} | {r.get('unit', '')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated areas: " + ",".join(AREAS))
    args = parser.parse_args(argv)
    areas = [a for a in args.only.split(",") if a] or AREAS
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {unknown}; choose from {AREAS}")
    rows: list[dict] = []
    failures: dict[str, str] = {}
    timing: dict[str, dict] = {}
    started = machine()
    for area in areas:
        module = load(area)
        if module is None:
            failures[area] = f"bench/bench_{area}.py not found"
            continue
        t0 = time.perf_counter()
        load_before = os.getloadavg()[0]
        try:
            got = module.run(quick=args.quick)
        except Exception as exc:  # a failing area must not hide the others' figures
            failures[area] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
            continue
        for r in got:
            r.setdefault("area", area)
        rows.extend(got)
        secs = time.perf_counter() - t0
        timing[area] = {"seconds": round(secs, 1), "load_avg_before": round(load_before, 2),
                        "load_avg_after": round(os.getloadavg()[0], 2)}
        print(f"[{area}] {len(got)} rows in {secs:.1f} s", file=sys.stderr)
    print_table(rows)
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    name = "all-quick" if args.quick else "all"
    payload = {"machine": started, "finished": machine()["date"], "quick": args.quick, "areas": timing,
               "failures": failures, "rows": rows}
    (out / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    (out / f"{name}.md").write_text(markdown_table(rows), encoding="utf-8")
    for area, msg in failures.items():
        print(f"FAILED {area}: {msg}", file=sys.stderr)
    print(f"wrote {out / (name + '.json')} and {out / (name + '.md')}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
