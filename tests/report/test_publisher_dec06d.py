"""A publisher's review of the report (dec06d): the segment tables print a share as every other place does (half up
on the decimal value, never «28» there and «29 %» in the chart), a quote in the other written standard than the page
carries its own ``lang`` (WCAG 3.1.2), the page has a skip link past its header and contents (WCAG 2.4.1), the
workbook's percent cells read as Norwegian publications print them («85,1 %», «−4,0 pp»), a change reads the same in
the main findings, the change table and the chart («+1,0 pp» beside 12,5 % → 13,5 %), and every text colour has
4.5:1 on the tinted background of table headers."""

from __future__ import annotations

import dataclasses
import re

import openpyxl
import pytest

from textmine.report import excel as xl
from textmine.report.html import _segment_line, quote_lang, render_html
from textmine.report.numbers import pct_number

NBSP = "\u00a0"


def _cell(share: float, low: float, high: float) -> dict:
    return {"suppressed": False, "count": 57, "base": 200, "share": share, "ci_low": low, "ci_high": high}


@pytest.mark.parametrize("share", [0.285, 0.145, 0.575, 0.005])
def test_segment_table_share_rounds_as_the_chart_and_theme_table(share):
    """0.285 is 28,5 %: «29» in the segment table as «29 %» everywhere else (not the float 28.4999… → «28»)."""
    share_cell, low_cell, high_cell = (c["text"] for c in _segment_line(_cell(share, share / 2, 0.575))[2:])
    assert share_cell == pct_number(share)
    assert high_cell == pct_number(0.575)


@pytest.mark.parametrize("share,expected", [(0.997, "99,7"), (0.003, "0,3"), (0.0, "0"), (1.0, "100")])
def test_segment_table_never_prints_100_or_0_for_a_share_that_is_neither(share, expected):
    """A number cell cannot say «>99»: a share that would round to 100 (or 0) gets a decimal, as «0,3» does."""
    assert _segment_line(_cell(share, 0.0, 1.0))[2]["text"] == expected


def test_a_quote_in_the_other_written_standard_gets_its_lang():
    assert quote_lang("nb", "nn") == "nb"
    assert quote_lang("bokmål", "nn") == "nb"
    assert quote_lang("nn", "nn") == ""  # the page's own language: no attribute
    assert quote_lang("nb", "nb") == ""
    assert quote_lang("nn", "nb") == "nn"
    assert quote_lang("en", "nn") == "en"


def test_nynorsk_page_marks_bokmal_quotes(report_data):
    quotes = report_data.quotes.copy()
    quotes["language"] = "nb"
    r = dataclasses.replace(report_data, language="nn", quotes=quotes)
    page = render_html(r, charts={})
    assert '<html lang="nn">' in page
    blocks = re.findall(r"<blockquote([^>]*)>", page)
    assert blocks and all('lang="nb"' in b for b in blocks)


def test_bokmal_page_leaves_bokmal_quotes_unmarked(report_data):
    quotes = report_data.quotes.copy()
    quotes["language"] = "nb"
    page = render_html(dataclasses.replace(report_data, quotes=quotes), charts={})
    assert "<blockquote lang" not in page


@pytest.mark.parametrize("language,words", [("nb", "Hopp til"), ("nn", "Hopp til")])
def test_skip_link_is_the_first_link_and_targets_the_first_section(report_data, language, words):
    page = render_html(dataclasses.replace(report_data, language=language), charts={})
    body = page[page.index("<body"):]
    first = re.search(r'<a\b[^>]*href="#([^"]+)"[^>]*>([^<]*)</a>', body)
    assert first and words in first.group(2)
    target = first.group(1)
    assert f'id="{target}"' in page
    nav_end = body.index("</nav>")
    assert body.index(f'id="{target}"') > nav_end  # past the header and the table of contents


def test_workbook_percent_and_pp_formats_print_as_norwegian_publications(report_data, tmp_path):
    path = xl.write_workbook(report_data, tmp_path / "r.xlsx", row_level=False)
    wb = openpyxl.load_workbook(path)
    ws = wb[wb.sheetnames[0]]
    formats = {c.number_format for row in ws.iter_rows(min_row=2, max_row=5) for c in row
               if isinstance(c.value, float)}
    pct = [f for f in formats if f.endswith("%")]
    assert pct and all(f'"{NBSP}"%' in f for f in pct)  # «85,1 %»: a no-break space before «%»
    assert "\u2212" in xl.PP and f"{NBSP}pp" in xl.PP  # «−4,0 pp»: typographic minus, no-break space


def test_change_keyfact_prints_the_change_with_the_digits_of_the_change_table(report_data):
    """12,5 % → 13,5 % is «+1,0 pp» in the change table: the main finding must not say «12 % → 14 %, +1 pp»."""
    from textmine.report.html import _change_tables, change_keyfacts

    changes = report_data.changes.copy()
    i = changes.index[0]
    changes.loc[i, ["prev_share", "share", "diff", "ci_low", "ci_high", "verdict"]] = \
        [0.1249, 0.1351, 0.0102, 0.004, 0.016, "signifikant"]
    changes.loc[i, "suppressed"] = False
    r = dataclasses.replace(report_data, changes=changes)
    label = changes.loc[i, "label"]
    fact = next(k for k in change_keyfacts(r) if f"«{label}»" in k["text"])
    row = next(c for t in _change_tables(r) for c in t["rows"] if c["label"] == label)
    assert fact["value"] == row["diff"] == f"+1,0{NBSP}pp"
    assert fact["trace"].startswith(f"{row['prev']} → {row['cur']}")
    assert row["ci"] in fact["text"]


def test_change_chart_prints_the_change_as_the_table_does():
    """3,4 % → 2,6 % is «−0,8 pp» in the table (whole shares 3 % → 3 % would not add up): the chart's label and text
    alternative say «−0,8 pp» too, never «−1 pp»."""
    import pandas as pd

    from textmine.report import charts as ch

    rows = pd.DataFrame({"label": ["Telefon"], "prev_share": [0.034], "share": [0.026], "diff": [-0.008],
                         "verdict": ["ingen sikker endring"]})
    chart = ch.change_dumbbell(rows, name="t", title="Endring", png=False)
    assert f"−0,8{NBSP}pp" in chart.alt and f"−1{NBSP}pp" not in chart.alt
    assert f"−0,8{NBSP}pp" in chart.svg


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        rgb = [int(h.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        rgb = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    hi, lo = sorted([lum(a), lum(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_text_colour_of_the_page_has_4_5_contrast_on_the_soft_background():
    """Table headers, main findings and quotes sit on ``--soft``; the «†» mark (in a row header) is text there too
    (WCAG 1.4.3: 4.5:1 for text of normal size)."""
    from textmine.report.html import TEMPLATES

    css = re.sub(r"/\*.*?\*/", "", (TEMPLATES / "report.css").read_text(encoding="utf-8"), flags=re.S)
    var = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", css))
    colours = {}
    for rule, value in re.findall(r"([^{}]+)\{[^}]*?(?<![-\w])color:([^;}]+)", css):
        value = value.strip()
        m = re.match(r"var\(--([\w-]+)", value)
        colour = var[m.group(1)] if m else value
        if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) and colour.lower() != "#ffffff":
            colours[rule.strip()] = colour
    assert ".mark" in colours
    low = {rule: round(_contrast(c, var["soft"]), 2) for rule, c in colours.items() if _contrast(c, var["soft"]) < 4.5}
    assert not low


def test_impact_table_and_chart_print_a_difference_that_adds_up(report_data):
    """78 % with and 71 % without the theme is not «+6 pp»: as in the change table, the shares and the difference
    get one decimal where whole numbers would not add up («77,8 %», «71,4 %», «+6,4 pp»), in the chart's text too."""
    import pandas as pd

    from textmine.report import charts as ch
    from textmine.report.html import view_model

    impact = report_data.impact.copy()
    assert not impact.empty
    i = impact.index[0]
    impact.loc[i, ["share_with", "share_without", "diff", "ci_low", "ci_high"]] = [0.778, 0.714, 0.064, 0.01, 0.12]
    r = dataclasses.replace(report_data, impact=impact)
    label = impact.loc[i, "label"]
    row = next(x for x in view_model(r, {})["impact"] if x["label"] == label)
    assert (row["with"], row["without"], row["diff"]) == (f"77,8{NBSP}%", f"71,4{NBSP}%", f"+6,4{NBSP}pp")
    chart = ch.impact_bars(pd.DataFrame([impact.loc[i]]), name="b", title="Betydning", png=False)
    assert f"+6,4{NBSP}pp" in chart.alt

