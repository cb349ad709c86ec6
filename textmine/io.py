"""Reading and writing survey tables: CSV (delimiter, decimal comma and encoding detected), Excel,
SPSS .sav (value labels and user-missing codes via pyreadstat) and Parquet.

Every failure is a :class:`TableReadError` naming the file and, where it applies, the row and column.
Row numbers are as a spreadsheet shows them: the header is row 1 (or ``header_row``, below a title), the first
data row the one after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import json
import os
import re
import uuid
import warnings
from pathlib import Path
from contextlib import contextmanager
from functools import lru_cache
from operator import methodcaller
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .survey import Segment, SurveyDefinition

__all__ = ["TableReadError", "read_table", "column_names_text", "header_looks_like_data", "write_table", "check_output", "check_output_dir", "spss_names",
           "detect_csv_format", "apply_value_labels", "excel_overlong_cells", "sniff_csv", "csv_options",
           "CSV_SEPARATORS"]

DELIMITERS = (",", ";", "\t", "|")
#: number patterns for ``Series.str.fullmatch``: ASCII digits only ([0-9], not \d: «４» or «٣» is not a number
#: pandas can convert, and would be lost) and spaces as literal characters, so that pyarrow runs them (RE2, not a
#: Python loop per cell: half the conversion time of a 50,000-row × 125-column CSV)
_INT_RE = "[+-]?[0-9]+"
_DOT_RE = "[+-]?([0-9]+[.][0-9]*|[.][0-9]+|[0-9]+)([eE][+-]?[0-9]+)?"
_GROUP_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space (thousands separators)
_COMMA_RE = f"[+-]?([0-9]{{1,3}}(?:[{_GROUP_SPACES}][0-9]{{3}})+|[0-9]+)(,[0-9]+)?([eE][+-]?[0-9]+)?"  # «2,1E-05»


class TableReadError(ValueError):
    """A survey file could not be read; ``file``, ``row`` and ``column`` say where (None if not applicable)."""

    def __init__(self, message: str, *, file: str | Path | None = None, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column, self.message = (str(file) if file else None), row, column, message
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
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" (UTF-16, tab-separated)
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise _encoding_error(raw, e, path, "utf-16 (file has a UTF-16 BOM)") from None
    _refuse_utf16_without_bom(raw, path)
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


def _refuse_utf16_without_bom(raw: bytes, path: Path) -> None:
    """A text with a NUL byte at most odd (or even) positions of its start is UTF-16 without a byte-order mark
    (read as UTF-8 it would be ``\\x00w\\x00a…``): say so, with the encoding to pass."""
    head = raw[:4096]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or len(head) < 4 or b"\x00" not in head:
        return
    even, odd = head[0::2], head[1::2]
    for part, enc in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if part.count(0) >= 0.6 * len(part):
            raise TableReadError(f"the file looks like UTF-16 ({enc}) without a byte-order mark (a NUL byte every other "
                                 f"byte); save it as UTF-8 text, or pass encoding='{enc}'", file=path)


#: a line end as the CSV reader counts rows: LF, CRLF or a bare CR (old Mac/Excel exports)
_LINE_END = re.compile(rb"\r\n?|\n")


def _encoding_error(raw: bytes, e: UnicodeDecodeError, path: Path, enc: str) -> TableReadError:
    ends = [m.end() for m in _LINE_END.finditer(raw, 0, e.start)]
    line, line_start = len(ends) + 1, (ends[-1] if ends else 0)
    prefix = raw[line_start:e.start].decode("utf-8", errors="replace")
    column = None
    header = _LINE_END.split(raw, 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
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


def sniff_csv(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
              block: int = 1 << 20) -> dict[str, str]:
    """Encoding and delimiter of a CSV file, as :func:`read_table` would find them, without loading it all
    (for streaming readers): ``{"encoding", "delimiter", "decimal"}``. The file is decoded block by block,
    so an invalid byte anywhere is found (a :class:`TableReadError` naming the file, row and column)."""
    import codecs

    path = Path(path)
    if not path.exists():
        raise TableReadError("file not found", file=path)
    with open(path, "rb") as fh:
        head = fh.read(block)
    if not head.strip():
        raise TableReadError("file is empty", file=path)
    if encoding is None:
        _refuse_utf16_without_bom(head, path)
        encoding = ("utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff"))
                    else "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8")
        dec = codecs.getincrementaldecoder(encoding)()
        saw_multibyte = False
        with open(path, "rb") as fh:
            while True:
                chunk = fh.read(block)
                try:
                    dec.decode(chunk, final=not chunk)
                except UnicodeDecodeError:
                    if encoding in ("utf-8-sig", "utf-16") or saw_multibyte or re.search(
                            rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", chunk):
                        _decode(path.read_bytes(), path, None)  # raises the error naming row and column
                    encoding = "cp1252"
                    break
                saw_multibyte = saw_multibyte or bool(re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", chunk))
                if not chunk:
                    break
        if encoding == "cp1252":
            try:
                with open(path, "rb") as fh:
                    dec = codecs.getincrementaldecoder("cp1252")()
                    while chunk := fh.read(block):
                        dec.decode(chunk)
            except UnicodeDecodeError:
                encoding = "latin-1"
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise TableReadError(f"unknown encoding {encoding!r}", file=path) from None
    text = head.decode(encoding, errors="replace")
    if len(head) == block:  # cut to whole lines (LF, CRLF or CR line ends)
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1] or text
    fmt = detect_csv_format(text)
    return {"encoding": encoding, "delimiter": delimiter or fmt["delimiter"], "decimal": fmt["decimal"]}


def _convert_column(s: pd.Series, decimal: str) -> pd.Series:
    """Strings → Int64/float where every non-empty value is numeric; empty → missing; else keep strings.

    Integer columns with blanks stay integers (nullable ``Int64``, so ``4`` is not written back as ``4.0``);
    a column with a zero-padded integer (``0123``, an id or a personal number) stays text.
    """
    s = s.str.strip()
    empty = s == ""
    vals = s[~empty]
    if len(vals) == 0:
        return pd.Series(np.nan, index=s.index, dtype=float)
    if vals.str.fullmatch("[+-]?0[0-9]+").any():  # zero-padded codes/ids are text, not numbers
        return s.where(~empty)
    if vals.str.fullmatch(_INT_RE).all():
        out = pd.to_numeric(s.where(~empty), errors="coerce")
        if out.dropna().abs().max() < 2**63:
            return out.astype("Int64")
        return s.where(~empty)
    if vals.str.fullmatch(_DOT_RE).all():
        return pd.to_numeric(s.where(~empty), errors="coerce").astype(float)
    if decimal == "," and vals.str.fullmatch(_COMMA_RE).all():
        cleaned = s.str.replace(f"[{_GROUP_SPACES}]", "", regex=True).str.replace(",", ".", regex=False)
        return pd.to_numeric(cleaned.where(~empty), errors="coerce").astype(float)
    return s.where(~empty)


def _decimal_comma_weights(df: pd.DataFrame, column: str | None) -> pd.DataFrame:
    """The survey's weight column, read as text because its numbers have a decimal comma («0,9124» quoted in a comma
    CSV, or typed as Excel text), as numbers. Only there: elsewhere «1,2» may be a multi-select answer (codes 1 and
    2), which no rule can tell from one point two."""
    if not column or column not in df.columns or pd.api.types.is_numeric_dtype(df[column]):
        return df
    s = df[column].map(lambda v: v.strip() if isinstance(v, str) else v)
    texts = s[s.map(lambda v: isinstance(v, str) and v != "")]
    if len(texts) == 0 or not _decimal_comma_only(texts.astype(str)):
        return df
    df = df.copy()
    df[column] = pd.to_numeric(s.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v)
                               .replace("", np.nan), errors="coerce").astype(float)
    return df


def _decimal_comma_only(vals: pd.Series) -> bool:
    """Every value an integer or a decimal-comma number (``0,9124``), some with a comma, and not all of those
    with exactly three decimals (``1,234`` may be a thousand two hundred and thirty-four)."""
    if not vals.str.fullmatch(r"[+-]?\d+(?:,\d+)?").all():
        return False
    decimals = vals[vals.str.contains(",", regex=False)].str.split(",").str[1].str.len()
    return bool(len(decimals)) and not (decimals == 3).all()


def _text_column(s: pd.Series) -> pd.Series:
    """A column read as free text: every value a string exactly as written; blank cells → missing.

    Numbers stored as numbers (Excel, SPSS, Parquet) are written without a spurious ``.0``."""

    def one(v):
        if v is None or v is pd.NA:
            return None
        if isinstance(v, (float, np.floating)):
            if np.isnan(v):
                return None
            return str(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return str(int(v))
        v = v if isinstance(v, str) else str(v)
        return v if v.strip() else None

    return pd.Series([one(v) for v in s.tolist()], index=s.index, dtype=object)


HEADER_ROW_HINT = "if the column names are on a later row (a title above them), pass header_row=N"
HEADER_MISSING_HINT = "the first row looks like data, not column names: is the header missing?"
#: a column name longer than this is shown as its first words and "…" in messages
NAME_SHOWN = 40
_LONG_DIGITS = re.compile(r"\d{8,}")


def _shown_name(name: Any) -> tuple[str, bool]:
    """A column name for a message (personal data redacted, long names cut to their first words + "…") and whether
    the redaction found personal data in it."""
    from .preprocess import redact

    text = " ".join(str(name).split())
    masked, counts = redact(text) if text else ("", {})
    masked = _LONG_DIGITS.sub("[TALL]", masked)
    if len(masked) > NAME_SHOWN:
        cut = ""
        for word in masked.split():
            if len(cut) + len(word) + 1 > NAME_SHOWN - 1:
                break
            cut = f"{cut} {word}".strip()
        masked = (cut or masked[: NAME_SHOWN - 1]) + "…"
    return masked, bool(sum(counts.values()))


def shown_column_name(name: Any) -> str:
    """A column name as an error message or error body may show it (see :func:`column_names_text`)."""
    return _shown_name(name)[0]


def header_looks_like_data(columns: Sequence[Any]) -> bool:
    """The names read as a header look like a respondent's row: at least two kinds of data among numbers
    (``2023``, ``0.9124``), ids (five digits or more: ``AG2023-00002``) and long sentences, or personal data."""
    kinds = set()
    for c in columns:
        s = str(c).strip()
        if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", s):
            kinds.add("number")
        elif len(re.findall(r"\d", s)) >= 5:
            kinds.add("id")
        elif len(s) > NAME_SHOWN and len(s.split()) >= 6:
            kinds.add("text")
    return len(kinds) >= 2


def column_names_text(columns: Sequence[Any], shown: int = 50) -> str:
    """Column names for an error message: each redacted (the cleaning's redactor) and cut to its first words when
    long, the first ``shown`` and how many more; when they look like a row of data
    (:func:`header_looks_like_data`, or personal data in a name), :data:`HEADER_MISSING_HINT` after them."""
    columns = list(columns)
    names, pii = [], False
    for c in columns[:shown]:
        text, found = _shown_name(c)
        names.append(text)
        pii = pii or found
    out = ", ".join(names) + (f" and {len(columns) - shown} more" if len(columns) > shown else "")
    if pii or header_looks_like_data(columns):
        out += f" ({HEADER_MISSING_HINT})"
    return out


class _TrailingDelimiter:
    """A ``csv.reader`` without the empty field a delimiter at the end of each line makes: the header's (an
    unnamed last column) and then a data row's when it has one field more than the header and that field is empty.
    A header without one keeps every data row whole: a row one field too long is an error there (an unquoted comma
    in an answer would otherwise shift the answer's tail into the next column)."""

    def __init__(self, reader, path: Path, header_row: int = 1):
        self.reader, self.k, self.path, self.header_row, self.dropped = reader, None, path, header_row, False

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        r = next(self.reader)
        if self.k is None:
            if len(r) >= 2 and not r[-1].strip() and all(x.strip() for x in r[:-1]):
                r, self.dropped = r[:-1], True
            self.k = len(r)
        elif len(r) == self.k + 1 and self.dropped and not r[-1].strip():
            r = r[:-1]
        elif len(r) == self.k + 1 and self.dropped:  # the unnamed last column holds a value: it is no trailing delimiter
            raise TableReadError(f"empty column name in header (position {self.k + 1}), but row {self.line_num} holds "
                                 "a value in that column; name the column", file=self.path, row=self.header_row)
        return r


def _skip_title_rows(reader, path: Path, header_row: int) -> None:
    """Read past the rows above the header (``header_row`` counted from 1); a header row beyond the file is an error."""
    for n in range(header_row - 1):
        try:
            row = next(reader, None)
        except csv.Error as e:
            raise TableReadError(f"malformed CSV above the header: {e}", file=path, row=n + 1) from None
        if row is None:
            raise TableReadError(f"header_row {header_row} is beyond the end of the file (it has {n} row(s)); "
                                 "expected the file row holding the column names", file=path)


def _read_csv(path: Path, *, encoding: str | None, delimiter: str | None, decimal: str | None,
              text_cols: frozenset[str] = frozenset(), header_row: int = 1) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise TableReadError("file is empty", file=path)
    text, enc = _decode(raw, path, encoding)
    fmt = detect_csv_format("\n".join(text.splitlines()[header_row - 1:]))  # not from the title rows
    delimiter = delimiter or fmt["delimiter"]
    decimal = decimal or fmt["decimal"]
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    _skip_title_rows(reader, path, header_row)
    reader = _TrailingDelimiter(reader, path, header_row)
    header = csv_header(reader, path, row=header_row, hint=True)
    try:
        rows = list(csv_rows(reader, header, path))
    except TableReadError as e:
        if len(header) == 1 and header_row == 1:  # row 1 is one cell: likely a title above the column names
            raise TableReadError(f"{e.message}; {HEADER_ROW_HINT}", file=path, row=e.row,
                                 column=e.column) from None
        raise
    rows = rows[: _data_end([not any(v.strip() for v in r) for r in rows])]
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    if _field_may_start_with(text, "'", delimiter):  # (a quick look over the text first: most files have none)
        df = csv_text_from_guarded(df)  # «'- punkt» a CSV writer guarded as text is «- punkt» again, before typing
    _warn_second_header(df, header_row, path)
    for c in df.columns:
        if c in text_cols:  # free text exactly as written ("15038512345" must not become 15038512345.0)
            df[c] = _text_column(df[c])
        else:
            df[c] = _convert_column(df[c].astype(str), decimal)
    df.attrs.update({"source": str(path), "encoding": enc, "delimiter": delimiter, "decimal": decimal,
                     "first_data_row": header_row + 1})
    return df


def _field_may_start_with(text: str, char: str, delimiter: str) -> bool:
    """Whether some field of the CSV ``text`` may start with ``char``: an occurrence at the start of the text or of
    a line (LF or CR), or after ``delimiter``, behind a field's opening quote or not. False means no field does (a
    scan of the text for ``char``, then a look at the few characters before each occurrence)."""
    starts = ("\n", "\r", delimiter)
    i = text.find(char)
    while i >= 0:
        k = i - 1 if i > 0 and text[i - 1] == '"' else i
        if k == 0 or text[k - 1] in starts:
            return True
        i = text.find(char, i + 1)
    return False


def csv_header(reader, path: Path, row: int = 1, hint: bool = False) -> list[str]:
    """The header row of a ``csv.reader`` (file row ``row``): names stripped; an empty or a repeated name is an
    error naming that row (with ``hint``, an empty name on row 1 suggests ``header_row``)."""
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise TableReadError(f"could not parse header: {e}", file=path, row=row) from None
    if header is None:
        raise TableReadError("file is empty" if row == 1 else f"header_row {row} is beyond the end of the file "
                             f"(it has {row - 1} row(s)); expected the file row holding the column names", file=path)
    return _check_header([h.strip() for h in header], path, row, hint=hint)


def _check_header(header: list[str], path: Path, row: int, where: str = "header", hint: bool = False) -> list[str]:
    """Refuse an empty column name (with ``hint``, the header_row hint when the header is row 1) or a repeated one."""
    data_like = row == 1 and header_looks_like_data(header)
    for j, h in enumerate(header):
        if not h:
            more = (f"; {HEADER_MISSING_HINT}" if data_like else f"; {HEADER_ROW_HINT}" if hint and row == 1 else "")
            raise TableReadError(f"empty column name in {where} (position {j + 1}){more}", file=path, row=row)
    dups = sorted({h for h in header if header.count(h) > 1})
    if dups:
        raise TableReadError(f"duplicate column name(s) in {where}: {column_names_text(dups)}"
                             + (f"; {HEADER_MISSING_HINT}" if data_like else ""), file=path, row=row,
                             column=_shown_name(dups[0])[0])
    return header


def csv_rows(reader, header: list[str], path: Path) -> Iterator[list[str]]:
    """The data rows of a ``csv.reader`` after :func:`csv_header`: a blank line is a row of empty fields (row
    numbers stay the file's); a row with another number of fields than the header is an error naming it."""
    k = len(header)
    last = reader.line_num  # the file line the previous record ended on
    try:
        for r in reader:
            if not r or (len(r) == 1 and not r[0].strip()):
                last = reader.line_num
                yield [""] * k  # a blank line between data rows is kept: row numbers stay the file's
                continue
            if len(r) != k:
                line = reader.line_num
                col = _shown_name(header[k - 1] if len(r) > k else header[len(r)])[0]
                raise TableReadError(
                    f"expected {k} fields (as in the header), found {len(r)}"
                    + (f"; first missing column is {col}" if len(r) < k else "; extra field(s) after the last column"),
                    file=path,
                    row=line,
                    column=col,
                )
            last = reader.line_num
            yield r
    except csv.Error as e:
        start = last + 1
        stray = "expected after" in str(e)  # "',' expected after '\"'": a quote closed, then more text
        if stray and start >= reader.line_num:
            raise TableReadError(f"malformed CSV: text after a closing quote on row {start} (a \" inside a quoted "
                                 "field is written \"\"; a field with text before or after its quotes is quoted as a "
                                 "whole)", file=path, row=start) from None
        if stray:  # over several lines: most often a quote never closed, ended by the next field's opening quote
            raise TableReadError(f"malformed CSV: {e} on row {reader.line_num}; the quoted field opened on row {start} "
                                 f"is never closed (an unbalanced \"), or text follows its closing quote on row "
                                 f"{reader.line_num}", file=path, row=start) from None
        if start < reader.line_num:  # the record ran over several lines: a quote opened there is never closed
            raise TableReadError(f"malformed CSV: {e} on row {reader.line_num}; the quoted field opened on row {start} "
                                 "is never closed (an unbalanced \")", file=path, row=start) from None
        raise TableReadError(f"malformed CSV: {e}", file=path, row=reader.line_num) from None


_NUMBER_CELL = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")


#: the data rows below the first one that tell whether a column holds numbers (for :func:`_warn_second_header`)
SECOND_HEADER_SAMPLE = 200


@lru_cache(maxsize=1)
def _non_answer_phrases() -> frozenset[str]:
    from textmine.preprocess.nonanswer import NonAnswerDetector

    return NonAnswerDetector.from_wordlists().phrases


def _is_non_answer_phrase(cell: str) -> bool:
    """Whether a cell is a stock non-answer ("vet ikke", "ikke relevant", "-"), which no header row holds."""
    from textmine.preprocess.nonanswer import _simplify

    simple = _simplify(cell)
    return not any(c.isalpha() for c in simple) or simple in _non_answer_phrases()


def _warn_second_header(cells: pd.DataFrame, header_row: int, path: Path, text: Callable[[Any], str] = str) -> None:
    """Warn when the first data row looks like a second header row (question texts under the codes, or the
    codes under the texts): text in at least two columns whose other cells are all numbers, and in most of them.
    ``text``: a cell as text (the CSV's cells are text already)."""
    if len(cells) < 3:
        return
    numeric = hits = 0
    for j in range(cells.shape[1]):
        col = cells.iloc[:, j]
        top = text(col.iloc[0]).strip() if not _missing(col.iloc[0]) else ""
        if top and _NUMBER_CELL.fullmatch(top):
            continue  # a number on top: neither a hit nor a column that tells
        rest = col.iloc[1:SECOND_HEADER_SAMPLE + 1].map(lambda v: "" if _missing(v) else text(v).strip())
        rest = rest[rest != ""]
        if len(rest) and rest.str.fullmatch(_NUMBER_CELL).all():
            numeric += 1
            hits += bool(top) and not _is_non_answer_phrase(top)  # "vet ikke" under a scale item is an answer
    if hits >= 2 and hits * 2 >= numeric:
        row = header_row + 1
        warnings.warn(f"{path}: row {row} looks like a second header row (text in {hits} number column(s)): if the "
                      f"column names are on that row, pass header_row={row}; otherwise delete it", UserWarning,
                      stacklevel=4)


def _data_end(blank: Sequence[bool]) -> int:
    """How many rows to keep: up to the last row that is not blank (trailing blank rows are formatting
    residue; blank rows between data rows are kept so that row i of the table is row i of the file)."""
    n = len(blank)
    while n and blank[n - 1]:
        n -= 1
    return n


def _blank_rows(df: pd.DataFrame) -> np.ndarray:
    """Per row: every cell missing or whitespace only."""
    blank = np.ones(len(df), dtype=bool)
    for c in df.columns:
        s = df[c]
        cell = s.isna().to_numpy(dtype=bool)
        if s.dtype == object:
            cell = cell | s.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
        blank &= cell
    return blank


def _refuse_blank_rows(df: pd.DataFrame, path: Path) -> None:
    """A respondent table has one respondent per row: name the fully blank rows (spreadsheet numbers)."""
    pos = np.flatnonzero(_blank_rows(df))
    if len(pos):
        first = int(df.attrs.get("first_data_row", 2))
        rows = [int(p) + first for p in pos]
        shown = ", ".join(map(str, rows[:10])) + (f" … ({len(rows)} in all)" if len(rows) > 10 else "")
        raise TableReadError(f"the row is empty (every cell blank); expected one respondent per row — delete the "
                             f"empty row(s): {shown}", file=path, row=rows[0])


# ---------------------------------------------------------------------------- other formats
def _integers_if_possible(s: pd.Series) -> pd.Series:
    """A numeric column whose every non-missing value is a whole number → nullable ``Int64`` (blanks kept)."""
    vals = s.dropna()
    if s.dtype.kind == "f" and len(vals) and (vals % 1 == 0).all() and vals.abs().max() < 2**53:
        return s.astype("Int64")
    return s


#: decompression limits of an .xlsx, checked on the sizes its zip declares before openpyxl opens it (a zip bomb: a
#: small file whose sheet XML expands to gigabytes). Real workbooks are far below both: a 30,000-row export of the
#: sample survey (23 columns) is a 3.2 MB file holding 35 MB of XML (11×); 30,000 rows × 60 answer columns are
#: 60 MB (10–16×, the most for a sheet of one repeated value); deflate reaches ≈ 1,000×. The cap leaves room for
#: exports of a few hundred thousand rows read with the CLI (the service takes files up to 20 MB).
XLSX_MAX_UNCOMPRESSED = 1_000_000_000
XLSX_MAX_RATIO = 100
#: below this much XML the ratio is not checked (a tiny workbook may expand many times and still be harmless)
XLSX_RATIO_FLOOR = 16 << 20


def _check_xlsx_expansion(path: Path) -> None:
    """Refuse a workbook whose zip declares more uncompressed bytes than :data:`XLSX_MAX_UNCOMPRESSED`, or more
    than :data:`XLSX_MAX_RATIO` times its file size. The declared sizes cannot understate what openpyxl reads:
    Python's zipfile stops each entry at its declared size (and then fails its CRC check)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            total = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl says so in its own words below
    size = max(path.stat().st_size, 1)
    if total > XLSX_MAX_UNCOMPRESSED or (total > XLSX_RATIO_FLOOR and total > XLSX_MAX_RATIO * size):
        raise TableReadError(
            f"refused: the workbook would expand to {_size_text(total)} uncompressed from a {_size_text(size)} "
            f"file; the limit is {_size_text(XLSX_MAX_UNCOMPRESSED)} and {XLSX_MAX_RATIO} times the file size "
            "(a damaged file or a zip bomb; save it again from Excel, or export it as CSV)", file=path)


def _size_text(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _missing(v: Any) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _excel_cell_text(v: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, a date as ISO (``2023-03-01``, with the time if any)."""
    import datetime as dt

    if _missing(v):
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))
    return str(int(v)) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else str(v)


def _excel_column(col: pd.Series) -> pd.Series:
    """A column of an Excel sheet: numbers when every non-empty cell is a number (or text that reads as one:
    ``"4"``, ``"0,9124"``), dates (``datetime64``) or durations (``timedelta64``) when every non-empty cell is one;
    otherwise text, each cell as shown (a date as ISO text): no cell is ever dropped."""
    import datetime as dt

    if not col.map(lambda v: isinstance(v, str)).any():
        numbers = pd.to_numeric(col, errors="coerce")
        if numbers.notna().sum() == col.notna().sum():  # every cell a number: nothing lost
            return _integers_if_possible(numbers)
        vals = [v for v in col.tolist() if not _missing(v)]
        if all(isinstance(v, (dt.datetime, pd.Timestamp)) for v in vals):
            return pd.to_datetime(col.map(lambda v: None if _missing(v) else v))
        if vals and all(isinstance(v, dt.timedelta) for v in vals):  # ([h]:mm:ss cells, as write_table writes them)
            try:
                return pd.to_timedelta(col.map(lambda v: None if _missing(v) else v))
            except (OverflowError, ValueError):  # (over ≈ 292 years: pandas cannot hold it; kept as text below)
                pass
    return _convert_column(col.map(_excel_cell_text), ".")


#: a formula cell in sheet XML with no saved value: ``<f>…</f>`` (or ``<f …/>``) then no ``<v>`` or an empty one,
#: unless the cell is text-typed (``t="str"``: Excel saves a formula returning "" as ``<v></v>``); a saved number
#: always has digits
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)"
                           rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_TEXT_TYPED = re.compile(rb"""\bt\s*=\s*["']str["']""")


def _unsaved_formula_in(xml: bytes) -> bool:
    return any(not _TEXT_TYPED.search(m.group(1)) for m in _FORMULA_CELL.finditer(xml))
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b")


def _sheet_xml_flags(path: Path, block: int = 1 << 20) -> tuple[bool, bool]:
    """Whether any sheet of the workbook holds a formula cell without a saved value, and whether any holds merged
    cells: one pass over the sheets' XML (read in blocks), so that the slower openpyxl loads that name them run
    only for workbooks that have them."""
    import zipfile

    unsaved = merged = False
    try:
        with zipfile.ZipFile(path) as z:
            for name in (n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                tail = b""
                with z.open(name) as fh:
                    while chunk := fh.read(block):
                        text = tail + chunk
                        unsaved = unsaved or _unsaved_formula_in(text)
                        merged = merged or bool(_MERGE_CELL.search(text))
                        if unsaved and merged:
                            return True, True
                        tail = chunk[-4096:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False, False
    return unsaved, merged


def _refuse_unsaved_formulas(path: Path, sheet: str, df: pd.DataFrame, header_row: int) -> None:
    """A formula cell with no saved value (a workbook written by a tool, never saved by Excel) reads as blank:
    refuse it, naming the sheet, the first such cell's row and column and how many there are (called only for a
    workbook :func:`_sheet_xml_flags` found one in)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        hits = []
        for r, row in enumerate(wb[sheet].iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
            for j, v in enumerate(row[: df.shape[1]]):
                i = r - header_row - 1
                if isinstance(v, str) and v.startswith("=") and i < len(df) and _missing(df.iat[i, j]):
                    hits.append((r, df.columns[j]))
    finally:
        wb.close()
    if hits:
        r, c = hits[0]
        more = f" ({len(hits)} such cell(s) in all)" if len(hits) > 1 else ""
        raise TableReadError(f"sheet {sheet!r}: formula without a saved value{more}: open and save the file in Excel, "
                             "or export values", file=path, row=r, column=_shown_name(c)[0])


#: merged cells are looked for in workbooks up to this size (openpyxl reads them only with a full, slow load)
MERGED_CHECK_MAX_BYTES = 2_000_000


def _warn_merged_cells(path: Path, sheet: str, header_row: int) -> None:
    """Warn, naming the ranges, about merged cells below the header of a small workbook: only their first cell
    holds the value, the others read as blank."""
    if path.stat().st_size > MERGED_CHECK_MAX_BYTES:
        return
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception:  # noqa: BLE001 - already read once; nothing to add
        return
    try:
        ranges = [str(r) for r in wb[sheet].merged_cells.ranges if r.max_row > header_row]
    finally:
        wb.close()
    if ranges:
        shown = ", ".join(ranges[:10]) + (f" … ({len(ranges)} in all)" if len(ranges) > 10 else "")
        warnings.warn(f"{path}: sheet {sheet!r}: merged cells in the data ({shown}): only the first cell of each holds "
                      "the value, the others are read as blank — unmerge them and fill in the values", UserWarning,
                      stacklevel=4)


def _excel_sheet_frame(wb, sheet: str, path: Path, header_row: int) -> pd.DataFrame:
    """The sheet as pandas reads it (cells as objects, ``header_row`` the column names), from the workbook already
    open: opening it again would parse every sheet's XML once more (openpyxl scans a sheet without a declared
    size to the end on opening it)."""
    rows = list(wb[sheet].iter_rows(min_row=1, max_row=header_row, values_only=True))
    if header_row > 1 and len(rows) < header_row:
        raise TableReadError(f"header_row {header_row} is beyond the last row of sheet {sheet!r} (it has "
                             f"{len(rows)} row(s)); expected the file row holding the column names", file=path)
    first = rows[header_row - 1] if len(rows) >= header_row else ()
    heads = [str(h).strip() for h in first if h is not None and str(h).strip()]
    if not heads:
        raise TableReadError(f"sheet {sheet!r} is empty (no header row)" if header_row == 1 else
                             f"row {header_row} of sheet {sheet!r} is empty; expected the column names there "
                             "(header_row)", file=path, row=header_row)
    # pandas would silently rename a repeated name "<name>.1"
    _check_header(heads, path, header_row, where=f"header of sheet {sheet!r}")
    return pd.read_excel(wb, sheet_name=sheet, engine="openpyxl", dtype=object, header=header_row - 1,
                         keep_default_na=False, na_values=[""])  # «NA» typed as a comment is an answer


#: text that marks a missing value in a cell of a number column (pandas' default NA words; Excel's «#N/A»)
_EXCEL_NA_TEXTS = frozenset(["#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                             "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"])


def _excel_na_texts_missing(col: pd.Series) -> pd.Series:
    """A column other than free text with its missing-value markers («NA», «#N/A») as missing values."""
    hit = col.isin(_EXCEL_NA_TEXTS)
    return col.mask(hit) if hit.any() else col


def _read_excel(path: Path, sheet: str | int | None, text_cols: frozenset[str] = frozenset(),
                header_row: int = 1) -> pd.DataFrame:
    import openpyxl

    _check_xlsx_expansion(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds
        raise TableReadError(f"not a readable .xlsx workbook ({e.__class__.__name__}: {e})", file=path) from None
    names = wb.sheetnames
    if sheet is None:
        sheet = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            wb.close()
            raise TableReadError(f"sheet index {sheet} out of range (sheets: {', '.join(names)})", file=path)
        sheet = names[sheet]
    elif sheet not in names:
        wb.close()
        raise TableReadError(f"no sheet named {sheet!r} (sheets: {', '.join(names)})", file=path)
    try:
        df = _excel_sheet_frame(wb, sheet, path, header_row)
    finally:
        wb.close()
    header = [str(c).strip() for c in df.columns]
    bad = [i for i, c in enumerate(df.columns) if str(c).startswith("Unnamed:")]
    if bad:
        hint = f"; {HEADER_ROW_HINT}" if header_row == 1 else ""
        raise TableReadError(f"empty column name in header (position {bad[0] + 1}){hint}", file=path, row=header_row)
    df.columns = header
    for c in df.columns:
        if c not in text_cols:
            df[c] = _excel_na_texts_missing(df[c])
    unsaved, merged = _sheet_xml_flags(path)
    if unsaved:
        _refuse_unsaved_formulas(path, sheet, df, header_row)
    df = df.iloc[: _data_end(_blank_rows(df))].reset_index(drop=True)  # blank rows between data rows kept
    _warn_second_header(df, header_row, path, _excel_cell_text)
    if merged:
        _warn_merged_cells(path, sheet, header_row)
    for c in df.columns:
        df[c] = _text_column(df[c]) if c in text_cols else _excel_column(df[c])
    df.attrs.update({"source": f"{path} [{sheet}]", "sheet": sheet, "sheets": list(names),
                     "first_data_row": header_row + 1})
    return df


def _read_sav(path: Path, text_cols: frozenset[str] = frozenset(), encoding: str | None = None) -> pd.DataFrame:
    """A .sav with codes kept; ``encoding`` overrides the code page the file declares (for files whose text is not
    in it)."""
    import pyreadstat

    kw = {"user_missing": True, "apply_value_formats": False, "encoding": encoding}
    try:
        df, meta = pyreadstat.read_sav(str(path), **kw)
    except Exception as e:  # noqa: BLE001
        _refuse_sav_encoding(e, path, kw)
        df, meta = _sav_read_unconverted(path, kw)
    else:
        times = [c for c, f in (meta.original_variable_types or {}).items() if _sav_format_kind(f) == "time"]
        if times:  # (only then: a second, raw read of those columns, for their values of 24 hours or more)
            raw, raw_meta = pyreadstat.read_sav(str(path), disable_datetime_conversion=True, usecols=times, **kw)
            for c, kind in _sav_duration_columns(raw, raw_meta, path).items():
                df[c] = _sav_time_column(raw[c], kind, path, c)
                if c in (raw_meta.missing_ranges or {}):
                    meta.missing_ranges[c] = _sav_time_ranges(raw_meta.missing_ranges[c], kind)
    missing: dict[str, list] = {}
    for col, vals in (meta.missing_user_values or {}).items():
        missing[col] = list(vals)
    labels = meta.variable_value_labels or {}
    for col, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if isinstance(lo, str) or isinstance(hi, str):  # a string variable's missing codes ('NA', '99')
                missing.setdefault(col, []).extend({v for v in (lo, hi) if isinstance(v, str)})
            elif lo is not None and hi is not None:
                missing.setdefault(col, []).extend(_sav_range_codes(df.get(col), lo, hi, labels.get(col), path, col))
    for c in df.columns:
        if c in text_cols and df[c].dtype.kind in "fiu":
            df[c] = _text_column(df[c])
        elif df[c].dtype.kind == "f":
            df[c] = _integers_if_possible(df[c])
        elif df[c].dtype == object:
            df[c] = df[c].map(lambda v: v if v not in ("",) else None)
        elif pd.api.types.is_string_dtype(df[c]):
            df[c] = df[c].mask(df[c] == "")
    # SPSS definitions as pyreadstat.write_sav takes them, so that write_table(.sav) can carry them over
    spss_missing: dict[str, list] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            spss_missing.setdefault(col, []).append(lo if lo == hi else {"lo": lo, "hi": hi})
    for col, vals in (meta.missing_user_values or {}).items():
        spss_missing.setdefault(col, []).extend(v for v in vals if v not in spss_missing.get(col, []))
    df.attrs.update(
        {
            "source": str(path),
            "first_data_row": 1,
            "value_labels": {k: {(int(a) if isinstance(a, float) and a.is_integer() else a): b for a, b in v.items()} for k, v in (meta.variable_value_labels or {}).items()},
            "missing_codes": {k: sorted(set(v)) for k, v in missing.items()},
            "column_labels": dict(zip(meta.column_names, meta.column_labels or [])),
            "spss_missing": spss_missing,
            "variable_measure": dict(meta.variable_measure or {}),
            "variable_format": dict(meta.original_variable_types or {}),
        }
    )
    return df


def _refuse_sav_encoding(e: Exception, path: Path, kw: dict) -> None:
    """Raise a :class:`TableReadError` saying to pass an encoding where pyreadstat's error ``e`` is about the text's
    encoding and none was given (``kw``: the read's arguments)."""
    if "encoding" in str(e).lower() and not kw.get("encoding"):
        raise TableReadError(f"its text is not in the encoding the file declares ({e}); pass the right encoding "
                             f"(e.g. encoding='cp1252')", file=path) from None


def _sav_read_unconverted(path: Path, kw: dict) -> tuple[pd.DataFrame, Any]:
    """A .sav pyreadstat fails to read with its date conversion (e.g. a date variable's missing range
    open at one end, «LOWEST THRU …»), read without it and its date, date-time and time columns and missing ranges
    converted here (:func:`_sav_time_value`; an open bound stays ±inf, shown as LOWEST/HIGHEST)."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), disable_datetime_conversion=True, **kw)
    except Exception as e2:  # noqa: BLE001  (not ``e``: pyreadstat's date errors can show a cell's value)
        _refuse_sav_encoding(e2, path, kw)
        raise TableReadError(f"not a readable SPSS .sav file ({e2})", file=path) from None
    durations = _sav_duration_columns(df, meta, path, stacklevel=5)
    for c, fmt in (meta.original_variable_types or {}).items():
        kind = durations.get(c) or _sav_format_kind(fmt)
        if kind and c in df.columns and pd.api.types.is_numeric_dtype(df[c]):
            df[c] = _sav_time_column(df[c], kind, path, c)
            if c in (meta.missing_ranges or {}):
                meta.missing_ranges[c] = _sav_time_ranges(meta.missing_ranges[c], kind)
    return df, meta


def _sav_duration_columns(raw: pd.DataFrame, meta: Any, path: Path, stacklevel: int = 4) -> dict[str, str]:
    """The TIME/DTIME columns of ``raw`` (a .sav read without date conversion; ``meta``: its metadata) holding a
    value, or a finite missing-value bound, outside 0–24 hours, which pyreadstat would read as a time of day
    (90000 s → 01:00), with how they are read: ``"duration"`` (pandas Timedelta) or, where a value or bound is
    292 years or more (more than a Timedelta holds: a date-time's seconds), ``"seconds"`` (plain numbers); a
    warning names each column (not its values)."""
    out = {}
    for c, fmt in (meta.original_variable_types or {}).items():
        if _sav_format_kind(fmt) != "time" or c not in raw.columns or not pd.api.types.is_numeric_dtype(raw[c]):
            continue
        bounds = [x for r in (meta.missing_ranges or {}).get(c, ()) for x in r.values()
                  if isinstance(x, (int, float, np.integer, np.floating)) and abs(x) < np.finfo(float).max]
        secs = np.concatenate([raw[c].to_numpy(dtype=float, na_value=np.nan), np.asarray(bounds, dtype=float)])
        if not ((secs < 0) | (secs >= 86400)).any():
            continue
        out[c] = "seconds" if (np.abs(secs) >= _SAV_MAX_DURATION).any() else "duration"
        how = "read as durations (pandas Timedelta)" if out[c] == "duration" else (
            "some of 292 years or more (a date-time's seconds?), more than a duration holds: read as seconds (numbers)")
        warnings.warn(f"{path}: column {shown_column_name(c)}: its SPSS {fmt} values or missing values include times "
                      f"of 24 hours or more (or below 0): {how}, not times of day; a .sav written from them holds "
                      f"them as seconds (a number variable without its {fmt} format; its missing values in seconds)",
                      UserWarning, stacklevel=stacklevel)
    return out


_SAV_MAX_DURATION = 9.2e9  # seconds (292 years): what a pandas Timedelta (nanoseconds) holds


def _sav_time_value(x: Any, kind: str) -> Any:
    """SPSS seconds ``x`` (since 1582-10-14; a time's: since midnight) as a ``kind`` (:func:`_sav_format_kind`)
    value exactly as pyreadstat converts it (a date, a datetime, a time of day), or a ``"duration"`` as a pandas
    Timedelta; anything else (NaN, ±inf: an open missing-range bound) as it is."""
    if not isinstance(x, (int, float, np.integer, np.floating)) or not np.isfinite(x) or kind == "seconds":
        return x
    if kind == "duration":  # (a bound past what a Timedelta holds is as open as LOWEST/HIGHEST)
        return pd.Timedelta(microseconds=round(x * 1e6)) if abs(x) < _SAV_MAX_DURATION else float(np.sign(x) * np.inf)
    d = _SPSS_EPOCH + dt.timedelta(days=int(np.floor(x / 86400)), seconds=int(x % 86400),
                                   microseconds=0 if kind == "date" else round(x % 1 * 1e6))
    return d.date() if kind == "date" else d.time() if kind == "time" else d


def _sav_time_column(s: pd.Series, kind: str, path: Path, col: str) -> pd.Series:
    """The raw SPSS seconds ``s`` of column ``col`` as :func:`_sav_time_value` converts them (``"seconds"``: as
    they are; ``"duration"``: all below 292 years, :func:`_sav_duration_columns`); a value it cannot convert (a date
    past year 9999) is refused naming its row, not the value."""
    if kind == "seconds":
        return s.astype(float)
    if kind == "duration":
        secs = s.to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(pd.to_timedelta(np.round(secs * 1e6), unit="us"), index=s.index, name=s.name)
    vals = s.to_numpy(dtype=object)
    out = np.empty(len(vals), dtype=object)
    for i, x in enumerate(vals):
        try:
            out[i] = _sav_time_value(x, kind)
        except (OverflowError, ValueError):
            raise TableReadError(f"a {kind} outside the years 1 to 9999, which cannot be read", file=path, row=i + 1,
                                 column=col) from None
    return pd.Series(out, index=s.index, name=s.name)


def _sav_time_ranges(ranges: Sequence[dict] | None, kind: str) -> list[dict]:
    """A column's missing ranges ({"lo", "hi"} in SPSS seconds) with bounds as :func:`_sav_time_value` gives them."""
    return [{b: _sav_time_value(x, kind) for b, x in r.items()} for r in ranges or ()]


def _sav_code(v: Any) -> Any:
    """A .sav code as the read notes and ``missing_codes`` hold it: 3.0 → 3 (SPSS stores whole numbers as floats)."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 2**53:
        return int(v)
    return v.item() if isinstance(v, np.generic) else v


def _sav_range_codes(values: pd.Series | None, lo: Any, hi: Any, labels: Mapping | None, path: Path,
                     col: str) -> list:
    """The codes an SPSS missing range «lo THRU hi» declares missing: every value the column holds in it (also a
    fraction: «0.5 THRU 1.5» holds 1.2) and its value-labelled codes, with a narrow range's whole numbers (below 1,000
    of them) as before. A date or time variable's range (pyreadstat gives its bounds as datetimes) is compared as
    datetimes (an open bound, LOWEST or HIGHEST, is ±inf); one that cannot be compared with the column's values is
    left out with a warning (its answers kept)."""
    import numbers

    dated = values is not None and (values.dtype.kind in "mM" or _dates_or_times(values))
    if isinstance(lo, numbers.Real) and isinstance(hi, numbers.Real) and not dated:  # (±inf: LOWEST THRU HIGHEST)
        codes = [_sav_code(c) for c in (labels or {}) if isinstance(c, numbers.Real) and lo <= c <= hi]
        if float(hi) - float(lo) < 1000:
            codes += range(int(np.ceil(lo)), int(np.floor(hi)) + 1)
        if lo == hi:  # one discrete code (also a fraction, held or not)
            codes.append(_sav_code(lo))
        if values is not None:
            v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            codes += [_sav_code(x) for x in np.unique(v[(v >= lo) & (v <= hi)])]
        return codes
    if values is None:
        return [lo] if lo == hi else []
    held = values.dropna()
    open_lo, open_hi = (isinstance(b, numbers.Real) and np.isinf(b) for b in (lo, hi))  # LOWEST, HIGHEST
    try:
        if pd.api.types.is_datetime64_any_dtype(held):
            lo, hi = (b if o else pd.Timestamp(b) for b, o in ((lo, open_lo), (hi, open_hi)))
        inside = pd.Series(True, index=held.index)
        if not open_lo:
            inside &= held >= lo
        if not open_hi:
            inside &= held <= hi
        return sorted(set(held[inside].tolist()))
    except (TypeError, ValueError):
        warnings.warn(f"{path}: column {col}: its SPSS missing range {lo} THRU {hi} cannot be compared with the "
                      f"column's values ({values.dtype} column): no value of it is read as missing", UserWarning,
                      stacklevel=3)
        return []


def _read_json(path: Path, text_cols: frozenset[str] = frozenset()) -> pd.DataFrame:
    """A JSON array of records (as :func:`write_table` writes it), one object per row."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TableReadError(f"not a readable JSON file ({e})", file=path) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise TableReadError("expected a JSON array of records ([{\"column\": value, …}, …])", file=path)
    for i, r in enumerate(data):
        bad = [k for k, v in r.items() if isinstance(v, (dict, list))]
        if bad:
            raise TableReadError("expected plain values (text, number, true/false or null), found a nested "
                                 "object or list", file=path, row=i + 1, column=bad[0])
    if not data:
        raise TableReadError("no records (the file holds an empty array)", file=path)
    df = pd.DataFrame.from_records(data)
    for c in df.columns:
        if c in text_cols:
            df[c] = _text_column(df[c])
        elif df[c].dtype == object:
            vals = [v for v in df[c].tolist() if v is not None and not (isinstance(v, float) and np.isnan(v))]
            if any(isinstance(v, str) for v in vals) and not all(isinstance(v, str) for v in vals):
                # numbers and text mixed (no file format takes that): read as a CSV cell would be
                df[c] = _convert_column(df[c].map(lambda v: str(v) if v is not None and not (
                    isinstance(v, float) and np.isnan(v)) else ""), ".")
    df.attrs.update({"source": str(path), "first_data_row": 1})
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


def _sav_declared_segments(df: pd.DataFrame, survey: "SurveyDefinition") -> pd.DataFrame:
    """Segments with declared levels of a .sav: each code becomes the declared level it matches — by its code,
    else by its value label (the shared rule, :meth:`textmine.survey.Segment.level_key`: codes win) — so levels
    may be declared as the codes (``{1: Oslo}``) or as the labels (``[Oslo]``); a code matching no level gets its
    value label as before (and is then undeclared: warned about and left out by ``clear_undeclared_levels``)."""
    labels = df.attrs.get("value_labels", {})
    out = df
    for seg in survey.segments:
        if not seg.levels or seg.column not in df.columns:
            continue
        lab = labels.get(seg.column) or {}
        keys = seg.level_keys(df[seg.column], lab)
        shown = apply_value_labels(df[[seg.column]], [seg.column], {seg.column: lab})[seg.column] if lab else df[seg.column]
        if out is df:
            out = df.copy()
        matched = ~pd.isna(keys) & (keys != "")
        out[seg.column] = pd.Series(np.where(matched, keys, shown.astype(object)), index=df.index, dtype=object)
    out.attrs = dict(df.attrs)
    return out


def _sav_label_text(code: Any, labels: Mapping) -> str:
    """``5 «1»`` — a .sav code with its value label (hidden where it holds personal data), or the bare code."""
    from .survey import file_value_label

    key = int(code) if isinstance(code, (float, np.floating)) and float(code).is_integer() else code
    label = file_value_label(code, labels)
    return f"{key}" if label is None else f"{key} «{spss_shown_label(key, label)[:40]}»"


def _refuse_sav_level_mismatch(df: pd.DataFrame, seg: "Segment", labels: Mapping, path: Path) -> None:
    """Refuse a .sav whose codes and value labels disagree with a segment's declared levels so that respondents
    would land in the wrong group: two different codes with rows ending up in one declared level (one by its code,
    another by its value label), or a declared level matching no code or value label of the file while labelled
    codes with rows match no declared level (a spelling difference such as «Offentleg» / «Offentlig»). Names only
    codes, value labels (metadata) and row counts, never cell values. An undeclared code without a value label,
    or a declared level simply absent, stays a warning (:meth:`SurveyDefinition.undeclared_levels`)."""
    col = df[seg.column]
    blank = {c for c in (df.attrs.get("missing_codes") or {}).get(seg.column) or [] if not seg.level_key(c)}
    counts = col[col.notna() & ~col.isin(list(blank))].value_counts(sort=False)
    codes = [c for c, n in counts.items() if n > 0]
    for key, merged in seg.merged_codes(codes, labels).items():
        how = "; ".join(f"{_sav_label_text(c, labels)} by its {seg.level_rule(c, labels)}" for c in merged)
        raise TableReadError(
            f"the codes {' and '.join(_sav_label_text(c, labels) for c in merged)} "
            f"{'both' if len(merged) == 2 else 'all'} end up in the declared level "
            f"{key!r} ({seg.display.get(key, key)!r}): {how} — two groups of the file would be merged into one; "
            "fix the survey definition's levels (the keys under `levels` are the file's codes) or the file's value "
            "labels", file=path, column=seg.column)
    unmatched = seg.unmatched_levels(codes, labels)
    from .survey import file_value_label

    undeclared = [c for c in codes if seg.level_key(c, labels) is None and file_value_label(c, labels) is not None]
    if unmatched and undeclared:
        levels = ", ".join(f"{k!r}" + (f" ({seg.display[k]!r})" if seg.display.get(k, k) != k else "")
                           for k in unmatched)
        rows = ", ".join(f"{_sav_label_text(c, labels)} ({int(counts[c])} row(s))" for c in undeclared[:10])
        raise TableReadError(
            f"the declared level(s) {levels} match no code or value label of the file, while code(s) {rows} match "
            "no declared level — likely a spelling difference; fix the level in the survey definition (or name the "
            "file's label under the segment's `aliases`), or the file's value labels", file=path,
            column=seg.column)


def _sav_segments(df: pd.DataFrame, survey: "SurveyDefinition", path: Path) -> list[str]:
    """Warnings for declared segments of a .sav whose value labels contradict the declared levels: a code whose
    value label is the declared label of another level (codes win: the code's own level is used)."""
    notes = []
    for seg in survey.segments:
        lab = (df.attrs.get("value_labels") or {}).get(seg.column) or {}
        if seg.levels and seg.column in df.columns:
            _refuse_sav_level_mismatch(df, seg, lab, path)
        if not seg.levels or not seg.display or seg.column not in df.columns:
            continue
        present = set(seg.level_keys(df[seg.column])) - {"", None}
        clash = []
        for code, text in lab.items():
            own = seg.level_key(code)
            by_label = seg.level_key(text)
            if own and own in present and by_label and by_label != own:
                clash.append(f"code {own} is labelled {spss_shown_label(own, text)[:40]!r} in the file but declared as "
                             f"{seg.display.get(own, own)!r}")
        if clash:
            notes.append(f"{path.name}: column {seg.column}: the file's value labels contradict the declared levels "
                         f"({'; '.join(clash[:5])}); the declared code → level mapping is used — check the "
                         "survey definition")
    return notes


#: a .sav value label that holds personal data, as summaries and reports show it (the code stays excluded)
SPSS_HIDDEN_LABEL = "kode {code} (etikett skjult)"


def spss_label_holds_personal_data(label: Any) -> bool:
    """A .sav value label holds personal data by the rules the service checks survey definitions with
    (:func:`textmine.labelcheck.personal_data_counts`, also read as an id's words: "per_hansen_91234567"); the
    service refuses such a file (``personal_data_in_name``)."""
    from .disclosure import identifier_words
    from .labelcheck import personal_data_counts

    text = str(label)
    return bool(personal_data_counts(text) or personal_data_counts(identifier_words(text)))


def spss_shown_label(code: Any, label: Any) -> str:
    """A .sav value label as readers may see it: the label, or «kode 9 (etikett skjult)» when it holds personal
    data (:func:`spss_label_holds_personal_data`)."""
    return SPSS_HIDDEN_LABEL.format(code=code) if spss_label_holds_personal_data(label) else str(label)


#: at most this many codes of one SPSS missing range are listed in a read note; more are counted
#: («[20000 values in the range LOWEST to -1]», :func:`_spss_missing_text`)
SPSS_LISTED_CODES = 50
_SPSS_BOUNDS = {-np.inf: "LOWEST", -np.finfo(float).max: "LOWEST", np.inf: "HIGHEST",  # (as pyreadstat reads
                np.finfo(float).max: "HIGHEST"}                                    # and writes them)


def _spss_missing_text(codes: Sequence[Any], labels: Mapping, ranges: Sequence = ()) -> str:
    """``[98 «Vet ikke», 99]`` — SPSS missing codes with their value labels where they have one; a label holding
    personal data is not quoted (``9 (value label hidden: personal data)``). The codes of one of the column's SPSS
    missing ``ranges`` (``{"lo", "hi"}``, as ``df.attrs["spss_missing"]`` holds them) are counted, not listed, where
    there are more than :data:`SPSS_LISTED_CODES` of them (``20000 values in the range LOWEST to -1``)."""
    def one(c: Any) -> str:
        if c not in labels:
            return str(c)
        if spss_label_holds_personal_data(labels[c]):
            return f"{c} (value label hidden: personal data)"
        return f"{c} «{_note_label(labels[c])}»"

    counted: dict[Any, str] = {}
    for r, inside in spss_counted_ranges(codes, ranges):
        bounds = [_SPSS_BOUNDS.get(float(b), str(_sav_code(b))) for b in (r["lo"], r["hi"])]
        counted.update(dict.fromkeys(inside, f"{len(inside)} values in the range {bounds[0]} to {bounds[1]}"))
    shown = [counted[c] if c in counted else one(c) for c in codes]
    return "[" + ", ".join(dict.fromkeys(shown)) + "]"


def spss_counted_ranges(codes: Sequence[Any], ranges: Sequence) -> list[tuple[dict, list]]:
    """The SPSS missing ``ranges`` (``{"lo", "hi"}``) holding more than :data:`SPSS_LISTED_CODES` of ``codes``, each
    with those codes (a code only with the first such range): the codes notes count instead of listing them."""
    import numbers

    out: list[tuple[dict, list]] = []
    taken: set = set()
    for r in ranges:
        lo, hi = (r.get("lo"), r.get("hi")) if isinstance(r, dict) else (None, None)
        if not (isinstance(lo, numbers.Real) and isinstance(hi, numbers.Real)):
            continue
        inside = [c for c in codes if isinstance(c, numbers.Real) and lo <= c <= hi and c not in taken]
        if len(inside) > SPSS_LISTED_CODES:
            taken.update(inside)
            out.append((r, inside))
    return out


def _note_label(label: Any) -> str:
    """A value label as a read note quotes it (40 characters): none of the marks the report's parsing of the note
    splits at (``;``, brackets, a comma before a digit: ``textmine.report.html.spss_missing_notes``)."""
    text = str(label)[:40].replace(";", ",").replace("[", "(").replace("]", ")")
    return re.sub(r", (?=[-\u2212]?\d)", ",\u00a0", text)


#: what becomes of a segment's SPSS user-missing codes: missing, as a blank answer — in the total and in the
#: segment's «(uoppgitt)» row (``textmine.summary.MISSING_LEVEL``, which keeps the total minus the levels from giving
#: them back unsuppressed), never a level of their own nor an undeclared one
SEGMENT_MISSING_HOW = ("treated as missing (declared missing in the .sav: in the total and the segment's "
                       "«(uoppgitt)» row, as blank answers, not a level of the segment)")


def _spss_missing_note(path: Path, entries: Sequence[tuple[str, int, str, str]]) -> list[str]:
    """One read note for a file's SPSS user-missing codes (``entries``: column, values hit, codes text of
    :func:`_spss_missing_text`, what was done), the columns with the same codes and treatment listed together:
    ``f: SPSS missing codes in 9 columns: [98 «Vet ikke»] counted as … in q_a (24 value(s)), q_b (117), …``."""
    if len(entries) <= 1:
        return [f"{path}: column {col}: {n} value(s) with SPSS missing code(s) {codes} {how}"
                for col, n, codes, how in entries]
    groups: dict[tuple[str, str], list[str]] = {}
    for col, n, codes, how in entries:
        cols = groups.setdefault((codes, how), [])
        cols.append(f"{col} ({n} value(s))" if not cols else f"{col} ({n})")
    parts = [f"{codes} {how} in {', '.join(cols)}" for (codes, how), cols in groups.items()]
    n_cols = len({col for col, *_ in entries})
    return [f"{path}: SPSS missing codes in {n_cols} column{'s' if n_cols > 1 else ''}: " + "; ".join(parts)]


def _sav_missing_segments(df: pd.DataFrame, survey: "SurveyDefinition", path: Path) -> tuple[pd.DataFrame, list]:
    """A segment's SPSS user-missing codes (declared missing in the .sav) set to missing (:data:`SEGMENT_MISSING_HOW`)
    with an entry for :func:`_spss_missing_note`. A code the definition declares as a level of the segment stays."""
    notes: list[tuple[str, int, str, str]] = []
    out = df
    for seg in survey.segments:
        codes = (df.attrs.get("missing_codes") or {}).get(seg.column) or []
        if seg.column not in df.columns or not codes:
            continue
        codes = [c for c in codes if not (seg.levels and seg.level_key(c))]
        hit = df[seg.column].isin(codes) & df[seg.column].notna()
        if not hit.any():
            continue
        if out is df:
            out = df.copy()
        out[seg.column] = df[seg.column].astype(object).mask(hit)
        lab = (df.attrs.get("value_labels") or {}).get(seg.column) or {}
        held = set(df.loc[hit, seg.column].unique())  # (one pass over the column, however many codes)
        present = [c for c in codes if c in held]
        ranges = (df.attrs.get("spss_missing") or {}).get(seg.column) or ()
        notes.append((seg.column, int(hit.sum()), _spss_missing_text(present, lab, ranges), SEGMENT_MISSING_HOW))
    out.attrs = dict(df.attrs)
    return out, notes


def _sav_missing_indicators(df: pd.DataFrame, survey: "SurveyDefinition", path: Path,
                            keep: bool = True) -> tuple[pd.DataFrame, dict[str, dict], list]:
    """An indicator's SPSS user-missing codes (off its scale, not among its excluded codes): with ``keep``, a code
    with a value label is an excluded code (like the survey's ``excluded_codes``: it counts in ``n_excluded``,
    with its label) unless the indicator lists its own ``excluded`` codes; other codes become missing. Returns the
    frame, the codes made excluded (column → {code: label}, for :meth:`SurveyDefinition.with_excluded`), entries for
    :func:`_spss_missing_note`."""
    notes: list[tuple[str, int, str, str]] = []
    excluded: dict[str, dict] = {}
    for ind in survey.indicators:
        codes = [c for c in (df.attrs.get("missing_codes") or {}).get(ind.column, [])
                 if c not in ind.scale and c not in ind.excluded]
        if not codes or ind.column not in df.columns:
            continue
        lab = (df.attrs.get("value_labels") or {}).get(ind.column) or {}
        ranges = (df.attrs.get("spss_missing") or {}).get(ind.column) or ()
        kept = [c for c in codes if keep and c in lab and not ind.excluded_given]
        dropped = [c for c in codes if c not in kept]
        values = df[ind.column]
        if kept:
            excluded[ind.column] = {c: str(lab[c]) for c in kept}
            n = int(values.isin(kept).sum())
            if n:
                notes.append((ind.column, n, _spss_missing_text(kept, lab, ranges), "counted as excluded codes (as the "
                              "survey definition's excluded_codes: in n_excluded, not in the base)"))
        hit = values.isin(dropped)
        if hit.any():
            df[ind.column] = values.astype(float).mask(hit)
            why = ("the indicator lists its own excluded codes" if ind.excluded_given and keep
                   else "no value label" if keep else "read as missing, not as excluded codes")
            notes.append((ind.column, int(hit.sum()), _spss_missing_text(dropped, lab, ranges), f"treated as missing ({why})"))
    return df, excluded, notes


#: value-label wording that makes an answer negative or positive (Norwegian and English scales), for
#: :func:`label_direction`: «Svært misfornøyd», «Uenig», «Dårlig», «Svært lite», «Ikke fornøyd» …
_NEGATIVE_WORDS = re.compile(
    r"misfornøy|utilfreds|uenig|dårleg|dårlig|\blite\b|liten grad|ingen tillit|lite tillit|ikkje|ikke|negativ|misnøgd|"
    r"\bsvak|\bverst|\bdissatisfied|\bdisagree|\bpoor|\bbad\b|\bunsatisf|\bnot\b", re.I)
_POSITIVE_WORDS = re.compile(
    r"fornøy|tilfreds|\benig|\bgod|\bgodt|\bbra\b|utmerket|\bmye\b|stor grad|stor tillit|høy tillit|positiv|nøgd|"
    r"\bsatisf|\bagree|\bgood|\bexcellent", re.I)


def label_direction(label: Any) -> int:
    """+1 for a value label that reads as a positive answer («Fornøyd», «Helt enig»), −1 for a negative one
    («Svært misfornøyd», «Ikke fornøyd», «Dårlig»), 0 for a neutral or unknown one («Verken … eller», «Vet ikke»)."""
    text = str(label).strip().lower()
    if not text or "verken" in text or "neither" in text or "hverken" in text:
        return 0
    if _NEGATIVE_WORDS.search(text):
        return -1
    return 1 if _POSITIVE_WORDS.search(text) else 0


def _sav_indicator_direction(df: pd.DataFrame, survey: "SurveyDefinition", path: Path) -> list[str]:
    """Warnings for indicators whose .sav value labels run the other way from the definition: every labelled code
    the indicator counts reads as negative while the other scale codes read mostly positive (for ``bottom2``,
    which counts the low end, the other way round) — a reverse-coded file would be published as its opposite."""
    notes = []
    for ind in survey.indicators:
        lab = (df.attrs.get("value_labels") or {}).get(ind.column) or {}
        counted = [c for c in ind.positive if c in lab]
        other = [c for c in ind.scale if c not in ind.positive and c in lab]
        if not counted or not other:
            continue
        want = -1 if ind.measure == "bottom2" else 1
        dc = [label_direction(lab[c]) for c in counted]
        do = [label_direction(lab[c]) for c in other]
        if all(d == -want for d in dc) and sum(d == want for d in do) > sum(d == -want for d in do):
            shown = "; ".join(f"{c} = «{spss_shown_label(c, lab[c])[:40]}»" for c in list(ind.scale) if c in lab)
            notes.append(f"{path.name}: column {ind.column} (indicator {ind.id}): the file's value labels run the "
                         f"other way from the survey definition: the codes it counts as {ind.measure} "
                         f"{list(counted)} are labelled {'negative' if want == 1 else 'positive'} ({shown}); "
                         f"check the scale direction (recode the file, or set the indicator's positive codes)")
    return notes


def _check_header_row(header_row: Any, suffix: str, path: Path) -> None:
    """``header_row`` is a whole number ≥ 1, and other than 1 only for a CSV or Excel file."""
    if isinstance(header_row, bool) or not isinstance(header_row, (int, np.integer)) or header_row < 1:
        raise TableReadError(f"header_row must be a file row number (1 or more), got {header_row!r}", file=path)
    if header_row != 1 and suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        raise TableReadError(f"header_row applies to Excel and CSV files; a {suffix or 'file without suffix'} file "
                             f"has no header row to choose (got header_row={header_row}) — leave it at 1", file=path)


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    survey: "SurveyDefinition | None" = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    validate: bool = True,
    text_cols: Sequence[str] = (),
    header_row: int = 1,
    user_missing: str = "missing",
) -> pd.DataFrame:
    """Read a survey table (.csv/.txt/.tsv, .xlsx/.xlsm, .sav, .parquet, .json records) into a DataFrame.

    CSV: encoding (UTF-8 with/without BOM, cp1252, latin-1), delimiter and decimal comma are detected
    unless given. SAV: codes are kept (so "vet ikke" codes stay visible), user-missing codes retained;
    value labels, missing codes and column labels go to ``df.attrs``; ``encoding`` overrides the code page
    the file declares. Parquet: a named stored index (``df.set_index("id").to_parquet()``) is a
    column. With ``survey``, segment columns of a .sav without declared levels get their value labels applied,
    those with declared levels hold the declared level keys (each code matched by its code, else by its value
    label: :meth:`textmine.survey.Segment.level_key`), the respondent id
    becomes a string, and (if ``validate``) the table is checked with
    :meth:`SurveyDefinition.validate_frame` (errors re-raised as TableReadError).
    ``text_cols``: free-text columns, read as strings exactly as written (never converted to numbers, so
    a personal number or ``123`` typed as a comment stays as typed); blank cells are missing.
    CSV/Excel: a fully blank row between data rows is kept as a row of missing values (row i of the table
    is row i of the file, and row numbers in errors are the file's); trailing blank rows are dropped. A
    respondent table checked against ``survey`` refuses blank rows, naming them.
    ``header_row`` (CSV/Excel): the file row (from 1) holding the column names; rows above it (a title, notes)
    are skipped and row numbers in errors and warnings stay the file's (the first data row is ``header_row + 1``).
    ``user_missing`` (a .sav read with ``survey``): an indicator's SPSS user-missing codes off its scale (98 «Vet
    ikke») become missing (``"missing"``, the default: for callers that keep the definition as it is, e.g. the
    service's store), or, when they have a value label and the indicator lists no ``excluded`` codes of its own,
    stay as excluded codes (``"excluded"``, what :func:`textmine.pipeline.read_waves` and the CLI use: they are in
    ``df.attrs['spss_excluded']``, which :func:`textmine.summary.build_summary` adds to the definition). A
    segment's SPSS user-missing codes become missing. The notes on what was done (and warnings on value labels
    that run the other way from an indicator's positive codes) are in ``df.attrs['missing_notes']``.
    """
    if user_missing not in ("missing", "excluded"):
        raise ValueError(f"user_missing must be 'missing' or 'excluded', got {user_missing!r}")
    path = Path(path)
    text_cols = frozenset(text_cols or ())
    if survey is not None:  # the survey's free-text columns are read as text too («NA» is an answer there)
        text_cols |= {q.column for q in getattr(survey, "free_text", ())}
    if not path.exists():
        raise TableReadError("file not found", file=path)
    if path.is_dir():
        raise TableReadError("is a folder, not a table file", file=path)
    suffix = path.suffix.lower()
    _check_header_row(header_row, suffix, path)
    if suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(path, encoding=encoding, delimiter=delimiter or ("\t" if suffix == ".tsv" else None), decimal=decimal,
                       text_cols=text_cols, header_row=header_row)
    elif suffix in (".xlsx", ".xlsm"):
        df = _read_excel(path, sheet, text_cols, header_row)
    elif suffix == ".sav":
        df = _read_sav(path, text_cols, encoding)
    elif suffix == ".json":
        df = _read_json(path, text_cols)
    elif suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(path)
        except Exception as e:  # noqa: BLE001
            raise TableReadError(f"not a readable Parquet file ({e})", file=path) from None
        if any(n is not None for n in df.index.names):  # a stored named index (the respondent id) is a column
            df = df.reset_index()
        for c in df.columns:
            if c in text_cols and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
                df[c] = _text_column(df[c])
        df.attrs.update({"source": str(path), "first_data_row": 1})
    else:
        raise TableReadError(f"unsupported file type {suffix!r} (use .csv, .xlsx, .sav, .parquet or .json)", file=path)
    if survey is not None:
        attrs = dict(df.attrs)
        if suffix == ".sav":
            notes = _sav_segments(df, survey, path) + _sav_indicator_direction(df, survey, path)
            for note in notes:
                warnings.warn(note, UserWarning, stacklevel=2)
            df, seg_notes = _sav_missing_segments(df, survey, path)
            df = apply_value_labels(df, [s.column for s in survey.segments if not s.levels])
            df = _sav_declared_segments(df, survey)
            df, spss_excluded, ind_notes = _sav_missing_indicators(df, survey, path, user_missing == "excluded")
            notes += _spss_missing_note(path, seg_notes + ind_notes)  # one note for the file's columns
            attrs["spss_excluded"] = spss_excluded
            attrs["missing_notes"] = notes  # the read notes: build_summary carries them into Summary.warnings
            survey = survey.with_excluded(spss_excluded)
        df = _decimal_comma_weights(df, survey.weight_column)
        if survey.id_column in df.columns:
            df[survey.id_column] = df[survey.id_column].map(lambda v: None if pd.isna(v) else (str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)))
        df.attrs = attrs
        if validate:
            from .survey import SurveyDefinitionError

            _refuse_blank_rows(df, path)
            try:
                df.attrs["warnings"] = list(attrs.get("missing_notes", [])) + survey.validate_frame(df)
            except SurveyDefinitionError as e:
                raise TableReadError(str(e)) from None
    return df


# ---------------------------------------------------------------------------- writing
WRITABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet", ".pq", ".sav", ".json")
EXCEL_CELL_LIMIT = 32_767  # characters; Excel cuts longer cells
_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
_SPSS_BAD_CHARS = re.compile(r"[^\w.@#$]")


def _valid_spss_name(name: str) -> bool:
    return (bool(name) and name[0].isalpha() and not _SPSS_BAD_CHARS.search(name) and not name.endswith(".")
            and len(name.encode("utf-8")) <= 64 and name.upper() not in _SPSS_RESERVED)


def spss_names(columns: Sequence[Any]) -> dict[str, str]:
    """``{column: SPSS variable name}`` for the columns whose names SPSS does not accept (spaces, ``?``, a
    leading digit, more than 64 bytes, reserved words, case-insensitive duplicates); valid names are left out.

    ``Hva synes du om NAV?`` → ``Hva_synes_du_om_NAV``; ``1_tema`` → ``v_1_tema``; clashes get ``_2``, ``_3``…"""
    names = [str(c) for c in columns]
    taken = {n.upper() for n in names if _valid_spss_name(n)}
    seen: set[str] = set()
    out: dict[str, str] = {}
    for n in names:
        if _valid_spss_name(n) and n.upper() not in seen:
            seen.add(n.upper())
            continue
        base = re.sub(r"_+", "_", _SPSS_BAD_CHARS.sub("_", n)).strip("_").rstrip(".") or "v"
        if not base[0].isalpha():
            base = "v_" + base
        if base.upper() in _SPSS_RESERVED:
            base += "_"

        def cut(x: str, room: int = 64) -> str:
            while len(x.encode("utf-8")) > room:
                x = x[:-1]
            return x.rstrip(".")

        cand, k = cut(base), 1
        while cand.upper() in taken or cand.upper() in seen:
            k += 1
            cand = cut(base, 64 - len(f"_{k}")) + f"_{k}"
        seen.add(cand.upper())
        taken.add(cand.upper())
        out[n] = cand
    return out


def _is_texty(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _overlong_cells(df: pd.DataFrame, too_long: Callable[[str], bool]) -> dict[str, int]:
    """``{column: number of text cells}`` for which ``too_long`` holds."""
    out = {}
    for c in df.columns:
        if _is_texty(df[c]):
            n = sum(1 for v in df[c].tolist() if isinstance(v, str) and too_long(v))  # (0 for no rows)
            if n:
                out[str(c)] = n
    return out


def excel_overlong_cells(df: pd.DataFrame) -> dict[str, int]:
    """``{column: number of cells}`` longer than Excel's 32,767-character cell limit."""
    return _overlong_cells(df, lambda v: len(v) > EXCEL_CELL_LIMIT)


def existing_folder_for(path: Path, what: str) -> Path:
    """The nearest folder of ``path`` that exists (where its missing folders would be created); ``ValueError``
    when that is a file. ``what`` names the output in the message."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{path}: cannot create the folder for {what}: {parent} is a file, not a folder")
    return parent


def check_output_dir(path: str | Path, what: str = "the output") -> None:
    """Check before any work is done that files can be written into the folder ``path`` (made if missing):
    ``ValueError`` (one line) when it is a file, lies below a file, or its folder is not writable."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path}: is a file; {what} is written to a folder — give a folder name")
    parent = path if path.is_dir() else existing_folder_for(path, what)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{path}: cannot write there: no write permission for the folder {parent}")


@contextmanager
def replacing(path: Path, suffix: str = ""):
    """Yield a temporary path next to ``path``; on success it is renamed over ``path`` (keeping the replaced file's
    permissions), on failure removed: a failed write never leaves a half-written file nor truncates one there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp{suffix}"
    try:
        yield tmp
        if path.exists():  # keep the permissions of the file replaced
            try:
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            except OSError:
                pass
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_output(path: str | Path, df: pd.DataFrame | None = None) -> list[str]:
    """Check before any work is done that :func:`write_table` can write ``df`` to ``path``.

    Raises ``ValueError`` (one line: unsupported file type, or cells too long for Excel) and returns notes
    to show the user (the SPSS names given to columns whose names SPSS does not accept)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise ValueError(f"{path}: unsupported output type {suffix or '(no suffix)'!r} "
                         "(use .csv, .xlsx, .parquet, .sav or .json)")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not an output file")
    parent = existing_folder_for(path, "the output")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{path}: cannot write there: no write permission for the folder {parent}")
    notes: list[str] = []
    if df is not None and suffix in (".xlsx", ".xlsm"):
        _refuse_overlong(df, path)
    if df is not None and suffix == ".sav":
        _refuse_overlong_sav(df, path)
        mapping = spss_names(df.columns)
        if mapping:
            notes.append(f"{path.name}: SPSS does not accept these column names; written as "
                         + ", ".join(f"{k!r} → {v}" for k, v in mapping.items())
                         + " (the original name is kept as the variable label)")
    return notes


def _refuse_overlong(df: pd.DataFrame, path: Path) -> None:
    long = excel_overlong_cells(df)
    if long:
        what = "; ".join(f"column {c!r}: {n} cell(s)" for c, n in long.items())
        raise ValueError(f"{path}: text longer than Excel's {EXCEL_CELL_LIMIT:,}-character cell limit would be cut "
                         f"({what}); write .csv or .parquet instead")


SPSS_STRING_LIMIT = 32_767  # bytes; longer .sav strings are unreadable or cut


def _refuse_overlong_sav(df: pd.DataFrame, path: Path) -> None:
    long = _overlong_cells(df, lambda v: len(v.encode("utf-8")) > SPSS_STRING_LIMIT)
    if long:
        what = "; ".join(f"column {c!r}: {n} cell(s)" for c, n in long.items())
        raise ValueError(f"{path}: text longer than SPSS's {SPSS_STRING_LIMIT:,}-byte string limit cannot be "
                         f"written to .sav ({what}); write .csv or .parquet instead")


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _fix_xlsx_timestamps(path: Path, macro_enabled: bool = False) -> None:
    """Same data ⇒ same bytes: zip entry times and the document's created/modified dates set to a constant.
    ``macro_enabled`` (.xlsm): the workbook's content type Excel requires for that extension."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z", data)
            elif info.filename == "[Content_Types].xml" and macro_enabled:
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type, zi.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            zout.writestr(zi, data)


def _fix_sav_timestamp(path: Path) -> None:
    """Same data ⇒ same bytes: the .sav header's creation date and time (bytes 92–108) set to a constant."""
    with open(path, "r+b") as fh:
        if fh.read(4) in (b"$FL2", b"$FL3"):
            fh.seek(92)
            fh.write(b"01 Jan 8000:00:00")


def _excel_text_not_formulas(ws, df: pd.DataFrame, *, startrow: int = 0) -> None:
    """Cells whose text starts with ``=`` were stored as live formulas by openpyxl: make them plain text
    (shown exactly as written, never evaluated: ``=HYPERLINK(...)`` from a respondent stays text)."""
    for j, c in enumerate(df.columns, start=1):
        if isinstance(c, str) and c.startswith("="):
            ws.cell(row=startrow + 1, column=j).data_type = "s"
        if not _is_texty(df[c]):
            continue
        hits = np.flatnonzero(df[c].map(lambda v: isinstance(v, str) and v.startswith("=")).to_numpy())
        for i in hits:
            cell = ws.cell(row=startrow + 2 + int(i), column=j)
            if cell.data_type == "f":
                cell.data_type = "s"


def _excel_durations(ws, df: pd.DataFrame, path: Path) -> None:
    """Duration (Timedelta) cells, which pandas writes as fractions of a day with format «0» (25 hours showed as 1),
    shown as Excel's durations: ``[h]:mm:ss`` (``.000`` where a value has a fraction of a second). Excel shows a
    negative one as «#####» (LibreOffice shows it): a warning names such a column."""
    for j, c in enumerate(df.columns, start=1):
        if not pd.api.types.is_timedelta64_dtype(df[c]):
            continue
        secs = df[c].dt.total_seconds()
        fmt = "[h]:mm:ss.000" if (secs % 1).fillna(0).any() else "[h]:mm:ss"
        for i in np.flatnonzero(secs.notna().to_numpy()):
            ws.cell(row=2 + int(i), column=j).number_format = fmt
        if (secs < 0).any():
            warnings.warn(f"{path}: column {shown_column_name(c)}: it holds negative durations, which Excel shows as "
                          f"«#####» (the value is kept, in days)", UserWarning, stacklevel=3)


def _dates_or_times(s: pd.Series) -> bool:
    """An object column whose values are all ``datetime.date`` (or all ``datetime.time``) objects or missing."""
    import datetime as dt

    if s.dtype != object:
        return False
    vals = [v for v in s.tolist() if v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NaT]
    return bool(vals) and (all(isinstance(v, dt.date) for v in vals) or all(isinstance(v, dt.time) for v in vals))


#: ``df.attrs`` key: {text column: the columns a .sav holds system-missing on the rows where that text is missing
#: or blank} — set by ``textmine code``/``clean`` (:func:`textmine.classify.table.spss_coding_attrs`): an empty cell
#: is no answer at all, so its flags, scores and confidence do not apply (other formats keep their values)
SAV_MISSING_IF_BLANK = "sav_missing_if_blank"


def _blank_answers_missing(df: pd.DataFrame, out: pd.DataFrame, name: dict[str, str]) -> None:
    """In ``out`` (:func:`_sav_frame`'s frame; ``name``: ``df``'s column → its SPSS name), the
    :data:`SAV_MISSING_IF_BLANK` columns system-missing (numbers) or blank (text) where their text column of ``df``
    is missing or blank; nothing where ``df`` no longer has that text column."""
    by_name = {str(c): c for c in df.columns}
    for text_col, cols in ((df.attrs or {}).get(SAV_MISSING_IF_BLANK) or {}).items():
        text = df[by_name[str(text_col)]] if str(text_col) in by_name else None
        if not isinstance(text, pd.Series):  # gone, or a name given twice
            continue
        blank = (text.isna() | text.astype(str).str.strip().eq("")).to_numpy(dtype=bool)
        for c in (c for c in cols if c in name and blank.any()):
            col = out[name[c]]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_datetime64_any_dtype(col):
                out[name[c]] = col.astype("float64").mask(blank)
            elif col.dtype == object:
                out[name[c]] = col.mask(blank, "")


_SPSS_EPOCH = dt.datetime(1582, 10, 14)  # (SPSS dates and date-times: seconds since then)
#: the SPSS formats pyreadstat reads as dates, date-times and times, and which of these each shows
_SAV_TIME_FORMATS = {"DATE": "date", "ADATE": "date", "EDATE": "date", "JDATE": "date", "SDATE": "date",
                     "DATETIME": "datetime", "YMDHMS": "datetime", "TIME": "time", "DTIME": "time"}


def _sav_format_kind(fmt: Any) -> str | None:
    """``"date"``, ``"datetime"`` or ``"time"`` for an SPSS date, date-time or time format («ADATE10», «DTIME9»)."""
    m = re.fullmatch(r"([A-Z]+)\d*(?:\.\d+)?", fmt) if isinstance(fmt, str) else None
    return _SAV_TIME_FORMATS.get(m.group(1)) if m else None


def _sav_time_kind(s: pd.Series, fmt: Any = None) -> str | None:
    """The kind of SPSS date, date-time or time variable (:func:`_sav_format_kind`) :func:`_sav_frame` writes its
    column ``s`` as, by its values; a column with none (an all-missing date variable reads as numbers) by its SPSS
    format ``fmt``. None for any other column."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    if _dates_or_times(s):
        vals = [v for v in s if isinstance(v, (dt.date, dt.time))]
        return "time" if isinstance(vals[0], dt.time) else \
            "datetime" if all(isinstance(v, dt.datetime) for v in vals) else "date"
    return _sav_format_kind(fmt) if pd.api.types.is_float_dtype(s) and s.isna().all() else None


def _spss_seconds(v: Any) -> Any:
    """A date, date-time or time as SPSS stores it, in seconds (since 1582-10-14; a time: since midnight), as
    pyreadstat.write_sav takes a date variable's missing values (a finite number: as it is); None for anything else
    (NaN, NaT, ±inf too)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime(warn=False)
    if isinstance(v, dt.datetime):
        v = v.astimezone(dt.timezone.utc).replace(tzinfo=None) if v.tzinfo else v
        return (v - _SPSS_EPOCH).total_seconds()
    if isinstance(v, dt.date):
        return float((v - _SPSS_EPOCH.date()).days * 86400)
    if isinstance(v, dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    return None


def _json_value(v: Any) -> Any:
    """``json.dumps`` default for table metadata: a date or time as ISO text, a duration as seconds, a numpy scalar
    as its Python value, anything else as text."""
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (pd.Timedelta, dt.timedelta)):
        return v.total_seconds()
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def _parquet_safe_attrs(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (a shallow copy where needed) whose ``attrs`` pandas can store in Parquet metadata as JSON: the SPSS
    metadata of a .sav read holds dates (a date variable's missing codes) and numpy scalars, which it cannot."""
    try:
        json.dumps(df.attrs)
        return df
    except (TypeError, ValueError):
        out = df.copy(deep=False)
        out.attrs = json.loads(json.dumps(_json_keys(df.attrs), default=_json_value))
        return out


def _json_keys(o: Any) -> Any:
    """``o`` with the keys of its dicts (nested too) as JSON takes them: a numpy scalar or date as text."""
    if isinstance(o, dict):
        return {k if isinstance(k, (str, int, float, bool)) or k is None else str(_json_value(k)): _json_keys(v)
                for k, v in o.items()}
    return [_json_keys(v) for v in o] if isinstance(o, (list, tuple)) else o


def _duration_seconds(v: Any) -> Any:
    """A duration (a Timedelta column's SPSS missing value, :func:`_sav_duration_columns`) in seconds, as its column
    is written; anything else as it is."""
    return v.total_seconds() if isinstance(v, dt.timedelta) and v is not pd.NaT else v


def _sav_missing_fault(given: list, secs: list, kind: str | None, fmt: Any) -> str | None:
    """Why a column's SPSS missing values and ranges ``given`` (in SPSS seconds: ``secs``) cannot be written for it
    (``kind``: :func:`_sav_time_kind`; ``fmt``: its SPSS format), in words without them; None where they can."""
    flat = [x for y in given for x in (y.values() if isinstance(y, dict) else [y])]
    objects = [x for x in flat if isinstance(x, (dt.date, dt.time, np.datetime64))]  # (not numbers: SPSS seconds)
    if not kind:
        return "its SPSS missing values are dates or times but its values are not" if objects else None
    if any(isinstance(x, (float, np.floating)) and np.isinf(x) for x in flat):
        return "its SPSS missing range is open at one end (LOWEST/HIGHEST), which is not written for a date or " \
               "time variable (pyreadstat's own reading of such a file fails)"
    if any(x is None for y in secs for x in (y.values() if isinstance(y, dict) else [y])) or any(
            isinstance(x, dt.time) != (kind == "time") for x in objects):
        return "its SPSS missing values are not dates or times like the column's values"
    if any(isinstance(y, dict) and y.get("lo") is not None and y.get("hi") is not None and y["lo"] > y["hi"]
           for y in secs):
        return "its SPSS missing range ends before it starts" + (
            " (a time of 24 hours or more is read as a time of day)" if kind == "time" else "")
    if kind == "time" and isinstance(fmt, str) and fmt.startswith("DTIME"):
        return "its SPSS missing values are durations (DTIME), which are read as times of day: wrong from 24 hours on"
    return None


def _sav_time_missing(spec: dict, kinds: dict[str, str | None], name: dict[str, str], formats: dict,
                      path: Path | None) -> dict:
    """``spec`` (``df.attrs["spss_missing"]``) with a date or time column's missing values and ranges in SPSS
    seconds (:func:`_spss_seconds`; ``kinds``: SPSS name → :func:`_sav_time_kind`), so that they are written. Those
    :func:`_sav_missing_fault` finds fault with are left out, with a warning naming the column (not the values:
    a date can be personal); ``formats``: ``df.attrs["variable_format"]``."""
    fixed = dict(spec)
    for k, v in spec.items():
        if k not in name or not v or not isinstance(v, (list, tuple)):
            continue
        kind = kinds.get(name[k])
        seconds = _spss_seconds if kind else _duration_seconds  # (no date or time column: a duration's seconds)
        try:
            secs = [{b: seconds(x) for b, x in y.items()} if isinstance(y, dict) else seconds(y) for y in v]
        except (AttributeError, TypeError, ValueError, OverflowError):
            secs = [None]
        if (why := _sav_missing_fault(list(v), secs, kind, formats.get(k))) is not None:
            warnings.warn(f"{path or 'the .sav'}: column {shown_column_name(name[k])}: {why}, so the .sav has none "
                          f"for it (define them again in SPSS)", UserWarning, stacklevel=4)
            secs = []
        fixed[k] = secs
    return fixed


def _sav_frame(df: pd.DataFrame, kw: dict, path: Path | None = None) -> tuple[pd.DataFrame, dict]:
    """The frame and pyreadstat arguments for a .sav: SPSS-valid names, nullable types as float/str, and
    the variable labels, value labels, user-missing codes and measures kept in ``df.attrs`` (from a .sav input)."""
    attrs = df.attrs or {}
    mapping = spss_names(df.columns)
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or (pd.api.types.is_numeric_dtype(s) and s.dtype.kind not in "fc"):
            s = s.astype("float64")  # Int64/boolean with <NA>: SPSS numeric with system-missing
        elif pd.api.types.is_datetime64_any_dtype(s):
            # pyreadstat writes datetime64 at second (or coarser) resolution as 1970-01-01: micro- or nanoseconds
            # it reads (microseconds: any year, where nanoseconds stop at 1677–2262)
            try:
                s = s if s.dt.unit in ("ns", "us") else s.dt.as_unit("us")
                if getattr(s.dt, "tz", None) is not None:  # pyreadstat writes UTC; a dateutil zone it wrote as text
                    s = s.dt.tz_convert("UTC")
            except (OverflowError, ValueError):  # (pandas's message shows the value: a date can be personal)
                raise ValueError(f"column {shown_column_name(c)}: a date-time more than 290 000 years from 1970, "
                                 f"which a .sav cannot hold") from None
        elif pd.api.types.is_timedelta64_dtype(s):  # durations (a TIME variable of 24 hours or more): seconds
            s = s.dt.total_seconds()
        elif pd.api.types.is_numeric_dtype(s):
            pass
        elif _dates_or_times(s):  # SPSS DATE/TIME variables (read as datetime.date/time objects) stay so
            s = s.astype(object).where(s.notna(), None)
        else:
            s = s.astype(object).map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
        out[mapping.get(str(c), str(c))] = s
    name = {str(c): mapping.get(str(c), str(c)) for c in df.columns}
    _blank_answers_missing(df, out, name)
    numeric = {name[str(c)]: pd.api.types.is_numeric_dtype(out[name[str(c)]]) for c in df.columns}
    var_format = attrs.get("variable_format") or {}
    kinds = {name[str(c)]: _sav_time_kind(out[name[str(c)]], var_format.get(str(c))) for c in df.columns}

    labels = {name[k]: v for k, v in (attrs.get("column_labels") or {}).items() if k in name and v}
    for orig, new in mapping.items():
        labels.setdefault(new, orig[:256])

    def fits(col: str, keys, numbers: bool = False) -> bool:
        return all(isinstance(k, (int, float, np.integer, np.floating)) and not isinstance(k, bool) for k in keys) \
            if numeric[col] or numbers else all(isinstance(k, str) for k in keys)

    value_labels = {name[k]: v for k, v in (attrs.get("value_labels") or {}).items()
                    if k in name and v and fits(name[k], v)}
    spss_missing = _sav_time_missing(attrs.get("spss_missing") or {}, kinds, name, var_format, path)
    missing = {name[k]: v for k, v in spss_missing.items() if k in name and v and fits(
        name[k], [x for y in v for x in (y.values() if isinstance(y, dict) else [y])], bool(kinds[name[k]]))}
    measure = {name[k]: v for k, v in (attrs.get("variable_measure") or {}).items()
               if k in name and v in ("nominal", "ordinal", "scale")}
    formats = {name[k]: v for k, v in var_format.items() if k in name and isinstance(v, str) and (
        numeric[name[k]] and v[:1] in "FN" or kinds[name[k]] and _sav_format_kind(v) == kinds[name[k]])}
    args: dict[str, Any] = {}
    for key, val in (("column_labels", labels), ("variable_value_labels", value_labels),
                     ("missing_ranges", missing), ("variable_measure", measure), ("variable_format", formats)):
        if val:
            args[key] = val
    args.update(kw)
    return out, args


#: what makes a spreadsheet read a CSV cell as a formula (OWASP's list for CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _formula_like(v: Any) -> bool:
    """Text a spreadsheet would run as a formula: it starts with ``= + - @``, a tab or CR, and is not a plain
    number («-3», «+47», «-1,5» are read as numbers, not run)."""
    return isinstance(v, str) and v.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v)


def _guarded(v: Any) -> bool:
    """Whether the CSV writer prefixes ``'`` to ``v``: formula-like text (:func:`_formula_like`), also behind
    ``'``s of its own («'=x» is written «''=x»), so that reading strips exactly one ``'`` and gets ``v`` back."""
    return isinstance(v, str) and _formula_like(v.lstrip("'"))


def _guard_on(v: Any) -> bool:
    """Whether ``v`` starts with the ``'`` the CSV writer puts before guarded text (:func:`_guarded`)."""
    return isinstance(v, str) and v.startswith("'") and _guarded(v[1:])


def _starting_with(col: pd.Series, chars: str) -> np.ndarray:
    """Per cell of a text (or category) column: a string whose first character is one of ``chars``. The column's
    cells joined into one text are searched first (at C speed, no Python call per cell): in most columns no cell
    starts so, and then none is looked at one by one."""
    vals = col.tolist()
    try:
        joined = "\0" + "\0".join(vals)
    except TypeError:  # missing values or numbers among the strings
        first = frozenset(chars)
        return np.fromiter((isinstance(v, str) and v[:1] in first for v in vals), dtype=bool, count=len(vals))
    if not any("\0" + ch in joined for ch in chars):
        return np.zeros(len(vals), dtype=bool)
    return np.fromiter(map(methodcaller("startswith", tuple(chars)), vals), dtype=bool, count=len(vals))


def _text_columns_mapped(df: pd.DataFrame, hit_of: Callable[[Any], bool], fix: Callable[[pd.Series], pd.Series],
                         starts: str) -> pd.DataFrame:
    """``df`` with ``fix`` applied to the cells of its text (or category) columns for which ``hit_of`` holds (a
    copy; ``df`` itself when no cell does). ``starts``: the first characters a hit must have — only the cells starting
    with one of them are given to ``hit_of`` (:func:`_starting_with`), so that a 100,000-row table costs next to
    nothing when none does."""
    out = df
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if not (_is_texty(col) or isinstance(col.dtype, pd.CategoricalDtype)):
            continue
        hit = _starting_with(col, starts)
        if not hit.any():
            continue
        at = np.flatnonzero(hit)
        hit[at] = [bool(hit_of(v)) for v in col.iloc[at].tolist()]
        if not hit.any():
            continue
        if out is df:
            out = df.copy()
        vals = col.astype(object)
        out.isetitem(j, vals.where(~hit, fix(vals[hit].astype(str))))
    return out


def csv_text_not_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text cell that Excel would run as a formula when it opens the CSV (``=HYPERLINK(…)``,
    ``+47 22 33 44 55``, ``@SUM(…)``, ``- punkt``) prefixed with ``'`` (OWASP's rule for CSV injection), so it
    is shown as text. Number columns and plain numbers in text («-3») are left as they are; ``df`` itself too.
    Text that is such a cell behind ``'``s of its own («'=x») gets one more, so :func:`csv_text_from_guarded`
    undoes this exactly."""
    return _text_columns_mapped(df, _guarded, lambda s: "'" + s, "'" + "".join(_FORMULA_START))


def csv_text_from_guarded(df: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`csv_text_not_formulas`: ``df`` with exactly one leading ``'`` taken off each text
    cell whose rest the writer guards («'- punkt» → «- punkt», «'-» → «-», «''=x» → «'=x»; «'plain» and «'-3»
    stay as they are). :func:`read_table` applies it to every CSV it reads: a spreadsheet never saves the ``'``
    typed before a cell's text into a CSV, so such a cell is the guard of textmine (or of another tool following
    OWASP's rule), not an answer. ``df`` itself when no cell has one."""
    return _text_columns_mapped(df, _guard_on, lambda s: s.str[1:], "'")


def excel_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids (openpyxl's ``ILLEGAL_CHARACTERS_RE``: C0 controls
    but tab, newline and CR), which make openpyxl refuse the whole workbook: the whitespace-like ones (\\x0b, \\x0c,
    \\x1c–\\x1f) become a space, the others (NUL, backspace, ESC …) are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not ILLEGAL_CHARACTERS_RE.search(text):
        return text
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: " " if m.group().isspace() else "", text)


def excel_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`excel_text` applied to its text cells and column names (a copy; ``df`` unchanged when
    nothing needs it), so that an .xlsx of it is always written."""
    names = {c: excel_text(c) for c in df.columns if isinstance(c, str) and excel_text(c) != c}
    out = df.rename(columns=names) if names else df
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype):
            fixed = col.astype(object).map(lambda v: excel_text(v) if isinstance(v, str) else v)
            if not fixed.equals(col.astype(object)):
                out = out.copy() if out is df else out
                out[c] = fixed
    return out


def _holds_cr(df: pd.DataFrame) -> bool:
    """Whether a column name or a text (or category) cell of ``df`` holds a carriage return."""
    if any("\r" in str(c) for c in df.columns):
        return True
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if not (_is_texty(col) or isinstance(col.dtype, pd.CategoricalDtype)):
            continue
        vals = col.tolist()
        try:
            if "\r" in "".join(vals):  # all text: one search at C speed
                return True
        except TypeError:  # missing values or numbers among the strings
            if any(isinstance(v, str) and "\r" in v for v in vals):
                return True
    return False


def csv_line_end(df: pd.DataFrame) -> str:
    """The line end a CSV of ``df`` is written with: ``"\\n"``, or ``"\\r\\n"`` (as Excel writes) when a text cell or
    a column name holds a carriage return (old Mac/Excel exports: «linje en\\rlinje to»). Python's CSV writer quotes
    a field only for the characters of its line end, so with ``"\\n"`` such a cell would be written bare and read
    back as two rows; with ``"\\r\\n"`` it is quoted and reads back exactly."""
    return "\r\n" if _holds_cr(df) else "\n"


#: the encoding of CSVs meant for a spreadsheet: UTF-8 with a byte-order mark, without which Excel (double-click,
#: Norwegian Windows) reads UTF-8 as Windows-1252 («Ønsker å få» → «Ã˜nsker Ã¥ fÃ¥»); :func:`read_table` and
#: pandas take the mark off again
EXCEL_CSV_ENCODING = "utf-8-sig"


#: ``--csv-sep``'s values: the field separator a CSV is written with (``tab``: a tab)
CSV_SEPARATORS = {",": ",", ";": ";", "tab": "\t"}


def csv_options(sep: str = ",") -> dict[str, str]:
    """``DataFrame.to_csv`` options (for :func:`write_table`, :func:`csv_bytes`) of a CSV separated by ``sep``: ``,``
    (the default), ``;`` or ``tab``, as ``--csv-sep`` takes it. With ``;`` decimals get a comma, as Norwegian Excel
    writes and reads such a file; otherwise a ``.``. :func:`read_table` detects either separator and decimal mark.
    ``ValueError`` for another ``sep``."""
    if sep not in CSV_SEPARATORS:
        raise ValueError(f"CSV separator {sep!r}: expected ',', ';' or 'tab' (a tab)")
    return {"sep": CSV_SEPARATORS[sep], "decimal": "," if sep == ";" else "."}


def csv_bytes(df: pd.DataFrame, *, encoding: str = EXCEL_CSV_ENCODING, **kw: Any) -> bytes:
    """``df`` as the bytes of a CSV file (a download), written as :func:`write_table` writes a .csv: text a spreadsheet
    would run as a formula guarded with ``'``, CRLF line ends when some text holds a carriage return; by default with
    the byte-order mark Excel needs (:data:`EXCEL_CSV_ENCODING`). ``kw`` to ``DataFrame.to_csv``."""
    kw.setdefault("lineterminator", csv_line_end(df))
    return csv_text_not_formulas(df).to_csv(index=False, **kw).encode(encoding)


def read_csv_text(path_or_buf: Any) -> pd.DataFrame:
    """A CSV that :func:`write_table` (or :func:`csv_bytes`) wrote, every cell as the text written: no type
    guessing, empty cells as ``""``, a byte-order mark and the formula guards (:func:`csv_text_from_guarded`)
    taken off, so stored text (ids as «01554», «=x», «a\\rb») reads back exactly."""
    df = pd.read_csv(path_or_buf, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return csv_text_from_guarded(df)


def write_table(df: pd.DataFrame, path: str | Path, **kw: Any) -> Path:
    """Write by extension: .csv (UTF-8, ','; another separator with ``sep`` and ``decimal``, :func:`csv_options`), .xlsx, .parquet, .sav (pyreadstat; ``kw`` passed on), .json (records).

    .csv: text that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or CR, not a plain
    number) is written with a leading ``'`` (:func:`csv_text_not_formulas`), so it opens as text; :func:`read_table`
    takes it off again (:func:`csv_text_from_guarded`). Lines end in LF, or in CRLF when some text holds a carriage
    return (:func:`csv_line_end`), which is kept exactly: «linje en\\rlinje to» reads back as written, never as two
    rows (a ``lineterminator`` in ``kw`` is used as given).

    .xlsx: text starting with ``=`` is stored as text, never as a formula; text longer than Excel's cell
    limit is refused (``ValueError``) rather than cut. .sav: column names SPSS does not accept are renamed
    (see :func:`spss_names`); variable/value labels, user-missing codes and measures of a .sav input
    (``df.attrs``) are carried over, and so are those ``textmine code``/``clean`` give their columns, whose cells
    are system-missing where the answer is empty (:data:`SAV_MISSING_IF_BLANK`); extra ``kw`` override them."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise ValueError(f"{path}: unsupported output type {suffix!r}")
    if suffix in (".xlsx", ".xlsm"):
        _refuse_overlong(df, path)
    elif suffix == ".sav":
        _refuse_overlong_sav(df, path)
    with replacing(path, suffix) as tmp:
        if suffix == ".csv":
            encoding = kw.pop("encoding", "utf-8")  # "utf-8-sig": with the byte-order mark Excel reads as UTF-8
            kw.setdefault("lineterminator", csv_line_end(df))
            csv_text_not_formulas(df).to_csv(tmp, index=False, encoding=encoding, **kw)
        elif suffix in (".xlsx", ".xlsm"):
            sheet = kw.pop("sheet_name", "Sheet1")
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                df = excel_frame(df)
                df.to_excel(xw, index=False, sheet_name=sheet, **kw)
                _excel_text_not_formulas(xw.sheets[sheet], df)
                _excel_durations(xw.sheets[sheet], df, path)
            _fix_xlsx_timestamps(tmp, macro_enabled=suffix == ".xlsm")
        elif suffix in (".parquet", ".pq"):
            _parquet_safe_attrs(df).to_parquet(tmp, index=False, **kw)
        elif suffix == ".sav":
            import pyreadstat

            frame, args = _sav_frame(df, kw, path)
            pyreadstat.write_sav(frame, str(tmp), **args)
            _fix_sav_timestamp(tmp)
        elif suffix == ".json":
            df.to_json(tmp, orient="records", force_ascii=False, indent=1, **{"date_format": "iso", **kw})
    return path

