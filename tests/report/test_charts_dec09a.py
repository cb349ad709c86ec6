"""Segment dot chart (dec 9): the legend sits outside the axes, so it never covers a dot — checked on the laid-out
figure, the legend's drawn box against every dot's position in display coordinates."""

import numpy as np
import pandas as pd
import pytest

from textmine.report import charts as ch


def _laid_out(monkeypatch, rows, themes):
    """The chart's figure as rendered (PNG and SVG written), kept open for measuring."""
    kept = []
    monkeypatch.setattr(ch.plt, "close", kept.append)
    chart = ch.segment_dots(rows, name="d", title="Temaer etter sektor", theme_order=themes, png=True)
    assert chart.png.startswith(b"\x89PNG")
    return kept[0]


def _dots_px(fig) -> np.ndarray:
    """Every dot's centre in display pixels (the errorbar markers)."""
    ax = fig.axes[0]
    pts = [ax.transData.transform(np.column_stack(line.get_data()))
           for line in ax.get_lines() if line.get_marker() not in (None, "None", "", " ")]
    return np.vstack(pts)


@pytest.mark.parametrize("n_segs", [2, 5])
def test_the_legend_covers_no_dot(monkeypatch, n_segs):
    themes = ["Telefon", "Ros", "Refusjon", "Digitale tjenester"]
    segs = ["Privat", "Offentlig", "Frivillig", "Kommune", "Stat"][:n_segs]
    # the dots sit in the lower right corner (last theme, shares near the top of the axis), where the legend was
    share = {"Telefon": 0.2, "Ros": 0.4, "Refusjon": 0.6, "Digitale tjenester": 0.9}
    rows = pd.DataFrame([{"label": t, "segment": s, "share": share[t] - 0.02 * i, "ci_low": share[t] - 0.02 * i - 0.03,
                          "ci_high": share[t] - 0.02 * i + 0.03, "suppressed": False}
                         for t in themes for i, s in enumerate(segs)])
    fig = _laid_out(monkeypatch, rows, themes)
    renderer = fig.canvas.get_renderer()
    legends = fig.legends + [a.get_legend() for a in fig.axes if a.get_legend() is not None]
    assert len(legends) == 1
    box = legends[0].get_window_extent(renderer)
    dots = _dots_px(fig)
    assert len(dots) == len(themes) * n_segs
    r = 4 * fig.dpi / 72  # the marker's size (ms=4 points): a dot touching the box counts as covered
    inside = [(x, y) for x, y in dots if box.x0 - r <= x <= box.x1 + r and box.y0 - r <= y <= box.y1 + r]
    assert not inside, f"legend box {box} covers dots at {inside}"
    # and the legend lies inside the figure, every entry readable
    assert 0 <= box.x0 and box.x1 <= fig.bbox.x1 and 0 <= box.y0 and box.y1 <= fig.bbox.y1
    assert {t.get_text() for t in legends[0].get_texts()} == set(segs)
    # nor over the axes (ticks and labels included)
    axbox = fig.axes[0].get_tightbbox(renderer)
    assert box.y1 <= axbox.y0 + 1
