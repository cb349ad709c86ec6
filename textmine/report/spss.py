"""SPSS .sav export of the coded responses with variable and value labels (pyreadstat)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyreadstat

from .model import ReportData

VAR_LABELS = {"respondent_id": "Respondent-id", "wave": "Måling", "sektor": "Sektor", "ansatte": "Antall ansatte",
              "naering": "Næring", "fylke": "Fylke", "vekt": "Vekt", "question": "Fritekstspørsmål",
              "text_clean": "Kommentar (anonymisert)", "themes": "Temaer (id-er skilt med ;)",
              "type": "Type kommentar", "confidence": "Sikkerhet (0–1)", "needs_review": "Til manuell gjennomgang",
              "is_non_answer": "Ikke-svar", "language": "Språk"}
CATEGORICAL = ("sektor", "ansatte", "naering", "fylke", "question", "type", "language")
YES_NO = {0: "Nei", 1: "Ja"}


def _spss_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not re.match(r"[A-Za-z]", name):
        name = "v_" + name
    return name[:64]


def coded_for_spss(r: ReportData) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict]]:
    """(frame, variable labels, value labels): categoricals become labelled integer codes."""
    df = r.coded.copy()
    labels: dict[str, str] = {}
    values: dict[str, dict] = {}
    labels_by_theme = {t["id"]: t.get("label", t["id"]) for t in r.codebook}
    for col in list(df.columns):
        if col.startswith("theme_"):
            df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(int)
            labels[col] = f"Tema: {labels_by_theme.get(col[6:], col[6:])}"
            values[col] = dict(YES_NO)
        elif col in ("needs_review", "is_non_answer"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            values[col] = dict(YES_NO)
        elif col in CATEGORICAL:
            cats = [c for c in pd.unique(df[col].dropna().astype(str)) if c != ""]
            cats = sorted(cats, key=lambda s: (not s[:1].isdigit(), int(re.match(r"\d+", s).group()) if s[:1].isdigit() else 0, s))
            codes = {c: i + 1 for i, c in enumerate(cats)}
            df[col] = df[col].astype(object).map(lambda v: codes.get(str(v)) if pd.notna(v) else None).astype("float64")
            mapping = {i: c for c, i in codes.items()}
            if col == "question":
                mapping = {i: f"{c}: {r.questions.get(c, c)}"[:120] for i, c in mapping.items()}
            values[col] = mapping
        elif col == "wave":
            df[col] = pd.to_numeric(df[col], errors="coerce")
        elif df[col].dtype == object or str(df[col].dtype).startswith("string"):
            df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str)
        labels.setdefault(col, VAR_LABELS.get(col, col))
    rename = {c: _spss_name(c) for c in df.columns}
    df = df.rename(columns=rename)
    return (df, {rename[k]: v for k, v in labels.items()}, {rename[k]: v for k, v in values.items()})


def write_sav(r: ReportData, path: str | Path) -> Path:
    path = Path(path)
    df, var_labels, value_labels = coded_for_spss(r)
    pyreadstat.write_sav(df, str(path), column_labels=var_labels, variable_value_labels=value_labels,
                         file_label=f"{r.title} – kodede fritekstsvar")
    return path
