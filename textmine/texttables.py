"""The terminal tables of a summary (``textmine summary``, ``textmine demo``, :meth:`textmine.summary.Summary.
to_text_table`): indicators and theme shares of one wave with CIs and the change since the compared wave, in
Norwegian number format (no-break thousands, real minus sign, no «-0»)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

__all__ = ["distinct_labels", "fold_label", "text_tables"]

#: the label column's width bounds (terminal cells, :func:`_label_width`): at least 12 however many columns share the
#: terminal (narrower only in a table's parts where a number would not fit beside it, :func:`_parts`), at most 40 so
#: the numbers stay beside their label
LABEL_WIDTH = (12, 40)
_GAP = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # where a line may break: any space but a no-break one («2\u00a0973»)
_BREAK_AFTER = re.compile(r"(?<=[-\u2010\u00ad])(?=[^\W\d_]{2})")  # after a hyphen or soft hyphen, before a word
#: a number as a cell shows it («2\u00a0973», «−3,4», «32–97», «<1»): :func:`_parts` keeps it whole, not a header word
_NUMBER = re.compile(r"[<>]?[+\u2212-]?[\d\u00a0\u2007\u202f,.\u2013]+%?")


def distinct_labels(labels: Mapping[str, Any]) -> dict[str, str]:
    """Theme id → label, with the theme id added in brackets to a label two or more ids share («Kontaktperson
    (kontaktperson)» / «Kontaktperson (fast_kontakt)»: a theme renamed between two waves' codebooks keeps its
    label), so that every table, chart and sheet can tell them apart (and index by label)."""
    out = {str(k): str(v) for k, v in labels.items()}
    seen: dict[str, int] = {}
    for v in out.values():
        seen[v.strip()] = seen.get(v.strip(), 0) + 1
    return {k: f"{v} ({k})" if seen[v.strip()] > 1 else v for k, v in out.items()}


def fold_label(text: str, width: float, measure: Callable[[str], float] | None = None) -> str:
    """``text`` in lines at most ``width`` wide by ``measure`` (default: terminal cells, where a wide character
    counts two and a combining mark none; a chart measures pixels), broken at spaces or after a hyphen
    («NAV-|kontoret»; a soft hyphen shows as «-» where it breaks, else not at all); only a word wider than ``width``
    is split inside (never between a letter and its combining mark)."""
    from rich.cells import cell_len

    def size(t: str) -> float:
        return (measure or cell_len)(_shown_line(t))

    lines: list[str] = []
    line = ""
    for word in _GAP.split(str(text).strip()):
        for i, piece in enumerate(_BREAK_AFTER.split(word)):
            joined = line + (" " if i == 0 and line else "") + piece
            if size(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            line = piece
            while size(line) > width:  # a word wider than the column: split inside
                cut = 1
                while cut < len(line) and size(line[:cut + 1]) <= width:
                    cut += 1
                while cut < len(line) and unicodedata.combining(line[cut]):
                    cut += 1
                lines.append(line[:cut])
                line = line[cut:].lstrip("\u00ad")
    if line or not lines:
        lines.append(line)
    return "\n".join(map(_shown_line, lines))


def _shown_line(line: str) -> str:
    """A folded line as shown: a soft hyphen ending it as «-», any other soft hyphen not at all."""
    return line[:-1].replace("\u00ad", "") + "-" if line.endswith("\u00ad") else line.replace("\u00ad", "")


def _label_width(width: int, headers: list[str], rows: list[tuple]) -> int:
    """The label column's width (first column; :data:`LABEL_WIDTH`) in a table ``width`` cells wide: what is left
    beside the other columns, which the terminal narrows alike (down to the longest word any of them holds, so none
    of them folds a word), no wider than the longest label."""
    from rich.cells import cell_len

    def widest(j: int, part) -> int:
        return max((cell_len(p) for t in [headers[j], *(r[j] for r in rows)] for p in part(str(t))), default=1)

    cols = range(1, len(headers))
    level = max((widest(j, _GAP.split) for j in cols), default=1)
    others = sum(min(widest(j, str.splitlines), level) + 3 for j in cols)  # (+ padding and border)
    labels = max((cell_len(str(r[0])) for r in rows), default=1)
    left = width - others - 4  # (the label column's padding and the table's outer borders)
    return min(max(labels, cell_len(headers[0])), max(LABEL_WIDTH[0], min(LABEL_WIDTH[1], left)))


def _add_rows(table, width: int, rows: list[tuple]) -> None:
    """``rows`` added to ``table`` with their labels (first cell) folded at word boundaries to the label column's
    width (:func:`_label_width`, :func:`fold_label`), which is fixed: the terminal narrows the other columns first
    instead of folding the labels inside words."""
    headers = [str(c.header) for c in table.columns]
    w = _label_width(width, headers, rows)
    table.columns[0].width = w
    table.labels = [str(r[0]) for r in rows]  # (unfolded: :func:`_parts` folds them again where it narrows them)
    for r in rows:
        table.add_row(fold_label(r[0], w), *r[1:])


def _parts(table, width: int, console) -> list:
    """``table`` as a terminal ``width`` cells wide prints it: as is where rich's own layout (on ``console``) gives
    every column its longest word or number and the label column its width, else with fixed widths no narrower than
    each column's longest word or number (a header or text folds at spaces), in parts where they do not all fit beside
    the label column: each part repeats the labels and holds the next columns that fit («(forts.)» in its title).
    Where one column does not fit beside the label column, the label column narrows (its labels folded again from
    their text, :func:`fold_label`) so that every number stays whole: in a terminal at least 8 cells wider than the
    widest number (20 cells for «97–100»; a header word is none: «q12_helhetsinntrykk:»); only a word wider than
    its column is split inside, never a number."""
    from rich.cells import cell_len
    from rich.table import Table

    def widest(col, part) -> int:
        return max((cell_len(p) for t in [col.header, *col.cells] for p in part(str(t))), default=1)

    label, others = table.columns[0], table.columns[1:]
    need = [widest(c, _GAP.split) for c in others]
    want = [max(n, widest(c, str.splitlines)) for c, n in zip(others, need)]
    label_w = label.width or widest(label, str.splitlines)
    laid = table._calculate_column_widths(console, console.options.update_width(width - table._extra_width))
    if laid[0] - 2 >= label_w and all(w - 2 >= n for w, n in zip(laid[1:], need)):  # (rich's widths: + padding)
        return [table]
    labels, overflow = list(label.cells), label.overflow
    if any(n + 3 > width - label_w - 4 for n in need):  # (+ padding and border; the label column's and outer ones)
        numbers = max((cell_len(p) for c in others for t in c.cells for p in _GAP.split(str(t))
                       if _NUMBER.fullmatch(p)), default=1)  # (the cells' numbers; a header's words fold)
        label_w = max(1, min(label_w, width - 7 - numbers))
        need, want = ([min(n, width - 7 - label_w) for n in x] for x in (need, want))
        labels = [fold_label(t, label_w) for t in getattr(table, "labels", labels)]
        overflow = "fold"  # (a header word wider than the column: split inside, not cut to «…»)
    room = width - label_w - 4
    groups: list[list[int]] = [[]]
    for j, n in enumerate(need):
        if groups[-1] and sum(need[i] + 3 for i in groups[-1]) + n + 3 > room:
            groups.append([])
        groups[-1].append(j)
    parts = []
    for g, cols in enumerate(groups):
        widths = {j: need[j] for j in cols}
        slack = room - sum(need[j] + 3 for j in cols)
        while slack > 0 and any(widths[j] < want[j] for j in cols):  # the room left shared a cell at a time
            for j in (j for j in cols if widths[j] < want[j] and slack > 0):
                widths[j], slack = widths[j] + 1, slack - 1
        title = table.title if g == 0 else f"{table.title} (forts.)" if table.title else "(forts.)"
        part = Table(title=title, title_justify=table.title_justify)
        part.add_column(label.header, justify=label.justify, width=label_w, overflow=overflow)
        for j in cols:
            part.add_column(others[j].header, justify=others[j].justify, width=widths[j], overflow="fold")
        for row in zip(labels, *(others[j].cells for j in cols)):
            part.add_row(*row)
        parts.append(part)
    return parts


def _blank(v: Any) -> bool:
    """A missing number: None, NA or NaN/inf."""
    if v is None or v is pd.NA:
        return True
    return isinstance(v, (float, np.floating)) and not np.isfinite(v)


def _whole(v: Any) -> str:
    """A count as the terminal shows it: «2 973» (no-break space between thousands), «–» when missing."""
    from .report.numbers import fmt_int

    return "–" if _blank(v) else fmt_int(v)


def _percent(v: Any) -> str:
    """A share (0–1) in whole percent as the report prints it (:func:`textmine.report.numbers.pct_number`: half up,
    «<1» / «>99» for a share that is neither none nor all): «86», «–» when missing (the header says %)."""
    from .report.numbers import pct_number

    return "–" if _blank(v) else pct_number(float(v))


def _bound(v: Any) -> str:
    """A CI bound (0–1) in whole percent, rounded half up like the report's «81–88 %»: «81», «–» when missing."""
    from .report.numbers import fmt_decimal, shown

    return "–" if _blank(v) else fmt_decimal(shown(float(v), 0, share=True), 0)


def _points(v: Any) -> str:
    """A share difference (0–1) in whole percentage points as the report rounds it (half up), real minus sign:
    «+3», «−2», «0» (no «-0»)."""
    from .report.numbers import pp_number

    return "–" if _blank(v) else pp_number(float(v))


def _reader_rule(rule: str) -> str:
    """A verdict rule as the terminal footnote prints it: in words, without the files' column id
    ``verdict_unadjusted``."""
    return rule.split("; verdict_unadjusted")[0] + "; filene har også en vurdering etter ujustert p"


def text_tables(summary, *, wave: Any = None, width: int = 140, max_themes: int | None = None) -> str:
    """The terminal tables of one wave (default: the last) in Norwegian number format: indicators, then the themes
    of each free-text question (a question not coded in the wave as one line «ikke kodet»), each with CI and the
    change since the wave it is compared with, with its verdict; then the notes. Returns the text; prints nothing."""
    import io

    from rich.console import Console

    wave = summary.waves[-1] if wave is None else wave
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False, color_system=None)
    for table in [_indicator_text_table(summary, wave, width), *_theme_text_tables(summary, wave, max_themes, width)]:
        if isinstance(table, str):  # (a question not coded: one line, printed as is)
            console.print(table, highlight=False, markup=False)
        elif table is not None:
            for part in _parts(table, width, console):  # (too wide for the terminal: in parts, numbers whole)
                console.print(part)
            if (note := _decimal_note(table)) is not None:  # one line under the table it explains
                console.print(note, highlight=False, markup=False)
    console.print(_text_notes(summary), highlight=False, markup=False)
    return console.export_text()


def _shares(summary) -> tuple[str, str, str]:
    """The share and CI columns the tables show: weighted when the summary is."""
    return ("share_w", "ci_low_w", "ci_high_w") if summary.meta.get("weighted") else ("share", "ci_low", "ci_high")


def _change_header(summary, wave: Any, of: str = "") -> str:
    """The change column's header: since which wave, and (``of``) of which share when the table shows several."""
    prev = [p[0] for p in summary.meta.get("comparisons", []) if len(p) == 2 and p[1] == wave]
    lines = ["Endring pp", *([of] if of else []), *([f"(fra {prev[0]})"] if prev else [])]
    return "\n".join(lines)  # one short line each: the column stays narrow


def _change_of(summary, wave: Any, kind: str, key: dict) -> tuple[str, str]:
    """(change in pp, verdict) of one row of the total since the compared wave; blanks without one."""
    from .summary import TOTAL_SEGMENT

    ch = summary.table("changes")
    if not len(ch):
        return "", ""
    m = ch[(ch["kind"] == kind) & (ch["wave"] == wave) & (ch["segment"] == TOTAL_SEGMENT)]
    for k, v in key.items():
        m = m[m[k] == v]
    if not len(m):
        return "", ""
    from .report.numbers import change_digits, pp_number

    r = m.iloc[0]  # one decimal when the rounded shares would not add up to the rounded change, as the report
    digits = change_digits(r.get("share_prev"), r.get("share"), r["diff"])
    return ("–" if _blank(r["diff"]) else pp_number(float(r["diff"]), digits)), str(r["verdict"])


#: the line under a terminal table whose changes are shown some in whole points, some with a decimal
#: (:func:`_change_of`, :func:`textmine.report.numbers.change_digits`)
DECIMAL_NOTE = ("Endring pp: én desimal der hele prosentpoeng ikke ville stemt med de avrundede andelene "
                "(3 % → 3 %: +0,8 i stedet for +1), ellers hele")


def _decimal_note(table) -> str | None:
    """:data:`DECIMAL_NOTE` when ``table``'s change column («Endring pp …», as shown) mixes whole numbers and
    numbers with a decimal; None otherwise."""
    col = next((c for c in table.columns if str(c.header).startswith("Endring pp")), None)
    shown = [str(v) for v in (col.cells if col is not None else ()) if str(v) not in ("", "–")]
    return DECIMAL_NOTE if len({"," in v for v in shown}) > 1 else None


def _indicator_text_table(summary, wave: Any, width: int = 140):
    from rich.table import Table

    from .summary import TOTAL_SEGMENT

    ind = summary.table("indicators")
    if not len(ind):
        return None
    sh, lo, hi = _shares(summary)
    weighted = "vektet" if summary.meta.get("weighted") else "uvektet"
    t = Table(title=f"{summary.survey} {wave}: indikatorer (andel positive, {weighted}, 95 % KI)")
    for c in ("Indikator", "n", "Andel %", "95 % KI", _change_header(summary, wave), "Vurdering"):
        t.add_column(c, justify="left" if c in ("Indikator", "Vurdering") else "right")
    rows = []
    for _, r in ind[(ind["wave"] == wave) & (ind["segment"] == TOTAL_SEGMENT)].iterrows():
        d, v = _change_of(summary, wave, "indicator", {"item": r["indicator"]})
        rows.append((str(r["label"]), _whole(r["n"]), _percent(r[sh]), _ci(r[lo], r[hi]), d, v))
    _add_rows(t, width, rows)
    return t


def _ci(low: Any, high: Any) -> str:
    return "–" if _blank(low) and _blank(high) else f"{_bound(low)}–{_bound(high)}"


def _outcome_label(summary) -> str:
    """The label of the outcome indicator the theme tables compare with (its column id without a label)."""
    ind = summary.table("indicators")
    label = summary.meta.get("outcome_label")
    if not label and summary.meta.get("outcome") and len(ind) and "label" in ind:
        lab = ind.loc[ind["indicator"] == summary.meta["outcome"], "label"]
        label = str(lab.iloc[0]) if len(lab) else None
    return label or str(summary.meta.get("outcome") or "")


def _theme_text_tables(summary, wave: Any, max_themes: int | None, width: int = 140) -> list:
    from .summary import NOT_CODED, TOTAL_SEGMENT

    th = summary.table("themes")
    not_coded = {x["question"]: x for x in summary.meta.get("not_coded", []) if x.get("wave") == wave}
    out: list = []
    for q in summary.meta.get("questions", []):
        if q["column"] in not_coded:
            n_ans = not_coded[q["column"]]["answers"]
            out.append(f"{q['label']} — {NOT_CODED}" + (f": {_whole(n_ans)} svar uten koding" if n_ans is not None
                                                         else "") + f"; ingen temaandeler for {wave}")
            continue
        sub = th[(th["wave"] == wave) & (th["question"] == q["column"]) & (th["segment"] == TOTAL_SEGMENT)] \
            if len(th) else th
        if len(sub):
            out.append(_theme_text_table(summary, wave, q, sub, max_themes, width))
    return out


def _theme_text_table(summary, wave: Any, q: dict, sub: pd.DataFrame, max_themes: int | None, width: int = 140):
    from rich.table import Table

    from .summary import DENOMINATORS, NOT_CODED

    sh, lo, hi = _shares(summary)
    base = {d: sub[sub["denominator"] == d] for d in DENOMINATORS}
    nb = {d: _whole(next(iter(base[d]["n"].dropna()), None)) if len(base[d]) else "0" for d in DENOMINATORS}
    t = Table(title=f"{q['label']} — {nb['kommentatorer']} kommentatorer / {nb['spurt']} spurt / {nb['alle']} "
                    f"respondenter", title_justify="left")
    outcome = _outcome_label(summary)
    gap_title = f"{outcome}: nevner vs ikke (pp)" if outcome else "Nevner vs ikke (pp)"
    weighted = " (vektet)" if summary.meta.get("weighted") else ""  # beside the unweighted «Antall»
    for c in ("Tema", "Antall", f"% av komm.{weighted}", "95 % KI", f"% av spurt{weighted}", f"% av alle{weighted}",
              _change_header(summary, wave, "av komm."), "Vurdering", gap_title):
        t.add_column(c, justify="left" if c in ("Tema", "Vurdering") else "right",
                     overflow="fold" if c == "Tema" else "ellipsis")  # (a label's «(id)» is never cut off)
    rows = []
    kb = base["kommentatorer"].sort_values(sh, ascending=False)
    kb = kb.head(max_themes) if max_themes else kb
    uncoded = {x["theme"] for x in summary.meta.get("themes_not_coded", [])
               if x.get("wave") == wave and x.get("question") == q["column"]}
    labels = distinct_labels(summary.meta.get("theme_labels") or {})
    for _, r in kb.iterrows():
        theme = r["theme"]
        sp = base["spurt"][base["spurt"]["theme"] == theme]
        al = base["alle"][base["alle"]["theme"] == theme]
        d, v = _change_of(summary, wave, "theme", {"question": q["column"], "item": theme,
                                                   "denominator": "kommentatorer"})
        rows.append((str(labels.get(theme, theme)),  # folded at word boundaries (_add_rows)
                     NOT_CODED if theme in uncoded else _whole(r["count"]), _percent(r[sh]), _ci(r[lo], r[hi]),
                     _percent(sp[sh].iloc[0]) if len(sp) else "–", _percent(al[sh].iloc[0]) if len(al) else "–",
                     d, v, _gap(summary, wave, q["column"], theme)))
    _add_rows(t, width, rows)
    return t


def _gap(summary, wave: Any, question: str, theme: str) -> str:
    """«+13 (ingen sikker forskjell)»: the outcome's difference between those who mention the theme and not."""
    tix = summary.table("theme_indicators")
    if not len(tix):
        return ""
    g = tix[(tix["wave"] == wave) & (tix["question"] == question) & (tix["theme"] == theme)
            & (tix["indicator"] == summary.meta.get("outcome"))]
    if not len(g) or _blank(g["diff"].iloc[0]):
        return ""
    return f"{_points(g['diff'].iloc[0])} ({g['verdict'].iloc[0]})"


def _text_notes(summary) -> str:
    th = summary.table("themes")
    notes = [f"KI: {summary.meta.get('ci_method', '')}",
             f"Vurdering: {_reader_rule(str(summary.meta.get('verdict_rule', '')))}"]
    if summary.meta.get("theme_shares") and len(th):
        notes.append(f"Temaandeler: {summary.meta['theme_shares']}")
    return "\n".join(notes)
