"""Self-contained HTML report (inline CSS + inline SVG; no scripts, fonts or links to the network)."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pandas as pd

from . import charts as ch
from .model import ReportData
from .numbers import (NBSP, change_digits, fmt_ci, fmt_int, fmt_n_base, fmt_p, fmt_pct, fmt_pp, fmt_pp_ci,
                      pct_cell, shown, verbal_share)
from .views import (METHOD_NAMES, fieldwork_text, hierarchy_order, method_lines,  # noqa: F401 - METHOD_NAMES
                    quotes_in_report_order, quoted_names, shown_title, side_version, small_group_number,
                    theme_parents, versions_text, with_distinct_labels)
from .pagetext import GLOSSARY_SLOT, link_glossary, mark_bokmal
from .wording import HTML_LANG, change_verdict, nn_text, say, small_group_label, verdict as verdict_word

TEMPLATES = Path(__file__).parent / "templates"

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
#: a question's wording shortened for captions (``{{ q.text|short }}``: :func:`_short`, as the chart titles)
_ENV.filters["short"] = lambda text, n=50: _short(text, n)


def _cur(df: pd.DataFrame, wave: str) -> pd.DataFrame:
    return df[df["wave"] == wave] if "wave" in df.columns else df


def report_language(r: ReportData) -> str:
    """The report's language ("nb" bokmål, "nn" nynorsk; "nb" for report data without one)."""
    return getattr(r, "language", None) or "nb"


def positive_caption(r: ReportData) -> str:
    """«Andel positive (4–5)»: the survey definition's positive codes (plain «Andel positive» when unknown)."""
    pos = (r.method.get("labels") or {}).get("positive")
    caption = say("Andel positive", report_language(r))
    return f"{caption} ({pos})" if pos else caption


def segment_chart_note(r: ReportData, q: str, seg_var: str) -> str:
    """Why a segment has no chart (too many levels for a readable figure), or "" when it has one."""
    th = _cur(r.themes, r.current_wave)
    n = th[(th["question"] == q) & (th["segment_var"] == seg_var)]["segment"].nunique()
    if n > MAX_BAR_LEVELS:
        return say("Ingen figur: {n} grupper er for mange til en lesbar figur (høyst {most}). Se tabellen.",
                   report_language(r), n=n, most=MAX_BAR_LEVELS)
    return ""


#: segments up to this many levels get a dot plot; up to MAX_BAR_LEVELS panels of horizontal bars; more: no chart
DOT_LEVELS = 6
MAX_BAR_LEVELS = 20


def make_charts(r: ReportData, *, top_segment_levels: int = DOT_LEVELS, png: bool = True) -> dict[str, ch.Chart]:
    """Every chart of the report, keyed by file stem (``png=False``: SVG only, for web pages).

    A segment with up to ``top_segment_levels`` levels gets a dot plot, one with up to ``MAX_BAR_LEVELS`` levels
    horizontal bars for its most common themes; larger ones get a note in the report instead (see
    :func:`segment_chart_note`)."""
    out: dict[str, ch.Chart] = {}
    lang = report_language(r)
    th = with_distinct_labels(_cur(r.themes, r.current_wave))  # (the charts go by label: two themes never share one)
    for q, qtext in r.questions.items():
        overall = th[(th["question"] == q) & (th["segment_var"] == "Alle") & (~th["suppressed"].astype(bool))]
        if overall.empty:
            continue
        out[f"temaer_{q}"] = ch.share_bars(overall, name=f"temaer_{q}", language=lang, png=png,
                                           weighted=is_weighted(r),
                                           title=say("Temaer, {wave}: «{question}»", lang, wave=r.current_wave,
                                                     question=qtext))
        order = list(overall.sort_values("share", ascending=False)["label"])
        for seg_var, seg_label in r.segments.items():
            rows = th[(th["question"] == q) & (th["segment_var"] == seg_var)]
            n_levels = rows["segment"].nunique()
            if rows.empty or n_levels > MAX_BAR_LEVELS:
                continue
            name = f"temaer_{q}_{seg_var}"
            # the question in the title: the charts of two questions never share a name (WCAG 2.4.6)
            words = dict(segment=seg_label.lower(), wave=r.current_wave, question=_short(qtext, 50))
            if n_levels <= top_segment_levels:
                out[name] = ch.segment_dots(rows, name=name, png=png, language=lang, theme_order=order,
                                            title=say("Temaer etter {segment}, {wave}: «{question}»", lang, **words))
            else:
                out[name] = ch.segment_bars(rows, name=name, png=png, language=lang, theme_order=order,
                                            title=say("De vanligste temaene etter {segment}, {wave}: «{question}»",
                                                      lang, **words))
    ind = _cur(r.indicators, r.current_wave)
    ind = ind[ind["segment_var"] == "Alle"]
    if not ind.empty:
        out["indikatorer"] = ch.share_bars(ind.assign(count=ind["n"]), name="indikatorer",
                                           title=f"{positive_caption(r)}, {r.current_wave}", png=png, language=lang,
                                           weighted=is_weighted(r))
    if not r.changes.empty:
        for kind, title in (("tema", "Endring i temaer"), ("indikator", "Endring i indikatorer")):
            for q in ([None] if kind == "indikator" else list(r.questions)):
                rows = r.changes[r.changes["kind"] == kind]
                if "suppressed" in rows.columns:
                    rows = rows[~rows["suppressed"].fillna(False).astype(bool)]
                if q is not None:
                    rows = rows[rows["question"] == q]
                if rows.empty:
                    continue
                rows = with_distinct_labels(rows, "key")
                stem = f"endring_{kind}" + (f"_{q}" if q else "")
                sub = f": «{r.questions[q]}»" if q else ""
                out[stem] = ch.change_dumbbell(rows, name=stem, language=lang, png=png,
                                               title=f"{say(title, lang)}, {r.previous_wave}–{r.current_wave}{sub}")
    if not r.impact.empty:
        for q in r.impact["question"].unique():
            rows = with_distinct_labels(r.impact[r.impact["question"] == q])
            ind_label = str(rows["indicator_label"].iloc[0])
            out[f"betydning_{q}"] = ch.impact_bars(
                rows, name=f"betydning_{q}", png=png, language=lang,
                title=say("{indicator}: med og uten temaet («{question}»)", lang, indicator=ind_label,
                          question=r.questions.get(q, q)))
    return out


def _short(text: str, n: int = 60) -> str:
    """``text`` cut to at most ``n`` characters at a word boundary, with "…" (never mid-word: a single word
    longer than ``n`` is kept whole)."""
    text = str(text)
    if len(text) <= n:
        return text
    cut = text[: n - 1]
    if not text[n - 1].isspace():  # the cut falls inside a word: drop that word
        head, sep, _ = cut.rpartition(" ")
        if not sep:
            return text
        cut = head
    return cut.rstrip(" ,;:–-") + "…"


#: the pseudonymisation markers quotes can carry: «…» (quote selection) and [EPOST], [NAVN] … (the redactor)
_MARKER = re.compile(r"\[[A-ZÆØÅ]+\]")


def quote_markers_note(texts, language: str = "nb") -> str:
    """The quotes intro: which markers replace personal data in the quotes actually shown."""
    texts = [str(t) for t in texts]
    typed = sorted({m for t in texts for m in _MARKER.findall(t)})
    ellipsis = any("«…»" in t for t in texts)
    parts = []
    if typed:
        names = " og ".join([", ".join(typed[:-1]), typed[-1]] if len(typed) > 1 else typed)
        parts.append(say("markører som viser hva slags opplysning som er fjernet ({names})", language, names=names))
    if ellipsis or not typed:
        parts.append("«…»")
    return (say("Sitatene er anonymisert: personopplysninger er erstattet med ", language) + " eller ".join(parts)
            + say(", og kommentarer med helseopplysninger eller andre sensitive personopplysninger og fra små grupper "
                  "er utelatt.", language))


#: why a cell is hidden (primary and secondary suppression), as the report's notes say it
HIDDEN_WHY = ("for lite grunnlag, for få i en av gruppene (nesten alle svarte likt), eller for at andre skjulte tall "
              "ikke skal kunne regnes ut")
#: the footnote on neutral «Liten gruppe» labels (hidden levels of free-valued segments)
SMALL_GROUP_NOTE = ("«Liten gruppe» = en gruppe med så få svar et sted i rapporten at tallene der er skjult; navnet "
                    "vises ikke fordi det kan gjøre det mulig å kjenne igjen dem som svarte. Gruppen har samme "
                    "nøytrale navn i alle tabeller og figurer, også der tallene vises. Små grupper står sist, etter "
                    "alle grupper med navn, og numrene følger ikke gruppenes navn.")


#: abbreviations of the report's labels that readers may not know, spelled out (others are found in the codebook's
#: descriptions: :func:`abbreviations`); KI and pp are in the report's own list
KNOWN_ABBREVIATIONS = {"IA": "inkluderende arbeidsliv", "AAP": "arbeidsavklaringspenger",
                       "NKS": "NAV kontaktsenter", "BH": "Benjamini–Hochberg"}
#: all-capital words that are names, not abbreviations to spell out (and the report's own, listed already)
NOT_ABBREVIATIONS = frozenset({"NAV", "KI", "PP"})
_ABBR = re.compile(r"(?<![\wÆØÅæøå])([A-ZÆØÅ]{2,6})(?![\wÆØÅæøå])")


def _spelled_out(abbr: str, descriptions: list[str]) -> str:
    """``abbr`` spelled out from a description whose consecutive words start with its letters ("Inkluderende
    arbeidsliv (IA-avtalen)" → "inkluderende arbeidsliv"), "" when none does."""
    n = len(abbr)
    for text in descriptions:
        words = re.findall(r"[\wÆØÅæøå]+", text)
        for i in range(len(words) - n + 1):
            run = words[i:i + n]
            if all(w[0].upper() == a and w.upper() != abbr for w, a in zip(run, abbr)):
                phrase = " ".join(run)
                return phrase[:1].lower() + phrase[1:]
    return ""


def abbreviations(labels, codebook: list[dict] | None = None, language: str = "nb") -> list[dict]:
    """The abbreviations in ``labels`` (the report's theme and indicator labels) with their meaning (WCAG 3.1.4):
    :data:`KNOWN_ABBREVIATIONS`, else spelled out from the codebook's descriptions; in order of first use."""
    descriptions = [str(t.get("description") or "") for t in codebook or ()]
    out = {}
    for label in labels:
        for abbr in _ABBR.findall(str(label)):
            if abbr in out or abbr in NOT_ABBREVIATIONS:
                continue
            title = say(KNOWN_ABBREVIATIONS[abbr], language) if abbr in KNOWN_ABBREVIATIONS else \
                _spelled_out(abbr, descriptions)
            if title:
                out[abbr] = title
    return [{"abbr": a, "title": t} for a, t in out.items()]


def is_small_group(name) -> bool:
    """Whether a segment level is shown under the neutral label «Liten gruppe» (numbered or not)."""
    return small_group_number(name) >= 0


def is_weighted(r: ReportData) -> bool:
    """Whether the report's shares are weighted (the method note «Vektet …»)."""
    return str(r.method.get("weights", "")).startswith("Vektet")


def weighted_note(r: ReportData) -> str:
    """"; andeler vektet, antall og grunnlag uvektet" for captions of tables that show both, "" when unweighted."""
    return say("; andeler vektet, antall og grunnlag uvektet", report_language(r)) if is_weighted(r) else ""


def weighted_mark(r: ReportData) -> str:
    """" (vektet)" after a weighted share printed beside unweighted counts (main findings, quote headers, chart
    labels): one short form everywhere; "" when the survey has no weight."""
    return say(" (vektet)", report_language(r)) if is_weighted(r) else ""


#: the most significant changes the main findings name (largest first)
MAX_CHANGE_FINDINGS = 3


def change_keyfacts(r: ReportData) -> list[dict]:
    """The main findings' sentences on significant changes of indicators and themes (overall; at most
    :data:`MAX_CHANGE_FINDINGS`, largest change first): «+20 pp «Telefon» fra 2022 til 2023: signifikant økning
    (95 % KI +15 pp til +25 pp)». None when nothing changed significantly."""
    ch = r.changes
    if ch is None or ch.empty or not {"verdict", "diff"} <= set(ch.columns):
        return []
    lang = report_language(r)
    sig = ch[(ch["verdict"] == "signifikant") & ch["diff"].notna() & ~ch["suppressed"].fillna(False).astype(bool)]
    sig = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index).head(MAX_CHANGE_FINDINGS)
    out = []
    for _, c in sig.iterrows():
        dg = change_digits(c["prev_share"], c["share"], c["diff"])  # as the change table prints it
        ci = f"95{NBSP}% KI {fmt_pp_ci(c.get('ci_low'), c.get('ci_high'), dg)}"
        what = f" «{c['label']}»"
        if c["kind"] == "tema" and c.get("question"):
            what += f" («{_short(r.questions.get(c['question'], c['question']), 40)}»)"
        out.append({"value": fmt_pp(c["diff"], dg),
                    "text": what + say(" fra {prev} til {wave}: {verdict} ({ci})", lang, prev=c["prev_wave"],
                                       wave=c["wave"], verdict=change_verdict(c["verdict"], c["diff"], lang),
                                       ci=ci) + ".",
                    "trace": f"{fmt_pct(c['prev_share'], dg)} → {fmt_pct(c['share'], dg)}{weighted_mark(r)}",
                    "note": segment_change_note(r, c)})
    return out


#: the other levels of a segment named beside the one a change comes from (more: left out, the sheet has them)
MAX_OTHER_LEVELS = 3


def _shown_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a change table a reader may see: not hidden, with a change."""
    return df[~df["suppressed"].fillna(False).astype(bool) & df["diff"].notna()]


def _differs(seg, total) -> bool:
    """Whether a segment's change tells more than the total's: the total is not significant, the segment moved the
    other way, or it moved the same way by more than the total's 95 % interval reaches (a segment that lags the total
    — −3 pp beside a total of −10 pp — does not carry the change: it is not «særlig» named)."""
    if total["verdict"] != "signifikant" or (seg["diff"] > 0) != (total["diff"] > 0):
        return True
    lo, hi = total.get("ci_low"), total.get("ci_high")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return abs(seg["diff"]) >= 1.5 * abs(total["diff"])
    return abs(seg["diff"]) > max(abs(lo), abs(hi))


def _p_key(p) -> float:
    """A p-value to sort by (a missing one last)."""
    return 2.0 if p is None or pd.isna(p) else float(p)


def _change_numbers(c) -> str:
    dg = change_digits(c["prev_share"], c["share"], c["diff"])
    return f"{fmt_pct(c['prev_share'], dg)} → {fmt_pct(c['share'], dg)}, {fmt_pp(c['diff'], dg)}"


def _segment_name(r: ReportData, column: str) -> str:
    """A segment's label inside a sentence: «Sektor» → «sektor» (a label such as «NAV-region» as it is)."""
    label = str(r.segments.get(column, column))
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def segment_change_note(r: ReportData, c) -> str | None:
    """The line under an indicator's overall change ``c`` (a row of ``r.changes``) naming the segment level(s) whose
    own change in the same comparison is «signifikant» after Benjamini–Hochberg and tells more than the total
    (:func:`_differs`): «Nedgangen gjelder særlig sektor «Offentlig» (64 % → 32 %, −32 pp); «Privat»: ingen sikker
    endring (±0 pp).», with up to :data:`MAX_OTHER_LEVELS` other levels of that segment. Only the segment with the
    clearest such change (smallest p) is named (others are pointed to the sheet «Endring»). Hidden (suppressed)
    rows are never named. None when no segment's change differs."""
    ct = r.change_table
    if ct is None or ct.empty or c.get("kind") != "indikator" or pd.isna(c.get("diff")):
        return None
    rows = _shown_rows(ct[(ct["kind"] == "indikator") & (ct["key"] == c["key"]) & (ct["segment_var"] != "Alle")
                          & (ct["prev_wave"] == c["prev_wave"]) & (ct["wave"] == c["wave"])])
    notable = [i for i, s in rows.iterrows() if s["verdict"] == "signifikant" and _differs(s, c)]
    if not notable:
        return None
    lang = report_language(r)
    # the segment with the clearest such change (smallest p; then the largest change) is named: the others often
    # echo it (a fall among public employers shows in the industries and sizes they are in, a small industry's the
    # largest); the sheet «Endring» has them all
    var = rows.loc[min(notable, key=lambda i: (_p_key(rows.loc[i, "p_value"]), -abs(rows.loc[i, "diff"]))),
                   "segment_var"]
    mine = [i for i in notable if rows.loc[i, "segment_var"] == var]
    same = c["verdict"] == "signifikant" and all((rows.loc[i, "diff"] > 0) == (c["diff"] > 0) for i in mine)
    items = [f"«{small_group_label(s['segment'], lang)}» ("
             f"{'' if same else change_verdict(s['verdict'], s['diff'], lang) + ': '}{_change_numbers(s)})"
             for s in (rows.loc[i] for i in mine)]
    rest = rows[(rows["segment_var"] == var) & ~rows.index.isin(mine)]
    others = [] if len(rest) > MAX_OTHER_LEVELS else [
        f"«{small_group_label(o['segment'], lang)}»: {change_verdict(o['verdict'], o['diff'], lang)} "
        f"({fmt_pp(o['diff'], change_digits(o['prev_share'], o['share'], o['diff']))})" for _, o in rest.iterrows()]
    if same:
        lead = ("Nedgangen gjelder særlig {segment} {segments}" if c["diff"] < 0
                else "Økningen gjelder særlig {segment} {segments}")
    else:
        lead = "Endringen er ikke lik i alle grupper: {segment} {segments}"
    text = "; ".join([say(lead, lang, segment=_segment_name(r, var), segments=_and_list(items)), *others]) + "."
    if any(rows.loc[i, "segment_var"] != var for i in notable):
        text += say(" Andre grupper har også en egen endring: se arket «Endring» i regnearket.", lang)
    return text


def trend_tables(r: ReportData, top_themes: int = 5) -> list[dict]:
    """The trend over every wave (shown with three waves or more): each indicator's share positive (overall) per
    wave, then the ``top_themes`` largest themes (current wave) of each question among those who answered it, each
    with the verdict of the reported comparison (:attr:`ReportData.comparison`). Hidden cells show «–»."""
    if len(r.waves) < 3:
        return []
    lang = report_language(r)
    ch_ = r.changes if r.changes is not None else pd.DataFrame(columns=["kind", "key", "question", "verdict"])

    def verdict_of(kind: str, key, question: str = "") -> str:
        m = ch_[(ch_["kind"] == kind) & (ch_["key"] == key) & (ch_["question"].fillna("") == question)]
        return "" if m.empty else change_verdict(m["verdict"].iloc[0], m["diff"].iloc[0], lang)

    def cells(df: pd.DataFrame) -> list[str]:
        out = []
        for w in r.waves:
            v = df[df["wave"] == w]
            hidden = v.empty or bool(v["suppressed"].fillna(False).iloc[0]) or pd.isna(v["share"].iloc[0])
            out.append("–" if hidden else fmt_pct(v["share"].iloc[0]))
        return out

    tables = []
    ind = r.indicators[r.indicators["segment_var"] == "Alle"]
    if not ind.empty:
        tables.append({"title": say("Indikatorer", lang) + weighted_mark(r), "head": say("Indikator", lang), "rows": [
            {"label": lab, "cells": cells(ind[ind["indicator"] == key]), "verdict": verdict_of("indikator", key)}
            for key, lab in dict(zip(ind["indicator"], ind["label"])).items()]})
    th = r.themes[r.themes["segment_var"] == "Alle"]
    for q, text in r.questions.items():
        tq = th[th["question"] == q]
        cur = tq[(tq["wave"] == r.current_wave) & ~tq["suppressed"].fillna(False).astype(bool)]
        top = cur.sort_values("share", ascending=False)["theme"].head(top_themes)
        if top.empty:
            continue
        tables.append({"title": say("Temaer, «{question}»", lang, question=text) + weighted_mark(r),
                       "head": say("Tema", lang),
                       "rows": [{"label": r.theme_label(t) if not (tq["theme"] == t).any()
                                 else tq[tq["theme"] == t]["label"].iloc[-1],
                                 "cells": cells(tq[tq["theme"] == t]), "verdict": verdict_of("tema", t, q)}
                                for t in top]})
    return tables


def _theme_rows(rows: pd.DataFrame, parents: dict[str, str] | None = None) -> list[dict]:
    """The theme table's rows by share (largest first), each child theme right under its parent (``depth`` 1 …,
    ``parent``: the parent's label; ``group``: a parent of shown themes, whose share counts theirs)."""
    parents = parents or {}
    rows = rows.sort_values("share", ascending=False)
    records = {str(t["theme"]): t for t in rows.to_dict("records")}
    labels = {k: t["label"] for k, t in records.items()}
    out = []
    for tid, depth in hierarchy_order(records, parents):
        t = records[tid]
        out.append({"label": t["label"], "suppressed": bool(t["suppressed"]), "share": fmt_pct(t["share"]),
                    "ci": fmt_ci(t["ci_low"], t["ci_high"]), "count": fmt_int(t["count"]),
                    "base": fmt_int(t["base"]), "share_asked": fmt_pct(t["share_asked"]),
                    "share_all": fmt_pct(t["share_all"]), "depth": depth,
                    "parent": labels.get(parents.get(tid), "") if depth else "",
                    "group": any(parents.get(c) == tid for c in records)})
    return out


def theme_groups_note(rows: pd.DataFrame, parents: dict[str, str], language: str = "nb") -> str:
    """The note under a theme table with parent themes: a parent's share counts the answers that mention any of its
    children (or the parent itself), so it is no share beside them ("" when the table has no such parent)."""
    present = {str(t): lab for t, lab in zip(rows["theme"], rows["label"])}
    groups = {}
    for child, parent in parents.items():
        if child in present and parent in present:
            groups.setdefault(parent, []).append(present[child])
    if not groups:
        return ""
    parts = [say("«{parent}» samler {children}", language, parent=present[p],
                 children=_and_list([f"«{c}»" for c in kids])) for p, kids in groups.items()]
    return (say("Overordnede temaer (gruppe): ", language) + "; ".join(parts)
            + say(". Andelen for en gruppe teller svar som nevner minst ett av undertemaene eller gruppen selv, så den "
                  "er ikke et eget tema ved siden av undertemaene; undertemaene står innrykket under gruppen.",
                  language))


def _and_list(items: list[str]) -> str:
    """«a», «b» og «c»."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _headline_theme(ok: pd.DataFrame, parents: dict[str, str]):
    """The theme of a question's headline: the most frequent shown leaf theme (a parent's share includes its
    children's), and whether it is a group (only when no leaf theme is shown)."""
    ok = ok.sort_values("share", ascending=False)
    leaves = ok[~ok["theme"].astype(str).isin(set(parents.values()))]
    return (leaves.iloc[0], False) if not leaves.empty else (ok.iloc[0], True)


#: the columns of a segment table, as the sheet «Temaer» has them (after «Tema» and the segment's own label): one
#: measure a column, so a table copied into Excel or Word keeps each number in a cell of its own
SEGMENT_COLUMNS = ("n (nevner temaet)", "Grunnlag (svarte)", "Andel av svarte (%)", "KI nedre (%)", "KI øvre (%)")


def _pct_number(p) -> str:
    """A share (0–1) as a bare percent for a number cell (:func:`pct_cell`): "34", "0,3" under 0,5 % (never "<1",
    which is no number), "–" when missing; the column head carries the «%»."""
    return pct_cell(p)


def _segment_line(c: dict | None, language: str = "nb") -> list[dict]:
    """The number cells of one theme × segment level row, in :data:`SEGMENT_COLUMNS` order: each hidden
    (suppressed) number «–*» (the first one explained for screen readers), and «–» without a cell."""
    if c is None:
        return [{"text": "–", "title": "", "suppressed": True} for _ in SEGMENT_COLUMNS]
    if bool(c["suppressed"]):
        return [{"text": "–*", "title": say("Skjult: ", language) + say(HIDDEN_WHY, language), "suppressed": True,
                 "explain": i == 0} for i in range(len(SEGMENT_COLUMNS))]
    values = (fmt_int(c["count"]), fmt_int(c["base"]), _pct_number(c["share"]), _pct_number(c["ci_low"]),
              _pct_number(c["ci_high"]))
    return [{"text": v, "title": "", "suppressed": False} for v in values]


def _segment_cells(c: dict | None, language: str = "nb") -> dict:
    """One cell of the compact theme × level grid (the service's dashboard): share and count in one cell."""
    if c is None:
        return {"text": "–", "title": "", "suppressed": True}
    if bool(c["suppressed"]):
        return {"text": "–*", "title": say("Skjult: ", language) + say(HIDDEN_WHY, language), "suppressed": True}
    return {"text": f"{fmt_pct(c['share'])} ({fmt_int(c['count'])})", "ci": fmt_ci(c["ci_low"], c["ci_high"]),
            "title": f"95{NBSP}% KI {fmt_ci(c['ci_low'], c['ci_high'])}; {fmt_n_base(c['count'], c['base'])}",
            "suppressed": False}


def _grouped(rows: pd.DataFrame, parents: dict[str, str]) -> pd.DataFrame:
    """``rows`` (one per theme) with each child theme right after its parent (:func:`hierarchy_order`)."""
    if not parents or rows.empty:
        return rows
    pos = {t: i for i, (t, _) in enumerate(hierarchy_order(rows["theme"].astype(str), parents))}
    return rows.iloc[sorted(range(len(rows)), key=lambda i: pos[str(rows["theme"].iloc[i])])]


def _segment_blocks(r: ReportData, q: str, charts: dict, only: str | None) -> list[dict]:
    """The segment tables of question ``q``: per segment, ``themes`` (one group of rows per theme, largest overall
    share first; one row per level, «Liten gruppe» rows last, one measure a column: :data:`SEGMENT_COLUMNS`) for the
    report, and the compact grid ``columns``/``rows`` (themes × levels) for the service's dashboard."""
    th = with_distinct_labels(_cur(r.themes, r.current_wave))  # (rows are looked up by label)
    lang = report_language(r)
    blocks = []
    for seg_var, seg_label in r.segments.items():
        if only and seg_var != only:
            continue
        rows = th[(th["question"] == q) & (th["segment_var"] == seg_var)]
        if rows.empty:
            continue
        segs = ch.small_last(dict.fromkeys(rows["segment"]))
        bases = rows.groupby("segment", sort=False)["base"].max()
        overall = th[(th["question"] == q) & (th["segment_var"] == "Alle")].sort_values("share", ascending=False)
        overall = _grouped(overall, theme_parents(r.codebook))
        lookup = {(x["label"], x["segment"]): x for x in rows.to_dict("records")}
        grid, themes = [], []
        for label in overall["label"]:
            grid.append({"label": label, "cells": [_segment_cells(lookup.get((label, s)), lang) for s in segs]})
            themes.append({"label": label,
                           "lines": [{"segment": small_group_label(s, lang), "small": is_small_group(s),
                                      "cells": _segment_line(lookup.get((label, s)), lang)} for s in segs]})
        has_suppressed = any(c["text"] == "–*" for t in themes for line in t["lines"] for c in line["cells"])
        blocks.append({"var": seg_var, "label": seg_label, "measures": [say(m, lang) for m in SEGMENT_COLUMNS],
                       "themes": themes,
                       "columns": [{"name": small_group_label(s, lang), "base": fmt_int(bases[s])} for s in segs],
                       "rows": grid,
                       "has_suppressed": has_suppressed, "has_small": any(is_small_group(x) for x in segs),
                       "chart": charts.get(f"temaer_{q}_{seg_var}"),
                       "chart_note": segment_chart_note(r, q, seg_var)})
    return blocks


# The summary's run warnings about the driver model (English, for the analyst) that readers need in Norwegian: a
# theme left out of the adjusted model, or a question whose logit could not be fitted. Any other run warning
# (file names, masked cells, unmatched ids …) stays in the terminal, the workbook's sheet «Metode» and the JSON.
_LEFT_OUT = re.compile(r"drivers (?P<q>\S+) (?P<w>\S+): theme\(s\) (?P<t>[^:;]+?) left out of the adjusted model: "
                       r"(?P<why>they roll up|linearly dependent)")
_NOT_ESTIMABLE = re.compile(r"drivers (?P<q>\S+) (?P<w>\S+): effect of theme\(s\) (?P<t>[^:;]+?) not estimable")
_LOGIT_FAILED = re.compile(r"drivers (?P<q>\S+) (?P<w>\S+): logistic model failed")
#: a level hidden only to protect a segment's «(uoppgitt)» (textmine.summary._hidden_for_missing), whole
_HIDDEN_FOR_MISSING = re.compile(
    r"(?:^|(?<=; ))(?P<sw>[^;:]+?): segment (?P<seg>\S+): (?P<n>\d+) level\(s\)(?: \((?P<names>.*?)\))? hidden only to protect "
    r"the respondents without a declared value «\(uoppgitt\)» \(fewer than min_cell = (?P<k>\d+)\); declare their "
    r"value\(s\) as a level or an `aliases` spelling, or recode them, to show the level\(s\)")
_LEFT_OUT_WHY = {  # reason → (one theme, several themes)
    "they roll up": ("det er et overordnet tema som samler andre temaer i modellen",
                     "de er overordnede temaer som samler andre temaer i modellen"),
    "linearly dependent": ("det kan ikke skilles fra de andre temaene eller kontrollvariablene",
                           "de kan ikke skilles fra de andre temaene eller kontrollvariablene"),
    "wide": ("effekten er for usikker til å anslås", "effektene er for usikre til å anslås"),
}


def _run_warnings(r: ReportData) -> str:
    w = r.method.get("warnings")
    if isinstance(w, (list, tuple)):
        return "; ".join(map(str, w))
    return str(w or "")


#: the run warnings that a reader note (:func:`reader_notes`) says in Norwegian, whole (a driver's only for the
#: current wave: group ``w``): the workbook's «Merknader» gives the note instead (:func:`analyst_warnings`)
_SAID_BY_NOTES = [re.compile(x) for x in (
    r"drivers (?P<q>\S+) (?P<w>\S+): theme\(s\) [^:;]+? left out of the adjusted model: (?:they roll up other themes "
    r"in it \(one level of the hierarchy only\)|linearly dependent on the other themes/controls \(effect not "
    r"estimable\))",
    r"drivers (?P<q>\S+) (?P<w>\S+): effect of theme\(s\) [^:;]+? not estimable \(confidence interval wider than "
    r"±100 percentage points\); left out",
    r"zero-shot coding with \d+ theme\(s\) gave .+? check a sample by hand before publishing the shares",
    r"(?:question \S+: )?themes? \S+(?:, \S+)* (?:is|are) defined differently in codebook .+? \(wave \S+\) and .+? "
    r"\(wave \S+\): not compared \(«ikke testbar»\)",
    r"(?:question \S+: )?theme \S+ \(wave \S+\) continues \S+(?:, \S+)* \(wave \S+\) as its codebook declares "
    r"\(replaces\): its change \S+ compares it with (?:the share of respondents coded with any of \S+(?:, \S+)* "
    r"\(each counted once\)|the share of \S+) in wave [^;:\s]+(?:; its [\w, ]+ changed too \(not only the name\): "
    r"compared as declared)?",
    r"(?:question \S+: )?catch-all themes? \S+(?:, \S+)*: not compared between wave \S+ and \S+ \(«ikke testbar»\): "
    r"de andre temaene er endret mellom .+? samler ikke de samme svarene i de to målingene",
)] + [_HIDDEN_FOR_MISSING, re.compile(  # a .sav's SPSS missing codes (textmine.io's read note), every wave's
    r"(?:^|(?<=; ))(?P<sw>[^;:]+?): [^;]*?\.(?i:sav): (?P<body>(?:column \S+: \d+ value\(s\) with SPSS "
    r"missing code\(s\) |SPSS missing codes in \d+ columns?: )\[.*?)(?=; (?!\[)|$)")]


def analyst_warnings(r: ReportData) -> str:
    """The run warnings (``method["warnings"]``: the tool's, in English, for the analyst) less those a reader note
    says in Norwegian (:data:`_SAID_BY_NOTES`, :func:`reader_notes`): what the workbook's «Merknader» gives beside
    the notes."""
    text, wave = _run_warnings(r), str(r.current_wave)
    notes = {"redefined_themes", "renamed_themes", "catch_all_untested"} & set(r.method or {})
    for i, rx in enumerate(_SAID_BY_NOTES):
        if i in (3, 4, 5) and not notes:  # (a codebook note only where the report has its record)
            continue
        if i == 2 and not _zero_shot_shares_warned(r):
            continue
        text = rx.sub(lambda m: "" if "w" not in m.groupdict() or m.group("w") == wave else m.group(0), text)
    said = logit_failed_said(r)  # the adjusted-effects note (drivers_note) says these in Norwegian
    text = re.sub(_LOGIT_FAILED.pattern + r" \(.*?\); linear probability model used",
                  lambda m: "" if m.group("w") == wave and m.group("q") in said else m.group(0), text)
    return re.sub(r"(?:;\s*){2,}", "; ", text).strip().strip(";").strip()


def driver_left_out(r: ReportData) -> dict[tuple[str, str], str]:
    """{(question, theme): reason key of ``_LEFT_OUT_WHY``} for themes left out of the current wave's adjusted
    (driver) model, read from the summary's run warnings."""
    text, wave = _run_warnings(r), str(r.current_wave)
    out: dict[tuple[str, str], str] = {}
    for rx, key in ((_LEFT_OUT, None), (_NOT_ESTIMABLE, "wide")):
        for m in rx.finditer(text):
            if m.group("w") != wave:
                continue
            for t in m.group("t").split(", "):
                out.setdefault((m.group("q"), t.strip()), key or m.group("why"))
    return out


def reader_notes(r: ReportData, language: str | None = None) -> list[str]:
    """The notes the published report shows under «Merknader» (Norwegian, for readers): themes left out of the
    adjusted model, and why. The tool's other run warnings are for the analyst and are not shown in the HTML."""
    lang = language or report_language(r)
    notes = []
    by_q: dict[str, list[tuple[str, str]]] = {}
    for (q, t), why in driver_left_out(r).items():
        by_q.setdefault(q, []).append((t, why))
    for q, items in by_q.items():
        qtext = _short(r.questions.get(q, q), 50)
        for why in dict.fromkeys(w for _, w in items):
            names = [f"«{r.theme_label(t)}»" for t, w in items if w == why]
            one = len(names) == 1
            what = (say("Temaet {theme}", lang, theme=names[0]) if one
                    else say("Temaene {themes}", lang, themes=_and_list(names)))
            notes.append(say("{what} er ikke med i den justerte modellen for «{question}» ({wave}) fordi {why}.",
                             lang, what=what, question=qtext, wave=r.current_wave,
                             why=say(_LEFT_OUT_WHY[why][0 if one else 1], lang)))
    if _zero_shot_shares_warned(r):
        notes.append(say(ZERO_SHOT_NOTE, lang))
    for c in r.method.get("review_high") or () if isinstance(r.method, dict) else ():
        notes.append(say(REVIEW_HIGH_NOTE, lang, question=_short(r.questions.get(c["question"], c["question"]), 50),
                         wave=c["wave"], share=fmt_pct(c["share"]), n=fmt_int(c["needs_review"]),
                         total=fmt_int(c["answered"])))
    for d in r.method.get("redefined_themes") or () if isinstance(r.method, dict) else ():
        notes.append(redefined_reader_note(r, d, lang))
    for d in r.method.get("renamed_themes") or () if isinstance(r.method, dict) else ():
        notes.append(renamed_reader_note(r, d, lang))
    for d in r.method.get("catch_all_untested") or () if isinstance(r.method, dict) else ():
        notes.append(catch_all_reader_note(r, d, lang))
    notes += spss_missing_notes(r, lang)
    notes += hidden_level_notes(r, lang)
    for c in r.method.get("review_rises") or () if isinstance(r.method, dict) else ():
        notes.append(say(REVIEW_RISE_NOTE, lang, question=_short(r.questions.get(c["question"], c["question"]), 50),
                         wave=c["wave"], wave_prev=c["wave_prev"], share=fmt_pct(c["share"]),
                         share_prev=fmt_pct(c["share_prev"])))
    return notes


SPSS_EXCLUDED_NOTE = ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) telt som utelatte svar "
                      "i {n} spørsmål: de er ikke med i grunnlaget for andelene.")
SPSS_MISSING_NOTE = ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) regnet som ubesvart i {n} "
                     "spørsmål.")
SPSS_SEGMENT_NOTE = ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) regnet som uoppgitt for "
                     "{segment}: de er med i totalen og i gruppen «(uoppgitt)», ikke i noen annen gruppe.")


#: a range's codes counted, not listed, in the read note (``textmine.io._spss_missing_text``): bokmål; its nynorsk
#: wording belongs in ``wording.NN`` ("{n} verdiar i området {lo}–{hi}")
SPSS_RANGE_CODES = "{n} verdier i området {lo}–{hi}"
_RANGE_ITEM = re.compile(r"(\d+) values in the range (\S+) to (\S+)$")


def spss_missing_notes(r: ReportData, language: str = "nb") -> list[str]:
    """The reader's notes (Norwegian) on a .sav's SPSS user-missing codes, from the read notes among the run warnings
    (:data:`_SAID_BY_NOTES`' last pattern; :func:`textmine.io._spss_missing_note`): per wave and codes, how many
    questions counted them as excluded or as unanswered, and which segments count them as «(uoppgitt)». After two or
    more codes, or a code with a bracket, «definert som manglende i SPSS-filen» follows the list between commas, so
    that it reads as said of every code."""
    notes = []
    for m in _SAID_BY_NOTES[-1].finditer(_run_warnings(r)):
        body = m.group("body")
        one = re.match(r"column (\S+): (\d+) value\(s\) with SPSS missing code\(s\) (.*)", body)
        parts = [one.group(3)] if one else re.split(r"; (?=\[)", body.split(": ", 1)[1])
        for part in parts:
            codes = re.match(r"\[(.*?)\] ", part)
            if codes is None:
                continue
            shown = re.split(r", (?=[-\u2212]?\d)", codes.group(1).replace(" (value label hidden: personal data)",
                                                                          " (etikett skjult)"))
            cols = [one.group(1)] if one else re.findall(r"(\S+) \(\d+", part.rsplit(") in ", 1)[-1])
            counted = [_RANGE_ITEM.match(c) for c in shown]
            items = [say(SPSS_RANGE_CODES, language, n=fmt_int(int(k[1])), lo=k[2], hi=k[3]) if k else c
                     for c, k in zip(shown, counted)]
            word = "" if all(counted) else say("koden" if len(shown) == 1 else "kodene", language) + " "
            text = word + _and_list(items)
            values = dict(wave=m.group("sw"), codes=text, n=len(cols))
            if "«(uoppgitt)» row" in part or "not a level of the segment" in part:
                said = [say(SPSS_SEGMENT_NOTE, language, segment=f"«{r.segments.get(c, c)}»", **values) for c in cols]
            else:
                excluded = part[codes.end():].startswith("counted as excluded codes")
                said = [say(SPSS_EXCLUDED_NOTE if excluded else SPSS_MISSING_NOTE, language, **values)]
            if len(items) > 1 or items[-1].endswith(")"):  # «… og 9 (etikett skjult), definert som manglende …,»
                said = [re.sub(re.escape(text) + r" \(([^()]*)\)", lambda b: f"{text}, {b[1]},", n, count=1)
                        for n in said]
            notes += said
    return notes


HIDDEN_LEVELS_NOTE = ("I {wave} er {what} for {segment} skjult bare for at tallene for dem uten oppgitt verdi "
                      "(«(uoppgitt)», færre enn {min_n} svar) ikke skal kunne regnes ut fra totalen.")


def hidden_level_notes(r: ReportData, language: str = "nb") -> list[str]:
    """The reader's notes (Norwegian) on segment levels hidden only so that a small «(uoppgitt)» group cannot be
    worked out from the total (:data:`_HIDDEN_FOR_MISSING`), every wave's: a level is named only where the report
    shows its name elsewhere (never a neutral «Liten gruppe»'s real name), else the levels are counted."""
    found = list(_HIDDEN_FOR_MISSING.finditer(_run_warnings(r)))
    shown = {str(v) for df in ((r.indicators, r.themes) if found else ()) if df is not None and "segment" in df.columns
             for v in df["segment"].dropna().unique()}
    notes = []
    for m in found:
        n, names = int(m.group("n")), (m.group("names") or "").split(", ")
        if m.group("names") and len(names) == n and set(names) <= shown:
            quoted = [f"«{x}»" for x in names]
            what = (say("gruppen {name}", language, name=quoted[0]) if n == 1 else
                    say("gruppene {names}", language, names=_and_list(quoted)))
        else:
            what = say("{n} gruppe" if n == 1 else "{n} grupper", language, n=n)
        seg = m.group("seg")
        notes.append(say(HIDDEN_LEVELS_NOTE, language, wave=m.group("sw"), what=what,
                         segment=f"«{r.segments.get(seg, seg)}»", min_n=m.group("k")))
    return notes


def redefined_reader_note(r: ReportData, d: dict, language: str = "nb") -> str:
    """The reader's note on themes the two waves' codebooks define differently (``d``: an entry of
    :func:`textmine.report.views.redefined_themes`): which, in which versions, and that their change is not tested."""
    names = [f"«{_theme_name(r, t)}»" for t in d["themes"]]
    what = (say("Temaet {theme}", language, theme=names[0]) if len(names) == 1
            else say("Temaene {themes}", language, themes=_and_list(names)))
    if d.get("question"):
        what += say(" i «{question}»", language, question=_short(r.questions.get(d["question"], d["question"]), 50))
    return say(REDEFINED_NOTE, language, what=what, versions=_versions_with_waves(d), prev=d["prev_wave"],
               wave=d["wave"])


def _themes_what(r: ReportData, d: dict, themes, language: str) -> str:
    """«Temaet «A»» / «Temaene «A» og «B»» (with « i «question»» for a question's own codebooks)."""
    names = [f"«{_theme_name(r, t)}»" for t in themes]
    what = (say("Temaet {theme}", language, theme=names[0]) if len(names) == 1
            else say("Temaene {themes}", language, themes=_and_list(names)))
    if d.get("question"):
        what += say(" i «{question}»", language, question=_short(r.questions.get(d["question"], d["question"]), 50))
    return what


def renamed_reader_note(r: ReportData, d: dict, language: str = "nb") -> str:
    """The reader's note on a theme that continues one or more themes of the other wave's codebook under a new id
    (``d``: an entry of :func:`textmine.report.views.renamed_themes`): the versions and waves of each side, what its
    change compares, and the fields that changed beside the name."""
    names = {t: _theme_name(r, t) for t in [d["theme"], *d["replaces"]]}
    side = {w: f"kodebok {side_version(d, w)} (måling {w})" for w in (d["new_wave"], d["old_wave"])}
    values = dict(what=_themes_what(r, d, [d["theme"]], language), new_side=side[d["new_wave"]],
                  old_side=side[d["old_wave"]], prev=d["prev_wave"], wave=d["wave"], theme=f"«{names[d['theme']]}»",
                  new_wave=d["new_wave"], old_wave=d["old_wave"], olds=quoted_names(d["replaces"], names),
                  olds_or=quoted_names(d["replaces"], names, "eller"))
    text = say(MERGED_NOTE if d["merge"] else RENAMED_NOTE, language, **values)
    fields = [say(RENAMED_FIELDS[f], language) for f in d.get("changed") or () if f in RENAMED_FIELDS]
    if fields:
        text += say(RENAMED_CHANGED_NOTE, language,
                    fields=_and_list(fields))
    return text


def catch_all_reader_note(r: ReportData, d: dict, language: str = "nb") -> str:
    """The reader's note on catch-all themes whose change is not tested because the other themes changed between
    the waves' codebooks (``d``: an entry of :func:`textmine.report.views.catch_all_untested`), naming the versions,
    the waves and the themes only one side has."""
    it = say("temaet" if len(d["themes"]) == 1 else "temaene", language)
    text = say(CATCH_ALL_NOTE, language, what=_themes_what(r, d, d["themes"], language), prev=d["prev_wave"],
               wave=d["wave"], versions=_versions_with_waves(d), it=it)
    names = {t: _theme_name(r, t) for t in [*d["added"], *d["removed"]]}
    for ids, wave in ((d["added"], d["wave"]), (d["removed"], d["prev_wave"])):
        if ids:
            text += say(" Bare i kodeboken for {wave}: {names}.", language, wave=wave,
                        names=quoted_names(ids, names))
    return text


def _theme_name(r: ReportData, theme: str) -> str:
    """A theme's label as the report's tables show it (two themes with one label told apart by their ids)."""
    th = r.themes if r.themes is not None else pd.DataFrame(columns=["theme", "label"])
    hit = th.loc[th["theme"].astype(str) == str(theme), "label"].dropna()
    return str(hit.iloc[0]) if len(hit) else r.theme_label(theme)


def _versions_with_waves(d: dict) -> str:
    """«kodebok v1.0 (måling 2022) og v1.1 (måling 2023)» of a redefined-themes entry."""
    a = f"«{d['prev_codebook']}» " if d["prev_codebook"] != d["codebook"] else ""
    b = f"«{d['codebook']}» " if d["prev_codebook"] != d["codebook"] else ""
    return (f"kodebok {a}v{d['prev_version']} (måling {d['prev_wave']}) og {b}v{d['version']} "
            f"(måling {d['wave']})")


def redefined_versions(r: ReportData, key: str = "redefined_themes") -> str:
    """The codebook versions of the reported comparison's redefined themes («kodebok v1.0 og v1.1»), for the note
    under the change tables; "" when there are none. ``key``: the method entry read (``renamed_themes``,
    ``catch_all_untested`` for the notes on renamed themes and the untested catch-all)."""
    comp = (r.previous_wave, r.current_wave)
    found = [versions_text(d) for d in (r.method.get(key) or () if isinstance(r.method, dict) else ())
             if (str(d["prev_wave"]), str(d["wave"])) == comp]
    return "; ".join(dict.fromkeys(found))


#: the reader's note on themes the waves' codebooks define differently (bokmål; nynorsk in wording.NN)
REDEFINED_NOTE = ("{what} er definert annerledes i {versions}, så andelene i de to målingene måler ikke det samme. "
                  "Endringen fra {prev} til {wave} er derfor ikke testet («ikke testbar»), selv om begge andelene "
                  "vises.")


#: the reader's note on a theme that continues another theme under a new id, and on one that merges several
#: (bokmål; nynorsk in wording.NN), with the fields that changed beside the name
RENAMED_NOTE = ("{what} i {new_side} viderefører {olds} i {old_side}. Endringen fra {prev} til {wave} sammenligner "
                "derfor andelen med {theme} i {new_wave} med andelen med {olds} i {old_wave}.")
MERGED_NOTE = ("{what} i {new_side} slår sammen {olds} i {old_side}. Endringen fra {prev} til {wave} sammenligner "
               "derfor andelen med {theme} i {new_wave} med andelen som var kodet med {olds_or} i {old_wave} (hver "
               "respondent telles én gang).")
RENAMED_CHANGED_NOTE = (" Også {fields} er endret, ikke bare navnet: endringen er testet fordi kodeboken sier at "
                        "temaet viderefører det gamle, men bør leses med det i tankene.")
#: the theme fields deciding what is coded (textmine.summary._FIELDS_NB), as the renamed theme's note names them
RENAMED_FIELDS = {"description": "beskrivelsen", "keywords": "nøkkelordene", "parent": "overordnet tema",
                  "exclusive": "eksklusiv"}
#: the reader's note on a catch-all theme whose change is not tested: the other themes changed between the codebooks
CATCH_ALL_NOTE = ("{what} er ikke testet fra {prev} til {wave} («ikke testbar»), selv om begge andelene vises: de "
                  "andre temaene er endret mellom {versions}, så {it} samler ikke de samme svarene i de to målingene.")


#: the reader's note when more of a question's answers than in the compared wave were sent to manual review
#: (significantly or by at least 5 pp: :func:`textmine.summary.review_rises`)
REVIEW_RISE_NOTE = ("Flere svar enn før ble sendt til manuell gjennomgang for «{question}» i {wave} ({share} mot "
                    "{share_prev} i {wave_prev}); svarene kan handle om et tema kodeboken ikke dekker, så "
                    "temaandelene for spørsmålet bør leses med varsomhet.")


#: the reader's note when the coder sent at least 90 % of a question's comments in a wave to manual review
#: (:func:`textmine.report.views.review_high`), whether or not the share changed between waves
REVIEW_HIGH_NOTE = ("{share} av kommentarene til «{question}» i {wave} ({n} av {total}) ble sendt til manuell "
                    "gjennomgang fordi modellen var usikker på kodingen; temaandelene for spørsmålet bygger derfor "
                    "mest på usikre koder og bør leses med varsomhet.")


def no_quotes_text(gaps: dict | None, language: str = "nb") -> str:
    """Why the quotes section is empty, from the counts of :func:`textmine.report.views.quote_gaps`
    (``method["quote_gaps"]``): too few comments, comments sent to manual review (with their number), comments
    without a theme, held back for health or personal data, or from groups too small to show."""
    comments = int((gaps or {}).get("comments") or 0)
    if not comments:
        return say("Ingen sitater (for få kommentarer).", language)
    review = int(gaps.get("review") or 0)
    reasons = [say(text, language) for key, text in (("no_theme", "har ikke fått noe tema"),
                                                     ("personal", "inneholder person- eller helseopplysninger"),
                                                     ("rest", "er fra grupper som er for små til å vises"))
               if int(gaps.get(key) or 0)]
    said = ", ".join(reasons[:-1]) + say(" eller ", language) + reasons[-1] if len(reasons) > 1 else \
        "".join(reasons)
    text = say("Ingen sitater: ", language)
    if review:
        text += (say("den ene kommentaren er sendt til manuell gjennomgang", language) if comments == 1 else
                 say("alle de {n} kommentarene er sendt til manuell gjennomgang", language, n=fmt_int(review))
                 if review == comments else
                 say("{n} av {total} kommentarer er sendt til manuell gjennomgang", language, n=fmt_int(review),
                     total=fmt_int(comments)))
        if said:
            text += say(", og de andre ", language) + said
        text += say(" (sitater hentes bare fra svar der temaet er sikkert)", language)
    else:
        text += say("kommentarene ", language) + said
    return text + "."


#: the reader's note when the run's zero-shot coding gave implausible theme shares (its warnings in ``method``)
ZERO_SHOT_NOTE = ("Fritekstsvarene er kodet uten en modell trent på kodede svar (zero-shot), og noen temaandeler er "
                  "urimelig høye; temaandelene bør kontrolleres mot et utvalg kodet for hånd før de brukes.")


def _zero_shot_shares_warned(r: ReportData) -> bool:
    """Whether the run's warnings (``method["warnings"]``) hold a zero-shot share warning."""
    from textmine.classify.zeroshot import is_share_warning

    warned = r.method.get("warnings") if isinstance(r.method, dict) else None
    items = warned if isinstance(warned, (list, tuple)) else str(warned or "").split("; ")
    return any(is_share_warning(str(w)) for w in items)


def _model_kind(method: str) -> str:
    m = str(method).lower()
    if m.startswith("logit"):
        return "logit"
    if "vektet wls" in m:
        return "wls"
    if m.startswith("lineær"):
        return "linear"
    return "other"


def _logit_failed(r: ReportData) -> set[str]:
    """The questions whose logit (driver model) failed in the current wave, from the run warnings."""
    return {m.group("q") for m in _LOGIT_FAILED.finditer(_run_warnings(r)) if m.group("w") == str(r.current_wave)}


def logit_failed_said(r: ReportData) -> set[str]:
    """The questions whose failed logit the adjusted-effects note (:func:`drivers_note`, the method line «Justert
    effekt») explains in Norwegian: the current wave's, with a non-logit model in the sheet «Betydning»."""
    if not (r.method or {}).get("drivers"):
        return set()
    return {q for q, m in _question_models(r).items() if _model_kind(m) != "logit"} & _logit_failed(r)


def _question_models(r: ReportData) -> dict[str, str]:
    """{question: its adjusted (driver) model, the sheet «Betydning»'s column «Modell»} (the first row's)."""
    imp = r.impact
    models: dict[str, str] = {}
    if imp is None or imp.empty or "adjusted_method" not in imp.columns:
        return models
    for q, m in zip(imp["question"], imp["adjusted_method"]):
        if m is not None and not pd.isna(m) and q not in models:
            models[str(q)] = str(m)
    return models


def drivers_note(r: ReportData, language: str | None = None) -> str | None:
    """The method note on the adjusted effects: which model each question's effects come from (the column
    «Modell» of the sheet «Betydning»), weighted or not, and why a logit is unweighted; None without a driver
    model."""
    imp, models = r.impact, _question_models(r)
    if not models:
        return None
    lang = language or report_language(r)
    outcome = str(imp["indicator_label"].iloc[0])
    failed = _logit_failed(r)
    kinds = {q: _model_kind(m) for q, m in models.items()}
    # a weighted survey's logit is weighted (summary._driver_method_label); «uvektet» only in older summaries
    unweighted_logit = any(kinds[q] == "logit" and "uvektet" in str(m) for q, m in models.items())
    models = {q: nn_text(m, lang) for q, m in models.items()}  # (the kinds read the bokmål)
    parts = []
    for q, m in models.items():
        part = f"«{_short(r.questions.get(q, q), 50)}»: {m}"
        if kinds[q] != "logit" and q in failed:
            part += say(" (logit-modellen kunne ikke tilpasses disse svarene, så en lineær modell er brukt i stedet)",
                        lang)
        parts.append(part)
    controls = nn_text(r.method.get("driver_controls") or "kontrollvariabler", lang)
    text = say("Justert effekt ({wave}): sammenhengen mellom hvert tema og positivt svar på «{outcome}» blant dem som "
               "svarte på spørsmålet, med alle temaene og {controls} i samme modell; effekten er gjennomsnittlig "
               "forskjell i prosentpoeng. Vurderingen i kolonnen «Justert effekt» bygger på modellens eget 95 % "
               "konfidensintervall og p-verdi (justert med Benjamini–Hochberg over temaene), ikke på den ujusterte "
               "forskjellen, så de to vurderingene kan avvike; med få som nevner et tema er den justerte effekten "
               "svært usikker. ", lang, wave=r.current_wave, outcome=outcome, controls=controls)
    if len(set(models.values())) == 1:
        text += say("Modell: {model}.", lang, model=next(iter(models.values())))
    else:
        text += say("Modell per spørsmål: ", lang) + "; ".join(parts) + "."
    if len(set(models.values())) == 1 and failed & set(models) and kinds[next(iter(models))] != "logit":
        text += say(" Logit-modellen kunne ikke tilpasses disse svarene, så en lineær modell er brukt i stedet.", lang)
    weighted = str(r.method.get("weights", "")).startswith("Vektet")
    if unweighted_logit and weighted:
        text += say(" Logit-modellen er uvektet: den bruker ikke vektene, men anslår sammenhengen blant dem som svarte "
                    "i utvalget, justert for kontrollvariablene; vektene brukes til å gjøre andelene representative.",
                    lang)
        if "wls" in kinds.values():
            text += say(" Den lineære modellen er vektet. Justerte effekter fra vektede og uvektede modeller er ikke "
                        "helt sammenlignbare mellom spørsmålene.", lang)
    return text


def _adjusted(i, left_out: dict | None = None, language: str = "nb") -> dict:
    """The driver model's adjusted effect (percentage points) beside the raw difference, when there is one."""
    pp = i.get("adjusted_pp")
    if pp is None or pd.isna(pp):
        why = (left_out or {}).get((i.get("question"), i.get("theme")))
        detail = (say("Ikke i modellen: ", language) + say(_LEFT_OUT_WHY[why][0], language) if why
                  else say("Ikke i modellen (for få som nevner temaet)", language))
        return {"adjusted": "–", "adjusted_detail": detail, "adjusted_title": detail}
    detail = (f"95{NBSP}% KI {fmt_pp_ci(i.get('adjusted_ci_low_pp'), i.get('adjusted_ci_high_pp'), share=False)}; "
              f"{nn_text(i.get('adjusted_method'), language)}")
    return {"adjusted": f"{fmt_pp(pp, share=False)} ({verdict_word(i.get('adjusted_verdict'), language)})",
            "adjusted_detail": detail, "adjusted_title": detail}


def _text_or_empty(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def _verdict_text(verdict, language: str = "nb") -> str:
    """A verdict cell in ``language`` ("–" when there is none)."""
    if verdict is None or (isinstance(verdict, float) and pd.isna(verdict)):
        return "–"
    return str(verdict_word(str(verdict), language))


def view_model(r: ReportData, charts: dict[str, ch.Chart], *, segment: str | None = None) -> dict:
    """Pre-formatted strings for the template (all Norwegian number formatting happens here)."""
    wave = r.current_wave
    lang = report_language(r)
    th = _cur(r.themes, wave)
    min_n = int(r.method.get("min_n", 10)) if isinstance(r.method.get("min_n", 10), (int, float)) else 10
    questions = []
    keyfacts = []
    parents = theme_parents(r.codebook)
    weighted = weighted_mark(r)
    for q, text in r.questions.items():
        rows = th[(th["question"] == q) & (th["segment_var"] == "Alle")]
        if rows.empty:
            continue
        asked = int(rows["asked"].max()) if rows["asked"].notna().any() else None
        resp = int(rows["respondents"].max()) if rows["respondents"].notna().any() else None
        if rows["base"].notna().any():
            base_text = say("{n} svarte på spørsmålet", lang, n=fmt_int(int(rows['base'].max())))
        else:  # every cell hidden (fewer commenters than min_cell): no base either
            base_text = say("Færre enn {n} svarte på spørsmålet, så tallene vises ikke", lang, n=fmt_int(min_n))
        if asked is not None:
            base_text += say(", av {n} som fikk det", lang, n=fmt_int(asked))
        if resp is not None:
            base_text += say(" og {n} respondenter i alt", lang, n=fmt_int(resp))
        questions.append({"id": q, "text": text, "base_text": base_text + ".", "rows": _theme_rows(rows, parents),
                          "groups_note": theme_groups_note(rows, parents, lang),
                          "chart": charts.get(f"temaer_{q}"), "segments": _segment_blocks(r, q, charts, segment)})
        ok = rows[~rows["suppressed"].astype(bool)]
        if not ok.empty:
            top, group = _headline_theme(ok, parents)
            what = (say("minst ett av temaene i gruppen «{label}»", lang, label=top["label"]) if group
                    else f"«{top['label']}»")
            keyfacts.append({"value": fmt_pct(top["share"]),
                             "text": weighted + say(" av dem som svarte på «{question}», nevner {what} ({verbal})",
                                                    lang, question=_short(text, 60), what=what,
                                                    verbal=verbal_share(top["share"], lang)),
                             "trace": fmt_n_base(top["count"], top["base"])})
    indicators, indicator_questions = _indicator_rows(r, th)
    ind = _cur(r.indicators, wave)
    # the survey definition's overall indicator (``overall: true``), none when it marks none
    ind = ind[(ind["segment_var"] == "Alle") & (ind["indicator"] == r.overall_indicator)]
    for _, i in ind.iterrows():
        keyfacts.insert(0, {"value": fmt_pct(i["share"]),
                            "text": weighted + say(" svarer positivt på «{label}» ({verbal})", lang,
                                                   label=i["label"], verbal=verbal_share(i["share"], lang)),
                            "trace": fmt_n_base(i["n"], i["base"])})
    change_tables = _change_tables(r, charts)
    changes = [c for t in change_tables for c in t["rows"]]
    keyfacts += change_keyfacts(r)
    impact = []
    left_out = driver_left_out(r)
    for _, i in r.impact.sort_values(["question", "diff"]).iterrows():
        dg = change_digits(i["share_without"], i["share_with"], i["diff"])  # shares and difference that add up
        impact.append({"label": i["label"], "question": _short(r.questions.get(i["question"], i["question"]), 40),
                       "with": fmt_pct(i["share_with"], dg), "without": fmt_pct(i["share_without"], dg),
                       "diff": fmt_pp(i["diff"], dg), "ci": fmt_pp_ci(i["ci_low"], i["ci_high"], dg),
                       "trace": f"{fmt_int(i['n_with'])} / {fmt_int(i['n_without'])}",
                       "verdict": _verdict_text(i.get("verdict"), lang), **_adjusted(i, left_out, lang)})
    impact_caption = ""
    if not r.impact.empty:
        impact_caption = say("Andel positive på «{indicator}» blant dem som nevner temaet og blant de andre som svarte "
                             "på spørsmålet", lang, indicator=r.impact["indicator_label"].iloc[0])
    quotes = _quote_groups(r, th)
    method = html_method_lines(r)
    return {
        "r": r, "title": shown_title(r), "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "questions": questions,
        "keyfacts": keyfacts, "indicators": indicators, "indicator_chart": charts.get("indikatorer"),
        "changes": changes, "change_tables": change_tables, "trend_tables": trend_tables(r), "changes_mixed": any(c["coding_note"] for c in changes),
        "changes_redefined": redefined_versions(r) if any(
            c["codebook_change"] == "redefined" or (c["codebook_note"] and not c["codebook_change"]) for c in changes)
        else "",
        "changes_renamed": redefined_versions(r, "renamed_themes")
        if any(c["codebook_change"] == "renamed" for c in changes) else "",
        "changes_catch_all": redefined_versions(r, "catch_all_untested")
        if any(c["codebook_change"] == "catch_all" for c in changes) else "",
        "changes_unrounded": any(c["unrounded"] for c in changes), "indicator_questions": indicator_questions,
        "impact_missing": impact_missing(r), "weighted_note": weighted_note(r), "hidden_why": say(HIDDEN_WHY, lang),
        "small_group_note": say(SMALL_GROUP_NOTE, lang), "lang": HTML_LANG[lang], "language": lang,
        "tr": lambda text, **values: _markup(text, lang, values),
        "change_charts": [c for k, c in charts.items() if k.startswith("endring_")],
        "impact": impact, "impact_charts": [c for k, c in charts.items() if k.startswith("betydning_")],
        "impact_caption": impact_caption, "quotes": quotes, "method": method, "min_n": min_n,
        "no_quotes": no_quotes_text(r.method.get("quote_gaps") if isinstance(r.method, dict) else None, lang),
        "skip_to": "hovedfunn" if keyfacts else "tema",  # the first section after the header and contents
        "positive_caption": positive_caption(r),
        "quotes_note": quote_markers_note(r.quotes["text"] if r.quotes is not None and "text" in r.quotes.columns
                                          else [], lang),
        "synthetic": nn_text(r.method.get("synthetic"), lang),
        "abbreviations": abbreviations([*th["label"].dropna(), *_cur(r.indicators, wave)["label"].dropna()],
                                       r.codebook, lang),
        "fieldwork": fieldwork_text(r.method.get("fieldwork") if isinstance(r.method, dict) else None),
        "glossary_slot": jinja2.utils.markupsafe.Markup(GLOSSARY_SLOT),
    }


def _indicator_rows(r: ReportData, th: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """The rows of «Temaer ved siden av indikatorene»: each indicator with the share of each theme the survey
    definition links to it (``themes:``, :attr:`ReportData.indicator_themes`: one row per linked theme the report
    has, one row with «–» when it has none) among those who answered each free-text question (one cell per question,
    so a share is never shown without its question), and the questions' short wordings for the column heads."""
    ind = _cur(r.indicators, r.current_wave)
    ind = ind[ind["segment_var"] == "Alle"]
    overall = th[th["segment_var"] == "Alle"]
    qids = [q for q in r.questions if (overall["question"] == q).any()]
    rows = []
    for _, i in ind.iterrows():
        tids = [t for t in (r.indicator_themes or {}).get(i["indicator"], ()) if (overall["theme"] == t).any()]
        for tid in tids or [None]:
            rows.append(_indicator_row(r, i, overall[overall["theme"] == tid] if tid else overall.iloc[0:0], qids))
    return rows, [_short(r.questions[q], 40) for q in qids]


def _indicator_row(r: ReportData, i, cand: pd.DataFrame, qids: list[str]) -> dict:
    """One row of «Temaer ved siden av indikatorene»: indicator ``i``, its theme's rows ``cand`` (none: «–»)."""
    row = {"label": i["label"], "share": fmt_pct(i["share"]), "ci": fmt_ci(i["ci_low"], i["ci_high"]),
           "trace": f"{fmt_int(i['n'])} / {fmt_int(i['base'])}", "theme": None, "theme_cells": []}
    if not cand.empty:
        row["theme"] = cand["label"].iloc[0]
    for q in qids:
        c = cand[cand["question"] == q]
        if c.empty or bool(c["suppressed"].iloc[0]):
            row["theme_cells"].append({"share": "–", "trace": ""})
        else:
            c = c.iloc[0]
            row["theme_cells"].append({"share": fmt_pct(c["share"]),
                                       "trace": f"{fmt_int(c['count'])} / {fmt_int(c['base'])}"})
    # one line for pages with a single theme column (the service's dashboard): every question, named
    named = [(cell, _short(r.questions[q], 30)) for cell, q in zip(row["theme_cells"], qids) if cell["trace"]]
    row["theme_share"] = "; ".join(f"{cell['share']} («{qt}»)" for cell, qt in named) or None
    row["theme_trace"] = "; ".join(cell["trace"] for cell, _ in named) or None
    return row


def _shown_adds_up(prev, cur, diff, digits: int) -> bool:
    """Whether the shown (rounded) change equals the difference of the shown shares."""
    if any(v is None or pd.isna(v) for v in (prev, cur, diff)):
        return True
    p, c, d = (shown(v, digits, share=True) for v in (prev, cur, diff))  # as printed (half up)
    return c - p == d


def _markup(text: str, language: str, values: dict):
    """A fixed string of the template (:func:`say`; trusted markup such as ``&nbsp;``) with ``values`` escaped."""
    out = jinja2.utils.markupsafe.Markup(say(text, language))
    return out.format(**values) if values else out


def _change_row(r: ReportData, c) -> dict:
    lang = report_language(r)
    kind = c["kind"]
    if kind == "tema" and c.get("question"):
        kind = f"tema, «{_short(r.questions.get(c['question'], c['question']), 40)}»"
    dg = change_digits(c["prev_share"], c["share"], c["diff"])
    p_raw, p_adj = c.get("p_value"), c.get("p_adjusted")
    return {"label": c["label"], "kind": kind, "prev": fmt_pct(c["prev_share"], dg),
            "cur": fmt_pct(c["share"], dg), "diff": fmt_pp(c["diff"], dg),
            "ci": fmt_pp_ci(c.get("ci_low"), c.get("ci_high"), dg),
            "verdict": verdict_word(c["verdict"], lang), "verdict_key": c["verdict"],
            # with its direction («signifikant økning»): the report's badge text («verdict» stays the bare word,
            # which the service's pages take for the badge class too)
            "verdict_text": change_verdict(c["verdict"], c["diff"], lang),
            "p_raw": fmt_p(p_raw), "p": fmt_p(p_adj),
            "trace": f"{fmt_int(c['n_prev'])} / {fmt_int(c['n'])}",
            "unrounded": not _shown_adds_up(c["prev_share"], c["share"], c["diff"], dg),
            "coding_note": _text_or_empty(c.get("coding_note")),
            "codebook_note": nn_text(_text_or_empty(c.get("codebook_note")), lang),
            "codebook_change": _text_or_empty(c.get("codebook_change")),
            "segment_note": segment_change_note(r, c)}


def _change_tables(r: ReportData, charts: dict | None = None) -> list[dict]:
    """The change table split by adjustment family (Benjamini–Hochberg is applied within each): the indicators,
    then the themes of each question in the report's question order; rows by change, each with its chart."""
    charts = charts or {}
    ch = r.changes
    if ch is None or ch.empty:
        return []
    tables = []
    ind = ch[ch["kind"] == "indikator"]
    if not ind.empty:
        tables.append({"title": say("Indikatorer", report_language(r)), "question": "", "chart": charts.get("endring_indikator"),
                       "rows": [_change_row(r, c) for _, c in ind.sort_values("diff").iterrows()]})
    themes = ch[ch["kind"] == "tema"]
    order = list(r.questions) + [q for q in dict.fromkeys(themes["question"]) if q not in r.questions]
    for q in order:
        rows = themes[themes["question"] == q]
        if rows.empty:
            continue
        tables.append({"title": say("Temaer, «{question}»", report_language(r), question=r.questions.get(q, q)),
                       "question": q,
                       "chart": charts.get(f"endring_tema_{q}"),
                       "rows": [_change_row(r, c) for _, c in rows.sort_values("diff").iterrows()]})
    return tables


def impact_missing(r: ReportData) -> list[str]:
    """Notes under «Betydning» naming the themes of each question that have no row there (too few mentions for a
    comparison, or not testable), so that no theme is left out silently."""
    if r.impact is None or r.impact.empty:
        return []
    th = _cur(r.themes, r.current_wave)
    th = th[th["segment_var"] == "Alle"]
    notes = []
    for q, text in r.questions.items():
        in_model = set(r.impact.loc[r.impact["question"] == q, "theme"])
        rows = th[th["question"] == q].sort_values("share", ascending=False)
        missing = [str(lab) for t, lab in zip(rows["theme"], rows["label"]) if t not in in_model]
        if not missing:
            continue
        names = ", ".join(f"«{m}»" for m in missing)
        notes.append(say("Ikke med for «{question}» ({n} temaer): {names}. For få nevner disse temaene til en sikker "
                         "sammenligning, eller sammenligningen kan ikke testes.", report_language(r),
                         question=_short(text, 60), n=len(missing), names=names))
    return notes


#: quote languages as HTML lang values (the cleaner's codes and the names readers use)
_QUOTE_LANG = {"en": "en", "eng": "en", "english": "en", "engelsk": "en", "nn": "nn", "nno": "nn", "nynorsk": "nn",
               "nb": "nb", "nob": "nb", "bokmål": "nb", "bokmal": "nb", "sv": "sv", "swe": "sv", "swedish": "sv",
               "svensk": "sv", "da": "da", "dan": "da", "danish": "da", "dansk": "da"}
#: the note after a quote in a language other than Norwegian (HTML lang → note; none for the other written standard)
QUOTE_LANG_NOTES = {"en": "(på engelsk)", "sv": "(på svensk)", "da": "(på dansk)"}


def quote_lang(value, page: str = "nb") -> str:
    """The HTML lang of a quote written in another language than the page's ``page`` («en»; «nn» on a bokmål page,
    «nb» on a nynorsk one: WCAG 3.1.2), "" for the page's own language or when unknown."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    lang = _QUOTE_LANG.get(str(value).strip().lower(), "")
    return "" if lang == page else lang


def quote_lang_note(lang: str, language: str = "nb") -> str:
    """The note a reader sees after a quote whose HTML lang (:func:`quote_lang`) is ``lang`` («(på svensk)»), in the
    report's ``language``; "" for Norwegian or no lang."""
    note = QUOTE_LANG_NOTES.get(lang)
    return say(note, language) if note else ""


def _quote_groups(r: ReportData, th: pd.DataFrame) -> list[dict]:
    """The quote sections in the report's order: questions as listed, themes by share (largest first)."""
    overall = th[th["segment_var"] == "Alle"]
    groups = []
    quotes = quotes_in_report_order(r.quotes, r.themes, r.questions, r.current_wave)
    for (q, t), g in quotes.groupby(["question", "theme"], sort=False):
        lead = ""
        row = overall[(overall["question"] == q) & (overall["theme"] == t)]
        if not row.empty and not bool(row["suppressed"].iloc[0]):
            s = row.iloc[0]
            lead = say("{pct} av dem som svarte ({verbal}, {trace}) tar opp dette.", report_language(r),
                       pct=fmt_pct(s["share"]) + weighted_mark(r), verbal=verbal_share(s["share"], report_language(r)),
                       trace=fmt_n_base(s["count"], s["base"]))
        langs = g["language"] if "language" in g.columns else [None] * len(g)
        page = HTML_LANG[report_language(r)]
        items = [{"text": x, "attribution": small_group_label(_text_or_empty(a).strip(), report_language(r)),
                  "lang": quote_lang(lang, page),
                  "note": quote_lang_note(quote_lang(lang, page), report_language(r))}
                 for x, a, lang in zip(g["text"], g["attribution"], langs)]
        groups.append({"qid": q, "theme": t, "label": g["label"].iloc[0],
                       "question": _short(r.questions.get(q, q), 50), "lead": lead, "quotes": items})
    return groups


def html_method_lines(r: ReportData) -> list[dict]:
    """The method section of the published HTML: the method notes, with the adjusted-effects note per question
    (:func:`drivers_note`) and, under «Merknader», only the Norwegian reader notes (:func:`reader_notes`) instead of
    the tool's run warnings (English, with file names: they stay in the terminal, the sheet «Metode» and the JSON)."""
    lang = report_language(r)
    method = {k: v for k, v in r.method.items() if k != "warnings"}
    note = drivers_note(r, lang)
    if note and "drivers" in method:
        method["drivers"] = note
    notes = reader_notes(r, lang)
    if notes:
        method["warnings"] = " ".join(notes)
    return [{"name": name, "value": text} for name, text in method_lines(method, lang)]


def render_html(r: ReportData, charts: dict[str, ch.Chart] | None = None, *, segment: str | None = None,
                template: str = "report.html") -> str:
    """The whole report as one HTML string."""
    charts = make_charts(r) if charts is None else charts
    page = _ENV.get_template(template).render(**view_model(r, charts, segment=segment))
    lang = report_language(r)
    # the statistical terms' first uses linked to «Ord og metode»; on a nynorsk page, the user's bokmål marked
    return mark_bokmal(link_glossary(page, lang), user_strings(r), lang)


def user_strings(r: ReportData) -> list[str]:
    """The texts the page takes from the user's files outside the quotes (:func:`textmine.report.pagetext.
    mark_bokmal` marks those in bokmål on a nynorsk page): theme, indicator and segment labels (as written and in
    lower case, as captions use them), segment levels, the questions and their shortened forms."""
    out = {*r.segments.values(), *(str(v).lower() for v in r.segments.values())}
    for df, cols in ((r.themes, ("label", "segment")), (r.indicators, ("label", "segment")),
                     (r.changes, ("label",)), (r.impact, ("label", "indicator_label")), (r.quotes, ("label",))):
        for c in cols:
            if df is not None and c in df.columns:
                out |= {str(v) for v in df[c].dropna().unique()}
    out |= {str(t.get("label") or "") for t in r.codebook or ()}
    for text in r.questions.values():
        out |= {text, *(_short(text, n) for n in (30, 40, 50, 60))}
    if r.quotes is not None and "text" in r.quotes.columns:  # the redaction markers the quotes note names ([NAVN])
        out |= {m for t in r.quotes["text"].dropna().astype(str) for m in _MARKER.findall(t)}
    return sorted(s for s in out if s and s not in ("Alle", "Totalt"))
