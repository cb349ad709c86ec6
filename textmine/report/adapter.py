"""Take the statistics helper's numbers (``textmine.summary.build_summary``) where the report can use them.

Currently: the wave-change table (Benjamini–Hochberg-adjusted verdicts, the summary's own test) and its
method notes. Anything missing or incompatible keeps the report's own numbers (and says so in the notes).
"""

from __future__ import annotations

import logging

import pandas as pd

from .model import VERDICTS, ReportData

log = logging.getLogger(__name__)


def changes_from_summary(summary_changes: pd.DataFrame, data: ReportData, survey) -> pd.DataFrame:
    """Overall wave changes (indicators; themes among commenters) in the report's column layout."""
    c = summary_changes
    if c is None or c.empty:
        return pd.DataFrame()
    c = c[(c["segment"] == "Totalt") & c["verdict"].isin(VERDICTS)]
    ind_col = {i.id: i.column for i in getattr(survey, "indicators", ())}
    labels = dict(zip(data.indicators["indicator"], data.indicators["label"]))
    theme_labels = {t["id"]: t.get("label", t["id"]) for t in data.codebook}
    rows = []
    for _, r in c.iterrows():
        if r["kind"] == "indicator":
            key = ind_col.get(r["item"], r["item"])
            kind, label, question = "indikator", labels.get(key, key), ""
        elif r["kind"] == "theme" and r["denominator"] == "kommentatorer":
            key = r["item"]
            kind, label, question = "tema", theme_labels.get(key, key), r["question"]
        else:
            continue
        rows.append({"kind": kind, "key": key, "label": label, "question": question, "prev_wave": str(r["wave_prev"]),
                     "wave": str(r["wave"]), "prev_share": r["share_prev"], "share": r["share"], "diff": r["diff"],
                     "p_value": r["p_adjusted"], "verdict": r["verdict"], "n_prev": int(r["n_prev"]),
                     "n": int(r["n"]), "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "p_unadjusted": r["p_value"]})
    out = pd.DataFrame(rows)
    if not out.empty:
        out = out[out["wave"] == data.current_wave]
    return out


def apply_summary(data: ReportData, frames, survey, coded) -> ReportData:
    """Replace the change table with the Summary's when ``build_summary`` runs on these inputs."""
    if survey is None or len(data.waves) < 2:
        return data
    try:
        from textmine.summary import build_summary
    except ImportError:
        return data
    try:
        keyed = {_wave_key(k): v for k, v in frames.items()}
        coded_keyed = {_wave_key(k): v for k, v in (coded or {}).items()} or None
        summary = build_summary(keyed, survey, coded_keyed, quotes=False, drivers=False)
        changes = changes_from_summary(summary.table("changes"), data, survey)
    except Exception as exc:  # noqa: BLE001 - the report's own numbers remain valid
        log.warning("build_summary failed (%s: %s); using the report's own change table", type(exc).__name__, exc)
        data.method["source"] = "Endringstabellen er beregnet av rapportmodulen (to-utvalgs z-test, uten BH-justering)."
        return data
    if changes.empty:
        return data
    data.changes = changes.reset_index(drop=True)
    meta = summary.meta or {}
    data.method["verdict"] = meta.get("verdict_rule", data.method.get("verdict"))
    if meta.get("test"):
        data.method["test"] = meta["test"]
    if meta.get("ci_method"):
        data.method["ci_summary"] = "Endringstabellen: " + str(meta["ci_method"])
    data.method["source"] = "Endringer og vurderinger fra textmine.summary (p justert med Benjamini–Hochberg)."
    return data


def _wave_key(label):
    s = str(label)
    return int(s) if s.isdigit() else label
