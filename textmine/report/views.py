"""The report's tables as views of a :class:`textmine.summary.Summary` (no statistics of its own).

Every number the report shows is a cell of the summary: shares, CIs, counts, bases, effective n,
verdicts, theme × indicator differences, drivers and quotes. This module only selects, renames and
labels (weighted columns when the survey is weighted, display labels for segment values).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..disclosure import SMALL_GROUP, free_segments, neutral_level_names  # noqa: F401 (SMALL_GROUP re-exported)
from ..summary import quote_gaps  # noqa: F401 (counted where quotes are chosen; re-exported)
from ..texttables import distinct_labels
from .model import ReportData
from .wording import nn_text, say, small_group_label

TOTAL_SEGMENT, TOTAL_VALUE, ALL = "Totalt", "Alle", "Alle"


def _is_weighted(summary) -> bool:
    return bool((summary.meta or {}).get("weighted"))


def _pick(t: pd.DataFrame, weighted: bool, col: str) -> pd.Series:
    """The weighted variant of ``col`` when the survey is weighted (the summary's ``<col>_w``)."""
    return t[f"{col}_w"] if weighted and f"{col}_w" in t.columns else t[col]


def _segment_columns(t: pd.DataFrame, survey) -> pd.DataFrame:
    """``segment``/``value`` (summary) → ``segment_var``/``segment`` (report; display labels, "Alle" overall)."""
    total = t["segment"] == TOTAL_SEGMENT
    display = {s.column: dict(s.display) for s in survey.segments}
    seg_var = t["segment"].where(~total, ALL)
    seg = [ALL if tot else display.get(var, {}).get(str(val), str(val))
           for tot, var, val in zip(total, t["segment"], t["value"])]
    return t.assign(segment_var=seg_var.to_numpy(), segment=seg)


def hide_suppressed(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Blank (NaN) the numbers of suppressed rows: a published table never shows a count or a share of a cell
    whose base is under min_cell, whatever the summary's ``suppression`` mode (``flag`` keeps them in the
    summary for internal use). The ``suppressed`` column stays as the flag."""
    if df.empty or "suppressed" not in df.columns:
        return df
    sup = df["suppressed"].fillna(False).astype(bool).to_numpy()
    if not sup.any():
        return df
    df = df.copy()
    for c in columns:
        if c in df.columns:
            df[c] = df[c].astype(float) if df[c].dtype.kind in "biuf" else df[c].astype(object)
            df.loc[sup, c] = np.nan
    return df


#: the numbers of one cell that are blanked when it is suppressed (per report table)
# hidden cells show no number that could be subtracted from a total: not even their base
# every number of a hidden row, and what follows from them: the CI method says whether the share is 0 or 100 %
HIDDEN_INDICATOR = ("share", "ci_low", "ci_high", "n", "mean", "share_unweighted", "base", "n_eff", "ci_method")
HIDDEN_THEME = ("count", "share", "ci_low", "ci_high", "share_asked", "share_all", "base", "asked", "respondents",
                "n_eff", "ci_method")
HIDDEN_CHANGE = ("prev_share", "share", "diff", "ci_low", "ci_high", "p_value", "p_adjusted", "n_prev", "n",
                 "n_eff_prev", "n_eff")


def _complement_record(t: pd.DataFrame) -> dict[str, pd.Series]:
    """The summary's record of the rows hidden for their complement (:data:`textmine.summary.COMPLEMENT_HIDDEN`,
    on :func:`textmine.summary.hide_small_counts`' copy), for a view to carry: {} when ``t`` has none."""
    from ..summary import COMPLEMENT_HIDDEN

    if COMPLEMENT_HIDDEN not in t.columns:
        return {}
    return {COMPLEMENT_HIDDEN: t[COMPLEMENT_HIDDEN].fillna(False).astype(bool)}


def without_complement_record(view: pd.DataFrame) -> pd.DataFrame:
    """``view`` without the record of which rows its complement hid (never shown to readers)."""
    from ..summary import COMPLEMENT_HIDDEN

    return view.drop(columns=COMPLEMENT_HIDDEN) if COMPLEMENT_HIDDEN in view.columns else view


def indicator_view(summary, survey) -> pd.DataFrame:
    """Share positive per indicator × segment: summary ``indicators`` (n = positives, base = on-scale answers)."""
    t = summary.table("indicators")
    if t.empty:
        return pd.DataFrame()
    w = _is_weighted(summary)
    t = _segment_columns(t, survey)
    return hide_suppressed(pd.DataFrame({
        "wave": t["wave"].astype(str), "indicator": t["column"], "label": t["label"],
        "segment_var": t["segment_var"], "segment": t["segment"],
        "share": _pick(t, w, "share"), "ci_low": _pick(t, w, "ci_low"), "ci_high": _pick(t, w, "ci_high"),
        "n": t["count"], "base": t["n"], "mean": _pick(t, w, "mean").where(~_short_scale(t, survey)), "suppressed": t["suppressed"].astype(bool),
        "indicator_id": t["indicator"], "n_eff": t["n_eff"] if w and "n_eff" in t else t["n"],
        "ci_method": _pick(t, w, "ci_method"), "share_unweighted": t["share"], **_complement_record(t),
    }), HIDDEN_INDICATOR)


def _short_scale(t: pd.DataFrame, survey) -> np.ndarray:
    """Rows of ``t`` (summary ``indicators``) whose indicator has under :data:`SHORT_SCALE` codes (Ja/Nei): their
    mean is no measure and is left blank."""
    short = {i.id for i in survey.indicators if len(i.scale) < SHORT_SCALE}
    return t["indicator"].isin(short).to_numpy()


def theme_view(summary, survey, labels: Mapping[str, str]) -> pd.DataFrame:
    """Theme shares per question × segment, the three summary denominators side by side.

    ``share``/``count``/``base`` = among commenters; ``share_asked``/``asked`` = among those asked (routing);
    ``share_all``/``respondents`` = among all respondents. Suppression follows the commenter base: a suppressed
    cell shows no count and none of its three shares (the count is the numerator of all of them).
    """
    t = summary.table("themes")
    if t.empty:
        return pd.DataFrame()
    w = _is_weighted(summary)
    keys = ["wave", "question", "theme", "segment", "value"]
    parts = {}
    for d in ("kommentatorer", "spurt", "alle"):
        s = t[t["denominator"] == d]
        parts[d] = pd.DataFrame({**{k: s[k] for k in keys}, "share": _pick(s, w, "share"),
                                 "ci_low": _pick(s, w, "ci_low"), "ci_high": _pick(s, w, "ci_high"),
                                 "count": s["count"], "base": s["n"], "suppressed": s["suppressed"],
                                 "n_eff": s["n_eff"] if w and "n_eff" in s else s["n"],
                                 "ci_method": _pick(s, w, "ci_method"), **_complement_record(s)})
    com = parts["kommentatorer"]
    asked = parts["spurt"][keys + ["base", "share"]].rename(columns={"base": "asked", "share": "share_asked"})
    every = parts["alle"][keys + ["base", "share"]].rename(columns={"base": "respondents", "share": "share_all"})
    m = com.merge(asked, on=keys, how="left").merge(every, on=keys, how="left")
    m = _segment_columns(m, survey)
    m["wave"] = m["wave"].astype(str)
    m["label"] = m["theme"].map(lambda x: labels.get(x, x))
    m["suppressed"] = m["suppressed"].astype(bool)
    return hide_suppressed(m, HIDDEN_THEME)


def change_view(summary, survey, labels: Mapping[str, str], current_wave: str,
                pair: Sequence[str] | None = None) -> pd.DataFrame:
    """Overall wave changes into ``current_wave``: indicators and themes among commenters (BH-adjusted verdicts).
    ``pair`` (previous wave, current wave): that comparison only (the report's :func:`reported_comparison`).

    ``p_value`` is the unadjusted p and ``p_adjusted`` the Benjamini–Hochberg one, as in the summary outputs."""
    c = summary.table("changes")
    if c.empty:
        return pd.DataFrame()
    c = c[(c["segment"] == TOTAL_SEGMENT) & (c["wave"].astype(str) == str(current_wave))]
    if pair is not None:
        c = c[c["wave_prev"].astype(str) == str(pair[0])]
    return _change_rows(c, survey, labels)


def change_table_view(summary, survey, labels: Mapping[str, str]) -> pd.DataFrame:
    """Every change the summary publishes (each pair of ``meta.comparisons``), overall and by segment, with
    ``segment_var``/``segment`` as the other tables name them («Alle» overall): the sheet «Endring»."""
    c = summary.table("changes")
    if c.empty:
        return pd.DataFrame()
    c = _segment_columns(c, survey)
    rows = _change_rows(c, survey, labels, segments=True)
    order = {tuple(map(str, p)): i for i, p in enumerate((summary.meta or {}).get("comparisons") or [])}
    rank = [order.get((p, w), len(order)) for p, w in zip(rows["prev_wave"], rows["wave"])]
    return rows.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def _change_rows(c: pd.DataFrame, survey, labels: Mapping[str, str], *, segments: bool = False) -> pd.DataFrame:
    """The report's change rows (indicators, and themes among commenters) of the summary's change rows ``c``;
    ``segments``: with the segment columns (``c`` through :func:`_segment_columns`)."""
    ind = {i.id: (i.column, i.label) for i in survey.indicators}
    is_ind = c["kind"] == "indicator"
    is_theme = (c["kind"] == "theme") & (c["denominator"] == "kommentatorer")
    c = c[is_ind | is_theme]
    is_ind = c["kind"] == "indicator"
    seg = {"segment_var": c["segment_var"].to_numpy(), "segment": c["segment"].to_numpy()} if segments else {}
    return pd.DataFrame({
        "kind": np.where(is_ind, "indikator", "tema"),
        "key": [ind.get(k, (k, k))[0] if i else k for i, k in zip(is_ind, c["item"])],
        "label": [ind.get(k, (k, k))[1] if i else labels.get(k, k) for i, k in zip(is_ind, c["item"])],
        "question": c["question"].where(~is_ind, "").fillna(""), **seg,
        "prev_wave": c["wave_prev"].astype(str), "wave": c["wave"].astype(str),
        "prev_share": c["share_prev"], "share": c["share"], "diff": c["diff"],
        "p_value": c["p_value"], "p_adjusted": c["p_adjusted"], "verdict": c["verdict"], "n_prev": c["n_prev"],
        "n": c["n"], "ci_low": c["ci_low"], "ci_high": c["ci_high"],
        # the n the test runs on (Kish effective n when weighted; the summary's before Dec 06 had none: n)
        "n_eff_prev": c["n_eff_prev"] if "n_eff_prev" in c else c["n_prev"], "n_eff": c["n_eff"] if "n_eff" in c else c["n"],
        "verdict_unadjusted": c["verdict_unadjusted"], "weighted": c["weighted"],
        "suppressed": c["suppressed"].astype(bool),
    }).pipe(hide_suppressed, HIDDEN_CHANGE).pipe(_in_codebook_order, labels).reset_index(drop=True)


def _in_codebook_order(rows: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The change rows with the theme rows of each question and pair of waves in the order of ``labels`` (the
    report's codebook first: a renamed or merged theme, which the summary compares last, takes its place there), a
    theme's segment rows together as the summary gives them; themes ``labels`` lacks after those, indicator rows
    first, both in the summary's order."""
    if rows.empty:
        return rows
    rank = {str(t): i for i, t in enumerate(labels)}
    keys = [c for c in ("question", "prev_wave", "wave") if c in rows.columns]
    block = rows[keys].astype(str).agg("\x1f".join, axis=1)
    first = {b: i for i, b in enumerate(dict.fromkeys(block))}
    is_theme = (rows["kind"] == "tema").to_numpy()
    pos = np.arange(len(rows))
    order = pd.DataFrame({"theme": is_theme.astype(int), "block": np.where(is_theme, block.map(first), pos),
                          "rank": [rank.get(str(k), len(rank)) if t else 0 for k, t in zip(rows["key"], is_theme)],
                          "pos": pos})
    return rows.iloc[order.sort_values(["theme", "block", "rank", "pos"], kind="stable").index]


def reported_comparison(summary) -> tuple[str, str] | None:
    """The comparison the report shows (previous wave, current wave): the summary's pair into the latest wave
    (``meta.comparisons``; with ``compare_to`` the reference wave's), else the two latest waves; None for one
    wave."""
    waves = [str(w) for w in summary.waves]
    if len(waves) < 2:
        return None
    into = [(str(p), str(w)) for p, w in (summary.meta or {}).get("comparisons") or [] if str(w) == waves[-1]]
    return into[-1] if into else (waves[-2], waves[-1])


def small_level_names(survey, *tables: pd.DataFrame, key: bytes | str | None = None) -> dict[tuple[str, str], str]:
    """``{(segment column, level): neutral label}`` for the levels of segments without declared levels (free-valued,
    e.g. «kontor») that are hidden (``suppressed``) in any row of ``tables``: such a level's value may itself be
    personal or identifying (a licence plate, a user name), and a hidden cell shows no number, so it need not show its
    name either. «liten gruppe», numbered («liten gruppe 1», «liten gruppe 2» …) when a segment has several, in
    :func:`neutral_order` (keyed by ``key``; not the names' or the tables' order, which a reader with the list of
    levels could map back to the names) through :func:`textmine.disclosure.neutral_level_names`, as the service's.
    Declared levels keep their labels (they are the survey's own categories), and «(uoppgitt)» (no value: nothing to
    hold back) keeps its own; it is still hidden when small. A row hidden only for its small complement (marked
    :data:`textmine.summary.COMPLEMENT_HIDDEN`) names nothing: its level is a large group."""
    from ..summary import COMPLEMENT_HIDDEN, MISSING_LEVEL

    free = set(free_segments(survey))
    hidden: list[tuple[str, str]] = []
    for t in tables:
        if t is None or t.empty or not {"segment_var", "segment", "suppressed"} <= set(t.columns):
            continue
        hidden_rows = t["suppressed"].fillna(False).astype(bool).to_numpy() & t["segment_var"].isin(free).to_numpy()
        if COMPLEMENT_HIDDEN in t.columns:
            hidden_rows &= ~t[COMPLEMENT_HIDDEN].fillna(False).astype(bool).to_numpy()
        rows = t[hidden_rows]
        hidden += [(str(var), str(level)) for var, level in zip(rows["segment_var"], rows["segment"])
                   if str(level) != MISSING_LEVEL]
    return neutral_level_names(neutral_order(hidden, key))


def neutral_order(levels: Iterable[tuple[str, str]], key: bytes | str | None = None) -> list[tuple[str, str]]:
    """The distinct ``(segment column, level)`` pairs of ``levels`` in the order their neutral labels are numbered:
    segments in order of first appearance, and within a segment by a keyed hash of the level (HMAC-SHA256 with
    ``key``, by default the installation's private :func:`textmine.paths.disclosure_key`), so that the numbers
    follow neither the names' alphabetical order nor the order of the tables, and a reader with the list of levels
    cannot recompute them (same levels and key: same order, whatever order they come in). The answer counts are no
    key: a hidden level's are blanked, and a size order could be matched with a register of the levels' sizes."""
    distinct = list(dict.fromkeys(levels))
    first = {column: i for i, column in enumerate(dict.fromkeys(c for c, _ in distinct))}
    if key is None:
        from ..paths import disclosure_key

        key = disclosure_key()
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)

    def rank(pair: tuple[str, str]) -> tuple[int, str]:
        column, level = pair
        mac = hmac.new(key, f"{column}\x1f{level}".encode("utf-8"), hashlib.sha256).hexdigest()
        return first[column], mac

    return sorted(distinct, key=rank)


def neutral_small_levels(t: pd.DataFrame, names: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """``t`` with every row of the levels in ``names`` (:func:`small_level_names`) under their neutral label, in the
    ``segment`` column and (theme tables) the segment code ``value``: hidden or not, as a level hidden in one table
    (question, wave) but named in another would be found by elimination. Its shown rows keep their numbers."""
    if not names or t is None or t.empty or not {"segment_var", "segment"} <= set(t.columns):
        return t
    neutral = [names.get(k) for k in zip(t["segment_var"].astype(str), t["segment"].astype(str))]
    hit = np.array([n is not None for n in neutral], dtype=bool)
    if not hit.any():
        return t
    t = t.copy()
    neutral = pd.Series([_capital(n) if n else n for n in neutral], index=t.index, dtype=object)
    for c in ("segment", "value"):
        if c in t.columns:
            t[c] = t[c].astype(object).where(~hit, neutral)
    return small_levels_last(t, hit)


def neutral_attributions(quotes: pd.DataFrame | None, names: Mapping[tuple[str, str], str]) -> pd.DataFrame | None:
    """``quotes`` with each level in ``names`` (:func:`small_level_names`) that stands as a whole part of an
    attribution ("Privat virksomhet, Kontor Z") under its neutral label, as in the tables: a quote from a question
    where the level is not small must not give the name back."""
    if not names or quotes is None or quotes.empty or "attribution" not in quotes.columns:
        return quotes
    label: dict[str, str] = {}
    for (_, level), name in names.items():
        label.setdefault(level, _capital(name))
    alts = "|".join(re.escape(lv) for lv in sorted(label, key=len, reverse=True))
    rx = re.compile(rf"(^|, )({alts})(?=, |$)")
    fix = (lambda a: rx.sub(lambda m: m.group(1) + label[m.group(2)], a) if isinstance(a, str) else a)
    return quotes.assign(attribution=quotes["attribution"].map(fix))


def small_levels_last(t: pd.DataFrame, small) -> pd.DataFrame:
    """``t`` with its ``small`` rows (neutral «Liten gruppe» labels) moved after the last row of their table group
    (wave × question/indicator × theme × segment), in the order of their numbers («Liten gruppe 1», «… 2» …), so a
    small group never sits in the (alphabetical) slot of its real name, nor do the small groups among themselves
    keep the order of their names; the order is otherwise kept."""
    small = np.asarray(small, dtype=bool)
    keys = [c for c in ("wave", "question", "indicator", "theme", "segment_var") if c in t.columns]
    pos = np.arange(len(t))
    if keys:  # (the group of a row by its keys' text, as "nan" for a missing key: one group per distinct text)
        group = t[keys].astype(str).groupby(keys, sort=False).ngroup().to_numpy()
    else:
        group = np.zeros(len(t), dtype=np.int64)
    last = pd.Series(pos).groupby(group).transform("max").to_numpy()
    anchor = np.where(small, last, pos)
    labels = t["segment"] if "segment" in t.columns else pd.Series([""] * len(t))
    number = np.array([small_group_number(x) if sm else 0 for x, sm in zip(labels, small)], dtype=np.int64)
    return t.iloc[np.lexsort((pos, number, small, anchor))].reset_index(drop=True)


_SMALL_NUMBER = re.compile(rf"\(?{SMALL_GROUP}(?: ([1-9]\d*))?\)?", re.IGNORECASE)


def small_group_number(label) -> int:
    """The number of a neutral label («Liten gruppe 3», «(liten gruppe 3)» → 3; unnumbered «Liten gruppe» → 0);
    -1 for any other label."""
    m = _SMALL_NUMBER.fullmatch(str(label).strip())
    if not m:
        return -1
    return int(m.group(1)) if m.group(1) else 0


def mixed_coding_note(question, prev_wave, wave, mixed: Mapping | None) -> str:
    """The marker text of a theme change row whose two waves were coded in different ways (codes read from files in
    one, machine codes in the other; ``mixed`` = the method data ``mixed_coding``), "" otherwise."""
    info = (mixed or {}).get(str(question)) if question else None
    if not info:
        return ""
    read, machine = set(map(str, info.get("read") or ())), set(map(str, info.get("machine") or ()))
    prev, cur = str(prev_wave), str(wave)
    if prev in read and cur in machine:
        how = f"{prev}: lest fra filer, {cur}: kodet automatisk"
    elif prev in machine and cur in read:
        how = f"{prev}: kodet automatisk, {cur}: lest fra filer"
    else:
        return ""
    return f"Blandet koding ({how}): endringen kan skyldes kodingen og ikke bare en reell endring."


def mark_mixed_coding(changes: pd.DataFrame, mixed: Mapping | None) -> pd.DataFrame:
    """``changes`` with the column ``coding_note``: :func:`mixed_coding_note` for the theme rows whose waves mix
    reviewed and machine codes ("" elsewhere; indicator rows are not coded)."""
    if changes is None or changes.empty:
        return changes
    notes = [mixed_coding_note(q, p, w, mixed) if k == "tema" else ""
             for k, q, p, w in zip(changes["kind"], changes["question"], changes["prev_wave"], changes["wave"])]
    return changes.assign(coding_note=notes)


def with_distinct_labels(df: pd.DataFrame | None, id_col: str = "theme") -> pd.DataFrame | None:
    """``df`` with its ``label`` column told apart where two ids (``id_col``) share a label (:func:`distinct_labels`:
    «label (id)»), so that a table or chart that goes by label never mixes two themes; as it is otherwise."""
    if df is None or df.empty or "label" not in df.columns or id_col not in df.columns:
        return df
    first = dict(zip(df[id_col].astype(str), df["label"].astype(str)))
    fixed = distinct_labels(first)
    if fixed == first:
        return df
    return df.assign(label=[fixed.get(str(k), lab) if isinstance(lab, str) else lab
                            for k, lab in zip(df[id_col], df["label"])])


#: a theme whose definition differs between two waves' codebooks (textmine.summary._incomparable_message's warning):
#: read only for a summary without ``meta["redefined_themes"]`` (one built before the summary kept it as data)
_REDEFINED = re.compile(r"^(?:question (?P<q>\S+): )?themes? (?P<themes>.+?) (?:is|are) defined differently in codebook "
                        r"(?P<a>'[^']*'|\"[^\"]*\") v(?P<va>\S+) \(wave (?P<prev>[^)]+)\) and "
                        r"(?:(?P<b>'[^']*'|\"[^\"]*\") )?v(?P<vb>\S+) \(wave (?P<cur>[^)]+)\)")


def redefined_themes(summary) -> list[dict]:
    """The themes the summary left untested because the two waves' codebooks define them differently
    (:func:`textmine.summary._incomparable_themes`), each ``{question ("" for every question), themes, prev_wave,
    wave, prev_codebook, codebook, prev_version, version}``, in the summary's order: from ``meta["redefined_themes"]``,
    else (an older summary) read back out of its warnings."""
    data = (getattr(summary, "meta", None) or {}).get("redefined_themes")
    if isinstance(data, list):
        return [_redefined_entry(d) for d in data]
    return _redefined_from_warnings(summary.warnings)


def _redefined_entry(d: Mapping) -> dict:
    """A :func:`redefined_themes` entry from one of ``meta["redefined_themes"]``
    (:func:`textmine.summary._redefined_record`)."""
    (prev, cur), (a, b), (va, vb) = d["waves"], d["codebooks"], d["versions"]
    return {"question": str(d.get("question") or ""), "themes": [str(t) for t in d["themes"]],
            "prev_wave": str(prev), "wave": str(cur), "prev_codebook": str(a), "codebook": str(b),
            "prev_version": str(va), "version": str(vb)}


def _redefined_from_warnings(warnings) -> list[dict]:
    out = []
    for w in warnings or ():
        m = _REDEFINED.match(str(w))
        if not m:
            continue
        a = m["a"][1:-1]
        out.append({"question": m["q"] or "", "themes": [t.strip() for t in m["themes"].split(",") if t.strip()],
                    "prev_wave": m["prev"], "wave": m["cur"], "prev_codebook": a,
                    "codebook": m["b"][1:-1] if m["b"] else a, "prev_version": m["va"], "version": m["vb"]})
    return out


def versions_text(d: Mapping) -> str:
    """«kodebok v1.0 og v1.1» (or «kodebok «a» v1 og «b» v2» for two codebooks) of a :func:`redefined_themes` entry."""
    if d["prev_codebook"] == d["codebook"]:
        return f"kodebok v{d['prev_version']} og v{d['version']}"
    return f"kodebok «{d['prev_codebook']}» v{d['prev_version']} og «{d['codebook']}» v{d['version']}"


def redefined_note(question, key, prev_wave, wave, redefined: Sequence[Mapping] | None) -> str:
    """The note of a theme change row whose theme the two waves' codebooks define differently (so it is «ikke
    testbar» although both shares exist; ``redefined``: :func:`redefined_themes`), "" otherwise."""
    hits = [d for d in redefined or () if str(key) in d["themes"] and (str(d["prev_wave"]), str(d["wave"])) ==
            (str(prev_wave), str(wave)) and d["question"] in ("", str(question or ""))]
    own = [d for d in hits if d["question"]]  # a question's own codebooks stand for the pair's
    if not (own or hits):
        return ""
    return f"Temaet er definert annerledes i {versions_text((own or hits)[0])}: endringen er ikke testet."


def renamed_themes(summary) -> list[dict]:
    """The themes the summary compared with the theme(s) they continue under another id (a codebook's ``replaces``:
    :func:`textmine.summary._renamed_record`), each ``{question ("" for every question), theme, replaces, merge,
    changed, prev_wave, wave, old_wave, new_wave, prev_codebook, codebook, prev_version, version}`` (waves as
    text), in the summary's order; [] for a summary without ``meta["renamed_themes"]``."""
    out = []
    for d in (getattr(summary, "meta", None) or {}).get("renamed_themes") or ():
        e = _redefined_entry(d)
        old = str(d["old_wave"])
        e.update(theme=str(d["theme"]), replaces=[str(t) for t in d["replaces"]], merge=bool(d.get("merge")),
                 changed=[str(f) for f in d.get("changed") or ()], old_wave=old,
                 new_wave=e["wave"] if old == e["prev_wave"] else e["prev_wave"])
        out.append(e)
    return out


def catch_all_untested(summary) -> list[dict]:
    """The catch-all themes the summary left untested because the other themes changed between the two waves'
    codebooks (``meta["catch_all_untested"]``), each a :func:`redefined_themes` entry with ``added`` and
    ``removed`` (the other themes' ids only in the later / earlier codebook); [] when there are none."""
    return [{**_redefined_entry(d), "added": [str(t) for t in d.get("added") or ()],
             "removed": [str(t) for t in d.get("removed") or ()]}
            for d in (getattr(summary, "meta", None) or {}).get("catch_all_untested") or ()]


def side_version(d: Mapping, wave) -> str:
    """The codebook version of one wave of a :func:`redefined_themes`-style entry: «v1.0», or «nav» v1.0 where the
    two waves' codebooks have different names."""
    first = str(wave) == str(d["prev_wave"])
    name, version = (d["prev_codebook"], d["prev_version"]) if first else (d["codebook"], d["version"])
    return f"«{name}» v{version}" if d["prev_codebook"] != d["codebook"] else f"v{version}"


def quoted_names(ids: Sequence[str], labels: Mapping[str, str] | None, word: str = "og") -> str:
    """«A», «B» og «C»: theme ids by their labels (the id where there is none)."""
    names = [f"«{(labels or {}).get(t, t)}»" for t in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} {names[-1]}"


def _entry_hits(entries, question, key, prev_wave, wave, field: str | None = None) -> list[Mapping]:
    """The entries of one theme change row (``field``: the entry's theme id key; else its ``themes`` list), a
    question's own before the pair's."""
    hits = [d for d in entries or () if (str(key) == d[field] if field else str(key) in d["themes"])
            and (str(d["prev_wave"]), str(d["wave"])) == (str(prev_wave), str(wave))
            and d["question"] in ("", str(question or ""))]
    return [d for d in hits if d["question"]] or hits


def renamed_mark(d: Mapping, labels: Mapping[str, str] | None) -> str:
    """A renamed or merged theme's change in a few words for its chart and row: «sammenlignet med «Kontaktperson»
    (v1.0)»."""
    return f"sammenlignet med {quoted_names(d['replaces'], labels)} ({side_version(d, d['old_wave'])})"


#: a catch-all theme's change in a few words (the chart beside «ikke testbar»); the row's note names the versions
CATCH_ALL_MARK = "de andre temaene er endret"


def codebook_change(question, key, prev_wave, wave, redefined=None, renamed=None, catch_all=None,
                    labels: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """(kind, note, mark) of a theme change row: ``redefined`` (:func:`redefined_note`), ``renamed`` (compared with
    the theme(s) it continues: :func:`renamed_themes`) or ``catch_all`` (not tested: the other themes changed,
    :func:`catch_all_untested`); the note for the row (bokmål), the mark in a few words for the chart; ("", "", "")
    for a row with none of those."""
    note = redefined_note(question, key, prev_wave, wave, redefined)
    if note:
        return "redefined", note, "definert annerledes"
    hit = _entry_hits(renamed, question, key, prev_wave, wave, "theme")
    if hit:
        mark = renamed_mark(hit[0], labels)
        tail = ", hver respondent telt én gang." if hit[0]["merge"] else "."
        return "renamed", _capital(mark) + tail, mark
    hit = _entry_hits(catch_all, question, key, prev_wave, wave)
    if hit:
        return "catch_all", f"Ikke testbar: {CATCH_ALL_MARK} mellom {versions_text(hit[0])}.", CATCH_ALL_MARK
    return "", "", ""


def mark_redefined(changes: pd.DataFrame | None, redefined: Sequence[Mapping] | None,
                   renamed: Sequence[Mapping] | None = None, catch_all: Sequence[Mapping] | None = None,
                   labels: Mapping[str, str] | None = None) -> pd.DataFrame | None:
    """``changes`` with the columns ``codebook_note`` (the row's note: :func:`codebook_change`), ``codebook_mark``
    (the chart's few words) and ``codebook_change`` (redefined, renamed or catch_all) for the theme rows whose
    theme the two waves' codebooks define differently, continue under another id or leave an untested catch-all
    ("" elsewhere); as it is when there are none."""
    if changes is None or changes.empty or not (redefined or renamed or catch_all):
        return changes
    rows = [codebook_change(q, k, p, w, redefined, renamed, catch_all, labels) if kind == "tema" else ("", "", "")
            for kind, q, k, p, w in
            zip(changes["kind"], changes["question"], changes["key"], changes["prev_wave"], changes["wave"])]
    kinds, notes, marks = zip(*rows)
    return changes.assign(codebook_note=list(notes), codebook_mark=list(marks), codebook_change=list(kinds))


def impact_view(summary, survey, labels: Mapping[str, str], wave: str) -> pd.DataFrame:
    """The outcome indicator among commenters mentioning a theme vs the other commenters (summary
    ``theme_indicators``), with the driver model's adjusted effect beside it; cells under min_cell left out."""
    t = summary.table("theme_indicators")
    outcome = survey.outcome or (survey.indicators[0] if survey.indicators else None)
    if t.empty or outcome is None:
        return pd.DataFrame()
    t = t[(t["wave"].astype(str) == str(wave)) & (t["indicator"] == outcome.id) & ~t["suppressed"].astype(bool)]
    if "applicable" in t.columns:  # constant by routing ("ikke testbar"): no comparison to show or chart
        t = t[t["applicable"].astype(bool)]
    out = pd.DataFrame({
        "question": t["question"], "theme": t["theme"], "label": t["theme"].map(lambda x: labels.get(x, x)),
        "indicator": outcome.column, "indicator_label": outcome.label, "share_with": t["share_mention"],
        "share_without": t["share_other"], "diff": t["diff"], "ci_low": t["ci_low"], "ci_high": t["ci_high"],
        "n_with": t["n_mention"], "n_without": t["n_other"], "p_value": t["p_value"], "p_adjusted": t["p_adjusted"],
        "verdict": t["verdict"],
    })
    d = summary.table("drivers")
    if not d.empty:
        d = d[d["wave"].astype(str) == str(wave)]
        d = d[["question", "theme", "effect_pp", "ci_low_pp", "ci_high_pp", "p_adjusted", "verdict", "method"]]
        d = d.rename(columns={"effect_pp": "adjusted_pp", "ci_low_pp": "adjusted_ci_low_pp",
                              "ci_high_pp": "adjusted_ci_high_pp", "p_adjusted": "adjusted_p",
                              "verdict": "adjusted_verdict", "method": "adjusted_method"})
        out = out.merge(d, on=["question", "theme"], how="left")
    return out.reset_index(drop=True)


def quote_view(summary, labels: Mapping[str, str], wave: str) -> pd.DataFrame:
    """The summary's quotes for ``wave`` (redacted text + attribution; the respondent id is dropped)."""
    q = summary.table("quotes")
    if q.empty:
        return pd.DataFrame()
    q = q[q["wave"].astype(str) == str(wave)].sort_values(["question", "theme", "rank"], kind="stable")
    out = pd.DataFrame({"wave": q["wave"].astype(str), "question": q["question"], "theme": q["theme"],
                        "label": q["theme"].map(lambda x: labels.get(x, x)), "text": q["text"],
                        "attribution": q["attribution"], "rank": q["rank"]})
    if "language" in q.columns:  # the quote's language (marked lang="en"/"nn" in the HTML); absent in older summaries
        out["language"] = q["language"]
    return out.reset_index(drop=True)


def quotes_in_report_order(quotes: pd.DataFrame | None, themes: pd.DataFrame | None, questions,
                           wave: str) -> pd.DataFrame | None:
    """``quotes`` (:func:`quote_view`) in the report's order, as the HTML and the sheet «Sitater» show them: the
    questions in ``questions``' order (others last), within a question the themes by their overall share among
    commenters in ``wave`` (largest first; a theme without a shown share last); a theme's quotes keep their rank."""
    if quotes is None or quotes.empty:
        return quotes
    q_order = {q: k for k, q in enumerate(questions)}
    share: dict = {}
    if themes is not None and not themes.empty:
        overall = themes[(themes["segment_var"] == ALL) & (themes["wave"].astype(str) == str(wave))]
        share = {(q, t): s for q, t, s in zip(overall["question"], overall["theme"], overall["share"])}
    shares = [share.get(k) for k in zip(quotes["question"], quotes["theme"])]
    key = pd.DataFrame({"q": [q_order.get(q, len(q_order)) for q in quotes["question"]],
                        "s": [-(float(v) if v is not None and pd.notna(v) else -1.0) for v in shares]})
    order = key.sort_values(["q", "s"], kind="stable").index
    return quotes.iloc[order].reset_index(drop=True)


def coded_view(frames: Mapping, coded: Mapping | None, survey, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per coded comment (redacted text only) with the respondent's segments and weight (for exports).
    ``themes``: the summary's themes; other ``theme_<id>`` columns (a stray one of a ``--coded`` file, left out of the
    summary too) are left out, and ``themes`` is then rebuilt from the columns kept."""
    rid = survey.id_column
    parts = []
    for wave, cw in (coded or {}).items():
        if cw is None or cw.empty:
            continue
        keep = [c for c in ("question", "text_clean", "themes", "type", "confidence", "needs_review",
                            "is_non_answer", "language", "health_flag") if c in cw.columns]  # (the flag is
        # set from the raw text: exports hide flagged comments by it, see excel.safe_coded_rows, and never show it)
        theme_cols = [c for c in cw.columns if c.startswith("theme_")]
        if themes is not None and any(c[6:] not in themes for c in theme_cols):
            theme_cols = [c for c in theme_cols if c[6:] in themes]
            keep = [c for c in keep if c != "themes"]
        out = cw[["respondent_id"] + keep + theme_cols].copy()
        out["respondent_id"] = out["respondent_id"].astype(str)
        if "themes" not in out.columns:
            y = out[theme_cols].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0
            out["themes"] = [";".join(c[6:] for c, v in zip(theme_cols, row) if v) for row in y]
        df = frames.get(wave)
        if df is not None:
            # the same safeguards as the summary (frames may come straight from a caller, not read_waves):
            # personal data typed into free segments masked, undeclared levels of declared segments left out
            df, _ = survey.mask_free_segments(df)
            df, _ = survey.clear_undeclared_levels(df)
            extra = [s.column for s in survey.segments if s.column in df.columns]
            if survey.weight_column and survey.weight_column in df.columns:
                extra.append(survey.weight_column)
            seg = df[[rid] + extra].rename(columns={rid: "respondent_id"})
            seg["respondent_id"] = seg["respondent_id"].astype(str)
            out = out.merge(seg, on="respondent_id", how="left")
        out.insert(1, "wave", str(wave))
        parts.append(out)
    if not parts:
        return pd.DataFrame()
    from ..summary import mask_withheld_mentions  # the quotes' rule: what the exports blank, the text must not say

    res = mask_withheld_mentions(pd.concat(parts, ignore_index=True), survey)
    first = ["respondent_id", "wave"] + [s.column for s in survey.segments if s.column in res.columns]
    if survey.weight_column in res.columns:
        first.append(survey.weight_column)
    return res[first + [c for c in res.columns if c not in first]]


def theme_parents(codebook: Iterable[Mapping] | None) -> dict[str, str]:
    """``{theme id: parent id}`` of the codebook records (:func:`codebook_records`) that have a parent."""
    return {str(t["id"]): str(t["parent"]) for t in codebook or () if t.get("parent")}


def hierarchy_order(themes: Iterable[str], parents: Mapping[str, str]) -> list[tuple[str, int]]:
    """``themes`` (ids, in the order to keep: e.g. by share) as ``(id, depth)`` with every theme right after its
    parent (depth 0: no parent among ``themes``), children in their given order: a parent's share counts the answers
    with any of its children, so they are shown under it, not as peers."""
    themes = list(dict.fromkeys(themes))
    present = set(themes)
    children: dict[str, list[str]] = {}
    for t in themes:
        if parents.get(t) in present and parents.get(t) != t:
            children.setdefault(parents[t], []).append(t)
    out: list[tuple[str, int]] = []
    seen: set[str] = set()

    def add(t: str, depth: int) -> None:
        if t in seen:
            return
        seen.add(t)
        out.append((t, depth))
        for c in children.get(t, ()):
            add(c, depth + 1)

    for t in themes:
        if parents.get(t) not in present or parents.get(t) == t:
            add(t, 0)
    for t in themes:  # (a cycle of parents: never dropped)
        add(t, 0)
    return out


def codebook_records(codebook) -> list[dict]:
    """The codebook's themes as plain dicts (id, label, description, keywords, parent, exclusive)."""
    if codebook is None:
        return []
    if hasattr(codebook, "to_dict"):
        codebook = codebook.to_dict()
    themes = codebook.get("themes", []) if isinstance(codebook, Mapping) else list(codebook)
    out = []
    for t in themes:
        t = t.to_dict() if hasattr(t, "to_dict") else dict(t)
        out.append({"id": t.get("id"), "label": t.get("label", t.get("id")),
                    "description": t.get("description", ""), "keywords": list(t.get("keywords") or []),
                    "parent": t.get("parent"), "exclusive": bool(t.get("exclusive", False))})
    return out


def codebook_versions(codebooks: Mapping[Any, Any] | None, waves: Sequence[Any]) -> list[dict]:
    """The waves' codebooks when they differ (wave → codebook): one entry per codebook, in wave order, ``{name,
    version, waves, themes}`` (``themes``: :func:`codebook_records`); [] when every wave has the same one."""
    order = [w for w in waves if w in (codebooks or {})] + [w for w in codebooks or () if w not in waves]
    out: dict[tuple, dict] = {}
    for w in order:
        cb = codebooks[w]
        d = cb.to_dict() if hasattr(cb, "to_dict") else dict(cb or {})
        key = (str(d.get("name", "")), str(d.get("version", "")), getattr(cb, "hash", None) or repr(d.get("themes")))
        entry = out.setdefault(key, {"name": key[0], "version": key[1], "waves": [], "themes": codebook_records(d)})
        entry["waves"].append(str(w))
    return list(out.values()) if len(out) > 1 else []


def _excluded_text(survey, indicator) -> str:
    """An indicator's codes held out of its base for the method note: each label once (case-insensitive), as a
    list «A», «B» og «C»; where one label stands for several codes (the survey's ``excluded_codes`` 8 and a .sav's
    user-missing 98 both «Vet ikke») every label has its codes after it: «vet ikke» (8, 98), «ønsker ikke å svare»
    (99). A code with no label is named by itself («8»); "svar utenfor skalaen" when there are none."""
    groups: dict[str, tuple[str, list]] = {}
    for c in indicator.excluded:
        name = " ".join(str(survey.excluded_labels.get(c, c)).split()).lower()
        groups.setdefault(name.casefold(), (name, []))[1].append(c)
    if not groups:
        return "svar utenfor skalaen"
    coded = any(len(codes) > 1 for _, codes in groups.values())
    return _joined([f"«{name}»" + (f" ({_codes_text(codes)})" if coded and name != _codes_text(codes) else "")
                    for name, codes in groups.values()])


#: an indicator with fewer scale codes is a yes/no-type item: no mean («Snitt»), its counted codes named one by one
SHORT_SCALE = 4


def _indicator_definition(survey, indicator, labels: Mapping) -> str:
    """One indicator's positive definition for the method note, after its label: its positive codes on its scale
    (a scale of under :data:`SHORT_SCALE` codes: each code, by its value label where known — «Ja (1)» — and which
    do not count) and its codes held out of the base."""
    head = "andel positive = svar "
    tail = f"; {_excluded_text(survey, indicator)} er holdt utenfor grunnlaget."
    if len(indicator.scale) >= SHORT_SCALE:
        return (f"{head}{_codes_text(indicator.positive)} på skala {_codes_text([min(indicator.scale)])}–"
                f"{_codes_text([max(indicator.scale)])}{tail}")
    other = [c for c in indicator.scale if c not in indicator.positive]
    return (f"{head}{_named_codes(indicator.positive, labels)}; svar {_named_codes(other, labels)} teller ikke som "
            f"positive{tail}")


def _indicators_text(survey, frames: Mapping | None) -> str:
    """The method note «Indikatorer»: each positive definition once, after the labels of the indicators it is
    the definition of («A», «B» og «C»: andel positive = svar 4–6 på skala 1–6; …), in the order of each
    definition's first indicator; "–" when there are none."""
    groups: dict[str, list[str]] = {}
    for ind in survey.indicators:
        groups.setdefault(_indicator_definition(survey, ind, _value_labels(frames, ind.column)), []).append(
            f"«{ind.label}»")
    return " ".join(f"{_joined(labels)}: {text}" for text, labels in groups.items()) or "–"


def _joined(items: Sequence[str]) -> str:
    """«A», «B» og «C» (one item as it is)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _named_codes(codes, labels: Mapping) -> str:
    """Codes as «Ja (1)» where a value label is known, else the code («1»), joined with «og». A label holding
    personal data (:func:`textmine.labelcheck.personal_data_counts`: «Ja, ring Ola Nordmann 91234567») is never
    shown: its code stands alone."""
    def one(c):
        lab = labels.get(c, labels.get(str(c)))
        return f"«{lab} ({_codes_text([c])})»" if _shown_label(lab) else _codes_text([c])
    return " og ".join(one(c) for c in codes)


def _shown_label(label) -> bool:
    """A value label the method note may print: given, and no personal data in it."""
    from ..labelcheck import personal_data_counts

    return label not in (None, "") and not personal_data_counts(str(label))


def _value_labels(frames: Mapping | None, column: str) -> dict:
    """The value labels of ``column`` in the waves' ``attrs['value_labels']`` (a .sav's; the latest wave's win)."""
    out: dict = {}
    for df in (frames or {}).values():
        out.update(((getattr(df, "attrs", {}) or {}).get("value_labels") or {}).get(column) or {})
    return out


def _codes_text(codes) -> str:
    """Scale codes as report wording: a run of whole numbers as "4–5", others listed ("1, 3")."""
    c = sorted(int(x) if float(x).is_integer() else float(x) for x in codes)
    if len(c) > 1 and all(isinstance(x, int) for x in c) and c == list(range(c[0], c[-1] + 1)):
        return f"{c[0]}–{c[-1]}"
    return ", ".join(str(x) for x in c)


def report_labels(survey) -> dict:
    """Wording the renderers take from the survey definition (kept in the method notes under ``labels``):
    the indicators' scale and positive codes ("1–5", "4–5"; None when the indicators differ), variable and
    value labels of the declared columns of the coded-answers export (segments and weight), and the segments'
    declared ``aliases`` ({column: {level: [other spellings]}}: the exports mask them in comments too)."""
    scales = {f"{_codes_text([min(i.scale)])}–{_codes_text([max(i.scale)])}" for i in survey.indicators}
    positive = {_codes_text(i.positive) for i in survey.indicators}
    columns = {s.column: s.label for s in survey.segments}
    values = {s.column: {str(k): str(s.display.get(str(k), k)) for k in s.levels} for s in survey.segments if s.levels}
    aliases = {s.column: {str(k): [str(a) for a in v] for k, v in (s.aliases or {}).items() if v}
               for s in survey.segments if s.aliases}
    if survey.weight_column:
        columns[survey.weight_column] = "Vekt"
    return {"scale": scales.pop() if len(scales) == 1 else None,
            "positive": positive.pop() if len(positive) == 1 else None, "columns": columns, "values": values,
            "aliases": aliases}


#: method keys that carry data for the renderers, not a line of the method section
METHOD_DATA_KEYS = ("min_n", "agreement_values", "labels", "id_column", "mixed_coding", "unattributed",
                    "personal_ids", "driver_controls", "review_rises", "review_high", "quote_gaps",
                    "redefined_themes", "renamed_themes", "catch_all_untested", "codebook_versions", "fieldwork")
METHOD_NAMES = {
    "respondents": "Respondenter", "commenters": "Kommentarer (svar med innhold)", "denominators": "Grunnlag (nevnere)",
    "weights": "Vekting og usikkerhet", "suppression": "Små grupper", "indicators": "Indikatorer",
    "verdict": "Endring", "verdict_ci": "Konfidensintervall for endring", "codebook": "Kodebok", "model": "Modell", "agreement": "Samsvar med manuell koding",
    "coding": "Koding", "source": "Kilde", "test": "Test for endring", "drivers": "Justert effekt (drivere)",
    "quotes": "Sitater", "warnings": "Merknader", "difference": "Forskjell mellom grupper",
    "synthetic": "Data", "abbreviations": "Forkortelser",
}

#: the coder's kind (``coder.kind``, as the pipeline's model note writes it: "SupervisedCoder (supervised), embedding
#: e5-l6") in words for the published method notes
CODER_KINDS = {
    "supervised": "Veiledet klassifiseringsmodell (trent på manuelt kodede svar)",
    "zeroshot": "Klassifisering uten treningsdata (svarene sammenlignes med kodebokens temabeskrivelser)",
    "zero-shot": "Klassifisering uten treningsdata (svarene sammenlignes med kodebokens temabeskrivelser)",
    "keyword": "Nøkkelordkoding (kodebokens nøkkelord)",
}
_CODER_NOTE = re.compile(r"^(?P<cls>[A-Za-z_]\w*) \((?P<kind>[\w-]+)\)(?:, embedding (?P<emb>[^,]+))?"
                         r"(?:, treningssvar (?P<n_train>\d+))?(?:, modellmappe (?P<dir>.+))?$")
#: quote embedders (the summary's ``quote_embedder``) in words
QUOTE_EMBEDDERS = {"lexical-fallback": "ordlikhet", "lexical": "ordlikhet"}


def model_text(text: str, language: str = "nb") -> str:
    """The pipeline's model note ("SupervisedCoder (supervised), embedding e5-l6, modellmappe default") in
    Norwegian: "Veiledet klassifiseringsmodell (trent på manuelt kodede svar); språkmodell for tekstrepresentasjon:
    e5-l6; modellmappe default" («trent på 20 manuelt kodede svar» when the note has ", treningssvar 20")
    (``language="nn"``: in nynorsk). Text that is not such a note is returned as it
    is (nynorsk: its known phrases, :func:`textmine.report.wording.nn_text`)."""
    m = _CODER_NOTE.match(str(text).strip())
    if not m or m.group("kind").lower() not in CODER_KINDS:
        return nn_text(str(text), language)
    out = say(CODER_KINDS[m.group("kind").lower()], language)
    if m.group("n_train") and m.group("kind").lower() == "supervised":  # how many coded answers it was trained on
        out = say("Veiledet klassifiseringsmodell (trent på {n} manuelt kodede svar)", language,
                  n=_group_thousands(m.group("n_train"), m.group("n_train")))
    if m.group("emb"):
        out += say("; språkmodell for tekstrepresentasjon: {name}", language, name=m.group("emb").strip())
    if m.group("dir"):
        out += say("; modellmappe {name}", language, name=m.group("dir").strip())
    return out + "."


def _group_thousands(text: str, n) -> str:
    """The count ``n`` in a method note with a no-break thousands space ("1378" -> "1 378")."""
    from .numbers import fmt_int

    try:
        n = int(n)
    except (TypeError, ValueError):
        return text
    return re.sub(rf"(?<![\d,.]){n}(?![\d]|,\d)", fmt_int(n), text) if n >= 1000 else text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _method_text(value) -> str:
    """One method note as readable text: mappings as "2024: 320, 2025: 300", whole numbers with spaces."""
    from .numbers import fmt_int

    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_method_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_method_text(v) for v in value)
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return fmt_int(value) if float(value).is_integer() else str(value).replace(".", ",")
    return str(value)


def method_lines(method: Mapping, language: str = "nb") -> list[tuple[str, str]]:
    """The method notes as (Norwegian heading, readable text), for the HTML section and the sheet «Metode»; in
    nynorsk with ``language="nn"`` (the notes are made in bokmål: :func:`textmine.report.wording.nn_text`)."""
    lines = []
    for k, v in method.items():
        if v is None or k in METHOD_DATA_KEYS:
            continue
        text = _method_text(v)
        if k == "model":
            text = model_text(text, language)
        elif k != "warnings":  # (the run warnings are the tool's, in English)
            text = nn_text(text, language)
        if k == "suppression":  # «Liten gruppe» is quoted (so nn_text leaves it): nynorsk «Lita gruppe»
            text = small_group_label(text, language)
        if k == "verdict" and method.get("redefined_themes"):  # «ikke testbar» with both shares there: say why
            text = f"{text.rstrip('.')}. {say(REDEFINED_VERDICT, language)}"
        if k == "verdict" and method.get("catch_all_untested"):  # (a catch-all theme: the other themes changed)
            text = f"{text.rstrip('.')}. {say(CATCH_ALL_VERDICT, language)}"
        if k == "agreement":  # counts of comments: "1 378" (the note itself is written by the pipeline)
            text = _group_thousands(text, (method.get("agreement_values") or {}).get("n"))
        lines.append((say(METHOD_NAMES[k], language) if k in METHOD_NAMES else k, _capital(text)))
    if method.get("agreement") is None:
        lines.append((say(METHOD_NAMES["agreement"], language),
                      say("Ingen manuelt kodede data tilgjengelig.", language)))
    return lines


#: the method note on «ikke testbar» for a theme the waves' codebooks define differently (after the verdict rule)
REDEFINED_VERDICT = ("Ikke testbar gjelder også et tema som er definert annerledes i kodebøkene til de to målingene "
                     "(se «Merknader»): begge andelene vises, men endringen er ikke testet.")
#: the method note on «ikke testbar» for a catch-all theme whose fellow themes changed between the codebooks
CATCH_ALL_VERDICT = ("Ikke testbar gjelder også et samletema når de andre temaene er endret mellom kodebøkene til de "
                     "to målingene (se «Merknader»): begge andelene vises, men endringen er ikke testet.")


#: the driver models in the Metode sentence
_DRIVER_MODEL_WORDS = {"logit": "logit-modell", "linear": "lineær sannsynlighetsmodell",
                       "lineær": "lineær sannsynlighetsmodell"}


def _driver_model_text(method: Any, methods: Sequence[Mapping] | None = None, requested: Any = None,
                       labels: Mapping[str, str] | None = None) -> str:
    """The driver models in the Metode sentence: «logit-modell», «lineær sannsynlighetsmodell», or the model most
    fits used with the others named by question (its label, ``labels``) and wave («logit-modell (lineær
    sannsynlighetsmodell for «Generelt» 2023)»). From ``methods`` (``meta.driver_methods``: wave, question,
    method per fitted model) with ``requested`` (``meta.driver_method_requested``) when the summary has them; an
    older summary's ``meta.driver_method`` string («logit (lineær for fritekst_generell 2023)») otherwise."""
    words = _DRIVER_MODEL_WORDS
    if methods is not None:
        used = [str(m.get("method")) for m in methods]
        if not used:  # no model fitted: the one asked for
            used = [str(requested or method or "–")]
        if len(set(used)) == 1:
            return words.get(used[0], f"{used[0]}-modell")
        # the model most fits used (a tie: the one asked for, else the first)
        main = max(dict.fromkeys(used), key=lambda m: (used.count(m), m == requested))
        rest = [m for m in methods if str(m.get("method")) != main]
        kinds = " / ".join(words.get(k, k) for k in dict.fromkeys(str(m.get("method")) for m in rest))
        labels = labels or {}
        where = ", ".join(f"«{labels.get(m.get('question'), m.get('question'))}» {m.get('wave')}" for m in rest)
        return f"{words.get(main, main)} ({kinds} for {where})"
    text = str(method or "–")
    main, _, rest = text.partition(" (")
    if not rest:
        return words.get(main, f"{main}-modell")
    other, _, where = rest.rstrip(")").partition(" for ")
    return f"{words.get(main, main)} ({words.get(other, other)} for {where})"


def method_notes(summary, survey, codebook, frames: Mapping | None = None) -> dict:
    """The method section, from the summary's metadata (CI methods, test, verdict rule, bases); ``frames`` (the
    waves, optional) only lend their value labels (a .sav's «Ja»/«Nei») to the indicators' note."""
    meta = summary.meta or {}
    counts = meta.get("question_counts") or []
    respondents = {str(c["wave"]): int(c["respondents"]) for c in counts}
    qlabels = {q.column: q.label for q in survey.free_text}
    commenters = {f"{c['wave']} «{qlabels.get(c['question'], c['question'])}»": int(c["commenters"]) for c in counts}
    min_n = int(meta.get("min_cell", survey.min_cell))
    cb = codebook.to_dict() if hasattr(codebook, "to_dict") else (codebook or {})
    weight = meta.get("weight_column")
    model = _driver_model_text(meta.get("driver_method"), meta.get("driver_methods"),
                               meta.get("driver_method_requested"), qlabels)
    return {
        "min_n": min_n,
        "id_column": survey.id_column,  # the exports' respondent id keeps the survey's own name (SPSS merges)
        # segments declared ``attribution: false`` (identifying, e.g. næring): never in the row-level exports
        "unattributed": [s.column for s in survey.segments if not s.attribution],
        "respondents": respondents,
        "commenters": commenters,
        "weights": _weights_text(survey, weight) + f" 95\u00a0% konfidensintervall: {meta.get('ci_method', '–')}.",
        "denominators": ("Andel av dem som svarte på spørsmålet (grunnlag = antall med et svar med innhold på "
                         "spørsmålet). Andel av de spurte og av alle respondenter står i tabellene, uten "
                         "konfidensintervall."),
        "suppression": SUPPRESSION_TEXT.format(min_n=min_n),
        "indicators": _indicators_text(survey, frames),
        "test": meta.get("test"),
        "verdict": reader_terms(str(meta.get("verdict_rule") or "–").split("; verdict_unadjusted")[0]),
        "verdict_ci": CI_NOT_ADJUSTED_TEXT,
        "difference": reader_terms(str(meta["difference_rule"])) if meta.get("difference_rule") else None,
        "driver_controls": controls_text(survey),
        "drivers": (f"Justert effekt: {model} for «{survey.outcome.label}» blant "
                    f"dem som svarte på spørsmålet, med temaene og {controls_text(survey)}; gjennomsnittlig "
                    "marginaleffekt i prosentpoeng.")
        if survey.outcome is not None else None,
        "quotes": _quotes_text(meta.get("quote_embedder")),
        "codebook": f"{cb.get('name', '–')} versjon {cb.get('version', '–')}" if cb else "–",
        "source": "Alle tall kommer fra én og samme beregning, slik at tabeller, figurer, Excel og JSON stemmer "
                  "overens.",
        "model": "–",
        "agreement": None,
        "labels": report_labels(survey),
        "synthetic": synthetic_note(survey),
    }


#: the method note on the change's CI beside its BH-adjusted verdict
CI_NOT_ADJUSTED_TEXT = ("95\u00a0% KI for en endring er ikke justert for mange sammenligninger (bare p-verdien er "
                        "justert), så en endring kan ha et KI som utelukker 0 og likevel være vurdert som ingen sikker "
                        "endring.")
#: the method note on cells hidden for their complement (textmine.summary.hide_small_counts rule b; their verdict is
#: «for få svar» as every hidden cell's: which rule hid a cell is not published)
COMPLEMENT_TEXT = ("Celler der under {min_n} i en av gruppene svarte annerledes enn resten (for eksempel 75 av 76 "
                   "fornøyde), er også skjult, for at de få ikke skal kunne kjennes igjen. Alle skjulte celler er merket likt, "
                   "uansett grunn, for at grunnen ikke skal røpe noe om tallet. ")
#: the method note on small groups: primary suppression (base under min_cell) and secondary suppression (a level
#: hidden with a lone hidden one, and while the hidden levels together — the total minus the shown ones — would be
#: small: textmine.summary.secondary_levels, _union_levels)
SUPPRESSION_TEXT = ("Tall for grupper med grunnlag under {min_n} (færre enn {min_n} svar) vises ikke, og sitater hentes "
                    "aldri fra dem. For at de skjulte tallene ikke skal kunne regnes ut ved å trekke de viste gruppene "
                    "fra totalen, er også noen større grupper skjult, så mange at heller ikke de skjulte gruppene til "
                    "sammen er for små til å vises (sekundær skjuling). " + COMPLEMENT_TEXT
                    + "«Liten gruppe» står for en gruppe med så få svar et sted i rapporten at også navnet er holdt tilbake; gruppen har samme nøytrale navn i alle "
                    "tabeller og figurer, også der tallene vises, og slike grupper står sist.")

#: analyst words in the summary's rule texts and their reader wording
_READER_TERMS = {"bølgene": "målingene", "bølgen": "målingen", "bølger": "målinger", "bølge": "måling",
                 "brytingen": "inndelingen", "bryting": "inndeling", "kommentatorene": "dem som svarte på spørsmålet"}
_READER_WORDS = re.compile(r"\b(" + "|".join(_READER_TERMS) + r")\b")


def reader_terms(text: str) -> str:
    """A rule text from the summary in the report's terms («måling», «inndeling», «dem som svarte»)."""
    return _READER_WORDS.sub(lambda m: _READER_TERMS[m.group(1)], text)


def controls_text(survey) -> str:
    """The driver model's control variables by their labels: "kontrollvariablene sektor og antall ansatte"."""
    labels = {s.column: s.label.lower() for s in survey.segments}
    names = [labels.get(c, c) for c in getattr(survey, "driver_controls", ()) or ()]
    if not names:
        return "ingen kontrollvariabler"
    which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    return f"kontrollvariablene {which}"


def _weights_text(survey, weight) -> str:
    """"Vektet …" (the prefix :func:`textmine.report.html.drivers_note` reads) with the weight variable's label
    when the survey definition has one, else in words with the column name."""
    if not weight:
        return "Uvektet."
    label = getattr(survey, "weight_label", None)
    if label:
        return f"Vektet med «{label}» (variabelen «{weight}»)."
    return f"Vektet: andelene er beregnet med vektene i datafilen (variabelen «{weight}»)."


def _quotes_text(embedder) -> str:
    if not embedder:
        return "Sitatene er valgt slik at de er representative og ulike."
    how = QUOTE_EMBEDDERS.get(str(embedder), f"språkmodellen {embedder}")
    return f"Sitatene er valgt slik at de er representative og ulike (likhet mellom svarene målt med {how})."


#: words in a survey definition's description that say the data is not real answers
_SYNTHETIC = re.compile(r"syntetisk|synthetic|fiktiv|fictitious|ikke ekte|ikke reelle|eksempeldata|dummy|simulert",
                        re.IGNORECASE)
SYNTHETIC_NOTE = "Syntetiske data – ikke reelle svar."


def survey_description(survey) -> str:
    """The survey definition's ``description`` ("" when it has none)."""
    return str(getattr(survey, "description", "") or "")


def synthetic_note(survey) -> str | None:
    """"Syntetiske data – ikke reelle svar." when the survey definition's description says the data is synthetic
    (example data, not real answers); None otherwise."""
    return SYNTHETIC_NOTE if _SYNTHETIC.search(survey_description(survey)) else None


#: the report titles of known survey names (bokmål; nynorsk in :data:`textmine.report.wording.NN`)
SURVEY_TITLES = {"arbeidsgiver": "Arbeidsgiverundersøkelsen"}


def report_title(survey, language: str = "nb") -> str:
    """The report's default title: the survey definition's ``title`` when it has one (as written), else the known
    title of its name (:data:`SURVEY_TITLES`) in ``language``, else the name capitalised."""
    own = str(getattr(survey, "title", "") or "").strip()
    if own:
        return own
    name = str(getattr(survey, "name", "") or "")
    return say(SURVEY_TITLES[name], language) if name in SURVEY_TITLES else name.capitalize()


def shown_title(r) -> str:
    """The report's title as printed in its language: a known default title (:data:`SURVEY_TITLES`, bokmål) in the
    report's language (a report whose language is set after it was built, e.g. by ``write_report(language=...)``);
    any other title (the user's ``--title``) as it is."""
    title = str(getattr(r, "title", "") or "")
    return say(title, getattr(r, "language", None) or "nb") if title in SURVEY_TITLES.values() else title


#: column names (lower case) of a wave's data that hold when each answer was given (or the interview started)
DATE_COLUMNS = ("dato", "date", "svardato", "innsamlingsdato", "intervjudato", "startdato", "sluttdato", "startdate",
                "enddate", "start_date", "end_date", "submitdate", "submitted", "innsendt", "datestamp", "completed",
                "tidspunkt", "svartidspunkt", "timestamp", "starttid", "sluttid")
#: the share of a date column's non-empty values that must read as dates for it to give the fieldwork period
DATE_SHARE = 0.9
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
           "desember")  # (the same in bokmål and nynorsk)


#: words in a column's name that mark a person's birth date (never a fieldwork date, whatever the column's type)
BIRTH_WORDS = ("fodsel", "fødsel", "født", "fodt", "birth", "dob")
#: the first plausible fieldwork date; a later one than today is no answer date either
FIRST_FIELDWORK = pd.Timestamp("2000-01-01")
#: a date as written: ISO «2023-03-14» (also with a time and an offset) or Norwegian «14.03.2023»; a bare year or
#: month («2023», «2023-03») is no date
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_NO_DAY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:$|\s)")


def _as_dates(values: pd.Series) -> pd.Series | None:
    """``values`` as (naive) dates: datetime values (their own wall-clock date, whatever their time zone), ISO
    «2023-03-14» also with a time and an offset (the written date: mixed offsets, as around a DST change, are fine),
    Norwegian «14.03.2023»; plausible ones only (:data:`FIRST_FIELDWORK` to today). None when under
    :data:`DATE_SHARE` of the non-empty values read as plausible dates (numbers, a bare year: no dates)."""
    values = values.dropna()
    if values.empty:
        return None
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        dates = dates.dt.normalize()
    elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    else:
        text = values.astype(str).str.strip()
        text = text[text != ""]
        if text.empty:
            return None
        iso, no = text.str.extract(_ISO_DAY), text.str.extract(_NO_DAY)
        parts = pd.DataFrame({"year": iso[0].fillna(no[2]), "month": iso[1].fillna(no[1]),
                              "day": iso[2].fillna(no[0])}).dropna()
        dates = pd.to_datetime(parts.astype(int), errors="coerce") if not parts.empty else pd.Series(dtype="M8[ns]")
        dates = dates.reindex(text.index)
        values = text
    today = pd.Timestamp.today().normalize()
    dates = dates[(dates >= FIRST_FIELDWORK) & (dates <= today)]
    return dates if len(dates) and len(dates) >= DATE_SHARE * len(values) else None


def fieldwork_period(frame: pd.DataFrame | None) -> dict | None:
    """``{"start": "2023-03-01", "end": "2023-04-15", "column": …}``: the first and last date of a wave's answers,
    from its answer-date column: one named as in :data:`DATE_COLUMNS` (never a column by its type alone, never one
    whose name marks a birth date, :data:`BIRTH_WORDS`) whose values read as plausible dates (:func:`_as_dates`).
    None when the data has none (a wave named by its year gives no fieldwork dates) or its dates cannot be read:
    the fieldwork line never stops a report."""
    if frame is None or getattr(frame, "empty", True):
        return None
    for c in frame.columns:
        name = str(c).strip().lower()
        if name not in DATE_COLUMNS or any(w in name for w in BIRTH_WORDS):
            continue
        try:
            dates = _as_dates(frame[c])
        except Exception:  # (an odd column: no fieldwork line rather than no report)
            continue
        if dates is not None and not dates.empty:
            start, end = dates.min(), dates.max()
            return {"start": start.date().isoformat(), "end": end.date().isoformat(), "column": str(c)}
    return None


def fieldwork_text(period: Mapping | None) -> str:
    """The fieldwork period in words: «3.–21. mars 2023», «28. februar–14. april 2023», «20. desember 2022–10. januar
    2023», «3. mars 2023»; "" without one."""
    if not period or not period.get("start") or not period.get("end"):
        return ""
    a, b = (pd.Timestamp(period["start"]), pd.Timestamp(period["end"]))
    if b < a:
        a, b = b, a

    def day(t, month=True, year=True) -> str:
        return f"{t.day}." + (f" {_MONTHS[t.month - 1]}" if month else "") + (f" {t.year}" if year else "")

    if a == b:
        return day(b)
    if (a.year, a.month) == (b.year, b.month):
        return f"{day(a, month=False, year=False)}–{day(b)}"
    return f"{day(a, year=a.year != b.year)}–{day(b)}"


#: a wave's share of a question's comments sent to manual review at or above which «Merknader» says so
REVIEW_HIGH = 0.9


def review_high(meta: Mapping) -> list[dict]:
    """The waves and questions whose coder sent at least :data:`REVIEW_HIGH` of the comments to manual review and no
    person corrected them (the summary's ``meta["coding_review"]``), each ``{wave, question, needs_review,
    answered, share}``, in the summary's order."""
    out = []
    for row in meta.get("coding_review") or ():
        n, k = row.get("answered"), row.get("needs_review")
        if n and k is not None and k / n >= REVIEW_HIGH - 1e-12:
            out.append({"wave": str(row["wave"]), "question": str(row["question"]), "needs_review": int(k),
                        "answered": int(n), "share": k / n})
    return out


def report_from_summary(summary, survey, *, frames: Mapping | None = None, coded: Mapping | None = None,
                        codebook: Any = None, method: Mapping | None = None, title: str | None = None,
                        key: bytes | str | None = None, language: str = "nb",
                        codebooks: Mapping[Any, Any] | None = None) -> ReportData:
    """All report sections as views of ``summary`` (built with the survey definition ``survey``);
    ``frames``/``coded`` only feed the coded-answers export (Excel/SPSS), never a number. ``key`` keys the
    numbering of the neutral «Liten gruppe» labels (:func:`neutral_order`): one numbering for every table, chart,
    sheet and quote attribution of the report. ``language`` ("nb"/"nn"): the report's written standard, and the
    default title's (:func:`report_title`; ``title`` is the user's, as given). The report views the summary's
    reader copy of the hidden cells (:func:`textmine.summary.hide_small_counts`: small complements too), so every
    table, chart, sheet and JSON of the report hides what the summary's files hide. ``codebooks`` (wave → codebook,
    when the waves were coded with different ones): the sheet «Kodebok» lists each version's themes."""
    from ..summary import hide_small_counts, review_rises

    summary = hide_small_counts(summary)
    waves = [str(w) for w in summary.waves]
    cb = codebook_records(codebook)
    # two theme ids with one label (a theme renamed between the waves' codebooks): told apart by their ids
    labels = distinct_labels({**{t["id"]: t.get("label", t["id"]) for t in cb},
                              **((summary.meta or {}).get("theme_labels") or {})})
    current = waves[-1] if waves else ""
    pair = reported_comparison(summary)
    info = method_notes(summary, survey, codebook, frames)
    info.update({k: v for k, v in (method or {}).items()})
    rises = review_rises(summary.meta or {})  # for the reader note (textmine.report.html.reader_notes)
    if rises:
        info["review_rises"] = rises
    high = review_high(summary.meta or {})  # (the reader note on a wave whose codes nearly all await review)
    if high:
        info["review_high"] = high
    if summary.warnings:
        info["warnings"] = "; ".join(map(str, summary.warnings))
    redefined = redefined_themes(summary)  # (the change tables' notes and the reader note under «Merknader»)
    if redefined:
        info["redefined_themes"] = redefined
    renamed, catch_all = renamed_themes(summary), catch_all_untested(summary)  # (the same, for renames and merges
    if renamed:  # and for the catch-all left untested)
        info["renamed_themes"] = renamed
    if catch_all:
        info["catch_all_untested"] = catch_all
    if not info.get("fieldwork"):  # the current wave's fieldwork dates, when its data has them (the intro says so)
        period = fieldwork_period(next((f for w, f in (frames or {}).items() if str(w) == current), None))
        if period:
            info["fieldwork"] = period
    versions = codebook_versions(codebooks, summary.waves)
    if versions:  # the sheet «Kodebok» lists each version's themes
        info["codebook_versions"] = versions
    indicators, themes = indicator_view(summary, survey), theme_view(summary, survey, labels)
    # hidden free-valued levels: neutral labels (not a large level whose cell only its small complement hid), as
    # neutral_summary names them; the views carry the summary's record of those cells, not the report
    small = small_level_names(survey, indicators, themes, key=key)
    indicators, themes = without_complement_record(indicators), without_complement_record(themes)
    quotes = neutral_attributions(quote_view(summary, labels, current), small)
    if (quotes is None or quotes.empty) and coded:  # why no comment could be quoted (the quotes section says it)
        gaps = quote_gaps(next((c for w, c in coded.items() if str(w) == current), None))
        if gaps is not None:
            info["quote_gaps"] = gaps
    return ReportData(
        title=title or report_title(survey, language), language=language,
        waves=waves, questions={q.column: q.label for q in survey.free_text},
        segments={s.column: s.label for s in survey.segments},
        indicators=neutral_small_levels(indicators, small), themes=neutral_small_levels(themes, small),
        changes=mark_redefined(mark_mixed_coding(change_view(summary, survey, labels, current, pair),
                                                 info.get("mixed_coding")), redefined, renamed, catch_all, labels)
        if len(waves) > 1 else None,
        comparison=pair, change_table=mark_redefined(mark_mixed_coding(neutral_small_levels(
            change_table_view(summary, survey, labels), small), info.get("mixed_coding")), redefined, renamed,
            catch_all, labels) if pair else None,
        impact=impact_view(summary, survey, labels, current),
        quotes=quotes,
        codebook=cb, coded=coded_view(frames or {}, coded, survey, summary.meta.get("themes")), method=info,
        small_levels=dict(small),
        overall_indicator=survey.overall_indicator.column if survey.overall_indicator else None,
        indicator_themes=survey.indicator_themes)
