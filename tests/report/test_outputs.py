"""HTML, Excel, SPSS and chart outputs written from a synthetic report."""

import re

import pyreadstat
import pytest
from openpyxl import load_workbook

from textmine.report.writer import write_report


@pytest.fixture(scope="module")
def written(report_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport")
    return out, write_report(report_data, out)


def test_html_is_self_contained(written):
    _, files = written
    html = files["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external resource in HTML"
    assert "<script" not in html and "@import" not in html and "<link" not in html
    n_charts = sum(1 for k in files if k.startswith("chart:") and k.endswith(".svg"))
    assert html.count("<svg") == n_charts >= 6
    assert 'role="img"' in html and 'aria-label="' in html


def test_html_marks_verdicts_and_traces_numbers(written, report_data):
    html = written[1]["html"].read_text(encoding="utf-8")
    assert 'class="badge signifikant"' in html
    assert "Endring siden 2022" in html
    # every theme row of the overall table shows share, CI, n and base
    tel = report_data.themes.query("wave == '2023' and theme == 'telefon' and segment_var == 'Alle'").iloc[0]
    row = re.search(r"<th scope=\"row\">Telefon og tilgjengelighet</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[2] == str(tel["count"]) and cells[3] == str(tel["base"])
    assert cells[0].endswith("\u00a0%") and "–" in cells[1]
    assert "Metode" in html and "grunnlag under 10" in html
    # the impact table shows the summary's driver effect beside the raw difference
    from textmine.report.numbers import change_digits, fmt_pp

    imp = report_data.impact.query("theme == 'telefon'").iloc[0]
    row = re.search(r"<th scope=\"row\">Telefon og tilgjengelighet</th><td>«[^»]*»</td>(.*?)</tr>", html, re.S).group(1)
    assert f"{fmt_pp(imp['adjusted_pp'], share=False)} ({imp['adjusted_verdict']})" in row
    assert fmt_pp(imp["diff"], change_digits(imp["share_without"], imp["share_with"], imp["diff"])) in row


def test_quotes_have_attribution(written, report_data):
    html = written[1]["html"].read_text(encoding="utf-8")
    assert html.count('<div class="attr">') == len(report_data.quotes) > 0


def test_excel_has_one_sheet_per_table_and_coded_responses(written, report_data):
    wb = load_workbook(written[1]["xlsx"], read_only=True)
    assert wb.sheetnames == ["Indikatorer", "Temaer", "Endring", "Betydning", "Sitater", "Kodebok", "Metode"]
    # the rows are in a workbook of their own (rapport.xlsx may be attached to a publication), header second
    rows = list(load_workbook(written[1]["xlsx_rows"], read_only=True)["Kodede svar"].iter_rows(values_only=True))[1:]
    header = rows[0]
    for col in ("Sektor", "Kommentar (anonymisert)", "Temaer", "Sikkerhet"):
        assert col in header
    assert "Respondent-id" not in header  # (write_report leaves it out unless with_respondent_id)
    assert len(rows) - 1 == len(report_data.coded)
    themes = list(wb["Temaer"].iter_rows(values_only=True))
    assert len(themes) - 1 == len(report_data.themes)
    cb = list(wb["Kodebok"].iter_rows(values_only=True))
    assert [r[0] for r in cb[1:]] == [t["id"] for t in report_data.codebook]


def test_spss_export_has_value_labels(written, report_data):
    df, meta = pyreadstat.read_sav(str(written[1]["sav"]))
    assert len(df) == len(report_data.coded)
    assert meta.variable_value_labels["theme_telefon"] == {0: "Nei", 1: "Ja"}
    assert set(meta.variable_value_labels["sektor"].values()) == {"Privat", "Offentlig"}
    assert meta.column_names_to_labels["text_clean"] == "Kommentar (anonymisert)"
    assert df["theme_telefon"].sum() == report_data.coded["theme_telefon"].sum()


def test_chart_files_are_valid(written):
    _, files = written
    pngs = [p for k, p in files.items() if k.endswith(".png")]
    svgs = [p for k, p in files.items() if k.endswith(".svg")]
    assert len(pngs) == len(svgs) >= 6
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for p in svgs:
        text = p.read_text(encoding="utf-8")
        assert text.startswith("<svg") and text.rstrip().endswith("</svg>")


def test_json_is_parseable(written):
    import json

    d = json.loads(written[1]["json"].read_text(encoding="utf-8"))
    assert d["waves"] == ["2022", "2023"] and d["themes"] and d["changes"]
