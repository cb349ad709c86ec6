"""Analyst deliverables: self-contained HTML report, Excel workbook, SPSS export and static charts.

Pipeline: survey frames + coded comments (or a ``textmine.summary`` Summary) → :class:`ReportData` →
renderers. ``build_report`` picks the summary's numbers when available; ``write_report`` writes files.
"""

from .compute import build_report_data
from .model import ReportData
from .numbers import fmt_ci, fmt_decimal, fmt_int, fmt_pct, fmt_pp, verbal_share
from .spec import SurveySpec
from .writer import report_to_dict, write_report

__all__ = ["ReportData", "SurveySpec", "build_report_data", "write_report", "report_to_dict", "fmt_pct",
           "fmt_decimal", "fmt_int", "fmt_ci", "fmt_pp", "verbal_share", "render_html"]


def render_html(r, charts=None, **kw):
    from .html import render_html as _render

    return _render(r, charts, **kw)
