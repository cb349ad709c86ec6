"""Accessibility review of the HTML report (dec07b, WCAG 2.1 AA): chart text never runs past the figure's edge
(measured, not guessed), the many-level segment chart's text alternative names its hidden cells (1.1.1), segment
chart titles and table captions name their free-text question (2.4.6 / 1.3.1), and Swedish and Danish quotes carry
their language (3.1.2)."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from textmine.report import charts as ch
from textmine.report.html import make_charts, quote_lang, quote_lang_note, render_html

LONG = ["Andel positive til oppfølgingen av sykmeldte arbeidstakere (4–5)",
        "Andel positive til informasjonen på nav.no", "Kort"]


def _svg_texts_outside(svg: str) -> list[tuple]:
    """The texts of a chart's SVG that end outside its width, as a viewer lays them out: each <text> at its x and
    anchor, as wide as its font's outlines (unhinted): (text, x0, x1, width) in points."""
    width = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg).group(1))
    out = []
    for m in re.finditer(r"<text([^>]*)>(.*?)</text>", svg, re.S):
        attrs, text = m.group(1), htmllib.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        turn = re.search(r"rotate\((-?[\d.]+)", attrs)
        if turn and float(turn.group(1)) != 0:  # (the rotated y-axis label of no chart here)
            continue
        at = re.search(r'\bx="([-\d.]+)"', attrs) or re.search(r"translate\(([-\d.]+)", attrs)  # (a line of many)
        x = float(at.group(1))
        size = float(re.search(r"font-size: ([\d.]+)px", attrs).group(1))
        anchor = re.search(r"text-anchor: (\w+)", attrs)
        prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if "bold" in attrs else "normal")
        w = TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]
        x0 = x - {"start": 0, "middle": w / 2, "end": w}[anchor.group(1) if anchor else "start"]
        if x0 < 0 or x0 + w > width:
            out.append((text, round(x0, 1), round(x0 + w, 1), width))
    return out


def _drawn_texts_outside(chart_fn, *args, **kwargs) -> list[tuple]:
    """Every text a chart draws (tick labels, axis labels, value labels, titles, legend) that ends outside its figure:
    in its PNG (drawn by Agg at the PNG's resolution: (text, x0, x1, y0, y1, figure width, figure height) in pixels)
    and in its SVG (:func:`_svg_texts_outside`)."""
    captured = {}
    real = ch.render

    def spy(fig, *a, **kw):
        out = real(fig, *a, **kw)
        captured["fig"] = fig
        return out

    ch.render = spy
    try:
        chart = chart_fn(*args, **kwargs)
    finally:
        ch.render = real
    fig = captured["fig"]
    fig.set_dpi(144)
    drawn = []
    real_draw = Text.draw

    def draw(self, renderer):
        real_draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self.get_text(), self.get_window_extent(renderer)))

    Text.draw = draw
    try:
        FigureCanvasAgg(fig).draw()
    finally:
        Text.draw = real_draw
    assert drawn, "no text drawn"
    w, h = fig.bbox.width, fig.bbox.height
    return [(t, round(b.x0), round(b.x1), round(b.y0), round(b.y1), w, h) for t, b in drawn
            if b.x0 < 0 or b.x1 > w or b.y0 < 0 or b.y1 > h] + _svg_texts_outside(chart.svg)


def _dumbbell_rows(labels) -> pd.DataFrame:
    n = len(labels)
    share = [0.9, 0.89, 0.25, 0.6, 0.4][:n]
    prev = [0.9, 0.88, 0.2, 0.5, 0.45][:n]
    return pd.DataFrame({"label": labels, "prev_share": prev, "share": share,
                         "diff": [s - p for s, p in zip(share, prev)],
                         "verdict": ["ingen sikker endring", "ingen sikker endring", "tendens", "signifikant",
                                     "ingen sikker endring"][:n]})


# ------------------------------------------------------------------ 1: text inside the figure
@pytest.mark.parametrize("labels", [LONG, ["A", "B", "C", "D", "E"]])
@pytest.mark.parametrize("language", ["nb", "nn"])
def test_change_labels_end_inside_the_figure(labels, language):
    out = _drawn_texts_outside(ch.change_dumbbell, _dumbbell_rows(labels), name="d", png=False, language=language,
                               title="Endring i indikatorer, 2023–2024")
    assert out == [], out


def test_change_labels_keep_their_text():
    """Room is made by widening the axis, not by dropping or shortening the labels."""
    chart = ch.change_dumbbell(_dumbbell_rows(LONG), name="d", title="t", png=False)
    assert htmllib.unescape(chart.svg).count("(ingen sikker endring)") == 2


IMPACT = pd.DataFrame({"label": ["Saksbehandlingstid og ventetid for vedtak om arbeidsavklaringspenger", "Usikker",
                                 "Ned, sikker", "Tendens"],
                       "diff": [0.12, 0.15, -0.09, 0.08], "ci_low": [0.05, -0.02, -0.15, -0.01],
                       "ci_high": [0.19, 0.32, -0.03, 0.17], "n_with": [200, 15, 150, 60],
                       "verdict": ["forskjell", "ingen sikker forskjell", "forskjell", "tendens"]})


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_effect_chart_text_ends_inside_the_figure(language):
    out = _drawn_texts_outside(ch.impact_bars, IMPACT, name="b", png=False, language=language,
                               title="Fornøyd med NAV: med og uten temaet («Har du andre kommentarer til NAV?»)")
    assert out == [], out
    chart = ch.impact_bars(IMPACT, name="b", title="t", png=False, language=language)
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", htmllib.unescape(chart.svg)))
    assert "95\u00a0% KI" in words  # the (wrapped) axis label keeps «95 %» together


def test_share_bars_labels_end_inside_the_figure():
    rows = pd.DataFrame({"label": LONG, "share": [0.86, 0.5, 0.1], "ci_low": [0.8, 0.45, 0.05],
                         "ci_high": [0.92, 0.55, 0.15], "count": [2559, 1000, 300], "base": [2973, 2000, 3000]})
    out = _drawn_texts_outside(ch.share_bars, rows, name="s", title="Temaer, 2024", png=False, weighted=True)
    assert out == [], out


# ------------------------------------------------------------------ 2: hidden cells in the text alternative (1.1.1)
def _segment_rows(levels, hidden) -> pd.DataFrame:
    out = []
    for t, share in (("Oppfølging av sykmeldte", 0.3), ("Telefon", 0.2), ("Ros", 0.1)):
        for s in levels:
            out.append({"label": t, "segment": s, "share": share, "ci_low": share - 0.05, "ci_high": share + 0.05,
                        "suppressed": s in hidden, "count": 10, "base": 40})
    return pd.DataFrame(out)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_many_level_chart_alt_names_the_hidden_cells(language):
    levels = ["Oslo", "Akershus", "Vestland", "Nordland", "Troms", "Agder", "Rogaland", "Innlandet"]
    rows = _segment_rows(levels, hidden={"Nordland", "Agder"})
    chart = ch.segment_bars(rows, name="f", title="Temaer etter fylke", theme_order=["Oppfølging av sykmeldte",
                                                                                     "Telefon", "Ros"],
                            png=False, language=language)
    hidden = {"nb": "skjult", "nn": "skjult"}[language]
    for theme in ("Oppfølging av sykmeldte", "Telefon", "Ros"):
        part = re.search(rf"{theme}: ([^;]*)", chart.alt).group(1)
        assert f"({hidden}: Nordland, Agder)" in part, chart.alt
        assert "Oslo 30\u00a0%" in part or "Oslo 20\u00a0%" in part or "Oslo 10\u00a0%" in part, chart.alt
    # as many cells named as the figure draws: one shown value or «skjult» per level and theme
    assert chart.svg.count(">skjult<") == 6


def test_many_level_chart_alt_has_no_hidden_note_without_hidden_cells():
    rows = _segment_rows(["Oslo", "Akershus", "Vestland", "Nordland", "Troms", "Agder", "Rogaland"], hidden=set())
    chart = ch.segment_bars(rows, name="f", title="t", theme_order=["Oppfølging av sykmeldte"], png=False)
    assert "skjult" not in chart.alt


# ------------------------------------------------------------------ 3: the question in segment titles (2.4.6, 1.3.1)
@pytest.fixture(scope="module")
def two_questions(report_data):
    """The synthetic report with a second free-text question (the same numbers under another wording)."""
    (q, text), = report_data.questions.items()
    th = report_data.themes
    themes = pd.concat([th, th[th["question"] == q].assign(question="fritekst_bra")], ignore_index=True)
    return dataclasses.replace(report_data, themes=themes,
                               questions={q: text, "fritekst_bra": "Hva fungerer godt i samarbeidet med NAV?"},
                               impact=report_data.impact.iloc[0:0], changes=report_data.changes.iloc[0:0])


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_segment_chart_titles_name_their_question(two_questions, language):
    r = dataclasses.replace(two_questions, language=language)
    charts = make_charts(r, png=False, top_segment_levels=3)  # («Antall ansatte», 5 levels: the bar chart too)
    for q, text in r.questions.items():
        segment_charts = [c for k, c in charts.items() if k.startswith(f"temaer_{q}_")]
        assert len(segment_charts) == len(r.segments)
        for c in segment_charts:
            assert f"«{text}»" in c.title and f"«{text}»" in c.alt, c.title
    titles = [c.title for k, c in charts.items() if k.count("_") > 2]
    assert len(titles) == len(set(titles)), titles
    if language == "nn":
        assert all(t.startswith(("Tema etter", "Dei vanlegaste temaa")) for t in titles), titles


def _captions(html: str, section: str) -> list[str]:
    i = html.index(f'id="{section}"')
    part = html[i:html.index("</section>", i)]
    return [htmllib.unescape(c) for c in re.findall(r"<caption>(.*?)</caption>", part, re.S)]


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_theme_and_segment_captions_name_their_question(two_questions, language):
    r = dataclasses.replace(two_questions, language=language)
    html = render_html(r, charts={})
    for section in ("tema", "segment"):
        caps = _captions(html, section)
        assert len(caps) == len(set(caps)) >= 2, caps
        for text in r.questions.values():
            assert any(f"«{text}»" in c for c in caps), (text, caps)
    if language == "nn":
        assert all(c.startswith("Del som nemner kvart tema") for c in _captions(html, "tema"))


# ------------------------------------------------------------------ 4: Swedish and Danish quotes (3.1.2)
@pytest.mark.parametrize(("code", "lang", "note"), [("sv", "sv", "(på svensk)"), ("da", "da", "(på dansk)"),
                                                    ("svensk", "sv", "(på svensk)"), ("en", "en", "(på engelsk)")])
def test_neighbour_language_quotes_get_a_lang_and_a_note(code, lang, note):
    assert quote_lang(code, "nb") == lang and quote_lang(code, "nn") == lang
    assert quote_lang_note(quote_lang(code, "nb"), "nb") == note
    assert quote_lang_note(quote_lang(code, "nn"), "nn") == note


def test_no_note_for_norwegian_or_unknown_languages():
    assert quote_lang("nn", "nb") == "nn" and quote_lang_note("nn", "nb") == ""
    assert quote_lang("other", "nb") == "" and quote_lang_note("", "nb") == ""


def test_a_swedish_quote_is_marked_in_the_report(report_data):
    quotes = report_data.quotes.copy()
    assert len(quotes) >= 2
    quotes["language"] = ["sv", "da"] + ["nb"] * (len(quotes) - 2)
    html = render_html(dataclasses.replace(report_data, quotes=quotes), charts={})
    for lang, note in (("sv", "(på svensk)"), ("da", "(på dansk)")):
        m = re.search(rf'<blockquote lang="{lang}">«[^<]*»</blockquote><div class="attr">([^<]*)</div>', html)
        assert m, f"no quote marked lang={lang}"
        assert m.group(1) == note
    assert '<blockquote lang="nb">' not in html  # (the page's own language: no lang of its own)


def test_every_quote_language_note_has_a_nynorsk_wording():
    from textmine.report.html import QUOTE_LANG_NOTES
    from textmine.report.wording import NN

    assert set(QUOTE_LANG_NOTES) == {"en", "sv", "da"}
    assert [n for n in QUOTE_LANG_NOTES.values() if n not in NN] == []
