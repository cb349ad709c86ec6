"""Published numbers: suppressed cells are blank in every output, change verdicts sit next to both p-values."""

import dataclasses
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from textmine.report import report_from_summary
from textmine.report.excel import PP, write_workbook
from textmine.report.html import render_html
from textmine.report.model import ReportData
from textmine.summary import build_summary


def _sheet(path, name):
    ws = load_workbook(path)[name]
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return header, rows[1:]


@pytest.fixture(scope="module")
def strict_report(synthetic, survey):
    """min_cell = 200 (flag mode): theme cells per segment and indicator cells for 'ansatte' (~180) are small."""
    strict = dataclasses.replace(survey, min_cell=200)
    frames = {int(k): v for k, v in synthetic["frames"].items()}
    coded = {int(k): v for k, v in synthetic["coded"].items()}
    s = build_summary(frames, strict, coded, quotes=False, drivers=False)
    assert s.meta["suppression"] == "flag"
    return s, report_from_summary(s, strict, codebook=synthetic["codebook"])


def test_workbook_blanks_suppressed_cells_and_keeps_the_flag(strict_report, tmp_path):
    s, r = strict_report
    assert r.themes["suppressed"].any() and r.indicators["suppressed"].any()
    path = write_workbook(r, tmp_path / "r.xlsx")
    for sheet, numbers in (("Temaer", ("n (nevner temaet)", "Andel av svarte", "KI nedre", "KI øvre",
                                       "Andel av spurte", "Andel av alle")),
                           ("Indikatorer", ("Andel positive (4–6)", "KI nedre", "KI øvre", "n (positive)", "Snitt (1–6)",
                                            "Andel positive (uvektet)"))):
        header, rows = _sheet(path, sheet)
        flag, base = header.index("Skjult"), header.index("Grunnlag" if sheet == "Indikatorer" else "Grunnlag (svarte)")
        hidden = [row for row in rows if row[flag].value is True]
        shown = [row for row in rows if row[flag].value is False]
        assert hidden and shown, sheet
        for row in hidden:
            assert row[base].value is None  # no base either: with the total it would give the hidden count
            for col in numbers:
                assert row[header.index(col)].value is None, (sheet, col)
        assert all(row[header.index(numbers[1])].value is not None for row in shown)


def test_report_views_hide_small_theme_cells_in_all_three_shares(strict_report):
    """flag mode: the summary keeps the numbers, the published view (HTML/Excel/JSON) never shows them — not
    even as share of those asked / of all respondents, whose numerator is the same hidden count."""
    s, r = strict_report
    th = r.themes
    sup = th[th["suppressed"]]
    assert len(sup) and sup[["count", "share", "ci_low", "ci_high", "share_asked", "share_all"]].isna().all().all()
    src = s.table("themes")
    k = src[(src["denominator"] == "alle") & (src["segment"] == "ansatte") & (src["wave"] == 2023)]
    assert (k["count"] > 0).any() and k["suppressed"].all()  # base of all respondents ≥ 200 is not enough
    html = render_html(r, charts={})
    assert "–*" in html


def test_workbook_blanks_suppressed_change_rows_and_has_norwegian_headers(tmp_path):
    ch = pd.DataFrame({"kind": ["tema", "tema"], "key": ["a", "b"], "label": ["A", "B"], "question": ["q", "q"],
                       "prev_wave": "2022", "wave": "2023", "prev_share": [0.30, 0.5], "share": [0.40, 0.2],
                       "diff": [0.10, -0.3], "p_value": [0.03, 0.01], "verdict": ["tendens", "for få svar"],
                       "n_prev": [200, 4], "n": [210, 5], "ci_low": [0.007, -0.8], "ci_high": [0.19, 0.2],
                       "p_adjusted": [0.2, 0.01], "verdict_unadjusted": ["signifikant", "for få svar"],
                       "weighted": False, "suppressed": [False, True]})
    path = write_workbook(ReportData(title="t", waves=["2022", "2023"], changes=ch), tmp_path / "r.xlsx")
    header, rows = _sheet(path, "Endring")
    for col in ("KI nedre (pp)", "KI øvre (pp)", "p-verdi (ujustert)", "p-verdi (BH-justert)", "Vektet",
                "Skjult"):
        assert col in header
    assert not {"ci_low", "ci_high", "weighted", "suppressed"} & set(header)
    assert header.index("Vurdering") < header.index("p-verdi (ujustert)") < header.index("p-verdi (BH-justert)")
    lo = header.index("KI nedre (pp)")
    assert rows[0][lo].value == pytest.approx(0.7) and rows[0][lo].number_format == PP  # percentage points
    assert rows[0][header.index("KI øvre (pp)")].number_format == PP
    for col in ("Forrige andel", "Andel", "Endring (pp)", "KI nedre (pp)", "p-verdi (ujustert)"):
        assert rows[1][header.index(col)].value is None, col
    assert rows[1][header.index("Grunnlag")].value is None  # (a hidden row's base would give it away)


def test_html_change_table_shows_raw_and_adjusted_p_and_consistent_rounding():
    ch = pd.DataFrame({"kind": ["indikator", "indikator"], "key": ["x", "y"], "label": ["Grenseland", "Rund"],
                       "question": "", "prev_wave": "2022", "wave": "2023",
                       "prev_share": [0.026, 0.50], "share": [0.034, 0.60], "diff": [0.008, 0.10],
                       "p_value": [0.043, 0.0004], "verdict": ["tendens", "signifikant"], "n_prev": [900, 900],
                       "n": [900, 900], "ci_low": [0.0004, 0.05], "ci_high": [0.0206, 0.15],
                       "p_adjusted": [0.21, 0.001], "suppressed": False})
    html = render_html(ReportData(title="t", waves=["2022", "2023"], changes=ch), charts={})
    assert "p (ujustert)" in html and "p (justert)" in html and "95&nbsp;% KI" in html
    row = re.search(r"<th scope=\"row\">Grenseland.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # whole numbers would read "3 % → 3 %, +1 pp": one decimal instead, so the row adds up
    assert cells[:3] == ["2,6\u00a0%", "3,4\u00a0%", "+0,8\u00a0pp"]
    assert "0,043" in row and "0,210" in row and "tendens" in row
    rund = re.search(r"<th scope=\"row\">Rund.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', rund)[:3] == ["50\u00a0%", "60\u00a0%", "+10\u00a0pp"]
    assert "utelukker 0" in html


def test_report_change_and_impact_views_carry_both_p_values(summary, report_data):
    ch = report_data.changes
    assert {"p_value", "p_adjusted", "ci_low", "ci_high", "suppressed"} <= set(ch.columns)
    excludes = (ch["ci_low"] > 0) | (ch["ci_high"] < 0)
    assert not (excludes & (ch["verdict"] == "ingen sikker endring")).any()
    imp = report_data.impact
    assert "p_adjusted" in imp.columns and (imp["p_value"] <= imp["p_adjusted"] + 1e-12).all()
    assert not (imp["verdict"] == "ingen sikker endring").any()
    assert set(imp["verdict"]) <= {"forskjell", "tendens", "ingen sikker forskjell"}
    assert "forskjell" in report_data.method["difference"]
