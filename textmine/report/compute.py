"""Build :class:`ReportData` from survey frames + coded comments (self-contained statistics).

Used when ``textmine.summary.build_summary`` is unavailable or lacks a section; the adapter in
:mod:`textmine.report.adapter` prefers the summary's own numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .model import ReportData
from .spec import SurveySpec

Z95 = 1.959963984540054
SIZE_LABELS = {"1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte", "50-199": "50–199 ansatte",
               "200+": "200+ ansatte"}


# ----------------------------------------------------------------------------- statistics
def weighted_share(y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float, float, int, float]:
    """(share, ci_low, ci_high, n, n_eff): weighted share with a Wilson interval on Kish's effective n."""
    y = np.asarray(y, dtype=float)
    n = int(len(y))
    if n == 0:
        return (math.nan, math.nan, math.nan, 0, 0.0)
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    sw = w.sum()
    p = float((w * y).sum() / sw) if sw > 0 else math.nan
    n_eff = float(sw ** 2 / (w ** 2).sum()) if sw > 0 else 0.0
    lo, hi = wilson(p, n_eff)
    return (p, lo, hi, n, n_eff)


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    if not n or math.isnan(p):
        return (math.nan, math.nan)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_proportion_p(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-sided p-value of a pooled two-proportion z-test (effective sample sizes)."""
    if min(n1, n2) <= 0 or any(math.isnan(x) for x in (p1, p2)):
        return math.nan
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if p1 == p2 else 0.0
    return float(2 * sps.norm.sf(abs(p2 - p1) / se))


def verdict(p_value: float) -> str:
    """signifikant (95 %), tendens (90 %), otherwise uendret."""
    if p_value is None or math.isnan(p_value):
        return "uendret"
    if p_value < 0.05:
        return "signifikant"
    if p_value < 0.10:
        return "tendens"
    return "uendret"


# ----------------------------------------------------------------------------- helpers
def theme_ids_of(coded: pd.DataFrame) -> list[str]:
    return [c[len("theme_"):] for c in coded.columns if c.startswith("theme_")]


def _weights(df: pd.DataFrame, spec: SurveySpec) -> np.ndarray:
    if spec.weight and spec.weight in df.columns:
        w = pd.to_numeric(df[spec.weight], errors="coerce").fillna(1.0).to_numpy(float)
        return np.where(w > 0, w, 0.0)
    return np.ones(len(df))


def _segment_groups(df: pd.DataFrame, spec: SurveySpec):
    yield ("Alle", "Alle", df)
    for col in spec.segments:
        if col not in df.columns:
            continue
        values = df[col].dropna()
        order = list(pd.unique(values)) if not isinstance(values.dtype, pd.CategoricalDtype) else list(
            values.cat.categories)
        try:
            order = sorted(order, key=_segment_sort_key)
        except TypeError:
            pass
        if spec.definition is not None:
            try:
                levels = spec.definition.segment_levels(df, col)
                keys = df[col].astype(object).map(_key)
                for lv in levels:
                    yield (col, spec.segment_label(col, lv), df[keys == lv])
                continue
            except Exception:  # noqa: BLE001 - fall back to plain values
                pass
        for value in order:
            yield (col, str(value), df[df[col] == value])


def _key(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _segment_sort_key(value) -> tuple:
    s = str(value)
    m = re.match(r"^(\d+)", s)
    return (0, int(m.group(1)), s) if m else (1, 0, s)


def attribution_columns(spec: SurveySpec) -> list[str]:
    """Segment columns used in quote attributions, coarsest first (sector, size, county)."""
    if spec.definition is not None:
        return [s.column for s in spec.definition.segments if s.attribution]
    return [c for c in ("sektor", "ansatte", "fylke") if c in spec.segments]


def _value_text(spec: SurveySpec, col: str, value) -> str:
    if spec.definition is not None:
        try:
            return spec.definition.segment(col).display_label(value)
        except Exception:  # noqa: BLE001 - unknown column: raw value
            pass
    if col == "sektor":
        return f"{value} virksomhet"
    if col == "ansatte":
        return SIZE_LABELS.get(str(value), f"{value} ansatte")
    return str(value)


def attribution(row: Mapping, spec: SurveySpec, cell_sizes: Mapping[tuple, int] | None = None) -> str:
    """Anonymous attribution line from segments: "Privat virksomhet, 10–49 ansatte, Vestland".

    With ``cell_sizes`` ({(col, ..., values...): respondents}) the finest parts are dropped until the
    combination covers at least ``spec.min_n`` respondents of the wave.
    """
    cols = [c for c in attribution_columns(spec) if _key(row.get(c))]
    while cols:
        if cell_sizes is None:
            break
        key = tuple(cols) + tuple(_key(row.get(c)) for c in cols)
        if cell_sizes.get(key, 0) >= spec.min_n:
            break
        cols = cols[:-1]
    if not cols:
        return "Anonym respondent"
    return ", ".join(_value_text(spec, c, row.get(c)) for c in cols)


def attribution_cell_sizes(df: pd.DataFrame, spec: SurveySpec) -> dict[tuple, int]:
    """Respondent counts for every prefix combination of the attribution columns."""
    cols = [c for c in attribution_columns(spec) if c in df.columns]
    keys = pd.DataFrame({c: df[c].astype(object).map(_key) for c in cols})
    sizes: dict[tuple, int] = {}
    for k in range(1, len(cols) + 1):
        for values, n in keys.groupby(cols[:k], dropna=False).size().items():
            values = values if isinstance(values, tuple) else (values,)
            sizes[tuple(cols[:k]) + tuple(values)] = int(n)
    return sizes


# ----------------------------------------------------------------------------- sections
def segment_masks(df: pd.DataFrame, spec: SurveySpec) -> list[tuple[str, str, np.ndarray]]:
    """(segment_var, display label, boolean row mask) for "Alle" and every level of every segment column."""
    df = df.reset_index(drop=True)
    return [(var, label, df.index.isin(part.index)) for var, label, part in _segment_groups(df, spec)]


def _wilson_vec(p: np.ndarray, n: float) -> tuple[np.ndarray, np.ndarray]:
    if not n:
        nan = np.full_like(p, np.nan, dtype=float)
        return nan, nan
    z = Z95
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _shares(Y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weighted shares of every column of 0/1 matrix Y, Wilson CIs on Kish n_eff."""
    sw = w.sum()
    if len(w) == 0 or sw <= 0:
        nan = np.full(Y.shape[1], np.nan)
        return nan, nan, nan, 0.0
    p = (w @ Y) / sw
    n_eff = float(sw ** 2 / (w ** 2).sum())
    lo, hi = _wilson_vec(p, n_eff)
    return p, lo, hi, n_eff


def indicator_table(frames: Mapping[str, pd.DataFrame], spec: SurveySpec) -> pd.DataFrame:
    rows = []
    for wave, df in frames.items():
        inds = [c for c in spec.indicators if c in df.columns]
        if not inds:
            continue
        w_all = _weights(df, spec)
        codes = df[inds].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        valid = np.isin(codes, spec.valid_codes)
        pos = np.isin(codes, spec.positive_codes) & valid
        for seg_var, seg, mask in segment_masks(df, spec):
            for j, ind in enumerate(inds):
                m = mask & valid[:, j]
                w = w_all[m]
                p, lo, hi, _ = _shares(pos[m, j:j + 1].astype(float), w)
                base = int(m.sum())
                mean = float(np.average(codes[m, j], weights=w)) if base and w.sum() > 0 else math.nan
                rows.append({"wave": str(wave), "indicator": ind, "label": spec.indicators[ind],
                             "segment_var": seg_var, "segment": seg, "share": float(p[0]), "ci_low": float(lo[0]),
                             "ci_high": float(hi[0]), "n": int(pos[m, j].sum()), "base": base, "mean": mean,
                             "suppressed": base < spec.min_n})
    return pd.DataFrame(rows)


def _commenters(coded: pd.DataFrame, question: str) -> pd.DataFrame:
    c = coded[coded["question"] == question]
    if "is_non_answer" in c.columns:
        c = c[pd.to_numeric(c["is_non_answer"], errors="coerce").fillna(0) == 0]
    return c


def _asked_mask(df: pd.DataFrame, question: str, spec: SurveySpec) -> pd.Series:
    route = spec.routing.get(question)
    if route and route[0] in df.columns:
        return pd.to_numeric(df[route[0]], errors="coerce").isin(route[1])
    return pd.Series(True, index=df.index)


def _theme_matrix(df: pd.DataFrame, com: pd.DataFrame, themes: list[str], rid: str) -> tuple[np.ndarray, np.ndarray]:
    """(is_commenter[n], Y[n, themes]) aligned with the rows of ``df``."""
    com = com.drop_duplicates(rid, keep="last").set_index(com[rid].astype(str).to_numpy()) if len(com) else com
    ids = df[rid].astype(str).to_numpy()
    is_com = pd.Index(com.index).get_indexer(ids) >= 0 if len(com) else np.zeros(len(df), bool)
    Y = np.zeros((len(df), len(themes)))
    if len(com):
        pos = pd.Index(com.index).get_indexer(ids)
        vals = com[[f"theme_{t}" for t in themes]].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(float) > 0
        Y[is_com] = vals[pos[is_com]]
    return is_com, Y


def theme_table(frames: Mapping[str, pd.DataFrame], coded: Mapping[str, pd.DataFrame], spec: SurveySpec,
                labels: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    rid = spec.respondent_id
    for wave, df in frames.items():
        cw = coded.get(wave)
        if cw is None or cw.empty:
            continue
        themes = theme_ids_of(cw)
        w_all = _weights(df, spec)
        masks = segment_masks(df, spec)
        for question in spec.free_text:
            com = _commenters(cw, question)
            if com.empty:
                continue
            is_com, Y = _theme_matrix(df, com, themes, rid)
            asked = _asked_mask(df, question, spec).to_numpy() | is_com
            for seg_var, seg, mask in masks:
                cm, am = mask & is_com, mask & asked
                p, lo, hi, _ = _shares(Y[cm], w_all[cm])
                pa = _shares(Y[am], w_all[am])[0]
                pall = _shares(Y[mask], w_all[mask])[0]
                counts = Y[cm].sum(axis=0)
                base = int(cm.sum())
                for j, t in enumerate(themes):
                    rows.append({"wave": str(wave), "question": question, "theme": t,
                                 "label": labels.get(t, t), "segment_var": seg_var, "segment": seg,
                                 "count": int(counts[j]), "base": base, "share": float(p[j]), "ci_low": float(lo[j]),
                                 "ci_high": float(hi[j]), "asked": int(am.sum()), "share_asked": float(pa[j]),
                                 "respondents": int(mask.sum()), "share_all": float(pall[j]),
                                 "suppressed": base < spec.min_n})
    return pd.DataFrame(rows)


def change_table(indicators: pd.DataFrame, themes: pd.DataFrame, waves: Sequence[str],
                 frames: Mapping[str, pd.DataFrame], spec: SurveySpec) -> pd.DataFrame:
    if len(waves) < 2:
        return pd.DataFrame()
    prev, cur = str(waves[-2]), str(waves[-1])
    n_eff = {}
    rows = []

    def eff(p, base, wave, ref):  # effective n ≈ base / design effect of the wave's weights
        if wave not in n_eff:
            w = _weights(frames[wave], spec)
            n_eff[wave] = (w.sum() ** 2 / (w ** 2).sum()) / len(w) if len(w) else 1.0
        return base * n_eff[wave]

    for kind, table, key_col in (("indikator", indicators, "indicator"), ("tema", themes, "theme")):
        if table is None or table.empty:
            continue
        overall = table[table["segment_var"] == "Alle"]
        a = overall[overall["wave"] == prev]
        b = overall[overall["wave"] == cur]
        on = [key_col] + (["question"] if kind == "tema" else [])
        m = a.merge(b, on=on, suffixes=("_prev", ""))
        for _, r in m.iterrows():
            p_val = two_proportion_p(r["share_prev"], eff(r["share_prev"], r["base_prev"], prev, None),
                                     r["share"], eff(r["share"], r["base"], cur, None))
            rows.append({"kind": kind, "key": r[key_col], "label": r["label"],
                         "question": r["question"] if kind == "tema" else "", "prev_wave": prev, "wave": cur,
                         "prev_share": r["share_prev"], "share": r["share"], "diff": r["share"] - r["share_prev"],
                         "p_value": p_val, "verdict": verdict(p_val), "n_prev": int(r["base_prev"]),
                         "n": int(r["base"])})
    return pd.DataFrame(rows)


def impact_table(frames: Mapping[str, pd.DataFrame], coded: Mapping[str, pd.DataFrame], spec: SurveySpec,
                 labels: Mapping[str, str], wave: str) -> pd.DataFrame:
    """Key indicator (share positive) among commenters mentioning a theme vs those who don't."""
    df, cw = frames.get(wave), coded.get(wave)
    ind = spec.key_indicator
    if df is None or cw is None or cw.empty or ind not in df.columns:
        return pd.DataFrame()
    rid = spec.respondent_id
    rows = []
    themes = theme_ids_of(cw)
    for question in spec.free_text:
        com = _commenters(cw, question)
        if com.empty:
            continue
        m = df.merge(com[[rid] + [f"theme_{t}" for t in themes]], on=rid, how="inner")
        codes = pd.to_numeric(m[ind], errors="coerce")
        valid = codes.isin(spec.valid_codes).to_numpy()
        m = m[valid]
        pos = codes[valid].isin(spec.positive_codes).to_numpy(float)
        w = _weights(m, spec)
        for t in themes:
            has = pd.to_numeric(m[f"theme_{t}"], errors="coerce").fillna(0).to_numpy() > 0
            if has.sum() < spec.min_n or (~has).sum() < spec.min_n:
                continue
            p1, _, _, n1, e1 = weighted_share(pos[has], w[has])
            p0, _, _, n0, e0 = weighted_share(pos[~has], w[~has])
            se = math.sqrt(p1 * (1 - p1) / e1 + p0 * (1 - p0) / e0)
            d = p1 - p0
            rows.append({"question": question, "theme": t, "label": labels.get(t, t), "indicator": ind,
                         "indicator_label": spec.indicators.get(ind, ind), "share_with": p1,
                         "share_without": p0, "diff": d, "ci_low": d - Z95 * se, "ci_high": d + Z95 * se,
                         "n_with": n1, "n_without": n0})
    return pd.DataFrame(rows)


def quote_table(frames: Mapping[str, pd.DataFrame], coded: Mapping[str, pd.DataFrame], spec: SurveySpec,
                labels: Mapping[str, str], wave: str, themes_table: pd.DataFrame, *, per_theme: int = 5,
                min_chars: int = 30, max_chars: int = 400) -> pd.DataFrame:
    """3–6 redacted quotes per theme; never health-flagged comments or themes in suppressed cells."""
    df, cw = frames.get(wave), coded.get(wave)
    if df is None or cw is None or cw.empty:
        return pd.DataFrame()
    rid = spec.respondent_id
    seg_cols = [c for c in spec.segments if c in df.columns]
    sizes = attribution_cell_sizes(df, spec)
    rows = []
    for question in spec.free_text:
        com = _commenters(cw, question)
        if com.empty:
            continue
        com = com.merge(df[[rid] + seg_cols], on=rid, how="left")
        if "health_flag" in com.columns:
            com = com[pd.to_numeric(com["health_flag"], errors="coerce").fillna(0) == 0]
        text = com["text_clean"].fillna("").astype(str)
        com = com[(text.str.len() >= min_chars) & (text.str.len() <= max_chars)]
        for t in theme_ids_of(cw):
            cell = themes_table[(themes_table["wave"] == str(wave)) & (themes_table["question"] == question)
                                & (themes_table["theme"] == t) & (themes_table["segment_var"] == "Alle")]
            if cell.empty or bool(cell["suppressed"].iloc[0]) or int(cell["count"].iloc[0]) < spec.min_n:
                continue
            cand = com[pd.to_numeric(com[f"theme_{t}"], errors="coerce").fillna(0) > 0]
            # prefer comments about this theme only, then confident, then mid-length (deterministic order)
            n_themes = cand[[f"theme_{x}" for x in theme_ids_of(cw)]].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1)
            conf = pd.to_numeric(cand.get("confidence", pd.Series(1.0, index=cand.index)), errors="coerce").fillna(0)
            order = pd.DataFrame({"k": n_themes, "c": -conf, "l": (cand["text_clean"].str.len() - 140).abs(),
                                  "r": cand[rid].astype(str)}, index=cand.index).sort_values(["k", "c", "l", "r"])
            picked, seen = [], set()
            for idx in order.index:
                r = cand.loc[idx]
                sig = frozenset(re.findall(r"\w{4,}", r["text_clean"].lower())[:6])
                if any(len(sig & s) >= 4 for s in seen):
                    continue  # near-duplicate wording
                seen.add(sig)
                picked.append(r)
                if len(picked) >= per_theme:
                    break
            if len(picked) < 3:
                continue
            for r in picked:
                rows.append({"wave": str(wave), "question": question, "theme": t, "label": labels.get(t, t),
                             "text": r["text_clean"], "attribution": attribution(r, spec, sizes)})
    return pd.DataFrame(rows)


def coded_responses(frames: Mapping[str, pd.DataFrame], coded: Mapping[str, pd.DataFrame],
                    spec: SurveySpec) -> pd.DataFrame:
    """One row per comment: respondent id, wave, segments, question, redacted text, themes, confidence."""
    parts = []
    rid = spec.respondent_id
    for wave, cw in coded.items():
        if cw is None or cw.empty:
            continue
        df = frames.get(wave)
        seg_cols = [c for c in spec.segments if df is not None and c in df.columns]
        keep = [c for c in ("question", "text_clean", "themes", "type", "confidence", "needs_review",
                            "is_non_answer", "language") if c in cw.columns]
        theme_cols = [c for c in cw.columns if c.startswith("theme_")]
        out = cw[[rid] + keep + theme_cols].copy()
        if "themes" not in out.columns:
            out["themes"] = out[theme_cols].apply(
                lambda r: ";".join(c[6:] for c, v in r.items() if v and v == v), axis=1)
        if df is not None and seg_cols:
            extra = [c for c in seg_cols + ([spec.weight] if spec.weight in df.columns else [])]
            out = out.merge(df[[rid] + extra], on=rid, how="left")
        out.insert(1, "wave", str(wave))
        parts.append(out)
    if not parts:
        return pd.DataFrame()
    res = pd.concat(parts, ignore_index=True)
    first = [rid, "wave"] + [c for c in spec.segments if c in res.columns]
    if spec.weight in res.columns:
        first.append(spec.weight)
    return res[first + [c for c in res.columns if c not in first]]


def build_report_data(frames: Mapping, coded: Mapping | None, spec: SurveySpec | None = None, *,
                      codebook=None, method: Mapping | None = None, title: str | None = None) -> ReportData:
    """All report sections computed from the survey frames and the coded comments."""
    spec = spec or SurveySpec()
    frames = {str(k): v for k, v in sorted(frames.items(), key=lambda kv: str(kv[0]))}
    coded = {str(k): v for k, v in (coded or {}).items()}
    waves = list(frames)
    cb = codebook_records(codebook)
    labels = {t["id"]: t.get("label", t["id"]) for t in cb}
    ind = indicator_table(frames, spec)
    th = theme_table(frames, coded, spec, labels)
    ch = change_table(ind, th, waves, frames, spec)
    imp = impact_table(frames, coded, spec, labels, waves[-1]) if waves else pd.DataFrame()
    qt = quote_table(frames, coded, spec, labels, waves[-1], th) if waves else pd.DataFrame()
    info = default_method(spec, frames, coded, codebook)
    info.update(method or {})
    return ReportData(title=title or spec.title, waves=waves, questions=dict(spec.free_text),
                      segments=dict(spec.segments), indicators=ind, themes=th, changes=ch, impact=imp,
                      quotes=qt, codebook=cb, coded=coded_responses(frames, coded, spec), method=info)


def codebook_records(codebook) -> list[dict]:
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


def default_method(spec: SurveySpec, frames: Mapping, coded: Mapping, codebook) -> dict:
    respondents = {w: int(len(df)) for w, df in frames.items()}
    commenters = {}
    for w, cw in coded.items():
        for q in spec.free_text:
            c = _commenters(cw, q) if "question" in cw.columns else cw.iloc[:0]
            commenters[f"{w} {q}"] = int(len(c))
    cb = codebook.to_dict() if hasattr(codebook, "to_dict") else (codebook or {})
    return {
        "min_n": spec.min_n,
        "respondents": respondents,
        "commenters": commenters,
        "weights": (f"Vektet med «{spec.weight}» (etterstratifisering). Konfidensintervall (95 %) er "
                    "Wilson-intervall på Kish' effektive utvalgsstørrelse." if spec.weight else "Uvektet."),
        "denominators": ("Andel av dem som kommenterte (grunnlag = antall med et reelt svar på spørsmålet). "
                         "Andel av de spurte og av alle respondenter står i tabellene."),
        "suppression": f"Celler med grunnlag under {spec.min_n} vises ikke, og sitater hentes aldri fra dem.",
        "indicators": (f"Andel positive = svar {', '.join(map(str, spec.positive_codes))} på skala "
                       f"{min(spec.valid_codes)}–{max(spec.valid_codes)}; «vet ikke» og «ikke benyttet» "
                       "er holdt utenfor grunnlaget."),
        "verdict": "Endring: signifikant (p < 0,05), tendens (p < 0,10), ellers uendret.",
        "codebook": f"{cb.get('name', '–')} versjon {cb.get('version', '–')}" if cb else "–",
        "model": "–",
        "agreement": None,
    }
