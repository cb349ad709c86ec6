"""Excel workbook (openpyxl): one sheet per table, coded responses and the codebook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import warnings
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
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from ..io import excel_text  # noqa: F401  (here too: the report's cells and the service use it)
from .model import ReportData
from .numbers import fmt_int
from ..rowdisclosure import blank_small_cells as _blank_small_cells, level_key as _level_key, neutral_row_levels
from ..survey import SurveyDefinition
from ..texttables import distinct_labels
from .views import (HIDDEN_CHANGE, HIDDEN_INDICATOR, HIDDEN_THEME, METHOD_NAMES, hide_suppressed, hierarchy_order,
                    method_lines, quotes_in_report_order, shown_title, theme_parents)
from .wording import WORKBOOK_LANG, change_verdict, nn_text, say, small_group_label, verdict as verdict_word

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
# number formats: shares, percentage points (values stored in pp), p-values, means, whole numbers, counts
# (as Norwegian publications print them, so a pasted cell reads «85,1 %» and «−4,0 pp»: a no-break space before
# «%» and «pp», a typographic minus; Excel puts the reader's decimal comma)
PCT = '0.0"\u00a0"%'
PP = '+0.0"\u00a0pp";"\u2212"0.0"\u00a0pp";0.0"\u00a0pp"'
P_VALUE = '[<0.001]"< 0,001";0.000'  # (the number is kept; p under 0,001 shows «< 0,001», never «0,000»)
MEAN = "0.00"
WHOLE = "0"
COUNT = "#,##0"

# (sheet name, attribute, {column: Norwegian header}, {column: number format})
SHEETS = [
    ("Indikatorer", "indicators",
     {"wave": "Måling", "indicator": "Variabel", "label": "Indikator", "segment_var": "Segmentvariabel",
      "segment": "Segment", "share": "Andel positive", "ci_low": "KI nedre", "ci_high": "KI øvre",
      "n": "n (positive)", "base": "Grunnlag", "mean": "Snitt", "suppressed": "Skjult",
      "n_eff": "Effektiv n", "ci_method": "KI-metode", "share_unweighted": "Andel positive (uvektet)",
      "indicator_id": "Indikator-id"},
     {"share": PCT, "ci_low": PCT, "ci_high": PCT, "share_unweighted": PCT, "mean": MEAN, "n_eff": WHOLE,
      "n": COUNT, "base": COUNT}),
    ("Temaer", "themes",
     {"wave": "Måling", "question": "Spørsmål", "question_label": "Spørsmålstekst", "theme": "Tema-id",
      "label": "Tema", "segment_var": "Segmentvariabel",
      "segment": "Segment", "count": "n (nevner temaet)", "base": "Grunnlag (svarte)", "share": "Andel av svarte",
      "ci_low": "KI nedre", "ci_high": "KI øvre", "asked": "Spurt", "share_asked": "Andel av spurte",
      "respondents": "Respondenter", "share_all": "Andel av alle", "suppressed": "Skjult",
      "n_eff": "Effektiv n", "ci_method": "KI-metode", "value": "Segmentkode"},
     {"share": PCT, "ci_low": PCT, "ci_high": PCT, "share_asked": PCT, "share_all": PCT, "n_eff": WHOLE,
      "count": COUNT, "base": COUNT, "asked": COUNT, "respondents": COUNT}),
    ("Endring", "changes",
     {"kind": "Type", "key": "Id", "label": "Hva", "question": "Spørsmål", "question_label": "Spørsmålstekst",
      "segment_var": "Segmentvariabel", "segment": "Segment", "prev_wave": "Forrige måling",
      "wave": "Måling", "prev_share": "Forrige andel", "share": "Andel", "diff": "Endring (pp)",
      "ci_low": "KI nedre (pp)", "ci_high": "KI øvre (pp)", "verdict": "Vurdering",
      "p_value": "p-verdi (ujustert)", "p_adjusted": "p-verdi (BH-justert)", "n_prev": "Grunnlag forrige",
      "n": "Grunnlag", "n_eff_prev": "Effektiv n forrige", "n_eff": "Effektiv n",
      "verdict_unadjusted": "Vurdering (ujustert)", "weighted": "Vektet", "suppressed": "Skjult",
      "coding_note": "Merknad (koding)", "codebook_note": "Merknad (kodebok)"},
     {"prev_share": PCT, "share": PCT, "diff": PP, "ci_low": PP, "ci_high": PP, "p_value": P_VALUE,
      "p_adjusted": P_VALUE, "n_prev": COUNT, "n": COUNT, "n_eff_prev": WHOLE, "n_eff": WHOLE}),
    ("Betydning", "impact",
     {"question": "Spørsmål", "question_label": "Spørsmålstekst", "theme": "Tema-id", "label": "Tema",
      "indicator": "Indikator",
      "indicator_label": "Indikatortekst", "share_with": "Andel positive med tema",
      "share_without": "Andel positive uten tema", "diff": "Forskjell", "ci_low": "KI nedre", "ci_high": "KI øvre",
      "n_with": "n med", "n_without": "n uten", "verdict": "Vurdering", "p_value": "p (ujustert)",
      "p_adjusted": "p (BH-justert)",
      "adjusted_pp": "Justert effekt (pp)", "adjusted_ci_low_pp": "Justert KI nedre (pp)",
      "adjusted_ci_high_pp": "Justert KI øvre (pp)", "adjusted_p": "Justert p (BH)",
      "adjusted_verdict": "Justert vurdering", "adjusted_method": "Modell"},
     {"share_with": PCT, "share_without": PCT, "diff": PP, "ci_low": PP, "ci_high": PP, "p_value": P_VALUE,
      "p_adjusted": P_VALUE, "adjusted_pp": PP, "adjusted_ci_low_pp": PP, "adjusted_ci_high_pp": PP,
      "adjusted_p": P_VALUE, "n_with": COUNT, "n_without": COUNT}),
    ("Sitater", "quotes",
     {"wave": "Måling", "question": "Spørsmål", "question_label": "Spørsmålstekst", "theme": "Tema-id",
      "label": "Tema", "text": "Sitat", "attribution": "Avsender", "language": "Språk", "rank": "Rekkefølge"}, {}),
]

#: differences of two shares (0–1) that the sheets show in percentage points (the value × 100, format :data:`PP`)
PP_FROM_SHARE = {"changes": ("diff", "ci_low", "ci_high"), "impact": ("diff", "ci_low", "ci_high")}

#: the language codes of the cleaner (:data:`textmine.preprocess.language.LANGUAGES`) as readers name them
LANGUAGE_NAMES = {"nb": "bokmål", "nn": "nynorsk", "en": "engelsk", "sv": "svensk", "da": "dansk",
                  "other": "annet språk", "unknown": "ukjent"}


# Cell-level numbers that a suppressed row (``suppressed`` = "Skjult") must not show, its bases included: the
# report views' lists (see textmine.report.views), and the impact sheet's own.
HIDDEN = {
    "indicators": HIDDEN_INDICATOR,
    "themes": HIDDEN_THEME,
    "changes": HIDDEN_CHANGE,
    "impact": ("share_with", "share_without", "diff", "ci_low", "ci_high", "p_value", "p_adjusted",
               "adjusted_pp", "adjusted_ci_low_pp", "adjusted_ci_high_pp", "adjusted_p"),
}

#: column widths (characters): a text column is as wide as its longest value, up to ``TEXT_WIDTH`` (longer values
#: wrap); a header wraps above ``HEADER_WIDTH``
MIN_WIDTH, HEADER_WIDTH, TEXT_WIDTH = 10, 18, 60
WRAP = Alignment(wrap_text=True, vertical="top")


def reader_table(r: ReportData, attr: str, df: pd.DataFrame) -> pd.DataFrame:
    """A report table as its sheet shows it: the segment variable by its label, the question's wording next to its
    id (``question_label``, when the report has question wordings), language names in Norwegian and share
    differences in percentage points. The chart's few words on a codebook change (``codebook_mark``) and its kind
    (``codebook_change``) stay out: the column «Merknad (kodebok)» says it whole."""
    df = df.drop(columns=[c for c in ("codebook_mark", "codebook_change") if c in df.columns])
    lang = _language(r)
    if "language" in df.columns:
        df["language"] = df["language"].map(lambda v: say(LANGUAGE_NAMES[v], lang) if v in LANGUAGE_NAMES else v)
    for c in ("verdict", "verdict_unadjusted", "adjusted_verdict"):
        if c in df.columns and attr == "changes" and "diff" in df.columns:  # «signifikant økning» / «… nedgang»
            df[c] = [change_verdict(v, d, lang) for v, d in zip(df[c], pd.to_numeric(df["diff"], errors="coerce"))]
        elif c in df.columns:
            df[c] = df[c].map(lambda v: verdict_word(v, lang))
    for c in ("segment", "value", "attribution"):  # nynorsk «Lita gruppe N» (the stored label stays)
        if c in df.columns and lang == "nn":
            df[c] = df[c].map(lambda v: small_group_label(v, lang))
    for c in ("coding_note", "codebook_note", "adjusted_method"):
        if c in df.columns:
            df[c] = df[c].map(lambda v: nn_text(v, lang))
    if "segment_var" in df.columns:
        df["segment_var"] = df["segment_var"].map(lambda v: r.segments.get(v, v) if isinstance(v, str) else v)
    if "question" in df.columns and r.questions:
        at = df.columns.get_loc("question") + 1
        df.insert(at, "question_label", df["question"].map(lambda q: r.questions.get(q, q) if q else None))
    for c in PP_FROM_SHARE.get(attr, ()):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce") * 100
    return df


def _layout(header: str, values: list) -> tuple[float, bool]:
    """(width, wrap) of a column: text columns as wide as their longest value (up to :data:`TEXT_WIDTH`, then
    wrapped), other columns as wide as their header (up to :data:`HEADER_WIDTH`, the header wraps)."""
    longest = max((len(v) for v in values if isinstance(v, str)), default=0)
    width = max(MIN_WIDTH, min(len(header), HEADER_WIDTH) + 2, min(longest, TEXT_WIDTH) + 2)
    return width, longest > TEXT_WIDTH


def _write(ws, df: pd.DataFrame, headers: dict[str, str], formats: Mapping[str, str], *,
           note: str | None = None) -> None:
    """Write a table to a write-only sheet: bold header, frozen first row, filters, number formats (``formats``:
    {column: Excel number format}), text columns wide enough (long text wrapped). ``note``: a bold first row
    above the table (a warning), the header row then second."""
    cols = [c for c in headers if c in df.columns] + [c for c in df.columns if c not in headers]
    rows = [[_cell(v) for v in row] for row in df[cols].itertuples(index=False)]
    wrap = set()
    for j, c in enumerate(cols):
        width, wraps = _layout(str(headers.get(c, c)), [row[j] for row in rows])
        ws.column_dimensions[get_column_letter(j + 1)].width = width
        if wraps:
            wrap.add(j)
    top = 2 if note else 1  # the header row
    ws.freeze_panes = f"A{top + 1}"
    names = [excel_text(str(headers.get(c, c))) for c in cols]
    if len(cols):
        ref = f"A{top}:{get_column_letter(len(cols))}{len(df) + top}"
        if not _add_table(ws, ref, names):  # (a table has its own filter)
            ws.auto_filter.ref = ref
    header = []
    for c in names:
        cell = WriteOnlyCell(ws, value=c)
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        header.append(cell)
    if note:
        first = _text_cell(ws, excel_text(note))
        first.font = Font(bold=True)
        ws.append([first])
    ws.append(header)
    fmt = {j: formats[c] for j, c in enumerate(cols) if c in formats}
    for row in rows:
        ws.append([_styled(ws, v, fmt.get(j), j in wrap) for j, v in enumerate(row)])


def table_name(sheet: str) -> str:
    """The Excel table name of a sheet («Kodede svar» → «Tabell_Kodede_svar»): letters, digits and «_» only."""
    ascii_name = sheet.translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"}))
    return "Tabell_" + re.sub(r"[^A-Za-z0-9_]", "_", ascii_name)


def _add_table(ws, ref: str, names: list[str]) -> bool:
    """Define the sheet's data (``ref``, header row first) as an Excel table with ``names`` as its header row, so
    screen readers announce the column headers (WCAG 1.3.1); with the table's own filter buttons. False (no table)
    when there is no data row or the headers are not unique (Excel would have to repair the file)."""
    first, last = (int(x) for x in re.findall(r"\d+", ref))
    if last <= first or len({n.casefold() for n in names}) < len(names) or not all(n.strip() for n in names):
        return False
    table = Table(displayName=table_name(ws.title), ref=ref, autoFilter=AutoFilter(ref=ref),
                  tableColumns=[TableColumn(id=i + 1, name=n) for i, n in enumerate(names)],
                  tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=False))
    with warnings.catch_warnings():  # (write-only: the columns are set above, as openpyxl asks)
        warnings.simplefilter("ignore")
        ws.add_table(table)
    return True


def _styled(ws, v, number_format: str | None, wrap: bool):
    """A cell value as written: with its number format, wrapped, or as text (never a formula)."""
    if v is None:
        return None
    if isinstance(v, str) and (v.startswith("=") or wrap):
        cell = _text_cell(ws, v)
        if wrap:
            cell.alignment = WRAP
        return cell
    if number_format and isinstance(v, (int, float)) and not isinstance(v, bool):
        cell = WriteOnlyCell(ws, value=v)
        cell.number_format = number_format
        return cell
    return v


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
        v = v.item()
    if isinstance(v, str):
        v = excel_text(v)
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
    lang = _language(r)
    wb = Workbook(write_only=True)
    for name, attr, headers, formats in SHEETS:
        headers = _scale_headers(r, headers) if attr == "indicators" else headers
        table = reader_table(r, attr, hide_suppressed(_sheet_rows(r, attr), HIDDEN.get(attr, ())))
        if attr == "themes":
            table, headers = grouped_themes(table, r.codebook, headers, lang)
        _write(wb.create_sheet(say(name, lang)), table, {k: say(v, lang) for k, v in headers.items()}, formats)
    notes: list[str] = []
    if row_level:
        notes.append(_write_coded(wb, r, set(omit_columns)))
    cb, cb_headers = codebook_sheet(r)
    _write(wb.create_sheet(say("Kodebok", lang)), cb, {k: say(v, lang) for k, v in cb_headers.items()}, {})
    method = pd.DataFrame(_with_notes(method_lines(_method_data(r), lang), notes, lang)
                          + [(say(ABBREVIATIONS_KEY, lang), abbreviations_note(r))], columns=["key", "value"])
    _write(wb.create_sheet(say("Metode", lang)), method,
           {"key": say("Punkt", lang), "value": say("Beskrivelse", lang)}, {})
    return _save_report_workbook(wb, r, lang, path)


def _save_report_workbook(wb: Workbook, r: ReportData, lang: str, path: Path) -> Path:
    """Save a report workbook with its properties (creator, title, language) and fixed export times."""
    wb.properties.creator = "textmine"
    wb.properties.title = excel_text(workbook_title(r))
    wb.properties.language = WORKBOOK_LANG[lang]
    _save_fixed(wb, path, export_time())
    return path


#: the file name of the row-level workbook of ``textmine report`` (:func:`write_row_workbook`)
ROW_WORKBOOK = "kodede_svar.xlsx"
#: its first row, by report language
ROW_WORKBOOK_WARNING = {"nb": "Ikke for publisering: én rad per kommentar, til kontroll av kodingen",
                        "nn": "Ikkje for publisering: éin rad per kommentar, til kontroll av kodinga"}


def write_row_workbook(r: ReportData, path: str | Path, *, omit_columns: Iterable[str] = ()) -> Path:
    """The row-level sheet «Kodede svar» in a workbook of its own (``kodede_svar.xlsx``, beside kodede_svar.sav),
    under a bold first-row warning (:data:`ROW_WORKBOOK_WARNING`), with a sheet «Metode» saying what was done to
    the rows. ``textmine report``'s rapport.xlsx, which a report writer may attach to a publication, then holds
    the summaries and checked quotes only (:func:`write_workbook` with ``row_level=False``)."""
    path = Path(path)
    lang = _language(r)
    wb = Workbook(write_only=True)
    note = _write_coded(wb, r, set(omit_columns), warning=ROW_WORKBOOK_WARNING.get(lang, ROW_WORKBOOK_WARNING["nb"]))
    method = pd.DataFrame(_with_notes([], [note], lang), columns=["key", "value"])  # («Merknader», as in rapport.xlsx)
    _write(wb.create_sheet(say("Metode", lang)), method,
           {"key": say("Punkt", lang), "value": say("Beskrivelse", lang)}, {})
    return _save_report_workbook(wb, r, lang, path)


#: the sheet «Kodebok»'s headers
CODEBOOK_HEADERS = {"id": "Tema-id", "label": "Tema", "description": "Beskrivelse", "keywords": "Nøkkelord",
                    "parent": "Overordnet", "exclusive": "Eksklusiv"}
#: and the two columns before them when the waves were coded with different codebooks (versions)
VERSION_HEADERS = {"codebook_version": "Kodebok (versjon)", "codebook_waves": "Brukt i måling"}


def codebook_sheet(r: ReportData) -> tuple[pd.DataFrame, dict[str, str]]:
    """The sheet «Kodebok» and its (bokmål) headers: the codebook's themes; when the waves were coded with different
    codebooks (``method["codebook_versions"]``), every version's themes, each row naming its version and the waves
    coded with it (wave order)."""
    columns = list(CODEBOOK_HEADERS)
    versions = (r.method or {}).get("codebook_versions") if isinstance(r.method, dict) else None
    if versions:
        rows = [{"codebook_version": f"{v['name']} v{v['version']}", "codebook_waves": ", ".join(v["waves"]), **t}
                for v in versions for t in v["themes"]]
        cb, headers = pd.DataFrame(rows, columns=[*VERSION_HEADERS, *columns]), {**VERSION_HEADERS, **CODEBOOK_HEADERS}
    else:
        cb, headers = pd.DataFrame(r.codebook or [], columns=columns), dict(CODEBOOK_HEADERS)
    cb["keywords"] = cb["keywords"].map(lambda k: ", ".join(k) if isinstance(k, (list, tuple)) else k)
    return cb, headers


def _method_data(r: ReportData) -> dict:
    """The method data of the sheet «Metode»: the report's, with the adjusted-effects note in the report's language
    (:func:`textmine.report.html.drivers_note`, also for a report not made by the pipeline), and under «Merknader»
    the HTML's Norwegian reader notes (:func:`textmine.report.html.reader_notes`, in the report's language) in place
    of the run warnings they say, then the run warnings no note says (English, for the analyst:
    :func:`textmine.report.html.analyst_warnings`)."""
    from .html import analyst_warnings, drivers_note, reader_notes

    method = dict(r.method or {})
    if "drivers" in method:  # (it says a failed logit: analyst_warnings leaves that warning out)
        method["drivers"] = drivers_note(r, _language(r)) or method["drivers"]
    notes, rest = reader_notes(r, _language(r)), analyst_warnings(r)
    if notes or rest:
        method["warnings"] = " ".join([*notes, rest] if rest else notes)
    else:
        method.pop("warnings", None)
    return method


def grouped_themes(table: pd.DataFrame, codebook: list[dict] | None,
                   headers: dict[str, str], language: str = "nb") -> tuple[pd.DataFrame, dict[str, str]]:
    """The sheet «Temaer» with a codebook of parent themes: within each table (wave × question × segment), each
    child theme right after its parent (codebook order otherwise), and the parent's label in a column
    «Overordnet tema» after «Tema» (a parent's share counts the answers with any of its children). Unchanged
    without parents."""
    parents = theme_parents(codebook)
    if not parents or table.empty or "theme" not in table.columns:
        return table, headers
    ids = [str(t["id"]) for t in codebook or ()] + [str(t) for t in dict.fromkeys(table["theme"])]
    rank = {t: i for i, (t, _) in enumerate(hierarchy_order(ids, parents))}
    keys = [c for c in ("wave", "question", "segment_var") if c in table.columns]
    block = table[keys].astype(str).agg("\x1f".join, axis=1) if keys else pd.Series("", index=table.index)
    first = {b: i for i, b in enumerate(dict.fromkeys(block))}
    order = pd.DataFrame({"block": block.map(first).to_numpy(),
                          "theme": table["theme"].astype(str).map(rank).to_numpy(), "pos": np.arange(len(table))})
    table = table.iloc[order.sort_values(["block", "theme", "pos"], kind="stable").index].reset_index(drop=True)
    labels = {str(t["id"]): t.get("label") or t["id"] for t in codebook or ()}
    table.insert(table.columns.get_loc("label") + 1 if "label" in table.columns else len(table.columns),
                 "parent_label", table["theme"].astype(str).map(lambda t: labels.get(parents.get(t)) if t in parents
                                                                  else None))
    at = list(headers).index("label") + 1 if "label" in headers else len(headers)
    items = list(headers.items())
    return table, dict(items[:at] + [("parent_label", say("Overordnet tema", language))] + items[at:])


#: the workbook's language (document property dc:language: screen readers pick their voice by it)
WORKBOOK_LANGUAGE = "nb-NO"
#: the line of the sheet «Metode» that spells out the abbreviations of the sheets' headers (WCAG 3.1.4)
ABBREVIATIONS_KEY = METHOD_NAMES["abbreviations"]
ABBREVIATIONS = ("KI = konfidensintervall (95\u00a0%: KI nedre og KI øvre er grensene); BH = Benjamini–Hochberg "
                 "(p-verdien er justert for mange sammenligninger innen hver tabell); pp = prosentpoeng (forskjellen "
                 "mellom to prosentandeler); n = antall; p = p-verdi")


def _language(r: ReportData) -> str:
    """The report's language ("nb" for report data without one)."""
    return getattr(r, "language", None) or "nb"


def workbook_title(r: ReportData) -> str:
    """The document title (property dc:title), as the HTML report's <title>."""
    what = say("fritekstrapport", _language(r))
    title = shown_title(r)
    return f"{title} – {what} {r.current_wave}" if r.waves else f"{title} – {what}"


def abbreviations_note(r: ReportData) -> str:
    """:data:`ABBREVIATIONS` and the abbreviations of the report's theme and indicator labels, spelled out."""
    from .html import abbreviations

    labels = [*r.themes["label"].dropna(), *r.indicators["label"].dropna()]
    extra = "".join(f"; {a['abbr']} = {a['title']}"
                    for a in abbreviations(dict.fromkeys(labels), r.codebook, _language(r)) if a["abbr"] != "BH")
    return say(ABBREVIATIONS, _language(r)) + extra + "."


def _sheet_rows(r: ReportData, attr: str) -> pd.DataFrame:
    """The report table of a sheet; the quotes in the HTML's order (questions as listed, themes by share); «Endring»
    with every comparison pair and segment row of the summary (:attr:`ReportData.change_table`) when it has them."""
    if attr == "quotes":
        return quotes_in_report_order(r.quotes, r.themes, r.questions, r.current_wave)
    if attr == "changes" and r.change_table is not None and not r.change_table.empty:
        return r.change_table  # every comparison the summary publishes, overall and by segment
    return getattr(r, attr)


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


def _with_notes(lines: list[tuple[str, str]], notes: list[str], language: str = "nb") -> list[tuple[str, str]]:
    """The method lines with ``notes`` added to the line «Merknader» (made when there is none)."""
    if not notes:
        return lines
    key = say(METHOD_NAMES["warnings"], language)
    for i, (k, v) in enumerate(lines):
        if k == key:
            return lines[:i] + [(k, "; ".join([v, *notes]))] + lines[i + 1:]
    return lines + [(key, " ".join(notes))]


def _scale_headers(r: ReportData, headers: dict[str, str]) -> dict[str, str]:
    """«Snitt (1–5)», «Andel positive (4–5)»: the mean's and the share's headers with the survey definition's
    scale and positive codes (as the HTML says them; plain «Snitt»/«Andel positive» when unknown)."""
    labels = r.method.get("labels") or {}
    scale, positive = labels.get("scale"), labels.get("positive")
    if scale:
        headers = {**headers, "mean": f"{say('Snitt', _language(r))} ({scale})"}
    if positive and "share" in headers:
        headers = {**headers, "share": f"{say(headers['share'], _language(r))} ({positive})"}
    return headers


CODED_HEADERS = {"respondent_id": "Respondent-id", "wave": "Måling", "question": "Spørsmål",
                 "question_label": "Spørsmålstekst", "text_clean": "Kommentar (anonymisert)", "themes": "Temaer",
                 "theme_labels": "Temanavn", "type": "Type",
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
    (small cells, health comments; a comment's mention of its writer's own value of a segment the rows leave out or
    blank masked, with the blanking computed once: ``mask`` of :func:`safe_coded_rows`) without the ``omit`` columns,
    the segments declared ``attribution: false`` (method data ``unattributed``; the service leaves them out too) and
    ``health_flag``.
    The levels the report's tables name «Liten gruppe N» (``r.small_levels``, the mapping of
    :func:`textmine.report.views.report_from_summary`) carry that name here too.
    When any respondent id is personal data (:func:`report_personal_ids`), the id column is left out and the rows
    get a running number (:data:`ROW_NUMBER`) instead. Returns (rows, counts: ``small``, ``health``, ``weight``,
    ``personal_ids``)."""
    omit = set(omit) | set((r.method or {}).get("unattributed") or ())
    segments = [c for c in r.segments if c in r.coded.columns and c not in omit]
    columns = [c for c in r.segments if c in r.coded.columns]
    rows, n_small, n_health = safe_coded_rows(r.coded, segments, _min_cell(r),
                                              mask=_report_survey(r, columns, segments) if columns else None)
    counts = {"small": n_small, "health": n_health, "weight": int(rows.attrs.get(WEIGHT_BLANKED_ATTR, 0)),
              "personal_ids": 0}
    rows = rows.drop(columns=[c for c in rows.columns if c in omit or c == "health_flag"])
    rows = neutral_row_levels(rows, r.small_levels, segments)  # the tables' «Liten gruppe N»
    if "respondent_id" in rows.columns:
        counts["personal_ids"] = report_personal_ids(r)
        if counts["personal_ids"]:
            rows = rows.drop(columns=["respondent_id"])
            rows.insert(0, ROW_NUMBER, np.arange(1, len(rows) + 1, dtype="int64"))
    return rows, counts


def _report_survey(r: ReportData, segments: list[str], shown: list[str]) -> SurveyDefinition:
    """The report's ``segments`` as a survey definition for the masking: labels and declared levels with their
    display text from the method data (``labels``), ``attribution`` only for the ``shown`` ones, the report's
    ``min_cell``, and the definition's ``aliases`` (method data ``labels``; a county's built-in aliases apply too)."""
    from ..survey import Segment

    labels = (r.method or {}).get("labels") or {}
    values, aliases = labels.get("values") or {}, labels.get("aliases") or {}
    return SurveyDefinition(name="report", id_column="respondent_id", min_cell=_min_cell(r), segments=tuple(
        Segment(c, str(r.segments.get(c) or c), tuple(map(str, values.get(c) or {})),
                {str(k): str(v) for k, v in (values.get(c) or {}).items()}, attribution=c in shown,
                aliases={str(k): tuple(map(str, v)) for k, v in (aliases.get(c) or {}).items()})
        for c in segments))


def personal_id_note(id_column: str, n: int, language: str = "nb") -> str:
    """The method note on a respondent id left out of the row-level exports because it holds personal data."""
    ids = "id" if n == 1 else say("id-er", language)
    return say("Respondent-id («{column}») er utelatt fra de radvise eksportene fordi {n} {ids} inneholder "
               "personopplysninger (for eksempel fødselsnummer, telefonnummer, e-post eller navn); radene er i stedet "
               "nummerert («{header}»).", language, column=id_column, n=fmt_int(n), ids=ids,
               header=say(ROW_NUMBER_HEADER, language))


def reader_rows(r: ReportData, coded: pd.DataFrame) -> pd.DataFrame:
    """The row-level rows as «Kodede svar» shows them: language names in Norwegian, and beside the ids that other
    tools read (``question``, ``themes``) the question's wording (``question_label``, when the report has wordings)
    and the themes' labels (``theme_labels``, «; »-joined, when it has a codebook)."""
    coded = coded.copy()
    if "language" in coded.columns:
        coded["language"] = coded["language"].map(lambda v: LANGUAGE_NAMES.get(v, v) if isinstance(v, str) else v)
    if "question" in coded.columns and r.questions:
        coded.insert(coded.columns.get_loc("question") + 1, "question_label",
                     coded["question"].map(lambda q: r.questions.get(q, q) if isinstance(q, str) else q))
    if "themes" in coded.columns and r.codebook:  # (an earlier codebook's themes too: a wave coded with it)
        labels = all_theme_labels(r)
        coded.insert(coded.columns.get_loc("themes") + 1, "theme_labels",
                     coded["themes"].map(lambda v: theme_names(v, labels)))
    return coded


def all_theme_labels(r: ReportData) -> dict[str, str]:
    """Theme id → label over every codebook the report's waves used (an earlier version's themes too, the latest
    label winning), labels two ids share told apart (:func:`textmine.texttables.distinct_labels`)."""
    versions = (r.method or {}).get("codebook_versions") if isinstance(r.method, dict) else None
    return distinct_labels({t["id"]: t.get("label") or t["id"]
                            for t in [*(t for v in versions or () for t in v["themes"]), *(r.codebook or ())]})


def theme_names(themes, labels: Mapping[str, str]) -> str | None:
    """«a;b» (theme ids) → «A; B» (their labels; an unknown id as itself)."""
    if not isinstance(themes, str) or not themes.strip():
        return None
    return "; ".join(labels.get(t.strip(), t.strip()) for t in themes.split(";") if t.strip())


def _write_coded(wb, r: ReportData, omit: set[str], *, warning: str | None = None) -> str:
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
    coded = reader_rows(r, coded)
    lang = _language(r)
    if lang != "nb" and "text_clean" in coded.columns:  # (the marker of a hidden comment, in the report's language)
        coded["text_clean"] = coded["text_clean"].map(lambda v: say(HEALTH_NOTE, lang) if v == HEALTH_NOTE else v)
    fixed = {k: say(v, lang) for k, v in CODED_HEADERS.items()}
    first = {ROW_NUMBER: say(ROW_NUMBER_HEADER, lang), **{k: fixed[k] for k in ("respondent_id", "wave")}}
    # then the survey's columns, as coded_view
    headers = {**first, **{k: say(v, lang) for k, v in SAMPLE_COLUMN_HEADERS.items()}, **r.segments,
               **({"vekt": say("Vekt", lang)} if lang != "nb" else {}), **(declared.get("columns") or {}), **fixed}
    _write(wb.create_sheet(say(ROW_LEVEL_SHEET, lang)), coded, headers, {"confidence": MEAN}, note=warning)
    note = row_level_note(counts["small"], counts["health"], _min_cell(r), n_weight=counts["weight"],
                          n_rows=len(coded), language=lang)
    if counts["personal_ids"]:
        note += " " + personal_id_note(str(r.method.get("id_column") or "respondent_id"), counts["personal_ids"],
                                       lang)
    elif "respondent_id" in coded.columns:
        note += " " + say(ID_KEPT_NOTE, lang, sheet=say(ROW_LEVEL_SHEET, lang))
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


def row_level_note(n_small: int, n_health: int, min_cell: int, *, n_weight: int = 0, n_rows: int | None = None,
                   language: str = "nb") -> str:
    """The one-line explanation of the row-level sheet's protections (sheet «Metode»); ``n_weight`` of ``n_rows``
    rows have their weight blanked (then weighted figures cannot be reproduced from the rows)."""
    rows = say("rad" if n_small == 1 else "rader", language)
    comments = say("kommentar" if n_health == 1 else "kommentarer", language)
    weight = ""
    if n_weight:
        weight = say(WEIGHT_NOTE, language, n=fmt_int(n_weight), total=fmt_int(n_rows if n_rows is not None
                                                                                 else n_weight),
                     sheet=say(ROW_LEVEL_SHEET, language))
    return say("«{sheet}»: {n_small} {rows} har fått segmentverdier fjernet fordi segmentet har færre enn {min_cell} "
               "kommentatorer på spørsmålet i målingen (samme grense som for tabeller og sitater). Når bare ett "
               "segment er for lite, er også det nest minste fjernet, og en respondent som er fjernet i én rad, er "
               "fjernet i alle sine rader. Også kombinasjoner av segmenter (for eksempel fylke og sektor) med færre "
               "enn {min_cell} kommentatorer er brutt opp ved at verdien i ett av segmentene er fjernet.{weight} "
               "{n_health} {comments} med sensitive personopplysninger (helse, religion, legning, etnisitet, "
               "politikk, fagforening, straff) er erstattet med «{note}» (temakodene er beholdt).", language,
               sheet=say(ROW_LEVEL_SHEET, language), n_small=fmt_int(n_small), rows=rows, min_cell=min_cell,
               weight=weight, n_health=fmt_int(n_health), comments=comments, note=say(HEALTH_NOTE, language))


#: the row-level note's sentence on the blanked weight (:func:`row_level_note`)
WEIGHT_NOTE = (" Vekten er fjernet i {n} av {total} rader (de samme radene), fordi den kan røpe segmentet (f.eks. "
               "fylket) den er beregnet fra; vektede tall kan derfor ikke regnes ut igjen fra «{sheet}» eller "
               "kodede_svar.sav.")
#: the method note when the row-level exports keep the respondent id (``textmine report --with-respondent-id``)
ID_KEPT_NOTE = ("Respondent-id-en er tatt med i «{sheet}» og kodede_svar.sav slik at radene kan kobles tilbake til "
                "undersøkelsen; den er en personopplysning, så del filene bare med dem som trenger dem.")

#: ``attrs`` key of :func:`safe_coded_rows`' frame: the number of rows whose weight (and other per-respondent
#: columns) was blanked with their segment values
WEIGHT_BLANKED_ATTR = "weight_blanked"

# columns of the row-level rows that are not per-respondent values which could give a blanked segment back
_CODED_COLUMNS = frozenset(CODED_HEADERS) | {"health_flag"}


def safe_coded_rows(coded: pd.DataFrame, segments: list[str], min_cell: int, *,
                    weight_columns: Iterable[str] | None = None,
                    mask: SurveyDefinition | None = None) -> tuple[pd.DataFrame, int, int]:
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

    * Own values in the text (``mask``: the segments as a survey definition, :func:`_report_survey`): a comment's
      mention of its writer's own value of a segment not shown (not in ``segments``, or blanked here) is masked
      («[FYLKE]»), as :func:`textmine.summary.mask_withheld_mentions` does, from the blanking just computed (it would
      compute it again).

    ``n small`` counts the rows with any segment value blanked. ``coded`` is not changed."""
    out = coded.copy()
    changed = _blank_small_cells(out, segments, min_cell)
    if mask is not None:
        _mask_withheld(out, coded, mask, segments)
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


def _mask_withheld(out: pd.DataFrame, coded: pd.DataFrame, survey: SurveyDefinition, shown: list[str]) -> None:
    """Mask (in ``out``, in place) each comment's mention of its writer's own value (``coded``, before blanking) of
    every ``survey`` segment that ``out`` does not show: not in ``shown``, or blanked in the row. The masking of
    :func:`textmine.summary.mask_withheld_mentions`, given only the withheld values (a shown value is passed as
    missing, so it is not masked), so that it does not compute the blanking again."""
    from ..summary import mask_withheld_mentions

    columns = [s.column for s in survey.segments if s.column in coded.columns]
    if "text_clean" not in out.columns or not columns or not len(out):
        return
    withheld = coded.copy()
    for c in columns:
        if c in shown and c in out.columns:
            withheld[c] = coded[c].astype(object).where(out[c].isna().to_numpy(), None)
    hidden = dataclasses.replace(survey, segments=tuple(dataclasses.replace(g, attribution=False)
                                                        for g in survey.segments))
    out["text_clean"] = mask_withheld_mentions(withheld, hidden)["text_clean"].to_numpy()


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
