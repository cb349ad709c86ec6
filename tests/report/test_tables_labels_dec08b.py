"""Long, empty and unbroken labels: the terminal tables fold them at word boundaries only, the charts wrap them
and keep every text inside the image and off the plot (also at 0 % and 100 %), and masking many column names
stays cheap."""

from __future__ import annotations

import dataclasses
import re
import warnings

import pandas as pd
import pytest
from rich.cells import cell_len

from textmine.classify import table as table_mod
from textmine.report import charts as ch
from textmine.texttables import fold_label, text_tables

LONG = ("Tilgjengelighet på telefon og saksbehandlingstid for arbeidsgivere i Møre og Romsdal som venter lenge "
        "på svar fra NAV-kontoret")
NOSPACE = "Arbeidsgivertilbakemeldingsoppfølgingsforsinkelsessaksbehandlingsrutinebeskrivelse"
INDICATOR = "Alt i alt: hvor fornøyd er du med oppfølgingen fra NAV Arbeidslivssenter når det gjelder sykefravær"


# -- fold_label -------------------------------------------------------------------------------------------------------

def test_fold_label_breaks_at_spaces_and_after_hyphens():
    assert fold_label("Ros til NAV-kontoret – veldig fornøyd", 12) == "Ros til NAV-\nkontoret –\nveldig\nfornøyd"
    assert fold_label("Kort", 12) == "Kort" and fold_label("", 12) == ""
    # a soft hyphen shows as «-» only where the line breaks there
    assert fold_label("Arbeidsgive\u00adtilbakemelding", 12) == "Arbeidsgive-\ntilbakemeldi\nng"
    assert fold_label("Arbeids\u00adgiver", 20) == "Arbeidsgiver"
    # «1-2», «2024» are not words: no break after their hyphen; no-break spaces hold
    assert fold_label("Fornøyd-2024 og 1-2 ting", 12) == "Fornøyd-2024\nog 1-2 ting"
    assert fold_label("n = 1\u00a0234 av 2\u00a0973", 8) == "n =\n1\u00a0234 av\n2\u00a0973"


def test_fold_label_splits_only_a_word_wider_than_the_column_by_terminal_cells():
    assert fold_label("x" * 30, 12) == "\n".join(["x" * 12, "x" * 12, "x" * 6])
    wide = fold_label("漢字" * 10, 12)  # two cells each
    assert all(cell_len(line) <= 12 for line in wide.split("\n")) and wide.replace("\n", "") == "漢字" * 10
    decomposed = "a\u030a" * 20  # «å» as a letter and a combining ring: one cell, never split from its ring
    lines = fold_label(decomposed, 12).split("\n")
    assert [cell_len(x) for x in lines] == [12, 8] and not any(x.startswith("\u030a") for x in lines)


# -- terminal tables --------------------------------------------------------------------------------------------------

def _long_labelled(summary):
    themes = dict(summary.meta["theme_labels"], telefon=LONG, saksbehandlingstid=NOSPACE,
                  refusjon="Ros til NAV-kontoret – veldig fornøyd med oppfølgingsarbeidet")
    ind = summary.table("indicators").copy()
    ind["label"] = ind["label"].astype(object)
    ind.loc[ind["indicator"] == "helhet", "label"] = INDICATOR  # (was cut at 60 characters, inside a word)
    return dataclasses.replace(summary, meta={**summary.meta, "theme_labels": themes},
                               tables={**summary.tables, "indicators": ind})


def test_terminal_tables_fold_long_labels_between_words_never_inside_one(summary):
    s = _long_labelled(summary)
    text = text_tables(s, width=140)
    assert all(cell_len(line) <= 140 for line in text.splitlines())
    cells = [m[1] for line in text.splitlines() if (m := re.match(r"│ ([^│]*?) *│", line))]  # the label column
    shown = " ".join(c.strip() for c in cells)
    for label in (LONG, "Ros til NAV-kontoret – veldig fornøyd med oppfølgingsarbeidet", INDICATOR):
        for word in label.replace("NAV-kontoret", "NAV- kontoret").split():
            assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", shown), f"{word!r} folded or cut off"
    # a word wider than the column is the only one split: its pieces, in order, make the word
    pieces = [c.strip() for c in cells if c.strip() and c.strip() in NOSPACE]
    assert "".join(pieces).startswith(NOSPACE[:40]) and len(pieces) >= 2


# -- charts -----------------------------------------------------------------------------------------------------------

LABELS = [LONG, NOSPACE, "", "Ros", "Æøå"]
SHARES = [1.0, 0.0, 0.5, 0.999, 0.02]
LOW = [0.95, 0.0, 0.0, 0.97, 0.0]
HIGH = [1.0, 0.05, 1.0, 1.0, 0.08]


def _segments():
    return pd.DataFrame([{"segment": seg, "label": lab, "share": s, "ci_low": lo, "ci_high": hi, "suppressed": False}
                         for seg in ("Privat", "Offentlig " + LONG[:40], NOSPACE[:50])
                         for lab, s, lo, hi in zip(LABELS, SHARES, LOW, HIGH)])


CHARTS = {
    "share_bars": lambda: ch.share_bars(pd.DataFrame({
        "label": LABELS, "share": SHARES, "ci_low": LOW, "ci_high": HIGH, "count": [2973, 0, 5, 999, 1],
        "base": [2973, 2973, 10, 1000, 50]}), name="a", title="Temaer " + LONG, weighted=True),
    "change_dumbbell": lambda: ch.change_dumbbell(pd.DataFrame({
        "label": LABELS, "share": SHARES, "prev_share": [0.0, 1.0, 0.5, 0.5, 0.9], "diff": [1.0, -1.0, 0, .499, -.88],
        "verdict": ["signifikant", "tendens", "ingen sikker endring", "signifikant", "signifikant"]}),
        name="b", title="Endring"),
    "impact_bars": lambda: ch.impact_bars(pd.DataFrame({
        "label": LABELS, "diff": [1.0, -1.0, 0.0, 0.3, -0.2], "ci_low": [0.9, -1.0, -0.5, 0.1, -0.4],
        "ci_high": [1.0, -0.9, 0.5, 0.5, 0.0], "n_with": [10, 20, 30, 40, 50],
        "verdict": ["forskjell", "forskjell", "ingen sikker forskjell", "tendens", "forskjell"]}),
        name="c", title="Betydning"),
    "segment_dots": lambda: ch.segment_dots(_segments(), name="d", title="Segmenter", theme_order=LABELS),
    "segment_bars": lambda: ch.segment_bars(_segments(), name="e", title="Segmenter", theme_order=LABELS),
}


def _drawn_texts(fig):
    """The texts the figure draws (tick labels outside the axes' limits are not drawn)."""
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in axis.get_major_ticks():
                if not min(lim) - 1e-9 <= tick.get_loc() <= max(lim) + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _problems(fig) -> list[str]:
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box, out = fig.bbox, []
    for t in _drawn_texts(fig):
        b = t.get_window_extent(r)
        if b.x0 < box.x0 - 0.5 or b.x1 > box.x1 + 0.5 or b.y0 < box.y0 - 0.5 or b.y1 > box.y1 + 0.5:
            out.append(f"outside the image: {t.get_text()[:30]!r}")
    for ax in fig.axes:
        plot = ax.get_window_extent(r)
        ticks = sorted((t.get_window_extent(r) for t in ax.get_yticklabels() if t.get_text().strip()),
                       key=lambda b: b.y0)
        out += [f"label over the plot at y {b.y0:.0f}" for b in ticks if b.x1 > plot.x0 + 0.5]
        out += ["labels overlap" for a, b in zip(ticks, ticks[1:]) if a.y1 > b.y0 + 0.5]
        out += [f"value label off the plot: {t.get_text()[:30]!r}" for t in ax.texts
                if t.get_text().strip() and t.get_transform() is ax.transData
                and not plot.x0 - 0.5 <= t.get_window_extent(r).x0 <= t.get_window_extent(r).x1 <= plot.x1 + 0.5]
    return out


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_extreme_labels_stay_inside_the_image_and_off_the_plot(kind, monkeypatch):
    kept = []
    monkeypatch.setattr(ch.plt, "close", lambda fig=None: kept.append(fig))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # «Tight layout not applied» when a label leaves no room for the plot
        chart = CHARTS[kind]()
    fig = kept[-1]
    assert _problems(fig) == []
    fig.set_dpi(144)  # as the PNG is drawn
    assert _problems(fig) == []
    assert chart.png.startswith(b"\x89PNG")
    # the SVG: every text placed inside its view box, the labels whole (wrapped, not cut)
    w, h = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', chart.svg).groups())
    places = (re.findall(r'<text[^>]*?\bx="(-?[\d.]+)" y="(-?[\d.]+)"', chart.svg)
              + re.findall(r'<text[^>]*?translate\((-?[\d.]+) (-?[\d.]+)\)', chart.svg))
    assert len(places) >= 8 and all(0 <= float(x) <= w and 0 <= float(y) <= h for x, y in places)
    svg_words = " ".join(re.findall(r">([^<>]+)</text>", chart.svg))
    assert "saksbehandlingstid" in svg_words and "NAV-" in svg_words
    monkeypatch.undo()
    ch.plt.close(fig)


ONE_ROW = {  # one row whose label (~800 characters) wraps to more lines than the figure's first height holds
    "share_bars": lambda lab: ch.share_bars(pd.DataFrame({
        "label": [lab], "share": [0.5], "ci_low": [0.4], "ci_high": [0.6], "count": [5], "base": [10]}),
        name="a", title="Indikatorer"),
    "change_dumbbell": lambda lab: ch.change_dumbbell(pd.DataFrame({
        "label": [lab], "share": [0.5], "prev_share": [0.3], "diff": [0.2], "verdict": ["signifikant"]}),
        name="b", title="Endring"),
    "impact_bars": lambda lab: ch.impact_bars(pd.DataFrame({
        "label": [lab], "diff": [0.1], "ci_low": [0.0], "ci_high": [0.2], "n_with": [10], "verdict": ["forskjell"]}),
        name="c", title="Betydning"),
    "segment_dots": lambda lab: ch.segment_dots(pd.DataFrame([
        {"segment": s, "label": lab, "share": 0.5, "ci_low": 0.4, "ci_high": 0.6, "suppressed": False}
        for s in ("Privat", "Offentlig")]), name="d", title="Segmenter", theme_order=[lab]),
    "segment_bars": lambda lab: ch.segment_bars(pd.DataFrame([  # one segment level with the long name
        {"segment": lab, "label": "Telefon", "share": 0.5, "ci_low": 0.4, "ci_high": 0.6, "suppressed": False}]),
        name="e", title="Segmenter", theme_order=["Telefon"]),
}


@pytest.mark.parametrize("kind", sorted(ONE_ROW))
def test_a_single_very_long_label_makes_the_figure_taller(kind, monkeypatch):
    kept = []
    monkeypatch.setattr(ch.plt, "close", lambda fig=None: kept.append(fig))
    label = (INDICATOR + " ") * 8  # (a single row was skipped when the figure grew for its labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = ONE_ROW[kind](label.strip())
    fig = kept[-1]
    assert _problems(fig) == [] and fig.get_size_inches()[1] > 3
    fig.set_dpi(144)
    assert _problems(fig) == []
    w, h = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', chart.svg).groups())
    places = (re.findall(r'<text[^>]*?\bx="(-?[\d.]+)" y="(-?[\d.]+)"', chart.svg)
              + re.findall(r'<text[^>]*?translate\((-?[\d.]+) (-?[\d.]+)\)', chart.svg))
    assert places and all(0 <= float(x) <= w and 0 <= float(y) <= h for x, y in places)
    monkeypatch.undo()
    ch.plt.close(fig)


# -- masked column names --------------------------------------------------------------------------------------------

def test_masked_column_names_checks_each_name_once(monkeypatch):
    import textmine.masking as masking

    calls: list[str] = []
    real = masking.mask_personal
    monkeypatch.setattr(masking, "mask_personal", lambda name, marker, **kw: calls.append(name) or real(name, marker))
    table_mod._masked_name.cache_clear()
    cols = ["Kari Nordmann 01019012480", "Hvor fornøyd er du?", "ola_nordmann_91234567"]
    first = table_mod.masked_column_names(cols)
    # a file coded in parts masks the same names for every part (and again for its outputs): checked once
    assert table_mod.masked_column_names(cols) == first and sorted(calls) == sorted(cols)
    assert first == {cols[0]: "[NAVN] [FØDSELSNUMMER]", cols[2]: table_mod.HIDDEN_COLUMN_NAME}
    table_mod._masked_name.cache_clear()


def test_many_clashing_masked_names_get_the_smallest_free_suffix(monkeypatch):
    import textmine.masking as masking

    monkeypatch.setattr(masking, "mask_personal", lambda name, marker, **kw: marker)  # every name an id: all clash
    table_mod._masked_name.cache_clear()
    names = [f"id_{i}" for i in range(10_000)] + ["[REDIGERT] (3)"]
    out = table_mod.masked_column_names(names, skip=["[REDIGERT] (3)"])
    table_mod._masked_name.cache_clear()
    # the smallest free suffix, as before («(3)» is another column's name); every name distinct
    assert [out[f"id_{i}"] for i in range(4)] == ["[REDIGERT]", "[REDIGERT] (2)", "[REDIGERT] (4)", "[REDIGERT] (5)"]
    assert len(set(out.values())) == 10_000 and "[REDIGERT] (3)" not in out.values()
