"""The survey summary: structured indicators and themed shares side by side, per segment, weighted and
unweighted, with CIs, small-cell suppression, themes × indicators, a driver table, wave-over-wave change
with verdicts (BH-adjusted), and quotes — for one or more waves.

:func:`build_summary` is pure: respondent frames + already-coded comment frames in, :class:`Summary` out.
All grouped statistics are sums of a sparse one-hot segment matrix times value matrices (vectorised).
"""

from __future__ import annotations

import json
import math
import re
import warnings as _warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import stats as st
from .survey import SurveyDefinition, value_keys

__all__ = ["Summary", "build_summary", "QuoteRule", "quote_rule", "quote_rules", "review_drift_lines", "review_rises",
           "VERDICT_SUPPRESSED", "blank_hidden_rows", "hide_small_counts", "neutral_summary", "TOTAL_SEGMENT", "TOTAL_VALUE",
           "MISSING_LEVEL", "DENOMINATORS"]

TOTAL_SEGMENT = "Totalt"
TOTAL_VALUE = "Alle"
MISSING_LEVEL = "(uoppgitt)"  # the level of respondents without a (declared) value of a segment
DENOMINATORS = ("kommentatorer", "spurt", "alle")
#: the verdict of a hidden cell: a small base, and a cell hidden for its complement too (:func:`hide_small_counts`
#: rule b: its base is large, but so few are outside its count, or in one of its two groups, that they could be
#: named). One reason for all: a published reason per hidden cell would narrow its count (a complement-hidden
#: cell holds base − 1 … base − min_cell + 1) and, with the totals, give hidden cells back; the method note names
#: all the reasons together
VERDICT_SUPPRESSED = "for få svar"
#: the column of :func:`hide_small_counts`' copy marking the rows its complement rule (b) hid (the levels hidden
#: before it are the ones named «Liten gruppe»); internal, never published: :func:`blank_hidden_rows` and the
#: exports (``raw=True`` too) drop it
COMPLEMENT_HIDDEN = "suppressed_complement"
NOT_CODED = "ikke kodet"  # a free-text question with answers but no coded row in a wave: no theme rows at all
VERDICT_NOT_APPLICABLE = st.VERDICT_UNTESTABLE  # theme × indicator: the indicator does not vary among the commenters
VERDICT_RULE = (
    "signifikant: justert p < 0,05 (p justert med Benjamini–Hochberg for mange sammenligninger innen hver tabell: "
    "én inndeling × indikatorer/temaer) og 95\u00a0% KI for endringen utelukker 0; tendens: ellers justert p < 0,10; "
    "ingen sikker endring: justert p ≥ 0,10 (ikke det samme som at andelen er uendret); ikke testbar: andelen mangler "
    "i en av målingene (f.eks. et tema som ikke er kodet); verdict_unadjusted (i filene) bruker ujustert p"
)
DIFFERENCE_RULE = (
    "forskjell: justert p < 0,05 (Benjamini–Hochberg over temaene, for hver indikator for seg) og 95\u00a0% KI utelukker "
    "0; tendens: ellers justert p < 0,10; ingen sikker forskjell ellers; ikke testbar: indikatoren er lik for alle "
    "kommentatorene (f.eks. et spørsmål som bare stilles dem som svarte negativt på den), eller temaet er ikke kodet, "
    "ingen test"
)
TEST_METHOD = (
    "95\u00a0% KI for forskjellen mellom to andeler: Newcombes hybride score-intervall (fra Wilson-intervallene til de to "
    "andelene); p-verdi: to-utvalgs z-test med sammenslått standardfeil, eller Fishers eksakte test når en andel er "
    "0 % eller 100 % eller en forventet frekvens er under 5; vektet: på Kish effektiv n (eksakt test på avrundede "
    "effektive antall)"
)
MULTI_LABEL_NOTE = (
    "en kommentar kan ha flere temaer, så temaandelene kan til sammen bli mer enn 100 %"
)
CLEARED_LEVELS_ATTR = "undeclared_levels_cleared"  # frame attr: warnings of read_waves' clearing, kept for the summary
READ_NOTES_ATTR = "missing_notes"  # frame attr: read_table's notes on a .sav (SPSS missing codes, value labels)
TABLES = ("indicators", "multiselect", "themes", "theme_indicators", "drivers", "changes", "quotes")


# ---------------------------------------------------------------------------- helpers
@dataclass
class _Grouping:
    segment: str
    levels: list[str]
    codes: np.ndarray  # per respondent (a missing value is the level MISSING_LEVEL)


def _groupings(df: pd.DataFrame, survey: SurveyDefinition, segments: Sequence[str] | None) -> list[_Grouping]:
    out = [_Grouping(TOTAL_SEGMENT, [TOTAL_VALUE], np.zeros(len(df), dtype=np.int64))]
    for s in survey.segments:
        if segments is not None and s.column not in segments:
            continue
        levels = survey.segment_levels(df, s.column)
        codes = pd.Index(levels, dtype=object).get_indexer(value_keys(df[s.column])).astype(np.int64)
        levels, codes = _with_missing_level(levels, codes)
        out.append(_Grouping(s.column, levels, codes))
    return out


def _with_missing_level(levels: list[str], codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Respondents with a missing (or undeclared, hence cleared) segment value as a level of their own,
    «(uoppgitt)», last: they are in the total, so without a row of their own the total minus the levels would give
    their numbers back unsuppressed. Added only when some respondent has no level."""
    if not (codes < 0).any():
        return levels, codes
    levels = list(levels)
    if MISSING_LEVEL not in levels:
        levels.append(MISSING_LEVEL)
    return levels, np.where(codes < 0, levels.index(MISSING_LEVEL), codes)


@dataclass
class _IndicatorArrays:
    """Per respondent × indicator: numeric value, and 0/1 for on-scale (base), excluded code, positive code."""

    vals: np.ndarray
    valid: np.ndarray
    excl: np.ndarray
    pos: np.ndarray


def _indicator_arrays(df: pd.DataFrame, survey: SurveyDefinition) -> _IndicatorArrays:
    inds = survey.indicators
    if not inds:
        z = np.zeros((len(df), 0))
        return _IndicatorArrays(z, z, z, z)
    vals = np.column_stack([pd.to_numeric(df[i.column], errors="coerce").to_numpy(float) for i in inds])

    def member(attr: str) -> np.ndarray:
        return np.column_stack([np.isin(vals[:, j], np.asarray(getattr(ind, attr), float)) for j, ind in enumerate(inds)]).astype(float)

    return _IndicatorArrays(vals, member("scale"), member("excluded"), member("positive"))


def _weights(df: pd.DataFrame, survey: SurveyDefinition) -> tuple[np.ndarray, bool]:
    if survey.weight_column and survey.weight_column in df:
        w = pd.to_numeric(df[survey.weight_column], errors="coerce").to_numpy(float)
        return np.nan_to_num(w, nan=0.0), True
    return np.ones(len(df)), False


def _share_block(count, base, wcount, wbase, w2base, *, weighted: bool, level: float) -> dict[str, np.ndarray]:
    """Unweighted (Wilson on n) and weighted (Wilson on Kish effective n) estimates from grouped sums."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(base > 0, count / base, np.nan)
        lo, hi, m = st.proportion_ci(share, base, weighted=False, level=level)
        out = {"count": count, "share": share, "ci_low": lo, "ci_high": hi, "ci_method": m}
        if weighted:
            share_w = np.where(wbase > 0, wcount / wbase, np.nan)
            n_eff = np.where(w2base > 0, wbase**2 / w2base, 0.0)
            lo_w, hi_w, m_w = st.proportion_ci(share_w, n_eff, weighted=True, level=level)
            out.update({"count_w": wcount, "share_w": share_w, "n_eff": n_eff, "ci_low_w": lo_w, "ci_high_w": hi_w, "ci_method_w": m_w})
    return out


#: what a hidden (suppressed) row keeps when its numbers are blanked: which cell it is and its flags; no value, CI,
#: base or test (the service's summary keeps the same columns)
HIDDEN_ROW_KEEPS = frozenset({
    "kind", "wave", "wave_prev", "question", "theme", "indicator", "column", "label", "measure", "group", "option",
    "exclusive", "item", "denominator", "segment", "value", "outcome", "weighted", "applicable", "suppressed",
    "verdict", "verdict_unadjusted",
})  # not ``suppressed_secondary``: a secondary cell is not small itself, so saying which one it is narrows it


def _blank_rows(t: pd.DataFrame, nullable: bool) -> tuple[pd.DataFrame, int]:
    """``t`` with every column but :data:`HIDDEN_ROW_KEEPS` blanked on its suppressed rows (whole numbers stay
    whole on the other rows as nullable Int64, or become float with ``nullable=False``). Returns the table and
    how many rows were blanked."""
    if "suppressed" not in t.columns or not len(t):
        return t, 0
    hidden = t["suppressed"].fillna(False).astype(bool).to_numpy()
    if not hidden.any():
        return t, 0
    t = t.copy()
    for c in t.columns:
        if c in HIDDEN_ROW_KEEPS or c == "respondent_id":
            continue
        kind = t[c].dtype.kind
        if kind in "iu":
            t[c] = t[c].astype("Int64" if nullable else float)
        elif kind != "f":
            t[c] = t[c].astype(object)
        t.loc[hidden, c] = None
    return t, int(hidden.sum())


def blank_hidden_rows(summary: "Summary", *, nullable: bool = True) -> tuple["Summary", int]:
    """A copy of ``summary`` whose hidden rows (primary or secondary suppression, in ``flag`` mode too) carry no
    number — no share, CI, count, base or test —, only which cell they are and the ``suppressed`` flags; for what
    is written or shown to readers. Small counts beside them are hidden first (:func:`hide_small_counts`, unless
    ``summary`` is its copy already), and its record of which rule hid a row (:data:`COMPLEMENT_HIDDEN`) dropped.
    Whole-number columns stay whole (nullable Int64: files write visible cells as before), or become float with
    ``nullable=False`` (for :meth:`Summary.to_text_table`). Returns the copy and how many rows were blanked."""
    summary = hide_small_counts(summary)
    tables, n = {}, 0
    for name, t in summary.tables.items():
        if COMPLEMENT_HIDDEN in t.columns:
            t = t.drop(columns=COMPLEMENT_HIDDEN)
        tables[name], k = _blank_rows(t, nullable)
        n += k
    return replace(summary, tables=tables), n


#: the count columns of a table whose complement (base − count) may single respondents out: (count, base, the
#: breakdown's item keys); the theme table's cell is judged on its «kommentatorer» row and hidden in all denominators
_COMPLEMENT_TABLES = {
    "indicators": ("count", "n", ["indicator"]),
    "multiselect": ("count", "n", ["group", "option"]),
    "themes": ("count", "n", ["question", "theme"]),
}
#: the change rows' keys per source table: (change kind, source key columns → change columns)
_CHANGE_KEYS = {
    "indicators": ("indicator", {"indicator": "item"}),
    "multiselect": ("multiselect", {"option": "item"}),
    "themes": ("theme", {"question": "question", "theme": "item", "denominator": "denominator"}),
}
#: the split of an indicator's non-base answers: excluded codes («vet ikke») and no answer; hidden together
_SPLIT_COLUMNS = ("n_excluded", "n_missing", "experience_share")


def hide_small_counts(summary: "Summary") -> "Summary":
    """A copy of ``summary`` for readers without the small counts the row suppression leaves: (a) an indicator's
    ``n_excluded`` / ``n_missing`` from 1 to ``min_cell`` − 1 (with ``experience_share``, which gives
    ``n_excluded`` back) are blanked, both together (``n_total`` − ``n`` gives one from the other), and while
    their total row minus the visible levels would give them back the next smallest levels' too
    (:func:`secondary_levels`); 0 stays; (b) a count (indicator positive, multi-select option, theme) whose
    complement (base − count; a theme's commenters without it) is from 1 to ``min_cell`` − 1 hides its row
    (``suppressed``; its change rows too, with the verdict :data:`VERDICT_SUPPRESSED`), with secondary suppression
    on the complements within the breakdown; (c) in every breakdown with hidden levels, while what the total minus
    the shown levels gives back (the hidden levels together) has a base or a complement from 1 to ``min_cell`` − 1
    in any denominator, or is one level with respondents, the smallest shown level is hidden too (its rows and
    change rows as in (b); :func:`_union_levels`); the change families' Benjamini–Hochberg adjustment is then
    redone over the shown tests (``meta.bh_families`` to match). The total («Totalt», all respondents) keeps every
    headline number. :attr:`Summary.tables` stay as they are. The copy marks the rows rules (b) and (c) hid
    (:data:`COMPLEMENT_HIDDEN`) and carries :attr:`Summary.small_counts_hidden`: a second call returns it as it is.
    Every reader output applies it — the summary's files and terminal tables, and the report
    (:func:`textmine.report.views.report_from_summary`).
    (The theme × indicator table applies rule (b) when it is built: it needs the themes' families.)"""
    if summary.small_counts_hidden:
        return summary
    min_cell = (summary.meta or {}).get("min_cell") or getattr(summary.definition, "min_cell", None)
    if not min_cell or min_cell <= 1:
        return replace(summary, small_counts_hidden=True)
    tables = dict(summary.tables)
    hidden_cells = []
    for name, spec in _COMPLEMENT_TABLES.items():
        t = tables.get(name)
        if t is None or not len(t) or not {spec[0], spec[1], "segment", "value", "suppressed"} <= set(t.columns):
            continue
        tables[name], new = _hide_complements(t, min_cell, *spec)
        if new.any():
            hidden_cells.append((name, tables[name].loc[new]))
    if tables.get("indicators") is not None and len(tables["indicators"]):
        tables["indicators"] = _hide_small_split(tables["indicators"], min_cell)
    meta = summary.meta
    if hidden_cells and tables.get("changes") is not None and len(tables["changes"]):
        hidden_cells = _renamed_cells(hidden_cells, meta)
        tables["changes"], families = _adjust_changes(_hide_changes(tables["changes"], hidden_cells))
        meta = _with_families(meta, "changes", families)
    return replace(summary, tables=tables, meta=meta, small_counts_hidden=True)


def _renamed_cells(hidden_cells: list[tuple[str, pd.DataFrame]], meta: Mapping | None) -> list[tuple[str, pd.DataFrame]]:
    """``hidden_cells`` with each hidden theme cell of a theme that a declared rename or merge continues
    (``meta["renamed_themes"]``) also under the new id: the change row that compares with it shows its share."""
    out = list(hidden_cells)
    for rec in (meta or {}).get("renamed_themes") or ():
        for name, rows in hidden_cells:
            if name != "themes" or not len(rows):
                continue
            sel = rows["wave"].map(_json_wave).eq(rec["old_wave"]) & rows["theme"].isin(rec["replaces"])
            if rec.get("question"):
                sel &= rows["question"].astype(str).eq(rec["question"])
            if sel.any():
                out.append((name, rows[sel].assign(theme=rec["theme"])))
    return out


def _family_key(f: Mapping) -> tuple:
    return f.get("table"), str(f.get("wave_prev")), str(f.get("wave")), str(f.get("family"))


def _with_families(meta: Mapping | None, table: str, families: list[dict]) -> dict:
    """``meta`` (a copy) whose ``bh_families`` of ``table`` count the tests of ``families`` (the adjustment redone
    over the shown tests), and its ``bh_note`` to match."""
    meta = dict(meta or {})
    new = {_family_key(f): f for f in families}
    old = list(meta.get("bh_families") or [])
    merged = [new.pop(_family_key(f), f) if f.get("table") == table else f for f in old] + list(new.values())
    meta["bh_families"] = merged
    meta["bh_note"] = _bh_note(merged)
    return meta


def _small(v: np.ndarray, min_cell: float) -> np.ndarray:
    """Counts from 1 to ``min_cell`` − 1 (blank: not small)."""
    v = np.asarray(v, dtype=float)
    with np.errstate(invalid="ignore"):
        return (v >= 1) & (v < min_cell)


def _hide_complements(t: pd.DataFrame, min_cell: float, count: str, base: str,
                      items: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rules (b) and (c) of :func:`hide_small_counts` on one table: the rows to hide flagged ``suppressed`` (the cells
    hidden for their own complement primary, the others ``suppressed_secondary``), and the rows it hid marked in
    :data:`COMPLEMENT_HIDDEN`. Returns the table and the new rows."""
    judged = t["denominator"].eq(DENOMINATORS[0]).to_numpy() if "denominator" in t.columns else np.ones(len(t), bool)
    keys = [k for k in ["wave", *items, "segment"] if k in t.columns]
    comp = (t[base].to_numpy(float) - t[count].to_numpy(float))
    shown = ~t["suppressed"].fillna(False).astype(bool).to_numpy()
    levels = t["segment"].ne(TOTAL_SEGMENT).to_numpy()
    primary = judged & shown & _small(comp, min_cell) & levels
    if not primary.any() and not (judged & ~shown & levels).any():
        return t, primary
    cells = [k for k in ["wave", *[i for i in items if i != "denominator"], "segment", "value"] if k in t.columns]
    secondary = np.zeros(len(t), dtype=bool)
    sub = t[judged]
    pos = np.flatnonzero(judged)
    n_d, c_d = _denominator_counts(t, judged, cells, base, count)
    tot_n, tot_c = _denominator_counts(t, judged, cells, base, count, total=True)
    present = (n_d > 0).any(axis=1)
    if "n_total" in t.columns:  # an indicator's level with respondents but no valid answer is in n_total
        present |= t["n_total"].to_numpy(float)[judged] > 0
    for idx in sub.groupby(keys, sort=False, dropna=False).indices.values():
        rows = pos[idx]
        hidden = primary[rows] | ~shown[rows]  # the rows hidden already count as hidden
        if len(rows) < 2 or not levels[rows].all() or not hidden.any():
            continue
        extra = np.zeros(len(rows), dtype=bool)
        if primary[rows].any():
            extra = secondary_levels(np.nan_to_num(comp[rows]), hidden, t[base].to_numpy(float)[rows] > 0,
                                     min_cell) & shown[rows]
        extra |= _union_levels(n_d[idx], c_d[idx], tot_n[idx[0]], tot_c[idx[0]], hidden | extra, present[idx],
                               min_cell)
        secondary[rows] = extra & shown[rows]
    new = _spread(t, cells, judged, primary | secondary)
    sec = _spread(t, cells, judged, secondary)
    t = t.copy()
    t["suppressed"] = t["suppressed"].fillna(False).astype(bool) | new
    t["suppressed_secondary"] = (t["suppressed_secondary"].fillna(False).astype(bool) | sec) & t["suppressed"]
    before = t[COMPLEMENT_HIDDEN].fillna(False).astype(bool) if COMPLEMENT_HIDDEN in t.columns else False
    t[COMPLEMENT_HIDDEN] = before | (new & shown)
    return t, new & shown


def _denominator_counts(t: pd.DataFrame, judged: np.ndarray, cells: list[str], base: str, count: str, *,
                        total: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per judged row of :func:`_hide_complements`: its cell's base and count in each denominator (the theme
    table's three, else the row's own), as two arrays judged rows × denominators; ``total``: those of the total
    row («Totalt») of its wave and item instead (NaN where there is none)."""
    on = [c for c in cells if c not in ("segment", "value")] if total else list(cells)
    left = t.loc[judged, on].reset_index(drop=True)
    n, c = [], []
    for d in (DENOMINATORS if "denominator" in t.columns else (None,)):
        rows = t if d is None else t[t["denominator"].eq(d)]
        if total:
            rows = rows[rows["segment"].eq(TOTAL_SEGMENT)]
        right = rows[[*on, base, count]].drop_duplicates(on)
        m = left.merge(right, on=on, how="left")
        n.append(pd.to_numeric(m[base], errors="coerce").to_numpy(float))
        c.append(pd.to_numeric(m[count], errors="coerce").to_numpy(float))
    return np.column_stack(n), np.column_stack(c)


def _union_levels(n: np.ndarray, count: np.ndarray, total_n: np.ndarray, total_c: np.ndarray, hidden: np.ndarray,
                  present: np.ndarray, min_cell: float) -> np.ndarray:
    """The levels of one breakdown to hide besides ``hidden`` so that what the total minus the shown levels gives
    back — the hidden levels together — passes the rules of a shown cell in every denominator: a base (``n``,
    levels × denominators, with the total's ``total_n``) of 0 or at least ``min_cell``, and a complement (base −
    ``count``) of 0 or at least ``min_cell``; and never one hidden level with respondents (``present``) alone, nor
    one alone with a base in any denominator. While it does not, the smallest shown level (by the first
    denominator's base; for a level alone in a denominator, the smallest with a base there) is hidden too."""
    extra = np.zeros(len(n), dtype=bool)
    while True:
        h = (hidden | extra) & present
        if not h.any():
            return extra
        with np.errstate(invalid="ignore"):
            un = np.where(np.isnan(total_n), np.nansum(n[h], axis=0), total_n - np.nansum(n[~(hidden | extra)], axis=0))
            uc = np.where(np.isnan(total_c), np.nansum(count[h], axis=0),
                          total_c - np.nansum(count[~(hidden | extra)], axis=0))
        bad = (_small(un, min_cell) | _small(un - uc, min_cell)).any()
        # per denominator: one hidden level with a base there is that level, given back alone (a level hidden for
        # its respondents may have no commenters, and then adds nothing to the «kommentatorer» union)
        alone = (np.nan_to_num(n[h]) > 0).sum(axis=0) == 1
        if h.sum() > 1 and not bad and not alone.any():
            return extra
        cand = np.flatnonzero(~hidden & ~extra & present)
        col = 0
        if not bad and alone.any():  # hide one more level with a base in that denominator
            col = int(np.flatnonzero(alone)[0])
            cand = cand[np.nan_to_num(n[cand, col]) > 0]
        if not len(cand):
            return extra
        extra[cand[int(np.argmin(np.nan_to_num(n[cand, col])))]] = True


def _spread(t: pd.DataFrame, cells: list[str], judged: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``mask`` (on the judged rows) for every row of the same cell (a theme's three denominators)."""
    if judged.all():
        return mask.copy()
    marked = t.loc[judged & mask, cells].drop_duplicates()
    if not len(marked):
        return np.zeros(len(t), dtype=bool)
    return t[cells].merge(marked.assign(_hit=True), on=cells, how="left")["_hit"].fillna(False).to_numpy(bool)


def _hide_small_split(t: pd.DataFrame, min_cell: float) -> pd.DataFrame:
    """Rule (a) of :func:`hide_small_counts`: ``n_excluded``, ``n_missing`` and ``experience_share`` blanked where
    either count is small in a segment level (not in the total), and on the next smallest levels of the segment
    while the total minus the visible levels would give them back."""
    if not {"n_excluded", "n_missing"} <= set(t.columns):
        return t
    excl, miss = t["n_excluded"].to_numpy(float), t["n_missing"].to_numpy(float)
    levels = t["segment"].ne(TOTAL_SEGMENT).to_numpy()  # the total (all respondents) is the headline: shown
    hide = (_small(excl, min_cell) | _small(miss, min_cell)) & levels
    keys = [k for k in ("wave", "indicator", "segment") if k in t.columns]
    rows_hidden = t["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in t.columns else hide & False
    if not hide.any() and not (rows_hidden & levels).any():
        return t
    extra = np.zeros(len(t), dtype=bool)
    for idx in t.groupby(keys, sort=False, dropna=False).indices.values():
        # a breakdown with hidden rows too: the total minus the visible levels gives their split together
        if len(idx) < 2 or not levels[idx].all() or not (hide[idx] | rows_hidden[idx]).any():
            continue
        for v in (excl[idx], miss[idx]):  # each count's total minus its visible levels: the hidden levels' sum
            v = np.nan_to_num(v)  # (a hidden row's split is blanked with the row: it counts as hidden)
            extra[idx] |= secondary_levels(v, hide[idx] | rows_hidden[idx], v > 0, min_cell)
    hide |= extra
    t = t.copy()
    for c in _SPLIT_COLUMNS:
        if c in t.columns:
            t[c] = t[c].astype("Int64" if t[c].dtype.kind in "iu" else t[c].dtype)
            t.loc[hide, c] = None
    return t


def _hide_changes(ch: pd.DataFrame, hidden_cells: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The change rows of cells :func:`_hide_complements` hid (in the wave or the wave compared with): flagged
    ``suppressed``, with the verdict «for få svar» (:data:`VERDICT_SUPPRESSED`; a row hidden
    already keeps its «for få svar»)."""
    need = {"kind", "wave", "wave_prev", "item", "segment", "value", "suppressed"}
    if not need <= set(ch.columns):
        return ch
    hit = np.zeros(len(ch), dtype=bool)
    for name, rows in hidden_cells:
        kind, rename = _CHANGE_KEYS[name]
        cols = ["wave", "segment", "value", *[c for c in rename if c in rows.columns]]
        keys = rows[cols].rename(columns=rename).drop_duplicates().assign(_hit=True)
        on = [rename.get(c, c) for c in cols]
        mine = ch["kind"].eq(kind).to_numpy()
        for wave_col in ("wave", "wave_prev"):
            k = keys.rename(columns={"wave": wave_col})
            on_w = [wave_col if c == "wave" else c for c in on]
            m = ch[on_w].merge(k, on=on_w, how="left")["_hit"].fillna(False).to_numpy(bool)
            hit |= mine & m
    if not hit.any():
        return ch
    ch = ch.copy()
    before = ch["suppressed"].fillna(False).astype(bool).to_numpy()
    ch["suppressed"] = before | hit
    for c in ("verdict", "verdict_unadjusted"):
        if c in ch.columns:
            ch.loc[hit & ~before, c] = VERDICT_SUPPRESSED
    if "test" in ch.columns:
        ch.loc[hit, "test"] = ""
    return ch


#: a level already under the service's neutral label («(liten gruppe)», «(liten gruppe 2)»: the service renames
#: small levels in its frames before the summary): kept as is, not named a second time
_SERVICE_NEUTRAL = re.compile(r"\(liten gruppe(?: [1-9]\d*)?\)")


def neutral_summary(summary: "Summary", survey: SurveyDefinition | None, *,
                    key: bytes | str | None = None) -> "Summary":
    """A copy of ``summary`` whose hidden levels of free-valued segments (e.g. «kontor») carry the report's neutral
    names («Liten gruppe N», :func:`textmine.report.views.small_level_names`, numbered with ``key``, by default the
    installation's :func:`textmine.paths.disclosure_key`) in every row of every table and in the quotes'
    attributions: the same names as ``textmine report`` gives on the same data. The cells hidden are those of
    :func:`hide_small_counts` (the copy carries its flags); the names are those of the levels hidden before its
    complement rule (a small base, or secondary; :func:`textmine.report.views.small_level_names` leaves out the rows
    marked :data:`COMPLEMENT_HIDDEN`): a cell hidden for its small complement belongs to a large group, which
    «Liten gruppe» would misname. Without ``survey``, or when ``summary`` is already such a copy: not renamed
    again (naming twice would renumber the names)."""
    from .report.views import indicator_view, neutral_attributions, small_level_names, theme_view

    hidden = hide_small_counts(summary)
    if survey is None or summary.levels_named:
        return hidden
    labels = (summary.meta or {}).get("theme_labels") or {}
    small = small_level_names(survey, indicator_view(hidden, survey), theme_view(hidden, survey, labels), key=key)
    small = {k: v for k, v in small.items() if not _SERVICE_NEUTRAL.fullmatch(k[1])}
    if not small:
        return replace(hidden, levels_named=True)
    tables = {name: neutral_attributions(_neutral_levels(t, survey, small), small)
              for name, t in hidden.tables.items()}
    return replace(hidden, tables=tables, levels_named=True)


def _neutral_levels(t: pd.DataFrame, survey: SurveyDefinition, small) -> pd.DataFrame:
    """A summary table (``segment`` = column, ``value`` = level) with the levels in ``small`` under their neutral
    names, moved after their group's other rows, as :func:`textmine.report.views.neutral_small_levels` does."""
    from .report.views import neutral_small_levels

    if t is None or t.empty or not {"segment", "value"} <= set(t.columns):
        return t
    display = {s.column: dict(s.display) for s in survey.segments}
    shown = [display.get(var, {}).get(str(val), str(val)) for var, val in zip(t["segment"], t["value"])]
    named = neutral_small_levels(t.assign(segment_var=t["segment"].to_numpy(), segment=shown), small)
    return named.drop(columns="segment").rename(columns={"segment_var": "segment"})[list(t.columns)]


#: the columns no export writes, ``raw=True`` too: the quoted respondents' ids, and which rule hid a row
_NEVER_EXPORTED = ["respondent_id", COMPLEMENT_HIDDEN]


def _records(df: pd.DataFrame) -> list[dict]:
    """JSON-safe records (NaN/inf → None, numpy → Python) via pandas' C JSON writer."""
    if not len(df):
        return []
    return json.loads(df.to_json(orient="records", force_ascii=False, double_precision=12, date_format="iso"))


def _missing(v: Any) -> bool:
    """A blank number: None, NA or NaN/inf."""
    return v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and not math.isfinite(v))


# ---------------------------------------------------------------------------- the Summary object
@dataclass(repr=False)
class Summary:
    """Everything a report needs, as tidy tables (see :data:`TABLES`) plus metadata and warnings.

    ``tables`` hold every number, hidden (suppressed) cells and the real names of small free-valued levels
    included, and ``tables['quotes']`` the quoted respondents' ids: for in-process work. The exports
    (:meth:`to_dict`, :meth:`to_json`, :meth:`to_frame`, :meth:`write`) are what may be published, as the CLI's
    files: hidden rows without numbers (in ``flag`` mode too), small free-valued levels as «Liten gruppe N» (when
    the summary knows its survey definition, as :func:`build_summary` gives it), no respondent ids."""

    survey: str
    waves: list
    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the survey definition it was built from (names the small free-valued levels in the exports)
    definition: SurveyDefinition | None = field(default=None, compare=False)
    #: True on :func:`neutral_summary`'s copy: its small levels already carry their neutral names
    levels_named: bool = field(default=False, compare=False)
    #: True on :func:`hide_small_counts`' copy (so on every reader copy): its small counts are hidden already
    small_counts_hidden: bool = field(default=False, compare=False)

    def __repr__(self) -> str:
        """What it holds, in one line: waves, tables with their row counts, warnings. Never a row (the quotes
        table links quote text to respondent ids)."""
        tables = ", ".join(f"{name}: {len(t)} rows" for name, t in self.tables.items())
        return (f"Summary(survey={self.survey!r}, waves={list(self.waves)!r}, tables={{{tables}}}, "
                f"{len(self.warnings)} warnings)")

    def table(self, name: str) -> pd.DataFrame:
        """The raw table ``name`` (one of :data:`TABLES`; empty when the summary has no rows of it), with every
        number: not for publishing (see :meth:`to_frame`). An unknown name is a ``KeyError`` naming the tables."""
        if name in self.tables:
            return self.tables[name]
        if name in TABLES:
            return pd.DataFrame()
        raise KeyError(f"no summary table {name!r}; the tables are {', '.join(TABLES)}")

    def for_readers(self, *, key: bytes | str | None = None) -> "Summary":
        """The copy the exports write: small free-valued levels under their neutral names (:func:`neutral_summary`,
        when :attr:`definition` is known) and hidden rows without numbers (:func:`blank_hidden_rows`)."""
        return blank_hidden_rows(neutral_summary(self, self.definition, key=key))[0]

    def _export(self, raw: bool) -> "Summary":
        return self if raw else self.for_readers()

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """JSON-safe (NaN → None, numpy scalars → Python) and safe to publish: hidden rows carry no number and
        small free-valued levels no name (:meth:`for_readers`), never respondent ids next to quotes.
        ``raw=True``: every number and name as in :attr:`tables` (internal use; NOT safe to publish)."""
        src = self._export(raw)
        return {
            "survey": src.survey,
            "waves": [w if isinstance(w, (int, str)) else str(w) for w in src.waves],
            "meta": json.loads(json.dumps(src.meta, default=str)),
            "warnings": list(src.warnings),
            "tables": {name: _records(df.drop(columns=_NEVER_EXPORTED, errors="ignore"))
                       for name, df in src.tables.items()},
        }

    def to_json(self, *, raw: bool = False, **kw: Any) -> str:
        """:meth:`to_dict` as JSON text (``kw`` to :func:`json.dumps`, e.g. ``indent``); ``raw`` as there."""
        return json.dumps(self.to_dict(raw=raw), ensure_ascii=False, allow_nan=False, **kw)

    def to_frame(self, *, raw: bool = False) -> pd.DataFrame:
        """One long tidy frame: every table's rows with a ``table`` column first; safe to publish as
        :meth:`to_dict` (``raw=True``: every number and name, NOT safe to publish)."""
        src = self._export(raw)
        parts = [df.drop(columns=_NEVER_EXPORTED, errors="ignore").assign(table=name)
                 for name, df in src.tables.items() if len(df)]
        if not parts:
            return pd.DataFrame(columns=["table"])
        out = pd.concat(parts, ignore_index=True, sort=False)
        if "rank" in out.columns:  # the quotes' rank: empty in the other tables' rows, not 1.0, 2.0
            out["rank"] = out["rank"].astype("Int64")
        return out[["table"] + [c for c in out.columns if c != "table"]]

    # -------------------------------------------------------------- terminal
    def to_text_table(self, *, wave: Any = None, width: int = 140, max_themes: int | None = None) -> str:
        """Plain-text tables (rich) for one wave (default: the last): indicators, then themes per question,
        each with CI and change since the wave it is compared with, with its verdict; a question not coded in
        the wave is one line «ikke kodet», without numbers; Norwegian number format
        (:func:`textmine.texttables.text_tables`). Returns the text; prints nothing."""
        from .texttables import text_tables

        return text_tables(self, wave=wave, width=width, max_themes=max_themes)

    # -------------------------------------------------------------- files
    def write(self, out_dir: str | Path, *, formats: Sequence[str] = ("csv", "json", "xlsx"),
              raw: bool = False, csv_options: Mapping[str, str] | None = None) -> list[Path]:
        """Write ``summary.json``, one CSV per table plus ``summary_tidy.csv`` (UTF-8 with a byte-order mark, so that
        Excel shows «æøå»; ``csv_options``: their separator and decimal mark, :func:`textmine.io.csv_options`), and
        ``summary.xlsx``: safe to publish, as :meth:`to_dict` and the CLI's files (``raw=True``: every number and
        name, NOT safe to publish)."""
        src = self._export(raw)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        if "json" in formats:
            p = out / "summary.json"
            p.write_text(src.to_json(raw=True, indent=1), encoding="utf-8")
            written.append(p)
        export = {k: (v.drop(columns=_NEVER_EXPORTED, errors="ignore")) for k, v in src.tables.items()}
        if "csv" in formats:
            # for Excel: with the byte-order mark (else «å» opens as «Ã¥»), formulas guarded («'=…»), a «\r» in a
            # text kept in its cell, each file replaced whole (textmine.io.write_table)
            from .io import EXCEL_CSV_ENCODING, write_table

            kw = {"encoding": EXCEL_CSV_ENCODING, **(csv_options or {})}
            for name, df in export.items():
                written.append(write_table(df, out / f"{name}.csv", **kw))
            written.append(write_table(src.to_frame(raw=True), out / "summary_tidy.csv", **kw))
        if "xlsx" in formats:
            p = out / "summary.xlsx"
            meta = pd.DataFrame(
                [{"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)} for k, v in src.meta.items()]
                + [{"key": "warning", "value": w} for w in src.warnings]
            )
            _write_xlsx({"meta": meta, **export}, p)
            written.append(p)
        return written


def _write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Fast streaming .xlsx (openpyxl write-only mode): one sheet per table, NaN → empty cell, text starting with
    ``=`` stored as text, never as a formula. Its time stamps are ``SOURCE_DATE_EPOCH`` or a fixed date, never the
    clock (reruns give byte-identical files, as the report's)."""
    from openpyxl import Workbook

    from .report.excel import _save_fixed, export_time

    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ws.append([_xlsx_value(ws, str(c)) for c in df.columns])
        obj = df.astype(object).where(df.notna(), None)
        for row in obj.itertuples(index=False, name=None):
            ws.append([_xlsx_value(ws, v.item() if hasattr(v, "item") else v) for v in row])
    _save_fixed(wb, path, export_time())


def _xlsx_value(ws, v: Any) -> Any:
    """``v`` as is, or text that openpyxl would store as a live formula (``=HYPERLINK(…)`` in a quote) as a
    text cell."""
    if isinstance(v, str):
        from .io import excel_text

        v = excel_text(v)  # a control character would make openpyxl refuse the whole workbook
    if not (isinstance(v, str) and v.startswith("=")):
        return v
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=v)
    cell.data_type = "s"
    return cell


# ---------------------------------------------------------------------------- computations
def _indicator_table(df, survey, groups, w, weighted, level, wave, arr: _IndicatorArrays) -> pd.DataFrame:
    inds = survey.indicators
    if not inds:
        return pd.DataFrame()
    n = len(df)
    I = len(inds)
    vals, valid, excl, pos = arr.vals, arr.valid, arr.excl, arr.pos
    x = np.where(valid > 0, np.nan_to_num(vals), 0.0)
    W = w[:, None]
    blocks = [valid, valid * W, valid * W * W, pos, pos * W, excl, x, x * x, x * W, x * x * W, valid * (W > 0),
              np.ones((n, 1))]
    M = np.hstack(blocks)
    I_ids = np.asarray([i.id for i in inds], dtype=object)
    meta_cols = {
        "column": np.asarray([i.column for i in inds], dtype=object),
        "label": np.asarray([i.label for i in inds], dtype=object),
        "measure": np.asarray([i.measure for i in inds], dtype=object),
    }
    names = ["n", "_swv", "_sw2v", "_npos", "_swpos", "n_excluded", "_sx", "_sx2", "_swx", "_swx2", "_npw"]
    cols: dict[str, list] = {k: [] for k in ["indicator", "column", "label", "measure", "segment", "value", "n_total"] + names}
    for g in groups:
        S = st.group_sums(g.codes, len(g.levels), M)
        L = len(g.levels)
        parts = np.split(S[:, :-1], len(names), axis=1)  # each L × I
        cols["indicator"].append(np.repeat(I_ids, L))
        for k, v in meta_cols.items():
            cols[k].append(np.repeat(v, L))
        cols["segment"].append(np.full(L * I, g.segment, dtype=object))
        cols["value"].append(np.tile(np.asarray(g.levels, dtype=object), I))
        cols["n_total"].append(np.tile(S[:, -1], I))
        for k, part in zip(names, parts):
            cols[k].append(part.T.ravel())
    t = pd.DataFrame({"wave": wave, **{k: np.concatenate(v) for k, v in cols.items()}})
    t.insert(t.columns.get_loc("n_excluded") + 1, "n_missing", t["n_total"] - t["n"] - t["n_excluded"])
    b = _share_block(t["_npos"].to_numpy(), t["n"].to_numpy(), t["_swpos"].to_numpy(), t["_swv"].to_numpy(), t["_sw2v"].to_numpy(), weighted=weighted, level=level)
    for k, v in b.items():
        t[k] = v
    z = st.z_value(level)
    nv = t["n"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        t["experience_share"] = np.where(nv + t["n_excluded"] > 0, nv / (nv + t["n_excluded"]), np.nan)
        mean = np.where(nv > 0, t["_sx"] / nv, np.nan)
        var = np.where(nv > 1, (t["_sx2"] - nv * mean**2) / (nv - 1), np.nan)
        t["mean"] = mean
        tq = st.mean_quantile(level, nv)  # Student's t, n − 1 df (the weighted mean below: z on Kish n)
        t["mean_ci_low"] = mean - tq * np.sqrt(np.maximum(var, 0) / nv)
        t["mean_ci_high"] = mean + tq * np.sqrt(np.maximum(var, 0) / nv)
        if weighted:
            sw = t["_swv"].to_numpy()
            mw = np.where(sw > 0, t["_swx"] / sw, np.nan)
            ne = t["n_eff"].to_numpy()
            vw = np.maximum(np.where(sw > 0, t["_swx2"] / sw - mw**2, np.nan), 0) * np.where(ne > 1, ne / (ne - 1), np.nan)
            t["mean_w"] = mw
            t["mean_ci_low_w"] = mw - z * np.sqrt(vw / ne)
            t["mean_ci_high_w"] = mw + z * np.sqrt(vw / ne)
    n_positive = t["_npw"].to_numpy()
    t = t.drop(columns=[c for c in t.columns if c.startswith("_")])
    for c in ("n_total", "n", "n_excluded", "n_missing", "count"):
        t[c] = t[c].round().astype(int)
    # a level counts as holding respondents when the total's n, n_excluded or n_missing counts any (weight 0 too)
    return _suppress(t, survey, "n", keys=["indicator", "segment"], base=n_positive,
                     present=t["n_total"].to_numpy() > 0)


def _count_share_table(t: pd.DataFrame, survey: SurveyDefinition, wbase: str, w2base: str, *, weighted: bool,
                       level: float, also_suppress: np.ndarray | None = None, secondary: np.ndarray | None = None,
                       keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Shares + CIs from the working columns ``_c``/``_cw`` (counts) and the given weighted base columns;
    drops the working columns, makes counts whole and applies small-cell suppression."""
    b = _share_block(t["_c"].to_numpy(), t["n"].to_numpy(), t["_cw"].to_numpy(), t[wbase].to_numpy(),
                     t[w2base].to_numpy(), weighted=weighted, level=level)
    for k, v in b.items():
        t[k] = v
    n_positive = t["_npw"].to_numpy() if "_npw" in t else None
    t = t.drop(columns=[c for c in t.columns if c.startswith("_")])
    t["n"] = t["n"].round().astype(int)
    t["count"] = t["count"].round().astype(int)
    return _suppress(t, survey, "n", also_suppress, secondary=secondary, keys=keys, base=n_positive,
                     present=t["n"].to_numpy() > 0)  # the published base counts weight-0 respondents too


def secondary_levels(base: np.ndarray, small: np.ndarray, present: np.ndarray | None = None,
                     min_cell: float | None = None) -> np.ndarray:
    """Complementary (secondary) suppression within one breakdown (the levels of one segment for one item):
    the total minus the visible levels gives the hidden levels' numbers together, so while exactly one level
    with respondents is hidden — or, given ``min_cell``, while the hidden levels together hold fewer than
    ``min_cell`` (two hidden levels of one respondent each, both answering alike, give each answer back) — the
    smallest (by base) of the other levels with respondents is suppressed too. Returns the levels to suppress in
    addition to ``small``. ``present``: the levels holding anyone the published totals count (default: base > 0;
    a suppressed level with no one in any published total hides nothing — but one of weight-0 respondents, or of
    respondents who did not comment, is in the total's n: callers pass those). Also the rule of the row-level exports
    (:func:`textmine.report.excel.safe_coded_rows`), where every level listed has rows."""
    base = np.asarray(base, dtype=float)
    small = np.asarray(small, dtype=bool)
    present = base > 0 if present is None else np.asarray(present, dtype=bool)
    extra = np.zeros(len(base), dtype=bool)
    while True:
        hidden = (small | extra) & present
        k = int(hidden.sum())
        if k == 0 or not (k == 1 or (min_cell is not None and base[hidden].sum() < min_cell)):
            return extra
        cand = np.flatnonzero(~small & ~extra & present)
        if not len(cand):
            return extra
        extra[cand[int(np.argmin(base[cand]))]] = True


def _secondary_mask(t: pd.DataFrame, keys: Sequence[str], base: np.ndarray, small: np.ndarray,
                    min_cell: float | None = None, present: np.ndarray | None = None) -> np.ndarray:
    """:func:`secondary_levels` for every breakdown of ``t`` (rows grouped by ``keys``: item and segment);
    ``present``: the rows with anyone the published totals count (default: base > 0)."""
    sec = np.zeros(len(t), dtype=bool)
    if not len(t):
        return sec
    for idx in t.groupby(list(keys), sort=False, dropna=False).indices.values():
        if len(idx) > 1:
            sec[idx] = secondary_levels(base[idx], small[idx], None if present is None else present[idx],
                                        min_cell=min_cell)
    return sec


def _suppress(t: pd.DataFrame, survey: SurveyDefinition, base_col: str, also: np.ndarray | None = None, *,
              secondary: np.ndarray | None = None, keys: Sequence[str] | None = None,
              base: np.ndarray | None = None, present: np.ndarray | None = None) -> pd.DataFrame:
    """Flag rows whose base is under ``min_cell`` (or that ``also`` marks), and — secondary suppression — the
    rows ``secondary`` marks or, given the breakdown ``keys``, the next smallest level of every breakdown with
    exactly one suppressed level (``suppressed_secondary`` tells them apart); ``suppression: hide`` blanks their
    counts, shares, CIs, means and effective n. ``base``: the respondents that count toward ``min_cell`` when not
    ``t[base_col]`` — those with a positive weight (a weight-0 respondent adds nothing to a weighted share, so 12
    respondents of whom 11 weigh 0 show one person's answer). ``present``: the rows holding anyone the published
    totals count (weight 0 too: the total's n and count give a lone hidden level's back), whose hiding takes a
    complementary level with it (default: ``base`` > 0)."""
    base = t[base_col].to_numpy(float) if base is None else np.asarray(base, dtype=float)
    primary = base < survey.min_cell
    if also is not None:
        primary = primary | np.asarray(also, dtype=bool)
    if secondary is None:
        secondary = (_secondary_mask(t, keys, base, primary, survey.min_cell, present) if keys is not None
                     else np.zeros(len(t), dtype=bool))
    secondary = np.asarray(secondary, dtype=bool) & ~primary
    t["suppressed"] = primary | secondary
    t["suppressed_secondary"] = secondary
    if survey.suppression == "hide" and t["suppressed"].any():
        hide = [c for c in t.columns if c.startswith(("share", "ci_low", "ci_high", "mean", "count", "n_eff"))
                or c in ("experience_share",)]
        for c in hide:
            if t[c].dtype.kind in "fiu":
                t[c] = t[c].astype(float)
            t.loc[t["suppressed"], c] = np.nan
    return t


def _multiselect_table(df, survey, groups, w, weighted, level, wave) -> pd.DataFrame:
    out = []
    for m in survey.multiselect:
        opts = list(m.options)
        V = np.column_stack([pd.to_numeric(df[c], errors="coerce").to_numpy(float) for c in opts])
        answered = (~np.isnan(V)).any(axis=1).astype(float)
        X = np.nan_to_num(V) * answered[:, None]
        M = np.hstack([answered[:, None], (answered * w)[:, None], (answered * w * w)[:, None], X, X * w[:, None],
                       (answered * (w > 0))[:, None]])
        K = len(opts)
        for g in groups:
            S = st.group_sums(g.codes, len(g.levels), M)
            for j, c in enumerate(opts):
                out.append(
                    pd.DataFrame(
                        {
                            "wave": wave, "group": m.id, "option": c, "label": m.options[c], "exclusive": c in m.exclusive,
                            "segment": g.segment, "value": g.levels, "n": S[:, 0],
                            "_sw": S[:, 1], "_sw2": S[:, 2], "_c": S[:, 3 + j], "_cw": S[:, 3 + K + j], "_npw": S[:, -1],
                        }
                    )
                )
    if not out:
        return pd.DataFrame()
    return _count_share_table(pd.concat(out, ignore_index=True), survey, "_sw", "_sw2", weighted=weighted, level=level,
                              keys=["group", "option", "segment"])


@dataclass
class _QuestionData:
    column: str
    label: str
    commenter: np.ndarray  # bool per respondent
    asked: np.ndarray  # bool per respondent (includes commenters)
    T: np.ndarray  # respondents × themes, 0/1, zero outside commenters
    coded: pd.DataFrame  # the coded rows of this question, aligned to respondents via `pos`
    pos: np.ndarray  # respondent position of each coded row (−1 = unknown respondent)
    n_nonanswer: int
    n_unrouted: int
    uncoded: list[str] = field(default_factory=list)  # themes without a (filled) theme_<id> column in this wave
    ok: np.ndarray | None = None  # per coded row: a comment of a known respondent (not a non-answer)


def _question_data(df, ids, survey, q, coded, themes, warn, rows=None) -> _QuestionData:
    """``rows``: the file row numbers of respondent positions (for the warnings), None where unknown."""
    n = len(df)
    asked = q.asked_mask(df)
    c = coded
    if "question" in c.columns:
        c = c[c["question"].astype(str) == q.column]
    c = c.reset_index(drop=True)
    index = pd.Index(ids)
    cid = value_keys(c["respondent_id"]) if len(c) else np.array([], dtype=object)
    pos = index.get_indexer(cid) if len(c) else np.array([], dtype=np.int64)
    if (pos < 0).any():
        hint = _leading_zero_hint(cid[pos < 0], ids)
        if (pos < 0).all():
            raise ValueError(f"{q.column}: none of the {len(c)} coded comment(s) has a respondent id of the survey "
                             f"data{hint or ''}; check that the coded file belongs to this wave and keeps the ids "
                             f"as the survey data writes them")
        warn(f"{q.column}: {int((pos < 0).sum())} coded comment(s) have respondent ids not in the survey data; "
             f"ignored{hint or ''}")
    nonans = pd.to_numeric(c["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0 if "is_non_answer" in c else np.zeros(len(c), bool)
    if "text_clean" in c:
        nonans |= c["text_clean"].fillna("").astype(str).str.strip().eq("").to_numpy()
    commenter = np.zeros(n, dtype=bool)
    ok = (pos >= 0) & ~nonans
    commenter[pos[ok]] = True
    T = np.zeros((n, len(themes)))
    uncoded = []
    for j, th in enumerate(themes):
        col = f"theme_{th}"
        raw = pd.to_numeric(c[col], errors="coerce") if col in c else None
        if raw is None or (len(raw) and raw.isna().all()):  # not in this wave's codebook/file: not 0 %
            uncoded.append(th)
            continue
        sel = ok & (raw.fillna(0).to_numpy() > 0)
        T[pos[sel], j] = 1.0
    unrouted = commenter & ~asked
    if unrouted.any():
        warn(_unrouted_warning(q, np.flatnonzero(unrouted), rows))
    if q.column in df.columns:
        has_text = df[q.column].fillna("").astype(str).str.strip().ne("").to_numpy()
        n_missing_coded = int((has_text & ~np.isin(np.arange(n), pos[pos >= 0])).sum())
        if n_missing_coded:
            warn(f"{q.column}: {n_missing_coded} non-empty answer(s) in the survey data have no coded row")
    return _QuestionData(q.column, q.label, commenter, asked | commenter, T, c, pos, int(((pos >= 0) & nonans).sum()),
                         int(unrouted.sum()), uncoded, ok)


def _unrouted_warning(q, positions: np.ndarray, rows=None, limit: int = 5) -> str:
    """The warning on comments from respondents the routing did not ask ``q``: how many, the first ``limit`` file
    rows (row numbers only: never what they hold) and the routing condition."""
    where = ""
    if rows is not None:
        nos = sorted(int(r) for r in rows(positions))
        where = ("row " if len(nos) == 1 else "rows ") + ", ".join(map(str, nos[:limit])) + (", …" if len(nos) > limit else "")
        where += "; "
    codes = ", ".join(str(int(c)) if float(c).is_integer() else str(c) for c in q.asked_codes)
    return (f"{q.column}: {len(positions)} comment(s) from respondents not routed to the question ({where}routing: "
            f"asked_if {q.asked_item} is one of {codes}); counted as asked")


def _file_rows(frame: pd.DataFrame, survey: SurveyDefinition, positions: np.ndarray) -> np.ndarray:
    """The file row numbers (as the validation counts them) of ``positions`` of ``frame`` in canonical order
    (:func:`_canonical_rows`)."""
    order = _canonical_order(frame, survey)
    pos = np.asarray(positions, dtype=np.int64)
    return (pos if order is None else order[pos]) + int(frame.attrs.get("first_data_row", 2))


def _leading_zero_hint(unmatched: np.ndarray, ids: np.ndarray) -> str | None:
    """Where coded ids that match no respondent do match one once leading zeros are stripped on both sides
    ("1" for "000001": the coded file went through Excel), the text saying so; None otherwise. The ids are not
    joined that way (two respondents may differ only in their zeros): the file is to be fixed."""
    def strip(v: Any) -> str:
        t = str(v).strip()
        return (t.lstrip("0") or "0") if t.isdigit() else t

    if not any(str(i).strip().startswith("0") for i in ids):
        return None
    stripped = {strip(i) for i in ids}
    n = sum(1 for v in unmatched if strip(v) in stripped)
    if not n:
        return None
    return (f" ({n} of them match a respondent id once leading zeros are stripped: the coded file's ids lost their "
            f"leading zeros, as in an Excel round trip; they are not joined — give the coded file with the ids as "
            f"in the survey data, e.g. the file `textmine code` wrote)")


def _answers_not_coded(df: pd.DataFrame, q, coded: pd.DataFrame) -> tuple[bool, int | None]:
    """Whether ``q`` was not coded: ``coded`` has no row at all for it (no file given for it) while the survey
    data has answers to it, or does not hold its column (a frame of the structured columns only, or a wave
    without the question); with the number of its non-empty answers (None when the column is not there).
    A question with coded rows for only some answers is summarised (with a warning about the rest); one whose
    column is there without any answer has, truly, no commenters."""
    if "question" in coded.columns:
        if (coded["question"].astype(str) == q.column).any():
            return False, 0
    elif len(coded):
        return False, 0
    if q.column not in df.columns:
        return True, None
    n = int(df[q.column].fillna("").astype(str).str.strip().ne("").sum())
    return n > 0, n


def _theme_table(df, survey, groups, w, weighted, level, wave, qd: _QuestionData, themes) -> pd.DataFrame:
    K = len(themes)
    masks = {"kommentatorer": qd.commenter, "spurt": qd.asked, "alle": np.ones(len(df), dtype=bool)}
    base_cols = []
    for d in DENOMINATORS:
        m = masks[d].astype(float)
        base_cols += [m, m * w, m * w * w]
    M = np.hstack([np.column_stack(base_cols), qd.T, qd.T * w[:, None], (qd.commenter * (w > 0))[:, None]])
    out = []
    # A theme cell is one theme × segment level; it is suppressed on its commenter base, and then in all three
    # denominator rows: the "spurt"/"alle" rows share the same count, so showing it there would undo the hiding.
    # Secondary suppression on the same commenter base: with one level of a segment hidden, the next smallest
    # level is hidden too (in every theme and denominator), so the total minus the visible levels gives nothing.
    cell_small, cell_secondary = [], []
    for g in groups:
        S = st.group_sums(g.codes, len(g.levels), M)
        cnt, cntw, npw = S[:, 9 : 9 + K], S[:, 9 + K : 9 + 2 * K], S[:, -1]  # npw: commenters of positive weight
        L = len(g.levels)
        small_lvl = npw < survey.min_cell
        # a hidden level with any respondent (the «alle» base: weight 0, not commenting, not asked) is in the
        # published totals of some denominator: it takes a complementary level with it
        sec_lvl = (secondary_levels(npw, small_lvl, S[:, 6] > 0, min_cell=survey.min_cell) if L > 1
                   else np.zeros(L, dtype=bool))
        small_k = np.tile(small_lvl, K)
        sec_k = np.tile(sec_lvl, K)
        for di, d in enumerate(DENOMINATORS):
            cell_small.append(small_k)
            cell_secondary.append(sec_k)
            nb, swb, sw2b = S[:, 3 * di], S[:, 3 * di + 1], S[:, 3 * di + 2]
            out.append(
                pd.DataFrame(
                    {
                        "wave": wave,
                        "question": qd.column,
                        "theme": np.repeat(np.asarray(themes, dtype=object), L),
                        "denominator": d,
                        "segment": g.segment,
                        "value": np.tile(np.asarray(g.levels, dtype=object), K),
                        "n": np.tile(nb, K),
                        "_c": cnt.T.ravel(),
                        "_cw": cntw.T.ravel(),
                        "_swb": np.tile(swb, K),
                        "_sw2b": np.tile(sw2b, K),
                    }
                )
            )
    t = _count_share_table(pd.concat(out, ignore_index=True), survey, "_swb", "_sw2b", weighted=weighted, level=level,
                           also_suppress=np.concatenate(cell_small), secondary=np.concatenate(cell_secondary))
    return _blank_uncoded(t, qd.uncoded)


def _blank_uncoded(t: pd.DataFrame, uncoded: Sequence[str]) -> pd.DataFrame:
    """Theme rows of themes not coded in the wave (no ``theme_<id>`` column): count, share and CI empty («ikke
    kodet»), not 0 %; their change is then «ikke testbar»."""
    rows = t["theme"].isin(list(uncoded)).to_numpy()
    if rows.any():
        for c in [c for c in t.columns if c.startswith(("share", "ci_low", "ci_high", "count"))]:
            if t[c].dtype.kind in "iub":
                t[c] = t[c].astype(float)
            t.loc[rows, c] = np.nan
    return t


def _replaced_specs(res: "_CodebookChanges", wave: Any, question: str) -> set[tuple[str, tuple[str, ...]]]:
    """The (new theme id, old ids) whose rows :func:`_replaced_table` computes for ``question`` in ``wave``: the
    declared renames (:meth:`_CodebookChanges.renames`) of the pairs in which ``wave`` is coded with the old ids."""
    out = set()
    for key in res.renamed:
        prev, cur = key[:2]
        for new, (olds, old_wave) in res.renames(prev, cur, question).items():
            if old_wave == wave:
                out.add((new, olds))
    return out


def _renamed_ids(res: "_CodebookChanges", wave: Any, question: str) -> set[str]:
    """The theme ids a declared rename explains missing in ``wave``'s coding of ``question``: the new ids where it
    is coded with the old ones, the old ids where it is coded with the new one."""
    out = set()
    for key in res.renamed:
        prev, cur = key[:2]
        if wave not in (prev, cur):
            continue
        for new, (olds, old_wave) in res.renames(prev, cur, question).items():
            out |= {new} if old_wave == wave else set(olds) - {new}
    return out


def _spec_groups(specs: set[tuple[str, tuple[str, ...]]]) -> list[dict[str, tuple[str, ...]]]:
    """``specs`` as few new id → old ids mappings as hold them (a new id compared with other old ids in another
    pair gets a mapping of its own), in a fixed order."""
    groups: list[dict[str, tuple[str, ...]]] = []
    for new, olds in sorted(specs):
        g = next((g for g in groups if new not in g), None)
        if g is None:
            groups.append(g := {})
        g[new] = olds
    return groups


def _uncoded_olds(qd: _QuestionData, olds: Sequence[str]) -> list[str]:
    """The ids of ``olds`` with no coding in a wave's coded rows of a question (no column ``theme_<id>``, or no value
    in it): a rename or merge of them is not compared there (:func:`_replaced_table`)."""
    out = []
    for o in olds:
        c = f"theme_{o}"
        raw = pd.to_numeric(qd.coded[c], errors="coerce") if c in qd.coded else None
        if raw is None or (len(raw) and raw.isna().all()):
            out.append(str(o))
    return out


def _renames_as(res: "_CodebookChanges", prev: Any, cur: Any, question: Any, new: str, olds: Sequence[str]) -> bool:
    """Whether question ``question`` compares ``new`` with ``olds`` between waves ``prev`` and ``cur`` (its own
    codebooks' renames where it has them, else the pair's: :meth:`_CodebookChanges.renames`)."""
    for key in res.renamed:
        if (_json_wave(key[0]), _json_wave(key[1])) == (prev, cur):
            got = res.renames(key[0], key[1], question).get(new)
            return got is not None and tuple(got[0]) == tuple(olds)
    return False


def _untested_renames(res: "_CodebookChanges", found: Mapping[tuple, list[str]]) -> None:
    """Drop from ``res`` the record and warning of each declared rename or merge that no question's coding let be
    compared (``found``: (wave, question, new id, old ids) → the old ids with no coding there, :func:`_uncoded_olds`)
    — its change is «ikke testbar», and a warning says why (none where the old wave coded no question: nothing
    compared); where only some questions lack it, a warning names those."""
    keep = []
    for rec in res.renamed_records:
        prev, cur = rec["waves"]
        hits = {q: miss for (w, q, new, olds), miss in found.items()
                if _json_wave(w) == rec["old_wave"] and new == rec["theme"] and list(olds) == rec["replaces"]
                and rec["question"] in ("", str(q)) and _renames_as(res, prev, cur, q, new, olds)}
        missing = {q: miss for q, miss in hits.items() if miss}
        if not hits:  # no question coded in the old wave: nothing compared (its «not coded» warning says why)
            continue
        if not missing:
            keep.append(rec)
            continue
        where = f"question {rec['question']}: " if rec["question"] else ""
        untested = len(missing) == len(hits)
        if untested:
            keep.append(None)
            said = where + _renamed_message(rec)
            if said in res.warnings:
                res.warnings.remove(said)
        else:
            keep.append(rec)
        new_wave = cur if rec["old_wave"] == prev else prev
        for q, miss in sorted(missing.items()):
            w = where or f"question {q}: "
            res.warnings.append(
                f"{w}theme {rec['theme']} (wave {new_wave}) continues {', '.join(rec['replaces'])} (wave "
                f"{rec['old_wave']}) as its codebook declares (replaces), but wave {rec['old_wave']} has no coding of "
                f"{', '.join(miss)} (no column theme_<id>, or no value in it): its change {prev}→{cur} is not "
                f"compared («{st.VERDICT_UNTESTABLE}»)")
    res.renamed_records[:] = [r for r in keep if r is not None]


def _replaced_table(df, survey, groups, w, weighted, level, wave, qd: _QuestionData,
                    specs: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """The theme table rows (:func:`_theme_table`) that declared renames and merges (``specs``: new theme id → the
    ids it continues, :func:`_declared_renames`) compare with in a wave coded with the old ids: a new id's count is
    the respondents coded with any of its old ids, each counted once (from the 0/1 columns, not a sum of shares);
    «ikke kodet» unless every old id has a column. Column ``_from``: the old ids, ';'-joined. Rows whose complement
    (commenters without the theme(s)) is small are hidden as :func:`hide_small_counts` hides a published cell's
    (rules b and c): a merge's share is in no published table, so its complement is judged here."""
    news = list(specs)
    T = np.zeros((len(df), len(news)))
    uncoded = []
    for j, new in enumerate(news):
        cols = [f"theme_{o}" for o in specs[new]]
        raws = [pd.to_numeric(qd.coded[c], errors="coerce") if c in qd.coded else None for c in cols]
        if _uncoded_olds(qd, specs[new]):
            uncoded.append(new)
            continue
        for raw in raws:
            sel = qd.ok & (raw.fillna(0).to_numpy() > 0)
            T[qd.pos[sel], j] = 1.0
    t = _theme_table(df, survey, groups, w, weighted, level, wave, replace(qd, T=T, uncoded=uncoded), news)
    t["_from"] = t["theme"].map({n: ";".join(o) for n, o in specs.items()})
    if survey.min_cell and survey.min_cell > 1 and len(t):
        t = _hide_complements(t, survey.min_cell, "count", "n", ["question", "theme"])[0]
    return t


def _with_renames(a: pd.DataFrame, b: pd.DataFrame, prev: Any, cur: Any, renames: Callable,
                  replaced: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The theme rows of two compared waves (``a`` of ``prev``, ``b`` of ``cur``) with the declared renames
    (``renames(prev, cur, question)``, :meth:`_CodebookChanges.renames`) applied: in the wave coded with the old
    ids a new id's rows are those :func:`_replaced_table` computed (``replaced``), and the old ids' own rows leave
    the pair (their theme goes on under the new id)."""
    drop = {id(a): np.zeros(len(a), dtype=bool), id(b): np.zeros(len(b), dtype=bool)}
    add: dict[int, list[pd.DataFrame]] = {id(a): [], id(b): []}
    for q in pd.unique(pd.concat([a["question"], b["question"]])):
        for new, (olds, old_wave) in renames(prev, cur, q).items():
            side, other = (a, b) if old_wave == prev else (b, a)
            in_q = side["question"].eq(q).to_numpy()
            drop[id(side)] |= in_q & side["theme"].isin([new, *olds]).to_numpy()
            drop[id(other)] |= other["question"].eq(q).to_numpy() & other["theme"].isin(
                [o for o in olds if o != new]).to_numpy()
            rows = None if replaced is None or not len(replaced) else replaced[
                replaced["wave"].eq(old_wave).to_numpy() & replaced["question"].eq(q) & replaced["theme"].eq(new)
                & replaced["_from"].eq(";".join(olds))]
            if rows is not None and len(rows):
                add[id(side)].append(rows)
    a2, b2 = ([t[~drop[id(t)]], *add[id(t)]] for t in (a, b))
    return (pd.concat(a2, ignore_index=True) if len(a2) > 1 else a2[0],
            pd.concat(b2, ignore_index=True) if len(b2) > 1 else b2[0])


def _routed_commenters(df, survey, qd: _QuestionData) -> np.ndarray:
    """Per respondent: a commenter whose answers count for testability — every commenter, unless fewer than
    ``min_cell`` of them were not routed to the question (a few violators of the routing): then the routed ones
    (README: an indicator set by the routing is «ikke testbar»)."""
    routed = qd.commenter & survey.question(qd.column).asked_mask(df) if qd.n_unrouted else qd.commenter
    return routed if qd.n_unrouted < survey.min_cell else qd.commenter


def _theme_indicator_table(df, survey, w, weighted, level, wave, qd: _QuestionData, themes, arr: _IndicatorArrays,
                           bh_log: list[dict] | None = None) -> pd.DataFrame:
    """Indicator among commenters who mention a theme vs commenters who do not (difference = mention − not); the
    number of tests of each BH family (one indicator) is appended to ``bh_log``."""
    inds = survey.indicators
    if not inds or not themes:
        return pd.DataFrame()
    valid, pos = arr.valid, arr.pos
    ci = np.flatnonzero(qd.commenter)
    V, P, Wc, Tc = valid[ci], pos[ci], w[ci][:, None], np.ascontiguousarray(qd.T[ci])
    blocks = {"n": V, "pos": P, "sw": V * Wc, "sw2": V * Wc * Wc, "swpos": P * Wc, "npw": V * (Wc > 0)}
    I_ = V.shape[1]
    B = np.hstack(list(blocks.values()))
    prod = Tc.T @ B  # themes × (6 · indicators)
    # "other" summed directly over the commenters without the theme, not as total − mention: the subtraction
    # leaves rounding residue (a share of ±1e-16 instead of 0, a NaN standard error at 0 % vs 100 %)
    prod_other = (1.0 - Tc).T @ B
    mention = {k: prod[:, i * I_ : (i + 1) * I_] for i, k in enumerate(blocks)}
    other = {k: prod_other[:, i * I_ : (i + 1) * I_] for i, k in enumerate(blocks)}

    def est(s):
        with np.errstate(invalid="ignore", divide="ignore"):
            if weighted:
                return s["swpos"] / s["sw"], np.where(s["sw2"] > 0, s["sw"] ** 2 / s["sw2"], 0.0)
            return s["pos"] / s["n"], s["n"]

    p1, n1 = est(other)
    p2, n2 = est(mention)
    r = st.two_proportion_test(p1, n1, p2, n2, level=level)
    K, I = len(themes), len(inds)
    t = pd.DataFrame(
        {
            "wave": wave,
            "question": qd.column,
            "theme": np.repeat(np.asarray(themes, dtype=object), I),
            "indicator": np.tile(np.asarray([i.id for i in inds], dtype=object), K),
            "n_mention": mention["n"].ravel(),
            "n_other": np.broadcast_to(other["n"], (K, I)).ravel(),
            "count_mention": mention["pos"].ravel(),
            "count_other": np.broadcast_to(other["pos"], (K, I)).ravel(),
            "share_mention": p2.ravel(),
            "share_other": np.broadcast_to(p1, (K, I)).ravel(),
            "n_eff_mention": n2.ravel(),
            "n_eff_other": np.broadcast_to(n1, (K, I)).ravel(),
            "diff": r["diff"].ravel(),
            "ci_low": r["ci_low"].ravel(),
            "ci_high": r["ci_high"].ravel(),
            "p_value": r["p_value"].ravel(),
            "weighted": weighted,
        }
    )
    for c in ("n_mention", "n_other", "count_mention", "count_other"):
        t[c] = t[c].round().astype(int)
    # a row hides both its groups when either is small (with theme + without = the total any other row gives)
    # counted toward min_cell: respondents of positive weight (all of them when unweighted)
    npw_m, npw_o = mention["npw"].ravel(), np.broadcast_to(other["npw"], (K, I)).ravel()
    primary = (npw_m < survey.min_cell) | (npw_o < survey.min_cell)
    families = _theme_families(Tc, themes, _theme_parents(survey, qd.column))
    counted = (t["n_mention"].to_numpy() > 0) & (t["n_other"].to_numpy() > 0)  # weight 0 too: in the shown n
    secondary = _theme_indicator_secondary(npw_m, npw_o, primary, families, I, survey.min_cell, present=counted)
    # the complement rule of hide_small_counts (b) on both groups: 75 of 76 mentioners positive names the one who is
    # not; with secondary suppression on the mentioners' complements within each family of themes
    comp_m = (t["n_mention"] - t["count_mention"]).to_numpy(float)
    comp_o = (t["n_other"] - t["count_other"]).to_numpy(float)
    both = (t["n_mention"].to_numpy() > 0) & (t["n_other"].to_numpy() > 0)
    by_complement = both & ~(primary | secondary) & (_small(comp_m, survey.min_cell) | _small(comp_o, survey.min_cell))
    comp_secondary = _theme_indicator_secondary(comp_m, comp_o, primary | secondary | by_complement, families, I,
                                                survey.min_cell, trigger=by_complement) & both
    small = pd.Series(primary | secondary | by_complement | comp_secondary, index=t.index)
    t["suppressed"] = small.to_numpy()
    t["suppressed_secondary"] = secondary | comp_secondary
    # an indicator constant among the commenters (e.g. a question routed on it: 0 % vs 0 %) has nothing to test;
    # with under min_cell commenters outside the routing, among the routed ones only (a handful of violators of the
    # routing do not make it testable)
    routed = _routed_commenters(df, survey, qd)[ci]
    vsum, psum = V[routed].sum(axis=0), P[routed].sum(axis=0)
    constant = (vsum == 0) | (psum == 0) | (psum == vsum)
    t["applicable"] = ~np.tile(constant, K)
    t, fams = _adjust_theme_indicators(t, np.asarray(r["degenerate"], dtype=bool).ravel())
    if bh_log is not None:
        bh_log.extend(fams)
    na = ~t["applicable"]
    t.loc[na, ["diff", "ci_low", "ci_high", "p_value", "p_adjusted"]] = np.nan
    t.loc[na, "verdict"] = VERDICT_NOT_APPLICABLE
    t.loc[small, "verdict"] = VERDICT_SUPPRESSED  # a small group, or one hidden for its complement: one reason
    uncoded = t["theme"].isin(qd.uncoded).to_numpy()  # no coding of the theme in this wave: nothing to compare
    t.loc[uncoded, ["share_mention", "diff", "ci_low", "ci_high", "p_value", "p_adjusted"]] = np.nan
    t.loc[uncoded, "verdict"] = VERDICT_NOT_APPLICABLE
    if survey.suppression == "hide":
        for c in ("count_mention", "count_other"):
            t[c] = t[c].astype(float)
        for c in ("share_mention", "share_other", "count_mention", "count_other", "n_eff_mention", "n_eff_other",
                  "diff", "ci_low", "ci_high", "p_value", "p_adjusted"):
            t.loc[small, c] = np.nan
    return t


def _adjust_theme_indicators(t: pd.DataFrame, degenerate: np.ndarray) -> tuple[pd.DataFrame, list[dict]]:
    """``t`` (one wave × question) with ``p_adjusted`` (Benjamini–Hochberg within each indicator over the shown,
    applicable tests) and ``verdict``, and the families with their number of tests. A shown row with both groups
    0 % or both 100 % (``degenerate``) is no test, as in the change table (:func:`_adjust_changes`): no
    ``p_value`` or ``p_adjusted``, outside the family, verdict «ingen sikker forskjell»."""
    t = t.copy()
    small = t["suppressed"].astype(bool)
    degenerate = np.asarray(degenerate, dtype=bool) & ~small.to_numpy()
    p = t["p_value"].where(~small & t["applicable"].astype(bool) & ~degenerate)
    t["p_adjusted"] = np.nan
    families = []
    for (wave, question, key), idx in t.groupby(["wave", "question", "indicator"], sort=False).groups.items():
        t.loc[idx, "p_adjusted"] = st.bh_adjust(p.loc[idx].to_numpy())  # one family per indicator (one table)
        families.append({"table": "theme_indicators", "wave": wave, "family": f"{question} / {key}",
                         "tests": int(p.loc[idx].notna().sum())})
    # no test: no p, so that BH over the file's shown p-values gives its p_adjusted
    t["p_value"] = t["p_value"].where(~degenerate)
    t["verdict"] = st.difference_verdict(t["p_value"].to_numpy(), t["p_adjusted"].to_numpy(),
                                         ci_low=t["ci_low"].to_numpy(), ci_high=t["ci_high"].to_numpy())
    t.loc[degenerate, "verdict"] = st.VERDICT_NO_CLEAR_DIFFERENCE  # 0 % vs 0 % (100 % vs 100 %): no difference
    return t, families


def _theme_families(Tc: np.ndarray, themes: Sequence[str], parents: Mapping[str, str]) -> list[list[int]]:
    """The breakdowns of a question's themes that add up to a shown total: all its themes (total: the
    commenters; exact when each comment has one theme) and the children of each theme that rolls others up
    (total: the parent row), by the codebook's ``parent`` or by the data (mentions strictly within another's)."""
    K = len(themes)
    M = (Tc > 0).astype(float)
    outside = M.T @ (1.0 - M)  # [b, a]: commenters mentioning b and not a
    has = M.sum(axis=0) > 0
    index = {th: j for j, th in enumerate(themes)}
    families = [list(range(K))]
    for a in range(K):
        kids = {b for b in range(K) if b != a and has[b] and outside[b, a] == 0 and outside[a, b] > 0}
        kids |= {index[c] for c, p in parents.items() if p == themes[a] and c in index}
        if kids:
            families.append(sorted(kids))
    return families


def _theme_indicator_secondary(nm: np.ndarray, no: np.ndarray, primary: np.ndarray, families: list[list[int]],
                               I: int, min_cell: float | None = None, trigger: np.ndarray | None = None,
                               present: np.ndarray | None = None) -> np.ndarray:
    """Secondary suppression of the theme × indicator rows (one wave × question, theme-major, ``I`` indicators
    per theme): per indicator, the commenters mentioning each theme of a family are levels of one breakdown whose
    total is shown (any shown row gives it: n_mention·share_mention + n_other·share_other), so one hidden row
    takes the family's next smallest row (by ``nm``) with it — the rule of :func:`secondary_levels`. ``nm`` /
    ``no``: the respondents with / without the theme who count toward ``min_cell``, as in primary suppression
    (those of positive weight: weight-0 mentioners add nothing to a weighted share, so they must not make the
    hidden rows look big enough). A row hides people only when both its groups have some (else its numbers are
    the total's). ``trigger``: only the breakdowns with one of these rows are looked at (the others' hidden rows are
    protected already). ``present``: the rows that hide anyone the published n_mention / n_other count (weight 0
    too; default: both ``nm`` and ``no`` > 0)."""
    nm, no = np.asarray(nm, dtype=float), np.asarray(no, dtype=float)
    present = (nm > 0) & (no > 0) if present is None else np.asarray(present, dtype=bool)
    sec = np.zeros(len(nm), dtype=bool)
    for i in range(I):
        for fam in families:
            rows = np.asarray(fam, dtype=np.int64) * I + i
            if len(rows) > 1 and (trigger is None or trigger[rows].any()):
                sec[rows] |= secondary_levels(nm[rows], primary[rows], present[rows], min_cell)
    return sec & ~primary


def _separating_themes(X: np.ndarray, y: np.ndarray, names: list[str], themes: list[str]) -> str:
    """The 0/1 columns of the driver model (themes, control dummies) whose 1s all have the same outcome — perfect
    separation: the logit's coefficient runs to infinity and the fit never converges. Text naming each (its
    count and outcome), "" when none."""
    out = []
    for j, name in enumerate(names):
        col = X[:, j]
        on = col == 1
        if name == "const" or not on.any() or on.all() or not np.isin(col, (0.0, 1.0)).all():
            continue
        if y[on].min() == y[on].max():
            what = f"theme {name}" if name in themes else f"control {name}"
            out.append(f"all {int(on.sum())} commenters with {what} have outcome "
                       f"{'positive' if y[on][0] == 1 else 'not positive'}")
    return "; ".join(out)


def _driver_table(df, survey, w, weighted, wave, qd: _QuestionData, themes, method: str, warn) -> pd.DataFrame:
    """Outcome positive (0/1) among commenters regressed on theme dummies + segment controls."""
    import statsmodels.api as sm

    out_ind = survey.outcome
    if out_ind is None or not themes:
        return pd.DataFrame()
    y_raw = pd.to_numeric(df[out_ind.column], errors="coerce").to_numpy(float)
    rows = qd.commenter & np.isin(y_raw, np.asarray(out_ind.scale, float))
    y = np.isin(y_raw, np.asarray(out_ind.positive, float)).astype(float)[rows]
    T = qd.T[rows]
    counts = T.sum(axis=0)
    use = [j for j, th in enumerate(themes) if survey.min_cell <= counts[j] <= len(y) - survey.min_cell]
    if len(y) < 3 * survey.min_cell or not use or y.min() == y.max():
        return pd.DataFrame()
    y_routed = y[_routed_commenters(df, survey, qd)[rows]]
    if len(y_routed) < len(y) and (not len(y_routed) or y_routed.min() == y_routed.max()):
        warn(f"drivers {qd.column} {wave}: no adjusted model: outcome {out_ind.id} varies only through the "
             f"{len(y) - len(y_routed)} answer(s) from respondents not routed to the question (under min_cell "
             f"{survey.min_cell}); treated as set by the routing")
        return pd.DataFrame()
    rollup = _rollup_themes(T, use, themes, _theme_parents(survey, qd.column))
    if rollup:
        warn(f"drivers {qd.column} {wave}: theme(s) {', '.join(themes[j] for j in rollup)} left out of the adjusted "
             "model: they roll up other themes in it (one level of the hierarchy only)")
        use = [j for j in use if j not in rollup]
    order = _containers_last(T, use)  # an undeclared parent (the union of others) is the one left out as dependent
    X = pd.DataFrame(T[:, order], columns=[themes[j] for j in order])
    controls = list(survey.driver_controls)
    for c in controls:
        keys = pd.Series(value_keys(df[c]))[rows].reset_index(drop=True)
        d = pd.get_dummies(keys, prefix=f"ctl_{c}", drop_first=True, dtype=float)
        d = d.loc[:, d.sum() >= survey.min_cell] if len(d.columns) else d
        X = pd.concat([X, d], axis=1)
    X = sm.add_constant(X, has_constant="add")
    X, dependent = _independent_columns(X)
    if dependent:
        names_left = [c for c in dependent if c in {themes[j] for j in use}]
        if names_left:
            warn(f"drivers {qd.column} {wave}: theme(s) {', '.join(names_left)} left out of the adjusted model: "
                 "linearly dependent on the other themes/controls (effect not estimable)")
        use = [j for j in use if themes[j] not in dependent]
        if not use:
            return pd.DataFrame()
    names = list(X.columns)
    Xa = X.to_numpy(float)
    ww = w[rows]
    used = method
    res_rows = []
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        eff = ci = pv = params = None
        counted = ww > 0 if weighted else np.ones(len(y), dtype=bool)  # weight-0 rows add nothing to the likelihood
        separated = (_separating_themes(Xa[counted], y[counted], names, [themes[j] for j in use])
                     if method == "logit" else "")
        if separated:  # no finite maximum-likelihood estimate: the logit cannot converge
            warn(f"drivers {qd.column} {wave}: logistic model failed (perfect separation: {separated}); linear "
                 "probability model used")
            used = "linear"
        elif method == "logit":
            try:
                params, cov = _fit_logit(y, Xa, ww if weighted else None)
                eff, se = _logit_ame(Xa, params, cov, [names.index(themes[j]) for j in use],
                                     weights=ww if weighted else None)
                z = st.z_value(0.95)
                ci = np.column_stack([eff - z * se, eff + z * se])
                pv = 2 * _sf(np.abs(eff / se))
            except Exception as e:  # noqa: BLE001 - quasi-separation by a combination, singular matrix → linear model
                warn(f"drivers {qd.column} {wave}: logistic model failed ({e.__class__.__name__}: {e}); linear "
                     "probability model used")
                used = "linear"
        if used == "linear":
            fit = sm.WLS(y, Xa, weights=ww if weighted else np.ones(len(y))).fit(cov_type="HC1")
            cols = [names.index(themes[j]) for j in use]
            params = fit.params
            eff = fit.params[cols]
            ci = fit.conf_int()[cols]
            pv = fit.pvalues[cols]
    wide = ~np.isfinite(ci).all(axis=1) | (ci[:, 1] - ci[:, 0] > 2 * MAX_DRIVER_CI_HALF_WIDTH)
    if wide.any():
        warn(f"drivers {qd.column} {wave}: effect of theme(s) {', '.join(themes[j] for j, b in zip(use, wide) if b)} "
             "not estimable (confidence interval wider than ±100 percentage points); left out")
    for r_i, j in enumerate(use):
        if wide[r_i]:
            continue
        th = themes[j]
        res_rows.append(
            {
                "wave": wave,
                "question": qd.column,
                "outcome": out_ind.id,
                "theme": th,
                "n": int(len(y)),
                "n_mention": int(counts[j]),
                "effect_pp": 100 * float(eff[r_i]),
                "ci_low_pp": 100 * float(ci[r_i, 0]),
                "ci_high_pp": 100 * float(ci[r_i, 1]),
                "p_value": float(pv[r_i]),
                "odds_ratio": float(np.exp(params[names.index(th)])) if used == "logit" else np.nan,
                "method": _driver_method_label(used, weighted),
                "controls": ", ".join(controls),
            }
        )
    t = pd.DataFrame(res_rows)
    if t.empty:
        return t
    t["p_adjusted"] = st.bh_adjust(t["p_value"].to_numpy())
    t["verdict"] = st.difference_verdict(t["p_value"].to_numpy(), t["p_adjusted"].to_numpy(),
                                         ci_low=t["ci_low_pp"].to_numpy(), ci_high=t["ci_high_pp"].to_numpy())
    return t


MAX_DRIVER_CI_HALF_WIDTH = 1.0  # an effect on a 0/1 outcome lies in [−1, 1]: a wider CI means "not estimable"
MAX_DRIVER_CONDITION = 1e8  # condition number of the design matrix above which a column is treated as dependent


def _theme_parents(survey: SurveyDefinition, question: str) -> dict[str, str]:
    """Theme → parent from the question's codebook (empty when it has none or cannot be read)."""
    try:
        path = survey.question(question).codebook
        if not path or not Path(path).exists():
            return {}
        from .codebook import load_codebook

        return {t.id: t.parent for t in load_codebook(path).themes if t.parent}
    except Exception:  # noqa: BLE001 - the hierarchy is optional here: without it no theme is a roll-up
        return {}


def _rollup_themes(T: np.ndarray, use: list[int], themes: Sequence[str], parents: Mapping[str, str]) -> list[int]:
    """Themes in ``use`` that roll up others in ``use``: a codebook parent (``parents``: theme → declared parent)
    with a child in the model — both levels in one model make it (nearly) singular — or a theme whose every mention
    is a mention of two or more themes it contains (an undeclared parent: the union of its parts, whose effect
    would come only from the answers naming several parts). A theme that merely contains another's mentions
    besides its own (answers naming both) is none and stays in the model."""
    ids = {themes[j] for j in use}
    M = np.asarray(T)[:, use] > 0
    parts = _strict_parts(M)

    def union_of_parts(a: int) -> bool:
        return len(parts[a]) >= 2 and not (M[:, a] & ~M[:, parts[a]].any(axis=1)).any()

    return [j for a, j in enumerate(use) if any(parents.get(c) == themes[j] for c in ids) or union_of_parts(a)]


def _strict_parts(M: np.ndarray) -> list[list[int]]:
    """Per column ``a`` of the mention matrix ``M`` (rows × themes, bool): the columns whose mentions it strictly
    contains (every mention of ``b`` is one of ``a``, and ``a`` has more)."""
    k = M.shape[1]
    return [[b for b in range(k) if b != a and M[:, b].any() and not (M[:, b] & ~M[:, a]).any()
             and (M[:, a] & ~M[:, b]).any()] for a in range(k)]


def _containers_last(T: np.ndarray, use: list[int]) -> list[int]:
    """``use`` with the themes whose mentions strictly contain another's in ``use`` last (stable): where such a theme
    is the union of others (a parent the codebook does not declare), :func:`_independent_columns` leaves it out as
    linearly dependent, not one of its parts; where it is not, it stays in the model."""
    contains = [bool(p) for p in _strict_parts(T[:, use] > 0)]
    return [j for j, c in zip(use, contains) if not c] + [j for j, c in zip(use, contains) if c]


def _independent_columns(X: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Keep columns left to right while the design stays of full rank and well conditioned; the names left out."""
    keep, dropped = [], []
    A = X.to_numpy(float)
    for i, c in enumerate(X.columns):
        cand = A[:, keep + [i]]
        sv = np.linalg.svd(cand, compute_uv=False)
        if sv[-1] <= 0 or sv[0] / sv[-1] > MAX_DRIVER_CONDITION:
            dropped.append(c)
        else:
            keep.append(i)
    return X.iloc[:, keep], dropped


def _sf(z):
    from scipy.stats import norm

    return norm.sf(z)


def _driver_method_label(used: str, weighted: bool) -> str:
    """The driver table's «method»: which model gave the effects, weighted or not, which covariance."""
    if used == "logit":
        return ("logit (gjennomsnittlig marginaleffekt, vektet, robust SE)" if weighted
                else "logit (gjennomsnittlig marginaleffekt, uvektet)")
    return "lineær sannsynlighetsmodell, " + ("vektet WLS" if weighted else "OLS") + ", HC1"


def _driver_methods(drivers: pd.DataFrame | None, requested: str) -> dict[str, Any]:
    """The meta's record of the driver models: ``driver_method`` the model that gave the effects — ``requested``
    (``logit`` / ``linear``) when every fitted model is that one (or none was fitted), else the model most fits
    used with the others named per question and wave («logit (lineær for fritekst_generell 2023)»: the logit did
    not converge there and the linear probability model was used) —; ``driver_methods`` one entry per fitted model
    (wave, question, method: ``logit`` / ``linear``); ``driver_method_requested``."""
    out: dict[str, Any] = {"driver_method": requested, "driver_method_requested": requested, "driver_methods": []}
    if drivers is None or drivers.empty or not {"wave", "question", "method"} <= set(drivers.columns):
        return out
    fits = drivers.drop_duplicates(["wave", "question"])
    waves, questions = fits["wave"].tolist(), fits["question"].tolist()  # Python values: the meta is written as JSON
    used = ["logit" if str(m).startswith("logit") else "linear" for m in fits["method"]]
    out["driver_methods"] = [{"wave": w, "question": q, "method": m} for w, q, m in zip(waves, questions, used)]
    if len(set(used)) == 1:
        out["driver_method"] = used[0]
        return out
    main = "logit" if used.count("logit") >= used.count("linear") else "linear"
    other = [f"{q} {w}" for w, q, m in zip(waves, questions, used) if m != main]
    word = {"logit": "logit", "linear": "lineær"}
    out["driver_method"] = f"{main} ({word['linear' if main == 'logit' else 'logit']} for {', '.join(other)})"
    return out


def _fit_logit(y: np.ndarray, X: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The driver logit's coefficients and their covariance; RuntimeError when it does not converge.

    Unweighted (``w`` None): maximum likelihood (Newton), model-based covariance (inverse information).
    Weighted: pseudo-maximum likelihood — the maximiser of Σ wᵢ·loglikᵢ — with the robust sandwich covariance
    H⁻¹ [Σ (wᵢ·scoreᵢ)(wᵢ·scoreᵢ)ᵀ] H⁻¹ (H = Σ wᵢ pᵢ(1−pᵢ) xᵢxᵢᵀ), fitted as a binomial GLM with ``var_weights``
    and ``cov_type="HC0"``. Why these: both ``var_weights`` and ``freq_weights`` give the weighted MLE (the score
    Σ wᵢ xᵢ (yᵢ − pᵢ) is the same), but with ``freq_weights`` statsmodels reads row i as wᵢ independent copies, so its
    "robust" covariance uses Σ wᵢ·scoreᵢ·scoreᵢᵀ and shrinks as the weights grow — not a survey sandwich; with
    ``var_weights`` the meat is Σ (wᵢ·scoreᵢ)² and the covariance does not depend on the weights' scale. (GLM's
    ``HC1`` equals ``HC0`` in statsmodels: no n/(n−k) factor, so HC0 says what is computed.) Rows of weight 0 are
    left out (they add nothing to the likelihood; statsmodels' robust covariance divides by the weights); the
    weights are normalised to mean 1 (for the numbers, not the result). A design that is singular among the rows
    of positive weight (a column constant there) raises LinAlgError."""
    import statsmodels.api as sm

    if w is None:
        fit = sm.Logit(y, X, check_rank=False).fit(disp=0, maxiter=50, method="newton")
        converged = fit.mle_retvals.get("converged", True)
    else:
        keep = np.asarray(w, dtype=float) > 0
        Xk, wk = X[keep], np.asarray(w, dtype=float)[keep]
        sv = np.linalg.svd(Xk, compute_uv=False) if len(Xk) >= X.shape[1] else np.zeros(1)
        if sv[-1] <= 0 or sv[0] / sv[-1] > MAX_DRIVER_CONDITION:
            raise np.linalg.LinAlgError(f"design singular among the {int(keep.sum())} rows of positive weight")
        fit = sm.GLM(y[keep], Xk, family=sm.families.Binomial(), var_weights=wk / wk.mean()).fit(
            maxiter=50, cov_type="HC0")
        converged = fit.converged
    if not converged or not np.all(np.isfinite(fit.bse)):
        raise RuntimeError("no convergence")
    return np.asarray(fit.params), np.asarray(fit.cov_params())


def _logit_ame(X: np.ndarray, beta: np.ndarray, cov: np.ndarray, cols: list[int],
               weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Average marginal effect of switching each 0/1 column in ``cols`` from 0 to 1 (as statsmodels'
    ``get_margeff(at='overall', dummy=True)``), with delta-method standard errors from ``cov``. ``weights``: the
    average is the weighted mean over the rows (weight-0 rows count for nothing); None: the plain mean (all 1s
    give the same numbers, bit for bit)."""
    s = np.ones(len(X)) if weights is None else np.asarray(weights, dtype=float)
    total = s.sum()
    eta = X @ beta
    eff, se = [], []
    for c in cols:
        e0 = eta - X[:, c] * beta[c]
        e1 = e0 + beta[c]
        p0, p1 = 1 / (1 + np.exp(-e0)), 1 / (1 + np.exp(-e1))
        f0, f1 = p0 * (1 - p0), p1 * (1 - p1)
        grad = ((s * (f1 - f0)) @ X) / total  # d/dβ of the mean of p1 − p0, with x_c = 0 in both rows…
        grad[c] = np.sum(s * f1) / total  # …except β_c, which only enters p1
        eff.append(float(np.sum(s * (p1 - p0)) / total))
        se.append(float(np.sqrt(grad @ cov @ grad)))
    return np.asarray(eff), np.asarray(se)


def _bh_note(families: list[dict]) -> str:
    """Reader's note on the Benjamini–Hochberg families: how many, and how many tests each (per table)."""
    if not families:
        return "ingen tester"
    parts = []
    for table in dict.fromkeys(f["table"] for f in families):
        n = [f["tests"] for f in families if f["table"] == table]
        parts.append(f"{table}: {len(n)} familier, {min(n)}–{max(n)} tester per familie ({sum(n)} i alt)")
    return ("Benjamini–Hochberg-justering innen hver familie (én tabell); " + "; ".join(parts)
            + " — antallet per familie står i bh_families")


def _panel_warnings(frames: Mapping[Any, pd.DataFrame], survey: SurveyDefinition, pairs: list[tuple]) -> list[str]:
    """A warning per compared pair of waves that share respondent ids: the change tests take the waves as independent
    samples, which a panel (or an overlapping sample) is not — there they are conservative, and a paired test
    (McNemar) could find a change they call «ingen sikker endring»."""
    keys = {w: set(value_keys(f[survey.id_column])) - {""} for w, f in frames.items() if survey.id_column in f}
    out = []
    for a, b in pairs:
        if a not in keys or b not in keys or not keys[b]:
            continue
        both = len(keys[a] & keys[b])
        if both:
            out.append(f"{b} vs {a}: {both} respondent id(s) ({both / len(keys[b]):.0%} of {b}) are in both waves; "
                       f"the change tests treat the waves as independent samples, so if these are the same "
                       f"respondents (a panel) they are conservative: a real change may be called «ingen sikker "
                       f"endring» (ids that restart at 1 in each wave are not a panel: then ignore this)")
    return out


def wave_order(frames: Mapping[Any, Any]) -> list[Any]:
    """The waves in order (sorted; as given when their labels do not sort)."""
    try:
        return sorted(frames)
    except TypeError:
        return list(frames)


def codebook_theme_labels(codebooks: Mapping[Any, Any], waves: Sequence[Any]) -> dict[str, str]:
    """Theme id → label from the waves' codebooks (wave → :class:`~textmine.codebook.Codebook`): the latest wave's
    label, and for a theme only in earlier waves the label of the latest codebook that has it."""
    labels: dict[str, str] = {}
    for w in reversed(list(waves)):
        for t in getattr(codebooks.get(w), "themes", ()):
            labels.setdefault(t.id, t.label)
    return labels


#: theme fields whose change between two waves' codebooks leaves the theme comparable: the label shown and the
#: examples (a coder's illustration); description, keywords, parent and exclusive decide what is coded
COMPARABLE_EDITS = frozenset({"label", "examples"})


def _incomparable_themes(codebooks: Mapping[Any, Any], pairs: list[tuple],
                         question_codebooks: Mapping[Any, Mapping[str, Any]] | None = None,
                         ) -> tuple[dict[tuple, set[str]], list[str]]:
    """(wave_prev, wave) → the theme ids the two waves' codebooks define differently (what
    :func:`~textmine.codebook.codebook_diff` calls changed, in a field that decides what is coded: description,
    keywords, parent, exclusive — not a reworded label or other examples), and a warning per such pair naming them.

    ``question_codebooks`` (wave → question → the Codebook that question was coded with, for questions with codebooks
    of their own): each question both waves of a pair name is compared on its own codebooks, under (wave_prev, wave,
    question) — which stands for that question instead of the pair's entry, even when empty — with a warning naming
    the question unless the pair's warning already says it; the other questions keep the pair's entry."""
    out, msgs, _ = _incomparable(codebooks, pairs, question_codebooks)
    return out, msgs


def _incomparable(codebooks: Mapping[Any, Any], pairs: list[tuple],
                  question_codebooks: Mapping[Any, Mapping[str, Any]] | None = None,
                  ) -> tuple[dict[tuple, set[str]], list[str], list[dict[str, Any]]]:
    """:func:`_incomparable_themes` and, one per warning of a redefinition and in its order, the redefined themes
    as data (:func:`_redefined_record`: what ``meta["redefined_themes"]`` holds); the warnings also name the
    declared renames and the untested catch-all themes (:func:`_codebook_changes`)."""
    res = _codebook_changes(codebooks, pairs, question_codebooks)
    return res.incomparable, res.warnings, res.redefined


@dataclass
class _CodebookChanges:
    """What the compared waves' codebooks change (:func:`_codebook_changes`)."""

    incomparable: dict[tuple, set[str]] = field(default_factory=dict)  # as :func:`_incomparable_themes`
    warnings: list[str] = field(default_factory=list)
    redefined: list[dict] = field(default_factory=list)  # meta["redefined_themes"]
    #: (wave_prev, wave[, question]) → new theme id → (the ids it continues, the wave coded with those)
    renamed: dict[tuple, dict[str, tuple[tuple[str, ...], Any]]] = field(default_factory=dict)
    renamed_records: list[dict] = field(default_factory=list)  # meta["renamed_themes"]
    catch_all: list[dict] = field(default_factory=list)  # meta["catch_all_untested"]
    own: set[tuple] = field(default_factory=set)  # (wave_prev, wave, question) compared on its own codebooks

    def renames(self, prev: Any, cur: Any, question: Any) -> dict[str, tuple[tuple[str, ...], Any]]:
        """The declared renames of one question between two waves: its own codebooks' where it has them, else the
        pair's."""
        key = (prev, cur, question)
        return self.renamed.get(key, {}) if key in self.own else self.renamed.get((prev, cur), {})


def _codebook_changes(codebooks: Mapping[Any, Any], pairs: list[tuple],
                      question_codebooks: Mapping[Any, Mapping[str, Any]] | None = None) -> _CodebookChanges:
    """Per compared pair of waves (and per question with codebooks of its own in both, as
    :func:`_incomparable_themes` reads them): the redefined themes (not compared), the declared renames and merges
    (``replaces``: compared with the theme(s) they continue, :func:`_declared_renames`) and the catch-all themes
    whose change cannot be tested (:func:`_catch_all_changes`), with a warning and a record for each."""
    res = _CodebookChanges()
    per_q = question_codebooks or {}
    for prev, cur in pairs:
        a, b = codebooks.get(prev), codebooks.get(cur)
        later, between = _waves_between(codebooks, prev, cur)
        _add_codebook_pair(res, a, b, prev, cur, chains=_chains(a, b, cur == later, [codebooks[w] for w in between]))
        for q, qa in per_q.get(prev, {}).items():
            qb = per_q.get(cur, {}).get(q)
            if qa is None or qb is None:
                continue
            res.own.add((prev, cur, q))
            said = a is not None and b is not None and (qa.hash, qb.hash) == (a.hash, b.hash)  # the pair's say it
            later, between = _waves_between(per_q, prev, cur)
            chains = _chains(qa, qb, cur == later, [per_q[w].get(q) for w in between])
            _add_codebook_pair(res, qa, qb, prev, cur, q, said=said, chains=chains)
    return res


def _waves_between(by_wave: Mapping[Any, Any], prev: Any, cur: Any) -> tuple[Any, list]:
    """(the later of two compared waves, the waves of ``by_wave`` between them, latest first), in wave order (as
    :func:`_pairs` sorts the waves); (``cur``, []) for waves that do not sort."""
    try:
        waves = sorted({*by_wave, prev, cur})
    except TypeError:
        return cur, []
    lo, hi = sorted((waves.index(prev), waves.index(cur)))
    return waves[hi], [w for w in reversed(waves[lo + 1:hi]) if by_wave.get(w) is not None]


def _chains(a: Any, b: Any, b_later: bool, between: Sequence[Any]) -> tuple[dict, dict]:
    """The declared renames (``replaces``) of codebooks ``a`` and ``b``, the later one's followed back through the
    codebooks of the waves coded between the two (``between``, latest first: :func:`_chained_replacements`)."""
    ra, rb = (dict(getattr(x, "replacements", {}) or {}) for x in (a, b))
    if b_later:
        return ra, _chained_replacements(rb, between)
    return _chained_replacements(ra, between), rb


def _chained_replacements(replacements: Mapping[str, tuple[str, ...]], between: Sequence[Any]) -> dict:
    """A codebook's ``replacements`` (new id → the ids it continues) with each replaced id followed back through the
    ``replaces`` of the codebooks ``between`` (versions in between, latest first): v1.2's ``c`` replaces ``b`` and
    v1.1's ``b`` replaced v1.0's ``a`` gives ``c`` → (b, a), so that a wave coded with v1.0 compares ``a`` with
    ``c`` (a merge on the way: all the ids it merged). Without codebooks between, ``replaces`` itself (a codebook
    can also list the whole chain: ``replaces: [b, a]``)."""
    earlier: dict[str, tuple[str, ...]] = {}
    for cb in between:
        for t, olds in (getattr(cb, "replacements", {}) or {}).items():
            earlier.setdefault(t, olds)
    out = {}
    for new, olds in replacements.items():
        ids = list(olds)
        for old in ids:  # (grows while it is walked: the chain back)
            ids += [o for o in earlier.get(old, ()) if o not in ids and o != new]
        out[new] = tuple(ids)
    return out


def _add_codebook_pair(res: _CodebookChanges, a: Any, b: Any, prev: Any, cur: Any, question: Any = None, *,
                       said: bool = False, chains: tuple[Mapping, Mapping] | None = None) -> None:
    """Add to ``res`` what codebook ``a`` (wave ``prev``) and ``b`` (wave ``cur``) change, for every question
    (``question`` None) or one; ``said``: its warnings and records are the pair's already; ``chains``: their
    renames followed through the versions between (:func:`_chains`)."""
    renames = _declared_renames(a, b, prev, cur, chains)
    changed = [t for t in _changed_themes(a, b) if t not in renames]  # a declared rename is compared, noted
    catch, only_prev, only_cur = _catch_all_changes(a, b, renames, changed)
    key = (prev, cur) if question is None else (prev, cur, question)
    if question is not None or changed or catch:
        res.incomparable[key] = set(changed) | set(catch)
    if question is not None or renames:
        res.renamed[key] = renames
    if said:
        return
    where = "" if question is None else f"question {question}: "
    res.warnings.extend(where + m for m in _unmatched_replaces(a, b, prev, cur, chains))
    if changed:
        res.warnings.append(where + _incomparable_message(changed, a, b, prev, cur))
        res.redefined.append(_redefined_record(changed, a, b, prev, cur, question))
    for new, (olds, old_wave) in renames.items():
        if new in catch:  # an untested catch-all (renamed): its record and warning below say so, none of comparing
            continue
        rec = _renamed_record(new, olds, old_wave, a, b, prev, cur, question)
        res.renamed_records.append(rec)
        res.warnings.append(where + _renamed_message(rec))
    if catch:
        rec = {**_redefined_record(catch, a, b, prev, cur, question), "added": only_cur, "removed": only_prev}
        rec["reason"] = _catch_all_reason(rec, a, b)
        res.catch_all.append(rec)
        which = f"theme {catch[0]}" if len(catch) == 1 else f"themes {', '.join(catch)}"
        res.warnings.append(f"{where}catch-all {which}: not compared between wave {prev} and {cur} "
                            f"(«{st.VERDICT_UNTESTABLE}»): {rec['reason']}")


def _declared_renames(a: Any, b: Any, prev: Any, cur: Any, chains: tuple[Mapping, Mapping] | None = None
                      ) -> dict[str, tuple[tuple[str, ...], Any]]:
    """New theme id → (the ids it continues, the wave coded with those) for the themes that one of two compared
    waves' codebooks (``a`` of wave ``prev``, ``b`` of ``cur``) declares to continue themes of the other
    (``replaces``: a rename, or a merge of several; ``chains``: a's and b's, followed through the versions between,
    :func:`_chains`): only the replaced ids the other codebook has, and the new id too where the other has it as
    well (a theme that absorbs another). {} when either is missing or they are one codebook."""
    if a is None or b is None or a is b:
        return {}
    ra, rb = chains or (getattr(a, "replacements", {}), getattr(b, "replacements", {}))
    out: dict[str, tuple[tuple[str, ...], Any]] = {}
    for new_cb, old_cb, old_wave, repl in ((b, a, prev, rb), (a, b, cur, ra)):
        new_ids, old_ids = set(new_cb.theme_ids), set(old_cb.theme_ids)
        for new, olds in repl.items():
            found = tuple(o for o in olds if o in old_ids and o not in new_ids)
            if found and new not in out:
                out[new] = ((new, *found) if new in old_ids else found, old_wave)
    return out


def _unmatched_replaces(a: Any, b: Any, prev: Any, cur: Any, chains: tuple[Mapping, Mapping] | None = None
                        ) -> list[str]:
    """Warnings for the themes of codebook ``a`` (wave ``prev``) or ``b`` (``cur``) that declare to continue themes
    (``replaces``, followed through the versions between: ``chains``) of which the other codebook has none, while
    it lacks the theme itself: a typo, or a chain of versions whose middle one is not at hand (a theme that
    continues an older version's theme and is in the other codebook already is no such case) — the theme is then
    new, not compared as a rename (:func:`_declared_renames`). The warning names the other codebook's themes that
    are neither in this one nor named in its ``replaces`` (:func:`_not_continued`): the candidates."""
    if a is None or b is None or a is b:
        return []
    ra, rb = chains or (getattr(a, "replacements", {}), getattr(b, "replacements", {}))
    out = []
    for new_cb, old_cb, new_wave, old_wave, repl in ((b, a, cur, prev, rb), (a, b, prev, cur, ra)):
        new_ids, old_ids = set(new_cb.theme_ids), set(old_cb.theme_ids)
        for new, olds in sorted(repl.items()):
            if new in old_ids or any(o in old_ids for o in olds):
                continue
            shown = getattr(new_cb, "replacements", {}).get(new, olds)
            msg = (f"theme {new} (codebook {new_cb.name!r} v{new_cb.version}, wave {new_wave}) declares it "
                   f"continues {', '.join(shown)} (replaces), but codebook {old_cb.name!r} v{old_cb.version} "
                   f"(wave {old_wave}) has no theme {' or '.join(olds)}")
            orphans = _not_continued(new_cb, old_cb, repl)
            if orphans:
                msg += (f" (a typo, or a chain of versions: {shown[0]} continued a theme of v{old_cb.version} in a "
                        f"version between whose codebook is not at hand — list that id too, e.g. replaces: "
                        f"[{', '.join(shown)}, {orphans[0]}]); v{old_cb.version}'s {', '.join(orphans)} "
                        f"{'is' if len(orphans) == 1 else 'are'} neither in v{new_cb.version} nor named in its "
                        f"replaces ("
                        + "; ".join(f"«{o} finnes ikke i den nye kodeboken og er ikke nevnt i replaces»"
                                    for o in orphans) + ")")
            else:
                msg += " (a typo?)"
            out.append(msg + f": not compared as a rename, «{st.VERDICT_UNTESTABLE}» as a new theme")
    return out


def _not_continued(new_cb: Any, old_cb: Any, replacements: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The theme ids of ``old_cb`` that ``new_cb`` neither has nor names in its ``replacements`` (codebook order):
    removed, or continued under an id whose ``replaces`` does not reach them."""
    named = set(new_cb.theme_ids) | {o for olds in replacements.values() for o in olds}
    return [t for t in old_cb.theme_ids if t not in named]


def _catch_all_changes(a: Any, b: Any, renames: Mapping[str, tuple[tuple[str, ...], Any]],
                       changed: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The catch-all themes (:func:`catch_all_themes`) both codebooks have, unchanged themselves, whose change
    cannot be tested because the set of the other themes changed — themes only in ``a`` or only in ``b`` that no
    declared rename or merge (``renames``, :func:`_declared_renames`) explains: what the catch-all holds is then
    not the same —, with those ids only in ``a`` and only in ``b`` (sorted); ([], [], []) when none."""
    if a is None or b is None or a is b:
        return [], [], []
    from .discover.guided import catch_all_ids

    ia, ib = set(a.theme_ids), set(b.theme_ids)
    catch = (catch_all_ids(a) | catch_all_ids(b)) & ia & ib
    catch |= _renamed_catch_alls(a, b, renames)  # (a catch-all that continues a catch-all is the catch-all)
    declared = set(renames) | {o for olds, _ in renames.values() for o in olds}
    only_a, only_b = sorted(ia - ib - catch - declared), sorted(ib - ia - catch - declared)
    untested = sorted(catch - set(changed)) if only_a or only_b else []
    return untested, (only_a if untested else []), (only_b if untested else [])


def _renamed_catch_alls(a: Any, b: Any, renames: Mapping[str, tuple[tuple[str, ...], Any]]) -> set[str]:
    """The new ids of the declared renames (``renames``, :func:`_declared_renames`) that continue a catch-all theme
    of the other codebook (``ovrig`` with ``replaces: annet``), or are one in their own: the catch-all under a new
    id, which holds what the other themes leave as much as the old one did."""
    from .discover.guided import catch_all_ids

    out = set()
    for new, (olds, _) in renames.items():
        new_cb, old_cb = (b, a) if new in getattr(b, "replacements", {}) else (a, b)
        if new in catch_all_ids(new_cb) & set(new_cb.theme_ids) or set(olds) & catch_all_ids(old_cb):
            out.add(new)
    return out


def _versions_nb(a: Any, b: Any) -> str:
    """«kodebok v1.0 og v1.1» (or «kodebok «a» v1 og «b» v2» for two codebooks)."""
    if a.name == b.name:
        return f"kodebok v{a.version} og v{b.version}"
    return f"kodebok «{a.name}» v{a.version} og «{b.name}» v{b.version}"


def _catch_all_reason(rec: Mapping[str, Any], a: Any, b: Any) -> str:
    """Why a catch-all theme's change is not tested (bokmål, for the report's notes): the other themes changed
    between codebook ``a`` and ``b`` (``rec``: its record in :func:`_add_codebook_pair`)."""
    labels = [f"«{(b if t in b.theme_ids else a).theme(t).label}»" for t in rec["themes"]]
    parts = [f"{what}: {', '.join(ids)}" for what, ids in (("nye", rec["added"]), ("fjernet", rec["removed"])) if ids]
    return (f"de andre temaene er endret mellom {_versions_nb(a, b)} ({'; '.join(parts)}), så "
            f"{' og '.join(labels)} samler ikke de samme svarene i de to målingene")


#: what a renamed theme's note calls the fields that decide what is coded
_FIELDS_NB = {"description": "beskrivelsen", "keywords": "nøkkelordene", "parent": "overordnet tema",
              "exclusive": "eksklusiv"}


def _renamed_record(new: str, olds: Sequence[str], old_wave: Any, a: Any, b: Any, prev: Any, cur: Any,
                    question: Any = None) -> dict:
    """A declared rename or merge as data, JSON-safe (``meta["renamed_themes"]``): ``{question ("" for every
    question), theme (the new id), replaces (the ids compared), waves: [prev, cur], old_wave (the wave coded with
    the replaced ids), codebooks, versions, merge, changed (the fields deciding what is coded that differ from the
    replaced theme(s): compared as the analyst declared, but noted), note (bokmål, for the report)}``."""
    new_cb, old_cb, new_wave = (b, a, cur) if old_wave == prev else (a, b, prev)
    theme, replaced = new_cb.theme(new), [old_cb.theme(o) for o in olds]
    changed = [f for f in _FIELDS_NB if any(getattr(o, f) != getattr(theme, f) for o in replaced)]
    merge = len(olds) > 1
    names = [f"«{o.label}»" for o in replaced]
    note = (f"«{theme.label}» slår sammen {' og '.join(names)}" if merge
            else f"«{theme.label}» viderefører {names[0]}")
    note += (f" ({_versions_nb(a, b)}): endringen sammenligner andelen i {new_wave} med andelen i {old_wave} som "
             f"var kodet med {' eller '.join(names)}")
    note += " (hver respondent telles én gang)." if merge else "."
    if changed:
        note += (f" Også {', '.join(_FIELDS_NB[f] for f in changed)} er endret, ikke bare navnet: sammenlignet "
                 f"fordi kodeboken sier at temaet viderefører det gamle, men les endringen med det i tankene.")
    return {**_redefined_record([new], a, b, prev, cur, question), "theme": str(new),
            "replaces": [str(o) for o in olds], "old_wave": _json_wave(old_wave), "merge": merge,
            "changed": changed, "note": note}


def _renamed_message(rec: Mapping[str, Any]) -> str:
    """The warning for a declared rename or merge (:func:`_renamed_record`)."""
    prev, cur = rec["waves"]
    new_wave = cur if rec["old_wave"] == prev else prev
    olds = ", ".join(rec["replaces"])
    how = (f"the share of respondents coded with any of {olds} (each counted once)" if rec["merge"]
           else f"the share of {olds}")
    msg = (f"theme {rec['theme']} (wave {new_wave}) continues {olds} (wave {rec['old_wave']}) as its codebook "
           f"declares (replaces): its change {prev}→{cur} compares it with {how} in wave {rec['old_wave']}")
    if rec["changed"]:
        msg += f"; its {', '.join(rec['changed'])} changed too (not only the name): compared as declared"
    return msg


def _changed_themes(a: Any, b: Any) -> list[str]:
    """The theme ids codebooks ``a`` and ``b`` define differently (:func:`_incomparable_themes`), sorted; [] when
    either is missing or they are one codebook."""
    from .codebook import codebook_diff

    if a is None or b is None or a is b:
        return []
    return sorted(t for t, fields in codebook_diff(a, b).changed.items()
                  if set(fields) - COMPARABLE_EDITS - {"replaces"})


def _incomparable_message(changed: list[str], a: Any, b: Any, prev: Any, cur: Any) -> str:
    """The warning for themes ``changed`` between codebook ``a`` (wave ``prev``) and ``b`` (wave ``cur``)."""
    which = f"theme {changed[0]} is" if len(changed) == 1 else f"themes {', '.join(changed)} are"
    second = f"v{b.version}" if b.name == a.name else f"{b.name!r} v{b.version}"
    return (f"{which} defined differently in codebook {a.name!r} v{a.version} (wave {prev}) and {second} "
            f"(wave {cur}): not compared («{st.VERDICT_UNTESTABLE}»)")


def _json_wave(w: Any) -> Any:
    return w if isinstance(w, (int, str)) and not isinstance(w, bool) else str(w)


def _redefined_record(changed: list[str], a: Any, b: Any, prev: Any, cur: Any, question: Any = None) -> dict:
    """The data of :func:`_incomparable_message`'s warning, JSON-safe: ``{question ("" for every question), themes,
    waves: [prev, cur], codebooks: [name in prev, in cur], versions: [version in prev, in cur]}``."""
    return {"question": "" if question is None else str(question), "themes": [str(t) for t in changed],
            "waves": [_json_wave(prev), _json_wave(cur)], "codebooks": [str(a.name), str(b.name)],
            "versions": [str(a.version), str(b.version)]}


def _pairs(frames: Mapping[Any, Any], compare_to: Any) -> list[tuple]:
    """The compared wave pairs as :func:`_build_summary` makes them ([] for a ``compare_to`` that is no wave: it
    refuses that)."""
    waves = list(frames)
    try:
        waves = sorted(waves)
    except TypeError:
        pass
    if compare_to is not None:
        return [(compare_to, w) for w in waves if w != compare_to] if compare_to in waves else []
    return list(zip(waves[:-1], waves[1:]))


def mixed_coders(coded_by: Mapping[Any, Mapping[str, str | None]] | None,
                 pairs: Sequence[tuple]) -> dict[tuple, dict[str, tuple[str, str]]]:
    """(wave_prev, wave) → question → (its coder in wave_prev, in wave), for the compared pairs whose question two
    different coders coded (``coded_by``: wave → question → coder label, None when not known: never a mismatch;
    a model is told by its fingerprint where both labels carry one, :func:`textmine.pipeline.same_coder`)."""
    from .pipeline import same_coder

    out: dict[tuple, dict[str, tuple[str, str]]] = {}
    for prev, cur in pairs:
        a, b = (coded_by or {}).get(prev) or {}, (coded_by or {}).get(cur) or {}
        for q in a:
            ca, cb = a.get(q), b.get(q)
            if ca and cb and not same_coder(ca, cb):
                out.setdefault((prev, cur), {})[str(q)] = (ca, cb)
    return out


def coder_text(name: str, norwegian: bool = False) -> str:
    """A coder's label (:func:`textmine.pipeline.coder_label`) as messages say it (``norwegian``: as the published
    notes and the terminal's Norwegian lines do, bokmål)."""
    from .pipeline import coder_name, zero_shot_flags

    flags = zero_shot_flags(name)  # zero-shot with the options that changed its codes (--zero-shot-background)
    if flags is not None:
        with_ = "".join(f" {'med' if norwegian else 'with'} {f}" for f in flags)
        return f"zero-shot{with_} (uten en trent modell)" if norwegian else f"zero-shot{with_} (no trained model)"
    if name == "keyword":
        return "nøkkelordkoding" if norwegian else "the keyword coder"
    return f"modellen «{coder_name(name)}»" if norwegian else f"model {coder_name(name)!r}"


def _mixed_lines(mixed: Mapping[tuple, Mapping[str, tuple[str, str]]]) -> list[tuple[Any, Any, str, str, str]]:
    return [(prev, cur, q, a, b) for (prev, cur), by_q in mixed.items() for q, (a, b) in by_q.items()]


def mixed_coders_error(mixed: Mapping[tuple, Mapping[str, tuple[str, str]]]) -> str:
    """The refusal of theme changes between waves coded by different coders (:func:`mixed_coders`): each wave's
    coder, and how to compare like with like."""
    from .pipeline import ZERO_SHOT_OPTIONS, coder_name, zero_shot_flags

    # a zero-shot wave is recoded with the options (--zero-shot-background) the other wave's codes were made with
    optioned = any(zero_shot_flags(c) for _, _, _, a, b in _mixed_lines(mixed) for c in (a, b))

    def how(c: str) -> str:
        flags = zero_shot_flags(c)
        if flags is not None:
            given = "".join(f", with {f}" for f in flags) or (
                " or " + " or ".join(ZERO_SHOT_OPTIONS.values()) if optioned else "")
            return f"without --model{given} (zero-shot, with that wave's --codebook)"
        return ("with --coder keyword (textmine report)" if c == "keyword"
                else f"with --model for {coder_name(c)!r}")

    parts, fixes = [], []
    for prev, cur, q, a, b in _mixed_lines(mixed):
        parts.append(f"{q}: wave {prev} was coded by {coder_text(a)}, wave {cur} by {coder_text(b)}")
        for fix in (f"`textmine code` wave {prev}'s file {how(b)}", f"wave {cur}'s file {how(a)}"):
            if fix not in fixes:
                fixes.append(fix)
    return ("theme shares coded by different coders cannot be compared (" + "; ".join(parts) + "): the change "
            "would show the change of coder, not of the respondents (the service refuses this as model_mismatch); "
            "recode one of the waves so that both have the same coder — " + " or ".join(fixes) + " (a trained "
            "model codes only waves of the codebook version it was trained for; zero-shot codes any) — and give the "
            "files with --coded, or give --allow-mixed-coding to go on with those theme changes not compared "
            "(ikke testbar)")


def mixed_coders_warnings(mixed: Mapping[tuple, Mapping[str, tuple[str, str]]]) -> list[str]:
    """The warning per question and pair coded by different coders, when they are summarised anyway."""
    return [f"changes {prev}→{cur}: {q}: coded by {coder_text(a)} in {prev} and by {coder_text(b)} in {cur} "
            f"(--allow-mixed-coding): its theme changes are not compared («{st.VERDICT_UNTESTABLE}»), as they would "
            f"show the change of coder" for prev, cur, q, a, b in _mixed_lines(mixed)]


def _theme_set_warnings(coded: Mapping[Any, pd.DataFrame], pairs: list[tuple],
                        changes: "_CodebookChanges | None" = None) -> list[str]:
    """Warnings for compared waves whose coded files have different ``theme_<id>`` columns (codebooks that differ:
    a theme missing from one wave is «ikke kodet» there, not 0 %); the ids of declared renames (``changes``,
    :func:`_codebook_changes`) are left out: their warning says how they are compared."""
    out = []
    for prev, cur in pairs:
        if prev not in coded or cur not in coded:
            continue
        renamed = (changes.renamed.get((prev, cur), {}) if changes is not None else {})
        declared = set(renamed) | {o for olds, _ in renamed.values() for o in olds}
        a, b = ({str(c)[6:] for c in coded[w].columns if str(c).startswith("theme_")} - declared for w in (prev, cur))
        if a != b:
            parts = [f"only in {w}: {', '.join(sorted(x))}" for w, x in ((prev, a - b), (cur, b - a)) if x]
            out.append(f"changes {prev}→{cur}: the coded files have different theme columns ({'; '.join(parts)}); "
                       f"a theme without a column in a wave is «{NOT_CODED}» there and its change «{st.VERDICT_UNTESTABLE}»")
    return out


def _hidden_for_missing(ind: pd.DataFrame | None, survey: SurveyDefinition) -> list[str]:
    """Warnings for levels hidden by secondary suppression in a breakdown whose only small level is «(uoppgitt)»
    (respondents without a declared value): a whole sector can vanish for three stray codes, and the fix is the
    analyst's (declare the value, add an alias, recode). Declared levels are named; free values only counted."""
    if ind is None or not len(ind) or "suppressed_secondary" not in ind.columns:
        return []
    out = []
    t = ind[ind["segment"] != TOTAL_SEGMENT]
    for (wave, seg), g in t.groupby(["wave", "segment"], sort=False):
        values = g["value"].astype(str)
        primary = g["suppressed"].astype(bool) & ~g["suppressed_secondary"].astype(bool)
        if not (primary & (values == MISSING_LEVEL)).any() or (primary & (values != MISSING_LEVEL)).any():
            continue
        hidden = sorted(set(values[g["suppressed_secondary"].astype(bool)]) - {MISSING_LEVEL})
        if not hidden:
            continue
        sd = next((x for x in survey.segments if x.column == seg), None)
        named = (f" ({', '.join(str(sd.display.get(v, v)) for v in hidden)})" if sd is not None and sd.levels
                 else "")
        out.append(f"{wave}: segment {seg}: {len(hidden)} level(s){named} hidden only to protect the respondents "
                   f"without a declared value «{MISSING_LEVEL}» (fewer than min_cell = {survey.min_cell}); declare "
                   "their value(s) as a level or an `aliases` spelling, or recode them, to show the level(s)")
    return out


def _unmatched_levels(ind: pd.DataFrame | None, pairs: list[tuple], survey: SurveyDefinition) -> list[str]:
    """Warnings for segment levels with respondents in only one wave of a compared pair (a level renamed between
    waves, a new category): the change tables cannot compare them. Declared levels are named; values of a
    segment without declared levels are only counted (they may be personal data)."""
    if ind is None or not len(ind) or "segment" not in ind.columns:
        return []
    present = ind[ind["n_total"] > 0] if "n_total" in ind.columns else ind
    out = []
    for prev, cur in pairs:
        for seg in [s for s in pd.unique(present["segment"]) if s != TOTAL_SEGMENT]:
            a = set(present.loc[(present["wave"] == prev) & (present["segment"] == seg), "value"].astype(str))
            b = set(present.loc[(present["wave"] == cur) & (present["segment"] == seg), "value"].astype(str))
            a, b = a - {MISSING_LEVEL}, b - {MISSING_LEVEL}  # no renamed level: missing values in one wave only
            only = {prev: sorted(a - b), cur: sorted(b - a)}
            if not (only[prev] or only[cur]):
                continue
            sd = next((g for g in survey.segments if g.column == seg), None)
            declared = bool(sd and sd.levels)

            def name(v, sd=sd):
                return str(sd.display.get(sd.level_key(v) or v, v))
            parts = [f"{len(v)} level(s) only in {w}" + (f" ({', '.join(map(name, v))})" if declared else "")
                     for w, v in only.items() if v]
            out.append(f"changes {prev}→{cur}: segment {seg}: {'; '.join(parts)}; not compared (a level renamed "
                       "between waves is a new level: declare its other spelling under the segment's `aliases`)")
    return out


def _changes(tables: dict[str, pd.DataFrame], pairs: list[tuple], weighted: bool, level: float,
             families: list[dict] | None = None, incomparable: Mapping[tuple, set[str]] | None = None,
             renames: Callable | None = None, replaced: pd.DataFrame | None = None) -> pd.DataFrame:
    """Wave-over-wave change for indicators, multi-select options and theme shares; BH within each table (the
    number of tests of each family is appended to ``families``). ``incomparable``: (wave_prev, wave) → theme ids
    defined differently in the two waves' codebooks, (wave_prev, wave, question) → those of one question's own
    codebooks (:func:`_incomparable_themes`): their rows keep both shares but get no test («ikke testbar»).
    ``renames`` (:meth:`_CodebookChanges.renames`) and ``replaced`` (:func:`_replaced_table`'s rows): a theme that
    declares it continues another (``replaces``) is compared with that theme's share in the wave coded with it —
    the same test, in the same family — and the old theme's own row leaves the pair (:func:`_with_renames`)."""
    specs = [
        ("indicator", "indicators", ["indicator", "segment", "value"], "indicator"),
        ("multiselect", "multiselect", ["group", "option", "segment", "value"], "option"),
        ("theme", "themes", ["question", "theme", "denominator", "segment", "value"], "theme"),
    ]
    sh, nn = ("share_w", "n_eff") if weighted else ("share", "n")
    out = []
    for kind, name, keys, item in specs:
        t = tables.get(name)
        if t is None or not len(t):
            continue
        for prev, cur in pairs:
            a, b = t[t["wave"] == prev], t[t["wave"] == cur]
            if kind == "theme" and renames is not None:
                a, b = _with_renames(a, b, prev, cur, renames, replaced)
            a, b = a.set_index(keys), b.set_index(keys)
            cols = list(dict.fromkeys([sh, nn, "n", "suppressed"]))
            j = a[cols].add_suffix("_prev").join(b[cols].add_suffix("_cur"), how="inner")
            if not len(j):
                continue
            r = st.two_proportion_test(j[f"{sh}_prev"], j[f"{nn}_prev"], j[f"{sh}_cur"], j[f"{nn}_cur"], level=level)
            supp = (j["suppressed_prev"] | j["suppressed_cur"]).to_numpy()
            c = j.reset_index()
            skip = _not_compared(c, item, prev, cur, incomparable or {}) if kind == "theme" else \
                np.zeros(len(c), dtype=bool)
            if skip.any():  # a theme defined differently in the two waves: not compared
                r = {k: np.where(skip, np.nan, np.asarray(r[k], dtype=float)) if k in ("diff", "ci_low", "ci_high",
                     "p_value") else r[k] for k in r}
            p = np.where(supp, np.nan, r["p_value"])
            degenerate = np.asarray(r["degenerate"], dtype=bool) & ~supp & ~skip  # both 0 (or 1): no test
            frame = pd.DataFrame(
                {
                    "kind": kind,
                    "wave": cur,
                    "wave_prev": prev,
                    "question": c["question"] if "question" in c else "",
                    "item": c[item],
                    "denominator": c["denominator"] if "denominator" in c else "",
                    "segment": c["segment"],
                    "value": c["value"],
                    "share_prev": c[f"{sh}_prev"],
                    "share": c[f"{sh}_cur"],
                    "n_prev": c["n_prev"],
                    "n": c["n_cur"],
                    # the n the test runs on (Kish effective n when weighted): the test can be redone from the file
                    "n_eff_prev": c[f"{nn}_prev"],
                    "n_eff": c[f"{nn}_cur"],
                    "diff": r["diff"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": p,
                    "test": np.where(supp | skip, "", r["test"]),  # which test says something of a hidden cell
                    "suppressed": supp,
                }
            )
            frame, fams = _adjust_changes(frame, degenerate)
            if families is not None:
                families.extend(fams)
            d = frame["diff"].to_numpy(float)  # float residue of one share computed twice is no direction
            with np.errstate(invalid="ignore"):
                frame["direction"] = np.where(d > st.ZERO_DIFFERENCE, "opp",
                                              np.where(d < -st.ZERO_DIFFERENCE, "ned", ""))
            frame["weighted"] = weighted
            out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _not_compared(c: pd.DataFrame, item: str, prev: Any, cur: Any, incomparable: Mapping[tuple, set[str]]) -> Any:
    """Which theme change rows ``c`` (columns ``question`` and ``item``) compare a theme defined differently in the
    two waves' codebooks (:func:`_incomparable_themes`: the question's own entry, else the pair's)."""
    pair = incomparable.get((prev, cur), set())
    return np.array([t in incomparable.get((prev, cur, q), pair) for t, q in zip(c[item], c["question"])],
                    dtype=bool)


#: the columns of a change row that name its Benjamini–Hochberg family: one printed table, a breakdown (segment) of
#: one kind (and question/denominator for themes) between two waves
_CHANGE_FAMILY = ["kind", "wave_prev", "wave", "segment", "question", "denominator"]


def _degenerate_changes(ch: pd.DataFrame) -> np.ndarray:
    """The change rows whose two shares are both 0 or both 1 (no test), read from the table."""
    d, prev = (pd.to_numeric(ch[c], errors="coerce").to_numpy(float) for c in ("diff", "share_prev"))
    with np.errstate(invalid="ignore"):
        return (d == 0) & ((prev <= 0) | (prev >= 1))


def _adjust_changes(ch: pd.DataFrame, degenerate: np.ndarray | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """``ch`` with ``p_adjusted`` (Benjamini–Hochberg within each family of :data:`_CHANGE_FAMILY` over the shown
    tests only: a hidden row is no published test, so a reader can redo the adjustment from the file; rows with
    both shares 0 or both 1 are no test either: no ``test``, ``p_value`` or ``p_adjusted``, verdict «ingen sikker
    endring»), ``verdict`` and ``verdict_unadjusted`` (a hidden row keeps the verdict it has, else «for få svar»),
    and the families with their number of tests. ``degenerate``: the rows with both shares 0 or 1 (default: read
    from the table)."""
    ch = ch.copy()
    hidden = ch["suppressed"].fillna(False).astype(bool).to_numpy()
    degenerate = (_degenerate_changes(ch) if degenerate is None else np.asarray(degenerate, dtype=bool)) & ~hidden
    family_p = pd.to_numeric(ch["p_value"], errors="coerce").where(~hidden & ~degenerate)
    ch["p_adjusted"] = np.nan
    families = []
    keys = [c for c in _CHANGE_FAMILY if c in ch.columns]
    for key, idx in ch.groupby(keys, sort=False, dropna=False).groups.items():
        ch.loc[idx, "p_adjusted"] = st.bh_adjust(family_p.loc[idx].to_numpy())
        k = dict(zip(keys, key))
        name = [k["kind"], k["segment"]] + ([k.get("question"), k.get("denominator")] if k["kind"] == "theme" else [])
        families.append({"table": "changes", "wave_prev": k["wave_prev"], "wave": k["wave"],
                         "family": " / ".join(map(str, name)), "tests": int(family_p.loc[idx].notna().sum())})
    # no test: no p, so that BH over the file's shown p-values gives its p_adjusted
    ch["p_value"] = pd.to_numeric(ch["p_value"], errors="coerce").where(~degenerate)
    if "test" in ch.columns:
        ch.loc[degenerate, "test"] = ""
    kept = {c: ch[c].copy() for c in ("verdict", "verdict_unadjusted") if c in ch.columns}
    ch["verdict"] = st.change_verdict(ch["p_value"].to_numpy(float), ch["p_adjusted"].to_numpy(float),
                                      ci_low=ch["ci_low"].to_numpy(float), ci_high=ch["ci_high"].to_numpy(float))
    ch["verdict_unadjusted"] = st.verdict(ch["p_value"].to_numpy(float))
    for c in ("verdict", "verdict_unadjusted"):  # 0 % → 0 % (100 % → 100 %): nothing changed that a test could find
        ch.loc[degenerate, c] = st.VERDICT_UNCHANGED
    for c in ("verdict", "verdict_unadjusted"):
        ch.loc[hidden, c] = kept[c][hidden] if c in kept else VERDICT_SUPPRESSED
    return ch, families


#: a theme with fewer eligible comments than this gets one quote (a handful of comments represents nothing)
FEW_COMMENTS = 5


def _theme_keywords(survey: SurveyDefinition, question: str) -> dict[str, tuple[str, ...]]:
    """Theme → its codebook keywords (for shortening a quote to its relevant sentences); empty without a codebook."""
    try:
        path = survey.question(question).codebook
        if not path or not Path(path).exists():
            return {}
        from .codebook import load_codebook

        return {t.id: tuple(t.keywords) for t in load_codebook(path).themes}
    except Exception:  # noqa: BLE001 - keywords only choose which sentences a long quote keeps
        return {}


def _export_rows(df, ids, survey, wave, frame: pd.DataFrame) -> pd.DataFrame:
    """The row-level exports' rows of one wave's coded ``frame``: id, wave, question ("" without a ``question``
    column), text and the exported segment values of each row's writer (from ``df``)."""
    from .quotes import exported_segments

    question = (frame["question"].astype(str).to_numpy() if "question" in frame.columns
                else np.full(len(frame), "", dtype=object))
    pos = pd.Index(ids).get_indexer(value_keys(frame["respondent_id"])) if len(frame) else np.zeros(0, np.int64)
    segments = exported_segments(survey, df.columns)
    return pd.DataFrame({"respondent_id": frame["respondent_id"].astype(str).to_numpy(), "wave": str(wave),
                         "question": question, "text_clean": frame["text_clean"].to_numpy(dtype=object),
                         **({"is_non_answer": frame["is_non_answer"].to_numpy()} if "is_non_answer" in frame else {}),
                         **{s: np.where(pos >= 0, df[s].to_numpy(dtype=object)[np.maximum(pos, 0)], None)
                            for s in segments}})


def _export_shown_by_wave(prepared: Mapping, survey, coded: Mapping) -> dict[Any, pd.DataFrame]:
    """Per wave, per row of its coded frame (in order, with ``question``): which exported segment values the
    row-level exports show — their own rule (:func:`textmine.quotes.export_shown_segments`) on every wave's coded
    rows at once, as «Kodede svar» holds them (a value blanked in one wave is blanked in the id's other waves).
    ``prepared``: wave → its frame with free segments masked and undeclared levels cleared, as the tables use it."""
    from .quotes import export_shown_segments, exported_segments

    parts, keys = [], []
    for wave, df in prepared.items():
        cf = coded.get(wave)
        if cf is None or "respondent_id" not in cf.columns or "text_clean" not in cf.columns:
            continue
        parts.append(_export_rows(df, value_keys(df[survey.id_column]), survey, wave, cf))
        keys.append(wave)
    if not parts:
        return {}
    rows = pd.concat(parts, ignore_index=True)
    segments = exported_segments(survey, rows.columns)
    shown = export_shown_segments(rows, segments, survey.min_cell).assign(question=rows["question"].to_numpy())
    bounds = np.cumsum([0] + [len(p) for p in parts])
    return {w: shown.iloc[a:b].reset_index(drop=True) for w, a, b in zip(keys, bounds[:-1], bounds[1:])}


def _export_shown(qd: _QuestionData, wave_coded: pd.DataFrame, wave_shown: pd.DataFrame) -> pd.DataFrame:
    """Per coded row of the question (``qd.coded``'s order): which of its writer's segment values the row-level
    exports show — the question's rows of ``wave_shown`` (:func:`_export_shown_by_wave` on the wave's coded frame
    ``wave_coded``; a frame without ``question`` holds this question's rows only)."""
    mine = (wave_shown["question"].astype(str).to_numpy() == str(qd.column) if "question" in wave_coded.columns
            else np.ones(len(wave_shown), dtype=bool))
    return wave_shown.drop(columns="question")[mine].reset_index(drop=True)


def mask_withheld_mentions(rows: pd.DataFrame, survey) -> pd.DataFrame:
    """Row-level rows with each comment's mention of its writer's own segment value masked («[FYLKE]»,
    «[BRANSJE]», «[ANTALL] ansatte») where the exports do not show that value: a segment declared ``attribution:
    false`` (left out of the exports), or a value the exports blank (the one rule of the exports and the quotes,
    :func:`textmine.quotes.export_shown_segments`, on these rows with the survey's ``min_cell``)."""
    from .quotes import SegmentMentions, export_shown_segments, exported_segments

    segments = [s.column for s in survey.segments if s.column in rows.columns]
    if not len(rows) or "text_clean" not in rows.columns or not segments:
        return rows
    shown = export_shown_segments(rows, exported_segments(survey, segments), survey.min_cell)
    mentions = SegmentMentions(survey)
    values = rows[segments].astype(object).to_numpy()
    texts = rows["text_clean"].astype(object).to_numpy().copy()
    for i, text in enumerate(texts):
        withheld = [s for s in segments if not (s in shown and shown[s].iat[i])]
        if withheld and isinstance(text, str):
            texts[i] = mentions.mask(text, dict(zip(segments, values[i])), withheld)
    return rows.assign(text_clean=texts)


def _quote_rule(df, survey, groups, qd: _QuestionData, themes, theme_table, wave_coded: pd.DataFrame,
                wave_shown: pd.DataFrame) -> tuple[pd.DataFrame, Callable[[str], np.ndarray], Callable[[Mapping], str]]:
    """The rule quotes are published under, for the coded rows of one question (``qd.coded``, non-empty, with
    ``text_clean``): ``(c, eligible, attribute)`` with ``c`` those rows as plain columns, ``eligible(theme)`` the
    rows of ``c`` that may be quoted for ``theme`` and ``attribute(row)`` the attribution of ``row["respondent_id"]``.
    ``c`` keeps ``needs_review``/``corrected`` where the coded rows have them, so that
    :func:`textmine.quotes.select_quotes` quotes a theme only from comments that surely have it. Never health-flagged, non-answers or respondents in a suppressed theme × segment cell
    (any segment of the tables, whether or not it is used in the attribution), never a comment that names its
    writer's own segment value the attribution leaves out (county, næring, a headcount);
    the attribution shows only the segment values the row-level exports show for that comment (the same
    combination rule among the question's commenters, :func:`_export_shown`: ``wave_shown`` from
    :func:`_export_shown_by_wave` on the wave's coded frame ``wave_coded``, so that a value blanked in another
    question's row or in the id's other wave is left out too, as the exports do)."""
    from .quotes import SegmentMentions

    c = qd.coded
    gmap = {g.segment: g for g in groups}
    attr_segments = [s.column for s in survey.segments if s.attribution and s.column in gmap]
    language = c["language"].astype(object).to_numpy() if "language" in c else None
    theme_cols = [f"theme_{t}" for t in themes if f"theme_{t}" in c]
    # the coder's review flag and a human's correction go along: select_quotes quotes a theme only from the
    # comments that surely have it (not one sent to review, unless corrected)
    keep_cols = ["respondent_id", "text_clean", "is_non_answer", "health_flag", "needs_review", "corrected"]
    c = pd.DataFrame(
        {
            "respondent_id": c["respondent_id"].to_numpy(dtype=object),
            "text_clean": c["text_clean"].to_numpy(dtype=object),
            **{k: pd.to_numeric(c[k], errors="coerce").fillna(0).to_numpy() for k in keep_cols[2:] + theme_cols if k in c},
            **({"language": language} if language is not None else {}),
            **({"type": c["type"].astype(object).to_numpy()} if "type" in c else {}),  # praise quotes
        }
    ).astype({"respondent_id": object, "text_clean": object})  # plain objects: no Arrow round trips per theme
    row_pos = qd.pos
    valid_row = row_pos >= 0
    rp = np.maximum(row_pos, 0)
    health = pd.to_numeric(c["health_flag"], errors="coerce").fillna(0).to_numpy() > 0 if "health_flag" in c else np.zeros(len(c), bool)
    nonans = pd.to_numeric(c["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0 if "is_non_answer" in c else np.zeros(len(c), bool)
    text_ok = np.asarray([isinstance(t, str) and bool(t.strip()) for t in c["text_clean"].to_numpy()], dtype=bool)
    elig_any = valid_row & ~health & ~nonans & text_ok
    seg_cols = [s.column for s in survey.segments if s.column in df.columns]
    own = {s: np.where(valid_row, df[s].to_numpy(dtype=object)[rp], None) for s in seg_cols}
    shown = _export_shown(qd, wave_coded, wave_shown)
    on = {s: shown[s].to_numpy(dtype=bool) for s in attr_segments if s in shown}
    attr_of = [[s for s in on if on[s][j]] for j in range(len(c))]
    mentions = SegmentMentions(survey)
    texts = c["text_clean"].to_numpy(dtype=object)
    for j in np.flatnonzero(elig_any):  # the text must not give back what the attribution leaves out
        withheld = [s for s in seg_cols if s not in attr_of[j]]
        if mentions.named(texts[j], {s: own[s][j] for s in seg_cols}, withheld):
            elig_any[j] = False
    kb = theme_table[theme_table["denominator"] == "kommentatorer"]
    # suppressed[s]: themes × levels boolean, for EVERY segment of the tables (attributed or not, and the total):
    # a respondent in any suppressed theme × segment cell is never quoted
    sup_mat = {}
    for s in gmap:
        g = gmap[s]
        sub = kb[kb["segment"] == s]
        m = np.zeros((len(themes), len(g.levels) + 1), dtype=bool)  # last column = missing level
        ti = {t: i for i, t in enumerate(themes)}
        li = {lv: i for i, lv in enumerate(g.levels)}
        # (a level hidden only so that a lone small one cannot be subtracted from the total is not small: its
        # respondents may be quoted)
        primary = sub["suppressed"].astype(bool) & ~sub.get("suppressed_secondary", False)
        for th, v, x in zip(sub["theme"], sub["value"], primary):
            m[ti[th], li[v]] = bool(x)
        sup_mat[s] = m
    row_by_id: dict[str, int] = {}
    for j, rid in enumerate(c["respondent_id"].astype(str)):
        row_by_id.setdefault(rid, j)

    def attribute(row):
        j = row_by_id.get(str(row["respondent_id"]))
        if j is None or not valid_row[j]:
            return ""
        return survey.attribution({s: own[s][j] for s in attr_of[j]}, attr_of[j])

    def eligible(theme: str | None) -> np.ndarray:  # None: under each theme the row has
        elig = elig_any.copy()
        for ti_, th in enumerate(themes):
            if (theme is not None and th != theme) or f"theme_{th}" not in c:
                continue
            has = pd.to_numeric(c[f"theme_{th}"], errors="coerce").fillna(0).to_numpy() > 0
            blocked = np.zeros(len(c), dtype=bool)
            for s in gmap:
                lvl = gmap[s].codes[rp]
                blocked |= sup_mat[s][ti_, np.where(lvl >= 0, lvl, -1)]
            elig &= ~(has & blocked) & (has | (theme is None))
        return elig

    return c, eligible, attribute


def _quotes(df, ids, survey, groups, wave, qd: _QuestionData, themes, theme_table, n_quotes, embedder, info,
            wave_coded: pd.DataFrame, wave_shown: pd.DataFrame) -> pd.DataFrame:
    """Quotes per theme of one question, under :func:`_quote_rule`."""
    from .quotes import resolve_embedder, select_quotes

    if not len(qd.coded) or "text_clean" not in qd.coded:
        return pd.DataFrame()
    c, eligible, attribute = _quote_rule(df, survey, groups, qd, themes, theme_table, wave_coded, wave_shown)
    keywords = _theme_keywords(survey, qd.column)

    emb = None
    max_candidates = 150
    rows = []
    used: set[str] = set()  # respondents already quoted for this question: each comment under one theme if possible
    for th in themes:
        if f"theme_{th}" not in c:
            continue
        elig = eligible(th)
        if not elig.any():
            continue
        if emb is None:
            emb = resolve_embedder(embedder)
        how = dict(k=n_quotes, embedder=emb, eligible=elig, attribute=attribute, max_candidates=max_candidates,
                   keywords=keywords.get(th, ()), few=FEW_COMMENTS,
                   avoid=[r["text"] for r in rows])  # not the same sentence under two themes of the question
        picked = select_quotes(c, theme=th, excluded_ids=used, **how)
        if len(picked) < min(3, n_quotes):  # too few comments of its own: comments quoted elsewhere top them up
            every = select_quotes(c, theme=th, **how)  # as many as the theme's comments allow (few: fewer)
            have = {q.respondent_id for q in picked}
            more = [q for q in every if q.respondent_id not in have]
            picked = [replace(q, rank=r) for r, q in
                      enumerate(list(picked)[:len(every)] + more[:max(0, len(every) - len(picked))], start=1)]
        used.update(q.respondent_id for q in picked)
        for q in picked:
            rows.append({"wave": wave, "question": qd.column, "theme": th, "rank": q.rank, "text": q.text, "attribution": q.attribution, "score": q.score, "respondent_id": q.respondent_id, "language": q.language})
    if emb is not None:
        info["quote_embedder"] = str(getattr(emb, "name", type(emb).__name__))
    return pd.DataFrame(rows)


def _only_question(survey: SurveyDefinition, coded: pd.DataFrame, question: str | None) -> str:
    """``question`` checked against the survey's free-text questions; None: the one question of ``coded`` (its
    ``question`` column) or, without that column, of the survey."""
    declared = [q.column for q in survey.free_text]
    if question is None:
        found = (sorted(coded["question"].dropna().astype(str).unique()) if "question" in coded.columns
                 else declared)
        if len(found) != 1:
            raise ValueError(f"question: the quote rule is per question; give question= (one of "
                             f"{', '.join(found) or 'none'})")
        question = found[0]
    if str(question) not in declared:
        raise ValueError(f"question {question!r} is not a free-text question of the survey "
                         f"({', '.join(declared) or 'none'})")
    return str(question)


def _check_all_questions_coded(respondents: pd.DataFrame, survey: SurveyDefinition, coded: pd.DataFrame,
                               question: str) -> None:
    """``ValueError`` when ``respondents`` holds answers to a free-text question that ``coded`` has no row of: the
    attribution rule (:func:`_export_shown_by_wave`) blanks a value per respondent over all the wave's coded
    questions, so a quote chosen from one question's rows alone could show what the summary blanks."""
    have = set(coded["question"].dropna().astype(str)) if "question" in coded.columns else {question}
    missing = []
    for q in survey.free_text:
        if q.column in have or q.column not in respondents.columns:
            continue
        n = int(respondents[q.column].astype("string").str.strip().fillna("").ne("").sum())
        if n:
            missing.append(f"{q.column} ({n} answers)")
    if missing:
        raise ValueError(f"coded: no rows of question(s) {', '.join(missing)} answered in respondents; the summary's "
                         f"quote attributions are decided over every coded question of the wave (a segment value "
                         f"blanked for a small group in one question is blanked in all the respondent's quotes): pass "
                         f"the wave's whole coded frame (code_wave without questions=), or respondents without those "
                         f"columns if they are never coded")


@dataclass(frozen=True, eq=False)
class QuoteRule:
    """:func:`build_summary`'s quote rule for one wave's coded frame and one question (:func:`quote_rules`), to hand
    to :func:`textmine.quotes.select_quotes` (``rule=``) for each theme: ``eligible(theme)`` one value per row of
    the frame it was made for (False outside ``question``), ``attribute(row)`` the summary's attribution of
    ``row["respondent_id"]``. ``respondent_ids`` (the frame's, as text) ties it to that frame; ``respondents`` and
    ``id_column`` give the respondent rows ``select_quotes`` passes to ``attribute``/``is_suppressed``."""

    question: str | None
    respondent_ids: np.ndarray = field(repr=False)
    by_theme: Mapping[str, np.ndarray] = field(repr=False)
    every_theme: np.ndarray = field(repr=False)
    attribute: Callable[[Mapping], str] = field(repr=False)
    respondents: pd.DataFrame = field(repr=False)
    id_column: str = ""

    def eligible(self, theme: str | None) -> np.ndarray:
        """Rows that may be quoted for ``theme`` (``theme_<id>`` or ``<id>``; a theme the frame lacks: none);
        None: rows eligible under each theme they have."""
        if theme is None:
            return self.every_theme.copy()
        theme = theme[6:] if theme.startswith("theme_") else theme
        mask = self.by_theme.get(theme)
        return mask.copy() if mask is not None else np.zeros(len(self.respondent_ids), dtype=bool)

    def check_frame(self, coded: pd.DataFrame) -> None:
        """``ValueError`` unless ``coded`` has the rows (same respondents, same order) the rule was made for."""
        ids = coded["respondent_id"].astype(str).to_numpy(dtype=object) if "respondent_id" in coded else None
        if ids is None or len(ids) != len(self.respondent_ids) or not np.array_equal(ids, self.respondent_ids):
            raise ValueError(f"rule: made for another coded frame ({len(self.respondent_ids)} rows; this one has "
                             f"{len(coded)}, or other respondents or row order); build it with quote_rules on the "
                             f"frame you select from")


def _no_attribution(row: Mapping) -> str:
    return ""


def quote_rules(respondents: pd.DataFrame, survey: SurveyDefinition, coded: pd.DataFrame,
                question: str | None = None) -> QuoteRule:
    """:func:`build_summary`'s quote rule (:func:`_quote_rule`) for one wave's ``respondents`` and ``coded`` frame
    and one ``question`` (None: the one question of ``coded``, or of the survey), for every theme at once: build it
    once and pass it to :func:`textmine.quotes.select_quotes` (``rule=``) per theme, instead of ``respondents=`` and
    ``survey=`` (which rebuild the theme table on every call). Same checks and errors as :func:`quote_rule`."""
    ids = coded["respondent_id"].astype(str).to_numpy(dtype=object) if "respondent_id" in coded else \
        np.asarray([""] * len(coded), dtype=object)
    none = np.zeros(len(coded), dtype=bool)
    if not len(coded):
        return QuoteRule(None if question is None else str(question), ids, {}, none, _no_attribution, respondents,
                         survey.id_column)
    question = _only_question(survey, coded, question)
    if survey.id_column not in respondents.columns:
        raise ValueError(f"respondents: no id column {survey.id_column!r} (the survey's id); the quote rule matches "
                         f"the coded rows' respondent_id to it")
    keys = value_keys(respondents[survey.id_column])
    blank = int((keys == "").sum())
    if blank:
        first = int(np.flatnonzero(keys == "")[0])
        raise ValueError(f"respondents: column {survey.id_column}: {blank} row(s) without a respondent id (first at "
                         f"row {first + 1} of the frame); every respondent needs an id for the quote rule")
    repeated = len(keys) - len(set(keys))
    if repeated:
        raise ValueError(f"respondents: {repeated} respondent id(s) occur more than once (several waves?); the quote "
                         f"rule is per wave: pass one wave's respondents")
    _check_all_questions_coded(respondents, survey, coded, question)
    given = respondents
    survey = survey.with_excluded(_spss_excluded({0: respondents}))
    df, _, _ = _prepared_wave(respondents, survey)
    df, _ids, w, weighted, groups = _wave_rows(df, survey, None)
    themes = [str(col)[6:] for col in coded.columns if str(col).startswith("theme_")]
    qd = _question_data(df, _ids, survey, survey.question(question), coded, themes, lambda m: None)
    mine = np.flatnonzero((coded["question"].astype(str) == question).to_numpy() if "question" in coded.columns
                          else np.ones(len(coded), dtype=bool))
    if not len(qd.coded) or "text_clean" not in qd.coded:
        return QuoteRule(question, ids, {}, none, _no_attribution, given, survey.id_column)
    tt = _theme_table(df, survey, groups, w, weighted, 0.95, 0, qd, themes)
    shown = _export_shown_by_wave({0: df}, survey, {0: coded})[0]
    c, ok, attribute = _quote_rule(df, survey, groups, qd, themes, tt, coded, shown)

    def spread(mask: np.ndarray) -> np.ndarray:  # the question's rows → the whole frame's
        out = none.copy()
        out[mine] = mask
        return out

    by_theme = {th: spread(ok(th)) for th in themes if f"theme_{th}" in c}
    return QuoteRule(question, ids, by_theme, spread(ok(None)), attribute, given, survey.id_column)


def quote_rule(respondents: pd.DataFrame, survey: SurveyDefinition, coded: pd.DataFrame, question: str | None,
               theme: str | None) -> tuple[np.ndarray, Callable[[Mapping], str]]:
    """:func:`build_summary`'s quote rule (:func:`_quote_rule`) for one wave's ``respondents`` and ``coded`` frame, as
    :func:`textmine.quotes.select_quotes` applies it by default: ``(eligible, attribute)`` with ``eligible`` one
    value per row of ``coded`` (False outside ``question``) and ``attribute(row)`` the summary's attribution of
    ``row["respondent_id"]``. ``question`` None: the one question of ``coded`` (or of the survey). ``theme`` None: a
    row must be eligible under each theme it has. For several themes, build :func:`quote_rules` once."""
    rule = quote_rules(respondents, survey, coded, question)
    return rule.eligible(theme), rule.attribute


# ---------------------------------------------------------------------------- coding quality (drift signal)
#: what meta["coding_review"] and meta["coding_review_changes"] hold, for the reader of summary.json
CODING_REVIEW_NOTE = (
    "uvektet (et mål på kodingen, ikke på respondentene): per måling og spørsmål antall og andel av kommentarene "
    "(svar med innhold) som kodemodellen sendte til manuell gjennomgang (needs_review = 1, ikke rettet av en person), "
    "og andel kodet bare med kodebokens sekkeposttema (f.eks. «annet»); endring mot målingen det sammenlignes med: "
    "to-utvalgs test som for andelene, uten justering for mange sammenligninger. En økning kan bety et nytt tema "
    "kodeboken ikke dekker"
)
#: a rise in the review share of at least this much (a share, 0.05 = 5 pp) is said, significant or not
REVIEW_RISE = 0.05
#: …when both waves have at least this many answers to the question (3 of 3 against 1 of 4 says nothing)
REVIEW_MIN_ANSWERS = 30


def catch_all_themes(codebook: Any, themes: Sequence[str]) -> list[str]:
    """The catch-all themes among ``themes``: the codebook's exclusive themes and ``annet``
    (:func:`textmine.discover.guided.catch_all_ids`); without a codebook, ``annet`` when it is one of them."""
    from .discover.guided import CATCH_ALL, catch_all_ids

    ids = catch_all_ids(codebook) if codebook is not None else frozenset({CATCH_ALL})
    return [t for t in themes if t in ids]


def _coding_review_row(wave: Any, qd: _QuestionData, themes: Sequence[str], catch: Sequence[str]) -> dict | None:
    """One wave's and question's coding-quality figures, unweighted, over its commenters (answers with content):
    how many the coder sent to review and no person corrected (None without a ``needs_review`` column: a
    human-coded file), and how many have only catch-all themes (None when no catch-all theme is coded).
    None when neither can be told."""
    c = qd.coded
    nonans = pd.to_numeric(c["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0 if "is_non_answer" in c \
        else np.zeros(len(c), dtype=bool)
    if "text_clean" in c:
        nonans |= c["text_clean"].fillna("").astype(str).str.strip().eq("").to_numpy()
    ok = (qd.pos >= 0) & ~nonans  # the rows of the commenters (as :func:`_question_data` counts them)
    n = int(qd.commenter.sum())
    review = None
    if "needs_review" in c.columns:
        unsure = pd.to_numeric(c["needs_review"], errors="coerce").fillna(0).to_numpy() == 1
        if "corrected" in c.columns:  # a human's code stands
            unsure &= pd.to_numeric(c["corrected"], errors="coerce").fillna(0).to_numpy() == 0
        sent = np.zeros(len(qd.commenter), dtype=bool)
        sent[qd.pos[ok & unsure]] = True
        review = int(sent.sum())
    coded_catch = [t for t in catch if t not in qd.uncoded]
    only = None
    if coded_catch:
        ci = [themes.index(t) for t in coded_catch]
        oi = [j for j, t in enumerate(themes) if t not in coded_catch]
        has_catch = qd.T[:, ci].any(axis=1)
        has_other = qd.T[:, oi].any(axis=1) if oi else np.zeros(len(qd.commenter), dtype=bool)
        only = int((has_catch & ~has_other & qd.commenter).sum())
    if review is None and only is None:
        return None

    def share(k: int | None) -> float | None:
        return None if k is None or not n else k / n

    return {"wave": wave, "question": qd.column, "answered": n, "needs_review": review,
            "needs_review_share": share(review), "catch_all": coded_catch or None, "catch_all_only": only,
            "catch_all_only_share": share(only)}


def _coding_review_changes(rows: Sequence[Mapping], pairs: Sequence[tuple], level: float,
                           mixed: Mapping[tuple, Mapping[str, tuple]] | None = None) -> list[dict]:
    """The change of each coding-quality share (:func:`_coding_review_row`) between the compared waves, per question:
    the two-proportion test of the change rows (:func:`textmine.stats.two_proportion_test`), unweighted, each a
    test of its own (no adjustment: a signal for the analyst, not a published finding). A change between waves whose
    question two coders coded (``mixed``, :func:`mixed_coders`) has ``coders`` (the two coders' names): it measures
    the change of coder."""
    by = {(r["wave"], r["question"]): r for r in rows}
    out = []
    for prev, cur in pairs:
        for (w, q), b in by.items():
            a = by.get((prev, q))
            if w != cur or a is None:
                continue
            for measure in ("needs_review", "catch_all_only"):
                pa, pb = a[f"{measure}_share"], b[f"{measure}_share"]
                if pa is None or pb is None:
                    continue
                r = st.two_proportion_test(pa, a["answered"], pb, b["answered"], level=level)
                num = {k: (r[k] if math.isfinite(r[k]) else None) for k in ("diff", "ci_low", "ci_high", "p_value")}
                out.append({"wave_prev": prev, "wave": cur, "question": q, "measure": measure, "share_prev": pa,
                            "share": pb, "n_prev": a["answered"], "n": b["answered"], **num, "test": r["test"],
                            "verdict": str(st.change_verdict(r["p_value"], r["p_value"], ci_low=r["ci_low"],
                                                             ci_high=r["ci_high"]))})
                coders = (mixed or {}).get((prev, cur), {}).get(q)
                if coders:
                    out[-1]["coders"] = list(coders)
    return out


def review_rises(meta: Mapping, wave: Any = None, *, coders_differ: bool = False) -> list[dict]:
    """The review-share changes (``meta["coding_review_changes"]``) into ``wave`` (default: the latest wave) that
    rose significantly or by at least :data:`REVIEW_RISE`, both waves with :data:`REVIEW_MIN_ANSWERS` answers or
    more: a hint that the answers hold a topic the codebook lacks. ``coders_differ``: instead the rises between
    waves coded by different coders (``coders``), which say nothing about the topics."""
    waves = list(meta.get("waves") or [])
    wave = waves[-1] if wave is None and waves else wave
    return [c for c in meta.get("coding_review_changes") or []
            if bool(c.get("coders")) == coders_differ
            and c["measure"] == "needs_review" and str(c["wave"]) == str(wave) and c["diff"] is not None
            and min(c["n_prev"], c["n"]) >= REVIEW_MIN_ANSWERS and c["diff"] > 0
            and (c["verdict"] == st.VERDICT_SIGNIFICANT or c["diff"] >= REVIEW_RISE - 1e-12)]


def _pct_text(share: float) -> str:
    return f"{int(st.round_half_up(100 * share))} %"


def review_drift_lines(summary: "Summary") -> list[str]:
    """The terminal's lines on the review share (one per question of the latest wave whose share rose:
    :func:`review_rises`), e.g. «ft: Flere svar til manuell gjennomgang i 2024 (25 % mot 19 %): mulig nytt tema —
    kjør `textmine discover`»; none for files without the coder's review flag. Between waves coded by different
    coders the line says so, and blames no new topic."""
    meta = summary.meta or {}
    return [f"{c['question']}: Flere svar til manuell gjennomgang i {c['wave']} ({_pct_text(c['share'])} mot "
            f"{_pct_text(c['share_prev'])}): mulig nytt tema — kjør `textmine discover`"
            for c in review_rises(meta)] + \
        [f"{c['question']}: Flere svar til manuell gjennomgang i {c['wave']} ({_pct_text(c['share'])} mot "
         f"{_pct_text(c['share_prev'])}), men {c['wave_prev']} og {c['wave']} er kodet med ulike kodere "
         f"({coder_text(c['coders'][0], True)} mot {coder_text(c['coders'][1], True)}): endringen skyldes trolig "
         f"kodingen, ikke et nytt tema" for c in review_rises(meta, coders_differ=True)]


def quote_gaps(coded: pd.DataFrame | None) -> dict | None:
    """Why the comments of one wave's coded frame (``coded``: all its questions) could not be quoted, as counts of
    comments (answers with content), each counted once, in the order :func:`textmine.quotes.select_quotes` and the
    summary's quote rule drop them: ``review`` sent to manual review and not corrected by a person (a theme is
    quoted only from comments that surely have it), ``no_theme`` no theme, ``personal`` holding health data (the
    stored health flag, or the cleaner's flagger on the redacted text, as the quote selection re-runs it), an
    identity number or one person's health (:func:`textmine.quotes.has_id_number`,
    :func:`~textmine.quotes.describes_personal_health`: never quoted), ``rest``
    the others (left out for small groups: a hidden cell, or naming a withheld group). Counts only: the report
    selects no quotes itself. None without a coded frame."""
    if coded is None or "text_clean" not in coded.columns:
        return None
    from .preprocess.cleaner import default_resources

    def flag(col: str) -> np.ndarray:
        return (pd.to_numeric(coded[col], errors="coerce").fillna(0).to_numpy() > 0 if col in coded.columns
                else np.zeros(len(coded), dtype=bool))

    text = np.asarray([("" if t is None or t != t else str(t)).strip() for t in coded["text_clean"]], dtype=object)
    comment = (text != "") & ~flag("is_non_answer")
    review = comment & flag("needs_review") & ~flag("corrected")
    themes = [c for c in coded.columns if str(c).startswith("theme_")]
    themed = (coded[themes].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0).any(axis=1) if themes \
        else np.zeros(len(coded), dtype=bool)
    no_theme = comment & ~review & ~themed
    left = comment & ~review & themed
    from .quotes import describes_personal_health, has_id_number

    health = default_resources().health
    personal = left & flag("health_flag")
    for j in np.flatnonzero(left & ~personal):  # the quote selection's own rules on the redacted text
        personal[j] = bool(health.flag(text[j])) or has_id_number(text[j]) or describes_personal_health(text[j])
    return {"comments": int(comment.sum()), "review": int(review.sum()), "no_theme": int(no_theme.sum()),
            "personal": int(personal.sum()), "rest": int((left & ~personal).sum())}


# ---------------------------------------------------------------------------- entry point
def build_summary(
    frames: Mapping[Any, pd.DataFrame],
    survey: SurveyDefinition,
    coded: Mapping[Any, pd.DataFrame] | None = None,
    *,
    themes: Sequence[str] | None = None,
    theme_labels: Mapping[str, str] | None = None,
    segments: Sequence[str] | None = None,
    compare_to: Any = None,
    level: float = 0.95,
    quotes: bool = True,
    n_quotes: int = 5,
    embedder: Any = None,
    drivers: bool = True,
    driver_method: str = "logit",
    validate: bool = True,
    codebooks: Mapping[Any, Any] | None = None,
    question_codebooks: Mapping[Any, Mapping[str, Any]] | None = None,
    coded_by: Mapping[Any, Mapping[str, str | None]] | None = None,
    allow_mixed_coding: bool = False,
) -> Summary:
    """Build the survey summary for one or more waves.

    ``frames``: wave → respondent table (columns as in ``survey``). ``coded``: wave → coded comments
    (``respondent_id``, ``question``, ``theme_<id>`` 0/1, ``text_clean``, ``is_non_answer``,
    ``health_flag``); None = indicators only. ``themes`` (the themes to report) defaults to the ``theme_<id>``
    columns found. Only the codebook's themes are taken (ids of ``codebooks``, ``question_codebooks`` and
    ``theme_labels``, where any is given, and then of ``themes``): other ``theme_<id>``/``score_<id>`` columns, and
    any whose id holds personal data, are ignored with one warning (:data:`STRAY_THEME_COLUMNS_WARNING`). A selection
    in ``themes`` alone makes no other theme's columns stray.
    ``compare_to``: compare every other wave with this one (default: each wave with the previous one). It is a
    reference wave and may come later than the others (``wave_prev`` is then the later wave, ``diff`` = wave −
    reference): the library and ``textmine summary --compare-to`` allow this on purpose (e.g. every earlier wave
    against the latest), whereas the service's summary endpoint shows the change since an earlier wave and
    refuses a later ``compare_wave_id`` (422 ``later_wave``).
    ``embedder``: for quote diversity (object, spec string, or None = default with lexical fallback).
    ``codebooks``: wave → the :class:`~textmine.codebook.Codebook` it was coded with, when they differ: a theme two
    compared waves' codebooks define differently is not compared («ikke testbar», with a warning), theme labels
    missing from ``theme_labels`` come from the codebooks (:func:`codebook_theme_labels`), and
    ``meta["codebooks"]`` names each wave's codebook and version. A theme whose codebook declares that it continues
    the other wave's theme(s) (``replaces``: a rename, or a merge) is compared with them — with the share of the
    respondents coded with any of them, each counted once — in the same test and BH family, with a warning and a
    record in ``meta["renamed_themes"]`` (its bokmål ``note`` for the report). A catch-all theme
    (:func:`catch_all_themes`) is not compared («ikke testbar») when the other themes' ids changed otherwise than by
    declared renames: ``meta["catch_all_untested"]`` (with the bokmål ``reason``) and a warning.
    ``question_codebooks``: wave → question (free-text column) → the Codebook that question was coded with, for
    questions coded with codebooks of their own (``free_text[].codebook``): a theme is then not compared for a
    question whose codebooks define it differently in the two waves, and compared for the others.
    ``coded_by``: wave → question → what coded it (:func:`textmine.pipeline.coder_label`'s names: "zero-shot", a model's folder name,
    "keyword"; None = not known, e.g. a coded file without a record). Theme shares of two compared waves coded by
    different coders are not compared: ``ValueError`` naming each wave's coder (:func:`mixed_coders`), or, with
    ``allow_mixed_coding``, their theme changes get no test («ikke testbar», out of the BH families, as a redefined
    theme) with a warning, and the coding-review changes between them give no «new topic» hint (:func:`review_rises`).
    """
    for name, arg in (("frames", frames), ("coded", coded)):
        if arg is not None and not isinstance(arg, Mapping):
            raise TypeError(f"{name}: expected a mapping wave → DataFrame (as read_waves returns), "
                            f"got {type(arg).__name__}")
    if not frames:
        raise ValueError("build_summary needs at least one wave")
    stray = [w for w in (coded or {}) if w not in frames]
    if stray:  # e.g. "2023" for 2023: those codings would be silently left out
        raise ValueError(f"coded has wave(s) {', '.join(f'{w!r} ({type(w).__name__})' for w in stray)} that are not "
                         f"among the waves of frames: {', '.join(f'{w!r} ({type(w).__name__})' for w in frames)}; "
                         f"key both by the same wave values")
    if segments is not None:
        if isinstance(segments, str):
            segments = [segments]
        unknown = [c for c in segments if c not in {sg.column for sg in survey.segments}]
        if unknown:
            raise ValueError(f"segments: {', '.join(map(repr, unknown))} not among the survey's segment columns "
                             f"({', '.join(sg.column for sg in survey.segments) or 'none'})")
    stray_note = None
    coded_in = coded
    if coded:  # only the codebook's theme_<id> columns: a stray one is no theme of the summary (nor shown)
        coded, stray_note = _codebook_theme_columns(
            coded, _known_theme_ids(codebooks, question_codebooks, theme_labels, themes))
    if themes is not None and coded:
        if isinstance(themes, str):
            themes = [themes]
        found = {c[6:] for cf in coded.values() for c in cf.columns if str(c).startswith("theme_")}
        missing = [t for t in themes if t not in found]
        if found and missing:
            raise ValueError(f"themes: no column theme_<id> for {', '.join(map(repr, missing))} in the coded frames "
                             f"(themes there: {', '.join(sorted(found))})")
    from .pipeline import check_wave_labels

    check_wave_labels(frames, survey)  # (read_waves checks too; frames read otherwise are checked here)
    mixed = mixed_coders(coded_by, _pairs(frames, compare_to))
    if mixed and not allow_mixed_coding:  # a change of coder would read as a change of the respondents
        raise ValueError(mixed_coders_error(mixed))
    survey = survey.with_excluded(_spss_excluded(frames))
    with _blas_threads(1):  # many small matrix products: BLAS threads only add synchronisation cost
        summary = _build_summary(frames, survey, coded, themes=themes, theme_labels=theme_labels, segments=segments,
                                 compare_to=compare_to, level=level, quotes=quotes, n_quotes=n_quotes,
                                 embedder=embedder, drivers=drivers, driver_method=driver_method, validate=validate,
                                 codebooks=dict(codebooks or {}), question_codebooks=question_codebooks,
                                 mixed=mixed, coded_by=coded_by)
    if stray_note is not None and stray_note not in summary.warnings:
        summary.warnings.append(stray_note)
        summary.meta["stray_theme_waves"] = [w for w, cf in (coded_in or {}).items() if cf is not None
                                             and len(cf.columns) != len(coded[w].columns)]
    return summary


def _spss_excluded(frames: Mapping[Any, pd.DataFrame]) -> dict[str, dict]:
    """The labelled SPSS user-missing codes of the waves' indicators (``df.attrs['spss_excluded']``, as
    :func:`textmine.io.read_table` sets it for a .sav), joined over the waves: excluded codes in every wave. A
    label holding personal data becomes «kode 9 (etikett skjult)» (:func:`textmine.io.spss_shown_label`): the
    definition's labels reach the report's method text and every export."""
    from .io import spss_shown_label

    out: dict[str, dict] = {}
    for df in frames.values():
        for col, codes in (getattr(df, "attrs", {}).get("spss_excluded") or {}).items():
            for c, lab in codes.items():
                out.setdefault(col, {}).setdefault(c, spss_shown_label(c, lab))
    return out


#: what build_summary says of coded ``theme_<id>``/``score_<id>`` columns of themes not in the codebook (ignored)
STRAY_THEME_COLUMNS_WARNING = ("the coded frame(s) hold {n} theme_<id>/score_<id> column(s) of themes not in the "
                               "codebook ({names}); they are ignored: only the codebook's themes are reported")


def _known_theme_ids(codebooks, question_codebooks, theme_labels, themes) -> set[str]:
    """The theme ids of the codebooks (``codebooks``, ``question_codebooks``) and of ``theme_labels`` (which the CLI
    and the service take from the codebook); empty when none is given. ``themes`` is a selection of themes to report,
    no codebook: it never makes the others unknown (alone it gives no ids); with a codebook, a selected id it lacks
    is known too (reported as asked)."""
    ids = set(map(str, theme_labels or ()))
    cbs = list((codebooks or {}).values())
    cbs += [cb for per_q in (question_codebooks or {}).values() for cb in (per_q or {}).values()]
    for cb in cbs:
        ids.update(str(t.id) for t in getattr(cb, "themes", None) or ())
    if ids:
        ids |= {themes} if isinstance(themes, str) else set(map(str, themes or ()))
    return ids


def _codebook_theme_columns(coded: Mapping[Any, pd.DataFrame], known: set[str]) -> tuple[dict, str | None]:
    """``coded`` with only the ``theme_<id>``/``score_<id>`` columns of ``known`` themes (all ids when ``known`` is
    empty), never those of an id holding personal data (:func:`textmine.codebook._holds_personal_data`): a stray
    column (a hand-edited file, another codebook's theme) is no theme of the summary. With one warning giving their
    count and names (a name holding personal data as «navn skjult»); None when none was left out."""
    from .codebook import _holds_personal_data

    pii: dict[str, bool] = {}

    def holds(text: str) -> bool:
        if text not in pii:
            pii[text] = _holds_personal_data(text)
        return pii[text]

    def stray(col: Any) -> bool:
        name = str(col)
        if not name.startswith(("theme_", "score_")):
            return False
        return bool(known) and name[6:] not in known or holds(name[6:])

    out: dict = {}
    dropped: list[str] = []
    for wave, cf in coded.items():
        cols = [c for c in cf.columns if stray(c)] if cf is not None else []
        out[wave] = cf.drop(columns=cols) if cols else cf
        dropped += [str(c) for c in cols if str(c) not in dropped]
    if not dropped:
        return out, None
    names = ", ".join("navn skjult" if holds(c) or holds(c[6:]) else c for c in dropped)
    return out, STRAY_THEME_COLUMNS_WARNING.format(n=len(dropped), names=names)


def stray_columns_hint(summary: "Summary", unrecorded: Sequence[Any]) -> None:
    """Add to the stray-columns warning (:data:`STRAY_THEME_COLUMNS_WARNING`) that its waves whose coded files
    record no codebook (``unrecorded``) may have been coded with another codebook (version), and how to say which."""
    waves = [w for w in summary.meta.get("stray_theme_waves") or [] if w in set(unrecorded)]
    if not waves:
        return
    which = ", ".join(map(str, waves))
    hint = (f"; wave(s) {which} may have been coded with another codebook (version) — their coded files record none: "
            f"give it with --codebook {waves[0]}=FILE")
    for i, w in enumerate(summary.warnings):
        if str(w).startswith(STRAY_THEME_COLUMNS_WARNING.split("{")[0]) and hint not in str(w):
            summary.warnings[i] = f"{w}{hint}"


def _blas_threads(n: int):
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=n, user_api="blas")
    except Exception:  # noqa: BLE001 - threadpoolctl missing: run as is
        import contextlib

        return contextlib.nullcontext()


def _canonical_rows(df: pd.DataFrame, survey: SurveyDefinition) -> pd.DataFrame:
    """``df``'s rows sorted by respondent id (rows with the same id by their content): the order the rows enter
    the statistics, so that shuffled input gives bit-identical sums (floating-point addition depends on order)."""
    order = _canonical_order(df, survey)
    return df if order is None else df.take(order).reset_index(drop=True)


def _canonical_order(df: pd.DataFrame, survey: SurveyDefinition) -> np.ndarray | None:
    """The positions of ``df``'s rows in :func:`_canonical_rows`' order; None where they are in it already."""
    key = pd.DataFrame({"id": value_keys(df[survey.id_column])})
    if key["id"].is_monotonic_increasing and key["id"].is_unique:  # already in order (the usual export): as is
        return None
    by = ["id"]
    if key["id"].duplicated().any():
        key["row"] = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy()
        by.append("row")
    return key.sort_values(by, kind="mergesort").index.to_numpy()


def _prepared_wave(frame: pd.DataFrame, survey: SurveyDefinition) -> tuple[pd.DataFrame, dict, list[str]]:
    """One wave's respondent table as every summary table (and :func:`quote_rule`) reads it: free-valued segments'
    personal data masked and undeclared levels cleared (never published as a level); with what was masked and
    cleared, for the warnings."""
    df, masked = survey.mask_free_segments(frame.reset_index(drop=True))
    df, cleared = survey.clear_undeclared_levels(df)
    return df, masked, cleared


def _wave_rows(df: pd.DataFrame, survey: SurveyDefinition, segments: Sequence[str] | None):
    """A prepared wave (:func:`_prepared_wave`) in canonical row order, with its ids, weights, whether it is
    weighted and its segment groupings: ``(df, ids, w, weighted, groups)``."""
    df = _canonical_rows(df, survey)
    w, weighted = _weights(df, survey)
    return df, value_keys(df[survey.id_column]), w, weighted, _groupings(df, survey, segments)


def _build_summary(frames, survey, coded, *, themes, theme_labels, segments, compare_to, level, quotes, n_quotes,
                   embedder, drivers, driver_method, validate, codebooks=None, question_codebooks=None,
                   mixed=None, coded_by=None) -> Summary:
    if driver_method not in ("logit", "linear"):
        raise ValueError("driver_method must be 'logit' or 'linear'")
    waves = list(frames)
    try:
        waves = sorted(waves)
    except TypeError:
        pass
    coded = dict(coded or {})
    warnings: list[str] = []

    def warn(msg: str) -> None:
        if msg not in warnings:
            warnings.append(msg)

    if themes is None:
        found: list[str] = []
        for cf in coded.values():
            for c in cf.columns:
                if c.startswith("theme_") and c[6:] not in found:
                    found.append(c[6:])
        themes = found
    themes = list(themes)
    weighted = False
    info: dict[str, Any] = {}
    not_coded: list[dict[str, Any]] = []
    bh_families: list[dict[str, Any]] = []
    acc: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES}
    cb_changes = _codebook_changes(codebooks or {}, _pairs(frames, compare_to), question_codebooks)
    replaced_acc: list[pd.DataFrame] = []  # the rows renamed themes are compared with (_replaced_table)
    renames_coded: dict[tuple, list[str]] = {}  # (wave, question, new id, old ids) → old ids not coded there
    prepared = {}  # wave → (frame with free segments masked and undeclared levels cleared, masked, cleared)
    for wave in waves:
        prepared[wave] = _prepared_wave(frames[wave], survey)
    shown_by_wave = _export_shown_by_wave({w: p[0] for w, p in prepared.items()}, survey, coded) if quotes else {}
    for wave in waves:
        df, masked, cleared = prepared[wave]
        for col, n in masked.items():
            warn(f"{wave}: column {col}: personal data masked in {n} cell(s) of a segment without declared levels")
        for m in list(df.attrs.get(READ_NOTES_ATTR, ())) + list(df.attrs.get(CLEARED_LEVELS_ATTR, ())) + cleared:
            warn(f"{wave}: {m}")  # the file's read notes (SPSS missing codes, value labels) first
        if validate:
            for m in survey.validate_frame(df, strict=False):
                warn(f"{wave}: {m}")
        w, weighted = _weights(df, survey)
        if weighted and (w <= 0).any():  # the file's row number: before the rows are put in canonical order
            first = int(np.flatnonzero(w <= 0)[0]) + int(df.attrs.get("first_data_row", 2))
            warn(f"{wave}: weight column {survey.weight_column}: {int((w <= 0).sum())} row(s) with weight 0 or no "
                 f"weight (first at row {first}); they count in n but not in the weighted shares, and not toward "
                 f"min_cell ({survey.min_cell})")
        file_df = df  # (file order: the warnings' row numbers)
        df, ids, w, weighted, groups = _wave_rows(df, survey, segments)
        arr = _indicator_arrays(df, survey)
        acc["indicators"].append(_indicator_table(df, survey, groups, w, weighted, level, wave, arr))
        acc["multiselect"].append(_multiselect_table(df, survey, groups, w, weighted, level, wave))
        cf = coded.get(wave)
        if cf is None:
            continue
        missing = [c for c in ("respondent_id",) if c not in cf.columns]
        if missing:
            raise ValueError(f"coded frame for wave {wave!r} lacks column(s) {missing}")
        for q in survey.free_text:
            uncoded, n_answers = _answers_not_coded(df, q, cf)
            if uncoded:  # answers but no coding at all: not "0 commenters" / "for få svar" — left out, said so
                not_coded.append({"wave": wave, "question": q.column, "label": q.label, "answers": n_answers})
                what = (f"none of its {n_answers} non-empty answer(s) has a coded row" if n_answers is not None
                        else "no coded row (and no column in the survey data)")
                warn(f"{wave}: {q.column}: not coded — {what}; the question is left out of the theme tables, "
                     f"changes, drivers and quotes of this wave («{NOT_CODED}»), not shown as 0 %")
                continue
            try:
                qd = _question_data(df, ids, survey, q, cf, themes, lambda m, wave=wave: warn(f"{wave}: {m}"),
                                    rows=lambda p, f=file_df: _file_rows(f, survey, p))
            except ValueError as e:
                raise ValueError(f"wave {wave}: {e}") from None
            specs = _replaced_specs(cb_changes, wave, q.column)
            for th in qd.uncoded:
                info.setdefault("themes_not_coded", []).append({"wave": wave, "question": q.column, "theme": th})
                if th in _renamed_ids(cb_changes, wave, q.column):  # compared as renamed: that warning says so
                    continue
                warn(f"{wave}: {q.column}: theme {th} not coded (no column theme_{th} in the coded file, or no value "
                     f"in it); its shares are left empty («{NOT_CODED}»), not 0 %, and its change is not tested "
                     f"(«{st.VERDICT_UNTESTABLE}»)")
            review = _coding_review_row(wave, qd, themes, catch_all_themes((codebooks or {}).get(wave), themes))
            if review is not None:
                info.setdefault("coding_review", []).append(review)
            info.setdefault("question_counts", []).append(
                {
                    "wave": wave,
                    "question": q.column,
                    "asked": int(qd.asked.sum()),
                    "answered": int(qd.commenter.sum()) + qd.n_nonanswer,
                    "commenters": int(qd.commenter.sum()),
                    "non_answers": qd.n_nonanswer,
                    "unrouted": qd.n_unrouted,
                    "respondents": int(len(df)),
                }
            )
            tt = _theme_table(df, survey, groups, w, weighted, level, wave, qd, themes)
            acc["themes"].append(tt)
            for spec in _spec_groups(specs):
                replaced_acc.append(_replaced_table(df, survey, groups, w, weighted, level, wave, qd, spec))
            for new, olds in specs:  # (a rename whose old ids this wave did not code: not compared, said so)
                renames_coded[wave, q.column, new, olds] = _uncoded_olds(qd, olds)
            acc["theme_indicators"].append(_theme_indicator_table(df, survey, w, weighted, level, wave, qd, themes, arr,
                                                                  bh_families))
            if drivers:
                dt = _driver_table(df, survey, w, weighted, wave, qd, themes, driver_method, lambda m: warn(m))
                if len(dt):
                    bh_families.append({"table": "drivers", "wave": wave, "family": q.column, "tests": len(dt)})
                acc["drivers"].append(dt)
            if quotes:
                acc["quotes"].append(_quotes(df, ids, survey, groups, wave, qd, themes, tt, n_quotes, embedder, info,
                                             wave_coded=cf, wave_shown=shown_by_wave.get(wave)))
    tables = {k: pd.concat([x for x in v if len(x)], ignore_index=True) if any(len(x) for x in v) else pd.DataFrame() for k, v in acc.items() if k != "changes"}
    if compare_to is not None:
        if compare_to not in waves:
            raise ValueError(f"compare_to={compare_to!r} is not one of the waves {waves}")
        pairs = [(compare_to, wv) for wv in waves if wv != compare_to]
    else:
        pairs = list(zip(waves[:-1], waves[1:]))
    codebooks = codebooks or {}
    _untested_renames(cb_changes, renames_coded)
    incomparable, cb_warnings, redefined = cb_changes.incomparable, cb_changes.warnings, cb_changes.redefined
    for (prev, cur), by_q in (mixed or {}).items():  # coded by different coders: no theme of the question compared
        for q in by_q:
            incomparable[prev, cur, q] = set(themes)
    replaced = pd.concat(replaced_acc, ignore_index=True) if replaced_acc else None
    tables["changes"] = _changes(tables, pairs, weighted, level, bh_families, incomparable, cb_changes.renames,
                                 replaced)
    if info.get("coding_review"):
        info["coding_review_changes"] = _coding_review_changes(info["coding_review"], pairs, level, mixed)
        info["coding_review_note"] = CODING_REVIEW_NOTE
    for m in _theme_set_warnings(coded, pairs, cb_changes) + cb_warnings + mixed_coders_warnings(mixed or {}):
        warn(m)
    if coded_by:
        info["coded_by"] = {w: {str(q): c for q, c in (by_q or {}).items()} for w, by_q in coded_by.items()}
    for m in _panel_warnings(frames, survey, pairs):
        warn(m)
    for m in _unmatched_levels(tables.get("indicators"), pairs, survey):
        warn(m)
    for m in _hidden_for_missing(tables.get("indicators"), survey):
        warn(m)
    tables = {k: tables[k] for k in TABLES if k in tables}
    meta = {
        "survey": survey.name,
        "waves": waves,
        "weighted": weighted,
        "weight_column": survey.weight_column,
        "level": level,
        "ci_method": (
            "uvektet: Wilson-intervall på n; vektet: Wilson-intervall på Kish effektiv n"
        ),
        "ci_method_unweighted": st.CI_METHOD_UNWEIGHTED,
        "ci_method_weighted": st.CI_METHOD_WEIGHTED if weighted else None,
        "test": TEST_METHOD,
        "theme_shares": MULTI_LABEL_NOTE,
        "bh_families": bh_families,
        "bh_note": _bh_note(bh_families),
        "mean_ci": "uvektet: t-fordeling med n − 1 frihetsgrader; vektet: normalfordeling på Kish effektiv n",
        "verdict_rule": VERDICT_RULE,
        "difference_rule": DIFFERENCE_RULE,
        "min_cell": survey.min_cell,
        "suppression": survey.suppression,
        "denominators": {"kommentatorer": "har skrevet en kommentar (ikke ikke-svar)", "spurt": "fikk spørsmålet (ruting)", "alle": "alle respondenter"},
        "themes": themes,
        "theme_labels": {**codebook_theme_labels(codebooks, waves), **(theme_labels or {})},
        **({"codebooks": {w: {"name": cb.name, "version": cb.version} for w, cb in codebooks.items()}}
           if codebooks else {}),
        "redefined_themes": redefined,  # (the warnings' redefined themes as data: textmine.report.views reads it)
        "renamed_themes": cb_changes.renamed_records,  # declared renames/merges (replaces), compared: with a note
        "catch_all_untested": cb_changes.catch_all,  # catch-all themes not compared: the other themes changed
        "outcome": survey.outcome.id if survey.outcome else None,
        "outcome_label": survey.outcome.label if survey.outcome else None,
        "not_coded": not_coded,
        **_driver_methods(tables.get("drivers"), driver_method),
        "questions": [{"column": q.column, "label": q.label, "asked_if": ({"item": q.asked_item, "codes": list(q.asked_codes)} if q.asked_item else None)} for q in survey.free_text],
        "comparisons": [list(p) for p in pairs],
        **info,
    }
    return Summary(survey=survey.name, waves=waves, tables=tables, meta=meta, warnings=warnings, definition=survey)
