"""Shared output for the benchmark scripts: one table format, one JSON layout with the machine."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"


def peak_rss_mib() -> float:
    """This process's peak RSS: VmHWM (``ru_maxrss`` survives exec, so a child would report its parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def print_table(rows: list[dict], title: str = "textmine benchmarks") -> None:
    """Rows ``{area, case, metric, value, unit}`` as one rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in ("area", "case", "metric", "value", "unit"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for r in rows:
        v = r.get("value")
        text = f"{v:,.3f}" if isinstance(v, float) else str(v)
        table.add_row(*(str(r.get(c, "")) for c in ("area", "case", "metric")), text, str(r.get("unit", "")))
    Console(width=170).print(table)


def write_results(name: str, rows: list[dict], *, quick: bool) -> Path:
    """Write ``bench/out/<name>.json`` with the machine description and the rows."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "quick": quick, "rows": rows}, indent=2, ensure_ascii=False),
                    encoding="utf-8")
    return path


def cli(name: str, run, argv: list[str] | None = None) -> int:
    """The ``__main__`` of a bench script: ``--quick`` → run → print the table → write the JSON."""
    import sys

    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    rows = run(quick=quick)
    for r in rows:
        r.setdefault("area", name)
    print_table(rows, title=f"textmine benchmark: {name}")
    print(f"wrote {write_results(name, rows, quick=quick)}")
    return 0
