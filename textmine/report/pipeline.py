"""From files to a report: read waves, code the free text, compute (or take the summary's) numbers.

I/O lives here; everything it calls is pure. ``coder`` can be injected (tests, CLI ``--coder keyword``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .compute import build_report_data
from .model import ReportData
from .spec import SurveySpec

log = logging.getLogger(__name__)


class KeywordCoder:
    """A fast, model-free coder over the codebook's keywords (same output columns as the real coders)."""

    kind = "keyword"

    def __init__(self, codebook=None):
        from textmine.classify import KeywordMatcher
        from textmine.codebook import load_codebook
        from textmine.paths import DEFAULT_CODEBOOK

        self.codebook = codebook if codebook is not None else load_codebook(DEFAULT_CODEBOOK)
        self._cleaner = None
        codebook = self.codebook
        self._matcher = KeywordMatcher(codebook)

    def predict(self, texts) -> pd.DataFrame:
        """Code raw texts (cleaned and redacted first), same order as the input."""
        from textmine.preprocess import Cleaner

        if self._cleaner is None:
            self._cleaner = Cleaner(redact=True, detect_language=False).fit()
        series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
        return self.predict_frame(self._cleaner.transform(series))

    def predict_frame(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        text = cleaned["text_clean"].fillna("").astype(str).tolist()
        lem = cleaned["lemmas"].fillna("").astype(str).tolist()
        counts = self._matcher.counts(text, lem)
        non = (pd.to_numeric(cleaned["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0) | np.array(
            [not t.strip() for t in text])
        ids = list(self.codebook.theme_ids)
        y = (counts > 0).astype(int)
        if "annet" in ids:
            j = ids.index("annet")
            y[:, j] = (y.sum(axis=1) == 0).astype(int)
        y[non] = 0
        out = pd.DataFrame(index=cleaned.index)
        for k, t in enumerate(ids):
            out[f"theme_{t}"] = y[:, k]
            out[f"score_{t}"] = counts[:, k] / (counts[:, k] + 1.0)  # 0 keywords → 0, 1 → 0.5, 2 → 0.67 …
        out["themes"] = [";".join(t for t, v in zip(ids, row) if v) for row in y]
        out["confidence"] = np.where(non, 1.0, np.clip(counts.max(axis=1) / 2, 0.3, 1.0))
        out["needs_review"] = ((~non) & (counts.max(axis=1) < 2)).astype(int)
        out["type"] = ""
        return out


def keyword_coder_factory(codebook=None, model_dir=None) -> KeywordCoder:
    """``(codebook, model_dir) -> coder`` for the service's ``coder_factory`` (fast, no model files)."""
    return KeywordCoder(codebook)


def wave_id(df: pd.DataFrame, spec: SurveySpec, path: Path | None = None) -> str:
    if spec.wave in df.columns and df[spec.wave].notna().any():
        values = pd.unique(df[spec.wave].dropna())
        if len(values) == 1:
            v = values[0]
            return str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)
    return path.stem if path is not None else "1"


def code_frame(df: pd.DataFrame, spec: SurveySpec, coder, *, cleaner=None) -> pd.DataFrame:
    """One row per non-empty free-text answer: respondent id, question, redacted text, flags, themes."""
    from textmine.preprocess import Cleaner

    cleaner = cleaner or Cleaner(redact=True, detect_language=False).fit()
    parts = []
    for question in spec.free_text:
        if question not in df.columns:
            continue
        raw = df[question]
        mask = raw.notna() & (raw.astype(str).str.strip() != "")
        if not mask.any():
            continue
        texts = raw[mask].astype(str).reset_index(drop=True)
        cleaned = cleaner.transform(texts)
        pred = coder.predict_frame(cleaned)
        keep = [c for c in ("text_clean", "is_non_answer", "health_flag", "language", "pii_count")
                if c in cleaned.columns]
        part = pd.concat([cleaned[keep].reset_index(drop=True),
                          pred.drop(columns=[c for c in keep if c in pred.columns]).reset_index(drop=True)], axis=1)
        part.insert(0, "question", question)
        part.insert(0, spec.respondent_id, df.loc[mask, spec.respondent_id].astype(str).to_numpy())
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[spec.respondent_id, "question", "text_clean"])
    return pd.concat(parts, ignore_index=True)


def agreement(coded: Mapping[str, pd.DataFrame], labels: Mapping[str, pd.DataFrame], theme_ids: Sequence[str],
              rid: str = "respondent_id") -> dict | None:
    """Agreement between the coding and hand labels (micro F1, exact match, mean Cohen's kappa), or None."""
    rows_true, rows_pred = [], []
    for wave, lab in labels.items():
        cw = coded.get(wave)
        if cw is None or lab is None or lab.empty:
            continue
        lab = lab.copy()
        lab[rid] = lab[rid].astype(str)
        m = cw.merge(lab[[rid, "question", "themes"]].rename(columns={"themes": "_true"}), on=[rid, "question"])
        if "is_non_answer" in lab.columns:
            pass
        for _, r in m.iterrows():
            truth = set(str(r["_true"]).split(";")) if isinstance(r["_true"], str) and r["_true"] else set()
            rows_true.append([int(t in truth) for t in theme_ids])
            rows_pred.append([int(bool(r.get(f"theme_{t}", 0))) for t in theme_ids])
    if not rows_true:
        return None
    yt, yp = np.array(rows_true), np.array(rows_pred)
    tp = int((yt & yp).sum())
    fp = int(((1 - yt) & yp).sum())
    fn = int((yt & (1 - yp)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    kappas = []
    for j in range(yt.shape[1]):
        a, b = yt[:, j], yp[:, j]
        po = float((a == b).mean())
        pe = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
        if pe < 1:
            kappas.append((po - pe) / (1 - pe))
    return {"n": int(len(yt)), "micro_f1": round(f1, 3), "precision": round(prec, 3), "recall": round(rec, 3),
            "exact_match": round(float((yt == yp).all(axis=1).mean()), 3),
            "mean_kappa": round(float(np.mean(kappas)), 3) if kappas else None}


def _labels_beside(path: Path, wave: str) -> pd.DataFrame | None:
    p = path.parent / f"labels_{wave}.csv"
    if p.exists():
        try:
            return pd.read_csv(p, dtype={"respondent_id": str, "themes": str}, keep_default_na=False)
        except Exception as e:  # noqa: BLE001 - labels are optional; report without agreement
            log.warning("could not read %s: %s", p, e)
    return None


def build_report(waves: Sequence[str | Path] | Mapping[str, pd.DataFrame], survey: Any = None, *,
                 codebook: Any = None, model_dir: str | Path | None = None, coder: Any = None,
                 coded: Mapping[str, pd.DataFrame] | None = None, use_summary: bool = True,
                 labels: Mapping[str, pd.DataFrame] | None = None) -> ReportData:
    """Read (or take) the wave frames, code the free text unless ``coded`` is given, and build the report."""
    from textmine.codebook import Codebook, load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    if survey is not None and not hasattr(survey, "indicators"):
        from textmine.survey import SurveyDefinition

        survey = SurveyDefinition.from_yaml(survey) if isinstance(survey, (str, Path)) else survey
    spec = SurveySpec.from_definition(survey)
    frames: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {}
    if isinstance(waves, Mapping):
        frames = {str(k): v for k, v in waves.items()}
    else:
        from textmine.io import read_table

        for p in waves:
            p = Path(p)
            df = read_table(p)
            w = wave_id(df, spec, p)
            if w in frames:
                raise ValueError(f"{p}: wave {w} given twice")
            frames[w], paths[w] = df, p
    if codebook is None:
        cb_path = None
        if survey is not None:
            cb_path = next((q.codebook for q in getattr(survey, "free_text", ()) if getattr(q, "codebook", None)), None)
        codebook = load_codebook(cb_path or DEFAULT_CODEBOOK)
    elif not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    model_info = "–"
    if coded is None:
        if coder is None:
            from textmine.classify import default_coder, load_coder

            coder = load_coder(model_dir, codebook=codebook) if model_dir else default_coder(embedder=None)
        from textmine.preprocess import Cleaner

        cleaner = Cleaner(redact=True, detect_language=False).fit()
        coded = {w: code_frame(df, spec, coder, cleaner=cleaner) for w, df in frames.items()}
        model_info = _describe_coder(coder, model_dir)
    coded = {str(k): v for k, v in coded.items()}
    if labels is None:
        labels = {w: lab for w, p in paths.items() if (lab := _labels_beside(p, w)) is not None}
    agree = agreement(coded, labels, list(codebook.theme_ids), spec.respondent_id) if labels else None
    method = {"model": model_info, "codebook": f"{codebook.name} versjon {codebook.version}"}
    if agree:
        from .numbers import fmt_decimal as f

        method["agreement"] = (f"Mot manuell koding av {agree['n']} kommentarer: mikro-F1 {f(agree['micro_f1'], 2)}, "
                               f"presisjon {f(agree['precision'], 2)}, treffsikkerhet (recall) {f(agree['recall'], 2)}, "
                               f"helt like temasett {f(agree['exact_match'], 2)}, gjennomsnittlig Cohens kappa "
                               f"{f(agree['mean_kappa'], 2)}.")
        method["agreement_values"] = agree
    data = build_report_data(frames, coded, spec, codebook=codebook, method=method)
    if use_summary:
        from .adapter import apply_summary

        data = apply_summary(data, frames, survey, coded)
    return data


def _describe_coder(coder, model_dir) -> str:
    kind = getattr(coder, "kind", type(coder).__name__)
    emb = getattr(coder, "embedder_spec", None)
    text = f"{type(coder).__name__} ({kind})"
    if emb and kind != "keyword":
        text += f", embedding {emb}"
    if model_dir:
        text += f", modellmappe {Path(model_dir).name}"
    return text
