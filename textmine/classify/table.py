"""Code a whole table: keep every input column and the row order, append the coding columns."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

import pandas as pd

from .base import BaseCoder, output_columns
from ..io import column_names_text

__all__ = ["CODE_FLAG_COLUMNS", "FLAG_LABELS", "YES_NO", "CODING_LABELS", "spss_coding_attrs", "code_dataframe",
           "redact_columns", "pii_in_columns", "mask_personal_text", "masked_column_names", "mask_column_names",
           "unknown_questions", "warn_unknown_questions"]

CODE_FLAG_COLUMNS = ("health_flag", "is_non_answer")  # written after the coders' columns (0/1)
# ``df.attrs`` key :func:`mask_personal_text` sets: the columns whose text cells it has masked or was told to
# leave (``skip``), so that :func:`code_dataframe` leaves them as that caller decided (the CLI's --unredacted-col)
MASKED_COLUMNS_ATTR = "personal_text_masked_columns"
FLAG_LABELS = {"health_flag": "Helseopplysninger nevnt (1 = ja)", "is_non_answer": "Ikke-svar (1 = ja)"}
#: SPSS value labels of the 0/1 columns and variable labels of the other coding columns in a .sav, as the report's
#: kodede_svar.sav has them (``textmine.report.spss``: ``YES_NO``, ``VAR_LABELS``), so both .sav writers agree
YES_NO = {0: "Nei", 1: "Ja"}
CODING_LABELS = {"themes": "Temaer (id-er skilt med ;)", "type": "Type kommentar", "confidence": "Sikkerhet (0–1)",
                 "needs_review": "Til manuell gjennomgang"}


def _spss_kind(base: str) -> tuple[dict | None, str, bool]:
    """(value labels, measurement level, system-missing where the answer is blank) of a coding or cleaning column
    by its name without a ``<text column>__`` prefix."""
    if base.startswith("theme_") or base in ("needs_review", *CODE_FLAG_COLUMNS):
        return YES_NO, "nominal", True
    if base.startswith("score_") or base == "confidence":
        return None, "scale", True
    if base.startswith("pii_"):  # counts of the personal data masked: 0 in an empty cell is a true count
        return None, "scale", False
    return None, "nominal", base == "type"  # text: themes, type, text_clean, language, lemmas


def spss_coding_attrs(attrs: dict, columns: dict[str, str], text_col: str) -> dict:
    """A copy of ``attrs`` (a frame's ``df.attrs``) with what :func:`textmine.io.write_table` writes to a .sav for
    the coding or cleaning ``columns`` of ``text_col`` ({column: its name without a ``<text column>__`` prefix}),
    as the report's kodede_svar.sav has it: variable labels (:data:`CODING_LABELS`, :data:`FLAG_LABELS`; prefixed
    with ``text_col`` where the name is), «Nei»/«Ja» on the 0/1 columns, measurement levels (nominal: 0/1 columns
    and text; scale: scores, ``confidence``, counts), and the rows where ``text_col`` is missing or blank
    system-missing in the 0/1, score, ``confidence`` and ``type`` columns (``type``'s blank is user-missing): an
    empty cell is no answer at all, not a non-answer. The columns' values are not changed (other formats keep 0/1)."""
    from ..io import SAV_MISSING_IF_BLANK

    out = dict(attrs)
    keys = ("column_labels", "value_labels", "variable_measure", "spss_missing", SAV_MISSING_IF_BLANK)
    labels, values, measure, missing, blank = (dict(out.get(k) or {}) for k in keys)
    blank_cols = []
    for col, base in columns.items():
        vals, level, if_blank = _spss_kind(base)
        label = {**CODING_LABELS, **FLAG_LABELS}.get(base)
        if label:
            labels[col] = (label if col == base else f"{text_col}: {label}")[:256]
        if vals:
            values[col] = dict(vals)
        measure[col] = level
        if base == "type":
            missing[col] = [""]
        if if_blank:
            blank_cols.append(col)
    blank[text_col] = blank_cols
    for k, v in zip(keys, (labels, values, measure, missing, blank)):
        out[k] = v
    return out


def _redact_one():
    """The redaction ``textmine clean``/``code`` use for the text column: (redacted text, counts per type)."""
    from ..preprocess import redact

    return redact


def redact_columns(df: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, int]]:
    """``df`` with personal data in ``columns`` masked in place (the cleaning's Redactor: ``[TELEFON]``,
    ``[NAVN]`` …) and ``{column: personal data items masked}``. Cells without personal data are unchanged;
    missing cells stay missing."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} to redact; columns are: {column_names_text(df.columns)}")
    redact = _redact_one()
    out = df.copy()
    counts: dict[str, int] = {}
    for c in dict.fromkeys(columns):
        memo: dict[str, tuple[str, int]] = {}
        n = 0
        values = []
        for v in out[c].tolist():
            if isinstance(v, str) and v.strip():
                if v not in memo:
                    r, cnt = redact(v)
                    k = int(sum(cnt.values()))
                    memo[v] = (r if k else v, k)
                r, k = memo[v]
                n += k
                values.append(r)
            else:
                values.append(v)
        if n:
            out[c] = pd.Series(values, index=out.index, dtype=object)
        counts[c] = n
    out.attrs = dict(df.attrs)
    return out, counts


_YEAR_ID = re.compile(r"(?:19|20)\d\d[-/ ]?\d{4}")


def _year_ids(vals: pd.Series) -> pd.Series:
    """Cells that are year + running number ids ("2024-0001", "20240001") in a column where most cells are:
    an id column, not phone numbers."""
    shaped = vals.map(lambda v: bool(_YEAR_ID.fullmatch(v.strip())))
    return shaped if shaped.mean() > 0.5 else shaped & False


_MOBILE = re.compile(r"[49]\d{7}")


def _numeric_personal(col: pd.Series) -> int:
    """Cells of a numeric column read from a file that are a fødselsnummer/D-number (valid check digits) or a
    mobile number (8 digits from 4 or 9) — unless the column is a run of ids (most cells share the first
    digits' order of magnitude and are distinct): a column of phone numbers read as integers is still personal."""
    from textmine.preprocess.redact import personal_number_type

    v = pd.to_numeric(col, errors="coerce").dropna()
    v = v[(v == v.round()) & (v > 0)]
    if v.empty:
        return 0
    digits = v.astype("int64").astype(str)
    fnr = digits.str.zfill(11).where(digits.str.len().isin([10, 11])).map(
        lambda d: isinstance(d, str) and bool(personal_number_type(d)))
    mobile = digits.map(lambda d: bool(_MOBILE.fullmatch(d)))
    if mobile.any() and digits.is_unique and len(digits) > 20 and (v.max() - v.min()) < 5 * len(v):
        mobile[:] = False  # consecutive numbers: a respondent id column, not phones
    return int((fnr | mobile).sum())


def _scan_columns(df: pd.DataFrame, skip=()):
    """Per column not in ``skip``: ``(column, n, None, None)`` for a numeric column (``n`` cells a fødselsnummer or
    mobile number) or ``(column, None, given, seen)`` for a text column with answers (``given``: its non-blank
    cells; ``seen``: ``{value: (masked value, has personal data)}``, the Redactor run once per distinct value).
    Other columns are skipped."""
    redact = _redact_one()
    skip = set(skip)
    for c in df.columns:
        if c in skip:
            continue
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            yield c, _numeric_personal(col), None, None
            continue
        if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
            continue
        given = col[col.map(lambda v: isinstance(v, str) and bool(v.strip()))]
        if given.empty:
            continue
        seen = {}
        for v in pd.unique(given):
            r, cnt = redact(v)
            seen[v] = (r, bool(sum(cnt.values())))
        yield c, None, given, seen


def pii_in_columns(df: pd.DataFrame, skip=()) -> dict[str, int]:
    """``{column: cells with personal data the Redactor would mask}`` for the text columns not in ``skip``
    (only counts: the values are never returned). Year + running number ids in an id column are not counted."""
    found: dict[str, int] = {}
    for c, n, given, seen in _scan_columns(df, skip):
        if given is not None:
            n = int((given.map(lambda v: seen[v][1]) & ~_year_ids(given)).sum())
        if n:
            found[str(c)] = n
    return found


_CODE = re.compile(r"[^\W\d_]{0,4}[-_/.]?\d[\d.-]*\d|\d")  # an id: no spaces ("912 34 567" is a phone)


def mask_personal_text(df: pd.DataFrame, skip=()) -> tuple[pd.DataFrame, dict[str, int], dict[str, int]]:
    """Mask personal data in the text cells of the columns not in ``skip`` (the Redactor of the text column:
    ``[TELEFON]``, ``[NAVN]`` …): ``(frame, {column: cells masked}, {column: cells left})``, counts only.

    Left as they are, and only counted: cells of numeric columns and code-shaped cells (``R0001``,
    ``91234567``): masking those would change a column's type or break the join back to the survey (a
    respondent id that looks like a phone number). Decided cell by cell, so a file coded in parts gives the same
    cells as the whole file. ``df`` is not changed; cells without personal data are unchanged. The frame's
    ``attrs[MASKED_COLUMNS_ATTR]`` names the columns seen here, masked or skipped (:func:`code_dataframe` leaves
    them as they are)."""
    out = df
    masked: dict[str, int] = {}
    left: dict[str, int] = {}
    for c, n, given, seen in _scan_columns(df, skip):
        if given is None:
            if n:
                left[str(c)] = n
            continue
        hit = given.map(lambda v: seen[v][1])
        code = given.map(lambda v: bool(_CODE.fullmatch(v.strip())))
        to_mask = hit & ~code
        n_left = int((hit & code & ~given.map(lambda v: bool(_YEAR_ID.fullmatch(v.strip())))).sum())
        if n_left:
            left[str(c)] = n_left
        if to_mask.any():
            if out is df:
                out = df.copy()
                out.attrs = dict(df.attrs)
            idx = to_mask[to_mask].index
            values = out[c].astype(object).copy()
            values.loc[idx] = [seen[v][0] for v in given.loc[idx]]
            out[c] = values
            masked[str(c)] = int(to_mask.sum())
    out = out if out is not df else df.copy(deep=False)  # (the marker below must not change ``df``)
    out.attrs = {**df.attrs, MASKED_COLUMNS_ATTR: list(dict.fromkeys([*_masked_before(df), *map(str, df.columns)]))}
    return out, masked, left


def _masked_before(df: pd.DataFrame) -> list[str]:
    """The columns an earlier :func:`mask_personal_text` on ``df`` saw (masked or skipped)."""
    seen = df.attrs.get(MASKED_COLUMNS_ATTR)
    return [str(c) for c in seen] if isinstance(seen, list | tuple) else []


#: the masked name of a column whose name is an id holding personal data ("ola_nordmann_91234567")
HIDDEN_COLUMN_NAME = "[REDIGERT]"


def masked_column_names(columns, skip=()) -> dict[str, str]:
    """``{column name: masked name}`` for the column names not in ``skip`` that hold personal data, masked by
    :func:`textmine.masking.mask_personal`: redacted (a header "Kari Nordmann 01019012480" → "[NAVN]
    [FØDSELSNUMMER]"; the Redactor of the text column), or :data:`HIDDEN_COLUMN_NAME` as a whole where that is not
    enough (an id holding personal data read as words, "ola_nordmann_91234567": the Redactor finds no name inside
    an id). A masked name that would clash with another column gets " (2)", " (3)" … Names only: pure, so every
    part of a file coded in parts gets the same names (each name is checked once per process: :func:`_masked_name`;
    a wide file with many clashing names costs no more than one with few)."""
    skip = set(skip)
    names = [str(c) for c in columns]
    taken = set(names)
    next_k: dict[str, int] = {}  # per masked name: the first suffix not yet tried (every lower one is taken)
    out: dict[str, str] = {}
    for c in names:
        if c in skip or not c.strip():
            continue
        r = _masked_name(c)
        if r == c:
            continue
        new, k = r, next_k.get(r, 2)
        while new in taken:
            new, k = f"{r} ({k})", k + 1
        next_k[r] = k
        taken.add(new)
        out[c] = new
    return out


@lru_cache(maxsize=1 << 16)
def _masked_name(name: str) -> str:
    """:func:`textmine.masking.mask_personal` of a column name with :data:`HIDDEN_COLUMN_NAME`, remembered: the
    names of a file are masked again for each part coded and for each of its outputs (the redaction's word lists
    are built once per process too)."""
    from ..masking import mask_personal

    return mask_personal(name, HIDDEN_COLUMN_NAME)


def mask_column_names(df: pd.DataFrame, skip=()) -> tuple[pd.DataFrame, int]:
    """``(df with its column names and labels masked, columns whose name or labels were masked)``: the names of
    :func:`masked_column_names`, the keys of per-column ``attrs`` (value labels, variable labels, missing codes …)
    renamed alike, and variable labels (``attrs["column_labels"]``) and value labels (``attrs["value_labels"]``,
    of the columns not in ``skip``) from a ``.sav`` holding personal data masked. ``df`` is not changed."""
    names = masked_column_names(df.columns, skip)
    labels = df.attrs.get("column_labels")
    masked_labels: dict[str, str] = {}
    if isinstance(labels, dict):
        redact = _redact_one()
        for c, lab in labels.items():
            if isinstance(lab, str) and lab.strip():
                r, cnt = redact(lab)
                if sum(cnt.values()):
                    masked_labels[c] = r
    value_labels = df.attrs.get("value_labels")
    masked_values: dict[str, dict] = {}  # .sav value labels ("1 = Saksbehandler Kari Nordmann") of other columns
    if isinstance(value_labels, dict):
        redact = _redact_one()
        skipped = set(skip)
        for c, labs in value_labels.items():
            if c in skipped or not isinstance(labs, dict):
                continue
            new = {}
            for code, lab in labs.items():
                r, cnt = redact(lab) if isinstance(lab, str) and lab.strip() else (lab, {})
                new[code] = r if sum(cnt.values()) else lab
            if new != labs:
                masked_values[c] = new
    if not names and not masked_labels and not masked_values:
        return df, 0
    attrs = dict(df.attrs)
    if masked_labels:
        attrs["column_labels"] = {**labels, **masked_labels}
    if masked_values:
        attrs["value_labels"] = {**value_labels, **masked_values}
    for key, value in list(attrs.items()):
        if isinstance(value, dict) and any(c in value for c in names):
            attrs[key] = {names.get(c, c) if isinstance(c, str) else c: v for c, v in value.items()}
    if MASKED_COLUMNS_ATTR in attrs:  # the columns mask_personal_text saw, by their new names
        attrs[MASKED_COLUMNS_ATTR] = [names.get(c, c) for c in _masked_before(df)]
    out = df.rename(columns=names)
    out.attrs = attrs
    return out, len(set(names) | set(masked_labels) | set(masked_values))


def unknown_questions(coder: BaseCoder, values) -> tuple[list[str], list[str]]:
    """(the given survey questions the coder has no theme rates for, the questions it knows)."""
    known = sorted(getattr(coder, "question_priors_", None) or {})
    given = [str(v) for v in pd.unique(pd.Series(list(values), dtype=object).dropna()) if str(v).strip()]
    return [q for q in given if q not in known], known


#: the longest question name a warning shows (longer values are most likely answers from a wrong column)
SHOWN_QUESTION_CHARS = 40
#: a question value with this many digits in all is not shown (a date or an id in groups: "15 03 85 101 90")
SHOWN_QUESTION_DIGITS = 6


def hidden_value(v: str) -> str:
    """A value a warning does not show, by its length only."""
    return f"<a value of {len(v)} characters, not shown>"


def shown_questions(values: list[str], *, quote: bool = False, limit: int = 10) -> str:
    """Question values for a warning: the first ``limit``, each shown only when it looks like a question name
    (short, no e-mail sign, no long digit run nor :data:`SHOWN_QUESTION_DIGITS` digits in all - a fødselsnummer
    written in groups, "15 03 85 101 90", which the redaction does not see - and no personal data by
    :func:`textmine.labelcheck.personal_data_counts`: "Ring Ola Nordmann"), else as its length: values from a wrong
    column (the answers themselves) must not reach a log."""
    from ..labelcheck import personal_data_counts

    def one(v: str) -> str:
        if (len(v) > SHOWN_QUESTION_CHARS or "@" in v or re.search(r"\d{4}", v)
                or sum(c.isdigit() for c in v) >= SHOWN_QUESTION_DIGITS or personal_data_counts(v)):
            return hidden_value(v)
        return repr(v) if quote else v

    return ", ".join(one(v) for v in values[:limit]) + (f" … ({len(values)} in all)" if len(values) > limit else "")


def warn_unknown_questions(coder: BaseCoder, questions: Any, *, stacklevel: int = 3) -> None:
    """A ``UserWarning`` naming the given survey questions (one for all rows, or one per row; empty ones aside) that
    ``coder`` has no theme rates for, and those it has: their rows are coded as with no question, so a misspelt
    question would otherwise go unnoticed. Silent for a coder without per-question rates (zero-shot, a model trained
    without routed questions or with routing off): any question is as good as none there."""
    if questions is None or not getattr(coder, "question_priors", True):
        return
    if not getattr(coder, "question_priors_", None):
        return
    unknown, known = unknown_questions(coder, [questions] if isinstance(questions, str) else questions)
    if unknown:
        shown = shown_questions(unknown, quote=True)
        warnings.warn(f"questions: the model has no theme rates for {shown}, so those answers are coded as with no "
                      f"question; the questions it knows are: {', '.join(known)}", UserWarning, stacklevel=stacklevel)


def _check_coder(coder: Any) -> None:
    """``TypeError`` unless ``coder`` cleans and codes texts as the textmine coders do (``clean``, ``predict_frame``),
    saying what to give instead (a :class:`~textmine.classify.lexical.KeywordMatcher` is a coder's part, no coder)."""
    if hasattr(coder, "clean") and hasattr(coder, "predict_frame"):
        return
    from .lexical import KeywordMatcher

    if isinstance(coder, KeywordMatcher):
        raise TypeError("coder: KeywordMatcher is not a coder (it counts keyword hits in cleaned texts and lemmas, "
                        "see KeywordMatcher.counts); to code a table by the codebook without training give "
                        "ZeroShotCoder(codebook) (keywords and embeddings), or default_coder() / load_coder(path)")
    raise TypeError(f"coder: expected a textmine coder (ZeroShotCoder(codebook), default_coder() or "
                    f"load_coder(path)), got {type(coder).__name__}")


def _row_labels(n: int, questions: Any, labels: dict[str, str], default: str) -> list[str]:
    """Each row's question label ('' where unknown): its question (one for all rows, or per row), else
    ``default``'s."""
    if questions is None or isinstance(questions, str):
        asked = [questions or default] * n
    else:
        asked = [q if isinstance(q, str) and q.strip() else default for q in questions]
    return [labels.get(q, "") if q else "" for q in asked]


def _echoes_as_non_answers(cleaned: pd.DataFrame, texts: pd.Series, row_labels: list[str]) -> pd.DataFrame:
    """``cleaned`` with an answer that only repeats its question's label marked ``is_non_answer`` (as
    :class:`textmine.preprocess.Cleaner` does with ``question_texts``); each distinct (text, label) checked once."""
    from ..preprocess import is_non_answer

    seen: dict[tuple[str, str], bool] = {}
    non = cleaned["is_non_answer"].to_numpy().copy()
    for i, (t, lab) in enumerate(zip(texts.tolist(), row_labels)):
        if lab and not non[i] and isinstance(t, str):
            if (t, lab) not in seen:
                seen[(t, lab)] = is_non_answer(t, (lab,))
            non[i] = int(seen[(t, lab)])
    return cleaned.assign(is_non_answer=non)


def _batch_flags(cleaned: pd.DataFrame) -> pd.DataFrame:
    """``health_flag`` and ``is_non_answer`` (0/1) of one cleaned batch."""
    missing = [c for c in CODE_FLAG_COLUMNS if c not in cleaned.columns]
    if missing:
        raise ValueError(f"the coder's clean() gave no column(s) {missing}; expected the output of "
                         f"textmine.preprocess.Cleaner")
    return cleaned[list(CODE_FLAG_COLUMNS)].astype(int)


def code_dataframe(coder: BaseCoder, df: pd.DataFrame, text_col: str, *, batch_size: int = 2000,
                   progress: bool = False, keep_raw_text: bool = False, question_col: str | None = None,
                   question: str | None = None, redact_cols: list[str] | tuple[str, ...] = (),
                   question_labels: dict[str, str] | None = None, unredacted_cols: list[str] | tuple[str, ...] = (),
                   mask_other_cols: bool = True) -> pd.DataFrame:
    """Return ``df`` + ``theme_<id>``, ``score_<id>``, ``themes``, ``confidence``, ``needs_review``, ``type``,
    ``health_flag``, ``is_non_answer`` (0/1): what ``textmine code`` writes.

    The text column is replaced by its redacted form (personal data never leaves unredacted) unless
    ``keep_raw_text``. An input column that already has one of the output names is kept as
    ``<name>_input`` (with a warning). ``question_col`` (a column naming each row's survey question) or
    ``question`` (one question for every row) lets a supervised coder use that question's theme rates.
    ``question_labels``: {survey question column: its label} (a survey definition's free-text questions): an answer
    that only repeats its question's label is a non-answer (a row's question is ``question`` or its
    ``question_col`` value, else ``text_col``).
    ``redact_cols``: other free-text columns to mask personal data in (in place, always).

    Personal data in the text cells of every other column is masked too, as ``textmine code`` does
    (:func:`mask_personal_text`: an e-mail in an ``epost`` column becomes ``[EPOST]``; numeric and code-shaped
    cells such as ids are left), and so are column names and labels holding it (:func:`mask_column_names`),
    except in ``question_col`` and ``unredacted_cols`` (copied as they are, like ``--unredacted-col``).
    ``mask_other_cols=False`` copies every other column as it is (the caller masks them, or they hold no
    personal data). Columns a :func:`mask_personal_text` on ``df`` already saw are left as it left them.
    ``df.attrs`` (e.g. SPSS labels of a .sav input) are kept, with variable labels added for the theme and flag
    columns. ``coder`` must clean and code as the textmine coders do (``TypeError`` otherwise, e.g. for a
    :class:`~textmine.classify.lexical.KeywordMatcher`, which is a coder's part).
    """
    for what, col in (("text", text_col), ("question", question_col)):
        if col is not None and col not in df.columns:
            raise ValueError(f"no {what} column {col!r}; columns are: {column_names_text(df.columns)}")
    if isinstance(unredacted_cols, str):
        raise TypeError(f"unredacted_cols: expected a list of column names, got one string ({unredacted_cols!r}); "
                        f"wrap it in a list")
    absent = [c for c in unredacted_cols if c not in df.columns]
    if absent:
        raise ValueError(f"no column(s) {absent} to leave unredacted (unredacted_cols); columns are: "
                         f"{column_names_text(df.columns)}")
    if question_col is not None and question is not None:
        raise ValueError("give either question_col or question, not both")
    _check_coder(coder)
    labels = dict(question_labels or {})
    questions = (df[question_col].astype("string").fillna("").astype(str).reset_index(drop=True)
                 if question_col is not None else None)
    texts = df[text_col].astype("string").fillna("").astype(str)
    texts = texts.reset_index(drop=True)
    parts: list[pd.DataFrame] = []
    redacted: list[pd.Series] = []
    flags: list[pd.DataFrame] = []
    starts = range(0, len(texts), max(1, batch_size))
    bar: Any = None
    if progress and len(texts) > batch_size:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("koder", total=len(texts))
    try:
        for s in starts:
            qs = question if questions is None else questions.iloc[s : s + batch_size].tolist()
            batch = texts.iloc[s : s + batch_size]
            cleaned = coder.clean(batch, qs)
            if labels:
                cleaned = _echoes_as_non_answers(cleaned, batch, _row_labels(len(cleaned), qs, labels, text_col))
            parts.append(coder.predict_frame(cleaned))
            redacted.append(cleaned["text_clean"])
            flags.append(_batch_flags(cleaned))
            if bar is not None:
                bar.update(task, advance=min(batch_size, len(texts) - s))
    finally:
        if bar is not None:
            bar.stop()
    coded = pd.concat(parts) if parts else pd.DataFrame(columns=output_columns(coder.codebook))
    coded.index = df.index
    flag_frame = (pd.concat(flags) if flags
                  else pd.DataFrame({c: pd.Series(dtype="int64") for c in CODE_FLAG_COLUMNS}))
    for c in CODE_FLAG_COLUMNS:
        coded[c] = flag_frame[c].to_numpy(dtype="int64")
    out = df.copy()
    if not keep_raw_text and redacted:
        out[text_col] = pd.concat(redacted).to_numpy()
    if redact_cols:
        out, _ = redact_columns(out, [c for c in redact_cols if c != text_col or keep_raw_text])
    if mask_other_cols:
        out = _mask_other_columns(out, [text_col, question_col, *redact_cols, *unredacted_cols])
    clash = [c for c in coded.columns if c in out.columns]
    if clash:
        warnings.warn(f"input already has column(s) {clash}; kept them as <name>_input", stacklevel=2)
        out = out.rename(columns={c: f"{c}_input" for c in clash})
    result = pd.concat([out, coded], axis=1)
    attrs = dict(df.attrs)
    for key in ("column_labels", "value_labels", "variable_measure", "spss_missing", "variable_format"):
        if clash and attrs.get(key):  # an input column kept as <name>_input keeps its SPSS definitions
            attrs[key] = {(f"{c}_input" if c in clash else c): v for c, v in attrs[key].items()}
    column_labels = dict(attrs.get("column_labels") or {})
    for t in coder.codebook.themes:
        column_labels.setdefault(f"theme_{t.id}", f"Tema: {t.label}"[:256])
        column_labels.setdefault(f"score_{t.id}", f"Skår (0–1): {t.label}"[:256])
    attrs["column_labels"] = column_labels
    attrs = spss_coding_attrs(attrs, {str(c): str(c) for c in coded.columns}, str(text_col))
    attrs.pop(MASKED_COLUMNS_ATTR, None)
    result.attrs = attrs
    return result


def _mask_other_columns(df: pd.DataFrame, own: list) -> pd.DataFrame:
    """``df`` with personal data masked in the text cells, names and labels of its columns other than ``own``
    (``None`` entries ignored) and those an earlier :func:`mask_personal_text` saw, as ``textmine code`` masks
    them (:func:`mask_personal_text`, :func:`mask_column_names`)."""
    skip = [c for c in own if c is not None]
    seen = set(_masked_before(df))
    skip += [c for c in df.columns if str(c) in seen]
    out, _, _ = mask_personal_text(df, skip=skip)
    out, _ = mask_column_names(out, skip=skip)
    return out
