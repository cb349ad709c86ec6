"""SPSS .sav export of the coded responses with variable and value labels (pyreadstat)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyreadstat

from .model import ReportData
from .views import shown_title
from .wording import say

VAR_LABELS = {"respondent_id": "Respondent-id", "wave": "Måling", "question": "Fritekstspørsmål",
              "text_clean": "Kommentar (anonymisert)", "themes": "Temaer (id-er skilt med ;)",
              "type": "Type kommentar", "confidence": "Sikkerhet (0–1)", "needs_review": "Til manuell gjennomgang",
              "is_non_answer": "Ikke-svar", "language": "Språk"}
#: the variable label of the running row number that replaces a respondent id holding personal data
ROW_NUMBER_LABEL = "Radnummer (respondent-id utelatt: inneholder personopplysninger)"
CATEGORICAL = ("question", "type", "language")  # besides the survey definition's segments
YES_NO = {0: "Nei", 1: "Ja"}


def _spss_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not re.match(r"[A-Za-z]", name):
        name = "v_" + name
    return name[:64]


def _key(v):
    """A cell as its level key: 2.0 → "2" (as the survey definition writes levels), missing stays missing."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _labelled(values: pd.Series, declared: dict[str, str]) -> tuple[pd.Series, dict[int, str]]:
    """(codes 1…k, {code: label}): declared levels first in their order (labelled with their display text),
    then any other values in natural order (labelled with themselves)."""
    values = values.astype(object).map(_key)
    present = [c for c in pd.unique(values.dropna()) if c != ""]
    rest = sorted((c for c in present if c not in declared),
                  key=lambda s: (not s[:1].isdigit(), int(re.match(r"\d+", s).group()) if s[:1].isdigit() else 0, s))
    cats = list(declared) + rest
    codes = {c: i + 1 for i, c in enumerate(cats)}
    coded = values.map(lambda v: codes.get(v) if pd.notna(v) else None).astype("float64")
    return coded, {i: str(declared.get(c, c))[:120] for c, i in codes.items()}


def coded_for_spss(r: ReportData, omit=()) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict]]:
    """(frame, variable labels, value labels): categoricals become labelled integer codes; without the ``omit``
    columns (e.g. ``respondent_id``). A weight blanked by the small-cell rule says so in its label
    (:data:`WEIGHT_BLANKED_LABEL`)."""
    from .excel import LANGUAGE_NAMES, ROW_NUMBER, all_theme_labels, export_rows

    # the rows of the workbook's «Kodede svar»: small cells' segment values blanked, health comments hidden, no
    # ``attribution: false`` segments, a row number in place of ids that are personal data
    df, counts = export_rows(r, omit)
    labels: dict[str, str] = {}
    if ROW_NUMBER in df.columns:
        df[ROW_NUMBER] = df[ROW_NUMBER].astype("float64")
        labels[ROW_NUMBER] = ROW_NUMBER_LABEL
    id_col = str(r.method.get("id_column") or "respondent_id")
    if "respondent_id" in df.columns and id_col != "respondent_id" and id_col not in df.columns:
        # the survey's own id variable, as in the input (numeric when every id is a whole number written without
        # leading zeros): the file merges back onto the survey in SPSS
        ids = df["respondent_id"].astype(str)
        if len(ids) and ids.str.fullmatch(r"[1-9]\d{0,14}|0").all():
            df["respondent_id"] = ids.astype("int64").astype("float64")
        df = df.rename(columns={"respondent_id": id_col})
        labels[id_col] = VAR_LABELS["respondent_id"]
    values: dict[str, dict] = {}
    labels_by_theme = all_theme_labels(r)  # an earlier codebook's themes too, shared labels told apart
    declared = r.method.get("labels") or {}
    columns = {**r.segments, **(declared.get("columns") or {})}
    levels = declared.get("values") or {}
    for col in list(df.columns):
        if col.startswith("theme_"):
            df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(int)
            labels[col] = f"Tema: {labels_by_theme.get(col[6:], col[6:])}"
            values[col] = dict(YES_NO)
        elif col in ("needs_review", "is_non_answer"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            values[col] = dict(YES_NO)
        elif col in CATEGORICAL or col in r.segments:
            df[col], values[col] = _labelled(df[col], levels.get(col) or {})
            if col == "question":
                values[col] = {i: f"{c}: {r.questions.get(c, c)}"[:120] for i, c in values[col].items()}
            elif col == "language":
                values[col] = {i: LANGUAGE_NAMES.get(c, c) for i, c in values[col].items()}
        elif col == "wave":
            df[col] = pd.to_numeric(df[col], errors="coerce")
        elif df[col].dtype == object or str(df[col].dtype).startswith("string"):
            df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str)
        labels.setdefault(col, columns.get(col) or VAR_LABELS.get(col, col))
    for col in blanked_weight_columns(df, r, counts["weight"]):
        labels[col] = f"{labels.get(col, col)} " + say(WEIGHT_BLANKED_LABEL, r.language, n=counts["weight"])
    rename = {c: _spss_name(c) for c in df.columns}
    df = df.rename(columns=rename)
    return (df, {rename[k]: v for k, v in labels.items()}, {rename[k]: v for k, v in values.items()})


#: added to the variable label of a weight blanked in some rows by the small-cell rule (SPSS ``WEIGHT BY`` drops
#: those rows)
WEIGHT_BLANKED_LABEL = "(blanket i {n} rader: liten gruppe)"


def blanked_weight_columns(df: pd.DataFrame, r: ReportData, n_blanked: int) -> list[str]:
    """The columns of :func:`coded_for_spss`' frame that the small-cell rule blanks with the segment values (the
    weight, other per-respondent values; see :func:`textmine.report.excel.safe_coded_rows`), when ``n_blanked``
    rows were blanked."""
    from .excel import CODED_HEADERS, ROW_NUMBER

    if not n_blanked:
        return []
    id_col = str(r.method.get("id_column") or "respondent_id")
    skip = set(CODED_HEADERS) | set(r.segments) | {ROW_NUMBER, id_col, "theme_labels"}
    return [c for c in df.columns if c not in skip and not str(c).startswith("theme_") and df[c].isna().any()]


def in_language(df: pd.DataFrame, var_labels: dict[str, str], value_labels: dict[str, dict],
                language: str) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict]]:
    """:func:`coded_for_spss`' frame and labels with the fixed wording (variable labels, language names, the marker
    of a hidden comment) in ``language``; the survey's and the codebook's labels as they are."""
    from .excel import HEALTH_NOTE, LANGUAGE_NAMES

    fixed = {*VAR_LABELS.values(), ROW_NUMBER_LABEL}
    names = set(LANGUAGE_NAMES.values()) | set(YES_NO.values())
    var_labels = {k: say(v, language) if v in fixed else v for k, v in var_labels.items()}
    value_labels = {k: {i: say(v, language) if v in names else v for i, v in vals.items()}
                    for k, vals in value_labels.items()}
    if "text_clean" in df.columns:
        df = df.assign(text_clean=df["text_clean"].map(lambda v: say(HEALTH_NOTE, language) if v == HEALTH_NOTE
                                                       else v))
    return df, var_labels, value_labels


def likert_columns(r: ReportData) -> set[str]:
    """The report's indicator (Likert item) columns, by their SPSS names."""
    ind = r.indicators
    cols = ind["indicator"].dropna().astype(str) if ind is not None and "indicator" in ind.columns else []
    return {_spss_name(c) for c in cols}


def measure_levels(df: pd.DataFrame, var_labels: dict[str, str], value_labels: dict[str, dict],
                   likert: set[str]) -> dict[str, str]:
    """SPSS measurement level of each column of :func:`coded_for_spss`'s frame: «ordinal» for a Likert item
    (``likert``: the survey's indicators), «scale» for other numbers without value labels (weights, scores),
    «nominal» for the rest (ids, row number, wave, question, segments, theme codes, yes/no, language, text)."""
    ids = {c for c, label in var_labels.items() if label in (VAR_LABELS["respondent_id"], ROW_NUMBER_LABEL)}
    levels = {}
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        if col in likert and numeric:
            levels[col] = "ordinal"
        elif numeric and col not in value_labels and col not in ids and col != "wave":
            levels[col] = "scale"
        else:
            levels[col] = "nominal"
    return levels


def write_sav(r: ReportData, path: str | Path, *, omit=()) -> Path:
    """Write the coded rows (:func:`coded_for_spss`, without the ``omit`` columns) to ``path`` with labels and
    measurement levels; the header's creation time is the export time, so reruns are byte-identical."""
    path = Path(path)
    df, var_labels, value_labels = coded_for_spss(r, omit)
    measure = measure_levels(df, var_labels, value_labels, likert_columns(r))
    lang = getattr(r, "language", None) or "nb"
    if lang != "nb":
        df, var_labels, value_labels = in_language(df, var_labels, value_labels, lang)
    pyreadstat.write_sav(df, str(path), column_labels=var_labels, variable_value_labels=value_labels,
                         variable_measure=measure, file_label=f"{shown_title(r)} – {say('kodede fritekstsvar', lang)}")
    from .excel import export_time

    set_creation_time(path, export_time())
    return path


# the .sav header: "$FL2" (4 bytes), product name (60), five int32 (layout code, nominal case size, compression,
# weight index, number of cases) and the float64 bias, then the creation date "dd mmm yy" (9) and time "hh:mm:ss" (8)
_DATE_OFFSET = 4 + 60 + 5 * 4 + 8
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def set_creation_time(path: str | Path, when: dt.datetime) -> None:
    """Overwrite the creation date and time in the header of the .sav ``path`` (pyreadstat writes the clock's), so
    reruns on the same input are byte-identical."""
    stamp = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year % 100:02d}{when:%H:%M:%S}".encode("ascii")
    with open(path, "r+b") as f:
        head = f.read(_DATE_OFFSET + len(stamp))
        if head[:4] not in (b"$FL2", b"$FL3") or len(head) < _DATE_OFFSET + len(stamp):
            raise ValueError(f"{path}: not an SPSS .sav file (expected the header to start with $FL2)")
        f.seek(_DATE_OFFSET)
        f.write(stamp)
