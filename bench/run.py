"""Run the whole benchmark suite: ``python bench/run.py [--quick] [--only clean,embed,...]``.

Each ``bench/bench_<area>.py`` exposes ``run(quick: bool) -> list[dict]`` with rows
``{area, case, metric, value, unit}``; this script runs them in one process order, prints one
table and writes ``bench/out/all.json`` (plus the machine description).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
AREAS = ["clean", "embed", "discover", "coding", "summary", "api", "scale"]


def machine() -> dict:
    """A short description of the machine the numbers come from."""
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load(area: str):
    path = BENCH_DIR / f"bench_{area}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{area}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="textmine benchmarks")
    for col in ("area", "case", "metric", "value", "unit"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for r in rows:
        v = r.get("value")
        text = f"{v:,.3f}" if isinstance(v, float) else str(v)
        table.add_row(str(r.get("area", "")), str(r.get("case", "")), str(r.get("metric", "")), text, str(r.get("unit", "")))
    Console(width=160).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated areas: " + ",".join(AREAS))
    args = parser.parse_args(argv)
    areas = [a for a in args.only.split(",") if a] or AREAS
    rows: list[dict] = []
    failures = []
    for area in areas:
        module = load(area)
        if module is None:
            continue
        t0 = time.perf_counter()
        try:
            got = module.run(quick=args.quick)
        except Exception:  # a failing area must not hide the others' figures
            failures.append(area)
            traceback.print_exc()
            continue
        for r in got:
            r.setdefault("area", area)
        rows.extend(got)
        print(f"[{area}] {len(got)} rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print_table(rows)
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / "all.json").write_text(json.dumps({"machine": machine(), "quick": args.quick, "rows": rows}, indent=2, ensure_ascii=False))
    print(f"wrote {out / 'all.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
