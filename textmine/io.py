"""Reading and writing survey tables: CSV (delimiter, decimal comma and encoding detected), Excel,
SPSS .sav (value labels and user-missing codes via pyreadstat) and Parquet.

Every failure is a :class:`TableReadError` naming the file and, where it applies, the row and column.
Row numbers are as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io as _io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .survey import SurveyDefinition

__all__ = ["TableReadError", "read_table", "write_table", "detect_csv_format", "apply_value_labels"]

DELIMITERS = (",", ";", "\t", "|")
_INT_RE = re.compile(r"^[+-]?\d+$")
_DOT_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_COMMA_RE = re.compile(r"^[+-]?(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(,\d+)?$")


class TableReadError(ValueError):
    """A survey file could not be read; ``file``, ``row`` and ``column`` say where (None if not applicable)."""

    def __init__(self, message: str, *, file: str | Path | None = None, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = (str(file) if file else None), row, column
        where = ", ".join(
            x for x in (str(file) if file else "", f"row {row}" if row is not None else "", f"column {column}" if column else "") if x
        )
        super().__init__(f"{where}: {message}" if where else message)


# ---------------------------------------------------------------------------- CSV
def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Decode bytes: explicit encoding, UTF-8 (BOM stripped), else cp1252/latin-1; mixed files are errors."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as e:
            raise _encoding_error(raw, e, path, encoding) from None
        except LookupError:
            raise TableReadError(f"unknown encoding {encoding!r}", file=path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            e.start += 3
            raise _encoding_error(raw, e, path, "utf-8 (file has a UTF-8 BOM)") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        # Valid multi-byte UTF-8 sequences plus invalid bytes = a mixed file; decoding it as cp1252 would
        # silently turn "ø" into "Ã¸" for part of the rows.
        if re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", raw):
            raise _encoding_error(raw, e, path, "utf-8 (the file mixes UTF-8 and another encoding)") from None
    for enc in ("cp1252", "latin-1"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise TableReadError("could not decode file", file=path)  # pragma: no cover (latin-1 decodes anything)


def _encoding_error(raw: bytes, e: UnicodeDecodeError, path: Path, enc: str) -> TableReadError:
    line = raw.count(b"\n", 0, e.start) + 1
    line_start = raw.rfind(b"\n", 0, e.start) + 1
    prefix = raw[line_start:e.start].decode("utf-8", errors="replace")
    column = None
    header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    for d in DELIMITERS:
        if d in header:
            names = next(csv.reader([header], delimiter=d))
            idx = prefix.count(d)
            column = names[idx].strip() if idx < len(names) else None
            break
    return TableReadError(
        f"byte 0x{raw[e.start]:02x} at character {len(prefix) + 1} is not valid {enc}; "
        "save the file as UTF-8 or pass the right encoding",
        file=path,
        row=line,
        column=column,
    )


def detect_csv_format(text: str) -> dict[str, str]:
    """Guess ``delimiter`` (one of , ; tab |) and ``decimal`` (. or ,) from the first lines of a CSV text."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", (-1, -1)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = d, score
    decimal = "."
    if best != ",":
        body = "\n".join(lines[1:])
        cells = [c.strip() for r in csv.reader(body.splitlines(), delimiter=best) for c in r]
        commas = sum(bool(re.fullmatch(r"[+-]?\d+,\d+", c)) for c in cells)
        dots = sum(bool(re.fullmatch(r"[+-]?\d+\.\d+", c)) for c in cells)
        decimal = "," if commas > dots else "."
    return {"delimiter": best, "decimal": decimal}


def _convert_column(s: pd.Series, decimal: str) -> pd.Series:
    """Strings → Int64/float where every non-empty value is numeric; empty → missing; else keep strings."""
    s = s.str.strip()
    empty = s == ""
    vals = s[~empty]
    if len(vals) == 0:
        return pd.Series(np.nan, index=s.index, dtype=float)
    if vals.str.fullmatch(_INT_RE).all() and not (vals.str.len() > 1).mul(vals.str.startswith("0")).any():
        out = pd.to_numeric(s.where(~empty), errors="coerce")
        return out.astype("Int64") if not empty.any() else out.astype(float)
    if vals.str.fullmatch(_DOT_RE).all():
        return pd.to_numeric(s.where(~empty), errors="coerce").astype(float)
    if decimal == "," and vals.str.fullmatch(_COMMA_RE).all():
        cleaned = s.str.replace(r"[ \u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
        return pd.to_numeric(cleaned.where(~empty), errors="coerce").astype(float)
    return s.where(~empty)


def _read_csv(path: Path, *, encoding: str | None, delimiter: str | None, decimal: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise TableReadError("file is empty", file=path)
    text, enc = _decode(raw, path, encoding)
    fmt = detect_csv_format(text)
    delimiter = delimiter or fmt["delimiter"]
    decimal = decimal or fmt["decimal"]
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as e:
        raise TableReadError(f"could not parse header: {e}", file=path, row=1) from None
    header = [h.strip() for h in header]
    for j, h in enumerate(header):
        if not h:
            raise TableReadError(f"empty column name in header (position {j + 1})", file=path, row=1)
    dups = sorted({h for h in header if header.count(h) > 1})
    if dups:
        raise TableReadError(f"duplicate column name(s) in header: {', '.join(dups)}", file=path, row=1, column=dups[0])
    k = len(header)
    rows: list[list[str]] = []
    try:
        for r in reader:
            if not r or (len(r) == 1 and not r[0].strip()):
                continue
            if len(r) != k:
                line = reader.line_num
                col = header[k - 1] if len(r) > k else header[len(r)] if len(r) < k else None
                raise TableReadError(
                    f"expected {k} fields (as in the header), found {len(r)}"
                    + (f"; first missing column is {header[len(r)]}" if len(r) < k else "; extra field(s) after the last column"),
                    file=path,
                    row=line,
                    column=col,
                )
            rows.append(r)
    except csv.Error as e:
        raise TableReadError(f"malformed CSV: {e}", file=path, row=reader.line_num) from None
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    for c in df.columns:
        df[c] = _convert_column(df[c].astype(str), decimal)
    df.attrs.update({"source": str(path), "encoding": enc, "delimiter": delimiter, "decimal": decimal, "first_data_row": 2})
    return df


# ---------------------------------------------------------------------------- other formats
def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds
        raise TableReadError(f"not a readable .xlsx workbook ({e.__class__.__name__}: {e})", file=path) from None
    names = wb.sheetnames
    wb.close()
    if sheet is None:
        sheet = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise TableReadError(f"sheet index {sheet} out of range (sheets: {', '.join(names)})", file=path)
        sheet = names[sheet]
    elif sheet not in names:
        raise TableReadError(f"no sheet named {sheet!r} (sheets: {', '.join(names)})", file=path)
    df = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", dtype=object)
    header = [str(c).strip() for c in df.columns]
    bad = [i for i, c in enumerate(df.columns) if str(c).startswith("Unnamed:")]
    if bad:
        raise TableReadError(f"empty column name in header (position {bad[0] + 1})", file=path, row=1)
    df.columns = header
    df = df.dropna(how="all")
    for c in df.columns:
        col = df[c]
        if col.map(lambda v: isinstance(v, str)).any():
            df[c] = _convert_column(col.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)), ".")
        else:
            df[c] = pd.to_numeric(col, errors="coerce")
            if df[c].notna().all() and (df[c] % 1 == 0).all():
                df[c] = df[c].astype("Int64")
    df.attrs.update({"source": f"{path} [{sheet}]", "sheet": sheet, "first_data_row": 2})
    return df


def _read_sav(path: Path) -> pd.DataFrame:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except Exception as e:  # noqa: BLE001
        raise TableReadError(f"not a readable SPSS .sav file ({e})", file=path) from None
    missing: dict[str, list] = {}
    for col, vals in (meta.missing_user_values or {}).items():
        missing[col] = list(vals)
    for col, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if lo is not None and hi is not None and float(hi) - float(lo) < 1000:
                missing.setdefault(col, []).extend(range(int(np.ceil(lo)), int(np.floor(hi)) + 1))
    for c in df.columns:
        if df[c].dtype == float and df[c].notna().all() and (df[c] % 1 == 0).all():
            df[c] = df[c].astype("Int64")
        elif df[c].dtype == object:
            df[c] = df[c].map(lambda v: v if v not in ("",) else None)
    df.attrs.update(
        {
            "source": str(path),
            "first_data_row": 1,
            "value_labels": {k: {(int(a) if isinstance(a, float) and a.is_integer() else a): b for a, b in v.items()} for k, v in (meta.variable_value_labels or {}).items()},
            "missing_codes": {k: sorted(set(v)) for k, v in missing.items()},
            "column_labels": dict(zip(meta.column_names, meta.column_labels or [])),
        }
    )
    return df


def apply_value_labels(df: pd.DataFrame, columns: Sequence[str] | None = None, labels: dict | None = None) -> pd.DataFrame:
    """Replace codes by their value labels (from ``df.attrs['value_labels']`` unless given) in ``columns``."""
    labels = labels if labels is not None else df.attrs.get("value_labels", {})
    out = df.copy()
    for c in columns if columns is not None else list(labels):
        if c in labels and c in out.columns:
            lab = labels[c]
            out[c] = out[c].map(lambda v, lab=lab: lab.get(int(v) if isinstance(v, (float, np.floating)) and float(v).is_integer() else v, v) if pd.notna(v) else v).astype(object)
    out.attrs = dict(df.attrs)
    return out


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    survey: "SurveyDefinition | None" = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Read a survey table (.csv/.txt/.tsv, .xlsx/.xlsm, .sav, .parquet) into a DataFrame.

    CSV: encoding (UTF-8 with/without BOM, cp1252, latin-1), delimiter and decimal comma are detected
    unless given. SAV: codes are kept (so "vet ikke" codes stay visible), user-missing codes retained;
    value labels, missing codes and column labels go to ``df.attrs``. With ``survey``, segment columns
    of a .sav get their value labels applied, the respondent id becomes a string, and (if ``validate``)
    the table is checked with :meth:`SurveyDefinition.validate_frame` (errors re-raised as TableReadError).
    """
    path = Path(path)
    if not path.exists():
        raise TableReadError("file not found", file=path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(path, encoding=encoding, delimiter=delimiter or ("\t" if suffix == ".tsv" else None), decimal=decimal)
    elif suffix in (".xlsx", ".xlsm"):
        df = _read_excel(path, sheet)
    elif suffix == ".sav":
        df = _read_sav(path)
    elif suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as e:  # noqa: BLE001
            raise TableReadError(f"not a readable Parquet file ({e})", file=path) from None
        df.attrs.update({"source": str(path), "first_data_row": 1})
    else:
        raise TableReadError(f"unsupported file type {suffix!r} (use .csv, .xlsx, .sav or .parquet)", file=path)
    if survey is not None:
        attrs = dict(df.attrs)
        if suffix == ".sav":
            df = apply_value_labels(df, [s.column for s in survey.segments])
            notes = []
            for ind in survey.indicators:  # declared SPSS missing codes the survey does not name → missing
                codes = [c for c in attrs.get("missing_codes", {}).get(ind.column, []) if c not in ind.scale and c not in ind.excluded]
                if codes and ind.column in df.columns:
                    hit = df[ind.column].isin(codes)
                    if hit.any():
                        df[ind.column] = df[ind.column].astype(float).mask(hit)
                        notes.append(f"{path}: column {ind.column}: {int(hit.sum())} value(s) with SPSS missing code(s) {codes} treated as missing")
            attrs["missing_notes"] = notes
        if survey.id_column in df.columns:
            df[survey.id_column] = df[survey.id_column].map(lambda v: None if pd.isna(v) else (str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)))
        df.attrs = attrs
        if validate:
            from .survey import SurveyDefinitionError

            try:
                df.attrs["warnings"] = list(attrs.get("missing_notes", [])) + survey.validate_frame(df)
            except SurveyDefinitionError as e:
                raise TableReadError(str(e)) from None
    return df


def write_table(df: pd.DataFrame, path: str | Path, **kw: Any) -> Path:
    """Write by extension: .csv (UTF-8, ','), .xlsx, .parquet, .sav (pyreadstat; ``kw`` passed on), .json (records)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.to_csv(path, index=False, encoding="utf-8", **kw)
    elif suffix in (".xlsx", ".xlsm"):
        df.to_excel(path, index=False, engine="openpyxl", **kw)
    elif suffix in (".parquet", ".pq"):
        df.to_parquet(path, index=False, **kw)
    elif suffix == ".sav":
        import pyreadstat

        pyreadstat.write_sav(df, str(path), **kw)
    elif suffix == ".json":
        df.to_json(path, orient="records", force_ascii=False, indent=1, **kw)
    else:
        raise ValueError(f"{path}: unsupported output type {suffix!r}")
    return path
