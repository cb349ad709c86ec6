"""Write all report outputs to a folder: HTML, XLSX, SAV, chart files (SVG+PNG) and JSON."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd

from .excel import ROW_WORKBOOK, write_row_workbook, write_workbook
from .html import make_charts, render_html
from .model import ReportData
from .spss import write_sav
from .wording import check_language, say


#: the coded-answer columns the row-level exports leave out unless asked for (``with_respondent_id``)
ID_COLUMNS = ("respondent_id",)


def weight_blanked(r: ReportData, *, with_respondent_id: bool = False) -> tuple[int, int]:
    """(rows whose weight the small-cell rule blanked, rows) of the row-level exports that :func:`write_report`
    writes."""
    from .excel import export_rows

    rows, counts = export_rows(r, () if with_respondent_id else ID_COLUMNS)
    return int(counts["weight"]), len(rows)


#: the file beside the charts' PNGs that gives each its alternative text (the PNGs cannot carry one)
ALT_TEXT_FILE = "alt-tekster.csv"


def alt_text_table(charts: dict, language: str = "nb") -> str:
    """``fil;alternativ tekst`` (semicolon-separated, as Norwegian Excel reads it) with one row per chart's PNG and
    the alternative text the HTML gives the same chart (its ``aria-label``: :attr:`textmine.report.charts.Chart.alt`),
    in chart order."""
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    out.writerow([say("fil", language), say("alternativ tekst", language)])
    for name, c in charts.items():
        if c.png:
            out.writerow([f"{name}.png", " ".join(str(c.alt).split())])
    return buf.getvalue()


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def _change_table_records(r: ReportData) -> list[dict]:
    """The «Endring» sheet's rows (every comparison pair and segment row), hidden rows without their numbers, as
    the sheet shows them (:func:`textmine.report.views.hide_suppressed`)."""
    if r.change_table is None or r.change_table.empty:
        return []
    from .views import HIDDEN_CHANGE, hide_suppressed

    return _records(hide_suppressed(r.change_table, HIDDEN_CHANGE))


def report_to_dict(r: ReportData, *, include_coded: bool = False) -> dict:
    """JSON-safe form of the report (tables as lists of records)."""
    d = {"title": r.title, "language": r.language, "waves": r.waves, "questions": r.questions, "segments": r.segments,
         "indicators": _records(r.indicators), "themes": _records(r.themes), "changes": _records(r.changes),
         "change_table": _change_table_records(r),
         "impact": _records(r.impact), "quotes": _records(r.quotes), "codebook": r.codebook,
         "method": json.loads(json.dumps(r.method, default=str))}
    if include_coded:  # the rows of the workbook's «Kodede svar» (small cells, health comments, no attribution:
        # false segments, a row number for personal ids), without the flag
        from .excel import export_rows

        d["coded"] = _records(export_rows(r)[0])
    return d


def write_report(r: ReportData, out_dir: str | Path, *, formats=("html", "xlsx", "sav", "charts", "json"),
                 stem: str = "rapport", language: str | None = None,
                 with_respondent_id: bool = False) -> dict[str, Path]:
    """Write the chosen outputs; returns {kind: path} (charts as ``chart:<name>.svg/png``). Each file is written
    whole or not at all: a failed write leaves the file of an earlier run as it was. ``language``: "nb" (bokmål)
    or "nn" (nynorsk) for every fixed text; default: the report's own (``r.language``, set by ``build_report``).
    The row-level exports («Kodede svar» in kodede_svar.xlsx, kodede_svar.sav) leave the respondent id out unless
    ``with_respondent_id`` (to merge the rows back onto the survey; «Metode» then says it is there). ``{stem}.xlsx``
    holds the summaries and checked quotes only: a report writer may attach it to a publication, so the rows (one
    per comment, with sector, size and county) go to kodede_svar.xlsx under a «not for publication» first row
    (written with "xlsx", as ``written["xlsx_rows"]``)."""
    from textmine.io import replacing

    if language is not None:  # (a copy: the caller's report keeps its language)
        r = copy.copy(r)
        r.language = check_language(language)
    omit = () if with_respondent_id else ID_COLUMNS
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    charts = make_charts(r)

    def text(p: Path, content: str) -> Path:
        with replacing(p) as tmp:
            tmp.write_text(content, encoding="utf-8")
        return p

    if "html" in formats:
        written["html"] = text(out / f"{stem}.html", render_html(r, charts))
    if "xlsx" in formats:
        with replacing(out / f"{stem}.xlsx", ".xlsx") as tmp:
            write_workbook(r, tmp, row_level=False)
        written["xlsx"] = out / f"{stem}.xlsx"
        with replacing(out / ROW_WORKBOOK, ".xlsx") as tmp:
            write_row_workbook(r, tmp, omit_columns=omit)
        written["xlsx_rows"] = out / ROW_WORKBOOK
    if "sav" in formats:
        with replacing(out / "kodede_svar.sav", ".sav") as tmp:
            write_sav(r, tmp, omit=omit)
        written["sav"] = out / "kodede_svar.sav"
    if "charts" in formats:
        cdir = out / "figurer"
        cdir.mkdir(exist_ok=True)
        for name, c in charts.items():
            written[f"chart:{name}.svg"] = text(cdir / f"{name}.svg", c.svg)
            with replacing(cdir / f"{name}.png", ".png") as tmp:
                tmp.write_bytes(c.png)
            written[f"chart:{name}.png"] = cdir / f"{name}.png"
        if any(c.png for c in charts.values()):  # the PNGs' alternative texts, as the HTML gives them (WCAG 1.1.1)
            with replacing(cdir / ALT_TEXT_FILE, ".csv") as tmp:
                tmp.write_text(alt_text_table(charts, r.language), encoding="utf-8-sig", newline="")
            written["chart_alt"] = cdir / ALT_TEXT_FILE
    if "json" in formats:
        written["json"] = text(out / f"{stem}.json", json.dumps(report_to_dict(r), ensure_ascii=False, indent=1))
    return written
