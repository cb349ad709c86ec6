"""A hidden row shows no CI method (privacy re-audit dec05e): «wilson-kish» is used where the share is exactly 0 or
100 %, so on a hidden row it gave the hidden cell's result away, in the workbook, the JSON and every view."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.report.views import HIDDEN_INDICATOR, HIDDEN_THEME, hide_suppressed


def test_hidden_rows_blank_the_ci_method():
    t = pd.DataFrame({"share": [1.0, 0.4], "ci_low": [0.5, 0.3], "ci_high": [1.0, 0.5], "n": [4, 40],
                      "base": [4, 100], "ci_method": ["wilson-kish", "wilson"], "suppressed": [True, False]})
    for cols in (HIDDEN_INDICATOR, HIDDEN_THEME):
        out = hide_suppressed(t, cols)
        assert pd.isna(out.loc[0, "ci_method"]) and out.loc[1, "ci_method"] == "wilson"
        assert pd.isna(out.loc[0, "share"])


@pytest.fixture(scope="module")
def small_report():
    """Two waves with offices under min_cell (hidden cells), as the dec05c small-group tests build them."""
    from .test_small_groups_dec05c import build_small_groups

    return build_small_groups()["report"]


def test_report_views_show_no_ci_method_on_hidden_rows(small_report):
    n_hidden = 0
    for t in (small_report.indicators, small_report.themes):
        hidden = t[t["suppressed"].fillna(False).astype(bool)]
        n_hidden += len(hidden)
        assert hidden["ci_method"].isna().all()
        assert t.loc[~t["suppressed"].fillna(False).astype(bool), "ci_method"].notna().any()
    assert n_hidden


def test_workbook_and_json_show_no_ci_method_on_hidden_rows(small_report, tmp_path):
    import openpyxl

    from textmine.report.excel import write_workbook
    from textmine.report.writer import report_to_dict

    wb = openpyxl.load_workbook(write_workbook(small_report, tmp_path / "r.xlsx"), read_only=True)
    n_hidden = 0
    for name in ("Indikatorer", "Temaer"):
        rows = list(wb[name].iter_rows(values_only=True))
        head = list(rows[0])
        hid, method = head.index("Skjult"), head.index("KI-metode")
        hidden = [r for r in rows[1:] if r[hid] is True]
        n_hidden += len(hidden)
        assert all(r[method] in (None, "") for r in hidden), name
    assert n_hidden
    data = report_to_dict(small_report)
    for key in ("indicators", "themes"):
        assert all(r.get("ci_method") in (None, "") for r in data[key] if r.get("suppressed")), key
