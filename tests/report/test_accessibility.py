"""Universal design (WCAG 2.1 AA, required for Norwegian public web content) and publication quality of the
HTML report: contrast, unique ids, visible explanations of symbols and abbreviations, charts not relying on
colour alone, Norwegian number formatting."""

from __future__ import annotations

import collections
import dataclasses
import html as htmllib
import re
from pathlib import Path

import pandas as pd
import pytest

from textmine.report import charts as ch
from textmine.report.html import make_charts, render_html

CSS = (Path(ch.__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _css_var(name: str) -> str:
    return re.search(rf"--{name}:(#[0-9a-fA-F]{{3,6}})", CSS).group(1)


def _visible_text(html: str) -> str:
    """The text a sighted reader sees (no tags, no attribute values such as title="…")."""
    body = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<title>.*?</title>", " ", html, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", body))


def test_css_text_colours_and_focus_ring_have_enough_contrast():
    bg, soft, white = _css_var("bg"), _css_var("soft"), "#ffffff"
    for fg in ("ink", "muted", "accent"):  # body text, .small/captions, links – on the page and on grey boxes
        for back in (bg, soft):
            assert contrast(_css_var(fg), back) >= 4.5, (fg, back)
    for badge in ("sig", "tend", "same"):  # white badge text on the verdict colour
        assert contrast(white, _css_var(badge)) >= 4.5, badge
    # focus indicator (WCAG 1.4.11: 3:1 against what it sits on)
    ring = re.search(r":focus-visible\{outline:\d+px solid ([^;}]+)", CSS).group(1).strip()
    ring = _css_var(ring[6:-1]) if ring.startswith("var(--") else ring
    for back in (bg, soft):
        assert contrast(ring, back) >= 3, (ring, back)


def test_chart_text_colours_have_enough_contrast_on_white():
    # change_dumbbell writes "+3 pp (ingen sikker endring)" in the verdict colour: that is text, 4.5:1 on the white chart
    for verdict, colour in ch.VERDICT_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, verdict
    # every segment colour in segment_dots is a data marker (non-text, 3:1)
    for colour in ch.PALETTE:
        assert contrast(colour, "#ffffff") >= 3, colour


def _two_question_report(report_data):
    """The synthetic report with its quotes repeated under a second question (same theme ids)."""
    q1 = next(iter(report_data.questions))
    quotes = report_data.quotes
    second = quotes.assign(question="fritekst_andre")
    return dataclasses.replace(report_data, questions={**report_data.questions, "fritekst_andre": "Noe annet?"},
                               quotes=pd.concat([quotes, second], ignore_index=True)), q1


def test_element_ids_are_unique_in_the_whole_report(report_data):
    """Quote anchors of two questions with the same theme, and the ids matplotlib writes in each inline SVG
    (figure_1, patch_1, clip paths …) must not clash: duplicate ids break in-page links and clip-path refs."""
    r, _ = _two_question_report(report_data)
    html = render_html(r, make_charts(r, png=False))
    assert html.count("<svg") >= 2
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    dupes = {k: v for k, v in ids.items() if v > 1}
    assert not dupes, sorted(dupes)[:10]
    # every in-document reference still points at an element of the document
    for ref in set(re.findall(r'(?:url\(#|href="#)([^)"]+)', html)):
        assert ref in ids, ref


def _with_suppressed_and_large_cells(report_data):
    th = report_data.themes.copy()
    seg = (th["wave"] == "2023") & (th["segment_var"] == "sektor")
    first, second = th.index[seg][:2]
    th.loc[first, ["count", "share", "ci_low", "ci_high"]] = float("nan")
    th.loc[first, "suppressed"] = True
    th.loc[second, ["count", "base", "share", "ci_low", "ci_high"]] = [1234, 2000, 0.617, 0.595, 0.638]
    return dataclasses.replace(report_data, themes=th), th.loc[first], th.loc[second]


def test_segment_tables_explain_the_suppression_symbol_and_show_ci_and_counts_visibly(report_data):
    r, hidden, big = _with_suppressed_and_large_cells(report_data)
    html = render_html(r, charts={})
    text = _visible_text(html)
    assert "–*" in text
    # the symbol is explained in visible text, not only in a title attribute (not reachable by keyboard/touch)
    assert re.search(r"–\*\s*=\s*skjult", text), "the suppression symbol –* is not explained"
    # one value per cell (pastes into a spreadsheet cell by cell): the count with the thousands separator, like
    # every other count in the report, the base, the share and both CI bounds visible in cells of their own
    row = re.search(r"<tr>((?:(?!</tr>).)*?<td[^>]*>1\u00a0234</td>(?:(?!</tr>).)*)</tr>", html, re.S).group(1)
    cells = [_visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["1\u00a0234", "2\u00a0000", "62", "60", "64"], cells
    # the caption says what the columns hold (no parentheses to explain any more)
    cap = re.search(r"<caption>([^<]*etter sektor[^<]*)</caption>", html).group(1)
    assert "grunnlag i parentes" not in cap and ("KI" in cap or "konfidens" in cap), cap


def test_abbreviations_are_explained(report_data):
    text = _visible_text(render_html(report_data, charts={}))
    assert "KI = konfidensintervall" in text
    assert "pp = prosentpoeng" in text


def test_segment_chart_does_not_tell_segments_apart_by_colour_alone(report_data):
    """Each segment gets its own marker shape as well as its own colour (WCAG 1.4.1)."""
    th = report_data.themes
    rows = th[(th["wave"] == "2023") & (th["segment_var"] == "ansatte")]
    n_segs = rows["segment"].nunique()
    assert n_segs >= 3
    chart = ch.segment_dots(rows, name="t", title="t", theme_order=list(dict.fromkeys(rows["label"])), png=False)
    shapes = set(re.findall(r'<path id="[^"]*m[0-9a-f]+"\s+d="([^"]+)"', chart.svg))
    # the two tick shapes (x and y axis) plus one data marker shape per segment
    assert len(shapes) >= 2 + n_segs, len(shapes)


@pytest.mark.parametrize("snippet", ['<html lang="nb">', "<main", '<nav class="toc" aria-label="Innhold">'])
def test_document_language_and_landmarks(report_data, snippet):
    html = render_html(report_data, charts={})
    assert snippet in html
    assert html.count("<h1>") == 1 and re.search(r"<title>[^<]{10,}</title>", html)
    levels = [int(x) for x in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "heading level skipped"


def test_chart_counts_use_the_thousands_separator():
    rows = pd.DataFrame({"label": ["Telefon"], "diff": [-0.1], "ci_low": [-0.15], "ci_high": [-0.05],
                         "n_with": [1234]})
    chart = ch.impact_bars(rows, name="t", title="t", png=False)
    assert "n = 1\u00a0234" in htmllib.unescape(chart.svg)
