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
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .numbers import change_digits, fmt_int, fmt_pct, fmt_pp  # noqa: E402
from .views import small_group_number  # noqa: E402
from .wording import change_verdict, say, small_group_label  # noqa: E402

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
    fig.tight_layout(pad=0.4, **({"rect": rect} if rect is not None else {}))
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
    fig, ax = plt.subplots(figsize=(7.2, _height(len(themes)) + 0.4))
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
                    elinewidth=1, capsize=0, label=small_group_label(str(seg), language))
    ax.set_yticks(range(len(themes)), themes)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_pct_axis)
    ax.set_xlim(left=0)
    _title(fig, title)
    if hidden:  # not in the figure (nor in the legend) because every cell of the level is hidden: say so
        why = say("Ikke vist: {levels} (skjult fordi grunnlaget er for lite, eller for at skjulte tall ikke skal kunne "
                  "regnes ut)", language, levels=", ".join(hidden))
        ax.set_xlabel("\n".join(textwrap.wrap(why, 80)), fontsize=8, color=GREY)
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    ax.grid(axis="x", color="#e3e3e3")
    shown = [small_group_label(str(s), language) for s in segs
             if small_group_label(str(s), language) not in hidden]
    alt = (f"{title}. {say('Segmenter', language)}: {', '.join(shown)}. " + _dot_values(rows, themes, segs, language)
           + (f" {say('Skjult', language)}: {', '.join(hidden)}." if hidden else ""))
    return render(fig, name, title, alt, png=png)


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
    ``n_themes`` most common themes; a hidden cell (small base) is marked «skjult» instead of a bar."""
    segs = small_last(dict.fromkeys(rows["segment"].astype(str)))
    themes = [t for t in theme_order if t in set(rows["label"])][:n_themes]
    height = _height(len(segs)) + 0.8
    fig, axes = plt.subplots(1, len(themes), figsize=(7.2, height), sharey=True, squeeze=False)
    # one x scale for all panels (different scales invite wrong comparisons)
    top = rows[rows["label"].isin(themes) & ~rows["suppressed"].astype(bool)]["ci_high"].astype(float)
    xmax = max(0.1, float(np.nanmax(top)) if top.notna().any() else 0.1) * 1.05
    wrap = max(12, 54 // max(1, len(themes)))  # panel titles wrapped to the panel's width: never overlap
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
        parts.append(f"{theme}: " + ", ".join(f"{small_group_label(s, language)} {fmt_pct(v)}"
                                              for s, v, ok in zip(segs, share, shown) if ok))
    axes[0][0].set_yticks(y, ["\n".join(textwrap.wrap(small_group_label(s, language), 26)) for s in segs])
    axes[0][0].invert_yaxis()
    _title(fig, title)
    fig.supxlabel(say("Andel av dem som svarte, 95\u00a0% konfidensintervall", language), fontsize=8)
    alt = f"{title}. " + "; ".join(parts) + "."
    lines = len(textwrap.wrap(title, 85))  # room for the figure title above the (wrapped) panel titles
    return render(fig, name, title, alt, png=png, rect=(0, 0, 1, 1 - (0.22 * lines + 0.05) / height))


def change_dumbbell(rows: pd.DataFrame, *, name: str, title: str, png: bool = True, language: str = "nb") -> Chart:
    """Previous → current share per row, coloured by verdict (signifikant/tendens/ingen sikker endring)."""
    rows = rows.sort_values("share")
    fig, ax = plt.subplots(figsize=(7.2, _height(len(rows)) + 0.3))
    y = np.arange(len(rows))
    for yi, (_, r) in zip(y, rows.iterrows()):
        colour = VERDICT_COLOURS.get(r["verdict"], GREY)
        ax.plot([r["prev_share"], r["share"]], [yi, yi], color=colour, lw=2)
        ax.plot(r["prev_share"], yi, "o", color="white", mec=colour, ms=5)
        ax.plot(r["share"], yi, "o", color=colour, ms=5)
        ax.text(max(r["share"], r["prev_share"]) + 0.015, yi,
                f"{_change_pp(r)} ({change_verdict(r['verdict'], r['diff'], language)})",
                va="center", fontsize=7.5, color=colour)
    ax.set_yticks(y, rows["label"].astype(str))
    ax.xaxis.set_major_formatter(_pct_axis)
    xmax = float(np.nanmax(rows[["share", "prev_share"]].to_numpy())) if len(rows) else 1
    ax.set_xlim(0, xmax + 0.3)
    ax.set_xticks([t for t in np.arange(0, 1.01, 0.1 if xmax < 0.5 else 0.2) if t <= xmax + 0.05])
    _title(fig, title)
    ax.set_xlabel(say("Åpen sirkel = forrige måling, fylt = siste måling", language))
    # top to bottom, as drawn (the rows are plotted bottom-up from the smallest share)
    alt = title + ": " + "; ".join(f"{r['label']} {_change_pp(r)} "
                                   f"{change_verdict(r['verdict'], r['diff'], language)}"
                                   for _, r in rows[::-1].iterrows())
    return render(fig, name, title, alt, png=png)


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
