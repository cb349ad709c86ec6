"""Analyst deliverables: self-contained HTML report, Excel workbook, SPSS export and static charts.

Pipeline: survey frames + coded comments → ``textmine.summary.build_summary`` → :class:`Summary` →
:func:`report_from_summary` (views of the summary's tables) → :class:`ReportData` → renderers.
``build_report`` does all of it from files; ``write_report`` writes the files. The report has no
statistics of its own: every number is a cell of the summary.
"""

from .model import ReportData
from .numbers import fmt_ci, fmt_decimal, fmt_int, fmt_pct, fmt_pp, verbal_share
from .views import report_from_summary

__all__ = ["ReportData", "report_from_summary", "write_report", "report_to_dict", "fmt_pct",
           "fmt_decimal", "fmt_int", "fmt_ci", "fmt_pp", "verbal_share", "render_html"]


def __getattr__(name: str):
    """The writers on first use: they import the chart, workbook and SPSS modules (matplotlib, openpyxl,
    pyreadstat: seconds), which the summary's exports (:func:`textmine.report.views` only) never need."""
    if name in ("report_to_dict", "write_report"):
        from . import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_html(r, charts=None, **kw):
    from .html import render_html as _render

    return _render(r, charts, **kw)
