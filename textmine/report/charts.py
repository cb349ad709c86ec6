"""Static charts (matplotlib, Agg): one figure per chart, rendered to SVG (inline + file) and PNG."""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..texttables import fold_label  # noqa: E402
from .numbers import change_digits, fmt_int, fmt_pct, fmt_pp  # noqa: E402
from .views import small_group_number  # noqa: E402
from .wording import change_verdict, nn_text, say, small_group_label  # noqa: E402

BLUE = "#1f5a96"
GREY = "#6b7280"  # 4.8:1 on white: also used for text ("+1 pp (ingen sikker endring)")
ORANGE = "#c2510f"
GREEN = "#2e7d32"
RED = "#b3261e"
PALETTE = ["#1f5a96", "#c2510f", "#2e7d32", "#6a3d9a", "#8c564b", "#00838f"]
VERDICT_COLOURS = {"signifikant": "#b3261e", "tendens": "#c2510f", "ingen sikker endring": GREY}
MARKERS = ["o", "s", "^", "D", "v", "P"]  # one shape per segment: colour is never the only cue (WCAG 1.4.1)

plt.rcParams.update({
    "svg.fonttype": "none",  # keep text as text: searchable, accessible, small
    "svg.hashsalt": "textmine",  # deterministic ids
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
})

_TEXT_PATH = TextToPath()
_pct_axis = FuncFormatter(lambda x, _: fmt_pct(x))
_pp_axis = FuncFormatter(lambda x, _: fmt_pp(x))


@dataclass
class Chart:
    """One rendered chart: name (file stem), title, alt text, SVG markup and PNG bytes."""

    name: str
    title: str
    alt: str
    svg: str
    png: bytes

    def inline_svg(self) -> str:
        """SVG markup for embedding in HTML, with role/aria attributes."""
        return self.svg


def render(fig, name: str, title: str, alt: str, *, png: bool = True, rect=None) -> Chart:
    _layout(fig, rect)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "textmine"})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # ids unique in the whole report (several charts are inlined in one page): prefix them with the chart name
    svg = re.sub(r'(\sid="|url\(#|xlink:href="#)', lambda m: m.group(1) + f"{name}-", svg)
    safe_alt = alt.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{safe_alt}" ', 1)
    data = b""
    if png:
        pbuf = io.BytesIO()
        fig.savefig(pbuf, format="png", dpi=144, metadata={"Software": "textmine"})
        data = pbuf.getvalue()
    plt.close(fig)
    return Chart(name=name, title=title, alt=alt, svg=svg, png=data)


#: the most layout passes :func:`_layout` makes (one when every text fits at once)
_LAYOUT_ROUNDS = 4


def _layout(fig, rect=None) -> None:
    """Tight layout, then room for every text by its measured width (:func:`_text_width`, never guessed from its
    length): long category labels wrapped (:func:`_wrap_ticklabels`) and the figure made taller where they need it
    (:func:`_taller_for_labels`), each axes' x range widened until its value labels end inside it, and its x-axis
    label wrapped to its width, then laid out again until nothing changes. No label runs past the figure's edge
    (cut off in the PNG and in the SVG) or over the plot."""
    where = {"rect": rect} if rect is not None else {}
    _wrap_ticklabels(fig)
    _keep_room(where, _room_for_layout(fig, fig.canvas.get_renderer()))
    for _ in range(_LAYOUT_ROUNDS):
        fig.tight_layout(pad=0.4, **where)
        renderer = fig.canvas.get_renderer()
        grown = _taller_for_labels(fig, renderer)
        changed = grown != 1
        _keep_room(where, grown)
        for ax in fig.axes:
            changed |= _wrap_xlabel(ax, renderer)
            changed |= _room_for_texts(ax, renderer)
        if not changed:
            return
    fig.tight_layout(pad=0.4, **where)  # (the last round's change laid out too)


def _keep_room(where: dict, grown: float) -> None:
    """Keep the room ``where["rect"]`` leaves above and below the axes (legend, titles) as high after the figure grew
    ``grown`` times."""
    if grown != 1 and "rect" in where:
        x0, y0, x1, y1 = where["rect"]
        where["rect"] = (x0, y0 / grown, x1, 1 - (1 - y1) / grown)


#: the width a text is given room for, as a share of its outline width: renderers round glyph widths differently
#: (Agg hints them, more at some sizes and resolutions; browsers draw the SVG's text with their own)
_TEXT_MARGIN = 1.06


def _text_width(t, dpi: float) -> float:
    """The width of text artist ``t`` in pixels at ``dpi``, from the font's outlines (unhinted: as an SVG viewer
    lays it out, not as the Agg renderer happens to round it), with :data:`_TEXT_MARGIN`."""
    return max(map(_measure(t.get_fontproperties(), dpi), t.get_text().split("\n")))


def _measure(prop, dpi: float):
    """The width in pixels at ``dpi`` of one line of text in font ``prop`` (as :func:`_text_width`)."""
    return lambda line: _TEXT_PATH.get_text_width_height_descent(line, prop, ismath=False)[0] * dpi / 72 * _TEXT_MARGIN


#: the widest a category label (the y axis's theme, segment or indicator name) is drawn, as a share of the figure's
#: width: a wider one wraps at its words (a word wider than that alone is split), so the plot keeps its room
_LABEL_SHARE = 0.4


def _wrap_ticklabels(fig) -> None:
    """Wrap each axes' y-axis labels wider than :data:`_LABEL_SHARE` of the figure at word boundaries or after a
    hyphen (:func:`textmine.texttables.fold_label`, by measured width)."""
    limit = _LABEL_SHARE * fig.bbox.width
    for ax in fig.axes:
        labels = ax.get_yticklabels()
        texts = [t.get_text() for t in labels]
        if not any(texts):
            continue
        measure = _measure(labels[0].get_fontproperties(), fig.dpi)
        wrapped = ["\n".join(fold_label(line, limit, measure) for line in t.split("\n")) for t in texts]
        if wrapped != texts:
            ax.set_yticks(ax.get_yticks(), wrapped)


def _taller_for_labels(fig, renderer, gap: float = 2.0) -> float:
    """Make the figure taller where an axes' (wrapped) y-axis labels are taller than the rows they label, ``gap``
    pixels between them (they would overlap each other; a single label's row is the axes' height around its tick,
    so it stays off the texts above and below the plot and inside the figure); returns new height / old height (1:
    unchanged)."""
    short = 0.0
    for ax in fig.axes:
        ticks = sorted(ax.transData.transform([(0, y) for y in ax.get_yticks()])[:, 1])
        labels = [t for t in ax.get_yticklabels() if t.get_text().strip()]
        if not labels or not ticks:
            continue
        box = ax.get_window_extent(renderer)
        row = (min(b - a for a, b in zip(ticks, ticks[1:])) if len(ticks) > 1
               else 2 * min(ticks[0] - box.y0, box.y1 - ticks[0]))
        need = max(t.get_window_extent(renderer).height for t in labels) + gap
        short = max(short, (need - row) * len(ticks))
    if short <= 0.5:
        return 1.0
    w, h = fig.get_size_inches()
    fig.set_size_inches(w, h + short / fig.dpi)
    return (h + short / fig.dpi) / h


def _room_for_layout(fig, renderer, gap: float = 2.0) -> float:
    """Make the figure tall enough that each y-axis label, where the axes are before the first layout, lies inside it
    (``gap`` pixels from its edges): a label taller than that leaves tight layout no room for the plot («not
    applied»), and :func:`_taller_for_labels` then grows the figure from the laid-out axes. Returns new height / old
    height (1: unchanged)."""
    height = fig.bbox.height
    need = height
    for ax in fig.axes:
        ticks = ax.transData.transform([(0, y) for y in ax.get_yticks()])[:, 1]
        for tick, label in zip(ticks, ax.get_yticklabels()):
            if label.get_visible() and label.get_text().strip() and 0 < tick < height:
                box = label.get_window_extent(renderer)
                need = max(need, (tick - box.y0 + gap) * height / tick,
                           (box.y1 - tick + gap) * height / (height - tick))
    if need <= height + 0.5:
        return 1.0
    w, h = fig.get_size_inches()  # (the axes keep their place as a share of the figure: the label's room grows too)
    fig.set_size_inches(w, h * need / height)
    return need / height


def _wrap_xlabel(ax, renderer) -> bool:
    """Wrap ``ax``'s x-axis label to the axes' width when it is wider (it is centred under the axes, so a wider one
    can run past the figure's edge); True when it changed. Wraps at spaces only: «95\u00a0%» stays together."""
    label = ax.xaxis.label
    text = label.get_text()
    width = ax.get_window_extent(renderer).width
    drawn = _text_width(label, ax.figure.dpi) if text else 0.0
    if drawn <= width or width <= 0:
        return False
    longest = max(len(line) for line in text.split("\n"))
    lines = textwrap.wrap(" ".join(text.split("\n")), max(10, int(longest * width / drawn) - 1))
    if "\n".join(lines) == text:
        return False
    label.set_text("\n".join(lines))
    return True


def _room_for_texts(ax, renderer, pad: float = 3.0) -> bool:
    """Widen ``ax``'s x range until every text placed in its data coordinates (value labels beside bars and dots)
    lies inside the axes, ``pad`` pixels from its edges; True when it changed. A text wider than most of the axes is
    left as it is (no x range can hold it)."""
    box = ax.get_window_extent(renderer)
    width = box.width
    lo, hi = ax.get_xlim()
    new_lo, new_hi = lo, hi
    for t in ax.texts:
        if t.get_transform() is not ax.transData or not t.get_visible() or not t.get_text().strip():
            continue
        x = float(t.get_position()[0])
        anchor = ax.transData.transform((x, 0))[0]
        w = _text_width(t, ax.figure.dpi)
        share_left = {"left": 0.0, "center": 0.5, "right": 1.0}.get(t.get_horizontalalignment(), 0.0)
        right, left = w * (1 - share_left) + pad, w * share_left + pad  # the text's reach either side of its anchor
        if anchor + right > box.x1 + 0.01 and right < 0.8 * width:
            new_hi = max(new_hi, lo + (x - lo) * width / (width - right))
        if anchor - left < box.x0 - 0.01 and left < 0.8 * width:
            new_lo = min(new_lo, (x * width - left * hi) / (width - left))
    if (new_lo, new_hi) == (lo, hi):
        return False
    ax.set_xlim(new_lo, new_hi)
    return True


def _title(fig, title: str) -> None:
    """Figure-level, left-aligned, wrapped title (never clipped by long axis labels)."""
    fig.suptitle("\n".join(textwrap.wrap(title, 85)), x=0.01, ha="left", fontsize=10, fontweight="bold")


def _height(n_rows: int) -> float:
    return max(1.8, 0.32 * n_rows + 0.9)


def share_bars(rows: pd.DataFrame, *, name: str, title: str, label_col: str = "label",
               n_col: str = "count", png: bool = True, language: str = "nb", weighted: bool = False) -> Chart:
    """Horizontal bars with 95 % CI error bars, sorted by share; labels show share and n/base (``weighted``: the
    share is weighted and n/base are not, so the label says «(vektet)» after the share)."""
    mark = say(" (vektet)", language) if weighted else ""
    rows = rows.dropna(subset=["share"]).sort_values("share")
    fig, ax = plt.subplots(figsize=(7.2, _height(len(rows))))
    y = np.arange(len(rows))
    share = rows["share"].to_numpy(float)
    lo = np.clip(share - rows["ci_low"].to_numpy(float), 0, None)
    hi = np.clip(rows["ci_high"].to_numpy(float) - share, 0, None)
    ax.barh(y, share, color=BLUE, height=0.62)
    ax.errorbar(share, y, xerr=[lo, hi], fmt="none", ecolor="#222", elinewidth=1, capsize=2.5)
    ax.set_yticks(y, rows[label_col].astype(str))
    for yi, (_, r) in zip(y, rows.iterrows()):
        ax.text(r["ci_high"] + 0.01, yi,
                f"{fmt_pct(r['share'])}{mark}  (n = {fmt_int(r[n_col])} av {fmt_int(r['base'])})",
                va="center", fontsize=7.5, color="#333")
    xmax = float(np.nanmax(rows["ci_high"])) if len(rows) else 1.0
    # room for the "86 % (n = 2 559 av 2 973)" labels (a fifth more for «(vektet)»)
    ax.set_xlim(0, (xmax + 0.12 + 0.6 * xmax) * (1.2 if mark else 1))
    ax.set_xticks([t for t in np.arange(0, 1.01, 0.1 if xmax < 0.5 else 0.2) if t <= xmax + 0.1])
    ax.xaxis.set_major_formatter(_pct_axis)
    _title(fig, title)
    ax.set_xlabel(say("Andel med 95\u00a0% konfidensintervall", language))
    alt = title + ": " + "; ".join(f"{r[label_col]} {fmt_pct(r['share'])}{mark}" for _, r in rows[::-1].iterrows())
    return render(fig, name, title, alt, png=png)


def small_last(levels) -> list:
    """``levels`` with the neutral «Liten gruppe» labels after all named levels, in the order of their numbers
    («Liten gruppe 1», «… 2» …, never the order of the names behind them); the named levels keep their order."""
    levels = list(levels)
    number = [small_group_number(x) for x in levels]
    small = sorted((n, i) for i, n in enumerate(number) if n >= 0)
    return [x for x, n in zip(levels, number) if n < 0] + [levels[i] for _, i in small]


def segment_dots(rows: pd.DataFrame, *, name: str, title: str, theme_order: list[str], png: bool = True,
                 language: str = "nb") -> Chart:
    """Dot plot: one row per theme, one coloured dot (with CI) per segment value."""
    segs = small_last(dict.fromkeys(rows["segment"]))
    themes = [t for t in theme_order if t in set(rows["label"])]
    labels = [small_group_label(str(s), language) for s in segs]
    drawn = rows["label"].isin(themes) & ~rows["suppressed"].astype(bool)
    n_legend = sum(bool((drawn & (rows["segment"] == s)).any()) for s in segs)  # (a level wholly hidden: none)
    longest = max(map(len, labels), default=1)
    ncol = max(1, min(n_legend, 4 if longest <= 14 else 3 if longest <= 22 else 2 if longest <= 40 else 1))
    legend = 0.2 + 0.17 * -(-n_legend // ncol) if n_legend else 0.0  # room under the axes: never over the dots
    height = _height(len(themes)) + 0.4 + legend
    fig, ax = plt.subplots(figsize=(7.2, height))
    offsets = np.linspace(-0.28, 0.28, len(segs)) if len(segs) > 1 else [0.0]
    hidden: list[str] = []
    for i, seg in enumerate(segs):
        part = rows[rows["segment"] == seg].set_index("label")
        ys, xs, los, his = [], [], [], []
        for j, t in enumerate(themes):
            if t in part.index and not bool(part.loc[t, "suppressed"]):
                r = part.loc[t]
                ys.append(j + offsets[i])
                xs.append(r["share"])
                los.append(max(0, r["share"] - r["ci_low"]))
                his.append(max(0, r["ci_high"] - r["share"]))
        if not xs:  # every cell of this level is hidden (small base): no point to show, say why in the legend
            hidden.append(small_group_label(str(seg), language))
            continue
        ax.errorbar(xs, ys, xerr=[los, his], fmt=MARKERS[i % len(MARKERS)], ms=4, color=PALETTE[i % len(PALETTE)],
                    elinewidth=1, capsize=0, label=small_group_label(str(seg), language), clip_on=False)
    ax.set_yticks(range(len(themes)), themes)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_pct_axis)
    ax.set_xlim(left=0)
    _title(fig, title)
    if hidden:  # not in the figure (nor in the legend) because every cell of the level is hidden: say so
        why = say("Ikke vist: {levels} (skjult fordi grunnlaget er for lite, eller for at skjulte tall ikke skal kunne "
                  "regnes ut)", language, levels=", ".join(hidden))
        ax.set_xlabel("\n".join(textwrap.wrap(why, 80)), fontsize=8, color=GREY)
    if ax.get_legend_handles_labels()[0]:  # no legend (and no matplotlib warning) when every level is hidden
        fig.legend(loc="lower center", ncol=ncol, fontsize=7.5, frameon=False)
    ax.grid(axis="x", color="#e3e3e3")
    shown = [x for x in labels if x not in hidden]
    alt = (f"{title}. {say('Segmenter', language)}: {', '.join(shown)}. " + _dot_values(rows, themes, segs, language)
           + (f" {say('Skjult', language)}: {', '.join(hidden)}." if hidden else ""))
    return render(fig, name, title, alt, png=png, rect=(0, legend / height, 1, 1))


def _dot_values(rows: pd.DataFrame, themes: list[str], segs: list, language: str = "nb") -> str:
    """The values of a dot plot for its text alternative, theme by theme as drawn ("Telefon: Privat 34 %, Offentlig
    20 % (skjult: …)"), so the figure says no more than its text (WCAG 1.1.1)."""
    parts = []
    for t in themes:
        cells, hidden = [], []
        for seg in segs:
            c = rows[(rows["label"] == t) & (rows["segment"] == seg)]
            if c.empty:
                continue
            seg_name = small_group_label(str(seg), language)
            if bool(c["suppressed"].iloc[0]) or pd.isna(c["share"].iloc[0]):
                hidden.append(seg_name)
            else:
                cells.append(f"{seg_name} {fmt_pct(c['share'].iloc[0])}")
        parts.append(f"{t}: {', '.join(cells) or '–'}"
                     + (f" ({say('skjult', language)}: {', '.join(hidden)})" if hidden else ""))
    return "; ".join(parts) + "." if parts else ""


def segment_bars(rows: pd.DataFrame, *, name: str, title: str, theme_order: list[str], n_themes: int = 3,
                 png: bool = True, language: str = "nb") -> Chart:
    """Segments with many levels (up to ~20): one panel of horizontal bars (95 % CI) per level for each of the
    ``n_themes`` most common themes; a hidden cell (small base) is marked «skjult» instead of a bar, and named so in
    the text alternative («Telefon: Oslo 30 %, … (skjult: Agder)», as :func:`_dot_values`: WCAG 1.1.1)."""
    segs = small_last(dict.fromkeys(rows["segment"].astype(str)))
    themes = [t for t in theme_order if t in set(rows["label"])][:n_themes]
    wrap = max(12, 54 // max(1, len(themes)))  # panel titles wrapped to the panel's width: never overlap
    lines = len(textwrap.wrap(title, 85))  # room for the figure title above the (wrapped) panel titles
    tall = max((len(textwrap.wrap(str(t), wrap)) for t in themes), default=1)
    # a short figure grows for very long panel titles (inches: 8 pt lines, the figure title, axis texts, the rows)
    height = max(_height(len(segs)) + 0.8, 0.135 * tall + 0.4 * lines + 0.85 + 0.22 * len(segs))
    fig, axes = plt.subplots(1, len(themes), figsize=(7.2, height), sharey=True, squeeze=False)
    # one x scale for all panels (different scales invite wrong comparisons)
    top = rows[rows["label"].isin(themes) & ~rows["suppressed"].astype(bool)]["ci_high"].astype(float)
    xmax = max(0.1, float(np.nanmax(top)) if top.notna().any() else 0.1) * 1.05
    y = np.arange(len(segs))
    parts = []
    for ax, theme in zip(axes[0], themes):
        part = rows[rows["label"] == theme].assign(segment=lambda d: d["segment"].astype(str)).set_index("segment")
        shown = [s in part.index and not bool(part.loc[s, "suppressed"]) for s in segs]
        share = np.array([part.loc[s, "share"] if ok else np.nan for s, ok in zip(segs, shown)], dtype=float)
        lo = np.array([part.loc[s, "ci_low"] if ok else np.nan for s, ok in zip(segs, shown)], dtype=float)
        hi = np.array([part.loc[s, "ci_high"] if ok else np.nan for s, ok in zip(segs, shown)], dtype=float)
        ax.barh(y, np.nan_to_num(share), color=BLUE, height=0.6)
        ax.errorbar(share, y, xerr=[np.clip(share - lo, 0, None), np.clip(hi - share, 0, None)], fmt="none",
                    ecolor="#222", elinewidth=1, capsize=2)
        for yi, ok in zip(y, shown):
            if not ok:
                ax.text(0.01, yi, say("skjult", language), va="center", fontsize=7, color=GREY)
        ax.set_title("\n".join(textwrap.wrap(str(theme), wrap)), fontsize=8)
        ax.xaxis.set_major_formatter(_pct_axis)
        ax.set_xlim(0, xmax)
        ax.grid(axis="x", color="#e3e3e3")
        ax.set_axisbelow(True)
        hidden = [small_group_label(s, language) for s, ok in zip(segs, shown) if not ok]
        parts.append(f"{theme}: " + (", ".join(f"{small_group_label(s, language)} {fmt_pct(v)}"
                                               for s, v, ok in zip(segs, share, shown) if ok) or "–")
                     + (f" ({say('skjult', language)}: {', '.join(hidden)})" if hidden else ""))
    axes[0][0].set_yticks(y, ["\n".join(textwrap.wrap(small_group_label(s, language), 26)) for s in segs])
    axes[0][0].invert_yaxis()
    _title(fig, title)
    fig.supxlabel(say("Andel av dem som svarte, 95\u00a0% konfidensintervall", language), fontsize=8)
    alt = f"{title}. " + "; ".join(parts) + "."
    return render(fig, name, title, alt, png=png, rect=(0, 0, 1, 1 - (0.22 * lines + 0.05) / height))


def change_dumbbell(rows: pd.DataFrame, *, name: str, title: str, png: bool = True, language: str = "nb") -> Chart:
    """Previous → current share per row, coloured by verdict (signifikant/tendens/ingen sikker endring)."""
    rows = rows.sort_values("share")
    fig, ax = plt.subplots(figsize=(7.2, _height(len(rows)) + 0.3))
    y = np.arange(len(rows))
    for yi, (_, r) in zip(y, rows.iterrows()):
        colour = VERDICT_COLOURS.get(r["verdict"], GREY)
        ax.plot([r["prev_share"], r["share"]], [yi, yi], color=colour, lw=2)
        ax.plot(r["prev_share"], yi, "o", color="white", mec=colour, ms=5, clip_on=False)  # (whole at 0 %)
        ax.plot(r["share"], yi, "o", color=colour, ms=5, clip_on=False)
        ax.text(max(r["share"], r["prev_share"]) + 0.015, yi, f"{_change_pp(r)} ({_verdict_words(r, language)})",
                va="center", fontsize=7.5, color=colour)
    ax.set_yticks(y, rows["label"].astype(str))
    ax.xaxis.set_major_formatter(_pct_axis)
    xmax = float(np.nanmax(rows[["share", "prev_share"]].to_numpy())) if len(rows) else 1
    ax.set_xlim(0, xmax + 0.3)
    ax.set_xticks([t for t in np.arange(0, 1.01, 0.1 if xmax < 0.5 else 0.2) if t <= xmax + 0.05])
    _title(fig, title)
    ax.set_xlabel(say("Åpen sirkel = forrige måling, fylt = siste måling", language))
    # top to bottom, as drawn (the rows are plotted bottom-up from the smallest share)
    alt = title + ": " + "; ".join(f"{r['label']} {_change_pp(r)} {_verdict_words(r, language)}"
                                   for _, r in rows[::-1].iterrows())
    return render(fig, name, title, alt, png=png)


def _verdict_words(r, language: str = "nb") -> str:
    """A change row's verdict as the chart writes it; a theme the two waves' codebooks define differently (its
    ``codebook_note``: :func:`textmine.report.views.mark_redefined`) says so beside «ikke testbar»; a renamed theme
    and an untested catch-all say their few words (``codebook_mark``) beside the verdict."""
    words = change_verdict(r["verdict"], r["diff"], language)
    note, mark = r.get("codebook_note"), r.get("codebook_mark")
    if isinstance(mark, str) and mark:
        return say("{verdict}: {mark}", language, verdict=words, mark=nn_text(mark, language))
    if isinstance(note, str) and note:
        return say("{verdict}: definert annerledes", language, verdict=words)
    return words


def _change_pp(r) -> str:
    """A change as the change table prints it (one decimal where whole shares would not add up:
    :func:`change_digits`), so the chart never says «−1 pp» beside the table's «−0,8 pp»."""
    return fmt_pp(r["diff"], change_digits(r["prev_share"], r["share"], r["diff"]))


#: the impact chart's bar classes, by the verdict the tables print (sheet «Betydning», column «Vurdering») and the
#: sign of the difference: (legend text, colour, hatch). Every colour is at least 3:1 against white (WCAG 1.4.11),
#: and colour is never the only cue (WCAG 1.4.1): a sure difference is labelled «sikker» on the bar
#: (:data:`SURE_LABEL`), a tendency and an untested bar are hatched
IMPACT_CLASSES = {
    "higher": ("Sikker forskjell: høyere med temaet", GREEN, ""),
    "lower": ("Sikker forskjell: lavere med temaet", RED, ""),
    "tendency": ("Tendens (ikke sikker forskjell)", ORANGE, "///"),
    "none": ("Ingen sikker forskjell", GREY, ""),
    "untested": ("Ikke vurdert", "#868b94", "..."),
}
#: the text beside a bar with a sure difference (the cue besides its colour)
SURE_LABEL = "sikker"


def impact_class(verdict, diff) -> str:
    """The key of :data:`IMPACT_CLASSES` for a row: only a «forskjell» verdict is a finding (coloured by its sign);
    «tendens» and «ingen sikker forskjell» are never shown as one."""
    v = "" if verdict is None or (isinstance(verdict, float) and np.isnan(verdict)) else str(verdict)
    if v == "forskjell":
        return "higher" if float(diff) > 0 else "lower"
    if v == "tendens":
        return "tendency"
    if v in ("ingen sikker forskjell", "ingen sikker endring"):
        return "none"
    return "untested"


def impact_bars(rows: pd.DataFrame, *, name: str, title: str, png: bool = True, language: str = "nb") -> Chart:
    """Difference in the key indicator with vs without the theme (pp, 95 % CI), coloured and labelled by the
    verdict the tables print (a bar without a sure difference is never coloured as a finding)."""
    rows = rows.sort_values("diff")
    d = rows["diff"].to_numpy(float)
    verdicts = rows["verdict"].tolist() if "verdict" in rows.columns else [None] * len(rows)
    classes = [impact_class(v, x) for v, x in zip(verdicts, d)]
    legend = 0.2 + 0.17 * -(-len(set(classes)) // 2)  # (room for the legend under the axis label: two entries a row)
    height = _height(len(rows)) + legend
    fig, ax = plt.subplots(figsize=(7.2, height))
    y = np.arange(len(rows))
    for key in dict.fromkeys(k for k in IMPACT_CLASSES if k in classes):  # one bar set per class: one legend entry
        text, colour, hatch = IMPACT_CLASSES[key]
        text = say(text, language)
        pick = np.array([c == key for c in classes])
        sure = (say(" (merket «{label}»)", language, label=say(SURE_LABEL, language)) if key in ("higher", "lower")
                else "")
        ax.barh(y[pick], d[pick], color=colour, height=0.6, hatch=hatch or None, edgecolor="#333" if hatch else None,
                linewidth=0, label=text + sure)
    ax.errorbar(d, y, xerr=[np.clip(d - rows["ci_low"].to_numpy(float), 0, None),
                            np.clip(rows["ci_high"].to_numpy(float) - d, 0, None)],
                fmt="none", ecolor="#222", elinewidth=1, capsize=2.5)
    ax.axvline(0, color="#444", lw=0.8)
    _label_sure(ax, y, d, rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float), classes, language)
    ax.set_yticks(y, [f"{lab} (n = {fmt_int(n)})" for lab, n in zip(rows["label"], rows["n_with"])])
    ax.xaxis.set_major_formatter(_pp_axis)
    _title(fig, title)
    ax.set_xlabel(say("Forskjell i prosentpoeng (med minus uten temaet), 95\u00a0% KI", language))
    if len(rows):
        fig.legend(loc="lower center", ncol=2, fontsize=7.5, frameon=False)
    alt = title + ": " + "; ".join(  # top to bottom, as drawn (bars are plotted bottom-up from the smallest)
        f"{r['label']} {fmt_pp(r['diff'], change_digits(r.get('share_without'), r.get('share_with'), r['diff']))}: "
        f"{say(IMPACT_CLASSES[c][0], language).lower()}"
        for c, (_, r) in reversed(list(zip(classes, rows.iterrows()))))
    return render(fig, name, title, alt, png=png, rect=(0, legend / height, 1, 1))


def _label_sure(ax, y, d, lo, hi, classes, language: str = "nb") -> None:
    """«sikker» beside each bar with a sure difference (past the end of its interval, on the bar's side), and room
    for it in the axis."""
    ends = np.where(d >= 0, np.fmax(hi, d), np.fmin(lo, d))
    span = float(np.nanmax(np.abs(np.r_[lo, hi, d, 0.01])))
    pad = 0.02 * span
    for yi, x, c in zip(y, ends, classes):
        if c in ("higher", "lower") and np.isfinite(x):
            ax.text(x + (pad if c == "higher" else -pad), yi, say(SURE_LABEL, language), va="center",
                    ha="left" if c == "higher" else "right", fontsize=7, fontweight="bold", color="#1b1f24")
    if any(c in ("higher", "lower") for c in classes):
        left, right = ax.get_xlim()
        room = 0.22 * span
        ax.set_xlim(min(left, float(np.nanmin(ends)) - room) if "lower" in classes else left,
                    max(right, float(np.nanmax(ends)) + room) if "higher" in classes else right)
