"""The effect chart («Betydning») is coloured and labelled by the tables' verdict, not by the sign of the effect."""

from __future__ import annotations

import html as htmllib
import re

import pandas as pd

from textmine.report import charts as ch


def _bar_fills(svg: str) -> list[str]:
    """The fill of the chart's bars (patches clipped to the axes: not the background or the legend), in drawing
    order; a hatched bar's fill is its pattern (``url(#…)``)."""
    return re.findall(r'<g id="[^"]*patch_\d+">\s*<path d="M [^"]+"\s+clip-path="[^"]+" style="fill: ([^";]+)', svg)


def test_bars_are_coloured_by_verdict_and_a_non_significant_bar_is_not_a_finding():
    rows = pd.DataFrame({"label": ["Stor, sikker", "Stor, usikker", "Lav, sikker", "Tendens"],
                         "diff": [0.12, 0.15, -0.09, 0.08], "ci_low": [0.05, -0.02, -0.15, -0.01],
                         "ci_high": [0.19, 0.32, -0.03, 0.17], "n_with": [200, 15, 150, 60],
                         "verdict": ["forskjell", "ingen sikker forskjell", "forskjell", "tendens"]})
    chart = ch.impact_bars(rows, name="t", title="t", png=False)
    fills = set(_bar_fills(chart.svg))
    assert ch.GREEN in fills and ch.RED in fills, f"the two sure differences: expected green and red bars, got {fills}"
    assert ch.IMPACT_CLASSES["none"][1] in fills and any(f.startswith("url(") for f in fills), \
        f"expected a grey bar (no sure difference) and a hatched one (tendency), got {fills}"
    assert len(_bar_fills(chart.svg)) == len(rows), _bar_fills(chart.svg)
    # one bar per row: green only for the sure increase (the larger, non-significant +15 pp is not green)
    assert [ch.impact_class(v, d) for v, d in zip(rows["verdict"], rows["diff"])] == \
        ["higher", "none", "lower", "tendency"]
    svg = htmllib.unescape(chart.svg)
    for key in ("higher", "lower", "tendency", "none"):
        assert IMPACT_TEXT[key] in svg, f"legend: expected «{IMPACT_TEXT[key]}» in the chart"
    assert "Stor, usikker +15\u00a0pp: ingen sikker forskjell" in chart.alt, chart.alt


IMPACT_TEXT = {k: v[0] for k, v in ch.IMPACT_CLASSES.items()}


def test_only_green_bar_is_the_sure_difference():
    rows = pd.DataFrame({"label": ["A", "B"], "diff": [0.2, 0.1], "ci_low": [-0.05, 0.02],
                         "ci_high": [0.45, 0.18], "n_with": [12, 300], "verdict": ["ingen sikker forskjell", "forskjell"]})
    fills = _bar_fills(ch.impact_bars(rows, name="t", title="t", png=False).svg)
    assert fills.count(ch.GREEN) == 1, f"exactly one green bar (B, the sure difference) expected, got {fills}"


def test_html_impact_table_prints_the_verdict(report_data):
    from textmine.report.html import render_html

    page = render_html(report_data, charts={})
    table = page[page.index('id="betydning"'):]
    table = table[: table.index("</table>")]
    assert "<th scope=\"col\">Vurdering</th>" in table, "the impact table has no column «Vurdering»"
    for v in report_data.impact["verdict"]:
        assert f"<td>{v}</td>" in table, f"verdict {v!r} not printed in the impact table"
